"""The figures and forms follow the plan and the national system (issue "fidelity", beyond the draw)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from conftest import PLANS_DIR, clean_entities, uscc, write_registry
from hypothesis import given, settings
from hypothesis import strategies as st
from test_credit_rules import TARGETED

from jcdraw import messages
from jcdraw import problems as P
from jcdraw.draw.workbook import result_sheet_columns
from jcdraw.io.flags import flag_rows
from jcdraw.io.xlsx_write import Sheet, write_workbook
from jcdraw.ledger import Ledger
from jcdraw.plans.categories import CategoryParser, load_result_categories
from jcdraw.plans.load import load_plan
from jcdraw.records import RESULT_COLUMNS, RESULT_SHEET
from jcdraw.results.period import outside_plan

PARSER = CategoryParser(load_result_categories())
PLANS = {plan.id: plan for plan in (load_plan(PLANS_DIR / f"2024_{n}.yaml") for n in ("joint", "internal"))}


def test_national_wordings_are_read_as_our_categories() -> None:
    assert PARSER.parse("发现问题经责令已改正").categories == ("发现问题已责令改正",)
    assert PARSER.parse("被吊销、迁出").categories == ("已吊销", "已迁出")
    assert PARSER.parse("被撤销").categories == ("被撤销",)
    assert PARSER.parse("注销").categories == ("已注销",)
    assert "被撤销" in load_result_categories().categories


def test_the_results_dropdown_warns_instead_of_refusing_several_categories(tmp_path: Path) -> None:
    """Excel's stop-style list alert refused "A、B", which publish accepts and the instructions teach."""
    path = tmp_path / "r.xlsx"
    write_workbook(path, [Sheet(RESULT_SHEET, result_sheet_columns(), [[None] * len(RESULT_COLUMNS)])])
    sheet = openpyxl.load_workbook(path)[RESULT_SHEET]
    [rule] = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert rule.errorStyle == "warning" and rule.showInputMessage
    prompt = rule.prompt or ""
    assert rule.promptTitle == "检查结果" and "顿号" in prompt and "未发现问题" in prompt
    assert "顿号" in (rule.error or "")


# --- honest figures: every task visible, lapsed tasks exit 1 -----------------------------------------


def test_a_year_with_an_uninspected_and_undrawn_tasks_exits_1_and_names_them(
    run_cli: Any, tmp_path: Path
) -> None:
    write_registry(tmp_path / "registry.xlsx")
    drew = run_cli(["draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed",
                   "12345678901234567890",
                    "--as-of", "2024-04-01"], cwd=tmp_path)  # fmt: skip
    assert drew.code == 0, drew.output
    during = run_cli(["status", "--as-of", "2024-06-01", "--json"], cwd=tmp_path)
    tasks = json.loads(during.out)["tasks"]
    assert during.code == 0 and len(tasks) == 8  # every task of the 2024 plans, drawn or not
    first = tasks[0]
    assert (first["plan"], first["task"], first["drawn"], first["undrawn"]) == ("2024-joint", 1, 4, False)
    assert (first["publication_rate"], first["completion_rate"]) == (None, 0.0)  # nothing inspected: "—"
    assert [t["undrawn"] for t in tasks[1:]] == [True] * 7 and not any(t["period_ended"] for t in tasks)

    year_end = run_cli(["status", "--as-of", "2025-01-10", "--report", "进度.xlsx"], cwd=tmp_path)
    assert year_end.code == 1
    flat = "".join(year_end.out.split())
    assert "8个任务的检查期限已过" in flat and "2024-joint任务1" in flat and "2024-internal任务2" in flat
    assert "期满未抽取" in flat
    book = openpyxl.load_workbook(tmp_path / "进度.xlsx")
    lapsed = [r for r in book["期满未检查"].iter_rows(min_row=3, values_only=True)]
    assert sum(1 for r in lapsed if r[6] == "已抽中，任务期满未检查") == 4
    assert sum(1 for r in lapsed if r[6] == "期满未抽取") == 7
    states = [r[-1] for r in book["公示进度"].iter_rows(min_row=3, values_only=True)]
    assert states == [None, *["期满未抽取"] * 7]


# --- late inspections, blank results, corrections, publicity columns, pending counts ------------------

SEED = "12345678901234567890"
LEDGER = "jcdraw.sqlite3"


def draw_cli(run_cli: Any, folder: Path, plan: str, task: int, out: str, as_of: str = "2024-04-01") -> None:
    argv = ["draw", "--new-ledger", "--plan", plan, "--task", str(task), "--seed", SEED, "--as-of",
            as_of, "--out", out]
    result = run_cli(argv, cwd=folder)
    assert result.code == 0, result.output


def teams_of(folder: Path) -> dict[tuple[str, str], list[str]]:
    """(draw id, credit code) → the team the draw gave that entity, from the ledger."""
    with Ledger.open(folder / LEDGER, readonly=True) as book:
        payloads = [record.payload for record in book.draws(standing_only=False)]
    return {(p["draw_id"], s["uscc"]): list(s["team"]) for p in payloads for s in p["selected"]}


Fill = Callable[[int, str, str], date | None]  # (entity's position in the sheet, draw id, code) → 检查日期


def fill_sheet(path: Path, folder: Path, when: Fill, result: str = "未发现问题") -> set[tuple[str, str]]:
    """Fill the 检查结果 sheet of ``path`` as inspectors would: every item of an entity for which
    ``when`` gives a date, signed by the entity's team. Returns the (draw id, code) pairs filled."""
    teams = teams_of(folder)
    book = openpyxl.load_workbook(path)
    sheet = book[RESULT_SHEET]
    header = [c.value for c in sheet[1]]
    column = {name: header.index(name) for name in ("抽取编号", "统一社会信用代码", "检查结果", "检查日期",
                                                     "检查人员执法证号")}  # fmt: skip
    order: dict[tuple[str, str], int] = {}
    filled = set()
    for row in sheet.iter_rows(min_row=2):
        key = (str(row[column["抽取编号"]].value), str(row[column["统一社会信用代码"]].value))
        day = when(order.setdefault(key, len(order)), *key)
        if day is None:
            continue
        row[column["检查结果"]].value = result
        row[column["检查日期"]].value = day
        row[column["检查人员执法证号"]].value = "、".join(teams[key])
        filled.add(key)
    book.save(path)
    return filled


def named_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    header, *rows = openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_a_late_or_early_inspection_is_published_and_flagged(run_cli: Any, tmp_path: Path) -> None:
    """After the task period or before the draw: exit 0, a warning, 超出计划期限 in status and 备注."""
    write_registry(tmp_path / "registry.xlsx")
    draw_cli(run_cli, tmp_path, "joint", 1, "t1.xlsx")  # period 2024-03-01 – 2024-12-31, drawn 2024-04-01
    days = {0: date(2025, 1, 6), 1: date(2024, 3, 20)}  # after the period; in it but before the draw
    fill_sheet(tmp_path / "t1.xlsx", tmp_path, lambda n, d, c: days.get(n, date(2024, 9, 2)))
    odd = {c for n, (_, c) in enumerate(_sheet_order(tmp_path / "t1.xlsx")) if n in days}
    result = run_cli(["publish", "t1.xlsx", "--as-of", "2025-01-10", "--out", "p.xlsx", "--html", "p.html"],
                     cwd=tmp_path)  # fmt: skip
    assert result.code == 0, result.output
    flat = "".join(result.out.split())
    assert "新登记4个检查对象" in flat and "警告" in flat
    assert messages.PUBLISH_OUT_OF_PERIOD_NOTE.format(count=2).replace(" ", "") in flat
    rows = named_rows(tmp_path / "p.xlsx", "检查结果")
    assert len(rows) == 4 * 4
    assert {r["统一社会信用代码"] for r in rows if r["备注"] == "超出计划期限"} == odd
    assert all(r["备注"] is None for r in rows if r["统一社会信用代码"] not in odd)
    assert (tmp_path / "p.html").read_text(encoding="utf-8").count("<td>超出计划期限</td>") == 2 * 4

    status = run_cli(["status", "--as-of", "2025-01-10", "--json"], cwd=tmp_path)
    [task] = [t for t in json.loads(status.out)["tasks"] if (t["plan"], t["task"]) == ("2024-joint", 1)]
    assert task["out_of_period"] == 2 and task["published"] == 4

    again = run_cli(["publish", "t1.xlsx", "--as-of", "2025-01-10", "--out", "p2.xlsx"], cwd=tmp_path)
    assert again.code == 0 and "警告" not in again.out  # recorded already: warned once, when recorded


def _sheet_order(path: Path) -> list[tuple[str, str]]:
    """(draw id, code) of the entities of a results sheet, in the order they first appear."""
    rows = named_rows(path, RESULT_SHEET)
    return list(dict.fromkeys((str(r["抽取编号"]), str(r["统一社会信用代码"])) for r in rows))


def test_a_date_after_the_publication_date_is_still_refused(run_cli: Any, tmp_path: Path) -> None:
    write_registry(tmp_path / "registry.xlsx")
    draw_cli(run_cli, tmp_path, "joint", 1, "t1.xlsx")
    fill_sheet(tmp_path / "t1.xlsx", tmp_path, lambda n, d, c: date(2025, 1, 12 if n == 0 else 6))
    result = run_cli(["publish", "t1.xlsx", "--as-of", "2025-01-10", "--json"], cwd=tmp_path)
    problems = json.loads(result.out)["problems"]
    assert result.code == 1 and {p["code"] for p in problems if p["severity"] == "error"} == {
        "result-date-future"
    }
    with Ledger.open(tmp_path / LEDGER, readonly=True) as book:
        assert book.results() == []


def test_a_recorded_row_whose_result_was_cleared_is_a_missing_result(run_cli: Any, tmp_path: Path) -> None:
    write_registry(tmp_path / "registry.xlsx")
    draw_cli(run_cli, tmp_path, "joint", 1, "t1.xlsx")
    fill_sheet(tmp_path / "t1.xlsx", tmp_path, lambda n, d, c: date(2024, 9, 2))
    assert run_cli(["publish", "t1.xlsx", "--as-of", "2024-09-10", "--out", "p.xlsx"], cwd=tmp_path).code == 0
    book = openpyxl.load_workbook(tmp_path / "t1.xlsx")
    sheet = book[RESULT_SHEET]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("检查结果") + 1).value = None  # date and badges stay
    book.save(tmp_path / "cleared.xlsx")
    result = run_cli(["publish", "cleared.xlsx", "--as-of", "2024-09-11", "--json"], cwd=tmp_path)
    assert result.code == 1
    problems = json.loads(result.out)["problems"]
    assert [(p["code"], p["row"], p["column"]) for p in problems] == [("result-missing", 3, "检查结果")]


def test_a_date_correction_shows_on_the_next_publicity_and_an_inspector_one_does_not(
    run_cli: Any, tmp_path: Path
) -> None:
    write_registry(tmp_path / "registry.xlsx")
    draw_cli(run_cli, tmp_path, "joint", 1, "t1.xlsx")
    fill_sheet(tmp_path / "t1.xlsx", tmp_path, lambda n, d, c: date(2024, 9, 2))
    first_run = run_cli(["publish", "t1.xlsx", "--as-of", "2024-09-10", "--out", "p1.xlsx"], cwd=tmp_path)
    assert first_run.code == 0
    (draw_id, first), (_, second), (_, third), _ = _sheet_order(tmp_path / "t1.xlsx")
    teams = teams_of(tmp_path)
    approval = ["--approved-by", "张三", "--approval-ref", "晋市商〔2024〕30号", "--as-of", "2024-09-12"]

    def correct(uscc: str, *change: str) -> str:
        where = ["correct", "--draw", draw_id, "--uscc", uscc, "--item", "2"]
        result = run_cli([*where, *change, *approval, "--reason", "录入错误"], cwd=tmp_path)
        assert result.code == 0, result.output
        return str(result.flat)

    assert "将公示更正后的结果和更正说明" in correct(first, "--date", "2024-09-03")
    assert len(teams[(draw_id, second)]) > 2  # one member per department of the task: two are enough
    said = correct(second, "--inspectors", "、".join(teams[(draw_id, second)][:2]))
    assert "检查人员不公示" in said and "公示内容不变" in said
    argv = ["publish", "t1.xlsx", "--as-of", "2024-09-13", "--out", "p2.xlsx", "--html", "p2.html"]
    published = run_cli(argv, cwd=tmp_path)
    assert published.code == 0, published.output
    item = PLANS["2024-joint"].task(1).items[1]
    rows = named_rows_by_key(tmp_path / "p2.xlsx")
    assert rows[(first, item)]["检查完成日期"].date() == date(2024, 9, 3)
    note = "2024-09-12 经 张三 批准（晋市商〔2024〕30号）更正，原检查日期：2024-09-02；原因：录入错误"
    assert rows[(first, item)]["更正说明"] == note
    assert note in (tmp_path / "p2.html").read_text(encoding="utf-8")
    assert [key for key, r in rows.items() if r["更正说明"]] == [(first, item)]  # inspectors are not public
    with Ledger.open(tmp_path / LEDGER, readonly=True) as book:
        assert book.records("publication")[-1].payload["corrections"] == [
            {"key": f"{draw_id}|{first}|2", "count": 1}
        ]

    correct(third, "--inspectors", "、".join(teams[(draw_id, third)][:2]))  # nothing the public sees
    again = run_cli(["publish", "t1.xlsx", "--as-of", "2024-09-14", "--out", "p3.xlsx"], cwd=tmp_path)
    assert again.code == 0 and "没有需要新登记或新公示的结果" in again.flat
    noted = [key for key, r in named_rows_by_key(tmp_path / "p3.xlsx").items() if r["更正说明"]]
    assert noted == [(first, item)]
    with Ledger.open(tmp_path / LEDGER, readonly=True) as book:
        assert len(book.records("publication")) == 2


def named_rows_by_key(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["统一社会信用代码"], r["检查事项"]): r for r in named_rows(path, "检查结果")}


# test_credit_rules' targeted task 7, with the scope the plan publishes in its own words.
SCOPE = "    scope: [阳城县]\n"
TARGETED_TASK = TARGETED.replace(SCOPE, SCOPE + "    scope_text: 阳城重点监管企业\n")


def focus_plan(folder: Path) -> Path:
    """The joint plan as another plan (2024-focus) that publishes within 15 working days and adds
    a targeted task 7."""
    text = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")
    text = text.replace("id: 2024-joint", "id: 2024-focus")
    text = text.replace("publicity_deadline_workdays: 20", "publicity_deadline_workdays: 15")
    path = folder / "focus.yaml"
    path.write_text(text.rstrip("\n") + "\n" + TARGETED_TASK, encoding="utf-8")
    return path


def flagged_registry(path: Path) -> None:
    """The clean registry with a 重点监管对象 column: the C and D car dealers carry it."""
    rows = clean_entities()
    rows[0].append("重点监管对象")
    for row in rows[1:]:
        row.append("是" if row[3] == "汽车销售" and row[4] in "CD" else "")
    write_registry(path, entities=rows)


def combined(folder: Path, sources: list[str], out: str) -> Path:
    """One results workbook holding the 检查结果 rows of several draw workbooks."""
    rows: list[tuple[Any, ...]] = []
    for n, name in enumerate(sources):
        header, *data = openpyxl.load_workbook(folder / name)[RESULT_SHEET].iter_rows(values_only=True)
        rows += ([header] if n == 0 else []) + data
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = RESULT_SHEET
    for row in rows:
        sheet.append(list(row))
    book.save(folder / out)
    return folder / out


def test_publicity_names_each_plan_and_its_sampling_and_the_page_heads_each_plan(
    run_cli: Any, tmp_path: Path
) -> None:
    flagged_registry(tmp_path / "registry.xlsx")
    plan = focus_plan(tmp_path)
    draw_cli(run_cli, tmp_path, str(plan), 2, "f2.xlsx")
    draw_cli(run_cli, tmp_path, str(plan), 7, "f7.xlsx")
    draw_cli(run_cli, tmp_path, "internal", 2, "i2.xlsx")
    book = combined(tmp_path, ["f2.xlsx", "f7.xlsx", "i2.xlsx"], "all.xlsx")
    fill_sheet(book, tmp_path, lambda n, d, c: date(2024, 9, 2))
    result = run_cli(["publish", "all.xlsx", "--as-of", "2024-10-21", "--out", "p.xlsx", "--html", "p.html"],
                     cwd=tmp_path)  # fmt: skip
    assert result.code == 0, result.output
    # Published late for both plans: each plan's own deadline, 15 and 20 working days.
    deadlines = "计划规定检查完成后15（2024-focus）、20（2024-internal）个工作日内公示"
    assert deadlines in result.flat.replace(" ", "")

    internal = PLANS["2024-internal"]
    tasks = named_rows(tmp_path / "p.xlsx", "抽查任务")
    assert [(t["计划编号"], t["任务编号"], t["抽查类型"]) for t in tasks] == [
        ("2024-focus", 2, "不定向抽查"), ("2024-focus", 7, "定向抽查"), ("2024-internal", 2, "不定向抽查"),
    ]  # fmt: skip
    assert [t["计划名称"] for t in tasks] == [PLANS["2024-joint"].name] * 2 + [internal.name]
    assert [t["抽查对象范围"] for t in tasks] == ["阳城", "阳城重点监管企业", internal.task(2).scope_text]
    items = internal.task(2).items
    assert tasks[2]["抽查事项"] == "；".join(f"{n}. {item}" for n, item in enumerate(items, 1))
    assert tasks[1]["抽查事项"] == "对从事汽车销售及其相关服务活动的检查"

    results = named_rows(tmp_path / "p.xlsx", "检查结果")
    kinds = {(r["计划编号"], r["任务编号"], r["计划名称"], r["抽查类型"]) for r in results}
    assert kinds == {
        ("2024-focus", 2, PLANS["2024-joint"].name, "不定向抽查"),
        ("2024-focus", 7, PLANS["2024-joint"].name, "定向抽查"),
        ("2024-internal", 2, internal.name, "不定向抽查"),
    }
    assert sum(r["任务编号"] == 7 for r in results) == 2  # the two flagged C/D dealers

    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    title = "晋城市商务局2024年度双随机抽查检查结果公示"
    assert f"<title>{title}</title>" in page and page.count("<h2>") == 2
    headings = [page.index(text) for text in (
        "<h2>晋城市商务局2024年度部门联合", "任务 2：对汽车销售", "任务 7：对重点监管",
        "<h2>晋城市商务局2024年度内部", "任务 2：对商业特许经营",
    )]  # fmt: skip
    assert headings == sorted(headings)  # each plan's tasks under its own heading
    assert "抽查类型：定向抽查" in page and f"抽查对象范围：{internal.task(2).scope_text}" in page


def test_pending_counts_for_a_draw_workbook(run_cli: Any, tmp_path: Path) -> None:
    """Entities whose rows are all blank and that have no recorded result, whatever the sheet holds."""
    write_registry(tmp_path / "registry.xlsx")
    draw_cli(run_cli, tmp_path, "joint", 1, "t1.xlsx")  # 4 entities
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes((tmp_path / "t1.xlsx").read_bytes())
    nothing = run_cli(["publish", "blank.xlsx", "--as-of", "2024-09-10", "--out", "p0.xlsx"], cwd=tmp_path)
    assert nothing.code == 0 and "尚未填写结果的检查对象 4 个" in nothing.flat
    fill_sheet(tmp_path / "t1.xlsx", tmp_path, lambda n, d, c: date(2024, 9, 2) if n == 0 else None)
    first = run_cli(["publish", "t1.xlsx", "--as-of", "2024-09-10", "--out", "p1.xlsx"], cwd=tmp_path)
    assert first.code == 0 and "新登记 1 个" in first.flat and "尚未填写结果的检查对象 3 个" in first.flat
    # The blank copy: the entity recorded from the other workbook is not pending any more.
    again = run_cli(["publish", "blank.xlsx", "--as-of", "2024-09-11", "--out", "p2.xlsx"], cwd=tmp_path)
    assert again.code == 0 and "尚未填写结果的检查对象 3 个" in again.flat


def test_pending_counts_for_a_visits_workbook(run_cli: Any, tmp_path: Path) -> None:
    """一业一查: one firm drawn by two tasks is two entities to inspect; tasks not started count too."""
    entities = clean_entities()
    both = uscc("泽州县", 990)
    entities.append([both, "泽州县两项公司", "泽州县", "报废机动车回收拆解、单用途商业预付卡", "B", "存续"])
    write_registry(tmp_path / "registry.xlsx", entities=entities)
    draw_cli(run_cli, tmp_path, "joint", 1, "t1.xlsx")  # 5 entities, `both` among them
    draw_cli(run_cli, tmp_path, "joint", 4, "t4.xlsx")  # 5 entities, `both` among them
    assert run_cli(["visits", "--out", "v.xlsx"], cwd=tmp_path).code == 0
    task_1 = "2024-joint-T1-R1-1"
    done = date(2024, 9, 2)
    filled = fill_sheet(tmp_path / "v.xlsx", tmp_path, lambda n, d, c: done if d == task_1 else None)
    assert len(filled) == 5
    result = run_cli(["publish", "v.xlsx", "--as-of", "2024-09-10", "--out", "p.xlsx"], cwd=tmp_path)
    assert result.code == 0, result.output
    assert "新登记 5 个检查对象" in result.flat and "尚未填写结果的检查对象 5 个" in result.flat


# --- the shared helpers: one definition of 超出计划期限, one mask → problems ----------------------------

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 3, 31))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(DAYS, DAYS, DAYS), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 5), st.one_of(st.none(), DAYS)), max_size=30),
)
def test_outside_plan_is_outside_the_period_or_before_the_draw(
    draws: list[tuple[date, date, date]], rows: list[tuple[int, date | None]]
) -> None:
    """Dates as ISO text or dates, unknown draws (numbers past the list) and blanks never outside."""
    table = pd.DataFrame(
        [{"draw_id": f"D{n}", "start": min(a, b), "end": max(a, b), "drawn_on": c} for n, (a, b, c) in
         enumerate(draws)]
    ).set_index("draw_id")  # fmt: skip
    ids = pd.Series([f"D{n}" for n, _ in rows], dtype=object)
    dates = pd.Series([d.isoformat() if d and n % 2 else d for n, d in rows], dtype=object)
    expected = []
    for n, day in rows:
        if day is None or n >= len(draws):
            expected.append(False)
            continue
        start, end, drawn = min(draws[n][:2]), max(draws[n][:2]), draws[n][2]
        expected.append(day < start or day > end or day < drawn)
    assert outside_plan(ids, dates, table).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_flag_rows_reports_flagged_rows_in_sheet_order_whatever_the_mask_covers(
    flags: list[bool], rnd: Any
) -> None:
    """A mask over some rows, in any order, flags those rows in Excel order with their cells."""
    excel_rows = pd.Series(range(3, 3 + len(flags)), index=range(100, 100 + len(flags)))
    covered = [label for label in excel_rows.index if rnd.random() < 0.7]
    rnd.shuffle(covered)
    mask = pd.Series([flags[label - 100] for label in covered], index=covered, dtype=object)
    values = pd.Series([date(2024, 9, 1 + n % 28) for n in range(len(flags))], index=excel_rows.index)
    problems = P.ProblemList()
    flag_rows(problems, "result-date-bad", mask, sheet="检查结果", excel_rows=excel_rows, column="检查日期",
              values=values, display=date.isoformat)  # fmt: skip
    flagged = sorted(label for label in covered if flags[label - 100])
    assert [(p.row, p.value) for p in problems.items] == [
        (excel_rows[label], values[label].isoformat()) for label in flagged
    ]
