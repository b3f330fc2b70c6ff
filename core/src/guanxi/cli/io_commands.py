"""``guanxi import`` and ``guanxi export``."""

from __future__ import annotations

import sys

import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import progress_for, to_json


@click.command("import")
@click.argument("entity")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--encoding", help="Force the file's text encoding, e.g. gb18030 (default: found "
              "from the file's first 64 KiB; UTF-8 with or without BOM first).")
@click.option("--input-format", "input_format", type=click.Choice(["csv", "jsonl", "xlsx"]),
              help="Override the format the file's suffix implies (FILE - is csv unless given).")
@click.option("--delimiter", metavar="CHAR",
              help="Force CSV's delimiter: , or ; or | or tab (default: sniffed).")
@click.option("--sheet", metavar="NAME|N", help="The xlsx sheet to read, by name or number "
              "from 1 (default: the first).")
@click.option("--header-row", "header_row", type=click.IntRange(min=1), metavar="N",
              help="The line (sheet row) of the column names, from 1 (default: found below "
              "any title rows).")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Rows per chunk (default 10000).")
@click.option("--rejects", "rejects", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where rejected rows go (default: STEM.rejects.csv in the workspace's "
              "folder, beside guanxi.toml).")
@click.option("--dry-run", "dry_run", is_flag=True,
              help="Check every row and write the rejects file and summary; store nothing.")
@click.option("--snapshot", is_flag=True, help="FILE is the whole set (customers, accounts, "
              "contacts): rows missing from it are marked gone, never deleted.")
@click.option("--scope", metavar="KEY=VALUE", help="With --snapshot: the file stands for "
              "territory=, team= or manager= only.")
@click.option("--force", is_flag=True, help="With --snapshot: mark gone even more than 10%.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The import day (default today): when snapshot rows go.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the summary.")
@pass_workspace
def import_(ws, entity, file, encoding, input_format, delimiter, sheet, header_row, batch_size,
            rejects, dry_run, snapshot, scope, force, as_of, fmt):
    """Import FILE (CSV/TSV/TXT, JSON Lines or .xlsx; - for standard input) into ENTITY.

    Rows that fail a check go to STEM.rejects.csv in the workspace's folder
    (or --rejects FILE), with line, column, value and reason; the good rows
    land in one transaction.
    Exit status: 0 all rows accepted, 3 some rejected, 1 nothing written.
    """
    with progress_for(f"Importing {entity}") as progress:
        result = ws.import_file(entity, file, encoding=encoding, format=input_format,
                                batch_size=batch_size, progress=progress, rejects=rejects,
                                delimiter=delimiter, sheet=sheet, header_row=header_row,
                                dry_run=dry_run, snapshot=snapshot, scope=scope, force=force,
                                as_of=as_of.date() if as_of else None)
    if fmt == "json":
        click.echo(to_json(result.as_json()))
    else:
        gone = f", gone {result.gone}" if result.gone is not None else ""
        click.echo(
            ("Dry run, nothing stored: " if result.dry_run else "")
            + f"{result.entity}: read {result.read}, inserted {result.inserted}, updated "
            f"{result.updated}, unchanged {result.unchanged}, rejected {result.rejected}{gone}"
            # UTF-8 goes without saying; anything else was found or forced.
            + (f" (read as {result.encoding.upper()})"
               if result.encoding not in (None, "utf-8") else "")
        )
        for reason in result.reasons:
            click.echo(f"  {reason}")
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
