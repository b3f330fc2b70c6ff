"""guanxi-power: the power utility pack (供电企业客户关系管理).

Enable it with ``packs = ["power"]``. It contributes, under the rule IDs of
the sector catalogue:

- segmentations POWER-CLASS (``power.class``), POWER-VIP (``power.vip``,
  keeping the ``vip`` list) and POWER-CREDIT (``power.credit``, keeping the
  ``bad_credit`` list, 失信名单);
- service rules POWER-REMIND (``power.remind``: reminder, call,
  escalation), POWER-OUTAGE (``power.outage``), POWER-ANOMALY
  (``power.anomaly``), POWER-ADVICE (``power.advice``), POWER-VISIT
  (``power.visit``), POWER-EXPIRY (``power.expiry``) and POWER-EQUIP
  (``power.patrol``);
- complaints, requests and repairs as SLA cases (POWER-COMPLAINT,
  POWER-ROUTE, POWER-REPAIR) and the open-case list for the monthly
  客户服务委员会 (``power.committee``);
- planned outages and VIP equipment as entities with their own tables,
  outage notices on each customer's channel (POWER-BILLPREF), made by the
  daily batch the day they are due (record rule ``power.notices``) and by
  ``guanxi power notices``; the KPIs, fields, metrics, settings and demo.

User guide: docs/packs/power.md.
"""

from __future__ import annotations

from pathlib import Path

import guanxi

MIGRATIONS = str(Path(__file__).parent / "migrations")

# Each hook imports the modules it answers from: every command loads the
# enabled packs and most call only a hook or two, so the SQL, the demo and
# the commands are not imported at every start.


@guanxi.hookimpl
def guanxi_config_options():
    from guanxi_power import options

    return options.OPTIONS


@guanxi.hookimpl
def guanxi_fields():
    from guanxi_power import options

    return options.FIELDS


@guanxi.hookimpl
def guanxi_metrics():
    from guanxi_power import options

    return options.METRICS


@guanxi.hookimpl
def guanxi_schemas():
    from guanxi_power import tables

    return [guanxi.Schema(name="power", metadata=tables.metadata, migrations=MIGRATIONS)]


@guanxi.hookimpl
def guanxi_entities():
    from guanxi_power import entities

    return entities.ENTITIES


def _supplied(ctx, customers):
    # A supply customer has a tariff or a voltage level; the generic base's
    # and other packs' customers (a bank's, a retailer's) are not the utility's.
    from sqlalchemy import or_

    return or_(ctx.attribute(customers, "tariff").is_not(None),
               ctx.attribute(customers, "voltage").is_not(None))


@guanxi.hookimpl
def guanxi_customer_filters():
    return [guanxi.CustomerFilter(
        name="power.supply", condition=_supplied,
        description="Supply customers: those with a tariff or a voltage level.")]


@guanxi.hookimpl
def guanxi_segmentations():
    from guanxi_power import segments

    return segments.SEGMENTATIONS


@guanxi.hookimpl
def guanxi_service_rules():
    from guanxi_power import rules

    return rules.RULES


@guanxi.hookimpl
def guanxi_record_rules():
    from guanxi_power import notices

    return notices.RECORD_RULES


@guanxi.hookimpl
def guanxi_kpis():
    from guanxi_power import kpis

    return kpis.KPIS


@guanxi.hookimpl
def guanxi_case_policies(workspace):
    from guanxi_power import service

    return service.policies(workspace.settings["power"])


@guanxi.hookimpl
def guanxi_report_kinds():
    from guanxi_power import committee

    return [committee.COMMITTEE]


@guanxi.hookimpl
def guanxi_commands():
    from guanxi_power import commands

    return [guanxi.Command(name="power", command=commands.power)]


@guanxi.hookimpl
def guanxi_demo_data():
    from guanxi_power import demo

    return demo.DEMO
