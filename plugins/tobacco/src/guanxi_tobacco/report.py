"""The monthly sales analysis report (rule TOB-REPORT, 《客户月度销售情况分析报告》, §4.4).

Each manager writes it by the 5th of the next month, moved past holidays
(每月5日前(节假日顺延)), from the month's sales and its 《特殊访问记录》,
and the regional market manager (区域市场经理) reviews it. It has four
parts, as the source lists them:

a) the overall sales of the month: cartons and order value, the retailers
   ordering out of all, against the month before (环比) and the same month
   last year (同比), by grade, and the top risers and fallers;
b) problems, causes and measures: sharp sales drops, stock-out days, price
   violations (with their downgrade cases), unlicensed selling, and the
   special visits recorded as the measures taken;
c) the customers' opinions on quality and service: complaints and quality
   complaints with their cases, survey satisfaction;
d) a forecast of the next month.

:func:`monthly_reports` returns one :class:`MonthlyReport` per manager (the
figures in :mod:`guanxi_tobacco.report_figures`, each one grouped query
over the manager's retailers: the customers the pack serves, those with a
licence number); :mod:`guanxi_tobacco.report_render` prints
it as Markdown or HTML. Building a report also expects it as a tracked
report (kind :data:`~guanxi_tobacco.options.MONTHLY_REPORT`), so
``guanxi reports list`` shows who is late; submitting and reviewing it
are ``guanxi reports submit`` and ``guanxi reports review``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import attrs

from guanxi.errors import GuanxiError, NotFoundError, UsageError
from guanxi_tobacco.options import MONTHLY_REPORT

_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


# -- the report's records ------------------------------------------------------------
# Figures are Decimals: cartons and values to 0.01, ratios (环比, 同比, falls,
# factors) to 0.0001, so a test compares them exactly on both databases.


@attrs.frozen(kw_only=True)
class Measure:
    """One measure (cartons or order value) in the month, the month before and last year.

    :ivar mom: 环比, the change on the month before as a ratio (0.25 = +25%);
        None when the month before had nothing.
    :ivar yoy: 同比, the change on the same month last year; None likewise.
    """

    current: Decimal
    previous: Decimal
    last_year: Decimal
    mom: Decimal | None
    yoy: Decimal | None


@attrs.frozen(kw_only=True)
class GradeRow:
    """The month's sales of one grade (the current ``tobacco.grade`` label, or ``ungraded``)."""

    grade: str
    retailers: int
    ordering: int
    cartons: Decimal
    sales: Decimal
    previous_cartons: Decimal
    mom: Decimal | None


@attrs.frozen(kw_only=True)
class Mover:
    """A retailer among the top risers or fallers: cartons this month against the month before."""

    customer_id: str
    name: str
    grade: str
    cartons: Decimal
    previous: Decimal
    change: Decimal
    ratio: Decimal | None


@attrs.frozen(kw_only=True)
class Sales:
    """Part a): the overall sales of the month."""

    retailers: int
    ordering: int
    cartons: Measure
    sales: Measure
    by_grade: tuple[GradeRow, ...]
    risers: tuple[Mover, ...]
    fallers: tuple[Mover, ...]


@attrs.frozen(kw_only=True)
class SalesDrop:
    """A retailer whose cartons fell by ``special.sales_drop`` or more (TOB-SPECIAL's trigger).

    :ivar average: the mean cartons of the three months before.
    :ivar fall: how far below that mean, as a ratio (0.3 = 30% less).
    :ivar measure: the note of the latest special visit to the retailer
        from the month's start to the report's due day; None: none yet.
    """

    customer_id: str
    name: str
    grade: str
    cartons: Decimal
    average: Decimal
    fall: Decimal
    measure: str | None
    measured_on: dt.date | None


@attrs.frozen(kw_only=True)
class StockOut:
    """A retailer with stock-out days (a day whose ``shortfall`` is above 0) in the month."""

    customer_id: str
    name: str
    grade: str
    days: int
    shortfall: Decimal
    measure: str | None
    measured_on: dt.date | None


@attrs.frozen(kw_only=True)
class Incident:
    """A price violation (TOB-PRICE) or a report of unlicensed selling (TOB-UNLICENSED).

    :ivar case_id: the case the interaction opened (the downgrade, or the
        report to the monopoly department); None when it opened none.
    :ivar case_status: the case's state and the step it waits for.
    :ivar chain_complete: every step of the case's chain approved (for a
        price violation: the downgrade approved).
    """

    interaction_id: str
    customer_id: str
    name: str
    day: dt.date
    kind: str
    note: str | None
    brand: str | None
    retail_price: Decimal | None
    guide_price: Decimal | None
    case_id: int | None
    case_status: str
    chain_complete: bool
    measure: str | None
    measured_on: dt.date | None


@attrs.frozen(kw_only=True)
class SpecialVisit:
    """A 《特殊访问记录》: a special visit and its note, a measure taken."""

    interaction_id: str
    customer_id: str
    name: str
    day: dt.date
    manager_id: str | None
    note: str | None


@attrs.frozen(kw_only=True)
class Problems:
    """Part b): problems, causes and measures.

    :ivar without_measure: retailers with a problem above and no special
        visit from the month's start to the due day, by id.
    """

    sales_drop: Decimal
    drops: tuple[SalesDrop, ...]
    stock_outs: tuple[StockOut, ...]
    price_violations: tuple[Incident, ...]
    unlicensed: tuple[Incident, ...]
    special_visits: tuple[SpecialVisit, ...]
    without_measure: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Opinion:
    """A complaint or quality complaint of the month, with its case."""

    interaction_id: str
    customer_id: str
    name: str
    day: dt.date
    kind: str
    brand: str | None
    note: str | None
    case_id: int | None
    case_policy: str | None
    case_status: str


@attrs.frozen(kw_only=True)
class SurveyAnswer:
    """A survey answer of the month that says something (its note)."""

    interaction_id: str
    customer_id: str
    name: str
    day: dt.date
    satisfaction: int | None
    note: str | None


@attrs.frozen(kw_only=True)
class Satisfaction:
    """The month's survey answers: how many, their mean (1 to 5), how many below the threshold."""

    answers: int
    mean: Decimal | None
    below: int
    threshold: int


@attrs.frozen(kw_only=True)
class Opinions:
    """Part c): the customers' opinions on quality and service."""

    complaints: tuple[Opinion, ...]
    satisfaction: Satisfaction
    remarks: tuple[SurveyAnswer, ...]


@attrs.frozen(kw_only=True)
class ForecastLine:
    """The forecast of one measure.

    :ivar history: the measure in each of the averaged months, oldest first.
    :ivar last_year: the report month and the next month, last year.
    :ivar seasonal: whether both last-year months had data (else factor 1).
    """

    history: tuple[Decimal, ...]
    mean: Decimal
    last_year: tuple[Decimal, Decimal]
    seasonal: bool
    factor: Decimal
    forecast: Decimal


@attrs.frozen(kw_only=True)
class Forecast:
    """Part d): the next month's forecast, and how it was made.

    ``forecast = mean of the months × factor``, where ``factor`` is the
    next month last year ÷ the report month last year when both have data,
    else 1. Cartons are forecast to the whole carton, values to the fen.
    """

    month: str
    months: tuple[str, ...]
    last_year_months: tuple[str, str]
    cartons: ForecastLine
    sales: ForecastLine
    method: str


@attrs.frozen(kw_only=True)
class MonthlyReport:
    """One manager's 《客户月度销售情况分析报告》 for one month.

    :ivar due_on: the tracked report's due day (TOB-REPORT).
    :ivar reviewer_id: the regional market manager who reviews it (as the
        case chains resolve the role), else the manager's ``reports_to``.
    :ivar status: ``due``, ``overdue``, ``submitted``, ``late`` (submitted
        after the due day), ``reviewed`` (submitted on time and reviewed) or
        ``late, reviewed``, as of ``as_of``.
    :ivar tracked: the core's tracked :class:`~guanxi.service.report_api.Report`.
    """

    manager_id: str
    manager_name: str
    territory: str | None
    month: str
    previous_month: str
    last_year_month: str
    due_on: dt.date
    reviewer_id: str | None
    reviewer_name: str | None
    status: str
    as_of: dt.date
    tracked: object
    sales: Sales
    problems: Problems
    opinions: Opinions
    forecast: Forecast


# -- months ----------------------------------------------------------------------------


@attrs.frozen
class Month:
    """A calendar month: its first day, and months counted from it."""

    first: dt.date

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch((text or "").strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise UsageError(f"--month {text!r} is not a month; write it like 2026-10")
        return cls(dt.date(int(match[1]), int(match[2]), 1))

    def plus(self, months: int) -> Month:
        index = self.first.year * 12 + self.first.month - 1 + months
        return Month(dt.date(index // 12, index % 12 + 1, 1))

    @property
    def end(self) -> dt.date:
        """The first day of the next month (exclusive end)."""
        return self.plus(1).first

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"


# -- the API ---------------------------------------------------------------------------


def monthly_reports(ws, month: str, managers=None, *, as_of: dt.date | None = None
                    ) -> list[MonthlyReport]:
    """Build the month's report of each manager, and expect them as tracked reports.

    :param month: the report month, like ``2026-10``.
    :param managers: manager ids; None: every active manager owning retailers
        (customers the pack serves).
    :param as_of: the day the status (due or overdue) is judged on; default today.
    :return: one :class:`MonthlyReport` per manager, by manager id.
    """
    from guanxi_tobacco import report_figures as figures

    ws.require_ready()
    period = Month.parse(month)
    as_of = as_of or ws.today()
    cfg = ws.settings["tobacco"]
    ctx = figures.context(ws, as_of)
    with ws.engine.connect() as conn:
        if managers is None:
            found = figures.owning_managers(conn, ctx)
            if not found:
                raise GuanxiError(f"no active manager owns a retailer; there is no report "
                                  f"to make for {period.label}")
        else:
            wanted = list(dict.fromkeys(managers))
            found = figures.managers_named(conn, wanted)
            known = {m.id for m in found}
            missing = [m for m in wanted if m not in known]
            if missing:
                raise NotFoundError(f"no manager with id {missing[0]!r}; nothing was reported")
    # TOB-REPORT: each manager's report is tracked, due on report.due_day of
    # the next month moved past holidays; expecting again changes nothing.
    tracked = {r.author_id: r for r in ws.expect_reports(
        MONTHLY_REPORT, [m.id for m in found], period.label, cfg["report.due_day"])}
    policies = {p.name: p for p in ws.case_policies()}
    reports = []
    with ws.engine.connect() as conn:
        for manager in found:
            report = tracked[manager.id]
            reviewer = figures.reviewer(conn, manager)
            window = figures.Window.of(period, report.due_on, cfg)
            reports.append(MonthlyReport(
                manager_id=manager.id, manager_name=manager.name, territory=manager.territory,
                month=period.label, previous_month=period.plus(-1).label,
                last_year_month=period.plus(-12).label, due_on=report.due_on,
                reviewer_id=reviewer.id if reviewer else None,
                reviewer_name=reviewer.name if reviewer else None,
                status=status_of(report, as_of), as_of=as_of, tracked=report,
                sales=figures.sales(conn, ctx, manager.id, window),
                problems=figures.problems(conn, ctx, manager.id, window, policies),
                opinions=figures.opinions(conn, ctx, manager.id, window, policies),
                forecast=figures.forecast(conn, ctx, manager.id, window),
            ))
    return reports


def monthly_report(ws, month: str, manager: str, *, as_of: dt.date | None = None
                   ) -> MonthlyReport:
    """One manager's report for ``month``; see :func:`monthly_reports`."""
    (report,) = monthly_reports(ws, month, [manager], as_of=as_of)
    return report


def status_of(report, as_of: dt.date) -> str:
    """What became of a tracked report: (late,) reviewed, late, submitted, overdue or due."""
    if report.reviewed_at is not None:
        return "late, reviewed" if report.late else "reviewed"
    if report.submitted_at is not None:
        return "late" if report.late else "submitted"
    # The core's rule: on the due day itself a report is not yet overdue.
    return "overdue" if report.due_on < as_of else "due"
