"""Data rows into a constant_memory xlsxwriter worksheet; the one place that uses xlsxwriter internals.

Spec:

- ``row_writer_for(worksheet, layout)`` returns a ``RowWriter``: ``FastRowWriter`` when ``fast_path_problem``
  finds nothing wrong and the layout sets no row heights, else ``PublicRowWriter``. Both type cells by
  the rules of ``jcdraw.io.xlsx_cells`` and give byte-identical files (see the exception below); the
  fast one takes about 4× less CPU.
- ``FastRowWriter`` builds whole ``<row>`` elements as text and appends them to the worksheet's
  constant_memory row file, as xlsxwriter's own per-cell writes would (same cell references, style
  indices, number formatting, text escaping). Internals it uses: ``Worksheet._write_single_row`` (flush
  the header row xlsxwriter still holds), ``row_data_fh``, ``previous_row``/``dim_rowmax`` (the
  bookkeeping xlsxwriter would have done), ``_convert_date_time``, ``Format._get_xf_index``. Rows come
  in chunks of 1,000; a chunk of equal-length rows is typed a column at a time, each repeated value
  (a plan's name, a date, a result) once, unless a style would get its index there (indices follow
  the order of first use, row by row) or a cell fails a check: then it is typed row by row.
- ``PublicRowWriter`` makes one public ``write_string``/``write_number``/``write_boolean``/
  ``write_datetime`` call per cell, and sets a row's height where the layout's ``row_height`` gives one
  (small sheets of wrapped text). Where xlsxwriter's ``write_string`` itself would change a text (text
  shaped like ``<r>…</r>``, which it pastes in as rich-text XML; overlapping ``_xHHHH_`` look-alikes, of
  which it escapes only the first) it writes the text as unformatted rich-text runs cut so that
  xlsxwriter cannot see either shape: the cell reads back as the same text, but its XML differs from
  the fast path's. If such a text also holds a control character (or U+FFFE/U+FFFF), which xlsxwriter
  escapes twice inside rich text, no public call can store it: ``OutputError``.
- The guard, ``fast_path_problem``, says why the fast path cannot be used, or None. "Known" needs both:
  1. the xlsxwriter version is in ``KNOWN_SERIES`` (the series whose output the byte-identity tests
     compared; the fast path copies xlsxwriter's *behaviour* — escaping, number format, attribute order —
     which a release can change without changing any name or signature), and
  2. every internal the fast path touches exists with the signature it calls (a patched or vendored
     xlsxwriter claiming a known version), and the worksheet is a plain constant_memory sheet whose rows
     carry no attributes (``excel_version`` 2007, default row height, 1900 dates).
  An unknown xlsxwriter is therefore slower, never wrong. To admit a new series: install it, run
  ``tests/test_xlsx_writer.py`` (the byte-identity tests force the fast path), then add it here.
- ``zip_level`` has xlsxwriter deflate the workbook at ``ZIP_LEVEL`` instead of zlib's default (see it).
- ``release_zip_handles`` and ``close_scratch_files`` clean up after a failed write (see each).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import itertools
import math
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet as _XlsxWorksheet

from jcdraw import messages
from jcdraw.errors import OutputError
from jcdraw.io.files import gc_paused
from jcdraw.io.xlsx_cells import (
    EXACT_INT_LIMIT,
    MAX_CELL_CHARS,
    check_cell_length,
    excel_date,
    is_missing,
    is_plain_number,
)

Worksheet = Any  # xlsxwriter ships no type information
KNOWN_SERIES = ((3, 3),)  # (major, minor) of xlsxwriter releases the fast path was verified against
# Internals the fast path calls, with the parameters it passes.
_NEEDED_METHODS: tuple[tuple[type, str, tuple[str, ...]], ...] = (
    (_XlsxWorksheet, "_write_single_row", ("self", "current_row_num")),
    (_XlsxWorksheet, "_convert_date_time", ("self", "dt_obj")),
    (Format, "_get_xf_index", ("self",)),
    (_XlsxWorksheet, "_write_optimized_sheet_data", ("self",)),
)
_NEEDED_ATTRIBUTES = (
    "constant_memory",
    "row_data_fh",
    "row_data_fh_closed",
    "previous_row",
    "dim_rowmax",
    "excel_version",
    "default_row_height",
    "original_row_height",
    "date_1904",
    "dim_rowmin",
    "row_data_filename",
)
_ROWS_PER_WRITE = 1000  # rows joined per write to the row file; each write has a fixed cost
_COPY_BYTES = 1 << 20
# Deflate level of the workbooks' zip. zlib's default (6) spends 0.6 CPU s on the 108 MB sheet of
# 100,000 publicity rows; level 1 spends 0.17 s for a file a quarter larger (6.3 MB instead of 5.0).
ZIP_LEVEL = 1
# Stands for the row number in a cell's reference while cells are typed; escaped text never holds it.
_ROW = "\x00"
# Values of these types are equal only when their cells are written alike (see _ColumnCells).
_SAME_WHEN_EQUAL = {str, int, type(None), dt.date}
# Text matching this needs _inline_text's escaping; anything else goes into <t> as it is.
_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_LOOKALIKE = re.compile(r"_x[0-9a-fA-F]{4}_")
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9a-fA-F]{4}_)")  # lookahead: overlapping ones count too
_CONTROL_CHARACTERS = re.compile(r"([\x00-\x08\x0b-\x1f])")
_ESCAPED_BY_XLSXWRITER = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # as _xHHHH_


@dataclass(frozen=True)
class RowLayout:
    """What a row writer needs to know about a sheet; formats are xlsxwriter ``Format`` objects."""

    sheet_name: str
    headers: list[str]
    column_formats: list[Any]  # set on each column; text cells carry no format of their own (None: none)
    number_formats: list[Any]  # numbers and booleans (None: the column's format)
    date_format: Any
    datetime_format: Any
    # Points per row (None: Excel's default), for sheets whose wrapped text must print whole: such
    # sheets are small and are written through the public API, which sets row heights.
    row_height: Callable[[Sequence[object]], float | None] | None = None


class RowWriter(Protocol):
    def write(self, first_row: int, rows: Iterator[Sequence[object]]) -> int:
        """Write ``rows`` from 0-based ``first_row`` on; return how many were written."""
        ...


def row_writer_for(worksheet: Worksheet, layout: RowLayout) -> RowWriter:
    """The fast writer where the guard allows it and no row needs a height of its own, else the public one."""
    if layout.row_height is None and fast_path_problem(worksheet) is None:
        return FastRowWriter(worksheet, layout)
    return PublicRowWriter(worksheet, layout)


def row_path(worksheet: Worksheet) -> Literal["fast", "public"]:
    return "fast" if fast_path_problem(worksheet) is None else "public"


def fast_path_problem(worksheet: Worksheet) -> str | None:
    """Why ``FastRowWriter`` cannot write into ``worksheet`` on this xlsxwriter, or None if it can."""
    return library_problem() or worksheet_problem(worksheet)


def library_problem() -> str | None:
    """Why the installed xlsxwriter is not one the fast path knows, or None."""
    version = str(getattr(xlsxwriter, "__version__", ""))
    series = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if series not in KNOWN_SERIES:
        return f"xlsxwriter {version or '(unknown version)'} is not a verified series {KNOWN_SERIES}"
    for owner, name, parameters in _NEEDED_METHODS:
        method = getattr(owner, name, None)
        if not callable(method):
            return f"xlsxwriter has no {owner.__name__}.{name}"
        try:
            found = tuple(inspect.signature(method).parameters)
        except (TypeError, ValueError):
            return f"cannot inspect xlsxwriter {owner.__name__}.{name}"
        if found != parameters:
            return f"xlsxwriter {owner.__name__}.{name} takes {found}, not {parameters}"
    return None


def worksheet_problem(worksheet: Worksheet) -> str | None:
    """Why rows cannot be streamed behind ``worksheet``'s back, or None."""
    missing = [name for name in _NEEDED_ATTRIBUTES if not hasattr(worksheet, name)]
    if missing:
        return f"xlsxwriter worksheet lacks {missing}"
    if not (
        worksheet.constant_memory
        and not worksheet.row_data_fh_closed
        and callable(getattr(worksheet.row_data_fh, "write", None))
        and worksheet.excel_version == 2007  # 2010 would add x14ac:dyDescent to every <row>
        and worksheet.default_row_height == worksheet.original_row_height  # no ht= on every <row>
        and not worksheet.date_1904
    ):
        return "xlsxwriter worksheet is not a plain constant_memory sheet; cannot stream rows"
    return None


class _RowChecks:
    """What both writers check before typing a cell: row length and text length."""

    def __init__(self, layout: RowLayout) -> None:
        self.layout = layout
        self.width = len(layout.headers)

    def check_row(self, row_index: int, row: Sequence[object]) -> None:
        if len(row) > self.width:
            raise ValueError(
                f"row {row_index + 1} of {self.layout.sheet_name!r} has {len(row)} values"
                f" for {self.width} columns"
            )

    def check_text(self, text: str, row: int, col: int) -> None:
        check_cell_length(text, self.layout.sheet_name, row, col, self.layout.headers[col])


class FastRowWriter(_RowChecks):
    """Streams rows as ready-made XML; the inner loop is the hot path at a million rows.

    xlsxwriter's per-cell ``write_*`` calls cost about 8 µs a cell, so whole ``<row>`` elements are
    built here and appended to the worksheet's constant_memory row file, exactly as xlsxwriter would
    write them (see ``_inline_text``). Styles follow xlsxwriter's rule: a cell's own format, else its
    column's.
    """

    def __init__(self, worksheet: Worksheet, layout: RowLayout) -> None:
        problem = worksheet_problem(worksheet)
        if problem:
            raise RuntimeError(problem)
        super().__init__(layout)
        self.worksheet = worksheet
        self.letters = [xl_col_to_name(col) for col in range(self.width)]
        pairs = zip(layout.number_formats, layout.column_formats, strict=True)
        number_formats = [number or column for number, column in pairs]
        # Style attributes are resolved on first use, as xlsxwriter does, so styles.xml lists the same
        # formats in the same order.
        self.text_styles = _StyleAttributes(layout.column_formats)
        self.number_styles = _StyleAttributes(number_formats)
        self.date_styles = _StyleAttributes([layout.date_format])
        self.datetime_styles = _StyleAttributes([layout.datetime_format])
        self.half_limit = MAX_CELL_CHARS // 2  # shorter strings cannot exceed the limit in UTF-16 units
        # An instance attribute: this sheet alone copies its rows as bytes (see _copy_rows_as_bytes).
        worksheet._write_optimized_sheet_data = functools.partial(_copy_rows_as_bytes, worksheet)

    @gc_paused()  # a chunk's row tuples and cell lists set off collections that find nothing to free
    def write(self, first_row: int, rows: Iterator[Sequence[object]]) -> int:
        first = next(rows, None)
        if first is None:
            return 0
        worksheet = self.worksheet
        worksheet._write_single_row(first_row)  # flush the header row xlsxwriter still holds
        write_out = worksheet.row_data_fh.write
        last_row_with_cells = -1
        count = 0
        for chunk in _batches(itertools.chain((first,), rows), _ROWS_PER_WRITE):
            start = first_row + count
            elements = self._by_columns(start, chunk)
            if elements is None:
                elements = [self._row(row_index, row) for row_index, row in enumerate(chunk, start)]
            write_out("".join(elements))
            filled = [offset for offset, element in enumerate(elements) if element]
            if filled:
                last_row_with_cells = start + filled[-1]
            count += len(chunk)
        if last_row_with_cells >= 0:
            # What xlsxwriter's own bookkeeping would have recorded. The header row already spans every
            # column, so only the last row can grow; the header flush above left the table empty.
            worksheet.dim_rowmax = max(worksheet.dim_rowmax, last_row_with_cells)
            worksheet.previous_row = last_row_with_cells
        return count

    def _row(self, row_index: int, row: Sequence[object]) -> str:
        """The ``<row>`` element of one row, "" if it has no cells."""
        if len(row) > self.width:
            self.check_row(row_index, row)
        body = "".join([self._cell(col, value, row_index) for col, value in enumerate(row)])
        return f'<row r="{_ROW}">{body}</row>'.replace(_ROW, str(row_index + 1)) if body else ""

    def _by_columns(self, start: int, chunk: tuple[Sequence[object], ...]) -> list[str] | None:
        """The ``<row>`` elements of ``chunk``, its cells typed a column at a time; None if it cannot be.

        A value repeated down a column (a plan's name, a date, a result) is typed and escaped once
        per chunk. Rows of different lengths, a style not yet used (it must get its index in row
        order, as ``_StyleAttributes`` says) or a cell that fails a check leave the chunk to ``_row``,
        which resolves the style or reports the first failing cell in row order.
        """
        lengths = set(map(len, chunk))
        if len(lengths) != 1 or not 0 < min(lengths) <= self.width:
            return None
        try:
            cells = [
                _ColumnCells(self, col).of(values) for col, values in enumerate(zip(*chunk, strict=True))
            ]
        except Exception:  # the row path redoes the chunk, and raises what is wrong
            return None
        numbers = map(str, range(start + 1, start + 1 + len(chunk)))
        return [
            f'<row r="{_ROW}">{body}</row>'.replace(_ROW, number) if (body := "".join(row)) else ""
            for row, number in zip(zip(*cells, strict=True), numbers, strict=True)
        ]

    def _cell(self, col: int, value: object, row: int | None) -> str:
        """The ``<c>`` element of one value, its reference's row number ``_ROW``; "" for no cell.

        ``row`` None: typing a column (``_by_columns``), where a style not used yet raises
        ``_Unused`` instead of being given its index.
        """
        kind = type(value)
        ref = f"{self.letters[col]}{_ROW}"
        if kind is str:
            text: str = value  # type: ignore[assignment]
            if len(text) > self.half_limit:
                self.check_text(text, -1 if row is None else row, col)
            if _NEEDS_ESCAPING.search(text) or len(text.strip()) != len(text):
                text = _inline_text(text)
            else:
                text = f"<t>{text}</t>"
            return f'<c r="{ref}"{self._style(self.text_styles, col, row)} t="inlineStr"><is>{text}</is></c>'
        if value is None:
            return ""
        if (kind is float and math.isfinite(value)) or (  # type: ignore[arg-type]
            kind is int and -EXACT_INT_LIMIT < value < EXACT_INT_LIMIT  # type: ignore[operator]
        ):
            return f'<c r="{ref}"{self._style(self.number_styles, col, row)}><v>{value:.16G}</v></c>'
        return self._other_cell(ref, row, col, value)

    @staticmethod
    def _style(styles: _StyleAttributes, col: int, row: int | None) -> str:
        if row is None and col not in styles:
            raise _Unused
        return styles[col]

    def _other_cell(self, ref: str, row: int | None, col: int, value: object) -> str:
        """XML for anything but plain ``str``/``float``/``int``; "" for a missing value."""
        if type(value) is dt.date:
            return f'<c r="{ref}"{self._style(self.date_styles, 0, row)}><v>{excel_date(value):.16G}</v></c>'
        if is_missing(value):
            return ""
        if isinstance(value, bool) or type(value).__name__ == "bool":  # also numpy.bool
            style = self._style(self.number_styles, col, row)
            return f'<c r="{ref}"{style} t="b"><v>{1 if value else 0}</v></c>'
        if isinstance(value, dt.datetime):
            serial = self.worksheet._convert_date_time(value.replace(tzinfo=None))
            return f'<c r="{ref}"{self._style(self.datetime_styles, 0, row)}><v>{serial:.16G}</v></c>'
        if isinstance(value, dt.date):
            return f'<c r="{ref}"{self._style(self.date_styles, 0, row)}><v>{excel_date(value):.16G}</v></c>'
        if is_plain_number(value):
            style = self._style(self.number_styles, col, row)
            return f'<c r="{ref}"{style}><v>{float(value):.16G}</v></c>'  # type: ignore[arg-type]
        # str subclasses, infinities, long integers, anything else: its text
        text = str(value)
        self.check_text(text, -1 if row is None else row, col)
        style = self._style(self.text_styles, col, row)
        return f'<c r="{ref}"{style} t="inlineStr"><is>{_inline_text(text)}</is></c>'


def _copy_rows_as_bytes(worksheet: Worksheet) -> None:
    """``Worksheet._write_optimized_sheet_data`` copying the row file's bytes into the sheet's XML.

    xlsxwriter reads the row file back as text and writes it out again, decoding and encoding every
    byte (100 MB for 100,000 publicity rows: a quarter of a CPU second). The bytes are the same: both
    files are UTF-8, and the row XML holds no carriage return (escaped as ``_x000D_``) that newline
    translation could change. Without real files (xlsxwriter's ``in_memory``) it does what xlsxwriter does.
    """
    fh, rows = worksheet.fh, worksheet.row_data_fh
    if worksheet.dim_rowmin is None or not hasattr(fh, "buffer") or not hasattr(rows, "buffer"):
        _XlsxWorksheet._write_optimized_sheet_data(worksheet)
        return
    fh.write("<sheetData>")  # as xlsxwriter's _xml_start_tag("sheetData") writes it
    fh.flush()
    rows.flush()
    rows.buffer.seek(0)
    shutil.copyfileobj(rows.buffer, fh.buffer, _COPY_BYTES)
    rows.close()
    os.unlink(worksheet.row_data_filename)
    fh.write("</sheetData>")


def _batches(rows: Iterator[Sequence[object]], size: int) -> Iterator[tuple[Sequence[object], ...]]:
    """Consecutive rows, ``size`` at a time (``itertools.batched`` from Python 3.12)."""
    while chunk := tuple(itertools.islice(rows, size)):
        yield chunk


class _Unused(Exception):
    """A column met a style that has no index yet (``FastRowWriter._cell``)."""


class _ColumnCells(dict[Any, str]):
    """One column's values in one chunk → their ``<c>`` elements, each distinct value typed once.

    Only values of ``_SAME_WHEN_EQUAL`` types are looked up by value: others may be equal and still
    be written differently (``True == 1``, ``0.0 == -0.0``), so they are typed one by one.
    """

    def __init__(self, writer: FastRowWriter, col: int) -> None:
        super().__init__()
        self.writer = writer
        self.col = col

    def of(self, values: Sequence[object]) -> list[str]:
        if set(map(type, values)) <= _SAME_WHEN_EQUAL:
            return list(map(self.__getitem__, values))
        return [self.writer._cell(self.col, value, None) for value in values]

    def __missing__(self, value: object) -> str:
        self[value] = cell = self.writer._cell(self.col, value, None)
        return cell


class PublicRowWriter(_RowChecks):
    """One public xlsxwriter ``write_*`` call per cell: the fallback, and the fast path's reference."""

    def __init__(self, worksheet: Worksheet, layout: RowLayout) -> None:
        super().__init__(layout)
        self.worksheet = worksheet

    def write(self, first_row: int, rows: Iterator[Sequence[object]]) -> int:
        count = 0
        height = self.layout.row_height
        for row_index, row in enumerate(rows, start=first_row):
            self.check_row(row_index, row)
            points = height(row) if height is not None else None
            if points is not None:  # before the row's cells: constant_memory writes a row as it is left
                self.worksheet.set_row(row_index, points)
            for col, value in enumerate(row):
                self._write(row_index, col, value)
            count += 1
        return count

    def _write(self, row: int, col: int, value: object) -> None:
        worksheet, layout = self.worksheet, self.layout
        if value is None or is_missing(value):
            return
        if type(value) is str:
            self._write_text(row, col, value)
        elif isinstance(value, bool) or type(value).__name__ == "bool":  # also numpy.bool
            worksheet.write_boolean(row, col, bool(value), layout.number_formats[col])
        elif isinstance(value, dt.datetime):
            worksheet.write_datetime(row, col, value.replace(tzinfo=None), layout.datetime_format)
        elif isinstance(value, dt.date):
            worksheet.write_datetime(row, col, value, layout.date_format)
        elif is_plain_number(value):
            worksheet.write_number(row, col, float(value), layout.number_formats[col])  # type: ignore[arg-type]
        else:  # str subclasses, infinities, long integers, anything else: its text
            self._write_text(row, col, str(value))

    def _write_text(self, row: int, col: int, text: str) -> None:
        self.check_text(text, row, col)
        if not _xlsxwriter_would_change(text):
            self.worksheet.write_string(row, col, text)
            return
        if _ESCAPED_BY_XLSXWRITER.search(text):
            raise OutputError(
                messages.XLSX_TEXT_NEEDS_FAST_WRITER.format(
                    sheet=self.layout.sheet_name,
                    row=row + 1,
                    column=self.layout.headers[col],
                    letter=xl_col_to_name(col),
                    version=getattr(xlsxwriter, "__version__", "?"),
                )
            )
        self.worksheet.write_rich_string(row, col, *_plain_runs(text))


def _xlsxwriter_would_change(text: str) -> bool:
    """Whether xlsxwriter's ``write_string`` would store something else than ``text`` (see module doc)."""
    if text.startswith("<r>") and text.endswith("</r>"):
        return True
    if "_x" not in text:  # the common case, without two regex scans
        return False
    return len(_ESCAPE_LOOKALIKE.findall(text)) != len(_LOOKALIKE.findall(text))


def _plain_runs(text: str) -> list[str]:
    """``text`` cut after its first and before its last character and inside every ``_xHHHH_`` look-alike.

    No run then holds a whole look-alike (xlsxwriter escapes rich-text runs twice) and, with at least
    three runs, ``write_rich_string`` accepts them; the rich XML starts with ``<r>`` by construction.
    """
    cuts = {1, len(text) - 1} | {match.start() + 1 for match in _ESCAPE_LOOKALIKE.finditer(text)}
    bounds = [0, *sorted(cut for cut in cuts if 0 < cut < len(text)), len(text)]
    return [text[start:end] for start, end in itertools.pairwise(bounds)]


class _StyleAttributes(dict[int, str]):
    """Column → ``' s="N"'`` (or "" for no format), asking xlsxwriter for the index on first use."""

    def __init__(self, formats: list[Any]) -> None:
        super().__init__()
        self.formats = formats

    def __missing__(self, col: int) -> str:
        cell_format = self.formats[col]
        attribute = "" if cell_format is None else f' s="{cell_format._get_xf_index()}"'
        self[col] = attribute
        return attribute


def _inline_text(text: str) -> str:
    """The ``<t>`` element of an inline string, escaped as xlsxwriter escapes it.

    Control characters other than tab and newline become ``_xHHHH_`` (after the underscore of any
    "_xHHHH_"-looking text has become ``_x005F_``, so it reads back literally), as do U+FFFE and
    U+FFFF; then ``&``, ``<`` and ``>`` become entities. Leading or trailing whitespace (after that
    escaping) needs ``xml:space="preserve"``.

    Notes:
        Two deliberate differences from xlsxwriter 3.3, where it would change the text: overlapping
        look-alikes (``_x005F_x0041_``) each get their underscore escaped (xlsxwriter escapes only the
        first, so Excel shows ``_x005FA``), and text shaped like ``<r>…</r>`` is escaped like any other
        (xlsxwriter pastes it in as rich-text XML, losing or changing the text).
    """
    text = _ESCAPE_LOOKALIKE.sub("_x005F_", text)
    text = _CONTROL_CHARACTERS.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<t{preserve}>{text}</t>"


# --- the zip ------------------------------------------------------------------------------------


class _LevelledZipFile(zipfile.ZipFile):
    """A ``ZipFile`` that deflates at ``ZIP_LEVEL`` unless told otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", ZIP_LEVEL)
        super().__init__(*args, **kwargs)


@contextlib.contextmanager
def zip_level() -> Iterator[None]:
    """While open, workbooks xlsxwriter closes are deflated at ``ZIP_LEVEL``.

    xlsxwriter builds its zip with ``ZipFile(..., compression=ZIP_DEFLATED)`` and offers no level, so
    the name its module calls is swapped for a subclass that passes one, and put back on leaving
    (jcdraw writes one workbook at a time, in one thread). An xlsxwriter that builds its zip another
    way keeps its own level: larger files' writing is then slower, never wrong.
    """
    module: Any = xlsxwriter.workbook
    if getattr(module, "ZipFile", None) is not zipfile.ZipFile:
        yield
        return
    module.ZipFile = _LevelledZipFile
    try:
        yield
    finally:
        module.ZipFile = zipfile.ZipFile


# --- cleanup after a failed write ---------------------------------------------------------------


def release_zip_handles(error: BaseException) -> None:
    """Close the half-written zip xlsxwriter was building when it failed.

    xlsxwriter keeps that ``ZipFile`` in a local variable; the failure's traceback (or that of the
    OS error it wraps) keeps it alive until garbage collection, holding the temp file open: its disk
    space stays taken and Windows refuses to delete it. Closing the raw file and detaching it makes
    the zip's later ``close`` a no-op. Only standard-library objects are touched, so this is safe on
    any xlsxwriter; on one that no longer keeps the zip in a frame it simply finds nothing.
    """
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        pending += [current.__context__, current.__cause__, *current.args]
        trace = current.__traceback__
        while trace is not None:
            for value in list(trace.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile) and value.fp is not None:
                    handle, value.fp = value.fp, None
                    with contextlib.suppress(OSError):
                        handle.close()
            trace = trace.tb_next


def close_scratch_files(workbook: Any) -> None:
    """Close the constant_memory row files xlsxwriter leaves open after a failure.

    Otherwise the scratch folder cannot be deleted (Windows refuses to delete open files). Written with
    ``getattr`` so that an xlsxwriter without ``row_data_fh`` makes this a no-op, not a new error.
    """
    for worksheet in workbook.worksheets():
        handle = getattr(worksheet, "row_data_fh", None)
        if handle is not None and not getattr(handle, "closed", True):
            handle.close()
