"""Exceptions for conditions the user can act on.

Each carries a finished Chinese message (built from ``jcdraw.messages``) and the exit code the CLI
uses: 2 for unusable invocation or unreadable input, 1 for input that was read but has problems.
Anything that is not a ``JcdrawError`` is a bug and is reported as such by the CLI.
"""

from __future__ import annotations


class JcdrawError(Exception):
    """A problem the user can fix; ``str(err)`` is the Chinese message."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableInput(JcdrawError):
    """An input file cannot be opened or understood at all (exit 2)."""


class BadPlan(JcdrawError):
    """A plan YAML file is malformed or breaks a rule (exit 2)."""


class BadInvocation(JcdrawError):
    """Options that cannot work together or name nothing (exit 2)."""


class OutputError(JcdrawError):
    """An output cannot be written (exists, directory, missing folder, disk full) (exit 2)."""


class LedgerError(JcdrawError):
    """The ledger cannot be opened, is locked, or refuses an operation (exit 2)."""


class InputProblems(JcdrawError):
    """The input was read but breaks rules; the draw or publication is refused (exit 1)."""

    exit_code = 1


class CalendarMissing(JcdrawError):
    """No working-day schedule covers a needed year; we never guess (exit 2)."""

    def __init__(self, message: str, year: int) -> None:
        super().__init__(message)
        self.year = year
