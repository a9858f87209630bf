"""Steps 2 and 3 of the draw: how many entities each stratum draws in one round, under a credit rule.

The specification, with worked examples, is in ``jcdraw.draw.algorithm``; the rules are plan data
(``jcdraw.plans.credit``). Everything here is exact: counts are ``int``; ratios, weights and quotas
are ``Fraction``. The module is pure: no I/O, no randomness, no pandas. Which entities fill a
stratum (the smallest tickets) is Step 4, in the algorithm module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from jcdraw.plans.credit import ALL_CLASSES, CreditRule, FlatRule, RatiosRule, WeightedRule

# --- weighted allocation (Steps 3a to 3c) ------------------------------------------------------------


@dataclass(frozen=True)
class CapPass:
    """One pass of Step 3b: ``remaining`` seats shared by the classes not yet capped.

    ``denominator`` is Σ w_j × N_j over those classes, ``quotas`` their quotas in this pass, and
    ``capped`` the classes whose quota exceeded their size (they take their size and leave).
    """

    remaining: int
    denominator: Fraction
    quotas: dict[str, Fraction]
    capped: tuple[str, ...]


def cap_passes(n: int, sizes: Mapping[str, int], weights: Mapping[str, Fraction]) -> list[CapPass]:
    """Return the passes of Steps 3a and 3b: quotas by weight × size, capped and shared again.

    Args:
        n: Seats to share, 0 ≤ n ≤ Σ sizes.
        sizes: Eligible entities per class drawn in this round (0 allowed).
        weights: A positive weight for every class in ``sizes``.

    Returns:
        The passes in order; the last one caps nobody.

    Example:
        >>> w = {"A": 1, "B": 2, "C": 3, "D": 4}
        >>> for p in cap_passes(30, {"A": 24, "B": 24, "C": 8, "D": 4}, w):
        ...     print(p.remaining, p.denominator, {c: str(q) for c, q in p.quotas.items()}, p.capped)
        30 112 {'A': '45/7', 'B': '90/7', 'C': '45/7', 'D': '30/7'} ('D',)
        26 96 {'A': '13/2', 'B': '13', 'C': '13/2'} ()

        D's quota 30/7 exceeds its 4 entities: D takes 4, and the 26 seats left are shared again.
    """
    if not 0 <= n <= sum(sizes.values()) or any(s < 0 for s in sizes.values()):
        raise ValueError(f"cannot draw {n} of {dict(sizes)}")
    if any(c not in weights or weights[c] <= 0 for c in sizes):
        raise ValueError(f"every class needs a positive weight: {dict(weights)} for {list(sizes)}")
    sharing = list(sizes)
    remaining = n
    passes: list[CapPass] = []
    while True:
        denominator = sum((Fraction(weights[c]) * sizes[c] for c in sharing), Fraction(0))
        if denominator == 0:  # every class still sharing is empty, so nothing is left to share
            quotas = {c: Fraction(0) for c in sharing}
        else:
            quotas = {c: remaining * Fraction(weights[c]) * sizes[c] / denominator for c in sharing}
        capped = tuple(c for c in sharing if quotas[c] > sizes[c])
        passes.append(CapPass(remaining, denominator, quotas, capped))
        if not capped:
            return passes
        remaining -= sum(sizes[c] for c in capped)
        sharing = [c for c in sharing if c not in capped]


def weighted_quotas(n: int, sizes: Mapping[str, int], weights: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """Return each class's exact quota q_k after Steps 3a and 3b (they add up to exactly n).

    Example:
        >>> q = weighted_quotas(18, {"A": 20, "B": 25, "C": 10, "D": 5}, {"A": 1, "B": 2, "C": 3, "D": 4})
        >>> {c: str(v) for c, v in q.items()}
        {'A': '3', 'B': '15/2', 'C': '9/2', 'D': '3'}
    """
    final = cap_passes(n, sizes, weights)[-1].quotas
    return {c: final[c] if c in final else Fraction(sizes[c]) for c in sizes}


def apportion(quotas: Mapping[str, Fraction], order: Sequence[str]) -> dict[str, int]:
    """Round exact quotas to whole entities (Step 3c): largest remainder, ties to the higher risk.

    Args:
        quotas: Exact quotas adding up to a whole number n.
        order: The plan's class order, lowest risk first; a later class wins a tie.

    Returns:
        Each class's ⌊q_k⌋, plus one for each of the n − Σ⌊q_k⌋ classes with the largest
        fractional part, in ``order``.

    Example:
        >>> apportion({"A": Fraction(3), "B": Fraction(15, 2), "C": Fraction(9, 2), "D": Fraction(3)}, "ABCD")
        {'A': 3, 'B': 7, 'C': 5, 'D': 3}

        B and C both have 1/2 left over and there is one seat: it goes to C, the higher risk.
    """
    total = sum(quotas.values(), Fraction(0))
    if total.denominator != 1 or any(q < 0 for q in quotas.values()):
        raise ValueError(f"quotas must be non-negative and add up to a whole number: {dict(quotas)}")
    rank = {c: i for i, c in enumerate(order)}
    if any(c not in rank for c in quotas):
        raise ValueError(f"classes {list(quotas)} are not all in the class order {list(order)}")
    counts = {c: math.floor(q) for c, q in quotas.items()}
    free = int(total) - sum(counts.values())
    by_remainder = sorted(quotas, key=lambda c: (quotas[c] - counts[c], rank[c]), reverse=True)
    for c in by_remainder[:free]:
        counts[c] += 1
    return {c: counts[c] for c in order if c in counts}


def allocate_weighted(
    n: int, sizes: Mapping[str, int], weights: Mapping[str, Fraction], *, order: Sequence[str]
) -> dict[str, int]:
    """Share n entities among classes by weight × size, exactly (Steps 3a to 3c of ``weighted``).

    Example:
        >>> allocate_weighted(18, {"A": 20, "B": 25, "C": 10, "D": 5}, {"A": 1, "B": 2, "C": 3, "D": 4},
        ...                   order="ABCD")
        {'A': 3, 'B': 7, 'C': 5, 'D': 3}
    """
    return apportion(weighted_quotas(n, sizes, weights), order)


# --- one round of a rule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stratum:
    """One stratum of one round: the classes it covers and how many entities it draws (``size``).

    ``name`` is the class code, or ``"*"`` for the single stratum of a flat rule. ``quota`` is the
    exact share before rounding (weighted: q_k; ratios: r_k × N_k; flat: r × N), ``None`` when the
    stratum is not drawn in this round (its ``size`` is then 0).
    """

    name: str
    classes: tuple[str, ...]
    eligible: int
    size: int
    frequency: int
    in_round: bool
    quota: Fraction | None


def round_quotas(
    rule: CreditRule, class_counts: Mapping[str, int], ratio: Fraction, round_no: int
) -> list[Stratum]:
    """Return the strata of one round of one task under its credit rule (Steps 2 and 3).

    Args:
        rule: The task's credit rule.
        class_counts: Eligible entities per class; a class of the rule that is absent counts 0.
        ratio: The task's ratio r, 0 < r ≤ 1 (used by weighted and flat rules, recorded by all).
        round_no: The round within the year, from 1.

    Returns:
        Weighted and ratios rules: one stratum per class, in the rule's class order. A flat rule:
        one stratum ``"*"`` covering every class.

    Example:
        >>> counts = {"D": 5, "C": 10, "B": 25, "A": 20}
        >>> for s in round_quotas(WeightedRule(), counts, Fraction(3, 10), 1):
        ...     print(s.name, s.eligible, s.size, s.quota, s.in_round)
        A 20 3 3 True
        B 25 7 15/2 True
        C 10 5 9/2 True
        D 5 3 3 True
        >>> [(s.name, s.size) for s in round_quotas(WeightedRule(), counts, Fraction(3, 10), 2)]
        [('A', 0), ('B', 0), ('C', 3), ('D', 2)]
        >>> [(s.name, s.eligible, s.size) for s in round_quotas(FlatRule(), counts, Fraction(2, 5), 1)]
        [('*', 60, 24)]
        >>> rule = RatiosRule(ratios={"A": Fraction(1, 20), "B": Fraction(1, 5), "C": Fraction(2, 5), "D": 1})
        >>> [(s.name, s.size) for s in round_quotas(rule, counts, Fraction(3, 10), 1)]
        [('A', 1), ('B', 5), ('C', 4), ('D', 5)]

        Round 2 of the weighted rule draws only C and D: n = ⌈3/10 × 15⌉ = 5, shared 30 : 20.
    """
    if not isinstance(ratio, Fraction | int) or isinstance(ratio, bool):
        raise TypeError(f"the ratio must be exact (a Fraction), not {ratio!r}")
    if not 0 < ratio <= 1 or round_no < 1:
        raise ValueError(f"ratio must be in (0, 1] and round ≥ 1: {ratio}, {round_no}")
    sizes = _sizes(rule, class_counts)
    if isinstance(rule, FlatRule):
        total = sum(sizes.values())
        drawn = rule.frequency >= round_no
        quota = ratio * total if drawn else None
        size = math.ceil(quota) if quota is not None else 0
        return [Stratum(ALL_CLASSES, rule.classes, total, size, rule.frequency, drawn, quota)]
    in_round = [c for c in rule.classes if rule.frequencies[c] >= round_no]
    if isinstance(rule, RatiosRule):
        quotas = {c: min(Fraction(1), Fraction(rule.ratios[c])) * sizes[c] for c in in_round}
        counts = {c: math.ceil(q) for c, q in quotas.items()}
    else:
        round_sizes = {c: sizes[c] for c in in_round}
        n = math.ceil(ratio * sum(round_sizes.values()))
        quotas = weighted_quotas(n, round_sizes, rule.weights)
        counts = apportion(quotas, rule.classes)  # allocate_weighted, keeping the quotas for the record
    return [
        Stratum(c, (c,), sizes[c], counts.get(c, 0), rule.frequencies[c], c in quotas, quotas.get(c))
        for c in rule.classes
    ]


def _sizes(rule: CreditRule, class_counts: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(c for c in class_counts if c not in rule.classes)
    if unknown:  # the caller maps unclassified entities to the plan's default class first
        raise ValueError(f"class(es) {unknown} not in the rule's classes {list(rule.classes)}")
    return {c: int(class_counts.get(c, 0)) for c in rule.classes}


def stratum_of(rule: CreditRule) -> dict[str, str]:
    """Class code → the name of its stratum (itself, or ``"*"`` under a flat rule).

    Example:
        >>> stratum_of(FlatRule(classes=("A", "B")))
        {'A': '*', 'B': '*'}
    """
    return {c: ALL_CLASSES if isinstance(rule, FlatRule) else c for c in rule.classes}


# --- the outcome of a round --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassOutcome:
    """One class in one round, as the summary, the record and ``draw --json`` show it.

    ``weight`` is set under a weighted rule, ``ratio`` (the plan's ratio for the class) under a ratios
    rule, ``quota`` (the exact share before rounding) for both when the class is in the round.
    """

    risk_class: str
    eligible: int
    drawn: int
    frequency: int
    in_round: bool
    weight: Fraction | None = None
    ratio: Fraction | None = None
    quota: Fraction | None = None

    @property
    def effective_ratio(self) -> Fraction | None:
        """drawn ÷ eligible, exactly; ``None`` for a class with no eligible entity."""
        return Fraction(self.drawn, self.eligible) if self.eligible else None


@dataclass(frozen=True)
class RoundSummary:
    """A round's outcome: the rule, the task's ratio, each class and the total.

    ``eligible`` counts the entities of the classes drawn in this round (the N of the rule), ``pool``
    all eligible entities of the task.
    """

    rule: CreditRule
    plan_ratio: Fraction
    round_no: int
    classes: list[ClassOutcome]
    pool: int
    eligible: int
    drawn: int

    @property
    def effective_ratio(self) -> Fraction | None:
        """drawn ÷ eligible over the classes drawn in this round; ``None`` if there are none."""
        return Fraction(self.drawn, self.eligible) if self.eligible else None


def summarize(
    rule: CreditRule,
    class_counts: Mapping[str, int],
    ratio: Fraction,
    round_no: int,
    drawn_by_class: Mapping[str, int] | None = None,
) -> RoundSummary:
    """Return the outcome of one round, per class and in total.

    Args:
        rule, class_counts, ratio, round_no: As for ``round_quotas``.
        drawn_by_class: Entities drawn per class, counted in the selection. Needed for a flat rule
            (its one stratum's split among classes depends on the tickets); checked for the others.

    Example:
        >>> s = summarize(FlatRule(), {"A": 27, "B": 57, "C": 38, "D": 7}, Fraction(2, 5), 1,
        ...               drawn_by_class={"A": 12, "B": 23, "C": 14, "D": 3})
        >>> s.eligible, s.drawn, s.effective_ratio
        (129, 52, Fraction(52, 129))
    """
    strata = round_quotas(rule, class_counts, ratio, round_no)
    sizes = _sizes(rule, class_counts)
    if isinstance(rule, FlatRule):
        if drawn_by_class is None:
            raise ValueError("a flat rule's outcome needs the drawn entities per class (drawn_by_class)")
        drawn = {c: int(drawn_by_class.get(c, 0)) for c in rule.classes}
        if sum(drawn.values()) != strata[0].size:
            raise ValueError(f"drawn per class {drawn} does not fit the stratum {strata[0]}")
        in_round = strata[0].in_round
        outcomes = [ClassOutcome(c, sizes[c], drawn[c], rule.frequency, in_round) for c in rule.classes]
    else:
        by_name = {s.name: s for s in strata}
        if drawn_by_class is not None and any(
            int(drawn_by_class.get(c, 0)) != by_name[c].size for c in rule.classes
        ):
            raise ValueError(f"drawn per class {dict(drawn_by_class)} differs from the strata")
        outcomes = [
            ClassOutcome(
                c, sizes[c], by_name[c].size, by_name[c].frequency, by_name[c].in_round,
                weight=Fraction(rule.weights[c]) if isinstance(rule, WeightedRule) else None,
                ratio=Fraction(rule.ratios[c]) if isinstance(rule, RatiosRule) else None,
                quota=by_name[c].quota,
            )
            for c in rule.classes
        ]  # fmt: skip
    return RoundSummary(
        rule=rule,
        plan_ratio=Fraction(ratio),
        round_no=round_no,
        classes=outcomes,
        pool=sum(sizes.values()),
        eligible=sum(s.eligible for s in strata if s.in_round),
        drawn=sum(o.drawn for o in outcomes),
    )
