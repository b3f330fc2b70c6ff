"""The generic demo base: managers in teams and territories, and customers.

Skewed and seasonal like real data: a few customers bring most revenue
(log-normal), revenue follows the seasons, most customers are in regular
contact while some fade and some are gone, one manager has left with his
customers still assigned, a few customers have no owner at all. Every
customer's properties come from a generator seeded by the run's seed and
the customer's number, so each entity's rows agree with the others' while
streaming one customer at a time.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

from guanxi.contributions import DemoData
from guanxi.demo_kit import (
    COMPANY,
    GIVEN,
    SURNAMES,
    managers,
    month_start,
    person_name,
    teams,
    territory_of_manager,
)


def _customer_rng(ctx, number: int) -> random.Random:
    return random.Random(ctx.seed * 7_368_787 + number)


class _Customer:
    """One customer's derived properties, the same for every entity."""

    def __init__(self, ctx, number: int) -> None:
        rng = _customer_rng(ctx, number)
        self.number = number
        self.id = ctx.customer_id(number)
        self.organization = rng.random() < 0.15
        if self.organization:
            self.name = f"{rng.choice(SURNAMES)}{rng.choice('华新泰安盛达')}{rng.choice(COMPANY)}有限公司"
        else:
            self.name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        owner = ctx.owner_number(number)
        self.unowned = rng.random() < 0.005
        self.manager = None if self.unowned else ctx.manager_id(owner)
        self.territory = territory_of_manager(owner)
        new = rng.random() < 0.02
        self.created = ctx.as_of - dt.timedelta(days=rng.randint(5, 60) if new else rng.randint(61, 6 * 365))
        roll = rng.random()
        self.profile = "regular" if roll < 0.6 else ("fading" if roll < 0.85 else "gone")
        self.status = rng.choices(["active", "dormant", "lost", "prospect"], [90, 5, 2, 3])[0]
        # Log-normal monthly revenue: a few customers bring most of it.
        self.revenue = math.exp(rng.gauss(7.0 if not self.organization else 9.0, 1.2))
        self.rng = rng


def _customers(ctx) -> Iterator[_Customer]:
    for number in range(1, ctx.customers + 1):
        yield _Customer(ctx, number)


def _customer_rows(ctx):
    for c in _customers(ctx):
        yield {"id": c.id, "name": c.name, "kind": "organization" if c.organization else "person",
               "manager_id": c.manager, "territory": c.territory, "status": c.status,
               "created_at": c.created}


def _contacts(ctx):
    for c in _customers(ctx):
        if not c.organization:
            continue
        for j in range(1, c.rng.randint(1, 3) + 1):
            yield {"id": f"{c.id}-P{j}", "customer_id": c.id,
                   "name": person_name(c.rng),
                   "role": c.rng.choice(["general manager", "finance", "purchasing", "operations"]),
                   "seniority": c.rng.choice(["senior", "middle", "staff"]),
                   "phone": f"13{c.rng.randint(0, 999_999_999):09d}", "active": True,
                   "started_at": c.created}


def _accounts(ctx):
    for c in _customers(ctx):
        for j in range(1, 2 + (c.rng.random() < 0.5)):
            opened = c.created + dt.timedelta(days=c.rng.randint(0, 30))
            yield {"id": f"{c.id}-A{j}", "customer_id": c.id,
                   "type": "service" if j == 1 else "subscription", "status": "open",
                   "opened_at": min(opened, ctx.as_of)}


KINDS = (("visit", 30), ("call", 35), ("transaction", 25), ("complaint", 3), ("feedback", 7))
CHANNELS = {"visit": "on site", "call": "phone", "transaction": "online", "complaint": "phone",
            "feedback": "wechat"}


def _interactions(ctx):
    kinds, weights = zip(*KINDS)
    for c in _customers(ctx):
        rng = c.rng
        if c.profile == "regular":
            newest, count = rng.randint(0, 60), rng.randint(3, 9)
        elif c.profile == "fading":
            newest, count = rng.randint(90, 330), rng.randint(1, 5)
        else:
            newest, count = rng.randint(366, 900), rng.randint(0, 2)
        age = (ctx.as_of - c.created).days
        for j in range(count):
            days = newest + j * rng.randint(7, 45)
            if days > age:
                break
            kind = rng.choices(kinds, weights)[0]
            at = dt.datetime.combine(ctx.as_of - dt.timedelta(days=days),
                                     dt.time(rng.randint(8, 18), rng.choice((0, 15, 30, 45))))
            yield {
                "id": f"{c.id}-I{j + 1}", "customer_id": c.id, "kind": kind, "occurred_at": at,
                "manager_id": c.manager if kind in ("visit", "call") else None,
                "channel": CHANNELS[kind],
                "amount": round(c.revenue * rng.uniform(0.1, 0.6), 2) if kind == "transaction" else None,
                "outcome": rng.choices(["positive", "neutral", "negative"], [50, 35, 15])[0]
                if kind in ("visit", "call") else None,
                # Recent complaints are often still open: the SLA clocks have work.
                "resolved_at": (at + dt.timedelta(hours=rng.randint(2, 120))
                                if kind == "complaint" and (days > 10 or rng.random() < 0.3)
                                else None),
            }


def _measurements(ctx):
    for c in _customers(ctx):
        # Twelve closed months and the month so far (the batch's KPIs are this month's).
        for back in range(12, -1, -1):
            period = month_start(ctx.as_of, back)
            if period < c.created.replace(day=1):
                continue
            season = 1 + 0.15 * math.sin(2 * math.pi * (period.month - 3) / 12)
            fade = 1.0 if c.profile == "regular" else (0.7 ** (12 - back) if c.profile == "fading" else 0.0)
            value = c.revenue * season * fade * c.rng.uniform(0.85, 1.15)
            if back == 0:
                value *= ctx.as_of.day / 30
            if value >= 1:
                yield {"customer_id": c.id, "metric": "revenue", "period": period,
                       "value": round(value, 2)}


def _customer_team(ctx):
    for c in _customers(ctx):
        if c.organization and c.manager and c.rng.random() < 0.2:
            partner = ctx.manager_id(ctx.owner_number(c.number + 1))
            if partner != c.manager:
                yield {"customer_id": c.id, "manager_id": partner, "role": "corporate_partner",
                       "share": 0.3}


def _lists(ctx):
    for c in _customers(ctx):
        if c.profile == "fading" and c.revenue > 5000:
            yield {"list": "watch", "customer_id": c.id, "added_at": ctx.as_of - dt.timedelta(days=14),
                   "note": "revenue falling"}
        elif c.organization and c.rng.random() < 0.03:
            yield {"list": "key_projects", "customer_id": c.id,
                   "added_at": ctx.as_of - dt.timedelta(days=60), "note": None}


def _targets(ctx):
    period = f"{ctx.as_of.year}-{ctx.as_of.month:02d}"
    for m in range(1, ctx.managers + 1):
        yield {"kpi": "core.interactions", "period": period, "scope": "manager",
               "scope_key": ctx.manager_id(m), "target": 80}
    yield {"kpi": "core.contact_coverage", "period": period, "scope": "all", "scope_key": None,
           "target": 0.5}


def generate(ctx):
    return {
        "teams": teams(ctx), "managers": managers(ctx), "customers": _customer_rows(ctx),
        "contacts": _contacts(ctx), "accounts": _accounts(ctx),
        "interactions": _interactions(ctx), "measurements": _measurements(ctx),
        "customer_team": _customer_team(ctx), "lists": _lists(ctx), "targets": _targets(ctx),
    }


BASE = DemoData(
    name="core.base",
    description="Managers in teams and territories; customers with contacts, accounts, "
                "interactions and a year of monthly revenue.",
    generate=generate,
)
