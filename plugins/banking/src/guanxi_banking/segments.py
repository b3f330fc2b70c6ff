"""The banking segmentations: BANK-ABC, BANK-TIER, BANK-REL and the business line.

Each is one select over the whole base (measurements for value, accounts
and interactions for relationships); the segmentation engine keeps the
history of every change (客户升级纪录, BANK-UPGRADE) and lets a manager's
manual level win (BANK-REL).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, literal, or_, select

from guanxi import Segmentation
from guanxi_banking.blocks import (
    account_open,
    bp,
    cents,
    customer_month,
    reference_month,
    yuan,
)

MEASURE_NAMES = {
    "aum": {"en": "AUM", "zh": "金融资产(AUM)"},
    "profit": {"en": "modelled profit", "zh": "模拟利润"},
    "deposits": {"en": "deposits", "zh": "存款"},
}


# -- BANK-ABC ----------------------------------------------------------------------
# rule BANK-ABC: rank by the trailing-12-month average of the measure, highest
# first, ties by customer id; A = the top a_share by count, B = the next
# b_share, C = the rest; customers with no value drop out (等外客户自然推出).
# The measure is any declared metric: a flow (revenue, profit) counts a month
# without a row as 0 from the customer's first month on, a stock (AUM) is the
# mean of its month-ends (ctx.monthly_average).
# The boundaries are integers: rank * 10000 <= share_bp * n, never 0.15 * n.


def measure_key(measure: str) -> str:
    """The reason templates' name of a measure: its own, or ``metric`` for any other."""
    return measure if measure in MEASURE_NAMES else "metric"


def measure_title(ctx, measure: str) -> dict:
    """The ``measure`` figure a generic reason names (a declared metric's title)."""
    return {} if measure in MEASURE_NAMES else {"measure": ctx.metric(measure).title}


def abc_query(ctx):
    cfg = ctx.config
    measure = cfg["abc.measure"]
    months = cfg["abc.months"]
    monthly = ctx.monthly_average(measure, months, name="abc_monthly",
                                  setting="[banking.abc] measure")
    average = (
        # Averaged to whole cents: the ranking and its ties are the same on
        # SQLite (floats) and PostgreSQL (numerics).
        select(monthly.c.customer_id, cents(monthly.c.value).label("average"),
               monthly.c.months)
        .subquery("abc_average")
    )
    ranked = (
        select(
            average.c.customer_id,
            average.c.average,
            average.c.months,
            func.row_number().over(
                order_by=(average.c.average.desc(), average.c.customer_id)).label("rank"),
            func.count().over().label("n"),
        )
        .where(average.c.average > 0)
        .subquery("abc_ranked")
    )
    a_bp = bp(cfg["abc.a_share"])
    ab_bp = a_bp + bp(cfg["abc.b_share"])
    r = ranked.c
    label = case((r.rank * 10_000 <= r.n * a_bp, "A"),
                 (r.rank * 10_000 <= r.n * ab_bp, "B"), else_="C")
    a_count = (r.n * a_bp) // 10_000
    ab_count = (r.n * ab_bp) // 10_000
    figures = dict(rank=r.rank, n=r.n, value=yuan(r.average), months=months,
                   a_count=a_count, ab_count=ab_count, **measure_title(ctx, measure))
    key = measure_key(measure)
    reason = case(
        (label == "A", ctx.reason(f"banking.abc.A.{key}", **figures)),
        (label == "B", ctx.reason(f"banking.abc.B.{key}", **figures)),
        else_=ctx.reason(f"banking.abc.C.{key}", **figures),
    )
    return select(r.customer_id, label.label("label"), (r.average / 100.0).label("score"),
                  reason.label("reason"))


def _abc_reasons() -> dict:
    reasons = {}
    any_metric = {"metric": {"en": "{measure}", "zh": "{measure}"}}
    for measure, name in {**MEASURE_NAMES, **any_metric}.items():
        en, zh = name["en"], name["zh"]
        reasons[f"banking.abc.A.{measure}"] = {
            "en": f"rank {{rank}} of {{n}} by {{months}}-month average {en} {{value}}: "
                  f"A is the top {{a_count}}",
            "zh": f"近{{months}}个月月均{zh} {{value}}，排名 {{rank}}/{{n}}：前 {{a_count}} 名为 A 类",
        }
        reasons[f"banking.abc.B.{measure}"] = {
            "en": f"rank {{rank}} of {{n}} by {{months}}-month average {en} {{value}}: "
                  f"B follows A down to rank {{ab_count}}",
            "zh": f"近{{months}}个月月均{zh} {{value}}，排名 {{rank}}/{{n}}：A 类之后至第 "
                  f"{{ab_count}} 名为 B 类",
        }
        reasons[f"banking.abc.C.{measure}"] = {
            "en": f"rank {{rank}} of {{n}} by {{months}}-month average {en} {{value}}: "
                  f"below rank {{ab_count}}",
            "zh": f"近{{months}}个月月均{zh} {{value}}，排名 {{rank}}/{{n}}：第 {{ab_count}} 名之后",
        }
    return reasons


ABC = Segmentation(
    name="banking.abc",
    title="ABC class",
    description="BANK-ABC (金字塔模型, 巴雷托分析): customers ranked by the trailing-12-month "
                "average AUM (configurable), highest first, ties by customer id; A the top 15% "
                "by count, B the next 25%, C the rest; customers with no value drop out.",
    labels=("A", "B", "C"),
    query=abc_query,
    reasons=_abc_reasons(),
)


# -- BANK-TIER -----------------------------------------------------------------------
# rule BANK-TIER: private >= 5,000,000, wealth >= 1,000,000, affluent >= 100,000,
# else mass, bounds inclusive, on the month-end measure of the last closed
# month (the month before it while the last is not loaded yet).


def tier_query(ctx):
    cfg = ctx.config
    measure = cfg["tier.measure"]
    spec = ctx.metric(measure, "[banking.tier] measure")
    if spec.grain != "month":
        raise ValueError(f"[banking.tier] measure = {measure!r} is a daily metric; tiers are "
                         "bounded by a month's figure, so name a monthly metric")
    ref = reference_month(ctx, measure)
    value = customer_month(ctx, measure, ref, "tier_value")
    bounds = {name: int(round(float(cfg[f"tier.{name}"]) * 100))
              for name in ("private", "wealth", "affluent")}
    label = case(
        (value.c.cents >= bounds["private"], "private"),
        (value.c.cents >= bounds["wealth"], "wealth"),
        (value.c.cents >= bounds["affluent"], "affluent"),
        else_="mass",
    )
    bound = case(
        (value.c.cents >= bounds["private"], bounds["private"] // 100),
        (value.c.cents >= bounds["wealth"], bounds["wealth"] // 100),
        (value.c.cents >= bounds["affluent"], bounds["affluent"] // 100),
        else_=bounds["affluent"] // 100,
    )
    month = ctx.month_text(ref)
    key = measure_key(measure)
    named = measure_title(ctx, measure)
    reason = case(
        (label == "mass", ctx.reason(f"banking.tier.mass.{key}", value=yuan(value.c.cents),
                                     month=month, bound=bound, **named)),
        else_=ctx.reason(f"banking.tier.{key}", value=yuan(value.c.cents), month=month,
                         bound=bound, tier=label, **named),
    )
    return select(value.c.customer_id, label.label("label"),
                  (value.c.cents / 100.0).label("score"), reason.label("reason"))


def _tier_reasons() -> dict:
    reasons = {}
    any_metric = {"metric": {"en": "{measure}", "zh": "{measure}"}}
    for measure, name in {**MEASURE_NAMES, **any_metric}.items():
        en, zh = name["en"], name["zh"]
        reasons[f"banking.tier.{measure}"] = {
            "en": f"{en} {{value}} at the end of {{month}}: {{tier}} from {{bound}}",
            "zh": f"{{month}} 月末{zh} {{value}}：{{bound}} 起为 {{tier}}",
        }
        reasons[f"banking.tier.mass.{measure}"] = {
            "en": f"{en} {{value}} at the end of {{month}}: under {{bound}}",
            "zh": f"{{month}} 月末{zh} {{value}}：不足 {{bound}}",
        }
    return reasons


TIER = Segmentation(
    name="banking.tier",
    title="Asset tier",
    description="BANK-TIER: private banking from 5,000,000 AUM, wealth from 1,000,000, "
                "affluent from 100,000 (inclusive), else mass, on the last closed month's "
                "month-end AUM (configurable).",
    labels=("private", "wealth", "affluent", "mass"),
    query=tier_query,
    reasons=_tier_reasons(),
)


# -- BANK-REL ------------------------------------------------------------------------
# rule BANK-REL: the relationship level for field work, A -> D, first match wins:
# A 重点 holds deposits with us, or is likely to renew or add (a manager's
# flag, or a deposit maturing within 90 days); B 目标 >= 2 positive contacts in
# 90 days and deposits elsewhere or customer resources; C 潜在 deposits held
# elsewhere, awaiting marketing; D 一般 the rest of the territory. A manager's
# manual level (ws.set_label / `guanxi labels set`) wins, kept by the engine.


def relationship_query(ctx):
    cfg = ctx.config
    c, a, i = ctx.tables.customers, ctx.tables.accounts, ctx.tables.interactions
    today = ctx.today
    horizon = ctx.as_of + dt.timedelta(days=cfg["rel.maturity_days"])
    maturity = ctx.attribute(a, "maturity_date", "date")
    # Each customer's open deposits and the first maturity within the horizon,
    # in one grouped pass: as correlated subqueries, named again in the label,
    # the score and the reason, PostgreSQL ran each per customer (3.6x the
    # same statement by hand at 100,000 customers).
    held = (
        select(a.c.customer_id, func.count().label("deposits"),
               func.min(case((and_(maturity >= today, maturity <= literal(horizon)), maturity)))
               .label("maturing"))
        .where(a.c.type == "deposit", account_open(a, today))
        .group_by(a.c.customer_id)
        .subquery("rel_deposits")
    )
    deposits = func.coalesce(held.c.deposits, 0)
    maturing = held.c.maturing
    since = dt.datetime.combine(ctx.as_of - dt.timedelta(days=cfg["rel.contact_days"] - 1),
                                dt.time())
    until = dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time())
    contacts = (
        select(i.c.customer_id, func.count().label("n"))
        .where(i.c.kind.in_(("visit", "call")), i.c.outcome == "positive",
               i.c.occurred_at >= literal(since), i.c.occurred_at < literal(until))
        .group_by(i.c.customer_id)
        .subquery("rel_positive_contacts")
    )
    positives = func.coalesce(contacts.c.n, 0)
    flag = ctx.attribute(c, "renewal_likely", "boolean")
    elsewhere = ctx.attribute(c, "deposits_elsewhere", "boolean")
    resources = ctx.attribute(c, "customer_resources", "boolean")
    good = positives >= cfg["rel.positive_contacts"]
    days = cfg["rel.contact_days"]
    label = case(
        (or_(deposits > 0, flag, maturing.is_not(None)), "A"),
        (and_(good, or_(elsewhere, resources)), "B"),
        (elsewhere, "C"),
        else_="D",
    )
    reason = case(
        (maturing.is_not(None),
         ctx.reason("banking.rel.A.maturing", due=maturing, days=ctx.days_between(today, maturing),
                    deposits=deposits)),
        (flag, ctx.reason("banking.rel.A.flag", deposits=deposits)),
        (deposits > 0, ctx.reason("banking.rel.A.deposits", deposits=deposits)),
        (and_(good, elsewhere, resources),
         ctx.reason("banking.rel.B.both", contacts=positives, days=days)),
        (and_(good, elsewhere), ctx.reason("banking.rel.B.elsewhere", contacts=positives, days=days)),
        (and_(good, resources), ctx.reason("banking.rel.B.resources", contacts=positives, days=days)),
        (elsewhere, ctx.reason("banking.rel.C", contacts=positives, days=days)),
        else_=ctx.reason("banking.rel.D", contacts=positives, days=days),
    )
    order = case((label == "A", 1), (label == "B", 2), (label == "C", 3), else_=4)
    return (select(c.c.id.label("customer_id"), label.label("label"), order.label("score"),
                   reason.label("reason"))
            .select_from(c.outerjoin(contacts, contacts.c.customer_id == c.c.id)
                         .outerjoin(held, held.c.customer_id == c.c.id))
            .where(c.c.status != "lost"))


RELATIONSHIP = Segmentation(
    name="banking.relationship",
    title="Relationship level",
    description="BANK-REL: A key (deposits with us, or likely to renew or add), B target (good "
                "relationship and deposits elsewhere or customer resources), C potential "
                "(deposits elsewhere), D general; a manager's manual level wins.",
    labels=("A", "B", "C", "D"),
    query=relationship_query,
    reasons={
        "banking.rel.A.maturing": {
            "en": "A key: a deposit matures on {due} (in {days} days), likely to renew; "
                  "{deposits} deposit account(s) with us",
            "zh": "A 重点客户：存款 {due} 到期（{days} 天后），可能续存；在我行存款账户 {deposits} 个"},
        "banking.rel.A.flag": {
            "en": "A key: the manager expects renewal or more deposits; {deposits} deposit "
                  "account(s) with us",
            "zh": "A 重点客户：客户经理判断可能续存或增加存款；在我行存款账户 {deposits} 个"},
        "banking.rel.A.deposits": {
            "en": "A key: holds {deposits} deposit account(s) with us",
            "zh": "A 重点客户：已在我行存款，存款账户 {deposits} 个"},
        "banking.rel.B.both": {
            "en": "B target: {contacts} positive contacts in {days} days; deposits elsewhere "
                  "and customer resources",
            "zh": "B 目标客户：{days} 天内 {contacts} 次良好接触；他行有存款且有客户资源"},
        "banking.rel.B.elsewhere": {
            "en": "B target: {contacts} positive contacts in {days} days; deposits elsewhere",
            "zh": "B 目标客户：{days} 天内 {contacts} 次良好接触；他行有存款"},
        "banking.rel.B.resources": {
            "en": "B target: {contacts} positive contacts in {days} days; customer resources",
            "zh": "B 目标客户：{days} 天内 {contacts} 次良好接触；有客户资源"},
        "banking.rel.C": {
            "en": "C potential: deposits elsewhere, awaiting marketing ({contacts} positive "
                  "contacts in {days} days)",
            "zh": "C 潜在客户：他行有存款，待客户经理营销（{days} 天内良好接触 {contacts} 次）"},
        "banking.rel.D": {
            "en": "D general: no deposits with us or known elsewhere ({contacts} positive "
                  "contacts in {days} days)",
            "zh": "D 一般客户：未在我行存款，亦无他行存款记录（{days} 天内良好接触 {contacts} 次）"},
    },
)


# -- business line ---------------------------------------------------------------------
# Retail (个人) or corporate (对公): the business_line field, else the
# customer's kind. KPIs split by it with --by segment:banking.line
# (new corporate and retail core customers, 《客户经理的工作计划》第8篇).


def line_query(ctx):
    c = ctx.tables.customers
    field = ctx.attribute(c, "business_line", "text")
    by_kind = case((c.c.kind == "organization", "corporate"), else_="retail")
    label = func.coalesce(field, by_kind)
    reason = case(
        (field.is_not(None), ctx.reason("banking.line.field", line=field)),
        else_=ctx.reason("banking.line.kind", kind=c.c.kind),
    )
    return select(c.c.id.label("customer_id"), label.label("label"), literal(None).label("score"),
                  reason.label("reason"))


LINE = Segmentation(
    name="banking.line",
    title="Business line",
    description="Retail or corporate: the business_line field, else organizations are "
                "corporate and persons retail.",
    labels=("retail", "corporate"),
    query=line_query,
    reasons={
        "banking.line.field": {"en": "business line {line} as recorded",
                               "zh": "业务条线：{line}（档案记录）"},
        "banking.line.kind": {"en": "from the customer's kind ({kind})",
                              "zh": "按客户类型（{kind}）"},
    },
)

SEGMENTATIONS = (ABC, TIER, RELATIONSHIP, LINE)
