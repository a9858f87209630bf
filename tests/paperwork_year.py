"""A small example year for the paperwork tests: a registry with addresses and contacts, six draws.

The registry is test_visits' multi-category one (five firms drawn by several tasks, so several visits
merge) plus the columns 地址, 法定代表人, 联系电话, and one firm whose name and address are hostile
text. The draws are test_visits' five plus a second round of internal task 1, which gives the class C
and D firms (M3, M4) a second door entry this year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import clean_entities, clean_inspectors, uscc, write_registry
from test_visits import CODES, MULTI, draw

HOSTILE_NAME = '晋城市<测试>&"甲乙"{{ 7*7 }}{% if true %}X{% endif %}报废回收有限公司'
HOSTILE_ADDRESS = "泽州县]]><w:p>钟家庄 & 兰花路 <92> 号 {{ firm.name }}"
HOSTILE_CODE = uscc("泽州县", 990)
DRAWS: list[tuple[str, int, tuple[str, ...]]] = [
    ("joint", 1, ()),
    ("joint", 2, ()),
    ("joint", 4, ()),
    ("internal", 1, ()),
    ("internal", 2, ()),
    ("internal", 1, ("--round", "2")),
]


def details(code: str, n: int) -> tuple[str, str, str]:
    """地址, 法定代表人, 联系电话 of the n-th registry row (the hostile firm has its own address)."""
    address = HOSTILE_ADDRESS if code == HOSTILE_CODE else f"晋城市测试路{n}号"
    return address, f"法人{n}", f"1380000{n:04d}"


def paperwork_registry(path: Path) -> Path:
    # test_visits.multi_category_registry, plus three columns and the hostile firm
    entities: list[list[Any]] = clean_entities()
    for row in entities[1:]:
        if row[3] == "汽车销售" and row[4] == "D":
            row[4] = "A"
    for key, (region, _serial, categories, risk) in MULTI.items():
        entities.append([CODES[key], f"{region}多类别公司{key}", region, categories, risk, "存续"])
    entities.append([HOSTILE_CODE, HOSTILE_NAME, "泽州县", "报废机动车回收拆解", "B", "存续"])  # T1: 100%
    entities[0] += ["地址", "法定代表人", "联系电话"]
    for n, row in enumerate(entities[1:], 1):
        row += list(details(str(row[0]), n))
    return write_registry(path, entities=entities, inspectors=clean_inspectors())


@dataclass
class PaperYear:
    folder: Path
    registry: Path
    ledger: Path


def paperwork_year(folder: Path) -> PaperYear:
    registry = paperwork_registry(folder / "registry.xlsx")
    ledger = folder / "jcdraw.sqlite3"
    for plan, task, extra in DRAWS:
        draw(folder, registry, ledger, plan, task, *extra)
    return PaperYear(folder, registry, ledger)
