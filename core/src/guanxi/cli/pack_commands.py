"""``guanxi plugins``, ``guanxi fields`` and ``guanxi config show``."""

from __future__ import annotations

import click

from guanxi.cli import pass_state, pass_workspace
from guanxi.cli.output import emit, format_option, to_json


@click.command()
@format_option
@pass_state
def plugins(state, fmt):
    """Installed and enabled packs: distribution, version, hooks, problems."""
    from guanxi.config import read_config
    from guanxi.plugins import load_plugins

    # Not the workspace: a bad pack section must not hide the pack listing.
    config = read_config(state.config_path, database=state.database)
    pm = load_plugins(config.packs, config=config)
    rows = []
    for info in pm.pack_infos():
        row = {
            "name": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "enabled": info.enabled,
            "hooks": list(info.hooks),
        }
        if info.broken:
            row["broken"] = info.broken
        rows.append(row)
    if fmt == "table":
        for row in rows:
            row["status"] = ("broken: " + row["broken"]) if row.get("broken") else (
                "enabled" if row["enabled"] else "installed")
            row["hooks"] = len(row["hooks"])
        emit(rows, ["name", "distribution", "version", "status", "hooks"], fmt)
    else:
        emit(rows, ["name", "distribution", "version", "enabled", "hooks"], fmt)


@click.command()
@click.option("--entity", help="Only the fields of this entity.")
@format_option
@pass_workspace
def fields(ws, entity, fmt):
    """Sector fields the enabled packs and guanxi.toml declare, by entity."""
    from guanxi.plugins import ORGANIZATION

    rows = [
        {"pack": f.pack, "entity": f.entity, "name": f.name, "type": f.type,
         "required": f.required, "allowed": list(f.allowed), "description": f.description}
        for f in ws.fields()
        if not entity or f.entity == entity
    ]
    # JSON and CSV keep their stable shape (the pack of guanxi.toml's fields
    # is "organization"); the table, for people, says where to change a field.
    first = "pack"
    if fmt == "json":
        for row in rows:
            row.pop("description")
    elif fmt == "table":
        first = "source"
        for row in rows:
            row["source"] = "guanxi.toml" if row["pack"] == ORGANIZATION else row["pack"]
    emit(rows, [first, "entity", "name", "type", "required", "allowed", "description"], fmt,
         empty="No sector fields: neither the enabled packs nor guanxi.toml declare any.")


@click.group()
def config():
    """The effective configuration."""




@config.command()
@click.option("--format", "fmt", type=click.Choice(["toml", "json"]), default="toml",
              show_default=True, help="TOML to read or copy, or JSON for scripts.")
@pass_state
def show(state, fmt):
    """Print the effective config: the file's values and every default."""
    from guanxi.config import pack_settings, read_config, toml_value, unknown_sections
    from guanxi.plugins import load_plugins, require_installed

    cfg = read_config(state.config_path, database=state.database)
    # A pack that is not installed: no job could run this config, so say that
    # alone (a pack installed but broken is still shown, with its problem).
    require_installed(cfg.packs)
    pm = load_plugins(cfg.packs, config=cfg)
    options: dict[str, list] = {}
    try:
        for (pack, _), option in pm.config_options().items():
            options.setdefault(pack, []).append(option)
    except Exception as exc:  # a pack failing here is reported, the rest still shown
        options = {}
        pm.broken.setdefault("?", str(exc))
    unknown = unknown_sections(cfg, pm.entry_points)
    core = {"database": cfg.database, "packs": list(cfg.packs), "timezone": cfg.timezone,
            "language": cfg.language, "currency": cfg.currency, "lock_timeout": cfg.lock_timeout}
    packs = {}
    for pack in ["core", *cfg.packs]:
        if pack in pm.broken:
            continue
        opts = options.get(pack, [])
        settings = pack_settings(cfg, pack, opts)
        packs[pack] = {o.name: (settings[o.name], o) for o in opts}
    if fmt == "json":
        data = {"config_file": str(cfg.path) if cfg.path else None, "guanxi": core,
                "packs": {p: {k: v for k, (v, _) in items.items()} for p, items in packs.items()},
                "targets": {k: dict(v) for k, v in cfg.targets.items()},
                "broken": dict(pm.broken), "unknown_sections": unknown}
        for own in ("fields", "metrics"):  # the organization's declarations, when it has some
            if own in cfg.sections:
                data[own] = cfg.sections[own]
        click.echo(to_json(data))
        return
    click.echo(f"# from {cfg.path or 'defaults (no guanxi.toml found)'}")
    click.echo("[guanxi]")
    for key, value in core.items():
        click.echo(f"{key} = {toml_value(value)}")
    if cfg.targets:
        click.echo("\n[targets]")
        for kpi, scopes in cfg.targets.items():
            shown = ", ".join(f"{scope} = {toml_value(v)}" for scope, v in scopes.items())
            click.echo(f'"{kpi}" = {{ {shown} }}')
    for name, reason in sorted(pm.broken.items()):
        click.echo(f"\n# pack {name!r} is broken: {reason}")
    for name in unknown:
        click.echo(f"\n# section [{name}] names no installed pack: every job refuses it")
    for own in ("fields", "metrics"):  # the organization's own declarations, as written
        for head, table in _declared(own, cfg.sections.get(own, {})):
            click.echo(f"\n[{head}]")
            for key, value in table.items():
                click.echo(f"{key} = {toml_value(value)}")
    for pack, items in packs.items():
        sections: dict[str, list] = {}
        for name, (value, option) in items.items():
            head, _, leaf = name.rpartition(".")
            sections.setdefault(head, []).append((leaf, value, option))
        for head, entries in sections.items():
            click.echo(f"\n[{pack}.{head}]" if head else f"\n[{pack}]")
            for leaf, value, option in entries:
                click.echo(f"# {option.description}")
                click.echo(f"{leaf} = {toml_value(value)}")


def _declared(prefix: str, table) -> list:
    """``[fields.customers.risk_level]``-style sections: (dotted head, its plain keys)."""
    plain = {k: v for k, v in table.items() if not isinstance(v, dict)}
    found = [(prefix, plain)] if plain else []
    for key, value in table.items():
        if isinstance(value, dict):
            found += _declared(f"{prefix}.{key}", value)
    return found
