"""guanxi-banking: the commercial-bank pack (商业银行客户关系管理).

Enable it with ``packs = ["banking"]``. It contributes, under the rule IDs
of the sector catalogue:

- segmentations BANK-ABC (``banking.abc``), BANK-TIER (``banking.tier``),
  BANK-REL (``banking.relationship``) and the business line (``banking.line``);
- the visit cadence BANK-VISIT (``banking.visits``, planned by the core's
  planner) and the complaint policy BANK-COMPLAINT (``banking.complaint``);
- service rules BANK-CHURN, BANK-HANDOVER, BANK-FEEDBACK, BANK-UPGRADE and
  BANK-SPOTCHECK;
- the manager, team, list and shared-credit KPIs (BANK-TEAM, BANK-LIST,
  BANK-SHARE);
- fields, metrics, settings, a ``guanxi banking`` command group and demo data.

User guide: docs/packs/banking.md.
"""

from __future__ import annotations

import guanxi
from guanxi_banking import commands, demo, kpis, options, rules, segments, service

__all__ = ["SPOTCHECK_OUTCOMES"]

SPOTCHECK_OUTCOMES = rules.SPOTCHECK_OUTCOMES


@guanxi.hookimpl
def guanxi_config_options():
    return options.OPTIONS


@guanxi.hookimpl
def guanxi_fields():
    return options.FIELDS


@guanxi.hookimpl
def guanxi_metrics():
    return options.METRICS


@guanxi.hookimpl
def guanxi_segmentations():
    return segments.SEGMENTATIONS


@guanxi.hookimpl
def guanxi_service_rules():
    return rules.RULES


@guanxi.hookimpl
def guanxi_kpis():
    return kpis.KPIS


@guanxi.hookimpl
def guanxi_visit_cadences(workspace):
    return service.cadences(workspace.settings["banking"])


@guanxi.hookimpl
def guanxi_case_policies(workspace):
    return service.policies(workspace.settings["banking"])


@guanxi.hookimpl
def guanxi_validate_interactions(batch):
    # rule BANK-SPOTCHECK: a spot-check's outcome is confirmed, not_confirmed or problem.
    for index, row in enumerate(batch.dicts()):
        if row.get("kind") == "spotcheck" and row.get("outcome") not in SPOTCHECK_OUTCOMES:
            yield guanxi.Rejection(
                index=index, column="outcome", value=row.get("outcome"),
                reason="a spotcheck's outcome is confirmed, not_confirmed or problem")


@guanxi.hookimpl
def guanxi_commands():
    return [guanxi.Command(name="banking", command=commands.banking)]


@guanxi.hookimpl
def guanxi_demo_data():
    return demo.DEMO
