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

The path of one value, from a file cell to a table row::

    cell text ──(1) typed value ──(2) stored form ──> staging table ──(3) UPDATE/INSERT ──> table
      "2026-11-23"   date(2026,11,23)   '2026-11-23' (SQLite)            one statement per file
                                        2026-11-23   (COPY text, PostgreSQL)
    declared field ─(1)─> typed ──(2')─> the row's attributes JSON ──> staged, merged into the document

(1) **Converted once**, a column at a time (:mod:`.vectors`): the type, the
    allowed values and the bounds are checked here and nowhere else. Its
    fast path is the single-value converter (:mod:`.values`) mapped over a
    column whose every cell is in canonical form; any other column goes
    cell by cell through that same converter, so a value has one meaning.
(2) **Written in the form the database stores**, without a round trip
    through Python objects per cell: on SQLite the text SQLAlchemy's types
    store (:func:`.vectors.sqlite_form`), so staged and stored values
    compare equal and a re-import finds nothing changed; on PostgreSQL the
    text of one ``COPY`` per file (:func:`.staging.copy_text`), the fastest
    path the server has. (2') A row's sector fields become its attributes
    document as :func:`~guanxi.storage.connection.dump_json` writes it
    (:func:`.staging.attributes_json`), so documents compare equal too.
(3) **Moved in SQL**: new and changed rows are found by comparing the stage
    with the table, then upserted; no value goes back through Python.

The after-saved hooks are the one place a value is read back: they see the
saved rows as SQLAlchemy reads them, and a sector field is given to them as
its declared type again (a JSON document holds a date as text), by the
field's own converter. Customers whose owner changed go through
:func:`guanxi.service.ownership.hand_over`, as a handover does.
"""

from __future__ import annotations

import csv
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from guanxi.contributions import RecordBatch
from guanxi.errors import RowsRefused
from guanxi.importing import snapshot, staging, vectors
from guanxi.importing.columns import ColumnPlan, build_plan
from guanxi.importing.files import FileOptions
from guanxi.importing.load_move import MoveStep, collector_paused
from guanxi.importing.mapping import translate_header
from guanxi.importing.readers import chunked
from guanxi.importing.values import format_value
from guanxi.plugins import hook_names
from guanxi.storage import tables as t
from guanxi.storage.connection import WRITES_AHEAD
from guanxi.storage.aliases import land_on_kept_customers

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
    #: the encoding the file was read in (None for xlsx and saved rows)
    encoding: str | None = None
    #: validated and counted, nothing stored (``--dry-run``)
    dry_run: bool = False
    #: rows a ``--snapshot`` marked gone (None: not a snapshot)
    gone: int | None = None
    #: the first few rejected rows, ``line N column: reason`` each
    reasons: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when every row was accepted, 3 when some were rejected."""
        return 3 if self.rejected else 0

    def as_json(self) -> dict[str, Any]:
        """The counts, rejects file, encoding and ``dry_run``; ``warnings`` (a
        list) only when there are any, ``gone`` for a snapshot. The reasons
        are the rejects file's: only the terminal repeats the first."""
        shape = attrs.asdict(self)
        del shape["reasons"]
        warnings = shape.pop("warnings")
        if warnings:
            shape["warnings"] = list(warnings)
        if shape["gone"] is None:
            del shape["gone"]
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


class _Importer(MoveStep):
    """One import of one source into one entity; see the module docstring."""

    def __init__(self, rt, entity, plan: ColumnPlan, conn: Connection, batch_size: int,
                 value_maps: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.rt = rt
        # [import.values]: (position in the row, source text -> value read)
        self.value_maps = [(pc.index, value_maps[pc.name]) for pc in plan.columns
                           if value_maps and pc.name in value_maps]
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
        entities = rt.plugins.entities()
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
                with collector_paused():
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
        # Merged customers' ids land on the customer kept (customers merge).
        if land_on_kept_customers(self.conn, self.table, self.entity, self.table_names):
            self.ascending = False
        # A reference to the entity itself is looked up in the stage by key.
        self_referencing = self.entity.name in self.entity.references.values()
        if self.ascending and not self_referencing:
            staging.mark_unique(self.table)
        else:
            staging.index_stage(self.conn, self.plan, self.table)
        staging.analyze_stage(self.conn, self.table)

    def _validate_hook_implemented(self) -> bool:
        return bool(self.validate_hook
                    and getattr(self.rt.plugins.hook, self.validate_hook).get_hookimpls())

    def _flush(self, lines: list[int], cells: list[list], refused: list[tuple]) -> None:
        if cells and self.value_maps:
            cells = [list(row) for row in cells]
            for index, mapping in self.value_maps:
                for row in cells:
                    text = row[index] if index < len(row) else None
                    if text and text.strip() in mapping:
                        row[index] = mapping[text.strip()]
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

        problems = refuse_rows(self.rt.plugins.kpis(), self.plan.names, columns)
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
        for pack, result in self.rt.plugins.call_each(
            self.validate_hook, workspace=self.rt.facade, batch=batch
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
            self.conn, self.plan, self.table, self.rt.plugins.entities(), known=known
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

    def write_rejects(self, path: Path, header, encoding: str, written=None) -> None:
        """The rejected rows as the file had them; ``written``: its own header
        (the names mapped to ``header``'s columns), which the file repeats."""
        import json

        shown = dict(zip(header, written or header))

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
            writer.writerow([*shown.values(), *rejects_columns(shown.values())])
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
                writer.writerow([*cells, line, shown.get(column, column or ""), value or "",
                                 reason])


def _run(rt, entity, header, chunks: Callable[[int], Iterable], *, source_name: str,
         rejects: Path | None, encoding: str, batch_size: int | None, progress,
         strict: bool = False, options: FileOptions | None = None) -> ImportResult:
    options = options or FileOptions()
    fields = rt.plugins.fields_of(entity.name)
    written = list(header)
    if options.names is not None:
        known = [*entity.columns, *(f.name for f in fields)]
        header = translate_header(header, known, options.names, source_name)
    plan = build_plan(entity, header, fields, rt.plugins, ZoneInfo(rt.config.timezone), source_name,
                      aliases=options.names or {})
    gone = None
    with rt.engine.connect() as conn:
        importer = _Importer(rt, entity, plan, conn, batch_size or DEFAULT_BATCH_SIZE,
                             options.values)
        try:
            with conn.begin():
                importer.stage(chunks(importer.batch_size), progress)
            # Staged (temporary tables only); the checks and the move take SQLite's write
            # lock first, so a page's short write meanwhile waits instead of failing them.
            conn.execution_options(**{WRITES_AHEAD: True})
            with conn.begin():
                today = rt.today()
                importer.check(today)
                importer.classify()
                counts = importer.counts()
                warnings = importer.warnings(today)
                if strict and counts["rejected"]:
                    raise importer.first_problems()
                today = options.as_of or today
                if options.snapshot:
                    gone = snapshot.gone_rows(importer, options, source_name)
                if not options.dry_run:
                    importer.move(today)
                    if gone:
                        snapshot.mark_gone(importer, options, today)
                reasons = importer.first_problems().problems if counts["rejected"] else []
            rejects_file = None
            if rejects is not None and not counts["rejected"]:
                # A rejects file from an earlier run would describe rows that are now in.
                rejects.unlink(missing_ok=True)
            if counts["rejected"] and rejects is not None:
                importer.write_rejects(rejects, header, encoding, written)
                rejects_file = str(rejects)
        finally:
            try:
                importer.table.drop(conn, checkfirst=True)
                conn.commit()
            except Exception:  # the stage is temporary: it dies with the connection anyway
                pass
    shown = dict(zip(header, written))
    return ImportResult(
        entity=entity.name, read=importer.read, rejects_file=rejects_file, warnings=warnings,
        encoding=options.encoding, dry_run=options.dry_run, gone=gone,
        reasons=tuple(f"{options.row_word} {r['line']}"
                      + (f" {shown.get(r['column'], r['column'])}" if r["column"] else "")
                      + f": {r['reason']}" for r in reasons), **counts)


def save_rows(rt, entity, records: Iterable[Mapping[str, Any]]) -> ImportResult:
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
    return _run(rt, entity, header, lambda size: chunked(rows, size),
                source_name=f"{entity.name} rows", rejects=None,
                encoding="utf-8", batch_size=None, progress=None, strict=True)
