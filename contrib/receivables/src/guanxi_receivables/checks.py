"""What the ledger refuses on import (REC-LEDGER): an invoice without an amount or
a due day, and a payment, credit note or write-off that names no invoice.
Such a row could never be aged or settled, so it goes to the rejects file."""

from __future__ import annotations

from guanxi import Rejection

from guanxi_receivables.options import INVOICE, SETTLEMENTS


def validate(batch) -> list:
    rejected = []
    for n, row in enumerate(batch.dicts()):
        kind = row.get("kind")
        if kind == INVOICE:
            for column in ("amount", "due_on"):
                if row.get(column) in (None, ""):
                    rejected.append(Rejection(
                        index=n, column=column, value=None,
                        reason=f"an invoice needs {'an amount' if column == 'amount' else 'a due day'} "
                               "(REC-LEDGER)"))
        elif kind in SETTLEMENTS and row.get("bill_id") in (None, ""):
            rejected.append(Rejection(index=n, column="bill_id", value=None,
                                      reason=f"a {kind.replace('_', ' ')} names the invoice it "
                                             "settles in bill_id (REC-LEDGER)"))
    return rejected
