"""``jcdraw publish``, ``correct``, ``status`` and ``audit`` through the real CLI (``jcdraw.cli.main``).

Exact exit codes (0 done, 1 refused / needs attention, 2 unusable invocation or input) and the key
Chinese phrases are asserted. The ledger is the default ``jcdraw.sqlite3`` in the working folder, so
``run_cli``'s check that no input file named on the command line changes still applies.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_publish import DONE, HEADER, INSPECTORS, TEAMS, World, code, draw_payload, write_results

from jcdraw.ledger import Ledger
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.categories import load_result_categories

ROOT = Path(__file__).resolve().parents[1]
Run = Callable[..., Any]


@pytest.fixture(scope="module")
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar.load(search_dirs=[])


@pytest.fixture
def world(tmp_path: Path, calendar: WorkdayCalendar) -> World:
    return World(tmp_path, tmp_path / "jcdraw.sqlite3", calendar)


def test_every_command_has_chinese_help(run_cli: Run, tmp_path: Path) -> None:
    expected = {
        "publish": "校验检查结果并登记到台账",
        "correct": "经单位负责人批准",
        "status": "按任务统计抽取、登记、公示进度",
        "audit": "重新计算台账的校验链",
    }
    for command, phrase in expected.items():
        result = run_cli([command, "--help"], cwd=tmp_path)
        # Help wraps Chinese by the terminal's width, anywhere: compare ignoring whitespace.
        assert result.code == 0 and phrase in "".join(result.out.split()), command


# --- publish -------------------------------------------------------------------------------------


def test_publish_prints_the_json_report_and_writes_the_default_outputs(run_cli: Run, world: World) -> None:
    drawn = world.draw()
    write_results(world.folder / "结果.xlsx", drawn.rows())
    result = run_cli(
        ["publish", "结果.xlsx", "--as-of", "2024-10-23", "--json", "--html", "公示.html"], world.folder
    )
    assert result.code == 0, result.output
    assert json.loads(result.out) == {"recorded": 3, "published": 3, "on_time": 3, "late": 0, "problems": []}
    assert (world.folder / "公示-2024-10-23.xlsx").is_file() and (world.folder / "公示.html").is_file()

    again = run_cli(["publish", "结果.xlsx", "--as-of", "2024-10-23"], world.folder)
    assert again.code == 0, again.output  # a second run the same day gets a numbered default name
    assert (world.folder / "公示-2024-10-23-2.xlsx").is_file()
    kept = (world.folder / "公示-2024-10-23.xlsx").read_bytes()
    argv = ["publish", "结果.xlsx", "--as-of", "2024-10-23", "--out", "公示-2024-10-23.xlsx"]
    named = run_cli(argv, world.folder)  # what the ledger's newest publication recorded: kept, not refused
    assert named.code == 0, named.output
    assert (world.folder / "公示-2024-10-23.xlsx").read_bytes() == kept
    (world.folder / "别的.xlsx").write_bytes(b"not a publicity workbook")
    other = run_cli([*argv[:-1], "别的.xlsx"], world.folder)
    assert other.code == 2 and "已存在" in other.flat and "--force" in other.flat
    assert (world.folder / "别的.xlsx").read_bytes() == b"not a publicity workbook"
    forced = run_cli(
        ["publish", "结果.xlsx", "--as-of", "2024-10-24", "--out", "公示-2024-10-23.xlsx", "--force"],
        world.folder,
        outputs=["公示-2024-10-23.xlsx"],
    )
    assert forced.code == 0
    assert "新登记 0 个检查对象的检查结果" in forced.flat and "没有需要新登记或新公示的结果" in forced.flat


def test_publish_late_results_are_published_and_counted_late(run_cli: Run, world: World) -> None:
    drawn = world.draw(draw_payload(entities=2))
    write_results(world.folder / "结果.xlsx", drawn.rows())
    result = run_cli(["publish", "结果.xlsx", "--as-of", "2024-10-24"], world.folder)
    assert result.code == 0
    assert "新公示 2 个（按期 0 个，逾期 2 个）" in result.flat and "计为逾期" in result.flat


def test_a_refused_publication_lists_problems_and_exits_1(run_cli: Run, world: World) -> None:
    drawn = world.draw()
    write_results(world.folder / "结果.xlsx", drawn.rows())
    assert run_cli(["publish", "结果.xlsx", "--as-of", "2024-10-23"], world.folder).code == 0
    rows = drawn.rows()
    rows[0][HEADER.index("检查结果")] = "已吊销"
    rows[5][HEADER.index("检查人员执法证号")] = "1405000003"
    write_results(world.folder / "改过.xlsx", rows)
    before = world.records()
    result = run_cli(["publish", "改过.xlsx", "--as-of", "2024-10-24", "--out", "x.xlsx"], world.folder)
    assert result.code == 1
    assert "jcdraw correct" in result.flat and "本次未登记、未公示任何结果" in result.flat
    assert "result-changed" in result.flat and "result-badges-too-few" in result.flat
    as_json = run_cli(
        ["publish", "改过.xlsx", "--as-of", "2024-10-24", "--json", "--out", "x.xlsx"], world.folder
    )
    assert as_json.code == 1
    report = json.loads(as_json.out)
    assert [(p["code"], p["row"], p["column"]) for p in report["problems"]] == [
        ("result-changed", 2, "检查结果"),
        ("result-badges-too-few", 7, "检查人员执法证号"),
    ]
    assert set(report["problems"][0]) == {"severity", "code", "sheet", "row", "column", "value", "message"}
    assert world.records() == before and not (world.folder / "x.xlsx").exists()


def test_publish_stops_when_the_calendar_does_not_know_the_year(run_cli: Run, world: World) -> None:
    drawn = world.draw(draw_payload(period=("2026-03-01", "2026-12-31"), as_of="2026-03-02"))
    write_results(
        world.folder / "结果.xlsx",
        drawn.rows(lambda e, i: ("已注销", date(2026, 12, 30), "、".join(TEAMS[e % 2]))),
    )
    result = run_cli(["publish", "结果.xlsx", "--as-of", "2026-12-31"], world.folder)
    assert result.code == 2 and "缺少 2027 年的节假日安排" in result.flat
    assert world.records("result") == 0
    calendar_2027 = world.folder / "calendar-2027.yaml"
    calendar_2027.write_text("years:\n  2027:\n    holidays: [2027-01-01]\n", encoding="utf-8")
    result = run_cli(
        ["publish", "结果.xlsx", "--as-of", "2026-12-31", "--calendar", calendar_2027], world.folder
    )
    assert result.code == 0 and world.records("result") == 12


def test_publish_without_a_ledger_says_where_it_looked(run_cli: Run, tmp_path: Path) -> None:
    write_results(tmp_path / "结果.xlsx", [])
    result = run_cli(["publish", "结果.xlsx"], tmp_path)
    assert result.code == 2 and "找不到台账文件" in result.flat
    assert not (tmp_path / "jcdraw.sqlite3").exists()


def test_a_workbook_without_the_results_sheet_is_refused(run_cli: Run, world: World) -> None:
    world.draw()
    shutil.copy(ROOT / "examples" / "registry.xlsx", world.folder / "registry.xlsx")
    result = run_cli(["publish", "registry.xlsx", "--as-of", "2024-10-23"], world.folder)
    assert result.code == 1 and "找不到工作表“检查结果”" in result.flat and "检查对象" in result.flat
    notes = run_cli(["status", "--results", "registry.xlsx", "--as-of", "2024-10-23"], world.folder)
    assert notes.code == 0 and "找不到工作表“检查结果”" in notes.flat


def test_the_ledger_can_come_from_the_environment(
    run_cli: Run, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = world.draw(draw_payload(entities=1))
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    write_results(elsewhere / "结果.xlsx", drawn.rows())
    monkeypatch.setenv("JCDRAW_LEDGER", str(world.ledger_path))
    result = run_cli(["publish", "结果.xlsx", "--as-of", "2024-10-23", "--json"], elsewhere)
    assert result.code == 0 and json.loads(result.out)["recorded"] == 1


# --- correct -------------------------------------------------------------------------------------


def test_correct_requires_approval_and_then_the_next_publication_explains_it(
    run_cli: Run, world: World
) -> None:
    drawn = world.draw(draw_payload(entities=1))
    write_results(world.folder / "结果.xlsx", drawn.rows())
    assert run_cli(["publish", "结果.xlsx", "--as-of", "2024-10-23"], world.folder).code == 0
    base = [
        "correct",
        "--draw",
        drawn.draw_id,
        "--uscc",
        code(0),
        "--item",
        "3",
        "--result",
        "发现问题待后续处理",
    ]
    approval = ["--approved-by", "张三", "--approval-ref", "晋市商〔2024〕12号", "--reason", "复核发现问题"]

    missing = run_cli([*base, "--approved-by", "张三", "--reason", "复核"], world.folder)
    assert missing.code == 2 and "缺少必填选项 --approval-ref" in missing.flat
    empty = run_cli([*base, *approval[:2], "--approval-ref", " ", *approval[4:]], world.folder)
    assert empty.code == 2 and "--approval-ref 不能为空" in empty.flat
    wrong = run_cli([*base[:-1], "合格", *approval], world.folder)
    assert wrong.code == 2 and "“合格”不是规定的结果类别" in wrong.flat
    assert world.records("correction") == 0

    done = run_cli([*base, *approval], world.folder)
    assert done.code == 0 and "已登记更正" in done.flat and "原结果“未发现问题”" in done.flat
    again = run_cli([*base, *approval], world.folder)
    assert again.code == 2 and "无需更正" in again.flat

    published = run_cli(
        ["publish", "结果.xlsx", "--as-of", "2024-10-28", "--out", "更正后.xlsx"], world.folder
    )
    assert published.code == 0
    sheet = openpyxl.load_workbook(world.folder / "更正后.xlsx")["检查结果"]
    header, *rows = sheet.iter_rows(values_only=True)
    corrected = dict(zip(header, rows[2], strict=True))
    assert corrected["检查结果"] == "发现问题待后续处理"
    assert corrected["更正说明"].endswith(
        "经 张三 批准（晋市商〔2024〕12号）更正，原结果：未发现问题；原因：复核发现问题"
    )


# --- status --------------------------------------------------------------------------------------


def test_status_exits_1_when_anything_is_overdue(run_cli: Run, world: World) -> None:
    drawn = world.draw(draw_payload(entities=2))
    write_results(
        world.folder / "填写中.xlsx",
        drawn.rows(lambda e, i: None if e else ("未发现问题", DONE, "、".join(TEAMS[0]))),
    )
    calm = run_cli(["status", "--results", "填写中.xlsx", "--as-of", "2024-10-17", "--json"], world.folder)
    assert calm.code == 0
    listed = json.loads(calm.out)["tasks"]
    assert {t["plan"] for t in listed if t["undrawn"]} == {"2024-joint", "2024-internal"}  # 全覆盖: all shown
    (task,) = [t for t in listed if not t["undrawn"]]
    assert (task["drawn"], task["due_soon"], task["overdue"]) == (2, 1, 0)

    late = run_cli(
        ["status", "--results", "填写中.xlsx", "--as-of", "2024-10-24", "--report", "进度.xlsx"], world.folder
    )
    assert late.code == 1
    assert "已逾期未公示" in late.flat and "1 个检查对象已完成检查但逾期未公示" in late.flat
    assert (world.folder / "进度.xlsx").is_file()
    refused = run_cli(["status", "--as-of", "2024-10-24", "--report", "进度.xlsx"], world.folder)
    assert refused.code == 2 and "已存在" in refused.flat

    json_late = run_cli(
        ["status", "--results", "填写中.xlsx", "--as-of", "2024-10-24", "--json"], world.folder
    )
    assert json_late.code == 1
    report = json.loads(json_late.out)
    assert report["as_of"] == "2024-10-24" and list(report["tasks"][0])[:11] == [
        "plan", "task", "drawn", "recorded", "published", "on_time", "late",
        "due_soon", "overdue", "uninspected", "publication_rate",
    ]  # fmt: skip


def test_status_on_a_fresh_ledger(run_cli: Run, tmp_path: Path) -> None:
    Ledger.open(tmp_path / "jcdraw.sqlite3").close()
    result = run_cli(["status"], tmp_path)
    assert result.code == 0 and "台账中还没有抽取记录" in result.flat


# --- audit ---------------------------------------------------------------------------------------


def _tamper(path: Path, sql: str) -> None:
    """What someone with a database browser could do (closed, so nothing is left in the WAL)."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TRIGGER IF EXISTS records_no_update")
        conn.execute("DROP TRIGGER IF EXISTS records_no_delete")
        conn.execute(sql)


def test_audit_detects_a_hand_edited_ledger(run_cli: Run, world: World) -> None:
    drawn = world.draw()
    write_results(world.folder / "结果.xlsx", drawn.rows())
    assert run_cli(["publish", "结果.xlsx", "--as-of", "2024-10-23"], world.folder).code == 0
    ok = run_cli(["audit"], world.folder)
    # The draw, the ledger's id record (chained by publish, the first writing command), 12 results
    # and the publication.
    assert ok.code == 0 and "台账完好：共核验 15 条记录" in ok.flat

    _tamper(
        world.ledger_path,
        "UPDATE records SET payload = replace(payload, '未发现问题', '已注销') WHERE seq = 5",
    )
    broken = run_cli(["audit", "--ledger", world.ledger_path], world.folder)
    assert broken.code == 1
    assert "台账校验失败" in broken.flat and "第 5 条记录的内容与其校验值不符" in broken.flat
    as_json = json.loads(run_cli(["audit", "--json"], world.folder).out)
    assert (as_json["ok"], as_json["records"], as_json["first_broken_seq"]) == (False, 15, 5)
    assert set(as_json) == {"ok", "ledger_id", "records", "head", "first_broken_seq", "reason"}


def test_audit_detects_a_deleted_last_record(run_cli: Run, world: World) -> None:
    world.draw()
    world.draw(draw_payload(task=2))
    _tamper(world.ledger_path, "DELETE FROM records WHERE seq = 2")
    result = run_cli(["audit", "--json"], world.folder)
    assert result.code == 1 and json.loads(result.out)["first_broken_seq"] == 2


# --- the whole year on the example registry -----------------------------------------------------

SEED = "31415926535897932384"
TASKS = [("joint", t) for t in range(1, 7)] + [("internal", 1), ("internal", 2)]


def _fill_assignment(path: Path, payload: dict[str, Any], categories: list[str]) -> int:
    """Fill the 检查结果 sheet of a draw's workbook as inspectors would; return entities left pending."""
    book = openpyxl.load_workbook(path)
    sheet = book["检查结果"]
    header = [c.value for c in sheet[1]]
    teams = {s["uscc"]: s["team"] for s in payload["selected"]}
    position = {s["uscc"]: n for n, s in enumerate(payload["selected"])}
    pending = set()
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(header, (c.value for c in row), strict=False))
        n = position[values["统一社会信用代码"]]
        if n % 5 == 4:
            pending.add(n)
            continue
        item = int(values["检查事项序号"])
        result = categories[0] if (n + item) % 3 else "未按规定公示应当公示的信息、发现问题已责令改正"
        row[header.index("检查结果")].value = result
        row[header.index("检查日期")].value = date(2024, 9, 2) + timedelta(days=n % 10)
        row[header.index("检查人员执法证号")].value = "、".join(teams[values["统一社会信用代码"]])
    book.save(path)
    return len(pending)


def test_a_whole_year_on_the_example_registry(run_cli: Run, tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples" / "registry.xlsx", tmp_path / "registry.xlsx")
    categories = list(load_result_categories().categories)
    pending = 0
    for n, (plan, task) in enumerate(TASKS):
        drawn = run_cli(
            ["draw", "--new-ledger", "--plan", plan, "--task", str(task), "--seed", SEED, "--as-of",
             "2024-04-01"], tmp_path
        )
        assert drawn.code == 0, drawn.output
        workbook = tmp_path / f"draw-2024-{plan}-task{task}-round1.xlsx"
        with Ledger.open(tmp_path / "jcdraw.sqlite3", readonly=True) as ledger:
            payload = ledger.draws()[-1].payload
        pending += _fill_assignment(workbook, payload, categories)
        as_of = "2024-09-30" if n % 2 else "2024-10-31"  # half of the tasks publish late
        result = run_cli(["publish", workbook.name, "--as-of", as_of, "--json", "--out", f"公示-{n}.xlsx",
                          "--html", f"公示-{n}.html"], tmp_path)  # fmt: skip
        assert result.code == 0, result.output
        report = json.loads(result.out)
        assert report["problems"] == [] and report["recorded"] == report["published"] > 0
        assert (report["on_time"] == 0) == (as_of == "2024-10-31")

    audit = run_cli(["audit"], tmp_path)
    assert audit.code == 0
    year_end = run_cli(["status", "--as-of", "2025-01-10", "--json"], tmp_path)
    assert year_end.code == 1  # the periods ended with drawn entities never inspected
    tasks = json.loads(year_end.out)["tasks"]
    assert [(t["plan"], t["task"]) for t in tasks] == [(f"2024-{p}", t) for p, t in TASKS]
    assert sum(t["uninspected"] for t in tasks) == pending > 0
    assert all(t["recorded"] == t["published"] == t["drawn"] - t["uninspected"] for t in tasks)
    assert all(t["publication_rate"] == 1.0 and t["overdue"] == 0 for t in tasks)
    assert all(t["completion_rate"] == round(t["published"] / t["drawn"], 4) for t in tasks)

    with Ledger.open(tmp_path / "jcdraw.sqlite3", readonly=True) as ledger:
        draws = [d.payload for d in ledger.draws()]
    secrets = {b for d in draws for b in d["inspectors"]} | {
        i["name"] for d in draws for i in d["inspectors"].values()
    }
    labels = {
        "信用风险低",
        "信用风险一般",
        "信用风险较高",
        "信用风险高",
        "低风险",
        "一般风险",
        "较高风险",
        "高风险",
    }
    joint_rows = sum(len(d["selected"]) * len(d["items"]) for d in draws if d["plan"] == "2024-joint")
    book = openpyxl.load_workbook(tmp_path / "公示-5.xlsx", read_only=True)
    text = {
        str(v)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    }
    published_rows = book["检查结果"].max_row - 1
    assert 0 < published_rows < joint_rows  # cumulative over the joint plan's six tasks, without the pending
    assert not (text & (secrets | labels))
    assert not {"A", "B", "C", "D"} & text
    page = (tmp_path / "公示-7.html").read_text(encoding="utf-8")
    assert not any(s in page for s in secrets | labels)
    assert INSPECTORS  # the synthetic inspectors of test_publish never reach this ledger
