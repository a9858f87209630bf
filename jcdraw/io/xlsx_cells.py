"""How a Python value becomes an Excel cell: the typing rules both row writers share.

Spec:

- ``is_missing``: NaN, NaT and pandas.NA (and ``None`` is checked by callers) are "no value": blank.
- ``is_plain_number``: a finite number Excel stores exactly enough. Integers of 16+ digits (credit-code
  like IDs) are not: Excel keeps 15 significant digits, so they are written as text instead.
- ``excel_date``: Excel's 1900-system serial of a date, including Excel's phantom 1900-02-29.
- ``check_cell_length``: text over Excel's 32,767-character cell limit (counted in UTF-16 units, as
  Excel counts) raises ``OutputError`` naming the sheet, row and column; it is never truncated.
- ``utf16_len`` / ``utf16_truncate``: lengths in Excel's unit, never splitting a character.
- ``display_width``: columns a line takes on screen or paper, East Asian wide characters counting 2.

Nothing here touches xlsxwriter; ``jcdraw.io._xlsx_rows`` turns these rules into cells.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import unicodedata
from decimal import Decimal

from xlsxwriter.utility import xl_col_to_name

from jcdraw import messages
from jcdraw.errors import OutputError

MAX_CELL_CHARS = 32_767  # counted in UTF-16 units, as Excel does
EXACT_INT_LIMIT = 10**15  # Excel keeps 15 significant digits; longer integers are written as text
_EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 31).toordinal()  # serial 0 in Excel's 1900 date system


def is_missing(value: object) -> bool:
    """NaN, NaT and pandas.NA are "no value" (rows often come from DataFrames)."""
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, numbers.Number | Decimal) and value != value


def is_plain_number(value: object) -> bool:
    """A finite number Excel stores exactly enough; long integers (ID-like) would lose digits."""
    if isinstance(value, numbers.Integral):
        return -EXACT_INT_LIMIT < int(value) < EXACT_INT_LIMIT
    return isinstance(value, numbers.Real | Decimal) and math.isfinite(value)


def excel_date(value: dt.date) -> int:
    """Excel's 1900-system serial number of a date, counting its phantom 1900-02-29 as xlsxwriter does."""
    serial = value.toordinal() - _EXCEL_EPOCH_ORDINAL
    return serial + 1 if serial > 59 else serial


def check_cell_length(text: str, sheet: str, row: int, col: int, header: str) -> None:
    """Raise ``OutputError`` if ``text`` does not fit one cell; ``row`` and ``col`` are 0-based."""
    length = utf16_len(text)
    if length > MAX_CELL_CHARS:
        raise OutputError(
            messages.XLSX_CELL_TOO_LONG.format(
                sheet=sheet, row=row + 1, column=header, letter=xl_col_to_name(col), length=length
            )
        )


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_truncate(text: str, limit: int) -> str:
    """Longest prefix of at most ``limit`` UTF-16 units (Excel's unit), never splitting a character."""
    if len(text) <= limit // 2:
        return text
    return text.encode("utf-16-le")[: limit * 2].decode("utf-16-le", errors="ignore")


def display_width(line: str) -> int:
    """Columns ``line`` takes: East Asian wide (and fullwidth) characters count 2, others 1."""
    if line.isascii():
        return len(line)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
