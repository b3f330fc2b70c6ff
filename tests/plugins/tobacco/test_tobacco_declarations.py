"""The pack's declarations load, and its data saves through the importer (TOB-* fields)."""

from __future__ import annotations

import datetime as dt

from tobacco_kit import AS_OF


def test_the_pack_declares_its_settings_with_the_catalogue_defaults(ws):
    cfg = ws.settings["tobacco"]
    assert cfg["plan.daily_cap"] == 30               # TOB-PLAN
    assert cfg["grade.thresholds"] == [80, 65, 50, 35]  # TOB-GRADE: 5 grades
    assert cfg["network.renewal_days"] == 30         # TOB-NETWORK
    assert cfg["special.due_working_days"] == 1      # TOB-SPECIAL
    assert cfg["survey.due_days"] == 10              # TOB-SURVEY
    assert cfg["promo.max_grade"] == 3               # TOB-PROMO
    assert cfg["report.due_day"] == 5                # TOB-REPORT


def test_a_retailer_and_a_checked_visit_save(ws, shop):
    shop.retailer("R001", licence_expires=AS_OF + dt.timedelta(days=90), store_format="grocery",
                  area="urban", size_band="small", network_status="in")
    shop.visit("V1", "R001", AS_OF, suggested_cartons=20, note="wants more 中华")
    assert [c.id for c in ws.customers()] == ["R001"]


def test_a_price_violation_must_be_below_the_guide_price(ws, shop, tmp_path):
    shop.retailer("R001")
    path = tmp_path / "interactions.csv"
    path.write_text(
        "id,customer_id,kind,occurred_at,manager_id,brand,retail_price,guide_price\n"
        "P1,R001,price_violation,2026-11-20 10:00,M1,中华(硬),440,450\n"
        "P2,R001,price_violation,2026-11-20 10:05,M1,中华(硬),450,450\n",
        encoding="utf-8")
    result = ws.import_file("interactions", path)
    assert (result.inserted, result.rejected) == (1, 1)
    rejects = (tmp_path / "interactions.rejects.csv").read_text(encoding="utf-8")
    assert "a price violation's retail_price must be below its guide_price (450" in rejects


def test_the_tobacco_and_banking_packs_enable_together(make_workspace):
    # Both declare interactions.satisfaction alike (1 to 5): one shared field.
    ws = make_workspace(packs=["banking", "tobacco"])
    fields = [(f.entity, f.name) for f in ws.fields()]
    assert fields.count(("interactions", "satisfaction")) == 1
    names = {s.name for s in ws.plugins.segmentations().values()}
    assert {"banking.abc", "tobacco.grade"} <= names
