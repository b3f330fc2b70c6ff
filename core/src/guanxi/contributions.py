"""The frozen records a pack returns from its contribution hooks.

Each record names itself; the core stamps ``pack`` with the pack that returned
it, so every listing and error says where a field, a segmentation or a KPI
came from, and two records with one name are rejected naming both packs.

The records are plain data; behaviour (a query builder, a demo generator, a
click command) is a callable the record carries, which the engines call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

#: The value types a field, an entity column or a config option may declare.
#: ``share``: a decimal from 0 to 1, also written as a percentage (12.5%);
#: ``cn_ric``, ``cn_uscc``, ``cn_mobile``: identity numbers, checked and
#: shown masked (docs/import-formats.md, guanxi.masking).
FIELD_TYPES = ("text", "integer", "decimal", "share", "boolean", "date", "datetime",
               "cn_ric", "cn_uscc", "cn_mobile")
CONFIG_TYPES = ("text", "integer", "number", "boolean", "date", "text list", "number list")

from guanxi.record_checks import as_tuple as _tuple
from guanxi.record_checks import dotted_name as _dotted_name
from guanxi.record_checks import option_name as _option_name
from guanxi.record_checks import plain_name as _plain_name


@attrs.frozen(kw_only=True)
class ConfigOption:
    """One setting of a pack, read from the pack's section of ``guanxi.toml``.

    ``name`` is dotted below the pack's section: the option ``abc.a_share``
    of the pack ``banking`` is written ``[banking.abc] a_share = 0.15``.
    ``check``, for what type, bounds and allowed values cannot say, is
    called with a value the file sets (after those checks) and returns
    what is wrong with it, completing "... = VALUE ___" ("must be 1 to 29
    different numbers"), or ``None`` when it is right.
    """

    name: str = attrs.field(validator=_option_name)
    type: str = attrs.field(validator=attrs.validators.in_(CONFIG_TYPES))
    default: Any
    description: str
    allowed: tuple = attrs.field(default=(), converter=_tuple)
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], str | None] | None = None
    pack: str = ""


@attrs.frozen(kw_only=True)
class Field:
    """A sector attribute of a core entity (stored in its ``attributes``).

    The importer accepts a column of this name for ``entity``, converts it
    to ``type``, checks ``allowed`` and ``required``; ``guanxi fields``
    lists it; engines read it through the context's ``attribute`` helper.
    """

    name: str = attrs.field(validator=_plain_name)
    entity: str = attrs.field(validator=_plain_name)
    type: str = attrs.field(validator=attrs.validators.in_(FIELD_TYPES))
    description: str = ""
    allowed: tuple = attrs.field(default=(), converter=_tuple)
    required: bool = False
    pack: str = ""
    #: other names a source system's export gives the column (Chinese
    #: headers such as 风险等级); the importer reads them as ``name``.
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen(kw_only=True, eq=False)
class Entity:
    """Something the one importer reads and the exporter writes.

    :param table: the SQLAlchemy ``Table`` rows land in.
    :param columns: the canonical columns in file order; each must be a
        column of ``table``. Their types come from the table.
    :param key: the columns rows upsert by (``id``, or a natural key).
    :param required: columns a file must have and a row must fill.
    :param allowed: column -> the values it may take, or a callable that
        receives the plugin manager and returns them (measurement metrics
        are whatever the enabled packs declare).
    :param references: column -> the entity its value must name (checked
        against the database and the same file).
    :param types: column -> a value type overriding the one the table
        implies: ``period`` (stored as its label, ``2026-10``) or
        ``period_start`` (stored as the period's first day).
    :param bounds: column -> (minimum, maximum), inclusive; None for open.
    :param attributes: the JSON column that holds declared fields, or None
        when the entity takes no fields.
    :param order: entities import in this order in the demo (references
        first).
    """

    name: str = attrs.field(validator=_plain_name)
    table: Any
    columns: tuple = attrs.field(converter=_tuple)
    key: tuple = attrs.field(converter=_tuple)
    required: tuple = attrs.field(default=(), converter=_tuple)
    allowed: Mapping[str, Any] = attrs.field(factory=dict)
    references: Mapping[str, str] = attrs.field(factory=dict)
    types: Mapping[str, str] = attrs.field(factory=dict)
    bounds: Mapping[str, tuple] = attrs.field(factory=dict)
    attributes: str | None = None
    description: str = ""
    order: int = 100
    pack: str = ""

    @columns.validator
    def _columns_in_table(self, attribute, value):
        missing = [c for c in value if c not in self.table.c]
        if missing:
            raise ValueError(
                f"entity {self.name!r} names columns its table {self.table.name!r} "
                f"does not have: {', '.join(missing)}"
            )


METRIC_GRAINS = ("day", "month")
METRIC_AGGREGATES = ("sum", "avg", "last")


@attrs.frozen(kw_only=True)
class Metric:
    """A periodic figure measurements may carry (AUM, kWh, cartons).

    :param grain: ``day`` or ``month``: what one measurement's period is.
    :param aggregate: how periods roll up: ``sum`` (kWh), ``avg`` or
        ``last`` (a balance).
    """

    name: str = attrs.field(validator=_plain_name)
    title: str
    grain: str = attrs.field(default="month", validator=attrs.validators.in_(METRIC_GRAINS))
    aggregate: str = attrs.field(default="sum", validator=attrs.validators.in_(METRIC_AGGREGATES))
    unit: str = ""
    description: str = ""
    pack: str = ""


@attrs.frozen(kw_only=True, eq=False)
class Schema:
    """Tables a pack adds, with the Alembic migrations that create them.

    :param metadata: the pack's own ``MetaData`` (never the core's).
    :param migrations: directory of the pack's Alembic revisions; its first
        revision carries ``branch_labels = ("<pack>",)`` and
        ``depends_on = "0001"`` (the core's first revision) so each pack is
        its own branch, with its own version table.
    """

    name: str = attrs.field(validator=_plain_name)
    metadata: Any
    migrations: str
    pack: str = ""


@attrs.frozen(kw_only=True, eq=False)
class Segmentation:
    """Labels every served customer; run by the segmentation engine.

    ``query(ctx)`` returns a ``Select`` of
    ``(customer_id, label, score, reason)``. ``reason`` is plain text or,
    better, ``ctx.reason(key, **figures)``; ``reasons`` maps each key to its
    template, ``"text"`` or ``{"en": ..., "zh": ...}``, with ``{figure}``
    placeholders.
    """

    name: str = attrs.field(validator=_dotted_name)
    title: str
    description: str
    query: Callable[[Any], Any]
    labels: tuple = attrs.field(default=(), converter=_tuple)
    requires: tuple = attrs.field(default=(), converter=_tuple)
    reasons: Mapping[str, Any] = attrs.field(factory=dict)
    #: label -> named list (名单制) the segmentation keeps: customers with the
    #: label join it, dated the as-of day, and leave it when they lose the
    #: label (POWER-CREDIT's 失信名单); see :mod:`guanxi.engines.list_keeping`.
    keeps_lists: Mapping[str, str] = attrs.field(factory=dict)
    pack: str = ""


@attrs.frozen(kw_only=True, eq=False)
class ServiceRule:
    """Creates tasks for managers; run by the rule engine.

    ``query(ctx)`` returns a ``Select`` of
    ``(customer_id, due_at, priority, reason)`` and optionally
    ``manager_id``, ``kind``, ``dedupe_key`` and ``all_day`` columns. A
    ``due_at`` of SQL type ``Date`` (``ctx.due(3)``, ``ctx.day_at(day)``) makes
    a task due on that day, on time all of it; a ``DateTime``
    (``ctx.due(1, 17)``) one due at that time; ``all_day`` says it per row.
    A row with a NULL ``customer_id`` is a task of the manager's own (a
    report, an analysis): its ``manager_id`` is then required. With
    ``adds_to_list`` the selected customers also go onto that named list.
    """

    name: str = attrs.field(validator=_dotted_name)
    title: str
    description: str
    query: Callable[[Any], Any]
    kind: str = "task"
    requires: tuple = attrs.field(default=(), converter=_tuple)
    reasons: Mapping[str, Any] = attrs.field(factory=dict)
    #: a named list (名单制) every customer the rule selects is put on, dated
    #: the as-of day, unless already a member (BANK-CHURN's watch list).
    adds_to_list: str | None = None
    pack: str = ""


@attrs.frozen(kw_only=True)
class RecordRule:
    """Adds records to a pack's own table; run by the daily batch after the service rules.

    ``query(ctx)`` returns a ``Select`` whose columns are named after
    columns of ``table`` (a table of the pack's :class:`Schema`) and include
    every column of ``key``. Rows whose key is already in the table are left
    alone, so a rerun the same day adds nothing; rows of customers the pack
    does not serve (a ``customer_id`` column) are never added. Made for
    records that are not tasks: an outage notice per customer (POWER-OUTAGE).
    """

    name: str = attrs.field(validator=_dotted_name)
    title: str
    description: str
    table: Any
    key: tuple = attrs.field(converter=_tuple)
    query: Callable[[Any], Any]
    requires: tuple = attrs.field(default=(), converter=_tuple)
    pack: str = ""


KPI_SCOPES = ("all", "manager", "team", "territory", "segment", "list", "field")
#: What the rows behind a KPI's value are.
ROW_KINDS = ("customer", "task", "case", "interaction", "account", "measurement", "manager",
             "team", "visit", "report", "other")
#: How a KPI's rows make its value (see :class:`Kpi`).
COMBINES = ("sum", "ratio", "other")


@attrs.frozen(kw_only=True, eq=False)
class Kpi:
    """A figure per period and scope; run by the KPI engine.

    ``query(ctx)`` returns a ``Select`` of ``(scope_key, value)``. ``target``
    is scope ``all``'s default target, ``scope_targets`` each key's by scope
    (``{"manager": 20}``); imported targets and ``[targets]`` come first.
    ``shown_only``: reported, never with a target (POWER's complaints).
    ``empty``: scope ``all``'s value when the select finds nothing (0 for a
    count; None for a rate, then undefined).

    **The rows behind a value.** ``rows(ctx)`` returns a ``Select`` of
    ``(scope_key, row_id, figure, reason)`` and optionally ``weight``, with
    the same context as ``query``: one row per thing the KPI counts
    (``row_kind``: a customer, a task, a case, ...), what it adds to the
    value (``figure``) and why (``reason``, a ``ctx.reason`` or text).
    ``combine`` says how the rows make the value, so a test can hold the
    two together: ``sum`` (the value is the sum of the figures: counts,
    amounts), ``ratio`` (sum of figures / sum of weights, weight 1 when
    not given: shares, means, rates), or ``other`` (percentiles and the
    like: the rows are listed, not summed). ``reasons`` maps each reason
    key the rows use to its ``{"en": ..., "zh": ...}`` templates, as a
    service rule's do. ``guanxi kpi NAME --explain`` lists the rows.
    """

    name: str = attrs.field(validator=_dotted_name)
    title: str
    description: str
    query: Callable[[Any], Any]
    unit: str = ""
    target: float | None = None
    scope_targets: Mapping[str, float] = attrs.field(factory=dict, converter=dict)
    empty: float | None = None
    shown_only: bool = False
    higher_is_better: bool = True
    scopes: tuple = attrs.field(default=KPI_SCOPES, converter=_tuple)
    requires: tuple = attrs.field(default=(), converter=_tuple)
    rows: Callable[[Any], Any] | None = None
    reasons: Mapping[str, Any] = attrs.field(factory=dict)
    row_kind: str = attrs.field(default="customer", validator=attrs.validators.in_(ROW_KINDS))
    combine: str = attrs.field(default="sum", validator=attrs.validators.in_(COMBINES))
    #: why a ``shown_only`` figure carries no target: the reason a target set
    #: on it (in ``[targets]`` or an imported targets file) is refused with.
    shown_reason: str = ""
    pack: str = ""


@attrs.frozen(kw_only=True, eq=False)
class CustomerFilter:
    """Which customers a pack serves, so packs on one base keep to their own.

    ``condition(ctx, customers)`` returns a SQL condition on the customers
    table (by ``kind``, territory or a declared field). The engines keep the
    pack's segmentations and rules to customers meeting any of its filters;
    its KPIs use ``ctx.served(customer_id)``. A pack without a filter
    serves every customer.
    """

    name: str = attrs.field(validator=_dotted_name)
    description: str
    condition: Callable[[Any, Any], Any]
    pack: str = ""


@attrs.frozen(kw_only=True, eq=False)
class Command:
    """A click command or group the pack adds to ``guanxi``."""

    name: str = attrs.field(validator=_plain_name)
    command: Any
    pack: str = ""


@attrs.frozen(kw_only=True, eq=False)
class DemoData:
    """Generates the pack's part of the demo base.

    ``generate(ctx)`` (ctx: a :class:`guanxi.demo.DemoContext`) returns a
    mapping of entity name -> iterable of row dicts in the entity's
    canonical columns and declared fields, every row of one entity with the
    same keys (a column a file leaves out is left alone on update); the
    demo writes them as files and imports them with the real importer.

    ``summary(workspace, ctx)``, when given, is called once the demo has
    imported the files, run the batch a fortnight ago and today, built next
    week's plan and printed the core's summary; the text it returns is
    printed after the core's. It may first record through the workspace's API
    what files cannot carry (case steps, reports handed in) to show figures.
    """

    name: str = attrs.field(validator=_dotted_name)
    description: str
    generate: Callable[[Any], Mapping[str, Any]]
    summary: Callable[[Any, Any], str] | None = None
    pack: str = ""


@attrs.frozen(kw_only=True)
class Rejection:
    """A row a validation hook refuses: the importer writes it to rejects.

    ``index`` is the row's position in the batch it was handed.
    """

    index: int
    column: str
    value: Any
    reason: str


@attrs.frozen(kw_only=True, eq=False)
class RecordBatch:
    """Rows handed to a lifecycle hook: one call per batch, never per row.

    :param entity: the entity name (``customers``, ``accounts``, ...).
    :param columns: the names of the values in each row, canonical columns
        first, then declared fields.
    :param rows: a list of tuples of converted values (dates as ``date``).
    :param lines: the source line of each row, for messages.
    :param connection: during ``after_*_saved``, the connection of the
        transaction the rows were written in; ``None`` while validating.
    """

    entity: str
    columns: tuple
    rows: list
    lines: list = attrs.field(factory=list)
    connection: Any = None

    def dicts(self):
        """Each row as a dict keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]


# The service machinery's records live beside these; importable from here as before.
from guanxi.service_records import (  # noqa: E402,F401
    DEFAULT_ESCALATIONS,
    REPORT_GRAINS,
    CasePolicy,
    CaseStep,
    Escalation,
    ReportKind,
    VisitCadence,
)
