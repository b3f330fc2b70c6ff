"""The power segmentations: POWER-CLASS, POWER-VIP and POWER-CREDIT.

Each is one select over the whole base; the segmentation engine keeps the
history of every change, and the VIP list and the bad-credit list
(失信名单) are the core's named lists, kept by the segmentations
(``keeps_lists``): a customer joins the day it gets the label and leaves
the day it loses it.
"""

from __future__ import annotations

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select

from guanxi import Segmentation
from guanxi_power.blocks import (
    bills,
    bp,
    consumption,
    high_voltages,
    months_ago,
    ranked,
    residential,
)

# -- POWER-CLASS ---------------------------------------------------------------------
# rule POWER-CLASS (惠州供电局 客户经理服务体系 §2.3; figures ours): class 1 =
# two-part tariff, or supplied at >= 10 kV, or flagged important, or in the
# top 20% by trailing-12-month consumption; class 2 = other non-residential;
# class 3 = residential. The first reason that holds is the one given.


def class_query(ctx):
    cfg = ctx.config
    months = cfg["class.months"]
    total = consumption(ctx, months, "class_kwh")
    c = ranked(ctx, total, literal(True), "class_rank")   # the customers, ranked
    top_bp = bp(cfg["class.top_share"])
    top_count = (c.c.n * top_bp) // 10_000
    in_top = and_(c.c.ranked, c.c.rank * 10_000 <= c.c.n * top_bp)
    tariff = ctx.attribute(c, "tariff")
    voltage = ctx.attribute(c, "voltage")
    important = ctx.attribute(c, "important", "boolean")
    kwh = c.c.kwh
    conditions = (
        (tariff == "two_part", ctx.reason("power.class.tariff")),
        (voltage.in_(high_voltages(cfg["class.min_kv"])),
         ctx.reason("power.class.voltage", voltage=voltage, kv=cfg["class.min_kv"])),
        (important,
         ctx.reason("power.class.important",
                    why=func.coalesce(ctx.attribute(c, "importance"), "flagged"))),
        (in_top, ctx.reason("power.class.top", rank=c.c.rank, n=c.c.n, kwh=kwh,
                            months=months, pct=round(float(cfg["class.top_share"]) * 100),
                            top=top_count)),
    )
    first = case(*[(cond, literal("1")) for cond, _ in conditions],
                 (residential(ctx, c), literal("3")), else_=literal("2"))
    reason = case(*conditions,
                  (residential(ctx, c), ctx.reason("power.class.residential", kwh=kwh,
                                                   months=months)),
                  else_=ctx.reason("power.class.other", kwh=kwh, months=months,
                                   tariff=func.coalesce(tariff, "-")))
    return select(c.c.id.label("customer_id"), first.label("label"),
                  cast(kwh, Float).label("score"), reason.label("reason"))


CLASS = Segmentation(
    name="power.class",
    title="Customer class",
    description="POWER-CLASS: class 1 = two-part tariff, or supplied at 10 kV or more, or "
                "flagged important, or in the top 20% of customers by trailing-12-month kWh; "
                "class 2 = other non-residential; class 3 = residential.",
    labels=("1", "2", "3"),
    query=class_query,
    reasons={
        "power.class.tariff": {"en": "two-part tariff (大工业两部制): class 1",
                               "zh": "大工业两部制电价：一类客户"},
        "power.class.voltage": {"en": "supplied at {voltage} (>= {kv} kV): class 1",
                                "zh": "供电电压 {voltage}（≥ {kv} kV）：一类客户"},
        "power.class.important": {"en": "important customer ({why}): class 1",
                                  "zh": "重要客户（{why}）：一类客户"},
        "power.class.top": {
            "en": "rank {rank} of {n} by {months}-month consumption {kwh} kWh: the top {pct}% "
                  "are the first {top}, class 1",
            "zh": "近{months}个月用电量 {kwh} kWh，排名 {rank}/{n}：前 {pct}%（{top} 户）为一类客户"},
        "power.class.other": {
            "en": "non-residential ({tariff}), {kwh} kWh in {months} months: class 2",
            "zh": "非居民（{tariff}），近{months}个月用电 {kwh} kWh：二类客户"},
        "power.class.residential": {
            "en": "residential, {kwh} kWh in {months} months: class 3",
            "zh": "居民，近{months}个月用电 {kwh} kWh：三类客户"},
    },
)


# -- POWER-VIP ------------------------------------------------------------------------
# rule POWER-VIP (金华电业局 §4.2, 范文5 §3.1a; figures ours): the top 20% of
# non-residential customers by trailing-12-month kWh, plus the vip_flag
# field set by hand; kept as the named list ``vip``.


def vip_query(ctx):
    cfg = ctx.config
    months = cfg["class.months"]
    total = consumption(ctx, months, "vip_kwh")
    base = ctx.tables.customers
    c = ranked(ctx, total, ~residential(ctx, base), "vip_rank")   # the customers, ranked
    top_bp = bp(cfg["vip.top_share"])
    in_top = and_(c.c.ranked, c.c.rank * 10_000 <= c.c.n * top_bp)
    flagged = ctx.attribute(c, "vip_flag", "boolean")
    reason = case(
        (in_top, ctx.reason("power.vip.top", rank=c.c.rank, n=c.c.n, kwh=c.c.kwh,
                            months=months, pct=round(float(cfg["vip.top_share"]) * 100),
                            top=(c.c.n * top_bp) // 10_000)),
        else_=ctx.reason("power.vip.flag"))
    return (
        select(c.c.id.label("customer_id"), literal("vip").label("label"),
               cast(c.c.kwh, Float).label("score"), reason.label("reason"))
        .where(or_(in_top, flagged))
    )


VIP = Segmentation(
    name="power.vip",
    title="VIP",
    description="POWER-VIP: the top 20% of non-residential customers by trailing-12-month "
                "kWh, and customers flagged vip_flag by hand; kept as the named list 'vip' "
                "(dated: when each joined and left).",
    labels=("vip",),
    query=vip_query,
    keeps_lists={"vip": "vip"},
    reasons={
        "power.vip.top": {
            "en": "rank {rank} of {n} non-residential customers by {months}-month consumption "
                  "{kwh} kWh: the top {pct}% are the first {top}",
            "zh": "近{months}个月用电量 {kwh} kWh，非居民客户排名 {rank}/{n}：前 {pct}%（{top} 户）为 VIP"},
        "power.vip.flag": {"en": "put on the VIP list by hand (vip_flag)",
                           "zh": "手工列入 VIP 名单（vip_flag）"},
    },
)


# -- POWER-CREDIT ---------------------------------------------------------------------
# rule POWER-CREDIT (金华电业局 §4.3; figures ours): score 0-100 = 50 x share of
# the last 12 months' bills paid on time + 20 x no arrears now + 20 x no
# violation or theft in 24 months + 10 x contract kept (no contract_breach in
# 12 months); AAA >= 90, AA >= 80, A >= 70, B >= 60, C below. Compared in
# whole numbers (50 x on-time + points x bills against the bound x bills), so
# a score exactly on a bound gets the higher grade on both databases. C is
# the bad-credit list (失信名单), kept as the named list 'bad_credit'.


def credit_query(ctx):
    cfg = ctx.config
    since = months_ago(ctx.as_of, cfg["credit.bill_months"])
    b = bills(ctx, "credit_bills", since=since)
    paid_in_full = b.c.paid_by_due >= b.c.amount
    # A bill not yet due is judged only once paid: until its due day is over
    # it may still be paid on time.
    judged = or_(b.c.due_on < ctx.today, paid_in_full)
    arrears = and_(b.c.due_on < ctx.today, b.c.paid < b.c.amount)
    per = (
        select(b.c.customer_id,
               func.sum(case((and_(judged, paid_in_full), 1), else_=0)).label("on_time"),
               func.sum(case((judged, 1), else_=0)).label("bills"),
               func.sum(case((arrears, 1), else_=0)).label("in_arrears"))
        .group_by(b.c.customer_id)
        .subquery("credit_bills_per_customer")
    )
    # Violations, theft and contract breaches: one grouped pass over those
    # records (few), not a lookup per customer.
    i = ctx.tables.interactions
    dirty_since = ctx.at(months_ago(ctx.as_of, cfg["credit.violation_months"]))
    breach_since = ctx.at(months_ago(ctx.as_of, cfg["credit.contract_months"]))
    record = (
        select(i.c.customer_id,
               func.max(case((and_(i.c.kind.in_(("violation", "theft")),
                                   i.c.occurred_at >= dirty_since), 1), else_=0)).label("dirty"),
               func.max(case((and_(i.c.kind == "contract_breach",
                                   i.c.occurred_at >= breach_since), 1), else_=0))
               .label("breached"))
        .where(i.c.kind.in_(("violation", "theft", "contract_breach")),
               i.c.occurred_at < ctx.at(ctx.as_of, 1))
        .group_by(i.c.customer_id)
        .subquery("credit_records")
    )
    points = (
        select(per.c.customer_id, per.c.on_time, per.c.bills,
               case((per.c.in_arrears == 0, 20), else_=0).label("arrears"),
               case((func.coalesce(record.c.dirty, 0) == 0, 20), else_=0).label("clean"),
               case((func.coalesce(record.c.breached, 0) == 0, 10), else_=0).label("kept"))
        .select_from(per.outerjoin(record, record.c.customer_id == per.c.customer_id))
        .where(per.c.bills > 0)
        .subquery("credit_points")
    )
    g = points.c
    n = g.bills
    total = 50 * g.on_time + (g.arrears + g.clean + g.kept) * n   # the score x the bills
    grades = (("AAA", cfg["credit.aaa"]), ("AA", cfg["credit.aa"]), ("A", cfg["credit.a"]),
              ("B", cfg["credit.b"]))
    label = case(*[(total >= n * float(bound), literal(grade)) for grade, bound in grades],
                 else_=literal("C"))
    score = cast(total, Float) / n
    figures = dict(score=score, on_time=g.on_time, bills=n, arrears=g.arrears,
                   clean=g.clean, kept=g.kept, grade=label)
    reason = case((label == "C", ctx.reason("power.credit.c", b=cfg["credit.b"], **figures)),
                  else_=ctx.reason("power.credit", **figures))
    return select(g.customer_id, label.label("label"), score.label("score"),
                  reason.label("reason"))


CREDIT = Segmentation(
    name="power.credit",
    title="Credit grade",
    description="POWER-CREDIT: score 0-100 = 50 x share of the last 12 months' bills paid by "
                "their due day + 20 (no arrears now) + 20 (no violation or theft in 24 months) "
                "+ 10 (contract kept: no contract_breach in 12 months); AAA >= 90, AA >= 80, "
                "A >= 70, B >= 60, C below: the bad-credit list (失信名单, 'bad_credit'), "
                "prepayment advised; AAA and AA may pay after use.",
    labels=("AAA", "AA", "A", "B", "C"),
    query=credit_query,
    keeps_lists={"C": "bad_credit"},
    reasons={
        "power.credit": {
            "en": "score {score} = 50 x {on_time}/{bills} bills paid on time + {arrears} (no "
                  "arrears) + {clean} (no violation or theft) + {kept} (contract kept): {grade}",
            "zh": "信用分 {score} = 50 × 按期缴费 {on_time}/{bills} + {arrears}（无欠费）+ {clean}"
                  "（无违约窃电）+ {kept}（履约）：{grade} 级"},
        "power.credit.c": {
            "en": "score {score} = 50 x {on_time}/{bills} bills paid on time + {arrears} (no "
                  "arrears) + {clean} (no violation or theft) + {kept} (contract kept): below "
                  "{b}, grade C: bad-credit list, prepayment advised",
            "zh": "信用分 {score} = 50 × 按期缴费 {on_time}/{bills} + {arrears}（无欠费）+ {clean}"
                  "（无违约窃电）+ {kept}（履约）：低于 {b}，C 级，列入失信名单，建议预付费"},
    },
)

SEGMENTATIONS = (CLASS, VIP, CREDIT)
