"""The service machinery's tables: calendars, cases, visit plans, rotas, reports.

Kept beside :mod:`guanxi.storage.tables` on the same metadata (that module
imports this one), so the migrations and the schema test see one schema.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from guanxi.storage.tables import Key, metadata

# Days that differ from the configured week: holidays and make-up working
# days (调休), for the organization (calendar '') or one territory.
calendar_days = Table(
    "calendar_days",
    metadata,
    Column("calendar", Key, primary_key=True, server_default=""),
    Column("day", Date, primary_key=True),
    Column("working", Boolean, nullable=False),
    Column("note", String),
)

# Every day of the built range with its working-day number: "add N working
# days" in SQL is a lookup on ``seq``.
business_days = Table(
    "business_days",
    metadata,
    Column("calendar", Key, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("working", Boolean, nullable=False),
    Column("seq", Integer, nullable=False),
    Index(None, "calendar", "seq"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("policy", Key, nullable=False),
    Column("customer_id", Key, nullable=False, index=True),
    Column("interaction_id", Key),
    Column("owner_id", Key),
    Column("state", String, nullable=False, server_default="open"),
    Column("level", Integer, nullable=False, server_default=text("1")),
    Column("step", Integer, nullable=False, server_default=text("0")),
    Column("opened_at", DateTime, nullable=False),
    Column("responded_at", DateTime),
    Column("resolved_at", DateTime),
    Column("closed_at", DateTime),
    Column("called_back_at", DateTime),
    Column("paused_at", DateTime),
    Column("paused_hours", Float, nullable=False, server_default=text("0")),
    Column("response_due_at", DateTime),
    Column("resolution_due_at", DateTime),
    Column("callback_due_at", DateTime),
    Column("step_due_at", DateTime),
    Column("warned", Boolean, nullable=False, server_default=text("false")),
    Column("breached", Boolean, nullable=False, server_default=text("false")),
    Column("summary", Text),
    UniqueConstraint("policy", "interaction_id"),
    Index(None, "state", "policy"),
    Index(None, "owner_id", "state"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("actor_id", Key),
    Column("action", String, nullable=False),
    Column("step", String),
    Column("from_owner", Key),
    Column("to_owner", Key),
    Column("level", Integer),
    Column("note", Text),
)

plan_visits = Table(
    "plan_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cadence", Key, nullable=False),
    Column("week", String, nullable=False),
    Column("manager_id", Key, nullable=False),
    Column("day", Date, nullable=False),
    Column("customer_id", Key, nullable=False),
    Column("territory", String),
    Column("reason", Text, nullable=False),
    Column("task_id", Integer),
    # The cadence's visit kinds, comma-separated: what counts as the visit
    # done (closing its task, the on-plan-day KPI) without the pack loaded.
    Column("visit_kinds", String, nullable=False, server_default="visit"),
    UniqueConstraint("cadence", "week", "customer_id"),
    Index(None, "manager_id", "day"),
    Index(None, "week", "manager_id"),
)

rota_days = Table(
    "rota_days",
    metadata,
    Column("rota", Key, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("manager_id", Key, primary_key=True),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Key, nullable=False),
    Column("author_id", Key, nullable=False),
    Column("period", String, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("submitted_at", DateTime),
    Column("reviewed_at", DateTime),
    Column("reviewer_id", Key),
    Column("late", Boolean, nullable=False, server_default=text("false")),
    Column("note", Text),
    UniqueConstraint("kind", "author_id", "period"),
    Index(None, "due_on"),
)
