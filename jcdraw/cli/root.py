"""The root ``jcdraw`` Typer app and its ``template`` group; command modules register onto them.

Both are ``ChineseTyper``: every command added to them gets Chinese help and usage errors.
"""

from __future__ import annotations

from typing import Annotated

import typer

from jcdraw.cli.chinese_typer import ChineseTyper

app = ChineseTyper(
    name="jcdraw",
    help="双随机、一公开 抽查工具：校验名录库、抽取检查对象和执法人员、公示检查结果。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
template_app = ChineseTyper(help="生成空白模板。", no_args_is_help=True)
app.add_typer(template_app, name="template")

state = {"debug": False}


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="出错时显示技术细节。")] = False) -> None:
    state["debug"] = debug
