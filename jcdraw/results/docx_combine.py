"""Joining filled documents (one per visit) into one .docx for printing, without extra dependencies.

``Combined`` takes the documents of one template, in order, and moves each one's body into the first:

* the previous visit's last section ends at its last paragraph (its ``w:sectPr`` moves there), so each
  visit starts on a new page (``duplex``: on an odd page, so double-sided printing never puts two firms
  on one sheet) and numbers its pages from 1;
* each visit keeps its own header and footer (they name the visit): a new part is added where the text
  differs from the first visit's;
* Word list numbering restarts per visit, bookmark and drawing ids are renumbered, Word's ``_GoBack``
  bookmark and ``w14`` paragraph ids are dropped, so Word opens the result without repairs.

Styles need no merging because every document comes from the same template. Notices and records go to
separate files: once the bureau edits one template, the two may define the same style differently.
Known limits: a header or footer holding a picture stays the first visit's; numbering defined only in
a paragraph style keeps counting across visits; footnotes and comments are not carried over.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, cast

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
R_ID = qn("r:id")

SECT_PR_ORDER = (
    "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
    "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
    "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
    "w:printerSettings", "w:sectPrChange",
)  # fmt: skip  # child order of w:sectPr in the schema (ECMA-376): Word rejects misordered elements


def insert_ordered(parent: Any, child: Any, order: Sequence[str]) -> Any:
    """Insert ``child`` into ``parent`` where the schema's sequence ``order`` puts it."""
    rank = {qn(tag): i for i, tag in enumerate(order)}
    mine = rank[child.tag]
    for existing in parent:
        if rank.get(existing.tag, -1) > mine:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child


class Combined:
    """Documents of one template appended one after another (see the module doc)."""

    def __init__(self, *, duplex: bool = False) -> None:
        self.duplex = duplex
        self.master: DocxDocument | None = None
        self._bookmark = 0
        self._drawing = 0

    def add(self, doc: DocxDocument) -> None:
        """Append ``doc`` (which is used up: its elements move into the combined document)."""
        if self.master is None:
            self.master = doc
            self._bookmark = _max_attr(doc, qn("w:bookmarkStart"), qn("w:id"))
            self._drawing = _max_attr(doc, f"{{{WP}}}docPr", "id")
            _prepare_section(doc.element.body.find(qn("w:sectPr")), duplex=False)
            return
        self._append(self.master, doc)

    def document(self) -> DocxDocument:
        if self.master is None:
            raise ValueError("nothing to combine")
        return self.master

    def _append(self, master: DocxDocument, doc: DocxDocument) -> None:
        body = master.element.body
        master_sect = body.find(qn("w:sectPr"))
        # 1. the previous visit's last section now ends at its last paragraph
        last = master_sect.getprevious()
        if last is None or last.tag != qn("w:p") or last.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            last = etree.Element(qn("w:p"))
            master_sect.addprevious(last)
        ppr = last.find(qn("w:pPr"))
        if ppr is None:
            ppr = etree.Element(qn("w:pPr"))
            last.insert(0, ppr)
        ppr.append(master_sect)  # w:sectPr comes last in w:pPr, so appending keeps the schema order
        # 2. this visit's content, made unique within the combined document
        source_body = doc.element.body
        new_sect = source_body.find(qn("w:sectPr"))
        if new_sect is None:
            new_sect = copy.deepcopy(master_sect)
        elements = [e for e in source_body if e is not new_sect]
        self._renumber(elements, master)
        # 3. its sections get their own header/footer parts; the first starts a new page at 1
        sections = [sp for e in elements for sp in e.iter(qn("w:sectPr"))] + [new_sect]
        for sect_pr in sections:
            _relink_headers_footers(sect_pr, master, doc)
        _prepare_section(sections[0], duplex=self.duplex)
        for element in elements:
            body.append(element)
        body.append(new_sect)

    def _renumber(self, elements: Sequence[Any], master: DocxDocument) -> None:
        bookmark_start, bookmark_end = qn("w:bookmarkStart"), qn("w:bookmarkEnd")
        doc_pr, num_id = f"{{{WP}}}docPr", qn("w:numId")
        bookmark_ids: dict[str, str] = {}
        num_ids: dict[str, str] = {}
        for root in elements:
            # lxml walks only the tags asked for, in C: a visit has thousands of elements, few of these
            for element in list(root.iter(bookmark_start, bookmark_end, doc_pr, num_id)):
                tag = element.tag
                if tag == doc_pr:
                    self._drawing += 1
                    element.set("id", str(self._drawing))
                elif tag == num_id:
                    old = element.get(qn("w:val"), "0")
                    if old != "0":
                        if old not in num_ids:
                            num_ids[old] = _restarted_num(master, old)
                        element.set(qn("w:val"), num_ids[old])
                elif (
                    element.get(qn("w:name")) == "_GoBack" or bookmark_ids.get(element.get(qn("w:id"))) == ""
                ):
                    # Word's "last edit" bookmark: once per document is enough ("" marks its id)
                    bookmark_ids[element.get(qn("w:id"), "")] = ""
                    element.getparent().remove(element)
                else:
                    old = element.get(qn("w:id"), "")
                    if old not in bookmark_ids:
                        self._bookmark += 1
                        bookmark_ids[old] = str(self._bookmark)
                    element.set(qn("w:id"), bookmark_ids[old])
                    if tag == bookmark_start and element.get(qn("w:name")):
                        element.set(qn("w:name"), f"{element.get(qn('w:name'))}_{bookmark_ids[old]}")
            for element in _W14_IDS(root):
                for attr in (f"{{{W14}}}paraId", f"{{{W14}}}textId"):
                    element.attrib.pop(attr, None)


_W14_IDS = etree.XPath("descendant-or-self::*[@w14:paraId or @w14:textId]", namespaces={"w14": W14})


def _max_attr(doc: DocxDocument, tag: str, attr: str) -> int:
    values = [int(v) for e in doc.element.iter(tag) if (v := e.get(attr, "")).isdigit()]
    return max(values, default=0)


def _prepare_section(sect_pr: Any, *, duplex: bool) -> None:
    """A visit's first section starts on a new (odd) page and numbers its pages from 1."""
    if sect_pr is None:
        return
    kind = sect_pr.find(qn("w:type"))
    if kind is None:
        kind = insert_ordered(sect_pr, etree.Element(qn("w:type")), SECT_PR_ORDER)
    kind.set(qn("w:val"), "oddPage" if duplex else "nextPage")
    pages = sect_pr.find(qn("w:pgNumType"))
    if pages is None:
        pages = insert_ordered(sect_pr, etree.Element(qn("w:pgNumType")), SECT_PR_ORDER)
    pages.set(qn("w:start"), "1")


def _restarted_num(master: DocxDocument, num_id: str) -> str:
    """A new w:num on the same list definition that starts again at its first value (per visit)."""
    numbering = master.part.numbering_part.element
    num = numbering.num_having_numId(int(num_id))
    new = numbering.add_num(int(num.abstractNumId.val))
    abstract_id = str(num.abstractNumId.val)
    abstracts = numbering.iterchildren(qn("w:abstractNum"))
    abstract = next(a for a in abstracts if a.get(qn("w:abstractNumId")) == abstract_id)
    for lvl in abstract.iterchildren(qn("w:lvl")):
        start = lvl.find(qn("w:start"))
        override = new.add_lvlOverride(int(lvl.get(qn("w:ilvl"), "0")))
        override.add_startOverride(int(start.get(qn("w:val"))) if start is not None else 1)
    return str(new.numId)


def _relink_headers_footers(sect_pr: Any, master: DocxDocument, doc: DocxDocument) -> None:
    """Point this section at header/footer parts holding *its* rendered text.

    Same template, so the rIds match the master's parts; where the rendered text differs (it names the
    visit), a new part is added to the master with this visit's content. Parts with relationships of
    their own (pictures) cannot be moved this way and stay shared with the first visit.
    """
    for ref in list(sect_pr):
        if ref.tag not in (qn("w:headerReference"), qn("w:footerReference")):
            continue
        rid = ref.get(R_ID)
        # rels[rid].target_part, not related_parts: docxtpl swaps rendered parts in on the relationship
        source = doc.part.rels[rid].target_part
        target = master.part.rels[rid].target_part if rid in master.part.rels else None
        source_xml = etree.tostring(source.element)
        if target is not None and etree.tostring(target.element) == source_xml:
            continue
        if len(source.rels) > 0:
            continue
        document_part = cast(Any, master.part)  # python-docx leaves these two untyped
        if ref.tag == qn("w:headerReference"):
            part, new_rid = document_part.add_header_part()
        else:
            part, new_rid = document_part.add_footer_part()
        part._element = copy.deepcopy(source.element)
        ref.set(R_ID, new_rid)
