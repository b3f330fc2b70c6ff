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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
