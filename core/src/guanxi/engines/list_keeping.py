"""Named lists a segmentation or a rule keeps: members join and leave, dated.

A segmentation may declare ``keeps_lists={"C": "bad_credit"}``: after each
run, every customer with the label is on the list (added the as-of day) and
every member the segmentation put there who no longer has it leaves it
(``removed_at`` the as-of day). The list stays the core's named list
(名单制, POWER-VIP and POWER-CREDIT): ``guanxi customers show`` gives the
dates it joined and left, ``--by list:NAME`` scopes KPIs by it, and members
added by hand or by import (another ``note``) are never removed by the
segmentation. A service rule's ``adds_to_list`` puts its customers on a
list the same way (BANK-CHURN's watch list). Set-based: a few statements
per list, whatever the base.

Membership is dated spell by spell. ``list_members`` holds each customer's
latest spell on a list (one row per list and customer, the importer's
key); a member who left and joins again first moves the spell before to
``list_spells``, then gets a new ``added_at`` and an empty ``removed_at``.
So "was C1 on bad_credit on day D" is known for every past day: a spell
covers D when ``added_at <= D < removed_at`` (``ctx.on_list(name, id,
day)``), and :func:`spells` gives a customer's every spell.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, insert, literal, or_, select, union_all, update

from guanxi.storage import tables as t


def kept_note(segmentation: str) -> str:
    """The ``note`` of members a segmentation put on a list: what it may remove."""
    return f"kept by {segmentation}"


def covers(table, day):
    """A spell row of ``table`` (list_members or list_spells) covers ``day`` (SQL date)."""
    return and_(or_(table.c.added_at.is_(None), table.c.added_at <= day),
                or_(table.c.removed_at.is_(None), table.c.removed_at > day))


def on_list_at(name: str, customer_id, day):
    """SQL: the customer was on the named list on ``day``, in any of its spells."""
    conditions = []
    for table, alias in ((t.list_members, "list_member"), (t.list_spells, "list_spell")):
        m = table.alias(alias)
        conditions.append(exists().where(m.c.list == name, m.c.customer_id == customer_id,
                                         covers(m, day)))
    return or_(*conditions)


def _close_spells(conn, name: str, rejoining, as_of: dt.date):
    """Copy the ended spell of each member ``rejoining`` selects to ``list_spells``;
    returns the condition on ``list_members`` that finds them, to start their new one."""
    lm, ls = t.list_members, t.list_spells
    ended = and_(lm.c.list == name, lm.c.removed_at.is_not(None), lm.c.removed_at <= as_of,
                 rejoining)
    conn.execute(insert(ls).from_select(
        ["list", "customer_id", "added_at", "removed_at", "note"],
        select(lm.c.list, lm.c.customer_id, lm.c.added_at, lm.c.removed_at, lm.c.note)
        .where(ended).order_by(lm.c.customer_id)))
    return ended


def keep_lists(conn, seg, as_of: dt.date) -> None:
    """Bring each list ``seg.keeps_lists`` names in line with the current labels."""
    s, lm = t.segments, t.list_members
    note = kept_note(seg.name)
    for label, name in sorted(seg.keeps_lists.items()):
        labelled = and_(s.c.segmentation == seg.name, s.c.label == label)
        has_label = exists().where(labelled, s.c.customer_id == lm.c.customer_id)
        member = and_(lm.c.list == name, lm.c.customer_id == s.c.customer_id)
        # Joined again after leaving: the spell before is kept, a new one starts today.
        ended = _close_spells(conn, name, and_(lm.c.note == note, has_label), as_of)
        conn.execute(update(lm).where(ended).values(added_at=as_of, removed_at=None, note=note))
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


def add_members(conn, name: str, customer_ids, as_of: dt.date, note: str) -> None:
    """Put the customers the one-column select ``customer_ids`` gives on the list.

    Members stay as they are; one who left gets a new spell from ``as_of``
    (the spell before is kept); the others join ``as_of``.
    """
    lm = t.list_members
    wanted = lm.c.customer_id.in_(customer_ids)
    ended = _close_spells(conn, name, wanted, as_of)
    conn.execute(update(lm).where(ended).values(added_at=as_of, removed_at=None, note=note))
    ids = customer_ids.subquery("joining")
    (cid,) = ids.c
    current = exists().where(lm.c.list == name, lm.c.customer_id == cid)
    conn.execute(insert(lm).from_select(
        ["list", "customer_id", "added_at", "note"],
        select(literal(name), cid, literal(as_of), literal(note))
        .where(~current, cid.is_not(None)).group_by(cid).order_by(cid),
    ))


def archive_replaced_spells(conn, incoming) -> None:
    """Keep the ended spell an imported row would overwrite.

    ``incoming`` selects (list, customer_id, added_at) of the rows an import
    is about to write over ``list_members``. A stored spell that has ended
    and is followed by one starting on or after its end (a member who left
    and is on the list again) moves to ``list_spells`` first, as when a
    segmentation puts a member back. A row that corrects the spell itself
    (the same start, or a start before the stored end) replaces it.
    """
    lm, ls = t.list_members, t.list_spells
    new = incoming.subquery("incoming_spell")
    later = and_(lm.c.list == new.c.list, lm.c.customer_id == new.c.customer_id,
                 lm.c.removed_at.is_not(None), new.c.added_at.is_not(None),
                 new.c.added_at >= lm.c.removed_at)
    conn.execute(insert(ls).from_select(
        ["list", "customer_id", "added_at", "removed_at", "note"],
        select(lm.c.list, lm.c.customer_id, lm.c.added_at, lm.c.removed_at, lm.c.note)
        .select_from(lm.join(new, later)).order_by(lm.c.list, lm.c.customer_id)))


def spells(customer_id=None, name: str | None = None):
    """Every spell (list, customer_id, added_at, removed_at, note): latest and earlier ones."""
    parts = []
    for table in (t.list_members, t.list_spells):
        part = select(table.c.list, table.c.customer_id, table.c.added_at.label("added_at"),
                      table.c.removed_at.label("removed_at"), table.c.note)
        if customer_id is not None:
            part = part.where(table.c.customer_id == customer_id)
        if name is not None:
            part = part.where(table.c.list == name)
        parts.append(part)
    every = union_all(*parts).subquery("spells")
    return select(every).order_by(every.c.list, every.c.customer_id,
                                  every.c.added_at.is_(None).desc(), every.c.added_at)

