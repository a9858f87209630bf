"""Loading plans: resolve ``joint``/``internal``/a path, read safely, validate, cross-check.

A ``./plans`` folder in the working directory is searched before the plans shipped with jcdraw
(``jcdraw.plans.folders``). ``find_plan`` is the one way to get back the plan a recorded draw used.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.plans.folders import plan_dirs
from jcdraw.plans.model import Areas, Plan, RiskPolicy, Task
from jcdraw.plans.yaml_file import read_yaml


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
    "model_type": "应写成“名称: 值”的键值结构",
    "dict_type": "应写成“名称: 值”的键值结构",
}


def _pydantic_detail(error: Any) -> str:
    kind = str(error.get("type", ""))
    text = _PYDANTIC_TYPES.get(kind, messages.PLAN_FIELD_INVALID)  # pydantic's type name is English
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


@cache
def _plan_by_path(path: str, mtime: float) -> Plan:
    return load_plan(Path(path))


def find_plan(plan_id: str, hint: str | None = None) -> Plan:
    """The plan a draw used: its recorded file if it still holds that plan, else any plan folder's."""
    candidates = [Path(hint)] if hint else []
    candidates += [path for path in available_plans().values() if not hint or path != Path(hint)]
    for path in candidates:
        if path.is_file():
            plan = _plan_by_path(str(path.resolve()), path.stat().st_mtime)
            if plan.id == plan_id:
                return plan
    raise BadPlan(messages.PLAN_OF_DRAW_NOT_FOUND.format(plan=plan_id, path=hint or "—"))
