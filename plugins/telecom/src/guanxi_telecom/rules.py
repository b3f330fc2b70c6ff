"""The telecom service rules: TEL-CONTACT, TEL-MULTI, TEL-PARTNER, TEL-EXPIRY,
TEL-WINBACK, TEL-PRICE and TEL-SWEEP.

Each is one select over the whole base; the rule engine makes a task per
row, once per dedupe key while it is open (and, where ``ctx.never_tasked``
says so, never again once done).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, and_, case, exists, func, literal, or_, select

from guanxi import ServiceRule
from guanxi_telecom import common
from guanxi_telecom.common import flag, is_line
from guanxi_telecom.options import (
    ACTIVE,
    COMPETITOR_SIGNAL,
    DORMANT,
    PRICE_COMPLAINT,
    REQUEST,
    STAGE,
)

def _both(first, second):
    """The rows of two selects as one ``Select``, as the rule engine takes."""
    both = first.union_all(second).subquery("telecom_both")
    return select(*both.c)


# -- TEL-CONTACT ----------------------------------------------------------------------
# rule TEL-CONTACT: a key contact changed → meet the new contact within
# contact.due_days of their start; in gestation the manager's superior also
# meets (必要时双方高层领导进行会晤, 001 第一篇 孕育阶段应对措施).


def contact_query(ctx):
    cfg = ctx.config
    c = ctx.tables.customers
    since = literal(ctx.as_of - dt.timedelta(days=cfg["contact.lookback_days"] - 1), Date)
    # The changes' select itself, extended (not a subquery of it): the rule's
    # cost is building and compiling its statement, each level of which adds.
    changes = common.contact_changes(ctx, since)
    ch = changes.selected_columns
    due = ctx.add_days(ch.started, cfg["contact.due_days"])
    figures = dict(old=ch.old_name, new=ch.new_name, role=ch.role,
                   ended=ctx.day_text(ch.ended), started=ctx.day_text(ch.started),
                   due=ctx.day_text(due))
    meet = ctx.reason("telecom.contact", **figures)
    if not cfg["contact.senior_meeting"]:
        key = literal("contact:") + ch.new_id
        return (
            changes.with_only_columns(
                ch.customer_id, due.label("due_at"), literal(1).label("priority"),
                meet.label("reason"), c.c.manager_id.label("manager_id"),
                literal("meeting").label("kind"), key.label("dedupe_key"))
            .join(c, c.c.id == ch.customer_id)
            .where(ctx.never_tasked("telecom.contact", key, customer_id=ch.customer_id))
        )
    # One select for both meetings, priority 1 (the manager's) and 2 (the
    # superior's, in gestation), not a union of two: a union was built and
    # compiled twice and read the contacts twice.
    k = select(literal(1).label("priority")).union_all(select(literal(2))).subquery("telecom_k")
    senior = k.c.priority == 2
    key = literal("contact:") + case((senior, literal("senior:")), else_=literal("")) + ch.new_id
    superior = func.coalesce(ctx.role_person("reports_to", c.c.manager_id), c.c.manager_id)
    return (
        changes.with_only_columns(
            ch.customer_id, due.label("due_at"), k.c.priority,
            case((senior, ctx.reason("telecom.contact_senior", **figures)),
                 else_=meet).label("reason"),
            case((senior, superior), else_=c.c.manager_id).label("manager_id"),
            literal("meeting").label("kind"), key.label("dedupe_key"))
        .join(c, c.c.id == ch.customer_id)
        # An outer join that always matches (priority 1 does): it keeps the
        # two rows inside the loop over the changes, so contacts are read once.
        .outerjoin(k, or_(~senior, ctx.label(STAGE, ch.customer_id) == "gestation"))
        .where(ctx.never_tasked("telecom.contact", key, customer_id=ch.customer_id))
    )


CONTACT = ServiceRule(
    name="telecom.contact",
    title="Meet the new key contact",
    description="TEL-CONTACT: a key contact (seniority senior) ended and another started in the "
                "same role → meet the new contact within 7 days of their start; in gestation, "
                "the manager's superior also asks for a senior-level meeting.",
    kind="meeting",
    requires=(STAGE,),
    query=contact_query,
    reasons={
        "telecom.contact": {
            "en": "key contact changed: {old} ({role}) ended {ended}, {new} started {started}; "
                  "meet {new} by {due} (TEL-CONTACT)",
            "zh": "关键联系人更换：{old}（{role}）{ended} 离任，{new} {started} 接任；请于 {due} 前"
                  "拜访 {new}（TEL-CONTACT）"},
        "telecom.contact_senior": {
            "en": "key contact changed in gestation: {new} ({role}) started {started}; arrange "
                  "a senior-level meeting by {due} (TEL-CONTACT)",
            "zh": "孕育阶段关键联系人更换：{new}（{role}）{started} 接任；请于 {due} 前安排双方高层"
                  "会晤（TEL-CONTACT）"},
    },
)


# -- TEL-MULTI ------------------------------------------------------------------------
# rule TEL-MULTI: 过分依赖某人单一联系有很大风险 (001 第一篇): a key account with
# fewer than multi.min_contacts active contacts; once a quarter at most.


def multi_query(ctx):
    cfg = ctx.config
    c = ctx.tables.customers
    contacts = common.active_contacts(ctx)
    n = func.coalesce(contacts.c.contacts, 0)
    quarter = f"multi:{ctx.as_of.year}-Q{(ctx.as_of.month - 1) // 3 + 1}"
    return (
        select(c.c.id.label("customer_id"), ctx.due(cfg["multi.due_days"]).label("due_at"),
               literal(2).label("priority"),
               ctx.reason("telecom.multi", contacts=n, needed=cfg["multi.min_contacts"],
                          due=(ctx.as_of + dt.timedelta(days=cfg["multi.due_days"])).isoformat())
               .label("reason"),
               literal(quarter).label("dedupe_key"))
        .select_from(c.outerjoin(contacts, contacts.c.customer_id == c.c.id))
        .where(flag(ctx, c, "key_account"), c.c.status != "prospect",
               n < cfg["multi.min_contacts"],
               ctx.never_tasked("telecom.multi", literal(quarter), customer_id=c.c.id))
    )


MULTI = ServiceRule(
    name="telecom.multi",
    title="Build contacts at several levels",
    description="TEL-MULTI: a key account with fewer than 2 active contacts depends on one "
                "person (过分依赖某人单一联系) → build contacts at several levels.",
    query=multi_query,
    reasons={"telecom.multi": {
        "en": "{contacts} active contact(s), {needed} needed: build contacts at several levels "
              "by {due} (TEL-MULTI)",
        "zh": "仅 {contacts} 名在任联系人（至少 {needed} 名）：请于 {due} 前建立多层面联系（TEL-MULTI）"}},
)


# -- TEL-PARTNER ----------------------------------------------------------------------
# rule TEL-PARTNER (001 第一篇 战略合作伙伴阶段应对措施): entering partnership → VIP
# card, joint business, every middle-stage service kept; once per entry day.


def partner_query(ctx):
    cfg = ctx.config
    c, h = ctx.tables.customers, ctx.tables.segment_history
    entered = (select(func.max(h.c.changed_on)).where(
        h.c.segmentation == STAGE, h.c.customer_id == c.c.id, h.c.new_label == "partnership")
        .scalar_subquery())
    key = literal("partner:") + ctx.day_text(entered)
    return (
        select(c.c.id.label("customer_id"), ctx.due(cfg["partner.due_days"]).label("due_at"),
               literal(2).label("priority"),
               ctx.reason("telecom.partner", since=ctx.day_text(entered),
                          due=(ctx.as_of + dt.timedelta(days=cfg["partner.due_days"])).isoformat())
               .label("reason"),
               key.label("dedupe_key"))
        .where(ctx.label(STAGE, c.c.id) == "partnership",
               ctx.never_tasked("telecom.partner", key, customer_id=c.c.id))
    )


PARTNER = ServiceRule(
    name="telecom.partner",
    title="Partnership: VIP card and joint business",
    description="TEL-PARTNER: a key account entering partnership → issue the VIP card "
                "(大客户VIP卡), propose joint business, keep every middle-stage service.",
    requires=(STAGE,),
    query=partner_query,
    reasons={"telecom.partner": {
        "en": "partnership since {since}: issue the VIP card, propose joint business, keep every "
              "middle-stage service, by {due} (TEL-PARTNER)",
        "zh": "{since} 进入战略合作伙伴阶段：请于 {due} 前发放大客户VIP卡、开展合作业务，继续提供中期"
              "阶段的所有服务（TEL-PARTNER）"}},
)


# -- TEL-EXPIRY -----------------------------------------------------------------------
# rule TEL-EXPIRY (到费用户上门服务, 003 第5篇): active lines whose paid period ends
# within expiry.days → one on-site renewal visit per customer and end day,
# due that day.


def expiry_query(ctx):
    # The engine keeps the rows to the customers the pack serves.
    a = ctx.tables.accounts
    paid_until = ctx.attribute(a, "paid_until", "date")
    last = literal(ctx.as_of + dt.timedelta(days=ctx.config["expiry.days"]), Date)
    grouped = (
        select(a.c.customer_id, paid_until.label("paid_until"), func.count().label("lines"))
        .where(is_line(ctx, a), a.c.status == ACTIVE, paid_until >= ctx.today,
               paid_until <= last)
        .group_by(a.c.customer_id, paid_until)
        .subquery("telecom_expiring")
    )
    g = grouped.c
    return select(
        g.customer_id, ctx.day_at(g.paid_until).label("due_at"), literal(1).label("priority"),
        ctx.reason("telecom.expiry", lines=g.lines, day=ctx.day_text(g.paid_until),
                   days=ctx.days_between(ctx.today, g.paid_until)).label("reason"),
        (literal("expiry:") + ctx.day_text(g.paid_until)).label("dedupe_key"),
    )


EXPIRY = ServiceRule(
    name="telecom.expiry",
    title="Paid period ending: on-site renewal visit",
    description="TEL-EXPIRY: active lines whose paid period ends within 30 days → an on-site "
                "renewal visit (到费用户上门服务) by that day, one per customer and day.",
    kind="visit",
    query=expiry_query,
    reasons={"telecom.expiry": {
        "en": "{lines} line(s) paid until {day}, {days} day(s) away: on-site renewal visit "
              "(TEL-EXPIRY)",
        "zh": "{lines} 户 {day} 到费（{days} 天后）：请上门服务续费（TEL-EXPIRY）"}},
)


# -- TEL-WINBACK ----------------------------------------------------------------------
# rule TEL-WINBACK (休眠用户回流, 003 第5篇): a monthly campaign of reactivation
# calls to the customers of dormant (and, ours, 报停) lines.


def winback_query(ctx):
    cfg = ctx.config
    a = ctx.tables.accounts
    month = ctx.as_of.strftime("%Y-%m")
    statuses = cfg["winback.statuses"]
    grouped = (
        select(a.c.customer_id,
               func.sum(case((a.c.status == DORMANT, 1), else_=0)).label("dormant"),
               func.sum(case((a.c.status == REQUEST, 1), else_=0)).label("request"),
               func.count().label("lines"))
        .where(is_line(ctx, a), a.c.status.in_(statuses))
        .group_by(a.c.customer_id)
        .subquery("telecom_winback")
    )
    g = grouped.c
    return select(
        g.customer_id, ctx.due(cfg["winback.due_days"]).label("due_at"),
        literal(2).label("priority"),
        ctx.reason("telecom.winback", lines=g.lines, dormant=g.dormant, request=g.request,
                   month=month).label("reason"),
        literal(f"winback:{month}").label("dedupe_key"),
    )


WINBACK = ServiceRule(
    name="telecom.winback",
    title="Reactivation call (回流)",
    description="TEL-WINBACK: each month, a reactivation (回流) call to every customer with "
                "dormant or suspended-by-request (报停) lines.",
    kind="call",
    query=winback_query,
    reasons={"telecom.winback": {
        "en": "{lines} line(s) to win back in {month}: {dormant} dormant, {request} suspended "
              "by request; reactivation call (TEL-WINBACK)",
        "zh": "{month} 回流：{lines} 户（休眠 {dormant} 户，报停 {request} 户），请电话回访（TEL-WINBACK）"}},
)


# -- TEL-PRICE ------------------------------------------------------------------------
# rule TEL-PRICE (003 第5篇 运行半月存在的问题): a price complaint or competitor
# signal on a group customer or key account, or on the association it
# belongs to (宾馆协会), → a retention review, once per signal.


def price_query(ctx):
    cfg = ctx.config
    c, i = ctx.tables.customers, ctx.tables.interactions
    signal = and_(i.c.kind.in_((PRICE_COMPLAINT, COMPETITOR_SIGNAL)),
                  i.c.occurred_at >= ctx.at(ctx.as_of, 1 - cfg["price.lookback_days"]),
                  i.c.occurred_at < ctx.at(ctx.as_of, 1))
    ours = or_(flag(ctx, c, "key_account"), flag(ctx, c, "group_customer"))
    key = literal("price:") + i.c.id
    price = i.c.kind == PRICE_COMPLAINT
    what = dict(what=case((price, "price complaint"), else_="competitor signal"),
                what_zh=case((price, "价格投诉"), else_="竞争对手动向"),
                competitor=func.coalesce(ctx.attribute(i, "competitor"), "-"),
                day=ctx.day_text(i.c.occurred_at),
                due=(ctx.as_of + dt.timedelta(days=cfg["price.due_days"])).isoformat())
    direct = (
        select(c.c.id.label("customer_id"), ctx.due(cfg["price.due_days"]).label("due_at"),
               literal(1).label("priority"),
               ctx.reason("telecom.price", **what).label("reason"), key.label("dedupe_key"))
        .join(i, i.c.customer_id == c.c.id)
        .where(signal, ours)
    )
    # Members first, then their association's signals by its customer index: led
    # by the kind index instead, SQLite scanned every customer for each signal
    # (6.8 s at 100,000 customers). The kind compared as an expression
    # (|| '') leaves that index out.
    via_signal = and_(
        (i.c.kind + literal("")).in_((PRICE_COMPLAINT, COMPETITOR_SIGNAL)),
        i.c.occurred_at >= ctx.at(ctx.as_of, 1 - cfg["price.lookback_days"]),
        i.c.occurred_at < ctx.at(ctx.as_of, 1))
    via = (
        select(c.c.id.label("customer_id"), ctx.due(cfg["price.due_days"]).label("due_at"),
               literal(1).label("priority"),
               ctx.reason("telecom.price_association", association=i.c.customer_id, **what)
               .label("reason"), key.label("dedupe_key"))
        .select_from(c)
        .join(i, i.c.customer_id == ctx.attribute(c, "association"))
        .where(via_signal, ours)
    )
    return _both(direct, via)


PRICE = ServiceRule(
    name="telecom.price",
    title="Retention review after a price signal",
    description="TEL-PRICE: a price complaint or competitor signal on a group customer or key "
                "account → retention review within 3 days; a signal on an association (协会) "
                "flags every member.",
    kind="review",
    query=price_query,
    reasons={
        "telecom.price": {
            "en": "{what} ({competitor}) on {day}: retention review by {due} (TEL-PRICE)",
            "zh": "{day} {what_zh}（{competitor}）：请于 {due} 前进行保有评估（TEL-PRICE）"},
        "telecom.price_association": {
            "en": "{what} ({competitor}) from the association {association} on {day}: "
                  "retention review by {due} (TEL-PRICE)",
            "zh": "所属协会 {association} {day} {what_zh}（{competitor}）：请于 {due} 前进行保有评估"
                  "（TEL-PRICE）"},
    },
)


# -- TEL-SWEEP ------------------------------------------------------------------------
# rule TEL-SWEEP (摸排建档, 003 第5篇): a prospect the sweep registered, without a
# line yet → a sales visit (新装、租赁) by sweep.due_days after the sweep.


def sweep_query(ctx):
    cfg = ctx.config
    c, a = ctx.tables.customers, ctx.tables.accounts
    swept = ctx.attribute(c, "swept_on", "date")
    due = ctx.add_days(swept, cfg["sweep.due_days"])
    return (
        select(c.c.id.label("customer_id"), ctx.day_at(due).label("due_at"),
               literal(2).label("priority"),
               ctx.reason("telecom.sweep", day=ctx.day_text(swept), due=ctx.day_text(due))
               .label("reason"),
               literal("sweep").label("dedupe_key"))
        .where(c.c.status == "prospect", swept.is_not(None), swept <= ctx.today,
               swept > literal(ctx.as_of - dt.timedelta(days=cfg["sweep.lookback_days"]), Date),
               ~exists().where(a.c.customer_id == c.c.id),
               ctx.never_tasked("telecom.sweep", literal("sweep"), customer_id=c.c.id))
    )


SWEEP = ServiceRule(
    name="telecom.sweep",
    title="Sell to a swept prospect",
    description="TEL-SWEEP: a prospect registered by a territory sweep (摸排建档) without a line "
                "→ a visit to sell an install or lease (新装、租赁) within 14 days; whoever sells "
                "is credited by the customer team's shares (customers are a common resource).",
    kind="visit",
    query=sweep_query,
    reasons={"telecom.sweep": {
        "en": "registered by the sweep on {day}: visit to sell an install or lease by {due} "
              "(TEL-SWEEP)",
        "zh": "{day} 摸排建档：请于 {due} 前上门推广新装或租赁（TEL-SWEEP）"}},
)

RULES = (CONTACT, MULTI, PARTNER, EXPIRY, WINBACK, PRICE, SWEEP)
