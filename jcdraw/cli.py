"""The ``jcdraw`` command line: parse options, call the core, render the result, pick the exit code.

Exit codes: 0 success; 1 the input was read but has problems; 2 unusable invocation or unreadable
input. ``main`` turns every ``JcdrawError`` into its Chinese message, click usage errors into a Chinese
hint, and anything unexpected into a short note (the traceback only with ``--debug``).
"""

from __future__ import annotations

import re
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from typer._click import exceptions as click_exceptions  # typer vendors click

from jcdraw import cli_publish, cli_visits, messages, render
from jcdraw.cli_options import (
    AsOfOption,
    ForceOption,
    JsonOption,
    LedgerOption,
    PlanOption,
    RegistryOption,
    YearOption,
    as_of_date,
)
from jcdraw.errors import BadInvocation, JcdrawError
from jcdraw.plans import load_plans
from jcdraw.problems import Problem

app = typer.Typer(
    name="jcdraw",
    help="双随机、一公开 抽查工具：校验名录库、抽取检查对象和执法人员、公示检查结果。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
template_app = typer.Typer(help="生成空白模板。", no_args_is_help=True)
app.add_typer(template_app, name="template")

_state = {"debug": False}


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="出错时显示技术细节。")] = False) -> None:
    _state["debug"] = debug


# --- validate ----------------------------------------------------------------------------------


@app.command("validate")
def validate_command(
    registry: Annotated[Path, typer.Argument(help="名录库 Excel 文件（.xlsx）。")],
    plan: PlanOption = None,
    year: YearOption = None,
    report: Annotated[Path | None, typer.Option("--report", help="把问题清单写入此 Excel 文件。")] = None,
    as_of: AsOfOption = None,
    json_output: JsonOption = False,
    force: ForceOption = False,
) -> None:
    """校验名录库（检查对象、执法人员、回避关系），并按抽查计划统计各任务可抽对象和可用人员。"""
    from jcdraw.validation import validate

    plans = load_plans(plan, year)
    with render.progress(enabled=not json_output) as stage:
        result = validate(registry, plans, as_of=as_of_date(as_of), progress=stage)
    if report is not None:
        write_problem_report(report, result.problems, force=force)
    if json_output:
        render.print_json(result.to_dict())
    else:
        out = render.console()
        render.validation_report(out, result)
        if report is not None:
            out.print(messages.REPORT_WRITTEN.format(path=report))
    raise typer.Exit(0 if result.ok else 1)


def write_problem_report(path: Path, problems: list[Problem], *, force: bool) -> None:
    from jcdraw.xlsx_writer import Column, Sheet, write_workbook

    columns = [Column(h) for h in messages.PROBLEM_REPORT_HEADERS]
    rows = (
        [messages.SEVERITY_LABELS[p.severity], p.code, p.sheet, p.row, p.column, p.value, p.message]
        for p in problems
    )
    write_workbook(path, [Sheet(messages.PROBLEMS_TITLE, columns, rows)], force=force)


# --- plans -------------------------------------------------------------------------------------


@app.command("plans")
def plans_command(
    plan: PlanOption = None,
    year: YearOption = None,
    history: Annotated[
        bool, typer.Option("--history", help="列出台账中各任务抽取时所用的计划版本（含已被取代的抽取）。")
    ] = False,
    ledger: LedgerOption = Path("jcdraw.sqlite3"),
    json_output: JsonOption = False,
) -> None:
    """列出抽查计划中的任务（事项、范围、比例、时间、部门）；--history 显示抽取所用的计划版本。"""
    if history:
        from jcdraw.ledger import Ledger
        from jcdraw.plan_history import plan_history, print_plan_history

        with Ledger.open(ledger, create=False, readonly=True) as book:
            entries = plan_history(book, year)
        if json_output:
            render.print_json([e.to_dict() for e in entries])
        else:
            print_plan_history(render.console(), entries)
        return
    plans = load_plans(plan, year)
    if json_output:
        render.print_json([p.model_dump(mode="json", exclude={"area_data"}) for p in plans])
        return
    render.console().print(render.plans_table(plans))


# --- templates and workspace -------------------------------------------------------------------


@template_app.command("registry")
def template_registry_command(
    out: Annotated[Path, typer.Argument(help="要生成的模板文件，如 registry.xlsx。")],
    plan: PlanOption = None,
    year: YearOption = None,
    force: ForceOption = False,
) -> None:
    """生成名录库模板（带说明、下拉列表、冻结表头）。"""
    from jcdraw.templates import write_registry_template

    write_registry_template(out, load_plans(plan, year), force=force)
    render.console().print(messages.TEMPLATE_WRITTEN.format(path=out))


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="要创建的工作目录。")],
    year: YearOption = None,
    force: ForceOption = False,
) -> None:
    """创建工作目录：计划副本、名录库模板和使用说明。"""
    from jcdraw.templates import init_workspace

    written = init_workspace(folder, load_plans(None, year), force=force)
    render.console().print(messages.INIT_DONE.format(path=folder, count=len(written)))


# --- draw, export, verify ---------------------------------------------------------------------


@app.command("draw")
def draw_command(
    plan: Annotated[str, typer.Option("--plan", help="计划：joint、internal 或 YAML 文件路径。")],
    task: Annotated[int, typer.Option("--task", help="任务序号（见 jcdraw plans）。")],
    seed: Annotated[
        str | None, typer.Option("--seed", help="当众产生的至少 20 位数字；random 表示由程序生成。")
    ] = None,
    registry: RegistryOption = Path("registry.xlsx"),
    round_no: Annotated[
        int, typer.Option("--round", min=1, help="本年度第几轮（高风险对象每年可抽多轮）。")
    ] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="抽取结果表文件名。")] = None,
    ledger: LedgerOption = Path("jcdraw.sqlite3"),
    as_of: AsOfOption = None,
    year: YearOption = None,
    prepare: Annotated[
        bool, typer.Option("--prepare", help="只登记并显示对象池校验值，供抽取前公布。")
    ] = False,
    redraw: Annotated[
        bool, typer.Option("--redraw", help="重新抽取已抽过的任务和轮次（须写 --reason）。")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="重新抽取的原因（记入台账）。")] = None,
    json_output: JsonOption = False,
    force: ForceOption = False,
) -> None:
    """按随机种子抽取检查对象并分配执法人员，记入台账，生成抽取结果表。"""
    from jcdraw import draw as D
    from jcdraw import drawing
    from jcdraw.ledger import Ledger
    from jcdraw.plans import load_plan, resolve_plan_path

    chosen = load_plan(resolve_plan_path(plan, year))
    chosen.task(task)
    day = as_of_date(as_of)
    if redraw != (reason is not None):
        raise BadInvocation(messages.DRAW_REDRAW_NEEDS_REASON)
    out_console = render.console(stderr=json_output)
    if prepare:
        if seed is not None or redraw:
            raise BadInvocation(messages.PREPARE_NO_SEED)
        pool = drawing.load_pool(registry, chosen, task, as_of=day)
        with Ledger.open(ledger) as book:
            payload = drawing.prepare(pool, book, round_no=round_no, as_of=day)
        if json_output:
            render.print_json({k: v for k, v in payload.items() if k != "pool"})
        else:
            out_console.print(messages.PREPARE_DONE.format(**payload))
        return
    if seed is None:
        raise BadInvocation(messages.DRAW_SEED_REQUIRED)
    if seed.strip().lower() == "random":
        seed = D.random_seed()
        out_console.print(messages.DRAW_SEED_RANDOM.format(seed=seed), style="bold reverse")
    seed = D.parse_seed(seed)
    with Ledger.open(ledger) as book:
        result = drawing.run_draw(
            registry,
            chosen,
            task,
            seed=seed,
            ledger=book,
            round_no=round_no,
            as_of=day,
            out=out,
            force=force,
            redraw_reason=reason,
        )
    render.draw_notes(out_console, result)
    if json_output:
        render.print_json(render.draw_json(result.payload))
    else:
        render.draw_summary(out_console, result, ledger)
    if result.out_error:
        render.console(stderr=True).print(
            messages.DRAW_WRITE_FAILED.format(draw_id=result.draw_id, detail=result.out_error), markup=False
        )
        raise typer.Exit(2)


@app.command("export")
def export_command(
    draw_id: Annotated[str, typer.Option("--draw", help="抽取编号，如 2024-joint-T1-R1-1。")],
    out: Annotated[Path | None, typer.Option("--out", help="抽取结果表文件名。")] = None,
    ledger: LedgerOption = Path("jcdraw.sqlite3"),
    force: ForceOption = False,
) -> None:
    """按台账重新导出某次抽取的抽取结果表（原文件丢失或未能写出时使用）。"""
    from jcdraw.assignment_book import write_assignment
    from jcdraw.drawing import default_output
    from jcdraw.errors import LedgerError
    from jcdraw.ledger import Ledger

    with Ledger.open(ledger, create=False, readonly=True) as book:
        record = book.get_draw(draw_id)
    if record is None:
        raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
    payload = record.payload
    target = out or default_output(str(payload["plan"]), int(payload["task"]), int(payload["round"]))
    write_assignment(target, payload, force=force)
    render.console().print(messages.EXPORT_DONE.format(draw_id=draw_id, out=target))


@app.command("verify")
def verify_command(
    assignment: Annotated[Path, typer.Argument(help="jcdraw draw 生成的抽取结果表。")],
    registry: RegistryOption = Path("registry.xlsx"),
    plan: Annotated[
        Path | None, typer.Option("--plan", help="抽取时使用的计划 YAML 文件（默认按计划编号查找）。")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """不依赖台账，按抽取记录和名录库重新计算抽取结果并逐项核对。"""
    from jcdraw.assignment_book import verify

    result = verify(assignment, registry, plan)
    if json_output:
        render.print_json({"ok": result.ok, "draw_id": result.draw_id, "differences": result.differences})
    else:
        render.verification(render.console(), result)
    raise typer.Exit(0 if result.ok else 1)


# Results, publicity and visits live in their own command modules.
cli_publish.register(app)
cli_visits.register(app)


# --- entry point -------------------------------------------------------------------------------


def usage_in_chinese(exc: click_exceptions.UsageError) -> str:
    """Click's English usage errors, said in Chinese (the option names stay as typed)."""
    text = exc.format_message()
    for pattern, template in messages.USAGE_PATTERNS:
        match = re.search(pattern, text)
        if match:
            return template.format(*match.groups())
    return text


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: run the app and translate every failure into Chinese and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    _state["debug"] = "--debug" in args
    err = render.console(stderr=True)
    try:
        code = app(args=args, prog_name="jcdraw", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as exc:
        err.print(exc.ctx.get_help() if exc.ctx else "", markup=False)
        sys.exit(2)
    except click_exceptions.UsageError as exc:
        command = exc.ctx.info_name if exc.ctx and exc.ctx.info_name != "jcdraw" else ""
        detail = usage_in_chinese(exc)
        err.print(messages.USAGE_ERROR.format(detail=detail, command=command), markup=False)
        sys.exit(2)
    except typer.Abort:
        err.print(messages.INTERRUPTED)
        sys.exit(130)
    except JcdrawError as exc:
        err.print(exc.message, markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print(messages.INTERRUPTED)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, never dump a traceback on a user
        if _state["debug"]:
            traceback.print_exc()
        err.print(messages.UNEXPECTED_ERROR.format(detail=f"{type(exc).__name__}: {exc}"), markup=False)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
