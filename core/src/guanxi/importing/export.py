"""Export: an entity back to a file in the columns the importer reads.

Export then import changes nothing: the same canonical columns, the
declared fields of the enabled packs after them, values written the way the
importer parses them. Rows stream from the database in chunks.

An ``.xlsx`` file is written by :mod:`guanxi.workbooks` with typed cells
(dates as dates, ids as text), streamed; ``encoding="utf-8-sig"`` is CSV for
Excel (a BOM, so Excel reads UTF-8); a path ``-`` writes CSV to ``stdout``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import sys
from pathlib import Path

import attrs
from sqlalchemy import func, select

from guanxi.errors import UsageError
from guanxi.importing.values import format_value
from guanxi.storage import tables as t

CHUNK = 10_000


@attrs.frozen(kw_only=True)
class ExportResult:
    entity: str
    rows: int
    file: str

    def as_json(self) -> dict:
        return attrs.asdict(self)


#: The formats export writes, by the file's suffix.
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}


def _format_of(path: Path, format: str | None) -> str:
    if str(path) == "-":
        fmt = format or "csv"
        if fmt == "xlsx":
            raise UsageError("-: a workbook cannot go to standard output; name a .xlsx file")
        return fmt
    fmt = format or SUFFIXES.get(path.suffix.lower())
    if fmt not in ("csv", "jsonl", "xlsx"):
        raise UsageError(f"{path.name}: export writes .csv, .jsonl or .xlsx files")
    return fmt


@contextlib.contextmanager
def _text_out(path: Path, encoding: str):
    if str(path) == "-":
        # A BOM asked for (--excel) is written to a pipe too: the reader is Excel.
        if encoding.lower().replace("_", "-") == "utf-8-sig":
            sys.stdout.write("\ufeff")
        yield sys.stdout
        sys.stdout.flush()
        return
    with open(path, "w", newline="", encoding=encoding) as handle:
        yield handle


def _write_xlsx(path: Path, header: list[str], rows, progress, total: int,
                sheet: str) -> int:
    from guanxi.workbooks import Workbook

    with Workbook(path) as book:
        out = book.sheet(sheet, header)
        for values in rows:
            out.row(values)
            if progress and out.rows % CHUNK == 0:
                progress(out.rows, total)
        n = out.rows
    if progress:
        progress(n, max(n, total))
    return n


def _write_rows(path: Path, fmt: str, header: list[str], rows, encoding: str,
                progress=None, total: int = 0, sheet: str = "data") -> int:
    """Stream rows (sequences in ``header`` order) to CSV, JSON Lines or xlsx.

    ``progress(done, total)`` hears every ``CHUNK`` rows and the end.
    """
    if fmt == "xlsx":
        return _write_xlsx(path, header, rows, progress, total, sheet)
    n = 0
    with _text_out(path, encoding) as handle:
        writer = csv.writer(handle) if fmt == "csv" else None
        if writer:
            writer.writerow(header)
        for values in rows:
            if writer:
                writer.writerow([format_value(v) for v in values])
            else:
                doc = {h: (None if v is None else format_value(v)) for h, v in zip(header, values)}
                handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
            n += 1
            if progress and n % CHUNK == 0:
                progress(n, total)
    if progress:
        progress(n, max(n, total))
    return n


def _count(rt, query, progress) -> int:
    # Counted only for a progress bar that is shown: a plain export reads once.
    if not progress:
        return 0
    with rt.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def _stream(rt, query):
    with rt.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        for chunk in result.partitions(CHUNK):
            yield from chunk


def export_file(rt, entity, path, *, render_reason, format: str | None = None,
                encoding: str = "utf-8", progress=None) -> ExportResult:
    """Write an entity, or the engines' ``tasks`` or ``segments``, to a file.

    ``entity``: an entity record, or the name of one of :data:`RESULTS`,
    whose stored reasons ``render_reason(stored)`` turns into sentences.
    ``progress(done, total)``: rows written so far, for a progress bar.
    """
    path = Path(path)
    fmt = _format_of(path, format)
    if isinstance(entity, str):
        entity_name = entity
        header, query = RESULTS[entity_name]()
        reason = header.index("reason")

        def rendered():
            for row in _stream(rt, query):
                values = list(row)
                values[reason] = render_reason(values[reason])
                # tasks: a day task's due_at is its day (see _tasks).
                if len(values) > len(header) and values.pop():
                    due = header.index("due_at")
                    values[due] = values[due].date()
                yield values

        n = _write_rows(path, fmt, header, rendered(), encoding, progress,
                        _count(rt, query, progress), entity_name)
        return ExportResult(entity=entity_name, rows=n, file=str(path))
    declared = list(rt.plugins.fields_of(entity.name)) if entity.attributes else []
    fields = [f.name for f in declared]
    # A workbook shows a date field as a date cell (stored as ISO text in the document).
    dates = {n for n, f in enumerate(declared) if f.type == "date"} if fmt == "xlsx" else set()
    header = list(entity.columns) + fields
    table = entity.table
    cols = [table.c[c] for c in entity.columns]
    if fields:
        cols.append(table.c[entity.attributes])
    query = select(*cols).order_by(*[table.c[k] for k in entity.key])
    if table is t.customers:
        # A merged customer's id lands on the one kept when imported: not exported.
        query = query.where(table.c.status != "merged")

    def values():
        for row in _stream(rt, query):
            out = list(row[: len(entity.columns)])
            if fields:
                doc = row[-1] or {}
                values = [doc.get(name) for name in fields]
                for n in dates:
                    values[n] = _as_date(values[n])
                out += values
            yield _blank_keys(out)

    n = _write_rows(path, fmt, header, values(), encoding, progress,
                    _count(rt, query, progress), entity.name)
    return ExportResult(entity=entity.name, rows=n, file=str(path))


def _as_date(value):
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _blank_keys(values: list) -> list:
    # '' stands for "none" in key columns that cannot be NULL (a measurement
    # of the customer as a whole); a file says that with an empty cell.
    return [None if v == "" else v for v in values]


def _tasks():
    tk = t.tasks
    header = ["id", "rule", "customer_id", "manager_id", "kind", "due_at", "priority", "status",
              "reason", "created_at", "closed_at", "outcome"]
    # all_day last, past the header: a day task's due_at is written as the day.
    return header, select(*[tk.c[h] for h in header], tk.c.all_day).order_by(tk.c.id)


def _segments():
    s = t.segments
    header = ["segmentation", "customer_id", "label", "score", "reason", "as_of", "manual"]
    return header, select(*[s.c[h] for h in header]).order_by(s.c.segmentation, s.c.customer_id)


#: What the engines produce, exported with reasons rendered (not importable).
RESULTS = {"tasks": _tasks, "segments": _segments}
