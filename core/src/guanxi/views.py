"""The JSON shapes of the listings, shared by the command line and the web API.

``guanxi tasks list --format json`` and ``GET /api/v1/tasks`` print the same
rows because both build them here; so do KPIs, cases, plans and the 360°
view (:meth:`guanxi.Workspace.customer_view`).
"""

from __future__ import annotations

import attrs

#: The columns of a task listing (table, CSV and JSON keys).
TASK_COLUMNS = ["id", "rule", "customer_id", "customer_name", "manager_id", "kind", "due_at",
                "overdue", "priority", "status", "reason"]
#: The keys of a KPI value in JSON.
KPI_COLUMNS = ["kpi", "title", "period", "scope", "scope_key", "value", "target", "unit",
               "attainment"]


def task_row(task) -> dict:
    """One task as listed; ``due_at`` a day (2026-12-04) or, for a timed task, a datetime."""
    data = attrs.asdict(task)
    return {k: data[k] for k in TASK_COLUMNS}


def kpi_rows(ws, values) -> list[dict]:
    """KPI values as listed: figures plain by unit, with attainment; ``_``-keys are the
    table's formatted cells (left out of JSON)."""
    from guanxi.formatting import attainment, format_figure, plain

    records = ws.plugins.kpis()
    rows = []
    for r in values:
        reached = attainment(r.value, r.target)
        rows.append({
            "kpi": r.kpi, "title": records[r.kpi].title, "period": r.period, "scope": r.scope,
            "scope_key": r.scope_key, "value": plain(r.value, r.unit),
            "target": plain(r.target, r.unit), "unit": r.unit,
            "attainment": None if reached is None else round(reached, 6),
            # the table's cells, formatted by unit in [guanxi] currency
            "_value": format_figure(r.value, r.unit, currency=ws.config.currency),
            "_target": format_figure(r.target, r.unit, currency=ws.config.currency)
            if r.target is not None else "",
            "_attainment": format_figure(reached, "share") if reached is not None else "",
        })
    return rows


def kpi_json(rows) -> list[dict]:
    """:func:`kpi_rows` without the table's cells."""
    return [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]


def case_detail(ws, case_id: int) -> dict:
    """``guanxi cases show ID --format json``: the case, its clocks, its events."""
    case = ws.case(case_id)
    events = ws.case_history(case_id)
    waiting = ws.case_waiting_for(case_id)
    detail = {
        **case.as_json(),
        "interaction_id": case.interaction_id, "summary": case.summary,
        "step": case.step_name, "waiting_for": waiting,
        "response_due_at": case.response_due_at, "resolution_due_at": case.resolution_due_at,
        "step_due_at": case.step_due_at, "callback_due_at": case.callback_due_at,
        "called_back_at": case.called_back_at, "closed_at": case.closed_at,
        "paused_at": case.paused_at, "paused_hours": case.paused_hours, "warned": case.warned,
    }
    return {"case": detail, "events": [e.as_json() for e in events]}
