"""The power KPIs: complaints and repairs (from the case records), bills,
outage notices, visits, patrols, advice letters and archive completeness.

Every KPI is declared from one select of its rows, ``(scope_key, row_id,
figure, weight, reason)``: the value is that select grouped by scope key
(Σ figure for a count or an amount, Σ figure ÷ Σ weight for a share or a
mean), so ``guanxi kpi NAME --explain`` lists exactly what the value
counts and the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import Float, String, and_, case, cast, exists, func, literal, or_, select

from guanxi import Kpi, tables
from guanxi_power import tables as power_tables
from guanxi_power.blocks import bills
from guanxi_power.service import COMPLAINT_POLICIES, REPAIR_POLICIES, repair_limits


def _kpi(name, title, description, rows, *, combine="ratio", unit="share", row_kind="case",
         reasons=None, empty=None, **extra) -> Kpi:
    def query(ctx):
        r = rows(ctx).subquery(f"{name.split('.')[1]}_rows")
        if combine == "sum":
            value = func.sum(r.c.figure)
        else:
            value = ctx.ratio(func.sum(r.c.figure), func.sum(r.c.weight))
        return select(r.c.scope_key, value.label("value")).group_by(r.c.scope_key)

    return Kpi(name=name, title=title, description=description, query=query, rows=rows,
               combine=combine, unit=unit, row_kind=row_kind, reasons=reasons or {},
               empty=(0 if combine == "sum" else None) if empty is None else empty, **extra)


def _row(ctx, customer_id, row_id, figure, reason, weight=1):
    """The five columns of a KPI row; ``row_id`` as text, so rows of several kinds union."""
    if not hasattr(figure, "label"):
        figure = literal(figure)
    weight = weight if hasattr(weight, "label") else literal(weight)
    return (ctx.scope_key(customer_id).label("scope_key"), cast(row_id, String).label("row_id"),
            figure.label("figure"), weight.label("weight"), reason.label("reason"))


# -- cases: POWER-COMPLAINT, POWER-ROUTE, POWER-REPAIR -----------------------------------


def _cases(policies):
    c = tables.cases
    return c, c.c.policy.in_(policies)


def _clock_rows(policies, done_col, due_col, clock):
    def rows(ctx):
        c, mine = _cases(policies)
        done, due = c.c[done_col], c.c[due_col]
        on_time = and_(done.is_not(None), done <= due)
        figure = case((on_time, 1), else_=0)
        reason = ctx.reason(f"power.kpi.clock.{clock}", case=c.c.id, policy=c.c.policy,
                            due=ctx.minute_text(due),
                            done=func.coalesce(ctx.minute_text(done), "-"))
        return select(*_row(ctx, c.c.customer_id, c.c.id, figure, reason)).where(
            mine, due.is_not(None), ctx.in_period(due), ctx.served(c.c.customer_id))
    return rows


CLOCK_REASONS = {
    f"power.kpi.clock.{clock}": {
        "en": f"case {{case}} ({{policy}}): {word} due {{due}}, done {{done}}",
        "zh": f"工单 {{case}}（{{policy}}）：{zh}时限 {{due}}，完成 {{done}}"}
    for clock, word, zh in (("response", "response", "响应"), ("resolution", "resolution", "办结"),
                            ("callback", "callback", "回访"), ("arrival", "arrival", "到达"))
}


def _hours_rows(ctx):
    c, mine = _cases(COMPLAINT_POLICIES)
    hours = ctx.hours_between(c.c.opened_at, c.c.resolved_at) - c.c.paused_hours
    reason = ctx.reason("power.kpi.hours", case=c.c.id, hours=hours,
                        opened=ctx.minute_text(c.c.opened_at),
                        resolved=ctx.minute_text(c.c.resolved_at))
    return select(*_row(ctx, c.c.customer_id, c.c.id, hours, reason)).where(
        mine, c.c.resolved_at.is_not(None), ctx.in_period(c.c.resolved_at),
        ctx.served(c.c.customer_id))


def _escalation_rows(ctx):
    c, mine = _cases(COMPLAINT_POLICIES + REPAIR_POLICIES)
    figure = case((c.c.level >= 2, 1), else_=0)
    reason = ctx.reason("power.kpi.escalated", case=c.c.id, level=c.c.level)
    return select(*_row(ctx, c.c.customer_id, c.c.id, figure, reason)).where(
        mine, ctx.in_period(c.c.opened_at), ctx.served(c.c.customer_id))


def _duban_rows(ctx):
    # A 督办 order (level 2) closed on time: resolved before level 3 was due,
    # i.e. within twice the resolution limit.
    c, mine = _cases(COMPLAINT_POLICIES + REPAIR_POLICIES)
    e = tables.case_events
    level2 = (select(e.c.case_id, func.min(e.c.at).label("at"))
              .where(e.c.action == "escalate", e.c.level == 2)
              .group_by(e.c.case_id).subquery("duban_orders"))
    level3 = exists().where(e.c.case_id == c.c.id, e.c.action == "escalate", e.c.level == 3)
    figure = case((and_(c.c.resolved_at.is_not(None), ~level3), 1), else_=0)
    reason = ctx.reason("power.kpi.duban", case=c.c.id, at=ctx.minute_text(level2.c.at),
                        resolved=func.coalesce(ctx.minute_text(c.c.resolved_at), "-"),
                        level=c.c.level)
    return (select(*_row(ctx, c.c.customer_id, c.c.id, figure, reason))
            .select_from(c.join(level2, level2.c.case_id == c.c.id))
            .where(mine, ctx.in_period(level2.c.at), ctx.served(c.c.customer_id),
                   or_(c.c.resolved_at.is_not(None), level3)))


def _callback_rows(ctx):
    c, mine = _cases(COMPLAINT_POLICIES + REPAIR_POLICIES)
    figure = case((c.c.called_back_at.is_not(None), 1), else_=0)
    reason = ctx.reason("power.kpi.callback", case=c.c.id,
                        resolved=ctx.minute_text(c.c.resolved_at),
                        called=func.coalesce(ctx.minute_text(c.c.called_back_at), "-"))
    return select(*_row(ctx, c.c.customer_id, c.c.id, figure, reason)).where(
        mine, c.c.callback_due_at.is_not(None), ctx.in_period(c.c.resolved_at),
        ctx.served(c.c.customer_id))


def _repeat_rows(ctx):
    # A complaint is a repeat when the same customer complained in the 30 days before.
    c, mine = _cases(COMPLAINT_POLICIES)
    earlier = tables.cases.alias("earlier_complaint")
    repeat = exists().where(earlier.c.customer_id == c.c.customer_id, earlier.c.id != c.c.id,
                            earlier.c.policy.in_(COMPLAINT_POLICIES),
                            earlier.c.opened_at < c.c.opened_at,
                            earlier.c.opened_at >= ctx.plus_days(c.c.opened_at, -30))
    figure = case((repeat, 1), else_=0)
    reason = ctx.reason("power.kpi.repeat", case=c.c.id, opened=ctx.minute_text(c.c.opened_at),
                        repeat=case((repeat, "yes"), else_="no"))
    return select(*_row(ctx, c.c.customer_id, c.c.id, figure, reason)).where(
        mine, ctx.in_period(c.c.opened_at), ctx.served(c.c.customer_id))


def _count_rows(ctx):
    c, mine = _cases(COMPLAINT_POLICIES)
    reason = ctx.reason("power.kpi.complaint", case=c.c.id, opened=ctx.minute_text(c.c.opened_at))
    return select(*_row(ctx, c.c.customer_id, c.c.id, literal(1), reason)).where(
        mine, ctx.in_period(c.c.opened_at), ctx.served(c.c.customer_id))


def _restore_rows(ctx):
    # Restoration is measured from the crew's arrival (the response), by area.
    c = tables.cases
    limits = repair_limits(ctx.config)
    limit = case(*[(c.c.policy == name, restore) for name, (_, restore) in limits.items()])
    hours = ctx.hours_between(c.c.responded_at, c.c.resolved_at)
    figure = case((hours <= limit, 1), else_=0)
    reason = ctx.reason("power.kpi.restore", case=c.c.id, policy=c.c.policy, hours=hours,
                        limit=limit)
    return select(*_row(ctx, c.c.customer_id, c.c.id, figure, reason)).where(
        c.c.policy.in_(REPAIR_POLICIES), c.c.resolved_at.is_not(None),
        c.c.responded_at.is_not(None), ctx.in_period(c.c.resolved_at),
        ctx.served(c.c.customer_id))


# -- bills -------------------------------------------------------------------------------


def _recovery_rows(ctx):
    # Fee recovery: paid / billed over the bills due in the period.
    b = bills(ctx, "recovery_bills")
    reason = ctx.reason("power.kpi.recovery", bill=b.c.id, period=b.c.period,
                        amount=b.c.amount, paid=b.c.paid)
    paid = case((b.c.paid > b.c.amount, b.c.amount), else_=b.c.paid)
    return select(*_row(ctx, b.c.customer_id, b.c.id, cast(paid, Float), reason,
                        weight=cast(b.c.amount, Float))).where(
        ctx.in_period(b.c.due_on), b.c.amount > 0, ctx.served(b.c.customer_id))


def _arrears_rows(ctx):
    # What is owed at the end of the period (or the as-of day) on bills past due.
    b = bills(ctx, "arrears_bills")
    owed = b.c.amount - b.c.paid
    reason = ctx.reason("power.kpi.arrears", bill=b.c.id, period=b.c.period,
                        amount=b.c.amount, owed=owed, days=ctx.days_past_due(b.c.due_on))
    return select(*_row(ctx, b.c.customer_id, b.c.id, cast(owed, Float), reason)).where(
        b.c.due_on < ctx.today, owed > 0, ctx.served(b.c.customer_id))


# -- notices, visits, patrols, advice, archive, satisfaction --------------------------------


def _notice_rows(ctx):
    n = power_tables.notices
    on_time = and_(n.c.sent_at.is_not(None), n.c.sent_at <= n.c.due_at)
    reason = ctx.reason("power.kpi.notice", outage=n.c.outage_id, channel=n.c.channel,
                        due=ctx.minute_text(n.c.due_at),
                        sent=func.coalesce(ctx.minute_text(n.c.sent_at), "-"))
    return select(*_row(ctx, n.c.customer_id, n.c.outage_id + literal(":") + n.c.customer_id,
                        case((on_time, 1), else_=0), reason)).where(
        ctx.in_period(n.c.due_at), ctx.served(n.c.customer_id))


def _visit_rows(ctx):
    c, i = ctx.tables.customers, ctx.tables.interactions
    # ``|| ''``: the customer's index answers, not the index of kind (every visit).
    visited = exists().where(i.c.customer_id == c.c.id, i.c.kind.concat("") == "visit",
                             ctx.in_period(i.c.occurred_at))
    reason = ctx.reason("power.kpi.visit", visited=case((visited, "yes"), else_="no"))
    return select(*_row(ctx, c.c.id, c.c.id, case((visited, 1), else_=0), reason)).where(
        ctx.label("power.class", c.c.id) == "1", ctx.served(c.c.id))


def _patrol_rows(ctx):
    e, i = power_tables.equipment, ctx.tables.interactions
    days = ctx.config["patrol.days"]
    latest = (select(func.max(ctx.date_of(i.c.occurred_at)))
              .where(i.c.kind == "patrol", ctx.attribute(i, "equipment_id") == e.c.id,
                     i.c.occurred_at < ctx.at(ctx.as_of, 1))
              .scalar_subquery())
    last = case((and_(latest.is_not(None),
                      or_(e.c.last_patrol_on.is_(None), latest > e.c.last_patrol_on)), latest),
                else_=e.c.last_patrol_on)
    fresh = and_(last.is_not(None), ctx.days_between(last) < days)
    reason = ctx.reason("power.kpi.patrol", equipment=e.c.id,
                        last=func.coalesce(ctx.day_text(last), "-"), days=days)
    return select(*_row(ctx, e.c.customer_id, e.c.id, case((fresh, 1), else_=0), reason))


def _advice_rows(ctx):
    tk = ctx.tables.tasks
    reason = ctx.reason("power.kpi.advice", task=tk.c.id, status=tk.c.status)
    return select(*_row(ctx, tk.c.customer_id, tk.c.id, literal(1), reason)).where(
        tk.c.rule == "power.advice", ctx.in_period(tk.c.created_at),
        ctx.served(tk.c.customer_id))


def _savings_rows(ctx):
    i = ctx.tables.interactions
    reason = ctx.reason("power.kpi.saving", interaction=i.c.id, amount=i.c.amount)
    return select(*_row(ctx, i.c.customer_id, i.c.id, cast(i.c.amount, Float), reason)).where(
        i.c.kind == "saving", i.c.amount.is_not(None), ctx.in_period(i.c.occurred_at),
        ctx.served(i.c.customer_id))


ARCHIVE_FIELDS = ("industry", "voltage", "tariff", "area", "feeder", "bill_channel")


def _archive_rows(ctx):
    c = ctx.tables.customers
    missing = [case((ctx.attribute(c, f).is_(None), literal(f"{f} ")), else_=literal(""))
               for f in ARCHIVE_FIELDS]
    gaps = missing[0]
    for part in missing[1:]:
        gaps = gaps + part
    complete = and_(*[ctx.attribute(c, f).is_not(None) for f in ARCHIVE_FIELDS])
    reason = case((complete, ctx.reason("power.kpi.archive.complete")),
                  else_=ctx.reason("power.kpi.archive.missing", fields=gaps))
    return select(*_row(ctx, c.c.id, c.c.id, case((complete, 1), else_=0), reason)).where(
        ctx.served(c.c.id), c.c.status != "lost")


def _satisfaction_rows(ctx):
    i = ctx.tables.interactions
    score = ctx.attribute(i, "satisfaction", "integer")
    reason = ctx.reason("power.kpi.satisfaction", interaction=i.c.id, score=score)
    return select(*_row(ctx, i.c.customer_id, i.c.id, cast(score, Float), reason)).where(
        score.is_not(None), ctx.in_period(i.c.occurred_at), ctx.served(i.c.customer_id))


def _commitment_rows(ctx):
    # Commitments kept (十项承诺): notices on time, repair arrivals and restorations on time.
    parts = [_notice_rows(ctx), _clock_rows(REPAIR_POLICIES, "responded_at", "response_due_at",
                                            "arrival")(ctx), _restore_rows(ctx)]
    both = parts[0].union_all(*parts[1:]).subquery("commitment_rows")
    return select(both)


COMPLAINT_COUNT_WHY = ("'zero complaints' as a hard target hides problems (《客户管理制度》范文5 §3.8): the "
                       "count is shown to read, never to aim at")

KPIS = (
    _kpi("power.complaint_response_on_time", "Complaint responses on time",
         "POWER-COMPLAINT: share of complaints and requests whose response was due in the "
         "period that were responded to by then.",
         _clock_rows(COMPLAINT_POLICIES, "responded_at", "response_due_at", "response"),
         reasons=CLOCK_REASONS, target=0.95),
    _kpi("power.complaint_resolution_on_time", "Complaints resolved on time",
         "POWER-COMPLAINT: share of complaints and requests whose resolution was due in the "
         "period that were resolved by then.",
         _clock_rows(COMPLAINT_POLICIES, "resolved_at", "resolution_due_at", "resolution"),
         reasons=CLOCK_REASONS, target=0.95),
    _kpi("power.complaint_hours", "Mean resolution hours",
         "POWER-COMPLAINT: mean hours from opening to resolution of the complaints and requests "
         "resolved in the period, paused time left out.", _hours_rows, unit="hours",
         higher_is_better=False,
         reasons={"power.kpi.hours": {"en": "case {case}: {hours} h ({opened} to {resolved})",
                                      "zh": "工单 {case}：{hours} 小时（{opened} 至 {resolved}）"}}),
    _kpi("power.complaint_count", "Complaints and requests",
         "POWER-COMPLAINT: complaints and requests opened in the period: shown, never a target "
         "(a target on it is refused).", _count_rows, combine="sum", unit="",
         shown_only=True, shown_reason=COMPLAINT_COUNT_WHY,
         reasons={"power.kpi.complaint": {"en": "case {case} opened {opened}",
                                          "zh": "工单 {case}，{opened} 受理"}}),
    _kpi("power.repeat_complaint_rate", "Repeat complaints",
         "POWER-COMPLAINT: share of the period's complaints and requests from a customer who "
         "complained in the 30 days before.", _repeat_rows, higher_is_better=False,
         reasons={"power.kpi.repeat": {"en": "case {case} opened {opened}: repeat {repeat}",
                                       "zh": "工单 {case}（{opened}）：重复投诉 {repeat}"}}),
    _kpi("power.callback_rate", "Callbacks",
         "POWER-COMPLAINT: share of the cases resolved in the period whose customer was called "
         "back (回访).", _callback_rows,
         reasons={"power.kpi.callback": {"en": "case {case} resolved {resolved}, called back "
                                               "{called}",
                                         "zh": "工单 {case} {resolved} 办结，回访 {called}"}}),
    _kpi("power.escalation_rate", "Cases under 督办",
         "POWER-ROUTE: share of the cases opened in the period that reached 督办 level 2 or "
         "more.", _escalation_rows, higher_is_better=False,
         reasons={"power.kpi.escalated": {"en": "case {case}: level {level}",
                                          "zh": "工单 {case}：督办级别 {level}"}}),
    _kpi("power.duban_on_time", "督办 orders closed on time",
         "POWER-ROUTE: share of the 督办 orders (level 2) issued in the period whose case was "
         "resolved before level 3 (twice the resolution limit); open ones count once level 3 "
         "is reached.", _duban_rows,
         reasons={"power.kpi.duban": {"en": "case {case}: 督办 {at}, resolved {resolved}, level "
                                            "{level}",
                                      "zh": "工单 {case}：{at} 督办，{resolved} 办结，级别 {level}"}}),
    _kpi("power.repair_arrival_on_time", "Repair arrivals on time",
         "POWER-REPAIR: share of repairs whose arrival was due in the period where the crew "
         "arrived by then (45 min urban, 90 min rural, 2 h remote).",
         _clock_rows(REPAIR_POLICIES, "responded_at", "response_due_at", "arrival"),
         reasons=CLOCK_REASONS, target=1.0),
    _kpi("power.restoration_on_time", "Restorations on time",
         "POWER-REPAIR: share of repairs restored in the period within the restoration limit of "
         "the crew's arrival (3 h urban, 4 h rural, 4 h remote).", _restore_rows, target=1.0,
         reasons={"power.kpi.restore": {"en": "case {case} ({policy}): restored {hours} h after "
                                              "arrival (limit {limit} h)",
                                        "zh": "工单 {case}（{policy}）：到达后 {hours} 小时复电（限 {limit} 小时）"}}),
    _kpi("power.fee_recovery", "Fee recovery",
         "Share of the amount billed on bills due in the period that has been paid (paid / "
         "billed).", _recovery_rows, row_kind="interaction", target=0.98,
         reasons={"power.kpi.recovery": {"en": "bill {bill} ({period}): {paid} paid of {amount}",
                                         "zh": "电费 {bill}（{period}）：应收 {amount}，已收 {paid}"}}),
    _kpi("power.arrears", "Arrears outstanding",
         "POWER-REMIND: the amount owed on bills past their due day, at the as-of day.",
         _arrears_rows, combine="sum", unit="money", row_kind="interaction",
         higher_is_better=False,
         reasons={"power.kpi.arrears": {"en": "bill {bill} ({period}) of {amount}: {owed} owed, "
                                              "{days} days past due",
                                        "zh": "电费 {bill}（{period}）{amount}：欠 {owed}，逾期 {days} 天"}}),
    _kpi("power.notice_on_time", "Outage notices on time",
         "POWER-OUTAGE: share of the notice records due in the period that were sent by their "
         "due time (7 days before a planned outage, 24 h before a temporary one).",
         _notice_rows, row_kind="other", target=1.0,
         reasons={"power.kpi.notice": {"en": "outage {outage} by {channel}: due {due}, sent "
                                             "{sent}",
                                       "zh": "停电 {outage}（{channel}）：应于 {due} 前通知，{sent} 发出"}}),
    _kpi("power.commitments_kept", "Commitments kept",
         "Share of the period's commitment checks met (十项承诺): outage notices, repair "
         "arrivals and restorations on time.", _commitment_rows, row_kind="other",
         reasons={**CLOCK_REASONS,
                  "power.kpi.notice": {"en": "outage {outage} by {channel}: due {due}, sent "
                                             "{sent}",
                                       "zh": "停电 {outage}（{channel}）：应于 {due} 前通知，{sent} 发出"},
                  "power.kpi.restore": {"en": "case {case} ({policy}): restored {hours} h after "
                                              "arrival (limit {limit} h)",
                                        "zh": "工单 {case}（{policy}）：到达后 {hours} 小时复电（限 {limit} 小时）"}}),
    _kpi("power.class1_visits", "Class 1 visit compliance",
         "POWER-VISIT: share of class 1 customers visited in the period.", _visit_rows,
         row_kind="customer", requires=("power.class",), target=1.0,
         reasons={"power.kpi.visit": {"en": "class 1 customer: visited in the period {visited}",
                                      "zh": "一类客户：本期已走访 {visited}"}}),
    _kpi("power.patrols_on_time", "Patrols on time",
         "POWER-EQUIP: share of VIP equipment items patrolled within patrol.days (30) of the "
         "as-of day.", _patrol_rows, row_kind="other", target=1.0,
         reasons={"power.kpi.patrol": {"en": "{equipment}: last patrol {last} (every {days} days)",
                                       "zh": "{equipment}：上次巡查 {last}（每 {days} 天）"}}),
    _kpi("power.advice_letters", "Advice letters",
         "POWER-ADVICE: advice letters (优化用电建议书) asked for in the period.", _advice_rows,
         combine="sum", unit="", row_kind="task",
         reasons={"power.kpi.advice": {"en": "advice task {task} ({status})",
                                       "zh": "建议书任务 {task}（{status}）"}}),
    _kpi("power.advice_savings", "Savings from advice",
         "POWER-ADVICE: savings customers reported in the period (interactions 'saving' with "
         "their amount).", _savings_rows, combine="sum", unit="money", row_kind="interaction",
         reasons={"power.kpi.saving": {"en": "saving {interaction}: {amount}",
                                       "zh": "节约 {interaction}：{amount}"}}),
    _kpi("power.archive_completeness", "Archive completeness",
         "Share of customers whose archive (客户档案) has every required field: industry, "
         "voltage, tariff, area, feeder, bill_channel; target 100%.", _archive_rows,
         row_kind="customer", target=1.0,
         reasons={"power.kpi.archive.complete": {"en": "every required field filled",
                                                 "zh": "档案完整"},
                  "power.kpi.archive.missing": {"en": "missing: {fields}",
                                                "zh": "缺少：{fields}"}}),
    _kpi("power.satisfaction", "Satisfaction",
         "Mean satisfaction (1 to 5) of the survey answers in the period.", _satisfaction_rows,
         unit="", row_kind="interaction",
         reasons={"power.kpi.satisfaction": {"en": "answer {interaction}: {score} of 5",
                                             "zh": "回访 {interaction}：{score} 分"}}),
)
