"""The pieces every workbook guard step shares: bounds, refusals, cell references, attributes, inflating.

python-calamine (0.9.1, bundling calamine 0.37.0) is fast but fragile against hostile files: it sizes
its cell grid from the span of the cells it keeps, so one valued cell at A1 and one at XFD1048576 in a
4 KB sheet asks for 2^34 cells × 32 bytes (550 GB) and Rust aborts the whole process; a lone far cell
overflows a u32 (a panic, or silently lost data); opening a workbook reserves the shared strings it
declares before reading any. None of that is a Python exception. So before calamine sees a part, the
guard (``xlsx_layout``, ``xlsx_measure``, ``xlsx_guard``) measures it from the XML itself, streamed and
bounded, following calamine's own reading rules, and refuses what breaks a bound with a Chinese
message (exit 2). This module holds what those steps share.

Bounds, measured on calamine 0.37.0 (see the refusal messages, which state them):

- Excel's own limits, 1,048,576 rows × 16,384 columns: a kept cell beyond them is refused even where
  calamine would read it.
- ``MAX_GRID_CELLS`` = 2^25 cells from A1 to the last kept cell: an empty grid costs calamine plus the
  Python lists 42–48 bytes per cell, so at most ~1.6 GB; 1,048,576 rows × 32 columns fit.
- ``MAX_CELL_RECORDS`` = 2^25 kept cells (calamine keeps 40 bytes per cell, repeated positions too).
- ``MAX_INFLATED_BYTES`` = 2 GiB of XML per part, counted while inflating (a 1,000,000 × 10 registry
  is 0.4–0.7 GB; calamine peaks at 2.5–4.5× the XML it reads).
- ``MAX_SHARED_STRINGS`` = 2^25 (calamine reserves 24 bytes per declared string on open).
- ``MAX_SHARED_TEXT_BYTES`` = 2 GiB of shared-string text once copied into every cell that refers to it
  (calamine copies, Python makes one string per cell: ``xlsx_strings``).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Final

from jcdraw import messages
from jcdraw.errors import UnreadableInput

EXCEL_MAX_ROWS: Final = 1_048_576
EXCEL_MAX_COLS: Final = 16_384
MAX_GRID_CELLS: Final = 1 << 25  # 33,554,432 = 1,048,576 rows × 32 columns
MAX_CELL_RECORDS: Final = 1 << 25
MAX_INFLATED_BYTES: Final = 2 << 30  # per part
MAX_SHARED_STRINGS: Final = 1 << 25
MAX_SHARED_TEXT_BYTES: Final = 2 << 30  # shared-string text a sheet expands to, per cell (xlsx_strings)
GRID_BYTES_PER_CELL: Final = 48  # measured peak of calamine + Python lists per empty grid cell
MIN_STORED_CELL_BYTES: Final = 20  # '<c r="A1"><is/></c>': the shortest cell calamine keeps
CHUNK_BYTES: Final = 1 << 22
OVERLAP_BYTES: Final = 4096  # a tag longer than this sends a sheet to the precise pass
MAX_TOKEN_BYTES: Final = 16 << 20  # a comment, CDATA or tag longer than this is refused


class SheetGuardError(UnreadableInput):
    """A workbook the guard refuses; ``str(err)`` is the Chinese message (exit 2)."""


class PartTooLarge(SheetGuardError):
    """A part inflates past its bound."""


class SheetTooLarge(SheetGuardError):
    """A sheet's cells span too much, lie beyond Excel, or are too many."""


class MalformedWorkbook(SheetGuardError):
    """A zip or XML the guard cannot follow the way calamine would."""


class CalamineFailed(SheetGuardError):
    """calamine panicked (a BaseException in Python) on a file the guard let through."""


def size_text(size: int) -> str:
    """``2.0 GB`` / ``8 MB``: a bound as the user reads it."""
    return f"{size / 1024**3:.1f} GB" if size >= 1024**3 else f"{size / 1024**2:.0f} MB"


def short(err: BaseException) -> str:
    """The first line of an exception's text, at most 200 characters (messages stay one line)."""
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:200]


def malformed(path: Path, part: str, detail: str) -> MalformedWorkbook:
    return MalformedWorkbook(messages.GUARD_MALFORMED.format(path=path, part=part, detail=detail))


# --- cell references ---------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA.

    Example:
        >>> column_letter(0), column_letter(26), column_letter(16383)
        ('A', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """(1-based row, 0-based column) → ``B7``; "far away" in Chinese for positions too absurd to print."""
    if row > 10**9 or col > 10**6:
        return messages.GUARD_FAR_CELL
    return f"{column_letter(col)}{row}"


def parse_ref(ref: bytes, *, need_column: bool = True) -> tuple[int, int] | None:
    """calamine's ``get_row_and_optional_column``: letters (any case) then digits → (row ≥ 1, 0-based col).

    ``None`` where calamine raises (no row, no column, any other character); a row reference
    (``<row r>``) may lack the column, which is then -1. Values are exact where calamine's u32 wraps:
    absurd references are beyond Excel either way.

    Example:
        >>> parse_ref(b"xfd1048576"), parse_ref(b"AB0010"), parse_ref(b"A0")
        ((1048576, 16383), (10, 27), None)
        >>> parse_ref(b"7", need_column=False)
        (7, -1)
    """
    col = 0
    i = 0
    n = len(ref)
    while i < n and (65 <= ref[i] <= 90 or 97 <= ref[i] <= 122):
        col = col * 26 + (ref[i] & 0x1F)
        i += 1
    digits = ref[i:]
    if not digits or not digits.isdigit() or not digits.isascii():
        return None
    row = int(digits)
    if row == 0 or (need_column and col == 0):
        return None
    return row, col - 1


def local_name(name: bytes) -> bytes:
    """calamine matches local names: ``x:c`` is a cell."""
    colon = name.find(b":")
    return name if colon < 0 else name[colon + 1 :]


# --- XML attributes as calamine reads them ------------------------------------------------------------

_WS: Final = b" \t\r\n"


class _AttrError(Exception):
    pass


def iter_attributes(raw: bytes) -> Iterator[tuple[bytes, bytes]]:
    """calamine's ``RawAttrIter``: key = bytes up to ``=`` (trimmed), then a quoted value.

    Raises ``_AttrError`` where calamine reports an attribute error, but only when iteration gets there:
    calamine stops early once it has what it looks for.
    """
    pos, n = 0, len(raw)
    while True:
        while pos < n and raw[pos] in _WS:
            pos += 1
        if pos >= n:
            return
        eq = raw.find(b"=", pos)
        if eq < 0:
            raise _AttrError
        key = raw[pos:eq].rstrip(_WS)
        pos = eq + 1
        while pos < n and raw[pos] in _WS:
            pos += 1
        if pos >= n or raw[pos] not in b"\"'":
            raise _AttrError
        quote = raw[pos : pos + 1]
        end = raw.find(quote, pos + 1)
        if end < 0:
            yield key, raw[pos + 1 :]
            return
        yield key, raw[pos + 1 : end]
        pos = end + 1


def raw_attributes(raw: bytes) -> list[tuple[bytes, bytes]] | None:
    """All attributes, or ``None`` on an attribute error."""
    try:
        return list(iter_attributes(raw))
    except _AttrError:
        return None


def get_attrs(raw: bytes, keys: tuple[bytes, ...]) -> list[bytes | None] | None:
    """calamine's ``get_attrs!`` macro: every matching key overwrites its value, and reading stops once
    as many matches as keys were counted, so with a repeated key the last one before that stop wins.
    ``None`` on an attribute error met before the stop (calamine then raises).

    Example:
        >>> get_attrs(b' r="A1" s="1" r="B2"', (b"r", b"s", b"t"))
        [b'B2', b'1', None]
        >>> get_attrs(b' r="A1" s="1" t="s" r="B2"', (b"r", b"s", b"t"))
        [b'A1', b'1', b's']
    """
    values: list[bytes | None] = [None] * len(keys)
    found = 0
    try:
        for key, value in iter_attributes(raw):
            if key in keys:
                values[keys.index(key)] = value
                found += 1
                if found == len(keys):
                    break
    except _AttrError:
        return None
    return values


def cell_attributes(raw: bytes) -> tuple[bytes | None, bytes | None] | None:
    """(r, t) of a ``<c>`` tag as calamine reads them (``get_attrs!`` over r, s, t)."""
    values = get_attrs(raw, (b"r", b"s", b"t"))
    return None if values is None else (values[0], values[2])


def first_attribute(raw: bytes, name: bytes) -> tuple[bool, bytes | None]:
    """calamine's ``raw_attr``: (no error before the match, value of the first attribute ``name``)."""
    try:
        for key, value in iter_attributes(raw):
            if key == name:
                return True, value
    except _AttrError:
        return False, None
    return True, None


# --- inflating, counted --------------------------------------------------------------------------------

_INFLATE_ERRORS: Final[tuple[type[Exception], ...]] = (zlib.error, zipfile.BadZipFile, EOFError, OSError)
_METHODS: Final = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def declared_size(path: Path, member: str) -> int:
    """What the zip claims a member inflates to: a hint only, never a bound."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.getinfo(member).file_size
    except (zipfile.BadZipFile, OSError, KeyError):
        return 0


def inflate_chunks(
    path: Path, member: str, limit: int, *, chunk_bytes: int = CHUNK_BYTES, shown: int | None = None
) -> Generator[bytes, None, None]:
    """The member's inflated bytes in chunks of at most ``chunk_bytes``.

    Raises ``PartTooLarge`` as soon as more than ``limit`` bytes came out (the message states ``shown``,
    the whole budget, when ``limit`` is what is left of it), whatever the zip declares.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
    except (zipfile.BadZipFile, OSError, KeyError) as err:
        raise malformed(path, member, short(err)) from None
    if info.flag_bits & 0x1 or info.compress_type not in _METHODS:
        raise MalformedWorkbook(messages.GUARD_UNSUPPORTED_MEMBER.format(path=path, part=member))
    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        chunks = _raw_chunks(path, info, chunk_bytes)
    else:
        chunks = _zipfile_chunks(path, member, chunk_bytes)
    used = 0
    try:
        for chunk in chunks:
            used += len(chunk)
            if used > limit:
                bound = size_text(limit if shown is None else shown)
                raise PartTooLarge(messages.GUARD_PART_TOO_LARGE.format(path=path, part=member, bound=bound))
            yield chunk
    except _INFLATE_ERRORS as err:
        detail = messages.GUARD_MALFORMED_ZIP.format(detail=short(err))
        raise malformed(path, member, detail) from None
    finally:
        chunks.close()


def _raw_chunks(path: Path, info: zipfile.ZipInfo, size: int) -> Generator[bytes, None, None]:
    """Inflate a stored or deflated member straight from the file, ``size`` bytes of output at a time.

    zipfile's reader would work too, but raw zlib with ``max_length`` bounds every output chunk, so a
    member that inflates a thousandfold never sits in memory whole. No CRC check: calamine's zip does it.
    """
    with path.open("rb") as handle:
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        handle.seek(info.header_offset + 30 + name_len + extra_len)
        left = info.compress_size
        if info.compress_type == zipfile.ZIP_STORED:
            while left > 0:
                raw = handle.read(min(left, size))
                if not raw:
                    return
                left -= len(raw)
                yield raw
            return
        inflater = zlib.decompressobj(-15)
        while not inflater.eof:
            if inflater.unconsumed_tail:
                out = inflater.decompress(inflater.unconsumed_tail, size)
            elif left > 0:
                raw = handle.read(min(left, 1 << 20))
                if not raw:
                    return
                left -= len(raw)
                out = inflater.decompress(raw, size)
            else:
                out = inflater.decompress(b"", size)  # output zlib still holds for the last input
                if not out:
                    return
            if out:
                yield out


def _zipfile_chunks(path: Path, member: str, size: int) -> Generator[bytes, None, None]:
    """bzip2 and lzma members (rare; never written by Excel) through zipfile, still in bounded reads."""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        while chunk := stream.read(size):
            yield chunk
