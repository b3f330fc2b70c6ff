"""Outage notices (POWER-OUTAGE, POWER-BILLPREF): one record per customer and outage.

Building the notices of an outage is one INSERT ... SELECT over the
customers it affects (its feeder or meter-reading segment): every one for a
planned outage, due ``outage.planned_days`` before it starts; the
important and class 1 ones for a temporary outage, due
``outage.temporary_hours`` before it. Each goes on the channel of the
customer's bill preference (``bill_channel``, sms when empty) to its
``bill_address``. The daily batch makes them on the day they are due (the
record rule ``power.notices``); ``guanxi power notices`` makes an outage's
at once, whenever it starts. Building again adds only customers not yet
noticed; sending records ``sent_at``, and the on-time notice KPI reads the
records.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from sqlalchemy import DateTime, String, and_, case, func, insert, literal, or_, select, update

from guanxi import NotFoundError, RecordRule, UsageError
from guanxi.workbooks import write_table
from guanxi_power import tables
from guanxi_power.blocks import notified

COLUMNS = ("outage_id", "customer_id", "name", "channel", "address", "due_at", "sent_at",
           "reason")


def outage(conn, outage_id: str):
    o = tables.outages
    row = conn.execute(select(o).where(o.c.id == outage_id)).first()
    if row is None:
        known = conn.execute(select(o.c.id).order_by(o.c.starts_at.desc()).limit(5)).scalars()
        raise NotFoundError(f"no outage with id {outage_id!r}; latest: "
                            f"{', '.join(known) or 'none (guanxi import outages FILE)'}")
    return row


def lead(ctx, kind: str) -> dt.timedelta:
    """How long before an outage of ``kind`` its notices are due (whole days: see
    :func:`lead_days`)."""
    return dt.timedelta(days=lead_days(ctx, kind))


def lead_days(ctx, kind: str) -> int:
    """Days before an outage of ``kind`` its notices are due: ``outage.planned_days``,
    or ``outage.temporary_hours`` rounded up to whole days (never later than asked)."""
    if kind == "planned":
        return ctx.config["outage.planned_days"]
    return math.ceil(ctx.config["outage.temporary_hours"] / 24)


def notice_rows(ctx, made_at):
    """The notice records of every outage for its notified customers: the columns of
    ``power_notices`` (``sent_at`` left empty). One select for the batch and the command."""
    c, o = ctx.tables.customers, tables.outages
    planned, temporary = lead_days(ctx, "planned"), lead_days(ctx, "temporary")
    is_planned = o.c.kind == "planned"
    due = case((is_planned, ctx.plus_days(o.c.starts_at, -planned)),
               else_=ctx.plus_days(o.c.starts_at, -temporary))
    channel = func.coalesce(ctx.attribute(c, "bill_channel"), literal("sms"))
    hours = ctx.config["outage.temporary_hours"]
    reason = ctx.reason(
        "power.outage.notice", outage=o.c.id, kind=o.c.kind, starts=ctx.minute_text(o.c.starts_at),
        due=ctx.minute_text(due),
        before=case((is_planned, literal(f"{planned} days")), else_=literal(f"{hours:g} hours")),
        channel=channel,
        where=func.coalesce(ctx.attribute(c, "feeder"), ctx.attribute(c, "reading_segment")))
    return (select(o.c.id.label("outage_id"), c.c.id.label("customer_id"),
                   channel.label("channel"), due.label("due_at"),
                   literal(made_at, DateTime).label("made_at"), reason.label("reason"))
            .select_from(o.join(c, notified(ctx, o, c)))
            .where(c.c.status != "lost"))


def due_notices(ctx):
    """POWER-OUTAGE in the daily batch: the notices due by the end of the as-of day of
    the outages not started before it (a record rule: the engine adds the missing ones)."""
    o = tables.outages
    day = ctx.as_of

    def starts_by(kind_is, days):
        # Due on or before the as-of day: starting before its end plus the lead (sargable).
        return and_(kind_is, o.c.starts_at < ctx.at(day, 1 + days))

    return notice_rows(ctx, dt.datetime.combine(day, dt.time())).where(
        o.c.starts_at >= ctx.at(day),
        or_(starts_by(o.c.kind == "planned", lead_days(ctx, "planned")),
            starts_by(o.c.kind != "planned", lead_days(ctx, "temporary"))))


def build(ws, outage_id: str) -> int:
    """Make the outage's missing notice records, whenever it starts; returns how many."""
    ctx = ws.query_context("power")
    n, c = tables.notices, ctx.tables.customers
    with ws.engine.begin() as conn:
        outage(conn, outage_id)
        query = notice_rows(ctx, ws.now()).where(
            tables.outages.c.id == outage_id, ctx.served(c.c.id)).subquery()
        have = select(n.c.customer_id).where(n.c.outage_id == outage_id)
        return conn.execute(insert(n).from_select(
            list(query.c.keys()),
            select(query).where(query.c.customer_id.not_in(have)).order_by(query.c.customer_id)),
            execution_options={"preserve_rowcount": True}).rowcount


RECORD_RULES = (
    RecordRule(
        name="power.notices", title="Outage notices (POWER-OUTAGE, POWER-BILLPREF)",
        description="Every customer on the feeder or segment of a planned outage gets a notice "
                    "record 7 days before it; important and class 1 customers 24 hours before "
                    "a temporary one; on the channel of their bill preference. One record per "
                    "customer and outage: a rerun adds nothing.",
        table=tables.notices, key=("outage_id", "customer_id"), query=due_notices),
)


def mark_sent(ws, outage_id: str, at: dt.datetime) -> int:
    """Record the outage's unsent notices as sent at ``at``; returns how many."""
    n = tables.notices
    with ws.engine.begin() as conn:
        outage(conn, outage_id)
        return conn.execute(update(n).where(n.c.outage_id == outage_id, n.c.sent_at.is_(None))
                            .values(sent_at=at)).rowcount


def rows(ws, outage_id: str) -> list[dict]:
    """The send list: one dict per notice, by channel then customer."""
    ctx = ws.query_context("power")
    c, n = ctx.tables.customers, tables.notices
    address = ctx.attribute(c, "bill_address")
    with ws.engine.connect() as conn:
        outage(conn, outage_id)
        found = conn.execute(
            select(n.c.outage_id, n.c.customer_id, c.c.name, n.c.channel,
                   func.coalesce(address, literal("", String)).label("address"), n.c.due_at,
                   n.c.sent_at, n.c.reason)
            .join(c, c.c.id == n.c.customer_id)
            .where(n.c.outage_id == outage_id)
            .order_by(n.c.channel, n.c.customer_id)).all()
    return [{**dict(r._mapping), "reason": ws.render_reason(r.reason)} for r in found]


def write(rows: list[dict], path) -> None:
    """The send list as CSV (UTF-8 with a BOM, for Excel) or xlsx."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows([_cell(r[k]) for k in COLUMNS] for r in rows)
    elif suffix == ".xlsx":
        # Typed cells (the send time a datetime cell), as every xlsx guanxi writes.
        write_table(path, rows, COLUMNS, sheet="notices")
    else:
        raise UsageError(f"{path.name}: the send list is written as .csv or .xlsx")


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value
