"""Hardening corpus: broken, hostile and unusable inputs, run through the real CLI.

For every case: exit code 1 (read, but has problems) or 2 (unusable), a Chinese message that names the
file (and, for problems inside a workbook, the sheet, row and column), no traceback and no "internal
error", every input file byte-identical afterwards and, where a ledger is involved, the ledger too.
``run_cli`` (conftest) checks the traceback and the inputs named on the command line; the ledger is
compared here as well because commands may open it without it being "an input".
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import badfiles as bf
import pytest
from conftest import AS_OF, PLANS_DIR, clean_entities, sha256, write_registry, write_xlsx

from jcdraw import messages
from jcdraw.ledger import Ledger

SEED = "31415926535897932384"
INTERNAL = messages.UNEXPECTED_ERROR.split("{detail}")[0]
CJK = re.compile(r"[\u4e00-\u9fff]")


def squash(text: str) -> str:
    """Rich wraps long lines at 160 cells; compare texts without any whitespace."""
    return re.sub(r"\s+", "", text)


def assert_refusal(result: Any, code: int | set[int], *expected: str) -> None:
    codes = {code} if isinstance(code, int) else code
    assert result.code in codes, result.output
    assert INTERNAL not in result.output, result.output
    assert CJK.search(result.output), result.output
    for text in expected:
        assert squash(text) in squash(result.output), f"missing {text!r} in:\n{result.output}"


def listing(folder: Path) -> list[str]:
    """File names in ``folder``, without SQLite's -wal/-shm side files (reading a ledger may leave them)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def validate(run_cli: Any, folder: Path, registry: str, *extra: str) -> Any:
    return run_cli(
        ["validate", registry, "--plan", "joint", "--as-of", AS_OF.isoformat(), *extra], cwd=folder
    )


def draw_argv(registry: str, ledger: str, *extra: str, task: int = 1) -> list[str]:
    return [
        "draw", "--new-ledger", "--plan", "joint", "--task", str(task), "--seed", SEED, "--registry",
                                                                 registry,
        "--ledger", ledger, "--as-of", AS_OF.isoformat(), *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def ledger_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real ledger holding one draw (task 2), made once and copied into each test."""
    from jcdraw.draw import run as drawing
    from jcdraw.plans.load import load_plan

    folder = tmp_path_factory.mktemp("ledger")
    registry = write_registry(folder / "registry.xlsx")
    path = folder / "台账.sqlite3"
    with Ledger.open(path) as book:
        drawing.run_draw(
            registry, load_plan(PLANS_DIR / "2024_joint.yaml"), 2, seed=SEED, ledger=book, as_of=AS_OF,
            out=folder / "task2.xlsx",
        )  # fmt: skip
    return path


@pytest.fixture
def ledger(tmp_path: Path, ledger_template: Path) -> Path:
    path = tmp_path / ledger_template.name
    shutil.copyfile(ledger_template, path)
    return path


def assert_ledger_intact(path: Path, digest: str) -> None:
    assert sha256(path) == digest, "the ledger was modified"
    with Ledger.open(path, readonly=True) as book:
        assert book.audit().ok
        assert [r.kind for r in book.records()] == ["draw"]


# --- registry files that cannot be read at all (exit 2) --------------------------------------------

UNREADABLE: list[tuple[str, Callable[[Path], Path], str]] = [
    ("not-a-zip", bf.make_not_a_zip, messages.FILE_NOT_XLSX),
    ("legacy-xls", bf.make_legacy_xls, messages.FILE_XLS),
    ("encrypted-xlsx", bf.make_encrypted_xlsx, messages.FILE_ENCRYPTED),
    ("empty-file", bf.make_empty_file, messages.FILE_EMPTY),
    ("csv-named-xlsx", bf.make_csv_named_xlsx, messages.FILE_CSV),
    ("truncated-zip", bf.make_truncated_xlsx, messages.FILE_NOT_XLSX),
    ("zip-without-workbook", bf.make_zip_without_workbook, messages.FILE_NOT_XLSX),
    ("no-sheets", bf.make_no_sheets, messages.FILE_NO_SHEETS),
    ("billion-laughs", bf.make_billion_laughs, messages.FILE_XML_ENTITIES),
    ("lying-zip-sizes", bf.make_lying_zip, messages.FILE_ZIP_BOMB.split("{size}")[0]),
]


@pytest.mark.parametrize(("maker", "template"), [c[1:] for c in UNREADABLE], ids=[c[0] for c in UNREADABLE])
def test_unreadable_registry_is_refused_by_validate_and_draw(
    run_cli: Any, tmp_path: Path, ledger: Path, maker: Callable[[Path], Path], template: str
) -> None:
    registry = maker(tmp_path)
    expected = template.format(path=registry.name)
    assert_refusal(validate(run_cli, tmp_path, registry.name), 2, expected)
    before = sha256(ledger)
    result = run_cli(draw_argv(registry.name, ledger.name, "--out", "out.xlsx"), cwd=tmp_path)
    assert_refusal(result, 2, expected)
    assert_ledger_intact(ledger, before)
    assert not (tmp_path / "out.xlsx").exists()


def test_registry_that_is_a_folder_or_missing(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "名录库.xlsx").mkdir()
    assert_refusal(
        validate(run_cli, tmp_path, "名录库.xlsx"), 2, messages.FILE_IS_DIRECTORY.format(path="名录库.xlsx")
    )
    assert_refusal(
        validate(run_cli, tmp_path, "没有.xlsx"), 2, messages.FILE_NOT_FOUND.format(path="没有.xlsx")
    )


def test_zip_bomb_is_refused_before_anything_inflates(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    registry = bf.make_zip_bomb(tmp_path)
    assert registry.stat().st_size < 1_000_000

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook parser was reached")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", must_not_parse)
    started = time.perf_counter()
    result = validate(run_cli, tmp_path, registry.name)
    assert_refusal(result, 2, messages.FILE_ZIP_BOMB.format(path=registry.name, size="200 MB"))
    assert time.perf_counter() - started < 5


# --- registry files that are read but wrong (exit 1, with sheet/row/column) ------------------------

Where = tuple[str, str, int | None, str | None]  # code, sheet, Excel row, column

READ_BUT_WRONG: list[tuple[str, Callable[[Path], Path], list[Where]]] = [
    (
        "wrong-sheet-names",
        bf.make_wrong_sheet,
        [("missing-sheet", "检查对象", None, None), ("missing-sheet", "执法人员", None, None)],
    ),
    ("missing-column", bf.make_missing_column, [("missing-column", "检查对象", 1, "区域")]),
    ("duplicate-column", bf.make_duplicate_column, [("duplicate-column", "检查对象", 1, "名称")]),
    ("merged-header", bf.make_merged_header, [("missing-column", "检查对象", 1, "监管类别")]),
    ("header-below-row-10", bf.make_header_below_row_10, [("missing-column", "检查对象", None, "区域")]),
    (
        "formula-and-error-cells",
        bf.make_formula_and_error_cells,
        [("uscc-missing", "检查对象", 2, "统一社会信用代码"),
         ("uscc-missing", "检查对象", 3, "统一社会信用代码"),
         ("region-missing", "检查对象", 4, "区域")],
    ),
    ("32767-char-cells", bf.make_huge_cell, [("uscc-length", "检查对象", 2, "统一社会信用代码")]),
    (
        "control-and-zero-width",
        bf.make_control_characters,
        [("uscc-missing", "检查对象", 2, "统一社会信用代码")],
    ),
    (
        "mixed-types",
        bf.make_mixed_types,
        [("uscc-float", "检查对象", 2, "统一社会信用代码"),
         ("uscc-length", "检查对象", 3, "统一社会信用代码"),
         ("uscc-length", "检查对象", 4, "统一社会信用代码"),
         ("region-unknown", "检查对象", 5, "区域"),
         ("risk-unknown", "检查对象", 7, "信用风险分类")],
    ),
    (
        "impossible-dates",
        bf.make_impossible_dates,
        [("credential-date-bad", "执法人员", row, "执法证有效期至") for row in (2, 3, 4)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("maker", "wanted"), [c[1:] for c in READ_BUT_WRONG], ids=[c[0] for c in READ_BUT_WRONG]
)
def test_registry_problems_name_sheet_row_and_column(
    run_cli: Any, tmp_path: Path, maker: Callable[[Path], Path], wanted: list[Where]
) -> None:
    registry = maker(tmp_path)
    human = validate(run_cli, tmp_path, registry.name, "--report", "问题清单.xlsx")
    assert_refusal(human, 1, messages.VALIDATE_FAILED.split("有")[0].format(file=registry.name))
    assert (tmp_path / "问题清单.xlsx").is_file()
    report = json.loads(validate(run_cli, tmp_path, registry.name, "--json").out)
    assert report["ok"] is False
    found = {(p["code"], p["sheet"], p["row"], p["column"]): p["message"] for p in report["problems"]}
    for code, sheet, row, column in wanted:
        matches = [
            message
            for (c, s, r, col), message in found.items()
            if c == code and s == sheet and col == column and (row is None or r == row)
        ]
        assert matches, f"no {code} at {sheet}!{row} {column}; got {sorted(found)}"
        assert all(CJK.search(m) for m in matches)


def test_draw_refuses_a_registry_with_errors_and_leaves_the_ledger(
    run_cli: Any, tmp_path: Path, ledger: Path
) -> None:
    registry = bf.make_mixed_types(tmp_path)
    before = sha256(ledger)
    result = run_cli(draw_argv(registry.name, ledger.name, "--out", "out.xlsx"), cwd=tmp_path)
    assert_refusal(result, 1, messages.DRAW_REGISTRY_ERRORS.split("有")[0].format(path=registry.name))
    assert_ledger_intact(ledger, before)
    assert not (tmp_path / "out.xlsx").exists()


def test_rich_markup_in_cells_is_shown_as_text(run_cli: Any, tmp_path: Path) -> None:
    rows = clean_entities()
    rows[1][2] = "[/]"
    rows[2][2] = "[bold red]泽州县[/bold red]"
    registry = write_registry(tmp_path / "标记.xlsx", entities=rows)
    result = validate(run_cli, tmp_path, registry.name)
    assert_refusal(result, 1, "[/]", "[bold red]泽州县[/bold red]")


# --- plan YAML files (--plan path.yaml) ------------------------------------------------------------


def _joint_plan_text() -> str:
    return (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")


def make_plan_bad_ratio(folder: Path) -> Path:
    path = folder / "比例.yaml"
    path.write_text(_joint_plan_text().replace("ratio: 1.0", "ratio: 1.5", 1), encoding="utf-8")
    return path


def make_plan_too_large(folder: Path) -> Path:
    path = folder / "超大.yaml"
    path.write_text(_joint_plan_text() + "#" + "x" * 2_100_000 + "\n", encoding="utf-8")
    return path


def make_plan_list(folder: Path) -> Path:
    path = folder / "列表.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    return path


PLANS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("yaml-alias-bomb", bf.make_yaml_alias_bomb, messages.PLAN_YAML_UNSAFE.split("（")[0]),
    ("yaml-python-tag", bf.make_yaml_python_tag, messages.PLAN_YAML_UNSAFE.split("（")[0]),
    (
        "yaml-not-utf8",
        bf.make_yaml_not_utf8,
        messages.PLAN_UNREADABLE.format(path="{path}", detail="不是 UTF-8 编码"),
    ),
    ("yaml-syntax-error", bf.make_yaml_syntax_error, messages.PLAN_YAML_ERROR.split("{detail}")[0]),
    (
        "plan-ratio-out-of-range",
        make_plan_bad_ratio,
        messages.PLAN_INVALID.split("{field}")[0].replace("{where}", "任务 1 的"),
    ),
    (
        "plan-too-large",
        make_plan_too_large,
        messages.PLAN_UNREADABLE.format(path="{path}", detail="文件过大"),
    ),
    ("plan-not-a-mapping", make_plan_list, messages.PLAN_INVALID.split("{where}")[0]),
]


@pytest.mark.parametrize(("maker", "template"), [c[1:] for c in PLANS], ids=[c[0] for c in PLANS])
def test_bad_plan_file_is_refused(
    run_cli: Any, tmp_path: Path, ledger: Path, maker: Callable[[Path], Path], template: str
) -> None:
    plan = maker(tmp_path)
    # The shared areas file is looked up next to the plan first.
    shutil.copyfile(PLANS_DIR / "jincheng.yaml", tmp_path / "jincheng.yaml")
    registry = write_registry(tmp_path / "registry.xlsx")
    expected = template.format(path=plan.name)
    result = run_cli(
        ["validate", registry.name, "--plan", plan.name, "--as-of", AS_OF.isoformat()], cwd=tmp_path
    )
    assert_refusal(result, 2, expected)
    before = sha256(ledger)
    argv = draw_argv(registry.name, ledger.name, "--out", "out.xlsx")
    argv[argv.index("joint")] = plan.name
    assert_refusal(run_cli(argv, cwd=tmp_path), 2, expected)
    assert_ledger_intact(ledger, before)
    assert not (tmp_path / "pwned.txt").exists()


def test_rich_markup_in_plan_texts_is_shown_as_text(run_cli: Any, tmp_path: Path) -> None:
    shutil.copyfile(PLANS_DIR / "jincheng.yaml", tmp_path / "jincheng.yaml")
    plan = tmp_path / "标记.yaml"
    text = _joint_plan_text().replace("name: 对报废机动车回收拆解企业的部门联合抽查", 'name: "[/]报废"', 1)
    plan.write_text(text, encoding="utf-8")
    result = run_cli(["plans", "--plan", plan.name], cwd=tmp_path)
    assert_refusal(result, 0, "[/]报废")


# --- calendar files ------------------------------------------------------------------------------

CALENDARS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("calendar-python-tag", bf.make_calendar_python_tag, messages.CALENDAR_YAML_UNSAFE.split("（")[0]),
    ("calendar-impossible-date", bf.make_calendar_impossible_date, "2027-02-30"),
    ("calendar-alias-bomb", bf.make_calendar_alias_bomb, messages.CALENDAR_INVALID.split("{where}")[0]),
]


@pytest.mark.parametrize(("maker", "template"), [c[1:] for c in CALENDARS], ids=[c[0] for c in CALENDARS])
def test_bad_calendar_file_is_refused_by_publish(
    run_cli: Any,
    tmp_path: Path,
    ledger: Path,
    ledger_template: Path,
    maker: Callable[[Path], Path],
    template: str,
) -> None:
    _publish_cli()
    calendar = maker(tmp_path)
    results = shutil.copyfile(ledger_template.parent / "task2.xlsx", tmp_path / "结果.xlsx")
    before = sha256(ledger)
    started = time.perf_counter()
    argv = [
        "publish",
        results.name,
        "--ledger",
        ledger.name,
        "--calendar",
        calendar.name,
        "--as-of",
        "2024-06-03",
    ]
    result = run_cli(argv, cwd=tmp_path)
    assert_refusal(result, 2, template.format(path=calendar.name), calendar.name)
    assert time.perf_counter() - started < 5
    assert_ledger_intact(ledger, before)
    assert listing(tmp_path) == sorted([calendar.name, results.name, ledger.name])


# --- ledgers -----------------------------------------------------------------------------------


def test_ledger_that_is_not_sqlite(run_cli: Any, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    for junk in (bf.make_ledger_not_sqlite(tmp_path), bf.make_foreign_sqlite(tmp_path)):
        before = sha256(junk)
        template = messages.LEDGER_NOT_SQLITE if "台账" in junk.name else messages.LEDGER_FOREIGN
        result = run_cli(draw_argv(registry.name, junk.name, "--out", "out.xlsx"), cwd=tmp_path)
        assert_refusal(result, 2, template.format(path=junk.name))
        assert sha256(junk) == before
        export = run_cli(["export", "--draw", "2024-joint-T1-R1-1", "--ledger", junk.name], cwd=tmp_path)
        assert_refusal(export, 2, template.format(path=junk.name))
        assert sha256(junk) == before
    assert not (tmp_path / "out.xlsx").exists()


def test_ledger_that_is_a_folder_or_in_a_missing_folder(run_cli: Any, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    (tmp_path / "台账").mkdir()
    result = run_cli(draw_argv(registry.name, "台账", "--out", "out.xlsx"), cwd=tmp_path)
    assert_refusal(result, 2, messages.LEDGER_IS_DIRECTORY.format(path="台账"))
    result = run_cli(draw_argv(registry.name, "没有/台账.sqlite3", "--out", "out.xlsx"), cwd=tmp_path)
    assert_refusal(result, 2, messages.LEDGER_FOLDER_MISSING.format(folder="没有"))
    assert not (tmp_path / "out.xlsx").exists()


@contextlib.contextmanager
def mounted_tmpfs(where: Path, size: str = "256k") -> Iterator[Path]:
    """A small tmpfs at ``where`` (root only); skips the test where mounting is not possible."""
    where.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root on Linux")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill_disk(folder: Path) -> None:
    with open(folder / "filler.bin", "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 1024)


@contextlib.contextmanager
def read_only_folder(where: Path, ledger_template: Path) -> Iterator[Path]:
    """A copy of the ledger in a folder nobody may write to; root ignores permission bits, so it gets
    a read-only mount."""
    if os.name == "posix" and os.geteuid() == 0:
        with mounted_tmpfs(where) as folder:
            path = folder / ledger_template.name
            shutil.copyfile(ledger_template, path)
            done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
            if done.returncode != 0:
                pytest.skip("cannot remount read-only")
            yield path
        return
    where.mkdir()
    path = where / ledger_template.name
    shutil.copyfile(ledger_template, path)
    path.chmod(0o444)
    where.chmod(0o555)
    try:
        yield path
    finally:
        where.chmod(0o755)


def test_read_only_ledger(run_cli: Any, tmp_path: Path, ledger_template: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    with read_only_folder(tmp_path / "ro", ledger_template) as path:
        before = sha256(path)
        result = run_cli(draw_argv(registry.name, str(path), "--out", "out.xlsx"), cwd=tmp_path)
        assert_refusal(result, 2, str(path))
        assert "只读" in result.output or "不允许写入" in result.output
        assert sha256(path) == before
    assert not (tmp_path / "out.xlsx").exists()


def test_export_from_a_read_only_ledger(run_cli: Any, tmp_path: Path, ledger_template: Path) -> None:
    with read_only_folder(tmp_path / "ro", ledger_template) as path:
        before = sha256(path)
        export = run_cli(
            ["export", "--draw", "2024-joint-T2-R1-1", "--ledger", str(path), "--out", "again.xlsx"],
            cwd=tmp_path,
        )
        assert sha256(path) == before
        assert export.code == 0, export.output


LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


def test_ledger_locked_by_another_process(
    run_cli: Any, tmp_path: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    monkeypatch.setitem(Ledger.open.__func__.__kwdefaults__, "busy_timeout", 0.3)  # type: ignore[attr-defined]
    before = sha256(ledger)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(ledger)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = run_cli(draw_argv(registry.name, ledger.name, "--out", "out.xlsx"), cwd=tmp_path)
        assert_refusal(result, 2, messages.LEDGER_LOCKED.format(path=ledger.name))
    finally:
        holder.communicate("", timeout=10)
    assert_ledger_intact(ledger, before)
    assert not (tmp_path / "out.xlsx").exists()


def test_second_draw_of_the_same_task_is_refused(run_cli: Any, tmp_path: Path, ledger: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    before = sha256(ledger)
    result = run_cli(draw_argv(registry.name, ledger.name, "--out", "again.xlsx", task=2), cwd=tmp_path)
    assert_refusal(result, 1, "2024-joint-T2-R1-1", "--redraw")
    assert_ledger_intact(ledger, before)


def test_export_of_an_unknown_draw(run_cli: Any, tmp_path: Path, ledger: Path) -> None:
    before = sha256(ledger)
    result = run_cli(["export", "--draw", "2099-joint-T9-R9-9", "--ledger", ledger.name], cwd=tmp_path)
    assert_refusal(result, 2, messages.LEDGER_UNKNOWN_DRAW.format(draw_id="2099-joint-T9-R9-9"))
    assert_ledger_intact(ledger, before)


# --- output paths ----------------------------------------------------------------------------------


def test_report_path_that_is_a_folder_or_in_a_missing_folder(run_cli: Any, tmp_path: Path) -> None:
    registry = bf.make_mixed_types(tmp_path)
    (tmp_path / "报告").mkdir()
    result = validate(run_cli, tmp_path, registry.name, "--report", "报告")
    assert_refusal(result, 2, messages.OUTPUT_IS_DIRECTORY.format(path="报告"))
    result = validate(run_cli, tmp_path, registry.name, "--report", "没有/报告.xlsx")
    assert_refusal(
        result, 2, messages.OUTPUT_FOLDER_MISSING.format(folder=tmp_path / "没有", path="没有/报告.xlsx")
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告", registry.name]


@pytest.mark.parametrize("out", ["输出", "没有/结果.xlsx"])
def test_draw_output_that_cannot_be_written_is_refused_before_drawing(
    run_cli: Any, tmp_path: Path, ledger: Path, out: str
) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    (tmp_path / "输出").mkdir()
    before = sha256(ledger)
    result = run_cli(draw_argv(registry.name, ledger.name, "--out", out), cwd=tmp_path)
    assert_refusal(result, 2, out)
    assert_ledger_intact(ledger, before)


def test_forced_report_onto_a_fifo_is_refused(run_cli: Any, tmp_path: Path) -> None:
    registry = bf.make_mixed_types(tmp_path)
    os.mkfifo(tmp_path / "管道.xlsx")
    result = validate(run_cli, tmp_path, registry.name, "--report", "管道.xlsx", "--force")
    try:
        assert_refusal(result, 2, "管道.xlsx")
    finally:
        assert (tmp_path / "管道.xlsx").is_fifo(), "the FIFO was replaced by a regular file"


# The leaked handle is asserted by test_disk_full_leaves_no_handle_open; its GC-time noise is not.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_disk_full_on_a_real_tiny_filesystem(run_cli: Any, tmp_path: Path) -> None:
    registry = bf.make_mixed_types(tmp_path)
    with mounted_tmpfs(tmp_path / "满") as folder:
        fill_disk(folder)
        result = validate(run_cli, tmp_path, registry.name, "--report", "满/报告.xlsx")
        assert_refusal(result, 2, messages.OUTPUT_DISK_FULL.format(path="满/报告.xlsx"))
        assert sorted(p.name for p in folder.iterdir()) == ["filler.bin"]  # no partial file, no temp file
        gc.collect()


def _open_files_under(folder: Path) -> list[str]:
    links = []
    for fd in list(Path("/proc/self/fd").iterdir()):
        with contextlib.suppress(OSError):  # the descriptor that listed the folder is already closed
            links.append(os.readlink(fd))
    return [link for link in links if link.startswith(str(folder))]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to list open files")
def test_disk_full_leaves_no_handle_open(run_cli: Any, tmp_path: Path) -> None:
    registry = bf.make_mixed_types(tmp_path)
    with mounted_tmpfs(tmp_path / "满") as folder:
        fill_disk(folder)
        result = validate(run_cli, tmp_path, registry.name, "--report", "满/报告.xlsx")
        assert result.code == 2
        try:
            assert _open_files_under(folder) == []
        finally:
            gc.collect()


def test_disk_full_while_writing_the_ledger(run_cli: Any, tmp_path: Path, ledger_template: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    with mounted_tmpfs(tmp_path / "满") as folder:
        path = folder / "台账.sqlite3"
        shutil.copyfile(ledger_template, path)
        before = sha256(path)
        fill_disk(folder)
        result = run_cli(draw_argv(registry.name, str(path), "--out", "out.xlsx"), cwd=tmp_path)
        assert_refusal(result, 2, str(path))
        assert sha256(path) == before
        (folder / "filler.bin").unlink()
        with Ledger.open(path, readonly=True) as book:
            assert book.audit().ok and [r.kind for r in book.records()] == ["draw"]
    assert not (tmp_path / "out.xlsx").exists()


def _enospc(*args: object, **kwargs: object) -> None:
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_simulated_for_the_report(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jcdraw.io import atomic

    registry = bf.make_mixed_types(tmp_path)
    monkeypatch.setattr(atomic, "_fsync_file", _enospc)
    result = validate(run_cli, tmp_path, registry.name, "--report", "报告.xlsx")
    assert_refusal(result, 2, messages.OUTPUT_DISK_FULL.format(path="报告.xlsx"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [registry.name]


def test_disk_full_simulated_for_the_draw_workbook(
    run_cli: Any, tmp_path: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draw stands (it is in the ledger); the user is told how to export the workbook again."""
    from jcdraw.io import atomic

    registry = write_registry(tmp_path / "registry.xlsx")
    monkeypatch.setattr(atomic, "_fsync_file", _enospc)
    # "--ledger=…" keeps run_cli from treating the ledger as an input that must stay unchanged.
    argv = draw_argv(registry.name, "", "--out", "out.xlsx")
    argv[argv.index("--ledger") : argv.index("--ledger") + 2] = [f"--ledger={ledger.name}"]
    result = run_cli(argv, cwd=tmp_path)
    assert_refusal(result, 2, "jcdraw export --draw 2024-joint-T1-R1-1", "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
    with Ledger.open(ledger, readonly=True) as book:
        assert book.audit().ok
        # The fixture's draw, the ledger's id (chained by the first CLI write), this draw.
        assert [r.kind for r in book.records()] == ["draw", "ledger", "draw"]
    monkeypatch.undo()
    export = run_cli(
        ["export", "--draw", "2024-joint-T1-R1-1", "--ledger", ledger.name, "--out", "out.xlsx"], cwd=tmp_path
    )
    assert export.code == 0, export.output
    assert (tmp_path / "out.xlsx").is_file()


# --- assignment workbooks given to verify ---------------------------------------------------------


def make_forged_record(folder: Path) -> Path:
    record = {
        "plan": "2024-joint",
        "task": "一",
        "round": 1,
        "seed": SEED,
        "as_of": "2024-02-30",
        "draw_id": "[/]",
    }
    return write_xlsx(
        folder / "伪造.xlsx",
        {
            "抽取结果": [["统一社会信用代码", "检查人员"]],
            "抽取记录": [["机读记录", json.dumps(record, ensure_ascii=False)]],
        },
    )


def test_verify_with_unreadable_or_foreign_workbooks(run_cli: Any, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    junk = bf.make_not_a_zip(tmp_path)
    result = run_cli(["verify", junk.name, "--registry", registry.name], cwd=tmp_path)
    assert_refusal(result, 2, messages.FILE_NOT_XLSX.format(path=junk.name))
    other = write_registry(tmp_path / "不是结果表.xlsx")
    result = run_cli(["verify", other.name, "--registry", registry.name], cwd=tmp_path)
    assert_refusal(result, 2, messages.VERIFY_NO_RECORD.format(path=other.name))


def test_verify_with_a_forged_machine_record(run_cli: Any, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    forged = make_forged_record(tmp_path)
    result = run_cli(["verify", forged.name, "--registry", registry.name], cwd=tmp_path)
    assert_refusal(result, {1, 2}, forged.name)


# --- results workbooks (publish) --------------------------------------------------------------------


def _publish_cli() -> Any:
    from jcdraw import cli

    return cli


@pytest.mark.parametrize(
    ("maker", "template"),
    [(bf.make_not_a_zip, messages.FILE_NOT_XLSX), (bf.make_legacy_xls, messages.FILE_XLS),
     (bf.make_billion_laughs, messages.FILE_XML_ENTITIES)],
    ids=["not-a-zip", "legacy-xls", "billion-laughs"],
)  # fmt: skip
def test_publish_refuses_unreadable_results_workbooks(
    run_cli: Any, tmp_path: Path, ledger: Path, maker: Callable[[Path], Path], template: str
) -> None:
    _publish_cli()
    workbook = maker(tmp_path)
    before = sha256(ledger)
    result = run_cli(
        ["publish", workbook.name, "--ledger", ledger.name, "--as-of", "2024-10-08"], cwd=tmp_path
    )
    assert_refusal(result, 2, template.format(path=workbook.name))
    assert_ledger_intact(ledger, before)


def test_publish_refuses_results_for_an_unknown_draw(run_cli: Any, tmp_path: Path, ledger: Path) -> None:
    _publish_cli()
    from jcdraw.records import RESULT_COLUMNS, RESULT_SHEET

    registry_rows = clean_entities()
    row = [
        "2099-joint-T9-R9-9",
        9,
        registry_rows[1][0],
        registry_rows[1][1],
        1,
        "检查事项",
        "未发现问题",
        date(2024, 9, 20),
        "14050000、14051000",
        None,
    ]
    workbook = write_xlsx(tmp_path / "结果.xlsx", {RESULT_SHEET: [RESULT_COLUMNS, row]})
    before = sha256(ledger)
    result = run_cli(
        ["publish", workbook.name, "--ledger", ledger.name, "--as-of", "2024-10-08"], cwd=tmp_path
    )
    assert_refusal(result, 1, "2099-joint-T9-R9-9", RESULT_SHEET)
    report = run_cli(
        ["publish", workbook.name, "--ledger", ledger.name, "--as-of", "2024-10-08", "--json"], cwd=tmp_path
    )
    assert report.code == 1, report.output
    found = {(p["code"], p["sheet"], p["row"], p["column"]) for p in json.loads(report.out)["problems"]}
    assert ("result-draw-unknown", RESULT_SHEET, 2, "抽取编号") in found, found
    assert_ledger_intact(ledger, before)
    assert listing(tmp_path) == sorted([workbook.name, ledger.name])


def _filled_results(drawn: Path, ledger: Path, change: Callable[[list[list[Any]]], None], out: Path) -> Path:
    """The drawn workbook's results sheet with every row filled in, then ``change``d, written to ``out``."""
    import openpyxl

    sheet = openpyxl.load_workbook(drawn)["检查结果"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    with Ledger.open(ledger, readonly=True) as book:
        teams = {s["uscc"]: s["team"] for s in book.records("draw")[0].payload["selected"]}
    for row in rows[1:]:
        row[header.index("检查结果")] = "未发现问题"
        row[header.index("检查日期")] = "2024-06-03"
        row[header.index("检查人员执法证号")] = "、".join(teams[row[header.index("统一社会信用代码")]][:2])
    change(rows)
    return bf.raw_xlsx(out, {"检查结果": bf.sheet_xml(rows)})


def _impossible_date(rows: list[list[Any]]) -> None:
    rows[1][rows[0].index("检查日期")] = "2024-02-30"


def _error_cell_result(rows: list[list[Any]]) -> None:
    rows[2][rows[0].index("检查结果")] = bf.Xml(' t="e"><v>#N/A</v>')


def _duplicate_header(rows: list[list[Any]]) -> None:
    for row in rows:
        row.append(row[rows[0].index("检查结果")])


def _formula_like_result(rows: list[list[Any]]) -> None:
    rows[1][rows[0].index("检查结果")] = '=HYPERLINK("http://x","未发现问题")'


RESULTS_CASES = [
    ("impossible-date", _impossible_date, ("result-date-bad", 2, "检查日期")),
    ("error-cell-result", _error_cell_result, ("result-missing", 3, "检查结果")),
    ("duplicate-column", _duplicate_header, ("duplicate-column", 1, "检查结果")),
    ("formula-like-result", _formula_like_result, ("result-unknown", 2, "检查结果")),
]


@pytest.mark.parametrize(
    ("change", "where"), [c[1:] for c in RESULTS_CASES], ids=[c[0] for c in RESULTS_CASES]
)
def test_publish_names_sheet_row_and_column_of_bad_results(
    run_cli: Any,
    tmp_path: Path,
    ledger: Path,
    ledger_template: Path,
    change: Callable[[list[list[Any]]], None],
    where: tuple[str, int, str],
) -> None:
    _publish_cli()
    workbook = _filled_results(ledger_template.parent / "task2.xlsx", ledger, change, tmp_path / "填报.xlsx")
    before = sha256(ledger)
    argv = ["publish", workbook.name, "--ledger", ledger.name, "--as-of", "2024-06-10", "--out", "公示.xlsx"]
    assert_refusal(run_cli(argv, cwd=tmp_path), 1, "检查结果")
    found = {
        (p["code"], p["row"], p["column"])
        for p in json.loads(run_cli([*argv, "--json"], cwd=tmp_path).out)["problems"]
    }
    assert where in found, found
    assert_ledger_intact(ledger, before)
    assert listing(tmp_path) == sorted([workbook.name, ledger.name])


def test_publish_of_the_sheet_missing(run_cli: Any, tmp_path: Path, ledger: Path) -> None:
    _publish_cli()
    workbook = write_registry(tmp_path / "名录库不是结果.xlsx")
    before = sha256(ledger)
    result = run_cli(
        ["publish", workbook.name, "--ledger", ledger.name, "--as-of", "2024-06-10"], cwd=tmp_path
    )
    assert_refusal(result, 1, "检查结果", "检查对象、执法人员")
    assert_ledger_intact(ledger, before)
