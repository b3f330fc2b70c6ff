"""Column and value names as a source system writes them.

A file's column is read as an entity's column when its header names the
column itself, or one of its other names, in this order of precedence:

1. ``[import.columns.<entity>]`` in guanxi.toml (``客户编号 = "id"``);
2. the aliases a pack gives its fields (``guanxi.Field(aliases=...)``);
3. the core's default Chinese names, :data:`CORE_ALIASES`.

``[import.values.<entity>.<column>]`` maps a cell's whole text to the value
the importer reads (``个人 = "person"``) before it is converted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from guanxi.errors import ConfigError, ImportFileError, did_you_mean

__all__ = ["CORE_ALIASES", "check_import_config", "column_names", "header_test",
           "translate_header", "value_maps"]

_C, _M, _A = "客户编号", "客户经理", "账户编号"

#: entity -> Chinese name -> column: the core's columns as Chinese exports name them.
CORE_ALIASES: dict[str, dict[str, str]] = {
    "teams": {"小组编号": "id", "小组名称": "name", "区域": "territory", "组长": "leader_id"},
    "managers": {"工号": "id", "员工编号": "id", "姓名": "name", "小组编号": "team_id",
                 "岗位": "role", "区域": "territory", "级别": "class", "在岗": "active",
                 "离职日期": "left_at", "上级": "reports_to"},
    "customers": {_C: "id", "客户名称": "name", "客户类型": "kind", _M: "manager_id",
                  "区域": "territory", "客户状态": "status", "建档日期": "created_at"},
    "contacts": {"联系人编号": "id", _C: "customer_id", "姓名": "name", "职务": "role",
                 "级别": "seniority", "电话": "phone", "手机": "phone", "邮箱": "email",
                 "在职": "active", "开始日期": "started_at", "结束日期": "ended_at"},
    "accounts": {_A: "id", _C: "customer_id", "账户类型": "type", "账户状态": "status",
                 "开户日期": "opened_at", "销户日期": "closed_at"},
    "interactions": {"编号": "id", _C: "customer_id", "类型": "kind", "发生时间": "occurred_at",
                     _A: "account_id", _M: "manager_id", "渠道": "channel", "金额": "amount",
                     "结果": "outcome", "解决时间": "resolved_at"},
    "measurements": {_C: "customer_id", "指标": "metric", "期间": "period", "数值": "value",
                     _A: "account_id"},
    "customer_team": {_C: "customer_id", _M: "manager_id", "角色": "role",
                      "分成比例": "share"},
    "lists": {"名单": "list", _C: "customer_id", "加入日期": "added_at",
              "移出日期": "removed_at", "备注": "note"},
    "targets": {"指标": "kpi", "期间": "period", "范围": "scope", "目标": "target",
                "范围值": "scope_key"},
}


def _import_section(config) -> dict[str, Any]:
    section = config.sections.get("import", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{config.label}: [import] must be a table")
    return section


def check_import_config(config, entities: Mapping[str, Any], fields_of) -> None:
    """A bad ``[import]`` key is one sentence naming it; see the module docstring.

    :param fields_of: entity name -> its declared fields.
    """
    section = _import_section(config)
    for key in section:
        if key not in ("columns", "values"):
            raise ConfigError(f"{config.label}: unknown key [import] {key}"
                              f"{did_you_mean(key, ('columns', 'values'))}; allowed: columns, values")
    for kind in ("columns", "values"):
        for entity_name, table in section.get(kind, {}).items():
            where = f"[import.{kind}.{entity_name}]"
            if entity_name not in entities:
                raise ConfigError(f"{config.label}: {where} names no entity"
                                  f"{did_you_mean(entity_name, entities)}; "
                                  f"entities: {', '.join(sorted(entities))}")
            if not isinstance(table, dict):
                raise ConfigError(f"{config.label}: {where} must be a table")
            entity = entities[entity_name]
            columns = list(entity.columns) + [f.name for f in fields_of(entity_name)]
            for name, value in table.items():
                column = value if kind == "columns" else name
                if kind == "values" and not isinstance(value, dict):
                    raise ConfigError(f"{config.label}: {where} {name} must be a table of "
                                      'source value = "value"')
                if kind == "columns" and not isinstance(value, str):
                    raise ConfigError(f"{config.label}: {where} {name} = {value!r} must name "
                                      "a column as text")
                if column not in columns:
                    key = f"{where} {name}" + (f' = "{value}"' if kind == "columns" else "")
                    raise ConfigError(f"{config.label}: {key} names no column of "
                                      f"{entity_name}{did_you_mean(column, columns)}; "
                                      f"columns: {', '.join(columns)}")


def column_names(config, entity, fields: Sequence[Any]) -> dict[str, str]:
    """Other name -> column, for ``entity``: see the module docstring for the order."""
    columns = set(entity.columns) | {f.name for f in fields}
    names = {alias: column for alias, column in CORE_ALIASES.get(entity.name, {}).items()
             if entity.pack == "core" and column in columns}
    for field in fields:
        for alias in getattr(field, "aliases", ()):
            names[alias] = field.name
    mapped = _import_section(config).get("columns", {}).get(entity.name, {})
    names.update({str(k).strip(): v for k, v in mapped.items()})
    return names


def value_maps(config, entity_name: str) -> dict[str, dict[str, str]]:
    """Column -> source text -> the value read: ``[import.values.<entity>.<column>]``."""
    tables = _import_section(config).get("values", {}).get(entity_name, {})
    return {column: {str(k).strip(): str(v) for k, v in table.items()}
            for column, table in tables.items()}


def translate_header(header: Sequence[str], known: Sequence[str], names: Mapping[str, str],
                     source_name: str) -> list[str]:
    """The header as column names: a column's own name wins over another's alias."""
    known = set(known)
    translated = [h if h in known else names.get(h, h) for h in header]
    seen: dict[str, str] = {}
    for written, name in zip(header, translated):
        if name in seen:
            raise ImportFileError(
                f'{source_name}: columns "{seen[name]}" and "{written}" both name '
                f"the column {name}; keep one"
            )
        seen[name] = written
    return translated


def header_test(known: Sequence[str], names: Mapping[str, str]):
    """Whether a row is the header: see docs/import-formats.md, "The header row".

    At least one of its non-empty cells, and at least half of them, name a
    column of the entity (by its name or another name).
    """
    words = set(known) | set(names)

    def is_header(cells: Sequence[str | None]) -> bool:
        filled = [c.strip() for c in cells if c and not c.isspace()]
        hits = sum(1 for c in filled if c in words)
        return hits >= 1 and 2 * hits >= len(filled)

    return is_header
