"""``guanxi users``, ``tokens`` and ``audit``: the command line's side of the web workspace.

The command line audits its changes as the operating-system user, with the
command as typed for a source.
"""

from __future__ import annotations

import getpass
import json

from click.testing import CliRunner

from guanxi.cli import cli


def run(ws, *args, input=None):
    return CliRunner().invoke(cli, ["--config", str(ws.config.path), *args], input=input)


def test_users_add_list_disable_enable_and_passwd(org):
    ws = org.ws
    added = run(ws, "users", "add", "mei", "--manager", "M3", "--role", "manager",
                "--password-stdin", input="a good password\n")
    assert (added.exit_code, added.stdout) == (0, "User mei added: role manager, manager M3.\n")
    listed = json.loads(run(ws, "users", "list", "--format", "json").stdout)
    assert [(u["login"], u["manager_id"], u["role"], u["disabled"]) for u in listed] == [
        ("ann", "M1", "manager", False), ("bob", "M2", "manager", False),
        ("lee", "L1", "lead", False), ("liu", "L2", "lead", False),
        ("mei", "M3", "manager", False), ("root", None, "admin", False)]
    assert "password" not in json.dumps(listed)  # no hash is ever shown
    assert run(ws, "users", "disable", "mei").exit_code == 0
    assert ws.user("mei").disabled
    assert run(ws, "users", "enable", "mei").exit_code == 0
    assert not ws.user("mei").disabled
    changed = run(ws, "users", "passwd", "mei", "--password-stdin", input="another one!\n")
    assert (changed.exit_code, changed.stdout) == (0, "Password of mei changed.\n")


def test_users_add_refuses_what_it_cannot_keep(org):
    ws = org.ws
    short = run(ws, "users", "add", "x1", "--manager", "M1", "--password-stdin", input="short\n")
    assert (short.exit_code, short.stderr.strip()) == (
        2, "Error: a password needs at least 8 characters")
    unknown = run(ws, "users", "add", "x2", "--manager", "M9", "--password-stdin",
                  input="long enough\n")
    assert unknown.exit_code == 1 and "no manager with id 'M9'" in unknown.stderr
    again = run(ws, "users", "add", "ann", "--manager", "M1", "--password-stdin",
                input="long enough\n")
    assert (again.exit_code, again.stderr.strip()) == (1, "Error: user 'ann' exists already")
    no_manager = run(ws, "users", "add", "x3", "--no-password")
    assert no_manager.exit_code == 2 and "needs --manager" in no_manager.stderr
    assert run(ws, "users", "disable", "nobody").exit_code == 1


def test_tokens_are_printed_once_and_stored_hashed(org):
    ws = org.ws
    made = run(ws, "tokens", "create", "ann", "--note", "ERP")
    assert made.exit_code == 0
    token = made.stdout.strip()
    assert token.startswith("gx_") and len(token) == 46
    listed = json.loads(run(ws, "tokens", "list", "--login", "ann", "--format", "json").stdout)
    assert [t["note"] for t in listed] == [None, "ERP"]
    assert token not in json.dumps(listed) and listed[-1]["prefix"] == token[:10]
    from guanxi.storage.access_tables import user_tokens
    from sqlalchemy import select

    with ws.engine.connect() as conn:
        stored = conn.execute(select(user_tokens.c.token_hash)).scalars().all()
    assert token not in stored
    assert org.client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                            ).status_code == 200
    revoked = run(ws, "tokens", "revoke", str(listed[-1]["id"]))
    assert revoked.exit_code == 0
    assert org.client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                            ).status_code == 401


def test_the_cli_audits_as_the_os_user_with_the_command_as_source(org, tmp_path):
    ws = org.ws
    path = tmp_path / "customers.csv"
    path.write_text("id,name,manager_id\nC9,Nine,M1\n", encoding="utf-8")
    assert run(ws, "import", "customers", str(path)).exit_code == 0
    assert run(ws, "tasks", "done", str(org.task["C2"]), "--outcome", "met").exit_code == 0
    assert run(ws, "customers", "reassign", "--from", "M3", "--to", "M2").exit_code == 0
    me = getpass.getuser()
    entries = json.loads(run(ws, "audit", "list", "--actor", me, "--format", "json").stdout)
    tail = [(e["action"], e["entity"], e["key"], e["source"]) for e in entries][-3:]
    assert tail == [
        ("import", "customers", str(path), f"guanxi --config {ws.config.path} import "
                                           f"customers {path}"),
        ("task done", "task", str(org.task["C2"]), f"guanxi --config {ws.config.path} tasks "
                                                   f"done {org.task['C2']} --outcome met"),
        ("reassign", "customer", "M3->M2", f"guanxi --config {ws.config.path} customers "
                                           "reassign --from M3 --to M2"),
    ]
    assert entries[-3]["detail"]["inserted"] == 1
    assert entries[-1]["detail"] == {"customers": 1, "tasks": 1, "on": "2026-12-02"}


def test_audit_list_filters_by_day_and_actor(org, time_machine):
    ws = org.ws
    time_machine.shift(86400)  # the next day
    ws.disable_user("liu")
    entries = json.loads(run(ws, "audit", "list", "--since", "2026-12-03",
                             "--format", "json").stdout)
    assert [(e["action"], e["key"], e["at"]) for e in entries] == [
        ("user disabled", "liu", "2026-12-03T10:00:00")]
    assert run(ws, "audit", "list", "--actor", "nobody").stdout == "No entries.\n"
    table = run(ws, "audit", "list", "--since", "2026-12-03").stdout
    assert "user disabled" in table and "liu" in table
