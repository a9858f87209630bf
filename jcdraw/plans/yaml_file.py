"""Safe reading of the small YAML data files jcdraw ships and staff edit (plans, areas, categories).

Plan files are untrusted text: they are read with a safe loader that also refuses aliases (no "billion
laughs") and repeated keys, and every error names the file and line, in Chinese.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from jcdraw import messages
from jcdraw.errors import BadPlan

MAX_PLAN_BYTES = 2_000_000


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that also refuses anchors/aliases, the vehicle of YAML 'billion laughs'."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "不允许使用 YAML 别名（*alias）", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # PyYAML keeps the last of repeated keys silently; a second "ratio:" must not win unnoticed.
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.MarkedYAMLError(problem=f"“{key}”重复出现", problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: _NoAliasLoader, node: yaml.ScalarNode) -> object:
    """An impossible date (2024-13-31) stays text, so the model reports it with its task and field."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(loader.construct_scalar(node))


_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def read_yaml(path: Path) -> Any:
    """Parse a small YAML data file safely; errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadPlan(messages.PLAN_UNREADABLE.format(path=path, detail=err.strerror)) from None
    if len(data) > MAX_PLAN_BYTES:
        raise BadPlan(messages.PLAN_UNREADABLE.format(path=path, detail="文件过大"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadPlan(messages.PLAN_UNREADABLE.format(path=path, detail="不是 UTF-8 编码")) from None
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.constructor.ConstructorError as err:
        raise BadPlan(messages.PLAN_YAML_UNSAFE.format(path=path, detail=_yaml_detail(err))) from None
    except yaml.YAMLError as err:
        raise BadPlan(messages.PLAN_YAML_ERROR.format(path=path, detail=_yaml_detail(err))) from None
    except RecursionError:  # PyYAML composes recursively: "[[[[…" thousands deep
        raise BadPlan(messages.PLAN_YAML_ERROR.format(path=path, detail="嵌套层数过多")) from None


def _yaml_detail(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    where = f"第 {mark.line + 1} 行" if mark is not None else ""
    return f"{where} {getattr(err, 'problem', '') or err}".strip()
