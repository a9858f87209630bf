"""The draw day, end to end through the CLI: commitment and 抽取公告, witnessed seeds, refusals that are
recorded, the anchored 抽取记录 with its signature lines, rehearsals, and "no eligible entity" statements.

Each case under "Why" of issue 11 that concerns the draw is reproduced here and shown caught: an inspector
set to 离岗 after ``--prepare`` refuses the draw; the refused attempt and a second commitment appear in
the final draw's record; a seed spoken at a refused attempt cannot be used again; ``--seed random`` is
refused for a recorded draw; a draw without a commitment says 未事先公告; an empty round is refused and
can be recorded as a statement that a later draw replaces without ``--redraw``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import clean_entities, clean_inspectors, write_registry

from jcdraw import messages
from jcdraw.ledger import Anchor, Ledger, Record, anchors_in

AS_OF = "2024-05-20"
WITNESSES = ["张三:3141 5926 5358", "李四：9793 2384 6264"]
SEED = "314159265358979323846264"
TASK_1 = ["--plan", "joint", "--task", "1", "--as-of", AS_OF]  # 报废机动车回收拆解, 泽州县, 100 %
NOTICE = "抽取公告-2024-joint-task1-round1.xlsx"
WORKBOOK = "draw-2024-joint-task1-round1.xlsx"
VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def seeds(*texts: str) -> list[str]:
    return [part for text in texts for part in ("--seed", text)]


def records(folder: Path, kind: str) -> list[Record]:
    with Ledger.open(folder / "jcdraw.sqlite3", readonly=True) as ledger:
        return ledger.records(kind)


def labelled(path: Path, sheet: str = "抽取记录") -> list[tuple[str, str]]:
    """(column A, column B) of every row of a two-column sheet, as text."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [(str(r[0] or ""), str(r[1] or "")) for r in book[sheet].iter_rows(values_only=True) if r]
    finally:
        book.close()
    return rows


def value(rows: list[tuple[str, str]], label: str) -> str:
    found = [v for k, v in rows if k == label]
    assert found, f"no row {label}"
    return found[0]


def set_inspector(registry: Path, badge: str, status: str) -> None:
    book = openpyxl.load_workbook(registry)
    for row in book["执法人员"].iter_rows(min_row=2):
        if row[0].value == badge:
            row[4].value = status
    book.save(registry)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JCDRAW_REGISTRY", raising=False)
    monkeypatch.delenv("JCDRAW_LEDGER", raising=False)
    write_registry(tmp_path / "registry.xlsx")
    return tmp_path


@pytest.fixture
def jc(run_cli: Callable[..., Any], work: Path) -> Callable[..., Any]:
    def run(*argv: str, outputs: Sequence[str] = ()) -> Any:
        return run_cli(["draw", "--new-ledger", *argv], cwd=work, outputs=outputs)

    return run


# --- witnessed seeds ------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["witnessed_seeds"], ids=lambda v: v["seed"])
def test_witnessed_seed_vectors(vector: dict[str, Any]) -> None:
    from jcdraw.draw.seed import parse_witnessed
    from jcdraw.draw.tickets import ticket

    found = parse_witnessed(vector["seeds"])
    assert found.seed == vector["seed"] == "".join(digits for _, digits in vector["witnesses"])
    assert [[w.name, w.digits] for w in found.witnesses] == vector["witnesses"]
    seed, plan, task, round_no, code = vector["ticket_input"].split("|")
    assert seed == found.seed and ticket(seed, plan, int(task), int(round_no), code) == vector["ticket"]


def test_readme_quotes_the_witnessed_seed_vector() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    first = VECTORS["witnessed_seeds"][0]
    assert all(f'--seed "{text}"' in readme for text in first["seeds"])
    assert first["seed"] in readme and first["ticket"] in readme and first["ticket_input"] in readme


def test_witnesses_digits_and_signature_lines_are_recorded(work: Path, jc: Callable[..., Any]) -> None:
    run = jc(*TASK_1, *seeds(*WITNESSES), "--json")
    assert run.code == 0, run.output
    payload = json.loads(run.out)
    assert payload["seed"] == SEED
    assert payload["witnesses"] == [
        {"name": "张三", "digits": "314159265358"},
        {"name": "李四", "digits": "979323846264"},
    ]
    rows = labelled(work / WORKBOOK)
    assert value(rows, "随机种子") == SEED
    assert value(rows, "见证人 1") == "张三：3141 5926 5358"
    assert value(rows, "见证人 2") == "李四：9793 2384 6264"
    assert value(rows, messages.RECORD_SEED_SOURCE_LABEL) == messages.RECORD_SEED_WITNESSED.format(
        count=2, digits=24
    )
    labels = [k for k, _ in rows]
    tail = labels[labels.index("机读记录") + 1 :]  # the signature lines end the sheet
    assert tail == ["抽取人（签字）", "监督人（签字）", "见证人（签字）", "见证人（签字）", "日期"]
    assert value(rows, "见证人（签字）").startswith("张三")
    assert value(rows, "日期") == "2024 年 5 月 20 日"
    # A plain seed with no name stays valid and says so.
    other = jc("--plan", "joint", "--task", "4", "--as-of", AS_OF, "--seed", "2718 2818 2845 9045 2353")
    assert other.code == 0, other.output
    plain = labelled(work / "draw-2024-joint-task4-round1.xlsx")
    assert value(plain, messages.RECORD_SEED_SOURCE_LABEL) == messages.RECORD_SEED_PLAIN


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (
            ["3141 5926 5358", "李四:9793 2384 6264"],
            messages.DRAW_WITNESS_NAME_MISSING.format(text="3141 5926 5358"),
        ),
        (
            [":3141 5926 5358 9793 2384"],
            messages.DRAW_WITNESS_NAME_EMPTY.format(text=":3141 5926 5358 9793 2384"),
        ),
        (["张三:", "李四:3141 5926 5358 9793 2384"], messages.DRAW_WITNESS_NO_DIGITS.format(name="张三")),
        (["张三:3141 5926", "李四:5358 9793"], messages.DRAW_SEED_TOO_SHORT.format(count=16, minimum=20)),
        (["张三:3141 59x6 5358", "李四:9793 2384 6264"], messages.DRAW_SEED_NOT_DIGITS.format(chars="“x”")),
    ],
)
def test_bad_witnessed_seeds_are_refused_before_anything_is_recorded(
    work: Path, jc: Callable[..., Any], texts: list[str], message: str
) -> None:
    run = jc(*TASK_1, *seeds(*texts))
    assert run.code == 2 and flat(message) in flat(run.output)
    assert not (work / "jcdraw.sqlite3").exists() and not (work / WORKBOOK).exists()


def test_random_seed_is_refused_and_practice_records_nothing(
    work: Path, jc: Callable[..., Any], run_cli: Callable[..., Any]
) -> None:
    assert jc(*TASK_1, "--seed", "random").code == 2
    assert jc(*TASK_1, "--prepare").code == 0  # a ledger now exists: the rehearsal must leave it alone
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as ledger:
        before = [(r.seq, r.hash) for r in ledger.records()]
    assert [seq for seq, _ in before] == [1, 2]  # the ledger's id record, the commitment
    practice = jc(*TASK_1, "--practice", *seeds(*WITNESSES))
    assert practice.code == 0, practice.output
    assert flat(messages.PRACTICE_DONE.split("：")[0]) in flat(practice.output)
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as ledger:
        assert [(r.seq, r.hash) for r in ledger.records()] == before
    book = openpyxl.load_workbook(work / f"演练-{WORKBOOK}", read_only=True)
    assert all(name.startswith("演练-") for name in book.sheetnames)
    assert all("演练" in str(sheet["A1"].value) for sheet in book.worksheets)
    rows = labelled(work / f"演练-{WORKBOOK}", "演练-抽取记录")
    assert value(rows, "演练") == messages.RECORD_PRACTICE
    assert anchors_in("\n".join(v for _, v in rows)) == []  # nothing recorded: no anchor to print
    assert not (work / WORKBOOK).exists()
    # A rehearsal cannot be published: its sheets are not the results sheet and its id is not a draw.
    published = run_cli(["publish", f"演练-{WORKBOOK}", "--as-of", "2024-06-01", "--out", "p.xlsx"], cwd=work)
    assert published.code != 0 and not (work / "p.xlsx").exists()


# --- the commitment and the 抽取公告 ----------------------------------------------------------------


def test_prepare_writes_the_notice_with_its_anchor(work: Path, jc: Callable[..., Any]) -> None:
    run = jc(*TASK_1, "--prepare", "--place", "市商务局三楼会议室", "--draw-time", "2024-05-20 09:30",
             "--witness", "张三", "--witness", "李四", "--json")  # fmt: skip
    assert run.code == 0, run.output
    out = json.loads(run.out)
    [record] = records(work, "prepare")
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as ledger:
        ledger_id = ledger.ledger_id
    assert out["anchor"] == {"ledger_id": ledger_id, "records": record.seq, "head": record.hash}
    # The ledger as it stood before the commitment: its id record alone.
    assert (out["ledger_records"], out["number"], out["planned_total"]) == (1, 1, 4)
    committed = record.payload
    assert committed["inspectors"] == sorted(
        f"{r[0]}|{r[2]}" for r in clean_inspectors()[1:] if r[2] != "国家税务总局晋城市税务局"
    )
    assert committed["recusals"] == [] and committed["witnesses"] == ["张三", "李四"]
    rows = labelled(work / NOTICE, "抽取公告")
    assert "随机抽取公告" in rows[0][0]
    labels = messages.NOTICE_LABELS
    assert value(rows, labels["pool_sha256"]) == committed["pool_sha256"]
    assert value(rows, labels["inspectors_sha256"]) == committed["inspectors_sha256"]
    assert value(rows, labels["recusals_sha256"]) == committed["recusals_sha256"]
    assert value(rows, labels["place"]) == "市商务局三楼会议室"
    assert value(rows, labels["draw_time"]) == "2024-05-20 09:30"
    assert value(rows, labels["witnesses"]) == "张三、李四"
    assert value(rows, labels["planned"]).startswith("4 个")
    assert (value(rows, "台账编号"), value(rows, "记录校验值"), value(rows, "台账校验值")) == (
        ledger_id, record.hash, record.hash,
    )  # fmt: skip
    assert anchors_in("\n".join(v for _, v in rows)) == [Anchor(ledger_id, record.seq, record.hash)]
    # No class of a single entity, no inspector's name on a public notice.
    text = "\n".join(v for _, v in rows)
    assert all(row[0] not in text for row in clean_entities()[1:])
    assert all(row[1] not in text for row in clean_inspectors()[1:])


def test_notice_leaves_lines_to_fill_in_by_hand(work: Path, jc: Callable[..., Any]) -> None:
    assert jc(*TASK_1, "--prepare").code == 0
    rows = labelled(work / NOTICE, "抽取公告")
    labels = messages.NOTICE_LABELS
    for key in ("place", "draw_time", "witnesses", "seal"):
        assert set(value(rows, labels[key])) == {"＿"}, key
    assert jc(*TASK_1, "--place", "会议室", "--seed", SEED).code == 2  # announcement options need --prepare


def test_draw_without_a_commitment_says_so(work: Path, jc: Callable[..., Any]) -> None:
    run = jc(*TASK_1, *seeds(*WITNESSES), "--json")
    assert run.code == 0, run.output
    [draw] = records(work, "draw")
    assert draw.payload["commitments"] == [] and draw.payload["refused"] == []
    assert "prepared" not in draw.payload
    assert (
        value(labelled(work / WORKBOOK), messages.RECORD_NO_COMMITMENT_LABEL) == messages.RECORD_NO_COMMITMENT
    )


def test_inspector_off_duty_after_prepare_refuses_and_records_the_attempt(
    work: Path, jc: Callable[..., Any]
) -> None:
    """Why: setting an inspector to 离岗 after --prepare changed most teams with no refusal."""
    assert jc(*TASK_1, "--prepare").code == 0
    badge = clean_inspectors()[1][0]  # 晋城市商务局, eligible for task 1
    set_inspector(work / "registry.xlsx", badge, "离岗")
    refused = jc(*TASK_1, *seeds(*WITNESSES))
    assert refused.code == 1
    assert flat(messages.INSPECTORS_REMOVED.format(count=1, codes=badge)) in flat(refused.output)
    assert records(work, "draw") == [] and not (work / WORKBOOK).exists()
    [attempt] = records(work, "refused")
    assert attempt.payload["seed"] == SEED and attempt.payload["witnesses"][0]["name"] == "张三"
    assert flat(attempt.payload["details"]) == flat(refused.err)

    # The seed is public now: not even the restored registry may be drawn with it.
    set_inspector(work / "registry.xlsx", badge, "在岗")
    again = jc(*TASK_1, *seeds(*WITNESSES))
    assert again.code == 1 and "已经公开过这个随机种子" in flat(again.output)
    assert len(records(work, "refused")) == 2 and records(work, "draw") == []

    # A new commitment needs a reason; then a new seed draws, and the record lists everything.
    assert jc(*TASK_1, "--prepare").code == 1
    assert jc(*TASK_1, "--prepare", "--reason", "执法人员离岗后已复岗", outputs=[NOTICE]).code == 0
    fresh = ["王五:2718 2818 2845", "赵六:9045 2353 6028"]
    done = jc(*TASK_1, *seeds(*fresh), "--json")
    assert done.code == 0, done.output
    [draw] = records(work, "draw")
    commitments, refusals = draw.payload["commitments"], draw.payload["refused"]
    prepares, attempts = records(work, "prepare"), records(work, "refused")
    assert [c["seq"] for c in commitments] == [r.seq for r in prepares]
    assert [c["hash"] for c in commitments] == [r.hash for r in prepares]
    assert commitments[1]["reason"] == "执法人员离岗后已复岗" and draw.payload["prepared"] == commitments[1]
    assert [(r["seq"], r["seed"]) for r in refusals] == [(a.seq, SEED) for a in attempts]
    rows = labelled(work / WORKBOOK)
    assert [k for k, _ in rows if k.startswith("抽取前公告")] == [
        "抽取前公告（第 1 次）",
        "抽取前公告（第 2 次）",
    ]
    refused_rows = [v for k, v in rows if k.startswith("被拒绝的抽取")]
    assert len(refused_rows) == 2 and all(SEED in v and "张三" in v for v in refused_rows)
    assert "执法人员离岗后已复岗" in value(rows, "抽取前公告（第 2 次）")


def test_recusal_added_after_prepare_refuses(work: Path, jc: Callable[..., Any]) -> None:
    assert jc(*TASK_1, "--prepare").code == 0
    badge = clean_inspectors()[1][0]
    code = clean_entities()[1][0]  # a task-1 entity
    write_registry(
        work / "registry.xlsx", recusals=[["执法证号", "统一社会信用代码", "回避原因"], [badge, code, "亲属"]]
    )
    run = jc(*TASK_1, *seeds(*WITNESSES))
    assert run.code == 1
    assert flat(messages.RECUSAL_ADDED.format(count=1, codes=f"{badge}—{code}")) in flat(run.output)
    assert len(records(work, "refused")) == 1 and records(work, "draw") == []


def test_a_registry_change_outside_the_pools_does_not_refuse(work: Path, jc: Callable[..., Any]) -> None:
    assert jc(*TASK_1, "--prepare").code == 0
    entities = clean_entities()
    entities[-1][1] = "改了名字的其他任务公司"  # not a task-1 entity: the pools do not change
    write_registry(work / "registry.xlsx", entities=entities)
    run = jc(*TASK_1, *seeds(*WITNESSES))
    assert run.code == 0, run.output
    assert records(work, "refused") == []


# --- the anchored 抽取记录 -------------------------------------------------------------------------


def test_record_sheet_carries_the_draws_place_in_the_ledger(
    work: Path, jc: Callable[..., Any], run_cli: Any
) -> None:
    assert jc(*TASK_1, "--prepare").code == 0
    assert jc(*TASK_1, *seeds(*WITNESSES)).code == 0
    [draw] = records(work, "draw")
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as ledger:
        ledger_id, head = ledger.ledger_id, ledger.anchor()
    rows = labelled(work / WORKBOOK)
    assert value(rows, "台账编号") == ledger_id
    assert value(rows, "记录校验值") == draw.hash
    assert value(rows, "台账校验值") == draw.hash == head.head  # the head right after the draw record
    assert anchors_in(value(rows, messages.RECORD_ANCHOR_LABEL)) == [Anchor(ledger_id, draw.seq, draw.hash)]
    footer = openpyxl.load_workbook(work / WORKBOOK)[
        "抽取记录"
    ].oddFooter.center.text  # under the page numbers
    assert anchors_in(footer) == [Anchor(ledger_id, draw.seq, draw.hash)]
    # Export writes the same anchor, later and from the ledger alone.
    exported = run_cli(["export", "--draw", draw.payload["draw_id"], "--out", "again.xlsx"], cwd=work)
    assert exported.code == 0, exported.output
    assert labelled(work / "again.xlsx") == rows


def test_a_second_ledger_shows_another_ledger_id(work: Path, jc: Callable[..., Any]) -> None:
    assert jc(*TASK_1, *seeds(*WITNESSES)).code == 0
    assert jc(*TASK_1, *seeds(*WITNESSES), "--ledger", "scratch.sqlite3", "--out", "scratch.xlsx").code == 0
    first, second = labelled(work / WORKBOOK), labelled(work / "scratch.xlsx")
    assert value(first, "抽取编号") == value(second, "抽取编号")  # the same draw id …
    assert value(first, "台账编号") != value(second, "台账编号")  # … in another ledger, for all to see


# --- empty rounds ---------------------------------------------------------------------------------

TASK_6 = ["--plan", "joint", "--task", "6", "--as-of", AS_OF]  # 拍卖, 全市, 50 %


def without_auctions() -> list[list[Any]]:
    return [row for row in clean_entities() if row[3] != "拍卖"]  # column 监管类别


def task_status(run_cli: Any, work: Path, task: int) -> dict[str, Any]:
    result = run_cli(["status", "--as-of", "2024-06-01", "--json", "--year", "2024"], cwd=work)
    tasks = {(t["plan"], t["task"]): t for t in json.loads(result.out)["tasks"]}
    return dict(tasks[("2024-joint", task)])


def test_empty_round_is_refused_recorded_on_request_and_replaced_by_a_real_draw(
    work: Path, jc: Callable[..., Any], run_cli: Any
) -> None:
    write_registry(work / "registry.xlsx", entities=without_auctions())
    refused = jc(*TASK_6, *seeds(*WITNESSES))
    assert refused.code == 1
    assert "--record-empty" in refused.output and "抽取完成" not in refused.output
    assert not (work / "jcdraw.sqlite3").exists() or records(work, "draw") == []
    assert not (work / "draw-2024-joint-task6-round1.xlsx").exists()
    assert jc(*TASK_6, "--record-empty", *seeds(*WITNESSES)).code == 2  # a statement takes no seed

    stated = jc(*TASK_6, "--record-empty")
    assert stated.code == 0, stated.output
    [statement] = records(work, "draw")
    assert statement.payload["empty"] is True and statement.payload["selected"] == []
    statement_book = work / "无对象说明-2024-joint-task6-round1.xlsx"
    rows = labelled(statement_book)
    assert "没有符合条件的检查对象" in value(rows, messages.RECORD_EMPTY_LABEL)
    assert value(rows, "记录校验值") == statement.hash
    status = task_status(run_cli, work, 6)
    assert (status["drawn"], status["undrawn"]) == (0, False)
    assert jc(*TASK_6, "--record-empty").code == 1  # a second statement is a repeat
    verified = run_cli(["verify", statement_book.name], cwd=work)
    assert verified.code == 0, verified.output

    write_registry(work / "registry.xlsx")  # the auction houses are registered after all
    assert jc(*TASK_6, "--record-empty").code == 1  # entities exist now: no statement
    real = jc(*TASK_6, *seeds(*WITNESSES), "--json")  # no --redraw needed
    assert real.code == 0, real.output
    payload = json.loads(real.out)
    assert payload["draw_id"] == "2024-joint-T6-R1-2" and payload["supersedes"] == "2024-joint-T6-R1-1"
    assert task_status(run_cli, work, 6)["drawn"] == len(payload["selected"]) == 2
    unstated = run_cli(["verify", statement_book.name], cwd=work)
    assert unstated.code == 1  # the statement no longer holds for this registry


def test_record_empty_is_refused_when_there_is_something_to_draw(work: Path, jc: Callable[..., Any]) -> None:
    run = jc(*TASK_1, "--record-empty")
    assert run.code == 1 and "--record-empty" in run.output
    assert not (work / "jcdraw.sqlite3").exists() or records(work, "draw") == []


# --- an outsider needs no jcdraw -----------------------------------------------------------------

EXAMPLES = Path(__file__).parents[1] / "examples"


def readme_redo_block() -> str:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Redoing a draw without jcdraw", 1)[1]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]


@pytest.mark.parametrize(("plan", "task"), [("joint", "2"), ("internal", "2")])  # weighted, flat
def test_the_readme_recipe_redoes_the_selection_from_the_pool_sheet(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch, plan: str, task: str
) -> None:
    import shutil

    from jcdraw.io import xlsx_write

    monkeypatch.setattr(xlsx_write, "ROW_CAP", 60)  # the pool (60 and 129 entities) continues; 抽取记录 fits
    shutil.copy(EXAMPLES / "registry.xlsx", tmp_path / "registry.xlsx")
    argv = ["draw", "--new-ledger", "--plan", plan, "--task", task, "--as-of", "2024-04-01",
            *seeds(*WITNESSES),
            "--json"]  # fmt: skip
    run = run_cli(argv, cwd=tmp_path)
    assert run.code == 0, run.output
    payload = json.loads(run.out)
    path = tmp_path / f"draw-2024-{plan}-task{task}-round1.xlsx"
    assert "对象池(2)" in openpyxl.load_workbook(path, read_only=True).sheetnames
    found: dict[str, Any] = {"path": path}
    exec(readme_redo_block(), found)  # the README's block, verbatim: standard library + openpyxl only
    assert found["selected"] == [s["uscc"] for s in payload["selected"]]
    assert len(found["pool"]) == payload["pool_size"]
    assert run_cli(["verify", path.name], cwd=tmp_path).code == 0  # verify reads the continued sheets too


# --- verify checks what a reader sees ------------------------------------------------------------


def forge(
    path: Path, out: Path, sheet: str, find: Callable[[list[Any]], bool], column: int, new: object
) -> None:
    """Copy ``path`` to ``out`` with one cell changed: the first row of ``sheet`` matching ``find``."""
    book = openpyxl.load_workbook(path)
    for row in book[sheet].iter_rows():
        if find([cell.value for cell in row]):
            row[column].value = new(row[column].value) if callable(new) else new
            break
    else:
        raise AssertionError(f"no row to forge in {sheet}")
    book.save(out)


def label_is(label: str) -> Callable[[list[Any]], bool]:
    return lambda row: row[0] == label


def first_entity(row: list[Any]) -> bool:
    return row[0] == 1


FORGERIES: list[tuple[str, str, Callable[[list[Any]], bool], int, Any, str]] = [
    ("seed", "抽取记录", label_is("随机种子"), 1, "314159265358979323846265", "随机种子"),
    ("plan", "抽取记录", label_is("计划编号"), 1, "2024-internal", "计划编号"),
    ("task", "抽取记录", label_is("任务编号"), 1, 2, "任务编号"),
    ("round", "抽取记录", label_is("抽取轮次"), 1, 2, "抽取轮次"),
    ("draw id", "抽取记录", label_is("抽取编号"), 1, "2024-joint-T1-R1-2", "抽取编号"),
    ("pool hash", "抽取记录", label_is("对象池 SHA-256"), 1, "0" * 64, "对象池 SHA-256"),
    ("registry hash", "抽取记录", label_is("名录库文件 SHA-256"), 1, "1" * 64, "名录库文件 SHA-256"),
    ("witness", "抽取记录", label_is("见证人 2"), 1, "李四：9793 2384 6265", "见证人"),
    ("head", "抽取记录", label_is("台账校验值"), 1, "2" * 64, "台账锚点"),
    ("entity name", "抽取结果", first_entity, 2, "换了名字的公司", "名称"),
    ("member name", "抽取结果", first_entity, 6, lambda v: "王冒名" + v[v.index("（") :], "姓名"),
    ("badge", "抽取结果", first_entity, 6, lambda v: v.replace("（", "（9", 1), "检查组"),
    ("code", "抽取结果", first_entity, 1, "91140525MA0JC00010", "91140525MA0JC00010"),
    ("inspector name", "检查人员", lambda row: str(row[0]).startswith("1405"), 1, "冒名者", "姓名"),
    ("pool ticket", "对象池", lambda row: str(row[0]).startswith("91"), 2, "f" * 64, "对象池工作表"),
    ("pool class", "对象池", lambda row: str(row[0]).startswith("91"), 1, "Z", "对象池工作表"),
]


@pytest.mark.parametrize(
    ("sheet", "find", "column", "new", "named"), [f[1:] for f in FORGERIES], ids=[f[0] for f in FORGERIES]
)
def test_each_forged_readable_cell_fails_verify(
    work: Path,
    jc: Callable[..., Any],
    run_cli: Any,
    sheet: str,
    find: Callable[[list[Any]], bool],
    column: int,
    new: Any,
    named: str,
) -> None:
    """Why: changing the readable 随机种子 row or a name left verify at 一致."""
    assert jc(*TASK_1, *seeds(*WITNESSES)).code == 0
    assert run_cli(["verify", WORKBOOK], cwd=work).code == 0
    forge(work / WORKBOOK, work / "forged.xlsx", sheet, find, column, new)
    run = run_cli(["verify", "forged.xlsx", "--json"], cwd=work)
    assert run.code == 1, run.out
    found = json.loads(run.out)
    assert found["ok"] is False and any(named in line for line in found["differences"]), found["differences"]


def test_verify_prints_seed_commitments_and_anchor(work: Path, jc: Callable[..., Any], run_cli: Any) -> None:
    assert jc(*TASK_1, "--prepare").code == 0
    assert jc(*TASK_1, *seeds(*WITNESSES)).code == 0
    [draw] = records(work, "draw")
    run = run_cli(["verify", WORKBOOK], cwd=work)
    assert run.code == 0, run.output
    text = flat(run.out)
    assert flat(messages.VERIFY_SEED_LINE.format(seed=SEED)) in text
    assert "张三：3141 5926 5358" in run.out and "抽取前公告（第1次）" in text
    assert draw.hash in text  # the anchor as printed on the sheet
    found = json.loads(run_cli(["verify", WORKBOOK, "--json"], cwd=work).out)
    assert found["anchors"] == [
        {"ledger_id": found["anchors"][0]["ledger_id"], "records": draw.seq, "head": draw.hash}
    ]
    assert [c["seq"] for c in found["commitments"]] == [r.seq for r in records(work, "prepare")]


def test_a_rehearsal_shows_a_commitment_mismatch_without_recording_it(
    work: Path, jc: Callable[..., Any]
) -> None:
    assert jc(*TASK_1, "--prepare").code == 0
    badge = clean_inspectors()[1][0]
    set_inspector(work / "registry.xlsx", badge, "离岗")
    run = jc(*TASK_1, "--practice", "--seed", "random")
    assert run.code == 1 and run.err.startswith("演练：")
    assert flat(messages.INSPECTORS_REMOVED.format(count=1, codes=badge)) in flat(run.err)
    assert records(work, "refused") == [] and not (work / f"演练-{WORKBOOK}").exists()
