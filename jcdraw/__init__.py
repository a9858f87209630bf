"""jcdraw: 双随机、一公开 market inspections over spreadsheets.

The library core lives in modules named for what they hold (plans, registry, validation, draw,
ledger, publish …); ``jcdraw.cli`` is a thin Typer layer on top.
"""

__version__ = "0.1.0"
