"""Step 4 of an import: the staged rows moved into their table, set-based.

Classify each staged row (new, changed, the same), upsert the new and the
changed, keep the ownership and account status histories, and tell the packs
what was saved. A mixin of the importer (:mod:`guanxi.importing.loader`).
"""

from __future__ import annotations

import contextlib
import gc
from operator import itemgetter

from sqlalchemy import and_, case, exists, func, insert, literal, or_, select, update
from sqlalchemy.engine import Connection

from guanxi.contributions import RecordBatch
from guanxi.engines.list_keeping import archive_replaced_spells
from guanxi.importing import staging
from guanxi.importing.values import format_value
from guanxi.service.ownership import hand_over
from guanxi.storage import tables as t


@contextlib.contextmanager
def collector_paused():
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


class MoveStep:
    """The move of the importer's staged rows (a mixin of ``_Importer``)."""

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
        if self.entity.name == "lists" and "added_at" in self.table_names:
            stage = self.table
            archive_replaced_spells(self.conn, select(stage.c.list, stage.c.customer_id,
                                                      stage.c.added_at).where(self.is_update))
        self._upsert()
        if self.after_hook and getattr(self.rt.plugins.hook, self.after_hook).get_hookimpls():
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
        """Ownership history: a changed owner is a handover; a new customer's owner starts."""
        stage, c, o = self.table, t.customers, t.ownership
        moving = (
            select(stage.c.id.label("customer_id"), stage.c.manager_id.label("manager_id"))
            .join(c, c.c.id == stage.c.id)
            .where(self.is_update, c.c.manager_id.is_distinct_from(stage.c.manager_id))
        )
        hand_over(self.conn, moving, today, "import")
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

        A hook function may carry ``guanxi_rows_acted_on(workspace,
        connection)`` (documented with ``guanxi_after_customers_saved`` in
        hookspecs.py): the rows it skips anyway are then not read back and
        handed over (the core's own hook on interactions acts on complaints
        and planned visits, a few rows in a hundred), and without the
        packs' fields. ``None``: every saved row with every column, as the
        hook contract says, whenever any implementation does not say.
        """
        wanted: dict[str, set] = {}
        hook = getattr(self.rt.plugins.hook, self.after_hook)
        for impl in hook.get_hookimpls():
            acted_on = getattr(impl.function, "guanxi_rows_acted_on", None)
            if acted_on is None:
                return None
            for column, values in acted_on(self.rt.facade, self.conn).items():
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
            for _ in self.rt.plugins.call_each(self.after_hook, workspace=self.rt.facade, batch=batch):
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
                with collector_paused():
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
