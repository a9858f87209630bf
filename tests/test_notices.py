"""``jcdraw notices``: a 检查通知书 and a 检查记录表 for every visit of the example year, read back with
python-docx and checked against the ledger, the registry and the plans (not against jcdraw's own
context), plus the combined files, ``--visits``, the output rules and the templates' error messages.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import PLANS_DIR, clean_inspectors
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from paperwork_year import HOSTILE_ADDRESS, HOSTILE_CODE, HOSTILE_NAME, PaperYear, paperwork_year
from test_cli_visits import fill_results
from test_visits import CODES, cli

from jcdraw import messages
from jcdraw.io.text import normalize_key_one
from jcdraw.ledger import Ledger
from jcdraw.plans.categories import load_result_categories
from jcdraw.plans.load import load_plan
from jcdraw.results.docx_render import default_template
from jcdraw.results.visits import Visit, VisitPlan, plan_visits

NOTICE, RECORD = "检查通知书", "检查记录表"
PLANS = {
    p.id: p for p in (load_plan(PLANS_DIR / "2024_joint.yaml"), load_plan(PLANS_DIR / "2024_internal.yaml"))
}
PEOPLE = {str(r[0]): (str(r[1]), str(r[2])) for r in clean_inspectors()[1:]}  # badge → name, department
BLANK = "＿＿＿＿＿＿"


@dataclass
class Made:
    year: PaperYear
    out: Path
    plan: VisitPlan
    ledger_id: str
    head: str
    registry: dict[str, tuple[str, str, str]]  # code → 地址, 法定代表人, 联系电话 as written


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    year = paperwork_year(tmp_path_factory.mktemp("paperwork"))
    out = year.folder / "文书"
    code = cli(["notices", "--ledger", year.ledger, "--registry", year.registry, "--out", out])
    assert code == 0
    with Ledger.open(year.ledger, readonly=True) as book:
        plan, ledger_id, head = plan_visits(book), book.ledger_id, book.last_hash()
    sheet = openpyxl.load_workbook(year.registry)["检查对象"]
    registry = {
        str(r[0]): (str(r[6]), str(r[7]), str(r[8])) for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    return Made(year, out, plan, ledger_id, head, registry)


def body_texts(doc: DocxDocument) -> list[str]:
    """Every paragraph's text in the body, in order, table cells included."""
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p"))]


def footer_lines(doc: DocxDocument, section: int = 0) -> list[str]:
    footer = doc.sections[section].footer._element
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in footer.iter(qn("w:p"))]


def rows(doc: DocxDocument, table: int) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in doc.tables[table].rows]


def files_of(made: Made, visit: Visit) -> dict[str, Path]:
    found = {kind: [p for p in made.out.glob(f"{visit.visit_id}_*_{kind}.docx")] for kind in (NOTICE, RECORD)}
    assert all(len(paths) == 1 for paths in found.values()), found
    return {kind: paths[0] for kind, paths in found.items()}


def expected_numbers(ledger: Path) -> dict[tuple[str, str], int]:
    """The spec of 文号: entity-draws counted in ledger order over every draw of the year."""
    with Ledger.open(ledger, readonly=True) as book:
        records = book.draws(standing_only=False, year=2024)
    pairs = [
        (str(r.payload["draw_id"]), normalize_key_one(s["uscc"]) or "")
        for r in records
        for s in r.payload["selected"]
    ]
    return {pair: n for n, pair in enumerate(pairs, 1)}


# --- every visit, notice and record ------------------------------------------------------------


def test_every_visit_gets_a_notice_and_a_record(made: Made) -> None:
    visits = made.plan.visits
    assert len(visits) == 24 and len(made.plan.merged) == 5
    names = sorted(p.name for p in made.out.iterdir())
    assert len(names) == 2 * len(visits) + 2
    assert names[-2:] == ["全部检查记录表.docx", "全部检查通知书.docx"]
    for visit in visits:
        files_of(made, visit)
    assert not list(made.out.glob(".*"))  # no temporary file left behind


@pytest.mark.parametrize("key", ["M3", "M4", "M5", "hostile", "single"])
def test_notice_text(made: Made, key: str) -> None:
    visit = _visit(made, key)
    doc = Document(str(files_of(made, visit)[NOTICE]))
    body = body_texts(doc)
    address, legal_rep, phone = made.registry[visit.uscc]
    numbers = expected_numbers(made.year.ledger)
    number = min(numbers[(d.draw_id, visit.uscc)] for d in visit.draws)
    assert body[:4] == [
        "晋城市商务局行政检查通知书",
        f"〔2024〕{number}号",
        f"{visit.name}：",
        f"（统一社会信用代码：{visit.uscc}；住所：{address}；法定代表人：{legal_rep}；联系电话：{phone}）",
    ]
    plans = [PLANS[plan_id] for plan_id in dict.fromkeys(d.plan for d in visit.draws)]
    cited = "、".join(f"《{p.name}》（{p.document_number}）" for p in plans)
    assert body[4].startswith(f"根据《优化营商环境条例》和{cited}，按照《国务院关于在市场监管领域")
    partners = list(dict.fromkeys(PEOPLE[b][1] for b in visit.team if PEOPLE[b][1] != "晋城市商务局"))
    together = f"会同{'、'.join(partners)}" if partners else ""
    assert f"（国办发〔2024〕54号）的要求，本局{together}对你单位实施“双随机、一公开”行政检查" in body[4]
    # 一、items and documents: one header row per task, then a row per item
    expected_rows = [["序号", "检查事项", "需准备的材料（请一次备齐）"]]
    for d in visit.draws:
        task = PLANS[d.plan].task(d.task)
        head = f"{PLANS[d.plan].document_number} 任务{d.task}：{task.name}（抽取编号 {d.draw_id}）"
        head += f"。检查依据：{task.legal_basis}"
        expected_rows.append([head] * 3)
        for n, item in enumerate(task.items, 1):
            expected_rows.append([str(n), item, "；".join(task.documents[n])])
    assert rows(doc, 0) == expected_rows
    # 二、三、四
    assert "二、检查时间：2024年3月1日至2024年12月31日期间，具体日期由检查人员提前与你单位联系确定。" in body
    assert rows(doc, 1) == [["姓名", "单位", "执法证号"], *([*PEOPLE[b], b] for b in visit.team)]
    entries = sum(v.uscc == visit.uscc for v in made.plan.visits)
    nth = int(visit.visit_id.rsplit("-", 1)[1])
    assert (
        f"四、检查频次：本次检查是本年度本局“双随机、一公开”抽查对你单位的第 {nth} 次检查，"
        f"本年度共安排 {entries} 次。" in body
    )
    # 五、rights, contact (blank: the plans name nobody), seal and date (blank: no --date)
    assert body.count("五、你单位的权利") == 1
    assert (
        "（一）申请回避。检查人员与你单位有直接利害关系（如本人或近亲属在你单位任职、持股），或者有其他关系"
        "可能影响公正检查的，你单位有权在检查前或检查中向本局申请其回避，由本局负责人决定。"
    ) in body
    assert (
        "（二）陈述申辩。对检查中发现的问题，你单位有权陈述和申辩，检查人员应当如实记入检查记录表。" in body
    )
    assert (
        "（三）救济途径。你单位认为本次检查行为侵犯其合法权益的，可以自知道该行为之日起六十日内向晋城市人民政府"
        "申请行政复议，或者自知道该行为之日起六个月内依法向人民法院提起行政诉讼。"
        "对检查人员的违规行为，可以向本局或者12345政务服务便民热线反映。"
    ) in body
    assert body[-3:] == [
        f"联系人：{BLANK}　联系电话：{BLANK}",
        "晋城市商务局（印章）",
        "　　　　年　　月　　日",
    ]
    assert footer_lines(doc) == [
        f"行政检查通知书 · 检查编号 {visit.visit_id} · 第 1 页",
        f"台账 {made.ledger_id} · 校验值 {made.head}",
    ]


@pytest.mark.parametrize("key", ["M3", "M4", "hostile", "single"])
def test_record_text(made: Made, key: str) -> None:
    visit = _visit(made, key)
    doc = Document(str(files_of(made, visit)[RECORD]))
    body = body_texts(doc)
    address, legal_rep, phone = made.registry[visit.uscc]
    assert body[:2] == ["“双随机、一公开”行政检查记录表", f"检查编号：{visit.visit_id}"]
    head = rows(doc, 0)
    tasks = "\n".join(
        f"{PLANS[d.plan].document_number} 任务{d.task}：{d.task_name}（抽取编号 {d.draw_id}）"
        for d in visit.draws
    )
    assert head[0] == ["抽查任务", tasks, tasks, tasks]
    assert head[1] == ["被检查对象", visit.name, visit.name, visit.name]
    assert head[2] == ["统一社会信用代码", visit.uscc, "检查时限", "2024年3月1日至2024年12月31日"]
    assert head[3][:2] == ["住所（经营场所）", address]
    assert head[4] == ["法定代表人", legal_rep, "联系电话", phone]
    assert head[5] == ["联络员", "", "联系电话", ""]  # the registry has no such column
    departments = list(dict.fromkeys(PEOPLE[b][1] for b in visit.team))
    assert head[8][:2] == ["检查执行部门", "、".join(departments)]
    items = rows(doc, 1)
    expected = [["序号", "检查事项", "是否检查", "结果编号", "发现问题情况", "处置情况"]]
    for d in visit.draws:
        line = f"任务{d.task}：{d.task_name}（{PLANS[d.plan].document_number}，抽取编号 {d.draw_id}）"
        expected.append([line] * 6)
        expected += [[str(n), item, "□", "", "", ""] for n, item in enumerate(d.items, 1)]
    assert items == expected
    results = rows(doc, 2)
    categories = load_result_categories().categories
    assert results[0][1] == "\u3000".join(f"□{n}. {c}" for n, c in enumerate(categories, 1))
    assert results[2][1] == (
        "□对检查记录无异议\u3000□有异议，陈述、申辩意见：\n"
        "负责人或委托人签名（盖章）：　　　　　　　　　　年　　月　　日"
    )
    signs = rows(doc, 3)
    assert signs == [
        ["姓名", "单位", "执法证号", "签名", "日期"],
        *([*PEOPLE[b], b, "", "　　月　　日"] for b in visit.team),
    ]
    assert footer_lines(doc)[1] == f"台账 {made.ledger_id} · 校验值 {made.head}"


def _visit(made: Made, key: str) -> Visit:
    """M3: three tasks of two plans, first of two entries; M4: second entry; single: one plain draw."""
    if key == "hostile":
        return next(v for v in made.plan.visits if v.uscc == HOSTILE_CODE)
    if key == "single":
        return next(v for v in made.plan.visits if len(v.draws) == 1 and v.uscc not in CODES.values())
    nth = {"M3": 1, "M4": 2, "M5": 1}[key]
    return next(v for v in made.plan.visits if v.visit_id == f"2024-{CODES[key]}-{nth}")


def test_the_firms_count_this_year(made: Made) -> None:
    entries = Counter(v.uscc for v in made.plan.visits)
    assert {code for code, n in entries.items() if n == 2} >= {CODES["M3"], CODES["M4"]}
    texts = {
        v.visit_id: next(
            t for t in body_texts(Document(str(files_of(made, v)[NOTICE]))) if t.startswith("四、")
        )
        for v in made.plan.visits
        if v.uscc == CODES["M4"]
    }
    assert sorted(texts.items()) == [
        (
            f"2024-{CODES['M4']}-1",
            "四、检查频次：本次检查是本年度本局“双随机、一公开”抽查对你单位的第 1 次检查，"
            "本年度共安排 2 次。",
        ),
        (
            f"2024-{CODES['M4']}-2",
            "四、检查频次：本次检查是本年度本局“双随机、一公开”抽查对你单位的第 2 次检查，"
            "本年度共安排 2 次。",
        ),
    ]


def test_document_numbers_are_unique_and_follow_the_ledger(made: Made) -> None:
    numbers = [body_texts(Document(str(files_of(made, v)[NOTICE])))[1] for v in made.plan.visits]
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith("〔2024〕") and n.endswith("号") for n in numbers)


def test_hostile_text_prints_literally(made: Made) -> None:
    visit = _visit(made, "hostile")
    assert visit.name == HOSTILE_NAME
    for kind in (NOTICE, RECORD):
        path = files_of(made, visit)[kind]
        text = "\n".join(body_texts(Document(str(path))))
        assert HOSTILE_NAME in text and HOSTILE_ADDRESS in text
        assert "49" not in text.replace(visit.uscc, "")
        xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
        assert "&lt;测试&gt;&amp;" in xml and "]]&gt;&lt;w:p&gt;" in xml
    assert files_of(made, visit)[NOTICE].name == (
        f"{visit.visit_id}_晋城市_测试_&_甲乙_"
        "{{ 7_7 }}{% if true %}X{% endif %}报废回收有限公司_检查通知书.docx"
    )


# --- the combined files ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", [NOTICE, RECORD])
def test_combined_file_is_every_visit_in_order(made: Made, kind: str) -> None:
    combined = Document(str(made.out / f"全部{kind}.docx"))
    singles = [Document(str(files_of(made, v)[kind])) for v in made.plan.visits]
    assert body_texts(combined) == [line for doc in singles for line in body_texts(doc)]
    sections = list(combined.element.body.iter(qn("w:sectPr")))
    assert len(sections) == len(made.plan.visits) == len(combined.sections)
    title = "行政检查通知书" if kind == NOTICE else "行政检查记录表"
    for n, (visit, sect) in enumerate(zip(made.plan.visits, sections, strict=True)):
        assert sect.find(qn("w:type")).get(qn("w:val")) == "nextPage"
        assert sect.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
        assert footer_lines(combined, n)[0] == f"{title} · 检查编号 {visit.visit_id} · 第 1 页"


# --- --visits ------------------------------------------------------------------------------------


def test_visits_workbook_selects_orders_and_adjusts(made: Made, run_cli: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "visits.xlsx"
    assert run_cli(["visits", "--ledger", made.year.ledger, "--out", workbook]).code == 0
    book = openpyxl.load_workbook(workbook)
    sheet = book["检查安排"]
    header = [c.value for c in sheet[1]]
    kept = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)][:3][::-1]  # three, reversed
    sheet.delete_rows(2, sheet.max_row)
    first = kept[0]
    badges = [b for b in PEOPLE if b not in first[header.index("检查人员")]][:2]
    first[header.index("检查人员")] = "、".join(f"{PEOPLE[b][0]}（{b}）" for b in badges)
    first[header.index("检查时间窗口")] = "2024-06-03"
    for row in kept:
        sheet.append(row)
    book.save(workbook)
    out = tmp_path / "out"
    result = run_cli(
        [
            "notices",
            "--ledger",
            made.year.ledger,
            "--registry",
            made.year.registry,
            "--visits",
            workbook,
            "--out",
            out,
        ]
    )
    assert result.code == 0, result.output
    combined = Document(str(out / "全部检查通知书.docx"))
    assert [footer_lines(combined, n)[0].split(" · ")[1] for n in range(3)] == [
        f"检查编号 {r[0]}" for r in kept
    ]
    adjusted = Document(str(next(out.glob(f"{first[0]}_*_检查通知书.docx"))))
    assert rows(adjusted, 1)[1:] == [[*PEOPLE[b], b] for b in badges]
    assert (
        "二、检查时间：2024年6月3日至2024年6月3日期间，具体日期由检查人员提前与你单位联系确定。"
        in body_texts(adjusted)
    )
    assert len(list(out.glob("*.docx"))) == 3 * 2 + 2


def test_visits_workbook_problems_are_listed_and_nothing_written(
    made: Made, run_cli: Any, tmp_path: Path
) -> None:
    workbook = tmp_path / "visits.xlsx"
    assert run_cli(["visits", "--ledger", made.year.ledger, "--out", workbook]).code == 0
    book = openpyxl.load_workbook(workbook)
    sheet = book["检查安排"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, 1).value = "2024-91140525MA0000000X-1"
    sheet.cell(3, header.index("检查人员") + 1).value = "执法员00（14050000）"
    sheet.cell(4, header.index("抽取编号") + 1).value = "2024-joint-T9-R1-1"
    sheet.cell(5, header.index("检查时间窗口") + 1).value = "2025-01-01"
    book.save(workbook)
    out = tmp_path / "out"
    result = run_cli(
        [
            "notices",
            "--ledger",
            made.year.ledger,
            "--registry",
            made.year.registry,
            "--visits",
            workbook,
            "--out",
            out,
        ]
    )
    assert result.code == 1
    ids = [sheet.cell(r, 1).value for r in range(2, 6)]
    where = [messages.NOTICES_VISITS_WHERE.format(row=r, id=i) for r, i in zip(range(2, 6), ids, strict=True)]
    start, end = next(v.window for v in made.plan.visits if v.visit_id == ids[3])
    assert result.err.strip().splitlines() == [
        messages.NOTICES_VISITS_PROBLEMS.format(path=workbook, count=4),
        f"  · {where[0]}{messages.NOTICES_VISITS_UNKNOWN.format(year=2024)}",
        f"  · {where[1]}{messages.NOTICES_VISITS_BADGE.format(badges='14050000')}",
        f"  · {where[2]}{messages.NOTICES_VISITS_STALE}",
        f"  · {where[3]}{messages.NOTICES_VISITS_WINDOW_OUTSIDE.format(start=start, end=end)}",
    ]
    assert not out.exists()


def test_recorded_results_leave_the_other_visits_numbers_alone(
    made: Made, run_cli: Any, tmp_path: Path
) -> None:
    """Publishing the merged visits' results takes them out; every other notice keeps its 文号."""
    ledger = Path(shutil.copy(made.year.ledger, tmp_path / "copy.sqlite3"))
    workbook = tmp_path / "visits.xlsx"
    assert run_cli(["visits", "--ledger", ledger, "--out", workbook]).code == 0
    merged = {v.visit_id: v for v in made.plan.merged}
    fill_results(workbook, merged)
    published = run_cli(
        ["publish", workbook, "--ledger", ledger, "--as-of", "2024-05-20", "--out", tmp_path / "p.xlsx"],
        outputs=[ledger],
    )
    assert published.code == 0, published.output
    out = tmp_path / "out"
    argv = ["notices", "--ledger", ledger, "--registry", made.year.registry, "--out", out]
    assert run_cli(argv).code == 0
    with Ledger.open(ledger, readonly=True) as book:
        head = book.last_hash()
    rest = [v for v in made.plan.visits if v.visit_id not in merged]
    assert len(list(out.glob("*_检查通知书.docx"))) == len(rest)
    for visit in rest:
        before = Document(str(files_of(made, visit)[NOTICE]))
        after = Document(str(next(out.glob(f"{visit.visit_id}_*_检查通知书.docx"))))
        assert body_texts(after)[1] == body_texts(before)[1]
        assert footer_lines(after)[1] == f"台账 {made.ledger_id} · 校验值 {head}"
    everything = {v.visit_id: v for v in rest}
    fill_results(workbook, everything)
    published = run_cli(
        ["publish", workbook, "--ledger", ledger, "--as-of", "2024-05-21", "--out", tmp_path / "q.xlsx"],
        outputs=[ledger],
    )
    assert published.code == 0, published.output
    nothing = run_cli([*argv, "--out", tmp_path / "none"])
    assert (nothing.code, nothing.out.strip()) == (0, messages.NOTICES_NOTHING.format(year=2024))
    assert not (tmp_path / "none").exists()


# --- output rules ----------------------------------------------------------------------------


def test_existing_outputs_are_kept_unless_forced(made: Made, run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["notices", "--ledger", made.year.ledger, "--registry", made.year.registry, "--out", out]
    assert run_cli(argv).code == 0
    victim = next(out.glob("*_检查通知书.docx"))
    victim.write_bytes(b"edited by hand")
    again = run_cli(argv)
    assert again.code == 2
    count = 2 * len(made.plan.visits) + 2
    first = sorted(p.name for p in out.iterdir() if p.suffix == ".docx")
    assert again.err.strip() == messages.NOTICES_OUTPUTS_EXIST.format(
        folder=out, count=count, first=_first_planned(made, first)
    )
    assert victim.read_bytes() == b"edited by hand"
    forced = run_cli([*argv, "--force"])
    assert forced.code == 0, forced.output
    assert zipfile.is_zipfile(victim)


def _first_planned(made: Made, names: list[str]) -> str:
    visit = made.plan.visits[0]
    return next(n for n in names if n.startswith(f"{visit.visit_id}_") and n.endswith("_检查通知书.docx"))


def test_defaults_messages_and_blank_lines_without_registry(
    made: Made, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JCDRAW_REGISTRY", raising=False)
    out, missing = Path("检查文书-2024"), Path("registry.xlsx")  # the defaults, in the working folder
    result = run_cli(["notices", "--ledger", made.year.ledger, "--date", "2024-05-20"], cwd=tmp_path)
    assert result.code == 0, result.output
    assert result.err.splitlines() == [
        messages.NOTICES_REGISTRY_MISSING.format(path=missing),
        messages.NOTICES_NO_PREFIX.format(year=2024),
        messages.NOTICES_NO_CONTACT,
    ]
    n = len(made.plan.visits)
    assert result.out.splitlines() == [
        messages.NOTICES_DONE.format(
            year=2024,
            visits=n,
            single=2 * n,
            folder=out,
            notice="全部检查通知书.docx",
            record="全部检查记录表.docx",
        ),
        messages.NOTICES_ANCHOR.format(ledger_id=made.ledger_id, head=made.head),
    ]
    visit = _visit(made, "single")
    body = body_texts(Document(str(next((tmp_path / out).glob(f"{visit.visit_id}_*_检查通知书.docx")))))
    assert (
        body[3]
        == f"（统一社会信用代码：{visit.uscc}；住所：{BLANK}；法定代表人：{BLANK}；联系电话：{BLANK}）"
    )
    assert body[-1] == "2024年5月20日"


def test_plan_fields_fill_prefix_contact_and_cap(made: Made, run_cli: Any, tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("2024_joint.yaml", "2024_internal.yaml", "jincheng.yaml", "result_categories.yaml"):
        text = (PLANS_DIR / name).read_text(encoding="utf-8")
        if name.startswith("2024"):
            extra = (
                "notice_prefix: 晋市商检通\ncontact: {name: 杨丽芳, phone: 0356-1234567}\ninspection_cap: 1\n"
            )
            extra += "legal_basis: [《中华人民共和国行政处罚法》]\n"
            text = text.replace("\ntasks:\n", f"\n{extra}tasks:\n", 1)
        (plans / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["notices", "--ledger", made.year.ledger, "--registry", made.year.registry, "--out", out]
    result = run_cli(argv, cwd=tmp_path)
    assert result.code == 0, result.output
    over = [v.visit_id for v in made.plan.visits if sum(w.uscc == v.uscc for w in made.plan.visits) > 1]
    assert result.err.splitlines() == [messages.NOTICES_OVER_CAP.format(count=len(over), visit_id=over[0])]
    visit = _visit(made, "M4")
    body = body_texts(Document(str(next(out.glob(f"{visit.visit_id}_*_检查通知书.docx")))))
    number = min(expected_numbers(made.year.ledger)[(d.draw_id, visit.uscc)] for d in visit.draws)
    assert body[1] == f"晋市商检通〔2024〕{number}号"
    assert body[4].startswith("根据《优化营商环境条例》《中华人民共和国行政处罚法》和《")
    assert next(t for t in body if t.startswith("四、")).endswith(
        "本年度共安排 2 次（本局公布的对同一企业年度检查次数上限为 1 次）。"
    )
    assert body[-3] == "联系人：杨丽芳　联系电话：0356-1234567"


# --- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "title"), [("notice", NOTICE), ("record", RECORD)])
def test_template_commands_write_the_defaults_and_never_overwrite(
    kind: str, title: str, run_cli: Any, tmp_path: Path
) -> None:
    target = tmp_path / f"{title}模板.docx"
    result = run_cli(["template", kind, target])
    assert result.code == 0, result.output
    option = f"--{kind}-template"
    assert result.out.strip() == messages.DOCX_TEMPLATE_WRITTEN.format(
        title=title, path=target, option=option
    )
    assert target.read_bytes() == default_template(kind)
    target.write_bytes(b"the bureau's edits")
    again = run_cli(["template", kind, target])
    assert (again.code, again.err.strip()) == (2, messages.OUTPUT_EXISTS.format(path=target))
    assert target.read_bytes() == b"the bureau's edits"
    assert run_cli(["template", kind, target, "--force"], outputs=[target]).code == 0
    assert target.read_bytes() == default_template(kind)
    wrong = run_cli(["template", kind, tmp_path / "模板.doc"])
    assert (wrong.code, wrong.err.strip()) == (
        2,
        messages.DOCX_TEMPLATE_NOT_DOCX_SUFFIX.format(path=tmp_path / "模板.doc"),
    )


def _edited_template(tmp_path: Path, old: str, new: str) -> Path:
    doc = Document(str(tmp_path / "default.docx")) if (tmp_path / "default.docx").exists() else None
    if doc is None:
        (tmp_path / "default.docx").write_bytes(default_template("notice"))
        doc = Document(str(tmp_path / "default.docx"))
    paragraph = next(p for p in doc.paragraphs if p.text == old)
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    paragraph.runs[0].text = new
    path = tmp_path / "通知书（已修改）.docx"
    doc.save(str(path))
    return path


def test_edited_template_with_unknown_field(made: Made, run_cli: Any, tmp_path: Path) -> None:
    template = _edited_template(tmp_path, "{{ firm.name }}：", "{{ firm.nmae }}：")
    out = tmp_path / "out"
    argv = ["notices", "--ledger", made.year.ledger, "--registry", made.year.registry, "--out", out]
    result = run_cli([*argv, "--notice-template", template])
    assert result.code == 2
    fields = "name、uscc、address、legal_rep、phone、liaison、liaison_phone"
    expected = messages.DOCX_TEMPLATE_UNKNOWN_FIELD.format(
        path=template, tag="{{ firm.nmae }}", field="nmae", fields=fields
    )
    assert result.err.strip() == expected
    assert not out.exists()


def test_edited_template_with_a_broken_tag(made: Made, run_cli: Any, tmp_path: Path) -> None:
    template = _edited_template(tmp_path, "{{ firm.name }}：", "{{ firm.name }：")
    out = tmp_path / "out"
    argv = ["notices", "--ledger", made.year.ledger, "--registry", made.year.registry, "--out", out]
    result = run_cli([*argv, "--notice-template", template])
    assert result.code == 2
    # docxtpl joins the text up to the next "}}" into the broken tag: the place starts with it
    joined = "{{ firm.name }：（统一社会信用代码：{{ firm.uscc }}；"
    joined += "住所：{{ firm.address or '＿＿＿＿＿＿' }}；法定代表人"
    where = messages.DOCX_TEMPLATE_PLACE.format(text=joined[:80])
    assert result.err.strip() == messages.DOCX_TEMPLATE_SYNTAX.format(path=template, where=where)
    assert not out.exists()


def test_template_option_recognises_each_kind_by_its_title(made: Made, run_cli: Any, tmp_path: Path) -> None:
    notice = _edited_template(tmp_path, "{{ firm.name }}：", "{{ firm.name }}（按本局模板）：")
    record = tmp_path / "记录表模板.docx"
    record.write_bytes(default_template("record"))
    out = tmp_path / "out"
    argv = ["notices", "--ledger", made.year.ledger, "--registry", made.year.registry, "--out", out]
    result = run_cli([*argv, "--template", record, "--template", notice])  # any order
    assert result.code == 0, result.output
    combined = body_texts(Document(str(out / "全部检查通知书.docx")))
    assert sum(line.endswith("（按本局模板）：") for line in combined) == len(made.plan.visits)
    records = body_texts(Document(str(out / "全部检查记录表.docx")))
    assert not any("（按本局模板）" in line for line in records)

    twice = run_cli([*argv[:-1], tmp_path / "again", "--template", notice, "--notice-template", notice])
    assert (twice.code, twice.err.strip()) == (
        2, messages.DOCX_TEMPLATE_KIND_TWICE.format(title=NOTICE, first=notice, second=notice)
    )  # fmt: skip
    blank = tmp_path / "空白.docx"
    Document().save(str(blank))
    unknown = run_cli([*argv[:-1], tmp_path / "again", "--template", blank])
    assert (unknown.code, unknown.err.strip()) == (2, messages.DOCX_TEMPLATE_KIND_UNKNOWN.format(path=blank))
    assert not (tmp_path / "again").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "DOCX_TEMPLATE_LEGACY_DOC"),
        (b"plain text", "DOCX_TEMPLATE_NOT_DOCX"),
    ],
)
def test_a_template_that_is_not_a_docx(
    made: Made, run_cli: Any, tmp_path: Path, content: bytes, message: str
) -> None:
    template = tmp_path / "模板.docx"
    template.write_bytes(content)
    argv = ["notices", "--ledger", made.year.ledger, "--record-template", template, "--out", tmp_path / "out"]
    result = run_cli(argv)
    assert (result.code, result.err.strip()) == (2, getattr(messages, message).format(path=template))
    missing = run_cli([*argv[:-4], "--record-template", tmp_path / "无.docx"])
    assert (missing.code, missing.err.strip()) == (
        2,
        messages.DOCX_TEMPLATE_MISSING.format(path=tmp_path / "无.docx"),
    )


# --- as printed ----------------------------------------------------------------------------------

FONTS = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include>
<alias binding="strong"><family>仿宋</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
<alias binding="strong"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
<alias binding="strong"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>"""


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdfinfo") is None, reason="LibreOffice or poppler absent"
)
def test_libreoffice_prints_them(made: Made, tmp_path: Path) -> None:
    """M3's notice and every record convert to PDF; every visit of the combined record file starts a
    new page, so its pages add up to the visits' own."""
    (tmp_path / "fonts.conf").write_text(FONTS, encoding="utf-8")  # Windows fonts → Noto CJK, as Word shows
    visit = _visit(made, "M3")
    records = [files_of(made, v)[RECORD] for v in made.plan.visits]
    files = [files_of(made, visit)[NOTICE], *records, made.out / "全部检查记录表.docx"]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    command = [
        "soffice",
        profile,
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        *map(str, files),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300, env=env)
    pages = {p.stem: _pages(tmp_path / f"{p.stem}.pdf") for p in files}
    assert pages[files_of(made, visit)[NOTICE].stem] == 3  # three tasks, fifteen items
    assert pages[files_of(made, visit)[RECORD].stem] == 2
    assert pages["全部检查记录表"] == sum(pages[p.stem] for p in records)
