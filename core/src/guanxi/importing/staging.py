"""The staging table an import streams into, and the SQL checks run on it.

Rows arrive in chunks and go straight into a temporary table (the driver's
``executemany`` on SQLite, one ``COPY`` per file on PostgreSQL:
:class:`StageWriter`). Checks that need the whole file, duplicate keys and
references inside the file, are SQL over that table, so memory does not
grow with the file. Rows that fail a check are marked with their reason in
place; the rejects file is read back from the same table.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection

from guanxi.storage import tables
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


def mark_unique(stage: Table) -> None:
    """The stage holds each key once, in key order (checked as it was filled): no index."""
    stage.info["unique_key"] = True
    stage.info["indexed"] = False


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
    stage.info["indexed"] = True
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


def analyze_stage(conn: Connection, stage: Table) -> None:
    """PostgreSQL: statistics for the stage, so the checks and the move join it well.

    Autovacuum never analyzes a temporary table; without statistics the
    planner takes a stage of 150,000 rows for a few hundred and probes the
    referenced table's index once per row (138 ms) where a hash join takes
    36 ms, plus 37 ms for ANALYZE, which samples a fixed number of rows.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f'ANALYZE "{stage.name}"')


def index_lines(conn: Connection, stage: Table) -> None:
    """What paging the stage by line needs (SQLite's rowid already is the line)."""
    if conn.dialect.name != "sqlite":
        from sqlalchemy import Index

        Index(f"ix_{stage.name}_line", stage.c._line).create(conn)


REJECT_NAMES = ("_reject", "_reject_column", "_reject_value", "_raw")


class StageWriter:
    """Rows into the stage with the driver's bulk path, a chunk at a time.

    SQLite: ``executemany`` per chunk. PostgreSQL: one ``COPY`` for the
    whole file, its text built a column at a time (:func:`copy_text`), so
    the server stores one chunk while the next one is being converted.
    Good rows come as columns in ``names`` order (``_line`` first, values
    in the form the database stores them); refused rows as
    ``(line, reason, column, value, raw)``.
    """

    def __init__(self, conn: Connection, stage: Table, names: Sequence[str]) -> None:
        self.conn = conn
        self.stage = stage
        self.names = list(names)
        self.postgres = conn.dialect.name == "postgresql"
        self._cursor = None
        self._copy = None

    def good(self, columns: Sequence[Sequence]) -> None:
        if not columns or not columns[0]:
            return
        if self.postgres:
            blank = ["\\N"] * len(columns[0])
            self._write([copy_text(c) for c in columns] + [blank] * len(REJECT_NAMES))
            return
        self._insert(self.names, list(zip(*columns)))

    def refused(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.postgres:
            line, reason, column, value, raw = (list(c) for c in zip(*rows))
            blank = ["\\N"] * len(rows)
            self._write([copy_text(line)] + [blank] * (len(self.names) - 1)
                        + [copy_text(c) for c in (reason, column, value, raw)])
            return
        self._insert(["_line", *REJECT_NAMES], rows)

    def close(self, error: BaseException | None = None) -> None:
        """End the COPY: the stage holds every row written (or, after ``error``, abandon it)."""
        if self._copy is not None:
            self._copy = None
            self._opened.__exit__(type(error) if error else None, error,
                                  error.__traceback__ if error else None)
        if self._cursor is not None:
            cursor, self._cursor = self._cursor, None
            cursor.close()

    def _write(self, text_columns: list[list[str]]) -> None:
        if self._copy is None:
            cols = ", ".join(f'"{n}"' for n in (*self.names, *REJECT_NAMES))
            self._cursor = self.conn.connection.dbapi_connection.cursor()
            self._opened = self._cursor.copy(f'COPY "{self.stage.name}" ({cols}) FROM STDIN')
            self._copy = self._opened.__enter__()
        self._copy.write("\n".join(map("\t".join, zip(*text_columns))) + "\n")

    def _insert(self, names: Sequence[str], rows: list[tuple]) -> None:
        marks = ", ".join("?" for _ in names)
        cols = ", ".join(f'"{n}"' for n in names)
        self.conn.exec_driver_sql(f'INSERT INTO "{self.stage.name}" ({cols}) VALUES ({marks})',
                                  rows)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_cell(value) -> str:
    """One value in COPY's text format (the slow way, for a column of mixed types)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, (dt.date, int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value).translate(_COPY_ESCAPES)


def copy_text(values: Sequence) -> list[str]:
    """A column's values in COPY's text format, converted as one column where it can be."""
    kinds = set(map(type, values))
    if type(None) in kinds:
        # (Not ``None in values``: that compares each Decimal with None, slowly.)
        kinds.discard(type(None))
        present = [v for v in values if v is not None]
    else:
        present = values
    if not present:
        return ["\\N"] * len(values)
    if kinds == {str}:
        text = "\x00".join(present)
        if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
            out = [v.translate(_COPY_ESCAPES) for v in present]
        else:
            out = list(present)
    elif kinds <= {int, Decimal} or kinds == {dt.date}:
        out = list(map(str, present))
    elif kinds == {dt.datetime}:
        out = [v.isoformat(" ") for v in present]
    elif kinds == {bool}:
        out = ["t" if v else "f" for v in present]
    else:
        return [_copy_cell(v) for v in values]
    if len(out) == len(values):
        return out
    it = iter(out)
    return ["\\N" if v is None else next(it) for v in values]


def attributes_json(names: Sequence[str], columns: Sequence[Sequence]) -> list[str]:
    """Each row's staged attributes document, built a column at a time.

    ``columns`` holds one list of values per name. The text is what
    :func:`~guanxi.storage.connection.dump_json` writes for the row's
    ``{name: value}`` (keys sorted, compact, Chinese kept; empty cells are
    JSON null, which removes the attribute), so that re-imported documents
    compare equal. One ``json.dumps`` per row cost more than the rest of
    staging together for a pack's file of a few sector fields.
    """
    by_name = sorted(zip(names, columns), key=lambda pair: pair[0])
    encoded = [_json_members(name, values) for name, values in by_name]
    return ["{" + ",".join(members) + "}" for members in zip(*encoded)]


def _json_members(name: str, values: Sequence) -> list[str]:
    """``"name":value`` for each value of one column, as json.dumps writes it."""
    prefix = _json_string(name) + ":"
    kinds = set(map(type, values))
    empty = type(None) in kinds
    kinds.discard(type(None))
    encode = _JSON_BY_TYPE.get(kinds.pop()) if len(kinds) == 1 else None
    if encode is None:
        return [prefix + _json_value(value) for value in values]
    if empty:
        null = prefix + "null"
        return [null if value is None else prefix + encode(value) for value in values]
    return [prefix + encode(value) for value in values]


def _json_value(value) -> str:
    encode = _JSON_BY_TYPE.get(type(value))
    if encode is not None:
        return encode(value)
    return dump_json(value)


_json_string = json.encoder.encode_basestring  # what dumps uses with ensure_ascii=False
_JSON_BY_TYPE = {
    type(None): lambda value: "null",
    str: _json_string,
    bool: lambda value: "true" if value else "false",
    int: int.__repr__,
    float: lambda value: float.__repr__(value) if math.isfinite(value) else json.dumps(value),
    Decimal: lambda value: _JSON_BY_TYPE[float](float(value)),
    dt.date: lambda value: _json_string(value.isoformat()),
    dt.datetime: lambda value: _json_string(value.isoformat()),
}


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


def all_known(conn: Connection, target, values: set) -> bool:
    """Whether every value names a row of ``target`` (one statement for a chunk's values)."""
    (key,) = target.key
    found = conn.exec_driver_sql(
        f'SELECT count(*) FROM "{target.table.name}" WHERE "{key}" IN '
        "(SELECT value FROM json_each(?))",
        (json.dumps(list(values), ensure_ascii=False),),
    ).scalar_one()
    return found == len(values)


def reject_unknown_references(conn: Connection, plan, stage: Table, entities,
                              known: set[str] = frozenset()) -> None:
    """A reference must name a row in the database or a good row of this file.

    ``known``: columns already found to name only rows in the database.
    """
    for column, target_name in plan.entity.references.items():
        if column not in stage.c or column in known:
            continue
        target = entities[target_name]
        (target_key,) = target.key
        in_db = exists().where(target.table.c[target_key] == stage.c[column])
        named = and_(stage.c[column].is_not(None), stage.c[column] != "")
        if (target_name != plan.entity.name and conn.dialect.name == "sqlite"
                and column == plan.entity.key[0] and stage.info.get("indexed")):
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


#: Credit shares are compared in basis points (the column holds 4 decimals),
#: so 0.6 + 0.4 is exactly 1 on both databases.
_SHARE_SCALE = 10_000


def reject_overdrawn_shares(conn: Connection, stage: Table, team: Table) -> None:
    """A customer's credit shares may add up to 1 at most: the owner keeps the rest.

    The stored shares of the customer (those the file does not replace)
    and the file's shares in line order are added up; the first good row
    that takes the sum over 1 is rejected, naming the customer and the
    sum, and the check repeats without it (0.6 stored, then 0.5 and 0.3 in
    the file: the 0.5 is rejected, the 0.3 kept).
    """
    if "share" not in stage.c:
        return

    def points(column):
        return cast(func.round(column * _SHARE_SCALE), BigInteger)

    replaced = exists().where(_key_match(stage, team, ("customer_id", "manager_id", "role")),
                              stage.c._reject.is_(None))
    stored = (
        select(team.c.customer_id, func.sum(points(team.c.share)).label("points"))
        .where(team.c.share.is_not(None), ~replaced)
        .group_by(team.c.customer_id)
        .subquery("stored_shares")
    )
    while True:
        running = (
            select(stage.c._line, stage.c.customer_id,
                   func.sum(points(stage.c.share)).over(
                       partition_by=stage.c.customer_id, order_by=stage.c._line,
                   ).label("points"))
            .where(stage.c._reject.is_(None), stage.c.share.is_not(None))
            .subquery("file_shares")
        )
        total = func.coalesce(stored.c.points, 0) + running.c.points
        over = (
            select(running.c.customer_id, running.c._line,
                   func.coalesce(stored.c.points, 0).label("stored"), total.label("total"),
                   func.row_number().over(partition_by=running.c.customer_id,
                                          order_by=running.c._line).label("n"))
            .select_from(running.outerjoin(stored,
                                           stored.c.customer_id == running.c.customer_id))
            .where(total > _SHARE_SCALE)
            .subquery("overdrawn")
        )
        first = conn.execute(
            select(over.c._line, over.c.customer_id, over.c.stored, over.c.total)
            .where(over.c.n == 1)
        ).all()
        if not first:
            return

        def shown(value) -> str:
            text = format(Decimal(int(value)) / _SHARE_SCALE, "f").rstrip("0").rstrip(".")
            return text or "0"

        for line, customer, stored_points, total_points in first:
            conn.execute(
                update(stage).where(stage.c._line == line).values(
                    _reject=(f"the credit shares of customer {customer} would add up to "
                             f"{shown(total_points)} ({shown(stored_points)} stored before "
                             "this file); they may add up to 1 at most, the owner keeping "
                             "the rest"),
                    _reject_column="share",
                    _reject_value=cast(stage.c.share, String),
                )
            )


def departed(managers: Table, today):
    """A manager who has left: ``active`` false, or ``left_at`` on or before ``today``."""
    return (managers.c.active.is_(False)) | (managers.c.left_at <= literal(today, type_=Date))


def reject_handing_to_departed(conn: Connection, stage: Table, today) -> None:
    """A row that changes a customer's owner to a manager who has left is rejected.

    Re-importing an old extract would otherwise undo ``customers
    reassign``: the leaver would own the customers again. A new customer
    of a departed manager is kept (the importer warns).
    """
    customers, managers = tables.customers, tables.managers
    # Most imports happen while nobody has left: one look at the managers
    # spares a probe per row.
    if conn.execute(select(literal(1)).where(departed(managers, today)).limit(1)).first() is None:
        return
    current = select(customers.c.manager_id).where(customers.c.id == stage.c.id)
    changes = exists().where(customers.c.id == stage.c.id,
                             customers.c.manager_id.is_distinct_from(stage.c.manager_id))
    gone = exists().where(managers.c.id == stage.c.manager_id, departed(managers, today))
    left_at = (select(cast(managers.c.left_at, String))
               .where(managers.c.id == stage.c.manager_id, managers.c.left_at <= literal(today, type_=Date))
               .scalar_subquery())
    owner = func.coalesce(current.scalar_subquery(), literal("nobody"))
    conn.execute(
        update(stage)
        .where(stage.c._reject.is_(None), stage.c.manager_id.is_not(None), changes, gone)
        .values(
            _reject=literal("manager ") + stage.c.manager_id
            + case((left_at.is_not(None), literal(" left on ") + func.substr(left_at, 1, 10)),
                   else_=literal(" is not active"))
            + literal(f" (the import day is {today.isoformat()}): the customer cannot be "
                      "handed to them and stays with ") + owner,
            _reject_column="manager_id",
            _reject_value=stage.c.manager_id,
        )
    )
