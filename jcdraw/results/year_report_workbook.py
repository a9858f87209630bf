"""The year report workbook (``jcdraw report``): one sheet per table of ``YearReport``, print-ready.

Sheets, in reading order: 年度概况, 任务完成情况, 发现率-风险类别, 发现率-任务, 发现率-检查事项, 检查结果类别,
部门, 执法人员, 结果更正, 后续处置, 抽中未检查. Every sheet prints on A4 (landscape where its columns are
wide, fit to one page wide, header repeated) with the ledger anchor in the footer; native bar charts
stand under the tables people would rather look at (tasks, risk classes, detection by task, result
categories, departments).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from jcdraw import messages
from jcdraw.io.xlsx_print import PrintSetup
from jcdraw.io.xlsx_write import BarChart, Column, ColumnKind, Sheet, write_workbook
from jcdraw.results.year_report import YearReport


def default_output(year: int) -> Path:
    return Path(messages.REPORT_DEFAULT_OUT.format(year=year))


def year_report_sheets(report: YearReport, anchor: str) -> tuple[list[Sheet], list[BarChart]]:
    m = messages
    d = report.detection
    build = _Builder(report, PrintSetup(footer_right=anchor))
    build.sheet(m.REPORT_SUMMARY_SHEET, m.REPORT_SUMMARY_HEADERS, _summary_rows(report), "tn")
    tasks_chart = (m.REPORT_TASKS_CHART, [4, 5, 6])
    build.sheet(
        m.REPORT_TASKS_SHEET, m.REPORT_TASKS_HEADERS, _task_rows(report), "ttntnnnnnnppt", tasks_chart
    )
    risk = _cells(d["by_risk_class"])
    build.sheet(m.REPORT_RISK_SHEET, m.REPORT_RISK_HEADERS, risk, "tnnnp", (m.REPORT_RISK_CHART, [4]))
    by_task = [[_label(row[0], row[1]), *row] for row in _cells(d["by_task"])]
    build.sheet(
        m.REPORT_BY_TASK_SHEET, m.REPORT_BY_TASK_HEADERS, by_task, "ttntnnp", (m.REPORT_BY_TASK_CHART, [6])
    )
    build.sheet(m.REPORT_BY_ITEM_SHEET, m.REPORT_BY_ITEM_HEADERS, _cells(d["by_item"]), "tnntnnp", wide=(3,))
    categories = _cells(report.categories)
    build.sheet(
        m.REPORT_CATEGORY_SHEET, m.REPORT_CATEGORY_HEADERS, categories, "tnnp", (m.REPORT_CATEGORY_CHART, [1])
    )
    departments = _cells(report.departments)
    department_chart = (m.REPORT_DEPARTMENT_CHART, [2, 3])
    build.sheet(
        m.REPORT_DEPARTMENT_SHEET, m.REPORT_DEPARTMENT_HEADERS, departments, "tnnnnn", department_chart
    )
    build.sheet(m.REPORT_INSPECTOR_SHEET, m.REPORT_INSPECTOR_HEADERS, _cells(report.inspectors), "tttnn")
    corrections = _cells(report.corrections, days=(10,))
    build.sheet(
        m.REPORT_CORRECTION_SHEET, m.REPORT_CORRECTION_HEADERS, corrections, "tttnttttttd", wide=(5, 6, 9)
    )
    followups = _followup_rows(report)
    build.sheet(m.REPORT_FOLLOWUP_SHEET, m.REPORT_FOLLOWUP_HEADERS, followups, "tnttttttdtddtnt", wide=(6, 9))
    never = _uninspected_rows(report)
    build.sheet(m.REPORT_UNINSPECTED_SHEET, m.REPORT_UNINSPECTED_HEADERS, never, "tnttttdt")
    return build.sheets, build.charts


_KINDS: dict[str, ColumnKind] = {"t": "text", "n": "number", "p": "percent", "d": "date"}


class _Builder:
    """Collects the sheets (all with one print setup and a title) and the charts under their tables."""

    def __init__(self, report: YearReport, setup: PrintSetup) -> None:
        self.report, self.setup = report, setup
        self.sheets: list[Sheet] = []
        self.charts: list[BarChart] = []

    def sheet(
        self,
        name: str,
        headers: Sequence[str],
        rows: list[list[object]],
        kinds: str,
        chart: tuple[str, list[int]] | None = None,
        *,
        wide: Sequence[int] = (),  # long texts: wider, wrapped
    ) -> None:
        columns = [
            Column(h, kind=_KINDS[k], width=40 if n in wide else None, wrap=n in wide)
            for n, (h, k) in enumerate(zip(headers, kinds, strict=True))
        ]
        title = messages.REPORT_TITLE.format(year=self.report.year, part=name, as_of=self.report.as_of)
        self.sheets.append(Sheet(name, columns, rows, title=title, print_setup=self.setup))
        if chart is not None and rows:
            chart_title, values = chart
            self.charts.append(BarChart(
                sheet=name, categories_col=0, value_cols=values, title=chart_title,
                anchor=f"B{len(rows) + 5}", horizontal=len(rows) > 6,
            ))  # fmt: skip


def _label(plan: object, task: object) -> str:
    return messages.REPORT_TASK_LABEL.format(plan=plan, task=task)


def _cells(frame: pd.DataFrame, days: Sequence[int] = ()) -> list[list[object]]:
    """The frame's rows as cells: NaN blank, the ISO texts of the ``days`` columns as dates."""
    return [
        [_day(v) if n in days else (None if _missing(v) else v) for n, v in enumerate(row)]
        for row in frame.itertuples(index=False, name=None)
    ]


def _day(value: object) -> object:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _summary_rows(report: YearReport) -> list[list[object]]:
    rows: list[list[object]] = []
    for name, label in messages.REPORT_TOTALS.items():
        value = report.totals[name]
        rows.append([label, f"{value:.1%}" if name == "rate" and value is not None else value])
    return rows


def _task_rows(report: YearReport) -> list[list[object]]:
    fields = ["plan", "task", "task_name", "drawn", "inspected", "published", "on_time", "late"]
    fields += ["uninspected", "publication_rate", "completion_rate"]
    rows = []
    for *values, undrawn, ended in report.tasks[[*fields, "undrawn", "period_ended"]].itertuples(
        index=False, name=None
    ):
        state = None
        if undrawn:
            state = messages.STATUS_UNDRAWN_ENDED if ended else messages.STATUS_UNDRAWN
        cells = [None if _missing(v) else v for v in values]
        rows.append([_label(values[0], values[1]), *cells, state])
    return rows


def _followup_rows(report: YearReport) -> list[list[object]]:
    fields = ["plan", "task", "draw_id", "uscc", "name", "item", "item_text", "result", "completed", "action"]
    fields += ["action_date", "done", "approved_by", "age_days"]
    rows = _cells(report.followups[fields], days=(8, 10, 11))
    states = [messages.REPORT_FOLLOWUP_STATES[bool(v)] for v in report.followups["open"]]
    return [[*row, state] for row, state in zip(rows, states, strict=True)]


def _uninspected_rows(report: YearReport) -> list[list[object]]:
    fields = ["plan", "task", "draw_id", "uscc", "name", "risk_class", "period_end"]
    return [
        [*values, messages.REPORT_UNINSPECTED_STATES[bool(ended)]]
        for *values, ended in report.uninspected[[*fields, "period_ended"]].itertuples(index=False, name=None)
    ]


def write_year_report(path: Path, report: YearReport, anchor: str, *, force: bool = False) -> None:
    sheets, charts = year_report_sheets(report, anchor)
    write_workbook(path, sheets, force=force, charts=charts)
