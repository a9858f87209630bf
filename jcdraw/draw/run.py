"""Running a draw end to end: registry + plan + seed → ledger record → assignment workbook.

The algorithm itself lives in ``jcdraw.draw`` (pure, specified in its docstring). This module wires
it to the world and enforces the integrity rules:

- the registry is validated first; any error stops the draw (``RegistryHasErrors``);
- a ``prepare`` commitment (pool and registry hashes announced before the dice are rolled) is
  honoured: a later draw for that task and round refuses if the pool changed, naming the difference;
- the ledger refuses a second draw of the same plan, task and round unless it is an explicit redraw
  with a reason; both stay recorded; the refusal comes before any other check;
- a plan whose content changed while its version did not is refused (``jcdraw.draw.plan_versions``);
- teams avoid earlier pairings from standing draws of other tasks and rounds; a redraw ignores the
  draw it replaces, so the same seed and registry give the same redraw;
- everything needed to recompute the draw without the ledger (including the earlier pairings that
  shaped the teams) goes into the record and the workbook, so ``verify`` can redo it from files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pandas as pd

from jcdraw import __version__, messages
from jcdraw.draw.algorithm import draw_entities, pool_sha256
from jcdraw.draw.allocation import ClassOutcome, summarize
from jcdraw.draw.plan_versions import check_plan_version
from jcdraw.draw.readiness import only_concerning
from jcdraw.draw.teams import TeamImpossible, TeamRule, assign_teams
from jcdraw.draw.workbook import write_assignment
from jcdraw.errors import BadInvocation, InputProblems, OutputError
from jcdraw.io.atomic import check_output, numbered_if_taken
from jcdraw.io.files import gc_paused
from jcdraw.ledger import Ledger, draw_key
from jcdraw.plans.credit import rounds_per_year, rule_record
from jcdraw.plans.load import with_year_plans
from jcdraw.plans.model import Plan, Task
from jcdraw.problems import Problem
from jcdraw.records import (
    DrawRecord,
    InspectorRecord,
    PrepareRecord,
    SelectedRecord,
    StratumRecord,
    as_draw_record,
    as_prepare_record,
)
from jcdraw.registry.eligibility import eligible_entities, eligible_inspectors
from jcdraw.registry.load import Registry, load_registry

POOL_LIST_LIMIT = 200_000  # commitments list the pool itself up to this size, so differences can be named


class RegistryHasErrors(InputProblems):
    """The registry failed validation; the draw did not start."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


class PoolChanged(InputProblems):
    """The eligible pool differs from the one committed with ``--prepare``."""


@dataclass
class Pool:
    """The eligible entities and inspectors of one task, with the registry they came from."""

    registry: Registry
    plan: Plan
    task: Task
    entities: pd.DataFrame  # uscc, risk_class, name, region
    inspectors: pd.DataFrame  # badge, department, inspector_name, qualified
    sha256: str
    warnings: list[Problem] = field(default_factory=list)


def load_pool(registry_path: Path, plan: Plan, task_no: int, *, as_of: dt.date) -> Pool:
    """Validate the registry and compute the task's eligible pool; refuse on registry errors."""
    task = plan.task(task_no)
    registry = load_registry(registry_path, with_year_plans([plan]), as_of=as_of)
    found = only_concerning(registry, [(plan, [task])]).finished()
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise RegistryHasErrors(
            messages.DRAW_REGISTRY_ERRORS.format(path=registry_path, count=len(errors)), found
        )
    entities = eligible_entities(registry, plan, task)[["uscc", "risk_class", "name", "region"]]
    entities = entities.astype({"uscc": str, "risk_class": str}).reset_index(drop=True)
    inspectors = eligible_inspectors(registry, task)[["badge", "department", "inspector_name"]].copy()
    inspectors["badge"] = inspectors["badge"].astype(str)
    inspectors["qualified"] = True
    warnings = [p for p in found if p.severity != "error"]
    return Pool(
        registry, plan, task, entities, inspectors.reset_index(drop=True), pool_sha256(entities), warnings
    )


# --- prepare (commitment) ----------------------------------------------------------------------


def prepare(pool: Pool, ledger: Ledger, *, round_no: int, as_of: dt.date) -> PrepareRecord:
    """Record the pool and registry hashes before the seed exists, to be announced publicly."""
    check_plan_version(ledger, pool.plan)  # else the draw honouring this commitment is refused later
    payload: PrepareRecord = {
        "plan": pool.plan.id,
        "task": pool.task.number,
        "round": round_no,
        "registry_sha256": pool.registry.sha256,
        "pool_sha256": pool.sha256,
        "pool_size": len(pool.entities),
        "class_counts": _class_counts(pool.entities),
        "plan_sha256": pool.plan.sha256,
        "as_of": as_of.isoformat(),
        "tool_version": __version__,
    }
    if len(pool.entities) <= POOL_LIST_LIMIT:
        payload["pool"] = sorted(
            f"{u}|{c}" for u, c in zip(pool.entities["uscc"], pool.entities["risk_class"], strict=True)
        )
    ledger.record_prepare(pool.plan.id, pool.task.number, round_no, dict(payload))
    return payload


def _class_counts(entities: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in entities["risk_class"].value_counts().sort_index().items()}


def check_commitment(pool: Pool, ledger: Ledger, round_no: int) -> PrepareRecord | None:
    """The prepare record for this draw, after checking the pool still matches it."""
    record = ledger.latest_prepare(pool.plan.id, pool.task.number, round_no)
    if record is None:
        return None
    committed = as_prepare_record(record.payload)
    if committed["pool_sha256"] != pool.sha256:
        raise PoolChanged(_describe_pool_change(committed, pool))
    return committed


def _describe_pool_change(committed: PrepareRecord, pool: Pool) -> str:
    now = {f"{u}|{c}" for u, c in zip(pool.entities["uscc"], pool.entities["risk_class"], strict=True)}
    details: list[str] = []
    if "pool" in committed:
        before = set(committed["pool"])
        before_codes = {line.split("|")[0]: line for line in before}
        now_codes = {line.split("|")[0]: line for line in now}
        added = sorted(set(now_codes) - set(before_codes))
        removed = sorted(set(before_codes) - set(now_codes))
        changed = sorted(c for c in set(now_codes) & set(before_codes) if now_codes[c] != before_codes[c])
        for label, codes in (
            (messages.POOL_ADDED, added),
            (messages.POOL_REMOVED, removed),
            (messages.POOL_RECLASSED, changed),
        ):
            if codes:
                details.append(
                    label.format(
                        count=len(codes), codes="、".join(codes[:10]) + ("…" if len(codes) > 10 else "")
                    )
                )
    else:
        details.append(
            messages.POOL_COUNTS.format(before=committed["class_counts"], now=_class_counts(pool.entities))
        )
    if committed.get("registry_sha256") != pool.registry.sha256:
        details.append(messages.POOL_REGISTRY_CHANGED)
    return messages.DRAW_POOL_CHANGED.format(
        plan=pool.plan.id,
        task=pool.task.number,
        committed=committed["pool_sha256"][:16],
        now=pool.sha256[:16],
        details="；".join(details),
    )


# --- the draw ----------------------------------------------------------------------------------


def compute_draw(pool: Pool, *, seed: str, round_no: int, history: set[tuple[str, str]]) -> DrawRecord:
    """Run the algorithm and return the draw payload (everything but ledger-assigned fields)."""
    with gc_paused():  # a large draw builds a million small dicts and lists, none of them cyclic
        return _compute_draw(pool, seed=seed, round_no=round_no, history=history)


def _compute_draw(pool: Pool, *, seed: str, round_no: int, history: set[tuple[str, str]]) -> DrawRecord:
    plan, task = pool.plan, pool.task
    credit_rule = plan.rule_for(task)
    outcome = draw_entities(
        pool.entities,
        seed=seed,
        plan_id=plan.id,
        task=task.number,
        round_no=round_no,
        rule=credit_rule,
        ratio=task.ratio,
    )
    summary = summarize(
        credit_rule, _class_counts(pool.entities), task.ratio, round_no, _class_counts(outcome.selected)
    )
    drawn = set(outcome.selected["uscc"])
    relevant_history = {(b, u) for b, u in history if u in drawn}
    rule = TeamRule(min_size=task.team.min_size, per_department=task.per_department())
    try:
        teams = assign_teams(
            outcome.selected,
            pool.inspectors,
            rule=rule,
            recusals=pool.registry.recusals,
            history=relevant_history,
            seed=seed,
            plan_id=plan.id,
            task=task.number,
            round_no=round_no,
        )
    except TeamImpossible as err:  # name the entity as people know it, not by its code alone
        names = dict(zip(outcome.selected["uscc"], outcome.selected["name"], strict=True))
        raise err.with_entity_label(f"{names.get(err.uscc, '')}（{err.uscc}）") from None
    record: DrawRecord = {
        "plan": plan.id,
        "plan_name": plan.name,
        "document_number": plan.document_number,
        "plan_path": str(plan.path),
        "plan_sha256": plan.sha256,
        "plan_version": plan.version,
        "year": plan.year,
        "task": task.number,
        "task_name": task.name,
        "category": task.category,
        "items": list(task.items),
        "period": [task.period.start.isoformat(), task.period.end.isoformat()],
        "departments": task.departments,
        "round": round_no,
        "seed": seed,
        "registry_sha256": pool.registry.sha256,
        "registry_file": pool.registry.path.name,
        "pool_sha256": pool.sha256,
        "pool_size": len(pool.entities),
        "sampling": task.sampling,
        "rule": credit_rule.kind,
        "credit_rule": rule_record(credit_rule),
        "nominal_ratio": str(task.ratio),
        "eligible_total": summary.eligible,
        "drawn_total": summary.drawn,
        "effective_ratio": None if summary.effective_ratio is None else str(summary.effective_ratio),
        "strata": [_stratum_record(outcome) for outcome in summary.classes],
        "selected": _selected(outcome.selected, teams.by_entity),
        "inspectors": _inspector_info(pool.inspectors),
        "loads": {b: n for b, n in teams.loads.items()},
        "history_pairs": sorted([b, u] for b, u in relevant_history),
        "tool_version": __version__,
    }
    if task.target is not None:
        record["target"] = {
            "risk_classes": list(task.target.risk_classes),
            "registry_flags": dict(task.target.registry_flags),
        }
    return record


def _stratum_record(outcome: ClassOutcome) -> StratumRecord:
    """A class of the draw as recorded: exact numbers as text ("3/10"), absent ones as null; the
    effective ratio also as a rounded float, for people and ``--json`` (never recomputed from)."""
    effective = outcome.effective_ratio
    return {
        "class": outcome.risk_class,
        "eligible": outcome.eligible,
        "drawn": outcome.drawn,
        "frequency": outcome.frequency,
        "in_round": outcome.in_round,
        "weight": _text(outcome.weight),
        "class_ratio": _text(outcome.ratio),
        "quota": _text(outcome.quota),
        "ratio": _text(effective),
        "ratio_percent": None if effective is None else round(float(effective), 4),
    }


def _text(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _selected(selected: pd.DataFrame, teams: dict[str, list[str]]) -> list[SelectedRecord]:
    # .tolist() first: iterating pandas string columns boxes every value one call at a time.
    columns = [selected[c].tolist() for c in ("uscc", "name", "region", "risk_class", "ticket")]
    return [
        {"uscc": u, "name": n, "region": r, "risk_class": c, "ticket": t, "team": teams[u]}
        for u, n, r, c, t in zip(*columns, strict=True)
    ]


def _inspector_info(inspectors: pd.DataFrame) -> dict[str, InspectorRecord]:
    """Every eligible inspector (also those given no entity), so loads can be shown in full."""
    return {
        b: {"name": str(n), "department": str(d)}
        for b, n, d in zip(
            inspectors["badge"], inspectors["inspector_name"], inspectors["department"], strict=True
        )
    }


@dataclass
class DrawResult:
    draw_id: str
    payload: DrawRecord
    out: Path | None
    warnings: list[Problem]  # registry warnings (the draw went ahead)
    out_error: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. the draw date lies outside the task period


def run_draw(
    registry_path: Path,
    plan: Plan,
    task_no: int,
    *,
    seed: str,
    ledger: Ledger,
    round_no: int = 1,
    as_of: dt.date,
    out: Path | None = None,
    force: bool = False,
    redraw_reason: str | None = None,
) -> DrawResult:
    """Validate, check the commitment, draw, record in the ledger, write the workbook."""
    check_round(plan, task_no, round_no)
    target = out or default_output(plan, task_no, round_no)
    if out is None and redraw_reason is not None:  # keep the replaced draw's workbook beside the new one
        count = len(ledger.records("draw", draw_key(plan.id, task_no, round_no)))
        target = target.with_name(f"{target.stem}-{count + 1}{target.suffix}")
    if out is None:
        target = numbered_if_taken(target)
    # A repeat draw is refused before "file exists": otherwise --force is suggested first, and
    # only after using it would the operator learn that the draw itself is refused.
    if redraw_reason is None:
        ledger.refuse_repeat(plan.id, task_no, round_no)
    else:
        ledger.refuse_redraw(plan.id, task_no, round_no)
    version_notes = check_plan_version(ledger, plan)
    check_output(target, force=force, suffix=".xlsx")
    pool = load_pool(registry_path, plan, task_no, as_of=as_of)
    committed = check_commitment(pool, ledger, round_no)
    history = earlier_pairings(ledger, plan.id, task_no, round_no)
    payload = compute_draw(pool, seed=seed, round_no=round_no, history=history)
    payload["as_of"] = as_of.isoformat()
    payload["drawn_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if committed is not None:
        payload["prepared"] = {
            "pool_sha256": committed["pool_sha256"],
            "registry_sha256": committed["registry_sha256"],
        }
    draw_id = ledger.record_draw(plan.id, task_no, round_no, dict(payload), redraw_reason=redraw_reason)
    stored = _stored_payload(ledger, draw_id, payload, redraw_reason)
    notes = [*version_notes, *([note] if (note := period_note(plan, task_no, as_of)) else [])]
    try:
        write_assignment(target, stored, force=force)
    except OutputError as err:  # the draw stands; the workbook can be written again from the ledger
        return DrawResult(draw_id, stored, None, pool.warnings, err.message, notes)
    return DrawResult(draw_id, stored, target, pool.warnings, notes=notes)


def _stored_payload(
    ledger: Ledger, draw_id: str, payload: DrawRecord, redraw_reason: str | None
) -> DrawRecord:
    """The payload as the ledger stored it. A first draw only gains its id, so the big record is not
    read back (at a million entities that would double peak memory); a redraw is read back for the
    fields the ledger adds."""
    if redraw_reason is None:
        return {**payload, "draw_id": draw_id}
    record = ledger.get_draw(draw_id)
    assert record is not None, "the ledger just recorded this draw"
    return as_draw_record(record.payload)


def earlier_pairings(ledger: Ledger, plan_id: str, task_no: int, round_no: int) -> set[tuple[str, str]]:
    """(badge, uscc) pairs of standing draws, leaving out the draw a redraw replaces.

    The replaced draw was never carried out as drawn, and once superseded the ledger no longer
    counts it; letting it steer the redraw's teams would make the redraw depend on a void draw.
    """
    return ledger.pairings(except_key=draw_key(plan_id, task_no, round_no))


def check_round(plan: Plan, task_no: int, round_no: int) -> None:
    """Refuse a round that no risk class is drawn in (it would record an empty draw for ever)."""
    most = rounds_per_year(plan.rule_for(plan.task(task_no)))
    if round_no > most:
        raise BadInvocation(messages.DRAW_ROUND_EMPTY.format(round=round_no, most=most))


def default_output(plan: Plan | str, task_no: int, round_no: int) -> Path:
    """``draw-{plan id}-task{N}-round{R}.xlsx`` in the working directory."""
    plan_id = plan if isinstance(plan, str) else plan.id
    return Path(f"draw-{plan_id}-task{task_no}-round{round_no}.xlsx")


def period_note(plan: Plan, task_no: int, as_of: dt.date) -> str | None:
    """A warning (not a refusal) when the draw date lies outside the task's period."""
    period = plan.task(task_no).period
    if as_of in period:
        return None
    return messages.DRAW_OUTSIDE_PERIOD.format(as_of=as_of, start=period.start, end=period.end)
