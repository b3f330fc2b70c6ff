"""guanxi-value: customer value for every sector (contrib pack).

Enable it with ``packs = ["value"]``. It contributes, under the rule IDs of
docs/packs/value.md (the customer value of the sector catalogue's "Across
sectors", 001 第二篇):

- the segmentations ``value.rfm`` and ``value.rfm_segment`` (VAL-RFM),
  ``value.ltv`` (VAL-LTV) and ``value.abc`` (VAL-ABC);
- the KPIs ``value.pareto_share`` (VAL-PARETO), ``value.lifetime_value``
  (VAL-LTV), ``value.retention`` and ``value.defection`` (VAL-RETENTION);
- the report kind ``value.pareto`` (the Pareto curve), the commands
  ``guanxi value cohorts`` (VAL-COHORT) and ``guanxi value fit``
  (VAL-BGNBD, with the ``fit`` extra: SciPy);
- the customer field ``customer_type`` (VAL-TYPE), a KPI scope, settings,
  metrics and demo data.

User guide: docs/packs/value.md.
"""

from __future__ import annotations

import guanxi

# Each hook imports the modules it answers from: every command loads the
# enabled packs, and most call only a hook or two.


@guanxi.hookimpl
def guanxi_config_options():
    from guanxi_value import options

    return options.OPTIONS


@guanxi.hookimpl
def guanxi_fields():
    from guanxi_value import options

    return options.FIELDS


@guanxi.hookimpl
def guanxi_metrics():
    from guanxi_value import options

    return options.METRICS


@guanxi.hookimpl
def guanxi_segmentations():
    from guanxi_value import segments

    return segments.SEGMENTATIONS


@guanxi.hookimpl
def guanxi_kpis():
    from guanxi_value import kpis

    return kpis.KPIS


@guanxi.hookimpl
def guanxi_report_kinds():
    from guanxi_value import report

    return report.REPORT_KINDS


@guanxi.hookimpl
def guanxi_commands():
    from guanxi_value import commands

    return [guanxi.Command(name="value", command=commands.value)]


@guanxi.hookimpl
def guanxi_demo_data():
    from guanxi_value import demo

    return demo.DEMO


@guanxi.hookimpl
def guanxi_page_panels(workspace, page, managers, language):
    # VAL-COHORT as a chart on the team lead's page of the web workspace
    from guanxi_value import panels

    return panels.page_panels(workspace, page, managers, language)
