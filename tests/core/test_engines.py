"""The engines and the generic pack at their boundaries, with exact values."""

import datetime as dt

import pytest
from sqlalchemy import literal, select

import guanxi
from guanxi.errors import PackError

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def base(workspace, builder):
    builder.manager("LEAD", name="Lead")
    builder.manager("M1", reports_to="LEAD")
    builder.manager("M2")
    return workspace


def test_activity_thresholds_exactly(base, builder):
    # core.activity: fewer than 90 days active; 90 dormant; 365 lost (defaults).
    builder.customer("A", manager_id="M1", created_at="2020-01-01")
    builder.customer("D", manager_id="M1", created_at="2020-01-01")
    builder.customer("L", manager_id="M1", created_at="2020-01-01")
    builder.customer("N", manager_id="M1")
    builder.customer("NEW", manager_id="M1", created_at="2026-11-20")
    builder.interaction("i1", "A", "visit", AS_OF - dt.timedelta(days=89))
    builder.interaction("i2", "D", "visit", AS_OF - dt.timedelta(days=90))
    builder.interaction("i3", "L", "call", AS_OF - dt.timedelta(days=365))
    # An interaction after the as-of date does not count (reproducible runs).
    builder.interaction("i4", "L", "call", AS_OF + dt.timedelta(days=1))
    (run,) = base.segment(as_of=AS_OF)
    assert run.as_json() == {"name": "core.activity", "as_of": "2026-11-23",
                             "counts": {"active": 2, "dormant": 1, "lost": 2}, "changed": 5}
    labels = {c: base.labels(c)[0] for c in ["A", "D", "L", "N", "NEW"]}
    assert {c: s.label for c, s in labels.items()} == {
        "A": "active", "D": "dormant", "L": "lost", "N": "lost", "NEW": "active"}
    assert labels["D"].reason == "last contact 2026-08-25, 90 days ago"
    assert labels["NEW"].reason == "no contact since created on 2026-11-20, 3 days ago"
    assert labels["N"].reason == "no contact and no creation date recorded"


def test_a_rerun_records_no_change_and_a_change_is_recorded_once(base, builder):
    builder.customer("C", manager_id="M1", created_at="2026-01-01")
    builder.interaction("i1", "C", "visit", dt.datetime(2026, 8, 1, 10))
    base.segment(as_of=dt.date(2026, 10, 29))  # 89 days: active
    assert base.segment(as_of=dt.date(2026, 10, 29))[0].changed == 0
    assert base.segment(as_of=dt.date(2026, 10, 30))[0].changed == 1  # 90 days: dormant
    assert base.segment(as_of=dt.date(2026, 10, 31))[0].changed == 0
    history = base.label_history("C")
    assert [(h.old_label, h.new_label, h.changed_on) for h in history] == [
        (None, "active", dt.date(2026, 10, 29)),
        ("active", "dormant", dt.date(2026, 10, 30)),
    ]


def test_a_customer_the_select_drops_loses_the_label(make_workspace):
    def only_vips(ctx):
        c = ctx.tables.customers
        return select(c.c.id.label("customer_id"), literal("vip").label("label"),
                      literal(1.0).label("score"), literal("flagged").label("reason")
                      ).where(c.c.territory == "vip")

    class Pack:
        @guanxi.hookimpl
        def guanxi_segmentations(self):
            return [guanxi.Segmentation(name="p.vip", title="VIP", description="",
                                        query=only_vips)]

    ws = make_workspace(extra_packs={"p": Pack()})
    ws.save("customers", [{"id": "C", "name": "c", "territory": "vip"}])
    ws.segment(["p.vip"], as_of=AS_OF)
    ws.save("customers", [{"id": "C", "name": "c", "territory": "plain"}])
    (run,) = ws.segment(["p.vip"], as_of=AS_OF + dt.timedelta(days=1))
    assert (run.counts, run.changed) == ({}, 1)
    assert ws.labels("C") == []
    last = ws.label_history("C")[-1]
    assert (last.old_label, last.new_label, last.reason) == ("vip", None, "no longer qualifies")


def test_manual_label_wins_until_cleared(base, builder):
    builder.customer("C", manager_id="M1", created_at="2020-01-01")
    base.set_label("core.activity", "C", "active", "met at the branch, not recorded", set_by="M1")
    base.segment(as_of=AS_OF)
    (label,) = base.labels("C")
    assert (label.label, label.manual, label.reason) == (
        "active", True, "met at the branch, not recorded")
    assert base.clear_label("core.activity", "C") is True
    base.segment(as_of=AS_OF)
    assert base.labels("C")[0].label == "lost"
    with pytest.raises(guanxi.GuanxiError, match="not one of active, dormant, lost"):
        base.set_label("core.activity", "C", "vip", "why")


def test_a_locked_period_is_left_alone(base, builder):
    builder.customer("C", manager_id="M1", created_at="2026-11-01")
    base.segment(as_of=dt.date(2026, 11, 2))
    base.lock_segmentation("core.activity", "2026-11")
    builder.customer("C2", manager_id="M1", created_at="2026-11-01")
    (run,) = base.segment(as_of=dt.date(2026, 11, 30))
    assert (run.locked, run.counts, run.changed) == (True, {"active": 1}, 0)
    (run,) = base.segment(as_of=dt.date(2026, 12, 1))
    assert (run.locked, run.counts) == (False, {"active": 2})


def test_overdue_task_escalates_once_to_reports_to(base, builder):
    builder.customer("C", manager_id="M1")
    builder.customer("C2", manager_id="M2")
    now = dt.datetime(2026, 11, 20, 12)
    with base.engine.begin() as conn:
        from guanxi.storage import tables as t

        conn.execute(t.tasks.insert(), [
            dict(rule="x.call", customer_id="C", manager_id="M1", kind="call",
                 due_at=dt.datetime(2026, 11, 22, 9), priority=2, status="open",
                 reason="call", created_at=now, dedupe_key="a"),
            dict(rule="x.call", customer_id="C", manager_id="M1", kind="call",
                 due_at=dt.datetime(2026, 11, 23, 9), priority=2, status="open",
                 reason="due today: not overdue", created_at=now, dedupe_key="b"),
            dict(rule="x.call", customer_id="C2", manager_id="M2", kind="call",
                 due_at=dt.datetime(2026, 11, 1), priority=2, status="open",
                 reason="M2 reports to no one", created_at=now, dedupe_key="c"),
        ])
    (run,) = base.run_rules(["core.overdue_tasks"], as_of=AS_OF)
    assert run.as_json() == {"rule": "core.overdue_tasks", "created": 1, "existing": 0}
    (again,) = base.run_rules(["core.overdue_tasks"], as_of=AS_OF)
    assert again.as_json() == {"rule": "core.overdue_tasks", "created": 0, "existing": 1}
    (task,) = base.tasks(rule="core.overdue_tasks")
    assert (task.manager_id, task.customer_id, task.kind, task.due_at, task.priority) == (
        "LEAD", "C", "escalation", dt.date(2026, 11, 24), 1)
    assert task.reason == "task 1 (x.call) of M1 was due 2026-11-22: 1 days overdue"


def test_tasks_done_cancel_reassign_and_follow_their_customer(base, builder):
    builder.customer("C", manager_id="M1")
    with base.engine.begin() as conn:
        from guanxi.storage import tables as t

        conn.execute(t.tasks.insert(), [
            dict(rule="x.r", customer_id="C", manager_id="M1", kind="call",
                 due_at=dt.datetime(2026, 11, 25), priority=2, status="open", reason="r",
                 created_at=dt.datetime(2026, 11, 1), dedupe_key=str(i)) for i in range(3)])
    assert base.task_done(1, "reached").status == "done"
    assert base.task_cancel(2, "duplicate").outcome == "duplicate"
    with pytest.raises(guanxi.GuanxiError, match="task 1 is already done"):
        base.task_done(1)
    result = base.reassign("M1", "M2", customers=["C"])
    assert (result.customers, result.tasks) == (1, 1)
    assert [(x.id, x.manager_id) for x in base.tasks(status=None)] == [
        (1, "M1"), (2, "M1"), (3, "M2")]
    assert base.task_reassign(3, "LEAD").manager_id == "LEAD"


def test_kpis_by_scope_with_targets(base, builder, examples):
    builder.customer("C1", manager_id="M1", created_at="2026-10-31")
    builder.customer("C2", manager_id="M1", created_at="2026-11-01")
    builder.customer("C3", manager_id="M2", created_at="2026-11-30")
    builder.customer("C4", manager_id="M2", created_at="2026-12-01")
    builder.interaction("i1", "C1", "visit", dt.datetime(2026, 11, 1, 0, 0))
    builder.interaction("i2", "C1", "call", dt.datetime(2026, 11, 30, 23, 59))
    builder.interaction("i3", "C3", "call", dt.datetime(2026, 12, 1, 0, 0))
    base.save("targets", [{"kpi": "core.interactions", "period": "2026-11", "scope": "manager",
                           "scope_key": "M1", "target": 3}])
    by_manager = {(r.kpi, r.scope_key): (r.value, r.target)
                  for r in base.kpi(period="2026-11", by="manager")}
    assert by_manager[("core.customers", "M1")] == (2.0, None)
    assert by_manager[("core.customers", "M2")] == (1.0, None)
    assert by_manager[("core.new_customers", "M1")] == (1.0, None)
    assert by_manager[("core.interactions", "M1")] == (2.0, 3.0)
    assert ("core.interactions", "M2") not in by_manager
    assert by_manager[("core.contact_coverage", "M1")] == (0.5, None)
    assert by_manager[("core.contact_coverage", "M2")] == (0.0, None)
    everything = {r.kpi: r.value for r in base.kpi(period="2026-11")}
    assert everything["core.customers"] == 3.0
    assert everything["core.open_tasks"] == 0.0
    # A rate over no tasks is undefined: no value rather than a misleading 0.
    assert "core.task_completion" not in everything


def test_a_failing_contribution_is_named_and_rolled_back_and_the_batch_goes_on(make_workspace):
    def broken(ctx):
        c = ctx.tables.customers
        return select(c.c.id.label("customer_id"), literal("x").label("label"),
                      literal(1.0).label("score"), literal(None).label("reason")
                      ).select_from(c).where(c.c.no_such_column == 1)

    def wrong_shape(ctx):
        return "not a select"

    class Pack:
        @guanxi.hookimpl
        def guanxi_segmentations(self):
            return [guanxi.Segmentation(name="bad.raises", title="", description="", query=broken),
                    guanxi.Segmentation(name="bad.shape", title="", description="",
                                        query=wrong_shape)]

    ws = make_workspace(extra_packs={"bad": Pack()})
    ws.save("customers", [{"id": "C", "name": "c", "created_at": "2026-11-01"}])
    with pytest.raises(PackError, match="segmentation 'bad.raises' of pack 'bad' failed"):
        ws.segment(["bad.raises"], as_of=AS_OF)
    with pytest.raises(PackError, match="returned str, not a SQLAlchemy Select"):
        ws.segment(["bad.shape"], as_of=AS_OF)
    result = ws.run(as_of=AS_OF)
    assert result.exit_code == 1
    assert len(result.failures) == 2
    assert [r.name for r in result.segments] == ["core.activity"]
    assert ws.labels("C")[0].label == "active"


def test_requires_orders_the_batch(make_workspace):
    calls = []

    def query(name):
        def build(ctx):
            calls.append(name)
            c = ctx.tables.customers
            return select(c.c.id.label("customer_id"), literal("x").label("label"),
                          literal(None).label("score"), literal("r").label("reason"))
        return build

    class Pack:
        @guanxi.hookimpl
        def guanxi_segmentations(self):
            return [guanxi.Segmentation(name="o.a", title="", description="", query=query("o.a"),
                                        requires=("o.b",)),
                    guanxi.Segmentation(name="o.b", title="", description="", query=query("o.b"))]

    ws = make_workspace(extra_packs={"o": Pack()})
    ws.segment(["o.a"], as_of=AS_OF)
    assert calls == ["o.b", "o.a"]


def test_an_empty_base(workspace):
    result = workspace.run(as_of=AS_OF)
    assert result.failures == []
    assert result.segments[0].counts == {}
    assert {r.kpi: r.value for r in result.kpis if r.scope == "all"}["core.customers"] == 0.0


def test_revenue_is_split_by_credit_shares_that_do_not_divide_evenly(base, builder):
    # rule BANK-SHARE (generic form): the owner keeps what the team does not take.
    builder.customer("C1", manager_id="M1")
    builder.customer("C2", manager_id="M2")
    base.save("customer_team", [
        {"customer_id": "C1", "manager_id": "M2", "role": "corporate_partner", "share": "0.3333"},
        {"customer_id": "C1", "manager_id": "LEAD", "role": "risk", "share": None},
    ])
    base.save("measurements", [
        {"customer_id": "C1", "metric": "revenue", "period": "2026-10", "value": "100.00"},
        {"customer_id": "C2", "metric": "revenue", "period": "2026-10", "value": "10.00"},
        {"customer_id": "C2", "metric": "revenue", "period": "2026-09", "value": "999.00"},
    ])
    rows = base.kpi(["core.revenue"], period="2026-10", by="manager")
    values = {r.scope_key: round(r.value, 6) for r in rows}
    # A member without a share gets no credit; the split adds up to the whole.
    assert values == {"M1": 66.67, "M2": 43.33}
    assert round(sum(values.values()), 6) == 110.0
    (total,) = base.kpi(["core.revenue"], period="2026-10")
    assert total.value == 110.0


def test_a_pack_keeps_to_the_customers_it_serves(make_workspace):
    def everyone(ctx):
        c = ctx.tables.customers
        return select(c.c.id.label("customer_id"), literal("ranked").label("label"),
                      literal(None).label("score"), literal("r").label("reason"))

    def call_everyone(ctx):
        c = ctx.tables.customers
        return select(c.c.id.label("customer_id"), ctx.due(1).label("due_at"),
                      literal(2).label("priority"), literal("call").label("reason"))

    class Corporate:
        @guanxi.hookimpl
        def guanxi_customer_filters(self):
            return [guanxi.CustomerFilter(name="corp.organizations", description="",
                                          condition=lambda ctx, c: c.c.kind == "organization")]

        @guanxi.hookimpl
        def guanxi_segmentations(self):
            return [guanxi.Segmentation(name="corp.rank", title="", description="",
                                        query=everyone)]

        @guanxi.hookimpl
        def guanxi_service_rules(self):
            return [guanxi.ServiceRule(name="corp.call", title="", description="",
                                       query=call_everyone)]

    ws = make_workspace(extra_packs={"corp": Corporate()})
    ws.save("customers", [{"id": "P", "name": "person", "kind": "person"},
                          {"id": "O", "name": "org", "kind": "organization"}])
    (run,) = ws.segment(["corp.rank"], as_of=AS_OF)
    assert run.counts == {"ranked": 1}
    assert [s.segmentation for s in ws.labels("O")] == ["corp.rank"]
    assert [s.segmentation for s in ws.labels("P")] == []
    (rule,) = ws.run_rules(["corp.call"], as_of=AS_OF)
    assert (rule.created, [t.customer_id for t in ws.tasks(rule="corp.call")]) == (1, ["O"])


def test_a_rule_puts_its_customers_on_a_named_list_once(make_workspace):
    def flagged(ctx):
        c = ctx.tables.customers
        return select(c.c.id.label("customer_id"), ctx.due(1).label("due_at"),
                      literal(1).label("priority"), literal("watch").label("reason")
                      ).where(c.c.territory == "risky")

    class Pack:
        @guanxi.hookimpl
        def guanxi_service_rules(self):
            return [guanxi.ServiceRule(name="w.flag", title="", description="", query=flagged,
                                       adds_to_list="watch")]

    ws = make_workspace(extra_packs={"w": Pack()})
    ws.save("customers", [{"id": "C1", "name": "a", "territory": "risky"},
                          {"id": "C2", "name": "b", "territory": "calm"}])
    ws.run_rules(["w.flag"], as_of=AS_OF)
    ws.run_rules(["w.flag"], as_of=AS_OF + dt.timedelta(days=3))
    lists = ws.customer_view("C1")["lists"]
    assert [(m["list"], m["added_at"], m["note"]) for m in lists] == [
        ("watch", AS_OF, "added by w.flag")]
    assert ws.customer_view("C2")["lists"] == []


def test_a_declared_date_field_compares_as_a_date(make_workspace):
    def expiring(ctx):
        c = ctx.tables.customers
        expires = ctx.attribute(c, "expires_on", "date")
        return select(c.c.id.label("customer_id"), literal("soon").label("label"),
                      literal(None).label("score"), literal("r").label("reason")
                      ).where(expires <= ctx.add_days(ctx.today, 30))

    class Pack:
        @guanxi.hookimpl
        def guanxi_fields(self):
            return [guanxi.Field(name="expires_on", entity="customers", type="date")]

        @guanxi.hookimpl
        def guanxi_segmentations(self):
            return [guanxi.Segmentation(name="d.soon", title="", description="", query=expiring)]

    ws = make_workspace(extra_packs={"d": Pack()})
    ws.save("customers", [{"id": "C30", "name": "a", "expires_on": "2026-12-23"},
                          {"id": "C31", "name": "b", "expires_on": "2026-12-24"}])
    (run,) = ws.segment(["d.soon"], as_of=AS_OF)
    assert run.counts == {"soon": 1}
    assert [s.segmentation for s in ws.labels("C30")] == ["d.soon"]


def test_query_context_gives_a_pack_the_engines_helpers_for_its_own_queries(workspace):
    import datetime as dt

    from sqlalchemy import select

    ctx = workspace.query_context("core", dt.date(2026, 10, 3))
    assert (ctx.pack, ctx.as_of, ctx.config["activity.dormant_days"]) == (
        "core", dt.date(2026, 10, 3), 90)
    # Working days from the business calendar, built on first use: 1-7 October is
    # National Day, so the next working day after 3 October is the 8th.
    with workspace.engine.connect() as conn:
        day = conn.execute(select(ctx.next_working_day(ctx.today))).scalar_one()
    assert str(day)[:10] == "2026-10-08"


def test_the_360_view_shows_each_metrics_latest_period(workspace):
    # Per metric and account: the newest period only, whatever the history.
    ws = workspace
    ws.save("managers", [{"id": "M1", "name": "M"}])
    ws.save("customers", [{"id": "C1", "name": "c", "manager_id": "M1"}])
    ws.save("accounts", [{"id": "A1", "customer_id": "C1", "type": "deposit"}])
    ws.save("measurements", [
        {"customer_id": "C1", "metric": "revenue", "period": "2026-09", "value": 1},
        {"customer_id": "C1", "metric": "revenue", "period": "2026-11", "value": 3},
        {"customer_id": "C1", "metric": "revenue", "period": "2026-10", "value": 2},
        {"customer_id": "C1", "account_id": "A1", "metric": "revenue", "period": "2026-10",
         "value": 5},
        {"customer_id": "C1", "account_id": "A1", "metric": "revenue", "period": "2026-08",
         "value": 7}])
    view = ws.customer_view("C1")
    got = sorted((m["metric"], m["account_id"] or "", m["period"], float(m["value"]))
                 for m in view["measurements"])
    assert got == [("revenue", "", dt.date(2026, 11, 1), 3.0),
                   ("revenue", "A1", dt.date(2026, 10, 1), 5.0)]
