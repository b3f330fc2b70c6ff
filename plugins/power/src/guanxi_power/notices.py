"""Outage notices (POWER-OUTAGE, POWER-BILLPREF): one record per customer and outage.

Building the notices of an outage is one INSERT ... SELECT over the
customers it affects (its feeder or meter-reading segment): every one for a
planned outage, due ``outage.planned_days`` before it starts; the
important and class 1 ones for a temporary outage, due
``outage.temporary_hours`` before it. Each goes on the channel of the
customer's bill preference (``bill_channel``, sms when empty) to its
``bill_address``. Building again adds only customers not yet noticed;
sending records ``sent_at``, and the on-time notice KPI reads the records.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import String, func, insert, literal, select, update

from guanxi import NotFoundError, UsageError
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
    """How long before an outage of ``kind`` its notices are due."""
    if kind == "planned":
        return dt.timedelta(days=ctx.config["outage.planned_days"])
    return dt.timedelta(hours=ctx.config["outage.temporary_hours"])


def build(ws, outage_id: str) -> int:
    """Make the outage's missing notice records; returns how many were made."""
    ctx = ws.query_context("power")
    c, n = ctx.tables.customers, tables.notices
    o = tables.outages
    with ws.engine.begin() as conn:
        row = outage(conn, outage_id)
        before = lead(ctx, row.kind)
        due = row.starts_at - before
        channel = func.coalesce(ctx.attribute(c, "bill_channel"), literal("sms"))
        hours = before.total_seconds() / 3600
        shown = f"{before.days} days" if row.kind == "planned" else f"{hours:g} hours"
        reason = ctx.reason(
            "power.outage.notice", outage=row.id, kind=row.kind,
            starts=row.starts_at.strftime("%Y-%m-%d %H:%M"), due=due.strftime("%Y-%m-%d %H:%M"),
            before=shown, channel=channel,
            where=func.coalesce(ctx.attribute(c, "feeder"), ctx.attribute(c, "reading_segment")))
        before_count = conn.execute(
            select(func.count()).where(n.c.outage_id == outage_id)).scalar_one()
        have = select(n.c.customer_id).where(n.c.outage_id == outage_id)
        conn.execute(insert(n).from_select(
            ["outage_id", "customer_id", "channel", "due_at", "made_at", "reason"],
            select(o.c.id, c.c.id, channel, literal(due), literal(ws.now()), reason)
            .select_from(o.join(c, notified(ctx, o, c)))
            .where(o.c.id == outage_id, c.c.id.not_in(have), c.c.status != "lost")
            .order_by(c.c.id)))
        made = conn.execute(
            select(func.count()).where(n.c.outage_id == outage_id)).scalar_one() - before_count
    return made


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
    values = [[_cell(r[k]) for k in COLUMNS] for r in rows]
    if suffix == ".csv":
        import csv

        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(values)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("notices")
        sheet.append(list(COLUMNS))
        for line in values:
            sheet.append(line)
        book.save(path)
    else:
        raise UsageError(f"{path.name}: the send list is written as .csv or .xlsx")


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value
