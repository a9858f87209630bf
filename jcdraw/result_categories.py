"""The list of inspection result categories, shipped as data in ``plans/result_categories.yaml``.

An item may carry several results separated by 、; a category listed under ``exclusive`` (未发现问题)
cannot be combined with any other. One category itself contains 、 ("公示信息隐瞒真实情况、弄虚作假"),
so a cell is split by matching known categories, longest first, never by a naive split.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.plans import read_yaml
from jcdraw.resources import plan_dirs

FILE_NAME = "result_categories.yaml"
SEPARATORS = "、，,;；"


@dataclass(frozen=True)
class ResultCategories:
    categories: tuple[str, ...]
    exclusive: frozenset[str]

    def split(self, text: str) -> list[str] | None:
        """The categories in ``text`` in order, or None if any part is not a known category."""
        rest = text.strip()
        found: list[str] = []
        by_length = sorted(self.categories, key=len, reverse=True)
        while rest:
            match = next((c for c in by_length if rest.startswith(c)), None)
            if match is None:
                return None
            found.append(match)
            rest = rest[len(match) :].lstrip(SEPARATORS + " ")
        return found


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
    return ResultCategories(tuple(c.strip() for c in categories), frozenset(exclusive))
