"""The built-in ``core`` pack: registered like any other, never disabled.

It declares the core's importable entities and generic metrics, the
activity segmentation, the reactivation call for dormant customers, the
overdue-task escalation, the generic KPIs and the generic demo base.
"""

from __future__ import annotations

from guanxi.builtin import activity, calendar_options, demo_base, kpis, overdue, reactivation
from guanxi.builtin import cadences, plan_kpis
from guanxi.builtin import case_kpis, case_policy, case_rules
from guanxi.builtin.entities import CORE_ENTITIES
from guanxi.builtin.service_entities import SERVICE_ENTITIES
from guanxi.contributions import Metric
from guanxi.plugins import hookimpl

GENERIC_METRICS = (
    Metric(name="revenue", title="Revenue", grain="month", aggregate="sum", unit="CNY",
           description="What the customer brought in during the month."),
)


@hookimpl
def guanxi_entities():
    return CORE_ENTITIES + SERVICE_ENTITIES


@hookimpl
def guanxi_metrics():
    return GENERIC_METRICS


@hookimpl
def guanxi_config_options():
    return (activity.OPTIONS + overdue.OPTIONS + reactivation.OPTIONS
            + calendar_options.OPTIONS + cadences.OPTIONS + case_policy.OPTIONS)


@hookimpl
def guanxi_segmentations():
    return (activity.ACTIVITY,)


@hookimpl
def guanxi_service_rules():
    return (reactivation.REACTIVATION, overdue.OVERDUE) + case_rules.RULES


@hookimpl
def guanxi_kpis():
    return kpis.KPIS + plan_kpis.KPIS + case_kpis.KPIS


@hookimpl
def guanxi_case_policies(workspace):
    return case_policy.policies(workspace)


@hookimpl
def guanxi_visit_cadences(workspace):
    return cadences.cadences(workspace.settings["core"])


@hookimpl
def guanxi_after_interactions_saved(workspace, batch):
    # A visit closes its planned visit task (the planner's tasks only).
    cadences.close_visited_in_batch(workspace, batch)
    # A complaint opens its case, owned by whoever received it (首问负责制).
    case_policy.open_saved(workspace, batch)


@hookimpl
def guanxi_demo_data():
    return (demo_base.BASE,)
