"""The public 抽查名单: ``jcdraw export --draw ID --public`` and ``publish --html … --with-lists``.

The example year's two draws are made once (module fixture) and copied into each test's folder. What
must never appear — risk classes, inspectors' names and badges — is taken from the ledger's own draw
records and searched for in every part of the written files, not only in the cells jcdraw meant to write.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import EXAMPLES
from test_publish import World, draw_payload

from jcdraw import messages
from jcdraw.cli import main
from jcdraw.draw.workbook import write_assignment
from jcdraw.ledger import Ledger, anchors_in
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.publicity.html import render_html
from jcdraw.publicity.model import build_publicity
from jcdraw.results.view import LedgerView

SEED = "12345678901234567890"
DRAWS = ["2024-joint-T2-R1-1", "2024-internal-T2-R1-1"]
RISK_WORDS = ["信用风险", "低风险", "一般风险", "较高风险", "高风险", "风险分类"]


def run_quietly(argv: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.chdir(cwd)
    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture(scope="module")
def example_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding the example year's two draws (joint task 2 and internal task 2)."""
    folder = tmp_path_factory.mktemp("example")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for plan in ("joint", "internal"):
            args = ["draw", "--new-ledger", "--plan", plan, "--task", "2", "--seed", SEED, "--as-of",
                    "2024-04-01"]
            code = run_quietly([*args, "--registry", str(EXAMPLES / "registry.xlsx")], folder, monkeypatch)
            assert code == 0
    return folder / "jcdraw.sqlite3"


@pytest.fixture
def folder(tmp_path: Path, example_ledger: Path) -> Path:
    shutil.copy(example_ledger, tmp_path / "jcdraw.sqlite3")
    return tmp_path


def payload(folder: Path, draw_id: str, ledger: Path | None = None) -> dict[str, Any]:
    with Ledger.open(ledger or folder / "jcdraw.sqlite3", readonly=True) as book:
        record = book.get_draw(draw_id)
    assert record is not None
    return record.payload


def secrets(draw: dict[str, Any]) -> set[str]:
    """What the public may not see: every inspector's name and badge of the draw."""
    found = set(draw["inspectors"])
    found |= {info["name"] for info in draw["inspectors"].values()}
    found |= {badge for chosen in draw["selected"] for badge in chosen["team"]}
    return found


def xml_texts(path: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            yield name, archive.read(name).decode("utf-8", errors="replace")


def assert_nothing_secret(path: Path, draw: dict[str, Any]) -> None:
    hidden = secrets(draw)
    for part, text in xml_texts(path):
        for secret in hidden:
            assert secret not in text, (part, secret)
        for word in RISK_WORDS:
            assert word not in text, (part, word)
    classes = {chosen["risk_class"] for chosen in draw["selected"]}
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not ({str(v).strip() for v in row if v is not None} & classes), (ws.title, row)


# --- export --public -------------------------------------------------------------------------------


@pytest.mark.parametrize("draw_id", DRAWS)
def test_the_public_list_has_the_task_and_the_entities_and_nothing_secret(
    run_cli: Any, folder: Path, draw_id: str
) -> None:
    done = run_cli(["export", "--draw", draw_id, "--public"], cwd=folder)
    assert done.code == 0, done.output
    out = folder / f"抽查名单-{draw_id}.xlsx"
    assert str(out.name) in done.flat and "不含信用风险分类和检查人员" in done.flat
    draw = payload(folder, draw_id)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["抽查任务", "抽查名单"]
    listed = [tuple(r) for r in book["抽查名单"].iter_rows(values_only=True)]
    assert listed[0][0] == f"任务 2：{draw['task_name']}　抽查名单"
    assert listed[1] == tuple(messages.PUBLIC_LIST_HEADERS)
    expected = [(n, s["name"], s["uscc"], s["region"]) for n, s in enumerate(draw["selected"], 1)]
    assert listed[2:] == expected and len(expected) > 10
    task = dict((r[0], r[1]) for r in book["抽查任务"].iter_rows(min_row=3, values_only=True))
    assert task["抽查计划"] == draw["plan_name"] and task["抽取编号"] == draw_id
    assert task["抽查事项"] == "\n".join(f"{n}. {t}" for n, t in enumerate(draw["items"], 1))
    assert task["抽取对象"] == f"{len(expected)} 户" and task["抽取日期"] == "2024-04-01"
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book_:
        assert anchors_in(task["台账校验"]) == [book_.draw_anchor(draw_id)]  # where the draw stands
    assert_nothing_secret(out, draw)
    for ws in book.worksheets:  # printable: A4, header rows repeated, plan and task named on every page
        assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$1:$2"
        assert ws.oddHeader.center.text == f"{draw['plan_name']} · {listed[0][0]}"
        page_numbers, anchor = ws.oddFooter.center.text.split("\n")  # the anchor under the page numbers
        assert "&P" in page_numbers and anchors_in(anchor) == anchors_in(task["台账校验"])
        assert ws.oddFooter.left.text == draw_id


def test_the_checker_would_see_a_leak(tmp_path: Path, folder: Path) -> None:
    """The search above can fail: an assignment workbook (which carries classes and teams) does."""
    draw = payload(folder, DRAWS[0])
    leaky = tmp_path / "assignment.xlsx"
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        anchor = book.draw_anchor(DRAWS[0])
    write_assignment(leaky, draw, anchor=anchor)  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        assert_nothing_secret(leaky, draw)


def test_a_superseded_draw_has_no_public_list(run_cli: Any, folder: Path) -> None:
    args = ["draw", "--new-ledger", "--plan", "joint", "--task", "2", "--seed", "9" * 20, "--as-of",
            "2024-04-02"]
    redrawn = run_cli([*args, "--registry", EXAMPLES / "registry.xlsx", "--redraw", "--reason", "名录库漏登"],
                      cwd=folder)  # fmt: skip
    assert redrawn.code == 0, redrawn.output
    refused = run_cli(["export", "--draw", DRAWS[0], "--public"], cwd=folder)
    assert refused.code == 1
    assert "已被重新抽取（新编号 2024-joint-T2-R1-2）取代" in refused.flat
    assert not (folder / f"抽查名单-{DRAWS[0]}.xlsx").exists()
    assert (
        run_cli(["export", "--draw", "2024-joint-T2-R1-2", "--public", "--out", "名单.xlsx"], cwd=folder).code
        == 0
    )
    assert (folder / "名单.xlsx").is_file()


@pytest.mark.parametrize(
    ("argv", "phrase"),
    [
        (["export"], "请指明要导出什么"),
        (["export", "--public"], "请指明要导出什么"),
        (["export", "--draw", DRAWS[0], "--platform", "p.xlsx"], "二者选一"),
        (["export", "--draw", DRAWS[0], "--year", "2024"], "--year 只与 --platform 同用"),
        (["export", "--platform", "p.xlsx", "--out", "q.xlsx"], "不能与 --public 或 --out 同用"),
        (["export", "--draw", "2024-joint-T9-R1-1", "--public"], "台账中没有抽取编号"),
    ],
)
def test_export_says_what_is_wrong_with_the_options(
    run_cli: Any, folder: Path, argv: list[str], phrase: str
) -> None:
    result = run_cli(argv, cwd=folder)
    assert result.code == 2 and phrase in result.flat, result.output


# --- publish --with-lists ----------------------------------------------------------------------------


def publish(run_cli: Any, folder: Path, *extra: str) -> Any:
    args = ["publish", EXAMPLES / "results-example.xlsx", "--as-of", "2024-11-15", "--html", "公示.html"]
    return run_cli([*args, *extra], cwd=folder, outputs=["公示.html"])


def test_the_page_lists_every_draw_when_asked(run_cli: Any, folder: Path) -> None:
    assert publish(run_cli, folder).code == 0
    plain = (folder / "公示.html").read_text(encoding="utf-8")
    assert messages.HTML_LISTS_HEADING not in plain
    # Nothing new to publish, but the page now asked for with lists is written again, with them.
    done = publish(run_cli, folder, "--with-lists", "--force")
    assert done.code == 0, done.output
    page = (folder / "公示.html").read_text(encoding="utf-8")
    lists = page[page.index(messages.HTML_LISTS_HEADING) :]
    for draw_id in DRAWS:
        draw = payload(folder, draw_id)
        row = r'<tr><td>(\d+)</td><td>([^<]*)</td><td class="code">([^<]*)</td><td>([^<]*)</td></tr>'
        rows = re.findall(row, lists[lists.index(draw_id) :])
        expected = [(str(n), s["name"], s["uscc"], s["region"]) for n, s in enumerate(draw["selected"], 1)]
        assert rows[: len(expected)] == expected
        for secret in secrets(draw):
            assert secret not in page
    for word in RISK_WORDS:
        assert word not in page
    again = publish(run_cli, folder, "--force")  # and back without them
    assert again.code == 0
    assert messages.HTML_LISTS_HEADING not in (folder / "公示.html").read_text(encoding="utf-8")


def test_with_lists_needs_the_page(run_cli: Any, folder: Path) -> None:
    result = run_cli(["publish", EXAMPLES / "results-example.xlsx", "--with-lists"], cwd=folder)
    assert result.code == 2 and "须与 --html" in result.flat


def test_names_in_the_lists_are_escaped(tmp_path: Path) -> None:
    world = World(tmp_path, tmp_path / "jcdraw.sqlite3", WorkdayCalendar.load(search_dirs=[]))
    world.draw(draw_payload(2, names=["<script>alert(1)</script>", "A&B 公司"]))
    with Ledger.open(world.ledger_path, readonly=True) as ledger:
        view = LedgerView.load(ledger)
    page = render_html(build_publicity(view, ["2024-joint"], date(2024, 10, 23), with_lists=True))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "A&amp;B 公司" in page


def test_a_ledger_of_jcdraw_0_1_0_has_public_lists_and_a_platform_file(run_cli: Any, tmp_path: Path) -> None:
    ledger = Path(
        shutil.copy(Path(__file__).parent / "data" / "ledger-0.1.0.sqlite3", tmp_path / "old.sqlite3")
    )
    done = run_cli(["export", "--draw", "2024-joint-T1-R1-1", "--public", "--ledger", ledger], cwd=tmp_path)
    assert done.code == 0, done.output
    out = tmp_path / "抽查名单-2024-joint-T1-R1-1.xlsx"
    assert_nothing_secret(out, payload(tmp_path, "2024-joint-T1-R1-1", ledger))
    exported = run_cli(["export", "--platform", "平台.xlsx", "--ledger", ledger], cwd=tmp_path)
    assert exported.code == 0 and "（16 行" in exported.flat, exported.output
