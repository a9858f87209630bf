"""What a 检查通知书 and a 检查记录表 say about one visit: the template context.

Specification
-------------
``notice_contexts(ledger, plan, firms)`` gives one ``NoticeContext`` per visit of ``plan`` (a
``VisitPlan`` from ``jcdraw.results.visits``, possibly adjusted by the visits workbook), in order. The
keys are the names a template may use (all always present; text the context lacks is ``""`` and the
default templates print a line to fill by hand):

* ``visit_id``; ``bureau`` {name, review_body}: the plan's issuing authority and, as the 2023
  行政复议法 gives for a municipal department, the city's people's government;
* ``year``; ``number``: the notice's number within the year; ``notice_prefix`` (plan field, the 机关代字);
  ``document_number``: ``晋市商检通〔2024〕12号`` (``〔2024〕12号`` without a prefix). Numbers count the
  year's entity-draws in ledger order, superseded draws included; a visit takes the smallest number
  of its entity-draws (done ones included). So a number never repeats, never changes when later draws
  are made or results recorded, and a merged visit leaves gaps;
* ``firm`` {name, uscc, address, legal_rep, phone, liaison, liaison_phone} (the last five from the
  registry, ``jcdraw.registry.contacts``);
* ``plans`` [{name, number}] and ``legal_basis`` [text] (plan field), ``tasks`` [{plan_name,
  plan_number, task_number, task_name, draw_id, round, basis, check_items [{number, text,
  documents}]}] — ``check_items``, not ``items``: in Jinja ``t.items`` is the dict method. Items come
  from the draw record; ``basis`` and ``documents`` from the task in the current plan file when its
  items are the recorded ones, else from the file the draw used;
* ``inspectors`` [{name, department, badge}], ``departments`` (theirs, in order) and
  ``partner_departments`` (those other than the bureau);
* ``window`` {start, end} as ``2024年3月1日``;
* ``inspection_number`` (this visit is the firm's n-th door entry this year: the n of the visit id),
  ``inspections_this_year`` (door entries planned for the firm this year) and ``inspection_cap`` (the
  plan's published cap, or None). These count jcdraw's draws only, not inspections outside the ledger;
* ``contact`` {name, phone} (plan field), ``issued_on`` (``--date``, else ``""``: dated by hand),
  ``result_categories`` (``plans/result_categories.yaml``) and ``anchor`` {ledger_id, head}: the
  ledger and its chain head as of making the documents, printed in every page's footer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from jcdraw.errors import BadPlan
from jcdraw.io.text import normalize_key_one
from jcdraw.ledger import Ledger, Record
from jcdraw.plans.categories import load_result_categories
from jcdraw.plans.load import find_plan
from jcdraw.plans.model import Plan
from jcdraw.plans.model import Task as PlanTask
from jcdraw.registry.contacts import FirmBook
from jcdraw.results.visits import EntityDraw, Visit, VisitPlan

# --- the context -------------------------------------------------------------------------------


class Bureau(TypedDict):
    name: str
    review_body: str  # 行政复议机关


class Firm(TypedDict):
    name: str
    uscc: str
    address: str
    legal_rep: str
    phone: str
    liaison: str
    liaison_phone: str


class Item(TypedDict):
    number: int  # 1-based position in the task's items (= 检查事项序号 of the results sheet)
    text: str
    documents: list[str]


class Task(TypedDict):
    plan_name: str
    plan_number: str
    task_number: int
    task_name: str
    draw_id: str
    round: int
    basis: str
    check_items: list[Item]


class PlanRef(TypedDict):
    name: str
    number: str


class Inspector(TypedDict):
    name: str
    department: str
    badge: str


class Window(TypedDict):
    start: str
    end: str


class Contact(TypedDict):
    name: str
    phone: str


class Anchor(TypedDict):
    ledger_id: str
    head: str  # hash of the newest ledger record when the documents were made (64 hex)


class NoticeContext(TypedDict):
    visit_id: str
    bureau: Bureau
    year: int
    number: int
    notice_prefix: str
    document_number: str
    firm: Firm
    plans: list[PlanRef]
    legal_basis: list[str]
    tasks: list[Task]
    inspectors: list[Inspector]
    departments: list[str]
    partner_departments: list[str]
    window: Window
    inspection_number: int
    inspections_this_year: int
    inspection_cap: int | None
    contact: Contact
    issued_on: str
    result_categories: list[str]
    anchor: Anchor


# --- the anchor --------------------------------------------------------------------------------


def chain_head(ledger: Ledger) -> str:
    """The ledger's chain head: the one place to swap in a dedicated head API when there is one."""
    return ledger.last_hash()


def ledger_anchor(ledger: Ledger) -> Anchor:
    return Anchor(ledger_id=ledger.ledger_id, head=chain_head(ledger))


# --- building ----------------------------------------------------------------------------------


def chinese_date(day: date) -> str:
    """``2024年3月1日`` (Arabic numerals, as GB/T 9704 writes dates).

    Example:
        >>> chinese_date(date(2024, 3, 1))
        '2024年3月1日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Paperwork:
    """The contexts, and what they had to leave blank or found worth a word."""

    contexts: list[NoticeContext]
    no_prefix: bool = False  # no plan of these visits names the notices' 机关代字
    no_contact: bool = False  # some visit's plans name no contact person
    over_cap: list[str] = field(default_factory=list)  # visit ids past the plan's yearly cap


def notice_contexts(
    ledger: Ledger, plan: VisitPlan, firms: FirmBook, *, issued_on: date | None = None
) -> Paperwork:
    """One context per visit of ``plan``, in its order (see the module doc)."""
    payloads = {str(r.payload["draw_id"]): r.payload for r in ledger.draws(standing_only=False)}
    numbers = entity_draw_numbers(ledger.draws(standing_only=False, year=plan.year))
    plans = _PlanFinder()
    categories = list(load_result_categories().categories)
    anchor = ledger_anchor(ledger)
    made = Paperwork([])
    for visit in plan.visits:
        sources = [plans.sources(payloads[d.draw_id], d) for d in visit.draws]
        current = [s.current for s in sources]
        number = min(numbers.get((d.draw_id, visit.uscc), 0) for d in [*visit.draws, *visit.done])
        prefix = _first(p.notice_prefix for p in current)
        contact = next((p.contact for p in current if p.contact is not None), None)
        cap = next((p.inspection_cap for p in current if p.inspection_cap is not None), None)
        entries = plan.entries.get(visit.uscc, 1)
        inspectors = _inspectors(visit, plan)
        departments = list(dict.fromkeys(p["department"] for p in inspectors if p["department"]))
        bureau = current[0].issuing_authority
        tasks = [_task(d, payloads[d.draw_id], s.task) for d, s in zip(visit.draws, sources, strict=True)]
        made.contexts.append(
            NoticeContext(
                visit_id=visit.visit_id,
                bureau=Bureau(name=bureau, review_body=f"{current[0].geography.city}人民政府"),
                year=plan.year,
                number=number,
                notice_prefix=prefix,
                document_number=f"{prefix}〔{plan.year}〕{number}号",
                firm=_firm(visit, firms),
                plans=_plan_refs(visit.draws, payloads),
                legal_basis=list(dict.fromkeys(b for p in current for b in p.legal_basis)),
                tasks=tasks,
                inspectors=inspectors,
                departments=departments,
                partner_departments=[d for d in departments if d != bureau],
                window=Window(start=chinese_date(visit.window[0]), end=chinese_date(visit.window[1])),
                inspection_number=_ordinal(visit.visit_id),
                inspections_this_year=entries,
                inspection_cap=cap,
                contact=Contact(name=contact.name if contact else "", phone=contact.phone if contact else ""),
                issued_on=chinese_date(issued_on) if issued_on else "",
                result_categories=categories,
                anchor=anchor,
            )
        )
        made.no_prefix = made.no_prefix or not prefix
        made.no_contact = made.no_contact or contact is None or not (contact.name and contact.phone)
        if cap is not None and entries > cap:
            made.over_cap.append(visit.visit_id)
    return made


def entity_draw_numbers(records: Iterable[Record]) -> dict[tuple[str, str], int]:
    """(draw id, code) → its number: entity-draws counted through ``records`` in order, from 1.

    Example:
        >>> from jcdraw.ledger import Record
        >>> def r(draw_id, *codes):
        ...     payload = {"draw_id": draw_id, "selected": [{"uscc": c} for c in codes]}
        ...     return Record(0, "draw", "", "", payload, "", "")
        >>> entity_draw_numbers([r("a", "X", "Y"), r("b", "X")])
        {('a', 'X'): 1, ('a', 'Y'): 2, ('b', 'X'): 3}
    """
    numbers: dict[tuple[str, str], int] = {}
    for record in records:
        for chosen in record.payload.get("selected", []):
            code = normalize_key_one(chosen.get("uscc")) or ""
            numbers.setdefault((str(record.payload["draw_id"]), code), len(numbers) + 1)
    return numbers


def _first(values: Iterable[str]) -> str:
    return next((v for v in values if v), "")


def _ordinal(visit_id: str) -> int:
    """The n of ``{year}-{code}-{n}``: which of the firm's door entries this year the visit is."""
    tail = visit_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 1


def _firm(visit: Visit, firms: FirmBook) -> Firm:
    found = firms.get(visit.uscc)
    return Firm(
        name=visit.name, uscc=visit.uscc, address=found.address, legal_rep=found.legal_rep,
        phone=found.phone, liaison=found.liaison, liaison_phone=found.liaison_phone,
    )  # fmt: skip


def _inspectors(visit: Visit, plan: VisitPlan) -> list[Inspector]:
    people = []
    for badge in visit.team:
        member = plan.members.get(badge)
        name, department = (member.name, member.department) if member else ("", "")
        people.append(Inspector(name=name, department=department, badge=badge))
    return people


def _plan_refs(draws: Sequence[EntityDraw], payloads: Mapping[str, Mapping[str, Any]]) -> list[PlanRef]:
    seen = dict.fromkeys(
        (str(payloads[d.draw_id].get("plan_name", "")), str(payloads[d.draw_id].get("document_number", "")))
        for d in draws
    )
    return [PlanRef(name=name, number=number) for name, number in seen]


def _task(draw: EntityDraw, payload: Mapping[str, Any], spec: PlanTask | None) -> Task:
    documents = spec.documents if spec is not None else {}
    return Task(
        plan_name=str(payload.get("plan_name", "")),
        plan_number=str(payload.get("document_number", "")),
        task_number=draw.task,
        task_name=draw.task_name,
        draw_id=draw.draw_id,
        round=draw.round,
        basis=spec.legal_basis if spec is not None else "",
        check_items=[
            Item(number=n, text=text, documents=list(documents.get(n, [])))
            for n, text in enumerate(draw.items, 1)
        ],
    )


@dataclass(frozen=True)
class _Sources:
    current: Plan  # the plan file of that id in the plan folders now: paperwork fields
    task: PlanTask | None  # the task whose items are the recorded ones (current file first)


class _PlanFinder:
    """The plan files behind the draws, each looked up once per run."""

    def __init__(self) -> None:
        self._current: dict[str, Plan] = {}
        self._used: dict[tuple[str, str, str], Plan] = {}

    def sources(self, payload: Mapping[str, Any], draw: EntityDraw) -> _Sources:
        plan_id = str(payload["plan"])
        hint, sha = str(payload.get("plan_path", "")) or None, str(payload.get("plan_sha256", "")) or None
        key = (plan_id, hint or "", sha or "")
        if key not in self._used:
            self._used[key] = find_plan(plan_id, hint=hint, sha256=sha)
        if plan_id not in self._current:
            try:
                self._current[plan_id] = find_plan(plan_id)
            except BadPlan:  # a plan kept outside the plan folders: the file the draw used is all there is
                self._current[plan_id] = self._used[key]
        current = self._current[plan_id]
        return _Sources(current, _matching_task(draw, [current, self._used[key]]))


def _matching_task(draw: EntityDraw, plans: Sequence[Plan]) -> PlanTask | None:
    """The draw's task in the first plan whose task has exactly the recorded items: documents are
    listed by item number, which means nothing once the items have changed."""
    for plan in plans:
        task = next((t for t in plan.tasks if t.number == draw.task), None)
        if task is not None and tuple(task.items) == draw.items:
            return task
    return None
