"""The packs' flagship contributions written by hand in SQL (see ``handsql``).

Five per pack, as issue 8 asks (ABC and churn among them): each builder
returns the statements a DBA would write from the pack's guide and rule
text, not from its SQLAlchemy. Like the engine they store the same labels,
history, tasks, list members and KPI figures, reasons included (the same
JSON figures in the same order), so that the next job of the batch meets
the same state on both copies.

What the engine adds and these do not: its work tables' generic shape,
the reasons API, checks of a contribution's columns, Python. What they
assume: no segmentation period is locked (the bench's base locks none).
"""

from __future__ import annotations

import datetime as dt

from handsql import Builder, Params, Statement, _kpi, credited_sum, repr_

# -- shared pieces ---------------------------------------------------------------------


def _cfg(p: Params, pack: str, name: str):
    return p.settings[pack][name]


def _bp(share) -> int:
    return int(round(float(share) * 10_000))


def _cents(p: Params, expr: str) -> str:
    """An amount as whole cents, an integer on both databases."""
    return f"CAST(round(({expr}) * 100) AS BIGINT)"


def _yuan(cents: str) -> str:
    return f"(({cents}) + 50) / 100"


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = day.year, day.month - months
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def _text(p: Params, expr: str) -> str:
    return f"CAST({expr} AS {'VARCHAR' if p.sqlite else 'varchar'})"


def _iso(p: Params, expr: str, n: int) -> str:
    """The first n characters of a date's ISO text (7: the month, 10: the day)."""
    return f"substr({_text(p, expr)}, 1, {n})"


def _attr_cast(p: Params, table: str, name: str, sql_type: str) -> str:
    """A sector field from ``table.attributes`` as ``sql_type``."""
    if p.sqlite:
        return f"CAST(json_extract({table}.attributes, '$.{name}') AS {sql_type})"
    return f"CAST({table}.attributes ->> '{name}' AS {sql_type})"


def _attr_text(p: Params, table: str, name: str) -> str:
    return _attr_cast(p, table, name, "VARCHAR" if p.sqlite else "varchar")


def _attr_int(p: Params, table: str, name: str) -> str:
    return _attr_cast(p, table, name, "INTEGER")


def _attr_flag(p: Params, table: str, name: str) -> str:
    if p.sqlite:
        return f"(json_extract({table}.attributes, '$.{name}') = 1)"
    return f"(({table}.attributes ->> '{name}') = 'true')"


def _days_between(p: Params, start: str, end: str) -> str:
    """Whole days from start to end (dates or ISO text)."""
    if p.sqlite:
        return f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)"
    return f"(CAST({end} AS date) - CAST({start} AS date))"


def _date_of(p: Params, expr: str) -> str:
    return f"date({expr})" if p.sqlite else f"CAST({expr} AS date)"


def _month_of(p: Params, expr: str) -> str:
    """The first day of the month of a date or stored datetime."""
    if p.sqlite:
        return f"date({expr}, 'start of month')"
    return f"CAST(date_trunc('month', {expr}) AS date)"


def _month_number(p: Params, expr: str) -> str:
    """year * 12 + month of a date."""
    if p.sqlite:
        return (f"(CAST(strftime('%Y', {expr}) AS INTEGER) * 12 "
                f"+ CAST(strftime('%m', {expr}) AS INTEGER))")
    return (f"(CAST(extract(year FROM {expr}) AS INTEGER) * 12 "
            f"+ CAST(extract(month FROM {expr}) AS INTEGER))")


def _distinct(p: Params, a: str, b: str) -> str:
    return f"{a} IS NOT {b}" if p.sqlite else f"{a} IS DISTINCT FROM {b}"


def _temp(p: Params, name: str, columns: str) -> list[Statement]:
    tail = "" if p.sqlite else " ON COMMIT DROP"
    return [(f"DROP TABLE IF EXISTS {name}", {}),
            (f"CREATE TEMPORARY TABLE {name} ({columns}){tail}", {})]


def _drop(p: Params, name: str) -> list[Statement]:
    return [(f"DROP TABLE {name}", {})] if p.sqlite else []


def segmentation(p: Params, name: str, select_sql: str, params: dict) -> list[Statement]:
    """Store a segmentation's labels as the guide says: a manager's manual label wins,
    every change goes to history (and a customer no longer labelled loses the label),
    unchanged rows are left alone.

    ``select_sql`` gives ``customer_id, label, score, reason``.
    """
    n = "hand_new_labels"
    both = {**params, "seg": name, "as_of": p.d(p.as_of)}
    on = {"seg": name}
    gone = (f"s.segmentation = :seg AND NOT EXISTS "
            f"(SELECT 1 FROM {n} WHERE {n}.customer_id = s.customer_id)")
    upsert = f"""
        INSERT INTO segments (segmentation, customer_id, label, score, reason, as_of, manual)
        SELECT CAST(:seg AS {p.varchar}), customer_id, label, score, reason, :as_of, manual FROM {n}
        {'WHERE true ' if p.sqlite else ''}ORDER BY customer_id
        ON CONFLICT (segmentation, customer_id) DO UPDATE SET
            label = excluded.label, score = excluded.score, reason = excluded.reason,
            as_of = excluded.as_of, manual = excluded.manual
        WHERE {_distinct(p, 'segments.label', 'excluded.label')}
           OR {_distinct(p, 'segments.score', 'excluded.score')}
           OR {_distinct(p, 'segments.reason', 'excluded.reason')}
           OR {_distinct(p, 'segments.manual', 'excluded.manual')}
    """
    return [
        *_temp(p, n, f"customer_id {p.varchar} PRIMARY KEY, label {p.varchar} NOT NULL, "
                     f"score {p.float}, reason TEXT NOT NULL, manual BOOLEAN NOT NULL"),
        (f"INSERT INTO {n} SELECT q.customer_id, q.label, CAST(q.score AS {p.float}), "
         f"COALESCE(q.reason, ''), {p.false} FROM ({select_sql}) q "
         f"WHERE q.label IS NOT NULL ORDER BY q.customer_id", params),
        (f"UPDATE {n} SET label = o.label, reason = o.reason, manual = {p.true}, score = NULL "
         f"FROM segment_overrides o WHERE o.segmentation = :seg "
         f"AND o.customer_id = {n}.customer_id", on),
        (f"INSERT INTO {n} SELECT o.customer_id, o.label, NULL, o.reason, {p.true} "
         f"FROM segment_overrides o WHERE o.segmentation = :seg AND NOT EXISTS "
         f"(SELECT 1 FROM {n} WHERE {n}.customer_id = o.customer_id) ORDER BY o.customer_id", on),
        (f"INSERT INTO segment_history (segmentation, customer_id, old_label, new_label, "
         f"changed_on, reason) SELECT CAST(:seg AS {p.varchar}), x.customer_id, s.label, "
         f"x.label, :as_of, x.reason "
         f"FROM {n} x LEFT JOIN segments s ON s.segmentation = :seg "
         f"AND s.customer_id = x.customer_id WHERE {_distinct(p, 's.label', 'x.label')} "
         f"ORDER BY x.customer_id", both),
        (f"INSERT INTO segment_history (segmentation, customer_id, old_label, new_label, "
         f"changed_on, reason) SELECT CAST(:seg AS {p.varchar}), s.customer_id, s.label, "
         f"NULL, :as_of, "
         f"{p.json(repr_('key'), repr_('core.no_longer_qualifies'))} FROM segments s "
         f"WHERE {gone} ORDER BY s.customer_id", both),
        (f"DELETE FROM segments WHERE segmentation = :seg AND NOT EXISTS "
         f"(SELECT 1 FROM {n} WHERE {n}.customer_id = segments.customer_id)", on),
        (upsert, both),
        *_drop(p, n),
    ]


_TASKS = ("rule, customer_id, manager_id, kind, due_at, priority, status, reason, dedupe_key, "
          "created_at")


def rule(p: Params, name: str, select_sql: str, params: dict,
         adds_to_list: str | None = None) -> list[Statement]:
    """Open a task for each row of ``select_sql`` that has no open task of the rule for the
    same customer and dedupe key; put the customers on the rule's list.

    ``select_sql`` gives ``customer_id, manager_id, kind, due_at, priority, reason,
    dedupe_key``.
    """
    both = {**params, "rule": name, "created": p.ts(p.created_at)}
    insert = (f"INSERT INTO tasks ({_TASKS}) SELECT CAST(:rule AS {p.varchar}), w.customer_id, "
              f"w.manager_id, w.kind, "
              f"w.due_at, w.priority, 'open', w.reason, w.dedupe_key, :created FROM {{src}} w "
              f"WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.status = 'open' "
              f"AND t.rule = :rule AND t.customer_id = w.customer_id "
              f"AND t.dedupe_key = w.dedupe_key) ORDER BY w.customer_id, w.dedupe_key")
    if not adds_to_list:
        return [(insert.format(src=f"({select_sql})"), both)]
    n = "hand_new_tasks"
    ts = "TEXT" if p.sqlite else "timestamp"
    added = ":as_of" if p.sqlite else "CAST(:as_of AS date)"
    return [
        *_temp(p, n, f"customer_id {p.varchar} NOT NULL, manager_id {p.varchar}, "
                     f"kind {p.varchar} NOT NULL, due_at {ts} NOT NULL, priority INTEGER NOT NULL, "
                     f"reason TEXT NOT NULL, dedupe_key {p.varchar} NOT NULL"),
        (f"INSERT INTO {n} {select_sql}", params),
        (insert.format(src=n), both),
        (f"INSERT INTO list_members (list, customer_id, added_at, note) "
         f"SELECT DISTINCT CAST(:list AS {p.varchar}), w.customer_id, {added}, :note FROM {n} w "
         f"WHERE NOT EXISTS (SELECT 1 FROM list_members lm WHERE lm.list = :list "
         f"AND lm.customer_id = w.customer_id) ORDER BY w.customer_id",
         {"list": adds_to_list, "as_of": p.d(p.as_of), "note": f"added by {name}"}),
        *_drop(p, n),
    ]


# == banking ============================================================================

VALUED_CLASSES = "('A', 'B')"
VALUED_TIERS = "('private', 'wealth', 'affluent')"


def banking_abc(p: Params) -> list[Statement]:
    """BANK-ABC: rank by the trailing 12 months' average AUM; A the top 15% by count,
    B the next 25%, C the rest; no value, no class."""
    measure = _cfg(p, "banking", "abc.measure")
    months = int(_cfg(p, "banking", "abc.months"))
    a_bp = _bp(_cfg(p, "banking", "abc.a_share"))
    ab_bp = a_bp + _bp(_cfg(p, "banking", "abc.b_share"))
    end = _month_start(p.as_of)
    first = _months_before(end, months)

    def reason(cls: str) -> str:
        return p.json(repr_("key"), repr_(f"banking.abc.{cls}.{measure}"), "'rank'", "r.rank",
                      "'n'", "r.n", "'value'", _yuan("r.average"), "'months'", str(months),
                      "'a_count'", f"r.n * {a_bp} / 10000", "'ab_count'", f"r.n * {ab_bp} / 10000")

    cls = f"CASE WHEN r.rank * 10000 <= r.n * {a_bp} THEN 'A' " \
          f"WHEN r.rank * 10000 <= r.n * {ab_bp} THEN 'B' ELSE 'C' END"
    sql = f"""
        SELECT r.customer_id, {cls} AS label, r.average / 100.0 AS score,
               CASE WHEN r.rank * 10000 <= r.n * {a_bp} THEN {reason('A')}
                    WHEN r.rank * 10000 <= r.n * {ab_bp} THEN {reason('B')}
                    ELSE {reason('C')} END AS reason
        FROM (SELECT a.customer_id, a.average,
                     row_number() OVER (ORDER BY a.average DESC, a.customer_id) AS rank,
                     count(*) OVER () AS n
              FROM (SELECT customer_id, {_cents(p, 'avg(value)')} AS average
                    FROM (SELECT customer_id, period, sum(value) AS value FROM measurements
                          WHERE metric = :measure AND period >= :first AND period < :end
                          GROUP BY customer_id, period) monthly
                    GROUP BY customer_id) a
              WHERE a.average > 0) r
    """
    return segmentation(p, "banking.abc", sql,
                        {"measure": measure, "first": p.d(first), "end": p.d(end)})


def banking_tier(p: Params) -> list[Statement]:
    """BANK-TIER: private from 5,000,000, wealth from 1,000,000, affluent from 100,000,
    else mass, on the last loaded month-end before the as-of month."""
    measure = _cfg(p, "banking", "tier.measure")
    b = {k: int(round(float(_cfg(p, "banking", f"tier.{k}")) * 100))
         for k in ("private", "wealth", "affluent")}
    tier = (f"CASE WHEN v.cents >= {b['private']} THEN 'private' "
            f"WHEN v.cents >= {b['wealth']} THEN 'wealth' "
            f"WHEN v.cents >= {b['affluent']} THEN 'affluent' ELSE 'mass' END")
    bound = (f"CASE WHEN v.cents >= {b['private']} THEN {b['private'] // 100} "
             f"WHEN v.cents >= {b['wealth']} THEN {b['wealth'] // 100} "
             f"ELSE {b['affluent'] // 100} END")
    month = _iso(p, "v.period", 7)
    value = _yuan("v.cents")
    sql = f"""
        SELECT v.customer_id, {tier} AS label, v.cents / 100.0 AS score,
               CASE WHEN v.cents < {b['affluent']}
                    THEN {p.json(repr_('key'), repr_(f'banking.tier.mass.{measure}'),
                                 "'value'", value, "'month'", month, "'bound'", bound)}
                    ELSE {p.json(repr_('key'), repr_(f'banking.tier.{measure}'), "'value'", value,
                                 "'month'", month, "'bound'", bound, "'tier'", tier)} END AS reason
        FROM (SELECT m.customer_id, m.period, {_cents(p, 'sum(m.value)')} AS cents
              FROM measurements m
              WHERE m.metric = :measure
                AND m.period = (SELECT max(period) FROM measurements
                                WHERE metric = :measure AND period < :month)
              GROUP BY m.customer_id, m.period) v
    """
    return segmentation(p, "banking.tier", sql,
                        {"measure": measure, "month": p.d(_month_start(p.as_of))})


def banking_relationship(p: Params) -> list[Statement]:
    """BANK-REL: A deposits with us or likely to renew (a flag, or a deposit maturing
    within 90 days), B >= 2 positive contacts in 90 days and deposits elsewhere or customer
    resources, C deposits elsewhere, D the rest; customers not lost."""
    horizon = p.as_of + dt.timedelta(days=int(_cfg(p, "banking", "rel.maturity_days")))
    days = int(_cfg(p, "banking", "rel.contact_days"))
    good_n = int(_cfg(p, "banking", "rel.positive_contacts"))
    since = p.at(p.as_of, -(days - 1))
    until = p.at(p.as_of, 1)
    if p.sqlite:
        maturity = "CAST(json_extract(a.attributes, '$.maturity_date') AS VARCHAR)"
    else:
        maturity = "CAST(a.attributes ->> 'maturity_date' AS date)"
    flag = _attr_flag(p, "c", "renewal_likely")
    elsewhere = _attr_flag(p, "c", "deposits_elsewhere")
    resources = _attr_flag(p, "c", "customer_resources")
    deposits = "COALESCE(d.deposits, 0)"
    contacts = "COALESCE(k.n, 0)"
    good = f"{contacts} >= {good_n}"

    def r(key: str, *pairs: str) -> str:
        return p.json(repr_("key"), repr_(key), *pairs)

    around = ("'contacts'", contacts, "'days'", str(days))
    sql = f"""
        SELECT c.id AS customer_id,
               CASE WHEN {deposits} > 0 OR {flag} OR d.maturing IS NOT NULL THEN 'A'
                    WHEN {good} AND ({elsewhere} OR {resources}) THEN 'B'
                    WHEN {elsewhere} THEN 'C' ELSE 'D' END AS label,
               CASE WHEN {deposits} > 0 OR {flag} OR d.maturing IS NOT NULL THEN 1
                    WHEN {good} AND ({elsewhere} OR {resources}) THEN 2
                    WHEN {elsewhere} THEN 3 ELSE 4 END AS score,
               CASE WHEN d.maturing IS NOT NULL
                         THEN {r('banking.rel.A.maturing', "'due'", 'd.maturing', "'days'",
                                 _days_between(p, ':today', 'd.maturing'), "'deposits'", deposits)}
                    WHEN {flag} THEN {r('banking.rel.A.flag', "'deposits'", deposits)}
                    WHEN {deposits} > 0 THEN {r('banking.rel.A.deposits', "'deposits'", deposits)}
                    WHEN {good} AND {elsewhere} AND {resources}
                         THEN {r('banking.rel.B.both', *around)}
                    WHEN {good} AND {elsewhere} THEN {r('banking.rel.B.elsewhere', *around)}
                    WHEN {good} AND {resources} THEN {r('banking.rel.B.resources', *around)}
                    WHEN {elsewhere} THEN {r('banking.rel.C', *around)}
                    ELSE {r('banking.rel.D', *around)} END AS reason
        FROM customers c
        LEFT JOIN (SELECT a.customer_id, count(*) AS deposits,
                          min(CASE WHEN {maturity} >= :today AND {maturity} <= :horizon
                                   THEN {maturity} END) AS maturing
                   FROM accounts a
                   WHERE a.type = 'deposit'
                     AND (a.opened_at IS NULL OR a.opened_at <= :today)
                     AND (a.closed_at > :today
                          OR (a.closed_at IS NULL AND COALESCE(a.status, '') <> 'closed'))
                   GROUP BY a.customer_id) d ON d.customer_id = c.id
        LEFT JOIN (SELECT customer_id, count(*) AS n FROM interactions
                   WHERE kind IN ('visit', 'call') AND outcome = 'positive'
                     AND occurred_at >= :since AND occurred_at < :until
                   GROUP BY customer_id) k ON k.customer_id = c.id
        WHERE c.status <> 'lost'
    """
    return segmentation(p, "banking.relationship", sql,
                        {"today": p.d(p.as_of), "horizon": p.d(horizon),
                         "since": p.ts(since), "until": p.ts(until)})


def banking_churn(p: Params) -> list[Statement]:
    """BANK-CHURN: for ABC A/B or affluent-and-above customers (or affluent before the
    fall), the first of: AUM down 30% over three month-ends, half the balance moved out in
    30 days, no transaction in 90 days -> a retention call in 3 days, onto the watch list;
    once per fall, transfer day or last transaction."""
    cfg = lambda k: _cfg(p, "banking", k)  # noqa: E731
    affluent = int(round(float(cfg("tier.affluent")) * 100))
    months = int(cfg("churn.months"))
    drop_bp = _bp(cfg("churn.aum_drop"))
    t_days = int(cfg("churn.transfer_days"))
    share_bp = _bp(cfg("churn.transfer_share"))
    idle = int(cfg("churn.idle_days"))
    first_day = p.as_of - dt.timedelta(days=t_days - 1)
    month = _month_start(p.as_of)
    ref = "(SELECT max(period) FROM measurements WHERE metric = 'aum' AND period < :month)"
    if p.sqlite:
        before = f"date({ref}, '-{months} months')"
    else:
        before = f"CAST({ref} - interval '{months} months' AS date)"
    base = "(SELECT max(period) FROM measurements WHERE metric = 'aum' AND period < :base_before)"

    def month_cents(period: str) -> str:
        return (f"SELECT customer_id, {_cents(p, 'sum(value)')} AS cents FROM measurements "
                f"WHERE metric = 'aum' AND period = {period} GROUP BY customer_id")

    direction = _attr_text(p, "i", "direction")
    today = ":today"
    idle_days = _days_between(p, "l.last", today)
    old_enough = f"(c.created_at IS NULL OR c.created_at <= :idle_from)"
    valued = (f"(f.was_valued = {p.true} "
              f"OR EXISTS (SELECT 1 FROM segments s WHERE s.customer_id = f.customer_id "
              f"AND ((s.segmentation = 'banking.abc' AND s.label IN {VALUED_CLASSES}) "
              f"OR (s.segmentation = 'banking.tier' AND s.label IN {VALUED_TIERS}))))")
    fall = "(th.cents - COALESCE(nw.cents, 0))"
    bool_ = (lambda e: f"CASE WHEN {e} THEN 1 ELSE 0 END") if p.sqlite else (lambda e: f"({e})")
    sql = f"""
        SELECT f.customer_id, c.manager_id, 'call' AS kind, :due AS due_at, 1 AS priority,
               f.reason, f.dedupe_key
        FROM (SELECT x.*, row_number() OVER (PARTITION BY x.customer_id ORDER BY x.trigger) AS n
              FROM (
                SELECT th.customer_id, 1 AS trigger,
                       {bool_(f'th.cents >= {affluent}')} AS was_valued,
                       {p.json("'key'", "'banking.churn.aum'",
                               "'pct'", f"({fall} * 100 * 2 + th.cents) / (th.cents * 2)",
                               "'old'", _yuan('th.cents'), "'new'", _yuan('COALESCE(nw.cents, 0)'),
                               "'since'", _iso(p, before, 7), "'until'", _iso(p, ref, 7),
                               "'days'", str(months * 30))} AS reason,
                       'aum:' || {_iso(p, ref, 7)} AS dedupe_key
                FROM ({month_cents(before)}) th
                LEFT JOIN ({month_cents(ref)}) nw ON nw.customer_id = th.customer_id
                WHERE th.cents > 0
                  AND {fall} * 10000 >= th.cents * {drop_bp}
                UNION ALL
                SELECT o.customer_id, 2, {bool_(f'b.cents >= {affluent}')},
                       {p.json("'key'", "'banking.churn.transfers'", "'out'", _yuan('o.cents'),
                               "'days'", str(t_days),
                               "'pct'", "(o.cents * 100 * 2 + b.cents) / (b.cents * 2)",
                               "'balance'", _yuan('b.cents'), "'month'", _iso(p, base, 7))},
                       'transfers:' || {_iso(p, 'o.last_day', 10)}
                FROM (SELECT i.customer_id, {_cents(p, 'sum(i.amount)')} AS cents,
                             max({_date_of(p, 'i.occurred_at')}) AS last_day
                      FROM interactions i
                      WHERE i.kind = 'transaction' AND {direction} = 'out' AND i.amount > 0
                        AND i.occurred_at >= :t_from AND i.occurred_at < :until
                      GROUP BY i.customer_id) o
                JOIN ({month_cents(base)}) b ON b.customer_id = o.customer_id
                WHERE b.cents > 0 AND o.cents * 10000 >= b.cents * {share_bp}
                UNION ALL
                SELECT c.id, 3, {p.false},
                       CASE WHEN l.last IS NULL
                            THEN {p.json("'key'", "'banking.churn.never'", "'days'", str(idle))}
                            ELSE {p.json("'key'", "'banking.churn.idle'", "'days'", idle_days,
                                         "'last'", 'l.last')} END,
                       'idle:' || COALESCE({_iso(p, 'l.last', 10)}, 'never')
                FROM customers c
                LEFT JOIN (SELECT customer_id, max({_date_of(p, 'occurred_at')}) AS last
                           FROM interactions WHERE kind = 'transaction' AND occurred_at < :until
                           GROUP BY customer_id) l ON l.customer_id = c.id
                WHERE c.status <> 'lost'
                  AND ((l.last IS NULL AND {old_enough}) OR {idle_days} >= {idle})
              ) x) f
        JOIN customers c ON c.id = f.customer_id
        WHERE f.n = 1 AND {valued}
          AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.customer_id = f.customer_id
                          AND t.dedupe_key = f.dedupe_key AND t.status <> 'open'
                          AND t.rule || '' = 'banking.churn')  -- by the customer's index
    """
    if idle <= 0:
        raise NotImplementedError("the twin assumes churn.idle_days > 0, the default")
    params = {"month": p.d(month), "base_before": p.d(_month_start(first_day)),
              "today": p.d(p.as_of), "t_from": p.ts(p.at(first_day)),
              "until": p.ts(p.at(p.as_of, 1)), "idle_from": p.d(p.as_of - dt.timedelta(days=idle)),
              "due": p.ts(p.at(p.as_of, int(cfg("churn.due_days"))))}
    return rule(p, "banking.churn", sql, params, adds_to_list="watch")


def banking_aum(scope: str) -> Builder:
    """banking.aum: AUM at the period's last month-end (up to the as-of day); by manager
    split by credit shares (BANK-SHARE)."""
    def build(p: Params) -> list[Statement]:
        ref = ("(SELECT max(period) FROM measurements WHERE metric = 'aum' "
               "AND period < :end AND period <= :today)")
        where = f"ms.metric = 'aum' AND ms.period = {ref}"
        params = {"end": p.d(p.end), "today": p.d(p.as_of)}
        return _kpi("banking.aum", scope, credited_sum(p, scope, where), params, p, 0)
    return build


# == tobacco ============================================================================

WEEK_ZERO = dt.date(2000, 1, 3)  # a Monday: week numbers count from it
CHECKLIST = (("info_given", "传递信息"), ("info_collected", "收集信息"),
             ("stock_checked", "核对库存并提出订货建议"), ("display_helped", "协助摆放出样、调换标价签"),
             ("lawful_checked", "观察销售、督促守法经营"), ("price_checked", "检查最低零售指导价执行"),
             ("manager_signed", "客户经理签名"), ("retailer_signed", "客户签名确认"))


def _licensed(p: Params, c: str = "c") -> str:
    """The pack serves licensed retailers only (a licence_no)."""
    return f"COALESCE({_attr_text(p, c, 'licence_no')}, '') <> ''"


def _served(p: Params, customer_id: str) -> str:
    return (f"EXISTS (SELECT 1 FROM customers sc WHERE sc.id = {customer_id} "
            f"AND {_licensed(p, 'sc')})")


def _attr_date(p: Params, table: str, name: str) -> str:
    if p.sqlite:
        return f"date(json_extract({table}.attributes, '$.{name}'))"
    return f"CAST({table}.attributes ->> '{name}' AS date)"


def _day_at(p: Params, day: str) -> str:
    """Midnight of a date, stored as the rules store due_at."""
    if p.sqlite:
        return f"(date({day}) || ' 00:00:00.000000')"
    return f"CAST(CAST({day} AS date) AS timestamp)"


def _week(p: Params, day: str) -> str:
    return f"{_days_between(p, ':week_zero', day)} / 7"


def tobacco_grade(p: Params) -> list[Statement]:
    """TOB-GRADE: volume (40) + regularity (30) + price (15) + lawful (15) points over the
    last 3 closed months, grades from the thresholds (1 best); a price violation approved
    since the window began lowers it (TOB-PRICE); retailers out of the network, none."""
    cfg = lambda k: _cfg(p, "tobacco", k)  # noqa: E731
    if cfg("grade.source") != "computed":
        raise NotImplementedError("the twin grades as computed, the default")
    months = int(cfg("grade.months"))
    end = _month_start(p.as_of)
    first = _months_before(end, months)
    first_monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    day = dt.timedelta(days=1)
    weeks = (end - day - WEEK_ZERO).days // 7 - (first - day - WEEK_ZERO).days // 7
    nums = [int(t) if float(t) == int(t) else float(t) for t in cfg("grade.thresholds")]
    thresholds = sorted(nums, reverse=True)
    lowest = len(thresholds) + 1
    wv, wr = int(cfg("grade.weight_volume")), int(cfg("grade.weight_regularity"))
    wp, wl = int(cfg("grade.weight_price")), int(cfg("grade.weight_lawful"))
    full = int(cfg("grade.volume_full"))
    step = int(cfg("price.downgrade"))
    score = "(g.volume + g.regularity + g.price + g.lawful)"
    grade = "CASE " + " ".join(f"WHEN {score} >= {t} THEN {n}"
                               for n, t in enumerate(thresholds, 1)) + f" ELSE {lowest} END"
    bound = ("CASE " + " ".join(f"WHEN g.base = {n} THEN {t}" for n, t in enumerate(thresholds, 1))
             + f" ELSE {thresholds[-1] if thresholds else 0} END")
    lowered = (f"CASE WHEN g.approved IS NULL THEN g.base WHEN g.base + {step} > {lowest} "
               f"THEN {lowest} ELSE g.base + {step} END")
    key = (f"'tobacco.grade.' || CASE WHEN g.base = {lowest} THEN 'below' ELSE 'from' END || '.' "
           f"|| CASE WHEN g.approved IS NULL THEN 'plain' WHEN g.base = {lowest} THEN 'floor' "
           f"ELSE 'lowered' END")
    reason = p.json(
        "'key'", key, "'score'", score, "'volume'", "g.volume", "'wv'", str(wv),
        "'cartons'", "g.cartons / g.averaged", "'regularity'", "g.regularity", "'wr'", str(wr),
        "'missed'", f"{weeks} - g.order_weeks", "'weeks'", str(weeks), "'price'", "g.price",
        "'wp'", str(wp), "'failed'", "g.failed", "'checks'", "g.checks", "'lawful'", "g.lawful",
        "'wl'", str(wl), "'unlawful'", "g.unlawful", "'base'", "g.base", "'grade'", lowered,
        "'bound'", bound, "'approved'", _iso(p, "g.approved", 10), "'months'", str(months))
    # A retailer's volume is its average month from the month it began (its
    # record or its first order, the earlier) when that is inside the window.
    created, figured = _month_of(p, "c.created_at"), _month_of(p, "b.first_figure")
    began = (f"CASE WHEN {created} IS NOT NULL AND {created} < {figured} THEN {created} "
             f"ELSE {figured} END")
    begun = f"CASE WHEN {began} < :first THEN :first ELSE {began} END"
    day_of = _date_of(p, "i.occurred_at")
    expires = _attr_date(p, "c", "licence_expires")
    network = f"COALESCE({_attr_text(p, 'c', 'network_status')}, '') = 'out'"
    points = f"""
        SELECT y.*,
               CASE WHEN y.cartons >= y.averaged * {full} THEN {wv}
                    ELSE y.cartons * {wv} / (y.averaged * {full}) END AS volume,
               CASE WHEN y.order_weeks >= {weeks} THEN {wr}
                    ELSE y.order_weeks * {wr} / {weeks} END AS regularity,
               CASE WHEN y.checks = 0 THEN {wp}
                    ELSE (y.checks - y.failed) * {wp} / y.checks END AS price,
               CASE WHEN y.unlawful = 0 THEN {wl} ELSE 0 END AS lawful
        FROM (SELECT c.id AS customer_id,
                     CAST(COALESCE(o.cartons, 0) AS INTEGER) AS cartons,
                     COALESCE(o.order_weeks, 0) AS order_weeks,
                     COALESCE(k.checks, 0) AS checks, COALESCE(k.failed, 0) AS failed,
                     COALESCE(u.unlawful, 0) AS unlawful, d.approved,
                     CASE WHEN o.customer_id IS NULL THEN {months}
                          ELSE {end.year * 12 + end.month} - {_month_number(p, begun)} END
                          AS averaged
              FROM customers c
              LEFT JOIN (SELECT customer_id, min(period) AS first_figure FROM measurements
                         WHERE metric = 'cartons' AND period < :end
                         GROUP BY customer_id) b ON b.customer_id = c.id
              LEFT JOIN (SELECT customer_id, sum(value) AS cartons,
                                count(DISTINCT CASE WHEN period >= :first_monday
                                                    THEN {_week(p, 'period')} END) AS order_weeks
                         FROM measurements
                         WHERE metric = 'cartons' AND period >= :first AND period < :end
                           AND value > 0
                         GROUP BY customer_id) o ON o.customer_id = c.id
              LEFT JOIN (SELECT customer_id, count(DISTINCT day) AS checks,
                                count(DISTINCT CASE WHEN bad = 1 THEN day END) AS failed
                         FROM (SELECT i.customer_id, {day_of} AS day, 0 AS bad
                               FROM interactions i
                               WHERE i.kind = 'visit' AND {_attr_flag(p, 'i', 'price_checked')}
                                 AND i.occurred_at >= :first_at AND i.occurred_at < :closed_at
                               UNION ALL
                               SELECT i.customer_id, {day_of}, 1 FROM interactions i
                               WHERE i.kind = 'price_violation'
                                 AND i.occurred_at >= :first_at AND i.occurred_at < :closed_at) cd
                         GROUP BY customer_id) k ON k.customer_id = c.id
              LEFT JOIN (SELECT i.customer_id, count(*) AS unlawful FROM interactions i
                         WHERE i.kind = 'visit' AND {_attr_flag(p, 'i', 'unlawful')}
                           AND i.occurred_at >= :first_at AND i.occurred_at < :closed_at
                         GROUP BY i.customer_id) u ON u.customer_id = c.id
              LEFT JOIN (SELECT cs.customer_id, {_date_of(p, 'max(e.at)')} AS approved
                         FROM cases cs JOIN case_events e ON e.case_id = cs.id
                         WHERE cs.policy = 'tobacco.price_downgrade' AND e.action = 'approve'
                           AND e.step = 'downgrade_approved'
                           AND e.at >= :first_at AND e.at < :until
                         GROUP BY cs.customer_id) d ON d.customer_id = c.id
              WHERE {_licensed(p)} AND NOT ({network}
                                          OR ({expires} IS NOT NULL AND {expires} < :today))) y
    """
    sql = f"""
        SELECT g.customer_id, {_text(p, lowered)} AS label, {score} AS score, {reason} AS reason
        FROM (SELECT pt.*, {grade.replace('g.', 'pt.')} AS base FROM ({points}) pt) g
    """
    return segmentation(p, "tobacco.grade", sql, {
        "week_zero": p.d(WEEK_ZERO), "first_monday": p.d(first_monday), "first": p.d(first),
        "end": p.d(end), "first_at": p.ts(p.at(first)), "closed_at": p.ts(p.at(end)),
        "until": p.ts(p.at(p.as_of, 1)), "today": p.d(p.as_of)})


def tobacco_special_visit(p: Params) -> list[Statement]:
    """TOB-SPECIAL: a complaint, quality complaint, licence change or closure of the last
    30 days with no special visit since asks for one within 1 working day."""
    cfg = lambda k: _cfg(p, "tobacco", k)  # noqa: E731
    n = int(cfg("special.due_working_days"))
    kinds = ", ".join(repr_(k) for k in cfg("special.triggers"))
    working = f"b1.working = {p.true}"
    if n == 0:
        raise NotImplementedError("the twin counts 1 or more working days, the default is 1")
    due_day = "b1.day"
    sql = f"""
        SELECT i.customer_id, c.manager_id, 'special_visit' AS kind,
               {_day_at(p, due_day)} AS due_at,
               1 AS priority,
               {p.json("'key'", "'tobacco.special'", "'what'", "i.kind",
                       "'day'", _iso(p, 'i.occurred_at', 10), "'due'", _iso(p, due_day, 10))}
                   AS reason,
               'special:' || i.id AS dedupe_key
        FROM interactions i
        JOIN customers c ON c.id = i.customer_id
        LEFT JOIN business_days b0 ON b0.calendar = '' AND b0.day = {_date_of(p, 'i.occurred_at')}
        LEFT JOIN business_days b1 ON b1.calendar = '' AND {working} AND b1.seq = b0.seq + {n}
        WHERE i.kind IN ({kinds}) AND i.occurred_at >= :since AND i.occurred_at < :until
          AND NOT EXISTS (SELECT 1 FROM interactions a WHERE a.customer_id = i.customer_id
                          AND a.occurred_at >= i.occurred_at
                          AND a.kind || '' = 'special_visit')  -- by the retailer's index
          AND {_licensed(p)}
    """
    return rule(p, "tobacco.special_visit", sql, {
        "since": p.ts(p.at(p.as_of, -int(cfg("special.lookback_days")))),
        "until": p.ts(p.at(p.as_of, 1))})


def tobacco_checklist(p: Params) -> list[Statement]:
    """TOB-CHECKLIST: a visit of the last 14 days without every checklist item: the manager
    who made it completes the record within 2 days."""
    cfg = lambda k: _cfg(p, "tobacco", k)  # noqa: E731
    flags = [(_attr_flag(p, "i", name), name.replace("_", " "), zh) for name, zh in CHECKLIST]
    missing = " + ".join(f"CASE WHEN {f} THEN 0 ELSE 1 END" for f, _, _ in flags)
    en = " || ".join(f"CASE WHEN {f} THEN '' ELSE {repr_(e + '; ')} END" for f, e, _ in flags)
    zh = " || ".join(f"CASE WHEN {f} THEN '' ELSE {repr_(z + '; ')} END" for f, _, z in flags)
    sql = f"""
        SELECT v.customer_id, v.manager_id, 'record' AS kind, :due AS due_at, 2 AS priority,
               {p.json("'key'", "'tobacco.checklist'", "'day'", _iso(p, 'v.occurred_at', 10),
                       "'missing'", "v.missing", "'items'", str(len(CHECKLIST)),
                       "'what'", "rtrim(v.what, '; ')", "'what_zh'", "rtrim(v.what_zh, '; ')")}
                   AS reason,
               'checklist:' || v.id AS dedupe_key
        FROM (SELECT i.id, i.customer_id, i.manager_id, i.occurred_at, {missing} AS missing,
                     '' || {en} AS what, '' || {zh} AS what_zh
              FROM interactions i
              WHERE i.kind = 'visit' AND i.occurred_at >= :since AND i.occurred_at < :until) v
        WHERE v.missing > 0 AND {_served(p, 'v.customer_id')}
    """
    return rule(p, "tobacco.checklist", sql, {
        "since": p.ts(p.at(p.as_of, -int(cfg("checklist.lookback_days")))),
        "until": p.ts(p.at(p.as_of, 1)),
        "due": p.ts(p.at(p.as_of, int(cfg("checklist.due_days"))))})


def tobacco_licence_renewal(p: Params) -> list[Statement]:
    """TOB-NETWORK: a licence expiring within 30 days (today counts) of a retailer still in
    the network: remind them to renew, once per expiry date."""
    cfg = lambda k: _cfg(p, "tobacco", k)  # noqa: E731
    expires = _attr_date(p, "c", "licence_expires")
    days = _days_between(p, ":today", expires)
    licence = f"COALESCE({_attr_text(p, 'c', 'licence_no')}, '-')"
    sql = f"""
        SELECT c.id AS customer_id, c.manager_id, 'task' AS kind, :due AS due_at, 2 AS priority,
               {p.json("'key'", "'tobacco.renewal'", "'licence'", licence,
                       "'expires'", _iso(p, expires, 10), "'days'", days)} AS reason,
               'renewal:' || {_iso(p, expires, 10)} AS dedupe_key
        FROM customers c
        WHERE {expires} IS NOT NULL AND {expires} >= :today AND {expires} <= :last
          AND COALESCE({_attr_text(p, 'c', 'network_status')}, '') <> 'out'
          AND {_licensed(p)}
    """
    return rule(p, "tobacco.licence_renewal", sql, {
        "today": p.d(p.as_of),
        "last": p.d(p.as_of + dt.timedelta(days=int(cfg("network.renewal_days")))),
        "due": p.ts(p.at(p.as_of, int(cfg("network.due_days"))))})


def tobacco_cartons(scope: str) -> Builder:
    """tobacco.cartons: cartons the licensed retailers ordered in the period up to the
    as-of day, by all or by the retailer's owner."""
    def build(p: Params) -> list[Statement]:
        key = "''" if scope == "all" else "COALESCE(c.manager_id, '')"
        group = "HAVING count(*) > 0" if scope == "all" else f"GROUP BY {key}"
        sql = (f"SELECT {key} AS k, CAST(sum(m.value) AS {p.float}) AS v FROM measurements m "
               f"JOIN customers c ON c.id = m.customer_id "
               f"WHERE m.metric = 'cartons' AND m.period >= :start AND m.period <= :today "
               f"AND {_licensed(p)} {group}")
        return _kpi("tobacco.cartons", scope, sql, {"start": p.d(p.start), "today": p.d(p.as_of)},
                    p, 0)
    return build


JOBS: dict[tuple, Builder] = {
    ("segment", "banking.abc"): banking_abc,
    ("segment", "banking.tier"): banking_tier,
    ("segment", "banking.relationship"): banking_relationship,
    ("rule", "banking.churn"): banking_churn,
    ("kpi", "banking.aum", "all"): banking_aum("all"),
    ("kpi", "banking.aum", "manager"): banking_aum("manager"),
    ("segment", "tobacco.grade"): tobacco_grade,
    ("rule", "tobacco.special_visit"): tobacco_special_visit,
    ("rule", "tobacco.checklist"): tobacco_checklist,
    ("rule", "tobacco.licence_renewal"): tobacco_licence_renewal,
    ("kpi", "tobacco.cartons", "all"): tobacco_cartons("all"),
    ("kpi", "tobacco.cartons", "manager"): tobacco_cartons("manager"),
}

FLAGSHIP = ("banking.abc", "banking.churn", "banking.tier", "banking.relationship",
            "banking.aum", "tobacco.grade", "tobacco.special_visit", "tobacco.checklist",
            "tobacco.licence_renewal", "tobacco.cartons")

# The power pack's twins live in their own module (benchmarks/handsql_power.py).
import handsql_power  # noqa: E402

JOBS.update(handsql_power.JOBS)
FLAGSHIP = FLAGSHIP + handsql_power.FLAGSHIP


# == telecom: its twins live in handsql_telecom.py (issue 16) ============================

import handsql_telecom  # noqa: E402

JOBS.update(handsql_telecom.JOBS)
FLAGSHIP = FLAGSHIP + handsql_telecom.FLAGSHIP
