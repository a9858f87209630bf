"""The figures and forms follow the plan and the national system (issue "fidelity", beyond the draw)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from conftest import write_registry

from jcdraw.draw.workbook import result_sheet_columns
from jcdraw.io.xlsx_write import Sheet, write_workbook
from jcdraw.plans.categories import CategoryParser, load_result_categories
from jcdraw.records import RESULT_COLUMNS, RESULT_SHEET

PARSER = CategoryParser(load_result_categories())


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
    drew = run_cli(["draw", "--plan", "joint", "--task", "1", "--seed", "12345678901234567890",
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
