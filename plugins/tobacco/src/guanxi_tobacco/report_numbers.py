"""The monthly report's numbers: Decimals to the cent or the basis point, changes,
sharp drops (TOB-REPORT, TOB-GRADE) and the month window a report covers.
"""

from __future__ import annotations

import attrs
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_

from guanxi import Period


UNGRADED = "ungraded"
TOP = 5
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


def dec(value, places: Decimal = CENT) -> Decimal:
    """A figure as an exact Decimal: SQLite sums come back as floats."""
    if value is None:
        value = 0
    return Decimal(str(value)).quantize(places, ROUND_HALF_UP)


def change(current: Decimal, before: Decimal) -> Decimal | None:
    """The change on ``before`` as a ratio; None when there was nothing before."""
    if not before:
        return None
    return ((current - before) / before).quantize(RATIO, ROUND_HALF_UP)


def drop_basis_points(sales_drop: float) -> int:
    """``[tobacco.special] sales_drop`` (0.3) in whole basis points (3000)."""
    return int(round(sales_drop * 10_000))


def sharp_drop(last, before, sales_drop: float):
    """TOB-SPECIAL's sharp sales drop, as a SQL condition.

    ``last``: the month's cartons; ``before``: the cartons of the three
    months before it, summed. True when the month is at least
    ``sales_drop`` below their mean: ``last * 3 * 10000 <= before * (10000
    - drop in basis points)``, all whole numbers, so a fall of exactly the
    threshold counts on SQLite and PostgreSQL alike. Nothing before: no drop.
    The one test of a drop for the report and the rule ``tobacco.sales_drop``.
    """
    points = drop_basis_points(sales_drop)
    return and_(before > 0, last * 3 * 10_000 <= before * (10_000 - points))


def month_plus(month: Period, months: int) -> Period:
    """The month ``months`` after (before, when negative) ``month``."""
    index = month.start.year * 12 + month.start.month - 1 + months
    return Period.containing(dt.date(index // 12, index % 12 + 1, 1), "month")


@attrs.frozen(kw_only=True)
class Window:
    """The days a report reads.

    :ivar measures_end: special visits count as measures up to the end of
        the due day: the report is written then, from the month's records
        and the visits its problems called for.
    """

    month: Period
    due_on: dt.date
    sales_drop: float
    forecast_months: int
    action_below: int

    @classmethod
    def of(cls, scope) -> Window:
        cfg = scope.settings
        return cls(month=scope.period, due_on=scope.tracked.due_on,
                   sales_drop=cfg["special.sales_drop"],
                   forecast_months=cfg["report.forecast_months"],
                   action_below=cfg["survey.action_below"])

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.month.start, dt.time())

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.month.end, dt.time())

    @property
    def measures_end(self) -> dt.datetime:
        return dt.datetime.combine(self.due_on + dt.timedelta(days=1), dt.time())


def factor_text(value: Decimal) -> str:
    """1.2 rather than 1.2000; 1 rather than 1.0000."""
    return f"{value.normalize():f}"


def plain_figure(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text
