"""Reading a filled ``检查结果`` sheet into normalised columns (no checks; see ``jcdraw.results.check``).

Input
    The ``检查结果`` sheet of the assignment workbook ``jcdraw draw`` wrote (or of a ``jcdraw visits``
    workbook, which adds columns): ``抽取编号 | 任务编号 | 统一社会信用代码 | 名称 | 检查事项序号 |
    检查事项 | 检查结果 | 检查日期 | 检查人员执法证号 | 备注``, header in one of the first rows, extra
    columns ignored. One row is one drawn entity × one 检查事项; item numbers are 1-based positions
    in the draw's item list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jcdraw import problems as P
from jcdraw.io.badges import badge_display, split_badge_column, warn_number_cells
from jcdraw.io.files import gc_paused
from jcdraw.io.normalize import (
    clean_text,
    join_keys,
    map_distinct,
    normalize_key,
    parse_dates,
)
from jcdraw.io.xlsx_read import open_workbook, read_table
from jcdraw.records import (
    BADGES,
    DATE,
    DRAW_ID,
    ITEM,
    ITEM_TEXT,
    NOTE,
    RESULT,
    RESULT_COLUMNS,
    RESULT_REQUIRED,
    RESULT_SHEET,
    TASK,
    USCC,
)

SCHEMA: dict[str, list[str]] = {name: [] for name in RESULT_COLUMNS}
_DIGITS = re.compile(r"\d{1,9}")  # Unicode digits, as the column regex of pandas' object .str matched


@dataclass
class ResultRows:
    """The non-empty rows of a ``检查结果`` sheet: raw cells plus normalised columns."""

    sheet: str
    raw: pd.DataFrame  # cells as read, canonical Chinese column names
    # row, draw_id, task, uscc, item, item_key, result_key, date, date_bad, badges, note, filled, entity, key
    rows: pd.DataFrame

    @property
    def filled(self) -> pd.DataFrame:
        return self.rows[self.rows["filled"]]


@gc_paused()  # a sheet becomes hundreds of thousands of small lists and strings, none of them cyclic
def read_results(path: Path, problems: P.ProblemList) -> ResultRows | None:
    """Read the ``检查结果`` sheet of ``path``; ``None`` (with problems) if it lacks the sheet or columns."""
    book = open_workbook(path)
    sheet = book.find_sheet([RESULT_SHEET], problems)
    if sheet is None:
        existing = "、".join(book.sheet_names)
        problems.add(
            P.make("result-sheet-missing", sheet=RESULT_SHEET, sheet_name=RESULT_SHEET, existing=existing)
        )
        return None
    table = read_table(book, sheet, SCHEMA, RESULT_REQUIRED, problems)
    if table is None:
        return None
    raw = table.frame
    if NOTE not in raw:
        raw[NOTE] = pd.Series([None] * len(raw), dtype=object)
    warn_number_cells(problems, table, BADGES)
    raw[BADGES] = badge_display(raw[BADGES])  # 14050000011, not 14050000011.0, in messages
    dates, date_bad = parse_dates(raw[DATE])
    rows = pd.DataFrame(
        {
            "row": table.excel_rows.astype(int),
            "draw_id": map_distinct(clean_text(raw[DRAW_ID]), _without_spaces, skip_na=True),
            "task": _number_text(normalize_key(raw[TASK])),
            "uscc": normalize_key(raw[USCC]),
            "item": _number_text(normalize_key(raw[ITEM])),
            "item_key": normalize_key(raw[ITEM_TEXT]),
            "result_key": normalize_key(raw[RESULT]),
            "date": dates,
            "date_bad": date_bad,
            "badges": split_badge_column(raw[BADGES]),  # spaces and line breaks separate badges too
            "note": clean_text(raw[NOTE]),
        }
    )
    rows["filled"] = (
        rows["result_key"].notna() | rows["date"].notna() | rows["date_bad"] | (rows["badges"].str.len() > 0)
    )
    rows["entity"] = join_keys(rows["draw_id"], rows["uscc"], blank_missing=True)
    rows["key"] = join_keys(rows["entity"], rows["item"], blank_missing=True)
    return ResultRows(sheet, raw, rows)


def _without_spaces(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _number_text(keys: pd.Series) -> pd.Series:
    """``"01"`` → ``"1"`` so typed numbers compare with the draw's; other text is left as is.

    Task and item numbers repeat on every row: each distinct key is looked at once.
    """
    codes, distinct = pd.factorize(keys.to_numpy(dtype=object))
    text = np.array([*(str(int(k)) if _DIGITS.fullmatch(k) else k for k in distinct), None], dtype=object)
    return pd.Series(text[codes], index=keys.index, name=keys.name, dtype=object)
