"""The provincial platform's import shape: ``plans/platform.yaml``, a column mapping the bureau edits.

The platform (国家企业信用信息公示系统（山西）, 双随机抽查结果) imports a workbook of fixed columns. Which
columns, in which order, under which names, is data: each entry of ``columns`` has a ``header`` (the
platform's column name) and either a ``field`` (which of jcdraw's data goes there, named in Chinese:
``messages.PLATFORM_FIELDS``) or a ``value`` (the same text on every row); ``values`` optionally
rewrites jcdraw's wording into the platform's (``{不定向抽查: 不定向}``; others pass as they are).
``sheet`` names the sheet; ``dates_as_text`` writes dates as ``2024-09-20`` text (the default: import
tools read text the same everywhere) or as Excel dates.

A ``plans/platform.yaml`` in the working folder replaces the shipped one, as plans do. The file is read
by the safe YAML reader; every mistake is said in Chinese with the file, the column (number and header)
and the setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jcdraw import messages
from jcdraw.errors import BadPlan
from jcdraw.plans.folders import plan_dirs
from jcdraw.plans.yaml_file import YamlTexts, read_yaml

FILE_NAME = "platform.yaml"
SETTINGS = ("sheet", "dates_as_text", "columns")
COLUMN_SETTINGS = ("header", "field", "value", "values")
TEXTS = YamlTexts(messages.PLATFORM_UNREADABLE, messages.PLATFORM_YAML_UNSAFE, messages.PLATFORM_YAML_ERROR)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlatformColumn(_Strict):
    header: str
    field: str | None = None  # a key of messages.PLATFORM_FIELDS' values (the Chinese name)
    value: str | None = None
    values: dict[str, str] = {}

    @property
    def source(self) -> str | None:
        """The internal field this column takes (``None``: a constant column)."""
        return FIELD_BY_NAME.get(self.field) if self.field is not None else None


class PlatformMapping(_Strict):
    sheet: str = "抽查结果"
    dates_as_text: bool = True
    columns: list[PlatformColumn] = Field(min_length=1)
    path: Path | None = None  # where it was read from (set by the loader)

    def uses(self, source: str) -> bool:
        """Whether some column takes the internal field ``source``."""
        return any(column.source == source for column in self.columns)


# Chinese field name (as written in platform.yaml) → the internal field of the export's rows.
FIELD_BY_NAME = {name: key for key, name in messages.PLATFORM_FIELDS.items()}


def platform_file() -> Path:
    """``plans/platform.yaml`` of the working folder, else the shipped one."""
    folders = plan_dirs()
    return next((d / FILE_NAME for d in folders if (d / FILE_NAME).is_file()), folders[-1] / FILE_NAME)


def load_platform_mapping(path: Path | None = None) -> PlatformMapping:
    """The column mapping in ``path`` (default ``platform_file()``); ``BadPlan`` in Chinese if wrong."""
    path = path or platform_file()
    raw = read_yaml(path, TEXTS)
    if not isinstance(raw, dict):
        raise _invalid(path, "", messages.PLATFORM_NOT_MAPPING)
    unknown = [key for key in raw if key not in SETTINGS]
    if unknown:
        detail = messages.PLATFORM_UNKNOWN_SETTING.format(value=unknown[0], choices="、".join(SETTINGS))
        raise _invalid(path, "", detail)
    columns = raw.get("columns")
    if not isinstance(columns, list) or not columns:
        raise _invalid(path, "", messages.PLATFORM_NO_COLUMNS)
    for number, column in enumerate(columns, 1):
        _check_column(path, number, column)
    _check_headers(path, columns)
    try:
        mapping = PlatformMapping.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        setting = ".".join(str(part) for part in first["loc"])
        raise _invalid(path, "", messages.PLATFORM_BAD_SETTING.format(setting=setting)) from None
    return mapping.model_copy(update={"path": path})


def _check_column(path: Path, number: int, column: Any) -> None:
    if not isinstance(column, dict):
        raise _invalid(
            path, messages.PLATFORM_WHERE_COLUMN.format(n=number, header="?"), messages.PLATFORM_COLUMN_SHAPE
        )
    header = column.get("header")
    where = messages.PLATFORM_WHERE_COLUMN.format(n=number, header=header if header is not None else "?")
    unknown = [key for key in column if key not in COLUMN_SETTINGS]
    if unknown:
        choices = "、".join(COLUMN_SETTINGS)
        raise _invalid(
            path, where, messages.PLATFORM_UNKNOWN_SETTING.format(value=unknown[0], choices=choices)
        )
    if not isinstance(header, str) or not header.strip():
        raise _invalid(path, where, messages.PLATFORM_EMPTY_HEADER)
    has_field, has_value = column.get("field") is not None, column.get("value") is not None
    if has_field == has_value:
        raise _invalid(path, where, messages.PLATFORM_FIELD_OR_VALUE)
    field = column.get("field")
    if has_field and field not in FIELD_BY_NAME:
        choices = "、".join(FIELD_BY_NAME)
        raise _invalid(path, where, messages.PLATFORM_UNKNOWN_FIELD.format(value=field, choices=choices))
    if has_value and not isinstance(column["value"], str | int | float):
        raise _invalid(path, where, messages.PLATFORM_VALUE_TEXT)
    values = column.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, str | int | float) for v in values.values()):
        raise _invalid(path, where, messages.PLATFORM_VALUES_SHAPE)
    if has_value:
        column["value"] = str(column["value"])  # a number written without quotes is still the text shown
    column["values"] = {str(k): str(v) for k, v in values.items()}


def _check_headers(path: Path, columns: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for number, column in enumerate(columns, 1):
        header = str(column["header"]).strip()
        if header in seen:
            where = messages.PLATFORM_WHERE_COLUMN.format(n=number, header=header)
            raise _invalid(path, where, messages.PLATFORM_DUPLICATE_HEADER.format(other=seen[header]))
        seen[header] = number
        column["header"] = header


def _invalid(path: Path, where: str, detail: str) -> BadPlan:
    return BadPlan(messages.PLATFORM_INVALID.format(path=path, where=where, detail=detail))
