"""Follow-up (后续处置) of findings: what was done about a result that needs it, until it is done.

Specification
-------------
Which results need follow-up
    A recorded result whose current value (corrections applied) holds a category listed under
    ``follow_up`` in ``result_categories.yaml`` (发现问题已责令改正, 发现问题待后续处理).
Recording (``jcdraw followup``)
    One ``followup`` ledger record per call, keyed as the result (``jcdraw.ledger.chain``), checked
    and appended in one ledger transaction (dates come parsed: the CLI refuses text that is no date).
    Unusable (exit 2): an empty action, an unknown draw, an entity the draw did not draw, an item
    number the task does not have.
    Refused (exit 1): no result recorded for the row yet, a result in no follow-up category, an
    action dated before the 检查日期 or after ``as_of``, ``done`` before the action or after
    ``as_of``, or a follow-up already done.
Open, age
    A result needing follow-up is open until a follow-up record says ``done``. Its age is the number
    of days from its 检查日期 to ``as_of`` while open, to ``done`` once done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import messages
from jcdraw.errors import BadInvocation, InputProblems, LedgerError
from jcdraw.io.text import normalize_key_one
from jcdraw.ledger import Ledger, result_key
from jcdraw.plans.categories import ResultCategories, load_result_categories
from jcdraw.results.view import LedgerView

FOLLOWUP_ROW_FIELDS = [
    "plan", "task", "draw_id", "uscc", "name", "item", "item_text", "result", "completed",
    "action", "action_date", "done", "approved_by", "age_days", "open",
]  # fmt: skip


@dataclass(frozen=True)
class FollowupOutcome:
    """What one ``followup`` call recorded."""

    draw_id: str
    uscc: str
    item: int
    result: str
    action: str
    on: date  # the action's day
    done: date | None
    age_days: int  # from the 检查日期 to ``done``, or to ``as_of`` while open


def record_followup(
    ledger: Ledger,
    *,
    draw_id: str,
    uscc: str,
    item: int,
    action: str,
    on: date,
    as_of: date,
    done: date | None = None,
    approved_by: str | None = None,
    categories: ResultCategories | None = None,
) -> FollowupOutcome:
    """Record what was done on ``on`` about one result needing follow-up (see the module docstring)."""
    text = action.strip()
    if not text:
        raise BadInvocation(messages.FOLLOWUP_ACTION_EMPTY)
    day, finished = on, done
    draw_id, code = draw_id.strip(), normalize_key_one(uscc) or ""
    config = categories or load_result_categories()
    where = {"draw_id": draw_id, "uscc": code, "item": item}
    with ledger.writing() as w:
        _check_row(ledger, draw_id, code, item)
        current = ledger.result_for(draw_id, code, str(item))
        if current is None:
            raise InputProblems(messages.FOLLOWUP_NO_RESULT.format(**where))
        result = "、".join(current.get("result", []))
        if not set(current.get("result", [])) & config.follow_up:
            choices = "、".join(c for c in config.categories if c in config.follow_up)
            raise InputProblems(messages.FOLLOWUP_NOT_NEEDED.format(**where, result=result, choices=choices))
        inspected = date.fromisoformat(str(current["completed"]))
        _check_dates(day, finished, inspected, as_of)
        key = result_key(draw_id, code, str(item))
        earlier = ledger.records("followup", key)
        closed = next((r.payload["done"] for r in earlier if r.payload.get("done")), None)
        if closed is not None:
            raise InputProblems(messages.FOLLOWUP_ALREADY_DONE.format(**where, done=closed))
        payload: dict[str, Any] = {
            "draw_id": draw_id, "uscc": code, "item": str(item), "action": text,
            "date": day.isoformat(), "recorded_on": as_of.isoformat(),
        }  # fmt: skip
        if finished is not None:
            payload["done"] = finished.isoformat()
        if approved_by is not None and approved_by.strip():
            payload["approved_by"] = approved_by.strip()
        w.append("followup", key, payload)
    age = ((finished or as_of) - inspected).days
    return FollowupOutcome(draw_id, code, item, result, text, day, finished, age)


def _check_row(ledger: Ledger, draw_id: str, code: str, item: int) -> None:
    """The draw exists, drew the entity, and its task has item number ``item`` (else exit 2)."""
    draw = ledger.get_draw(draw_id)
    if draw is None:
        raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
    drawn = {normalize_key_one(s["uscc"]) for s in draw.payload.get("selected", [])}
    if code not in drawn:
        raise BadInvocation(messages.FOLLOWUP_NOT_DRAWN.format(draw_id=draw_id, uscc=code))
    count = len(draw.payload.get("items", []))
    if not 1 <= item <= count:
        raise BadInvocation(messages.CORRECT_ITEM_RANGE.format(draw_id=draw_id, count=count, item=item))


def _check_dates(day: date, done: date | None, inspected: date, as_of: date) -> None:
    if day < inspected:
        raise InputProblems(messages.FOLLOWUP_BEFORE_INSPECTION.format(date=day, inspected=inspected))
    for option, value in (("--date", day), ("--done", done)):
        if value is not None and value > as_of:
            raise InputProblems(messages.FOLLOWUP_FUTURE.format(option=option, value=value, as_of=as_of))
    if done is not None and done < day:
        raise InputProblems(messages.FOLLOWUP_DONE_BEFORE.format(done=done, date=day))


def followup_rows(
    view: LedgerView, as_of: date, draw_ids: Iterable[str], categories: ResultCategories | None = None
) -> pd.DataFrame:
    """Every recorded result of ``draw_ids`` needing follow-up (``FOLLOWUP_ROW_FIELDS``), open ones
    first, then the oldest first."""
    expected = view.expected(draw_ids)
    rows = expected.merge(view.results[["key", "result", "completed"]], on="key", how="inner")
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in FOLLOWUP_ROW_FIELDS})
    config = categories or load_result_categories()
    rows = rows[config.any_of(rows["result"], config.follow_up).to_numpy()]
    rows = rows.merge(view.followups, on="key", how="left").rename(columns={"date": "action_date"})
    rows = rows.astype({"action": object, "action_date": object, "done": object, "approved_by": object})
    rows = rows.where(rows.notna(), None)
    inspected = pd.to_datetime(rows["completed"]).to_numpy(dtype="datetime64[D]")
    until = np.array([d or as_of.isoformat() for d in rows["done"]], dtype="datetime64[D]")
    rows["age_days"] = (until - inspected).astype(int)
    rows["open"] = rows["done"].isna()
    rows["item"] = rows["item"].astype(int)
    rows = rows.sort_values(["open", "age_days"], ascending=[False, False], kind="stable")
    return rows[FOLLOWUP_ROW_FIELDS].reset_index(drop=True)
