"""The record engine: a record rule's select becomes rows of its pack's table, once.

For one :class:`~guanxi.RecordRule`, in one transaction: the rows of its
select whose ``key`` is not yet in its table are inserted, in one
``INSERT ... SELECT``; the rest are left as they are (a record already
made, sent or edited stays). So the daily batch may run it every day and a
second run the same day adds nothing. The pack's customer filter applies
as it does to service rules: a row of a customer the pack does not serve
is never added. The query builder only reads; this engine writes.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import and_, exists, insert, select

from guanxi.engines.running import build_query, context_for, failure, prepare_calendar
from guanxi.errors import PackError


@attrs.frozen(kw_only=True)
class RecordRun:
    rule: str
    created: int

    def as_json(self) -> dict:
        return attrs.asdict(self)


def _columns(rule, query) -> list[str]:
    """The select's column names, each checked to be a column of the rule's table."""
    names = list(query.c.keys())
    unknown = [n for n in names if n not in rule.table.c]
    if unknown:
        raise PackError(
            f"record rule {rule.name!r} of pack {rule.pack!r} returns column(s) "
            f"{', '.join(unknown)}, which table {rule.table.name!r} lacks; its columns: "
            f"{', '.join(rule.table.c.keys())}")
    return names


def run_record_rule(rt, rule, as_of: dt.date) -> RecordRun:
    """Add the rows of ``rule``'s select not yet in its table; returns how many."""
    ctx = context_for(rt, rule, as_of)
    query = build_query(rule, ctx, rule.key, "record rule")
    prepare_calendar(rt, ctx)
    names = _columns(rule, query)
    table = rule.table
    made = exists().where(and_(*[table.c[k] == query.c[k] for k in rule.key]))
    with rt.engine.connect() as conn:
        try:
            with conn.begin():
                created = conn.execute(
                    insert(table).from_select(
                        names, select(*[query.c[n] for n in names]).where(~made)
                        .order_by(*[query.c[k] for k in rule.key])),
                    execution_options={"preserve_rowcount": True}).rowcount
        except Exception as exc:
            raise failure(rule, "record rule", exc) from exc
    return RecordRun(rule=rule.name, created=created)
