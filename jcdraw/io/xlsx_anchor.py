"""The ledger anchor in the footer of every printed page of a workbook (one helper for all of them).

Every workbook jcdraw writes from the ledger prints where the ledger stood when it was written
(``jcdraw.ledger.Anchor.text``), so a printed page can later be checked with ``jcdraw audit --against``.
A sheet without its own page setup gets the house default (``PrintSetup()``); a machine sheet
(``NOT_FOR_PRINT``) and a footer already holding the anchor are left as they are.
"""

from __future__ import annotations

from dataclasses import replace

from jcdraw.io.xlsx_print import PrintSetup
from jcdraw.io.xlsx_write import Sheet


def anchored(sheets: list[Sheet], anchor: str) -> list[Sheet]:
    """``sheets`` with ``anchor`` in the right-hand footer of each printed one.

    Example:
        >>> sheet = anchored([Sheet("表", [], [])], "台账编号 …")[0]
        >>> sheet.print_setup.footer_right if sheet.print_setup else None
        '台账编号 …'
    """
    return [_with_anchor(sheet, anchor) for sheet in sheets]


def _with_anchor(sheet: Sheet, anchor: str) -> Sheet:
    setup = sheet.print_setup or PrintSetup()
    if not setup.for_print or anchor in setup.footer_right:
        return sheet
    return replace(sheet, print_setup=replace(setup, footer_right=anchor))
