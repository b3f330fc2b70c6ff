"""The tobacco service rules: TOB-SPECIAL, TOB-CHECKLIST, TOB-PRICE, TOB-NETWORK, TOB-SURVEY.

Each is one select over the whole base; the rule engine makes a task per
row, once per dedupe key while it is open. Visits themselves are planned by
the core's planner (TOB-PLAN, :mod:`guanxi_tobacco.service`), never here.

The rules are declared here (titles, descriptions, reasons); their selects
are in :mod:`guanxi_tobacco.rule_queries`.
"""

from __future__ import annotations

from guanxi import ServiceRule
from guanxi_tobacco.options import SPECIAL_VISIT, VISIT
from guanxi_tobacco.rule_queries import (
    SURVEY_RULE_NAME,
    checklist_query,
    downgrade_query,
    entry_query,
    exit_query,
    renewal_query,
    sales_drop_query,
    special_query,
    step_request_query,
    survey_query,
)


SPECIAL = ServiceRule(
    name="tobacco.special_visit",
    title="Special visit",
    description="TOB-SPECIAL: a complaint, quality complaint, licence change or closure asks "
                "for a special visit (特殊访问) within 1 working day, unless one was recorded "
                "since.",
    kind=SPECIAL_VISIT,
    query=special_query,
    reasons={"tobacco.special": {
        "en": "{what} on {day}: special visit due {due} (特殊访问记录)",
        "zh": "{day} 发生特殊情况（{what}），请于 {due} 前进行特殊访问并填写《特殊访问记录》",
    }},
)


SALES_DROP = ServiceRule(
    name="tobacco.sales_drop",
    title="Special visit: sharp sales drop",
    description="TOB-SPECIAL: the last closed month's cartons fell by 30% or more against the "
                "average of the three months before: a special visit within 1 working day.",
    kind=SPECIAL_VISIT,
    query=sales_drop_query,
    reasons={"tobacco.sales_drop": {
        "en": "{month}: {last} cartons against {average} a month before, down {share}%: special "
              "visit due {due}",
        "zh": "{month} 订货 {last} 条，此前月均 {average} 条，下降 {share}%：请于 {due} 前进行特殊访问",
    }},
)


CHECKLIST_RULE = ServiceRule(
    name="tobacco.checklist",
    title="Incomplete visit record",
    description="TOB-CHECKLIST: a visit of the last 14 days without every checklist item "
                "(information given and collected, stock and order suggestion, display, "
                "lawful operation, price, both signatures): the manager completes the record.",
    kind="record",
    query=checklist_query,
    reasons={"tobacco.checklist": {
        "en": "visit on {day} is incomplete: {missing} of {items} checklist items not recorded "
              "({what})",
        "zh": "{day} 的访问记录不完整：{items} 项中有 {missing} 项未记录（{what_zh}）",
    }},
)


DOWNGRADE = ServiceRule(
    name="tobacco.downgrade_approval",
    title="Approve a price-violation downgrade",
    description="TOB-PRICE: a price below the unified minimum retail guide price was reported: "
                "the regional market manager approves the downgrade promptly (及时).",
    kind="approval",
    query=downgrade_query,
    reasons={"tobacco.downgrade": {
        "en": "case {case}: {owner} reported a price below the guide price on {day}; approve "
              "the downgrade (guanxi cases step {case} approve)",
        "zh": "案件 {case}：{owner} 于 {day} 报告低于最低零售指导价，请审批降档",
    }},
)


STEP_REQUEST = ServiceRule(
    name="tobacco.step_request",
    title="A case waits for you",
    description="TOB-QUALITY, TOB-PROMO, TOB-UNLICENSED: a case at a step of the regional "
                "market manager or the brand manager: a task for them at once; a report of "
                "unlicensed selling is to be passed on the same working day.",
    kind="approval",
    query=step_request_query,
    reasons={"tobacco.step": {
        "en": "case {case} ({policy}) of {owner} waits for you: {step}, {what} "
              "(guanxi cases step {case} approve)",
        "zh": "{owner} 的案件 {case}（{policy}）待您处理：{step}，{what}",
    }},
)


RENEWAL = ServiceRule(
    name="tobacco.licence_renewal",
    title="Licence renewal reminder",
    description="TOB-NETWORK: a licence expiring within 30 days: remind the retailer to renew.",
    query=renewal_query,
    reasons={"tobacco.renewal": {
        "en": "licence {licence} expires {expires}, in {days} days: remind the retailer to renew",
        "zh": "许可证 {licence} 将于 {expires} 到期（还有 {days} 天），请提醒客户办理延续",
    }},
)


EXIT = ServiceRule(
    name="tobacco.network_exit",
    title="Network exit",
    description="TOB-NETWORK: a licence expired and the retailer is still in the network: "
                "process the exit (退网).",
    query=exit_query,
    reasons={"tobacco.exit": {
        "en": "licence {licence} expired {expires}: process the network exit (退网)",
        "zh": "许可证 {licence} 已于 {expires} 到期，请办理退网手续",
    }},
)


ENTRY = ServiceRule(
    name="tobacco.network_entry",
    title="First visit after network entry",
    description="TOB-NETWORK: a retailer who entered the network (入网) in the last 30 days "
                "and has had no visit since: a first visit.",
    kind=VISIT,
    query=entry_query,
    reasons={"tobacco.entry": {
        "en": "entered the network {entered}, {days} days ago, and not yet visited: first visit",
        "zh": "{entered} 入网（{days} 天前），尚未访问：请进行首次访问",
    }},
)


SURVEY_RULE = ServiceRule(
    name=SURVEY_RULE_NAME,
    title="Satisfaction survey: measures",
    description="TOB-SURVEY: each manager whose retailers were surveyed analyses the round's "
                "results and records the measures taken within 10 days of the last answer; a "
                "score below 4 of 5 also asks for the measures taken with that retailer.",
    kind="action",
    query=survey_query,
    reasons={"tobacco.survey": {
        "en": "satisfaction {score} of 5 in the survey of {day} (ordered by {by}): analyse it "
              "and record the measures taken by {due}",
        "zh": "{day} 满意度测评 {score}/5 分（{by} 组织）：请分析原因并于 {due} 前记录改进措施",
    }, "tobacco.survey_round": {
        "en": "satisfaction survey of {month}: {answers} answers from {retailers} of your "
              "retailers, {low} below {below} of 5: analyse the results and record the measures "
              "taken by {due}",
        "zh": "{month} 满意度测评：您的 {retailers} 户零售客户共 {answers} 份答卷，{low} 份低于 "
              "{below} 分：请分析结果并于 {due} 前记录改进措施",
    }},
)


RULES = (SPECIAL, SALES_DROP, CHECKLIST_RULE, DOWNGRADE, STEP_REQUEST, RENEWAL, EXIT, ENTRY,
         SURVEY_RULE)
