"""The shipped example year: repeating the two documented draws reproduces the draws that
``examples/results-example.xlsx`` was filled for, so it publishes as the README says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED = "12345678901234567890"


def _cells(path: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path, read_only=True)["检查结果"]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_shipped_workbook_is_what_the_script_makes(tmp_path: Path) -> None:
    out = tmp_path / "again.xlsx"
    script = EXAMPLES / "make_results_example.py"
    subprocess.run([sys.executable, str(script), "--out", str(out)], check=True, capture_output=True)
    assert _cells(out) == _cells(EXAMPLES / "results-example.xlsx")


def test_the_example_year_draws_publishes_corrects_and_audits(run_cli: Any, tmp_path: Path) -> None:
    registry = EXAMPLES / "registry.xlsx"
    for plan in ("joint", "internal"):
        drawn = run_cli(
            [
                "draw",
                "--new-ledger",
                "--plan",
                plan,
                "--task",
                "2",
                "--seed",
                SEED,
                "--as-of",
                "2024-04-01",
                "--registry",
                registry,
            ],
            cwd=tmp_path,
        )
        assert drawn.code == 0, drawn.flat

    published = run_cli(
        ["publish", EXAMPLES / "results-example.xlsx", "--as-of", "2024-11-15", "--json"], cwd=tmp_path
    )
    report = json.loads(published.out)
    assert published.code == 0, published.flat
    # 18 + 52 drawn (credit rules, plan version 2), every fifth pending: 57, of them 9 finished in June.
    assert (report["recorded"], report["published"], report["on_time"], report["late"]) == (57, 57, 48, 9)
    assert report["problems"] == []

    again = run_cli(
        ["publish", EXAMPLES / "results-example.xlsx", "--as-of", "2024-11-15", "--json", "--force"],
        cwd=tmp_path,
    )
    assert json.loads(again.out)["recorded"] == 0

    first = _cells(EXAMPLES / "results-example.xlsx")[1]
    correction = [
        "--result",
        "发现问题待后续处理",
        "--approved-by",
        "局长",
        "--approval-ref",
        "晋市商〔2024〕99号",
    ]
    where = ["--draw", str(first[0]), "--uscc", str(first[2]), "--item", "1"]
    corrected = run_cli(["correct", *where, *correction, "--reason", "复核发现录入错误"], cwd=tmp_path)
    assert corrected.code == 0, corrected.flat

    audited = run_cli(["audit"], cwd=tmp_path)
    assert audited.code == 0, audited.flat
