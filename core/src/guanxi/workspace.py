"""The workspace: one config, its packs and its database, and what they do.

Everything a command does goes through a method here, and returns attrs
records; the command line only prints them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from guanxi import config as config_mod
from guanxi.audit import job as _job  # the job lock, then the audit entry
from guanxi.engines.api import EngineMethods
from guanxi.service.access_api import AccessMethods
from guanxi.service.calendar_api import CalendarMethods
from guanxi.service.case_api import CaseMethods
from guanxi.service.merge_api import MergeMethods
from guanxi.service.plan_api import PlanMethods
from guanxi.service.report_api import ReportMethods
from guanxi import model
from guanxi.errors import ConfigError, GuanxiError, NotFoundError, UsageError, did_you_mean
from guanxi.plugins import PackManager, load_plugins
from guanxi.runtime import Runtime
from guanxi.service.ownership import ReassignResult
from guanxi.storage import migrate
from guanxi.storage import tables as t
from guanxi.storage.connection import connect
from guanxi.storage.locks import JobLock


def _say_on_stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def _row_to(cls, row: Mapping[str, Any], rename: Mapping[str, str] | None = None):
    names = {a.name for a in attrs.fields(cls)}
    data = {}
    for key, value in row.items():
        key = (rename or {}).get(key, key)
        if key in names:
            data[key] = value if key != "attributes" else dict(value or {})
    return cls(**data)


class Workspace(AccessMethods, EngineMethods, CalendarMethods, CaseMethods, PlanMethods,
                ReportMethods, MergeMethods):
    """A config, its enabled packs and its database.

    Open one with :func:`guanxi.open`. Listing, importing, exporting and
    reassigning are methods; each checks first that every enabled pack
    loaded and that the database is at head.
    """

    def __init__(self, config: config_mod.Config, plugins: PackManager) -> None:
        self.config = config
        self.plugins = plugins
        self._engine: Engine | None = None
        self._runtime: Runtime | None = None
        self._ready = False
        self._lock: JobLock | None = None
        #: How the job lock names this workspace's jobs to others waiting
        #: (the command line sets its own); None: the job's name.
        self.job_command: str | None = None
        #: Called with one sentence when a job waits for another.
        self.on_wait = _say_on_stderr

    @classmethod
    def open(
        cls,
        path: str | os.PathLike | None = None,
        *,
        database: str | None = None,
        extra_packs: Mapping[str, object] | None = None,
    ) -> Workspace:
        cfg = config_mod.read_config(path, database=database)
        packs = tuple(cfg.packs) + tuple(n for n in (extra_packs or {}) if n not in cfg.packs)
        if packs != cfg.packs:
            cfg = attrs.evolve(cfg, packs=packs)
        return cls.from_parts(cfg, load_plugins(cfg.packs, extra=extra_packs, config=cfg))

    @classmethod
    def from_parts(cls, cfg: config_mod.Config, plugins: PackManager) -> Workspace:
        """A workspace of a config read and its packs loaded already."""
        ws = cls(cfg, plugins)
        ws.settings  # validate every healthy pack's section now: a bad key fails at open
        return ws

    # -- configuration -------------------------------------------------------

    @functools.cached_property
    def settings(self) -> dict[str, dict[str, Any]]:
        """pack -> option name -> effective value (file or default)."""
        # Packs given to open() inline are enabled without an entry point; a
        # section of a pack installed but not enabled is no error either (the
        # installed packs are looked up only then).
        unknown = config_mod.unknown_sections(self.config, self.config.packs)
        if unknown:
            known = set(self.plugins.entry_points) | set(self.config.packs)
            unknown = config_mod.unknown_sections(self.config, known)
        if unknown:
            installed = sorted(self.plugins.entry_points)
            raise ConfigError(
                f"{self.config.label}: section [{unknown[0]}] names no installed pack"
                f"{did_you_mean(unknown[0], installed)}; "
                f"installed: {', '.join(installed) or 'none'}"
            )
        # Only when targets are set: opening must not ask every pack for its KPIs.
        unknown_kpis = (sorted(set(self.config.targets) - set(self.plugins.kpis()))
                        if self.config.targets and not self.plugins.broken else [])
        if unknown_kpis:
            raise ConfigError(
                f"{self.config.label}: [targets] names the KPI {unknown_kpis[0]!r}, which no "
                f"enabled pack has{did_you_mean(unknown_kpis[0], self.plugins.kpis())}; "
                f"KPIs: {', '.join(self.plugins.kpis())}"
            )
        if self.config.targets and not self.plugins.broken:
            from guanxi.engines.shown_only import refused_kpis

            refused = refused_kpis(self.plugins.kpis(), sorted(self.config.targets))
            if refused:
                raise ConfigError(f"{self.config.label}: [targets] "
                                  f"{next(iter(refused.values()))}")
        # [import] mappings name entities and columns: checked at open, as the
        # packs' sections are, not first at an import (only when there is one:
        # opening must not ask every pack for its fields).
        if "import" in self.config.sections and not self.plugins.broken:
            from guanxi.importing.mapping import check_import_config

            check_import_config(self.config, self.plugins.entities(), self.plugins.fields_of)
        by_pack: dict[str, list] = {}
        for (pack, _), option in self.plugins.config_options().items():
            by_pack.setdefault(pack, []).append(option)
        loaded = [name for name in ("core", *self.config.packs) if name not in self.plugins.broken]
        return {
            pack: config_mod.pack_settings(self.config, pack, by_pack.get(pack, ()))
            for pack in loaded
        }

    # -- database -----------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = connect(self.config.database, lock_timeout=self.config.lock_timeout)
        return self._engine

    @property
    def runtime(self) -> Runtime:
        """What the engines, the service machinery and the importer are given (:mod:`guanxi.runtime`)."""
        rt = self._runtime
        if rt is None or rt.engine is not self.engine or rt.config is not self.config:
            # The clock is looked up at each call: a test may set the workspace's.
            self._runtime = Runtime(engine=self.engine, config=self.config, plugins=self.plugins,
                                    settings=self.settings, clock=lambda: self.now(),
                                    day=lambda: self.today(), facade=self)
        return self._runtime

    def job(self, name: str):
        """A context manager: the job lock, so jobs that write wait for each other.

        The batch, imports, plan builds, handovers and the demo take it (a
        script calling these methods too); one inside another passes. A job
        that waits says so through :attr:`on_wait`, naming the job it waits
        for, and raises :class:`~guanxi.storage.locks.DatabaseLocked` after
        ``[guanxi] lock_timeout`` seconds. Short writes (a task done) do not
        take it. See :mod:`guanxi.storage.locks`.
        """
        return self._job_lock().hold(self.job_command or name)

    def _job_lock(self) -> JobLock:
        if self._lock is None:
            self._lock = JobLock(self.engine, self.config.database,
                                 timeout=self.config.lock_timeout, now=self.now,
                                 notify=lambda message: self.on_wait(message))
        return self._lock

    def explain_locked(self, exc: BaseException):
        """A locked-database error as a :class:`DatabaseLocked` naming the holder, else None."""
        from guanxi.storage.locks import explain_locked

        if self._engine is None:
            return None
        return explain_locked(exc, self._job_lock())

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def schemas(self) -> list:
        return list(self.plugins.schemas().values())

    def upgrade(self) -> list[migrate.BranchState]:
        """Bring the core's and every enabled pack's schema to head."""
        self.plugins.require_healthy()
        states = migrate.upgrade(self.engine, self.schemas())
        self._ready = True
        return states

    def _require_database_file(self) -> None:
        # Connecting would create an empty SQLite file; say what to run instead.
        url = self.config.database
        if url.startswith("sqlite:///") and ":memory:" not in url:
            path = Path(url[len("sqlite:///"):].split("?", 1)[0])
            if not path.exists():
                raise GuanxiError(
                    f"no database at {path}; run `guanxi init` to create one "
                    f"(config: {self.config.label})"
                )

    def current(self) -> list[migrate.BranchState]:
        self._require_database_file()
        return migrate.current(self.engine, self.schemas())

    def require_ready(self) -> None:
        """Every job starts here: healthy packs, a database at head."""
        if self._ready:
            return
        self.plugins.require_healthy()
        self._require_database_file()
        migrate.require_head(self.engine, self.schemas())
        self._ready = True

    def close(self) -> None:
        self._lock = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def today(self) -> dt.date:
        """Today in the organization's time zone."""
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(self.config.timezone)).date()

    def now(self) -> dt.datetime:
        """Now in the organization's time zone, naive, as datetimes are stored."""
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(self.config.timezone)).replace(tzinfo=None, microsecond=0)

    # -- packs and fields ---------------------------------------------------

    def fields(self) -> list:
        """Every declared sector field of the enabled packs."""
        self.plugins.require_healthy()
        return list(self.plugins.fields().values())

    def entity(self, name: str):
        entities = self.plugins.entities()
        if name not in entities:
            raise UsageError(
                f"unknown entity {name!r}{did_you_mean(name, entities)}; importable entities: "
                f"{', '.join(entities)}"
            )
        return entities[name]

    # -- import and export ------------------------------------------------

    @_job("import")
    def import_file(
        self,
        entity: str,
        path: str | os.PathLike,
        *,
        encoding: str | None = None,
        format: str | None = None,
        batch_size: int | None = None,
        progress=None,
        rejects: str | os.PathLike | None = None,
        delimiter: str | None = None,
        sheet: str | int | None = None,
        header_row: int | None = None,
        dry_run: bool = False,
        snapshot: bool = False,
        scope: str | None = None,
        force: bool = False,
        as_of: dt.date | None = None,
    ):
        """Import one file into ``entity``; see :mod:`guanxi.importing.loader`.

        :param rejects: the file for rejected rows (default
            ``<file stem>.rejects.csv`` in the workspace's folder).
        The other options (``delimiter``, ``sheet``, ``header_row``,
        ``dry_run``, ``snapshot``, ``scope``, ``force``, ``as_of``): see
        :func:`guanxi.importing.files.import_file`.
        :return: an :class:`~guanxi.importing.loader.ImportResult`.
        """
        from guanxi.importing.files import import_file

        self.require_ready()
        return import_file(
            self.runtime, self.entity(entity), path, encoding=encoding, format=format,
            batch_size=batch_size, progress=progress, rejects=rejects, delimiter=delimiter,
            sheet=sheet, header_row=header_row, dry_run=dry_run, snapshot=snapshot, scope=scope,
            force=force, as_of=as_of,
        )

    def save(self, entity: str, rows: Iterable[Mapping[str, Any]]):
        """Store rows given as dicts through the importer's checks and hooks.

        Raises :class:`GuanxiError` listing the first problems when any row
        is refused; nothing is then written.
        """
        from guanxi.importing.loader import save_rows

        self.require_ready()
        rows = list(rows)
        result = save_rows(self.runtime, self.entity(entity), rows)
        self.audit_saved(entity, rows, result)
        return result

    def export(self, entity: str, path: str | os.PathLike, *, encoding: str = "utf-8",
               progress=None):
        """Write ``entity`` to a file in its canonical columns (xlsx, CSV or JSONL; ``-`` stdout).

        ``tasks`` and ``segments`` export the engines' results, reasons
        rendered; they are for reading, not for import. ``progress(done,
        total)`` hears the rows written.
        """
        from guanxi.importing.export import RESULTS, export_file

        self.require_ready()
        target = entity if entity in RESULTS else self.entity(entity)
        return export_file(self.runtime, target, path, render_reason=self.render_reason,
                           encoding=encoding, progress=progress)

    # -- customers ------------------------------------------------------------

    def customers(
        self,
        *,
        manager: str | None = None,
        territory: str | None = None,
        status: str | None = None,
        unowned: bool = False,
        limit: int | None = None,
        unmask: bool = False,
    ) -> list[model.Customer]:
        """Customers by owning manager, territory or status, ordered by id.

        ``unowned=True`` lists customers with no manager, or one who has
        left or is unknown (全量分配: every customer should have an owner).
        Identity fields are masked (:mod:`guanxi.masking`) unless ``unmask``.
        """
        self.require_ready()
        query = select(t.customers).order_by(t.customers.c.id)
        if manager:
            query = query.where(t.customers.c.manager_id == manager)
        if territory:
            query = query.where(t.customers.c.territory == territory)
        if status:
            if status not in (*model.CUSTOMER_STATUSES, model.MERGED_STATUS):
                raise UsageError(
                    f"unknown status {status!r}; use one of: {', '.join(model.CUSTOMER_STATUSES)}"
                )
            query = query.where(t.customers.c.status == status)
        else:  # merged customers only when asked for: their records are the kept one's
            query = query.where(t.customers.c.status != model.MERGED_STATUS)
        if unowned:
            query = query.where(self._unowned_condition())
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            found = [_row_to(model.Customer, row._mapping) for row in conn.execute(query)]
        if unmask:
            return found
        from guanxi.masking import mask_attributes, masked_fields

        names = masked_fields(self.plugins.fields_of("customers"))
        if not names:
            return found
        return [attrs.evolve(c, attributes=mask_attributes(c.attributes, names))
                if c.attributes else c for c in found]

    def _unowned_condition(self):
        m = t.managers
        active_owner = (
            select(m.c.id)
            .where(m.c.id == t.customers.c.manager_id, m.c.active.is_(True))
            .exists()
        )
        return t.customers.c.manager_id.is_(None) | ~active_owner

    def count_unowned(self) -> int:
        """How many customers have no active owner."""
        self.require_ready()
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(t.customers).where(
                    self._unowned_condition(), t.customers.c.status != model.MERGED_STATUS)
            ).scalar_one()

    def customer(self, customer_id: str) -> model.Customer:
        self.require_ready()
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.customers).where(t.customers.c.id == customer_id)
            ).first()
        if row is None:
            raise NotFoundError(f"no customer with id {customer_id!r}")
        return _row_to(model.Customer, row._mapping)

    def ownership(self, customer_id: str) -> list[model.Ownership]:
        """Who owned the customer when, oldest first."""
        self.require_ready()
        o = t.ownership
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(o).where(o.c.customer_id == customer_id).order_by(o.c.started_at, o.c.id)
            )
            return [_row_to(model.Ownership, row._mapping) for row in rows]

    def managers(self) -> list[model.Manager]:
        self.require_ready()
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.managers).order_by(t.managers.c.id))
            return [_row_to(model.Manager, row._mapping, {"class": "class_"}) for row in rows]

    @_job("reassign")
    def reassign(
        self,
        from_manager: str,
        to_manager: str,
        *,
        customers: Sequence[str] | None = None,
        on: dt.date | None = None,
        reason: str | None = None,
    ) -> ReassignResult:
        """Hand customers from one manager to another, recorded in history.

        Every customer of ``from_manager`` (or only ``customers``) moves, in
        one transaction: the open ownership period ends ``on`` (default:
        today), a new one starts, and the customers' open tasks follow them.
        """
        from guanxi.service.ownership import reassign

        self.require_ready()
        with self.engine.begin() as conn:
            return reassign(conn, from_manager, to_manager, customers, on or self.today(), reason)

    # -- jobs of the mixins, under the job lock ---------------------------------------
    # The engines and the planner write the whole base: they wait for each other.

    run = _job("run")(EngineMethods.run)
    segment = _job("segment")(EngineMethods.segment)
    run_rules = _job("rules run")(EngineMethods.run_rules)
    kpi = _job("kpi")(EngineMethods.kpi)
    build_plan = _job("plan build")(PlanMethods.build_plan)
    merge_customers = _job("customers merge")(MergeMethods.merge_customers)
    tick_cases = _job("cases tick")(CaseMethods.tick_cases)
