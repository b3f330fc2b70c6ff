"""The telecom KPIs with exact figures: the seed's line-status mix (003 第5篇: 3,608
lines, 357 罚停 = 9.9%, 263 报停 = 7.3%) and its 192 lines at 4 customers due
1 May, all lost (5.3%); retention of the original group customers with lines
that came back; per-manager targets; every KPI's rows make its value."""

from __future__ import annotations

import datetime as dt

import pytest
from guanxi.output import format_figure
from guanxi.testing import kpi_rows_disagree
from guanxi_telecom import kpis
from telecom_kit import at

D = dt.date
MAY_END = D(2026, 5, 31)


def _value(ws, name, period, by="all", as_of=None):
    return {v.scope_key: (v.value, v.target)
            for v in ws.kpi([name], period=period, by=by, as_of=as_of)}


@pytest.fixture
def seed(ws, op):
    """137 group customers, 3,608 lines: 357 罚停 (123 of them at 北辰宾馆), 263 报停,
    192 lost at 4 hotels whose paid period ended on 1 May, the rest active."""
    rows = []

    def lines(customer, n, status, **values):
        start = sum(1 for r in rows if r["customer_id"] == customer)
        rows.extend({"id": f"{customer}-{start + k}", "customer_id": customer, "type": "tv",
                     "status": status, "opened_at": D(2020, 1, 1), **values}
                    for k in range(1, n + 1))

    customers = [f"G{n:03d}" for n in range(1, 138)]
    op.rows("customers", [{"id": c, "name": c, "group_customer": True, "manager_id": "M1",
                           "created_at": D(2020, 1, 1)} for c in customers])
    lines("G001", 123, "suspended_nonpayment")                     # 北辰宾馆
    for customer, n in zip(("G002", "G003", "G004", "G005"), (80, 50, 12, 50)):
        lines(customer, n, "lost", paid_until=D(2026, 5, 1))        # 张掖饭店, 河西宾馆 ...
    for k, customer in enumerate(customers[5:], start=0):           # 132 customers
        lines(customer, 2 if k < 102 else 1, "suspended_nonpayment")   # 234 more 罚停
        lines(customer, 2 if k < 131 else 1, "suspended_request")      # 263 报停
        lines(customer, 22 if k < 24 else 21, "active")
    op.rows("accounts", rows)
    return rows


def test_the_seeds_line_status_mix(ws, seed):
    # TEL-STATUS: 003 第5篇's 3,608 lines.
    assert len(seed) == 3608
    figures = {status: _value(ws, f"telecom.lines_{status}", "2026-05", as_of=MAY_END)[""][0]
               for status in ("active", "suspended_nonpayment", "suspended_request", "lost",
                              "dormant")}
    assert figures == {"active": 2796 / 3608, "suspended_nonpayment": 357 / 3608,
                       "suspended_request": 263 / 3608, "lost": 192 / 3608, "dormant": 0.0}
    assert format_figure(figures["suspended_nonpayment"], "share") == "9.9%"
    assert format_figure(figures["suspended_request"], "share") == "7.3%"


def test_the_status_mix_by_manager_and_territory_reads_each_lines_status_on_the_day(
        ws, op, time_machine):
    # TEL-STATUS by all, manager and territory: each line's status at the
    # period's end, from the core's status history.
    op.group("G1", territory="NE", manager_id="M1")
    op.group("G2", territory="SE", manager_id="M2")
    op.rows("accounts", [
        {"id": "a", "customer_id": "G1"}, {"id": "b", "customer_id": "G1"},
        {"id": "c", "customer_id": "G1", "status": "suspended_nonpayment"},
        {"id": "d", "customer_id": "G2"},
        {"id": "e", "customer_id": "G2", "status": "suspended_request"},
        {"id": "f", "customer_id": "G2", "status": "lost"},
        {"id": "g", "customer_id": "G2", "status": "dormant"}])
    time_machine.move_to(at(D(2026, 12, 2)), tick=False)
    # Suspended in December: still active at the end of November.
    op.rows("accounts", [{"id": "a", "customer_id": "G1", "status": "suspended_nonpayment"}])
    end = D(2026, 11, 30)

    def mix(status, by):
        return _value(ws, f"telecom.lines_{status}", "2026-11", by=by, as_of=end)

    assert mix("active", "all") == {"": (3 / 7, None)}
    assert mix("active", "manager") == {"M1": (2 / 3, None), "M2": (1 / 4, None)}
    assert mix("suspended_nonpayment", "territory") == {"NE": (1 / 3, None), "SE": (0.0, None)}
    assert mix("suspended_request", "territory") == {"NE": (0.0, None), "SE": (1 / 4, None)}
    assert mix("lost", "manager") == {"M1": (0.0, None), "M2": (1 / 4, None)}
    assert mix("dormant", "all") == {"": (1 / 7, None)}
    assert _value(ws, "telecom.lines_suspended_nonpayment", "2026-12", as_of=D(2026, 12, 2)) == {
        "": (2 / 7, None)}


def test_the_seeds_192_lines_due_on_1_may_all_lost_are_5_3_percent(ws, seed):
    lost = _value(ws, "telecom.expiry_lost_share", "2026-05", as_of=MAY_END)[""][0]
    kept = _value(ws, "telecom.expiry_kept", "2026-05", as_of=MAY_END)[""][0]
    assert (lost, kept) == (192 / 3608, 0.0)
    assert format_figure(lost, "share") == "5.3%"
    # April: no paid period ended, nothing lost at expiry.
    assert _value(ws, "telecom.expiry_lost_share", "2026-04", as_of=D(2026, 4, 30))[""][0] == 0.0


def test_retention_counts_a_line_that_came_back_and_leaves_out_later_customers(ws, op,
                                                                               time_machine):
    for id, territory in (("G1", "NE"), ("G2", "NE"), ("G3", "SE"), ("G4", "SE"), ("G5", "SE")):
        op.group(id, territory=territory)
    op.rows("accounts", [
        {"id": "G1-1", "customer_id": "G1"},
        {"id": "G2-1", "customer_id": "G2"},
        {"id": "G3-1", "customer_id": "G3"},
        {"id": "G4-1", "customer_id": "G4", "opened_at": D(2026, 2, 1)},    # not original
        {"id": "G5-1", "customer_id": "G5", "status": "suspended_nonpayment"}])
    op.rows("customer_team", [{"customer_id": "G3", "manager_id": "M2", "role": "referral",
                               "share": 0.4}])
    time_machine.move_to(at(D(2026, 3, 10)), tick=False)
    op.rows("accounts", [{"id": "G2-1", "customer_id": "G2", "status": "lost"},
                         {"id": "G3-1", "customer_id": "G3", "status": "lost"}])
    time_machine.move_to(at(D(2026, 6, 1)), tick=False)
    op.rows("accounts", [{"id": "G3-1", "customer_id": "G3", "status": "active"}])

    june = D(2026, 6, 30)
    assert _value(ws, "telecom.retention", "2026-06", as_of=june) == {"": (2 / 3, 0.9)}
    assert _value(ws, "telecom.retention", "2026-06", by="territory", as_of=june) == {
        "NE": (0.5, 0.9), "SE": (1.0, 0.9)}
    # In April G3's line was still lost: 1 of 3.
    assert _value(ws, "telecom.retention", "2026-04", as_of=D(2026, 4, 30))[""][0] == 1 / 3
    # G3's line back on 06-01 is a reactivation, 60% to its owner and 40% to M2.
    assert _value(ws, "telecom.reactivations", "2026-06", by="manager", as_of=june) == {
        "M1": (0.6, 25.0), "M2": (0.4, 25.0)}
    assert _value(ws, "telecom.lost_lines", "2026-03", as_of=D(2026, 3, 31)) == {"": (2, None)}
    assert _value(ws, "telecom.new_subscriptions", "2026-02", by="manager",
                  as_of=D(2026, 2, 28)) == {"M1": (1.0, 20.0)}


def test_pay_programme_rate_per_territory_against_60_percent(ws, op):
    op.group("G1", territory="NE")
    op.rows("accounts", [
        {"id": "a", "customer_id": "G1", "pay_programme": True},
        {"id": "b", "customer_id": "G1", "pay_programme": True},
        {"id": "c", "customer_id": "G1", "pay_programme": False},
        {"id": "d", "customer_id": "G1"},                                   # empty: no
        {"id": "e", "customer_id": "G1", "pay_programme": True, "status": "lost"},
        {"id": "f", "customer_id": "G1", "type": "broadband", "pay_programme": True}])
    assert _value(ws, "telecom.pay_programme_rate", "2026-11", by="territory",
                  as_of=D(2026, 11, 16)) == {"NE": (0.5, 0.6)}


def test_sweeps_are_credited_to_whoever_sells(ws, op):
    op.customer("P1", status="prospect", swept_on=D(2026, 11, 2), created_at=D(2026, 11, 2))
    op.customer("P2", status="active", swept_on=D(2026, 10, 20), created_at=D(2026, 10, 20),
                manager_id="M1")
    op.rows("customer_team", [{"customer_id": "P2", "manager_id": "M2", "role": "referral",
                               "share": 1}])
    op.lines("P2", 2, opened_at=D(2026, 11, 5))
    as_of = D(2026, 11, 16)
    assert _value(ws, "telecom.prospects_registered", "2026-11", as_of=as_of) == {"": (1, None)}
    assert _value(ws, "telecom.prospects_converted", "2026-11", by="manager", as_of=as_of) == {
        "M2": (1.0, None)}
    assert _value(ws, "telecom.new_subscriptions", "2026-11", by="manager", as_of=as_of) == {
        "M2": (2.0, 20.0)}


@pytest.mark.parametrize("kpi", [k.name for k in kpis.KPIS])
@pytest.mark.parametrize("by", ["all", "manager", "territory"])
def test_every_kpis_rows_make_its_value(ws, op, time_machine, kpi, by):
    op.key_account("K1", territory="NE", created_at=D(2023, 1, 1))
    op.contact("k1", "K1", role="director", seniority="senior")
    op.revenue("K1", {"2025-10": 100, "2026-10": 150})
    op.bill("K1", D(2026, 10, 30))
    op.group("G1", territory="SE", manager_id="M2")
    op.rows("customer_team", [{"customer_id": "G1", "manager_id": "M1", "role": "referral",
                               "share": 0.25}])
    op.lines("G1", 3, opened_at=D(2026, 10, 3), paid_until=D(2026, 10, 20), pay_programme=True)
    op.lines("K1", 2, type="broadband")
    op.customer("P1", status="prospect", swept_on=D(2026, 10, 2), created_at=D(2026, 10, 2))
    time_machine.move_to(at(D(2026, 10, 10)), tick=False)
    op.rows("accounts", [{"id": "LG1-1", "customer_id": "G1", "status": "lost"}])
    time_machine.move_to(at(D(2026, 10, 12)), tick=False)
    op.rows("accounts", [{"id": "LG1-1", "customer_id": "G1", "status": "active"},
                         {"id": "LG1-2", "customer_id": "G1", "status": "lost"}])
    ws.segment(as_of=D(2026, 10, 31))
    assert kpi_rows_disagree(ws, kpi, period="2026-10", by=by, as_of=D(2026, 10, 31)) == []


def test_revenue_growth_compares_recorded_months_and_is_none_for_a_month_with_no_revenue(ws, op):
    # K1 and K2 are the pack's; C9 is not (a core customer): its November
    # revenue must not make November look recorded for the pack.
    op.key_account("K1", manager_id="M1")
    op.key_account("K2", manager_id="M2")
    op.customer("C9")
    op.revenue("K1", {"2025-10": 100, "2025-11": 100, "2026-10": 150})
    op.revenue("K2", {"2025-10": 300, "2025-11": 300, "2026-10": 250})
    op.revenue("C9", {"2025-11": 10, "2026-11": 20})
    # October is recorded: (150 + 250 − 400) ÷ 400 = 0; by manager +50% and −16.7%.
    assert _value(ws, "telecom.revenue_growth", "2026-10", as_of=D(2026, 10, 31)) == {
        "": (0.0, None)}
    assert _value(ws, "telecom.revenue_growth", "2026-10", by="manager",
                  as_of=D(2026, 10, 31)) == {"M1": (0.5, None), "M2": (-50 / 300, None)}
    # November so far has no revenue for the pack's customers: no value, not −100%.
    assert _value(ws, "telecom.revenue_growth", "2026-11", as_of=D(2026, 11, 23)) == {
        "": (None, None)}
    assert _value(ws, "telecom.revenue_growth", "2026-11", by="manager",
                  as_of=D(2026, 11, 23)) == {"M1": (None, None), "M2": (None, None)}
    rows = ws.explain_kpi("telecom.revenue_growth", period="2026-11", as_of=D(2026, 11, 23))
    assert [(r.id, r.figure, r.weight, r.reason) for r in rows] == [
        ("K1@2025-11-01", 0.0, 0.0, "no revenue recorded for 2026-11: no growth against K1 "
                                    "2025-11 (revenue 100)"),
        ("K2@2025-11-01", 0.0, 0.0, "no revenue recorded for 2026-11: no growth against K2 "
                                    "2025-11 (revenue 300)")]
    # The first figure of November makes the month recorded: K1's alone, against
    # K1's and K2's November a year before (K2's is missing, so it counts as lost).
    op.revenue("K1", {"2026-11": 120})
    assert _value(ws, "telecom.revenue_growth", "2026-11", as_of=D(2026, 11, 30)) == {
        "": ((120 - 400) / 400, None)}
