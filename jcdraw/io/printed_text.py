"""Find a pattern in the text a reader sees in a file jcdraw wrote: workbook, Word document or web page.

An ``.xlsx`` or ``.docx`` is a zip of XML parts; the text of every part is searched (cells, shared
strings, page headers and footers, document body), with the tags removed, entities decoded and a line
break where a cell, paragraph or row ends, so text Word split over several runs reads whole. Any other
file (the HTML page) is read as UTF-8 text the same way. Parts are streamed in bounded chunks
(``xlsx_parts.inflate_chunks``: a zip bomb is refused, never inflated whole), and each chunk is
searched together with the end of the one before it, so a match that spans two chunks is found.
"""

from __future__ import annotations

import codecs
import html
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from jcdraw.io.xlsx_parts import MAX_INFLATED_BYTES, inflate_chunks

_CHUNK = 1 << 20
_OVERLAP = 600  # characters kept from one piece to the next: longer than any match we look for
_MAX_PENDING = 1 << 20  # an unclosed "<" in plain text is not a tag after this many characters
_BREAKS = re.compile(r"</(?:w:p|si|c|is|row|p|div|td|th|tr|li|h\d|footer|odd\w*|even\w*|first\w*)>|<br\s*/?>")
_TAG = re.compile(r"<[^>]*>")


def find_in_file(path: Path, pattern: re.Pattern[str]) -> list[tuple[Any, ...]]:
    """The groups of every distinct match of ``pattern`` in ``path``'s visible text, in file order.

    Raises UnreadableInput (MalformedWorkbook, PartTooLarge) for a zip that cannot be read safely,
    OSError when the file cannot be read.
    """
    found: dict[tuple[Any, ...], None] = {}
    tail = ""
    for piece in _pieces(path):
        text = tail + piece
        found.update((m.groups(), None) for m in pattern.finditer(text))
        tail = text[-_OVERLAP:]
    return list(found)


def _pieces(path: Path) -> Iterator[str]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if name.endswith(".xml")]
        for member in members:
            yield from _visible(inflate_chunks(path, member, MAX_INFLATED_BYTES))
            yield "\n"
        return
    yield from _visible(_file_chunks(path))


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _visible(chunks: Iterable[bytes]) -> Iterator[str]:
    """The text of XML or HTML chunks without tags; a tag cut by a chunk boundary waits for the next."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    for chunk in chunks:
        pending += decoder.decode(chunk)
        opened = pending.rfind("<")
        cut = opened if opened > pending.rfind(">") else len(pending)
        if len(pending) - cut > _MAX_PENDING:
            cut = len(pending)
        ready, pending = pending[:cut], pending[cut:]
        yield _untagged(ready)
    yield _untagged(pending + decoder.decode(b"", final=True))


def _untagged(text: str) -> str:
    """Tags removed (a line break where a cell, paragraph or row ends) and entities decoded.

    Example:
        >>> _untagged('<si><t>台账编号</t></si><si><t xml:space="preserve">a&amp;b</t></si>')
        '台账编号\\na&b\\n'
    """
    return html.unescape(_TAG.sub("", _BREAKS.sub("\n", text)))
