"""A figure shown, never a target: targets set on a ``shown_only`` KPI are refused.

"Zero complaints" as a hard target hides problems (POWER-COMPLAINT's
complaint count, SECTORS.md): such a KPI is declared ``shown_only`` with
the reason in ``shown_reason``, and a target on it is refused with that
reason, whether it comes from ``[targets]`` in ``guanxi.toml`` (the
workspace will not open) or from an imported targets file (the row goes to
the rejects file).
"""

from __future__ import annotations

from collections.abc import Mapping


def refusal(kpi) -> str:
    """Why a target on ``kpi`` is refused (a sentence without its subject)."""
    why = kpi.shown_reason or "it is a figure to show, never a target"
    return f"{kpi.name} is shown, never given a target: {why}"


def refused_kpis(kpis: Mapping, names) -> dict[str, str]:
    """KPI name -> the refusal, for each of ``names`` that is a shown-only KPI."""
    return {name: refusal(kpis[name]) for name in names
            if name in kpis and kpis[name].shown_only}


def refuse_rows(kpis: Mapping, plan_names, columns: list[list]) -> dict[int, tuple]:
    """Rows of a targets chunk naming a shown-only KPI: index -> (column, value, reason)."""
    if "kpi" not in plan_names:
        return {}
    values = columns[list(plan_names).index("kpi")]
    refused = refused_kpis(kpis, set(values))
    return {i: ("kpi", v, refused[v]) for i, v in enumerate(values) if v in refused}
