"""The core's tables, public: what a pack's commands, demo summaries and reports query.

A query builder has them as ``ctx.tables``; code without a context (a
click command, a ``summary`` of demo data) imports them from here, never
from ``guanxi.storage``::

    from guanxi import tables

    select(tables.customers.c.id).where(tables.customers.c.manager_id == "M001")

The core's own data (customers ... kpi_values) and its service machinery
(cases and their events, plans, reports, rotas, business calendars). Read
them; write through the workspace (``ws.save``, ``ws.open_case`` ...), which
keeps the checks and hooks.
"""

from guanxi.storage.service_tables import (
    business_days,
    calendar_days,
    case_events,
    cases,
    plan_visits,
    reports,
    rota_days,
)
from guanxi.storage.tables import (
    accounts,
    contacts,
    customer_team,
    customers,
    interactions,
    kpi_values,
    list_members,
    managers,
    measurements,
    ownership,
    segment_history,
    segment_locks,
    segment_overrides,
    segments,
    targets,
    tasks,
    teams,
)

__all__ = [
    "accounts", "business_days", "calendar_days", "case_events", "cases", "contacts",
    "customer_team", "customers", "interactions", "kpi_values", "list_members", "managers",
    "measurements", "ownership", "plan_visits", "reports", "rota_days", "segment_history",
    "segment_locks", "segment_overrides", "segments", "targets", "tasks", "teams",
]
