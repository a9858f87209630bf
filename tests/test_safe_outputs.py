"""Outputs are safe to open and never half-written.

- Formula injection: every text that reaches a workbook is stored as text. Values that Excel would
  otherwise run or reinterpret (``=HYPERLINK(…)``, ``+86 …``, ``-1+2``, ``@SUM(A1)``, DDE ``=cmd|…``) are
  planted in registry names, regions, departments, plan texts and bad cells; every output workbook is
  read back with openpyxl: no formula cells at all, and each such text is a string cell ("s").
- Atomic writes: a process killed with SIGKILL in the middle of writing a large workbook leaves the
  old file (or none), never a partial one, and the ledger passes its audit.
- Publication outputs (when ``jcdraw.cli_publish`` exists): HTML escapes everything; public outputs
  carry no risk class and no inspector data.
"""

from __future__ import annotations

import html
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import badfiles as bf
import openpyxl
import pytest
from conftest import (
    AS_OF,
    ENTITY_HEADER,
    PLANS_DIR,
    clean_entities,
    clean_inspectors,
    sha256,
    uscc,
    write_registry,
)

from jcdraw.ledger import Ledger

SEED = "27182818284590452353"
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
PLANTED_REGION = '=HYPERLINK("http://x","y")'
PLANTED_DEPARTMENT = "@SUM(A1)"
PLANTED_TASK_NAME = "+86 138 0000 0000"
PLANTED_ITEM = "-1+2"
PLANTED_NAMES = ['=HYPERLINK("http://evil","点击")', "@SUM(A1)", "-2+3", "=cmd|' /C calc'!A0"]
PLANTED_INSPECTORS = ["=1+1", "+1", "@A1", "-A1"]


def jcdraw_command() -> list[str]:
    """The installed console script next to the interpreter, as a user would run it."""
    script = Path(sys.executable).with_name("jcdraw.exe" if os.name == "nt" else "jcdraw")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from jcdraw.cli import main; main()"]


def risky_cells(path: Path) -> list[tuple[str, str, object, str]]:
    """All cells whose text Excel could execute or reinterpret, and fail on any formula cell."""
    cells = bf.openpyxl_cells(path)
    formulas = [c for c in cells if c[3] == "f"]
    assert not formulas, f"formula cells in {path.name}: {formulas[:5]}"
    return [c for c in cells if isinstance(c[2], str) and c[2].startswith(RISKY_START)]


def assert_text_only(path: Path, *planted: str) -> None:
    risky = risky_cells(path)
    not_text = [c for c in risky if c[3] != "s"]
    assert not not_text, f"risky values not stored as text in {path.name}: {not_text[:5]}"
    values = [str(c[2]) for c in bf.openpyxl_cells(path)]
    for text in planted:
        assert any(text in v for v in values), f"{text!r} not found in {path.name}"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a plan, areas file and registry full of formula-like texts."""
    folder = tmp_path_factory.mktemp("planted")
    quoted = {
        "泽州县": "'" + PLANTED_REGION + "'",
        "晋城市公安分局": "'" + PLANTED_DEPARTMENT + "'",
        "对报废机动车回收拆解企业的部门联合抽查": "'" + PLANTED_TASK_NAME + "'",
        "对未取得资质认定情况的检查": "'" + PLANTED_ITEM + "'",
    }
    for name in ("2024_joint.yaml", "jincheng.yaml"):
        text = (PLANS_DIR / name).read_text(encoding="utf-8")
        for old, new in quoted.items():
            text = text.replace(old, new)
        (folder / name).write_text(text, encoding="utf-8")
    entities = clean_entities()
    for row in entities[1:]:
        if row[2] == "泽州县":
            row[2] = PLANTED_REGION
    for row, name in zip(entities[1:5], PLANTED_NAMES, strict=True):  # task 1 draws all of them
        row[1] = name
    inspectors = clean_inspectors()
    for row in inspectors[1:]:
        if row[2] == "晋城市公安分局":
            row[2] = PLANTED_DEPARTMENT
    for row, name in zip(inspectors[1::2], PLANTED_INSPECTORS, strict=False):
        row[1] = name
    # Written by hand: openpyxl would turn every "=…" text into a formula cell.
    bf.raw_registry(folder / "registry.xlsx", entities, inspectors)
    entities.append([uscc("城区", 990), "+86 0356 1234567", "城区", "拍卖", "\t=2+2", "@存续"])
    entities.append(["=1+2", "坏代码公司", "-城区", "拍卖", "B", "存续"])
    bf.raw_registry(folder / "bad.xlsx", entities, inspectors)
    return folder


def _plan(folder: Path) -> str:
    return str(folder / "2024_joint.yaml")


def test_validate_report_stores_formula_like_values_as_text(
    run_cli: Any, planted: Path, tmp_path: Path
) -> None:
    registry = shutil.copy(planted / "bad.xlsx", tmp_path / "bad.xlsx")
    report = tmp_path / "问题清单.xlsx"
    result = run_cli(
        ["validate", registry, "--plan", _plan(planted), "--as-of", AS_OF.isoformat(), "--report", report]
    )
    assert result.code == 1, result.output
    assert_text_only(report, "=1+2", "-城区", "\t=2+2", "@存续")


def test_registry_template_stores_plan_texts_as_text(run_cli: Any, planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = run_cli(["template", "registry", out, "--plan", _plan(planted)])
    assert result.code == 0, result.output
    assert_text_only(out, PLANTED_REGION)  # long choice lists go to cells of the hidden options sheet


def test_draw_and_export_workbooks_store_names_as_text(run_cli: Any, planted: Path, tmp_path: Path) -> None:
    registry = shutil.copy(planted / "registry.xlsx", tmp_path / "registry.xlsx")
    ledger = tmp_path / "台账.sqlite3"
    out = tmp_path / "抽取结果.xlsx"
    argv = ["draw", "--new-ledger", "--plan", _plan(planted), "--task", "1", "--seed", SEED,
            "--registry", registry,
            "--ledger", ledger, "--as-of", AS_OF.isoformat(), "--out", out]  # fmt: skip
    result = run_cli(argv)
    assert result.code == 0, result.output
    expected = [PLANTED_REGION, PLANTED_DEPARTMENT, PLANTED_TASK_NAME, PLANTED_ITEM, *PLANTED_NAMES]
    assert_text_only(out, *expected)
    again = tmp_path / "导出.xlsx"
    result = run_cli(["export", "--draw", "2024-joint-T1-R1-1", "--ledger", ledger, "--out", again])
    assert result.code == 0, result.output
    assert_text_only(again, *expected)


def test_the_checker_itself_sees_formulas(tmp_path: Path) -> None:
    """Guard against a vacuous check: a real formula and a formula-typed string are both caught."""
    book = openpyxl.Workbook()
    book.active.append(["=1+1"])  # type: ignore[union-attr]
    book.save(tmp_path / "formula.xlsx")
    with pytest.raises(AssertionError, match="formula cells"):
        assert_text_only(tmp_path / "formula.xlsx")


# --- atomic writes under SIGKILL ---------------------------------------------------------------

BIG = 1000  # entities drawn (task 1 draws all), 4 result rows each: a workbook that takes a while to write


@pytest.fixture(scope="module")
def big_draw(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(registry, ledger, draw id) of a draw with ``BIG`` selected entities."""
    from jcdraw.draw import run as drawing
    from jcdraw.plans.load import load_plan

    folder = tmp_path_factory.mktemp("big")
    rows: list[list[Any]] = [list(ENTITY_HEADER)]
    rows += [
        [uscc("泽州县", i), f"泽州县某回收公司{i}", "泽州县", "报废机动车回收拆解", "ABCD"[i % 4], "存续"]
        for i in range(1, BIG + 1)
    ]
    registry = write_registry(folder / "registry.xlsx", entities=rows)
    ledger = folder / "台账.sqlite3"
    with Ledger.open(ledger) as book:
        result = drawing.run_draw(
            registry, load_plan(PLANS_DIR / "2024_joint.yaml"), 1, seed=SEED, ledger=book, as_of=AS_OF,
            out=folder / "first.xlsx",
        )  # fmt: skip
    return registry, ledger, result.draw_id


def _kill_when_writing(
    process: subprocess.Popen[bytes], target: Path, delay: float, limit: float = 30
) -> bool:
    """SIGKILL ``process`` ``delay`` s after its temp file for ``target`` appears; False if it ended first."""
    deadline = time.monotonic() + limit
    while not any(target.parent.glob(f".{target.name}.{process.pid}.*.tmp")):
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the temp file never appeared"
        time.sleep(0.001)
    time.sleep(delay)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return True


def _complete_workbook(path: Path, rows: int) -> bool:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    book = openpyxl.load_workbook(path, read_only=True)
    return book["抽取结果"].max_row == rows + 1


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("delay", [0.0, 0.15])
def test_export_killed_mid_write_leaves_the_old_file(
    tmp_path: Path, big_draw: tuple[Path, Path, str], delay: float
) -> None:
    _, ledger_src, draw_id = big_draw
    ledger = shutil.copyfile(ledger_src, tmp_path / ledger_src.name)
    target = tmp_path / "抽取结果.xlsx"
    target.write_bytes(b"old workbook, must survive")
    argv = [
        *jcdraw_command(),
        "export",
        "--draw",
        draw_id,
        "--ledger",
        str(ledger),
        "--out",
        str(target),
        "--force",
    ]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = _kill_when_writing(process, target, delay)
    if killed:  # the kill may land before or after the rename, never in between: old or complete
        assert target.read_bytes() == b"old workbook, must survive" or _complete_workbook(target, BIG)
    else:  # finished before the kill: then it must be the complete new workbook
        assert process.returncode == 0
        assert _complete_workbook(target, BIG)
    if delay == 0.0:
        assert killed, "the export finished before it could be killed; make BIG larger"
    with Ledger.open(ledger, readonly=True) as book:
        assert book.audit().ok


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("when", ["writing-workbook", "after-0.9s", "after-1.3s"])
def test_draw_killed_at_any_moment_leaves_a_consistent_ledger(
    tmp_path: Path, big_draw: tuple[Path, Path, str], when: str
) -> None:
    registry_src, _, _ = big_draw
    registry = shutil.copyfile(registry_src, tmp_path / "registry.xlsx")
    before = sha256(registry)
    ledger = tmp_path / "台账.sqlite3"
    out = tmp_path / "抽取结果.xlsx"
    argv = [*jcdraw_command(), "draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed", SEED,
            "--registry", str(registry), "--ledger", str(ledger), "--as-of", AS_OF.isoformat(),
            "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if when == "writing-workbook":
        killed = _kill_when_writing(process, out, 0.05)
        assert killed
    else:
        time.sleep(float(when.split("-")[1].rstrip("s")))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert sha256(registry) == before
    if out.exists():  # only a complete workbook may exist
        assert _complete_workbook(out, BIG)
    if ledger.exists() and ledger.stat().st_size:
        with Ledger.open(ledger, readonly=True) as book:
            assert book.audit().ok
            draws = book.records("draw")
            assert len(draws) <= 1
            if out.exists():
                assert len(draws) == 1
            if when == "writing-workbook":
                assert len(draws) == 1 and not out.exists()
            if draws:
                assert len(draws[0].payload["selected"]) == BIG
    else:
        assert not out.exists()


# --- publication outputs (only once publish exists) ---------------------------------------------


def _publish_cli() -> Any:
    from jcdraw import cli

    return cli


HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil","点击")',
    "@SUM(A1)&amp;",
]
PHONE_ENTITY, PHONE_INSPECTOR = "13800138000", "13900139000"
RISK_WORDS = ["信用风险分类", "信用风险低", "信用风险一般", "信用风险较高", "信用风险高"]


def _cli(argv: list[Any]) -> None:
    """Run the CLI in-process (module-scoped fixtures cannot use ``run_cli``); fail unless it exits 0."""
    from jcdraw.cli import main

    with pytest.raises(SystemExit) as done:
        main([str(a) for a in argv])
    assert done.value.code in (0, None), f"jcdraw {argv[0]} exited {done.value.code}"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[list[Any]]]:
    """Draw task 1 (four 报废机动车 entities with hostile names, all drawn at 100%), fill every result,
    publish (xlsx + html)."""
    _publish_cli()
    folder = tmp_path_factory.mktemp("published")
    entities = [[*row, "联系电话" if n == 0 else PHONE_ENTITY] for n, row in enumerate(clean_entities())]
    targets = [row for row in entities[1:] if row[3] == "报废机动车回收拆解"]
    for row, name in zip(targets, HOSTILE_NAMES, strict=True):
        row[1] = name
    inspectors = [
        [*row, "联系电话" if n == 0 else PHONE_INSPECTOR] for n, row in enumerate(clean_inspectors())
    ]
    registry = bf.raw_registry(folder / "registry.xlsx", entities, inspectors)
    ledger, drawn = folder / "台账.sqlite3", folder / "抽取结果.xlsx"
    _cli(["draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed", SEED, "--registry", registry,
          "--ledger", ledger, "--as-of", AS_OF.isoformat(), "--out", drawn])  # fmt: skip
    with Ledger.open(ledger, readonly=True) as book:
        teams = {s["uscc"]: s["team"] for s in book.records("draw")[0].payload["selected"]}
    sheet = openpyxl.load_workbook(drawn)["检查结果"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    for row in rows[1:]:
        row[header.index("检查结果")] = "未发现问题"
        row[header.index("检查日期")] = AS_OF.isoformat()
        row[header.index("检查人员执法证号")] = "、".join(teams[row[header.index("统一社会信用代码")]][:2])
    filled = bf.raw_xlsx(folder / "填报.xlsx", {"检查结果": bf.sheet_xml(rows)})  # "=…" stays text
    out, page = folder / "公示.xlsx", folder / "公示.html"
    _cli(["publish", filled, "--ledger", ledger, "--as-of", "2024-06-03", "--out", out, "--html", page])
    return out, page, inspectors


def test_publicity_workbook_stores_names_as_text(published: tuple[Path, Path, list[list[Any]]]) -> None:
    out, _, _ = published
    assert_text_only(out, *HOSTILE_NAMES)


def test_publicity_page_escapes_everything(published: tuple[Path, Path, list[list[Any]]]) -> None:
    _, page, _ = published
    text = page.read_text(encoding="utf-8")
    for name in HOSTILE_NAMES:
        assert html.escape(name, quote=True) in text
    assert "<script>alert" not in text
    assert "<img" not in text
    assert text.count("<script>") == 1  # the page's own filter script only


def test_publicity_outputs_carry_no_risk_class_and_no_inspector_data(
    published: tuple[Path, Path, list[list[Any]]],
) -> None:
    out, page, inspectors = published
    cells = [str(c[2]) for c in bf.openpyxl_cells(out)]
    texts = {"workbook": "\n".join(cells), "page": page.read_text(encoding="utf-8")}
    private = [str(row[0]) for row in inspectors[1:]] + [str(row[1]) for row in inspectors[1:]]
    private += [PHONE_ENTITY, PHONE_INSPECTOR, "执法证", "检查人员", *RISK_WORDS]
    for where, text in texts.items():
        leaked = [word for word in private if word in text]
        assert not leaked, f"{where} shows {leaked}"
    risk_codes = {"A", "B", "C", "D"}
    assert not risk_codes & set(cells), "a bare risk class letter appears in the publicity workbook"
