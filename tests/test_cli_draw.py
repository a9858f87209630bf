"""End-to-end tests of ``jcdraw draw``, ``jcdraw verify`` and ``jcdraw export`` on the example registry.

The expected draw is recomputed here independently of jcdraw's own code: the pool is read from the
registry with openpyxl and the plan rules written out below, stratum sizes are ⌈r × N⌉ in exact
fractions, tickets are SHA-256 of ``{seed}|{plan}|{task}|{round}|{code}``, and every team is checked
against the team rule (department quotas, size, eligibility, recusals).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from jcdraw import messages
from jcdraw.ledger import Ledger, Record
from jcdraw.registry.uscc import make_uscc

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PLANS = ROOT / "plans"
SEED = "31415926535897932384"
AS_OF = "2024-04-01"

SELECTED_HEADERS = [
    "序号",
    "统一社会信用代码",
    "名称",
    "区域",
    "信用风险分类",
    "检查组",
    "检查人员",
    "检查事项",
]
INSPECTOR_HEADERS = ["执法证号", "姓名", "部门", "分配数量"]
RESULT_HEADERS = [
    "抽取编号", "任务编号", "统一社会信用代码", "名称", "检查事项序号", "检查事项",
    "检查结果", "检查日期", "检查人员执法证号", "备注",
]  # fmt: skip
JSON_KEYS = {
    "draw_id",
    "plan",
    "task",
    "round",
    "seed",
    "registry_sha256",
    "pool_sha256",
    "strata",
    "selected",
}
INACTIVE = {"注销", "吊销", "撤销", "迁出", "吊销未注销", "已注销", "已吊销", "已迁出", "歇业", "停业"}
ON_DUTY = {"在岗", "在职"}


# --- the rules, written out independently of jcdraw --------------------------------------------


@dataclass(frozen=True)
class TaskRule:
    plan_file: str
    plan_id: str
    selector: str
    task: int
    category: str
    scope: str  # a region name or 全市
    ratio: Fraction  # the task's nominal ratio
    departments: tuple[str, ...]
    credential_through: date = date(2024, 12, 31)
    kind: str = "weighted"  # the plan's credit rule: weighted (joint) or flat (internal task 2)

    def expected_counts(self, counts: Counter[str]) -> dict[str, int]:
        """Entities per class that round 1 draws: the credit rule redone independently (see below)."""
        if self.kind == "flat":
            return {"*": math.ceil(self.ratio * sum(counts.values()))}
        return weighted_reference(self.ratio, {c: counts.get(c, 0) for c in "ABCD"}, WEIGHTS)


WEIGHTS = {"A": 1, "B": 2, "C": 3, "D": 4}


def weighted_reference(ratio: Fraction, sizes: dict[str, int], weights: dict[str, int]) -> dict[str, int]:
    """The weighted rule by another route: n = ⌈rN⌉; find λ with Σ N_k·min(1, λw_k) = n by trying
    "the m heaviest classes are taken whole" for m = 0, 1, …; round by largest remainder in whole
    numbers (remainders over a common denominator), ties to the later (higher-risk) class."""
    n = math.ceil(ratio * sum(sizes.values()))
    live = [c for c in sizes if sizes[c]]
    heaviest_first = sorted(live, key=lambda c: -weights[c])
    quotas: dict[str, Fraction] = {c: Fraction(0) for c in sizes}
    for m in range(len(live) + 1):
        whole, rest = heaviest_first[:m], heaviest_first[m:]
        left = n - sum(sizes[c] for c in whole)
        denominator = sum(weights[c] * sizes[c] for c in rest)
        lam = Fraction(left, denominator) if denominator else Fraction(0)
        if all(lam * weights[c] <= 1 for c in rest) and all(lam * weights[c] > 1 for c in whole):
            quotas.update({c: Fraction(sizes[c]) for c in whole})
            quotas.update({c: lam * weights[c] * sizes[c] for c in rest})
            break
    common = math.lcm(*(q.denominator for q in quotas.values()))
    scaled = {c: q.numerator * (common // q.denominator) for c, q in quotas.items()}
    counts = {c: s // common for c, s in scaled.items()}
    spare = n - sum(counts.values())
    order = "ABCD"
    ranked = sorted(sizes, key=lambda c: (scaled[c] % common, order.index(c)), reverse=True)
    for c in ranked[:spare]:
        counts[c] += 1
    return counts


JOINT_1 = TaskRule(
    "2024_joint.yaml", "2024-joint", "joint", 1, "报废机动车回收拆解", "泽州县", Fraction(1),
    ("晋城市商务局", "晋城市公安局", "晋城市市场监督管理局", "晋城市公安分局"),
)  # fmt: skip
INTERNAL_2 = TaskRule(
    "2024_internal.yaml",
    "2024-internal",
    "internal",
    2,
    "商业特许经营",
    "全市",
    Fraction(2, 5),
    ("晋城市商务局",),
    kind="flat",
)


def text(value: object) -> str:
    """A cell as normalised text: NFKC, no whitespace at all, upper-case."""
    if value is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s\u200b\ufeff]+", "", folded).upper()


@cache
def aliases() -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(region alias → region, department alias → department, all regions) from jincheng.yaml."""
    data = yaml.safe_load((PLANS / "jincheng.yaml").read_text(encoding="utf-8"))
    regions = {text(r["name"]): r["name"] for r in data["regions"]}
    regions.update({text(a): r["name"] for r in data["regions"] for a in r.get("aliases", [])})
    departments = {text(d["name"]): d["name"] for d in data["departments"]}
    departments.update({text(a): d["name"] for d in data["departments"] for a in d.get("aliases", [])})
    return regions, departments, {r["name"] for r in data["regions"]}


@cache
def risk_aliases(plan_file: str) -> tuple[dict[str, str], str]:
    policy = yaml.safe_load((PLANS / plan_file).read_text(encoding="utf-8"))["risk_policy"]
    lookup = {text(c["code"]): c["code"] for c in policy["classes"]}
    lookup.update({text(a): c["code"] for c in policy["classes"] for a in [c["label"], *c["aliases"]]})
    return lookup, policy["default_class"]


def valid_code(code: str) -> bool:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if len(code) != 18 or any(ch not in alphabet for ch in code):
        return False
    total = sum(alphabet.index(ch) * pow(3, i, 31) for i, ch in enumerate(code[:17]))
    return alphabet[(31 - total % 31) % 31] == code[17]


def split_list(value: object) -> list[str]:
    return [part for part in re.split(r"[、,，;；/\s]+", str(value or "")) if part]


def header_index(rows: list[tuple[Any, ...]], first: str) -> tuple[int, dict[str, int]]:
    for n, row in enumerate(rows):
        if row and row[0] == first:
            return n, {str(h): i for i, h in enumerate(row) if h is not None}
    raise AssertionError(f"no header starting with {first}")


def sheet_rows(path: Path, name: str, first: str) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    start, columns = header_index(rows, first)
    return [{h: row[i] if i < len(row) else None for h, i in columns.items()} for row in rows[start + 1 :]]


def reference_pool(registry: Path, rule: TaskRule) -> dict[str, str]:
    """Eligible entity code → risk class, straight from the workbook."""
    regions, _, all_regions = aliases()
    scope = all_regions if rule.scope == "全市" else {rule.scope}
    lookup, default = risk_aliases(rule.plan_file)
    pool: dict[str, str] = {}
    for row in sheet_rows(registry, "检查对象", "统一社会信用代码"):
        code = text(row["统一社会信用代码"])
        if not valid_code(code) or text(row["经营状态"]) in INACTIVE:
            continue
        if regions.get(text(row["区域"])) not in scope or rule.category not in split_list(row["监管类别"]):
            continue
        risk = text(row["信用风险分类"])
        pool[code] = lookup[risk] if risk else default
    return pool


def credential_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parts = re.findall(r"\d+", str(value or ""))
    return date(*map(int, parts[:3])) if len(parts) >= 3 else None


def reference_inspectors(registry: Path, rule: TaskRule) -> dict[str, str]:
    """Eligible badge → department for the task."""
    _, departments, _ = aliases()
    eligible: dict[str, str] = {}
    for row in sheet_rows(registry, "执法人员", "执法证号"):
        department = departments.get(text(row["部门"]))
        expires = credential_date(row["执法证有效期至"])
        qualifications = split_list(row.get("可检查类别"))
        if (
            department in rule.departments
            and text(row["在岗状态"]) in ON_DUTY
            and expires is not None
            and expires >= rule.credential_through
            and (not qualifications or rule.category in qualifications)
        ):
            eligible[text(row["执法证号"])] = department
    return eligible


def reference_recusals(registry: Path) -> set[tuple[str, str]]:
    pairs = {
        (text(row["执法证号"]), text(code))
        for row in sheet_rows(registry, "执法人员", "执法证号")
        for code in split_list(row.get("回避对象"))
    }
    pairs |= {
        (text(row["执法证号"]), text(row["统一社会信用代码"]))
        for row in sheet_rows(registry, "回避关系", "执法证号")
        if row["执法证号"]
    }
    return pairs


def ticket(seed: str, rule: TaskRule, code: str, round_no: int = 1) -> str:
    return hashlib.sha256(f"{seed}|{rule.plan_id}|{rule.task}|{round_no}|{code}".encode()).hexdigest()


# --- running the CLI -----------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """All output with whitespace removed, so a line wrapped by the console still matches."""
        return flat(self.out + self.err)

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out)
        return data


def flat(value: str) -> str:
    return re.sub(r"\s+", "", value)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def jc(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """``jc(*args)``: run ``jcdraw.cli.main`` in-process; no traceback, input files unchanged."""
    from jcdraw.cli import main

    monkeypatch.delenv("JCDRAW_REGISTRY", raising=False)
    monkeypatch.delenv("JCDRAW_LEDGER", raising=False)

    def run(*argv: str | Path) -> Run:
        args = [str(a) for a in argv]
        outputs = {args[i + 1] for i, a in enumerate(args[:-1]) if a == "--out"}
        named = [Path(a) for a in args if a not in outputs and a.endswith(".xlsx")]
        inputs = {p: file_digest(p) for p in [*named, Path("registry.xlsx")] if p.is_file()}
        capsys.readouterr()
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err, out + err
        for path, digest in inputs.items():
            assert file_digest(path) == digest, f"jcdraw {' '.join(args)} modified {path}"
        return Run(code, out, err)

    return run


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a copy of the example registry, made the current directory."""
    shutil.copy(EXAMPLES / "registry.xlsx", tmp_path / "registry.xlsx")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def draw_args(rule: TaskRule = JOINT_1, *extra: str, seed: str = SEED) -> list[str]:
    return [
        "draw",
        "--new-ledger",
        "--plan",
        rule.selector,
        "--task",
        str(rule.task),
        "--seed",
        seed,
        "--as-of",
        AS_OF,
        *extra,
    ]


def ledger_draws(path: Path) -> list[Record]:
    if not path.exists():
        return []
    with Ledger.open(path, readonly=True) as ledger:
        return ledger.records("draw")


def default_out(rule: TaskRule, round_no: int = 1) -> str:
    return f"draw-{rule.plan_id}-task{rule.task}-round{round_no}.xlsx"


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def edit_registry(path: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def data_rows(sheet: Any, first: str) -> tuple[int, list[list[Any]]]:
    """(header row number, data rows as lists) of an openpyxl sheet whose header starts with ``first``."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start, _ = header_index([tuple(r) for r in rows], first)
    return start + 1, rows[start + 1 :]


# --- 1. the draw and its workbook ----------------------------------------------------------------


def check_draw(payload: dict[str, Any], registry: Path, rule: TaskRule, seed: str = SEED) -> None:
    """Assert the whole draw against the independent reference."""
    assert payload.keys() >= JSON_KEYS
    assert (payload["plan"], payload["task"], payload["round"], payload["seed"]) == (
        rule.plan_id,
        rule.task,
        1,
        seed,
    )
    assert payload["registry_sha256"] == file_digest(registry)
    pool = reference_pool(registry, rule)
    expected_pool_hash = hashlib.sha256(
        "".join(sorted(f"{u}|{c}\n" for u, c in pool.items())).encode()
    ).hexdigest()
    assert payload["pool_sha256"] == expected_pool_hash

    counts = Counter(pool.values())
    expected_counts = rule.expected_counts(counts)
    assert [s["class"] for s in payload["strata"]] == ["A", "B", "C", "D"]
    assert payload["rule"] == rule.kind and payload["nominal_ratio"] == str(rule.ratio)
    assert payload["eligible_total"] == len(pool)
    assert payload["drawn_total"] == len(payload["selected"]) == sum(expected_counts.values())
    for stratum in payload["strata"]:
        assert set(stratum) >= {"class", "eligible", "ratio", "drawn"}
        assert stratum["eligible"] == counts[stratum["class"]]
        if rule.kind == "weighted":
            assert stratum["drawn"] == expected_counts[stratum["class"]]
        effective = Fraction(stratum["drawn"], stratum["eligible"]) if stratum["eligible"] else None
        assert stratum["ratio"] == (None if effective is None else pytest.approx(float(effective), abs=1e-4))

    selected = payload["selected"]
    for s in selected:
        assert set(s) == {"uscc", "name", "region", "risk_class", "ticket", "team"}
        assert s["ticket"] == ticket(seed, rule, s["uscc"])
        assert s["risk_class"] == pool[s["uscc"]]
    assert [s["ticket"] for s in selected] == sorted(s["ticket"] for s in selected)
    for stratum, n in expected_counts.items():
        in_stratum = [u for u, c in pool.items() if stratum in ("*", c)]
        by_ticket = sorted((ticket(seed, rule, u), u) for u in in_stratum)
        expected = {u for _, u in by_ticket[:n]}
        assert {s["uscc"] for s in selected if stratum in ("*", s["risk_class"])} == expected
    check_teams(selected, registry, rule)


def check_teams(selected: list[dict[str, Any]], registry: Path, rule: TaskRule) -> None:
    eligible = reference_inspectors(registry, rule)
    recusals = reference_recusals(registry)
    loads: Counter[str] = Counter()
    for s in selected:
        team = s["team"]
        assert len(team) >= 2 and len(set(team)) == len(team), s
        assert set(team) <= eligible.keys(), (s["uscc"], set(team) - eligible.keys())
        assert not {(b, s["uscc"]) for b in team} & recusals, s
        present = {eligible[b] for b in team}
        assert present == set(rule.departments), (s["uscc"], present)
        loads.update(team)
    # Balance: within a department, loads differ by at most 1 (recusals never bind here).
    for department in rule.departments:
        values = [loads[b] for b, d in eligible.items() if d == department]
        assert max(values) - min(values) <= 1, (department, values)


def check_workbook(path: Path, payload: dict[str, Any], items: int) -> None:
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:5] == ["抽取结果", "检查人员", "抽取记录", "检查结果", "对象池"]
    for ws in book.worksheets:
        assert ws.freeze_panes == ("A3" if ws.title == "对象池" else "A2"), ws.title  # 对象池 has a title row
        for column in range(1, ws.max_column + 1):
            letter = openpyxl.utils.get_column_letter(column)
            assert ws.column_dimensions[letter].customWidth, (ws.title, letter)
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
    values = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    assert values["抽取结果"][0] == SELECTED_HEADERS
    assert values["检查人员"][0] == INSPECTOR_HEADERS
    assert values["检查结果"][0] == RESULT_HEADERS
    selected = payload["selected"]
    rows = values["抽取结果"][1:]
    assert [r[0] for r in rows] == list(range(1, len(selected) + 1))
    assert [r[1] for r in rows] == [s["uscc"] for s in selected]
    for r, s in zip(rows, selected, strict=True):
        assert re.findall(r"（(\d+)）", r[6]) == s["team"]
    inspector_loads = {r[0]: r[3] for r in values["检查人员"][1:]}
    assert sum(inspector_loads.values()) == sum(len(s["team"]) for s in selected)

    results = values["检查结果"][1:]
    assert len(results) == len(selected) * items
    assert {r[0] for r in results} == {payload["draw_id"]}
    assert [r[2] for r in results[::items]] == [s["uscc"] for s in selected]
    assert [r[4] for r in results[:items]] == list(range(1, items + 1))
    validations = book["检查结果"].data_validations.dataValidation
    dropdowns = [v for v in validations if v.type == "list" and "G2" in v.sqref]
    assert dropdowns, "检查结果 has no dropdown on 检查结果 column"
    assert f"G{len(results) + 1}" in dropdowns[0].sqref
    assert "未发现问题" in dropdowns[0].formula1

    record = dict((r[0], r[1]) for r in values["抽取记录"][1:])
    assert record["随机种子"] == payload["seed"]
    machine = json.loads(record["机读记录"])
    assert (machine["draw_id"], machine["seed"], machine["pool_sha256"]) == (
        payload["draw_id"], payload["seed"], payload["pool_sha256"],
    )  # fmt: skip


@pytest.mark.parametrize(("rule", "items"), [(JOINT_1, 4), (INTERNAL_2, 5)])
def test_draw_matches_independent_reference(
    work: Path, jc: Callable[..., Run], rule: TaskRule, items: int
) -> None:
    run = jc(*draw_args(rule, "--json"))
    assert run.code == 0, run.err
    payload = run.json()
    assert payload["draw_id"] == f"{rule.plan_id}-T{rule.task}-R1-1"
    check_draw(payload, work / "registry.xlsx", rule)
    assert sum(s["drawn"] for s in payload["strata"]) == len(payload["selected"]) > 0
    check_workbook(work / default_out(rule), payload, items)
    [record] = ledger_draws(work / "jcdraw.sqlite3")
    assert record.payload["draw_id"] == payload["draw_id"]
    assert [s["team"] for s in record.payload["selected"]] == [s["team"] for s in payload["selected"]]


def test_recusal_in_the_pool_is_respected(work: Path, jc: Callable[..., Run]) -> None:
    """The example registry recuses an eligible inspector from a task-1 entity; the draw honours it."""
    pool = reference_pool(work / "registry.xlsx", JOINT_1)
    eligible = reference_inspectors(work / "registry.xlsx", JOINT_1)
    binding = {(b, u) for b, u in reference_recusals(work / "registry.xlsx") if u in pool and b in eligible}
    assert binding, "the example registry should recuse someone from a task-1 entity"
    payload = jc(*draw_args(JOINT_1, "--json")).json()
    teams = {s["uscc"]: s["team"] for s in payload["selected"]}
    for badge, code in binding:
        assert badge not in teams[code]


# --- 2. reproducible, row order irrelevant ---------------------------------------------------------


def shuffle_registry(path: Path) -> None:
    """Rewrite the entity and inspector rows in a different (deterministic) order."""

    def change(book: openpyxl.Workbook) -> None:
        for name, first in (("检查对象", "统一社会信用代码"), ("执法人员", "执法证号")):
            sheet = book[name]
            start, rows = data_rows(sheet, first)
            reordered = sorted(rows, key=lambda r: hashlib.sha256(str(r[0]).encode()).hexdigest())
            assert reordered != rows
            for offset, row in enumerate(reordered):
                for column, value in enumerate(row, 1):
                    # sheet.cell(r, c, None) would keep the old value, so assign explicitly.
                    sheet.cell(start + 1 + offset, column).value = value

    edit_registry(path, change)


def test_same_inputs_same_draw_and_row_order_does_not_matter(
    tmp_path: Path, jc: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    payloads = []
    for name in ("first", "second", "shuffled"):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(EXAMPLES / "registry.xlsx", folder / "registry.xlsx")
        if name == "shuffled":
            shuffle_registry(folder / "registry.xlsx")
        monkeypatch.chdir(folder)
        run = jc(*draw_args(INTERNAL_2, "--json"))
        assert run.code == 0, run.err
        payloads.append(run.json())
    first, second, shuffled = payloads
    assert first == second
    assert shuffled["registry_sha256"] != first["registry_sha256"]
    assert {**shuffled, "registry_sha256": None} == {**first, "registry_sha256": None}
    check_draw(shuffled, tmp_path / "shuffled" / "registry.xlsx", INTERNAL_2)


# --- 3. redraws ------------------------------------------------------------------------------------


def test_redraw_needs_flag_and_reason_and_supersedes(work: Path, jc: Callable[..., Run]) -> None:
    first = jc(*draw_args(JOINT_1, "--json"))
    assert first.code == 0
    again = jc(*draw_args(JOINT_1))
    assert again.code == 1, again.text
    assert "--redraw" in again.text and "2024-joint-T1-R1-1" in again.text
    no_reason = jc(*draw_args(JOINT_1, "--redraw", "--force"))
    assert no_reason.code == 2
    assert flat(messages.DRAW_REDRAW_NEEDS_REASON) in no_reason.text
    assert len(ledger_draws(work / "jcdraw.sqlite3")) == 1

    other_seed = "2718 2818 2845 9045 2353"
    redo = jc(
        *draw_args(
            JOINT_1, "--redraw", "--reason", "名录库漏登 1 家企业", "--force", "--json", seed=other_seed
        )
    )
    assert redo.code == 0, redo.text
    payload = redo.json()
    assert payload["draw_id"] == "2024-joint-T1-R1-2"
    assert payload["supersedes"] == "2024-joint-T1-R1-1"
    with Ledger.open(work / "jcdraw.sqlite3", readonly=True) as ledger:
        assert [r.payload["draw_id"] for r in ledger.records("draw")] == [
            "2024-joint-T1-R1-1",
            "2024-joint-T1-R1-2",
        ]
        standing = ledger.standing_draw("2024-joint", 1, 1)
        assert standing is not None and standing.payload["draw_id"] == "2024-joint-T1-R1-2"
        assert standing.payload["redraw_reason"] == "名录库漏登 1 家企业"
        assert ledger.superseded_by("2024-joint-T1-R1-1") == "2024-joint-T1-R1-2"
    check_draw(payload, work / "registry.xlsx", JOINT_1, seed="27182818284590452353")


def test_redraw_with_the_same_seed_reproduces_the_draw(work: Path, jc: Callable[..., Run]) -> None:
    """The draw being replaced is not 'an earlier inspection': it must not steer the new teams."""
    first = jc(*draw_args(JOINT_1, "--json")).json()
    redo = jc(*draw_args(JOINT_1, "--redraw", "--reason", "公证员未到场", "--force", "--json"))
    assert redo.code == 0, redo.text
    assert redo.json()["selected"] == first["selected"]


def test_redraw_without_an_earlier_draw_is_refused(work: Path, jc: Callable[..., Run]) -> None:
    run = jc(*draw_args(JOINT_1, "--redraw", "--reason", "试试"))
    assert run.code == 2
    assert flat(messages.LEDGER_REDRAW_NOTHING.format(plan="2024-joint", task=1, round=1)) in run.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []
    assert not (work / default_out(JOINT_1)).exists()


# --- 4. prepare (commitment) -----------------------------------------------------------------------


def test_prepare_then_unchanged_draw_records_the_commitment(work: Path, jc: Callable[..., Run]) -> None:
    prepared = jc("draw", "--new-ledger", "--plan", "joint", "--task", "1", "--prepare", "--as-of", AS_OF,
                  "--json")  # fmt: skip
    assert prepared.code == 0, prepared.text
    commitment = prepared.json()
    assert commitment["registry_sha256"] == file_digest(work / "registry.xlsx")
    pool = reference_pool(work / "registry.xlsx", JOINT_1)
    assert commitment["pool_size"] == len(pool) == commitment["planned_total"]  # task 1 draws 100 %
    assert commitment["number"] == 1 and commitment["notice"] == "抽取公告-2024-joint-task1-round1.xlsx"
    assert ledger_draws(work / "jcdraw.sqlite3") == []
    again = jc("draw", "--plan", "joint", "--task", "1", "--prepare", "--as-of", AS_OF)
    assert again.code == 1 and "--reason" in again.text  # a second commitment needs a reason
    prepare_again = ["draw", "--plan", "joint", "--task", "1", "--prepare", "--as-of", AS_OF]
    text_run = jc(*prepare_again, "--reason", "见证人变更")
    assert text_run.code == 0, text_run.text
    assert commitment["pool_sha256"] in text_run.text and commitment["registry_sha256"] in text_run.text
    assert (work / "抽取公告-2024-joint-task1-round1-2.xlsx").is_file()

    run = jc(*draw_args(JOINT_1, "--json"))
    assert run.code == 0, run.text
    assert run.json()["pool_sha256"] == commitment["pool_sha256"]
    [record] = ledger_draws(work / "jcdraw.sqlite3")
    first, second = record.payload["commitments"]
    assert record.payload["prepared"] == second and second["reason"] == "见证人变更"
    assert (first["pool_sha256"], first["registry_sha256"], first["seq"]) == (
        commitment["pool_sha256"], commitment["registry_sha256"], commitment["anchor"]["records"],
    )  # fmt: skip


def test_prepare_then_changed_pool_refuses_and_names_the_changes(work: Path, jc: Callable[..., Run]) -> None:
    registry = work / "registry.xlsx"
    prepared = jc("draw", "--new-ledger", "--plan", "joint", "--task", "1", "--prepare", "--as-of", AS_OF)
    assert prepared.code == 0
    pool = reference_pool(registry, JOINT_1)
    added = make_uscc("91140525MA0JC0001")
    assert added not in pool
    reclassed = min(code for code, cls in pool.items() if cls == "A")

    def change(book: openpyxl.Workbook) -> None:
        sheet = book["检查对象"]
        start, rows = data_rows(sheet, "统一社会信用代码")
        for offset, row in enumerate(rows):
            if text(row[0]) == reclassed:
                sheet.cell(start + 1 + offset, 5, "C")
        sheet.append(
            [added, "泽州县测试报废机动车回收拆解有限公司", "泽州县", "报废机动车回收拆解", "A", "在业"]
        )

    edit_registry(registry, change)
    assert reference_pool(registry, JOINT_1) == {**pool, added: "A", reclassed: "C"}
    run = jc(*draw_args(JOINT_1))
    assert run.code == 1, run.text
    assert flat(messages.POOL_ADDED.format(count=1, codes=added)) in run.text
    assert flat(messages.POOL_RECLASSED.format(count=1, codes=reclassed)) in run.text
    assert flat(messages.POOL_REGISTRY_CHANGED) in run.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []
    assert not (work / default_out(JOINT_1)).exists()


# --- 5. verify --------------------------------------------------------------------------------------


def test_verify_agrees_then_lists_tampering(work: Path, jc: Callable[..., Run]) -> None:
    payload = jc(*draw_args(JOINT_1, "--json")).json()
    book_path = work / default_out(JOINT_1)
    ok = jc("verify", book_path)
    assert ok.code == 0, ok.text
    assert "一致" in ok.out and "不一致" not in ok.out
    ok_json = jc("verify", book_path, "--json").json()
    assert (ok_json["ok"], ok_json["draw_id"], ok_json["differences"]) == (True, payload["draw_id"], [])
    assert ok_json["seed"] == SEED and ok_json["notes"] == []

    first, second = payload["selected"][0], payload["selected"][1]
    swapped_out = first["team"][0]
    swapped_in = "14050099999"
    tampered = work / "tampered.xlsx"
    book = openpyxl.load_workbook(book_path)
    sheet = book["抽取结果"]
    assert sheet.cell(2, 2).value == first["uscc"] and sheet.cell(3, 2).value == second["uscc"]
    sheet.cell(2, 7).value = sheet.cell(2, 7).value.replace(f"（{swapped_out}）", f"（{swapped_in}）")
    sheet.delete_rows(3)
    book.save(tampered)

    bad = jc("verify", tampered, "--json")
    assert bad.code == 1
    result = bad.json()
    assert result["ok"] is False
    expected_team = "、".join(first["team"])
    listed_team = expected_team.replace(swapped_out, swapped_in)
    assert sorted(result["differences"]) == sorted([
        messages.VERIFY_MISSING.format(uscc=second["uscc"]),
        messages.VERIFY_TEAM.format(uscc=first["uscc"], listed=listed_team, expected=expected_team),
    ])  # fmt: skip
    plain = jc("verify", tampered)
    assert plain.code == 1 and second["uscc"] in plain.out and swapped_in in plain.out


def test_verify_reports_a_changed_registry(work: Path, jc: Callable[..., Run]) -> None:
    assert jc(*draw_args(JOINT_1)).code == 0
    changed = work / "registry-changed.xlsx"
    shutil.copy(work / "registry.xlsx", changed)

    def new_address(book: openpyxl.Workbook) -> None:
        sheet = book["检查对象"]
        start, _ = data_rows(sheet, "统一社会信用代码")
        sheet.cell(start + 1, 7, "山西省晋城市城区新地址 1 号")

    edit_registry(changed, new_address)
    run = jc("verify", default_out(JOINT_1), "--registry", changed, "--json")
    # An address is not part of any pool: the registry changed, the draw still verifies.
    assert run.code == 0, run.out
    assert run.json()["differences"] == [] and run.json()["notes"] == [messages.VERIFY_REGISTRY_UPDATED]
    plain = jc("verify", default_out(JOINT_1), "--registry", changed)
    assert plain.code == 0 and flat(messages.VERIFY_REGISTRY_UPDATED) in plain.text


# --- 6. refusals before anything is recorded ------------------------------------------------------


def test_existing_output_is_kept_unless_force(work: Path, jc: Callable[..., Run]) -> None:
    out = work / "抽取.xlsx"
    out.write_bytes(b"keep me")
    run = jc(*draw_args(JOINT_1, "--out", "抽取.xlsx"))
    assert run.code == 2
    assert flat(messages.OUTPUT_EXISTS.format(path="抽取.xlsx")) in run.text
    assert out.read_bytes() == b"keep me"
    assert ledger_draws(work / "jcdraw.sqlite3") == []
    forced = jc(*draw_args(JOINT_1, "--out", "抽取.xlsx", "--force"))
    assert forced.code == 0, forced.text
    assert sheet_values(out)["抽取结果"][0] == tuple(SELECTED_HEADERS)
    assert len(ledger_draws(work / "jcdraw.sqlite3")) == 1


def test_a_taken_default_output_name_is_numbered(work: Path, jc: Callable[..., Run]) -> None:
    taken = work / default_out(JOINT_1)
    taken.write_bytes(b"keep me")
    run = jc(*draw_args(JOINT_1))
    assert run.code == 0, run.text
    assert taken.read_bytes() == b"keep me"
    numbered = work / default_out(JOINT_1).replace(".xlsx", "-2.xlsx")
    assert sheet_values(numbered)["抽取结果"][0] == tuple(SELECTED_HEADERS)


def test_out_into_missing_folder_records_nothing(work: Path, jc: Callable[..., Run]) -> None:
    run = jc(*draw_args(JOINT_1, "--out", "nowhere/result.xlsx"))
    assert run.code == 2
    assert "nowhere" in run.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []
    assert not (work / "nowhere").exists()


def test_custom_out_and_ledger_paths(work: Path, jc: Callable[..., Run]) -> None:
    (work / "out").mkdir()
    run = jc(*draw_args(JOINT_1, "--out", "out/任务1.xlsx", "--ledger", "out/台账.sqlite3"))
    assert run.code == 0, run.text
    assert (work / "out" / "任务1.xlsx").is_file()
    assert len(ledger_draws(work / "out" / "台账.sqlite3")) == 1
    assert not (work / "jcdraw.sqlite3").exists() and not (work / default_out(JOINT_1)).exists()


def test_environment_names_registry_and_ledger(
    tmp_path: Path, jc: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "registry.xlsx", tmp_path / "名录库.xlsx")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("JCDRAW_REGISTRY", str(tmp_path / "名录库.xlsx"))
    monkeypatch.setenv("JCDRAW_LEDGER", str(tmp_path / "台账.sqlite3"))
    run = jc(*draw_args(JOINT_1, "--json"))
    assert run.code == 0, run.text
    assert run.json()["registry_sha256"] == file_digest(tmp_path / "名录库.xlsx")
    assert len(ledger_draws(tmp_path / "台账.sqlite3")) == 1


def test_missing_registry_is_exit_2(work: Path, jc: Callable[..., Run]) -> None:
    run = jc(*draw_args(JOINT_1, "--registry", "没有这个文件.xlsx"))
    assert run.code == 2
    assert "没有这个文件.xlsx" in run.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []


def test_registry_with_errors_stops_the_draw(work: Path, jc: Callable[..., Run]) -> None:
    shutil.copy(EXAMPLES / "registry-broken.xlsx", work / "registry.xlsx")
    run = jc(*draw_args(JOINT_1))
    assert run.code == 1
    planted = len(json.loads((EXAMPLES / "registry-broken.expected.json").read_text(encoding="utf-8")))
    assert "registry.xlsx" in run.text and "jcdrawvalidate" in run.text
    count = int(re.search(r"有(\d+)处错误", run.text).group(1))  # type: ignore[union-attr]
    assert 0 < count <= planted
    assert ledger_draws(work / "jcdraw.sqlite3") == []
    assert not (work / default_out(JOINT_1)).exists()


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("1234 5678", messages.DRAW_SEED_TOO_SHORT.format(count=8, minimum=20)),
        ("1234567890abcdefghij1234", messages.DRAW_SEED_NOT_DIGITS.format(chars="“a”、“b”、“c”、“d”、“e”")),
        ("-- --", messages.DRAW_SEED_EMPTY),
    ],
)
def test_bad_seed_is_exit_2_in_chinese(work: Path, jc: Callable[..., Run], seed: str, message: str) -> None:
    run = jc(*draw_args(JOINT_1, seed=seed))
    assert run.code == 2
    assert flat(message) in run.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []


def test_missing_seed_is_exit_2(work: Path, jc: Callable[..., Run]) -> None:
    run = jc("draw", "--new-ledger", "--plan", "joint", "--task", "1", "--as-of", AS_OF)
    assert run.code == 2
    assert flat(messages.DRAW_SEED_REQUIRED) in run.text


def test_seed_with_groups_and_full_width_digits_is_the_same_seed(work: Path, jc: Callable[..., Run]) -> None:
    run = jc(*draw_args(JOINT_1, "--json", seed="３１４１５９２６-5358 9793 2384"))
    assert run.code == 0, run.text
    assert run.json()["seed"] == SEED


def test_random_seed_is_refused_for_a_recorded_draw_and_allowed_in_practice(
    work: Path, jc: Callable[..., Run]
) -> None:
    refused = jc(*draw_args(JOINT_1, seed="random"))
    assert refused.code == 2 and flat(messages.DRAW_SEED_RANDOM_REFUSED) in refused.text
    assert not (work / "jcdraw.sqlite3").exists() and not (work / default_out(JOINT_1)).exists()
    practice = jc(*draw_args(JOINT_1, "--practice", seed="random"))
    assert practice.code == 0, practice.text
    seeds = re.findall(r"(?<!\d)\d{20}(?!\d)", practice.out)
    assert len(seeds) == 1
    book = openpyxl.load_workbook(work / f"演练-{default_out(JOINT_1)}", read_only=True)
    assert book["演练-抽取记录"]["B3"].value == messages.RECORD_PRACTICE  # below the title and header rows
    for sheet in book.worksheets:  # every sheet says 演练 in its name and in its title row
        assert sheet.title.startswith("演练-") and "演练" in str(sheet["A1"].value), sheet.title
    assert not (work / "jcdraw.sqlite3").exists() and not (work / default_out(JOINT_1)).exists()


def test_as_of_outside_the_task_period_warns_but_draws(work: Path, jc: Callable[..., Run]) -> None:
    run = jc("draw", "--new-ledger", "--plan", "joint", "--task", "1", "--seed", SEED, "--as-of",
             "2024-02-01",
             "--json")  # fmt: skip
    assert run.code == 0, run.text
    warning = messages.DRAW_OUTSIDE_PERIOD.format(as_of="2024-02-01", start="2024-03-01", end="2024-12-31")
    assert flat(warning) in flat(run.err)
    assert run.json()["as_of"] == "2024-02-01"


def test_unknown_task_and_bad_date_are_exit_2(work: Path, jc: Callable[..., Run]) -> None:
    assert jc("draw", "--plan", "joint", "--task", "99", "--seed", SEED).code == 2
    bad_date = jc("draw", "--plan", "joint", "--task", "1", "--seed", SEED, "--as-of", "去年")
    assert bad_date.code == 2 and "去年" in bad_date.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []


# --- 7. export ---------------------------------------------------------------------------------------


def test_export_rewrites_the_same_workbook(work: Path, jc: Callable[..., Run]) -> None:
    payload = jc(*draw_args(JOINT_1, "--json")).json()
    original = work / default_out(JOINT_1)
    run = jc("export", "--draw", payload["draw_id"], "--out", "exported.xlsx")
    assert run.code == 0, run.text
    assert "exported.xlsx" in run.text
    assert sheet_values(work / "exported.xlsx") == sheet_values(original)
    again = jc("export", "--draw", payload["draw_id"], "--out", "exported.xlsx")
    assert again.code == 2
    original.unlink()
    assert jc("export", "--draw", payload["draw_id"]).code == 0
    assert sheet_values(original) == sheet_values(work / "exported.xlsx")
    unknown = jc("export", "--draw", "2024-joint-T9-R1-1")
    assert unknown.code == 2
    assert flat(messages.LEDGER_UNKNOWN_DRAW.format(draw_id="2024-joint-T9-R1-1")) in unknown.text


# --- 8. no team can be formed ------------------------------------------------------------------------


def set_inspectors(registry: Path, department: str, status: str) -> list[str]:
    """Set every inspector of ``department`` to ``status``; return their badges."""
    badges: list[str] = []

    def change(book: openpyxl.Workbook) -> None:
        sheet = book["执法人员"]
        start, rows = data_rows(sheet, "执法证号")
        for offset, row in enumerate(rows):
            if row[2] == department:
                sheet.cell(start + 1 + offset, 5, status)
                badges.append(str(row[0]))

    edit_registry(registry, change)
    return badges


def recuse_all(registry: Path, badges: Sequence[str], code: str) -> None:
    def change(book: openpyxl.Workbook) -> None:
        for badge in badges:
            book["回避关系"].append([badge, code, "测试：全部回避"])

    edit_registry(registry, change)


def test_team_impossible_when_a_department_is_all_recused(work: Path, jc: Callable[..., Run]) -> None:
    registry = work / "registry.xlsx"
    eligible = reference_inspectors(registry, JOINT_1)
    branch = sorted(b for b, d in eligible.items() if d == "晋城市公安分局")
    assert len(branch) >= 2
    pool = reference_pool(registry, JOINT_1)
    target = max(pool)  # task 1 draws everyone (ratio 1), so every pool entity gets a team
    recuse_all(registry, branch, target)
    name = next(
        r["名称"]
        for r in sheet_rows(registry, "检查对象", "统一社会信用代码")
        if r["统一社会信用代码"] == target
    )

    run = jc(*draw_args(JOINT_1))
    assert run.code == 1
    assert target in run.text and name in run.text and "晋城市公安分局" in run.text
    assert flat(messages.DRAW_TEAM_ALL_RECUSED.format(total=len(branch))) in run.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []
    assert not (work / default_out(JOINT_1)).exists()


def test_team_impossible_when_a_department_has_nobody_on_duty(work: Path, jc: Callable[..., Run]) -> None:
    registry = work / "registry.xlsx"
    set_inspectors(registry, "晋城市公安分局", "离岗")
    pool = reference_pool(registry, JOINT_1)
    first = min(pool, key=lambda code: ticket(SEED, JOINT_1, code))
    run = jc(*draw_args(JOINT_1))
    assert run.code == 1
    assert first in run.text and "晋城市公安分局" in run.text
    assert flat(messages.DRAW_TEAM_TOO_FEW.format(available=0, required=1)) in run.text
    assert ledger_draws(work / "jcdraw.sqlite3") == []


# --- the installed console script ----------------------------------------------------------------


def console_script() -> list[str]:
    script = Path(sys.executable).parent / "jcdraw"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from jcdraw.cli import main; main()"]


def test_console_script_draws_and_verifies(work: Path) -> None:
    env_free = {k: v for k, v in os.environ.items() if not k.startswith("JCDRAW_")}
    draw = subprocess.run(
        [*console_script(), *draw_args(INTERNAL_2, "--json")],
        cwd=work, capture_output=True, text=True, env=env_free, timeout=120, check=False,
    )  # fmt: skip
    assert draw.returncode == 0, draw.stderr
    assert "Traceback" not in draw.stdout + draw.stderr
    check_draw(json.loads(draw.stdout), work / "registry.xlsx", INTERNAL_2)
    verify = subprocess.run(
        [*console_script(), "verify", default_out(INTERNAL_2)],
        cwd=work, capture_output=True, text=True, env=env_free, timeout=120, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "一致" in verify.stdout and "Traceback" not in verify.stdout + verify.stderr
