"""Inspections dated outside the plan's window: published all the same, flagged 超出计划期限.

A 检查日期 after the task period ends, before it starts, or before the draw does not stop a
result from being recorded and published (the inspection happened; hiding it would help nobody).
It is flagged instead: ``publish`` warns about the rows it records, ``status`` lists the entities
and the publicity's 备注 says 超出计划期限. One definition serves all three.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def days_of(dates: pd.Series) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    """``datetime.date`` cells or ISO date texts (None/NaN for none) as ``datetime64[D]`` with NaT.

    A column holds few distinct dates (a draw's period, a month of inspections): each is converted
    once, as converting 100,000 date objects one by one costs a tenth of a second per column.

    Example:
        >>> days_of(pd.Series(["2024-05-20", None, "2024-05-20"])).tolist()
        [datetime.date(2024, 5, 20), None, datetime.date(2024, 5, 20)]
    """
    codes, distinct = pd.factorize(dates.to_numpy(dtype=object))
    days = np.full(len(codes), np.datetime64("NaT"), dtype="datetime64[D]")
    present = codes >= 0
    days[present] = np.array(list(distinct), dtype="datetime64[D]")[codes[present]]
    return days


def draw_days(draw_ids: pd.Series, draws: pd.DataFrame, column: str) -> np.ndarray[Any, Any]:
    """Per row, the ``column`` date (start, end, drawn_on) of its draw; NaT for an unknown draw.

    Converted once per draw, then looked up per row (an unknown draw, at -1, takes the NaT
    appended last).
    """
    at = draws.index.get_indexer(pd.Index(draw_ids))
    return np.append(days_of(draws[column]), np.datetime64("NaT"))[at]


def outside_plan(draw_ids: pd.Series, dates: pd.Series, draws: pd.DataFrame) -> pd.Series:
    """Per row: its 检查日期 falls outside its draw's task period, or before the draw.

    ``draws`` is ``LedgerView.draws`` (indexed by draw id, with start, end and drawn_on). A missing
    date or an unknown draw is never outside.
    """
    day = days_of(dates)
    start, end, drawn_on = (draw_days(draw_ids, draws, c) for c in ("start", "end", "drawn_on"))
    outside = (day < start) | (day > end) | (day < drawn_on)  # NaT compares False
    return pd.Series(outside, index=dates.index, dtype=bool)
