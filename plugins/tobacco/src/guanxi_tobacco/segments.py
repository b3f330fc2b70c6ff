"""The tobacco segmentations: TOB-GRADE (the grade) and TOB-NETWORK (the network status).

Each is one select over the whole base. The grade is the comprehensive
evaluation (综合测评, §4.2) of the last closed months: points for order
volume, order regularity, price compliance and lawful operation, cut into
grades by configurable thresholds (grade 1 best), lowered by a price
violation the regional market manager approved (TOB-PRICE). Points are
whole numbers, so a score exactly on a threshold lands in the same grade
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, and_, case, cast, func, literal, or_, select, union_all

from guanxi import Segmentation
from guanxi_tobacco.options import GRADE, MAX_GRADES, NETWORK, PRICE_VIOLATION, VISIT
from guanxi_tobacco.service import DOWNGRADE_STEP, PRICE_POLICY, grade_count

#: Monday 3 January 2000: weeks are counted from it, so a week number is the same everywhere.
WEEK_ZERO = dt.date(2000, 1, 3)


def date_field(ctx, table, name: str):
    """A declared date field as a SQL date (ISO text on SQLite compares as a date)."""
    return ctx.attribute(table, name, "date")


def licence_expired(ctx, c):
    """True for a retailer whose licence expired before the as-of day (TOB-NETWORK)."""
    expires = date_field(ctx, c, "licence_expires")
    return and_(expires.is_not(None), expires < ctx.today)


def left_network(ctx, c):
    """``network_status`` says out (退网); empty counts as in (TOB-NETWORK)."""
    return func.coalesce(ctx.attribute(c, "network_status"), "") == "out"


def out_of_network(ctx, c):
    """Left the network (退网) by its status, or by a licence that expired (TOB-NETWORK)."""
    return or_(left_network(ctx, c), licence_expired(ctx, c))


def weeks_in(first: dt.date, end: dt.date) -> int:
    """Order weeks of the window: the Mondays in [first, end)."""
    day = dt.timedelta(days=1)
    return (end - day - WEEK_ZERO).days // 7 - (first - day - WEEK_ZERO).days // 7


def _week_number(ctx, day):
    """The week (Monday to Sunday) of a day, as a whole number."""
    return ctx.days_between(literal(WEEK_ZERO), day) // 7


# -- TOB-GRADE ---------------------------------------------------------------------
# rule TOB-GRADE (综合测评): score = volume + regularity + price + lawful points
# over the last grade.months closed months; grade 1 from thresholds[0], grade
# 2 from thresholds[1], ...; below the last, the lowest grade. rule TOB-PRICE: a
# downgrade approved since the window began lowers the grade by price.downgrade.


def _orders(ctx, first, end):
    """Per retailer: cartons ordered and weeks with an order, in the window.

    Only the weeks that start in the window count (those :func:`weeks_in`
    counts), so an order on a Saturday before the first Monday adds cartons
    but no week.
    """
    m = ctx.tables.measurements
    day = m.c.period
    first_monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    week = case((day >= first_monday, _week_number(ctx, day)))
    return (
        select(m.c.customer_id,
               func.sum(m.c.value).label("cartons"),
               func.count(func.distinct(week)).label("order_weeks"))
        .where(m.c.metric == "cartons", m.c.period >= first, m.c.period < end, m.c.value > 0)
        .group_by(m.c.customer_id)
        .subquery("grade_orders")
    )


def _price_checks(ctx, first, end_at):
    """Per retailer: days the prices were checked, and days a violation was found.

    A check is a visit with ``price_checked`` or a reported violation (a
    violation is found by checking), counted once a day.
    """
    i = ctx.tables.interactions
    in_window = (i.c.occurred_at >= literal(dt.datetime.combine(first, dt.time())),
                 i.c.occurred_at < end_at)
    day = ctx.date_of(i.c.occurred_at)
    checked = select(i.c.customer_id, day.label("day"), literal(0).label("bad")).where(
        i.c.kind == VISIT, ctx.attribute(i, "price_checked", "boolean"), *in_window)
    found = select(i.c.customer_id, day.label("day"), literal(1).label("bad")).where(
        i.c.kind == PRICE_VIOLATION, *in_window)
    days = union_all(checked, found).subquery("grade_check_days")
    return (
        select(days.c.customer_id,
               func.count(func.distinct(days.c.day)).label("checks"),
               func.count(func.distinct(case((days.c.bad == 1, days.c.day)))).label("failed"))
        .group_by(days.c.customer_id)
        .subquery("grade_checks")
    )


def _unlawful(ctx, first, end_at):
    """Per retailer: visits in the window that saw unlawful operation."""
    i = ctx.tables.interactions
    return (
        select(i.c.customer_id, func.count().label("unlawful"))
        .where(i.c.kind == VISIT, ctx.attribute(i, "unlawful", "boolean"),
               i.c.occurred_at >= literal(dt.datetime.combine(first, dt.time())),
               i.c.occurred_at < end_at)
        .group_by(i.c.customer_id)
        .subquery("grade_unlawful")
    )


def _downgrades(ctx, first, end_at):
    """Per retailer: the latest downgrade the regional market manager approved (TOB-PRICE)."""
    c, e = ctx.tables.cases, ctx.tables.case_events
    return (
        select(c.c.customer_id, ctx.date_of(func.max(e.c.at)).label("approved"))
        .select_from(c.join(e, e.c.case_id == c.c.id))
        .where(c.c.policy == PRICE_POLICY, e.c.action == "approve", e.c.step == DOWNGRADE_STEP,
               e.c.at >= ctx.at(first), e.c.at < end_at)
        .group_by(c.c.customer_id)
        .subquery("grade_downgrades")
    )


def _number(value):
    """A threshold as the figure a reason shows: 65, not 65.0."""
    return int(value) if float(value) == int(value) else float(value)


def grade_query(ctx):
    cfg = ctx.config
    months = cfg["grade.months"]
    first, end = ctx.trailing_months(months)
    # The evaluation reads the closed months; an approved downgrade counts from
    # the window's start up to the as-of day, so it takes effect at once (及时).
    closed_at = literal(dt.datetime.combine(end, dt.time()))
    end_at = literal(dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time()))
    thresholds = sorted((_number(t) for t in cfg["grade.thresholds"]), reverse=True)
    lowest = grade_count(cfg)
    wv, wr = cfg["grade.weight_volume"], cfg["grade.weight_regularity"]
    wp, wl = cfg["grade.weight_price"], cfg["grade.weight_lawful"]
    weeks = weeks_in(first, end)

    c = ctx.tables.customers
    orders, checks = _orders(ctx, first, end), _price_checks(ctx, first, closed_at)
    unlawful, downgrades = _unlawful(ctx, first, closed_at), _downgrades(ctx, first, end_at)
    # The monthly volume is a flow's average month (ctx.monthly_average): a
    # retailer licensed within the window is averaged from its first month,
    # not over months before it existed.
    volume_months = ctx.monthly_average("cartons", months, name="grade_volume")

    cartons = cast(func.coalesce(volume_months.c.total, 0), Integer)
    averaged = func.coalesce(volume_months.c.months, months)
    order_weeks = func.coalesce(orders.c.order_weeks, 0)
    n_checks, n_failed = func.coalesce(checks.c.checks, 0), func.coalesce(checks.c.failed, 0)
    n_unlawful = func.coalesce(unlawful.c.unlawful, 0)
    # Whole points, rounded down (// is integer division on both databases).
    volume = case((cartons >= averaged * cfg["grade.volume_full"], wv),
                  else_=cartons * wv // (averaged * cfg["grade.volume_full"]))
    regularity = case((order_weeks >= weeks, wr), else_=order_weeks * wr // weeks)
    price = case((n_checks == 0, wp), else_=(n_checks - n_failed) * wp // n_checks)
    lawful = case((n_unlawful == 0, wl), else_=0)
    points = (
        select(c.c.id.label("customer_id"), cartons.label("cartons"),
               order_weeks.label("order_weeks"), n_checks.label("checks"),
               n_failed.label("failed"), n_unlawful.label("unlawful"),
               volume.label("volume"), regularity.label("regularity"), price.label("price"),
               averaged.label("averaged"),
               lawful.label("lawful"), downgrades.c.approved,
               cast(ctx.attribute(c, "grade", "integer"), Integer).label("imported"))
        .select_from(
            c.outerjoin(orders, orders.c.customer_id == c.c.id)
            .outerjoin(volume_months, volume_months.c.customer_id == c.c.id)
            .outerjoin(checks, checks.c.customer_id == c.c.id)
            .outerjoin(unlawful, unlawful.c.customer_id == c.c.id)
            .outerjoin(downgrades, downgrades.c.customer_id == c.c.id))
        .where(~out_of_network(ctx, c))
        .subquery("grade_points")
    )
    p = points.c
    score = p.volume + p.regularity + p.price + p.lawful
    computed = case(*((score >= t, g) for g, t in enumerate(thresholds, start=1)), else_=lowest)
    imported = case((p.imported < 1, 1), (p.imported > lowest, lowest), else_=p.imported)
    base = imported if cfg["grade.source"] == "imported" else computed
    step = cfg["price.downgrade"]
    lowered = case((p.approved.is_(None), base), (base + step > lowest, lowest),
                   else_=base + step)
    bound = case(*((base == g, t) for g, t in enumerate(thresholds, start=1)),
                 else_=thresholds[-1] if thresholds else 0)

    figures = dict(score=score, volume=p.volume, wv=wv, cartons=p.cartons // p.averaged,
                   regularity=p.regularity, wr=wr, missed=weeks - p.order_weeks, weeks=weeks,
                   price=p.price, wp=wp, failed=p.failed, checks=p.checks, lawful=p.lawful,
                   wl=wl, unlawful=p.unlawful, base=base, grade=lowered, bound=bound,
                   approved=func.substr(cast(p.approved, String), 1, 10),
                   months=months)
    source = "imported" if cfg["grade.source"] == "imported" else "computed"
    if source == "computed":
        plain = case((base == lowest, "below"), else_="from")
    else:
        plain = literal("imported")
    how = case((p.approved.is_(None), "plain"), (base == lowest, "floor"), else_="lowered")
    reasons = [
        ((plain == kind) & (how == change), ctx.reason(f"tobacco.grade.{kind}.{change}", **figures))
        for kind in (("below", "from") if source == "computed" else ("imported",))
        for change in ("plain", "lowered", "floor")
    ]
    reason = case(*reasons[:-1], else_=reasons[-1][1])
    if source == "imported":
        # Retailers the source system has not graded get no grade.
        query_filter = (p.imported.is_not(None),)
    else:
        query_filter = ()
    return select(
        p.customer_id,
        cast(lowered, String).label("label"),
        score.label("score"),
        reason.label("reason"),
    ).where(*query_filter)


_SCORE = {
    "en": "score {score} = volume {volume}/{wv} ({cartons} cartons a month) + regularity "
          "{regularity}/{wr} ({missed} of {weeks} weekly orders missed) + price {price}/{wp} "
          "({failed} of {checks} price checks below the guide price) + lawful {lawful}/{wl} "
          "({unlawful} visits saw unlawful operation)",
    "zh": "综合测评 {score} 分 = 订货量 {volume}/{wv}（月均 {cartons} 条）+ 订货规律 "
          "{regularity}/{wr}（{weeks} 周中 {missed} 周未订货）+ 价格 {price}/{wp}（{checks} 次检查中 "
          "{failed} 次低于指导价）+ 守法 {lawful}/{wl}（{unlawful} 次访问发现违法经营）",
}
_HOW = {
    "from": {"en": "grade {base} from {bound}", "zh": "{bound} 分以上为 {base} 档"},
    "below": {"en": "grade {base}, below {bound}", "zh": "低于 {bound} 分为 {base} 档"},
}
_CHANGE = {
    "plain": {"en": "", "zh": ""},
    "lowered": {"en": "; lowered to grade {grade} for the price violation approved {approved}",
                "zh": "；因 {approved} 批准的价格违规降为 {grade} 档"},
    "floor": {"en": "; the price violation approved {approved} cannot lower it below the "
                    "lowest grade",
              "zh": "；{approved} 批准的价格违规已无法再降档（已是最低档）"},
}


def _grade_reasons() -> dict:
    reasons = {}
    for kind in ("from", "below"):
        for change in _CHANGE:
            reasons[f"tobacco.grade.{kind}.{change}"] = {
                lang: _SCORE[lang] + ("：" if lang == "zh" else ": ") + _HOW[kind][lang]
                + _CHANGE[change][lang]
                for lang in ("en", "zh")
            }
    for change in _CHANGE:
        reasons[f"tobacco.grade.imported.{change}"] = {
            "en": "grade {base} from the source system" + _CHANGE[change]["en"],
            "zh": "来源系统档位 {base} 档" + _CHANGE[change]["zh"],
        }
    return reasons


GRADE_SEGMENTATION = Segmentation(
    name=GRADE,
    title="Grade",
    description="TOB-GRADE (综合测评): points for monthly order volume (40), order regularity "
                "(30), price compliance (15) and lawful operation (15) over the last 3 closed "
                "months; grade 1 from 80, 2 from 65, 3 from 50, 4 from 35, else 5 (all "
                "configurable); an approved price violation lowers it by one (TOB-PRICE). "
                "Retailers out of the network are not graded.",
    # Five by default; the thresholds make up to the 30 national supply tiers.
    labels=tuple(str(g) for g in range(1, MAX_GRADES + 1)),
    query=grade_query,
    reasons=_grade_reasons(),
)


# -- TOB-NETWORK --------------------------------------------------------------------
# rule TOB-NETWORK: out when the status says so or the licence has expired;
# expiring when it expires within network.renewal_days (inclusive); else in.


def network_query(ctx):
    cfg = ctx.config
    c = ctx.tables.customers
    expires = date_field(ctx, c, "licence_expires")
    days = ctx.days_between(ctx.today, expires)
    status_out = left_network(ctx, c)
    expired = licence_expired(ctx, c)
    expiring = and_(expires.is_not(None), days <= cfg["network.renewal_days"])
    label = case((status_out, "out"), (expired, "out"), (expiring, "expiring"), else_="in")
    expiry = func.substr(cast(expires, String), 1, 10)
    reason = case(
        (status_out, ctx.reason("tobacco.network.left")),
        (expired, ctx.reason("tobacco.network.expired", expires=expiry)),
        (expiring, ctx.reason("tobacco.network.expiring", expires=expiry, days=days)),
        (expires.is_(None), ctx.reason("tobacco.network.in")),
        else_=ctx.reason("tobacco.network.valid", expires=expiry),
    )
    return select(c.c.id.label("customer_id"), label.label("label"),
                  literal(None).label("score"), reason.label("reason"))


NETWORK_SEGMENTATION = Segmentation(
    name=NETWORK,
    title="Network",
    description="TOB-NETWORK: out of the network (退网) by status or an expired licence; "
                "expiring when the licence expires within 30 days; else in (入网).",
    labels=("in", "expiring", "out"),
    query=network_query,
    reasons={
        "tobacco.network.left": {"en": "left the network (network_status out)",
                                 "zh": "已退网"},
        "tobacco.network.expired": {"en": "licence expired {expires}: out of the network",
                                    "zh": "许可证已于 {expires} 到期，退网"},
        "tobacco.network.expiring": {"en": "licence expires {expires}, in {days} days",
                                     "zh": "许可证 {expires} 到期，还有 {days} 天"},
        "tobacco.network.in": {"en": "in the network", "zh": "在网"},
        "tobacco.network.valid": {"en": "in the network, licence valid until {expires}",
                                  "zh": "在网，许可证有效期至 {expires}"},
    },
)


SEGMENTATIONS = (GRADE_SEGMENTATION, NETWORK_SEGMENTATION)
