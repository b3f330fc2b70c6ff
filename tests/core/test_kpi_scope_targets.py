"""A KPI's default target per scope (issue 16: a manager's monthly 20).

``guanxi.Kpi(scope_targets={"manager": 20})`` gives every manager key the
target 20; an imported target for a key and ``[targets]`` for the scope
come first, and scope ``all`` still takes ``target``."""

from __future__ import annotations

import datetime as dt

import guanxi
from sqlalchemy import func, select


class Counting:
    @guanxi.hookimpl
    def guanxi_kpis(self):
        def query(ctx):
            c = ctx.tables.customers
            key = ctx.scope_key(c.c.id).label("scope_key")
            return select(key, func.count().label("value")).select_from(c).group_by(key)

        return [guanxi.Kpi(name="counting.customers", title="Customers", description="count",
                           query=query, target=100, scope_targets={"manager": 20})]


def test_every_manager_gets_the_scope_target_unless_imported_or_configured(make_workspace):
    ws = make_workspace(extra_packs={"counting": Counting()})
    ws.save("managers", [{"id": "M1", "name": "A"}, {"id": "M2", "name": "B"}])
    ws.save("customers", [{"id": "C1", "name": "x", "manager_id": "M1"},
                          {"id": "C2", "name": "y", "manager_id": "M2"}])
    ws.save("targets", [{"kpi": "counting.customers", "period": "2026-11", "scope": "manager",
                         "scope_key": "M2", "target": 25}])
    as_of = dt.date(2026, 11, 30)
    by_manager = {v.scope_key: v.target
                  for v in ws.kpi(["counting.customers"], period="2026-11", by="manager",
                                  as_of=as_of)}
    overall = ws.kpi(["counting.customers"], period="2026-11", as_of=as_of)
    assert by_manager == {"M1": 20, "M2": 25}
    assert [v.target for v in overall] == [100]
    assert ws.kpi(["counting.customers"], period="2026-11", by="territory", as_of=as_of)[0].target \
        is None
