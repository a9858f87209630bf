"""Badge numbers (执法证号) as people type them: several to a cell, and sometimes typed as numbers.

Separators: unlike other lists (``split_multi``), spaces and line breaks separate badges too, as do
、 ， , ； ; / (full-width forms fold under NFKC). Two badges typed "14050001 14050002" must stay
two badges; the key rule alone would join them into one 16-digit number. Each part is then keyed
with the usual rule (``normalize_key``): invisible characters inside a badge are removed, not split on.

Numbers: a badge typed into a number cell reaches us as ``14050000011.0``. It is shown as the digits
the user typed (``14050000011``) and reported once per column with a warning that the column should be
text: a number cell drops leading zeros and turns long numbers into scientific notation.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from jcdraw.io.normalize import normalize_key
from jcdraw.io.text import BADGE_SEPARATORS, stringify, text_or_blank
from jcdraw.io.xlsx_read import Table
from jcdraw.problems import ProblemList, make

ROWS_SHOWN = 5  # rows named in the number-cell warning


def split_badge_column(s: pd.Series) -> pd.Series:
    """``split_badges`` for a column: a fresh list of badge keys per cell (empty for an empty cell).

    A results sheet repeats each team on every item row, so each distinct cell text is split once.

    Example:
        >>> cells = pd.Series(["1405 0001、14050002\\n１４０５０００３；", 14050000011.0, None])
        >>> split_badge_column(cells).tolist()
        [['1405', '0001', '14050002', '14050003'], ['14050000011'], []]
    """
    values = s.to_numpy(dtype=object)
    if not text_or_blank(values):
        values = np.array([stringify(v) for v in values], dtype=object)
    codes, distinct = pd.factorize(values)  # empty cells get code -1
    parts = pd.Series(distinct, dtype=object).str.normalize("NFKC").str.split(BADGE_SEPARATORS, regex=True)
    keys = normalize_key(parts.explode().astype(object)).dropna()
    per_text = keys.groupby(level=0, sort=False).agg(list).reindex(range(len(distinct)))
    lists = [[] if not isinstance(found, list) else found for found in per_text]
    out = np.empty(len(s), dtype=object)
    out[:] = [list(lists[code]) if code >= 0 else [] for code in codes]
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


def typed_as_number(s: pd.Series) -> np.ndarray:
    """True where the cell holds a number (not a boolean): Excel stored the badge as a number."""
    values = s.to_numpy()
    if text_or_blank(values):  # the usual column
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(
        (isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) and v == v for v in values),
        dtype=bool,
        count=len(values),
    )


def badge_display(s: pd.Series) -> pd.Series:
    """The cells as the user reads them: numbers as their digits (``14050000011.0`` → ``14050000011``)."""
    numbers_typed = typed_as_number(s)
    if not numbers_typed.any():
        return s
    shown = s.astype(object).copy()
    shown[numbers_typed] = [stringify(v) for v in s[numbers_typed]]
    return shown


def warn_number_cells(problems: ProblemList, table: Table, column: str) -> None:
    """One warning for the column when any badge was typed as a number (rows and count named)."""
    raw = table.frame[column]
    flagged = typed_as_number(raw)
    if not flagged.any():
        return
    rows = [int(r) for r in table.excel_rows.to_numpy()[flagged]]
    shown = "、".join(str(r) for r in rows[:ROWS_SHOWN]) + ("…" if len(rows) > ROWS_SHOWN else "")
    first = stringify(raw.to_numpy(dtype=object)[flagged][0])
    problems.add(
        make("badge-number", sheet=table.sheet, row=rows[0], column=column, value=first,
             count=len(rows), rows=shown)
    )  # fmt: skip
