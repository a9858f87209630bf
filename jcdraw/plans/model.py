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
from jcdraw.plans.credit import (
    CreditRule,
    CreditRuleSpec,
    FlatRule,
    RatiosRule,
    exact_number,
    resolve,
)
from jcdraw.records import MIN_OFFICERS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
        """6-digit division code → canonical regions that carry it.

        The city's own code (``city_code``, the city-level registrar) carries every region: a firm the
        city registered may sit in any district.
        """
        table: dict[str, list[str]] = {self.city_code: list(self.region_names)}
        for region in self.regions:
            for code in region.codes:
                if region.name not in table.setdefault(code, []):
                    table[code].append(region.name)
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
    # Version-1 plans only: the class's ratio as a multiple of the task's (or fixed) and rounds a year.
    multiplier: Fraction | None = None
    ratio: Fraction | None = None
    frequency: int | None = Field(default=None, ge=1)

    @field_validator("multiplier", "ratio", mode="before")
    @classmethod
    def _exact_number(cls, value: object) -> Fraction | None:
        return None if value is None else exact_number(value)


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

    @property
    def is_legacy(self) -> bool:
        """Written as version-1 plans were: per-class multipliers or ratios and frequencies."""
        return any(c.multiplier is not None or c.ratio is not None or c.frequency for c in self.classes)

    def legacy_rule(self, nominal: Fraction) -> RatiosRule:
        """The ``ratios`` rule a version-1 policy amounts to: nominal × multiplier (or the fixed ratio),
        capped at 1, with each class's frequency (1 where none was written)."""
        ratios = {
            c.code: min(Fraction(1), c.ratio if c.ratio is not None else nominal * (c.multiplier or 1))
            for c in self.classes
        }
        frequencies = {c.code: c.frequency or 1 for c in self.classes}
        return RatiosRule(classes=tuple(self.codes), ratios=ratios, frequencies=frequencies)


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


class Target(_Strict):
    """Who a targeted task (定向抽查) draws among: every condition must hold."""

    risk_classes: list[str] = []
    registry_flags: dict[str, str] = {}  # column of the 检查对象 sheet → value it must hold


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
    credit_rule: CreditRuleSpec | None = None
    sampling: Literal["不定向", "定向"] = "不定向"
    target: Target | None = None
    team: TeamRuleSpec = TeamRuleSpec()
    # Paperwork only (检查通知书): what the task's inspection rests on, and per item number (1-based)
    # what the firm prepares. Neither changes a draw, so adding them needs no new plan version.
    legal_basis: str = ""
    documents: dict[int, list[str]] = {}
    # The provincial platform's own number of this task (抽查任务编号), for its import file; informational.
    platform_task_id: str = ""

    @field_validator("ratio", mode="before")
    @classmethod
    def _exact_ratio(cls, value: object) -> Fraction:
        return exact_number(value)

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


class Contact(_Strict):
    """The bureau's contact person printed on the notices (联系人、联系电话)."""

    name: str = ""
    phone: str = ""


class PlanChange(_Strict):
    """One written adjustment of the plan (计划调整), newest last; ``version`` is the version it made."""

    version: int = Field(ge=1)
    changed_on: date | None = Field(default=None, alias="date")
    text: str


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
    credit_rule: CreditRuleSpec | None = None
    # The head of the unit (单位主要负责人) who alone approves corrections of recorded results.
    approver: str | None = None
    changes: list[PlanChange] = []
    # Paperwork only (检查通知书, 检查记录表); none of these changes a draw.
    legal_basis: list[str] = []  # general bases cited on every notice of this plan
    contact: Contact | None = None
    notice_prefix: str = ""  # the 机关代字 of the notices' numbers: 晋市商检通〔2024〕12号
    # The published cap of inspections per firm and year (国办发〔2024〕54号 asks bureaus to set one).
    inspection_cap: int | None = Field(default=None, ge=1)
    # The provincial platform's own number of this plan (抽查计划编号), for its import file; informational.
    platform_plan_id: str = ""
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

    def rule_for(self, task: Task) -> CreditRule:
        """The task's credit rule: its own, else the plan's; a version-1 policy's ratios; else flat."""
        policy = self.policy_for(task)
        spec = task.credit_rule or self.credit_rule
        if spec is not None:
            return resolve(spec, tuple(policy.codes), task.frequency)
        if policy.is_legacy:
            return policy.legacy_rule(task.ratio)
        return FlatRule(classes=tuple(policy.codes), frequency=task.frequency)

    def scope_of(self, task: Task) -> list[str]:
        return self.geography.resolve_scope(task.scope) or []
