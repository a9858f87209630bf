"""The ``检查安排`` sheet of a visits workbook as the user left it, checked against the ledger.

``jcdraw visits`` writes the sheet; staff may then delete rows (print only some visits), sort them
(the order of a day's route), change a visit's 检查人员 (someone is ill) or narrow its 检查时间窗口 (the
agreed day). ``apply_schedule(plan, rows)`` returns the ledger's visits in the sheet's order with
those adjustments, after checking every row:

* 检查编号 must name a visit the ledger plans for that year, once;
* 抽取编号, when given, must be the visit's draws (those already inspected may still be listed):
  otherwise the ledger has changed since the workbook was made and it must be made again;
* 检查人员 (``姓名（执法证号）、…`` as written, or bare badge numbers) must be inspectors the year's
  draws know, at least ``MIN_OFFICERS`` of them; blank keeps the ledger's team;
* 检查时间窗口 (``2024-03-01 至 2024-12-31``, or one date) must lie within the visit's window; blank
  keeps it.

Every problem is reported at once, with its Excel row; nothing is printed unless the sheet is clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from jcdraw import messages
from jcdraw import problems as P
from jcdraw.errors import InputProblems, UnreadableInput
from jcdraw.io.text import clean_text_one, normalize_key_one, parse_date_one, stringify
from jcdraw.io.xlsx_read import open_workbook, read_table
from jcdraw.records import MIN_OFFICERS
from jcdraw.results.visits import SCHEDULE_SHEET, VISIT_ID_COLUMN, Visit, VisitPlan

TEAM = "检查人员"
WINDOW = "检查时间窗口"
DRAW_IDS = "抽取编号"
SCHEMA: dict[str, list[str]] = {
    VISIT_ID_COLUMN: [],
    TEAM: ["检查组", "执法人员"],
    WINDOW: ["检查时间", "检查日期", "时间窗口"],
    DRAW_IDS: [],
}
_BADGE_IN_PARENS = re.compile(r"[（(]\s*([^（）()]+?)\s*[）)]")
_PARTS = re.compile(r"[、,，;；\n]+")
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|–)\s*")


@dataclass(frozen=True)
class ScheduleRow:
    row: int  # Excel row
    visit_id: str
    team: str | None
    window: object  # the cell as read: text, a date, or None
    draw_ids: str | None


class ScheduleProblems(InputProblems):
    """The visits workbook does not match the ledger (exit 1): every row's problem is listed."""


def read_schedule(path: Path) -> list[ScheduleRow]:
    """The non-blank rows of the ``检查安排`` sheet (``UnreadableInput`` without sheet or column)."""
    book = open_workbook(path)
    sheet = book.find_sheet([SCHEDULE_SHEET])
    if sheet is None:
        sheets = "、".join(book.sheet_names)
        raise UnreadableInput(messages.NOTICES_VISITS_NO_SHEET.format(path=path, sheets=sheets))
    table = read_table(book, sheet, SCHEMA, [VISIT_ID_COLUMN], P.ProblemList())
    if table is None:
        raise UnreadableInput(messages.NOTICES_VISITS_NO_COLUMN.format(path=path, sheet=sheet))
    frame = table.frame
    column = {name: list(frame[name]) if name in frame else [None] * len(frame) for name in SCHEMA}
    rows = []
    for i, excel_row in enumerate(table.excel_rows):
        visit_id = clean_text_one(column[VISIT_ID_COLUMN][i])
        team, window, draw_ids = column[TEAM][i], column[WINDOW][i], column[DRAW_IDS][i]
        if visit_id is None and not any(clean_text_one(v) for v in (team, window, draw_ids)):
            continue  # a blank row
        rows.append(
            ScheduleRow(
                int(excel_row), "".join((visit_id or "").split()), clean_text_one(team), window,
                clean_text_one(draw_ids),
            )
        )  # fmt: skip
    return rows


def schedule_year(rows: list[ScheduleRow]) -> int | None:
    """The year the visit ids name (``2024-…``), if they all name the same one."""
    years = {row.visit_id[:4] for row in rows if row.visit_id[:4].isdigit()}
    return int(years.pop()) if len(years) == 1 else None


def apply_schedule(plan: VisitPlan, rows: list[ScheduleRow], path: Path) -> VisitPlan:
    """``plan``'s visits named by ``rows``, in their order, adjusted (see the module doc)."""
    by_id = {v.visit_id: v for v in plan.visits}
    problems: list[str] = []
    chosen: list[Visit] = []
    seen: dict[str, int] = {}
    for row in rows:
        found = by_id.get(row.visit_id)
        say = _Say(row, problems)
        if not row.visit_id:
            say(messages.NOTICES_VISITS_NO_ID)
        elif row.visit_id in seen:
            say(messages.NOTICES_VISITS_TWICE, first=seen[row.visit_id])
        elif found is None:
            say(messages.NOTICES_VISITS_UNKNOWN, year=plan.year)
        else:
            seen[row.visit_id] = row.row
            before = len(problems)
            adjusted = _adjusted(found, row, plan, say)
            if len(problems) == before:
                chosen.append(adjusted)
    if problems:
        raise ScheduleProblems(_report(path, problems))
    if not chosen:
        raise ScheduleProblems(messages.NOTICES_VISITS_EMPTY.format(path=path))
    return replace(plan, visits=chosen)


class _Say:
    """Adds one row's problem, prefixed with where it is."""

    def __init__(self, row: ScheduleRow, problems: list[str]) -> None:
        self.row, self.problems = row, problems

    def __call__(self, template: str, **fields: object) -> None:
        where = messages.NOTICES_VISITS_WHERE.format(row=self.row.row, id=self.row.visit_id or "—")
        self.problems.append(where + template.format(**fields))


def _adjusted(visit: Visit, row: ScheduleRow, plan: VisitPlan, say: _Say) -> Visit:
    if row.draw_ids is not None:
        listed = {key for part in _PARTS.split(row.draw_ids) if (key := "".join(part.split()))}
        pending = {d.draw_id for d in visit.draws}
        known = pending | {d.draw_id for d in visit.done}
        if not pending <= listed or not listed <= known:
            say(messages.NOTICES_VISITS_STALE)
    team = visit.team
    if row.team is not None:
        team = parse_team(row.team)
        unknown = [b for b in team if b not in plan.members]
        if unknown:
            say(messages.NOTICES_VISITS_BADGE, badges="、".join(unknown))
        elif len(team) < MIN_OFFICERS:
            say(messages.NOTICES_VISITS_TEAM_SMALL, minimum=MIN_OFFICERS)
    window = visit.window
    if row.window is not None and stringify(row.window) is not None:
        parsed = parse_window(row.window)
        start, end = visit.window
        if parsed is None:
            say(messages.NOTICES_VISITS_WINDOW_BAD, value=row.window)
        elif not start <= parsed[0] <= parsed[1] <= end:
            say(messages.NOTICES_VISITS_WINDOW_OUTSIDE, start=start, end=end)
        else:
            window = parsed
    return replace(visit, team=team, window=window)


def parse_team(text: str) -> list[str]:
    """Badges of a 检查人员 cell: ``姓名（执法证号）`` parts as ``jcdraw visits`` writes them, or bare badges.

    Example:
        >>> parse_team("张三（14050019001）、李四(14050019002)，14050019003")
        ['14050019001', '14050019002', '14050019003']
    """
    badges: list[str] = []
    for part in _PARTS.split(text):
        found = _BADGE_IN_PARENS.findall(part)
        keys = [normalize_key_one(b) for b in found] if found else [normalize_key_one(part)]
        badges.extend(k for k in keys if k)
    return list(dict.fromkeys(badges))


def parse_window(value: object) -> tuple[date, date] | None:
    """``2024-03-01 至 2024-12-31`` (as written by ``jcdraw visits``), or one date for both ends.

    Example:
        >>> parse_window("2024-03-01 至 2024-12-31")
        (datetime.date(2024, 3, 1), datetime.date(2024, 12, 31))
        >>> parse_window(date(2024, 5, 6)), parse_window("下周")
        ((datetime.date(2024, 5, 6), datetime.date(2024, 5, 6)), None)
    """
    try:
        if not isinstance(value, str):
            day = parse_date_one(value)
            return (day, day) if day else None
        parts = _RANGE.split(value.strip())
        days = [parse_date_one(p) for p in parts]
    except ValueError:
        return None
    if len(days) == 1 and days[0] is not None:
        return days[0], days[0]
    if len(days) == 2 and days[0] is not None and days[1] is not None and days[0] <= days[1]:
        return days[0], days[1]
    return None


def _report(path: Path, problems: list[str], limit: int = 20) -> str:
    lines = [messages.NOTICES_VISITS_PROBLEMS.format(path=path, count=len(problems))]
    lines += [f"  · {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(messages.NOTICES_VISITS_MORE.format(count=len(problems) - limit))
    return "\n".join(lines)
