"""``guanxi pack new NAME``: a pack distribution that installs and passes its test.

The scaffold is a working pack, not a stub: a setting, a declared field,
one segmentation, one service rule, one KPI, demo data, a test on the
``guanxi.testing`` fixtures and a docs page. An integrator edits from
there.
"""

from __future__ import annotations

import re
from pathlib import Path

from guanxi.errors import GuanxiError, UsageError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

PYPROJECT = '''\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "guanxi-{name}"
version = "0.1.0"
description = "The {name} pack for guanxi."
requires-python = ">=3.10"
dependencies = ["guanxi"]

[project.entry-points.guanxi]
{name} = "guanxi_{name}"

[tool.setuptools.packages.find]
where = ["src"]
'''

MODULE = '''\
"""The {name} pack for guanxi: its settings, fields, segmentation, rule and KPI.

Enable it in guanxi.toml with ``packs = ["{name}"]``; see docs/{name}.md.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, case, cast, func, literal, select

import guanxi


@guanxi.hookimpl
def guanxi_config_options():
    return [
        guanxi.ConfigOption(name="visit.every_days", type="integer", default=30, minimum=1,
                            description="Days between visits to a customer."),
        guanxi.ConfigOption(name="value.high_revenue", type="number", default=10000,
                            minimum=0, description="Revenue over three closed months "
                                                   "from which a customer is high value."),
    ]


@guanxi.hookimpl
def guanxi_fields():
    return [guanxi.Field(name="{name}_focus", entity="customers", type="boolean",
                         description="The customer is one of the pack's focus customers.")]


def value_query(ctx):
    m = ctx.tables.measurements
    first, end = ctx.trailing_months(3)
    total = func.sum(m.c.value)
    high = ctx.config["value.high_revenue"]
    return (
        select(
            m.c.customer_id.label("customer_id"),
            case((total >= high, "high"), else_="low").label("label"),
            total.label("score"),
            ctx.reason("{name}.value", total=total, high=high).label("reason"),
        )
        .where(m.c.metric == "revenue", m.c.period >= first, m.c.period < end)
        .group_by(m.c.customer_id)
    )


def visit_query(ctx):
    c, i = ctx.tables.customers, ctx.tables.interactions
    last_visit = (
        select(func.max(ctx.date_of(i.c.occurred_at)))
        .where(i.c.customer_id == c.c.id, i.c.kind == "visit",
               ctx.date_of(i.c.occurred_at) <= ctx.today)
        .scalar_subquery()
    )
    since = func.coalesce(last_visit, c.c.created_at)
    days = ctx.days_between(since)
    return (
        select(
            c.c.id.label("customer_id"),
            ctx.due(3).label("due_at"),
            literal(2).label("priority"),
            ctx.reason("{name}.visit", since=since, days=days).label("reason"),
            literal("visit").label("kind"),
            func.coalesce(cast(since, String), "never").label("dedupe_key"),
        )
        .where(ctx.label("{name}.value", c.c.id) == "high",
               (since.is_(None)) | (days >= ctx.config["visit.every_days"]))
    )


def visits_query(ctx):
    i = ctx.tables.interactions
    start = dt.datetime.combine(ctx.period.start, dt.time())
    end = dt.datetime.combine(ctx.period.end, dt.time())
    key = ctx.scope_key(i.c.customer_id).label("scope_key")
    return (
        select(key, func.count().label("value"))
        .where(i.c.kind == "visit", i.c.occurred_at >= start, i.c.occurred_at < end)
        .group_by(key)
    )


@guanxi.hookimpl
def guanxi_segmentations():
    return [guanxi.Segmentation(
        name="{name}.value", title="Value", labels=("high", "low"), query=value_query,
        description="High or low by revenue over the last three closed months.",
        reasons={{"{name}.value": {{"en": "revenue {{total}} in three months (high from {{high}})",
                                   "zh": "近三个月收入 {{total}}（{{high}} 起为高）"}}}},
    )]


@guanxi.hookimpl
def guanxi_service_rules():
    return [guanxi.ServiceRule(
        name="{name}.visit", title="Visit high-value customers", kind="visit",
        query=visit_query, requires=("{name}.value",),
        description="A visit when a high-value customer's last visit is too long ago.",
        reasons={{"{name}.visit": {{"en": "high value, last visit {{since}}: {{days}} days ago",
                                   "zh": "高价值客户，上次走访 {{since}}，已 {{days}} 天"}}}},
    )]


@guanxi.hookimpl
def guanxi_kpis():
    return [guanxi.Kpi(name="{name}.visits", title="Visits", unit="visits", empty=0,
                       query=visits_query, description="Visits made in the period.")]


def demo_rows(ctx):
    focus = ({{"list": "{name}_focus", "customer_id": ctx.customer_id(n),
              "added_at": ctx.as_of - dt.timedelta(days=30), "removed_at": None,
              "note": "focus customer"}}
             for n in range(1, min(ctx.customers, 20) + 1))
    return {{"lists": focus}}


@guanxi.hookimpl
def guanxi_demo_data():
    return [guanxi.DemoData(name="{name}.focus", description="Puts twenty customers on the "
                            "{name}_focus list.", generate=demo_rows)]
'''

TEST = '''\
"""The {name} pack at its boundaries, on the guanxi.testing fixtures."""

import datetime as dt

import pytest

import guanxi_{name}


@pytest.fixture
def ws(make_workspace):
    return make_workspace(extra_packs={{"{name}": guanxi_{name}}},
                          settings={{"{name}.value": {{"high_revenue": 1000}}}})


def test_high_value_customer_without_a_visit_gets_one(ws):
    ws.save("managers", [{{"id": "M1", "name": "Manager"}}])
    ws.save("customers", [{{"id": "C1", "name": "High", "manager_id": "M1", "created_at": "2026-01-01"}},
                         {{"id": "C2", "name": "Low", "manager_id": "M1", "created_at": "2026-01-01"}}])
    ws.save("measurements", [
        {{"customer_id": "C1", "metric": "revenue", "period": "2026-10", "value": 1000}},
        {{"customer_id": "C2", "metric": "revenue", "period": "2026-10", "value": 999.99}},
    ])
    as_of = dt.date(2026, 11, 23)
    ws.segment(as_of=as_of)
    assert [s.label for s in ws.labels("C1") if s.segmentation == "{name}.value"] == ["high"]
    assert [s.label for s in ws.labels("C2") if s.segmentation == "{name}.value"] == ["low"]
    runs = ws.run_rules(["{name}.visit"], as_of=as_of)
    assert [(r.rule, r.created, r.existing) for r in runs] == [("{name}.visit", 1, 0)]
    (task,) = ws.tasks(rule="{name}.visit")
    assert (task.customer_id, task.manager_id, task.kind) == ("C1", "M1", "visit")
    assert task.reason == "high value, last visit 2026-01-01: 326 days ago"
'''

DOC = '''\
# The {name} pack

Enable it in `guanxi.toml`:

```toml
[guanxi]
packs = ["{name}"]

[{name}.visit]
every_days = 30          # days between visits to a high-value customer

[{name}.value]
high_revenue = 10000     # revenue over three closed months from which a customer is high value
```

## What it computes

- **{name}.value** (segmentation): `high` when a customer's revenue over the
  last three closed months reaches `value.high_revenue`, else `low`.
- **{name}.visit** (service rule): a visit task, due in three days, for each
  high-value customer whose last visit is `visit.every_days` or more days ago.
- **{name}.visits** (KPI): visits made in the period.

## Fields

| entity | field | type | meaning |
|---|---|---|---|
| customers | `{name}_focus` | boolean | one of the pack's focus customers |

## Developing

```sh
pip install -e .          # next to guanxi, in the same environment
pytest tests              # the guanxi.testing fixtures come with guanxi
```
'''


def new_pack(name: str, directory: Path) -> list[Path]:
    """Write the pack ``name`` into ``directory``; return the files written."""
    if not _NAME.match(name):
        raise UsageError(
            f"pack name {name!r} must be lower-case letters, digits and underscores, "
            "starting with a letter"
        )
    if directory.exists() and any(directory.iterdir()):
        raise GuanxiError(f"{directory} exists and is not empty; choose another --dir")
    files = {
        directory / "pyproject.toml": PYPROJECT,
        directory / "README.md": f"# guanxi-{name}\n\nThe {name} pack for guanxi. See docs/{name}.md.\n",
        directory / "src" / f"guanxi_{name}" / "__init__.py": MODULE,
        directory / "tests" / f"test_{name}.py": TEST,
        directory / "docs" / f"{name}.md": DOC,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name), encoding="utf-8")
    return list(files)
