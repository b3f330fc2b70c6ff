"""``guanxi import`` and ``guanxi export``."""

from __future__ import annotations

import sys

import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import progress_for, to_json


@click.command("import")
@click.argument("entity")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--encoding", help="The file's text encoding, e.g. gb18030 for Chinese Excel CSV "
              "(default UTF-8, with or without BOM).")
@click.option("--input-format", "input_format", type=click.Choice(["csv", "jsonl", "xlsx"]),
              help="Override the format the file's suffix implies.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Rows per chunk (default 10000).")
@click.option("--rejects", "rejects", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where rejected rows go (default: STEM.rejects.csv in the workspace's "
              "folder, beside guanxi.toml).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the summary.")
@pass_workspace
def import_(ws, entity, file, encoding, input_format, batch_size, rejects, fmt):
    """Import FILE (CSV, JSON Lines or .xlsx) into ENTITY.

    Rows that fail a check go to STEM.rejects.csv in the workspace's folder
    (or --rejects FILE), with line, column, value and reason; the good rows
    land in one transaction.
    Exit status: 0 all rows accepted, 3 some rejected, 1 nothing written.
    """
    with progress_for(f"Importing {entity}") as progress:
        result = ws.import_file(entity, file, encoding=encoding, format=input_format,
                                batch_size=batch_size, progress=progress, rejects=rejects)
    if fmt == "json":
        click.echo(to_json(result.as_json()))
    else:
        click.echo(
            f"{result.entity}: read {result.read}, inserted {result.inserted}, updated "
            f"{result.updated}, unchanged {result.unchanged}, rejected {result.rejected}"
        )
        if result.rejects_file:
            click.echo(f"Rejected rows, with line, column and reason: {result.rejects_file}")
        for warning in result.warnings:
            click.echo(f"Warning: {warning}", err=True)
    sys.exit(result.exit_code) if result.exit_code else None


@click.command()
@click.argument("entity")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--encoding", default=None,
              help="Text encoding of a CSV or JSON Lines file written, e.g. gb18030 for "
              "Chinese Excel (default UTF-8).")
@click.option("--excel", is_flag=True,
              help="CSV for Excel: UTF-8 with a byte-order mark, so Excel shows Chinese intact.")
@pass_workspace
def export(ws, entity, file, encoding, excel):
    """Write ENTITY to FILE (.xlsx, .csv or .jsonl) in the columns import reads.

    An .xlsx workbook keeps types: dates as dates, ids as text (000123
    keeps its zeros), numbers as numbers. FILE `-` writes CSV to standard
    output. ENTITY may also be `tasks` or `segments`: the engines' results
    with their reasons, for reading and reporting.
    """
    if excel and encoding:
        raise click.UsageError("--excel writes UTF-8 with a BOM; leave out --encoding")
    encoding = "utf-8-sig" if excel else (encoding or "utf-8")
    if file == "-":
        result = ws.export(entity, file, encoding=encoding)
        click.echo(f"{result.entity}: wrote {result.rows} rows", err=True)
        return
    with progress_for(f"Exporting {entity}") as progress:
        result = ws.export(entity, file, encoding=encoding, progress=progress)
    click.echo(f"{result.entity}: wrote {result.rows} rows to {result.file}")
