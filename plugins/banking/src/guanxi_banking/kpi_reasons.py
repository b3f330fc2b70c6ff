"""The banking KPIs' reason templates, in English and Chinese, by template key."""

from __future__ import annotations


REASONS = {
    # acquisition
    "banking.kpi.new_target_customers": {
        "en": "customer {customer}: first account opened {opened}",
        "zh": "客户 {customer}：首个账户开立于 {opened}"},
    "banking.kpi.market_share.yes": {
        "en": "customer {customer}: holds an open {product} account at {day}",
        "zh": "客户 {customer}：{day} 持有在用的 {product} 账户"},
    "banking.kpi.market_share.no": {
        "en": "customer {customer}: no open product account (products.types) at {day}",
        "zh": "客户 {customer}：{day} 无在用的产品账户（products.types）"},
    "banking.kpi.key_customer_share": {
        "en": "customer {customer}: ABC class {label} at {day}",
        "zh": "客户 {customer}：{day} ABC 分类为 {label}"},
    "banking.kpi.key_profit_share": {
        "en": "customer {customer}: profit {amount} in {month}, ABC class {label} (A counts)",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}，ABC 分类 {label}（A 类计入）"},
    "banking.kpi.new_core_customers": {
        "en": "customer {customer}: entered ABC class A on {on}",
        "zh": "客户 {customer}：{on} 进入 ABC 的 A 类"},
    "banking.kpi.new_vip_customers": {
        "en": "customer {customer}: entered an affluent-and-above tier on {on}",
        "zh": "客户 {customer}：{on} 进入中高端（富裕及以上）等级"},
    "banking.kpi.new_sme_loan_customers": {
        "en": "SME customer {customer}: first loan opened {opened}",
        "zh": "中小企业客户 {customer}：首笔贷款开立于 {opened}"},
    "banking.kpi.vip_share": {
        "en": "customer {customer}: tier {label} at {day} (affluent and above count)",
        "zh": "客户 {customer}：{day} 等级为 {label}（富裕及以上计入）"},
    "banking.kpi.vip_profit_share": {
        "en": "customer {customer}: profit {amount} in {month}, tier {label} "
              "(affluent and above count)",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}，等级 {label}（富裕及以上计入）"},
    # retention
    "banking.kpi.high_end_customers": {
        "en": "customer {customer}: tier {label} at {day}",
        "zh": "客户 {customer}：{day} 等级为 {label}"},
    "banking.kpi.satisfaction": {
        "en": "survey {interaction} of {customer} on {day}: satisfaction {score}",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：满意度 {score}"},
    "banking.kpi.valid_complaints": {
        "en": "complaint {interaction} from {customer} on {day}: not found invalid",
        "zh": "投诉 {interaction}（客户 {customer}，{day}）：未认定无效"},
    "banking.kpi.relationship_contacts": {
        "en": "{kind} {interaction} with {customer} by {manager} on {day}",
        "zh": "{kind} {interaction}：{manager} 于 {day} 联系客户 {customer}"},
    "banking.kpi.needs_surveys": {
        "en": "survey {interaction} of {customer} by {manager} on {day}",
        "zh": "调查 {interaction}：{manager} 于 {day} 调查客户 {customer}"},
    "banking.kpi.key_churn_rate.closed": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start; "
              "all accounts closed by {day}: churned",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级；至 {day} 已销全部账户：流失"},
    "banking.kpi.key_churn_rate.fell": {
        "en": "customer {customer}: tier {tier_then} at the start, {tier_now} at {day}: churned",
        "zh": "客户 {customer}：期初等级 {tier_then}，{day} 为 {tier_now}：流失"},
    "banking.kpi.key_churn_rate.kept": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start, "
              "tier {tier_now} at {day}: kept",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级，{day} 等级 {tier_now}：保留"},
    "banking.kpi.quality_discovery_rate.yes": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start; "
              "class {abc_now}, tier {tier_now} at {day}: discovered",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级；{day} 为 {abc_now} 类、"
              "{tier_now} 等级：挖掘成功"},
    "banking.kpi.quality_discovery_rate.no": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start; "
              "class {abc_now}, tier {tier_now} at {day}: not yet",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级；{day} 为 {abc_now} 类、"
              "{tier_now} 等级：尚未"},
    "banking.kpi.archives_built": {
        "en": "customer {customer}: archive built {built}",
        "zh": "客户 {customer}：档案建立于 {built}"},
    # value
    "banking.kpi.value_customers": {
        "en": "customer {customer}: ABC class {label} at {day}",
        "zh": "客户 {customer}：{day} ABC 分类为 {label}"},
    "banking.kpi.aum": {
        "en": "customer {customer}: AUM {amount} at month-end {month}",
        "zh": "客户 {customer}：{month} 月末 AUM {amount}"},
    "banking.kpi.aum.credit": {
        "en": "customer {customer}: AUM {amount} at month-end {month}, {share}% to {manager}",
        "zh": "客户 {customer}：{month} 月末 AUM {amount}，{manager} 分得 {share}%"},
    "banking.kpi.aum_growth": {
        "en": "customer {customer}: AUM {then} at {since}, {now} at {until} "
              "(adds the change, weighs the earlier AUM)",
        "zh": "客户 {customer}：{since} AUM {then}，{until} 为 {now}（计增量，以前值为权重）"},
    "banking.kpi.profit": {
        "en": "customer {customer}: profit {amount} in {month}",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}"},
    "banking.kpi.profit.credit": {
        "en": "customer {customer}: profit {amount} in {month}, {share}% to {manager}",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}，{manager} 分得 {share}%"},
    "banking.kpi.aum_per_card": {
        "en": "customer {customer}: AUM {aum} at month-end {month}, {cards} open card(s)",
        "zh": "客户 {customer}：{month} 月末 AUM {aum}，在用卡 {cards} 张"},
    "banking.kpi.loan_yield": {
        "en": "loan {account} of {customer}: rate {rate}% on a balance of {balance} at {month}",
        "zh": "贷款 {account}（客户 {customer}）：利率 {rate}%，{month} 余额 {balance}"},
    "banking.kpi.tier_upgrades": {
        "en": "customer {customer}: tier {old} to {new} on {on}",
        "zh": "客户 {customer}：{on} 等级由 {old} 升至 {new}"},
    "banking.kpi.cross_sell": {
        "en": "customer {customer}: {types} product type(s) open",
        "zh": "客户 {customer}：持有 {types} 类产品"},
    "banking.kpi.product_coverage": {
        "en": "customer {customer}: {types} product type(s) open ({need} or more count)",
        "zh": "客户 {customer}：持有 {types} 类产品（{need} 类及以上计入）"},
    "banking.kpi.ebanking_active_rate.yes": {
        "en": "e-banking account {account} of {customer}: {moves} transaction(s) in the period",
        "zh": "电子银行账户 {account}（客户 {customer}）：本期交易 {moves} 笔"},
    "banking.kpi.ebanking_active_rate.no": {
        "en": "e-banking account {account} of {customer}: no transaction in the period",
        "zh": "电子银行账户 {account}（客户 {customer}）：本期无交易"},
    "banking.kpi.wealth_penetration.yes": {
        "en": "customer {customer}: holds an open wealth product at {day}",
        "zh": "客户 {customer}：{day} 持有理财产品"},
    "banking.kpi.wealth_penetration.no": {
        "en": "customer {customer}: holds accounts but no wealth product at {day}",
        "zh": "客户 {customer}：{day} 有账户但无理财产品"},
    # service and loyalty
    "banking.kpi.complaint_rate": {
        "en": "customer {customer}: {complaints} complaint(s) in the period "
              "(adds complaints × 1,000, weighs 1: the rate is per 1,000 customers)",
        "zh": "客户 {customer}：本期投诉 {complaints} 件（计投诉数 × 1,000，权重 1：每千客户投诉率）"},
    "banking.kpi.complaint_response_hours": {
        "en": "complaint case {case} of {customer}: opened {opened}, responded {done}: "
              "{hours} hours",
        "zh": "投诉案件 {case}（客户 {customer}）：{opened} 受理，{done} 响应：{hours} 小时"},
    "banking.kpi.complaint_resolution_hours": {
        "en": "complaint case {case} of {customer}: opened {opened}, resolved {done}, "
              "{paused} hours paused: {hours} hours",
        "zh": "投诉案件 {case}（客户 {customer}）：{opened} 受理，{done} 解决，暂停 {paused} 小时："
              "{hours} 小时"},
    "banking.kpi.accuracy.yes": {
        "en": "transaction {interaction} of {customer} on {day}: not corrected",
        "zh": "交易 {interaction}（客户 {customer}，{day}）：无差错"},
    "banking.kpi.accuracy.no": {
        "en": "transaction {interaction} of {customer} on {day}: corrected (error)",
        "zh": "交易 {interaction}（客户 {customer}，{day}）：有差错"},
    "banking.kpi.punctuality.on_time": {
        "en": "task {task} ({rule}) for {customer}, due {due}, done {done}: on time",
        "zh": "任务 {task}（{rule}），客户 {customer}，应于 {due} 完成，{done} 完成：准时"},
    "banking.kpi.punctuality.late": {
        "en": "task {task} ({rule}) for {customer}, due {due}, done {done}: late",
        "zh": "任务 {task}（{rule}），客户 {customer}，应于 {due} 完成，{done} 完成：逾期"},
    "banking.kpi.punctuality.open": {
        "en": "task {task} ({rule}) for {customer}, due {due}: still open, late",
        "zh": "任务 {task}（{rule}），客户 {customer}，应于 {due} 完成：仍未完成，逾期"},
    "banking.kpi.marketing_success": {
        "en": "{kind} {interaction} with {customer} on {day}, campaign {campaign}: {outcome}",
        "zh": "{kind} {interaction}（客户 {customer}，{day}），营销活动 {campaign}：{outcome}"},
    "banking.kpi.wallet_share": {
        "en": "survey {interaction} of {customer} on {day}: {percent}% of assets with us",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：在行资产占比 {percent}%"},
    "banking.kpi.intent_to_stay.yes": {
        "en": "survey {interaction} of {customer} on {day}: will stay",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：愿继续使用"},
    "banking.kpi.intent_to_stay.no": {
        "en": "survey {interaction} of {customer} on {day}: will not stay",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：不愿继续使用"},
    "banking.kpi.would_recommend.yes": {
        "en": "survey {interaction} of {customer} on {day}: would recommend",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：愿意推荐"},
    "banking.kpi.would_recommend.no": {
        "en": "survey {interaction} of {customer} on {day}: would not recommend",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：不愿推荐"},
    # teams
    "banking.kpi.customers_maintained": {
        "en": "customer {customer}: {contacts} visit(s) or call(s), the last on {last}",
        "zh": "客户 {customer}：走访或电话 {contacts} 次，最近一次 {last}"},
    "banking.kpi.accounts_opened": {
        "en": "{type} account {account} of {customer}: opened {opened}",
        "zh": "{type} 账户 {account}（客户 {customer}）：开立于 {opened}"},
    "banking.kpi.accounts_net_growth.opened": {
        "en": "{type} account {account} of {customer}: opened {opened} (+1)",
        "zh": "{type} 账户 {account}（客户 {customer}）：{opened} 开立（+1）"},
    "banking.kpi.accounts_net_growth.closed": {
        "en": "{type} account {account} of {customer}: closed {closed} (−1)",
        "zh": "{type} 账户 {account}（客户 {customer}）：{closed} 销户（−1）"},
    "banking.kpi.accounts_net_growth.both": {
        "en": "{type} account {account} of {customer}: opened {opened} and closed {closed} (0)",
        "zh": "{type} 账户 {account}（客户 {customer}）：{opened} 开立，{closed} 销户（0）"},
    "banking.kpi.reports_on_time.on_time": {
        "en": "report {report} ({kind}, {period}) by {author}, due {due}: handed in {submitted}, "
              "on time",
        "zh": "报告 {report}（{kind}，{period}），{author}，应于 {due} 交：{submitted} 交回，按时"},
    "banking.kpi.reports_on_time.late": {
        "en": "report {report} ({kind}, {period}) by {author}, due {due}: handed in {submitted}, "
              "late",
        "zh": "报告 {report}（{kind}，{period}），{author}，应于 {due} 交：{submitted} 交回，逾期"},
    "banking.kpi.reports_on_time.missing": {
        "en": "report {report} ({kind}, {period}) by {author}, due {due}: not handed in",
        "zh": "报告 {report}（{kind}，{period}），{author}，应于 {due} 交：未交"},
    "banking.kpi.spotchecks_done": {
        "en": "spot-check {interaction} of {customer} by {manager} on {day}: {outcome}",
        "zh": "回访 {interaction}：{manager} 于 {day} 回访客户 {customer}：{outcome}"},
    "banking.kpi.visits_confirmed": {
        "en": "spot-check {interaction} of {customer} by {manager} on {day}: {outcome}",
        "zh": "回访 {interaction}：{manager} 于 {day} 回访客户 {customer}：{outcome}"},
    "banking.kpi.team_rewards.kept": {
        "en": "team {team}: {maintained} customers maintained (top {top_m}), {opened} accounts "
              "opened (top {top_o}): earns {earned}",
        "zh": "团队 {team}：维护客户 {maintained}（最高 {top_m}），开户 {opened}（最高 {top_o}）："
              "奖励 {earned}"},
    "banking.kpi.team_rewards.withdrawn": {
        "en": "team {team}: {maintained} customers maintained (top {top_m}), {opened} accounts "
              "opened (top {top_o}); {earned} withdrawn for {false_reports} false and {missed} "
              "missed report(s)",
        "zh": "团队 {team}：维护客户 {maintained}（最高 {top_m}），开户 {opened}（最高 {top_o}）；"
              "因 {false_reports} 次虚报、{missed} 份漏交报告取消奖励 {earned}"},
    "banking.kpi.team_fines": {
        "en": "team {team}: {false_reports} false report(s) and {missed} missed report(s), "
              "{fine} each",
        "zh": "团队 {team}：虚报 {false_reports} 次，漏交或迟交报告 {missed} 份，每次罚 {fine}"},
    "banking.kpi.duty_fines": {
        "en": "leader {manager}: {undone} spot-check task(s) left undone and {missed} report(s) "
              "late or missing, {fine} each",
        "zh": "领导 {manager}：回访任务未完成 {undone} 项，报告迟交或未交 {missed} 份，每项罚 {fine}"},
    # lists and shared credit
    "banking.kpi.list_members": {
        "en": "customer {customer}: on a list ({lists}) at {day}",
        "zh": "客户 {customer}：{day} 在名单（{lists}）上"},
    "banking.kpi.list_contact_rate.yes": {
        "en": "customer {customer} on a list ({lists}): visited or called in the period",
        "zh": "名单（{lists}）客户 {customer}：本期已走访或电话联系"},
    "banking.kpi.list_contact_rate.no": {
        "en": "customer {customer} on a list ({lists}): not visited or called in the period",
        "zh": "名单（{lists}）客户 {customer}：本期未联系"},
    "banking.kpi.unassigned_customers.none": {
        "en": "customer {customer}: no owner",
        "zh": "客户 {customer}：无管户客户经理"},
    "banking.kpi.unassigned_customers.gone": {
        "en": "customer {customer}: owner {manager} inactive or gone at {day}",
        "zh": "客户 {customer}：管户客户经理 {manager} 于 {day} 已停用或离职"},
    "banking.kpi.share_conflicts": {
        "en": "customer {customer}: credit shares add up to {percent}%",
        "zh": "客户 {customer}：业绩分成合计 {percent}%"},
    "banking.kpi.product_manager_ratio": {
        "en": "manager {manager}: {role} (account managers add 1, product managers weigh 1)",
        "zh": "{manager}：{role}（客户经理计 1，产品经理为权重 1）"},
}
