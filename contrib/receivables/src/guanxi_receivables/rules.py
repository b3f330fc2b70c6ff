"""The collection rule (REC-COLLECT, 分阶段加紧追收; 催收责任制).

A customer whose invoices are past their due day and still owe something
is chased in stages: a reminder on the due day, a call at 15 days past
due, a visit at 30, a letter at 60 and legal action at 90
(``[receivables.collection] days``; ours). The stage is the one the
customer's most overdue open invoice has reached; each task is the
customer's owning manager's, made once per stage and oldest due day (a
stage done is not made again; a customer who paid the oldest invoice and
falls behind on the next starts again). Legal action goes through an
approval chain: the task asks the manager to record a ``legal_request``,
which opens a ``receivables.legal`` case (see ``cases``).
"""

from __future__ import annotations

from guanxi import ServiceRule
from sqlalchemy import case, func, literal, select

from guanxi_receivables.ledger import invoices
from guanxi_receivables.options import STAGE_NAMES_ZH, STAGES

RULE = "receivables.collect"


def collect_query(ctx):
    days = [int(d) for d in ctx.config["collection.days"]]
    b = invoices(ctx, name="collect_invoices")
    late = ctx.days_past_due(b.c.due_on)
    # Owed and its due day come: on the due day itself it is a reminder.
    owing = (
        select(b.c.customer_id, func.max(late).label("days"), func.sum(b.c.owed).label("owed"),
               func.count().label("invoices"), func.min(b.c.due_on).label("oldest"))
        .where(b.c.owed > 0, b.c.due_on <= ctx.today, ctx.served(b.c.customer_id))
        .group_by(b.c.customer_id)
        .subquery("collect_owing")
    )
    stage = case(*[(owing.c.days >= days[n], literal(STAGES[n]))
                   for n in range(len(STAGES) - 1, -1, -1)])
    due_in = case((stage == "reminder", 0), (stage == "call", 1), else_=3)
    priority = case(*[(stage == s, n + 1) for n, s in enumerate(STAGES)])
    key = stage + literal(":") + ctx.day_text(owing.c.oldest)
    # The stage's Chinese name as its own figure (as the telecom pack's
    # reasons do): a reason is rendered in each reader's language.
    stage_zh = case(*[(stage == s, literal(STAGE_NAMES_ZH[s])) for s in STAGES])
    reason = ctx.reason("receivables.collect", stage=stage, stage_zh=stage_zh,
                        days=owing.c.days,
                        owed=owing.c.owed, invoices=owing.c.invoices,
                        oldest=ctx.day_text(owing.c.oldest))
    return (
        select(owing.c.customer_id, stage.label("kind"),
               ctx.add_days(ctx.today, due_in).label("due_at"), priority.label("priority"),
               reason.label("reason"), key.label("dedupe_key"))
        .where(stage.is_not(None),
               ctx.never_tasked(RULE, key, customer_id=owing.c.customer_id))
    )


COLLECT = ServiceRule(
    name=RULE,
    title="Collection in stages",
    description="REC-COLLECT (分阶段加紧追收, 催收责任制): a customer with an invoice past its due "
                "day and still owed -> a reminder on the due day, a call at 15 days past due, a "
                "visit at 30, a letter at 60, legal action (through the receivables.legal "
                "approval) at 90; the stage of its most overdue invoice, each stage once, the "
                "owning manager's task.",
    kind="reminder",
    query=collect_query,
    reasons={"receivables.collect": {
        "en": "{stage}: {owed} owed on {invoices} invoice(s) past due, the oldest due {oldest} "
              "({days} days past due)",
        "zh": "{stage_zh}：{invoices} 张逾期发票共欠 {owed}，最早 {oldest} 到期（逾期 {days} 天）"}},
)

RULES = [COLLECT]
