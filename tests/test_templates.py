"""``jcdraw template registry`` and ``jcdraw init``: the blank workbook and the staff workspace."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF, ENTITY_HEADER, INSPECTOR_HEADER, PLANS_DIR, sha256, uscc, write_registry
from openpyxl.utils import column_index_from_string

from jcdraw import messages
from jcdraw.plans.model import Plan
from jcdraw.registry.load import load_registry

SHEETS = ["检查对象", "执法人员", "回避关系", "说明"]
DROPDOWNS = {"检查对象": {"区域", "信用风险分类", "经营状态"}, "执法人员": {"部门", "在岗状态"}}


def dropdowns(path: Path) -> dict[str, dict[str, list[str]]]:
    """sheet → header → the choices of the list validation on that column (inline lists only)."""
    book = openpyxl.load_workbook(path)
    found: dict[str, dict[str, list[str]]] = {}
    for sheet in book.worksheets:
        headers = [cell.value for cell in sheet[1]]
        for validation in sheet.data_validations.dataValidation:
            first = str(validation.sqref).split(":")[0]
            column = column_index_from_string("".join(ch for ch in first if ch.isalpha()))
            assert validation.type == "list" and validation.showErrorMessage
            choices = validation.formula1.strip('"').split(",")
            found.setdefault(sheet.title, {})[headers[column - 1]] = choices
    return found


@pytest.fixture
def template(run_cli: Any, tmp_path: Path) -> Path:
    result = run_cli(["template", "registry", "模板.xlsx"], cwd=tmp_path)
    assert result.code == 0, result.output
    assert "名录库模板已生成：模板.xlsx" in result.flat
    return tmp_path / "模板.xlsx"


def test_template_sheets_headers_and_frozen_panes(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert [s.title for s in book.worksheets if s.sheet_state == "visible"] == SHEETS
    headers = {s.title: [c.value for c in s[1]] for s in book.worksheets}
    assert headers["检查对象"][:6] == ENTITY_HEADER
    assert headers["执法人员"][:7] == INSPECTOR_HEADER
    assert headers["回避关系"] == ["执法证号", "统一社会信用代码", "回避原因"]
    for title in SHEETS[:3]:
        assert book[title].freeze_panes == "A2"
        assert book[title].max_row == 1  # no data rows, only the header
    guide = "\n".join(str(row[0]) for row in book["说明"].iter_rows(min_row=2, values_only=True))
    assert "统一社会信用代码" in guide and "jcdraw validate registry.xlsx" in guide


def test_template_dropdowns(template: Path, plans_2024: list[Plan]) -> None:
    found = dropdowns(template)
    assert {sheet: set(columns) for sheet, columns in found.items()} == DROPDOWNS
    areas = plans_2024[0].geography
    assert found["检查对象"]["区域"] == areas.region_names
    assert found["执法人员"]["部门"] == areas.department_names
    assert found["检查对象"]["信用风险分类"][:4] == ["A", "B", "C", "D"]
    assert {"存续", "注销", "吊销", "撤销", "迁出"} <= set(found["检查对象"]["经营状态"])
    assert "在岗" in found["执法人员"]["在岗状态"]


def test_every_dropdown_choice_is_understood_by_the_loader(
    template: Path, plans_2024: list[Plan], tmp_path: Path
) -> None:
    found = dropdowns(template)
    entities: list[list[Any]] = [ENTITY_HEADER]
    regions, risks, statuses = (found["检查对象"][c] for c in ("区域", "信用风险分类", "经营状态"))
    for i in range(max(len(regions), len(risks), len(statuses))):
        region = regions[i % len(regions)]
        entities.append(
            [uscc(region, i), f"公司{i}", region, "拍卖", risks[i % len(risks)], statuses[i % len(statuses)]]
        )
    inspectors: list[list[Any]] = [INSPECTOR_HEADER]
    departments, duties = found["执法人员"]["部门"], found["执法人员"]["在岗状态"]
    for i in range(max(len(departments), len(duties))):
        department, duty = departments[i % len(departments)], duties[i % len(duties)]
        inspectors.append([f"B{i}", "某某", department, date(2026, 12, 31), duty, None, None])
    path = write_registry(tmp_path / "filled.xlsx", entities=entities, inspectors=inspectors)
    registry = load_registry(path, plans_2024, as_of=AS_OF)
    assert registry.problems.finished() == []
    assert set(registry.entities["risk_class"]) == {"A", "B", "C", "D"}
    assert set(registry.entities["region"]) == set(regions)


def test_blank_template_validates_as_empty_registry(run_cli: Any, template: Path) -> None:
    result = run_cli(["validate", template.name, "--json", "--as-of", AS_OF.isoformat()], cwd=template.parent)
    assert result.code == 1
    report = json.loads(result.out)
    row_level = {(p["code"], p["sheet"]) for p in report["problems"] if p["sheet"]}
    assert row_level == {("no-entities", "检查对象"), ("no-inspectors", "执法人员")}
    assert "程序内部错误" not in result.flat


def test_template_is_not_overwritten_without_force(run_cli: Any, template: Path) -> None:
    before = sha256(template)
    again = run_cli(["template", "registry", template.name], cwd=template.parent)
    assert again.code == 2
    assert messages.OUTPUT_EXISTS.split("，")[0].format(path=template.name) in again.flat
    assert sha256(template) == before
    forced = run_cli(
        ["template", "registry", template.name, "--force"], cwd=template.parent, outputs=[template.name]
    )
    assert forced.code == 0


def test_template_into_missing_folder_exits_2(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli(["template", "registry", "没有/模板.xlsx"], cwd=tmp_path)
    assert result.code == 2 and "不存在" in result.flat
    assert not (tmp_path / "没有").exists()


# --- init ----------------------------------------------------------------------------------------


def test_init_creates_workspace(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli(["init", "2024抽查"], cwd=tmp_path)
    assert result.code == 0, result.output
    folder = tmp_path / "2024抽查"
    for name in ("2024_joint.yaml", "2024_internal.yaml", "jincheng.yaml"):
        assert (folder / "plans" / name).read_bytes() == (PLANS_DIR / name).read_bytes()
    assert (folder / "使用说明.txt").read_text(encoding="utf-8") == messages.WORKSPACE_README
    book = openpyxl.load_workbook(folder / "registry.xlsx")
    assert [s.title for s in book.worksheets if s.sheet_state == "visible"] == SHEETS
    # The plans, the registry template, the staff README and the ledger.
    assert (
        f"工作目录已就绪：2024抽查（新建 {len(list((folder / 'plans').iterdir())) + 3} 个文件）"
        in result.flat
    )


def test_init_again_overwrites_nothing(run_cli: Any, tmp_path: Path) -> None:
    assert run_cli(["init", "ws"], cwd=tmp_path).code == 0
    folder = tmp_path / "ws"
    edited_plan = folder / "plans" / "2024_joint.yaml"
    edited_plan.write_text(
        edited_plan.read_text(encoding="utf-8").replace("ratio: 0.3", "ratio: 0.35", 1), encoding="utf-8"
    )
    write_registry(folder / "registry.xlsx")
    (folder / "使用说明.txt").write_text("我的笔记", encoding="utf-8")
    before = {p: sha256(p) for p in folder.rglob("*") if p.is_file()}
    again = run_cli(["init", "ws"], cwd=tmp_path)
    assert again.code == 0
    assert "新建 0 个文件" in again.flat
    assert {p: sha256(p) for p in folder.rglob("*") if p.is_file()} == before
    # The workspace's own plans are the ones used there.
    shown = run_cli(["plans", "--plan", "joint", "--json"], cwd=folder)
    assert json.loads(shown.out)[0]["tasks"][1]["ratio"] == "7/20"


def test_init_on_a_file_exits_2(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "ws").write_text("x", encoding="utf-8")
    result = run_cli(["init", "ws"], cwd=tmp_path)
    assert result.code == 2
    assert messages.INIT_NOT_A_FOLDER.format(path="ws") in result.flat
