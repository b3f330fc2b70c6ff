"""``guanxi receivables``: a customer's ledger and credit archive (REC-LEDGER).

- ``guanxi receivables ledger ID [--as-of DATE] [--format table|json|csv]``
  prints the customer's grade and credit policy, then every invoice,
  payment, credit note and write-off with what each invoice still owes.
"""

from __future__ import annotations

import click

from guanxi.cli import pass_workspace
from guanxi.output import emit, format_figure, format_option, to_json

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def receivables():
    """Credit and receivables: a customer's ledger and credit archive."""


@receivables.command("ledger")
@click.argument("customer_id")
@click.option("--as-of", "as_of", type=DATE, help="Read the ledger at the end of this day "
              "(default: today).")
@format_option
@pass_workspace
def ledger_command(ws, customer_id, as_of, fmt):
    """A customer's receivables ledger (应收账款台账) and credit archive (资信调查): REC-LEDGER."""
    from guanxi_receivables import archive

    day = as_of.date() if as_of else None
    rows = archive.ledger(ws, customer_id, day)
    policy = archive.credit(ws, customer_id)
    if fmt == "json":
        click.echo(to_json({"customer_id": customer_id, "credit": policy,
                            "owed": archive.owed(rows), "ledger": rows}))
        return
    if fmt == "table":
        money = lambda v: format_figure(v, "money", currency=ws.config.currency)  # noqa: E731
        click.echo(f"{customer_id}: grade {policy['grade']} ({policy['reason']})")
        click.echo(f"credit standard {policy['standard']}, limit {money(policy['limit'])}, "
                   f"period {policy['period_days']} days, cash discount "
                   f"{format_figure(policy['discount'], 'share')} within "
                   f"{policy['discount_days']} days; owed {money(archive.owed(rows))}")
    emit(rows, archive.COLUMNS, fmt, empty="No invoices or payments.",
         right=("amount", "owed", "days_past_due"))
