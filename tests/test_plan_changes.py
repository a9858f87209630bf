"""Plan versions mean one content: what a plan decides vs what it only says, the refusal of a plan edited
without a new version at draw time, and ``jcdraw plans --changes`` (the written account for §三).

Plans are copies of the shipped 2024 plans in a ``./plans`` folder of the test's working folder (which
jcdraw reads before its own), edited as a clerk would edit them in Notepad; draws use the example
registry through the real CLI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import EXAMPLES, PLANS_DIR

from jcdraw import messages
from jcdraw.ledger import Ledger
from jcdraw.plans.content import (
    all_changes,
    compare,
    content_changes,
    record_snapshot,
    recorded_snapshot,
)
from jcdraw.plans.load import load_plan

SEED = "12345678901234567890"
JOINT = "2024_joint.yaml"


def in_task(text: str, number: int, old: str, new: str) -> str:
    """``text`` with the first ``old`` after task ``number``'s start replaced by ``new``."""
    start = text.index(f"  - number: {number}\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def bump_version(text: str, version: int, when: str, why: str) -> str:
    """The plan with ``version`` and a matching ``changes`` entry (the written adjustment)."""
    text = text.replace(f"version: {version - 1}\n", f"version: {version}\n", 1)
    entry = f"  - version: {version}\n    date: {when}\n    text: {why}\n"
    return text.replace("\n# 信用风险类别", f"\n{entry}\n# 信用风险类别", 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder: the shipped plans (with their archive) in ./plans and the example registry."""
    shutil.copytree(PLANS_DIR, tmp_path / "plans", ignore=shutil.ignore_patterns("__*"))
    shutil.copy(EXAMPLES / "registry.xlsx", tmp_path / "registry.xlsx")
    return tmp_path


def edit(folder: Path, change: Any) -> None:
    path = folder / "plans" / JOINT
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def draw(run_cli: Any, folder: Path, task: int, *extra: str, round_no: int = 1, seed: str = SEED) -> Any:
    args = ["draw", "--new-ledger", "--plan", "joint", "--task", str(task), "--seed", seed, "--as-of",
            "2024-04-01"]
    return run_cli([*args, "--round", str(round_no), *extra], cwd=folder)


def plan_from(tmp_path: Path, text: str, name: str = "edited.yaml") -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_plan(path)


# --- what a plan decides ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def joint_text() -> str:
    return (PLANS_DIR / JOINT).read_text(encoding="utf-8")


def test_a_ratio_written_another_way_is_the_same_content(tmp_path: Path, joint_text: str) -> None:
    same = in_task(joint_text, 2, "ratio: 0.3", "ratio: 30%")
    assert content_changes(plan_from(tmp_path, joint_text, "a.yaml"), plan_from(tmp_path, same)) == []


def test_changed_ratio_and_item_are_named_field_by_field(tmp_path: Path, joint_text: str) -> None:
    edited = in_task(joint_text, 2, "ratio: 0.3", "ratio: 50%")
    edited = in_task(edited, 2, "- 对从事汽车销售及其相关服务活动的检查", "- 对汽车销售活动的检查")
    changes = content_changes(plan_from(tmp_path, joint_text, "a.yaml"), plan_from(tmp_path, edited))
    assert [(c.task, c.field, c.old, c.new, c.content) for c in changes] == [
        (2, "items.1", "对从事汽车销售及其相关服务活动的检查", "对汽车销售活动的检查", True),
        (2, "ratio", "30%", "50%", True),
    ]
    assert changes[1].describe() == "任务 2 抽查比例（ratio）：30% → 50%"


def test_informational_edits_are_not_content(tmp_path: Path, joint_text: str) -> None:
    edited = joint_text.replace(
        "areas: jincheng.yaml\n", "areas: jincheng.yaml\nplatform_plan_id: SJ2024-01\n"
    )
    edited = in_task(edited, 2, "scope_text: 阳城", "scope_text: 阳城县全域")
    edited = in_task(edited, 2, "    mode: 市抽市查\n", "    mode: 市抽市查\n    platform_task_id: RW-02\n")
    old, new = plan_from(tmp_path, joint_text, "a.yaml"), plan_from(tmp_path, edited)
    assert content_changes(old, new) == []
    assert [(c.task, c.field, c.old, c.new, c.content) for c in all_changes(old, new)] == [
        (None, "platform_plan_id", None, "SJ2024-01", False),
        (2, "scope_text", "阳城", "阳城县全域", False),
        (2, "platform_task_id", None, "RW-02", False),
    ]


def test_a_rule_written_on_the_task_is_compared_as_the_rule_it_makes(tmp_path: Path, joint_text: str) -> None:
    # The plan's rule is weighted 1:2:3:4 with frequencies 1,1,2,2, the weighted rule's defaults.
    same = in_task(
        joint_text, 3, "    mode: 市抽市查\n", "    mode: 市抽市查\n    credit_rule: {kind: weighted}\n"
    )
    base = plan_from(tmp_path, joint_text, "a.yaml")
    assert content_changes(base, plan_from(tmp_path, same)) == []
    heavier = same.replace(
        "credit_rule: {kind: weighted}", "credit_rule: {kind: weighted, weights: {A: 1, B: 2, C: 3, D: 5}}"
    )
    changes = content_changes(base, plan_from(tmp_path, heavier, "b.yaml"))
    assert [(c.task, c.field) for c in changes] == [(3, "credit_rule")]
    assert "D 4" in str(changes[0].old) and "D 5" in str(changes[0].new)


def test_a_task_added_is_one_change(tmp_path: Path, joint_text: str) -> None:
    start = joint_text.index("  - number: 2\n")
    end = joint_text.index("  - number: 3\n")
    extra = (
        joint_text[start:end]
        .replace("number: 2", "number: 7")
        .replace("对汽车销售企业", "对汽车销售企业（二）")
    )
    edited = joint_text.rstrip("\n") + "\n\n" + extra
    changes = content_changes(plan_from(tmp_path, joint_text, "a.yaml"), plan_from(tmp_path, edited))
    assert [(c.task, c.field, c.old, c.new) for c in changes] == [
        (7, "task", None, "对汽车销售企业（二）的部门联合抽查")
    ]


def test_what_a_draw_records_of_its_task_agrees_with_the_plan(run_cli: Any, folder: Path) -> None:
    assert draw(run_cli, folder, 2).code == 0
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        record = book.get_draw("2024-joint-T2-R1-1")
    assert record is not None
    plan = load_plan(folder / "plans" / JOINT)
    recorded, planned = record_snapshot(record.payload), recorded_snapshot(plan, plan.task(2))
    assert recorded == planned
    assert {field for _task, field in recorded} >= {"items.1", "category", "ratio", "credit_rule", "period"}
    later = load_plan_with(folder, lambda t: in_task(t, 2, "end: 2024-12-31", "end: 2024-11-30"))
    changes = compare(recorded, recorded_snapshot(later, later.task(2)), content=True, common_only=True)
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("period", "2024-03-01 至 2024-12-31", "2024-03-01 至 2024-11-30")
    ]


def load_plan_with(folder: Path, change: Any) -> Any:
    path = folder / "other.yaml"
    path.write_text(change((folder / "plans" / JOINT).read_text(encoding="utf-8")), encoding="utf-8")
    return load_plan(path)


# --- refused at draw time -----------------------------------------------------------------------------


def test_a_plan_edited_without_a_new_version_is_refused_naming_the_fields(run_cli: Any, folder: Path) -> None:
    assert draw(run_cli, folder, 1).code == 0
    # The clerk kept a copy of the version the first draw used, then edited the plan in place.
    shutil.copy(folder / "plans" / JOINT, folder / "plans" / "archive" / "2024_joint.v2-used.yaml")
    edit(folder, lambda t: in_task(t, 2, "ratio: 0.3", "ratio: 50%"))
    refused = draw(run_cli, folder, 2)
    assert refused.code == 1, refused.output
    assert "任务 2 抽查比例（ratio）：30% → 50%" in refused.output
    assert (
        "version 改为 3" in refused.flat
        and "2024-joint-T1-R1-1" in refused.flat
        and "本次未抽取" in refused.flat
    )
    prepare = ["draw", "--new-ledger", "--plan", "joint", "--task", "2", "--prepare", "--as-of", "2024-04-01"]
    prepared = run_cli(prepare, cwd=folder)
    assert prepared.code == 1 and "30% → 50%" in prepared.output
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as book:
        assert [u.draw_id for u in book.draw_uses()] == ["2024-joint-T1-R1-1"]
        assert book.records("prepare") == []
        # The seed was spoken: the refused attempt is on record with it, so it cannot be used again.
        (refusal,) = book.records("refused")
        assert refusal.payload["seed"] == SEED and "30% → 50%" in refusal.payload["details"]

    why = "任务 2 抽查比例由 30% 调整为 50%（晋市商〔2024〕20号）"
    edit(folder, lambda t: bump_version(t, 3, "2024-05-06", why))
    assert draw(run_cli, folder, 2).code == 1  # the same seed, now known, is refused
    assert draw(run_cli, folder, 2, seed="98765432109876543210").code == 0


def test_informational_edits_in_place_pass_with_a_note(run_cli: Any, folder: Path) -> None:
    assert draw(run_cli, folder, 2).code == 0
    edit(
        folder,
        lambda t: t.replace("areas: jincheng.yaml\n", "areas: jincheng.yaml\nplatform_plan_id: SJ-1\n"),
    )
    done = draw(run_cli, folder, 3)
    assert done.code == 0, done.output
    # The earlier bytes are gone (edited in place): checked against what the draw recorded, and said so.
    assert "当时的文件" in done.flat and "均未改变" in done.flat and "2024-joint-T2-R1-1" in done.flat


def test_a_drawn_task_edited_in_place_is_refused_from_what_its_draw_recorded(
    run_cli: Any, folder: Path
) -> None:
    assert draw(run_cli, folder, 2).code == 0
    edit(folder, lambda t: in_task(t, 2, "end: 2024-12-31", "end: 2024-10-31"))
    refused = draw(run_cli, folder, 2, round_no=2)
    assert refused.code == 1, refused.output
    assert "任务 2 起止日期（period）：2024-03-01 至 2024-12-31 → 2024-03-01 至 2024-10-31" in refused.output


# --- plans --changes ----------------------------------------------------------------------------------


def sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[name].iter_rows(values_only=True)]


def test_plans_changes_writes_the_account_of_a_versioned_adjustment(run_cli: Any, folder: Path) -> None:
    assert draw(run_cli, folder, 1).code == 0
    assert draw(run_cli, folder, 2).code == 0
    shutil.copy(folder / "plans" / JOINT, folder / "plans" / "archive" / "2024_joint.v2-used.yaml")
    why = "任务 2 抽查比例由 30% 调整为 50%"
    edit(folder, lambda t: bump_version(in_task(t, 2, "ratio: 0.3", "ratio: 50%"), 3, "2024-05-06", why))
    edit(
        folder,
        lambda t: t.replace("areas: jincheng.yaml\n", "areas: jincheng.yaml\nplatform_plan_id: SJ-1\n"),
    )
    assert draw(run_cli, folder, 2, "--redraw", "--reason", "计划调整后重新抽取").code == 0
    assert draw(run_cli, folder, 3).code == 0

    done = run_cli(["plans", "--changes", "--json"], cwd=folder)
    assert done.code == 0, done.output
    report = json.loads(done.out)
    assert [(v["version"], v["found"], v["draws"]) for v in report["versions"]] == [
        (2, True, ["2024-joint-T1-R1-1", "2024-joint-T2-R1-1"]),
        (3, True, ["2024-joint-T2-R1-2", "2024-joint-T3-R1-1"]),
    ]
    (adjustment,) = report["adjustments"]
    assert (adjustment["old_version"], adjustment["new_version"]) == (2, 3)
    assert (adjustment["changed_on"], adjustment["text"], adjustment["unversioned"]) == (
        "2024-05-06",
        why,
        False,
    )
    rows = [(c["tasks"], c["field"], c["old"], c["new"], c["content"], c["draws_after"], c["draws_before"])
            for c in adjustment["changes"]]  # fmt: skip
    assert rows == [
        ([2], "ratio", "30%", "50%", True, ["2024-joint-T2-R1-2"], ["2024-joint-T2-R1-1"]),
        ([], "platform_plan_id", None, "SJ-1", False, ["2024-joint-T2-R1-2", "2024-joint-T3-R1-1"],
         ["2024-joint-T1-R1-1", "2024-joint-T2-R1-1"]),
    ]  # fmt: skip
    assert "调整 1 次" in done.flat

    out = folder / "计划调整-2024.xlsx"
    table = sheet(out, "计划调整")
    assert table[1] == tuple(messages.CHANGES_HEADERS)
    assert table[2][2:10] == (
        "版本 2 → 版本 3",
        "2024-05-06",
        why,
        "任务 2",
        "抽查比例（ratio）",
        "30%",
        "50%",
        "影响抽取",
    )
    assert table[3][5:10] == (
        "整个计划",
        "平台抽查计划编号（platform_plan_id）",
        "（无）",
        "SJ-1",
        "不影响抽取",
    )
    versions = sheet(out, "计划版本")
    assert [(r[0], r[1], r[7]) for r in versions[2:]] == [
        ("2024-joint", 2, "已找到"),
        ("2024-joint", 3, "已找到"),
    ]
    book = openpyxl.load_workbook(out)
    for ws in book.worksheets:  # printed for the written report
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$1:$2"
        page_numbers, anchor = ws.oddFooter.center.text.split("\n")  # the anchor under the page numbers
        assert "&P" in page_numbers and "台账编号" in anchor

    again = run_cli(["plans", "--changes"], cwd=folder)  # a default name already taken is numbered
    assert again.code == 0 and "计划调整-2024-2.xlsx" in again.flat
    named = run_cli(["plans", "--changes", "--out", out.name], cwd=folder)  # a name given is never replaced
    assert named.code == 2 and "已存在" in named.flat


def test_plans_changes_says_a_plan_was_not_adjusted(run_cli: Any, folder: Path) -> None:
    assert draw(run_cli, folder, 1).code == 0
    done = run_cli(["plans", "--changes", "--out", "调整.xlsx"], cwd=folder)
    assert done.code == 0, done.output
    assert "调整 0 次" in done.flat
    name = load_plan(folder / "plans" / JOINT).name
    assert sheet(folder / "调整.xlsx", "计划调整")[2][:3] == ("2024-joint", name, messages.CHANGES_UNCHANGED)


def test_plans_changes_needs_draws_and_sensible_options(run_cli: Any, folder: Path) -> None:
    empty = run_cli(["plans", "--changes"], cwd=folder)
    assert empty.code == 2 and "找不到台账" in empty.flat
    assert draw(run_cli, folder, 1).code == 0
    other_year = run_cli(["plans", "--changes", "--year", "2023"], cwd=folder)
    assert other_year.code == 2 and "没有 2023 年度的抽取记录" in other_year.flat
    assert run_cli(["plans", "--out", "x.xlsx"], cwd=folder).code == 2
    assert run_cli(["plans", "--changes", "--history"], cwd=folder).code == 2


def test_plans_changes_on_a_ledger_of_jcdraw_0_1_0(run_cli: Any, tmp_path: Path) -> None:
    ledger = Path(
        shutil.copy(Path(__file__).parent / "data" / "ledger-0.1.0.sqlite3", tmp_path / "old.sqlite3")
    )
    done = run_cli(["plans", "--changes", "--ledger", ledger, "--json"], cwd=tmp_path)
    assert done.code == 0, done.output
    report = json.loads(done.out)
    # Its draws were made under version 1, kept byte for byte in the shipped archive.
    assert [(v["version"], v["found"]) for v in report["versions"]] == [(1, True)]
    assert report["adjustments"] == []


def test_plans_changes_flags_a_content_change_made_under_the_same_version(
    run_cli: Any, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger from before the draw-time check: the account says the version was not raised."""
    assert draw(run_cli, folder, 1).code == 0
    shutil.copy(folder / "plans" / JOINT, folder / "plans" / "archive" / "2024_joint.v2-used.yaml")
    edit(folder, lambda t: in_task(t, 3, "ratio: 0.3", "ratio: 40%"))
    monkeypatch.setattr("jcdraw.draw.run.check_plan_version", lambda ledger, plan: [])
    assert draw(run_cli, folder, 3).code == 0
    done = run_cli(["plans", "--changes", "--json"], cwd=folder)
    assert done.code == 0, done.output
    (adjustment,) = json.loads(done.out)["adjustments"]
    assert (adjustment["old_version"], adjustment["new_version"], adjustment["unversioned"]) == (2, 2, True)
    assert (adjustment["changed_on"], adjustment["text"]) == (None, None)  # not version 2's own entry
    assert [(c["tasks"], c["field"], c["old"], c["new"]) for c in adjustment["changes"]] == [
        ([3], "ratio", "30%", "40%")
    ]
    assert "版本号没有升级" in done.flat
    table = sheet(folder / "计划调整-2024.xlsx", "计划调整")
    assert table[2][2] == "版本 2（计划文件改动，版本号未变）\n⚠ 影响抽取的内容改变了，应升级版本号"
    assert table[2][3].startswith("未写明（按新版本首次抽取：2024-04-01）")
