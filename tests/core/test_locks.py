"""The job lock: jobs that write wait for each other, in real processes.

Every test here holds the lock (or the database) in the test process and
runs a real ``guanxi`` process against it, bounded in time by a small
``[guanxi] lock_timeout``; on SQLite and, with GUANXI_TEST_DATABASE_URL, on
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import guanxi
from core_helpers import write
from guanxi.storage import tables as t
from guanxi.storage.locks import DatabaseLocked

GUANXI = Path(sys.executable).with_name("guanxi")
pytestmark = pytest.mark.skipif(not GUANXI.exists(),
                                reason="the guanxi console script is not installed")

ORDER = ["teams", "managers", "customers", "contacts", "accounts", "interactions",
         "measurements", "customer_team", "lists", "targets"]
HELD_SINCE = dt.datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MANAGERS = "id,name,territory,active\nM9,Sun,north,true\n"


def with_lock_timeout(ws, seconds) -> Path:
    """The workspace's config with ``[guanxi] lock_timeout`` set."""
    path = ws.config.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[guanxi]\n", f"[guanxi]\nlock_timeout = {seconds}\n", 1),
                    encoding="utf-8")
    return path


def start(config: Path, *args: str, stderr: Path) -> subprocess.Popen:
    handle = open(stderr, "w", encoding="utf-8")
    try:
        return subprocess.Popen([str(GUANXI), "--config", str(config), *args],
                                stdout=subprocess.PIPE, stderr=handle, text=True)
    finally:
        handle.close()


def wait_for_text(path: Path, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = path.read_text(encoding="utf-8")
        if text in found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never came on stderr; got {path.read_text()!r}")


def database_words(ws) -> str:
    return "the database guanxi.db" if ws.dialect == "sqlite" else "the database"


def holder_words(ws, command="hold for the test") -> str:
    return f"`{command}` (process {os.getpid()}, started 2026-11-23 08:00:00)"


@pytest.fixture
def loaded(workspace, examples):
    for entity in ORDER:
        workspace.import_file(entity, examples / f"{entity}.csv")
    return workspace


def test_an_import_waits_for_the_job_holding_the_lock_and_names_it(loaded, tmp_path,
                                                                     time_machine):
    time_machine.move_to(HELD_SINCE, tick=False)
    config = with_lock_timeout(loaded, 60)
    data = write(tmp_path / "new_managers.csv", MANAGERS)
    err = tmp_path / "stderr.txt"
    with loaded.job("hold for the test"):
        proc = start(config, "import", "managers", str(data), stderr=err)
        waiting = (f"Waiting for the guanxi job {holder_words(loaded)} to finish with "
                   f"{database_words(loaded)} ...\n")
        assert wait_for_text(err, "Waiting") == waiting
        time.sleep(0.3)
        assert proc.poll() is None  # still waiting while the job runs
        assert "M9" not in {m.id for m in loaded.managers()}
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert out == "managers: read 1, inserted 1, updated 0, unchanged 0, rejected 0\n"
    assert err.read_text(encoding="utf-8") == waiting
    assert "M9" in {m.id for m in loaded.managers()}


def test_a_batch_gives_up_after_lock_timeout_naming_the_job_and_writes_nothing(
        loaded, tmp_path, time_machine):
    time_machine.move_to(HELD_SINCE, tick=False)
    config = with_lock_timeout(loaded, 1)
    err = tmp_path / "stderr.txt"
    with loaded.job("hold for the test"):
        proc = start(config, "run", "--as-of", "2026-11-23", stderr=err)
        out, _ = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (1, "")
    assert err.read_text(encoding="utf-8") == (
        f"Waiting for the guanxi job {holder_words(loaded)} to finish with "
        f"{database_words(loaded)} ...\n"
        f"Error: gave up after 1 seconds waiting for the guanxi job {holder_words(loaded)} to "
        f"finish with {database_words(loaded)}; run again when it is done, or raise "
        "[guanxi] lock_timeout\n")
    with loaded.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.kpi_values)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(t.segments)).scalar_one() == 0


def test_two_batches_started_together_leave_what_one_batch_leaves(loaded, tmp_path):
    config = with_lock_timeout(loaded, 120)
    procs = [start(config, "run", "--as-of", "2026-11-23", "--format", "json",
                   stderr=tmp_path / f"err{i}.txt") for i in (1, 2)]
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    created = sorted(sum(r["created"] for r in out["rules"]) for out in outputs)
    changed = sorted(sum(s["changed"] for s in out["segments"]) for out in outputs)
    # One batch did the work; the other, after it, found it done.
    assert created == [0, 1] and changed == [0, 6]
    assert [(r.rule, r.customer_id) for r in loaded.tasks(status=None)] == [
        ("core.reactivation", "C0004")]
    with loaded.engine.connect() as conn:
        history = conn.execute(select(func.count()).select_from(t.segment_history)).scalar_one()
        values = conn.execute(select(t.kpi_values.c.kpi, t.kpi_values.c.value).where(
            t.kpi_values.c.period == "2026-11", t.kpi_values.c.scope == "all",
            t.kpi_values.c.kpi == "core.customers")).all()
    assert history == 6
    assert values == [("core.customers", 6.0)]


def test_a_short_write_takes_no_job_lock(loaded, tmp_path):
    loaded.run(as_of=dt.date(2026, 11, 23))
    (task,) = loaded.tasks()
    config = with_lock_timeout(loaded, 60)
    err = tmp_path / "stderr.txt"
    with loaded.job("hold for the test"):
        proc = start(config, "tasks", "done", str(task.id), "--outcome", "called", stderr=err)
        proc.communicate(timeout=30)  # it does not wait for the job
        assert proc.returncode == 0
    assert err.read_text(encoding="utf-8") == ""
    assert loaded.tasks() == []


def test_the_python_api_waits_too(loaded, tmp_path, time_machine):
    time_machine.move_to(HELD_SINCE, tick=False)
    config = with_lock_timeout(loaded, 0.2)
    heard = []
    with guanxi.open(config) as other:
        other.on_wait = heard.append
        with loaded.job("hold for the test"):
            with pytest.raises(DatabaseLocked) as caught:
                other.run(as_of=dt.date(2026, 11, 23))
        assert heard == [f"Waiting for the guanxi job {holder_words(loaded)} to finish with "
                         f"{database_words(loaded)} ..."]
        assert str(caught.value).startswith(
            f"gave up after 0.2 seconds waiting for the guanxi job {holder_words(loaded)}")
        # Released: the same call goes through, and a job inside a job passes.
        with other.job("outer"):
            assert other.run(as_of=dt.date(2026, 11, 23)).failures == []


def hold_the_database(ws):
    """Another program's open write transaction on the database (not a guanxi job)."""
    if ws.dialect == "sqlite":
        import sqlite3

        conn = sqlite3.connect(ws.config.database[len("sqlite:///"):], isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE managers SET name = name")
        return conn
    import psycopg

    from sqlalchemy.engine import make_url

    url = make_url(ws.config.database)
    conn = psycopg.connect(dbname=url.database, user=url.username, host=url.query.get("host"),
                           port=url.query.get("port") or url.port)
    conn.execute("LOCK TABLE managers, customers IN ACCESS EXCLUSIVE MODE")
    return conn


@pytest.mark.parametrize("args", [
    ["import", "managers", "{data}"],
    ["customers", "reassign", "--from", "M001", "--to", "M003"],
])
def test_a_database_locked_by_another_program_is_said_so(loaded, tmp_path, args):
    config = with_lock_timeout(loaded, 1)
    data = write(tmp_path / "new_managers.csv", MANAGERS)
    args = [a.format(data=data) for a in args]
    conn = hold_the_database(loaded)
    try:
        done = subprocess.run([str(GUANXI), "--config", str(config), *args],
                              capture_output=True, text=True, timeout=60)
    finally:
        conn.rollback()
        conn.close()
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Error: gave up after 1 seconds: {database_words(loaded)} is locked by another "
        "program, not a guanxi job; close that program (an open transaction in a database "
        "tool?) and run again, or raise [guanxi] lock_timeout\n")


def test_an_error_that_is_its_own_cause_is_not_taken_for_a_lock():
    # A contribution's PackError re-raised "from" itself (the rule engine's
    # failure() returns it unchanged) made the cause chain a loop.
    from guanxi.errors import PackError
    from guanxi.storage.locks import caused_by_lock

    error = PackError("rule 'p.nobody' gives a task with neither a customer nor a manager")
    error.__cause__ = error
    assert caused_by_lock(error) is False
