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

# Each hook imports the modules it answers from, as the core's own pack does:
# every command loads the enabled packs, and most call only a hook or two
# (``guanxi tasks list`` the config options and fields), so the rules, KPIs,
# reports and demo are not imported at every start (process start: < 0.3 s).


@guanxi.hookimpl
def guanxi_config_options():
    from guanxi_banking import options

    return options.OPTIONS


@guanxi.hookimpl
def guanxi_fields():
    from guanxi_banking import options

    return options.FIELDS


@guanxi.hookimpl
def guanxi_metrics():
    from guanxi_banking import options

    return options.METRICS


@guanxi.hookimpl
def guanxi_segmentations():
    from guanxi_banking import segments

    return segments.SEGMENTATIONS


@guanxi.hookimpl
def guanxi_service_rules():
    from guanxi_banking import rules

    return rules.RULES


@guanxi.hookimpl
def guanxi_kpis():
    from guanxi_banking import kpis

    return kpis.KPIS


@guanxi.hookimpl
def guanxi_customer_panels(workspace, customer_id, language):
    # BANK-REL on the customer's page of the web workspace
    from guanxi_banking import panels

    return panels.customer_panels(workspace, customer_id, language)


@guanxi.hookimpl
def guanxi_page_panels(workspace, page, managers, language):
    # the team league table on the team lead's page of the web workspace
    from guanxi_banking import panels

    return panels.page_panels(workspace, page, managers, language)


@guanxi.hookimpl
def guanxi_visit_cadences(workspace):
    from guanxi_banking import service

    return service.cadences(workspace.settings["banking"])


@guanxi.hookimpl
def guanxi_case_policies(workspace):
    from guanxi_banking import service

    return service.policies(workspace.settings["banking"])


@guanxi.hookimpl
def guanxi_validate_interactions(batch):
    from guanxi_banking.options import SPOTCHECK_OUTCOMES

    # rule BANK-SPOTCHECK: a spot-check's outcome is confirmed, not_confirmed or problem.
    for index, row in enumerate(batch.dicts()):
        if row.get("kind") == "spotcheck" and row.get("outcome") not in SPOTCHECK_OUTCOMES:
            yield guanxi.Rejection(
                index=index, column="outcome", value=row.get("outcome"),
                reason="a spotcheck's outcome is confirmed, not_confirmed or problem")


@guanxi.hookimpl
def guanxi_commands():
    from guanxi_banking import commands

    return [guanxi.Command(name="banking", command=commands.banking)]


@guanxi.hookimpl
def guanxi_demo_data():
    from guanxi_banking import demo

    return demo.DEMO
