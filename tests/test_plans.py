"""The 2024 plans as shipped, the rules a plan file must obey, and ``jcdraw plans``."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import PLANS_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.plans.credit import FlatRule, RatiosRule, WeightedRule
from jcdraw.plans.load import load_plan, load_plans, resolve_plan_path
from jcdraw.plans.model import Plan

ALL_REGIONS = ["城区", "沁水县", "阳城县", "陵川县", "泽州县", "高平市", "晋城开发区"]
BUREAU, POLICE, POLICE_BRANCH, SAMR, TAX = (
    "晋城市商务局",
    "晋城市公安局",
    "晋城市公安分局",
    "晋城市市场监督管理局",
    "国家税务总局晋城市税务局",
)
JOINT_TEXT = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def joint() -> Plan:
    return load_plan(PLANS_DIR / "2024_joint.yaml")


@pytest.fixture(scope="module")
def internal() -> Plan:
    return load_plan(PLANS_DIR / "2024_internal.yaml")


# --- the shipped plans -------------------------------------------------------------------------


def test_task_and_item_counts(joint: Plan, internal: Plan) -> None:
    assert [t.number for t in joint.tasks] == [1, 2, 3, 4, 5, 6]
    assert [t.number for t in internal.tasks] == [1, 2]
    assert [len(t.items) for t in joint.tasks] == [4, 1, 1, 4, 1, 1]
    assert [len(t.items) for t in internal.tasks] == [7, 5]
    assert joint.tasks[0].items[0] == "对未取得资质认定情况的检查"
    assert joint.kind == "部门联合" and internal.kind == "内部"
    assert joint.document_number == internal.document_number == "晋市商秩〔2024〕6号"


def test_ratios_are_exact_fractions(joint: Plan, internal: Plan) -> None:
    assert [t.ratio for t in joint.tasks] == [
        Fraction(1),
        Fraction(3, 10),
        Fraction(3, 10),
        Fraction(1),
        Fraction(3, 10),
        Fraction(1, 2),
    ]
    assert [t.ratio for t in internal.tasks] == [Fraction(1), Fraction(2, 5)]
    assert all(type(t.ratio) is Fraction for t in joint.tasks + internal.tasks)


def test_periods_and_frequencies(joint: Plan, internal: Plan) -> None:
    for task in joint.tasks + internal.tasks:
        assert (task.period.start, task.period.end) == (date(2024, 3, 1), date(2024, 12, 31))
        assert task.frequency == 1
    period = joint.tasks[0].period
    assert date(2024, 3, 1) in period and date(2024, 12, 31) in period
    assert date(2024, 2, 29) not in period and date(2025, 1, 1) not in period


def test_scopes_are_canonical_regions(joint: Plan, internal: Plan) -> None:
    assert [joint.scope_of(t) for t in joint.tasks] == [
        ["泽州县"],
        ["阳城县"],
        ["晋城开发区"],
        ["泽州县"],
        ["城区"],
        ALL_REGIONS,
    ]
    assert [internal.scope_of(t) for t in internal.tasks] == [ALL_REGIONS, ALL_REGIONS]
    areas = joint.geography
    assert areas.resolve_scope(["泽州"]) == ["泽州县"]
    assert areas.resolve_scope(["全市"]) == ALL_REGIONS
    assert areas.resolve_scope(["晋城经济技术开发区", "阳城", "阳城县"]) == ["晋城开发区", "阳城县"]
    assert areas.resolve_scope(["太原市"]) is None


def test_departments(joint: Plan, internal: Plan) -> None:
    task1 = joint.tasks[0]
    assert task1.lead_departments == [BUREAU, POLICE]
    assert task1.partner_departments == [SAMR, POLICE_BRANCH]
    assert task1.departments == [BUREAU, POLICE, SAMR, POLICE_BRANCH]
    assert joint.tasks[1].departments == [BUREAU, SAMR, TAX]
    assert joint.tasks[5].departments == [BUREAU, SAMR]
    assert [t.departments for t in internal.tasks] == [[BUREAU], [BUREAU]]
    assert joint.geography.department_names == [BUREAU, POLICE, POLICE_BRANCH, SAMR, TAX]
    assert joint.geography.department_lookup["市场监管局"] == SAMR


def test_risk_policy(joint: Plan, internal: Plan) -> None:
    for plan in (joint, internal):
        policy = plan.risk_policy
        assert policy.default_class == "B"
        assert policy.codes == ["A", "B", "C", "D"]
        assert not policy.is_legacy
        assert policy.class_lookup["较高风险"] == "C" and policy.class_lookup["高风险"] == "D"
    assert joint.policy_for(joint.tasks[1]) is joint.risk_policy


def test_credit_rules_of_the_2024_plans(joint: Plan, internal: Plan) -> None:
    """Version 2: joint tasks share the weighted rule; internal task 1 is 100% per class, task 2 flat."""
    weighted = WeightedRule(
        classes=("A", "B", "C", "D"),
        weights={"A": Fraction(1), "B": Fraction(2), "C": Fraction(3), "D": Fraction(4)},
        frequencies={"A": 1, "B": 1, "C": 2, "D": 2},
    )
    assert [joint.rule_for(task) for task in joint.tasks] == [weighted] * 6
    one, two = (internal.rule_for(task) for task in internal.tasks)
    twice_for_c_and_d = {"A": 1, "B": 1, "C": 2, "D": 2}
    assert one == RatiosRule(ratios={c: Fraction(1) for c in "ABCD"}, frequencies=twice_for_c_and_d)
    assert two == FlatRule(frequency=1)
    assert (joint.version, internal.version) == (2, 2)
    assert joint.changes[-1].version == 2 and "weighted" in joint.changes[-1].text


def test_version_1_plans_are_kept_and_read_as_ratios_rules() -> None:
    """Draws made under version 1 are redone with the rule it amounted to: nominal × multiplier."""
    old = load_plan(PLANS_DIR / "archive" / "2024_joint.v1.yaml")
    assert old.version == 1 and old.risk_policy.is_legacy
    rule = old.rule_for(old.task(2))  # 30%
    assert isinstance(rule, RatiosRule)
    assert rule.ratios == {"A": Fraction(3, 10), "B": Fraction(9, 20), "C": Fraction(3, 5), "D": Fraction(1)}
    assert rule.frequencies == {"A": 1, "B": 1, "C": 2, "D": 2}
    assert set(old.rule_for(old.task(1)).ratios.values()) == {Fraction(1)}  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=0, max_value=1).filter(lambda r: r > 0))
def test_version_1_class_ratios_grow_with_risk_and_never_exceed_one(nominal: Fraction) -> None:
    policy = load_plan(PLANS_DIR / "archive" / "2024_joint.v1.yaml").risk_policy
    ratios = policy.legacy_rule(nominal).ratios
    assert ratios["A"] == nominal
    assert ratios["A"] <= ratios["B"] <= ratios["C"] <= ratios["D"] == 1
    assert ratios["B"] == min(1, nominal * Fraction(3, 2)) and ratios["C"] == min(1, 2 * nominal)


def test_team_rule_defaults(joint: Plan, internal: Plan) -> None:
    for task in joint.tasks + internal.tasks:
        assert task.team.min_size == 2
        assert task.per_department() == {d: 1 for d in task.departments}
    assert joint.tasks[0].per_department() == {BUREAU: 1, POLICE: 1, SAMR: 1, POLICE_BRANCH: 1}


def test_unknown_task_number(joint: Plan) -> None:
    with pytest.raises(BadPlan) as caught:
        joint.task(9)
    assert "没有任务 9" in caught.value.message and "1、2、3、4、5、6" in caught.value.message


def test_plan_records_its_file_and_hash(joint: Plan) -> None:
    import hashlib

    assert joint.path == PLANS_DIR / "2024_joint.yaml"
    assert joint.sha256 == hashlib.sha256((PLANS_DIR / "2024_joint.yaml").read_bytes()).hexdigest()


# --- bad plan files ----------------------------------------------------------------------------


def _variant(tmp_path: Path, old: str, new: str, name: str = "bad_plan.yaml") -> Path:
    """The shipped joint plan with the first ``old`` replaced by ``new``."""
    assert old in JOINT_TEXT
    path = tmp_path / name
    path.write_text(JOINT_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


def _bad_plan_message(path: Path) -> str:
    with pytest.raises(BadPlan) as caught:
        load_plan(path)
    message = caught.value.message
    assert str(path) in message
    assert caught.value.exit_code == 2
    return message


@pytest.mark.parametrize(
    ("old", "new", "task", "field", "detail"),
    [
        ("scope: [阳城县]", "scope: [太原市]", 2, "scope", "“太原市”不是晋城市的区县"),
        ("ratio: 0.3", "ratio: 1.5", 2, "ratio", "1.5 不在 (0, 1] 范围内"),
        ("ratio: 0.3", "ratio: 0", 2, "ratio", "不在 (0, 1] 范围内"),
        ("ratio: 0.3", "ratio: -0.1", 2, "ratio", "-0.1 不在 (0, 1] 范围内"),
        ("ratio: 0.3", "ratio: 150%", 2, "ratio", "1.5 不在 (0, 1] 范围内"),
        ("ratio: 0.3", "ratio: 三成", 2, "ratio", "不是有效的比例"),
        ("number: 3", "number: 2", 2, "number", "任务编号 2 重复出现"),
        (
            "period: {start: 2024-03-01, end: 2024-12-31}",
            "period: {start: 2024-03-01, end: 2024-02-01}",
            1,
            "period",
            "结束日期 2024-02-01 早于开始日期 2024-03-01",
        ),
        (
            "period: {start: 2024-03-01, end: 2024-12-31}",
            "period: {start: 2024-03-01, end: 2024-13-31}",
            1,
            "period.end",
            "不是有效日期",
        ),
        ("    frequency: 1\n", "    frequency: 1\n    frequncy: 1\n", 1, "frequncy", "不是计划允许的字段"),
        ("    category: 汽车销售\n", "", 2, "category", "缺失"),
        (
            "lead_departments: [晋城市商务局]",
            "lead_departments: [晋城市教育局]",
            2,
            "lead_departments",
            "晋城市教育局",
        ),
        ("    frequency: 1\n", "    frequency: 0\n", 1, "frequency", "过小"),
    ],
)
def test_bad_plan_names_file_task_and_field(
    tmp_path: Path, old: str, new: str, task: int, field: str, detail: str
) -> None:
    message = _bad_plan_message(_variant(tmp_path, old, new))
    assert f"任务 {task} 的字段“{field}”" in message
    assert detail in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    message = _bad_plan_message(_variant(tmp_path, "version: 2\n", "version: 2\nversoin: 2\n"))
    assert "字段“versoin”不是计划允许的字段" in message


def test_percent_ratio_is_exact(tmp_path: Path) -> None:
    plan = load_plan(_variant(tmp_path, "ratio: 0.3", "ratio: 30%"))
    assert plan.tasks[1].ratio == Fraction(3, 10)


def test_scope_alias_resolves_to_canonical_region(tmp_path: Path) -> None:
    plan = load_plan(_variant(tmp_path, "scope: [阳城县]", "scope: [阳城]"))
    assert plan.scope_of(plan.tasks[1]) == ["阳城县"]


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
    path = _variant(tmp_path, "version: 2\n", "l0: &l0 [lol]\n" + bomb + "version: 2\n")
    message = _bad_plan_message(path)
    assert "别名" in message and "第 " in message


def test_python_tag_is_refused_and_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    tag = f'version: !!python/object/apply:os.system ["touch {marker}"]\n'
    message = _bad_plan_message(_variant(tmp_path, "version: 2\n", tag))
    assert "不允许的 YAML 标签" in message
    assert not marker.exists()


def test_repeated_key_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "    ratio: 0.3\n", "    ratio: 0.3\n    ratio: 1.0\n")
    message = _bad_plan_message(path)
    assert "“ratio”重复出现" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "不是键值结构"),
        ("- a\n- b\n", "不是键值结构"),
        ("id: [unclosed\n", "不是有效的 YAML"),
        ("a: " + "[" * 1_000, "嵌套层数过多"),
    ],
)
def test_malformed_yaml(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    assert expected in _bad_plan_message(path)


def test_plan_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(JOINT_TEXT.encode("gb18030"))
    assert "不是 UTF-8 编码" in _bad_plan_message(path)


# --- finding plans -----------------------------------------------------------------------------


@pytest.fixture
def workspace_2025(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder whose ./plans holds a 2025 joint plan (a copy of 2024's, id and year changed)."""
    folder = tmp_path / "plans"
    folder.mkdir()
    text = JOINT_TEXT.replace("id: 2024-joint\n", "id: 2025-joint\n").replace("year: 2024\n", "year: 2025\n")
    (folder / "2025_joint.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_newest_year_wins(workspace_2025: Path) -> None:
    assert resolve_plan_path("joint").resolve() == workspace_2025 / "plans" / "2025_joint.yaml"
    assert resolve_plan_path("联合").name == "2025_joint.yaml"
    assert resolve_plan_path("joint", 2024) == PLANS_DIR / "2024_joint.yaml"
    assert resolve_plan_path("internal") == PLANS_DIR / "2024_internal.yaml"
    assert [p.id for p in load_plans("joint")] == ["2025-joint"]
    assert [p.id for p in load_plans(None)] == ["2025-joint"]
    assert [p.id for p in load_plans(None, 2024)] == ["2024-internal", "2024-joint"]


def test_unknown_selector_and_year(workspace_2025: Path) -> None:
    with pytest.raises(BadPlan, match="找不到抽查计划“nosuch”"):
        resolve_plan_path("nosuch")
    with pytest.raises(BadPlan, match="找不到 2019 年度"):
        resolve_plan_path("joint", 2019)


def test_cli_plans_newest_year(run_cli, workspace_2025: Path) -> None:
    result = run_cli(["plans", "--plan", "joint"], cwd=workspace_2025)
    assert result.code == 0, result.output
    assert "2025-joint" in result.out and "2024-joint" not in result.out
    for text in ("对汽车销售企业的部门联合抽查", "对拍卖企业的部门联合抽查", "泽州县", "晋城开发区", "30%"):
        assert text in result.out


def test_cli_plans_year_picks_shipped(run_cli, workspace_2025: Path) -> None:
    result = run_cli(["plans", "--plan", "joint", "--year", "2024"], cwd=workspace_2025)
    assert result.code == 0, result.output
    assert "2024-joint" in result.out and "2025-joint" not in result.out


def test_cli_plans_internal_and_path(run_cli, tmp_path: Path) -> None:
    result = run_cli(["plans", "--plan", "internal"], cwd=tmp_path)
    assert result.code == 0
    assert "对外劳务经营监督检查" in result.out and "对商业特许经营活动检查" in result.out
    assert "2024-joint" not in result.out
    by_path = run_cli(["plans", "--plan", PLANS_DIR / "2024_joint.yaml"], cwd=tmp_path)
    assert by_path.code == 0 and "2024-joint" in by_path.out


def test_cli_plans_default_lists_every_plan_of_the_year(run_cli, tmp_path: Path) -> None:
    result = run_cli(["plans"], cwd=tmp_path)
    assert result.code == 0
    assert "2024-joint" in result.out and "2024-internal" in result.out


def test_cli_plans_json(run_cli, tmp_path: Path) -> None:
    import json

    result = run_cli(["plans", "--plan", "joint", "--json"], cwd=tmp_path)
    assert result.code == 0
    (plan,) = json.loads(result.out)
    assert plan["id"] == "2024-joint" and len(plan["tasks"]) == 6
    assert "对报废机动车" in result.out  # Chinese unescaped


def test_cli_bad_plan_exits_2_with_message(run_cli, tmp_path: Path) -> None:
    path = _variant(tmp_path, "scope: [阳城县]", "scope: [太原市]")
    result = run_cli(["plans", "--plan", path], cwd=tmp_path)
    assert result.code == 2
    assert f"计划文件“{path}”有误：任务 2 的字段“scope”中的区域“太原市”" in result.flat


def test_cli_unknown_plan_and_year(run_cli, tmp_path: Path) -> None:
    assert run_cli(["plans", "--plan", "nosuch"], cwd=tmp_path).code == 2
    result = run_cli(["plans", "--plan", "joint", "--year", "2019"], cwd=tmp_path)
    assert result.code == 2 and "找不到 2019 年度" in result.flat


# --- plan ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan_id", "shown"),
    [
        ("2024\u2011joint", "“\u2011”（U+2011）"),  # a non-breaking hyphen pasted from a document
        ("2024－joint", "“－”（U+FF0D）"),  # full-width hyphen-minus
        ("2024-Joint", "“J”（U+004A）"),
        ("2024_joint", "“_”（U+005F）"),
        ("'2024 joint'", "“ ”（U+0020）"),
    ],
)
def test_plan_ids_outside_lowercase_digits_and_hyphen_are_refused(
    tmp_path: Path, plan_id: str, shown: str
) -> None:
    path = tmp_path / "2024_joint.yaml"
    path.write_text(JOINT_TEXT.replace("id: 2024-joint\n", f"id: {plan_id}\n"), encoding="utf-8")
    message = _bad_plan_message(path)
    assert shown in message and "a–z" in message


def test_a_look_alike_plan_id_cannot_record_a_second_standing_draw(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why: a plan id with U+2011 for "-" recorded a second standing draw of the "same" task."""
    from conftest import write_registry

    from jcdraw.ledger import Ledger

    monkeypatch.delenv("JCDRAW_LEDGER", raising=False)
    monkeypatch.delenv("JCDRAW_REGISTRY", raising=False)
    write_registry(tmp_path / "registry.xlsx")
    draw = ["draw", "--new-ledger", "--task", "1", "--as-of", "2024-05-20", "--seed",
            "3141 5926 5358 9793 2384"]
    assert run_cli([*draw, "--plan", "joint"], cwd=tmp_path).code == 0
    (tmp_path / "plans").mkdir()
    look_alike = tmp_path / "plans" / "2024_joint.yaml"  # ./plans overrides the shipped plans
    look_alike.write_text(JOINT_TEXT.replace("id: 2024-joint\n", "id: 2024\u2011joint\n"), encoding="utf-8")
    refused = run_cli([*draw, "--plan", "joint", "--out", "second.xlsx"], cwd=tmp_path)
    assert refused.code == 2 and "U+2011" in refused.err and "2024_joint.yaml" in refused.err
    with Ledger.open(tmp_path / "jcdraw.sqlite3", readonly=True) as ledger:
        assert [r.payload["plan"] for r in ledger.records("draw")] == ["2024-joint"]
    # The override itself still works when its id is right: this copy is the one used.
    look_alike.write_text(
        JOINT_TEXT.replace("document_number: 晋市商秩〔2024〕6号", "document_number: 晋市商秩〔2024〕7号"),
        encoding="utf-8",
    )
    assert resolve_plan_path("joint").resolve() == look_alike.resolve()
    assert load_plan(resolve_plan_path("joint")).document_number == "晋市商秩〔2024〕7号"


# --- the plan's paperwork fields ---------------------------------------------------------------


def test_2024_plans_list_documents_for_every_item() -> None:
    for name in ("2024_joint.yaml", "2024_internal.yaml"):
        plan = load_plan(PLANS_DIR / name)
        for task in plan.tasks:
            assert sorted(task.documents) == list(range(1, len(task.items) + 1)), (plan.id, task.number)
            assert task.legal_basis.startswith("《")
        assert (plan.notice_prefix, plan.contact, plan.inspection_cap, plan.legal_basis) == (
            "",
            None,
            None,
            [],
        )
    joint = load_plan(PLANS_DIR / "2024_joint.yaml")
    assert joint.task(2).documents == {
        1: ["营业执照", "全国汽车流通信息管理系统备案信息", "供应商授权书（如有）", "车辆销售台账"]
    }


def test_archived_plans_keep_the_bytes_earlier_draws_hashed() -> None:
    """Adding the paperwork fields changed the files' SHA-256: the former bytes stay in archive/, so
    verify still finds the exact plan a draw used."""
    for name in ("2024_joint", "2024_internal"):
        old = load_plan(PLANS_DIR / "archive" / f"{name}.v2.yaml")
        new = load_plan(PLANS_DIR / f"{name}.yaml")
        assert old.version == new.version == 2
        assert old.sha256 != new.sha256
        clear = {"documents": {}, "legal_basis": ""}
        assert [t.model_copy(update=clear) for t in new.tasks] == old.tasks


@pytest.mark.parametrize(
    ("documents", "field", "detail"),
    [
        ("documents: {2: [营业执照]}", "documents", messages.PLAN_DOCUMENTS_ITEM.format(number=2, items=1)),
        ("documents: {1: ['  ']}", "documents.1", messages.PLAN_DOCUMENTS_EMPTY),
    ],
)
def test_documents_must_name_real_items(tmp_path: Path, documents: str, field: str, detail: str) -> None:
    text = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")
    start = text.index("  - number: 2\n")
    block = text.index("    documents:\n", start)
    end = text.index("    category:", block)
    path = tmp_path / "2024_joint.yaml"
    path.write_text(text[:block] + f"    {documents}\n" + text[end:], encoding="utf-8")
    (tmp_path / "jincheng.yaml").write_text(
        (PLANS_DIR / "jincheng.yaml").read_text(encoding="utf-8"), "utf-8"
    )
    with pytest.raises(BadPlan) as caught:
        load_plan(path)
    assert caught.value.message == messages.PLAN_INVALID.format(
        path=path, where="任务 2 的", field=field, detail=detail
    )


def test_a_year_without_plans_is_named_without_empty_quotes() -> None:
    with pytest.raises(BadPlan) as refused:
        load_plans(None, 2025)
    text = str(refused.value)
    assert text.startswith("找不到 2025 年度的计划。可用的计划：") and "“”" not in text
