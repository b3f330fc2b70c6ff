"""The receivables panels of a customer's 360° view (REC-LEDGER, REC-3C)."""

from __future__ import annotations

from guanxi import CustomerPanel


def panels(workspace, customer_id: str, language: str) -> list:
    from guanxi_receivables import archive

    rows = archive.ledger(workspace, customer_id)
    policy = archive.credit(workspace, customer_id)
    zh = language == "zh"
    owed = archive.owed(rows)
    text = (f"信用等级 {policy['grade']}（{policy['reason']}）；信用额度 {policy['limit']:,.0f}，"
            f"信用期 {policy['period_days']} 天；当前欠款 {owed:,.2f}" if zh else
            f"Grade {policy['grade']} ({policy['reason']}); limit {policy['limit']:,.0f}, "
            f"credit period {policy['period_days']} days; owed {owed:,.2f}")
    return [
        CustomerPanel(title="资信档案" if zh else "Credit archive", text=text),
        CustomerPanel(title="应收账款台账" if zh else "Receivables ledger",
                      text=None if rows else ("无发票或回款" if zh else "No invoices or payments."),
                      rows=rows[-50:], columns=archive.COLUMNS),
    ]
