"""The value pack at scale: RFM, the Pareto share and the cohort grid beside
their hand-written twins (``handsql_value``), and the BG/NBD + Gamma-Gamma
fit's time and peak memory.

    .venv/bin/python benchmarks/value_bench.py                 # BENCH_N (100,000), SQLite
    BENCH_N=1000000 BENCH_DATABASE=postgresql+psycopg://.../guanxi_bench .venv/bin/python benchmarks/value_bench.py

A base of BENCH_N customers (owned by BENCH_N / 200 managers, a customer type
each) and their purchases, drawn as BG/NBD assumes buyers behave (about 4.5
a customer), is written as CSV and loaded with ``guanxi import``. Each job
then runs twice, hand-written SQL first and the engine second, each from
the same state (RFM's labels and history cleared before each run); the
faster of two rounds counts. The fit runs in its own process so that its
peak RSS is its own: it reads one summary row per customer (grouped by
(x, t_x, T) for BG/NBD), never a purchase. Results go to
``benchmarks/results/<date>-<database>-<N>-value.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "results"
AS_OF = dt.date(2026, 11, 23)
SEED = 1


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(folder: Path, n: int) -> dict:
    """managers, customers and purchases (interactions) as canonical CSV files."""
    rng = random.Random(SEED)
    managers = max(4, n // 200)
    with (folder / "managers.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "name"])
        for m in range(1, managers + 1):
            out.writerow([f"M{m:05d}", f"Manager {m}"])
    purchases = 0
    with (folder / "customers.csv").open("w", newline="", encoding="utf-8") as fc, \
            (folder / "interactions.csv").open("w", newline="", encoding="utf-8") as fi:
        cust, inter = csv.writer(fc), csv.writer(fi)
        cust.writerow(["id", "name", "manager_id", "created_at", "customer_type"])
        inter.writerow(["id", "customer_id", "kind", "occurred_at", "amount"])
        types = ("consumer", "consumer", "consumer", "intermediary", "public_interest")
        for c in range(1, n + 1):
            cid = f"C{c:07d}"
            first = AS_OF - dt.timedelta(days=rng.randint(0, 730))
            cust.writerow([cid, f"Customer {c}", f"M{rng.randint(1, managers):05d}",
                           first.isoformat(), types[c % 5]])
            rate, drop = rng.gammavariate(0.8, 0.3), rng.betavariate(1.0, 4.0)
            spend, day, k = rng.lognormvariate(5.0, 0.9), first, 0
            while day <= AS_OF:
                k += 1
                inter.writerow([f"{cid}-{k}", cid, "order", f"{day.isoformat()} 10:00",
                                f"{spend * rng.gammavariate(4.0, 0.25):.2f}"])
                if k > 1 and rng.random() < drop:
                    break
                gap = rng.expovariate(rate) * 7 if rate > 0 else 10_000
                if gap > 1_000:     # a buyer that slow buys nothing more before the as-of day
                    break
                day += dt.timedelta(days=max(1, round(gap)))
            purchases += k
    return {"customers": n, "managers": managers, "purchases": purchases}


def hand_params(ws):
    import handsql
    from guanxi.periods import Period

    period = Period.containing(AS_OF, "month")
    meta = {name: (k.unit, None, None) for name, k in ws.plugins.kpis().items()}
    return handsql.Params(dialect=ws.dialect, as_of=AS_OF, start=period.start, end=period.end,
                          label=period.label, now=ws.now(), created_at=ws.now(),
                          kpi_meta=meta, settings=ws.settings)


def _clear_rfm(ws) -> None:
    from sqlalchemy import delete

    from guanxi import tables

    with ws.engine.begin() as conn:
        for t in (tables.segments, tables.segment_history):
            conn.execute(delete(t).where(t.c.segmentation == "value.rfm"))


def _run_hand(ws, statements) -> float:
    from sqlalchemy import text

    with ws.engine.connect() as conn:
        start = time.perf_counter()
        with conn.begin():
            for sql, values in statements:
                conn.execute(text(sql), values)
        return time.perf_counter() - start


def time_jobs(ws) -> list[dict]:
    import handsql  # noqa: F401 - first: it imports handsql_value itself
    import handsql_value
    from sqlalchemy import text

    from guanxi_value import cohorts

    p = hand_params(ws)
    rows = []

    def best(hand, engine, prepare=lambda: None):
        hands, engines = [], []
        for _ in range(2):
            prepare()
            hands.append(hand())
            prepare()
            start = time.perf_counter()
            engine()
            engines.append(time.perf_counter() - start)
        return min(hands), min(engines)

    jobs = [
        ("value.rfm (segmentation)",
         lambda: _run_hand(ws, handsql_value.value_rfm(p)),
         lambda: ws.segment(["value.rfm"], as_of=AS_OF), lambda: _clear_rfm(ws)),
    ]
    for by in ("all", "manager"):
        jobs.append((f"value.pareto_share by {by}",
                     lambda by=by: _run_hand(ws, handsql_value.value_pareto(by)(p)),
                     lambda by=by: ws.kpi(["value.pareto_share"], period="2026-11", by=by,
                                          as_of=AS_OF), lambda: None))

    def hand_cohorts():
        sql, values = handsql_value.value_cohorts(p)
        with ws.engine.connect() as conn:
            start = time.perf_counter()
            conn.execute(text(sql), values).all()
            return time.perf_counter() - start

    jobs.append(("value cohorts (12 months)", hand_cohorts,
                 lambda: cohorts.grid(ws, ws.query_context("value", AS_OF), 12), lambda: None))
    for name, hand, engine, prepare in jobs:
        h, e = best(hand, engine, prepare)
        rows.append({"job": name, "hand_s": round(h, 3), "engine_s": round(e, 3),
                     "ratio": round(e / h, 2) if h else None})
        print(f"  {name}: hand {h:.2f} s, engine {e:.2f} s, {e / h:.2f}×", flush=True)
    return rows


def fit_phase(config: str, store: bool) -> None:
    """In its own process: the fit (and the stored figures), its time and peak RSS."""
    import guanxi
    from guanxi_value import fitting

    with guanxi.open(config) as ws:
        before = peak_rss_mb()
        start = time.perf_counter()
        result = fitting.fit(ws, AS_OF)
        fitted = time.perf_counter() - start
        stored = None
        if store:
            start = time.perf_counter()
            fitting.store(ws, result)
            stored = time.perf_counter() - start
    b, g = result.bgnbd, result.gamma_gamma
    print(json.dumps({"fit_s": round(fitted, 2), "store_s": stored and round(stored, 2),
                      "rss_start_mb": round(before), "peak_rss_mb": round(peak_rss_mb()),
                      "bgnbd": [round(v, 4) for v in (b.r, b.alpha, b.a, b.b)],
                      "gamma_gamma": g and [round(v, 4) for v in (g.p, g.q, g.gamma)],
                      "customers": b.customers}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--fit":
        fit_phase(sys.argv[2], sys.argv[3] == "store")
        return
    import guanxi
    from guanxi.config import write_config

    n = int(os.environ.get("BENCH_N", "100000"))
    work = Path(tempfile.mkdtemp(prefix="guanxi-value-bench-"))
    url = os.environ.get("BENCH_DATABASE")
    if url:
        from run import prepare_database

        url, dialect = prepare_database(url, work)
    else:
        url, dialect = f"sqlite:///{work / 'bench.db'}", "sqlite"
    config = write_config(work / "guanxi.toml", database=url, packs=["value"])
    print(f"value bench: N={n:,} database={dialect} work={work}", flush=True)
    start = time.perf_counter()
    counts = generate(work, n)
    print(f"  generated {counts['purchases']:,} purchases in {time.perf_counter() - start:.1f} s",
          flush=True)
    with guanxi.open(config) as ws:
        ws.upgrade()
        start = time.perf_counter()
        for entity in ("managers", "customers", "interactions"):
            ws.import_file(entity, work / f"{entity}.csv")
        loaded = time.perf_counter() - start
        print(f"  imported in {loaded:.1f} s", flush=True)
        jobs = time_jobs(ws)
    fits = {}
    for mode in ("fit", "store"):
        out = subprocess.run([sys.executable, __file__, "--fit", str(config), mode],
                             capture_output=True, text=True, check=True)
        fits[mode] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {mode}: {fits[mode]}", flush=True)
    lines = [f"`BENCH_N={n} .venv/bin/python benchmarks/value_bench.py` · database {dialect} · "
             f"as of {AS_OF} · {counts['customers']:,} customers, {counts['purchases']:,} "
             f"purchases, {counts['managers']:,} managers", "",
             "| job | hand-written SQL (s) | engine (s) | engine ÷ hand |", "|---|---:|---:|---:|"]
    lines += [f"| {r['job']} | {r['hand_s']:.2f} | {r['engine_s']:.2f} | {r['ratio']:.2f}× |"
              for r in jobs]
    f, s = fits["fit"], fits["store"]
    lines += ["", "| fit (`guanxi value fit`) | seconds | peak RSS (MB) |", "|---|---:|---:|",
              f"| BG/NBD + Gamma-Gamma fitted ({f['customers']:,} customers) | {f['fit_s']:.1f} "
              f"| {f['peak_rss_mb']} (at start {f['rss_start_mb']}) |",
              f"| fitted and each customer's three figures stored | "
              f"{s['fit_s'] + s['store_s']:.1f} | {s['peak_rss_mb']} |"]
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{dt.date.today().isoformat()}-{dialect}-{n}-value.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    print(f"written {path}")


if __name__ == "__main__":
    main()
