"""``guanxi reports``: declared kinds shown, expected reports, submissions, reviews, overdue.

``guanxi reports show KIND --period P`` builds and renders a report of a
kind a pack declares (:class:`guanxi.ReportKind`); the other subcommands
track reports of any kind: expected, submitted, reviewed.
"""

from __future__ import annotations

from pathlib import Path

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
@click.option("--period", required=True, metavar="P",
              help="The period reported on, of the kind's grain (2026-10, 2026-W48, ...).")
@click.option("--author", "authors", multiple=True, metavar="ID",
              help="Only this manager's report (repeatable; default: every author of the kind).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="Printed as Markdown, or as one self-contained HTML page.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write FILE instead of printing: .md, .html or .xlsx (the figures as a "
                   "workbook).")
@click.option("--as-of", "as_of", type=DATE,
              help="The day the figures and the status are judged on (default: today).")
@pass_workspace
def show(ws, kind, period, authors, fmt, output, as_of):
    """Build and render a KIND report a pack declares (guanxi reports kinds lists them)."""
    found = ws.build_reports(kind, period, list(authors) or None,
                             as_of=as_of.date() if as_of else None)
    from guanxi.reporting import format_of, render

    if output is None:
        click.echo(render(found, fmt), nl=False)
        return
    rendered = render(found, format_of(output))
    if isinstance(rendered, bytes):
        output.write_bytes(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")
    tracked = [f"{r.author_id} due {r.due_on.isoformat()}, {r.status}" for r in found
               if r.tracked is not None]
    click.echo(f"wrote {output}" + (f" ({'; '.join(tracked)})" if tracked else ""))


@reports.command("kinds")
@format_option
@pass_workspace
def kinds(ws, fmt):
    """The report kinds the enabled packs declare."""
    rows = [{"name": k.name, "title": k.title, "grain": k.grain,
             "authored": k.authored, "due_day": k.due_day if k.authored else None,
             "pack": k.pack, "description": k.description} for k in ws.report_kinds()]
    emit(rows, ["name", "title", "grain", "authored", "due_day", "pack"], fmt,
         empty="No report kinds: no enabled pack declares one.")


@reports.command()
@click.argument("kind")
@click.option("--period", required=True, help="The period reported on (2026-10, 2026-W48, ...).")
@click.option("--author", "authors", multiple=True, required=True, metavar="ID",
              help="A manager or team expected to report; repeat for several.")
@click.option("--day", "day", type=click.IntRange(1, 31),
              help="Due on this day of the month after the period, or the next working day "
                   "(default: a declared kind's due day, else 5).")
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
