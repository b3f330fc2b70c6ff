"""The figures of the monthly sales analysis (rule TOB-REPORT), one grouped query each.

Each figure is a function of the core's report scope
(:class:`guanxi.reporting.ReportScope`: the query context, the month, the
author, the tracked report), declared in :mod:`guanxi_tobacco.report`.
Every figure is one set-based statement over the manager's retailers (the
customers whose owner the manager is now and whom the pack serves: the
``tobacco.retailers`` filter, ``ctx.served``, keeps out a customer without
a licence number); Python only shapes the rows a section shows (a handful
of grades, five movers, the month's incidents), never a row per customer
of the base. Figures are plain records (``SimpleNamespace``) holding
Decimals: cartons and values to 0.01, ratios (环比, 同比, falls, factors)
to 0.0001, so a test compares them exactly on both databases.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace as Record

import attrs
from sqlalchemy import and_, case, func, literal, or_, select

from guanxi import Period
from guanxi_tobacco.options import (
    COMPLAINT,
    GRADE,
    PRICE_VIOLATION,
    QUALITY_COMPLAINT,
    REGIONAL_MANAGER,
    SPECIAL_VISIT,
    SURVEY,
    UNLICENSED,
)
from guanxi_tobacco.service import PRICE_POLICY, UNLICENSED_POLICY

UNGRADED = "ungraded"
TOP = 5
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


def dec(value, places: Decimal = CENT) -> Decimal:
    """A figure as an exact Decimal: SQLite sums come back as floats."""
    if value is None:
        value = 0
    return Decimal(str(value)).quantize(places, ROUND_HALF_UP)


def change(current: Decimal, before: Decimal) -> Decimal | None:
    """The change on ``before`` as a ratio; None when there was nothing before."""
    if not before:
        return None
    return ((current - before) / before).quantize(RATIO, ROUND_HALF_UP)


def drop_basis_points(sales_drop: float) -> int:
    """``[tobacco.special] sales_drop`` (0.3) in whole basis points (3000)."""
    return int(round(sales_drop * 10_000))


def sharp_drop(last, before, sales_drop: float):
    """TOB-SPECIAL's sharp sales drop, as a SQL condition.

    ``last``: the month's cartons; ``before``: the cartons of the three
    months before it, summed. True when the month is at least
    ``sales_drop`` below their mean: ``last * 3 * 10000 <= before * (10000
    - drop in basis points)``, all whole numbers, so a fall of exactly the
    threshold counts on SQLite and PostgreSQL alike. Nothing before: no drop.
    The one test of a drop for the report and the rule ``tobacco.sales_drop``.
    """
    points = drop_basis_points(sales_drop)
    return and_(before > 0, last * 3 * 10_000 <= before * (10_000 - points))


def month_plus(month: Period, months: int) -> Period:
    """The month ``months`` after (before, when negative) ``month``."""
    index = month.start.year * 12 + month.start.month - 1 + months
    return Period.containing(dt.date(index // 12, index % 12 + 1, 1), "month")


@attrs.frozen(kw_only=True)
class Window:
    """The days a report reads.

    :ivar measures_end: special visits count as measures up to the end of
        the due day: the report is written then, from the month's records
        and the visits its problems called for.
    """

    month: Period
    due_on: dt.date
    sales_drop: float
    forecast_months: int
    action_below: int

    @classmethod
    def of(cls, scope) -> Window:
        cfg = scope.settings
        return cls(month=scope.period, due_on=scope.tracked.due_on,
                   sales_drop=cfg["special.sales_drop"],
                   forecast_months=cfg["report.forecast_months"],
                   action_below=cfg["survey.action_below"])

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.month.start, dt.time())

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.month.end, dt.time())

    @property
    def measures_end(self) -> dt.datetime:
        return dt.datetime.combine(self.due_on + dt.timedelta(days=1), dt.time())


# -- who -------------------------------------------------------------------------------


def authors(ctx):
    """Who writes the report: every active manager who owns a retailer (a customer served)."""
    m, c = ctx.tables.managers, ctx.tables.customers
    owns = select(c.c.id).where(c.c.manager_id == m.c.id, ctx.served(c.c.id)).exists()
    return select(m.c.id).where(m.c.active.is_(True), owns)


def months(scope) -> Record:
    """The month, the month before, the same month last year and the three months before."""
    month = scope.period
    return Record(current=month.label, previous=month_plus(month, -1).label,
                  last_year=month_plus(month, -12).label,
                  before=f"{month_plus(month, -3).label} to {month_plus(month, -1).label}")


def reviewer(scope):
    """Who reviews the report (TOB-REPORT: 交区域市场经理审阅): a row (id, name), or None.

    The person the role ``regional market manager`` resolves to for the
    manager, as in the case chains (TOB-PRICE's approval): the active one
    in the manager's territory, else in the manager's team, else anywhere,
    the smallest id first (``ctx.role_person``); when
    nobody holds the role, the manager's ``reports_to``.
    """
    ctx = scope.ctx
    m = ctx.tables.managers.alias("reviewer")
    owner = literal(scope.author_id)
    who = func.coalesce(ctx.role_person(REGIONAL_MANAGER, owner),
                        ctx.role_person("reports_to", owner))
    return scope.conn.execute(select(m.c.id, m.c.name).where(m.c.id == who)).first()


# -- shared pieces ---------------------------------------------------------------------


def _grade(ctx, customer_id):
    """The current grade label (TOB-GRADE); NULL when ungraded."""
    return ctx.label(GRADE, customer_id)


def _owned(ctx, manager_id):
    """The manager's retailers' ids: an alias, so it never correlates with an outer query."""
    c = ctx.tables.customers.alias("owned")
    return select(c.c.id).where(c.c.manager_id == manager_id, ctx.served(c.c.id))


def _in(column, start: dt.date, end: dt.date):
    return and_(column >= start, column < end)


def _measure(ctx, customer_id, w: Window, what: str):
    """The latest special visit to the retailer from the month's start to the due day.

    ``what``: ``note`` or ``day``. The measure taken for a problem is the
    《特殊访问记录》 the manager made about it.
    """
    i = ctx.tables.interactions.alias()
    column = ctx.attribute(i, "note") if what == "note" else i.c.occurred_at
    return (
        select(column)
        .where(i.c.customer_id == customer_id, i.c.kind == SPECIAL_VISIT,
               i.c.occurred_at >= w.start_at, i.c.occurred_at < w.measures_end)
        .order_by(i.c.occurred_at.desc(), i.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _day(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands back a scalar subquery's datetime as text
        return dt.date.fromisoformat(value[:10])
    return value


def _case_status(policies, policy: str | None, state: str | None, step: int | None):
    """(status text, chain complete) of a case: its state and the step it waits for."""
    if state is None:
        return "no case", False
    steps = getattr(policies.get(policy), "steps", ()) or ()
    complete = bool(steps) and (step or 0) >= len(steps)
    if steps and not complete and state in ("open", "paused"):
        return f"{state}, awaiting {steps[step or 0].name}", False
    return (f"{state}, every step approved" if complete else state), complete


def _args(scope):
    return scope.conn, scope.ctx, scope.author_id, Window.of(scope)


def _policies(scope) -> dict:
    return {p.name: p for p in scope.workspace.case_policies()}


# -- a) overall sales --------------------------------------------------------------------


def _per_retailer(ctx, manager_id, w: Window):
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
            columns.append(func.sum(case((and_(m.c.metric == metric, _in(m.c.period, start, end)),
                                          m.c.value), else_=0)).label(prefix + metric))
    before = (month_plus(month, -3).start, month.start)
    columns.append(func.sum(case((and_(m.c.metric == "cartons", _in(m.c.period, *before)),
                                  m.c.value), else_=0)).label("before_cartons"))
    totals = (
        select(m.c.customer_id, *columns)
        .where(m.c.metric.in_(("cartons", "sales")),
               m.c.customer_id.in_(_owned(ctx, manager_id)),
               or_(_in(m.c.period, before[0], month.end),
                   _in(m.c.period, *ranges["ly_"])))
        .group_by(m.c.customer_id)
        .subquery("orders")
    )
    names = ["cartons", "sales", "prev_cartons", "prev_sales", "ly_cartons", "ly_sales",
             "before_cartons"]
    return (
        select(c.c.id.label("customer_id"), c.c.name, _grade(ctx, c.c.id).label("grade"),
               *[func.coalesce(totals.c[n], 0).label(n) for n in names])
        .select_from(c.outerjoin(totals, totals.c.customer_id == c.c.id))
        .where(c.c.manager_id == manager_id, ctx.served(c.c.id))
        .subquery("retailers")
    )


def _grade_key(label: str) -> tuple:
    return (1, 0, label) if label == UNGRADED else (0, int(label) if label.isdigit() else 0, label)


def sales(scope) -> Record:
    """Part a): the overall sales of the month, by grade, the top risers and fallers."""
    conn, ctx, manager_id, w = _args(scope)
    r = _per_retailer(ctx, manager_id, w)
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


# -- b) problems, causes and measures ----------------------------------------------------


def problems(scope) -> Record:
    """Part b): problems, causes and measures.

    ``without_measure``: the retailers with a problem and no special visit
    from the month's start to the due day, by id.
    """
    conn, ctx, manager_id, w = _args(scope)
    policies = _policies(scope)
    drops = _drops(conn, ctx, manager_id, w)
    stock_outs = _stock_outs(conn, ctx, manager_id, w)
    prices = _incidents(conn, ctx, manager_id, w, PRICE_VIOLATION, PRICE_POLICY, policies)
    unlicensed = _incidents(conn, ctx, manager_id, w, UNLICENSED, UNLICENSED_POLICY, policies)
    # The problems of this one report: a few dozen rows at most.
    unmeasured = sorted({p.customer_id for section in (drops, stock_outs, prices, unlicensed)
                         for p in section if p.measured_on is None})
    return Record(sales_drop=dec(w.sales_drop, RATIO), drops=drops, stock_outs=stock_outs,
                  price_violations=prices, unlicensed=unlicensed,
                  special_visits=_special_visits(conn, ctx, manager_id, w),
                  without_measure=tuple(unmeasured))


def _drops(conn, ctx, manager_id, w: Window) -> tuple:
    # rule TOB-SPECIAL's sharp sales drop: the month's cartons at least
    # special.sales_drop below the mean of the three months before.
    r = _per_retailer(ctx, manager_id, w)
    before = r.c.before_cartons
    fell = sharp_drop(r.c.cartons, before, w.sales_drop)
    rows = conn.execute(
        select(r.c.customer_id, r.c.name, r.c.grade, r.c.cartons, before,
               _measure(ctx, r.c.customer_id, w, "note").label("measure"),
               _measure(ctx, r.c.customer_id, w, "day").label("measured_on"))
        .where(fell)
        .order_by((3 * r.c.cartons * 1.0 / before).asc(), r.c.customer_id))
    found = []
    for x in rows:
        total = Decimal(str(x.before_cartons))
        cartons = dec(x.cartons)
        average = total / 3
        found.append(Record(
            customer_id=x.customer_id, name=x.name, grade=x.grade or UNGRADED, cartons=cartons,
            average=dec(average), fall=((average - cartons) / average).quantize(RATIO,
                                                                                 ROUND_HALF_UP),
            measure=x.measure, measured_on=_day(x.measured_on)))
    return tuple(found)


def _stock_outs(conn, ctx, manager_id, w: Window) -> tuple:
    m, c = ctx.tables.measurements, ctx.tables.customers
    short = (
        select(m.c.customer_id, func.count().label("days"),
               func.sum(m.c.value).label("shortfall"))
        .where(m.c.metric == "shortfall", m.c.value > 0, _in(m.c.period, w.month.start,
                                                             w.month.end),
               m.c.customer_id.in_(_owned(ctx, manager_id)))
        .group_by(m.c.customer_id)
        .subquery("short")
    )
    rows = conn.execute(
        select(c.c.id, c.c.name, _grade(ctx, c.c.id).label("grade"), short.c.days,
               short.c.shortfall,
               _measure(ctx, c.c.id, w, "note").label("measure"),
               _measure(ctx, c.c.id, w, "day").label("measured_on"))
        .select_from(c.join(short, short.c.customer_id == c.c.id))
        .order_by(short.c.days.desc(), c.c.id))
    return tuple(Record(customer_id=x.id, name=x.name, grade=x.grade or UNGRADED,
                        days=x.days, shortfall=dec(x.shortfall), measure=x.measure,
                        measured_on=_day(x.measured_on)) for x in rows)


def _month_interactions(ctx, manager_id, w: Window, kinds):
    i, c = ctx.tables.interactions, ctx.tables.customers
    return i, c, (i.c.kind.in_(kinds), i.c.occurred_at >= w.start_at, i.c.occurred_at < w.end_at,
                  c.c.manager_id == manager_id, ctx.served(c.c.id))


def _incidents(conn, ctx, manager_id, w, kind, policy, policies) -> tuple:
    i, c, where = _month_interactions(ctx, manager_id, w, (kind,))
    k = ctx.tables.cases
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, i.c.kind,
               ctx.attribute(i, "note").label("note"), ctx.attribute(i, "brand").label("brand"),
               ctx.attribute(i, "retail_price", "decimal").label("retail_price"),
               ctx.attribute(i, "guide_price", "decimal").label("guide_price"),
               k.c.id.label("case_id"), k.c.state, k.c.step,
               _measure(ctx, i.c.customer_id, w, "note").label("measure"),
               _measure(ctx, i.c.customer_id, w, "day").label("measured_on"))
        .select_from(i.join(c, c.c.id == i.c.customer_id)
                     .outerjoin(k, and_(k.c.interaction_id == i.c.id, k.c.policy == policy)))
        .where(*where)
        .order_by(i.c.occurred_at, i.c.id))
    found = []
    for x in rows:
        status, complete = _case_status(policies, policy, x.state, x.step)
        found.append(Record(
            interaction_id=x.id, customer_id=x.customer_id, name=x.name,
            day=_day(x.occurred_at), kind=x.kind, note=x.note, brand=x.brand,
            retail_price=None if x.retail_price is None else dec(x.retail_price),
            guide_price=None if x.guide_price is None else dec(x.guide_price),
            case_id=x.case_id, case_status=status, chain_complete=complete,
            measure=x.measure, measured_on=_day(x.measured_on)))
    return tuple(found)


def _special_visits(conn, ctx, manager_id, w: Window) -> tuple:
    i, c = ctx.tables.interactions, ctx.tables.customers
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, i.c.manager_id,
               ctx.attribute(i, "note").label("note"))
        .select_from(i.join(c, c.c.id == i.c.customer_id))
        .where(i.c.kind == SPECIAL_VISIT, i.c.occurred_at >= w.start_at,
               i.c.occurred_at < w.measures_end, c.c.manager_id == manager_id,
               ctx.served(c.c.id))
        .order_by(i.c.occurred_at, i.c.id))
    return tuple(Record(interaction_id=x.id, customer_id=x.customer_id, name=x.name,
                        day=_day(x.occurred_at), manager_id=x.manager_id, note=x.note)
                 for x in rows)


# -- c) opinions on quality and service ------------------------------------------------


def opinions(scope) -> Record:
    """Part c): the customers' opinions on quality and service."""
    conn, ctx, manager_id, w = _args(scope)
    policies = _policies(scope)
    i, c, where = _month_interactions(ctx, manager_id, w, (COMPLAINT, QUALITY_COMPLAINT))
    k = ctx.tables.cases
    # An interaction opens at most one case per policy; show the first.
    first = k.alias("first_case")
    first_case = (select(func.min(first.c.id)).where(first.c.interaction_id == i.c.id)
                  .scalar_subquery())
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, i.c.kind,
               ctx.attribute(i, "brand").label("brand"), ctx.attribute(i, "note").label("note"),
               k.c.id.label("case_id"), k.c.policy, k.c.state, k.c.step)
        .select_from(i.join(c, c.c.id == i.c.customer_id).outerjoin(k, k.c.id == first_case))
        .where(*where)
        .order_by(i.c.occurred_at, i.c.id))
    complaints = tuple(
        Record(interaction_id=x.id, customer_id=x.customer_id, name=x.name,
               day=_day(x.occurred_at), kind=x.kind, brand=x.brand, note=x.note,
               case_id=x.case_id, case_policy=x.policy,
               case_status=_case_status(policies, x.policy, x.state, x.step)[0])
        for x in rows)

    # rule TOB-SURVEY: satisfaction from 1 to 5; below survey.action_below asks for measures.
    i, c, where = _month_interactions(ctx, manager_id, w, (SURVEY,))
    score = ctx.attribute(i, "satisfaction", "integer")
    total = conn.execute(
        select(func.count(score).label("answers"), func.avg(score).label("mean"),
               func.sum(case((score < w.action_below, 1), else_=0)).label("below"))
        .select_from(i.join(c, c.c.id == i.c.customer_id)).where(*where)).one()
    satisfaction = Record(
        answers=total.answers, below=int(total.below or 0), threshold=w.action_below,
        mean=None if total.mean is None else dec(total.mean))
    note = ctx.attribute(i, "note")
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, score.label("satisfaction"),
               note.label("note"))
        .select_from(i.join(c, c.c.id == i.c.customer_id))
        .where(*where, note.is_not(None), note != "")
        .order_by(i.c.occurred_at, i.c.id))
    remarks = tuple(Record(interaction_id=x.id, customer_id=x.customer_id, name=x.name,
                           day=_day(x.occurred_at), satisfaction=x.satisfaction,
                           note=x.note) for x in rows)
    return Record(complaints=complaints, satisfaction=satisfaction, remarks=remarks)


# -- d) next-month forecast --------------------------------------------------------------


def forecast(scope) -> Record:
    """Part d): the next month's forecast, and how it was made."""
    conn, ctx, manager_id, w = _args(scope)
    # rule TOB-REPORT d): the mean of the last report.forecast_months closed
    # months (ending with the report month) × a seasonal factor, the next
    # month last year ÷ the report month last year when both have data.
    m = ctx.tables.measurements
    month = w.month
    n = w.forecast_months
    months = [month_plus(month, k - n + 1) for k in range(n)]
    ly_report, ly_next = month_plus(month, -12), month_plus(month, -11)
    start = ctx.start_of_month(m.c.period).label("month")
    rows = conn.execute(
        select(start,
               func.sum(case((m.c.metric == "cartons", m.c.value), else_=0)).label("cartons"),
               func.sum(case((m.c.metric == "sales", m.c.value), else_=0)).label("sales"))
        .where(m.c.metric.in_(("cartons", "sales")),
               m.c.customer_id.in_(_owned(ctx, manager_id)),
               or_(_in(m.c.period, months[0].start, month.end),
                   _in(m.c.period, ly_report.start, ly_next.end)))
        .group_by(start)).all()
    by_month = {_day(x.month): (dec(x.cartons), dec(x.sales)) for x in rows}

    def line(index: int, whole: Decimal) -> Record:
        history = tuple(by_month.get(x.start, (dec(0), dec(0)))[index] for x in months)
        mean = sum(history, Decimal(0)) / n
        before = by_month.get(ly_report.start, (dec(0), dec(0)))[index]
        after = by_month.get(ly_next.start, (dec(0), dec(0)))[index]
        seasonal = bool(before) and bool(after)
        factor = (after / before).quantize(RATIO, ROUND_HALF_UP) if seasonal else Decimal(1)
        return Record(history=history, mean=dec(mean), last_year=(before, after),
                      seasonal=seasonal, factor=factor,
                      forecast=(mean * factor).quantize(whole, ROUND_HALF_UP))

    cartons = line(0, Decimal(1))
    value = line(1, CENT)
    first, last = months[0].label, months[-1].label
    span = first if n == 1 else f"{first} to {last}"
    if cartons.seasonal:
        season = (f"× the seasonal factor {factor_text(cartons.factor)} "
                  f"({ly_next.label} ÷ {ly_report.label}: {_plain(cartons.last_year[1])} ÷ "
                  f"{_plain(cartons.last_year[0])} cartons)")
    else:
        season = (f"× 1: no seasonal factor, as {ly_report.label} and {ly_next.label} do not "
                  f"both have orders")
    method = (f"The mean of the {n} closed month(s) {span} ({_plain(cartons.mean)} cartons a "
              f"month) {season}; the order value likewise from its own figures.")
    return Record(month=month_plus(month, 1).label, months=tuple(x.label for x in months),
                  last_year_months=(ly_report.label, ly_next.label),
                  cartons=cartons, sales=value, method=method)


def factor_text(value: Decimal) -> str:
    """1.2 rather than 1.2000; 1 rather than 1.0000."""
    return f"{value.normalize():f}"


def _plain(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text
