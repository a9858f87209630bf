"""jcdraw followup: 后续处置 of findings recorded, checked, listed by status until done, and published.

End to end on the README's example year (``example_year``): 53 recorded items are 发现问题已责令改正
(a follow-up category), the others 未发现问题; 13 drawn entities have no result yet.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from example_year import RESULTS, build_example_year, copy_ledger

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.ledger import Ledger
from jcdraw.plans.categories import load_result_categories

AS_OF = "2024-11-20"
FOLLOW_UP = "发现问题已责令改正"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example_year(tmp_path_factory.mktemp("example-year"))


@pytest.fixture(scope="module")
def rows(base: Path) -> dict[str, Any]:
    """A result needing follow-up, one that does not, and an entity drawn but not yet inspected."""
    with Ledger.open(base, readonly=True) as book:
        results = book.results()
        draws = {r.payload["draw_id"]: r.payload for r in book.draws()}
    found = [r for r in results if r["result"] == [FOLLOW_UP]]
    clean = next(r for r in results if r["result"] == ["未发现问题"])
    recorded = {(r["draw_id"], r["uscc"]) for r in results}
    pending = next(
        (d, s["uscc"]) for d, p in draws.items() for s in p["selected"] if (d, s["uscc"]) not in recorded
    )
    return {"found": found[0], "count": len(found), "clean": clean, "pending": pending}


def followup(run_cli: Any, ledger: Path, draw: str, uscc: str, item: object, *extra: str) -> Any:
    argv = ["followup", "--draw", draw, "--uscc", uscc, "--item", str(item), "--ledger", ledger]
    return run_cli([*argv, *extra], outputs=[ledger])


def status_followups(run_cli: Any, ledger: Path, as_of: str = AS_OF) -> list[dict[str, Any]]:
    result = run_cli(["status", "--ledger", ledger, "--as-of", as_of, "--json"])
    followups: list[dict[str, Any]] = json.loads(result.out)["followups"]
    return followups


def test_followup_is_listed_until_done_and_published(
    run_cli: Any, base: Path, rows: dict[str, Any], tmp_path: Path
) -> None:
    ledger = copy_ledger(base, tmp_path)
    r = rows["found"]
    key = (r["draw_id"], r["uscc"], int(r["item"]))
    before = status_followups(run_cli, ledger)
    assert len(before) == rows["count"] == 53
    age = (date(2024, 11, 20) - date.fromisoformat(r["completed"])).days
    listed = next(f for f in before if (f["draw_id"], f["uscc"], f["item"]) == key)
    assert (listed["result"], listed["action"], listed["age_days"]) == (FOLLOW_UP, None, age)

    first = ["--action", "责令限期改正", "--date", "2024-11-10", "--as-of", AS_OF]
    result = followup(run_cli, ledger, *key, *first)
    assert result.code == 0, result.output
    assert "✓ 已登记后续处置" in result.flat
    assert messages.FOLLOWUP_OPEN_NOTE.format(age=age) in result.flat
    listed = next(f for f in status_followups(run_cli, ledger) if (f["draw_id"], f["uscc"], f["item"]) == key)
    assert (listed["action"], listed["action_date"], listed["age_days"]) == (
        "责令限期改正",
        "2024-11-10",
        age,
    )

    done = ["--action", "复查：已整改到位", "--date", "2024-11-18", "--done", "2024-11-18"]
    result = followup(run_cli, ledger, *key, *done, "--approved-by", "王五", "--as-of", AS_OF)
    assert result.code == 0, result.output
    after = status_followups(run_cli, ledger)
    assert len(after) == 52 and key not in {(f["draw_id"], f["uscc"], f["item"]) for f in after}

    out, page = tmp_path / "公示.xlsx", tmp_path / "公示.html"
    argv = ["publish", RESULTS, "--as-of", "2024-11-25", "--ledger", ledger, "--out", out, "--html", page]
    assert run_cli(argv, outputs=[ledger]).code == 0
    sheet = list(openpyxl.load_workbook(out, read_only=True)["检查结果"].iter_rows(values_only=True))
    header = sheet[0]
    assert header[-1] == "处置结果" and header[-2] == "备注"
    shown = {(row[6], row[9]): row[-1] for row in sheet[1:] if row[-1] is not None}
    assert shown == {(r["uscc"], r["item_text"]): "复查：已整改到位（2024-11-18 办结）"}
    assert "<td>复查：已整改到位（2024-11-18 办结）</td>" in page.read_text(encoding="utf-8")
    assert run_cli(["audit", "--ledger", ledger]).code == 0


def test_a_done_followup_takes_no_more_records(
    run_cli: Any, base: Path, rows: dict[str, Any], tmp_path: Path
) -> None:
    ledger = copy_ledger(base, tmp_path)
    r = rows["found"]
    key = (r["draw_id"], r["uscc"], r["item"])
    done = ["--action", "已复查", "--date", "2024-11-18", "--done", "2024-11-19", "--as-of", AS_OF]
    assert followup(run_cli, ledger, *key, *done).code == 0
    again = followup(run_cli, ledger, *key, "--action", "再次复查", "--date", "2024-11-20", "--as-of", AS_OF)
    assert again.code == 1
    where = {"draw_id": r["draw_id"], "uscc": r["uscc"], "item": r["item"]}
    assert messages.FOLLOWUP_ALREADY_DONE.format(**where, done="2024-11-19") in again.flat


CASES = {
    # name: (row, item, options, exit code, message builder)
    "unknown draw": ("nope", 1, [], 2, lambda r: messages.LEDGER_UNKNOWN_DRAW.format(draw_id="nope")),
    "not drawn": ("other", 1, [], 2, lambda r: "没有抽中统一社会信用代码为"),
    "no such item": ("found", 9, [], 2, lambda r: "没有第 9 项"),
    "empty action": ("found", 1, ["--action", "  "], 2, lambda r: messages.FOLLOWUP_ACTION_EMPTY),
    "bad date": ("found", 1, ["--date", "2024-13-40"], 2, lambda r: "选项 --date 的日期“2024-13-40”无效"),
    "not inspected": ("pending", 1, [], 1, lambda r: "还没有登记检查结果"),
    "no finding": (
        "clean",
        1,
        [],
        1,
        lambda r: "不需要后续处置（需要后续处置的结果类别：发现问题已责令改正、发现问题待后续处理）",
    ),
    "before inspection": (
        "found",
        1,
        ["--date", "2024-01-02"],
        1,
        lambda r: "处置日期 2024-01-02 早于检查日期",
    ),
    "future": (
        "found",
        1,
        ["--date", "2024-11-21"],
        1,
        lambda r: "--date 的日期 2024-11-21 晚于今天（2024-11-20）",
    ),
    "done before": (
        "found",
        1,
        ["--done", "2024-11-09"],
        1,
        lambda r: "办结日期 2024-11-09 早于处置日期 2024-11-10",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_followup_refusals(run_cli: Any, base: Path, rows: dict[str, Any], tmp_path: Path, case: str) -> None:
    which, item, options, code, text = CASES[case]
    if which == "pending":
        draw, uscc = rows["pending"]
    elif which == "nope":
        draw, uscc = "nope", rows["found"]["uscc"]
    elif which == "other":
        draw, uscc = rows["found"]["draw_id"], "91140000MA0000000X"
    else:
        draw, uscc = rows[which]["draw_id"], rows[which]["uscc"]
        item = int(rows[which]["item"]) if item == 1 else item
    ledger = copy_ledger(base, tmp_path)
    given = {"--action": "责令改正", "--date": "2024-11-10", "--as-of": AS_OF}
    given.update(zip(options[::2], options[1::2], strict=True))
    result = followup(run_cli, ledger, draw, uscc, item, *[w for kv in given.items() for w in kv])
    assert result.code == code, result.output
    assert text(rows) in result.flat
    with Ledger.open(ledger, readonly=True) as book:
        assert book.records("followup") == []


def test_follow_up_and_finding_categories_come_from_the_categories_file(tmp_path: Path) -> None:
    shipped = load_result_categories()
    assert shipped.follow_up == {"发现问题已责令改正", "发现问题待后续处理"}
    assert "未发现问题" not in shipped.findings and "已注销" not in shipped.findings
    assert shipped.follow_up <= shipped.findings and len(shipped.findings) == 6
    # A working folder's older copy (no findings, no follow_up) takes the shipped lists, as far as it goes.
    old = tmp_path / "old.yaml"
    old.write_text(
        "categories: [未发现问题, 发现问题已责令改正, 已注销]\nexclusive: [未发现问题]\n", encoding="utf-8"
    )
    loaded = load_result_categories(old)
    assert (loaded.follow_up, loaded.findings) == ({"发现问题已责令改正"}, {"发现问题已责令改正"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories: [未发现问题]\nfollow_up: [发现问题待后续处理]\n", encoding="utf-8")
    with pytest.raises(BadPlan):
        load_result_categories(bad)
