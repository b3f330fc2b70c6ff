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
