"""Publication progress per task, for people and for scheduled scripts (``jcdraw status``).

Specification
-------------
Sources
    The ledger says what was drawn (standing draws), recorded and published (publication records,
    with each result's deadline and whether it was on time). Results workbooks given with
    ``--results`` are only read: they tell which inspections are completed but not yet recorded.
    A workbook row counts as a completed item when it names an item of a standing draw's entity
    and its 检查日期 is a real date; status runs none of publish's other checks (publish does).
    What the ledger recorded wins over a workbook. ``plans`` (the year's plans) add a row for every
    task never drawn: the plan promises to inspect every task (全覆盖), so an undrawn task shows.

Counting (unit: the drawn entity; one row per task, its rounds added together)
    drawn, recorded, published, on_time, late
        as in ``jcdraw.results.progress``.
    inspected (已检查)
        every item of the entity has a 检查日期, in the ledger or in a workbook.
    publication_rate (公示率)
        published ÷ inspected, i.e. 已公示 ÷ (已公示 + 已检查未公示); null when nothing is inspected.
    completion_rate (完成率)
        published ÷ drawn; null for an undrawn task.
    deadline
        of an inspected, unpublished entity: the earliest deadline of its unpublished items, each the
        plan's n-th working day (20) strictly after the item's 检查日期.
    due_soon
        inspected, unpublished, and ``as_of <= deadline <=`` the 5th working day after ``as_of``.
    overdue
        inspected, unpublished, and ``deadline < as_of`` (publishing on the deadline is on time).
    uninspected (期满未检查)
        not inspected although the task period ended before ``as_of``.
    out_of_period (超出计划期限)
        inspected on a day outside the task period or before the draw: published all the same, and
        flagged.
    followups (待后续处置)
        recorded results in a category that needs follow-up with no follow-up done yet, with their
        age in days since the 检查日期 (``jcdraw.results.followup``).
    undrawn (未抽取)
        a task of ``plans`` with no standing draw; ``period_ended`` when its period ended before
        ``as_of``. A standing statement that the task's round had no eligible entity
        (``draw --record-empty``) is a draw of 0: drawn, not undrawn, and never a lapse.

A scheduled script runs ``jcdraw status --results …`` daily; ``needs_attention`` (exit code 1) holds
when anything is overdue, or a task's period has ended with drawn entities uninspected, or a task's
period has ended undrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import problems as P
from jcdraw.errors import BadPlan
from jcdraw.ledger import Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.load import load_plans
from jcdraw.plans.model import Plan
from jcdraw.results.followup import FOLLOWUP_ROW_FIELDS, followup_rows
from jcdraw.results.period import outside_plan
from jcdraw.results.progress import entity_progress, rates, task_counts
from jcdraw.results.sheet import read_results
from jcdraw.results.view import LedgerView, plan_of

__all__ = ["DUE_SOON_WORKDAYS", "StatusReport", "plain_records", "status"]

DUE_SOON_WORKDAYS = 5
TASK_FIELDS = [
    "plan", "task", "drawn", "recorded", "published", "on_time", "late",
    "due_soon", "overdue", "uninspected", "publication_rate",
    "inspected", "out_of_period", "completion_rate", "undrawn", "period_ended",
]  # fmt: skip
PENDING_FIELDS = ["plan", "task", "draw_id", "uscc", "name", "completed", "deadline", "state", "source"]
ENTITY_FIELDS = ["plan", "task", "draw_id", "uscc", "name", "day"]  # day: period end, or the odd 检查日期
OPEN_FOLLOWUP_FIELDS = [f for f in FOLLOWUP_ROW_FIELDS if f not in ("done", "approved_by", "open")]


@dataclass
class StatusReport:
    """Per-task counts (``tasks``), completed-but-unpublished entities (``pending``), reading notes."""

    as_of: date
    tasks: pd.DataFrame  # TASK_FIELDS + task_name, period_end
    pending: pd.DataFrame  # PENDING_FIELDS, overdue first, then by deadline
    notes: list[P.Problem] = field(default_factory=list)
    uninspected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ENTITY_FIELDS))
    out_of_period: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ENTITY_FIELDS))
    followups: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OPEN_FOLLOWUP_FIELDS))

    @property
    def overdue(self) -> int:
        return int(self.tasks["overdue"].sum()) if len(self.tasks) else 0

    @property
    def lapsed_tasks(self) -> pd.DataFrame:
        """Tasks whose period has ended with entities uninspected, or undrawn."""
        if self.tasks.empty:
            return self.tasks
        ended = self.tasks["period_ended"].astype(bool)
        return self.tasks[ended & (self.tasks["undrawn"].astype(bool) | self.tasks["uninspected"].gt(0))]

    @property
    def needs_attention(self) -> bool:
        """Anything overdue, or a task's period over with entities uninspected or nothing drawn."""
        return self.overdue > 0 or not self.lapsed_tasks.empty

    @property
    def due_soon(self) -> int:
        return int(self.tasks["due_soon"].sum()) if len(self.tasks) else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "tasks": plain_records(self.tasks, TASK_FIELDS),
            "followups": plain_records(self.followups, OPEN_FOLLOWUP_FIELDS),
        }


def plain_records(frame: pd.DataFrame, fields: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-ready dicts of ``fields``: numpy scalars as Python ones, NaN as None.

    Example:
        >>> plain_records(pd.DataFrame({"a": [1], "b": [float("nan")]}), ["a", "b"])
        [{'a': 1, 'b': None}]
    """
    return [
        {name: _plain(value) for name, value in zip(fields, row, strict=True)}
        for row in frame[list(fields)].itertuples(index=False, name=None)
    ]


def _plain(value: object) -> object:
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def status(
    ledger: Ledger,
    *,
    as_of: date,
    calendar: WorkdayCalendar,
    results: Sequence[Path] = (),
    plans: Sequence[Plan] = (),
) -> StatusReport:
    """Count progress per task as of ``as_of`` (see the module docstring)."""
    view = LedgerView.load(ledger)
    notes = P.ProblemList()
    expected = view.expected(view.standing_ids())
    if expected.empty:
        tasks = _with_undrawn(_empty_tasks(), plans, view, as_of)
        return StatusReport(as_of, tasks, pd.DataFrame(columns=PENDING_FIELDS))
    done = _completion_dates(view, expected, results, notes)
    entities = entity_progress(view)
    items = expected.assign(completed=expected["key"].map(done))
    items = items.assign(published=items["key"].isin(set(view.published["key"])))
    entities["completed"] = items["completed"].notna().groupby(items["entity"]).all()
    odd_days = _outside_period(items, view)
    entities["out_of_period"] = entities.index.isin(odd_days.index)
    entities = entities.join(_deadlines(view, items, entities, calendar))
    entities = _deadline_states(entities, as_of, calendar, view)
    tasks = _with_undrawn(_task_table(entities, view, as_of), plans, view, as_of)
    open_ = entities["completed"] & ~entities["published"].astype(bool)
    followups = followup_rows(view, as_of, view.standing_ids())
    return StatusReport(
        as_of, tasks, _pending(entities[open_], as_of), notes.finished(),
        _listed(entities[entities["uninspected"]], entities["draw_id"].map(view.draws["end"])),
        _listed(entities[entities["completed"] & entities["out_of_period"]], odd_days),
        followups[followups["open"].astype(bool)].reset_index(drop=True),
    )  # fmt: skip


def plans_to_show(ledger: Ledger, year: int | None, as_of: date) -> list[Plan]:
    """The plans whose tasks status lists: those of ``year``, else of every year with a standing draw
    and of ``as_of``'s year. A year without plan files contributes nothing (status still counts its
    draws), and a broken plan file is reported when it is used, not here."""
    years = {year} if year is not None else {d.year for d in _draw_years(ledger)} | {as_of.year}
    found: list[Plan] = []
    for wanted in sorted(years):
        try:
            found += load_plans(None, wanted)
        except BadPlan:
            continue
    return found


def _draw_years(ledger: Ledger) -> list[date]:
    return [date(int(r.payload["year"]), 1, 1) for r in ledger.draws() if "year" in r.payload]


def _deadline_states(
    entities: pd.DataFrame, as_of: date, calendar: WorkdayCalendar, view: LedgerView
) -> pd.DataFrame:
    """overdue, due_soon and uninspected flags per entity (see the module docstring)."""
    soon_limit = np.datetime64(calendar.deadline(as_of, DUE_SOON_WORKDAYS), "D")
    today = np.datetime64(as_of, "D")
    open_ = entities["completed"] & ~entities["published"].astype(bool)
    due = entities["deadline"].to_numpy(dtype="datetime64[D]")
    entities["overdue"] = open_.to_numpy() & (due < today)
    entities["due_soon"] = open_.to_numpy() & (due >= today) & (due <= soon_limit)
    ended = entities["draw_id"].map(view.draws["end"]).map(lambda end: end is not None and end < as_of)
    entities["uninspected"] = ~entities["completed"].astype(bool) & ended.astype(bool)
    return entities


def _outside_period(items: pd.DataFrame, view: LedgerView) -> pd.Series:
    """Entity → the first of its 检查日期 outside the task period or before the draw (entities with one)."""
    dated = items[items["completed"].notna()]
    odd = dated[outside_plan(dated["draw_id"], dated["completed"], view.draws)]
    return odd["completed"].map(date.fromisoformat).groupby(odd["entity"]).min()


def _listed(entities: pd.DataFrame, days: pd.Series) -> pd.DataFrame:
    """Entities as the report lists them, each with the day that explains why."""
    frame = entities.assign(day=days.reindex(entities.index).tolist())
    return frame[ENTITY_FIELDS].reset_index(drop=True)


def _completion_dates(
    view: LedgerView, expected: pd.DataFrame, paths: Sequence[Path], notes: P.ProblemList
) -> pd.Series:
    """Result key → ISO 检查日期: the ledger's, else the first workbook row's."""
    done = pd.Series(view.results["completed"].to_numpy(), index=view.results["key"].to_numpy(), dtype=object)
    wanted = set(expected["key"])
    for path in paths:
        found = read_results(path, notes)
        if found is None:
            continue
        rows = found.rows
        rows = rows[
            rows["date"].notna()
            & ~rows["date_bad"]
            & rows["key"].isin(wanted)
            & ~rows["key"].isin(done.index)
        ]
        rows = rows[~rows["key"].duplicated()]
        extra = pd.Series(
            rows["date"].map(date.isoformat).to_numpy(), index=rows["key"].to_numpy(), dtype=object
        )
        done = pd.concat([done, extra])
    return done[~done.index.duplicated()]


def _deadlines(
    view: LedgerView, items: pd.DataFrame, entities: pd.DataFrame, calendar: WorkdayCalendar
) -> pd.DataFrame:
    """Earliest deadline and 检查日期 of each completed entity's unpublished items (NaT elsewhere)."""
    complete = set(entities.index[entities["completed"].astype(bool)])
    open_items = items[items["entity"].isin(complete) & ~items["published"]]
    done = np.array(open_items["completed"].tolist(), dtype="datetime64[D]")
    due = np.full(len(open_items), np.datetime64("NaT"), dtype="datetime64[D]")
    for plan in open_items["plan"].unique():
        mine = (open_items["plan"] == plan).to_numpy()
        due[mine] = calendar.deadlines(done[mine], plan_of(view, str(plan)).publicity_deadline_workdays)
    frame = pd.DataFrame({"entity": open_items["entity"].to_numpy(), "deadline": due, "done": done})
    earliest = frame.groupby("entity").agg(deadline=("deadline", "min"), done=("done", "min"))
    return earliest.reindex(entities.index)


def _empty_tasks() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in [*TASK_FIELDS, "task_name", "period_end"]})


def _task_table(entities: pd.DataFrame, view: LedgerView, as_of: date) -> pd.DataFrame:
    counts = task_counts(entities, view)
    if counts.empty:
        return _empty_tasks()
    flags = ["due_soon", "overdue", "uninspected", "out_of_period", "completed"]
    extra = entities.groupby(["plan", "task"], sort=False)[flags].sum().astype(int)
    counts = counts.join(extra.rename(columns={"completed": "inspected"}), on=["plan", "task"])
    counts["publication_rate"] = rates(counts["published"], counts["inspected"])
    ends = view.draws.groupby(["plan", "task"])["end"].max()
    counts["period_end"] = [ends.get((p, t)) for p, t in zip(counts["plan"], counts["task"], strict=True)]
    counts["period_ended"] = [end is not None and end < as_of for end in counts["period_end"]]
    counts["undrawn"] = False
    return counts[[*TASK_FIELDS, "task_name", "period_end"]]


def _with_undrawn(tasks: pd.DataFrame, plans: Sequence[Plan], view: LedgerView, as_of: date) -> pd.DataFrame:
    """The drawn tasks, plus one row (zeros, ``undrawn``) for each task of ``plans`` never drawn: plans in
    the order of their first draw (undrawn plans after), tasks by number, then any other plan's tasks."""
    drawn = set(zip(tasks["plan"], tasks["task"], strict=True))
    # A standing statement that a round had no eligible entity counts as drawn, with 0 entities.
    standing = view.draws[view.draws["standing"]]
    empty_drawn = set(zip(standing["plan"], standing["task"], strict=True)) - drawn
    rows: list[dict[str, Any]] = []
    first_drawn = {plan: n for n, plan in enumerate(dict.fromkeys(view.draws.sort_values("order")["plan"]))}
    for plan in sorted(plans, key=lambda p: (first_drawn.get(p.id, len(first_drawn)), p.id)):
        for task in sorted(plan.tasks, key=lambda t: t.number):
            if (plan.id, task.number) in drawn:
                rows.append(dict(tasks[(tasks["plan"] == plan.id) & (tasks["task"] == task.number)].iloc[0]))
            else:
                empty = (plan.id, task.number) in empty_drawn
                end = task.period.end
                rows.append(_undrawn_row(plan.id, task.number, task.name, end, as_of, drawn=empty))
    listed = {(r["plan"], r["task"]) for r in rows}
    rows += [dict(r) for _, r in tasks.iterrows() if (r["plan"], r["task"]) not in listed]
    rows += [_empty_row(view, plan, task, as_of) for plan, task in sorted(empty_drawn - listed)]
    if not rows:
        return _empty_tasks()
    return pd.DataFrame(rows, columns=[*TASK_FIELDS, "task_name", "period_end"]).reset_index(drop=True)


def _undrawn_row(
    plan: str, task: int, name: str, end: date, as_of: date, *, drawn: bool = False
) -> dict[str, Any]:
    """A task with no entity drawn: never drawn (``undrawn``), or drawn with 0 (``drawn``: a standing
    statement that its round had no eligible entity), which is not a lapse."""
    zeros = dict.fromkeys(TASK_FIELDS, 0)
    return {
        **zeros, "plan": plan, "task": task, "task_name": name, "period_end": end,
        "publication_rate": None, "completion_rate": None, "undrawn": not drawn,
        "period_ended": end < as_of,
    }  # fmt: skip


def _empty_row(view: LedgerView, plan: str, task: int, as_of: date) -> dict[str, Any]:
    """A task drawn with 0 whose plan is not among those listed (another year's)."""
    draws = view.draws[(view.draws["plan"] == plan) & (view.draws["task"] == task)]
    end = draws["end"].max()
    return _undrawn_row(plan, task, str(draws["task_name"].iloc[-1]), end, as_of, drawn=True)


def _pending(open_entities: pd.DataFrame, as_of: date) -> pd.DataFrame:
    frame = open_entities.copy()
    frame["state"] = np.where(frame["overdue"], "overdue", np.where(frame["due_soon"], "due_soon", "waiting"))
    frame["source"] = np.where(frame["recorded"].astype(bool), "ledger", "workbook")
    frame["completed"] = [_to_date(d) for d in frame["done"]]
    frame["deadline"] = [_to_date(d) for d in frame["deadline"]]
    rank = frame["state"].map({"overdue": 0, "due_soon": 1, "waiting": 2})
    frame = frame.assign(rank=rank).sort_values(["rank", "deadline", "plan", "task"], kind="stable")
    return frame[PENDING_FIELDS].reset_index(drop=True)


def _to_date(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()
