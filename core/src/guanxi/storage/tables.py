"""The core's tables, as SQLAlchemy Core metadata.

The Alembic migrations under ``migrations/versions`` create exactly this
schema; a test compares the two so they cannot drift. Indexes sit on what
commands filter by (a manager's customers and tasks, a customer's
interactions, a metric's period), so that a lookup at a million customers
stays on an index.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: Text keys compare by code point on both databases, so rankings and ties
#: come out the same: SQLite's BINARY collation does that; PostgreSQL needs "C".
Key = String().with_variant(String(collation="C"), "postgresql")


class _AttributesType(TypeDecorator):
    """JSON; JSONB on PostgreSQL, so that equal documents compare equal.

    Not ``JSON().with_variant(JSONB(), ...)``: that imports PostgreSQL's
    dialect when this module loads, which every command on SQLite paid at
    start. The dialect's type is looked up when a connection compiles one.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


#: Sector attributes.
Attributes = _AttributesType()
Money = Numeric(18, 2)
Figure = Numeric(20, 4)


def _attributes() -> Column:
    return Column("attributes", Attributes, nullable=False, server_default=text("'{}'"))


teams = Table(
    "teams",
    metadata,
    Column("id", Key, primary_key=True),
    Column("name", String, nullable=False),
    Column("territory", String),
    Column("leader_id", Key),
    _attributes(),
)

managers = Table(
    "managers",
    metadata,
    Column("id", Key, primary_key=True),
    Column("name", String, nullable=False),
    Column("team_id", Key, index=True),
    Column("role", String),
    Column("territory", String, index=True),
    Column("class", String),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("left_at", Date),
    Column("reports_to", Key),
    _attributes(),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Key, primary_key=True),
    Column("name", String, nullable=False),
    Column("kind", String, nullable=False, server_default="person"),
    Column("manager_id", Key, index=True),
    Column("territory", String, index=True),
    Column("status", String, nullable=False, server_default="active", index=True),
    Column("created_at", Date),
    _attributes(),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Key, primary_key=True),
    Column("customer_id", Key, nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("role", String),
    Column("seniority", String),
    Column("phone", String),
    Column("email", String),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("started_at", Date),
    Column("ended_at", Date),
    _attributes(),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Key, primary_key=True),
    Column("customer_id", Key, nullable=False, index=True),
    Column("type", String, nullable=False),
    Column("status", String),
    Column("opened_at", Date),
    Column("closed_at", Date),
    _attributes(),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", Key, primary_key=True),
    Column("customer_id", Key, nullable=False),
    Column("kind", String, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("account_id", Key),
    Column("manager_id", Key),
    Column("channel", String),
    Column("amount", Money),
    Column("outcome", String),
    Column("resolved_at", DateTime),
    _attributes(),
    Index(None, "customer_id", "occurred_at"),
    Index(None, "kind", "occurred_at"),
)

# One row per customer, metric, period and account ('' = the customer as a
# whole: a key column cannot be NULL). WITHOUT ROWID on SQLite: the natural
# key is the table, which loads faster and takes half the disk.
measurements = Table(
    "measurements",
    metadata,
    Column("customer_id", Key, primary_key=True),
    Column("metric", Key, primary_key=True),
    Column("period", Date, primary_key=True),
    Column("account_id", Key, primary_key=True, server_default=""),
    Column("value", Figure, nullable=False),
    Index(None, "metric", "period"),
    sqlite_with_rowid=False,
)

customer_team = Table(
    "customer_team",
    metadata,
    Column("customer_id", Key, primary_key=True),
    Column("manager_id", Key, primary_key=True, index=True),
    Column("role", String, primary_key=True),
    Column("share", Numeric(5, 4)),
)

list_members = Table(
    "list_members",
    metadata,
    Column("list", Key, primary_key=True),
    Column("customer_id", Key, primary_key=True, index=True),
    Column("added_at", Date),
    Column("removed_at", Date),
    Column("note", String),
)

# A list's earlier spells: list_members keeps each customer's latest (the
# importer's key is list and customer), and a member who left and joined
# again keeps the spell before here, so "on the list on day D" is known for
# every past day (engines/list_keeping.py).
list_spells = Table(
    "list_spells",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("list", Key, nullable=False),
    Column("customer_id", Key, nullable=False),
    Column("added_at", Date),
    Column("removed_at", Date, nullable=False),
    Column("note", String),
    Index(None, "customer_id", "list"),
)

targets = Table(
    "targets",
    metadata,
    Column("kpi", Key, primary_key=True),
    Column("period", String, primary_key=True),
    Column("scope", String, primary_key=True),
    Column("scope_key", Key, primary_key=True, server_default=""),
    Column("target", Figure, nullable=False),
)

ownership = Table(
    "ownership",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", Key, nullable=False, index=True),
    Column("manager_id", Key),
    Column("started_at", Date, nullable=False),
    Column("ended_at", Date),
    Column("reason", String),
)

# A customer merged into another (guanxi customers merge KEEP DROP): DROP's
# id points at KEEP, so an import naming DROP lands on KEEP (migration 0007).
customer_aliases = Table(
    "customer_aliases",
    metadata,
    Column("alias", Key, primary_key=True),
    Column("customer_id", Key, nullable=False, index=True),
    Column("merged_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
)

# Each account's status from a day on (the latest row on or before a day is
# the status that day): written by the importer when an account arrives or
# its status changes, or imported from a source system's own history.
account_status_history = Table(
    "account_status_history",
    metadata,
    Column("account_id", Key, primary_key=True),
    Column("started_on", Date, primary_key=True),
    Column("status", String, nullable=False),
    Column("source", String, nullable=False, server_default="file"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String, nullable=False),
    # NULL: a task of the manager's own, about no one customer (a report, an
    # analysis of a survey round); the manager is then required.
    Column("customer_id", Key, index=True),
    Column("manager_id", Key),
    Column("kind", String, nullable=False, server_default="task"),
    # A day task (all_day) is stored at 00:00 of its day and is on time all
    # that day; a timed one (an SLA clock) is due at its minute. True by
    # default: every insert that writes a day's midnight (the planner's
    # visit tasks) is a day task without saying so.
    Column("due_at", DateTime, nullable=False),
    Column("all_day", Boolean, nullable=False, server_default=text("true")),
    Column("priority", Integer, nullable=False, server_default=text("2")),
    Column("status", String, nullable=False, server_default="open"),
    Column("reason", Text, nullable=False),
    Column("dedupe_key", Key, nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("outcome", Text),
    Index(None, "manager_id", "status", "due_at"),
    Index(None, "rule", "status"),
    # A rule never makes a second open task for one customer and dedupe key.
    Index(
        "uq_tasks_open",
        "rule",
        "customer_id",
        "dedupe_key",
        unique=True,
        sqlite_where=text("status = 'open'"),
    ),
    # ... nor a second open task of a manager's own (NULLs are never equal
    # in the index above).
    Index(
        "uq_tasks_open_manager",
        "rule",
        "manager_id",
        "dedupe_key",
        unique=True,
        sqlite_where=text("status = 'open' AND customer_id IS NULL"),
    ),
)


def describe_postgresql() -> None:
    """Add what only PostgreSQL reads to the tables; called when it connects.

    A ``postgresql_*`` argument makes SQLAlchemy import PostgreSQL's dialect
    where the table is defined, which every command on SQLite paid at start
    (~25 ms of a 0.3 s budget).
    """
    for index in tasks.indexes:
        if index.name in ("uq_tasks_open", "uq_tasks_open_manager") \
                and "postgresql_where" not in index.dialect_kwargs:
            index.dialect_kwargs["postgresql_where"] = index.dialect_kwargs["sqlite_where"]

segments = Table(
    "segments",
    metadata,
    Column("segmentation", Key, primary_key=True),
    Column("customer_id", Key, primary_key=True, index=True),
    Column("label", Key, nullable=False),
    Column("score", Float),
    Column("reason", Text, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("manual", Boolean, nullable=False, server_default=text("false")),
    Index(None, "segmentation", "label"),
)

segment_history = Table(
    "segment_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segmentation", Key, nullable=False),
    Column("customer_id", Key, nullable=False),
    Column("old_label", Key),
    Column("new_label", Key),
    Column("changed_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Index(None, "customer_id", "segmentation"),
)

segment_overrides = Table(
    "segment_overrides",
    metadata,
    Column("segmentation", Key, primary_key=True),
    Column("customer_id", Key, primary_key=True),
    Column("label", Key, nullable=False),
    Column("reason", Text, nullable=False),
    Column("set_by", Key),
    Column("set_at", DateTime, nullable=False),
)

segment_locks = Table(
    "segment_locks",
    metadata,
    Column("segmentation", Key, primary_key=True),
    Column("period", String, primary_key=True),
    Column("locked_at", DateTime, nullable=False),
)

kpi_values = Table(
    "kpi_values",
    metadata,
    Column("kpi", Key, primary_key=True),
    Column("period", String, primary_key=True),
    Column("scope", String, primary_key=True),
    Column("scope_key", Key, primary_key=True),
    Column("value", Float),
    Column("target", Float),
    Column("unit", String, nullable=False, server_default=""),
    Column("computed_at", DateTime, nullable=False),
)

# The service machinery's tables join the same metadata (importing the module
# registers them), and are reachable from here so a query builder finds them
# as ``ctx.tables.cases`` too.
from guanxi.storage import service_tables  # noqa: E402
from guanxi.storage import access_tables  # noqa: E402,F401  (users, tokens, audit)

SERVICE_TABLES = ("business_days", "calendar_days", "case_events", "cases", "plan_visits",
                  "reports", "rota_days")


def __getattr__(name):
    # Resolved on use: service_tables imports this module first.
    if name in SERVICE_TABLES:
        return getattr(service_tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
