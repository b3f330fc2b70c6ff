"""The receivables KPIs: aging buckets and the amount outstanding (REC-AGING),
days sales outstanding (REC-DSO) and collection (REC-COLLECT, 催收责任制).

Each value and its rows (``--explain``) come from one helper holding the
filter, so they cannot drift. Amounts are read at the period's last day (or
the as-of day, for a period still running): what was owed then, in the
bucket its days past due put it in then. By manager and team a customer
counts for its owner: collection is the owning manager's (催收责任制).
"""

from __future__ import annotations

import datetime as dt

from guanxi import Kpi
from sqlalchemy import Float, and_, case, cast, func, or_, select

from guanxi_receivables.ledger import in_bucket, invoices, snapshot_day
from guanxi_receivables.options import BUCKETS, PAYMENT

_TITLES = {"current": "not yet due", "1_30": "1–30 days past due",
           "31_60": "31–60 days past due", "61_90": "61–90 days past due",
           "91_180": "91–180 days past due", "181_365": "181–365 days past due",
           "over_365": "over 365 days past due"}

REASONS = {
    "receivables.kpi.owed": {
        "en": "invoice {invoice} of {customer}, due {due}: {owed} owed of {amount} on {day}, "
              "{days} days past due",
        "zh": "发票 {invoice}（客户 {customer}），{due} 到期：截至 {day} 欠 {owed}（原额 {amount}），"
              "逾期 {days} 天"},
    "receivables.kpi.dso": {
        "en": "invoice {invoice} of {customer} issued {issued}: {owed} owed on {day} "
              "(× {days} days), {invoiced} invoiced in the window",
        "zh": "发票 {invoice}（客户 {customer}），{issued} 开具：截至 {day} 欠 {owed}（× {days} 天），"
              "计入窗口开票额 {invoiced}"},
    "receivables.kpi.on_time": {
        "en": "invoice {invoice} of {customer}, due {due}: {on_time} of {amount} settled by "
              "the due day",
        "zh": "发票 {invoice}（客户 {customer}），{due} 到期：到期日前结清 {on_time}（原额 {amount}）"},
    "receivables.kpi.payment": {
        "en": "payment {payment} of {customer} on {day}: {amount}",
        "zh": "回款 {payment}（客户 {customer}），{day}：{amount}"},
}


def _owed(ctx, bucket: str | None):
    day = snapshot_day(ctx)
    b = invoices(ctx, day, "aging_invoices")
    where = [b.c.owed > 0, ctx.served(b.c.customer_id)]
    if bucket is not None:
        where.append(in_bucket(ctx, b.c.due_on, day, bucket))
    return b, ctx.scope_key(b.c.customer_id).label("scope_key"), and_(*where), day


def _owed_query(bucket):
    def query(ctx):
        b, key, counted, _ = _owed(ctx, bucket)
        return select(key, func.sum(b.c.owed).label("value")).where(counted).group_by(key)
    return query


def _owed_rows(bucket):
    def rows(ctx):
        b, key, counted, day = _owed(ctx, bucket)
        reason = ctx.reason("receivables.kpi.owed", invoice=b.c.id, customer=b.c.customer_id,
                            due=ctx.day_text(b.c.due_on), owed=b.c.owed, amount=b.c.amount,
                            day=day.isoformat(), days=ctx.days_past_due(b.c.due_on, day))
        return select(key, b.c.id.label("row_id"), b.c.owed.label("figure"),
                      reason.label("reason")).where(counted)
    return rows


def _dso(ctx):
    day = snapshot_day(ctx)
    days = ctx.config["dso.days"]
    b = invoices(ctx, day, "dso_invoices")
    # The window: the `days` days ending on the period's last day, both ends in.
    in_window = b.c.issued_at >= ctx.at(day - dt.timedelta(days=days - 1))
    invoiced = case((in_window, b.c.amount), else_=0)
    counted = and_(or_(b.c.owed > 0, in_window), ctx.served(b.c.customer_id))
    return b, ctx.scope_key(b.c.customer_id).label("scope_key"), counted, invoiced, day, days


def dso_query(ctx):
    b, key, counted, invoiced, _, days = _dso(ctx)
    value = ctx.ratio(func.sum(cast(b.c.owed, Float) * days), func.sum(cast(invoiced, Float)))
    return select(key, value.label("value")).where(counted).group_by(key)


def dso_rows(ctx):
    # Σ figure ÷ Σ weight = DSO: each invoice adds what it owes × the days, and
    # weighs what it invoiced inside the window.
    b, key, counted, invoiced, day, days = _dso(ctx)
    reason = ctx.reason("receivables.kpi.dso", invoice=b.c.id, customer=b.c.customer_id,
                        issued=ctx.day_text(b.c.issued_at), owed=b.c.owed, day=day.isoformat(),
                        days=days, invoiced=invoiced)
    return select(key, b.c.id.label("row_id"), (cast(b.c.owed, Float) * days).label("figure"),
                  cast(invoiced, Float).label("weight"), reason.label("reason")).where(counted)


def _on_time(ctx):
    # Invoices due inside the period, up to the as-of day: their due day has come.
    b = invoices(ctx, snapshot_day(ctx), "on_time_invoices", by_due=True)
    on_time = case((b.c.settled_by_due < b.c.amount, b.c.settled_by_due), else_=b.c.amount)
    counted = and_(ctx.in_period(b.c.due_on), b.c.amount > 0, ctx.served(b.c.customer_id))
    return b, ctx.scope_key(b.c.customer_id).label("scope_key"), counted, on_time


def on_time_query(ctx):
    b, key, counted, on_time = _on_time(ctx)
    value = ctx.ratio(func.sum(cast(on_time, Float)), func.sum(cast(b.c.amount, Float)))
    return select(key, value.label("value")).where(counted).group_by(key)


def on_time_rows(ctx):
    b, key, counted, on_time = _on_time(ctx)
    reason = ctx.reason("receivables.kpi.on_time", invoice=b.c.id, customer=b.c.customer_id,
                        due=ctx.day_text(b.c.due_on), on_time=on_time, amount=b.c.amount)
    return select(key, b.c.id.label("row_id"), cast(on_time, Float).label("figure"),
                  cast(b.c.amount, Float).label("weight"), reason.label("reason")).where(counted)


def _payments(ctx):
    i = ctx.tables.interactions
    counted = and_(i.c.kind == PAYMENT, ctx.in_period(i.c.occurred_at), i.c.amount.is_not(None),
                   ctx.served(i.c.customer_id))
    return i, ctx.scope_key(i.c.customer_id).label("scope_key"), counted


def collected_query(ctx):
    i, key, counted = _payments(ctx)
    return select(key, func.sum(func.abs(i.c.amount)).label("value")).where(counted).group_by(key)


def collected_rows(ctx):
    i, key, counted = _payments(ctx)
    reason = ctx.reason("receivables.kpi.payment", payment=i.c.id, customer=i.c.customer_id,
                        day=ctx.day_text(i.c.occurred_at), amount=func.abs(i.c.amount))
    return select(key, i.c.id.label("row_id"), func.abs(i.c.amount).label("figure"),
                  reason.label("reason")).where(counted)


def _aging_kpi(name, first, last) -> Kpi:
    return Kpi(name=f"receivables.aging_{name}", title=f"Receivables {_TITLES[name]}",
               description=f"REC-AGING: what invoices {_TITLES[name]} still owe at the period's "
                           "last day (or the as-of day), after payments, credit notes and "
                           "write-offs.",
               query=_owed_query(name), rows=_owed_rows(name), row_kind="interaction",
               combine="sum", unit="money", empty=0, higher_is_better=name == "current",
               reasons={"receivables.kpi.owed": REASONS["receivables.kpi.owed"]})


KPIS = [
    *(_aging_kpi(name, first, last) for name, first, last in BUCKETS),
    Kpi(name="receivables.outstanding", title="Receivables outstanding",
        description="REC-AGING: what every invoice still owes at the period's last day (or the "
                    "as-of day): the sum of the aging buckets.",
        query=_owed_query(None), rows=_owed_rows(None), row_kind="interaction", combine="sum",
        unit="money", empty=0, higher_is_better=False,
        reasons={"receivables.kpi.owed": REASONS["receivables.kpi.owed"]}),
    Kpi(name="receivables.dso", title="Days sales outstanding",
        description="REC-DSO: receivables outstanding at the period's last day ÷ the amount "
                    "invoiced in the [receivables.dso] days (90) ending that day × those days.",
        query=dso_query, rows=dso_rows, row_kind="interaction", combine="ratio", unit="days",
        higher_is_better=False,
        reasons={"receivables.kpi.dso": REASONS["receivables.kpi.dso"]}),
    Kpi(name="receivables.collected_on_time", title="Collected on time",
        description="REC-COLLECT: of the amount of invoices due in the period (up to the as-of "
                    "day), the share settled by the due day; by manager, the owner's (催收责任制).",
        query=on_time_query, rows=on_time_rows, row_kind="interaction", combine="ratio",
        unit="share", target=0.95,
        reasons={"receivables.kpi.on_time": REASONS["receivables.kpi.on_time"]}),
    Kpi(name="receivables.collected", title="Collected",
        description="REC-COLLECT: payments received in the period; by manager, the owner's.",
        query=collected_query, rows=collected_rows, row_kind="interaction", combine="sum",
        unit="money", empty=0,
        reasons={"receivables.kpi.payment": REASONS["receivables.kpi.payment"]}),
]
