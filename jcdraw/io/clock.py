"""Beijing time: dates people see and the ledger's UTC timestamps shown as they read them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def beijing_today() -> date:
    """Today's date in Beijing (at 07:00 there it is already a day later than in UTC)."""
    return datetime.now(BEIJING).date()


def beijing_minute(created_at: str) -> str:
    """A stored UTC timestamp (``2024-05-01T08:00:00Z``) as Beijing time to the minute.

    Example:
        >>> beijing_minute("2024-05-01T20:30:00Z")
        '2024-05-02 04:30'
    """
    moment = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
