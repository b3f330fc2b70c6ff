"""Which customers the telecom pack serves, and the check of a line's status.

The pack serves key accounts, group customers and the prospects a sweep
registered; its segmentations, rules and KPIs keep to them. A line (an
account of a ``[telecom.lines] products`` type) must carry one of the five
line statuses; other accounts (another pack's deposits) are not checked.
"""

from __future__ import annotations

from sqlalchemy import or_

from guanxi import CustomerFilter, Rejection
from guanxi_telecom.common import flag
from guanxi_telecom.options import LINE_STATUSES

FILTERS = (
    CustomerFilter(
        name="telecom.customers",
        description="Key accounts, group customers and swept prospects (摸排建档).",
        condition=lambda ctx, c: or_(flag(ctx, c, "key_account"), flag(ctx, c, "group_customer"),
                                     ctx.attribute(c, "swept_on", "date").is_not(None)),
    ),
)


def check_accounts(workspace, batch):
    """A line's status is one of active, dormant, suspended_nonpayment,
    suspended_request, lost (罚停 is suspended_nonpayment, 报停 suspended_request)."""
    if "status" not in batch.columns or "type" not in batch.columns:
        return
    products = set(workspace.settings["telecom"]["lines.products"])
    at_type, at_status = batch.columns.index("type"), batch.columns.index("status")
    for index, row in enumerate(batch.rows):
        status = row[at_status]
        if row[at_type] in products and status is not None and status not in LINE_STATUSES:
            yield Rejection(index=index, column="status", value=status,
                            reason=f"a {row[at_type]} line's status is one of "
                                   f"{', '.join(LINE_STATUSES)} (罚停 is suspended_nonpayment, "
                                   "报停 suspended_request)")
