"""Every workbook of the example year prints: A4, one page wide, header rows repeated, plan and task
in the page header, 第 N 页 共 M 页 and the ledger anchor in the footer; machine sheets marked.

The year is made once through the real CLI (draw notice, two draws, publish with the platform file,
status, visits, validate, plans --changes, the public list). A LibreOffice print of the assignment
and publicity workbooks checks the page counts when ``soffice`` is on the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from jcdraw import messages
from jcdraw.cli import main
from jcdraw.ledger import Anchor, Ledger, anchors_in

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED = "12345678901234567890"
PATHS = {"RESULTS": EXAMPLES / "results-example.xlsx", "BROKEN": EXAMPLES / "registry-broken.xlsx"}
PAGE_NUMBERS = "第 &P 页 共 &N 页"
JOINT_NAME = "晋城市商务局2024年度部门联合双随机抽查工作计划（“一业一查”部门联合双随机抽查工作计划）"


def _cli(*args: str) -> None:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        assert exc.code in (0, 1, None), (args, exc.code)  # 1: status reports overdue work


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("print-year")
    shutil.copy(EXAMPLES / "registry.xlsx", folder / "registry.xlsx")
    before = Path.cwd()
    os.chdir(folder)
    try:
        for command in (
            "draw --plan joint --task 2 --prepare --as-of 2024-03-25 --out notice.xlsx --new-ledger",
            f"draw --plan joint --task 2 --seed {SEED} --as-of 2024-04-01 --out joint.xlsx",
            f"draw --plan internal --task 2 --seed {SEED} --as-of 2024-04-01 --out internal.xlsx",
            "publish RESULTS --as-of 2024-11-15 --out publicity.xlsx --platform platform.xlsx",
            "status --as-of 2024-11-20 --report status.xlsx",
            "visits --out visits.xlsx",
            "validate BROKEN --as-of 2024-04-01 --report problems.xlsx",
            "plans --changes --out changes.xlsx",
            "export --draw 2024-joint-T2-R1-1 --public --out public.xlsx",
        ):
            _cli(*(str(PATHS.get(word, word)) for word in command.split()))  # paths may hold spaces
        yield folder
    finally:
        os.chdir(before)


def _fit(ws: Worksheet) -> tuple[bool, int, int]:
    # xlsxwriter leaves out fitToWidth="1" and fitToHeight="1", Excel's defaults; openpyxl then reads None.
    width, height = ws.page_setup.fitToWidth, ws.page_setup.fitToHeight
    return (
        ws.sheet_properties.pageSetUpPr.fitToPage,
        1 if width is None else width,
        1 if height is None else height,
    )


def _printed(
    ws: Worksheet, orientation: str, header: str, *, rows: str = "$1:$1", one_page: bool = False
) -> Anchor:
    """Assert the page setup of a printed sheet; return the anchor in its footer."""
    assert ws.page_setup.paperSize == 9, ws.title
    assert ws.page_setup.orientation == orientation, ws.title
    assert _fit(ws) == (True, 1, 1 if one_page else 0), ws.title
    assert ws.print_title_rows == rows, ws.title
    assert ws.oddHeader.center.text == header, ws.title
    assert ws.HeaderFooter.scaleWithDoc is False  # readable however much the sheet is shrunk
    page_numbers, anchor_line = ws.oddFooter.center.text.split("\n")  # the anchor under the page numbers
    assert page_numbers == PAGE_NUMBERS, ws.title
    [anchor] = anchors_in(anchor_line)
    return anchor


def _machine(ws: Worksheet) -> None:
    assert ws.oddHeader.center.text == messages.XLSX_NOT_FOR_PRINT
    assert ws.print_title_rows is None and _fit(ws) == (True, 1, 1)
    assert ws.print_area is not None and ws.oddFooter.center.text is None


def _book(year: Path, name: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(year / name)


def _ledger(year: Path) -> Ledger:
    return Ledger.open(year / "jcdraw.sqlite3", readonly=True)


def test_assignment_workbook_prints_every_sheet_with_the_draws_anchor(year: Path) -> None:
    book = _book(year, "joint.xlsx")
    with _ledger(year) as ledger:
        anchor = ledger.draw_anchor("2024-joint-T2-R1-1")
    head = f"{JOINT_NAME} · 任务 2“对汽车销售企业的部门联合抽查”第 1 轮 · "
    assert _printed(book["抽取结果"], "landscape", head + "抽取结果") == anchor
    assert _printed(book["检查人员"], "portrait", head + "检查人员") == anchor
    assert _printed(book["检查结果"], "landscape", head + "检查结果") == anchor
    # The record on one portrait page, its signature lines included; its text wraps within the page.
    record = book["抽取记录"]
    assert _printed(record, "portrait", head + "抽取记录", one_page=True) == anchor
    assert record["B2"].alignment.wrap_text is True
    _machine(book["对象池"])
    assert book.active.title == "抽取结果"


def test_notice_public_list_and_plan_changes_print_with_their_anchors(year: Path) -> None:
    notice = _book(year, "notice.xlsx")["抽取公告"]
    title = notice["A1"].value
    assert "任务 2" in title and JOINT_NAME in title
    assert _printed(notice, "portrait", title, rows="$1:$2", one_page=True).records == 2  # id, commitment
    public = _book(year, "public.xlsx")
    with _ledger(year) as ledger:
        draw = ledger.draw_anchor("2024-joint-T2-R1-1")
        now = ledger.anchor()
    for ws in public.worksheets:
        header = f"{JOINT_NAME} · 任务 2：对汽车销售企业的部门联合抽查　抽查名单"
        assert _printed(ws, "portrait", header, rows="$1:$2") == draw
        assert ws.oddFooter.left.text == "2024-joint-T2-R1-1"
    for ws in _book(year, "changes.xlsx").worksheets:
        assert _printed(ws, "landscape", ws["A1"].value, rows="$1:$2") == now


def test_publicity_status_and_visits_print_with_the_ledgers_anchor(year: Path) -> None:
    with _ledger(year) as ledger:
        [publication] = ledger.records("publication")
        made_from = Anchor(ledger.ledger_id, publication.seq - 1, publication.prev_hash)
        now = ledger.anchor()
    publicity = _book(year, "publicity.xlsx")
    assert publicity.sheetnames == ["抽查计划", "抽查任务", "检查结果", "公示统计"]
    plans = "晋市商秩〔2024〕6号"  # both plans of the year were issued under one document
    for ws in publicity.worksheets:
        assert _printed(ws, "landscape", f"{plans} 抽查结果公示 · {ws.title}") == made_from
    status = _book(year, "status.xlsx")
    for ws in status.worksheets:
        orientation = "portrait" if ws.title == "超出计划期限" else "landscape"
        header = f"2024-joint、2024-internal · {ws['A1'].value}"
        assert _printed(ws, orientation, header, rows="$1:$2") == now
        assert ws.print_options.gridLines is not (ws.title == "公示进度")  # no grid around the chart
    visits = _book(year, "visits.xlsx")
    for ws in visits.worksheets:
        rows = "$1:$2" if ws.title == "合并统计" else "$1:$1"
        assert _printed(ws, "landscape", f"2024 年度检查安排（一业一查）· {ws.title}", rows=rows) == now


def test_problem_report_prints_and_the_platform_file_is_marked_for_machines(year: Path) -> None:
    ws = _book(year, "problems.xlsx")["发现的问题"]
    assert ws.page_setup.orientation == "landscape" and _fit(ws) == (True, 1, 0)
    assert ws.print_title_rows == "$1:$1"
    assert (
        ws.oddHeader.center.text == "名录库“registry-broken.xlsx”校验发现的问题（2024-internal、2024-joint）"
    )
    assert ws.oddFooter.center.text == PAGE_NUMBERS  # no ledger is involved in a validation
    assert ws["G2"].alignment.wrap_text is True
    _machine(_book(year, "platform.xlsx").worksheets[0])


SOFFICE, PDFINFO, PDFTOTEXT = shutil.which("soffice"), shutil.which("pdfinfo"), shutil.which("pdftotext")


def _pdf(xlsx: Path, out: Path) -> tuple[list[str], str]:
    """Page sizes (points) and text of LibreOffice's PDF of every sheet."""
    profile = (out / "lo-profile").as_uri()  # its own profile: other soffice runs may be going on
    command = [str(SOFFICE), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(out), str(xlsx)], check=True, capture_output=True, timeout=180)
    pdf = out / xlsx.with_suffix(".pdf").name
    info = subprocess.run([str(PDFINFO), "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True)
    text = subprocess.run([str(PDFTOTEXT), "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return re.findall(r"Page +\d+ size: +([\d.]+ x [\d.]+)", info.stdout), text


@pytest.mark.skipif(not (SOFFICE and PDFINFO and PDFTOTEXT), reason="LibreOffice or poppler is not installed")
def test_libreoffice_prints_the_assignment_and_publicity_one_page_wide(year: Path, tmp_path: Path) -> None:
    portrait, landscape = "595.304 x 841.89", "841.89 x 595.304"
    sizes, text = _pdf(year / "joint.xlsx", tmp_path)
    # 抽取结果, 检查人员, 抽取记录 (one page, signatures on it), 检查结果, 对象池 (its one self-explaining
    # page). Without print settings the same workbook took 34 pages, 18 of them for the record.
    assert sizes == [landscape, portrait, portrait, landscape, portrait]
    pages = text.split("\f")
    assert (
        "2024-joint-T2-R1-1" in pages[2] and "监督人（签字）" in pages[2] and "2024 年 4 月 1 日" in pages[2]
    )
    assert all(re.search(r"第\s*\d\s*页\s*共\s*5\s*页", page) for page in pages[:4])  # 5 pages in all
    assert messages.XLSX_NOT_FOR_PRINT in pages[4]
    assert "台账编号" in pages[0] and "91140522MA096ACB14" in pages[0]  # the last row's code: nothing cut
    # Publicity: 抽查计划, 抽查任务, 检查结果, 公示统计; 42 pages without settings, 5 when 检查结果 was
    # shrunk to one line per row (about 39 %, unreadable). Long texts now wrap: 224 rows on 21 pages.
    sizes, text = _pdf(year / "publicity.xlsx", tmp_path)
    assert set(sizes) == {landscape} and 10 <= len(sizes) <= 30
    assert text.count("抽查结果公示") == len(sizes)  # the page header on every page
    published = openpyxl.load_workbook(year / "publicity.xlsx", read_only=True)["检查结果"]
    codes = [row[6] for row in published.iter_rows(min_row=3, values_only=True)]
    assert codes and all(code in text for code in codes)  # every row printed, no code cut
