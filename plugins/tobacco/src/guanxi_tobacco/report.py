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

It is the report kind :data:`KIND` (``tobacco.monthly_sales``): the core
builds it (the figures in :mod:`guanxi_tobacco.report_figures`), renders
its template (``templates/monthly_sales.md``) to Markdown, HTML or xlsx
(``guanxi reports show tobacco.monthly_sales``, or ``guanxi tobacco
report``) and tracks it: building it expects it from each manager, so
``guanxi reports list`` shows who is late; submitting and reviewing it
are ``guanxi reports submit`` and ``guanxi reports review``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi import ReportKind
from guanxi_tobacco import report_figures as figures
from guanxi_tobacco.options import MONTHLY_REPORT

# -- figures as text: the template's filters ------------------------------------------------

STATUS = {
    "due": "due, not yet submitted",
    "overdue": "overdue: not submitted by its due day",
    "submitted": "submitted on time, awaiting review",
    "late": "submitted late, awaiting review",
    "reviewed": "submitted on time, reviewed",
    "late, reviewed": "submitted late, reviewed",
}


def number(value: Decimal | None) -> str:
    """1,234 or 1,234.5: cartons without a needless .00."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def percent(ratio: Decimal | None) -> str:
    """+12.5%; a dash when there is nothing to compare with."""
    return "—" if ratio is None else f"{ratio * 100:+.1f}%"


def share(ratio: Decimal) -> str:
    """30.0%: a share, without a sign."""
    return f"{ratio * 100:.1f}%"


def signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + number(value)


def measure(item) -> str:
    """The special visit recorded as a problem's measure."""
    if item.measured_on is None:
        return "no special visit yet"
    return f"{item.measured_on.isoformat()}: {item.measure or '(no note)'}"


def case_text(item) -> str:
    return item.case_status if item.case_id is None else f"#{item.case_id} {item.case_status}"


def downgrade(incident) -> str:
    # rule TOB-PRICE: what matters is whether the regional market manager approved it.
    if incident.chain_complete:
        return f"#{incident.case_id} downgrade approved ({incident.case_status.split(',')[0]})"
    return case_text(incident)


def status_line(report) -> str:
    """The tracked report's status, when it came in and was reviewed, as of when."""
    tracked = report.tracked
    status = STATUS[report.status]
    if tracked.submitted_at is not None:
        status += f"; submitted {tracked.submitted_at:%Y-%m-%d %H:%M}"
    if tracked.reviewed_at is not None:
        status += f", reviewed by {tracked.reviewer_id} {tracked.reviewed_at:%Y-%m-%d %H:%M}"
    return f"{status} (as of {report.as_of.isoformat()})"


KIND = ReportKind(
    name=MONTHLY_REPORT, title="客户月度销售情况分析报告",
    description="The monthly sales analysis per manager (TOB-REPORT): sales, problems and "
                "measures, opinions, next month's forecast; due the 5th, reviewed by the "
                "regional market manager.",
    grain="month", authors=figures.authors, due_day=5,
    figures={"months": figures.months, "reviewer": figures.reviewer, "sales": figures.sales,
             "problems": figures.problems, "opinions": figures.opinions,
             "forecast": figures.forecast},
    template_file="guanxi_tobacco:templates/monthly_sales.md",
    filters={"number": number, "money": money, "percent": percent, "share": share,
             "signed": signed, "measure": measure, "case": case_text, "downgrade": downgrade,
             "factor": figures.factor_text, "status_line": status_line},
)


def report_kinds(settings) -> list[ReportKind]:
    """TOB-REPORT's kind, due on ``[tobacco.report] due_day``."""
    import attrs

    return [attrs.evolve(KIND, due_day=settings["report.due_day"])]


# -- the API ---------------------------------------------------------------------------------


def monthly_reports(ws, month: str, managers=None, *, as_of: dt.date | None = None) -> list:
    """Build the month's report of each manager, and expect them as tracked reports.

    :param month: the report month, like ``2026-10``.
    :param managers: manager ids; None: every active manager owning retailers.
    :param as_of: the day the status (due or overdue) is judged on; default today.
    :return: one :class:`guanxi.reporting.ReportData` per manager, by manager id.
    """
    return ws.build_reports(MONTHLY_REPORT, month, managers, as_of=as_of, option="--month")


def monthly_report(ws, month: str, manager: str, *, as_of: dt.date | None = None):
    """One manager's report for ``month``; see :func:`monthly_reports`."""
    (report,) = monthly_reports(ws, month, [manager], as_of=as_of)
    return report
