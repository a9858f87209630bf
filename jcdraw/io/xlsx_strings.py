"""Shared strings multiplied by the cells that refer to them: text that exists only once calamine reads it.

calamine copies a shared string into every cell that refers to it, and python-calamine makes one Python
``str`` per cell. One 32,767-character string referred to by 20,000 cells is a 101 KB file that peaked at
1.27 GB; a million such cells (~5 MB of file) would need ~60 GB. Neither the part sizes nor the cell span
see that, so the guard also bounds the text a sheet expands to, ``MAX_SHARED_TEXT_BYTES`` (2 GiB of
UTF-8; in memory about twice that: calamine's copy plus the Python string; ``xlsx_parts`` holds it).

The cheap check costs nothing extra: shared-string cells × the longest string, both counted by passes
that run anyway. Only when that upper bound exceeds the limit does ``shared_text_bytes`` add the exact
sum (the length of the string each cell refers to), inflating the table and the sheet once more.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import numpy as np

from jcdraw.io.xlsx_parts import CHUNK_BYTES, inflate_chunks

_ATTRS: Final = rb"""(?:[^>"']|"[^"]*"|'[^']*')*?"""
# A shared-string cell's index, whatever the attribute order, quoting or prefix: <c … t="s" …>…<v>12</v>.
# Where it errs (a self-closing cell runs on to the next value) it counts more, never less.
_SHARED_INDEX: Final = re.compile(
    rb"<(?:[^\s/>:]+:)?c\s" + _ATTRS + rb"""\bt\s*=\s*["']s["']""" + _ATTRS
    + rb">.*?<(?:[^\s/>:]+:)?v>\s*(\d{1,10})",
    re.DOTALL,
)


def string_lengths(path: Path, part: str, limit: int) -> np.ndarray:
    """UTF-8 bytes from each '<si' to the next (an upper bound of each string's size), by index."""
    lengths: list[int] = []
    carried = -1  # bytes of the current string so far; -1 before the first '<si'
    for chunk in inflate_chunks(path, part, limit):
        pieces = chunk.split(b"<si")
        if carried >= 0:
            carried += len(pieces[0])
        if len(pieces) > 1:
            if carried >= 0:
                lengths.append(carried)
            lengths.extend(map(len, pieces[1:-1]))
            carried = len(pieces[-1])
    if carried >= 0:
        lengths.append(carried)
    return np.asarray(lengths, dtype=np.int64)


def shared_text_bytes(path: Path, strings_part: str, sheet_part: str, limit: int) -> int:
    """The bytes of shared-string text ``sheet_part`` expands to: Σ length(string) over its cells."""
    lengths = string_lengths(path, strings_part, limit)
    total = 0
    tail = b""
    for chunk in inflate_chunks(path, sheet_part, limit, chunk_bytes=CHUNK_BYTES):
        window = tail + chunk
        # A tag cut by the chunk border is matched in the next window, whose head repeats this tail;
        # matches are only taken where they start before the tail that is carried over.
        keep = min(len(window), 1 << 16)
        cut = len(window) - keep
        found = [int(m.group(1)) for m in _SHARED_INDEX.finditer(window) if m.start() < cut]
        if found:
            index = np.asarray(found, dtype=np.int64)
            total += int(lengths[index[index < len(lengths)]].sum())
        tail = window[cut:]
    found = [int(m.group(1)) for m in _SHARED_INDEX.finditer(tail)]
    if found:
        index = np.asarray(found, dtype=np.int64)
        total += int(lengths[index[index < len(lengths)]].sum())
    return total
