"""``jcdraw visits``: turn the year's standing draws into visits (进一次门，查多事项).

The command opens the ledger read-only, calls ``visits.plan_visits``, writes the visits workbook and
renders the summary; the rules live in ``jcdraw.visits``. ``register(app)`` adds the command to the
main Typer app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.options import LEDGER_DEFAULT, ForceOption, JsonOption, LedgerOption

if TYPE_CHECKING:  # the command imports the core lazily, keeping `jcdraw --help` fast
    from jcdraw.results.visits import Visit, VisitPlan

MERGED_SHOWN = 30  # the terminal lists this many merged visits; the workbook has them all


def register(app: typer.Typer) -> None:
    """Add the ``visits`` command to ``app``."""
    app.command("visits")(visits_command)


def visits_command(
    year: Annotated[int | None, typer.Option("--year", help="年度，默认台账中最新的抽取年度。")] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    out: Annotated[
        Path | None, typer.Option("--out", help="检查安排表文件名，默认 visits-年度.xlsx。")
    ] = None,
    json_output: JsonOption = False,
    force: ForceOption = False,
) -> None:
    """把同一对象在本年度被多个任务抽中的检查合并为一次（进一次门，查多事项），生成检查安排表。"""
    from jcdraw.io.atomic import check_output
    from jcdraw.ledger import Ledger
    from jcdraw.results.visits import default_output, plan_visits, write_visits

    with Ledger.open(ledger, readonly=True) as book:
        plan = plan_visits(book, year)
    target = out or default_output(plan.year)
    check_output(target, force=force, suffix=".xlsx")
    write_visits(target, plan, force=force)
    if json_output:
        render.print_json(plan.to_dict())
        render.console(stderr=True).print(_done(plan, target), markup=False, soft_wrap=True)
    else:
        visits_summary(render.console(), plan, target)


def _done(plan: VisitPlan, target: Path) -> str:
    return messages.VISITS_DONE.format(
        year=plan.year, draws=plan.draws_read, entity_draws=plan.entity_draws, visits=len(plan.visits),
        saved=plan.saved_entries, out=target,
    )  # fmt: skip


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
    out.print(_done(plan, target), markup=False, soft_wrap=True)


def merged_table(plan: VisitPlan, visits: list[Visit]) -> Table:
    from jcdraw.results.visits import team_text

    table = Table(title=messages.VISITS_MERGED_TITLE, show_lines=True)
    for header in messages.VISITS_MERGED_HEADERS:
        table.add_column(header, overflow="fold")
    for visit in visits:
        tasks = "\n".join(f"{d.label} {d.task_name}" for d in visit.draws)
        cells = [
            visit.visit_id, visit.name, visit.region, tasks, str(visit.item_count),
            team_text(visit.team, plan.members), visit.window_text,
        ]  # fmt: skip
        table.add_row(*(Text(cell) for cell in cells))  # Text: names are never read as rich markup
    return table
