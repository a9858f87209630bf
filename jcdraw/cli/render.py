"""Rendering core results for people: rich tables in a terminal, plain text in scheduled scripts.

Nothing here decides anything; it only shows what the core returned. Every console comes from
``jcdraw.cli.console``: it never fails for the output's encoding and shows control characters in user
data visibly. Table cells are ``Cell``s, cleaned by that console before rich measures them, so a ``✓``
that becomes ``[通过]`` on a GBK log keeps the columns aligned. JSON keeps Chinese unescaped on UTF-8
outputs and uses ``\\uXXXX`` (still exact JSON) elsewhere.
The core is imported inside the functions that need it (measured lazy imports: ``jcdraw --help``
then loads neither pydantic nor pandas).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from jcdraw import messages
from jcdraw.cli.console import Cell, SafeConsole, make_console
from jcdraw.cli.console import print_json as print_safe_json
from jcdraw.io.clock import beijing_minute
from jcdraw.problems import Problem

if TYPE_CHECKING:  # the core is imported by the commands, lazily, to keep --help free of pandas
    from datetime import date
    from pathlib import Path

    import pandas as pd

    from jcdraw.draw.history import HistoryDraw, PlanVersionUse
    from jcdraw.draw.plan_changes import PlanChangesReport
    from jcdraw.draw.readiness import ValidationReport
    from jcdraw.plans.model import Plan
    from jcdraw.publicity.platform import PlatformExport
    from jcdraw.records import DrawRecord
    from jcdraw.results.status import StatusReport
    from jcdraw.results.visits import Visit, VisitPlan

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def console(stderr: bool = False) -> SafeConsole:
    """The console every command prints with (see ``jcdraw.cli.console.make_console``)."""
    return make_console(stderr)


@contextmanager
def progress(*, enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """A spinner with the current stage and elapsed time while a long load runs (terminals only)."""
    err = console(stderr=True)
    if not enabled or not err.is_terminal:
        yield lambda _stage: None
        return
    started = time.monotonic()
    with err.status(messages.PROGRESS_OPENING) as status:

        def stage(text: str) -> None:
            status.update(f"{text}（已用 {time.monotonic() - started:.0f} 秒）")

        yield stage


def print_json(data: Any) -> None:
    print_safe_json(data)


def add_row(table: Table, *cells: str | Cell, style: str | None = None) -> None:
    """Add a row of literal, console-cleaned cells: user data such as "[/]" is never read as markup."""
    table.add_row(*(Cell(c) if isinstance(c, str) else c for c in cells), style=style)


def problem_table(problems: Iterable[Problem], title: str = messages.PROBLEMS_TITLE) -> Table:
    table = Table(title=title, show_lines=False, expand=False)
    for header in messages.PROBLEM_HEADERS:
        table.add_column(header, overflow="fold")
    for p in problems:
        add_row(
            table,
            Cell(messages.SEVERITY_LABELS[p.severity], style=SEVERITY_STYLE[p.severity]),
            p.sheet or "",
            "" if p.row is None else str(p.row),
            p.column or "",
            p.value or "",
            p.message,
            p.code,
        )
    return table


def validation_report(out: Console, report: ValidationReport) -> None:
    if report.tasks:
        out.print(task_summary_table(report))
    if report.problems:
        out.print(problem_table(report.problems))
    counts = report.counts()
    verdict = messages.VALIDATE_OK if report.ok else messages.VALIDATE_FAILED
    out.print(verdict.format(file=report.path, **counts), markup=False)


def task_summary_table(report: ValidationReport) -> Table:
    table = Table(title=messages.TASK_SUMMARY_TITLE)
    for header in messages.TASK_SUMMARY_HEADERS:
        table.add_column(header, overflow="fold")
    for t in report.tasks:
        eligible = " ".join(f"{k}:{v}" for k, v in t.eligible.items())
        drawn = " ".join(f"{k}:{v}" for k, v in t.draw_size.items())
        staffing = "；".join(
            f"{d.department} {d.eligible}/{d.required}" + ("" if d.enough else " ✗") for d in t.departments
        )
        add_row(
            table,
            f"{t.plan} / {t.task}",
            t.name,
            t.category,
            "、".join(t.scope),
            f"{sum(t.eligible.values())}（{eligible}）",
            f"{sum(t.draw_size.values())}（{drawn}）",
            staffing,
            "✓" if t.staffed else Cell("✗", style="bold red"),
        )
    return table


def plans_table(plans: list[Plan]) -> Table:
    from jcdraw.plans.credit import percent, rule_label  # lazy: see module doc

    table = Table(title=messages.PLANS_TITLE, show_lines=True, expand=True)
    # Shares of the width: the task names and items need the most room.
    for header, share in zip(messages.PLANS_HEADERS, (2, 6, 3, 3, 2, 4, 1), strict=True):
        table.add_column(header, overflow="fold", ratio=share)
    for plan in plans:
        for task in plan.tasks:
            items = "\n".join(f"{i}. {item}" for i, item in enumerate(task.items, 1))
            departments = "、".join(task.lead_departments)
            if task.partner_departments:
                departments += messages.PLANS_PARTNERS.format(partners="、".join(task.partner_departments))
            add_row(
                table,
                f"{plan.id}\n任务 {task.number}",
                f"{task.name}\n{items}",
                f"{task.category}\n{'、'.join(plan.scope_of(task))}",
                f"{percent(task.ratio)}\n{task.frequency} 次/年\n{rule_label(plan.rule_for(task))}",
                f"{task.period.start}\n{task.period.end}",
                departments,
                task.mode or "—",
            )
    return table


def draw_json(payload: DrawRecord) -> dict[str, Any]:
    """The documented ``draw --json`` shape (plus a few extra fields)."""
    return {
        "draw_id": payload.get("draw_id"),
        "plan": payload["plan"],
        "task": payload["task"],
        "round": payload["round"],
        "seed": payload["seed"],
        "registry_sha256": payload["registry_sha256"],
        "pool_sha256": payload["pool_sha256"],
        "pool_size": payload["pool_size"],
        "rule": payload.get("rule"),
        "nominal_ratio": payload.get("nominal_ratio"),
        "eligible_total": payload.get("eligible_total"),
        "drawn_total": payload.get("drawn_total"),
        "effective_ratio": payload.get("effective_ratio"),
        "sampling": payload.get("sampling"),
        "strata": [
            {
                "class": s["class"],
                "eligible": s["eligible"],
                "drawn": s["drawn"],
                "ratio": s["ratio_percent"],  # effective: drawn ÷ eligible
                "effective_ratio": s["ratio"],
                "in_round": s["in_round"],
                "frequency": s["frequency"],
                "weight": s.get("weight"),
                "class_ratio": s.get("class_ratio"),
                "quota": s.get("quota"),
            }
            for s in payload["strata"]
        ],
        "selected": [
            {k: s[k] for k in ("uscc", "name", "region", "risk_class", "ticket", "team")}
            for s in payload["selected"]
        ],
        "supersedes": payload.get("supersedes"),
        "prepared": payload.get("prepared"),
        "as_of": payload.get("as_of"),
        "witnesses": payload.get("witnesses"),
        "commitments": payload.get("commitments"),
        "refused": payload.get("refused"),
        "empty": bool(payload.get("empty")),
    }


def draw_notes(out: Console, result: Any) -> None:
    """Warnings that did not stop the draw (shown on stderr when stdout carries JSON)."""
    for note in result.notes:
        out.print(note, style="yellow")
    for warning in result.warnings:  # which sheet was read matters now, not after a validate
        if warning.code == "sheet-hidden":
            out.print(warning.message, style="yellow", markup=False)
    if result.warnings:
        out.print(messages.DRAW_REGISTRY_WARNINGS.format(count=len(result.warnings)), style="yellow")


def draw_summary(out: Console, result: Any, ledger: Any, *, practice: bool = False) -> None:
    from jcdraw.plans.credit import percent, percent_text, rule_from_record, rule_text  # lazy: see module doc

    payload: DrawRecord = result.payload
    if payload.get("empty"):
        where = {k: payload[k] for k in ("plan", "task", "round", "draw_id")}
        out.print(
            messages.EMPTY_DONE.format(**where, as_of=payload.get("as_of"), out=result.out, ledger=ledger),
            markup=False,
        )
        return
    rule = rule_from_record(payload["credit_rule"])
    nominal = Fraction(payload["nominal_ratio"])
    out.print(
        messages.DRAW_RULE_LINE.format(
            rule=rule_text(rule), nominal=percent(nominal), eligible=payload["eligible_total"],
            drawn=payload["drawn_total"], effective=percent_text(_fraction(payload["effective_ratio"])),
        ),
        markup=False,
    )  # fmt: skip
    strata = Table(title=messages.DRAW_STRATA_TITLE)
    for header in messages.DRAW_STRATA_HEADERS:
        strata.add_column(header)
    for s in payload["strata"]:
        class_ratio = s.get("class_ratio")
        share = s.get("weight") or (percent(Fraction(class_ratio)) if class_ratio else "—")
        in_round = s["in_round"]
        add_row(
            strata,
            s["class"],
            str(s["eligible"]),
            str(share),
            str(s.get("quota") or "—"),
            str(s["frequency"]),
            str(s["drawn"]) if in_round else messages.DRAW_NOT_IN_ROUND,
            percent_text(_fraction(s["ratio"])) if in_round else "—",
        )
    out.print(strata)
    loads = Table(title=messages.DRAW_LOADS_TITLE)
    for header in messages.DRAW_LOADS_HEADERS:
        loads.add_column(header)
    by_dept: dict[str, list[int]] = {}
    for badge, info in payload["inspectors"].items():
        by_dept.setdefault(info["department"], []).append(payload["loads"].get(badge, 0))
    for dept, values in by_dept.items():
        add_row(loads, dept, str(len(values)), f"{min(values)}–{max(values)}")
    out.print(loads)
    if practice:
        out.print(
            messages.PRACTICE_DONE.format(
                pool=payload["pool_size"], drawn=len(payload["selected"]), out=result.out
            ),
            markup=False,
        )
    elif result.out is not None:
        out.print(
            messages.DRAW_DONE.format(
                draw_id=result.draw_id,
                pool=payload["pool_size"],
                drawn=len(payload["selected"]),
                out=result.out,
                ledger=ledger,
            ),
            markup=False,
        )
        if result.anchor is not None:
            out.print(messages.DRAW_ANCHOR.format(anchor=result.anchor.text()), markup=False)


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def verification(out: Console, result: Any) -> None:
    """The verdict, then what the workbook says: seed, witnesses, commitments, refusals, anchors."""
    for note in result.notes:
        out.print(note, style="yellow", markup=False)
    if result.ok:
        out.print(
            messages.VERIFY_OK.format(
                draw_id=result.draw_id, registry=result.registry, workbook=result.workbook
            ),
            markup=False,
        )
    else:
        out.print(
            messages.VERIFY_FAILED.format(draw_id=result.draw_id, count=len(result.differences)), markup=False
        )
        for line in result.differences:
            out.print(f"  · {line}", markup=False)
    for line in verification_lines(result):
        out.print(line, markup=False)


def verification_lines(result: Any) -> list[str]:
    from jcdraw.draw.record_sheet import commitment_text, witness_text  # lazy: see module doc

    lines: list[str] = []
    if result.seed:
        lines.append(messages.VERIFY_SEED_LINE.format(seed=result.seed))
    named = [w for w in result.witnesses if w["name"]]
    lines += [messages.VERIFY_WITNESS_LINE.format(n=n, text=witness_text(w)) for n, w in enumerate(named, 1)]
    if not result.commitments and not result.empty:
        lines.append(f"{messages.RECORD_NO_COMMITMENT_LABEL}：{messages.RECORD_NO_COMMITMENT}")
    lines += [
        messages.VERIFY_COMMITMENT_LINE.format(n=n, text=commitment_text(c))
        for n, c in enumerate(result.commitments, 1)
    ]
    lines += [
        messages.VERIFY_REFUSED_LINE.format(
            n=n, seed=r["seed"], when=beijing_minute(r["created_at"]), details=r["details"]
        )
        for n, r in enumerate(result.refused, 1)
    ]
    lines += [messages.VERIFY_ANCHOR_LINE.format(anchor=a.text()) for a in result.anchors]
    return lines


def verification_json(result: Any) -> dict[str, Any]:
    """``verify --json``: the verdict and what the workbook says."""
    return {
        "ok": result.ok,
        "draw_id": result.draw_id,
        "differences": result.differences,
        "notes": result.notes,
        "seed": result.seed,
        "witnesses": result.witnesses,
        "commitments": result.commitments,
        "refused": result.refused,
        "anchors": [{"ledger_id": a.ledger_id, "records": a.records, "head": a.head} for a in result.anchors],
    }


def prepared(out: Console, done: Any) -> None:
    """What ``--prepare`` recorded: the hashes to post and the anchor."""
    payload = done.payload
    out.print(
        messages.PREPARE_DONE.format(**payload, number=done.number, anchor=done.anchor.text()), markup=False
    )


def prepare_json(done: Any, notice: Path) -> dict[str, Any]:
    """``--prepare --json``: the commitment without its long lists, with its anchor and notice file."""
    listed = {"pool", "inspectors", "recusals"}
    anchor = done.anchor
    return {
        **{k: v for k, v in done.payload.items() if k not in listed},
        "number": done.number,
        "anchor": {"ledger_id": anchor.ledger_id, "records": anchor.records, "head": anchor.head},
        "notice": str(notice),
    }


# --- plans --history -----------------------------------------------------------------------------

SHA_SHOWN = 16  # hex digits shown in the table; --json carries the full hash


def _draw_line(draw: HistoryDraw) -> str:
    if draw.superseded_by is None:
        status = messages.PLAN_HISTORY_STANDING
    else:
        status = messages.PLAN_HISTORY_SUPERSEDED.format(by=draw.superseded_by)
    return messages.PLAN_HISTORY_DRAW.format(
        draw_id=draw.draw_id, when=beijing_minute(draw.created_at), status=status
    )


def plan_history_table(entries: list[PlanVersionUse]) -> Table:
    """Rich table: one row per (plan, task, plan file); tasks drawn under several files are flagged."""
    table = Table(title=messages.PLAN_HISTORY_TITLE, show_lines=True)
    for header in messages.PLAN_HISTORY_HEADERS:
        table.add_column(header, overflow="fold")
    versions = Counter((e.plan, e.task) for e in entries)
    for entry in entries:
        version = messages.PLAN_HISTORY_UNKNOWN if entry.plan_version is None else str(entry.plan_version)
        sha = entry.plan_sha256[:SHA_SHOWN] + "…" if entry.plan_sha256 else messages.PLAN_HISTORY_UNKNOWN
        name = entry.task_name
        if entry.changed:
            name += "\n" + messages.PLAN_HISTORY_CHANGED.format(count=versions[(entry.plan, entry.task)])
        draws = "\n".join(_draw_line(d) for d in entry.draws)
        style = "yellow" if entry.changed else None
        add_row(table, entry.plan, str(entry.task), name, version, sha, draws, style=style)
    return table


def print_plan_history(out: Console, entries: list[PlanVersionUse]) -> None:
    """The table, or a one-line note when the ledger has no draws (for ``jcdraw plans --history``)."""
    if entries:
        out.print(plan_history_table(entries))
    else:
        out.print(messages.PLAN_HISTORY_EMPTY)


def plan_changes_summary(out: Console, report: PlanChangesReport, target: Path) -> None:
    """One line for the account written (``jcdraw plans --changes``), then what needs saying in it."""
    versions = sum(len(used) for used in report.plans.values())
    counts = {"content": report.content_count, "info": report.info_count}
    done = messages.CHANGES_DONE.format(
        year=report.year, plans=len(report.plans), versions=versions, steps=len(report.adjustments),
        out=target, **counts,
    )  # fmt: skip
    out.print(done, markup=False)
    for adjustment in report.adjustments:
        if adjustment.unversioned:
            step = messages.CHANGES_STEP_SAME.format(version=adjustment.new.version)
            text = messages.CHANGES_WARN_UNVERSIONED.format(plan=adjustment.plan_id, step=step)
            out.print(text, style="yellow", markup=False)
    for used in (v for versions_used in report.plans.values() for v in versions_used if v.plan is None):
        text = messages.CHANGES_WARN_MISSING.format(
            plan=used.file.plan, version=used.version, sha=used.file.sha256[:16]
        )
        out.print(text, style="yellow", markup=False)


def platform_notes(out: Console, export: PlatformExport, nothing: str) -> None:
    """Where the platform import file went, how many rows, and which platform numbers are missing."""
    mapping = export.mapping if export.mapping is not None else "plans/platform.yaml"
    out.print(
        messages.PLATFORM_WRITTEN.format(path=export.path, rows=export.rows, mapping=mapping), markup=False
    )
    if not export.rows:
        out.print(nothing, markup=False)
    for warning in export.warnings:
        out.print(warning, style="yellow", markup=False)


# --- status --------------------------------------------------------------------------------------


def status_report(console: Console, found: StatusReport, report: Path | None) -> None:
    """Per-task progress, the completed-but-unpublished entities, and the verdict lines."""
    if found.notes:
        console.print(problem_table(found.notes))
    if found.tasks.empty:
        console.print(messages.STATUS_NO_DRAWS, markup=False)
        return
    console.print(_status_table(found))
    if len(found.pending):
        console.print(_pending_table(found))
    if len(found.followups):
        console.print(followup_table(found.followups, found.as_of))
    _status_verdict(console, found)
    if report is not None:
        console.print(messages.STATUS_REPORT_WRITTEN.format(path=report), markup=False)


def _status_table(found: StatusReport) -> Table:
    table = Table(title=messages.STATUS_TITLE.format(as_of=found.as_of))
    for header in messages.STATUS_TERMINAL_HEADERS:
        table.add_column(header, overflow="fold")
    for t in found.tasks.itertuples():
        if t.undrawn:
            state = messages.STATUS_UNDRAWN_ENDED if t.period_ended else messages.STATUS_UNDRAWN
            cells = [str(t.plan), str(t.task), str(t.task_name), state, *["—"] * 9]
            add_row(table, *cells, style="bold red" if t.period_ended else "yellow")
            continue
        values = [t.plan, t.task, t.task_name, t.drawn, t.inspected, t.published, t.on_time, t.late]
        values += [
            t.due_soon,
            t.overdue,
            t.uninspected,
            rate_text(t.publication_rate),
            rate_text(t.completion_rate),
        ]
        style = "bold red" if t.overdue or (t.period_ended and t.uninspected) else None
        add_row(table, *(str(v) for v in values), style=style)
    return table


def _pending_table(found: StatusReport) -> Table:
    pending = Table(title=messages.STATUS_PENDING_TITLE.format(as_of=found.as_of))
    for header in messages.STATUS_PENDING_HEADERS:
        pending.add_column(header, overflow="fold")
    for p in found.pending.itertuples():
        state, source = str(p.state), str(p.source)
        style = {"overdue": "bold red", "due_soon": "yellow"}.get(state)
        cells = [p.plan, p.task, p.draw_id, p.uscc, p.name, p.completed, p.deadline]
        cells += [messages.STATUS_STATES[state], messages.STATUS_SOURCES[source]]
        add_row(pending, *(str(v) for v in cells), style=style)
    return pending


def followup_table(rows: pd.DataFrame, as_of: date) -> Table:
    """Results needing follow-up not yet done, the oldest first (``status``, ``report``)."""
    table = Table(title=messages.STATUS_FOLLOWUPS_TITLE.format(as_of=as_of, count=len(rows)))
    for header in messages.STATUS_FOLLOWUPS_HEADERS:
        table.add_column(header, overflow="fold")
    for f in rows.itertuples():
        latest = f"{f.action_date!s} {f.action!s}" if f.action else messages.STATUS_FOLLOWUPS_NONE
        cells = [f.plan, f.task, f.draw_id, f.uscc, f.name, f.item, f.result, f.completed, latest, f.age_days]
        add_row(table, *(str(v) for v in cells))
    return table


def _status_verdict(console: Console, found: StatusReport) -> None:
    lapsed = found.lapsed_tasks
    if len(lapsed):
        names = "、".join(f"{t.plan} 任务{t.task}" for t in lapsed.itertuples())
        line = messages.STATUS_LAPSED.format(as_of=found.as_of, count=len(lapsed), tasks=names)
        console.print(line, markup=False)
    if found.overdue:
        console.print(messages.STATUS_OVERDUE.format(as_of=found.as_of, overdue=found.overdue), markup=False)
    elif not len(lapsed):
        console.print(messages.STATUS_OK.format(as_of=found.as_of, due_soon=found.due_soon), markup=False)
    if len(found.out_of_period):
        console.print(messages.STATUS_ODD_DATES_NOTE.format(count=len(found.out_of_period)), markup=False)


def rate_text(value: object) -> str:
    """公示率 and 完成率 for people: "—" where undefined (nothing inspected, nothing drawn)."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{float(value):.0%}"  # type: ignore[arg-type]


# --- visits --------------------------------------------------------------------------------------


MERGED_SHOWN = 30  # the terminal lists this many merged visits; the workbook has them all


def visits_done(plan: VisitPlan, target: Path) -> str:
    done = messages.VISITS_DONE.format(
        year=plan.year, draws=plan.draws_read, entity_draws=plan.entity_draws, visits=len(plan.visits),
        saved=plan.saved_entries, out=target,
    )  # fmt: skip
    if plan.already_recorded:
        done += messages.VISITS_ALREADY_RECORDED.format(count=plan.already_recorded)
    return done


def visits_summary(out: Console, plan: VisitPlan, target: Path) -> None:
    """Merged visits (the first ``MERGED_SHOWN``), visits that could not be merged, and the totals."""
    merged = plan.merged
    if merged:
        out.print(merged_table(plan, merged[:MERGED_SHOWN]))
        if len(merged) > MERGED_SHOWN:
            more = messages.VISITS_MERGED_MORE.format(count=len(merged) - MERGED_SHOWN, out=target)
            out.print(more, markup=False, soft_wrap=True)
    else:
        out.print(messages.VISITS_NONE_MERGED)
    notes = [(v, v.note) for v in plan.separated]
    notes += [(v, plan.done_text(v)) for v in plan.partly_done]
    notes += [
        (v, messages.VISITS_MISSING_DEPARTMENTS.format(departments="、".join(v.missing_departments)))
        for v in plan.visits
        if v.missing_departments
    ]
    if notes:
        out.print(messages.VISITS_SEPARATED_TITLE, style="yellow")
        for visit, detail in notes:
            line = messages.VISITS_PROBLEM_LINE.format(
                visit_id=visit.visit_id, name=visit.name, detail=detail
            )
            out.print(line, style="yellow", markup=False, soft_wrap=True)
    out.print(visits_done(plan, target), markup=False, soft_wrap=True)


def merged_table(plan: VisitPlan, visits: list[Visit]) -> Table:
    table = Table(title=messages.VISITS_MERGED_TITLE, show_lines=True)
    for header in messages.VISITS_MERGED_HEADERS:
        table.add_column(header, overflow="fold")
    for visit in visits:
        tasks = "\n".join(f"{d.label} {d.task_name}" for d in visit.draws)
        cells = [
            visit.visit_id, visit.name, visit.region, tasks, str(visit.item_count),
            plan.team_text(visit.team), visit.window_text,
        ]  # fmt: skip
        add_row(table, *cells)
    return table
