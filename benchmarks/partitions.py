"""docs/scaling.md, tested on paper: the revenue KPI on measurements partitioned by period.

Run after a PostgreSQL bench (``BENCH_DATABASE=... make bench``), whose base
stays in the database::

    .venv/bin/python benchmarks/partitions.py postgresql+psycopg://.../guanxi_bench

It copies ``measurements`` into a table of the same columns partitioned by
month of ``period`` (schema ``scaling``, one partition per month and a
default one), puts that schema first on the search path, and prints the
plan PostgreSQL makes for the statements the KPI engine really runs for
``core.revenue`` (captured as it runs them, in a transaction rolled back):
by all and by manager, for one month. The plans show the partitions pruned
to the month asked for.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import create_engine, event, text


def main(url: str) -> None:
    import guanxi
    from guanxi.config import write_config
    from guanxi.engines.kpis import run_kpi
    from guanxi.periods import Period

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS scaling CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA scaling")
        conn.exec_driver_sql(
            "CREATE TABLE scaling.measurements (LIKE public.measurements INCLUDING DEFAULTS) "
            "PARTITION BY RANGE (period)")
        low, high = conn.execute(text("SELECT min(period), max(period) FROM measurements")).one()
        month = low.replace(day=1)
        while month <= high:
            after = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            conn.exec_driver_sql(
                f"CREATE TABLE scaling.measurements_{month:%Y_%m} PARTITION OF "
                f"scaling.measurements FOR VALUES FROM ('{month}') TO ('{after}')")
            month = after
        conn.exec_driver_sql("CREATE TABLE scaling.measurements_other PARTITION OF "
                             "scaling.measurements DEFAULT")
        # The same keys as the table it copies: partitioned, the primary key
        # must include the partition key (it does: period is in it).
        conn.exec_driver_sql("ALTER TABLE scaling.measurements ADD PRIMARY KEY "
                             "(customer_id, metric, period, account_id)")
        conn.exec_driver_sql("CREATE INDEX ON scaling.measurements (metric, period)")
        conn.exec_driver_sql("INSERT INTO scaling.measurements SELECT * FROM public.measurements")
        partitions = conn.execute(text(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'scaling.measurements'::regclass"
        )).scalar_one()
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE scaling.measurements")
    engine.dispose()

    work = Path("/tmp/guanxi-partitions")
    work.mkdir(exist_ok=True)
    ws = guanxi.open(write_config(work / "guanxi.toml", database=url))
    ws.require_ready()
    period = Period.containing(high.replace(day=1) - dt.timedelta(days=1), "month")
    print(f"measurements: {partitions} partitions (monthly, {low:%Y-%m} to {high:%Y-%m}, "
          f"and a default); core.revenue for {period.label}\n")
    for by in ("all", "manager"):
        seen: list[tuple[str, object]] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("INSERT INTO KPI_VALUES"):
                seen.append((statement, parameters))

        @event.listens_for(ws.engine, "connect")
        def search_path(dbapi_connection, record_):
            cursor = dbapi_connection.cursor()
            cursor.execute("SET search_path = scaling, public")
            cursor.close()
            dbapi_connection.commit()

        ws.engine.dispose()  # new connections take the search path
        event.listen(ws.engine, "before_cursor_execute", record)
        run_kpi(ws.runtime, ws.plugins.kpis()["core.revenue"], period, by, dt.date(2026, 11, 23))
        event.remove(ws.engine, "before_cursor_execute", record)
        with ws.engine.connect() as conn:
            statement, parameters = seen[0]
            plan = conn.exec_driver_sql("EXPLAIN (COSTS OFF) " + statement, parameters).all()
            conn.rollback()
        print(f"-- core.revenue by {by}: EXPLAIN (COSTS OFF) of the engine's INSERT ... SELECT")
        for (line,) in plan:
            print(line)
        print()
        event.remove(ws.engine, "connect", search_path)
        ws.engine.dispose()
    ws.close()


if __name__ == "__main__":
    main(sys.argv[1])
