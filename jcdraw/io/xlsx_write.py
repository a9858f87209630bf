"""Write finished-looking .xlsx workbooks, streaming, without ever losing or mangling a value.

Spec:

- The whole workbook goes through ``atomic_output``: it appears complete or not at all, and an existing
  file is replaced only with ``force``.
- xlsxwriter in ``constant_memory`` mode: rows are streamed in order by our own loop, so memory stays flat
  at a million rows. A sheet's ``rows`` may be a generator and is consumed once. Data rows are written
  as ready-made ``<row>`` XML, byte-identical to xlsxwriter's per-cell output but about 5× faster.
- Cells are typed by their Python value: ``str`` → text, always (``=1+1``, ``+86 138``, ``@SUM(A1)`` stay
  text, never a formula, number or link); ``bool`` → boolean; ``int``/``float``/``Decimal`` → number,
  except integers of 16+ digits, which Excel would round, → text; ``datetime`` → ``yyyy-mm-dd hh:mm:ss``
  (time zone dropped, wall time kept); ``date`` → ``yyyy-mm-dd``; ``None``/NaN/NaT → blank; anything
  else → its ``str()``. Text longer than Excel's 32,767-character cell limit raises ``OutputError`` naming
  the sheet, row and column — it is never truncated.
- Layout: an optional merged title row, then a bold filled header row that is frozen and carries an
  autofilter. Column widths come from the header and the first ``WIDTH_SAMPLE_ROWS`` rows (CJK characters
  count 2, clamped to [6, 60]); those rows are buffered so widths are set before streaming. Each column
  gets a format by kind (text columns are "@"), so cells a user later types into a template keep
  credit codes as text and dates as dates.
- Dropdowns: a column's ``choices`` become a list validation over the data rows plus ``dropdown_rows``
  empty ones. Lists too long for Excel's 255-character inline limit (or containing commas or quotes) are
  written to the hidden sheet ``_选项`` and referenced as a range.
- Row cap: ``ROW_CAP`` rows per sheet including title and header. Rows beyond it continue on
  ``{name}(2)``, ``{name}(3)`` … with the same header, widths and dropdowns, in order; none is dropped.
- Sheet names are made legal for Excel (≤ 31 UTF-16 units, none of ``[]:*?/\\``, no leading or trailing
  apostrophe, unique ignoring case).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import numbers
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook

from jcdraw import messages
from jcdraw.errors import OutputError
from jcdraw.io.atomic import atomic_output

ROW_CAP = 1_048_576  # Excel's rows per sheet, title and header included; tests patch it smaller.
WIDTH_SAMPLE_ROWS = 1000
MAX_CELL_CHARS = 32_767  # counted in UTF-16 units, as Excel does
EXACT_INT_LIMIT = 10**15  # Excel keeps 15 significant digits; longer integers are written as text
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
MAX_INLINE_CHOICES = 255
SHEET_NAME_MAX = 31
FALLBACK_SHEET_NAME = "工作表"
HEADER_FILL = "#DDEBF7"
WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

ColumnKind = Literal["text", "number", "date", "percent"]
Worksheet = Any  # xlsxwriter ships no type information
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
_END = object()
_ROWS_PER_WRITE = 1000  # rows joined per write to the row file; each write has a fixed cost
_EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 31).toordinal()  # serial 0 in Excel's 1900 date system
# Text matching this needs _inline_text's escaping; anything else goes into <t> as it is.
_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9a-fA-F]{4}_)")  # lookahead: overlapping ones count too
_CONTROL_CHARACTERS = re.compile(r"([\x00-\x08\x0b-\x1f])")


@dataclass
class Column:
    header: str
    width: float | None = None  # None: computed from the header and the first rows
    choices: Sequence[str] | None = None  # dropdown over the data rows
    kind: ColumnKind = "text"
    comment: str | None = None  # note attached to the header cell


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: Iterable[Sequence[object]]  # may be a generator; consumed once
    title: str | None = None  # merged title row above the header
    dropdown_rows: int = 0  # empty rows after the data that still get the dropdowns (templates)
    hidden: bool = False


@dataclass
class BarChart:
    """A clustered column (or bar) chart over data rows of one sheet (its first part if continued)."""

    sheet: str  # the Sheet.name given to write_workbook
    categories_col: int
    value_cols: list[int]
    title: str
    anchor: str  # top-left cell, e.g. "H2"
    horizontal: bool = False  # bars instead of columns


@dataclass
class _Part:
    """One worksheet actually written; a Sheet over the row cap has several."""

    name: str
    worksheet: Worksheet
    header_row: int
    rows: int
    captured: dict[int, list[object]] = field(default_factory=dict)  # chart columns, first part only

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


@dataclass
class _Formats:
    header: Any
    title: Any
    general: Any
    date: Any
    datetime: Any
    percent: Any
    text: Any

    @classmethod
    def create(cls, workbook: Any) -> _Formats:
        return cls(
            header=workbook.add_format(
                {"bold": True, "bg_color": HEADER_FILL, "border": 1, "valign": "vcenter", "text_wrap": True}
            ),
            title=workbook.add_format(
                {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
            ),
            general=workbook.add_format(),
            date=workbook.add_format({"num_format": "yyyy-mm-dd"}),
            datetime=workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            percent=workbook.add_format({"num_format": "0.00%"}),
            text=workbook.add_format({"num_format": "@"}),
        )

    def for_column(self, kind: ColumnKind) -> Any:
        """Format applied to a whole column, so cells typed in later get the right type."""
        return {"text": self.text, "number": None, "date": self.date, "percent": self.percent}[kind]

    def for_numbers(self, kind: ColumnKind) -> Any:
        # Numbers in text or date columns must not inherit "@" or a date format from the column.
        return {"text": self.general, "number": None, "date": self.general, "percent": self.percent}[kind]


def write_workbook(
    path: Path, sheets: Sequence[Sheet], *, force: bool = False, charts: Sequence[BarChart] = ()
) -> list[str]:
    """Write ``sheets`` (and ``charts``) to ``path`` atomically.

    Returns:
        The names of the data sheets written, in order, including continuation sheets such as
        ``名单(2)``; the hidden ``_选项`` helper sheet is not listed.

    Raises:
        OutputError: the file cannot be written (see ``atomic_output``) or a text is too long for a cell.
        ValueError: a programming error (no sheets, a sheet without columns, all sheets hidden, a row
            longer than its columns, a chart naming an unknown sheet).
    """
    if not sheets:
        raise ValueError("write_workbook needs at least one sheet")
    if any(not sheet.columns for sheet in sheets):
        raise ValueError("every sheet needs at least one column")
    if all(sheet.hidden for sheet in sheets):
        raise ValueError("at least one sheet must be visible; Excel cannot open a workbook without one")
    with (
        atomic_output(Path(path), force=force) as temp,
        tempfile.TemporaryDirectory(prefix="jcdraw-xlsx-", ignore_cleanup_errors=True) as scratch,
    ):
        workbook = Workbook(str(temp), {**WORKBOOK_OPTIONS, "tmpdir": scratch})
        try:
            names = _fill(workbook, sheets, charts)
            workbook.close()
        except FileCreateError as err:
            _release_zip_handles(err)
            # xlsxwriter wraps OS errors (disk full, permission); unwrap so atomic_output can explain them.
            cause = err.args[0] if err.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise
        except BaseException as err:
            _release_zip_handles(err)
            raise
        finally:
            _close_scratch_files(workbook)
    return names


def _release_zip_handles(error: BaseException) -> None:
    """Close the half-written zip xlsxwriter was building when it failed.

    xlsxwriter keeps that ``ZipFile`` in a local variable; the failure's traceback (or that of the
    OS error it wraps) keeps it alive until garbage collection, holding the temp file open: its disk
    space stays taken and Windows refuses to delete it. Closing the raw file and detaching it makes
    the zip's later ``close`` a no-op.
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


def safe_sheet_name(name: str) -> str:
    """Make ``name`` legal for Excel: forbidden characters → "_", at most 31 characters.

    Example:
        >>> safe_sheet_name("2025/06 抽查[结果]:汇总")
        '2025_06 抽查_结果__汇总'
    """
    cleaned = "".join(ch for ch in name.translate(_FORBIDDEN_IN_SHEET_NAMES) if ch.isprintable())
    cleaned = _utf16_truncate(cleaned.strip().strip("'"), SHEET_NAME_MAX).strip().strip("'")
    if not cleaned:
        return FALLBACK_SHEET_NAME
    if cleaned.lower() == "history":  # reserved by Excel
        return cleaned + "_"
    return cleaned


def _fill(workbook: Any, sheets: Sequence[Sheet], charts: Sequence[BarChart]) -> list[str]:
    formats = _Formats.create(workbook)
    taken: set[str] = set()
    long_lists = _long_choice_lists(sheets)
    options_sheet = _unique_name(messages.XLSX_OPTIONS_SHEET, taken) if long_lists else ""
    sources = _ChoiceSources(long_lists, options_sheet)
    first_parts: dict[str, _Part] = {}
    names: list[str] = []
    for sheet in sheets:
        plotted = {col for chart in charts if chart.sheet == sheet.name for col in _chart_columns(chart)}
        parts = _write_sheet(workbook, sheet, formats, taken, sources, plotted)
        first_parts.setdefault(sheet.name, parts[0])
        names.extend(part.name for part in parts)
    if long_lists:
        _write_options_sheet(workbook, options_sheet, list(long_lists))
    for chart in charts:
        _insert_chart(workbook, chart, first_parts)
    first_visible = next(sheet for sheet in sheets if not sheet.hidden)
    # Otherwise xlsxwriter would un-hide the first sheet to make it the active one.
    first_parts[first_visible.name].worksheet.activate()
    return names


def _write_sheet(
    workbook: Any,
    sheet: Sheet,
    formats: _Formats,
    taken: set[str],
    sources: dict[tuple[str, ...], Any],
    plotted: set[int],
) -> list[_Part]:
    header_row = 1 if sheet.title else 0
    capacity = ROW_CAP - header_row - 1
    if capacity < 1:
        raise ValueError(f"ROW_CAP={ROW_CAP} leaves no room for data rows")
    rows = iter(sheet.rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    widths = _column_widths(sheet.columns, sample)
    pending: Iterator[Sequence[object]] = itertools.chain(sample, rows)
    base = safe_sheet_name(sheet.name)
    parts: list[_Part] = []
    while True:
        name = _unique_name(base if not parts else _continued_name(base, len(parts) + 1), taken)
        worksheet = _start_part(workbook, name, sheet, widths, formats)
        writer = _RowWriter(worksheet, name, sheet.columns, formats)
        captured: dict[int, list[object]] = {col: [] for col in plotted} if not parts else {}
        chunk = _capturing(itertools.islice(pending, capacity), captured)
        count = writer.write(header_row + 1, chunk)
        more = False
        if count == capacity:
            upcoming = next(pending, _END)
            if upcoming is not _END:
                pending = itertools.chain([upcoming], pending)  # type: ignore[list-item]
                more = True
        part = _Part(name, worksheet, header_row, count, captured)
        _finish_part(part, sheet, 0 if more else sheet.dropdown_rows, sources)
        parts.append(part)
        if not more:
            return parts


def _start_part(workbook: Any, name: str, sheet: Sheet, widths: list[float], formats: _Formats) -> Worksheet:
    worksheet = workbook.add_worksheet(name)
    for col, column in enumerate(sheet.columns):
        worksheet.set_column(col, col, widths[col], formats.for_column(column.kind))
    header_row = 0
    if sheet.title:
        worksheet.set_row(0, 26)
        if len(sheet.columns) > 1:
            worksheet.merge_range(0, 0, 0, len(sheet.columns) - 1, "", formats.title)
        worksheet.write_string(0, 0, sheet.title, formats.title)
        header_row = 1
    for col, column in enumerate(sheet.columns):
        worksheet.write_string(header_row, col, column.header, formats.header)
        if column.comment:
            worksheet.write_comment(header_row, col, column.comment)
    worksheet.freeze_panes(header_row + 1, 0)
    # Credit codes and badge numbers are text that looks numeric; Excel's green warning triangles would
    # invite users to "convert to number" and destroy them.
    worksheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
    if sheet.hidden:
        worksheet.hide()
    return worksheet


def _finish_part(part: _Part, sheet: Sheet, extra_rows: int, sources: dict[tuple[str, ...], Any]) -> None:
    last_col = len(sheet.columns) - 1
    last_data_row = part.first_data_row + part.rows - 1
    part.worksheet.autofilter(part.header_row, 0, max(part.header_row, last_data_row), last_col)
    last_dropdown_row = min(last_data_row + max(extra_rows, 0), ROW_CAP - 1)
    if last_dropdown_row < part.first_data_row:
        return
    for col, column in enumerate(sheet.columns):
        if column.choices:
            part.worksheet.data_validation(
                part.first_data_row,
                col,
                last_dropdown_row,
                col,
                {
                    "validate": "list",
                    "source": sources[_choice_key(column.choices)],
                    "error_type": "stop",
                    "error_title": messages.XLSX_DROPDOWN_ERROR_TITLE,
                    "error_message": messages.XLSX_DROPDOWN_ERROR,
                },
            )


class _RowWriter:
    """Streams rows into one worksheet as ready-made XML; the inner loop is the hot path at a million rows.

    xlsxwriter's per-cell ``write_*`` calls cost about 8 µs a cell, so whole ``<row>`` elements are
    built here and appended to the worksheet's constant_memory row file, exactly as xlsxwriter would
    write them (same cell references, style indices, number formatting and text escaping; see
    ``_inline_text``). Styles follow xlsxwriter's rule: a cell's own format, else its column's.
    """

    def __init__(self, worksheet: Worksheet, sheet_name: str, columns: list[Column], formats: _Formats):
        _require_streaming_worksheet(worksheet)
        self.worksheet = worksheet
        self.sheet_name = sheet_name
        self.columns = columns
        self.formats = formats
        self.letters = [xl_col_to_name(col) for col in range(len(columns))]
        column_formats = [formats.for_column(column.kind) for column in columns]
        number_formats = [
            formats.for_numbers(column.kind) or column_formats[col] for col, column in enumerate(columns)
        ]
        # Style attributes are resolved on first use, as xlsxwriter does, so styles.xml lists the same
        # formats in the same order.
        self.text_styles = _StyleAttributes(column_formats)
        self.number_styles = _StyleAttributes(number_formats)
        self.date_styles = _StyleAttributes([formats.date])
        self.datetime_styles = _StyleAttributes([formats.datetime])

    def write(self, first_row: int, rows: Iterator[Sequence[object]]) -> int:
        """Write ``rows`` from ``first_row`` on; return how many were written."""
        first = next(rows, None)
        if first is None:
            return 0
        worksheet = self.worksheet
        worksheet._write_single_row(first_row)  # flush the header row xlsxwriter still holds
        write_out = worksheet.row_data_fh.write
        letters, text_styles, number_styles = self.letters, self.text_styles, self.number_styles
        needs_escaping = _NEEDS_ESCAPING.search
        width = len(self.columns)
        half_limit = MAX_CELL_CHARS // 2  # shorter strings cannot exceed the limit in UTF-16 units
        pending: list[str] = []
        last_row_with_cells = -1
        count = 0
        for row_index, row in enumerate(itertools.chain((first,), rows), start=first_row):
            if len(row) > width:
                raise ValueError(
                    f"row {row_index + 1} of {self.sheet_name!r} has {len(row)} values for {width} columns"
                )
            number = str(row_index + 1)
            cells: list[str] = []
            for col, value in enumerate(row):
                kind = type(value)
                if kind is str:
                    text: str = value  # type: ignore[assignment]
                    if len(text) > half_limit:
                        self._check_length(text, row_index, col)
                    if needs_escaping(text) or len(text.strip()) != len(text):
                        text = _inline_text(text)
                    else:
                        text = f"<t>{text}</t>"
                    cells.append(
                        f'<c r="{letters[col]}{number}"{text_styles[col]} t="inlineStr"><is>{text}</is></c>'
                    )
                elif value is None:
                    continue
                elif (kind is float and math.isfinite(value)) or (  # type: ignore[arg-type]
                    kind is int and -EXACT_INT_LIMIT < value < EXACT_INT_LIMIT  # type: ignore[operator]
                ):
                    cells.append(f'<c r="{letters[col]}{number}"{number_styles[col]}><v>{value:.16G}</v></c>')
                else:
                    cell = self._other_cell(f"{letters[col]}{number}", row_index, col, value)
                    if cell:
                        cells.append(cell)
            if cells:
                pending.append(f'<row r="{number}">{"".join(cells)}</row>')
                last_row_with_cells = row_index
                if len(pending) >= _ROWS_PER_WRITE:
                    write_out("".join(pending))
                    pending.clear()
            count += 1
        write_out("".join(pending))
        if last_row_with_cells >= 0:
            # What xlsxwriter's own bookkeeping would have recorded. The header row already spans every
            # column, so only the last row can grow; the header flush above left the table empty.
            worksheet.dim_rowmax = max(worksheet.dim_rowmax, last_row_with_cells)
            worksheet.previous_row = last_row_with_cells
        return count

    def _other_cell(self, ref: str, row: int, col: int, value: object) -> str:
        """XML for anything but plain ``str``/``float``/``int``; "" for a missing value."""
        if type(value) is dt.date:
            return f'<c r="{ref}"{self.date_styles[0]}><v>{_excel_date(value):.16G}</v></c>'
        if _is_missing(value):
            return ""
        if isinstance(value, bool) or type(value).__name__ == "bool":  # also numpy.bool
            return f'<c r="{ref}"{self.number_styles[col]} t="b"><v>{1 if value else 0}</v></c>'
        if isinstance(value, dt.datetime):
            serial = self.worksheet._convert_date_time(value.replace(tzinfo=None))
            return f'<c r="{ref}"{self.datetime_styles[0]}><v>{serial:.16G}</v></c>'
        if isinstance(value, dt.date):
            return f'<c r="{ref}"{self.date_styles[0]}><v>{_excel_date(value):.16G}</v></c>'
        if _is_plain_number(value):
            return f'<c r="{ref}"{self.number_styles[col]}><v>{float(value):.16G}</v></c>'  # type: ignore[arg-type]
        # str subclasses, infinities, long integers, anything else: its text
        text = str(value)
        self._check_length(text, row, col)
        return f'<c r="{ref}"{self.text_styles[col]} t="inlineStr"><is>{_inline_text(text)}</is></c>'

    def _check_length(self, text: str, row: int, col: int) -> None:
        length = _utf16_len(text)
        if length > MAX_CELL_CHARS:
            raise OutputError(
                messages.XLSX_CELL_TOO_LONG.format(
                    sheet=self.sheet_name,
                    row=row + 1,
                    column=self.columns[col].header,
                    letter=xl_col_to_name(col),
                    length=length,
                )
            )


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


def _require_streaming_worksheet(worksheet: Worksheet) -> None:
    """Fail loudly if xlsxwriter no longer works the way ``_RowWriter`` writes rows behind its back."""
    if not (
        worksheet.constant_memory
        and not worksheet.row_data_fh_closed
        and hasattr(worksheet, "_write_single_row")
        and worksheet.excel_version == 2007  # 2010 would add x14ac:dyDescent to every <row>
        and worksheet.default_row_height == worksheet.original_row_height  # no ht= on every <row>
        and not worksheet.date_1904
    ):
        raise RuntimeError("xlsxwriter worksheet is not a plain constant_memory sheet; cannot stream rows")


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


def _excel_date(value: dt.date) -> int:
    """Excel's 1900-system serial number of a date, counting its phantom 1900-02-29 as xlsxwriter does."""
    serial = value.toordinal() - _EXCEL_EPOCH_ORDINAL
    return serial + 1 if serial > 59 else serial


def _is_missing(value: object) -> bool:
    """NaN, NaT and pandas.NA are "no value" (rows often come from DataFrames)."""
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, numbers.Number | Decimal) and value != value


def _is_plain_number(value: object) -> bool:
    """A finite number Excel stores exactly enough; long integers (ID-like) would lose digits."""
    if isinstance(value, numbers.Integral):
        return -EXACT_INT_LIMIT < int(value) < EXACT_INT_LIMIT
    return isinstance(value, numbers.Real | Decimal) and math.isfinite(value)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf16_truncate(text: str, limit: int) -> str:
    """Longest prefix of at most ``limit`` UTF-16 units (Excel's unit), never splitting a character."""
    if len(text) <= limit // 2:
        return text
    return text.encode("utf-16-le")[: limit * 2].decode("utf-16-le", errors="ignore")


# --- widths -------------------------------------------------------------------------------------


def _column_widths(columns: list[Column], sample: list[Sequence[object]]) -> list[float]:
    widths = []
    for col, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        widest = _text_width(column.header) + 4  # bold text plus the autofilter button
        for row in sample:
            if col < len(row):
                widest = max(widest, _value_width(row[col], column.kind) + 2)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, float(widest))))
    return widths


def _value_width(value: object, kind: ColumnKind) -> int:
    if value is None or _is_missing(value):
        return 0
    if isinstance(value, str):
        return _text_width(value)
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, numbers.Real | Decimal):
        if kind == "percent":
            return len(f"{float(value):.2%}")
        return min(len(str(value)), 12)  # Excel's General format shows about 11 digits
    return _text_width(str(value))


def _text_width(text: str) -> int:
    """Display width of the widest line: East Asian wide characters count 2."""
    return max((_line_width(line[: int(MAX_WIDTH)]) for line in text.splitlines()), default=0)


def _line_width(line: str) -> int:
    if line.isascii():
        return len(line)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


# --- names --------------------------------------------------------------------------------------


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, part = name, 1
    while candidate.lower() in taken:  # Excel compares sheet names ignoring case
        part += 1
        candidate = _continued_name(name, part)
    taken.add(candidate.lower())
    return candidate


def _continued_name(base: str, part: int) -> str:
    suffix_length = _utf16_len(messages.XLSX_CONTINUED_SHEET.format(name="", part=part))
    return messages.XLSX_CONTINUED_SHEET.format(
        name=_utf16_truncate(base, SHEET_NAME_MAX - suffix_length).rstrip().rstrip("'"), part=part
    )


# --- dropdowns ----------------------------------------------------------------------------------


def _choice_key(choices: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(choice) for choice in choices)


def _fits_inline(choices: tuple[str, ...]) -> bool:
    # Excel's inline list is one comma-separated string: items with commas or quotes cannot be expressed.
    if any("," in choice or '"' in choice for choice in choices):
        return False
    return _utf16_len(",".join(choices)) <= MAX_INLINE_CHOICES


def _long_choice_lists(sheets: Sequence[Sheet]) -> dict[tuple[str, ...], int]:
    """Choice lists that need the hidden sheet, each mapped to its column there."""
    lists: dict[tuple[str, ...], int] = {}
    for sheet in sheets:
        for column in sheet.columns:
            if column.choices:
                key = _choice_key(column.choices)
                if not _fits_inline(key):
                    lists.setdefault(key, len(lists))
    return lists


class _ChoiceSources(dict[tuple[str, ...], Any]):
    """Validation ``source`` per choice list: the list itself, or a range on the hidden sheet."""

    def __init__(self, long_lists: dict[tuple[str, ...], int], options_sheet: str) -> None:
        super().__init__()
        self.long_lists = long_lists
        self.quoted_sheet = "'" + options_sheet.replace("'", "''") + "'"

    def __missing__(self, key: tuple[str, ...]) -> Any:
        if key in self.long_lists:
            letter = xl_col_to_name(self.long_lists[key])
            source: Any = f"={self.quoted_sheet}!${letter}$1:${letter}${len(key)}"
        else:
            source = list(key)
        self[key] = source
        return source


def _write_options_sheet(workbook: Any, name: str, lists: list[tuple[str, ...]]) -> None:
    worksheet = workbook.add_worksheet(name)
    # constant_memory needs rows in order, so the lists are written across, row by row.
    for row in range(max(len(choices) for choices in lists)):
        for col, choices in enumerate(lists):
            if row < len(choices):
                worksheet.write_string(row, col, choices[row])
    worksheet.hide()


# --- charts and cleanup -------------------------------------------------------------------------


def _chart_columns(spec: BarChart) -> list[int]:
    return [spec.categories_col, *spec.value_cols]


def _capturing(
    rows: Iterator[Sequence[object]], store: dict[int, list[object]]
) -> Iterator[Sequence[object]]:
    """Pass rows through, keeping the columns a chart plots.

    constant_memory cannot read cells back, so without this xlsxwriter would write empty chart caches
    and label text categories as numbers.
    """
    if not store:
        yield from rows
        return
    for row in rows:
        for col, values in store.items():
            values.append(row[col] if col < len(row) else None)
        yield row


def _insert_chart(workbook: Any, spec: BarChart, parts: dict[str, _Part]) -> None:
    part = parts.get(spec.sheet)
    if part is None:
        raise ValueError(f"chart {spec.title!r} refers to unknown sheet {spec.sheet!r}")
    if part.rows == 0:
        return  # nothing to plot; an empty chart would only confuse
    chart = workbook.add_chart({"type": "bar" if spec.horizontal else "column"})
    first, last = part.first_data_row, part.first_data_row + part.rows - 1
    categories = [_chart_label(value) for value in part.captured[spec.categories_col]]
    for col in spec.value_cols:
        chart.add_series(
            {
                "name": [part.name, part.header_row, col],
                "categories": [part.name, first, spec.categories_col, last, spec.categories_col],
                "values": [part.name, first, col, last, col],
                "categories_data": categories,
                "values_data": [_chart_number(value) for value in part.captured[col]],
            }
        )
    chart.set_title({"name": spec.title})
    if len(spec.value_cols) < 2:
        chart.set_legend({"none": True})
    else:
        chart.set_legend({"position": "bottom"})
    part.worksheet.insert_chart(spec.anchor, chart)


def _chart_label(value: object) -> object:
    if value is None or _is_missing(value):
        return ""
    return value if _is_plain_number(value) and not isinstance(value, bool) else str(value)


def _chart_number(value: object) -> float | None:
    return float(value) if _is_plain_number(value) and not isinstance(value, bool) else None  # type: ignore[arg-type]


def _close_scratch_files(workbook: Any) -> None:
    # After a failure xlsxwriter leaves its constant_memory row files open; close them so the scratch
    # folder can be deleted (Windows refuses to delete open files).
    for worksheet in workbook.worksheets():
        handle = getattr(worksheet, "row_data_fh", None)
        if handle is not None and not handle.closed:
            handle.close()
