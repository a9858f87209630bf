"""The figures and forms follow the plan and the national system (issue "fidelity", beyond the draw)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

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
