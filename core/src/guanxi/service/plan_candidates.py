"""Steps 1 and 2 of a cadence's week: each manager's free places, and who is due.

Both are one set-based statement each (see :mod:`guanxi.service.planner`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)

from guanxi.engines.context import Context
from guanxi.service.plan_cadences import planned_intervals
from guanxi.service.plan_weeks import Week
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t


def slots_insert(work, cadence, week: Week):
    """Each active manager's working days with their places, numbered through the week.

    A day's free places are the cap less the visits already planned on it
    (by a re-run, or by another cadence); ``first_slot``..``last_slot``
    number its places from the week's first day on, so the last day's
    ``last_slot`` is how many visits the week still holds. Which day each
    visit takes is :func:`day_spans`'s answer.
    """
    m, pv = t.managers, st.plan_visits
    days, slots = work["days"], work["slots"]
    cap = cadence.daily_cap
    # Every visit planned for the manager that day counts against the cap,
    # whichever cadence planned it: a day holds so many visits, not so many
    # per cadence.
    used = (
        select(pv.c.manager_id, pv.c.day, func.count().label("n"))
        .where(pv.c.week == week.label)
        .group_by(pv.c.manager_id, pv.c.day)
        .subquery("used")
    )
    left = literal(cap) - func.coalesce(used.c.n, 0)
    per_day = (
        select(m.c.id.label("manager_id"), days.c.day,
               case((left > 0, left), else_=0).label("free"))
        .select_from(
            m.join(days, days.c.territory_key == func.coalesce(m.c.territory, ""))
            .outerjoin(used, and_(used.c.manager_id == m.c.id, used.c.day == days.c.day))
        )
        .where(m.c.active.is_(True))
        .subquery("per_day")
    )
    through = func.sum(per_day.c.free).over(partition_by=per_day.c.manager_id,
                                            order_by=per_day.c.day)
    numbered = select(per_day.c.manager_id, per_day.c.day, per_day.c.free,
                      through.label("through")).subquery("numbered")
    return insert(slots).from_select(
        ["manager_id", "day", "free", "first_slot", "last_slot"],
        select(numbered.c.manager_id, numbered.c.day, numbered.c.free,
               numbered.c.through - numbered.c.free + 1, numbered.c.through)
        .order_by(numbered.c.manager_id, numbered.c.day),
    )


def candidates_insert(rt, work, cadence, week: Week):
    """Every customer due in the week, in one statement (see the module docstring)."""
    ctx = Context(dialect=rt.dialect, pack=cadence.pack, config={}, as_of=week.start)
    s, c, m, i, pv = t.segments, t.customers, t.managers, t.interactions, st.plan_visits
    horizons = work["horizons"]
    intervals = planned_intervals(cadence)
    week_end = literal(dt.datetime.combine(week.end, dt.time()), DateTime)
    # The latest visit before the week is over: one grouped pass over the
    # visit kinds (the (kind, occurred_at) index), not a lookup per customer.
    last = (
        select(i.c.customer_id, func.max(i.c.occurred_at).label("last_at"))
        .where(i.c.kind.in_(sorted(set(cadence.visit_kinds))), i.c.occurred_at < week_end)
        .group_by(i.c.customer_id)
        .subquery("last_visit")
    )
    if intervals:
        interval = case(*[(s.c.label == label, days) for label, days in intervals.items()])
    else:
        interval = literal(None, Integer)
    last_day = ctx.date_of(last.c.last_at)
    # Planned already, by this cadence or another: one planned visit a
    # customer a week. (Naming the cadences lets the unique key answer.)
    cadences = sorted(set(rt.plugins.visit_cadences(rt.facade)) | {cadence.name})
    planned = exists().where(pv.c.cadence.in_(cadences), pv.c.week == week.label,
                             pv.c.customer_id == s.c.customer_id)
    due_list = (
        select(
            s.c.customer_id,
            c.c.manager_id,
            c.c.territory,
            s.c.label,
            interval.label("interval_days"),
            last_day.label("last_visit"),
            ctx.add_days(last_day, interval).label("due"),
            horizons.c.last_day.label("horizon"),
            case((last.c.last_at.is_(None), 1), else_=0).label("never"),
        )
        .select_from(
            s.join(c, c.c.id == s.c.customer_id)
            .join(m, m.c.id == c.c.manager_id)
            .join(horizons, horizons.c.territory_key == func.coalesce(m.c.territory, ""))
            .outerjoin(last, last.c.customer_id == s.c.customer_id)
        )
        .where(s.c.segmentation == cadence.segmentation,
               s.c.label.in_(sorted(intervals)),
               m.c.active.is_(True),
               ~planned)
        .subquery("due_list")
    )
    week_start = literal(week.start, Date)
    return insert(work["candidates"]).from_select(
        ["customer_id", "manager_id", "territory", "label", "interval_days", "last_visit",
         "due", "overdue", "never"],
        select(due_list.c.customer_id, due_list.c.manager_id, due_list.c.territory,
               due_list.c.label, due_list.c.interval_days, due_list.c.last_visit,
               due_list.c.due, ctx.days_between(due_list.c.due, week_start),
               due_list.c.never)
        .where(or_(due_list.c.never == 1, due_list.c.due <= due_list.c.horizon))
        .order_by(due_list.c.customer_id),
    )

