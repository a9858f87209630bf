"""Problems are data: a stable code, a severity, where it is, and a Chinese message.

The catalogue of codes, severities and message templates lives in ``jcdraw.messages.PROBLEMS``;
this module only builds and collects instances. Finders work on whole columns, so ``from_mask``
turns a boolean mask over a table into problems in one go, capped per code so a million bad rows
do not produce a million objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from jcdraw import messages

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
PER_CODE_LIMIT = 1000


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str
    sheet: str | None
    row: int | None  # Excel row number (1-based, as the user sees it)
    column: str | None
    value: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def make(
    code: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    **fields: object,
) -> Problem:
    """Build a problem from the catalogue; ``fields`` fill the message template."""
    severity, template = messages.PROBLEMS[code]
    text_value = None if value is None else _display(value)
    message = template.format(value=text_value if text_value is not None else "", **fields)
    return Problem(severity, code, sheet, row, column, text_value, message)  # type: ignore[arg-type]


def _display(value: object) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


@dataclass
class ProblemList:
    """An ordered collection that caps each code at ``PER_CODE_LIMIT`` and counts the rest."""

    items: list[Problem] = field(default_factory=list)
    overflow: dict[str, int] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        count = self._counts.get(problem.code, 0)
        self._counts[problem.code] = count + 1
        if count < PER_CODE_LIMIT:
            self.items.append(problem)
        else:
            self.overflow[problem.code] = self.overflow.get(problem.code, 0) + 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def from_mask(
        self,
        code: str,
        *,
        sheet: str,
        rows: Sequence[int],
        column: str | None,
        values: Sequence[object],
        **fields: object,
    ) -> None:
        """Add one problem per flagged row; ``rows`` and ``values`` are already masked."""
        room = max(0, PER_CODE_LIMIT - self._counts.get(code, 0))
        for row, value in zip(rows[:room], values[:room], strict=False):
            self.add(make(code, sheet=sheet, row=int(row), column=column, value=value, **fields))
        extra = len(rows) - min(room, len(rows))
        if extra:
            self._counts[code] = self._counts.get(code, 0) + extra
            self.overflow[code] = self.overflow.get(code, 0) + extra

    def finished(self) -> list[Problem]:
        """Problems sorted by severity then position, plus one note per capped code."""
        notes = [make("too-many", value=code, count=n) for code, n in self.overflow.items()]
        return sorted(self.items, key=_sort_key) + notes

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.items) or any(
            messages.PROBLEMS[c][0] == "error" for c in self.overflow
        )


def _sort_key(p: Problem) -> tuple[int, str, int, str]:
    return (SEVERITY_ORDER[p.severity], p.sheet or "", p.row or 0, p.column or "")
