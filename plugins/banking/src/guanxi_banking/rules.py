"""The banking service rules: BANK-CHURN, BANK-HANDOVER, BANK-FEEDBACK,
BANK-UPGRADE and BANK-SPOTCHECK.

Each is one select the rule engine turns into tasks. A dedupe key names
what the task is about (the month of the fall, the day of the handover,
the feedback's id), and a task once made for a key is not made again after
it is done: a rerun, and the next day's run, create nothing new.

The rules are declared here (titles, descriptions, reasons); their selects
are in :mod:`guanxi_banking.rule_queries`.
"""

from __future__ import annotations

from guanxi import ServiceRule
from guanxi_banking.rule_queries import (
    churn_query,
    feedback_query,
    handover_query,
    spotcheck_query,
    upgrade_query,
)


CHURN = ServiceRule(
    name="banking.churn",
    title="Churn warning: retention call",
    description="BANK-CHURN: an ABC A/B or affluent-and-above customer (or one affluent "
                "before the fall) whose AUM fell 30% "
                "over 90 days, who moved out half the balance within 30 days, or who has "
                "not transacted for 90 days gets a high-priority retention call within 3 "
                "days, and goes onto the watch list.",
    kind="call",
    query=churn_query,
    requires=("banking.abc", "banking.tier"),
    adds_to_list="watch",
    reasons={
        "banking.churn.aum": {
            "en": "AUM fell {pct}% in {days} days: {old} → {new} ({since} → {until} month-end)",
            "zh": "{days} 天内金融资产下降 {pct}%：{old} → {new}（{since} → {until} 月末）"},
        "banking.churn.transfers": {
            "en": "transferred out {out} in {days} days: {pct}% of the {month} month-end "
                  "balance {balance}",
            "zh": "{days} 天内转出 {out}，占 {month} 月末余额 {balance} 的 {pct}%"},
        "banking.churn.idle": {
            "en": "no transaction in {days} days (last {last})",
            "zh": "已 {days} 天无交易（最近一次 {last}）"},
        "banking.churn.never": {
            "en": "no transaction on record for {days} days or more",
            "zh": "{days} 天以上无任何交易记录"},
    },
)


HANDOVER = ServiceRule(
    name="banking.handover",
    title="Handover: retention visit by the new manager",
    description="BANK-HANDOVER: each ABC A/B or affluent-and-above customer handed to a new "
                "manager gets a retention visit by the new manager within 7 days; when the "
                "manager left and nobody took the customer over, the leaver's superior is "
                "asked to assign and visit.",
    kind="visit",
    query=handover_query,
    requires=("banking.abc", "banking.tier"),
    reasons={
        "banking.handover.visit": {
            "en": "handed over from {from_name} ({from_id}) to {to_name} ({to_id}) on {on}: "
                  "retention visit within {days} days",
            "zh": "{on} 由 {from_name}（{from_id}）移交 {to_name}（{to_id}）：{days} 天内上门维护"},
        "banking.handover.left": {
            "en": "manager {from_name} ({from_id}) left on {on}: assign a new manager and "
                  "visit within {days} days",
            "zh": "客户经理 {from_name}（{from_id}）已于 {on} 离岗：{days} 天内指定新客户经理并上门维护"},
        "banking.handover.inactive": {
            "en": "manager {from_name} ({from_id}) is no longer active: assign a new manager "
                  "and visit within {days} days",
            "zh": "客户经理 {from_name}（{from_id}）已不在岗：{days} 天内指定新客户经理并上门维护"},
    },
)


FEEDBACK = ServiceRule(
    name="banking.feedback",
    title="Feedback follow-up",
    description="BANK-FEEDBACK: every opinion or suggestion gets a follow-up call or visit "
                "within 7 days.",
    kind="call",
    query=feedback_query,
    reasons={
        "banking.feedback": {
            "en": "feedback on {on} ({channel}) not yet followed up: call or visit by {due} "
                  "(within {days} days)",
            "zh": "{on} 的意见建议（{channel}）尚未回访：请于 {due} 前电话或上门回访（{days} 天内）"},
    },
)


UPGRADE = ServiceRule(
    name="banking.upgrade",
    title="Upgrade record: review the relationship level",
    description="BANK-UPGRADE: a customer who opens a first account, or whose AUM moved 30% "
                "up or down over 90 days, gets a task to note it in the callback record and "
                "review the A–D level at once.",
    kind="review",
    query=upgrade_query,
    requires=("banking.relationship",),
    reasons={
        "banking.upgrade.first": {
            "en": "first account opened on {on} ({type}): note it and review the relationship "
                  "level (now {level})",
            "zh": "{on} 首次开户（{type}）：请在回访记录中注明并及时调整客户级别（现为 {level}）"},
        "banking.upgrade.up": {
            "en": "AUM rose {pct}% in {months} months: {old} → {new} ({since} → {until}): "
                  "review the relationship level (now {level})",
            "zh": "{months} 个月内金融资产增长 {pct}%：{old} → {new}（{since} → {until}）："
                  "请及时调整客户级别（现为 {level}）"},
        "banking.upgrade.down": {
            "en": "AUM fell {pct}% in {months} months: {old} → {new} ({since} → {until}): "
                  "review the relationship level (now {level})",
            "zh": "{months} 个月内金融资产下降 {pct}%：{old} → {new}（{since} → {until}）："
                  "请及时调整客户级别（现为 {level}）"},
    },
)


SPOTCHECK = ServiceRule(
    name="banking.spotcheck",
    title="Spot-check a manager's visit",
    description="BANK-SPOTCHECK: each leader on the day's spotcheck rota calls back 5 "
                "customers visited in the past week (by phone one week, on site the next) "
                "to check the visits were real.",
    kind="call",
    query=spotcheck_query,
    reasons={
        "banking.spotcheck.phone": {
            "en": "spot-check by phone: did {visitor} ({visitor_id}) really visit on {on}? "
                  "Record a spotcheck: confirmed, not_confirmed or problem",
            "zh": "电话回访抽查：{visitor}（{visitor_id}）{on} 的走访是否属实？"
                  "记录 spotcheck：confirmed、not_confirmed 或 problem"},
        "banking.spotcheck.site": {
            "en": "spot-check on site: did {visitor} ({visitor_id}) really visit on {on}? "
                  "Record a spotcheck: confirmed, not_confirmed or problem",
            "zh": "上门回访抽查：{visitor}（{visitor_id}）{on} 的走访是否属实？"
                  "记录 spotcheck：confirmed、not_confirmed 或 problem"},
    },
)

RULES = (CHURN, HANDOVER, FEEDBACK, UPGRADE, SPOTCHECK)
