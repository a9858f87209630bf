"""Sheet.print_setup: page settings read back with openpyxl, and a real print through LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from jcdraw import messages
from jcdraw.io import xlsx_write as xlsx_writer
from jcdraw.io.xlsx_print import (
    A4_HEIGHT_IN,
    A4_PAPER,
    A4_WIDTH_IN,
    HEADER_FOOTER_LIMIT,
    NOT_FOR_PRINT,
    Margins,
    PrintSetup,
    escape_header_text,
    footer,
    header_footer,
    portrait_fits,
)
from jcdraw.io.xlsx_write import BarChart, Column, Sheet, write_workbook

PAGE_NUMBERS = "第 &P 页 共 &N 页"
NARROW = [Column("名称", width=20), Column("数量", kind="number", width=10)]
WIDE = [Column(f"第{i}列", width=14) for i in range(12)]  # 12 × 103 px: wider than portrait A4


def _wide_rows(n: int) -> list[list[str]]:
    return [[f"晋城{r}-{c}" for c in range(12)] for r in range(n)]


def _write(path: Path, sheets: list[Sheet], charts: Sequence[BarChart] = ()) -> openpyxl.Workbook:
    write_workbook(path, sheets, charts=charts)
    return openpyxl.load_workbook(path)


def _fits(ws: Worksheet) -> tuple[bool, int, int]:
    # xlsxwriter leaves out fitToWidth="1" and fitToHeight="1", Excel's defaults; openpyxl then reads None.
    width, height = ws.page_setup.fitToWidth, ws.page_setup.fitToHeight
    fit = ws.sheet_properties.pageSetUpPr.fitToPage
    return fit, 1 if width is None else width, 1 if height is None else height


def test_default_print_setup_on_a_narrow_sheet(tmp_path: Path) -> None:
    ws = _write(tmp_path / "a.xlsx", [Sheet("名单", NARROW, [("甲", 1)], print_setup=PrintSetup())])["名单"]
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.paperSize == A4_PAPER == 9
    assert _fits(ws) == (True, 1, 0)
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_options.horizontalCentered is True
    assert ws.print_options.gridLines is True
    assert ws.oddHeader.center.text == "名单"
    assert ws.oddFooter.center.text == PAGE_NUMBERS
    assert (ws.oddFooter.left.text, ws.oddFooter.right.text) == (None, None)
    margins = ws.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == pytest.approx(
        (1 / 2.54, 1 / 2.54, 1.9 / 2.54, 1.9 / 2.54)
    )
    assert (margins.header, margins.footer) == pytest.approx((0.8 / 2.54, 0.8 / 2.54))


def test_wide_sheet_with_title_prints_landscape_with_both_rows_repeated(tmp_path: Path) -> None:
    setup = PrintSetup(footer_right="台账锚点 0001:9f3a")
    sheet = Sheet("抽取结果", WIDE, _wide_rows(3), title="2025 年度计划 · 任务 3 成品油", print_setup=setup)
    ws = _write(tmp_path / "a.xlsx", [sheet])["抽取结果"]
    assert ws.page_setup.orientation == "landscape"
    assert _fits(ws) == (True, 1, 0)
    assert ws.print_title_rows == "$1:$2"
    assert ws.oddHeader.center.text == "2025 年度计划 · 任务 3 成品油"
    assert ws.oddFooter.center.text == PAGE_NUMBERS
    assert ws.oddFooter.right.text == "台账锚点 0001:9f3a"


def test_orientation_threshold_is_portrait_a4_printable_width() -> None:
    # (210 mm − 2 × 1 cm) at 96 dpi = 718.1 px; a column of width w takes round(7 w) + 5 px.
    assert portrait_fits([101.8], Margins())  # 713 + 5 = 718 px
    assert not portrait_fits([102.0], Margins())  # 714 + 5 = 719 px
    assert portrait_fits([14.0] * 6, Margins()) and not portrait_fits([14.0] * 7, Margins())
    assert portrait_fits([102.0], Margins(left=0.3, right=0.3))


@pytest.mark.parametrize(("orientation", "columns"), [("portrait", WIDE), ("landscape", NARROW)])
def test_explicit_orientation_wins(tmp_path: Path, orientation: str, columns: list[Column]) -> None:
    sheet = Sheet("s", columns, [], print_setup=PrintSetup(orientation=orientation))  # type: ignore[arg-type]
    assert _write(tmp_path / "a.xlsx", [sheet])["s"].page_setup.orientation == orientation


def test_record_sheet_fits_one_page(tmp_path: Path) -> None:
    sheet = Sheet("抽取记录", NARROW, [("签字：", None)] * 80, print_setup=PrintSetup(fit_one_page=True))
    assert _fits(_write(tmp_path / "a.xlsx", [sheet])["抽取记录"]) == (True, 1, 1)


def test_footer_with_ampersands_and_chinese_is_escaped(tmp_path: Path) -> None:
    setup = PrintSetup(footer_left="晋城市 A&B 商贸 &P", footer_right="R&G 公司", header="标题 & [Picture]")
    ws = _write(tmp_path / "a.xlsx", [Sheet("s", NARROW, [], print_setup=setup)])["s"]
    assert ws.oddFooter.left.text == "晋城市 A&&B 商贸 &&P"  # Excel shows 晋城市 A&B 商贸 &P
    # "&&G" would still contain xlsxwriter's picture code "&G" and the whole footer would be dropped.
    assert ws.oddFooter.right.text == "R＆G 公司"
    assert ws.oddFooter.center.text == PAGE_NUMBERS
    assert ws.oddHeader.center.text == "标题 && [Picture]"


def test_header_and_footer_escaping_rules() -> None:
    assert escape_header_text("a&b") == "a&&b"
    assert escape_header_text("x&[Picture]") == "x＆[Picture]"
    assert escape_header_text("&&G") == "&&＆G"
    assert header_footer("左", "&P", "右", centre_is_code=True) == "&L左&C&P&R右"
    assert header_footer("", "中", "") == "&C中"


def test_long_footer_texts_are_shortened_to_excels_limit(tmp_path: Path) -> None:
    setup = PrintSetup(footer_left="锚" * 300, footer_right="&" * 100, header="题" * 400)
    ws = _write(tmp_path / "a.xlsx", [Sheet("s", NARROW, [], print_setup=setup)])["s"]
    text = footer(setup.footer_left, setup.footer_right)
    assert HEADER_FOOTER_LIMIT - 1 <= len(text) <= HEADER_FOOTER_LIMIT  # cutting "&" removes "&&"
    # Both are too wide for a side: they go under the page numbers, which are never cut.
    assert (ws.oddFooter.left.text, ws.oddFooter.right.text) == (None, None)
    first, second, third = ws.oddFooter.center.text.split("\n")
    assert first == PAGE_NUMBERS
    assert second.startswith("锚锚") and third.endswith("…") and third.startswith("&&")
    assert len(ws.oddHeader.center.text) == HEADER_FOOTER_LIMIT - 2  # "&C" and 253 characters


def test_a_side_text_too_wide_for_its_side_goes_under_the_page_numbers(tmp_path: Path) -> None:
    anchor = "台账编号 " + "a" * 32 + "；记录 2 条；台账校验值 " + "b" * 64
    setup = PrintSetup(footer_left="2024-joint-T2-R1-1", footer_right=anchor)
    ws = _write(tmp_path / "a.xlsx", [Sheet("s", NARROW, [], print_setup=setup)])["s"]
    assert ws.oddFooter.left.text == "2024-joint-T2-R1-1"  # 18 columns: beside the page numbers
    assert ws.oddFooter.right.text is None
    assert ws.oddFooter.center.text == f"{PAGE_NUMBERS}\n{anchor}"
    assert ws.oddFooter.center.size == 8
    assert footer("", "甲" * 20) == "&C第 &P 页 共 &N 页&R" + "甲" * 20  # 40 columns still fit beside
    assert footer("", "甲" * 21).endswith("\n&8 " + "甲" * 21)
    # Printed at its own size however much the sheet is shrunk to fit the page.
    assert ws.HeaderFooter.scaleWithDoc is False


def test_continuation_sheets_inherit_the_print_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 10)
    setup = PrintSetup(footer_left="台账 #7")
    wb = _write(
        tmp_path / "a.xlsx", [Sheet("名单", WIDE, _wide_rows(20), title="名单标题", print_setup=setup)]
    )
    assert wb.sheetnames == ["名单", "名单(2)", "名单(3)"]
    for ws in wb:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9
        assert _fits(ws) == (True, 1, 0)
        assert ws.print_title_rows == "$1:$2"
        assert ws.oddHeader.center.text == "名单标题"
        assert (ws.oddFooter.left.text, ws.oddFooter.center.text) == ("台账 #7", PAGE_NUMBERS)


def test_machine_sheet_is_visible_but_not_for_print(tmp_path: Path) -> None:
    sheets = [
        Sheet("机读", NARROW, [("甲", 1)] * 50, title="机读标题", print_setup=NOT_FOR_PRINT),
        Sheet("公示", NARROW, [("乙", 2)], print_setup=PrintSetup()),
    ]
    wb = _write(tmp_path / "a.xlsx", sheets)
    machine = wb["机读"]
    assert machine.sheet_state == "visible"
    assert wb.active is not None and wb.active.title == "公示"  # Excel prints the active sheet
    assert not machine.sheet_view.tabSelected
    assert machine.oddHeader.center.text == messages.XLSX_NOT_FOR_PRINT == "（机读数据，无需打印）"
    assert machine.print_area == "'机读'!$A$1:$B$2"  # its title and header rows only
    assert _fits(machine) == (True, 1, 1)  # that one page is never split over several pages wide
    assert machine.print_title_rows is None
    assert machine.oddFooter.center.text is None


def test_without_print_setup_nothing_changes(tmp_path: Path) -> None:
    ws = _write(tmp_path / "a.xlsx", [Sheet("s", WIDE, _wide_rows(2))])["s"]
    assert ws.page_setup.paperSize is None
    assert ws.print_title_rows is None
    assert ws.oddFooter.center.text is None


def test_chart_is_sized_for_an_a4_landscape_page_and_drops_printed_gridlines(tmp_path: Path) -> None:
    rows = [("成品油", 10), ("再生资源", 6)]
    chart = BarChart("图", 0, [1], "c", "D2")
    ws = _write(tmp_path / "a.xlsx", [Sheet("图", NARROW, rows, print_setup=PrintSetup())], charts=[chart])[
        "图"
    ]
    [plotted] = ws._charts
    start, end = plotted.anchor._from, plotted.anchor.to
    emu_per_pixel, column_px, row_px = 9525, 64, 20  # default column width and row height from D2 on
    width = (end.col - start.col) * column_px + end.colOff // emu_per_pixel
    height = (end.row - start.row) * row_px + end.rowOff // emu_per_pixel
    assert (width, height) == (chart.width, chart.height) == (720, 432)
    assert not ws.print_options.gridLines  # they would grid the empty cells around the chart
    landscape = (
        (A4_HEIGHT_IN - 2 / 2.54) * 96,
        (A4_WIDTH_IN - 3.8 / 2.54) * 96,
    )  # printable, default margins
    assert chart.width < landscape[0] and chart.height < landscape[1]


@pytest.mark.parametrize(
    ("orientation", "anchor", "width", "expected"),
    [
        ("auto", "D2", 720, "landscape"),  # 152 + 75 + 64 + 720 px > 718 px
        ("auto", "A30", 720, "landscape"),  # 720 px alone > 718 px
        ("auto", "A30", 480, "portrait"),
        ("portrait", "D2", 720, "portrait"),
    ],
)
def test_a_chart_counts_for_the_orientation(
    tmp_path: Path, orientation: str, anchor: str, width: int, expected: str
) -> None:
    setup = PrintSetup(orientation=orientation)  # type: ignore[arg-type]
    sheet = Sheet("图", NARROW, [("成品油", 10)] * 25, print_setup=setup)
    chart = BarChart("图", 0, [1], "c", anchor, width=width)
    assert _write(tmp_path / "a.xlsx", [sheet], charts=[chart])["图"].page_setup.orientation == expected


def test_explicit_gridlines_stay_on_a_chart_sheet(tmp_path: Path) -> None:
    sheet = Sheet("图", NARROW, [("成品油", 10)], print_setup=PrintSetup(gridlines=True))
    ws = _write(tmp_path / "a.xlsx", [sheet], charts=[BarChart("图", 0, [1], "c", "D2")])["图"]
    assert ws.print_options.gridLines is True


# --- a real print ---------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice")
PDFINFO = shutil.which("pdfinfo")


def _to_pdf(xlsx: Path, tmp_path: Path) -> Path:
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: other soffice runs may be going on
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return xlsx.with_suffix(".pdf")


def _pdf_pages(pdf: Path) -> list[str]:
    info = subprocess.run(
        [str(PDFINFO), "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    )
    return re.findall(r"Page +\d+ size: +([\d.]+ x [\d.]+)", info.stdout)


@pytest.mark.skipif(SOFFICE is None or PDFINFO is None, reason="LibreOffice or poppler is not installed")
def test_wide_sheet_prints_one_page_wide_through_libreoffice(tmp_path: Path) -> None:
    setup = PrintSetup(footer_left="台账 #12 A&B")
    fitted, unfitted = tmp_path / "fitted.xlsx", tmp_path / "unfitted.xlsx"
    write_workbook(fitted, [Sheet("宽表", WIDE, _wide_rows(20), title="宽表标题", print_setup=setup)])
    write_workbook(unfitted, [Sheet("宽表", WIDE, _wide_rows(20), title="宽表标题")])
    landscape_a4 = "841.89 x 595.304"
    assert _pdf_pages(_to_pdf(fitted, tmp_path)) == [landscape_a4]
    assert len(_pdf_pages(_to_pdf(unfitted, tmp_path))) > 1  # the same sheet without the setup splits
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(
            [pdftotext, str(tmp_path / "fitted.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert re.search(r"第\s*1\s*页\s*共\s*1\s*页", text)  # pdftotext drops some of the spaces
        assert "台账 #12 A&B" in text
        assert "晋城19-11" in text  # the last column of the last row is on the page


@pytest.mark.skipif(SOFFICE is None or PDFINFO is None, reason="LibreOffice or poppler is not installed")
def test_printing_everything_gives_a_machine_sheet_one_page(tmp_path: Path) -> None:
    path = tmp_path / "both.xlsx"
    machine_rows = [("甲", i) for i in range(400)]  # about 8 pages if it printed in full
    sheets = [
        Sheet("公示", NARROW, [("乙", 1)], print_setup=PrintSetup()),
        Sheet("机读", NARROW, machine_rows, print_setup=NOT_FOR_PRINT),
    ]
    write_workbook(path, sheets)
    assert len(_pdf_pages(_to_pdf(path, tmp_path))) == 2  # LibreOffice's PDF export prints every sheet
