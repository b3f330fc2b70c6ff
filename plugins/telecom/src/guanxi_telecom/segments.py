"""The telecom segmentations: TEL-STAGE (``telecom.stage``) and TEL-RISK (``telecom.risk``).

Both are one select over the key accounts and group customers, joined to
grouped subqueries of lines, revenue, bills, contacts, ownership and
interactions (:mod:`guanxi_telecom.common`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, and_, case, cast, func, literal, or_, select

from guanxi import Segmentation
from guanxi_telecom import common
from guanxi_telecom.common import flag, text
from guanxi_telecom.options import (
    COMPETITOR_SIGNAL,
    COMPLAINTS,
    PRICE_COMPLAINT,
    QUALITY_COMPLAINT,
    RISK,
    RISK_CAUSES,
    RISK_NOTE,
    STAGE,
    STAGES,
)

# -- TEL-STAGE --------------------------------------------------------------------------
# rule TEL-STAGE (001 第一篇): gestation 孕育, growth 成长 (the seed's 中期阶段),
# partnership 战略合作伙伴, interruption 间断 ("may occur at any stage", so it
# is tested first, after prospects, which are always in gestation).


def stage_parts(ctx):
    """The stage of every key account, with the figures its reason gives."""
    cfg = ctx.config
    c = ctx.tables.customers
    lines, revenue = common.line_summary(ctx), common.revenue_trend(ctx)
    bills = common.last_bill(ctx)
    months = common.tenure(ctx, c)
    gap = common.billing_gap(ctx, c, bills)
    products = func.coalesce(lines.c.live_products, 0)
    recent, before = func.coalesce(revenue.c.recent, 0), func.coalesce(revenue.c.before, 0)
    prospect = c.c.status == "prospect"
    no_billing = gap >= cfg["stage.billing_gap_days"]
    all_stopped = and_(lines.c.lines > 0, lines.c.stopped == lines.c.lines)
    partnership = and_(months >= cfg["stage.partnership_months"],
                       products >= cfg["stage.partnership_lines"], recent >= before)
    growth = and_(months >= cfg["stage.gestation_months"],
                  or_(recent > before, products >= cfg["stage.growth_lines"]))
    label = case(
        (prospect, "gestation"),
        (no_billing, "interruption"),
        (all_stopped, "interruption"),
        (partnership, "partnership"),
        (growth, "growth"),
        else_="gestation",
    )
    figures = dict(months=months, products=products, recent=recent, before=before)
    reason = case(
        (prospect, ctx.reason("telecom.stage.prospect")),
        (no_billing, ctx.reason("telecom.stage.no_billing", days=gap,
                                last=func.coalesce(ctx.day_text(bills.c.last_bill), "none"))),
        (all_stopped, ctx.reason("telecom.stage.stopped", lines=lines.c.lines)),
        else_=ctx.reason("telecom.stage.figures", **figures),
    )
    source = (c.outerjoin(lines, lines.c.customer_id == c.c.id)
              .outerjoin(revenue, revenue.c.customer_id == c.c.id)
              .outerjoin(bills, bills.c.customer_id == c.c.id))
    return select(c.c.id.label("customer_id"), label.label("label"),
                  cast(func.coalesce(months, 0), Float).label("score"),
                  reason.label("reason")).select_from(source).where(flag(ctx, c, "key_account"))


STAGE_SEGMENTATION = Segmentation(
    name=STAGE,
    title="Key-account relationship stage",
    description="TEL-STAGE: gestation (new < 6 months or a prospect), growth (≥ 6 months and "
                "revenue growing or ≥ 2 product lines), partnership (≥ 24 months, ≥ 3 product "
                "lines, revenue not falling), interruption (no bill for ≥ 60 days, or every "
                "line ended or suspended) for every key account.",
    labels=STAGES,
    query=stage_parts,
    reasons={
        "telecom.stage.prospect": {"en": "a prospect: gestation (TEL-STAGE)",
                                   "zh": "潜在客户：孕育阶段（TEL-STAGE）"},
        "telecom.stage.no_billing": {
            "en": "no bill for {days} days (last {last}): interruption (TEL-STAGE)",
            "zh": "已 {days} 天无账单（最近一次 {last}）：间断阶段（TEL-STAGE）"},
        "telecom.stage.stopped": {
            "en": "all {lines} lines ended or suspended: interruption (TEL-STAGE)",
            "zh": "全部 {lines} 户已流失或停机：间断阶段（TEL-STAGE）"},
        "telecom.stage.figures": {
            "en": "{months} months as a customer, {products} product line(s), revenue "
                  "{recent} against {before} the months before (TEL-STAGE)",
            "zh": "在网 {months} 个月，{products} 类业务，收入 {recent}（前期 {before}）（TEL-STAGE）"},
    },
)


# -- TEL-RISK -----------------------------------------------------------------------------
# rule TEL-RISK (001 第一篇, 客户关系间断的内在原因/外在原因): each cause found is a
# piece of the reason, in English and Chinese; the label is high (≥ 2
# causes), medium (1) or low (none), the score the number of causes.


def _signals(ctx):
    """Per customer: the latest price signal, quality complaint and risk note of
    each cause, and the unresolved complaints, over ``risk.months``."""
    cfg = ctx.config
    i = ctx.tables.interactions
    recent = i.c.occurred_at >= ctx.at(ctx.as_of, 1 - cfg["risk.signal_days"])
    day = ctx.date_of(i.c.occurred_at)
    cause = ctx.attribute(i, "risk_cause")
    columns = [
        func.max(case((and_(recent, i.c.kind.in_((PRICE_COMPLAINT, COMPETITOR_SIGNAL))), day)))
        .label("price_day"),
        func.max(case((and_(recent, i.c.kind == QUALITY_COMPLAINT), day))).label("quality_day"),
        func.sum(case((and_(i.c.kind.in_(COMPLAINTS), i.c.resolved_at.is_(None)), 1), else_=0))
        .label("unresolved"),
        *[func.max(case((and_(i.c.kind == RISK_NOTE, cause == name), day))).label(name)
          for name in RISK_CAUSES],
    ]
    start = common.months_ago(ctx, cfg["risk.months"])
    return (
        select(i.c.customer_id, *columns)
        .where(i.c.occurred_at >= ctx.at(start, 1), i.c.occurred_at < ctx.at(ctx.as_of, 1),
               i.c.kind.in_((*COMPLAINTS, COMPETITOR_SIGNAL, RISK_NOTE)))
        .group_by(i.c.customer_id)
        .subquery("telecom_signals")
    )


def _manager_changes(ctx):
    o = ctx.tables.ownership
    start = common.months_ago(ctx, ctx.config["risk.months"])
    return (
        select(o.c.customer_id, func.count().label("changes"))
        .where(o.c.ended_at.is_not(None), o.c.ended_at > literal(start, Date),
               o.c.ended_at <= ctx.today)
        .group_by(o.c.customer_id)
        .subquery("telecom_manager_changes")
    )


def _key_contact_changed(ctx):
    start = common.months_ago(ctx, ctx.config["risk.months"]) + dt.timedelta(days=1)
    changes = common.contact_changes(ctx, literal(start, Date))
    found = changes.subquery("telecom_contact_change")
    return (select(found.c.customer_id, func.max(found.c.started).label("changed_on"))
            .group_by(found.c.customer_id).subquery("telecom_key_contact"))


#: (name, English piece, Chinese piece) for each cause, its figure put in by SQL.
def _causes(ctx, s, changes, contacts, lines, key):
    cfg = ctx.config
    n_contacts = func.coalesce(contacts.c.contacts, 0)
    n_changes = func.coalesce(changes.c.changes, 0)
    day = ctx.day_text
    return [
        (key.c.changed_on.is_not(None),
         literal("key contact changed ") + day(key.c.changed_on),
         literal("关键联系人更换 ") + day(key.c.changed_on)),
        (n_contacts < cfg["multi.min_contacts"],
         text(n_contacts) + literal(" contact person(s) only"),
         literal("仅 ") + text(n_contacts) + literal(" 名联系人")),
        (n_changes >= cfg["risk.manager_changes"],
         text(n_changes) + literal(f" manager changes in {cfg['risk.months']} months"),
         literal(f"{cfg['risk.months']} 个月内更换客户经理 ") + text(n_changes) + literal(" 次")),
        (s.c.price_day.is_not(None),
         literal("price complaint or competitor signal ") + day(s.c.price_day),
         literal("价格投诉或竞争对手动向 ") + day(s.c.price_day)),
        (func.coalesce(s.c.unresolved, 0) >= cfg["risk.unresolved_complaints"],
         text(s.c.unresolved) + literal(" unresolved complaints"),
         text(s.c.unresolved) + literal(" 件投诉未解决")),
        (s.c.quality_day.is_not(None),
         literal("quality complaint ") + day(s.c.quality_day),
         literal("质量投诉 ") + day(s.c.quality_day)),
        (s.c.personal_ties.is_not(None),
         literal("relationship rests on personal ties (noted ") + day(s.c.personal_ties)
         + literal(")"),
         literal("人情关系（") + day(s.c.personal_ties) + literal(" 记录）")),
        (s.c.recession.is_not(None),
         literal("price first in a recession (noted ") + day(s.c.recession) + literal(")"),
         literal("经济衰退、价格优先（") + day(s.c.recession) + literal(" 记录）")),
        (or_(s.c.closure.is_not(None), func.coalesce(lines.c.nonpayment, 0) > 0,
             func.coalesce(lines.c.arrears, 0) > 0),
         literal("financial trouble: ") + text(func.coalesce(lines.c.nonpayment, 0))
         + literal(" line(s) 罚停, ") + text(func.coalesce(lines.c.arrears, 0))
         + literal(" in arrears") + case((s.c.closure.is_not(None),
                                          literal(", closure noted ") + day(s.c.closure)),
                                         else_=""),
         literal("财务问题：罚停 ") + text(func.coalesce(lines.c.nonpayment, 0))
         + literal(" 户，欠费 ") + text(func.coalesce(lines.c.arrears, 0)) + literal(" 户")
         + case((s.c.closure.is_not(None), literal("，倒闭 ") + day(s.c.closure)), else_="")),
        (s.c.market_position.is_not(None),
         literal("market position changed (noted ") + day(s.c.market_position) + literal(")"),
         literal("市场地位变化（") + day(s.c.market_position) + literal(" 记录）")),
    ]


def risk_query(ctx):
    c = ctx.tables.customers
    s, changes, key = _signals(ctx), _manager_changes(ctx), _key_contact_changed(ctx)
    contacts, lines = common.active_contacts(ctx), common.line_summary(ctx)
    causes = _causes(ctx, s, changes, contacts, lines, key)
    count = sum((case((found, 1), else_=0) for found, _, _ in causes), literal(0))
    # "; piece" for each cause found, the leading "; " cut off.
    en = func.substr(sum((case((found, literal("; ") + piece), else_="")
                          for found, piece, _ in causes), literal("")), 3)
    zh = func.substr(sum((case((found, literal("；") + piece), else_="")
                          for found, _, piece in causes), literal("")), 2)
    label = case((count >= ctx.config["risk.high_causes"], "high"), (count > 0, "medium"),
                 else_="low")
    reason = case((count == 0, ctx.reason("telecom.risk.none")),
                  else_=ctx.reason("telecom.risk.causes", causes=en, causes_zh=zh))
    source = (c.outerjoin(s, s.c.customer_id == c.c.id)
              .outerjoin(changes, changes.c.customer_id == c.c.id)
              .outerjoin(key, key.c.customer_id == c.c.id)
              .outerjoin(contacts, contacts.c.customer_id == c.c.id)
              .outerjoin(lines, lines.c.customer_id == c.c.id))
    return (select(c.c.id.label("customer_id"), label.label("label"),
                   cast(count, Float).label("score"), reason.label("reason"))
            .select_from(source)
            .where(or_(flag(ctx, c, "key_account"), flag(ctx, c, "group_customer")),
                   c.c.status != "prospect"))


RISK_SEGMENTATION = Segmentation(
    name=RISK,
    title="Interruption risk",
    description="TEL-RISK: the causes of an interruption found for each key account and group "
                "customer (key contact changed, a single contact person, ≥ 2 manager changes "
                "in 12 months, price complaints or competitor signals, repeated unresolved "
                "complaints, quality complaints, personal ties, recession, financial trouble "
                "(罚停, arrears, closure), market position); high with ≥ 2 causes, medium "
                "with 1, low with none. The causes found are the reason.",
    labels=("high", "medium", "low"),
    query=risk_query,
    reasons={
        "telecom.risk.none": {"en": "no cause of interruption found (TEL-RISK)",
                              "zh": "未发现间断风险因素（TEL-RISK）"},
        "telecom.risk.causes": {"en": "{causes} (TEL-RISK)", "zh": "{causes_zh}（TEL-RISK）"},
    },
)

SEGMENTATIONS = (STAGE_SEGMENTATION, RISK_SEGMENTATION)
