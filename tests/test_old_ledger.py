"""A ledger written by jcdraw 0.1.0 (``tests/data/ledger-0.1.0.sqlite3``, made by ``make_old_ledger.py``)
keeps working: its chain audits, its draws export and verify, and status counts it as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

DATA = Path(__file__).parent / "data"
OLD_HEAD = "ebfb72b7d21d07bb27f9a82fb7d9c9701c441eafda752aac3dacf9045348fc4f"


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """A copy: opening a ledger, even read-only, leaves SQLite side files beside it."""
    shutil.copy(DATA / "ledger-0.1.0-registry.xlsx", tmp_path / "registry.xlsx")
    return Path(shutil.copy(DATA / "ledger-0.1.0.sqlite3", tmp_path / "jcdraw.sqlite3"))


def test_old_ledger_audits(old: Path, run_cli: Any) -> None:
    result = run_cli(["audit", "--ledger", old, "--json"], cwd=old.parent)
    report = json.loads(result.out)
    assert result.code == 0 and report["ok"] is True and report["records"] == 22
    assert report["head"] == OLD_HEAD


def test_old_ledger_draws_export_and_verify(old: Path, run_cli: Any) -> None:
    for draw_id in ("2024-joint-T1-R1-1", "2024-joint-T2-R1-1", "2024-joint-T2-R1-2"):
        out = old.parent / f"{draw_id}.xlsx"
        assert run_cli(["export", "--draw", draw_id, "--ledger", old, "--out", out], cwd=old.parent).code == 0
        sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
        assert {"抽取结果", "检查人员", "抽取记录", "检查结果"} <= set(sheets)
    verified = run_cli(["verify", old.parent / "2024-joint-T1-R1-1.xlsx", "--registry", "registry.xlsx"],
                       cwd=old.parent)  # fmt: skip
    assert verified.code == 0, verified.output


def test_old_ledger_status_counts_as_before(old: Path, run_cli: Any) -> None:
    result = run_cli(["status", "--ledger", old, "--as-of", "2024-11-15", "--json"], cwd=old.parent)
    assert result.code == 0, result.output
    tasks = {(t["plan"], t["task"]): t for t in json.loads(result.out)["tasks"]}
    one, two = tasks[("2024-joint", 1)], tasks[("2024-joint", 2)]
    assert (one["drawn"], one["published"], one["on_time"], one["late"], one["overdue"]) == (4, 4, 4, 0, 0)
    assert (two["drawn"], two["published"]) == (4, 0)
