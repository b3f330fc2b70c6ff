"""What the banking pack declares: its settings, fields and metrics.

Every number of the Banking section of the sector catalogue is a default
here, under the rule ID it belongs to; a bank overrides it in its
``guanxi.toml`` (``[banking.abc] a_share = 0.1``).
"""

from __future__ import annotations

from guanxi import ConfigOption, Field, Metric

#: rule BANK-SPOTCHECK: what a spot-check call back finds.
SPOTCHECK_OUTCOMES = ("confirmed", "not_confirmed", "problem")

#: The product (account) types the pack knows, for cross-selling and coverage.
PRODUCT_TYPES = ("deposit", "loan", "wealth", "ebanking", "cash_management", "settlement", "card")


def _o(name, type, default, description, **extra) -> ConfigOption:
    return ConfigOption(name=name, type=type, default=default, description=description, **extra)


OPTIONS = (
    # rule BANK-ABC
    _o("abc.measure", "text", "aum", "The declared metric customers are ranked by, averaged "
       "over abc.months closed months: a flow (aggregate sum: revenue, profit) counts a month "
       "without a row as 0 from the customer's first month on; a stock (AUM) averages its "
       "month-ends."),
    _o("abc.months", "integer", 12, "Closed months the ABC measure is averaged over.", minimum=1),
    _o("abc.a_share", "number", 0.15, "Share of ranked customers, by count, in class A (the top).",
       minimum=0, maximum=1),
    _o("abc.b_share", "number", 0.25, "Share of ranked customers, by count, in class B (next "
       "after A); the rest are C.", minimum=0, maximum=1),
    # rule BANK-TIER
    _o("tier.measure", "text", "aum", "The declared monthly metric asset tiers are bounded by "
       "(its last closed month's figure)."),
    _o("tier.private", "number", 5_000_000, "Lowest AUM of a private-banking customer "
       "(inclusive).", minimum=0),
    _o("tier.wealth", "number", 1_000_000, "Lowest AUM of a wealth customer (inclusive).",
       minimum=0),
    _o("tier.affluent", "number", 100_000, "Lowest AUM of an affluent customer (inclusive).",
       minimum=0),
    # rule BANK-REL
    _o("rel.maturity_days", "integer", 90, "A deposit maturing within this many days makes "
       "its holder likely to renew (level A).", minimum=0),
    _o("rel.positive_contacts", "integer", 2, "Positive-outcome visits or calls that make a good "
       "relationship with the manager (level B).", minimum=1),
    _o("rel.contact_days", "integer", 90, "Days the positive contacts are counted over.",
       minimum=1),
    # rule BANK-VISIT
    _o("visit.a_days", "integer", 7, "Days between visits or calls to a level-A customer "
       "(0: not planned).", minimum=0),
    _o("visit.b_days", "integer", 7, "Days between visits or calls to a level-B customer.",
       minimum=0),
    _o("visit.c_days", "integer", 15, "Days between visits or calls to a level-C customer "
       "(twice a month).", minimum=0),
    _o("visit.d_days", "integer", 30, "Days between visits or calls to a level-D customer.",
       minimum=0),
    _o("visit.daily_cap", "integer", 8, "At most this many planned visits per manager a day.",
       minimum=1),
    # rule BANK-CHURN
    _o("churn.aum_drop", "number", 0.30, "A fall of AUM by this share or more over churn.months "
       "warns of churn.", minimum=0, maximum=1),
    _o("churn.months", "integer", 3, "Months the AUM fall is measured over (three month-ends: "
       "90 days).", minimum=1),
    _o("churn.transfer_share", "number", 0.5, "Transfers out of this share of the balance or "
       "more within churn.transfer_days warn of churn.", minimum=0),
    _o("churn.transfer_days", "integer", 30, "Days transfers out are added up over.", minimum=1),
    _o("churn.idle_days", "integer", 90, "Days without a transaction that warn of churn "
       "(0: not checked).", minimum=0),
    _o("churn.transaction_kinds", "text list", ["transaction"], "Interaction kinds that count "
       "as a transaction for churn.idle_days (a purchase log's 'order', say).",
       check=lambda kinds: None if kinds else "must name at least one interaction kind"),
    _o("churn.due_days", "integer", 3, "Days the manager has for the retention call.", minimum=0),
    # rule BANK-HANDOVER
    _o("handover.due_days", "integer", 7, "Days the new manager has for the retention visit.",
       minimum=0),
    _o("handover.lookback_days", "integer", 30, "Handovers and departures this recent are "
       "followed up.", minimum=1),
    # rule BANK-FEEDBACK
    _o("feedback.due_days", "integer", 7, "Days to follow up an opinion or suggestion by call "
       "or visit.", minimum=0),
    _o("feedback.lookback_days", "integer", 30, "Feedback this recent without a follow-up gets "
       "a task.", minimum=1),
    # rule BANK-COMPLAINT
    _o("complaint.response_hours", "number", 24, "Hours to the first response to a complaint.",
       minimum=0),
    _o("complaint.resolution_hours", "number", 120, "Hours to resolve a complaint (5 days).",
       minimum=0),
    # rule BANK-UPGRADE
    _o("upgrade.change", "number", 0.30, "An AUM change (up or down) of this share or more over "
       "upgrade.months asks for a review of the level.", minimum=0),
    _o("upgrade.months", "integer", 3, "Months the AUM change is measured over.", minimum=1),
    _o("upgrade.new_days", "integer", 30, "A first account opened this recently asks for a "
       "review of the level.", minimum=1),
    _o("upgrade.due_days", "integer", 1, "Days the manager has to review the level (at once).",
       minimum=0),
    # rule BANK-SPOTCHECK
    _o("spotcheck.rota", "text", "spotcheck", "The rota of leaders who call customers back."),
    _o("spotcheck.sample", "integer", 5, "Customers each leader on duty checks a day.",
       minimum=1),
    _o("spotcheck.visit_days", "integer", 7, "Visits this recent are sampled.", minimum=1),
    _o("spotcheck.phone_weeks", "text", "odd", "ISO weeks checked by phone (the others on "
       "site).", allowed=("odd", "even")),
    # rule BANK-TEAM
    _o("team.reward_each", "number", 500, "Reward to the top team in customers maintained, and "
       "to the top team in accounts opened (recorded, not paid).", minimum=0),
    _o("team.reward_both", "number", 1000, "Reward to a team top in both (instead of the two "
       "rewards).", minimum=0),
    _o("team.fine_team", "number", 300, "Fine on a team per false report or late or missing "
       "report (recorded, not paid).", minimum=0),
    _o("team.fine_duty", "number", 300, "Fine on a leader per missed duty: a spot-check left "
       "undone, a guidance letter or ledger check not handed in.", minimum=0),
    # rules BANK-FEEDBACK, BANK-SPOTCHECK, BANK-TEAM: tracked reports
    _o("reports.guidance_author", "text", "", "Who writes the weekly customer maintenance "
       "guidance letter (客户维护指导意见书): a team or manager id ('' for none)."),
    _o("reports.ledger_author", "text", "", "Who checks the ledgers weekly (分管领导): a "
       "manager id ('' for none)."),
    _o("reports.analysis_author", "text", "", "Who writes the monthly analysis (董事长): a "
       "manager id ('' for none)."),
    # rule BANK-LIST
    _o("lists.names", "text list", ["watch", "key_projects", "targets"],
       "The named lists the list KPIs read (名单制)."),
    # KPIs
    _o("products.types", "text list", list(PRODUCT_TYPES), "Account types that count as "
       "products for cross-selling and coverage."),
    _o("products.coverage_types", "integer", 3, "Product types a customer needs to count as "
       "covered.", minimum=1),
)


FIELDS = (
    Field(name="business_line", entity="customers", type="text", allowed=("retail", "corporate"),
          aliases=("业务条线",),
          description="Retail (个人) or corporate (对公) banking; empty: from the customer's kind."),
    Field(name="renewal_likely", entity="customers", type="boolean",
          aliases=("续存意向",),
          description="The manager expects the customer to renew or add deposits (BANK-REL A)."),
    Field(name="deposits_elsewhere", entity="customers", type="boolean",
          aliases=("他行存款",),
          description="The customer holds deposits at another bank (BANK-REL B, C)."),
    Field(name="customer_resources", entity="customers", type="boolean",
          aliases=("客户资源",),
          description="The customer can bring further customers (客户资源, BANK-REL B)."),
    Field(name="sme", entity="customers", type="boolean",
          aliases=("小微企业",),
          description="A small or medium enterprise (the SME-loan KPI)."),
    Field(name="archive_built_on", entity="customers", type="date",
          aliases=("档案建立日期",),
          description="The day the customer's archive (客户信息档案) was built."),
    Field(name="industry", entity="customers", type="text",
          aliases=("行业",),
          description="Industry of an organization, or occupation of a person."),
    Field(name="maturity_date", entity="accounts", type="date",
          aliases=("到期日",),
          description="When a time deposit or a wealth product matures (BANK-REL A)."),
    Field(name="product", entity="accounts", type="text",
          aliases=("产品名称",),
          description="The product's name in the core-banking system."),
    Field(name="interest_rate", entity="accounts", type="decimal",
          aliases=("利率",),
          description="Annual interest rate of a loan, as a share (0.0435): the loan yield."),
    Field(name="direction", entity="interactions", type="text", allowed=("in", "out"),
          aliases=("资金方向",),
          description="Of a transaction: money in or out (transfers out: BANK-CHURN)."),
    Field(name="satisfaction", entity="interactions", type="integer", allowed=(1, 2, 3, 4, 5),
          aliases=("满意度",),
          description="Of a survey: satisfaction from 1 (poor) to 5 (excellent)."),
    Field(name="wallet_share", entity="interactions", type="decimal",
          aliases=("资产占比",),
          description="Of a survey: share of the customer's financial assets held with us (0–1)."),
    Field(name="intends_to_stay", entity="interactions", type="boolean",
          aliases=("留存意向",),
          description="Of a survey: the customer intends to stay."),
    Field(name="would_recommend", entity="interactions", type="boolean",
          aliases=("推荐意愿",),
          description="Of a survey: the customer would recommend us."),
    Field(name="complaint_valid", entity="interactions", type="boolean",
          aliases=("有效投诉",),
          description="Of a complaint: found valid (有效投诉); empty counts as valid."),
    Field(name="campaign", entity="interactions", type="text",
          aliases=("营销活动",),
          description="Of a visit or call: the targeted-marketing campaign it was part of."),
    Field(name="error", entity="interactions", type="boolean",
          aliases=("差错",),
          description="Of a transaction: it had to be corrected (accuracy)."),
)


METRICS = (
    Metric(name="aum", title="Assets under management (客户金融资产)", grain="month",
           aggregate="last", unit="CNY",
           description="Month-end financial assets the customer holds with the bank: deposits, "
                       "wealth products, funds, insurance sold. One row per customer, or per "
                       "account (the pack adds the accounts up)."),
    Metric(name="profit", title="Modelled profit (客户模拟利润)", grain="month", aggregate="sum",
           unit="CNY", description="The customer's modelled profit for the month."),
    Metric(name="deposits", title="Deposits", grain="month", aggregate="last", unit="CNY",
           description="Month-end deposit balance (an alternative measure for BANK-ABC and "
                       "BANK-TIER)."),
    Metric(name="loan_balance", title="Loan balance", grain="month", aggregate="last",
           unit="CNY", description="Month-end outstanding balance of a loan account."),
)
