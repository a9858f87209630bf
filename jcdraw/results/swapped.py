"""Two columns of the results sheet whose contents look like each other's: say so before any row error.

Results typed one column off (dates under 检查结果, results under 检查日期, badges under 备注 …) fail
every row check of both columns, dozens of row errors with no hint of the one cause. Each cell of the
four hand-filled columns is given a kind:

* ``date`` — a date cell, an Excel date serial, or text in one of the accepted date forms;
* ``result`` — text that parses into known result categories, nothing unknown;
* ``badges`` — one or more badge-like codes (ASCII letters, digits and hyphens, at least one digit), or
  a number too large to be a date;
* ``text`` — anything else (what a 备注 holds).

A column "looks like" a kind when at least half of its non-empty cells have that kind and fewer than
half have the kind it should hold. Two columns look swapped when each looks like the other's kind;
that is reported once, as an error on the sheet (no row), so it sorts before the row errors.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Final

import pandas as pd

from jcdraw import messages
from jcdraw import problems as P
from jcdraw.io.text import parse_date_one, split_badges, stringify, text_or_blank
from jcdraw.plans.categories import CategoryParser
from jcdraw.records import BADGES, DATE, NOTE, RESULT
from jcdraw.results.sheet import ResultRows

EXPECTED: Final = {RESULT: "result", DATE: "date", BADGES: "badges", NOTE: "text"}
MAX_DATE_SERIAL: Final = 2958465  # 9999-12-31; a larger number is no date, so maybe a badge
BADGE_LIKE: Final = re.compile(r"[0-9A-Z-]*[0-9][0-9A-Z-]*")


def flag_swapped_columns(found: ResultRows, parser: CategoryParser, problems: P.ProblemList) -> None:
    """Add one ``result-columns-swapped`` error per pair of columns that look swapped."""
    raw = found.raw
    kinds = {column: _kind_counts(raw[column], parser) for column in EXPECTED if column in raw}
    looks = {column: _looks_like(counts, EXPECTED[column]) for column, counts in kinds.items()}
    columns = list(kinds)
    for i, first in enumerate(columns):
        for second in columns[i + 1 :]:
            if looks[first] == EXPECTED[second] and looks[second] == EXPECTED[first]:
                problems.add(
                    P.make(
                        "result-columns-swapped", sheet=found.sheet, column=first, first=first, second=second,
                        first_kind=messages.COLUMN_KIND_TEXT[EXPECTED[second]],
                        second_kind=messages.COLUMN_KIND_TEXT[EXPECTED[first]],
                    )
                )  # fmt: skip


def _looks_like(counts: Counter[str], expected: str) -> str | None:
    """The kind most of the column's non-empty cells have, when it is not the expected one."""
    filled = sum(n for kind, n in counts.items() if kind != "empty")
    if not filled or counts[expected] * 2 >= filled:
        return None
    # Ties go to the kind met first in the column, as a stable sort by count would give.
    kind, count = max(((k, n) for k, n in counts.items() if k != "empty"), key=lambda pair: pair[1])
    return kind if count * 2 >= filled else None


def _kind_counts(cells: pd.Series, parser: CategoryParser) -> Counter[str]:
    """How many cells of each kind; each distinct value is judged once (a column repeats few values).

    Values are told apart by type too: ``True == 1 == 1.0``, but they are different kinds.
    """
    values = cells.to_numpy(dtype=object)
    if text_or_blank(values):  # equal values are then the same kind
        distinct: Iterable[tuple[object, int]] = Counter(values).items()
    else:
        typed = Counter(zip(map(type, values), values, strict=True))
        distinct = ((value, n) for (_, value), n in typed.items())
    counts: Counter[str] = Counter()
    for value, n in distinct:
        counts[_kind(value, parser)] += n
    return counts


def _kind(value: object, parser: CategoryParser) -> str:
    text = stringify(value)
    if text is None or not text.strip():
        return "empty"
    if isinstance(value, int | float) and not isinstance(value, bool) and value > MAX_DATE_SERIAL:
        return "badges"
    try:
        if parse_date_one(value) is not None:
            return "date"
    except ValueError:
        pass
    parsed = parser.parse(text)
    if parsed.categories and not parsed.unknown:
        return "result"
    parts = split_badges(value)
    if parts and all(BADGE_LIKE.fullmatch(part) for part in parts):
        return "badges"
    return "text"
