"""write_workbook, read back with openpyxl (and calamine where openpyxl does not unescape)."""

from __future__ import annotations

import datetime as dt
import errno
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
import xlsxwriter.workbook
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string
from openpyxl.utils.escape import unescape
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import _datetime_to_excel_datetime

from jcdraw import messages
from jcdraw.errors import OutputError
from jcdraw.io import _xlsx_rows, xlsx_cells
from jcdraw.io import xlsx_write as xlsx_writer
from jcdraw.io.xlsx_write import BarChart, Column, Sheet, safe_sheet_name, write_workbook

REGIONS = ["城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县"]


def _open(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def _values(ws: Worksheet) -> list[list[object]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _width(ws: Worksheet, letter: str) -> float | None:
    # xlsxwriter merges neighbouring columns with equal settings into one <col min= max=> entry.
    index = column_index_from_string(letter)
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= index <= dim.max:
            return float(dim.width)
    return None


def _validations(ws: Worksheet) -> dict[str, str]:
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}


def _simple(path: Path, rows: Sequence[Sequence[object]], **sheet: object) -> openpyxl.Workbook:
    columns = sheet.pop("columns", [Column("名称"), Column("数量", kind="number")])
    write_workbook(path, [Sheet("数据", columns, rows, **sheet)])  # type: ignore[arg-type]
    return _open(path)


# --- layout ---------------------------------------------------------------------------------------


def test_header_frozen_filtered_and_styled(tmp_path: Path) -> None:
    ws = _simple(tmp_path / "a.xlsx", [("甲", 1), ("乙", 2), ("丙", 3)])["数据"]
    assert _values(ws) == [["名称", "数量"], ["甲", 1], ["乙", 2], ["丙", 3]]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B4"
    assert ws["A1"].font.b is True
    assert ws["A1"].fill.fgColor.rgb == "FFDDEBF7"


def test_title_row_is_merged_and_header_moves_down(tmp_path: Path) -> None:
    ws = _simple(tmp_path / "a.xlsx", [("甲", 1)], title="2025 年抽查结果")["数据"]
    assert _values(ws) == [["2025 年抽查结果", None], ["名称", "数量"], ["甲", 1]]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:B1"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:B3"


def test_widths_count_cjk_double_and_are_clamped(tmp_path: Path) -> None:
    columns = [
        Column("统一社会信用代码"),  # 8 CJK = 16, +4 for bold and the filter button
        Column("名称"),
        Column("x"),
        Column("备注"),
        Column("固定", width=33.0),
    ]
    rows = [("91140500MA0XXXXXXX", "晋城市某某商贸有限公司", "a", "很" * 100, "")]
    ws = _simple(tmp_path / "a.xlsx", rows, columns=columns)["数据"]
    assert _width(ws, "A") == pytest.approx(20.71, abs=0.01)  # xlsxwriter adds its pixel padding
    assert _width(ws, "B") == pytest.approx(24.71, abs=0.01)  # 11 CJK = 22, +2
    assert _width(ws, "C") == pytest.approx(6.71, abs=0.01)  # minimum
    assert _width(ws, "D") == pytest.approx(60.71, abs=0.01)  # maximum
    assert _width(ws, "E") == pytest.approx(33.71, abs=0.01)


def test_widths_come_from_the_first_rows_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "WIDTH_SAMPLE_ROWS", 3)
    rows = [("a", 1)] * 3 + [("x" * 40, 2)]
    ws = _simple(tmp_path / "a.xlsx", rows)["数据"]
    assert _width(ws, "A") == pytest.approx(8.71, abs=0.01)
    assert _values(ws)[-1] == ["x" * 40, 2]


def test_title_over_a_single_column_is_not_merged(tmp_path: Path) -> None:
    ws = _simple(tmp_path / "a.xlsx", [("甲",)], columns=[Column("名称")], title="标题")["数据"]
    assert _values(ws) == [["标题"], ["名称"], ["甲"]]
    assert list(ws.merged_cells.ranges) == []


def test_header_comment(tmp_path: Path) -> None:
    columns = [Column("风险", comment="A/B/C/D 或 低风险/一般风险/较高风险/高风险")]
    ws = _simple(tmp_path / "a.xlsx", [("A",)], columns=columns)["数据"]
    assert ws["A1"].comment is not None
    assert ws["A1"].comment.text == "A/B/C/D 或 低风险/一般风险/较高风险/高风险"


# --- cell types ----------------------------------------------------------------------------------

FORMULA_LIKE = ["=1+1", "+86 138 0000 0000", "-5", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")', "1e5"]


def test_formula_like_strings_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    ws = _simple(path, [(text, None) for text in FORMULA_LIKE])["数据"]
    cells = [ws.cell(row=i + 2, column=1) for i in range(len(FORMULA_LIKE))]
    assert [cell.data_type for cell in cells] == ["s"] * len(FORMULA_LIKE)
    # openpyxl leaves Excel's _x000D_ escape of the carriage return in inline strings; Excel decodes it.
    assert [unescape(cell.value) for cell in cells] == FORMULA_LIKE
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()
    assert [row[0] for row in calamine[1:]] == FORMULA_LIKE


def test_values_are_typed(tmp_path: Path) -> None:
    columns = [Column("值"), Column("日期", kind="date"), Column("比例", kind="percent")]
    rows: list[tuple[object, ...]] = [
        (42, dt.date(2025, 3, 1), 0.25),
        (1.5, dt.datetime(2025, 3, 1, 9, 30), None),
        (True, None, float("nan")),
        (Decimal("2.50"), None, None),
        (None, None, None),
        (float("nan"), None, None),
        (123456789012345678, None, None),  # Excel would round it to 15 digits
        (Path("x") / "y", None, None),
        (float("inf"), None, None),
    ]
    ws = _simple(tmp_path / "a.xlsx", rows, columns=columns)["数据"]
    cells = [[ws.cell(row=r, column=c) for c in (1, 2, 3)] for r in range(2, 2 + len(rows))]
    assert (cells[0][0].value, cells[0][0].data_type, cells[0][0].number_format) == (42, "n", "General")
    assert cells[0][1].is_date and cells[0][1].value == dt.datetime(2025, 3, 1)
    assert cells[0][1].number_format == "yyyy-mm-dd"
    assert (cells[0][2].value, cells[0][2].number_format) == (0.25, "0.00%")
    assert cells[1][0].value == 1.5
    assert cells[1][1].value == dt.datetime(2025, 3, 1, 9, 30)
    assert cells[1][1].number_format == "yyyy-mm-dd hh:mm:ss"
    assert (cells[2][0].value, cells[2][0].data_type) == (True, "b")
    assert cells[2][2].value is None
    assert (cells[3][0].value, cells[3][0].data_type) == (2.5, "n")
    assert [cells[4][0].value, cells[5][0].value] == [None, None]
    assert (cells[6][0].value, cells[6][0].data_type) == ("123456789012345678", "s")
    assert cells[7][0].value == str(Path("x") / "y")
    assert cells[8][0].value == "inf"


def test_text_columns_are_text_formatted_for_later_typing(tmp_path: Path) -> None:
    columns = [Column("代码"), Column("数量", kind="number")]
    ws = _simple(tmp_path / "a.xlsx", [("91140500MA0XXXXXXX", 1), (7, None)], columns=columns)["数据"]
    assert ws["A2"].number_format == "@"
    assert ws.column_dimensions["A"].number_format == "@"
    # A number that lands in a text column is still shown as a number.
    assert (ws["A3"].value, ws["A3"].number_format) == (7, "General")


def test_numpy_and_pandas_values(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    rows = [(np.int64(3), np.float64(2.5)), (np.bool_(True), np.float32("nan")), (pd.NA, pd.NaT)]
    columns = [Column("a"), Column("b")]
    ws = _simple(tmp_path / "a.xlsx", rows, columns=columns)["数据"]
    assert _values(ws)[1:] == [[3, 2.5], [True, None]]  # the all-blank row has no cells at all
    assert ws["A3"].data_type == "b"


def test_cell_of_maximum_length_is_written_intact(tmp_path: Path) -> None:
    longest = "晋" * 32_767
    path = tmp_path / "a.xlsx"
    ws = _simple(path, [(longest, 1), ("a" * 32_767, 2)])["数据"]
    assert ws["A2"].value == longest
    assert ws["A3"].value == "a" * 32_767


@pytest.mark.parametrize("too_long", ["a" * 32_768, "😀" * 16_384])  # an emoji is 2 UTF-16 units
def test_cell_over_maximum_length_raises_naming_the_cell(tmp_path: Path, too_long: str) -> None:
    path = tmp_path / "a.xlsx"
    with pytest.raises(OutputError) as caught:
        _simple(path, [("ok", 1), ("ok", 2), (too_long, 3)], columns=[Column("备注"), Column("n")])
    assert str(caught.value) == messages.XLSX_CELL_TOO_LONG.format(
        sheet="数据", row=4, column="备注", letter="A", length=32_768
    )
    assert list(tmp_path.iterdir()) == []


# --- dropdowns -----------------------------------------------------------------------------------


def test_short_choices_are_an_inline_list(tmp_path: Path) -> None:
    columns = [Column("名称"), Column("区域", choices=REGIONS)]
    ws = _simple(tmp_path / "a.xlsx", [("甲", "城区"), ("乙", "泽州县")], columns=columns)["数据"]
    assert _validations(ws) == {"B2:B3": '"城区,泽州县,高平市,阳城县,陵川县,沁水县"'}
    validation = ws.data_validations.dataValidation[0]
    assert validation.type == "list"
    assert validation.error == messages.XLSX_DROPDOWN_ERROR
    assert validation.showErrorMessage


def test_template_dropdowns_cover_empty_rows(tmp_path: Path) -> None:
    columns = [Column("名称"), Column("区域", choices=REGIONS)]
    ws = _simple(tmp_path / "a.xlsx", [], columns=columns, dropdown_rows=500)["数据"]
    assert _values(ws) == [["名称", "区域"]]
    assert set(_validations(ws)) == {"B2:B501"}


@pytest.mark.parametrize(
    "choices",
    [[f"监管类别第{i:02d}类（商贸流通）" for i in range(40)], ["成品油,零售", "再生资源"]],
    ids=["over-255", "comma"],
)
def test_long_choices_go_to_a_hidden_sheet(tmp_path: Path, choices: list[str]) -> None:
    columns = [
        Column("类别", choices=choices),
        Column("区域", choices=REGIONS),
        Column("类别2", choices=choices),
    ]
    path = tmp_path / "a.xlsx"
    names = write_workbook(path, [Sheet("名单", columns, [(choices[0], "城区", choices[-1])])])
    wb = _open(path)
    assert names == ["名单"]
    assert wb.sheetnames == ["名单", "_选项"]
    assert wb["_选项"].sheet_state == "hidden"
    assert [row[0] for row in _values(wb["_选项"])] == choices
    reference = f"'_选项'!$A$1:$A${len(choices)}"
    assert _validations(wb["名单"]) == {"A2": reference, "B2": '"' + ",".join(REGIONS) + '"', "C2": reference}


# --- row cap -------------------------------------------------------------------------------------


def _numbered(n: int) -> Iterator[tuple[str, int]]:
    return ((f"对象{i}", i) for i in range(n))


def test_rows_over_the_cap_continue_on_new_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 10)  # header + 9 data rows per sheet
    columns = [Column("名称", width=15), Column("区域", choices=REGIONS)]
    path = tmp_path / "a.xlsx"
    names = write_workbook(path, [Sheet("名单", columns, _numbered(25), dropdown_rows=3)])
    assert names == ["名单", "名单(2)", "名单(3)"]
    wb = _open(path)
    assert wb.sheetnames == names
    data: list[list[object]] = []
    for name, expected_rows in zip(names, [9, 9, 7], strict=True):
        ws = wb[name]
        rows = _values(ws)
        assert rows[0] == ["名称", "区域"]
        assert len(rows) == 1 + expected_rows
        assert ws.freeze_panes == "A2"
        assert _width(ws, "A") == pytest.approx(15.71, abs=0.01)
        data.extend(rows[1:])
    assert data == [[f"对象{i}", i] for i in range(25)]
    # Full sheets cover their data; only the last one gets the extra template rows (capped at the limit).
    assert [set(_validations(wb[n])) for n in names] == [{"B2:B10"}, {"B2:B10"}, {"B2:B10"}]


def test_exactly_full_sheet_has_no_empty_continuation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 10)
    path = tmp_path / "a.xlsx"
    assert write_workbook(path, [Sheet("名单", [Column("名称"), Column("n")], _numbered(9))]) == ["名单"]
    assert len(_values(_open(path)["名单"])) == 10


def test_continuation_with_title(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 10)  # title + header + 8 data rows
    path = tmp_path / "a.xlsx"
    names = write_workbook(path, [Sheet("名单", [Column("名称"), Column("n")], _numbered(17), title="标题")])
    assert names == ["名单", "名单(2)", "名单(3)"]
    wb = _open(path)
    assert [len(_values(wb[n])) - 2 for n in names] == [8, 8, 1]
    assert all(_values(wb[n])[:2] == [["标题", None], ["名称", "n"]] for n in names)


def test_real_cap_constant() -> None:
    assert xlsx_writer.ROW_CAP == 1_048_576


# --- names, files, errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025/06 抽查[结果]:汇总", "2025_06 抽查_结果__汇总"),
        ("a*b?c\\d", "a_b_c_d"),
        ("'引号'", "引号"),
        ("", "工作表"),
        ("History", "History_"),
        (
            "晋城市商务局双随机一公开抽查结果公示表二〇二五年度第一批成品油流通",
            "晋城市商务局双随机一公开抽查结果公示表二〇二五年度第一批成品油",
        ),
    ],
)
def test_safe_sheet_name(raw: str, expected: str) -> None:
    assert safe_sheet_name(raw) == expected
    assert len(safe_sheet_name(raw)) <= 31


def test_sheet_name_limit_counts_utf16_units() -> None:
    assert safe_sheet_name("𝐀" * 20) == "𝐀" * 15  # each is 2 units: 30 ≤ 31 < 32


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_safe_sheet_name_is_always_accepted_by_excel_rules(raw: str) -> None:
    name = safe_sheet_name(raw)
    assert 1 <= len(name) <= 31
    workbook = xlsxwriter.Workbook(None, {"in_memory": True})
    workbook.add_worksheet(name)  # raises InvalidWorksheetName on any illegal name


def test_duplicate_and_long_names_are_made_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 3)
    long_name = "一" * 40
    sheets = [
        Sheet("结果", [Column("a")], [("x",)]),
        Sheet("结果", [Column("a")], [("y",)]),
        Sheet(long_name, [Column("a")], [("1",), ("2",), ("3",)]),
    ]
    names = write_workbook(tmp_path / "a.xlsx", sheets)
    assert names == ["结果", "结果(2)", "一" * 31, "一" * 28 + "(2)"]
    assert _open(tmp_path / "a.xlsx").sheetnames == names


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(OutputError, match="已存在"):
        write_workbook(path, [Sheet("s", [Column("a")], [("x",)])])
    assert path.read_bytes() == b"old"
    write_workbook(path, [Sheet("s", [Column("a")], [("x",)])], force=True)
    assert _values(_open(path)["s"]) == [["a"], ["x"]]


def test_failing_row_source_leaves_no_file(tmp_path: Path) -> None:
    def rows() -> Iterator[tuple[str]]:
        yield ("a",)
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        write_workbook(tmp_path / "a.xlsx", [Sheet("s", [Column("a")], rows())])
    assert list(tmp_path.iterdir()) == []


def test_disk_full_while_zipping_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: object) -> None:
        raise FileCreateError(OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(xlsx_writer.Workbook, "close", full)
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(OutputError, match="磁盘空间已满"):
        write_workbook(path, [Sheet("s", [Column("a")], [("x",)])], force=True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def _raw_member(path: Path, name: str) -> bytes:
    """The stored (deflated) bytes of one zip member, as they are in the file."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = path.read_bytes()
    start = info.header_offset  # the local header: 30 bytes, then the name and the extra field
    name_len = int.from_bytes(data[start + 26 : start + 28], "little")
    extra_len = int.from_bytes(data[start + 28 : start + 30], "little")
    body = start + 30 + name_len + extra_len
    return data[body : body + info.compress_size]


def test_workbooks_are_deflated_at_the_fast_level_and_xlsxwriter_is_left_as_found(tmp_path: Path) -> None:
    rows = [(f"企业{n % 97}", n) for n in range(3000)]
    path = tmp_path / "a.xlsx"
    write_workbook(path, [Sheet("数据", [Column("名称"), Column("数量", kind="number")], rows)])
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    fast = zlib.compressobj(_xlsx_rows.ZIP_LEVEL, zlib.DEFLATED, -15)
    default = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    raw = _raw_member(path, "xl/worksheets/sheet1.xml")
    assert raw == fast.compress(sheet) + fast.flush()
    assert raw != default.compress(sheet) + default.flush()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # put back after the write


def test_zip_level_is_put_back_after_a_failed_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def full(self: object) -> None:
        seen.append(xlsxwriter.workbook.ZipFile)
        raise FileCreateError(OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(xlsx_writer.Workbook, "close", full)
    with pytest.raises(OutputError):
        write_workbook(tmp_path / "a.xlsx", [Sheet("s", [Column("a")], [("x",)])])
    assert seen and seen[0] is not zipfile.ZipFile
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def test_xlsxwriter_zipping_its_own_way_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Own(zipfile.ZipFile):
        pass

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", Own)
    path = tmp_path / "a.xlsx"
    write_workbook(path, [Sheet("s", [Column("a")], [(f"行{n}",) for n in range(2000)])])
    assert xlsxwriter.workbook.ZipFile is Own
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    default = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    assert _raw_member(path, "xl/worksheets/sheet1.xml") == default.compress(sheet) + default.flush()


def test_programming_errors_are_value_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "a.xlsx", [])
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "a.xlsx", [Sheet("s", [Column("a")], [], hidden=True)])
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "a.xlsx", [Sheet("s", [Column("a")], [("x", "extra")])])
    assert list(tmp_path.iterdir()) == []


def test_hidden_sheet_stays_hidden(tmp_path: Path) -> None:
    sheets = [Sheet("内部", [Column("a")], [("x",)], hidden=True), Sheet("公示", [Column("a")], [("y",)])]
    path = tmp_path / "a.xlsx"
    assert write_workbook(path, sheets) == ["内部", "公示"]
    wb = _open(path)
    assert [wb[n].sheet_state for n in wb.sheetnames] == ["hidden", "visible"]
    assert wb.active is not None and wb.active.title == "公示"


# --- charts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("horizontal", "direction"), [(False, "col"), (True, "bar")])
def test_bar_chart_over_written_data(tmp_path: Path, horizontal: bool, direction: str) -> None:
    columns = [Column("任务"), Column("应抽", kind="number"), Column("已完成", kind="number")]
    rows = [("成品油", 10, 4), ("再生资源", 6, 6), ("单用途卡", 3, 1)]
    chart = BarChart("进度/汇总", 0, [1, 2], "完成情况", "E2", horizontal=horizontal)
    path = tmp_path / "a.xlsx"
    write_workbook(path, [Sheet("进度/汇总", columns, rows)], charts=[chart])
    ws = _open(path)["进度_汇总"]
    [plotted] = ws._charts
    assert plotted.barDir == direction
    # Excel leaves sheet names made of letters (CJK included) unquoted in references.
    assert [s.val.numRef.f for s in plotted.series] == ["进度_汇总!$B$2:$B$4", "进度_汇总!$C$2:$C$4"]
    assert plotted.series[0].cat.strRef.f == "进度_汇总!$A$2:$A$4"
    assert plotted.series[0].tx.strRef.f == "进度_汇总!$B$1"
    # constant_memory cannot read cells back; the caches must still hold the plotted values.
    assert [p.v for p in plotted.series[0].cat.strRef.strCache.pt] == ["成品油", "再生资源", "单用途卡"]
    assert [float(p.v) for p in plotted.series[1].val.numRef.numCache.pt] == [4.0, 6.0, 1.0]


def test_chart_only_plots_the_first_part_of_a_long_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 4)
    path = tmp_path / "a.xlsx"
    rows = [(f"任务{i}", i) for i in range(5)]
    write_workbook(
        path, [Sheet("s", [Column("任务"), Column("n")], rows)], charts=[BarChart("s", 0, [1], "c", "D2")]
    )
    wb = _open(path)
    [plotted] = wb["s"]._charts
    assert plotted.series[0].val.numRef.f == "s!$B$2:$B$4"
    assert [float(p.v) for p in plotted.series[0].val.numRef.numCache.pt] == [0.0, 1.0, 2.0]
    assert wb["s(2)"]._charts == []


def test_chart_naming_unknown_sheet_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown sheet"):
        write_workbook(
            tmp_path / "a.xlsx",
            [Sheet("s", [Column("a")], [("x",)])],
            charts=[BarChart("t", 0, [1], "c", "C2")],
        )
    assert list(tmp_path.iterdir()) == []


# --- streamed row XML ----------------------------------------------------------------------------
# FastRowWriter writes each <row> as text instead of calling xlsxwriter once per cell. Its oracle is the
# package's fallback, PublicRowWriter (one public write_* call per cell): both must give byte-identical
# workbooks on the installed xlsxwriter.


def _force_path(patch: pytest.MonkeyPatch, path: str) -> None:
    problem = None if path == "fast" else "forced by the test"
    patch.setattr(_xlsx_rows, "fast_path_problem", lambda worksheet: problem)


def _require_known_xlsxwriter() -> None:
    problem = _xlsx_rows.library_problem()
    if problem:
        pytest.skip(f"the fast path is not used on this xlsxwriter: {problem}")


MIXED_COLUMNS = [
    Column("代码"),
    Column("数量", kind="number"),
    Column("日期", kind="date"),
    Column("比例", kind="percent"),
    Column("区域", choices=REGIONS),
]
SPECIAL_TEXTS = [
    "a & b < c > d",
    "\"双引号\" 'single'",
    "\x00\x01\x08\x0b\x0c\x1f",
    "tab\tnewline\ncr\r",
    " leading",
    "trailing ",
    "\u3000全角空格\u3000",
    "\xa0nbsp",
    "_x0041_",
    "_X00a1_ mixed case",
    "晋城市商务局",
    "😀 emoji 𝐀",
    "",
    "=1+1",
    "91140500MA0XXXXXXX",
]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {
            n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"
        }  # core: a timestamp


def _both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheets: Sequence[Sheet], charts: Sequence[BarChart] = ()
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    _require_known_xlsxwriter()
    streamed, per_cell = tmp_path / "streamed.xlsx", tmp_path / "per_cell.xlsx"
    with monkeypatch.context() as patch:
        _force_path(patch, "fast")
        write_workbook(streamed, sheets, force=True, charts=charts)
    with monkeypatch.context() as patch:
        _force_path(patch, "public")
        write_workbook(per_cell, sheets, force=True, charts=charts)
    return _parts(streamed), _parts(per_cell)


def test_streamed_rows_are_byte_identical_to_per_cell_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 12)  # continuation sheets too
    china = dt.timezone(dt.timedelta(hours=8))
    rows: list[tuple[object, ...]] = [(text, i, None, None, "城区") for i, text in enumerate(SPECIAL_TEXTS)]
    rows += [
        (None, None, None, None, None),  # no cells: no <row>
        (None, -0.0, dt.date(1900, 2, 28), 0.125, None),
        (7, 1e300, dt.date(1900, 3, 1), True, False),
        (2.5, 10**15 - 1, dt.datetime(2025, 3, 1, 9, 30, 15, 500), np.float64(0.5), np.bool_(False)),
        (Decimal("2.50"), 10**15, dt.datetime(2025, 3, 1, 9, 30, tzinfo=china), float("inf"), np.int64(3)),
        (pd.NA, pd.NaT, pd.Timestamp("2025-06-30 08:00"), float("nan"), Path("x")),
        ("last",),
        (None, None),  # trailing rows without cells leave the dimension alone
    ]
    sheets = [
        Sheet("名单", MIXED_COLUMNS, rows, title="标题", dropdown_rows=3),
        Sheet("空表", [Column("a", comment="说明")], []),
        Sheet("图", [Column("任务"), Column("n", kind="number")], [("甲", 1), ("乙", 2)]),
    ]
    streamed, per_cell = _both_ways(tmp_path, monkeypatch, sheets, [BarChart("图", 0, [1], "c", "D2")])
    assert streamed.keys() == per_cell.keys()
    assert {name for name in streamed if streamed[name] != per_cell[name]} == set()


def test_rows_typed_a_column_at_a_time_are_byte_identical_to_per_cell_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of equal-length rows are typed by column, each repeated value once: values that are equal
    but written differently (True and 1, 0.0 and -0.0) must not share a cell, a style first used in a
    later chunk must get its index in row order, and a too-long text is reported at its own row."""
    values: list[object] = ["城区", "a & b", " 空格", 1, True, 0.0, -0.0, None, dt.date(2024, 9, 2), 10**16]
    rows: list[tuple[object, ...]] = [("甲", None, None, None, None)] * 1000  # rows are chunked by 1000
    # First used in the second chunk, a percent in row 1002 and a date in row 1003 (column C before D).
    rows += [(None, None, None, 0.5, None), (None, None, dt.date(2024, 9, 2), None, None)]
    rows += [tuple(values[(n + col) % len(values)] for col in range(5)) for n in range(2498)]
    rows[3200] = ("late", dt.datetime(2025, 3, 1, 9, 30), False, 1.0, "晚")  # a style not used before
    rows[3400] = ("short",)  # a chunk of rows of different lengths
    streamed, per_cell = _both_ways(tmp_path, monkeypatch, [Sheet("名单", MIXED_COLUMNS, rows)])
    assert {name for name in streamed if streamed[name] != per_cell[name]} == set()
    too_long = "x" * 32_768
    rows[2300] = ("ok", 1, None, too_long, None)
    rows[2301] = (too_long, 1, None, None, None)  # first in its column, but in a later row
    with monkeypatch.context() as patch, pytest.raises(OutputError) as caught:
        _force_path(patch, "fast")
        write_workbook(tmp_path / "long.xlsx", [Sheet("名单", MIXED_COLUMNS, rows)], force=True)
    assert str(caught.value) == messages.XLSX_CELL_TOO_LONG.format(
        sheet="名单", row=2302, column="比例", letter="D", length=32_768
    )


def _xlsxwriter_escapes_it_faithfully(text: str) -> bool:
    # Where xlsxwriter itself changes the text, FastRowWriter deliberately differs (see _inline_text).
    overlapping = len(re.findall(r"(?=_x[0-9a-fA-F]{4}_)", text)) != len(
        re.findall(r"_x[0-9a-fA-F]{4}_", text)
    )
    rich_looking = text.startswith("<r>") and text.endswith("</r>")
    return not (overlapping or rich_looking)


_TRICKY_CHARACTERS = st.sampled_from(list("&<>\"' \t\n\r\x00\x1f\x0b_x0Ff晋😀\u3000\xa0\ufffe\uffff"))
_TEXTS = st.text(_TRICKY_CHARACTERS | st.characters(codec="utf-8"), max_size=12).filter(
    _xlsxwriter_escapes_it_faithfully
)
_VALUES = st.one_of(
    st.none(),
    _TEXTS,
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_VALUES, max_size=len(MIXED_COLUMNS)), max_size=6), st.booleans())
def test_streamed_rows_match_per_cell_writes_for_any_values(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[object]], titled: bool
) -> None:
    tmp_path = tmp_path_factory.mktemp("any")
    with pytest.MonkeyPatch.context() as monkeypatch:
        sheet = Sheet("s", MIXED_COLUMNS, rows, title="标题" if titled else None)
        streamed, per_cell = _both_ways(tmp_path, monkeypatch, [sheet])
    assert streamed == per_cell


def test_special_text_reads_back_unchanged(tmp_path: Path) -> None:
    texts = [
        *SPECIAL_TEXTS,
        "<r>x</r>",  # xlsxwriter would paste this in as rich-text XML and lose it
        "<r><t>y</t></r>",
        "_x005F_x0041_",  # xlsxwriter would escape only the first look-alike: Excel would show _x005FA
        "晋" * 32_767,
        "😀" * 16_383 + "a",  # 32,767 UTF-16 units
    ]
    path = tmp_path / "a.xlsx"
    ws = _simple(path, [(text, i) for i, text in enumerate(texts)])["数据"]
    # openpyxl leaves Excel's _xHHHH_ escapes in inline strings; calamine decodes them as Excel does.
    assert [unescape(ws.cell(row=i + 2, column=1).value or "") for i in range(len(texts))] == texts
    assert [ws.cell(row=i + 2, column=1).data_type for i in range(len(texts))] == ["s"] * len(texts)
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()
    assert [row[0] for row in calamine[1:]] == texts
    assert [row[1] for row in calamine[1:]] == list(range(len(texts)))


def test_values_read_back_with_both_readers(tmp_path: Path) -> None:
    columns = [Column("文本"), Column("数"), Column("日期", kind="date"), Column("是否")]
    rows: list[tuple[object, ...]] = [
        ("甲", 42, dt.date(2025, 3, 1), True),
        ("乙", -1.5, dt.datetime(2024, 2, 29, 23, 59, 59), False),
        (None, 123456789012345678, None, None),
        ("丙", 0.1, dt.date(1900, 3, 1), None),
    ]
    path = tmp_path / "a.xlsx"
    ws = _simple(path, rows, columns=columns)["数据"]
    assert _values(ws)[1:] == [
        ["甲", 42, dt.datetime(2025, 3, 1), True],
        ["乙", -1.5, dt.datetime(2024, 2, 29, 23, 59, 59), False],
        [None, "123456789012345678", None, None],
        ["丙", 0.1, dt.datetime(1900, 3, 1), None],
    ]
    assert [ws["C2"].number_format, ws["C3"].number_format] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"]
    assert [ws["A2"].number_format, ws["B2"].number_format] == ["@", "General"]
    calamine = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python(skip_empty_area=False)
    )
    assert calamine[1:] == [
        ["甲", 42, dt.date(2025, 3, 1), True],
        ["乙", -1.5, dt.datetime(2024, 2, 29, 23, 59, 59), False],
        ["", "123456789012345678", "", ""],
        ["丙", 0.1, dt.date(1900, 3, 1), ""],
    ]


@settings(max_examples=200, deadline=None)
@given(st.dates())
@example(dt.date(1899, 12, 31))
@example(dt.date(1900, 2, 28))  # serial 59; Excel's phantom 1900-02-29 is 60
@example(dt.date(1900, 3, 1))
def test_excel_date_serial_matches_xlsxwriter(day: dt.date) -> None:
    expected = _datetime_to_excel_datetime(day, date_1904=False, remove_timezone=False)
    assert xlsx_cells.excel_date(day) == expected


def test_row_writer_refuses_a_worksheet_it_cannot_stream_into() -> None:
    workbook = xlsxwriter.Workbook(None, {"in_memory": True})
    with pytest.raises(RuntimeError, match="constant_memory"):
        _xlsx_rows.FastRowWriter(
            workbook.add_worksheet("s"), xlsx_writer._Formats.create(workbook).layout("s", [Column("a")])
        )


# --- the guard and the public-API fallback ------------------------------------------------------


@pytest.fixture
def plain_worksheet(tmp_path: Path) -> Iterator[object]:
    """A worksheet as write_workbook makes them (in_memory would switch constant_memory off)."""
    workbook = xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"), xlsx_writer.WORKBOOK_OPTIONS)
    yield workbook.add_worksheet("s")
    workbook.close()


def test_guard_takes_the_fast_path_on_the_installed_xlsxwriter(plain_worksheet: object) -> None:
    if tuple(int(part) for part in xlsxwriter.__version__.split(".")[:2]) not in _xlsx_rows.KNOWN_SERIES:
        pytest.skip(f"xlsxwriter {xlsxwriter.__version__} is not a verified series")
    assert _xlsx_rows.library_problem() is None
    assert _xlsx_rows.row_path(plain_worksheet) == "fast"


def _fallback_sheets() -> list[Sheet]:
    rows: list[tuple[object, ...]] = [(text, i, None, None, "城区") for i, text in enumerate(SPECIAL_TEXTS)]
    rows += [
        (None, -0.0, dt.date(1900, 2, 28), 0.125, None),
        (7, 1e300, dt.date(2025, 3, 1), True, False),
        (2.5, 10**15, dt.datetime(2025, 3, 1, 9, 30, 15, 500), float("inf"), Decimal("2.50")),
    ]
    return [
        Sheet("名单", MIXED_COLUMNS, rows, title="标题", dropdown_rows=3),
        Sheet("图", [Column("任务"), Column("n", kind="number")], [("甲", 1), ("乙", 2)]),
    ]


def test_unknown_xlsxwriter_falls_back_to_the_public_api_with_identical_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_worksheet: object
) -> None:
    _require_known_xlsxwriter()  # the fast path is the reference here
    monkeypatch.setattr(xlsx_writer, "ROW_CAP", 12)  # continuation sheets too
    charts = [BarChart("图", 0, [1], "c", "D2")]
    fast, fallback = tmp_path / "fast.xlsx", tmp_path / "fallback.xlsx"
    write_workbook(fast, _fallback_sheets(), charts=charts)
    used: list[str] = []
    real_public = _xlsx_rows.PublicRowWriter
    with monkeypatch.context() as patch:
        patch.setattr(xlsxwriter, "__version__", "3.99.0")  # a release the guard does not know
        patch.setattr(_xlsx_rows, "FastRowWriter", None)  # must not even be built
        patch.setattr(
            _xlsx_rows, "PublicRowWriter", lambda *args: used.append("public") or real_public(*args)
        )
        assert _xlsx_rows.row_path(plain_worksheet) == "public"
        names = write_workbook(fallback, _fallback_sheets(), charts=charts)
    assert names == ["名单", "名单(2)", "图"]
    assert used == ["public"] * 3
    assert _parts(fallback) == _parts(fast)
    fast_book, fallback_book = _open(fast), _open(fallback)
    for name in names:
        assert _values(fallback_book[name]) == _values(fast_book[name])
    assert _values(fallback_book["名单"])[2][0] == "a & b < c > d"


def _with_signature(owner: type, name: str, extra: str) -> object:
    """``owner.name`` still working (xlsxwriter's public API calls it) but with one more parameter."""
    original = getattr(owner, name)
    namespace: dict[str, object] = {"original": original}
    exec(f"def changed(self, *args, {extra}=None):\n    return original(self, *args)", namespace)
    return namespace["changed"]


@pytest.mark.parametrize(
    "break_it",
    [
        lambda patch: patch.setattr(xlsxwriter, "__version__", "4.0.0"),
        lambda patch: patch.setattr(xlsxwriter, "__version__", "3.2.9"),
        lambda patch: patch.setattr(
            _xlsx_rows,
            "_NEEDED_METHODS",
            (*_xlsx_rows._NEEDED_METHODS, (xlsxwriter.worksheet.Worksheet, "_gone", ("self",))),
        ),
        lambda patch: patch.setattr(
            xlsxwriter.format.Format,
            "_get_xf_index",
            _with_signature(xlsxwriter.format.Format, "_get_xf_index", "theme"),
        ),
        lambda patch: patch.setattr(
            xlsxwriter.worksheet.Worksheet,
            "_write_single_row",
            _with_signature(xlsxwriter.worksheet.Worksheet, "_write_single_row", "spans"),
        ),
    ],
    ids=["newer-version", "older-version", "missing-method", "changed-signature", "changed-row-flush"],
)
def test_guard_refuses_an_xlsxwriter_it_does_not_know(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, break_it: object, plain_worksheet: object
) -> None:
    break_it(monkeypatch)  # type: ignore[operator]
    assert _xlsx_rows.library_problem() is not None
    assert _xlsx_rows.row_path(plain_worksheet) == "public"
    rows = [("=1+1", 1, dt.date(2025, 3, 1), 0.5, "城区")]
    ws = _simple(tmp_path / "a.xlsx", rows, columns=MIXED_COLUMNS)["数据"]
    assert _values(ws)[1] == ["=1+1", 1, dt.datetime(2025, 3, 1), 0.5, "城区"]


def test_guard_refuses_a_worksheet_with_row_attributes(plain_worksheet: Any) -> None:
    assert _xlsx_rows.row_path(plain_worksheet) == "fast" or _xlsx_rows.library_problem()
    plain_worksheet.set_default_row(30)  # every <row> would need ht=
    assert _xlsx_rows.row_path(plain_worksheet) == "public"
    assert "constant_memory" in (_xlsx_rows.worksheet_problem(plain_worksheet) or "")


def test_fallback_keeps_texts_xlsxwriter_would_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["<r>x</r>", "<r><t>y</t></r>", "_x005F_x0041_", "<r> _x0041_ & </r>", "a_x0041_x0042_b"]
    path = tmp_path / "a.xlsx"
    with monkeypatch.context() as patch:
        _force_path(patch, "public")
        ws = _simple(path, [(text, i) for i, text in enumerate(texts)])["数据"]
    # Plain rich-text runs, none holding an escape: openpyxl's text is the cell's text as it is.
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(texts))] == texts
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()
    assert [row[0] for row in calamine[1:]] == texts


def test_fallback_refuses_text_no_public_call_can_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _force_path(monkeypatch, "public")
    with pytest.raises(OutputError) as caught:
        _simple(tmp_path / "a.xlsx", [("ok", 1), ("<r>\x01</r>", 2)], columns=[Column("备注"), Column("n")])
    assert str(caught.value) == messages.XLSX_TEXT_NEEDS_FAST_WRITER.format(
        sheet="数据", row=3, column="备注", letter="A", version=xlsxwriter.__version__
    )
    assert list(tmp_path.iterdir()) == []
