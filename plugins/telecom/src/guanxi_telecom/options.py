"""What the telecom pack declares: its settings, fields and the names it reads.

Every number of the Telecom section of the sector catalogue is a default
here, under the rule ID it belongs to; an operator overrides it in its
``guanxi.toml`` (``[telecom.expiry] days = 21``). The KPI targets (20 new
subscriptions and 25 reactivations a manager a month, 90% retention and a
60% pay-programme rate a territory) are the KPIs' own defaults, overridden
through the core's targets (the ``targets`` entity or ``[targets]``).

The data, in the core's entities:

- a key account (大客户) or a group customer (集团客户) is a customer with
  the ``key_account`` or ``group_customer`` flag; a prospect found by a
  territory sweep (摸排建档) is a customer with the core status
  ``prospect`` and the day it was registered in ``swept_on``;
- a service line (户) is an account: the product in ``type``, the status in
  ``status`` (:data:`LINE_STATUSES`), the paid-period end (到费) in
  ``paid_until``, a pay-programme subscription (付费节目) in
  ``pay_programme``; the core keeps each line's status changes;
- contacts are the core's: a key contact has seniority ``senior``;
- billing is interactions of kind ``bill``; complaints, price complaints,
  quality complaints, competitor signals and risk notes are interactions of
  the kinds below; revenue is the core's monthly ``revenue`` metric.
"""

from __future__ import annotations

from guanxi import ConfigOption, Field

#: A line's status (the account's ``status``): 罚停 is suspended_nonpayment,
#: 报停 suspended_request, 休眠 dormant, 流失 lost.
ACTIVE, DORMANT, NONPAYMENT, REQUEST, LOST = (
    "active", "dormant", "suspended_nonpayment", "suspended_request", "lost")
LINE_STATUSES = (ACTIVE, DORMANT, NONPAYMENT, REQUEST, LOST)
#: Statuses a line has ended or is suspended in (TEL-STAGE's interruption).
STOPPED = (NONPAYMENT, REQUEST, LOST)

#: Interaction kinds the pack reads.
BILL = "bill"                              # a bill issued (billing; TEL-STAGE's gap)
COMPLAINT = "complaint"                    # any complaint (TEL-RISK: lack of trust)
PRICE_COMPLAINT = "price_complaint"        # 价位高 (TEL-PRICE, TEL-RISK)
QUALITY_COMPLAINT = "quality_complaint"    # product quality (TEL-RISK)
COMPETITOR_SIGNAL = "competitor_signal"    # a competitor's offer seen (TEL-PRICE)
RISK_NOTE = "risk_note"                    # a cause a manager learnt of (TEL-RISK)
COMPLAINTS = (COMPLAINT, PRICE_COMPLAINT, QUALITY_COMPLAINT)
#: Causes a risk note may name (TEL-RISK, 001 第一篇).
RISK_CAUSES = ("personal_ties", "recession", "closure", "market_position")

#: The seniority of a key contact.
SENIOR = "senior"
STAGE = "telecom.stage"
RISK = "telecom.risk"
STAGES = ("gestation", "growth", "partnership", "interruption")


def _o(name, type, default, description, **extra) -> ConfigOption:
    return ConfigOption(name=name, type=type, default=default, description=description, **extra)


OPTIONS = (
    _o("lines.products", "text list", ["broadband", "tv", "mobile", "fixed", "iptv", "leased_line"],
       "Account types that are service lines (户); their status must be one of active, dormant, "
       "suspended_nonpayment, suspended_request, lost."),
    # rule TEL-STAGE (001 第一篇)
    _o("stage.gestation_months", "integer", 6, "A customer younger than this many calendar "
       "months (or a prospect) is in gestation.", minimum=0),
    _o("stage.growth_lines", "integer", 2, "Product lines that make growth on their own.",
       minimum=1),
    _o("stage.partnership_months", "integer", 24, "Calendar months of tenure a partnership needs.",
       minimum=0),
    _o("stage.partnership_lines", "integer", 3, "Product lines a partnership needs.", minimum=1),
    _o("stage.revenue_months", "integer", 3, "Closed months compared with the same number "
       "before them: growing when more, not falling when at least as much.", minimum=1),
    _o("stage.billing_gap_days", "integer", 60, "Days without a bill that make an "
       "interruption.", minimum=1),
    # rule TEL-RISK (001 第一篇)
    _o("risk.months", "integer", 12, "Months the causes are looked for in.", minimum=1),
    _o("risk.manager_changes", "integer", 2, "Changes of account manager in those months that "
       "are a cause (频繁调换).", minimum=1),
    _o("risk.unresolved_complaints", "integer", 2, "Unresolved complaints in those months that "
       "are a lack of trust.", minimum=1),
    _o("risk.signal_days", "integer", 90, "Price complaints, quality complaints and competitor "
       "signals this recent are causes.", minimum=1),
    _o("risk.high_causes", "integer", 2, "Causes that make the risk high (one is medium).",
       minimum=1),
    # rule TEL-CONTACT
    _o("contact.replace_days", "integer", 90, "A senior contact ended within this many days of "
       "another starting in the same role is a key-contact change.", minimum=0),
    _o("contact.lookback_days", "integer", 30, "Key-contact changes this recent get a task.",
       minimum=1),
    _o("contact.due_days", "integer", 7, "Days after the new contact started to meet them.",
       minimum=0),
    _o("contact.senior_meeting", "boolean", True, "In gestation, also ask the manager's superior "
       "for a senior-level meeting (双方高层领导进行会晤)."),
    # rule TEL-MULTI
    _o("multi.min_contacts", "integer", 2, "Active contacts a key account needs; fewer is "
       "over-reliance on one person (过分依赖某人单一联系).", minimum=1),
    _o("multi.due_days", "integer", 30, "Days to build contacts at several levels.", minimum=0),
    # rule TEL-PARTNER
    _o("partner.due_days", "integer", 14, "Days to issue the VIP card and propose joint "
       "business.", minimum=0),
    # rule TEL-EXPIRY
    _o("expiry.days", "integer", 30, "Lines whose paid period ends within this many days get an "
       "on-site renewal visit (到费用户上门服务).", minimum=0),
    # rule TEL-WINBACK
    _o("winback.statuses", "text list", [DORMANT, REQUEST], "Line statuses the monthly "
       "reactivation (回流) calls go to.", allowed=LINE_STATUSES),
    _o("winback.due_days", "integer", 14, "Days to make the reactivation call.", minimum=0),
    # rule TEL-PRICE
    _o("price.lookback_days", "integer", 30, "Price complaints and competitor signals this recent "
       "get a retention review.", minimum=1),
    _o("price.due_days", "integer", 3, "Days to hold the retention review.", minimum=0),
    # rule TEL-SWEEP
    _o("sweep.lookback_days", "integer", 90, "Prospects swept this recent without a line get a "
       "sales visit.", minimum=1),
    _o("sweep.due_days", "integer", 14, "Days after the sweep to visit and sell an install or "
       "lease (新装、租赁).", minimum=0),
    # KPIs
    _o("pay.products", "text list", ["tv"], "Line types the pay-programme subscription rate "
       "(付费节目订购率) is taken over."),
)


FIELDS = (
    Field(name="key_account", entity="customers", type="boolean",
          aliases=("大客户",),
          description="A key account (大客户): staged by TEL-STAGE."),
    Field(name="group_customer", entity="customers", type="boolean",
          aliases=("集团客户",),
          description="A group customer (集团客户): a business with several lines."),
    Field(name="association", entity="customers", type="text",
          aliases=("所属协会",),
          description="The customer id of the association (协会) the customer belongs to; a "
                      "signal on the association flags its members (TEL-PRICE)."),
    Field(name="swept_on", entity="customers", type="date",
          aliases=("摸排建档日期",),
          description="The day a territory sweep registered the customer (摸排建档, TEL-SWEEP)."),
    Field(name="paid_until", entity="accounts", type="date",
          aliases=("到费日",),
          description="The last day the line is paid for (到费日, TEL-EXPIRY)."),
    Field(name="pay_programme", entity="accounts", type="boolean",
          aliases=("付费节目",),
          description="The line subscribes to a pay programme (付费节目)."),
    Field(name="competitor", entity="interactions", type="text",
          aliases=("竞争对手",),
          description="Of a competitor signal or price complaint: the competitor (电信, 联通...)."),
    Field(name="risk_cause", entity="interactions", type="text", allowed=RISK_CAUSES,
          aliases=("风险原因",),
          description="Of a risk note: the cause of interruption the manager learnt of."),
)
