"""Safe reading of the small YAML files jcdraw ships and staff edit (plans, areas, categories, calendars).

These files are untrusted text. ``parse_yaml_file`` reads one with a safe loader that also refuses
aliases (no "billion laughs"), repeated keys (PyYAML would silently keep the last ``ratio:``), files over
2 MB and absurd nesting, and raises ``YamlFileError`` saying which of these went wrong and where. Each
kind of file turns that into its own Chinese message (``read_yaml`` for plans, the calendar module for
calendars), so the rules live here once.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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
            raise YamlFileError("alias", f"第 {line} 行 不允许使用 YAML 别名（*alias）", line)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                line = key_node.start_mark.line + 1
                raise YamlFileError("duplicate-key", f"第 {line} 行 “{key}”重复出现", line, key)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


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
        raise YamlFileError("unreadable", str(err.strerror or err)) from None
    if len(data) > MAX_YAML_BYTES:
        raise YamlFileError("too-big", "文件过大")
    try:
        text = data.decode("utf-8-sig")  # Notepad may add a BOM
    except UnicodeDecodeError:
        raise YamlFileError("not-utf8", "不是 UTF-8 编码") from None
    loader = _DatesAsText if dates_as_text else _DatesAsDates
    try:
        return yaml.load(text, Loader=loader)
    except yaml.constructor.ConstructorError as err:
        raise YamlFileError("unsafe", _detail(err)) from None
    except yaml.YAMLError as err:
        raise YamlFileError("syntax", _detail(err)) from None
    except RecursionError:  # PyYAML composes recursively: "[[[[…" thousands deep
        raise YamlFileError("syntax", "嵌套层数过多") from None


def read_yaml(path: Path) -> Any:
    """A plan, areas or categories file's data; ``BadPlan`` naming the file otherwise."""
    try:
        return parse_yaml_file(path)
    except YamlFileError as err:
        if err.kind in ("missing", "unreadable", "too-big", "not-utf8"):
            detail = err.detail if err.kind != "missing" else "文件不存在"
            raise BadPlan(messages.PLAN_UNREADABLE.format(path=path, detail=detail)) from None
        if err.kind in ("unsafe", "alias"):
            raise BadPlan(messages.PLAN_YAML_UNSAFE.format(path=path, detail=err.detail)) from None
        raise BadPlan(messages.PLAN_YAML_ERROR.format(path=path, detail=err.detail)) from None


def _detail(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    where = f"第 {mark.line + 1} 行" if mark is not None else ""
    return f"{where} {getattr(err, 'problem', '') or err}".strip()
