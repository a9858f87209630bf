"""Writing the paperwork of a year's visits: a 检查通知书 and a 检查记录表 per visit, plus one combined
file per template for printing.

``planned_files(folder, contexts)`` names every output: ``{visit id}_{firm}_检查通知书.docx`` and
``…_检查记录表.docx`` (Windows-safe, ``jcdraw.io.filenames``), then ``全部检查通知书.docx`` and
``全部检查记录表.docx``. ``check_outputs`` refuses, before any work, a folder that cannot be used, an
output that would replace an input, and (without ``force``) any output that already exists.
``write_paperwork`` fills every document in memory first (each visit is rendered once: its single
file is saved, then its body moves into the combined file), so a template that fails on the last visit
leaves nothing behind; then each file is written atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jcdraw import messages
from jcdraw.errors import OutputError
from jcdraw.io.atomic import check_output, same_file, write_bytes_atomic
from jcdraw.io.filenames import safe_filename
from jcdraw.results.docx_combine import Combined
from jcdraw.results.docx_render import document_bytes, render
from jcdraw.results.notices import NoticeContext

KINDS = ("notice", "record")
TITLES = {"notice": "检查通知书", "record": "检查记录表"}


def default_output(year: int) -> Path:
    return Path(f"检查文书-{year}")


def single_name(context: NoticeContext, kind: str) -> str:
    return safe_filename(context["visit_id"], context["firm"]["name"], TITLES[kind])


def combined_name(kind: str) -> str:
    return f"全部{TITLES[kind]}.docx"


def planned_files(folder: Path, contexts: Sequence[NoticeContext]) -> list[Path]:
    """Every file a run writes, single files first (per visit: notice, record), then the combined."""
    singles = [folder / single_name(c, kind) for c in contexts for kind in KINDS]
    return [*singles, *(folder / combined_name(kind) for kind in KINDS)]


def check_outputs(folder: Path, files: Sequence[Path], inputs: Iterable[Path], *, force: bool) -> None:
    """Refuse before any work: see the module doc. A missing ``folder`` is fine if its parent exists."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(messages.NOTICES_OUT_NOT_FOLDER.format(path=folder))
    parent = folder.absolute().parent
    if not folder.exists() and not parent.is_dir():
        raise OutputError(messages.NOTICES_OUT_PARENT_MISSING.format(path=folder, parent=parent))
    protected = list(inputs)
    for path in files:
        if any(same_file(path, source) for source in protected):
            raise OutputError(messages.NOTICES_OUTPUT_IS_INPUT.format(path=path))
    existing = [p for p in files if p.exists() or p.is_symlink()]
    if existing and not force:
        raise OutputError(
            messages.NOTICES_OUTPUTS_EXIST.format(folder=folder, count=len(existing), first=existing[0].name)
        )
    if folder.is_dir():
        for path in existing:
            check_output(path, force=True)  # a folder or device under an output's name is never replaced


@dataclass
class Template:
    kind: str
    data: bytes
    name: str  # shown in error messages: the file, or "内置模板"


@dataclass
class Written:
    folder: Path
    single: list[Path] = field(default_factory=list)
    combined: list[Path] = field(default_factory=list)


Progress = Callable[[str], None]


def _quiet(_text: str) -> None:
    pass


def write_paperwork(
    folder: Path,
    contexts: Sequence[NoticeContext],
    templates: Sequence[Template],
    *,
    force: bool = False,
    duplex: bool = False,
    progress: Progress = _quiet,
) -> Written:
    """Fill ``templates`` for every context and write the files (call ``check_outputs`` first)."""
    if not contexts:
        raise ValueError("no visits")
    files: dict[Path, bytes] = {}
    combined: dict[Path, bytes] = {}
    total = len(contexts) * len(templates)
    done = 0
    for template in templates:
        joined = Combined(duplex=duplex)
        for context in contexts:
            doc = render(template.data, context, name=template.name)
            files[folder / single_name(context, template.kind)] = document_bytes(doc)
            joined.add(doc)
            done += 1
            progress(messages.NOTICES_PROGRESS.format(done=done, total=total))
        progress(messages.NOTICES_PROGRESS_COMBINING.format(title=TITLES[template.kind]))
        combined[folder / combined_name(template.kind)] = document_bytes(joined.document())
    folder.mkdir(exist_ok=True)
    single = [folder / single_name(c, t.kind) for c in contexts for t in templates]  # by visit
    for path in single:
        write_bytes_atomic(path, files[path], force=force)
    for path, content in combined.items():
        write_bytes_atomic(path, content, force=force)
    return Written(folder, single, list(combined))
