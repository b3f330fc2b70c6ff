"""Customers changing hands: one mechanism for a handover and for an import.

A customer changes owner two ways: a handover (``guanxi customers
reassign``, :meth:`guanxi.Workspace.reassign`) and an import whose
``manager_id`` differs from the stored one. Both come to :func:`hand_over`,
in the caller's transaction and before ``customers.manager_id`` changes:
the customer's open tasks held by the current owner follow to the new one,
the open ownership period ends on the day and a new one starts, so that
KPIs credit each day to whoever owned the customer then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
from sqlalchemy import insert, literal, select, update
from sqlalchemy.sql import Select

from guanxi.errors import GuanxiError, NotFoundError, UsageError, did_you_mean
from guanxi.storage import tables as t


@attrs.frozen(kw_only=True)
class ReassignResult:
    """A handover: how many customers and open tasks moved, and when."""

    from_manager: str
    to_manager: str
    customers: int
    tasks: int
    on: dt.date


def hand_over(conn, moving: Select, on: dt.date, reason: str) -> int:
    """Move each customer of ``moving`` to its new owner; return the open tasks that followed.

    ``moving`` selects ``customer_id`` and ``manager_id`` (the new owner),
    one row per customer; it is read once per statement, before the caller
    updates ``customers``.
    """
    c, o, tk = t.customers, t.ownership, t.tasks
    m = moving.subquery()
    ids = select(m.c.customer_id)
    new_owner = select(m.c.manager_id).where(m.c.customer_id == tk.c.customer_id).scalar_subquery()
    current_owner = select(c.c.manager_id).where(c.c.id == tk.c.customer_id).scalar_subquery()
    tasks = conn.execute(
        update(tk)
        .where(tk.c.status == "open", tk.c.customer_id.in_(ids),
               tk.c.manager_id.is_not_distinct_from(current_owner))
        .values(manager_id=new_owner)
    ).rowcount
    conn.execute(update(o).where(o.c.ended_at.is_(None), o.c.customer_id.in_(ids)).values(ended_at=on))
    conn.execute(insert(o).from_select(
        ["customer_id", "manager_id", "started_at", "reason"],
        select(m.c.customer_id, m.c.manager_id, literal(on), literal(reason)).order_by(m.c.customer_id),
    ))
    return tasks


def reassign(conn, from_manager: str, to_manager: str, customers: Sequence[str] | None,
             on: dt.date, reason: str | None) -> ReassignResult:
    """Hand every customer of ``from_manager`` (or only ``customers``) to ``to_manager`` on ``on``.

    Refuses, moving nothing, a manager who is unknown, inactive or has left
    by ``on``, a customer of someone else, and a handover before the
    current owner's period began.
    """
    if from_manager == to_manager:
        raise UsageError("--from and --to name the same manager")
    c, o, mg = t.customers, t.ownership, t.managers
    known = set(conn.scalars(select(mg.c.id).where(mg.c.id.in_([from_manager, to_manager]))))
    for who in (from_manager, to_manager):
        if who not in known:
            raise NotFoundError(f"no manager with id {who!r}"
                                f"{did_you_mean(who, conn.scalars(select(mg.c.id)))}")
    active, left_at = conn.execute(select(mg.c.active, mg.c.left_at)
                                   .where(mg.c.id == to_manager)).one()
    if not active:
        raise GuanxiError(f"manager {to_manager!r} is not active; hand over to an active manager")
    if left_at is not None and left_at <= on:
        # The importer refuses the same owner change (a manager who has left).
        raise GuanxiError(f"manager {to_manager!r} left on {left_at}, on or before the "
                          f"handover day {on}; hand over to a manager who stays")
    ids = select(c.c.id).where(c.c.manager_id == from_manager)
    if customers:
        customers = list(dict.fromkeys(customers))
        found = set(conn.scalars(select(c.c.id).where(c.c.id.in_(customers))))
        missing = [cid for cid in customers if cid not in found]
        if missing:
            raise NotFoundError(f"no customer with id {missing[0]!r}")
        others = conn.execute(
            select(c.c.id, c.c.manager_id)
            .where(c.c.id.in_(customers), c.c.manager_id.is_distinct_from(from_manager)).limit(1)
        ).first()
        if others:
            raise GuanxiError(f"customer {others.id!r} belongs to {others.manager_id!r}, "
                              f"not {from_manager!r}; nothing was moved")
        ids = ids.where(c.c.id.in_(customers))
    later = conn.execute(
        select(o.c.customer_id, o.c.started_at)
        .where(o.c.ended_at.is_(None), o.c.customer_id.in_(ids), o.c.started_at > on).limit(1)
    ).first()
    if later:
        raise GuanxiError(f"customer {later.customer_id!r} has been {from_manager!r}'s only since "
                          f"{later.started_at}; a handover on {on} would end that before it began")
    moving = select(c.c.id.label("customer_id"), literal(to_manager).label("manager_id")).where(
        c.c.id.in_(ids))
    tasks = hand_over(conn, moving, on, reason or "reassigned")
    moved = conn.execute(update(c).where(c.c.id.in_(ids)).values(manager_id=to_manager)).rowcount
    return ReassignResult(from_manager=from_manager, to_manager=to_manager, customers=moved,
                          tasks=tasks, on=on)
