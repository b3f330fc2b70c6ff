"""Export: an entity back to a file in the columns the importer reads.

Export then import changes nothing: the same canonical columns, the
declared fields of the enabled packs after them, values written the way the
importer parses them. Rows stream from the database in chunks.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import attrs
from sqlalchemy import select

from guanxi.errors import UsageError
from guanxi.importing.values import format_value

CHUNK = 10_000


@attrs.frozen(kw_only=True)
class ExportResult:
    entity: str
    rows: int
    file: str

    def as_json(self) -> dict:
        return attrs.asdict(self)


def _format_of(path: Path, format: str | None) -> str:
    fmt = format or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(path.suffix.lower())
    if fmt not in ("csv", "jsonl"):
        raise UsageError(f"{path.name}: export writes .csv or .jsonl files")
    return fmt


def export_file(ws, entity_name: str, path, *, format: str | None = None,
                encoding: str = "utf-8") -> ExportResult:
    entity = ws.entity(entity_name)
    path = Path(path)
    fmt = _format_of(path, format)
    fields = [f.name for f in ws.plugins.fields_of(entity.name)] if entity.attributes else []
    header = list(entity.columns) + fields
    table = entity.table
    cols = [table.c[c] for c in entity.columns]
    if fields:
        cols.append(table.c[entity.attributes])
    query = select(*cols).order_by(*[table.c[k] for k in entity.key])
    n = 0
    with ws.engine.connect() as conn, open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle) if fmt == "csv" else None
        if writer:
            writer.writerow(header)
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        for chunk in result.partitions(CHUNK):
            for row in chunk:
                values = list(row[: len(entity.columns)])
                if fields:
                    doc = row[-1] or {}
                    values += [doc.get(name) for name in fields]
                values = _blank_keys(entity, values)
                if writer:
                    writer.writerow([format_value(v) for v in values])
                else:
                    doc = {h: (None if v is None else format_value(v)) for h, v in zip(header, values)}
                    handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
                n += 1
    return ExportResult(entity=entity.name, rows=n, file=str(path))


def _blank_keys(entity, values: list) -> list:
    # '' stands for "none" in key columns that cannot be NULL (a measurement
    # of the customer as a whole); a file says that with an empty cell.
    return [None if v == "" else v for v in values]
