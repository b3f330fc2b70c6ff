"""KPIs by a declared customer field (``--by field:NAME``): each value of
the field is a scope key, customers without it are keyed '', and a name no
enabled pack declares on customers is a usage error that lists the declared
ones (the value pack's customer types use it)."""

from __future__ import annotations

import datetime as dt

import guanxi
import pytest
from sqlalchemy import func, literal, select

from guanxi.testing import kpi_rows_disagree


class Typed:
    @guanxi.hookimpl
    def guanxi_fields(self):
        return [guanxi.Field(name="segment_kind", entity="customers", type="text",
                             allowed=("retail", "wholesale"), description="Kind of buyer.")]

    @guanxi.hookimpl
    def guanxi_kpis(self):
        def query(ctx):
            c = ctx.tables.customers
            key = ctx.scope_key(c.c.id).label("scope_key")
            return select(key, func.count(c.c.id).label("value")).select_from(c).group_by(key)

        def rows(ctx):
            c = ctx.tables.customers
            return select(ctx.scope_key(c.c.id).label("scope_key"), c.c.id.label("row_id"),
                          literal(1).label("figure"), c.c.name.label("reason"))

        return [guanxi.Kpi(name="typed.count", title="Customers", description="Customers.",
                           query=query, rows=rows, unit="customers")]


@pytest.fixture
def ws(make_workspace):
    ws = make_workspace(extra_packs={"typed": Typed()})
    ws.save("customers", [
        {"id": "C1", "name": "A", "segment_kind": "retail"},
        {"id": "C2", "name": "B", "segment_kind": "retail"},
        {"id": "C3", "name": "C", "segment_kind": "wholesale"},
        {"id": "C4", "name": "D"},
    ])
    return ws


def test_a_kpi_by_a_customer_field_keys_each_value(ws):
    values = ws.kpi(["typed.count"], period="2026-10", by="field:segment_kind",
                    as_of=dt.date(2026, 10, 31))
    assert {v.scope_key: v.value for v in values} == {"": 1.0, "retail": 2.0, "wholesale": 1.0}
    assert {v.scope for v in values} == {"field:segment_kind"}
    assert kpi_rows_disagree(ws, "typed.count", period="2026-10", by="field:segment_kind") == []


def test_an_undeclared_field_is_a_usage_error_naming_the_declared_ones(ws):
    with pytest.raises(guanxi.UsageError,
                       match=r"no customer field 'segment_kin' .*did you mean 'segment_kind'.*"
                             r"declared customer fields: segment_kind"):
        ws.kpi(["typed.count"], period="2026-10", by="field:segment_kin")


def test_field_without_a_name_is_not_a_scope(ws):
    with pytest.raises(guanxi.UsageError, match="field:NAME"):
        ws.kpi(["typed.count"], period="2026-10", by="field")
