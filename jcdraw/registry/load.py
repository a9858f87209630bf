"""The registry workbook ("两库"): regulated entities, law-enforcement inspectors and recusals.

``load_registry`` reads sheets ``检查对象``, ``执法人员`` and optional ``回避关系``, normalises every key
(credit codes, badge numbers, regions, departments, categories, risk classes) column-wise, and reports
each row-level problem with its sheet, Excel row, column and value. It never raises for bad data, only
for a file that cannot be read at all (``UnreadableInput``). Columns it does not know (地址, 法定代表人 …)
are carried through untouched.

Normalised columns added to the entity frame: ``row`` (Excel row), ``uscc``, ``name``, ``region``,
``categories_key`` (``|cat|cat|`` for fast membership tests), ``risk_class`` (policy code, default class
when blank), ``active``. Inspector frame: ``row``, ``badge``, ``inspector_name``, ``department``,
``expires``, ``on_duty``, ``qualifications_key``. Recusals are a set of (badge, uscc) pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jcdraw import messages
from jcdraw import problems as P
from jcdraw.io.badges import badge_display, split_badge_column, warn_number_cells
from jcdraw.io.files import file_sha256
from jcdraw.io.flags import flag_rows
from jcdraw.io.normalize import clean_text, float_mask, normalize_key, parse_dates, split_multi
from jcdraw.io.text import normalize_key_one
from jcdraw.io.xlsx_read import Table, Workbook, open_workbook, read_table
from jcdraw.plans.model import Areas, Plan, RiskPolicy
from jcdraw.registry import uscc as U

ENTITY_SHEET = "检查对象"
INSPECTOR_SHEET = "执法人员"
RECUSAL_SHEET = "回避关系"
SHEET_ALIASES = {
    ENTITY_SHEET: [ENTITY_SHEET, "监管对象", "监管对象库", "检查对象库", "entities", "entity"],
    INSPECTOR_SHEET: [INSPECTOR_SHEET, "执法人员库", "检查人员", "inspectors", "inspector"],
    RECUSAL_SHEET: [RECUSAL_SHEET, "回避", "recusals", "recusal"],
}

# Canonical (Chinese) header → accepted aliases.
ENTITY_COLUMNS = {
    "统一社会信用代码": ["信用代码", "社会信用代码", "uscc", "credit_code", "credit code"],
    "名称": ["企业名称", "主体名称", "单位名称", "name"],
    "区域": ["所属区域", "区县", "地区", "region", "area"],
    "监管类别": ["类别", "行业类别", "category", "categories"],
    "信用风险分类": ["信用风险等级", "风险分类", "风险等级", "risk", "risk_class"],
    "经营状态": ["登记状态", "状态", "status"],
}
ENTITY_REQUIRED = ["统一社会信用代码", "名称", "区域", "监管类别"]
INSPECTOR_COLUMNS = {
    "执法证号": ["执法证编号", "证件号", "badge", "badge_no", "credential"],
    "姓名": ["name", "inspector"],
    "部门": ["所在部门", "单位", "department", "dept"],
    "执法证有效期至": ["有效期至", "执法证有效期", "有效期", "valid_until", "expires"],
    "在岗状态": ["在岗", "状态", "duty", "status"],
    "可检查类别": ["检查类别", "qualifications", "categories"],
    "回避对象": ["回避", "recuse", "recusals"],
}
INSPECTOR_REQUIRED = ["执法证号", "姓名", "部门"]
RECUSAL_COLUMNS = {
    "执法证号": ["badge", "badge_no"],
    "统一社会信用代码": ["信用代码", "uscc", "credit_code"],
    "回避原因": ["原因", "reason"],
}
RECUSAL_REQUIRED = ["执法证号", "统一社会信用代码"]

ACTIVE_STATUSES = {"存续", "在业", "开业", "在营", "正常", "在营(开业)", "存续(在营、开业、在册)"}
INACTIVE_STATUSES = {
    "注销",
    "吊销",
    "撤销",
    "迁出",
    "吊销未注销",
    "已注销",
    "已吊销",
    "已迁出",
    "歇业",
    "停业",
}
ON_DUTY = {"在岗", "在职"}
OFF_DUTY = {"离岗", "退休", "调离", "离职", "停职"}


@dataclass
class Registry:
    path: Path
    sha256: str
    entities: pd.DataFrame
    inspectors: pd.DataFrame
    recusals: set[tuple[str, str]]
    recusal_rows: pd.DataFrame
    problems: P.ProblemList = field(default_factory=P.ProblemList)
    structural: bool = False  # a sheet or required column is missing: only that is reported


    @property
    def ok(self) -> bool:
        return not self.problems.has_errors


Progress = Callable[[str], None]


def _quiet(_stage: str) -> None:
    pass


def load_registry(
    path: Path, plans: list[Plan], *, as_of: date | None = None, progress: Progress = _quiet
) -> Registry:
    """Read and check the registry workbook against the areas and risk policies of ``plans``.

    ``progress`` is told each stage (a Chinese phrase) so a terminal can show what a long load is doing.
    """
    progress(messages.PROGRESS_OPENING)
    book = open_workbook(path)
    problems = P.ProblemList()
    areas = plans[0].geography
    policy = plans[0].risk_policy
    categories = {key for plan in plans for t in plan.tasks if (key := normalize_key_one(t.category))}
    progress(messages.PROGRESS_ENTITIES)
    entities = _load_entities(book, areas, policy, categories, problems)
    progress(messages.PROGRESS_INSPECTORS)
    inspectors = _load_inspectors(book, areas, categories, as_of or date.today(), problems)
    recusal_rows = _load_recusal_sheet(book, problems)
    progress(messages.PROGRESS_HASHING)
    registry = Registry(path, file_sha256(path), entities, inspectors, set(), recusal_rows, problems)
    if any(p.code in ROOT_CAUSES for p in problems.items):
        # Root cause first: with a sheet or required column missing, row checks and recusals would
        # only report its consequences (an empty 执法人员 makes every recusal badge "unknown").
        registry.problems = _root_causes_only(problems)
        registry.structural = True
        return registry
    registry.recusals = _collect_recusals(registry)
    return registry


ROOT_CAUSES = {"missing-sheet", "missing-column"}
# Reported beside a root cause: problems of the same kind (the shape of the workbook), independent of it.
SAME_KIND = ROOT_CAUSES | {"duplicate-column", "sheet-hidden"}


def _root_causes_only(problems: P.ProblemList) -> P.ProblemList:
    kept = P.ProblemList()
    kept.extend(p for p in problems.items if p.code in SAME_KIND)
    kept.add(P.make("checks-skipped"))
    return kept


def _sheet(book: Workbook, canonical: str, problems: P.ProblemList, *, required: bool) -> str | None:
    name = book.find_sheet(SHEET_ALIASES[canonical], problems)
    if name is None and required:
        problems.add(P.make("missing-sheet", sheet=canonical, sheet_name=canonical))
    return name


def _required_table(
    book: Workbook,
    canonical: str,
    columns: dict[str, list[str]],
    required: list[str],
    empty_code: str,
    problems: P.ProblemList,
) -> Table | None:
    """A required sheet's table with its ``row`` column, or None (reported) if missing or empty."""
    sheet = _sheet(book, canonical, problems, required=True)
    table = read_table(book, sheet, columns, required, problems) if sheet else None
    if table is None:
        return None
    if table.frame.empty:
        problems.add(P.make(empty_code, sheet=sheet))
        return None
    table.frame["row"] = table.excel_rows
    return table


# --- entities ----------------------------------------------------------------------------------


def _load_entities(
    book: Workbook, areas: Areas, policy: RiskPolicy, targeted: set[str], problems: P.ProblemList
) -> pd.DataFrame:
    table = _required_table(book, ENTITY_SHEET, ENTITY_COLUMNS, ENTITY_REQUIRED, "no-entities", problems)
    if table is None:
        return _empty_entities()
    frame = table.frame
    frame["uscc"] = _check_codes(table, "统一社会信用代码", problems)
    frame["name"] = clean_text(frame["名称"])
    _flag(problems, "name-missing", table, frame["name"].isna(), "名称", frame["名称"])
    frame["region"] = _check_regions(table, frame["uscc"], areas, problems)
    frame["categories_key"] = _check_categories(table, targeted, problems)
    frame["risk_class"] = _check_risk(table, policy, problems)
    frame["active"] = _check_status(table, problems)
    return frame


def _empty_entities() -> pd.DataFrame:
    columns = ["row", "uscc", "name", "region", "categories_key", "risk_class", "active"]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _flag(
    problems: P.ProblemList,
    code: str,
    table: Table,
    mask: np.ndarray | pd.Series,
    column: str,
    values: pd.Series,
    **fields: object,
) -> None:
    flag_rows(
        problems, code, np.asarray(mask, dtype=bool), sheet=table.sheet, excel_rows=table.excel_rows,
        column=column, values=values, display=None, **fields,
    )  # fmt: skip


def _check_codes(table: Table, column: str, problems: P.ProblemList) -> pd.Series:
    """Normalised codes; rows with any code problem are reported (per-row fields for the message)."""
    raw = table.frame[column]
    floats = float_mask(raw)
    keys = normalize_key(raw).where(~floats, None)
    status = U.classify(keys)
    _flag(problems, "uscc-float", table, floats, column, raw.map(_float_text))
    _flag(problems, "uscc-missing", table, (status == "missing") & ~floats, column, raw)
    _flag(problems, "uscc-charset", table, status == "charset", column, raw)
    length = status == "length"
    _flag(problems, "uscc-length", table, length, column, raw, length=keys[length].str.len())
    checksum = status == "checksum"
    expected = U.expected_check_chars(keys[checksum])  # only the failing few, not the whole column
    _flag(problems, "uscc-checksum", table, checksum, column, raw, expected=expected)
    _report_duplicates(table, keys, column, "uscc-duplicate", problems)
    table.frame["uscc_ok"] = (status == "ok").to_numpy()
    return keys


def _float_text(value: object) -> object:
    return f"{value:.15g}" if isinstance(value, float) else value


def _report_duplicates(
    table: Table, keys: pd.Series, column: str, code: str, problems: P.ProblemList
) -> None:
    dup = keys.notna() & keys.duplicated(keep=False)
    if not dup.any():
        return
    rows = table.excel_rows[dup]
    groups = rows.groupby(keys[dup]).agg(list)
    raw = table.frame[column]
    for key_rows in groups.head(P.PER_CODE_LIMIT):
        for row in key_rows:
            others = "、".join(str(r) for r in key_rows if r != row)
            value = raw[table.excel_rows == row].iloc[0]
            problems.add(
                P.make(code, sheet=table.sheet, row=int(row), column=column, value=value, other_rows=others)
            )


def _check_regions(table: Table, codes: pd.Series, areas: Areas, problems: P.ProblemList) -> pd.Series:
    raw = table.frame["区域"]
    keys = normalize_key(raw)
    regions = keys.map(areas.region_lookup)
    choices = "、".join(areas.region_names)
    _flag(problems, "region-missing", table, keys.isna(), "区域", raw, choices=choices)
    _flag(problems, "region-unknown", table, keys.notna() & regions.isna(), "区域", raw, choices=choices)
    _check_divisions(table, codes, regions, areas, problems)
    return regions


def _check_divisions(
    table: Table, codes: pd.Series, regions: pd.Series, areas: Areas, problems: P.ProblemList
) -> None:
    """Warn where the region differs from the 行政区划码 carried in positions 3-8 of the code."""
    divisions = U.division_codes(codes.where(table.frame["uscc_ok"], None))
    allowed = {(code, region) for code, names in areas.division_lookup.items() for region in names}
    known = divisions.notna() & regions.notna()
    # Few distinct (division, region) pairs: decide each once, then spread back over the rows.
    pairs = pd.MultiIndex.from_arrays([divisions[known], regions[known]])
    distinct = pairs.unique()
    fits = pd.Series([pair in allowed for pair in distinct], index=distinct, dtype=bool)
    mismatch = pd.Series(False, index=regions.index)
    mismatch[known] = ~fits.reindex(pairs).to_numpy()
    shown = divisions[mismatch]
    expected = shown.map(lambda d: "、".join(areas.division_lookup.get(str(d), [])) or "晋城市以外的地区")
    region = table.frame["区域"]
    _flag(problems, "region-mismatch", table, mismatch, "区域", region, division=shown, expected=expected)


def _check_categories(table: Table, targeted: set[str], problems: P.ProblemList) -> pd.Series:
    raw = table.frame["监管类别"]
    parts = _split_distinct(raw)
    empty = parts.map(len) == 0
    _flag(problems, "category-missing", table, empty, "监管类别", raw)
    exploded = parts.explode()
    untargeted = exploded.notna() & ~exploded.isin(targeted)
    if untargeted.any():
        bad = exploded[untargeted]
        rows = table.excel_rows[bad.index]
        choices = "、".join(sorted(targeted))
        problems.from_mask(
            "category-untargeted",
            sheet=table.sheet,
            rows=list(rows),
            column="监管类别",
            values=list(bad),
            choices=choices,
        )
    return pd.Series("|" + parts.map("|".join) + "|", index=raw.index, dtype="category")


def _split_distinct(raw: pd.Series) -> pd.Series:
    """``split_multi`` done once per distinct cell text (a registry repeats a few category lists)."""
    codes, uniques = pd.factorize(raw)
    split = split_multi(pd.Series(uniques, dtype=object))
    lists = [split.iloc[c] if c >= 0 else [] for c in range(len(uniques))] + [[]]
    table = np.empty(len(lists), dtype=object)
    table[:] = lists
    return pd.Series(table[codes], index=raw.index)


def _check_risk(table: Table, policy: RiskPolicy, problems: P.ProblemList) -> pd.Series:
    if "信用风险分类" not in table.frame:
        return pd.Series(policy.default_class, index=table.frame.index, dtype=object)
    raw = table.frame["信用风险分类"]
    keys = normalize_key(raw)
    classes = keys.map(policy.class_lookup)
    unknown = keys.notna() & classes.isna()
    _flag(problems, "risk-unknown", table, unknown, "信用风险分类", raw, default=policy.default_class)
    return classes.fillna(policy.default_class)


def _check_status(table: Table, problems: P.ProblemList) -> pd.Series:
    if "经营状态" not in table.frame:
        return pd.Series(True, index=table.frame.index)
    raw = table.frame["经营状态"]
    keys = normalize_key(raw)
    inactive = keys.isin(_status_keys(INACTIVE_STATUSES))
    known = keys.isna() | inactive | keys.isin(_status_keys(ACTIVE_STATUSES))
    _flag(problems, "status-unknown", table, ~known, "经营状态", raw)
    return ~inactive


def _status_keys(statuses: set[str]) -> set[str]:
    return set(normalize_key(pd.Series(sorted(statuses), dtype=object)).dropna())


# --- inspectors --------------------------------------------------------------------------------


def _load_inspectors(
    book: Workbook, areas: Areas, categories: set[str], as_of: date, problems: P.ProblemList
) -> pd.DataFrame:
    table = _required_table(
        book, INSPECTOR_SHEET, INSPECTOR_COLUMNS, INSPECTOR_REQUIRED, "no-inspectors", problems
    )
    if table is None:
        return _empty_inspectors()
    frame = table.frame
    badges = normalize_key(frame["执法证号"])
    frame["badge"] = badges
    warn_number_cells(problems, table, "执法证号")
    frame["执法证号"] = badge_display(frame["执法证号"])  # 14050000011, not 14050000011.0, in messages
    _flag(problems, "badge-missing", table, badges.isna(), "执法证号", frame["执法证号"])
    _report_duplicates(table, badges, "执法证号", "badge-duplicate", problems)
    frame["inspector_name"] = clean_text(frame["姓名"])
    _flag(problems, "inspector-name-missing", table, frame["inspector_name"].isna(), "姓名", frame["姓名"])
    frame["department"] = _check_departments(table, areas, problems)
    frame["expires"] = _check_credentials(table, as_of, problems)
    frame["on_duty"] = _check_duty(table, problems)
    frame["qualifications_key"] = _check_qualifications(table, categories, problems)
    return frame


def _empty_inspectors() -> pd.DataFrame:
    columns = ["row", "badge", "inspector_name", "department", "expires", "on_duty", "qualifications_key"]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _check_departments(table: Table, areas: Areas, problems: P.ProblemList) -> pd.Series:
    raw = table.frame["部门"]
    keys = normalize_key(raw)
    departments = keys.map(areas.department_lookup)
    _flag(problems, "department-missing", table, keys.isna(), "部门", raw)
    choices = "、".join(areas.department_names)
    _flag(
        problems, "department-unknown", table, keys.notna() & departments.isna(), "部门", raw, choices=choices
    )
    return departments


def _check_credentials(table: Table, as_of: date, problems: P.ProblemList) -> pd.Series:
    column = "执法证有效期至"
    if column not in table.frame:
        return pd.Series(None, index=table.frame.index, dtype=object)
    raw = table.frame[column]
    dates, bad = parse_dates(raw)
    _flag(problems, "credential-date-bad", table, bad, column, raw)
    _flag(problems, "credential-missing", table, dates.isna() & ~bad, column, raw)
    expired = dates.map(lambda d: isinstance(d, date) and d < as_of).astype(bool)
    _flag(problems, "credential-expired", table, expired, column, dates)
    return dates


def _check_duty(table: Table, problems: P.ProblemList) -> pd.Series:
    if "在岗状态" not in table.frame:
        return pd.Series(True, index=table.frame.index)
    raw = table.frame["在岗状态"]
    keys = normalize_key(raw)
    off = keys.isin(OFF_DUTY)
    _flag(problems, "duty-unknown", table, keys.notna() & ~off & ~keys.isin(ON_DUTY), "在岗状态", raw)
    return ~off


def _check_qualifications(table: Table, categories: set[str], problems: P.ProblemList) -> pd.Series:
    if "可检查类别" not in table.frame:
        return pd.Series(None, index=table.frame.index, dtype=object)
    parts = split_multi(table.frame["可检查类别"])
    exploded = parts.explode()
    unknown = exploded.notna() & ~exploded.isin(categories)
    if unknown.any():
        bad = exploded[unknown]
        problems.from_mask(
            "qualification-unknown",
            sheet=table.sheet,
            rows=list(table.excel_rows[bad.index]),
            column="可检查类别",
            values=list(bad),
            choices="、".join(sorted(categories)),
        )
    return parts.map(lambda p: "|" + "|".join(p) + "|" if p else None)


# --- recusals ----------------------------------------------------------------------------------


def _load_recusal_sheet(book: Workbook, problems: P.ProblemList) -> pd.DataFrame:
    sheet = _sheet(book, RECUSAL_SHEET, problems, required=False)
    table = read_table(book, sheet, RECUSAL_COLUMNS, RECUSAL_REQUIRED, problems) if sheet else None
    if table is None or table.frame.empty:
        return pd.DataFrame({"row": [], "badge": [], "uscc": [], "raw_uscc": []})
    raw_badges = table.frame["执法证号"]
    warn_number_cells(problems, table, "执法证号")
    frame = pd.DataFrame(
        {
            "row": table.excel_rows,
            "badge": split_badge_column(raw_badges),  # one row may name several inspectors
            "uscc": normalize_key(table.frame["统一社会信用代码"]).where(
                ~float_mask(table.frame["统一社会信用代码"]), None
            ),
            "raw_uscc": table.frame["统一社会信用代码"],
            "raw_badge": badge_display(raw_badges),
        }
    )
    # One row per (badge, code); a row without a badge keeps one empty badge, reported as unknown.
    frame["badge"] = frame["badge"].map(lambda badges: badges or [None])
    frame = frame.explode("badge", ignore_index=True)
    frame.attrs["sheet"] = table.sheet
    return frame


def _collect_recusals(registry: Registry) -> set[tuple[str, str]]:
    """Pairs from the 回避对象 column and the 回避关系 sheet; invalid or unknown codes reported."""
    known_codes = set(registry.entities["uscc"].dropna())
    known_badges = set(registry.inspectors["badge"].dropna())
    pairs: set[tuple[str, str]] = set()
    problems = registry.problems
    inspectors = registry.inspectors
    if "回避对象" in inspectors:
        listed = split_multi(inspectors["回避对象"])
        for row, badge, codes in zip(inspectors["row"], inspectors["badge"], listed, strict=True):
            for code in codes:
                pairs |= _one_recusal(
                    problems, INSPECTOR_SHEET, int(row), "回避对象", badge, code, known_codes
                )
    sheet_rows = registry.recusal_rows
    sheet = sheet_rows.attrs.get("sheet", RECUSAL_SHEET)
    record: Any  # itertuples() rows: columns row, badge, uscc, raw_uscc, raw_badge
    for record in sheet_rows.itertuples(index=False):
        if record.badge not in known_badges:
            problems.add(
                P.make(
                    "recusal-badge-unknown",
                    sheet=sheet,
                    row=int(record.row),
                    column="执法证号",
                    value=record.raw_badge if record.badge is None else record.badge,
                )
            )
            continue
        code = record.uscc if record.uscc is not None else str(record.raw_uscc)
        pairs |= _one_recusal(
            problems, sheet, int(record.row), "统一社会信用代码", record.badge, code, known_codes
        )
    return pairs


def _one_recusal(
    problems: P.ProblemList, sheet: str, row: int, column: str, badge: object, code: str, known: set[str]
) -> set[tuple[str, str]]:
    if not U.is_valid(code):
        problems.add(P.make("recusal-code-invalid", sheet=sheet, row=row, column=column, value=code))
        return set()
    if code not in known:
        problems.add(P.make("recusal-code-unknown", sheet=sheet, row=row, column=column, value=code))
    return {(str(badge), code)} if badge else set()
