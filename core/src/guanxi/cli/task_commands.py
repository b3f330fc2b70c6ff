"""``guanxi tasks``: list, done, cancel, reassign."""

from __future__ import annotations

import click

from guanxi.cli import pass_workspace
from guanxi.cli.case_commands import at_option
from guanxi.cli.output import emit, format_option, write_xlsx, xlsx_option

from guanxi.views import TASK_COLUMNS as COLUMNS, task_row as _row  # the web API's too


@click.group()
def tasks():
    """Tasks service rules created for managers."""


@tasks.command("list")
@click.option("--manager", help="Only this manager's tasks.")
@click.option("--status", type=click.Choice(["open", "done", "cancelled", "all"]), default="open",
              show_default=True, help="Which tasks: open ones, or done, cancelled, all.")
@click.option("--due", type=click.Choice(["today", "week"]),
              help="Due on or before the as-of day (today), or by the Sunday of its ISO week "
                   "(week); overdue ones included.")
@click.option("--overdue", is_flag=True, help="Only open tasks past their due.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day to judge due and overdue by (default: today, at the present moment).")
@click.option("--rule", help="Only tasks of this rule.")
@click.option("--customer", help="Only this customer's tasks.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@format_option
@xlsx_option
@pass_workspace
def list_(ws, manager, status, due, overdue, as_of, rule, customer, limit, fmt, output):
    """Tasks, soonest due first, each with its customer, whether it is overdue, and its reason.

    --output day.xlsx writes them as a manager's sheet for the day.
    """
    day = as_of.date() if as_of else None
    found = ws.tasks(manager=manager, status=None if status == "all" else status, rule=rule,
                     customer=customer, due=due, overdue=overdue, as_of=day, limit=limit)
    if output:
        names = {m.id: m.name for m in ws.managers()} if manager else {}
        who = f" of {manager} {names.get(manager) or ''}".rstrip() if manager else ""
        notes = [f"As of {day or ws.today()}; status {status}"
                 + (f"; due {due}" if due else "") + ("; overdue only" if overdue else "")]
        write_xlsx(output, [_row(x) for x in found], COLUMNS, sheet="tasks",
                   title=f"Tasks{who}", notes=notes)
        return
    emit([_row(x) for x in found], COLUMNS, fmt, empty="No tasks.")


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--outcome", help="What came of it.")
@at_option
@pass_workspace
def done(ws, task_id, outcome, at):
    """Mark a task done; --at says when the work was really done (it is judged by that time)."""
    task = ws.task_done(task_id, outcome, at=at)
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
