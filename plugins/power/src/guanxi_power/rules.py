"""The power service rules: POWER-REMIND, POWER-OUTAGE, POWER-ANOMALY,
POWER-ADVICE, POWER-VISIT, POWER-EXPIRY and POWER-EQUIP.

Each is one select the rule engine turns into tasks. A dedupe key names
what the task is about (the bill and its stage, the outage, the month),
so a rerun, and the next day's run, create nothing new.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select

from guanxi import ServiceRule
from guanxi_power.blocks import affected, bills, end_of_as_of

# -- POWER-REMIND ------------------------------------------------------------------
# rule POWER-REMIND (金华电业局 §4.6 缴费提醒; days ours): a bill unpaid 3 days
# before its due day -> a reminder; 7 days after it -> a collection call;
# 30 days after it -> an escalation to the manager's superior. One rule,
# three stages (task kinds), each made once per bill.


def remind_query(ctx):
    cfg = ctx.config
    b = bills(ctx, "remind_bills")
    late = ctx.days_past_due(b.c.due_on)
    ahead = ctx.days_between(ctx.today, b.c.due_on)   # days until the due day
    owed = b.c.amount - b.c.paid
    stage = case((late >= cfg["remind.escalation_days"], literal("escalation")),
                 (late >= cfg["remind.call_days"], literal("call")),
                 (ahead <= cfg["remind.before_days"], literal("reminder")))
    c = ctx.tables.customers
    owner = c.c.manager_id
    manager = case((stage == "escalation",
                    func.coalesce(ctx.role_person("reports_to", owner), owner)), else_=owner)
    figures = dict(period=b.c.period, amount=b.c.amount, paid=b.c.paid, owed=owed,
                   due=ctx.day_text(b.c.due_on))
    # A reminder first made after the due day (a bill loaded late) says how late it is.
    reason = case(
        (late > 0, ctx.reason("power.remind.late", days=late, **figures)),
        else_=ctx.reason("power.remind.reminder", days=ahead, **figures))
    key = literal("bill:") + b.c.id + literal(":") + stage
    return (
        select(b.c.customer_id, manager.label("manager_id"), stage.label("kind"),
               case((stage == "reminder", ctx.due(1)), else_=ctx.due(3)).label("due_at"),
               case((stage == "escalation", 3), (stage == "call", 2), else_=1).label("priority"),
               reason.label("reason"), key.label("dedupe_key"))
        .join(c, c.c.id == b.c.customer_id)
        # Each stage once per bill: a reminder done is not made again the next day.
        .where(owed > 0, stage.is_not(None),
               ctx.never_tasked("power.remind", key, customer_id=b.c.customer_id))
    )


REMIND = ServiceRule(
    name="power.remind",
    title="Payment reminders",
    description="POWER-REMIND (缴费提醒): a bill unpaid 3 days before its due day -> a "
                "reminder; 7 days after it -> a collection call; 30 days after it -> an "
                "escalation to the manager's superior. Partial payments add up; a bill paid by "
                "the end of its due day is on time.",
    kind="reminder",
    query=remind_query,
    reasons={
        "power.remind.reminder": {
            "en": "bill {period} of {amount} due {due} ({days} days ahead), {owed} unpaid",
            "zh": "{period} 电费 {amount} 元，{due} 到期（还有 {days} 天），未缴 {owed} 元"},
        "power.remind.late": {
            "en": "bill {period} of {amount} unpaid {days} days after its due day {due} "
                  "({paid} paid, {owed} owed)",
            "zh": "{period} 电费 {amount} 元，到期日 {due} 后 {days} 天仍未缴清（已缴 {paid}，欠 {owed}）"},
    },
)


# -- POWER-OUTAGE ------------------------------------------------------------------------
# rule POWER-OUTAGE (金华电业局 §3(3), §4.6 重要客户停电协商; State Grid 十项承诺):
# class 1 customers on the feeder or segment of a coming outage get a phone
# call from their manager to agree the timing, due the day their notice is
# due. The notices themselves are records, one per customer
# (``guanxi power notices``), on the channel the bill preference names
# (POWER-BILLPREF), not tasks.


def outage_query(ctx):
    cfg = ctx.config
    from guanxi_power import tables

    o, c = tables.outages, ctx.tables.customers
    start = ctx.date_of(o.c.starts_at)
    before_days = case((o.c.kind == "planned", cfg["outage.planned_days"]),
                       else_=math.ceil(cfg["outage.temporary_hours"] / 24))
    due = ctx.add_days(start, -before_days)
    due = case((due < ctx.today, ctx.today), else_=due)
    return (
        select(c.c.id.label("customer_id"), ctx.day_at(due).label("due_at"),
               literal(3).label("priority"), literal("call").label("kind"),
               ctx.reason("power.outage.call", outage=o.c.id, kind=o.c.kind,
                          starts=ctx.minute_text(o.c.starts_at),
                          where=func.coalesce(o.c.feeder, o.c.segment)).label("reason"),
               (literal("outage:") + o.c.id).label("dedupe_key"))
        .select_from(o.join(c, affected(ctx, o, c)))
        .where(o.c.starts_at >= end_of_as_of(ctx), ctx.label("power.class", c.c.id) == "1",
               ctx.never_tasked("power.outage", literal("outage:") + o.c.id,
                                customer_id=c.c.id))
    )


NOTICE_REASONS = {
    "power.outage.notice": {
        "en": "on {where} of {kind} outage {outage} from {starts}: notify by {due} "
              "({before} before), by {channel}",
        "zh": "{where} {kind} 停电 {outage}（{starts} 起）：须于 {due} 前（提前 {before}）以 {channel} 通知"},
}

OUTAGE = ServiceRule(
    name="power.outage",
    title="Outage consultation calls",
    description="POWER-OUTAGE: every customer on the feeder or meter-reading segment of a "
                "planned outage gets a notice record 7 days before it (important and class 1 "
                "customers 24 hours before a temporary one), on the channel of their bill "
                "preference (POWER-BILLPREF); class 1 customers also get a call from their "
                "manager to agree the timing (重要客户停电协商), due when the notice is.",
    kind="call",
    requires=("power.class",),
    query=outage_query,
    reasons={
        "power.outage.call": {
            "en": "class 1 customer on {where}: {kind} outage {outage} from {starts}; agree "
                  "the timing",
            "zh": "一类客户，{where} {kind} 停电 {outage}（{starts} 起）：停电协商"},
        **NOTICE_REASONS,
    },
)


# -- POWER-ANOMALY -----------------------------------------------------------------------
# rule POWER-ANOMALY (范文5 §3.1b; figures ours): class 1 or 2 whose last closed
# month's kWh is 50% or more away from the mean of the three months before
# it -> contact about a possible equipment defect, offer an inspection.
# Compared in whole numbers: |3 x month - sum of three| x 100 >= 50 x sum.


def anomaly_query(ctx):
    cfg = ctx.config
    m = ctx.tables.measurements
    months = cfg["anomaly.months"]
    first, end = ctx.trailing_months(months + 1)
    last = ctx.months_back(1)
    month = (select(m.c.customer_id, func.sum(m.c.value).label("kwh"))
             .where(m.c.metric == "kwh", m.c.period == last)
             .group_by(m.c.customer_id).subquery("anomaly_month"))
    before = (select(m.c.customer_id, func.sum(m.c.value).label("kwh"),
                     func.count(func.distinct(m.c.period)).label("months"))
              .where(m.c.metric == "kwh", m.c.period >= first, m.c.period < last)
              .group_by(m.c.customer_id).subquery("anomaly_before"))
    gap = func.abs(month.c.kwh * months - before.c.kwh)
    pct_bp = round(float(cfg["anomaly.change"]) * 100)
    mean = cast(before.c.kwh, Float) / months
    change = cast(gap, Float) * 100 / before.c.kwh
    return (
        select(month.c.customer_id, ctx.due(7).label("due_at"), literal(2).label("priority"),
               ctx.reason("power.anomaly", month=ctx.month_text(literal(last)), kwh=month.c.kwh,
                          mean=mean, months=months, pct=change,
                          limit=pct_bp).label("reason"),
               (literal("anomaly:") + ctx.month_text(literal(last))).label("dedupe_key"))
        .join(before, before.c.customer_id == month.c.customer_id)
        .where(before.c.months == months, before.c.kwh > 0,
               gap * 100 >= before.c.kwh * pct_bp,
               ctx.label("power.class", month.c.customer_id).in_(("1", "2")),
               ctx.never_tasked("power.anomaly", literal("anomaly:") + ctx.month_text(literal(last)),
                                customer_id=month.c.customer_id))
    )


ANOMALY = ServiceRule(
    name="power.anomaly",
    title="Consumption anomalies",
    description="POWER-ANOMALY: a class 1 or 2 customer whose last closed month's kWh is 50% "
                "or more above or below the mean of the three months before it -> contact "
                "the customer about a possible equipment defect and offer an inspection.",
    kind="call",
    requires=("power.class",),
    query=anomaly_query,
    reasons={"power.anomaly": {
        "en": "{month}: {kwh} kWh against a {months}-month mean of {mean}, {pct}% off "
              "(limit {limit}%): offer an inspection",
        "zh": "{month} 用电 {kwh} kWh，前{months}个月均值 {mean}，变化 {pct}%（≥ {limit}%）：提供检查服务"}},
)


# -- POWER-ADVICE ------------------------------------------------------------------------
# rule POWER-ADVICE (金华电业局 §4.5, 范文5 §3.1b; figures ours): class 1 with a
# power factor below 0.90, or a customer not on time-of-use with a peak
# share of 40% or more, in the last closed month -> an advice letter
# (优化用电建议书).


def advice_query(ctx):
    cfg = ctx.config
    m, c = ctx.tables.measurements, ctx.tables.customers
    last = ctx.months_back(1)

    def month_of(metric, name):
        return (select(m.c.customer_id, func.avg(m.c.value).label("value"))
                .where(m.c.metric == metric, m.c.period == last)
                .group_by(m.c.customer_id).subquery(name))

    pf = month_of("power_factor", "advice_pf")
    peak = month_of("peak_share", "advice_peak")
    low_pf = and_(ctx.label("power.class", c.c.id) == "1",
                  pf.c.value < float(cfg["advice.power_factor"]))
    tou = or_(ctx.attribute(c, "time_of_use", "boolean"),
              ctx.attribute(c, "tariff") == "time_of_use")
    high_peak = and_(func.coalesce(tou, False) == False,  # noqa: E712 (SQL, not Python)
                     peak.c.value >= float(cfg["advice.peak_share"]))
    month = ctx.month_text(literal(last))
    reason = case(
        (low_pf, ctx.reason("power.advice.pf", month=month, pf=pf.c.value,
                            limit=cfg["advice.power_factor"])),
        else_=ctx.reason("power.advice.peak", month=month, pct=peak.c.value * 100,
                         limit=float(cfg["advice.peak_share"]) * 100))
    return (
        select(c.c.id.label("customer_id"), ctx.due(14).label("due_at"),
               literal(1).label("priority"), reason.label("reason"),
               (literal("advice:") + month).label("dedupe_key"))
        .select_from(c.outerjoin(pf, pf.c.customer_id == c.c.id)
                     .outerjoin(peak, peak.c.customer_id == c.c.id))
        .where(or_(low_pf, high_peak),
               ctx.never_tasked("power.advice", literal("advice:") + month, customer_id=c.c.id))
    )


ADVICE = ServiceRule(
    name="power.advice",
    title="Advice letters",
    description="POWER-ADVICE: a class 1 customer with a power factor below 0.90, or a "
                "customer not on time-of-use with a peak share of 40% or more, in the last "
                "closed month -> an advice letter (优化用电建议书: compensation, 三相负荷平衡, "
                "移峰填谷, saving, tariff choice).",
    kind="letter",
    requires=("power.class",),
    query=advice_query,
    reasons={
        "power.advice.pf": {"en": "{month}: power factor {pf} < {limit}: advice letter on "
                                  "reactive compensation",
                            "zh": "{month} 功率因数 {pf} < {limit}：发无功补偿建议书"},
        "power.advice.peak": {"en": "{month}: peak share {pct}% >= {limit}% without "
                                    "time-of-use: advice letter on shifting load and tariff",
                              "zh": "{month} 峰段占比 {pct}% ≥ {limit}% 且未执行分时电价：发移峰填谷建议书"},
    },
)


# -- POWER-VISIT -------------------------------------------------------------------------
# rule POWER-VISIT (金华电业局 §4.6 定期走访; figures ours): class 1 monthly,
# class 2 quarterly: a visit task when the last visit is older than that.


def visit_query(ctx):
    cfg = ctx.config
    i, c = ctx.tables.interactions, ctx.tables.customers
    last = (select(i.c.customer_id, func.max(ctx.date_of(i.c.occurred_at)).label("day"))
            .where(i.c.kind == "visit", i.c.occurred_at < end_of_as_of(ctx))
            .group_by(i.c.customer_id).subquery("visit_last"))
    cls = ctx.label("power.class", c.c.id)
    days = case((cls == "1", cfg["visit.class1_days"]), else_=cfg["visit.class2_days"])
    since = ctx.days_between(last.c.day)
    reason = case((last.c.day.is_(None), ctx.reason("power.visit.never", cls=cls, days=days)),
                  else_=ctx.reason("power.visit", cls=cls, days=days, since=since,
                                   last=ctx.day_text(last.c.day)))
    return (
        select(c.c.id.label("customer_id"), ctx.due(7).label("due_at"),
               case((cls == "1", 2), else_=1).label("priority"), reason.label("reason"),
               (literal("visit:") + func.coalesce(ctx.day_text(last.c.day), "never"))
               .label("dedupe_key"))
        .select_from(c.outerjoin(last, last.c.customer_id == c.c.id))
        .where(cls.in_(("1", "2")), or_(last.c.day.is_(None), since >= days))
    )


VISIT = ServiceRule(
    name="power.visit",
    title="Regular visits",
    description="POWER-VISIT (定期走访): class 1 customers are visited monthly (30 days), "
                "class 2 quarterly (90 days): a visit task when the last visit is that old.",
    kind="visit",
    requires=("power.class",),
    query=visit_query,
    reasons={
        "power.visit": {"en": "class {cls}: last visit {last}, {since} days ago (every {days})",
                        "zh": "{cls} 类客户：上次走访 {last}，已 {since} 天（每 {days} 天）"},
        "power.visit.never": {"en": "class {cls}: never visited (every {days} days)",
                              "zh": "{cls} 类客户：从未走访（每 {days} 天）"},
    },
)


# -- POWER-EXPIRY ------------------------------------------------------------------------
# rule POWER-EXPIRY (金华电业局 §4.6 到期业务通知; days ours): a supply contract or a
# temporary-supply agreement ending within 30 days -> a notice.


def expiry_query(ctx):
    cfg = ctx.config
    c = ctx.tables.customers
    horizon = literal(ctx.as_of + dt.timedelta(days=cfg["expiry.days"]))
    rows = []
    for field, what in (("contract_ends", "contract"), ("temporary_until", "temporary")):
        ends = ctx.attribute(c, field, "date")
        rows.append(
            select(c.c.id.label("customer_id"), ctx.due(7).label("due_at"),
                   literal(2).label("priority"),
                   ctx.reason(f"power.expiry.{what}", ends=ctx.day_text(ends),
                              days=ctx.days_between(ctx.today, ends)).label("reason"),
                   (literal(f"{what}:") + ctx.day_text(ends)).label("dedupe_key"))
            .where(ends >= ctx.today, ends <= horizon,
                   ctx.never_tasked("power.expiry", literal(f"{what}:") + ctx.day_text(ends),
                                    customer_id=c.c.id))
        )
    both = rows[0].union_all(rows[1]).subquery("expiry_rows")
    return select(both)


EXPIRY = ServiceRule(
    name="power.expiry",
    title="Expiry notices",
    description="POWER-EXPIRY (到期业务通知): a supply contract or a temporary-supply agreement "
                "ending within 30 days -> a notice to the customer.",
    kind="notice",
    query=expiry_query,
    reasons={
        "power.expiry.contract": {"en": "supply contract ends {ends}, in {days} days",
                                  "zh": "供用电合同 {ends} 到期（还有 {days} 天）"},
        "power.expiry.temporary": {"en": "temporary supply ends {ends}, in {days} days",
                                   "zh": "临时用电 {ends} 到期（还有 {days} 天）"},
    },
)


# -- POWER-EQUIP -------------------------------------------------------------------------
# rule POWER-EQUIP (范文5 §3.1a; monthly ours): VIP equipment whose last patrol
# (the later of the equipment's last_patrol_on and its patrol interactions)
# is 30 days old or more, or never -> a patrol task for its named patrol
# person (日常巡查负责人).


def patrol_query(ctx):
    cfg = ctx.config
    from guanxi_power import tables

    e, i = tables.equipment, ctx.tables.interactions
    done = (select(ctx.attribute(i, "equipment_id").label("equipment_id"),
                   ctx.date_of(i.c.occurred_at).label("day"))
            .where(i.c.kind == "patrol", i.c.occurred_at < end_of_as_of(ctx))
            .subquery("patrol_done"))
    patrols = (select(done.c.equipment_id, func.max(done.c.day).label("day"))
               .group_by(done.c.equipment_id).subquery("patrol_last"))
    last = case((and_(patrols.c.day.is_not(None),
                      or_(e.c.last_patrol_on.is_(None), patrols.c.day > e.c.last_patrol_on)),
                 patrols.c.day), else_=e.c.last_patrol_on)
    days = cfg["patrol.days"]
    since = ctx.days_between(last)
    reason = case((last.is_(None), ctx.reason("power.patrol.never", equipment=e.c.id,
                                              name=func.coalesce(e.c.name, e.c.kind), days=days)),
                  else_=ctx.reason("power.patrol", equipment=e.c.id,
                                   name=func.coalesce(e.c.name, e.c.kind),
                                   last=ctx.day_text(last), since=since, days=days))
    return (
        select(e.c.customer_id, e.c.patrol_manager_id.label("manager_id"),
               ctx.due(3).label("due_at"), literal(2).label("priority"), reason.label("reason"),
               (literal("patrol:") + e.c.id + literal(":")
                + func.coalesce(ctx.day_text(last), "never")).label("dedupe_key"))
        .select_from(e.outerjoin(patrols, patrols.c.equipment_id == e.c.id))
        .where(or_(last.is_(None), since >= days))
    )


PATROL = ServiceRule(
    name="power.patrol",
    title="Equipment patrols",
    description="POWER-EQUIP: VIP equipment (transformers, HV lines) whose last patrol is 30 "
                "days old or more, or never patrolled -> a patrol task for its named patrol "
                "person (日常巡查负责人).",
    kind="patrol",
    query=patrol_query,
    reasons={
        "power.patrol": {"en": "{equipment} ({name}): last patrol {last}, {since} days ago "
                               "(every {days})",
                         "zh": "{equipment}（{name}）：上次巡查 {last}，已 {since} 天（每 {days} 天）"},
        "power.patrol.never": {"en": "{equipment} ({name}): never patrolled (every {days} days)",
                               "zh": "{equipment}（{name}）：从未巡查（每 {days} 天）"},
    },
)

RULES = (REMIND, OUTAGE, ANOMALY, ADVICE, VISIT, EXPIRY, PATROL)
