"""The case rules: breaches, escalations and callbacks become tasks.

``guanxi cases tick`` (and the daily batch) records breaches and
escalations as case events, each naming whom it goes to (``to_owner``);
these rules read them and make one task each, through the one rule engine.
The dedupe key names the case and what the task is about
(``case:12:response``, ``case:12:level:2``, ``case:12:step:approved:57``,
``case:12:callback``); a task once made for a key is never made again,
even after it is done, so a rerun creates nothing new. Nothing is asked of
a case that has already done it: a response breach of a case since
responded makes no task.
"""

from __future__ import annotations

from sqlalchemy import String, and_, case, cast, literal, or_, select

from guanxi.contributions import ServiceRule
from guanxi.service.cases import minute_text
from guanxi.storage import service_tables as st

_RUNNING = ("open", "paused")


def _key(c, *parts):
    key = literal("case:") + cast(c.c.id, String)
    for part in parts:
        key = key + literal(":") + part
    return key


def breach_query(ctx):
    c, e = st.cases, st.case_events
    clock = e.c.step.in_(("response", "resolution"))
    key = case((clock, _key(c, e.c.step)),
               else_=_key(c, literal("step"), e.c.step, cast(e.c.id, String)))
    pending = or_(
        and_(e.c.step == "response", c.c.responded_at.is_(None)),
        e.c.step == "resolution",
        # a step breach holds while the case is still on that pass of the step
        and_(~clock, e.c.step != "callback", c.c.step_due_at == e.c.at),
    )
    return (
        select(
            c.c.customer_id,
            ctx.due(1).label("due_at"),
            literal(1).label("priority"),
            ctx.reason("core.case.breach", case=cast(c.c.id, String), policy=c.c.policy,
                       what=e.c.step, due=minute_text(ctx.dialect, e.c.at)).label("reason"),
            e.c.to_owner.label("manager_id"),
            literal("case").label("kind"),
            key.label("dedupe_key"),
        )
        .join(c, c.c.id == e.c.case_id)
        .where(e.c.action == "breach", c.c.resolved_at.is_(None), c.c.state.in_(_RUNNING),
               pending, ctx.never_tasked("core.case_breach", key, customer_id=c.c.customer_id))
    )


def escalation_query(ctx):
    c, e = st.cases, st.case_events
    by_level = e.c.step.is_(None)
    key = case((by_level, _key(c, literal("level"), cast(e.c.level, String))),
               else_=_key(c, literal("step"), e.c.step, cast(e.c.id, String)))
    reason = case(
        (by_level, ctx.reason("core.case.level", case=cast(c.c.id, String), policy=c.c.policy,
                              level=e.c.level, owner=c.c.owner_id,
                              opened=minute_text(ctx.dialect, c.c.opened_at),
                              due=minute_text(ctx.dialect, c.c.resolution_due_at))),
        else_=ctx.reason("core.case.step", case=cast(c.c.id, String), policy=c.c.policy,
                         step=e.c.step, due=minute_text(ctx.dialect, e.c.at)),
    )
    return (
        select(
            c.c.customer_id,
            ctx.due(1).label("due_at"),
            literal(1).label("priority"),
            reason.label("reason"),
            e.c.to_owner.label("manager_id"),
            literal("escalation").label("kind"),
            key.label("dedupe_key"),
        )
        .join(c, c.c.id == e.c.case_id)
        .where(e.c.action == "escalate", e.c.to_owner.is_not(None), c.c.resolved_at.is_(None),
               c.c.state.in_(_RUNNING), or_(by_level, c.c.step_due_at == e.c.at),
               ctx.never_tasked("core.case_escalation", key, customer_id=c.c.customer_id))
    )


def callback_query(ctx):
    c = st.cases
    key = _key(c, literal("callback"))
    return (
        select(
            c.c.customer_id,
            c.c.callback_due_at.label("due_at"),
            literal(2).label("priority"),
            ctx.reason("core.case.callback", case=cast(c.c.id, String), policy=c.c.policy,
                       resolved=minute_text(ctx.dialect, c.c.resolved_at),
                       due=minute_text(ctx.dialect, c.c.callback_due_at)).label("reason"),
            c.c.owner_id.label("manager_id"),
            literal("callback").label("kind"),
            key.label("dedupe_key"),
        )
        .where(c.c.resolved_at.is_not(None), c.c.callback_due_at.is_not(None),
               c.c.called_back_at.is_(None), ctx.never_tasked("core.case_callback", key, customer_id=c.c.customer_id))
    )


BREACH = ServiceRule(
    name="core.case_breach",
    title="Case deadline missed",
    description="A case past its response, resolution or step deadline: a task for whoever "
                "must act (the owner; for a step, the person its role resolves to).",
    kind="case",
    query=breach_query,
    reasons={
        "core.case.breach": {
            "en": "case {case} ({policy}): {what} was due {due} and is late",
            "zh": "案件 {case}（{policy}）的 {what} 应于 {due} 完成，已超时",
        },
    },
)

ESCALATION = ServiceRule(
    name="core.case_escalation",
    title="Case escalated",
    description="A case that reached an escalation level, or a step past its limit: a task "
                "for the person the level or step goes to.",
    kind="escalation",
    query=escalation_query,
    reasons={
        "core.case.level": {
            "en": "case {case} ({policy}) of {owner} is at level {level}: opened {opened}, "
                  "resolution was due {due}",
            "zh": "{owner} 的案件 {case}（{policy}）已升至第 {level} 级："
                  "{opened} 受理，应于 {due} 办结",
        },
        "core.case.step": {
            "en": "case {case} ({policy}): step {step} was due {due}; it is escalated to you",
            "zh": "案件 {case}（{policy}）的环节 {step} 应于 {due} 完成，"
                  "现提交您督办",
        },
    },
)

CALLBACK = ServiceRule(
    name="core.case_callback",
    title="Case callback",
    description="A resolved case whose customer is to be called back: a task for the owner, "
                "due when the callback is.",
    kind="callback",
    query=callback_query,
    reasons={
        "core.case.callback": {
            "en": "call the customer back about case {case} ({policy}), resolved {resolved}; "
                  "due {due}",
            "zh": "案件 {case}（{policy}）已于 {resolved} 办结，"
                  "请在 {due} 前回访客户",
        },
    },
)

RULES = (BREACH, ESCALATION, CALLBACK)
