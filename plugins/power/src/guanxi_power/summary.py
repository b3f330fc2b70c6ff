"""What ``guanxi demo --pack power`` records after the batch, and what it shows.

Files cannot carry case steps or notices sent, so the summary records them
through the workspace (crews arriving and restoring supply, complaints
resolved and called back, outage notices made and sent, one late), re-runs
the pack's segmentations and rules as of the demo's day, then prints the
classes, the VIP and bad-credit lists, the credit grades, the notices, the
cases under 督办 and the KPIs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from guanxi import tables
from guanxi.demo_kit import month_start
from guanxi.output import format_figure, table


def _work_cases(ws, ctx) -> tuple[int, int]:
    """Cases worked after the batch: the open ones from the files late (their clocks have
    run since), and fresh ones opened today by hand, most on time (首问负责制: the
    receiver records each step)."""
    now = min(ws.now(), dt.datetime.combine(ctx.as_of, dt.time(23)))
    repaired = resolved = 0
    for case in ws.cases(state="open"):
        if case.id % 2:
            continue   # half stay open: the committee's list and 督办 levels
        last = ws.case_history(case.id)[-1].at + dt.timedelta(minutes=10)
        steps = [("respond", last), ("resolve", last + dt.timedelta(hours=3))]
        if not case.policy.startswith("power.repair_"):
            steps.append(("callback", last + dt.timedelta(hours=20)))
        if steps[-1][1] > now:
            continue
        for action, at in steps:
            ws.case_step(case.id, action, case.owner_id, at=at)
        repaired += case.policy.startswith("power.repair_")
        resolved += not case.policy.startswith("power.repair_")
    start = now - dt.timedelta(hours=30)
    cu = tables.customers
    with ws.engine.connect() as conn:
        fresh = conn.execute(select(cu.c.id, cu.c.manager_id, cu.c.attributes)
                             .where(cu.c.id.like("E%"), cu.c.manager_id.is_not(None))
                             .order_by(cu.c.id).offset(20).limit(12)).all()
    for n, customer in enumerate(fresh):
        opened = start + dt.timedelta(minutes=37 * n)
        if n % 2:
            area = (customer.attributes or {}).get("area") or "urban"
            case_id = ws.open_case(f"power.repair_{area}", customer.id, opened_at=opened,
                                   summary="故障报修").id
            arrive = opened + dt.timedelta(minutes=50 if n % 3 == 0 else 30)
            ws.case_step(case_id, "respond", customer.manager_id, at=arrive, note="crew on site")
            ws.case_step(case_id, "resolve", customer.manager_id,
                         at=arrive + dt.timedelta(hours=5 if n % 5 == 0 else 2),
                         note="supply restored")
            repaired += 1
        else:
            case_id = ws.open_case("power.complaint", customer.id, opened_at=opened,
                                   summary="电费疑问").id
            ws.case_step(case_id, "respond", customer.manager_id,
                         at=opened + dt.timedelta(hours=2))
            ws.case_step(case_id, "resolve", customer.manager_id,
                         at=opened + dt.timedelta(hours=20))
            if n % 4 == 0:
                ws.case_step(case_id, "callback", customer.manager_id,
                             at=opened + dt.timedelta(hours=28))
            resolved += 1
    return repaired, resolved


def _send_notices(ws, ctx) -> dict:
    from guanxi_power import notices
    from guanxi_power import tables as power_tables

    o = power_tables.outages
    with ws.engine.connect() as conn:
        outages = conn.execute(select(o.c.id, o.c.kind, o.c.starts_at).order_by(o.c.id)).all()
    made = {}
    power_ctx = ws.query_context("power")
    for row in outages:
        made[row.id] = notices.build(ws, row.id)
        due = row.starts_at - notices.lead(power_ctx, row.kind)
        if row.id == "PO-02":       # sent a day after their due time: late
            notices.mark_sent(ws, row.id, due + dt.timedelta(days=1))
        elif due.date() <= ctx.as_of:
            notices.mark_sent(ws, row.id, due - dt.timedelta(hours=2))
    return made


def _counts(ws, segmentation):
    s = tables.segments
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(s.c.label, func.count()).where(
            s.c.segmentation == segmentation).group_by(s.c.label).order_by(s.c.label)).all())


def _members(ws, name):
    lm = tables.list_members
    with ws.engine.connect() as conn:
        return conn.execute(select(lm.c.customer_id, lm.c.added_at, lm.c.removed_at)
                            .where(lm.c.list == name).order_by(lm.c.customer_id)).all()


def summary(ws, ctx) -> str:
    from guanxi_power.kpis import KPIS
    from guanxi_power.rules import RULES
    from guanxi_power.segments import SEGMENTATIONS

    repaired, resolved = _work_cases(ws, ctx)
    ws.tick_cases(at=min(ws.now(), dt.datetime.combine(ctx.as_of, dt.time(23))))
    ws.segment([s.name for s in SEGMENTATIONS], as_of=ctx.as_of)
    made = _send_notices(ws, ctx)
    ws.run_rules([r.name for r in RULES], as_of=ctx.as_of)
    out = ["Power (guanxi-power)", "====================",
           f"Recorded after the batch: {repaired} repairs restored, {resolved} complaints "
           f"resolved, outage notices made ({', '.join(f'{k}: {v}' for k, v in made.items())}); "
           f"power segmentations and rules re-run as of {ctx.as_of}."]
    classes = _counts(ws, "power.class")
    out.append("\nCustomer classes (POWER-CLASS): " + ", ".join(
        f"class {k}: {v:,}" for k, v in classes.items()))
    grades = _counts(ws, "power.credit")
    out.append("Credit grades (POWER-CREDIT): " + ", ".join(
        f"{g}: {grades.get(g, 0):,}" for g in ("AAA", "AA", "A", "B", "C")))
    for name, rule in (("vip", "POWER-VIP"), ("bad_credit", "POWER-CREDIT, 失信名单")):
        members = _members(ws, name)
        current = [m for m in members if m.removed_at is None]
        out.append(f"List {name} ({rule}): {len(current):,} members, e.g. "
                   + ", ".join(f"{m.customer_id} since {m.added_at}" for m in current[:3]))
    n, c = tables.case_events, tables.cases
    with ws.engine.connect() as conn:
        levels = conn.execute(select(c.c.id, c.c.policy, c.c.customer_id, c.c.owner_id,
                                     c.c.level).where(c.c.level >= 2).order_by(c.c.id)).all()
        sent = conn.execute(select(func.count()).where(n.c.action == "escalate")).scalar_one()
    out.append(f"\nCases under 督办 (POWER-ROUTE): {len(levels)} ({sent} escalation events)")
    for row in levels[:5]:
        out.append(f"  case {row.id} {row.policy} {row.customer_id}: level {row.level}")
    remind = ws.tasks(rule="power.remind")
    out.append(f"\nPayment reminders, calls and escalations (POWER-REMIND): {len(remind):,}")
    for task in remind[:3]:
        out.append(f"  {task.kind} {task.manager_id} for {task.customer_id}: {task.reason}")
    # This month's figures and the last closed month's: early in a month some have
    # nothing to judge yet (no bill due so far), the month before has them all.
    period = f"{ctx.as_of:%Y-%m}"
    previous = month_start(ctx.as_of, 1)
    names = [k.name for k in KPIS]
    now_values = {v.kpi: v.value for v in ws.kpi(names, period=period, as_of=ctx.as_of)}
    before = {v.kpi: v.value for v in ws.kpi(names, period=f"{previous:%Y-%m}", as_of=ctx.as_of)}

    def shown(values, k):
        return format_figure(values.get(k.name), k.unit, currency=ws.config.currency)

    rows = [{"kpi": k.name, period: shown(now_values, k), f"{previous:%Y-%m}": shown(before, k)}
            for k in KPIS]
    out.append("\nPower KPIs (guanxi kpi NAME --period P --explain lists the rows):")
    out += ["  " + line for line in table(
        rows, ["kpi", f"{previous:%Y-%m}", period],
        right=(period, f"{previous:%Y-%m}")).splitlines()]
    out.append("\nOutage send list: guanxi power notices --outage PO-01 --output notices.xlsx")
    out.append(f"Committee list: guanxi reports show power.committee --period {period}")
    return "\n".join(out)
