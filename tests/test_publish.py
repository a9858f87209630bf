"""Checking, recording and publishing inspection results (jcdraw.publish, jcdraw.publicity_html).

Draws are recorded with ``Ledger.record_draw`` and payloads of the draw contract's shape; results
workbooks are written with openpyxl, as an inspector's Excel would save them. The helpers here are
also used by test_status.py and test_cli_publish.py.
"""

from __future__ import annotations

import doctest
import hashlib
import html
import re
import sqlite3
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import jcdraw.plans.categories
import jcdraw.publicity.html
import jcdraw.publicity.model
import jcdraw.publicity.publish
import jcdraw.results.sheet
import jcdraw.results.view
from jcdraw.errors import BadInvocation, CalendarMissing, LedgerError, OutputError
from jcdraw.io.xlsx_write import write_workbook
from jcdraw.ledger import Anchor, Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.categories import CategoryParser, load_result_categories
from jcdraw.plans.load import load_plan
from jcdraw.publicity.html import render_html
from jcdraw.publicity.model import build_publicity
from jcdraw.publicity.publish import publish
from jcdraw.publicity.workbook import publicity_sheets
from jcdraw.registry.uscc import make_uscc
from jcdraw.results.correct import correct
from jcdraw.results.view import LedgerView

ROOT = Path(__file__).resolve().parents[1]
PLAN_FILE = ROOT / "plans" / "2024_joint.yaml"
PLAN = load_plan(PLAN_FILE)
ITEMS = list(PLAN.task(1).items)  # 4 items
HEADER = ["抽取编号", "任务编号", "统一社会信用代码", "名称", "检查事项序号", "检查事项",
          "检查结果", "检查日期", "检查人员执法证号", "备注"]  # fmt: skip
INSPECTORS = {
    "1405000001": {"name": "王建国", "department": "晋城市商务局", "phone": "13912345678"},
    "1405000002": {"name": "李红梅", "department": "晋城市公安局", "phone": "13887654321"},
    "1405000003": {"name": "赵志强", "department": "晋城市商务局", "phone": "13700001111"},
    "1405000004": {"name": "钱晓燕", "department": "晋城市公安局", "phone": "13600002222"},
}
TEAMS = [["1405000001", "1405000002"], ["1405000003", "1405000004"]]
RISK_CLASSES = ["A", "B", "C", "D"]
DONE = date(2024, 9, 20)  # deadline (20th working day after) is 2024-10-23


@pytest.fixture(scope="module")
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar.load(search_dirs=[])


def code(n: int) -> str:
    return make_uscc(f"9114052500000{n:04d}")


def draw_payload(
    entities: int = 3,
    *,
    task: int = 1,
    as_of: str = "2024-09-01",
    period: Sequence[str] = ("2024-03-01", "2024-12-31"),
    names: Sequence[str] | None = None,
    first: int = 0,
) -> dict[str, Any]:
    """A draw record of the contract's shape for task ``task`` of the 2024 joint plan."""
    plan_task = PLAN.task(task)
    selected = [
        {
            "uscc": code(first + i),
            "name": names[i] if names else f"泽州县报废机动车回收公司{first + i}",
            "region": "泽州县",
            "risk_class": RISK_CLASSES[i % 4],
            "ticket": f"{i:064x}",
            "team": TEAMS[i % 2],
        }
        for i in range(entities)
    ]
    strata = [
        {"class": c, "eligible": 10, "ratio": 1.0, "drawn": 1, "frequency": 1, "in_round": True}
        for c in "ABCD"
    ]
    return {
        "plan": PLAN.id, "plan_name": PLAN.name, "document_number": PLAN.document_number,
        "plan_path": str(PLAN_FILE), "plan_sha256": PLAN.sha256, "plan_version": PLAN.version, "year": 2024,
        "task": task, "task_name": plan_task.name, "category": plan_task.category,
        "items": list(plan_task.items), "period": list(period), "round": 1, "seed": "3" * 20,
        "registry_sha256": "0" * 64, "pool_sha256": "0" * 64, "strata": strata, "selected": selected,
        "inspectors": INSPECTORS, "as_of": as_of, "tool_version": "test",
        "departments": plan_task.departments,
    }  # fmt: skip


@dataclass
class World:
    """A ledger with draws, and helpers to write results workbooks and publish them."""

    folder: Path
    ledger_path: Path
    calendar: WorkdayCalendar

    def draw(
        self, payload: dict[str, Any] | None = None, *, round_no: int = 1, reason: str | None = None
    ) -> Drawn:
        payload = payload or draw_payload()
        with Ledger.open(self.ledger_path) as ledger:
            draw_id = ledger.record_draw(PLAN.id, payload["task"], round_no, payload, redraw_reason=reason)
        return Drawn(draw_id, payload)

    def publish(
        self, workbook: Path, as_of: date = date(2024, 10, 23), **options: Any
    ) -> jcdraw.publicity.publish.PublishReport:
        options.setdefault("out", self.folder / "公示.xlsx")
        options.setdefault("force", True)
        with Ledger.open(self.ledger_path, create=False) as ledger:
            return publish(workbook, ledger, as_of=as_of, calendar=self.calendar, **options)

    def records(self, kind: str | None = None) -> int:
        with Ledger.open(self.ledger_path, create=False) as ledger:
            return len(ledger.records(kind))


@dataclass
class Drawn:
    draw_id: str
    payload: dict[str, Any]

    def rows(self, fill: Callable[[int, int], Sequence[Any] | None] | None = None) -> list[list[Any]]:
        """Sheet rows (entity × item); ``fill(entity, item)`` gives (result, date, badges) or None."""
        fill = fill or (lambda e, i: ("未发现问题", DONE, "、".join(self.payload["selected"][e]["team"])))
        out = []
        for e, chosen in enumerate(self.payload["selected"]):
            for i, text in enumerate(self.payload["items"], 1):
                values = fill(e, i)
                out.append([self.draw_id, self.payload["task"], chosen["uscc"], chosen["name"], i, text,
                            *(values or (None, None, None)), None])  # fmt: skip
        return out


def write_results(
    path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, above: int = 0
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检查结果"
    for _ in range(above):
        sheet.append(["晋城市商务局抽查检查结果"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def world(tmp_path: Path, calendar: WorkdayCalendar) -> World:
    return World(tmp_path, tmp_path / "jcdraw.sqlite3", calendar)


def codes(report: jcdraw.publicity.publish.PublishReport) -> list[tuple[str, int | None, str | None]]:
    return [(p.code, p.row, p.column) for p in report.problems]


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def named(path: Path, sheet: str) -> list[dict[str, Any]]:
    """The data rows of ``sheet``, each as header → cell (the header is the first row)."""
    header, *rows = cells(path)[sheet]
    return [dict(zip(header, row, strict=True)) for row in rows]


# --- doctests and categories -----------------------------------------------------------------------


def test_doctests() -> None:
    for module in (jcdraw.plans.categories, jcdraw.publicity.model, jcdraw.publicity.html):
        assert doctest.testmod(module).failed == 0


PARSER = CategoryParser(load_result_categories())


def test_categories_split_greedily_around_the_category_that_contains_a_dunhao() -> None:
    parsed = PARSER.parse("公示信息隐瞒真实情况、弄虚作假、发现问题已责令改正")
    assert parsed.categories == ("公示信息隐瞒真实情况、弄虚作假", "发现问题已责令改正")
    assert parsed.unknown == () and parsed.clash is None
    # Order follows the configured list; spaces, full-width punctuation and repeats do not matter.
    parsed = PARSER.parse(" 发现问题已责令改正，未按规定公示应当公示的信息、发现问题已责令改正 ")
    assert parsed.categories == ("未按规定公示应当公示的信息", "发现问题已责令改正")
    assert PARSER.parse("通过登记的住所(经营场所)无法联系").categories == (
        "通过登记的住所（经营场所）无法联系",
    )
    assert PARSER.parse("公示信息隐瞒真实情况").unknown == ("公示信息隐瞒真实情况",)
    assert PARSER.parse("未发现问题、已注销").clash == "未发现问题"
    assert PARSER.parse("已注销吗").unknown == ("已注销吗",)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(load_result_categories().categories[1:]), min_size=1, max_size=5),
    st.sampled_from(["、", "，", ",", "；"]),
)
def test_any_joined_categories_parse_back(chosen: list[str], separator: str) -> None:
    parsed = PARSER.parse(separator.join(chosen))
    assert set(parsed.categories) == set(chosen)
    assert parsed.unknown == () and parsed.clash is None


# --- deadlines and publication --------------------------------------------------------------------


def test_published_on_the_twentieth_working_day_is_on_time_and_the_next_day_late(
    world: World, tmp_path: Path
) -> None:
    drawn = world.draw(draw_payload(entities=2))
    book = write_results(tmp_path / "r.xlsx", drawn.rows())
    report = world.publish(book, as_of=date(2024, 10, 23))
    assert (report.recorded, report.published, report.on_time, report.late) == (2, 2, 2, 0)
    assert report.rows_recorded == 8
    with Ledger.open(world.ledger_path, create=False) as ledger:
        (record,) = ledger.records("publication")
    assert record.key == "2024-10-23"
    assert {e["deadline"] for e in record.payload["published"]} == {"2024-10-23"}
    assert all(e["on_time"] for e in record.payload["published"])
    assert record.payload["counts"] == {"entities": 2, "on_time": 2, "late": 0}

    other = World(tmp_path / "late", tmp_path / "late.sqlite3", world.calendar)
    other.folder.mkdir()
    drawn = other.draw(draw_payload(entities=2))
    report = other.publish(write_results(tmp_path / "r2.xlsx", drawn.rows()), as_of=date(2024, 10, 24))
    assert (report.recorded, report.published, report.on_time, report.late) == (2, 2, 0, 2)
    stats = cells(other.folder / "公示.xlsx")["公示统计"]
    assert stats[1][3:] == (2, 2, 2, 0, 2, 1, 1)  # drawn, recorded, published, on time, late, 公示率, 完成率


def test_publishing_the_same_workbook_again_records_nothing(world: World, tmp_path: Path) -> None:
    drawn = world.draw()
    book = write_results(tmp_path / "r.xlsx", drawn.rows())
    world.publish(book)
    before = world.records()
    report = world.publish(book, as_of=date(2024, 10, 25))
    assert report.ok and report.to_dict() == {
        "recorded": 0,
        "published": 0,
        "on_time": 0,
        "late": 0,
        "problems": [],
    }
    assert world.records() == before


def file_states(*paths: Path) -> list[tuple[bytes, int]]:
    """Bytes and inode of each file: an atomic rewrite gives a new inode even for the same bytes."""
    return [(path.read_bytes(), path.stat().st_ino) for path in paths]


def ledger_state(world: World) -> tuple[int, str]:
    with Ledger.open(world.ledger_path, create=False) as ledger:
        return len(ledger.records()), ledger.last_hash()


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_republishing_nothing_new_leaves_the_outputs_and_the_ledger_untouched(
    world: World, tmp_path: Path
) -> None:
    drawn = world.draw()
    book = write_results(tmp_path / "r.xlsx", drawn.rows())
    out, page = world.folder / "公示.xlsx", tmp_path / "公示.html"
    world.publish(book, html=page)
    before, ledger_before = file_states(out, page), ledger_state(world)
    report = world.publish(book, html=page)
    assert report.ok and (report.recorded, report.published) == (0, 0) and report.outputs == [out, page]
    assert file_states(out, page) == before and ledger_state(world) == ledger_before
    # What rendering again would write: the same page, and the same workbook but for its creation time.
    with Ledger.open(world.ledger_path, create=False) as ledger:
        # The anchor the first run printed: the head just before its publication record.
        [publication] = ledger.records("publication")
        shown = ledger.records()[publication.seq - 2]
        assert ledger.anchor(skipping="publication") == Anchor(ledger.ledger_id, shown.seq, shown.hash)
        anchor = ledger.anchor(skipping="publication").text()
        publicity = build_publicity(LedgerView.load(ledger), [PLAN.id], date(2024, 10, 23), anchor=anchor)
    assert render_html(publicity).encode("utf-8") == page.read_bytes()
    write_workbook(tmp_path / "again.xlsx", publicity_sheets(publicity))
    fresh, kept = zip_members(tmp_path / "again.xlsx"), zip_members(out)
    assert fresh.keys() == kept.keys()
    assert [n for n in fresh if fresh[n] != kept[n]] in ([], ["docProps/core.xml"])


def test_outputs_are_rendered_again_whenever_what_they_show_may_differ(world: World, tmp_path: Path) -> None:
    drawn = world.draw()
    book = write_results(tmp_path / "r.xlsx", drawn.rows())
    out, page = world.folder / "公示.xlsx", tmp_path / "公示.html"
    world.publish(book, html=page)
    original = page.read_bytes()

    page.write_bytes(original + b" ")  # edited by hand: no longer what the ledger recorded
    world.publish(book, html=page)
    assert page.read_bytes() == original

    workbook = file_states(out)
    world.publish(book, html=page, as_of=date(2024, 10, 25))  # the page shows the date; the workbook not
    assert file_states(out) == workbook and "2024-10-25" in page.read_text(encoding="utf-8")
    assert page.read_bytes() != original

    world.draw(draw_payload(task=2, first=20))  # newer than the last publication
    world.publish(book, html=page, as_of=date(2024, 10, 25))
    assert file_states(out) != workbook
    assert [row["任务名称"] for row in named(out, "抽查任务")] == [PLAN.task(1).name, PLAN.task(2).name]


def test_outputs_are_rendered_again_when_the_plan_file_is_not_the_one_drawn(
    world: World, tmp_path: Path
) -> None:
    drawn = world.draw({**draw_payload(), "plan_sha256": "0" * 64})
    book = write_results(tmp_path / "r.xlsx", drawn.rows())
    world.publish(book)
    before = file_states(world.folder / "公示.xlsx")
    world.publish(book)
    assert file_states(world.folder / "公示.xlsx") != before


def test_a_changed_result_is_refused_and_points_to_correct(world: World, tmp_path: Path) -> None:
    drawn = world.draw()
    world.publish(write_results(tmp_path / "r.xlsx", drawn.rows()))
    before = world.records()
    rows = drawn.rows()
    rows[1][6] = "发现问题已责令改正"
    report = world.publish(write_results(tmp_path / "changed.xlsx", rows))
    assert codes(report) == [("result-changed", 3, "检查结果")]
    message = report.problems[0].message
    assert "jcdraw correct" in message and f"--draw {drawn.draw_id}" in message and "--item 2" in message
    assert "未发现问题" in message
    assert world.records() == before


def test_pending_rows_are_not_errors_and_later_rows_publish_cumulatively(
    world: World, tmp_path: Path
) -> None:
    drawn = world.draw()
    first = drawn.rows(lambda e, i: ("未发现问题", DONE, "1405000001、1405000002") if e == 0 else None)
    report = world.publish(write_results(tmp_path / "r1.xlsx", first))
    assert (report.recorded, report.published, report.pending) == (1, 1, 2)
    report = world.publish(write_results(tmp_path / "r2.xlsx", drawn.rows()), as_of=date(2024, 10, 30))
    assert (report.recorded, report.published, report.on_time, report.late) == (2, 2, 0, 2)
    results = named(world.folder / "公示.xlsx", "检查结果")
    assert len(results) == 3 * 4  # every published row so far, not only this workbook's
    assert [r["统一社会信用代码"] for r in results[::4]] == [code(0), code(1), code(2)]


def test_extra_columns_and_a_title_row_above_the_header_are_accepted(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(entities=1))
    rows = [[*row, f"V{n}"] for n, row in enumerate(drawn.rows())]
    report = world.publish(write_results(tmp_path / "v.xlsx", rows, header=[*HEADER, "检查编号"], above=1))
    assert report.ok and report.recorded == 1


def test_an_output_that_exists_is_refused_before_the_ledger_changes(world: World, tmp_path: Path) -> None:
    drawn = world.draw()
    (tmp_path / "公示.xlsx").write_text("keep")
    before = world.records()
    with pytest.raises(OutputError):
        world.publish(write_results(tmp_path / "r.xlsx", drawn.rows()), force=False)
    assert world.records() == before and (tmp_path / "公示.xlsx").read_text() == "keep"


def test_a_deadline_in_an_unknown_year_stops_without_recording(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(period=("2026-03-01", "2026-12-31"), as_of="2026-03-02"))
    rows = drawn.rows(lambda e, i: ("未发现问题", date(2026, 12, 20), "、".join(TEAMS[e % 2])))
    before = world.records()
    with pytest.raises(CalendarMissing) as caught:
        world.publish(write_results(tmp_path / "r.xlsx", rows), as_of=date(2026, 12, 21))
    assert caught.value.year == 2027 and "2027" in caught.value.message
    assert world.records() == before


# --- validation -----------------------------------------------------------------------------------


DRAW, TASK, CODE, ITEM, TEXT, RESULT, DAY, TEAM = (HEADER[i] for i in (0, 1, 2, 4, 5, 6, 7, 8))
Rows = list[list[Any]]
Edit = tuple[int, str, Any]  # Excel row, column, new value


def _mutate(rows: Rows, row: int, column: str, value: Any) -> Rows:
    rows[row - 2][HEADER.index(column)] = value
    return rows


def _edits(*edits: Edit) -> Callable[[Rows], Rows]:
    def apply(rows: Rows) -> Rows:
        for row, column, value in edits:
            _mutate(rows, row, column, value)
        return rows

    return apply


CASES: dict[str, tuple[Callable[[Rows], Rows], list[tuple[str, int, str]]]] = {
    "unknown draw id": (_edits((2, DRAW, "2024-joint-T9-R1-1")), [("result-draw-unknown", 2, DRAW)]),
    "missing draw id": (_edits((2, DRAW, None)), [("result-draw-missing", 2, DRAW)]),
    "wrong task": (_edits((3, TASK, 2)), [("result-task-mismatch", 3, TASK)]),
    "entity not drawn": (_edits((4, CODE, code(77))), [("result-entity-not-drawn", 4, CODE)]),
    "wrong item number": (_edits((5, ITEM, 9)), [("result-item-unknown", 5, ITEM)]),
    "wrong item text": (_edits((3, TEXT, "其他事项")), [("result-item-mismatch", 3, TEXT)]),
    "bad result text": (_edits((2, RESULT, "合格")), [("result-unknown", 2, RESULT)]),
    "no result": (_edits((2, RESULT, None)), [("result-missing", 2, RESULT)]),
    "未发现问题 with another": (_edits((2, RESULT, "未发现问题、已注销")), [("result-exclusive", 2, RESULT)]),
    "date in the future": (_edits((2, DAY, date(2024, 10, 24))), [("result-date-future", 2, DAY)]),
    "date after the period and in the future": (
        _edits((2, DAY, date(2025, 1, 3))),
        [("result-date-future", 2, DAY)],
    ),
    "not a date": (_edits((2, DAY, "九月二十日")), [("result-date-bad", 2, DAY)]),
    "no date": (_edits((2, DAY, None)), [("result-date-missing", 2, DAY)]),
    "badge not in team": (
        _edits((2, TEAM, "1405000001、1405000003")),
        [("result-badge-not-in-team", 2, TEAM)],
    ),
    "only one badge": (_edits((2, TEAM, "1405000001")), [("result-badges-too-few", 2, TEAM)]),
    "same badge twice": (_edits((2, TEAM, "1405000001，1405000001")), [("result-badges-too-few", 2, TEAM)]),
    "no badges": (_edits((2, TEAM, None)), [("result-badges-missing", 2, TEAM)]),
    "entity partly filled": (
        _edits((5, RESULT, None), (5, DAY, None), (5, TEAM, None)),
        [("result-entity-incomplete", 5, RESULT)],
    ),
    "row deleted": (lambda r: r[:3] + r[4:], [("result-entity-rows-absent", 2, CODE)]),
    "row twice": (
        lambda r: [*r, list(r[0])],
        [("result-duplicate-row", 2, ITEM), ("result-duplicate-row", 10, ITEM)],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_failing_row_is_reported_and_nothing_is_recorded(
    world: World, tmp_path: Path, case: str
) -> None:
    mutate, expected = CASES[case]
    drawn = world.draw(draw_payload(entities=2))
    before = world.records()
    report = world.publish(write_results(tmp_path / "r.xlsx", mutate(drawn.rows())))
    assert sorted(codes(report)) == sorted(expected)
    assert not report.ok and report.recorded == 0
    assert world.records() == before
    assert not (world.folder / "公示.xlsx").exists()
    assert all(p.sheet == "检查结果" and p.message for p in report.problems)


def test_messages_name_the_value_and_the_fix(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(entities=2, period=("2024-03-01", "2024-09-25")))
    rows = drawn.rows()
    _mutate(rows, 2, "检查日期", date(2024, 9, 30))
    _mutate(rows, 3, "检查人员执法证号", "1405000001、1405000003")
    _mutate(rows, 4, "检查结果", "未发现问题、已吊销")
    report = world.publish(write_results(tmp_path / "r.xlsx", rows))
    by_code = {p.code: p for p in report.problems}
    late = by_code["result-date-outside-period"]
    assert (late.severity, late.value) == ("warning", "2024-09-30")
    assert "2024-03-01 至 2024-09-25" in late.message and "超出计划期限" in late.message
    assert by_code["result-badge-not-in-team"].value == "1405000003"
    assert "jcdraw correct --date" in late.message
    assert "1405000001、1405000002" in by_code["result-badge-not-in-team"].message
    assert "请只填“未发现问题”" in by_code["result-exclusive"].message
    assert len(report.problems) == 3  # every problem at once


def test_results_of_a_superseded_draw_are_refused(world: World, tmp_path: Path) -> None:
    old = world.draw(draw_payload(entities=2))
    new = world.draw(draw_payload(entities=2, first=10), reason="名录库漏登企业")
    report = world.publish(write_results(tmp_path / "r.xlsx", old.rows()))
    assert {c for c, _, _ in codes(report)} == {"result-draw-superseded"}
    assert new.draw_id in report.problems[0].message
    assert world.publish(write_results(tmp_path / "new.xlsx", new.rows())).ok


def test_codes_typed_by_hand_are_normalised(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(entities=1))
    rows = drawn.rows(lambda e, i: ("未发现问题", "2024年9月20日", " 1405000001 ； 1405000002 "))
    for row in rows:
        row[2] = f" {row[2].lower()}\u200b"
    report = world.publish(write_results(tmp_path / "r.xlsx", rows))
    assert report.ok and report.recorded == 1


def test_typed_task_and_item_numbers_compare_as_numbers() -> None:
    typed = pd.Series(["01", "٣", "1a", None, "0000000001", "1234567890", "١٢"] * 2, dtype=object)
    numbers = jcdraw.results.sheet._number_text(typed)
    assert numbers.tolist() == ["1", "3", "1a", None, "0000000001", "1234567890", "12"] * 2
    assert numbers.dtype == object


# --- corrections ----------------------------------------------------------------------------------


def test_a_correction_is_published_with_its_explanation(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(entities=1))
    book = write_results(tmp_path / "r.xlsx", drawn.rows())
    world.publish(book)
    approval = tmp_path / "批件.pdf"
    approval.write_bytes(b"%PDF scan")
    with Ledger.open(world.ledger_path, create=False) as ledger:
        done = correct(
            ledger, draw_id=drawn.draw_id, uscc=code(0).lower(), item=2, result="发现问题已责令改正",
            approved_by="张三", approval_ref="晋市商〔2024〕12号", reason="录入时选错结果",
            approval_file=approval, today=date(2024, 10, 28),
        )  # fmt: skip
        (record,) = ledger.records("correction")
        assert ledger.result_for(drawn.draw_id, code(0), "2")["result"] == ["发现问题已责令改正"]  # type: ignore[index]
    assert (done.old, done.new) == ("未发现问题", "发现问题已责令改正")
    assert record.payload["old"] == {"result": ["未发现问题"]}
    assert record.payload["approval_file_sha256"] == hashlib.sha256(b"%PDF scan").hexdigest()
    assert (record.payload["approved_by"], record.payload["approval_ref"]) == ("张三", "晋市商〔2024〕12号")
    report = world.publish(
        book, as_of=date(2024, 10, 29), html=tmp_path / "p.html"
    )  # the old workbook still passes
    assert report.ok and report.recorded == 0
    results = named(world.folder / "公示.xlsx", "检查结果")
    assert results[1]["检查结果"] == "发现问题已责令改正"
    assert (
        results[1]["更正说明"]
        == "2024-10-28 经 张三 批准（晋市商〔2024〕12号）更正，原结果：未发现问题；原因：录入时选错结果"
    )
    assert results[0]["更正说明"] is None
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert (
        "2024-10-28 经 张三 批准（晋市商〔2024〕12号）更正，原结果：未发现问题；原因：录入时选错结果" in html
    )
    with Ledger.open(world.ledger_path, create=False) as ledger:
        shown = ledger.records("publication")[-1].payload["corrections"]
    assert shown == [{"key": f"{drawn.draw_id}|{code(0)}|2", "count": 1}]


def test_the_ledger_view_holds_what_decoding_every_result_gives(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(entities=3))
    world.publish(write_results(tmp_path / "r.xlsx", drawn.rows()))
    with Ledger.open(world.ledger_path, create=False) as ledger:
        for item, result in ((2, "发现问题已责令改正"), (2, "已注销"), (3, "发现问题已责令改正")):
            correct(
                ledger, draw_id=drawn.draw_id, uscc=code(1), item=item, result=result, approved_by="张三",
                approval_ref="晋市商〔2024〕12号", reason="录入错误", today=date(2024, 10, 28),
            )  # fmt: skip
        table = LedgerView.load(ledger).results
        decoded = [jcdraw.results.view._decoded_row(r) for r in ledger.results()]  # row by row, as before
    assert_frame_equal(table, pd.DataFrame(decoded, columns=table.columns, dtype=object))
    corrected = table.set_index("key").loc[f"{drawn.draw_id}|{code(1)}|2"]
    assert (corrected["result"], corrected["result_original"]) == ("已注销", "未发现问题")
    assert len(corrected["corrections"]) == 2


def test_expected_rows_and_teams_do_not_depend_on_which_draws_are_asked_for_together(world: World) -> None:
    first = world.draw(draw_payload(entities=3)).draw_id
    second = world.draw(draw_payload(entities=2, task=2, first=10, names=["甲 公司", "<乙>"])).draw_id
    with Ledger.open(world.ledger_path, create=False) as ledger:
        together, apart = LedgerView.load(ledger), [LedgerView.load(ledger) for _ in range(2)]
    one_by_one = [apart[0].expected([second]), apart[1].expected([first])]
    assert_frame_equal(together.expected([second, first, second]), pd.concat(one_by_one, ignore_index=True))
    assert_frame_equal(together.expected([first]), apart[1].expected([first]))  # cached, the same
    assert together.expected(["unknown"]).empty
    teams = pd.concat([apart[0].teams([second]), apart[1].teams([first])], ignore_index=True)
    assert_frame_equal(together.teams([second, first]), teams)
    assert together.teams([first])["entity"].tolist() == [f"{first}|{code(n)}" for n in (0, 0, 1, 1, 2, 2)]


def test_corrections_need_approval_a_valid_result_and_a_recorded_result(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(entities=2))
    world.publish(
        write_results(
            tmp_path / "r.xlsx",
            drawn.rows(lambda e, i: None if e else ("未发现问题", DONE, "1405000001、1405000002")),
        )
    )
    base = {"draw_id": drawn.draw_id, "uscc": code(0), "item": 1, "result": "已注销",
            "approved_by": "张三", "approval_ref": "晋市商〔2024〕12号", "reason": "核实"}  # fmt: skip
    with Ledger.open(world.ledger_path, create=False) as ledger:
        for field, value in (("approved_by", ""), ("approval_ref", "  "), ("reason", "")):
            with pytest.raises(BadInvocation, match="不能为空"):
                correct(ledger, **{**base, field: value})
        with pytest.raises(BadInvocation, match="“合格”不是规定的结果类别"):
            correct(ledger, **{**base, "result": "合格"})
        with pytest.raises(BadInvocation, match="不能与其他结果同时填写"):
            correct(ledger, **{**base, "result": "未发现问题、已注销"})
        with pytest.raises(BadInvocation, match="没有第 5 项"):
            correct(ledger, **{**base, "item": 5})
        with pytest.raises(LedgerError, match="没有抽取编号"):
            correct(ledger, **{**base, "draw_id": "2024-joint-T1-R1-9"})
        with pytest.raises(LedgerError, match="无法更正"):
            correct(ledger, **{**base, "uscc": code(1)})
        with pytest.raises(LedgerError, match="无需更正"):
            correct(ledger, **{**base, "result": "未发现问题"})
        assert ledger.records("correction") == []


# --- what the public sees -------------------------------------------------------------------------


def test_publicity_holds_no_risk_class_and_no_inspector(world: World, tmp_path: Path) -> None:
    names = ["<script>alert(1)</script>", "晋城市A&B回收有限公司", '泽州县"引号"公司']
    drawn = world.draw(draw_payload(entities=3, names=names))
    html_path = tmp_path / "公示.html"
    report = world.publish(write_results(tmp_path / "r.xlsx", drawn.rows()), html=html_path)
    assert report.ok
    workbook = cells(world.folder / "公示.xlsx")
    assert list(workbook) == ["抽查计划", "抽查任务", "检查结果", "公示统计"]
    assert workbook["抽查计划"] == [
        ("计划编号", "计划名称", "抽查机关", "计划类型", "文号"),
        (PLAN.id, PLAN.name, "晋城市商务局", "部门联合", "晋市商秩〔2024〕6号"),
    ]
    items = "；".join(f"{n}. {item}" for n, item in enumerate(PLAN.task(1).items, 1))
    assert workbook["抽查任务"][0] == (
        "计划编号", "计划名称", "任务编号", "任务名称", "抽查类型", "抽查事项", "抽查对象范围", "抽查机关",
        "抽查比例", "起止日期", "抽查模式",
    )  # fmt: skip
    assert workbook["抽查任务"][1] == (
        PLAN.id, PLAN.name, 1, PLAN.task(1).name, "不定向抽查", items, "泽州", "晋城市商务局、晋城市公安局",
        "100%", "2024-03-01 至 2024-12-31", "市抽市查",
    )  # fmt: skip
    assert workbook["检查结果"][0] == (
        "计划编号", "计划名称", "任务编号", "任务名称", "抽查类型", "企业名称", "统一社会信用代码",
        "检查实施机关", "检查完成日期", "检查事项", "检查结果", "更正说明", "备注", "处置结果",
    )  # fmt: skip
    departments = "晋城市商务局、晋城市公安局、晋城市市场监督管理局、晋城市公安分局"
    first = workbook["检查结果"][1]
    task_1 = (PLAN.id, PLAN.name, 1, PLAN.task(1).name, "不定向抽查")
    assert first[:8] == (*task_1, names[0], code(0), departments)
    assert first[8].date() == DONE and first[9:] == (ITEMS[0], "未发现问题", None, None, None)
    text = [str(v) for sheet in workbook.values() for row in sheet for v in row if v is not None]
    page = html_path.read_text(encoding="utf-8")
    forbidden = [
        *INSPECTORS,
        *(i["name"] for i in INSPECTORS.values()),
        *(i["phone"] for i in INSPECTORS.values()),
    ]
    forbidden += ["信用风险", "风险分类", "低风险", "高风险"]
    for secret in forbidden:
        assert not any(secret in t for t in text), secret
        assert secret not in page, secret
    assert not any(t in RISK_CLASSES for t in text)  # no cell holds a bare risk class letter
    assert "<td>A</td>" not in page and "<td>B</td>" not in page


def test_the_page_is_self_contained_escaped_and_printable(world: World, tmp_path: Path) -> None:
    drawn = world.draw(draw_payload(entities=2, names=["<script>alert(1)</script>", "甲&乙公司"]))
    page_path = tmp_path / "p.html"
    world.publish(write_results(tmp_path / "r.xlsx", drawn.rows()), html=page_path)
    page = page_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "甲&amp;乙公司" in page
    assert page.count("<script>") == 1  # only the inline filter
    assert "@media print" in page and 'id="filter"' in page
    assert not re.search(r"""(src|href)\s*=|<link|@import|url\(""", page)
    title = "晋城市商务局2024年度双随机抽查检查结果公示"
    assert f"<title>{title}</title>" in page and f"<h1>{title}</h1>" in page
    assert f"<h2>{html.escape(PLAN.name)}（{PLAN.document_number}）</h2>" in page  # even the only plan
    assert f"任务 1：{PLAN.task(1).name}" in page
    assert page.count("<tr><td>") == 8


def test_publications_cover_every_task_of_the_plan(world: World, tmp_path: Path) -> None:
    first = world.draw(draw_payload(entities=1))
    second = world.draw(draw_payload(entities=2, task=2, first=20))
    world.publish(write_results(tmp_path / "t1.xlsx", first.rows()))
    report = world.publish(write_results(tmp_path / "t2.xlsx", second.rows()), as_of=date(2024, 10, 24))
    assert (report.recorded, report.published) == (2, 2)
    workbook = cells(world.folder / "公示.xlsx")
    tasks, results = (named(world.folder / "公示.xlsx", sheet) for sheet in ("抽查任务", "检查结果"))
    assert [(row["计划编号"], row["任务编号"]) for row in tasks] == [(PLAN.id, 1), (PLAN.id, 2)]
    assert [row["任务编号"] for row in results] == [1, 1, 1, 1, 2, 2]
    assert [row[1:9] for row in workbook["公示统计"][1:]] == [
        (1, PLAN.task(1).name, 1, 1, 1, 1, 0, 1),
        (2, PLAN.task(2).name, 2, 2, 2, 0, 2, 1),
    ]


def test_a_hand_edited_ledger_refuses_to_record(world: World, tmp_path: Path) -> None:
    drawn = world.draw()
    with sqlite3.connect(world.ledger_path) as conn:
        conn.execute("DROP TRIGGER records_no_update")
        conn.execute("UPDATE records SET payload = replace(payload, '泽州县', '城区') WHERE seq = 1")
    with pytest.raises(LedgerError, match="可能被改动"):
        world.publish(write_results(tmp_path / "r.xlsx", drawn.rows()))


def test_problems_name_the_excel_row_and_the_cell_as_typed(world: World, tmp_path: Path) -> None:
    """A title row above the header shifts every Excel row; dates read as ISO text, text as typed."""
    drawn = world.draw(draw_payload(entities=2))
    rows = drawn.rows()
    rows[0][HEADER.index(DAY)] = "九月二十日"
    rows[3][HEADER.index(DAY)] = date(2024, 10, 24)
    rows[5][HEADER.index(TEAM)] = "1405000003"
    rows[6][HEADER.index(RESULT)] = "合格"
    rows[7][HEADER.index(RESULT)] = None
    report = world.publish(write_results(tmp_path / "r.xlsx", rows, above=1))
    assert [(p.code, p.row, p.column, p.value) for p in report.problems] == [
        ("result-date-bad", 3, DAY, "九月二十日"),
        ("result-date-future", 6, DAY, "2024-10-24"),
        ("result-badges-too-few", 8, TEAM, "1405000003"),
        ("result-unknown", 9, RESULT, "合格"),
        ("result-missing", 10, RESULT, None),
    ]
    assert report.problems[3].message == (
        "检查结果“合格”中的“合格”不是规定的结果类别。请从下拉列表选择："
        f"{PARSER.choices}。多个结果用顿号“、”分隔。"
    )
