"""``guanxi tasks``: list, done, cancel, reassign."""

from __future__ import annotations

import attrs
import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import emit, format_option

COLUMNS = ["id", "rule", "customer_id", "manager_id", "kind", "due_at", "priority", "status",
           "reason"]


def _row(task) -> dict:
    data = attrs.asdict(task)
    return {k: data[k] for k in COLUMNS}


@click.group()
def tasks():
    """Tasks service rules created for managers."""


@tasks.command("list")
@click.option("--manager", help="Only this manager's tasks.")
@click.option("--status", type=click.Choice(["open", "done", "cancelled", "all"]), default="open",
              show_default=True, help="Which tasks: open ones, or done, cancelled, all.")
@click.option("--rule", help="Only tasks of this rule.")
@click.option("--customer", help="Only this customer's tasks.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@format_option
@pass_workspace
def list_(ws, manager, status, rule, customer, limit, fmt):
    """Tasks, soonest due first, each with its reason."""
    found = ws.tasks(manager=manager, status=None if status == "all" else status, rule=rule,
                     customer=customer, limit=limit)
    emit([_row(x) for x in found], COLUMNS, fmt, empty="No tasks.")


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--outcome", help="What came of it.")
@pass_workspace
def done(ws, task_id, outcome):
    """Mark a task done."""
    task = ws.task_done(task_id, outcome)
    click.echo(f"Task {task.id} done.")


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--reason", required=True, help="Why it is cancelled.")
@pass_workspace
def cancel(ws, task_id, reason):
    """Cancel a task, saying why."""
    task = ws.task_cancel(task_id, reason)
    click.echo(f"Task {task.id} cancelled.")


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--to", "to_manager", required=True, metavar="M", help="The manager to hand it to.")
@pass_workspace
def reassign(ws, task_id, to_manager):
    """Hand an open task to another manager."""
    task = ws.task_reassign(task_id, to_manager)
    click.echo(f"Task {task.id} is now {task.manager_id}'s.")
