"""What the tobacco pack declares: its settings, fields, metrics and kinds.

Every number of the Tobacco section of the sector catalogue is a default
here, under the rule ID it belongs to; a wholesaler overrides it in its
``guanxi.toml`` (``[tobacco.plan] daily_cap = 25``).

The data, in the core's entities:

- a licensed retailer (持证零售客户) is a customer, with its licence,
  network status, store format and, when the source system grades, its
  grade as fields;
- orders are measurements of the day-grain metric ``cartons`` (条 ordered
  that day), with ``sales`` (their value) and ``shortfall`` (cartons
  ordered but not supplied: a stock-out day) beside them;
- visits, special visits, price violations, quality complaints, reports of
  unlicensed selling, surveys and promotion material are interactions of
  the kinds below, with the checklist and the findings as fields.
"""

from __future__ import annotations

from guanxi import ConfigOption, Field, Metric

#: Interaction kinds the pack reads (the interaction's ``kind`` column).
VISIT = "visit"                        # a regular visit (TOB-PLAN, TOB-CHECKLIST)
SPECIAL_VISIT = "special_visit"        # 《特殊访问记录》 (TOB-SPECIAL)
PRICE_VIOLATION = "price_violation"    # a price below the guide price (TOB-PRICE)
QUALITY_COMPLAINT = "quality_complaint"  # 不合格卷烟 (TOB-QUALITY)
UNLICENSED = "unlicensed"              # unlicensed selling seen (TOB-UNLICENSED)
SURVEY = "survey"                      # a satisfaction survey answer (TOB-SURVEY)
LICENCE_CHANGE = "licence_change"      # the licence was changed (TOB-SPECIAL)
CLOSURE = "closure"                    # the shop closes or stops (TOB-SPECIAL)
COMPLAINT = "complaint"                # any other complaint (TOB-SPECIAL)

KINDS = (VISIT, SPECIAL_VISIT, PRICE_VIOLATION, QUALITY_COMPLAINT, UNLICENSED, SURVEY,
         LICENCE_CHANGE, CLOSURE, COMPLAINT)

#: The visit checklist (TOB-CHECKLIST, 《营销人员市场走访签到记录簿》, §4.1.3–4),
#: in the order of the source: each a boolean field of a visit.
CHECKLIST = (
    ("info_given", "information of the company passed on", "传递信息"),
    ("info_collected", "information collected, the retailer's record kept current",
     "收集信息"),
    ("stock_checked", "stock checked, with an order suggestion", "核对库存并提出订货建议"),
    ("display_helped", "display helped, soiled price tags replaced", "协助摆放出样、调换标价签"),
    ("lawful_checked", "sales and lawful operation observed", "观察销售、督促守法经营"),
    ("price_checked", "retail prices checked against the guide price", "检查最低零售指导价执行"),
    ("manager_signed", "signed by the manager", "客户经理签名"),
    ("retailer_signed", "signed by the retailer", "客户签名确认"),
)
CHECKLIST_ITEMS = tuple(name for name, _, _ in CHECKLIST)

#: Store formats (卷烟零售业态, industry practice: 7 formats), areas and size bands.
STORE_FORMATS = ("grocery", "convenience", "supermarket", "mall", "tobacco_liquor",
                 "entertainment", "other")
AREAS = ("urban", "rural")
SIZE_BANDS = ("large", "medium", "small")

#: The grade segmentation and the report kind, as other modules name them.
GRADE = "tobacco.grade"
NETWORK = "tobacco.network"
MONTHLY_REPORT = "tobacco.monthly_sales"
REGIONAL_MANAGER = "regional market manager"   # 区域市场经理
BRAND_MANAGER = "brand manager"                # 品牌经理


#: The national practice has 30 supply tiers (档位): 29 thresholds at most.
MAX_GRADES = 30


def _thresholds_problem(value) -> str | None:
    # rule TOB-GRADE: each threshold opens a grade; a repeated one would leave a
    # grade nobody can reach, and none at all would grade nothing.
    if not 1 <= len(value) <= MAX_GRADES - 1 or len(set(value)) != len(value):
        return f"must be 1 to {MAX_GRADES - 1} different numbers, one per grade after the first"
    return None


def _o(name, type, default, description, **extra) -> ConfigOption:
    return ConfigOption(name=name, type=type, default=default, description=description, **extra)


OPTIONS = (
    # rule TOB-GRADE (综合测评, §4.2)
    _o("grade.source", "text", "computed", "computed: grades from the comprehensive evaluation; "
       "imported: the customers' grade field, lowered by approved price violations.",
       allowed=("computed", "imported")),
    _o("grade.months", "integer", 3, "Closed months the evaluation looks back over.",
       minimum=1),
    _o("grade.thresholds", "number list", [80, 65, 50, 35], "Lowest score of grade 1, 2, ...: "
       "n thresholds make n + 1 grades (29 make the 30 national supply tiers).",
       minimum=0, maximum=100, check=_thresholds_problem),
    _o("grade.volume_full", "integer", 200, "Cartons a month that earn the full volume points.",
       minimum=1),
    _o("grade.weight_volume", "integer", 40, "Points for monthly order volume.", minimum=0),
    _o("grade.weight_regularity", "integer", 30, "Points for order regularity (weeks with an "
       "order).", minimum=0),
    _o("grade.weight_price", "integer", 15, "Points for price compliance (price checks "
       "without a violation).", minimum=0),
    _o("grade.weight_lawful", "integer", 15, "Points for lawful operation (no visit saw "
       "unlawful operation).", minimum=0),
    # rule TOB-PRICE
    _o("price.downgrade", "integer", 1, "Grades an approved price violation lowers the grade by "
       "(never below the lowest).", minimum=0),
    _o("price.approval_hours", "number", 48, "Hours the regional market manager has to approve "
       "the downgrade (及时).", minimum=0),
    # rule TOB-PLAN
    _o("plan.weekly_through", "integer", 2, "Grades 1 to this are visited weekly.", minimum=0),
    _o("plan.fortnightly_through", "integer", 3, "Grades after the weekly ones up to this are "
       "visited every two weeks; the rest monthly.", minimum=0),
    _o("plan.weekly_days", "integer", 7, "Days between visits of a weekly grade.", minimum=0),
    _o("plan.fortnightly_days", "integer", 14, "Days between visits of a two-weekly grade.",
       minimum=0),
    _o("plan.monthly_days", "integer", 30, "Days between visits of the other grades.",
       minimum=0),
    _o("plan.daily_cap", "integer", 30, "At most this many planned visits per manager a day.",
       minimum=1),
    _o("plan.group_by", "text", "territory", "Place whole territories on the days they fit "
       "(territory) or plan by how overdue only (none).", allowed=("territory", "none")),
    # rule TOB-SPECIAL
    _o("special.triggers", "text list",
       [COMPLAINT, QUALITY_COMPLAINT, LICENCE_CHANGE, CLOSURE],
       "Interaction kinds that are a special situation (特殊情况)."),
    _o("special.sales_drop", "number", 0.3, "A fall of the last closed month's cartons by this "
       "share or more, against the average of the three months before, is a special "
       "situation.", minimum=0, maximum=1),
    _o("special.due_working_days", "integer", 1, "Working days the special visit is due in "
       "(立即).", minimum=0),
    _o("special.lookback_days", "integer", 30, "Situations this recent without a special visit "
       "get a task.", minimum=1),
    # rule TOB-CHECKLIST
    _o("checklist.lookback_days", "integer", 14, "Incomplete visits this recent get a task to "
       "complete the record.", minimum=1),
    _o("checklist.due_days", "integer", 2, "Days the manager has to complete the record.",
       minimum=0),
    # rule TOB-PROMO
    _o("promo.max_grade", "integer", 3, "Only grades 1 to this may be recommended for a "
       "promotion (限三级以上客户).", minimum=1),
    # rule TOB-REPORT
    _o("report.due_day", "integer", 5, "Day of the next month the monthly sales analysis is due "
       "(moved to the next working day past holidays).", minimum=1, maximum=28),
    _o("report.forecast_months", "integer", 3, "Closed months the next-month forecast averages.",
       minimum=1),
    # rule TOB-QUALITY
    _o("quality.inspect_hours", "number", 24, "Hours to inspect a quality complaint on site.",
       minimum=0),
    _o("quality.step_hours", "number", 48, "Hours for each later step of a quality complaint.",
       minimum=0),
    _o("quality.resolution_hours", "number", 240, "Hours to feed the result back (10 days).",
       minimum=0),
    # rule TOB-NETWORK
    _o("network.renewal_days", "integer", 30, "A licence expiring within this many days gets a "
       "renewal reminder.", minimum=0),
    _o("network.due_days", "integer", 3, "Days the manager has for a renewal reminder or a "
       "network exit.", minimum=0),
    _o("network.entry_days", "integer", 30, "Retailers who entered the network this recently "
       "and have had no visit get a first visit.", minimum=1),
    # rule TOB-SURVEY
    _o("survey.action_below", "integer", 4, "A satisfaction score (1 to 5) below this asks for "
       "measures.", minimum=1, maximum=6),
    _o("survey.due_days", "integer", 10, "Days the manager has to record the measures taken.",
       minimum=0),
    _o("survey.lookback_days", "integer", 60, "Survey answers this recent are followed up.",
       minimum=1),
    # KPIs
    _o("suggestion.days", "integer", 7, "An order within this many days after a visit's order "
       "suggestion can adopt it.", minimum=1),
    _o("suggestion.tolerance", "number", 0.1, "An order within this share of the suggested "
       "cartons adopts the suggestion.", minimum=0, maximum=1),
)


FIELDS = (
    # customers: the licensed retailer
    Field(name="licence_no", entity="customers", type="text",
          aliases=("许可证号", "烟草专卖零售许可证号"),
          description="Tobacco retail licence number (烟草专卖零售许可证号)."),
    Field(name="licence_expires", entity="customers", type="date",
          aliases=("许可证有效期",),
          description="The day the licence expires (TOB-NETWORK)."),
    Field(name="network_status", entity="customers", type="text", allowed=("in", "out"),
          aliases=("入网状态",),
          description="In the supply network (入网) or out of it (退网); empty counts as in."),
    Field(name="entered_on", entity="customers", type="date",
          aliases=("入网日期",),
          description="The day the retailer entered the network (入网)."),
    Field(name="grade", entity="customers", type="integer",
          aliases=("档位",),
          description="The grade (档位) the source system holds, 1 best; read when "
                      "[tobacco.grade] source = \"imported\"."),
    Field(name="store_format", entity="customers", type="text", allowed=STORE_FORMATS,
          aliases=("业态",),
          description="Store format (业态)."),
    Field(name="area", entity="customers", type="text", allowed=AREAS,
          aliases=("城乡",),
          description="Urban or rural (城网/农网)."),
    Field(name="size_band", entity="customers", type="text", allowed=SIZE_BANDS,
          aliases=("规模",),
          description="Size band of the shop."),
    # interactions: the visit checklist (TOB-CHECKLIST)
    *(Field(name=name, entity="interactions", type="boolean", aliases=(zh,),
            description=f"Of a visit: {text} ({zh}).") for name, text, zh in CHECKLIST),
    Field(name="suggested_cartons", entity="interactions", type="integer",
          aliases=("建议订购量",),
          description="Of a visit: the cartons the manager suggested ordering."),
    Field(name="unlawful", entity="interactions", type="boolean",
          aliases=("违规经营",),
          description="Of a visit: unlawful operation was seen (counts against TOB-GRADE)."),
    Field(name="note", entity="interactions", type="text",
          aliases=("备注",),
          description="What was said or found, in the manager's words (the report quotes it)."),
    # interactions: price violations (TOB-PRICE)
    Field(name="brand", entity="interactions", type="text",
          description="Of a price violation or quality complaint: the brand (规格)."),
    Field(name="retail_price", entity="interactions", type="decimal",
          description="Of a price violation: the price found, per carton."),
    Field(name="guide_price", entity="interactions", type="decimal",
          description="Of a price violation: the unified minimum retail guide price, per carton."),
    # interactions: surveys (TOB-SURVEY)
    Field(name="satisfaction", entity="interactions", type="integer", allowed=(1, 2, 3, 4, 5),
          description="Of a survey: satisfaction from 1 (poor) to 5 (excellent)."),
    Field(name="ordered_by", entity="interactions", type="text",
          allowed=("service_centre", "regional_manager"),
          description="Of a survey: who ordered it (客户服务中心 or 区域市场经理)."),
)


METRICS = (
    Metric(name="cartons", title="Cartons ordered (订货量)", grain="day", aggregate="sum",
           unit="carton",
           description="Cartons (条) the retailer ordered that day: one row per retailer and "
                       "order day; the pack adds them up by week and month."),
    Metric(name="sales", title="Order value (订货金额)", grain="day", aggregate="sum",
           unit="CNY", description="The value of the day's order."),
    Metric(name="shortfall", title="Cartons not supplied (断货)", grain="day", aggregate="sum",
           unit="carton",
           description="Cartons ordered that day but not supplied: a day with a shortfall is a "
                       "stock-out day."),
)
