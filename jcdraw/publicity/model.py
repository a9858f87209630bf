"""What is published: every result published so far for the plans involved, with approved
corrections applied and explained in ``更正说明``. It never holds risk classes, inspectors' names,
badge numbers or phones.
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
from jcdraw.results.progress import entity_progress, task_counts
from jcdraw.results.view import LedgerView, plan_of


@dataclass
class Publicity:
    """Everything published so far for some plans, ready to render (no risk class, no inspector)."""

    as_of: date
    plans: pd.DataFrame  # plan, plan_name, authority, kind, document_number
    tasks: pd.DataFrame  # plan, task, task_name, inspection_type, authority, ratio, period, mode, departments
    # plan, task, task_name, name, uscc, departments, completed, item_text, result, note; draw_id, item, key
    results: pd.DataFrame
    stats: pd.DataFrame  # task_counts() of the plans
    # The 抽查名单 of the standing draws (publicity.lists), when the page is to show them.
    lists: pd.DataFrame | None = None


def build_publicity(
    view: LedgerView, plans: list[str], as_of: date, *, with_lists: bool = False
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
            }
            for p in plan_objects.values()
        ],
        columns=["plan", "plan_name", "authority", "kind", "document_number"],
    )
    stats = task_counts(entity_progress(view, plans), view)
    task_rows = _task_rows(view, plan_objects)
    lists = drawn_lists(view, plans) if with_lists else None
    return Publicity(as_of, plan_rows, task_rows, _public_results(view, plans, task_rows), stats, lists)


def _task_rows(view: LedgerView, plans: Mapping[str, Plan]) -> pd.DataFrame:
    columns = [
        "plan",
        "task",
        "task_name",
        "inspection_type",
        "authority",
        "ratio",
        "period",
        "mode",
        "departments",
    ]
    rows = []
    draws = view.draws[view.draws["plan"].isin(list(plans))]
    for plan_id, plan in plans.items():
        numbers = sorted(set(draws.loc[draws["plan"] == plan_id, "task"]))
        for number in numbers:
            task = plan.task(int(number))
            rows.append(_task_row(plan_id, task, _departments(view, plan_id, task)))
    return pd.DataFrame(rows, columns=columns)


def _task_row(plan_id: str, task: Task, departments: list[str]) -> dict[str, Any]:
    return {
        "plan": plan_id,
        "task": task.number,
        "task_name": task.name,
        "inspection_type": messages.PUBLICITY_INSPECTION_TYPE.format(sampling=task.sampling),
        "authority": "、".join(task.lead_departments),
        "ratio": f"{float(task.ratio):.0%}",
        "period": messages.PUBLICITY_PERIOD.format(start=task.period.start, end=task.period.end),
        "mode": task.mode or messages.PUBLICITY_NO_MODE,
        "departments": "、".join(departments),
    }


def _departments(view: LedgerView, plan_id: str, task: Task) -> list[str]:
    """The draw's recorded lead + partner departments, else the plan's."""
    draws = view.draws[(view.draws["plan"] == plan_id) & (view.draws["task"] == task.number)]
    for draw_id in reversed(list(draws.sort_values("order").index)):
        recorded = view.payloads[str(draw_id)].get("departments")
        if recorded:
            return [str(d) for d in recorded]
    return task.departments


def _public_results(view: LedgerView, plans: list[str], tasks: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "plan",
        "task",
        "task_name",
        "name",
        "uscc",
        "departments",
        "completed",
        "item_text",
        "result",
        "note",
        "draw_id",  # the rest identify the result (platform export), the workbook and page do not show them
        "item",
        "key",
    ]
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
    for name in ("task_name", "departments"):
        by_task = dict(zip(zip(tasks["plan"], tasks["task"], strict=True), tasks[name], strict=True))
        rows[name] = np.array([str(by_task.get(pair, "")) for pair in pairs], dtype=object)[codes].tolist()
    rows["completed"] = map_distinct(rows["completed"], date.fromisoformat)
    corrections = rows["corrections"].to_numpy(dtype=object)
    corrected = np.flatnonzero(rows["corrections"].map(len).to_numpy() > 0)
    notes: list[str | None] = [None] * len(rows)
    for at in corrected:
        notes[at] = correction_note(corrections[at])
    rows["note"] = notes
    return rows[columns].reset_index(drop=True)


def correction_note(corrections: Sequence[Mapping[str, Any]]) -> str | None:
    """The 更正说明 of a result: one line per approved correction, oldest first.

    Example:
        >>> correction_note([{"corrected_on": "2024-10-08", "approved_by": "张三",
        ...                   "approval_ref": "晋市商〔2024〕12号", "old": {"result": ["未发现问题"]},
        ...                   "reason": "录入错误"}])
        '2024-10-08 经 张三 批准（晋市商〔2024〕12号）更正，原结果：未发现问题；原因：录入错误'
    """
    if not corrections:
        return None
    return "\n".join(
        messages.PUBLICITY_CORRECTION_NOTE.format(
            date=c.get("corrected_on", ""),
            approver=c.get("approved_by", ""),
            ref=c.get("approval_ref", ""),
            old=result_text(c.get("old", {}).get("result", [])),
            reason=c.get("reason", ""),
        )
        for c in corrections
    )
