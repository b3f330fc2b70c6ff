"""guanxi-telecom: the telecom and cable-TV pack (电信运营商, 广电).

Enable it with ``packs = ["telecom"]``. It contributes, under the rule IDs
of the sector catalogue:

- the segmentations TEL-STAGE (``telecom.stage``: gestation, growth,
  partnership, interruption) and TEL-RISK (``telecom.risk``, the causes of
  interruption found as the reason);
- the service rules TEL-CONTACT (``telecom.contact``), TEL-MULTI
  (``telecom.multi``), TEL-PARTNER (``telecom.partner``), TEL-EXPIRY
  (``telecom.expiry``), TEL-WINBACK (``telecom.winback``), TEL-PRICE
  (``telecom.price``) and TEL-SWEEP (``telecom.sweep``);
- TEL-STATUS as KPIs (``telecom.lines_<status>``: the share of lines in each
  status) beside the KPIs of the catalogue, with per-manager monthly
  targets and per-territory rates;
- fields, settings, a line-status check and demo data.

User guide: docs/packs/telecom.md.
"""

from __future__ import annotations

import guanxi

# Each hook imports the modules it answers from, as the other packs do, so
# a command that needs one hook does not import the rules, KPIs and demo.


@guanxi.hookimpl
def guanxi_config_options():
    from guanxi_telecom import options

    return options.OPTIONS


@guanxi.hookimpl
def guanxi_fields():
    from guanxi_telecom import options

    return options.FIELDS


@guanxi.hookimpl
def guanxi_customer_filters():
    from guanxi_telecom import service

    return service.FILTERS


@guanxi.hookimpl
def guanxi_segmentations():
    from guanxi_telecom import segments

    return segments.SEGMENTATIONS


@guanxi.hookimpl
def guanxi_service_rules():
    from guanxi_telecom import rules

    return rules.RULES


@guanxi.hookimpl
def guanxi_kpis():
    from guanxi_telecom import kpis

    return kpis.KPIS


@guanxi.hookimpl
def guanxi_validate_accounts(workspace, batch):
    from guanxi_telecom import service

    yield from service.check_accounts(workspace, batch)


@guanxi.hookimpl
def guanxi_demo_data():
    from guanxi_telecom import demo

    return demo.DEMO
