"""What the power pack declares: its settings, fields and metrics.

Every number of the Power utility section of the sector catalogue is a
default here, under the rule ID it belongs to; a utility overrides it in
its ``guanxi.toml`` (``[power.remind] call_days = 10``).
"""

from __future__ import annotations

from guanxi import ConfigOption, Field, Metric

VOLTAGES = ("220V", "380V", "10kV", "35kV", "110kV", "220kV")
TARIFFS = ("residential", "commercial", "two_part", "time_of_use", "interruptible",
           "agricultural")
AREAS = ("urban", "rural", "remote")
CHANNELS = ("sms", "letter", "email", "fax", "phone")
OUTAGE_KINDS = ("planned", "temporary")
EQUIPMENT_KINDS = ("transformer", "hv_line", "switchgear", "cable")


def _o(name, type, default, description, **extra) -> ConfigOption:
    return ConfigOption(name=name, type=type, default=default, description=description, **extra)


def _volts(text: str) -> int:
    number, unit = (text[:-2], 1000) if text.endswith("kV") else (text[:-1], 1)
    return int(number) * unit


OPTIONS = (
    # rule POWER-CLASS
    _o("class.min_kv", "number", 10, "Customers at this supply voltage in kV or above are "
       "class 1.", minimum=0),
    _o("class.top_share", "number", 0.20, "The top share of customers by trailing-12-month "
       "consumption (by count) that are class 1.", minimum=0, maximum=1),
    _o("class.months", "integer", 12, "Closed months consumption is added up over for the "
       "class and VIP rankings.", minimum=1),
    # rule POWER-VIP
    _o("vip.top_share", "number", 0.20, "The top share of non-residential customers by "
       "trailing-12-month consumption (by count) on the VIP list; the vip_flag field adds "
       "others by hand.", minimum=0, maximum=1),
    # rule POWER-CREDIT
    _o("credit.aaa", "number", 90, "Lowest score of grade AAA (inclusive).", minimum=0,
       maximum=100),
    _o("credit.aa", "number", 80, "Lowest score of grade AA (inclusive).", minimum=0, maximum=100),
    _o("credit.a", "number", 70, "Lowest score of grade A (inclusive).", minimum=0, maximum=100),
    _o("credit.b", "number", 60, "Lowest score of grade B (inclusive); below it grade C, on the "
       "bad-credit list (失信名单) with prepayment advised.", minimum=0, maximum=100),
    _o("credit.bill_months", "integer", 12, "Months of bills the on-time share is taken over.",
       minimum=1),
    _o("credit.violation_months", "integer", 24, "Months without a violation or theft record "
       "that earn the 20 points.", minimum=1),
    _o("credit.contract_months", "integer", 12, "Months without a contract_breach record that "
       "earn the 10 points of a contract kept.", minimum=1),
    # rule POWER-REMIND
    _o("remind.before_days", "integer", 3, "An unpaid bill this many days before its due day "
       "gets a payment reminder.", minimum=0),
    _o("remind.call_days", "integer", 7, "An unpaid bill this many days after its due day gets a "
       "collection call.", minimum=1),
    _o("remind.escalation_days", "integer", 30, "An unpaid bill this many days after its due day "
       "is escalated to the manager's superior.", minimum=1),
    # rule POWER-OUTAGE
    _o("outage.planned_days", "integer", 7, "Days before a planned outage every affected customer "
       "must be notified.", minimum=0),
    _o("outage.temporary_hours", "integer", 24, "Hours before a temporary outage important and "
       "class 1 customers must be notified.", minimum=0),
    # rule POWER-ANOMALY
    _o("anomaly.change", "number", 0.50, "A month's consumption this share or more away from the "
       "mean of the three months before it is an anomaly.", minimum=0),
    _o("anomaly.months", "integer", 3, "Months the mean is taken over.", minimum=1),
    # rule POWER-ADVICE
    _o("advice.power_factor", "number", 0.90, "A class 1 customer whose power factor is below "
       "this gets an advice letter.", minimum=0, maximum=1),
    _o("advice.peak_share", "number", 0.40, "A customer not on time-of-use tariff whose peak "
       "share is this or more gets an advice letter.", minimum=0, maximum=1),
    # rule POWER-VISIT
    _o("visit.class1_days", "integer", 30, "Days between visits to a class 1 customer (monthly).",
       minimum=1),
    _o("visit.class2_days", "integer", 90, "Days between visits to a class 2 customer "
       "(quarterly).", minimum=1),
    # rule POWER-COMPLAINT
    _o("complaint.response_hours", "number", 24, "Hours to the first response to a complaint "
       "or request.", minimum=0),
    _o("complaint.resolution_hours", "number", 120, "Hours to resolve a complaint or request "
       "(5 days); 督办 level 2 past it, level 3 past twice it (POWER-ROUTE).", minimum=0),
    _o("complaint.callback_hours", "number", 72, "Hours after resolving to call the customer "
       "back (3 days).", minimum=0),
    _o("complaint.vip_response_hours", "number", 4, "A VIP's response limit (绿色通道).",
       minimum=0),
    _o("complaint.vip_resolution_hours", "number", 48, "A VIP's resolution limit (绿色通道).",
       minimum=0),
    _o("complaint.vip_callback_hours", "number", 24, "A VIP's callback limit (绿色通道).",
       minimum=0),
    # rule POWER-REPAIR
    _o("repair.urban_arrival_minutes", "integer", 45, "Minutes for a repair crew to arrive, "
       "urban.", minimum=1),
    _o("repair.rural_arrival_minutes", "integer", 90, "Minutes to arrive, rural.", minimum=1),
    _o("repair.remote_arrival_minutes", "integer", 120, "Minutes to arrive, remote.", minimum=1),
    _o("repair.urban_restore_hours", "number", 3, "Hours from arrival to restored supply, "
       "urban.", minimum=0),
    _o("repair.rural_restore_hours", "number", 4, "Hours from arrival to restored supply, "
       "rural.", minimum=0),
    _o("repair.remote_restore_hours", "number", 4, "Hours from arrival to restored supply, "
       "remote (ours: the commitment names none).", minimum=0),
    # rule POWER-EXPIRY
    _o("expiry.days", "integer", 30, "Contracts and temporary-supply agreements ending within "
       "this many days get a notice.", minimum=1),
    # rule POWER-EQUIP
    _o("patrol.days", "integer", 30, "Days between patrols of a VIP equipment item (monthly).",
       minimum=1),
)

FIELDS = (
    Field(name="industry", entity="customers", type="text",
          aliases=("行业类别",),
          description="Industry (行业类别), as the utility codes it."),
    Field(name="voltage", entity="customers", type="text", allowed=VOLTAGES,
          aliases=("电压等级",),
          description="Supply voltage level (电压等级): 220V, 380V, 10kV, 35kV, 110kV, 220kV."),
    Field(name="tariff", entity="customers", type="text", allowed=TARIFFS,
          aliases=("电价类别",),
          description="Tariff category (电价类别): residential, commercial, two_part (大工业两部制), "
                      "time_of_use (分时), interruptible (可中断), agricultural."),
    Field(name="time_of_use", entity="customers", type="boolean",
          aliases=("分时电价",),
          description="On a time-of-use (分时) tariff (POWER-ADVICE)."),
    Field(name="interruptible", entity="customers", type="boolean",
          aliases=("可中断",),
          description="On an interruptible (可中断) contract."),
    Field(name="reading_segment", entity="customers", type="text",
          aliases=("抄表段",),
          description="Meter-reading segment (抄表段); an outage may name it (POWER-OUTAGE)."),
    Field(name="capacity_kva", entity="customers", type="decimal",
          aliases=("合同容量",),
          description="Contracted capacity in kVA (合同容量)."),
    Field(name="important", entity="customers", type="boolean",
          aliases=("重要客户",),
          description="An important customer (重要客户: hospital, government, ...): class 1, and "
                      "notified before temporary outages."),
    Field(name="importance", entity="customers", type="text",
          aliases=("重要性",),
          description="Why the customer is important (hospital, government, water works, ...)."),
    Field(name="area", entity="customers", type="text", allowed=AREAS,
          aliases=("供电区域",),
          description="urban, rural or remote: sets the repair limits (POWER-REPAIR)."),
    Field(name="feeder", entity="customers", type="text",
          aliases=("线路",),
          description="The feeder (线路) the supply point is on (POWER-OUTAGE)."),
    Field(name="bill_channel", entity="customers", type="text", allowed=CHANNELS,
          aliases=("账单渠道",),
          description="How the customer wants bills and notices (POWER-BILLPREF): sms, letter, "
                      "email, fax or phone; sms when empty."),
    Field(name="bill_address", entity="customers", type="text",
          aliases=("账单地址",),
          description="Where bills and notices go on that channel: a mobile number, an email "
                      "address, a postal address."),
    Field(name="bill_content", entity="customers", type="text", allowed=("summary", "detailed"),
          aliases=("账单内容",),
          description="The bill's content (POWER-BILLPREF): summary or detailed."),
    Field(name="bill_day", entity="customers", type="integer",
          aliases=("账单日",),
          description="The day of the month the customer wants the bill (POWER-BILLPREF)."),
    Field(name="vip_flag", entity="customers", type="boolean",
          aliases=("VIP标记",),
          description="Put on the VIP list by hand (social standing, growth potential; POWER-VIP)."),
    Field(name="contract_ends", entity="customers", type="date",
          aliases=("合同到期日",),
          description="The supply contract's end date (POWER-EXPIRY)."),
    Field(name="temporary_until", entity="customers", type="date",
          aliases=("临时用电到期日",),
          description="The end of a temporary-supply agreement (临时用电, POWER-EXPIRY)."),
    Field(name="due_on", entity="interactions", type="date",
          aliases=("缴费截止日",),
          description="A bill's due day (POWER-REMIND, POWER-CREDIT)."),
    Field(name="bill_period", entity="interactions", type="text",
          aliases=("账期",),
          description="The month a bill is for, 2026-10 (shown in reasons)."),
    Field(name="bill_id", entity="interactions", type="text",
          aliases=("账单编号",),
          description="The bill a payment pays (partial payments add up)."),
    Field(name="satisfaction", entity="interactions", type="integer", allowed=(1, 2, 3, 4, 5),
          aliases=("满意度",),
          description="Of a survey: satisfaction from 1 (poor) to 5 (excellent)."),
    Field(name="equipment_id", entity="interactions", type="text",
          aliases=("设备编号",),
          description="The VIP equipment a patrol looked at (POWER-EQUIP)."),
)

METRICS = (
    Metric(name="kwh", title="Consumption", grain="month", aggregate="sum", unit="kWh",
           description="Monthly metered consumption (电量)."),
    Metric(name="peak_share", title="Peak share", grain="month", aggregate="avg", unit="share",
           description="Share of the month's consumption in peak hours (峰段占比), 0 to 1."),
    Metric(name="power_factor", title="Power factor", grain="month", aggregate="avg", unit="",
           description="The month's power factor (功率因数), 0 to 1."),
)
