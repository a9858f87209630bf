"""The workbook guard: hostile workbooks are measured and refused before python-calamine parses them.

Bare python-calamine is only run on hostile files in a subprocess with a capped address space, because
its failures abort the whole process. Everything else runs the guard in-process: the measured extent
must equal calamine's own on normal files (openpyxl, xlsxwriter, random sheets in calamine's rules).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path
from typing import Any

import hostile_books as hb
import openpyxl
import pytest
import python_calamine
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jcdraw import messages
from jcdraw.io import xlsx_guard
from jcdraw.io.xlsx_extent import SheetMeasure
from jcdraw.io.xlsx_guard import GuardedWorkbook
from jcdraw.io.xlsx_layout import read_layout
from jcdraw.io.xlsx_measure import measure_sheet
from jcdraw.io.xlsx_parts import (
    CalamineFailed,
    MalformedWorkbook,
    PartTooLarge,
    SheetGuardError,
    SheetTooLarge,
    cell_attributes,
    cell_name,
    inflate_chunks,
    parse_ref,
)

ROOT = Path(__file__).resolve().parents[1]
SHEET1 = hb.SHEET1
ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

BARE_READ = textwrap.dedent("""
    import resource, sys
    cap = 8 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    print(len(rows))
""")


def run_bare_calamine(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BARE_READ, str(path)], capture_output=True, text=True, timeout=120
    )


def calamine_extent(path: Path, sheet: str | None = None) -> tuple[int, int, int, int] | None:
    """(first row 1-based, last row, first col, last col) of the cells calamine keeps (small files only)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    data = book.get_sheet_by_name(sheet or book.sheet_names[0])
    if data.start is None or data.end is None or data.height == 0:
        return None
    (r0, c0), (r1, c1) = data.start, data.end
    return r0 + 1, r1 + 1, c0, c1


def extent(m: SheetMeasure) -> tuple[int, int, int, int] | None:
    if m.first_row is None or m.last_row is None or m.first_col is None or m.last_col is None:
        return None
    return m.first_row, m.last_row, m.first_col, m.last_col


def one_sheet(path: Path, data: str, **kw: Any) -> Path:
    prefix = kw.pop("prefix", "")
    return hb.write_book(path, [("Sheet1", hb.sheet_xml(data, prefix=prefix))], prefix=prefix, **kw)


# --- only the guard touches calamine -----------------------------------------------------------------


def test_python_calamine_is_imported_only_by_the_guard() -> None:
    importers = set()
    for path in (ROOT / "jcdraw").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "python_calamine" for name in names):
                importers.add(str(path.relative_to(ROOT)))
    assert importers == {"jcdraw/io/xlsx_guard.py"}


# --- the far cell -----------------------------------------------------------------------------------


def test_far_cell_workbook_is_tiny_and_refused_with_the_cell_and_bound_named(tmp_path: Path) -> None:
    path = hb.far_cell_book(tmp_path / "far.xlsx")
    assert path.stat().st_size < 4096
    with pytest.raises(SheetTooLarge) as caught:
        measure_sheet(path, SHEET1, sheet="检查对象")
    assert str(caught.value) == messages.GUARD_GRID_TOO_LARGE.format(
        path=path, sheet="检查对象", rows=1_048_576, cols=16_384, cell="XFD1048576",
        cells=1_048_576 * 16_384, bound=33_554_432, gb=33_554_432 * 48 / 1e9,
    )  # fmt: skip
    assert "33,554,432" in str(caught.value) and "1.6 GB" in str(caught.value)


@pytest.mark.skipif(sys.platform != "linux", reason="caps the address space with RLIMIT_AS")
def test_far_cell_kills_bare_calamine(tmp_path: Path) -> None:
    """Why the guard exists: without it, this 1.6 KB file ends the process with no Python exception."""
    bare = run_bare_calamine(hb.far_cell_book(tmp_path / "far.xlsx"))
    assert bare.returncode != 0
    assert "memory allocation" in bare.stderr or "panicked" in bare.stderr


@pytest.mark.parametrize(
    ("data", "cell"),
    [
        # a lone far cell: calamine overflows a u32 (panic) or silently returns an empty grid
        ('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "XFD1048576"),
        ('<row r="262145"><c r="XFD262145"><v>1</v></c></row>', "XFD262145"),
        # no r on the cell: its column follows the previous cell's
        (
            '<row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="1048576"><c r="XFC1048576"/><c><v>3</v></c></row>',
            "XFD1048576",
        ),
        # no r on the row either: the row follows the previous </row>
        (
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048575"><c r="A1048575"/></row>'
            '<row><c r="XFD1048576"><is><t>x</t></is></c></row>',
            "XFD1048576",
        ),
        # a second r attribute: calamine keeps the last one it sees
        ('<row r="1"><c r="A1"><v>1</v></c><c r="B1" r="XFD1048576"><v>2</v></c></row>', "XFD1048576"),
    ],
    ids=["lone-far", "u32-wrap", "cell-without-r", "row-without-r", "second-r"],
)
def test_hostile_positions_are_refused_by_both_passes(tmp_path: Path, data: str, cell: str) -> None:
    path = one_sheet(tmp_path / "h.xlsx", data)
    for force_precise in (False, True):
        with pytest.raises(SheetTooLarge, match=cell):
            measure_sheet(path, SHEET1, force_precise=force_precise)


def test_cells_beyond_excel_are_refused_even_when_calamine_would_read_them(tmp_path: Path) -> None:
    columns = one_sheet(
        tmp_path / "xfe.xlsx", '<row r="1"><c r="A1"><v>1</v></c><c r="XFE1"><v>1</v></c></row>'
    )
    with pytest.raises(SheetTooLarge, match=r"XFE1.*超出了 Excel 的范围"):
        measure_sheet(columns, SHEET1)
    rows = one_sheet(tmp_path / "row.xlsx", '<row r="2000000"><c r="A2000000"><v>1</v></c></row>')
    with pytest.raises(SheetTooLarge, match="A2000000"):
        measure_sheet(rows, SHEET1)


def test_a_prefixed_far_cell_is_refused(tmp_path: Path) -> None:
    data = (
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
    )
    with pytest.raises(SheetTooLarge, match="XFD1048576"):
        measure_sheet(one_sheet(tmp_path / "pfx.xlsx", data, prefix="x"), SHEET1)


@pytest.mark.parametrize(
    ("data", "before", "after"),
    [
        (
            '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>',
            '<dimension ref="A1:XFD1048576"/>',
            "",
        ),
        (
            '<row r="1"><c r="A1"><v>1</v></c></row>',
            "",
            '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        ),
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>', "", ""),
        ('<row r="1"><c r="A1"><v>1</v></c></row><!-- <c r="XFD1048576"><v>1</v></c> -->', "", ""),
    ],
    ids=["dimension-only", "merge-only", "empty-styled-far-cell", "far-cell-in-comment"],
)
def test_far_references_that_calamine_does_not_keep_are_accepted(
    tmp_path: Path, data: str, before: str, after: str
) -> None:
    path = hb.write_book(tmp_path / "ok.xlsx", [("Sheet1", hb.sheet_xml(data, before=before, after=after))])
    measure = measure_sheet(path, SHEET1)
    assert extent(measure) == calamine_extent(path)
    assert measure.grid_cells <= 2


def test_a_full_width_row_is_accepted(tmp_path: Path) -> None:
    path = one_sheet(tmp_path / "wide.xlsx", '<row r="1">' + "<c><v>1</v></c>" * 16384 + "</row>")
    measure = measure_sheet(path, SHEET1)
    assert extent(measure) == (1, 1, 0, 16383) == calamine_extent(path)
    assert measure.precise  # cells without r go through the precise pass


# --- inflating: counted, not declared --------------------------------------------------------------


def test_a_small_bound_stops_inflating_as_soon_as_it_is_passed(tmp_path: Path) -> None:
    path = hb.deflate_bomb(tmp_path / "bomb.xlsx", 200 * 1024**2)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET1).file_size < 1024**2  # the zip lies about the size
    started = time.perf_counter()
    with pytest.raises(PartTooLarge) as caught:
        measure_sheet(path, SHEET1, max_inflated_bytes=8 * 1024**2)
    assert time.perf_counter() - started < 2
    assert str(caught.value) == messages.GUARD_PART_TOO_LARGE.format(path=path, part=SHEET1, bound="8 MB")


def test_bomb_bytes_are_counted_as_inflated(tmp_path: Path) -> None:
    path = hb.deflate_bomb(tmp_path / "bomb.xlsx", 20 * 1024**2)
    total = sum(map(len, inflate_chunks(path, SHEET1, 1 << 40)))
    head, tail = hb.sheet_xml("@").split("@")
    assert total == len(head.encode()) + len(tail.encode()) + 20 * len(hb.BOMB_BLOCK)
    assert measure_sheet(path, SHEET1, max_inflated_bytes=total).inflated_bytes == total
    with pytest.raises(PartTooLarge):
        measure_sheet(path, SHEET1, max_inflated_bytes=total - 1)


def test_repeated_positions_are_counted_as_records(tmp_path: Path) -> None:
    """calamine keeps every valued cell, even 1,000 times at A1 (40 bytes each): the record bound."""
    path = one_sheet(tmp_path / "dup.xlsx", '<row r="1">' + '<c r="A1"><v>1</v></c>' * 1000 + "</row>")
    assert extent(measure_sheet(path, SHEET1, max_records=1000)) == (1, 1, 0, 0) == calamine_extent(path)
    for force_precise in (False, True):
        with pytest.raises(SheetTooLarge, match="超过 999 个单元格记录"):
            measure_sheet(path, SHEET1, max_records=999, chunk_bytes=4096, force_precise=force_precise)


def test_a_byte_estimate_over_the_record_bound_is_replaced_by_a_count(tmp_path: Path) -> None:
    """Records are estimated at 20 bytes a cell while that stays under the bound; real cells are longer,
    so a large legitimate sheet crossing it is counted (one more cheap pass), not sent to the slow
    precise pass."""
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>名称{r}</t></is></c></row>' for r in range(1, 1001)
    )
    path = one_sheet(tmp_path / "big.xlsx", cells)
    measure = measure_sheet(path, SHEET1, max_records=2000)
    assert (measure.cell_records, measure.precise) == (1000, False)
    with pytest.raises(SheetTooLarge, match="超过 999 个单元格记录"):
        measure_sheet(path, SHEET1, max_records=999)


def test_a_duplicate_cell_bomb_is_refused_by_the_record_bound(tmp_path: Path) -> None:
    block = b'<row r="1"><c r="A1"><v>1</v></c></row>' * 26_000
    path = hb.deflate_bomb(tmp_path / "cells.xlsx", 64 * 1024**2, block=block)
    with pytest.raises(SheetTooLarge, match="单元格记录"):
        measure_sheet(path, SHEET1, max_records=1_000_000)


# --- normal workbooks: the measured extent is calamine's --------------------------------------------


def test_openpyxl_workbook_extent_and_error_cells(tmp_path: Path) -> None:
    path = tmp_path / "openpyxl.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检查结果"
    sheet["C3"] = "统一社会信用代码"
    for row in range(4, 40):
        sheet.cell(row=row, column=3, value=f"91140500MA{row:08d}")
        sheet.cell(row=row, column=5, value=row * 1.5)
    sheet["F17"].value = "#N/A"
    sheet["F17"].data_type = "e"
    sheet["B2"].style = "Good"  # a styled empty cell inside the data extent
    book.save(path)
    [entry] = read_layout(path).sheets
    measure = measure_sheet(path, entry.parts[0])
    assert extent(measure) == (3, 39, 2, 5) == calamine_extent(path)
    assert measure.grid_cells == 39 * 6
    assert measure.error_cells == ((17, 5, "#N/A"),)
    assert not measure.precise


def test_xlsxwriter_workbook_extent_error_cells_and_sheet_states(tmp_path: Path) -> None:
    path = tmp_path / "xlsxwriter.xlsx"
    book = xlsxwriter.Workbook(str(path))
    first = book.add_worksheet("登记表")
    for row in range(1, 501):
        first.write_row(row, 0, [f"名称{row}", row, row / 7, True])
    first.write_formula(250, 6, "=NA()", None, "#N/A")
    first.write_formula(300, 2, "=1/0", None, "#DIV/0!")
    hidden = book.add_worksheet("备用")
    hidden.write(0, 0, "x")
    hidden.hide()
    book.add_worksheet("空表")
    book.close()
    layout = read_layout(path)
    assert [(e.name, e.state) for e in layout.sheets] == [
        ("登记表", "visible"),
        ("备用", "hidden"),
        ("空表", "visible"),
    ]
    measure = measure_sheet(path, layout.sheets[0].parts[0])
    assert extent(measure) == (2, 501, 0, 6) == calamine_extent(path, "登记表")
    assert measure.error_cells == ((251, 6, "#N/A"), (301, 2, "#DIV/0!"))
    empty = measure_sheet(path, layout.sheets[2].parts[0])
    assert extent(empty) is None and empty.grid_cells == 0


def test_guarded_workbook_reads_what_calamine_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["a", "b"])
    sheet.write_row(1, 0, [1, 2])
    sheet.write_formula(2, 1, "=NA()", None, "#N/A")
    book.close()
    guarded = GuardedWorkbook.open(path)
    assert guarded.sheet_names == ["数据"]
    assert guarded.rows("数据") == [["a", "b"], [1.0, 2.0], ["", ""]]
    assert guarded.error_cells("数据") == [(3, 1, "#N/A")]
    guarded.close()


# --- every path to calamine is measured first ------------------------------------------------------


def test_calamine_is_not_reached_for_a_hostile_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = hb.far_cell_book(tmp_path / "far.xlsx")
    guarded = GuardedWorkbook.open(path)

    class Untouchable:
        def get_sheet_by_name(self, name: str) -> Any:
            raise AssertionError("calamine reached")

    guarded._book = Untouchable()
    with pytest.raises(SheetTooLarge):
        guarded.rows("Sheet1")
    with pytest.raises(SheetTooLarge):
        guarded.error_cells("Sheet1")


def test_absurd_shared_string_count_is_refused_before_calamine_opens_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sst = hb.shared_strings_xml(["甲"], unique_count=10**13)
    path = one_sheet(
        tmp_path / "sst.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared_strings=sst
    )

    def must_not_open(*args: object) -> None:
        raise AssertionError("calamine reached")

    monkeypatch.setattr(xlsx_guard.python_calamine.CalamineWorkbook, "from_path", must_not_open)
    with pytest.raises(SheetGuardError) as caught:
        GuardedWorkbook.open(path)
    assert str(caught.value) == messages.GUARD_TOO_MANY_STRINGS.format(path=path, count=10**13, bound=1 << 25)


def test_shared_string_count_hidden_behind_a_comment_is_still_checked(tmp_path: Path) -> None:
    sst = hb.shared_strings_xml(["甲"], unique_count=10**13).replace(
        "<sst ", '<!-- <sst uniqueCount="1"> --><sst '
    )
    path = one_sheet(
        tmp_path / "sst.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared_strings=sst
    )
    with pytest.raises(SheetGuardError, match="共享字符串"):
        read_layout(path)


def shared_text_book(path: Path, strings: list[str], indexes: list[int], *, form: str = "") -> Path:
    """A sheet whose cells refer to shared strings; ``form`` spells each cell's tag another way."""
    cells = {
        "": '<c r="A{row}" t="s"><v>{index}</v></c>',
        "reordered": '<c t=\'s\' s="1" r="A{row}"><v>{index}</v></c>',
        "spaced": '<c r="A{row}"  t = "s" ><f>A1</f><v> {index} </v></c>',
    }[form]
    rows = "".join(
        f'<row r="{n}">' + cells.format(row=n, index=i) + "</row>" for n, i in enumerate(indexes, 1)
    )
    return one_sheet(path, rows, shared_strings=hb.shared_strings_xml(strings))


def test_a_long_shared_string_copied_into_many_cells_is_refused(tmp_path: Path) -> None:
    """80,000 cells × one 32,767-character string: a ~200 KB file that would expand to 2.6 GB of text."""
    path = shared_text_book(tmp_path / "copies.xlsx", ["a" * 32_767], [0] * 80_000)
    assert path.stat().st_size < 500_000
    guarded = GuardedWorkbook.open(path)
    guarded._book = None  # never reached
    with pytest.raises(SheetTooLarge) as caught:
        guarded.rows("Sheet1")
    size = f"{80_000 * len(b'><t>' + b'a' * 32_767 + b'</t></si></sst>') / 1024**3:.1f} GB"
    expected = messages.GUARD_SHARED_TEXT_TOO_LARGE.format(
        path=path, sheet="Sheet1", size=size, bound="2.0 GB"
    )
    assert str(caught.value) == expected


@pytest.mark.parametrize("form", ["", "reordered", "spaced"])
def test_shared_text_is_summed_per_cell_whatever_the_tag_looks_like(tmp_path: Path, form: str) -> None:
    from jcdraw.io.xlsx_strings import shared_text_bytes, string_lengths

    path = shared_text_book(tmp_path / "sum.xlsx", ["a" * 100, "bb", "名称"], [0, 1, 1, 2, 2, 2], form=form)
    lengths = string_lengths(path, "xl/sharedStrings.xml", 1 << 30)
    # after each '<si' up to the next: '><t>' + text + '</t></si>' (the last runs on to '</sst>')
    assert lengths.tolist() == [4 + 100 + 9, 4 + 2 + 9, 4 + 6 + 9 + len("</sst>")]
    assert shared_text_bytes(path, "xl/sharedStrings.xml", SHEET1, 1 << 30) == 113 + 2 * 15 + 3 * 25
    assert measure_sheet(path, SHEET1).shared_cells == 6


def test_many_short_shared_strings_beside_one_long_one_are_read(tmp_path: Path) -> None:
    """The cheap bound (cells × longest string) says maybe; the exact sum says no: the sheet is read."""
    path = shared_text_book(tmp_path / "mixed.xlsx", ["x" * 32_767, "甲"], [0] + [1] * 70_000)
    layout = read_layout(path)
    assert measure_sheet(path, SHEET1).shared_cells * layout.longest_string > 2 << 30
    rows = GuardedWorkbook.open(path).rows("Sheet1")
    assert len(rows) == 70_001 and rows[0] == ["x" * 32_767] and rows[-1] == ["甲"]


def test_a_real_calamine_panic_becomes_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the measure switched off, a lone XFD1048576 makes calamine panic (u32 overflow): the panic, a
    BaseException, comes back as CalamineFailed with a Chinese message naming the file and sheet."""
    path = one_sheet(tmp_path / "lone.xlsx", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    guarded = GuardedWorkbook.open(path)
    monkeypatch.setattr(guarded, "measure", lambda sheet: None)
    with pytest.raises(CalamineFailed) as caught:
        guarded.rows("Sheet1")
    text = str(caught.value)
    assert text.startswith(f"读取文件“{path}”的工作表“Sheet1”时，Excel 读取组件（python-calamine）内部出错（")
    assert text.endswith("文件可能已损坏，请用 Excel 打开后另存为 .xlsx 再试。")


def test_an_extension_that_would_pick_another_calamine_reader_is_read_as_xlsx(tmp_path: Path) -> None:
    path = one_sheet(tmp_path / "registry.ods", '<row r="1"><c r="A1"><v>7</v></c></row>')
    guarded = GuardedWorkbook.open(path)
    assert guarded.rows("Sheet1") == [[7.0]]
    alias = guarded._alias
    assert alias is not None and alias.suffix == ".xlsx"
    guarded.close()  # closes calamine's handle first: Windows would not delete an open alias
    assert not alias.exists() and path.is_file()
    with pytest.raises(python_calamine.WorkbookClosed):
        guarded._book.get_sheet_by_name("Sheet1")


# --- parts resolved the way calamine resolves them -------------------------------------------------


def test_parts_are_resolved_like_calamine(tmp_path: Path) -> None:
    """_rels/.rels decides the workbook folder; member names match case-insensitively."""
    path = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", hb.CONTENT_TYPES)
        archive.writestr("_rels/.rels", hb.PACKAGE_RELS.replace("xl/workbook.xml", "/Book/Workbook.xml"))
        archive.writestr("book/workbook.xml", hb.workbook_xml([("S", None)]))
        archive.writestr("BOOK/_rels/workbook.xml.rels", hb.workbook_rels(1))
        archive.writestr(
            "Book/Worksheets/Sheet1.XML", hb.sheet_xml('<row r="1"><c r="B2"><v>1</v></c></row>')
        )
        archive.writestr("xl/workbook.xml", hb.workbook_xml([("decoy", None)]))
    layout = read_layout(path)
    assert [(e.name, e.parts) for e in layout.sheets] == [("S", ("Book/Worksheets/Sheet1.XML",))]
    assert calamine_extent(path, "S") == (2, 2, 1, 1)
    assert extent(measure_sheet(path, layout.sheets[0].parts[0])) == (2, 2, 1, 1)


def test_member_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    path = one_sheet(tmp_path / "dup.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(
            "XL/Worksheets/Sheet1.xml", hb.sheet_xml('<row r="9"><c r="XFD9"><v>1</v></c></row>')
        )
    with pytest.raises(MalformedWorkbook, match="同名部件"):
        read_layout(path)


def test_every_target_of_a_repeated_relationship_id_is_measured(tmp_path: Path) -> None:
    path = tmp_path / "rels.xlsx"
    rels = hb.workbook_rels(1).replace(
        "</Relationships>",
        f'<Relationship Id="rId1" Type="{hb.WORKSHEET_TYPE}" Target="worksheets/sheet2.xml"/>'
        "</Relationships>",
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", hb.CONTENT_TYPES)
        archive.writestr("_rels/.rels", hb.PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", hb.workbook_xml([("S", None)]))
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr(SHEET1, hb.sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
        archive.writestr("xl/worksheets/sheet2.xml", hb.sheet_xml(hb.far_cell_data()))
    assert read_layout(path).sheets[0].parts == (SHEET1, "xl/worksheets/sheet2.xml")
    with pytest.raises(SheetTooLarge):
        GuardedWorkbook.open(path).rows("S")  # calamine's HashMap keeps the last target: the far sheet


# --- the fast pass agrees with the precise pass and with calamine, whatever the chunking -----------


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, str, list[tuple[int, int, str]]]:
    """Random small sheets in calamine's position rules: (xml, prefix, expected error cells)."""
    prefix = draw(st.sampled_from(["", "", "x"]))
    p = f"{prefix}:" if prefix else ""
    parts: list[str] = []
    errors: list[tuple[int, int, str]] = []
    row_index = 0
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            row_index = draw(st.integers(0, 40))
            parts.append(f'<{p}row r="{row_index + 1}" spans="1:9">')
        else:
            parts.append(f"<{p}row>")
        col_index = 0
        for _ in range(draw(st.integers(0, 8))):
            kind = draw(st.sampled_from(["num", "inline", "error", "empty", "bool", "comment"]))
            if kind == "comment":
                parts.append('<!-- <c r="XFD1048576"><v>1</v></c> -->')
                continue
            if draw(st.booleans()):
                col_index = draw(st.integers(0, 30))
                row = draw(st.sampled_from([row_index, row_index, draw(st.integers(0, 40))]))
                ref = f' r="{cell_name(row + 1, col_index)}"'
            else:
                row, ref = row_index, ""
            style = draw(st.sampled_from(["", ' s="3"', '\ts="12"']))
            if kind == "num":
                parts.append(f"<{p}c{ref}{style}><{p}v>{draw(st.integers(0, 99))}</{p}v></{p}c>")
            elif kind == "bool":
                parts.append(f'<{p}c{ref} t="b"{style}><{p}v>1</{p}v></{p}c>')
            elif kind == "inline":
                parts.append(f'<{p}c{ref}{style} t="inlineStr"><{p}is><{p}t>名&amp;称</{p}t></{p}is></{p}c>')
            elif kind == "error":
                text = draw(st.sampled_from(ERRORS))
                parts.append(f'<{p}c{ref} t="e"{style}><{p}f>A1/0</{p}f><{p}v>{text}</{p}v></{p}c>')
                errors.append((row + 1, col_index, text))
            else:
                parts.append(f"<{p}c{ref}{style}/>")
            col_index += 1
        parts.append(f"</{p}row>")
        row_index += 1
    return "".join(parts), prefix, errors


@PROPERTY
@given(sheet=sheets(), chunk=st.integers(1, 300), overlap=st.sampled_from([64, 200, 4096]))
def test_fast_and_precise_passes_agree_with_calamine(
    tmp_path: Path, sheet: tuple[str, str, list[tuple[int, int, str]]], chunk: int, overlap: int
) -> None:
    data, prefix, errors = sheet
    path = one_sheet(tmp_path / "h.xlsx", data, prefix=prefix)
    expected = calamine_extent(path)
    fast = measure_sheet(path, SHEET1, chunk_bytes=chunk, overlap=overlap)
    precise = measure_sheet(path, SHEET1, chunk_bytes=chunk, force_precise=True)
    assert extent(precise) == expected
    # The fast pass counts empty <c r> cells too: its extent covers calamine's, and equals it when the
    # precise pass decided.
    got = extent(fast)
    if expected is not None:
        assert got is not None
        assert (
            got[0] <= expected[0]
            and got[1] >= expected[1]
            and got[2] <= expected[2]
            and got[3] >= expected[3]
        )
        assert got == expected or not fast.precise
    assert sorted(fast.error_cells) == sorted(precise.error_cells) == sorted(errors)
    assert fast.inflated_bytes == precise.inflated_bytes


@PROPERTY
@given(cut=st.integers(1, 400), far_col=st.integers(40, 16383), far_row=st.integers(2000, 1048576))
def test_a_far_cell_at_any_chunk_boundary_is_found(
    tmp_path: Path, cut: int, far_col: int, far_row: int
) -> None:
    filler = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>' for r in range(1, 40)
    )
    far = f'<row r="{far_row}"><c r="{cell_name(far_row, far_col)}"><v>1</v></c></row>'
    path = one_sheet(tmp_path / "f.xlsx", filler + far)
    for chunk in (cut, cut + 4096):  # the 39 filler rows × 2 columns fit in 1,000 cells, the far cell not
        with pytest.raises(SheetTooLarge, match=cell_name(far_row, far_col)):
            measure_sheet(path, SHEET1, chunk_bytes=chunk, overlap=64, max_cells=1000)


@PROPERTY
@given(
    cells=st.lists(
        st.tuples(
            st.integers(1, 300),
            st.integers(0, 60),
            st.sampled_from(["num", "inline", "error", "empty", "styled", "tab", "typed-first", "second-r"]),
        ),
        min_size=1,
        max_size=60,
    ),
    prefix=st.sampled_from(["", "x"]),
    chunk=st.integers(1, 5000),
    overlap=st.sampled_from([64, 512, 4096]),
)
def test_fast_pass_is_exact_when_every_cell_has_a_reference(
    tmp_path: Path, cells: list[tuple[int, int, str]], prefix: str, chunk: int, overlap: int
) -> None:
    p = f"{prefix}:" if prefix else ""
    parts = []
    for row, col, kind in cells:
        ref = cell_name(row, col)
        parts.append(
            {
                "num": f'<{p}c r="{ref}"><{p}v>{row}</{p}v></{p}c>',
                "inline": f'<{p}c r="{ref}" s="2" t="inlineStr"><{p}is><{p}t>甲</{p}t></{p}is></{p}c>',
                "error": f'<{p}c r="{ref}" t="e"><{p}v>#REF!</{p}v></{p}c>',
                "empty": f'<{p}c r="{ref}" s="1"/>',
                "styled": f'<{p}c r="{ref}" s="1"></{p}c>',
                "tab": f'<{p}c\tr="{ref}"\ts="4"><{p}v>1</{p}v></{p}c>',
                "typed-first": f'<{p}c t="n" r="{ref}" s="3"><{p}v>2</{p}v></{p}c>',
                "second-r": f'<{p}c r="A1" r="{ref}"><{p}v>3</{p}v></{p}c>',
            }[kind]
        )
    path = one_sheet(tmp_path / "r.xlsx", f"<{p}row>" + "".join(parts) + f"</{p}row>", prefix=prefix)
    fast = measure_sheet(path, SHEET1, chunk_bytes=chunk, overlap=overlap)
    precise = measure_sheet(path, SHEET1, force_precise=True)
    assert not fast.precise
    assert extent(fast) == extent(precise) == calamine_extent(path)
    assert sorted(fast.error_cells) == sorted(precise.error_cells)
    assert len(fast.error_cells) == sum(kind == "error" for _, _, kind in cells)


def test_reference_and_attribute_parsing_match_calamine() -> None:
    assert parse_ref(b"A1") == (1, 0)
    assert parse_ref(b"7") is None and parse_ref(b"A1B") is None
    assert cell_attributes(b' r="A1" s="1" r="B2"') == (b"B2", None)
    assert cell_attributes(b' r="A1" s="1" t="s" r="B2"') == (b"A1", b"s")
    assert cell_attributes(b" r='C3'  t = \"e\"") == (b"C3", b"e")
    assert cell_attributes(b' r="A1" broken') is None  # calamine: ExpectedEq before the third key
    assert cell_attributes(b' r="A1" s="1" t="n" broken') == (b"A1", b"n")  # stops before the error


@pytest.mark.skipif(os.environ.get("JCDRAW_SLOW") != "1", reason="set JCDRAW_SLOW=1: inflates 2 GiB")
def test_the_default_bound_refuses_a_5mb_file_inflating_past_4gb(tmp_path: Path) -> None:
    path = hb.deflate_bomb(tmp_path / "bomb.xlsx", 4 * 1024**3 + 1)
    assert path.stat().st_size < 6 * 1024**2
    with pytest.raises(PartTooLarge, match=r"2\.0 GB"):
        measure_sheet(path, SHEET1)
