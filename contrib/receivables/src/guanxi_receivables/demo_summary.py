"""What ``guanxi demo --pack receivables`` prints after the core's summary:
aging and DSO (REC-AGING, REC-DSO), collection by manager and the
collection tasks by stage (REC-COLLECT), the 3C grades (REC-3C) and the
approvals (REC-POLICY), the first credit exception approved by the owner's
superior through the case chain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from guanxi_receivables.options import BUCKETS, RATING, STAGES


def _table(rows, columns, right=()) -> list[str]:
    from guanxi.output import table

    return ["  " + line for line in table(rows, columns, right=right).splitlines()]


def summary(ws, ctx) -> str:
    from guanxi import tables
    from guanxi.output import format_figure

    currency = ws.config.currency
    period = ctx.as_of.strftime("%Y-%m")
    names = [f"receivables.aging_{n}" for n, _, _ in BUCKETS]
    values = {v.kpi: v.value for v in ws.kpi([*names, "receivables.outstanding", "receivables.dso"],
                                             period=period, as_of=ctx.as_of)}
    out = ["Credit and receivables (guanxi-receivables)",
           "===========================================",
           f"\nAging on {ctx.as_of} (REC-AGING, `guanxi kpi receivables.aging_31_60 --explain`):"]
    out += _table([{"bucket": n, "owed": format_figure(values.get(f"receivables.aging_{n}"),
                                                       currency, currency=currency)}
                   for n, _, _ in BUCKETS], ["bucket", "owed"], right=["owed"])
    dso = values.get("receivables.dso")
    out.append(f"  outstanding {format_figure(values.get('receivables.outstanding'), currency, currency=currency)}"
               f"; DSO {'-' if dso is None else f'{dso:.1f}'} days (REC-DSO: outstanding ÷ "
               f"invoiced in the 90 days to {ctx.as_of} × 90)")
    last = (ctx.as_of.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    by_manager = sorted(ws.kpi(["receivables.collected_on_time"], period=last, by="manager",
                               as_of=ctx.as_of), key=lambda v: (v.value is None, v.value or 0))
    out.append(f"\nCollected on time in {last}, by owning manager (催收责任制), the lowest first:")
    out += _table([{"manager": v.scope_key, "on time": format_figure(v.value, "share")}
                   for v in by_manager[:5]], ["manager", "on time"], right=["on time"])

    tk, s = tables.tasks, tables.segments
    with ws.engine.connect() as conn:
        stages = dict(conn.execute(select(tk.c.kind, func.count())
                                   .where(tk.c.rule == "receivables.collect", tk.c.status == "open")
                                   .group_by(tk.c.kind)).all())
        grades = dict(conn.execute(select(s.c.label, func.count())
                                   .where(s.c.segmentation == RATING).group_by(s.c.label)).all())
    out.append("\nOpen collection tasks by stage (REC-COLLECT, `guanxi tasks list --rule "
               "receivables.collect`): " + ", ".join(f"{k} {stages.get(k, 0)}" for k in STAGES))
    out.append("3C grades (REC-3C): " + ", ".join(f"{g} {grades.get(g, 0)}" for g in "ABCD"))
    out += _approvals(ws, ctx)
    return "\n".join(out)


def _approvals(ws, ctx) -> list[str]:
    cases = [c for c in ws.cases() if c.policy.startswith("receivables.")]
    out = [f"\nApprovals through the case chains (REC-POLICY, REC-COLLECT; `guanxi cases list`): "
           f"{len(cases)}"]
    credit = next((c for c in cases if c.policy == "receivables.credit"), None)
    if credit is not None:
        approver = _superior(ws, credit.owner_id)
        if approver:
            at = dt.datetime.combine(ctx.as_of, dt.time(9))
            try:
                moved = ws.case_step(credit.id, "approve", approver, at=at,
                                     note="large order for the new season, guaranteed")
                cases = [moved if c.id == moved.id else c for c in cases]
                out.append(f"  case {credit.id} (credit exception of {credit.customer_id}) "
                           f"approved by {approver}, now with the credit manager")
            except Exception as exc:  # a chain the demo cannot move: say why, keep going
                out.append(f"  case {credit.id}: {exc}")
    legal = [c for c in cases if c.policy == "receivables.legal"]
    shown = [c for c in cases if c.policy == "receivables.credit"][:4] + legal[:2]
    for c in shown:
        out.append(f"  {c.id} {c.policy} {c.customer_id} owner {c.owner_id}, step "
                   f"{c.step_name or 'done'}")
    return out


def _superior(ws, manager_id):
    return next((m.reports_to for m in ws.managers() if m.id == manager_id), None)
