"""What the tobacco demo's summary shows: checklist and downgrade tasks, next week's
schedule, a monthly report and the KPIs, every figure read from the workspace.
"""

from __future__ import annotations

import datetime as dt

from guanxi_tobacco.demo_workflow import report_month
from guanxi_tobacco.options import MONTHLY_REPORT


#: Managers listed one line each in next week's schedule; more are counted, not listed.
PLAN_MANAGERS_LISTED = 60


def _table(rows, columns) -> list[str]:
    from guanxi.output import table

    return ["  " + line for line in table(rows, columns).splitlines()]


def summary_lines(ws, ctx, authors):
    out = []
    incomplete = ws.tasks(rule="tobacco.checklist")
    out.append(f"\nIncomplete visit records (TOB-CHECKLIST): {len(incomplete):,}")
    # The retailers' first: the generic base's visits know nothing of the checklist.
    for task in sorted(incomplete, key=lambda t: not t.customer_id.startswith("T"))[:3]:
        out.append(f"  {task.manager_id} at {task.customer_id}: {task.reason}")
    downgrades = ws.tasks(rule="tobacco.downgrade_approval")
    out.append(f"\nPrice downgrades awaiting the regional market manager (TOB-PRICE): "
               f"{len(downgrades):,}")
    for task in downgrades[:3]:
        out.append(f"  {task.manager_id} for {task.customer_id}: {task.reason}")
    shown = authors[0] if authors else None
    out += _plan_lines(ws, ctx, shown)
    month = report_month(ctx)
    if shown:
        out.append(f"\nMonthly sales analysis report {month} (TOB-REPORT), {shown}: "
                   f"guanxi tobacco report --month {month} --manager {shown}")
        out += _report_lines(ws, ctx, month, shown)
    from guanxi.output import format_figure
    from guanxi_tobacco.kpis import KPIS

    period = f"{ctx.as_of:%Y-%m}"
    values = {v.kpi: v for v in ws.kpi([k.name for k in KPIS], period=period, as_of=ctx.as_of)
              if v.scope == "all"}
    out.append(f"\nTobacco KPIs {period} (to {ctx.as_of})")
    out += _table(
        [{"kpi": k.name, "value": format_figure(values[k.name].value if k.name in values else None,
                                                k.unit, currency=ws.config.currency,
                                                with_unit=False), "unit": k.unit} for k in KPIS],
        ["kpi", "value", "unit"])
    return out


def _plan_lines(ws, ctx, shown) -> list[str]:
    """Next week's schedule (TOB-PLAN): every manager's visits a day, one line each, then
    one manager's full schedule."""
    week = ctx.as_of + dt.timedelta(days=7)
    visits = [v for v in ws.plan(week) if v.cadence == "tobacco.plan"]
    if not visits:
        return ["\nNext week's schedule (TOB-PLAN, 《客户访问日程表》): no visits planned"]
    label = visits[0].week
    days = sorted({v.day for v in visits})
    per: dict[str, dict] = {}
    for v in visits:
        row = per.setdefault(v.manager_id, {"manager": v.manager_id, "territory": {},
                                            "visits": 0})
        row["territory"][v.territory] = None
        row["visits"] += 1
        row[f"{v.day:%a %m-%d}"] = row.get(f"{v.day:%a %m-%d}", 0) + 1
    rows = [{**r, "territory": ", ".join(t for t in r["territory"] if t)}
            for _, r in sorted(per.items())]
    out = [f"\nNext week's schedule {label} (TOB-PLAN, 《客户访问日程表》): {len(visits):,} "
           f"retailer visits for {len(rows):,} managers (guanxi plan show --week {label})"]
    out += _table(rows[:PLAN_MANAGERS_LISTED],
                  ["manager", "territory", "visits", *(f"{d:%a %m-%d}" for d in days)])
    if len(rows) > PLAN_MANAGERS_LISTED:
        out.append(f"  ... and {len(rows) - PLAN_MANAGERS_LISTED:,} more managers")
    shown = shown if shown in per else rows[0]["manager"]
    out.append(f"\n{shown}'s schedule {label}, every visit "
               f"(guanxi plan show --week {label} --manager {shown})")
    mine = [v for v in visits if v.manager_id == shown]
    for day in sorted({v.day for v in mine}):
        ids = [v.customer_id for v in mine if v.day == day]
        for i in range(0, len(ids), 12):
            head = f"{day:%a %m-%d} {len(ids):>3}" if i == 0 else " " * 13
            out.append(f"  {head}  " + " ".join(ids[i:i + 12]))
    return out


def _report_lines(ws, ctx, month, manager) -> list[str]:
    lines = ws.render_report(MONTHLY_REPORT, month, manager, as_of=ctx.as_of).splitlines()
    return ["  " + line for line in lines[:40]] + (["  ..."] if len(lines) > 40 else [])
