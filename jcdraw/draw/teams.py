"""Step 5 of the draw: inspection teams for the drawn entities (specified in ``jcdraw.draw.algorithm``).

The specification, with the rank of an inspector for an entity (load, history, ticket at the current
load, badge), lives in the algorithm module's docstring; this module implements it with one priority
queue per department, so a draw hashes about (drawn entities × team size) inspector tickets.
"""

from __future__ import annotations

import hashlib
import heapq
import operator
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import pandas as pd

from jcdraw import messages
from jcdraw.draw.tickets import SEPARATOR, ticket_order, ticket_prefix
from jcdraw.errors import InputProblems
from jcdraw.records import MIN_OFFICERS


class TeamImpossible(InputProblems):
    """No inspection team can be formed for a drawn entity under the team rule (exit 1).

    Carries ``uscc`` (the entity's code), ``department`` (``None`` when the minimum team size is
    the problem) and ``reason`` (Chinese, without the entity), so a caller that knows the entity's
    name can rebuild the message with ``with_entity_label``.
    """

    def __init__(
        self, uscc: str, department: str | None, reason: str, entity_label: str | None = None
    ) -> None:
        label = uscc if entity_label is None else entity_label
        if department is None:
            message = messages.DRAW_TEAM_IMPOSSIBLE.format(entity=label, reason=reason)
        else:
            message = messages.DRAW_TEAM_IMPOSSIBLE_DEPARTMENT.format(
                entity=label, department=department, reason=reason
            )
        super().__init__(message)
        self.uscc = uscc
        self.department = department
        self.reason = reason

    def with_entity_label(self, entity_label: str) -> TeamImpossible:
        """The same error, naming the entity as ``entity_label`` (e.g. its name and code)."""
        return TeamImpossible(self.uscc, self.department, self.reason, entity_label)


@dataclass(frozen=True, kw_only=True)
class TeamRule:
    """How a team is made up: members required per department (in the plan's department order,
    canonical department names) and the minimum team size."""

    min_size: int = MIN_OFFICERS
    per_department: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.min_size < 1 or any(count < 0 for count in self.per_department.values()):
            raise ValueError(f"invalid team rule: {self!r}")
        # A private copy, so the department order and counts cannot change under us.
        object.__setattr__(self, "per_department", dict(self.per_department))


@dataclass(frozen=True)
class Teams:
    """The result of ``assign_teams``: each entity's team (entities in ticket order) and each
    inspector's load (number of entities), including inspectors given none."""

    by_entity: dict[str, list[str]]
    loads: dict[str, int]


def assign_teams(
    selected: pd.DataFrame,
    inspectors: pd.DataFrame,
    *,
    rule: TeamRule,
    recusals: AbstractSet[tuple[str, str]],
    history: AbstractSet[tuple[str, str]],
    seed: str,
    plan_id: str,
    task: int | str,
    round_no: int,
) -> Teams:
    """Give every drawn entity an inspection team (Step 5).

    Args:
        selected: The drawn entities, columns ``uscc`` and ``ticket``; processed in ticket order
            whatever the row order.
        inspectors: Columns ``badge`` (unique) and ``department``, and optionally ``qualified``
            (bool; rows that are not ``True`` are not candidates). Only departments named in
            ``rule`` take part.
        rule: Members per department and minimum team size.
        recusals: (badge, code) pairs that must never be on the same team.
        history: (badge, code) pairs from earlier draws, avoided among equally loaded inspectors.
        seed, plan_id, task, round_no: The draw's parameters (see ``inspector_ticket``).

    Returns:
        Each entity's badges (rule's department order, then pick order) and every passed
        inspector's load.

    Raises:
        TeamImpossible: for the first entity, in ticket order, whose team cannot be formed.
        ValueError: if a column is missing or a badge or code repeats.

    Example:
        >>> selected = pd.DataFrame({"uscc": ["U1", "U2", "U3"], "ticket": ["c", "a", "b"]})
        >>> inspectors = pd.DataFrame({"badge": ["S1", "S2", "M1", "M2"],
        ...                            "department": ["商务局", "商务局", "市场监管局", "市场监管局"],
        ...                            "qualified": [True, True, True, True]})
        >>> rule = TeamRule(per_department={"商务局": 1, "市场监管局": 1})
        >>> teams = assign_teams(selected, inspectors, rule=rule,
        ...                      recusals={("S1", "U2")}, history={("S2", "U1")}, seed="12345678901234567890",
        ...                      plan_id="2024-joint", task=1, round_no=1)
        >>> teams.by_entity
        {'U2': ['S2', 'M1'], 'U3': ['S1', 'M2'], 'U1': ['S1', 'M1']}
        >>> teams.loads
        {'S1': 2, 'S2': 1, 'M1': 2, 'M2': 1}

        U2 has the smallest ticket and S1 is recused from it. For U1 both 商务局 inspectors carry
        one entity; S2's ticket at load 1 (``0c9746ab…``) is smaller than S1's (``73d810af…``), but
        S2 inspected U1 before, so S1 goes.
    """
    roster = _roster(inspectors, rule)
    loads = {str(badge): 0 for badge in inspectors["badge"].tolist()}
    recused_by_entity = _badges_by_entity(recusals)
    seen_by_entity = _badges_by_entity(history)
    queues = _Queues(roster, rule, ticket_prefix(seed, plan_id, task, round_no))
    roster_suffices = False  # whether an entity nobody is recused from can have a team
    by_entity: dict[str, list[str]] = {}
    for uscc in _entities_in_ticket_order(selected):
        recused = recused_by_entity.get(uscc, _NOBODY)
        if recused:
            available = {d: [b for b in roster[d] if b not in recused] for d in rule.per_department}
            _check_team_possible(uscc, rule, roster, available)
        elif not roster_suffices:
            _check_team_possible(uscc, rule, roster, roster)
            roster_suffices = True
        team = queues.form_team(recused, seen_by_entity.get(uscc, _NOBODY))
        for badge in team:
            loads[badge] += 1
        by_entity[uscc] = team
    return Teams(by_entity=by_entity, loads=loads)


def recusal_shortfalls(
    usccs: Iterable[str],
    inspectors: pd.DataFrame,
    *,
    rule: TeamRule,
    recusals: AbstractSet[tuple[str, str]],
) -> list[TeamImpossible]:
    """The entities no team could inspect because of their recusals, with the draw's own error.

    Runs the check ``assign_teams`` makes before forming a team, for every entity in ``usccs`` that
    has recusals, so ``validate`` can say in advance what a draw of any of them would refuse. A
    roster too small for every entity is not repeated here (``validate`` reports it per task).
    """
    roster = _roster(inspectors, rule)
    found: list[TeamImpossible] = []
    recused_by_entity = _badges_by_entity(recusals)
    for uscc in usccs:
        recused = recused_by_entity.get(uscc)
        if not recused:
            continue
        available = {d: [b for b in roster[d] if b not in recused] for d in rule.per_department}
        try:
            _check_team_possible(uscc, rule, roster, roster)
        except TeamImpossible:
            continue  # the roster itself falls short: a task-level problem, reported once
        try:
            _check_team_possible(uscc, rule, roster, available)
        except TeamImpossible as err:
            found.append(err)
    return found


_NOBODY: frozenset[str] = frozenset()


def _badges_by_entity(pairs: AbstractSet[tuple[str, str]]) -> dict[str, set[str]]:
    """(badge, code) pairs regrouped as code -> badges, so each entity looks up only its own."""
    grouped: dict[str, set[str]] = {}
    for badge, uscc in pairs:
        grouped.setdefault(uscc, set()).add(badge)
    return grouped


def _roster(inspectors: pd.DataFrame, rule: TeamRule) -> dict[str, list[str]]:
    """Candidate badges per rule department, sorted by badge so row order cannot matter."""
    for column in ("badge", "department"):
        if column not in inspectors.columns:
            raise ValueError(f"inspectors have no {column!r} column")
    badges = inspectors["badge"].astype(str)
    if badges.duplicated().any():
        raise ValueError(f"duplicate badges: {badges[badges.duplicated()].head(5).tolist()}")
    usable = inspectors["department"].isin(list(rule.per_department))
    if "qualified" in inspectors.columns:
        usable &= inspectors["qualified"].eq(True)
    roster: dict[str, list[str]] = {department: [] for department in rule.per_department}
    pairs = zip(badges[usable].tolist(), inspectors["department"][usable].tolist(), strict=True)
    for badge, department in pairs:
        roster[department].append(badge)
    return {department: sorted(members) for department, members in roster.items()}


def _entities_in_ticket_order(selected: pd.DataFrame) -> list[str]:
    for column in ("uscc", "ticket"):
        if column not in selected.columns:
            raise ValueError(f"selected has no {column!r} column")
    usccs = selected["uscc"].astype(str).tolist()
    if len(set(usccs)) != len(usccs):
        raise ValueError("duplicate codes among the selected entities")
    tickets = selected["ticket"].astype(str).tolist()
    # draw_entities already lists them in ticket order; checking that is far cheaper than sorting.
    # Strictly increasing tickets of one length need no code to break ties (see ticket_order).
    if len(set(map(len, tickets))) <= 1 and all(map(operator.lt, tickets, tickets[1:])):
        return usccs
    return [usccs[i] for i in ticket_order(tickets, usccs).tolist()]


def _check_team_possible(
    uscc: str, rule: TeamRule, roster: Mapping[str, Sequence[str]], available: Mapping[str, Sequence[str]]
) -> None:
    """Raise ``TeamImpossible`` unless every department and the team size can be satisfied."""
    for department, required in rule.per_department.items():
        total, free = len(roster[department]), len(available[department])
        if free >= required:
            continue
        if total >= required and free == 0:
            reason = messages.DRAW_TEAM_ALL_RECUSED.format(total=total)
        elif total >= required:
            reason = messages.DRAW_TEAM_RECUSALS_SHORT.format(
                total=total, recused=total - free, available=free, required=required
            )
        else:
            reason = messages.DRAW_TEAM_TOO_FEW.format(available=total, required=required)
        raise TeamImpossible(uscc, department, reason)
    free_overall = sum(len(members) for members in available.values())
    if free_overall < rule.min_size:
        reason = messages.DRAW_TEAM_BELOW_MIN_SIZE.format(min_size=rule.min_size, available=free_overall)
        raise TeamImpossible(uscc, None, reason)


# (load, raw ticket at that load, badge). Raw digests compare like their hexadecimal text, so
# tuples compare like the rank without history.
_Entry = tuple[int, bytes, str]


class _Queues:
    """Each rule department's candidates in a heap ordered by (load, ticket at that load, badge)."""

    def __init__(self, roster: Mapping[str, Sequence[str]], rule: TeamRule, prefix: str) -> None:
        self._departments = list(rule.per_department.items())
        # Every department gives exactly its quota (or the team is impossible), so the top-up is
        # the same for every entity.
        self._missing = max(0, rule.min_size - sum(rule.per_department.values()))
        # "{seed}|{plan}|{task}|{round}|{badge}|" per badge; the load completes the ticket text.
        self._text = {
            badge: f"{prefix}{badge}{SEPARATOR}".encode() for badges in roster.values() for badge in badges
        }
        self._heaps: dict[str, list[_Entry]] = {}
        self._heap_of: dict[str, list[_Entry]] = {}
        self._department_of: dict[str, str] = {}
        for department, badges in roster.items():
            heap = [self._entry(badge, 0) for badge in badges]
            heapq.heapify(heap)
            self._heaps[department] = heap
            for badge in badges:
                self._heap_of[badge] = heap
                self._department_of[badge] = department

    def _entry(self, badge: str, load: int) -> _Entry:
        """The inspector's queue entry at ``load``: the only place inspector tickets are hashed."""
        return (load, hashlib.sha256(self._text[badge] + b"%d" % load).digest(), badge)

    def form_team(self, recused: AbstractSet[str], seen: AbstractSet[str]) -> list[str]:
        """One entity's team, already known to be possible; members go back with their next ticket."""
        if recused or seen or self._missing:
            members = self._ranked_team(recused, seen)
        else:  # the usual case: the top of each department's heap
            members = [
                heapq.heappop(self._heaps[d]) for d, required in self._departments for _ in range(required)
            ]
        for load, _, badge in members:
            heapq.heappush(self._heap_of[badge], self._entry(badge, load + 1))
        return [badge for _, _, badge in members]

    def _ranked_team(self, recused: AbstractSet[str], seen: AbstractSet[str]) -> list[_Entry]:
        """The team's entries in rule order, taken out of the heaps, for any entity."""
        team = {d: self._take([self._heaps[d]], required, recused, seen) for d, required in self._departments}
        if self._missing:
            # The members chosen so far are out of the heaps, so they cannot be chosen twice.
            every_department = [self._heaps[department] for department, _ in self._departments]
            for entry in self._take(every_department, self._missing, recused, seen):
                team[self._department_of[entry[2]]].append(entry)
        return [entry for department, _ in self._departments for entry in team[department]]

    def _take(
        self, heaps: Sequence[list[_Entry]], count: int, recused: AbstractSet[str], seen: AbstractSet[str]
    ) -> list[_Entry]:
        """Remove and return the ``count`` best-ranked non-recused entries of ``heaps``, best first."""
        if count <= 0:
            return []
        popped = _pop_enough(heaps, count, recused, seen)
        free = sorted(
            (e for e in popped if e[2] not in recused), key=lambda e: (e[0], e[2] in seen, e[1], e[2])
        )
        for entry in [e for e in popped if e[2] in recused] + free[count:]:
            heapq.heappush(self._heap_of[entry[2]], entry)
        return free[:count]


def _pop_enough(
    heaps: Sequence[list[_Entry]], count: int, recused: AbstractSet[str], seen: AbstractSet[str]
) -> list[_Entry]:
    """Pop entries in (load, ticket, badge) order until the ``count`` best-ranked non-recused
    entries of all ``heaps`` are certainly among them.

    Rank differs from heap order only by history, which ranks right after load. Once ``count``
    non-recused entries are out, let L be the load of the last of them: everything still in the
    heaps has load L or more, so only entries of load L can still matter, and only while the
    not-seen ones of load L popped so far are too few to fill the places left after lower loads.
    """
    popped: list[_Entry] = []
    free: list[_Entry] = []  # the non-recused among ``popped``
    while True:
        nonempty = [heap for heap in heaps if heap]
        if not nonempty:
            return popped
        top = min(nonempty, key=lambda heap: heap[0])
        if len(free) >= count:
            level = free[count - 1][0]
            if top[0][0] > level:
                return popped
            places = count - sum(1 for load, _, _ in free if load < level)
            fresh = sum(1 for load, _, badge in free if load == level and badge not in seen)
            if fresh >= places:
                return popped
        entry = heapq.heappop(top)
        popped.append(entry)
        if entry[2] not in recused:
            free.append(entry)
