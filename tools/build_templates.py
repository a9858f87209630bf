"""Build the two default templates jcdraw ships: 检查通知书 and 检查记录表.

The .docx files are generated here with python-docx so that they can be rebuilt from source and reviewed
as code; the bureau then edits them in Word (``jcdraw template notice`` / ``jcdraw template record`` write
these defaults). They carry docxtpl (Jinja) tags: ``{{ }}`` for values, ``{%tr for %}`` rows for tables
and ``{%p for %}`` paragraphs; the context they expect is ``jcdraw.results.notices.NoticeContext``.
``tests/test_notices.py`` checks that the shipped files are what this script builds.

What a notice and a record contain follows the national 《行政检查文书基本格式文本（试行）》 (司法部办公厅,
2025): the enforcement body and its number, the legal basis, the task's source (plan, task, 双随机 draw),
this year's inspection count (国办发〔2024〕54号), the inspectors who show their 执法证 (names and
numbers), the documents to prepare (told once), and the firm's rights (申请回避, 陈述申辩, 复议和诉讼).
Every page's footer carries the visit and the ledger anchor (ledger id and chain head) as of printing.

Layout follows GB/T 9704-2012 (党政机关公文格式) where it applies to an enforcement document: A4
portrait, margins top 37 mm, bottom 35 mm, left (订口) 28 mm, right 26 mm (版心 156 mm × 225 mm); title in
宋体 bold 二号 (22 pt; 方正小标宋简体 is not on a stock Windows installation, see REPORT.md), body 仿宋
三号 (16 pt) at a fixed 28.95 pt line pitch (22 lines per page), headings 黑体; tables 仿宋 小四 (12 pt).
Every run names its East Asian font (``w:eastAsia``) and its Western font (Times New Roman, for digits and
Latin letters), so Word never falls back to a theme font.

Output is byte-for-byte reproducible: fixed core properties and a normalised ZIP container (fixed entry
order and timestamps). ``python tools/build_templates.py [DIR]`` writes both files (default: the package's
``jcdraw/results/templates``).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from jcdraw.results.docx_combine import SECT_PR_ORDER, insert_ordered
from jcdraw.results.docx_render import normalised_zip

TEMPLATES = Path(__file__).resolve().parents[1] / "jcdraw" / "results" / "templates"
NOTICE_FILE = "notice.docx"
RECORD_FILE = "record.docx"

FANGSONG = "仿宋"  # Windows: simfang.ttf; the bureau may switch to 仿宋_GB2312 where installed
SONGTI = "宋体"
HEITI = "黑体"
WESTERN = "Times New Roman"

TEXT_WIDTH_MM = 210 - 28 - 26  # 156 mm
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)  # core properties: a constant, not the build time

# 核查方式, 后续处置措施: the ticks of the provincial 随机抽查情况记录表 (see shared/FORMS.md).
CHECK_METHODS = [
    "实地检查",
    "书面检查",
    "行政部门检查结果或专业意见",
    "检验检测",
    "网络监测",
    "委托专业机构辅助",
]
FOLLOW_UPS = [
    "无须后续处置",
    "停止检查并反馈日常监管部门",
    "责令限期整改、日常监管部门跟踪",
    "发现案件线索、固定证据后移送办案机构",
    "违反其他部门规定、抄告相关部门",
]
BOX = "□"
GAP = "\u3000"  # ideographic space between tick boxes


# --- styles ------------------------------------------------------------------------------------


def _set_fonts(rpr_owner: object, east_asia: str, western: str = WESTERN) -> None:
    """Name both fonts on a style or run (python-docx's ``font.name`` sets only the Western ones)."""
    element = rpr_owner.element if hasattr(rpr_owner, "element") else rpr_owner._element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), western)
    fonts.set(qn("w:hAnsi"), western)
    fonts.set(qn("w:cs"), western)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")  # □ and Chinese punctuation take the East Asian font


def _paragraph_style(
    doc: DocxDocument,
    name: str,
    *,
    font: str = FANGSONG,
    size: float = 16,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    exact: float | None = None,
    indent_chars: int = 0,
    before: float = 0,
    after: float = 0,
    keep_next: bool = False,
) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    _set_fonts(style, font)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_next
    fmt.widow_control = True
    if exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
        ind = style.element.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(indent_chars * 100))  # Word: "首行缩进 2 字符"
    return style


def _base_document() -> DocxDocument:
    doc = Document()
    styles_root = doc.styles.element
    defaults = styles_root.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), WESTERN)
    fonts.set(qn("w:hAnsi"), WESTERN)
    fonts.set(qn("w:cs"), WESTERN)
    fonts.set(qn("w:eastAsia"), FANGSONG)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal, FANGSONG)
    for name in ("Header", "Footer"):
        _set_fonts(doc.styles[name], FANGSONG)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(18)
    # Each document numbers its own pages (and so does each visit in the combined file).
    pg = OxmlElement("w:pgNumType")
    pg.set(qn("w:start"), "1")
    insert_ordered(section._sectPr, pg, SECT_PR_ORDER)

    core = doc.core_properties
    core.author = "晋城市商务局"
    core.last_modified_by = "jcdraw"
    core.comments = "jcdraw 默认模板，可在 Word 中修改；花括号标记是填写位置，请保留。"
    core.created = FIXED_TIME
    core.modified = FIXED_TIME
    core.last_printed = FIXED_TIME
    core.revision = 1
    return doc


# --- building blocks ---------------------------------------------------------------------------


def _para(
    container: Any, text: str = "", style: str | None = None, *, bold: bool = False, font: str | None = None
) -> Paragraph:
    """A paragraph appended to a document, cell or footer (anything with ``add_paragraph``)."""
    paragraph = cast(Paragraph, container.add_paragraph(style=style))
    if text:
        _run(paragraph, text, bold=bold, font=font)
    return paragraph


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, font: str | None = None) -> None:
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if font:
        _set_fonts(run, font)


def _cell(cell: _Cell, text: str, style: str, *, align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    """Put ``text`` in the cell's first paragraph (a new cell has one, empty)."""
    paragraph: Paragraph = cell.paragraphs[0]
    paragraph.style = style
    if align is not None:
        paragraph.alignment = align
    if text:
        _run(paragraph, text)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return paragraph


# Child order of w:trPr in the schema (ECMA-376): Word rejects misordered elements.
TR_PR_ORDER = (
    "w:cnfStyle",
    "w:divId",
    "w:gridBefore",
    "w:gridAfter",
    "w:wBefore",
    "w:wAfter",
    "w:cantSplit",
    "w:trHeight",
    "w:tblHeader",
    "w:tblCellSpacing",
    "w:jc",
    "w:hidden",
    "w:ins",
    "w:del",
    "w:trPrChange",
)


def _table(doc: DocxDocument, widths_mm: Sequence[float], rows: int) -> Table:
    table: Table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: Word keeps the column widths
    width = table._tbl.tblPr.find(qn("w:tblW"))
    width.set(qn("w:w"), str(round(sum(widths_mm) / 25.4 * 1440)))
    width.set(qn("w:type"), "dxa")
    for col, mm in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(mm)
        for cell in col.cells:
            cell.width = Mm(mm)
    for row in table.rows:
        _row_flags(row, cant_split=True)
    return table


def _row_flags(row: Any, *, cant_split: bool = False, header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if cant_split and tr_pr.find(qn("w:cantSplit")) is None:
        insert_ordered(tr_pr, OxmlElement("w:cantSplit"), TR_PR_ORDER)
    if header and tr_pr.find(qn("w:tblHeader")) is None:
        insert_ordered(tr_pr, OxmlElement("w:tblHeader"), TR_PR_ORDER)


def _min_height(row: Any, mm: float) -> None:
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = Mm(mm)


def _keep_together(table: Table) -> None:
    """Rows stay on one page with what follows (Word's way to keep a small table unbroken)."""
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _spacer(doc: DocxDocument) -> None:
    """A small empty paragraph: two tables that touch become one table in Word and LibreOffice."""
    fmt = _para(doc, "", "表注").paragraph_format
    fmt.keep_with_next = False
    fmt.line_spacing = Pt(4)
    fmt.space_after = Pt(0)


def _merged_row(table: Table, row: int, text: str, style: str) -> Paragraph:
    cells = table.rows[row].cells
    merged = cells[0].merge(cells[-1])
    for extra in merged.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    return _cell(merged, text, style)


def _tag_row(table: Table, row: int, tag: str, style: str) -> None:
    """A row holding only a ``{%tr … %}`` tag; docxtpl replaces the whole row by the tag."""
    _cell(table.rows[row].cells[0], tag, style)


def _field(paragraph: Paragraph, instr: str, placeholder: str) -> None:
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _anchor_footer(doc: DocxDocument, title: str) -> None:
    """Page footer: the visit, the page, and the ledger anchor as of what the page shows."""
    footer = doc.sections[0].footer
    first = footer.paragraphs[0]
    first.style = "页脚小字"
    _run(first, f"{title} · 检查编号 {{{{ visit_id }}}} · 第 ")
    _field(first, "PAGE", "1")
    _run(first, " 页")
    _para(footer, "台账 {{ anchor.ledger_id }} · 校验值 {{ anchor.head }}", "页脚小字")


def _common_styles(
    doc: DocxDocument, body_size: float, body_exact: float, table_size: float = 12, title_size: float = 22
) -> None:
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph_style(
        doc, "文书标题", font=SONGTI, size=title_size, bold=True, align=center, exact=title_size * 1.4
    )
    _paragraph_style(doc, "文书编号", size=body_size, align=right, exact=body_exact, after=6)
    _paragraph_style(doc, "正文", size=body_size, exact=body_exact, indent_chars=2)
    _paragraph_style(doc, "正文顶格", size=body_size, exact=body_exact, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(
        doc, "小标题", font=HEITI, size=body_size, exact=body_exact, indent_chars=2, keep_next=True
    )
    _paragraph_style(doc, "落款", size=body_size, exact=body_exact, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph_style(doc, "表格文字", size=table_size, exact=16, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(doc, "表格居中", size=table_size, exact=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(doc, "表头", font=HEITI, size=table_size, exact=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(doc, "表注", size=table_size, exact=20, after=2, keep_next=True)
    # 7.5 pt: the ledger id and the full 64-digit chain head fit on one line of the 156 mm text width
    _paragraph_style(doc, "页脚小字", size=7.5, align=WD_ALIGN_PARAGRAPH.CENTER)


# --- 检查通知书 ----------------------------------------------------------------------------------

NOTICE_INTRO = (
    "根据《优化营商环境条例》{% for b in legal_basis %}{{ b }}{% endfor %}和"
    "{% for p in plans %}《{{ p.name }}》（{{ p.number }}）{% if not loop.last %}、{% endif %}{% endfor %}，"
    "按照《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》（国发〔2019〕5号）"
    "和《国务院办公厅关于严格规范涉企行政检查的意见》（国办发〔2024〕54号）的要求，本局"
    "{% if partner_departments %}会同{{ partner_departments|join('、') }}{% endif %}对你单位"
    "实施“双随机、一公开”行政检查：你单位经随机抽取确定为检查对象，检查人员随机选派。现将有关事项告知如下："
)
RECUSAL = (
    "检查人员与你单位有直接利害关系（如本人或近亲属在你单位任职、持股），或者有其他关系"
    "可能影响公正检查的，你单位有权在检查前或检查中向本局申请其回避，由本局负责人决定。"
)
STATEMENT = "对检查中发现的问题，你单位有权陈述和申辩，检查人员应当如实记入检查记录表。"
REMEDIES = (
    "你单位认为本次检查行为侵犯其合法权益的，可以自知道该行为之日起六十日内向"
    "{{ bureau.review_body }}申请行政复议，或者自知道该行为之日起六个月内依法向人民法院提起行政诉讼。"
    "对检查人员的违规行为，可以向本局或者12345政务服务便民热线反映。"
)
RIGHTS = [("（一）申请回避。", RECUSAL), ("（二）陈述申辩。", STATEMENT), ("（三）救济途径。", REMEDIES)]
FIRM_LINE = (
    "（统一社会信用代码：{{ firm.uscc }}；住所：{{ firm.address or '＿＿＿＿＿＿' }}；"
    "法定代表人：{{ firm.legal_rep or '＿＿＿＿＿＿' }}；联系电话：{{ firm.phone or '＿＿＿＿＿＿' }}）"
)
DOCUMENTS_NOTE = (
    "请按下表一次备齐材料，检查时提供（可用加盖公章的复印件）；本局不要求提供与检查事项无关的材料。"
)
TASK_ROW = (
    "{{ t.plan_number }} 任务{{ t.task_number }}：{{ t.task_name }}（抽取编号 {{ t.draw_id }}）"
    "{% if t.basis %}。检查依据：{{ t.basis }}{% endif %}"
)
DOCUMENTS_CELL = "{% if it.documents %}{{ it.documents|join('；') }}{% else %}无{% endif %}"
SHOW_BADGE = "由下列人员实施检查，检查时主动出示有效的行政执法证件；未出示执法证件的，你单位有权拒绝检查。"
FREQUENCY = (
    "本次检查是本年度本局“双随机、一公开”抽查对你单位的第 {{ inspection_number }} 次检查，"
    "本年度共安排 {{ inspections_this_year }} 次"
    "{% if inspection_cap %}（本局公布的对同一企业年度检查次数上限为 {{ inspection_cap }} 次）{% endif %}。"
)
CONTACT = "联系人：{{ contact.name or '＿＿＿＿＿＿' }}　联系电话：{{ contact.phone or '＿＿＿＿＿＿' }}"
ISSUED_ON = "{{ issued_on or '　　　　年　　月　　日' }}"


def _lead(doc: DocxDocument, heading: str, text: str, style: str = "正文") -> Paragraph:
    """A body paragraph opening with a 黑体 heading (一、检查时间：…) to keep the notice short."""
    paragraph = _para(doc, heading, style, font=HEITI)
    _run(paragraph, text)
    return paragraph


def build_notice() -> DocxDocument:
    doc = _base_document()
    _common_styles(doc, body_size=14, body_exact=24)
    _paragraph_style(doc, "告知", size=14, exact=24, indent_chars=2)

    _para(doc, "{{ bureau.name }}行政检查通知书", "文书标题")
    _para(doc, "{{ document_number }}", "文书编号")
    _para(doc, "{{ firm.name }}：", "正文顶格")
    _para(doc, FIRM_LINE, "表注")
    _para(doc, NOTICE_INTRO, "正文")

    _lead(doc, "一、检查事项和需准备的材料：", DOCUMENTS_NOTE).paragraph_format.keep_with_next = True
    items = _table(doc, [14, 66, 76], 7)
    for col, head in enumerate(["序号", "检查事项", "需准备的材料（请一次备齐）"]):
        _cell(items.rows[0].cells[col], head, "表头")
    _row_flags(items.rows[0], header=True)
    _tag_row(items, 1, "{%tr for t in tasks %}", "表格文字")
    _merged_row(items, 2, TASK_ROW, "表格文字")
    _tag_row(items, 3, "{%tr for it in t.check_items %}", "表格文字")
    _cell(items.rows[4].cells[0], "{{ it.number }}", "表格居中")
    _cell(items.rows[4].cells[1], "{{ it.text }}", "表格文字")
    _cell(items.rows[4].cells[2], DOCUMENTS_CELL, "表格文字")
    _tag_row(items, 5, "{%tr endfor %}", "表格文字")
    _tag_row(items, 6, "{%tr endfor %}", "表格文字")

    _lead(
        doc,
        "二、检查时间：",
        "{{ window.start }}至{{ window.end }}期间，具体日期由检查人员提前与你单位联系确定。",
    )
    _lead(doc, "三、检查人员：", SHOW_BADGE)
    people = _table(doc, [36, 76, 44], 4)
    for col, head in enumerate(["姓名", "单位", "执法证号"]):
        _cell(people.rows[0].cells[col], head, "表头")
    _row_flags(people.rows[0], header=True)
    _tag_row(people, 1, "{%tr for p in inspectors %}", "表格文字")
    for col, (text, style) in enumerate(
        [("{{ p.name }}", "表格居中"), ("{{ p.department }}", "表格文字"), ("{{ p.badge }}", "表格居中")]
    ):
        _cell(people.rows[2].cells[col], text, style)
    _tag_row(people, 3, "{%tr endfor %}", "表格文字")

    _lead(doc, "四、检查频次：", FREQUENCY)
    _para(doc, "五、你单位的权利", "小标题")
    for label, text in RIGHTS:
        _lead(doc, label, text, "告知")
    contact = _para(doc, CONTACT, "正文")
    contact.paragraph_format.keep_with_next = True
    seal = _para(doc, "{{ bureau.name }}（印章）", "落款").paragraph_format
    seal.space_before, seal.keep_with_next = Pt(8), True
    _para(doc, ISSUED_ON, "落款")
    _anchor_footer(doc, "行政检查通知书")
    return doc


# --- 检查记录表 ----------------------------------------------------------------------------------


RECORD_TASK_LINE = (
    "{{ t.plan_number }} 任务{{ t.task_number }}：{{ t.task_name }}（抽取编号 {{ t.draw_id }}）"
)
RECORD_TASK_ROW = (
    "任务{{ t.task_number }}：{{ t.task_name }}（{{ t.plan_number }}，抽取编号 {{ t.draw_id }}）"
)
CATEGORY_TICKS = (
    "{% for c in result_categories %}"
    + BOX
    + "{{ loop.index }}. {{ c }}{% if not loop.last %}"
    + GAP
    + "{% endif %}"
    "{% endfor %}"
)
ITEMS_NOTE = "检查事项及结果（“是否检查”打 √；“结果”填写下方检查结果的编号，可填多个）"


def _ticks(options: Sequence[str]) -> str:
    return GAP.join(f"{BOX}{option}" for option in options)


def _label_row(table: Table, row: int, label: str, value: str) -> None:
    cells = table.rows[row].cells
    _cell(cells[0], label, "表头")
    merged = cells[1].merge(cells[-1])
    _cell(merged, value, "表格文字")


def build_record() -> DocxDocument:
    doc = _base_document()
    _common_styles(doc, body_size=14, body_exact=24, table_size=10.5, title_size=18)

    _para(doc, "“双随机、一公开”行政检查记录表", "文书标题")
    _para(doc, "检查编号：{{ visit_id }}", "表格文字").alignment = WD_ALIGN_PARAGRAPH.RIGHT

    head = _table(doc, [34, 48, 26, 48], 9)
    _label_row(head, 0, "抽查任务", "")
    task_cell = head.rows[0].cells[1]
    first = task_cell.paragraphs[0]
    _run(first, "{%p for t in tasks %}")
    _para(task_cell, RECORD_TASK_LINE, "表格文字")
    _para(task_cell, "{%p endfor %}", "表格文字")
    _label_row(head, 1, "被检查对象", "{{ firm.name }}")
    row = head.rows[2].cells
    _cell(row[0], "统一社会信用代码", "表头")
    _cell(row[1], "{{ firm.uscc }}", "表格文字")
    _cell(row[2], "检查时限", "表头")
    _cell(row[3], "{{ window.start }}至{{ window.end }}", "表格文字")
    _label_row(head, 3, "住所（经营场所）", "{{ firm.address }}")
    row = head.rows[4].cells
    _cell(row[0], "法定代表人", "表头")
    _cell(row[1], "{{ firm.legal_rep }}", "表格文字")
    _cell(row[2], "联系电话", "表头")
    _cell(row[3], "{{ firm.phone }}", "表格文字")
    row = head.rows[5].cells
    _cell(row[0], "联络员", "表头")
    _cell(row[1], "{{ firm.liaison }}", "表格文字")
    _cell(row[2], "联系电话", "表头")
    _cell(row[3], "{{ firm.liaison_phone }}", "表格文字")
    row = head.rows[6].cells
    _cell(row[0], "检查日期", "表头")
    _cell(row[1], "　　　　年　　月　　日", "表格文字")
    _cell(row[2], "检查地点", "表头")
    _cell(row[3], "", "表格文字")
    _label_row(head, 7, "核查方式", _ticks(CHECK_METHODS))
    _label_row(head, 8, "检查执行部门", "{{ departments|join('、') }}")

    _para(doc, ITEMS_NOTE, "表格文字")
    items = _table(doc, [12, 60, 12, 14, 30, 28], 7)
    for col, text in enumerate(["序号", "检查事项", "是否检查", "结果编号", "发现问题情况", "处置情况"]):
        _cell(items.rows[0].cells[col], text, "表头")
    _row_flags(items.rows[0], header=True)
    _tag_row(items, 1, "{%tr for t in tasks %}", "表格文字")
    _merged_row(items, 2, RECORD_TASK_ROW, "表格文字")
    _tag_row(items, 3, "{%tr for it in t.check_items %}", "表格文字")
    cells = items.rows[4].cells
    _cell(cells[0], "{{ it.number }}", "表格居中")
    _cell(cells[1], "{{ it.text }}", "表格文字")
    _cell(cells[2], BOX, "表格居中")
    for cell in cells[3:]:
        _cell(cell, "", "表格文字")
    _tag_row(items, 5, "{%tr endfor %}", "表格文字")
    _tag_row(items, 6, "{%tr endfor %}", "表格文字")
    _min_height(items.rows[4], 10)  # room to write by hand

    _spacer(doc)
    result = _table(doc, [30, 126], 3)
    _cell(result.rows[0].cells[0], "检查结果", "表头")
    _cell(result.rows[0].cells[1], CATEGORY_TICKS, "表格文字")
    _cell(result.rows[1].cells[0], "后续处置措施", "表头")
    _cell(result.rows[1].cells[1], _ticks([*FOLLOW_UPS, "其他：　　　　　　"]), "表格文字")
    _cell(result.rows[2].cells[0], "被检查单位意见", "表头")
    opinion = _cell(
        result.rows[2].cells[1], f"{BOX}对检查记录无异议{GAP}{BOX}有异议，陈述、申辩意见：", "表格文字"
    )
    opinion.paragraph_format.space_after = Pt(18)
    _para(
        result.rows[2].cells[1], "负责人或委托人签名（盖章）：　　　　　　　　　　年　　月　　日", "表格文字"
    )

    _para(doc, "检查人员（出示执法证件，签名）", "表格文字").paragraph_format.keep_with_next = True
    signs = _table(doc, [22, 50, 30, 26, 28], 4)
    for col, text in enumerate(["姓名", "单位", "执法证号", "签名", "日期"]):
        _cell(signs.rows[0].cells[col], text, "表头")
    _row_flags(signs.rows[0], header=True)
    _tag_row(signs, 1, "{%tr for p in inspectors %}", "表格文字")
    cells = signs.rows[2].cells
    _cell(cells[0], "{{ p.name }}", "表格居中")
    _cell(cells[1], "{{ p.department }}", "表格文字")
    _cell(cells[2], "{{ p.badge }}", "表格居中")
    _cell(cells[3], "", "表格文字")
    _cell(cells[4], "　　月　　日", "表格居中")
    _tag_row(signs, 3, "{%tr endfor %}", "表格文字")
    _min_height(signs.rows[2], 8)
    _keep_together(signs)
    _para(doc, "本表一式两份，检查单位和被检查单位各执一份。", "表格文字")
    _anchor_footer(doc, "行政检查记录表")
    return doc


# --- reproducible output -----------------------------------------------------------------------


def save_reproducibly(doc: DocxDocument, path: Path) -> None:
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(normalised_zip(buffer.getvalue()))


def build_all(folder: Path = TEMPLATES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in ((NOTICE_FILE, build_notice), (RECORD_FILE, build_record)):
        path = folder / name
        save_reproducibly(build(), path)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES):
        print(written_path)
