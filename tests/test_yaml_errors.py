"""Every plan, calendar and categories YAML error is Chinese (``jcdraw.plans.yaml_file``, ``load``).

PyYAML's English problems are translated by pattern, with the line a person should look at; an
unknown problem gets a generic Chinese sentence that keeps the line. Pydantic's type names never show.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import PLANS_DIR

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.plans.calendar import WorkdayCalendar
from jcdraw.plans.categories import load_result_categories
from jcdraw.plans.load import _pydantic_detail, load_plan
from jcdraw.plans.yaml_file import YamlFileError, parse_yaml_file

ENGLISH = re.compile(r"[A-Za-z_]{2,}")
P = messages.YAML_PROBLEMS

# (YAML text, kind, exact Chinese detail)
CASES: list[tuple[str, str, str]] = [
    ("a: 1\nb\nc: 2\n", "syntax", P["missing-colon"].format(where="第 2 行")),
    ("a: b: c\n", "syntax", P["colon-not-allowed"].format(where="第 1 行")),
    ("a:\n\tb: 1\n", "syntax", P["tab"].format(where="第 2 行")),
    ("a: @x\n", "syntax", P["bad-start"].format(where="第 1 行", char="@")),
    ('a: 1\nb: "abc\nc: 2\n', "syntax", P["unclosed-quote"].format(where="第 2 行")),
    ("a: 1\nb: [1, 2\n", "syntax", P["unclosed-bracket"].format(where="第 2 行")),
    ("a: {x: 1\n", "syntax", P["unclosed-brace"].format(where="第 1 行")),
    ("a: [1, 2}\n", "syntax", P["bad-list"].format(where="第 1 行")),
    ("a: {x: 1]\n", "syntax", P["bad-mapping"].format(where="第 1 行")),
    ("a:\n  b: 1\n c: 2\n", "syntax", P["bad-indent"].format(where="第 3 行")),
    ("a: 1\n- b\n", "syntax", P["bad-indent"].format(where="第 2 行")),
    ('a: "C:\\data"\n', "syntax", P["bad-escape"].format(where="第 1 行")),
    ("a: 1\n---\nb: 2\n", "syntax", P["two-documents"].format(where="第 2 行")),
    ("%x\na: 1\n", "syntax", P["not-a-mapping"].format(where="第 2 行")),
    ("? [a]\n: 1\n", "syntax", P["bad-key"].format(where="第 1 行")),
    ("a: &\n", "syntax", P["bad-anchor"].format(where="第 1 行")),
    ("a: 1\nb: \x01\n", "syntax", P["control-char"].format(where="第 2 行", char="U+0001")),
    ("a: [- 1]\n", "syntax", P["generic"].format(where="第 1 行")),
    ("a: !foo x\n", "unsafe", "第 1 行的标签“!foo”"),
    ("a: &x 1\nb: *x\n", "alias", "第 2 行不允许使用 YAML 别名“*x”"),
    ("a: 1\na: 2\n", "duplicate-key", "第 2 行 “a”重复出现"),
]


@pytest.mark.parametrize(("text", "kind", "detail"), CASES, ids=[c[2][:24] for c in CASES])
def test_yaml_problems_are_chinese_with_the_line(tmp_path: Path, text: str, kind: str, detail: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlFileError) as caught:
        parse_yaml_file(path)
    assert (caught.value.kind, caught.value.detail) == (kind, detail)


def test_the_translations_are_chinese() -> None:
    """Only the format's name and the key a person presses stay as they are."""
    texts = [*P.values(), messages.YAML_TAG, messages.YAML_ALIAS, messages.YAML_DUPLICATE_KEY]
    words = {w for text in texts for w in ENGLISH.findall(re.sub(r"\{\w+\}", "", text))}
    assert words == {"YAML", "Tab"}


def test_every_translation_is_exercised() -> None:
    used = {key for key, template in P.items() for _, _, detail in CASES if _matches(template, detail)}
    assert used == set(P)


def _matches(template: str, detail: str) -> bool:
    pattern = re.escape(template).replace(r"\{where\}", "第 \\d+ 行").replace(r"\{char\}", ".+")
    return re.fullmatch(pattern.replace(r"\{\{", r"\{").replace(r"\}\}", r"\}"), detail) is not None


def test_an_unreadable_file_is_said_in_chinese(tmp_path: Path) -> None:
    folder = tmp_path / "plan.yaml"
    folder.mkdir()
    with pytest.raises(YamlFileError) as caught:
        parse_yaml_file(folder)
    assert (caught.value.kind, caught.value.detail) == ("unreadable", messages.YAML_IS_FOLDER)


# --- the finished messages, per kind of file -------------------------------------------------------


def _plan_message(tmp_path: Path, text: str) -> str:
    shutil.copyfile(PLANS_DIR / "jincheng.yaml", tmp_path / "jincheng.yaml")
    path = tmp_path / "计划.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadPlan) as caught:
        load_plan(path)
    return caught.value.message


JOINT = (PLANS_DIR / "2024_joint.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\nname\n", "计划文件“{path}”不是有效的 YAML：" + P["missing-colon"].format(where="第 2 行")),
        (
            "id: !!python/object/apply:os.system [ls]\n",
            "计划文件“{path}”含有不允许的 YAML 标签或别名（第 1 行的标签",
        ),
        (
            JOINT.replace("    ratio: 0.3\n", "    ratio: 1/0\n", 1),
            "任务 2 的字段“ratio”不是有效的比例或倍数",
        ),
        (JOINT.replace("kind: 部门联合", "kind: [1]"), "字段“kind”的取值不在允许范围内"),
        (
            JOINT.replace("    period:", "    team: 5\n    period:", 1),
            "任务 1 的字段“team”应写成“名称: 值”的键值结构（当前值：5）。",
        ),
        (
            JOINT.replace("    period:", "    team:\n      min_size: [2]\n    period:", 1),
            "任务 1 的字段“team.min_size”应为整数。",
        ),
    ],
    ids=["syntax", "tag", "ratio 1/0", "literal", "model_type", "int list"],
)
def test_plan_errors_are_chinese(tmp_path: Path, text: str, expected: str) -> None:
    message = _plan_message(tmp_path, text)
    assert expected.format(path=tmp_path / "计划.yaml") in message
    assert _english(message, tmp_path) == set()


def test_a_pydantic_type_without_a_translation_is_said_in_chinese(tmp_path: Path) -> None:
    text = JOINT.replace(
        "    period:", "    team:\n      per_department:\n        晋城市商务局: 1.5\n    period:", 1
    )
    message = _plan_message(tmp_path, text)
    assert "任务 1 的字段“team.per_department.晋城市商务局”应为整数（当前值：1.5）" in message


def test_unknown_pydantic_types_fall_back_to_chinese() -> None:
    assert _pydantic_detail({"type": "some_new_type", "input": 3}) == "的值不符合要求（当前值：3）"


def test_calendar_and_categories_errors_are_chinese(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text("years:\n  2027:\n\tholidays: [2027-01-01]\n", encoding="utf-8")
    with pytest.raises(BadPlan) as caught:
        WorkdayCalendar.load([calendar], search_dirs=[])
    tab = P["tab"].format(where="第 3 行")
    assert caught.value.message == messages.CALENDAR_YAML_ERROR.format(path=calendar, detail=tab)
    categories = tmp_path / "result_categories.yaml"
    categories.write_text("categories: [未发现问题, 责令整改\n", encoding="utf-8")
    with pytest.raises(BadPlan) as caught:
        load_result_categories(categories)
    bracket = P["unclosed-bracket"].format(where="第 1 行")
    assert caught.value.message == messages.PLAN_YAML_ERROR.format(path=categories, detail=bracket)


def _english(message: str, tmp_path: Path) -> set[str]:
    """English words left once the path and the YAML and field names a person edits are removed."""
    text = message.replace(str(tmp_path), "")
    allowed = {"YAML", "ratio", "kind", "team", "min_size", "python", "object", "apply", "os", "system"}
    allowed |= {"tag", "yaml", "org", "ls"}  # echoed from the file itself: the tag the user wrote
    return set(ENGLISH.findall(text)) - allowed


def test_run_cli_reports_a_yaml_error_in_chinese(run_cli: Any, tmp_path: Path) -> None:
    shutil.copyfile(PLANS_DIR / "jincheng.yaml", tmp_path / "jincheng.yaml")
    (tmp_path / "坏计划.yaml").write_text("id: x\ntasks:\n\t- 1\n", encoding="utf-8")
    result = run_cli(["plans", "--plan", "坏计划.yaml"], cwd=tmp_path)
    detail = P["tab"].format(where="第 3 行")
    assert (result.code, result.out) == (2, "")
    assert result.err == messages.PLAN_YAML_ERROR.format(path="坏计划.yaml", detail=detail) + "\n"
