"""``guanxi demo``: a realistic base, imported through the real importer.

The demo writes a config into its directory, asks the core and each
enabled pack for their demo rows (the ``guanxi_demo_data`` hook), writes
them as canonical CSV files, imports those with the same importer a user's
files take, runs the daily batch and summarizes what a manager wants first.
Rows stream from generator to file: memory does not grow with the number
of customers.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from guanxi.errors import GuanxiError
from guanxi.importing.values import format_value

DEFAULT_CUSTOMERS = 10_000


@attrs.frozen(kw_only=True)
class DemoContext:
    """What a demo generator receives.

    :ivar customers: how many customers the base has.
    :ivar seed: the run's seed; :meth:`random` derives a generator per name.
    :ivar as_of: the day the demo runs for; dates are generated before it.
    :ivar packs: the enabled packs.
    """

    customers: int
    seed: int
    as_of: dt.date
    packs: tuple[str, ...] = ()

    def random(self, name: str) -> random.Random:
        """A generator seeded by the run's seed and ``name``: stable per generator."""
        return random.Random(self.seed * 1_000_003 + zlib.crc32(name.encode()))

    @property
    def managers(self) -> int:
        """How many account managers the base has (about one per 200 customers)."""
        return max(4, min(500, self.customers // 200))

    def customer_id(self, number: int) -> str:
        """The id of the customer ``number`` (1-based) of the generic base."""
        return f"C{number:07d}"

    def manager_id(self, number: int) -> str:
        return f"M{number:04d}"

    def owner_number(self, customer_number: int) -> int:
        """Which manager owns a customer: the same answer for every generator."""
        return (customer_number * 7919) % self.managers + 1


@attrs.frozen(kw_only=True)
class DemoResult:
    directory: str
    config: str
    imports: list
    batch: Any


def _write(path: Path, entity, rows: Iterable[Mapping[str, Any]], fields: list[str]) -> int:
    columns = list(entity.columns) + fields
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header: list[str] | None = None
        for row in rows:
            if header is None:
                header = [c for c in columns if c in row] + [k for k in row if k not in columns]
                writer.writerow(header)
            elif len(row) != len(header) or any(k not in row for k in header):
                # A column missing from some rows would blank it for all on import.
                raise GuanxiError(
                    f"demo rows for {entity.name} must all have the same columns: "
                    f"{sorted(row)} differs from {sorted(header)}"
                )
            writer.writerow([format_value(row.get(c)) for c in header])
            n += 1
    if n == 0:
        path.unlink()
    return n


def write_demo_files(ws, ctx: DemoContext, directory: Path,
                     step: Callable[[str], None] | None = None) -> list[tuple[str, Path]]:
    """Generate every pack's rows into ``directory/<pack>/<entity>.csv``.

    :return: (entity, file) in import order: the core's files, then each
        pack's, each group ordered by entity (references first).
    """
    entities = ws.plugins.entities()
    files: list[tuple[str, Path]] = []
    for pack, result in ws.plugins.call_each("guanxi_demo_data"):
        for record in result or ():
            if step:
                step(record.name)
            produced = record.generate(ctx)
            unknown = [e for e in produced if e not in entities]
            if unknown:
                raise GuanxiError(
                    f"demo data {record.name!r} of pack {pack!r} produced the unknown entity "
                    f"{unknown[0]!r}"
                )
            folder = directory / pack
            folder.mkdir(parents=True, exist_ok=True)
            ordered = sorted(produced.items(), key=lambda item: entities[item[0]].order)
            for entity_name, rows in ordered:
                entity = entities[entity_name]
                fields = [f.name for f in ws.plugins.fields_of(entity_name)] if entity.attributes else []
                path = folder / f"{record.name.split('.', 1)[1]}-{entity_name}.csv"
                if _write(path, entity, rows, fields):
                    files.append((entity_name, path))
    return files


def database_is_empty(ws) -> bool:
    from sqlalchemy import func, select

    from guanxi.storage import tables as t

    with ws.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.customers)).scalar_one() == 0


def empty_database(ws) -> None:
    """Empty every guanxi table (the demo's --reset); the schema stays."""
    from sqlalchemy import delete

    from guanxi.storage import migrate

    names = [table.name for metadata in migrate.metadata_for(ws.schemas())
             for table in reversed(metadata.sorted_tables)]
    with ws.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Ids restart too, so the same seed gives the same task ids.
            conn.exec_driver_sql(
                "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY"
            )
            return
        for metadata in migrate.metadata_for(ws.schemas()):
            for table in reversed(metadata.sorted_tables):
                conn.execute(delete(table))


def work_through_tasks(ws, done_in_ten: int, until: dt.datetime) -> None:
    """Mark ``done_in_ten`` of every ten open tasks done: the demo's fortnight of work.

    Managers work to their due days: a task is done at 15:00 on its due
    day, one in ten of them two days late, none after ``until`` (the
    fortnight's last moment). One statement, chosen by id, so the same seed
    gives the same tasks and figures.
    """
    from sqlalchemy import case, literal, update
    from sqlalchemy.types import DateTime

    from guanxi.storage import tables as t

    tk = t.tasks
    ctx = ws.query_context("core", until.date())
    on_the_day = ctx.day_at(tk.c.due_at, 15)
    worked = case((tk.c.id % 10 == 0, ctx.plus_days(on_the_day, 2)), else_=on_the_day)
    last = literal(until, DateTime)
    with ws.engine.begin() as conn:
        conn.execute(
            update(tk)
            .where(tk.c.status == "open", tk.c.id % 10 < done_in_ten)
            .values(status="done", outcome="reached",
                    closed_at=case((worked > last, last), else_=worked))
        )
