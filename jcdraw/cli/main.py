"""The console-script entry point: run the app, turn every failure into Chinese and an exit code.

Exit codes: 0 success; 1 the input was read but has problems; 2 unusable invocation or unreadable
input. ``main`` turns every ``JcdrawError`` into its Chinese message, click usage errors into a Chinese
hint, and anything unexpected into a short note (the traceback only with ``--debug``).
"""

from __future__ import annotations

import re
import sys
import traceback

import typer
from typer._click import exceptions as click_exceptions  # typer vendors click

from jcdraw import messages
from jcdraw.cli import draw, registry, render, results
from jcdraw.cli.root import app, state, template_app
from jcdraw.errors import JcdrawError

registry.register(app, template_app)
draw.register(app)
results.register(app)


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
    state["debug"] = "--debug" in args
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
        if state["debug"]:
            traceback.print_exc()
        err.print(messages.UNEXPECTED_ERROR.format(detail=f"{type(exc).__name__}: {exc}"), markup=False)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
