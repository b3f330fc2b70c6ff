"""The segmentation engine: current labels, their history, overrides, locks.

For one segmentation, in one transaction:

1. the contribution's select fills a work table (one ``INSERT ... SELECT``);
2. manual overrides win over derived labels (BANK-REL: a manager's level);
3. every change is written to history: a new label, a changed one, and a
   customer the select no longer returns, who loses the label;
4. ``segments`` is brought in line: lost labels deleted, new and changed
   rows upserted, unchanged rows left alone.

A period that is locked (TOB-GRADE: grades published for supply) is left
alone by later runs.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import (
    Boolean,
    cast,
    Column,
    Float,
    String,
    Text,
    and_,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    select,
    true,
    update,
)

from guanxi.engines.list_keeping import keep_lists
from guanxi.engines.running import (build_query, context_for, drop_temp_table, failure,
                                     leave_out_merged, prepare_calendar, temp_table)
from guanxi.periods import Period
from guanxi.storage import tables as t

REQUIRED = ("customer_id", "label", "score", "reason")


@attrs.frozen(kw_only=True)
class SegmentRun:
    name: str
    as_of: dt.date
    counts: dict[str, int]
    changed: int
    locked: bool = False

    def as_json(self) -> dict:
        return {"name": self.name, "as_of": self.as_of.isoformat(), "counts": self.counts,
                "changed": self.changed}


def locked_period(conn, name: str, as_of: dt.date) -> str | None:
    """The locked period of ``name`` that contains ``as_of``, if any."""
    from guanxi.periods import parse_period

    locks = conn.execute(
        select(t.segment_locks.c.period).where(t.segment_locks.c.segmentation == name)
    ).scalars()
    for label in locks:
        period = parse_period(label)
        if period.start <= as_of < period.end:
            return label
    return None


def label_counts(conn, name: str) -> dict[str, int]:
    s = t.segments
    rows = conn.execute(
        select(s.c.label, func.count()).where(s.c.segmentation == name)
        .group_by(s.c.label).order_by(s.c.label)
    )
    return {label: n for label, n in rows}


def run_segmentation(rt, seg, as_of: dt.date) -> SegmentRun:
    ctx = context_for(rt, seg, as_of)
    s, o, h = t.segments, t.segment_overrides, t.segment_history
    with rt.engine.connect() as conn:
        period = locked_period(conn, seg.name, as_of)
        if period:
            return SegmentRun(name=seg.name, as_of=as_of, counts=label_counts(conn, seg.name),
                              changed=0, locked=True)
        conn.rollback()  # end the read's implicit transaction; the job opens its own
        query = build_query(seg, ctx, REQUIRED, "segmentation")
        prepare_calendar(rt, ctx)
        work = temp_table(
            "guanxi_new_labels",
            Column("customer_id", t.Key, primary_key=True),
            Column("label", t.Key, nullable=False),
            Column("score", Float),
            Column("reason", Text, nullable=False),
            Column("manual", Boolean, nullable=False),
        )
        try:
            with conn.begin():
                work.drop(conn, checkfirst=True)
                work.create(conn)
                conn.execute(insert(work).from_select(
                    ["customer_id", "label", "score", "reason", "manual"],
                    select(query.c.customer_id, query.c.label, cast(query.c.score, Float),
                           func.coalesce(query.c.reason, ""), false())
                    .where(query.c.label.is_not(None))
                    .order_by(query.c.customer_id),
                ))
                leave_out_merged(conn, work)
                mine = o.c.segmentation == seg.name
                # Most segmentations have no manual label: one probe says so.
                if conn.execute(select(o.c.customer_id).where(mine).limit(1)).first():
                    override = select(o).where(mine, o.c.customer_id == work.c.customer_id)
                    conn.execute(
                        update(work).where(override.exists()).values(
                            label=override.with_only_columns(o.c.label).scalar_subquery(),
                            reason=override.with_only_columns(o.c.reason).scalar_subquery(),
                            manual=true(), score=None,
                        )
                    )
                    conn.execute(insert(work).from_select(
                        ["customer_id", "label", "score", "reason", "manual"],
                        select(o.c.customer_id, o.c.label, literal(None, Float), o.c.reason, true())
                        .where(mine, ~exists().where(work.c.customer_id == o.c.customer_id))
                        .order_by(o.c.customer_id),
                    ))
                current = and_(s.c.segmentation == seg.name, s.c.customer_id == work.c.customer_id)
                old_label = select(s.c.label).where(current).scalar_subquery()
                differs = old_label.is_distinct_from(work.c.label)
                gone = and_(s.c.segmentation == seg.name,
                            ~exists().where(work.c.customer_id == s.c.customer_id))
                # Every change is one history row: the inserts count the changes
                # (SQLAlchemy keeps an INSERT's row count when asked to).
                counted = {"preserve_rowcount": True}
                changed = conn.execute(insert(h).from_select(
                    ["segmentation", "customer_id", "old_label", "new_label", "changed_on", "reason"],
                    select(literal(seg.name), work.c.customer_id, old_label, work.c.label,
                           literal(as_of), work.c.reason)
                    .where(differs)
                    .order_by(work.c.customer_id),
                ), execution_options=counted).rowcount
                lost = conn.execute(insert(h).from_select(
                    ["segmentation", "customer_id", "old_label", "new_label", "changed_on", "reason"],
                    select(literal(seg.name), s.c.customer_id, s.c.label, literal(None, String),
                           literal(as_of), ctx.reason("core.no_longer_qualifies"))
                    .where(gone).order_by(s.c.customer_id),
                ), execution_options=counted).rowcount
                changed += lost
                if lost:
                    conn.execute(delete(s).where(gone))
                _upsert_labels(conn, work, seg.name, as_of)
                if seg.keeps_lists:
                    keep_lists(conn, seg, as_of)
                counts = label_counts(conn, seg.name)
        except Exception as exc:
            raise failure(seg, "segmentation", exc) from exc
        finally:
            drop_temp_table(conn, work)
    return SegmentRun(name=seg.name, as_of=as_of, counts=counts, changed=changed)


def _upsert_labels(conn, work, name: str, as_of: dt.date) -> None:
    s = t.segments
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(s).from_select(
        ["segmentation", "customer_id", "label", "score", "reason", "as_of", "manual"],
        select(literal(name), work.c.customer_id, work.c.label, work.c.score, work.c.reason,
               literal(as_of), work.c.manual)
        .where(true())
        .order_by(work.c.customer_id),
    )
    ex = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["segmentation", "customer_id"],
        set_={"label": ex.label, "score": ex.score, "reason": ex.reason, "as_of": ex.as_of,
              "manual": ex.manual},
        where=(s.c.label.is_distinct_from(ex.label) | s.c.score.is_distinct_from(ex.score)
               | s.c.reason.is_distinct_from(ex.reason) | s.c.manual.is_distinct_from(ex.manual)),
    )
    conn.execute(stmt)


def set_override(rt, name: str, customer_id: str, label: str, reason: str,
                 set_by: str | None = None) -> None:
    """A manager's label for a customer: wins over the derived one until cleared."""
    o = t.segment_overrides
    with rt.engine.begin() as conn:
        conn.execute(delete(o).where(o.c.segmentation == name, o.c.customer_id == customer_id))
        conn.execute(insert(o).values(segmentation=name, customer_id=customer_id, label=label,
                                      reason=reason, set_by=set_by, set_at=rt.now()))


def clear_override(rt, name: str, customer_id: str) -> bool:
    o = t.segment_overrides
    with rt.engine.begin() as conn:
        return bool(conn.execute(
            delete(o).where(o.c.segmentation == name, o.c.customer_id == customer_id)
        ).rowcount)


def lock_period(rt, name: str, period: Period) -> None:
    """Freeze ``name``'s labels for ``period``: later runs in it change nothing."""
    lk = t.segment_locks
    with rt.engine.begin() as conn:
        conn.execute(delete(lk).where(lk.c.segmentation == name, lk.c.period == period.label))
        conn.execute(insert(lk).values(segmentation=name, period=period.label, locked_at=rt.now()))
