"""The telecom KPIs (003 第5篇 and TEL-STATUS; the rest default, ours).

Each KPI is built from one per-row select (``scope_key, row_id, figure``
and ``weight`` for a share, plus the reason's figures): its value adds the
rows up (Σ figure, or Σ figure ÷ Σ weight) and ``--explain`` lists them, so
the two cannot drift apart. A line's status on a day comes from the core's
account status history (``ctx.account_status_at``), so a past period reads
the statuses it had and a line that came back counts as back.

Per manager, new subscriptions and reactivations are credited by the
customer team's shares to whoever sells (``common.credit``), the owner
keeping the rest; everything else is keyed by the customer's scope key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, and_, case, exists, func, literal, or_, select

from guanxi import Kpi
from guanxi_telecom import common
from guanxi_telecom.common import flag, is_line
from guanxi_telecom.options import (
    ACTIVE,
    DORMANT,
    LINE_STATUSES,
    LOST,
    NONPAYMENT,
    REQUEST,
    STAGE,
)


def _one(condition):
    return case((condition, 1), else_=0)


def _kpi(name, title, description, rows, *, combine="sum", unit="lines", row_kind="account",
         reason, more_reasons=None, empty=None, **extra) -> Kpi:
    """A KPI whose value is made from its rows, ``reason`` the rows' one template."""

    def query(ctx):
        r = rows(ctx).subquery("telecom_kpi_row")
        value = (func.sum(r.c.figure) if combine == "sum"
                 else ctx.ratio(func.sum(r.c.figure), func.sum(r.c.weight)))
        return select(r.c.scope_key, value.label("value")).group_by(r.c.scope_key)

    if empty is None and combine == "sum":
        empty = 0
    return Kpi(name=name, title=title, description=description, query=query, rows=rows,
               combine=combine, unit=unit, row_kind=row_kind, empty=empty,
               reasons={name: reason, **(more_reasons or {})}, **extra)


# -- lines on the as-of day (TEL-STATUS, TEL-EXPIRY, pay programmes) ---------------------


def _lines(ctx):
    """Lines of served customers with their status at the as-of day (from history)."""
    a = ctx.tables.accounts
    status = ctx.account_status_at(a.c.id, ctx.today)
    return (
        select(a.c.id, a.c.customer_id, a.c.type, status.label("status"),
               ctx.attribute(a, "paid_until", "date").label("paid_until"),
               ctx.attribute(a, "pay_programme", "boolean").label("pay_programme"))
        .where(is_line(ctx, a), ctx.served(a.c.customer_id))
        .subquery("telecom_line")
    )


def _status_rows(status):
    def rows(ctx):
        ln = _lines(ctx)
        return select(
            ctx.scope_key(ln.c.customer_id).label("scope_key"), ln.c.id.label("row_id"),
            _one(ln.c.status == status).label("figure"), literal(1).label("weight"),
            ctx.reason(f"telecom.lines_{status}", line=ln.c.id, product=ln.c.type,
                       customer=ln.c.customer_id, status=ln.c.status).label("reason"),
        ).where(ln.c.status.is_not(None))
    return rows


_STATUS_ZH = {ACTIVE: "正常", DORMANT: "休眠", NONPAYMENT: "罚停", REQUEST: "报停", LOST: "流失"}


def _status_kpi(status) -> Kpi:
    return _kpi(
        f"telecom.lines_{status}", f"Lines {status.replace('_', ' ')} ({_STATUS_ZH[status]})",
        f"TEL-STATUS: the share of lines {status} at the period's end (or the as-of day), of all "
        "the lines of the customers the pack serves.",
        _status_rows(status), combine="ratio", unit="share",
        higher_is_better=status == ACTIVE,
        reason={"en": "line {line} ({product}) of {customer}: {status} (1 if "
                      f"{status}) (TEL-STATUS)",
                "zh": "客户 {customer} 的 {line}（{product}）：{status}（TEL-STATUS）"})


def _expiry_lost_rows(ctx):
    # The seed's figure: lines whose paid period ended in the period and are
    # lost, over all lines (192 of 3,608 = 5.3%).
    ln = _lines(ctx)
    lost = and_(ctx.in_period(ln.c.paid_until), ln.c.status == LOST)
    return select(
        ctx.scope_key(ln.c.customer_id).label("scope_key"), ln.c.id.label("row_id"),
        _one(lost).label("figure"), literal(1).label("weight"),
        ctx.reason("telecom.expiry_lost_share", line=ln.c.id, customer=ln.c.customer_id,
                   paid_until=func.coalesce(ctx.day_text(ln.c.paid_until), "-"),
                   status=ln.c.status).label("reason"),
    ).where(ln.c.status.is_not(None))


def _expiry_kept_rows(ctx):
    ln = _lines(ctx)
    return select(
        ctx.scope_key(ln.c.customer_id).label("scope_key"), ln.c.id.label("row_id"),
        _one(ln.c.status != LOST).label("figure"), literal(1).label("weight"),
        ctx.reason("telecom.expiry_kept", line=ln.c.id, customer=ln.c.customer_id,
                   paid_until=ctx.day_text(ln.c.paid_until), status=ln.c.status).label("reason"),
    ).where(ln.c.status.is_not(None), ctx.in_period(ln.c.paid_until))


def _pay_rows(ctx):
    ln = _lines(ctx)
    subscribed = func.coalesce(ln.c.pay_programme, False)
    return select(
        ctx.scope_key(ln.c.customer_id).label("scope_key"), ln.c.id.label("row_id"),
        _one(subscribed).label("figure"), literal(1).label("weight"),
        ctx.reason("telecom.pay_programme_rate", line=ln.c.id, customer=ln.c.customer_id,
                   product=ln.c.type, subscribed=case((subscribed, "yes"), else_="no"),
                   subscribed_zh=case((subscribed, "已订购"), else_="未订购"))
        .label("reason"),
    ).where(ln.c.status == ACTIVE, ln.c.type.in_(ctx.config["pay.products"]))


# -- new subscriptions and reactivations, credited by shares ------------------------------


def _new_subscription_rows(ctx):
    a = ctx.tables.accounts
    join, key, share, manager = common.credit(ctx, a.c.customer_id)
    return join(select(
        key.label("scope_key"), a.c.id.label("row_id"), share.label("figure"),
        ctx.reason("telecom.new_subscriptions", line=a.c.id, product=a.c.type,
                   customer=a.c.customer_id, opened=ctx.day_text(a.c.opened_at),
                   share=share, manager=func.coalesce(manager, "-")).label("reason"),
    )).where(is_line(ctx, a), ctx.in_period(a.c.opened_at), ctx.served(a.c.customer_id),
             share > 0)


def _reactivation_rows(ctx):
    # A line back to active in the period from dormant, 报停, 罚停 or lost: its
    # history's row that day, against the status the day before.
    h, a = ctx.tables.account_status_history, ctx.tables.accounts
    before = ctx.account_status_at(h.c.account_id, ctx.add_days(h.c.started_on, -1))
    join, key, share, manager = common.credit(ctx, a.c.customer_id)
    return join(select(
        key.label("scope_key"), (h.c.account_id + literal("@") + ctx.day_text(h.c.started_on))
        .label("row_id"), share.label("figure"),
        ctx.reason("telecom.reactivations", line=a.c.id, customer=a.c.customer_id,
                   was=before, day=ctx.day_text(h.c.started_on), share=share,
                   manager=func.coalesce(manager, "-")).label("reason"),
    ).select_from(h.join(a, a.c.id == h.c.account_id))).where(
        h.c.status == ACTIVE, ctx.in_period(h.c.started_on), is_line(ctx, a),
        ctx.served(a.c.customer_id), before.in_((DORMANT, REQUEST, NONPAYMENT, LOST)), share > 0)


def _lost_rows(ctx):
    h, a = ctx.tables.account_status_history, ctx.tables.accounts
    before = ctx.account_status_at(h.c.account_id, ctx.add_days(h.c.started_on, -1))
    return select(
        ctx.scope_key(a.c.customer_id).label("scope_key"),
        (h.c.account_id + literal("@") + ctx.day_text(h.c.started_on)).label("row_id"),
        literal(1).label("figure"),
        ctx.reason("telecom.lost_lines", line=a.c.id, customer=a.c.customer_id, was=before,
                   day=ctx.day_text(h.c.started_on)).label("reason"),
    ).select_from(h.join(a, a.c.id == h.c.account_id)).where(
        h.c.status == LOST, ctx.in_period(h.c.started_on), is_line(ctx, a),
        ctx.served(a.c.customer_id), before.is_not(None), before != LOST)


# -- group customers: retention and growth ------------------------------------------------


def _has_line(ctx, customer_id, status, day):
    a = ctx.tables.accounts.alias("telecom_any_line")
    return exists().where(a.c.customer_id == customer_id, is_line(ctx, a),
                          ctx.account_status_at(a.c.id, day) == status)


def _retention_rows(ctx):
    # The original group customers of the period's year: an active line on
    # its first day; retained: an active line at the period's end (or the
    # as-of day), whatever happened between (a line that came back counts).
    c = ctx.tables.customers
    first = dt.date(ctx.period.start.year, 1, 1)
    retained = _has_line(ctx, c.c.id, ACTIVE, ctx.today)
    return select(
        ctx.scope_key(c.c.id).label("scope_key"), c.c.id.label("row_id"),
        _one(retained).label("figure"), literal(1).label("weight"),
        ctx.reason("telecom.retention", customer=c.c.id, name=c.c.name, first=first.isoformat(),
                   kept=case((retained, "kept"), else_="not kept"),
                   kept_zh=case((retained, "保有"), else_="流失")).label("reason"),
    ).where(flag(ctx, c, "group_customer"), ctx.served(c.c.id),
            _has_line(ctx, c.c.id, ACTIVE, literal(first, Date)))


def _new_group_customer_rows(ctx):
    c = ctx.tables.customers
    return select(
        ctx.scope_key(c.c.id).label("scope_key"), c.c.id.label("row_id"),
        literal(1).label("figure"),
        ctx.reason("telecom.new_group_customers", customer=c.c.id, name=c.c.name,
                   created=ctx.day_text(c.c.created_at)).label("reason"),
    ).where(flag(ctx, c, "group_customer"), ctx.in_period(c.c.created_at),
            c.c.status != "prospect")


def _new_group_line_rows(ctx):
    a, c = ctx.tables.accounts, ctx.tables.customers
    return select(
        ctx.scope_key(a.c.customer_id).label("scope_key"), a.c.id.label("row_id"),
        literal(1).label("figure"),
        ctx.reason("telecom.new_group_lines", line=a.c.id, product=a.c.type,
                   customer=a.c.customer_id, opened=ctx.day_text(a.c.opened_at)).label("reason"),
    ).select_from(a.join(c, c.c.id == a.c.customer_id)).where(
        is_line(ctx, a), ctx.in_period(a.c.opened_at), flag(ctx, c, "group_customer"))


# -- sweeps (TEL-SWEEP) ---------------------------------------------------------------


def _registered_rows(ctx):
    c = ctx.tables.customers
    swept = ctx.attribute(c, "swept_on", "date")
    return select(
        ctx.scope_key(c.c.id).label("scope_key"), c.c.id.label("row_id"),
        literal(1).label("figure"),
        ctx.reason("telecom.prospects_registered", customer=c.c.id, name=c.c.name,
                   day=ctx.day_text(swept)).label("reason"),
    ).where(ctx.in_period(swept))


def _converted_rows(ctx):
    # A swept customer whose first line opened in the period, credited to
    # whoever sold by the customer team's shares (customers are a common
    # resource, 公共资源).
    c, a = ctx.tables.customers, ctx.tables.accounts
    first = (select(a.c.customer_id, func.min(a.c.opened_at).label("opened"))
             .where(is_line(ctx, a)).group_by(a.c.customer_id).subquery("telecom_first_line"))
    join, key, share, manager = common.credit(ctx, c.c.id)
    return join(select(
        key.label("scope_key"), c.c.id.label("row_id"), share.label("figure"),
        ctx.reason("telecom.prospects_converted", customer=c.c.id, name=c.c.name,
                   swept=ctx.day_text(ctx.attribute(c, "swept_on", "date")),
                   opened=ctx.day_text(first.c.opened), share=share,
                   manager=func.coalesce(manager, "-")).label("reason"),
    ).select_from(c.join(first, first.c.customer_id == c.c.id))).where(
        ctx.attribute(c, "swept_on", "date").is_not(None), ctx.in_period(first.c.opened),
        share > 0)


# -- key accounts: stages and contacts ------------------------------------------------------


def _stage_rows(only=None):
    def rows(ctx):
        c = ctx.tables.customers
        stage = ctx.label_at(STAGE, c.c.id, ctx.today)
        figure = literal(1) if only is None else _one(stage == only)
        return select(
            ctx.scope_key(c.c.id).label("scope_key"), c.c.id.label("row_id"),
            figure.label("figure"),
            ctx.reason("telecom.interruptions" if only else "telecom.key_accounts",
                       customer=c.c.id, name=c.c.name, stage=stage).label("reason"),
        ).where(flag(ctx, c, "key_account"), ctx.served(c.c.id),
                stage.is_not(None) if only is None else stage == only)
    return rows


def _coverage_rows(ctx):
    c = ctx.tables.customers
    contacts = common.active_contacts(ctx)
    n = func.coalesce(contacts.c.contacts, 0)
    return select(
        ctx.scope_key(c.c.id).label("scope_key"), c.c.id.label("row_id"),
        _one(n >= ctx.config["multi.min_contacts"]).label("figure"), literal(1).label("weight"),
        ctx.reason("telecom.multi_contact_coverage", customer=c.c.id, contacts=n).label("reason"),
    ).select_from(c.outerjoin(contacts, contacts.c.customer_id == c.c.id)).where(
        flag(ctx, c, "key_account"), c.c.status != "prospect", ctx.served(c.c.id))


# -- revenue growth ---------------------------------------------------------------------


def _year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) \
        else dt.date(day.year - 1, 2, 28)


def _growth_rows(ctx):
    # This period's revenue adds itself with weight 0; the same months a year
    # before take themselves away and weigh themselves: Σ figure ÷ Σ weight is
    # (this − last) ÷ last. Only the months this period has figures for so far
    # are compared (a month not closed yet has none). A period with no revenue
    # recorded for the pack's customers has no growth (not −100%): the year
    # before's rows then weigh 0 and say so, so the value is None, explained.
    m = ctx.tables.measurements
    start, end = ctx.period.start, ctx.period.end
    now = and_(m.c.period >= start, m.c.period < end)
    # Both ranges are fixed days, so the index reads just them; the period's
    # last recorded month comes from the same rows (a window), in one pass.
    r = (select(m.c.customer_id, m.c.period, m.c.value, now.label("now"),
                func.max(case((now, m.c.period))).over().label("last_month"))
         .where(m.c.metric == "revenue", ctx.served(m.c.customer_id),
                or_(now, and_(m.c.period >= _year_before(start),
                              m.c.period < _year_before(end))))
         .subquery("telecom_revenue"))
    none_yet = r.c.last_month.is_(None)
    before = r.c.period <= ctx.add_months(r.c.last_month, -12)
    value = r.c.value
    figures = dict(customer=r.c.customer_id, month=ctx.month_text(r.c.period), revenue=value)
    return select(
        ctx.scope_key(r.c.customer_id).label("scope_key"),
        (r.c.customer_id + literal("@") + ctx.day_text(r.c.period)).label("row_id"),
        case((r.c.now, value), (none_yet, 0), else_=-value).label("figure"),
        case((r.c.now, 0), (none_yet, 0), else_=value).label("weight"),
        case((none_yet, ctx.reason("telecom.revenue_growth_none", period=ctx.period.label,
                                   **figures)),
             else_=ctx.reason("telecom.revenue_growth", **figures)).label("reason"),
    ).where(or_(r.c.now, none_yet, before))


KPIS = (
    *(_status_kpi(status) for status in LINE_STATUSES),
    _kpi("telecom.new_subscriptions", "New subscriptions (新发展)",
         "Lines opened in the period, credited by the customer team's shares to whoever sold; "
         "target 20 a manager a month (003 第5篇).", _new_subscription_rows,
         scope_targets={"manager": 20},
         reason={"en": "line {line} ({product}) of {customer} opened {opened}: {share} to "
                       "{manager}",
                 "zh": "客户 {customer} 新装 {line}（{product}）{opened}：计 {share} 户给 {manager}"}),
    _kpi("telecom.reactivations", "Reactivations (回流)",
         "TEL-WINBACK: lines back to active in the period from dormant, 报停, 罚停 or lost (the "
         "core's status history), credited by shares; target 25 a manager a month (003 第5篇).",
         _reactivation_rows, scope_targets={"manager": 25},
         reason={"en": "line {line} of {customer} back to active on {day} (was {was}): {share} to "
                       "{manager}",
                 "zh": "客户 {customer} 的 {line} {day} 回流（原 {was}）：计 {share} 户给 {manager}"}),
    _kpi("telecom.retention", "Retention of original group customers (原集团客户保有率)",
         "Of the group customers with an active line on the first day of the period's year, the "
         "share with an active line at its end; target 90% a territory (003 第5篇).",
         _retention_rows, combine="ratio", unit="share", row_kind="customer", target=0.9,
         scope_targets={"territory": 0.9},
         reason={"en": "{customer} {name}: active on {first}, {kept}",
                 "zh": "{customer} {name}：{first} 在网，{kept_zh}"}),
    _kpi("telecom.pay_programme_rate", "Pay-programme rate (付费节目订购率)",
         "Of the active lines of the pay products (tv), the share subscribing to a pay programme; "
         "target 60% a territory (003 第5篇).", _pay_rows, combine="ratio", unit="share",
         target=0.6, scope_targets={"territory": 0.6},
         reason={"en": "line {line} ({product}) of {customer}: pay programme {subscribed}",
                 "zh": "客户 {customer} 的 {line}（{product}）：付费节目{subscribed_zh}"}),
    _kpi("telecom.new_group_customers", "New group customers", "Group customers created in the "
         "period.", _new_group_customer_rows, unit="customers", row_kind="customer",
         reason={"en": "{customer} {name} created {created}",
                 "zh": "{customer} {name} {created} 建档"}),
    _kpi("telecom.new_group_lines", "New group-customer lines", "Lines opened in the period at "
         "group customers.", _new_group_line_rows,
         reason={"en": "line {line} ({product}) of {customer} opened {opened}",
                 "zh": "客户 {customer} 新装 {line}（{product}）{opened}"}),
    _kpi("telecom.prospects_registered", "Prospects registered (摸排建档)",
         "TEL-SWEEP: customers a territory sweep registered in the period.", _registered_rows,
         unit="customers", row_kind="customer",
         reason={"en": "{customer} {name} registered {day}", "zh": "{customer} {name} {day} 摸排建档"}),
    _kpi("telecom.prospects_converted", "Prospects converted",
         "TEL-SWEEP: swept customers whose first line opened in the period, credited by shares.",
         _converted_rows, unit="customers", row_kind="customer",
         reason={"en": "{customer} {name} swept {swept}, first line {opened}: {share} to {manager}",
                 "zh": "{customer} {name} {swept} 摸排，{opened} 首次装机：计 {share} 给 {manager}"}),
    _kpi("telecom.expiry_kept", "Paid periods ended: lines kept (到费保有)",
         "TEL-EXPIRY: of the lines whose paid period ended in the period, the share not lost.",
         _expiry_kept_rows, combine="ratio", unit="share",
         reason={"en": "line {line} of {customer} paid until {paid_until}: {status}",
                 "zh": "客户 {customer} 的 {line} {paid_until} 到费：{status}"}),
    _kpi("telecom.expiry_lost_share", "Lines lost at the end of their paid period",
         "TEL-EXPIRY: lines whose paid period ended in the period and are lost, as a share of "
         "all lines (the seed: 192 of 3,608 = 5.3%).", _expiry_lost_rows, combine="ratio",
         unit="share", higher_is_better=False,
         reason={"en": "line {line} of {customer}, paid until {paid_until}: {status}",
                 "zh": "客户 {customer} 的 {line}，到费 {paid_until}：{status}"}),
    _kpi("telecom.lost_lines", "Lines lost (流失)", "Lines that became lost in the period (the "
         "core's status history).", _lost_rows, higher_is_better=False,
         reason={"en": "line {line} of {customer} lost on {day} (was {was})",
                 "zh": "客户 {customer} 的 {line} {day} 流失（原 {was}）"}),
    _kpi("telecom.interruptions", "Key accounts in interruption (间断)",
         "TEL-STAGE: key accounts whose stage is interruption at the period's end.",
         _stage_rows("interruption"), unit="customers", row_kind="customer",
         higher_is_better=False, requires=(STAGE,),
         reason={"en": "{customer} {name}: {stage}", "zh": "{customer} {name}：{stage}"}),
    _kpi("telecom.key_accounts", "Key accounts by stage",
         "TEL-STAGE: key accounts with a stage at the period's end; by segment:telecom.stage it "
         "is the stage distribution.", _stage_rows(), unit="customers", row_kind="customer",
         requires=(STAGE,),
         reason={"en": "{customer} {name}: {stage}", "zh": "{customer} {name}：{stage}"}),
    _kpi("telecom.multi_contact_coverage", "Multi-contact coverage",
         "TEL-MULTI: the share of key accounts with at least 2 active contacts.", _coverage_rows,
         combine="ratio", unit="share", row_kind="customer",
         reason={"en": "{customer}: {contacts} active contact(s)",
                 "zh": "{customer}：{contacts} 名在任联系人"}),
    _kpi("telecom.revenue_growth", "Revenue growth", "Revenue of the period against the same "
         "period a year before, (this − last) ÷ last (the core's core.revenue gives the "
         "revenue); no value for a period with no revenue recorded yet.", _growth_rows,
         combine="ratio", unit="share", row_kind="measurement",
         reason={"en": "{customer} {month}: revenue {revenue}",
                 "zh": "{customer} {month}：收入 {revenue}"},
         more_reasons={"telecom.revenue_growth_none": {
             "en": "no revenue recorded for {period}: no growth against {customer} {month} "
                   "(revenue {revenue})",
             "zh": "{period} 尚无收入记录：不与 {customer} {month}（收入 {revenue}）比较"}}),
)
