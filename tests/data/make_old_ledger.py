"""Write ``ledger-0.1.0.sqlite3``: a small ledger made by jcdraw 0.1.0 (commit b56ec51), kept as a fixture.

Run once, against that version, so later versions can prove they still read old ledgers::

    git worktree add /tmp/jcdraw-0.1.0 b56ec51
    PYTHONPATH=/tmp/jcdraw-0.1.0:/tmp/jcdraw-0.1.0/tests python tests/data/make_old_ledger.py OUT_DIR

It records a prepare, two draws, a redraw with its reason, the results of one draw, a publication and
an approved correction: every kind of record 0.1.0 wrote.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from pathlib import Path

import openpyxl
from conftest import write_registry

from jcdraw.cli import main

SEED = "12345678901234567890"


def jcdraw(*args: str) -> None:
    try:
        main([*args])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"jcdraw {' '.join(args)} exited {exc.code}") from None


def fill_results(workbook: Path, ledger: Path, draw_id: str) -> None:
    payload = json.loads(
        sqlite3.connect(ledger)
        .execute("SELECT payload FROM records WHERE kind = 'draw' AND json_extract(payload, '$.draw_id') = ?",
                 (draw_id,))
        .fetchone()[0]
    )  # fmt: skip
    teams = {s["uscc"]: s["team"] for s in payload["selected"]}
    book = openpyxl.load_workbook(workbook)
    sheet = book["检查结果"]
    for row in sheet.iter_rows(min_row=2):
        code = row[2].value
        row[6].value = "未发现问题"
        row[7].value = date(2024, 5, 10)
        row[8].value = "、".join(teams[code])
    book.save(workbook)


def make(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    registry = write_registry(folder / "registry.xlsx")
    ledger = folder / "ledger-0.1.0.sqlite3"
    common = ["--registry", str(registry), "--ledger", str(ledger), "--as-of", "2024-04-01"]
    joint = ["draw", "--plan", "joint"]
    jcdraw(*joint, "--task", "1", "--prepare", *common)
    jcdraw(*joint, "--task", "1", "--seed", SEED, "--out", str(folder / "t1.xlsx"), *common)
    jcdraw(*joint, "--task", "2", "--seed", SEED, "--out", str(folder / "t2.xlsx"), *common)
    jcdraw(*joint, "--task", "2", "--seed", "98765432109876543210", "--redraw",
           "--reason", "名录库补录后重抽", "--out", str(folder / "t2b.xlsx"), *common)  # fmt: skip
    fill_results(folder / "t1.xlsx", ledger, "2024-joint-T1-R1-1")
    jcdraw("publish", str(folder / "t1.xlsx"), "--ledger", str(ledger), "--as-of", "2024-05-20",
           "--out", str(folder / "publicity.xlsx"))  # fmt: skip
    query = "SELECT payload FROM records WHERE kind = 'result' LIMIT 1"
    first = json.loads(sqlite3.connect(ledger).execute(query).fetchone()[0])
    approval = ["--approved-by", "张局长", "--approval-ref", "晋市商〔2024〕99号", "--reason", "录入错误"]
    jcdraw("correct", "--draw", first["draw_id"], "--uscc", first["uscc"], "--item", first["item"],
           "--result", "发现问题已责令改正", *approval, "--ledger", str(ledger))  # fmt: skip
    jcdraw("audit", "--ledger", str(ledger))
    return ledger


if __name__ == "__main__":
    print(make(Path(sys.argv[1])))
