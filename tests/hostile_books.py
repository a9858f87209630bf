"""Tiny hand-made .xlsx files that attack the Excel reader itself (zipfile + raw SpreadsheetML).

Unlike ``badfiles`` (broken or unusable workbooks), these target python-calamine: far cells that make it
allocate hundreds of gigabytes, deflate streams that inflate a thousandfold while the zip declares a
few megabytes, absurd shared-string counts, prefixed or ``r``-less cells. Bare calamine may abort the
process on them, so tests only ever hand them to it in a subprocess.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = f"{REL_NS}/worksheet"
SHEET1 = "xl/worksheets/sheet1.xml"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def workbook_xml(sheets: Iterable[tuple[str, str | None]], prefix: str = "") -> str:
    """workbook.xml for (name, state) sheets; ``prefix`` writes prefixed SpreadsheetML (``x:``)."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    items = "".join(
        f'<{p}sheet name="{name}" sheetId="{i}" r:id="rId{i}"' + (f' state="{state}"' if state else "") + "/>"
        for i, (name, state) in enumerate(sheets, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}workbook {ns} xmlns:r="{REL_NS}"><{p}sheets>{items}</{p}sheets></{p}workbook>'
    )


def workbook_rels(count: int) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{WORKSHEET_TYPE}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f'{head}<Relationships xmlns="{PKG_REL_NS}">{items}</Relationships>'


def sheet_xml(sheet_data: str, *, prefix: str = "", before: str = "", after: str = "") -> str:
    """A worksheet part around ``sheet_data`` (the inner XML of ``<sheetData>``)."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}worksheet {ns} xmlns:r="{REL_NS}">{before}<{p}sheetData>{sheet_data}</{p}sheetData>'
        f"{after}</{p}worksheet>"
    )


def write_book(
    path: Path,
    sheets: list[tuple[str, str | bytes]],
    *,
    states: dict[str, str] | None = None,
    shared_strings: str | bytes | None = None,
    prefix: str = "",
) -> Path:
    """Write an .xlsx with the given (sheet name, worksheet XML) parts."""
    states = states or {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml([(n, states.get(n)) for n, _ in sheets], prefix))
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels(len(sheets)))
        for i, (_, xml) in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def far_cell_data(far: str = "XFD1048576") -> str:
    """A1 and one far cell, both with values: calamine's grid spans the two."""
    data = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    row = "".join(ch for ch in far if ch.isdigit())
    return data + f'<row r="{row}"><c r="{far}"><v>1</v></c></row>'


def far_cell_book(path: Path, far: str = "XFD1048576") -> Path:
    return write_book(path, [("Sheet1", sheet_xml(far_cell_data(far)))])


def shared_strings_xml(strings: Iterable[str], unique_count: int | None = None) -> str:
    items = list(strings)
    count = len(items) if unique_count is None else unique_count
    body = "".join(f"<si><t>{s}</t></si>" for s in items)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">{body}</sst>'
    )


BOMB_BLOCK = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"a" * (1 << 20) + b"</t></is></c></row>"


def deflate_stream(head: bytes, block: bytes, repeats: int, tail: bytes) -> bytes:
    """A raw deflate stream of ``head + block × repeats + tail`` built in milliseconds.

    After a full flush a deflate block refers to nothing before it, so one compressed block repeated
    N times is the compressed form of the block repeated N times.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    unit = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    last = packer.compress(tail) + packer.flush(zlib.Z_FINISH)
    return first + unit * repeats + last


def replace_with_deflated(path: Path, member: str, stream: bytes) -> Path:
    """Rewrite ``path`` with ``member`` holding the raw deflate ``stream``; the zip declares its
    compressed size as the inflated size (a lie: the old declared-size check passes it)."""
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts[member] = stream
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    _mark_deflated(path, member)
    return path


def deflate_bomb(path: Path, inflated: int, *, block: bytes = BOMB_BLOCK) -> Path:
    """A one-sheet workbook whose sheet inflates to about ``inflated`` bytes of valid, repetitive XML."""
    head, tail = (part.encode() for part in sheet_xml("@").split("@"))
    write_book(path, [("Sheet1", "<placeholder/>")])
    stream = deflate_stream(head, block, max(1, -(-inflated // len(block))), tail)
    return replace_with_deflated(path, SHEET1, stream)


def _mark_deflated(path: Path, member: str) -> None:
    """Turn a stored member holding a raw deflate stream into a deflated one (method 0 → 8, both headers)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<H", data, info.header_offset + 8, 8)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == member.encode():
            struct.pack_into("<H", data, at + 10, 8)
        at += 4
    path.write_bytes(bytes(data))
