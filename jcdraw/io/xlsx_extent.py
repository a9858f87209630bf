"""What a sheet part holds as calamine will see it, and the precise pass that follows calamine's reader.

``SheetMeasure`` is the result of measuring one sheet part (``jcdraw.io.xlsx_measure``): the extent of
the cells calamine keeps, how many there are, the inflated size and the error cells. ``Bounds`` refuses
a kept cell beyond Excel or one that makes the grid too large, naming the cell.

``PreciseScan`` tokenises the XML (comments, CDATA, processing instructions and DOCTYPE skipped,
quotes respected) and runs calamine's ``XlsxCellReader::next_cell`` state machine: ``<row r>`` sets the
row (its first ``r``), ``</row>`` moves to the next row and resets the column, ``<c r>`` sets row and
column, ``<c>`` without ``r`` takes the current row and column, and every ``<c>`` moves one column on.
A cell counts if it has any child element (a superset of calamine's non-empty cells). It is the slow
path (about 1 µs per tag), used when the fast pass meets something it does not model.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from jcdraw import messages
from jcdraw.io.xlsx_parts import (
    EXCEL_MAX_COLS,
    EXCEL_MAX_ROWS,
    GRID_BYTES_PER_CELL,
    MAX_TOKEN_BYTES,
    MalformedWorkbook,
    SheetTooLarge,
    cell_attributes,
    cell_name,
    first_attribute,
    local_name,
    malformed,
    parse_ref,
)

ErrorCell = tuple[int, int, str]  # (Excel row, 0-based column, text such as "#N/A")


@dataclass(frozen=True)
class SheetMeasure:
    """What calamine will see in one sheet part.

    Rows are Excel row numbers (1-based), columns 0-based; ``None`` when the sheet has no cell. The
    extent is that of the cells calamine keeps, or a little more (the fast pass counts every ``<c>``
    with a reference, valued or not).
    """

    part: str
    first_row: int | None
    last_row: int | None
    first_col: int | None
    last_col: int | None
    cell_records: int  # upper bound of the cells calamine keeps (exact in the precise pass)
    inflated_bytes: int
    error_cells: tuple[ErrorCell, ...]
    precise: bool  # which pass produced the numbers
    shared_cells: int = 0  # upper bound of the cells referring to a shared string (t="s")

    @property
    def grid_cells(self) -> int:
        """Cells ``to_python(skip_empty_area=False)`` allocates: A1 to the last cell."""
        if self.last_row is None or self.last_col is None:
            return 0
        return self.last_row * (self.last_col + 1)


@dataclass
class Extent:
    first_row: int | None = None
    last_row: int | None = None
    first_col: int | None = None
    last_col: int | None = None

    def add(self, row: int, col: int) -> None:
        if self.first_row is None or self.last_row is None or self.first_col is None or self.last_col is None:
            self.first_row = self.last_row = row
            self.first_col = self.last_col = col
            return
        self.first_row = min(self.first_row, row)
        self.last_row = max(self.last_row, row)
        self.first_col = min(self.first_col, col)
        self.last_col = max(self.last_col, col)


@dataclass
class Bounds:
    path: Path
    sheet: str
    max_cells: int
    max_records: int

    def check_cell(self, extent: Extent, row: int, col: int) -> None:
        """Refuse a kept cell beyond Excel or one that makes the grid (A1 to it) larger than the bound."""
        if row > EXCEL_MAX_ROWS or col >= EXCEL_MAX_COLS:
            text = messages.GUARD_CELL_BEYOND_EXCEL
            raise SheetTooLarge(text.format(path=self.path, sheet=self.sheet, cell=cell_name(row, col)))
        last_row = max(row, extent.last_row or 0)
        last_col = max(col, extent.last_col if extent.last_col is not None else -1)
        cells = last_row * (last_col + 1)
        if cells > self.max_cells:
            raise SheetTooLarge(
                messages.GUARD_GRID_TOO_LARGE.format(
                    path=self.path, sheet=self.sheet, rows=last_row, cols=last_col + 1,
                    cell=cell_name(row, col), cells=cells, bound=self.max_cells,
                    gb=self.max_cells * GRID_BYTES_PER_CELL / 1e9,
                )
            )  # fmt: skip

    def fits(self, extent: Extent) -> bool:
        if extent.last_row is None or extent.last_col is None:
            return True
        return (
            extent.last_row <= EXCEL_MAX_ROWS
            and extent.last_col < EXCEL_MAX_COLS
            and extent.last_row * (extent.last_col + 1) <= self.max_cells
        )

    def too_many_records(self) -> SheetTooLarge:
        return SheetTooLarge(
            messages.GUARD_TOO_MANY_RECORDS.format(path=self.path, sheet=self.sheet, bound=self.max_records)
        )


@dataclass
class Scan:
    """What one pass over a sheet part found (``SheetMeasure`` is its frozen, public form)."""

    extent: Extent = field(default_factory=Extent)
    records: int = 0
    inflated: int = 0
    errors: list[ErrorCell] = field(default_factory=list)
    shared_cells: int = 0

    def measure(self, part: str, *, precise: bool) -> SheetMeasure:
        e = self.extent
        return SheetMeasure(
            part, e.first_row, e.last_row, e.first_col, e.last_col, self.records, self.inflated,
            tuple(self.errors), precise, self.shared_cells,
        )  # fmt: skip


_TOKEN: Final = re.compile(
    rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>|!(?!--|\[CDATA\[)(?:[^>\"'\[]|\"[^\"]*\"|'[^']*'|\[[^\]]*\])*>"
    rb"|(/?)([^\s/>!?][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>)|<",
    re.DOTALL,
)


class PreciseScan:
    """Tokenises a sheet part and follows calamine's ``next_cell`` state machine (module docstring)."""

    def __init__(self, bounds: Bounds, path: Path, member: str) -> None:
        self.bounds = bounds
        self.path = path
        self.member = member
        self.found = Scan()
        self.extent = self.found.extent
        self.in_data = False
        self.done = False
        self.row_index = 0  # 0-based, as calamine
        self.col_index = 0
        self.cell: tuple[int, int] | None = None  # (row 1-based, col) of the open cell, if any
        self.cell_kind: bytes | None = None
        self.cell_valued = False
        self.child: bytes | None = None  # name of the open child element of the cell
        self.child_depth = 0
        self.error_text: bytes | None = None

    def malformed(self, detail: str) -> MalformedWorkbook:
        return malformed(self.path, self.member, detail)

    def run(self, chunks: Generator[bytes, None, None]) -> Scan:
        try:
            self._run(chunks)
        finally:
            chunks.close()  # the file handle now, not at garbage collection (Windows locks open files)
        return self.found

    def _run(self, chunks: Iterator[bytes]) -> None:
        buffer = b""
        for chunk in chunks:
            self.found.inflated += len(chunk)
            buffer = buffer + chunk if buffer else chunk
            buffer = buffer[self._tokens(buffer, final=False) :]
            if len(buffer) > MAX_TOKEN_BYTES:
                raise self.malformed(messages.GUARD_MALFORMED_LONG_TOKEN)
            if self.done:
                for rest in chunks:  # calamine's merged-cells pass reads the part to its end: count it
                    self.found.inflated += len(rest)
                return
        self._tokens(buffer, final=True)

    def _tokens(self, buffer: bytes, *, final: bool) -> int:
        pos = 0
        for match in _TOKEN.finditer(buffer):
            if match.group(0) == b"<" and not final:  # incomplete token: wait for more bytes
                return pos if self._capturing_error() else match.start()
            if self._capturing_error():
                self.error_text = buffer[pos : match.start()]
            pos = match.end()
            name = match.group(2)
            if name is None:
                continue  # comment, CDATA, PI, DOCTYPE, or a lone '<' at the end
            self._tag(match.group(1) == b"/", name, match.group(3))
            if self.done:
                return pos
        return len(buffer) if final else pos

    def _capturing_error(self) -> bool:
        """Inside the <v> of an error cell, before its text was taken."""
        return (
            self.child is not None
            and self.cell_kind == b"e"
            and self.error_text is None
            and local_name(self.child) == b"v"
        )

    def _tag(self, closing: bool, name: bytes, raw: bytes) -> None:
        local = local_name(name)
        empty = raw.endswith(b"/")
        if empty:
            raw = raw[:-1]
        if self.child is not None:  # inside a value element: calamine reads it to its end
            if local in (b"c", b"row", b"sheetData"):
                raise self.malformed(messages.GUARD_MALFORMED_NESTED)
            if closing and name == self.child:
                self.child_depth -= 1
                if self.child_depth == 0:
                    self.child = None
            elif not closing and not empty and name == self.child:
                self.child_depth += 1
            return
        if not self.in_data:
            if not closing and local == b"sheetData":
                self.in_data = True
                self.done = empty
            return
        if self.cell is not None:
            if closing and local == b"c":
                self._end_cell()
            elif not closing:
                self.cell_valued = True
                if not empty:
                    self.child, self.child_depth = name, 1
            return
        if closing:
            if local == b"row":
                self.row_index += 1
                self.col_index = 0
            elif local == b"sheetData":
                self.done = True
            return
        if local == b"row":
            self._row(raw, empty)
        elif local == b"c":
            self._cell(raw, empty)

    def _row(self, raw: bytes, empty: bool) -> None:
        ok, value = first_attribute(raw, b"r")
        if not ok:
            self.done = True  # calamine raises here: nothing more is allocated
            return
        if value is not None:
            ref = parse_ref(value, need_column=False)
            if ref is None:
                self.done = True
                return
            self.row_index = ref[0] - 1
        if empty:
            self.row_index += 1
            self.col_index = 0

    def _cell(self, raw: bytes, empty: bool) -> None:
        attrs = cell_attributes(raw)
        if attrs is None:
            self.done = True
            return
        ref_value, kind = attrs
        if ref_value is not None:
            ref = parse_ref(ref_value)
            if ref is None:
                self.done = True
                return
            row, col = ref
            self.col_index = col
        else:
            row, col = self.row_index + 1, self.col_index
        self.cell, self.cell_kind, self.cell_valued, self.error_text = (row, col), kind, False, None
        if empty:
            self._end_cell()

    def _end_cell(self) -> None:
        assert self.cell is not None
        row, col = self.cell
        if self.cell_valued:
            found = self.found
            self.bounds.check_cell(self.extent, row, col)
            self.extent.add(row, col)
            found.records += 1
            if found.records > self.bounds.max_records:
                raise self.bounds.too_many_records()
            if self.cell_kind == b"e" and self.error_text is not None:
                found.errors.append((row, col, self.error_text.decode("utf-8", "replace")))
            found.shared_cells += self.cell_kind == b"s"
        self.col_index += 1
        self.cell = None
