"""``guanxi power``: the power pack's commands."""

from __future__ import annotations


import click

from guanxi.cli import pass_workspace
from guanxi.output import emit, format_option


@click.group()
def power():
    """Power utility commands (the power pack)."""


@power.command()
@click.option("--outage", "outage_id", required=True, help="The outage's id.")
@click.option("--output", "output", type=click.Path(dir_okay=False),
              help="Write the send list to FILE.csv or FILE.xlsx instead of printing it.")
@click.option("--sent-at", "sent_at", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              help="Record the outage's unsent notices as sent at this moment.")
@format_option
@pass_workspace
def notices(ws, outage_id, output, sent_at, fmt):
    """The outage's notices, one per customer on its feeder or segment (POWER-OUTAGE).

    Makes the notice records still missing (on each customer's bill channel,
    POWER-BILLPREF), then prints the send list or writes it to --output.
    """
    from guanxi_power import notices as kit

    made = kit.build(ws, outage_id)
    if sent_at is not None:
        sent = kit.mark_sent(ws, outage_id, sent_at)
        click.echo(f"{sent} notice(s) recorded as sent at {sent_at:%Y-%m-%d %H:%M}.", err=True)
    rows = kit.rows(ws, outage_id)
    if output:
        kit.write(rows, output)
        click.echo(f"{len(rows)} notice(s) of outage {outage_id} ({made} new) written to "
                   f"{output}.")
        return
    emit(rows, ["customer_id", "name", "channel", "address", "due_at", "sent_at", "reason"], fmt,
         empty=f"No customer is on the feeder or segment of outage {outage_id}.")


