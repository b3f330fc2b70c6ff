"""The selects of the banking service rules: who gets a task today, with the figures
of its reason.

Each section states its rule; :mod:`guanxi_banking.rules` declares them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, exists, func, literal, or_, select, union_all

from guanxi_banking.blocks import (
    bp,
    cents,
    customer_month,
    reference_month,
    round_div,
    valued,
    yuan,
)


def _since(ctx, days: int):
    """Midnight of the first of the last ``days`` days up to the as-of day."""
    return ctx.at(ctx.as_of - dt.timedelta(days=days - 1))


def _aum_change(ctx, months: int, name: str):
    """(customer_id, then, now, since, until): month-end AUM ``months`` apart, in cents.

    ``until`` is the last closed month (the one before while the last is
    not loaded); a customer with a balance then and no row now has 0 now.
    """
    ref = reference_month(ctx, "aum")
    before = ctx.add_months(ref, -months)
    now = customer_month(ctx, "aum", ref, f"{name}_now")
    then = customer_month(ctx, "aum", before, f"{name}_then")
    return (
        select(then.c.customer_id, then.c.cents.label("then"),
               func.coalesce(now.c.cents, 0).label("now"),
               ctx.month_text(before).label("since"), ctx.month_text(ref).label("until"))
        .select_from(then.outerjoin(now, now.c.customer_id == then.c.customer_id))
        .where(then.c.cents > 0)
        .subquery(name)
    )


# -- BANK-CHURN --------------------------------------------------------------------------
# rule BANK-CHURN (《用CRM的思想定制客户经理作业平台》§3.2 客户流失具有征兆): for ABC A/B or tier affluent and
# above: AUM down >= 30% over three month-ends (90 days), or transfers out >=
# 50% of the balance within 30 days, or no transaction in 90 days -> a
# high-priority retention call within 3 days, and onto the watch list.


def churn_query(ctx):
    cfg = ctx.config
    i, c = ctx.tables.interactions, ctx.tables.customers
    # A customer affluent by AUM before the fall or the transfers counts as
    # valued even when today's labels no longer say so (the money has gone).
    affluent = int(round(float(cfg["tier.affluent"]) * 100))
    rows = []

    # 1. AUM down by churn.aum_drop or more (whole cents and basis points).
    change = _aum_change(ctx, cfg["churn.months"], "churn_aum")
    fall = change.c.then - change.c.now
    rows.append(
        select(change.c.customer_id, literal(1).label("trigger"),
               (change.c.then >= affluent).label("was_valued"),
               ctx.reason("banking.churn.aum", pct=round_div(fall * 100, change.c.then),
                          old=yuan(change.c.then), new=yuan(change.c.now),
                          since=change.c.since, until=change.c.until,
                          days=cfg["churn.months"] * 30).label("reason"),
               (literal("aum:") + change.c.until).label("dedupe_key"))
        .where(fall * 10_000 >= change.c.then * bp(cfg["churn.aum_drop"]))
    )

    # 2. Transfers out of churn.transfer_share of the balance or more within
    # churn.transfer_days; the balance is the last month-end before the window.
    days = cfg["churn.transfer_days"]
    first_day = ctx.as_of - dt.timedelta(days=days - 1)
    base_month = reference_month(ctx, "aum", before=dt.date(first_day.year, first_day.month, 1))
    balance = customer_month(ctx, "aum", base_month, "churn_balance")
    direction = ctx.attribute(i, "direction", "text")
    out = (
        select(i.c.customer_id,
               cents(func.sum(i.c.amount)).label("cents"),
               func.max(ctx.date_of(i.c.occurred_at)).label("last_day"))
        .where(i.c.kind == "transaction", direction == "out", i.c.amount > 0,
               i.c.occurred_at >= ctx.at(first_day), i.c.occurred_at < ctx.at(ctx.as_of, 1))
        .group_by(i.c.customer_id)
        .subquery("churn_out")
    )
    out_cents = out.c.cents
    rows.append(
        select(out.c.customer_id, literal(2).label("trigger"),
               (balance.c.cents >= affluent).label("was_valued"),
               ctx.reason("banking.churn.transfers", out=yuan(out_cents), days=days,
                          pct=round_div(out_cents * 100, balance.c.cents),
                          balance=yuan(balance.c.cents),
                          month=ctx.month_text(base_month)).label("reason"),
               (literal("transfers:") + ctx.day_text(out.c.last_day)).label("dedupe_key"))
        .join(balance, balance.c.customer_id == out.c.customer_id)
        .where(balance.c.cents > 0,
               out_cents * 10_000 >= balance.c.cents * bp(cfg["churn.transfer_share"]))
    )

    # 3. No transaction in churn.idle_days (a customer older than that); what
    # counts as a transaction is churn.transaction_kinds (a purchase log's
    # orders are transactions too).
    idle = cfg["churn.idle_days"]
    if idle > 0:
        # One grouped pass over the transactions, not a lookup per customer.
        latest = (
            select(i.c.customer_id, func.max(ctx.date_of(i.c.occurred_at)).label("last"))
            .where(i.c.kind.in_(cfg["churn.transaction_kinds"]),
                   i.c.occurred_at < ctx.at(ctx.as_of, 1))
            .group_by(i.c.customer_id)
            .subquery("churn_last_transaction")
        )
        last = latest.c.last
        old_enough = or_(c.c.created_at.is_(None),
                         c.c.created_at <= literal(ctx.as_of - dt.timedelta(days=idle)))
        rows.append(
            select(c.c.id.label("customer_id"), literal(3).label("trigger"),
                   literal(False).label("was_valued"),
                   case((last.is_(None), ctx.reason("banking.churn.never", days=idle)),
                        else_=ctx.reason("banking.churn.idle", days=ctx.days_between(last),
                                         last=last)).label("reason"),
                   (literal("idle:") + func.coalesce(ctx.day_text(last), "never"))
                   .label("dedupe_key"))
            .select_from(c.outerjoin(latest, latest.c.customer_id == c.c.id))
            .where(c.c.status != "lost",
                   or_(and_(last.is_(None), old_enough), ctx.days_between(last) >= idle))
        )

    found = union_all(*rows).subquery("churn_found")
    first = (
        select(found,
               func.row_number().over(partition_by=found.c.customer_id,
                                      order_by=found.c.trigger).label("n"))
        .subquery("churn_first")
    )
    return (
        select(first.c.customer_id, ctx.due(cfg["churn.due_days"]).label("due_at"),
               literal(1).label("priority"), first.c.reason, literal("call").label("kind"),
               first.c.dedupe_key)
        .where(first.c.n == 1,
               or_(first.c.was_valued.is_(True), valued(ctx, first.c.customer_id)),
               ctx.never_tasked("banking.churn", first.c.dedupe_key,
                                customer_id=first.c.customer_id))
    )


# -- BANK-HANDOVER -----------------------------------------------------------------------
# rule BANK-HANDOVER (《用CRM的思想定制客户经理作业平台》§3.2: customers leave with their manager): every ABC
# A/B or affluent-and-above customer handed to a new manager gets a retention
# visit by the new manager within 7 days; one whose manager left and who was
# not handed on gets a task for the leaver's reports_to: assign and visit.


def handover_query(ctx):
    cfg = ctx.config
    o, m, i, c = (ctx.tables.ownership, ctx.tables.managers, ctx.tables.interactions,
                  ctx.tables.customers)
    lookback = literal(ctx.as_of - dt.timedelta(days=cfg["handover.lookback_days"]))
    due_days = cfg["handover.due_days"]
    prev = o.alias("previous_owner")
    previous = (
        select(prev.c.manager_id)
        .where(prev.c.customer_id == o.c.customer_id, prev.c.id != o.c.id,
               prev.c.ended_at.is_not(None), prev.c.ended_at <= o.c.started_at,
               prev.c.manager_id.is_not(None))
        .order_by(prev.c.ended_at.desc(), prev.c.id.desc())
        .limit(1)
        .correlate(o)
        .scalar_subquery()
    )
    names = m.alias("manager_names")

    def name_of(manager_id):
        return (select(names.c.name).where(names.c.id == manager_id)
                .correlate_except(names).scalar_subquery())

    # A retention visit by the new manager (SECTORS BANK-HANDOVER): a call,
    # or the old manager's visit, does not clear it.
    visited = exists().where(
        i.c.customer_id == o.c.customer_id, i.c.kind == "visit",
        i.c.manager_id == o.c.manager_id,
        i.c.occurred_at >= ctx.day_at(o.c.started_at), i.c.occurred_at < ctx.at(ctx.as_of, 1),
    )
    handed = (
        select(o.c.customer_id,
               ctx.day_at(ctx.add_days(o.c.started_at, due_days)).label("due_at"),
               o.c.manager_id.label("manager_id"),
               literal("visit").label("kind"),
               ctx.reason("banking.handover.visit", from_id=previous,
                          from_name=name_of(previous), to_id=o.c.manager_id,
                          to_name=name_of(o.c.manager_id), on=o.c.started_at,
                          days=due_days).label("reason"),
               (literal("handover:") + ctx.day_text(o.c.started_at) + literal(":")
                + func.coalesce(previous, "")).label("dedupe_key"))
        .where(o.c.ended_at.is_(None), o.c.manager_id.is_not(None),
               o.c.started_at <= ctx.today, o.c.started_at >= lookback,
               previous.is_not(None), previous != o.c.manager_id, ~visited)
    )
    # The owner left and nobody was handed the customer yet.
    gone = or_(m.c.active.is_(False), m.c.left_at <= ctx.today)
    left_on = func.coalesce(m.c.left_at, ctx.today)
    orphaned = (
        select(c.c.id.label("customer_id"),
               ctx.day_at(ctx.add_days(left_on, due_days)).label("due_at"),
               m.c.reports_to.label("manager_id"),
               literal("handover").label("kind"),
               case((m.c.left_at.is_(None),
                     ctx.reason("banking.handover.inactive", from_id=m.c.id, from_name=m.c.name,
                                days=due_days)),
                    else_=ctx.reason("banking.handover.left", from_id=m.c.id,
                                     from_name=m.c.name, on=m.c.left_at,
                                     days=due_days)).label("reason"),
               (literal("left:") + m.c.id).label("dedupe_key"))
        .join(m, m.c.id == c.c.manager_id)
        .where(gone, or_(m.c.left_at.is_(None), m.c.left_at >= lookback),
               c.c.status != "lost")
    )
    found = union_all(handed, orphaned).subquery("handover_found")
    return (
        select(found.c.customer_id, found.c.due_at, literal(1).label("priority"),
               found.c.reason, found.c.manager_id, found.c.kind, found.c.dedupe_key)
        .where(valued(ctx, found.c.customer_id),
               ctx.never_tasked("banking.handover", found.c.dedupe_key,
                                customer_id=found.c.customer_id))
    )


# -- BANK-FEEDBACK -----------------------------------------------------------------------
# rule BANK-FEEDBACK (《银行客户关系管理实施方案》§一(三)2(4): 及时电话或跟踪回访): every opinion or
# suggestion gets a follow-up call or visit within 7 days; the weekly team
# summary is a tracked report (guanxi banking reports, the team KPIs).


def feedback_query(ctx):
    cfg = ctx.config
    i = ctx.tables.interactions
    follow = i.alias("follow_up")
    due_days = cfg["feedback.due_days"]
    # The last visit or call of each customer, in one grouped pass.
    contact = (
        select(follow.c.customer_id, func.max(follow.c.occurred_at).label("last"))
        .where(follow.c.kind.in_(("visit", "call")), follow.c.occurred_at < ctx.at(ctx.as_of, 1))
        .group_by(follow.c.customer_id)
        .subquery("feedback_last_contact")
    )
    followed = and_(contact.c.last.is_not(None), contact.c.last > i.c.occurred_at)
    due = ctx.add_days(ctx.date_of(i.c.occurred_at), due_days)
    key = literal("feedback:") + i.c.id
    return (
        select(i.c.customer_id, ctx.day_at(due).label("due_at"), literal(2).label("priority"),
               ctx.reason("banking.feedback", on=ctx.date_of(i.c.occurred_at),
                          channel=func.coalesce(i.c.channel, "-"), due=ctx.day_text(due),
                          days=due_days).label("reason"),
               literal("call").label("kind"), key.label("dedupe_key"))
        .select_from(i.outerjoin(contact, contact.c.customer_id == i.c.customer_id))
        .where(i.c.kind == "feedback",
               i.c.occurred_at >= _since(ctx, cfg["feedback.lookback_days"]),
               i.c.occurred_at < ctx.at(ctx.as_of, 1), ~followed,
               ctx.never_tasked("banking.feedback", key,
                                customer_id=i.c.customer_id))
    )


# -- BANK-UPGRADE ------------------------------------------------------------------------
# rule BANK-UPGRADE (《银行客户关系管理实施方案》§一(三)2(3) 客户升级纪录): a first account (an
# undated account counts as opened long ago), or AUM up or
# down 30% over three month-ends -> the manager notes it in the callback
# record and reviews the relationship level at once. Every level, tier and
# ABC change is kept in segment history by the engine.


def upgrade_query(ctx):
    cfg = ctx.config
    a = ctx.tables.accounts
    # An account without an opening date was opened long ago (before the
    # records): beside one, no account is the customer's first.
    first = (
        select(a.c.customer_id, func.min(a.c.opened_at).label("opened"),
               func.count().label("accounts"), func.count(a.c.opened_at).label("dated"))
        .where(or_(a.c.opened_at.is_(None), a.c.opened_at <= ctx.today))
        .group_by(a.c.customer_id)
        .subquery("upgrade_first")
    )
    first_type = (
        select(func.min(a.c.type))
        .where(a.c.customer_id == first.c.customer_id, a.c.opened_at == first.c.opened)
        .correlate(first).scalar_subquery()
    )
    first_level = func.coalesce(ctx.label("banking.relationship", first.c.customer_id), "-")
    opened = (
        select(first.c.customer_id,
               ctx.reason("banking.upgrade.first", on=first.c.opened, type=first_type,
                          level=first_level).label("reason"),
               (literal("first:") + ctx.day_text(first.c.opened)).label("dedupe_key"))
        .where(first.c.dated == first.c.accounts,
               first.c.opened > literal(ctx.as_of - dt.timedelta(days=cfg["upgrade.new_days"])))
    )
    months = cfg["upgrade.months"]
    change = _aum_change(ctx, months, "upgrade_aum")
    diff = change.c.now - change.c.then
    size = case((diff < 0, -diff), else_=diff)
    change_level = func.coalesce(ctx.label("banking.relationship", change.c.customer_id), "-")
    figures = dict(pct=round_div(size * 100, change.c.then), old=yuan(change.c.then),
                   new=yuan(change.c.now), months=months, since=change.c.since,
                   until=change.c.until, level=change_level)
    moved = (
        select(change.c.customer_id,
               case((diff < 0, ctx.reason("banking.upgrade.down", **figures)),
                    else_=ctx.reason("banking.upgrade.up", **figures)).label("reason"),
               (literal("aum:") + change.c.until).label("dedupe_key"))
        .where(size * 10_000 >= change.c.then * bp(cfg["upgrade.change"]))
    )
    found = union_all(opened, moved).subquery("upgrade_found")
    return (
        select(found.c.customer_id, ctx.due(cfg["upgrade.due_days"]).label("due_at"),
               literal(2).label("priority"), found.c.reason, literal("review").label("kind"),
               found.c.dedupe_key)
        .where(ctx.never_tasked("banking.upgrade", found.c.dedupe_key,
                                customer_id=found.c.customer_id))
    )


# -- BANK-SPOTCHECK ----------------------------------------------------------------------
# rule BANK-SPOTCHECK (《银行客户关系管理实施方案》§二(二) 回访制度): the leaders on the day's rota
# (每日轮岗) each call back a sample of 5 customers visited in the past week,
# by phone one week and on site the next, to check the visits are real;
# the outcome is a `spotcheck` interaction: confirmed, not_confirmed or problem
# (options.SPOTCHECK_OUTCOMES). The sample takes each visiting manager's
# latest visit in turn, so it spreads over the managers; customers checked
# this week are left out.


def spotcheck_query(ctx):
    cfg = ctx.config
    i, m = ctx.tables.interactions, ctx.tables.managers
    rota = ctx.tables.rota_days
    sample = cfg["spotcheck.sample"]
    week = ctx.as_of.isocalendar()[1]
    phone = (week % 2 == 1) == (cfg["spotcheck.phone_weeks"] == "odd")
    on_duty = (
        select(rota.c.manager_id,
               func.row_number().over(order_by=rota.c.manager_id).label("k"))
        .where(rota.c.rota == cfg["spotcheck.rota"], rota.c.day == ctx.today)
        .subquery("spotcheck_duty")
    )
    since = _since(ctx, cfg["spotcheck.visit_days"])
    checked = i.alias("checked")
    duty = select(rota.c.manager_id).where(rota.c.rota == cfg["spotcheck.rota"],
                                           rota.c.day == ctx.today)
    latest = (
        select(i.c.id, i.c.customer_id, i.c.manager_id, i.c.occurred_at,
               func.row_number().over(partition_by=i.c.customer_id,
                                      order_by=(i.c.occurred_at.desc(), i.c.id.desc()))
               .label("latest"))
        .where(i.c.kind == "visit", i.c.manager_id.is_not(None),
               i.c.occurred_at >= since, i.c.occurred_at < ctx.at(ctx.as_of, 1),
               i.c.manager_id.not_in(duty),
               # The kind as an expression (the same rows): the customer's index
               # answers, not the kind's, which SQLite read whole for each visit.
               ~exists().where(checked.c.customer_id == i.c.customer_id,
                               checked.c.kind + literal("") == "spotcheck",
                               checked.c.occurred_at >= since,
                               checked.c.occurred_at < ctx.at(ctx.as_of, 1)))
        .subquery("spotcheck_visits")
    )
    turns = (
        select(latest,
               func.row_number().over(partition_by=latest.c.manager_id,
                                      order_by=(latest.c.occurred_at.desc(),
                                                latest.c.customer_id)).label("turn"))
        .where(latest.c.latest == 1)
        .subquery("spotcheck_turns")
    )
    numbered = (
        select(turns, func.row_number().over(order_by=(turns.c.turn, turns.c.manager_id))
               .label("place"))
        .subquery("spotcheck_numbered")
    )
    visitor = m.alias("visitor")
    visitor_name = (select(visitor.c.name).where(visitor.c.id == numbered.c.manager_id)
                    .correlate_except(visitor).scalar_subquery())
    key = literal("spotcheck:") + numbered.c.id
    return (
        select(numbered.c.customer_id, ctx.due(1).label("due_at"), literal(2).label("priority"),
               ctx.reason("banking.spotcheck.phone" if phone else "banking.spotcheck.site",
                          visitor=visitor_name, visitor_id=numbered.c.manager_id,
                          on=ctx.date_of(numbered.c.occurred_at)).label("reason"),
               on_duty.c.manager_id.label("manager_id"),
               literal("call" if phone else "visit").label("kind"), key.label("dedupe_key"))
        .join(on_duty, and_(numbered.c.place > (on_duty.c.k - 1) * sample,
                            numbered.c.place <= on_duty.c.k * sample))
        .where(ctx.never_tasked("banking.spotcheck", key,
                                customer_id=numbered.c.customer_id))
    )
