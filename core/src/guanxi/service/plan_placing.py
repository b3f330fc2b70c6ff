"""Step 3 of a cadence's week: which due visits fit, and on which day each goes.

Per manager the most urgent fit the week's free places (SQL); with
territory grouping each territory goes whole on the first day with room
for it (rule TOB-PLAN), a first fit run in Python over a manager's
territories and days, never over customers.
"""

from __future__ import annotations

import attrs
from sqlalchemy import and_, func, insert, literal, select

from guanxi.service.plan_reasons import reason_sql


def chosen_insert(work, cadence):
    """Which visits the week holds: per manager, the most urgent that fit.

    Urgency: never visited first, then by days overdue, ties by customer
    id. Grouping decides the day, never who fits. Each kept visit is
    numbered within its group (its territory, or one group without
    grouping) by the same urgency: the spans give each number its day.
    """
    cand, slots = work["candidates"], work["slots"]
    capacity = (
        select(slots.c.manager_id, func.max(slots.c.last_slot).label("capacity"))
        .group_by(slots.c.manager_id)
        .subquery("capacity")
    )
    urgent_first = (cand.c.never.desc(), cand.c.overdue.desc(), cand.c.customer_id)
    urgency = func.row_number().over(partition_by=cand.c.manager_id, order_by=urgent_first)
    if cadence.group_by == "territory":
        # No territory and an empty one are the same: no group to keep to.
        group_key = func.coalesce(cand.c.territory, literal(""))
    else:
        group_key = literal("")
    ranked = select(cand, urgency.label("urgency"), group_key.label("group_key")).subquery("ranked")
    chosen = (
        select(ranked)
        .join(capacity, capacity.c.manager_id == ranked.c.manager_id)
        .where(ranked.c.urgency <= capacity.c.capacity)
        .subquery("chosen")
    )
    n = func.row_number().over(partition_by=(chosen.c.manager_id, chosen.c.group_key),
                               order_by=chosen.c.urgency)
    columns = ["customer_id", "manager_id", "territory", "group_key", "label", "interval_days",
               "last_visit", "due", "overdue", "never"]
    return insert(work["chosen"]).from_select(
        [*columns, "n"],
        select(*[chosen.c[name] for name in columns], n).order_by(chosen.c.customer_id),
    )


@attrs.frozen
class _Group:
    """The kept visits of one manager's territory: how many, how urgent."""

    manager_id: str
    key: str
    size: int
    never: int
    overdue: int | None

    def order(self):
        # rule TOB-PLAN grouping: territories in order of their most overdue
        # customer (never visited first), ties by name; no territory last.
        most_overdue = 0 if self.never else -(self.overdue or 0)
        return (self.key == "", -self.never, most_overdue, self.key)


def day_spans(conn, work) -> list[dict]:
    """Which numbers of each group go on which day (rule TOB-PLAN grouping).

    Each territory, most overdue first, goes whole on the first working day
    whose free places hold all of it; a territory no day can hold (larger
    than a day's free places), and the customers without a territory, fill
    the free places in day order. Python runs over groups and days (a
    manager's territories, never customers): first fit is sequential.
    """
    chosen, slots = work["chosen"], work["slots"]
    free: dict[str, list[list]] = {}
    for manager_id, day, places in conn.execute(
            select(slots.c.manager_id, slots.c.day, slots.c.free)
            .where(slots.c.free > 0).order_by(slots.c.manager_id, slots.c.day)):
        free.setdefault(manager_id, []).append([day, places])
    groups = [_Group(*row) for row in conn.execute(
        select(chosen.c.manager_id, chosen.c.group_key, func.count(), func.max(chosen.c.never),
               func.max(chosen.c.overdue))
        .group_by(chosen.c.manager_id, chosen.c.group_key))]
    spans = []
    for group in sorted(groups, key=lambda g: (g.manager_id, g.order())):
        spans += _place_group(group, free.get(group.manager_id, []))
    return spans


def _place_group(group: _Group, days: list[list]) -> list[dict]:
    """Spans of one group over a manager's days; ``days`` ([day, free]) is used up."""
    whole = None if group.key == "" else next(
        (d for d in days if d[1] >= group.size), None)
    spans, n = [], 1
    for d in [whole] if whole is not None else days:
        take = min(d[1], group.size - n + 1)
        if take <= 0:
            continue
        spans.append({"manager_id": group.manager_id, "group_key": group.key, "day": d[0],
                      "first_n": n, "last_n": n + take - 1})
        d[1] -= take
        n += take
        if n > group.size:
            break
    return spans


def placed_insert(rt, work, cadence):
    """Each kept visit on the day its group's span gives its number, with its reason."""
    chosen, spans, placed = work["chosen"], work["spans"], work["placed"]
    segment_title = rt.plugins.segmentations()[cadence.segmentation].title
    reason = reason_sql(segment_title, chosen)
    return insert(placed).from_select(
        ["customer_id", "manager_id", "day", "territory", "reason"],
        select(chosen.c.customer_id, chosen.c.manager_id, spans.c.day, chosen.c.territory,
               reason)
        .select_from(chosen.join(spans, and_(
            spans.c.manager_id == chosen.c.manager_id,
            spans.c.group_key == chosen.c.group_key,
            chosen.c.n >= spans.c.first_n,
            chosen.c.n <= spans.c.last_n,
        )))
        .order_by(chosen.c.customer_id),
    )

