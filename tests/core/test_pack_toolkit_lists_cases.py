"""Toolkit parts the power pack asked for, on an inline pack: a segmentation that
keeps a named list (``keeps_lists``), case policies that split one interaction
kind by customer (``applies_to``) and list some customers' cases first
(``first_when``), and a shown-only KPI whose targets are refused with its reason
(``shown_reason``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import literal, select

import guanxi
from guanxi import tables
from guanxi.testing import current_labels

AS_OF = dt.date(2026, 11, 20)
OPENED = dt.datetime(2026, 11, 2, 9)


def _gold_query(ctx):
    c = ctx.tables.customers
    gold = ctx.attribute(c, "gold", "boolean")
    return select(c.c.id.label("customer_id"), literal("gold").label("label"),
                  literal(1.0).label("score"), literal("gold field").label("reason")
                  ).where(gold)


def _watch_query(ctx):
    c = ctx.tables.customers
    return select(c.c.id.label("customer_id"), ctx.due(1).label("due_at"),
                  literal(2).label("priority"), literal("gold").label("reason")
                  ).where(ctx.attribute(c, "gold", "boolean"))


def _gold(ctx, customers, interactions=None):
    return ctx.attribute(customers, "gold", "boolean")


def _not_gold(ctx, customers, interactions):
    from sqlalchemy import false, func

    return func.coalesce(_gold(ctx, customers), false()) == false()


class Kit:
    @guanxi.hookimpl
    def guanxi_fields(self):
        return [guanxi.Field(name="gold", entity="customers", type="boolean")]

    @guanxi.hookimpl
    def guanxi_segmentations(self):
        return [guanxi.Segmentation(name="kit.gold", title="Gold", description="Gold ones.",
                                    labels=("gold",), query=_gold_query,
                                    keeps_lists={"gold": "gold_list"})]

    @guanxi.hookimpl
    def guanxi_service_rules(self):
        return [guanxi.ServiceRule(name="kit.watch", title="Watch", description="Gold ones.",
                                   query=_watch_query, adds_to_list="watch")]

    @guanxi.hookimpl
    def guanxi_case_policies(self, workspace):
        return [
            guanxi.CasePolicy(name="kit.ask", title="Ask", opens_on=("ask",), response_hours=24,
                              resolution_hours=120, applies_to=_not_gold, first_when=_gold),
            guanxi.CasePolicy(name="kit.ask_gold", title="Gold ask", opens_on=("ask",),
                              response_hours=2, resolution_hours=8, applies_to=_gold,
                              first_when=_gold),
        ]

    @guanxi.hookimpl
    def guanxi_kpis(self):
        return [guanxi.Kpi(name="kit.asks", title="Asks", description="Asks.",
                           query=lambda ctx: select(literal("").label("scope_key"),
                                                    literal(1).label("value")),
                           shown_only=True, shown_reason="a count to read, not to aim at")]


@pytest.fixture
def ws(make_workspace):
    ws = make_workspace(extra_packs={"kit": Kit()})
    ws.save("managers", [{"id": "M1", "name": "M1"}])
    ws.save("customers", [
        {"id": "A", "name": "A", "manager_id": "M1", "created_at": dt.date(2020, 1, 1)},
        {"id": "G", "name": "G", "manager_id": "M1", "created_at": dt.date(2020, 1, 1),
         "gold": True}])
    return ws


def _members(ws):
    lm = tables.list_members
    with ws.engine.connect() as conn:
        return {r.customer_id: (r.added_at, r.removed_at, r.note) for r in conn.execute(
            select(lm).where(lm.c.list == "gold_list"))}


def test_a_segmentation_keeps_its_list_dated_join_and_leave(ws):
    ws.save("lists", [{"list": "gold_list", "customer_id": "A", "added_at": dt.date(2026, 1, 1),
                       "note": "by hand"}])
    ws.segment(["kit.gold"], as_of=AS_OF)
    assert current_labels(ws, "kit.gold") == {"G": "gold"}
    assert _members(ws) == {"A": (dt.date(2026, 1, 1), None, "by hand"),
                            "G": (AS_OF, None, "kept by kit.gold")}
    ws.save("customers", [{"id": "G", "name": "G", "gold": False}])
    left = AS_OF + dt.timedelta(days=3)
    ws.segment(["kit.gold"], as_of=left)
    # The hand-made member stays; the kept one leaves the day it lost the label.
    assert _members(ws) == {"A": (dt.date(2026, 1, 1), None, "by hand"),
                            "G": (AS_OF, left, "kept by kit.gold")}
    ws.save("customers", [{"id": "G", "name": "G", "gold": True}])
    back = left + dt.timedelta(days=5)
    ws.segment(["kit.gold"], as_of=back)
    assert _members(ws)["G"] == (back, None, "kept by kit.gold")


def test_policies_split_one_kind_by_customer_and_list_the_first_ones_first(ws):
    ws.save("interactions", [
        {"id": "I1", "customer_id": "A", "kind": "ask", "occurred_at": OPENED},
        {"id": "I2", "customer_id": "G", "kind": "ask", "occurred_at": OPENED},
        {"id": "I3", "customer_id": "A", "kind": "ask", "occurred_at": OPENED}])
    listed = [(c.interaction_id, c.policy, c.resolution_due_at) for c in ws.cases()]
    assert listed == [
        ("I2", "kit.ask_gold", OPENED + dt.timedelta(hours=8)),
        ("I1", "kit.ask", OPENED + dt.timedelta(hours=120)),
        ("I3", "kit.ask", OPENED + dt.timedelta(hours=120)),
    ]


def test_a_target_on_a_shown_only_kpi_is_refused_with_its_reason(ws, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("kpi,period,scope,target\nkit.asks,2026-11,all,0\n", encoding="utf-8")
    result = ws.import_file("targets", path)
    assert (result.inserted, result.rejected) == (0, 1)
    rejects = (tmp_path / "targets.rejects.csv").read_text(encoding="utf-8")
    assert "kit.asks is shown, never given a target: a count to read, not to aim at" in rejects


def _on(ws, name, customer_id, day):
    """Whether ``ctx.on_list`` finds the customer on the list on ``day`` (and as of it)."""
    from sqlalchemy import Date

    ctx = ws.query_context("kit", day)
    with ws.engine.connect() as conn:
        at_day = conn.execute(select(ctx.on_list(name, literal(customer_id),
                                                 literal(day, Date)))).scalar()
        as_of = conn.execute(select(ctx.on_list(name, literal(customer_id)))).scalar()
    assert bool(at_day) == bool(as_of)
    return bool(at_day)


def _spells(ws, customer_id, name):
    return [(s["added_at"], s["removed_at"], s["note"])
            for s in ws.customer_view(customer_id)["lists"] if s["list"] == name]


def test_leaving_and_rejoining_a_kept_list_keeps_both_spells(ws):
    # The bad-credit list's history (POWER-CREDIT): leave on day D, rejoin on D+30.
    joined = dt.date(2026, 9, 1)
    left = dt.date(2026, 10, 1)
    back = left + dt.timedelta(days=30)
    ws.segment(["kit.gold"], as_of=joined)
    ws.save("customers", [{"id": "G", "name": "G", "gold": False}])
    ws.segment(["kit.gold"], as_of=left)
    ws.save("customers", [{"id": "G", "name": "G", "gold": True}])
    ws.segment(["kit.gold"], as_of=back)
    ws.segment(["kit.gold"], as_of=back + dt.timedelta(days=1))     # a rerun adds no spell
    kept = "kept by kit.gold"
    assert _spells(ws, "G", "gold_list") == [(joined, left, kept), (back, None, kept)]
    day = dt.timedelta(days=1)
    assert [_on(ws, "gold_list", "G", d) for d in (
        joined - day, joined, left - day, left, back - day, back)] == [
        False, True, True, False, False, True]
    # And a second leave and return: three spells, each day still answered.
    ws.save("customers", [{"id": "G", "name": "G", "gold": False}])
    again_left = back + dt.timedelta(days=10)
    ws.segment(["kit.gold"], as_of=again_left)
    ws.save("customers", [{"id": "G", "name": "G", "gold": True}])
    again = again_left + dt.timedelta(days=10)
    ws.segment(["kit.gold"], as_of=again)
    assert _spells(ws, "G", "gold_list") == [
        (joined, left, kept), (back, again_left, kept), (again, None, kept)]
    assert [_on(ws, "gold_list", "G", d) for d in (
        left - day, left, back, again_left - day, again_left, again - day, again)] == [
        True, False, True, True, False, False, True]
    assert _spells(ws, "A", "gold_list") == []


def test_a_rule_puts_a_member_who_left_back_on_its_list_with_a_new_spell(ws):
    first = dt.date(2026, 9, 1)
    ws.run_rules(["kit.watch"], as_of=first)
    note = "added by kit.watch"
    assert _spells(ws, "G", "watch") == [(first, None, note)]
    ws.run_rules(["kit.watch"], as_of=first + dt.timedelta(days=1))   # a member stays as it is
    assert _spells(ws, "G", "watch") == [(first, None, note)]
    off = dt.date(2026, 9, 15)
    ws.save("lists", [{"list": "watch", "customer_id": "G", "added_at": first,
                       "removed_at": off, "note": note}])
    # The open task stands, so the rule selects G again but makes no new task.
    again = dt.date(2026, 10, 1)
    ws.run_rules(["kit.watch"], as_of=again)
    assert _spells(ws, "G", "watch") == [(first, off, note), (again, None, note)]
    assert [_on(ws, "watch", "G", d) for d in (off - dt.timedelta(days=1), off, again)] == [
        True, False, True]


def test_an_imported_list_row_after_a_spell_ended_keeps_that_spell(ws, tmp_path):
    # A lists file that puts a member back on a list (added on or after the
    # day the stored spell ended) starts a new spell; the ended one is kept.
    first, off = dt.date(2026, 9, 1), dt.date(2026, 9, 15)
    ws.save("lists", [{"list": "vip", "customer_id": "G", "added_at": first,
                       "removed_at": off, "note": "by hand"}])
    path = tmp_path / "lists.csv"
    path.write_text("list,customer_id,added_at,removed_at,note\nvip,G,2026-09-15,,back\n",
                    encoding="utf-8")
    ws.import_file("lists", path)
    assert _spells(ws, "G", "vip") == [(first, off, "by hand"), (off, None, "back")]
    assert [_on(ws, "vip", "G", d) for d in (off - dt.timedelta(days=1), off)] == [True, True]
    # A row that corrects the current spell (its start before the stored end,
    # or no end yet) replaces it: no spell is added.
    path.write_text("list,customer_id,added_at,removed_at,note\nvip,G,2026-09-15,2026-10-01,back\n",
                    encoding="utf-8")
    ws.import_file("lists", path)
    assert _spells(ws, "G", "vip") == [(first, off, "by hand"), (off, dt.date(2026, 10, 1), "back")]
    path.write_text("list,customer_id,added_at,removed_at,note\nvip,G,2026-09-20,,fixed\n",
                    encoding="utf-8")
    ws.import_file("lists", path)
    assert _spells(ws, "G", "vip") == [(first, off, "by hand"), (dt.date(2026, 9, 20), None, "fixed")]
