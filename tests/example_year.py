"""The README's example year, built once per test session: two draws and the published results.

``jcdraw draw`` joint task 2 and internal task 2 on ``examples/registry.xlsx`` with the README's seed,
then ``jcdraw publish examples/results-example.xlsx --as-of 2024-11-15``, exactly as the README's
"示例年度" block runs them. Tests copy the ledger before changing anything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import EXAMPLES
from test_visits import cli

SEED = "12345678901234567890"
PUBLISHED_ON = "2024-11-15"
RESULTS = EXAMPLES / "results-example.xlsx"


def build_example_year(folder: Path) -> Path:
    """The example year's ledger in ``folder`` (outputs written beside it)."""
    ledger = folder / "jcdraw.sqlite3"
    for plan in ("joint", "internal"):
        argv = ["draw", "--plan", plan, "--task", "2", "--seed", SEED, "--as-of", "2024-04-01"]
        argv += [
            "--registry",
            EXAMPLES / "registry.xlsx",
            "--ledger",
            ledger,
            "--out",
            folder / f"{plan}.xlsx",
        ]
        if plan == "joint":
            argv.append("--new-ledger")  # the year's first draw starts the ledger
        assert cli(argv) == 0
    argv = ["publish", RESULTS, "--as-of", PUBLISHED_ON, "--ledger", ledger, "--out", folder / "公示.xlsx"]
    assert cli(argv) == 0
    return ledger


def copy_ledger(ledger: Path, folder: Path) -> Path:
    """A copy of ``ledger`` in ``folder`` to change freely."""
    target = folder / "jcdraw.sqlite3"
    shutil.copyfile(ledger, target)
    return target
