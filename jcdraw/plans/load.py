"""Loading plans: resolve ``joint``/``internal``/a path, read safely, validate, cross-check.

A ``./plans`` folder in the working directory is searched before the plans shipped with jcdraw
(``jcdraw.plans.folders``). ``find_plan`` is the one way to get back the plan a recorded draw used.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.plans.folders import plan_dirs
from jcdraw.plans.model import Areas, Plan, RiskPolicy, Task
from jcdraw.plans.yaml_file import read_yaml

PLAN_ID = re.compile(r"[0-9a-z-]+")


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
    _check_id(plan.id, path)
    areas = load_areas(plan.areas, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    plan = plan.model_copy(update={"path": path, "sha256": digest, "area_data": areas})
    _check_rules(plan, path)
    return plan


def _check_id(plan_id: str, path: Path) -> None:
    """Plan ids are ``[0-9a-z-]`` only: a look-alike (U+2011 for "-") would record a second "same" task.

    Example:
        >>> _check_id("2024-joint", Path("p.yaml"))
        >>> _check_id("2024\u2011joint", Path("p.yaml"))
        Traceback (most recent call last):
        ...
        jcdraw.errors.BadPlan: 计划文件“p.yaml”的计划编号 id “2024‑joint”含有不允许的字符 “‑”（U+2011）。...
    """
    if PLAN_ID.fullmatch(plan_id):
        return
    strangers = dict.fromkeys(ch for ch in plan_id if not PLAN_ID.fullmatch(ch))
    chars = "、".join(messages.PLAN_ID_CHAR.format(char=ch, code=ord(ch)) for ch in strangers)
    chars = chars or messages.PLAN_ID_EMPTY
    raise BadPlan(messages.PLAN_ID_INVALID.format(path=path, value=plan_id, chars=chars))


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
        _check_credit_rule(plan, task, fail)
        _check_target(plan, task, fail)
        _check_documents(task, fail)
    _check_changes(plan, fail)


def _check_documents(task: Task, fail: Any) -> None:
    for number, documents in task.documents.items():
        if not 1 <= number <= len(task.items):
            detail = messages.PLAN_DOCUMENTS_ITEM.format(number=number, items=len(task.items))
            raise fail(task, "documents", detail)
        if any(not document.strip() for document in documents):
            raise fail(task, f"documents.{number}", messages.PLAN_DOCUMENTS_EMPTY)


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


def _check_credit_rule(plan: Plan, task: Task, fail: Any) -> None:
    policy = plan.policy_for(task)
    spec = task.credit_rule or plan.credit_rule
    where = "credit_rule" if task.credit_rule is not None else None
    if spec is None:
        return
    if policy.is_legacy:
        raise fail(task if task.risk_policy else None, "risk_policy.classes", messages.PLAN_RULE_AND_LEGACY)
    owner = task if where else None
    codes = policy.codes
    for name in ("weights", "ratios", "frequencies"):
        values = getattr(spec, name, None)
        if values is not None and set(values) != set(codes):
            detail = messages.PLAN_RULE_CLASSES.format(classes="、".join(codes), given="、".join(values))
            raise fail(owner, f"credit_rule.{name}", detail)
    weights = getattr(spec, "weights", None) or {}
    if any(w <= 0 for w in weights.values()):
        raise fail(owner, "credit_rule.weights", messages.PLAN_RULE_WEIGHT_POSITIVE)
    if weights and any(weights[b] < weights[a] for a, b in itertools.pairwise(codes)):
        detail = messages.PLAN_RULE_WEIGHT_RISING.format(classes="、".join(codes))
        raise fail(owner, "credit_rule.weights", detail)
    ratios = getattr(spec, "ratios", None) or {}
    if any(not 0 < r <= 1 for r in ratios.values()):
        raise fail(owner, "credit_rule.ratios", messages.PLAN_RULE_RATIO_RANGE)


def _check_target(plan: Plan, task: Task, fail: Any) -> None:
    if (task.sampling == "定向") != (task.target is not None):
        raise fail(task, "sampling", messages.PLAN_TARGET_NEEDED)
    if task.target is None:
        return
    unknown = [c for c in task.target.risk_classes if c not in plan.policy_for(task).codes]
    if unknown:
        raise fail(task, "target.risk_classes", messages.PLAN_TARGET_CLASS.format(value="、".join(unknown)))
    if not task.target.risk_classes and not task.target.registry_flags:
        raise fail(task, "target", messages.PLAN_TARGET_EMPTY)


def _check_changes(plan: Plan, fail: Any) -> None:
    if plan.changes and plan.changes[-1].version != plan.version:
        detail = messages.PLAN_CHANGES_VERSION.format(last=plan.changes[-1].version, version=plan.version)
        raise fail(None, "changes", detail)


# --- finding plans -----------------------------------------------------------------------------

PLAN_ALIASES = {"joint": "joint", "联合": "joint", "internal": "internal", "内部": "internal"}
ARCHIVE = "archive"  # earlier versions of plans, kept so draws made under them can be redone


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
            messages.PLAN_YEAR_NONE.format(year=wanted, available=_describe_available())
        )
    return [load_plan(p) for p in paths]


def with_year_plans(plans: list[Plan]) -> list[Plan]:
    """``plans`` plus the other plans of their years: the registry is one book for all of them, so
    a category of another plan of the year is known, not "unknown". A broken other plan is skipped
    (it is reported when it is itself used)."""
    found = list(plans)
    ids = {p.id for p in plans}
    for (year, _kind), path in sorted(available_plans().items()):
        if year not in {p.year for p in plans}:
            continue
        try:
            other = load_plan(path)
        except BadPlan:
            continue
        if other.id not in ids:
            found.append(other)
            ids.add(other.id)
    return found


def _describe_available() -> str:
    found = available_plans()
    return "、".join(f"{y} {k}（{p}）" for (y, k), p in sorted(found.items())) or "无"


@cache
def _plan_by_path(path: str, mtime: float) -> Plan:
    return load_plan(Path(path))


def find_plan(plan_id: str, hint: str | None = None, sha256: str | None = None) -> Plan:
    """The plan a draw used, ``sha256`` (its recorded hash) preferred.

    Looks at the recorded file (``hint``), the plan folders and their ``archive`` subfolders, where
    earlier versions of a plan are kept byte for byte so their draws can still be redone. Without an
    exact match, the first file holding ``plan_id`` is used (verify then reports the changed hash). A
    file that cannot be read is passed over; its error is raised only if no file holds ``plan_id``.
    """
    found: Plan | None = None
    broken: BadPlan | None = None
    for path in _candidates(hint):
        try:
            plan = _plan_by_path(str(path.resolve()), path.stat().st_mtime)
        except BadPlan as err:  # one broken file (another plan, a newer format) must not hide the right one
            broken = broken or err
            continue
        if plan.id != plan_id:
            continue
        if sha256 is None or plan.sha256 == sha256:
            return plan
        found = found or plan
    if found is not None:
        return found
    if broken is not None:
        raise broken
    raise BadPlan(messages.PLAN_OF_DRAW_NOT_FOUND.format(plan=plan_id, path=hint or "—"))


def _candidates(hint: str | None) -> list[Path]:
    paths = [Path(hint)] if hint else []
    paths += list(available_plans().values())
    paths += [p for folder in plan_dirs() for p in sorted((folder / ARCHIVE).glob("*.yaml"))]
    unique = dict.fromkeys(p for p in paths if p.is_file())
    return list(unique)
