"""``guanxi cases``: list, show, step, tick and open SLA cases."""

from __future__ import annotations

import click

from guanxi.cli import pass_workspace
from guanxi.cli.output import emit, format_option, to_json
from guanxi.service.case_words import ACTIONS

LIST_COLUMNS = ["id", "policy", "customer_id", "owner_id", "state", "level", "opened_at",
                "responded_at", "resolved_at", "due_at", "breached"]
EVENT_COLUMNS = ["at", "action", "actor_id", "step", "from_owner", "to_owner", "level", "note"]

at_option = click.option(
    "--at", "at", metavar="DATETIME",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                                 "%Y-%m-%d %H:%M", "%Y-%m-%d"]),
    help="When, as 2026-11-23T09:30 (default: now in the organization's time zone).",
)


@click.group()
def cases():
    """SLA cases: complaints, quality cases, repairs, with their clocks."""


@cases.command("list")
@click.option("--policy", help="Only cases of this policy.")
@click.option("--owner", metavar="M", help="Only cases this manager owns.")
@click.option("--state", "state_filter",
              type=click.Choice(["open", "paused", "resolved", "closed", "all"]),
              default="all", show_default=True, help="Only cases in this state.")
@click.option("--customer", metavar="ID", help="Only this customer's cases.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@format_option
@pass_workspace
def list_(ws, policy, owner, state_filter, customer, limit, fmt):
    """Cases, oldest first, each with its next deadline."""
    state = None if state_filter == "all" else state_filter
    found = ws.cases(policy=policy, owner=owner, state=state,
                     customer=customer, limit=limit)
    emit([c.as_json() for c in found], LIST_COLUMNS, fmt, empty="No cases.")


@cases.command()
@click.argument("case_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A page for people, or JSON for scripts.")
@pass_workspace
def show(ws, case_id, fmt):
    """One case, its clocks and every event with who and when."""
    from guanxi.views import case_detail

    shown = case_detail(ws, case_id)  # the web API's shape too
    if fmt == "json":
        click.echo(to_json(shown))
        return
    case, waiting = ws.case(case_id), shown["case"]["waiting_for"]
    events = ws.case_history(case_id)
    click.echo(f"Case {case.id}  {case.policy}  customer {case.customer_id}  owner "
               f"{case.owner_id or '-'}  {case.state}, level {case.level}"
               + ("  BREACHED" if case.breached else ""))
    for label, value in (("opened", case.opened_at), ("interaction", case.interaction_id),
                         ("summary", case.summary), ("response due", case.response_due_at),
                         ("responded", case.responded_at),
                         ("resolution due", case.resolution_due_at),
                         ("step", f"{case.step_name} by {waiting or '-'}, due "
                                  f"{case.step_due_at or '-'}" if case.step_name else None),
                         ("paused since", case.paused_at), ("resolved", case.resolved_at),
                         ("callback due", case.callback_due_at),
                         ("called back", case.called_back_at), ("closed", case.closed_at)):
        if value is not None:
            click.echo(f"  {label}: {value}")
    click.echo("\nHistory")
    emit([e.as_json() for e in events], EVENT_COLUMNS, "table", empty="  (none)")


@cases.command()
@click.argument("case_id", type=int)
@click.argument("action", type=click.Choice(ACTIONS))
@click.option("--by", "by", required=True, metavar="M", help="The manager taking the step.")
@click.option("--to", "to", metavar="M", help="For handover: the manager it goes to.")
@click.option("--note", help="What was done or why (needed to reject).")
@at_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A sentence for people, or the case as JSON (cases show).")
@pass_workspace
def step(ws, case_id, action, by, to, note, at, fmt):
    """Take a step on a case: respond, hand over, pause, approve, resolve, ..."""
    case = ws.case_step(case_id, action, by, at=at, note=note, to=to)
    if fmt == "json":
        from guanxi.views import case_detail

        click.echo(to_json(case_detail(ws, case_id)))
        return
    where = f", step {case.step_name}" if case.step_name else ""
    click.echo(f"Case {case.id}: {action} by {by}; now {case.state}, level {case.level}, owner "
               f"{case.owner_id}{where}; next deadline {case.due_at or 'none'}.")


@cases.command()
@at_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A summary for people, or JSON for scripts.")
@pass_workspace
def tick(ws, at, fmt):
    """Move every case clock: warnings, breaches, escalations; then their tasks."""
    result = ws.tick_cases(at)
    if fmt == "json":
        click.echo(to_json(result.as_json()))
        return
    click.echo(f"Cases ticked at {result.at}: {result.warnings} warning(s), "
               f"{result.breaches} breach(es), {result.escalations} escalation(s)")
    for r in result.rules:
        click.echo(f"  rule {r.rule}: {r.created} new task(s), {r.existing} already open")


@cases.command("open")
@click.argument("policy")
@click.option("--customer", "customer_id", required=True, metavar="ID", help="The customer.")
@click.option("--owner", "owner_id", required=True, metavar="M",
              help="Who received it and answers it (首问负责制).")
@click.option("--summary", help="What the case is about.")
@at_option
@pass_workspace
def open_(ws, policy, customer_id, owner_id, summary, at):
    """Open a case of POLICY by hand."""
    case = ws.open_case(policy, customer_id, owner_id, opened_at=at, summary=summary)
    click.echo(f"Case {case.id} opened ({case.policy}) for {case.customer_id}, owned by "
               f"{case.owner_id}; next deadline {case.due_at or 'none'}.")
