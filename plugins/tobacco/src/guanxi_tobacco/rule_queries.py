"""The selects of the tobacco service rules: who gets a task today, with the figures
of its reason.

Each section states its rule; :mod:`guanxi_tobacco.rules` declares them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, and_, case, cast, exists, func, literal, or_, select

from guanxi_tobacco import service
from guanxi_tobacco.options import CHECKLIST, REGIONAL_MANAGER, SPECIAL_VISIT, SURVEY, VISIT
from guanxi_tobacco.report_numbers import sharp_drop
from guanxi_tobacco.segments import date_field, left_network, licence_expired
from guanxi_tobacco.service import DOWNGRADE_STEP, PRICE_POLICY, UNLICENSED_POLICY


# -- TOB-SPECIAL ----------------------------------------------------------------------
# rule TOB-SPECIAL (§4.1.2: 应立即…进行特殊访问): a special situation asks for a
# special visit (《特殊访问记录》, kind special_visit) due within
# special.due_working_days working days; a special visit on or after the
# situation answers it.


def _answered(ctx, customer_id, since):
    i = ctx.tables.interactions.alias("answer")
    # The kind as an expression (the same rows): the retailer's index answers;
    # by the kind's, SQLite read every special visit since for each row.
    return exists().where(i.c.customer_id == customer_id, i.c.kind + literal("") == SPECIAL_VISIT,
                          i.c.occurred_at >= since)


def special_query(ctx):
    cfg = ctx.config
    i = ctx.tables.interactions
    due_day = ctx.add_working_days(ctx.date_of(i.c.occurred_at), cfg["special.due_working_days"])
    return (
        select(
            i.c.customer_id,
            ctx.day_at(due_day).label("due_at"),
            literal(1).label("priority"),
            ctx.reason("tobacco.special", what=i.c.kind, day=ctx.day_text(i.c.occurred_at),
                       due=ctx.day_text(due_day)).label("reason"),
            literal(SPECIAL_VISIT).label("kind"),
            (literal("special:") + i.c.id).label("dedupe_key"),
        )
        .where(i.c.kind.in_(cfg["special.triggers"]),
               i.c.occurred_at >= ctx.at(ctx.as_of, -cfg["special.lookback_days"]),
               i.c.occurred_at < ctx.at(ctx.as_of, 1),
               ~_answered(ctx, i.c.customer_id, i.c.occurred_at))
    )


def sales_drop_query(ctx):
    # The last closed month against the average of the three before it, by the
    # same test as the monthly report's (whole cartons and basis points).
    cfg = ctx.config
    m = ctx.tables.measurements
    (before_first, last_first) = ctx.months_back(4), ctx.months_back(1)
    end = ctx.trailing_months(1)[1]
    last = func.sum(case((m.c.period >= last_first, m.c.value), else_=0))
    before = func.sum(case((m.c.period < last_first, m.c.value), else_=0))
    month = last_first.strftime("%Y-%m")
    monthly = (
        select(m.c.customer_id, cast(last, Integer).label("last"),
               cast(before, Integer).label("before"))
        .where(m.c.metric == "cartons", m.c.period >= before_first, m.c.period < end)
        .group_by(m.c.customer_id)
        .subquery("tobacco_drop")
    )
    d = monthly.c
    # Found when the month's orders are in: due from the as-of day, answered
    # by a special visit since the month closed.
    month_end = literal(dt.datetime.combine(end, dt.time()))
    due_day = ctx.add_working_days(ctx.today, cfg["special.due_working_days"])
    return (
        select(
            d.customer_id,
            ctx.day_at(due_day).label("due_at"),
            literal(1).label("priority"),
            ctx.reason("tobacco.sales_drop", month=month, last=d.last, average=d.before // 3,
                       share=(literal(100) - d.last * 300 // d.before),
                       due=ctx.day_text(due_day)).label("reason"),
            literal(SPECIAL_VISIT).label("kind"),
            literal(f"special:drop:{month}").label("dedupe_key"),
        )
        .where(sharp_drop(d.last, d.before, cfg["special.sales_drop"]),
               ~_answered(ctx, d.customer_id, month_end))
    )


# -- TOB-CHECKLIST --------------------------------------------------------------------
# rule TOB-CHECKLIST (§4.1.3-4): a visit without every item of the checklist,
# signed by manager and retailer, is incomplete: the manager completes the record.


def _missing(ctx, i, language: int):
    """The missing items' names, joined by '; ' (English or Chinese)."""
    text = literal("")
    for name, _, zh in CHECKLIST:
        ticked = ctx.attribute(i, name, "boolean")
        label = (name.replace("_", " "), zh)[language]
        text = text + case((ticked, literal("")), else_=literal(label + "; "))
    return func.rtrim(text, "; ")


def checklist_query(ctx):
    cfg = ctx.config
    i = ctx.tables.interactions
    missing = sum((case((ctx.attribute(i, name, "boolean"), 0), else_=1)
                   for name, _, _ in CHECKLIST), literal(0))
    return (
        select(
            i.c.customer_id,
            ctx.due(cfg["checklist.due_days"]).label("due_at"),
            literal(2).label("priority"),
            ctx.reason("tobacco.checklist", day=ctx.day_text(i.c.occurred_at), missing=missing,
                       items=len(CHECKLIST), what=_missing(ctx, i, 0),
                       what_zh=_missing(ctx, i, 1)).label("reason"),
            i.c.manager_id.label("manager_id"),
            literal("record").label("kind"),
            (literal("checklist:") + i.c.id).label("dedupe_key"),
        )
        .where(i.c.kind == VISIT,
               i.c.occurred_at >= ctx.at(ctx.as_of, -cfg["checklist.lookback_days"]),
               i.c.occurred_at < ctx.at(ctx.as_of, 1), missing > 0)
    )


# -- TOB-PRICE ------------------------------------------------------------------------
# rule TOB-PRICE (§4.1.3f): the downgrade waits for the regional market
# manager's approval: a task for them, due when the step is. Approving the
# step closes it (its key names the case's step).


def downgrade_query(ctx):
    c = ctx.tables.cases
    approver = func.coalesce(ctx.role_person(REGIONAL_MANAGER, c.c.owner_id), c.c.owner_id)
    key = (literal("case:") + cast(c.c.id, String) + literal(f":step:{DOWNGRADE_STEP}:request"))
    return (
        select(
            c.c.customer_id,
            func.coalesce(c.c.step_due_at, ctx.due(1, 0)).label("due_at"),
            # The step's clock is a time; without one, due tomorrow is a day.
            c.c.step_due_at.is_(None).label("all_day"),
            literal(1).label("priority"),
            ctx.reason("tobacco.downgrade", case=cast(c.c.id, String), owner=c.c.owner_id,
                       day=ctx.day_text(c.c.opened_at)).label("reason"),
            approver.label("manager_id"),
            literal("approval").label("kind"),
            key.label("dedupe_key"),
        )
        .where(c.c.policy == PRICE_POLICY, c.c.state.in_(("open", "paused")), c.c.step == 0)
    )


# -- TOB-QUALITY, TOB-PROMO, TOB-UNLICENSED: who must act next ---------------------------
# A step that belongs to the regional market manager or the brand manager is
# on their list as soon as the case reaches it, not only once it is late:
# one task per pass through the step, closed by the step (its key names it).
# TOB-UNLICENSED's hand-over to the monopoly department is due the same
# working day the report came in (立即), the others when their step is.


def _waiting_steps(cfg):
    """(policy, step index, step) of the pack's cases that wait for another role."""
    for policy in service.policies(cfg):
        if policy.name == PRICE_POLICY:   # its own rule, tobacco.downgrade_approval
            continue
        for index, step in enumerate(policy.steps):
            if step.role != "owner":
                yield policy, index, step


def step_request_query(ctx):
    c = ctx.tables.cases
    waiting = list(_waiting_steps(ctx.config))
    at = [and_(c.c.policy == policy.name, c.c.step == index) for policy, index, _ in waiting]
    name = case(*((w, literal(step.name)) for w, (_, _, step) in zip(at, waiting)))
    what = case(*((w, literal(step.description)) for w, (_, _, step) in zip(at, waiting)))
    person = case(*((w, ctx.role_person(step.role, c.c.owner_id)) for w, (_, _, step)
                    in zip(at, waiting)))
    # TOB-UNLICENSED: due the day it came in (a day: on time until it ends);
    # a step with a clock: its time; without one: tomorrow, a day.
    unlicensed = and_(c.c.policy == UNLICENSED_POLICY, c.c.step == 0)
    same_day = ctx.day_at(ctx.next_working_day(ctx.date_of(c.c.opened_at)), 0)
    due = case((unlicensed, same_day), else_=func.coalesce(c.c.step_due_at, ctx.due(1, 0)))
    all_day = or_(unlicensed, c.c.step_due_at.is_(None))
    key = literal("case:") + cast(c.c.id, String) + literal(":step:") + name + \
        literal(":request")
    return (
        select(
            c.c.customer_id,
            due.label("due_at"),
            all_day.label("all_day"),
            literal(1).label("priority"),
            ctx.reason("tobacco.step", case=cast(c.c.id, String), policy=c.c.policy,
                       step=name, what=what, owner=c.c.owner_id).label("reason"),
            func.coalesce(person, c.c.owner_id).label("manager_id"),
            literal("approval").label("kind"),
            key.label("dedupe_key"),
        )
        .where(c.c.state.in_(("open", "paused")), or_(*at))
    )


# -- TOB-NETWORK ----------------------------------------------------------------------
# rule TOB-NETWORK (§4.3): a licence expiring within network.renewal_days days
# (inclusive, today counts) gets a renewal reminder; an expired one, the exit
# (退网); a retailer who entered the network recently and has had no visit, a
# first visit.


def renewal_query(ctx):
    cfg = ctx.config
    c = ctx.tables.customers
    expires = date_field(ctx, c, "licence_expires")
    days = ctx.days_between(ctx.today, expires)
    return (
        select(
            c.c.id.label("customer_id"),
            ctx.due(cfg["network.due_days"]).label("due_at"),
            literal(2).label("priority"),
            ctx.reason("tobacco.renewal", licence=func.coalesce(
                ctx.attribute(c, "licence_no"), literal("-")), expires=ctx.day_text(expires),
                days=days).label("reason"),
            (literal("renewal:") + ctx.day_text(expires)).label("dedupe_key"),
        )
        .where(~left_network(ctx, c), expires.is_not(None), days >= 0,
               days <= cfg["network.renewal_days"])
    )


def exit_query(ctx):
    cfg = ctx.config
    c = ctx.tables.customers
    expires = date_field(ctx, c, "licence_expires")
    return (
        select(
            c.c.id.label("customer_id"),
            ctx.due(cfg["network.due_days"]).label("due_at"),
            literal(2).label("priority"),
            ctx.reason("tobacco.exit", licence=func.coalesce(
                ctx.attribute(c, "licence_no"), literal("-")),
                expires=ctx.day_text(expires)).label("reason"),
            (literal("exit:") + ctx.day_text(expires)).label("dedupe_key"),
        )
        .where(~left_network(ctx, c), licence_expired(ctx, c))
    )


def entry_query(ctx):
    cfg = ctx.config
    c, i = ctx.tables.customers, ctx.tables.interactions
    entered = date_field(ctx, c, "entered_on")
    days = ctx.days_between(entered)
    # The kind as an expression (the same rows): the lookup goes by the
    # retailer's index; by the kind's, SQLite read every visit for each
    # retailer (98 s at 100,000 customers).
    visited = exists().where(i.c.customer_id == c.c.id, i.c.kind + literal("") == VISIT,
                             ctx.date_of(i.c.occurred_at) >= entered)
    return (
        select(
            c.c.id.label("customer_id"),
            ctx.due(cfg["network.due_days"]).label("due_at"),
            literal(2).label("priority"),
            ctx.reason("tobacco.entry", entered=ctx.day_text(entered), days=days).label("reason"),
            literal(VISIT).label("kind"),
            (literal("entry:") + ctx.day_text(entered)).label("dedupe_key"),
        )
        .where(~left_network(ctx, c), ~licence_expired(ctx, c), entered.is_not(None), days >= 0,
               days < cfg["network.entry_days"], ~visited)
    )


# -- TOB-SURVEY -----------------------------------------------------------------------
# rule TOB-SURVEY (§4.8): each manager whose retailers were surveyed analyses
# the results and records the measures taken, within survey.due_days days of
# the last answer: one task of the manager's own (no customer) per round, a
# round being the answers of one calendar month (default, ours). An answer
# below survey.action_below also asks for the measures taken with that
# retailer: the round's analysis does not name which shop to go back to, and
# these are the answers the KPI "survey actions done" must see acted on.
# A round or answer already given a task (done or not) asks nothing again
# (ctx.never_tasked; an open one the engine counts as existing).


SURVEY_RULE_NAME = "tobacco.survey_actions"


def survey_query(ctx):
    cfg = ctx.config
    i, c = ctx.tables.interactions, ctx.tables.customers
    score = cast(ctx.attribute(i, "satisfaction", "integer"), Integer)
    recent = (i.c.kind == SURVEY, score.is_not(None),
              i.c.occurred_at >= ctx.at(ctx.as_of, -cfg["survey.lookback_days"]),
              i.c.occurred_at < ctx.at(ctx.as_of, 1))
    due_day = ctx.add_days(ctx.date_of(i.c.occurred_at), cfg["survey.due_days"])
    answer_key = literal("survey:") + i.c.id
    answers = (
        select(
            i.c.customer_id,
            ctx.day_at(due_day).label("due_at"),
            literal(2).label("priority"),
            ctx.reason("tobacco.survey", score=score, day=ctx.day_text(i.c.occurred_at),
                       by=func.coalesce(ctx.attribute(i, "ordered_by"), literal("-")),
                       due=ctx.day_text(due_day)).label("reason"),
            literal(None).label("manager_id"),
            literal("action").label("kind"),
            answer_key.label("dedupe_key"),
        )
        .where(*recent, score < cfg["survey.action_below"],
               ctx.never_tasked(SURVEY_RULE_NAME, answer_key, customer_id=i.c.customer_id))
    )
    # The round: the month's answers of each manager's retailers.
    month = ctx.month_text(i.c.occurred_at)
    grouped = (
        select(c.c.manager_id, month.label("month"),
               func.max(ctx.date_of(i.c.occurred_at)).label("last_day"),
               func.count().label("answers"),
               func.count(func.distinct(i.c.customer_id)).label("retailers"),
               func.sum(case((score < cfg["survey.action_below"], 1), else_=0)).label("low"))
        .join(c, c.c.id == i.c.customer_id)
        .where(*recent, c.c.manager_id.is_not(None))
        .group_by(c.c.manager_id, month)
        .subquery("survey_round")
    )
    round_due = ctx.add_days(grouped.c.last_day, cfg["survey.due_days"])
    round_key = literal("survey-round:") + grouped.c.month
    rounds = (
        select(
            literal(None).label("customer_id"),
            ctx.day_at(round_due).label("due_at"),
            literal(2).label("priority"),
            ctx.reason("tobacco.survey_round", month=grouped.c.month,
                       answers=grouped.c.answers, retailers=grouped.c.retailers,
                       low=grouped.c.low, below=cfg["survey.action_below"],
                       due=ctx.day_text(round_due)).label("reason"),
            grouped.c.manager_id,
            literal("analysis").label("kind"),
            round_key.label("dedupe_key"),
        )
        .where(ctx.never_tasked(SURVEY_RULE_NAME, round_key, manager_id=grouped.c.manager_id))
    )
    both = answers.union_all(rounds).subquery("survey_tasks")
    # manager_id NULL on an answer: the retailer's owner, as for any task.
    owner = (select(c.c.manager_id).where(c.c.id == both.c.customer_id).scalar_subquery())
    return select(both.c.customer_id, both.c.due_at, both.c.priority, both.c.reason,
                  func.coalesce(both.c.manager_id, owner).label("manager_id"), both.c.kind,
                  both.c.dedupe_key)
