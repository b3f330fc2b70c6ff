"""VAL-LTV: the seed's lifetime value, average monthly revenue × 12 × years:
1,500 × 12 × 10 = 180,000 (001 第二篇; the seed prints 360,000 in error);
a customer younger than the window is averaged over its own months; bands."""

from __future__ import annotations

import datetime as dt

import pytest
from value_kit import AS_OF, labels, reason
from sqlalchemy import select

from guanxi import tables
from guanxi.testing import kpi_rows_disagree


def _monthly(shop, customer, months, amount, **values):
    shop.customer(customer, **values)
    shop.buys(customer, [(dt.date(2026, 11 - m, 15) if m < 11 else dt.date(2025, 23 - m, 15),
                          amount) for m in range(1, months + 1)])


def _scores(ws):
    s = tables.segments
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(s.c.customer_id, s.c.score)
                                 .where(s.c.segmentation == "value.ltv")).all())


def test_the_seed_example_is_180000(shop, ws):
    # rule VAL-LTV: 1,500 a month for the 12 closed months (Nov 2025 - Oct 2026) × 12 × 10.
    _monthly(shop, "FEDEX", 12, 1500)
    ws.segment(["value.ltv"], as_of=AS_OF)
    assert _scores(ws) == {"FEDEX": pytest.approx(180_000)}
    assert labels(ws, "value.ltv") == {"FEDEX": "high"}
    assert reason(ws, "value.ltv", "FEDEX") == (
        "18,000 over 12 months = 1,500 a month; × 12 × 10 years = 180,000")
    values = ws.kpi(["value.lifetime_value"], period="2026-11", as_of=AS_OF)
    assert [(v.scope_key, v.value) for v in values] == [("", pytest.approx(180_000))]


def test_a_customer_younger_than_the_window_is_averaged_over_its_months(shop, ws):
    # rule VAL-LTV: created in August 2026, 4,500 over Aug-Oct: 1,500 a month.
    _monthly(shop, "NEW", 3, 1500, created_at=dt.date(2026, 8, 3))
    ws.segment(["value.ltv"], as_of=AS_OF)
    assert _scores(ws) == {"NEW": pytest.approx(180_000)}


def test_a_month_without_a_purchase_counts_as_nothing(shop, ws):
    # rule VAL-LTV: 6 purchases of 1,500 over the 12 months: 750 a month, 90,000.
    _monthly(shop, "HALF", 6, 1500)
    shop.buy("HALF", dt.date(2026, 11, 20), 99_999)   # the as-of month is not closed
    ws.segment(["value.ltv"], as_of=AS_OF)
    assert _scores(ws) == {"HALF": pytest.approx(90_000)}
    assert labels(ws, "value.ltv") == {"HALF": "medium"}


def test_band_edges_and_years(make_workspace):
    # rule VAL-LTV: 5 years, one purchase in 12 months: LTV = total × 5. 100,000 is
    # high, 99,999.95 medium, 10,000 medium, 9,999.95 low.
    ws = make_workspace(packs=["value"], settings={"value.ltv": {"years": 5}})
    from value_kit import Shop

    shop = Shop(ws)
    shop.manager("M1")
    for customer, total in (("HIGH", 20_000), ("MEDIUM", 19_999.99), ("EDGE", 2_000),
                            ("LOW", 1_999.99)):
        shop.customer(customer)
        shop.buy(customer, dt.date(2026, 3, 3), total)
    ws.segment(["value.ltv"], as_of=AS_OF)
    assert labels(ws, "value.ltv") == {"HIGH": "high", "MEDIUM": "medium", "EDGE": "medium",
                                       "LOW": "low"}
    assert _scores(ws)["HIGH"] == 100_000


def test_the_average_by_manager_and_its_rows(shop, ws):
    shop.manager("M2")
    _monthly(shop, "A", 12, 1500)
    _monthly(shop, "B", 12, 500)
    _monthly(shop, "C", 12, 100, manager_id="M2")
    values = ws.kpi(["value.lifetime_value"], period="2026-11", by="manager", as_of=AS_OF)
    assert {v.scope_key: v.value for v in values} == {"M1": pytest.approx(120_000),
                                                      "M2": pytest.approx(12_000)}
    assert kpi_rows_disagree(ws, "value.lifetime_value", period="2026-11", by="manager") == []
