"""Safe reading of the small YAML files jcdraw ships and staff edit (plans, areas, categories, calendars).

These files are untrusted text. ``parse_yaml_file`` reads one with a safe loader that also refuses
aliases (no "billion laughs"), repeated keys (PyYAML would silently keep the last ``ratio:``), files over
2 MB and absurd nesting, and raises ``YamlFileError`` saying which of these went wrong and where. Each
kind of file turns that into its own Chinese message (``read_yaml`` for plans, the calendar module for
calendars), so the rules live here once.

Every ``detail`` is Chinese. PyYAML's English ``problem`` text is matched against ``_PROBLEMS`` (the
usual mistakes of someone editing YAML in Notepad: a Tab, a missing colon, an unclosed quote or
bracket, bad indentation) and said in Chinese with its line; anything else gets a generic Chinese
sentence that still names the line, never PyYAML's English.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from jcdraw import messages
from jcdraw.errors import BadPlan

MAX_YAML_BYTES = 2_000_000

Failure = Literal[
    "missing", "unreadable", "too-big", "not-utf8", "unsafe", "alias", "duplicate-key", "syntax"
]


@dataclass
class YamlFileError(Exception):
    """Why a YAML file could not be read: ``kind``, a Chinese ``detail`` and, where known, the line."""

    kind: Failure
    detail: str
    line: int | None = None
    key: object = None


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that also refuses anchors/aliases and repeated keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            line = event.start_mark.line + 1
            detail = messages.YAML_ALIAS.format(line=line, name=getattr(event, "anchor", ""))
            raise YamlFileError("alias", detail, line)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not _hashable(key):
                continue  # a list as a key: super() raises PyYAML's "found unhashable key"
            if key in seen:
                line = key_node.start_mark.line + 1
                detail = messages.YAML_DUPLICATE_KEY.format(line=line, key=key)
                raise YamlFileError("duplicate-key", detail, line, key)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _hashable(key: object) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


class _DatesAsDates(_SafeLoader):
    """Dates become ``datetime.date``; an impossible one (2024-13-31) stays text for a precise error."""


def _timestamp_or_text(loader: _SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(loader.construct_scalar(node))


_DatesAsDates.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class _DatesAsText(_SafeLoader):
    """Dates stay text, for files that report a bad date with its own context (calendars)."""


def _date_as_text(loader: _SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def parse_yaml_file(path: Path, *, dates_as_text: bool = False) -> Any:
    """The data in ``path``; ``YamlFileError`` when it is missing, unreadable, too big or not safe YAML."""
    if not path.exists():
        raise YamlFileError("missing", str(path))
    try:
        data = path.read_bytes()
    except OSError as err:
        raise YamlFileError("unreadable", _os_detail(err)) from None
    if len(data) > MAX_YAML_BYTES:
        raise YamlFileError("too-big", messages.YAML_TOO_BIG)
    try:
        text = data.decode("utf-8-sig")  # Notepad may add a BOM
    except UnicodeDecodeError:
        raise YamlFileError("not-utf8", messages.YAML_NOT_UTF8) from None
    loader = _DatesAsText if dates_as_text else _DatesAsDates
    try:
        return yaml.load(text, Loader=loader)
    except yaml.constructor.ConstructorError as err:
        tag = _TAG.search(str(err.problem or ""))
        if tag is None:  # an unhashable key or a bad merge: a mistake, not a dangerous tag
            raise YamlFileError("syntax", yaml_problem_in_chinese(err, text)) from None
        detail = messages.YAML_TAG.format(where=_where(err.problem_mark), tag=tag["tag"])
        raise YamlFileError("unsafe", detail) from None
    except yaml.YAMLError as err:
        raise YamlFileError("syntax", yaml_problem_in_chinese(err, text)) from None
    except RecursionError:  # PyYAML composes recursively: "[[[[…" thousands deep
        raise YamlFileError("syntax", messages.YAML_TOO_DEEP) from None


class YamlTexts(NamedTuple):
    """How one kind of file says it cannot be read, is unsafe, or is not valid YAML ({path}, {detail})."""

    unreadable: str
    unsafe: str
    syntax: str


PLAN_TEXTS = YamlTexts(messages.PLAN_UNREADABLE, messages.PLAN_YAML_UNSAFE, messages.PLAN_YAML_ERROR)


def read_yaml(path: Path, texts: YamlTexts = PLAN_TEXTS) -> Any:
    """A plan, areas or categories file's data (``texts`` for other kinds); ``BadPlan`` naming the file."""
    try:
        return parse_yaml_file(path)
    except YamlFileError as err:
        if err.kind in ("missing", "unreadable", "too-big", "not-utf8"):
            detail = err.detail if err.kind != "missing" else messages.YAML_MISSING
            raise BadPlan(texts.unreadable.format(path=path, detail=detail)) from None
        if err.kind in ("unsafe", "alias"):
            raise BadPlan(texts.unsafe.format(path=path, detail=err.detail)) from None
        raise BadPlan(texts.syntax.format(path=path, detail=err.detail)) from None


# PyYAML's English problem (and context) → a key of messages.YAML_PROBLEMS; the first match wins. The
# last field says which mark gives the line to look at: for an unclosed quote or bracket and a missing
# colon that is where the construct began (the context mark), not where PyYAML gave up.
_PROBLEMS: list[tuple[str, str, str, str]] = [
    ("tab", r"found character '\\t' that cannot start any token", "", "problem"),
    ("bad-start", r"found character '(?P<char>.*)' that cannot start any token", "", "problem"),
    ("missing-colon", r"could not find expected ':'", "", "context"),
    ("colon-not-allowed", r"mapping values are not allowed here", "", "problem"),
    ("unclosed-quote", r"found unexpected end of stream", r"quoted scalar", "context"),
    ("unclosed-bracket", r"expected ',' or '\]', but got '<stream end>'", "", "context"),
    ("unclosed-brace", r"expected ',' or '\}', but got '<stream end>'", "", "context"),
    ("bad-list", r"expected ',' or '\]'", "", "problem"),
    ("bad-mapping", r"expected ',' or '\}'", "", "problem"),
    ("bad-indent", r"expected <block end>|did not find expected (?:key|'-' indicator)", "", "problem"),
    ("bad-escape", r"unknown escape character|expected escape sequence", "", "problem"),
    ("two-documents", r"but found another document", "", "problem"),
    ("not-a-mapping", r"expected '<document start>'", "", "problem"),
    ("bad-key", r"found unhashable key", "", "problem"),
    ("bad-anchor", r"expected alphabetic or numeric character", r"anchor|alias", "problem"),
]
_TAG = re.compile(r"could not determine a constructor for the tag '(?P<tag>.*)'")
# A ReaderError has no problem text: its message names the character as #x0001 and the position.
_READER_CHARACTER = re.compile(r"#x(?P<code>[0-9a-fA-F]{4,8})")


def yaml_problem_in_chinese(err: yaml.YAMLError, text: str = "") -> str:
    """PyYAML's error as one Chinese sentence with the line; never PyYAML's English.

    Example:
        >>> try:
        ...     yaml.safe_load("a: 1\\nb\\nc: 2\\n")
        ... except yaml.YAMLError as err:
        ...     print(yaml_problem_in_chinese(err))
        第 2 行缺少冒号“:”（应写成“名称: 值”，冒号后加一个空格），或这一行的缩进与上文不一致
    """
    if isinstance(err, yaml.reader.ReaderError):
        line = text.count("\n", 0, err.position) + 1 if text else None
        code = _READER_CHARACTER.search(str(err))
        char = f"U+{code['code'].upper()}" if code else ""
        where = messages.YAML_AT_LINE.format(line=line) if line else messages.YAML_NO_LINE
        return messages.YAML_PROBLEMS["control-char"].format(where=where, char=char)
    problem = str(getattr(err, "problem", "") or "")
    context = str(getattr(err, "context", "") or "")
    for key, pattern, context_pattern, at in _PROBLEMS:
        found = re.search(pattern, problem)
        if found is None or (context_pattern and not re.search(context_pattern, context)):
            continue
        mark = getattr(err, f"{at}_mark", None) or getattr(err, "problem_mark", None)
        char = _printable(found.groupdict().get("char") or "")
        return messages.YAML_PROBLEMS[key].format(where=_where(mark), char=char)
    return messages.YAML_PROBLEMS["generic"].format(where=_where(getattr(err, "problem_mark", None)))


def _where(mark: object) -> str:
    line = getattr(mark, "line", None)
    return messages.YAML_AT_LINE.format(line=line + 1) if isinstance(line, int) else messages.YAML_NO_LINE


def _printable(char: str) -> str:
    """A character PyYAML quoted, safe to show: printable as is, a control character as its escape."""
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def _os_detail(err: OSError) -> str:
    """The operating system's reason in Chinese (its own text is English on Linux and macOS)."""
    if isinstance(err, PermissionError) or err.errno in (errno.EACCES, errno.EPERM):
        return messages.YAML_NO_PERMISSION
    if isinstance(err, IsADirectoryError) or err.errno == errno.EISDIR:
        return messages.YAML_IS_FOLDER
    return messages.YAML_OS_ERROR.format(errno=err.errno)
