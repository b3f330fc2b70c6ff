"""The one importer: every entity, core or pack, from CSV, JSON Lines or xlsx.

An import runs in four steps on one connection:

1. **Header.** The header is checked against the entity's columns and the
   declared fields before any row is read (:mod:`.columns`).
2. **Rows.** Rows stream in chunks, and a chunk is converted and checked
   a column at a time (type, required, allowed values, bounds:
   :mod:`.vectors`); the lifecycle validation hooks see each chunk once,
   and the rows go into a staging table; a refused row is staged with its
   raw values and its reason (:mod:`.staging`).
3. **Whole-file checks** in SQL on the staging table: duplicate keys,
   references to the database or the same file (on SQLite, references
   that repeat within a chunk are looked up once per value as it is
   staged).
4. **Move**, in one transaction: new and changed rows are marked against
   the target (into an empty table all are new); they are upserted in one
   statement; customers' changes of manager are written to ownership
   history; the after-saved hooks see the saved rows in chunks.

So an import lands whole or not at all, re-importing a file changes
nothing, and rejected rows are written beside the input with line, column,
value and reason.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import itertools
import operator
import os
from operator import itemgetter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection

from guanxi.contributions import RecordBatch
from guanxi.errors import GuanxiError, ImportFileError, RowsRefused
from guanxi.importing import staging, vectors
from guanxi.importing.columns import ColumnPlan, build_plan
from guanxi.importing.readers import chunked, open_rows
from guanxi.importing.values import ValueProblem, format_value
from guanxi.plugins import hook_names
from guanxi.storage import tables as t

DEFAULT_BATCH_SIZE = 10_000


@attrs.frozen(kw_only=True)
class ImportResult:
    """What one import did; ``as_json()`` is the stable shape scripts read."""

    entity: str
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    rejects_file: str | None
    #: Rows kept that ask for attention, one sentence each (a new customer
    #: owned by a manager who has left).
    warnings: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when every row was accepted, 3 when some were rejected."""
        return 3 if self.rejected else 0

    def as_json(self) -> dict[str, Any]:
        """The counts and rejects file; ``warnings`` (a list) only when there are any."""
        shape = attrs.asdict(self)
        warnings = shape.pop("warnings")
        if warnings:
            shape["warnings"] = list(warnings)
        return shape


REJECT_COLUMNS = ("line", "column", "value", "reason")


def rejects_columns(header) -> list[str]:
    """The four columns a rejects file adds; ``rejected_<name>`` where the file has one."""
    return [f"rejected_{name}" if name in header else name for name in REJECT_COLUMNS]


def rejects_path(path: Path, folder: Path) -> Path:
    """``customers.csv`` -> ``customers.rejects.csv`` in ``folder`` (the workspace's).

    Not beside the input: the input may sit in a folder that is not the
    user's to write in (a shared export folder, the examples of a clone).
    """
    return Path(folder) / f"{path.stem}.rejects.csv"


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while a chunk is converted.

    Each chunk allocates hundreds of thousands of short-lived lists and
    tuples; the collector, triggered by allocations, keeps walking every
    object the process holds (measured: reading and converting 0.9 million
    measurements took 2.4 s with it, 1.4 s without). The rows make no
    reference cycles, so reference counting frees them as before; the
    collector runs between chunks and while pack hooks run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Importer:
    """One import of one source into one entity; see the module docstring."""

    def __init__(self, ws, entity, plan: ColumnPlan, conn: Connection, batch_size: int) -> None:
        self.ws = ws
        self.entity = entity
        self.plan = plan
        self.conn = conn
        self.batch_size = batch_size
        self.read = 0
        hook = f"guanxi_validate_{entity.name}"
        self.validate_hook = hook if hook in hook_names() else None
        after = f"guanxi_after_{entity.name}_saved"
        self.after_hook = after if after in hook_names() else None
        self.table_names = [pc.name for pc in plan.table_columns]
        self.field_names = [pc.name for pc in plan.field_columns]
        self.stage_names = ["_line", *self.table_names]
        if self.field_names:
            self.stage_names.append(entity.attributes)
        # Whether the good rows came in strictly ascending key order, as an
        # export or a generator writes them: then no key repeats and the
        # stage is in key order already, so it needs no key index.
        self.key_positions = [self.table_names.index(k) for k in entity.key
                              if k in self.table_names]
        self.ascending = len(self.key_positions) == len(entity.key)
        self.last_key: tuple | None = None
        # References to other entities, on SQLite checked chunk by chunk as
        # rows are staged: each value named in a chunk is looked up once
        # (a customer's twelve measurements: one lookup, not twelve). A
        # column where one is unknown, or whose values hardly repeat, is
        # checked row by row in SQL later.
        entities = ws.plugins.entities()
        self.chunk_references = {
            self.table_names.index(column): (column, entities[target])
            for column, target in entity.references.items()
            if column in self.table_names and target != entity.name
        } if conn.dialect.name == "sqlite" else {}
        self.unknown_references: set[str] = set()

    # -- step 2: rows into the staging table ---------------------------------

    def stage(self, chunks: Iterable, progress: Callable[[], None] | None) -> None:
        self.table = staging.create_stage(self.conn, self.plan)
        self.writer = staging.StageWriter(self.conn, self.table, self.stage_names)
        # A chunk's cells, as read, are converted column by column; a refused
        # row goes to the rejects file as it was written.
        chunks = iter(chunks)
        try:
            while True:
                with _collector_paused():
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    lines, cells, problems = chunk
                    refused = [(line, problem, "", "", staging.raw_json(values))
                               for line, values, problem in problems]
                    self.read += len(lines) + len(refused)
                    self._flush(lines, cells, refused)
                if progress:
                    progress()
        except BaseException as exc:
            self.writer.close(exc)
            raise
        self.writer.close()
        # A reference to the entity itself is looked up in the stage by key.
        self_referencing = self.entity.name in self.entity.references.values()
        if self.ascending and not self_referencing:
            staging.mark_unique(self.table)
        else:
            staging.index_stage(self.conn, self.plan, self.table)
        staging.analyze_stage(self.conn, self.table)

    def _validate_hook_implemented(self) -> bool:
        return bool(self.validate_hook
                    and getattr(self.ws.plugins.hook, self.validate_hook).get_hookimpls())

    def _flush(self, lines: list[int], cells: list[list], refused: list[tuple]) -> None:
        if cells:
            columns, problems = vectors.convert_chunk(self.plan, cells)
            if problems:
                for i in sorted(problems):
                    column, value, reason = problems[i]
                    refused.append((lines[i], reason, column,
                                    None if value is None else str(value),
                                    staging.raw_json(cells[i])))
                keep = [i for i in range(len(cells)) if i not in problems]
                columns = [[values[i] for i in keep] for values in columns]
                lines = [lines[i] for i in keep]
                cells = [cells[i] for i in keep]
            if lines and self.entity.name == "targets" and self.entity.pack == "core":
                columns, lines, cells = self._refuse_shown_only(columns, lines, cells, refused)
            if lines and self._validate_hook_implemented():
                columns, lines = self._validate(columns, lines, cells, refused)
            if lines:
                self._stage_good(lines, columns)
        self.writer.refused(refused)

    def _refuse_shown_only(self, columns, lines, cells, refused):
        """Targets on a KPI that is shown, never a target (POWER-COMPLAINT's count)."""
        from guanxi.engines.shown_only import refuse_rows

        problems = refuse_rows(self.ws.plugins.kpis(), self.plan.names, columns)
        if not problems:
            return columns, lines, cells
        for i in sorted(problems):
            column, value, reason = problems[i]
            refused.append((lines[i], reason, column, str(value), staging.raw_json(cells[i])))
        keep = [i for i in range(len(lines)) if i not in problems]
        return ([[values[i] for i in keep] for values in columns], [lines[i] for i in keep],
                [cells[i] for i in keep])

    def _validate(self, columns: list[list], lines: list[int], cells: list[list],
                  refused: list[tuple]) -> tuple[list[list], list[int]]:
        """The lifecycle validation hooks see the chunk once; refused rows leave it."""
        good = list(zip(*columns))
        batch = RecordBatch(entity=self.entity.name, columns=self.plan.names,
                            rows=good, lines=lines)
        refused_index: dict[int, Any] = {}
        for pack, result in self.ws.plugins.call_each(
            self.validate_hook, workspace=self.ws, batch=batch
        ):
            for rejection in result or ():
                if rejection.index not in refused_index:
                    refused_index[rejection.index] = (pack, rejection)
        if not refused_index:
            return columns, lines
        for i in sorted(refused_index):
            if not 0 <= i < len(lines):
                continue
            pack, r = refused_index[i]
            refused.append((lines[i], f"{r.reason} (pack {pack})", r.column,
                            None if r.value is None else str(r.value),
                            staging.raw_json(cells[i])))
        keep = [i for i in range(len(lines)) if i not in refused_index]
        return [[values[i] for i in keep] for values in columns], [lines[i] for i in keep]

    def _check_order(self, columns: list[list]) -> None:
        keys = list(zip(*[columns[i] for i in self.key_positions]))
        try:
            ascending = (self.last_key is None or self.last_key < keys[0]) and all(
                map(operator.lt, keys, itertools.islice(keys, 1, None)))
        except TypeError:  # keys of mixed types: let the database order them
            ascending = False
        self.ascending = ascending
        self.last_key = keys[-1]

    def _look_up_references(self, columns: list[list]) -> None:
        for position, (column, target) in self.chunk_references.items():
            if column in self.unknown_references:
                continue
            values = set(columns[position])
            values.discard(None)
            values.discard("")
            # Worth it when values repeat (a customer's twelve measurements);
            # a column of mostly different values (an account's customer) is
            # checked row by row in SQL at the end, which is then cheaper.
            if len(values) > len(columns[position]) // 2 or (
                    values and not staging.all_known(self.conn, target, values)):
                self.unknown_references.add(column)

    def _stage_good(self, lines: list[int], columns: list[list]) -> None:
        """Good rows into the stage, in the form the database stores them."""
        if self.ascending:
            self._check_order(columns)
        self._look_up_references(columns)
        n_table = len(self.table_names)
        staged = [lines]
        sqlite = self.conn.dialect.name == "sqlite"
        for pc, values in zip(self.plan.table_columns, columns[:n_table]):
            if sqlite:
                values = vectors.sqlite_form(pc.type, self.table.c[pc.name].type, values)
            staged.append(values)
        if self.field_names:
            staged.append(staging.attributes_json(self.field_names, columns[n_table:]))
        self.writer.good(staged)

    # -- step 3: whole-file checks ------------------------------------------

    def check(self, today) -> None:
        staging.reject_duplicates(self.conn, self.plan, self.table)
        known = {column for column, _ in self.chunk_references.values()
                 if column not in self.unknown_references}
        staging.reject_unknown_references(
            self.conn, self.plan, self.table, self.ws.plugins.entities(), known=known
        )
        if self.entity.table is t.customer_team:
            staging.reject_overdrawn_shares(self.conn, self.table, t.customer_team)
        if self.entity.table is t.customers and "manager_id" in self.table_names:
            staging.reject_handing_to_departed(self.conn, self.table, today)

    def warnings(self, today) -> tuple[str, ...]:
        """New customers owned by a manager who has left: kept, one sentence per manager."""
        if self.entity.table is not t.customers or "manager_id" not in self.table_names:
            return ()
        stage, m = self.table, t.managers
        rows = self.conn.execute(
            select(m.c.id, m.c.left_at, func.count().label("n"))
            .select_from(stage.join(m, m.c.id == stage.c.manager_id))
            .where(self.is_insert, staging.departed(m, today))
            .group_by(m.c.id, m.c.left_at)
            .order_by(m.c.id)
        ).all()
        return tuple(
            f"{n} new customer(s) kept with manager {manager}, who "
            + (f"left on {format_value(left_at)}" if left_at is not None else "is not active")
            + f": hand them over with guanxi customers reassign --from {manager} --to ..."
            for manager, left_at, n in rows
        )

    # -- step 4: the move -------------------------------------------------

    def _target_row(self):
        target = self.entity.table
        return and_(*[target.c[k] == self.table.c[k] for k in self.entity.key])

    def _differs(self):
        target, stage = self.entity.table, self.table
        key = set(self.entity.key)
        diffs = [
            target.c[name].is_distinct_from(stage.c[name])
            for name in self.table_names
            if name not in key
        ]
        if self.field_names:
            attr = self.entity.attributes
            diffs.append(
                _merge_attributes(self.conn, target.c[attr], stage.c[attr]).is_distinct_from(
                    target.c[attr]
                )
            )
        return or_(*diffs) if diffs else literal(False)

    def classify(self) -> None:
        """Mark each new row insert and each changed row update; unchanged rows stay NULL.

        Into an empty table every good row is new: nothing is marked, and
        the conditions below say so.
        """
        stage, target = self.table, self.entity.table
        good = stage.c._reject.is_(None)
        anything = select(literal(1)).select_from(target).limit(1)
        self.all_new = self.conn.execute(anything).first() is None
        if self.all_new:
            self.is_insert, self.is_update, self.saved = good, literal(False), good
            return
        self.is_insert = stage.c._action == "insert"
        self.is_update = stage.c._action == "update"
        self.saved = stage.c._action.in_(("insert", "update"))
        # One probe per unchanged row: is there a stored row equal to it?
        same = exists().where(self._target_row(), ~self._differs())
        self.conn.execute(
            update(stage)
            .where(good, ~same)
            .values(_action=case((exists().where(self._target_row()), "update"), else_="insert"))
        )

    def counts(self) -> dict[str, int]:
        stage = self.table
        good = stage.c._reject.is_(None)
        total, rejected, inserted, updated = self.conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((good, 0), else_=1)), 0),
                func.coalesce(func.sum(case((self.is_insert, 1), else_=0)), 0),
                func.coalesce(func.sum(case((self.is_update, 1), else_=0)), 0),
            ).select_from(stage)
        ).one()
        return {
            "inserted": inserted,
            "updated": updated,
            "unchanged": total - rejected - inserted - updated,
            "rejected": rejected,
        }

    def move(self, today) -> None:
        if self.entity.name == "customers" and "manager_id" in self.table_names:
            self._record_ownership(today)
        if self.entity.name == "accounts" and "status" in self.table_names:
            self._record_status_history(today)
        self._upsert()
        if self.after_hook and getattr(self.ws.plugins.hook, self.after_hook).get_hookimpls():
            self._after_saved()

    def _key_order(self) -> list:
        """ORDER BY for reading the stage in key order.

        On SQLite rows then reach the target's indexes in order. A stage
        filled in key order is read as it was filled: by line (SQLite's
        rowid) or, on PostgreSQL, in the order the heap holds it, rather
        than sorted again.
        """
        stage = self.table
        if stage.info.get("indexed"):
            return [stage.c[k] for k in self.entity.key]
        return [stage.c._line] if self.conn.dialect.name == "sqlite" else []

    def _upsert(self) -> None:
        stage, target = self.table, self.entity.table
        names = list(self.table_names)
        values = [stage.c[n] for n in names]
        attr = self.entity.attributes
        if self.field_names:
            names.append(attr)
            # A new row stores its document without the nulls of empty cells;
            # a changed row keeps them, so that the merge below removes those
            # fields from the stored document.
            values.append(case(
                (self.is_insert, _clean_attributes(self.conn, stage.c[attr])),
                else_=stage.c[attr],
            ))
        source = select(*values).where(self.saved).order_by(*self._key_order())
        dialect_insert = _dialect_insert(self.conn)
        statement = dialect_insert(target).from_select(names, source)
        excluded = statement.excluded
        key = set(self.entity.key)
        set_ = {n: excluded[n] for n in self.table_names if n not in key}
        if self.field_names:
            set_[attr] = _merge_attributes(self.conn, target.c[attr], excluded[attr])
        if set_:
            statement = statement.on_conflict_do_update(index_elements=list(self.entity.key),
                                                        set_=set_)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=list(self.entity.key))
        self.conn.execute(statement)

    def _record_ownership(self, today) -> None:
        """Ownership history: a new owner closes the open period and opens one."""
        stage, c, o = self.table, t.customers, t.ownership
        changed = (
            select(stage.c.id)
            .join(c, c.c.id == stage.c.id)
            .where(self.is_update, c.c.manager_id.is_distinct_from(stage.c.manager_id))
        )
        # Open tasks follow their customer to the new manager.
        old_owner = select(c.c.manager_id).where(c.c.id == t.tasks.c.customer_id).scalar_subquery()
        new_owner = select(stage.c.manager_id).where(stage.c.id == t.tasks.c.customer_id).scalar_subquery()
        self.conn.execute(
            update(t.tasks)
            .where(t.tasks.c.status == "open", t.tasks.c.customer_id.in_(changed),
                   t.tasks.c.manager_id.is_not_distinct_from(old_owner))
            .values(manager_id=new_owner)
        )
        self.conn.execute(
            update(o).where(o.c.ended_at.is_(None), o.c.customer_id.in_(changed)).values(ended_at=today)
        )
        self.conn.execute(
            insert(o).from_select(
                ["customer_id", "manager_id", "started_at", "reason"],
                select(stage.c.id, stage.c.manager_id, literal(today), literal("import"))
                .where(stage.c.id.in_(changed))
                .order_by(*self._key_order()),
            )
        )
        started = func.coalesce(stage.c.created_at, literal(today)) if "created_at" in self.table_names else literal(today)
        self.conn.execute(
            insert(o).from_select(
                ["customer_id", "manager_id", "started_at", "reason"],
                select(stage.c.id, stage.c.manager_id, started, literal("import"))
                .where(self.is_insert, stage.c.manager_id.is_not(None))
                .order_by(*self._key_order()),
            )
        )

    def _record_status_history(self, today) -> None:
        """Account status history, one statement before the upsert compares.

        A new account's status holds from its ``opened_at`` (else the import
        day); a changed status from the import day. A second change on one
        day overwrites that day's row.
        """
        stage, a, h = self.table, t.accounts, t.account_status_history
        opened = stage.c.opened_at if "opened_at" in self.table_names else literal(None)
        started = case((self.is_insert, func.coalesce(opened, literal(today))), else_=literal(today))
        changed = and_(self.is_update, a.c.status.is_distinct_from(stage.c.status))
        source = (
            select(stage.c.id, started, stage.c.status, literal("import"))
            .select_from(stage.outerjoin(a, a.c.id == stage.c.id))
            .where(stage.c.status.is_not(None), or_(self.is_insert, changed))
            .order_by(*self._key_order())
        )
        statement = _dialect_insert(self.conn)(h).from_select(
            ["account_id", "started_on", "status", "source"], source)
        self.conn.execute(statement.on_conflict_do_update(
            index_elements=["account_id", "started_on"],
            set_={"status": statement.excluded.status, "source": statement.excluded.source}))

    def _rows_acted_on(self) -> dict[str, set] | None:
        """Which saved rows the after-saved hooks need, when each says: column -> values.

        A hook function of the core may carry ``guanxi_rows_acted_on(ws,
        connection)``: the rows it skips anyway are then not read back and
        handed over (the core's own hook on interactions acts on complaints
        and planned visits, a few rows in a hundred), and without the
        packs' fields, which it does not read. ``None``: every saved row
        with every column, as the hook contract says, whenever any
        implementation (a pack's) does not say.
        """
        wanted: dict[str, set] = {}
        hook = getattr(self.ws.plugins.hook, self.after_hook)
        for impl in hook.get_hookimpls():
            acted_on = getattr(impl.function, "guanxi_rows_acted_on", None)
            if acted_on is None:
                return None
            for column, values in acted_on(self.ws, self.conn).items():
                wanted.setdefault(column, set()).update(values)
        if len(wanted) != 1 or not set(wanted) <= set(self.table_names):
            return None  # one column, in the file: anything else gets every row
        return wanted

    def _after_saved(self) -> None:
        # The same columns and value types the validate hooks saw: the
        # staged attributes document is spread back into the field columns.
        columns = self.plan.names
        fields = self.plan.field_columns
        wanted = self._rows_acted_on()
        if wanted is not None:
            if not next(iter(wanted.values())):
                return  # no saved row is one the hooks act on
            # Only the core's hooks act, and they read the table's own
            # columns: decoding a page of pack fields for them cost 30 MB a
            # page (10,000 retailer visits with their checklists).
            columns, fields = tuple(self.table_names), []
        for lines, values in self._saved_pages(wanted, attributes=bool(fields)):
            if fields:
                docs = [doc or {} for doc in values[-1]]
                values = values[:-1] + [
                    [None if doc.get(f.name) is None else f.convert(format_value(doc[f.name]))
                     for doc in docs]
                    for f in fields
                ]
            batch = RecordBatch(
                entity=self.entity.name, columns=columns, rows=list(zip(*values)),
                lines=list(lines), connection=self.conn,
            )
            for _ in self.ws.plugins.call_each(self.after_hook, workspace=self.ws, batch=batch):
                pass

    def _saved_pages(self, wanted: dict[str, set] | None = None, attributes: bool = True):
        """The saved rows, a page at a time: ``(lines, columns)``, typed as SQLAlchemy reads them.

        ``wanted`` (column -> values) keeps to the rows the hooks act on;
        ``attributes`` reads the attributes document as the last column.

        Pages by line, each read whole before the hooks see it: a cursor left
        open while a hook writes through the same connection locks SQLite's
        tables ("database table is locked"). Read through the driver and
        typed a column at a time with the column types' own result
        processors, which is what SQLAlchemy does a row at a time.
        """
        stage, dialect = self.table, self.conn.dialect
        names = ["_line", *self.table_names]
        if self.field_names and attributes:
            names.append(self.entity.attributes)
        types = [stage.c[n].type.dialect_impl(dialect) for n in names]
        processors = None
        mark = "?" if dialect.name == "sqlite" else "%s"
        saved = ('"_reject" IS NULL' if self.all_new
                 else "\"_action\" IN ('insert', 'update')")
        selected = ", ".join(f'"{n}"' for n in names)
        only: tuple = ()
        if wanted:
            (column, values), = wanted.items()
            only = tuple(sorted(values))
            saved += f' AND "{column}" IN ({", ".join(mark for _ in only)})'
        sql = (f'SELECT {selected} FROM "{stage.name}" WHERE {saved} AND "_line" > {mark} '
               f'ORDER BY "_line" LIMIT {mark}')
        staging.index_lines(self.conn, stage)
        cursor = self.conn.connection.dbapi_connection.cursor()
        try:
            last = -(2**62)
            while True:
                with _collector_paused():
                    cursor.execute(sql, (*only, last, self.batch_size))
                    rows = cursor.fetchall()
                    if not rows:
                        return
                    if processors is None:  # the driver's type codes (PostgreSQL's oids)
                        processors = [t.result_processor(dialect, d[1])
                                      for t, d in zip(types, cursor.description)]
                    last = rows[-1][0]
                    columns = [list(map(p, map(itemgetter(i), rows))) if p
                               else list(map(itemgetter(i), rows))
                               for i, p in enumerate(processors)]
                yield columns[0], columns[1:]
        finally:
            cursor.close()

    def first_problems(self, most: int = 3) -> RowsRefused:
        stage = self.table
        rows = self.conn.execute(
            select(stage.c._line, stage.c._reject_column, stage.c._reject_value, stage.c._reject)
            .where(stage.c._reject.is_not(None)).order_by(stage.c._line).limit(most)
        ).all()
        said = "; ".join(
            f"row {line}" + (f" {column}={value!r}" if column else "") + f": {reason}"
            for line, column, value, reason in rows
        )
        return RowsRefused(f"{self.entity.name} not saved, nothing was written: {said}",
                           [{"line": line, "column": column, "value": value, "reason": reason}
                            for line, column, value, reason in rows])

    # -- rejects ------------------------------------------------------------

    def write_rejects(self, path: Path, header, encoding: str) -> None:
        import json

        stage = self.table
        cols = [stage.c[n] for n in self.table_names]
        attr_col = [stage.c[self.entity.attributes]] if self.field_names else []
        query = (
            select(stage.c._line, stage.c._reject, stage.c._reject_column,
                   stage.c._reject_value, stage.c._raw, *cols, *attr_col)
            .where(stage.c._reject.is_not(None))
            .order_by(stage.c._line)
        )
        position = {name: i for i, name in enumerate(header)}
        with open(path, "w", newline="", encoding=encoding) as handle:
            writer = csv.writer(handle)
            writer.writerow([*header, *rejects_columns(header)])
            for row in self.conn.execute(query):
                line, reason, column, value, raw = row[:5]
                if raw is not None:
                    cells = json.loads(raw)
                    cells = [("" if v is None else v) for v in cells][: len(header)]
                    cells += [""] * (len(header) - len(cells))
                else:
                    cells = [""] * len(header)
                    for name, v in zip(self.table_names, row[5 : 5 + len(self.table_names)]):
                        if name in position:  # not a key column the file left out
                            cells[position[name]] = format_value(v)
                    if attr_col:
                        doc = row[-1]
                        doc = json.loads(doc) if isinstance(doc, str) else (doc or {})
                        for name in self.field_names:
                            cells[position[name]] = format_value(doc.get(name))
                writer.writerow([*cells, line, column or "", value or "", reason])


def _dialect_insert(conn: Connection):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _merge_attributes(conn: Connection, old, new):
    """Fields in the file overwrite, an empty cell removes, others stay."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        return func.jsonb_strip_nulls(old.op("||", return_type=JSONB)(new), type_=JSONB)
    return func.json_patch(old, new, type_=old.type)


def _clean_attributes(conn: Connection, new):
    """A new row's attributes, without the null (empty) fields."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        return func.jsonb_strip_nulls(new, type_=JSONB)
    return func.json_patch(literal("{}"), new, type_=new.type)


def _run(ws, entity, header, chunks: Callable[[int], Iterable], *, source_name: str,
         rejects: Path | None, encoding: str, batch_size: int | None, progress,
         strict: bool = False) -> ImportResult:
    fields = ws.plugins.fields_of(entity.name)
    plan = build_plan(entity, header, fields, ws.plugins, ZoneInfo(ws.config.timezone), source_name)
    with ws.engine.connect() as conn:
        importer = _Importer(ws, entity, plan, conn, batch_size or DEFAULT_BATCH_SIZE)
        try:
            with conn.begin():
                importer.stage(chunks(importer.batch_size), progress)
                today = ws.today()
                importer.check(today)
                importer.classify()
                counts = importer.counts()
                warnings = importer.warnings(today)
                if strict and counts["rejected"]:
                    raise importer.first_problems()
                importer.move(today)
            rejects_file = None
            if rejects is not None and not counts["rejected"]:
                # A rejects file from an earlier run would describe rows that are now in.
                rejects.unlink(missing_ok=True)
            if counts["rejected"] and rejects is not None:
                importer.write_rejects(rejects, header, encoding)
                rejects_file = str(rejects)
        finally:
            try:
                importer.table.drop(conn, checkfirst=True)
                conn.commit()
            except Exception:  # the stage is temporary: it dies with the connection anyway
                pass
    return ImportResult(entity=entity.name, read=importer.read, rejects_file=rejects_file,
                        warnings=warnings, **counts)


def import_file(ws, entity, path, *, encoding=None, format=None, batch_size=None,
                progress=None, rejects=None) -> ImportResult:
    """Import a file into ``entity``; see the module docstring.

    :param progress: called as ``progress(bytes_read, bytes_total)`` after
        each chunk.
    :param rejects: where rejected rows go; default ``<stem>.rejects.csv``
        in the workspace's folder (the config file's).
    """
    path = Path(path)
    rejects = Path(rejects) if rejects is not None else rejects_path(path, ws.config.directory)
    with open_rows(path, encoding=encoding, format=format) as source:
        tick = (lambda: progress(source.bytes_read, source.bytes_total)) if progress else None
        return _run(
            ws, entity, source.header, source.chunks, source_name=path.name,
            rejects=rejects, encoding=encoding or "utf-8", batch_size=batch_size,
            progress=tick,
        )


def save_rows(ws, entity, records: Iterable[Mapping[str, Any]]) -> ImportResult:
    """Store dict rows through the same checks and hooks as a file.

    Any refused row stops the call: nothing is written and the error names
    the first problems.
    """
    records = list(records)
    if not records:
        return ImportResult(entity=entity.name, read=0, inserted=0, updated=0, unchanged=0,
                            rejected=0, rejects_file=None)
    header = list(dict.fromkeys(k for record in records for k in record))
    rows = (
        (i + 1, [None if r.get(h) is None else format_value(r.get(h)) for h in header], None)
        for i, r in enumerate(records)
    )
    return _run(ws, entity, header, lambda size: chunked(rows, size),
                source_name=f"{entity.name} rows", rejects=None,
                encoding="utf-8", batch_size=None, progress=None, strict=True)
