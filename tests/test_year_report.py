"""jcdraw report: the year report on the README's example year, checked against the ledger and status.

The example year draws joint task 2 (18 of 60) and internal task 2 (52 of 129); the results workbook
fills every entity but each fifth, with 发现问题已责令改正 on each fifth of the others (by draw order).
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from example_year import build_example_year, copy_ledger

from jcdraw.ledger import Ledger

AS_OF = "2024-11-25"
FINDINGS = {
    "未按规定公示应当公示的信息", "公示信息隐瞒真实情况、弄虚作假", "通过登记的住所（经营场所）无法联系",
    "发现问题已责令改正", "发现问题待后续处理", "不配合检查情节严重",
}  # fmt: skip
SHEETS = [
    "年度概况", "任务完成情况", "发现率-风险类别", "发现率-任务", "发现率-检查事项", "检查结果类别", "部门",
    "执法人员", "结果更正", "后续处置", "抽中未检查",
]  # fmt: skip


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example_year(tmp_path_factory.mktemp("example-year"))


def report_json(run_cli: Any, ledger: Path, *extra: str) -> dict[str, Any]:
    result = run_cli(["report", "--year", "2024", "--as-of", AS_OF, "--ledger", ledger, "--json", *extra])
    assert result.code == 0, result.output
    found: dict[str, Any] = json.loads(result.out)
    return found


def expected_by_risk(ledger: Path) -> dict[str, tuple[int, int, int]]:
    """Risk class → (drawn, inspected, found), counted straight from the ledger's records."""
    with Ledger.open(ledger, readonly=True) as book:
        draws = book.draws()
        results = book.results()
    found: dict[tuple[str, str], bool] = {}
    for r in results:
        key = (r["draw_id"], r["uscc"])
        found[key] = found.get(key, False) or bool(set(r["result"]) & FINDINGS)
    counts: dict[str, list[int]] = {}
    for record in draws:
        for chosen in record.payload["selected"]:
            key = (record.payload["draw_id"], chosen["uscc"])
            row = counts.setdefault(chosen["risk_class"], [0, 0, 0])
            row[0] += 1
            row[1] += key in found
            row[2] += found.get(key, False)
    return {cls: (a, b, c) for cls, (a, b, c) in sorted(counts.items())}


def test_report_numbers_equal_status_and_the_ledger(run_cli: Any, base: Path) -> None:
    report = report_json(run_cli, base)
    status = json.loads(
        run_cli(["status", "--as-of", AS_OF, "--ledger", base, "--year", "2024", "--json"]).out
    )
    assert report["tasks"] == status["tasks"]
    assert len(report["tasks"]) == 8  # joint 1-6, internal 1-2: six never drawn, listed all the same
    undrawn = [(t["plan"], t["task"]) for t in report["tasks"] if t["undrawn"]]
    assert undrawn == [("2024-joint", t) for t in (1, 3, 4, 5, 6)] + [("2024-internal", 1)]
    drawn = {(t["plan"], t["task"]): (t["drawn"], t["inspected"], t["published"]) for t in report["tasks"]}
    assert drawn[("2024-joint", 2)] == (18, 15, 15) and drawn[("2024-internal", 2)] == (52, 42, 42)

    by_risk = {
        r["risk_class"]: (r["drawn"], r["n"], r["found"]) for r in report["detection"]["by_risk_class"]
    }
    assert by_risk == expected_by_risk(base)
    assert sum(v[0] for v in by_risk.values()) == 70
    rates = {r["risk_class"]: r["rate"] for r in report["detection"]["by_risk_class"]}
    assert rates == {c: round(f / n, 4) for c, (_, n, f) in by_risk.items()}
    totals = report["totals"]
    assert (totals["drawn"], totals["inspected"], totals["found"], totals["uninspected"]) == (70, 57, 13, 13)
    assert totals["rate"] == round(13 / 57, 4) and totals["tasks"] == 8 and totals["undrawn"] == 6
    by_task = {(r["plan"], r["task"]): (r["n"], r["found"]) for r in report["detection"]["by_task"]}
    assert sum(n for n, _ in by_task.values()) == 57 and sum(f for _, f in by_task.values()) == 13
    items = [r for r in report["detection"]["by_item"] if r["plan"] == "2024-internal"]
    assert [r["item"] for r in items] == [1, 2, 3, 4, 5] and {r["n"] for r in items} == {42}
    categories = {c["category"]: (c["items"], c["entities"]) for c in report["categories"]}
    assert categories == {"未发现问题": (172, 44), "发现问题已责令改正": (53, 13)}
    assert len(report["uninspected"]) == 13 and not any(u["period_ended"] for u in report["uninspected"])
    assert len(report["followups"]) == 53 and all(f["open"] for f in report["followups"])


def test_inspector_loads_add_up_to_the_teams(run_cli: Any, base: Path) -> None:
    report = report_json(run_cli, base)
    with Ledger.open(base, readonly=True) as book:
        teams = Counter(b for d in book.draws() for s in d.payload["selected"] for b in s["team"])
        signed = {(r["draw_id"], r["uscc"], b) for r in book.results() for b in r["badges"]}
    assert {i["badge"]: i["assigned"] for i in report["inspectors"]} == dict(teams)
    assert {i["badge"]: i["inspected"] for i in report["inspectors"] if i["inspected"]} == dict(
        Counter(b for _, _, b in signed)
    )
    for d in report["departments"]:
        mine = [i for i in report["inspectors"] if i["department"] == d["department"]]
        assert d["inspectors"] == len(mine) and d["assigned"] == sum(i["assigned"] for i in mine)
        assert (d["fewest"], d["most"]) == (
            min(i["assigned"] for i in mine),
            max(i["assigned"] for i in mine),
        )


def test_workbook_sheets_charts_and_print_settings(run_cli: Any, base: Path, tmp_path: Path) -> None:
    out, platform = tmp_path / "年度报告.xlsx", tmp_path / "平台.xlsx"
    argv = [
        "report",
        "--year",
        "2024",
        "--as-of",
        AS_OF,
        "--ledger",
        base,
        "--out",
        out,
        "--platform",
        platform,
    ]
    result = run_cli(argv)
    assert result.code == 0, result.output
    assert "年度报告已写入" in result.flat and "问题发现率 23%" in result.flat
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == SHEETS
    values = {name: list(book[name].iter_rows(values_only=True)) for name in SHEETS}
    assert values["任务完成情况"][1][:4] == ("任务", "计划编号", "任务编号", "任务名称")
    tasks = values["任务完成情况"][2:]
    assert len(tasks) == 8 and [r[-1] for r in tasks].count("未抽取") == 6
    assert values["发现率-风险类别"][1] == (
        "信用风险分类",
        "抽取对象数",
        "已检查（n）",
        "发现问题",
        "问题发现率",
    )
    by_risk = {r[0]: r[1:4] for r in values["发现率-风险类别"][2:]}
    assert by_risk == expected_by_risk(base)
    assert dict(r for r in values["年度概况"][2:])["问题发现率"] == "22.8%"
    assert len(values["抽中未检查"]) == 2 + 13 and len(values["后续处置"]) == 2 + 53
    anchor = next(iter(values["年度概况"][0]))
    assert "2024 年度双随机抽查报告" in str(anchor)
    with Ledger.open(base, readonly=True) as ledger:
        printed = ledger.anchor().text()
    for name in SHEETS:
        sheet = book[name]
        # fit to one page wide (xlsxwriter leaves out fitToWidth="1", Excel's default: openpyxl reads None)
        assert sheet.page_setup.paperSize == 9 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$2"  # title and header on every page
        page_numbers, anchor_line = sheet.oddFooter.center.text.split("\n")  # the anchor under them
        assert "第 &P 页" in page_numbers and anchor_line.endswith(printed)
    charted = {name for name in SHEETS if book[name]._charts}
    assert charted == {"任务完成情况", "发现率-风险类别", "发现率-任务", "检查结果类别", "部门"}
    assert book["任务完成情况"].page_setup.orientation == "landscape"
    exported = list(
        openpyxl.load_workbook(platform, read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert len(exported) == 1 + 225  # every published item (57 entities: 15 × 1 item + 42 × 5 items)


def test_corrections_and_followups_reach_the_report(run_cli: Any, base: Path, tmp_path: Path) -> None:
    ledger = copy_ledger(base, tmp_path)
    with Ledger.open(ledger, readonly=True) as book:
        clean = next(r for r in book.results() if r["result"] == ["未发现问题"] and r["item"] == "1")
        found = next(r for r in book.results() if r["result"] == ["发现问题已责令改正"])
    before = report_json(run_cli, ledger)
    argv = ["correct", "--draw", clean["draw_id"], "--uscc", clean["uscc"], "--item", "1", "--ledger", ledger]
    argv += [
        "--result",
        "发现问题待后续处理",
        "--approved-by",
        "张局长",
        "--approval-ref",
        "晋市商〔2024〕9号",
    ]
    assert run_cli([*argv, "--reason", "复核发现问题", "--as-of", AS_OF], outputs=[ledger]).code == 0
    argv = ["followup", "--draw", found["draw_id"], "--uscc", found["uscc"], "--item", found["item"]]
    argv += ["--action", "已复查", "--date", "2024-11-20", "--done", "2024-11-22", "--as-of", AS_OF]
    assert run_cli([*argv, "--ledger", ledger], outputs=[ledger]).code == 0
    after = report_json(run_cli, ledger)
    assert after["totals"]["found"] == before["totals"]["found"] + 1
    assert after["totals"]["corrections"] == 1
    assert (after["totals"]["followups_open"], after["totals"]["followups_done"]) == (53, 1)
    (correction,) = after["corrections"]
    assert (correction["old"], correction["new"], correction["approved_by"]) == (
        "未发现问题", "发现问题待后续处理", "张局长",
    )  # fmt: skip
    done = [f for f in after["followups"] if not f["open"]]
    assert [(f["uscc"], f["action"], f["done"]) for f in done] == [(found["uscc"], "已复查", "2024-11-22")]


def test_a_year_without_plans_or_draws_is_refused(run_cli: Any, base: Path) -> None:
    result = run_cli(["report", "--year", "2031", "--ledger", base, "--json"])
    assert result.code == 2
    assert "台账中没有 2031 年度的抽取" in result.flat


def test_the_readme_year_end_block_runs_as_written(run_cli: Any, base: Path, tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 年终：年度报告与后续处置", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [shlex.split(line) for line in block.splitlines() if line.strip()]
    assert [words[:2] for words in lines] == [["jcdraw", "followup"]] * 2 + [
        ["jcdraw", "status"],
        ["jcdraw", "report"],
    ]
    ledger = copy_ledger(base, tmp_path)
    for words in lines:
        result = run_cli(words[1:], cwd=tmp_path, outputs=[ledger])
        assert result.code == 0, (words, result.output)
    assert (tmp_path / "年度报告-2024.xlsx").is_file() and (tmp_path / "平台导入-2024.xlsx").is_file()
    report = report_json(run_cli, ledger)
    assert report["totals"]["followups_done"] == 1
