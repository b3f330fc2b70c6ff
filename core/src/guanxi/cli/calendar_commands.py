"""``guanxi calendar`` (show, next, build) and ``guanxi rota show``."""

from __future__ import annotations

import datetime as dt

import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import emit, format_option, to_json

DATE = click.DateTime(formats=["%Y-%m-%d"])
COLUMNS = ["day", "weekday", "working", "why", "note", "source"]

territory_option = click.option(
    "--territory", metavar="T",
    help="A territory's calendar: the organization's plus its own calendar_days rows.",
)


@click.group()
def calendar():
    """The business calendar: working days, holidays, make-up days (调休)."""


@calendar.command()
@click.option("--month", metavar="YYYY-MM", help="The month to show (default: this month).")
@territory_option
@format_option
@pass_workspace
def show(ws, month, territory, fmt):
    """Each day of a month: a working day or not, and why."""
    from guanxi.errors import UsageError
    from guanxi.periods import ValueProblem, parse_period

    try:
        period = parse_period(month) if month else None
    except ValueProblem as problem:
        raise UsageError(f"--month {month!r}: {problem}") from None
    if period is not None and period.grain != "month":
        raise UsageError(f"--month {month!r} is not a month; write it like 2026-10")
    start = period.start if period else ws.today().replace(day=1)
    end = period.end if period else (start + dt.timedelta(days=32)).replace(day=1)
    cal = ws.calendar(territory)
    if not cal.knows_year(start.year):
        click.echo(
            f"Note: the holidays package has no official days of {cal.country} for "
            f"{start.year}; only weekends and calendar_days rows are rest days.",
            err=True,
        )
    days = [cal.explain(day) for day in cal.days(start, end)]
    if fmt == "json":
        click.echo(to_json([d.as_json() for d in days]))
        return
    emit([d.as_json() for d in days], COLUMNS, fmt)


@calendar.command("next")
@click.argument("day", type=DATE)
@click.option("--add", "add", type=click.IntRange(min=0), default=0, show_default=True,
              help="The N-th working day after DATE instead (0: DATE or the next working day).")
@territory_option
@pass_workspace
def next_(ws, day, add, territory):
    """The next working day on or after DATE, or N working days after it."""
    click.echo(ws.calendar(territory).add_working_days(day.date(), add).isoformat())


@calendar.command()
@click.option("--from", "start", type=DATE, required=True, help="The first day to build.")
@click.option("--to", "end", type=DATE, required=True, help="The last day to build (inclusive).")
@format_option
@pass_workspace
def build(ws, start, end, fmt):
    """Fill business_days, the calendars as a table for the engines' SQL helpers."""
    result = ws.build_calendar(start.date(), end.date() + dt.timedelta(days=1))
    data = result.as_json()
    if fmt == "json":
        click.echo(to_json(data))
        return
    data["calendars"] = ", ".join(name or "organization" for name in result.calendars)
    if fmt == "csv":
        emit([data], ["calendars", "from", "to", "days"], fmt)
        return
    written = f"{result.days} days written" if result.days else "already up to date"
    click.echo(f"Calendars {data['calendars']} built from {data['from']} to {data['to']}: "
               f"{written}.")


@click.group()
def rota():
    """Rotas: who is on duty on which day (BANK-SPOTCHECK)."""


@rota.command("show")
@click.argument("name")
@click.option("--date", "day", type=DATE, help="The day (default: today).")
@format_option
@pass_workspace
def rota_show(ws, name, day, fmt):
    """Who is on duty in rota NAME on a day."""
    from guanxi.errors import NotFoundError

    day = day.date() if day else ws.today()
    if name not in ws.rotas():
        raise NotFoundError(f"no rota named {name!r}; rotas: {', '.join(ws.rotas()) or 'none'}")
    names = {m.id: m.name for m in ws.managers()}
    rows = [{"rota": name, "day": day, "manager_id": m, "name": names.get(m)}
            for m in ws.on_duty(name, day)]
    emit(rows, ["rota", "day", "manager_id", "name"], fmt,
         empty=f"Nobody is on duty in {name} on {day}.")
