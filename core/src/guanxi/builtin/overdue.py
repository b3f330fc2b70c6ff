"""core.overdue_tasks: an open task past its due date goes up a level.

Each task open and past its due as the as-of day ends (``ctx.task_overdue``:
a task due on a day once that day is over, a timed task once its time has
passed), by more than the grace days, makes one escalation task for the task
manager's ``reports_to``, due the next day; a manager who reports to no one
has nobody to escalate to. The
dedupe key is the task's id, so each overdue task escalates once while it
stays open.
"""

from __future__ import annotations

from sqlalchemy import String, cast, literal, select

from guanxi.contributions import ConfigOption, ServiceRule

OPTIONS = (
    ConfigOption(name="overdue.grace_days", type="integer", default=0, minimum=0,
                 description="Days past due before an open task is escalated."),
)


def overdue_query(ctx):
    tk, m = ctx.tables.tasks, ctx.tables.managers
    late = ctx.days_between(tk.c.due_at)
    return (
        select(
            tk.c.customer_id,
            ctx.due(1).label("due_at"),
            literal(1).label("priority"),
            ctx.reason("core.overdue", task=tk.c.id, rule=tk.c.rule, manager=tk.c.manager_id,
                       due=ctx.date_of(tk.c.due_at), days=late).label("reason"),
            m.c.reports_to.label("manager_id"),
            literal("escalation").label("kind"),
            (literal("task:") + cast(tk.c.id, String)).label("dedupe_key"),
        )
        .join(m, m.c.id == tk.c.manager_id)
        .where(
            tk.c.status == "open",
            tk.c.rule != "core.overdue_tasks",
            ctx.task_overdue(tk, grace_days=ctx.config["overdue.grace_days"]),
            m.c.reports_to.is_not(None),
        )
    )


OVERDUE = ServiceRule(
    name="core.overdue_tasks",
    title="Overdue tasks",
    description="Escalates each open task past its due date to the manager's reports_to.",
    kind="escalation",
    query=overdue_query,
    reasons={
        "core.overdue": {
            "en": "task {task} ({rule}) of {manager} was due {due}: {days} days overdue",
            "zh": "{manager} 的任务 {task}（{rule}）应于 {due} 完成，已逾期 {days} 天",
        },
    },
)
