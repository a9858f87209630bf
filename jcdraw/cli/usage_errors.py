"""Chinese usage errors, translated from click's exception classes and attributes, not from its text.

``NoSuchOption.possibilities`` gives 您是否想用 …; ``MissingParameter.param`` names what is missing (with
the choices); a bad value is explained from the pydantic error behind typer's ``BadParameter`` (its
``type``, ``ctx`` limits and ``input``), and a value that came from an environment variable is named as
such. English is parsed in only four places where typer carries nothing else: path checks, "requires
an argument", extra arguments and "Missing command". Anything not recognised becomes the generic
``USAGE_GENERIC``, never raw English; a message that is already Chinese (our own) passes through.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePath
from typing import Any

from typer import _click as click  # typer vendors click (typer/_click); pinned in pyproject.toml
from typer._click import exceptions as click_exceptions
from typer._click.core import ParameterSource

from jcdraw import messages
from jcdraw.cli.console import path_problem, visible
from jcdraw.cli.help_page import (
    choices_of,
    envvar_of,
    is_cjk,
    is_option,
    option_name,
    path_kind,
    type_label,
)

# typer's own path check (typer/_click/types.py), the only source of these facts: the path is repr()'d.
_PATH_MESSAGE = re.compile(
    r"^(?:file|dir|directory|path) (?P<path>'.*'|\".*\") "
    r"(?P<what>does not exist|is a file|is a directory|is not readable|is not writable)\.$",
    re.S,
)
_PATH_LABELS = {messages.HELP_TYPE_PATH, messages.HELP_TYPE_FILE, messages.HELP_TYPE_DIR}
_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", re.S)


class ChineseUsageError(click_exceptions.UsageError):
    """A usage error whose message is already Chinese (shown as is, exit 2)."""


def who(param: click.Parameter | None) -> str:
    """选项 --task / 参数 名录库文件: how a message names the parameter."""
    if param is None:
        return messages.USAGE_WHO_UNKNOWN
    name = visible(option_name(param), keep_newlines=False)
    template = messages.USAGE_WHO_OPTION if is_option(param) else messages.USAGE_WHO_ARGUMENT
    return template.format(name=name)


def refuse_control_paths(ctx: click.Context) -> None:
    """Refuse (usage error, exit 2) any ``Path`` value with control or invisible characters.

    An ``--out`` name with a newline would otherwise split the success line and show a made-up one.
    """
    for param in ctx.command.get_params(ctx):
        value = ctx.params.get(param.name) if param.name else None
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, PurePath):
                refuse_control_path(item, param, ctx)


def refuse_control_path(value: str | PurePath, param: click.Parameter, ctx: click.Context) -> None:
    """The same refusal for one value (also for ``--plan``, a ``str`` that may name a file)."""
    problem = path_problem(value)
    if problem is not None:
        raise ChineseUsageError(messages.USAGE_PATH_REFUSED.format(who=who(param), problem=problem), ctx)


def _shown(value: object) -> str:
    return visible(str(value), keep_newlines=False)


def _source_note(param: click.Parameter | None, ctx: click.Context | None) -> str:
    """Say so when the bad value came from an environment variable, not from the command line."""
    if param is None or ctx is None or not param.name or not is_option(param):
        return ""
    if ctx.get_parameter_source(param.name) is not ParameterSource.ENVIRONMENT:
        return ""
    env = envvar_of(param, ctx)
    return messages.USAGE_FROM_ENVVAR.format(env=env) if env else ""


def _path_reason(message: str, param: click.Parameter | None) -> str | None:
    match = _PATH_MESSAGE.match(message)
    if match is None:
        return None
    try:
        path = str(ast.literal_eval(match["path"]))
    except (ValueError, SyntaxError):
        path = match["path"][1:-1]
    shown = _shown(path)
    kind = path_kind(param) if param is not None else messages.HELP_TYPE_PATH
    return {
        "does not exist": messages.USAGE_REASON_PATH_MISSING.format(kind=kind, path=shown),
        "is a directory": messages.USAGE_REASON_PATH_IS_DIR.format(path=shown),
        "is a file": messages.USAGE_REASON_PATH_IS_FILE.format(path=shown),
        "is not readable": messages.USAGE_REASON_PATH_UNREADABLE.format(path=shown),
        "is not writable": messages.USAGE_REASON_PATH_UNWRITABLE.format(path=shown),
    }[match["what"]]


def _pydantic_reason(error: dict[str, Any], param: click.Parameter | None) -> str:
    kind = str(error.get("type", ""))
    limits = error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return messages.USAGE_REASON_INT
    if kind in ("float_parsing", "float_type", "finite_number"):
        return messages.USAGE_REASON_FLOAT
    if kind in ("bool_parsing", "bool_type"):
        return messages.USAGE_REASON_BOOL
    if kind.startswith(("datetime_", "date_")):
        return messages.USAGE_REASON_DATETIME
    for key, template in (
        ("ge", messages.USAGE_REASON_MIN),
        ("gt", messages.USAGE_REASON_ABOVE),
        ("le", messages.USAGE_REASON_MAX),
        ("lt", messages.USAGE_REASON_BELOW),
    ):
        if key in limits:
            return template.format(limit=limits[key])
    choices = choices_of(param) if param is not None else None
    if choices:
        return messages.USAGE_REASON_CHOICE.format(choices=messages.HELP_LIST_SEPARATOR.join(choices))
    label = type_label(param) if param is not None else messages.HELP_TYPE_VALUE
    return messages.USAGE_REASON_EXPECTED.format(label=label)


def _bad_value(exc: click_exceptions.BadParameter) -> str:
    param = exc.param
    return _bad_value_text(exc, param) + _source_note(param, exc.ctx)


def _bad_value_text(exc: click_exceptions.BadParameter, param: click.Parameter | None) -> str:
    message = exc.message
    if any(map(is_cjk, message)):  # raised by our own code (a callback) in Chinese
        return messages.USAGE_INVALID.format(who=who(param), reason=visible(message))
    errors_of = getattr(exc.__cause__, "errors", None)  # the pydantic ValidationError typer converted
    errors = errors_of() if callable(errors_of) else None
    if errors:
        typed = errors[0].get("input")
        if isinstance(typed, str) and param is not None and type_label(param) in _PATH_LABELS:
            problem = path_problem(typed)  # e.g. a NUL, which typer refuses before our check
            if problem is not None:
                return messages.USAGE_PATH_REFUSED.format(who=who(param), problem=problem)
        reason = _pydantic_reason(errors[0], param)
        if "input" in errors[0]:
            value = _shown(errors[0]["input"])
            return messages.USAGE_INVALID_VALUE.format(who=who(param), value=value, reason=reason)
        return messages.USAGE_INVALID.format(who=who(param), reason=reason)
    path_reason = _path_reason(message, param)
    if path_reason is not None:
        return messages.USAGE_INVALID.format(who=who(param), reason=path_reason)
    label = type_label(param) if param is not None else messages.HELP_TYPE_VALUE
    reason = messages.USAGE_REASON_EXPECTED.format(label=label)
    return messages.USAGE_INVALID.format(who=who(param), reason=reason)


def _missing(exc: click_exceptions.MissingParameter) -> str:
    param = exc.param
    if param is None:
        return messages.USAGE_GENERIC
    name = visible(option_name(param), keep_newlines=False)
    template = messages.USAGE_MISSING_OPTION if is_option(param) else messages.USAGE_MISSING_ARGUMENT
    text = template.format(name=name)
    choices = choices_of(param)
    if choices:
        text += messages.USAGE_CHOICES.format(choices=messages.HELP_LIST_SEPARATOR.join(choices))
    return text


def _option_usage(exc: click_exceptions.BadOptionUsage) -> str:
    option = visible(exc.option_name, keep_newlines=False)
    count = re.search(r"requires (\d+) arguments", exc.message)
    if count:
        return messages.USAGE_OPTION_NEEDS_VALUES.format(option=option, count=count[1])
    if "requires an argument" in exc.message:
        return messages.USAGE_OPTION_NEEDS_VALUE.format(option=option)
    if "does not take a value" in exc.message:
        return messages.USAGE_OPTION_TAKES_NO_VALUE.format(option=option)
    return messages.USAGE_OPTION_MISUSED.format(option=option)


def _translate(exc: click_exceptions.UsageError) -> str:
    if isinstance(exc, ChineseUsageError):
        return exc.message
    if isinstance(exc, click_exceptions.NoSuchOption):
        text = messages.USAGE_NO_SUCH_OPTION.format(option=_shown(exc.option_name))
        if exc.possibilities:
            candidates = messages.HELP_LIST_SEPARATOR.join(sorted(exc.possibilities))
            text += messages.USAGE_DID_YOU_MEAN.format(candidates=_shown(candidates))
        return text
    if isinstance(exc, click_exceptions.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click_exceptions.BadParameter):
        return _bad_value(exc)
    if isinstance(exc, click_exceptions.BadOptionUsage):
        return _option_usage(exc)
    if isinstance(exc, click_exceptions.BadArgumentUsage):
        return messages.USAGE_ARGUMENT_MISUSED
    message = exc.message
    if any(map(is_cjk, message)):
        return visible(message)
    extra = _EXTRA_ARGUMENTS.match(message)
    if extra:
        return messages.USAGE_EXTRA_ARGUMENTS.format(args=_shown(extra[1]))
    if message.startswith("Missing command"):
        command = exc.ctx.command_path if exc.ctx is not None else ""
        return messages.USAGE_MISSING_COMMAND.format(command=command)
    return messages.USAGE_GENERIC


def usage_error_in_chinese(exc: click_exceptions.UsageError) -> str:
    """The one-line Chinese reason for a click/typer usage error; never raw English."""
    try:
        return _translate(exc)
    except Exception:  # a translation bug must not hide the user's mistake behind a traceback
        return messages.USAGE_GENERIC


def format_usage_error(exc: click_exceptions.UsageError, prog: str) -> str:
    """The full message: the reason, then "run … --help" for the command that was being parsed."""
    ctx = exc.ctx
    command = ctx.command_path if ctx is not None else prog
    help_name = ctx.help_option_names[0] if ctx is not None and ctx.help_option_names else "--help"
    return messages.USAGE_ERROR.format(detail=usage_error_in_chinese(exc), command=command, help=help_name)
