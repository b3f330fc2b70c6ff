"""The core pack's contributions written by hand in SQL, one dialect at a time.

Each function returns the statements a DBA would write to produce what the
engine stores for one job (labels in ``segments``, new tasks in ``tasks``,
figures in ``kpi_values``), run directly on the connection with bound
parameters. They are the baseline the engine is measured against: the same
rows, without the engine's work tables, history, reasons API or Python.

``JOBS`` maps a batch job (``("segment", name)``, ``("rule", name)``,
``("kpi", name, scope)``) to a builder ``f(p) -> list[(sql, params)]``,
where ``p`` is a :class:`Params` with the dates, the dialect and the
settings of the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs


@attrs.frozen(kw_only=True)
class Params:
    dialect: str
    as_of: dt.date
    #: the KPI period: first day inclusive, end exclusive, label (2026-11)
    start: dt.date
    end: dt.date
    label: str
    now: dt.datetime
    #: what the rules store as created_at (the engine's rule for a past day)
    created_at: dt.datetime
    dormant_days: int = 90
    lost_days: int = 365
    due_days: int = 7
    grace_days: int = 0
    #: KPI name -> (unit, target fallback for scope all, fallback for manager)
    kpi_meta: dict = attrs.field(factory=dict)
    #: pack -> option -> effective value (the packs' twins read their settings)
    settings: dict = attrs.field(factory=dict)

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def d(self, day: dt.date):
        """A date parameter as the database stores it."""
        return day.isoformat() if self.sqlite else day

    def ts(self, moment: dt.datetime):
        """A datetime parameter as stored (SQLAlchemy's SQLite text form)."""
        if self.sqlite:
            return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond:06d}"
        return moment

    def at(self, day: dt.date, days: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(days=days)

    # -- SQL spellings that differ ------------------------------------------

    def json(self, *pairs: str) -> str:
        inner = ", ".join(pairs)
        return f"json_object({inner})" if self.sqlite else f"json_build_object({inner})::text"

    def day_of(self, expr: str) -> str:
        return f"date({expr})" if self.sqlite else f"({expr})::date"

    def days_since(self, expr: str) -> str:
        if self.sqlite:
            return f"CAST(julianday(:as_of) - julianday({expr}) AS INTEGER)"
        return f"(CAST(:as_of AS date) - ({expr}))"

    def plus_day(self, expr: str) -> str:
        """A stored datetime one day on, comparable with stored datetimes."""
        if self.sqlite:
            return f"datetime({expr}, '+1 day')"
        return f"({expr} + interval '1 day')"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)" if self.sqlite else f"CAST({expr} AS varchar)"

    @property
    def true(self) -> str:
        return "1" if self.sqlite else "true"

    @property
    def false(self) -> str:
        return "0" if self.sqlite else "false"

    @property
    def float(self) -> str:
        return "REAL" if self.sqlite else "double precision"

    @property
    def varchar(self) -> str:
        return "TEXT" if self.sqlite else "varchar"


Statement = tuple[str, dict]
Builder = Callable[[Params], list[Statement]]


# -- segmentation --------------------------------------------------------------

KEY, DAYS, SINCE = "'key'", "'days'", "'since'"


def repr_(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def activity(p: Params) -> list[Statement]:
    """core.activity: every customer's label; changes go to history, unchanged rows stay."""
    from handsql_packs import segmentation

    since = f"COALESCE({p.day_of('l.last_at')}, c.created_at)"
    days = p.days_since(since)
    reason = (
        f"CASE WHEN {since} IS NULL THEN {p.json(KEY, repr_('core.activity.never'))} "
        f"WHEN l.last_at IS NULL THEN "
        f"{p.json(KEY, repr_('core.activity.created'), DAYS, days, SINCE, since)} "
        f"ELSE {p.json(KEY, repr_('core.activity.days'), DAYS, days, SINCE, p.day_of('l.last_at'))}"
        " END"
    )
    label = (
        f"CASE WHEN {since} IS NULL THEN 'lost' WHEN {days} >= :lost THEN 'lost' "
        f"WHEN {days} >= :dormant THEN 'dormant' ELSE 'active' END"
    )
    sql = f"""
        SELECT c.id AS customer_id, {label} AS label, {days} AS score, {reason} AS reason
        FROM customers c
        LEFT JOIN (SELECT customer_id, max(occurred_at) AS last_at FROM interactions
                   WHERE occurred_at < :next_day GROUP BY customer_id) l
               ON l.customer_id = c.id
    """
    return segmentation(p, "core.activity", sql, {
        "as_of": p.d(p.as_of), "next_day": p.ts(p.at(p.as_of, 1)),
        "lost": p.lost_days, "dormant": p.dormant_days})


# -- service rules ---------------------------------------------------------------

_TASK_COLUMNS = ("rule, customer_id, manager_id, kind, due_at, priority, status, reason, "
                 "dedupe_key, created_at")


def reactivation(p: Params) -> list[Statement]:
    """core.reactivation: a call for each dormant customer with an active owner, once."""
    last = (f"(SELECT max(occurred_at) FROM interactions i WHERE i.customer_id = s.customer_id "
            f"AND i.occurred_at < :next_day)")
    since = f"COALESCE({p.day_of(last)}, c.created_at)"
    dedupe = f"'since:' || {p.text(since)}"
    sql = f"""
        INSERT INTO tasks ({_TASK_COLUMNS})
        SELECT 'core.reactivation', x.customer_id, x.manager_id, 'call', :due, 2, 'open',
               x.reason, x.dedupe_key, :created
        FROM (SELECT s.customer_id, c.manager_id, s.reason, {dedupe} AS dedupe_key
              FROM segments s
              JOIN customers c ON c.id = s.customer_id
              JOIN managers m ON m.id = c.manager_id
              WHERE s.segmentation = 'core.activity' AND s.label = 'dormant'
                AND m.active = {p.true}) x
        WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.status = 'open'
                          AND t.rule = 'core.reactivation' AND t.customer_id = x.customer_id
                          AND t.dedupe_key = x.dedupe_key)
        ORDER BY x.customer_id, x.dedupe_key
    """
    return [(sql, {"next_day": p.ts(p.at(p.as_of, 1)),
                   "due": p.ts(p.at(p.as_of, p.due_days)), "created": p.ts(p.created_at)})]


def overdue_rule(p: Params) -> list[Statement]:
    """core.overdue_tasks: each open task past due escalates once to the reports_to."""
    late = p.days_since(p.day_of("t.due_at"))
    reason = p.json("'key'", "'core.overdue'", "'task'", "t.id", "'rule'", "t.rule",
                    "'manager'", "t.manager_id", "'due'", p.day_of("t.due_at"), "'days'", late)
    sql = f"""
        INSERT INTO tasks ({_TASK_COLUMNS})
        SELECT 'core.overdue_tasks', x.customer_id, x.manager_id, 'escalation', :due, 1, 'open',
               x.reason, x.dedupe_key, :created
        FROM (SELECT t.customer_id, m.reports_to AS manager_id, {reason} AS reason,
                     'task:' || {p.text('t.id')} AS dedupe_key
              FROM tasks t JOIN managers m ON m.id = t.manager_id
              WHERE t.status = 'open' AND t.rule <> 'core.overdue_tasks'
                AND ((t.all_day AND t.due_at < :day_cut)
                     OR (NOT t.all_day AND t.due_at < :timed_cut))
                AND m.reports_to IS NOT NULL) x
        WHERE NOT EXISTS (SELECT 1 FROM tasks t2 WHERE t2.status = 'open'
                          AND t2.rule = 'core.overdue_tasks' AND t2.customer_id = x.customer_id
                          AND t2.dedupe_key = x.dedupe_key)
        ORDER BY x.customer_id, x.dedupe_key
    """
    # A day task is overdue once its day (plus grace) is over at the end of
    # the as-of day; a timed one once its time (plus grace) has passed.
    return [(sql, {"as_of": p.d(p.as_of), "day_cut": p.ts(p.at(p.as_of, -p.grace_days)),
                   "timed_cut": p.ts(p.at(p.as_of, 1 - p.grace_days)),
                   "due": p.ts(p.at(p.as_of, 1)), "created": p.ts(p.created_at)})]


# -- KPIs ------------------------------------------------------------------------------

def _kpi(name: str, scope: str, select_sql: str, params: dict, p: Params,
         empty: float | None) -> list[Statement]:
    """DELETE the period's figures, INSERT the grouped select with targets beside it."""
    unit, fallback_all, fallback_manager = p.kpi_meta.get(name, ("", None, None))
    fallback = fallback_all if scope == "all" else fallback_manager
    common = {"kpi": name, "period": p.label, "scope": scope}
    statements = [
        ("DELETE FROM kpi_values WHERE kpi = :kpi AND period = :period AND scope = :scope", common),
        (f"""
        INSERT INTO kpi_values (kpi, period, scope, scope_key, value, target, unit, computed_at)
        SELECT :kpi, :period, :scope, q.k, CAST(q.v AS {p.float}),
               COALESCE(CAST(tg.target AS {p.float}), CAST(:fallback AS {p.float})), :unit, :now
        FROM ({select_sql}) q
        LEFT JOIN targets tg ON tg.kpi = :kpi AND tg.period = :period AND tg.scope = :scope
                            AND tg.scope_key = q.k
        ORDER BY q.k
        """, {**common, **params, "fallback": fallback, "unit": unit, "now": p.ts(p.now)}),
    ]
    if scope == "all" and empty is not None:
        statements.append((
            f"""
            INSERT INTO kpi_values (kpi, period, scope, scope_key, value, target, unit, computed_at)
            SELECT CAST(:kpi AS {p.varchar}), CAST(:period AS {p.varchar}),
                   CAST(:scope AS {p.varchar}), '', CAST(:empty AS {p.float}),
                   CAST(:fallback AS {p.float}), CAST(:unit AS {p.varchar}), :now
            WHERE NOT EXISTS (SELECT 1 FROM kpi_values WHERE kpi = :kpi AND period = :period
                              AND scope = :scope)
            """,
            {**common, "empty": empty, "fallback": fallback, "unit": unit, "now": p.ts(p.now)},
        ))
    return statements


def _key(scope: str, column: str) -> tuple[str, str]:
    """(key expression, GROUP BY clause) for a scope."""
    if scope == "all":
        return "''", ""
    return f"COALESCE({column}, '')", f"GROUP BY COALESCE({column}, '')"


def _having(scope: str) -> str:
    # Grouped by nothing, an aggregate over no rows still gives a row: the
    # engine's GROUP BY gives none.
    return "HAVING count(*) > 0" if scope == "all" else ""


def customers_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        key, group = _key(scope, "c.manager_id")
        sql = (f"SELECT {key} AS k, count(*) AS v FROM customers c "
               f"WHERE c.created_at IS NULL OR c.created_at < :end {group} {_having(scope)}")
        return _kpi("core.customers", scope, sql, {"end": p.d(p.end)}, p, 0)
    return build


def new_customers_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        key, group = _key(scope, "c.manager_id")
        sql = (f"SELECT {key} AS k, count(*) AS v FROM customers c "
               f"WHERE c.created_at >= :start AND c.created_at < :end {group} {_having(scope)}")
        return _kpi("core.new_customers", scope, sql,
                    {"start": p.d(p.start), "end": p.d(p.end)}, p, 0)
    return build


def interactions_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        key, group = _key(scope, "c.manager_id")
        join = "JOIN customers c ON c.id = i.customer_id" if scope != "all" else ""
        sql = (f"SELECT {key} AS k, count(*) AS v FROM interactions i {join} "
               f"WHERE i.occurred_at >= :start AND i.occurred_at < :end {group} {_having(scope)}")
        return _kpi("core.interactions", scope, sql,
                    {"start": p.ts(p.at(p.start)), "end": p.ts(p.at(p.end))}, p, 0)
    return build


def open_tasks_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        key, group = _key(scope, "t.manager_id")
        sql = (f"SELECT {key} AS k, count(*) AS v FROM tasks t "
               f"WHERE t.created_at < :end AND (t.status = 'open' OR t.closed_at >= :end) "
               f"AND t.status <> 'cancelled' {group} {_having(scope)}")
        return _kpi("core.open_tasks", scope, sql, {"end": p.ts(p.at(p.end))}, p, 0)
    return build


def overdue_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        key, group = _key(scope, "t.manager_id")
        sql = (f"SELECT {key} AS k, count(*) AS v FROM tasks t "
               f"WHERE t.status <> 'cancelled' AND t.due_at >= :start AND t.due_at < :end "
               f"AND ((t.status = 'done' AND t.closed_at < :moment AND "
               f"      ((t.all_day AND t.closed_at >= {p.plus_day('t.due_at')}) "
               f"       OR (NOT t.all_day AND t.closed_at > t.due_at))) "
               f"  OR ((t.status = 'open' OR (t.status = 'done' AND t.closed_at >= :moment)) "
               f"      AND ((t.all_day AND t.due_at < :day_cut) "
               f"           OR (NOT t.all_day AND t.due_at < :moment)))) "
               f"{group} {_having(scope)}")
        # Late as the as-of day ends: done after its due (a day task: after
        # its day), or still open past it then.
        return _kpi("core.overdue_tasks", scope, sql,
                    {"start": p.ts(p.at(p.start)), "end": p.ts(p.at(p.end)),
                     "moment": p.ts(p.at(p.as_of, 1)), "day_cut": p.ts(p.at(p.as_of))}, p, 0)
    return build


def completion_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        key, group = _key(scope, "t.manager_id")
        sql = (f"SELECT {key} AS k, CAST(sum(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) "
               f"AS {p.float}) / count(*) AS v FROM tasks t "
               f"WHERE t.status <> 'cancelled' AND t.due_at >= :start AND t.due_at < :end "
               f"{group} {_having(scope)}")
        return _kpi("core.task_completion", scope, sql,
                    {"start": p.ts(p.at(p.start)), "end": p.ts(p.at(p.end))}, p, None)
    return build


def coverage_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        key, group = _key(scope, "c.manager_id")
        sql = (f"SELECT {key} AS k, CAST(count(x.customer_id) AS {p.float}) / count(*) AS v "
               f"FROM customers c LEFT JOIN (SELECT DISTINCT customer_id FROM interactions "
               f"WHERE occurred_at >= :start AND occurred_at < :end) x ON x.customer_id = c.id "
               f"WHERE c.created_at IS NULL OR c.created_at < :end_day {group} {_having(scope)}")
        return _kpi("core.contact_coverage", scope, sql,
                    {"start": p.ts(p.at(p.start)), "end": p.ts(p.at(p.end)),
                     "end_day": p.d(p.end)}, p, None)
    return build


def credit_shares(p: Params) -> str:
    """Who gets credit for each customer (BANK-SHARE): each customer-team member its
    share, the owner the rest: ``(customer_id, manager_id, share)``."""
    return f"""SELECT c.id AS customer_id, c.manager_id,
                             1.0 - COALESCE(CAST(g.given AS {p.float}), 0.0) AS share
                      FROM customers c
                      LEFT JOIN (SELECT customer_id, sum(share) AS given FROM customer_team
                                 WHERE share IS NOT NULL GROUP BY customer_id) g
                             ON g.customer_id = c.id
                      WHERE c.manager_id IS NOT NULL
                      UNION ALL
                      SELECT customer_id, manager_id, CAST(share AS {p.float})
                      FROM customer_team WHERE share IS NOT NULL AND share > 0"""


def credited_sum(p: Params, scope: str, where: str) -> str:
    """The measurements ``where`` selects, summed for all, or by manager as credited
    (each customer's value split by the credit shares)."""
    if scope == "all":
        return (f"SELECT '' AS k, sum(CAST(ms.value AS {p.float})) AS v FROM measurements ms "
                f"WHERE {where} HAVING count(*) > 0")
    return f"""
        SELECT COALESCE(cr.manager_id, '') AS k,
               sum(CAST(ms.value AS {p.float}) * cr.share) AS v
        FROM measurements ms
        JOIN ({credit_shares(p)}) cr
          ON cr.customer_id = ms.customer_id
        WHERE {where}
        GROUP BY COALESCE(cr.manager_id, '')
    """


def revenue_kpi(scope: str) -> Builder:
    def build(p: Params) -> list[Statement]:
        where = "ms.metric = 'revenue' AND ms.period >= :start AND ms.period < :end"
        params = {"start": p.d(p.start), "end": p.d(p.end)}
        return _kpi("core.revenue", scope, credited_sum(p, scope, where), params, p, 0)
    return build


JOBS: dict[tuple, Builder] = {
    ("segment", "core.activity"): activity,
    ("rule", "core.reactivation"): reactivation,
    ("rule", "core.overdue_tasks"): overdue_rule,
}
for _scope in ("all", "manager"):
    JOBS[("kpi", "core.customers", _scope)] = customers_kpi(_scope)
    JOBS[("kpi", "core.new_customers", _scope)] = new_customers_kpi(_scope)
    JOBS[("kpi", "core.interactions", _scope)] = interactions_kpi(_scope)
    JOBS[("kpi", "core.open_tasks", _scope)] = open_tasks_kpi(_scope)
    JOBS[("kpi", "core.overdue_tasks", _scope)] = overdue_kpi(_scope)
    JOBS[("kpi", "core.task_completion", _scope)] = completion_kpi(_scope)
    JOBS[("kpi", "core.contact_coverage", _scope)] = coverage_kpi(_scope)
    JOBS[("kpi", "core.revenue", _scope)] = revenue_kpi(_scope)

#: The flagship contributions of the core pack, reported beside their hand SQL.
FLAGSHIP = ("core.activity", "core.reactivation", "core.overdue_tasks", "core.customers",
            "core.revenue")

# The packs' flagship contributions (benchmarks/handsql_packs.py) join the same tables.
import handsql_packs  # noqa: E402

JOBS.update(handsql_packs.JOBS)
FLAGSHIP = FLAGSHIP + handsql_packs.FLAGSHIP

# The value pack's (benchmarks/handsql_value.py): RFM and the Pareto share.
import handsql_value  # noqa: E402

JOBS.update(handsql_value.JOBS)
FLAGSHIP = FLAGSHIP + handsql_value.FLAGSHIP

# The receivables pack's (benchmarks/handsql_receivables.py): aging and DSO.
import handsql_receivables  # noqa: E402

JOBS.update(handsql_receivables.JOBS)
FLAGSHIP = FLAGSHIP + handsql_receivables.FLAGSHIP
