"""Reading an assignment workbook back as a reader sees it (``verify``'s input; the workbook is untrusted).

Each sheet is read by its header row (found in the first rows, below any title), cells as text: the
抽取结果 rows (code, name, team members' names and badges), the 检查人员 rows and the 对象池 rows,
continuation sheets included. A missing sheet reads as ``None``; a sheet ``verify`` cannot do without
is refused with a Chinese message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jcdraw import messages
from jcdraw.draw.record_sheet import cell_text, note_hidden
from jcdraw.draw.workbook import INSPECTOR_SHEET, POOL_COLUMNS, POOL_SHEET, SELECTED_SHEET
from jcdraw.errors import UnreadableInput
from jcdraw.io.text import normalize_key_one
from jcdraw.io.xlsx_read import Workbook, open_workbook

HEADER_ROWS = 10
MEMBER = re.compile(r"([^（）、]*)（([^（）]+)）")


@dataclass(frozen=True)
class ListedEntity:
    """One 抽取结果 row: the code, the name, and the team as (name, badge) pairs."""

    uscc: str
    name: str
    team: list[tuple[str, str]]

    @property
    def badges(self) -> list[str]:
        return [badge for _, badge in self.team]


@dataclass
class Listing:
    """What the workbook shows; ``duplicates`` holds codes listed more than once in 抽取结果."""

    selected: dict[str, ListedEntity] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    inspectors: dict[str, tuple[str, str, str]] | None = None  # badge → (name, department, load)
    pool: list[tuple[str, str, str]] | None = None  # (code, class, ticket) in sheet order


def read_listing(path: Path, notes: list[str] | None = None) -> Listing:
    """The 抽取结果, 检查人员 and 对象池 sheets of ``path`` as text (hidden ones noted in ``notes``)."""
    book = open_workbook(path)
    for name in (SELECTED_SHEET, INSPECTOR_SHEET, POOL_SHEET):
        if (found := book.find_sheet([name])) is not None:
            note_hidden(book, found, notes)
    rows = _parts(book, SELECTED_SHEET, "统一社会信用代码")
    if rows is None:
        raise UnreadableInput(messages.VERIFY_NO_RECORD.format(path=path))
    listing = Listing()
    for row in rows:
        code = normalize_key_one(row.get("统一社会信用代码", "")) or ""
        if not code:
            continue
        if code in listing.selected:
            listing.duplicates.append(code)
            continue
        team = [(name.strip(), badge.strip()) for name, badge in MEMBER.findall(row.get("检查人员", ""))]
        listing.selected[code] = ListedEntity(code, row.get("名称", ""), team)
    inspectors = _parts(book, INSPECTOR_SHEET, "执法证号")
    if inspectors is not None:
        listing.inspectors = {
            r.get("执法证号", ""): (r.get("姓名", ""), r.get("部门", ""), r.get("分配数量", ""))
            for r in inspectors
            if r.get("执法证号")
        }
    listing.pool = _pool(book)
    return listing


def _pool(book: Workbook) -> list[tuple[str, str, str]] | None:
    rows = _parts(book, POOL_SHEET, POOL_COLUMNS[0])
    if rows is None:
        return None
    return [
        (r.get(POOL_COLUMNS[0], ""), r.get(POOL_COLUMNS[1], ""), r.get(POOL_COLUMNS[2], "")) for r in rows
    ]


def _parts(book: Workbook, sheet: str, column: str) -> list[dict[str, str]] | None:
    """``_table`` of a sheet and its continuation sheets (``名称(2)``, ``名称(3)`` …), in order."""
    first = _table(book, sheet, column)
    if first is None:
        return None
    part = 2
    while (
        rows := _table(book, messages.XLSX_CONTINUED_SHEET.format(name=sheet, part=part), column)
    ) is not None:
        first += rows
        part += 1
    return first


def _table(book: Workbook, sheet: str, column: str) -> list[dict[str, str]] | None:
    """The rows below the header row (the first row with a cell ``column``), as header → text."""
    found = book.find_sheet([sheet])  # names compared as normalised, as every reader here does
    if found is None:
        return None
    rows = book.rows(found)
    for index, row in enumerate(rows[:HEADER_ROWS]):
        if any(cell_text(cell) == column for cell in row):
            header = [cell_text(cell) for cell in row]
            return [
                {h: cell_text(v) for h, v in zip(header, body, strict=False) if h}
                for body in rows[index + 1 :]
                if any(cell_text(v) for v in body)
            ]
    return None
