"""Chinese help pages, rendered from each parameter's data rather than from typer's English text.

A page is built here from what typer records on the click objects: option names, help, ``required``,
the default, the environment variable, ``min``/``max`` and the type (typer's ``type_descriptor``). So no
English marker typer adds (``Usage:``, ``Options``, ``[required]``, ``[default: …]``, ``[env var: …]``,
``<int range>``, ``x>=1``, ``Show this message and exit.``) can reach the page, whatever wording a later
typer uses; a typer that stops recording a datum degrades that label to Chinese ``值``, and
``tests/test_cli_help.py`` fails loudly. Rejected: regexes over typer's help (fail silently when typer
rewords) and gettext (the click that typer vendors has none).

Chinese is wrapped by display width (a CJK character takes two columns; click counts one and cannot
break a line inside Chinese at all), and closing punctuation never starts a line.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import PurePath
from typing import Any, get_args, get_origin

from typer import _click as click  # typer vendors click (typer/_click); pinned in pyproject.toml
from typer.core import TyperGroup

from jcdraw import messages

_CLICK_OPTIONS_METAVAR = "[OPTIONS]"  # typer's default, shown as messages.HELP_OPTIONS_METAVAR
_CLICK_SUBCOMMAND_METAVAR = "COMMAND [ARGS]..."
_INDENT = 2
_FIRST_COLUMN_MAX = 30
_NO_LINE_START = frozenset("，。、；：！？）》」』”’%％…]")
_OPENERS = frozenset("[(（“‘《「『")
_WIDE = "\u2e80"  # from here on (CJK, fullwidth forms) each character is a break opportunity of its own


def is_cjk(ch: str) -> bool:
    """A Chinese character (CJK ideograph); a plain comparison, not a regex: a Unicode-range regex
    costs milliseconds to compile, and ``jcdraw --help`` should start fast."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _tokens(line: str) -> list[str]:
    """Break opportunities: each wide character alone, a run of other characters as one word, with
    the spaces after it; opening brackets stick to what follows them.

    Example:
        >>> _tokens("见 jcdraw plans（任务）。")
        ['见 ', 'jcdraw ', 'plans', '（任', '务', '）', '。']
    """
    tokens: list[str] = []
    i, n = 0, len(line)
    while i < n:
        j = i
        while j < n and line[j] in _OPENERS:
            j += 1
        if j < n and line[j] >= _WIDE:
            j += 1
        elif j < n and not line[j].isspace():
            while j < n and not line[j].isspace() and line[j] < _WIDE and line[j] not in _OPENERS:
                j += 1
        while j < n and line[j].isspace():
            j += 1
        tokens.append(line[i:j])
        i = j
    return tokens


# --- text layout -------------------------------------------------------------------------------


def cell_width(text: str) -> int:
    """Columns a terminal uses for ``text``.

    Example:
        >>> cell_width("校验 ok")
        7
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap by display width; closing punctuation never starts a line (the character before it
    moves down with it, so no line grows past ``width``).

    Example:
        >>> wrap("进一次门，查多事项", 8)
        ['进一次', '门，查多', '事项']
        >>> wrap("退出码为 1）。", 10)
        ['退出码为', '1）。']
    """
    lines: list[str] = []
    for para in text.split("\n"):
        line: list[str] = []
        used = 0
        for token in _tokens(para):
            if used + cell_width(token.rstrip()) > width and "".join(line).strip():
                carry = _carried(line) if token[0] in _NO_LINE_START else []
                lines.append("".join(line).rstrip())
                line = [*carry, token]
                line[0] = line[0].lstrip()
                used = cell_width("".join(line))
            else:
                line.append(token)
                used += cell_width(token)
        lines.append("".join(line).rstrip())
    return lines


def _carried(line: list[str]) -> list[str]:
    """The tokens that move down with a closing punctuation: earlier closing ones and one more."""
    cut = len(line)
    while cut > 1 and line[cut - 1][0] in _NO_LINE_START:
        cut -= 1
    if cut > 1:
        cut -= 1
    carried = line[cut:]
    del line[cut:]
    return carried


def _join_paragraph(lines: list[str]) -> str:
    """A docstring paragraph's lines as one line: no space between two Chinese characters."""
    out = ""
    for line in (x.strip() for x in lines):
        if out and not (is_cjk(out[-1]) and line and is_cjk(line[0])):
            out += " "
        out += line
    return out


def _paragraphs(text: str) -> list[str]:
    result: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            result.append(_join_paragraph(current))
            current = []
    if current:
        result.append(_join_paragraph(current))
    return result


def _definition_list(rows: Sequence[tuple[str, str, str]], width: int) -> list[str]:
    """Rows of (name, text, marks); the ``[…]`` marks go on a line of their own if they don't fit."""
    first = min(max(cell_width(name) for name, _, _ in rows), _FIRST_COLUMN_MAX) + 2
    text_width = max(width - _INDENT - first, 20)
    out: list[str] = []
    for name, text, marks in rows:
        body = wrap(text, text_width) if text else []
        if marks:
            if body and cell_width(body[-1]) + 2 + cell_width(marks) <= text_width:
                body[-1] += "  " + marks
            else:
                body += wrap(marks, text_width)
        if cell_width(name) <= first - 2:
            head = " " * _INDENT + name + " " * (first - cell_width(name))
            out.append((head + body[0]) if body else head.rstrip())
            body = body[1:]
        else:
            out.append(" " * _INDENT + name)
        out.extend(" " * (_INDENT + first) + line for line in body)
    return out


# --- describing parameters ---------------------------------------------------------------------


def _descriptor(param: click.Parameter) -> Any:
    return getattr(param, "type_descriptor", None)


def is_option(param: click.Parameter) -> bool:
    return param.param_type_name == "option"


def _is_flag(param: click.Parameter) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def choices_of(param: click.Parameter) -> list[str] | None:
    """The values an ``Enum``/``Literal`` parameter accepts, as typed."""
    raw = getattr(_descriptor(param), "choices", None)
    if not raw:
        return None
    return [str(c.value) if isinstance(c, Enum) else str(c) for c in raw]


def path_kind(param: click.Parameter) -> str:
    """文件, 文件夹 or 路径, from typer's ``file_okay``/``dir_okay``."""
    info = getattr(_descriptor(param), "parameter_info", None)
    file_okay = getattr(info, "file_okay", True)
    dir_okay = getattr(info, "dir_okay", True)
    if file_okay and not dir_okay:
        return messages.HELP_TYPE_FILE
    if dir_okay and not file_okay:
        return messages.HELP_TYPE_DIR
    return messages.HELP_TYPE_PATH


def type_label(param: click.Parameter) -> str:
    """The Chinese name of what the user types for this parameter (``整数``, ``文件`` …)."""
    choices = choices_of(param)
    if choices:
        return "|".join(choices)
    desc = _descriptor(param)
    annotation = getattr(desc, "annotation", None)
    if get_origin(annotation) in (list, tuple) and get_args(annotation):
        annotation = get_args(annotation)[0]
    if getattr(desc, "is_path", False) or (isinstance(annotation, type) and issubclass(annotation, PurePath)):
        return path_kind(param)
    if isinstance(annotation, type):
        for kind, label in (
            (bool, messages.HELP_TYPE_BOOL),
            (int, messages.HELP_TYPE_INT),
            (float, messages.HELP_TYPE_FLOAT),
            (str, messages.HELP_TYPE_TEXT),
            (datetime, messages.HELP_TYPE_DATETIME),
            (date, messages.HELP_TYPE_DATE),
        ):
            if issubclass(annotation, kind):
                return label
    return messages.HELP_TYPE_VALUE


def option_name(param: click.Parameter) -> str:
    """How errors name a parameter: the long option, or an argument's metavar or name."""
    if is_option(param) and param.opts:
        return max(param.opts, key=len)
    return param.metavar or param.name or ""


def envvar_of(param: click.Parameter, ctx: click.Context) -> str | None:
    """The environment variable(s) a parameter reads, as one text."""
    env = param.envvar
    autoenv = is_option(param) and getattr(param, "allow_from_autoenv", False)
    if env is None and autoenv and ctx.auto_envvar_prefix is not None and param.name:
        env = f"{ctx.auto_envvar_prefix}_{param.name.upper()}"
    if env is None:
        return None
    return env if isinstance(env, str) else ", ".join(env)


def _first_column(param: click.Parameter) -> str:
    if not is_option(param):
        name = param.metavar or param.name or ""
        return name if param.metavar else f"{name} <{type_label(param)}>"
    names = ", ".join(sorted(param.opts, key=len))
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    if _is_flag(param):
        return names
    return f"{names} {param.metavar or '<' + type_label(param) + '>'}"


def _default_mark(param: click.Parameter, ctx: click.Context) -> str | None:
    show = getattr(param, "show_default", False)
    if isinstance(show, str):
        return show
    if not (show or ctx.show_default):
        return None
    resilient, ctx.resilient_parsing = ctx.resilient_parsing, True
    try:
        value = param.get_default(ctx, call=False)
    finally:
        ctx.resilient_parsing = resilient
    if value is None:
        return None
    if _is_flag(param) and isinstance(value, bool):
        if param.secondary_opts:
            return (param.opts if value else param.secondary_opts)[0]
        return messages.HELP_DEFAULT_ON if value else None
    if callable(value):
        return messages.HELP_DEFAULT_DYNAMIC
    if isinstance(value, list | tuple):
        parts = [str(v.value) if isinstance(v, Enum) else str(v) for v in value]
        return messages.HELP_LIST_SEPARATOR.join(parts) or None
    if isinstance(value, Enum):
        return str(value.value)
    return str(value) if str(value) != "" else None


def _range_mark(param: click.Parameter) -> str | None:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if getattr(param, "count", False) and low == 0 and high is None:
        return None
    if low is not None and high is not None:
        return messages.HELP_MARK_RANGE.format(min=low, max=high)
    if low is not None:
        return messages.HELP_MARK_MIN.format(min=low)
    if high is not None:
        return messages.HELP_MARK_MAX.format(max=high)
    return None


def param_row(param: click.Parameter, ctx: click.Context) -> tuple[str, str, str] | None:
    """(first column, help text, Chinese ``[…]`` marks) for one parameter, or None if hidden."""
    if getattr(param, "hidden", False):
        return None
    marks: list[str] = []
    env = envvar_of(param, ctx) if getattr(param, "show_envvar", False) else None
    if env:
        marks.append(messages.HELP_MARK_ENVVAR.format(name=env))
    default = _default_mark(param, ctx)
    if default:
        marks.append(messages.HELP_MARK_DEFAULT.format(value=default))
    value_range = _range_mark(param)
    if value_range:
        marks.append(value_range)
    if param.required:
        marks.append(messages.HELP_MARK_REQUIRED)
    text = inspect.cleandoc(getattr(param, "help", None) or "")
    mark_text = messages.HELP_MARKS.format(marks=messages.HELP_MARK_SEPARATOR.join(marks)) if marks else ""
    return _first_column(param), text, mark_text


# --- the page ----------------------------------------------------------------------------------


def _command_text(command: click.Command) -> str:
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    return f"{text}{messages.HELP_DEPRECATED}" if command.deprecated else text


def _short_text(command: click.Command) -> str:
    if command.short_help:
        text = inspect.cleandoc(command.short_help)
    else:
        paragraphs = _paragraphs(inspect.cleandoc(command.help or "").partition("\f")[0])
        text = paragraphs[0] if paragraphs else ""
    return f"{text}{messages.HELP_DEPRECATED}" if command.deprecated else text


def usage_line(command: click.Command, ctx: click.Context) -> str:
    """``用法：jcdraw draw [选项]`` with the arguments' names."""
    pieces: list[str] = []
    if command.options_metavar:
        metavar = command.options_metavar
        pieces.append(messages.HELP_OPTIONS_METAVAR if metavar == _CLICK_OPTIONS_METAVAR else metavar)
    for param in command.get_params(ctx):
        if not is_option(param):
            name = param.metavar or param.name or ""
            name = name if param.required else f"[{name}]"
            pieces.append(name + ("..." if param.nargs != 1 else ""))
    if isinstance(command, TyperGroup):
        metavar = command.subcommand_metavar
        sub = metavar in (None, _CLICK_SUBCOMMAND_METAVAR)
        pieces.append(messages.HELP_SUBCOMMAND_METAVAR if sub else str(metavar))
    return f"{messages.HELP_USAGE_PREFIX}{ctx.command_path} {' '.join(pieces)}".rstrip()


def render_help(command: click.Command, ctx: click.Context, width: int = 78) -> str:
    """The whole help page, in Chinese, from the command's own data."""
    lines = [usage_line(command, ctx)]
    for para in _paragraphs(_command_text(command)):
        lines.append("")
        lines.extend(" " * _INDENT + line for line in wrap(para, width - _INDENT))
    arguments: list[tuple[str, str, str]] = []
    options: list[tuple[str, str, str]] = []
    for param in command.get_params(ctx):
        row = param_row(param, ctx)
        if row is not None:
            (options if is_option(param) else arguments).append(row)
    sections = ((messages.HELP_HEADING_ARGUMENTS, arguments), (messages.HELP_HEADING_OPTIONS, options))
    for heading, rows in sections:
        if rows:
            lines += ["", heading, *_definition_list(rows, width)]
    if isinstance(command, TyperGroup):
        commands = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                commands.append((name, _short_text(sub), ""))
        if commands:
            lines += ["", messages.HELP_HEADING_COMMANDS, *_definition_list(commands, width)]
    if command.epilog:
        for para in _paragraphs(inspect.cleandoc(command.epilog)):
            lines.append("")
            lines.extend(" " * _INDENT + line for line in wrap(para, width - _INDENT))
    return "\n".join(lines) + "\n"
