"""How tall wrapped text stands: row heights for wrapped columns and lines of a merged title.

Excel and WPS grow a row of wrapped text when they show it; LibreOffice keeps one line, so jcdraw sets
the height itself. Widths are in Excel's column characters, where a CJK character counts 2
(``display_width``); the estimate errs on the tall side, since a cut line is worse than a blank one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from jcdraw.io.xlsx_cells import display_width

if TYPE_CHECKING:
    from jcdraw.io.xlsx_write import Column

LINE_POINTS = 15.0  # one line of Calibri 11 (and the CJK font Excel falls back to)
MAX_ROW_POINTS = 409.0  # Excel's highest row
TITLE_POINTS, TITLE_LINE_POINTS = 26.0, 19.0  # the title row; each further line of its 14 pt bold text
TITLE_SCALE = 1.45  # a 14 pt bold character's width in 11 pt column characters


def wrapped_height(
    columns: list[Column], widths: list[float]
) -> Callable[[Sequence[object]], float | None] | None:
    """Row heights that show the wrapped texts whole, for sheets with ``wrap`` columns; else None.

    Excel and WPS grow such rows when they show them, LibreOffice keeps one line: the height is set.
    """
    wrapped = [
        (col, width) for col, (column, width) in enumerate(zip(columns, widths, strict=True))
        if column.wrap and column.kind == "text"
    ]  # fmt: skip
    if not wrapped:
        return None

    def height(row: Sequence[object]) -> float | None:
        lines = 1
        for col, width in wrapped:
            text = row[col] if col < len(row) else None
            if isinstance(text, str):
                lines = max(lines, wrapped_lines(text, width))
        return None if lines <= 1 else min(MAX_ROW_POINTS, lines * LINE_POINTS)

    return height


def title_lines(title: str, widths: list[float]) -> int:
    """Lines a merged title over columns of ``widths`` takes: one unless it would be cut at the edges.

    Example:
        >>> title_lines("短标题", [10, 10]), title_lines("很长的标题" * 6, [10, 10])
        (1, 5)
    """
    room = max(1.0, sum(widths) - 1)
    return max(1, math.ceil(display_width(title) * TITLE_SCALE / room))


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide (CJK characters count 2)."""
    usable = max(1.0, width - 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))
