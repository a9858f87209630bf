"""Checking a ledger against heads written down elsewhere: ``audit --expect-head`` and ``audit --against``.

A head is the hash of some record. Every page jcdraw prints carries the ledger's id and the head as
of what it shows (``Anchor.text``); the 抽取记录 adds the draw's own record hash. Later, the ledger is
checked against such a page: its id must be this ledger's, and every head on the page must be the
hash of a record of the chain, at the place the page says ("记录 N 条"). A ledger restored from an
older copy (then drawn again), or rewritten with every later hash recomputed, no longer holds the
head printed before the change, so any page printed before it exposes it.

Printed forms read back (``PRINTED_ANCHOR``): the anchor line ``台账编号 <32 hex>；记录 N 条；台账校验值
<64 hex>``, the label rows of the 抽取记录 and 抽取公告 (台账编号 / 记录校验值 / 台账校验值, one
per line), and the notices' footer ``台账 <32 hex> · 校验值 <64 hex>`` (no count).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jcdraw import messages
from jcdraw.io.printed_text import find_in_file
from jcdraw.ledger.store import Store

# Ledger id, an optional record count, then a head; non-digits between, and only a few of them, so a
# label row and its value (or the next label) are read together but unrelated hashes are not.
PRINTED_ANCHOR = re.compile(
    r"台账(?:编号)?[\s:：]*([0-9a-f]{32})(?:\D{1,12}?(\d+)\s*条)?\D{1,16}?校验值[\s:：]*([0-9a-f]{64})"
)


@dataclass(frozen=True)
class PrintedAnchor:
    """An anchor as found on a page: ``records`` is None where the page does not print the count."""

    ledger_id: str
    records: int | None
    head: str


@dataclass
class FileCheck:
    """What one file's anchors say about the ledger: ``problems`` (Chinese lines) empty when it agrees."""

    path: Path
    anchors: list[PrintedAnchor] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def head_problem(ledger: Store, head: str, records: int | None = None) -> str | None:
    """Why ``head`` does not fit this ledger's chain (not in it, or at another place); None if it fits."""
    seq = ledger.seq_of(head)
    if seq is None:
        return messages.ANCHOR_HEAD_MISSING.format(head=head)
    if records is not None and records != seq:
        return messages.ANCHOR_HEAD_MOVED.format(head=head, records=records, seq=seq)
    return None


def printed_anchors(path: Path) -> list[PrintedAnchor]:
    """Every distinct anchor printed in ``path`` (see ``jcdraw.io.printed_text``)."""
    return [
        PrintedAnchor(ledger_id, None if count is None else int(count), head)
        for ledger_id, count, head in find_in_file(path, PRINTED_ANCHOR)
    ]


def check_file(ledger: Store, path: Path) -> FileCheck:
    """The anchors printed in ``path`` checked against ``ledger`` (a file with none is a problem too)."""
    found = FileCheck(path, _without_countless_twins(printed_anchors(path)))
    if not found.anchors:
        found.problems.append(messages.ANCHOR_NONE_IN_FILE)
    for anchor in found.anchors:
        if anchor.ledger_id != ledger.ledger_id:
            found.problems.append(
                messages.ANCHOR_OTHER_LEDGER.format(found=anchor.ledger_id, ledger_id=ledger.ledger_id)
            )
            continue
        problem = head_problem(ledger, anchor.head, anchor.records)
        if problem is not None:
            found.problems.append(problem)
    found.problems = list(dict.fromkeys(found.problems))
    return found


def _without_countless_twins(anchors: list[PrintedAnchor]) -> list[PrintedAnchor]:
    """Drop an anchor read without its count (a label row) when the same one is printed with it."""
    counted = {(a.ledger_id, a.head) for a in anchors if a.records is not None}
    return [a for a in anchors if a.records is not None or (a.ledger_id, a.head) not in counted]
