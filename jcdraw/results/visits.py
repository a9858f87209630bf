"""Turn a year's standing draws into visits: "进一次门，查多事项" (one door entry, many items).

Specification
-------------
Each task is drawn on its own, but the 一业一查 plans ask that an entity drawn by several tasks be
entered once. ``plan_visits(ledger, year)`` reads every standing draw of the year (redrawn ones are
ignored; nothing is written to the ledger and no draw changes) and:

1. Lists every (draw, drawn entity) pair, an *entity-draw*, keyed by the normalised credit code.
2. Splits each entity's draws into visits. Draws can share a visit only when their task periods have a
   common day, and two rounds of the same (plan, task) never share one: a second round exists to
   inspect the entity again. Among the draws not yet placed, take the one whose period ends first
   (ties: start, plan, task, round); its end day is the visit's anchor, and every other unplaced
   draw whose period starts on or before that day (and contains it, since it ends no earlier) joins,
   one per (plan, task). Repeat. This gives the fewest visits the periods allow, deterministically.
3. Gives each visit a window (the intersection of its draws' periods) and a team:

   * one draw: that draw's team, unchanged;
   * several draws: for each participating department of every merged task (lead departments
     first, in task order), the member of that department appearing in the most merged teams
     (ties: smallest badge); then, for each merged draw in turn, members of *its* team by the same
     order until ``MIN_OFFICERS`` of them are in (all of them if its team is smaller): each task's
     result rows must be signed by two members of that draw's own team, which ``publish`` checks;
     finally, should the team still be smaller than ``MIN_OFFICERS``, the next members. Members come only
     from the merged draws' teams for that entity (which already respect recusals); nobody is drawn
     anew. A department none of those teams has is reported.

4. Numbers visits ``"{year}-{uscc}-{n}"`` (n counts the entity's visits by window), so the number of
   an unchanged visit stays the same when the workbook is made again after other draws.

``entity_draws − visits = saved_entries`` ("减少进门次数"). The workbook (``visit_sheets``) has
``检查安排``, ``检查事项清单`` (whose ``本任务检查人员`` names, per task, the visit members from that
draw's own team: the badges to enter on that task's result rows), ``人员日程``, ``合并统计`` and a
combined ``检查结果`` sheet: the draw workbook's result columns (each row carrying its own 抽取编号)
plus ``检查编号`` last, one row per visit × task × item, with the same result dropdown, so
``jcdraw publish`` reads it like a draw's. Result cells are left blank (a blank row is pending).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from jcdraw import messages
from jcdraw.draw.workbook import result_sheet_columns
from jcdraw.errors import InputProblems
from jcdraw.io.text import normalize_key_one
from jcdraw.io.xlsx_anchor import anchored
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.ledger import Ledger, Record
from jcdraw.records import MIN_OFFICERS, RESULT_COLUMNS, RESULT_SHEET, DrawRecord, as_draw_record

VISIT_ID_COLUMN = "检查编号"
SCHEDULE_SHEET = "检查安排"
ITEMS_SHEET = "检查事项清单"
PEOPLE_SHEET = "人员日程"
STATS_SHEET = "合并统计"
SIGNERS_COLUMN = "本任务检查人员"

TaskKey = tuple[str, int]  # (plan id, task number)


class NoDraws(InputProblems):
    """The ledger holds no standing draw for the requested year (or none at all)."""


@dataclass(frozen=True)
class EntityDraw:
    """One entity drawn by one standing draw, with what the visit needs from that draw."""

    draw_id: str
    plan: str
    task: int
    round: int
    task_name: str
    items: tuple[str, ...]
    period: tuple[date, date]
    departments: tuple[str, ...]
    uscc: str
    name: str
    region: str
    team: tuple[str, ...]

    @property
    def task_key(self) -> TaskKey:
        return (self.plan, self.task)

    @property
    def label(self) -> str:
        """``2024-joint-T2`` (``…-T2 第2轮`` for later rounds): short and unique within a year."""
        base = f"{self.plan}-T{self.task}"
        return base if self.round == 1 else messages.VISITS_ROUND_LABEL.format(task=base, round=self.round)


@dataclass(frozen=True)
class Member:
    badge: str
    name: str
    department: str


@dataclass
class Visit:
    """One door entry: an entity, the draws inspected together, the team and the date window."""

    visit_id: str
    uscc: str
    name: str
    region: str
    draws: list[EntityDraw]  # sorted by (plan, task, round)
    team: list[str]
    window: tuple[date, date]
    missing_departments: list[str] = field(default_factory=list)
    note: str = ""
    done: list[EntityDraw] = field(default_factory=list)  # tasks of this visit already inspected

    @property
    def tasks(self) -> list[TaskKey]:
        return [d.task_key for d in self.draws]

    def signers(self, entity_draw: EntityDraw) -> list[str]:
        """Members of this visit who belong to ``entity_draw``'s own team: they sign its result rows."""
        return [b for b in self.team if b in entity_draw.team]

    @property
    def item_count(self) -> int:
        return sum(len(d.items) for d in self.draws)

    @property
    def saved(self) -> int:
        return len(self.draws) - 1

    @property
    def tasks_text(self) -> str:
        return "；".join(f"{d.label} {d.task_name}" for d in self.draws)

    @property
    def window_text(self) -> str:
        return messages.VISITS_WINDOW.format(start=self.window[0], end=self.window[1])


@dataclass(frozen=True)
class Combination:
    """Visits that merged exactly these tasks, and the door entries they saved."""

    labels: tuple[str, ...]
    visits: int
    entity_draws: int

    @property
    def saved(self) -> int:
        return self.entity_draws - self.visits


@dataclass
class VisitPlan:
    year: int
    draw_ids: list[str]
    visits: list[Visit]
    members: dict[str, Member]
    already_recorded: int = 0  # entity-draws left out: their results are in the ledger
    entries: dict[str, int] = field(default_factory=dict)  # code → door entries this year, done ones too

    def done_text(self, visit: Visit) -> str:
        """What of ``visit`` is already inspected, in words (for the terminal)."""
        return done_text(visit)

    def team_text(self, team: Sequence[str]) -> str:
        """A team as people read it: ``姓名（执法证号）、…``."""
        return team_text(team, self.members)

    @property
    def draws_read(self) -> int:
        return len(self.draw_ids)

    @property
    def entity_draws(self) -> int:
        return sum(len(v.draws) for v in self.visits)

    @property
    def saved_entries(self) -> int:
        return self.entity_draws - len(self.visits)

    @property
    def merged(self) -> list[Visit]:
        return [v for v in self.visits if len(v.draws) > 1]

    @property
    def partly_done(self) -> list[Visit]:
        """Visits some of whose tasks were already inspected (those are left out of the visit)."""
        return [v for v in self.visits if v.done]

    @property
    def separated(self) -> list[Visit]:
        """Visits of entities that needed more than one door entry (periods or rounds apart)."""
        return [v for v in self.visits if v.note]

    def combinations(self) -> list[Combination]:
        counts: Counter[tuple[str, ...]] = Counter(tuple(d.label for d in v.draws) for v in self.visits)
        found = [Combination(labels, n, n * len(labels)) for labels, n in counts.items()]
        return sorted(found, key=lambda c: (-len(c.labels), c.labels))

    def to_dict(self) -> dict[str, Any]:
        """The documented ``visits --json`` shape (plus visit_id, name and draw_ids per visit)."""
        return {
            "year": self.year,
            "draws": self.draws_read,
            "entity_draws": self.entity_draws,
            "visits": len(self.visits),
            "saved_entries": self.saved_entries,
            "already_recorded": self.already_recorded,
            "visits_list": [
                {
                    "visit_id": v.visit_id,
                    "uscc": v.uscc,
                    "name": v.name,
                    "tasks": [[plan, task] for plan, task in v.tasks],
                    "draw_ids": [d.draw_id for d in v.draws],
                    "inspectors": list(v.team),
                    "window": [v.window[0].isoformat(), v.window[1].isoformat()],
                    "done_draw_ids": [d.draw_id for d in v.done],
                }
                for v in self.visits
            ],
        }


# --- reading the ledger ------------------------------------------------------------------------


def plan_visits(ledger: Ledger, year: int | None = None) -> VisitPlan:
    """The visits of ``year`` (default: the newest year among standing draws) from ``ledger``."""
    standing = ledger.draws()
    if year is None:
        years = [int(r.payload["year"]) for r in standing if "year" in r.payload]
        if not years:
            raise NoDraws(messages.VISITS_NO_DRAWS.format(ledger=ledger.path))
        year = max(years)
    records = ledger.draws(year=year)
    if not records:
        raise NoDraws(messages.VISITS_NO_DRAWS_YEAR.format(ledger=ledger.path, year=year))
    return build_visits(records, year, recorded=ledger.inspected_entities())


def build_visits(
    records: Sequence[Record], year: int, recorded: AbstractSet[tuple[str, str]] = frozenset()
) -> VisitPlan:
    """Visits from standing draw records (in ledger order); pure, no ledger access.

    ``recorded`` holds the (draw id, code) pairs whose results are already in the ledger: those
    entity-draws need no visit. They still count when visits are grouped and numbered, so a visit
    keeps its number as the year goes on; a visit some of whose tasks are done says so (``done``).
    """
    members = _members(records)
    by_entity: dict[str, list[EntityDraw]] = {}
    for record in records:
        for entity_draw in _entity_draws(as_draw_record(record.payload)):
            by_entity.setdefault(entity_draw.uscc, []).append(entity_draw)
    visits = [
        visit
        for uscc, draws in by_entity.items()
        for visit in _entity_visits(uscc, draws, members, year, recorded)
    ]
    visits.sort(key=lambda v: (v.region, v.uscc, v.window, v.visit_id))
    done = sum(1 for draws in by_entity.values() for d in draws if (d.draw_id, d.uscc) in recorded)
    entries = {uscc: len(group_by_window(draws)) for uscc, draws in by_entity.items()}
    return VisitPlan(year, [str(r.payload["draw_id"]) for r in records], visits, members, done, entries)


def _members(records: Sequence[Record]) -> dict[str, Member]:
    """Badge → name and department, as the newest draw listing the badge recorded them."""
    found: dict[str, Member] = {}
    for record in records:
        for badge, info in record.payload.get("inspectors", {}).items():
            found[str(badge)] = Member(str(badge), str(info.get("name", "")), str(info.get("department", "")))
    return found


def _entity_draws(payload: DrawRecord) -> Iterator[EntityDraw]:
    start, end = (date.fromisoformat(str(day)) for day in payload["period"])
    template = EntityDraw(
        draw_id=str(payload["draw_id"]),
        plan=str(payload["plan"]),
        task=int(payload["task"]),
        round=int(payload.get("round", 1)),
        task_name=str(payload.get("task_name", "")),
        items=tuple(str(item) for item in payload["items"]),
        period=(start, end),
        departments=tuple(str(d) for d in payload.get("departments", [])),
        uscc="",
        name="",
        region="",
        team=(),
    )
    for chosen in payload["selected"]:
        yield replace(
            template,
            uscc=normalize_key_one(chosen["uscc"]) or "",
            name=str(chosen.get("name", "")),
            region=str(chosen.get("region", "")),
            team=tuple(str(b) for b in chosen.get("team", [])),
        )


# --- grouping one entity's draws ---------------------------------------------------------------


def group_by_window(draws: Sequence[EntityDraw]) -> list[list[EntityDraw]]:
    """Split one entity's draws into the fewest groups whose periods share a day (see module doc).

    Example:
        >>> from datetime import date as d
        >>> def ed(task, start, end):
        ...     return EntityDraw(f"p-T{task}", "p", task, 1, "", ("x",), (start, end), (), "U", "", "", ())
        >>> march_december = ed(1, d(2024, 3, 1), d(2024, 12, 31))
        >>> january_february = ed(2, d(2024, 1, 1), d(2024, 2, 28))
        >>> february_june = ed(3, d(2024, 2, 1), d(2024, 6, 30))
        >>> groups = group_by_window([march_december, january_february, february_june])
        >>> [[e.task for e in g] for g in groups]
        [[2, 3], [1]]
    """
    pending = sorted(draws, key=lambda e: (e.period[1], e.period[0], e.plan, e.task, e.round))
    groups: list[list[EntityDraw]] = []
    while pending:
        anchor = pending[0].period[1]
        group: list[EntityDraw] = []
        rest: list[EntityDraw] = []
        for entity_draw in pending:
            taken = {g.task_key for g in group}
            joins = entity_draw.period[0] <= anchor and entity_draw.task_key not in taken
            (group if joins else rest).append(entity_draw)
        groups.append(sorted(group, key=lambda e: (e.plan, e.task, e.round)))
        pending = rest
    return groups


def combined_team(draws: Sequence[EntityDraw], members: dict[str, Member]) -> tuple[list[str], list[str]]:
    """(team, departments no merged team could supply) for one visit; see the module doc.

    Example:
        >>> staff = [("a1", "商务"), ("a2", "商务"), ("s1", "税务"), ("p1", "公安")]
        >>> m = {b: Member(b, b, dep) for b, dep in staff}
        >>> def ed(task, deps, team):
        ...     return EntityDraw("x", "p", task, 1, "", (), (date(2024, 1, 1),) * 2, deps, "U", "", "", team)
        >>> first = ed(1, ("商务", "税务"), ("a2", "s1"))
        >>> second = ed(2, ("商务", "公安"), ("a1", "a2", "p1"))
        >>> combined_team([first, second], m)
        (['a2', 's1', 'p1'], [])
        >>> internal = ed(3, ("商务",), ("a1", "a2"))
        >>> joint = ed(4, ("商务", "税务"), ("a2", "s1"))
        >>> combined_team([internal, joint], m)  # a1 joins so that internal keeps two of its own
        (['a2', 's1', 'a1'], [])
    """
    if len(draws) == 1:
        return list(draws[0].team), []
    appearances = Counter(badge for d in draws for badge in dict.fromkeys(d.team))
    ranked = sorted(appearances, key=lambda badge: (-appearances[badge], badge))
    needed = list(dict.fromkeys(dep for d in draws for dep in d.departments))
    team: list[str] = []
    missing: list[str] = []
    for department in needed:
        pick = next((b for b in ranked if _department(b, members) == department), None)
        if pick is None:
            missing.append(department)
        elif pick not in team:
            team.append(pick)
    for entity_draw in draws:
        own = [b for b in ranked if b in entity_draw.team]
        wanted = min(MIN_OFFICERS, len(own))
        for badge in own:
            if sum(b in team for b in own) >= wanted:
                break
            if badge not in team:
                team.append(badge)
    team.extend([b for b in ranked if b not in team][: max(0, MIN_OFFICERS - len(team))])  # tiny teams
    return team, missing


def _department(badge: str, members: dict[str, Member]) -> str:
    member = members.get(badge)
    return member.department if member else ""


def _entity_visits(
    uscc: str,
    draws: list[EntityDraw],
    members: dict[str, Member],
    year: int,
    recorded: AbstractSet[tuple[str, str]],
) -> list[Visit]:
    groups = group_by_window(draws)
    groups.sort(key=lambda g: (_window(g), [e.task_key for e in g]))
    note = _separation_note(draws, len(groups)) if len(groups) > 1 else ""
    newest = draws[-1]  # ledger order: the latest registry's name and region
    visits = []
    for n, group in enumerate(groups, 1):
        pending = [d for d in group if (d.draw_id, d.uscc) not in recorded]
        if not pending:
            continue
        done = [d for d in group if (d.draw_id, d.uscc) in recorded]
        team, missing = combined_team(pending, members)
        visit_id = f"{year}-{uscc}-{n}"
        window = _window(pending)
        visit = Visit(visit_id, uscc, newest.name, newest.region, pending, team, window, missing, note, done)
        visits.append(visit)
    return visits


def _window(group: Sequence[EntityDraw]) -> tuple[date, date]:
    return max(e.period[0] for e in group), min(e.period[1] for e in group)


def _separation_note(draws: Sequence[EntityDraw], visits: int) -> str:
    start, end = _window(draws)
    if start > end:
        return messages.VISITS_SPLIT_PERIODS.format(tasks=len(draws), visits=visits)
    return messages.VISITS_SPLIT_ROUNDS.format(tasks=len(draws), visits=visits)


# --- the workbook ------------------------------------------------------------------------------


def default_output(year: int) -> Path:
    return Path(f"visits-{year}.xlsx")


def write_visits(path: Path, plan: VisitPlan, *, force: bool = False, anchor: str = "") -> None:
    """The visits workbook; ``anchor``: the ledger anchor it was planned from, printed in every footer."""
    sheets = visit_sheets(plan)
    write_workbook(path, anchored(sheets, anchor) if anchor else sheets, force=force)


def visit_sheets(plan: VisitPlan) -> list[Sheet]:
    return [
        _schedule_sheet(plan),
        _items_sheet(plan),
        _people_sheet(plan),
        _stats_sheet(plan),
        results_sheet(plan),
    ]


def team_text(team: Sequence[str], members: dict[str, Member]) -> str:
    """``姓名（执法证号）、…``: the form the draw workbook uses, so the same readers parse it."""
    return "、".join(f"{members[b].name if b in members else ''}（{b}）" for b in team)


def _schedule_sheet(plan: VisitPlan) -> Sheet:
    columns = [
        Column(VISIT_ID_COLUMN, width=28), Column("统一社会信用代码", width=22), Column("名称", width=36),
        Column("区域"), Column("合并的任务", width=60), Column("检查事项数", kind="number"),
        Column("检查人员", width=48), Column("检查时间窗口", width=26), Column("抽取编号", width=40),
        Column("说明", width=50),
    ]  # fmt: skip
    return Sheet(SCHEDULE_SHEET, columns, (_schedule_row(v, plan.members) for v in plan.visits))


def _schedule_row(v: Visit, members: dict[str, Member]) -> list[object]:
    return [
        v.visit_id, v.uscc, v.name, v.region, v.tasks_text, v.item_count, team_text(v.team, members),
        v.window_text, "、".join(d.draw_id for d in v.draws), _visit_remark(v),
    ]  # fmt: skip


def done_text(visit: Visit) -> str:
    """The tasks of a visit already inspected (their results are in the ledger), for people."""
    return messages.VISITS_PARTLY_DONE.format(tasks="、".join(d.label for d in visit.done))


def _visit_remark(visit: Visit) -> str:
    parts = [visit.note] if visit.note else []
    if visit.done:
        parts.append(done_text(visit))
    if visit.missing_departments:
        missing = "、".join(visit.missing_departments)
        parts.append(messages.VISITS_MISSING_DEPARTMENTS.format(departments=missing))
    return "；".join(parts)


def _items_sheet(plan: VisitPlan) -> Sheet:
    columns = [
        Column(VISIT_ID_COLUMN, width=28), Column("统一社会信用代码", width=22), Column("名称", width=36),
        Column("抽取编号", width=22), Column("任务", width=18), Column("任务名称", width=36),
        Column("检查事项序号", kind="number"), Column("检查事项", width=60),
        Column(SIGNERS_COLUMN, width=40, comment=messages.VISITS_SIGNERS_NOTE),
    ]  # fmt: skip
    rows = (
        [
            v.visit_id,
            v.uscc,
            v.name,
            d.draw_id,
            d.label,
            d.task_name,
            i,
            item,
            team_text(v.signers(d), plan.members),
        ]
        for v in plan.visits
        for d in v.draws
        for i, item in enumerate(d.items, 1)
    )
    return Sheet(ITEMS_SHEET, columns, rows)


def _people_sheet(plan: VisitPlan) -> Sheet:
    columns = [
        Column("执法证号", width=16), Column("姓名"), Column("部门", width=28),
        Column("检查次数", kind="number"), Column("检查对象数", kind="number"),
        Column(VISIT_ID_COLUMN, width=28),
        Column("统一社会信用代码", width=22), Column("名称", width=36), Column("区域"),
        Column("检查时间窗口", width=26), Column("合并的任务", width=60),
    ]  # fmt: skip
    by_badge: dict[str, list[Visit]] = {}
    for visit in plan.visits:
        for badge in visit.team:
            by_badge.setdefault(badge, []).append(visit)
    order = sorted(by_badge, key=lambda b: (_department(b, plan.members), b))
    rows = (
        _people_row(badge, visit, by_badge[badge], plan.members)
        for badge in order
        for visit in sorted(by_badge[badge], key=lambda v: (v.window, v.region, v.visit_id))
    )
    return Sheet(PEOPLE_SHEET, columns, rows)


def _people_row(badge: str, v: Visit, all_visits: list[Visit], members: dict[str, Member]) -> list[object]:
    return [
        badge, _member_name(badge, members), _department(badge, members),
        len(all_visits), len({other.uscc for other in all_visits}),
        v.visit_id, v.uscc, v.name, v.region, v.window_text, v.tasks_text,
    ]  # fmt: skip


def _member_name(badge: str, members: dict[str, Member]) -> str:
    member = members.get(badge)
    return member.name if member else ""


def _stats_sheet(plan: VisitPlan) -> Sheet:
    columns = [
        Column("任务组合", width=60), Column("合并的任务数", kind="number"),
        Column("检查次数", kind="number"), Column("抽中户次", kind="number"),
        Column("减少进门次数", kind="number"),
    ]  # fmt: skip
    rows: list[list[object]] = [
        ["、".join(c.labels), len(c.labels), c.visits, c.entity_draws, c.saved] for c in plan.combinations()
    ]
    rows.append([messages.VISITS_TOTAL_ROW, None, len(plan.visits), plan.entity_draws, plan.saved_entries])
    title = messages.VISITS_STATS_TITLE.format(
        year=plan.year, draws=plan.draws_read, entity_draws=plan.entity_draws, visits=len(plan.visits),
        saved=plan.saved_entries,
    )  # fmt: skip
    return Sheet(STATS_SHEET, columns, rows, title=title)


def results_columns() -> list[Column]:
    """The draw workbook's ``检查结果`` columns (same kinds and dropdown) plus ``检查编号`` last."""
    return [*result_sheet_columns(), Column(VISIT_ID_COLUMN, width=28)]


def results_sheet(plan: VisitPlan) -> Sheet:
    """One row per visit × task × item, each carrying its own draw's 抽取编号; results left blank."""
    headers = [*RESULT_COLUMNS, VISIT_ID_COLUMN]
    rows = (
        [cells.get(h) for h in headers]
        for v in plan.visits
        for d in v.draws
        for i, item in enumerate(d.items, 1)
        for cells in [_result_cells(v, d, i, item)]
    )
    return Sheet(RESULT_SHEET, results_columns(), rows)


def _result_cells(visit: Visit, entity_draw: EntityDraw, number: int, item: str) -> dict[str, object]:
    return {
        "抽取编号": entity_draw.draw_id, "任务编号": entity_draw.task, "统一社会信用代码": visit.uscc,
        "名称": visit.name, "检查事项序号": number, "检查事项": item, VISIT_ID_COLUMN: visit.visit_id,
    }  # fmt: skip
