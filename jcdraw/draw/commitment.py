"""Commitments: what a draw will use, fixed in the ledger and posted before the seed exists.

``draw --prepare`` records the entity pool, the inspector pool (badge and department of everyone
eligible), the recusals that can bind, the registry and plan hashes, what the round will draw, and
the ledger's id and head; the 抽取公告 (``jcdraw.draw.notice``) prints it for posting. A draw is then
checked against the latest commitment for its task and round:

- inputs that differ (entities, inspectors, recusals or the plan) refuse the draw, naming what changed,
  and the refused attempt is recorded with its seed (``kind = "refused"``): the seed has been spoken
  in public, so it may never be used for that task and round again;
- a second commitment for the same task and round needs a reason, recorded with it;
- every draw lists every commitment and every refused attempt of its task and round, so a re-rolled
  seed or a quietly repeated commitment shows on the printed record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from jcdraw import __version__, messages
from jcdraw.draw.allocation import round_quotas
from jcdraw.draw.plan_versions import check_plan_version
from jcdraw.draw.pool import Pool, class_counts
from jcdraw.draw.seed import WitnessedSeed
from jcdraw.errors import InputProblems
from jcdraw.io.clock import beijing_minute
from jcdraw.ledger import Anchor, Ledger, Record, draw_key
from jcdraw.records import (
    PlannedStratum,
    PreparedRecord,
    PrepareRecord,
    RefusalRecord,
    RefusedRecord,
    WitnessRecord,
    as_prepare_record,
    as_refusal_record,
)

POOL_LIST_LIMIT = 200_000  # commitments list the pool itself up to this size, so differences can be named
LISTED_CODES = 10  # codes named in a refusal before "…"
REFUSED_KIND = "refused"


class PrepareNeedsReason(InputProblems):
    """A commitment exists for this task and round; another one needs a reason."""


class PoolChanged(InputProblems):
    """The draw's inputs differ from the commitment; the attempt was recorded as refused."""


class SeedRevealed(InputProblems):
    """The seed was spoken at a refused attempt of this task and round; it cannot be used again."""


@dataclass(frozen=True)
class Announcement:
    """When and where the draw will be held and who will witness it (printed on the 抽取公告)."""

    draw_time: str | None = None
    place: str | None = None
    witnesses: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Prepared:
    """A recorded commitment: its payload, its place in the chain (the notice's anchor), its number."""

    payload: PrepareRecord
    anchor: Anchor
    number: int  # 1 for the first commitment of this task and round


# --- making a commitment -----------------------------------------------------------------------


def prepare(
    pool: Pool,
    ledger: Ledger,
    *,
    round_no: int,
    as_of: dt.date,
    reason: str | None = None,
    announcement: Announcement = Announcement(),
) -> Prepared:
    """Record the commitment for ``pool``'s task and round; a second one needs ``reason``."""
    plan, task = pool.plan, pool.task
    check_plan_version(ledger, plan)  # else the draw honouring this commitment is refused later
    key = draw_key(plan.id, task.number, round_no)
    reason = (reason or "").strip() or None
    with ledger.writing():  # the check and the append in one transaction
        earlier = ledger.records("prepare", key)
        if earlier and reason is None:
            raise PrepareNeedsReason(
                messages.PREPARE_NEEDS_REASON.format(
                    plan=plan.id, task=task.number, round=round_no, count=len(earlier),
                    when=beijing_minute(earlier[-1].created_at),
                )
            )  # fmt: skip
        before = ledger.anchor()
        payload = _payload(pool, round_no, as_of, before, reason, announcement)
        record = ledger.record_prepare(plan.id, task.number, round_no, dict(payload))
    return Prepared(payload, Anchor(before.ledger_id, record.seq, record.hash), len(earlier) + 1)


def _payload(
    pool: Pool, round_no: int, as_of: dt.date, before: Anchor, reason: str | None, announced: Announcement
) -> PrepareRecord:
    planned = planned_strata(pool, round_no)
    payload: PrepareRecord = {
        "plan": pool.plan.id,
        "task": pool.task.number,
        "round": round_no,
        "registry_sha256": pool.registry.sha256,
        "registry_file": pool.registry.path.name,
        "pool_sha256": pool.sha256,
        "pool_size": len(pool.entities),
        "class_counts": class_counts(pool.entities),
        "plan_sha256": pool.plan.sha256,
        "inspectors": pool.inspector_lines,
        "inspectors_sha256": pool.inspectors_sha256,
        "recusals": pool.recusal_lines,
        "recusals_sha256": pool.recusals_sha256,
        "planned": planned,
        "planned_total": sum(s["size"] for s in planned),
        "ledger_id": before.ledger_id,
        "ledger_records": before.records,
        "ledger_head": before.head,
        "as_of": as_of.isoformat(),
        "tool_version": __version__,
    }
    if len(pool.entities) <= POOL_LIST_LIMIT:
        payload["pool"] = pool.entity_lines
    if reason is not None:
        payload["reason"] = reason
    if announced.draw_time:
        payload["draw_time"] = announced.draw_time
    if announced.place:
        payload["place"] = announced.place
    if announced.witnesses:
        payload["witnesses"] = list(announced.witnesses)
    return payload


def planned_strata(pool: Pool, round_no: int) -> list[PlannedStratum]:
    """How many each stratum of the round will draw: fixed by the pool and the plan, not the seed."""
    rule = pool.plan.rule_for(pool.task)
    strata = round_quotas(rule, class_counts(pool.entities), pool.task.ratio, round_no)
    return [
        {"stratum": s.name, "eligible": s.eligible, "size": s.size, "in_round": s.in_round} for s in strata
    ]


# --- checking a draw against it ----------------------------------------------------------------


def check_commitment(
    pool: Pool, ledger: Ledger, round_no: int, *, template: str = messages.DRAW_POOL_CHANGED
) -> Record | None:
    """The latest commitment for this draw, after checking the inputs still match it.

    ``template`` is the refusal's message: a real draw's says the attempt was recorded with its seed,
    a rehearsal's or an empty statement's that nothing was recorded.

    Raises:
        PoolChanged: the entities, inspectors, recusals or plan differ; the message names each change.
    """
    record = ledger.latest_prepare(pool.plan.id, pool.task.number, round_no)
    if record is None:
        return None
    committed = as_prepare_record(record.payload)
    details = commitment_changes(committed, pool)
    if details:
        if committed.get("registry_sha256") != pool.registry.sha256:
            details.append(messages.POOL_REGISTRY_CHANGED)
        raise PoolChanged(
            template.format(
                plan=pool.plan.id, task=pool.task.number, round=round_no,
                when=beijing_minute(record.created_at), details="；".join(details),
            )
        )  # fmt: skip
    return record


def commitment_changes(committed: PrepareRecord, pool: Pool) -> list[str]:
    """Each way ``pool`` differs from ``committed``, in words (empty: it matches)."""
    details: list[str] = []
    if committed["pool_sha256"] != pool.sha256:
        details += _entity_changes(committed, pool)
    if committed.get("inspectors_sha256", pool.inspectors_sha256) != pool.inspectors_sha256:
        details += _inspector_changes(committed.get("inspectors", []), pool.inspector_lines)
    if committed.get("recusals_sha256", pool.recusals_sha256) != pool.recusals_sha256:
        details += _line_changes(
            committed.get("recusals", []),
            pool.recusal_lines,
            messages.RECUSAL_ADDED,
            messages.RECUSAL_REMOVED,
        )
    if committed.get("plan_sha256", pool.plan.sha256) != pool.plan.sha256:
        details.append(messages.COMMITMENT_PLAN_CHANGED.format(path=pool.plan.path))
    return details


def _entity_changes(committed: PrepareRecord, pool: Pool) -> list[str]:
    if "pool" not in committed:
        counts = class_counts(pool.entities)
        return [messages.POOL_COUNTS.format(before=committed["class_counts"], now=counts)]
    before = _by_first(committed["pool"])
    now = _by_first(pool.entity_lines)
    changed = sorted(c for c in set(now) & set(before) if now[c] != before[c])
    return _listed(
        (messages.POOL_ADDED, sorted(set(now) - set(before))),
        (messages.POOL_REMOVED, sorted(set(before) - set(now))),
        (messages.POOL_RECLASSED, changed),
    )


def _inspector_changes(before_lines: list[str], now_lines: list[str]) -> list[str]:
    before, now = _by_first(before_lines), _by_first(now_lines)
    moved = sorted(b for b in set(now) & set(before) if now[b] != before[b])
    return _listed(
        (messages.INSPECTORS_ADDED, sorted(set(now) - set(before))),
        (messages.INSPECTORS_REMOVED, sorted(set(before) - set(now))),
        (messages.INSPECTORS_MOVED, moved),
    )


def _line_changes(before: list[str], now: list[str], added: str, removed: str) -> list[str]:
    shown = [line.replace("|", "—") for line in sorted(set(now) - set(before))]
    gone = [line.replace("|", "—") for line in sorted(set(before) - set(now))]
    return _listed((added, shown), (removed, gone))


def _by_first(lines: list[str]) -> dict[str, str]:
    """Line → keyed by its first field (a code or a badge)."""
    return {line.split("|", 1)[0]: line for line in lines}


def _listed(*groups: tuple[str, list[str]]) -> list[str]:
    return [
        label.format(
            count=len(items),
            codes="、".join(items[:LISTED_CODES]) + ("…" if len(items) > LISTED_CODES else ""),
        )
        for label, items in groups
        if items
    ]


# --- refused attempts --------------------------------------------------------------------------


def record_refusal(
    ledger: Ledger, pool: Pool, round_no: int, seed: WitnessedSeed, *, as_of: dt.date, details: str
) -> Record:
    """Record a refused attempt with its seed (the seed is public from now on)."""
    payload: RefusalRecord = {
        "plan": pool.plan.id,
        "task": pool.task.number,
        "round": round_no,
        "seed": seed.seed,
        "witnesses": witness_records(seed),
        "as_of": as_of.isoformat(),
        "details": details,
        "pool_sha256": pool.sha256,
        "inspectors_sha256": pool.inspectors_sha256,
        "recusals_sha256": pool.recusals_sha256,
        "registry_sha256": pool.registry.sha256,
        "plan_sha256": pool.plan.sha256,
        "tool_version": __version__,
    }
    with ledger.writing() as w:
        return w.append(REFUSED_KIND, draw_key(pool.plan.id, pool.task.number, round_no), dict(payload))


def witness_records(seed: WitnessedSeed) -> list[WitnessRecord]:
    return [{"name": w.name, "digits": w.digits} for w in seed.witnesses]


def refuse_revealed_seed(ledger: Ledger, plan_id: str, task: int, round_no: int, seed: str) -> None:
    """Raise ``SeedRevealed`` if ``seed`` was spoken at a refused attempt of this task and round."""
    for record in ledger.records(REFUSED_KIND, draw_key(plan_id, task, round_no)):
        if record.payload.get("seed") == seed:
            raise SeedRevealed(
                messages.DRAW_SEED_REVEALED.format(
                    plan=plan_id, task=task, round=round_no, when=beijing_minute(record.created_at)
                )
            )


# --- what a draw lists -------------------------------------------------------------------------


def commitments_of(ledger: Ledger, plan_id: str, task: int, round_no: int) -> list[PreparedRecord]:
    """Every commitment of this task and round, oldest first, as a draw lists them."""
    return [summary(r) for r in ledger.records("prepare", draw_key(plan_id, task, round_no))]


def summary(record: Record) -> PreparedRecord:
    """A ``prepare`` record as a draw lists it."""
    committed = as_prepare_record(record.payload)
    out: PreparedRecord = {
        "pool_sha256": committed["pool_sha256"],
        "registry_sha256": committed["registry_sha256"],
        "seq": record.seq,
        "hash": record.hash,
        "created_at": record.created_at,
        "as_of": committed["as_of"],
        "plan_sha256": committed["plan_sha256"],
    }
    for name in ("inspectors_sha256", "recusals_sha256", "reason"):
        if name in committed:
            out[name] = committed[name]
    return out


def refusals_of(ledger: Ledger, plan_id: str, task: int, round_no: int) -> list[RefusedRecord]:
    """Every refused attempt of this task and round, oldest first, as a draw lists them."""
    found: list[RefusedRecord] = []
    for record in ledger.records(REFUSED_KIND, draw_key(plan_id, task, round_no)):
        refused = as_refusal_record(record.payload)
        found.append(
            {
                "seq": record.seq,
                "hash": record.hash,
                "created_at": record.created_at,
                "seed": refused["seed"],
                "witnesses": refused.get("witnesses", []),
                "details": refused["details"],
            }
        )
    return found
