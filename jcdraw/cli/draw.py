"""``draw``, ``export`` and ``verify``: drawing, re-exporting and independently checking a draw.

The core is imported inside each command (a measured lazy import, see ``jcdraw.cli.registry``).
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jcdraw import messages
from jcdraw.cli import render
from jcdraw.cli.options import (
    LEDGER_DEFAULT,
    REGISTRY_DEFAULT,
    AsOfOption,
    ForceOption,
    JsonOption,
    LedgerOption,
    NewLedgerOption,
    RegistryOption,
    YearOption,
    as_of_date,
    plan_selector,
    writing_ledger,
)
from jcdraw.errors import BadInvocation

if TYPE_CHECKING:  # the core is imported inside each command, lazily
    from jcdraw.plans.model import Plan


def draw_command(
    plan: Annotated[
        str,
        typer.Option(
            "--plan", metavar="<计划>", callback=plan_selector, help="计划：joint、internal 或 YAML 文件。"
        ),
    ],
    task: Annotated[int, typer.Option("--task", help="任务序号（见 jcdraw plans）。")],
    seed: Annotated[
        list[str] | None,
        typer.Option(
            "--seed",
            metavar="<姓名:数字>",
            help="随机种子：每位见证人当众报一组数字，写成“姓名:数字”，每人一个 --seed，按报数顺序连接，"
            "合计至少 20 位；只有一串数字时可直接写数字。演练（--practice）时可写 random 由程序生成。",
        ),
    ] = None,
    registry: RegistryOption = REGISTRY_DEFAULT,
    round_no: Annotated[
        int, typer.Option("--round", min=1, help="本年度第几轮（高风险对象每年可抽多轮）。")
    ] = 1,
    out: Annotated[
        Path | None, typer.Option("--out", help="抽取结果表文件名（与 --prepare 同用时为抽取公告文件名）。")
    ] = None,
    ledger: LedgerOption = LEDGER_DEFAULT,
    as_of: AsOfOption = None,
    year: YearOption = None,
    prepare: Annotated[
        bool,
        typer.Option(
            "--prepare", help="抽取前登记对象池、执法人员池和回避关系的校验值，并生成抽取公告，供抽取前公布。"
        ),
    ] = False,
    redraw: Annotated[
        bool, typer.Option("--redraw", help="重新抽取已抽过的任务和轮次（须写 --reason）。")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="重新抽取或再次登记抽取前公告的原因（记入台账）。")
    ] = None,
    practice: Annotated[
        bool, typer.Option("--practice", help="演练：照常抽取并生成标明“演练”的工作簿，不记入台账。")
    ] = False,
    record_empty: Annotated[
        bool,
        typer.Option(
            "--record-empty", help="本轮没有符合条件的对象时，登记说明（计为已抽取 0 个），不需要随机种子。"
        ),
    ] = False,
    place: Annotated[
        str | None, typer.Option("--place", help="抽取地点（印在抽取公告上，与 --prepare 同用）。")
    ] = None,
    draw_time: Annotated[
        str | None, typer.Option("--draw-time", help='抽取时间，如 "2024-04-01 09:30"（印在抽取公告上）。')
    ] = None,
    witness: Annotated[
        list[str] | None, typer.Option("--witness", help="见证人姓名（印在抽取公告上），每人一个 --witness。")
    ] = None,
    json_output: JsonOption = False,
    force: ForceOption = False,
    new_ledger: NewLedgerOption = False,
) -> None:
    """按见证人当众产生的随机种子抽取检查对象并分配执法人员，记入台账，生成抽取结果表。"""
    from jcdraw.plans.load import load_plan, resolve_plan_path

    _check_combination(
        seed or [], prepare, redraw, reason, practice, record_empty, [place, draw_time, *(witness or [])]
    )
    chosen = load_plan(resolve_plan_path(plan, year))
    chosen.task(task)
    day = as_of_date(as_of)
    out_console = render.console(stderr=json_output)
    if prepare:
        announced = (draw_time, place, witness or [])
        where = (ledger, new_ledger)
        _prepare(registry, chosen, task, round_no, day, where, reason, announced, out, force, json_output)
        return
    if practice:
        _practice(registry, chosen, task, round_no, day, ledger, seed or [], out, force, json_output)
        return
    from jcdraw.draw import run as draw_run
    from jcdraw.draw.seed import parse_witnessed

    given = None
    if not record_empty:
        if any(text.strip().lower() == "random" for text in seed or []):
            raise BadInvocation(messages.DRAW_SEED_RANDOM_REFUSED)
        given = parse_witnessed(seed or [])
    with writing_ledger(ledger, new_ledger=new_ledger, command="jcdraw draw") as book:
        result = draw_run.run_draw(
            registry, chosen, task, seed=given, ledger=book, round_no=round_no, as_of=day, out=out,
            force=force, redraw_reason=reason, record_empty=record_empty,
        )  # fmt: skip
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


def _check_combination(
    seed: list[str], prepare: bool, redraw: bool, reason: str | None, practice: bool, record_empty: bool,
    announced: list[str | None],
) -> None:  # fmt: skip
    """Option combinations that cannot work, refused before anything is read."""
    if (redraw and reason is None) or (reason is not None and not (redraw or prepare)):
        raise BadInvocation(messages.DRAW_REDRAW_NEEDS_REASON)
    if record_empty and (seed or prepare or redraw or practice):
        raise BadInvocation(messages.DRAW_RECORD_EMPTY_OPTIONS)
    if practice and (prepare or redraw):
        raise BadInvocation(messages.DRAW_PRACTICE_OPTIONS)
    if prepare and (seed or redraw):
        raise BadInvocation(messages.PREPARE_NO_SEED)
    if not prepare and any(value is not None for value in announced):
        raise BadInvocation(messages.PREPARE_OPTIONS)


def _prepare(
    registry: Path, plan: Plan, task: int, round_no: int, day: date, ledger: tuple[Path, bool],
    reason: str | None, announced: tuple[str | None, str | None, list[str]], out: Path | None, force: bool,
    json_output: bool,
) -> None:  # fmt: skip
    """``--prepare``: record the commitment, then write the 抽取公告 to post before the seed exists."""
    from jcdraw.draw import commitment
    from jcdraw.draw.notice import notice_output, write_notice
    from jcdraw.draw.pool import load_pool
    from jcdraw.errors import InputProblems, OutputError
    from jcdraw.io.atomic import check_output, numbered_if_taken
    from jcdraw.ledger import draw_key

    pool = load_pool(registry, plan, task, as_of=day)
    if sum(s["size"] for s in commitment.planned_strata(pool, round_no)) == 0:
        raise InputProblems(messages.PREPARE_EMPTY.format(plan=plan.id, task=task, round=round_no))
    path, new_ledger = ledger
    with writing_ledger(path, new_ledger=new_ledger, command="jcdraw draw --prepare") as book:
        number = len(book.records("prepare", draw_key(plan.id, task, round_no))) + 1
        target = out or numbered_if_taken(notice_output(plan.id, task, round_no, number))
        check_output(target, force=force, suffix=".xlsx", inputs=[registry, path, plan.path])
        draw_time, place, witnesses = announced
        announcement = commitment.Announcement(draw_time, place, tuple(witnesses))
        prepared = commitment.prepare(
            pool, book, round_no=round_no, as_of=day, reason=reason, announcement=announcement
        )
    out_console = render.console(stderr=json_output)
    if json_output:
        render.print_json(render.prepare_json(prepared, target))
    else:
        render.prepared(out_console, prepared)
    try:
        write_notice(target, prepared, plan, force=force)
    except OutputError as err:
        render.console(stderr=True).print(
            messages.PREPARE_NOTICE_FAILED.format(detail=err.message), markup=False
        )
        raise typer.Exit(2) from None
    out_console.print(messages.PREPARE_NOTICE_WRITTEN.format(out=target), markup=False)


def _practice(
    registry: Path, plan: Plan, task: int, round_no: int, day: date, ledger: Path, seed: list[str],
    out: Path | None, force: bool, json_output: bool,
) -> None:  # fmt: skip
    """``--practice``: the draw as it would go today, written as a rehearsal, nothing recorded."""
    from jcdraw.draw import run as draw_run
    from jcdraw.draw.seed import parse_witnessed, random_seed
    from jcdraw.ledger import Ledger

    if not seed:
        raise BadInvocation(messages.DRAW_SEED_REQUIRED)
    texts = [random_seed() if text.strip().lower() == "random" else text for text in seed]
    given = parse_witnessed(texts)
    out_console = render.console(stderr=json_output)
    if texts != seed:
        out_console.print(messages.DRAW_SEED_RANDOM.format(seed=given.seed), style="bold reverse")
    with ExitStack() as stack:  # a rehearsal reads the ledger if there is one, and never creates it
        book = (
            stack.enter_context(Ledger.open(ledger, create=False, readonly=True)) if ledger.exists() else None
        )
        result = draw_run.run_practice(
            registry, plan, task, seed=given, ledger=book, round_no=round_no, as_of=day, out=out, force=force
        )
    render.draw_notes(out_console, result)
    if json_output:
        render.print_json({**render.draw_json(result.payload), "practice": True})
    else:
        render.draw_summary(out_console, result, ledger, practice=True)


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
    ledger: LedgerOption = LEDGER_DEFAULT,
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
    from jcdraw.draw.run import output_for
    from jcdraw.draw.workbook import write_assignment
    from jcdraw.errors import InputProblems, LedgerError
    from jcdraw.io.atomic import check_output, numbered_if_taken
    from jcdraw.ledger import Ledger
    from jcdraw.records import as_draw_record

    with Ledger.open(ledger, create=False, readonly=True) as book:
        record = book.get_draw(draw_id)
        if record is None:
            raise LedgerError(messages.LEDGER_UNKNOWN_DRAW.format(draw_id=draw_id))
        anchor = book.draw_anchor(draw_id)
        replaced_by = book.superseded_by(draw_id)
    payload = as_draw_record(record.payload)
    if public:
        if replaced_by is not None:
            raise InputProblems(messages.PUBLIC_LIST_SUPERSEDED.format(draw_id=draw_id, by=replaced_by))
        target = out or numbered_if_taken(public_list.default_output(draw_id))
        check_output(target, force=force, inputs=[ledger])
        public_list.write_public_list(target, payload, anchor.text(), force=force)
        done = messages.PUBLIC_LIST_DONE.format(draw_id=draw_id, count=len(payload["selected"]), out=target)
        render.console().print(done, markup=False)
        return
    target = out or numbered_if_taken(output_for(payload))
    check_output(target, force=force, inputs=[ledger])
    write_assignment(target, payload, anchor=anchor, force=force)
    render.console().print(messages.EXPORT_DONE.format(draw_id=draw_id, out=target))


def _export_platform(target: Path, year: int | None, ledger: Path, *, force: bool) -> None:
    from jcdraw.io.atomic import check_output
    from jcdraw.ledger import Ledger
    from jcdraw.publicity.platform import export_platform

    check_output(target, force=force, suffix=".xlsx", inputs=[ledger])
    with Ledger.open(ledger, create=False, readonly=True) as book:
        exported = export_platform(book, target, year=year, force=force)
    nothing = messages.PLATFORM_NO_PUBLISHED.format(year=exported.year, path=target)
    render.platform_notes(render.console(), exported, nothing)


def verify_command(
    assignment: Annotated[Path, typer.Argument(metavar="抽取结果表", help="jcdraw draw 生成的抽取结果表。")],
    registry: RegistryOption = REGISTRY_DEFAULT,
    plan: Annotated[
        Path | None, typer.Option("--plan", help="抽取时使用的计划 YAML 文件（默认按计划编号查找）。")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """不依赖台账，按抽取记录和名录库重新计算抽取结果并逐项核对。"""
    from jcdraw.draw.verify import verify

    result = verify(assignment, registry, plan)
    if json_output:
        render.print_json(render.verification_json(result))
    else:
        render.verification(render.console(), result)
    raise typer.Exit(0 if result.ok else 1)


def register(app: typer.Typer) -> None:
    """Add the commands to the root app."""
    app.command("draw")(draw_command)
    app.command("export")(export_command)
    app.command("verify")(verify_command)
