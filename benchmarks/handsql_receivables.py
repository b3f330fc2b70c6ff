"""The receivables pack's flagship KPIs written by hand in SQL (see ``handsql``):
the aging buckets (``receivables.aging_*``) and DSO (``receivables.dso``),
all and by manager.

Each is what a DBA would write from docs/packs/receivables.md: the
settlements summed per invoice in one grouped pass, joined once to the
invoices, what each still owes at the period's last day (or the as-of day)
bucketed by its days past due; storing what the engine stores.
"""

from __future__ import annotations

import datetime as dt

from handsql import Params, Statement, _having, _kpi, _key, repr_

BUCKETS = (("current", None, 0), ("1_30", 1, 30), ("31_60", 31, 60), ("61_90", 61, 90),
           ("91_180", 91, 180), ("181_365", 181, 365), ("over_365", 366, None))
SETTLEMENTS = ("payment", "credit_note", "write_off")


def _day(p: Params) -> dt.date:
    return min(p.end - dt.timedelta(days=1), p.as_of)


def _owed(p: Params) -> str:
    """(customer_id, owed, due_on, issued_at, amount) of every invoice issued by the day."""
    kinds = ", ".join(repr_(k) for k in SETTLEMENTS)
    if p.sqlite:
        # The bill id as text, the invoices' id type: compared with no affinity,
        # SQLite would not index the grouped settlements and scan them per invoice.
        due = "date(json_extract(b.attributes, '$.due_on'))"
        bill = "CAST(json_extract(s.attributes, '$.bill_id') AS TEXT)"
    else:
        due, bill = "CAST(b.attributes ->> 'due_on' AS date)", "s.attributes ->> 'bill_id'"
    return f"""
        SELECT b.customer_id, b.occurred_at AS issued_at, b.amount, {due} AS due_on,
               CASE WHEN b.amount - COALESCE(t.settled, 0) > 0
                    THEN b.amount - COALESCE(t.settled, 0) ELSE 0 END AS owed
        FROM interactions b
        LEFT JOIN (SELECT {bill} AS bill_id, sum(abs(s.amount)) AS settled
                   FROM interactions s
                   WHERE s.kind IN ({kinds}) AND s.occurred_at < :end AND s.amount IS NOT NULL
                   GROUP BY {bill}) t ON t.bill_id = b.id
        WHERE b.kind = 'invoice' AND b.amount IS NOT NULL AND {due} IS NOT NULL
              AND b.occurred_at < :end
    """


def _late(p: Params) -> str:
    if p.sqlite:
        return "CAST(julianday(:day) - julianday(x.due_on) AS INTEGER)"
    return "(CAST(:day AS date) - x.due_on)"


def _params(p: Params) -> dict:
    day = _day(p)
    return {"day": p.d(day), "end": p.ts(p.at(day, 1))}


def aging_kpi(bucket: str, scope: str):
    first, last = next((f, t) for n, f, t in BUCKETS if n == bucket)

    def build(p: Params) -> list[Statement]:
        late = _late(p)
        cond = (f"{late} <= {last}" if first is None else
                f"{late} >= {first}" if last is None else f"{late} BETWEEN {first} AND {last}")
        key, group = _key(scope, "c.manager_id")
        join = "" if scope == "all" else "JOIN customers c ON c.id = x.customer_id"
        sql = (f"SELECT {key} AS k, sum(x.owed) AS v FROM ({_owed(p)}) x {join} "
               f"WHERE x.owed > 0 AND {cond} {group} {_having(scope)}")
        return _kpi(f"receivables.aging_{bucket}", scope, sql, _params(p), p, 0)
    return build


def dso_kpi(scope: str):
    def build(p: Params) -> list[Statement]:
        days = int(p.settings["receivables"]["dso.days"])
        day = _day(p)
        key, group = _key(scope, "c.manager_id")
        join = "" if scope == "all" else "JOIN customers c ON c.id = x.customer_id"
        window = "x.issued_at >= :window"
        sql = (f"SELECT {key} AS k, CAST(sum(x.owed) AS {p.float}) * {days} / "
               f"NULLIF(CAST(sum(CASE WHEN {window} THEN x.amount ELSE 0 END) AS {p.float}), 0) "
               f"AS v FROM ({_owed(p)}) x {join} WHERE x.owed > 0 OR {window} "
               f"{group} {_having(scope)}")
        params = {**_params(p), "window": p.ts(p.at(day - dt.timedelta(days=days - 1)))}
        return _kpi("receivables.dso", scope, sql, params, p, None)
    return build


JOBS = {}
for _scope in ("all", "manager"):
    for _name, _, _ in BUCKETS:
        JOBS[("kpi", f"receivables.aging_{_name}", _scope)] = aging_kpi(_name, _scope)
    JOBS[("kpi", "receivables.dso", _scope)] = dso_kpi(_scope)
FLAGSHIP = ("receivables.aging_31_60", "receivables.dso")
