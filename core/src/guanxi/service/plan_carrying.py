"""Step 4 of a cadence's week: an open visit of an earlier week moves to its new day."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, insert, select, update

from guanxi.service.plan_reasons import carried_sql
from guanxi.service.plan_sql import VISIT_TASK_KIND, midnight
from guanxi.service.plan_weeks import Week
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t


def carry_earlier_tasks(rt, conn, work, cadence, week: Week) -> int:
    """Move placed customers' open visit tasks of earlier weeks into this week.

    A customer planned again whose earlier planned visit is still open gets
    that task re-dated to the new day (rule, week, manager and reason
    follow), not a second task; the task and plan inserts then find it as
    this week's. The earlier week's plan row stays as history: its task now
    belongs to a later week, which is what marks it moved. Set-based: one
    INSERT ... SELECT and two UPDATEs.
    """
    pv, tk = st.plan_visits, t.tasks
    carried, placed = work["carried"], work["placed"]
    # An open task's current plan row is the one of its rule and week.
    latest = func.row_number().over(partition_by=placed.c.customer_id,
                                    order_by=(pv.c.day.desc(), tk.c.id.desc()))
    # (Not when this week's task exists already: it is unique while open.)
    this_week = tk.alias("this_week_task")
    taken = exists().where(this_week.c.status == "open", this_week.c.rule == cadence.name,
                           this_week.c.customer_id == placed.c.customer_id,
                           this_week.c.dedupe_key == week.label)
    earlier = (
        select(placed.c.customer_id, tk.c.id.label("task_id"), pv.c.week.label("old_week"),
               pv.c.day.label("old_day"), latest.label("latest"))
        .select_from(
            placed.join(tk, and_(tk.c.customer_id == placed.c.customer_id,
                                 tk.c.status == "open", tk.c.kind == VISIT_TASK_KIND))
            .join(pv, and_(pv.c.task_id == tk.c.id, pv.c.cadence == tk.c.rule,
                           pv.c.week == tk.c.dedupe_key))
        )
        .where(pv.c.day < week.start, ~taken)
        .subquery("earlier")
    )
    conn.execute(insert(carried).from_select(
        ["customer_id", "task_id", "old_week", "old_day"],
        select(earlier.c.customer_id, earlier.c.task_id, earlier.c.old_week, earlier.c.old_day)
        .where(earlier.c.latest == 1),
    ))
    carried_from = (
        select(carried_sql(placed.c.reason, carried.c.old_week, carried.c.old_day))
        .where(carried.c.customer_id == placed.c.customer_id)
        .scalar_subquery()
    )
    conn.execute(
        update(placed)
        .where(placed.c.customer_id.in_(select(carried.c.customer_id)))
        .values(reason=carried_from)
    )
    return conn.execute(
        update(tk)
        .where(tk.c.id == carried.c.task_id, placed.c.customer_id == carried.c.customer_id)
        .values(rule=cadence.name, dedupe_key=week.label, manager_id=placed.c.manager_id,
                due_at=midnight(rt.dialect, placed.c.day), reason=placed.c.reason)
    ).rowcount

