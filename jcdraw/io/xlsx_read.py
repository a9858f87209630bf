"""Reading untrusted .xlsx workbooks safely and fast.

``open_workbook`` looks at the container before any parser does: it tells a legacy .xls, an encrypted
workbook, a CSV or a random file from a real .xlsx, refuses zip bombs by the declared sizes (before
inflating anything) and XML entity declarations (the "billion laughs"), and only then opens it with
python-calamine, the fastest reader measured here, behind the guard of ``jcdraw.io.xlsx_guard``: every
part calamine parses is measured first (real inflated size, the span of the cells it keeps), so a file
that would exhaust memory or crash the reader is refused with a message instead. ``read_table`` finds
the header row within the first rows of a sheet, maps Chinese or English header aliases to canonical
column names and returns a pandas frame of raw cell values (object dtype) plus each row's Excel row
number, for column-wise checks.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import messages
from jcdraw import problems as P
from jcdraw.errors import UnreadableInput
from jcdraw.io.files import gc_paused
from jcdraw.io.normalize import normalize_key
from jcdraw.io.xlsx_guard import GuardedWorkbook, PasswordError
from jcdraw.io.xlsx_layout import find_name_clashes
from jcdraw.io.xlsx_parts import SheetGuardError, column_letter

HEADER_SCAN_ROWS = 10
MAX_INFLATED_BYTES = 4 * 1024**3  # a full 1M-row sheet inflates to well under this
MAX_MEMBER_RATIO = 1000  # real sheet XML compresses 10-100×; bombs compress far more
XML_HEAD_BYTES = 4096  # a DTD must come before the root element

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")


@dataclass
class Workbook:
    path: Path
    sheet_names: list[str]
    _book: GuardedWorkbook = field(repr=False)

    def find_sheet(self, names: Sequence[str], problems: P.ProblemList | None = None) -> str | None:
        """The first sheet whose normalised name matches any of ``names``.

        Two sheets whose names normalise alike (``检查对象`` and ``检查对象 ``) make the choice a guess:
        refused, naming both. A hidden sheet is read, never silently: a warning goes to ``problems``.
        """
        wanted = set(_keys(names))
        keys = _keys(self.sheet_names)
        matching = [s for s, k in zip(self.sheet_names, keys, strict=True) if k in wanted]
        clashes = find_name_clashes(matching, lambda name: keys[self.sheet_names.index(name)])
        if clashes:
            first, second = clashes[0]
            text = messages.SHEET_NAME_CLASH.format(path=self.path, first=first, second=second)
            raise UnreadableInput(text)
        if not matching:
            return None
        sheet = matching[0]
        state = self.hidden_state(sheet)
        if state is not None and problems is not None:
            problems.add(P.make("sheet-hidden", sheet=sheet, sheet_name=sheet, state=state))
        return sheet

    def hidden_state(self, sheet: str) -> str | None:
        """``隐藏的`` / ``深度隐藏的…`` when ``sheet`` is hidden in Excel, else None."""
        entry = self._book.entry(sheet)
        return messages.SHEET_STATE_TEXT.get(entry.state) if entry is not None else None

    def error_cells(self, sheet: str) -> list[tuple[int, int, str]]:
        """(Excel row, 0-based column, text) of error cells such as #N/A, which calamine reads as blank.

        They come from the pass that measured the sheet before calamine read it: no second inflate.
        """
        return self._book.error_cells(sheet)

    def rows(self, sheet: str) -> list[list[Any]]:
        """All rows of a sheet as Python values; empty cells are ``""``."""
        try:
            with gc_paused():
                data = self._book.rows(sheet)
        except SheetGuardError:
            raise
        except Exception as err:  # calamine raises its own hierarchy and plain ValueErrors
            raise UnreadableInput(messages.FILE_BROKEN.format(path=self.path, detail=_short(err))) from None
        return data

    def close(self) -> None:
        self._book.close()


def open_workbook(path: Path) -> Workbook:
    """Open ``path`` as an .xlsx workbook or raise ``UnreadableInput`` saying why not."""
    head = _read_head(path)
    if head.startswith(OLE_MAGIC):
        raise UnreadableInput(_ole_message(path))
    if not head.startswith(ZIP_MAGIC):
        raise UnreadableInput(_not_zip_message(path, head))
    _check_container(path)
    try:
        book = GuardedWorkbook.open(path)
    except SheetGuardError:
        raise
    except PasswordError:
        raise UnreadableInput(messages.FILE_ENCRYPTED.format(path=path)) from None
    except Exception as err:
        raise UnreadableInput(messages.FILE_BROKEN.format(path=path, detail=_short(err))) from None
    if not book.sheet_names:
        book.close()
        raise UnreadableInput(messages.FILE_NO_SHEETS.format(path=path))
    return Workbook(path, book.sheet_names, book)


def _read_head(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise UnreadableInput(messages.FILE_IS_DIRECTORY.format(path=path))
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise UnreadableInput(messages.FILE_NOT_FOUND.format(path=path)) from None
    except PermissionError:
        raise UnreadableInput(messages.FILE_PERMISSION.format(path=path)) from None
    except OSError as err:
        raise UnreadableInput(messages.FILE_BROKEN.format(path=path, detail=err.strerror)) from None
    if not head:
        raise UnreadableInput(messages.FILE_EMPTY.format(path=path))
    return head


def _ole_message(path: Path) -> str:
    """OLE2 is either a legacy .xls or an encrypted .xlsx (Excel wraps those in OLE2)."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    if ENCRYPTION_MARK in sample:
        return messages.FILE_ENCRYPTED.format(path=path)
    return messages.FILE_XLS.format(path=path)


def _not_zip_message(path: Path, head: bytes) -> str:
    if path.suffix.lower() in {".csv", ".txt", ".tsv"} or _looks_like_text(path):
        return messages.FILE_CSV.format(path=path)
    return messages.FILE_NOT_XLSX.format(path=path)


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return any(sep in text for sep in (",", "\t", "，"))
    return False


def _check_container(path: Path) -> None:
    """Refuse broken zips, zip bombs (by declared sizes) and XML with entity declarations."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise UnreadableInput(messages.FILE_NOT_XLSX.format(path=path))
            _check_sizes(path, infos)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as member:
                        head = member.read(XML_HEAD_BYTES)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise UnreadableInput(messages.FILE_XML_ENTITIES.format(path=path))
    except zipfile.BadZipFile:
        raise UnreadableInput(messages.FILE_NOT_XLSX.format(path=path)) from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as err:
        raise UnreadableInput(messages.FILE_BROKEN.format(path=path, detail=_short(err))) from None
    except OSError as err:
        raise UnreadableInput(messages.FILE_BROKEN.format(path=path, detail=_short(err))) from None


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    total = sum(i.file_size for i in infos)
    worst = max(infos, key=lambda i: i.file_size / max(i.compress_size, 1))
    ratio = worst.file_size / max(worst.compress_size, 1)
    if total > MAX_INFLATED_BYTES or (ratio > MAX_MEMBER_RATIO and worst.file_size > 50_000_000):
        size = f"{total / 1024**3:.1f} GB" if total >= 1024**3 else f"{total / 1024**2:.0f} MB"
        raise UnreadableInput(messages.FILE_ZIP_BOMB.format(path=path, size=size))


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


# --- tables ------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet's data: canonical columns (raw values), extra columns, and Excel row numbers."""

    sheet: str
    header_row: int  # Excel row number of the header
    frame: pd.DataFrame  # canonical names for known columns, original headers for the rest
    excel_rows: pd.Series  # Excel row number per frame row
    headers: dict[str, str]  # canonical name → header text as written
    extra_columns: list[str]


def read_table(
    book: Workbook,
    sheet: str,
    schema: Mapping[str, Sequence[str]],
    required: Sequence[str],
    problems: P.ProblemList,
) -> Table | None:
    """Read ``sheet`` with the header found in its first rows; ``None`` if a required column is missing.

    ``schema`` maps canonical column name → accepted header texts (Chinese first, then aliases).
    Missing and duplicated columns are reported in ``problems``.
    """
    rows = book.rows(sheet)
    pairs = [(alias, name) for name, aliases in schema.items() for alias in [name, *aliases]]
    lookup = dict(zip(_keys([alias for alias, _ in pairs]), [name for _, name in pairs], strict=True))
    header_index = _find_header(rows, lookup)
    if header_index is None:
        for name in required:
            problems.add(
                P.make("missing-column", sheet=sheet, column=name, sheet_name=sheet, column_name=name)
            )
        return None
    header = rows[header_index]
    positions = _map_columns(header, lookup, sheet, header_index + 1, problems)
    missing = [name for name in required if name not in positions]
    for name in missing:
        problems.add(
            P.make(
                "missing-column",
                sheet=sheet,
                row=header_index + 1,
                column=name,
                sheet_name=sheet,
                column_name=name,
            )
        )
    if missing:
        return None
    _report_error_cells(book, sheet, header_index + 1, header, positions, problems)
    return _build_table(sheet, rows, header_index, header, positions)


def _report_error_cells(
    book: Workbook,
    sheet: str,
    header_row: int,
    header: list[object],
    positions: dict[str, int],
    problems: P.ProblemList,
) -> None:
    names = {index: name for name, index in positions.items()}
    for row, col, value in book.error_cells(sheet):
        if row > header_row and col < len(header):
            column = names.get(col, str(header[col]).strip() or column_letter(col))
            problems.add(P.make("formula-cell", sheet=sheet, row=row, column=column, value=value))


def _keys(cells: Sequence[object]) -> list[str | None]:
    """``normalize_key`` of a few cells in one call (one call per cell costs a pandas Series each)."""
    return list(normalize_key(pd.Series(list(cells), dtype=object)))


def _find_header(rows: list[list[object]], lookup: Mapping[str | None, str]) -> int | None:
    """The row (within the first rows) naming the most known columns."""
    scan = rows[:HEADER_SCAN_ROWS]
    keys = iter(_keys([cell for row in scan for cell in row]))
    best, best_hits = None, 0
    for index, row in enumerate(scan):
        row_keys = [next(keys) for _ in row]
        hits = len({lookup[k] for k in row_keys if k in lookup})
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _map_columns(
    header: list[object],
    lookup: Mapping[str | None, str],
    sheet: str,
    excel_row: int,
    problems: P.ProblemList,
) -> dict[str, int]:
    positions: dict[str, list[int]] = {}
    for index, key in enumerate(_keys(header)):
        name = lookup.get(key)
        if name is not None:
            positions.setdefault(name, []).append(index)
    for name, indexes in positions.items():
        if len(indexes) > 1:
            letters = "、".join(column_letter(i) for i in indexes)
            problems.add(
                P.make(
                    "duplicate-column",
                    sheet=sheet,
                    row=excel_row,
                    column=name,
                    column_name=name,
                    columns=letters,
                )
            )
    return {name: indexes[0] for name, indexes in positions.items()}


def _build_table(
    sheet: str, rows: list[list[object]], header_index: int, header: list[object], positions: dict[str, int]
) -> Table:
    body = _as_matrix(rows[header_index + 1 :], len(header))
    blank = body == ""  # calamine reads empty cells as ""; one comparison serves both uses below
    body[blank] = None
    keep = ~blank.all(axis=1) if body.shape[1] else np.zeros(len(body), dtype=bool)
    if not keep.all():  # copying a million cells for nothing costs as much as comparing them
        body = body[keep]
    used = set(positions.values())
    data: dict[str, np.ndarray] = {name: body[:, i] for name, i in positions.items()}
    extras: list[str] = []
    for index, cell in enumerate(header):
        title = str(cell).strip()
        if index in used or not title or title in data:
            continue
        data[title] = body[:, index]
        extras.append(title)
    frame = pd.DataFrame(
        {k: pd.Series(v, dtype=object) for k, v in data.items()}, index=pd.RangeIndex(len(body))
    )
    first = header_index + 2
    excel_rows = pd.Series(np.flatnonzero(keep) + first)
    headers = {name: str(header[i]).strip() for name, i in positions.items()}
    return Table(sheet, header_index + 1, frame, excel_rows, headers, extras)


def _as_matrix(body: list[list[object]], width: int) -> np.ndarray:
    """Rows as an object matrix ``len(body) × width`` (short rows padded, long rows cut)."""
    matrix = np.empty((len(body), width), dtype=object)
    if not body:
        return matrix
    if all(len(row) == width for row in body):
        matrix[:] = body
        return matrix
    matrix.fill("")
    for index, row in enumerate(body):
        cells = row[:width]
        matrix[index, : len(cells)] = cells
    return matrix
