"""``guanxi pack new``: scaffold a pack for integrators."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def pack():
    """Tools for pack authors."""


@pack.command()
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Where to write it (default: plugins/NAME in a guanxi checkout, else ./NAME).")
def new(name, directory):
    """Scaffold the pack NAME: pyproject, hooks, a test and a docs page."""
    from guanxi.scaffold import new_pack

    if directory is None:
        directory = Path("plugins") / name if Path("plugins").is_dir() else Path(name)
    files = new_pack(name, Path(directory))
    click.echo(f"Wrote the pack {name!r} in {directory}:")
    for path in files:
        click.echo(f"  {path}")
    click.echo(f"Install it with `pip install -e {directory}`, enable it with "
               f'packs = ["{name}"] in guanxi.toml, and run `pytest {Path(directory) / "tests"}`.')
