"""Options and option parsing shared by every command module (declared once, used everywhere)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from jcdraw import messages
from jcdraw.cli.usage_errors import refuse_control_path
from jcdraw.errors import BadInvocation
from jcdraw.io.atomic import same_file
from jcdraw.io.text import parse_date_one


def plan_selector(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """``--plan`` is text (``joint`` or a file path): refuse control characters as for any path."""
    if value is not None:
        refuse_control_path(value, param, ctx)
    return value


PlanOption = Annotated[
    str | None,
    typer.Option(
        "--plan",
        metavar="<计划>",
        callback=plan_selector,
        help="计划：joint（部门联合）、internal（内部）或 YAML 文件路径；默认本年度全部计划。",
    ),
]
YearOption = Annotated[int | None, typer.Option("--year", help="计划年度，默认最新年度。")]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出（供脚本使用）。")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", metavar="<日期>", help="按此日期判断（默认今天），格式 2024-05-20。")
]
ForceOption = Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件。")]
RegistryOption = Annotated[
    Path,
    typer.Option(
        "--registry", envvar="JCDRAW_REGISTRY", help="名录库 Excel 文件，默认当前文件夹的 registry.xlsx。"
    ),
]
LedgerOption = Annotated[
    Path, typer.Option("--ledger", envvar="JCDRAW_LEDGER", help="台账文件，默认当前文件夹的 jcdraw.sqlite3。")
]
CalendarOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--calendar", help="补充节假日安排的日历文件（YAML），用于内置节假日数据尚未覆盖的年份；可重复。"
    ),
]
LEDGER_DEFAULT = Path("jcdraw.sqlite3")
REGISTRY_DEFAULT = Path("registry.xlsx")


def as_of_date(value: str | None, option: str = "--as-of") -> date:
    if value is None:
        return date.today()
    try:
        parsed = parse_date_one(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadInvocation(messages.BAD_DATE_OPTION.format(option=option, value=value))
    return parsed


def refuse_same_file(option: str, path: Path, others: list[Path | None]) -> None:
    """An output named by ``option`` must not be another input or output of the same command
    (``jcdraw.io.atomic.same_file``: case, links and hard links included)."""
    if any(other is not None and same_file(path, other) for other in others):
        raise BadInvocation(messages.OPTION_SAME_FILE.format(option=option, path=path))
