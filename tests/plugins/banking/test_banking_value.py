"""BANK-ABC and BANK-TIER at their boundaries."""

import datetime as dt

import pytest
from banking_kit import AS_OF, Bank, labels, reason
from sqlalchemy import select


def _customers(bank, values: dict, period="2026-10"):
    for cid, value in values.items():
        bank.customer(cid)
        if value is not None:
            bank.aum(cid, {period: value})


# -- rule BANK-ABC -----------------------------------------------------------------


def test_abc_ties_are_broken_by_customer_id_and_seven_customers_do_not_divide_evenly(ws, bank):
    # 7 ranked: A is the top 15% = 1.05 -> 1 customer, A+B the top 40% = 2.8 -> 2.
    _customers(bank, {"C7": 500, "C2": 900, "C1": 900, "C3": 800, "C4": 700, "C5": 600,
                      "C6": 100})
    ws.segment(["banking.abc"], as_of=AS_OF)
    assert labels(ws, "banking.abc") == {"C1": "A", "C2": "B", "C3": "C", "C4": "C", "C5": "C",
                                         "C6": "C", "C7": "C"}
    assert reason(ws, "banking.abc", "C1") == (
        "rank 1 of 7 by 12-month average AUM 900: A is the top 1")
    assert reason(ws, "banking.abc", "C2") == (
        "rank 2 of 7 by 12-month average AUM 900: B follows A down to rank 2")
    assert reason(ws, "banking.abc", "C3") == (
        "rank 3 of 7 by 12-month average AUM 800: below rank 2")


def test_abc_share_boundaries_are_integers_not_floats(make_workspace):
    # 0.29 * 100 is 28.999999999999996 and 0.29 + 0.57 is 0.8599999999999999 in
    # floats: the integer boundaries still give exactly 29 A and 57 B.
    ws = make_workspace(packs=["banking"], settings={"banking.abc": {"a_share": 0.29,
                                                                     "b_share": 0.57}})
    ws.save("managers", [{"id": "M1", "name": "M"}])
    ws.save("customers", [{"id": f"C{n:03d}", "name": "x", "manager_id": "M1"}
                          for n in range(1, 101)])
    ws.save("measurements", [{"customer_id": f"C{n:03d}", "metric": "aum", "period": "2026-10",
                              "value": 1000 - n} for n in range(1, 101)])
    ws.segment(["banking.abc"], as_of=AS_OF)
    counts = {}
    for label in labels(ws, "banking.abc").values():
        counts[label] = counts.get(label, 0) + 1
    assert counts == {"A": 29, "B": 57, "C": 14}
    assert labels(ws, "banking.abc")["C029"] == "A"
    assert labels(ws, "banking.abc")["C030"] == "B"
    assert labels(ws, "banking.abc")["C086"] == "B"
    assert labels(ws, "banking.abc")["C087"] == "C"


def test_abc_averages_the_twelve_closed_months_and_drops_customers_with_no_value(ws, bank):
    bank.customer("C1")
    # 2025-11 .. 2026-10 count; 2025-10 (13 months back) and 2026-11 (the as-of month) do not.
    bank.aum("C1", {"2025-10": 1_000_000, "2025-11": 100, "2026-10": 300, "2026-11": 1_000_000})
    bank.customer("C2")
    bank.aum("C2", {"2026-10": 150, "2026-09": 150})
    bank.customer("C3")
    bank.aum("C3", {"2026-10": 0})
    bank.customer("C4")
    bank.aum("C4", {"2026-11": 5000})
    bank.customer("C5")
    ws.segment(["banking.abc"], as_of=AS_OF)
    assert labels(ws, "banking.abc") == {"C1": "C", "C2": "C"}
    (c1,) = [a for a in ws.labels("C1") if a.segmentation == "banking.abc"]
    (c2,) = [a for a in ws.labels("C2") if a.segmentation == "banking.abc"]
    assert (c1.score, c2.score) == (200.0, 150.0)


def test_abc_adds_up_accounts_and_can_rank_by_profit(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.abc": {"measure": "profit"}})
    ws.save("managers", [{"id": "M1", "name": "M"}])
    ws.save("customers", [{"id": f"C{n}", "name": "x", "manager_id": "M1"} for n in range(1, 8)])
    ws.save("accounts", [{"id": "A1", "customer_id": "C1", "type": "deposit"},
                         {"id": "A2", "customer_id": "C1", "type": "wealth"}])
    ws.save("measurements", [
        {"customer_id": "C1", "metric": "profit", "period": "2026-10", "value": 60,
         "account_id": "A1"},
        {"customer_id": "C1", "metric": "profit", "period": "2026-10", "value": 50,
         "account_id": "A2"},
    ] + [{"customer_id": f"C{n}", "metric": "profit", "period": "2026-10", "value": 100}
         for n in range(2, 8)] + [
        {"customer_id": "C2", "metric": "aum", "period": "2026-10", "value": 9_999_999}])
    ws.segment(["banking.abc"], as_of=AS_OF)
    assert labels(ws, "banking.abc")["C1"] == "A"
    assert reason(ws, "banking.abc", "C1") == (
        "rank 1 of 7 by 12-month average modelled profit 110: A is the top 1")


def test_abc_changes_are_kept_in_history(ws, bank):
    _customers(bank, {f"C{n}": 100 * n for n in range(1, 8)})
    ws.segment(["banking.abc"], as_of=AS_OF)
    bank.aum("C1", {"2026-10": 10_000})
    ws.segment(["banking.abc"], as_of=AS_OF)
    changes = [(h.old_label, h.new_label, h.changed_on) for h in ws.label_history("C1")
               if h.segmentation == "banking.abc"]
    assert changes == [(None, "C", AS_OF), ("C", "A", AS_OF)]


# -- rule BANK-TIER ----------------------------------------------------------------


@pytest.mark.parametrize("value, tier", [
    (5_000_000, "private"), (4_999_999.99, "wealth"), (1_000_000, "wealth"),
    (999_999.99, "affluent"), (100_000, "affluent"), (99_999.99, "mass"), (0, "mass"),
])
def test_tier_bounds_are_inclusive(ws, bank, value, tier):
    _customers(bank, {"C1": value})
    ws.segment(["banking.tier"], as_of=AS_OF)
    assert labels(ws, "banking.tier") == {"C1": tier}


def test_tier_reads_the_last_closed_month_and_sums_accounts(ws, bank):
    bank.customer("C1")
    bank.account("A1", "C1")
    bank.account("A2", "C1", type="wealth")
    bank.aum("C1", {"2026-10": 60_000}, account_id="A1")
    bank.aum("C1", {"2026-10": 40_000}, account_id="A2")
    bank.aum("C1", {"2026-09": 9_000_000, "2026-11": 9_000_000})
    bank.customer("C2")
    bank.aum("C2", {"2026-09": 2_000_000})
    ws.segment(["banking.tier"], as_of=AS_OF)
    assert labels(ws, "banking.tier") == {"C1": "affluent"}
    assert reason(ws, "banking.tier", "C1") == (
        "AUM 100,000 at the end of 2026-10: affluent from 100,000")


def test_tier_uses_the_month_before_while_the_last_is_not_loaded(ws, bank):
    _customers(bank, {"C1": 1_250_000.4}, period="2026-09")
    ws.segment(["banking.tier"], as_of=AS_OF)
    assert labels(ws, "banking.tier") == {"C1": "wealth"}
    assert reason(ws, "banking.tier", "C1") == (
        "AUM 1,250,000 at the end of 2026-09: wealth from 1,000,000")


def test_tier_bounds_are_config(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.tier": {"affluent": 50_000}})
    ws.save("managers", [{"id": "M1", "name": "M"}])
    ws.save("customers", [{"id": "C1", "name": "x", "manager_id": "M1"}])
    ws.save("measurements", [{"customer_id": "C1", "metric": "aum", "period": "2026-10",
                              "value": 49_999}])
    ws.segment(["banking.tier"], as_of=AS_OF)
    assert labels(ws, "banking.tier") == {"C1": "mass"}
    assert reason(ws, "banking.tier", "C1") == "AUM 49,999 at the end of 2026-10: under 50,000"


# -- issue 13: a flow measure counts a month without a row as 0 ---------------------------


def _revenue(ws, rows):
    ws.save("measurements", [{"customer_id": cid, "metric": "revenue", "period": period,
                              "value": value} for cid, period, value in rows])


def _score(ws, segmentation, cid):
    (label,) = [a for a in ws.labels(cid) if a.segmentation == segmentation]
    return label.score


def test_abc_by_revenue_ranks_as_a_pareto_split_of_twelve_month_revenue(make_workspace):
    # rule BANK-ABC: $404 bought over 11 months is no longer C behind single
    # purchases of $100 (the mean of the months with a purchase was 36.73
    # against 100); it now ranks as its 12-month revenue does.
    ws = make_workspace(packs=["banking"], settings={"banking.abc": {"measure": "revenue"}})
    bank = Bank(ws)
    bank.manager("M1")
    bank.customer("X", created_at=dt.date(2025, 12, 1))  # 11 months of the window
    rows = [("X", f"{month[:7]}", 36) for month in
            ("2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
             "2026-07", "2026-08", "2026-09")] + [("X", "2026-10", 44)]
    for n in range(1, 7):
        bank.customer(f"Y{n}")
        rows.append((f"Y{n}", f"2026-{n:02d}", 100))
    bank.customer("Z")
    rows += [("Z", f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}", 50) for m in range(11, 23)]
    bank.customer("W")
    rows.append(("W", "2026-03", 2000))
    _revenue(ws, rows)
    ws.segment(["banking.abc"], as_of=AS_OF)
    # 9 ranked: A the top 1 (1.35), A+B the top 3 (3.6).
    totals = {"W": 2000, "Z": 600, "X": 404, **{f"Y{n}": 100 for n in range(1, 7)}}
    pareto = sorted(totals, key=lambda cid: (-totals[cid], cid))
    expected = {cid: "A" if rank == 0 else "B" if rank < 3 else "C"
                for rank, cid in enumerate(pareto)}
    assert labels(ws, "banking.abc") == expected
    assert expected["X"] == "B"
    # 404 / 11 months from its first month; the others over all 12.
    assert _score(ws, "banking.abc", "X") == 36.73
    assert _score(ws, "banking.abc", "Y1") == 8.33
    assert _score(ws, "banking.abc", "W") == 166.67
    assert reason(ws, "banking.abc", "X") == (
        "rank 3 of 9 by 12-month average Revenue 37: B follows A down to rank 3")


def test_a_flow_is_averaged_from_the_customers_first_month(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.abc": {"measure": "revenue"}})
    bank = Bank(ws)
    bank.manager("M1")
    # Created within the window: from the month of created_at (2026-07 .. 2026-10).
    bank.customer("V", created_at=dt.date(2026, 7, 15))
    # No created_at: from its first figure (2026-08 .. 2026-10).
    bank.customer("U", created_at=None)
    # A figure before created_at: the customer began with it (2026-05 .. 2026-10).
    bank.customer("T", created_at=dt.date(2026, 9, 1))
    # Created before the window: over the whole window (12 months).
    bank.customer("S", created_at=dt.date(2024, 1, 1))
    # A first figure before the window: over the whole window too.
    bank.customer("R", created_at=None)
    _revenue(ws, [("V", "2026-10", 300), ("U", "2026-08", 90), ("U", "2026-10", 90),
                  ("T", "2026-05", 120), ("S", "2026-10", 120), ("R", "2025-01", 500),
                  ("R", "2026-10", 240)])
    ws.segment(["banking.abc"], as_of=AS_OF)
    assert {cid: _score(ws, "banking.abc", cid) for cid in "VUTSR"} == {
        "V": 75.0, "U": 60.0, "T": 20.0, "S": 10.0, "R": 20.0}
    ctx = ws.query_context("banking", AS_OF)
    average = ctx.monthly_average("revenue", 12)
    with ws.engine.connect() as conn:
        months = dict(conn.execute(select(average.c.customer_id, average.c.months)).all())
    assert months == {"V": 4, "U": 3, "T": 6, "S": 12, "R": 12}


def test_a_stock_is_still_the_mean_of_the_months_present(ws, bank):
    bank.customer("C1")
    bank.aum("C1", {"2026-09": 100, "2026-10": 300})
    ctx = ws.query_context("banking", AS_OF)
    average = ctx.monthly_average("aum", 12)
    with ws.engine.connect() as conn:
        assert conn.execute(select(average.c.customer_id, average.c.value,
                                   average.c.months)).one() == ("C1", 200, 2)


def test_abc_and_tier_measure_name_an_undeclared_metric(make_workspace):
    from guanxi import PackError

    ws = make_workspace(packs=["banking"], settings={"banking.abc": {"measure": "revenu"},
                                                     "banking.tier": {"measure": "revenu"}})
    with pytest.raises(PackError) as caught:
        ws.segment(["banking.abc"], as_of=AS_OF)
    assert ("[banking.abc] measure = 'revenu' is not a declared metric (did you mean "
            "'revenue'?); declared: aum, deposits, loan_balance, profit, revenue"
            in str(caught.value))
    with pytest.raises(PackError) as caught:
        ws.segment(["banking.tier"], as_of=AS_OF)
    assert "[banking.tier] measure = 'revenu' is not a declared metric" in str(caught.value)


def test_tier_can_be_bounded_by_revenue(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.tier": {"measure": "revenue"}})
    bank = Bank(ws)
    bank.manager("M1")
    bank.customer("C1")
    bank.customer("C2")
    _revenue(ws, [("C1", "2026-10-31", 100_000), ("C2", "2026-10-31", 99_999.99)])
    ws.segment(["banking.tier"], as_of=AS_OF)
    assert labels(ws, "banking.tier") == {"C1": "affluent", "C2": "mass"}
    assert reason(ws, "banking.tier", "C1") == (
        "Revenue 100,000 at the end of 2026-10: affluent from 100,000")
