"""The rule engine: a service rule's select becomes open tasks, once.

For one rule, in one transaction: the select fills a work table; rows for
which an open task of the same rule, customer and dedupe key exists are
counted as existing; the rest are inserted as tasks, each with its reason.
A task whose condition no longer holds is left for the manager, never
deleted. The manager is the select's ``manager_id`` when it gives one, else
the customer's owner. A row with no customer is a task of the manager's own
(a report, an analysis): its manager is required, and it is unique per rule,
manager and dedupe key while open.

A task is due on a day or at a time. The select says which by the SQL type
of its ``due_at``: a ``Date`` (``ctx.due(3)``, ``ctx.day_at(day)``) is a day,
on time all of it; a ``DateTime`` (an SLA clock, ``ctx.due(1, 17)``) a time.
A select that mixes both gives an ``all_day`` boolean column per row; a
``due_at`` of neither type is a day when it falls at 00:00.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    Time,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
)

from guanxi.errors import PackError

from guanxi.engines.running import (build_query, context_for, drop_temp_table, failure,
                                     leave_out_merged, prepare_calendar, temp_table)
from guanxi.storage import tables as t

REQUIRED = ("customer_id", "due_at", "priority", "reason")


@attrs.frozen(kw_only=True)
class RuleRun:
    rule: str
    created: int
    existing: int

    def as_json(self) -> dict:
        return attrs.asdict(self)


def _midnight(ctx, expr) -> bool:
    """True when the datetime ``expr`` falls at 00:00."""
    if ctx.dialect == "sqlite":
        return func.time(expr) == "00:00:00"
    return cast(expr, Time) == literal(dt.time(), Time)


def _due(ctx, query):
    """(due_at as stored, all_day) of the select's rows: see the module docstring."""
    due = query.c.due_at
    if "all_day" in query.c:
        all_day = func.coalesce(query.c.all_day, literal(False))
    elif isinstance(due.type, DateTime):
        return due, literal(False)
    elif isinstance(due.type, Date):
        return ctx.day_at(due, 0), literal(True)
    else:
        all_day = _midnight(ctx, due)
    # A day is stored as its midnight, written the way every datetime is.
    return case((all_day, ctx.day_at(due, 0)), else_=type_coerce(due, DateTime)), all_day


def run_rule(rt, rule, as_of: dt.date) -> RuleRun:
    ctx = context_for(rt, rule, as_of)
    query = build_query(rule, ctx, REQUIRED, "service rule")
    prepare_calendar(rt, ctx)
    c = t.customers
    owner = select(c.c.manager_id).where(c.c.id == query.c.customer_id).scalar_subquery()
    manager = query.c.manager_id if "manager_id" in query.c else owner
    kind = query.c.kind if "kind" in query.c else literal(rule.kind)
    dedupe = func.coalesce(query.c.dedupe_key, "") if "dedupe_key" in query.c else literal("")
    due_at, all_day = _due(ctx, query)
    work = temp_table(
        "guanxi_new_tasks",
        Column("customer_id", t.Key),
        Column("manager_id", t.Key),
        Column("kind", String, nullable=False),
        Column("due_at", DateTime, nullable=False),
        Column("all_day", Boolean, nullable=False),
        Column("priority", Integer, nullable=False),
        Column("reason", Text, nullable=False),
        Column("dedupe_key", t.Key, nullable=False),
    )
    # A run for a past day dates its tasks that day, so a rerun of history
    # gives the same tasks; today's run keeps the real moment.
    now = rt.now()
    created_at = now if as_of >= now.date() else dt.datetime.combine(as_of, dt.time())
    tk = t.tasks
    with rt.engine.connect() as conn:
        try:
            with conn.begin():
                work.drop(conn, checkfirst=True)
                work.create(conn)
                # Counted from the inserts' row counts (SQLAlchemy keeps an
                # INSERT's row count when asked to), not by more passes.
                counted = {"preserve_rowcount": True}
                total = conn.execute(insert(work).from_select(
                    ["customer_id", "manager_id", "kind", "due_at", "all_day", "priority", "reason",
                     "dedupe_key"],
                    select(query.c.customer_id, manager, kind, due_at, all_day,
                           cast(query.c.priority, Integer), func.coalesce(query.c.reason, ""), dedupe),
                ), execution_options=counted).rowcount
                total -= leave_out_merged(conn, work)
                nobody = conn.execute(select(func.count()).select_from(work).where(
                    work.c.customer_id.is_(None), work.c.manager_id.is_(None))).scalar()
                if nobody:
                    raise PackError(
                        f"service rule {rule.name!r} of pack {rule.pack!r} gave {nobody} task(s) "
                        f"with neither a customer nor a manager; a task with no customer needs "
                        f"its manager_id; its job was rolled back")
                # Two lookups, not one OR: each stays on its index (a customer's
                # tasks, a manager's own); an OR made every row scan the rule's tasks.
                open_for_customer = exists().where(
                    tk.c.status == "open", tk.c.rule == rule.name,
                    tk.c.customer_id == work.c.customer_id, tk.c.dedupe_key == work.c.dedupe_key)
                open_for_manager = exists().where(
                    tk.c.status == "open", tk.c.rule == rule.name, tk.c.customer_id.is_(None),
                    tk.c.manager_id == work.c.manager_id, tk.c.dedupe_key == work.c.dedupe_key)
                open_task = or_(open_for_customer,
                                and_(work.c.customer_id.is_(None), open_for_manager))
                created = conn.execute(insert(tk).from_select(
                    ["rule", "customer_id", "manager_id", "kind", "due_at", "all_day", "priority",
                     "status", "reason", "dedupe_key", "created_at"],
                    select(literal(rule.name), work.c.customer_id, work.c.manager_id, work.c.kind,
                           work.c.due_at, work.c.all_day, work.c.priority, literal("open"),
                           work.c.reason, work.c.dedupe_key, literal(created_at, DateTime))
                    .where(~open_task)
                    .order_by(work.c.customer_id, work.c.manager_id, work.c.dedupe_key),
                ), execution_options=counted).rowcount
                existing = total - created
                if rule.adds_to_list:
                    _add_to_list(conn, work, rule, as_of)
        except Exception as exc:
            raise failure(rule, "service rule", exc) from exc
        finally:
            drop_temp_table(conn, work)
    return RuleRun(rule=rule.name, created=created, existing=existing)


def _add_to_list(conn, work, rule, as_of: dt.date) -> None:
    """Put the rule's customers on its named list, dated (engines/list_keeping.py)."""
    from guanxi.engines.list_keeping import add_members

    add_members(conn, rule.adds_to_list,
                select(work.c.customer_id).where(work.c.customer_id.is_not(None)),
                as_of, f"added by {rule.name}")
