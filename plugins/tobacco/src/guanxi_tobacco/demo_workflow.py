"""What the tobacco demo's files cannot carry, recorded through the workspace after
the batches: the week's visits kept, case steps, promotions, monthly reports.
"""

from __future__ import annotations

import datetime as dt

from guanxi_tobacco.demo_retailers import (
    BRAND_MANAGER_ID,
    TIERS,
    interaction_row,
    time_on,
    visit_values,
)
from guanxi_tobacco.options import MONTHLY_REPORT, REGIONAL_MANAGER, VISIT
from guanxi_tobacco.service import PRICE_POLICY, QUALITY_POLICY


#: Cases the summary works through the API (each step ~0.1 s, 100 steps ~10 s at the
#: default size): a few of each, enough for every reason and KPI to show.
APPROVALS, QUALITY_CLOSED, PROMOTIONS = 10, 5, 12


def keep_this_week(ws, ctx) -> int:
    """TOB-PLAN: the as-of week's schedule, kept on the planned day so far, mostly."""
    ws.build_plan(ctx.as_of, cadences=["tobacco.plan"], as_of=ctx.as_of)
    rng = ctx.random("tobacco.kept")
    rows = []
    for v in ws.plan(ctx.as_of):
        if v.day > ctx.as_of or v.cadence != "tobacco.plan" or rng.random() < 0.15:
            continue
        monthly = TIERS[4][1]
        rows.append(interaction_row(f"{v.customer_id}-P{v.day:%m%d}", v.customer_id, VISIT,
                                    time_on(v.day, rng), manager_id=v.manager_id,
                                    **visit_values(rng, False, monthly)))
    if rows:
        # Saved visits close their plan tasks (the core's lifecycle hook).
        ws.save("interactions", rows)
    return len(rows)


def regional_managers(ws) -> dict[str, str]:
    """Each manager's approver, by manager id: the regional market manager the case
    chains name (the core's role lookup), else the manager; one query."""
    from sqlalchemy import func, select

    ctx = ws.query_context("tobacco")
    m = ctx.tables.managers
    approver = func.coalesce(ctx.role_person(REGIONAL_MANAGER, m.c.id), m.c.id)
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(m.c.id, approver)).all())


def _step(ws, case, action: str, by: str, at: dt.datetime) -> None:
    """A case step at ``at``, or just after the case's last event if that is later (the
    batch may have escalated it meanwhile)."""
    from sqlalchemy import func, select

    from guanxi import tables

    e = tables.case_events
    with ws.engine.connect() as conn:
        last = conn.execute(select(func.max(e.c.at)).where(e.c.case_id == case.id)).scalar()
    if last is not None and last >= at:
        at = last + dt.timedelta(minutes=30)
    ws.case_step(case.id, action, by=by, at=at)


def work_the_cases(ws, ctx, approver) -> tuple[int, int]:
    """Some downgrades approved, some quality complaints closed: (approved, closed)."""
    rng = ctx.random("tobacco.cases")
    now = dt.datetime.combine(ctx.as_of, dt.time(8))
    # A case step costs a transaction and its rules (~0.1 s): the demo works a few
    # cases of each kind, enough for the reasons and KPIs to show, not all of them.
    # TOB-PRICE: some older downgrades approved; the rest wait (their tasks show).
    approved = 0
    for case in ws.cases(policy=PRICE_POLICY, state="open"):
        if approved < APPROVALS and case.opened_at < now - dt.timedelta(days=5) \
                and rng.random() < 0.35:
            approved += 1
            _step(ws, case, "approve", approver.get(case.owner_id, case.owner_id),
                  case.opened_at + dt.timedelta(hours=30))
    # TOB-QUALITY: the older complaints worked through to the result fed back.
    closed = 0
    for case in ws.cases(policy=QUALITY_POLICY, state="open"):
        if closed >= QUALITY_CLOSED or case.opened_at > now - dt.timedelta(days=4) \
                or rng.random() < 0.3:
            continue
        closed += 1
        at = case.opened_at
        for index in range(5):
            at += dt.timedelta(hours=rng.randint(4, 30))
            by = approver.get(case.owner_id, case.owner_id) if index == 2 else case.owner_id
            _step(ws, case, "approve", by, at)
        _step(ws, case, "resolve", case.owner_id, at + dt.timedelta(hours=6))
    return approved, closed


def promote(ws, ctx, approver) -> int:
    """TOB-PROMO: this month's promotion through the pack's own API: retailers drawn
    from :func:`~guanxi_tobacco.promotions.candidates` (grades 1 to ``[tobacco.promo]
    max_grade``, in the network), recommended with
    :func:`~guanxi_tobacco.promotions.recommend`, then listed by the regional market
    manager, decided by the brand manager, most material signed for."""
    from guanxi_tobacco.promotions import candidates, recommend

    rng = ctx.random("tobacco.promotion")
    start = dt.datetime.combine(ctx.as_of.replace(day=1), dt.time(9))
    if start.date() >= ctx.as_of:
        start = dt.datetime.combine(ctx.as_of, dt.time(8)) - dt.timedelta(hours=1)
    eligible = candidates(ws)   # one query, best first
    picked = sorted(rng.sample(range(len(eligible)), min(PROMOTIONS, len(eligible))))
    if not picked:
        return 0
    cases = recommend(ws, [eligible[i].customer_id for i in picked],
                      campaign=f"{ctx.as_of:%Y-%m} 品牌促销", at=start)
    at = start + dt.timedelta(hours=2)
    for case in cases:
        ws.case_step(case.id, "approve", by=approver.get(case.owner_id, case.owner_id), at=at)
        ws.case_step(case.id, "approve", by=BRAND_MANAGER_ID, at=at + dt.timedelta(hours=1))
        if rng.random() < 0.8:
            ws.case_step(case.id, "approve", by=case.owner_id, at=at + dt.timedelta(hours=3))
    return len(cases)


def report_month(ctx) -> str:
    last = ctx.as_of.replace(day=1) - dt.timedelta(days=1)
    return f"{last:%Y-%m}"


def retailer_managers(ws, ctx) -> list[str]:
    """The managers owning a retailer (the pack's filter ``tobacco.retailers``): one select."""
    from sqlalchemy import select

    q = ws.query_context("tobacco", ctx.as_of)
    c = q.tables.customers
    query = (select(c.c.manager_id)
             .where(c.c.manager_id.is_not(None), q.served(c.c.id))
             .group_by(c.c.manager_id).order_by(c.c.manager_id))
    with ws.engine.connect() as conn:
        return list(conn.scalars(query))


def hand_in_reports(ws, ctx, authors, approver) -> int:
    """TOB-REPORT: last month's reports, most on time, some late, most reviewed."""
    month = report_month(ctx)
    rng = ctx.random("tobacco.reports")
    cfg = ws.settings["tobacco"]
    handed = 0
    for report in ws.expect_reports(MONTHLY_REPORT, authors, month, cfg["report.due_day"]):
        if report.due_on >= ctx.as_of or report.submitted_at is not None:
            continue
        late = rng.random() < 0.15
        day = report.due_on + dt.timedelta(days=rng.randint(1, 3) if late else -rng.randint(0, 3))
        at = dt.datetime.combine(min(day, ctx.as_of), dt.time(16))
        ws.submit_report(MONTHLY_REPORT, report.author_id, month, at=at)
        handed += 1
        if rng.random() < 0.8:
            review_at = min(at + dt.timedelta(days=2), dt.datetime.combine(ctx.as_of, dt.time(8)))
            ws.review_report(MONTHLY_REPORT, report.author_id, month,
                             by=approver.get(report.author_id, report.author_id), at=review_at)
    return handed
