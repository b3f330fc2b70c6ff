"""The built-in ``core`` pack: registered like any other, never disabled.

It declares the core's importable entities and generic metrics, the
activity segmentation, the reactivation call for dormant customers, the
overdue-task escalation, the generic KPIs and the generic demo base.
"""

from __future__ import annotations

from guanxi.builtin import activity, demo_base, kpis, overdue, reactivation
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


@hookimpl
def guanxi_config_options():
    return activity.OPTIONS + overdue.OPTIONS + reactivation.OPTIONS


@hookimpl
def guanxi_segmentations():
    return (activity.ACTIVITY,)


@hookimpl
def guanxi_service_rules():
    return (reactivation.REACTIVATION, overdue.OVERDUE)


@hookimpl
def guanxi_kpis():
    return kpis.KPIS


@hookimpl
def guanxi_demo_data():
    return (demo_base.BASE,)
