"""``guanxi customers``: list, show, reassign, and find and merge duplicates."""

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
@click.option("--status", help="Only this status: prospect, active, dormant, lost, or merged "
              "(merged customers are listed only when asked for).")
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
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A page for people, or JSON for scripts.")
@click.option("--unmask", is_flag=True,
              help="Show identity numbers whole (they are masked: 110***********002X).")
@pass_workspace
def show(ws, customer_id, fmt, unmask):
    """The 360° view: contacts, accounts, interactions, labels, tasks, owners."""
    view = ws.customer_view(customer_id, unmask=unmask)
    if unmask:  # who saw identity numbers whole stays on record
        ws.audit("identity shown", "customers", customer_id)
    if fmt == "json":
        click.echo(to_json(view))
        return
    customer = view["customer"]
    owner = view["manager"]
    click.echo(f"{customer['id']}  {customer['name']}  ({customer['kind']}, {customer['status']})")
    click.echo(f"Owner: {owner['id'] + ' ' + owner['name'] if owner else 'nobody'}"
               f"   Territory: {customer['territory'] or '-'}")
    for key, value in sorted((customer.get("attributes") or {}).items()):
        click.echo(f"  {key}: {value}")
    sections = [
        ("Labels", view["segments"], ["segmentation", "label", "reason", "as_of", "manual"]),
        ("Open tasks", view["tasks"], ["id", "rule", "kind", "due_at", "manager_id", "reason"]),
        ("Contacts", view["contacts"], ["id", "name", "role", "seniority", "phone", "active"]),
        ("Accounts", view["accounts"], ["id", "type", "status", "opened_at", "closed_at"]),
        ("Recent interactions", view["interactions"],
         ["id", "kind", "occurred_at", "channel", "amount", "outcome"]),
        ("Latest measurements", view["measurements"], ["metric", "account_id", "period", "value"]),
        ("Customer team", view["team"], ["manager_id", "role", "share"]),
        ("Lists", view["lists"], ["list", "added_at", "removed_at", "note"]),
        ("Label history", view["segment_history"],
         ["segmentation", "old_label", "new_label", "changed_on", "reason"]),
        ("Ownership", view["ownership"], ["manager_id", "started_at", "ended_at", "reason"]),
        ("Merged into this customer", view["merged"], ["id", "merged_on", "reason"]),
    ]
    for title, rows, columns in sections:
        click.echo(f"\n{title}")
        emit(rows, columns, "table", empty="  (none)")


@customers.command()
@click.option("--from", "from_manager", required=True, metavar="M", help="The manager handing over.")
@click.option("--to", "to_manager", required=True, metavar="N", help="The manager taking over.")
@click.option("--customer", "customer_ids", multiple=True, metavar="ID",
              help="Only these customers (repeat); default: all of M's.")
@click.option("--reason", help="Why, kept in the ownership history.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A sentence for people, or JSON for scripts.")
@pass_workspace
def reassign(ws, from_manager, to_manager, customer_ids, reason, fmt):
    """Hand customers from M to N; history and open tasks follow."""
    result = ws.reassign(from_manager, to_manager, customers=customer_ids or None, reason=reason)
    if fmt == "json":
        click.echo(to_json(attrs.asdict(result)))
    else:
        click.echo(f"Moved {result.customers} customer(s) and {result.tasks} open task(s) "
                   f"from {result.from_manager} to {result.to_manager} on {result.on}.")


@customers.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table for people, or JSON for scripts.")
@pass_workspace
def duplicates(ws, fmt):
    """Candidate duplicate customers: the same identity number, or the same name and phone.

    Each pair names the customer to keep (the lower id) and the one to
    merge into it, with why they look alike: guanxi customers merge KEEP DROP.
    """
    pairs = ws.duplicates()
    if fmt == "json":
        click.echo(to_json([p.as_json() for p in pairs]))
        return
    emit([{**attrs.asdict(p), "rules": ", ".join(p.rules)} for p in pairs],
         ["keep", "keep_name", "drop", "drop_name", "reason"], "table",
         empty="No duplicate customers found.")


@customers.command()
@click.argument("keep")
@click.argument("drop")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The merge day (default: today): DROP's ownership ends on it.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A sentence for people, or JSON for scripts.")
@pass_workspace
def merge(ws, keep, drop, on, fmt):
    """Merge customer DROP into KEEP: its records move, its id stays as an alias.

    Accounts, contacts, interactions, measurements, tasks, cases, lists,
    team and planned visits move to KEEP; DROP is marked merged (never
    deleted), and a later import naming DROP lands on KEEP.
    """
    result = ws.merge_customers(keep, drop, on=on.date() if on else None)
    if fmt == "json":
        click.echo(to_json(result.as_json()))
    else:
        click.echo(f"{result.reason[0].upper()}{result.reason[1:]}.")
