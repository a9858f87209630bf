"""Any console, any encoding; user data never drives the terminal (``jcdraw.cli.console``).

The matrix runs every command's success and failure path under ``PYTHONIOENCODING`` gbk, ascii and
utf-8 with stdout and stderr redirected to files, as a .bat log on Chinese Windows would be. To stay
fast it runs each encoding in *one* Python process that calls ``main([...])`` once per case (catching
``SystemExit``), the three processes side by side. Each case's exit code must be the expected one,
and so the same as under UTF-8; no output may contain a traceback, an encoding error or an escape
sequence, and each log must decode strictly in its own encoding.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from badfiles import raw_registry
from conftest import PLANS_DIR, clean_entities, sha256, write_registry
from rich.table import Table
from rich.text import Text
from test_publish import World, draw_payload, write_results

from jcdraw import messages
from jcdraw.cli.console import (
    FALLBACK_ERRORS,
    Cell,
    SafeConsole,
    fit,
    install_safe_streams,
    path_problem,
    print_json,
    stream_encoding,
    visible,
)
from jcdraw.cli.help_page import cell_width
from jcdraw.plans.calendar import WorkdayCalendar

SEED = "3141 5926 5358 9793 2384"
ESCAPES = "\x1b[2J\x1b[H"  # clear the screen, cursor home: must never reach a terminal raw
DRAWN = "draw.sqlite3"  # a ledger with one real draw (joint task 1) of registry.xlsx
WORLD = "world.sqlite3"  # a ledger with a recorded draw whose results are in 结果.xlsx
WORLD_DRAW = "2024-joint-T1-R1-1"


AS_OF = ["--as-of", "2024-05-20"]
DRAW_TASK_2 = ["draw", "--plan", "joint", "--task", "2", "--seed", SEED, "--ledger", DRAWN, *AS_OF]
# 2024 replayed on a later computer (in a subprocess, so the real 7-day window holds): a backfill.
PUBLISH = ["--ledger", WORLD, "--as-of", "2024-10-23", "--backfill-reason", "测试：重放 2024 年"]
CORRECT = [
    "correct", "--draw", WORLD_DRAW, "--uscc", str(draw_payload()["selected"][0]["uscc"]),
    "--result", "发现问题已责令改正", "--approved-by", "张三", "--approval-ref", "晋市商〔2024〕12号",
    "--reason", "录入错误", "--ledger", WORLD,
]  # fmt: skip

# (name, argv, exit code); run in this order in one process, so later cases see earlier outputs.
CASES: list[tuple[str, list[str], int]] = [
    ("help", ["--help"], 0),
    ("help draw", ["draw", "--help"], 0),
    ("no command", [], 2),
    ("usage error", ["draw", "--plan", "joint", "--task", "x"], 2),
    ("path with newline", ["validate", "a\nb.xlsx"], 2),
    ("validate ok", ["validate", "registry.xlsx", *AS_OF], 0),
    ("validate problems", ["validate", "escapes.xlsx", *AS_OF], 1),
    ("validate json", ["validate", "escapes.xlsx", *AS_OF, "--json"], 1),
    ("validate missing", ["validate", "没有.xlsx"], 2),
    ("plans ok", ["plans"], 0),
    ("plans history", ["plans", "--history", "--ledger", DRAWN], 0),
    ("plans unknown", ["plans", "--plan", "没有的计划"], 2),
    ("template ok", ["template", "registry", "模板.xlsx"], 0),
    ("template exists", ["template", "registry", "模板.xlsx"], 2),
    ("init ok", ["init", "工作目录"], 0),
    ("init not a folder", ["init", "registry.xlsx"], 2),
    ("draw ok", [*DRAW_TASK_2, "--out", "抽取2.xlsx"], 0),
    ("draw again", DRAW_TASK_2, 1),
    ("draw no seed", ["draw", "--plan", "joint", "--task", "3", "--ledger", DRAWN], 2),
    ("draw prepare", ["draw", "--plan", "joint", "--task", "3", "--prepare", "--ledger", DRAWN, *AS_OF], 0),
    (
        "draw random seed refused",
        ["draw", "--plan", "internal", "--task", "1", "--seed", "random", "--ledger", DRAWN, *AS_OF],
        2,
    ),
    (
        "draw practice random seed",
        ["draw", "--plan", "internal", "--task", "1", "--practice", "--seed", "random", *AS_OF],
        0,
    ),
    ("export ok", ["export", "--draw", "2024-joint-T1-R1-1", "--ledger", DRAWN, "--out", "导出.xlsx"], 0),
    ("export unknown", ["export", "--draw", f"无此编号{ESCAPES}", "--ledger", DRAWN], 2),
    ("verify ok", ["verify", "抽取1.xlsx"], 0),
    ("verify differs", ["verify", "抽取1.xlsx", "--registry", "changed.xlsx"], 1),
    ("publish refused", ["publish", "坏结果.xlsx", *PUBLISH, "--out", "p.xlsx"], 1),
    ("publish ok", ["publish", "结果.xlsx", *PUBLISH, "--html", "公示.html"], 0),
    ("correct ok", [*CORRECT, "--item", "1"], 0),
    ("correct bad item", [*CORRECT, "--item", "99"], 2),
    ("status ok", ["status", "--ledger", WORLD, "--as-of", "2024-10-23"], 0),
    ("status json", ["status", "--ledger", WORLD, "--as-of", "2024-10-23", "--json"], 0),
    ("status no ledger", ["status", "--ledger", "没有.sqlite3"], 2),
    ("audit ok", ["audit", "--ledger", WORLD], 0),
    ("audit no ledger", ["audit", "--ledger", "没有.sqlite3"], 2),
    ("visits ok", ["visits", "--ledger", DRAWN, "--out", "安排.xlsx"], 0),
    ("visits other year", ["visits", "--ledger", DRAWN, "--year", "2023"], 1),
]
EXPECTED = {name: code for name, _, code in CASES}

SCRIPT = """
import json, sys
from jcdraw.cli import main
codes = {}
for name, argv in json.loads(sys.argv[1]):
    for stream in (sys.stdout, sys.stderr):
        stream.write(f"\\n=== {name} ===\\n")
        stream.flush()
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    codes[name] = code
with open("codes.json", "w", encoding="utf-8") as handle:
    json.dump(codes, handle)
"""
ENCODINGS = ["utf-8", "gbk", "ascii"]
Outputs = tuple[dict[str, int], dict[str, str], dict[str, str]]


def _build_inputs(folder: Path) -> None:
    """The files the cases read, made once: registries, two ledgers, a draw and results workbooks."""
    write_registry(folder / "registry.xlsx")
    entities = clean_entities()
    entities[1][2] = f"{ESCAPES}城区"  # an unknown region made of escape sequences
    entities[2][1] = "乙\x1b]8;;http://x\x1b\\公司\x1b]8;;\x1b\\"  # an OSC 8 link in a name
    raw_registry(folder / "escapes.xlsx", entities=entities)
    changed = clean_entities()
    changed[1][1] = "改过名字的公司"
    write_registry(folder / "changed.xlsx", entities=changed)
    first = ["draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed", SEED, "--ledger", DRAWN,
             *AS_OF]
    assert _main_in(folder, [*first, "--out", "抽取1.xlsx"]) == 0
    world = World(folder, folder / WORLD, WorkdayCalendar.load(search_dirs=[]))
    drawn = world.draw()
    assert drawn.draw_id == WORLD_DRAW
    write_results(folder / "结果.xlsx", drawn.rows())
    bad = drawn.rows(lambda e, i: ("不存在的结果", "2024-09-20", "x"))
    write_results(folder / "坏结果.xlsx", bad)


def _run_encoding(folder: Path, encoding: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JCDRAW_", "PYTHONUTF8", "FORCE_COLOR"))}
    env.update(PYTHONIOENCODING=encoding, COLUMNS="100")
    cases = json.dumps([[name, argv] for name, argv, _ in CASES])
    with (folder / "out.log").open("wb") as out, (folder / "err.log").open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-c", SCRIPT, cases], stdout=out, stderr=err, cwd=folder, env=env
        )


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"\n=== (.+?) ===\n", text)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outputs]:
    """encoding → (exit code per case, stdout per case, stderr per case)."""
    template = tmp_path_factory.mktemp("inputs")
    _build_inputs(template)
    folders = {}
    for encoding in ENCODINGS:
        folders[encoding] = tmp_path_factory.mktemp(encoding)
        shutil.copytree(template, folders[encoding], dirs_exist_ok=True)
    processes = {encoding: _run_encoding(folder, encoding) for encoding, folder in folders.items()}
    found = {}
    for encoding, process in processes.items():
        assert process.wait(timeout=300) == 0
        folder = folders[encoding]
        codes = json.loads((folder / "codes.json").read_text(encoding="utf-8"))
        # Strict decoding: every byte of the log is valid in the encoding the caller declared.
        out = (folder / "out.log").read_bytes().decode(encoding)
        err = (folder / "err.log").read_bytes().decode(encoding)
        found[encoding] = (codes, _sections(out), _sections(err))
    return found


def _main_in(folder: Path, argv: list[str]) -> int:
    """``jcdraw argv`` in-process in ``folder``; its exit code."""
    from jcdraw.cli import main

    old = Path.cwd()
    os.chdir(folder)
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    finally:
        os.chdir(old)
    return 0


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_command_keeps_its_exit_code_in_every_encoding(matrix: Any, encoding: str) -> None:
    codes, out, err = matrix[encoding]
    assert codes == EXPECTED
    assert codes == matrix["utf-8"][0]
    for name in EXPECTED:
        text = out[name] + err[name]
        for bad in ("Traceback", "UnicodeEncodeError", "Error:", messages.UNEXPECTED_ERROR[:6], "\x1b"):
            assert bad not in text, (name, text)


FALLBACKS_SEEN = {
    "utf-8": ["✓ 校验通过", "┏━", "<U+001B>[2J<U+001B>[H城区"],
    "gbk": ["[通过] 校验通过", "[未通过] 校验未通过", "+---", "<U+001B>[2J<U+001B>[H城区"],
    "ascii": ["[OK] \\u6821\\u9a8c\\u901a\\u8fc7", "[X] ", "+---", "<U+001B>[2J<U+001B>[H\\u57ce\\u533a"],
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_symbols_fall_back_and_escapes_show(matrix: Any, encoding: str) -> None:
    _, out, err = matrix[encoding]
    text = out["validate ok"] + out["validate problems"]
    for expected in FALLBACKS_SEEN[encoding]:
        assert expected in text, (expected, text)
    report = json.loads(out["validate json"])
    region = next(p for p in report["problems"] if p["code"] == "region-unknown")
    assert region["value"] == f"{ESCAPES}城区"  # JSON keeps the exact value, escaped
    assert "<U+001B>[2J<U+001B>[H" in err["export unknown"]


def test_a_gbk_table_stays_aligned(matrix: Any) -> None:
    _, out, _ = matrix["gbk"]
    lines = [line for line in out["validate problems"].splitlines() if line.startswith(("|", "+"))]
    widths = {cell_width(line) for line in lines}
    assert len(lines) > 5 and len(widths) <= 2, out["validate problems"]  # two tables


# --- (d) escape sequences from data never reach the terminal raw ------------------------------------


def test_escape_sequences_in_registry_cells_are_shown_visibly(run_cli: Any, tmp_path: Path) -> None:
    entities = clean_entities()
    entities[1][2] = f"{ESCAPES}城区"
    raw_registry(tmp_path / "escapes.xlsx", entities=entities)
    result = run_cli(["validate", "escapes.xlsx", "--as-of", "2024-05-20"], cwd=tmp_path)
    assert result.code == 1
    assert "\x1b" not in result.output
    shown = "<U+001B>[2J<U+001B>[H城区"
    row = next(line for line in result.out.splitlines() if "region-unknown" in line)
    assert f"│ {shown} │ 区域“{shown}”不是晋城市的区县。" in row


def test_escape_sequences_in_plan_texts_are_shown_visibly(run_cli: Any, tmp_path: Path) -> None:
    shutil.copyfile(PLANS_DIR / "jincheng.yaml", tmp_path / "jincheng.yaml")
    text = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")
    name = "name: 对报废机动车回收拆解企业的部门联合抽查"
    assert name in text
    (tmp_path / "计划.yaml").write_text(text.replace(name, 'name: "对报废\\e[2J\\u202e机动车"', 1), "utf-8")
    result = run_cli(["plans", "--plan", "计划.yaml"], cwd=tmp_path)
    assert result.code == 0 and "\x1b" not in result.output and "\u202e" not in result.output
    assert "对报废<U+001B>[2J<U+202E>机动车" in result.out


# --- (e) paths with control characters are refused ----------------------------------------------------

REFUSED = (
    "命令用法有误：{who}：文件路径“{shown}”含有控制字符或不可见字符，无法使用。请检查文件名后重新输入。\n"
)


@pytest.mark.parametrize(
    ("args", "who", "shown", "help_of"),
    [
        (["validate", "名录\n库.xlsx"], "参数 名录库文件", "名录<U+000A>库.xlsx", "validate"),
        (
            ["validate", "registry.xlsx", "--report", "问题\r清单.xlsx"],
            "选项 --report",
            "问题<U+000D>清单.xlsx",
            "validate",
        ),
        (["status", "--ledger", "台账\x00.sqlite3"], "选项 --ledger", "台账<U+0000>.sqlite3", "status"),
        (
            ["publish", "x.xlsx", "--html", "公示\u202elmth.exe"],
            "选项 --html",
            "公示<U+202E>lmth.exe",
            "publish",
        ),
        (["status", "--calendar", "日历\x1b.yaml"], "选项 --calendar", "日历<U+001B>.yaml", "status"),
    ],
    ids=["argument newline", "option carriage return", "NUL", "bidi override", "list option"],
)
def test_paths_with_control_characters_are_refused(
    args: list[str], who: str, shown: str, help_of: str, run_cli: Any, tmp_path: Path
) -> None:
    write_registry(tmp_path / "registry.xlsx")
    result = run_cli(args, cwd=tmp_path)
    expected = REFUSED.format(who=who, shown=shown) + f"运行“jcdraw {help_of} --help”查看用法。\n"
    assert (result.code, result.out, result.err) == (2, "", expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.xlsx"]  # nothing written


def test_an_out_name_with_a_newline_cannot_fake_a_success_line(run_cli: Any, tmp_path: Path) -> None:
    write_registry(tmp_path / "registry.xlsx")
    fake = "结果.xlsx\n✓ 抽取完成：抽取编号 2024-joint-T1-R1-9，从 32 个符合条件的对象中抽取 32 个。"
    args = ["draw", "--plan", "joint", "--task", "1", "--seed", SEED, "--as-of", "2024-05-20", "--out", fake]
    result = run_cli(args, cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("命令用法有误：选项 --out：文件路径“结果.xlsx<U+000A>✓ 抽取完成：")
    assert not any(line.startswith("✓") for line in result.output.splitlines())
    assert not (tmp_path / "jcdraw.sqlite3").exists()  # refused before anything ran


def test_a_refused_path_is_checked_before_the_command_reads_anything(run_cli: Any, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.xlsx")
    before = sha256(registry)
    result = run_cli(["template", "registry", "registry.xlsx\x1b[2J", "--force"], cwd=tmp_path)
    assert result.code == 2 and sha256(registry) == before


# --- the sanitizer and the fallback ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J\x1b[H清屏", "<U+001B>[2J<U+001B>[H清屏"),
        (
            "\x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\",
            "<U+001B>]8;;http://x<U+001B>\\链接<U+001B>]8;;<U+001B>\\",
        ),
        ("abc\u202etxt.exe", "abc<U+202E>txt.exe"),
        ("\x9b31m红", "<U+009B>31m红"),
        ("响\x07铃\x08", "响<U+0007>铃<U+0008>"),
        ("第一行\r\n第二行\r覆盖", "第一行\n第二行<U+000D>覆盖"),
        ("甲\t乙", "甲 乙"),
        ("\ufeff名称\u200b", "<U+FEFF>名称<U+200B>"),
        ("坏\udcff名", "坏<U+DCFF>名"),
        ("晋城市商务局、“双随机”—（一）[/]:thumbs_up:", "晋城市商务局、“双随机”—（一）[/]:thumbs_up:"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert visible(shown) == shown


def test_path_problem() -> None:
    assert path_problem("名录库 2024.xlsx") is None
    assert path_problem(Path("子目录") / "结果.xlsx") is None
    assert path_problem("a\nb.xlsx") == messages.PATH_HAS_CONTROL.format(path="a<U+000A>b.xlsx")


def test_fallbacks() -> None:
    assert fit("✓ 通过", "gbk") == "[通过] 通过"
    assert (fit("✓", "ascii"), fit("✗", "gbk"), fit("⚠", "gbk")) == ("[OK]", "[未通过]", "[注意]")
    assert (fit("中", "ascii"), fit("😀", "gbk")) == ("\\u4e2d", "\\U0001f600")
    assert fit("—…“”", "ascii") == '--...""'
    assert fit("┏━┃╋│", "ascii") == "+-|+|" and fit("（，）", "ascii") == "(,)"
    assert (fit("•", "gbk"), fit("•", "ascii")) == ("·", "*")
    kept = "、“”‘’…—·×≥≤→√℃％（）【】《》─│┌┐└┘├┤┬┴┼"  # GBK holds these: kept as they are
    assert fit(kept, "gbk") == kept


def test_install_safe_streams_keeps_the_encoding_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="gbk")
    monkeypatch.setattr(sys, "stdout", stream)
    install_safe_streams()
    print("✓ 完成 😀")
    stream.flush()
    assert (stream.errors, stream_encoding(stream)) == (FALLBACK_ERRORS, "gbk")
    assert raw.getvalue().decode("gbk") == "[通过] 完成 \\U0001f600\n"


def _gbk_console(**options: Any) -> tuple[SafeConsole, io.BytesIO]:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="gbk", errors=FALLBACK_ERRORS, write_through=True)
    settings: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False, "width": 100}
    return SafeConsole(file=stream, **{**settings, **options}), raw


def test_cells_are_cleaned_before_layout_and_tables_stay_aligned() -> None:
    console, raw = _gbk_console(force_terminal=False)
    table = Table(title="结果")
    table.add_column("名称")
    table.add_column("结果")
    table.add_row(Cell("乙\x1b[2J\x1b[H公司"), Cell("✓"))
    table.add_row(Cell("丙公司"), Cell("✗", style="bold red"))
    table.add_row(Text("丁\x1b[5m公司"), Text("ok"))  # a raw Text is cleaned after layout: still safe
    console.print(table)
    console.print("路径 C:\\数据\\\x1b[31m红.xlsx :thumbs_up: [/]")
    text = raw.getvalue().decode("gbk")
    assert "\x1b" not in text
    assert "| 乙<U+001B>[2J<U+001B>[H公司 | [通过]   |" in text
    assert "| 丙公司                      | [未通过] |" in text  # aligned: measured after the fallback
    assert "路径 C:\\数据\\<U+001B>[31m红.xlsx :thumbs_up: [/]" in text


def test_a_terminal_keeps_rich_styles_but_not_user_escapes() -> None:
    console, raw = _gbk_console(force_terminal=True, color_system="standard")
    console.print(Cell("乙\x1b[2J公司", style="bold red"))
    text = raw.getvalue().decode("gbk")
    assert "\x1b[1;31m" in text and "\x1b[2J" not in text and "<U+001B>[2J" in text


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "ascii"])
def test_print_json_is_exact_and_terminal_safe(encoding: str) -> None:
    data = {"名称": "乙\x1b[2J公司\u202e\x9b", "ok": "✓"}
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, write_through=True)
    print_json(data, stream)
    text = raw.getvalue().decode(encoding)
    assert json.loads(text) == data
    assert not re.search("[\x1b\u202e\x9b]", text)
    assert ("名称" in text) == (encoding == "utf-8")
