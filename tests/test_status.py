"""Publication progress per task (jcdraw.status): counts, deadlines, and the report workbook."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from test_publish import DONE, TEAMS, World, draw_payload, write_results

from jcdraw.ledger import Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.results.status import status
from jcdraw.results.status_report import write_status_report

# One task with five drawn entities, period ending 2024-10-31:
# (国庆 10-01..07 off, 09-29 and 10-12 work; 中秋 09-15..17 off, 09-14 works)
#   e0 completed 10-08, published 10-23 (deadline 11-04): on time
#   e1 completed 09-10, published 10-23 (deadline 10-14): late
#   e2 completed 10-10, only in the workbook (deadline 11-06): overdue on 11-20
#   e3 completed 10-25, only in the workbook (deadline 11-22): due within 5 working days of 11-20
#   e4 never inspected: uninspected once the period is over
COMPLETED = {0: date(2024, 10, 8), 1: date(2024, 9, 10), 2: date(2024, 10, 10), 3: date(2024, 10, 25)}
AS_OF = date(2024, 11, 20)


@pytest.fixture(scope="module")
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar.load(search_dirs=[])


@pytest.fixture
def world(tmp_path: Path, calendar: WorkdayCalendar) -> World:
    return World(tmp_path, tmp_path / "jcdraw.sqlite3", calendar)


@pytest.fixture
def season(world: World, tmp_path: Path) -> tuple[World, Path]:
    drawn = world.draw(draw_payload(entities=5, period=("2024-03-01", "2024-10-31"), as_of="2024-04-01"))

    def fill(until: int):  # type: ignore[no-untyped-def]
        return lambda e, i: ("未发现问题", COMPLETED[e], "、".join(TEAMS[e % 2])) if e <= until else None

    report = world.publish(
        write_results(tmp_path / "first.xlsx", drawn.rows(fill(1))), as_of=date(2024, 10, 23)
    )
    assert (report.published, report.on_time, report.late) == (2, 1, 1)
    return world, write_results(tmp_path / "filling.xlsx", drawn.rows(fill(3)))


def test_the_deadlines_in_the_scenario(calendar: WorkdayCalendar) -> None:
    deadlines = {e: calendar.deadline(d) for e, d in COMPLETED.items()}
    assert deadlines == {
        0: date(2024, 11, 4), 1: date(2024, 10, 14), 2: date(2024, 11, 6), 3: date(2024, 11, 22),
    }  # fmt: skip
    assert calendar.deadline(AS_OF, 5) == date(2024, 11, 27)


def test_counts_per_task(season: tuple[World, Path], calendar: WorkdayCalendar) -> None:
    world, filling = season
    with Ledger.open(world.ledger_path, readonly=True) as ledger:
        report = status(ledger, as_of=AS_OF, calendar=calendar, results=[filling])
    assert report.to_dict() == {
        "as_of": "2024-11-20",
        "tasks": [
            {
                "plan": "2024-joint", "task": 1, "drawn": 5, "recorded": 2, "published": 2, "on_time": 1,
                "late": 1, "due_soon": 1, "overdue": 1, "uninspected": 1,
                # 公示率 = 已公示 ÷ 已检查 (e0, e1 recorded; e2, e3 complete in the workbook): 2 / 4.
                "publication_rate": 0.5, "inspected": 4, "out_of_period": 0, "completion_rate": 0.4,
                "undrawn": False, "period_ended": True,
            }
        ],
        "followups": [],  # every result is 未发现问题: nothing to follow up
    }  # fmt: skip
    assert report.overdue == 1 and report.due_soon == 1
    pending = report.pending[["uscc", "completed", "deadline", "state", "source"]].values.tolist()
    usccs = report.pending["uscc"].tolist()
    assert pending == [
        [usccs[0], date(2024, 10, 10), date(2024, 11, 6), "overdue", "workbook"],
        [usccs[1], date(2024, 10, 25), date(2024, 11, 22), "due_soon", "workbook"],
    ]


def test_without_workbooks_only_the_ledger_counts(
    season: tuple[World, Path], calendar: WorkdayCalendar
) -> None:
    world, _ = season
    with Ledger.open(world.ledger_path, readonly=True) as ledger:
        report = status(ledger, as_of=AS_OF, calendar=calendar)
    (task,) = report.to_dict()["tasks"]
    assert (task["due_soon"], task["overdue"], task["uninspected"]) == (0, 0, 3)
    assert report.overdue == 0 and report.pending.empty


def test_before_the_period_ends_nothing_is_uninspected(
    season: tuple[World, Path], calendar: WorkdayCalendar
) -> None:
    world, filling = season
    with Ledger.open(world.ledger_path, readonly=True) as ledger:
        report = status(ledger, as_of=date(2024, 10, 31), calendar=calendar, results=[filling])
    (task,) = report.to_dict()["tasks"]
    assert (task["due_soon"], task["overdue"], task["uninspected"]) == (1, 0, 0)  # e2: 11-06 ≤ 11-07
    assert report.pending["state"].tolist() == ["due_soon", "waiting"]


def test_the_deadline_day_itself_is_due_not_overdue(
    season: tuple[World, Path], calendar: WorkdayCalendar
) -> None:
    world, filling = season
    with Ledger.open(world.ledger_path, readonly=True) as ledger:
        on_deadline = status(ledger, as_of=date(2024, 11, 6), calendar=calendar, results=[filling])
        after = status(ledger, as_of=date(2024, 11, 7), calendar=calendar, results=[filling])
    assert on_deadline.pending["state"].tolist() == ["due_soon", "waiting"]
    assert after.pending["state"].tolist() == ["overdue", "waiting"]


def test_recorded_but_unpublished_results_come_from_the_ledger(
    world: World, calendar: WorkdayCalendar
) -> None:
    drawn = world.draw(draw_payload(entities=1))
    with Ledger.open(world.ledger_path) as ledger:  # as a future recording command might
        ledger.record_results(
            {"draw_id": drawn.draw_id, "uscc": drawn.payload["selected"][0]["uscc"], "item": str(i),
             "result": ["未发现问题"], "completed": DONE.isoformat(), "badges": TEAMS[0]}
            for i in range(1, 5)
        )  # fmt: skip
        report = status(ledger, as_of=date(2024, 10, 24), calendar=calendar)
    (task,) = report.to_dict()["tasks"]
    assert (task["recorded"], task["published"], task["overdue"], task["publication_rate"]) == (1, 0, 1, 0.0)
    assert report.pending[["deadline", "state", "source"]].values.tolist() == [
        [date(2024, 10, 23), "overdue", "ledger"]
    ]


def test_an_empty_ledger_has_no_tasks(tmp_path: Path, calendar: WorkdayCalendar) -> None:
    Ledger.open(tmp_path / "l.sqlite3").close()
    with Ledger.open(tmp_path / "l.sqlite3", readonly=True) as ledger:
        report = status(ledger, as_of=AS_OF, calendar=calendar)
    assert report.to_dict() == {"as_of": "2024-11-20", "tasks": [], "followups": []} and report.overdue == 0
    assert not report.needs_attention


def test_the_report_workbook_has_the_tables_and_a_bar_chart(
    season: tuple[World, Path], calendar: WorkdayCalendar, tmp_path: Path
) -> None:
    world, filling = season
    with Ledger.open(world.ledger_path, readonly=True) as ledger:
        report = status(ledger, as_of=AS_OF, calendar=calendar, results=[filling])
    path = tmp_path / "status.xlsx"
    write_status_report(path, report)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["公示进度", "待公示", "期满未检查", "超出计划期限"]
    progress = [tuple(r) for r in book["公示进度"].iter_rows(values_only=True)]
    assert progress[0][0] == "公示进度（截至 2024-11-20）"
    assert progress[1][:5] == ("任务", "计划编号", "任务编号", "任务名称", "抽取对象")
    assert progress[2][:3] == ("2024-joint 任务1", "2024-joint", 1)
    # drawn, recorded, published, on time, late, due soon, overdue, uninspected, 公示率, 已检查,
    # 超出计划期限, 完成率, state
    assert progress[2][4:] == (5, 2, 2, 1, 1, 1, 1, 1, 0.5, 4, 0, 0.4, None)
    pending = [tuple(r) for r in book["待公示"].iter_rows(min_row=3, values_only=True)]
    assert [row[7] for row in pending] == ["已逾期未公示", "5个工作日内到期"]
    with zipfile.ZipFile(path) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert "<c:barChart>" in chart and "公示进度" in chart
