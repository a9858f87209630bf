"""Tests for allocation.py: an independent reference, invariants, the issue's done-when cases, vectors.

Run from this folder: /work/main/.venv/bin/python -m pytest

The reference (``reference_weighted``) is written differently from allocation.py on purpose:

- Steps 3a-3b (the issue's steps 1-2) in closed form instead of passes. After capping, every class has quota
  q_k = N_k × min(1, λ w_k) for one λ > 0 with Σ q_k = n (a capped class was capped because
  λ_t w_k > 1 at some pass t, and λ only grows from pass to pass; see SPEC.md, Notes). So the capped
  classes are those of the largest weights: the reference tries "capped = every class with weight
  ≥ t" for each weight t, largest first, and keeps the first candidate where every uncapped class has
  λ w_k ≤ 1 and every capped one λ w_k ≥ 1. Any candidate passing both tests gives the same quotas
  (Σ N_k min(1, λ w_k) is non-decreasing in λ and constant only where every class is capped).
- Everything in integers: weights are scaled to integers by the l.c.m. of their denominators (which
  changes no quota), λ = left / S with S = Σ W_j N_j over the uncapped classes, and an uncapped
  class's quota is left × W_k × N_k / S. All uncapped quotas share the denominator S, so
  ``divmod(left × W_k × N_k, S)`` gives the floor and the fractional part as an integer remainder;
  comparing remainders compares fractional parts. A capped class has remainder 0.
"""

from __future__ import annotations

import ast
import doctest
import hashlib
import itertools
import json
import math
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jcdraw.draw import allocation as A
from jcdraw.draw.allocation import allocate_weighted
from jcdraw.plans import credit as C

HERE = Path(__file__).parent
CASES: list[dict[str, Any]] = json.loads((HERE / "vectors.json").read_text("utf-8"))["allocation"]["cases"]
MODULE = Path(A.__file__)
CODES = "ABCDEF"
R = Fraction

# Eligible entities per class in examples/registry.xlsx as of 2024-04-01 (unclassified counted as the
# plan's default class B), read with the committed jcdraw (load_pool) at b56ec51.
JOINT_2 = {"A": 21, "B": 25, "C": 12, "D": 2}  # 汽车销售, 阳城县, 30%; 6 of B unclassified
INTERNAL_2 = {"A": 27, "B": 57, "C": 38, "D": 7}  # 商业特许经营, 全市, 40%


# --- the independent reference -------------------------------------------------------------------


def reference_weighted(
    n: int, sizes: Mapping[str, int], weights: Mapping[str, Fraction | int], order: Sequence[str]
) -> tuple[dict[str, int], dict[str, Fraction]]:
    """Steps 3a-3c by closed-form water filling in integer arithmetic (see the module docstring)."""
    classes = list(sizes)
    scale = math.lcm(*(Fraction(weights[c]).denominator for c in classes)) if classes else 1
    W = {c: Fraction(weights[c]).numerator * (scale // Fraction(weights[c]).denominator) for c in classes}
    cuts: list[int | None] = [None, *sorted({W[c] for c in classes}, reverse=True)]
    for cut in cuts:
        capped = [c for c in classes if cut is not None and W[c] >= cut]
        rest = [c for c in classes if c not in capped]
        left = n - sum(sizes[c] for c in capped)
        S = sum(W[c] * sizes[c] for c in rest)
        if left < 0:
            continue
        if S == 0:
            if left == 0:
                break
            continue
        if all(left * W[c] <= S for c in rest if sizes[c]) and all(
            left * W[c] >= S for c in capped if sizes[c]
        ):
            break
    else:
        raise AssertionError("no water level fits")
    floors: dict[str, int] = {}
    remainders: dict[str, int] = {}
    quotas: dict[str, Fraction] = {}
    for c in capped:
        floors[c], remainders[c], quotas[c] = sizes[c], 0, Fraction(sizes[c])
    for c in rest:
        floors[c], remainders[c] = divmod(left * W[c] * sizes[c], S) if S else (0, 0)
        quotas[c] = Fraction(left * W[c] * sizes[c], S) if S else Fraction(0)
    seats = n - sum(floors.values())
    risk = {c: i for i, c in enumerate(order)}
    winners = set(sorted(classes, key=lambda c: (-remainders[c], -risk[c]))[:seats])
    return {c: floors[c] + (c in winners) for c in classes}, quotas


def one_at_a_time_quotas(
    n: int, sizes: Mapping[str, int], weights: Mapping[str, Fraction | int]
) -> dict[str, Fraction]:
    """Step 3b capping a single class per pass (the one most over its size), to show order is moot."""
    sharing, left = list(sizes), n
    fixed: dict[str, Fraction] = {}
    while True:
        S = sum(Fraction(weights[c]) * sizes[c] for c in sharing)
        q = {c: left * Fraction(weights[c]) * sizes[c] / S if S else Fraction(0) for c in sharing}
        over = [c for c in sharing if q[c] > sizes[c]]
        if not over:
            return {**q, **fixed}
        worst = max(over, key=lambda c: q[c] / sizes[c])
        fixed[worst] = Fraction(sizes[worst])
        left -= sizes[worst]
        sharing.remove(worst)


def reference_step4(
    seed: str, plan: str, task: int, round_no: int, pool: Mapping[str, str], strata: Sequence[A.Stratum]
) -> list[str]:
    """Step 4 as the draw specifies it: per stratum, the entities with the smallest tickets."""
    tickets = {
        code: hashlib.sha256(f"{seed}|{plan}|{task}|{round_no}|{code}".encode()).hexdigest() for code in pool
    }
    chosen: list[str] = []
    for s in strata:
        members = sorted((tickets[c], c) for c, k in pool.items() if k in s.classes)
        chosen += [c for _, c in members[: s.size]]
    return sorted(chosen, key=lambda c: (tickets[c], c))


# --- strategies ------------------------------------------------------------------------------------

fractions = st.builds(Fraction, st.integers(1, 12), st.integers(1, 4))
ratios = st.integers(1, 100).flatmap(lambda q: st.builds(Fraction, st.integers(1, q), st.just(q)))
small_or_large = st.one_of(st.integers(0, 40), st.integers(0, 3000), st.integers(0, 10**7))


@st.composite
def weighted_inputs(draw: st.DrawFn, sizes_strategy: st.SearchStrategy[int] = small_or_large) -> Any:
    k = draw(st.integers(1, len(CODES)))
    order = list(CODES[:k])
    sizes = {c: draw(sizes_strategy) for c in order}
    weights = dict(zip(order, sorted(draw(st.lists(fractions, min_size=k, max_size=k))), strict=True))
    return order, sizes, weights


@st.composite
def rule_inputs(draw: st.DrawFn) -> Any:
    order, sizes, weights = draw(weighted_inputs(st.integers(0, 500)))
    frequencies = {c: draw(st.integers(1, 3)) for c in order}
    return C.WeightedRule(classes=tuple(order), weights=weights, frequencies=frequencies), sizes


def shuffled(mapping: Mapping[str, int], seed: int) -> dict[str, int]:
    keys = list(mapping)
    random.Random(seed).shuffle(keys)
    return {k: mapping[k] for k in keys}


# --- the module's own examples -------------------------------------------------------------------


def test_every_docstring_example_runs() -> None:
    results = [doctest.testmod(module, raise_on_error=False) for module in (A, C)]
    assert sum(r.failed for r in results) == 0
    assert sum(r.attempted for r in results) >= 30


def test_no_float_in_the_arithmetic() -> None:
    tree = ast.parse(MODULE.read_text("utf-8"))
    floats = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
    calls = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in {"float", "round"}
    ]
    assert floats == [] and calls == []


# --- vectors --------------------------------------------------------------------------------------


def _text(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def rule_from(data: Mapping[str, Any]) -> C.CreditRule:
    classes = tuple(data["classes"])
    if data["kind"] == "flat":
        return C.FlatRule(classes=classes, frequency=data["frequency"])
    if data["kind"] == "weighted":
        weights = {c: Fraction(v) for c, v in data["weights"].items()}
        return C.WeightedRule(classes=classes, weights=weights, frequencies=data["frequencies"])
    ratios_ = {c: Fraction(v) for c, v in data["ratios"].items()}
    return C.RatiosRule(classes=classes, ratios=ratios_, frequencies=data["frequencies"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case: dict[str, Any]) -> None:
    rule = rule_from(case["rule"])
    ratio, round_no, eligible = Fraction(case["ratio"]), case["round"], case["eligible"]
    strata = A.round_quotas(rule, eligible, ratio, round_no)
    got = [
        {
            "stratum": s.name,
            "classes": list(s.classes),
            "eligible": s.eligible,
            "frequency": s.frequency,
            "in_round": s.in_round,
            "quota": None if s.quota is None else str(s.quota),
            "drawn": s.size,
        }
        for s in strata
    ]
    assert got == case["strata"]
    assert sum(s.size for s in strata) == case["n"]
    if isinstance(rule, C.WeightedRule):
        in_round = {c: eligible[c] for c in rule.classes if rule.frequencies[c] >= round_no}
        n = math.ceil(ratio * sum(in_round.values()))
        assert n == case["n"]
        passes = A.cap_passes(n, in_round, rule.weights)
        assert [(p.remaining, str(p.denominator), list(p.capped)) for p in passes] == [
            (p["remaining"], p["denominator"], p["capped"]) for p in case["passes"]
        ]
        assert [{c: str(q) for c, q in p.quotas.items()} for p in passes] == [
            p["quotas"] for p in case["passes"]
        ]
        counts, quotas = reference_weighted(n, in_round, rule.weights, rule.classes)
        assert {s.name: s.size for s in strata if s.in_round} == counts
        assert {s.name: s.quota for s in strata if s.in_round} == quotas
    if "effective_ratio" in case:
        summary = A.summarize(rule, eligible, ratio, round_no)
        got_ratios = {o.risk_class: _text(o.effective_ratio) for o in summary.classes}
        assert {**got_ratios, "total": _text(summary.effective_ratio)} == case["effective_ratio"]


def test_vectors_hold_the_spec_examples() -> None:
    by_name = {c["name"]: c for c in CASES}
    one = by_name["spec-example-1"]
    assert [s["drawn"] for s in one["strata"]] == [3, 7, 5, 3]
    two = by_name["spec-example-2"]
    assert [p["capped"] for p in two["passes"]] == [["D"], []]
    assert [s["drawn"] for s in two["strata"]] == [6, 13, 7, 4]


# --- the done-when tests -----------------------------------------------------------------


def test_joint_task_2_draws_ceil_03_N_with_the_reference_counts_rising_from_A_to_D() -> None:
    N = sum(JOINT_2.values())
    strata = A.round_quotas(C.WeightedRule(), JOINT_2, R(3, 10), 1)
    drawn = {s.name: s.size for s in strata}
    assert sum(drawn.values()) == math.ceil(R(3, 10) * N) == 18
    counts, _ = reference_weighted(18, JOINT_2, C.DEFAULT_WEIGHTS, "ABCD")
    assert drawn == counts == {"A": 3, "B": 8, "C": 6, "D": 1}
    effective = [Fraction(drawn[c], JOINT_2[c]) for c in "ABCD"]
    assert effective == sorted(effective)  # 1/7, 8/25, 1/2, 1/2

    # Step 4 on a pool of that shape: each class's smallest tickets, the counts unchanged.
    pool = {f"91140522{c}{i:09d}": c for c in "ABCD" for i in range(JOINT_2[c])}
    chosen = reference_step4("12345678901234567890", "2024-joint", 2, 1, pool, strata)
    assert {c: sum(pool[u] == c for u in chosen) for c in "ABCD"} == counts
    # Today's rule (nominal × multiplier: A 30%, B 45%, C 60%, D 100%) draws 29 of these 60.
    today = {"A": R(3, 10), "B": R(9, 20), "C": R(3, 5), "D": R(1)}
    assert sum(math.ceil(today[c] * JOINT_2[c]) for c in "ABCD") == 29


def test_internal_task_2_draws_ceil_04_N() -> None:
    strata = A.round_quotas(C.FlatRule(), INTERNAL_2, R(2, 5), 1)
    assert [(s.name, s.size) for s in strata] == [("*", math.ceil(R(2, 5) * 129))] == [("*", 52)]


@given(rule_inputs(), ratios)
def test_round_2_of_a_weighted_task_draws_only_classes_of_frequency_2_or_more(
    rule_sizes: Any, r: Fraction
) -> None:
    rule, sizes = rule_sizes
    for round_no in (1, 2, 3):
        strata = A.round_quotas(rule, sizes, r, round_no)
        in_round = [c for c in rule.classes if rule.frequencies[c] >= round_no]
        assert [s.name for s in strata if s.in_round] == in_round
        assert all(s.size == 0 and s.quota is None for s in strata if not s.in_round)
        n = math.ceil(r * sum(sizes[c] for c in in_round))
        assert sum(s.size for s in strata) == n
        counts, _ = reference_weighted(n, {c: sizes[c] for c in in_round}, rule.weights, rule.classes)
        assert {s.name: s.size for s in strata if s.in_round} == counts


def test_round_2_with_the_default_frequencies_is_C_and_D() -> None:
    strata = A.round_quotas(C.WeightedRule(), JOINT_2, R(3, 10), 2)
    assert [(s.name, s.in_round, s.size) for s in strata] == [
        ("A", False, 0),
        ("B", False, 0),
        ("C", True, 4),
        ("D", True, 1),
    ]
    assert sum(s.size for s in strata) == math.ceil(R(3, 10) * (12 + 2)) == 5


@given(st.integers(0, 10**6), ratios, st.sampled_from("ABCD"))
def test_a_registry_with_no_classes_draws_ceil_rN(N: int, r: Fraction, default: str) -> None:
    # Every entity carries the plan's default class; the other classes are empty.
    for rule in (C.WeightedRule(), C.FlatRule()):
        strata = A.round_quotas(rule, {default: N}, r, 1)
        expected = math.ceil(r * N) if C.DEFAULT_FREQUENCIES[default] >= 1 else 0
        assert sum(s.size for s in strata) == expected


# --- weighted: reference and invariants ----------------------------------------------------------


@settings(max_examples=400)
@given(weighted_inputs(), st.data())
@example((list("ABCD"), {"A": 20, "B": 25, "C": 10, "D": 5}, dict(C.DEFAULT_WEIGHTS)), None)
@example((list("ABCD"), {"A": 24, "B": 24, "C": 8, "D": 4}, dict(C.DEFAULT_WEIGHTS)), None)
def test_weighted_equals_the_reference(inputs: Any, data: Any) -> None:
    order, sizes, weights = inputs
    N = sum(sizes.values())
    n = data.draw(st.integers(0, N)) if data is not None else math.ceil(R(3, 10) * N)
    counts = allocate_weighted(n, sizes, weights, order=order)
    quotas = A.weighted_quotas(n, sizes, weights)
    ref_counts, ref_quotas = reference_weighted(n, sizes, weights, order)
    assert counts == ref_counts
    assert quotas == ref_quotas
    assert quotas == one_at_a_time_quotas(n, sizes, weights)


@settings(max_examples=300)
@given(weighted_inputs(), ratios)
def test_weighted_invariants(inputs: Any, r: Fraction) -> None:
    order, sizes, weights = inputs
    n = math.ceil(r * sum(sizes.values()))
    quotas = A.weighted_quotas(n, sizes, weights)
    counts = allocate_weighted(n, sizes, weights, order=order)
    assert sum(quotas.values()) == n
    assert sum(counts.values()) == n
    for c in order:
        assert 0 <= quotas[c] <= sizes[c]
        assert 0 <= counts[c] <= sizes[c]
        assert counts[c] in {math.floor(quotas[c]), math.ceil(quotas[c])}  # never off by 1 or more
        assert abs(counts[c] - quotas[c]) < 1
    passes = A.cap_passes(n, sizes, weights)
    assert passes[-1].capped == ()
    capped = [c for p in passes for c in p.capped]
    assert all(quotas[c] == sizes[c] for c in capped)
    assert len(passes) <= len(order) + 1


@given(weighted_inputs(st.integers(0, 300)), ratios, st.integers(0, 10**6))
def test_order_of_keys_does_not_matter(inputs: Any, r: Fraction, seed: int) -> None:
    order, sizes, weights = inputs
    n = math.ceil(r * sum(sizes.values()))
    once = allocate_weighted(n, sizes, weights, order=order)
    again = allocate_weighted(n, shuffled(sizes, seed), shuffled(weights, seed + 1), order=order)
    assert once == again and list(once) == list(again) == order
    rule = C.WeightedRule(classes=tuple(order), weights=weights, frequencies={c: 1 for c in order})
    assert A.round_quotas(rule, sizes, r, 1) == A.round_quotas(rule, shuffled(sizes, seed), r, 1)


@given(weighted_inputs())
def test_ratio_1_draws_everybody(inputs: Any) -> None:
    order, sizes, weights = inputs
    rule = C.WeightedRule(classes=tuple(order), weights=weights, frequencies={c: 1 for c in order})
    assert {s.name: s.size for s in A.round_quotas(rule, sizes, 1, 1)} == sizes


def test_weighted_edge_cases() -> None:
    w = C.DEFAULT_WEIGHTS
    assert allocate_weighted(0, {}, w, order="ABCD") == {}
    assert allocate_weighted(0, {"A": 0, "D": 0}, w, order="ABCD") == {"A": 0, "D": 0}
    assert allocate_weighted(3, {"A": 0, "B": 5, "D": 0}, w, order="ABCD") == {"A": 0, "B": 3, "D": 0}
    # All of a small class's quota beyond its size is shared again, possibly over several passes.
    assert allocate_weighted(7, {"A": 10, "D": 1}, w, order="ABCD") == {"A": 6, "D": 1}
    # Equal weights: proportional allocation; equal remainders go to the higher risk.
    assert allocate_weighted(1, {"A": 1, "B": 1}, {"A": 1, "B": 1}, order="AB") == {"A": 0, "B": 1}
    # n = N at every size: each class is drawn in full.
    assert allocate_weighted(6, {"A": 1, "B": 2, "C": 3}, w, order="ABCD") == {"A": 1, "B": 2, "C": 3}


# --- monotonicity --------------------------------------------------------------------------------


@settings(max_examples=400)
@given(weighted_inputs(st.integers(1, 400)), ratios)
def test_effective_ratios_rise_with_risk_up_to_rounding(inputs: Any, r: Fraction) -> None:
    """The guarantees stated in SPEC.md, Properties (weights non-decreasing with risk):

    (a) exact rates q_k / N_k never decrease with risk;
    (b) effective ratios can fall by less than 1/N_j + 1/N_k from class j to a higher-risk class k;
    (c) two classes of equal size: the higher-risk one's effective ratio is at least as high;
    (d) a class drawn in full has the highest effective ratio, 1;
    (e) if λ (w_k - w_j) ≥ 1/N_j + 1/N_k, with λ = q / (w N) of any class not drawn in full, then
        e_j < e_k strictly; with weights differing by at least 1 (A 1, B 2, C 3, D 4) this holds as
        soon as both classes have q ≥ 2 w (A ≥ 2, B ≥ 4, C ≥ 6, D ≥ 8 entities of quota).
    """
    order, sizes, weights = inputs
    n = math.ceil(r * sum(sizes.values()))
    quotas = A.weighted_quotas(n, sizes, weights)
    d = allocate_weighted(n, sizes, weights, order=order)
    rate = {c: quotas[c] / sizes[c] for c in order}
    e = {c: Fraction(d[c], sizes[c]) for c in order}
    uncapped = [c for c in order if quotas[c] < sizes[c]]
    lam = quotas[uncapped[0]] / (Fraction(weights[uncapped[0]]) * sizes[uncapped[0]]) if uncapped else None
    for j, k in itertools.combinations(order, 2):  # j lower risk than k
        assert rate[j] <= rate[k]  # (a)
        assert e[j] - e[k] < Fraction(1, sizes[j]) + Fraction(1, sizes[k])  # (b)
        if sizes[j] == sizes[k]:
            assert e[j] <= e[k]  # (c)
        if quotas[k] == sizes[k]:
            assert e[k] == 1 >= e[j]  # (d)
        gap = Fraction(weights[k]) - Fraction(weights[j])
        if (
            lam is not None
            and quotas[k] < sizes[k]
            and lam * gap >= Fraction(1, sizes[j]) + Fraction(1, sizes[k])
        ):
            assert e[j] < e[k]  # (e)


def test_large_classes_can_still_swap_when_their_quotas_are_small() -> None:
    # Round 2 of a 1% task: C 150, D 100. n = ⌈2.5⌉ = 3, quotas 27/17 and 24/17; C's remainder wins.
    strata = A.round_quotas(C.WeightedRule(), {"A": 0, "B": 0, "C": 150, "D": 100}, R(1, 100), 2)
    d = {s.name: s.size for s in strata}
    assert (d["C"], d["D"]) == (2, 1)
    assert Fraction(2, 150) > Fraction(1, 100)  # C 1.33% > D 1%: rising holds only up to rounding
    assert [str(s.quota) for s in strata[2:]] == ["27/17", "24/17"]


def test_a_lone_D_entity_can_miss_round_2() -> None:
    strata = A.round_quotas(C.WeightedRule(), {"A": 13, "B": 26, "C": 8, "D": 1}, R(3, 10), 2)
    assert [(s.name, str(s.quota), s.size) for s in strata[2:]] == [("C", "18/7", 3), ("D", "3/7", 0)]


def test_alabama_paradox_raising_the_ratio_can_cost_a_class_a_seat() -> None:
    sizes = {"A": 1, "B": 1, "C": 4, "D": 3}
    at_50 = A.round_quotas(C.WeightedRule(), sizes, R(1, 2), 1)  # n = ⌈4.5⌉ = 5
    at_60 = A.round_quotas(C.WeightedRule(), sizes, R(3, 5), 1)  # n = ⌈5.4⌉ = 6
    assert [s.size for s in at_50] == [0, 1, 2, 2]
    assert [s.size for s in at_60] == [0, 0, 3, 3]


# --- flat and ratios -----------------------------------------------------------------------------


@given(
    st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 10**6)),
    ratios,
    st.integers(1, 3),
    st.integers(1, 4),
)
def test_flat(counts: dict[str, int], r: Fraction, frequency: int, round_no: int) -> None:
    [stratum] = A.round_quotas(C.FlatRule(frequency=frequency), counts, r, round_no)
    N = sum(counts.values())
    assert (stratum.name, stratum.classes, stratum.eligible) == ("*", ("A", "B", "C", "D"), N)
    assert stratum.size == (math.ceil(r * N) if round_no <= frequency else 0)


@given(
    st.fixed_dictionaries({c: st.integers(0, 10**5) for c in "ABCD"}),
    st.fixed_dictionaries({c: ratios for c in "ABCD"}),
    st.fixed_dictionaries({c: st.integers(1, 3) for c in "ABCD"}),
    st.integers(1, 4),
)
def test_ratios(counts: dict[str, int], rs: dict[str, Fraction], freq: dict[str, int], round_no: int) -> None:
    strata = A.round_quotas(C.RatiosRule(ratios=rs, frequencies=freq), counts, R(3, 10), round_no)
    for s in strata:
        c = s.name
        assert s.in_round == (freq[c] >= round_no)
        assert s.size == (math.ceil(rs[c] * counts[c]) if s.in_round else 0)
        assert 0 <= s.size <= counts[c]


def test_flat_summary_counts_per_class_from_the_selection() -> None:
    pool = {f"X{i:04d}": "ABCD"[i % 4] for i in range(129)}
    counts = {c: sum(v == c for v in pool.values()) for c in "ABCD"}
    strata = A.round_quotas(C.FlatRule(), counts, R(2, 5), 1)
    chosen = reference_step4("12345678901234567890", "2024-internal", 2, 1, pool, strata)
    by_class = {c: sum(pool[u] == c for u in chosen) for c in "ABCD"}
    summary = A.summarize(C.FlatRule(), counts, R(2, 5), 1, drawn_by_class=by_class)
    assert summary.drawn == len(chosen) == 52
    assert summary.effective_ratio == Fraction(52, 129)
    with pytest.raises(ValueError, match="drawn_by_class"):
        A.summarize(C.FlatRule(), counts, R(2, 5), 1)
    with pytest.raises(ValueError, match="does not fit"):
        A.summarize(C.FlatRule(), counts, R(2, 5), 1, drawn_by_class={**by_class, "A": by_class["A"] + 1})


# --- records -------------------------------------------------------------------------------------


def test_summary_of_joint_task_2_in_exact_fractions() -> None:
    summary = A.summarize(C.WeightedRule(), JOINT_2, R(3, 10), 1)
    first = summary.classes[0]
    assert (first.risk_class, first.eligible, first.drawn) == ("A", 21, 3)
    assert (first.weight, first.quota) == (1, R(378, 115))
    assert first.effective_ratio == R(1, 7)
    assert (summary.plan_ratio, summary.eligible, summary.drawn) == (R(3, 10), 60, 18)
    assert summary.effective_ratio == R(3, 10)
    round_2 = A.summarize(C.WeightedRule(), JOINT_2, R(3, 10), 2)
    assert (round_2.pool, round_2.eligible, round_2.drawn) == (60, 14, 5)


def test_percent_text_rounds_half_up() -> None:
    assert C.percent_text(Fraction(1, 8)) == "12.5%"
    assert C.percent_text(Fraction(1, 16)) == "6.3%"  # 6.25 → 6.3 (half up, not half even)
    assert C.percent_text(Fraction(5, 14)) == "35.7%"
    assert C.percent_text(Fraction(1)) == "100.0%"


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: C.WeightedRule(weights={"A": 0, "B": 2, "C": 3, "D": 4}), ValueError),
        (lambda: C.WeightedRule(weights={"A": -1, "B": 2, "C": 3, "D": 4}), ValueError),
        (lambda: C.WeightedRule(weights={"A": 1, "B": 3, "C": 2, "D": 4}), ValueError),
        (lambda: C.WeightedRule(weights={"A": 1, "B": 2, "C": 3}), ValueError),
        (lambda: C.WeightedRule(weights={"A": 1.0, "B": 2, "C": 3, "D": 4}), TypeError),  # type: ignore[dict-item]
        (lambda: C.WeightedRule(weights={"A": True, "B": 2, "C": 3, "D": 4}), TypeError),
        (lambda: C.WeightedRule(frequencies={"A": 0, "B": 1, "C": 2, "D": 2}), ValueError),
        (lambda: C.WeightedRule(classes=("A", "A")), ValueError),
        (lambda: C.RatiosRule(ratios={"A": -1, "B": 1, "C": 1, "D": 1}), ValueError),
        (lambda: C.RatiosRule(ratios={"A": 0.05, "B": 1, "C": 1, "D": 1}), TypeError),  # type: ignore[dict-item]
        (lambda: C.FlatRule(frequency=0), ValueError),
        (lambda: allocate_weighted(11, {"A": 10}, {"A": 1}, order="A"), ValueError),
        (lambda: allocate_weighted(1, {"A": 10}, {}, order="A"), ValueError),
        (lambda: allocate_weighted(1, {"A": 10}, {"A": 1}, order="B"), ValueError),
        (lambda: allocate_weighted(-1, {"A": 10}, {"A": 1}, order="A"), ValueError),
        (lambda: A.apportion({"A": R(1, 2)}, "A"), ValueError),
        (lambda: A.round_quotas(C.WeightedRule(), {"E": 3}, R(3, 10), 1), ValueError),
        (lambda: A.round_quotas(C.WeightedRule(), {"A": 3}, R(3, 10), 0), ValueError),
        (lambda: A.round_quotas(C.WeightedRule(), {"A": 3}, 0.3, 1), TypeError),  # type: ignore[arg-type]
        (lambda: A.round_quotas(C.WeightedRule(), {"A": 3}, R(0), 1), ValueError),
        (lambda: A.round_quotas(C.WeightedRule(), {"A": 3}, R(11, 10), 1), ValueError),
        (lambda: A.round_quotas(C.WeightedRule(), {"A": -3}, R(3, 10), 1), ValueError),
    ],
)
def test_refusals(make: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        make()


def test_a_round_beyond_every_frequency_draws_nobody() -> None:
    for rule in (C.WeightedRule(), C.FlatRule(), C.RatiosRule(ratios={c: R(1, 2) for c in "ABCD"})):
        last = C.rounds_per_year(rule)
        assert sum(s.size for s in A.round_quotas(rule, JOINT_2, R(3, 10), last)) > 0
        strata = A.round_quotas(rule, JOINT_2, R(3, 10), last + 1)
        assert all(not s.in_round and s.size == 0 for s in strata)


# --- the proposed plan files (plans/*.yaml, version 2) -------------------------------------------


def parse_exact(value: object) -> Fraction:
    """As jcdraw.plans._exact: decimal text of the YAML value, "30%" meaning 3/10."""
    text = str(value).strip()
    return Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)


def resolve_rule(plan: Mapping[str, Any], task: Mapping[str, Any]) -> C.CreditRule:
    """YAML.md: the task's credit_rule, else the plan's, else flat; a rule's omitted fields take the
    kind's defaults (no merging of a task's rule with the plan's)."""
    classes = tuple(c["code"] for c in plan["risk_policy"]["classes"])
    data = task.get("credit_rule") or plan.get("credit_rule") or {"kind": "flat"}
    frequencies = data.get("frequencies", dict(C.DEFAULT_FREQUENCIES))
    if data["kind"] == "flat":
        return C.FlatRule(classes=classes, frequency=task.get("frequency", 1))
    if data["kind"] == "weighted":
        weights = {c: parse_exact(v) for c, v in data.get("weights", C.DEFAULT_WEIGHTS).items()}
        return C.WeightedRule(classes=classes, weights=weights, frequencies=frequencies)
    assert data["kind"] == "ratios", data
    ratios_ = {c: parse_exact(v) for c, v in data["ratios"].items()}
    return C.RatiosRule(classes=classes, ratios=ratios_, frequencies=frequencies)


# Eligible entities per task in examples/registry.xlsx (as JOINT_2 above).
REGISTRY_COUNTS = {
    ("2024-joint", 1): {"A": 9, "B": 12, "C": 2, "D": 1},
    ("2024-joint", 2): JOINT_2,
    ("2024-joint", 3): {"A": 20, "B": 26, "C": 4, "D": 3},
    ("2024-joint", 4): {"A": 18, "B": 44, "C": 20, "D": 4},
    ("2024-joint", 5): {"A": 13, "B": 26, "C": 8, "D": 1},
    ("2024-joint", 6): {"A": 6, "B": 34, "C": 6, "D": 1},
    ("2024-internal", 1): {"A": 18, "B": 17, "C": 8, "D": 1},
    ("2024-internal", 2): INTERNAL_2,
}
# (round 1, round 2) drawn per task under version 2: the table in YAML.md.
EXPECTED_V2 = {
    ("2024-joint", 1): (24, 3),
    ("2024-joint", 2): (18, 5),
    ("2024-joint", 3): (16, 3),
    ("2024-joint", 4): (86, 24),
    ("2024-joint", 5): (15, 3),
    ("2024-joint", 6): (24, 4),
    ("2024-internal", 1): (44, 9),
    ("2024-internal", 2): (52, 0),
}


def test_the_version_2_plans() -> None:
    yaml = pytest.importorskip("yaml")
    kinds = {}
    for name in ("2024_joint.yaml", "2024_internal.yaml"):
        plan = yaml.safe_load((HERE.parent / "plans" / name).read_text("utf-8"))
        assert plan["version"] == 2 and plan["changes"][-1]["version"] == 2
        for task in plan["tasks"]:
            key = (plan["id"], task["number"])
            rule = resolve_rule(plan, task)
            kinds[key] = rule.kind
            ratio = parse_exact(task["ratio"])
            drawn = tuple(
                sum(s.size for s in A.round_quotas(rule, REGISTRY_COUNTS[key], ratio, k)) for k in (1, 2)
            )
            assert drawn == EXPECTED_V2[key], key
    assert kinds == {
        **{("2024-joint", n): "weighted" for n in range(1, 7)},
        ("2024-internal", 1): "ratios",
        ("2024-internal", 2): "flat",
    }


def test_the_readme_quotes_the_worked_examples() -> None:
    """README's 例一/例二 tables show the drawn counts and effective ratios of the shared vectors."""
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    by_name = {c["name"]: c for c in CASES}
    rows = {
        "spec-example-1": "| **抽取** | **3** | **7** | **5** | **3** | **18** |",
        "spec-example-2": "| **抽取** | **6** | **13** | **7** | **4** | **30** |",
    }
    for name, row in rows.items():
        drawn = [s["drawn"] for s in by_name[name]["strata"]]
        cells = " | ".join(f"**{n}**" for n in [*drawn, sum(drawn)])
        assert row == f"| **抽取** | {cells} |"
        assert row in readme
    assert "(10 + 5) × 30% = 4.5，进一为 5 家" in readme
