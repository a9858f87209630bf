"""How a sheet prints: A4 page setup as part of the ``Sheet`` spec (``Sheet.print_setup``).

Spec:

- ``PrintSetup()`` alone prints a table well: A4 (xlsxwriter paper 9), orientation by width (below),
  fit to 1 page wide and as many pages tall as needed, title and header rows repeated on every page,
  centred horizontally, gridlines printed (data cells have no borders of their own; but not on a sheet
  with a chart, where they would grid the empty cells around it), margins of 1 cm left and right and
  1.9 cm top and bottom with header and footer 0.8 cm from the edge. Header: the centre shows
  ``header`` (default: the sheet's title, else its name). Footer: the centre shows ``第 N 页 共 M 页``;
  ``footer_left`` and ``footer_right`` (e.g. the ledger anchor) the sides. A side text wider than
  ``SIDE_WIDTH`` columns (CJK characters count 2) would run into the page numbers, as the ledger anchor
  (about 130 columns) does on any page: it goes on a line of its own under them, in ``NOTE_POINTS``
  points. Header and footer keep their size when fit-to-page shrinks the sheet (``scaleWithDoc`` off):
  a sheet shrunk to 60 % would otherwise print its anchor in 5-point type.
- ``orientation="auto"``: portrait when the columns — and any chart, measured from the left edge to
  its right edge — fit portrait A4's printable width at 100 % scale, else landscape (where
  fit-to-width shrinks them less). Widths are counted as Excel lays out Calibri 11 at 96 dpi: 7 px
  per character of column width plus 5 px of padding; the printable width is the paper's width less
  the left and right margins (portrait 7.48 in = 718 px with the default margins, landscape 1,047 px).
- ``fit_one_page``: the whole sheet on one page (record sheets with their signature lines).
  Otherwise ``fit_width`` pages wide (1) by ``fit_height`` tall (0 = as many as needed).
- Header and footer texts are escaped for Excel's codes (``&`` → ``&&``). xlsxwriter drops a whole
  header or footer that contains ``&G`` (its picture placeholder) without a matching image and rewrites
  ``&[Picture]``, so an ampersand that would form either is written as a fullwidth ``＆`` instead.
  Excel's limit of 255 characters per header or footer string (codes included, counted in UTF-16 units)
  is kept by shortening the longest text with "…"; the page numbers always stay.
- ``NOT_FOR_PRINT`` (``for_print=False``) marks a machine sheet (read back by tools, kept by users): it
  stays visible — hiding it would invite users to overlook or lose it — and is never the active or a
  selected sheet, so Excel's and WPS's default "print active sheets" skip it. Its header says
  ``（机读数据，无需打印）`` and its print area is limited to its title and header rows, so printing
  the entire workbook (LibreOffice's default, Excel's option) gives one self-explaining page for it
  instead of hundreds: that page is fit to one page (in the orientation its columns need), never split
  over several pages wide. No repeated rows are set.
- Charts: ``CHART_WIDTH`` × ``CHART_HEIGHT`` pixels fit the printable area of A4 landscape with the
  default margins (1,047 × 650 px) with room for a few data columns beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jcdraw import messages
from jcdraw.io.xlsx_cells import display_width, utf16_len

Orientation = Literal["auto", "portrait", "landscape"]
A4_PAPER = 9  # xlsxwriter's (and Excel's) paper code for A4
A4_WIDTH_IN, A4_HEIGHT_IN = 210 / 25.4, 297 / 25.4
PIXELS_PER_INCH = 96
PIXELS_PER_CHARACTER, COLUMN_PADDING_PX = 7, 5  # Calibri 11, as Excel and xlsxwriter size columns
DEFAULT_COLUMN_WIDTH = 8.43  # Excel's, in characters (64 px)
HEADER_FOOTER_LIMIT = 255  # Excel's limit per header or footer string, codes included
PAGE_NUMBERS = "第 &P 页 共 &N 页"
CHART_WIDTH, CHART_HEIGHT = 720, 432  # pixels; 1.5 × xlsxwriter's default 480 × 288
SIDE_WIDTH = 40  # columns a footer side text may take beside the page numbers on portrait A4
NOTE_POINTS = 8  # font size of a footer text on its own line under the page numbers
_FIXED_SIZE = {"scale_with_doc": False}  # xlsxwriter: header and footer not shrunk with the sheet
_CM = 1 / 2.54


@dataclass(frozen=True)
class Margins:
    """Page margins in inches (xlsxwriter's unit)."""

    left: float = 1.0 * _CM
    right: float = 1.0 * _CM
    top: float = 1.9 * _CM
    bottom: float = 1.9 * _CM
    header: float = 0.8 * _CM  # from the paper's edge to the header text
    footer: float = 0.8 * _CM


@dataclass(frozen=True)
class PrintSetup:
    orientation: Orientation = "auto"
    fit_width: int = 1  # pages wide
    fit_height: int = 0  # pages tall; 0 = as many as needed
    fit_one_page: bool = False  # the whole sheet on one page (overrides fit_width and fit_height)
    repeat_header: bool = True  # title and header rows on every page
    center_horizontally: bool = True
    gridlines: bool | None = None  # printed cell borders; None: yes, unless the sheet has a chart
    margins: Margins = Margins()
    header: str | None = None  # centre of the page header; None: the sheet's title, else its name
    footer_left: str = ""
    footer_right: str = ""
    for_print: bool = True  # False: a machine sheet, see NOT_FOR_PRINT


NOT_FOR_PRINT = PrintSetup(for_print=False)


def apply_print_setup(
    worksheet: Any, setup: PrintSetup, *, title: str, header_row: int, last_col: int, widths: list[float]
) -> None:
    """Give ``worksheet`` the page setup of ``setup``; ``title`` is the header's default text.

    ``header_row`` is the 0-based row of the column headers (1 below a title row), ``last_col`` the
    0-based last column, ``widths`` the column widths in characters.
    """
    worksheet.set_paper(A4_PAPER)
    margins = setup.margins
    worksheet.set_margins(margins.left, margins.right, margins.top, margins.bottom)
    if _landscape(setup, widths):
        worksheet.set_landscape()
    else:
        worksheet.set_portrait()
    if not setup.for_print:
        worksheet.set_header(_centre(messages.XLSX_NOT_FOR_PRINT), dict(_FIXED_SIZE), margin=margins.header)
        worksheet.print_area(0, 0, header_row, last_col)
        worksheet.fit_to_pages(1, 1)
        return
    if setup.fit_one_page:
        worksheet.fit_to_pages(1, 1)
    else:
        worksheet.fit_to_pages(setup.fit_width, setup.fit_height)
    if setup.repeat_header:
        worksheet.repeat_rows(0, header_row)
    if setup.center_horizontally:
        worksheet.center_horizontally()
    if setup.gridlines is not False:
        worksheet.hide_gridlines(0)  # 0: neither hidden on screen nor in print
    header = _centre(setup.header if setup.header is not None else title)
    worksheet.set_header(header, dict(_FIXED_SIZE), margin=margins.header)
    text = footer(setup.footer_left, setup.footer_right)
    worksheet.set_footer(text, dict(_FIXED_SIZE), margin=margins.footer)


def footer(left: str, right: str) -> str:
    r"""The footer string: page numbers in the centre, ``left`` and ``right`` beside them or, when too
    wide for a side, each on a line of its own under them.

    Example:
        >>> footer("2024-joint-T2-R1-1", "")
        '&L2024-joint-T2-R1-1&C第 &P 页 共 &N 页'
        >>> footer("", "台账编号 " + "0" * 32)
        '&C第 &P 页 共 &N 页\n&8 台账编号 00000000000000000000000000000000'
    """
    below = [text for text in (left, right) if display_width(text) > SIDE_WIDTH]
    sides = ["" if text in below else text for text in (left, right)]
    return header_footer(sides[0], PAGE_NUMBERS, sides[1], centre_is_code=True, below=below)


def adjust_for_chart(
    worksheet: Any, setup: PrintSetup, widths: list[float], anchor_col: int, chart_width: int
) -> None:
    """Settings that change when ``worksheet`` gets a chart whose left edge is at ``anchor_col``.

    Printed gridlines would cover the empty cells around the chart, so "auto" gridlines are dropped.
    An auto-oriented sheet turns landscape if the chart's right edge would not fit portrait; columns
    past the sheet's own have Excel's default width.
    """
    if not setup.for_print:
        return
    if setup.gridlines is None:
        worksheet.hide_gridlines(1)  # 1: shown on screen, not printed (Excel's default)
    if setup.orientation != "auto":
        return
    before = [widths[col] if col < len(widths) else DEFAULT_COLUMN_WIDTH for col in range(anchor_col)]
    reach = sum(_column_pixels(width) for width in before) + chart_width
    if reach > _portrait_printable_px(setup.margins):
        worksheet.set_landscape()


def portrait_fits(widths: list[float], margins: Margins) -> bool:
    """Whether columns of these widths (in characters) fit portrait A4's printable width at 100 %."""
    return sum(_column_pixels(width) for width in widths) <= _portrait_printable_px(margins)


def _portrait_printable_px(margins: Margins) -> float:
    return (A4_WIDTH_IN - margins.left - margins.right) * PIXELS_PER_INCH


def header_footer(
    left: str, centre: str, right: str, *, centre_is_code: bool = False, below: Sequence[str] = ()
) -> str:
    """An Excel header/footer string of three texts, escaped and within Excel's 255-character limit.

    ``centre_is_code``: the centre is already in Excel's codes (page numbers) and is kept as it is.
    ``below``: texts on lines of their own under the centre, in ``NOTE_POINTS`` points.
    """
    texts = [left, centre, right, *below]
    fixed = {1} if centre_is_code else set()
    # Escaping never shortens a text, so anything longer than the limit is cut at once, not char by char.
    texts = [text if i in fixed else _shorten(text, HEADER_FOOTER_LIMIT) for i, text in enumerate(texts)]
    while True:
        parts = [text if i in fixed else escape_header_text(text) for i, text in enumerate(texts)]
        if below:
            # A space after the size code: a text starting with a digit would otherwise extend the size.
            parts[1] = "\n".join([parts[1], f"&{NOTE_POINTS} {parts[3]}", *parts[4:]])
        result = "".join(f"&{code}{part}" for code, part in zip("LCR", parts, strict=False) if part)
        if utf16_len(result) <= HEADER_FOOTER_LIMIT:
            return result
        longest = max((i for i in range(len(texts)) if i not in fixed), key=lambda i: utf16_len(parts[i]))
        texts[longest] = texts[longest].removesuffix("…")[:-1] + "…"


def escape_header_text(text: str) -> str:
    """``text`` as literal header/footer text: ``&`` doubled (see the module doc for ``＆``)."""
    text = text.replace("&G", "＆G").replace("&[Picture]", "＆[Picture]")
    return text.replace("&", "&&")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _centre(text: str) -> str:
    return header_footer("", text, "")


def _landscape(setup: PrintSetup, widths: list[float]) -> bool:
    if setup.orientation == "auto":
        return not portrait_fits(widths, setup.margins)
    return setup.orientation == "landscape"


def _column_pixels(width: float) -> int:
    if width <= 0:
        return 0
    if width < 1:
        return int(width * (PIXELS_PER_CHARACTER + COLUMN_PADDING_PX) + 0.5)
    return int(width * PIXELS_PER_CHARACTER + 0.5) + COLUMN_PADDING_PX
