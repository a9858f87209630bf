"""The problem list of a validation as a workbook (``validate --report``), one row per problem.

It prints on A4 one page wide, landscape, its header row on every page and the registry and plans in
the page header; the messages wrap within their column.
"""

from __future__ import annotations

from pathlib import Path

from jcdraw import messages
from jcdraw.io.xlsx_print import PrintSetup
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.problems import Problem

MESSAGE_WIDTH = 60


def write_problem_report(
    path: Path, problems: list[Problem], *, force: bool, registry: str = "", plans: str = ""
) -> None:
    """Severity, code, sheet, Excel row, column, value and message of every problem."""
    columns = [Column(h) for h in messages.PROBLEM_REPORT_HEADERS]
    columns[-1] = Column(messages.PROBLEM_REPORT_HEADERS[-1], width=MESSAGE_WIDTH, wrap=True)
    rows = (
        [messages.SEVERITY_LABELS[p.severity], p.code, p.sheet, p.row, p.column, p.value, p.message]
        for p in problems
    )
    header = messages.PRINT_HEADER_PROBLEMS.format(registry=registry, plans=plans) if registry else None
    setup = PrintSetup(orientation="landscape", header=header)
    write_workbook(path, [Sheet(messages.PROBLEMS_TITLE, columns, rows, print_setup=setup)], force=force)
