"""Cohorts (VAL-COHORT): retention by first-purchase month, as a grid.

A customer's cohort is the month of its first purchase ever (up to the
as-of day); cell (c, m) counts the customers of cohort c with a purchase in
the m-th month after it (m = 0: the first month itself, so 100%). Two
grouped selects, whatever the number of customers: the grid's cells and
the cohorts' sizes; only the cells (cohorts × months) reach Python.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from guanxi.workbooks import write_table
from sqlalchemy import distinct, func, select

from guanxi_value import purchases as p


def _firsts(ctx):
    i = ctx.tables.interactions.alias("cohort_first")
    end = ctx.as_of + dt.timedelta(days=1)
    return (select(i.c.customer_id, func.min(i.c.occurred_at).label("first_at"))
            .where(p.is_purchase(ctx, i), i.c.occurred_at < p.moment(end))
            .group_by(i.c.customer_id).subquery("cohort_firsts"))


def cells(ctx, months: int):
    """``(cohort, offset, customers)`` for cohorts of the last ``months`` months up to
    the as-of month, offsets 0 to ``months`` - 1."""
    first = _firsts(ctx)
    cohort_start = p.minus_months(ctx.as_of.replace(day=1), months - 1)
    j = ctx.tables.interactions.alias("cohort_purchase")
    end = ctx.as_of + dt.timedelta(days=1)
    cohort = ctx.month_text(first.c.first_at).label("cohort")
    offset = ctx.months_between(first.c.first_at, j.c.occurred_at).label("offset")
    return (
        select(cohort, offset, func.count(distinct(first.c.customer_id)).label("customers"))
        .select_from(first.join(j, j.c.customer_id == first.c.customer_id))
        .where(p.is_purchase(ctx, j), j.c.occurred_at < p.moment(end),
               first.c.first_at >= p.moment(cohort_start))
        .group_by(cohort, offset)
        .order_by(cohort, offset)
    )


def grid(ws, ctx, months: int) -> list[dict]:
    """The grid's rows: ``cohort``, ``customers`` (its size) and ``m0`` ... shares."""
    with ws.engine.connect() as conn:
        found = conn.execute(cells(ctx, months)).all()
    sizes = {row.cohort: row.customers for row in found if row.offset == 0}
    rows: dict[str, dict] = {}
    for cohort, size in sorted(sizes.items()):
        rows[cohort] = {"cohort": cohort, "customers": size,
                        **{f"m{m}": None for m in range(months)}}
    last = ctx.as_of.year * 12 + ctx.as_of.month
    for row in rows.values():
        year, month = map(int, row["cohort"].split("-"))
        # Months not yet lived stay empty, not 0%.
        for m in range(min(months, last - (year * 12 + month) + 1)):
            row[f"m{m}"] = 0.0
    for cohort, offset, customers in found:
        if cohort in rows and 0 <= offset < months:
            rows[cohort][f"m{offset}"] = customers / rows[cohort]["customers"]
    return list(rows.values())


def columns(months: int) -> list[str]:
    return ["cohort", "customers", *(f"m{m}" for m in range(months))]


def write(rows: list[dict], months: int, path: Path) -> None:
    """The grid as ``.csv`` (shares as fractions) or ``.xlsx`` (shares formatted as percent)."""
    names = columns(months)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(names)
            for row in rows:
                out.writerow(["" if row[n] is None else row[n] for n in names])
        return
    # The shares (m0, m1, ...) shown as percents; the cells stay fractions.
    write_table(path, rows, names, sheet="cohorts",
                formats={n: "0.0%" for n in names[2:]})


