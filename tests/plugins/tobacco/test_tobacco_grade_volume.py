"""TOB-GRADE's volume is a flow's average month (issue 13): a retailer
licensed within the window is averaged from its first month, not over the
months before it existed.

As of 2026-11-24 the window is August to October 2026; full volume points
(40) at 200 cartons a month.
"""

from __future__ import annotations

import datetime as dt

from tobacco_kit import AS_OF, reason


def test_a_retailer_new_in_october_is_averaged_over_october_only(ws, shop):
    shop.retailer("NEW", created_at=dt.date(2026, 10, 5))
    shop.orders("NEW", {"2026-10-05": 100, "2026-10-19": 100})
    shop.retailer("OLD")
    shop.orders("OLD", {"2026-10-05": 100, "2026-10-19": 100})
    ws.segment(["tobacco.grade"], as_of=AS_OF)
    # NEW: 200 cartons in its one month: full 40 points, 200 a month.
    assert "volume 40/40 (200 cartons a month)" in reason(ws, "tobacco.grade", "NEW")
    # OLD: 200 cartons over three months: 200 * 40 // 600 = 13, 66 a month.
    assert "volume 13/40 (66 cartons a month)" in reason(ws, "tobacco.grade", "OLD")


def test_a_retailer_without_created_at_begins_with_its_first_order(ws, shop):
    shop.retailer("FIRST", created_at=None)
    shop.orders("FIRST", {"2026-09-07": 150, "2026-10-05": 150})
    ws.segment(["tobacco.grade"], as_of=AS_OF)
    # September and October: 300 cartons over two months, 150 a month: 150 * 40 // 200 = 30.
    assert "volume 30/40 (150 cartons a month)" in reason(ws, "tobacco.grade", "FIRST")
