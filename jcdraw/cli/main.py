"""The console-script entry point: run the app, turn every failure into Chinese and an exit code.

Exit codes: 0 success; 1 the input was read but has problems; 2 unusable invocation or unreadable
input. ``main`` turns every ``JcdrawError`` into its Chinese message, click usage errors into a Chinese
reason plus a pointer to the right ``--help`` (``jcdraw.cli.usage_errors``), and anything unexpected
into a short note (the traceback only with ``--debug``). Output never fails for the console's encoding
(``jcdraw.cli.console``), so the exit code is always the command's own.
"""

from __future__ import annotations

import sys
import traceback

import typer
from typer._click import exceptions as click_exceptions  # typer vendors click

from jcdraw import messages
from jcdraw.cli import draw, paperwork, registry, results, yearend
from jcdraw.cli.console import install_safe_streams, make_console
from jcdraw.cli.root import app, state, template_app
from jcdraw.cli.usage_errors import format_usage_error
from jcdraw.errors import JcdrawError

registry.register(app, template_app)
draw.register(app)
results.register(app)
paperwork.register(app, template_app)
yearend.register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: run the app and translate every failure into Chinese and an exit code."""
    install_safe_streams()  # first: even a message about a bad invocation must not fail on GBK
    args = sys.argv[1:] if argv is None else argv
    state["debug"] = "--debug" in args
    err = make_console(stderr=True)
    try:
        code = app(args=args, prog_name="jcdraw", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as exc:
        err.print(exc.ctx.get_help() if exc.ctx else "", markup=False)
        sys.exit(2)
    except click_exceptions.UsageError as exc:
        err.print(format_usage_error(exc, "jcdraw"), markup=False)
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
