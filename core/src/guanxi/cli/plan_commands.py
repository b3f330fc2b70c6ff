"""``guanxi plan``: build a week's visit plan, show the schedule, list the cadences."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import click

from guanxi.cli import pass_workspace
from guanxi.cli.engine_commands import as_of_option
from guanxi.cli.output import (FORMATS, emit, format_option, progress_for, table, to_json,
                               write_xlsx, xlsx_option)

SHOW_COLUMNS = ["manager_id", "date", "customer_id", "territory", "reason", "task_id"]
#: The columns of ``plan show --output FILE.xlsx``.
PLAN_XLSX_COLUMNS = ("manager_id", "manager_name", "week", "date", "weekday", "territory",
                     "customer_id", "customer_name", "cadence", "reason", "task_id", "status")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@click.group()
def plan():
    """Visit plans: cadence visits placed on managers' working days."""


@plan.command()
@click.option("--week", metavar="WEEK",
              help="The ISO week to plan, like 2026-W48 (default: next week).")
@click.option("--cadence", "cadences", multiple=True, metavar="NAME",
              help="Plan only this cadence; repeat for several (default: every cadence).")
@click.option("--force", is_flag=True,
              help="Plan a week that is already over (its Sunday before the as-of day).")
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print: a summary for people, or JSON.")
@pass_workspace
def build(ws, week, cadences, force, as_of, fmt):
    """Plan a week's visits; a rerun adds only what is new."""
    with progress_for(f"Planning {week or 'next week'}") as progress:
        result = ws.build_plan(week, cadences or None, force=force,
                               as_of=as_of.date() if as_of is not None else None,
                               progress=progress)
    if fmt == "json":
        click.echo(to_json(result.as_json()))
        return
    click.echo(f"Plan {result.week} ({result.start} to {result.end - dt.timedelta(days=1)})")
    if not result.cadences:
        click.echo("  no cadences: no enabled pack declares one")
    for run in result.cadences:
        carried = f" ({run.carried} carried from earlier weeks)" if run.carried else ""
        click.echo(f"  {run.cadence}: {run.planned} visit(s) planned{carried}, "
                   f"{run.already_planned} already planned, {run.unplaced} not placed")
    for missed in result.unplaced:
        click.echo(f"  not placed: {missed.manager_id} {missed.count} ({missed.cadence}); "
                   "being more overdue, they come first next week")


@plan.command()
@click.option("--week", metavar="WEEK",
              help="One ISO week, like 2026-W48, or 'all' (default: this week and later).")
@click.option("--manager", metavar="ID", help="Only this manager's visits.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="How to print: a schedule per manager and day, or JSON or CSV for scripts.")
@xlsx_option
@pass_workspace
def show(ws, week, manager, fmt, output):
    """The planned visits by manager and day, each with its reason.

    --output plan.xlsx writes the schedule as a workbook, a row a visit.
    """
    since = None
    if week is None:
        since = ws.today() - dt.timedelta(days=ws.today().weekday())
    elif week.lower() == "all":
        week = None
    visits = ws.plan(week, manager, since=since)
    if output:
        names = {m.id: m.name for m in ws.managers()}
        rows = [{"manager_id": v.manager_id, "manager_name": names.get(v.manager_id),
                 "week": v.week, "date": v.day, "weekday": WEEKDAYS[v.day.weekday()],
                 "territory": v.territory, "customer_id": v.customer_id,
                 "customer_name": v.customer_name, "cadence": v.cadence, "reason": v.reason,
                 "task_id": v.task_id, "status": v.status} for v in visits]
        who = f" of {manager} {names.get(manager) or ''}".rstrip() if manager else ""
        write_xlsx(output, rows, list(PLAN_XLSX_COLUMNS), sheet="plan",
                   title=f"Visit plan {week or 'from ' + str(since)}{who}",
                   notes=[f"{len(visits)} visit(s)"])
        return
    if fmt != "table":
        emit([v.as_json() for v in visits], SHOW_COLUMNS, fmt)
        return
    if not visits:
        click.echo("No planned visits.")
        return
    click.echo(_schedule(visits, {m.id: m.name for m in ws.managers()}))


def _schedule(visits, names) -> str:
    """A printable schedule: per manager, per day, the visits in order."""
    per_day = Counter((v.manager_id, v.day) for v in visits)
    out: list[str] = []
    rows: list[dict] = []

    def flush():
        if rows:
            out.extend("    " + line for line in table(rows, list(rows[0])).splitlines())
            rows.clear()

    manager = day = None
    for visit in visits:
        if visit.manager_id != manager:
            flush()
            if out:
                out.append("")
            manager, day = visit.manager_id, None
            out.append(f"{manager}  {names.get(manager) or ''}".rstrip())
        if visit.day != day:
            flush()
            day = visit.day
            out.append(f"  {WEEKDAYS[day.weekday()]} {day}  {visit.week}  "
                       f"{per_day[manager, day]} visit(s)")
        rows.append({"territory": visit.territory, "customer": visit.customer_id,
                     "name": visit.customer_name, "reason": visit.reason,
                     "task": visit.task_id, "status": visit.status})
    flush()
    return "\n".join(out)


@plan.command()
@format_option
@pass_workspace
def cadences(ws, fmt):
    """The visit cadences of the enabled packs."""
    rows = [{"cadence": c.name, "pack": c.pack, "segmentation": c.segmentation,
             "intervals": ", ".join(f"{label} {days}d" for label, days in c.intervals.items()),
             "daily_cap": c.daily_cap, "group_by": c.group_by,
             "visit_kinds": list(c.visit_kinds)} for c in ws.visit_cadences()]
    if fmt == "json":
        for row, c in zip(rows, ws.visit_cadences()):
            row["intervals"] = dict(c.intervals)
    emit(rows, ["cadence", "pack", "segmentation", "intervals", "daily_cap", "group_by",
                "visit_kinds"], fmt, empty="No cadences.")
