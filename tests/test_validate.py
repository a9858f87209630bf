"""validate(): problems plus, per task, eligible entities per class, exact draw sizes and staffing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import AS_OF, ENTITY_HEADER, INSPECTOR_HEADER, PLANS_DIR, clean_entities, clean_inspectors, uscc

from jcdraw.draw.readiness import TaskSummary, ValidationReport, validate
from jcdraw.plans.load import load_plan
from jcdraw.plans.model import Plan

BUREAU, SAMR, TAX = "晋城市商务局", "晋城市市场监督管理局", "国家税务总局晋城市税务局"
JOINT_TEXT = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")

Build = Callable[..., Path]


def car_dealers() -> list[list[Any]]:
    """Task 2 of the joint plan (汽车销售 in 阳城县): A 10, B 20 (5 of them unclassified), C 5, D 3,
    plus entities the task must not count."""
    rows: list[list[Any]] = [list(ENTITY_HEADER)]
    counts = {"A": 10, "B": 15, None: 5, "C": 5, "D": 3}
    serial = 0
    for risk, n in counts.items():
        for _ in range(n):
            serial += 1
            rows.append([uscc("阳城县", serial), f"汽车公司{serial}", "阳城县", "汽车销售", risk, "存续"])
    rows.append([uscc("阳城县", 101), "已注销", "阳城", "汽车销售", "A", "注销"])
    rows.append([uscc("阳城县", 102), "已吊销", "阳城县", "汽车销售", "D", "吊销"])
    rows.append([uscc("城区", 103), "范围外", "城区", "汽车销售", "A", "存续"])
    rows.append([uscc("阳城县", 104), "别的类别", "阳城县", "二手车交易市场", "A", "存续"])
    return rows


def staff(*departments: str, **overrides: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [list(INSPECTOR_HEADER)]
    for i, department in enumerate(departments):
        rows.append([f"JC{i:03d}", f"执法员{i}", department, date(2026, 12, 31), "在岗", None, None])
    return rows


def summary(report: ValidationReport, plan: str, task: int) -> TaskSummary:
    return next(t for t in report.tasks if t.plan == plan and t.task == task)


def codes(report: ValidationReport) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in report.problems]


@pytest.fixture
def joint(plans_2024: list[Plan]) -> Plan:
    return plans_2024[0]


def test_clean_registry_validates_ok(plans_2024: list[Plan], registry_path: Build) -> None:
    report = validate(registry_path(), plans_2024, as_of=AS_OF)
    assert report.ok and report.problems == []
    assert [(t.plan, t.task) for t in report.tasks] == [("2024-joint", n) for n in range(1, 7)] + [
        ("2024-internal", 1),
        ("2024-internal", 2),
    ]
    assert all(t.staffed for t in report.tasks)
    assert report.counts() == {"error": 0, "warning": 0, "info": 0}


def test_eligible_counts_and_exact_draw_sizes(joint: Plan, registry_path: Build) -> None:
    path = registry_path(entities=car_dealers(), inspectors=staff(BUREAU, SAMR, TAX))
    report = validate(path, [joint], as_of=AS_OF)
    task = summary(report, "2024-joint", 2)
    assert task.scope == ["阳城县"] and task.category == "汽车销售"
    assert task.eligible == {"A": 10, "B": 20, "C": 5, "D": 3}
    # Weighted: n = ⌈3/10 × 38⌉ = 12; w × N = 10, 40, 15, 12 (77); quotas 120/77, 480/77, 180/77,
    # 144/77 → ⌊⌋ 1, 6, 2, 1 and the two free seats to the largest remainders, D (.87) and A (.56).
    assert task.rule == "weighted"
    assert task.draw_size == {"A": 2, "B": 6, "C": 2, "D": 2}
    assert task.ratios == {"A": 0.2, "B": 0.3, "C": 0.4, "D": 2 / 3}
    data = task.to_dict()
    assert (data["eligible_total"], data["draw_total"], data["staffed"]) == (38, 12, True)


def test_draw_size_rounds_up_exactly(tmp_path: Path, registry_path: Build) -> None:
    # 0.1 × 20 is exactly 2; Fraction(0.1) × 20 (the binary float) would round up to 3.
    variant = tmp_path / "tenth.yaml"
    variant.write_text(JOINT_TEXT.replace("ratio: 0.3", "ratio: 0.1", 1), encoding="utf-8")
    plan = load_plan(variant)
    rows = [list(ENTITY_HEADER)] + [
        [uscc("阳城县", i), f"公司{i}", "阳城县", "汽车销售", "A" if i <= 10 else "B", "存续"]
        for i in range(1, 21)
    ]
    report = validate(registry_path(entities=rows, inspectors=staff(BUREAU, SAMR, TAX)), [plan], as_of=AS_OF)
    task = summary(report, "2024-joint", 2)
    assert task.eligible == {"A": 10, "B": 10, "C": 0, "D": 0}
    # n = 2; quotas 2 × 10/30 = 2/3 and 2 × 20/30 = 4/3: B 1, and the free seat to A (2/3 > 1/3).
    assert task.draw_size == {"A": 1, "B": 1, "C": 0, "D": 0}


def test_staffing_per_department(joint: Plan, registry_path: Build) -> None:
    inspectors = staff(BUREAU, BUREAU, BUREAU, BUREAU, BUREAU, SAMR, SAMR, TAX)
    inspectors[4][3] = date(2024, 6, 30)  # valid on AS_OF, lapses before the task ends on 2024-12-31
    inspectors[5][4] = "退休"
    inspectors[7][5] = "拍卖"  # qualified for other tasks only
    path = registry_path(entities=car_dealers(), inspectors=inspectors)
    report = validate(path, [joint], as_of=AS_OF)
    task = summary(report, "2024-joint", 2)
    assert [(d.department, d.required, d.eligible) for d in task.departments] == [
        (BUREAU, 1, 3),
        (SAMR, 1, 1),
        (TAX, 1, 1),
    ]
    assert task.inspectors == 5 and task.min_team == 2 and task.staffed


def test_department_without_valid_inspector_is_understaffed(joint: Plan, registry_path: Build) -> None:
    inspectors = staff(BUREAU, BUREAU, SAMR, TAX)
    inspectors[4][3] = date(2023, 12, 31)  # the only tax inspector's credential has expired
    path = registry_path(entities=car_dealers(), inspectors=inspectors)
    report = validate(path, [joint], as_of=AS_OF)
    assert not report.ok
    task = summary(report, "2024-joint", 2)
    assert not task.staffed
    assert [(d.department, d.eligible, d.enough) for d in task.departments] == [
        (BUREAU, 2, True),
        (SAMR, 1, True),
        (TAX, 0, False),
    ]
    understaffed = [p for p in report.problems if p.code == "task-understaffed"]
    # Tasks 2-5 need the tax bureau; task 1 needs the police, who are missing too.
    assert {p.message.split("（")[0] for p in understaffed} == {f"任务 2024-joint/{n}" for n in range(1, 6)}
    tax = next(p for p in understaffed if p.message.startswith("任务 2024-joint/2（"))
    assert tax.severity == "error" and tax.row is None
    assert tax.message == (
        "任务 2024-joint/2（对汽车销售企业的部门联合抽查）无法组成检查组："
        "部门“国家税务总局晋城市税务局”只有 0 名符合条件的执法人员，至少需要 1 名。"
        "请补充该部门的执法人员或更新执法证有效期。"
    )
    assert ("credential-expired", "warning") in codes(report)


def test_team_below_minimum_size(plans_2024: list[Plan], registry_path: Build) -> None:
    internal = plans_2024[1]
    entities = [ENTITY_HEADER] + [
        row for row in clean_entities()[1:] if row[3] in {"对外劳务合作", "商业特许经营"}
    ]
    report = validate(registry_path(entities=entities, inspectors=staff(BUREAU)), [internal], as_of=AS_OF)
    assert codes(report) == [("task-team-too-small", "error")] * 2
    assert "可用执法人员共 1 名，少于检查组最少人数 2" in report.problems[0].message
    assert [d.enough for d in summary(report, "2024-internal", 1).departments] == [True]


def test_team_rule_from_plan(tmp_path: Path, registry_path: Build) -> None:
    old = "    mode: 市抽市查\n\n  - number: 3"
    new = "    mode: 市抽市查\n    team: {min_size: 3, per_department: {晋城市商务局: 2}}\n\n  - number: 3"
    variant = tmp_path / "team.yaml"
    variant.write_text(JOINT_TEXT.replace(old, new, 1), encoding="utf-8")
    plan = load_plan(variant)
    report = validate(
        registry_path(entities=car_dealers(), inspectors=staff(BUREAU, SAMR, TAX)), [plan], as_of=AS_OF
    )
    task = summary(report, "2024-joint", 2)
    assert [(d.department, d.required, d.eligible) for d in task.departments] == [(BUREAU, 2, 1)]
    assert task.min_team == 3 and task.inspectors == 3 and not task.staffed


def test_task_without_entities_is_a_warning(joint: Plan, registry_path: Build) -> None:
    # No 外商投资 entities; none of the internal plan's categories either (untargeted by the joint plan).
    dropped = {"外商投资", "对外劳务合作", "商业特许经营"}
    entities = [row for row in clean_entities() if row[3] not in dropped]
    report = validate(registry_path(entities=entities), [joint], as_of=AS_OF)
    assert report.ok
    assert [(p.code, p.severity) for p in report.problems] == [("task-no-entities", "warning")]
    assert (
        "任务 2024-joint/3（对外商投资企业的部门联合抽查）没有符合条件的检查对象"
        in report.problems[0].message
    )
    assert summary(report, "2024-joint", 3).eligible == {"A": 0, "B": 0, "C": 0, "D": 0}


def test_entities_with_bad_codes_are_not_counted(joint: Plan, registry_path: Build) -> None:
    rows = car_dealers()
    rows[1][0] = rows[1][0][:-1]  # one A entity loses its check character
    report = validate(registry_path(entities=rows, inspectors=staff(BUREAU, SAMR, TAX)), [joint], as_of=AS_OF)
    assert summary(report, "2024-joint", 2).eligible["A"] == 9
    assert not report.ok


def test_report_dict_shape(plans_2024: list[Plan], registry_path: Build) -> None:
    inspectors = clean_inspectors()
    inspectors[3][2] = "晋城市教育局"  # one of the two police officers
    report = validate(registry_path(inspectors=inspectors), plans_2024, as_of=AS_OF)
    data = report.to_dict()
    assert set(data) == {"ok", "file", "counts", "problems", "tasks"}
    assert data["ok"] is True and data["counts"] == {"error": 0, "warning": 1, "info": 0}
    (problem,) = data["problems"]
    assert set(problem) == {"severity", "code", "sheet", "row", "column", "value", "message"}
    assert (problem["code"], problem["sheet"], problem["row"], problem["value"]) == (
        "department-unknown",
        "执法人员",
        4,
        "晋城市教育局",
    )
    first = data["tasks"][0]
    assert first["plan"] == "2024-joint" and first["task"] == 1 and first["scope"] == ["泽州县"]
    assert first["departments"][0] == {"department": BUREAU, "required": 1, "eligible": 2}
