"""What every engine shares: building a contribution's select, guarded.

A query builder that raises, or returns something that is not a select
with the columns its kind requires, stops that contribution's job with an
error naming the contribution and its pack.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from sqlalchemy import Column, MetaData, Table, delete, select
from sqlalchemy.sql import Select

from guanxi.engines.context import Context
from guanxi.errors import PackError
from guanxi.model import MERGED_STATUS
from guanxi.storage import tables as t


def build_context(rt, pack: str, as_of) -> Context:
    """A pack's query context, the calendar left as it is.

    The engines build the working days only for a query that reads them
    (``ctx.uses_calendar``, :func:`prepare_calendar`): building never writes.
    """
    return Context(dialect=rt.dialect, pack=pack, config=rt.settings.get(pack, {}),
                   as_of=as_of, filters=tuple(rt.plugins.filters_of(pack)),
                   metrics=rt.plugins.metrics())


def context_for(rt, record, as_of, **extra) -> Context:
    """The context a contribution's builder receives."""
    return attrs.evolve(build_context(rt, record.pack, as_of), **extra)


def prepare_calendar(rt, ctx: Context) -> None:
    """Build the working days a built query reads (``ctx.uses_calendar``), before it runs.

    Building a query never writes; running it may need ``business_days``
    for the as-of years, which only then are built.
    """
    if ctx.uses_calendar:
        rt.ensure_business_days(ctx.as_of)


def build_query(record, ctx: Context, required: Iterable[str], kind: str, builder=None):
    """Call ``record.query(ctx)`` (or ``builder(ctx)``); check it returns a Select with ``required`` columns."""
    try:
        query = (builder or record.query)(ctx)
    except Exception as exc:
        raise PackError(
            f"{kind} {record.name!r} of pack {record.pack!r} failed building its query: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(query, Select):
        raise PackError(
            f"{kind} {record.name!r} of pack {record.pack!r} returned "
            f"{type(query).__name__}, not a SQLAlchemy Select"
        )
    names = set(query.selected_columns.keys())
    missing = [name for name in required if name not in names]
    if missing:
        raise PackError(
            f"{kind} {record.name!r} of pack {record.pack!r} returns no column(s) "
            f"{', '.join(missing)}; it must return {', '.join(required)}"
        )
    if ctx.filters and not kind.startswith("KPI") and "customer_id" in names:
        # Keep the pack to the customers it serves.
        inner = query.subquery(record.name.replace(".", "_") + "_all")
        # A rule's task of a manager's own (no customer) is the pack's to give.
        served = ctx.served(inner.c.customer_id)
        if "customer_id" in inner.c and kind == "service rule":
            served = inner.c.customer_id.is_(None) | served
        query = select(inner).where(served)
    return query.subquery(record.name.replace(".", "_"))


#: Work tables by name and columns: SQLAlchemy's statement cache knows a
#: table by identity, so a new Table per job made every statement on it
#: compile again (the rule engine's fixed cost per rule).
_TEMP_TABLES: dict[tuple, Table] = {}


def temp_table(name: str, *columns: Column) -> Table:
    """A temporary work table; it lives with the connection of the job."""
    key = (name, tuple((c.name, repr(c.type), c.nullable, c.primary_key, c.index, c.unique)
                       for c in columns))
    if key not in _TEMP_TABLES:
        _TEMP_TABLES[key] = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    return _TEMP_TABLES[key]


def leave_out_merged(conn, work: Table) -> int:
    """Delete a work table's rows for customers merged into another; how many.

    A merged customer (``guanxi customers merge``) is kept only as an alias:
    its records moved to the customer kept, so no label or task is its. One
    probe of the status index first: most bases have no merged customer.
    The cost is the merged customers', not the base's.
    """
    merged = select(t.customers.c.id).where(t.customers.c.status == MERGED_STATUS)
    if conn.execute(merged.limit(1)).first() is None:
        return 0
    return conn.execute(delete(work).where(work.c.customer_id.in_(merged)),
                        execution_options={"preserve_rowcount": True}).rowcount


def drop_temp_table(conn, table: Table) -> None:
    """Drop a :func:`temp_table` once the job is done with it."""
    try:
        table.drop(conn, checkfirst=True)
        conn.commit()
    except Exception:  # temporary: it goes with the connection anyway
        conn.rollback()


def failure(record, kind: str, exc: Exception) -> PackError:
    """The error a failing statement of a contribution becomes."""
    if isinstance(exc, PackError):
        return exc
    message = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return PackError(
        f"{kind} {record.name!r} of pack {record.pack!r} failed: {type(exc).__name__}: "
        f"{message}; its job was rolled back"
    )
