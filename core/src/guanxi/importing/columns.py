"""How a file's header maps onto an entity: the column plan.

The plan is built once per file from the header, before any row is read,
so a missing required column or an unknown one fails before anything is
written. Each planned column knows its converter, allowed values and
bounds, so converting a row is a loop over prepared closures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Numeric

from guanxi.errors import ImportFileError, did_you_mean
from guanxi.importing.values import converter_for
from guanxi.periods import at_grain, parse_period, read_period


def column_type(entity, name: str) -> str:
    """The value type of an entity column: declared override, else from the table."""
    if name in entity.types:
        return entity.types[name]
    sql_type = entity.table.c[name].type
    for klass, word in (
        (Boolean, "boolean"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Integer, "integer"),
        (Numeric, "decimal"),
        (Float, "decimal"),
        (JSON, "json"),
    ):
        if isinstance(sql_type, klass):
            return word
    return "text"


def _period_converter(kind: str, by_grain: bool = False) -> Callable[[str | None], Any]:
    """A cell of a ``period`` column (its label) or a ``period_start`` one (its first day).

    ``by_grain``: the row's metric decides the grain, so the cell is read as
    written (a date is its day) and :func:`guanxi.importing.vectors.to_grain`
    maps it once the metric is known. A target's date means the month that
    holds it: KPIs are figured by month, quarter or year.
    """
    def convert(text: str | None):
        if text is None or not text.strip():
            return None
        if by_grain:
            return read_period(text)
        if kind == "period":
            period = parse_period(text)
            if period.grain == "day":
                period = at_grain(period, "month")
            return period.label
        return parse_period(text).start

    return convert


@attrs.frozen(kw_only=True)
class PlannedColumn:
    name: str
    index: int  # position in the file's rows
    type: str
    is_field: bool
    required: bool
    convert: Callable[[str | None], Any]
    allowed: tuple = ()
    bounds: tuple | None = None
    #: a key column the table cannot hold as NULL: an empty cell becomes ''.
    empty_as_blank: bool = False
    #: what an empty cell means in a column the table cannot hold as NULL
    #: but has a default for (a customer's kind, a manager's active).
    default: Any = None
    #: a period column whose grain the row's metric says: the column naming
    #: the metric, and each declared metric's grain.
    grain_column: str | None = None
    grains: Any = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ColumnPlan:
    entity: Any
    header: tuple[str, ...]
    columns: tuple[PlannedColumn, ...]  # table columns first, then fields

    @property
    def table_columns(self) -> list[PlannedColumn]:
        return [c for c in self.columns if not c.is_field]

    @property
    def field_columns(self) -> list[PlannedColumn]:
        return [c for c in self.columns if c.is_field]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def build_plan(entity, header: Sequence[str], fields: Sequence[Any], pm, tz: ZoneInfo,
               source_name: str, aliases: Mapping[str, str] | None = None) -> ColumnPlan:
    """Check the header against the entity and its declared fields; plan each column.

    ``aliases`` (other name -> column, :mod:`.mapping`) join the "did you
    mean" of an unknown column.
    """
    by_field = {f.name: f for f in fields}
    known = list(entity.columns) + [f for f in by_field if f not in entity.columns]
    unknown = [h for h in header if h not in entity.columns and h not in by_field]
    required = list(entity.required) + [f.name for f in fields if f.required]
    missing = [r for r in required if r not in header]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"misses the required column(s) {', '.join(missing)}")
        if unknown:
            hint = (f"; extra columns must be fields declared by an enabled pack or in "
                    f"guanxi.toml [fields.{entity.name}]" if entity.attributes else "")
            names = [*known, *(aliases or {})]
            named = ", ".join(f"{h}{_suggest(h, names, aliases or {})}" for h in unknown)
            parts.append(f"has unknown column(s) {named} (allowed: {', '.join(known)}{hint})")
        raise ImportFileError(
            f"{source_name}: the header {' and '.join(parts)}; nothing was imported"
        )
    if not entity.attributes and any(h in by_field for h in header):
        raise ImportFileError(f"{source_name}: the entity {entity.name} takes no fields")
    position = {name: i for i, name in enumerate(header)}
    planned = []
    for name in entity.columns:
        column = entity.table.c[name]
        blankable = column.primary_key and column.server_default is not None
        if name not in position:
            # A key column a file may leave out (a measurement's account_id)
            # is still planned, as an empty cell past the row's end: the
            # whole-file checks and the upsert match on the full key.
            if not (blankable and name in entity.key):
                continue
            position[name] = len(header)
        kind = column_type(entity, name)
        allowed = entity.allowed.get(name, ())
        if callable(allowed):
            allowed = tuple(allowed(pm))
        # A measurement's period is read at its metric's grain (2026-11-30 for
        # a monthly metric is November): the metric column comes first.
        by_grain = kind == "period_start" and "metric" in entity.columns
        grains = {name: metric.grain for name, metric in pm.metrics().items()} if by_grain else {}
        if kind.startswith("period"):
            convert = _period_converter(kind, by_grain)
        elif kind == "decimal" and tuple(entity.bounds.get(name, ())) == (0, 1):
            # A share column (a team member's credit share) also reads 12.5%.
            convert = converter_for("share", tz)
        else:
            convert = converter_for(kind, tz)
        default = None
        if not column.nullable and not blankable and column.server_default is not None:
            arg = column.server_default.arg
            default = convert(arg if isinstance(arg, str) else arg.text)
        planned.append(
            PlannedColumn(
                name=name,
                index=position[name],
                type=kind,
                is_field=False,
                required=name in entity.required,
                convert=convert,
                allowed=tuple(allowed),
                bounds=entity.bounds.get(name),
                empty_as_blank=blankable,
                default=default,
                grain_column="metric" if by_grain else None,
                grains=grains,
            )
        )
    for field in fields:
        if field.name not in position:
            continue
        planned.append(
            PlannedColumn(
                name=field.name,
                index=position[field.name],
                type=field.type,
                is_field=True,
                required=field.required,
                convert=converter_for(field.type, tz),
                allowed=tuple(field.allowed),
                bounds=(0, 1) if field.type == "share" else None,
            )
        )
    return ColumnPlan(entity=entity, header=tuple(header), columns=tuple(planned))


def _suggest(name: str, names: Sequence[str], aliases: Mapping[str, str]) -> str:
    """`` (did you mean '客户名称', read as name?)`` when the closest is another name."""
    hint = did_you_mean(name, names)
    for alias, column in aliases.items():
        if hint == f" (did you mean {alias!r}?)" and alias != column:
            return f" (did you mean {alias!r}, read as {column}?)"
    return hint
