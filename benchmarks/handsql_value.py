"""The value pack's flagship jobs written by hand in SQL (see ``handsql``):
RFM (``value.rfm``), the Pareto share (``value.pareto_share``, all and by
manager) and the cohort grid (``guanxi value cohorts``, a select whose rows
are the grid's cells).

Each is what a DBA would write from docs/packs/value.md: one grouped
select over the purchases with window functions, storing what the engine
stores (labels with the same reason figures in the same order; KPI figures).
"""

from __future__ import annotations

import datetime as dt

from handsql import Params, Statement, _kpi, repr_
from handsql_packs import segmentation


def _cfg(p: Params, name: str):
    return p.settings["value"][name]


def _minus_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _purchase(p: Params, alias: str = "i") -> str:
    kinds = ", ".join(repr_(k) for k in _cfg(p, "kinds"))
    return f"{alias}.kind IN ({kinds}) AND {alias}.amount IS NOT NULL"


def value_rfm(p: Params) -> list[Statement]:
    """VAL-RFM: scores 1-5 by fifths (ntile) of the window's buyers, best first, ties by id."""
    months = int(_cfg(p, "rfm.months"))
    first = _minus_months(p.as_of, months) + dt.timedelta(days=1)
    end = p.as_of + dt.timedelta(days=1)
    days = (f"CAST(julianday(date(:as_of)) - julianday(date(date(t.last_at))) AS INTEGER)"
            if p.sqlite else "(CAST(:as_of AS date) - CAST(t.last_at AS date))")
    label = f"{p.text('q.r')} || {p.text('q.f')} || {p.text('q.m')}"
    reason = p.json("'key'", "'value.rfm'", "'days'", "q.recency", "'purchases'", "q.n",
                    "'amount'", "q.amount", "'months'", str(months), "'r'", "q.r", "'f'", "q.f",
                    "'m'", "q.m")
    sql = f"""
        SELECT q.customer_id, {label} AS label, q.r * 100 + q.f * 10 + q.m AS score,
               {reason} AS reason
        FROM (SELECT t.customer_id, {days} AS recency, t.n, t.amount,
                     6 - ntile(5) OVER (ORDER BY {days}, t.customer_id) AS r,
                     6 - ntile(5) OVER (ORDER BY t.n DESC, t.customer_id) AS f,
                     6 - ntile(5) OVER (ORDER BY t.amount DESC, t.customer_id) AS m
              FROM (SELECT i.customer_id, max(i.occurred_at) AS last_at, count(*) AS n,
                           CAST(sum(i.amount) AS {p.float}) AS amount
                    FROM interactions i
                    WHERE {_purchase(p)} AND i.occurred_at >= :first AND i.occurred_at < :end
                    GROUP BY i.customer_id) t) q
    """
    return segmentation(p, "value.rfm", sql, {"as_of": p.d(p.as_of), "first": p.ts(p.at(first)),
                                               "end": p.ts(p.at(end))})


def value_pareto(scope: str):
    """VAL-PARETO: the top 20% by count (rounded down, at least one, ties by id) and
    their share of the period's purchases, by all or by the customer's owner."""
    def build(p: Params) -> list[Statement]:
        per = int(round(float(_cfg(p, "pareto.top_share")) * 10_000))
        key = "''" if scope == "all" else "COALESCE(c.manager_id, '')"
        join = "" if scope == "all" else "JOIN customers c ON c.id = i.customer_id"
        group = "i.customer_id" if scope == "all" else "i.customer_id, c.manager_id"
        end = min(p.end, p.as_of + dt.timedelta(days=1))
        sql = f"""
            SELECT r.k, CAST(sum(CASE WHEN r.pos <= r.top THEN r.v ELSE 0 END) AS {p.float})
                        / sum(r.v) AS v
            FROM (SELECT b.k, b.v,
                         row_number() OVER (PARTITION BY b.k ORDER BY b.v DESC, b.customer_id)
                             AS pos,
                         CASE WHEN count(*) OVER (PARTITION BY b.k) * {per} / 10000 < 1 THEN 1
                              ELSE count(*) OVER (PARTITION BY b.k) * {per} / 10000 END AS top
                  FROM (SELECT i.customer_id, {key} AS k,
                               CAST(sum(i.amount) AS {p.float}) AS v
                        FROM interactions i {join}
                        WHERE {_purchase(p)} AND i.occurred_at >= :start
                          AND i.occurred_at < :end
                        GROUP BY {group}
                        HAVING sum(i.amount) > 0) b) r
            GROUP BY r.k
        """
        return _kpi("value.pareto_share", scope, sql,
                    {"start": p.ts(p.at(p.start)), "end": p.ts(p.at(end))}, p, None)
    return build


def value_cohorts(p: Params, months: int = 12) -> Statement:
    """VAL-COHORT: the grid's cells, (cohort, offset, customers), as one select."""
    def month_number(expr: str) -> str:
        if p.sqlite:
            return (f"(CAST(strftime('%Y', {expr}) AS INTEGER) * 12 "
                    f"+ CAST(strftime('%m', {expr}) AS INTEGER))")
        return f"CAST(extract(year FROM {expr}) * 12 + extract(month FROM {expr}) AS INTEGER)"

    end = p.as_of + dt.timedelta(days=1)
    cohort_start = _minus_months(p.as_of.replace(day=1), months - 1)
    offset = f"{month_number('i.occurred_at')} - {month_number('f.first_at')}"
    sql = f"""
        SELECT substr({p.text('f.first_at')}, 1, 7) AS cohort, {offset} AS "offset",
               count(DISTINCT f.customer_id) AS customers
        FROM (SELECT i.customer_id, min(i.occurred_at) AS first_at FROM interactions i
              WHERE {_purchase(p)} AND i.occurred_at < :end GROUP BY i.customer_id) f
        JOIN interactions i ON i.customer_id = f.customer_id
        WHERE {_purchase(p)} AND i.occurred_at < :end AND f.first_at >= :cohort_start
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    return sql, {"end": p.ts(p.at(end)), "cohort_start": p.ts(p.at(cohort_start))}


JOBS = {
    ("segment", "value.rfm"): value_rfm,
    ("kpi", "value.pareto_share", "all"): value_pareto("all"),
    ("kpi", "value.pareto_share", "manager"): value_pareto("manager"),
}
FLAGSHIP = ("value.rfm", "value.pareto_share")
