"""``guanxi segment``, ``guanxi rules run``, ``guanxi kpi`` and ``guanxi run``."""

from __future__ import annotations

import sys

import attrs
import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import (PERIOD, emit, format_option, progress_for, to_json, write_xlsx,
                               xlsx_option)

as_of_option = click.option(
    "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Run as of this date (default: today in the organization's time zone).",
)


def _date(value):
    return value.date() if value is not None else None


@click.command()
@click.argument("names", nargs=-1)
@as_of_option
@format_option
@pass_workspace
def segment(ws, names, as_of, fmt):
    """Run segmentations (all, or NAMES) and show the label counts."""
    runs = ws.segment(names or None, as_of=_date(as_of))
    if fmt == "json":
        click.echo(to_json([r.as_json() for r in runs]))
        return
    rows = []
    for r in runs:
        counts = ", ".join(f"{label} {n}" for label, n in r.counts.items()) or "no customers"
        rows.append({"segmentation": r.name, "as_of": r.as_of, "labels": counts,
                     "changed": "locked" if r.locked else r.changed})
    emit(rows, ["segmentation", "as_of", "labels", "changed"], fmt)


@click.group()
def rules():
    """Service rules: conditions that create tasks."""


@rules.command("run")
@click.argument("names", nargs=-1)
@as_of_option
@format_option
@pass_workspace
def rules_run(ws, names, as_of, fmt):
    """Run service rules (all, or NAMES); a rerun creates nothing new."""
    runs = ws.run_rules(names or None, as_of=_date(as_of))
    emit([r.as_json() for r in runs], ["rule", "created", "existing"], fmt)


@rules.command("list")
@format_option
@pass_workspace
def rules_list(ws, fmt):
    """The service rules of the enabled packs."""
    rows = [{"rule": r.name, "pack": r.pack, "kind": r.kind, "title": r.title,
             "description": r.description} for r in ws.plugins.service_rules().values()]
    emit(rows, ["rule", "pack", "kind", "title", "description"], fmt)


@click.command()
@click.argument("names", nargs=-1)
@click.option("--period", type=PERIOD,
              help="2026-10, 2026-Q3, 2026 or a day 2026-10-05 (default: this month).")
@click.option("--by", default="all", show_default=True,
              help="Scope: all, manager, team, territory, segment:NAME, list:NAME or field:NAME.")
@click.option("--scope", "scope_key", metavar="KEY",
              help="With --explain: one key of the scope (a manager's id with --by manager).")
@click.option("--explain", is_flag=True,
              help="List the rows behind NAME's value (customers, tasks, ...), what each adds "
              "and why, instead of computing it.")
@format_option
@xlsx_option
@pass_workspace
def kpi(ws, names, period, by, scope_key, explain, fmt, output):
    """Compute KPIs (all, or NAMES) for a period and scope, with targets.

    Without NAMES, KPIs not reported by the scope (a bank-wide figure asked
    --by manager) are left out and named under the table. With --explain
    and one NAME, the rows behind its value: what it counted and why.
    --output kpis.xlsx writes the values with titles, units and targets.
    """
    if explain and output:
        raise click.UsageError("--output goes without --explain")
    if explain:
        return _explain(ws, names, period, by, scope_key, fmt)
    if scope_key is not None:
        raise click.UsageError("--scope goes with --explain")
    from guanxi.engines.kpis import unscoped_kpis
    from guanxi.views import KPI_COLUMNS, kpi_json, kpi_rows

    records = ws.plugins.kpis()
    left_out = [] if names else unscoped_kpis(records.values(), by)
    rows = kpi_rows(ws, ws.kpi(names or None, period=period, by=by))
    if output:
        label = rows[0]["period"] if rows else (period.label if period else "this month")
        notes = [f"Period {label}; by {by}; money in {ws.config.currency}"]
        if left_out:
            notes.append(f"Not reported by {by}: {', '.join(left_out)}")
        write_xlsx(output, rows, KPI_COLUMNS, sheet="kpis", title=f"KPIs {label}", notes=notes)
        return
    if fmt == "table":
        shown = [{"kpi": row["kpi"], "title": row["title"], "period": row["period"],
                  "scope_key": row["scope_key"], "value": row["_value"],
                  "target": row["_target"], "attainment": row["_attainment"]} for row in rows]
        columns = ["kpi", "title", "period"] + (["scope_key"] if by != "all" else []) + [
            "value", "target", "attainment"]
        emit(shown, columns, fmt, empty="No values.")
        if left_out:
            click.echo(f"\nNot reported by {by}: {', '.join(left_out)}")
        return
    emit(kpi_json(rows), KPI_COLUMNS, fmt, empty="No values.")


@click.command()
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A summary for people, or JSON for scripts.")
@pass_workspace
def run(ws, as_of, fmt):
    """The daily batch: segmentations, then rules, then this month's KPIs.

    The first batch after a month ends computes that month's final figures
    too. On a terminal each job shows with its elapsed time (not with --quiet).
    """
    from guanxi.formatting import format_figure, plain

    day = _date(as_of) or ws.today()
    with progress_for(f"Daily batch as of {day}") as progress:
        result = ws.run(as_of=day, progress=progress)

    def kpi_json(rows):
        return [{**attrs.asdict(r), "value": plain(r.value, r.unit),
                 "target": plain(r.target, r.unit)} for r in rows if r.scope == "all"]

    if fmt == "json":
        click.echo(to_json({
            "as_of": result.as_of.isoformat(),
            "segments": [r.as_json() for r in result.segments],
            "rules": [r.as_json() for r in result.rules],
            "records": [r.as_json() for r in result.records],
            "kpis": kpi_json(result.kpis),
            "closed_kpis": kpi_json(result.closed_kpis),
            "failures": result.failures,
        }))
    else:
        currency = ws.config.currency
        click.echo(f"Daily batch as of {result.as_of}")
        for r in result.segments:
            counts = ", ".join(f"{label} {n}" for label, n in r.counts.items())
            click.echo(f"  segment {r.name}: {counts or 'no customers'}"
                       f" ({'locked' if r.locked else f'{r.changed} changed'})")
        for r in result.rules:
            click.echo(f"  rule {r.rule}: {r.created} new task(s), {r.existing} already open")
        for r in result.records:
            click.echo(f"  records {r.rule}: {r.created} new")
        for label, rows in (("", result.kpis), ("closed month ", result.closed_kpis)):
            for r in rows:
                if r.scope == "all":
                    target = (f" (target {format_figure(r.target, r.unit, currency=currency)})"
                              if r.target is not None else "")
                    click.echo(f"  {label}kpi {r.kpi} {r.period}: "
                               f"{format_figure(r.value, r.unit, currency=currency)}{target}")
        for failure in result.failures:
            click.echo(f"FAILED: {failure}", err=True)
    if result.exit_code:
        sys.exit(result.exit_code)


@click.group()
def labels():
    """Manual labels and locked periods of segmentations."""


@labels.command("set")
@click.argument("segmentation")
@click.argument("customer_id")
@click.argument("label")
@click.option("--reason", required=True, help="Why; shown as the label's reason.")
@click.option("--by", "set_by", metavar="M", help="The manager setting it.")
@pass_workspace
def labels_set(ws, segmentation, customer_id, label, reason, set_by):
    """Set CUSTOMER_ID's LABEL by hand: it wins over the derived one from the next run."""
    ws.set_label(segmentation, customer_id, label, reason, set_by=set_by)
    click.echo(f"{customer_id} is {label!r} in {segmentation} by hand until cleared; "
               "it applies from the next segment run.")


@labels.command("clear")
@click.argument("segmentation")
@click.argument("customer_id")
@pass_workspace
def labels_clear(ws, segmentation, customer_id):
    """Clear a manual label: the derived one returns on the next run."""
    if ws.clear_label(segmentation, customer_id):
        click.echo(f"Cleared the manual {segmentation} label of {customer_id}.")
    else:
        click.echo(f"{customer_id} had no manual {segmentation} label.")


@labels.command("lock")
@click.argument("segmentation")
@click.option("--period", required=True, type=PERIOD, help="2026-11, 2026-Q4, 2026-W48 or 2026.")
@pass_workspace
def labels_lock(ws, segmentation, period):
    """Freeze SEGMENTATION's labels for a period: later runs in it change nothing."""
    ws.lock_segmentation(segmentation, period.label)
    click.echo(f"{segmentation} is locked for {period.label}.")


def _explain(ws, names, period, by, scope_key, fmt) -> None:
    """``kpi NAME --explain``: the rows behind one KPI's value."""
    from guanxi.engines.kpis import combined
    from guanxi.formatting import format_figure

    if len(names) != 1:
        raise click.UsageError("--explain takes exactly one KPI name")
    rows = ws.explain_kpi(names[0], period=period, by=by, scope_key=scope_key)
    record = ws.plugins.kpis()[names[0]]
    columns = ["scope_key", "kind", "id", "figure"] + (
        ["weight"] if record.combine == "ratio" else []) + ["reason"]
    found = [{"kpi": r.kpi, "period": r.period, "scope": r.scope, "scope_key": r.scope_key,
              "kind": r.kind, "id": r.id, "figure": r.figure, "weight": r.weight,
              "reason": r.reason} for r in rows]
    if fmt != "table":
        emit(found, ["kpi", "period", "scope", *columns], fmt)
        return
    if by in (None, "all"):
        columns.remove("scope_key")
    emit(found, columns, fmt, empty="No rows.")
    value = combined(record, rows)
    if value is not None and rows:
        how = "their sum" if record.combine == "sum" else "their figures over their weights"
        click.echo(f"\n{len(rows):,} {record.row_kind} row(s); {how}: "
                   f"{format_figure(value, record.unit, currency=ws.config.currency)}")
