"""``jcdraw visits``: exact messages, exit codes, --json, default output, --force; the ledger is untouched.

``run_cli`` (conftest) also asserts that no input file named on the command line changes, which here
covers the ledger: making visits never changes a draw.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_visits import CODES, Year, cli, draw, draw_year

from jcdraw import messages
from jcdraw.ledger import Ledger
from jcdraw.results.visits import Visit, plan_visits


@pytest.fixture(scope="module")
def year_2024(tmp_path_factory: pytest.TempPathFactory) -> Year:
    """The five draws of test_visits (joint 1, 2, 4; internal 1, 2); never modified."""
    return draw_year(tmp_path_factory.mktemp("cli-visits"))


def done_line(year: int, out: Path | str, **counts: int) -> str:
    return messages.VISITS_DONE.format(year=year, out=out, **counts)


def test_visits_writes_the_workbook_and_says_what_it_saved(
    year_2024: Year, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "v.xlsx"
    result = run_cli(["visits", "--ledger", year_2024.ledger, "--out", out])
    assert result.code == 0, result.output
    assert out.is_file()
    with Ledger.open(year_2024.ledger, readonly=True) as book:
        entity_draws = sum(len(r.payload["selected"]) for r in book.draws())
    counts = {"draws": 5, "entity_draws": entity_draws, "visits": entity_draws - 6, "saved": 6}
    assert done_line(2024, out, **counts) in result.out
    assert messages.VISITS_MERGED_TITLE in result.out
    assert CODES["M3"] in result.out


def test_json_output(year_2024: Year, run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "v.xlsx"
    result = run_cli(["visits", "--ledger", year_2024.ledger, "--out", out, "--json", "--year", "2024"])
    assert result.code == 0, result.output
    data = json.loads(result.out)
    assert set(data) >= {"year", "draws", "entity_draws", "visits", "saved_entries", "visits_list"}
    assert data["already_recorded"] == 0
    assert (data["year"], data["draws"], data["saved_entries"]) == (2024, 5, 6)
    assert data["entity_draws"] - data["visits"] == data["saved_entries"]
    assert len(data["visits_list"]) == data["visits"]
    m4 = next(v for v in data["visits_list"] if v["uscc"] == CODES["M4"])
    assert m4["tasks"] == [["2024-internal", 1], ["2024-internal", 2]]
    assert m4["window"] == ["2024-03-01", "2024-12-31"]
    assert len(m4["inspectors"]) == 2
    assert {"uscc", "tasks", "inspectors", "window"} <= set(m4)
    assert str(out) in result.err  # the summary line goes to stderr, keeping stdout pure JSON


def test_default_output_env_ledger_and_force(
    year_2024: Year, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JCDRAW_LEDGER", str(year_2024.ledger))
    first = run_cli(["visits"], cwd=tmp_path)
    assert first.code == 0, first.output
    assert (tmp_path / "visits-2024.xlsx").is_file()
    again = run_cli(["visits"], cwd=tmp_path)
    assert again.code == 0, again.output  # a default name never collides: the second one is numbered
    assert (tmp_path / "visits-2024-2.xlsx").is_file()
    named = run_cli(["visits", "--out", "visits-2024.xlsx"], cwd=tmp_path)
    assert named.code == 2
    assert named.err.strip() == messages.OUTPUT_EXISTS.format(path=Path("visits-2024.xlsx"))
    argv = ["visits", "--out", "visits-2024.xlsx", "--force"]
    forced = run_cli(argv, cwd=tmp_path, outputs=["visits-2024.xlsx"])
    assert forced.code == 0, forced.output


def test_missing_ledger_and_empty_year(year_2024: Year, run_cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    result = run_cli(["visits", "--ledger", missing], cwd=tmp_path)
    assert result.code == 2
    assert result.err.strip() == messages.LEDGER_MISSING.format(path=missing)
    assert not missing.exists()
    result = run_cli(["visits", "--ledger", year_2024.ledger, "--year", "2023"], cwd=tmp_path)
    assert result.code == 1
    assert result.err.strip() == messages.VISITS_NO_DRAWS_YEAR.format(ledger=year_2024.ledger, year=2023)
    assert not (tmp_path / "visits-2023.xlsx").exists()


def test_help_is_chinese(run_cli: Any) -> None:
    result = run_cli(["visits", "--help"])
    assert result.code == 0
    assert "进一次门，查多事项" in "".join(result.out.split())  # wrapped by the terminal's width


def test_split_visits_are_reported(year_2024: Year, run_cli: Any, tmp_path: Path) -> None:
    """A second round of a task cannot share the first round's visit; the summary says so."""
    ledger = Path(shutil.copy(year_2024.ledger, tmp_path / "copy.sqlite3"))
    draw(tmp_path, year_2024.registry, ledger, "internal", 1, "--round", "2")  # C and D twice a year
    result = run_cli(["visits", "--ledger", ledger, "--out", tmp_path / "v.xlsx"])
    assert result.code == 0, result.output
    assert messages.VISITS_SEPARATED_TITLE in result.out
    note = messages.VISITS_SPLIT_ROUNDS.format(tasks=3, visits=2)
    assert f"2024-{CODES['M4']}-1 " in result.out and note in result.out


def test_publish_reads_the_visits_workbook(year_2024: Year, run_cli: Any, tmp_path: Path) -> None:
    """Results entered on the combined sheet, signed by each task's own members, are accepted."""
    ledger = Path(shutil.copy(year_2024.ledger, tmp_path / "copy.sqlite3"))
    workbook = tmp_path / "v.xlsx"
    assert run_cli(["visits", "--ledger", ledger, "--out", workbook]).code == 0
    with Ledger.open(ledger, readonly=True) as book:
        plan = plan_visits(book)
    merged = {v.visit_id: v for v in plan.merged}
    filled = fill_results(workbook, merged)
    assert filled == sum(v.item_count for v in merged.values())
    result = cli(
        ["publish", workbook, "--ledger", ledger, "--as-of", "2024-05-20", "--out", tmp_path / "p.xlsx"]
    )
    assert result == 0
    with Ledger.open(ledger, readonly=True) as book:
        assert len(book.results()) == filled


def fill_results(workbook: Path, visits: dict[str, Visit]) -> int:
    book = openpyxl.load_workbook(workbook)
    sheet = book["检查结果"]
    header = [c.value for c in sheet[1]]
    count = 0
    for row in sheet.iter_rows(min_row=2):
        cell = dict(zip(header, row, strict=True))
        visit = visits.get(str(cell["检查编号"].value))
        if visit is None:
            continue
        own = next(d for d in visit.draws if d.draw_id == cell["抽取编号"].value)
        cell["检查结果"].value = "未发现问题"
        cell["检查日期"].value = date(2024, 5, 10)
        cell["检查人员执法证号"].value = "、".join(visit.signers(own))
        count += 1
    book.save(workbook)
    return count
