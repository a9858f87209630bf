"""Excel error values (#N/A, #REF!) are read as blank by calamine; they must still be reported."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jcdraw.io.xlsx_measure import measure_sheet

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "registry.xlsx"


def test_error_cells_are_reported_with_their_place(run_cli: Any, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(EXAMPLE)
    sheet = book["检查对象"]
    sheet["E5"] = "#N/A"  # 信用风险分类: optional, would silently become the default class
    sheet["B7"] = "#REF!"  # 名称: required
    path = tmp_path / "errors.xlsx"
    book.save(path)

    result = run_cli(["validate", str(path), "--json", "--as-of", "2024-04-01"])

    found = {(p["code"], p["row"], p["column"], p["value"]) for p in json.loads(result.out)["problems"]}
    assert ("formula-cell", 5, "信用风险分类", "#N/A") in found
    assert ("formula-cell", 7, "名称", "#REF!") in found
    assert ("name-missing", 7, "名称", None) in found
    assert result.code == 1


def test_a_clean_workbook_has_no_error_cells(run_cli: Any) -> None:
    result = run_cli(["validate", str(EXAMPLE), "--json", "--as-of", "2024-04-01"])
    assert not [p for p in json.loads(result.out)["problems"] if p["code"] == "formula-cell"]
    assert result.code == 0


def test_a_credential_valid_today_but_lapsing_before_the_task_ends_is_explained(
    run_cli: Any, tmp_path: Path
) -> None:
    from datetime import date

    book = openpyxl.load_workbook(EXAMPLE)
    book["执法人员"]["D3"] = date(2024, 6, 30)  # valid on 2024-04-01, lapses before 2024-12-31
    path = tmp_path / "lapsing.xlsx"
    book.save(path)

    result = run_cli(["validate", str(path), "--json", "--as-of", "2024-04-01"])

    [note] = [p for p in json.loads(result.out)["problems"] if p["row"] == 3 and p["sheet"] == "执法人员"]
    expected = ("credential-lapses-in-task", "info", "2024-06-30")
    assert (note["code"], note["severity"], note["value"]) == expected
    assert "2024-joint/1" in note["message"] and "2024-internal/2" in note["message"]
    assert result.code == 0


def _sheet_with(path: Path, xml: bytes) -> Path:
    """A bare zip whose member ``xl/worksheets/s.xml`` holds ``xml`` (all the measuring pass reads)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/s.xml", xml)
    return path


@pytest.mark.parametrize("shift", [-40, -9, -6, -5, -4, -3, -1, 0, 1, 3, 30, 2100])
@pytest.mark.parametrize("precise", [False, True])
def test_error_cells_cut_by_the_reading_chunks_are_found(tmp_path: Path, shift: int, precise: bool) -> None:
    cell = b'<c r="B7" s="1" t="e"><v>#REF!</v></c>'
    mark = cell.index(b't="e"')
    chunk = 1 << 16  # small windows: the cell is cut at every place around the mark
    before = b"<worksheet><sheetData><row r=\"7\">"
    padding = b" " * (chunk - len(before) - mark + shift)
    xml = before + padding + cell + b" " * 5000 + b"</row></sheetData></worksheet>"
    path = _sheet_with(tmp_path / "cut.xlsx", xml)
    measure = measure_sheet(path, "xl/worksheets/s.xml", chunk_bytes=chunk, force_precise=precise)
    assert sorted(set(measure.error_cells)) == [(7, 1, "#REF!")]
