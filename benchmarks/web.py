"""The web workspace's section of ``make bench``: server time beside the direct calls.

Three requests a manager makes all day, each timed inside the server (its
``Server-Timing`` header: authentication, scope, the queries, rendering;
not the network), beside the same ``Workspace`` calls made directly in one
process, which is the baseline:

- **My day** (``GET /``): ``ws.tasks(due="today", scope=...)`` and this
  week's ``ws.plan(..., scope=...)``;
- **the 360° view** (``GET /api/v1/customers/{id}``): the scope check and
  ``ws.customer_view(id)``;
- **the task list** (``GET /api/v1/tasks``): ``ws.tasks(scope=..., limit=100)``.

Each request is made for ``WEB_CALLS`` sampled managers (each a ``manager``
user with a token) and their own customers; the median and the 95th
percentile are reported. ``run.py`` runs it as its ``web`` phase on the
batch's database; on its own it measures any workspace::

    python benchmarks/web.py --config demo/guanxi.toml [--calls 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path

WEB_CALLS = 100
#: The issue's targets, server time at a million customers: median, 95th percentile.
TARGET_MEDIAN_MS, TARGET_P95_MS = 100.0, 250.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _summary(values: list[float]) -> dict:
    return {"median_ms": round(statistics.median(values), 2), "p95_ms": round(_p95(values), 2),
            "calls": len(values)}


def measure(ws, calls: int = WEB_CALLS, seed: int = 1) -> dict:
    """Time the three requests and their direct calls on ``ws``; returns the figures."""
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from guanxi.storage import tables as t
    from guanxi.web.app import create_app

    ws.require_ready()
    rng = random.Random(seed)
    c = t.customers
    with ws.engine.connect() as conn:
        owners = conn.execute(select(c.c.manager_id).where(c.c.manager_id.is_not(None))
                              .group_by(c.c.manager_id).order_by(c.c.manager_id)).scalars().all()
        managers = [rng.choice(owners) for _ in range(calls)]
        # one customer of each sampled manager, picked by offset among theirs
        customers = []
        for m in managers:
            count = conn.execute(select(func.count()).where(c.c.manager_id == m)).scalar_one()
            customers.append(conn.execute(select(c.c.id).where(c.c.manager_id == m)
                                          .order_by(c.c.id).offset(rng.randrange(count))
                                          .limit(1)).scalar_one())
    tokens = {}
    for m in sorted(set(managers)):
        login = f"bench-{m}"
        existing = {u.login for u in ws.users()}
        if login not in existing:
            ws.add_user(login, manager=m, role="manager", password=None)
        tokens[m] = ws.create_token(login, "bench")[1]
    client = TestClient(create_app(ws))
    users = {m: ws.user(f"bench-{m}") for m in tokens}
    scopes = {m: ws.scope(users[m]) for m in tokens}
    today = ws.today()
    week = f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"

    def server_ms(answer) -> float:
        assert answer.status_code == 200, answer.text[:300]
        timing = answer.headers["Server-Timing"]
        return float(timing.split("dur=")[1])

    def direct(call) -> float:
        start = time.perf_counter()
        call()
        return (time.perf_counter() - start) * 1000

    # Warm both paths once: the first call checks the schema and loads the packs.
    client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {tokens[managers[0]]}"})
    ws.customer_view(customers[0])
    found = {"my_day": ([], []), "customer_view": ([], []), "tasks": ([], [])}
    counts = []
    for m, cid in zip(managers, customers):
        auth = {"Authorization": f"Bearer {tokens[m]}"}
        scope = scopes[m]
        found["my_day"][0].append(server_ms(client.get("/", headers=auth)))
        found["my_day"][1].append(direct(lambda: (
            ws.tasks(due="today", scope=scope, limit=100), ws.plan(week, None, scope=scope))))
        found["customer_view"][0].append(server_ms(
            client.get(f"/api/v1/customers/{cid}", headers=auth)))
        found["customer_view"][1].append(direct(lambda: (
            ws.require_visible(cid, scope), ws.customer_view(cid))))
        answer = client.get("/api/v1/tasks", headers=auth)
        counts.append(len(answer.json()))
        found["tasks"][0].append(server_ms(answer))
        found["tasks"][1].append(direct(lambda: ws.tasks(scope=scope, limit=100)))
    return {
        "calls": calls, "managers": len(tokens),
        "tasks_per_list_median": statistics.median(counts),
        "requests": {name: {"server": _summary(web), "direct": _summary(base),
                            "ratio": round(statistics.median(web) / statistics.median(base), 2)}
                     for name, (web, base) in found.items()},
    }


LABELS = {"my_day": "My day (`GET /`)",
          "customer_view": "360° view (`GET /api/v1/customers/{id}`)",
          "tasks": "task list (`GET /api/v1/tasks`)"}


def markdown(result: dict, title: str) -> str:
    lines = [f"#### {title}", "",
             f"{result['calls']} calls each, for {result['managers']} managers "
             f"(median {result['tasks_per_list_median']:g} tasks a list). Server time from the "
             "`Server-Timing` header; the baseline is the same Workspace calls made directly.", "",
             "| request | server median | server p95 | direct median | direct p95 | ratio "
             "| target |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for name, r in result["requests"].items():
        s, d = r["server"], r["direct"]
        ok = s["median_ms"] < TARGET_MEDIAN_MS and s["p95_ms"] < TARGET_P95_MS
        lines.append(f"| {LABELS[name]} | {s['median_ms']:.1f} ms | {s['p95_ms']:.1f} ms | "
                     f"{d['median_ms']:.1f} ms | {d['p95_ms']:.1f} ms | {r['ratio']:.2f}x | "
                     f"{'met' if ok else 'MISSED'} (< {TARGET_MEDIAN_MS:g} / "
                     f"{TARGET_P95_MS:g} ms) |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# twenty users at once (issue 21)

LOAD_USERS, LOAD_SECONDS = 20, 30.0
#: Seconds a simulated manager reads a page before the next, uniform in this range:
#: a person reads for longer; a user without a pause is a stress test, not a day.
THINK_SECONDS = (0.5, 1.5)
#: The issue's target for twenty users, client time on 127.0.0.1 (network included).
TARGET_LOAD_P95_MS = 500.0
#: What one simulated manager does, over and over: (label, method, path).
DAY = ("my_day", "search", "customer", "tasks", "numbers", "plan", "task_done")


def _serve(config: str, database: str | None):
    """``guanxi serve --port 0`` in its own process: (process, base URL)."""
    import re
    import subprocess
    import sys

    argv = [str(Path(sys.executable).with_name("guanxi")), "--config", config, *(
        ["--database", database] if database else []), "serve", "--port", "0"]
    server = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              text=True)
    deadline = time.monotonic() + 120
    for line in server.stderr:
        found = re.search(r"on (http://127\.0\.0\.1:\d+)/", line)
        if found:
            # keep reading its log so the pipe never fills and stalls the server
            import threading

            threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
            return server, found[1]
        if time.monotonic() > deadline:
            break
    server.kill()
    raise SystemExit(f"guanxi serve did not start: {line.strip()}")


def load(config: str, database: str | None = None, users: int = LOAD_USERS,
         seconds: float = LOAD_SECONDS, with_batch: bool = False, seed: int = 1) -> dict:
    """``users`` managers working their day against ``guanxi serve`` for ``seconds``.

    Each is a thread with its own connection and token, reading each page
    :data:`THINK_SECONDS` before the next, going round :data:`DAY`:
    My day, a search by id, a customer's page, the task list, My numbers, the
    plan, one due task marked done through the API. Every answer is timed on
    the client (127.0.0.1, so the network is the loopback). ``with_batch``:
    ``guanxi run`` (the daily batch) is started in its own process as the
    users start, so they meet it. Stops by itself: each user ends its round at
    the deadline; the batch is waited for at most 30 minutes.
    """
    import subprocess
    import sys
    import threading

    import guanxi
    import httpx
    from sqlalchemy import select

    from guanxi.storage import tables as t

    rng = random.Random(seed)
    with guanxi.open(config, database=database) as ws:
        c = t.customers
        with ws.engine.connect() as conn:
            owners = conn.execute(select(c.c.manager_id).where(c.c.manager_id.is_not(None))
                                  .group_by(c.c.manager_id).order_by(c.c.manager_id)
                                  ).scalars().all()
            # twenty users; a small base with fewer managers gives some two users
            chosen = [owners[i % len(owners)] for i in range(users)] if len(owners) < users \
                else rng.sample(owners, users)
            customers = {m: conn.execute(select(c.c.id).where(c.c.manager_id == m)
                                         .order_by(c.c.id).limit(50)).scalars().all()
                         for m in set(chosen)}
        existing = {u.login for u in ws.users()}
        tokens = {}
        for m in sorted(set(chosen)):
            login = f"bench-{m}"
            if login not in existing:
                ws.add_user(login, manager=m, role="manager", password=None)
            tokens[m] = ws.create_token(login, "bench load")[1]
        dialect = ws.dialect
    server, base = _serve(config, database)
    # Warm up as a server that has been up a while: My numbers' twelve periods computed
    # once (then kept, [serve] figures_seconds), before the clock starts.
    warm_started = time.perf_counter()
    httpx.get(f"{base}/numbers", headers={"Authorization": f"Bearer {tokens[chosen[0]]}"},
              timeout=1800)
    warm_s = round(time.perf_counter() - warm_started, 1)
    batch = None
    timings: dict[str, list[float]] = {name: [] for name in DAY}
    errors: list[str] = []
    lock = threading.Lock()

    def work(manager: str, token: str, own: list[str], start: threading.Event,
             deadline_box: list, slot: int, share: int) -> None:
        # users sharing a manager (a small base) mark different tasks done: id % share
        mine = random.Random(f"{seed}-{manager}")
        with httpx.Client(base_url=base, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            due: list = []
            start.wait()
            while time.monotonic() < deadline_box[0]:
                for name in DAY:
                    if time.monotonic() >= deadline_box[0]:
                        break
                    cid = mine.choice(own) if own else ""
                    time.sleep(mine.uniform(*THINK_SECONDS))
                    if time.monotonic() >= deadline_box[0]:
                        break
                    began = time.perf_counter()
                    try:
                        if name == "my_day":
                            answer = client.get("/")
                        elif name == "search":
                            answer = client.get("/customers", params={"q": cid})
                        elif name == "customer":
                            answer = client.get(f"/customers/{cid}")
                        elif name == "tasks":
                            answer = client.get("/api/v1/tasks", params={"limit": 100})
                            due = [x["id"] for x in answer.json() if x["id"] % share == slot
                                   ] if answer.status_code == 200 else []
                        elif name == "numbers":
                            answer = client.get("/numbers")
                        elif name == "plan":
                            answer = client.get("/plan")
                        else:
                            if not due:
                                continue
                            answer = client.post(f"/api/v1/tasks/{due[0]}/done",
                                                 json={"outcome": "bench"})
                        ms = (time.perf_counter() - began) * 1000
                        with lock:
                            timings[name].append(ms)
                            if answer.status_code >= 400:
                                errors.append(f"{name} {answer.status_code} "
                                              f"{answer.text[:120]}")
                    except Exception as exc:  # counted, the user goes on
                        with lock:
                            errors.append(f"{name} {type(exc).__name__}: {exc}")

    try:
        start = threading.Event()
        deadline_box = [0.0]
        share = {m: chosen.count(m) for m in chosen}
        threads = [threading.Thread(target=work, args=(m, tokens[m], customers[m], start,
                                                       deadline_box, chosen[:i].count(m),
                                                       share[m]), daemon=True)
                   for i, m in enumerate(chosen)]
        batch_started = 0.0
        for thread in threads:
            thread.start()
        if with_batch:
            argv = [str(Path(sys.executable).with_name("guanxi")), "--config", config, *(
                ["--database", database] if database else []), "--quiet", "run"]
            batch = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
            batch_started = time.monotonic()
        deadline_box[0] = time.monotonic() + seconds
        start.set()
        for thread in threads:
            thread.join(seconds + 120)
        batch_running_at_end = batch is not None and batch.poll() is None
        batch_s = None
        if batch is not None:
            try:
                batch.wait(1800)
            except subprocess.TimeoutExpired:
                batch.kill()
            batch_s = round(time.monotonic() - batch_started, 1)
            if batch.returncode not in (0, None):
                errors.append(f"batch exit {batch.returncode}: {batch.stderr.read()[-300:]}")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    every = [ms for values in timings.values() for ms in values]
    return {
        "dialect": dialect, "users": len(chosen), "seconds": seconds, "with_batch": with_batch,
        "requests": len(every), "errors": len(errors), "first_errors": errors[:5],
        "all": _summary(every) if every else None,
        "by_request": {name: _summary(v) for name, v in timings.items() if v},
        "batch_s": batch_s, "batch_running_at_end": batch_running_at_end,
        "numbers_warm_up_s": warm_s,
    }


def load_markdown(results: list[dict], title: str) -> str:
    lines = [f"#### {title}", "",
             "Twenty managers at once on `guanxi serve` (one process), each going round My "
             "day, a search, a customer's page, the task list, My numbers, the plan and "
             "marking a task done, for the seconds shown, reading each page 0.5 to 1.5 s; "
             "client time on 127.0.0.1; My numbers warmed once before the clock starts.", "",
             "| run | users | requests | errors | median | p95 | slowest request's p95 "
             "| target |", "|---|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        what = ("while `guanxi run` runs" + (f" ({r['batch_s']:g} s"
                + (", still running at the end" if r["batch_running_at_end"] else
                   ", ended before the users")) + ")") if r["with_batch"] else "alone"
        slow = max(r["by_request"].items(), key=lambda kv: kv[1]["p95_ms"])
        ok = r["errors"] == 0 and r["all"]["p95_ms"] < TARGET_LOAD_P95_MS
        lines.append(f"| {what} | {r['users']} | {r['requests']:,} | {r['errors']} | "
                     f"{r['all']['median_ms']:.0f} ms | {r['all']['p95_ms']:.0f} ms | "
                     f"{slow[0]} {slow[1]['p95_ms']:.0f} ms | "
                     f"{'met' if ok else 'MISSED'} (no error, p95 < {TARGET_LOAD_P95_MS:g} ms) |")
    return "\n".join(lines) + "\n"


def update_doc(doc: Path, key: str, text: str) -> None:
    """Put ``text`` between the ``bench:web-KEY`` markers of docs/performance.md."""
    import re

    begin, end = f"<!-- bench:web-{key} -->", f"<!-- /bench:web-{key} -->"
    block = f"{begin}\n{text}\n{end}"
    content = doc.read_text()
    if begin in content:
        content = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, content,
                         flags=re.S)
    else:
        anchor = "<!-- bench:web-end -->"
        content = content.replace(anchor, f"{block}\n\n{anchor}") if anchor in content else (
            content.rstrip("\n") + "\n\n" + block + "\n")
    doc.write_text(content)


def main() -> None:
    import guanxi

    parser = argparse.ArgumentParser(description="Time the web workspace beside direct calls.")
    parser.add_argument("--config", required=True, help="the workspace's guanxi.toml")
    parser.add_argument("--calls", type=int, default=WEB_CALLS)
    parser.add_argument("--doc", type=Path, help="also write the table into this performance.md")
    parser.add_argument("--database", help="the database URL (default: the config's)")
    parser.add_argument("--load", action="store_true",
                        help="twenty users at once for 30 s instead, alone and during a batch")
    parser.add_argument("--users", type=int, default=LOAD_USERS)
    parser.add_argument("--seconds", type=float, default=LOAD_SECONDS)
    parser.add_argument("--no-batch", action="store_true", help="with --load: not during a batch")
    args = parser.parse_args()
    if args.load:
        return main_load(args)
    with guanxi.open(args.config) as ws:
        with ws.engine.connect() as conn:
            from sqlalchemy import func, select

            from guanxi.storage import tables as t

            n = conn.execute(select(func.count()).select_from(t.customers)).scalar_one()
        result = measure(ws, args.calls)
        dialect = ws.dialect
    title = f"{dialect}, N = {n:,} customers ({dt.date.today()})"
    text = markdown(result, title)
    print(json.dumps(result, indent=1))
    print(text)
    if args.doc:
        update_doc(args.doc, f"{dialect}-{n}", text)


def main_load(args) -> None:
    import guanxi
    from sqlalchemy import func, select

    from guanxi.storage import tables as t

    with guanxi.open(args.config, database=args.database) as ws:
        with ws.engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(t.customers)).scalar_one()
        dialect = ws.dialect
    runs = [load(args.config, args.database, args.users, args.seconds, with_batch=False)]
    if not args.no_batch:
        runs.append(load(args.config, args.database, args.users, args.seconds,
                         with_batch=True))
    text = load_markdown(runs, f"{dialect}, N = {n:,} customers, {args.users} users "
                               f"({dt.date.today()})")
    print(json.dumps(runs, indent=1, default=str))
    print(text)
    if args.doc:
        update_doc(args.doc, f"load-{dialect}-{n}", text)


if __name__ == "__main__":
    main()
