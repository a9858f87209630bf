"""What calamine reads when it opens a workbook, resolved its way and measured before it does.

``read_layout`` follows calamine's ``Xlsx::new``: ``_rels/.rels`` names the workbook part (its folder
is not assumed to be ``xl/``), member names match case-insensitively, the shared strings, styles,
workbook relationships and ``workbook.xml`` are parsed on open. Each of those parts is inflated here
first with one shared budget, counting real bytes; a shared-string table declaring or holding more than
``MAX_SHARED_STRINGS`` strings is refused (calamine reserves the declared count before reading one
string, and an absurd count aborts the process). Member names that differ only in case are refused:
which one calamine would read is not something to guess.

The result lists the sheets in ``workbook.xml`` order with their visibility (visible, hidden,
veryHidden) and every zip member calamine may read for each (a repeated relationship id yields all
its targets: calamine keeps the last, the guard measures all).
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from jcdraw import messages
from jcdraw.io.xlsx_parts import (
    MAX_INFLATED_BYTES,
    MAX_SHARED_STRINGS,
    MalformedWorkbook,
    SheetGuardError,
    get_attrs,
    inflate_chunks,
    local_name,
    malformed,
    raw_attributes,
    short,
)

SHEET_STATES: Final = ("visible", "hidden", "veryHidden")


@dataclass(frozen=True)
class SheetEntry:
    name: str
    state: str  # visible / hidden / veryHidden
    parts: tuple[str, ...]  # zip members calamine may read for this sheet (one, unless ids repeat)

    @property
    def hidden(self) -> bool:
        return self.state != "visible"


@dataclass
class Layout:
    path: Path
    sheets: list[SheetEntry]
    inflated: dict[str, int] = field(default_factory=dict)  # part → bytes, for the parts read on open
    shared_strings: int = 0  # the declared uniqueCount (0 when absent)
    strings_part: str | None = None  # the shared-string table calamine reads, if any
    longest_string: int = 0  # bytes of XML from one '<si' to the next: at least the string's UTF-8 size

    def entry(self, name: str) -> SheetEntry | None:
        """The sheet of that exact name (calamine takes the first of equal names)."""
        return next((entry for entry in self.sheets if entry.name == name), None)


@dataclass
class _Budget:
    limit: int
    used: int = 0


_ASCII_LOWER: Final = {c: c + 32 for c in range(65, 91)}


class _Members:
    """Zip member lookup like calamine's ``build_zip_path_cache`` / ``cached_zip_path``."""

    def __init__(self, path: Path, names: Sequence[str]) -> None:
        self.exact = set(names)
        self.folded: dict[str, str] = {}
        for name in names:
            key = name.replace("\\", "/").translate(_ASCII_LOWER)
            if key in self.folded:
                raise MalformedWorkbook(messages.GUARD_DUPLICATE_MEMBER.format(path=path, name=name))
            self.folded[key] = name

    def find(self, part: str) -> str | None:
        hit = self.folded.get(part.translate(_ASCII_LOWER))
        if hit is not None:
            return hit
        return part if part in self.exact else None


_START_TAG: Final = re.compile(rb"<([^\s/>!?][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SKIPPED: Final = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_SST_NAME: Final = re.compile(rb"sst[\s>/]")


def _start_tags(xml: bytes, local: bytes) -> Iterator[bytes]:
    """The raw attribute text of every start tag with this local name (comments and CDATA skipped)."""
    for match in _START_TAG.finditer(_SKIPPED.sub(b"", xml)):
        if local_name(match.group(1)) == local:
            raw = match.group(2)
            yield raw[:-1] if raw.endswith(b"/") else raw


def _text(value: bytes) -> str:
    return html.unescape(value.decode("utf-8", "replace"))


def read_layout(path: Path, *, max_inflated_bytes: int = MAX_INFLATED_BYTES) -> Layout:
    """Resolve and measure what calamine reads when it opens ``path``, and list the sheets (module doc)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = _Members(path, archive.namelist())
    except (zipfile.BadZipFile, OSError) as err:
        raise malformed(path, "zip", short(err)) from None
    return _Reader(path, members, _Budget(max_inflated_bytes)).layout()


class _Reader:
    def __init__(self, path: Path, members: _Members, budget: _Budget) -> None:
        self.path = path
        self.members = members
        self.budget = budget
        self.result = Layout(path, [])

    def need(self, part: str) -> str:
        found = self.members.find(part)
        if found is None:
            raise MalformedWorkbook(messages.GUARD_MISSING_PART.format(path=self.path, part=part))
        return found

    def read(self, part: str) -> bytes:
        budget = self.budget
        chunks = inflate_chunks(self.path, part, budget.limit - budget.used, shown=budget.limit)
        data = b"".join(chunks)
        budget.used += len(data)
        self.result.inflated[part] = len(data)
        return data

    def bad_attributes(self, part: str) -> MalformedWorkbook:
        return malformed(self.path, part, messages.GUARD_MALFORMED_ATTRIBUTES)

    def layout(self) -> Layout:
        document = None
        for raw in _start_tags(self.read(self.need("_rels/.rels")), b"Relationship"):
            values = get_attrs(raw, (b"Type", b"Target"))
            if values is None:
                raise self.bad_attributes("_rels/.rels")
            if values[0] is not None and values[0].endswith(b"/relationships/officeDocument") and values[1]:
                document = _text(values[1])
        if document is None:
            raise MalformedWorkbook(messages.GUARD_MISSING_PART.format(path=self.path, part="officeDocument"))
        cut = document.rfind("/")
        folder = document[: cut + 1].removeprefix("/") if cut >= 0 else ""
        strings = self.members.find(f"{folder}sharedStrings.xml")
        if strings is not None:
            self.result.strings_part = strings
            self.result.shared_strings = self._shared_strings(strings)
        styles = self.members.find(f"{folder}styles.xml")
        if styles is not None:
            self.read(styles)
        targets = self._relationships(self.need(f"{folder}_rels/workbook.xml.rels"))
        workbook = self.members.find(f"{folder}workbook.xml")
        if workbook is not None:  # without it calamine lists no sheet either
            self._sheets(workbook, folder, targets)
        return self.result

    def _relationships(self, part: str) -> dict[bytes, list[str]]:
        targets: dict[bytes, list[str]] = {}
        for raw in _start_tags(self.read(part), b"Relationship"):
            rel = get_attrs(raw, (b"Id", b"Type", b"Target"))
            if rel is None:
                raise self.bad_attributes(part)
            if rel[0] is not None:
                targets.setdefault(rel[0], []).append(_text(rel[2] or b""))
        return targets

    def _sheets(self, part: str, folder: str, targets: dict[bytes, list[str]]) -> None:
        for raw in _start_tags(self.read(part), b"sheet"):
            name, state, rel_id = "", "visible", b""
            attrs = raw_attributes(raw)
            if attrs is None:
                raise self.bad_attributes(part)
            for key, value in attrs:
                if key == b"name":
                    name = _text(value)
                elif key == b"state":
                    state = value.decode("ascii", "replace")
                elif key == b"id" or key.endswith(b":id"):
                    rel_id = value
            if state not in SHEET_STATES:
                raise malformed(self.path, part, messages.GUARD_MALFORMED_STATE.format(state=state))
            parts: list[str] = []
            for target in targets.get(rel_id, []):
                found = self.members.find(target[1:] if target.startswith("/") else f"{folder}{target}")
                if found is not None and found not in parts:
                    parts.append(found)
            self.result.sheets.append(SheetEntry(name, state, tuple(parts)))

    def _shared_strings(self, part: str) -> int:
        """Inflate the shared-string table within the budget; refuse an absurd declared or real count.

        Every ``sst`` start tag is checked: calamine reserves ``uniqueCount`` of the first real one, and
        one hidden in a comment must not hide the real one from this check.
        """
        budget = self.budget
        declared = count = 0
        tail = b""
        since_si = 0  # bytes since the last '<si', across chunks
        before = budget.used
        for chunk in inflate_chunks(self.path, part, budget.limit - budget.used, shown=budget.limit):
            budget.used += len(chunk)
            window = tail + chunk
            for name in _SST_NAME.finditer(window, max(0, len(tail) - 4)):
                declared = max(declared, self._declared(window, name.start()))
            count += window.count(b"<si") - tail.count(b"<si")
            since_si = self._longest(chunk, since_si)
            for number in (declared, count):
                if number > MAX_SHARED_STRINGS:
                    raise SheetGuardError(
                        messages.GUARD_TOO_MANY_STRINGS.format(
                            path=self.path, count=number, bound=MAX_SHARED_STRINGS
                        )
                    )
            tail = window[-4096:]
        self.result.inflated[part] = budget.used - before
        self.result.longest_string = max(self.result.longest_string, since_si)
        return declared

    def _longest(self, chunk: bytes, since_si: int) -> int:
        """Note the longest run between two '<si' in ``chunk``; return the bytes after its last one.

        Splitting at '<si' is C code, unlike a loop over matches: a million strings cost milliseconds.
        A '<si' split by the chunk border only makes one run look longer, which errs on the safe side.
        """
        pieces = chunk.split(b"<si")
        if len(pieces) == 1:
            return since_si + len(chunk)
        first = since_si + len(pieces[0])
        inner = max(map(len, pieces[1:-1]), default=0)
        self.result.longest_string = max(self.result.longest_string, first, inner)
        return len(pieces[-1])

    @staticmethod
    def _declared(window: bytes, at: int) -> int:
        lt = window.rfind(b"<", max(0, at - 256), at)
        tag = _START_TAG.match(window, lt) if lt >= 0 else None
        if tag is None or local_name(tag.group(1)) != b"sst":
            return 0
        attrs = raw_attributes(tag.group(2).rstrip(b"/")) or []
        value = next((v for k, v in attrs if k == b"uniqueCount"), b"").strip().lstrip(b"+")
        return int(value) if value.isdigit() and value.isascii() else 0


def find_name_clashes(names: Sequence[str], normalize: Callable[[str], object]) -> list[tuple[str, str]]:
    """Pairs of sheet names that normalise to the same key (jcdraw passes ``normalize_key_one``).

    Example:
        >>> find_name_clashes(["检查结果", "Sheet2", " 检查结果 ", "sheet2"], lambda n: n.strip().casefold())
        [('检查结果', ' 检查结果 '), ('Sheet2', 'sheet2')]
    """
    seen: dict[object, str] = {}
    clashes = []
    for name in names:
        key = normalize(name)
        if key in seen:
            clashes.append((seen[key], name))
        else:
            seen[key] = name
    return clashes
