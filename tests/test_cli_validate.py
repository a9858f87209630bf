"""``jcdraw validate``: exit codes, --json, --report, the example registries and unusable inputs."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF, EXAMPLES, INSPECTOR_HEADER, clean_inspectors, write_registry

from jcdraw import messages

# The example workbooks were generated on this day; the broken one plants a credential that expired
# on 2024-06-30, reported as expired only after that date.
EXAMPLES_AS_OF = "2026-11-28"
Where = tuple[str, str | None, int | None, str | None]


def locations(report: dict[str, Any]) -> set[Where]:
    """Row-level problems as (code, sheet, row, column); task-level problems have no row."""
    return {
        (p["code"], p["sheet"], p["row"], p["column"]) for p in report["problems"] if p["row"] is not None
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


# --- exit codes --------------------------------------------------------------------------------


def test_clean_registry_exits_0(run_cli: Any, folder: Path) -> None:
    write_registry(folder / "registry.xlsx")
    result = run_cli(["validate", "registry.xlsx", "--as-of", AS_OF.isoformat()], cwd=folder)
    assert result.code == 0, result.output
    assert "✓ 校验通过：registry.xlsx（错误 0 处，警告 0 处，提示 0 处）。" in result.flat
    assert "2024-joint" in result.out and "2024-internal" in result.out  # every task summarised


def test_warnings_alone_still_exit_0(run_cli: Any, folder: Path) -> None:
    inspectors = [*clean_inspectors(), ["X1", "外单位", "晋城市教育局", date(2026, 1, 1), "在岗", None, None]]
    write_registry(folder / "registry.xlsx", inspectors=inspectors)
    result = run_cli(["validate", "registry.xlsx", "--as-of", AS_OF.isoformat()], cwd=folder)
    assert result.code == 0
    assert "警告 1 处" in result.flat and "department-unknown" in result.out


def test_errors_exit_1(run_cli: Any, folder: Path) -> None:
    write_registry(folder / "registry.xlsx", inspectors=[INSPECTOR_HEADER])
    result = run_cli(["validate", "registry.xlsx", "--as-of", AS_OF.isoformat()], cwd=folder)
    assert result.code == 1
    assert "✗ 校验未通过：registry.xlsx" in result.flat
    assert "执法人员库为空" in result.flat


def test_understaffed_task_exits_1(run_cli: Any, folder: Path) -> None:
    inspectors = [row for row in clean_inspectors() if row[2] != "国家税务总局晋城市税务局"]
    write_registry(folder / "registry.xlsx", inspectors=inspectors)
    result = run_cli(
        ["validate", "registry.xlsx", "--plan", "joint", "--json", "--as-of", "2024-05-20"], cwd=folder
    )
    assert result.code == 1
    report = json.loads(result.out)
    understaffed = [p for p in report["problems"] if p["code"] == "task-understaffed"]
    assert len(understaffed) == 4  # tasks 2-5 take the tax bureau along
    assert all("国家税务总局晋城市税务局" in p["message"] for p in understaffed)
    assert [t["staffed"] for t in report["tasks"]] == [True, False, False, False, False, True]


# --- --json --------------------------------------------------------------------------------------


def test_json_output(run_cli: Any, folder: Path) -> None:
    inspectors = clean_inspectors()
    inspectors[3][2] = "晋城市教育局"
    write_registry(folder / "registry.xlsx", inspectors=inspectors)
    result = run_cli(["validate", "registry.xlsx", "--json", "--as-of", AS_OF.isoformat()], cwd=folder)
    assert result.code == 0 and result.err == ""
    assert "晋城市教育局" in result.out and "\\u" not in result.out  # Chinese unescaped
    report = json.loads(result.out)
    assert report["ok"] is True
    assert report["problems"] == [
        {
            "severity": "warning",
            "code": "department-unknown",
            "sheet": "执法人员",
            "row": 4,
            "column": "部门",
            "value": "晋城市教育局",
            "message": messages.PROBLEMS["department-unknown"][1].format(
                value="晋城市教育局",
                choices="晋城市商务局、晋城市公安局、晋城市公安分局、晋城市市场监督管理局、国家税务总局晋城市税务局",
            ),
        }
    ]
    assert len(report["tasks"]) == 8
    task = next(t for t in report["tasks"] if t["plan"] == "2024-joint" and t["task"] == 2)
    # Weighted at 30%: n = ⌈1.2⌉ = 2, quotas 1/5, 2/5, 3/5, 4/5: the two seats go to D and C.
    assert (task["plan"], task["task"], task["eligible"], task["draw_size"], task["rule"]) == (
        "2024-joint",
        2,
        {"A": 1, "B": 1, "C": 1, "D": 1},
        {"A": 0, "B": 0, "C": 1, "D": 1},
        "weighted",
    )


# --- --report ------------------------------------------------------------------------------------


def test_report_workbook(run_cli: Any, folder: Path) -> None:
    shutil.copyfile(EXAMPLES / "registry-broken.xlsx", folder / "broken.xlsx")
    argv = ["validate", "broken.xlsx", "--report", "问题清单.xlsx", "--as-of", EXAMPLES_AS_OF]
    result = run_cli(argv, cwd=folder)
    assert result.code == 1
    assert "问题清单已写入：问题清单.xlsx" in result.flat
    report = json.loads(run_cli([*argv[:2], "--json", "--as-of", EXAMPLES_AS_OF], cwd=folder).out)

    book = openpyxl.load_workbook(folder / "问题清单.xlsx")
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == messages.PROBLEM_REPORT_HEADERS
    assert sheet.freeze_panes == "A2"
    assert len(rows) - 1 == len(report["problems"])
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == [
        (p["code"], p["sheet"], p["row"], p["column"]) for p in report["problems"]
    ]
    assert {r[0] for r in rows[1:]} == {"错误", "警告"}
    assert rows[1][6] == report["problems"][0]["message"]


def test_report_is_not_overwritten_without_force(run_cli: Any, folder: Path) -> None:
    write_registry(folder / "registry.xlsx")
    (folder / "问题清单.xlsx").write_bytes(b"keep me")
    argv = ["validate", "registry.xlsx", "--report", "问题清单.xlsx", "--as-of", AS_OF.isoformat()]
    result = run_cli(argv, cwd=folder)
    assert result.code == 2
    assert "文件“问题清单.xlsx”已存在" in result.flat
    assert (folder / "问题清单.xlsx").read_bytes() == b"keep me"
    assert run_cli([*argv, "--force"], cwd=folder, outputs=["问题清单.xlsx"]).code == 0
    assert openpyxl.load_workbook(folder / "问题清单.xlsx").worksheets[0].max_row == 1  # header only


# --- the example registries ----------------------------------------------------------------------


def test_clean_example_validates(run_cli: Any, folder: Path) -> None:
    result = run_cli(
        ["validate", EXAMPLES / "registry.xlsx", "--json", "--as-of", EXAMPLES_AS_OF], cwd=folder
    )
    assert result.code == 0, result.output
    report = json.loads(result.out)
    assert report["ok"] is True
    assert {p["severity"] for p in report["problems"]} <= {"warning"}
    assert all(t["staffed"] and t["eligible_total"] > 0 for t in report["tasks"])


def test_broken_example_reports_exactly_the_planted_problems(run_cli: Any, folder: Path) -> None:
    result = run_cli(
        ["validate", EXAMPLES / "registry-broken.xlsx", "--json", "--as-of", EXAMPLES_AS_OF], cwd=folder
    )
    assert result.code == 1
    planted = json.loads((EXAMPLES / "registry-broken.expected.json").read_text(encoding="utf-8"))
    expected = {(p["code"], p["sheet"], p["row"], p["column"]) for p in planted}
    assert locations(json.loads(result.out)) == expected


# --- unusable input: exit 2 ----------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _xml_entities(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook>&a;</workbook>',
        )
    return path


def _zip_without_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return path


UNUSABLE = [
    ("registry.xlsx", lambda p: _write(p, b"\x89PNG\r\n\x1a\n" + bytes(range(256))), messages.FILE_NOT_XLSX),
    ("registry.xls", lambda p: _write(p, bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600)), messages.FILE_XLS),
    (
        "registry.csv",
        lambda p: _write(p, "统一社会信用代码,名称\n91140500MA0GTEST01,某公司\n".encode()),
        messages.FILE_CSV,
    ),
    ("registry.xlsx", lambda p: _write(p, b""), messages.FILE_EMPTY),
    ("registry.xlsx", _zip_without_workbook, messages.FILE_NOT_XLSX),
    ("registry.xlsx", _xml_entities, messages.FILE_XML_ENTITIES),
    (
        "registry.xlsx",
        lambda p: _write(p, bytes.fromhex("d0cf11e0a1b11ae1") + "EncryptionInfo".encode("utf-16-le")),
        messages.FILE_ENCRYPTED,
    ),
]


@pytest.mark.parametrize(
    ("name", "make", "template"),
    UNUSABLE,
    ids=["not-zip", "xls", "csv", "empty", "zip", "xml-entities", "encrypted"],
)
def test_unusable_file_exits_2(run_cli: Any, folder: Path, name: str, make: Any, template: str) -> None:
    make(folder / name)
    result = run_cli(["validate", name], cwd=folder)
    assert result.code == 2
    assert result.out == ""
    assert template.format(path=name) in result.flat
    assert "程序内部错误" not in result.flat


def test_missing_file_and_directory_exit_2(run_cli: Any, folder: Path) -> None:
    missing = run_cli(["validate", "没有这个文件.xlsx"], cwd=folder)
    assert missing.code == 2
    assert messages.FILE_NOT_FOUND.format(path="没有这个文件.xlsx") in missing.flat
    (folder / "名录库").mkdir()
    directory = run_cli(["validate", "名录库"], cwd=folder)
    assert directory.code == 2
    assert messages.FILE_IS_DIRECTORY.format(path="名录库") in directory.flat


def test_bad_invocations_exit_2(run_cli: Any, folder: Path) -> None:
    write_registry(folder / "registry.xlsx")
    no_argument = run_cli(["validate"], cwd=folder)
    assert no_argument.code == 2 and "缺少必填参数" in no_argument.flat
    bad_date = run_cli(["validate", "registry.xlsx", "--as-of", "明天"], cwd=folder)
    assert bad_date.code == 2 and "选项 --as-of 的日期“明天”无效" in bad_date.flat
    bad_plan = run_cli(["validate", "registry.xlsx", "--plan", "nosuch"], cwd=folder)
    assert bad_plan.code == 2 and "找不到抽查计划“nosuch”" in bad_plan.flat


def test_json_has_no_ansi_or_rich_markup(run_cli: Any, folder: Path) -> None:
    write_registry(folder / "registry.xlsx")
    result = run_cli(["validate", "registry.xlsx", "--json", "--as-of", AS_OF.isoformat()], cwd=folder)
    assert not re.search(r"\x1b\[", result.out)
    json.loads(result.out)
