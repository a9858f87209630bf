"""The draw follows the published plan (issue "fidelity"): credit rules end to end through the CLI.

Registries are written by the tests; expected counts come from the independent reference in
``test_allocation`` (water filling in whole numbers), never from jcdraw's own allocation code.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    AS_OF,
    ENTITY_HEADER,
    PLANS_DIR,
    clean_entities,
    clean_inspectors,
    uscc,
    write_registry,
)
from test_allocation import reference_weighted

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.ledger import Ledger
from jcdraw.plans.load import load_plan

SEED = "12345678901234567890"
JOINT_TEXT = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")
WEIGHTS = {"A": 1, "B": 2, "C": 3, "D": 4}


def dealers(sizes: dict[str, int], region: str = "阳城县", category: str = "汽车销售") -> list[list[Any]]:
    """Entity rows of one category and region, ``sizes`` per risk class ("" = unclassified)."""
    rows: list[list[Any]] = [list(ENTITY_HEADER)]
    serial = 0
    for risk, count in sizes.items():
        for _ in range(count):
            serial += 1
            rows.append(
                [uscc(region, 1000 + serial), f"{category}公司{serial}", region, category, risk, "存续"]
            )
    return rows


def draw_json(run_cli: Any, folder: Path, plan: str, task: int, *extra: str) -> dict[str, Any]:
    result = run_cli(
        [
            "draw",
            "--new-ledger",
            "--plan",
            plan,
            "--task",
            task,
            "--seed",
            SEED,
            "--as-of",
            AS_OF.isoformat(),
            "--json",
            *extra,
        ],
        cwd=folder,
    )
    assert result.code == 0, result.output
    data: dict[str, Any] = json.loads(result.out)
    return data


# --- the done-when cases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sizes",
    [
        {"A": 21, "B": 25, "C": 12, "D": 2},
        {"A": 40, "B": 40, "C": 40, "D": 40},
        {"A": 3, "B": 50, "C": 1, "D": 9},
    ],
)
def test_joint_task_2_draws_exactly_the_plans_ratio_shared_by_the_reference(
    sizes: dict[str, int], run_cli: Any, tmp_path: Path
) -> None:
    write_registry(tmp_path / "registry.xlsx", entities=dealers(sizes), inspectors=clean_inspectors())
    data = draw_json(run_cli, tmp_path, "joint", 2)
    n = sum(sizes.values())
    assert data["drawn_total"] == len(data["selected"]) == math.ceil(Fraction(3, 10) * n)
    assert (data["rule"], data["nominal_ratio"], data["eligible_total"]) == ("weighted", "3/10", n)
    expected, _ = reference_weighted(math.ceil(Fraction(3, 10) * n), sizes, WEIGHTS, "ABCD")
    assert {s["class"]: s["drawn"] for s in data["strata"]} == expected
    assert Counter(s["risk_class"] for s in data["selected"]) == {c: k for c, k in expected.items() if k}
    if len(set(sizes.values())) == 1:  # equal classes: effective ratios rise strictly with risk
        ratios = [s["ratio"] for s in data["strata"]]
        assert ratios == sorted(ratios) and len(set(ratios)) == 4


def test_effective_ratios_rise_from_a_to_d_on_the_example_shape(run_cli: Any, tmp_path: Path) -> None:
    sizes = {"A": 21, "B": 25, "C": 12, "D": 2}
    write_registry(tmp_path / "registry.xlsx", entities=dealers(sizes), inspectors=clean_inspectors())
    strata = draw_json(run_cli, tmp_path, "joint", 2)["strata"]
    assert [(s["class"], s["drawn"], s["effective_ratio"]) for s in strata] == [
        ("A", 3, "1/7"), ("B", 8, "8/25"), ("C", 6, "1/2"), ("D", 1, "1/2"),
    ]  # fmt: skip
    assert [s["quota"] for s in strata] == ["378/115", "180/23", "648/115", "144/115"]


def test_internal_task_2_is_flat_and_draws_ceil_04_n(run_cli: Any, tmp_path: Path) -> None:
    entities = dealers({"A": 7, "B": 20, "C": 9, "D": 1, "": 3}, region="高平市", category="商业特许经营")
    write_registry(tmp_path / "registry.xlsx", entities=entities, inspectors=clean_inspectors())
    data = draw_json(run_cli, tmp_path, "internal", 2)
    assert data["rule"] == "flat" and data["drawn_total"] == math.ceil(Fraction(2, 5) * 40) == 16
    assert sum(s["drawn"] for s in data["strata"]) == 16  # per class as the tickets fell


def test_round_2_of_a_weighted_task_draws_only_c_and_d(run_cli: Any, tmp_path: Path) -> None:
    sizes = {"A": 10, "B": 10, "C": 7, "D": 3}
    write_registry(tmp_path / "registry.xlsx", entities=dealers(sizes), inspectors=clean_inspectors())
    data = draw_json(run_cli, tmp_path, "joint", 2, "--round", "2")
    assert data["eligible_total"] == 10 and data["drawn_total"] == 3  # ⌈0.3 × (7 + 3)⌉
    assert {s["risk_class"] for s in data["selected"]} <= {"C", "D"}
    assert [(s["class"], s["in_round"], s["drawn"]) for s in data["strata"][:2]] == [
        ("A", False, 0),
        ("B", False, 0),
    ]
    expected, _ = reference_weighted(3, {"C": 7, "D": 3}, WEIGHTS, "ABCD")
    assert {s["class"]: s["drawn"] for s in data["strata"][2:]} == expected


def test_a_registry_without_classes_draws_ceil_r_n(run_cli: Any, tmp_path: Path) -> None:
    write_registry(tmp_path / "registry.xlsx", entities=dealers({"": 23}), inspectors=clean_inspectors())
    data = draw_json(run_cli, tmp_path, "joint", 2)
    assert data["drawn_total"] == math.ceil(Fraction(3, 10) * 23) == 7
    assert {s["class"]: s["eligible"] for s in data["strata"]} == {"A": 0, "B": 23, "C": 0, "D": 0}


def test_the_record_sheet_and_terminal_state_the_rule_in_words(run_cli: Any, tmp_path: Path) -> None:
    write_registry(tmp_path / "registry.xlsx", entities=dealers({"A": 21, "B": 25, "C": 12, "D": 2}))
    result = run_cli(
        ["draw", "--new-ledger", "--plan", "joint", "--task", "2", "--seed", SEED, "--as-of",
         AS_OF.isoformat()], cwd=tmp_path
    )
    assert result.code == 0, result.output
    flat = re.sub(r"\s+", "", result.out)
    assert "按风险加权分配" in flat and "计划比例30%" in flat and "实际比例30.0%" in flat
    import openpyxl

    rows = dict(
        openpyxl.load_workbook(tmp_path / "draw-2024-joint-task2-round1.xlsx")["抽取记录"].iter_rows(
            values_only=True
        )
    )
    assert rows["抽查类型"] == "不定向抽查" and rows["计划抽查比例"] == "30%（3/10）"
    assert str(rows["信用规则"]).startswith("按风险加权分配")
    assert rows["分层 A"] == "符合条件 21 个，权重 1，名额 378/115，本轮抽取 3 个，实际比例 1/7（14.3%）"
    assert "共抽取 18 个，实际比例 3/10（30.0%）" in str(rows["合计"])


def test_plans_lists_each_tasks_rule_in_words(run_cli: Any) -> None:
    result = run_cli(["plans"])
    flat = re.sub(r"[\s│┃|]+", "", result.out)
    assert result.code == 0 and "按风险加权分配" in flat and "不分类别" in flat and "分类比例" in flat


# --- plan files: the loader says what is wrong ---------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "detail"),
    [
        ("weights: {A: 1, B: 2, C: 3, D: 4}", "weights: {A: 0, B: 2, C: 3, D: 4}", "credit_rule.weights",
         messages.PLAN_RULE_WEIGHT_POSITIVE),
        ("weights: {A: 1, B: 2, C: 3, D: 4}", "weights: {A: 2, B: 1, C: 3, D: 4}", "credit_rule.weights",
         messages.PLAN_RULE_WEIGHT_RISING.format(classes="A、B、C、D")),
        ("weights: {A: 1, B: 2, C: 3, D: 4}", "weights: {A: 1, B: 2, C: 3}", "credit_rule.weights",
         messages.PLAN_RULE_CLASSES.format(classes="A、B、C、D", given="A、B、C")),
        ("version: 2\n", "version: 3\n", "changes", messages.PLAN_CHANGES_VERSION.format(last=2, version=3)),
        ("    mode: 市抽市查\n\n  - number: 2", "    mode: 市抽市查\n    sampling: 定向\n\n  - number: 2",
         "sampling", messages.PLAN_TARGET_NEEDED),
        ("{code: A, label: 信用风险低, aliases: [低风险, 信用风险低, 低]}",
         "{code: A, label: 信用风险低, aliases: [低风险, 信用风险低, 低], multiplier: 1, frequency: 1}",
         "risk_policy.classes", messages.PLAN_RULE_AND_LEGACY),
    ],
)  # fmt: skip
def test_bad_credit_rules_are_refused_in_chinese(
    tmp_path: Path, old: str, new: str, field: str, detail: str
) -> None:
    assert old in JOINT_TEXT
    path = tmp_path / "bad.yaml"
    path.write_text(JOINT_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BadPlan) as caught:
        load_plan(path)
    assert field in caught.value.message and detail in caught.value.message


def test_a_ratios_rule_above_100_percent_is_refused(tmp_path: Path) -> None:
    text = JOINT_TEXT.replace(
        "credit_rule:\n  kind: weighted\n  weights: {A: 1, B: 2, C: 3, D: 4}\n",
        "credit_rule:\n  kind: ratios\n  ratios: {A: 5%, B: 20%, C: 40%, D: 120%}\n",
    )
    path = tmp_path / "ratios.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadPlan) as caught:
        load_plan(path)
    assert messages.PLAN_RULE_RATIO_RANGE in caught.value.message


# --- targeted tasks (定向抽查) ----------------------------------------------------------------------


TARGETED = """
  - number: 7
    name: 对重点监管汽车销售企业的定向抽查
    items: [对从事汽车销售及其相关服务活动的检查]
    category: 汽车销售
    scope: [阳城县]
    ratio: 100%
    sampling: 定向
    target: {risk_classes: [C, D], registry_flags: {重点监管对象: 是}}
    period: {start: 2024-03-01, end: 2024-12-31}
    lead_departments: [晋城市商务局]
    partner_departments: [晋城市市场监督管理局]
"""


def test_a_targeted_task_draws_only_flagged_entities_of_its_classes(run_cli: Any, tmp_path: Path) -> None:
    plan = tmp_path / "targeted.yaml"
    plan.write_text(JOINT_TEXT.rstrip("\n") + "\n" + TARGETED, encoding="utf-8")
    rows = dealers({"A": 4, "C": 4, "D": 2})
    rows[0].append("重点监管对象")
    flags = ["是", "", "", "", "√", "否", "是", "", "Y", ""]  # A1 flagged but class A; C1, C3, D1 count
    for row, flag in zip(rows[1:], flags, strict=True):
        row.append(flag)
    write_registry(tmp_path / "registry.xlsx", entities=rows, inspectors=clean_inspectors())
    data = draw_json(run_cli, tmp_path, str(plan), 7)
    assert data["sampling"] == "定向" and data["eligible_total"] == 3 == data["drawn_total"]
    assert sorted(s["name"] for s in data["selected"]) == ["汽车销售公司5", "汽车销售公司7", "汽车销售公司9"]


def test_a_targeted_task_without_its_flag_column_is_a_validate_error(run_cli: Any, tmp_path: Path) -> None:
    plan = tmp_path / "targeted.yaml"
    plan.write_text(JOINT_TEXT.rstrip("\n") + "\n" + TARGETED, encoding="utf-8")
    write_registry(tmp_path / "registry.xlsx", entities=dealers({"C": 3}), inspectors=clean_inspectors())
    argv = ["validate", "registry.xlsx", "--plan", str(plan), "--json", "--as-of", AS_OF.isoformat()]
    result = run_cli(argv, cwd=tmp_path)
    codes = [p["code"] for p in json.loads(result.out)["problems"]]
    assert result.code == 1 and "target-column-missing" in codes


# --- redraws never hide results; visits skip what is done --------------------------------------------


def record_all_results(ledger: Path, draw_id: str) -> int:
    with Ledger.open(ledger) as book:
        record = book.get_draw(draw_id)
        assert record is not None
        payload = record.payload
        rows = [
            {"draw_id": draw_id, "uscc": s["uscc"], "item": str(n), "item_text": item,
             "plan": payload["plan"], "task": payload["task"], "result": ["未发现问题"],
             "completed": "2024-05-10", "badges": s["team"][:2]}
            for s in payload["selected"]
            for n, item in enumerate(payload["items"], 1)
        ]  # fmt: skip
        return book.record_results(rows)


def test_a_redraw_after_results_is_refused_and_the_results_stay(run_cli: Any, tmp_path: Path) -> None:
    write_registry(tmp_path / "registry.xlsx")
    draw_json(run_cli, tmp_path, "joint", 1)
    assert record_all_results(tmp_path / "jcdraw.sqlite3", "2024-joint-T1-R1-1") == 16
    result = run_cli(
        ["draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed", "98765432109876543210",
         "--as-of",
         AS_OF.isoformat(), "--redraw", "--reason", "重抽"], cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 1
    assert messages.LEDGER_REDRAW_ORPHANS.format(draw_id="2024-joint-T1-R1-1", count=16) in result.flat
    with Ledger.open(tmp_path / "jcdraw.sqlite3", readonly=True) as book:
        assert len(book.records("draw")) == 1 and book.is_standing("2024-joint-T1-R1-1")
        assert book.result_count("2024-joint-T1-R1-1") == 16


def test_visits_leave_out_inspected_entities_and_mark_partly_done_visits(
    run_cli: Any, tmp_path: Path
) -> None:
    entities = clean_entities()
    both = uscc("泽州县", 990)  # drawn by joint task 1 and joint task 4 (both 100%)
    entities.append([both, "泽州县两项公司", "泽州县", "报废机动车回收拆解、单用途商业预付卡", "B", "存续"])
    write_registry(tmp_path / "registry.xlsx", entities=entities)
    draw_json(run_cli, tmp_path, "joint", 1)
    draw_json(run_cli, tmp_path, "joint", 4)
    before = json.loads(run_cli(["visits", "--json", "--out", "v1.xlsx"], cwd=tmp_path).out)
    record_all_results(tmp_path / "jcdraw.sqlite3", "2024-joint-T1-R1-1")
    after = json.loads(run_cli(["visits", "--json", "--out", "v2.xlsx"], cwd=tmp_path).out)
    assert after["already_recorded"] == 5 == before["entity_draws"] - after["entity_draws"]
    [visit] = [v for v in after["visits_list"] if v["uscc"] == both]
    [earlier] = [v for v in before["visits_list"] if v["uscc"] == both]
    assert visit["visit_id"] == earlier["visit_id"] and visit["tasks"] == [["2024-joint", 4]]
    assert visit["done_draw_ids"] == ["2024-joint-T1-R1-1"]
    assert all(v["uscc"] == both or ["2024-joint", 1] not in v["tasks"] for v in after["visits_list"])


# --- warnings that concern the task; the city registrar ---------------------------------------------


def test_draw_and_validate_plan_mention_only_warnings_about_the_task(run_cli: Any, tmp_path: Path) -> None:
    entities = clean_entities()
    entities[1][5] = "营业中"  # an unknown status in Excel row 2: joint task 1 (报废机动车, 泽州县)
    entities[-1][5] = "营业中"  # Excel row 33: internal task 2 (商业特许经营, 陵川县)
    write_registry(tmp_path / "registry.xlsx", entities=entities)
    joint = run_cli(["validate", "registry.xlsx", "--plan", "joint", "--json", "--as-of", AS_OF.isoformat()],
                    cwd=tmp_path)  # fmt: skip
    rows = {p["row"] for p in json.loads(joint.out)["problems"] if p["code"] == "status-unknown"}
    assert rows == {2}
    everything = run_cli(["validate", "registry.xlsx", "--json", "--as-of", AS_OF.isoformat()], cwd=tmp_path)
    found = {p["row"] for p in json.loads(everything.out)["problems"] if p["code"] == "status-unknown"}
    assert found == {2, 33}
    drawn = run_cli(["draw", "--new-ledger", "--plan", "joint", "--task", "2", "--seed", SEED, "--as-of",
                    AS_OF.isoformat()],
                    cwd=tmp_path)  # fmt: skip
    assert drawn.code == 0 and "名录库有" not in drawn.output  # neither row concerns task 2
    one = run_cli(["draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed", SEED, "--as-of",
                  AS_OF.isoformat()],
                  cwd=tmp_path)  # fmt: skip
    assert messages.DRAW_REGISTRY_WARNINGS.format(count=1) in one.output


def test_a_firm_registered_by_the_city_is_not_warned_about_its_district(run_cli: Any, tmp_path: Path) -> None:
    entities = clean_entities()
    code = "91140500" + "MA0000991"
    from jcdraw.registry.uscc import make_uscc

    entities.append(
        [make_uscc(code[:17]), "市局登记的泽州县公司", "泽州县", "报废机动车回收拆解", "A", "存续"]
    )
    write_registry(tmp_path / "registry.xlsx", entities=entities)
    result = run_cli(["validate", "registry.xlsx", "--json", "--as-of", AS_OF.isoformat()], cwd=tmp_path)
    assert [p for p in json.loads(result.out)["problems"] if p["code"] == "region-mismatch"] == []
