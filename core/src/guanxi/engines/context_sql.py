"""SQL pieces the query kit shares with the core's Python side: minute text, hours
between two datetimes, the person holding a role for a manager.

The service machinery (cases, the planner) builds SQL outside a query builder;
these are the kit's ``ctx.minute_text``, ``ctx.hours_between`` and
``ctx.role_person``, written once.
"""

from __future__ import annotations


from sqlalchemy import Float, Integer, String, and_, cast, extract, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from guanxi.storage import tables


# -- helpers the core's Python side shares with the kit -------------------------------
# The service machinery (cases, the planner) builds SQL outside a query
# builder; these two are the kit's ``ctx.hours_between`` and
# ``ctx.role_person``, written once.


def minute_text_sql(dialect: str, expr) -> ColumnElement:
    """:meth:`Context.minute_text` for code that has a dialect and no context (the case machine)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M", expr, type_=String)
    return func.to_char(expr, "YYYY-MM-DD HH24:MI", type_=String)


def hours_between_sql(dialect: str, start, end) -> ColumnElement:
    """Hours from ``start`` to ``end`` (datetimes), to the second, as SQL."""
    if dialect == "sqlite":
        def seconds(x):
            return cast(func.strftime("%s", x), Integer)
        return (seconds(end) - seconds(start)) / literal(3600.0)
    return cast(extract("epoch", end - start), Float) / literal(3600.0)


def role_person(role: str, owner) -> ColumnElement:
    """SQL for the person ``role`` resolves to, relative to the manager ``owner``.

    ``owner``: the owner; ``reports_to``: the owner's ``reports_to``; any
    other text is a manager role (compared without case): the active
    manager holding it in the owner's territory, else in the owner's team,
    else anywhere, the smallest id first. NULL when nobody resolves.
    """
    if role == "owner":
        return owner
    m = tables.managers.alias("role_base")
    if role == "reports_to":
        # correlate_except: nested in another subquery (a step's superior), the owner's
        # table is the outermost query's; auto-correlation would stop one level up and
        # add that table to this FROM (PostgreSQL: more than one row).
        return select(m.c.reports_to).where(m.c.id == owner).correlate_except(m).scalar_subquery()
    holder = tables.managers.alias("role_holder")
    holds = and_(func.lower(holder.c.role) == role.lower(), holder.c.active.is_(True))

    def near(condition):
        return (
            select(func.min(holder.c.id))
            .select_from(holder.join(m, condition))
            .where(m.c.id == owner, holds)
            .correlate_except(holder, m)
            .scalar_subquery()
        )

    anywhere = select(func.min(holder.c.id)).where(holds).scalar_subquery()
    return func.coalesce(near(holder.c.territory == m.c.territory),
                         near(holder.c.team_id == m.c.team_id), anywhere)
