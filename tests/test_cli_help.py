"""Chinese help pages and Chinese usage errors for every command (``jcdraw.cli.help_page``,
``jcdraw.cli.usage_errors``, ``jcdraw.cli.chinese_typer``).

These tests are the tripwire for a typer upgrade: the code relies on typer 0.29 internals, and any
English that a new typer adds to a help page or an error fails ``test_help_is_chinese`` or
``test_usage_errors_are_chinese`` and names the leaked words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from jcdraw import messages
from jcdraw.cli import app
from jcdraw.cli.chinese_typer import ChineseTyper, untranslated_commands
from jcdraw.cli.help_page import cell_width, type_label
from jcdraw.cli.usage_errors import format_usage_error, usage_error_in_chinese
from jcdraw.plans.load import PLAN_ALIASES

ROOT_COMMAND = typer.main.get_command(app)

# English a help page may contain besides the names the user types (commands, options, environment
# variables, metavars) and file names: these format names, and values typed after an option (the plan
# names of --plan, the word "random" of --seed, a draw id of --draw, matched by DRAW_ID). Nothing else.
FORMAT_NAMES = {"JSON", "YAML", "Excel", "HTML", "SHA-256", "Word"}
TYPED_VALUES = {"joint", "internal", "random"}
DRAW_ID = re.compile(r"\b\d{4}-[a-z]+-T\d+-R\d+-\d+\b")
# Unicode \w: "visits-年度.xlsx" is a file name; a bare ".xlsx" is a file type.
FILE_NAME = re.compile(r"[\w\-]*\.(?:xlsx|docx|html|yaml|yml|sqlite3|json)\b")
ENGLISH = re.compile(r"[-\w.]*[A-Za-z]{2,}[-\w.]*", re.ASCII)


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            yield from command_paths(sub, (*path, name))


def typed_names(root: Any) -> set[str]:
    """Names the user types: commands, options, environment variables, metavars, argument names."""
    names = {"jcdraw", "--help"}  # the help option is added per context, not listed in params
    stack = [root]
    while stack:
        command = stack.pop()
        names.add(command.name or "")
        for param in command.params:
            names.update([*param.opts, *param.secondary_opts])
            if param.metavar:
                names.add(param.metavar.strip("<>"))
            if param.param_type_name == "argument" and param.name:
                names.add(param.name)
            envvar = param.envvar
            names.update([envvar] if isinstance(envvar, str) else list(envvar or []))
        if isinstance(command, TyperGroup):
            stack.extend(command.commands.values())
    return names


ALLOWED = typed_names(ROOT_COMMAND) | FORMAT_NAMES | TYPED_VALUES


def english_leaks(text: str, allowed: set[str] = ALLOWED) -> set[str]:
    """ASCII words in ``text`` that are not allowed above."""
    text = FILE_NAME.sub(" ", DRAW_ID.sub(" ", text))
    return {w for w in (t.strip(".") for t in ENGLISH.findall(text)) if w and w not in allowed}


HELP_PAGES = [[*path, "--help"] for path in command_paths(ROOT_COMMAND)]


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("JCDRAW_REGISTRY", "JCDRAW_LEDGER"):
        monkeypatch.delenv(name, raising=False)


# --- help pages --------------------------------------------------------------------------------


def test_the_checker_sees_english() -> None:
    """Guard against a vacuous checker: typer's own help page is full of English."""
    plain = typer.Typer(add_completion=False, rich_markup_mode=None)

    @plain.command()
    def go(task: Annotated[int, typer.Option("--task", min=1, envvar="T")] = 1) -> None:
        """说明。"""

    @plain.command()
    def other() -> None:
        """其他。"""

    group = typer.main.get_command(plain)
    sub = group.commands["go"]  # type: ignore[attr-defined]
    page = sub.get_help(sub.make_context("go", [], parent=group.make_context("demo", ["go"])))
    leaks = english_leaks(page, {"--task", "--help", "go", "demo", "T"})
    assert {"Usage", "OPTIONS", "Options", "Show", "default", "env", "var", "int", "range"} <= leaks


def test_the_allowed_typed_values_are_really_typed() -> None:
    assert {"joint", "internal"} <= set(PLAN_ALIASES)
    draw = ROOT_COMMAND.commands["draw"]  # type: ignore[attr-defined]
    assert "random" in next(p.help for p in draw.params if p.name == "seed")


def test_every_command_uses_the_chinese_classes() -> None:
    assert untranslated_commands(ROOT_COMMAND) == []


def test_help_pages_cover_the_whole_tree() -> None:
    assert sorted(" ".join(p) for p in HELP_PAGES) == [
        "--help", "audit --help", "correct --help", "draw --help", "export --help", "followup --help",
        "init --help", "notices --help", "plans --help", "publish --help", "report --help",
        "status --help", "template --help",
        "template notice --help", "template record --help", "template registry --help",
        "validate --help", "verify --help", "visits --help",
    ]  # fmt: skip


@pytest.mark.parametrize("args", HELP_PAGES, ids=" ".join)
def test_help_is_chinese(args: list[str], run_cli: Any) -> None:
    result = run_cli(args)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"用法：jcdraw {' '.join(args[:-1])}".rstrip() + " ")
    assert "选项：" in result.out and messages.HELP_OPTION_HELP in result.out
    assert english_leaks(result.out) == set(), result.out
    assert max(cell_width(line) for line in result.out.splitlines()) <= 78


@pytest.mark.parametrize("args", [[], ["template"]], ids=["app", "template"])
def test_no_command_shows_the_chinese_help_and_exits_2(args: list[str], run_cli: Any) -> None:
    result = run_cli(args)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"用法：jcdraw {' '.join(args)}".rstrip() + " [选项] 命令 [参数]...\n")
    assert "命令：" in result.err and english_leaks(result.err) == set()


def test_app_help_lists_the_commands(run_cli: Any) -> None:
    out = run_cli(["--help"]).out
    assert out.startswith("用法：jcdraw [选项] 命令 [参数]...\n\n  双随机、一公开 抽查工具")
    assert "选项：\n  --debug  出错时显示技术细节。\n  --help   显示本帮助并退出。\n" in out
    flat = re.sub(r"\s+", "", out)  # Chinese wraps by display width, anywhere
    assert "visits把同一对象在本年度被多个任务抽中的检查合并为一次（进一次门，查多事项）" in flat


def test_markers_and_value_labels_are_chinese(run_cli: Any) -> None:
    flat = re.sub(r"\s+", "", run_cli(["draw", "--help"]).out)
    for expected in (
        "--plan<计划>计划：joint、internal或YAML文件。[必填]",
        "--task<整数>任务序号（见jcdrawplans）。[必填]",
        "--registry<路径>名录库Excel文件，默认当前文件夹的registry.xlsx。[环境变量：JCDRAW_REGISTRY；默认：registry.xlsx]",
        "--round<整数>本年度第几轮（高风险对象每年可抽多轮）。[默认：1；不小于1]",
        "--as-of<日期>",
        "--prepare抽取前登记",
        "--help显示本帮助并退出。",
    ):
        assert expected in flat, expected
    validate = run_cli(["validate", "--help"]).out
    assert validate.startswith("用法：jcdraw validate [选项] 名录库文件\n")
    assert "参数：\n  名录库文件  名录库 Excel 文件（.xlsx）。  [必填]\n" in validate


def test_type_labels_still_come_from_typer_metadata() -> None:
    """If typer stops recording a parameter's type, the labels degrade to 值: fail loudly instead."""
    draw = ROOT_COMMAND.commands["draw"]  # type: ignore[attr-defined]
    labels = {p.name: type_label(p) for p in draw.params}
    assert labels == {
        "plan": "文字", "task": "整数", "seed": "文字", "registry": "路径", "round_no": "整数",
        "out": "路径", "ledger": "路径", "as_of": "文字", "year": "整数", "prepare": "是/否",
        "redraw": "是/否", "reason": "文字", "json_output": "是/否", "force": "是/否", "practice": "是/否",
        "record_empty": "是/否", "place": "文字", "draw_time": "文字", "witness": "文字",
        "new_ledger": "是/否",
    }  # fmt: skip


# --- usage errors --------------------------------------------------------------------------------


def usage(detail: str, command: str = "jcdraw draw") -> str:
    return f"命令用法有误：{detail}\n运行“{command} --help”查看用法。\n"


DRAW = ["draw", "--plan", "joint", "--task"]
USAGE_CASES: list[tuple[str, list[str], str]] = [
    (
        "unknown option",
        ["draw", "--tsk", "1"],
        usage("没有选项 --tsk，请检查拼写。您是否想用 --out、--task？"),
    ),
    ("unknown option, no suggestion", ["-x"], usage("没有选项 -x，请检查拼写。", "jcdraw")),
    ("missing argument", ["validate"], usage("缺少必填参数 名录库文件。", "jcdraw validate")),
    (
        "missing argument, group",
        ["template", "registry"],
        usage("缺少必填参数 模板文件。", "jcdraw template registry"),
    ),
    ("missing option", ["correct"], usage("缺少必填选项 --draw。", "jcdraw correct")),
    ("bad int", [*DRAW, "x"], usage("选项 --task 的值“x”无效：应为整数。")),
    ("min violated", [*DRAW, "1", "--round", "0"], usage("选项 --round 的值“0”无效：不能小于 1。")),
    (
        "extra argument",
        ["validate", "a.xlsx", "b", "c d"],
        usage("多余的参数：b c d。含空格的值请用引号括起来。", "jcdraw validate"),
    ),
    ("unknown command", ["drw"], usage("没有命令“drw”。您是否想用 draw？", "jcdraw")),
    ("unknown command, no suggestion", ["frobnicate"], usage("没有命令“frobnicate”。", "jcdraw")),
    (
        "unknown subcommand",
        ["template", "registr"],
        usage("没有命令“registr”。您是否想用 registry？", "jcdraw template"),
    ),
    ("option requires a value", ["draw", "--plan"], usage("选项 --plan 后面需要填写一个值。")),
    ("flag takes no value", [*DRAW, "1", "--json=1"], usage("选项 --json 不需要填写值。")),
    ("missing command", ["--debug"], usage("缺少命令。请在 jcdraw 后面写上要运行的命令。", "jcdraw")),
    (
        "escape in an option name",
        ["draw", "--nope\x1b[2J"],
        usage("没有选项 --nope<U+001B>[2J，请检查拼写。"),
    ),
    (
        "control character in a path argument",
        ["validate", "a\x1b[2Jb.xlsx"],
        usage(
            "参数 名录库文件：文件路径“a<U+001B>[2Jb.xlsx”含有控制字符或不可见字符，无法使用。"
            "请检查文件名后重新输入。",
            "jcdraw validate",
        ),
    ),
    (
        "control character in --plan",
        ["plans", "--plan", "x\u202elmay.yaml"],
        usage(
            "选项 --plan：文件路径“x<U+202E>lmay.yaml”含有控制字符或不可见字符，无法使用。"
            "请检查文件名后重新输入。",
            "jcdraw plans",
        ),
    ),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in USAGE_CASES], ids=[c[0] for c in USAGE_CASES])
def test_usage_errors_are_chinese(args: list[str], expected: str, run_cli: Any, tmp_path: Path) -> None:
    result = run_cli(args, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", expected)
    typed = set(ENGLISH.findall(" ".join(args)))  # echoed back to the user on purpose
    assert english_leaks(result.err, ALLOWED | typed) == set()


def test_an_unknown_usage_error_is_never_raw_english() -> None:
    exc = click_exceptions.UsageError("Something typer 1.0 says in a new way.")
    assert usage_error_in_chinese(exc) == messages.USAGE_GENERIC
    assert format_usage_error(exc, "jcdraw") == usage(messages.USAGE_GENERIC, "jcdraw").rstrip("\n")


# A small app for what jcdraw's own commands do not use today: a choice, typer's path check, a value
# from an environment variable, and Chinese messages raised by our own callbacks.


class Mode(StrEnum):
    quick = "quick"
    full = "full"


def _check_day(value: str | None) -> str | None:
    if value is not None:
        raise typer.BadParameter("日期格式不对，请写成 2024-05-20。")
    return value


small = ChineseTyper(add_completion=False)


@small.command("go")
def _go(
    mode: Annotated[Mode, typer.Option("--mode")] = Mode.quick,
    source: Annotated[Path | None, typer.Option("--source", exists=True, dir_okay=False)] = None,
    flag: Annotated[bool, typer.Option("--flag", envvar="JCDRAW_TEST_FLAG")] = False,
    ratio: Annotated[float, typer.Option("--ratio")] = 0.5,
    day: Annotated[str | None, typer.Option("--day", callback=_check_day)] = None,
) -> None:
    """说明。"""


@small.command("need")
def _need(mode: Annotated[Mode, typer.Option("--mode")]) -> None:
    """说明。"""


SMALL_CASES: list[tuple[str, list[str], str]] = [
    (
        "bad choice",
        ["go", "--mode", "slow"],
        "选项 --mode 的值“slow”无效：不在可选范围内。可选值：quick、full。",
    ),
    ("missing choice", ["need"], "缺少必填选项 --mode。可选值：quick、full。"),
    ("bad path", ["go", "--source", "missing.xlsx"], "选项 --source 的值无效：找不到文件“missing.xlsx”。"),
    ("path is a folder", ["go", "--source", "."], "选项 --source 的值无效：“.”是文件夹，这里需要文件。"),
    ("bad float", ["go", "--ratio", "abc"], "选项 --ratio 的值“abc”无效：应为数字，如 0.5。"),
    ("our own Chinese", ["go", "--day", "x"], "选项 --day 的值无效：日期格式不对，请写成 2024-05-20。"),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in SMALL_CASES], ids=[c[0] for c in SMALL_CASES])
def test_usage_errors_typer_raises_for_other_parameter_kinds(
    args: list[str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(click_exceptions.UsageError) as caught:
        small(args=args, prog_name="demo", standalone_mode=False)
    assert usage_error_in_chinese(caught.value) == expected


def test_a_bad_value_from_an_environment_variable_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JCDRAW_TEST_FLAG", "maybe")
    with pytest.raises(click_exceptions.UsageError) as caught:
        small(args=["go"], prog_name="demo", standalone_mode=False)
    assert format_usage_error(caught.value, "demo") == (
        "命令用法有误：选项 --flag 的值“maybe”无效：应为 1 或 0（也可写 true 或 false）。"
        "这个值来自环境变量 JCDRAW_TEST_FLAG，请检查该环境变量的设置。\n运行“demo go --help”查看用法。"
    )
