"""The status report workbook (``jcdraw status --report``): progress, what waits for publication,
what the period left uninspected or undrawn, and inspections dated outside the period."""

from __future__ import annotations

from pathlib import Path

from jcdraw import messages
from jcdraw.io.xlsx_anchor import anchored
from jcdraw.io.xlsx_write import BarChart, Column, Sheet, write_workbook
from jcdraw.results.status import StatusReport


def status_sheets(report: StatusReport) -> tuple[list[Sheet], list[BarChart]]:
    m = messages
    columns = [Column(h) for h in m.STATUS_HEADERS]
    for column in columns[2:3] + columns[4:12] + columns[13:15]:
        column.kind = "number"
    columns[12].kind = columns[15].kind = "percent"
    fields = ["plan", "task", "task_name", "drawn", "recorded", "published", "on_time", "late"]
    fields += ["due_soon", "overdue", "uninspected", "publication_rate", "inspected", "out_of_period"]
    fields += ["completion_rate"]
    rows = [
        [m.STATUS_TASK_LABEL.format(plan=values[0], task=values[1]), *values, _state(undrawn, ended)]
        for *values, undrawn, ended in report.tasks[[*fields, "undrawn", "period_ended"]].itertuples(
            index=False, name=None
        )
    ]
    progress = Sheet(m.STATUS_SHEET, columns, rows, title=m.STATUS_TITLE.format(as_of=report.as_of))
    chart = BarChart(
        sheet=m.STATUS_SHEET, categories_col=0, value_cols=[4, 5, 6], title=m.STATUS_CHART_TITLE,
        anchor=f"B{len(rows) + 5}", horizontal=True,
    )  # fmt: skip
    sheets = [progress, _pending_sheet(report), _lapsed_sheet(report), _odd_dates_sheet(report)]
    return sheets, [chart]


def _state(undrawn: object, ended: object) -> str | None:
    if undrawn:
        return messages.STATUS_UNDRAWN_ENDED if ended else messages.STATUS_UNDRAWN
    return None


def _pending_sheet(report: StatusReport) -> Sheet:
    m = messages
    columns = [Column(h) for h in m.STATUS_PENDING_HEADERS]
    columns[1].kind = "number"
    columns[5].kind = columns[6].kind = "date"
    rows = [
        [p.plan, p.task, p.draw_id, p.uscc, p.name, p.completed, p.deadline,
         m.STATUS_STATES[str(p.state)], m.STATUS_SOURCES[str(p.source)]]
        for p in report.pending.itertuples()
    ]  # fmt: skip
    title = m.STATUS_PENDING_TITLE.format(as_of=report.as_of)
    return Sheet(m.STATUS_PENDING_SHEET, columns, rows, title=title)


def _lapsed_sheet(report: StatusReport) -> Sheet:
    """Entities drawn but not inspected when their task's period ended, and tasks never drawn."""
    m = messages
    columns = [Column(h) for h in m.STATUS_LAPSED_HEADERS]
    columns[1].kind, columns[5].kind = "number", "date"
    rows: list[list[object]] = [
        [e.plan, e.task, e.draw_id, e.uscc, e.name, e.day, m.STATUS_LAPSED_UNINSPECTED]
        for e in report.uninspected.itertuples()
    ]
    lapsed = report.lapsed_tasks
    rows += [
        [t.plan, t.task, "", "", t.task_name, t.period_end, m.STATUS_UNDRAWN_ENDED]
        for t in lapsed[lapsed["undrawn"].astype(bool)].itertuples()
    ]
    return Sheet(m.STATUS_LAPSED_SHEET, columns, rows, title=m.STATUS_LAPSED_TITLE.format(as_of=report.as_of))


def _odd_dates_sheet(report: StatusReport) -> Sheet:
    m = messages
    columns = [Column(h) for h in m.STATUS_ODD_DATES_HEADERS]
    columns[1].kind, columns[5].kind = "number", "date"
    rows = [[e.plan, e.task, e.draw_id, e.uscc, e.name, e.day] for e in report.out_of_period.itertuples()]
    title = m.STATUS_ODD_DATES_TITLE.format(as_of=report.as_of)
    return Sheet(m.STATUS_ODD_DATES_SHEET, columns, rows, title=title)


def write_status_report(path: Path, report: StatusReport, *, force: bool = False, anchor: str = "") -> None:
    """The tables and a bar chart of per-task progress (drawn, recorded, published).

    ``anchor``: the ledger anchor the report was counted from, printed in every footer.
    """
    sheets, charts = status_sheets(report)
    write_workbook(path, anchored(sheets, anchor) if anchor else sheets, force=force, charts=charts)
