"""Measure one sheet part before calamine parses it: one streamed inflate pass, a second only if irregular.

``measure_sheet`` inflates the part in 4 MB windows, counting the bytes (``xlsx_parts.inflate_chunks``),
and finds the extent of the cells calamine will keep, how many there are and the error cells
(``t="e"``, which calamine reads as blank). Over a bound it raises (``SheetTooLarge``, ``PartTooLarge``).

The fast pass looks at every ``<c`` tag with one compiled pattern per window: it matches each ``<c``
that is *not* ``<c r="REF"`` plus a common tail (``>``, `` s="n"``, `` t="s|n|b|str|inlineStr|d"``,
``/>``) with REF inside the rectangle recorded so far (the columns seen × the rows of the window's
first and last valued cells, which are added first). Only those hits reach Python, which applies
calamine's attribute and reference rules: other attribute orders, a second ``r``, error cells,
lower-case or zero-padded references, out-of-order cells, ``<col>``. Prefixed tags (``<x:c``) are found
by a scan for ``:`` and restart the pass knowing the prefix. Windows overlap by 4 KB and keep 256 bytes
of history; each match belongs to one window, so a tag split at any byte is still seen.

A cell without ``r``, a tag longer than the overlap, more than 100,000 irregular tags in a window or an
extent beyond a bound send the sheet to the precise pass (``xlsx_extent.PreciseScan``), which decides.
On a 1,000,000 × 10 sheet the fast pass costs about a fifth of calamine's own read and replaces the
separate error-cell pass jcdraw made before.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Final

from jcdraw.io.xlsx_extent import Bounds, PreciseScan, Scan, SheetMeasure
from jcdraw.io.xlsx_parts import (
    CHUNK_BYTES,
    EXCEL_MAX_COLS,
    EXCEL_MAX_ROWS,
    MAX_CELL_RECORDS,
    MAX_GRID_CELLS,
    MAX_INFLATED_BYTES,
    MIN_STORED_CELL_BYTES,
    OVERLAP_BYTES,
    cell_attributes,
    column_letter,
    declared_size,
    inflate_chunks,
    local_name,
    parse_ref,
)

MAX_PREFIXES: Final = 4
MAX_IRREGULAR_PER_WINDOW: Final = 100_000  # beyond this the precise pass is as fast


class _NeedPrecise(Exception):
    """The fast pass met something it does not model; the precise pass decides."""


class _NewPrefix(Exception):
    def __init__(self, prefix: bytes) -> None:
        super().__init__(prefix)
        self.prefix = prefix


def measure_sheet(
    path: Path,
    member: str,
    *,
    sheet: str | None = None,
    max_inflated_bytes: int = MAX_INFLATED_BYTES,
    max_cells: int = MAX_GRID_CELLS,
    max_records: int = MAX_CELL_RECORDS,
    chunk_bytes: int = CHUNK_BYTES,
    overlap: int = OVERLAP_BYTES,
    force_precise: bool = False,
    count_shared: bool = True,
) -> SheetMeasure:
    """Measure the sheet part ``member`` of ``path`` (``sheet`` names it in messages); see the module doc.

    ``count_shared``: count the cells that refer to shared strings (a workbook without a shared-string
    table has none, and the count costs a scan of the whole part).
    """
    path = Path(path)
    bounds = Bounds(path, sheet or member, max_cells, max_records)
    prefixes: tuple[bytes, ...] = (b"",)
    # The zip's claim only decides whether cells are counted from the first window or estimated from
    # the bytes while that cannot exceed the bound: a lie costs time, never safety.
    count_all = declared_size(path, member) // MIN_STORED_CELL_BYTES > max_records
    while not force_precise:
        chunks = inflate_chunks(path, member, max_inflated_bytes, chunk_bytes=chunk_bytes)
        try:
            found = _FastScan(bounds, overlap, prefixes, count_all, count_shared).run(chunks)
        except _NewPrefix as new:
            prefixes = (*prefixes, new.prefix)
            continue
        except _NeedPrecise:
            break
        if found.records > max_records and not count_all:
            # The estimate from the bytes (20 per cell, real cells take ~60) passed the bound: count the
            # tags instead of falling to the precise pass, which would take a minute on a large sheet.
            chunks = inflate_chunks(path, member, max_inflated_bytes, chunk_bytes=chunk_bytes)
            found.records = _count_tags(chunks, [b"<" + p + b"c" for p in prefixes])
        if bounds.fits(found.extent) and found.records <= max_records:
            return found.measure(member, precise=False)
        break
    chunks = inflate_chunks(path, member, max_inflated_bytes, chunk_bytes=chunk_bytes)
    return PreciseScan(bounds, path, member).run(chunks).measure(member, precise=True)


def _count_tags(chunks: Generator[bytes, None, None], needles: list[bytes]) -> int:
    """Occurrences of the needles in the inflated part; the last bytes of each chunk are carried, so a
    needle cut by the border counts once (the carried bytes are too short to hold a whole needle)."""
    keep = max(map(len, needles)) - 1
    total = 0
    tail = b""
    try:
        for chunk in chunks:
            window = tail + chunk
            total += sum(window.count(needle) - tail.count(needle) for needle in needles)
            tail = window[-keep:] if keep else b""
    finally:
        chunks.close()
    return total


# --- patterns -----------------------------------------------------------------------------------------

_TYPES: Final = rb"(?:s|n|b|str|inlineStr|d)"
# Everything allowed after a regular reference up to the end of the start tag: no second r, no t="e",
# no other attribute (those tags go to Python). Literal branches are the cheapest form for sre.
_REGULAR_TAIL: Final = (
    rb'(?:>| t="' + _TYPES + rb'">| s="\d{1,6}"(?:>| t="' + _TYPES + rb'">|/>)|/>| t="' + _TYPES + rb'"/>)'
)
_DELIMITERS: Final = (b" ", b"\t", b"\r", b"\n", b">", b"/")
_TAG_NAME: Final = re.compile(rb"[^\s/>]+")
_TAG_AT: Final = re.compile(rb'<([^\s/>]+)((?:[^>"\']|"[^"]*"|\'[^\']*\')*)>')
_ERROR_VALUE: Final = re.compile(rb"<(?:[^\s/>:]+:)?v>([^<]*)</(?:[^\s/>:]+:)?v>")
_EMPTY_CELL_END: Final = re.compile(rb"\s*</")
_CELL_END: Final = re.compile(rb"</(?:[^\s/>:]+:)?c\s*>")
_COLUMN_STARTS: Final = (0, 26, 702, 18_278)  # first 0-based column with 1, 2, 3 letters
_SHARED_TYPE: Final = b' t="s"'  # how every regular tag of a shared-string cell spells its type


def _same_length_range(lo: str, hi: str, digits: str) -> str:
    """Regex for strings of one length between ``lo`` and ``hi`` over the ordered alphabet ``digits``.

    Example:
        >>> _same_length_range("19", "31", "0123456789")
        '(?:19|[2-2][0-9]|3[0-1])'
    """
    low, high = digits[0], digits[-1]
    if lo == hi:
        return re.escape(lo)
    n = len(lo)
    if lo == low * n and hi == high * n:
        return f"[{low}-{high}]" if n == 1 else f"[{low}-{high}]{{{n}}}"
    if n == 1:
        return f"[{lo}-{hi}]"
    if lo[0] == hi[0]:
        return lo[0] + _same_length_range(lo[1:], hi[1:], digits)
    parts = [lo[0] + _same_length_range(lo[1:], high * (n - 1), digits)]
    a, b = digits.index(lo[0]), digits.index(hi[0])
    if b - a > 1:
        inner = f"[{digits[a + 1]}-{digits[b - 1]}]"
        parts.append(inner + (f"[{low}-{high}]" if n == 2 else f"[{low}-{high}]{{{n - 1}}}"))
    parts.append(hi[0] + _same_length_range(low * (n - 1), hi[1:], digits))
    return "(?:" + "|".join(parts) + ")"


def _number_range(lo: int, hi: int) -> str:
    """Regex for decimal numbers without leading zeros in [lo, hi] (lo ≥ 1)."""
    parts = []
    for length in range(len(str(lo)), len(str(hi)) + 1):
        a = max(lo, 10 ** (length - 1))
        b = min(hi, 10**length - 1)
        parts.append(_same_length_range(str(a), str(b), "0123456789"))
    return "(?:" + "|".join(p.replace("[0-9]", r"\d") for p in parts) + ")"


def _column_range(lo: int, hi: int) -> str:
    """Regex for the upper-case letters of the 0-based columns lo..hi."""
    parts = []
    for length in (1, 2, 3):
        first, last = _COLUMN_STARTS[length - 1], _COLUMN_STARTS[length] - 1
        a, b = max(lo, first), min(hi, last)
        if a <= b:
            parts.append(_same_length_range(column_letter(a), column_letter(b), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=256)
def _hit_pattern(names: tuple[bytes, ...], cols: tuple[int, int], rows: tuple[int, int]) -> re.Pattern[bytes]:
    """Every '<c' that is not '<c r="REF"' + a regular tail with REF inside the rectangle: the tags the fast
    pass must look at in Python (also '<col', '<cfRule', which Python then skips)."""
    tag = b"c" if names == (b"",) else b"(?:" + b"|".join(re.escape(p) + b"c" for p in names) + b")"
    ref = (_column_range(*cols) + _number_range(*rows)).encode()
    return re.compile(b"<" + tag + b'(?! r="' + ref + b'"' + _REGULAR_TAIL + b")")


@lru_cache(maxsize=64)
def _foreign_pattern(prefixes: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """Any ':c' + delimiter not preceded by a known '<P' or '</P' (a prefixed cell tag not yet modelled)."""
    behind = b"".join(
        b"(?<!<" + re.escape(p[:-1]) + b")(?<!</" + re.escape(p[:-1]) + b")" for p in prefixes if p
    )
    return re.compile(behind + rb":c[\s/>]")


@lru_cache(maxsize=64)
def _valued_ref_pattern(prefix: bytes) -> re.Pattern[bytes]:
    """A regular reference on a regular tag of a cell with content (not '<c .../>', '<c ...></c>')."""
    tail = rb'(?: t="' + _TYPES + rb'"| s="\d{1,6}"(?: t="' + _TYPES + rb'")?)?>(?!\s*</)'
    return re.compile(b"<" + re.escape(prefix) + rb'c r="([A-Z]{1,3})([1-9]\d{0,6})"' + tail)


def _count_starting(window: bytes, needle: bytes, start: int, end: int) -> int:
    """Occurrences of ``needle`` starting in ``window[start:end]``: one that crosses ``end`` is this
    window's, and the next window, which starts at ``end``, does not count it again."""
    return window.count(needle, start, min(len(window), end + len(needle) - 1))


# --- the fast pass ------------------------------------------------------------------------------------


class _FastScan:
    """One compiled pattern per window finds every cell tag that is not regular; Python looks at those.

    A window is ``history + owned + overlap``: a match belongs to the window whose owned range holds its
    first byte; the overlap lets a tag that starts in the owned range be seen whole, the history lets a
    look-behind see the bytes before the window.
    """

    HISTORY = 256

    def __init__(
        self, bounds: Bounds, overlap: int, prefixes: tuple[bytes, ...], count_all: bool, count_shared: bool
    ) -> None:
        self.bounds = bounds
        self.count_all = count_all
        self.count_shared = count_shared
        self.overlap = overlap
        self.prefixes = prefixes
        self.found = Scan()
        self.extent = self.found.extent
        self.counted_records = 0
        self.uncounted_bytes = 0

    def run(self, chunks: Generator[bytes, None, None]) -> Scan:
        try:
            self._run(chunks)
        finally:
            chunks.close()
        self.found.records = self.counted_records + self.uncounted_bytes // MIN_STORED_CELL_BYTES
        return self.found

    def _run(self, chunks: Iterator[bytes]) -> None:
        buffer = b""
        start = 0  # bytes of history at the head of the buffer
        final = False
        while not final:
            chunk = next(chunks, None)
            if chunk is None:
                final = True
            else:
                self.found.inflated += len(chunk)
                buffer = buffer + chunk if buffer else chunk
                if len(buffer) - start < 2 * self.overlap:
                    continue
            own_end = len(buffer) if final else len(buffer) - self.overlap
            self._window(buffer, start, own_end)
            keep = max(0, own_end - self.HISTORY)
            buffer, start = buffer[keep:], own_end - keep

    def _window(self, window: bytes, start: int, own_end: int) -> None:
        self._prefixed_cells(window, start, own_end)
        if self.extent.first_col is None:  # seed the columns, so one window does not send them all to Python
            seed_end = min(own_end, start + (1 << 18))
            for match in _valued_ref_pattern(self.prefixes[0]).finditer(window, start):
                if match.start() >= seed_end:
                    break
                self._add_ref(match.group(1), match.group(2))
        rows: tuple[int, int] | None = None
        for prefix in self.prefixes:
            rows = self._rows_at_ends(window, start, own_end, prefix, rows)
        ext = self.extent
        cols = (0, 0) if ext.first_col is None or ext.last_col is None else (ext.first_col, ext.last_col)
        pattern = _hit_pattern(self.prefixes, cols, rows or (1, 1))
        for hits, match in enumerate(pattern.finditer(window, start)):
            if match.start() >= own_end:
                break
            if hits >= MAX_IRREGULAR_PER_WINDOW:  # a writer the pattern does not know
                raise _NeedPrecise
            self._irregular_cell(window, match.start())
        # Shared-string cells: every regular tag spells ' t="s"' exactly; irregular ones are counted by
        # _irregular_cell. Text that happens to contain it only makes the upper bound looser.
        if self.count_shared:
            self.found.shared_cells += _count_starting(window, _SHARED_TYPE, start, own_end)
        # Cell records: an upper bound from the bytes while that is good enough, then a count of '<c'
        # tags (a superset of the cells calamine keeps).
        owned = own_end - start
        limit = self.bounds.max_records
        if not self.count_all and (self.uncounted_bytes + owned) // MIN_STORED_CELL_BYTES <= limit:
            self.uncounted_bytes += owned
        else:
            tags = (b"<" + p + b"c" for p in self.prefixes)
            self.counted_records += sum(_count_starting(window, tag, start, own_end) for tag in tags)
            if self.counted_records > limit:
                raise self.bounds.too_many_records()

    def _prefixed_cells(self, window: bytes, start: int, own_end: int) -> None:
        """Look at every ':c' + delimiter: memchr over ':' while colons are rare, then a compiled pattern."""
        at = window.find(b":", start, own_end)
        for _ in range(64):
            if at < 0:
                return
            if window[at + 1 : at + 2] == b"c" and window[at + 2 : at + 3] in _DELIMITERS:
                self._foreign(window, at)
            at = window.find(b":", at + 1, own_end)
        end = min(len(window), own_end + 8)
        for match in _foreign_pattern(self.prefixes).finditer(window, at, end):
            if match.start() < own_end:
                self._foreign(window, match.start())

    def _foreign(self, window: bytes, colon: int) -> None:
        """A ':c' + delimiter: if it ends '<P:c', a prefixed cell tag; the scan restarts knowing P."""
        lt = window.rfind(b"<", max(0, colon - self.HISTORY), colon)
        if lt < 0:
            return
        prefix = window[lt + 1 : colon]
        if not prefix or prefix[:1] in b"/!?" or any(ch in b" \t\r\n>/:<\"'" for ch in prefix):
            return
        if prefix + b":" in self.prefixes:
            return
        if len(self.prefixes) > MAX_PREFIXES:
            raise _NeedPrecise
        raise _NewPrefix(prefix + b":")

    def _rows_at_ends(
        self, window: bytes, start: int, own_end: int, prefix: bytes, rows: tuple[int, int] | None
    ) -> tuple[int, int] | None:
        """The rows of the first and last regular references of the window: the pattern's row range.

        Both cells are added to the extent, so every cell the pattern lets through lies inside it."""
        pattern = _valued_ref_pattern(prefix)
        ends = []
        first = pattern.search(window, start)  # no end bound: a bound would blind the look-ahead
        if first is not None and first.start() < own_end:
            ends.append(first)
        needle = b"<" + prefix + b'c r="'
        at = own_end
        for _ in range(256):  # the last cell with content (empty styled cells often end a table)
            at = window.rfind(needle, start, at)
            if at < 0:
                break
            last = pattern.match(window, at)
            if last is not None:
                ends.append(last)
                break
        for match in ends:
            position = parse_ref(match.group(1) + match.group(2))
            if position is None:
                continue
            self._add_ref(match.group(1), match.group(2))
            low, high = rows if rows is not None else position[:1] * 2
            rows = (min(low, position[0]), max(high, position[0]))
        return rows

    def _add_ref(self, letters: bytes, digits: bytes) -> None:
        ref = parse_ref(letters + digits)
        if ref is not None:
            self.extent.add(*ref)
            if not self.bounds.fits(self.extent):
                raise _NeedPrecise

    def _irregular_cell(self, window: bytes, at: int) -> None:
        name = _TAG_NAME.match(window, at + 1)
        if name is None or local_name(name.group(0)) != b"c":
            return  # '<col', '<cfRule', ...: not a cell
        tag = _TAG_AT.match(window, at)
        if tag is None:
            raise _NeedPrecise  # longer than the overlap, or broken: the precise pass judges
        raw = tag.group(2)
        self_closing = raw.endswith(b"/")
        attrs = cell_attributes(raw[:-1] if self_closing else raw)
        if attrs is None:
            return  # calamine raises on this cell: nothing is allocated
        ref, kind = attrs
        if ref is None:
            raise _NeedPrecise  # a position implied by order: the precise pass follows calamine's state
        position = parse_ref(ref)
        if position is None:
            return  # calamine raises on this reference
        row, col = position
        if self_closing or _EMPTY_CELL_END.match(window, tag.end()):
            return  # no content: calamine keeps nothing, and every cell has r so position does not matter
        if not (row <= EXCEL_MAX_ROWS and col < EXCEL_MAX_COLS):
            raise _NeedPrecise  # the precise pass names the cell and looks at its children
        self.extent.add(row, col)
        if not self.bounds.fits(self.extent):
            raise _NeedPrecise
        if kind == b"s" and _SHARED_TYPE not in raw:
            self.found.shared_cells += 1  # t='s', t = "s" …: not seen by the window count
        if kind == b"e" and not self_closing:
            end = _CELL_END.search(window, tag.end())
            if end is None:
                raise _NeedPrecise
            value = _ERROR_VALUE.search(window, tag.end(), end.start())
            if value is not None:
                self.found.errors.append((row, col, value.group(1).decode("utf-8", "replace")))
