"""Opening the ledger for a writing command: never a silent new ledger, never a write onto a broken one.

A writing command (``draw``, ``draw --prepare``, ``publish``, ``correct``) works on a ledger that
exists, unless the user says ``--new-ledger``: a command run in the wrong folder, or with a mistyped
``--ledger``, would otherwise start a second, empty ledger whose outputs look official. A ledger that
fails its audit is not written to (a record chained onto a rewritten ledger would lend it credit). A
ledger created now gets its ``ledger`` record at once; one made before the id was chained gets it with
the command's first write, in the same transaction (a command refused before writing changes nothing).
"""

from __future__ import annotations

from pathlib import Path

from jcdraw import messages
from jcdraw.errors import LedgerError
from jcdraw.ledger.book import Ledger


class LedgerBroken(LedgerError):
    """The ledger fails its audit; a writing command refuses to add to it."""

    exit_code = 1


def open_for_writing(path: Path, *, new_ledger: bool | None, command: str) -> tuple[Ledger, bool]:
    """The open ledger at ``path`` and whether it was created now.

    Raises LedgerError (exit 2) when the file is missing or empty and ``new_ledger`` is not set (None:
    the command never creates one, so the message does not offer ``--new-ledger``), and LedgerBroken
    (exit 1) when it fails the audit; ``command`` names the refusing command.
    """
    fresh = not path.exists() or (path.is_file() and path.stat().st_size == 0)
    if fresh and not new_ledger:
        template = messages.LEDGER_MISSING if new_ledger is None else messages.LEDGER_NEEDS_NEW
        raise LedgerError(template.format(path=path))
    return _audited(Ledger.open(path, create=bool(new_ledger)), command, fresh), fresh


def _audited(book: Ledger, command: str, fresh: bool) -> Ledger:
    """``book``, audited, its id chained now (``fresh``) or with its first write; closed if refused."""
    try:
        report = book.audit()
        if not report.ok:
            refusal = messages.LEDGER_BROKEN_REFUSED
            raise LedgerBroken(refusal.format(command=command, path=book.path, reason=report.reason))
        if fresh:
            book.ensure_id_record()
        book.chain_id_on_write()
    except BaseException:
        book.close()
        raise
    return book
