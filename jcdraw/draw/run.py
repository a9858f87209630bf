"""Running a draw end to end: registry + plan + seed → ledger record → assignment workbook.

The algorithm itself lives in ``jcdraw.draw`` (pure, specified in its docstring). This module wires
it to the world and enforces the integrity rules:

- the registry is validated first; any error stops the draw (``RegistryHasErrors``);
- a commitment (``draw --prepare``, ``jcdraw.draw.commitment``) is honoured: a draw whose entities,
  inspectors, recusals or plan differ from it is refused, naming the difference, and the refused
  attempt is recorded with its seed; a seed spoken at a refused attempt is never used again;
- the ledger refuses a second draw of the same plan, task and round unless it is an explicit redraw
  with a reason; both stay recorded; the refusal comes before any other check;
- a plan whose content changed while its version did not is refused (``jcdraw.draw.plan_versions``);
- a draw that would draw nobody is refused with nothing recorded; ``record_empty`` records instead a
  statement that the round had no eligible entity, which a later real draw replaces without a reason;
- teams avoid earlier pairings from standing draws of other tasks and rounds; a redraw ignores the
  draw it replaces, so the same seed and registry give the same redraw;
- everything needed to recompute the draw without the ledger (the pool, the binding recusals, the
  earlier pairings that shaped the teams, the witnesses' digits) goes into the record and the
  workbook, so ``verify`` — or anyone with a SHA-256 tool — can redo it from files;
- a rehearsal (``practice``) runs the same steps on a copy of nothing: it records nothing and writes a
  workbook marked 演练 on every sheet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pandas as pd

from jcdraw import __version__, messages
from jcdraw.draw.algorithm import draw_entities
from jcdraw.draw.allocation import ClassOutcome, summarize
from jcdraw.draw.commitment import (
    PoolChanged,
    SeedRevealed,
    check_commitment,
    commitments_of,
    record_refusal,
    refusals_of,
    refuse_revealed_seed,
    summary,
    witness_records,
)
from jcdraw.draw.plan_versions import PlanChangedUnversioned, check_plan_version
from jcdraw.draw.pool import Pool, class_counts, load_pool
from jcdraw.draw.seed import Witness, WitnessedSeed
from jcdraw.draw.teams import TeamImpossible, TeamRule, assign_teams
from jcdraw.draw.workbook import write_assignment
from jcdraw.errors import BadInvocation, InputProblems, OutputError
from jcdraw.io.atomic import check_output, numbered_if_taken
from jcdraw.io.files import gc_paused
from jcdraw.ledger import Anchor, Ledger, Record, draw_key
from jcdraw.plans.credit import rounds_per_year, rule_record
from jcdraw.plans.model import Plan
from jcdraw.problems import Problem
from jcdraw.records import DrawRecord, InspectorRecord, SelectedRecord, StratumRecord, as_draw_record

PRACTICE_PREFIX = "演练-"


class EmptyDraw(InputProblems):
    """The round has no eligible entity: nothing is drawn and nothing recorded (see ``record_empty``)."""


class NotEmpty(InputProblems):
    """``record_empty`` was asked for a round that has entities to draw."""


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
    outcome_summary = summarize(
        credit_rule, class_counts(pool.entities), task.ratio, round_no, class_counts(outcome.selected)
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
        "eligible_total": outcome_summary.eligible,
        "drawn_total": outcome_summary.drawn,
        "effective_ratio": _text(outcome_summary.effective_ratio),
        "strata": [_stratum_record(outcome) for outcome in outcome_summary.classes],
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
    anchor: Anchor | None = None  # the draw's place in the ledger; None for a rehearsal


def as_witnessed(seed: WitnessedSeed | str) -> WitnessedSeed:
    """A plain seed (tests, scripts) as given by one unnamed witness."""
    return seed if isinstance(seed, WitnessedSeed) else WitnessedSeed(seed, (Witness("", seed),))


def run_draw(
    registry_path: Path,
    plan: Plan,
    task_no: int,
    *,
    seed: WitnessedSeed | str | None,
    ledger: Ledger,
    round_no: int = 1,
    as_of: dt.date,
    out: Path | None = None,
    force: bool = False,
    redraw_reason: str | None = None,
    record_empty: bool = False,
) -> DrawResult:
    """Validate, check the commitment, draw, record in the ledger, write the workbook.

    With ``record_empty`` (and no seed) it records instead that the round has no eligible entity.
    """
    check_round(plan, task_no, round_no)
    target = out or (empty_output if record_empty else default_output)(plan, task_no, round_no)
    if out is None and redraw_reason is not None:  # keep the replaced draw's workbook beside the new one
        count = len(ledger.records("draw", draw_key(plan.id, task_no, round_no)))
        target = target.with_name(f"{target.stem}-{count + 1}{target.suffix}")
    if out is None:
        target = numbered_if_taken(target)
    # A repeat draw is refused before "file exists": otherwise --force is suggested first, and
    # only after using it would the operator learn that the draw itself is refused.
    if redraw_reason is None:
        ledger.refuse_repeat(plan.id, task_no, round_no, empty=record_empty)
    else:
        ledger.refuse_redraw(plan.id, task_no, round_no)
    check_output(target, force=force, suffix=".xlsx", inputs=[registry_path, ledger.path, plan.path])
    pool = load_pool(registry_path, plan, task_no, as_of=as_of)
    given = None if seed is None else as_witnessed(seed)
    version_notes = _plan_version(ledger, pool, round_no, given, as_of)
    committed = _checked(pool, ledger, round_no, given, as_of)
    history = earlier_pairings(ledger, plan.id, task_no, round_no)
    payload = compute_draw(pool, seed=given.seed if given else "", round_no=round_no, history=history)
    _check_emptiness(payload, record_empty, as_of)
    payload.update(provenance(pool, given, as_of, record_empty))
    payload["commitments"] = commitments_of(ledger, plan.id, task_no, round_no)
    payload["refused"] = refusals_of(ledger, plan.id, task_no, round_no)
    if committed is not None:
        payload["prepared"] = summary(committed)
    draw_id = ledger.record_draw(plan.id, task_no, round_no, dict(payload), redraw_reason=redraw_reason)
    stored = _stored_payload(ledger, draw_id, payload)
    anchor = ledger.draw_anchor(draw_id)
    notes = [*version_notes, *([note] if (note := period_note(plan, task_no, as_of)) else [])]
    try:
        write_assignment(target, stored, anchor=anchor, force=force)
    except OutputError as err:  # the draw stands; the workbook can be written again from the ledger
        return DrawResult(draw_id, stored, None, pool.warnings, err.message, notes, anchor)
    return DrawResult(draw_id, stored, target, pool.warnings, notes=notes, anchor=anchor)


def _checked(
    pool: Pool, ledger: Ledger, round_no: int, seed: WitnessedSeed | None, as_of: dt.date
) -> Record | None:
    """The commitment honoured (or None); a refusal after the seed was given is recorded with it."""
    template = messages.DRAW_POOL_CHANGED if seed is not None else messages.DRAW_POOL_CHANGED_UNRECORDED
    try:
        committed = check_commitment(pool, ledger, round_no, template=template)
        if seed is not None:
            refuse_revealed_seed(ledger, pool.plan.id, pool.task.number, round_no, seed.seed)
    except (PoolChanged, SeedRevealed) as refused:
        if seed is not None:  # the seed has been spoken: the attempt is part of the record now
            record_refusal(ledger, pool, round_no, seed, as_of=as_of, details=refused.message)
        raise
    return committed


def _plan_version(
    ledger: Ledger, pool: Pool, round_no: int, seed: WitnessedSeed | None, as_of: dt.date
) -> list[str]:
    """``check_plan_version``'s notes; a refusal after the seed was given is recorded with it, as a
    changed pool is: with the seed known, a plan edited afterwards could steer the outcome."""
    try:
        return check_plan_version(ledger, pool.plan)
    except PlanChangedUnversioned as refused:
        if seed is not None:
            record_refusal(ledger, pool, round_no, seed, as_of=as_of, details=refused.message)
        raise


def _check_emptiness(payload: DrawRecord, record_empty: bool, as_of: dt.date) -> None:
    where = {"plan": payload["plan"], "task": payload["task"], "round": payload["round"], "as_of": as_of}
    if payload["drawn_total"] == 0 and not record_empty:
        raise EmptyDraw(messages.DRAW_EMPTY.format(**where, pool=payload["pool_size"]))
    if payload["drawn_total"] > 0 and record_empty:
        raise NotEmpty(messages.DRAW_NOT_EMPTY.format(**where, drawn=payload["drawn_total"]))


def provenance(pool: Pool, seed: WitnessedSeed | None, as_of: dt.date, empty: bool) -> DrawRecord:
    """The fields that say where the draw came from: date, witnesses, the pool and its fingerprints."""
    fields: dict[str, object] = {
        "as_of": as_of.isoformat(),
        "drawn_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "witnesses": witness_records(seed) if seed else [],
        "pool": pool.entity_lines,
        "inspectors_sha256": pool.inspectors_sha256,
        "recusals": pool.recusal_lines,
        "recusals_sha256": pool.recusals_sha256,
    }
    if empty:
        fields["empty"] = True
    return as_draw_record(fields)


def run_practice(
    registry_path: Path,
    plan: Plan,
    task_no: int,
    *,
    seed: WitnessedSeed | str,
    ledger: Ledger | None,
    round_no: int = 1,
    as_of: dt.date,
    out: Path | None = None,
    force: bool = False,
) -> DrawResult:
    """A rehearsal: the same checks and the same draw, nothing recorded, every sheet marked 演练.

    ``ledger`` (read only, may be None) supplies the earlier pairings and the commitment, so the
    rehearsal shows what the real draw would do today.
    """
    check_round(plan, task_no, round_no)
    version_notes = check_plan_version(ledger, plan) if ledger is not None else []  # as the draw would
    target = out or numbered_if_taken(practice_output(plan, task_no, round_no))
    inputs = [registry_path, plan.path, ledger.path if ledger is not None else None]
    check_output(target, force=force, suffix=".xlsx", inputs=inputs)
    pool = load_pool(registry_path, plan, task_no, as_of=as_of)
    given = as_witnessed(seed)
    history: set[tuple[str, str]] = set()
    if ledger is not None:
        check_commitment(pool, ledger, round_no, template=messages.PRACTICE_POOL_CHANGED)
        history = earlier_pairings(ledger, plan.id, task_no, round_no)
    payload = compute_draw(pool, seed=given.seed, round_no=round_no, history=history)
    _check_emptiness(payload, False, as_of)
    payload.update(provenance(pool, given, as_of, False))
    payload["draw_id"] = f"{PRACTICE_PREFIX}{plan.id}-T{task_no}-R{round_no}"
    notes = [*version_notes, *([note] if (note := period_note(plan, task_no, as_of)) else [])]
    write_assignment(target, payload, anchor=None, force=force, practice=True)
    return DrawResult(payload["draw_id"], payload, target, pool.warnings, notes=notes)


def _stored_payload(ledger: Ledger, draw_id: str, payload: DrawRecord) -> DrawRecord:
    """The payload as the ledger stored it. The first draw of a task and round only gains its id, so
    the big record is not read back (at a million entities that would double peak memory); a later
    one (a redraw, or a draw replacing an empty statement) is read back for the fields the ledger adds.
    """
    if draw_id.rsplit("-", 1)[1] == "1":
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


def empty_output(plan: Plan | str, task_no: int, round_no: int) -> Path:
    """Where a "no eligible entity" statement goes: beside, not in place of, the real draw's name."""
    plan_id = plan if isinstance(plan, str) else plan.id
    return Path(f"{messages.EMPTY_FILE_PREFIX}{plan_id}-task{task_no}-round{round_no}.xlsx")


def practice_output(plan: Plan | str, task_no: int, round_no: int) -> Path:
    """``演练-draw-….xlsx``: a rehearsal never takes the real workbook's name."""
    return Path(f"{PRACTICE_PREFIX}{default_output(plan, task_no, round_no)}")


def output_for(payload: DrawRecord) -> Path:
    """The default workbook name of a recorded draw or statement (``export``)."""
    make = empty_output if payload.get("empty") else default_output
    return make(payload["plan"], payload["task"], payload["round"])


def period_note(plan: Plan, task_no: int, as_of: dt.date) -> str | None:
    """A warning (not a refusal) when the draw date lies outside the task's period."""
    period = plan.task(task_no).period
    if as_of in period:
        return None
    return messages.DRAW_OUTSIDE_PERIOD.format(as_of=as_of, start=period.start, end=period.end)
