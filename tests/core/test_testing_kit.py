"""guanxi.testing as pack authors use it (issue 14): DataBuilder's defaults and
time of day, and rule_id_sites, which finds a rule ID where it is carried out
and not where a docstring lists it."""

from __future__ import annotations

import datetime as dt
import types

import sqlalchemy as sa

import guanxi
from guanxi.storage import tables as t
from guanxi.testing import DataBuilder, rule_id_sites


def test_a_builder_fills_its_defaults_and_a_row_overrides_them(workspace):
    build = DataBuilder(workspace, defaults={
        "customers": {"manager_id": "M1", "created_at": dt.date(2020, 1, 1)}},
        time_of_day=dt.time(10))
    build.manager("M1")
    build.manager("M2")
    assert build.customer("C1") == {"manager_id": "M1", "created_at": dt.date(2020, 1, 1),
                                    "id": "C1", "name": "Customer C1"}
    build.customer("C2", manager_id="M2", created_at=dt.date(2026, 11, 30))
    build.interaction("I1", "C1", "visit", dt.date(2026, 11, 23))
    build.interaction("I2", "C1", "visit", dt.datetime(2026, 11, 23, 23, 59))
    owners = {c.id: (c.manager_id, c.created_at.date() if isinstance(c.created_at, dt.datetime)
                     else c.created_at) for c in workspace.customers()}
    assert owners == {"C1": ("M1", dt.date(2020, 1, 1)), "C2": ("M2", dt.date(2026, 11, 30))}
    with workspace.engine.connect() as conn:
        times = dict(conn.execute(sa.select(t.interactions.c.id, t.interactions.c.occurred_at)
                                  .order_by(t.interactions.c.id)).all())
    # A date is 10:00 that day; a datetime stays as given (23:59 is not moved).
    assert times == {"I1": dt.datetime(2026, 11, 23, 10), "I2": dt.datetime(2026, 11, 23, 23, 59)}


def test_a_builder_without_a_time_of_day_keeps_a_date_as_given(workspace):
    build = DataBuilder(workspace)
    build.customer("C1")
    build.interaction("I1", "C1", "call", dt.date(2026, 11, 23))
    with workspace.engine.connect() as conn:
        (when,) = conn.execute(sa.select(t.interactions.c.occurred_at)).scalars().all()
    assert when == dt.datetime(2026, 11, 23, 0, 0)


def _rule_pack(description: str, comment_in_query: bool):
    def query(ctx):
        c = t.customers
        # XP-DONE: a customer with no name is asked for one.
        return sa.select(c.c.id.label("customer_id"), ctx.due(1).label("due_at"),
                         sa.literal(1).label("priority"), sa.literal("no name").label("reason")
                         ).where(c.c.name == "")

    def quiet(ctx):
        c = t.customers
        return sa.select(c.c.id.label("customer_id"), ctx.due(1).label("due_at"),
                         sa.literal(1).label("priority"), sa.literal("no name").label("reason")
                         ).where(c.c.name == "")

    module = types.ModuleType("xp_pack", "The xp pack: rules XP-DOC and XP-DONE.")

    @guanxi.hookimpl
    def guanxi_service_rules():
        return [guanxi.ServiceRule(name="xp.names", title="Names", description=description,
                                   query=query if comment_in_query else quiet)]

    module.guanxi_service_rules = guanxi_service_rules
    return module


def test_a_rule_id_only_a_docstring_lists_is_implemented_nowhere(make_workspace):
    ws = make_workspace(extra_packs={"xp": _rule_pack("Ask for a name.", False)})
    assert rule_id_sites(ws, "xp", "XP-DOC") == []
    assert rule_id_sites(ws, "xp", "XP-DONE") == []


def test_a_rule_id_in_a_description_or_a_query_is_a_site(make_workspace):
    ws = make_workspace(extra_packs={"xp": _rule_pack("XP-DOC: ask for a name.", True)})
    assert rule_id_sites(ws, "xp", "XP-DOC") == ["xp.names"]
    assert rule_id_sites(ws, "xp", "XP-DONE") == ["xp.names"]
    # Another pack's contributions are not this one's sites.
    assert rule_id_sites(ws, "core", "XP-DONE") == []
