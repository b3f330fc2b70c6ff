"""Schema versions: the core's and each pack's Alembic branch, run together.

The core's migrations are the branch ``core``; each pack's :class:`Schema`
adds a branch labelled with the pack's name whose first revision depends on
the core's. ``upgrade`` brings every branch to its head in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

from guanxi.errors import GuanxiError
from guanxi.storage import tables

CORE_MIGRATIONS = Path(__file__).parent / "migrations"


@attrs.frozen
class BranchState:
    """Where one branch stands: its revision in the database and its head."""

    branch: str
    current: str | None
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head


def _alembic_config(connection: Connection, schemas: Iterable) -> "object":
    from alembic.config import Config

    schemas = list(schemas)
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    locations = [str(CORE_MIGRATIONS / "versions")] + [str(s.migrations) for s in schemas]
    cfg.set_main_option("path_separator", "os")
    import os

    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.attributes["connection"] = connection
    cfg.attributes["target_metadata"] = [tables.metadata] + [s.metadata for s in schemas]
    return cfg


def _script(cfg):
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(cfg)


def upgrade(engine: Engine, schemas: Iterable) -> list[BranchState]:
    """Bring the core and every pack schema to head; return where each stands."""
    from alembic import command

    with engine.begin() as connection:
        cfg = _alembic_config(connection, schemas)
        command.upgrade(cfg, "heads")
    return current(engine, schemas)


def current(engine: Engine, schemas: Iterable) -> list[BranchState]:
    """Each branch's revision in the database beside its head."""
    from alembic.runtime.migration import MigrationContext

    schemas = list(schemas)
    with engine.connect() as connection:
        cfg = _alembic_config(connection, schemas)
        script = _script(cfg)
        in_db = set(MigrationContext.configure(connection).get_current_heads())
    states = []
    for branch in ["core"] + [s.name for s in schemas]:
        head = script.get_revision(f"{branch}@head").revision
        mine = {
            rev.revision
            for rev in script.walk_revisions(base="base", head=f"{branch}@head")
            if branch in _labels(script, rev)
        }
        now = next(iter(in_db & mine), None)
        states.append(BranchState(branch=branch, current=now, head=head))
    return states


def _labels(script, revision) -> set[str]:
    # Branch labels sit on a branch's first revision; later ones inherit them.
    labels: set[str] = set()
    rev = revision
    while rev is not None:
        labels |= set(rev.branch_labels or ())
        down = rev.down_revision
        if not down or isinstance(down, tuple):
            break
        rev = script.get_revision(down)
    return labels


def require_head(engine: Engine, schemas: Iterable) -> None:
    """Refuse to work on a database that is not at head, saying what to run."""
    for state in current(engine, schemas):
        if state.current is None:
            raise GuanxiError(
                f"the database has no {state.branch!r} schema yet; run `guanxi db upgrade` "
                "(or `guanxi init` for a new workspace)"
            )
        if not state.at_head:
            raise GuanxiError(
                f"the database's {state.branch!r} schema is at {state.current}, not {state.head}; "
                "run `guanxi db upgrade`"
            )


def metadata_for(schemas: Iterable) -> list[MetaData]:
    return [tables.metadata] + [s.metadata for s in schemas]
