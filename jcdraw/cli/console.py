"""Consoles that never fail for the output's encoding, and user data that never drives the terminal.

Three layers, each usable on its own:

* ``install_safe_streams()`` gives ``sys.stdout``/``sys.stderr`` the codec error handler
  ``FALLBACK_ERRORS``: a character the stream's encoding cannot hold becomes readable text (``✓`` →
  ``[通过]``, box drawing → ``-|+``, anything else → ``\\u6821``) instead of raising
  ``UnicodeEncodeError``. It is the backstop for every writer (rich, ``print``, a ``--debug`` traceback).
* ``SafeConsole`` (made by ``make_console``) applies the same fallback *before* rich lays text out, so
  tables stay aligned, and shows control characters in strings visibly (``visible``). It also cleans
  the final segments, so a ``Text`` built elsewhere cannot emit an escape sequence either. ``Cell`` is a
  table cell cleaned by whichever console renders it.
* ``visible`` and ``path_problem``: the sanitizer for user data and the check that refuses a path.

The stream's real encoding is kept, not forced to UTF-8: on Chinese Windows a log redirected by a .bat
file is GBK (cp936) and is read in Notepad or with ``type`` as GBK. With an encoding that cannot hold
Chinese at all (``ascii``, cp1252, cp437) Chinese becomes ``\\uXXXX``: nothing is lost (support can
decode it), the exit code stays the command's own, and the remedy is ``set PYTHONIOENCODING=utf-8``.
"""

from __future__ import annotations

import codecs
import io
import json
import locale
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from os import PathLike
from typing import IO, Any

from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod, RenderableType
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from jcdraw import messages

FALLBACK_ERRORS = "jcdraw_fallback"

# Symbols jcdraw prints, with replacements tried in order; the first one the encoding holds is used.
# Bracketed Chinese rather than √/× (both in GBK): those are East-Asian "ambiguous width", drawn two
# cells wide by Chinese fonts, which would push table borders out of line.
SYMBOL_FALLBACKS: dict[str, tuple[str, ...]] = {
    "✓": (messages.FALLBACK_PASSED, "[OK]"),
    "✔": (messages.FALLBACK_PASSED, "[OK]"),
    "✗": (messages.FALLBACK_FAILED, "[X]"),
    "✘": (messages.FALLBACK_FAILED, "[X]"),
    "❌": (messages.FALLBACK_FAILED, "[X]"),
    "⚠": (messages.FALLBACK_NOTE, "[!]"),
    "•": ("·", "*"),
    "·": ("*",),
    "…": ("...",),
    "—": ("--",),
    "–": ("-",),
    "“": ('"',),
    "”": ('"',),
    "‘": ("'",),
    "’": ("'",),
    "×": ("x",),
    "≥": (">=",),
    "≤": ("<=",),
    "→": ("->",),
    "←": ("<-",),
    "、": (",",),
    "。": (".",),
    "\u3000": ("  ",),
}

# Shown visibly wherever user data reaches the terminal: C0 (except newline; tab becomes a space), DEL,
# C1 (incl. the 8-bit CSI \x9b), bidi controls (U+202E "exe.xlsx" spoofing), invisible format
# characters, line/paragraph separators, lone surrogates (undecodable file names) and tag characters.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)


def _code_point(ch: str) -> str:
    return f"<U+{ord(ch):04X}>"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """User data made safe for a terminal: control and invisible characters become ``<U+001B>``.

    Chinese and all printable text are unchanged. ``<`` and ``>`` cannot occur in Windows file names,
    so the notation cannot be mistaken for part of a real name. ``\\r\\n`` counts as a newline; a tab
    becomes a space.

    Example:
        >>> visible("乙\\x1b[2J公司")
        '乙<U+001B>[2J公司'
        >>> visible("第一行\\n第二行", keep_newlines=False)
        '第一行<U+000A>第二行'
    """
    if keep_newlines:
        text = text.replace("\r\n", "\n")
    text = text.replace("\t", " ")
    if not UNSAFE.search(text) and (keep_newlines or "\n" not in text):
        return text
    if keep_newlines:
        return UNSAFE.sub(lambda m: _code_point(m.group()), text)
    return "".join(_code_point(ch) if ch == "\n" or UNSAFE.match(ch) else ch for ch in text)


def path_problem(path: str | PathLike[str]) -> str | None:
    """The Chinese reason to refuse a file path with control or invisible characters, else ``None``.

    Such a name is never what a clerk meant, and echoing it back would let it split or overwrite the
    line that reports the result.
    """
    text = str(path)
    if UNSAFE.search(text) or "\n" in text:
        return messages.PATH_HAS_CONTROL.format(path=visible(text, keep_newlines=False))
    return None


# --- encoding fallback -------------------------------------------------------------------------


def normal_encoding(name: str | None) -> str:
    """Canonical codec name (``cp936`` → ``gbk``); the locale's encoding when the stream names none."""
    try:
        return codecs.lookup(name or locale.getpreferredencoding(False)).name
    except LookupError:
        return "utf-8"


def stream_encoding(stream: Any) -> str:
    """The encoding the stream really uses (PYTHONIOENCODING, a redirected file, the Windows console)."""
    return normal_encoding(getattr(stream, "encoding", None))


@lru_cache(maxsize=4096)
def _encodable(text: str, encoding: str) -> bool:
    return _fits(text, encoding)


def _fits(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True
    return True


def _box_fallback(ch: str) -> str | None:
    if not ("\u2500" <= ch <= "\u259f"):
        return None
    name = unicodedata.name(ch, "")
    if "BLOCK" in name or "SHADE" in name:
        return "#"
    if "HORIZONTAL" in name and "VERTICAL" not in name and "AND" not in name:
        return "=" if "DOUBLE" in name else "-"
    if "VERTICAL" in name and "HORIZONTAL" not in name and "AND" not in name:
        return "|"
    return "+"


def substitute(ch: str, encoding: str) -> str:
    """A replacement for one character the encoding cannot hold; ASCII at worst.

    Example:
        >>> substitute("✓", "gbk"), substitute("✓", "ascii"), substitute("中", "ascii")
        ('[通过]', '[OK]', '\\\\u4e2d')
    """
    for candidate in SYMBOL_FALLBACKS.get(ch, ()):
        if _encodable(candidate, encoding):
            return candidate
    box = _box_fallback(ch)
    if box is not None:
        return box
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and _encodable(compat, encoding):
        return compat  # fullwidth （，：） → ASCII (,:)
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _fallback_handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(substitute(ch, exc.encoding) for ch in text), exc.end


codecs.register_error(FALLBACK_ERRORS, _fallback_handler)


def fit(text: str, encoding: str) -> str:
    """``text`` with every character the encoding cannot hold replaced (see ``substitute``).

    Example:
        >>> fit("✓ 通过", "gbk")
        '[通过] 通过'
    """
    if _fits(text, encoding):
        return text
    return text.encode(encoding, FALLBACK_ERRORS).decode(encoding)


def install_safe_streams() -> None:
    """Make ``sys.stdout``/``sys.stderr`` fall back instead of raising (idempotent).

    Only the error handler changes; the encoding stays what Python chose for the stream. Streams that
    are not ``TextIOWrapper`` (``None`` under pythonw, test doubles) are left alone.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors != FALLBACK_ERRORS:
            try:
                stream.reconfigure(errors=FALLBACK_ERRORS)
            except (ValueError, OSError):  # closed or detached: nothing will be written to it
                continue


def write_text(stream: IO[str] | None, text: str) -> None:
    """Write plain text (a help page) to a stream without ever raising for its encoding."""
    if stream is None:
        return
    stream.write(fit(visible(text), stream_encoding(stream)))
    stream.flush()


def print_json(data: Any, stream: IO[str] | None = None) -> None:
    """JSON for scripts: Chinese unescaped on UTF-8 streams, ``\\uXXXX`` (still exact JSON) otherwise."""
    out = sys.stdout if stream is None else stream
    if out is None:
        return
    ascii_only = not stream_encoding(out).startswith("utf")
    text = json.dumps(data, ensure_ascii=ascii_only, indent=2, default=str)
    # json escapes C0 itself; C1, bidi and invisible characters can only be inside strings, where a
    # \uXXXX escape means the same value and keeps the terminal safe.
    text = UNSAFE.sub(lambda m: json.dumps(m.group())[1:-1], text)
    out.write(text + "\n")
    out.flush()


# --- rich --------------------------------------------------------------------------------------


class SafeConsole(Console):
    """A rich Console that shows user strings visibly and only writes what its encoding can hold.

    ``render_str`` cleans strings before layout (tables measure the cleaned text). ``render`` cleans
    the final text segments as a backstop for ``Text`` objects built elsewhere (layout is done by then,
    so such a cell may be cropped); rich's own control segments (a spinner's cursor moves) pass as is.
    """

    def clean(self, text: str) -> str:
        return fit(visible(text), normal_encoding(self.encoding))

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: Any = None,
    ) -> Text:
        return super().render_str(
            self.clean(text),
            style=style,
            justify=justify,
            overflow=overflow,
            emoji=emoji,
            markup=markup,
            highlight=highlight,
            highlighter=highlighter,
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._nested = threading.local()  # per thread: a spinner's refresh thread renders too

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        if getattr(self._nested, "active", False):  # rich renders nested parts through here: clean once
            yield from super().render(renderable, options)
            return
        self._nested.active = True
        try:
            encoding = normal_encoding(self.encoding)
            for segment in super().render(renderable, options):
                text = segment.text
                if segment.control is None and text and (UNSAFE.search(text) or not _fits(text, encoding)):
                    yield Segment(fit(visible(text), encoding), segment.style)
                else:
                    yield segment
        finally:
            self._nested.active = False


class Cell:
    """A table cell or message part from data: literal (never markup), cleaned by the console that
    renders it *before* rich measures it, so a ``✓`` that becomes ``[通过]`` keeps the table aligned."""

    def __init__(self, text: str, style: str | Style = "") -> None:
        self.text = text
        self.style = style

    def _text(self, console: Console) -> Text:
        clean = console.clean(self.text) if isinstance(console, SafeConsole) else self.text
        return Text(clean, style=self.style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Text]:
        yield self._text(console)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._text(console))

    def __repr__(self) -> str:
        return f"Cell({self.text!r})"


def make_console(stderr: bool = False) -> SafeConsole:
    """The app's console: plain and 160 wide when not a terminal, never fails for the encoding.

    Not a terminal (a file, a pipe, a scheduled task): no colour or cursor codes even if FORCE_COLOR or
    TTY_COMPATIBLE are set, and lines as wide as an editor shows them. ``markup=False`` and
    ``emoji=False``: user data such as ``[/]`` or ``:thumbs_up:`` is shown as typed.
    """
    install_safe_streams()
    stream = sys.stderr if stderr else sys.stdout
    tty = bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())
    return SafeConsole(
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        width=None if tty else 160,
        force_terminal=None if tty else False,
    )
