"""The workspace: schema versions (the core's and a pack's), the SQLite
settings, and the Python API the commands print."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, insert, select, text

import guanxi
from core_helpers import count, reopen, table_names, write
from guanxi import model
from guanxi.errors import GuanxiError, NotFoundError, UsageError
from guanxi.storage import tables as t
from guanxi.workspace import ReassignResult, Workspace
from hookpack import HookPack
from hookpack import metadata as pack_metadata

ON = dt.date(2026, 11, 23)


def _diff(ws, metadata):
    """What Alembic's autogenerate sees between the database and ``metadata``."""
    def mine(obj, name, type_, reflected, compare_to):
        # The database may hold other branches' tables (a pack's): compare
        # only the tables this metadata describes.
        return name in metadata.tables if type_ == "table" else True

    with ws.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": mine})
        return compare_metadata(context, metadata)


# ---------------------------------------------------------------------------
# migrations
# ---------------------------------------------------------------------------


def test_the_core_migrations_build_exactly_the_tables_metadata(workspace):
    assert _diff(workspace, t.metadata) == []


def test_the_comparison_sees_a_drift(workspace):
    # Guards the test above: a column the migrations never made is reported.
    drifted = MetaData()
    for table in t.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["customers"].append_column(Column("nickname", String))
    assert [d[0] for d in _diff(workspace, drifted)] == ["add_column"]


def test_a_pack_schema_is_created_by_upgrade_and_shown_by_current(workspace):
    ws = reopen(workspace, {"testpack": HookPack()})
    with ws.engine.begin() as conn:
        # On PostgreSQL the session's database may hold the pack already.
        for name in ("testpack_notes", "testpack_log", "alembic_version_testpack"):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    with pytest.raises(GuanxiError) as failure:
        ws.customers()
    assert str(failure.value) == (
        "the database has no 'testpack' schema yet; run `guanxi db upgrade` (or `guanxi init` "
        "for a new workspace)")
    before = [(s.branch, s.current, s.head) for s in ws.current()]
    assert before[1] == ("testpack", None, "tp01")
    states = ws.upgrade()
    assert [(s.branch, s.current, s.at_head) for s in states] == [
        ("core", before[0][2], True), ("testpack", "tp01", True)]
    assert {"testpack_notes", "testpack_log"} <= table_names(ws)
    assert _diff(ws, pack_metadata) == []
    assert _diff(ws, t.metadata) == []
    assert ws.customers() == []
    ws.close()


def test_upgrade_twice_changes_nothing(workspace):
    ws = reopen(workspace, {"testpack": HookPack()})
    first = ws.upgrade()
    assert ws.upgrade() == first
    ws.close()


def test_a_disabled_packs_schema_waits_for_it(make_workspace, tmp_path):
    with_pack = make_workspace(extra_packs={"testpack": HookPack()})
    with with_pack.engine.begin() as conn:
        conn.execute(text("INSERT INTO testpack_log (hook, rows) VALUES ('kept', 1)"))
    # Disabled: the core works and upgrades; the pack's tables and version stay.
    without = reopen(with_pack)
    assert [s.branch for s in without.current()] == ["core"]
    assert [s.branch for s in without.upgrade()] == ["core"]
    path = write(tmp_path / "c.csv", "id,name\nC1,Ann\n")
    assert without.import_file("customers", path).inserted == 1
    without.close()
    # Enabled again: at head at once, its rows still there.
    again = reopen(with_pack, {"testpack": HookPack()})
    again.require_ready()
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT hook FROM testpack_log")).scalars().all() == ["kept"]
    again.close()


def test_sqlite_settings(tmp_path):
    # Always on a SQLite file of its own: the pragmas are SQLite's whatever the test database.
    ws = guanxi.open(write(tmp_path / "guanxi.toml",
                           f'[guanxi]\ndatabase = "sqlite:///{tmp_path / "g.db"}"\n'))
    ws.upgrade()
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # The busy timeout is [guanxi] lock_timeout, 300 s by default.
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 300_000
    ws.close()


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://u@h/db", "database URL 'mysql://u@h/db': guanxi runs on sqlite or postgresql, "
                       "not mysql"),
    ("not a url", "database URL 'not a url' is not valid; write sqlite:///guanxi.db or "
                  "postgresql+psycopg://user@host/dbname"),
])
def test_an_unusable_database_url(tmp_path, url, message):
    ws = guanxi.open(write(tmp_path / "guanxi.toml", f'[guanxi]\ndatabase = "{url}"\n'))
    with pytest.raises(guanxi.ConfigError) as failure:
        ws.customers()
    assert str(failure.value) == message


# ---------------------------------------------------------------------------
# the Python API
# ---------------------------------------------------------------------------


@pytest.fixture
def base(workspace, tmp_path, monkeypatch):
    # Imports open ownership periods "today"; the handovers below happen on it.
    monkeypatch.setattr(workspace, "today", lambda: ON)
    workspace.import_file("managers", write(tmp_path / "managers.csv", """\
        id,name,territory,active,left_at
        M1,Wang,north,true,
        M2,Li,south,true,
        M3,Zhao,south,false,2026-09-30
        """))
    workspace.import_file("customers", write(tmp_path / "customers.csv", """\
        id,name,manager_id,territory,status
        C1,Ann,M1,north,active
        C2,Bo,M1,north,dormant
        C3,Cy,M2,south,active
        C4,Di,M3,south,active
        C5,Ed,,north,prospect
        C6,Fa,M9,north,active
        """))
    return workspace


def test_open_returns_a_workspace_of_attrs_records(base):
    ws = guanxi.open(base.config.path)
    assert isinstance(ws, Workspace)
    customers = ws.customers(territory="north")
    assert all(isinstance(c, model.Customer) for c in customers)
    # C6 names an unknown manager: the import refused it.
    assert [c.id for c in customers] == ["C1", "C2", "C5"]
    assert ws.customer("C2") == model.Customer(
        id="C2", name="Bo", kind="person", manager_id="M1", territory="north",
        status="dormant", created_at=None, attributes={})
    assert [m.id for m in ws.managers()] == ["M1", "M2", "M3"]
    assert ws.managers()[2] == model.Manager(
        id="M3", name="Zhao", territory="south", active=False, left_at=dt.date(2026, 9, 30))
    ws.close()


def test_customer_filters_combine(base):
    assert [c.id for c in base.customers(manager="M1", status="active")] == ["C1"]
    assert [c.id for c in base.customers(status="prospect")] == ["C5"]
    assert [c.id for c in base.customers(limit=2)] == ["C1", "C2"]
    assert [c.id for c in base.customers(unowned=True)] == ["C4", "C5"]
    assert base.count_unowned() == 2
    with pytest.raises(UsageError) as failure:
        base.customers(status="gone")
    assert str(failure.value) == (
        "unknown status 'gone'; use one of: prospect, active, dormant, lost")


def test_an_unknown_customer(base):
    with pytest.raises(NotFoundError) as failure:
        base.customer("C99")
    assert str(failure.value) == "no customer with id 'C99'"


def test_reassign_moves_customers_history_and_open_tasks(base):
    with base.engine.begin() as conn:
        for customer, status in (("C1", "open"), ("C2", "done")):
            conn.execute(insert(t.tasks).values(
                rule="core.test", customer_id=customer, manager_id="M1", status=status,
                due_at=dt.datetime(2026, 12, 1), reason="call",
                created_at=dt.datetime(2026, 11, 1)))
    result = base.reassign("M1", "M2", on=ON, reason="handover")
    assert result == ReassignResult(from_manager="M1", to_manager="M2", customers=2, tasks=1, on=ON)
    assert [c.id for c in base.customers(manager="M2")] == ["C1", "C2", "C3"]
    assert [(o.manager_id, o.ended_at, o.reason) for o in base.ownership("C1")] == [
        ("M1", ON, "import"), ("M2", None, "handover")]
    with base.engine.connect() as conn:
        assert conn.execute(select(t.tasks.c.customer_id, t.tasks.c.manager_id)
                            .order_by(t.tasks.c.customer_id)).all() == [("C1", "M2"), ("C2", "M1")]
    # Nobody left to move: nothing happens, nothing is recorded.
    before = count(base, t.ownership)
    assert base.reassign("M1", "M2", on=ON).customers == 0
    assert count(base, t.ownership) == before


def test_reassign_to_a_manager_who_left(base):
    with pytest.raises(GuanxiError) as failure:
        base.reassign("M1", "M3", on=ON)
    assert str(failure.value) == "manager 'M3' is not active; hand over to an active manager"
    assert [c.id for c in base.customers(manager="M1")] == ["C1", "C2"]


def test_reassign_from_a_manager_who_left_to_an_active_one(base):
    result = base.reassign("M3", "M2", customers=["C4"], on=ON)
    assert (result.customers, base.count_unowned()) == (1, 1)
    assert [(o.manager_id, o.started_at, o.ended_at) for o in base.ownership("C4")] == [
        ("M3", ON, ON), ("M2", ON, None)]


def test_a_handover_dated_before_the_current_ownership_began_is_refused(workspace):
    import datetime as dt

    workspace.save("managers", [{"id": "M1", "name": "a"}, {"id": "M2", "name": "b"}])
    workspace.save("customers", [{"id": "C1", "name": "c", "manager_id": "M1",
                                  "created_at": "2026-06-01"}])
    with pytest.raises(guanxi.GuanxiError) as caught:
        workspace.reassign("M1", "M2", on=dt.date(2026, 5, 31))
    assert str(caught.value) == ("customer 'C1' has been 'M1''s only since 2026-06-01; a "
                                 "handover on 2026-05-31 would end that before it began")
    assert workspace.reassign("M1", "M2", on=dt.date(2026, 6, 1)).customers == 1


@pytest.mark.parametrize(("left_at", "moved"), [("2026-06-01", False), ("2026-06-02", True)])
def test_reassign_refuses_a_manager_leaving_on_or_before_the_handover_day(workspace, left_at,
                                                                            moved):
    import datetime as dt

    workspace.save("managers", [{"id": "M1", "name": "a"},
                                {"id": "M2", "name": "b", "left_at": left_at}])
    workspace.save("customers", [{"id": "C1", "name": "c", "manager_id": "M1",
                                  "created_at": "2026-01-01"}])
    if moved:
        assert workspace.reassign("M1", "M2", on=dt.date(2026, 6, 1)).customers == 1
        return
    with pytest.raises(guanxi.GuanxiError) as caught:
        workspace.reassign("M1", "M2", on=dt.date(2026, 6, 1))
    assert str(caught.value) == ("manager 'M2' left on 2026-06-01, on or before the handover day "
                                 "2026-06-01; hand over to a manager who stays")
    assert workspace.customer("C1").manager_id == "M1"
