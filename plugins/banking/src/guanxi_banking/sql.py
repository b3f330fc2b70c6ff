"""Kept for kpis.py until the lead switches it; nothing else may import this.

banking's SQL helpers moved: the generic ones to the query kit (``ctx.*``,
docs/writing-a-pack.md "The query kit"), the banking ones to
:mod:`guanxi_banking.blocks`. Switch kpis.py's import to those, then delete
this file:

- ``midnight(day)`` -> ``ctx.at(day)``; ``as_of_end(ctx)`` -> ``ctx.at(ctx.as_of, 1)``
- ``hours_between(ctx, a, b)`` -> ``ctx.hours_between(a, b)``
- ``label_at(ctx, ...)`` / ``label_at_start(ctx, ...)`` -> ``ctx.label_at(...)`` / ``ctx.label_at_start(...)``
- ``date_attribute(ctx, t, name)`` -> ``ctx.attribute(t, name, "date")``
- ``service_table(ctx, name)`` -> ``ctx.tables.<name>``
- ``TIERS``, ``VALUED_*``, ``account_open``, ``manager_key`` -> ``guanxi_banking.blocks``
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, literal

from guanxi_banking.blocks import (  # noqa: F401 - re-exported for kpis.py
    TIERS,
    VALUED_CLASSES,
    VALUED_TIERS,
    account_open,
    manager_key,
)


def midnight(day: dt.date):
    return literal(dt.datetime.combine(day, dt.time()), DateTime)


def as_of_end(ctx):
    return ctx.at(ctx.as_of, 1)


def hours_between(ctx, start, end):
    return ctx.hours_between(start, end)


def label_at(ctx, segmentation: str, customer_id, day):
    return ctx.label_at(segmentation, customer_id, day)


def label_at_start(ctx, segmentation: str, customer_id):
    return ctx.label_at_start(segmentation, customer_id)


def date_attribute(ctx, table, name: str):
    return ctx.attribute(table, name, "date")


def service_table(ctx, name: str):
    return getattr(ctx.tables, name)
