"""The templates of the tobacco KPIs' row reasons, in English and Chinese."""

from __future__ import annotations


def _both(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


_VISIT = "visit {visit} to {customer} on {day}"
_VISIT_ZH = "{day} 拜访 {customer}（{visit}）"
_REPORT = "report {report} of {author} for {period}, due {due}"
_REPORT_ZH = "{author} 的 {period} 月报（{report}），应于 {due} 前提交"
#: The templates of the rows' reasons (the plan KPIs' are the core's, which
#: the core's own plan KPIs declare for every workspace).
ROW_REASONS = {
    "tobacco.kpi_special_visit": _both("special visit {visit} to {customer} at {at}",
                                       "特殊访问 {visit}：{customer}，{at}"),
    "tobacco.kpi_checklist_complete": _both(_VISIT + ": all 8 items ticked",
                                            _VISIT_ZH + "：8 项全部勾选"),
    "tobacco.kpi_checklist_incomplete": _both(_VISIT + ": not ticked: {missing}",
                                              _VISIT_ZH + "：未勾选：{missing}"),
    "tobacco.kpi_price_clean": _both(_VISIT + ": prices checked, no violation recorded that day",
                                     _VISIT_ZH + "：已检查价格，当天无价格违规"),
    "tobacco.kpi_price_violated": _both(_VISIT + ": prices checked, a price violation recorded "
                                        "that day", _VISIT_ZH + "：已检查价格，当天有价格违规"),
    "tobacco.kpi_suggestion_adopted": _both(
        _VISIT + ": suggested {suggested} cartons; first order {first}, {ordered} cartons: "
        "within {tolerance}%", _VISIT_ZH + "：建议 {suggested} 条；首次订货 {first}，{ordered} "
        "条：在 {tolerance}% 以内"),
    "tobacco.kpi_suggestion_not_adopted": _both(
        _VISIT + ": suggested {suggested} cartons; first order {first}, {ordered} cartons: "
        "more than {tolerance}% off", _VISIT_ZH + "：建议 {suggested} 条；首次订货 {first}，"
        "{ordered} 条：偏差超过 {tolerance}%"),
    "tobacco.kpi_suggestion_no_order": _both(
        _VISIT + ": suggested {suggested} cartons; no order in the {days} days after it yet",
        _VISIT_ZH + "：建议 {suggested} 条；其后 {days} 天内尚无订货"),
    "tobacco.kpi_report_on_time": _both(_REPORT + ": handed in {submitted}, on time",
                                        _REPORT_ZH + "：{submitted} 提交，按时"),
    "tobacco.kpi_report_late": _both(_REPORT + ": handed in {submitted}, late",
                                     _REPORT_ZH + "：{submitted} 提交，逾期"),
    "tobacco.kpi_report_missing": _both(_REPORT + ": not handed in", _REPORT_ZH + "：未提交"),
    "tobacco.kpi_report_reviewed": _both(_REPORT + ": reviewed {reviewed}",
                                         _REPORT_ZH + "：{reviewed} 已审阅"),
    "tobacco.kpi_report_not_reviewed": _both(_REPORT + ": not reviewed yet",
                                             _REPORT_ZH + "：尚未审阅"),
    "tobacco.kpi_quality_hours": _both(
        "quality case {case} of {customer}: opened {opened}, resolved {resolved}, {paused} "
        "paused hours left out: {hours} hours", "质量投诉 {case}（{customer}）：{opened} 受理，"
        "{resolved} 办结，扣除暂停 {paused} 小时：{hours} 小时"),
    "tobacco.kpi_promo_signed": _both(
        "promotion case {case} of {customer}, decided {decided}: material signed for",
        "促销案件 {case}（{customer}），{decided} 决定：促销品已签收"),
    "tobacco.kpi_promo_unsigned": _both(
        "promotion case {case} of {customer}, decided {decided}: material not signed for yet",
        "促销案件 {case}（{customer}），{decided} 决定：促销品尚未签收"),
    "tobacco.kpi_promo_covered": _both(
        "retailer {customer} ({name}), grade {grade}: a promotion opened in the period",
        "零售户 {customer}（{name}），{grade} 档：期内有促销"),
    "tobacco.kpi_promo_not_covered": _both(
        "retailer {customer} ({name}), grade {grade}: no promotion opened in the period",
        "零售户 {customer}（{name}），{grade} 档：期内无促销"),
    "tobacco.kpi_survey": _both(
        "survey {survey} of {customer} on {day}: score {score} of 5, {points} on 0-100",
        "{day} 调查 {customer}（{survey}）：{score} 分（满分 5），折合 {points}"),
    "tobacco.kpi_survey_task_on_time": _both(
        "task {task} of {manager} ({about}), due {due}: measures recorded {done}, on time",
        "任务 {task}（{manager}，{about}），应于 {due} 完成：{done} 已记录措施，按时"),
    "tobacco.kpi_survey_task_late": _both(
        "task {task} of {manager} ({about}), due {due}: {status}, late (done {done})",
        "任务 {task}（{manager}，{about}），应于 {due} 完成：{status}，逾期（完成于 {done}）"),
    "tobacco.kpi_cartons": _both("{customer} ordered {cartons} cartons on {day}",
                                 "{customer} {day} 订货 {cartons} 条"),
    "tobacco.kpi_cartons_this_year": _both(
        "{customer} ordered {cartons} cartons on {day}: this year, added",
        "{customer} {day} 订货 {cartons} 条：本期，计入"),
    "tobacco.kpi_cartons_last_year": _both(
        "{customer} ordered {cartons} cartons on {day}: a year earlier, the base (taken away "
        "and weighed)", "{customer} {day} 订货 {cartons} 条：去年同期，作为基数"),
    "tobacco.kpi_stockout": _both(
        "{customer} on {day}: ordered {cartons} cartons, {shortfall} short: a stock-out day",
        "{customer} {day}：订货 {cartons} 条，缺 {shortfall} 条：断货日"),
    "tobacco.kpi_no_stockout": _both(
        "{customer} on {day}: ordered {cartons} cartons, none short",
        "{customer} {day}：订货 {cartons} 条，未断货"),
}
