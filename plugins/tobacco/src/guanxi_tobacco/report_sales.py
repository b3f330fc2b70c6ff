"""Section a) of the monthly report: overall sales by grade, and the retailers that
moved most.
"""

from __future__ import annotations

from types import SimpleNamespace as Record

from sqlalchemy import and_, case, func, or_, select

from guanxi_tobacco.report_numbers import TOP, UNGRADED, Window, change, dec, month_plus
from guanxi_tobacco.report_scope import grade_label, owned_by, scope_args, within


# -- a) overall sales --------------------------------------------------------------------


def per_retailer(ctx, manager_id, w: Window):
    """Per retailer of the manager: cartons and value in the month, the month before,
    last year's month and the three months before, with its current grade."""
    m, c = ctx.tables.measurements, ctx.tables.customers
    month = w.month
    ranges = {
        "": (month.start, month.end),
        "prev_": (month_plus(month, -1).start, month.start),
        "ly_": (month_plus(month, -12).start, month_plus(month, -11).start),
    }
    columns = []
    for prefix, (start, end) in ranges.items():
        for metric in ("cartons", "sales"):
            columns.append(func.sum(case(
                (and_(m.c.metric == metric, within(m.c.period, start, end)), m.c.value),
                else_=0)).label(prefix + metric))
    before = (month_plus(month, -3).start, month.start)
    columns.append(func.sum(case((and_(m.c.metric == "cartons", within(m.c.period, *before)),
                                  m.c.value), else_=0)).label("before_cartons"))
    totals = (
        select(m.c.customer_id, *columns)
        .where(m.c.metric.in_(("cartons", "sales")),
               m.c.customer_id.in_(owned_by(ctx, manager_id)),
               or_(within(m.c.period, before[0], month.end),
                   within(m.c.period, *ranges["ly_"])))
        .group_by(m.c.customer_id)
        .subquery("orders")
    )
    names = ["cartons", "sales", "prev_cartons", "prev_sales", "ly_cartons", "ly_sales",
             "before_cartons"]
    return (
        select(c.c.id.label("customer_id"), c.c.name, grade_label(ctx, c.c.id).label("grade"),
               *[func.coalesce(totals.c[n], 0).label(n) for n in names])
        .select_from(c.outerjoin(totals, totals.c.customer_id == c.c.id))
        .where(c.c.manager_id == manager_id, ctx.served(c.c.id))
        .subquery("retailers")
    )


def _grade_key(label: str) -> tuple:
    return (1, 0, label) if label == UNGRADED else (0, int(label) if label.isdigit() else 0, label)


def sales(scope) -> Record:
    """Part a): the overall sales of the month, by grade, the top risers and fallers."""
    conn, ctx, manager_id, w = scope_args(scope)
    r = per_retailer(ctx, manager_id, w)
    ordering = func.sum(case((r.c.cartons > 0, 1), else_=0))
    total = conn.execute(select(
        func.count().label("retailers"), ordering.label("ordering"),
        *[func.coalesce(func.sum(r.c[n]), 0).label(n)
          for n in ("cartons", "sales", "prev_cartons", "prev_sales", "ly_cartons", "ly_sales")],
    )).one()._mapping

    def measure(name):
        cur, prev, ly = dec(total[name]), dec(total["prev_" + name]), dec(total["ly_" + name])
        return Record(current=cur, previous=prev, last_year=ly, mom=change(cur, prev),
                      yoy=change(cur, ly))

    grades = conn.execute(
        select(r.c.grade, func.count().label("retailers"), ordering.label("ordering"),
               func.sum(r.c.cartons).label("cartons"), func.sum(r.c.sales).label("sales"),
               func.sum(r.c.prev_cartons).label("prev_cartons"))
        .group_by(r.c.grade)).all()
    by_grade = sorted(
        (Record(grade=g.grade or UNGRADED, retailers=g.retailers, ordering=int(g.ordering or 0),
                cartons=dec(g.cartons), sales=dec(g.sales),
                previous_cartons=dec(g.prev_cartons),
                mom=change(dec(g.cartons), dec(g.prev_cartons)))
         for g in grades),
        key=lambda row: _grade_key(row.grade))

    delta = (r.c.cartons - r.c.prev_cartons).label("change")

    def movers(condition, order):
        rows = conn.execute(select(r.c.customer_id, r.c.name, r.c.grade, r.c.cartons,
                                   r.c.prev_cartons, delta)
                            .where(condition).order_by(order, r.c.customer_id).limit(TOP))
        return tuple(Record(customer_id=x.customer_id, name=x.name, grade=x.grade or UNGRADED,
                            cartons=dec(x.cartons), previous=dec(x.prev_cartons),
                            change=dec(x.change),
                            ratio=change(dec(x.cartons), dec(x.prev_cartons)))
                     for x in rows)

    return Record(
        retailers=total["retailers"], ordering=int(total["ordering"] or 0),
        cartons=measure("cartons"), sales=measure("sales"), by_grade=tuple(by_grade),
        risers=movers(delta > 0, delta.desc()), fallers=movers(delta < 0, delta.asc()),
    )
