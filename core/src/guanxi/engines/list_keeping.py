"""Named lists a segmentation keeps: members join and leave with a label.

A segmentation may declare ``keeps_lists={"C": "bad_credit"}``: after each
run, every customer with the label is on the list (added the as-of day) and
every member the segmentation put there who no longer has it leaves it
(``removed_at`` the as-of day). The list stays the core's named list
(名单制, POWER-VIP and POWER-CREDIT): ``guanxi customers show`` gives the
dates it joined and left, ``--by list:NAME`` scopes KPIs by it, and members
added by hand or by import (another ``note``) are never removed by the
segmentation. Set-based: three statements per list, whatever the base.

A customer who leaves and joins again gets a new ``added_at`` and an empty
``removed_at`` (a list keeps one membership per customer); the
segmentation's label history keeps every change with its date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, insert, literal, or_, select, update

from guanxi.storage import tables as t


def kept_note(segmentation: str) -> str:
    """The ``note`` of members a segmentation put on a list: what it may remove."""
    return f"kept by {segmentation}"


def keep_lists(conn, seg, as_of: dt.date) -> None:
    """Bring each list ``seg.keeps_lists`` names in line with the current labels."""
    s, lm = t.segments, t.list_members
    note = kept_note(seg.name)
    for label, name in sorted(seg.keeps_lists.items()):
        labelled = and_(s.c.segmentation == seg.name, s.c.label == label)
        has_label = exists().where(labelled, s.c.customer_id == lm.c.customer_id)
        member = and_(lm.c.list == name, lm.c.customer_id == s.c.customer_id)
        # Joined again after leaving: a new membership from today.
        conn.execute(update(lm).where(
            lm.c.list == name, lm.c.removed_at.is_not(None), lm.c.note == note, has_label,
        ).values(added_at=as_of, removed_at=None))
        conn.execute(insert(lm).from_select(
            ["list", "customer_id", "added_at", "note"],
            select(literal(name), s.c.customer_id, literal(as_of), literal(note))
            .where(labelled, ~exists().where(member))
            .order_by(s.c.customer_id),
        ))
        # Left: the label changed or went; only the members this segmentation put there.
        conn.execute(update(lm).where(
            lm.c.list == name, lm.c.note == note, lm.c.removed_at.is_(None), ~has_label,
            or_(lm.c.added_at.is_(None), lm.c.added_at <= as_of),
        ).values(removed_at=as_of))
