"""The power pack's flagship contributions written by hand in SQL (see ``handsql``).

Five, as issue 15 asks: POWER-CLASS, POWER-CREDIT (with the bad-credit list
it keeps), POWER-REMIND, POWER-ANOMALY and POWER-OUTAGE (the consultation
calls of the outages ahead). Written from docs/packs/power.md, storing the
same labels, history, tasks, list members and reasons as the engine, so the
next job of the batch meets the same state on both copies. The pack serves
supply customers only (a tariff or a voltage): the twins keep to them.
"""

from __future__ import annotations

import datetime as dt

from handsql import Params, Statement, repr_
from handsql_packs import (
    _attr_flag,
    _attr_text,
    _bp,
    _cfg,
    _date_of,
    _day_at,
    _days_between,
    _iso,
    _month_start,
    _months_before,
    rule,
    segmentation,
)

HIGH = {10: "('10kV', '35kV', '110kV', '220kV')"}


def _cfg_p(p: Params, name: str):
    return _cfg(p, "power", name)


def _supplied(p: Params, c: str = "c") -> str:
    return (f"({_attr_text(p, c, 'tariff')} IS NOT NULL "
            f"OR {_attr_text(p, c, 'voltage')} IS NOT NULL)")


def _served(p: Params, customer_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM customers sc WHERE sc.id = {customer_id} AND {_supplied(p, 'sc')})"


def _attr_day(p: Params, table: str, name: str) -> str:
    if p.sqlite:
        return f"date(json_extract({table}.attributes, '$.{name}'))"
    return f"CAST({table}.attributes ->> '{name}' AS date)"


def _class_of(customer_id: str) -> str:
    return (f"(SELECT s.label FROM segments s WHERE s.segmentation = 'power.class' "
            f"AND s.customer_id = {customer_id})")


def _never(rule_name: str, key: str, customer_id: str) -> str:
    """No done or cancelled task of the rule for the key: each task once, never again."""
    return (f"NOT EXISTS (SELECT 1 FROM tasks d WHERE d.dedupe_key = {key} "
            f"AND d.rule || '' = {repr_(rule_name)} AND d.status <> 'open' "
            f"AND d.customer_id = {customer_id})")


def _months_ago(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


# -- POWER-CLASS -------------------------------------------------------------------------


def power_class(p: Params) -> list[Statement]:
    """POWER-CLASS: class 1 = two-part tariff, >= 10 kV, important, or the top 20% by
    12-month kWh (rank x 10000 <= n x 2000); class 3 residential; class 2 the rest."""
    months = int(_cfg_p(p, "class.months"))
    top_bp = _bp(_cfg_p(p, "class.top_share"))
    kv = _cfg_p(p, "class.min_kv")
    if float(kv) != 10:
        raise NotImplementedError("the twin knows the default 10 kV bound")
    end = _month_start(p.as_of)
    first = _months_before(end, months)
    tariff, voltage = _attr_text(p, "c", "tariff"), _attr_text(p, "c", "voltage")
    important = _attr_flag(p, "c", "important")
    kwh = "c.kwh"
    top = f"(c.kwh > 0 AND c.rank * 10000 <= c.n * {top_bp})"
    residential = (f"COALESCE({tariff}, CASE WHEN c.kind = 'person' THEN 'residential' "
                   f"ELSE '-' END) = 'residential'")
    key = "'key'"
    reasons = [
        (f"{tariff} = 'two_part'", p.json(key, "'power.class.tariff'")),
        (f"{voltage} IN {HIGH[10]}", p.json(key, "'power.class.voltage'", "'voltage'", voltage,
                                           "'kv'", str(kv))),
        (important, p.json(key, "'power.class.important'", "'why'",
                           f"COALESCE({_attr_text(p, 'c', 'importance')}, 'flagged')")),
        (top, p.json(key, "'power.class.top'", "'rank'", "c.rank", "'n'", "c.n", "'kwh'", kwh,
                     "'months'", str(months), "'pct'",
                     str(round(float(_cfg_p(p, 'class.top_share')) * 100)),
                     "'top'", f"c.n * {top_bp} / 10000")),
    ]
    label = ("CASE " + " ".join(f"WHEN {cond} THEN '1'" for cond, _ in reasons)
             + f" WHEN {residential} THEN '3' ELSE '2' END")
    reason = ("CASE " + " ".join(f"WHEN {cond} THEN {r}" for cond, r in reasons)
              + f" WHEN {residential} THEN "
              + p.json(key, "'power.class.residential'", "'kwh'", kwh, "'months'", str(months))
              + " ELSE " + p.json(key, "'power.class.other'", "'kwh'", kwh, "'months'",
                                  str(months), "'tariff'", f"COALESCE({tariff}, '-')") + " END")
    totals = (f"SELECT customer_id, sum(value) AS kwh FROM measurements WHERE metric = 'kwh' "
              f"AND period >= :first AND period < :end GROUP BY customer_id")
    # One window over the customers: rank the ones with kWh first.
    sql = f"""
        SELECT c.id AS customer_id, {label} AS label, CAST({kwh} AS {p.float}) AS score,
               {reason} AS reason
        FROM (SELECT cc.id, cc.kind, cc.attributes, COALESCE(t.kwh, 0) AS kwh,
                     row_number() OVER (ORDER BY CASE WHEN COALESCE(t.kwh, 0) > 0 THEN 0 ELSE 1 END,
                                        COALESCE(t.kwh, 0) DESC, cc.id) AS rank,
                     sum(CASE WHEN COALESCE(t.kwh, 0) > 0 THEN 1 ELSE 0 END) OVER () AS n
              FROM customers cc LEFT JOIN ({totals}) t ON t.customer_id = cc.id) c
        WHERE {_supplied(p)}
    """
    return segmentation(p, "power.class", sql, {"first": p.d(first), "end": p.d(end)})


# -- POWER-CREDIT ------------------------------------------------------------------------


def _bills(p: Params, since: bool = False) -> str:
    """(id, customer_id, amount, due_on, period, paid, paid_by_due): every bill with its
    payments up to the end of the as-of day, by the end of its due day too."""
    due = _attr_day(p, "i", "due_on")
    period = f"COALESCE({_attr_text(p, 'i', 'bill_period')}, {_iso(p, 'i.occurred_at', 7)})"
    bill_id = _attr_text(p, "y", "bill_id")
    extra = f" AND {due} >= :since" if since else ""
    return f"""
        SELECT b.id, b.customer_id, b.amount, b.due_on, b.period,
               COALESCE(sum(d.amount), 0) AS paid,
               COALESCE(sum(CASE WHEN d.day <= b.due_on THEN d.amount ELSE 0 END), 0) AS paid_by_due
        FROM (SELECT i.id, i.customer_id, i.amount, {due} AS due_on, {period} AS period
              FROM interactions i
              WHERE i.kind = 'bill' AND {due} IS NOT NULL AND i.amount IS NOT NULL{extra}) b
        LEFT JOIN (SELECT {bill_id} AS bill_id, {_date_of(p, 'y.occurred_at')} AS day,
                          sum(y.amount) AS amount
                   FROM interactions y
                   WHERE y.kind = 'payment' AND y.occurred_at < :until
                   GROUP BY {bill_id}, {_date_of(p, 'y.occurred_at')}) d ON d.bill_id = b.id
        GROUP BY b.id, b.customer_id, b.amount, b.due_on, b.period
    """


def keep_list(p: Params, seg: str, label: str, name: str) -> list[Statement]:
    """The named list a segmentation keeps: join with the label, leave without it."""
    note = f"kept by {seg}"
    params = {"seg": seg, "label": label, "list": name, "note": note, "as_of": p.d(p.as_of)}
    has = ("EXISTS (SELECT 1 FROM segments s WHERE s.segmentation = :seg AND s.label = :label "
           "AND s.customer_id = list_members.customer_id)")
    added = ":as_of" if p.sqlite else "CAST(:as_of AS date)"
    # PostgreSQL deduces one type per parameter: :list is compared with a
    # VARCHAR column and selected as a value, so it is cast once for both.
    name_sql = ":list" if p.sqlite else "CAST(:list AS VARCHAR)"
    ended = (f"list = :list AND removed_at IS NOT NULL AND removed_at <= {added} "
             f"AND note = :note AND {has}")
    return [
        # A member back on the list: the ended spell is kept, as the engine keeps it.
        (f"INSERT INTO list_spells (list, customer_id, added_at, removed_at, note) "
         f"SELECT list, customer_id, added_at, removed_at, note FROM list_members "
         f"WHERE {ended} ORDER BY customer_id", params),
        (f"UPDATE list_members SET added_at = {added}, removed_at = NULL WHERE {ended}", params),
        (f"INSERT INTO list_members (list, customer_id, added_at, note) "
         f"SELECT {name_sql}, s.customer_id, {added}, :note FROM segments s "
         f"WHERE s.segmentation = :seg AND s.label = :label AND NOT EXISTS "
         f"(SELECT 1 FROM list_members m WHERE m.list = {name_sql} AND m.customer_id = s.customer_id) "
         f"ORDER BY s.customer_id", params),
        (f"UPDATE list_members SET removed_at = {added} WHERE list = :list AND note = :note "
         f"AND removed_at IS NULL AND NOT {has} "
         f"AND (added_at IS NULL OR added_at <= {added})", params),
    ]


def power_credit(p: Params) -> list[Statement]:
    """POWER-CREDIT: 50 x on-time share + 20 (no arrears) + 20 (no violation or theft in
    24 months) + 10 (no contract_breach in 12); AAA 90, AA 80, A 70, B 60, C below, in
    whole numbers; C keeps the bad-credit list."""
    since = _months_ago(p.as_of, int(_cfg_p(p, "credit.bill_months")))
    clean_since = _months_ago(p.as_of, int(_cfg_p(p, "credit.violation_months")))
    kept_since = _months_ago(p.as_of, int(_cfg_p(p, "credit.contract_months")))
    bounds = [("AAA", _cfg_p(p, "credit.aaa")), ("AA", _cfg_p(p, "credit.aa")),
              ("A", _cfg_p(p, "credit.a")), ("B", _cfg_p(p, "credit.b"))]

    arrears, clean, kept = "g.arrears", "g.clean", "g.kept"
    total = f"(50 * g.on_time + ({arrears} + {clean} + {kept}) * g.bills)"
    grade = ("CASE " + " ".join(f"WHEN {total} >= g.bills * {float(b)} THEN '{name}'"
                                for name, b in bounds) + " ELSE 'C' END")
    score = f"CAST({total} AS {p.float}) / g.bills"
    figures = ["'score'", score, "'on_time'", "g.on_time", "'bills'", "g.bills",
               "'arrears'", arrears, "'clean'", clean, "'kept'", kept, "'grade'", grade]
    b_bound = _cfg_p(p, "credit.b")
    reason = (f"CASE WHEN {grade} = 'C' THEN "
              + p.json("'key'", "'power.credit.c'", "'b'", str(b_bound), *figures)
              + " ELSE " + p.json("'key'", "'power.credit'", *figures) + " END")
    judged = "(b.due_on < :today OR b.paid_by_due >= b.amount)"
    sql = f"""
        SELECT g.customer_id, {grade} AS label, {score} AS score, {reason} AS reason
        FROM (SELECT q.customer_id, q.on_time, q.bills,
                     CASE WHEN q.in_arrears = 0 THEN 20 ELSE 0 END AS arrears,
                     CASE WHEN COALESCE(r.dirty, 0) = 0 THEN 20 ELSE 0 END AS clean,
                     CASE WHEN COALESCE(r.breached, 0) = 0 THEN 10 ELSE 0 END AS kept
              FROM (SELECT b.customer_id,
                           sum(CASE WHEN {judged} AND b.paid_by_due >= b.amount THEN 1 ELSE 0 END)
                               AS on_time,
                           sum(CASE WHEN {judged} THEN 1 ELSE 0 END) AS bills,
                           sum(CASE WHEN b.due_on < :today AND b.paid < b.amount THEN 1 ELSE 0 END)
                               AS in_arrears
                    FROM ({_bills(p, since=True)}) b GROUP BY b.customer_id) q
              LEFT JOIN (SELECT customer_id,
                                max(CASE WHEN kind IN ('violation', 'theft') AND occurred_at >= :clean
                                         THEN 1 ELSE 0 END) AS dirty,
                                max(CASE WHEN kind = 'contract_breach' AND occurred_at >= :kept
                                         THEN 1 ELSE 0 END) AS breached
                         FROM interactions
                         WHERE kind IN ('violation', 'theft', 'contract_breach')
                           AND occurred_at < :until
                         GROUP BY customer_id) r ON r.customer_id = q.customer_id
              WHERE q.bills > 0) g
        WHERE {_served(p, 'g.customer_id')}
    """
    params = {"since": p.d(since), "today": p.d(p.as_of), "until": p.ts(p.at(p.as_of, 1)),
              "clean": p.ts(p.at(clean_since)), "kept": p.ts(p.at(kept_since))}
    return [*segmentation(p, "power.credit", sql, params),
            *keep_list(p, "power.credit", "C", "bad_credit")]


# -- POWER-REMIND ------------------------------------------------------------------------


def power_remind(p: Params) -> list[Statement]:
    """POWER-REMIND: an unpaid bill 3 days before its due day -> reminder; 7 days after ->
    collection call; 30 days after -> escalation to the owner's superior."""
    before = int(_cfg_p(p, "remind.before_days"))
    call = int(_cfg_p(p, "remind.call_days"))
    esc = int(_cfg_p(p, "remind.escalation_days"))
    days = _days_between(p, "b.due_on", ":today")
    late = f"CASE WHEN {days} > 0 THEN {days} WHEN {days} <= 0 THEN 0 END"
    ahead = _days_between(p, ":today", "b.due_on")
    stage = (f"CASE WHEN {late} >= {esc} THEN 'escalation' WHEN {late} >= {call} THEN 'call' "
             f"WHEN {ahead} <= {before} THEN 'reminder' END")
    owed = "b.amount - b.paid"
    figures = ["'period'", "b.period", "'amount'", "b.amount", "'paid'", "b.paid",
               "'owed'", owed, "'due'", _iso(p, "b.due_on", 10)]
    reason = (f"CASE WHEN {late} > 0 THEN "
              + p.json("'key'", "'power.remind.late'", "'days'", late, *figures)
              + " ELSE " + p.json("'key'", "'power.remind.reminder'", "'days'", ahead, *figures)
              + " END")
    boss = "(SELECT m.reports_to FROM managers m WHERE m.id = c.manager_id)"
    sql = f"""
        SELECT w.customer_id, w.manager_id, w.kind, w.due_at, w.priority, w.reason, w.dedupe_key
        FROM (SELECT b.customer_id,
                     CASE WHEN {stage} = 'escalation' THEN COALESCE({boss}, c.manager_id)
                          ELSE c.manager_id END AS manager_id,
                     {stage} AS kind,
                     CASE WHEN {stage} = 'reminder' THEN :due1 ELSE :due3 END AS due_at,
                     CASE WHEN {stage} = 'escalation' THEN 3 WHEN {stage} = 'call' THEN 2
                          ELSE 1 END AS priority,
                     {reason} AS reason,
                     'bill:' || b.id || ':' || {stage} AS dedupe_key
              FROM ({_bills(p)}) b JOIN customers c ON c.id = b.customer_id
              WHERE {owed} > 0 AND {_supplied(p)}) w
        WHERE w.kind IS NOT NULL AND {_never('power.remind', 'w.dedupe_key', 'w.customer_id')}
    """
    return rule(p, "power.remind", sql, {
        "today": p.d(p.as_of), "until": p.ts(p.at(p.as_of, 1)),
        "due1": p.ts(p.at(p.as_of, 1)), "due3": p.ts(p.at(p.as_of, 3))})


# -- POWER-ANOMALY -----------------------------------------------------------------------


def power_anomaly(p: Params) -> list[Statement]:
    """POWER-ANOMALY: class 1 or 2 whose last closed month is 50% or more off the mean of
    the three months before it (|3 x month - sum| x 100 >= 50 x sum)."""
    months = int(_cfg_p(p, "anomaly.months"))
    pct = round(float(_cfg_p(p, "anomaly.change")) * 100)
    end = _month_start(p.as_of)
    last = _months_before(end, 1)
    first = _months_before(end, months + 1)
    month = f"{last:%Y-%m}"
    gap = f"abs(m.kwh * {months} - b.kwh)"
    reason = p.json("'key'", "'power.anomaly'", "'month'", repr_(month), "'kwh'", "m.kwh",
                    "'mean'", f"CAST(b.kwh AS {p.float}) / {months}", "'months'", str(months),
                    "'pct'", f"CAST({gap} AS {p.float}) * 100 / b.kwh", "'limit'", str(pct))
    sql = f"""
        SELECT m.customer_id, c.manager_id, 'call' AS kind, :due AS due_at, 2 AS priority,
               {reason} AS reason, {repr_('anomaly:' + month)} AS dedupe_key
        FROM (SELECT customer_id, sum(value) AS kwh FROM measurements
              WHERE metric = 'kwh' AND period = :last GROUP BY customer_id) m
        JOIN (SELECT customer_id, sum(value) AS kwh, count(DISTINCT period) AS months
              FROM measurements WHERE metric = 'kwh' AND period >= :first AND period < :last
              GROUP BY customer_id) b ON b.customer_id = m.customer_id
        JOIN customers c ON c.id = m.customer_id
        WHERE b.months = {months} AND b.kwh > 0 AND {gap} * 100 >= b.kwh * {pct}
          AND {_class_of('m.customer_id')} IN ('1', '2') AND {_supplied(p)}
          AND {_never('power.anomaly', repr_('anomaly:' + month), 'm.customer_id')}
    """
    return rule(p, "power.anomaly", sql, {"last": p.d(last), "first": p.d(first),
                                          "due": p.ts(p.at(p.as_of, 7))})


# -- POWER-OUTAGE ------------------------------------------------------------------------


def power_outage(p: Params) -> list[Statement]:
    """POWER-OUTAGE: class 1 customers on the feeder or segment of an outage ahead: a call
    due the day their notice is due (7 days before a planned one, 1 before a temporary)."""
    import math

    planned = int(_cfg_p(p, "outage.planned_days"))
    temporary = math.ceil(int(_cfg_p(p, "outage.temporary_hours")) / 24)
    start = _date_of(p, "o.starts_at")
    lead = f"CASE WHEN o.kind = 'planned' THEN {planned} ELSE {temporary} END"
    if p.sqlite:
        due = f"date({start}, CAST(-({lead}) AS TEXT) || ' days')"
        minute = "strftime('%Y-%m-%d %H:%M', o.starts_at)"
    else:
        due = f"CAST(CAST({start} AS date) - ({lead}) AS date)"
        minute = "to_char(o.starts_at, 'YYYY-MM-DD HH24:MI')"
    due = f"CASE WHEN {due} < :today THEN :today ELSE {due} END"
    feeder, segment = _attr_text(p, "c", "feeder"), _attr_text(p, "c", "reading_segment")
    reason = p.json("'key'", "'power.outage.call'", "'outage'", "o.id", "'kind'", "o.kind",
                    "'starts'", minute, "'where'", "COALESCE(o.feeder, o.segment)")
    sql = f"""
        SELECT c.id AS customer_id, c.manager_id, 'call' AS kind, {_day_at(p, due)} AS due_at,
               3 AS priority, {reason} AS reason, 'outage:' || o.id AS dedupe_key
        FROM power_outages o
        JOIN customers c ON (o.feeder IS NOT NULL AND {feeder} = o.feeder)
                         OR (o.segment IS NOT NULL AND {segment} = o.segment)
        WHERE o.starts_at >= :until AND {_class_of('c.id')} = '1' AND {_supplied(p)}
          AND {_never('power.outage', "'outage:' || o.id", 'c.id')}
    """
    return rule(p, "power.outage", sql, {"today": p.d(p.as_of), "until": p.ts(p.at(p.as_of, 1))})


JOBS = {
    ("segment", "power.class"): power_class,
    ("segment", "power.credit"): power_credit,
    ("rule", "power.remind"): power_remind,
    ("rule", "power.anomaly"): power_anomaly,
    ("rule", "power.outage"): power_outage,
}
FLAGSHIP = ("power.class", "power.credit", "power.remind", "power.anomaly", "power.outage")
