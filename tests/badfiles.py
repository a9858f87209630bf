"""Generators of hostile or broken input files for the hardening tests.

Each ``make_*`` function writes one file into a folder and returns its path. Workbooks that openpyxl
cannot or will not produce (control characters, error cells, no sheets, entity declarations, lying
zip headers) are assembled by hand with ``raw_xlsx``: a minimal but valid SpreadsheetML package whose
cells are given as XML fragments, so every byte a reader sees is chosen here.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import openpyxl
from conftest import clean_entities, clean_inspectors, write_registry

from jcdraw.io.xlsx_read import column_letter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMB_INFLATED = 200 * 1024 * 1024  # real zeros, deflated to ~200 KB

# --- a hand-made .xlsx ---------------------------------------------------------------------------

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{_WORKBOOK_TYPE}"/>
{{overrides}}
</Types>"""
_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_NS = f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{_REL}"'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class Xml(str):
    """A cell given as a finished ``<c>`` body (without the ``r`` attribute), e.g. an error cell."""


def _xml_text(text: str) -> str:
    """Escape for XML 1.0; characters XML cannot carry use OOXML's ``_xHHHH_`` escape, as Excel does."""
    out = []
    for ch in text.replace("_x", "_x005F_x"):  # a literal "_x0041_" must not be decoded as "A"
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n\r") or 0xFFFE <= code <= 0xFFFF or 0xD800 <= code <= 0xDFFF:
            out.append(f"_x{code:04X}_")
        else:
            out.append(ch)
    return escape("".join(out))


def _cell(ref: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Xml):
        return f'<c r="{ref}"{value}</c>' if value.startswith(" ") else f'<c r="{ref}">{value}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, date):
        serial = (value - date(1899, 12, 30)).days
        return f'<c r="{ref}"><v>{serial}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(str(value))}</t></is></c>'


def sheet_xml(rows: Sequence[Sequence[Any]], merges: Sequence[str] = ()) -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{column_letter(c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    merge = ""
    if merges:
        merge = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        merge += "</mergeCells>"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
        f"<sheetData>{''.join(body)}</sheetData>{merge}</worksheet>"
    )


def raw_xlsx(
    path: Path,
    sheets: dict[str, str],
    *,
    shared_strings: str | None = None,
    stored: bool = False,
) -> Path:
    """Write a package with ``sheets`` (name → worksheet XML) and optional sharedStrings XML."""
    overrides, entries, rels = [], [], []
    for n, name in enumerate(sheets, start=1):
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>')
        entries.append(f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>')
    if shared_strings is not None:
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/>')
        rels.append(f'<Relationship Id="rId99" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>')
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS}>'
        f"<sheets>{''.join(entries)}</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{''.join(rels)}</Relationships>"
    )
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides="".join(overrides)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for n, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def raw_registry(
    path: Path,
    entities: Sequence[Sequence[Any]] | None = None,
    inspectors: Sequence[Sequence[Any]] | None = None,
    *,
    entity_merges: Sequence[str] = (),
) -> Path:
    """A hand-made registry; omitted sheets get the clean defaults of ``conftest``."""
    return raw_xlsx(
        path,
        {
            "检查对象": sheet_xml(clean_entities() if entities is None else entities, entity_merges),
            "执法人员": sheet_xml(clean_inspectors() if inspectors is None else inspectors),
        },
    )


def with_entity_cell(row: int, column: int, value: Any) -> list[list[Any]]:
    """The clean entity rows (header = row 1) with one cell replaced; ``row`` is the Excel row."""
    rows = clean_entities()
    rows[row - 1][column] = value
    return rows


def with_inspector_cell(row: int, column: int, value: Any) -> list[list[Any]]:
    rows = clean_inspectors()
    rows[row - 1][column] = value
    return rows


# --- containers that are not workbooks -----------------------------------------------------------


def make_not_a_zip(folder: Path) -> Path:
    path = folder / "名录库.xlsx"
    path.write_bytes(bytes(range(256)) * 16)  # binary junk, contains NUL: not text either
    return path


def make_legacy_xls(folder: Path) -> Path:
    path = folder / "旧版名录库.xls"
    path.write_bytes(OLE_MAGIC + b"\x00" * 24 + b"junk" * 2000)
    return path


def make_encrypted_xlsx(folder: Path) -> Path:
    path = folder / "加密名录库.xlsx"
    path.write_bytes(OLE_MAGIC + b"\x00" * 500 + "EncryptionInfo".encode("utf-16-le") + b"\x01" * 4000)
    return path


def make_empty_file(folder: Path) -> Path:
    path = folder / "空文件.xlsx"
    path.write_bytes(b"")
    return path


def make_csv_named_xlsx(folder: Path) -> Path:
    path = folder / "导出.xlsx"
    path.write_text("统一社会信用代码,名称,区域\n91140525MA0000001X,某公司,泽州县\n", encoding="utf-8")
    return path


def make_truncated_xlsx(folder: Path) -> Path:
    """A real registry cut in half: zip magic present, central directory gone."""
    whole = write_registry(folder / "whole.xlsx")
    data = whole.read_bytes()
    whole.unlink()
    path = folder / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def make_zip_without_workbook(folder: Path) -> Path:
    path = folder / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return path


# --- workbooks with the wrong shape --------------------------------------------------------------


def make_no_sheets(folder: Path) -> Path:
    return raw_xlsx(folder / "无工作表.xlsx", {})


def make_wrong_sheet(folder: Path) -> Path:
    return raw_xlsx(folder / "错工作表.xlsx", {"Sheet1": sheet_xml(clean_entities())})


def make_missing_column(folder: Path) -> Path:
    rows = [row[:2] + row[3:] for row in clean_entities()]  # drop 区域
    return write_registry(folder / "缺列.xlsx", entities=rows)


def make_duplicate_column(folder: Path) -> Path:
    rows = [[*row, row[1]] for row in clean_entities()]  # a second 名称 column (G)
    return write_registry(folder / "重复列.xlsx", entities=rows)


def make_merged_header(folder: Path) -> Path:
    """区域 merged over C1:D1, hiding the 监管类别 header under the merge."""
    rows = clean_entities()
    rows[0][3] = None
    return raw_registry(folder / "合并表头.xlsx", entities=rows, entity_merges=["C1:D1"])


def make_header_below_row_10(folder: Path) -> Path:
    rows: list[list[Any]] = [["说明"]] + [[None] for _ in range(10)] + clean_entities()
    return write_registry(folder / "表头靠下.xlsx", entities=rows)


def make_formula_and_error_cells(folder: Path) -> Path:
    rows = clean_entities()
    rows[1][0] = Xml('<f>CONCATENATE("9114","0525")</f>')  # formula, no cached value
    rows[2][0] = Xml(' t="e"><v>#N/A</v>')
    rows[3][2] = Xml(' t="e"><v>#REF!</v>')
    rows[4][1] = Xml(' t="str"><f>A5&amp;"公司"</f><v>=HYPERLINK("x")</v>')
    return raw_registry(folder / "公式.xlsx", entities=rows)


def make_huge_cell(folder: Path) -> Path:
    rows = clean_entities()
    rows[1][0] = "9" * 32_767  # a credit code of Excel's maximum cell length
    rows[2][1] = "名" * 32_767
    return write_registry(folder / "超长.xlsx", entities=rows)


def make_control_characters(folder: Path) -> Path:
    rows = clean_entities()
    rows[1][0] = "\u200b\x01\x02\u2060"  # a code made only of invisible characters
    rows[2][1] = "\x07\x1b[31m\u202e"  # a name of controls and a bidi override
    rows[3][2] = "泽\u200d州\ufeff县\x0b"  # a region with joiners inside: still a region
    return raw_registry(folder / "控制字符.xlsx", entities=rows)


def make_mixed_types(folder: Path) -> Path:
    rows = clean_entities()
    rows[1][0] = 9.11405256e17  # a code Excel turned into a number
    rows[2][0] = True
    rows[3][0] = date(2024, 1, 1)
    rows[4][2] = 3.5
    rows[5][3] = False
    rows[6][4] = 7
    return write_registry(folder / "混合类型.xlsx", entities=rows)


def make_impossible_dates(folder: Path) -> Path:
    rows = clean_inspectors()
    rows[1][3] = "2025-02-30"
    rows[2][3] = "2025年13月1日"
    rows[3][3] = 99_999_999  # no such serial or YYYYMMDD
    return write_registry(folder / "日期.xlsx", inspectors=rows)


def make_billion_laughs(folder: Path) -> Path:
    """sharedStrings.xml with nested entity declarations (10^10 "lol"s when expanded)."""
    declarations = ['<!ENTITY lol0 "lol">']
    for i in range(1, 11):
        declarations.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    sst = (
        f'<?xml version="1.0"?>\n<!DOCTYPE sst [{"".join(declarations)}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&lol10;</t></si></sst>"
    )
    rows = clean_entities()
    rows[1][1] = Xml(' t="s"><v>0</v>')  # the name of the first entity points at the bomb
    return raw_xlsx(
        folder / "实体炸弹.xlsx",
        {"检查对象": sheet_xml(rows), "执法人员": sheet_xml(clean_inspectors())},
        shared_strings=sst,
    )


def make_zip_bomb(folder: Path) -> Path:
    """A sheet member of 200 MB of real zeros: small on disk, refused by its declared size."""
    path = raw_registry(folder / "压缩炸弹.xlsx")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\x00" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(BOMB_INFLATED >> 20)]
    parts.append(compressor.flush())
    deflated = b"".join(parts)
    crc = 0
    for _ in range(BOMB_INFLATED >> 20):
        crc = zlib.crc32(chunk, crc)
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("xl/media/padding.xml", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        _append_predeflated(archive, info, deflated, crc, BOMB_INFLATED)
    return path


def _append_predeflated(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, crc: int, size: int
) -> None:
    """Append an already deflated member (zipfile would otherwise inflate-size it in memory)."""
    info.CRC, info.compress_size, info.file_size = crc, len(data), size
    fp = archive.fp
    assert fp is not None
    archive._writecheck(info)  # type: ignore[attr-defined]
    info.header_offset = archive.start_dir  # type: ignore[attr-defined]
    fp.seek(archive.start_dir)  # type: ignore[attr-defined]
    fp.write(info.FileHeader(zip64=False))
    fp.write(data)
    archive.start_dir = fp.tell()  # type: ignore[attr-defined]
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive._didModify = True  # type: ignore[attr-defined]


def make_lying_zip(folder: Path) -> Path:
    """Central directory claims a 4 GB sheet (patched sizes; the real member is tiny)."""
    path = raw_registry(folder / "虚报大小.xlsx")
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))  # its central directory entry
    struct.pack_into("<I", data, at + 24, 0xFFFF_FFF0)  # uncompressed size
    path.write_bytes(bytes(data))
    return path


# --- plans and calendars ---------------------------------------------------------------------------


def make_yaml_alias_bomb(folder: Path) -> Path:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(9))}]")
    lines.append("id: bomb\ntasks: *a9")
    path = folder / "别名炸弹.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_yaml_python_tag(folder: Path) -> Path:
    path = folder / "标签.yaml"
    path.write_text(
        'id: !!python/object/apply:os.system ["echo PWNED > pwned.txt"]\nname: x\n', encoding="utf-8"
    )
    return path


def make_yaml_not_utf8(folder: Path) -> Path:
    path = folder / "编码.yaml"
    path.write_bytes("id: 计划\nname: 抽查\n".encode("gb18030"))
    return path


def make_yaml_syntax_error(folder: Path) -> Path:
    path = folder / "语法.yaml"
    path.write_text("id: x\ntasks:\n  - number: 1\n   name: [unclosed\n", encoding="utf-8")
    return path


def make_calendar_python_tag(folder: Path) -> Path:
    path = folder / "calendar_tag.yaml"
    path.write_text("years:\n  2027: !!python/name:os.system\n", encoding="utf-8")
    return path


def make_calendar_impossible_date(folder: Path) -> Path:
    path = folder / "calendar_bad.yaml"
    path.write_text(
        "years:\n  2027:\n    source: 国办发明电〔2026〕1号\n    holidays: [2027-01-01, 2027-02-30]\n"
        "    workdays: []\n",
        encoding="utf-8",
    )
    return path


def make_calendar_alias_bomb(folder: Path) -> Path:
    lines = ['a0: &a0 ["2027-01-01", "2027-01-01", "2027-01-01", "2027-01-01"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(8))}]")
    lines.append("years:\n  2027:\n    holidays: *a11\n    workdays: []")
    path = folder / "calendar_bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- ledgers ----------------------------------------------------------------------------------------


def make_ledger_not_sqlite(folder: Path) -> Path:
    path = folder / "台账.sqlite3"
    path.write_bytes(b"This is my diary, not a database.\n" * 100)
    return path


def make_foreign_sqlite(folder: Path) -> Path:
    import sqlite3

    path = folder / "别的数据库.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.execute("INSERT INTO people VALUES ('张三')")
    conn.commit()
    conn.close()
    return path


def openpyxl_cells(path: Path) -> list[tuple[str, str, object, str]]:
    """Every non-empty cell of a workbook: (sheet, coordinate, value, openpyxl data_type)."""
    book = openpyxl.load_workbook(path)
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    found.append((sheet.title, cell.coordinate, cell.value, cell.data_type))
    return found
