"""The pieces behind ``jcdraw notices``: the shipped templates and their builder, filling a template,
joining visits into one printable file, the output checks, the registry's firm details, and start-up
staying free of docxtpl."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, write_xlsx
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from jcdraw import messages
from jcdraw.errors import OutputError
from jcdraw.registry.contacts import FirmDetails, read_firm_details
from jcdraw.results.docx_combine import Combined
from jcdraw.results.docx_render import (
    TemplateProblem,
    default_template,
    document_bytes,
    normalised_zip,
    render,
)
from jcdraw.results.paperwork import check_outputs

sys.path.insert(0, str(ROOT / "tools"))
import build_templates  # a script in tools/, not a package


def context(n: int = 1, name: str = "晋城市益祥汽车销售有限公司", **changes: Any) -> dict[str, Any]:
    """A hand-made context in the shape of ``jcdraw.results.notices.NoticeContext``: two tasks, three
    items, two inspectors."""
    plan_number = "晋市商秩〔2024〕6号"
    sales = {
        "plan_name": "计划",
        "plan_number": plan_number,
        "task_number": 2,
        "task_name": "对汽车销售企业的部门联合抽查",
        "draw_id": "2024-joint-T2-R1-1",
        "round": 1,
        "basis": "《汽车销售管理办法》",
        "check_items": [
            {"number": 1, "text": "对从事汽车销售及其相关服务活动的检查", "documents": ["营业执照"]}
        ],
    }
    cards = {
        "plan_name": "计划",
        "plan_number": plan_number,
        "task_number": 4,
        "task_name": "对单用途商业预付卡的部门联合抽查",
        "draw_id": "2024-joint-T4-R1-1",
        "round": 1,
        "basis": "",
        "check_items": [
            {"number": 1, "text": "单用途卡备案情况的检查", "documents": ["单用途卡备案证明"]},
            {"number": 2, "text": "章程或协议公示情况以及退卡服务情况的检查", "documents": []},
        ],
    }
    firm = {
        "name": name,
        "uscc": "91140522MA0ERKDE9N",
        "address": "阳城县凤城镇文昌街205号",
        "legal_rep": "裴文艳",
        "phone": "15139972931",
        "liaison": "",
        "liaison_phone": "",
    }
    people = [
        {"name": "黄志涛", "department": "晋城市商务局", "badge": "14050019016"},
        {"name": "秦秀", "department": "晋城市市场监督管理局", "badge": "14050019002"},
    ]
    base = {
        "visit_id": f"2024-91140522MA0ERKDE9N-{n}",
        "bureau": {"name": "晋城市商务局", "review_body": "晋城市人民政府"},
        "year": 2024,
        "number": n,
        "notice_prefix": "",
        "document_number": f"〔2024〕{n}号",
        "firm": firm,
        "plans": [{"name": "晋城市商务局2024年度部门联合双随机抽查工作计划", "number": plan_number}],
        "legal_basis": [],
        "tasks": [sales, cards],
        "inspectors": people,
        "departments": ["晋城市商务局", "晋城市市场监督管理局"],
        "partner_departments": ["晋城市市场监督管理局"],
        "window": {"start": "2024年3月1日", "end": "2024年12月31日"},
        "inspection_number": 1,
        "inspections_this_year": 1,
        "inspection_cap": None,
        "contact": {"name": "", "phone": ""},
        "issued_on": "",
        "result_categories": ["未发现问题", "发现问题已责令改正"],
        "anchor": {"ledger_id": "0" * 32, "head": "f" * 64},
    }
    return {**base, **changes}


def texts(doc: DocxDocument) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p"))]


def filled(kind: str, ctx: dict[str, Any]) -> DocxDocument:
    return Document(io.BytesIO(document_bytes(render(default_template(kind), ctx, name="内置模板"))))


# --- the shipped templates -----------------------------------------------------------------------


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_shipped_templates_are_what_the_builder_makes(tmp_path: Path) -> None:
    first, second = build_templates.build_all(tmp_path / "a"), build_templates.build_all(tmp_path / "b")
    for made, again, kind in zip(first, second, ("notice", "record"), strict=True):
        assert made.read_bytes() == again.read_bytes()  # reproducible: fixed times, fixed entry order
        shipped = default_template(kind)
        assert _parts(made.read_bytes()) == _parts(shipped), f"{kind}: run python tools/build_templates.py"
        assert made.read_bytes() == shipped  # the same parts give the same bytes with the same zlib


@pytest.mark.parametrize("kind", ["notice", "record"])
def test_template_page_and_fonts(kind: str) -> None:
    doc = Document(io.BytesIO(default_template(kind)))
    section = doc.sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin]  # fmt: skip
    assert [round(s.mm) for s in sizes if s is not None] == [210, 297, 37, 35, 28, 26]  # GB/T 9704
    east_asian = {f.get(qn("w:eastAsia")) for f in doc.styles.element.iter(qn("w:rFonts"))} - {None}
    assert east_asian >= ({"仿宋", "宋体", "黑体"} if kind == "notice" else {"仿宋", "黑体"})
    assert not list(doc.element.body.iter(qn("w:txbxContent")))  # no text boxes: easy to edit in Word
    assert zipfile.ZipFile(io.BytesIO(default_template(kind))).namelist()[0] == "[Content_Types].xml"


# --- filling ---------------------------------------------------------------------------------


def test_filling_is_deterministic_and_escapes_control_characters() -> None:
    ctx = context(name="某\x01公司\t第一\n分店\x0c")
    one, two = (document_bytes(render(default_template("notice"), ctx, name="x")) for _ in range(2))
    assert one == two
    body = texts(Document(io.BytesIO(one)))
    assert body[2] == "某公司 第一 分店 ："
    assert body[-1] == "　　　　年　　月　　日"


def test_saving_writes_what_python_docx_saves() -> None:
    """document_bytes collects the parts through python-docx's writer steps and compresses them once;
    the result is python-docx's own save, normalised."""
    doc = filled("record", context())
    fast = document_bytes(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    assert fast == normalised_zip(buffer.getvalue())
    assert zipfile.ZipFile(io.BytesIO(fast)).testzip() is None


def test_the_sandbox_keeps_templates_away_from_python(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("{{ firm.name.__class__.__mro__ }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    with pytest.raises(TemplateProblem) as caught:
        render(buffer.getvalue(), context(), name="恶意模板.docx")
    assert caught.value.message == messages.DOCX_TEMPLATE_CANNOT_FILL.format(path="恶意模板.docx", where="")


def test_an_unknown_field_inside_a_loop_names_the_items_fields() -> None:
    doc = Document(io.BytesIO(default_template("record")))
    cell = next(c for t in doc.tables for r in t.rows for c in r.cells if c.text == "{{ it.text }}")
    cell.paragraphs[0].runs[0].text = "{{ it.txet }}"
    buffer = io.BytesIO()
    doc.save(buffer)
    with pytest.raises(TemplateProblem) as caught:
        render(buffer.getvalue(), context(), name="记录表.docx")
    fields = "number、text、documents"
    expected = messages.DOCX_TEMPLATE_UNKNOWN_FIELD.format(
        path="记录表.docx", tag="{{ it.txet }}", field="txet", fields=fields
    )
    assert caught.value.message == expected


# --- combining -------------------------------------------------------------------------------


def _sections(doc: DocxDocument) -> list[Any]:
    return list(doc.element.body.iter(qn("w:sectPr")))


def test_combined_duplex_starts_each_visit_on_a_right_hand_page() -> None:
    joined = Combined(duplex=True)
    for n in (1, 2, 3):
        joined.add(filled("notice", context(n)))
    doc = Document(io.BytesIO(document_bytes(joined.document())))
    assert [s.find(qn("w:type")).get(qn("w:val")) for s in _sections(doc)] == [
        "nextPage",
        "oddPage",
        "oddPage",
    ]
    assert [s.find(qn("w:pgNumType")).get(qn("w:start")) for s in _sections(doc)] == ["1", "1", "1"]


def test_combined_restarts_word_numbering_and_drops_go_back() -> None:
    doc = Document()
    numbering = doc.part.numbering_part.element
    abstract = numbering.find(qn("w:abstractNum")).get(qn("w:abstractNumId"))
    num_id = numbering.add_num(int(abstract)).numId
    for text in ("{{ firm.uscc }}", "第二项"):
        p = doc.add_paragraph(text)
        num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num_id
    bookmark = OxmlElement("w:bookmarkStart")
    bookmark.set(qn("w:id"), "0")
    bookmark.set(qn("w:name"), "_GoBack")
    doc.paragraphs[0]._p.append(bookmark)
    buffer = io.BytesIO()
    doc.save(buffer)
    joined = Combined()
    for n in (1, 2, 3):
        joined.add(render(buffer.getvalue(), context(n), name="编号.docx"))
    result = Document(io.BytesIO(document_bytes(joined.document())))
    ids = [int(n.get(qn("w:val"))) for n in result.element.body.iter(qn("w:numId"))]
    assert len(ids) == 6 and ids[0] == ids[1] == num_id and len({ids[0], ids[2], ids[4]}) == 3
    nums = {n.numId: n for n in result.part.numbering_part.element.num_lst}
    assert nums[ids[2]].find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "1"
    go_back = [b for b in result.element.body.iter(qn("w:bookmarkStart")) if b.get(qn("w:name")) == "_GoBack"]
    assert len(go_back) == 1


def test_combined_handles_a_template_with_two_sections() -> None:
    doc = Document(io.BytesIO(default_template("notice")))
    doc.add_section()  # e.g. the bureau adds an annex page
    doc.add_paragraph("附页 {{ visit_id }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    joined = Combined()
    for n in (1, 2, 3):
        joined.add(render(buffer.getvalue(), context(n), name="两节.docx"))
    result = Document(io.BytesIO(document_bytes(joined.document())))
    sections = _sections(result)
    assert len(sections) == 6
    assert [s.find(qn("w:type")).get(qn("w:val")) for s in sections[2::2]] == ["nextPage", "nextPage"]
    assert all(s.getparent().tag == qn("w:pPr") for s in sections[:-1])
    assert [t for t in texts(result) if t.startswith("附页")] == [
        f"附页 {context(n)['visit_id']}" for n in (1, 2, 3)
    ]


# --- outputs -------------------------------------------------------------------------------------


def test_an_output_never_replaces_an_input(tmp_path: Path) -> None:
    registry = tmp_path / "全部检查通知书.docx"
    registry.write_bytes(b"not really")
    with pytest.raises(OutputError) as caught:
        check_outputs(tmp_path, [registry], [registry], force=True)
    assert caught.value.message == messages.NOTICES_OUTPUT_IS_INPUT.format(path=registry)
    with pytest.raises(OutputError) as caught:
        check_outputs(registry, [registry / "a.docx"], [], force=False)
    assert caught.value.message == messages.NOTICES_OUT_NOT_FOLDER.format(path=registry)


# --- the registry's firm details -------------------------------------------------------------


def test_firm_details_by_normalised_code_with_header_aliases(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {
            "检查对象": [
                ["信用代码", "企业名称", "住所", "负责人", "电话", "联系人"],
                [
                    "９１１４０５２２ma0erkde9n",
                    "某公司",
                    "阳城县文昌街 205 号",
                    "裴文艳",
                    15139972931,
                    "李四",
                ],
            ]
        },
    )
    book = read_firm_details(path)
    assert (book.problem, book.missing) == ("", [])
    assert book.get("91140522MA0ERKDE9N") == FirmDetails(
        "阳城县文昌街 205 号", "裴文艳", "15139972931", "李四", ""
    )
    assert book.get("91140522MA0ERKDE9X") == FirmDetails()


def test_firm_details_never_fail(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx", {"检查对象": [["统一社会信用代码", "名称", "地址"], ["X", "某", "某路"]]}
    )
    assert read_firm_details(path).missing == ["法定代表人", "联系电话"]
    assert read_firm_details(tmp_path / "none.xlsx").problem == "no-file"
    (tmp_path / "bad.xlsx").write_text("名称,地址\n", encoding="utf-8")
    unreadable = read_firm_details(tmp_path / "bad.xlsx")
    assert unreadable.problem == "unreadable" and unreadable.detail
    other = write_xlsx(tmp_path / "o.xlsx", {"别的表": [["a"], ["b"]]})
    assert read_firm_details(other).problem == "no-sheet"


# --- start-up --------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["notices", "--help"], ["template", "notice", "--help"]])
def test_help_loads_no_docx_libraries(argv: list[str], tmp_path: Path) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['jcdraw', *{argv!r}]\n"
        "from jcdraw.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'docxtpl', 'docx', 'jinja2', 'lxml'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert "HEAVY []" in done.stderr, done.stderr
