"""BANK-ABC and BANK-TIER at their boundaries."""

import pytest
from banking_kit import AS_OF, labels, reason


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
