"""guanxi's scale benchmarks: ``make bench`` (see docs/performance.md).

Every figure stands beside a baseline measured in the same run on the same
data, because absolute times on shared machines move by a third from one
run to the next; the ratios are what is reported against the targets of
issue 8.

Environment:

``BENCH_N``         customers (default 100000)
``BENCH_DATABASE``  a PostgreSQL URL (default: SQLite in a temporary
                    directory). The database is emptied: its name must
                    contain ``bench`` unless ``BENCH_FORCE=1``.
``BENCH_SEED``      the demo generator's seed (default 1)
``BENCH_PACKS``     packs to enable, comma-separated (default: every
                    installed pack)
``BENCH_KEEP``      keep the work directory (and, on PostgreSQL, the state)
``BENCH_RESUME``    a kept work directory: run only the phases not done there

The run, each phase in its own process so that its peak RSS is its own:

1. ``generate``: the demo generator at N customers into
   ``benchmarks/cache/<N>-<seed>/``, canonical CSV files (once per N and
   seed: a rerun reads the cache).
2. for each file, each in its own process, one after the other so that
   they meet the same load on a shared machine: ``baseline``, the file's
   rows already in memory as tuples loaded the fastest way the driver
   offers into the same, empty table of a second database (stdlib
   ``sqlite3`` ``executemany`` / ``COPY`` into a staging table plus one
   ``INSERT ... ON CONFLICT``); ``import``, ``guanxi import`` of the file;
   ``reimport``, the same file again (nothing changed).
3. ``prime``: a batch two weeks before the as-of day, and managers working
   through 70% of its tasks, as the demo does: the state a daily batch
   meets. It is kept as a snapshot.
4. ``batch``: on a copy of the snapshot, ``guanxi run`` (the daily batch).
5. ``jobs``: on two more copies, ``guanxi run`` again with each of its
   jobs timed, each job first run on the other copy as the same statement
   written by hand in SQL, so each engine job meets the state its twin met.
6. ``latency``: ``customers show`` and ``tasks list --manager`` through the
   Python API, beside a primary-key lookup, with the plan of every query.
7. ``startup``: ``guanxi --help`` and ``guanxi tasks list`` beside
   ``python -c pass``.
8. ``web`` (before ``latency``, on the same database): My day, the 360°
   view and ``GET /api/v1/tasks`` of the web workspace, server time beside
   the same Workspace calls made directly (benchmarks/web.py).
   ``web_load`` (last): twenty users on ``guanxi serve`` for 30 s, alone and
   while ``guanxi run`` runs (benchmarks/web.py ``load``).

Results go to ``benchmarks/results/<date>-<database>-<N>.json`` and ``.md``,
and the tables into docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / "cache"
RESULTS = HERE / "results"
DOC = REPO / "docs" / "performance.md"
sys.path.insert(0, str(HERE))

#: The day the base is generated for and the batch runs as of: fixed, so a
#: cached base and its figures are the same whatever day the bench runs.
AS_OF = dt.date(2026, 11, 23)
PRIME_DAYS_BEFORE = 14
LATENCY_CALLS = 50
STARTUP_RUNS = 9

TARGETS = {
    "import": {"sqlite": 0.5, "postgresql": 0.6},  # >= x of the baseline rate
    "reimport": 1.0,  # <= x the first import
    "job": 2.0,  # <= x the hand-written statement
    "batch": 2.0,  # <= x the sum of the hand-written statements
    "rss": 1.2,  # <= x the same at 100k
    "latency_ms": 50.0,  # median under
    "startup_s": 0.3,  # above python -c pass
}


# ---------------------------------------------------------------------------
# helpers shared by the phases


def peak_rss_mb() -> float:
    """This process's peak resident set size (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_state(work: Path) -> dict:
    return json.loads((work / "state.json").read_text())


def open_workspace(state: dict, url: str | None = None):
    import guanxi

    return guanxi.open(state["config"], database=url or state["database"])


def dialect_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def run_url(state: dict, name: str) -> str:
    """The URL of a copy of the snapshot (a file beside it, or a database)."""
    if state["dialect"] == "sqlite":
        return f"sqlite:///{Path(state['work']) / (name + '.db')}"
    from sqlalchemy.engine import make_url

    base = make_url(state["database"])
    return base.set(database=f"{base.database}_{name}").render_as_string(hide_password=False)


def _pg_admin(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(database="postgres", drivername="postgresql+psycopg")
    return create_engine(admin, isolation_level="AUTOCOMMIT")


def copy_snapshot(state: dict, name: str) -> str:
    """A fresh copy of the primed database; returns its URL."""
    url = run_url(state, name)
    if state["dialect"] == "sqlite":
        source = Path(state["database"][len("sqlite:///"):])
        target = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return url
    from sqlalchemy.engine import make_url

    engine = _pg_admin(url)
    with engine.connect() as conn:
        new, old = make_url(url).database, make_url(state["database"]).database
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{new}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{new}" TEMPLATE "{old}"')
    engine.dispose()
    return url


def drop_copy(state: dict, url: str) -> None:
    if state["dialect"] == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)
        return
    from sqlalchemy.engine import make_url

    engine = _pg_admin(url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}"')
    engine.dispose()


def checkpoint(ws) -> None:
    """SQLite: fold the WAL into the file, so a file copy is the whole database."""
    if ws.dialect == "sqlite":
        with ws.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def write_output(work: Path, phase: str, data: dict) -> None:
    data.setdefault("peak_rss_mb", round(peak_rss_mb(), 1))
    (work / f"{phase}.json").write_text(json.dumps(data, indent=2, default=str))


def run_engine_job(ws, job, as_of: dt.date, period=None) -> None:
    from guanxi.periods import Period

    kind = job[0]
    if kind == "segment":
        ws.segment([job[1]], as_of=as_of)
    elif kind == "rule":
        ws.run_rules([job[1]], as_of=as_of)
    else:
        from guanxi.engines.kpis import run_kpi

        kpi = ws.plugins.kpis()[job[1]]
        run_kpi(ws.runtime, kpi, period or Period.containing(as_of, "month"), job[2], as_of)


def hand_params(ws, as_of: dt.date, period=None):
    import handsql
    from guanxi.periods import Period

    period = period or Period.containing(as_of, "month")
    now = ws.now()
    created = now if as_of >= now.date() else dt.datetime.combine(as_of, dt.time())
    core = ws.settings.get("core", {})
    meta = {}
    for name, kpi in ws.plugins.kpis().items():
        targets = ws.config.targets.get(name, {})
        fallback_all = None if kpi.shown_only else targets.get("all", kpi.target)
        fallback_manager = None if kpi.shown_only else targets.get("manager")
        meta[name] = (kpi.unit, fallback_all, fallback_manager)
    return handsql.Params(
        dialect=ws.dialect, as_of=as_of, start=period.start, end=period.end, label=period.label,
        now=now, created_at=created, dormant_days=core.get("activity.dormant_days", 90),
        lost_days=core.get("activity.lost_days", 365),
        due_days=core.get("reactivation.due_days", 7),
        grace_days=core.get("overdue.grace_days", 0), kpi_meta=meta, settings=ws.settings,
    )


def run_hand_job(ws, job, params) -> float:
    """Run a job's hand-written statements in one transaction; seconds."""
    import handsql
    from sqlalchemy import text

    statements = handsql.JOBS[job](params)
    with ws.engine.connect() as conn:
        start = time.perf_counter()
        with conn.begin():
            for sql, values in statements:
                conn.execute(text(sql), values)
        return time.perf_counter() - start


# ---------------------------------------------------------------------------
# phases (each runs in its own process: python run.py --phase NAME --work DIR)


def generator_fingerprint(packs: list[str]) -> str:
    """A hash of the demo generators' source: a changed generator makes a new base.

    The core's generator, and each pack's demo module with the modules of
    its own package that it imports (a pack's rules or KPIs changing does
    not change the base it generates).
    """
    import ast
    import hashlib
    import importlib

    import guanxi
    from guanxi.plugins import installed_packs as found

    root = Path(guanxi.__file__).parent
    files = {root / "demo.py", root / "builtin" / "demo_base.py"}
    entry_points = found()
    for pack in packs:
        if pack not in entry_points:
            continue
        package = entry_points[pack].value.split(":")[0]
        folder = Path(importlib.import_module(package).__file__).parent
        todo = [folder / "demo.py"]
        while todo:
            path = todo.pop()
            if path in files or not path.exists():
                continue
            files.add(path)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package):
                    inner = node.module[len(package):].lstrip(".")
                    names = [inner] if inner else [a.name for a in node.names]
                    todo += [folder / f"{name.replace('.', '/')}.py" for name in names]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def phase_generate(work: Path) -> None:
    from guanxi.config import write_config
    from guanxi.demo import DemoContext, write_demo_files
    import guanxi

    state = load_state(work)
    target = Path(state["cache_dir"])
    building = target.with_name(target.name + ".partial")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    config = write_config(building / "generate.toml",
                          database=f"sqlite:///{building / 'unused.db'}", packs=state["packs"])
    started = time.perf_counter()
    with guanxi.open(config) as ws:
        ctx = DemoContext(customers=state["n"], seed=state["seed"], as_of=AS_OF,
                          packs=tuple(state["packs"]))
        files = write_demo_files(ws, ctx, building / "data")
    seconds = time.perf_counter() - started
    listed = []
    for entity, path in files:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = sum(1 for _ in csv.reader(handle)) - 1
        listed.append({"entity": entity, "file": str(path.relative_to(building)), "rows": rows})
    (building / "config.toml").unlink(missing_ok=True)
    (building / "generate.toml").unlink(missing_ok=True)
    manifest = {"n": state["n"], "seed": state["seed"], "as_of": AS_OF.isoformat(),
                "packs": state["packs"], "fingerprint": state["fingerprint"], "files": listed,
                "generated_s": round(seconds, 1)}
    (building / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    write_output(work, "generate", {"seconds": seconds})


def _typed_rows(ws, entity_name: str, path: Path):
    """The file's rows as the table stores them, converted once, untimed."""
    from zoneinfo import ZoneInfo

    from guanxi.importing.columns import build_plan
    from guanxi.importing.readers import open_rows
    from guanxi.periods import Period

    entity = ws.entity(entity_name)
    with open_rows(path) as source:
        plan = build_plan(entity, source.header, ws.plugins.fields_of(entity_name), ws.plugins,
                          ZoneInfo(ws.config.timezone), path.name)
        names = [pc.name for pc in plan.table_columns]
        rows = []
        for _, values, _ in source.rows():
            row = []
            for pc in plan.table_columns:
                text = values[pc.index] if pc.index < len(values) else None
                value = pc.convert(text)
                if isinstance(value, Period):
                    # A period as written (2026-10): stored as its first day,
                    # the grain the demo's metrics are declared with.
                    value = value.start
                if value is None and pc.empty_as_blank:
                    value = ""
                elif value is None and pc.default is not None:
                    value = pc.default
                row.append(value)
            rows.append(tuple(row))
    return entity, names, rows


def _sqlite_form(value):
    from decimal import Decimal

    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def baseline_url(state: dict) -> str:
    """A second database with the same schema: the baseline loads into its empty tables."""
    return run_url(state, "baseline")


def phase_baseline_setup(work: Path) -> None:
    state = load_state(work)
    url = baseline_url(state)
    if state["dialect"] == "postgresql":
        from sqlalchemy.engine import make_url

        engine = _pg_admin(url)
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{make_url(url).database}"')
        engine.dispose()
    with open_workspace(state, url) as ws:
        ws.upgrade()
    write_output(work, "baseline_setup", {"url": url})


def phase_baseline(work: Path, entity_name: str) -> None:
    """One file's rows, in memory as tuples, loaded by the driver's bulk path."""
    state = load_state(work)
    item = next(f for f in state["files"] if f["key"] == entity_name)
    with open_workspace(state, baseline_url(state)) as ws:
        ws.require_ready()
        entity, names, rows = _typed_rows(ws, item["entity"], Path(item["path"]))
        table = entity.table.name
        cols = ", ".join(f'"{n}"' for n in names)
        raw = ws.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if ws.dialect == "sqlite":
                rows = [tuple(_sqlite_form(v) for v in row) for row in rows]
                marks = ", ".join("?" for _ in names)
                upsert = ""
                if item["key"] != item["entity"]:
                    # A pack's second file of an entity may change rows already there.
                    others = [n for n in names if n not in entity.key]
                    keys = ", ".join(f'"{k}"' for k in entity.key)
                    upsert = (f" ON CONFLICT ({keys}) DO UPDATE SET "
                              + ", ".join(f'"{n}" = excluded."{n}"' for n in others))
                cpu = time.process_time()
                start = time.perf_counter()
                cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks}){upsert}',
                                   rows)
                raw.commit()
                seconds = time.perf_counter() - start
                cpu = time.process_time() - cpu
            else:
                key = list(entity.key)
                others = [n for n in names if n not in key]
                stage = f"bench_stage_{table}"
                update = ", ".join(f'"{n}" = excluded."{n}"' for n in others)
                mine = ", ".join(f'"{table}"."{n}"' for n in others)
                theirs = ", ".join(f'excluded."{n}"' for n in others)
                conflict = (f"DO UPDATE SET {update} WHERE ({mine}) IS DISTINCT FROM ({theirs})"
                            if others else "DO NOTHING")
                keys = ", ".join(f'"{k}"' for k in key)
                cpu = time.process_time()
                start = time.perf_counter()
                cursor.execute(f'CREATE TEMPORARY TABLE "{stage}" '
                               f'(LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DROP')
                with cursor.copy(f'COPY "{stage}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM "{stage}" '
                               f'ON CONFLICT ({keys}) {conflict}')
                raw.commit()
                seconds = time.perf_counter() - start
                cpu = time.process_time() - cpu
        finally:
            raw.close()
    print(f"  baseline  {entity_name:<14} {seconds:7.2f} s", flush=True)
    write_output(work, f"baseline-{entity_name}", {"rows": len(rows), "seconds": seconds,
                                                  "cpu_s": cpu})


def _time_import_hooks(ws) -> dict:
    """Time the packs' import hooks (validate, after saved): their work, not the importer's."""
    spent = {"seconds": 0.0}
    call_each = ws.plugins.call_each

    def timed(hook_name, **kwargs):
        if not (hook_name.startswith("guanxi_validate_") or hook_name.startswith("guanxi_after_")):
            yield from call_each(hook_name, **kwargs)
            return
        results = iter(call_each(hook_name, **kwargs))
        while True:
            start = time.perf_counter()
            try:
                item = next(results)
            except StopIteration:
                spent["seconds"] += time.perf_counter() - start
                return
            spent["seconds"] += time.perf_counter() - start
            yield item

    ws.plugins.call_each = timed
    return spent


def phase_load(work: Path, entity_name: str, label: str) -> None:
    """``guanxi import`` of one file, as the command runs it: one process."""
    state = load_state(work)
    item = next(f for f in state["files"] if f["key"] == entity_name)
    with open_workspace(state) as ws:
        ws.require_ready()
        hooks = _time_import_hooks(ws)
        cpu = time.process_time()
        start = time.perf_counter()
        result = ws.import_file(item["entity"], item["path"])
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    if result.rejected:
        raise SystemExit(f"{entity_name}: {result.rejected} rows rejected")
    print(f"  {label:<9} {entity_name:<14} {seconds:7.2f} s  {result.inserted:>9} new "
          f"{result.updated:>6} changed {result.unchanged:>9} same", flush=True)
    write_output(work, f"{label}-{entity_name}", {"rows": result.read, "seconds": seconds,
                                                 "cpu_s": cpu, "hooks_s": hooks["seconds"],
                                                 "result": result.as_json()})


def phase_import(work: Path, entity_name: str) -> None:
    phase_load(work, entity_name, "import")


def phase_reimport(work: Path, entity_name: str) -> None:
    phase_load(work, entity_name, "reimport")


def phase_prime(work: Path) -> None:
    """Yesterday's world: a batch two weeks ago and most of its tasks done."""
    from guanxi.demo import work_through_tasks

    state = load_state(work)
    with open_workspace(state) as ws:
        ws.require_ready()
        if ws.dialect == "postgresql":
            # What autovacuum does after a bulk load, done now so that plans
            # do not depend on when it woke up.
            with ws.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM ANALYZE")
        earlier = AS_OF - dt.timedelta(days=PRIME_DAYS_BEFORE)
        start = time.perf_counter()
        batch = ws.run(as_of=earlier)
        seconds = time.perf_counter() - start
        work_through_tasks(ws, 7, dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time(18)))
        if ws.dialect == "postgresql":
            with ws.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM ANALYZE")
        checkpoint(ws)
        failures = list(batch.failures)
    write_output(work, "prime", {"seconds": seconds, "failures": failures})


def _batch_summary(ws) -> dict:
    """What a batch left behind, to check the hand-written one did the same."""
    from sqlalchemy import func, select

    from guanxi.storage import tables as t

    with ws.engine.connect() as conn:
        labels = conn.execute(
            select(t.segments.c.segmentation, t.segments.c.label, func.count())
            .group_by(t.segments.c.segmentation, t.segments.c.label)
            .order_by(t.segments.c.segmentation, t.segments.c.label)
        ).all()
        tasks = conn.execute(
            select(t.tasks.c.rule, t.tasks.c.status, func.count())
            .group_by(t.tasks.c.rule, t.tasks.c.status).order_by(t.tasks.c.rule, t.tasks.c.status)
        ).all()
        kpis = conn.execute(
            select(t.kpi_values.c.kpi, t.kpi_values.c.scope, func.count(),
                   func.sum(t.kpi_values.c.value))
            .where(t.kpi_values.c.period == f"{AS_OF:%Y-%m}")
            .group_by(t.kpi_values.c.kpi, t.kpi_values.c.scope)
            .order_by(t.kpi_values.c.kpi, t.kpi_values.c.scope)
        ).all()
        digests = _digests(conn)
    return {
        "labels": {f"{s}/{label}": n for s, label, n in labels},
        "tasks": {f"{r}/{st}": n for r, st, n in tasks},
        "kpis": {f"{k}/{sc}": [n, None if v is None else round(float(v), 4)]
                 for k, sc, n, v in kpis},
        "rows": digests,
    }


def _digests(conn) -> dict:
    """A digest of every row a batch writes, per segmentation, rule and KPI: the
    hand-written twins must leave the same rows, reasons and history included."""
    import hashlib

    def norm(value):
        if isinstance(value, float):
            return f"{value:.6g}"
        if isinstance(value, (dt.date, dt.datetime)):
            return str(value)[:19]
        if isinstance(value, bool):
            return str(int(value))
        return "" if value is None else str(value)

    queries = {
        "segments": "SELECT segmentation, customer_id, label, score, reason, manual FROM segments "
                    "ORDER BY segmentation, customer_id",
        "history": "SELECT segmentation, customer_id, old_label, new_label, changed_on, reason "
                   "FROM segment_history ORDER BY segmentation, customer_id, changed_on, "
                   "old_label, new_label, reason",
        "tasks": "SELECT rule, customer_id, manager_id, kind, due_at, priority, status, reason, "
                 "dedupe_key FROM tasks "
                 "ORDER BY rule, customer_id, dedupe_key, status, due_at, reason, manager_id",
        "lists": "SELECT list, customer_id, added_at, note FROM list_members "
                 "ORDER BY list, customer_id",
        "kpis": f"SELECT kpi || '/' || scope, scope_key, value, target, unit FROM kpi_values "
                f"WHERE period = '{AS_OF:%Y-%m}' ORDER BY kpi, scope, scope_key",
    }
    out = {}
    for part, sql in queries.items():
        hashes: dict[str, hashlib._Hash] = {}
        counts: dict[str, int] = {}
        for row in conn.exec_driver_sql(sql):
            key = f"{part}/{row[0]}"
            if key not in hashes:
                hashes[key] = hashlib.sha256()
                counts[key] = 0
            # PostgreSQL's JSON text puts a space around ':' and after ','; read alike.
            text = "\x1f".join(norm(v) for v in row[1:]).replace(" : ", ":").replace(", \"", ",\"")
            hashes[key].update(text.encode() + b"\x1e")
            counts[key] += 1
        for key, digest in hashes.items():
            out[key] = f"{counts[key]}:{digest.hexdigest()[:12]}"
    return out


def phase_batch(work: Path) -> None:
    """``guanxi run`` on a copy of the primed state; kept for the latency phase."""
    state = load_state(work)
    url = copy_snapshot(state, "batch")
    with open_workspace(state, url) as ws:
        ws.require_ready()
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        result = ws.run(as_of=AS_OF)
        seconds = time.perf_counter() - start
        # Read now: the summary below is the bench's check, not the batch,
        # and on PostgreSQL the driver holds each digest query's rows at once.
        peak = round(peak_rss_mb(), 1)
        summary = _batch_summary(ws)
        failures = list(result.failures)
        checkpoint(ws)
    write_output(work, "batch", {"seconds": seconds, "failures": failures, "url": url,
                                 "rss_before_mb": rss_before, "summary": summary,
                                 "peak_rss_mb": peak})


def phase_jobs(work: Path) -> None:
    """``guanxi run`` with each job timed, beside its hand-written twin on another copy.

    The real batch (``run_batch``) runs on one copy of the primed state;
    each job it starts (a segmentation, a rule, a KPI) first runs on a
    second copy as hand-written SQL, then through the engine. Whatever else
    the batch does between jobs (moving case clocks) runs on both copies.
    So each engine job meets the state its twin met, minutes apart at most.
    """
    import handsql
    from guanxi.engines import kpis as kpi_engine
    from guanxi.engines import record_rules as record_engine
    from guanxi.engines import rules as rule_engine
    from guanxi.engines import segmentation as segment_engine
    from guanxi.periods import Period

    state = load_state(work)
    hand_url, engine_url = copy_snapshot(state, "hand"), copy_snapshot(state, "jobs")
    hand_out, engine_out = [], []
    originals = {
        "segment": (segment_engine, "run_segmentation"),
        "rule": (rule_engine, "run_rule"),
        "kpi": (kpi_engine, "run_kpi"),
        # Record rules (outage notices): both copies make them, so the KPIs that
        # read them (power.notice_on_time) meet the same records.
        "records": (record_engine, "run_record_rule"),
    }
    saved = {kind: getattr(module, name) for kind, (module, name) in originals.items()}
    try:
        with open_workspace(state, hand_url) as hand_ws, \
                open_workspace(state, engine_url) as ws:
            hand_ws.require_ready()
            ws.require_ready()
            params = hand_params(hand_ws, AS_OF)

            def timed(kind):
                def run(ws_, record, *args, **kwargs):
                    if kind == "kpi":
                        by = kwargs.get("by", args[1] if len(args) > 1 else None) or "all"
                        job = (kind, record.name, by)
                    else:
                        job = (kind, record.name)
                    if job in handsql.JOBS:
                        seconds = run_hand_job(hand_ws, job, params)
                        hand_out.append({"job": list(job), "seconds": seconds, "hand": True})
                    else:
                        # No hand-written twin: the engine's own time stands in.
                        start = time.perf_counter()
                        saved[kind](hand_ws.runtime, record, *args, **kwargs)
                        hand_out.append({"job": list(job), "seconds": time.perf_counter() - start,
                                         "hand": False})
                    start = time.perf_counter()
                    result = saved[kind](ws_, record, *args, **kwargs)
                    engine_out.append({"job": list(job), "seconds": time.perf_counter() - start})
                    return result
                return run

            for kind, (module, name) in originals.items():
                setattr(module, name, timed(kind))
            # What the batch does besides jobs, done on the hand-written side too:
            # moving the case clocks (the case machine's tick, in its own transaction).
            from guanxi.service import cases as case_machine

            tick = case_machine.tick

            def mirrored_tick(conn, rt, at, *args, **kwargs):
                if rt.facade is ws:
                    with hand_ws.engine.begin() as hand_conn:
                        tick(hand_conn, hand_ws.runtime, at, *args, **kwargs)
                return tick(conn, rt, at, *args, **kwargs)

            case_machine.tick = mirrored_tick
            try:
                start = time.perf_counter()
                result = ws.run(as_of=AS_OF)
                batch_seconds = time.perf_counter() - start
            finally:
                for kind, (module, name) in originals.items():
                    setattr(module, name, saved[kind])
                case_machine.tick = tick
            hand_summary = _batch_summary(hand_ws)
            engine_summary = _batch_summary(ws)
            # The last closed month's revenue, the month the KPIs compare.
            closed = Period.containing(AS_OF.replace(day=1) - dt.timedelta(days=1), "month")
            closed_params = hand_params(hand_ws, AS_OF, closed)
            hand_extra, engine_extra = [], []
            for by in ("all", "manager"):
                job = ("kpi", "core.revenue", by)
                hand_extra.append({"job": [*job, closed.label],
                                   "seconds": run_hand_job(hand_ws, job, closed_params)})
                start = time.perf_counter()
                run_engine_job(ws, job, AS_OF, closed)
                engine_extra.append({"job": [*job, closed.label],
                                     "seconds": time.perf_counter() - start})
    finally:
        drop_copy(state, hand_url)
        drop_copy(state, engine_url)
    write_output(work, "jobs", {"jobs": engine_out, "extra": engine_extra,
                                "hand": hand_out, "hand_extra": hand_extra,
                                "hand_summary": hand_summary, "engine_summary": engine_summary,
                                "batch_with_timers_s": batch_seconds,
                                "failures": list(result.failures)})


def _plan_lines(conn, dialect: str, statement: str, parameters) -> list[str]:
    if dialect == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return [row[-1] for row in rows]
    rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return [row[0] for row in rows]


def _full_scans(dialect: str, lines: list[str]) -> list[str]:
    """Plan lines that read a whole table instead of going through an index."""
    bad = []
    for line in lines:
        text = line.strip()
        if dialect == "sqlite":
            if text.startswith("SCAN ") and "USING" not in text and "CONSTANT ROW" not in text:
                bad.append(text)
        elif "Seq Scan" in text:
            bad.append(text)
    return bad


def phase_latency(work: Path) -> None:
    from sqlalchemy import event

    state = load_state(work)
    batch = json.loads((work / "batch.json").read_text())
    url = batch["url"]
    rng = random.Random(state["seed"])
    n = state["n"]
    with open_workspace(state, url) as ws:
        ws.require_ready()
        from guanxi.demo import DemoContext

        demo = DemoContext(customers=n, seed=state["seed"], as_of=AS_OF)
        customers = [demo.customer_id(rng.randint(1, n)) for _ in range(LATENCY_CALLS)]
        managers = [demo.manager_id(rng.randint(1, demo.managers)) for _ in range(LATENCY_CALLS)]
        # Warm: the first call checks the schema once per workspace.
        ws.customer_view(customers[0])
        ws.tasks(manager=managers[0])

        def median_ms(call, args) -> float:
            times = []
            for arg in args:
                start = time.perf_counter()
                call(arg)
                times.append((time.perf_counter() - start) * 1000)
            return statistics.median(times)

        view_ms = median_ms(ws.customer_view, customers)
        tasks_ms = median_ms(lambda m: ws.tasks(manager=m), managers)
        task_counts = [len(ws.tasks(manager=m)) for m in managers[:10]]

        raw = ws.engine.raw_connection()
        try:
            cursor = raw.cursor()
            mark = "?" if ws.dialect == "sqlite" else "%s"
            sql = f"SELECT * FROM customers WHERE id = {mark}"
            cursor.execute(sql, (customers[0],))
            cursor.fetchall()

            def pk(cid):
                cursor.execute(sql, (cid,))
                return cursor.fetchall()

            pk_ms = median_ms(pk, customers)
        finally:
            raw.close()

        # The plan of every statement the two calls run.
        seen: list[tuple[str, object]] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append((statement, parameters))

        event.listen(ws.engine, "before_cursor_execute", record)
        ws.customer_view(customers[1])
        view_statements = len(seen)
        ws.tasks(manager=managers[1])
        event.remove(ws.engine, "before_cursor_execute", record)
        plans = []
        with ws.engine.connect() as conn:
            for i, (statement, parameters) in enumerate(seen):
                lines = _plan_lines(conn, ws.dialect, statement, parameters)
                plans.append({
                    "call": "customer_view" if i < view_statements else "tasks",
                    "statement": " ".join(statement.split())[:160],
                    "plan": lines,
                    "full_scans": _full_scans(ws.dialect, lines),
                })
    # The batch's copy stays: web_load, last, serves it (main() drops it).
    write_output(work, "latency", {
        "customer_view_ms": view_ms, "tasks_manager_ms": tasks_ms, "pk_lookup_ms": pk_ms,
        "tasks_per_manager_sample": task_counts, "plans": plans,
    })


def phase_startup(work: Path) -> None:
    state = load_state(work)
    bin_dir = Path(sys.executable).parent
    guanxi_cmd = str(bin_dir / "guanxi")
    env = dict(os.environ, GUANXI_CONFIG=state["config"])
    env.pop("GUANXI_DATABASE", None)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "guanxi --help": [guanxi_cmd, "--help"],
        "guanxi tasks list --manager M0001 --limit 20": [
            guanxi_cmd, "tasks", "list", "--manager", "M0001", "--limit", "20"],
    }
    out, best, cpu = {}, {}, {}
    for name, argv in commands.items():
        times, cpu_times = [], []
        for _ in range(STARTUP_RUNS):
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # The command's own CPU seconds: what other jobs on a shared
            # machine change least (a PostgreSQL backend's work is not in it).
            cpu_times.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed: {done.stderr.strip()}")
        out[name] = statistics.median(times)
        best[name] = min(times)
        cpu[name] = statistics.median(cpu_times)
    write_output(work, "startup", {"median_s": out, "best_s": best, "median_cpu_s": cpu})


def phase_web(work: Path) -> None:
    import web

    state = load_state(work)
    batch = json.loads((work / "batch.json").read_text())
    with open_workspace(state, batch["url"]) as ws:
        write_output(work, "web", web.measure(ws, seed=state["seed"]))


def phase_web_load(work: Path) -> None:
    """Twenty users on ``guanxi serve`` for 30 s, alone then during ``guanxi run``
    (benchmarks/web.py ``load``); last, as its batch and tasks done change the base."""
    import web

    state = load_state(work)
    batch = json.loads((work / "batch.json").read_text())
    runs = [web.load(state["config"], batch["url"], with_batch=False, seed=state["seed"]),
            web.load(state["config"], batch["url"], with_batch=True, seed=state["seed"])]
    write_output(work, "web_load", {"runs": runs})


PHASES = {
    "generate": phase_generate,
    "baseline_setup": phase_baseline_setup,
    "baseline": phase_baseline,
    "import": phase_import,
    "reimport": phase_reimport,
    "prime": phase_prime,
    "batch": phase_batch,
    "jobs": phase_jobs,
    "latency": phase_latency,
    "startup": phase_startup,
    "web": phase_web,
    "web_load": phase_web_load,
}


# ---------------------------------------------------------------------------
# the orchestrator


def run_phase(work: Path, phase: str, arg: str | None = None, quiet: bool = False) -> dict:
    name = f"{phase}-{arg}" if arg else phase
    if os.environ.get("BENCH_RESUME") and (work / f"{name}.json").exists():
        return json.loads((work / f"{name}.json").read_text())
    if not quiet:
        print(f"[{time.strftime('%H:%M:%S')}] {phase}", flush=True)
    started = time.perf_counter()
    argv = [sys.executable, __file__, "--phase", phase, "--work", str(work)]
    subprocess.run(argv + (["--arg", arg] if arg else []), check=True)
    name = f"{phase}-{arg}" if arg else phase
    data = json.loads((work / f"{name}.json").read_text())
    data["phase_wall_s"] = round(time.perf_counter() - started, 1)
    return data


def installed_packs() -> list[str]:
    from guanxi.plugins import installed_packs as found

    return sorted(found())


def prepare_database(url: str | None, work: Path) -> tuple[str, str]:
    """(url, dialect): a SQLite file in ``work``, or the named PostgreSQL database emptied."""
    if not url:
        return f"sqlite:///{work / 'bench.db'}", "sqlite"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("BENCH_DATABASE must be a PostgreSQL URL (SQLite is the default)")
    if "bench" not in (parsed.database or "") and os.environ.get("BENCH_FORCE") != "1":
        raise SystemExit(f"BENCH_DATABASE {parsed.database!r} would be emptied; use a database "
                         "whose name contains 'bench', or set BENCH_FORCE=1")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    url = parsed.render_as_string(hide_password=False)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url, "postgresql"


def versions(url: str, dialect: str) -> dict:
    import sqlite3

    import sqlalchemy

    info = {"python": platform.python_version(), "sqlalchemy": sqlalchemy.__version__,
            "sqlite": sqlite3.sqlite_version, "cpus": os.cpu_count(),
            "machine": platform.machine()}
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if dialect == "postgresql":
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.connect() as conn:
            info["postgresql"] = conn.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
        import psycopg

        info["psycopg"] = psycopg.__version__
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--work", type=Path)
    parser.add_argument("--arg")
    args = parser.parse_args()
    if args.phase:
        if args.arg:
            PHASES[args.phase](args.work, args.arg)
        else:
            PHASES[args.phase](args.work)
        return

    # Bytecode is cached, as it is for an installed guanxi: process start is
    # then measured as a user meets it (this environment may turn it off).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    n = int(os.environ.get("BENCH_N", "100000"))
    seed = int(os.environ.get("BENCH_SEED", "1"))
    packs_env = os.environ.get("BENCH_PACKS")
    packs = [p for p in packs_env.split(",") if p] if packs_env is not None else installed_packs()
    resume = os.environ.get("BENCH_RESUME")
    if resume:
        work = Path(resume)
        state = json.loads((work / "state.json").read_text())
        url, dialect = state["database"], state["dialect"]
    else:
        work = Path(tempfile.mkdtemp(prefix="guanxi-bench-"))
        url, dialect = prepare_database(os.environ.get("BENCH_DATABASE"), work)
    from guanxi.config import write_config

    config = write_config(work / "guanxi.toml", database=url, packs=packs)
    # The core's base keeps its name; packs add their rows, so theirs is another base.
    cache_dir = CACHE / (f"{n}-{seed}" + (f"-{'-'.join(packs)}" if packs else ""))
    state = {"n": n, "seed": seed, "packs": packs, "work": str(work), "config": str(config),
             "database": url, "dialect": dialect, "cache_dir": str(cache_dir),
             "fingerprint": generator_fingerprint(packs)}
    (work / "state.json").write_text(json.dumps(state, indent=2))
    print(f"guanxi bench: N={n:,} seed={seed} database={dialect} packs={packs or ['core']} "
          f"work={work}", flush=True)

    phases: dict[str, dict] = {}
    manifest_path = cache_dir / "manifest.json"
    cached = False
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text())
        cached = old.get("packs") == packs and old.get("fingerprint") == state["fingerprint"]
        if not cached:
            print(f"  the cached base in {cache_dir} was made by other packs or another "
                  "generator: generating again", flush=True)
    if cached:
        print(f"  base cached in {cache_dir}", flush=True)
    else:
        phases["generate"] = run_phase(work, "generate")
    manifest = json.loads(manifest_path.read_text())
    state["files"] = [{"entity": f["entity"], "path": str(cache_dir / f["file"]), "rows": f["rows"]}
                      for f in manifest["files"]]
    # A pack's demo adds files of entities the core's base has (its retailers, its
    # managers): the first file of an entity is named by the entity, the others
    # by the entity and the file (customers.banking-base).
    seen: set[str] = set()
    for item, listed in zip(state["files"], manifest["files"]):
        name = Path(listed["file"])
        item["key"] = (item["entity"] if item["entity"] not in seen else
                       f"{item['entity']}.{name.parent.name}-{name.stem.split('-')[0]}")
        seen.add(item["entity"])
    (work / "state.json").write_text(json.dumps(state, indent=2))

    import guanxi

    if not resume:
        with guanxi.open(config) as ws:
            ws.upgrade()
    # One process per file and step, as `guanxi import` runs; the baseline,
    # the import and the re-import of a file one after the other, so that
    # all three meet the same load on a shared machine.
    run_phase(work, "baseline_setup")
    print(f"[{time.strftime('%H:%M:%S')}] import (baseline, import, re-import of each file)",
          flush=True)
    loads = {"baseline": {}, "import": {}, "reimport": {}}
    for item in state["files"]:
        for step in ("baseline", "import", "reimport"):
            loads[step][item["key"]] = run_phase(work, step, item["key"], quiet=True)
    drop_copy(state, run_url(state, "baseline"))
    phases.update(loads)
    for phase in ("prime", "batch", "jobs", "web", "latency", "startup", "web_load"):
        phases[phase] = run_phase(work, phase)
    # The batch's copy served web, latency and web_load; a resumed run that
    # redid none of them has none.
    batch_url = phases["batch"].get("url")
    if batch_url:
        drop_copy(state, batch_url)

    info = versions(url, dialect)
    import report

    result = report.assemble(state, manifest, phases, info, cached, TARGETS)
    paths = report.write(result, RESULTS, DOC)
    import web  # the web workspace's own table, beside the others

    engine_name = (f"PostgreSQL {info['postgresql']}" if "postgresql" in info
                   else f"SQLite {info['sqlite']}")
    web.update_doc(DOC, f"{dialect}-{n}" + "".join(f"-{p}" for p in packs),
                   web.markdown(phases["web"], f"{engine_name}, N = {n:,} customers, "
                                f"packs: {', '.join(packs) or 'core'} ({dt.date.today()})"))
    web.update_doc(DOC, f"load-{dialect}-{n}" + "".join(f"-{p}" for p in packs),
                   web.load_markdown(phases["web_load"]["runs"], f"{engine_name}, N = {n:,} "
                                     f"customers, 20 users ({dt.date.today()})"))
    print(paths["markdown_text"])
    print(f"results: {paths['json']}  {paths['markdown']}  (docs/performance.md updated)")
    if not os.environ.get("BENCH_KEEP") and not resume:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
