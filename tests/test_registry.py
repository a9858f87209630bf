"""load_registry: header detection, aliases, key normalisation and every row-level check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    AS_OF,
    ENTITY_HEADER,
    INSPECTOR_HEADER,
    RECUSAL_HEADER,
    clean_entities,
    clean_inspectors,
    sha256,
    uscc,
    write_xlsx,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jcdraw.errors import UnreadableInput
from jcdraw.plans.model import Plan
from jcdraw.registry.eligibility import eligible_entities, eligible_inspectors
from jcdraw.registry.load import Registry, load_registry
from jcdraw.registry.uscc import make_uscc

Where = tuple[str, str | None, int | None, str | None]
Build = Callable[..., Path]


def where(registry: Registry) -> set[Where]:
    return {(p.code, p.sheet, p.row, p.column) for p in registry.problems.finished()}


def only(registry: Registry, code: str) -> list[Any]:
    return [p for p in registry.problems.finished() if p.code == code]


def entity(
    code: object, region: str = "城区", category: str = "拍卖", risk: object = "A", status: object = "存续"
) -> list[Any]:
    return [code, "某某公司", region, category, risk, status]


def inspector(
    badge: object, department: str = "晋城市商务局", expires: object = date(2026, 12, 31), **more: Any
) -> list[Any]:
    return [
        badge,
        "某某",
        department,
        expires,
        more.get("duty", "在岗"),
        more.get("quals"),
        more.get("recuse"),
    ]


@pytest.fixture
def load(plans_2024: list[Plan], registry_path: Build) -> Callable[..., Registry]:
    """load(entities=…, inspectors=…, recusals=…) → the registry as loaded against the 2024 plans."""

    def run(as_of: date = AS_OF, **sheets: Any) -> Registry:
        return load_registry(registry_path(**sheets), plans_2024, as_of=as_of)

    return run


def test_clean_registry_has_no_problems(load: Callable[..., Registry]) -> None:
    registry = load()
    assert registry.problems.finished() == []
    assert registry.ok
    assert len(registry.entities) == 32 and len(registry.inspectors) == 10
    assert registry.sha256 == sha256(registry.path)
    assert list(registry.entities["row"][:3]) == [2, 3, 4]
    assert set(registry.entities["risk_class"]) == {"A", "B", "C", "D"}
    assert registry.entities["active"].all()


# --- headers -----------------------------------------------------------------------------------


def test_header_below_title_rows(plans_2024: list[Plan], tmp_path: Path) -> None:
    rows = [["晋城市商务局监管对象名录"], ["（2024 年）"], [], *clean_entities()]
    rows[-1][0] = "bad"
    path = write_xlsx(tmp_path / "r.xlsx", {"检查对象": rows, "执法人员": clean_inspectors()})
    registry = load_registry(path, plans_2024, as_of=AS_OF)
    assert len(registry.entities) == 32
    assert registry.entities["row"].iloc[0] == 5  # header on row 4, data from row 5
    assert where(registry) == {("uscc-length", "检查对象", 36, "统一社会信用代码")}


def test_header_must_be_within_ten_rows(plans_2024: list[Plan], tmp_path: Path) -> None:
    within = write_xlsx(
        tmp_path / "a.xlsx", {"检查对象": [["标题"]] * 9 + clean_entities(), "执法人员": clean_inspectors()}
    )
    assert load_registry(within, plans_2024, as_of=AS_OF).problems.finished() == []
    beyond = write_xlsx(
        tmp_path / "b.xlsx", {"检查对象": [["标题"]] * 10 + clean_entities(), "执法人员": clean_inspectors()}
    )
    registry = load_registry(beyond, plans_2024, as_of=AS_OF)
    assert {(p.code, p.column) for p in registry.problems.finished()} == {
        ("missing-column", c) for c in ["统一社会信用代码", "名称", "区域", "监管类别"]
    } | {("checks-skipped", None)}
    assert registry.entities.empty


def test_english_header_and_sheet_aliases(plans_2024: list[Plan], tmp_path: Path) -> None:
    entities = [["USCC", "Name", "region", "Category", "risk", "status", "address"]]
    entities += [[*row, f"地址{i}"] for i, row in enumerate(clean_entities()[1:])]
    inspectors = [["badge", "name", "department", "expires", "duty", "qualifications", "recusals"]]
    inspectors += clean_inspectors()[1:]
    path = write_xlsx(tmp_path / "en.xlsx", {"entities": entities, "inspectors": inspectors})
    registry = load_registry(path, plans_2024, as_of=AS_OF)
    assert registry.problems.finished() == []
    assert len(registry.entities) == 32 and len(registry.inspectors) == 10
    assert registry.entities["address"].iloc[0] == "地址0"  # unknown columns carried through


def test_missing_sheet_and_missing_column(plans_2024: list[Plan], tmp_path: Path) -> None:
    no_sheet = write_xlsx(tmp_path / "a.xlsx", {"对象": clean_entities(), "执法人员": clean_inspectors()})
    registry = load_registry(no_sheet, plans_2024, as_of=AS_OF)
    skipped = ("checks-skipped", None, None, None)
    assert where(registry) == {("missing-sheet", "检查对象", None, None), skipped}
    assert "找不到工作表“检查对象”" in registry.problems.finished()[0].message

    without_department = [row[:2] + row[3:] for row in clean_inspectors()]
    path = write_xlsx(tmp_path / "b.xlsx", {"检查对象": clean_entities(), "执法人员": without_department})
    missing = ("missing-column", "执法人员", 1, "部门")
    assert where(load_registry(path, plans_2024, as_of=AS_OF)) == {missing, skipped}


def test_duplicate_column(load: Callable[..., Registry]) -> None:
    rows = [[*ENTITY_HEADER, "区域"]] + [[*row, "城区"] for row in clean_entities()[1:]]
    registry = load(entities=rows)
    (problem,) = registry.problems.finished()
    assert (problem.code, problem.row, problem.column) == ("duplicate-column", 1, "区域")
    assert "第 C、G 列" in problem.message


def test_empty_registry(load: Callable[..., Registry]) -> None:
    registry = load(entities=[ENTITY_HEADER], inspectors=[INSPECTOR_HEADER])
    assert where(registry) == {
        ("no-entities", "检查对象", None, None),
        ("no-inspectors", "执法人员", None, None),
    }
    assert not registry.ok


def test_blank_rows_are_skipped_and_rows_keep_excel_numbers(load: Callable[..., Registry]) -> None:
    rows = [*clean_entities()[:3], [None] * 6, [None] * 6, entity("x")]
    registry = load(entities=rows)
    assert list(registry.entities["row"]) == [2, 3, 6]
    assert where(registry) == {("uscc-length", "检查对象", 6, "统一社会信用代码")}


# --- credit codes ------------------------------------------------------------------------------


def test_codes_are_normalised_before_comparison(load: Callable[..., Registry]) -> None:
    code = uscc("城区", 1)
    full_width = code.translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY",
            "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
        )
    )
    variants = [
        full_width,
        "\u00a0" + uscc("城区", 2) + "\u00a0",
        uscc("城区", 3)[:6] + "\u200b" + uscc("城区", 3)[6:] + "\ufeff",
        uscc("城区", 4).lower(),
        " " + uscc("城区", 5)[:9] + "\u3000" + uscc("城区", 5)[9:],
    ]
    registry = load(entities=[ENTITY_HEADER] + [entity(v) for v in variants])
    assert registry.problems.finished() == []
    assert list(registry.entities["uscc"]) == [uscc("城区", n) for n in range(1, 6)]


NOISE = ["\u00a0", "\u200b", "\u3000", "\ufeff", " ", "\t", "\u2060"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    serial=st.integers(0, 9_999_999),
    lead=st.sampled_from(["91", "92", "93", "12", "A1", "Y1", "N2"]),
    noise=st.lists(st.tuples(st.integers(0, 18), st.sampled_from(NOISE)), max_size=4),
    full_width=st.booleans(),
    lower=st.booleans(),
)
def test_any_noisy_spelling_of_a_valid_code_is_accepted(
    load: Callable[..., Registry],
    serial: int,
    lead: str,
    noise: list[tuple[int, str]],
    full_width: bool,
    lower: bool,
) -> None:
    code = uscc("泽州县", serial, lead=lead)
    typed = code.lower() if lower else code
    if full_width:
        typed = "".join(chr(ord(ch) + 0xFEE0) for ch in typed)
    for position, junk in sorted(noise, reverse=True):
        typed = typed[:position] + junk + typed[position:]
    registry = load(entities=[ENTITY_HEADER, entity(typed, region="泽州县")])
    assert registry.problems.finished() == []
    assert list(registry.entities["uscc"]) == [code]


def test_normalised_duplicates_are_reported_on_both_rows(load: Callable[..., Registry]) -> None:
    code = uscc("城区", 7)
    rows = [ENTITY_HEADER, entity(code), entity(uscc("城区", 8)), entity(code.lower() + "\u00a0")]
    registry = load(entities=rows)
    assert where(registry) == {
        ("uscc-duplicate", "检查对象", 2, "统一社会信用代码"),
        ("uscc-duplicate", "检查对象", 4, "统一社会信用代码"),
    }
    first, second = only(registry, "uscc-duplicate")
    assert "另见第 4 行" in first.message and "另见第 2 行" in second.message


def test_code_stored_as_number(load: Callable[..., Registry]) -> None:
    rows = [ENTITY_HEADER, entity(9.11405005635963e17), entity(911405005635962824)]
    registry = load(entities=rows)
    assert where(registry) == {
        ("uscc-float", "检查对象", 2, "统一社会信用代码"),
        ("uscc-float", "检查对象", 3, "统一社会信用代码"),
    }
    problem = only(registry, "uscc-float")[0]
    assert problem.value == "9.11405005635963e+17"
    assert "存成了数字" in problem.message
    assert registry.entities["uscc"].isna().all()


def test_letter_led_codes_are_valid(load: Callable[..., Registry]) -> None:
    codes = [make_uscc("Y1140502MA0000001"), make_uscc("A1140502MA0000002"), make_uscc("N2140502MA0000003")]
    registry = load(entities=[ENTITY_HEADER] + [entity(c) for c in codes])
    assert registry.problems.finished() == []
    assert list(registry.entities["uscc"]) == codes


def test_code_shape_and_checksum(load: Callable[..., Registry]) -> None:
    good = uscc("城区", 9)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        ENTITY_HEADER,
        entity(None),
        entity(good[:-1]),
        entity(good[:-2] + "I" + good[-1]),  # I is not in the alphabet
        entity(wrong_check),
        entity("91110000600037341L"),  # GB 32100 example, valid (and outside 晋城)
    ]
    registry = load(entities=rows)
    found = where(registry)
    col = "统一社会信用代码"
    assert {w for w in found if w[0].startswith("uscc")} == {
        ("uscc-missing", "检查对象", 2, col),
        ("uscc-length", "检查对象", 3, col),
        ("uscc-charset", "检查对象", 4, col),
        ("uscc-checksum", "检查对象", 5, col),
    }
    assert f"应为“{good[-1]}”" in only(registry, "uscc-checksum")[0].message
    assert "长度为 17 位" in only(registry, "uscc-length")[0].message


# --- regions, categories, risk, status ---------------------------------------------------------


def test_regions(load: Callable[..., Registry]) -> None:
    rows = [
        ENTITY_HEADER,
        entity(uscc("泽州县", 1), region="泽州"),
        entity(uscc("城区", 2), region="晋城经济技术开发区"),  # 140502 codes belong to 城区 or 开发区
        entity(uscc("城区", 3), region="太原市"),
        entity(uscc("城区", 4), region=None),  # type: ignore[arg-type]
        entity(uscc("阳城县", 5), region="城区"),
        entity("91110000600037341L", region="城区"),
    ]
    registry = load(entities=rows)
    assert list(registry.entities["region"][:2]) == ["泽州县", "晋城开发区"]
    assert where(registry) == {
        ("region-unknown", "检查对象", 4, "区域"),
        ("region-missing", "检查对象", 5, "区域"),
        ("region-mismatch", "检查对象", 6, "区域"),
        ("region-mismatch", "检查对象", 7, "区域"),
    }
    severities = {p.code: p.severity for p in registry.problems.finished()}
    assert severities == {"region-unknown": "error", "region-missing": "error", "region-mismatch": "warning"}
    mismatch = only(registry, "region-mismatch")
    assert "140522" in mismatch[0].message and "阳城县" in mismatch[0].message
    assert "晋城市以外" in mismatch[1].message


def test_categories(load: Callable[..., Registry]) -> None:
    rows = [
        ENTITY_HEADER,
        entity(uscc("城区", 1), category="拍卖、二手车交易市场"),
        entity(uscc("城区", 2), category="拍卖，餐饮服务"),
        entity(uscc("城区", 3), category=None),  # type: ignore[arg-type]
    ]
    registry = load(entities=rows)
    assert list(registry.entities["categories_key"][:2]) == ["|拍卖|二手车交易市场|", "|拍卖|餐饮服务|"]
    assert where(registry) == {
        ("category-untargeted", "检查对象", 3, "监管类别"),
        ("category-missing", "检查对象", 4, "监管类别"),
    }
    untargeted = only(registry, "category-untargeted")[0]
    assert untargeted.severity == "warning" and untargeted.value == "餐饮服务"


def test_risk_classes(load: Callable[..., Registry]) -> None:
    risks = ["A", "b", "较高风险", "高风险", "信用风险低", None, "一般", "极高"]
    rows = [ENTITY_HEADER] + [entity(uscc("城区", i), risk=r) for i, r in enumerate(risks)]
    registry = load(entities=rows)
    assert list(registry.entities["risk_class"]) == ["A", "B", "C", "D", "A", "B", "B", "B"]
    assert where(registry) == {("risk-unknown", "检查对象", 9, "信用风险分类")}
    assert only(registry, "risk-unknown")[0].severity == "error"


def test_risk_column_is_optional(load: Callable[..., Registry]) -> None:
    rows = [[h for h in ENTITY_HEADER if h != "信用风险分类"]] + [r[:4] + r[5:] for r in clean_entities()[1:]]
    registry = load(entities=rows)
    assert registry.problems.finished() == []
    assert set(registry.entities["risk_class"]) == {"B"}


def test_statuses(plans_2024: list[Plan], load: Callable[..., Registry]) -> None:
    statuses = ["存续", "在业", "开业", None, "注销", "吊销", "撤销", "迁出", "停业整顿"]
    rows = [ENTITY_HEADER] + [
        entity(uscc("高平市", i), region="高平市", status=s) for i, s in enumerate(statuses)
    ]
    registry = load(entities=rows)
    assert list(registry.entities["active"]) == [True, True, True, True, False, False, False, False, True]
    assert where(registry) == {("status-unknown", "检查对象", 10, "经营状态")}
    joint = plans_2024[0]
    drawable = eligible_entities(registry, joint, joint.task(6))
    assert list(drawable["row"]) == [2, 3, 4, 5, 10]


# --- inspectors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        date(2025, 12, 31),
        datetime(2025, 12, 31, 0, 0),
        46022,  # Excel serial number of 2025-12-31
        "2025-12-31",
        "2025/12/31",
        "2025年12月31日",
        " ２０２５-12-31 ",
    ],
)
def test_credential_date_forms(load: Callable[..., Registry], cell: object) -> None:
    registry = load(inspectors=[INSPECTOR_HEADER, inspector("B1", expires=cell)])
    assert registry.problems.finished() == []
    assert registry.inspectors["expires"].iloc[0] == date(2025, 12, 31)


def test_credentials(plans_2024: list[Plan], load: Callable[..., Registry]) -> None:
    rows = [
        INSPECTOR_HEADER,
        inspector("B1", expires=date(2024, 5, 1)),
        inspector("B2", expires="2025-02-30"),
        inspector("B3", expires=None),
        inspector("B4", expires=date(2024, 12, 31)),
        inspector("B5", expires=date(2024, 12, 30)),  # valid today, lapses before the task ends
    ]
    registry = load(inspectors=rows)
    assert where(registry) == {
        ("credential-expired", "执法人员", 2, "执法证有效期至"),
        ("credential-date-bad", "执法人员", 3, "执法证有效期至"),
        ("credential-missing", "执法人员", 4, "执法证有效期至"),
    }
    severities = {p.code: p.severity for p in registry.problems.finished()}
    assert severities == {
        "credential-expired": "warning",
        "credential-date-bad": "error",
        "credential-missing": "warning",
    }
    internal = plans_2024[1]
    assert list(eligible_inspectors(registry, internal.task(1))["badge"]) == ["B4"]


def test_badges(load: Callable[..., Registry]) -> None:
    rows = [
        INSPECTOR_HEADER,
        inspector("JC-001"),
        inspector(None),
        inspector("jc－001 "),
        inspector(14050001),
    ]
    registry = load(inspectors=rows)
    assert where(registry) == {
        ("badge-duplicate", "执法人员", 2, "执法证号"),
        ("badge-duplicate", "执法人员", 4, "执法证号"),
        ("badge-missing", "执法人员", 3, "执法证号"),
        ("badge-number", "执法人员", 5, "执法证号"),
    }
    assert list(registry.inspectors["badge"]) == ["JC-001", None, "JC-001", "14050001"]


def test_departments_and_duty(plans_2024: list[Plan], load: Callable[..., Registry]) -> None:
    rows = [
        INSPECTOR_HEADER,
        inspector("B1", department="市场监管局"),
        inspector("B2", department="晋城市教育局"),
        inspector("B3", department=None),  # type: ignore[arg-type]
        inspector("B4", duty="退休"),
        inspector("B5", duty="出差"),
        inspector("B6", quals="汽车销售"),
        inspector("B7", quals="拍卖、外商投资"),
    ]
    registry = load(inspectors=rows)
    assert registry.inspectors["department"].iloc[0] == "晋城市市场监督管理局"
    assert where(registry) == {
        ("department-unknown", "执法人员", 3, "部门"),
        ("department-missing", "执法人员", 4, "部门"),
        ("duty-unknown", "执法人员", 6, "在岗状态"),
    }
    assert only(registry, "department-unknown")[0].severity == "warning"
    joint = plans_2024[0]
    assert list(eligible_inspectors(registry, joint.task(6))["badge"]) == ["B1", "B5", "B7"]
    assert list(eligible_inspectors(registry, joint.task(2))["badge"]) == ["B1", "B5", "B6"]


# --- recusals ----------------------------------------------------------------------------------


def test_recusals_from_column_and_sheet(load: Callable[..., Registry]) -> None:
    entities = clean_entities()
    a, b, c = entities[1][0], entities[2][0], entities[3][0]
    outsider = uscc("城区", 999)
    inspectors = [
        INSPECTOR_HEADER,
        inspector("B1", recuse=f"{a}、{b.lower()}"),
        inspector("B2", recuse="12345"),
        inspector("B3", recuse=outsider),
    ]
    recusals = [
        RECUSAL_HEADER,
        ["B2", c, "亲属关系"],
        ["B9", c, "调离"],
        ["b3", "9114052500000000", ""],
    ]
    registry = load(entities=entities, inspectors=inspectors, recusals=recusals)
    assert registry.recusals == {("B1", a), ("B1", b), ("B2", c), ("B3", outsider)}
    assert where(registry) == {
        ("recusal-code-invalid", "执法人员", 3, "回避对象"),
        ("recusal-code-unknown", "执法人员", 4, "回避对象"),
        ("recusal-badge-unknown", "回避关系", 3, "执法证号"),
        ("recusal-code-invalid", "回避关系", 4, "统一社会信用代码"),
    }
    severities = {p.code: p.severity for p in registry.problems.finished()}
    assert severities == {
        "recusal-code-invalid": "error",
        "recusal-code-unknown": "warning",
        "recusal-badge-unknown": "error",
    }


# --- unreadable files --------------------------------------------------------------------------


def test_unreadable_file_raises(plans_2024: list[Plan], tmp_path: Path) -> None:
    path = tmp_path / "registry.xlsx"
    path.write_bytes(b"not a workbook at all")
    with pytest.raises(UnreadableInput, match="不是有效的 Excel 工作簿"):
        load_registry(path, plans_2024, as_of=AS_OF)
