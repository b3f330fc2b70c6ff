"""The query kit's measurements: declared metrics and their monthly averages.

A mixin of :class:`guanxi.engines.context.Context`.
"""

from __future__ import annotations


from sqlalchemy import Date, Integer, and_, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from guanxi.storage import tables


class MetricHelpers:
    """Metric helpers of the query context (a mixin of Context)."""

    # -- metrics over months ---------------------------------------------------------
    # A rule that ranks or bounds customers by a metric's monthly average
    # (BANK-ABC) asks here, so that a flow and a stock are averaged each in
    # its own way, the same in every pack.

    def metric(self, name: str, setting: str | None = None):
        """The declared :class:`~guanxi.Metric` ``name``; ``setting`` names where it was asked.

        An undeclared name raises ``ValueError`` naming the setting, the
        closest declared metric and the declared ones.
        """
        from guanxi.errors import did_you_mean

        spec = self.metrics.get(name)
        if spec is None:
            where = f"{setting} = {name!r}" if setting else repr(name)
            raise ValueError(
                f"{where} is not a declared metric{did_you_mean(name, self.metrics)}; "
                f"declared: {', '.join(sorted(self.metrics)) or 'none'}"
            )
        return spec

    def monthly_average(self, metric: str, months: int, *, name: str | None = None,
                        setting: str | None = None):
        """``(customer_id, value, months, total)``: ``metric``'s average month over the
        last ``months`` closed months (:meth:`trailing_months`), accounts added up.

        A flow (aggregate ``sum``: revenue, profit, cartons) counts a month
        without a row as 0, from the customer's first month on: the later of
        the window's first month and the month the customer began, which is
        the month of ``customers.created_at`` or of the customer's first
        measurement of ``metric``, whichever is earlier (a customer whose
        record was made after its history began is not averaged over fewer
        months than it had; one with no ``created_at`` begins with its first
        figure). So $404 bought over 11 months averages 404 / 11, not the
        mean of the months with a purchase. A stock (``avg``, ``last``:
        balances) is the mean of the months that have a figure; a daily
        stock's month is its mean (``avg``) or its last day (``last``).
        ``months`` in the result is the number of months averaged over and
        ``total`` the sum of the months' figures (``value`` = ``total`` /
        ``months``; whole-number rules divide ``total`` themselves).
        Customers without a row in the window are not in the result.
        ``setting`` names the option the metric came from, for the error an
        undeclared one raises (:meth:`metric`).
        """
        spec = self.metric(metric, setting)
        name = name or f"{metric}_monthly_average"
        first, end = self.trailing_months(months)
        m = tables.measurements
        # One figure per customer and period: accounts added up.
        periods = (
            select(m.c.customer_id, m.c.period, func.sum(m.c.value).label("value"))
            .where(m.c.metric == metric, m.c.period >= first, m.c.period < end)
            .group_by(m.c.customer_id, m.c.period)
            .subquery(f"{name}_periods")
        )
        monthly = self._months_of(spec, periods, name)
        if spec.aggregate != "sum":
            return (
                select(monthly.c.customer_id, func.avg(monthly.c.value).label("value"),
                       func.count().label("months"), func.sum(monthly.c.value).label("total"))
                .group_by(monthly.c.customer_id)
                .subquery(name)
            )
        totals = (
            select(monthly.c.customer_id, func.sum(monthly.c.value).label("total"))
            .group_by(monthly.c.customer_id)
            .subquery(f"{name}_totals")
        )
        began = (
            select(m.c.customer_id, func.min(m.c.period).label("first"))
            .where(m.c.metric == metric, m.c.period < end)
            .group_by(m.c.customer_id)
            .subquery(f"{name}_first_figure")
        )
        c = tables.customers.alias(f"{name}_customer")
        created = self.start_of_month(c.c.created_at)
        figured = self.start_of_month(began.c.first)
        start = case((and_(created.is_not(None), created < figured), created), else_=figured)
        start = case((start < literal(first, Date), literal(first, Date)), else_=start)
        counted = literal(end.year * 12 + end.month) - self._month_number(start)
        total = totals.c.total if self.dialect != "sqlite" else totals.c.total * 1.0
        return (
            select(totals.c.customer_id, (total / counted).label("value"),
                   counted.label("months"), totals.c.total)
            .select_from(totals.join(began, began.c.customer_id == totals.c.customer_id)
                         .outerjoin(c, c.c.id == totals.c.customer_id))
            .subquery(name)
        )

    def _months_of(self, spec, periods, name: str):
        """``(customer_id, month, value)`` from one figure per period, by the metric's grain."""
        if spec.grain == "month":
            return select(periods.c.customer_id, periods.c.period.label("month"),
                          periods.c.value).subquery(f"{name}_months")
        month = self.start_of_month(periods.c.period)
        if spec.aggregate == "last":
            latest = select(
                periods.c.customer_id, month.label("month"), periods.c.value,
                func.row_number().over(partition_by=(periods.c.customer_id, month),
                                       order_by=periods.c.period.desc()).label("n"),
            ).subquery(f"{name}_latest")
            return (select(latest.c.customer_id, latest.c.month, latest.c.value)
                    .where(latest.c.n == 1).subquery(f"{name}_months"))
        figure = func.sum if spec.aggregate == "sum" else func.avg
        return (select(periods.c.customer_id, month.label("month"),
                       figure(periods.c.value).label("value"))
                .group_by(periods.c.customer_id, month).subquery(f"{name}_months"))

    def _month_number(self, expr) -> ColumnElement:
        """year * 12 + month of a date: months between two dates by subtraction."""
        if self.dialect == "sqlite":
            return (cast(func.strftime("%Y", expr), Integer) * 12
                    + cast(func.strftime("%m", expr), Integer))
        return cast(func.extract("year", expr) * 12 + func.extract("month", expr), Integer)

    def months_between(self, start, end=None) -> ColumnElement:
        """Calendar months from the month of ``start`` to the month of ``end``
        (a date or datetime; default: the as-of date): 0 within one month,
        1 from any day of October to any day of November. Cohort grids
        (months since a customer's first purchase) read this one shape.
        """
        end = self.today if end is None else end
        return self._month_number(end) - self._month_number(start)
