"""``validate``, ``plans``, ``template registry`` and ``init``: the registry and plan commands.

Each command parses its options, calls one core function and renders the result. The core is
imported inside the command (a measured lazy import: ``jcdraw --help`` and ``jcdraw plans`` then load
no pandas; ``tests/test_startup.py`` checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.options import (
    LEDGER_DEFAULT,
    AsOfOption,
    ForceOption,
    JsonOption,
    LedgerOption,
    PlanOption,
    YearOption,
    as_of_date,
    writing_ledger,
)
from jcdraw.errors import BadInvocation


def validate_command(
    registry: Annotated[Path, typer.Argument(metavar="名录库文件", help="名录库 Excel 文件（.xlsx）。")],
    plan: PlanOption = None,
    year: YearOption = None,
    report: Annotated[Path | None, typer.Option("--report", help="把问题清单写入此 Excel 文件。")] = None,
    as_of: AsOfOption = None,
    json_output: JsonOption = False,
    force: ForceOption = False,
) -> None:
    """校验名录库（检查对象、执法人员、回避关系），并按抽查计划统计各任务可抽对象和可用人员。"""
    from jcdraw.draw.readiness import validate
    from jcdraw.io.atomic import check_output
    from jcdraw.io.problem_report import write_problem_report
    from jcdraw.plans.load import load_plans

    plans = load_plans(plan, year)
    if report is not None:  # before the slow read: a refusal must cost nothing
        check_output(report, force=force, inputs=[registry, *(p.path for p in plans)])
    with render.progress(enabled=not json_output) as stage:
        result = validate(registry, plans, as_of=as_of_date(as_of), progress=stage)
    if report is not None:
        plan_ids = "、".join(p.id for p in plans)
        write_problem_report(report, result.problems, force=force, registry=registry.name, plans=plan_ids)
    if json_output:
        render.print_json(result.to_dict())
    else:
        out = render.console()
        render.validation_report(out, result)
        if report is not None:
            out.print(messages.REPORT_WRITTEN.format(path=report))
    raise typer.Exit(0 if result.ok else 1)


def plans_command(
    plan: PlanOption = None,
    year: YearOption = None,
    history: Annotated[
        bool, typer.Option("--history", help="列出台账中各任务抽取时所用的计划版本（含已被取代的抽取）。")
    ] = False,
    changes: Annotated[
        bool,
        typer.Option(
            "--changes",
            help="写出计划调整情况（各次抽取所用计划版本之间逐项的改动、日期和受影响的抽取），供书面报告。",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="计划调整情况的文件名（与 --changes 同用），默认“计划调整-年度.xlsx”。"),
    ] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    json_output: JsonOption = False,
    force: ForceOption = False,
) -> None:
    """列出抽查计划中的任务（事项、范围、比例、时间、部门）。

    --history 显示抽取所用的计划版本；--changes 写出计划调整情况（书面报告用）。
    """
    from jcdraw.draw.history import plan_history
    from jcdraw.ledger import Ledger
    from jcdraw.plans.load import load_plans

    if out is not None and not changes:
        raise BadInvocation(messages.CHANGES_OUT_NEEDS_CHANGES)
    if changes:
        if history or plan is not None:
            raise BadInvocation(messages.CHANGES_ALONE)
        _plan_changes(year, ledger, out, json_output=json_output, force=force)
        return
    if history:
        with Ledger.open(ledger, create=False, readonly=True) as book:
            entries = plan_history(book, year)
        if json_output:
            render.print_json([e.to_dict() for e in entries])
        else:
            render.print_plan_history(render.console(), entries)
        return
    plans = load_plans(plan, year)
    if json_output:
        render.print_json([p.model_dump(mode="json", exclude={"area_data"}) for p in plans])
        return
    render.console().print(render.plans_table(plans))


def _plan_changes(
    year: int | None, ledger: Path, out: Path | None, *, json_output: bool, force: bool
) -> None:
    from jcdraw.draw.plan_changes import plan_changes
    from jcdraw.draw.plan_changes_workbook import default_output, write_plan_changes
    from jcdraw.io.atomic import check_output, numbered_if_taken
    from jcdraw.ledger import Ledger

    with Ledger.open(ledger, create=False, readonly=True) as book:
        report = plan_changes(book, year)
        anchor = book.anchor().text()
    target = out or numbered_if_taken(default_output(report.year))
    check_output(target, force=force, suffix=".xlsx", inputs=[ledger])
    write_plan_changes(target, report, anchor, force=force)
    if json_output:
        render.print_json(report.to_dict())
    render.plan_changes_summary(render.console(stderr=json_output), report, target)


def template_registry_command(
    out: Annotated[Path, typer.Argument(metavar="模板文件", help="要生成的模板文件，如 registry.xlsx。")],
    plan: PlanOption = None,
    year: YearOption = None,
    force: ForceOption = False,
) -> None:
    """生成名录库模板（带说明、下拉列表、冻结表头）。"""
    from jcdraw.io.atomic import check_output
    from jcdraw.plans.load import load_plans
    from jcdraw.registry.template import write_registry_template

    plans = load_plans(plan, year)
    check_output(out, force=force, inputs=[p.path for p in plans])
    write_registry_template(out, plans, force=force)
    render.console().print(messages.TEMPLATE_WRITTEN.format(path=out))


def init_command(
    folder: Annotated[Path, typer.Argument(metavar="工作目录", help="要创建的工作目录。")],
    year: YearOption = None,
    force: ForceOption = False,
) -> None:
    """创建工作目录：计划副本、名录库模板和使用说明。"""
    from jcdraw.plans.load import load_plans
    from jcdraw.registry.template import init_workspace

    written = init_workspace(folder, load_plans(None, year), force=force)
    ledger = folder / LEDGER_DEFAULT
    if not ledger.exists():  # an existing ledger is never touched, with or without --force
        with writing_ledger(ledger, new_ledger=True, command="jcdraw init"):
            written.append(ledger)
    render.console().print(messages.INIT_DONE.format(path=folder, count=len(written)))


def register(app: typer.Typer, template_app: typer.Typer) -> None:
    """Add the commands to the root app and its ``template`` group."""
    app.command("validate")(validate_command)
    app.command("plans")(plans_command)
    template_app.command("registry")(template_registry_command)
    app.command("init")(init_command)
