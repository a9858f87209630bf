"""A firm's address and contacts from the registry, for paperwork (检查通知书, 检查记录表).

The draw record holds a firm's code, name and region, not where it is or whom to call. Those are
optional columns of the registry's ``检查对象`` sheet (地址, 法定代表人, 联系电话, and 联络员 /
联络员电话 where the bureau keeps them). ``read_firm_details(path)`` reads only those columns, keyed
by the normalised credit code, and never raises for the registry's state: a missing or unreadable
file, or missing columns, are returned as ``problem`` / ``missing`` so the caller can say so once and
print blank lines to fill by hand. Rows are not checked here; ``jcdraw validate`` does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jcdraw import problems as P
from jcdraw.errors import JcdrawError
from jcdraw.io.text import clean_text_one, normalize_key_one
from jcdraw.io.xlsx_read import open_workbook, read_table
from jcdraw.registry.load import ENTITY_COLUMNS, ENTITY_SHEET, SHEET_ALIASES

CODE = "统一社会信用代码"
DETAIL_COLUMNS: dict[str, list[str]] = {
    CODE: ENTITY_COLUMNS[CODE],
    "地址": ["住所", "经营场所", "住所（经营场所）", "注册地址", "经营地址", "地址（住所）", "address"],
    "法定代表人": ["法定代表人（负责人）", "负责人", "法人代表", "法人", "经营者", "legal_representative"],
    "联系电话": ["电话", "联系方式", "企业电话", "phone", "telephone"],
    "联络员": ["联系人", "企业联络员", "liaison", "contact"],
    "联络员电话": ["联系人电话", "联络员手机", "联系人手机", "liaison_phone"],
}
EXPECTED = ["地址", "法定代表人", "联系电话"]  # the example registry and the template have these


@dataclass(frozen=True)
class FirmDetails:
    address: str = ""
    legal_rep: str = ""
    phone: str = ""
    liaison: str = ""
    liaison_phone: str = ""


@dataclass
class FirmBook:
    """Details by normalised credit code, and what kept some of them from being read."""

    path: Path
    details: dict[str, FirmDetails] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # expected columns the sheet lacks
    problem: str = ""  # why nothing was read: "no-file", "unreadable" (see detail), "no-sheet"; "" if read
    detail: str = ""  # the reader's Chinese message when unreadable

    def get(self, uscc: str) -> FirmDetails:
        return self.details.get(uscc, FirmDetails())


def read_firm_details(path: Path) -> FirmBook:
    """The details of every firm in ``path``'s ``检查对象`` sheet (see the module doc)."""
    book_path = Path(path)
    if not book_path.is_file():
        return FirmBook(book_path, missing=list(EXPECTED), problem="no-file")
    try:
        book = open_workbook(book_path)
    except JcdrawError as err:
        return FirmBook(book_path, missing=list(EXPECTED), problem="unreadable", detail=err.message)
    sheet = book.find_sheet(SHEET_ALIASES[ENTITY_SHEET])
    problems = P.ProblemList()
    table = read_table(book, sheet, DETAIL_COLUMNS, [CODE], problems) if sheet else None
    if table is None:
        return FirmBook(book_path, missing=list(EXPECTED), problem="no-sheet")
    frame = table.frame
    columns = {name: list(frame[name]) if name in frame else [] for name in DETAIL_COLUMNS}
    details: dict[str, FirmDetails] = {}
    for row, raw_code in enumerate(columns[CODE]):
        code = normalize_key_one(raw_code)
        if code is None or code in details:
            continue  # blank, or a duplicate that validate reports: the first row counts

        def cell(name: str, row: int = row) -> str:
            values = columns[name]
            return (clean_text_one(values[row]) or "") if values else ""

        details[code] = FirmDetails(
            cell("地址"), cell("法定代表人"), cell("联系电话"), cell("联络员"), cell("联络员电话")
        )
    missing = [name for name in EXPECTED if name not in frame]
    return FirmBook(book_path, details, missing)
