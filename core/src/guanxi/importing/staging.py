"""The staging table an import streams into, and the SQL checks run on it.

Rows arrive in chunks and go straight into a temporary table (the driver's
``executemany`` on SQLite, ``COPY`` on PostgreSQL). Checks that need the
whole file, duplicate keys and references inside the file, are SQL over
that table, so memory does not grow with the file. Rows that fail a check
are marked with their reason in place; the rejects file is read back from
the same table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    cast,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection

from guanxi.storage.connection import dump_json

STAGE_COLUMNS = ("_line", "_reject", "_reject_column", "_reject_value", "_raw", "_action")


def create_stage(conn: Connection, plan) -> Table:
    """A temporary table with the plan's columns, typed like the target."""
    entity = plan.entity
    md = MetaData()
    cols = [
        Column("_line", Integer, nullable=False),
        Column("_reject", Text),
        Column("_reject_column", String),
        Column("_reject_value", Text),
        Column("_raw", Text),
        Column("_action", String),
    ]
    for pc in plan.table_columns:
        cols.append(Column(pc.name, entity.table.c[pc.name].type))
    if plan.field_columns:
        # The target's own type (JSONB on PostgreSQL): merging the staged
        # document into the stored one needs both of one type.
        cols.append(Column(entity.attributes, entity.table.c[entity.attributes].type))
    stage = Table(f"guanxi_stage_{entity.name}", md, *cols, prefixes=["TEMPORARY"])
    stage.drop(conn, checkfirst=True)
    stage.create(conn)
    return stage


def index_stage(conn: Connection, plan, stage: Table) -> None:
    """Index the key and the references after loading: cheaper than during."""
    from sqlalchemy import Index

    key = [stage.c[k] for k in plan.entity.key if k in stage.c]
    Index(f"ix_{stage.name}_key", *key, stage.c._line).create(conn)
    for column in plan.entity.references:
        if column in stage.c:
            Index(f"ix_{stage.name}_{column}", stage.c[column]).create(conn)


def _sqlite_value(value):
    # The same text SQLAlchemy's SQLite types store, so staged and stored
    # values compare equal.
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def stage_rows(conn: Connection, stage: Table, names: Sequence[str], rows: list[tuple]) -> None:
    """Append rows (tuples in ``names`` order) with the driver's bulk path."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cols = ", ".join(f'"{n}"' for n in names)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            with cursor.copy(f'COPY "{stage.name}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    marks = ", ".join("?" for _ in names)
    cols = ", ".join(f'"{n}"' for n in names)
    # Only dates, datetimes, decimals and booleans need SQLite's stored form;
    # text columns pass as they are (most of a file's cells).
    convert = [i for i, n in enumerate(names) if _needs_sqlite_form(stage.c[n].type)]
    if convert:
        converted = []
        for row in rows:
            row = list(row)
            for i in convert:
                if row[i] is not None:
                    row[i] = _sqlite_value(row[i])
            converted.append(tuple(row))
        rows = converted
    conn.exec_driver_sql(f'INSERT INTO "{stage.name}" ({cols}) VALUES ({marks})', rows)


def _needs_sqlite_form(sql_type) -> bool:
    from sqlalchemy import Boolean, Date, DateTime, Numeric

    return isinstance(sql_type, (Boolean, Date, DateTime, Numeric))


def attributes_json(names: Sequence[str], values: Iterable) -> str:
    """The staged attributes document; empty cells are JSON null (= remove)."""
    doc = {}
    for name, value in zip(names, values):
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        doc[name] = value
    return dump_json(doc)


def raw_json(values: Sequence) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _key_match(stage: Table, other, key: Sequence[str]):
    return and_(*[other.c[k] == stage.c[k] for k in key])


def reject_duplicates(conn: Connection, plan, stage: Table) -> None:
    """A key seen on an earlier good line rejects the later line (never merged)."""
    key = list(plan.entity.key)
    first = stage.alias("first")
    earlier = (
        select(func.min(first.c._line))
        .where(_key_match(stage, first, key), first.c._line < stage.c._line,
               first.c._reject.is_(None))
        .scalar_subquery()
    )
    shown = " ".join(f"{k}" for k in key)
    reason = literal(f"duplicate key ({shown}) in the file: already on line ") + cast(earlier, String)
    conn.execute(
        update(stage)
        .where(stage.c._reject.is_(None), earlier.is_not(None))
        .values(_reject=reason, _reject_column=key[0], _reject_value=cast(stage.c[key[0]], String))
    )


def reject_unknown_references(conn: Connection, plan, stage: Table, entities) -> None:
    """A reference must name a row in the database or a good row of this file."""
    for column, target_name in plan.entity.references.items():
        if column not in stage.c:
            continue
        target = entities[target_name]
        (target_key,) = target.key
        in_db = exists().where(target.table.c[target_key] == stage.c[column])
        condition = and_(stage.c._reject.is_(None), stage.c[column].is_not(None),
                         stage.c[column] != "", ~in_db)
        if target_name == plan.entity.name:
            same = stage.alias("same")
            condition = and_(
                condition,
                ~exists().where(same.c[target_key] == stage.c[column], same.c._reject.is_(None)),
            )
        statement = (
            update(stage)
            .where(condition)
            .values(
                _reject=literal(f"{column} ") + stage.c[column]
                + literal(f" is not the {target_key} of any of {target_name}, in the database or this file"),
                _reject_column=column,
                _reject_value=stage.c[column],
            )
        )
        # A row naming a row of this file that is itself rejected is
        # rejected in turn: repeat until a chain (M2 -> M3 -> unknown) has
        # been followed to its end, since one UPDATE sees the rows as they
        # were before it.
        while conn.execute(statement).rowcount and target_name == plan.entity.name:
            pass
