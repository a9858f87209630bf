"""The provincial platform's import file: ``publish --platform``, ``export --platform --year`` and the
column mapping ``plans/platform.yaml`` (shipped, or the working folder's own).

The example year (two draws, ``examples/results-example.xlsx`` published on 2024-11-15) is the data.
Round trip: the file read back equals the published rows — as the publicity workbook shows them —
under the mapping, column by column.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import EXAMPLES, PLANS_DIR
from test_public_list import example_ledger  # noqa: F401 (a fixture: the example year's draws)

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.ledger import Ledger
from jcdraw.plans.platform import load_platform_mapping
from jcdraw.publicity.platform import export_platform

RESULTS = EXAMPLES / "results-example.xlsx"
DEFAULT_HEADERS = [
    "抽查计划编号", "抽查计划名称", "抽查任务编号", "抽查任务名称", "抽查类型", "抽查机关",
    "统一社会信用代码", "企业名称", "抽查完成日期", "检查事项", "检查结果",
]  # fmt: skip
EVERY_FIELD = "\n".join(
    f"  - {{header: 列{n}, field: {name}}}" for n, name in enumerate(messages.PLATFORM_FIELDS.values())
)


@pytest.fixture
def folder(tmp_path: Path, example_ledger: Path) -> Path:  # noqa: F811 (the fixture imported above)
    shutil.copy(example_ledger, tmp_path / "jcdraw.sqlite3")
    return tmp_path


def publish(run_cli: Any, folder: Path, *extra: str, outputs: tuple[str, ...] = ()) -> Any:
    args = ["publish", RESULTS, "--as-of", "2024-11-15", "--out", "公示.xlsx", *extra]
    return run_cli(args, cwd=folder, outputs=["公示.xlsx", *outputs])


def rows_of(path: Path) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    assert len(book.worksheets) == 1
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def mapping_file(folder: Path, columns: str, **settings: str) -> Path:
    (folder / "plans").mkdir(exist_ok=True)
    head = "".join(f"{k}: {v}\n" for k, v in settings.items())
    path = folder / "plans" / "platform.yaml"
    path.write_text(f"{head}columns:\n{columns}\n", encoding="utf-8")
    return path


def published_rows(path: Path) -> list[dict[str, Any]]:
    """The publicity workbook's 检查结果 rows, as dicts by header."""
    sheet = openpyxl.load_workbook(path)["检查结果"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# --- round trip ----------------------------------------------------------------------------------


def test_the_default_mapping_is_the_national_systems_fields() -> None:
    mapping = load_platform_mapping(PLANS_DIR / "platform.yaml")
    assert [c.header for c in mapping.columns] == DEFAULT_HEADERS
    assert mapping.sheet == "抽查结果" and mapping.dates_as_text


def test_publish_platform_round_trips_to_the_published_rows(run_cli: Any, folder: Path) -> None:
    mapping_file(folder, EVERY_FIELD + "\n  - {header: 填报单位, value: 晋城市商务局}")
    done = publish(run_cli, folder, "--platform", "平台.xlsx", "--json")
    assert done.code == 0, done.output
    report = json.loads(done.out)
    table = rows_of(folder / "平台.xlsx")
    assert report["platform"]["rows"] == len(table) - 1 == 225
    names = list(messages.PLATFORM_FIELDS.values())
    assert list(table[0]) == [f"列{n}" for n in range(len(names))] + ["填报单位"]
    exported = [dict(zip(names, row, strict=False)) for row in table[1:]]
    published = published_rows(folder / "公示.xlsx")
    assert len(published) == len(exported)
    for pub, row in zip(published, exported, strict=True):
        assert (row["任务编号"], row["任务名称"], row["企业名称"], row["统一社会信用代码"]) == (
            pub["任务编号"], pub["任务名称"], pub["企业名称"], pub["统一社会信用代码"],
        )  # fmt: skip
        assert (row["检查实施机关"], row["检查事项"], row["检查结果"], row["更正说明"]) == (
            pub["检查实施机关"], pub["检查事项"], pub["检查结果"], pub["更正说明"],
        )  # fmt: skip
        assert row["抽查完成日期"] == pub["检查完成日期"].date().isoformat()  # text, as the mapping says
        assert (row["计划编号"], row["计划名称"], row["抽查类型"], row["备注"]) == (
            pub["计划编号"], pub["计划名称"], pub["抽查类型"], pub["备注"],
        )  # fmt: skip
        assert row["公示日期"] == "2024-11-15" and row["抽查类型"] == "不定向抽查"
    assert {r["计划编号"] for r in exported} == {"2024-joint", "2024-internal"}
    assert {r["平台计划编号"] for r in exported} == {
        "2024-joint（待补平台编号）",
        "2024-internal（待补平台编号）",
    }
    assert {r["平台任务编号"] for r in exported} == {
        "2024-joint-T2（待补平台编号）",
        "2024-internal-T2（待补平台编号）",
    }
    assert {row[-1] for row in table[1:]} == {"晋城市商务局"}
    # Every published item: the draw's items, 1 of the joint task's and 5 of the internal task's.
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        keys = {f"{r['draw_id']}|{r['uscc']}|{r['item']}" for r in book.results()}
    assert {f"{r['抽取编号']}|{r['统一社会信用代码']}|{r['检查事项序号']}" for r in exported} == keys
    warnings = report["platform"]["warnings"]
    assert len(warnings) == 4 and all("待补平台编号" in w for w in warnings)
    assert "platform_plan_id" in done.err  # the warnings also on stderr; stdout is only the JSON


def test_the_default_file_renamed_and_reordered_columns_and_values(run_cli: Any, folder: Path) -> None:
    assert publish(run_cli, folder, "--platform", "默认.xlsx").code == 0
    default = rows_of(folder / "默认.xlsx")
    assert list(default[0]) == DEFAULT_HEADERS
    assert {r[4] for r in default[1:]} == {"不定向"}  # values: 不定向抽查 → 不定向
    assert isinstance(default[1][8], str) and default[1][8].startswith("2024-")

    shipped = (PLANS_DIR / "platform.yaml").read_text(encoding="utf-8")
    renamed = shipped.replace("{header: 企业名称, field: 企业名称}", "{header: 单位名称, field: 企业名称}")
    renamed = renamed.replace("dates_as_text: true", "dates_as_text: false")
    (folder / "plans").mkdir()
    (folder / "plans" / "platform.yaml").write_text(renamed, encoding="utf-8")
    done = run_cli(["export", "--platform", "全年.xlsx", "--year", "2024"], cwd=folder)
    assert done.code == 0, done.output
    year = rows_of(folder / "全年.xlsx")
    assert list(year[0]) == [h if h != "企业名称" else "单位名称" for h in DEFAULT_HEADERS]
    assert [r[7] for r in year[1:]] == [r[7] for r in default[1:]]
    assert [r[8].date().isoformat() for r in year[1:]] == [r[8] for r in default[1:]]  # Excel dates now
    assert "225 行" in done.flat and "platform.yaml" in done.flat


def test_platform_numbers_from_the_plan_are_used_and_silence_the_warning(run_cli: Any, folder: Path) -> None:
    shutil.copytree(PLANS_DIR, folder / "plans", ignore=shutil.ignore_patterns("__*"))
    joint = folder / "plans" / "2024_joint.yaml"
    text = joint.read_text(encoding="utf-8").replace(
        "areas: jincheng.yaml\n", "areas: jincheng.yaml\nplatform_plan_id: SJ-2024-0007\n"
    )
    start = text.index("  - number: 2\n")
    at = text.index("    mode: 市抽市查\n", start)
    joint.write_text(text[:at] + "    platform_task_id: RW-2024-0031\n" + text[at:], encoding="utf-8")
    assert publish(run_cli, folder).code == 0  # the platform numbers were filled in after the draws
    done = run_cli(["export", "--platform", "全年.xlsx"], cwd=folder)
    assert done.code == 0, done.output
    table = rows_of(folder / "全年.xlsx")
    joint_rows = [r for r in table[1:] if r[1].startswith("晋城市商务局2024年度部门联合")]
    assert joint_rows and {(r[0], r[2]) for r in joint_rows} == {("SJ-2024-0007", "RW-2024-0031")}
    assert "计划“2024-joint”" not in done.flat and "计划“2024-internal”" in done.flat


def test_publish_platform_holds_what_the_run_published(run_cli: Any, folder: Path) -> None:
    assert publish(run_cli, folder, "--platform", "一.xlsx").code == 0
    assert len(rows_of(folder / "一.xlsx")) == 226
    again = publish(run_cli, folder, "--platform", "二.xlsx", "--force")
    assert again.code == 0
    assert rows_of(folder / "二.xlsx") == [tuple(DEFAULT_HEADERS)]
    assert "只有表头" in again.flat and "jcdraw export --platform" in again.flat

    first = published_rows(folder / "公示.xlsx")[0]
    where = ["--draw", "2024-joint-T2-R1-1", "--uscc", first["统一社会信用代码"], "--item", "1"]
    approval = [
        "--approved-by",
        "局长",
        "--approval-ref",
        "晋市商〔2024〕99号",
        "--reason",
        "复核发现录入错误",
    ]
    fix = ["--result", "发现问题待后续处理", "--as-of", "2024-11-20"]
    corrected = run_cli(["correct", *where, *fix, *approval], cwd=folder)
    assert corrected.code == 0, corrected.output
    later = ["--as-of", "2024-11-20", "--out", "公示2.xlsx", "--platform", "三.xlsx"]
    shown = run_cli(["publish", RESULTS, *later], cwd=folder)
    assert shown.code == 0, shown.output
    table = rows_of(folder / "三.xlsx")
    assert len(table) == 2 and table[1][6:] == (
        first["统一社会信用代码"], first["企业名称"], first["检查完成日期"].date().isoformat(),
        first["检查事项"], "发现问题待后续处理",
    )  # fmt: skip
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        outputs = book.records("publication")[-1].payload["outputs"]
    assert "三.xlsx" in {entry["file"] for entry in outputs}


# --- the mapping file's mistakes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "phrase"),
    [
        ("  - {header: 企业, field: 公司名称}", "第 1 列（企业）的 field“公司名称”不是可用的数据"),
        (
            "  - {header: 企业, field: 企业名称}\n  - {header: 企业, field: 统一社会信用代码}",
            "第 2 列（企业）的列名与第 1 列重复",
        ),
        ("  - {header: 企业}", "须写 field（这一列取哪项数据）或 value（每行相同的固定值）二者之一"),
        ("  - {header: 企业, field: 企业名称, value: 某}", "二者之一"),
        ("  - {field: 企业名称}", "第 1 列（?）缺少 header"),
        ("  - {header: 企业, field: 企业名称, width: 20}", "“width”不是可用的设置项"),
        ("  - 企业名称", "应写成 {header: 列名, field: 数据}"),
        ("  []", "columns（导入表的各列）为空"),
    ],
)
def test_mapping_mistakes_are_said_in_chinese_before_anything_is_recorded(
    run_cli: Any, folder: Path, columns: str, phrase: str
) -> None:
    path = mapping_file(folder, columns)
    result = publish(run_cli, folder, "--platform", "平台.xlsx")
    assert result.code == 2, result.output
    assert phrase in result.flat and str(path) in result.flat.replace("\n", "")
    assert not (folder / "平台.xlsx").exists() and not (folder / "公示.xlsx").exists()
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        assert book.records("result") == []


def test_a_yaml_mistake_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "platform.yaml"
    path.write_text(
        "columns:\n  - {header: 企业, field: 企业名称}\n\t- {header: x, value: y}\n", encoding="utf-8"
    )
    with pytest.raises(BadPlan) as caught:
        load_platform_mapping(path)
    assert "平台导出设置文件" in caught.value.message and "第 3 行" in caught.value.message
    path.write_text("sheet: [a\n", encoding="utf-8")
    with pytest.raises(BadPlan, match="方括号"):
        load_platform_mapping(path)
    path.write_text("sheet: a\ncolumns:\n  - {header: 企业, field: 企业名称}\npaper: A4\n", encoding="utf-8")
    with pytest.raises(BadPlan, match="“paper”不是可用的设置项"):
        load_platform_mapping(path)


# --- options and empty years ----------------------------------------------------------------------


def test_the_platform_file_may_not_be_another_file_of_the_run(run_cli: Any, folder: Path) -> None:
    same = publish(run_cli, folder, "--platform", "公示.xlsx")
    assert same.code == 2 and "同一个文件" in same.flat
    ledger = run_cli(["export", "--platform", "jcdraw.sqlite3"], cwd=folder)
    assert ledger.code == 2 and "同一个文件" in ledger.flat


def test_export_platform_of_a_year_without_publications_or_draws(run_cli: Any, folder: Path) -> None:
    empty = run_cli(["export", "--platform", "空.xlsx"], cwd=folder)
    assert empty.code == 0, empty.output
    assert rows_of(folder / "空.xlsx") == [tuple(DEFAULT_HEADERS)] and "还没有已公示的检查结果" in empty.flat
    other = run_cli(["export", "--platform", "旧.xlsx", "--year", "2023"], cwd=folder)
    assert other.code == 2 and "没有 2023 年度的抽取记录" in other.flat
    assert not (folder / "旧.xlsx").exists()


def test_export_platform_library_function(folder: Path) -> None:
    """The function the year report calls: the year's published rows, as the CLI writes them."""
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        exported = export_platform(book, folder / "库.xlsx", year=2024, as_of=date(2024, 12, 31))
    assert (exported.rows, exported.year) == (0, 2024)
    assert rows_of(folder / "库.xlsx") == [tuple(DEFAULT_HEADERS)]
