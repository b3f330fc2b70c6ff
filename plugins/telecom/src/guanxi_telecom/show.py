"""What the telecom demo prints: stages, risks, retention, expiry tasks and the
per-manager KPIs against their targets, read through the workspace's API."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from guanxi import tables
from guanxi.output import format_figure, table

#: Managers listed in the per-manager table.
MANAGERS_LISTED = 6


def change_managers_twice(ws, ctx, ids) -> list[str]:
    """Hand each key account to a colleague 60 days before the demo's day and back 20
    days before it: two manager changes in twelve months (TEL-RISK)."""
    c = tables.customers
    with ws.engine.connect() as conn:
        owners = dict(conn.execute(select(c.c.id, c.c.manager_id).where(c.c.id.in_(ids))).all())
    colleague = ctx.manager_id(1)
    moved = []
    for customer, owner in sorted(owners.items()):
        other = colleague if owner != colleague else ctx.manager_id(2)
        ws.reassign(owner, other, customers=[customer], on=ctx.as_of - dt.timedelta(days=60),
                    reason="demo: cover")
        ws.reassign(other, owner, customers=[customer], on=ctx.as_of - dt.timedelta(days=20),
                    reason="demo: back")
        moved.append(customer)
    return moved


def _labels(ws, segmentation) -> dict[str, str]:
    s = tables.segments
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(s.c.customer_id, s.c.label)
                                 .where(s.c.segmentation == segmentation)).all())


def _indent(rows, columns) -> list[str]:
    return ["  " + line for line in table(rows, columns).splitlines()]


def _figure(value, unit):
    return format_figure(value, unit)


def lines(ws, ctx, moved=()) -> list[str]:
    out = []
    stages = Counter(_labels(ws, "telecom.stage").values())
    out.append("\nKey-account stages (TEL-STAGE): " + ", ".join(
        f"{label} {stages.get(label, 0)}" for label in ("gestation", "growth", "partnership",
                                                        "interruption")))
    risks = _labels(ws, "telecom.risk")
    high = sorted(c for c, label in risks.items() if label == "high")
    out.append(f"\nInterruption risk (TEL-RISK): high {len(high)}, medium "
               f"{sum(1 for v in risks.values() if v == 'medium')}, low "
               f"{sum(1 for v in risks.values() if v == 'low')}")
    s = tables.segments
    with ws.engine.connect() as conn:
        stored = conn.execute(select(s.c.customer_id, s.c.reason).where(
            s.c.segmentation == "telecom.risk", s.c.label == "high")
            .order_by(s.c.score.desc(), s.c.customer_id).limit(4)).all()
        handed = conn.execute(select(s.c.customer_id, s.c.label, s.c.reason).where(
            s.c.segmentation == "telecom.risk", s.c.customer_id.in_(list(moved)))
            .order_by(s.c.customer_id)).all()
    for customer, reason in stored:
        out.append(f"  {customer}: {ws.render_reason(reason)}")
    if handed:
        out.append("  handed over and back:")
    for customer, label, reason in handed:
        out.append(f"  {customer} ({label}): {ws.render_reason(reason)}")
    period = f"{ctx.as_of:%Y-%m}"
    retention = ws.kpi(["telecom.retention"], period=period, by="territory", as_of=ctx.as_of)
    out.append(f"\nRetention of the original group customers {period} by territory "
               "(target 90%)")
    out += _indent([{"territory": v.scope_key, "retention": _figure(v.value, "share"),
                     "target": _figure(v.target, "share")} for v in retention],
                   ["territory", "retention", "target"])
    expiry = ws.tasks(rule="telecom.expiry")
    out.append(f"\nOn-site renewal visits (TEL-EXPIRY): {len(expiry)}")
    for task in expiry[:4]:
        out.append(f"  {task.manager_id} at {task.customer_id}: {task.reason}")
    for rule, title in (("telecom.contact", "Key contact changes (TEL-CONTACT)"),
                        ("telecom.price", "Retention reviews (TEL-PRICE)"),
                        ("telecom.winback", "Reactivation calls (TEL-WINBACK)"),
                        ("telecom.sweep", "Sweep prospects to sell (TEL-SWEEP)"),
                        ("telecom.multi", "Single-contact key accounts (TEL-MULTI)"),
                        ("telecom.partner", "New partners (TEL-PARTNER)")):
        tasks = ws.tasks(rule=rule)
        out.append(f"\n{title}: {len(tasks)}")
        for task in tasks[:2]:
            out.append(f"  {task.manager_id} at {task.customer_id}: {task.reason}")
    names = ["telecom.new_subscriptions", "telecom.reactivations"]
    by_manager: dict[str, dict] = {}
    for v in ws.kpi(names, period=period, by="manager", as_of=ctx.as_of):
        by_manager.setdefault(v.scope_key, {})[v.kpi] = v
    out.append(f"\nPer manager, {period} (targets: 20 new subscriptions, 25 reactivations)")
    rows = []
    for manager in sorted(by_manager)[:MANAGERS_LISTED]:
        got = by_manager[manager]
        row = {"manager": manager}
        for name, short in zip(names, ("new", "reactivated")):
            v = got.get(name)
            row[short] = (f"{_figure(v.value, 'lines')} / {_figure(v.target, 'lines')}"
                          if v else "-")
        rows.append(row)
    out += _indent(rows, ["manager", "new", "reactivated"])
    from guanxi_telecom.kpis import KPIS

    values = {v.kpi: v for v in ws.kpi([k.name for k in KPIS], period=period, as_of=ctx.as_of)}
    out.append(f"\nTelecom KPIs {period} (to {ctx.as_of})")
    out += _indent([{"kpi": k.name, "value": _figure(values[k.name].value, k.unit)
                     if k.name in values else "-",
                     "target": _figure(values[k.name].target, k.unit)
                     if k.name in values and values[k.name].target is not None else ""}
                    for k in KPIS], ["kpi", "value", "target"])
    # Monthly revenue arrives once a month is closed: the month in progress has
    # no growth yet, so the last closed month's is shown beside it.
    closed = f"{ctx.as_of.replace(day=1) - dt.timedelta(days=1):%Y-%m}"
    growth = ws.kpi(["telecom.revenue_growth"], period=closed)
    now = values.get("telecom.revenue_growth")
    out.append(f"  revenue growth of the last closed month, {closed}: "
               f"{_figure(growth[0].value if growth else None, 'share')}"
               + (f" ({period}: no revenue recorded yet)" if now is None or now.value is None
                  else ""))
    return out
