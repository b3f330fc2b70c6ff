"""``guanxi demo``: generate, import, run the batch, show a manager's day."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import click

from guanxi.cli import pass_state
from guanxi.cli.output import emit, progress_for


@click.command()
@click.option("--pack", "packs", multiple=True, metavar="NAME",
              help="A pack to enable and generate data for; repeat for several.")
@click.option("--customers", type=click.IntRange(min=10), default=10_000, show_default=True,
              help="How many customers the generic base has.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default="guanxi-demo",
              show_default=True, help="Where the config, the data files and the database go.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option("--database", "database", metavar="URL",
              help="Use this database instead of a SQLite file in DIR (it must be empty).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the demo runs for (default: today).")
@click.option("--reset", is_flag=True, help="Empty a non-empty --database first.")
@pass_state
def demo(state, packs, customers, directory, seed, database, as_of, reset):
    """Generate a realistic base, import it, run the daily batch, show the results."""
    from guanxi.config import write_config
    from guanxi.plugins import require_installed
    from guanxi.workspace import Workspace

    require_installed(packs)  # before the directory and its config are written
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    url = database or state.database
    if not url:
        for suffix in ("", "-wal", "-shm"):  # a fresh SQLite file each run
            (folder / f"guanxi.db{suffix}").unlink(missing_ok=True)
        url = "sqlite:///guanxi.db"
    config = write_config(folder / "guanxi.toml", database=url, packs=packs)
    with Workspace.open(config) as ws:
        ws.upgrade()
        ws.job_command = state.command_line
        # One job from the first table to the plan: another job waits for all of it.
        with ws.job("demo"):
            batch = _demo(ws, folder, packs, customers, seed, as_of, reset)
        _demo_users(ws)
    click.echo(f"\nThe workspace is in {folder}: cd there and try `guanxi tasks list` or "
               "`guanxi customers show ID`.")
    if batch.failures:
        for failure in batch.failures:
            click.echo(f"FAILED: {failure}", err=True)
        sys.exit(1)


def _demo(ws, folder, packs, customers, seed, as_of, reset):
    """Fill the workspace, run two batches and a plan, and print the summary."""
    from guanxi.demo import (
        DemoContext,
        database_is_empty,
        empty_database,
        work_through_tasks,
        write_demo_files,
    )
    from guanxi.errors import GuanxiError

    if not database_is_empty(ws):
        if not reset:
            raise GuanxiError(
                "the demo database already holds customers; use an empty one, or --reset "
                "to empty guanxi's tables first"
            )
        empty_database(ws)
    day = as_of.date() if as_of else ws.today()
    ctx = DemoContext(customers=customers, seed=seed, as_of=day, packs=tuple(packs))
    click.echo(f"Generating {customers:,} customers (seed {seed}) into {folder / 'data'} ...")
    files = write_demo_files(ws, ctx, folder / "data")
    for entity, path in files:
        with progress_for(f"  importing {entity}") as progress:
            result = ws.import_file(entity, path, progress=progress)
        click.echo(f"  imported {entity:<14} {result.inserted:>9,} rows from {path.name}"
                   + (f", {result.rejected} rejected" if result.rejected else ""))
    # Two weeks of life: a batch a fortnight ago, managers working through
    # most of its tasks, and today's batch, which escalates what was left.
    earlier = day - dt.timedelta(days=14)
    click.echo(f"\nRunning the daily batch as of {earlier}, then managers work for two weeks ...")
    with progress_for("") as progress:
        ws.run(as_of=earlier, progress=progress)
    work_through_tasks(ws, 7, dt.datetime.combine(day - dt.timedelta(days=1), dt.time(18)))
    click.echo(f"Running the daily batch as of {day} ...")
    with progress_for("") as progress:
        batch = ws.run(as_of=day, progress=progress)
    plan = ws.build_plan(day + dt.timedelta(days=7), as_of=day) if ws.visit_cadences() else None
    _summary(ws, batch, plan)
    # Each enabled pack's own summary after the core's, packs in their
    # configured order: what the pack adds reads on from the core's figures.
    for record in ws.plugins.demo_data().values():
        if record.summary is not None:
            text = record.summary(ws, ctx)
            if text:
                click.echo("\n" + text.rstrip("\n"))
    return batch


DEMO_PASSWORD = "guanxi-demo"


def _demo_users(ws) -> None:
    """A manager, a team lead and an admin for `guanxi serve`, and their logins."""
    from sqlalchemy import func, select

    from guanxi.storage import tables as t

    try:
        import argon2  # noqa: F401  (the web extra)
    except ImportError:
        click.echo("\n(The web workspace needs pip install 'guanxi[web]'; no demo logins.)")
        return
    tk, m, tm = t.tasks, t.managers, t.teams
    with ws.engine.connect() as conn:
        # the manager with the most open tasks, in a team with a leader
        busiest = conn.execute(
            select(tk.c.manager_id, tm.c.leader_id)
            .join(m, m.c.id == tk.c.manager_id).join(tm, tm.c.id == m.c.team_id)
            .where(tk.c.status == "open", tm.c.leader_id.is_not(None),
                   tm.c.leader_id != tk.c.manager_id)
            .group_by(tk.c.manager_id, tm.c.leader_id)
            .order_by(func.count().desc(), tk.c.manager_id).limit(1)).first()
    logins = [("admin", None, "admin")]
    if busiest is not None:
        logins[:0] = [("manager", busiest.manager_id, "manager"),
                      ("lead", busiest.leader_id, "lead")]
    for login, manager, role in logins:
        ws.add_user(login, manager=manager, role=role, password=DEMO_PASSWORD)
    click.echo("\nWeb workspace: cd there, run `guanxi serve` and open http://127.0.0.1:8000/")
    emit([{"login": login, "password": DEMO_PASSWORD, "role": role,
           "sees": f"manager {manager}'s customers and tasks" if role == "manager"
           else f"the teams {manager} leads" if role == "lead" else "everything"}
          for login, manager, role in logins], ["login", "password", "role", "sees"], "table")


def _summary(ws, batch, plan) -> None:
    for run in batch.segments:
        click.echo(f"\nSegment {run.name}")
        total = sum(run.counts.values()) or 1
        emit([{"label": label, "customers": n, "share": f"{n / total:.1%}"}
              for label, n in run.counts.items()], ["label", "customers", "share"], "table")
    unowned = ws.count_unowned()
    if unowned:
        click.echo(f"\nCustomers without an active owner: {unowned:,} "
                   "(guanxi customers list --unowned)")
    tasks = ws.tasks()
    click.echo(f"\nOpen tasks: {len(tasks):,}")
    by_rule = Counter(t.rule for t in tasks)
    emit([{"rule": r, "tasks": n} for r, n in by_rule.most_common()], ["rule", "tasks"], "table")
    by_manager = Counter(t.manager_id for t in tasks)
    if by_manager:
        click.echo("\nBusiest managers")
        emit([{"manager": m, "open tasks": n} for m, n in by_manager.most_common(5)],
             ["manager", "open tasks"], "table")
    for task in tasks[:3]:
        click.echo(f"  e.g. task {task.id} for {task.manager_id} on {task.customer_id}: {task.reason}")
    cases = ws.cases(state="open")
    if cases:
        click.echo(f"\nOpen cases: {len(cases):,}, "
                   f"{sum(1 for c in cases if c.breached):,} past a target (guanxi cases list)")
        emit([{"policy": p, "open": n} for p, n in Counter(c.policy for c in cases).most_common()],
             ["policy", "open"], "table")
    if plan is not None:
        visits = ws.plan(plan.week)
        managers = Counter(v.manager_id for v in visits)
        click.echo(f"\nNext week's visit plan {plan.week}: {plan.planned:,} visits for "
                   f"{len(managers):,} managers (guanxi plan show --week {plan.week})")
        if visits:
            first = visits[0].manager_id
            emit([{"date": v.day, "customer": v.customer_id, "territory": v.territory,
                   "reason": v.reason} for v in visits if v.manager_id == first][:8],
                 ["date", "customer", "territory", "reason"], "table")
    from guanxi.formatting import format_figure

    currency = ws.config.currency
    click.echo("\nKPIs this month")
    emit([{"kpi": r.kpi, "value": format_figure(r.value, r.unit, currency=currency),
           "target": format_figure(r.target, r.unit, currency=currency)
           if r.target is not None else ""}
          for r in batch.kpis if r.scope == "all"], ["kpi", "value", "target"], "table")
