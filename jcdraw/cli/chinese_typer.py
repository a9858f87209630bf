"""A ``typer.Typer`` whose every command speaks Chinese: help page, usage line, help option, errors.

``ChineseTyper`` makes ``ChineseGroup`` the default class of the app and its sub-Typers and
``ChineseCommand`` the default of every ``app.command(...)``, so the command modules' ``register(app)``
need no change. Both classes render help with ``jcdraw.cli.help_page``, print it through the
encoding-safe writer (click's ``echo`` would write UTF-8 bytes into a GBK log), refuse paths with
control characters before the command runs, and make the "no such command" error Chinese.
``untranslated_commands`` lists any command that escaped the classes (its help would be English).

Relies on typer 0.29 internals (``typer._click``, ``TyperCommand``/``TyperGroup``, the parameters'
``type_descriptor``); ``pyproject.toml`` pins the minor version and ``tests/test_cli_help.py`` fails,
naming the English words, when an upgrade leaks any.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from typing import Any

import typer
from typer import _click as click  # typer vendors click (typer/_click); pinned in pyproject.toml
from typer._click import exceptions as click_exceptions
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from jcdraw import messages
from jcdraw.cli.console import visible, write_text
from jcdraw.cli.help_page import render_help, usage_line
from jcdraw.cli.usage_errors import ChineseUsageError, refuse_control_paths


def _show_help(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value and not ctx.resilient_parsing:
        write_text(sys.stdout, ctx.get_help() + "\n")
        ctx.exit()


def _chinese_help_option(option: Any) -> Any:
    if option is not None:
        option.help = messages.HELP_OPTION_HELP
        option.callback = _show_help
    return option


def _attach_context(ctx: click.Context, call: Callable[[], list[str]]) -> list[str]:
    """Give a parser error the context it lacks, so the hint names the right command's ``--help``."""
    try:
        return call()
    except click_exceptions.UsageError as exc:
        if exc.ctx is None:  # the parser raises "requires an argument" without a context
            exc.ctx = ctx
            exc.cmd = ctx.command
        raise


class _Chinese(click.Command):
    """What both command kinds share: Chinese help page, usage line, help option; control paths refused.

    Placed before the Typer class in the bases, so ``super()`` reaches Typer's own behaviour.
    """

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write(render_help(self, ctx, formatter.width))

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write(usage_line(self, ctx) + "\n")

    def get_help_option(self, ctx: click.Context) -> Any:
        return _chinese_help_option(super().get_help_option(ctx))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _attach_context(ctx, lambda: super(_Chinese, self).parse_args(ctx, args))

    def invoke(self, ctx: click.Context) -> Any:
        refuse_control_paths(ctx)
        return super().invoke(ctx)


class ChineseCommand(_Chinese, TyperCommand):
    """A Typer command whose help page, usage line and help option are Chinese."""


class ChineseGroup(_Chinese, TyperGroup):
    """A Typer group (the app, ``template``) whose help, usage and "no such command" are Chinese."""

    def _known(self, ctx: click.Context, name: str) -> bool:
        if self.get_command(ctx, name) is not None:
            return True
        normalize = ctx.token_normalize_func
        return normalize is not None and self.get_command(ctx, normalize(name)) is not None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click_exceptions.NoSuchOption:
            raise
        except click_exceptions.UsageError as exc:
            if not args or self._known(ctx, args[0]):
                raise
            typed = args[0]
            text = messages.USAGE_NO_SUCH_COMMAND.format(name=visible(typed, keep_newlines=False))
            shown = [n for n in self.list_commands(ctx) if not getattr(self.commands[n], "hidden", False)]
            matches = difflib.get_close_matches(typed, shown)
            if matches:
                candidates = messages.HELP_LIST_SEPARATOR.join(matches)
                text += messages.USAGE_DID_YOU_MEAN.format(candidates=candidates)
            raise ChineseUsageError(text, ctx) from exc


class ChineseTyper(typer.Typer):
    """``typer.Typer`` whose groups default to ``ChineseGroup`` and commands to ``ChineseCommand``."""

    def __init__(self, *, cls: type[TyperGroup] | None = None, **kwargs: Any) -> None:
        super().__init__(cls=cls or ChineseGroup, **kwargs)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or ChineseCommand, **kwargs)


def untranslated_commands(command: click.Command, path: str = "") -> list[str]:
    """Commands in the tree that are not ``ChineseCommand``/``ChineseGroup`` (their help is English)."""
    where = f"{path} {command.name or ''}".strip()
    bad = [] if isinstance(command, ChineseCommand | ChineseGroup) else [where]
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            bad += untranslated_commands(sub, where)
    return bad
