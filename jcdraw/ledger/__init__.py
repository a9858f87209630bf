"""The append-only, hash-chained SQLite ledger that makes draws and results auditable.

``chain`` says how records are stored, hashed and audited; ``store`` keeps them in one SQLite file and
is the one way to write; ``book`` holds what jcdraw records (draws, results, corrections,
publications). Import ``Ledger`` from here.
"""

from jcdraw.ledger.book import (
    DrawExists,
    Ledger,
    RedrawOrphans,
    ResultConflict,
    draw_key,
    result_key,
)
from jcdraw.ledger.chain import (
    ABSENT,
    GENESIS_HASH,
    Anchor,
    AuditReport,
    Record,
    anchors_in,
    canonical_json,
    canonical_json_rows,
    record_hash,
)
from jcdraw.ledger.draw_uses import DrawUse
from jcdraw.ledger.opening import LedgerBroken, open_for_writing

__all__ = [
    "ABSENT",
    "GENESIS_HASH",
    "Anchor",
    "AuditReport",
    "DrawExists",
    "DrawUse",
    "Ledger",
    "LedgerBroken",
    "Record",
    "RedrawOrphans",
    "ResultConflict",
    "anchors_in",
    "canonical_json",
    "canonical_json_rows",
    "draw_key",
    "open_for_writing",
    "record_hash",
    "result_key",
]
