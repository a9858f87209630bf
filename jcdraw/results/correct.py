"""Approved corrections of recorded results: the old value is kept, the next publicity explains it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jcdraw import messages
from jcdraw.errors import BadInvocation, LedgerError, UnreadableInput
from jcdraw.io.clock import beijing_today
from jcdraw.io.files import file_sha256
from jcdraw.io.text import normalize_key_one
from jcdraw.ledger import Ledger
from jcdraw.plans.categories import CategoryParser, ResultCategories, load_result_categories, result_text


@dataclass(frozen=True)
class CorrectionOutcome:
    draw_id: str
    uscc: str
    item: int
    old: str
    new: str
    approved_by: str
    approval_ref: str


def correct(
    ledger: Ledger,
    *,
    draw_id: str,
    uscc: str,
    item: int,
    result: str,
    approved_by: str,
    approval_ref: str,
    reason: str,
    approval_file: Path | None = None,
    categories: ResultCategories | None = None,
    today: date | None = None,
) -> CorrectionOutcome:
    """Record an approved correction of one recorded result (old value kept; shown on next publish).

    Raises BadInvocation for an empty approver, reference or reason, an invalid new result or item
    number; LedgerError for an unknown draw, a key without a recorded result, or no change;
    UnreadableInput when the approval file cannot be read.
    """
    given = {"--approved-by": approved_by, "--approval-ref": approval_ref, "--reason": reason}
    for option, value in given.items():
        if not value or not value.strip():
            raise BadInvocation(messages.CORRECT_FIELD_EMPTY.format(option=option))
    parser = CategoryParser(categories or load_result_categories())
    new = _valid_result(parser, result)
    draw_id = draw_id.strip()
    draw = ledger.get_draw(draw_id)
    if draw is None:
        raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
    count = len(draw.payload.get("items", []))
    if not 1 <= item <= count:
        raise BadInvocation(messages.CORRECT_ITEM_RANGE.format(draw_id=draw_id, count=count, item=item))
    payload: dict[str, Any] = {
        "new": {"result": list(new)},
        "approved_by": approved_by.strip(),
        "approval_ref": approval_ref.strip(),
        "reason": reason.strip(),
        "corrected_on": (today or beijing_today()).isoformat(),
    }
    if approval_file is not None:
        payload["approval_file"] = approval_file.name
        payload["approval_file_sha256"] = _approval_file_sha256(approval_file)
    code = normalize_key_one(uscc) or ""
    record = ledger.record_correction(draw_id, code, str(item), payload)
    old = result_text(record.payload["old"].get("result", []))
    return CorrectionOutcome(
        draw_id, code, item, old, result_text(new), payload["approved_by"], payload["approval_ref"]
    )


def _valid_result(parser: CategoryParser, text: str) -> tuple[str, ...]:
    parsed = parser.parse(text)
    if parsed.unknown:
        detail = messages.CORRECT_UNKNOWN_PART.format(part=parsed.unknown[0])
    elif parsed.clash:
        detail = messages.CORRECT_EXCLUSIVE.format(exclusive=parsed.clash)
    elif not parsed.categories:
        detail = messages.CORRECT_EMPTY_RESULT
    else:
        return parsed.categories
    raise BadInvocation(messages.CORRECT_BAD_RESULT.format(value=text, detail=detail, choices=parser.choices))


def _approval_file_sha256(path: Path) -> str:
    try:
        if path.is_dir():
            raise UnreadableInput(messages.FILE_IS_DIRECTORY.format(path=path))
        return file_sha256(path)
    except FileNotFoundError:
        raise UnreadableInput(messages.FILE_NOT_FOUND.format(path=path)) from None
    except PermissionError:
        raise UnreadableInput(messages.FILE_PERMISSION.format(path=path)) from None
