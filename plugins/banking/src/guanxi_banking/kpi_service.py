"""Banking KPI rows of service and loyalty (《客户管理制度》范文2 §四).

Complaints and their case hours, accuracy, punctuality, campaigns and surveys.
"""

from __future__ import annotations

from sqlalchemy import Float, case, cast, func, literal, or_, select

from guanxi_banking.kpi_rows import interaction_rows, key_of, on_books, one_if, reason_of


def complaint_rate_rows(ctx):
    # Per 1,000 customers: each customer on the books weighs 1 and adds its
    # complaints × 1,000, so Σ figure / Σ weight is the rate.
    c, i = ctx.tables.customers, ctx.tables.interactions
    # The period's complaints counted once per customer, then joined: a count
    # per customer (a correlated subquery) made SQLite walk every complaint of
    # the period for each customer, by the index on kind.
    complaints = (select(i.c.customer_id, func.count().label("n"))
                  .where(i.c.kind == "complaint", ctx.in_period(i.c.occurred_at))
                  .group_by(i.c.customer_id)
                  .subquery("period_complaints"))
    n = func.coalesce(complaints.c.n, 0)
    return (select(key_of(ctx, c.c.id), c.c.id.label("row_id"),
                   (cast(n, Float) * 1000.0).label("figure"), literal(1).label("weight"),
                   n.label("complaints"))
            .select_from(c.outerjoin(complaints, complaints.c.customer_id == c.c.id))
            .where(on_books(ctx, c)))


def _case_hours_rows(ctx, clock):
    d = ctx.case_hours("banking.complaint", clock, served=False)
    return select(d.c.scope_key, d.c.id.label("row_id"), d.c.hours.label("figure"),
                  literal(1).label("weight"), d.c.customer_id.label("customer"),
                  ctx.minute_text(d.c.opened_at).label("opened"),
                  ctx.minute_text(d.c.done_at).label("done"), d.c.hours.label("hours"),
                  d.c.paused_hours.label("paused"))


def complaint_response_hours_rows(ctx):
    return _case_hours_rows(ctx, "response")


def complaint_resolution_hours_rows(ctx):
    return _case_hours_rows(ctx, "resolution")


def accuracy_rows(ctx):
    i = ctx.tables.interactions
    error = ctx.attribute(i, "error", "boolean")
    return interaction_rows(ctx, one_if(or_(error.is_(None), ~error)),
                            lambda i: i.c.kind == "transaction", weight=literal(1))


def punctuality_rows(ctx):
    tk = ctx.tables.tasks
    key = (tk.c.manager_id if ctx.scope == "manager" else ctx.scope_key(tk.c.customer_id))
    if ctx.scope in ("team", "territory"):
        key = ctx.credit_scope_key(tk.c.manager_id)
    # A task due on a day is on time all that day; a timed one until its time.
    # Judged once done or late: a task still inside its due day is neither.
    on_time = ctx.task_on_time(tk)
    due = case((tk.c.all_day, ctx.day_text(tk.c.due_at)), else_=ctx.minute_text(tk.c.due_at))
    return (select(key.label("scope_key"), tk.c.id.label("row_id"),
                   one_if(on_time).label("figure"), literal(1).label("weight"),
                   tk.c.rule.label("rule"), func.coalesce(tk.c.customer_id, "-").label("customer"),
                   due.label("due"), ctx.minute_text(tk.c.closed_at).label("done"),
                   tk.c.status.label("status"))
            .where(tk.c.rule.like("banking.%"), ctx.in_period(tk.c.due_at),
                   or_(on_time, ctx.task_late(tk))))


def punctuality_reason(ctx, b):
    def say(key):
        return reason_of(f"punctuality.{key}", "rule", "customer", "due", "done",
                         task="row_id")(ctx, b)
    return case((b.c.figure != 0, say("on_time")), (b.c.status == "done", say("late")),
                else_=say("open"))


def marketing_success_rows(ctx):
    i = ctx.tables.interactions
    campaign = ctx.attribute(i, "campaign", "text")
    return interaction_rows(ctx, one_if(i.c.outcome == "positive"),
                            lambda i: campaign.is_not(None), lambda i: campaign != "",
                            by_manager=True, weight=literal(1), campaign=campaign,
                            outcome=func.coalesce(i.c.outcome, "-"))


def wallet_share_rows(ctx):
    i = ctx.tables.interactions
    share = cast(ctx.attribute(i, "wallet_share", "decimal"), Float)
    return interaction_rows(ctx, share, lambda i: i.c.kind == "survey",
                            lambda i: share.is_not(None), weight=literal(1),
                            percent=share * 100.0)


def survey_share_rows(field):
    def rows(ctx):
        i = ctx.tables.interactions
        answer = ctx.attribute(i, field, "boolean")
        return interaction_rows(ctx, one_if(answer), lambda i: i.c.kind == "survey",
                                lambda i: ctx.attribute(i, field, "text").is_not(None),
                                weight=literal(1))
    return rows
