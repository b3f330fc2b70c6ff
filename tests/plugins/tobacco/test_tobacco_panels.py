"""The retailer's page in the web workspace: the last visit's checklist (TOB-CHECKLIST)."""

from __future__ import annotations

import datetime as dt


def test_the_panel_shows_the_last_visits_items_and_whether_it_is_complete(ws, shop):
    shop.retailer("R1")
    shop.visit("V1", "R1", dt.date(2026, 11, 10), info_given=False)
    shop.visit("V2", "R1", dt.date(2026, 11, 20), price_checked=False, manager_signed=None)
    [panel] = ws.customer_panels("R1", language="en")
    assert (panel.pack, panel.title) == ("tobacco", "Last visit's checklist (TOB-CHECKLIST)")
    assert panel.text == "Visited on 2026-11-20 by M1: incomplete, 2 of 8 items not done."
    assert [(r["item"], r["status"]) for r in panel.rows][4:7] == [
        ("sales and lawful operation observed", "done"),
        ("retail prices checked against the guide price", "not done"),
        ("signed by the manager", "not recorded")]
    [zh] = ws.customer_panels("R1", language="zh")
    assert zh.text == "2026-11-20 由 M1 走访：记录不完整，8 项中 2 项未完成。"
    assert zh.rows[0] == {"item": "传递信息", "status": "已做"}


def test_a_complete_visit_and_a_retailer_never_visited(ws, shop):
    shop.retailer("R1")
    shop.retailer("R2")
    shop.visit("V1", "R1", dt.date(2026, 11, 20))
    assert ws.customer_panels("R1", language="en")[0].text == (
        "Visited on 2026-11-20 by M1: the record is complete.")
    [never] = ws.customer_panels("R2", language="en")
    assert (never.text, never.rows) == ("No visit recorded yet.", ())
