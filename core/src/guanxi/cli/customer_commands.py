"""``guanxi customers``: list, show and reassign."""

from __future__ import annotations

import attrs
import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import emit, format_option, to_json

LIST_COLUMNS = ["id", "name", "kind", "manager_id", "territory", "status", "created_at"]


@click.group()
def customers():
    """Customers: list, show one, hand them over."""


@customers.command("list")
@click.option("--manager", help="Only this manager's customers.")
@click.option("--territory", help="Only customers in this territory.")
@click.option("--status", help="Only this status: prospect, active, dormant, lost.")
@click.option("--unowned", is_flag=True, help="Only customers without an active owner.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@format_option
@pass_workspace
def list_(ws, manager, territory, status, unowned, limit, fmt):
    """List customers, ordered by id."""
    rows = [attrs.asdict(c) for c in ws.customers(
        manager=manager, territory=territory, status=status, unowned=unowned, limit=limit)]
    emit(rows, LIST_COLUMNS, fmt, empty="No customers match.")
    if fmt == "table" and not (manager or unowned):
        unowned_count = ws.count_unowned()
        if unowned_count:
            click.echo(f"\n{unowned_count} customer(s) have no active owner: "
                       "guanxi customers list --unowned", err=True)


@customers.command()
@click.argument("customer_id")
@format_option
@pass_workspace
def show(ws, customer_id, fmt):
    """Show one customer with its ownership history."""
    customer = ws.customer(customer_id)
    data = {"customer": attrs.asdict(customer),
            "ownership": [attrs.asdict(o) for o in ws.ownership(customer_id)]}
    if fmt == "json":
        click.echo(to_json(data))
        return
    for key, value in data["customer"].items():
        click.echo(f"{key:>12}: {value if value not in (None, {}) else ''}")
    click.echo("\nOwnership")
    emit(data["ownership"], ["manager_id", "started_at", "ended_at", "reason"], "table"
         if fmt == "table" else fmt, empty="  (none recorded)")


@customers.command()
@click.option("--from", "from_manager", required=True, metavar="M", help="The manager handing over.")
@click.option("--to", "to_manager", required=True, metavar="N", help="The manager taking over.")
@click.option("--customer", "customer_ids", multiple=True, metavar="ID",
              help="Only these customers (repeat); default: all of M's.")
@click.option("--reason", help="Why, kept in the ownership history.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_workspace
def reassign(ws, from_manager, to_manager, customer_ids, reason, fmt):
    """Hand customers from M to N; history and open tasks follow."""
    result = ws.reassign(from_manager, to_manager, customers=customer_ids or None, reason=reason)
    if fmt == "json":
        click.echo(to_json(attrs.asdict(result)))
    else:
        click.echo(f"Moved {result.customers} customer(s) and {result.tasks} open task(s) "
                   f"from {result.from_manager} to {result.to_manager} on {result.on}.")
