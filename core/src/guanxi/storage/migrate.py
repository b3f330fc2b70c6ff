"""Schema versions: the core's and each pack's Alembic branch, run together.

The core's migrations are the branch ``core``; each pack's :class:`Schema`
adds a branch labelled with the pack's name whose first revision depends on
the core's. ``upgrade`` brings every branch to its head in one transaction.

Each branch keeps its revision in its own version table: the core's in
``alembic_version``, a pack's in ``alembic_version_<pack>``. In one shared
table Alembic would replace the core's row by the pack's revision that
depends on it, and a database holding the revision of a pack that is no
longer enabled could then be neither read nor upgraded: Alembic cannot
place a revision whose script it does not see. Apart, a disabled pack's
tables and version simply wait until it is enabled again.
"""

from __future__ import annotations

import re
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


CORE_VERSION_TABLE = "alembic_version"


def version_table(branch: str) -> str:
    """The table that holds ``branch``'s revision."""
    return CORE_VERSION_TABLE if branch == "core" else f"{CORE_VERSION_TABLE}_{branch}"


def _alembic_config(connection: Connection, schemas: Iterable, branch: str = "core") -> "object":
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
    cfg.attributes["version_table"] = version_table(branch)
    return cfg


def _script(cfg):
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(cfg)


def _version_rows(connection: Connection, branch: str) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": version_table(branch)})
    return set(context.get_current_heads())


def _applied(script, rows: Iterable[str]) -> set[str]:
    # A revision whose dependency was the head takes that head's row, so a
    # revision counts as applied when a row is it or lies above it.
    return {rev.revision for row in rows for rev in script.walk_revisions("base", row)}


def _branch_revisions(script, branch: str) -> list:
    """The branch's own revisions, newest first."""
    return [
        rev
        for rev in script.walk_revisions(base="base", head=f"{branch}@head")
        if branch in _labels(script, rev)
    ]


def upgrade(engine: Engine, schemas: Iterable) -> list[BranchState]:
    """Bring the core and every pack schema to head; return where each stands."""
    from alembic import command
    from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, delete, insert

    schemas = list(schemas)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection, []), "core@head")
        core_rows = _version_rows(connection, "core")
        for schema in schemas:
            cfg = _alembic_config(connection, [schema], schema.name)
            script = _script(cfg)
            name = version_table(schema.name)
            # The pack's table lends itself the core's revision for the run,
            # so that Alembic sees the pack's dependency met and runs only
            # the pack's revisions; the loan is returned afterwards.
            lent = core_rows - _applied(script, _version_rows(connection, schema.name))
            versions = Table(
                name, MetaData(), Column("version_num", String(32), nullable=False),
                PrimaryKeyConstraint("version_num", name=f"{name}_pkc"),
            )
            versions.create(connection, checkfirst=True)
            if lent:
                connection.execute(insert(versions), [{"version_num": r} for r in sorted(lent)])
            command.upgrade(cfg, f"{schema.name}@head")
            core_revisions = {rev.revision for rev in _branch_revisions(script, "core")}
            connection.execute(delete(versions).where(versions.c.version_num.in_(core_revisions)))
    return current(engine, schemas)


def current(engine: Engine, schemas: Iterable) -> list[BranchState]:
    """Each branch's revision in the database beside its head."""
    schemas = list(schemas)
    states = []
    with engine.connect() as connection:
        for branch, branch_schemas in [("core", [])] + [(s.name, [s]) for s in schemas]:
            script = _script(_alembic_config(connection, branch_schemas, branch))
            applied = _applied(script, _version_rows(connection, branch))
            mine = _branch_revisions(script, branch)
            now = next((rev.revision for rev in mine if rev.revision in applied), None)
            states.append(BranchState(branch=branch, current=now, head=mine[0].revision))
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


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)


def _head_in_files(directory: Path) -> str | None:
    """The one head of the revision scripts in ``directory``, read as text; None if unsure."""
    revisions, downs = set(), set()
    for path in directory.glob("*.py"):
        if path.name == "__init__.py":
            continue
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down[0]))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def _at_head_quickly(engine: Engine, schemas: list) -> bool:
    """Every branch's version table holds exactly its head, read without Alembic.

    Every command checks the schema first, and Alembic's script machinery
    (with Mako and Pygments behind it) took 90 ms of a 0.4 s ``guanxi tasks
    list``. Only a plain yes counts: anything unexpected (a missing table,
    a script this cannot read) leaves the answer to Alembic.
    """
    from sqlalchemy import column, select, table

    branches = [("core", CORE_MIGRATIONS / "versions")] + [
        (s.name, Path(s.migrations)) for s in schemas]
    try:
        heads = {branch: _head_in_files(directory) for branch, directory in branches}
        if None in heads.values():
            return False
        with engine.connect() as connection:
            for branch, head in heads.items():
                rows = connection.execute(
                    select(column("version_num")).select_from(table(version_table(branch)))
                ).scalars().all()
                if rows != [head]:
                    return False
    except Exception:  # noqa: BLE001 - Alembic's own check below says what is wrong
        return False
    return True


def require_head(engine: Engine, schemas: Iterable) -> None:
    """Refuse to work on a database that is not at head, saying what to run."""
    schemas = list(schemas)
    if _at_head_quickly(engine, schemas):
        return
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
