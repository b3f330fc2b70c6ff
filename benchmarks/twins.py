"""A pack's hand-written twins beside their engine jobs, alone, on a kept bench state.

``make bench``'s jobs phase times every job of a whole daily batch, each
beside its twin. At 1,000,000 customers a pack whose batch takes most of an
hour makes that phase hours long: the receivables pack's eleven KPIs at four
scopes each read the whole ledger (3 million invoices, 6 million
settlements) every time. This runs only the jobs that have a hand-written
twin, for the packs named, each first by hand on one copy of the state and
then through the engine on another (the jobs phase's order), and holds the
stored KPI values equal::

    BENCH_KEEP=1 BENCH_PACKS=receivables BENCH_N=1000000 make bench   # stop it after import
    .venv/bin/python benchmarks/twins.py WORK_DIR receivables
    .venv/bin/python benchmarks/twins.py --flagship WORK_DIR receivables

``WORK_DIR``: the work directory the bench prints on its first line.
``--flagship``: only the flagship contributions' twins (★ in the tables).
The state is the kept work directory's database as it stands: imported, or
primed too (a KPI over the ledger reads the same invoices either way).
Writes ``twins.json`` in the work directory and prints a table.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import handsql  # noqa: E402
import run  # noqa: E402


def _kpi_rows(ws, job, label: str) -> list[tuple]:
    from sqlalchemy import select

    from guanxi.storage import tables as t

    k = t.kpi_values
    with ws.engine.connect() as conn:
        rows = conn.execute(select(k.c.scope_key, k.c.value, k.c.target)
                            .where(k.c.kpi == job[1], k.c.period == label, k.c.scope == job[2])
                            .order_by(k.c.scope_key)).all()
    return [tuple(r) for r in rows]


def _same(a: list[tuple], b: list[tuple]) -> bool:
    def close(x, y):
        if x is None or y is None:
            return x is y
        return math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-6)

    return len(a) == len(b) and all(
        ra[0] == rb[0] and close(ra[1], rb[1]) and close(ra[2], rb[2]) for ra, rb in zip(a, b))


def main(work: Path, packs: list[str], flagship_only: bool = False) -> None:
    from guanxi.periods import Period

    state = run.load_state(work)
    with run.open_workspace(state) as ws:
        run.checkpoint(ws)  # a state kept from a stopped run may have its last pages in the WAL
    jobs = [job for job in handsql.JOBS if job[1].split(".")[0] in packs and job[0] == "kpi"
            and (not flagship_only or job[1] in handsql.FLAGSHIP)]
    if not jobs:
        raise SystemExit(f"no hand-written KPI twin for packs {', '.join(packs)}")
    hand_url, engine_url = run.copy_snapshot(state, "hand"), run.copy_snapshot(state, "twins")
    results = []
    try:
        with run.open_workspace(state, hand_url) as hand_ws, \
                run.open_workspace(state, engine_url) as ws:
            params = run.hand_params(hand_ws, run.AS_OF)
            label = Period.containing(run.AS_OF, "month").label
            for job in jobs:
                hand = run.run_hand_job(hand_ws, job, params)
                start = time.perf_counter()
                run.run_engine_job(ws, job, run.AS_OF)
                engine = time.perf_counter() - start
                hand_rows, engine_rows = _kpi_rows(hand_ws, job, label), _kpi_rows(ws, job, label)
                same = bool(engine_rows) and _same(hand_rows, engine_rows)
                flagship = job[1] in handsql.FLAGSHIP
                results.append({"job": list(job), "engine_s": engine, "hand_s": hand,
                                "ratio": engine / hand if hand else None, "same": same,
                                "values": len(engine_rows),
                                "flagship": flagship})
                print(f"{' '.join(job):45} {engine:8.2f} s {hand:8.2f} s {engine / hand:5.2f}x"
                      f" {len(engine_rows):6} value(s){' ★' if flagship else ''}"
                      f"{'' if same else '  VALUES DIFFER OR NONE'}",
                      flush=True)
    finally:
        run.drop_copy(state, hand_url)
        run.drop_copy(state, engine_url)
    doc = {"n": state["n"], "packs": packs, "as_of": run.AS_OF.isoformat(),
           "peak_rss_mb": round(run.peak_rss_mb(), 1), "jobs": results}
    (work / "twins.json").write_text(json.dumps(doc, indent=2))
    (work / "twins.md").write_text(markdown(doc))
    print(markdown(doc))


def markdown(doc: dict) -> str:
    """The table for docs/performance.md: each job, engine and hand seconds, the ratio."""
    lines = ["| job | engine s | hand SQL s | ratio | target | | values |",
             "|---|---:|---:|---:|---:|---|---:|"]
    for r in doc["jobs"]:
        target = "≤ 2×" if r["flagship"] else "—"
        met = ("met" if r["ratio"] <= 2 else "**missed**") if r["flagship"] else ""
        if not r["same"]:
            met += " (values differ)"
        name = " ".join(r["job"]) + (" ★" if r["flagship"] else "")
        lines.append(f"| {name} | {r['engine_s']:.2f} | {r['hand_s']:.2f} | {r['ratio']:.2f}× "
                     f"| {target} | {met} | {r.get('values', '')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    args = sys.argv[1:]
    flagship_only = "--flagship" in args
    args = [a for a in args if a != "--flagship"]
    if len(args) < 2:
        raise SystemExit(__doc__)
    main(Path(args[0]), args[1:], flagship_only)
