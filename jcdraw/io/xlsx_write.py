"""Write finished-looking .xlsx workbooks, streaming, without ever losing or mangling a value.

Spec:

- The whole workbook goes through ``atomic_output`` (or a caller's ``OutputBatch``): it appears complete
  or not at all, and an existing file is replaced only with ``force``.
- xlsxwriter in ``constant_memory`` mode: rows are streamed in order by our own loop, so memory stays flat
  at a million rows. A sheet's ``rows`` may be a generator and is consumed once. Data rows go through
  ``jcdraw.io._xlsx_rows``, the only user of xlsxwriter internals: on an xlsxwriter it knows they are
  written as ready-made ``<row>`` XML (about 4× less CPU); on any other, through xlsxwriter's public
  per-cell API, giving the same bytes.
- Cells are typed by their Python value (helpers in ``jcdraw.io.xlsx_cells``): ``str`` → text, always
  (``=1+1``, ``+86 138``, ``@SUM(A1)`` stay text, never a formula, number or link); ``bool`` → boolean;
  ``int``/``float``/``Decimal`` → number, except integers of 16+ digits, which Excel would round, → text;
  ``datetime`` → ``yyyy-mm-dd hh:mm:ss`` (time zone dropped, wall time kept); ``date`` → ``yyyy-mm-dd``;
  ``None``/NaN/NaT → blank; anything else → its ``str()``. Text longer than Excel's 32,767-character cell
  limit raises ``OutputError`` naming the sheet, row and column — it is never truncated.
- Layout: an optional merged title row, then a bold filled header row that is frozen and carries an
  autofilter. Column widths come from the header and the first ``WIDTH_SAMPLE_ROWS`` rows (CJK characters
  count 2, clamped to [6, 60]); those rows are buffered so widths are set before streaming. Each column
  gets a format by kind (text columns are "@"), so cells a user later types into a template keep
  credit codes as text and dates as dates. A text column with ``wrap`` also wraps its text within the
  column's width, top-aligned (long texts on printed sheets).
- Dropdowns: a column's ``choices`` become a list validation over the data rows plus ``dropdown_rows``
  empty ones. Lists too long for Excel's 255-character inline limit (or containing commas or quotes) are
  written to the hidden sheet ``_选项`` and referenced as a range.
- Row cap: ``ROW_CAP`` rows per sheet including title and header. Rows beyond it continue on
  ``{name}(2)``, ``{name}(3)`` … with the same header, widths and dropdowns, in order; none is dropped.
- Sheet names are made legal for Excel (≤ 31 UTF-16 units, none of ``[]:*?/\\``, no leading or trailing
  apostrophe, unique ignoring case).
- Printing: a sheet with ``print_setup`` (``jcdraw.io.xlsx_print.PrintSetup``) gets A4 page settings,
  inherited by its continuation sheets; ``NOT_FOR_PRINT`` marks a machine sheet, which is then never
  the active one. Without it the page settings are xlsxwriter's defaults. Charts are ``width`` ×
  ``height`` pixels, by default a size that fits an A4 landscape page.
"""

from __future__ import annotations

import datetime as dt
import itertools
import numbers
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name
from xlsxwriter.workbook import Workbook

from jcdraw import messages
from jcdraw.io._xlsx_rows import (
    RowLayout,
    close_scratch_files,
    release_zip_handles,
    row_writer_for,
    zip_level,
)
from jcdraw.io.atomic import OutputBatch, atomic_output
from jcdraw.io.xlsx_cells import display_width, is_missing, is_plain_number, utf16_len, utf16_truncate
from jcdraw.io.xlsx_print import CHART_HEIGHT, CHART_WIDTH, PrintSetup, adjust_for_chart, apply_print_setup
from jcdraw.io.xlsx_wrap import TITLE_LINE_POINTS, TITLE_POINTS, title_lines, wrapped_height

ROW_CAP = 1_048_576  # Excel's rows per sheet, title and header included; tests patch it smaller.
WIDTH_SAMPLE_ROWS = 1000
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


@dataclass
class Column:
    header: str
    width: float | None = None  # None: computed from the header and the first rows
    choices: Sequence[str] | None = None  # dropdown over the data rows
    # A dropdown that suggests rather than enforces: other text (several choices joined by 、) is
    # accepted after a warning, and an input message lists the choices.
    free_entry: bool = False
    kind: ColumnKind = "text"
    comment: str | None = None  # note attached to the header cell
    wrap: bool = False  # text wraps within the column's width (long texts on printed sheets)


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: Iterable[Sequence[object]]  # may be a generator; consumed once
    title: str | None = None  # merged title row above the header
    dropdown_rows: int = 0  # empty rows after the data that still get the dropdowns (templates)
    hidden: bool = False
    print_setup: PrintSetup | None = None  # None: xlsxwriter's defaults; see jcdraw.io.xlsx_print


@dataclass
class BarChart:
    """A clustered column (or bar) chart over data rows of one sheet (its first part if continued)."""

    sheet: str  # the Sheet.name given to write_workbook
    categories_col: int
    value_cols: list[int]
    title: str
    anchor: str  # top-left cell, e.g. "H2"
    horizontal: bool = False  # bars instead of columns
    width: int = CHART_WIDTH  # pixels; the default fits an A4 landscape page
    height: int = CHART_HEIGHT


@dataclass
class _Part:
    """One worksheet actually written; a Sheet over the row cap has several."""

    name: str
    worksheet: Worksheet
    header_row: int
    rows: int
    captured: dict[int, list[object]] = field(default_factory=dict)  # chart columns, first part only
    widths: list[float] = field(default_factory=list)
    print_setup: PrintSetup | None = None

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


@dataclass
class _Formats:
    header: Any
    title: Any
    wrapped_title: Any
    general: Any
    date: Any
    datetime: Any
    percent: Any
    text: Any
    wrapped: Any

    @classmethod
    def create(cls, workbook: Any) -> _Formats:
        return cls(
            header=workbook.add_format(
                {"bold": True, "bg_color": HEADER_FILL, "border": 1, "valign": "vcenter", "text_wrap": True}
            ),
            title=workbook.add_format(
                {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
            ),
            wrapped_title=workbook.add_format(
                {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter", "text_wrap": True}
            ),
            general=workbook.add_format(),
            date=workbook.add_format({"num_format": "yyyy-mm-dd"}),
            datetime=workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            percent=workbook.add_format({"num_format": "0.00%"}),
            text=workbook.add_format({"num_format": "@"}),
            wrapped=workbook.add_format({"num_format": "@", "text_wrap": True, "valign": "top"}),
        )

    def for_column(self, column: Column) -> Any:
        """Format applied to a whole column, so cells typed in later get the right type."""
        if column.wrap and column.kind == "text":
            return self.wrapped
        kind = column.kind
        return {"text": self.text, "number": None, "date": self.date, "percent": self.percent}[kind]

    def for_numbers(self, kind: ColumnKind) -> Any:
        # Numbers in text or date columns must not inherit "@" or a date format from the column.
        return {"text": self.general, "number": None, "date": self.general, "percent": self.percent}[kind]

    def layout(self, sheet_name: str, columns: list[Column], widths: list[float] | None = None) -> RowLayout:
        """How rows of these columns are written; ``widths`` (characters) size rows of wrapped text."""
        return RowLayout(
            sheet_name=sheet_name,
            headers=[column.header for column in columns],
            column_formats=[self.for_column(column) for column in columns],
            number_formats=[self.for_numbers(column.kind) for column in columns],
            date_format=self.date,
            datetime_format=self.datetime,
            row_height=None if widths is None else wrapped_height(columns, widths),
        )


def write_workbook(
    path: Path, sheets: Sequence[Sheet], *, force: bool = False, charts: Sequence[BarChart] = (),
    batch: OutputBatch | None = None, created: dt.datetime | None = None,  # fixed: same content, same bytes
) -> list[str]:  # fmt: skip
    """Write ``sheets`` (and ``charts``) to ``path`` atomically, or into ``batch`` (renamed when released).

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
    target = atomic_output(Path(path), force=force) if batch is None else batch.output(Path(path))
    scratch_dir = tempfile.TemporaryDirectory(prefix="jcdraw-xlsx-", ignore_cleanup_errors=True)
    with target as temp, scratch_dir as scratch:
        workbook = Workbook(str(temp), {**WORKBOOK_OPTIONS, "tmpdir": scratch})
        workbook.set_properties({"created": created})  # None: xlsxwriter stores the time now
        try:
            names = _fill(workbook, sheets, charts)
            with zip_level():
                workbook.close()
        except FileCreateError as err:
            release_zip_handles(err)
            # xlsxwriter wraps OS errors (disk full, permission); unwrap so atomic_output can explain them.
            cause = err.args[0] if err.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise
        except BaseException as err:
            release_zip_handles(err)
            raise
        finally:
            close_scratch_files(workbook)
    return names


def safe_sheet_name(name: str) -> str:
    """Make ``name`` legal for Excel: forbidden characters → "_", at most 31 characters.

    Example:
        >>> safe_sheet_name("2025/06 抽查[结果]:汇总")
        '2025_06 抽查_结果__汇总'
    """
    cleaned = "".join(ch for ch in name.translate(_FORBIDDEN_IN_SHEET_NAMES) if ch.isprintable())
    cleaned = utf16_truncate(cleaned.strip().strip("'"), SHEET_NAME_MAX).strip().strip("'")
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
    visible = [sheet for sheet in sheets if not sheet.hidden]
    # Excel and WPS print the active sheet by default: never a machine sheet if there is another.
    first_visible = next((sheet for sheet in visible if _for_print(sheet)), visible[0])
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
        writer = row_writer_for(worksheet, formats.layout(name, sheet.columns, widths))
        captured: dict[int, list[object]] = {col: [] for col in plotted} if not parts else {}
        chunk = _capturing(itertools.islice(pending, capacity), captured)
        count = writer.write(header_row + 1, chunk)
        more = False
        if count == capacity:
            upcoming = next(pending, _END)
            if upcoming is not _END:
                pending = itertools.chain([upcoming], pending)  # type: ignore[list-item]
                more = True
        part = _Part(name, worksheet, header_row, count, captured, widths, sheet.print_setup)
        _finish_part(part, sheet, 0 if more else sheet.dropdown_rows, sources)
        parts.append(part)
        if not more:
            return parts


def _for_print(sheet: Sheet) -> bool:
    return sheet.print_setup is None or sheet.print_setup.for_print


def _start_part(workbook: Any, name: str, sheet: Sheet, widths: list[float], formats: _Formats) -> Worksheet:
    worksheet = workbook.add_worksheet(name)
    for col, column in enumerate(sheet.columns):
        worksheet.set_column(col, col, widths[col], formats.for_column(column))
    header_row = 0
    if sheet.title:
        lines = title_lines(sheet.title, widths)
        title_format = formats.title if lines == 1 else formats.wrapped_title
        worksheet.set_row(0, TITLE_POINTS + (lines - 1) * TITLE_LINE_POINTS)
        if len(sheet.columns) > 1:
            worksheet.merge_range(0, 0, 0, len(sheet.columns) - 1, "", title_format)
        worksheet.write_string(0, 0, sheet.title, title_format)
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
    if sheet.print_setup is not None:
        apply_print_setup(
            worksheet,
            sheet.print_setup,
            title=sheet.title or name,
            header_row=header_row,
            last_col=len(sheet.columns) - 1,
            widths=widths,
        )
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
            rule = {"validate": "list", "source": sources[_choice_key(column.choices)]}
            part.worksheet.data_validation(
                part.first_data_row, col, last_dropdown_row, col, {**rule, **_alert(column)}
            )


def _alert(column: Column) -> dict[str, str]:
    """Stop on anything off the list, or (``free_entry``) warn and show the choices as a hint."""
    if not column.free_entry:
        return {
            "error_type": "stop",
            "error_title": messages.XLSX_DROPDOWN_ERROR_TITLE,
            "error_message": messages.XLSX_DROPDOWN_ERROR,
        }
    hint = messages.XLSX_DROPDOWN_HINT.format(choices="、".join(column.choices or ()))
    return {
        "error_type": "warning",
        "error_title": messages.XLSX_DROPDOWN_ERROR_TITLE,
        "error_message": _clip(messages.XLSX_DROPDOWN_WARNING, 255),
        "input_title": _clip(column.header, 32),
        "input_message": _clip(hint, 255),
    }


def _clip(text: str, limit: int) -> str:
    """Excel refuses validation messages over 255 characters: shorten with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    if value is None or is_missing(value):
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
    return max((display_width(line[: int(MAX_WIDTH)]) for line in text.splitlines()), default=0)


# --- names --------------------------------------------------------------------------------------


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, part = name, 1
    while candidate.lower() in taken:  # Excel compares sheet names ignoring case
        part += 1
        candidate = _continued_name(name, part)
    taken.add(candidate.lower())
    return candidate


def _continued_name(base: str, part: int) -> str:
    suffix_length = utf16_len(messages.XLSX_CONTINUED_SHEET.format(name="", part=part))
    return messages.XLSX_CONTINUED_SHEET.format(
        name=utf16_truncate(base, SHEET_NAME_MAX - suffix_length).rstrip().rstrip("'"), part=part
    )


# --- dropdowns ----------------------------------------------------------------------------------


def _choice_key(choices: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(choice) for choice in choices)


def _fits_inline(choices: tuple[str, ...]) -> bool:
    # Excel's inline list is one comma-separated string: items with commas or quotes cannot be expressed.
    if any("," in choice or '"' in choice for choice in choices):
        return False
    return utf16_len(",".join(choices)) <= MAX_INLINE_CHOICES


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
    chart.set_size({"width": spec.width, "height": spec.height})
    if len(spec.value_cols) < 2:
        chart.set_legend({"none": True})
    else:
        chart.set_legend({"position": "bottom"})
    part.worksheet.insert_chart(spec.anchor, chart)
    if part.print_setup is not None:
        _, anchor_col = xl_cell_to_rowcol(spec.anchor)
        adjust_for_chart(part.worksheet, part.print_setup, part.widths, anchor_col, spec.width)


def _chart_label(value: object) -> object:
    if value is None or is_missing(value):
        return ""
    return value if is_plain_number(value) and not isinstance(value, bool) else str(value)


def _chart_number(value: object) -> float | None:
    return float(value) if is_plain_number(value) and not isinstance(value, bool) else None  # type: ignore[arg-type]
