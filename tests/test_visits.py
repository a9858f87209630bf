"""Tests for jcdraw.visits (draws → visits) and jcdraw.plan_history, on draws made by the real CLI.

The registry adds five entities in several categories to the clean one. Every task they meet draws
them for sure (100% tasks, or risk class D, whose ratio is 1), so the merges are known in advance:

* M1 报废机动车 + 预付卡 (泽州)             → joint T1 + joint T4
* M2 预付卡 + 对外劳务 (泽州)                → joint T4 + internal T1
* M3 报废机动车 + 预付卡 + 对外劳务 (泽州)   → joint T1 + joint T4 + internal T1
* M4 对外劳务 + 特许经营, class D (沁水)     → internal T1 + internal T2
* M5 汽车销售 + 特许经营, class D (阳城)     → joint T2 + internal T2
"""

from __future__ import annotations

import doctest
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import PLANS_DIR, clean_entities, clean_inspectors, uscc, write_registry
from hypothesis import given, settings
from hypothesis import strategies as st

import jcdraw.results.visits
from jcdraw import messages
from jcdraw.cli.render import plan_history_table
from jcdraw.draw.history import plan_history
from jcdraw.ledger import Ledger
from jcdraw.records import RESULT_COLUMNS
from jcdraw.results.visits import (
    MIN_OFFICERS,
    EntityDraw,
    Member,
    NoDraws,
    VisitPlan,
    combined_team,
    group_by_window,
    plan_visits,
    team_text,
    write_visits,
)

SEED = "12345678901234567890"
AS_OF = "2024-04-01"
TASKS = [("joint", 1), ("joint", 2), ("joint", 4), ("internal", 1), ("internal", 2)]
MULTI = {
    "M1": ("泽州县", 901, "报废机动车回收拆解、单用途商业预付卡", "A"),
    "M2": ("泽州县", 902, "单用途商业预付卡、对外劳务合作", "B"),
    "M3": ("泽州县", 903, "报废机动车回收拆解、单用途商业预付卡、对外劳务合作", "C"),
    "M4": ("沁水县", 904, "对外劳务合作、商业特许经营", "D"),
    "M5": ("阳城县", 905, "汽车销售、商业特许经营", "D"),
}
CODES = {key: uscc(region, serial) for key, (region, serial, _c, _r) in MULTI.items()}
EXPECTED_TASKS = {
    "M1": [("2024-joint", 1), ("2024-joint", 4)],
    "M2": [("2024-internal", 1), ("2024-joint", 4)],
    "M3": [("2024-internal", 1), ("2024-joint", 1), ("2024-joint", 4)],
    "M4": [("2024-internal", 1), ("2024-internal", 2)],
    "M5": [("2024-internal", 2), ("2024-joint", 2)],
}


def multi_category_registry(path: Path) -> Path:
    entities = clean_entities()
    # Joint task 2 (30%, weighted) gives its one D seat to a D entity by ticket; M5 must be the only
    # D 汽车销售 firm in 阳城县 to be drawn there, so the clean D one is made A.
    for row in entities:
        if row[3] == "汽车销售" and row[4] == "D":
            row[4] = "A"
    for key, (region, _serial, categories, risk) in MULTI.items():
        entities.append([CODES[key], f"{region}多类别公司{key}", region, categories, risk, "存续"])
    return write_registry(path, entities=entities, inspectors=clean_inspectors())


def cli(argv: Sequence[str | Path]) -> int:
    """Run ``jcdraw.cli.main`` in-process and return its exit code."""
    from jcdraw.cli import main

    try:
        main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def draw(folder: Path, registry: Path, ledger: Path, plan: str, task: int, *extra: str) -> None:
    out = folder / f"draw-{plan}-{task}-{len(list(folder.glob('draw-*.xlsx')))}.xlsx"
    argv = ["draw", "--new-ledger", "--plan", plan, "--task", str(task), "--seed", SEED, "--as-of", AS_OF]
    code = cli([*argv, "--registry", registry, "--ledger", ledger, "--out", out, *extra])
    assert code == 0, f"draw {plan} {task} failed"


@dataclass
class Year:
    folder: Path
    registry: Path
    ledger: Path


def draw_year(folder: Path, tasks: Sequence[tuple[str, int]] = TASKS) -> Year:
    registry = multi_category_registry(folder / "registry.xlsx")
    ledger = folder / "jcdraw.sqlite3"
    for plan, task in tasks:
        draw(folder, registry, ledger, plan, task)
    return Year(folder, registry, ledger)


@pytest.fixture(scope="session")
def year_2024(tmp_path_factory: pytest.TempPathFactory) -> Year:
    """Five draws (joint 1, 2, 4; internal 1, 2) on the multi-category registry; shared, never modified."""
    return draw_year(tmp_path_factory.mktemp("visits"))


@pytest.fixture(scope="session")
def visit_plan(year_2024: Year) -> VisitPlan:
    with Ledger.open(year_2024.ledger, readonly=True) as book:
        return plan_visits(book)


def standing_payloads(ledger: Path) -> list[dict[str, Any]]:
    with Ledger.open(ledger, readonly=True) as book:
        return [r.payload for r in book.draws(year=2024)]


def teams_by_draw(payloads: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    return {(p["draw_id"], s["uscc"]): s["team"] for p in payloads for s in p["selected"]}


# --- the merge on real draws ---------------------------------------------------------------------


def test_docstring_examples_run() -> None:
    assert doctest.testmod(jcdraw.results.visits).failed == 0


def test_exactly_the_entities_drawn_by_several_tasks_are_merged(
    year_2024: Year, visit_plan: VisitPlan
) -> None:
    payloads = standing_payloads(year_2024.ledger)
    drawn_by = Counter(s["uscc"] for p in payloads for s in p["selected"])
    several = {code for code, n in drawn_by.items() if n > 1}
    assert several == set(CODES.values())
    assert {v.uscc for v in visit_plan.merged} == several
    by_code = {v.uscc: v for v in visit_plan.visits}
    assert len(by_code) == len(visit_plan.visits) == len(drawn_by)  # one visit per entity: periods overlap
    for key, tasks in EXPECTED_TASKS.items():
        visit = by_code[CODES[key]]
        assert visit.tasks == tasks
        assert visit.window == (date(2024, 3, 1), date(2024, 12, 31))
        assert visit.item_count == sum(len(d.items) for d in visit.draws)
        assert visit.note == ""


def test_counts_add_up(year_2024: Year, visit_plan: VisitPlan) -> None:
    payloads = standing_payloads(year_2024.ledger)
    entity_draws = sum(len(p["selected"]) for p in payloads)
    assert visit_plan.draws_read == len(TASKS) == len(payloads)
    assert visit_plan.entity_draws == entity_draws
    assert visit_plan.saved_entries == entity_draws - len(visit_plan.visits) == 1 + 1 + 2 + 1 + 1
    assert sum(c.saved for c in visit_plan.combinations()) == visit_plan.saved_entries
    assert sum(c.visits for c in visit_plan.combinations()) == len(visit_plan.visits)
    summary = visit_plan.to_dict()
    assert {k: summary[k] for k in ("year", "draws", "entity_draws", "visits", "saved_entries")} == {
        "year": 2024, "draws": 5, "entity_draws": entity_draws, "visits": len(visit_plan.visits),
        "saved_entries": 6,
    }  # fmt: skip
    merged = next(v for v in summary["visits_list"] if v["uscc"] == CODES["M3"])
    assert merged["tasks"] == [["2024-internal", 1], ["2024-joint", 1], ["2024-joint", 4]]
    assert merged["window"] == ["2024-03-01", "2024-12-31"]


def test_teams_keep_every_department_and_never_invent_anyone(year_2024: Year, visit_plan: VisitPlan) -> None:
    payloads = standing_payloads(year_2024.ledger)
    teams = teams_by_draw(payloads)
    departments = {p["draw_id"]: p["departments"] for p in payloads}
    for visit in visit_plan.visits:
        drawn = [teams[(d.draw_id, visit.uscc)] for d in visit.draws]
        assert set(visit.team) <= {b for team in drawn for b in team}, visit.visit_id
        assert len(visit.team) >= MIN_OFFICERS
        if len(visit.draws) == 1:
            assert visit.team == drawn[0]
        needed = {dep for d in visit.draws for dep in departments[d.draw_id]}
        assert {visit_plan.members[b].department for b in visit.team} >= needed
        assert visit.missing_departments == []
        for own in drawn:  # publish wants two members of each draw's own team on its rows
            assert len(set(own) & set(visit.team)) >= MIN_OFFICERS
    m1 = next(v for v in visit_plan.visits if v.uscc == CODES["M1"])
    assert len(m1.team) == 5  # 商务局, 公安局, 市场监管局, 公安分局 (T1) + 税务局 (T4)
    m4 = next(v for v in visit_plan.visits if v.uscc == CODES["M4"])
    assert {visit_plan.members[b].department for b in m4.team} == {"晋城市商务局"}
    assert 2 <= len(m4.team) <= 4


def test_visits_change_no_draw(year_2024: Year) -> None:
    with Ledger.open(year_2024.ledger, readonly=True) as book:
        before = (book.last_hash(), len(book.records()))
        plan_visits(book)
        assert (book.last_hash(), len(book.records())) == before


def test_redrawn_draws_are_ignored(year_2024: Year, tmp_path: Path) -> None:
    ledger = shutil.copy(year_2024.ledger, tmp_path / "copy.sqlite3")
    draw(tmp_path, year_2024.registry, Path(ledger), "internal", 2, "--redraw", "--reason", "测试重抽")
    with Ledger.open(ledger, readonly=True) as book:
        plan = plan_visits(book)
    used = {d.draw_id for v in plan.visits for d in v.draws}
    assert "2024-internal-T2-R1-2" in used
    assert "2024-internal-T2-R1-1" not in used
    assert plan.draws_read == len(TASKS)


def test_no_draws_for_the_year(year_2024: Year, tmp_path: Path) -> None:
    with Ledger.open(year_2024.ledger, readonly=True) as book, pytest.raises(NoDraws) as caught:
        plan_visits(book, 2023)
    assert caught.value.message == messages.VISITS_NO_DRAWS_YEAR.format(ledger=year_2024.ledger, year=2023)
    assert caught.value.exit_code == 1
    with Ledger.open(tmp_path / "empty.sqlite3") as empty, pytest.raises(NoDraws):
        plan_visits(empty)


# --- periods that do not overlap ----------------------------------------------------------------


def test_non_overlapping_periods_keep_separate_visits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plans").mkdir()
    text = (PLANS_DIR / "2024_internal.yaml").read_text(encoding="utf-8")
    first_period = "period: {start: 2024-03-01, end: 2024-12-31}"
    assert first_period in text
    local = text.replace(first_period, "period: {start: 2024-01-01, end: 2024-02-28}", 1)  # task 1 only
    (tmp_path / "plans" / "2024_internal.yaml").write_text(local, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    year = draw_year(tmp_path, [("joint", 1), ("joint", 4), ("internal", 1), ("internal", 2)])
    with Ledger.open(year.ledger, readonly=True) as book:
        plan = plan_visits(book)
    visits_of = {key: [v for v in plan.visits if v.uscc == code] for key, code in CODES.items()}
    assert [v.tasks for v in visits_of["M1"]] == [[("2024-joint", 1), ("2024-joint", 4)]]
    assert [v.tasks for v in visits_of["M2"]] == [[("2024-internal", 1)], [("2024-joint", 4)]]
    assert [v.tasks for v in visits_of["M3"]] == [
        [("2024-internal", 1)],
        [("2024-joint", 1), ("2024-joint", 4)],
    ]
    assert [v.tasks for v in visits_of["M4"]] == [[("2024-internal", 1)], [("2024-internal", 2)]]
    assert [v.window for v in visits_of["M4"]] == [
        (date(2024, 1, 1), date(2024, 2, 28)),
        (date(2024, 3, 1), date(2024, 12, 31)),
    ]
    assert [v.visit_id for v in visits_of["M4"]] == [f"2024-{CODES['M4']}-1", f"2024-{CODES['M4']}-2"]
    note = messages.VISITS_SPLIT_PERIODS.format(tasks=2, visits=2)
    assert [v.note for v in visits_of["M4"]] == [note, note]
    assert plan.saved_entries == 1 + 1  # M1 and M3's joint pair; nothing else overlaps
    assert plan.entity_draws - len(plan.visits) == plan.saved_entries


# --- pure functions: rounds, teams, properties ---------------------------------------------------


def entity_draw(
    plan: str, task: int, period: tuple[date, date], *, round_no: int = 1, **kw: Any
) -> EntityDraw:
    fields: dict[str, Any] = {"items": ("事项",), "departments": (), "team": ()} | kw
    return EntityDraw(
        f"{plan}-T{task}-R{round_no}-1", plan, task, round_no, "任务", fields["items"], period,
        fields["departments"], "U", "名称", "区域", fields["team"],
    )  # fmt: skip


YEAR_PERIOD = (date(2024, 3, 1), date(2024, 12, 31))


def test_two_rounds_of_one_task_are_never_one_visit() -> None:
    draws = [
        entity_draw("p", 1, YEAR_PERIOD, round_no=1),
        entity_draw("p", 1, YEAR_PERIOD, round_no=2),
        entity_draw("q", 3, YEAR_PERIOD),
    ]
    groups = group_by_window(draws)
    assert [[(e.plan, e.task, e.round) for e in g] for g in groups] == [
        [("p", 1, 1), ("q", 3, 1)],
        [("p", 1, 2)],
    ]


def test_combined_team_prefers_shared_members_then_badge_and_reports_missing_departments() -> None:
    members = {b: Member(b, b, dep) for b, dep in [("a1", "甲"), ("a2", "甲"), ("b1", "乙"), ("b2", "乙")]}
    first = entity_draw("p", 1, YEAR_PERIOD, departments=("甲", "乙"), team=("a2", "b2"))
    second = entity_draw("p", 2, YEAR_PERIOD, departments=("甲", "丙"), team=("a1", "a2"))
    assert combined_team([first, second], members) == (["a2", "b2", "a1"], ["丙"])  # a1: second keeps two
    only_one_department = entity_draw("p", 3, YEAR_PERIOD, departments=("甲",), team=("a1", "a2"))
    also = entity_draw("p", 4, YEAR_PERIOD, departments=("甲",), team=("a2", "a1"))
    assert combined_team([only_one_department, also], members) == (["a1", "a2"], [])  # tie → badge


days = st.integers(min_value=0, max_value=60).map(
    lambda n: date.fromordinal(date(2024, 1, 1).toordinal() + n)
)
BADGES = [f"b{i}" for i in range(8)]
DEPARTMENTS = ["甲", "乙", "丙"]
STAFF = {b: Member(b, b, DEPARTMENTS[i % 3]) for i, b in enumerate(BADGES)}


@st.composite
def entity_draw_lists(draw_value: Callable[..., Any]) -> list[EntityDraw]:
    count = draw_value(st.integers(min_value=1, max_value=6))
    out = []
    for n in range(count):
        start, end = sorted([draw_value(days), draw_value(days)])
        team = tuple(draw_value(st.lists(st.sampled_from(BADGES), min_size=2, max_size=4, unique=True)))
        departments = tuple(dict.fromkeys(STAFF[b].department for b in team))
        task = draw_value(st.integers(min_value=1, max_value=3))
        out.append(entity_draw("p", task, (start, end), round_no=n + 1, departments=departments, team=team))
    return out


@settings(max_examples=150, deadline=None)
@given(entity_draw_lists())
def test_grouping_and_teams_properties(draws: list[EntityDraw]) -> None:
    groups = group_by_window(draws)
    assert sorted(e.draw_id for g in groups for e in g) == sorted(e.draw_id for e in draws)
    for group in groups:
        assert max(e.period[0] for e in group) <= min(e.period[1] for e in group)  # a shared day
        assert len({e.task_key for e in group}) == len(group)
        team, missing = combined_team(group, STAFF)
        pool = {b for e in group for b in e.team}
        assert set(team) <= pool and len(set(team)) == len(team)
        assert len(team) >= min(MIN_OFFICERS, len(pool))
        assert missing == []  # every department comes from a drawn member here
        for e in group:
            assert len(set(e.team) & set(team)) >= min(MIN_OFFICERS, len(e.team))
        assert {STAFF[b].department for b in team} >= {d for e in group for d in e.departments}
    assert group_by_window(list(reversed(draws))) == groups  # the order of the input does not matter
    if len({e.task_key for e in draws}) == len(draws):
        assert len(groups) == most_disjoint(draws)  # fewest possible: each disjoint period needs its own


def most_disjoint(draws: list[EntityDraw]) -> int:
    """The largest number of pairwise non-overlapping periods (classic earliest-end greedy)."""
    count, last_end = 0, date.min
    for e in sorted(draws, key=lambda e: e.period[1]):
        if e.period[0] > last_end:
            count, last_end = count + 1, e.period[1]
    return count


# --- the workbook ---------------------------------------------------------------------------------


def test_workbook_sheets_and_combined_results_sheet(
    year_2024: Year, visit_plan: VisitPlan, tmp_path: Path
) -> None:
    out = tmp_path / "visits.xlsx"
    write_visits(out, visit_plan)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["检查安排", "检查事项清单", "人员日程", "合并统计", "检查结果"]
    results = list(book["检查结果"].iter_rows(values_only=True))
    assert list(results[0]) == [*RESULT_COLUMNS, "检查编号"]
    expected = [
        (d.draw_id, d.task, v.uscc, v.name, i, item, v.visit_id)
        for v in visit_plan.visits
        for d in v.draws
        for i, item in enumerate(d.items, 1)
    ]
    picked = [0, 1, 2, 3, 4, 5, 10]
    assert [tuple(row[c] for c in picked) for row in results[1:]] == expected
    assert all(row[6:10] == (None,) * 4 for row in results[1:])
    items = list(book["检查事项清单"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[3], row[6]) for row in items] == [(e[6], e[0], e[4]) for e in expected]
    m4 = next(v for v in visit_plan.visits if v.uscc == CODES["M4"])
    signers = {row[3]: row[8] for row in items if row[0] == m4.visit_id}
    assert signers == {d.draw_id: team_text(m4.signers(d), visit_plan.members) for d in m4.draws}
    schedule = list(book["检查安排"].iter_rows(values_only=True))
    assert schedule[0][:8] == (
        "检查编号",
        "统一社会信用代码",
        "名称",
        "区域",
        "合并的任务",
        "检查事项数",
        "检查人员",
        "检查时间窗口",
    )
    assert [row[0] for row in schedule[1:]] == [v.visit_id for v in visit_plan.visits]
    m3 = next(row for row in schedule if row[1] == CODES["M3"])
    assert m3[5] == 4 + 4 + 7 and m3[7] == "2024-03-01 至 2024-12-31"
    stats = list(book["合并统计"].iter_rows(values_only=True))
    assert stats[-1] == ("合计", None, len(visit_plan.visits), visit_plan.entity_draws, 6)
    assert ("2024-internal-T1、2024-joint-T1、2024-joint-T4", 3, 1, 3, 2) in stats
    people = list(book["人员日程"].iter_rows(min_row=2, values_only=True))
    assert len(people) == sum(len(v.team) for v in visit_plan.visits)


def test_results_dropdown_matches_the_draw_workbook(
    year_2024: Year, visit_plan: VisitPlan, tmp_path: Path
) -> None:
    out = tmp_path / "visits.xlsx"
    write_visits(out, visit_plan)
    draw_book = openpyxl.load_workbook(next(year_2024.folder.glob("draw-*.xlsx")))
    visits_book = openpyxl.load_workbook(out)
    [draw_rule] = draw_book["检查结果"].data_validations.dataValidation
    [visit_rule] = visits_book["检查结果"].data_validations.dataValidation
    assert visit_rule.formula1 == draw_rule.formula1
    assert str(visit_rule.sqref) == f"G2:G{len(list(visits_book['检查结果'].rows))}"


# --- plan history ---------------------------------------------------------------------------------


def test_plan_history_shows_both_versions_of_an_edited_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    original = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")
    (plans / "2024_joint.yaml").write_text(original, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    registry = multi_category_registry(tmp_path / "registry.xlsx")
    ledger = tmp_path / "jcdraw.sqlite3"
    draw(tmp_path, registry, ledger, "joint", 2)
    draw(tmp_path, registry, ledger, "joint", 4)
    edited = (
        original.replace("version: 2\n", "version: 3\n", 1)
        .replace("\n\n# 信用风险类别", "\n  - {version: 3, text: 任务 2 更名}\n\n# 信用风险类别", 1)
        .replace("name: 对汽车销售企业的部门联合抽查", "name: 对汽车销售企业的部门联合抽查（修订）", 1)
    )
    assert edited.count("version: 3\n") == 1 and "（修订）" in edited
    (plans / "2024_joint.yaml").write_text(edited, encoding="utf-8")
    draw(tmp_path, registry, ledger, "joint", 2, "--redraw", "--reason", "计划修订")
    with Ledger.open(ledger, readonly=True) as book:
        history = plan_history(book, 2024)
    task2 = [e for e in history if (e.plan, e.task) == ("2024-joint", 2)]
    assert [(e.plan_version, e.task_name) for e in task2] == [
        (2, "对汽车销售企业的部门联合抽查"),
        (3, "对汽车销售企业的部门联合抽查（修订）"),
    ]
    assert task2[0].plan_sha256 != task2[1].plan_sha256 and all(e.changed for e in task2)
    assert [(d.draw_id, d.superseded_by) for d in task2[0].draws] == [
        ("2024-joint-T2-R1-1", "2024-joint-T2-R1-2")
    ]
    assert [(d.draw_id, d.standing) for d in task2[1].draws] == [("2024-joint-T2-R1-2", True)]
    [task4] = [e for e in history if (e.plan, e.task) == ("2024-joint", 4)]
    assert (task4.plan_version, task4.changed, task4.plan_sha256) == (2, False, task2[0].plan_sha256)
    assert task2[0].to_dict()["draws"][0]["standing"] is False

    from rich.console import Console

    console = Console(width=300, record=True)
    console.print(plan_history_table(history))
    text = console.export_text()
    assert "（修订）" in text and "已被 2024-joint-T2-R1-2 取代" in text
    assert messages.PLAN_HISTORY_CHANGED.format(count=2) in text


def test_plan_history_of_an_empty_ledger(tmp_path: Path) -> None:
    from rich.console import Console

    from jcdraw.cli.render import print_plan_history

    with Ledger.open(tmp_path / "empty.sqlite3") as book:
        assert plan_history(book) == []
    console = Console(record=True)
    print_plan_history(console, [])
    assert console.export_text().strip() == messages.PLAN_HISTORY_EMPTY
