"""Publication progress per task, for people and for scheduled scripts (``jcdraw status``).

Specification
-------------
Sources
    The ledger says what was drawn (standing draws), recorded and published (publication records,
    with each result's deadline and whether it was on time). Results workbooks given with
    ``--results`` are only read: they tell which inspections are completed but not yet recorded.
    A workbook row counts as a completed item when it names an item of a standing draw's entity
    and its 检查日期 is a real date; status runs none of publish's other checks (publish does).
    What the ledger recorded wins over a workbook.

Counting (unit: the drawn entity, exactly as in ``jcdraw.publish``)
    drawn, recorded, published, on_time, late, publication_rate
        as in ``jcdraw.publish`` (publication_rate = published / recorded, 1.0 when nothing is
        recorded).
    completed
        every item of the entity has a 检查日期 (in the ledger or in a workbook).
    deadline
        of a completed, unpublished entity: the earliest deadline of its unpublished items, each the
        plan's n-th working day (20) strictly after the item's 检查日期.
    due_soon
        completed, unpublished, and ``as_of <= deadline <= `` the 5th working day after ``as_of``.
    overdue
        completed, unpublished, and ``deadline < as_of`` (publishing on the deadline is on time).
    uninspected
        not completed although the task period ended before ``as_of``.

A scheduled script runs ``jcdraw status --results …`` daily; the exit code is 1 when anything is
overdue, so the task scheduler can flag the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import messages
from jcdraw import problems as P
from jcdraw.io.xlsx_write import BarChart, Column, Sheet, write_workbook
from jcdraw.ledger import Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.results.progress import entity_progress, task_counts
from jcdraw.results.sheet import read_results
from jcdraw.results.view import LedgerView, plan_of

__all__ = ["DUE_SOON_WORKDAYS", "StatusReport", "status", "write_status_report"]

DUE_SOON_WORKDAYS = 5
TASK_FIELDS = [
    "plan", "task", "drawn", "recorded", "published", "on_time", "late",
    "due_soon", "overdue", "uninspected", "publication_rate",
]  # fmt: skip
PENDING_FIELDS = ["plan", "task", "draw_id", "uscc", "name", "completed", "deadline", "state", "source"]


@dataclass
class StatusReport:
    """Per-task counts (``tasks``), completed-but-unpublished entities (``pending``), reading notes."""

    as_of: date
    tasks: pd.DataFrame  # TASK_FIELDS + task_name
    pending: pd.DataFrame  # PENDING_FIELDS, overdue first, then by deadline
    notes: list[P.Problem] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return int(self.tasks["overdue"].sum()) if len(self.tasks) else 0

    @property
    def due_soon(self) -> int:
        return int(self.tasks["due_soon"].sum()) if len(self.tasks) else 0

    def to_dict(self) -> dict[str, Any]:
        tasks = [
            {name: _plain(value) for name, value in zip(TASK_FIELDS, row, strict=True)}
            for row in self.tasks[TASK_FIELDS].itertuples(index=False, name=None)
        ]
        return {"as_of": self.as_of.isoformat(), "tasks": tasks}


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def status(
    ledger: Ledger, *, as_of: date, calendar: WorkdayCalendar, results: Sequence[Path] = ()
) -> StatusReport:
    """Count progress per task as of ``as_of`` (see the module docstring)."""
    view = LedgerView.load(ledger)
    notes = P.ProblemList()
    expected = view.expected(view.standing_ids())
    if expected.empty:
        empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in [*TASK_FIELDS, "task_name"]})
        return StatusReport(as_of, empty, pd.DataFrame(columns=PENDING_FIELDS))
    done = _completion_dates(view, expected, results, notes)
    entities = entity_progress(view)
    items = expected.assign(completed=expected["key"].map(done))
    items = items.assign(published=items["key"].isin(set(view.published["key"])))
    entities["completed"] = items["completed"].notna().groupby(items["entity"]).all()
    deadlines = _deadlines(view, items, entities, calendar)
    entities = entities.join(deadlines)
    soon_limit = np.datetime64(calendar.deadline(as_of, DUE_SOON_WORKDAYS), "D")
    today = np.datetime64(as_of, "D")
    open_ = entities["completed"] & ~entities["published"].astype(bool)
    due = entities["deadline"].to_numpy(dtype="datetime64[D]")
    entities["overdue"] = open_.to_numpy() & (due < today)
    entities["due_soon"] = open_.to_numpy() & (due >= today) & (due <= soon_limit)
    ended = entities["draw_id"].map(view.draws["end"]).map(lambda end: end is not None and end < as_of)
    entities["uninspected"] = ~entities["completed"].astype(bool) & ended.astype(bool)
    tasks = _task_table(entities, view)
    return StatusReport(as_of, tasks, _pending(entities[open_], as_of), notes.finished())


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


def _task_table(entities: pd.DataFrame, view: LedgerView) -> pd.DataFrame:
    counts = task_counts(entities, view)
    if counts.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in [*TASK_FIELDS, "task_name"]})
    extra = (
        entities.groupby(["plan", "task"], sort=False)[["due_soon", "overdue", "uninspected"]]
        .sum()
        .astype(int)
    )
    counts = counts.join(extra, on=["plan", "task"])
    return counts[[*TASK_FIELDS, "task_name"]]


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


# --- the report workbook --------------------------------------------------------------------------


def status_sheets(report: StatusReport) -> tuple[list[Sheet], list[BarChart]]:
    m = messages
    columns = [Column(h) for h in m.STATUS_HEADERS]
    for column in columns[2:3] + columns[4:12]:
        column.kind = "number"
    columns[-1].kind = "percent"
    fields = ["plan", "task", "task_name", "drawn", "recorded", "published", "on_time", "late"]
    fields += ["due_soon", "overdue", "uninspected", "publication_rate"]
    rows = [
        [m.STATUS_TASK_LABEL.format(plan=values[0], task=values[1]), *values]
        for values in report.tasks[fields].itertuples(index=False, name=None)
    ]
    progress = Sheet(m.STATUS_SHEET, columns, rows, title=m.STATUS_TITLE.format(as_of=report.as_of))
    pending_columns = [Column(h) for h in m.STATUS_PENDING_HEADERS]
    pending_columns[1].kind = "number"
    pending_columns[5].kind = pending_columns[6].kind = "date"
    pending_rows = [
        [p.plan, p.task, p.draw_id, p.uscc, p.name, p.completed, p.deadline,
         m.STATUS_STATES[str(p.state)], m.STATUS_SOURCES[str(p.source)]]
        for p in report.pending.itertuples()
    ]  # fmt: skip
    pending = Sheet(
        m.STATUS_PENDING_SHEET,
        pending_columns,
        pending_rows,
        title=m.STATUS_PENDING_TITLE.format(as_of=report.as_of),
    )
    chart = BarChart(
        sheet=m.STATUS_SHEET, categories_col=0, value_cols=[4, 5, 6], title=m.STATUS_CHART_TITLE,
        anchor=f"B{len(rows) + 5}", horizontal=True,
    )  # fmt: skip
    return [progress, pending], [chart]


def write_status_report(path: Path, report: StatusReport, *, force: bool = False) -> None:
    """The tables and a bar chart of per-task progress (drawn, recorded, published)."""
    sheets, charts = status_sheets(report)
    write_workbook(path, sheets, force=force, charts=charts)
