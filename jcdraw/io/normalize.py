"""Normalise spreadsheet cells for comparison, display and date arithmetic, a whole column at a time.

Cells arrive as whatever the Excel reader produced: ``str``, ``int``, ``float`` (a number cell, maybe
a credit code Excel turned into 9.114e+17), ``datetime.date``/``datetime.datetime`` (date cells),
None or NaN (empty cells). The column functions take a pandas Series and return values on its index;
``normalize_key_one`` and ``parse_date_one`` run the same code on a single value.

Keys (``normalize_key``) — for credit codes, badge numbers, regions, categories, departments
    1. Stringify: None/NaN → None; ints → ``str(int)``; integral floats → ``str(int(x))`` (callers flag
       float cells separately with ``float_mask``, because digits beyond float precision are lost);
       anything else → ``str()``.
    2. Unicode NFKC: full-width letters, digits and punctuation → half-width, U+3000 and NBSP → space.
    3. Remove every whitespace character (``str.isspace``: space, tab, newline, NBSP, U+3000 …),
       every control character (C0, DEL, C1) and invisible format characters (zero-width space /
       joiners U+200B–U+200F, word joiner and invisible operators U+2060–U+206F, BOM U+FEFF, soft
       hyphen U+00AD, variation selectors, bidi controls).
    4. Upper-case, then NFKC again (upper-casing can leave text that NFKC would recompose, e.g. Greek
       "ΐ"); this makes the rule idempotent: ``normalize_key(normalize_key(s)) == normalize_key(s)``.
    5. Empty → None.

Display text (``clean_text``) — names, addresses
    Stringify as above; strip leading/trailing whitespace and invisible characters (including NBSP and
    U+3000); remove control and invisible characters inside (tabs and line breaks included); keep
    inner spaces and full-width CJK punctuation as they are; empty → None.

Dates (``parse_dates``)
    Accepted: date/datetime objects (any time of day is dropped); Excel serial numbers 1..2958465
    (epoch 1899-12-30, fraction = time of day, dropped); 8-digit whole numbers read as YYYYMMDD
    (someone typed 20251231 into a number cell); strings ``2025-12-31``, ``2025/12/31``,
    ``2025.12.31`` (one separator throughout), ``2025年12月31日``, ``20251231``, with optional spaces,
    full-width digits, and a trailing time such as ``00:00:00``. Empty cells give None and are not bad;
    impossible dates (2025-02-30), other numbers and anything else give None and are bad.

Column helpers
    ``map_distinct`` maps a column calling a function once per distinct value (``Series.map``
    otherwise); ``join_keys`` joins text columns with "|" into composite keys. Both exist because a
    Python call per cell is most of the cost at 100,000 rows and more.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from jcdraw.io.text import DATE_FORMS as _DATE_FORMS
from jcdraw.io.text import INVISIBLE_RUN as _INVISIBLE_RUN
from jcdraw.io.text import NOISE as _NOISE
from jcdraw.io.text import NOISE_RUN as _NOISE_RUN
from jcdraw.io.text import SEPARATORS as _SEPARATORS
from jcdraw.io.text import WHITESPACE_RUN as _WHITESPACE_RUN
from jcdraw.io.text import stringify as _stringify

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MAX_SERIAL = 2958465  # 9999-12-31
_REPETITION_SAMPLE = 10_000
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)

BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]


# --- keys and text ---------------------------------------------------------------------------------


def normalize_key(s: pd.Series) -> pd.Series:
    """Return comparison keys (see the module docstring) as an object Series with None for empty.

    Example:
        >>> normalize_key(pd.Series(["９１１４ 0500\\u00a0ab", 123, 9.1e3, None, " \\u3000"])).tolist()
        ['91140500AB', '123', '9100', None, None]
    """
    keys = _map_strings(_to_text(s), _keys_of_strings, blank_to_none=True)
    return pd.Series(keys, index=s.index, name=s.name, dtype=object)


def clean_text(s: pd.Series) -> pd.Series:
    """Return display text (see the module docstring) as an object Series with None for empty.

    Example:
        >>> clean_text(pd.Series(["\\u3000晋城市\\u200b某某公司（城区）\\u00a0", "a\\tb c", " "])).tolist()
        ['晋城市某某公司（城区）', 'ab c', None]
    """
    text = _map_strings(_to_text(s), _clean_strings, blank_to_none=True)
    return pd.Series(text, index=s.index, name=s.name, dtype=object)


def float_mask(s: pd.Series) -> BoolArray:
    """Return True where the cell holds a float (Excel stored a number), excluding empty (NaN) cells.

    Example:
        >>> float_mask(pd.Series([9.114e17, 911, "911", None, float("nan")], dtype=object)).tolist()
        [True, False, False, False, False]
    """
    if pd.api.types.is_float_dtype(s.dtype):
        return np.asarray(s.notna().to_numpy(), dtype=bool)
    if s.dtype != object:
        return np.zeros(len(s), dtype=bool)
    values = s.to_numpy()
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return np.zeros(len(s), dtype=bool)
    is_float = np.fromiter(
        (isinstance(value, float | np.floating) for value in values), dtype=bool, count=len(values)
    )
    return is_float & ~pd.isna(values)


def split_multi(s: pd.Series) -> pd.Series:
    """Split cells on 、，,;；/ into lists of keys (``normalize_key`` per part); empty parts are dropped.

    Example:
        >>> split_multi(pd.Series(["食品，药品 ; 餐饮/", None, "ab"])).tolist()
        [['食品', '药品', '餐饮'], [], ['AB']]
    """
    pieces = _map_strings(_to_text(s), _split_keys_of_strings)
    # Fresh lists per row: equal cells share one list from _map_strings.
    lists = [list(parts) if parts is not None else [] for parts in pieces]
    return pd.Series(lists, index=s.index, name=s.name, dtype=object)


def map_distinct(values: pd.Series, func: Callable[[Any], object], *, skip_na: bool = False) -> pd.Series:
    """``values.map(func, na_action="ignore" if skip_na else None)``, one ``func`` call per distinct value.

    For hashable cells that repeat (draw ids, dates, parsed results): a Python call per row is most
    of the cost of mapping a column. Values that compare equal share one call, so the column must
    not mix values that are equal but map differently (``True == 1 == 1.0``). Results are typed as
    ``Series.map`` types them (``str`` for text, NaN where ``skip_na`` leaves a missing cell).

    Example:
        >>> map_distinct(pd.Series(["a", None, "a"]), str.upper, skip_na=True).tolist()
        ['A', nan, 'A']
    """
    codes, distinct = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=skip_na)
    mapped = pd.Series([func(value) for value in distinct])
    taken = pd.api.extensions.take(mapped.array, codes, allow_fill=True)
    return pd.Series(taken, index=values.index, name=values.name)


def join_keys(*columns: pd.Series | ObjectArray, blank_missing: bool = False) -> pd.Series:
    """Join columns of text with "|" row by row, as ``str`` (composite keys such as ``draw|code|item``).

    A missing part makes the row missing, or counts as "" with ``blank_missing``; the same as
    ``a + "|" + b`` on the columns, without pandas' per-element string checks (three times faster).

    Example:
        >>> join_keys(pd.Series(["a", None]), pd.Series(["b", "c"]), blank_missing=True).tolist()
        ['a|b', '|c']
    """
    parts = [np.asarray(column, dtype=object) for column in columns]
    absent = [pd.isna(part) for part in parts]
    if blank_missing:
        parts = [
            np.where(gap, "", part) if gap.any() else part for part, gap in zip(parts, absent, strict=True)
        ]
        absent = []
    keep = ~np.logical_or.reduce(absent) if absent else np.ones(len(parts[0]), dtype=bool)
    joined = np.full(len(keep), np.nan, dtype=object)
    rows = (part[keep] for part in parts) if not keep.all() else iter(parts)
    joined[keep] = list(map("|".join, zip(*rows, strict=True)))
    return pd.Series(joined, index=getattr(columns[0], "index", None), dtype="str")


def _map_strings(
    values: ObjectArray, transform: Callable[[ObjectArray], ObjectArray], *, blank_to_none: bool = False
) -> ObjectArray:
    """Apply a column transform to the str cells of ``values`` (None stays None; with ``blank_to_none``
    an empty result becomes None too).

    Columns such as regions, categories or departments repeat a few texts a million times, so when a
    sample of the first cells shows repetition the transform runs once per distinct text, and every
    other step too: the rows only take their distinct value's result.
    """
    finish = _empty_to_none if blank_to_none else (lambda done: done)
    sample = values[:_REPETITION_SAMPLE]
    sample = sample[pd.notna(sample)]
    if 2 * len(pd.unique(sample)) <= len(sample):
        codes, distinct = pd.factorize(values)  # missing cells get code -1, which takes the None
        mapped: ObjectArray = np.full(len(distinct) + 1, None, dtype=object)
        mapped[:-1] = finish(transform(np.asarray(distinct, dtype=object)))
        return mapped[codes]
    result = np.full(len(values), None, dtype=object)
    present = pd.notna(values)
    result[present] = finish(transform(values[present]))
    return result


def _keys_of_strings(strings: ObjectArray) -> ObjectArray:
    """Apply key steps 2–4: NFKC, remove noise, upper-case, NFKC.

    Most cells (credit codes, badge numbers) are already plain upper-case ASCII letters and digits,
    which every step leaves unchanged, so only the other cells go through the Unicode pipeline.
    """
    result = strings.copy()
    plain = _plain_keys(strings)
    rest = strings[~plain]
    if len(rest):
        text = _without(pd.Series(rest, dtype=object).str.normalize("NFKC"), _NOISE_RUN)
        result[~plain] = text.str.upper().str.normalize("NFKC").to_numpy(dtype=object)
    return result


def _plain_keys(strings: ObjectArray) -> BoolArray:
    """``jcdraw.io.text.is_plain_key`` of each string, one C-level pass per test (no Python call per cell)."""
    size = len(strings)

    def each(test: Callable[[str], bool]) -> BoolArray:
        return np.fromiter(map(test, strings), dtype=bool, count=size)

    return each(str.isascii) & each(str.isalnum) & (each(str.isupper) | each(str.isdigit))


def _split_keys_of_strings(strings: ObjectArray) -> ObjectArray:
    # The key rule never creates, removes or merges separators, so keying the whole cell and then
    # splitting equals keying each part, without exploding a million rows into parts.
    keys = pd.Series(_keys_of_strings(strings), dtype=object)
    parts = keys.str.split(_SEPARATORS, regex=True).to_numpy(dtype=object)
    # Empty parts (",," or a trailing "/") are dropped here, once per distinct cell when cells repeat.
    return np.fromiter(([part for part in cell if part] for cell in parts), dtype=object, count=len(parts))


def _clean_strings(strings: ObjectArray) -> ObjectArray:
    stripped = pd.Series(strings, dtype=object).str.strip(_NOISE)
    return _without(stripped, _INVISIBLE_RUN).to_numpy(dtype=object)


def _without(text: pd.Series, noise: re.Pattern[str]) -> pd.Series:
    """Delete ``noise`` matches, running the regex only on cells that are not purely alphanumeric."""
    values = text.to_numpy(dtype=object, copy=True)
    maybe_noisy = ~text.str.isalnum().to_numpy(dtype=bool)
    values[maybe_noisy] = pd.Series(values[maybe_noisy], dtype=object).str.replace(noise, "", regex=True)
    return pd.Series(values, dtype=object)


def _to_text(s: pd.Series) -> ObjectArray:
    """Return the cells as an object array of str, None for missing (the stringify step)."""
    if pd.api.types.is_integer_dtype(s.dtype) and not s.hasnans:
        return np.asarray(s.to_numpy().astype(str), dtype=object)
    values = s.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        return values
    if kind in ("integer", "floating", "mixed-integer-float"):
        # Number cells (task and item numbers) repeat: stringify each distinct number once. Equal
        # numbers share a code (1 == 1.0) and stringify alike; bools, which equal 0 and 1 but
        # stringify as "True"/"False", are never in these kinds.
        codes, distinct = pd.factorize(values)
        text = np.array([*(_stringify(value) for value in distinct), None], dtype=object)
        return np.asarray(text[codes], dtype=object)
    return np.array([_stringify(value) for value in values], dtype=object)


def _empty_to_none(text: ObjectArray) -> ObjectArray:
    values = text.copy()
    values[pd.isna(values) | (values == "")] = None
    return values


# --- dates ----------------------------------------------------------------------------------------


def parse_dates(s: pd.Series) -> tuple[pd.Series, BoolArray]:
    """Parse a column of date cells (forms in the module docstring).

    Returns:
        (Series of ``datetime.date`` or None on the same index, bad mask: True where a non-empty
        cell is not a date).

    Example:
        >>> dates, bad = parse_dates(pd.Series(["2025年12月31日", 45657, "2025-02-30", None]))
        >>> dates.tolist(), bad.tolist()
        ([datetime.date(2025, 12, 31), datetime.date(2024, 12, 31), None, None], [False, False, True, False])
    """
    result = np.full(len(s), None, dtype=object)
    bad = np.zeros(len(s), dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        present = s.notna().to_numpy()
        result[present] = s[present].dt.date.to_numpy(dtype=object)
    elif pd.api.types.is_bool_dtype(s.dtype):
        bad[s.notna().to_numpy()] = True
    elif pd.api.types.is_numeric_dtype(s.dtype):
        numbers = s.to_numpy(dtype=np.float64, na_value=np.nan)
        present = ~np.isnan(numbers)
        result[present], bad[present] = _dates_from_numbers(numbers[present])
    else:
        _parse_mixed(s.to_numpy(dtype=object), result, bad)
    return pd.Series(result, index=s.index, name=s.name, dtype=object), bad


_STRING, _NUMBER, _DATE, _OTHER = range(4)
_KIND_OF_TYPE: dict[type, int] = {
    str: _STRING,
    int: _NUMBER,
    float: _NUMBER,
    np.int64: _NUMBER,
    np.float64: _NUMBER,
    dt.date: _DATE,
    dt.datetime: _DATE,
    pd.Timestamp: _DATE,
    bool: _OTHER,
}


def _kind(value: object) -> int:
    kind = _KIND_OF_TYPE.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, str):
        return _STRING
    if isinstance(value, bool | np.bool_):
        return _OTHER
    if isinstance(value, int | float | np.integer | np.floating):
        return _NUMBER
    if isinstance(value, dt.date | np.datetime64):
        return _DATE
    return _OTHER


def _parse_mixed(values: ObjectArray, result: ObjectArray, bad: BoolArray) -> None:
    """Fill ``result`` and ``bad`` for an object column, one vectorised pass per kind of cell."""
    if pd.api.types.infer_dtype(values, skipna=True) == "date":
        # Date cells only (what the reader returns for them), few distinct: convert each one once.
        # date and datetime objects never compare equal, so each keeps its own conversion.
        codes, distinct = pd.factorize(values)
        dates = np.array([*(_as_date(value) for value in distinct), None], dtype=object)
        result[:] = dates[codes]
        return
    kinds = np.fromiter((_kind(value) for value in values), dtype=np.int8, count=len(values))
    kinds[pd.isna(values)] = -1
    bad[kinds == _OTHER] = True

    is_date = kinds == _DATE
    result[is_date] = [_as_date(value) for value in values[is_date]]
    is_number = kinds == _NUMBER
    result[is_number], bad[is_number] = _dates_from_numbers(values[is_number].astype(np.float64))
    is_string = kinds == _STRING
    result[is_string], bad[is_string] = _dates_from_strings(values[is_string])


def _as_date(value: dt.date | np.datetime64) -> dt.date:
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    return value.date() if isinstance(value, dt.datetime) else value


def _dates_from_numbers(numbers: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.object_], BoolArray]:
    """Read Excel serials (1..2958465) and 8-digit YYYYMMDD whole numbers; bad for anything else."""
    is_serial = (numbers >= 1) & (numbers < _MAX_SERIAL + 1)
    whole = np.where(np.isfinite(numbers), numbers, 0)
    is_compact = (whole == np.floor(whole)) & (whole >= 10_000_101) & (whole <= 99_991_231)

    compact = np.where(is_compact, whole, 19700101).astype(np.int64)
    days, valid = _days_from_ymd(compact // 10_000, compact // 100 % 100, compact % 100)
    serial_days = _EXCEL_EPOCH + np.floor(np.where(is_serial, numbers, 1)).astype(np.int64).astype(
        "timedelta64[D]"
    )
    days = np.where(is_serial, serial_days, days)
    good = is_serial | (is_compact & valid)
    return _dates_or_none(days, good), ~good


def _dates_from_strings(strings: ObjectArray) -> tuple[ObjectArray, BoolArray]:
    """Read the textual forms; blank text is empty (not bad)."""
    # A date column holds few distinct texts even with a million rows: parse each once.
    codes, distinct = pd.factorize(strings)
    dates, bad = _dates_from_distinct_strings(np.asarray(distinct, dtype=object))
    return dates[codes], bad[codes]


def _dates_from_distinct_strings(strings: ObjectArray) -> tuple[ObjectArray, BoolArray]:
    text = (
        pd.Series(strings, dtype=object)
        .str.normalize("NFKC")
        .str.replace(_WHITESPACE_RUN, " ", regex=True)  # first, because tab and newline are controls
        .str.replace(_INVISIBLE_RUN, "", regex=True)
        .str.strip()
    )
    blank = (text == "").to_numpy(dtype=bool)
    parts = text.str.extract(_DATE_FORMS)
    year, month, day = (
        np.asarray(
            parts[f"{field}1"].fillna(parts[f"{field}2"]).fillna(parts[f"{field}3"]).fillna("0"),
            dtype=np.int64,
        )
        for field in "ymd"
    )
    days, valid = _days_from_ymd(year, month, day)
    return _dates_or_none(days, valid), ~valid & ~blank


def _days_from_ymd(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.datetime64], BoolArray]:
    """Turn year/month/day arrays into datetime64[D], with a mask of combinations that exist."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_length = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    valid = (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_length)
    year, month, day = (np.where(valid, part, 1) for part in (year, month, day))
    months = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1).astype(
        "timedelta64[M]"
    )
    days = months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    return days, valid


def _dates_or_none(days: npt.NDArray[np.datetime64], good: BoolArray) -> npt.NDArray[np.object_]:
    # datetime64[D] → object yields datetime.date, which is what the rest of jcdraw uses.
    dates: npt.NDArray[np.object_] = days.astype("datetime64[D]").astype(object)
    dates[~good] = None
    return dates
