"""The publicity workbook: sheets ``抽查计划``, ``抽查任务``, ``检查结果`` and ``公示统计``.

Each prints on A4 one page wide, its header row on every page; the page header names the plans (by
document number), the footer the ledger anchor the publication was made from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pandas as pd

from jcdraw import messages
from jcdraw.io.xlsx_print import PrintSetup
from jcdraw.io.xlsx_write import Column, ColumnKind, Sheet
from jcdraw.publicity.model import RESULT_FIELDS, TASK_FIELDS, Publicity
from jcdraw.results.progress import COUNT_FIELDS

# Long texts wrap in narrow columns, so a landscape page holds every column at a readable scale (about
# 65 % rather than 39 % with one line per cell); each row is then given the height of its longest text.
PRINT_WIDTHS = {
    "计划编号": 14,
    "计划名称": 24,
    "任务编号": 6,
    "任务名称": 16,
    "抽查类型": 10,
    "抽查事项": 30,
    "抽查对象范围": 16,
    "抽查机关": 16,
    "起止日期": 12,
    "企业名称": 18,
    "统一社会信用代码": 20,
    "检查实施机关": 20,
    "检查完成日期": 11,
    "检查事项": 20,
    "检查结果": 16,
    "更正说明": 16,
    "备注": 12,
    "处置结果": 12,
}
# Row heights need the per-cell writer (about 4x the CPU of the fast one, jcdraw.io._xlsx_rows): past
# this many results (no one prints them) the sheet keeps one line per row in wide columns instead.
WRAP_ROW_LIMIT = 5_000
WIDE_WIDTHS = {
    "计划名称": 40,
    "抽查事项": 60,
    "抽查对象范围": 24,
    "企业名称": 36,
    "统一社会信用代码": 22,
    "检查实施机关": 40,
    "检查事项": 50,
    "检查结果": 30,
    "更正说明": 50,
    "处置结果": 40,
}


def publicity_sheets(pub: Publicity) -> list[Sheet]:
    """The four sheets of the publicity workbook; ``pub.anchor``: the ledger anchor for the footers."""
    m = messages
    plans = Sheet(
        m.PUBLICITY_SHEET_PLANS,
        [Column(h) for h in m.PUBLICITY_PLAN_HEADERS],
        _rows(pub.plans, ["plan", "plan_name", "authority", "kind", "document_number"]),
    )
    kinds: dict[str, ColumnKind] = {"任务编号": "number", "检查完成日期": "date"}
    tasks = Sheet(
        m.PUBLICITY_SHEET_TASKS,
        _columns(m.PUBLICITY_TASK_HEADERS, PRINT_WIDTHS, kinds, wrap=True),
        _rows(pub.tasks, [f for f in TASK_FIELDS if f != "departments"]),
    )
    printable = len(pub.results) <= WRAP_ROW_LIMIT
    widths = PRINT_WIDTHS if printable else WIDE_WIDTHS
    results = Sheet(
        m.PUBLICITY_SHEET_RESULTS,
        _columns(m.PUBLICITY_RESULT_HEADERS, widths, kinds, wrap=printable),
        _rows(pub.results, RESULT_FIELDS),
    )
    stat_columns = [Column(h) for h in m.PUBLICITY_STATS_HEADERS]
    for column in stat_columns[3:8]:
        column.kind = "number"
    stat_columns[1].kind = "number"
    stat_columns[-2].kind = stat_columns[-1].kind = "percent"  # blank where undefined (nothing inspected)
    stats = Sheet(
        m.PUBLICITY_SHEET_STATS,
        stat_columns,
        _rows(pub.stats, COUNT_FIELDS),
    )
    sheets = [plans, tasks, results, stats]
    return [replace(sheet, print_setup=_print_setup(pub, sheet.name, pub.anchor)) for sheet in sheets]


def _print_setup(pub: Publicity, sheet: str, anchor: str) -> PrintSetup:
    named = [
        doc or name for doc, name in zip(pub.plans["document_number"], pub.plans["plan_name"], strict=True)
    ]
    # No date: a run that publishes nothing new keeps the workbook as it is (jcdraw.publicity.publish).
    header = messages.PRINT_HEADER_PUBLICITY.format(plans="、".join(dict.fromkeys(named)), sheet=sheet)
    return PrintSetup(header=header, footer_right=anchor)


def _columns(
    headers: list[str], widths: dict[str, int], kinds: dict[str, ColumnKind], *, wrap: bool
) -> list[Column]:
    """Columns by header: widths and kinds follow the header, wherever the column stands."""
    columns = [Column(h, width=widths.get(h), wrap=wrap) for h in headers]
    for column in columns:
        column.kind = kinds.get(column.header, column.kind)
    return columns


def _rows(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[object, ...]]:
    """The cells of ``columns``, row by row, as ``itertuples(index=False, name=None)`` gives them.

    Taken from plain object arrays: iterating pandas' ``str`` columns costs a Python call per cell,
    a quarter of a second for the 100,000 result rows.
    """
    return zip(*(frame[column].to_numpy(dtype=object) for column in columns), strict=True)
