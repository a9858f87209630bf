"""The list of inspection result categories, shipped as data in ``plans/result_categories.yaml``.

An item may carry several results separated by 、; a category listed under ``exclusive`` (未发现问题)
cannot be combined with any other. One category itself contains 、 ("公示信息隐瞒真实情况、弄虚作假"),
so a cell is split by matching known categories, longest first, never by a naive split.

``findings`` are the categories that count as a problem found (the year report's detection rate);
``follow_up`` those whose result needs 后续处置 tracked until done (``jcdraw followup``, ``status``).
A categories file written before these lists existed (a working folder's copy) takes them from the
shipped file, keeping only the categories it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.io.normalize import map_distinct, normalize_key
from jcdraw.io.text import normalize_key_one
from jcdraw.plans.folders import builtin_plans_dir, plan_dirs
from jcdraw.plans.yaml_file import read_yaml

FILE_NAME = "result_categories.yaml"
SEPARATORS = frozenset("、,;/")  # after NFKC, which has turned ，；／ into ,;/


@dataclass(frozen=True)
class ResultCategories:
    categories: tuple[str, ...]
    exclusive: frozenset[str]
    # Other wordings (the national publicity system's, common short forms) → the category recorded.
    aliases: Mapping[str, str] = field(default_factory=dict)
    findings: frozenset[str] = frozenset()  # a problem found (detection rate)
    follow_up: frozenset[str] = frozenset()  # needs 后续处置 until done

    def any_of(self, results: pd.Series, wanted: frozenset[str]) -> pd.Series:
        """Per result text (categories joined by 、, as the ledger view holds them): holds one of ``wanted``.

        Example:
            >>> c = ResultCategories(("未发现问题", "发现问题待后续处理"), frozenset(), {},
            ...                      frozenset({"发现问题待后续处理"}))
            >>> c.any_of(pd.Series(["未发现问题", "发现问题待后续处理", None]), c.findings).tolist()
            [False, True, False]
        """
        parser = CategoryParser(self)
        found = map_distinct(
            results, lambda text: bool(set(parser.parse(text).categories) & wanted), skip_na=True
        )
        return found.eq(True)  # an empty cell (NaN) holds none


def load_result_categories(path: Path | None = None) -> ResultCategories:
    """Read the categories from ``path`` or the first ``result_categories.yaml`` in the plan folders."""
    if path is None:
        path = next(
            (d / FILE_NAME for d in plan_dirs() if (d / FILE_NAME).is_file()), plan_dirs()[-1] / FILE_NAME
        )
    raw = read_yaml(path)
    categories = raw.get("categories") if isinstance(raw, dict) else None
    if (
        not isinstance(categories, list)
        or not categories
        or not all(isinstance(c, str) and c for c in categories)
    ):
        raise BadPlan(messages.RESULT_CATEGORIES_INVALID.format(path=path))
    exclusive = raw.get("exclusive") or []
    if not isinstance(exclusive, list) or any(e not in categories for e in exclusive):
        raise BadPlan(messages.RESULT_CATEGORIES_INVALID.format(path=path))
    aliases = raw.get("aliases") or {}
    if not isinstance(aliases, dict) or any(
        not isinstance(k, str) or not k.strip() or v not in categories for k, v in aliases.items()
    ):
        raise BadPlan(messages.RESULT_CATEGORIES_INVALID.format(path=path))
    names = tuple(c.strip() for c in categories)
    return ResultCategories(
        names, frozenset(exclusive), {k.strip(): v for k, v in aliases.items()},
        _subset(raw, "findings", names, path), _subset(raw, "follow_up", names, path),
    )  # fmt: skip


def _subset(raw: dict[str, object], name: str, categories: tuple[str, ...], path: Path) -> frozenset[str]:
    """The categories listed under ``name``; absent (an older file): the shipped file's, where known."""
    if name not in raw:
        shipped = builtin_plans_dir() / FILE_NAME
        if path.resolve() == shipped.resolve():
            return frozenset()
        return frozenset(getattr(load_result_categories(shipped), name)) & frozenset(categories)
    listed = raw.get(name) or []
    if not isinstance(listed, list) or any(c not in categories for c in listed):
        raise BadPlan(messages.RESULT_CATEGORIES_INVALID.format(path=path))
    return frozenset(listed)


# --- parsing result cells ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedResult:
    categories: tuple[str, ...]  # known categories, in the configured order, each once
    unknown: tuple[str, ...]  # parts that are no category
    clash: str | None  # an exclusive category combined with others


class CategoryParser:
    """Splits result cells into configured categories, comparing normalised text (whitespace, width).

    Example:
        >>> p = CategoryParser(ResultCategories(("未发现问题", "公示信息隐瞒真实情况、弄虚作假", "已注销"),
        ...                                     frozenset({"未发现问题"})))
        >>> p.parse("已注销、公示信息隐瞒真实情况、弄虚作假")
        ParsedResult(categories=('公示信息隐瞒真实情况、弄虚作假', '已注销'), unknown=(), clash=None)
        >>> p.parse("未发现问题，已注销").clash
        '未发现问题'
        >>> aliases = {"发现问题经责令已改正": "发现问题已责令改正", "注销": "已注销"}
        >>> q = CategoryParser(ResultCategories(("发现问题已责令改正", "已注销"), frozenset(), aliases))
        >>> q.parse("发现问题经责令已改正、注销").categories
        ('发现问题已责令改正', '已注销')
    """

    def __init__(self, config: ResultCategories) -> None:
        self.config = config
        wordings = [*config.categories, *config.aliases]
        names = [*config.categories, *config.aliases.values()]
        keys = normalize_key(pd.Series(wordings, dtype=object))
        self._rank = {name: i for i, name in enumerate(config.categories)}
        self._by_length = sorted(zip(keys, names, strict=True), key=lambda kv: -len(kv[0]))

    @property
    def choices(self) -> str:
        return "、".join(self.config.categories)

    def parse(self, text: str) -> ParsedResult:
        return self._parse_key(normalize_key_one(text) or "")

    def parse_column(self, keys: pd.Series) -> pd.Series:
        """ParsedResult (or None for empty) per normalised cell; each distinct text is parsed once."""
        parsed = {key: self._parse_key(key) for key in keys.dropna().unique()}
        return keys.map(parsed).astype(object).where(keys.notna(), None)

    def _parse_key(self, key: str) -> ParsedResult:
        found: list[str] = []
        unknown: list[str] = []
        i = 0
        while i < len(key):
            if key[i] in SEPARATORS:
                i += 1
                continue
            match = next((kv for kv in self._by_length if _starts_category(key, i, kv[0])), None)
            if match is None:
                end = next((j for j in range(i, len(key)) if key[j] in SEPARATORS), len(key))
                unknown.append(key[i:end])
                i = end
            else:
                found.append(match[1])
                i += len(match[0])
        ordered = tuple(sorted(set(found), key=self._rank.__getitem__))
        clash = next((c for c in ordered if c in self.config.exclusive), None)
        return ParsedResult(
            ordered, tuple(unknown), clash if len(ordered) > 1 or (clash and unknown) else None
        )


def _starts_category(key: str, at: int, category: str) -> bool:
    end = at + len(category)
    return key.startswith(category, at) and (end == len(key) or key[end] in SEPARATORS)


def result_text(categories: Iterable[str]) -> str:
    return "、".join(categories)
