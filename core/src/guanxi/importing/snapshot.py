"""``--snapshot``: the file is the whole set, so what it leaves out is gone.

A customer, account or contact in the database (within ``--scope``) that
is still live and whose id no row of the file names (an anti-join against
the staging table, rejected rows included: a row refused for a bad value
still names its id) is marked gone on the import day, never deleted:

=========  ==================================  ==========================
entity     live                                gone
=========  ==================================  ==========================
customers  ``status`` is not ``lost``          ``status = lost``
accounts   ``status`` is not ``closed``        ``status = closed``, ``closed_at`` the day
                                               (kept if set), a row in the
                                               account status history
contacts   ``active`` and no ``ended_at``      ``active = false``, ``ended_at`` the day
=========  ==================================  ==========================

More than :data:`MAX_GONE_SHARE` of the live rows in scope gone stops the
import (nothing is written) unless ``force``: a file cut short, or one
branch's export given without ``--scope``, would otherwise end thousands.
"""

from __future__ import annotations

from sqlalchemy import and_, func, literal, or_, select, true, update
from sqlalchemy.dialects.postgresql import JSONB

from guanxi.errors import GuanxiError
from guanxi.storage import tables as t

__all__ = ["MAX_GONE_SHARE", "gone_rows", "mark_gone"]

MAX_GONE_SHARE = 0.10


def _live(entity_name: str):
    """The table and what a row still live in it is (the module docstring's table)."""
    if entity_name == "customers":
        return t.customers, t.customers.c.status != "lost"
    if entity_name == "accounts":
        return t.accounts, or_(t.accounts.c.status.is_(None), t.accounts.c.status != "closed")
    return t.contacts, and_(t.contacts.c.active == true(), t.contacts.c.ended_at.is_(None))


def _in_scope(target, scope):
    """Rows of ``target`` the file stands for: all, or one territory, team or manager's."""
    if scope is None:
        return true()
    key, value = scope
    c = t.customers
    if key == "territory":
        condition = c.c.territory == value
    elif key == "manager":
        condition = c.c.manager_id == value
    else:
        condition = c.c.manager_id.in_(select(t.managers.c.id).where(t.managers.c.team_id == value))
    if target is t.customers:
        return condition
    return target.c.customer_id.in_(select(c.c.id).where(condition))


def _named_ids(importer):
    """The ids the file names: staged, or in a refused row's raw cells."""
    stage, conn = importer.table, importer.conn
    index = next(pc.index for pc in importer.plan.columns if pc.name == "id")
    if conn.dialect.name == "postgresql":
        raw = stage.c._raw.cast(JSONB)[index].astext
    else:
        raw = func.json_extract(stage.c._raw, f"$[{index}]")
    return select(func.coalesce(stage.c.id, raw)).where(
        or_(stage.c.id.is_not(None), stage.c._raw.is_not(None)))


def _gone_condition(importer, options):
    target, live = _live(importer.entity.name)
    return target, and_(live, _in_scope(target, options.scope),
                        target.c.id.not_in(_named_ids(importer)))


def gone_rows(importer, options, source_name: str) -> int:
    """How many rows the snapshot marks gone; raises past the share without ``force``."""
    target, condition = _gone_condition(importer, options)
    conn = importer.conn
    gone = conn.execute(select(func.count()).select_from(target).where(condition)).scalar_one()
    _, live = _live(importer.entity.name)
    total = conn.execute(select(func.count()).select_from(target).where(
        live, _in_scope(target, options.scope))).scalar_one()
    if gone and gone > MAX_GONE_SHARE * total and not options.force:
        scope = f" of {options.scope[0]} {options.scope[1]}" if options.scope else ""
        raise GuanxiError(
            f"{source_name}: as a snapshot it would mark {gone} of {total} live "
            f"{importer.entity.name}{scope} gone ({gone / total:.0%}, more than "
            f"{MAX_GONE_SHARE:.0%}); nothing was written: check the file is the whole set, "
            "limit it with --scope, or pass --force")
    return gone


def mark_gone(importer, options, day) -> None:
    """Mark the rows gone (see the module docstring), set-based, on ``day``."""
    target, condition = _gone_condition(importer, options)
    conn = importer.conn
    if target is t.customers:
        conn.execute(update(target).where(condition).values(status="lost"))
    elif target is t.accounts:
        ids = select(target.c.id).where(condition)
        # The history first, while the condition still finds the accounts.
        history = t.account_status_history
        conn.execute(history.delete().where(history.c.account_id.in_(ids),
                                            history.c.started_on == day))
        conn.execute(history.insert().from_select(
            ["account_id", "started_on", "status", "source"],
            select(target.c.id, literal(day), literal("closed"), literal("snapshot"))
            .where(condition)))
        conn.execute(update(target).where(condition).values(
            status="closed", closed_at=func.coalesce(target.c.closed_at, day)))
    else:
        conn.execute(update(target).where(condition).values(active=False, ended_at=day))
