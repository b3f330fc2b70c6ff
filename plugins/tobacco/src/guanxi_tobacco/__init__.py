"""guanxi-tobacco: the tobacco retail pack (烟草商业客户经理).

Enable it with ``packs = ["tobacco"]``. It contributes, under the rule IDs
of the sector catalogue:

- the segmentations TOB-GRADE (``tobacco.grade``, the comprehensive
  evaluation 综合测评) and the network status (``tobacco.network``,
  TOB-NETWORK);
- the visit cadence TOB-PLAN (``tobacco.plan``: the weekly 《客户访问日程表》,
  built by the core's planner) and the case policies TOB-PRICE
  (``tobacco.price_downgrade``), TOB-QUALITY (``tobacco.quality``),
  TOB-PROMO (``tobacco.promotion``) and TOB-UNLICENSED
  (``tobacco.unlicensed``);
- the service rules TOB-SPECIAL, TOB-CHECKLIST, TOB-NETWORK and TOB-SURVEY;
- the KPIs of the catalogue, the report kind ``tobacco.monthly_sales``
  (TOB-REPORT, the monthly sales analysis: ``guanxi reports show`` or
  ``guanxi tobacco report``), fields, metrics, settings and demo data.

User guide: docs/packs/tobacco.md.
"""

from __future__ import annotations

import guanxi

# Each hook imports the modules it answers from, as the core's own pack does:
# every command loads the enabled packs, and most call only a hook or two
# (``guanxi tasks list`` the config options and fields), so the rules, KPIs,
# reports and demo are not imported at every start (process start: < 0.3 s).


@guanxi.hookimpl
def guanxi_config_options():
    from guanxi_tobacco import options

    return options.OPTIONS


@guanxi.hookimpl
def guanxi_fields():
    from guanxi_tobacco import options

    return options.FIELDS


@guanxi.hookimpl
def guanxi_metrics():
    from guanxi_tobacco import options

    return options.METRICS


@guanxi.hookimpl
def guanxi_customer_filters():
    from guanxi_tobacco import service

    return service.FILTERS


@guanxi.hookimpl
def guanxi_segmentations():
    from guanxi_tobacco import segments

    return segments.SEGMENTATIONS


@guanxi.hookimpl
def guanxi_service_rules():
    from guanxi_tobacco import rules

    return rules.RULES


@guanxi.hookimpl
def guanxi_kpis():
    from guanxi_tobacco import kpis

    return kpis.KPIS


@guanxi.hookimpl
def guanxi_customer_panels(workspace, customer_id, language):
    # TOB-CHECKLIST: the last visit's record on the retailer's page of the web workspace
    from guanxi_tobacco import panels

    return panels.customer_panels(workspace, customer_id, language)


@guanxi.hookimpl
def guanxi_visit_cadences(workspace):
    from guanxi_tobacco import service

    return service.cadences(workspace.settings["tobacco"])


@guanxi.hookimpl
def guanxi_case_policies(workspace):
    from guanxi_tobacco import service

    return service.policies(workspace.settings["tobacco"])


@guanxi.hookimpl
def guanxi_validate_interactions(batch):
    from guanxi_tobacco import service

    yield from service.check_interactions(batch)


@guanxi.hookimpl
def guanxi_commands():
    from guanxi_tobacco import commands

    return [guanxi.Command(name="tobacco", command=commands.tobacco)]


@guanxi.hookimpl
def guanxi_report_kinds(workspace):
    from guanxi_tobacco import report

    return report.report_kinds(workspace.settings["tobacco"])


@guanxi.hookimpl
def guanxi_demo_data():
    from guanxi_tobacco import demo

    return demo.DEMO
