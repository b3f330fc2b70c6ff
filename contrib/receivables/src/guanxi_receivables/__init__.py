"""guanxi-receivables: credit and receivables for every sector (contrib pack).

Enable it with ``packs = ["receivables"]``. It contributes, under the rule
IDs of docs/packs/receivables.md (credit & receivables in the sector
catalogue's "Across sectors", 000 范文1):

- the ledger (REC-LEDGER, 应收账款台账): invoices, payments, credit notes and
  write-offs as interactions, ``guanxi receivables ledger ID`` and the 360°
  panels with the credit archive (资信调查);
- aging buckets and the amount outstanding (REC-AGING) and DSO (REC-DSO) as
  KPIs with their rows, and the report kind ``receivables.aging``;
- collection in stages (REC-COLLECT, 分阶段加紧追收) as the service rule
  ``receivables.collect``, the legal-action approval ``receivables.legal``
  and the collected-on-time KPIs (催收责任制);
- the credit policy per grade (REC-POLICY) with the credit-exception approval
  ``receivables.credit``, and the 3C rating ``receivables.rating`` (REC-3C);
- settings, fields and demo data.

User guide: docs/packs/receivables.md.
"""

from __future__ import annotations

import guanxi

# Each hook imports the modules it answers from: every command loads the
# enabled packs, and most call only a hook or two.


@guanxi.hookimpl
def guanxi_config_options():
    from guanxi_receivables import options

    return options.OPTIONS


@guanxi.hookimpl
def guanxi_fields():
    from guanxi_receivables import options

    return options.FIELDS


@guanxi.hookimpl
def guanxi_validate_interactions(batch):
    from guanxi_receivables import checks

    return checks.validate(batch)


@guanxi.hookimpl
def guanxi_segmentations():
    from guanxi_receivables import segments

    return segments.SEGMENTATIONS


@guanxi.hookimpl
def guanxi_service_rules():
    from guanxi_receivables import rules

    return rules.RULES


@guanxi.hookimpl
def guanxi_kpis():
    from guanxi_receivables import kpis

    return kpis.KPIS


@guanxi.hookimpl
def guanxi_case_policies(workspace):
    from guanxi_receivables import cases

    return cases.policies(workspace.settings["receivables"])


@guanxi.hookimpl
def guanxi_report_kinds():
    from guanxi_receivables import report

    return report.REPORT_KINDS


@guanxi.hookimpl
def guanxi_customer_panels(workspace, customer_id, language):
    from guanxi_receivables import panels

    return panels.panels(workspace, customer_id, language)


@guanxi.hookimpl
def guanxi_commands():
    from guanxi_receivables import commands

    return [guanxi.Command(name="receivables", command=commands.receivables)]


@guanxi.hookimpl
def guanxi_demo_data():
    from guanxi_receivables import demo

    return demo.DEMO
