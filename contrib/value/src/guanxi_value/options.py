"""What the value pack declares: its settings, the customer-type field, the
metrics its fitted model writes, and the names other modules share.

Every number here is a default (ours unless the seed is cited) that an
organization overrides in ``guanxi.toml`` (``[value.rfm] months = 6``).
Purchases are interactions with an amount whose kind is one of
``[value] kinds``.
"""

from __future__ import annotations

import re

from guanxi import ConfigOption, Field, Metric

#: The RFM named segments (VAL-RFM): ``label = R F M``, each a score or a
#: range of scores (``4-5``) or ``*``; the first that matches names the
#: customer, the rest are ``others``. Ours, after the usual R × F grid.
RFM_SEGMENTS = (
    "champions = 4-5 4-5 4-5",
    "loyal = 3-5 3-5 *",
    "new = 5 1 *",
    "promising = 4-5 1-2 *",
    "about_to_sleep = 3 1-2 *",
    "at_risk = 1-2 3-5 *",
    "hibernating = 2 1-2 *",
    "lost = 1 1-2 *",
)
OTHERS = "others"

#: Customer types (VAL-TYPE, 001 第二篇: 消费、中间、公利客户).
CUSTOMER_TYPES = ("consumer", "intermediary", "public_interest")

#: Value bands of the lifetime value (VAL-LTV), the highest first.
LTV_BANDS = ("high", "medium", "low")

#: The metrics ``guanxi value fit`` stores per customer (VAL-BGNBD).
EXPECTED_PURCHASES = "value_expected_purchases"
P_ALIVE = "value_p_alive"
EXPECTED_VALUE = "value_expected_value"

RFM = "value.rfm"
RFM_SEGMENT = "value.rfm_segment"
LTV = "value.ltv"
ABC = "value.abc"
PARETO_REPORT = "value.pareto"

_PART = r"(\*|[1-5](?:-[1-5])?)"
_SEGMENT = re.compile(rf"^\s*([a-z][a-z0-9_]*)\s*=\s*{_PART}\s+{_PART}\s+{_PART}\s*$")


def parse_segment(text: str) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """``"loyal = 3-5 3-5 *"`` -> ("loyal", ((3, 5), (3, 5), (1, 5))); None when malformed."""
    match = _SEGMENT.match(text)
    if not match:
        return None
    bounds = []
    for part in match.groups()[1:]:
        if part == "*":
            bounds.append((1, 5))
            continue
        low, _, high = part.partition("-")
        low, high = int(low), int(high or low)
        if low > high:
            return None
        bounds.append((low, high))
    return match[1], tuple(bounds)


def _segments_problem(value) -> str | None:
    for entry in value:
        if parse_segment(entry) is None:
            return (f"has {entry!r}: each entry is 'name = R F M', each score 1-5, a range "
                    "like 4-5 or *, e.g. 'loyal = 3-5 3-5 *'")
    return None


def _shares_problem(value) -> str | None:
    if len(value) != 3 or any(v <= 0 for v in value) or abs(sum(value) - 1) > 1e-9:
        return "must be three positive shares (A, B, C) adding up to 1, e.g. [0.8, 0.15, 0.05]"
    return None


def _bands_problem(value) -> str | None:
    if len(value) != 2 or not value[0] > value[1] >= 0:
        return "must be two amounts, the high band's floor above the medium band's, e.g. [100000, 10000]"
    return None


def _kinds_problem(value) -> str | None:
    return "must name at least one interaction kind" if not value else None


def _o(name, type, default, description, **extra) -> ConfigOption:
    return ConfigOption(name=name, type=type, default=default, description=description, **extra)


OPTIONS = [
    _o("kinds", "text list", ["order", "transaction", "purchase"],
       "Interaction kinds that are purchases (with an amount).", check=_kinds_problem),
    _o("rfm.months", "integer", 12,
       "VAL-RFM: the window in months up to the as-of day.", minimum=1, maximum=120),
    _o("rfm.segments", "text list", list(RFM_SEGMENTS),
       "VAL-RFM: named segments from the scores, 'name = R F M', the first match wins.",
       check=_segments_problem),
    _o("pareto.top_share", "number", 0.2,
       "VAL-PARETO: the share of customers (by count, rounded down, at least one) whose "
       "value share is reported.", minimum=0.01, maximum=1),
    _o("abc.shares", "number list", [0.8, 0.15, 0.05],
       "VAL-ABC: cumulative value shares of classes A, B and C.", check=_shares_problem),
    _o("ltv.months", "integer", 12,
       "VAL-LTV: closed months the average monthly revenue is taken over.", minimum=1,
       maximum=120),
    _o("ltv.years", "number", 10,
       "VAL-LTV: expected years a customer stays (the source's example: 10).", minimum=0),
    _o("ltv.bands", "number list", [100000, 10000],
       "VAL-LTV: the lowest lifetime value of the high and of the medium band.",
       check=_bands_problem),
    _o("retention.months", "integer", 12,
       "VAL-RETENTION: months before the period whose buyers are the base.", minimum=1,
       maximum=120),
    _o("fit.horizon_days", "integer", 365,
       "VAL-BGNBD: the horizon of the expected purchases and value, in days.", minimum=1),
]

FIELDS = [
    Field(name="customer_type", entity="customers", type="text", allowed=CUSTOMER_TYPES,
          description="VAL-TYPE: consumer, intermediary (distributor) or public-interest "
                      "customer (消费、中间、公利客户); a KPI scope: --by field:customer_type."),
]

METRICS = [
    Metric(name=EXPECTED_PURCHASES, title="Expected purchases (BG/NBD)", grain="month",
           aggregate="last", unit="purchases"),
    Metric(name=P_ALIVE, title="Probability still active (BG/NBD)", grain="month",
           aggregate="last", unit="share"),
    Metric(name=EXPECTED_VALUE, title="Expected value (BG/NBD × Gamma-Gamma)", grain="month",
           aggregate="last", unit="money"),
]
