"""Visits close their tasks: a recorded visit closes the open planned visit it fulfils.

Called before each plan build and by the core pack's
``guanxi_after_interactions_saved``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, func, select, update

from guanxi.service.plan_reasons import REASONS
from guanxi.service.plan_sql import VISIT_TASK_KIND, kind_in, midnight, week_start
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t


def close_visited(rt, conn, customer_ids: Iterable[str] | None = None,
                  cadences: Iterable[str] | None = None) -> int:
    """Close the open plan tasks whose customer has been visited since the week began.

    A visit is an interaction of one of the cadence's visit kinds on or
    after the Monday of the planned week (a visit on another day of the
    week than planned still counts). The task is done, closed at the
    visit's time. ``customer_ids`` limits the work to those customers (a
    batch of saved interactions), ``cadences`` to those cadences' tasks.
    """
    pv, tk, i = st.plan_visits, t.tasks, t.interactions
    dialect = conn.dialect.name
    names = ids = None
    if cadences is not None:
        names = sorted(set(cadences))
        if not names:
            return 0
    if customer_ids is not None:
        ids = sorted(set(customer_ids))
        if not ids:
            return 0
    outcome = REASONS.get(rt.config.language, REASONS["en"])["done"]
    # Joins, not a subquery per task: the tasks were often written moments
    # ago, before the database has statistics on them. A plan task's rule
    # is its cadence and its dedupe key its week, which is how its plan row
    # is found (the row's unique key).
    open_task = t.tasks.alias("open_plan_task")
    where = [open_task.c.status == "open", open_task.c.kind == VISIT_TASK_KIND,
             kind_in(dialect, pv.c.visit_kinds, i.c.kind),
             i.c.occurred_at >= midnight(dialect, week_start(dialect, pv.c.day))]
    if names is not None:
        where.append(open_task.c.rule.in_(names))
    closed = 0
    # Bounded IN lists: SQLite limits the bound values of one statement.
    for chunk in [None] if ids is None else [ids[n:n + 500] for n in range(0, len(ids), 500)]:
        only = [] if chunk is None else [open_task.c.customer_id.in_(chunk)]
        visited = (
            select(open_task.c.id.label("task_id"),
                   func.min(i.c.occurred_at).label("visited_at"))
            .select_from(
                open_task.join(pv, and_(pv.c.cadence == open_task.c.rule,
                                        pv.c.week == open_task.c.dedupe_key,
                                        pv.c.customer_id == open_task.c.customer_id,
                                        pv.c.task_id == open_task.c.id))
                .join(i, i.c.customer_id == open_task.c.customer_id)
            )
            .where(*where, *only)
            .group_by(open_task.c.id)
            .subquery("visited")
        )
        closed += conn.execute(
            update(tk).where(tk.c.id == visited.c.task_id, tk.c.status == "open")
            .values(status="done", closed_at=visited.c.visited_at, outcome=outcome)
        ).rowcount
    return closed


def close_visited_in_batch(rt, batch) -> int:
    """The lifecycle hook's part: interactions just saved close their visit tasks.

    Only rows of a kind some cadence counts as a visit can close one, and
    nothing can while no visit was ever planned: a big import of calls or
    transactions costs one cheap query per batch.
    """
    if not {"customer_id", "kind"} <= set(batch.columns):
        return 0
    pv = st.plan_visits
    if batch.connection.execute(select(pv.c.id).limit(1)).first() is None:
        return 0
    kinds = {kind for cadence in rt.plugins.visit_cadences(rt.facade).values()
             for kind in cadence.visit_kinds}
    at, kind_at = batch.columns.index("customer_id"), batch.columns.index("kind")
    customers = {row[at] for row in batch.rows if row[kind_at] in kinds}
    return close_visited(rt, batch.connection, customers)

