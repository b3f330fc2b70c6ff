"""The rule engine: a service rule's select becomes open tasks, once.

For one rule, in one transaction: the select fills a work table; rows for
which an open task of the same rule, customer and dedupe key exists are
counted as existing; the rest are inserted as tasks, each with its reason.
A task whose condition no longer holds is left for the manager, never
deleted. The manager is the select's ``manager_id`` when it gives one, else
the customer's owner.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import Column, DateTime, Integer, String, Text, cast, exists, func, insert, literal, select

from guanxi.engines.running import build_query, context_for, failure, temp_table
from guanxi.engines.segmentation import _drop
from guanxi.storage import tables as t

REQUIRED = ("customer_id", "due_at", "priority", "reason")


@attrs.frozen(kw_only=True)
class RuleRun:
    rule: str
    created: int
    existing: int

    def as_json(self) -> dict:
        return attrs.asdict(self)


def run_rule(ws, rule, as_of: dt.date) -> RuleRun:
    ctx = context_for(ws, rule, as_of)
    query = build_query(rule, ctx, REQUIRED, "service rule")
    c = t.customers
    owner = select(c.c.manager_id).where(c.c.id == query.c.customer_id).scalar_subquery()
    manager = query.c.manager_id if "manager_id" in query.c else owner
    kind = query.c.kind if "kind" in query.c else literal(rule.kind)
    dedupe = func.coalesce(query.c.dedupe_key, "") if "dedupe_key" in query.c else literal("")
    work = temp_table(
        "guanxi_new_tasks",
        Column("customer_id", t.Key, nullable=False),
        Column("manager_id", t.Key),
        Column("kind", String, nullable=False),
        Column("due_at", DateTime, nullable=False),
        Column("priority", Integer, nullable=False),
        Column("reason", Text, nullable=False),
        Column("dedupe_key", t.Key, nullable=False),
    )
    # A run for a past day dates its tasks that day, so a rerun of history
    # gives the same tasks; today's run keeps the real moment.
    now = ws.now()
    created_at = now if as_of >= now.date() else dt.datetime.combine(as_of, dt.time())
    tk = t.tasks
    with ws.engine.connect() as conn:
        try:
            with conn.begin():
                work.drop(conn, checkfirst=True)
                work.create(conn)
                # Counted from the inserts' row counts (SQLAlchemy keeps an
                # INSERT's row count when asked to), not by more passes.
                counted = {"preserve_rowcount": True}
                total = conn.execute(insert(work).from_select(
                    ["customer_id", "manager_id", "kind", "due_at", "priority", "reason", "dedupe_key"],
                    select(query.c.customer_id, manager, kind, query.c.due_at, cast(query.c.priority, Integer),
                           func.coalesce(query.c.reason, ""), dedupe),
                ), execution_options=counted).rowcount
                open_task = exists().where(
                    tk.c.status == "open", tk.c.rule == rule.name,
                    tk.c.customer_id == work.c.customer_id, tk.c.dedupe_key == work.c.dedupe_key,
                )
                created = conn.execute(insert(tk).from_select(
                    ["rule", "customer_id", "manager_id", "kind", "due_at", "priority", "status",
                     "reason", "dedupe_key", "created_at"],
                    select(literal(rule.name), work.c.customer_id, work.c.manager_id, work.c.kind,
                           work.c.due_at, work.c.priority, literal("open"), work.c.reason,
                           work.c.dedupe_key, literal(created_at, DateTime))
                    .where(~open_task)
                    .order_by(work.c.customer_id, work.c.dedupe_key),
                ), execution_options=counted).rowcount
                existing = total - created
                if rule.adds_to_list:
                    _add_to_list(conn, work, rule, as_of)
        except Exception as exc:
            raise failure(rule, "service rule", exc) from exc
        finally:
            _drop(conn, work)
    return RuleRun(rule=rule.name, created=created, existing=existing)


def _add_to_list(conn, work, rule, as_of: dt.date) -> None:
    """Put the rule's customers on its named list; members stay as they are."""
    lm = t.list_members
    current = exists().where(lm.c.list == rule.adds_to_list, lm.c.customer_id == work.c.customer_id)
    conn.execute(insert(lm).from_select(
        ["list", "customer_id", "added_at", "note"],
        select(literal(rule.adds_to_list), work.c.customer_id, literal(as_of),
               literal(f"added by {rule.name}"))
        .where(~current).group_by(work.c.customer_id).order_by(work.c.customer_id),
    ))
