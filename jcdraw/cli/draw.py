"""``draw``, ``export`` and ``verify``: drawing, re-exporting and independently checking a draw.

The core is imported inside each command (a measured lazy import, see ``jcdraw.cli.registry``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.options import (
    AsOfOption,
    ForceOption,
    JsonOption,
    LedgerOption,
    RegistryOption,
    YearOption,
    as_of_date,
    plan_selector,
    refuse_same_file,
)
from jcdraw.errors import BadInvocation


def draw_command(
    plan: Annotated[
        str,
        typer.Option(
            "--plan", metavar="<计划>", callback=plan_selector, help="计划：joint、internal 或 YAML 文件。"
        ),
    ],
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
    from jcdraw.draw import run as draw_run
    from jcdraw.draw.seed import parse_seed, random_seed
    from jcdraw.ledger import Ledger
    from jcdraw.plans.load import load_plan, resolve_plan_path

    chosen = load_plan(resolve_plan_path(plan, year))
    chosen.task(task)
    day = as_of_date(as_of)
    if redraw != (reason is not None):
        raise BadInvocation(messages.DRAW_REDRAW_NEEDS_REASON)
    out_console = render.console(stderr=json_output)
    if prepare:
        if seed is not None or redraw:
            raise BadInvocation(messages.PREPARE_NO_SEED)
        pool = draw_run.load_pool(registry, chosen, task, as_of=day)
        with Ledger.open(ledger) as book:
            payload = draw_run.prepare(pool, book, round_no=round_no, as_of=day)
        if json_output:
            render.print_json({k: v for k, v in payload.items() if k != "pool"})
        else:
            out_console.print(messages.PREPARE_DONE.format(**payload))
        return
    if seed is None:
        raise BadInvocation(messages.DRAW_SEED_REQUIRED)
    if seed.strip().lower() == "random":
        seed = random_seed()
        out_console.print(messages.DRAW_SEED_RANDOM.format(seed=seed), style="bold reverse")
    seed = parse_seed(seed)
    with Ledger.open(ledger) as book:
        result = draw_run.run_draw(
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


def export_command(
    draw_id: Annotated[str | None, typer.Option("--draw", help="抽取编号，如 2024-joint-T1-R1-1。")] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="导出可公开的抽查名单（计划、任务、事项、企业名称、代码、区域；不含信用风险分类和检查人员）。",
        ),
    ] = False,
    platform: Annotated[
        Path | None,
        typer.Option("--platform", help="把一个年度已公示的全部检查结果按省级平台的导入格式写入此文件。"),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="与 --platform 同用：年度，默认台账中最新的年度。")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="与 --draw 同用：输出文件名。")] = None,
    ledger: LedgerOption = Path("jcdraw.sqlite3"),
    force: ForceOption = False,
) -> None:
    """按台账导出某次抽取的抽取结果表，或可公开的抽查名单（--public），或平台导入表（--platform）。

    原抽取结果表丢失或未能写出时用 --draw 重新导出；--draw --public 写出可公示的抽查名单；
    --platform 按 plans/platform.yaml 写出一个年度已公示结果的省级平台导入表。
    """
    if (draw_id is None) == (platform is None):
        raise BadInvocation(messages.EXPORT_WHAT)
    if platform is not None:
        if public or out is not None:
            raise BadInvocation(messages.EXPORT_PLATFORM_ALONE)
        _export_platform(platform, year, ledger, force=force)
        return
    if year is not None:
        raise BadInvocation(messages.EXPORT_YEAR_NEEDS_PLATFORM)
    assert draw_id is not None
    _export_draw(draw_id, public=public, out=out, ledger=ledger, force=force)


def _export_draw(draw_id: str, *, public: bool, out: Path | None, ledger: Path, force: bool) -> None:
    from jcdraw.draw import public_list
    from jcdraw.draw.run import default_output
    from jcdraw.draw.workbook import write_assignment
    from jcdraw.errors import InputProblems, LedgerError
    from jcdraw.io.atomic import numbered_if_taken
    from jcdraw.ledger import Ledger
    from jcdraw.records import as_draw_record

    with Ledger.open(ledger, create=False, readonly=True) as book:
        record = book.get_draw(draw_id)
        replaced_by = book.superseded_by(draw_id) if record is not None else None
        anchor = book.anchor().text()
    if record is None:
        raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
    payload = as_draw_record(record.payload)
    if public:
        if replaced_by is not None:
            raise InputProblems(messages.PUBLIC_LIST_SUPERSEDED.format(draw_id=draw_id, by=replaced_by))
        target = out or numbered_if_taken(public_list.default_output(draw_id))
        public_list.write_public_list(target, payload, anchor, force=force)
        done = messages.PUBLIC_LIST_DONE.format(draw_id=draw_id, count=len(payload["selected"]), out=target)
        render.console().print(done, markup=False)
        return
    target = out or numbered_if_taken(default_output(payload["plan"], payload["task"], payload["round"]))
    write_assignment(target, payload, force=force)
    render.console().print(messages.EXPORT_DONE.format(draw_id=draw_id, out=target))


def _export_platform(target: Path, year: int | None, ledger: Path, *, force: bool) -> None:
    from jcdraw.io.atomic import check_output
    from jcdraw.ledger import Ledger
    from jcdraw.publicity.platform import export_platform

    refuse_same_file("--platform", target, [ledger])
    check_output(target, force=force, suffix=".xlsx")
    with Ledger.open(ledger, create=False, readonly=True) as book:
        exported = export_platform(book, target, year=year, force=force)
    nothing = messages.PLATFORM_NO_PUBLISHED.format(year=exported.year, path=target)
    render.platform_notes(render.console(), exported, nothing)


def verify_command(
    assignment: Annotated[Path, typer.Argument(metavar="抽取结果表", help="jcdraw draw 生成的抽取结果表。")],
    registry: RegistryOption = Path("registry.xlsx"),
    plan: Annotated[
        Path | None, typer.Option("--plan", help="抽取时使用的计划 YAML 文件（默认按计划编号查找）。")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """不依赖台账，按抽取记录和名录库重新计算抽取结果并逐项核对。"""
    from jcdraw.draw.verify import verify

    result = verify(assignment, registry, plan)
    if json_output:
        fields = ("ok", "draw_id", "differences", "notes")
        render.print_json({name: getattr(result, name) for name in fields})
    else:
        render.verification(render.console(), result)
    raise typer.Exit(0 if result.ok else 1)


def register(app: typer.Typer) -> None:
    """Add the commands to the root app."""
    app.command("draw")(draw_command)
    app.command("export")(export_command)
    app.command("verify")(verify_command)
