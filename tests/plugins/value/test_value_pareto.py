"""VAL-PARETO and VAL-ABC: the top 20% counted as BANK-ABC counts (rounded
down, at least one, ties by id), the rows behind the share, the curve
report, and ABC by cumulative share."""

from __future__ import annotations

import datetime as dt

import pytest
from value_kit import AS_OF, labels, reason

from guanxi.testing import kpi_rows_disagree

NOV = dt.date(2026, 11, 10)


def _buyers(shop, values: dict):
    for customer, value in values.items():
        shop.customer(customer)
        shop.buy(customer, NOV, value)


def _share(ws, by="all"):
    values = ws.kpi(["value.pareto_share"], period="2026-11", by=by, as_of=AS_OF)
    return {v.scope_key: v.value for v in values}


def test_fewer_than_five_buyers_still_count_one_at_the_top(shop, ws):
    # rule VAL-PARETO: 20% of 4 rounds down to 0, at least one: the top buyer's share.
    _buyers(shop, {"C1": 20, "C2": 100, "C3": 50, "C4": 30})
    assert _share(ws) == {"": pytest.approx(0.5)}
    assert kpi_rows_disagree(ws, "value.pareto_share", period="2026-11") == []


def test_ties_at_the_cut_go_to_the_smaller_customer_id(shop, ws):
    # rule VAL-PARETO: 5 buyers: the top one; C2 and C3 tie at 40, C2 comes first.
    _buyers(shop, {"C1": 10, "C3": 40, "C2": 40, "C4": 5, "C5": 5})
    assert _share(ws) == {"": pytest.approx(0.4)}
    rows = {r.id: r for r in ws.explain_kpi("value.pareto_share", period="2026-11",
                                                 as_of=AS_OF)}
    assert (rows["C2"].figure, rows["C3"].figure) == (40, 0)
    assert "rank 1 of 5 (top 1)" in rows["C2"].reason


def test_ten_buyers_count_two_and_only_the_period_counts(shop, ws):
    # rule VAL-PARETO: 20% of 10 = 2; a purchase in October is not November's.
    _buyers(shop, {f"C{n:02d}": n * 10 for n in range(1, 11)})     # 10 ... 100, total 550
    shop.buy("C01", dt.date(2026, 10, 31), 10_000)
    shop.buy("C01", dt.datetime(2026, 12, 1, 0, 0), 10_000)
    assert _share(ws) == {"": pytest.approx(190 / 550)}


def test_the_share_by_customer_type(shop, ws):
    # rule VAL-TYPE: every KPI is reported by the customer type.
    for customer, kind, value in (("C1", "consumer", 90), ("C2", "consumer", 10),
                                  ("C3", "intermediary", 70), ("C4", None, 5)):
        shop.customer(customer, customer_type=kind)
        shop.buy(customer, NOV, value)
    assert _share(ws, by="field:customer_type") == {
        "": pytest.approx(1.0), "consumer": pytest.approx(0.9), "intermediary": pytest.approx(1.0)}
    assert kpi_rows_disagree(ws, "value.pareto_share", period="2026-11",
                             by="field:customer_type") == []


def test_the_curve_report(shop, ws):
    # rule VAL-PARETO: tenths by count; 5 buyers fill tenths 2, 4, 6, 8, 10.
    _buyers(shop, {"C1": 50, "C2": 20, "C3": 15, "C4": 10, "C5": 5})
    (data,) = ws.build_reports("value.pareto", "2026-11", as_of=AS_OF)
    assert [(r.tenth, r.customers, round(r.customer_share, 4), round(r.value_share, 4))
            for r in data.curve] == [(2, 1, 0.2, 0.5), (4, 2, 0.4, 0.7), (6, 3, 0.6, 0.85),
                                     (8, 4, 0.8, 0.95), (10, 5, 1.0, 1.0)]
    text = ws.render_report("value.pareto", "2026-11", as_of=AS_OF)
    assert "the top 1 (20.0% of them by count, at least one) hold 50.0% of it" in text
    assert "| 3 | 60.0% | 85.0% |" in text


def test_abc_by_cumulative_share(shop, ws):
    # rule VAL-ABC: 80/15/5 of the value ranked above: 0, 50, 80, 90, 95 percent.
    _buyers(shop, {"C1": 50, "C2": 30, "C3": 10, "C4": 5, "C5": 5})
    ws.segment(["value.abc"], as_of=AS_OF)
    assert labels(ws, "value.abc") == {"C1": "A", "C2": "A", "C3": "B", "C4": "B", "C5": "C"}
    assert reason(ws, "value.abc", "C3") == (
        "10 in 12 months, rank 3 of 5; 80% of the value ranked above")


def test_abc_shares_must_add_up_to_one(make_workspace):
    import guanxi

    with pytest.raises(guanxi.ConfigError, match=r"shares = \[0.8, 0.1, 0.05\] must be three"):
        make_workspace(packs=["value"], settings={"value.abc": {"shares": [0.8, 0.1, 0.05]}})
