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
    # On SQLite the line is the rowid (INTEGER PRIMARY KEY): rows append in
    # line order, and paging by line needs no index.
    line_key = conn.dialect.name == "sqlite"
    cols = [
        Column("_line", Integer, nullable=False, primary_key=line_key, autoincrement=False),
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
    """Index the key after loading: cheaper than during.

    The key index serves the duplicate check and the upsert's ORDER BY;
    references are checked by probing the referenced table's key, so the
    reference columns need no index here. The index is built unique first:
    when that succeeds the file has no duplicate key, and the duplicate
    check has nothing left to do (``stage.info["unique_key"]``).
    """
    from sqlalchemy import Index
    from sqlalchemy.exc import IntegrityError

    key = [stage.c[k] for k in plan.entity.key if k in stage.c]
    sqlite = conn.dialect.name == "sqlite"
    try:
        if sqlite:
            # A failed CREATE INDEX undoes only itself on SQLite.
            Index(f"ix_{stage.name}_key", *key, unique=True).create(conn)
        else:
            with conn.begin_nested():
                Index(f"ix_{stage.name}_key", *key, unique=True).create(conn)
        stage.info["unique_key"] = True
        return
    except IntegrityError:
        stage.info["unique_key"] = False
    # On SQLite every index entry ends with the rowid, which is the line.
    Index(f"ix_{stage.name}_key", *key, *([] if sqlite else [stage.c._line])).create(conn)


def index_lines(conn: Connection, stage: Table) -> None:
    """What paging the stage by line needs (SQLite's rowid already is the line)."""
    if conn.dialect.name != "sqlite":
        from sqlalchemy import Index

        Index(f"ix_{stage.name}_line", stage.c._line).create(conn)


def stage_rows(conn: Connection, stage: Table, names: Sequence[str], rows: list[tuple],
               *, converted: bool = False) -> None:
    """Append rows (tuples in ``names`` order) with the driver's bulk path.

    ``converted``: the values are already in the form SQLite stores them
    (:func:`guanxi.importing.vectors.sqlite_form`).
    """
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
    if not converted:
        from guanxi.importing.vectors import _sqlite_value

        rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
    conn.exec_driver_sql(f'INSERT INTO "{stage.name}" ({cols}) VALUES ({marks})', rows)


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
    if stage.info.get("unique_key"):
        return  # the unique key index was built: no key appears twice
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
        named = and_(stage.c[column].is_not(None), stage.c[column] != "")
        if (target_name != plan.entity.name and conn.dialect.name == "sqlite"
                and column == plan.entity.key[0]):
            # The key index lists this column's values in order: check each
            # value named once (a customer's 12 measurements: one probe),
            # and mark rows only if one is unknown.
            values = select(stage.c[column].label("value")).where(named).distinct().subquery()
            unknown = conn.execute(
                select(literal(1)).select_from(values)
                .where(~exists().where(target.table.c[target_key] == values.c.value)).limit(1)
            ).first()
            if unknown is None:
                continue
        condition = and_(stage.c._reject.is_(None), named, ~in_db)
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
