"""Large, deterministic registry workbooks for the benchmarks (shared by ``validate.py`` and ``draw.py``).

Every value comes from one SHA-256 digest per row (``sha256("jcdraw-bench|<sheet>|<row>")``): its bytes
pick region, category, risk class, status, names and phone numbers, so the data depend only on this
file (no ``random`` module, no NumPy RNG). Credit codes are valid (``jcdraw.uscc.make_uscc``) and
unique: the 9-character organisation code is a bijective scramble of the row index, so no code needs
to be remembered to avoid repeats. Values look like ``examples/make_examples.py``: region aliases,
multi-category entities, Chinese risk names, blank risks, a few deregistered entities.

Two variants:

``validate``
    Entities over every region and every category of the 2024 plans; 60 inspectors over the five
    departments (like the example registry).
``draw``
    Every entity carries 拍卖, so joint task 6 (拍卖, 全市, 50 %) has about the whole sheet eligible;
    300 inspectors, most of them in that task's two departments, so teams can always be formed.

Workbooks are written with xlsxwriter in ``constant_memory`` mode (rows streamed to disk; strings
inline, not in a shared-string table) and cached under ``bench/out/`` keyed by variant and row count.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Literal, TypeVar

import xlsxwriter

from jcdraw.registry.uscc import make_uscc

T = TypeVar("T")
Variant = Literal["validate", "draw"]

GENERATOR_VERSION = 1  # bump when the data change, so cached workbooks are rebuilt
OUT_DIR = Path(__file__).resolve().parent / "out"
SEED = b"jcdraw-bench"
PROGRESS_EVERY = 100_000

ENTITY_SHEET = "检查对象"
INSPECTOR_SHEET = "执法人员"
ENTITY_HEADERS = [
    "统一社会信用代码", "名称", "区域", "监管类别", "信用风险分类", "经营状态", "地址", "法定代表人",
    "联系电话",
]  # fmt: skip
INSPECTOR_HEADERS = ["执法证号", "姓名", "部门", "执法证有效期至", "在岗状态", "可检查类别", "联系电话"]

# name, division codes, alias written now and then, weight
REGIONS: list[tuple[str, tuple[str, ...], str | None, int]] = [
    ("城区", ("140502",), "晋城市城区", 26),
    ("泽州县", ("140525",), "泽州", 17),
    ("高平市", ("140581",), "高平", 15),
    ("阳城县", ("140522",), "阳城", 12),
    ("沁水县", ("140521",), None, 8),
    ("陵川县", ("140524",), None, 7),
    ("晋城开发区", ("140500", "140502"), "晋城经济技术开发区", 15),
]
CATEGORY_WEIGHTS = [
    ("报废机动车回收拆解", 3), ("汽车销售", 24), ("外商投资", 9), ("单用途商业预付卡", 32),
    ("二手车交易市场", 8), ("拍卖", 6), ("对外劳务合作", 5), ("商业特许经营", 13),
]  # fmt: skip
SECOND_CATEGORY = {
    "报废机动车回收拆解": "二手车交易市场", "汽车销售": "单用途商业预付卡", "外商投资": "商业特许经营",
    "单用途商业预付卡": "商业特许经营", "二手车交易市场": "汽车销售", "拍卖": "二手车交易市场",
    "对外劳务合作": "外商投资", "商业特许经营": "外商投资",
}  # fmt: skip
RISKS = [("A", 30), ("B", 40), ("C", 20), ("D", 5), ("", 5)]
RISK_NAMES = {"A": "低风险", "B": "一般风险", "C": "较高风险", "D": "高风险"}
STATUSES = [("存续", 60), ("在业", 25), ("开业", 12), ("注销", 1), ("吊销", 1), ("迁出", 1)]
COMPANY_SUFFIXES = {
    "报废机动车回收拆解": ["报废汽车回收有限公司", "再生资源回收利用有限公司"],
    "汽车销售": ["汽车销售有限公司", "汽车贸易有限公司", "汽车销售服务有限公司"],
    "外商投资": ["精密机械有限公司", "光电科技有限公司", "新材料有限公司"],
    "单用途商业预付卡": ["商贸有限公司", "超市有限公司", "美容美发有限公司", "健身服务有限公司"],
    "二手车交易市场": ["二手车交易市场有限公司", "二手车经纪有限公司"],
    "拍卖": ["拍卖有限公司", "拍卖行有限公司"],
    "对外劳务合作": ["国际经济技术合作有限公司", "对外劳务服务有限公司"],
    "商业特许经营": ["餐饮管理有限公司", "连锁经营管理有限公司", "便利店连锁有限公司"],
}  # fmt: skip
TRADE_FIRST = "鑫宏华金泰恒瑞兴盛德永福天鸿嘉润博新聚顺广众信开昌弘益安锦诚万通银凤丹沁晋泽龙康"
TRADE_SECOND = "达远鼎丰祥隆源安顺禄运禾晟程茂昌利发宇辉泰通诚和汇盈旺佳鹏洲川"
TOWNS = ["北街街道", "东街街道", "南村镇", "巴公镇", "凤城镇", "龙港镇", "崇文镇", "米山镇", "金村园区"]
ROADS = ["泽州路", "凤台街", "黄华街", "新市街", "红星街", "书院街", "太行路", "文昌街", "建设路", "兰花路"]
SURNAMES = "王李张刘陈杨赵郭牛常原靳焦申秦崔侯卫段霍范裴贾闫成田吴周黄马"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文斌宇浩鹏晋晨"
MOBILE_PREFIXES = ("130", "135", "138", "139", "150", "152", "158", "176", "183", "186", "189", "199")

ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code alphabet
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation-code check weights
ORG_SPACE = 31**8
ORG_STEP = 0x9E3779B1  # odd and not a multiple of 31: i → i·step mod 31⁸ is a bijection

# Inspectors per variant: department, badge infix, head count.
INSPECTORS: dict[Variant, list[tuple[str, str, int]]] = {
    "validate": [
        ("晋城市商务局", "19", 21), ("晋城市市场监督管理局", "21", 12),
        ("国家税务总局晋城市税务局", "23", 10),
        ("晋城市公安局", "11", 9), ("晋城市公安分局", "12", 8),
    ],
    "draw": [
        ("晋城市商务局", "19", 150), ("晋城市市场监督管理局", "21", 120),
        ("国家税务总局晋城市税务局", "23", 10),
        ("晋城市公安局", "11", 10), ("晋城市公安分局", "12", 10),
    ],
}  # fmt: skip


def _table(options: Sequence[tuple[T, int]]) -> list[T]:
    """256 slots filled by weight, so one digest byte picks a weighted option."""
    total = sum(w for _, w in options)
    slots: list[T] = []
    for value, weight in options:
        slots.extend([value] * round(256 * weight / total))
    slots = (slots + [options[-1][0]] * 256)[:256]
    return slots


REGION_BY_BYTE = _table([((name, codes, alias), w) for name, codes, alias, w in REGIONS])
CATEGORY_BY_BYTE = _table(CATEGORY_WEIGHTS)
RISK_BY_BYTE = _table(RISKS)
STATUS_BY_BYTE = _table(STATUSES)


def organisation_code(index: int) -> str:
    """A unique 9-character organisation code (8 body characters + GB 11714 check) for ``index``."""
    n = (index * ORG_STEP + 12345) % ORG_SPACE
    body = ""
    for _ in range(8):
        n, rest = divmod(n, 31)
        body += ORG_CHARS[rest]
    check = 11 - sum(int(ch, 36) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _person(d: bytes, at: int) -> str:
    given = GIVEN[d[at + 1] % len(GIVEN)] + ("" if d[at + 2] < 77 else GIVEN[d[at + 3] % len(GIVEN)])
    return SURNAMES[d[at] % len(SURNAMES)] + given


def _phone(d: bytes, at: int) -> str:
    return MOBILE_PREFIXES[d[at] % len(MOBILE_PREFIXES)] + f"{int.from_bytes(d[at + 1 : at + 5]) % 10**8:08d}"


def entity_row(index: int, variant: Variant) -> list[str]:
    """The ``index``-th entity row (cells in ``ENTITY_HEADERS`` order), all text."""
    d = hashlib.sha256(SEED + b"|entity|" + str(index).encode()).digest()
    region, divisions, alias = REGION_BY_BYTE[d[0]]
    category = "拍卖" if variant == "draw" else CATEGORY_BY_BYTE[d[1]]
    categories = f"{category}、{SECOND_CATEGORY[category]}" if d[2] < 13 else category  # ~5 %
    risk = RISK_BY_BYTE[d[3]]
    if risk and d[4] < 77:  # ~30 % written with the Chinese name
        risk = RISK_NAMES[risk]
    prefix = "92" if category == "单用途商业预付卡" and d[5] < 31 else "91"
    code = make_uscc(prefix + divisions[d[6] % len(divisions)] + organisation_code(index)[:9])
    suffixes = COMPANY_SUFFIXES[category]
    name = (
        (region if region != "晋城开发区" else "晋城")
        + TRADE_FIRST[d[7] % len(TRADE_FIRST)]
        + TRADE_SECOND[d[8] % len(TRADE_SECOND)]
        + suffixes[d[9] % len(suffixes)]
    )
    number = 1 + int.from_bytes(d[10:12]) % 398
    place = f"山西省晋城市{region}{TOWNS[d[12] % len(TOWNS)]}{ROADS[d[13] % len(ROADS)]}{number}号"
    region_text = alias if alias and d[14] < 38 else region  # ~15 % of the regions with an alias
    return [
        code,
        name,
        region_text,
        categories,
        risk,
        STATUS_BY_BYTE[d[15]],
        place,
        _person(d, 16),
        _phone(d, 20),
    ]


def inspector_rows(variant: Variant) -> Iterator[list[object]]:
    """Inspectors of the variant: all on duty with credentials valid through 2027-07 … 2028-12."""
    for department, infix, count in INSPECTORS[variant]:
        for seq in range(count):
            d = hashlib.sha256(SEED + f"|inspector|{department}|{seq}".encode()).digest()
            expires = date.fromordinal(date(2027, 7, 1).toordinal() + int.from_bytes(d[0:2]) % 550)
            yield [
                f"140500{infix}{seq + 1:04d}",
                _person(d, 2),
                department,
                expires,
                "在岗",
                "",
                _phone(d, 6),
            ]


def registry_path(rows: int, variant: Variant) -> Path:
    return OUT_DIR / f"registry-{variant}-{rows}-v{GENERATOR_VERSION}.xlsx"


def ensure_registry(rows: int, variant: Variant) -> Path:
    """The cached workbook for ``rows`` entities of ``variant``, written first if missing."""
    path = registry_path(rows, variant)
    if not path.exists():
        write_registry(path, rows, variant)
    return path


def write_registry(path: Path, rows: int, variant: Variant) -> None:
    """Write the workbook to a temporary name, then rename, so an interrupted run leaves no cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(partial), {"constant_memory": True})
    book.set_properties({"created": datetime(2024, 1, 31, 9, 0, 0)})
    sheet = book.add_worksheet(ENTITY_SHEET)
    _header(sheet, ENTITY_HEADERS)
    write = sheet.write_string
    for index in range(rows):
        for column, value in enumerate(entity_row(index, variant)):
            if value:
                write(index + 1, column, value)
        if (index + 1) % PROGRESS_EVERY == 0 or index + 1 == rows:
            _progress(path.name, index + 1, rows, started)
    _write_inspectors(book, variant)
    book.close()
    partial.replace(path)
    print(
        f"  写好 {path}（{path.stat().st_size / 1e6:.0f} MB，{time.perf_counter() - started:.0f} s）",
        file=sys.stderr,
    )


def _header(sheet: xlsxwriter.worksheet.Worksheet, headers: list[str]) -> None:
    for column, title in enumerate(headers):
        sheet.write_string(0, column, title)


def _write_inspectors(book: xlsxwriter.Workbook, variant: Variant) -> None:
    sheet = book.add_worksheet(INSPECTOR_SHEET)
    _header(sheet, INSPECTOR_HEADERS)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for row, cells in enumerate(inspector_rows(variant), start=1):
        for column, value in enumerate(cells):
            if isinstance(value, date):
                sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), date_format)
            elif value:
                sheet.write_string(row, column, str(value))


def _progress(name: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    left = elapsed / done * (total - done)
    print(
        f"  生成 {name}: {done:,}/{total:,} 行（{elapsed:.0f} s，约剩 {left:.0f} s）",
        file=sys.stderr,
        flush=True,
    )


# --- measuring ---------------------------------------------------------------------------------
# Each measurement runs in a fresh interpreter (``<script> --worker KIND PATH``) that prints one JSON
# line; its own peak RSS (RUSAGE_SELF; RUSAGE_CHILDREN for a measured subprocess) is the peak memory.


def peak_gb(*, children: bool = False) -> float:
    """Peak resident memory in GB (10⁹ bytes) of this process, or of its largest waited-for child."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_maxrss * 1024 / 1e9  # Linux reports KiB


def run_worker(script: Path, kind: str, *args: str) -> dict[str, float]:
    """Run ``script --worker kind args…`` in a fresh interpreter and return its JSON result."""
    import json
    import subprocess

    command = [sys.executable, str(script), "--worker", kind, *args]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def warm_page_cache(path: Path) -> None:
    """Read the file once so the first measurement does not pay for the disk alone."""
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def print_table(
    title: str, rows: Sequence[tuple[str, float, float | None, float | None, float | None]]
) -> None:
    """Rows of (measurement, wall seconds, CPU seconds, peak GB, ratio to baseline), aligned."""
    print(f"\n{title}")
    print(f"{'measurement':<44} {'seconds':>9} {'cpu s':>8} {'peak GB':>8} {'ratio':>7}")
    for name, seconds, cpu, peak, ratio in rows:
        cells = [f"{v:8.2f}" if v is not None else " " * 8 for v in (cpu, peak)]
        ratio_text = f"{ratio:7.2f}" if ratio is not None else " " * 7
        print(f"{name:<44} {seconds:9.2f} {cells[0]} {cells[1]} {ratio_text}")


class Stopwatch:
    """Wall and CPU time of a block (CPU time is less disturbed by other work on the machine)."""

    def __enter__(self) -> Stopwatch:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
