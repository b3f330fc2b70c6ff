"""The telecom pack's five flagship contributions written by hand in SQL (issue 16).

TEL-STAGE (``telecom.stage``), TEL-RISK (``telecom.risk``), the key contact
change (``telecom.contact``), TEL-EXPIRY (``telecom.expiry``) and the
line-status mix (TEL-STATUS: ``telecom.lines_<status>``, by all and by
manager), each the statements a DBA would write from docs/packs/telecom.md,
storing the same labels, tasks and figures, reasons included, as the
engine does (see ``handsql_packs``, which registers them).
"""

from __future__ import annotations

import calendar
import datetime as dt

from handsql import Params, Statement, _kpi, repr_
from handsql_packs import (
    _attr_flag,
    _attr_text,
    _cfg,
    _date_of,
    _days_between,
    _months_before,
    rule,
    segmentation,
)

STOPPED = "('suspended_nonpayment', 'suspended_request', 'lost')"
LIVE = "('active', 'dormant')"
STATUSES = ("active", "dormant", "suspended_nonpayment", "suspended_request", "lost")


def _c(p: Params, name: str):
    return _cfg(p, "telecom", name)


def _products(p: Params) -> str:
    return ", ".join(repr_(t) for t in _c(p, "lines.products"))


def _attr_date(p: Params, table: str, name: str) -> str:
    if p.sqlite:
        return f"date(json_extract({table}.attributes, '$.{name}'))"
    return f"CAST({table}.attributes ->> '{name}' AS date)"


def _served(p: Params, c: str) -> str:
    return (f"({_attr_flag(p, c, 'key_account')} OR {_attr_flag(p, c, 'group_customer')} "
            f"OR {_attr_date(p, c, 'swept_on')} IS NOT NULL)")


def _flag(p: Params, c: str, name: str) -> str:
    return f"COALESCE({_attr_flag(p, c, name)}, {p.false})"


def _day(p: Params, expr: str) -> str:
    return f"substr({p.text(expr)}, 1, 10)"


def _int(p: Params, expr: str) -> str:
    return f"CAST({expr} AS INTEGER)"


def _months_between(p: Params, start: str, end: str) -> str:
    """Whole calendar months from start to end."""
    if p.sqlite:
        def n(x):
            return f"(CAST(strftime('%Y', {x}) AS INTEGER) * 12 + CAST(strftime('%m', {x}) AS INTEGER))"

        def dom(x):
            return f"CAST(strftime('%d', {x}) AS INTEGER)"
    else:
        def n(x):
            return f"CAST(extract(year FROM {x}) * 12 + extract(month FROM {x}) AS INTEGER)"

        def dom(x):
            return f"CAST(extract(day FROM {x}) AS INTEGER)"
    return f"({n(end)} - {n(start)} - CASE WHEN {dom(end)} < {dom(start)} THEN 1 ELSE 0 END)"


def _lines_sql(p: Params) -> str:
    paid = _attr_date(p, "a", "paid_until")
    return f"""
        SELECT a.customer_id, count(*) AS lines,
               sum(CASE WHEN a.status IN {STOPPED} THEN 1 ELSE 0 END) AS stopped,
               count(DISTINCT CASE WHEN a.status IN {LIVE} THEN a.type END) AS live_products,
               sum(CASE WHEN a.status = 'suspended_nonpayment' THEN 1 ELSE 0 END) AS nonpayment,
               sum(CASE WHEN a.status IN {LIVE} AND {paid} < :today THEN 1 ELSE 0 END) AS arrears
        FROM accounts a WHERE a.type IN ({_products(p)}) GROUP BY a.customer_id"""


def _months_ago(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def telecom_stage(p: Params) -> list[Statement]:
    """TEL-STAGE: prospects in gestation; no bill for 60 days or every line stopped is an
    interruption; ≥ 24 months, ≥ 3 product lines and revenue not falling a partnership;
    ≥ 6 months and revenue growing or ≥ 2 product lines growth; else gestation."""
    months = int(_c(p, "stage.revenue_months"))
    end = p.as_of.replace(day=1)
    first, middle = _months_before(end, 2 * months), _months_before(end, months)
    tenure = _months_between(p, "c.created_at", ":today")
    gap = _days_between(p, "COALESCE(b.last_bill, c.created_at)", ":today")
    products, recent, before = ("COALESCE(l.live_products, 0)", "COALESCE(r.recent, 0)",
                                "COALESCE(r.before, 0)")
    prospect = "c.status = 'prospect'"
    no_billing = f"{gap} >= {int(_c(p, 'stage.billing_gap_days'))}"
    stopped = "l.lines > 0 AND l.stopped = l.lines"
    label = f"""CASE WHEN {prospect} THEN 'gestation' WHEN {no_billing} THEN 'interruption'
        WHEN {stopped} THEN 'interruption'
        WHEN {tenure} >= {int(_c(p, 'stage.partnership_months'))}
             AND {products} >= {int(_c(p, 'stage.partnership_lines'))} AND {recent} >= {before}
             THEN 'partnership'
        WHEN {tenure} >= {int(_c(p, 'stage.gestation_months'))}
             AND ({recent} > {before} OR {products} >= {int(_c(p, 'stage.growth_lines'))})
             THEN 'growth'
        ELSE 'gestation' END"""
    reason = f"""CASE WHEN {prospect} THEN {p.json("'key'", "'telecom.stage.prospect'")}
        WHEN {no_billing} THEN {p.json("'key'", "'telecom.stage.no_billing'", "'days'", gap,
                                       "'last'", f"COALESCE({_day(p, 'b.last_bill')}, 'none')")}
        WHEN {stopped} THEN {p.json("'key'", "'telecom.stage.stopped'", "'lines'", "l.lines")}
        ELSE {p.json("'key'", "'telecom.stage.figures'", "'months'", tenure, "'products'",
                     products, "'recent'", recent, "'before'", before)} END"""
    sql = f"""
        SELECT c.id AS customer_id, {label} AS label,
               CAST(COALESCE({tenure}, 0) AS {p.float}) AS score, {reason} AS reason
        FROM customers c
        LEFT JOIN ({_lines_sql(p)}) l ON l.customer_id = c.id
        LEFT JOIN (SELECT customer_id,
                          sum(CASE WHEN period >= :middle THEN value ELSE 0 END) AS recent,
                          sum(CASE WHEN period < :middle THEN value ELSE 0 END) AS before
                   FROM measurements WHERE metric = 'revenue' AND period >= :first
                     AND period < :end GROUP BY customer_id) r ON r.customer_id = c.id
        LEFT JOIN (SELECT customer_id, max({_date_of(p, 'occurred_at')}) AS last_bill
                   FROM interactions WHERE kind = 'bill' AND occurred_at < :until
                   GROUP BY customer_id) b ON b.customer_id = c.id
        WHERE {_flag(p, 'c', 'key_account')}
    """
    return segmentation(p, "telecom.stage", sql, {
        "today": p.d(p.as_of), "first": p.d(first), "middle": p.d(middle), "end": p.d(end),
        "until": p.ts(p.at(p.as_of, 1))})


def _changes(p: Params, since: str) -> str:
    """Key contact changes: a senior contact ended within replace_days of another
    starting in the same role, the new one started from ``since`` to the as-of day."""
    days = int(_c(p, "contact.replace_days"))
    if p.sqlite:
        lo = f"date(n.started_at, '{-days:+d} days')"
        hi = f"date(n.started_at, '{days:+d} days')"
    else:
        lo, hi = f"(n.started_at - {days})", f"(n.started_at + {days})"
    return f"""
        SELECT n.customer_id, n.id AS new_id, n.name AS new_name, n.role, n.started_at AS started,
               o.name AS old_name, o.ended_at AS ended
        FROM contacts n JOIN contacts o ON o.customer_id = n.customer_id AND o.role = n.role
             AND o.id <> n.id
        WHERE o.seniority = 'senior' AND o.ended_at IS NOT NULL AND n.role IS NOT NULL
          AND n.started_at IS NOT NULL AND n.started_at >= {since} AND n.started_at <= :today
          AND o.ended_at >= {lo} AND o.ended_at <= {hi}"""


def telecom_risk(p: Params) -> list[Statement]:
    """TEL-RISK: the named causes found per key account and group customer; high from 2."""
    months = int(_c(p, "risk.months"))
    start = _months_ago(p.as_of, months)
    d = lambda x: _day(p, x)  # noqa: E731
    t = p.text
    n_contacts, n_changes = "COALESCE(k.contacts, 0)", "COALESCE(mc.changes, 0)"
    nonpay, arrears = "COALESCE(l.nonpayment, 0)", "COALESCE(l.arrears, 0)"
    causes = [
        ("kc.changed_on IS NOT NULL", f"'key contact changed ' || {d('kc.changed_on')}",
         f"'关键联系人更换 ' || {d('kc.changed_on')}"),
        (f"{n_contacts} < {int(_c(p, 'multi.min_contacts'))}",
         f"{t(n_contacts)} || ' contact person(s) only'", f"'仅 ' || {t(n_contacts)} || ' 名联系人'"),
        (f"{n_changes} >= {int(_c(p, 'risk.manager_changes'))}",
         f"{t(n_changes)} || ' manager changes in {months} months'",
         f"'{months} 个月内更换客户经理 ' || {t(n_changes)} || ' 次'"),
        ("s.price_day IS NOT NULL", f"'price complaint or competitor signal ' || {d('s.price_day')}",
         f"'价格投诉或竞争对手动向 ' || {d('s.price_day')}"),
        (f"COALESCE(s.unresolved, 0) >= {int(_c(p, 'risk.unresolved_complaints'))}",
         f"{t('s.unresolved')} || ' unresolved complaints'", f"{t('s.unresolved')} || ' 件投诉未解决'"),
        ("s.quality_day IS NOT NULL", f"'quality complaint ' || {d('s.quality_day')}",
         f"'质量投诉 ' || {d('s.quality_day')}"),
        ("s.personal_ties IS NOT NULL",
         f"'relationship rests on personal ties (noted ' || {d('s.personal_ties')} || ')'",
         f"'人情关系（' || {d('s.personal_ties')} || ' 记录）'"),
        ("s.recession IS NOT NULL",
         f"'price first in a recession (noted ' || {d('s.recession')} || ')'",
         f"'经济衰退、价格优先（' || {d('s.recession')} || ' 记录）'"),
        (f"(s.closure IS NOT NULL OR {nonpay} > 0 OR {arrears} > 0)",
         f"'financial trouble: ' || {t(nonpay)} || ' line(s) 罚停, ' || {t(arrears)} "
         f"|| ' in arrears' || CASE WHEN s.closure IS NOT NULL THEN ', closure noted ' "
         f"|| {d('s.closure')} ELSE '' END",
         f"'财务问题：罚停 ' || {t(nonpay)} || ' 户，欠费 ' || {t(arrears)} || ' 户' || CASE WHEN "
         f"s.closure IS NOT NULL THEN '，倒闭 ' || {d('s.closure')} ELSE '' END"),
        ("s.market_position IS NOT NULL",
         f"'market position changed (noted ' || {d('s.market_position')} || ')'",
         f"'市场地位变化（' || {d('s.market_position')} || ' 记录）'"),
    ]
    count = "(" + " + ".join(f"CASE WHEN {c} THEN 1 ELSE 0 END" for c, _, _ in causes) + ")"
    en = "substr(" + " || ".join(f"CASE WHEN {c} THEN '; ' || {e} ELSE '' END"
                                 for c, e, _ in causes) + ", 3)"
    zh = "substr(" + " || ".join(f"CASE WHEN {c} THEN '；' || {z} ELSE '' END"
                                 for c, _, z in causes) + ", 2)"
    day = _date_of(p, "i.occurred_at")
    cause = _attr_text(p, "i", "risk_cause")
    notes = ", ".join(
        f"max(CASE WHEN i.kind = 'risk_note' AND {cause} = '{name}' THEN {day} END) AS {name}"
        for name in ("personal_ties", "recession", "closure", "market_position"))
    sql = f"""
        SELECT c.id AS customer_id,
               CASE WHEN {count} >= {int(_c(p, 'risk.high_causes'))} THEN 'high'
                    WHEN {count} > 0 THEN 'medium' ELSE 'low' END AS label,
               CAST({count} AS {p.float}) AS score,
               CASE WHEN {count} = 0 THEN {p.json("'key'", "'telecom.risk.none'")}
                    ELSE {p.json("'key'", "'telecom.risk.causes'", "'causes'", en,
                                 "'causes_zh'", zh)} END AS reason
        FROM customers c
        LEFT JOIN (SELECT i.customer_id,
                          max(CASE WHEN i.occurred_at >= :signal_since AND i.kind IN
                              ('price_complaint', 'competitor_signal') THEN {day} END) AS price_day,
                          max(CASE WHEN i.occurred_at >= :signal_since
                              AND i.kind = 'quality_complaint' THEN {day} END) AS quality_day,
                          sum(CASE WHEN i.kind IN ('complaint', 'price_complaint',
                              'quality_complaint') AND i.resolved_at IS NULL THEN 1 ELSE 0 END)
                              AS unresolved,
                          {notes}
                   FROM interactions i
                   WHERE i.occurred_at >= :since_at AND i.occurred_at < :until
                     AND i.kind IN ('complaint', 'price_complaint', 'quality_complaint',
                                    'competitor_signal', 'risk_note')
                   GROUP BY i.customer_id) s ON s.customer_id = c.id
        LEFT JOIN (SELECT customer_id, count(*) AS changes FROM ownership
                   WHERE ended_at IS NOT NULL AND ended_at > :start AND ended_at <= :today
                   GROUP BY customer_id) mc ON mc.customer_id = c.id
        LEFT JOIN (SELECT x.customer_id, max(x.started) AS changed_on
                   FROM ({_changes(p, ':change_since')}) x GROUP BY x.customer_id) kc
               ON kc.customer_id = c.id
        LEFT JOIN (SELECT customer_id, count(*) AS contacts FROM contacts
                   WHERE active = {p.true} AND (ended_at IS NULL OR ended_at > :today)
                     AND (started_at IS NULL OR started_at <= :today)
                   GROUP BY customer_id) k ON k.customer_id = c.id
        LEFT JOIN ({_lines_sql(p)}) l ON l.customer_id = c.id
        WHERE ({_flag(p, 'c', 'key_account')} OR {_flag(p, 'c', 'group_customer')})
          AND c.status <> 'prospect' AND {_served(p, 'c')}
    """
    return segmentation(p, "telecom.risk", sql, {
        "today": p.d(p.as_of), "start": p.d(start),
        "change_since": p.d(start + dt.timedelta(days=1)),
        "since_at": p.ts(p.at(start, 1)), "until": p.ts(p.at(p.as_of, 1)),
        "signal_since": p.ts(p.at(p.as_of, 1 - int(_c(p, "risk.signal_days"))))})


def telecom_contact(p: Params) -> list[Statement]:
    """TEL-CONTACT: meet the new key contact within 7 days of their start (and, in
    gestation, the superior's senior-level meeting), once per new contact."""
    due_days = int(_c(p, "contact.due_days"))
    since = p.as_of - dt.timedelta(days=int(_c(p, "contact.lookback_days")) - 1)
    due = (f"date(ch.started, '+{due_days} days')" if p.sqlite
           else f"(ch.started + {due_days})")
    figures = ["'old'", "ch.old_name", "'new'", "ch.new_name", "'role'", "ch.role",
               "'ended'", _day(p, "ch.ended"), "'started'", _day(p, "ch.started"),
               "'due'", _day(p, due)]
    never = ("NOT EXISTS (SELECT 1 FROM tasks tb WHERE tb.dedupe_key = {key} AND tb.rule || '' = "
             "'telecom.contact' AND tb.status <> 'open' AND tb.customer_id = ch.customer_id)")
    key, senior_key = "'contact:' || ch.new_id", "'contact:senior:' || ch.new_id"
    superior = ("COALESCE((SELECT m.reports_to FROM managers m WHERE m.id = c.manager_id), "
                "c.manager_id)")
    due_at = due if not p.sqlite else f"({due} || ' 00:00:00.000000')"
    if not p.sqlite:
        due_at = f"CAST({due} AS timestamp)"
    parts = [f"""
        SELECT ch.customer_id, c.manager_id, 'meeting' AS kind, {due_at} AS due_at, 1 AS priority,
               {p.json("'key'", "'telecom.contact'", *figures)} AS reason, {key} AS dedupe_key
        FROM ({_changes(p, ':since')}) ch JOIN customers c ON c.id = ch.customer_id
        WHERE {never.format(key=key)} AND {_served(p, 'c')}"""]
    if _c(p, "contact.senior_meeting"):
        parts.append(f"""
        SELECT ch.customer_id, {superior}, 'meeting', {due_at}, 2,
               {p.json("'key'", "'telecom.contact_senior'", *figures)}, {senior_key}
        FROM ({_changes(p, ':since')}) ch JOIN customers c ON c.id = ch.customer_id
        WHERE (SELECT s.label FROM segments s WHERE s.segmentation = 'telecom.stage'
               AND s.customer_id = ch.customer_id) = 'gestation'
          AND {never.format(key=senior_key)} AND {_served(p, 'c')}""")
    return rule(p, "telecom.contact", " UNION ALL ".join(parts),
                {"since": p.d(since), "today": p.d(p.as_of)})


def telecom_expiry(p: Params) -> list[Statement]:
    """TEL-EXPIRY: active lines paid until today to 30 days ahead: one on-site renewal
    visit per customer and day, due that day."""
    paid = _attr_date(p, "a", "paid_until")
    due_at = (f"(g.paid_until || ' 00:00:00.000000')" if p.sqlite
              else "CAST(g.paid_until AS timestamp)")
    sql = f"""
        SELECT g.customer_id, c.manager_id, 'visit' AS kind, {due_at} AS due_at, 1 AS priority,
               {p.json("'key'", "'telecom.expiry'", "'lines'", "g.lines",
                       "'day'", _day(p, 'g.paid_until'),
                       "'days'", _days_between(p, ':today', 'g.paid_until'))} AS reason,
               'expiry:' || {_day(p, 'g.paid_until')} AS dedupe_key
        FROM (SELECT a.customer_id, {paid} AS paid_until, count(*) AS lines FROM accounts a
              WHERE a.type IN ({_products(p)}) AND a.status = 'active' AND {paid} >= :today
                AND {paid} <= :last
              GROUP BY a.customer_id, {paid}) g
        JOIN customers c ON c.id = g.customer_id
        WHERE {_served(p, 'c')}
    """
    return rule(p, "telecom.expiry", sql, {
        "today": p.d(p.as_of),
        "last": p.d(p.as_of + dt.timedelta(days=int(_c(p, "expiry.days"))))})


def telecom_status(status: str, scope: str):
    """TEL-STATUS: the share of the served customers' lines in ``status`` at the as-of
    day, from each line's status history."""
    def build(p: Params) -> list[Statement]:
        key = "''" if scope == "all" else "COALESCE(c.manager_id, '')"
        group = "HAVING count(*) > 0" if scope == "all" else f"GROUP BY {key}"
        sql = f"""
            SELECT {key} AS k,
                   CAST(sum(CASE WHEN h.status = :status THEN 1 ELSE 0 END) AS {p.float})
                   / NULLIF(CAST(count(*) AS {p.float}), 0) AS v
            FROM accounts a
            JOIN customers c ON c.id = a.customer_id
            JOIN account_status_history h ON h.account_id = a.id
             AND h.started_on = (SELECT max(h2.started_on) FROM account_status_history h2
                                 WHERE h2.account_id = a.id AND h2.started_on <= :today)
            WHERE a.type IN ({_products(p)}) AND {_served(p, 'c')}
            {group}"""
        return _kpi(f"telecom.lines_{status}", scope, sql,
                    {"status": status, "today": p.d(p.as_of)}, p, None)
    return build


JOBS = {
    ("segment", "telecom.stage"): telecom_stage,
    ("segment", "telecom.risk"): telecom_risk,
    ("rule", "telecom.contact"): telecom_contact,
    ("rule", "telecom.expiry"): telecom_expiry,
}
for _status in STATUSES:
    for _scope in ("all", "manager"):
        JOBS[("kpi", f"telecom.lines_{_status}", _scope)] = telecom_status(_status, _scope)

FLAGSHIP = ("telecom.stage", "telecom.risk", "telecom.contact", "telecom.expiry",
            *(f"telecom.lines_{s}" for s in STATUSES))
