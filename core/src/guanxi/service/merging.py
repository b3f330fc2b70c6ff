"""Merging a duplicate customer into the one kept (``guanxi customers merge KEEP DROP``).

In one transaction, every record of DROP moves to KEEP: each table of the
database with a ``customer_id`` column (the core's accounts, contacts,
interactions, measurements, tasks, cases, list memberships and spells,
customer team, planned visits, manual labels, and a pack's own tables) has
DROP's rows set to KEEP, one UPDATE a table. A row whose key would collide
with one of KEEP's (the same metric and period measured for both, the same
list, the same team role, the same cadence and week) stays with DROP and is
counted as ``kept_apart``: KEEP's own figure is not overwritten or summed.

What stays with DROP, on purpose: its computed labels and label history
(``segments``, ``segment_history``: the engines label KEEP again from the
merged records at their next run and end DROP's labels, since they give a
merged customer no label and no task (``engines.running.leave_out_merged``);
and ``ctx.label_at`` must not read two customers' changes as one history), and its ownership history (KPIs
credit each day to whoever owned *that* customer; DROP's open ownership
period ends on the merge day). DROP's open tasks held by DROP's owner go to
KEEP's owner, as in a handover. KEEP's fields gain those only DROP had.

DROP is never deleted: its status becomes ``merged`` and its id stays in
``customer_aliases`` pointing at KEEP, with the day and the reason (the
figures moved); a later import naming DROP lands on KEEP
(:mod:`guanxi.storage.aliases`), and KEEP's 360° view lists the merge.
"""

from __future__ import annotations

import datetime as dt
import json

import attrs
from sqlalchemy import and_, column, exists, insert, inspect, select, table, update

from guanxi.errors import NotFoundError, UsageError, did_you_mean
from guanxi.storage import tables as t

#: Tables whose DROP rows never move (see the module docstring).
STAYS = {"customers", "customer_aliases", "segments", "segment_history", "ownership"}
#: The status a merged customer keeps.
MERGED = "merged"


@attrs.frozen(kw_only=True)
class MergeResult:
    """A merge: what moved from ``dropped`` to ``kept`` and what stayed apart, by table."""

    kept: str
    dropped: str
    on: dt.date
    moved: dict
    kept_apart: dict
    fields_filled: tuple
    reason: str

    def as_json(self) -> dict:
        return attrs.asdict(self)


def _customer(conn, customer_id: str, role: str):
    c, a = t.customers, t.customer_aliases
    row = conn.execute(select(c).where(c.c.id == customer_id)).first()
    alias = conn.execute(select(a).where(a.c.alias == customer_id)).first()
    if alias is not None:
        raise UsageError(f"{role} {customer_id!r} was merged into {alias.customer_id!r} on "
                         f"{alias.merged_on}; name {alias.customer_id!r} instead")
    if row is None:
        # Candidates from the ids that share the first characters: bounded, on an index.
        start = customer_id[:2]
        near = conn.execute(select(c.c.id).where(c.c.id.like(f"{start}%")).order_by(c.c.id)
                            .limit(2000)).scalars().all() if start else []
        raise NotFoundError(f"no customer with id {customer_id!r}{did_you_mean(customer_id, near)}")
    return row


def _tables_with_customers(conn) -> list[tuple[str, list[list[str]]]]:
    """(table, its keys that include customer_id) for each table with a customer_id column."""
    found = []
    insp = inspect(conn)
    for name in sorted(insp.get_table_names()):
        if name in STAYS or name.startswith(("_", "alembic")):
            continue
        if "customer_id" not in {c["name"] for c in insp.get_columns(name)}:
            continue
        keys = [insp.get_pk_constraint(name).get("constrained_columns") or []]
        keys += [u["column_names"] for u in insp.get_unique_constraints(name)]
        keys += [i["column_names"] for i in insp.get_indexes(name) if i.get("unique")]
        found.append((name, [k for k in keys if "customer_id" in k]))
    return found


def _move(conn, name: str, keys: list[list[str]], keep: str, drop: str) -> tuple[int, int]:
    """Move DROP's rows of one table to KEEP where no key collides; (moved, kept apart)."""
    cols = {c for k in keys for c in k} | {"customer_id"}
    tb = table(name, *[column(c) for c in sorted(cols)])
    other = tb.alias("keep_rows")
    collides = [
        exists().where(other.c.customer_id == keep,
                       *[other.c[c].is_not_distinct_from(tb.c[c]) for c in k if c != "customer_id"])
        for k in keys]
    where = [tb.c.customer_id == drop, *[~x for x in collides]]
    moved = conn.execute(update(tb).where(and_(*where)).values(customer_id=keep)).rowcount
    left = conn.execute(select(tb.c.customer_id).where(tb.c.customer_id == drop)).all()
    return moved, len(left)


def merge(conn, keep: str, drop: str, on: dt.date) -> MergeResult:
    """Merge customer ``drop`` into ``keep`` in the caller's transaction (see the module)."""
    if keep == drop:
        raise UsageError(f"KEEP and DROP are the same customer {keep!r}; name two customers")
    kept_row = _customer(conn, keep, "KEEP")
    drop_row = _customer(conn, drop, "DROP")
    if drop_row.status == MERGED:
        raise UsageError(f"DROP {drop!r} is already merged")
    c, tk, o = t.customers, t.tasks, t.ownership
    # Open tasks held by DROP's owner follow the customer to KEEP's owner.
    if drop_row.manager_id != kept_row.manager_id:
        conn.execute(update(tk).where(tk.c.customer_id == drop, tk.c.status == "open",
                                      tk.c.manager_id.is_not_distinct_from(drop_row.manager_id))
                     .values(manager_id=kept_row.manager_id))
    moved, apart = {}, {}
    for name, keys in _tables_with_customers(conn):
        n, left = _move(conn, name, keys, keep, drop)
        if n:
            moved[name] = n
        if left:
            apart[name] = left
    kept_fields = dict(kept_row.attributes or {})
    filled = tuple(sorted(k for k, v in (drop_row.attributes or {}).items()
                          if v is not None and kept_fields.get(k) is None))
    if filled:
        kept_fields.update({k: drop_row.attributes[k] for k in filled})
        conn.execute(update(c).where(c.c.id == keep).values(attributes=kept_fields))
    conn.execute(update(o).where(o.c.customer_id == drop, o.c.ended_at.is_(None))
                 .values(ended_at=on))
    conn.execute(update(c).where(c.c.id == drop).values(status=MERGED))
    reason = json.dumps({"key": "core.merge", "kept": keep, "dropped": drop,
                         "name": drop_row.name, "on": on.isoformat(), "moved": moved,
                         "kept_apart": apart, "fields": list(filled)}, ensure_ascii=False)
    a = t.customer_aliases
    # An id merged earlier into DROP now points at KEEP too: one hop, always.
    conn.execute(update(a).where(a.c.customer_id == drop).values(customer_id=keep))
    conn.execute(insert(a).values(alias=drop, customer_id=keep, merged_on=on, reason=reason))
    return MergeResult(kept=keep, dropped=drop, on=on, moved=moved, kept_apart=apart,
                       fields_filled=filled, reason=sentence(json.loads(reason), "en"))


#: How each table's rows are named in a merge's sentence.
_NOUNS = {"en": {}, "zh": {"accounts": "账户", "contacts": "联系人", "interactions": "往来记录",
                           "measurements": "指标记录", "tasks": "任务", "cases": "工单",
                           "list_members": "名单成员", "list_spells": "名单记录",
                           "customer_team": "客户团队", "plan_visits": "计划拜访",
                           "segment_overrides": "手工标签"}}


def sentence(figures: dict, language: str = "en") -> str:
    """A merge's stored figures as a sentence (the reason of ``core.merge``)."""
    nouns = _NOUNS.get(language, {})

    def listed(counts: dict) -> str:
        if language == "zh":
            return "、".join(f"{nouns.get(k, k)} {n}" for k, n in counts.items())
        return ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())

    moved = listed(figures.get("moved") or {})
    apart = listed(figures.get("kept_apart") or {})
    fields = ", ".join(figures.get("fields") or [])
    if language == "zh":
        text = (f"{figures['on']} 将 {figures['dropped']}（{figures.get('name') or ''}）"
                f"合并入 {figures['kept']}：移入 {moved or '无'}")
        if apart:
            text += f"；{apart} 与本客户已有记录重合，留在 {figures['dropped']}"
        if fields:
            text += f"；补入字段 {fields}"
        return text
    text = (f"merged {figures['dropped']} ({figures.get('name') or ''}) into {figures['kept']} "
            f"on {figures['on']}: moved {moved or 'nothing'}")
    if apart:
        text += f"; {apart} left with {figures['dropped']} (the same key as {figures['kept']}'s own)"
    if fields:
        text += f"; fields filled from it: {fields}"
    return text
