"""Write the example registry workbooks for jcdraw.

Usage::

    python examples/make_examples.py [--out-dir examples]

Files written
    ``registry.xlsx``
        A clean, realistic registry for 晋城市商务局: about 1,000 entities (sheet ``检查对象``) over every
        region and every category of the 2024 joint and internal plans, 60 inspectors (``执法人员``) over
        every department, and a few recusals (``回避关系``). It contains only what a real registry may
        legitimately contain: region aliases (泽州, 阳城, 晋城经济技术开发区), multi-category entities,
        Chinese risk names, a few blank risks, deregistered entities, expired or off-duty inspectors
        and expiry dates typed as text.
    ``registry-broken.xlsx``
        A small registry with deliberately planted problems, one per row, plus rows that look odd
        but are valid after normalisation (a full-width code, a code with a trailing NBSP, a lower-case
        code) and must NOT be reported.
    ``registry-broken.expected.json``
        The planted problems, a list of ``{"code", "sheet", "row", "column"}`` sorted by sheet and
        row; ``row`` is the Excel row number, ``column`` the header text. The list assumes the
        registry is checked against the 2024 plans (joint and internal): every category used in the
        broken file except the planted 餐饮服务 is targeted by one of them.

Both workbooks put a merged title row above the ``检查对象`` header (row 1 title, row 2 header, data
from row 3); ``执法人员`` and ``回避关系`` have their header in row 1.

Determinism
    No ``random`` module and no NumPy RNG. Every choice is taken from the SHA-256 of a key string
    ``"jcdraw-examples|<purpose>|<counter>"`` (see ``_unit``), so the data depend only on this file.
    The workbook's document timestamps and the zip entries' times are fixed, so re-running the
    script writes byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jcdraw.registry.uscc import ALPHABET, make_uscc

T = TypeVar("T")

# --- the contract: sheet names and headers ------------------------------------------------------

ENTITY_SHEET = "检查对象"
INSPECTOR_SHEET = "执法人员"
RECUSAL_SHEET = "回避关系"
SHEETS = [ENTITY_SHEET, INSPECTOR_SHEET, RECUSAL_SHEET]
ENTITY_TITLE = "晋城市商务局监管对象库（2024）"
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
ENTITY_HEADER_ROW = 2  # row 1 holds the merged title
TEXT_COLUMNS = {"统一社会信用代码", "联系电话", "执法证号", "回避对象"}
DATE_FORMAT = "yyyy-mm-dd"
COLUMN_WIDTHS = {
    "统一社会信用代码": 22, "名称": 40, "区域": 16, "监管类别": 28, "信用风险分类": 12, "经营状态": 10,
    "地址": 44, "法定代表人": 10, "联系电话": 14, "执法证号": 14, "姓名": 10, "部门": 26,
    "执法证有效期至": 16, "在岗状态": 10, "可检查类别": 30, "回避对象": 42, "回避原因": 30,
}  # fmt: skip

SEED = "jcdraw-examples"
FIXED_TIME = datetime(2024, 1, 31, 9, 0, 0)  # the plans' issue date; stamped into every file
AUTHOR = "晋城市商务局"

# --- geography and plans (2024 joint and internal plans, plans/jincheng.yaml) ------------------

REGION_CODES: dict[str, tuple[str, ...]] = {
    "城区": ("140502",),
    "沁水县": ("140521",),
    "阳城县": ("140522",),
    "陵川县": ("140524",),
    "泽州县": ("140525",),
    "高平市": ("140581",),
    "晋城开发区": ("140500", "140502"),  # no code of its own
}
REGION_ALIASES = {"泽州县": "泽州", "阳城县": "阳城", "晋城开发区": "晋城经济技术开发区"}
ALIAS_SHARE = 0.15  # of entities in a region that has an alias

CATEGORIES = [
    "报废机动车回收拆解", "汽车销售", "外商投资", "单用途商业预付卡", "二手车交易市场", "拍卖",
    "对外劳务合作", "商业特许经营",
]  # fmt: skip

# Entities guaranteed in each task's scope (category, region): the draw needs a real pool there.
ENTITY_QUOTAS: dict[tuple[str, str], int] = {
    ("报废机动车回收拆解", "泽州县"): 20,
    ("汽车销售", "阳城县"): 40,
    ("外商投资", "晋城开发区"): 40,
    ("单用途商业预付卡", "泽州县"): 45,
    ("二手车交易市场", "城区"): 30,
}
ENTITY_COUNT = 1000
CATEGORY_WEIGHTS = {
    "报废机动车回收拆解": 3, "汽车销售": 24, "外商投资": 9, "单用途商业预付卡": 32, "二手车交易市场": 8,
    "拍卖": 6, "对外劳务合作": 5, "商业特许经营": 13,
}  # fmt: skip
REGION_WEIGHTS = {
    "城区": 26,
    "泽州县": 17,
    "高平市": 15,
    "阳城县": 12,
    "沁水县": 8,
    "陵川县": 7,
    "晋城开发区": 15,
}
# A second category that plausibly goes with the first (5 % of entities carry two).
SECOND_CATEGORY = {
    "报废机动车回收拆解": "二手车交易市场", "汽车销售": "单用途商业预付卡", "外商投资": "商业特许经营",
    "单用途商业预付卡": "商业特许经营", "二手车交易市场": "汽车销售", "拍卖": "二手车交易市场",
    "对外劳务合作": "外商投资", "商业特许经营": "外商投资",
}  # fmt: skip
MULTI_CATEGORY_SHARE = 0.05

RISKS = [("A", 30), ("B", 40), ("C", 20), ("D", 5), ("", 5)]
RISK_NAMES = {"A": "低风险", "B": "一般风险", "C": "较高风险", "D": "高风险"}
RISK_NAME_SHARE = 0.3  # of classified entities written with the Chinese name
STATUSES = [("存续", 60), ("在业", 25), ("开业", 12), ("注销", 1), ("吊销", 1), ("迁出", 1)]

DEPARTMENTS: list[tuple[str, str, int]] = [  # name, badge infix, head count
    ("晋城市商务局", "19", 21),
    ("晋城市市场监督管理局", "21", 12),
    ("国家税务总局晋城市税务局", "23", 10),
    ("晋城市公安局", "11", 9),
    ("晋城市公安分局", "12", 8),
]
DEPARTMENT_ALIASES = {"晋城市商务局": "市商务局", "国家税务总局晋城市税务局": "市税务局"}
UNAVAILABLE_PER_DEPARTMENT = 5  # at most one in five is expired or off duty, so every task stays staffed
OFF_DUTY = ["离岗", "退休", "调离"]
TEXT_DATES = ["2027/6/30", "2027年6月30日"]  # how some staff type dates; both must be understood
QUALIFIED_SHARE = 0.2  # inspectors of 商务局 / 市场监管局 limited to a list of categories
RECUSAL_REASONS = ["亲属关系", "曾任职", "近亲属持股", "曾参与该企业行政处罚", "利害关系"]

# --- word lists ----------------------------------------------------------------------------------

TRADE_NAME_FIRST = "鑫宏华金泰恒瑞兴盛德永福天鸿嘉润博新聚顺广众信开昌弘益安锦诚万通银凤丹沁晋泽龙康"
TRADE_NAME_SECOND = "达远鼎丰祥隆源安顺禄运禾晟程茂昌利发宇辉泰通诚和汇盈旺佳鹏洲川"
NAME_PREFIXES = {
    "城区": ["晋城市", "晋城市城区", "山西"],
    "沁水县": ["沁水县", "晋城市沁水县"],
    "阳城县": ["阳城县", "晋城市阳城县"],
    "陵川县": ["陵川县", "晋城市陵川县"],
    "泽州县": ["晋城市泽州县", "泽州县"],
    "高平市": ["高平市", "山西高平"],
    "晋城开发区": ["晋城", "山西", "晋城市"],
}
COMPANY_SUFFIXES = {
    "报废机动车回收拆解": ["报废汽车回收有限公司", "报废机动车回收拆解有限公司", "再生资源回收利用有限公司"],
    "汽车销售": ["汽车销售有限公司", "汽车贸易有限公司", "汽车销售服务有限公司", "汽贸有限公司"],
    "外商投资": [
        "精密机械有限公司",
        "光电科技有限公司",
        "新材料有限公司",
        "电子科技有限公司",
        "能源科技有限公司",
    ],
    "单用途商业预付卡": [
        "商贸有限公司",
        "超市有限公司",
        "美容美发有限公司",
        "健身服务有限公司",
        "餐饮管理有限公司",
    ],
    "二手车交易市场": ["二手车交易市场有限公司", "二手车经纪有限公司", "旧机动车交易服务有限公司"],
    "拍卖": ["拍卖有限公司", "拍卖行有限公司"],
    "对外劳务合作": ["国际经济技术合作有限公司", "对外劳务服务有限公司", "国际人力资源有限公司"],
    "商业特许经营": ["餐饮管理有限公司", "连锁经营管理有限公司", "品牌管理有限公司", "便利店连锁有限公司"],
}
# Prepaid-card issuers are often sole traders (code type 92) or private schools (code 52).
SOLE_TRADER_SUFFIXES = ["美发店", "便利店", "洗车行", "健身馆", "烘焙坊", "服装店"]
SOLE_TRADER_SHARE = 0.12
SCHOOL_SUFFIX = "职业培训学校"
SCHOOL_COUNT = 2

TOWNS = {
    "城区": [
        "北街街道",
        "东街街道",
        "西街街道",
        "南街街道",
        "矿区街道",
        "钟家庄街道",
        "西上庄街道",
        "北石店镇",
    ],
    "沁水县": ["龙港镇", "中村镇", "郑庄镇", "端氏镇", "嘉峰镇", "郑村镇", "柿庄镇"],
    "阳城县": ["凤城镇", "北留镇", "润城镇", "町店镇", "芹池镇", "蟒河镇", "东冶镇"],
    "陵川县": ["崇文镇", "礼义镇", "附城镇", "西河底镇", "平城镇", "杨村镇"],
    "泽州县": ["南村镇", "巴公镇", "金村镇", "高都镇", "北义城镇", "下村镇", "大东沟镇", "周村镇"],
    "高平市": ["东城街道", "北城街道", "南城街道", "米山镇", "三甲镇", "神农镇", "陈区镇", "寺庄镇"],
    "晋城开发区": ["金村园区", "北石店园区", "高新技术产业园", "综合保税区"],
}
ROADS = ["泽州路", "凤台街", "黄华街", "新市街", "红星街", "书院街", "太行路", "文昌街", "建设路", "兰花路"]
SURNAMES = "王李张刘陈杨赵郭牛常原靳焦申秦崔侯卫段霍范裴贾闫成田吴周黄马"
GIVEN_NAME_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文斌宇浩鹏晋晨"
MOBILE_PREFIXES = (130, 131, 132, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 158, 159, 176, 177, 180,
                   182, 183, 185, 186, 187, 188, 189, 198, 199)  # fmt: skip
ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code alphabet (no I O S V Z)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation-code check weights


# --- deterministic choices ---------------------------------------------------------------------


def _unit(key: str) -> float:
    """A number in [0, 1) fixed by ``key``: the first 8 bytes of SHA-256("<SEED>|<key>")."""
    digest = hashlib.sha256(f"{SEED}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _pick(key: str, options: Sequence[T]) -> T:
    return options[int(_unit(key) * len(options))]


def _weighted(key: str, options: Sequence[tuple[T, int]]) -> T:
    target = _unit(key) * sum(weight for _, weight in options)
    for value, weight in options:
        target -= weight
        if target < 0:
            return value
    return options[-1][0]


def _digits(key: str, count: int) -> str:
    return "".join(_pick(f"{key}|{i}", "0123456789") for i in range(count))


# --- field builders ------------------------------------------------------------------------------


def organisation_code(key: str) -> str:
    """9 characters as in GB 11714: 8 body characters and their check character (0–9 or X).

    Half are new-style ``MA…`` codes (issued after 2015), half the old all-digit ones.
    """
    if _unit(f"{key}|style") < 0.5:
        body = "MA0" + "".join(_pick(f"{key}|{i}", ORG_CODE_CHARS) for i in range(5))
    else:
        body = _digits(key, 8)
    total = sum(int(ch, 36) * w for ch, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(prefix: str, division: str, key: str) -> str:
    """A valid 18-character code: authority+type ``prefix``, division, organisation code, check."""
    return make_uscc(prefix + division + organisation_code(key))


def person_name(key: str) -> str:
    given_length = 1 if _unit(f"{key}|len") < 0.3 else 2
    given = "".join(_pick(f"{key}|g{i}", GIVEN_NAME_CHARS) for i in range(given_length))
    return _pick(f"{key}|s", SURNAMES) + given


def mobile(key: str) -> str:
    return str(_pick(f"{key}|p", MOBILE_PREFIXES)) + _digits(key, 8)


def trade_name(key: str) -> str:
    return _pick(f"{key}|t1", TRADE_NAME_FIRST) + _pick(f"{key}|t2", TRADE_NAME_SECOND)


def address(region: str, key: str) -> str:
    place = "晋城经济技术开发区" if region == "晋城开发区" else region
    number = 1 + int(_unit(f"{key}|n") * 398)
    return f"山西省晋城市{place}{_pick(f'{key}|t', TOWNS[region])}{_pick(f'{key}|r', ROADS)}{number}号"


def region_label(region: str, key: str) -> str:
    """The canonical name, or now and then the short form staff also type."""
    alias = REGION_ALIASES.get(region)
    return alias if alias and _unit(f"{key}|alias") < ALIAS_SHARE else region


def risk_label(key: str) -> str:
    letter = _weighted(f"{key}|risk", RISKS)
    if letter and _unit(f"{key}|riskname") < RISK_NAME_SHARE:
        return RISK_NAMES[letter]
    return letter


# --- the clean registry: entities ---------------------------------------------------------------


@dataclass(frozen=True)
class EntityRow:
    code: str | float | None
    name: str | None
    region: str
    categories: str
    risk: str
    status: str
    address: str
    legal_rep: str
    phone: str

    def cells(self) -> list[object]:
        return list(astuple(self))


def entity_slots() -> list[tuple[str, str]]:
    """(category, region) for every entity: the quotas first, the rest by weight, then shuffled."""
    slots = [slot for slot, count in ENTITY_QUOTAS.items() for _ in range(count)]
    categories = list(CATEGORY_WEIGHTS.items())
    regions = list(REGION_WEIGHTS.items())
    for i in range(ENTITY_COUNT - len(slots)):
        slots.append((_weighted(f"slot-category|{i}", categories), _weighted(f"slot-region|{i}", regions)))
    order = sorted(range(len(slots)), key=lambda i: hashlib.sha256(f"{SEED}|order|{i}".encode()).digest())
    return [slots[i] for i in order]


def entity_kind(category: str, index: int, schools_so_far: int) -> str:
    """Credit-code prefix: 91 company, 92 sole trader, 52 private school (prepaid cards only)."""
    if category != "单用途商业预付卡":
        return "91"
    if schools_so_far < SCHOOL_COUNT and _unit(f"school|{index}") < 0.05:
        return "52"
    return "92" if _unit(f"sole|{index}") < SOLE_TRADER_SHARE else "91"


def entity_name(kind: str, category: str, region: str, key: str) -> str:
    if kind == "92":
        county = region if region != "晋城开发区" else "晋城市"
        return county + trade_name(key) + _pick(f"{key}|shop", SOLE_TRADER_SUFFIXES)
    if kind == "52":
        return "晋城市" + trade_name(key) + SCHOOL_SUFFIX
    return (
        _pick(f"{key}|prefix", NAME_PREFIXES[region])
        + trade_name(key)
        + _pick(f"{key}|suffix", COMPANY_SUFFIXES[category])
    )


def categories_of(category: str, key: str) -> str:
    if _unit(f"{key}|multi") < MULTI_CATEGORY_SHARE:
        return f"{category}、{SECOND_CATEGORY[category]}"
    return category


def _unique(make: Callable[[str], str], key: str, taken: set[str]) -> str:
    """Call ``make(key|attempt)`` until it gives a value not yet taken."""
    attempt = 0
    while True:
        value = make(f"{key}|{attempt}")
        if value not in taken:
            taken.add(value)
            return value
        attempt += 1


def clean_entities() -> list[EntityRow]:
    codes: set[str] = set()
    names: set[str] = set()
    rows: list[EntityRow] = []
    schools = 0
    for index, (category, region) in enumerate(entity_slots()):
        key = f"entity|{index}"
        kind = entity_kind(category, index, schools)
        schools += kind == "52"
        division = _pick(f"{key}|division", REGION_CODES[region])
        code = _unique(partial(credit_code, kind, division), f"{key}|code", codes)
        name = _unique(partial(entity_name, kind, category, region), f"{key}|name", names)
        rows.append(
            EntityRow(
                code=code,
                name=name,
                region=region_label(region, key),
                categories=categories_of(category, key),
                risk=risk_label(key),
                status=_weighted(f"{key}|status", STATUSES),
                address=address(region, key),
                legal_rep=person_name(f"{key}|rep"),
                phone=mobile(f"{key}|phone"),
            )
        )
    return rows


# --- the clean registry: inspectors and recusals ------------------------------------------------


@dataclass
class InspectorRow:
    badge: str | None
    name: str | None
    department: str
    valid_until: date | str
    duty: str = "在岗"
    qualifications: str = ""
    recusals: str = ""
    phone: str = ""

    def cells(self) -> list[object]:
        return list(astuple(self))


@dataclass(frozen=True)
class RecusalRow:
    badge: str
    code: str
    reason: str

    def cells(self) -> list[object]:
        return [self.badge, self.code, self.reason]


def future_expiry(key: str) -> date:
    """A credential valid well past today (2026-11-28): 2027-07-01 … 2028-12-31."""
    return date.fromordinal(date(2027, 7, 1).toordinal() + int(_unit(key) * 550))


def past_expiry(key: str) -> date:
    return date.fromordinal(date(2024, 3, 1).toordinal() + int(_unit(key) * 640))


def ranked(key: str, count: int) -> list[int]:
    """0..count-1 in a fixed pseudo-random order."""
    return sorted(range(count), key=lambda i: _unit(f"{key}|{i}"))


def department_inspectors(department: str, infix: str, count: int) -> list[InspectorRow]:
    rank = ranked(f"unavailable|{department}", count)
    unavailable = set(rank[: count // UNAVAILABLE_PER_DEPARTMENT])
    rows = []
    for seq in range(count):
        key = f"inspector|{department}|{seq}"
        row = InspectorRow(
            badge=f"140500{infix}{seq + 1:03d}",
            name=person_name(key),
            department=department,
            valid_until=future_expiry(key),
            phone=mobile(key),
        )
        if seq in unavailable:
            if _unit(f"{key}|how") < 0.5:
                row.valid_until = past_expiry(key)
            else:
                row.duty = _pick(f"{key}|duty", OFF_DUTY)
        elif department in ("晋城市商务局", "晋城市市场监督管理局") and _unit(f"{key}|q") < QUALIFIED_SHARE:
            first = int(_unit(f"{key}|q1") * len(CATEGORIES))
            row.qualifications = "、".join(CATEGORIES[(first + k) % len(CATEGORIES)] for k in range(3))
        rows.append(row)
    return rows


def clean_inspectors(entities: Sequence[EntityRow]) -> list[InspectorRow]:
    rows = [row for name, infix, count in DEPARTMENTS for row in department_inspectors(name, infix, count)]
    available = [i for i, row in enumerate(rows) if _is_available(row)]
    # Some staff type the expiry date as text; the loader must read these as dates.
    for text, i in zip(TEXT_DATES, available[3::17], strict=False):
        rows[i].valid_until = text
    # Some departments are written by their everyday short name.
    for canonical, alias in DEPARTMENT_ALIASES.items():
        second = [row for row in rows if row.department == canonical][1]
        second.department = alias
    for n, i in enumerate(available[5::11][:4]):
        picks = [_pick(f"recuse|{n}|{k}", entities).code for k in range(1 + n % 2)]
        rows[i].recusals = "、".join(str(code) for code in picks)
    return rows


def _is_available(row: InspectorRow) -> bool:
    return row.duty == "在岗" and isinstance(row.valid_until, date) and row.valid_until.year >= 2027


def clean_recusals(entities: Sequence[EntityRow], inspectors: Sequence[InspectorRow]) -> list[RecusalRow]:
    rows = []
    for n in range(5):
        inspector = _pick(f"recusal|badge|{n}", inspectors)
        entity = _pick(f"recusal|code|{n}", entities)
        assert inspector.badge is not None and isinstance(entity.code, str)
        rows.append(RecusalRow(inspector.badge, entity.code, RECUSAL_REASONS[n]))
    return rows


# --- the broken registry ------------------------------------------------------------------------


@dataclass
class Planted:
    """Rows of the broken registry and the problems planted in them."""

    entities: list[EntityRow] = field(default_factory=list)
    inspectors: list[InspectorRow] = field(default_factory=list)
    recusals: list[RecusalRow] = field(default_factory=list)
    expected: list[dict[str, object]] = field(default_factory=list)

    def entity(self, row: EntityRow, problem: str | None = None, column: str = "统一社会信用代码") -> None:
        self.entities.append(row)
        if problem:
            self._expect(problem, ENTITY_SHEET, ENTITY_HEADER_ROW + len(self.entities), column)

    def inspector(self, row: InspectorRow, problem: str | None = None, column: str = "执法证号") -> None:
        self.inspectors.append(row)
        if problem:
            self._expect(problem, INSPECTOR_SHEET, 1 + len(self.inspectors), column)

    def recusal(self, row: RecusalRow, problem: str | None = None, column: str = "执法证号") -> None:
        self.recusals.append(row)
        if problem:
            self._expect(problem, RECUSAL_SHEET, 1 + len(self.recusals), column)

    def _expect(self, code: str, sheet: str, row: int, column: str) -> None:
        self.expected.append({"code": code, "sheet": sheet, "row": row, "column": column})


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


def broken_entity(n: int, category: str, region: str, /, **changes: Any) -> EntityRow:
    """A clean entity of ``category`` in ``region``; ``changes`` override single fields."""
    key = f"broken|{n}"
    base = EntityRow(
        code=credit_code("91", REGION_CODES[region][0], f"{key}|code"),
        name=entity_name("91", category, region, f"{key}|name"),
        region=region,
        categories=category,
        risk=_pick(f"{key}|risk", ["A", "B", "C", "低风险", "一般风险", ""]),
        status=_pick(f"{key}|status", ["存续", "在业", "开业"]),
        address=address(region, key),
        legal_rep=person_name(f"{key}|rep"),
        phone=mobile(f"{key}|phone"),
    )
    return replace(base, **changes)


def broken_entities(p: Planted) -> None:
    e = broken_entity
    # Every task of both plans keeps clean entities in its scope, so no task-level warning appears.
    p.entity(e(1, "报废机动车回收拆解", "泽州县"))
    p.entity(e(2, "汽车销售", "阳城县"))
    p.entity(e(3, "外商投资", "晋城开发区"))
    p.entity(e(4, "单用途商业预付卡", "泽州县", region="泽州"))
    p.entity(e(5, "二手车交易市场", "城区"))
    p.entity(e(6, "拍卖", "高平市"))
    p.entity(e(7, "对外劳务合作", "城区"))
    p.entity(e(8, "商业特许经营", "沁水县"))
    # Odd-looking but valid after normalisation: must not be reported.
    p.entity(e(9, "汽车销售", "阳城县", code=_full_width(credit_code("91", "140522", "broken|fw"))))
    p.entity(e(10, "单用途商业预付卡", "陵川县", code=credit_code("91", "140524", "broken|nbsp") + "\u00a0"))
    p.entity(e(11, "二手车交易市场", "城区", code=_lowercase_code("broken|lower")))
    both = "汽车销售、单用途商业预付卡"
    p.entity(
        e(
            12,
            "汽车销售",
            "晋城开发区",
            region="晋城经济技术开发区",
            categories=both,
            code=credit_code("91", "140502", "broken|12"),
        )
    )
    # One planted problem per row.
    duplicate = credit_code("91", "140502", "broken|dup")
    p.entity(e(13, "拍卖", "城区", code=None), "uscc-missing")
    p.entity(e(14, "外商投资", "晋城开发区", code=9.11405005635963e17), "uscc-float")
    p.entity(e(15, "汽车销售", "泽州县", code=credit_code("91", "140525", "broken|15")[:17]), "uscc-length")
    p.entity(e(16, "汽车销售", "阳城县", code="91140522MA0KO2L17X"), "uscc-charset")
    p.entity(
        e(17, "拍卖", "高平市", code=_wrong_check(credit_code("91", "140581", "broken|17"))), "uscc-checksum"
    )
    p.entity(e(18, "二手车交易市场", "城区", code=duplicate), "uscc-duplicate")
    p.entity(e(19, "单用途商业预付卡", "高平市", name=None), "name-missing", "名称")
    p.entity(e(20, "汽车销售", "泽州县", region="太原市"), "region-unknown", "区域")
    p.entity(
        e(21, "汽车销售", "阳城县", code=credit_code("91", "140525", "broken|21")), "region-mismatch", "区域"
    )
    restaurant = e(22, "商业特许经营", "城区", categories="餐饮服务", name="晋城市城区福盈餐饮有限公司")
    p.entity(restaurant, "category-untargeted", "监管类别")
    p.entity(e(23, "汽车销售", "沁水县", risk="极高"), "risk-unknown", "信用风险分类")
    p.entity(e(24, "二手车交易市场", "城区", code=duplicate), "uscc-duplicate")
    # More clean rows after the problems.
    p.entity(e(25, "汽车销售", "高平市"))
    p.entity(e(26, "单用途商业预付卡", "泽州县"))
    p.entity(e(27, "外商投资", "晋城开发区"))
    p.entity(e(28, "拍卖", "阳城县"))
    p.entity(e(29, "商业特许经营", "城区"))
    p.entity(e(30, "报废机动车回收拆解", "泽州县"))


def _lowercase_code(key: str) -> str:
    """A valid code that contains letters, written in lower case."""
    attempt = 0
    code = credit_code("91", "140502", key)
    while not any(ch.isalpha() for ch in code):
        attempt += 1
        code = credit_code("91", "140502", f"{key}|{attempt}")
    return code.lower()


def _wrong_check(code: str) -> str:
    return code[:-1] + ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]


def broken_inspector(n: int, department: str, /, **changes: Any) -> InspectorRow:
    key = f"broken-inspector|{n}"
    infix = next(infix for name, infix, _ in DEPARTMENTS if name == department)
    badge = f"140500{infix}{n + 900:03d}"
    row = InspectorRow(badge, person_name(key), department, future_expiry(key), phone=mobile(key))
    return replace(row, **changes)


def broken_inspectors(p: Planted) -> None:
    i = broken_inspector
    valid_code = p.entities[0].code
    # Two clean inspectors per department (three for 商务局): every task can still be staffed.
    p.inspector(i(1, "晋城市商务局", recusals=valid_code))
    p.inspector(i(2, "晋城市商务局", valid_until="2027/6/30"))
    p.inspector(i(3, "晋城市商务局"))
    p.inspector(i(4, "晋城市市场监督管理局"))
    p.inspector(i(5, "晋城市市场监督管理局"))
    p.inspector(i(6, "国家税务总局晋城市税务局"))
    p.inspector(i(7, "国家税务总局晋城市税务局"))
    p.inspector(i(8, "晋城市公安局"))
    p.inspector(i(9, "晋城市公安局"))
    p.inspector(i(10, "晋城市公安分局"))
    p.inspector(i(11, "晋城市公安分局"))
    # One planted problem per row.
    p.inspector(i(12, "晋城市商务局", badge=None), "badge-missing")
    p.inspector(i(13, "晋城市商务局", badge="14050019950"), "badge-duplicate")
    p.inspector(i(14, "晋城市市场监督管理局", name=None), "inspector-name-missing", "姓名")
    p.inspector(i(15, "晋城市商务局", department="市教育局"), "department-unknown", "部门")
    p.inspector(
        i(16, "国家税务总局晋城市税务局", valid_until=date(2024, 6, 30)),
        "credential-expired",
        "执法证有效期至",
    )
    p.inspector(i(17, "晋城市公安局", valid_until="2025-13-45"), "credential-date-bad", "执法证有效期至")
    p.inspector(i(18, "晋城市商务局", recusals="12345"), "recusal-code-invalid", "回避对象")
    p.inspector(i(19, "晋城市商务局", badge="14050019950"), "badge-duplicate")


def broken_recusals(p: Planted) -> None:
    badges = [row.badge for row in p.inspectors]
    codes = [row.code for row in p.entities]
    assert badges[2] and badges[4] and isinstance(codes[1], str) and isinstance(codes[4], str)
    p.recusal(RecusalRow(badges[2], codes[1], "亲属关系"))
    p.recusal(RecusalRow(badges[4], codes[4], "曾任职"))
    p.recusal(RecusalRow("14050019999", codes[1], "利害关系"), "recusal-badge-unknown")


def broken_registry() -> Planted:
    planted = Planted()
    broken_entities(planted)
    broken_inspectors(planted)
    broken_recusals(planted)
    planted.expected.sort(key=lambda p: (SHEETS.index(str(p["sheet"])), p["row"], p["code"]))
    return planted


# --- writing -------------------------------------------------------------------------------------


def write_sheet(
    ws: Worksheet, headers: list[str], rows: Sequence[Sequence[object]], title: str | None = None
) -> None:
    """Headers (bold, frozen) and rows; text columns stay text, dates get a date format."""
    header_row = 1
    if title is not None:
        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        header_row = 2
    for col, header in enumerate(headers, start=1):
        ws.cell(row=header_row, column=col, value=header).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = COLUMN_WIDTHS.get(header, 14)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for r, values in enumerate(rows, start=header_row + 1):
        for col, (header, value) in enumerate(zip(headers, values, strict=True), start=1):
            cell = ws.cell(row=r, column=col, value=None if value == "" else value)
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            elif header in TEXT_COLUMNS and not isinstance(value, float):
                cell.number_format = "@"


def build_workbook(
    entities: Sequence[EntityRow], inspectors: Sequence[InspectorRow], recusals: Sequence[RecusalRow]
) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = ENTITY_SHEET
    write_sheet(ws, ENTITY_HEADERS, [e.cells() for e in entities], title=ENTITY_TITLE)
    write_sheet(wb.create_sheet(INSPECTOR_SHEET), INSPECTOR_HEADERS, [i.cells() for i in inspectors])
    write_sheet(wb.create_sheet(RECUSAL_SHEET), RECUSAL_HEADERS, [r.cells() for r in recusals])
    wb.properties.creator = AUTHOR
    wb.properties.lastModifiedBy = AUTHOR
    wb.properties.created = FIXED_TIME
    return wb


def save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save with fixed document and zip-entry timestamps, so equal content gives equal bytes.

    openpyxl stamps ``modified`` with the current time and the zip entries with the local time;
    both are replaced by ``FIXED_TIME``.
    """
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\2", data
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)


def write_examples(out_dir: Path) -> list[Path]:
    """Write the three example files into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entities = clean_entities()
    inspectors = clean_inspectors(entities)
    clean = build_workbook(entities, inspectors, clean_recusals(entities, inspectors))
    broken = broken_registry()
    paths = [
        out_dir / "registry.xlsx",
        out_dir / "registry-broken.xlsx",
        out_dir / "registry-broken.expected.json",
    ]
    save_reproducibly(clean, paths[0])
    save_reproducibly(build_workbook(broken.entities, broken.inspectors, broken.recusals), paths[1])
    text = json.dumps(broken.expected, ensure_ascii=False, indent=2) + "\n"
    paths[2].write_text(text, encoding="utf-8")
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="写出 jcdraw 的示例名录库工作簿（registry.xlsx 等）。")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent, help="输出文件夹")
    args = parser.parse_args(argv)
    for path in write_examples(args.out_dir):
        print(path)


if __name__ == "__main__":
    main()
