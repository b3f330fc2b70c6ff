"""Banking KPI rows from month-end measurements: AUM, profit and their shares (BANK-SHARE)."""

from __future__ import annotations

from sqlalchemy import Float, and_, case, cast, func, literal, select

from guanxi_banking.kpi_rows import key_of, reason_of


def ref_month(ctx, metric):
    """The latest month-end of ``metric`` in the period or before it (up to the as-of day)."""
    m = ctx.tables.measurements.alias("kpi_ref")
    return (select(func.max(m.c.period))
            .where(m.c.metric == metric, m.c.period < literal(ctx.period.end),
                   m.c.period <= ctx.today)
            .scalar_subquery())


def _measure_rows(ctx, metric, period_condition):
    """``metric``'s rows in the period condition; by manager, team or territory one per
    credited manager, the amount times the share (BANK-SHARE)."""
    ms = ctx.tables.measurements
    where = (ms.c.metric == metric, period_condition(ms.c.period))
    amount = cast(ms.c.value, Float)
    common = (ms.c.customer_id.label("row_id"), amount.label("amount"),
              ctx.month_text(ms.c.period).label("month"))
    if ctx.scope in ("manager", "team", "territory"):
        credit = ctx.credit_shares()
        key = ctx.credit_scope_key(credit.c.manager_id).label("scope_key")
        return (select(key, (amount * credit.c.share).label("figure"), *common,
                       credit.c.manager_id.label("manager"),
                       (credit.c.share * 100.0).label("share"))
                .join(credit, credit.c.customer_id == ms.c.customer_id).where(*where))
    return select(key_of(ctx, ms.c.customer_id), amount.label("figure"), *common).where(*where)


def measure_reason(metric):
    def reason(ctx, b):
        if "manager" in b.c:
            return reason_of(f"{metric}.credit", "month", "amount", "manager", "share",
                             customer="row_id")(ctx, b)
        return reason_of(metric, "month", "amount", customer="row_id")(ctx, b)
    return reason


def aum_rows(ctx):
    ref = ref_month(ctx, "aum")
    return _measure_rows(ctx, "aum", lambda p: p == ref)


def profit_rows(ctx):
    return _measure_rows(ctx, "profit",
                         lambda p: and_(p >= literal(ctx.period.start), p <= ctx.today))


def aum_growth_rows(ctx):
    # Σ(now − then) / Σ then is the key's (now − then) / then: one row per customer.
    ms = ctx.tables.measurements
    ref = ref_month(ctx, "aum")
    grain = ctx.period.grain if ctx.period.grain in ("quarter", "year") else "month"
    start = getattr(ctx, f"start_of_{grain}")(ref)
    prior = ctx.tables.measurements.alias("kpi_prior")
    before = (select(func.max(prior.c.period))
              .where(prior.c.metric == "aum", prior.c.period < start).scalar_subquery())
    now = func.sum(case((ms.c.period == ref, cast(ms.c.value, Float)), else_=0.0))
    then = func.sum(case((ms.c.period == before, cast(ms.c.value, Float)), else_=0.0))
    per = (select(ms.c.customer_id, now.label("now"), then.label("then"),
                  ctx.month_text(before).label("since"), ctx.month_text(ref).label("until"))
           .where(ms.c.metric == "aum", ms.c.period.in_([ref, before]))
           .group_by(ms.c.customer_id).subquery("aum_both"))
    return select(key_of(ctx, per.c.customer_id), per.c.customer_id.label("row_id"),
                  (per.c.now - per.c.then).label("figure"), per.c.then.label("weight"),
                  per.c.now, per.c.then, per.c.since, per.c.until)


def profit_share_rows(ctx, label_of, condition):
    ms = ctx.tables.measurements
    value = cast(ms.c.value, Float)
    label = label_of(ctx, ms.c.customer_id)
    return (select(key_of(ctx, ms.c.customer_id), ms.c.customer_id.label("row_id"),
                   case((condition(label), value), else_=0.0).label("figure"),
                   value.label("weight"), value.label("amount"),
                   ctx.month_text(ms.c.period).label("month"),
                   func.coalesce(label, "-").label("label"))
            .where(ms.c.metric == "profit", ms.c.period >= literal(ctx.period.start),
                   ms.c.period <= ctx.today))
