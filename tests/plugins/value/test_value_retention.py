"""VAL-RETENTION: of the customers who bought in the 12 months before the
period, the share who buy in it; a customer new in the period is left out;
defection = 1 - retention (反叛离率)."""

from __future__ import annotations

import datetime as dt

import pytest
from value_kit import AS_OF

from guanxi.testing import kpi_rows_disagree


@pytest.fixture
def base(shop):
    # The base of November 2026 is who bought from 2025-11-01 00:00 to 2026-10-31 23:59.
    for customer, kind in (("KEPT", "consumer"), ("EDGE", "intermediary"), ("OLD", "consumer"),
                           ("NEW", "consumer"), ("LATE", "public_interest")):
        shop.customer(customer, customer_type=kind)
    shop.buy("KEPT", dt.date(2026, 5, 1), 10)
    shop.buy("KEPT", dt.datetime(2026, 11, 30, 23, 59), 10)
    shop.buy("EDGE", dt.datetime(2025, 11, 1, 0, 0), 10)          # in the base, not back
    shop.buy("OLD", dt.datetime(2025, 10, 31, 23, 59), 10)        # before the base
    shop.buy("OLD", dt.date(2026, 11, 2), 10)
    shop.buy("NEW", dt.date(2026, 11, 3), 10)                     # new in the period
    shop.buy("LATE", dt.datetime(2026, 10, 31, 23, 59), 10)       # in the base
    shop.buy("LATE", dt.datetime(2026, 12, 1, 0, 0), 10)          # after the period
    return shop


def _values(ws, name, by="all"):
    return {v.scope_key: v.value
            for v in ws.kpi([name], period="2026-11", by=by, as_of=AS_OF)}


def test_retention_leaves_out_customers_new_in_the_period(base, ws):
    # rule VAL-RETENTION: base KEPT, EDGE, LATE; KEPT bought in November: 1 of 3.
    assert _values(ws, "value.retention") == {"": pytest.approx(1 / 3)}
    assert _values(ws, "value.defection") == {"": pytest.approx(2 / 3)}
    rows = {r.id: r.figure for r in ws.explain_kpi("value.retention", period="2026-11",
                                                   as_of=AS_OF)}
    assert rows == {"KEPT": 1, "EDGE": 0, "LATE": 0}
    for name in ("value.retention", "value.defection"):
        assert kpi_rows_disagree(ws, name, period="2026-11") == []


def test_retention_by_customer_type(base, ws):
    # rule VAL-TYPE: the customer type is a scope of every KPI.
    assert _values(ws, "value.retention", by="field:customer_type") == {
        "consumer": pytest.approx(1.0), "intermediary": pytest.approx(0.0),
        "public_interest": pytest.approx(0.0)}
    assert kpi_rows_disagree(ws, "value.defection", period="2026-11",
                             by="field:customer_type") == []


def test_a_month_so_far_counts_up_to_the_as_of_day(base, ws):
    # KEPT's November purchase is on the 30th: as of the 29th nobody came back yet.
    values = ws.kpi(["value.retention"], period="2026-11", as_of=dt.date(2026, 11, 29))
    assert [(v.scope_key, v.value) for v in values] == [("", pytest.approx(0.0))]


def test_without_a_base_retention_is_undefined(shop, ws):
    shop.customer("NEW")
    shop.buy("NEW", dt.date(2026, 11, 3), 10)
    values = ws.kpi(["value.retention"], period="2026-11", as_of=AS_OF)
    assert [v.value for v in values if v.scope_key == ""] in ([], [None])
