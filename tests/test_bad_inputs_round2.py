"""Hardening corpus, round two: workbooks that attack the reader, hidden and clashing sheets, root causes,
badges as people type them, swapped columns, and default output names that must not collide.

Every case runs the real CLI (``run_cli``: no traceback, every input named on the command line
byte-identical afterwards) and asserts the exit code (1 read but has problems, 2 unusable) and a
Chinese message that names the file; where a ledger is involved it is compared byte for byte too.
The two workbooks of the issue's done-criterion (a 1.6 KB far-cell workbook and a ~5 MB workbook
inflating past the 2 GiB bound) are refused by validate, draw and publish, each within seconds.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import badfiles as bf
import hostile_books as hb
import pytest
from conftest import (
    AS_OF,
    PLANS_DIR,
    RECUSAL_HEADER,
    clean_entities,
    clean_inspectors,
    sha256,
    write_registry,
)

from jcdraw import messages
from jcdraw.io import xlsx_guard
from jcdraw.ledger import Ledger

SEED = "31415926535897932384"
INTERNAL = messages.UNEXPECTED_ERROR.split("{detail}")[0]
CJK = re.compile(r"[\u4e00-\u9fff]")
SHEET1 = hb.SHEET1
FAR_ROW = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
PUBLISH_DAY = "2024-06-10"


def squash(text: str) -> str:
    """Rich wraps long lines: compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def assert_outcome(result: Any, code: int, *expected: str) -> None:
    assert result.code == code, result.output
    assert INTERNAL not in result.output, result.output
    assert CJK.search(result.output), result.output
    for text in expected:
        assert squash(text) in squash(result.output), f"missing {text!r} in:\n{result.output}"


def problems_of(result: Any) -> list[dict[str, Any]]:
    return list(json.loads(result.out)["problems"])


def codes_of(result: Any) -> list[str]:
    return [p["code"] for p in problems_of(result)]


def validate(run_cli: Any, folder: Path, registry: str, *extra: str) -> Any:
    return run_cli(
        ["validate", registry, "--plan", "joint", "--as-of", AS_OF.isoformat(), *extra], cwd=folder
    )


def draw(run_cli: Any, folder: Path, registry: str, ledger: Path, *extra: str, records: bool = False) -> Any:
    """``records``: the draw is expected to go through, so the ledger may change."""
    argv = ["draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed", SEED, "--registry", registry,
            "--ledger", ledger.name, "--as-of", AS_OF.isoformat(), *extra]  # fmt: skip
    return run_cli(argv, cwd=folder, outputs=[ledger.name] if records else [])


def publish(
    run_cli: Any, folder: Path, results: str, ledger: Path, *extra: str, records: bool = False
) -> Any:
    argv = ["publish", results, "--ledger", ledger.name, "--as-of", PUBLISH_DAY, *extra]
    return run_cli(argv, cwd=folder, outputs=[ledger.name] if records else [])


def codes_in_order(output: str) -> list[str]:
    """Problem codes as the human report lists them (the table's last column)."""
    return re.findall(r"(?:result|badge|sheet)-[a-z-]*[a-z]", squash(output))


def listing(folder: Path) -> list[str]:
    """File names in ``folder``, without SQLite's -wal/-shm side files (reading a ledger may leave them)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def assert_ledger_intact(path: Path, digest: str) -> None:
    assert sha256(path) == digest, "the ledger was modified"
    with Ledger.open(path, readonly=True) as book:
        assert book.audit().ok
        assert [r.kind for r in book.records()] == ["draw"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a registry, a ledger holding one draw (task 2) and that draw's workbook."""
    from jcdraw.draw import run as drawing
    from jcdraw.plans.load import load_plan

    folder = tmp_path_factory.mktemp("round2")
    registry = write_registry(folder / "registry.xlsx")
    with Ledger.open(folder / "台账.sqlite3") as book:
        drawing.run_draw(
            registry, load_plan(PLANS_DIR / "2024_joint.yaml"), 2, seed=SEED, ledger=book, as_of=AS_OF,
            out=folder / "task2.xlsx",
        )  # fmt: skip
    return folder


@pytest.fixture
def ledger(tmp_path: Path, template: Path) -> Path:
    return Path(shutil.copyfile(template / "台账.sqlite3", tmp_path / "台账.sqlite3"))


def filled_rows(template: Path) -> list[list[Any]]:
    """The drawn workbook's 检查结果 rows, header first, every row filled in correctly."""
    import openpyxl

    sheet = openpyxl.load_workbook(template / "task2.xlsx")["检查结果"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    with Ledger.open(template / "台账.sqlite3", readonly=True) as book:
        teams = {s["uscc"]: s["team"] for s in book.records("draw")[0].payload["selected"]}
    for row in rows[1:]:
        row[header.index("检查结果")] = "未发现问题"
        row[header.index("检查日期")] = "2024-06-03"
        row[header.index("检查人员执法证号")] = "、".join(teams[row[header.index("统一社会信用代码")]][:2])
    return rows


def results_book(path: Path, rows: list[list[Any]], *, name: str = "检查结果", **options: Any) -> Path:
    """A results workbook: the 检查结果 sheet (named ``name``) and a visible 说明 sheet."""
    sheets = [("说明", bf.sheet_xml([["填写说明"]])), (name, bf.sheet_xml(rows))]
    return hb.write_book(path, sheets, **options)


def with_far_cell(xml: str, far_row: str = FAR_ROW) -> str:
    return xml.replace("</sheetData>", far_row + "</sheetData>")


def registry_book(path: Path, entities: str | None = None, *, states: dict[str, str] | None = None) -> Path:
    sheets = [
        ("检查对象", entities or bf.sheet_xml(clean_entities())),
        ("执法人员", bf.sheet_xml(clean_inspectors())),
    ]
    return hb.write_book(path, sheets, states=states)


def bomb(path: Path, sheets: list[tuple[str, str]], target: int) -> Path:
    """``sheets`` as written, then sheet ``target`` (1-based) replaced by valid XML that inflates to ~5 GiB
    while the zip declares ~5 MB (its compressed size): refused once 2 GiB came out, counted."""
    hb.write_book(path, sheets)
    xml = sheets[target - 1][1]
    head, tail = xml.split("</sheetData>")
    stream = hb.deflate_stream(head.encode(), hb.BOMB_BLOCK, 5 * 1024, ("</sheetData>" + tail).encode())
    return hb.replace_with_deflated(path, f"xl/worksheets/sheet{target}.xml", stream)


# --- 1. workbooks that would kill the reader: refused, exit 2, in seconds -----------------------------


def far_cell_registry(folder: Path) -> Path:
    return registry_book(folder / "远处单元格.xlsx", with_far_cell(bf.sheet_xml(clean_entities())))


def bomb_registry(folder: Path) -> Path:
    entities = bf.sheet_xml(clean_entities())
    return bomb(
        folder / "解压炸弹.xlsx", [("检查对象", entities), ("执法人员", bf.sheet_xml(clean_inspectors()))], 1
    )


def far_cell_message(path: str, sheet: str) -> str:
    return messages.GUARD_GRID_TOO_LARGE.format(
        path=path, sheet=sheet, rows=1_048_576, cols=16_384, cell="XFD1048576", cells=1_048_576 * 16_384,
        bound=1 << 25, gb=(1 << 25) * 48 / 1e9,
    )  # fmt: skip


def bomb_message(path: str, part: str) -> str:
    return messages.GUARD_PART_TOO_LARGE.format(path=path, part=part, bound="2.0 GB")


DONE_CRITERION = [
    ("far-cell", far_cell_registry, lambda p: far_cell_message(p, "检查对象")),
    ("inflates-past-2GiB", bomb_registry, lambda p: bomb_message(p, "xl/worksheets/sheet1.xml")),
]


@pytest.mark.parametrize(
    ("maker", "message"), [c[1:] for c in DONE_CRITERION], ids=[c[0] for c in DONE_CRITERION]
)
def test_hostile_registry_is_refused_by_validate_and_draw_in_seconds(
    run_cli: Any, tmp_path: Path, ledger: Path, maker: Callable[[Path], Path], message: Callable[[str], str]
) -> None:
    registry = maker(tmp_path)
    assert registry.stat().st_size < 6 * 1024**2
    before = sha256(ledger)
    for command in (validate, lambda *a: draw(*a[:3], ledger, "--out", "out.xlsx")):
        started = time.perf_counter()
        result = command(run_cli, tmp_path, registry.name)
        assert time.perf_counter() - started < 20
        assert_outcome(result, 2, message(registry.name))
    assert_ledger_intact(ledger, before)
    assert listing(tmp_path) == sorted([registry.name, ledger.name])


def test_far_cell_results_are_refused_by_publish(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    workbook = results_book(tmp_path / "远处结果.xlsx", filled_rows(template))
    with zipfile.ZipFile(workbook) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet2.xml"] = with_far_cell(parts["xl/worksheets/sheet2.xml"].decode()).encode()
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    before = sha256(ledger)
    started = time.perf_counter()
    result = publish(run_cli, tmp_path, workbook.name, ledger)
    assert time.perf_counter() - started < 20
    assert_outcome(result, 2, far_cell_message(workbook.name, "检查结果"))
    assert_ledger_intact(ledger, before)
    assert listing(tmp_path) == sorted([workbook.name, ledger.name])


def test_results_inflating_past_the_bound_are_refused_by_publish(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    rows = filled_rows(template)
    workbook = bomb(
        tmp_path / "结果炸弹.xlsx", [("说明", bf.sheet_xml([["说明"]])), ("检查结果", bf.sheet_xml(rows))], 2
    )
    assert workbook.stat().st_size < 6 * 1024**2
    before = sha256(ledger)
    started = time.perf_counter()
    result = publish(run_cli, tmp_path, workbook.name, ledger)
    assert time.perf_counter() - started < 20
    assert_outcome(result, 2, bomb_message(workbook.name, "xl/worksheets/sheet2.xml"))
    assert_ledger_intact(ledger, before)


def test_a_far_cell_in_the_assignment_workbook_is_refused_by_verify(
    run_cli: Any, tmp_path: Path, template: Path
) -> None:
    from jcdraw.io.xlsx_layout import read_layout

    shutil.copyfile(template / "registry.xlsx", tmp_path / "registry.xlsx")
    workbook = tmp_path / "远处记录.xlsx"
    [part] = read_layout(template / "task2.xlsx").entry("抽取记录").parts  # type: ignore[union-attr]
    with zipfile.ZipFile(template / "task2.xlsx") as source, zipfile.ZipFile(workbook, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, with_far_cell(data.decode()).encode() if item.filename == part else data)
    result = run_cli(["verify", workbook.name, "--registry", "registry.xlsx"], cwd=tmp_path)
    assert_outcome(result, 2, far_cell_message(workbook.name, "抽取记录"))


def _lone_far_cell(folder: Path) -> Path:
    return registry_book(folder / "孤立远处.xlsx", hb.sheet_xml(FAR_ROW))


def _beyond_excel(folder: Path) -> Path:
    far = '<row r="2"><c r="XFE2"><v>1</v></c></row>'
    return registry_book(folder / "超出列.xlsx", with_far_cell(bf.sheet_xml(clean_entities()), far))


def _prefixed_far_cell(folder: Path) -> Path:
    data = '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>' + FAR_ROW.replace("<", "<x:").replace(
        "<x:/", "</x:"
    )
    return registry_book(folder / "前缀.xlsx", hb.sheet_xml(data, prefix="x"))


def _cell_without_reference(folder: Path) -> Path:
    data = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFC1048576"/><c><v>3</v></c></row>'
    return registry_book(folder / "无引用.xlsx", hb.sheet_xml(data))


def _absurd_shared_strings(folder: Path) -> Path:
    path = folder / "共享字符串.xlsx"
    sst = hb.shared_strings_xml(["甲"], unique_count=10**13)
    sheets = [("检查对象", bf.sheet_xml(clean_entities())), ("执法人员", bf.sheet_xml(clean_inspectors()))]
    return hb.write_book(path, sheets, shared_strings=sst)


def _shared_string_copies(folder: Path) -> Path:
    """80,000 名称 cells all referring to one 32,767-character shared string: 2.4 GB once copied."""
    rows = "".join(f'<row r="{n}"><c r="B{n}" t="s"><v>0</v></c></row>' for n in range(1, 80_001))
    sst = hb.shared_strings_xml(["名" * 10_922])  # 32,766 bytes of UTF-8
    sheets = [("检查对象", hb.sheet_xml(rows)), ("执法人员", bf.sheet_xml(clean_inspectors()))]
    return hb.write_book(folder / "共享副本.xlsx", sheets, shared_strings=sst)


def _member_case_twins(folder: Path) -> Path:
    path = registry_book(folder / "同名部件.xlsx")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("XL/Worksheets/Sheet1.xml", hb.sheet_xml(FAR_ROW))
    return path


HOSTILE: list[tuple[str, Callable[[Path], Path], Callable[[str], str]]] = [
    (
        "lone-far-cell", _lone_far_cell,
        lambda p: messages.GUARD_GRID_TOO_LARGE.split("的内容")[0].format(path=p, sheet="检查对象"),
    ),
    ("cell-beyond-excel", _beyond_excel,
     lambda p: messages.GUARD_CELL_BEYOND_EXCEL.format(path=p, sheet="检查对象", cell="XFE2")),
    ("prefixed-far-cell", _prefixed_far_cell, lambda p: far_cell_message(p, "检查对象")),
    ("cell-without-reference", _cell_without_reference, lambda p: far_cell_message(p, "检查对象")),
    ("absurd-shared-strings", _absurd_shared_strings,
     lambda p: messages.GUARD_TOO_MANY_STRINGS.format(path=p, count=10**13, bound=1 << 25)),
    ("shared-string-copies", _shared_string_copies,
     lambda p: messages.GUARD_SHARED_TEXT_TOO_LARGE.split("约")[0].format(path=p, sheet="检查对象")),
    ("member-case-twins", _member_case_twins,
     lambda p: messages.GUARD_DUPLICATE_MEMBER.format(path=p, name="XL/Worksheets/Sheet1.xml")),
]  # fmt: skip


@pytest.mark.parametrize(("maker", "message"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_other_reader_attacks_are_refused_with_the_bound_named(
    run_cli: Any, tmp_path: Path, ledger: Path, maker: Callable[[Path], Path], message: Callable[[str], str]
) -> None:
    registry = maker(tmp_path)
    assert_outcome(validate(run_cli, tmp_path, registry.name), 2, message(registry.name))
    before = sha256(ledger)
    assert_outcome(
        draw(run_cli, tmp_path, registry.name, ledger, "--out", "out.xlsx"), 2, message(registry.name)
    )
    assert_ledger_intact(ledger, before)


def test_a_calamine_panic_is_a_message_not_a_traceback(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the measure switched off the lone far cell reaches calamine, which panics (a BaseException
    that ``except Exception`` misses): the user still gets one Chinese line and exit 2."""
    registry = _lone_far_cell(tmp_path)
    monkeypatch.setattr(xlsx_guard.GuardedWorkbook, "measure", lambda self, sheet: None)
    result = validate(run_cli, tmp_path, registry.name)
    prefix = messages.GUARD_NATIVE_CRASH.split("{detail}")[0]
    assert_outcome(result, 2, prefix.format(path=registry.name, where="的工作表“检查对象”"), "另存为")


def test_a_far_cell_in_a_sheet_never_read_does_not_block(run_cli: Any, tmp_path: Path) -> None:
    registry = hb.write_book(
        tmp_path / "旁表.xlsx",
        [("检查对象", bf.sheet_xml(clean_entities())), ("执法人员", bf.sheet_xml(clean_inspectors())),
         ("草稿", hb.sheet_xml(hb.far_cell_data()))],
    )  # fmt: skip
    assert_outcome(validate(run_cli, tmp_path, registry.name), 0, registry.name)


# --- every path to calamine is measured first (registry, results, verify) ----------------------------


class CalamineSpy:
    """Stands in for python_calamine inside the guard: records what calamine opens and parses, and
    fails if a sheet is parsed that was not measured just before."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import python_calamine

        self.real = python_calamine
        self.opened: list[str] = []
        self.parsed: list[str] = []
        self.measured: list[str] = []
        real_measure = xlsx_guard.measure_sheet

        def measure(path: Path, part: str, **kwargs: Any) -> Any:
            found = real_measure(path, part, **kwargs)  # raises for a hostile sheet: then not recorded
            self.measured.append(f"{Path(path).name}!{kwargs['sheet']}")
            return found

        monkeypatch.setattr(xlsx_guard, "measure_sheet", measure)
        monkeypatch.setattr(xlsx_guard, "python_calamine", SimpleNamespace(CalamineWorkbook=self))

    def from_path(self, path: str) -> Any:
        self.opened.append(Path(path).name)
        return _SpyBook(self, Path(path).name, self.real.CalamineWorkbook.from_path(path))


class _SpyBook:
    def __init__(self, spy: CalamineSpy, name: str, book: Any) -> None:
        self.spy, self.name, self.book = spy, name, book
        self.sheet_names = book.sheet_names

    def get_sheet_by_name(self, sheet: str) -> Any:
        key = f"{self.name}!{sheet}"
        assert key in self.spy.measured, f"{key} parsed unmeasured"
        self.spy.parsed.append(key)
        return self.book.get_sheet_by_name(sheet)


def test_registry_results_and_verify_readers_parse_only_measured_sheets(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = CalamineSpy(monkeypatch)
    for name in ("registry.xlsx", "task2.xlsx"):
        shutil.copyfile(template / name, tmp_path / name)
    results = results_book(tmp_path / "结果.xlsx", filled_rows(template))
    assert_outcome(validate(run_cli, tmp_path, "registry.xlsx"), 0, "registry.xlsx")
    assert_outcome(
        run_cli(["verify", "task2.xlsx", "--registry", "registry.xlsx"], cwd=tmp_path), 0, "task2.xlsx"
    )
    published = publish(run_cli, tmp_path, results.name, ledger, "--out", "公示.xlsx", records=True)
    assert_outcome(published, 0, "公示.xlsx")
    assert {"registry.xlsx!检查对象", "registry.xlsx!执法人员", "task2.xlsx!抽取记录", "task2.xlsx!抽取结果",
            "结果.xlsx!检查结果"} <= set(spy.parsed)  # fmt: skip
    hostile = far_cell_registry(tmp_path)
    assert_outcome(validate(run_cli, tmp_path, hostile.name), 2, hostile.name)
    assert f"{hostile.name}!检查对象" not in spy.parsed
    strings = _absurd_shared_strings(tmp_path)
    assert_outcome(validate(run_cli, tmp_path, strings.name), 2, strings.name)
    assert strings.name not in spy.opened  # refused before calamine opened it


# --- 2. sheets: hidden ones are read with a warning, clashing names are refused -----------------------


def hidden_warning(sheet: str) -> str:
    """The warning's first sentence (the problem table wraps the rest between its borders)."""
    return messages.PROBLEMS["sheet-hidden"][1].format(sheet_name=sheet, state="隐藏的").split("。")[0]


def test_a_hidden_registry_sheet_is_read_with_a_warning(run_cli: Any, tmp_path: Path) -> None:
    registry = registry_book(tmp_path / "隐藏.xlsx", states={"检查对象": "hidden", "执法人员": "veryHidden"})
    result = validate(run_cli, tmp_path, registry.name)
    assert_outcome(result, 0, registry.name, hidden_warning("检查对象"))
    assert "深度隐藏" in result.output
    report = validate(run_cli, tmp_path, registry.name, "--json")
    assert [(p["code"], p["sheet"]) for p in problems_of(report)] == [
        ("sheet-hidden", "执法人员"), ("sheet-hidden", "检查对象")
    ]  # fmt: skip


def test_a_hidden_registry_sheet_is_named_by_draw(run_cli: Any, tmp_path: Path, ledger: Path) -> None:
    registry = registry_book(tmp_path / "隐藏抽取.xlsx", states={"检查对象": "hidden"})
    result = draw(run_cli, tmp_path, registry.name, ledger, "--out", "out.xlsx", records=True)
    assert_outcome(result, 0, hidden_warning("检查对象"))


def test_a_hidden_results_sheet_is_published_with_the_warning_shown(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    workbook = results_book(tmp_path / "隐藏结果.xlsx", filled_rows(template), states={"检查结果": "hidden"})
    result = publish(run_cli, tmp_path, workbook.name, ledger, "--out", "公示.xlsx", records=True)
    assert_outcome(result, 0, hidden_warning("检查结果"))


def test_verify_notes_a_hidden_record_sheet(run_cli: Any, tmp_path: Path, template: Path) -> None:
    shutil.copyfile(template / "registry.xlsx", tmp_path / "registry.xlsx")
    workbook = tmp_path / "隐藏记录.xlsx"
    with zipfile.ZipFile(template / "task2.xlsx") as source, zipfile.ZipFile(workbook, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace('name="抽取记录"'.encode(), 'name="抽取记录" state="hidden"'.encode())
            target.writestr(item, data)
    result = run_cli(["verify", workbook.name, "--registry", "registry.xlsx"], cwd=tmp_path)
    note = messages.VERIFY_HIDDEN_SHEET.format(path=workbook.name, sheet="抽取记录", state="隐藏的")
    assert_outcome(result, 0, note)


def test_registry_sheets_whose_names_normalise_alike_are_refused(
    run_cli: Any, tmp_path: Path, ledger: Path
) -> None:
    registry = bf.raw_xlsx(
        tmp_path / "同名表.xlsx",
        {"检查对象": bf.sheet_xml(clean_entities()), "检查对象\u3000": bf.sheet_xml(clean_entities()[:2]),
         "执法人员": bf.sheet_xml(clean_inspectors())},
    )  # fmt: skip
    expected = messages.SHEET_NAME_CLASH.format(path=registry.name, first="检查对象", second="检查对象\u3000")
    assert_outcome(validate(run_cli, tmp_path, registry.name), 2, expected)
    before = sha256(ledger)
    assert_outcome(draw(run_cli, tmp_path, registry.name, ledger, "--out", "out.xlsx"), 2, expected)
    assert_ledger_intact(ledger, before)


def test_results_sheets_whose_names_normalise_alike_are_refused(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    rows = filled_rows(template)
    workbook = hb.write_book(
        tmp_path / "两张结果表.xlsx",
        [("检查结果", bf.sheet_xml(rows)), (" 检查结果", bf.sheet_xml(rows[:1]))],
    )
    before = sha256(ledger)
    expected = messages.SHEET_NAME_CLASH.format(path=workbook.name, first="检查结果", second=" 检查结果")
    assert_outcome(publish(run_cli, tmp_path, workbook.name, ledger), 2, expected)
    assert_ledger_intact(ledger, before)


# --- 5. root cause first ----------------------------------------------------------------------------


def test_wrongly_named_sheets_are_the_only_problems_reported(run_cli: Any, tmp_path: Path) -> None:
    registry = bf.raw_xlsx(
        tmp_path / "表名.xlsx",
        {"Sheet1": bf.sheet_xml(clean_entities()), "人员库": bf.sheet_xml(clean_inspectors())},
    )
    result = validate(run_cli, tmp_path, registry.name)
    assert_outcome(result, 1, messages.VALIDATE_FAILED.split("有")[0].format(file=registry.name))
    assert squash(result.output).index("找不到工作表") < squash(result.output).index("已跳过")
    assert "无法组成检查组" not in result.output
    report = validate(run_cli, tmp_path, registry.name, "--json")
    assert [(p["code"], p["sheet"]) for p in problems_of(report)] == [
        ("missing-sheet", "执法人员"), ("missing-sheet", "检查对象"), ("checks-skipped", None)
    ]  # fmt: skip
    assert json.loads(report.out)["tasks"] == []


def test_a_missing_department_column_does_not_make_recusal_badges_unknown(
    run_cli: Any, tmp_path: Path
) -> None:
    inspectors = [row[:2] + row[3:] for row in clean_inspectors()]  # no 部门
    recusals = [RECUSAL_HEADER, [inspectors[1][0], clean_entities()[1][0], "亲属"]]
    registry = write_registry(tmp_path / "缺部门.xlsx", inspectors=inspectors, recusals=recusals)
    result = validate(run_cli, tmp_path, registry.name, "--json")
    assert result.code == 1
    assert codes_of(result) == ["missing-column", "checks-skipped"]
    human = validate(run_cli, tmp_path, registry.name)
    assert_outcome(human, 1, registry.name, "缺少必填列“部门”")
    assert "不在执法人员库中" not in human.output


def test_independent_problems_of_the_same_kind_are_all_reported(
    run_cli: Any, tmp_path: Path, ledger: Path
) -> None:
    inspectors = [[*row, row[1]] for row in clean_inspectors()]  # a second 姓名 column
    registry = bf.raw_xlsx(
        tmp_path / "两处结构.xlsx",
        {"对象": bf.sheet_xml(clean_entities()), "执法人员": bf.sheet_xml(inspectors)},
    )
    result = validate(run_cli, tmp_path, registry.name, "--json")
    assert codes_of(result) == ["duplicate-column", "missing-sheet", "checks-skipped"]
    before = sha256(ledger)
    refused = draw(run_cli, tmp_path, registry.name, ledger, "--out", "out.xlsx")
    assert_outcome(refused, 1, messages.DRAW_REGISTRY_ERRORS.split("有")[0].format(path=registry.name))
    assert_ledger_intact(ledger, before)


# --- 7. badges as people type them ------------------------------------------------------------------


def test_badges_separated_by_spaces_and_line_breaks_are_read_as_several(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    rows = filled_rows(template)
    column = rows[0].index("检查人员执法证号")
    for n, row in enumerate(rows[1:]):
        row[column] = row[column].replace("、", [" ", "\n", "，", "/", ";", "\u3000"][n % 6])
    workbook = results_book(tmp_path / "空格分隔.xlsx", rows)
    before = sha256(ledger)
    result = publish(run_cli, tmp_path, workbook.name, ledger, "--out", "公示.xlsx", records=True)
    assert_outcome(result, 0, "公示.xlsx")
    assert sha256(ledger) != before  # recorded: the badges were two each, from the team


def test_a_stranger_among_space_separated_badges_is_named_alone(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    rows = filled_rows(template)
    column = rows[0].index("检查人员执法证号")
    first = rows[1][column].split("、")[0]
    rows[1][column] = f"{first} 99990001"
    workbook = results_book(tmp_path / "陌生人.xlsx", rows)
    before = sha256(ledger)
    result = publish(run_cli, tmp_path, workbook.name, ledger, "--json")
    assert result.code == 1
    [problem] = [p for p in problems_of(result) if p["code"] == "result-badge-not-in-team"]
    assert (problem["row"], problem["value"]) == (2, "99990001")
    assert_outcome(publish(run_cli, tmp_path, workbook.name, ledger), 1, workbook.name, "99990001")
    assert_ledger_intact(ledger, before)


def test_badges_typed_as_numbers_are_shown_as_digits_with_a_warning(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    rows = filled_rows(template)
    column = rows[0].index("检查人员执法证号")
    lone = int(rows[1][column].split("、")[0])
    rows[1][column] = lone  # one badge, typed into a number cell: too few, and a number
    workbook = results_book(tmp_path / "数字证号.xlsx", rows)
    before = sha256(ledger)
    result = publish(run_cli, tmp_path, workbook.name, ledger, "--json")
    found = {p["code"]: p for p in problems_of(result)}
    assert found["result-badges-too-few"]["value"] == str(lone)
    assert found["badge-number"]["value"] == str(lone) and found["badge-number"]["severity"] == "warning"
    assert_outcome(publish(run_cli, tmp_path, workbook.name, ledger), 1, workbook.name, "被Excel存成了数字")
    assert f"{lone}.0" not in publish(run_cli, tmp_path, workbook.name, ledger).output
    assert_ledger_intact(ledger, before)


def test_registry_badges_typed_as_numbers_and_several_per_recusal_row(run_cli: Any, tmp_path: Path) -> None:
    inspectors = clean_inspectors()
    badge = inspectors[1][0]
    inspectors[1][0] = float(badge)  # typed into a number cell
    code = clean_entities()[1][0]
    recusals = [RECUSAL_HEADER, [f"{inspectors[2][0]} 99990001\n{inspectors[3][0]}", code, "亲属"]]
    registry = write_registry(tmp_path / "证号.xlsx", inspectors=inspectors, recusals=recusals)
    result = validate(run_cli, tmp_path, registry.name, "--json")
    found = {(p["code"], p["value"]) for p in problems_of(result)}
    assert ("badge-number", badge) in found
    assert ("recusal-badge-unknown", "99990001") in found  # the stranger alone, not the joined cell
    assert_outcome(validate(run_cli, tmp_path, registry.name), 1, registry.name, "99990001")


# --- 8. swapped columns: the first message says so --------------------------------------------------


def _swap(rows: list[list[Any]], first: str, second: str) -> None:
    a, b = rows[0].index(first), rows[0].index(second)
    for row in rows[1:]:
        row[a], row[b] = row[b], row[a]


SWAPS = [
    ("result-and-date", "检查结果", "检查日期", None),
    ("result-and-badges", "检查结果", "检查人员执法证号", None),
    ("date-and-badges", "检查日期", "检查人员执法证号", None),
    ("badges-and-note", "检查人员执法证号", "备注", "已当场整改"),
]


@pytest.mark.parametrize(("first", "second", "note"), [c[1:] for c in SWAPS], ids=[c[0] for c in SWAPS])
def test_swapped_columns_are_named_in_the_first_message(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path, first: str, second: str, note: str | None
) -> None:
    rows = filled_rows(template)
    if note is not None:
        for row in rows[1:]:
            row[rows[0].index("备注")] = note
    _swap(rows, first, second)
    workbook = results_book(tmp_path / "填反.xlsx", rows)
    before = sha256(ledger)
    report = publish(run_cli, tmp_path, workbook.name, ledger, "--json")
    assert report.code == 1
    head = problems_of(report)[0]
    assert (head["code"], head["column"]) == ("result-columns-swapped", first)
    assert f"“{first}”列和“{second}”列的内容看起来填反了" in head["message"]
    human = publish(run_cli, tmp_path, workbook.name, ledger)
    assert_outcome(human, 1, workbook.name)
    assert codes_in_order(human.output)[0] == "result-columns-swapped"
    assert_ledger_intact(ledger, before)


def test_notes_and_results_in_their_own_columns_are_not_called_swapped(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    rows = filled_rows(template)
    for n, row in enumerate(rows[1:]):
        row[rows[0].index("备注")] = ["已当场整改", "负责人不在，联系电话 0356-1234567", "14050001 已签字"][
            n % 3
        ]
    workbook = results_book(tmp_path / "正常.xlsx", rows)
    result = publish(run_cli, tmp_path, workbook.name, ledger, "--out", "公示.xlsx", records=True)
    assert_outcome(result, 0, "公示.xlsx")


# --- 9. default output names never collide ----------------------------------------------------------


def test_publish_twice_in_a_day_numbers_the_second_output(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    workbook = results_book(tmp_path / "结果.xlsx", filled_rows(template))
    first = publish(run_cli, tmp_path, workbook.name, ledger, records=True)
    assert_outcome(first, 0, f"公示-{PUBLISH_DAY}.xlsx")
    second = publish(run_cli, tmp_path, workbook.name, ledger, records=True)
    assert_outcome(second, 0, f"公示-{PUBLISH_DAY}-2.xlsx")
    assert (tmp_path / f"公示-{PUBLISH_DAY}.xlsx").is_file() and (
        tmp_path / f"公示-{PUBLISH_DAY}-2.xlsx"
    ).is_file()


def test_a_named_output_still_refuses_to_overwrite(
    run_cli: Any, tmp_path: Path, ledger: Path, template: Path
) -> None:
    workbook = results_book(tmp_path / "结果.xlsx", filled_rows(template))
    (tmp_path / "公示.xlsx").write_bytes(b"keep me")
    before = sha256(ledger)
    result = publish(run_cli, tmp_path, workbook.name, ledger, "--out", "公示.xlsx")
    assert_outcome(result, 2, messages.OUTPUT_EXISTS.format(path="公示.xlsx"))
    assert (tmp_path / "公示.xlsx").read_bytes() == b"keep me"
    assert_ledger_intact(ledger, before)


def test_export_and_visits_number_their_default_names(run_cli: Any, tmp_path: Path, ledger: Path) -> None:
    before = sha256(ledger)
    argv = ["export", "--draw", "2024-joint-T2-R1-1", "--ledger", ledger.name]
    first, second = run_cli(argv, cwd=tmp_path), run_cli(argv, cwd=tmp_path)
    assert_outcome(first, 0, "draw-2024-joint-task2-round1.xlsx")
    assert_outcome(second, 0, "draw-2024-joint-task2-round1-2.xlsx")
    visits = [run_cli(["visits", "--ledger", ledger.name], cwd=tmp_path) for _ in range(2)]
    assert_outcome(visits[0], 0, "visits-2024.xlsx")
    assert_outcome(visits[1], 0, "visits-2024-2.xlsx")
    assert sha256(ledger) == before
