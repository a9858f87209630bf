"""The ``jcdraw`` command line: a thin Typer layer over the library core.

``main`` is the console-script entry point; ``app`` is the Typer application (for tests and tools).
"""

from jcdraw.cli.main import main
from jcdraw.cli.root import app

__all__ = ["app", "main"]
