"""The built-in ``core`` pack: registered like any other, never disabled.

It declares the core's importable entities and generic metrics, the
activity segmentation, the reactivation call for dormant customers, the
overdue-task escalation, the generic KPIs and the generic demo base.
"""

from __future__ import annotations

from guanxi.contributions import Metric
from guanxi.plugins import hookimpl

# Each hook imports the modules it answers from: every command loads this
# pack, and most call one or two of its hooks (``guanxi tasks list`` only
# the config options), so the KPIs, the case machinery and the planner are
# not imported at every start (process start is a target: < 0.3 s).

GENERIC_METRICS = (
    Metric(name="revenue", title="Revenue", grain="month", aggregate="sum", unit="CNY",
           description="What the customer brought in during the month."),
)


@hookimpl
def guanxi_entities():
    from guanxi.builtin.entities import CORE_ENTITIES
    from guanxi.builtin.service_entities import SERVICE_ENTITIES

    return CORE_ENTITIES + SERVICE_ENTITIES


@hookimpl
def guanxi_metrics():
    return GENERIC_METRICS


@hookimpl
def guanxi_config_options():
    from guanxi.builtin import activity, cadences, calendar_options, case_policy, overdue
    from guanxi.builtin import reactivation

    return (activity.OPTIONS + overdue.OPTIONS + reactivation.OPTIONS
            + calendar_options.OPTIONS + cadences.OPTIONS + case_policy.OPTIONS)


@hookimpl
def guanxi_segmentations():
    from guanxi.builtin import activity

    return (activity.ACTIVITY,)


@hookimpl
def guanxi_service_rules():
    from guanxi.builtin import case_rules, overdue, reactivation

    return (reactivation.REACTIVATION, overdue.OVERDUE) + case_rules.RULES


@hookimpl
def guanxi_kpis():
    from guanxi.builtin import case_kpis, kpis, plan_kpis

    return kpis.KPIS + plan_kpis.KPIS + case_kpis.KPIS


@hookimpl
def guanxi_case_policies(workspace):
    from guanxi.builtin import case_policy

    return case_policy.policies(workspace)


@hookimpl
def guanxi_visit_cadences(workspace):
    from guanxi.builtin import cadences

    return cadences.cadences(workspace.settings["core"])


@hookimpl
def guanxi_after_interactions_saved(workspace, batch):
    from guanxi.builtin import cadences, case_policy

    # A visit closes its planned visit task (the planner's tasks only).
    cadences.close_visited_in_batch(workspace.runtime, batch)
    # A complaint opens its case, owned by whoever received it (首问负责制).
    case_policy.open_saved(workspace, batch)


def _interactions_acted_on(workspace, connection) -> dict:
    """The saved interactions the hook above acts on: their kinds.

    The importer reads back and hands over only these when no other pack
    implements the hook: the kinds a case policy opens on, and the visit
    kinds while some visit is planned. Both parts of the hook skip any other
    row anyway, and a big import is mostly calls and transactions: at a
    million customers, handing over every row cost 3 of every 4 seconds of
    the import of interactions.
    """
    from guanxi.builtin import cadences, case_policy

    return {"kind": case_policy.opening_kinds(workspace)
            | cadences.visit_kinds_if_planned(workspace, connection)}


# Read by the importer, not by pluggy: see guanxi_after_customers_saved in hookspecs.py.
guanxi_after_interactions_saved.guanxi_rows_acted_on = _interactions_acted_on


@hookimpl
def guanxi_demo_data():
    from guanxi.builtin import demo_base

    return (demo_base.BASE,)
