"""examples/make_examples.py writes registries that fit the plans, and writes them the same way every time.

The checks read the plan and area YAML files directly (not through jcdraw.plans), so the example data
are tested against the plans as published rather than against the generator's own word lists.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml

from jcdraw import messages
from jcdraw.registry.uscc import ALPHABET, classify

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "make_examples.py"
PLANS = [ROOT / "plans" / "2024_joint.yaml", ROOT / "plans" / "2024_internal.yaml"]
AREAS = ROOT / "plans" / "jincheng.yaml"
TODAY = date(2026, 11, 28)

ENTITY_HEADERS = [
    "统一社会信用代码",
    "名称",
    "区域",
    "监管类别",
    "信用风险分类",
    "经营状态",
    "地址",
    "法定代表人",
    "联系电话",
]
INSPECTOR_HEADERS = [
    "执法证号",
    "姓名",
    "部门",
    "执法证有效期至",
    "在岗状态",
    "可检查类别",
    "回避对象",
    "联系电话",
]
RECUSAL_HEADERS = ["执法证号", "统一社会信用代码", "回避原因"]
HEADER_ROWS = {"检查对象": 2, "执法人员": 1, "回避关系": 1}
ACTIVE = {"存续", "在业", "开业"}
INACTIVE = {"注销", "吊销", "撤销", "迁出"}
TEXT_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
PLANTED_CODES = {
    "uscc-missing", "uscc-float", "uscc-length", "uscc-charset", "uscc-checksum", "uscc-duplicate",
    "name-missing", "region-unknown", "region-mismatch", "category-untargeted", "risk-unknown",
    "badge-missing", "badge-duplicate", "inspector-name-missing", "department-unknown",
    "credential-expired", "credential-date-bad", "recusal-code-invalid", "recusal-badge-unknown",
}  # fmt: skip


# --- reading the plans and the workbooks --------------------------------------------------------


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


AREA_DATA = _load_yaml(AREAS)
PLAN_DATA = [_load_yaml(path) for path in PLANS]
# A region's own division codes, plus the city's: the city-level registrar (140500) registers firms of
# every district (plans/jincheng.yaml).
REGION_CODES = {r["name"]: {*r["codes"], AREA_DATA["city_code"]} for r in AREA_DATA["regions"]}
REGION_OF = {alias: r["name"] for r in AREA_DATA["regions"] for alias in [r["name"], *r["aliases"]]}
DEPARTMENT_OF = {alias: d["name"] for d in AREA_DATA["departments"] for alias in [d["name"], *d["aliases"]]}
TASKS = [task for plan in PLAN_DATA for task in plan["tasks"]]
CATEGORIES = {task["category"] for task in TASKS}
RISK_CLASSES = [c for plan in PLAN_DATA for c in plan["risk_policy"]["classes"]]
RISK_LABELS = {label for c in RISK_CLASSES for label in [c["code"], c["label"], *c["aliases"]]}


def normalise(value: object) -> str:
    """Upper-case, half-width, no whitespace / NBSP / zero-width characters (the project's rule)."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return re.sub(r"[\s\u200b-\u200d\ufeff]", "", text).upper()


def split_list(value: object) -> list[str]:
    return [part.strip() for part in str(value or "").split("、") if part.strip()]


def as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    for fmt in TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    return None


def records(wb: openpyxl.Workbook, sheet: str) -> list[dict[str, Any]]:
    """Data rows as dicts keyed by header, with "_row" the Excel row number and "_cells" the cells."""
    ws = wb[sheet]
    header_row = HEADER_ROWS[sheet]
    headers = [cell.value for cell in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1):
        record: dict[str, Any] = {h: cell.value for h, cell in zip(headers, row, strict=True)}
        record["_row"] = row[0].row
        record["_cells"] = dict(zip(headers, row, strict=True))
        out.append(record)
    return out


def cell_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The script run twice, side by side, into two empty folders."""
    outs = (tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second"))
    procs = [
        subprocess.Popen([sys.executable, str(SCRIPT), "--out-dir", str(out)], stdout=subprocess.DEVNULL)
        for out in outs
    ]
    assert [proc.wait(timeout=60) for proc in procs] == [0, 0]
    return outs


@pytest.fixture(scope="module")
def clean(runs: tuple[Path, Path]) -> dict[str, list[dict[str, Any]]]:
    wb = openpyxl.load_workbook(runs[0] / "registry.xlsx")
    return {sheet: records(wb, sheet) for sheet in HEADER_ROWS}


@pytest.fixture(scope="module")
def broken(runs: tuple[Path, Path]) -> dict[str, list[dict[str, Any]]]:
    wb = openpyxl.load_workbook(runs[0] / "registry-broken.xlsx")
    return {sheet: records(wb, sheet) for sheet in HEADER_ROWS}


@pytest.fixture(scope="module")
def expected(runs: tuple[Path, Path]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = json.loads(
        (runs[0] / "registry-broken.expected.json").read_text("utf-8")
    )
    return problems


# --- shared rules -------------------------------------------------------------------------------


def region(entity: dict[str, Any]) -> str | None:
    return REGION_OF.get(str(entity["区域"]).strip())


def eligible_entities(entities: list[dict[str, Any]], task: dict[str, Any]) -> list[dict[str, Any]]:
    scope = set(REGION_CODES) if "全市" in task["scope"] else set(task["scope"])
    return [
        e
        for e in entities
        if e["经营状态"] in ACTIVE and task["category"] in split_list(e["监管类别"]) and region(e) in scope
    ]


def available_inspectors(inspectors: list[dict[str, Any]], task: dict[str, Any], department: str) -> int:
    def fits(p: dict[str, Any]) -> bool:
        valid_until = as_date(p["执法证有效期至"])
        qualified = not p["可检查类别"] or task["category"] in split_list(p["可检查类别"])
        on_duty = p["在岗状态"] == "在岗" and valid_until is not None and valid_until >= TODAY
        return on_duty and qualified and DEPARTMENT_OF.get(p["部门"]) == department

    return sum(fits(p) for p in inspectors)


def task_departments(task: dict[str, Any]) -> list[str]:
    return [*task["lead_departments"], *task["partner_departments"]]


# --- the clean registry -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["registry.xlsx", "registry-broken.xlsx"])
def test_workbooks_follow_the_contract(runs: tuple[Path, Path], name: str) -> None:
    wb = openpyxl.load_workbook(runs[0] / name)
    assert wb.sheetnames == ["检查对象", "执法人员", "回避关系"]
    entities = wb["检查对象"]
    assert entities["A1"].value == "晋城市商务局监管对象库（2024）"
    assert "A1:I1" in {str(r) for r in entities.merged_cells.ranges}
    assert [c.value for c in entities[2]] == ENTITY_HEADERS
    assert [c.value for c in wb["执法人员"][1]] == INSPECTOR_HEADERS
    assert [c.value for c in wb["回避关系"][1]] == RECUSAL_HEADERS
    assert entities.freeze_panes == "A3" and wb["执法人员"].freeze_panes == "A2"
    assert all(c.font.bold for c in entities[2])


def test_clean_registry_sizes(clean: dict[str, list[dict[str, Any]]]) -> None:
    assert 950 <= len(clean["检查对象"]) <= 1050
    assert 55 <= len(clean["执法人员"]) <= 65
    assert len(clean["回避关系"]) >= 5


def test_every_clean_code_is_valid_unique_and_stored_as_text(clean: dict[str, list[dict[str, Any]]]) -> None:
    codes = pd.Series([e["统一社会信用代码"] for e in clean["检查对象"]])
    assert set(classify(codes)) == {"ok"}
    assert codes.is_unique
    cells = [e["_cells"]["统一社会信用代码"] for e in clean["检查对象"]]
    assert {(c.data_type, c.number_format) for c in cells} == {("s", "@")}
    phones = [e["_cells"]["联系电话"] for e in clean["检查对象"]]
    assert all(re.fullmatch(r"1\d{10}", p.value) and p.number_format == "@" for p in phones)


def test_division_codes_match_regions(clean: dict[str, list[dict[str, Any]]]) -> None:
    mismatched = [
        e for e in clean["检查对象"] if e["统一社会信用代码"][2:8] not in REGION_CODES[region(e) or ""]
    ]
    assert mismatched == []
    kaifaqu = {e["统一社会信用代码"][2:8] for e in clean["检查对象"] if region(e) == "晋城开发区"}
    assert kaifaqu == {"140500", "140502"}


def test_all_regions_categories_and_aliases_appear(clean: dict[str, list[dict[str, Any]]]) -> None:
    entities = clean["检查对象"]
    assert {region(e) for e in entities} == set(REGION_CODES)
    assert {c for e in entities for c in split_list(e["监管类别"])} == CATEGORIES
    assert {"泽州", "阳城", "晋城经济技术开发区"} <= {e["区域"] for e in entities}


def test_value_mix_is_realistic(clean: dict[str, list[dict[str, Any]]]) -> None:
    entities = clean["检查对象"]
    n = len(entities)
    risks = Counter(e["信用风险分类"] for e in entities)
    statuses = Counter(e["经营状态"] for e in entities)
    assert set(risks) - {None} <= RISK_LABELS and {"A", "低风险", "D", "高风险"} <= set(risks)
    assert 0.02 <= risks[None] / n <= 0.10
    assert 0.03 <= sum("、" in e["监管类别"] for e in entities) / n <= 0.08
    assert set(statuses) <= ACTIVE | INACTIVE
    assert 0.01 <= sum(statuses[s] for s in INACTIVE) / n <= 0.06
    assert len({e["名称"] for e in entities}) == n


def test_every_task_has_enough_eligible_entities(clean: dict[str, list[dict[str, Any]]]) -> None:
    counts = {task["name"]: len(eligible_entities(clean["检查对象"], task)) for task in TASKS}
    assert min(counts.values()) >= 15, counts
    assert counts["对外商投资企业的部门联合抽查"] >= 30


def test_every_task_can_be_staffed_twice_over(clean: dict[str, list[dict[str, Any]]]) -> None:
    inspectors = clean["执法人员"]
    staffing = {
        (task["name"], dept): available_inspectors(inspectors, task, dept)
        for task in TASKS
        for dept in task_departments(task)
    }
    assert min(staffing.values()) >= 2, staffing
    assert {DEPARTMENT_OF.get(p["部门"]) for p in inspectors} == set(DEPARTMENT_OF.values())


def test_inspector_dates_are_real_dates_except_a_few_typed_ones(
    clean: dict[str, list[dict[str, Any]]],
) -> None:
    inspectors = clean["执法人员"]
    typed = [p["执法证有效期至"] for p in inspectors if isinstance(p["执法证有效期至"], str)]
    assert sorted(typed) == ["2027/6/30", "2027年6月30日"]
    dates = [as_date(p["执法证有效期至"]) for p in inspectors]
    assert None not in dates
    assert 2 <= sum(d < TODAY for d in dates if d) <= 8
    real = [p["_cells"]["执法证有效期至"] for p in inspectors if not isinstance(p["执法证有效期至"], str)]
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in real)
    assert 2 <= sum(p["在岗状态"] != "在岗" for p in inspectors) <= 8


def test_recusals_name_real_inspectors_and_entities(clean: dict[str, list[dict[str, Any]]]) -> None:
    codes = {e["统一社会信用代码"] for e in clean["检查对象"]}
    badges = {p["执法证号"] for p in clean["执法人员"]}
    listed = [code for p in clean["执法人员"] for code in split_list(p["回避对象"])]
    assert len(listed) >= 3 and set(listed) <= codes
    assert all(r["执法证号"] in badges and r["统一社会信用代码"] in codes for r in clean["回避关系"])


def test_reruns_write_the_same_files(runs: tuple[Path, Path]) -> None:
    first, second = runs
    for name in ["registry.xlsx", "registry-broken.xlsx"]:
        assert cell_values(first / name) == cell_values(second / name)
    for name in ["registry.xlsx", "registry-broken.xlsx", "registry-broken.expected.json"]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


# --- the broken registry ------------------------------------------------------------------------


def test_expected_json_lists_each_planted_problem(expected: list[dict[str, Any]]) -> None:
    assert all(set(p) == {"code", "sheet", "row", "column"} for p in expected)
    codes = Counter(p["code"] for p in expected)
    assert set(codes) == PLANTED_CODES <= set(messages.PROBLEMS)
    assert codes["uscc-duplicate"] == 2 and codes["badge-duplicate"] == 2
    assert sum(codes.values()) == len(PLANTED_CODES) + 2
    locations = [(p["sheet"], p["row"]) for p in expected]
    assert len(set(locations)) == len(locations), "one planted problem per row"


def _planted_value_fits(code: str, value: object, rows: list[dict[str, Any]], column: str) -> bool:
    """Whether the cell the problem points at really holds that kind of mistake."""
    text = normalise(value)
    same_column = [normalise(r[column]) for r in rows]
    checks: dict[str, Callable[[], bool]] = {
        "uscc-missing": lambda: value is None,
        "uscc-float": lambda: isinstance(value, float),
        "uscc-length": lambda: len(text) not in (0, 18),
        "uscc-charset": lambda: len(text) == 18 and bool(set(text) - set(ALPHABET)),
        "uscc-checksum": lambda: classify(pd.Series([text]))[0] == "checksum",
        "uscc-duplicate": lambda: same_column.count(text) == 2,
        "badge-duplicate": lambda: same_column.count(text) == 2,
        "name-missing": lambda: value is None,
        "inspector-name-missing": lambda: value is None,
        "badge-missing": lambda: value is None,
        "region-unknown": lambda: value not in REGION_OF,
        "category-untargeted": lambda: not set(split_list(value)) & CATEGORIES,
        "risk-unknown": lambda: value not in RISK_LABELS,
        "department-unknown": lambda: value not in DEPARTMENT_OF,
        "credential-expired": lambda: (day := as_date(value)) is not None and day < TODAY,
        "credential-date-bad": lambda: isinstance(value, str) and as_date(value) is None,
        "recusal-code-invalid": lambda: classify(pd.Series([text]))[0] != "ok",
    }
    return checks[code]()


def test_expected_locations_hold_the_planted_values(
    broken: dict[str, list[dict[str, Any]]], expected: list[dict[str, Any]]
) -> None:
    badges = {p["执法证号"] for p in broken["执法人员"]}
    for problem in expected:
        rows = broken[problem["sheet"]]
        [record] = [r for r in rows if r["_row"] == problem["row"]]
        value = record[problem["column"]]
        if problem["code"] == "region-mismatch":
            division = normalise(record["统一社会信用代码"])[2:8]
            assert region(record) and division not in REGION_CODES[region(record) or ""], problem
        elif problem["code"] == "recusal-badge-unknown":
            assert value not in badges, problem
        else:
            assert _planted_value_fits(problem["code"], value, rows, problem["column"]), (problem, value)


def test_unplanted_entity_rows_are_clean(
    broken: dict[str, list[dict[str, Any]]], expected: list[dict[str, Any]]
) -> None:
    planted = {p["row"] for p in expected if p["sheet"] == "检查对象"}
    rows = [e for e in broken["检查对象"] if e["_row"] not in planted]
    codes = pd.Series([normalise(e["统一社会信用代码"]) for e in rows])
    assert set(classify(codes)) == {"ok"} and codes.is_unique
    assert all(e["名称"] and region(e) and e["经营状态"] in ACTIVE for e in rows)
    assert all(code[2:8] in REGION_CODES[region(e) or ""] for code, e in zip(codes, rows, strict=True))
    assert all(set(split_list(e["监管类别"])) <= CATEGORIES for e in rows)
    assert all(e["信用风险分类"] is None or e["信用风险分类"] in RISK_LABELS for e in rows)
    raw = [e["统一社会信用代码"] for e in rows]
    assert any("９" in code for code in raw), "a full-width code that is valid once normalised"
    assert any(code.endswith("\u00a0") for code in raw), "a code with a trailing NBSP"
    assert any(code != code.upper() for code in raw), "a lower-case code"


def test_unplanted_inspector_and_recusal_rows_are_clean(
    broken: dict[str, list[dict[str, Any]]], expected: list[dict[str, Any]]
) -> None:
    planted = {(p["sheet"], p["row"]) for p in expected}
    inspectors = [p for p in broken["执法人员"] if ("执法人员", p["_row"]) not in planted]
    badges = [p["执法证号"] for p in inspectors]
    assert all(badges) and len(set(badges)) == len(badges)
    assert all(p["姓名"] and p["部门"] in DEPARTMENT_OF and p["在岗状态"] == "在岗" for p in inspectors)
    assert all((as_date(p["执法证有效期至"]) or TODAY) > TODAY for p in inspectors)
    codes = {normalise(e["统一社会信用代码"]) for e in broken["检查对象"]}
    assert all(set(split_list(p["回避对象"])) <= codes for p in inspectors)
    recusals = [r for r in broken["回避关系"] if ("回避关系", r["_row"]) not in planted]
    assert recusals and all(r["执法证号"] in badges and r["统一社会信用代码"] in codes for r in recusals)


def test_broken_registry_still_covers_every_task(
    broken: dict[str, list[dict[str, Any]]], expected: list[dict[str, Any]]
) -> None:
    """Only the planted problems should be reported: no task lacks entities or inspectors."""
    planted = {(p["sheet"], p["row"]) for p in expected}
    entities = [e for e in broken["检查对象"] if ("检查对象", e["_row"]) not in planted]
    inspectors = [p for p in broken["执法人员"] if ("执法人员", p["_row"]) not in planted]
    for task in TASKS:
        assert eligible_entities(entities, task), task["name"]
        for dept in task_departments(task):
            needed = 2 if len(task_departments(task)) == 1 else 1
            assert available_inspectors(inspectors, task, dept) >= needed, (task["name"], dept)
