"""The annual inspection plans ("一单"), loaded from YAML into pydantic models.

A plan file (``plans/2024_joint.yaml``) names its tasks; each task targets one entity category in a
scope of regions, with a nominal ratio, a frequency, a period and the departments that take part.
Regions and departments of the city live in a shared areas file (``plans/jincheng.yaml``). The
credit-risk policy (ratio and frequency per risk class) is data in the plan, overridable per task.

Plan files are untrusted text: they are read with a safe YAML loader that also refuses aliases (no
"billion laughs"), and every rule breach is reported with the file, the task and the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.io.text import normalize_key_one
from jcdraw.records import MIN_OFFICERS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exact(value: object) -> Fraction:
    """Ratios are exact: 0.3 in YAML means 3/10, never the binary float; "30%" means 3/10 too."""
    text = str(value).strip()
    try:
        if text.endswith(("%", "％")):
            return Fraction(text[:-1].strip()) / 100
        return Fraction(text)
    except ZeroDivisionError:  # "1/0": pydantic reports only ValueError as a validation error
        raise ValueError(text) from None


# --- areas -------------------------------------------------------------------------------------


class Region(_Strict):
    name: str
    codes: list[str]
    aliases: list[str] = []


class Department(_Strict):
    name: str
    aliases: list[str] = []


class Areas(_Strict):
    city: str
    city_code: str
    regions: list[Region]
    all_regions_aliases: list[str] = []
    departments: list[Department]

    @cached_property
    def region_names(self) -> list[str]:
        return [r.name for r in self.regions]

    @cached_property
    def region_lookup(self) -> dict[str, str]:
        """Normalised name or alias → canonical region name."""
        return _lookup((r.name, r.aliases) for r in self.regions)

    @cached_property
    def division_lookup(self) -> dict[str, list[str]]:
        """6-digit division code → canonical regions that carry it."""
        table: dict[str, list[str]] = {}
        for region in self.regions:
            for code in region.codes:
                table.setdefault(code, []).append(region.name)
        return table

    @cached_property
    def department_names(self) -> list[str]:
        return [d.name for d in self.departments]

    @cached_property
    def department_lookup(self) -> dict[str, str]:
        return _lookup((d.name, d.aliases) for d in self.departments)

    def resolve_scope(self, names: Iterable[str]) -> list[str] | None:
        """Canonical regions for a scope list; ``None`` if any name is unknown."""
        every = {normalize_key_one(a) for a in self.all_regions_aliases}
        resolved: list[str] = []
        for name in names:
            key = normalize_key_one(name)
            if key in every:
                resolved.extend(self.region_names)
            elif key in self.region_lookup:
                resolved.append(self.region_lookup[key])
            else:
                return None
        return list(dict.fromkeys(resolved))


def _lookup(entries: Iterable[tuple[str, list[str]]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for name, aliases in entries:
        for alias in [name, *aliases]:
            key = normalize_key_one(alias)
            if key:
                table[key] = name
    return table


# --- risk policy -------------------------------------------------------------------------------


class RiskClass(_Strict):
    code: str
    label: str
    aliases: list[str] = []
    multiplier: Fraction | None = None
    ratio: Fraction | None = None
    frequency: int = Field(ge=1)

    @field_validator("multiplier", "ratio", mode="before")
    @classmethod
    def _exact_number(cls, value: object) -> Fraction | None:
        return None if value is None else _exact(value)


class RiskPolicy(_Strict):
    default_class: str
    classes: list[RiskClass]

    @cached_property
    def class_lookup(self) -> dict[str, str]:
        """Normalised letter, label or alias → class code."""
        return _lookup((c.code, [c.label, *c.aliases]) for c in self.classes)

    @cached_property
    def codes(self) -> list[str]:
        return [c.code for c in self.classes]

    def ratios(self, nominal: Fraction) -> dict[str, Fraction]:
        """Ratio per class: the fixed ratio if given, else nominal × multiplier; capped at 1."""
        result: dict[str, Fraction] = {}
        for c in self.classes:
            raw = c.ratio if c.ratio is not None else nominal * (c.multiplier or Fraction(1))
            result[c.code] = min(Fraction(1), raw)
        return result

    def frequencies(self) -> dict[str, int]:
        return {c.code: c.frequency for c in self.classes}


# --- tasks and plans ---------------------------------------------------------------------------


class Period(_Strict):
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


class TeamRuleSpec(_Strict):
    # The law asks for at least two enforcement officers at every inspection; a plan may ask for more.
    min_size: int = Field(default=MIN_OFFICERS, ge=MIN_OFFICERS)
    per_department: dict[str, int] | None = None


class Task(_Strict):
    number: int = Field(ge=1)
    name: str
    items: list[str] = Field(min_length=1)
    category: str
    scope: list[str] = Field(min_length=1)
    scope_text: str = ""
    ratio: Fraction
    frequency: int = Field(default=1, ge=1)
    ratio_frequency_text: str = ""
    credit_risk_requirement: str = ""
    period: Period
    period_text: str = ""
    initiator: str = ""
    lead_departments: list[str] = Field(min_length=1)
    partner_departments: list[str] = []
    mode: str | None = None
    risk_policy: RiskPolicy | None = None
    team: TeamRuleSpec = TeamRuleSpec()

    @field_validator("ratio", mode="before")
    @classmethod
    def _exact_ratio(cls, value: object) -> Fraction:
        return _exact(value)

    @property
    def departments(self) -> list[str]:
        """Lead then partner departments, each once."""
        return list(dict.fromkeys([*self.lead_departments, *self.partner_departments]))

    def per_department(self) -> dict[str, int]:
        """Minimum members per department (default: one from every participating department)."""
        if self.team.per_department is not None:
            return dict(self.team.per_department)
        return {d: 1 for d in self.departments}


PlanKind = Literal["部门联合", "内部"]


class Plan(_Strict):
    id: str
    version: int = 1
    name: str
    document_number: str
    issuing_authority: str
    issued_on: date | None = None
    year: int
    kind: PlanKind
    publicity_deadline_workdays: int = Field(default=20, ge=1)
    areas: str = "jincheng.yaml"
    risk_policy: RiskPolicy
    tasks: list[Task] = Field(min_length=1)

    # Set by the loader: where the plan came from and the exact bytes' hash.
    path: Path | None = None
    sha256: str = ""
    area_data: Areas | None = None

    @property
    def geography(self) -> Areas:
        assert self.area_data is not None, "plans are built by load_plan"
        return self.area_data

    def task(self, number: int) -> Task:
        for task in self.tasks:
            if task.number == number:
                return task
        raise BadPlan(
            messages.PLAN_TASK_NOT_FOUND.format(
                plan=self.id, task=number, available="、".join(str(t.number) for t in self.tasks)
            )
        )

    def policy_for(self, task: Task) -> RiskPolicy:
        return task.risk_policy or self.risk_policy

    def scope_of(self, task: Task) -> list[str]:
        return self.geography.resolve_scope(task.scope) or []
