"""The built-in ``core`` pack: registered like any other, never disabled.

It declares the core's importable entities and generic metrics; the generic
segmentations, rules and KPIs join it with the engines.
"""

from __future__ import annotations

from guanxi.builtin.entities import CORE_ENTITIES
from guanxi.contributions import Metric
from guanxi.plugins import hookimpl

GENERIC_METRICS = (
    Metric(name="revenue", title="Revenue", grain="month", aggregate="sum", unit="CNY",
           description="What the customer brought in during the month."),
)


@hookimpl
def guanxi_entities():
    return CORE_ENTITIES


@hookimpl
def guanxi_metrics():
    return GENERIC_METRICS
