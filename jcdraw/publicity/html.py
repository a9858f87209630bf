"""The publicity page for the bureau's website: one self-contained UTF-8 HTML file.

Specification
-------------
* No external assets: styles and the small filter script are inline, so the page works offline
  and can be uploaded as a single file.
* Title: short, the issuing authorities and years (``HTML_TITLE``); the same as the page's heading.
  One section per plan, headed by the plan's name and document number, with its tasks under it:
  one table per task with the task's details and counts above it.
* A filter box hides the table rows whose text does not contain what is typed (case-insensitive).
* ``@media print`` hides the filter box, repeats table headers on each page and keeps rows whole.
* Every value from the ledger, the plans or a workbook passes through ``html.escape`` before it is
  placed in the page; an entity named ``<script>alert(1)</script>`` shows as that text. Line breaks
  inside a value (several corrections) become ``<br>`` after escaping.
* The page shows only what the publicity workbook shows: no risk class, no inspector. On request
  (``publish --with-lists``) a last section lists every standing draw's 抽查名单 — names, credit codes
  and regions, as ``jcdraw export --public`` writes them — which the filter box searches too.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from jcdraw import __version__, messages
from jcdraw.publicity.model import Publicity

ROWS_PER_LINE = 1000  # table rows joined into one of html_lines' items (a write each, not a row each)

STYLE = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",SimSun,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em;text-align:center}h2{font-size:1.25em;margin-top:1.5em}h3{font-size:1.05em;margin-top:1.2em}
.meta{color:#444;font-size:.9em;margin:.2em 0}
.filter{margin:1em 0;padding:.5em;background:#f3f6fa;border:1px solid #d0d7e2}
.filter input{width:24em;max-width:90%;padding:.3em;font-size:1em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em;font-size:.9em}
th,td{border:1px solid #999;padding:.3em .4em;text-align:left;vertical-align:top}
th{background:#ddebf7}
td.code{font-family:Consolas,monospace;white-space:nowrap}
.empty{color:#666}
footer{margin-top:2em;color:#666;font-size:.8em}
@media print{
  .filter{display:none}
  body{margin:0;font-size:10pt}
  thead{display:table-header-group}
  tr{page-break-inside:avoid}
  h2,h3{page-break-after:avoid}
}
"""

SCRIPT = """
(function(){
  var box=document.getElementById('filter');
  box.addEventListener('input',function(){
    var q=box.value.trim().toLowerCase();
    var rows=document.querySelectorAll('table.results tbody tr, table.lists tbody tr');
    for(var i=0;i<rows.length;i++){
      var hit=!q||rows[i].textContent.toLowerCase().indexOf(q)>=0;
      rows[i].style.display=hit?'':'none';
    }
  });
})();
"""


def esc(value: object) -> str:
    """Text for an HTML element or attribute; None/NaN → empty; line breaks → ``<br>``.

    Example:
        >>> esc("<script>alert(1)</script>")
        '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, date):
        value = value.isoformat()
    return html.escape(str(value), quote=True).replace("\n", "<br>")


def render_html(pub: Publicity) -> str:
    """The whole page as one string."""
    return "".join(html_lines(pub))


def write_html(pub: Publicity, path: Path) -> None:
    """Write the page to ``path`` in UTF-8 as it is rendered (100,000 rows are a 36 MB page)."""
    with path.open("w", encoding="utf-8", newline="") as page:  # newline="": no CRLF on Windows
        page.writelines(html_lines(pub))


def html_lines(pub: Publicity) -> Iterator[str]:
    """The page's lines, each ending in a line break (a table's rows come a thousand to a line)."""
    title = page_title(pub.plans)
    head = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
        '<div class="filter">',
        f'<label for="filter">{esc(messages.HTML_FILTER_LABEL)}</label>',
        f'<input id="filter" type="search" placeholder="{esc(messages.HTML_FILTER_PLACEHOLDER)}">',
        "</div>",
    ]
    body = itertools.chain.from_iterable(_plan_section(pub, plan) for plan in pub.plans.itertuples())
    footer = messages.HTML_FOOTER.format(version=__version__, as_of=pub.as_of)
    if pub.anchor:  # where the ledger stood, for jcdraw audit --against this page
        footer += messages.HTML_FOOTER_ANCHOR.format(anchor=pub.anchor)
    tail = [f"<footer>{esc(footer)}</footer>", f"<script>{SCRIPT}</script>", "</body>\n</html>"]
    for line in itertools.chain(head, body, lists_section(pub), tail):
        yield line + "\n"


def page_title(plans: pd.DataFrame) -> str:
    """The page's short title: who publishes, for which years (plans in their order).

    Example:
        >>> page_title(pd.DataFrame({"authority": ["晋城市商务局"] * 2, "year": [2024, 2024]}))
        '晋城市商务局2024年度双随机抽查检查结果公示'
    """
    if plans.empty:
        return messages.HTML_NO_RESULTS
    authorities = "、".join(dict.fromkeys(str(a) for a in plans["authority"]))
    years = messages.HTML_YEARS_JOIN.join(dict.fromkeys(str(y) for y in plans["year"]))
    return messages.HTML_TITLE.format(authority=authorities, years=years)


def _plan_section(pub: Publicity, plan: Any) -> Iterator[str]:
    yield "<section>"
    heading = messages.HTML_PLAN_HEADING.format(
        plan_name=plan.plan_name, document_number=plan.document_number
    )
    yield f"<h2>{esc(heading)}</h2>"
    meta = messages.HTML_PLAN_META.format(
        plan=plan.plan, authority=plan.authority, kind=plan.kind, as_of=pub.as_of
    )
    yield f'<p class="meta">{esc(meta)}</p>'
    tasks = pub.tasks[pub.tasks["plan"] == plan.plan]
    results = pub.results[pub.results["plan"] == plan.plan]
    stats = pub.stats[pub.stats["plan"] == plan.plan].set_index("task") if len(pub.stats) else pd.DataFrame()
    for task in tasks.itertuples():
        yield from _task_section(task, results[results["task"] == task.task], stats)
    yield "</section>"


def _percent(rate: object) -> str:
    """A rate as the page shows it; "—" where it is undefined (nothing inspected yet)."""
    return "—" if rate is None or (isinstance(rate, float) and rate != rate) else f"{float(rate):.1%}"  # type: ignore[arg-type]


def _task_section(task: Any, results: pd.DataFrame, stats: pd.DataFrame) -> Iterator[str]:
    yield f"<h3>{esc(messages.HTML_TASK_HEADING.format(task=task.task, task_name=task.task_name))}</h3>"
    meta = messages.HTML_TASK_META.format(
        inspection_type=task.inspection_type,
        authority=task.authority,
        ratio=task.ratio,
        period=task.period,
        mode=task.mode,
    )
    yield f'<p class="meta">{esc(meta)}</p>'
    scope = messages.HTML_TASK_SCOPE.format(items=task.items, scope=task.scope)
    yield f'<p class="meta">{esc(scope)}</p>'
    if task.task in stats.index:
        counts = stats.loc[task.task]
        text = messages.HTML_TASK_STATS.format(
            drawn=int(counts["drawn"]),
            published=int(counts["published"]),
            publication_rate=_percent(counts["publication_rate"]),
            completion_rate=_percent(counts["completion_rate"]),
        )
        yield f'<p class="meta">{esc(text)}</p>'
    if results.empty:
        yield f'<p class="empty">{esc(messages.HTML_NO_RESULTS)}</p>'
        return
    yield '<table class="results">'
    yield (
        "<thead><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in messages.PUBLICITY_RESULT_ROW_HEADERS)
        + "</tr></thead>"
    )
    yield "<tbody>"
    columns = [
        "name",
        "uscc",
        "departments",
        "completed",
        "item_text",
        "result",
        "note",
        "remark",
        "followup",
    ]
    cells = [_escaped(results[column]) for column in columns]
    rows = (
        f'<tr><td>{name}</td><td class="code">{uscc}</td><td>{departments}</td>'
        f"<td>{completed}</td><td>{item}</td><td>{result}</td><td>{note}</td><td>{remark}</td>"
        f"<td>{followup}</td></tr>"
        for name, uscc, departments, completed, item, result, note, remark, followup in zip(
            *cells, strict=True
        )
    )
    while block := list(itertools.islice(rows, ROWS_PER_LINE)):
        yield "\n".join(block)
    yield "</tbody>"
    yield "</table>"


def lists_section(pub: Publicity) -> Iterator[str]:
    """The 抽查名单 of every standing draw (``publish --with-lists``): names, codes and regions only."""
    if pub.lists is None:
        return
    yield '<section class="lists">'
    yield f"<h2>{esc(messages.HTML_LISTS_HEADING)}</h2>"
    if pub.lists.empty:
        yield f'<p class="empty">{esc(messages.HTML_LISTS_EMPTY)}</p>'
    names = dict(zip(pub.plans["plan"], pub.plans["plan_name"], strict=True))
    for (plan, task, draw_id), rows in pub.lists.groupby(["plan", "task", "draw_id"], sort=False):
        first = rows.iloc[0]
        heading = messages.HTML_LIST_HEADING.format(
            task=task, task_name=first["task_name"], round=first["round"], drawn_on=first["drawn_on"],
            count=len(rows), draw_id=draw_id,
        )  # fmt: skip
        if len(pub.plans) > 1:
            heading = f"{names.get(plan, plan)}　{heading}"
        yield f"<h3>{esc(heading)}</h3>"
        yield '<table class="lists">'
        yield (
            "<thead><tr>"
            + "".join(f"<th>{esc(h)}</th>" for h in messages.PUBLIC_LIST_HEADERS)
            + "</tr></thead>"
        )
        yield "<tbody>"
        cells = [_escaped(rows[column]) for column in ("n", "name", "uscc", "region")]
        for n, name, uscc, region in zip(*cells, strict=True):
            yield f'<tr><td>{n}</td><td>{name}</td><td class="code">{uscc}</td><td>{region}</td></tr>'
        yield "</tbody>"
        yield "</table>"
    yield "</section>"


def _escaped(column: pd.Series) -> list[str]:
    """``esc`` of every cell, computed once per distinct value (names, dates and results repeat).

    Each column holds one kind of value (text, dates, or numbers), so values that compare equal
    escape alike.
    """
    codes, distinct = pd.factorize(column.to_numpy(dtype=object))
    text = [esc(value) for value in distinct]
    text.append(esc(None))  # code -1: a missing cell
    return [text[code] for code in codes]
