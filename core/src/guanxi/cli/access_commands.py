"""``guanxi users``, ``guanxi tokens``, ``guanxi audit`` and ``guanxi serve``."""

from __future__ import annotations

import sys

import click

from guanxi.cli import pass_state, pass_workspace
from guanxi.cli.output import emit, format_option

USER_COLUMNS = ["login", "manager_id", "role", "disabled", "language", "created_at"]
TOKEN_COLUMNS = ["id", "login", "prefix", "note", "created_at", "last_used_at", "revoked_at"]
AUDIT_COLUMNS = ["at", "actor", "action", "entity", "key", "detail", "source"]


def _read_password(from_stdin: bool, confirm: bool = True) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin read an empty line; write the password "
                                   "on standard input")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@click.group()
def users():
    """Users of the web workspace (guanxi serve): who logs in, and what they see."""


@users.command("add")
@click.argument("login")
@click.option("--manager", metavar="ID", help="The manager id whose customers and tasks they see "
                                              "(a lead: of the teams they lead).")
@click.option("--role", type=click.Choice(["manager", "lead", "admin"]), default="manager",
              show_default=True, help="manager: own; lead: the team's; admin: everything.")
@click.option("--language", type=click.Choice(["en", "zh"]),
              help="The pages' language for them (default: [guanxi] language).")
@click.option("--password-stdin", "password_stdin", is_flag=True,
              help="Read the password from standard input (else a prompt asks twice).")
@click.option("--no-password", "no_password", is_flag=True,
              help="No password: they log in through the proxy header only ([serve] auth).")
@pass_workspace
def users_add(ws, login, manager, role, language, password_stdin, no_password):
    """Add LOGIN, with a password from a prompt or --password-stdin."""
    password = None if no_password else _read_password(password_stdin)
    user = ws.add_user(login, manager=manager, role=role, password=password, language=language)
    click.echo(f"User {user.login} added: role {user.role}"
               + (f", manager {user.manager_id}" if user.manager_id else "") + ".")


@users.command("list")
@format_option
@pass_workspace
def users_list(ws, fmt):
    """Every user, their role and manager, and whether they are disabled."""
    emit([u.as_json() for u in ws.users()], USER_COLUMNS, fmt, empty="No users.")


@users.command("disable")
@click.argument("login")
@pass_workspace
def users_disable(ws, login):
    """Disable LOGIN: their sessions and tokens end at once."""
    ws.disable_user(login, True)
    click.echo(f"User {login} disabled; their sessions and tokens no longer work.")


@users.command("enable")
@click.argument("login")
@pass_workspace
def users_enable(ws, login):
    """Enable LOGIN again (their old tokens stay revoked)."""
    ws.disable_user(login, False)
    click.echo(f"User {login} enabled.")


@users.command("passwd")
@click.argument("login")
@click.option("--password-stdin", "password_stdin", is_flag=True,
              help="Read the new password from standard input.")
@pass_workspace
def users_passwd(ws, login, password_stdin):
    """Set LOGIN's password; their open sessions end."""
    ws.user(login)  # an unknown login fails before the prompt
    ws.set_password(login, _read_password(password_stdin))
    click.echo(f"Password of {login} changed.")


@click.group()
def tokens():
    """API tokens for integrations: Authorization: Bearer TOKEN."""


@tokens.command("create")
@click.argument("login")
@click.option("--note", help="What the token is for.")
@pass_workspace
def tokens_create(ws, login, note):
    """A new token acting as LOGIN; printed once, stored hashed."""
    token, secret = ws.create_token(login, note)
    click.echo(secret)
    click.echo(f"Token {token.id} for {login}: keep it now, it is not shown again.", err=True)


@tokens.command("list")
@click.option("--login", help="Only this user's tokens.")
@format_option
@pass_workspace
def tokens_list(ws, login, fmt):
    """Tokens by id: whose, what for, when made, last used, revoked."""
    emit([x.as_json() for x in ws.tokens(login)], TOKEN_COLUMNS, fmt, empty="No tokens.")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@pass_workspace
def tokens_revoke(ws, token_id):
    """Revoke token TOKEN_ID (see tokens list)."""
    token = ws.revoke_token(token_id)
    click.echo(f"Token {token.id} of {token.login} revoked.")


@click.group()
def audit():
    """The audit log: every change, who made it, when, and through what."""


@audit.command("list")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
              help="Only entries from this day (or moment) on.")
@click.option("--actor", metavar="LOGIN", help="Only this user's (or OS user's) changes.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@format_option
@pass_workspace
def audit_list(ws, since, actor, limit, fmt):
    """Audit entries, oldest first."""
    import json

    rows = [e.as_json() for e in ws.audit_log(since=since, actor=actor, limit=limit)]
    if fmt != "json":  # a cell holds the detail as compact JSON
        for row in rows:
            row["detail"] = (json.dumps(row["detail"], ensure_ascii=False, default=str)
                             if row["detail"] else None)
    emit(rows, AUDIT_COLUMNS, fmt, empty="No entries.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: a free one, printed).")
@pass_state
def serve(state, host, port):
    """Serve the web workspace: pages for people, a JSON API at /api/v1 (docs at /api/docs)."""
    try:
        from guanxi.web.serving import serve as run
    except ImportError as exc:
        raise click.ClickException(f"guanxi serve needs the web extra ({exc.name} is missing): "
                                   "pip install 'guanxi[web]'") from None
    ws = state.workspace
    ws.require_ready()
    run(ws, host, port, lambda line: click.echo(line, err=True))
