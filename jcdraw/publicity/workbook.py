"""The publicity workbook: sheets ``抽查计划``, ``抽查任务``, ``检查结果`` and ``公示统计``."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from jcdraw import messages
from jcdraw.io.xlsx_write import Column, Sheet
from jcdraw.publicity.model import Publicity
from jcdraw.results.progress import COUNT_FIELDS


def publicity_sheets(pub: Publicity) -> list[Sheet]:
    """The four sheets of the publicity workbook."""
    m = messages
    plans = Sheet(
        m.PUBLICITY_SHEET_PLANS,
        [Column(h) for h in m.PUBLICITY_PLAN_HEADERS],
        _rows(pub.plans, ["plan", "plan_name", "authority", "kind", "document_number"]),
    )
    task_columns = [Column(h) for h in m.PUBLICITY_TASK_HEADERS]
    task_columns[0].kind = "number"
    tasks = Sheet(
        m.PUBLICITY_SHEET_TASKS,
        task_columns,
        _rows(pub.tasks, ["task", "task_name", "inspection_type", "authority", "ratio", "period", "mode"]),
    )
    widths = {
        "企业名称": 36,
        "统一社会信用代码": 22,
        "检查实施机关": 40,
        "检查事项": 50,
        "检查结果": 30,
        "更正说明": 50,
    }
    result_columns = [Column(h, width=widths.get(h)) for h in m.PUBLICITY_RESULT_HEADERS]
    result_columns[0].kind = "number"
    result_columns[5].kind = "date"
    results = Sheet(
        m.PUBLICITY_SHEET_RESULTS,
        result_columns,
        _rows(
            pub.results,
            ["task", "task_name", "name", "uscc", "departments", "completed", "item_text", "result", "note"],
        ),
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
    return [plans, tasks, results, stats]


def _rows(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[object, ...]]:
    """The cells of ``columns``, row by row, as ``itertuples(index=False, name=None)`` gives them.

    Taken from plain object arrays: iterating pandas' ``str`` columns costs a Python call per cell,
    a quarter of a second for the 100,000 result rows.
    """
    return zip(*(frame[column].to_numpy(dtype=object) for column in columns), strict=True)
