"""Credit rules: how a task takes credit risk into account when it is drawn (plan data).

A plan gives each task one of three rules (``credit_rule`` in the YAML; a task's rule replaces the
plan's entirely, a field left out takes the kind's default):

``weighted``
    The round draws ⌈r × N⌉ in total, shared among the classes drawn in the round by weight × size
    (weights default A 1, B 2, C 3, D 4; frequencies A 1, B 1, C 2, D 2 rounds a year).
``flat``
    One stratum of all classes, ⌈r × N⌉; as many rounds a year as the task's ``frequency``. A task
    of a version-2 plan that sets no rule is flat.
``ratios``
    An explicit ratio per class, ⌈r_k × N_k⌉ each (frequencies default as for ``weighted``).

The arithmetic is in ``jcdraw.draw.allocation``; the specification, with worked examples, is in the
docstring of ``jcdraw.draw.algorithm``. Here are the rules as data: the YAML shapes (pydantic) and
the resolved rules (frozen dataclasses that know the plan's classes, lowest risk first).

Version-1 plans wrote no rule: each class had a ``multiplier`` of the nominal ratio (or a fixed
``ratio``) and a ``frequency``. Such a plan still resolves, to the ``ratios`` rule those numbers
amount to (each capped at 100%), so draws recorded under it can be redone exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jcdraw import messages

DEFAULT_WEIGHTS: Mapping[str, int] = {"A": 1, "B": 2, "C": 3, "D": 4}
DEFAULT_FREQUENCIES: Mapping[str, int] = {"A": 1, "B": 1, "C": 2, "D": 2}
ALL_CLASSES = "*"  # the name of a flat rule's single stratum

RuleKind = Literal["weighted", "flat", "ratios"]


def exact_number(value: object) -> Fraction:
    """Plan numbers are exact: 0.3 in YAML means 3/10, never the binary float; "30%" means 3/10 too.

    Example:
        >>> exact_number(0.3), exact_number("30%"), exact_number("1/3")
        (Fraction(3, 10), Fraction(3, 10), Fraction(1, 3))
    """
    text = str(value).strip()
    try:
        if text.endswith(("%", "％")):
            return Fraction(text[:-1].strip()) / 100
        return Fraction(text)
    except ZeroDivisionError:  # "1/0": pydantic reports only ValueError as a validation error
        raise ValueError(text) from None


# --- the rules as written in the plan -------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exact_values(value: object) -> object:
    if isinstance(value, dict):
        return {k: exact_number(v) for k, v in value.items()}
    return value


class WeightedSpec(_Spec):
    kind: Literal["weighted"]
    weights: dict[str, Fraction] | None = None
    frequencies: dict[str, Annotated[int, Field(ge=1)]] | None = None

    _weights = field_validator("weights", mode="before")(classmethod(lambda cls, v: _exact_values(v)))


class FlatSpec(_Spec):
    kind: Literal["flat"]


class RatiosSpec(_Spec):
    kind: Literal["ratios"]
    ratios: dict[str, Fraction]
    frequencies: dict[str, Annotated[int, Field(ge=1)]] | None = None

    _ratios = field_validator("ratios", mode="before")(classmethod(lambda cls, v: _exact_values(v)))


CreditRuleSpec = Annotated[WeightedSpec | FlatSpec | RatiosSpec, Field(discriminator="kind")]


# --- the rules resolved for one task --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WeightedRule:
    """A total of ⌈r × N⌉ per round, shared by weight × size (``jcdraw.draw.allocation``).

    ``classes`` is the plan's class order, lowest risk first. Weights are positive and do not decrease
    from lower to higher risk (the plan loader says so in Chinese before this is built).

    Example:
        >>> rule = WeightedRule()
        >>> rule.kind, [str(rule.weights[c]) for c in rule.classes], dict(rule.frequencies)
        ('weighted', ['1', '2', '3', '4'], {'A': 1, 'B': 1, 'C': 2, 'D': 2})
    """

    classes: tuple[str, ...] = ("A", "B", "C", "D")
    weights: Mapping[str, Fraction] = field(default_factory=lambda: _fractions(DEFAULT_WEIGHTS))
    frequencies: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_FREQUENCIES))
    kind: Literal["weighted"] = field(default="weighted", init=False)

    def __post_init__(self) -> None:
        _check_keys(self.classes, self.weights, self.frequencies)
        if any(self.weights[c] <= 0 for c in self.classes):
            raise ValueError(f"weights must be positive: {dict(self.weights)}")
        if any(self.weights[b] < self.weights[a] for a, b in itertools.pairwise(self.classes)):
            raise ValueError(f"weights must not decrease with risk: {dict(self.weights)}")
        if any(self.frequencies[c] < 1 for c in self.classes):
            raise ValueError(f"every class is drawn at least once a year: {dict(self.frequencies)}")


@dataclass(frozen=True, kw_only=True)
class FlatRule:
    """One stratum of every class: ⌈r × N⌉ by smallest ticket, ``frequency`` rounds a year.

    Example:
        >>> FlatRule().kind, FlatRule().frequency
        ('flat', 1)
    """

    classes: tuple[str, ...] = ("A", "B", "C", "D")
    frequency: int = 1
    kind: Literal["flat"] = field(default="flat", init=False)

    def __post_init__(self) -> None:
        if self.frequency < 1 or not self.classes:
            raise ValueError(f"invalid flat rule: {self!r}")


@dataclass(frozen=True, kw_only=True)
class RatiosRule:
    """Explicit per-class ratios: ⌈r_k × N_k⌉ in each class drawn this round.

    Plans write 0 < r_k ≤ 1 (the loader says so in Chinese); the rule itself also takes 0 (nobody)
    and reads a ratio above 1 as 1, and a frequency of 0 as "never", as the draw's Step 3 did before
    credit rules, so the pure algorithm can be exercised on any input.

    Example:
        >>> rule = RatiosRule(ratios={"A": Fraction(1, 20), "B": Fraction(1, 5), "C": Fraction(2, 5), "D": 1})
        >>> [str(rule.ratios[c]) for c in rule.classes]
        ['1/20', '1/5', '2/5', '1']
    """

    ratios: Mapping[str, Fraction]
    classes: tuple[str, ...] = ("A", "B", "C", "D")
    frequencies: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_FREQUENCIES))
    kind: Literal["ratios"] = field(default="ratios", init=False)

    def __post_init__(self) -> None:
        _check_keys(self.classes, self.ratios, self.frequencies)
        if any(Fraction(self.ratios[c]) < 0 for c in self.classes):
            raise ValueError(f"ratios must not be negative: {dict(self.ratios)}")


CreditRule = WeightedRule | FlatRule | RatiosRule


def _fractions(values: Mapping[str, int | Fraction]) -> dict[str, Fraction]:
    return {k: Fraction(v) for k, v in values.items()}


def _check_keys(classes: tuple[str, ...], *per_class: Mapping[str, object]) -> None:
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"classes must be distinct: {classes!r}")
    for values in per_class:
        if set(values) != set(classes):
            raise ValueError(f"{dict(values)} must name exactly the classes {list(classes)}")
        if any(isinstance(v, float | bool) for v in values.values()):
            raise TypeError(f"exact numbers only: {dict(values)}")


def resolve(
    spec: WeightedSpec | FlatSpec | RatiosSpec, classes: tuple[str, ...], frequency: int
) -> CreditRule:
    """The rule a spec states for a plan with ``classes`` and a task drawn ``frequency`` times a year.

    Example:
        >>> resolve(FlatSpec(kind="flat"), ("A", "B"), 2)
        FlatRule(classes=('A', 'B'), frequency=2, kind='flat')
    """
    if isinstance(spec, FlatSpec):
        return FlatRule(classes=classes, frequency=frequency)
    frequencies = dict(spec.frequencies or {c: DEFAULT_FREQUENCIES.get(c, 1) for c in classes})
    if isinstance(spec, RatiosSpec):
        return RatiosRule(classes=classes, ratios=dict(spec.ratios), frequencies=frequencies)
    weights = dict(spec.weights or _fractions({c: DEFAULT_WEIGHTS.get(c, 1) for c in classes}))
    return WeightedRule(classes=classes, weights=weights, frequencies=frequencies)


def rounds_per_year(rule: CreditRule) -> int:
    """The last round in which the rule draws anybody (a later round would be empty).

    Example:
        >>> [rounds_per_year(r) for r in (WeightedRule(), FlatRule(), FlatRule(frequency=3))]
        [2, 1, 3]
    """
    if isinstance(rule, FlatRule):
        return rule.frequency
    return max(rule.frequencies.values())


def rule_record(rule: CreditRule) -> dict[str, object]:
    """A rule as JSON-ready data, exact numbers as text (what the draw record keeps).

    Example:
        >>> rule_record(FlatRule())
        {'kind': 'flat', 'classes': ['A', 'B', 'C', 'D'], 'frequency': 1}
        >>> rule_record(WeightedRule())["weights"]
        {'A': '1', 'B': '2', 'C': '3', 'D': '4'}
    """
    data: dict[str, object] = {"kind": rule.kind, "classes": list(rule.classes)}
    if isinstance(rule, FlatRule):
        data["frequency"] = rule.frequency
        return data
    if isinstance(rule, WeightedRule):
        data["weights"] = {c: str(Fraction(rule.weights[c])) for c in rule.classes}
    else:
        data["ratios"] = {c: str(Fraction(rule.ratios[c])) for c in rule.classes}
    data["frequencies"] = {c: rule.frequencies[c] for c in rule.classes}
    return data


def rule_from_record(data: Mapping[str, object]) -> CreditRule:
    """The rule a draw record states (``rule_record``'s inverse), so a draw can be redone from it.

    Example:
        >>> rule_from_record(rule_record(WeightedRule())) == WeightedRule()
        True
    """
    classes = tuple(str(c) for c in data["classes"])  # type: ignore[attr-defined]
    if data["kind"] == "flat":
        return FlatRule(classes=classes, frequency=int(data["frequency"]))  # type: ignore[call-overload]
    frequencies = {str(k): int(v) for k, v in data["frequencies"].items()}  # type: ignore[attr-defined]
    if data["kind"] == "weighted":
        weights = {str(k): Fraction(str(v)) for k, v in data["weights"].items()}  # type: ignore[attr-defined]
        return WeightedRule(classes=classes, weights=weights, frequencies=frequencies)
    ratios = {str(k): Fraction(str(v)) for k, v in data["ratios"].items()}  # type: ignore[attr-defined]
    return RatiosRule(classes=classes, ratios=ratios, frequencies=frequencies)


def percent(value: Fraction) -> str:
    """A plan ratio as people write it: 30%, 12.5%, 33.33% (display only; the record keeps fractions).

    Example:
        >>> percent(Fraction(3, 10)), percent(Fraction(1, 8)), percent(Fraction(1, 3))
        ('30%', '12.5%', '33.33%')
    """
    text = f"{float(value * 100):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def rule_text(rule: CreditRule) -> str:
    """The rule in words, for ``jcdraw plans``, the 抽取记录 sheet and the terminal.

    Example:
        >>> rule_text(FlatRule(frequency=1))
        '不分类别：在全部符合条件的对象中抽 ⌈计划比例 × 对象数⌉ 个（每年 1 次）'
    """
    if isinstance(rule, FlatRule):
        return messages.RULE_FLAT.format(frequency=rule.frequency)
    frequencies = "、".join(f"{c} {rule.frequencies[c]}" for c in rule.classes)
    if isinstance(rule, WeightedRule):
        weights = "、".join(f"{c} {rule.weights[c]}" for c in rule.classes)
        return messages.RULE_WEIGHTED.format(weights=weights, frequencies=frequencies)
    ratios = "、".join(f"{c} {percent(Fraction(rule.ratios[c]))}" for c in rule.classes)
    return messages.RULE_RATIOS.format(ratios=ratios, frequencies=frequencies)


def percent_text(value: Fraction | None, digits: int = 1) -> str:
    """An exact ratio as a percentage for people, rounded half up; ``None`` as "—" (display only).

    Example:
        >>> percent_text(Fraction(1, 7)), percent_text(Fraction(3, 10)), percent_text(Fraction(1, 8), 0)
        ('14.3%', '30.0%', '13%')
        >>> percent_text(None)
        '—'
    """
    if value is None:
        return "—"
    scale = 10**digits
    units = math.floor(value * 100 * scale + Fraction(1, 2))
    whole, part = divmod(units, scale)
    return f"{whole}.{part:0{digits}d}%" if digits else f"{whole}%"


def rule_label(rule: CreditRule) -> str:
    """The rule in a few words, for tables (``rule_text`` says it in full).

    Example:
        >>> rule_label(WeightedRule()), rule_label(FlatRule())
        ('按风险加权分配 A1:B2:C3:D4', '不分类别')
    """
    if isinstance(rule, FlatRule):
        return messages.RULE_LABEL_FLAT
    if isinstance(rule, WeightedRule):
        return messages.RULE_LABEL_WEIGHTED.format(
            weights=":".join(f"{c}{rule.weights[c]}" for c in rule.classes)
        )
    ratios = " ".join(f"{c}{percent(Fraction(rule.ratios[c]))}" for c in rule.classes)
    return messages.RULE_LABEL_RATIOS.format(ratios=ratios)
