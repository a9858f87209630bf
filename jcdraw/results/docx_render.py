"""Filling a Word template (.docx with docxtpl's Jinja tags) for one visit, safely and reproducibly.

* ``default_template(kind)`` is a shipped template's bytes (built by ``tools/build_templates.py``);
  ``load_template(path)`` reads the template's bytes, refusing a missing file, a legacy .doc or
  anything that is not a Word document with a Chinese message.
* ``render(template, context)`` fills it: one shared Jinja environment, sandboxed (a template passed on
  by e-mail cannot reach Python internals), autoescaping (a firm called ``<&>{{ 7*7 }}`` prints as
  written: user text is XML-escaped and never evaluated) and strict (a misspelt field in a template the
  bureau edited is an error, not a silent blank). Every string of the context first loses the
  characters XML cannot carry; tab, newline and form feed become a space, because docxtpl would turn
  them into breaks. Errors of the template become ``TemplateProblem`` naming the file and the tag.
* ``document_bytes(doc)`` saves with fixed ZIP timestamps and entry order, so the same input gives the
  same bytes (python-docx stamps entries with the current time).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from jcdraw import messages
from jcdraw.errors import JcdrawError

DEFAULT_FILES = {"notice": "notice.docx", "record": "record.docx"}  # in jcdraw/results/templates
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy .doc (or an encrypted .docx)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class TemplateProblem(JcdrawError):
    """A template cannot be read or filled (exit 2): the message names the file and the tag."""


# --- cleaning the context ----------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile("[\t\n\r\x0b\x0c\x07\x85\u2028\u2029]+")

T = TypeVar("T")


def clean_text(text: str) -> str:
    """Text XML can carry and docxtpl will not turn into breaks.

    Example:
        >>> clean_text("a\\x00b\\x01c\\td\\ne\\x0cf\\ud800g\\ufffe")
        'abc d e fg'
    """
    return _XML_ILLEGAL.sub("", _BREAKS.sub(" ", text))


def cleaned(value: T) -> T:
    """``value`` with every string inside (dicts, lists) passed through :func:`clean_text`."""
    if isinstance(value, str):
        return cast(T, clean_text(value))
    if isinstance(value, Mapping):
        return cast(T, {key: cleaned(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return cast(T, [cleaned(item) for item in value])
    return value


# --- the environment ---------------------------------------------------------------------------


class _Environment(SandboxedEnvironment):
    """Sandboxed, autoescaping, strict, and compiling each template source once.

    docxtpl calls ``from_string`` for every part of every document; compiling the same template XML
    again for each visit took about 40% of the rendering time in the prototype.
    """

    MAX_SOURCES = 64

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self._compiled: dict[str, Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.MAX_SOURCES:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


_ENV = _Environment()


class _Template(DocxTemplate):  # type: ignore[misc]  # docxtpl has no type hints
    """docxtpl's template, cleaning each template part's XML once rather than once per visit.

    ``patch_xml`` (regular expressions joining tags Word split across runs) gives the same result for
    the same part of the same template, and took about a tenth of the time for 350 visits.
    """

    _patched: ClassVar[dict[str, str]] = {}
    MAX_SOURCES = 64

    def patch_xml(self, src_xml: str) -> str:
        found = self._patched.get(src_xml)
        if found is None:
            if len(self._patched) >= self.MAX_SOURCES:
                self._patched.clear()
            found = self._patched[src_xml] = super().patch_xml(src_xml)
        return found


# --- reading and filling -----------------------------------------------------------------------


def default_template(kind: str) -> bytes:
    """The shipped default template, ``notice`` or ``record`` (``jcdraw template …`` writes these bytes)."""
    return (resources.files("jcdraw.results") / "templates" / DEFAULT_FILES[kind]).read_bytes()


def load_template(path: Path) -> bytes:
    """The bytes of a .docx template; ``TemplateProblem`` if it is missing or not a Word document."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TemplateProblem(messages.DOCX_TEMPLATE_MISSING.format(path=path)) from None
    except IsADirectoryError:
        raise TemplateProblem(messages.DOCX_TEMPLATE_NOT_DOCX.format(path=path)) from None
    except OSError:
        raise TemplateProblem(messages.DOCX_TEMPLATE_UNREADABLE.format(path=path)) from None
    if data.startswith(OLE_MAGIC):
        raise TemplateProblem(messages.DOCX_TEMPLATE_LEGACY_DOC.format(path=path))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if "word/document.xml" not in package.namelist():
                raise TemplateProblem(messages.DOCX_TEMPLATE_NOT_DOCX.format(path=path))
    except zipfile.BadZipFile:
        raise TemplateProblem(messages.DOCX_TEMPLATE_NOT_DOCX.format(path=path)) from None
    return data


def template_kind(template: bytes, titles: Mapping[str, str]) -> str | None:
    """Which paperwork a template is: the kind whose title (``titles``: kind → e.g. 检查通知书) comes
    first in the document's text, None if none does. A record may mention the notice further down, and
    a bureau's own wording keeps the title at the top.

    Example:
        >>> titles = {"notice": "检查通知书", "record": "检查记录表"}
        >>> [template_kind(default_template(kind), titles) for kind in ("record", "notice")]
        ['record', 'notice']
    """
    with zipfile.ZipFile(io.BytesIO(template)) as package:
        text = _XML_TAG.sub("", package.read("word/document.xml").decode("utf-8", "replace"))
    found = {kind: text.find(title) for kind, title in titles.items() if title in text}
    return min(found, key=found.__getitem__) if found else None


def render(template: bytes, context: Mapping[str, Any], *, name: Path | str) -> DocxDocument:
    """``template`` (a .docx's bytes) filled with ``context``; ``name`` is the file shown in errors."""
    try:
        doc = _Template(io.BytesIO(template))
        doc.render(cleaned(dict(context)), jinja_env=_ENV, autoescape=True)
    except UndefinedError as err:
        raise _unknown_field(err, template, context, name) from None
    except TemplateSyntaxError as err:
        where = _error_line(err)
        raise TemplateProblem(messages.DOCX_TEMPLATE_SYNTAX.format(path=name, where=where)) from None
    except (TemplateError, TypeError, ValueError, AttributeError, etree.LxmlError) as err:
        where = _error_line(err)
        raise TemplateProblem(messages.DOCX_TEMPLATE_CANNOT_FILL.format(path=name, where=where)) from None
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile):
        raise TemplateProblem(messages.DOCX_TEMPLATE_NOT_DOCX.format(path=name)) from None
    return cast(DocxDocument, doc.docx)


def document_bytes(doc: DocxDocument) -> bytes:
    """The saved .docx, reproducible byte for byte (see ``normalised_zip``).

    python-docx's ``save`` compresses every part, which ``normalised_zip`` would then inflate and
    compress again: for 350 visits that was a seventh of the run. So the parts are collected through
    python-docx's own ``PackageWriter`` steps and compressed once; should a python-docx release
    reorganise those (private) steps, the public ``save`` is used instead (tested: same parts).
    """
    try:
        entries = _package_entries(doc)
    except AttributeError:
        buffer = io.BytesIO()
        doc.save(buffer)
        return normalised_zip(buffer.getvalue())
    return _zip(entries)


def normalised_zip(data: bytes) -> bytes:
    """The same package with fixed entry timestamps, in a stable order (``[Content_Types].xml`` first)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return _zip({name: source.read(name) for name in source.namelist()})


def _package_entries(doc: DocxDocument) -> dict[str, bytes]:
    """Member name → bytes of every part, as ``OpcPackage.save`` would write them."""
    package = doc.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    entries: dict[str, bytes] = {}

    class Collect:
        @staticmethod
        def write(pack_uri: Any, blob: bytes) -> None:
            entries[pack_uri.membername] = blob

    writer: Any = PackageWriter
    writer._write_content_types_stream(Collect, parts)
    writer._write_pkg_rels(Collect, package.rels)
    writer._write_parts(Collect, parts)
    return entries


def _zip(entries: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    order = sorted(entries, key=lambda n: (n != "[Content_Types].xml", n))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes whichever system wrote them
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


# --- explaining template errors ----------------------------------------------------------------

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")
_XML_TAG = re.compile(r"<[^>]+>")


def _error_line(err: Exception) -> str:
    """The template text docxtpl found around a syntax error (its tags stripped), or a dash."""
    lines = [line.strip() for line in getattr(err, "docx_context", None) or []]
    lineno = getattr(err, "lineno", None)
    if not lines or not lineno:
        return messages.DOCX_TEMPLATE_NO_PLACE
    at = min(3, lineno - 1, len(lines) - 1)  # docxtpl keeps 3 lines before the error's
    text = lines[at] or next((line for line in lines if line), "")
    return messages.DOCX_TEMPLATE_PLACE.format(text=text[:80]) if text else messages.DOCX_TEMPLATE_NO_PLACE


def _unknown_field(
    err: UndefinedError, template: bytes, context: Mapping[str, Any], name: Path | str
) -> TemplateProblem:
    match = _UNDEFINED.search(str(err))
    field = next((g for g in match.groups() if g), "") if match else ""
    tags = _template_tags(template)
    mentioning = [tag for tag in tags if re.search(rf"\b{re.escape(field)}\b", tag)]
    tag = mentioning[0] if mentioning else "{{ " + field + " }}"
    fields = _known_fields(tag, field, context, _loop_sources(tags))
    return TemplateProblem(
        messages.DOCX_TEMPLATE_UNKNOWN_FIELD.format(path=name, tag=tag, field=field, fields="、".join(fields))
    )


def _template_tags(template: bytes) -> list[str]:
    """Every Jinja tag of the template's body, headers and footers, as the bureau sees it in Word."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(template)) as package:
        for part in package.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", part):
                xml = package.read(part).decode("utf-8", "replace")
                for paragraph in re.split(r"</w:p>", xml):
                    found.extend(_TAG.findall(_XML_TAG.sub("", paragraph)))
    return found


def _loop_sources(tags: list[str]) -> dict[str, str]:
    """Loop variable → what it loops over (``{%tr for it in t.check_items %}`` → it: t.check_items)."""
    loops = (re.search(r"\bfor\s+(\w+)\s+in\s+([\w.]+)", tag) for tag in tags)
    return {m.group(1): m.group(2) for m in loops if m}


def _known_fields(tag: str, field: str, context: Mapping[str, Any], loops: Mapping[str, str]) -> list[str]:
    """The names available where ``field`` was looked up: its parent's fields when the parent is a
    context dict or a loop over a list of them (``it.nmae`` → an item's fields), else the top level."""
    parent = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(field)}\b", tag)
    node = _resolve(parent.group(1), context, loops, depth=0) if parent else None
    return [str(key) for key in (node if isinstance(node, Mapping) else context)]


def _resolve(path: str, context: Mapping[str, Any], loops: Mapping[str, str], depth: int) -> Any:
    head, *rest = path.split(".")
    if head in context:
        node: Any = context[head]
    elif head in loops and depth < 8:
        source = _resolve(loops[head], context, loops, depth + 1)
        node = source[0] if isinstance(source, list) and source else None
    else:
        return None
    for part in rest:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node
