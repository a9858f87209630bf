"""The annual inspection plans ("一单"), loaded from YAML into pydantic models.

A plan file (``plans/2024_joint.yaml``) names its tasks; each task targets one entity category in a
scope of regions, with a nominal ratio, a frequency, a period and the departments that take part.
Regions and departments of the city live in a shared areas file (``plans/jincheng.yaml``). The
credit-risk policy (ratio and frequency per risk class) is data in the plan, overridable per task.

Plan files are untrusted text: they are read with a safe YAML loader that also refuses aliases (no
"billion laughs"), and every rule breach is reported with the file, the task and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from datetime import date
from fractions import Fraction
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.normalize import normalize_key_one
from jcdraw.resources import plan_dirs

MAX_PLAN_BYTES = 2_000_000


@cache
def _key(name: str) -> str | None:
    """``normalize_key_one``, remembered: scopes are resolved for every task many times per command."""
    return normalize_key_one(name)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exact(value: object) -> Fraction:
    """Ratios are exact: 0.3 in YAML means 3/10, never the binary float; "30%" means 3/10 too."""
    text = str(value).strip()
    if text.endswith(("%", "％")):
        return Fraction(text[:-1].strip()) / 100
    return Fraction(text)


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
        every = {_key(a) for a in self.all_regions_aliases}
        resolved: list[str] = []
        for name in names:
            key = _key(name)
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
            key = _key(alias)
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
    min_size: int = Field(default=2, ge=1)
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


# --- loading -----------------------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that also refuses anchors/aliases, the vehicle of YAML 'billion laughs'."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "不允许使用 YAML 别名（*alias）", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # PyYAML keeps the last of repeated keys silently; a second "ratio:" must not win unnoticed.
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.MarkedYAMLError(problem=f"“{key}”重复出现", problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: _NoAliasLoader, node: yaml.ScalarNode) -> object:
    """An impossible date (2024-13-31) stays text, so the model reports it with its task and field."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(loader.construct_scalar(node))


_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def read_yaml(path: Path) -> Any:
    """Parse a small YAML data file safely; errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadPlan(messages.PLAN_UNREADABLE.format(path=path, detail=err.strerror)) from None
    if len(data) > MAX_PLAN_BYTES:
        raise BadPlan(messages.PLAN_UNREADABLE.format(path=path, detail="文件过大"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadPlan(messages.PLAN_UNREADABLE.format(path=path, detail="不是 UTF-8 编码")) from None
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.constructor.ConstructorError as err:
        raise BadPlan(messages.PLAN_YAML_UNSAFE.format(path=path, detail=_yaml_detail(err))) from None
    except yaml.YAMLError as err:
        raise BadPlan(messages.PLAN_YAML_ERROR.format(path=path, detail=_yaml_detail(err))) from None
    except RecursionError:  # PyYAML composes recursively: "[[[[…" thousands deep
        raise BadPlan(messages.PLAN_YAML_ERROR.format(path=path, detail="嵌套层数过多")) from None


def _yaml_detail(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    where = f"第 {mark.line + 1} 行" if mark is not None else ""
    return f"{where} {getattr(err, 'problem', '') or err}".strip()


def load_areas(name: str, plan_path: Path) -> Areas:
    candidates = [plan_path.parent / name, *(d / name for d in plan_dirs())]
    path = next((p for p in candidates if p.is_file()), candidates[0])
    raw = read_yaml(path)
    try:
        return Areas.model_validate(raw)
    except ValidationError as err:
        raise _plan_error(path, raw, err) from None


def load_plan(path: Path) -> Plan:
    """Read, validate and cross-check one plan file."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise BadPlan(
            messages.PLAN_INVALID.format(path=path, where="", field="(整个文件)", detail="不是键值结构")
        )
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as err:
        raise _plan_error(path, raw, err) from None
    areas = load_areas(plan.areas, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    plan = plan.model_copy(update={"path": path, "sha256": digest, "area_data": areas})
    _check_rules(plan, path)
    return plan


def _plan_error(path: Path, raw: Any, err: ValidationError) -> BadPlan:
    first = err.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
        tasks = raw.get("tasks") if isinstance(raw, dict) else None
        number = _task_number(tasks, loc[1])
        where = f"任务 {number} 的"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or "(整个文件)"
    detail = _pydantic_detail(first)
    return BadPlan(messages.PLAN_INVALID.format(path=path, where=where, field=field, detail=detail))


def _task_number(tasks: Any, index: int) -> object:
    if isinstance(tasks, list) and index < len(tasks) and isinstance(tasks[index], dict):
        return tasks[index].get("number", f"第{index + 1}项")
    return f"第{index + 1}项"


_PYDANTIC_TYPES = {
    "missing": "缺失（必填）",
    "extra_forbidden": "不是计划允许的字段（请检查拼写）",
    "too_short": "不能为空",
    "greater_than_equal": "的值过小",
    "date_from_datetime_parsing": "不是有效日期（格式如 2024-03-01）",
    "date_parsing": "不是有效日期（格式如 2024-03-01）",
    "date_type": "不是有效日期（格式如 2024-03-01）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "value_error": "不是有效的比例或倍数（应写成 0.3、30% 或 1/3 这样的数）",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "literal_error": "的取值不在允许范围内",
}


def _pydantic_detail(error: Any) -> str:
    kind = str(error.get("type", ""))
    text = _PYDANTIC_TYPES.get(kind, f"无效（{kind}）")
    value = error.get("input")
    if kind not in {"missing", "extra_forbidden"} and not isinstance(value, dict | list):
        text += f"（当前值：{value!r}）"
    return text


def _check_rules(plan: Plan, path: Path) -> None:
    areas = plan.geography

    def fail(task: Task | None, field: str, detail: str) -> BadPlan:
        where = f"任务 {task.number} 的" if task else ""
        return BadPlan(messages.PLAN_INVALID.format(path=path, where=where, field=field, detail=detail))

    _check_policy(plan.risk_policy, None, fail)
    seen: set[int] = set()
    for task in plan.tasks:
        if task.number in seen:
            raise fail(task, "number", messages.PLAN_DUPLICATE_TASK.format(task=task.number))
        seen.add(task.number)
        if not 0 < task.ratio <= 1:
            raise fail(task, "ratio", messages.PLAN_RATIO_RANGE.format(value=float(task.ratio)))
        if task.period.end < task.period.start:
            detail = messages.PLAN_END_BEFORE_START.format(end=task.period.end, start=task.period.start)
            raise fail(task, "period", detail)
        for name in task.scope:
            if areas.resolve_scope([name]) is None:
                choices = "、".join([*areas.region_names, *areas.all_regions_aliases[:1]])
                raise fail(task, "scope", messages.PLAN_UNKNOWN_REGION.format(value=name, choices=choices))
        known = set(areas.department_names)
        for field in ("lead_departments", "partner_departments"):
            for dept in getattr(task, field):
                if dept not in known:
                    raise fail(task, field, messages.PLAN_UNKNOWN_DEPARTMENT.format(value=dept))
        for dept in task.per_department():
            if dept not in task.departments:
                raise fail(task, "team.per_department", messages.PLAN_UNKNOWN_DEPARTMENT.format(value=dept))
        if task.risk_policy is not None:
            _check_policy(task.risk_policy, task, fail)


def _check_policy(policy: RiskPolicy, task: Task | None, fail: Any) -> None:
    codes = [c.code for c in policy.classes]
    if len(set(codes)) != len(codes):
        raise fail(task, "risk_policy.classes", "中的风险类别代码重复")
    if policy.default_class not in codes:
        raise fail(task, "risk_policy.default_class", f"“{policy.default_class}”不在风险类别中")
    for c in policy.classes:
        value = c.ratio if c.ratio is not None else c.multiplier
        if value is not None and value <= 0:
            raise fail(task, f"risk_policy.classes.{c.code}", "的比例或倍数必须大于 0")


# --- finding plans -----------------------------------------------------------------------------

PLAN_ALIASES = {"joint": "joint", "联合": "joint", "internal": "internal", "内部": "internal"}


def available_plans() -> dict[tuple[int, str], Path]:
    """(year, kind) → file, from ./plans then the shipped plans (first found wins)."""
    found: dict[tuple[int, str], Path] = {}
    for folder in plan_dirs():
        for path in sorted(folder.glob("*_*.yaml")):
            year_text, _, kind = path.stem.partition("_")
            if year_text.isdigit() and kind in {"joint", "internal"}:
                found.setdefault((int(year_text), kind), path)
    return found


def resolve_plan_path(selector: str, year: int | None = None) -> Path:
    """``joint``/``internal`` (newest year unless ``year``) or a path to a YAML file."""
    kind = PLAN_ALIASES.get(selector.strip().lower())
    if kind is None:
        path = Path(selector)
        if path.is_file():
            return path
        raise BadPlan(messages.PLAN_NOT_FOUND.format(name=selector, available=_describe_available()))
    candidates = {y: p for (y, k), p in available_plans().items() if k == kind}
    if year is not None:
        if year not in candidates:
            raise BadPlan(
                messages.PLAN_YEAR_NOT_FOUND.format(year=year, kind=selector, available=_describe_available())
            )
        return candidates[year]
    if not candidates:
        raise BadPlan(messages.PLAN_NOT_FOUND.format(name=selector, available=_describe_available()))
    return candidates[max(candidates)]


def load_plans(selector: str | None = None, year: int | None = None) -> list[Plan]:
    """One named plan, or every plan of the given (default: newest) year."""
    if selector:
        return [load_plan(resolve_plan_path(selector, year))]
    found = available_plans()
    if not found:
        raise BadPlan(messages.PLAN_NOT_FOUND.format(name="(默认)", available="无"))
    wanted = year if year is not None else max(y for y, _ in found)
    paths = [p for (y, _k), p in sorted(found.items()) if y == wanted]
    if not paths:
        raise BadPlan(
            messages.PLAN_YEAR_NOT_FOUND.format(year=wanted, kind="", available=_describe_available())
        )
    return [load_plan(p) for p in paths]


def _describe_available() -> str:
    found = available_plans()
    return "、".join(f"{y} {k}（{p}）" for (y, k), p in sorted(found.items())) or "无"
