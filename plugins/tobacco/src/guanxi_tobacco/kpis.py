"""The tobacco KPIs (placeholder while they are written)."""

KPIS = ()
