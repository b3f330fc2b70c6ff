"""``guanxi reports``: expected reports, submissions, reviews, what is overdue."""

from __future__ import annotations

import attrs
import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import emit, format_option

COLUMNS = ["id", "kind", "author_id", "period", "due_on", "submitted_at", "late", "overdue",
           "reviewed_at", "reviewer_id", "note"]
MOMENT = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                                 "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
DATE = click.DateTime(formats=["%Y-%m-%d"])


def _emit(found, fmt: str, empty: str = "") -> None:
    # JSON gets ISO strings; tables and CSV the values, so datetimes print with a space.
    rows = [r.as_json() if fmt == "json" else attrs.asdict(r) for r in found]
    emit(rows, COLUMNS, fmt, empty=empty)


@click.group()
def reports():
    """Report submissions: due dates from the calendar, late and overdue ones."""


@reports.command("list")
@click.option("--kind", help="Only reports of this kind.")
@click.option("--period", help="Only reports for this period (2026-10, 2026-Q3, 2026-W48).")
@click.option("--author", help="Only this manager's or team's reports.")
@click.option("--overdue", is_flag=True,
              help="Only reports not submitted whose due day has passed.")
@click.option("--as-of", "as_of", type=DATE,
              help="Judge overdue as of this date (default: today).")
@format_option
@pass_workspace
def list_(ws, kind, period, author, overdue, as_of, fmt):
    """Tracked reports, soonest due first."""
    found = ws.reports(kind=kind, period=period, author=author, overdue=True if overdue else None,
                       as_of=as_of.date() if as_of else None)
    _emit(found, fmt, "No overdue reports." if overdue else "No reports.")


@reports.command()
@click.argument("kind")
@click.option("--period", required=True, help="The period reported on (2026-10, 2026-W48, ...).")
@click.option("--author", "authors", multiple=True, required=True, metavar="ID",
              help="A manager or team expected to report; repeat for several.")
@click.option("--day", "day", type=click.IntRange(1, 31), default=5, show_default=True,
              help="Due on this day of the month after the period, or the next working day.")
@click.option("--due", type=DATE, help="Due on this date instead.")
@format_option
@pass_workspace
def expect(ws, kind, period, authors, day, due, fmt):
    """Expect a KIND report from each author for a period (again: no change)."""
    found = ws.expect_reports(kind, authors, period, day, due=due.date() if due else None)
    _emit(found, fmt)


@reports.command()
@click.argument("kind")
@click.option("--author", required=True, metavar="ID", help="Who hands it in.")
@click.option("--period", required=True, help="The period it reports on.")
@click.option("--at", "at", type=MOMENT, help="When it came in (default: now).")
@click.option("--note", help="A remark kept with the report.")
@format_option
@pass_workspace
def submit(ws, kind, author, period, at, note, fmt):
    """Record a KIND report as submitted; late when after its due day."""
    _emit([ws.submit_report(kind, author, period, at=at, note=note)], fmt)


@reports.command()
@click.argument("kind")
@click.option("--author", required=True, metavar="ID", help="Whose report.")
@click.option("--period", required=True, help="The period it reports on.")
@click.option("--by", "by", required=True, metavar="M", help="The manager who reviewed it.")
@click.option("--at", "at", type=MOMENT, help="When (default: now).")
@click.option("--note", help="A remark kept with the report.")
@format_option
@pass_workspace
def review(ws, kind, author, period, by, at, note, fmt):
    """Record that a manager reviewed a submitted KIND report."""
    _emit([ws.review_report(kind, author, period, by, at=at, note=note)], fmt)
