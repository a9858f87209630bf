"""The problem list of a validation as a workbook (``validate --report``), one row per problem."""

from __future__ import annotations

from pathlib import Path

from jcdraw import messages
from jcdraw.io.xlsx_write import Column, Sheet, write_workbook
from jcdraw.problems import Problem


def write_problem_report(path: Path, problems: list[Problem], *, force: bool) -> None:
    """Severity, code, sheet, Excel row, column, value and message of every problem."""
    columns = [Column(h) for h in messages.PROBLEM_REPORT_HEADERS]
    rows = (
        [messages.SEVERITY_LABELS[p.severity], p.code, p.sheet, p.row, p.column, p.value, p.message]
        for p in problems
    )
    write_workbook(path, [Sheet(messages.PROBLEMS_TITLE, columns, rows)], force=force)

