"""Ids of merged customers, resolved: an import naming a merged customer lands on the one kept.

``guanxi customers merge KEEP DROP`` leaves DROP's id in ``customer_aliases``
pointing at KEEP. The importer calls :func:`land_on_kept_customers` once its
rows are staged: one UPDATE per column that names a customer (the key of a
customers file, a ``customer_id`` of any other entity) rewrites aliases to
the customer kept, before the file's keys and references are checked.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import Table

from guanxi.storage import tables as t


def customer_columns(entity, names: Sequence[str]) -> list[str]:
    """The columns among ``names`` of ``entity`` that hold a customer's id."""
    columns = [column for column, target in entity.references.items()
               if target == "customers" and column in names]
    if entity.table is t.customers and "id" in names:
        columns.insert(0, "id")
    return columns


def land_on_kept_customers(conn: Connection, stage: Table, entity,
                           names: Sequence[str]) -> bool:
    """Rewrite merged customers' ids in the staged rows to the customers kept.

    :return: whether a key column changed (the stage's key order is then
        no longer known, and duplicates must be looked for).
    """
    columns = customer_columns(entity, names)
    a = t.customer_aliases
    # One indexed probe when nothing was ever merged: the plain path stays as fast.
    if not columns or not conn.execute(select(exists().where(a.c.alias.is_not(None)))).scalar():
        return False
    key_changed = False
    for column in columns:
        kept = select(a.c.customer_id).where(a.c.alias == stage.c[column]).scalar_subquery()
        changed = conn.execute(
            update(stage).where(stage.c[column].in_(select(a.c.alias))).values({column: kept})
        ).rowcount
        key_changed = key_changed or bool(changed and column in entity.key)
    return key_changed
