"""A pytest plugin for pack authors (and guanxi's own tests).

Installed with guanxi (entry point ``pytest11``), so a pack's tests get:

``make_workspace(packs=(), extra_packs=None, settings=None)``
    a factory for a workspace in the test's temporary directory, its
    database at head and empty. On SQLite each test gets its own file,
    copied from a template built once per session; when
    ``GUANXI_TEST_DATABASE_URL`` names a PostgreSQL database, the schema is
    built once per session and the tables are emptied for each test.
    ``extra_packs`` registers packs defined inline (name -> module or
    object with ``@guanxi.hookimpl`` functions). ``settings`` fills pack
    sections: ``{"banking.abc": {"a_share": 0.2}}``.

``workspace``
    ``make_workspace()`` with no packs beyond the core.

``builder``
    a :class:`DataBuilder` on ``workspace``: hand-made rows at a rule's
    boundaries, stored through the same checks as an import.

and the readers :func:`current_labels`, :func:`label_reason`,
:func:`rule_tasks` and :func:`kpi_rows_disagree`, for exact assertions, and
:func:`rule_id_sites`, which says which of a pack's contributions implement a
sector rule ID.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

# write_config is part of the kit: pack tests write configs with it.
from guanxi.config import write_config  # noqa: F401

TEST_DATABASE_ENV = "GUANXI_TEST_DATABASE_URL"




class _Databases:
    """Schemas built once per session: a SQLite template or a PostgreSQL database."""

    def __init__(self, root: Path, url: str | None) -> None:
        self.root = root
        self.url = url
        self.templates: dict[tuple, Path] = {}
        self.upgraded: set[tuple] = set()

    def prepare(self, directory: Path, packs, extra) -> str:
        import guanxi

        key = tuple(sorted(set(packs) | set(extra or {})))
        if self.url:
            if key not in self.upgraded:
                config = write_config(directory / "schema.toml", database=self.url, packs=packs)
                with guanxi.open(config, extra_packs=extra) as ws:
                    ws.upgrade()
                self.upgraded.add(key)
            self._empty_postgres()
            return self.url
        template = self.templates.get(key)
        if template is None:
            template = self.root / f"template-{len(self.templates)}.db"
            config = write_config(self.root / f"template-{len(self.templates)}.toml",
                                  database=f"sqlite:///{template}", packs=packs)
            with guanxi.open(config, extra_packs=extra) as ws:
                ws.upgrade()
            self.templates[key] = template
        target = directory / "guanxi.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    def _empty_postgres(self) -> None:
        from sqlalchemy import create_engine, inspect, text

        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                names = [n for n in inspect(conn).get_table_names() if not n.startswith("alembic_version")]
                if names:
                    quoted = ", ".join(f'"{n}"' for n in names)
                    conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def guanxi_databases(tmp_path_factory) -> _Databases:
    return _Databases(tmp_path_factory.mktemp("guanxi-templates"), os.environ.get(TEST_DATABASE_ENV))


@pytest.fixture
def make_workspace(tmp_path, guanxi_databases):
    """Factory: ``make_workspace(packs=(), extra_packs=None, settings=None)``."""
    import guanxi

    opened = []

    def make(packs=(), extra_packs=None, settings=None, timezone="Asia/Shanghai"):
        url = guanxi_databases.prepare(tmp_path, packs, extra_packs)
        config = write_config(tmp_path / "guanxi.toml", database=url, packs=packs,
                              settings=settings, timezone=timezone)
        ws = guanxi.open(config, extra_packs=extra_packs)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


@pytest.fixture
def workspace(make_workspace):
    return make_workspace()


class DataBuilder:
    """Hand-made rows for tests, saved through the importer's checks and hooks.

    Each method takes the entity's columns as keyword arguments and fills
    the required ones that a test does not care about (a name from the id).
    A row goes through ``ws.save``: the same checks, conversions and hooks
    as an imported file, so a test's data is data a user could import.

    A pack's test kit builds on it rather than writing its own, giving the
    columns its tests take for granted once::

        class Water(DataBuilder):
            def __init__(self, ws):
                super().__init__(ws, defaults={
                    "customers": {"manager_id": "M1", "created_at": dt.date(2020, 1, 1)}},
                    time_of_day=dt.time(10))

            def reading(self, customer_id, days: dict):   # the pack's own shape
                return self.rows("measurements", [...])

    :param defaults: entity -> column -> value, filled in where a row does
        not give the column. Give customers a ``created_at`` in the past: a
        customer saved without one is owned from *today*, which makes a test
        depend on the wall clock.
    :param time_of_day: an interaction given a date (not a datetime) happens
        at this time of that day; None keeps the date as given (midnight).
    """

    def __init__(self, ws, *, defaults: dict[str, dict] | None = None,
                 time_of_day: dt.time | None = None) -> None:
        self.ws = ws
        self.defaults = {entity: dict(values) for entity, values in (defaults or {}).items()}
        self.time_of_day = time_of_day

    def _save(self, entity: str, rows: list[dict]) -> list[dict]:
        filled = self.defaults.get(entity)
        if filled:
            rows = [{**filled, **row} for row in rows]
        self.ws.save(entity, rows)
        return rows

    def team(self, id: str, **values) -> dict:
        """A team; ``name`` defaults to ``Team <id>``."""
        return self._save("teams", [{"id": id, "name": values.pop("name", f"Team {id}"), **values}])[0]

    def manager(self, id: str, **values) -> dict:
        """A manager; ``name`` defaults to ``Manager <id>``."""
        return self._save("managers", [{"id": id, "name": values.pop("name", f"Manager {id}"), **values}])[0]

    def customer(self, id: str, **values) -> dict:
        """A customer; ``name`` defaults to ``Customer <id>``."""
        return self._save("customers", [{"id": id, "name": values.pop("name", f"Customer {id}"), **values}])[0]

    def account(self, id: str, customer_id: str, type: str = "deposit", **values) -> dict:
        """An account of ``customer_id``, a deposit unless ``type`` says otherwise."""
        return self._save("accounts", [{"id": id, "customer_id": customer_id, "type": type, **values}])[0]

    def interaction(self, id: str, customer_id: str, kind: str, occurred_at, **values) -> dict:
        """An interaction; a date means ``time_of_day`` on that day when the builder has one."""
        if (self.time_of_day is not None and isinstance(occurred_at, dt.date)
                and not isinstance(occurred_at, dt.datetime)):
            occurred_at = dt.datetime.combine(occurred_at, self.time_of_day)
        return self._save("interactions", [
            {"id": id, "customer_id": customer_id, "kind": kind, "occurred_at": occurred_at, **values}
        ])[0]

    def measurement(self, customer_id: str, metric: str, period, value, **values) -> dict:
        """One figure of ``metric`` for a period (``2026-11``, or a date at the metric's grain)."""
        return self._save("measurements", [
            {"customer_id": customer_id, "metric": metric, "period": period, "value": value, **values}
        ])[0]

    def rows(self, entity: str, rows: list[dict]) -> list[dict]:
        """Many rows of one entity in one call (one batch for the hooks)."""
        return self._save(entity, rows)


@pytest.fixture
def builder(workspace) -> DataBuilder:
    return DataBuilder(workspace)


# -- readers: what a test asserts on, exactly ---------------------------------------


def current_labels(ws, segmentation: str) -> dict[str, str]:
    """customer id -> current label of ``segmentation`` (customers without one left out)."""
    from sqlalchemy import select

    from guanxi.storage import tables as t

    s = t.segments
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(s.c.customer_id, s.c.label).where(s.c.segmentation == segmentation))
        return {customer_id: label for customer_id, label in rows}


def label_reason(ws, segmentation: str, customer_id: str) -> str:
    """The rendered reason of a customer's current label of ``segmentation``."""
    (found,) = [a for a in ws.labels(customer_id) if a.segmentation == segmentation]
    return found.reason


def rule_tasks(ws, rule: str, status: str = "open") -> list[tuple]:
    """A rule's tasks by customer, then id:
    ``(customer_id, manager_id, kind, due_at, priority, reason)``.

    ``due_at`` is a ``dt.date`` for a task due on a day, a ``dt.datetime``
    for one due at a time; a manager's own task (no customer) comes first
    with ``customer_id`` None."""
    found = sorted(ws.tasks(rule=rule, status=status),
                   key=lambda t: (t.customer_id or "", t.manager_id or "", t.id))
    return [(t.customer_id, t.manager_id, t.kind, t.due_at, t.priority, t.reason) for t in found]


def kpi_rows_disagree(ws, name: str, *, period: str, by: str = "all", as_of=None,
                      places: int = 6) -> list[tuple]:
    """Where a KPI's rows do not make its value: ``[(scope_key, value, from_rows)]``.

    Computes the KPI (``ws.kpi``) and its rows (``ws.explain_kpi``) for the
    same period, scope and as-of day, and puts the rows together by the
    KPI's ``combine``; an empty list means every key agrees. A key whose
    value has no rows (or rows and no value) is a disagreement too; a KPI
    that combines ``other`` is compared on its keys only. For a pack's
    tests: ``assert kpi_rows_disagree(ws, "water.usage", period="2026-11") == []``.
    """
    from guanxi.engines.kpis import combined

    record = ws.plugins.kpis()[name]
    values = {v.scope_key: v.value for v in ws.kpi([name], period=period, by=by, as_of=as_of)}
    rows: dict[str, list] = {}
    for row in ws.explain_kpi(name, period=period, by=by, as_of=as_of):
        rows.setdefault(row.scope_key, []).append(row)
    found = []
    for key in sorted(set(values) | set(rows)):
        value, mine = values.get(key), rows.get(key, [])
        made = combined(record, mine) if mine else None
        if record.combine == "other":
            if (value is None) != (not mine):
                found.append((key, value, len(mine)))
            continue
        empty_zero = not mine and value in (None, 0, record.empty)
        if empty_zero:
            continue
        if value is None or made is None or round(value - made, places) != 0:
            found.append((key, value, made))
    return found


#: The contributions that carry out a pack's rules (what it does, not what it
#: configures): a rule ID named only in options, fields or demo data is not
#: implemented anywhere.
_IMPLEMENTING = ("segmentations", "service_rules", "kpis", "customer_filters", "commands")
_IMPLEMENTING_FOR_WORKSPACE = ("case_policies", "visit_cadences", "report_kinds")
_BEHAVIOUR_HOOKS = ("guanxi_validate_", "guanxi_after_")


def rule_id_sites(ws, pack: str, rule_id: str) -> list[str]:
    """Which of ``pack``'s contributions implement rule ``rule_id`` (``BANK-ABC``).

    A site is a segmentation, service rule, KPI, customer filter, command,
    case policy, visit cadence or report kind of the pack whose title,
    description, reason templates or code (its query and other functions)
    names the ID, or one of its validate/after-save hooks whose code does.
    A module docstring listing the ID is not a site, nor is a config option
    or a field: the ID must stand where the rule is carried out. For a
    pack's docs test::

        assert rule_id_sites(ws, "water", "WATER-METER"), "WATER-METER is implemented nowhere"

    :return: the sites' names (``hook guanxi_validate_interactions`` for a
        hook), sorted.
    """
    import inspect

    import attrs

    records = []
    for accessor in _IMPLEMENTING:
        records += getattr(ws.plugins, accessor)().values()
    for accessor in _IMPLEMENTING_FOR_WORKSPACE:
        records += getattr(ws.plugins, accessor)(ws).values()
    sites = {record.name for record in records
             if record.pack == pack and rule_id in _record_text(record, inspect, attrs)}
    plugin = ws.plugins.get_plugin(pack)
    for caller in ws.plugins.get_hookcallers(plugin) or ():
        if caller.name.startswith(_BEHAVIOUR_HOOKS):
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and rule_id in _source(impl.function, inspect):
                    sites.add(f"hook {caller.name}")
    return sorted(sites)


def _record_text(value, inspect, attrs) -> str:
    """A record's words and code: its strings, nested records, functions' source."""
    import click

    if isinstance(value, str):
        return value
    if isinstance(value, click.Command):
        parts = [value.help or "", _source(value.callback, inspect)]
        if isinstance(value, click.Group):
            parts += [_record_text(sub, inspect, attrs) for sub in value.commands.values()]
        return "\n".join(parts)
    if attrs.has(type(value)):
        return "\n".join(_record_text(getattr(value, f.name), inspect, attrs)
                         for f in attrs.fields(type(value)) if f.name != "pack")
    if isinstance(value, dict):
        return "\n".join(_record_text(v, inspect, attrs) for v in (*value, *value.values()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return "\n".join(_record_text(v, inspect, attrs) for v in value)
    if callable(value):
        return _source(value, inspect)
    return ""


def _source(function, inspect) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):  # a builtin or a function made at run time
        return ""
