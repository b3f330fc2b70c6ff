"""The banking KPIs (《客户经理的工作计划》第8篇 unless noted): acquisition, retention, value,
service and loyalty, teams (BANK-TEAM), lists (BANK-LIST), shared credit
(BANK-SHARE).

Each is one grouped select for the period (``ctx.period``) up to the as-of
day, keyed by ``ctx.scope_key`` of the customer it counts; work a manager
did (contacts, spot-checks) is keyed by that manager, and AUM and profit by
manager, team or territory are split by credit shares (BANK-SHARE).
Labels at a date come from segment history, so a past period reads the
labels it had.

The rows behind a value: each KPI is built from one per-row select
(``scope_key, row_id, figure[, weight]`` and the figures its reason names),
which its value adds up (``kpi_value``: Σ figure, or Σ figure / Σ weight for
shares, means and rates) and ``--explain`` lists (``explained``), so the
two cannot drift apart.

The row builders live by subject: :mod:`guanxi_banking.kpi_rows` (shared
helpers), :mod:`guanxi_banking.kpi_measures` (month-end AUM and profit),
:mod:`guanxi_banking.kpi_customers` (acquisition, retention, value),
:mod:`guanxi_banking.kpi_service` (service and loyalty),
:mod:`guanxi_banking.kpi_teams` (BANK-TEAM), :mod:`guanxi_banking.kpi_lists`
(BANK-LIST, BANK-SHARE); their reasons are in
:mod:`guanxi_banking.kpi_reasons`. This module declares the KPIs.
"""

from __future__ import annotations

from guanxi import Kpi
from guanxi_banking.kpi_customers import (
    archives_built_rows,
    aum_per_card_rows,
    cross_sell_rows,
    ebanking_active_rows,
    high_end_customers_rows,
    key_churn_rate_rows,
    key_churn_reason,
    key_customer_share_rows,
    key_profit_share_rows,
    loan_yield_rows,
    market_share_rows,
    needs_surveys_rows,
    new_core_customers_rows,
    new_sme_loan_customers_rows,
    new_target_customers_rows,
    new_vip_customers_rows,
    product_coverage_rows,
    quality_discovery_rows,
    relationship_contacts_rows,
    satisfaction_rows,
    tier_upgrades_rows,
    valid_complaints_rows,
    value_customers_rows,
    vip_profit_share_rows,
    vip_share_rows,
    wealth_penetration_rows,
)
from guanxi_banking.kpi_lists import (
    list_contact_rate_rows,
    list_members_rows,
    product_managers_rows,
    share_conflicts_rows,
    unassigned_reason,
    unassigned_rows,
)
from guanxi_banking.kpi_measures import aum_growth_rows, aum_rows, measure_reason, profit_rows
from guanxi_banking.kpi_reasons import REASONS
from guanxi_banking.kpi_rows import explained, kpi_value, reason_of, reason_yes_no
from guanxi_banking.kpi_service import (
    accuracy_rows,
    complaint_rate_rows,
    complaint_resolution_hours_rows,
    complaint_response_hours_rows,
    marketing_success_rows,
    punctuality_reason,
    punctuality_rows,
    survey_share_rows,
    wallet_share_rows,
)
from guanxi_banking.kpi_teams import (
    accounts_net_growth_rows,
    accounts_opened_rows,
    customers_maintained_rows,
    duty_fines_rows,
    net_growth_reason,
    reports_on_time_rows,
    reports_reason,
    spotchecks_done_rows,
    team_fines_rows,
    team_rewards_reason,
    team_rewards_rows,
    visits_confirmed_rows,
)


SHARE = "share"
COUNT = "customers"


def _k(name, title, rows, unit, description, says, combine="sum", kind="customer",
       all_rows=False, **extra) -> Kpi:
    """A KPI whose value adds up ``rows(ctx)`` (see ``_value``) and whose --explain lists them."""
    mine = f"banking.kpi.{name}"
    return Kpi(name=f"banking.{name}", title=title, unit=unit, description=description,
               query=lambda ctx: kpi_value(ctx, rows(ctx), combine),
               rows=lambda ctx: explained(ctx, rows(ctx), says, all_rows),
               row_kind=kind, combine=combine,
               reasons={key: text for key, text in REASONS.items()
                        if key == mine or key.startswith(mine + ".")},
               **extra)


_TEAM_SCOPES = ("all", "team")

KPIS = (
    # acquisition
    _k("new_target_customers", "New customers won", new_target_customers_rows, COUNT,
       "新增目标客户数量: customers whose first account opened in the period.", empty=0,
       says=reason_of("new_target_customers", "opened", customer="row_id")),
    _k("market_share", "Market share", market_share_rows, SHARE,
       "市场占有率: share of the customers on the books (surveyed residents and merchants "
       "included) who hold an open product account (products.types) with us.",
       says=reason_yes_no("market_share", "product", "day", customer="row_id"), combine="ratio"),
    _k("key_customer_share", "Key customers' share of customers", key_customer_share_rows, SHARE,
       "重点客户数量占比: share of ABC-ranked customers in class A.",
       says=reason_of("key_customer_share", "label", "day", customer="row_id"), combine="ratio"),
    _k("key_profit_share", "Key customers' share of profit", key_profit_share_rows, SHARE,
       "重点客户收入占比: share of the period's modelled profit from ABC class A.",
       says=reason_of("key_profit_share", "amount", "month", "label", customer="row_id"),
       combine="ratio", kind="measurement"),
    _k("new_core_customers", "New core customers", new_core_customers_rows, COUNT,
       "对公/个人核心客户增量: customers who entered ABC class A in the period (split by "
       "--by segment:banking.line).", empty=0,
       says=reason_of("new_core_customers", "on", customer="row_id")),
    _k("new_vip_customers", "New VIP customers", new_vip_customers_rows, COUNT,
       "VIP 客户增量: customers who entered an affluent-and-above tier in the period.", empty=0,
       says=reason_of("new_vip_customers", "on", customer="row_id")),
    _k("new_sme_loan_customers", "New SME-loan customers", new_sme_loan_customers_rows, COUNT,
       "中小企业贷款户增量: SMEs whose first loan opened in the period.", empty=0,
       says=reason_of("new_sme_loan_customers", "opened", customer="row_id")),
    _k("vip_share", "VIP share of customers", vip_share_rows, SHARE,
       "VIP 客户数量占比: share of tiered customers affluent and above.",
       says=reason_of("vip_share", "label", "day", customer="row_id"), combine="ratio"),
    _k("vip_profit_share", "VIP share of profit", vip_profit_share_rows, SHARE,
       "VIP 客户收入占比: share of the period's modelled profit from affluent-and-above "
       "customers.",
       says=reason_of("vip_profit_share", "amount", "month", "label", customer="row_id"),
       combine="ratio", kind="measurement"),
    # retention
    _k("high_end_customers", "High-end customers under management", high_end_customers_rows,
       COUNT, "中高端客户的管户数: affluent-and-above customers at the period's end.", empty=0,
       says=reason_of("high_end_customers", "label", "day", customer="row_id")),
    _k("satisfaction", "Satisfaction score", satisfaction_rows, "score 1-5",
       "客户服务满意度: mean satisfaction (1–5) of the surveys in the period.",
       says=reason_of("satisfaction", "customer", "day", "score", interaction="row_id"),
       combine="ratio", kind="interaction"),
    _k("valid_complaints", "Valid complaints", valid_complaints_rows, "complaints",
       "客户有效投诉件数: complaints in the period not found invalid.", empty=0,
       higher_is_better=False,
       says=reason_of("valid_complaints", "customer", "day", interaction="row_id"),
       kind="interaction"),
    _k("relationship_contacts", "Relationship contacts", relationship_contacts_rows, "contacts",
       "客户关系维护次数: visits and calls in the period, by the manager who made them.",
       empty=0,
       says=reason_of("relationship_contacts", "kind", "customer", "manager", "day",
                      interaction="row_id"), kind="interaction"),
    _k("needs_surveys", "Needs surveys", needs_surveys_rows, "surveys",
       "客户细分、需求调查调研次数: surveys in the period.", empty=0,
       says=reason_of("needs_surveys", "customer", "manager", "day", interaction="row_id"),
       kind="interaction"),
    _k("key_churn_rate", "Key-customer churn rate", key_churn_rate_rows, SHARE,
       "重点客户流失率: of the customers in ABC class A or affluent and above at the period's "
       "start (or first labelled in it), the share who closed all accounts or fell out of the "
       "tier by its end.",
       higher_is_better=False,
       says=key_churn_reason, combine="ratio"),
    _k("quality_discovery_rate", "Quality-customer discovery rate", quality_discovery_rows,
       SHARE, "优质客户挖掘率: of the customers in ABC class C or the mass tier at the period's "
              "start (or first labelled in it), the share in class A/B or affluent and above at its end (明日之星).",
       says=reason_yes_no("quality_discovery_rate", "abc_then", "tier_then", "abc_now", "tier_now",
                          "day", customer="row_id"), combine="ratio"),
    _k("archives_built", "Archives built", archives_built_rows, COUNT,
       "优质客户档案建立情况: customer archives built in the period.", empty=0,
       says=reason_of("archives_built", "built", customer="row_id")),
    # value
    _k("value_customers", "Value customers", value_customers_rows, COUNT,
       "价值客户的数量: customers in ABC class A or B at the period's end.", empty=0,
       says=reason_of("value_customers", "label", "day", customer="row_id")),
    _k("aum", "Total AUM", aum_rows, "CNY",
       "客户金融资产 AUM 值: AUM at the period's last month-end; by manager, team or territory "
       "split by credit shares (BANK-SHARE).", empty=0,
       says=measure_reason("aum"), kind="measurement"),
    _k("aum_growth", "AUM growth", aum_growth_rows, SHARE,
       "客户金融资产 AUM 值增长率: AUM at the period's last month-end against the month-end "
       "before the period.",
       says=reason_of("aum_growth", "then", "since", "now", "until", customer="row_id"),
       combine="ratio"),
    _k("profit", "Modelled profit", profit_rows, "CNY",
       "客户模拟利润: modelled profit of the period; by manager, team or territory split by "
       "credit shares (BANK-SHARE).", empty=0,
       says=measure_reason("profit"), kind="measurement"),
    _k("aum_per_card", "AUM per card", aum_per_card_rows, "CNY",
       "卡均管理资产: AUM of the card holders at the period's last month-end per open card.",
       says=reason_of("aum_per_card", "aum", "month", "cards", customer="row_id"), combine="ratio"),
    _k("loan_yield", "Loan yield", loan_yield_rows, SHARE,
       "贷款收益率: interest rate of the loans weighted by their month-end balances.",
       says=reason_of("loan_yield", "customer", "rate", "balance", "month", account="row_id"),
       combine="ratio", kind="account"),
    _k("tier_upgrades", "Tier upgrades", tier_upgrades_rows, COUNT,
       "客户等级提升: moves to a higher asset tier in the period.", empty=0,
       says=reason_of("tier_upgrades", "old", "new", "on", customer="row_id")),
    _k("cross_sell", "Cross-sell ratio", cross_sell_rows, "product types",
       "产品交叉销售率: product types held per customer holding any.",
       says=reason_of("cross_sell", "types", customer="row_id"), combine="ratio"),
    _k("product_coverage", "Product coverage", product_coverage_rows, SHARE,
       "客户产品覆盖度: share of product holders with at least 3 product types.",
       says=reason_of("product_coverage", "types", "need", customer="row_id"), combine="ratio"),
    _k("ebanking_active_rate", "E-banking active-account rate", ebanking_active_rows, SHARE,
       "动户率 (《客户管理制度》范文7): share of open e-banking accounts with a transaction in the period.",
       says=reason_yes_no("ebanking_active_rate", "customer", "moves", account="row_id"),
       combine="ratio", kind="account"),
    _k("wealth_penetration", "Wealth-product penetration", wealth_penetration_rows, SHARE,
       "理财产品渗透率: share of account holders with a wealth product.",
       says=reason_yes_no("wealth_penetration", "day", customer="row_id"), combine="ratio"),
    # service and loyalty (《客户管理制度》范文2 §四)
    _k("complaint_rate", "Complaints per 1,000 customers", complaint_rate_rows,
       "per 1,000 customers", "降低客户投诉频率: complaints in the period per 1,000 customers.",
       empty=0, higher_is_better=False,
       says=reason_of("complaint_rate", "complaints", customer="row_id"), combine="ratio"),
    _k("complaint_response_hours", "Hours to respond to a complaint",
       complaint_response_hours_rows, "hours",
       "加快投诉响应时间: mean hours from opening to first response of the complaints "
       "responded to in the period (BANK-COMPLAINT cases).", higher_is_better=False,
       says=reason_of("complaint_response_hours", "customer", "opened", "done", "hours",
                      case="row_id"), combine="ratio", kind="case"),
    _k("complaint_resolution_hours", "Hours to resolve a complaint",
       complaint_resolution_hours_rows, "hours",
       "加快投诉解决时间: mean hours from opening to resolution of the complaints resolved in "
       "the period, paused time left out.", higher_is_better=False,
       says=reason_of("complaint_resolution_hours", "customer", "opened", "done", "hours", "paused",
                      case="row_id"), combine="ratio", kind="case"),
    _k("accuracy", "Accuracy", accuracy_rows, SHARE,
       "办理业务的准确率: share of the period's transactions not corrected afterwards.",
       says=reason_yes_no("accuracy", "customer", "day", interaction="row_id"), combine="ratio",
       kind="interaction"),
    _k("punctuality", "Punctuality", punctuality_rows, SHARE,
       "准时率: share of the banking tasks due in the period done on time: a task due on a "
       "day done by the end of that day, a timed task by its time; tasks not yet done nor "
       "late are not judged.",
       says=punctuality_reason, combine="ratio", kind="task"),
    _k("marketing_success", "Targeted-marketing success rate", marketing_success_rows, SHARE,
       "精准营销成功率: share of campaign contacts in the period with a positive outcome.",
       says=reason_of("marketing_success", "kind", "customer", "day", "campaign", "outcome",
                      interaction="row_id"), combine="ratio", kind="interaction"),
    _k("wallet_share", "Share of wallet", wallet_share_rows, SHARE,
       "客户在行存有资产比例: mean share of the customer's assets held with us, from surveys.",
       says=reason_of("wallet_share", "customer", "day", "percent", interaction="row_id"),
       combine="ratio", kind="interaction"),
    _k("intent_to_stay", "Intent to stay", survey_share_rows("intends_to_stay"), SHARE,
       "继续使用倾向: share of the period's surveys answering that they will stay.",
       says=reason_yes_no("intent_to_stay", "customer", "day", interaction="row_id"),
       combine="ratio", kind="interaction"),
    _k("would_recommend", "Would recommend", survey_share_rows("would_recommend"), SHARE,
       "推荐购买意愿: share of the period's surveys answering that they would recommend us.",
       says=reason_yes_no("would_recommend", "customer", "day", interaction="row_id"),
       combine="ratio", kind="interaction"),
    # teams (BANK-TEAM)
    _k("customers_maintained", "Customers maintained", customers_maintained_rows, COUNT,
       "客户维护量 (《银行客户关系管理实施方案》§二(三)): customers visited or called in the period, by the manager or "
       "team that did it.", empty=0,
       says=reason_of("customers_maintained", "contacts", "last", customer="row_id")),
    _k("accounts_opened", "Accounts opened", accounts_opened_rows, "accounts",
       "客户开户数 (《银行客户关系管理实施方案》§二(三)): accounts opened in the period (gross).", empty=0,
       says=reason_of("accounts_opened", "type", "customer", "opened", account="row_id"),
       kind="account"),
    _k("accounts_net_growth", "Net account growth", accounts_net_growth_rows, "accounts",
       "账户净增长 (《客户管理制度》范文7): accounts opened less accounts closed in the period.", empty=0,
       says=net_growth_reason, kind="account", all_rows=True),
    _k("reports_on_time", "Reports on time", reports_on_time_rows, SHARE,
       "按时交回总结报告 (《银行客户关系管理实施方案》): share of the banking reports due in the period handed in on "
       "time.",
       says=reports_reason, combine="ratio", kind="report"),
    _k("spotchecks_done", "Spot-checks done", spotchecks_done_rows, "checks",
       "回访督查 (《银行客户关系管理实施方案》§二(二)): spot-check callbacks recorded in the period, by the leader who "
       "made them.", empty=0,
       says=reason_of("spotchecks_done", "customer", "manager", "day", "outcome",
                      interaction="row_id"), kind="interaction"),
    _k("visits_confirmed", "Visits confirmed", visits_confirmed_rows, SHARE,
       "回访核实: share of the period's spot-checks that confirmed the visit.",
       says=reason_of("visits_confirmed", "customer", "manager", "day", "outcome",
                      interaction="row_id"), combine="ratio", kind="interaction"),
    _k("team_rewards", "Team rewards", team_rewards_rows, "CNY",
       "BANK-TEAM 奖励制度 (《银行客户关系管理实施方案》§二(三)(5)): rewards earned in the period, recorded not paid.",
       scopes=_TEAM_SCOPES, shown_only=True, empty=0,
       says=team_rewards_reason, kind="team", all_rows=True),
    _k("team_fines", "Team fines", team_fines_rows, "CNY",
       "BANK-TEAM 罚款 (《银行客户关系管理实施方案》§二(三)(1)): fines on teams for false reports and missed reports, recorded "
       "not paid.", scopes=_TEAM_SCOPES, shown_only=True, empty=0, higher_is_better=False,
       says=reason_of("team_fines", "false_reports", "missed", "fine", team="row_id"), kind="team"),
    _k("duty_fines", "Duty fines", duty_fines_rows, "CNY",
       "BANK-TEAM 罚款 (《银行客户关系管理实施方案》§二(三)(2)(3)): fines on leaders for spot-checks left undone and guidance "
       "or ledger checks not handed in, recorded not paid.", scopes=("all", "manager"),
       shown_only=True, empty=0, higher_is_better=False,
       says=reason_of("duty_fines", "undone", "missed", "fine", manager="row_id"), kind="manager"),
    # lists (BANK-LIST)
    _k("list_members", "Customers on lists", list_members_rows, COUNT,
       "BANK-LIST 名单制: customers on the named lists (lists.names) at the period's end; by list with "
       "--by list:NAME.", empty=0,
       says=reason_of("list_members", "lists", "day", customer="row_id")),
    _k("list_contact_rate", "List members contacted", list_contact_rate_rows, SHARE,
       "BANK-LIST 名单制营销、过程化管理: share of list members visited or called in the period.",
       says=reason_yes_no("list_contact_rate", "lists", customer="row_id"), combine="ratio"),
    # shared ownership (BANK-SHARE)
    _k("unassigned_customers", "Customers without an active owner", unassigned_rows, COUNT,
       "全量分配 (《客户经理的工作计划》第8篇): customers whose owner is missing, inactive or gone.", empty=0,
       higher_is_better=False,
       says=unassigned_reason),
    _k("share_conflicts", "Customers with credit over 100%", share_conflicts_rows, COUNT,
       "利益共享 (《用CRM的思想定制客户经理作业平台》§3.3): customers whose customer-team credit shares add up to more than "
       "100%.", empty=0, higher_is_better=False,
       says=reason_of("share_conflicts", "percent", customer="row_id")),
    _k("product_manager_ratio", "Account managers per product manager", product_managers_rows,
       "managers", "每3名客户经理配备一名产品经理 (《对客户经理岗位创新的思考》): active account managers per "
                   "active product manager (target 3).", scopes=_TEAM_SCOPES, target=3.0,
       higher_is_better=False,
       says=reason_of("product_manager_ratio", "role", manager="row_id"), combine="ratio",
       kind="manager"),
)
