"""The customer's page in the web workspace: the relationship level (BANK-REL)."""

from banking_kit import AS_OF


def test_the_panel_shows_the_level_its_reason_and_day(ws, bank):
    bank.customer("DEP")
    bank.account("DEP-1", "DEP")
    bank.customer("NEW")
    ws.segment(["banking.relationship"], as_of=AS_OF)
    [panel] = ws.customer_panels("DEP", language="en")
    assert (panel.pack, panel.title, panel.text) == (
        "banking", "Relationship level (BANK-REL)",
        f"A key: holds 1 deposit account(s) with us ({AS_OF})")
    [zh] = ws.customer_panels("DEP", language="zh")
    assert zh.title == "客户关系等级（BANK-REL）"


def test_a_customer_without_a_level_yet(ws, bank):
    bank.customer("NEW")
    [panel] = ws.customer_panels("NEW", language="en")
    assert panel.text == "No level yet: the segmentation has not run for this customer."


def test_the_league_table_is_a_panel_of_the_team_page(ws, bank, time_machine):
    import datetime as dt

    # the same table as `guanxi banking league`, read without storing (no job lock)
    time_machine.move_to(dt.datetime(2026, 11, 20, 9), tick=False)
    bank.team("T1", name="北区")
    bank.team("T2", name="South")
    bank.manager("A1", team_id="T2")
    bank.customer("C1", manager_id="A1")
    bank.interaction("V1", "C1", "visit", dt.date(2026, 11, 4), manager_id="A1")
    assert ws.page_panels("numbers", language="en") == []
    [panel] = ws.page_panels("team", language="en")
    assert (panel.pack, panel.title, panel.chart) == ("banking", "Team league table", None)
    assert [tuple(r.values()) for r in panel.rows] == [
        ("T2", "South", 1, 0, 500.0, 0.0), ("T1", "北区", 0, 0, 0.0, 0.0)]
    with ws.job("a batch holds the lock"):  # the page still answers
        [zh] = ws.page_panels("team", language="zh")
    assert zh.columns[:3] == ("团队", "名称", "维护客户数")
