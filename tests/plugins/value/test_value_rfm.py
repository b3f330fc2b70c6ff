"""VAL-RFM: RFM scores by fifths of the buyers of the window, ties by customer
id, the window's edges, the reason's figures, and the named segments."""

from __future__ import annotations

import datetime as dt

import guanxi
import pytest
from value_kit import AS_OF, labels, reason


def test_seven_equal_buyers_are_split_into_uneven_fifths_by_customer_id(shop, ws):
    # rule VAL-RFM: ntile(5) over 7: fifths of 2, 2, 1, 1, 1, ties by id.
    for n in range(1, 8):
        shop.customer(f"C{n}")
        shop.buy(f"C{n}", dt.date(2026, 11, 20), 100)
    ws.segment(["value.rfm"], as_of=AS_OF)
    assert labels(ws, "value.rfm") == {"C1": "555", "C2": "555", "C3": "444", "C4": "444",
                                       "C5": "333", "C6": "222", "C7": "111"}


def test_each_score_ranks_its_own_figure_best_first(shop, ws):
    # rule VAL-RFM: 5 buyers, one per fifth of each figure.
    recency = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5}      # days before AS_OF
    for customer, days in recency.items():
        shop.customer(customer)
    # C1: most recent, fewest purchases (1), mid spend; C5: oldest, most purchases.
    shop.buys("C1", [(AS_OF - dt.timedelta(days=1), 300)])
    shop.buys("C2", [(AS_OF - dt.timedelta(days=2), 100), (dt.date(2026, 1, 5), 100)])
    shop.buys("C3", [(AS_OF - dt.timedelta(days=3), 50)] * 3)
    shop.buys("C4", [(AS_OF - dt.timedelta(days=4), 1000)] * 4)
    shop.buys("C5", [(AS_OF - dt.timedelta(days=5), 2460)] * 5)
    ws.segment(["value.rfm"], as_of=AS_OF)
    assert labels(ws, "value.rfm") == {"C1": "513", "C2": "422", "C3": "331", "C4": "244",
                                       "C5": "155"}
    assert reason(ws, "value.rfm", "C5") == (
        "last purchase 5 days ago, 5 purchases, 12,300 in 12 months (R 1, F 5, M 5)")


def test_a_purchase_at_the_window_edge(shop, ws):
    # rule VAL-RFM: 12 months up to 2026-11-30 start at 2025-12-01 00:00.
    shop.customer("IN")
    shop.customer("OUT")
    shop.buy("IN", dt.datetime(2025, 12, 1, 0, 0), 80)
    shop.buy("OUT", dt.datetime(2025, 11, 30, 23, 59), 80)
    shop.buy("OUT", dt.datetime(2026, 12, 1, 0, 0), 80)   # after the as-of day
    ws.segment(["value.rfm"], as_of=AS_OF)
    assert labels(ws, "value.rfm") == {"IN": "555"}
    assert reason(ws, "value.rfm", "IN").startswith("last purchase 364 days ago, 1 purchases, 80")


def test_only_configured_kinds_with_an_amount_are_purchases(make_workspace):
    ws = make_workspace(packs=["value"], settings={"value": {"kinds": ["sale"]}})
    from value_kit import Shop

    shop = Shop(ws)
    shop.manager("M1")
    for c in ("C1", "C2", "C3"):
        shop.customer(c)
    shop.buy("C1", dt.date(2026, 11, 1), 10, kind="sale")
    shop.buy("C2", dt.date(2026, 11, 1), 10, kind="order")
    shop.interaction("X1", "C3", "sale", dt.date(2026, 11, 1))   # no amount
    ws.segment(["value.rfm"], as_of=AS_OF)
    assert labels(ws, "value.rfm") == {"C1": "555"}


def test_named_segments_follow_the_mapping(shop, ws):
    # rule VAL-RFM: 555 and 444 champions, 333 loyal, 222 hibernating, 111 lost.
    for n in range(1, 6):
        shop.customer(f"C{n}")
        shop.buy(f"C{n}", dt.date(2026, 11, 20), 100)
    ws.segment(["value.rfm", "value.rfm_segment"], as_of=AS_OF)
    assert labels(ws, "value.rfm_segment") == {"C1": "champions", "C2": "champions", "C3": "loyal",
                                               "C4": "hibernating", "C5": "lost"}
    assert reason(ws, "value.rfm_segment", "C4") == "R 2, F 2, M 2: hibernating"


def test_a_mapping_of_ones_own_and_others(make_workspace):
    ws = make_workspace(packs=["value"], settings={"value.rfm": {
        "segments": ["stars = 5 * *", "steady = 3-4 3-4 3-4"]}})
    from value_kit import Shop

    shop = Shop(ws)
    shop.manager("M1")
    for n in range(1, 6):
        shop.customer(f"C{n}")
        shop.buy(f"C{n}", dt.date(2026, 11, 20), 100)
    ws.segment(["value.rfm_segment"], as_of=AS_OF)
    assert labels(ws, "value.rfm_segment") == {"C1": "stars", "C2": "steady", "C3": "steady",
                                               "C4": "others", "C5": "others"}


def test_a_malformed_mapping_is_a_config_error_naming_the_entry(make_workspace):
    with pytest.raises(guanxi.ConfigError, match=r"segments .*'stars = 6 \* \*'.*name = R F M"):
        make_workspace(packs=["value"], settings={"value.rfm": {"segments": ["stars = 6 * *"]}})
