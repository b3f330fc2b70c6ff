"""Tobacco KPIs of cases: quality complaints (TOB-QUALITY) and promotions (TOB-PROMO)."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from guanxi_tobacco.kpi_blocks import (
    PROMOTION_DECIDED_STEP,
    either,
    key_of,
    met_if,
    minute_of,
    rows_of,
)
from guanxi_tobacco.options import GRADE
from guanxi_tobacco.service import PROMOTION_POLICY, PROMOTION_SIGNED_STEP, QUALITY_POLICY


def quality_hours_query(ctx):
    # rule TOB-QUALITY: as the core's mean resolution hours, for this policy only.
    return ctx.case_hours_mean(QUALITY_POLICY)


def quality_hours_rows(ctx):
    # Each case adds its hours and weighs 1: their mean is the value.
    d = ctx.case_hours(QUALITY_POLICY)
    return rows_of(d.c.scope_key, d.c.id, d.c.hours,
                   ctx.reason("tobacco.kpi_quality_hours", case=d.c.id, customer=d.c.customer_id,
                              opened=minute_of(ctx, d.c.opened_at),
                              resolved=minute_of(ctx, d.c.done_at), paused=d.c.paused_hours,
                              hours=d.c.hours))


def _promotions_decided(ctx):
    # rule TOB-PROMO: of the promotions decided in the period (the brand
    # manager's first approval of the decision), those whose material the
    # retailer has signed for (《宣传促销品签收单》) by the as-of day.
    c, e = ctx.tables.cases, ctx.tables.case_events
    decided = (select(e.c.case_id, func.min(e.c.at).label("decided_at"))
               .where(e.c.action == "approve", e.c.step == PROMOTION_DECIDED_STEP)
               .group_by(e.c.case_id)
               .subquery("promotions_decided"))
    s = ctx.tables.case_events.alias("material_signed")
    signed = (select(s.c.id)
              .where(s.c.case_id == c.c.id, s.c.action == "approve",
                     s.c.step == PROMOTION_SIGNED_STEP,
                     s.c.at < ctx.at(ctx.as_of, 1))
              .correlate_except(s).exists())
    return (c, decided, key_of(ctx, c.c.customer_id), signed,
            c.join(decided, decided.c.case_id == c.c.id),
            and_(c.c.policy == PROMOTION_POLICY, ctx.in_period(decided.c.decided_at),
                 ctx.served(c.c.customer_id)))


def promo_signed_query(ctx):
    c, decided, key, signed, source, within = _promotions_decided(ctx)
    return (select(key, ctx.share(signed).label("value"))
            .select_from(source).where(within).group_by(key))


def promo_signed_rows(ctx):
    c, decided, key, signed, source, within = _promotions_decided(ctx)
    return (rows_of(key, c.c.id, met_if(signed),
                    either(ctx, signed, "tobacco.kpi_promo_signed", "tobacco.kpi_promo_unsigned",
                           case=c.c.id, customer=c.c.customer_id,
                           decided=minute_of(ctx, decided.c.decided_at)))
            .select_from(source).where(within))


def _promo_eligible(ctx):
    # rule TOB-PROMO: only grades 1 to promo.max_grade are eligible (限三级以上客户).
    # Grades are the labels "1", "2", ...: listed as text, none is cast.
    c, cs = ctx.tables.customers, ctx.tables.cases
    eligible = [str(g) for g in range(1, int(ctx.config["promo.max_grade"]) + 1)]
    promoted = (select(cs.c.customer_id)
                .where(cs.c.policy == PROMOTION_POLICY, ctx.in_period(cs.c.opened_at))
                .distinct().subquery("promoted"))
    return (c, promoted, key_of(ctx, c.c.id),
            c.outerjoin(promoted, promoted.c.customer_id == c.c.id),
            and_(ctx.label(GRADE, c.c.id).in_(eligible),
                 c.c.created_at.is_(None) | (c.c.created_at <= ctx.today)))


def promo_coverage_query(ctx):
    c, promoted, key, source, eligible = _promo_eligible(ctx)
    share = ctx.ratio(func.count(promoted.c.customer_id), func.count())
    return select(key, share.label("value")).select_from(source).where(eligible).group_by(key)


def promo_coverage_rows(ctx):
    c, promoted, key, source, eligible = _promo_eligible(ctx)
    reached = promoted.c.customer_id.is_not(None)
    return (rows_of(key, c.c.id, met_if(reached),
                    either(ctx, reached, "tobacco.kpi_promo_covered",
                           "tobacco.kpi_promo_not_covered", customer=c.c.id, name=c.c.name,
                           grade=ctx.label(GRADE, c.c.id)))
            .select_from(source).where(eligible))
