"""The tobacco demo: a wholesaler's licensed retailers beside the core's generic base.

It adds about a third as many retailers (``T00001`` ...) as the base has
customers, owned by the core's account managers in their territories, one
regional market manager (区域市场经理) per territory, to whom the core's
team leads now report, and a brand manager (品牌经理). Each retailer is
drawn towards a grade (TOB-GRADE: most 3 to 5, a few 1 and 2) by how much
and how regularly it orders: 14 months of weekly orders (metric
``cartons``, with ``sales`` and stock-out ``shortfall``), more before the
Spring Festival and National Day, some weeks missed, a few orders falling
sharply last month. Visits follow the grade's cadence (TOB-PLAN) with the
checklist (TOB-CHECKLIST), mostly complete, an order suggestion and now and
then unlawful operation seen; special situations, some answered by a
special visit (TOB-SPECIAL); price violations (TOB-PRICE), quality
complaints (TOB-QUALITY), unlicensed selling (TOB-UNLICENSED), surveys
(TOB-SURVEY), licences expiring or expired and retailers new to the
network (TOB-NETWORK).

What files cannot carry, :func:`summary` records through the workspace
once the batches have run: the current week's schedule kept, case steps
(downgrades approved, quality complaints closed, promotions recommended
through TOB-PROMO's own API, decided and signed for), last month's reports
handed in and reviewed (TOB-REPORT). It re-runs the pack's rules for the
demo's day and shows what a tobacco manager wants first, every figure read
after those steps (so some differ from the core's tables, printed before).

Every retailer's figures come from a generator seeded by the run's seed and
its number, so each entity's rows agree while streaming.

The rows are drawn in :mod:`guanxi_tobacco.demo_retailers`, the steps after
the batches are :mod:`guanxi_tobacco.demo_workflow`'s, and what the summary
shows is :mod:`guanxi_tobacco.demo_show`'s. This module declares the demo.
"""

from __future__ import annotations

from guanxi import DemoData
from guanxi_tobacco.demo_retailers import generate, generate_reporting_lines
from guanxi_tobacco.demo_show import PLAN_MANAGERS_LISTED, summary_lines
from guanxi_tobacco.demo_workflow import (
    hand_in_reports,
    keep_this_week,
    promote,
    regional_managers,
    report_month,
    retailer_managers,
    work_the_cases,
)

# PLAN_MANAGERS_LISTED stays importable from here: the demo test reads it.
__all__ = ["DEMO", "PLAN_MANAGERS_LISTED", "summary"]


def summary(ws, ctx) -> str:
    """Record the month's workflow, re-run the pack's rules as of the demo's day, then
    show it (``guanxi demo`` prints the text).

    The core's tables above were printed before these steps; every figure here is
    read after them (tasks, plan, ``ws.kpi``), so some differ from the core's, as the
    text says.
    """
    from guanxi_tobacco.rules import RULES

    approver = regional_managers(ws)
    kept = keep_this_week(ws, ctx)
    approved, closed = work_the_cases(ws, ctx, approver)
    promoted = promote(ws, ctx, approver)
    authors = retailer_managers(ws, ctx)
    handed = hand_in_reports(ws, ctx, authors, approver)
    ws.run_rules([r.name for r in RULES], as_of=ctx.as_of)
    out = ["Tobacco (guanxi-tobacco)", "========================",
           f"Recorded after the batch: {kept:,} visits of this week's schedule kept, "
           f"{approved} downgrades approved, {closed} quality complaints closed, {promoted} "
           f"retailers recommended for this month's promotion (TOB-PROMO), {handed} "
           f"reports for {report_month(ctx)} handed in; the figures below include them "
           f"(tobacco rules re-run as of {ctx.as_of}), so some differ from the core's above."]
    return "\n".join(out + summary_lines(ws, ctx, authors))


DEMO = (
    DemoData(name="tobacco.base", generate=generate, summary=summary,
             description="Licensed retailers (T...) with 14 months of weekly orders, visits "
                         "with the checklist, special situations, price violations, quality "
                         "complaints, unlicensed selling, surveys, licences expiring; regional "
                         "market managers per territory and a brand manager."),
    DemoData(name="tobacco.lines", generate=generate_reporting_lines,
             description="The core's team leads report to their territory's regional market "
                         "manager."),
)
