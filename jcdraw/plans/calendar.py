"""Working days and the publication deadline for inspection results.

Rule
    Results must be published within 20 working days after the inspection completion date. The
    completion date itself does not count: the deadline is the 20th working day *strictly after* it.
    Counting always starts on the next day, even when the completion date is a weekend or holiday,
    so an adjusted working weekend day (调休上班日) right after it counts as day 1.

Working day
    A day on which offices work under the State Council's annual holiday notice
    (国务院办公厅关于部分节假日安排的通知): Monday–Friday unless the notice gives it off, plus the
    weekend days the notice makes working days (调休).

Data
    chinesecalendar supplies the notices it knows (2004–2026 in 1.11.0); ``calendar*.yaml`` files in
    the plan folders and ``--calendar FILE`` add later years. chinesecalendar wins for the years it
    covers; files only add years it does not. A year is either fully known or unknown: anything that
    needs a day of an unknown year raises ``CalendarMissing`` naming that year. We never guess, because a
    guessed year silently misses its 调休 and moves deadlines.

Notes
    We do not use ``chinese_calendar.find_workday``: it first rolls a non-working day forward and then
    counts (from Saturday 2024-09-28 its first working day is 09-30, not the adjusted workday 09-29),
    and it costs ≈ 380 µs a call. Instead all working days of the known years sit in one sorted
    ``datetime64[D]`` array; the n-th working day after ``d`` is ``days[searchsorted(days, d, "right")
    + n - 1]``, which handles a million dates in well under a second.

    The result is trustworthy only if every day from ``done + 1`` to it lies in a known year. With
    years 2004–2026 and 2028 known, a count starting in December 2026 would otherwise jump straight
    from 2026 into 2028; the check "result's year < first unknown year from ``done + 1``" catches it.

Examples (the test vectors):
    >>> cal = WorkdayCalendar.load(search_dirs=[])
    >>> cal.deadline(date(2024, 9, 20))   # 国庆: 09-29 (Sunday) and 10-12 (Saturday) are workdays
    datetime.date(2024, 10, 23)
    >>> cal.deadline(date(2024, 1, 25))   # 春节: 02-10..02-17 off, 02-04 and 02-18 (Sundays) work
    datetime.date(2024, 2, 27)
    >>> cal.deadline(date(2025, 4, 25))   # 劳动节: 05-01..05-05 off, 04-27 (Sunday) works
    datetime.date(2025, 5, 27)
    >>> cal.workdays_between(date(2024, 9, 27), date(2024, 10, 8))   # 09-29, 09-30, 10-08
    3
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, overload

import chinese_calendar
import numpy as np
from numpy.typing import NDArray

from jcdraw import messages
from jcdraw.errors import BadPlan, CalendarMissing
from jcdraw.plans.folders import plan_dirs
from jcdraw.plans.yaml_file import YamlFileError, parse_yaml_file

__all__ = ["DEFAULT_WORKING_DAYS", "WorkdayCalendar"]

DEFAULT_WORKING_DAYS = 20
CALENDAR_FILE_PATTERNS = ("calendar*.yaml", "calendar*.yml")

Days = NDArray[np.datetime64]
_DAY = np.timedelta64(1, "D")


class WorkdayCalendar:
    """All working days of the known years, answering deadline and counting questions."""

    def __init__(self, working_days: Days, years: Iterable[int], sources: Mapping[int, str] | None = None):
        """``working_days``: all working days of ``years``, sorted; ``sources``: year → its origin."""
        self.days: Days = np.array(working_days, dtype="datetime64[D]")
        self.days.flags.writeable = False
        self.years: frozenset[int] = frozenset(years)
        self.sources: dict[int, str] = dict(sources or {})
        # Unknown years from the first known year to one past the last, for vectorised gap look-ups.
        lo, hi = (min(self.years), max(self.years)) if self.years else (0, -1)
        self._span = (lo, hi)
        self._gaps = np.array([y for y in range(lo, hi + 2) if y not in self.years], dtype=np.int64)

    @classmethod
    def load(
        cls, extra_files: Sequence[Path] = (), *, search_dirs: Sequence[Path] | None = None
    ) -> WorkdayCalendar:
        """chinesecalendar's years plus the years of every calendar file found or given.

        Files are ``calendar*.yaml`` in ``search_dirs`` (default: the plan folders), then
        ``extra_files`` (``--calendar FILE``). Raises ``BadPlan`` for an unreadable or malformed file,
        or when two files give the same extra year different schedules.
        """
        base_days, base_years = _chinese_calendar_days()
        sources = dict.fromkeys(base_years, f"chinesecalendar {chinese_calendar.__version__}")
        chosen: dict[int, _YearSchedule] = {}
        for path in _calendar_files(plan_dirs() if search_dirs is None else search_dirs, extra_files):
            for year, schedule in read_calendar_file(path).items():
                if year in base_years:
                    continue  # chinesecalendar wins for its years
                _check_same(chosen.get(year), schedule, year)
                chosen.setdefault(year, schedule)
        sources.update((year, schedule.describe()) for year, schedule in chosen.items())
        days = np.sort(np.concatenate([base_days, *(s.working_days() for s in chosen.values())]))
        return cls(days, base_years | chosen.keys(), sources)

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day; ``CalendarMissing`` if its year is unknown."""
        if day.year not in self.years:
            raise self._missing(day.year, messages.CALENDAR_PURPOSE_DAY.format(day=day))
        d = np.datetime64(day, "D")
        i = int(np.searchsorted(self.days, d))
        return i < len(self.days) and self.days[i] == d

    def deadline(self, done: date, n: int = DEFAULT_WORKING_DAYS) -> date:
        """The ``n``-th working day strictly after ``done``.

        >>> WorkdayCalendar.load(search_dirs=[]).deadline(date(2024, 9, 28), 1)   # Saturday → 调休 Sunday
        datetime.date(2024, 9, 29)
        """
        _check_count(n)
        start = np.datetime64(done, "D")
        i = int(np.searchsorted(self.days, start, side="right")) + n - 1
        gap = self._first_gap_from(int(_years(start + _DAY)))
        if i >= len(self.days) or _years(self.days[i]) >= gap:
            purpose = messages.CALENDAR_PURPOSE_DEADLINE.format(done=done, n=n)
            raise self._missing(gap, purpose)
        return _to_date(self.days[i])

    @overload
    def deadlines(self, dates: NDArray[Any], n: int = DEFAULT_WORKING_DAYS) -> Days: ...
    @overload
    def deadlines(self, dates: Sequence[date | None], n: int = DEFAULT_WORKING_DAYS) -> list[date | None]: ...
    def deadlines(
        self, dates: NDArray[Any] | Sequence[date | None], n: int = DEFAULT_WORKING_DAYS
    ) -> Days | list[date | None]:
        """``deadline`` for many dates at once: an array in → ``datetime64[D]`` array out, else a list.

        Missing dates (NaT / None) give NaT / None. If any deadline needs an unknown year, raises
        ``CalendarMissing`` for the earliest such year.
        """
        _check_count(n)
        done = np.asarray(dates, dtype="datetime64[D]")
        present = ~np.isnat(done)
        i = np.searchsorted(self.days, done, side="right") + (n - 1)
        found = i < len(self.days)
        result = self.days[np.minimum(i, len(self.days) - 1)] if len(self.days) else done.copy()
        gaps = self._first_gaps_from(_years(np.add(done, _DAY)))
        short = present & (~found | (_years(result) >= gaps))
        if short.any():
            year = int(gaps[short].min())
            needing = short & (gaps == year)
            example = _to_date(done[needing].min())
            purpose = messages.CALENDAR_PURPOSE_DEADLINES.format(count=int(needing.sum()), done=example)
            raise self._missing(year, purpose)
        result[~present] = np.datetime64("NaT")
        return result if isinstance(dates, np.ndarray) else result.tolist()

    def workdays_between(self, start: date, end: date) -> int:
        """The number of working days ``d`` with ``start < d <= end`` (negative if ``end < start``).

        >>> WorkdayCalendar.load(search_dirs=[]).workdays_between(date(2024, 10, 1), date(2024, 10, 7))
        0
        """
        lo, hi = sorted((np.datetime64(start, "D"), np.datetime64(end, "D")))
        if lo == hi:
            return 0
        gap = self._first_gap_from(int(_years(lo + _DAY)))
        if _years(hi) >= gap:
            raise self._missing(gap, messages.CALENDAR_PURPOSE_BETWEEN.format(start=start, end=end))
        count = int(
            np.searchsorted(self.days, hi, side="right") - np.searchsorted(self.days, lo, side="right")
        )
        return count if start <= end else -count

    def _first_gap_from(self, year: int) -> int:
        """The first unknown year at or after ``year``."""
        while year in self.years:
            year += 1
        return year

    def _first_gaps_from(self, years: NDArray[np.int64]) -> NDArray[np.int64]:
        """``_first_gap_from`` for an array of years (years outside the known span are their own gap)."""
        lo, hi = self._span
        inside = (years >= lo) & (years <= hi)
        if not inside.any():
            return years
        nearest = self._gaps[np.searchsorted(self._gaps, np.clip(years, lo, hi))]
        return np.where(inside, nearest, years)

    def _missing(self, year: int, purpose: str) -> CalendarMissing:
        covered = _format_years(self.years) or "无"
        return CalendarMissing(
            messages.CALENDAR_MISSING.format(year=year, purpose=purpose, covered=covered), year
        )


# --- building the working-day array ---------------------------------------------------------------


@functools.cache
def _chinese_calendar_days() -> tuple[Days, frozenset[int]]:
    """Working days of every year chinesecalendar knows (it validates against its holidays' year span)."""
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    days = _working_days(first, last, chinese_calendar.holidays, chinese_calendar.workdays)
    days.flags.writeable = False
    return days, frozenset(range(first, last + 1))


def _working_days(
    first_year: int, last_year: int, holidays: Iterable[date], workdays: Iterable[date]
) -> Days:
    """(Mon–Fri and not a holiday) or an adjusted workday, over whole years ``first_year..last_year``."""
    days = np.arange(f"{first_year}-01-01", f"{last_year + 1}-01-01", dtype="datetime64[D]")
    monday_to_friday = (days.astype(np.int64) + 3) % 7 < 5  # 1970-01-01 was a Thursday
    off = np.isin(days, np.array(sorted(holidays), dtype="datetime64[D]"))
    on = np.isin(days, np.array(sorted(workdays), dtype="datetime64[D]"))
    return days[(monday_to_friday & ~off) | on]


def _calendar_files(search_dirs: Sequence[Path], extra_files: Sequence[Path]) -> list[Path]:
    """Calendar files of the search folders (in folder order), then the given ones, each once."""
    found = [
        f for d in search_dirs for pattern in CALENDAR_FILE_PATTERNS for f in sorted(Path(d).glob(pattern))
    ]
    unique: dict[Path, Path] = {}
    for path in [*found, *map(Path, extra_files)]:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _check_same(prior: _YearSchedule | None, schedule: _YearSchedule, year: int) -> None:
    """Two files may both give a year only if they agree on its working days."""
    if prior is not None and not np.array_equal(prior.working_days(), schedule.working_days()):
        message = messages.CALENDAR_CONFLICT.format(first=prior.path, second=schedule.path, year=year)
        raise BadPlan(message)


# --- calendar files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _YearSchedule:
    """One year of a calendar file: days off, adjusted working weekend days, and where it came from."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str | None
    path: Path

    def working_days(self) -> Days:
        return _working_days(self.year, self.year, self.holidays, self.workdays)

    def describe(self) -> str:
        return f"{self.path}（{self.source}）" if self.source else str(self.path)


_YEAR_KEYS = ("source", "holidays", "workdays")
_DATE_TEXT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def read_calendar_file(path: Path) -> dict[int, _YearSchedule]:
    """The years a calendar file defines, validated; ``BadPlan`` naming the file, year and value otherwise."""
    document = _load_yaml(path)
    if not isinstance(document, dict) or set(document) != {"years"}:
        raise _invalid(path, None, messages.CALENDAR_NO_YEARS)
    years = document["years"] or {}
    if not isinstance(years, dict):
        raise _invalid(path, None, messages.CALENDAR_NO_YEARS)
    schedules = [_parse_year(path, key, entry) for key, entry in years.items()]
    return {schedule.year: schedule for schedule in schedules}


def _load_yaml(path: Path) -> Any:
    try:
        return parse_yaml_file(path, dates_as_text=True)
    except YamlFileError as err:
        raise _calendar_error(path, err) from None


def _calendar_error(path: Path, err: YamlFileError) -> BadPlan:
    if err.kind == "missing":
        return BadPlan(messages.CALENDAR_FILE_NOT_FOUND.format(path=path))
    if err.kind == "not-utf8":
        return BadPlan(messages.CALENDAR_NOT_UTF8.format(path=path))
    if err.kind in ("unreadable", "too-big"):
        return BadPlan(messages.CALENDAR_UNREADABLE.format(path=path, detail=err.detail))
    if err.kind == "duplicate-key":
        return _invalid(path, None, messages.CALENDAR_DUPLICATE_KEY.format(value=err.key, line=err.line))
    if err.kind == "alias":
        return _invalid(path, None, err.detail)
    if err.kind == "unsafe":
        return BadPlan(messages.CALENDAR_YAML_UNSAFE.format(path=path, detail=err.detail))
    return BadPlan(messages.CALENDAR_YAML_ERROR.format(path=path, detail=err.detail))


def _parse_year(path: Path, key: object, entry: object) -> _YearSchedule:
    year = _parse_year_key(path, key)
    if not isinstance(entry, dict):
        raise _invalid(path, year, messages.CALENDAR_YEAR_NOT_MAPPING)
    unknown = [k for k in entry if k not in _YEAR_KEYS]
    if unknown:
        detail = messages.CALENDAR_UNKNOWN_KEY.format(value=unknown[0], choices="、".join(_YEAR_KEYS))
        raise _invalid(path, year, detail)
    source = entry.get("source")
    if source is not None and not isinstance(source, str):
        raise _invalid(path, year, messages.CALENDAR_SOURCE_NOT_TEXT)
    holidays = _parse_dates(path, year, "holidays", entry.get("holidays"))
    workdays = _parse_dates(path, year, "workdays", entry.get("workdays"))
    _check_schedule(path, year, holidays, workdays)
    return _YearSchedule(year, holidays, workdays, source, path)


def _parse_year_key(path: Path, key: object) -> int:
    text = str(key).strip()
    if isinstance(key, bool) or not isinstance(key, int | str) or not re.fullmatch(r"\d{4}", text):
        raise _invalid(path, None, messages.CALENDAR_BAD_YEAR.format(value=key))
    return int(text)


def _parse_dates(path: Path, year: int, field: str, values: object) -> frozenset[date]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        raise _invalid(path, year, messages.CALENDAR_NOT_LIST.format(field=field))
    days = frozenset(_parse_date(path, year, field, value) for value in values)
    outside = sorted(d for d in days if d.year != year)
    if outside:
        raise _invalid(
            path, year, messages.CALENDAR_WRONG_YEAR.format(field=field, value=outside[0], year=year)
        )
    return days


def _parse_date(path: Path, year: int, field: str, value: object) -> date:
    match = _DATE_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    try:
        if match:
            return date(*map(int, match.groups()))
    except ValueError:
        pass  # e.g. 2027-02-30
    raise _invalid(path, year, messages.CALENDAR_BAD_DATE.format(field=field, value=value))


def _check_schedule(path: Path, year: int, holidays: frozenset[date], workdays: frozenset[date]) -> None:
    if not holidays:
        raise _invalid(path, year, messages.CALENDAR_NO_HOLIDAYS)
    both = sorted(holidays & workdays)
    if both:
        raise _invalid(path, year, messages.CALENDAR_BOTH.format(value=both[0]))
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        weekday = messages.CALENDAR_WEEKDAY_NAMES[weekdays[0].weekday()]
        raise _invalid(
            path, year, messages.CALENDAR_WORKDAY_NOT_WEEKEND.format(value=weekdays[0], weekday=weekday)
        )


def _invalid(path: Path, year: int | None, detail: str) -> BadPlan:
    where = messages.CALENDAR_WHERE_YEAR.format(year=year) if year is not None else ""
    return BadPlan(messages.CALENDAR_INVALID.format(path=path, where=where, detail=detail))


# --- small helpers --------------------------------------------------------------------------------


def _check_count(n: int) -> None:
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")


def _years(days: np.datetime64 | Days) -> NDArray[np.int64]:
    """Calendar year of each day, 0-d for one day (NaT gives a meaningless year, masked by callers)."""
    years: NDArray[np.int64] = np.asarray(days).astype("datetime64[Y]").astype(np.int64) + 1970
    return years


def _to_date(day: np.datetime64) -> date:
    value: date = day.astype("datetime64[D]").item()
    return value


def _format_years(years: Iterable[int]) -> str:
    """Known years as ranges: 2004–2026、2028."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return "、".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
