"""What is published: every result published so far for the plans involved, with approved
corrections applied and explained in ``更正说明``. It never holds risk classes, inspectors' names,
badge numbers or phones.

As the national system shows them, every task and result row names its plan (计划编号, 计划名称:
two plans both have a task 2) and its 抽查类型 (定向抽查 / 不定向抽查, from the task's ``sampling``
in the plan); a task also shows its 抽查事项 and 抽查对象范围 (the plan's ``scope_text``). A result
dated outside its task period or before its draw is published with 备注 超出计划期限
(``jcdraw.results.period``), and one published by a backfilled publication with 补录 and the day
it was really recorded (``jcdraw.results.backfill``). A correction of the 检查结果 or the 检查日期
is explained; one of the inspectors alone is not public and adds nothing. Where a follow-up of a
finding is recorded (``jcdraw followup``), 处置结果 shows its newest action, and the day it was done
or that it is still under way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import messages
from jcdraw.io.normalize import map_distinct
from jcdraw.plans.categories import result_text
from jcdraw.plans.model import Plan, Task
from jcdraw.publicity.lists import drawn_lists
from jcdraw.results.period import outside_plan
from jcdraw.results.progress import entity_progress, task_counts
from jcdraw.results.view import LedgerView, plan_of


@dataclass
class Publicity:
    """Everything published so far for some plans, ready to render (no risk class, no inspector)."""

    as_of: date
    plans: pd.DataFrame  # PLAN_FIELDS
    tasks: pd.DataFrame  # TASK_FIELDS
    results: pd.DataFrame  # RESULT_FIELDS and RESULT_KEYS
    stats: pd.DataFrame  # task_counts() of the plans
    # The 抽查名单 of the standing draws (publicity.lists), when the page is to show them.
    lists: pd.DataFrame | None = None
    # The ledger anchor (Anchor.text) as of what is shown, printed in the footers; "" prints none.
    anchor: str = ""


PLAN_FIELDS = ["plan", "plan_name", "authority", "kind", "document_number", "year"]
TASK_FIELDS = [
    "plan", "plan_name", "task", "task_name", "inspection_type", "items", "scope",
    "authority", "ratio", "period", "mode", "departments",
]  # fmt: skip
RESULT_FIELDS = [
    "plan", "plan_name", "task", "task_name", "inspection_type", "name", "uscc", "departments",
    "completed", "item_text", "result", "note", "remark", "followup",
]  # fmt: skip
# What identifies a result (the platform export needs them; the workbook and page do not show them).
RESULT_KEYS = ["draw_id", "item", "key"]


def build_publicity(
    view: LedgerView, plans: list[str], as_of: date, *, with_lists: bool = False, anchor: str = ""
) -> Publicity:
    plan_objects = {plan_id: plan_of(view, plan_id) for plan_id in plans}
    plan_rows = pd.DataFrame(
        [
            {
                "plan": p.id,
                "plan_name": p.name,
                "authority": p.issuing_authority,
                "kind": p.kind,
                "document_number": p.document_number,
                "year": p.year,
            }
            for p in plan_objects.values()
        ],
        columns=PLAN_FIELDS,
    )
    stats = task_counts(entity_progress(view, plans), view)
    task_rows = _task_rows(view, plan_objects)
    lists = drawn_lists(view, plans) if with_lists else None
    results = _public_results(view, plans, task_rows)
    return Publicity(as_of, plan_rows, task_rows, results, stats, lists, anchor)


def _task_rows(view: LedgerView, plans: Mapping[str, Plan]) -> pd.DataFrame:
    rows = []
    draws = view.draws[view.draws["plan"].isin(list(plans))]
    for plan_id, plan in plans.items():
        numbers = sorted(set(draws.loc[draws["plan"] == plan_id, "task"]))
        for number in numbers:
            task = plan.task(int(number))
            rows.append(_task_row(plan, task, _departments(view, plan_id, task)))
    return pd.DataFrame(rows, columns=TASK_FIELDS)


def _task_row(plan: Plan, task: Task, departments: list[str]) -> dict[str, Any]:
    return {
        "plan": plan.id,
        "plan_name": plan.name,
        "task": task.number,
        "task_name": task.name,
        "inspection_type": messages.PUBLICITY_SAMPLING[task.sampling],
        "items": items_text(task.items),
        "scope": task.scope_text or "、".join(task.scope),
        "authority": "、".join(task.lead_departments),
        "ratio": f"{float(task.ratio):.0%}",
        "period": messages.PUBLICITY_PERIOD.format(start=task.period.start, end=task.period.end),
        "mode": task.mode or messages.PUBLICITY_NO_MODE,
        "departments": "、".join(departments),
    }


def items_text(items: Sequence[str]) -> str:
    """A task's 抽查事项 as one cell: numbered when there are several.

    Example:
        >>> items_text(["外商投资信息报告的检查"]), items_text(["甲的检查", "乙的检查"])
        ('外商投资信息报告的检查', '1. 甲的检查；2. 乙的检查')
    """
    if len(items) == 1:
        return items[0]
    numbered = (messages.PUBLICITY_ITEM.format(number=n, item=item) for n, item in enumerate(items, 1))
    return messages.PUBLICITY_ITEMS_JOIN.join(numbered)


def _departments(view: LedgerView, plan_id: str, task: Task) -> list[str]:
    """The draw's recorded lead + partner departments, else the plan's."""
    draws = view.draws[(view.draws["plan"] == plan_id) & (view.draws["task"] == task.number)]
    for draw_id in reversed(list(draws.sort_values("order").index)):
        recorded = view.payloads[str(draw_id)].get("departments")
        if recorded:
            return [str(d) for d in recorded]
    return task.departments


def _remark(outside: bool, recorded_on: object) -> str | None:
    """备注: 超出计划期限 and/or 补录 with the real recording date, "；"-joined; None when neither."""
    parts = [messages.PUBLICITY_OUT_OF_PERIOD] if outside else []
    if isinstance(recorded_on, str) and recorded_on:
        parts.append(messages.BACKFILL_REMARK.format(recorded_on=recorded_on))
    return "；".join(parts) or None


def _remarks(outside: np.ndarray, recorded_on: np.ndarray) -> list[str | None]:
    """``_remark`` of each row, worked out once per distinct pair (rows repeat a few)."""
    days, distinct_days = pd.factorize(recorded_on)  # a missing day gets -1
    pairs, inverse = np.unique((days + 1) * 2 + outside.astype(int), return_inverse=True)
    texts = [_remark(bool(pair % 2), distinct_days[pair // 2 - 1] if pair // 2 else None) for pair in pairs]
    shown: list[str | None] = np.array(texts, dtype=object)[inverse.reshape(-1)].tolist()
    return shown


def _public_results(view: LedgerView, plans: list[str], tasks: pd.DataFrame) -> pd.DataFrame:
    columns = [*RESULT_FIELDS, *RESULT_KEYS]
    draw_ids = list(view.draws[view.draws["plan"].isin(plans)].sort_values("order").index)
    expected = view.expected(draw_ids)
    public = view.results[view.results["key"].isin(view.published["key"])]
    rows = expected.merge(public[["key", "result", "completed", "corrections"]], on="key", how="inner")
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    order = pd.Series(range(len(draw_ids)), index=draw_ids)
    rows["draw_order"] = rows["draw_id"].map(order)
    rows["item_no"] = rows["item"].astype(int)
    plan_rank = {plan: i for i, plan in enumerate(plans)}
    rows["plan_rank"] = rows["plan"].map(plan_rank)
    rows = rows.sort_values(["plan_rank", "task", "draw_order", "entity_order", "item_no"], kind="stable")
    # A task's name and departments, a date's value and a note are worked out once per distinct
    # task, date and correction list, not once per row.
    plan_codes, plan_ids = pd.factorize(rows["plan"].to_numpy(dtype=object))
    task_codes, numbers = pd.factorize(rows["task"].to_numpy())
    distinct, codes = np.unique(plan_codes * len(numbers) + task_codes, return_inverse=True)
    pairs = [(plan_ids[c // len(numbers)], numbers[c % len(numbers)]) for c in distinct]
    codes = codes.reshape(-1)
    for name in ("plan_name", "task_name", "inspection_type", "departments"):
        by_task = dict(zip(zip(tasks["plan"], tasks["task"], strict=True), tasks[name], strict=True))
        rows[name] = np.array([str(by_task.get(pair, "")) for pair in pairs], dtype=object)[codes].tolist()
    outside = outside_plan(rows["draw_id"], rows["completed"], view.draws).to_numpy()
    backfilled = rows["key"].map(view.published.set_index("key")["recorded_on"]).to_numpy(dtype=object)
    rows["remark"] = _remarks(outside, backfilled)
    rows["completed"] = map_distinct(rows["completed"], date.fromisoformat)
    corrections = rows["corrections"].to_numpy(dtype=object)
    corrected = np.flatnonzero(rows["corrections"].map(len).to_numpy() > 0)
    notes: list[str | None] = [None] * len(rows)
    for at in corrected:
        notes[at] = correction_note(corrections[at])
    rows["note"] = notes
    rows["followup"] = rows["key"].map(followup_texts(view.followups)).astype(object)
    rows["followup"] = rows["followup"].where(rows["followup"].notna(), None)
    return rows[columns].reset_index(drop=True)


def followup_texts(followups: pd.DataFrame) -> dict[str, str]:
    """Result key → its 处置结果: the newest action, done on a day or still under way.

    Example:
        >>> frame = pd.DataFrame({"key": ["k1", "k2"], "action": ["已复查", "责令改正"],
        ...                       "done": ["2024-12-01", None]})
        >>> followup_texts(frame)
        {'k1': '已复查（2024-12-01 办结）', 'k2': '责令改正（处置中）'}
    """
    m = messages
    return {
        key: m.PUBLICITY_FOLLOWUP_DONE.format(action=action, done=done)
        if isinstance(done, str)
        else m.PUBLICITY_FOLLOWUP_OPEN.format(action=action)
        for key, action, done in zip(followups["key"], followups["action"], followups["done"], strict=True)
    }


def correction_note(corrections: Sequence[Mapping[str, Any]]) -> str | None:
    """The 更正说明 of a result: one line per public correction, oldest first.

    A correction of the 检查结果 or the 检查日期 is public and names the old value; one of the
    inspectors only is not (the publicity names no inspector), so it adds no line.

    Example:
        >>> correction_note([{"corrected_on": "2024-10-08", "approved_by": "张三",
        ...                   "approval_ref": "晋市商〔2024〕12号", "old": {"result": ["未发现问题"]},
        ...                   "reason": "录入错误"}])
        '2024-10-08 经 张三 批准（晋市商〔2024〕12号）更正，原结果：未发现问题；原因：录入错误'
        >>> correction_note([{"corrected_on": "2024-10-08", "approved_by": "张三", "approval_ref": "12号",
        ...                   "old": {"completed": "2024-09-02", "badges": ["1", "2"]}, "reason": "笔误"}])
        '2024-10-08 经 张三 批准（12号）更正，原检查日期：2024-09-02；原因：笔误'
        >>> correction_note([{"old": {"badges": ["1", "2"]}}]) is None
        True
    """
    lines = []
    for c in corrections:
        old = c.get("old", {})
        shown = [
            template.format(old=result_text(old[name]) if isinstance(old[name], list) else old[name])
            for name, template in messages.PUBLICITY_CORRECTION_OLD.items()
            if name in old
        ]
        if shown:
            lines.append(
                messages.PUBLICITY_CORRECTION_NOTE.format(
                    date=c.get("corrected_on", ""),
                    approver=c.get("approved_by", ""),
                    ref=c.get("approval_ref", ""),
                    old=messages.PUBLICITY_CORRECTION_OLD_JOIN.join(shown),
                    reason=c.get("reason", ""),
                )
            )
    return "\n".join(lines) or None


def is_public(correction: Mapping[str, Any]) -> bool:
    """Whether the publicity shows ``correction``: it changed the 检查结果 or the 检查日期."""
    return any(name in correction.get("old", {}) for name in messages.PUBLICITY_CORRECTION_OLD)
