"""``guanxi init`` and ``guanxi db``: a workspace's config and schema."""

from __future__ import annotations

from pathlib import Path

import click

from guanxi.cli import pass_state, pass_workspace
from guanxi.cli.output import emit, format_option

CONFIG_TEMPLATE = """\
# guanxi workspace configuration; see docs/configuration.md.
[guanxi]
database = "{database}"
packs = [{packs}]
timezone = "Asia/Shanghai"
language = "en"
"""


@click.command()
@click.option("--pack", "packs", multiple=True, metavar="NAME",
              help="A pack to enable; repeat for several.")
@click.option("--database", "database", metavar="URL", default="sqlite:///guanxi.db",
              show_default=True, help="The database the config names.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".",
              help="Where to write guanxi.toml.")
@pass_state
def init(state, packs, database, directory):
    """Write guanxi.toml (unless there is one) and bring the database to head."""
    from guanxi.plugins import require_installed
    from guanxi.workspace import Workspace

    require_installed(packs)  # before anything is written: a typo leaves no config behind
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "guanxi.toml"
    if path.exists():
        click.echo(f"Kept the existing {path}; its packs and database stand "
                   "(--pack and --database apply to a new file only).")
    else:
        path.write_text(
            CONFIG_TEMPLATE.format(database=database, packs=", ".join(f'"{p}"' for p in packs)),
            encoding="utf-8",
        )
        click.echo(f"Wrote {path}.")
    with Workspace.open(path, database=state.database) as ws:
        states = ws.upgrade()
        shown = ", ".join(f"{s.branch} {s.current}" for s in states)
        click.echo(f"Database {ws.config.database} is at head ({shown}).")


@click.group()
def db():
    """The database schema: migrations of the core and each enabled pack."""


@db.command()
@pass_workspace
def upgrade(ws):
    """Bring the core's and every enabled pack's schema to head."""
    states = ws.upgrade()
    for s in states:
        click.echo(f"{s.branch}: {s.current} (head)")


@db.command()
@format_option
@pass_workspace
def current(ws, fmt):
    """Show each schema branch's revision beside its head."""
    ws.plugins.require_healthy()
    rows = [
        {"branch": s.branch, "current": s.current, "head": s.head, "at_head": s.at_head}
        for s in ws.current()
    ]
    emit(rows, ["branch", "current", "head", "at_head"], fmt)
