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
from jcdraw.io.text import normalize_key_one, parse_date_one, split_badges
from jcdraw.ledger import Ledger
from jcdraw.plans.categories import CategoryParser, ResultCategories, load_result_categories, result_text
from jcdraw.plans.load import find_plan
from jcdraw.records import MIN_OFFICERS
from jcdraw.results.backfill import backfill_fields


@dataclass(frozen=True)
class CorrectionOutcome:
    """What one correction changed. ``old``/``new`` say it in words (the result alone when only the
    result changed, as the CLI has always shown it)."""

    draw_id: str
    uscc: str
    item: int
    old: str
    new: str
    approved_by: str
    approval_ref: str
    fields: tuple[str, ...] = ("result",)  # which of result, completed, badges changed


FIELD_LABELS = {"result": "检查结果", "completed": "检查日期", "badges": "检查人员执法证号"}


def correct(
    ledger: Ledger,
    *,
    draw_id: str,
    uscc: str,
    item: int,
    approved_by: str,
    approval_ref: str,
    reason: str,
    result: str | None = None,
    completed: str | date | None = None,
    inspectors: str | None = None,
    approval_file: Path | None = None,
    categories: ResultCategories | None = None,
    approver: str | None = None,
    today: date | None = None,
    backfill_reason: str | None = None,
) -> CorrectionOutcome:
    """Record an approved correction of one recorded result (old values kept; shown on next publish).

    Any of the 检查结果 (``result``), the 检查日期 (``completed``) and the 检查人员执法证号
    (``inspectors``: at least two members of the draw's team for the entity) may be corrected, with
    the approval of the head of the unit; when the plan names that person (``approver``), only they
    may approve. ``today`` is the correction date (default: today in Beijing); one more than a week
    back needs ``backfill_reason`` (``jcdraw.results.backfill``). A date after it is
    refused; a date outside the task period is allowed (publicity flags it). Raises BadInvocation for
    a missing approval field, nothing to correct, an invalid value, item number or approver;
    LedgerError for an unknown draw, a key without a recorded result, or no change; UnreadableInput
    when the approval file cannot be read.
    """
    _check_approval(approved_by, approval_ref, reason)
    if result is None and completed is None and inspectors is None:
        raise BadInvocation(messages.CORRECT_NOTHING)
    day = today or beijing_today()
    backfill = backfill_fields(day, backfill_reason)
    draw_id = draw_id.strip()
    draw = ledger.get_draw(draw_id)
    if draw is None:
        raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
    _check_approver(approved_by, approver if approver is not None else _plan_approver(draw.payload))
    count = len(draw.payload.get("items", []))
    if not 1 <= item <= count:
        raise BadInvocation(messages.CORRECT_ITEM_RANGE.format(draw_id=draw_id, count=count, item=item))
    code = normalize_key_one(uscc) or ""
    new: dict[str, Any] = {}
    if result is not None:
        new["result"] = list(_valid_result(CategoryParser(categories or load_result_categories()), result))
    if completed is not None:
        new["completed"] = _valid_date(completed, day).isoformat()
    if inspectors is not None:
        new["badges"] = _valid_team(inspectors, _team_of(draw.payload, code))
    payload: dict[str, Any] = {
        "new": new,
        "approved_by": approved_by.strip(),
        "approval_ref": approval_ref.strip(),
        "reason": reason.strip(),
        "corrected_on": day.isoformat(),
        **backfill,
    }
    if approval_file is not None:
        payload["approval_file"] = approval_file.name
        payload["approval_file_sha256"] = _approval_file_sha256(approval_file)
    record = ledger.record_correction(draw_id, code, str(item), payload)
    return CorrectionOutcome(
        draw_id, code, item, describe(record.payload["old"]), describe(new), payload["approved_by"],
        payload["approval_ref"], tuple(new),
    )  # fmt: skip


def _check_approval(approved_by: str, approval_ref: str, reason: str) -> None:
    given = {"--approved-by": approved_by, "--approval-ref": approval_ref, "--reason": reason}
    for option, value in given.items():
        if not value or not value.strip():
            raise BadInvocation(messages.CORRECT_FIELD_EMPTY.format(option=option))


def _check_approver(approved_by: str, approver: str | None) -> None:
    """Only the head of the unit approves; when the plan names them, nobody else's name will do."""
    if approver and approved_by.strip() != approver.strip():
        detail = messages.CORRECT_NOT_THE_APPROVER.format(given=approved_by.strip(), approver=approver)
        raise BadInvocation(detail)


def _plan_approver(payload: dict[str, Any]) -> str | None:
    plan = find_plan(str(payload["plan"]), payload.get("plan_path"), payload.get("plan_sha256"))
    return plan.approver


def describe(values: dict[str, Any]) -> str:
    """Corrected fields in words; the result alone reads as the result text itself.

    Example:
        >>> describe({"result": ["未发现问题"]}), describe({"completed": "2024-05-10", "badges": ["1", "2"]})
        ('未发现问题', '检查日期 2024-05-10；检查人员执法证号 1、2')
    """
    if set(values) == {"result"}:
        return result_text(values["result"])
    parts = []
    for name, label in FIELD_LABELS.items():
        if name in values:
            value = values[name]
            parts.append(f"{label} {result_text(value) if isinstance(value, list) else value}")
    return "；".join(parts)


def _valid_date(value: str | date, today: date) -> date:
    try:
        day = value if isinstance(value, date) else parse_date_one(value)
    except ValueError:
        day = None
    if day is None:
        raise BadInvocation(messages.CORRECT_BAD_DATE.format(value=value))
    if day > today:
        raise BadInvocation(messages.CORRECT_DATE_FUTURE.format(value=day, today=today))
    return day


def _team_of(payload: dict[str, Any], code: str) -> list[str]:
    for chosen in payload.get("selected", []):
        if (normalize_key_one(chosen["uscc"]) or "") == code:
            return [str(b) for b in chosen.get("team", [])]
    return []


def _valid_team(text: str, team: list[str]) -> list[str]:
    """At least two distinct members of the draw's team for the entity, sorted as results record them."""
    badges = sorted(set(split_badges(text)))
    strangers = [b for b in badges if b not in team]
    if strangers or len(badges) < MIN_OFFICERS:
        detail = "、".join(strangers) or text
        raise BadInvocation(messages.CORRECT_BAD_TEAM.format(value=detail, team="、".join(team)))
    return badges


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
