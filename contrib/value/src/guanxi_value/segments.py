"""The value pack's segmentations: RFM scores and named segments, lifetime
value bands, ABC by cumulative share.

Each reads one helper of :mod:`guanxi_value.purchases`, the same one its
KPI reads, so a label and a KPI never disagree on who bought what.
"""

from __future__ import annotations

import itertools

import guanxi
from sqlalchemy import Float, String, and_, case, cast, literal, select

from guanxi_value import options as o
from guanxi_value import purchases as p

RFM_LABELS = tuple("".join(map(str, s)) for s in itertools.product(range(5, 0, -1), repeat=3))


def rfm_query(ctx):
    # rule VAL-RFM: the label is the three scores, the reason their figures.
    q = p.rfm(ctx)
    label = cast(q.c.r, String) + cast(q.c.f, String) + cast(q.c.m, String)
    return select(
        q.c.customer_id, label.label("label"),
        (q.c.r * 100 + q.c.f * 10 + q.c.m).label("score"),
        ctx.reason("value.rfm", days=q.c.recency, purchases=q.c.frequency,
                   amount=q.c.monetary, months=ctx.config["rfm.months"],
                   r=q.c.r, f=q.c.f, m=q.c.m).label("reason"),
    )


#: The default mapping's names: the labels a listing shows (a mapping of
#: one's own may name others; the engine stores whatever the mapping names).
SEGMENT_NAMES = tuple(o.parse_segment(entry)[0] for entry in o.RFM_SEGMENTS) + (o.OTHERS,)


def rfm_segment_query(ctx):
    # rule VAL-RFM: the named segment from the scores, the first mapping entry
    # that matches ([value.rfm] segments), else "others".
    q = p.rfm(ctx)
    whens = []
    for entry in ctx.config["rfm.segments"]:
        name, bounds = o.parse_segment(entry)
        test = and_(*(score.between(low, high)
                      for score, (low, high) in zip((q.c.r, q.c.f, q.c.m), bounds)))
        whens.append((test, literal(name)))
    segment = case(*whens, else_=literal(o.OTHERS))
    return select(
        q.c.customer_id, segment.label("label"), (q.c.r * 100 + q.c.f * 10 + q.c.m).label("score"),
        ctx.reason("value.rfm_segment", r=q.c.r, f=q.c.f, m=q.c.m, segment=segment).label("reason"),
    )


def ltv_query(ctx):
    # rule VAL-LTV: score = the lifetime value, label = its band.
    q = p.lifetime(ctx)
    high, medium = ctx.config["ltv.bands"]
    band = case((q.c.ltv >= high, o.LTV_BANDS[0]), (q.c.ltv >= medium, o.LTV_BANDS[1]),
                else_=o.LTV_BANDS[2])
    return select(
        q.c.customer_id, band.label("label"), q.c.ltv.label("score"),
        ctx.reason("value.ltv", monthly=q.c.monthly, months=q.c.months, total=q.c.total,
                   years=ctx.config["ltv.years"], ltv=q.c.ltv).label("reason"),
    )


def abc_query(ctx):
    # rule VAL-ABC: A holds the first a_share of the value, B the next b_share,
    # C the rest, by cumulative share of customers ranked highest first (ties by id).
    first, end = p.rolling_window(ctx.as_of, ctx.config["rfm.months"])
    q = p.ranked_values(ctx, first, end, name="abc")
    a, b, _ = ctx.config["abc.shares"]
    above = q.c.before / q.c.total
    label = case((above < a - 1e-12, "A"), (above < a + b - 1e-12, "B"), else_="C")
    return select(
        q.c.customer_id, label.label("label"), q.c.value.label("score"),
        ctx.reason("value.abc", value=q.c.value, position=q.c.position,
                   customers=q.c.customers, above=cast(above * 100, Float),
                   months=ctx.config["rfm.months"]).label("reason"),
    )


SEGMENTATIONS = [
    guanxi.Segmentation(
        name=o.RFM, title="RFM scores", labels=RFM_LABELS, query=rfm_query,
        description="VAL-RFM: recency, frequency and monetary scores 1-5 (5 best) by fifths "
                    "of the customers who bought in the last [value.rfm] months, ties by "
                    "customer id; the label is the three scores, like 545.",
        reasons={"value.rfm": {
            "en": "last purchase {days} days ago, {purchases} purchases, {amount} in "
                  "{months} months (R {r}, F {f}, M {m})",
            "zh": "最近一次购买在 {days} 天前，{months} 个月内购买 {purchases} 次、"
                  "金额 {amount}（R {r}，F {f}，M {m}）"}}),
    guanxi.Segmentation(
        name=o.RFM_SEGMENT, title="RFM segments",
        labels=SEGMENT_NAMES, query=rfm_segment_query,
        description="VAL-RFM: the named segment (champions, loyal, at risk, ...) of the RFM "
                    "scores by the mapping [value.rfm] segments; the first match wins.",
        reasons={"value.rfm_segment": {
            "en": "R {r}, F {f}, M {m}: {segment}",
            "zh": "R {r}，F {f}，M {m}：{segment}"}}),
    guanxi.Segmentation(
        name=o.LTV, title="Lifetime value", labels=o.LTV_BANDS, query=ltv_query,
        description="VAL-LTV: average monthly revenue over the last [value.ltv] months "
                    "× 12 × [value.ltv] years (《客户关系管理的策略》: 1,500 × 12 × 10 = 180,000); "
                    "the score is the value, the label its band.",
        reasons={"value.ltv": {
            "en": "{total} over {months} months = {monthly} a month; × 12 × {years} years "
                  "= {ltv}",
            "zh": "{months} 个月购买 {total}，月均 {monthly}；× 12 × {years} 年 = {ltv}"}}),
    guanxi.Segmentation(
        name=o.ABC, title="ABC by cumulative share", labels=("A", "B", "C"), query=abc_query,
        description="VAL-ABC: customers ranked by their purchases in the last "
                    "[value.rfm] months (ties by id); A until [value.abc] shares' first "
                    "share of the value (80%) is reached, B the next (15%), C the rest.",
        reasons={"value.abc": {
            "en": "{value} in {months} months, rank {position} of {customers}; "
                  "{above}% of the value ranked above",
            "zh": "{months} 个月购买 {value}，排名 {position}/{customers}；"
                  "排在前面的客户占价值 {above}%"}}),
]
