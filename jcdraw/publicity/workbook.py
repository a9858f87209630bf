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


def publicity_sheets(pub: Publicity) -> list[Sheet]:
    """The four sheets of the publicity workbook; ``pub.anchor``: the ledger anchor for the footers."""
    m = messages
    plans = Sheet(
        m.PUBLICITY_SHEET_PLANS,
        [Column(h) for h in m.PUBLICITY_PLAN_HEADERS],
        _rows(pub.plans, ["plan", "plan_name", "authority", "kind", "document_number"]),
    )
    widths = {
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
    kinds: dict[str, ColumnKind] = {"任务编号": "number", "检查完成日期": "date"}
    tasks = Sheet(
        m.PUBLICITY_SHEET_TASKS,
        _columns(m.PUBLICITY_TASK_HEADERS, widths, kinds),
        _rows(pub.tasks, [f for f in TASK_FIELDS if f != "departments"]),
    )
    results = Sheet(
        m.PUBLICITY_SHEET_RESULTS,
        _columns(m.PUBLICITY_RESULT_HEADERS, widths, kinds),
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


def _columns(headers: list[str], widths: dict[str, int], kinds: dict[str, ColumnKind]) -> list[Column]:
    """Columns by header: widths and kinds follow the header, wherever the column stands."""
    columns = [Column(h, width=widths.get(h)) for h in headers]
    for column in columns:
        column.kind = kinds.get(column.header, column.kind)
    return columns


def _rows(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[object, ...]]:
    """The cells of ``columns``, row by row, as ``itertuples(index=False, name=None)`` gives them.

    Taken from plain object arrays: iterating pandas' ``str`` columns costs a Python call per cell,
    a quarter of a second for the 100,000 result rows.
    """
    return zip(*(frame[column].to_numpy(dtype=object) for column in columns), strict=True)
