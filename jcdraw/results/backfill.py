"""Backfilling made visible: a publication or correction dated well before the day it is recorded.

``publish`` and ``correct`` take the date they act as of (``--as-of``). Dated more than
``BACKFILL_DAYS`` days before the computer's date (Beijing), the record is a backfill (补录): it needs
a reason, and its payload keeps the real recording date beside the as-of date, as ``recorded_on``
and ``backfill_reason``. ``status``, the publicity workbook (备注) and ``audit`` show such records as
补录 with the real recording date, so "published on time" can never be claimed after the fact unseen.
A reason given for a recent date is recorded too: the user called it a backfill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jcdraw import messages
from jcdraw.errors import BadInvocation
from jcdraw.io.clock import beijing_today
from jcdraw.ledger import Ledger

BACKFILL_DAYS = 7


def backfill_fields(as_of: date, reason: str | None, *, today: date | None = None) -> dict[str, str]:
    """The payload fields of a backfilled record, ``{}`` for a timely one.

    Raises BadInvocation (exit 2) when ``as_of`` is more than ``BACKFILL_DAYS`` days before
    ``today`` (default: today in Beijing) and no reason is given.

    Example:
        >>> backfill_fields(date(2024, 6, 10), "系统故障", today=date(2024, 6, 20))
        {'recorded_on': '2024-06-20', 'backfill_reason': '系统故障'}
        >>> backfill_fields(date(2024, 6, 13), None, today=date(2024, 6, 20))
        {}
    """
    day = today or beijing_today()
    text = (reason or "").strip()
    if not text:
        if reason is not None:
            raise BadInvocation(messages.BACKFILL_REASON_EMPTY)
        if (day - as_of).days > BACKFILL_DAYS:
            refusal = messages.BACKFILL_NEEDS_REASON
            raise BadInvocation(refusal.format(as_of=as_of, today=day, days=BACKFILL_DAYS))
        return {}
    return {"recorded_on": day.isoformat(), "backfill_reason": text}


def recorded_on(payload: Mapping[str, Any]) -> str | None:
    """The real recording date of a backfilled record, None for a timely one."""
    return str(payload["recorded_on"]) if payload.get("backfill_reason") else None


# The kinds that can be backfilled, and the payload field holding the date each acts as of.
_AS_OF_FIELD = {"publication": "as_of", "correction": "corrected_on"}


@dataclass(frozen=True)
class Backfill:
    """One backfilled record, as status and audit list it."""

    kind: str  # publication or correction
    seq: int
    as_of: str
    recorded_on: str
    reason: str

    def text(self) -> str:
        what = messages.BACKFILL_WHAT.format(kind=messages.BACKFILL_KINDS[self.kind], seq=self.seq)
        return messages.BACKFILL_LINE.format(
            what=what, as_of=self.as_of, recorded_on=self.recorded_on, reason=self.reason
        )

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "seq": self.seq, "as_of": self.as_of, "recorded_on": self.recorded_on,
                "reason": self.reason}  # fmt: skip


def backfills(ledger: Ledger) -> list[Backfill]:
    """Every backfilled publication and correction of ``ledger``, in ledger order."""
    found = [
        Backfill(kind, r.seq, str(r.payload.get(field, "")), day, str(r.payload["backfill_reason"]))
        for kind, field in _AS_OF_FIELD.items()
        for r in ledger.records(kind)
        if (day := recorded_on(r.payload)) is not None
    ]
    return sorted(found, key=lambda b: b.seq)
