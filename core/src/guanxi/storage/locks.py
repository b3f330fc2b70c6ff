"""The job lock: jobs that write the whole base run one at a time.

A second ``guanxi run`` started while a first one writes used to fail with
SQLite's "database is locked" halfway; two batches on PostgreSQL raced on
the same KPI rows. Jobs that write (the batch, an import, a plan build, a
handover, the demo) now take one lock per database and wait for each other:

- SQLite: ``fcntl.flock`` on a file beside the database (``guanxi.db.lock``),
  which holds the holder's command, process id and start as JSON. The
  operating system releases it when the process ends, however it ends.
- PostgreSQL: ``pg_advisory_lock`` on a session of its own, whose
  ``application_name`` names the holder (``pg_stat_activity``), so no table
  and no migration is needed.

A waiting job says once, through ``notify``, for which job it waits, and
gives up after ``timeout`` seconds with one sentence naming it. Short
writes (a task marked done, a visit logged) take no job lock: they wait on
the database's own busy timeout (SQLite) or lock timeout (PostgreSQL),
which :func:`guanxi.storage.connection.connect` sets to the same seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
from sqlalchemy import text
from sqlalchemy.engine import Engine

from guanxi.errors import GuanxiError

#: The advisory lock key: "gxjo" (guanxi job) as a number, one per database.
ADVISORY_KEY = 0x67786A6F
#: How often a waiting job looks again, in seconds.
POLL_SECONDS = 0.1
_APP_NAME = re.compile(r"^guanxi job (\d+) (\S+) (.*)$")


@attrs.frozen(kw_only=True)
class Holder:
    """The job holding the lock: its command, process id and start."""

    command: str
    pid: int
    started: str

    def describe(self) -> str:
        return f"`{self.command}` (process {self.pid}, started {self.started})"


class DatabaseLocked(GuanxiError):
    """A job gave up waiting for the database: another job or program holds it."""


def _gave_up(timeout: float, holder: Holder | None, what: str) -> DatabaseLocked:
    if holder is not None:
        return DatabaseLocked(
            f"gave up after {timeout:g} seconds waiting for the guanxi job {holder.describe()} "
            f"to finish with {what}; run again when it is done, or raise [guanxi] lock_timeout"
        )
    return DatabaseLocked(
        f"gave up after {timeout:g} seconds: {what} is locked by another program, not a guanxi "
        "job; close that program (an open transaction in a database tool?) and run again, or "
        "raise [guanxi] lock_timeout"
    )


def sqlite_lock_path(url: str) -> Path | None:
    """The lock file beside a SQLite database file; None for memory or other databases."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url or url == "sqlite://":
        return None
    path = url[len(prefix):].split("?", 1)[0]
    return Path(path + ".lock") if path else None


class JobLock:
    """One database's job lock, re-entrant for the workspace holding it.

    :param engine: the workspace's engine (PostgreSQL takes a session of it).
    :param url: the database URL (SQLite: where the lock file goes).
    :param timeout: seconds to wait before giving up.
    :param now: the holder's start, as messages show it (the organization's time).
    :param notify: called once with a sentence when the job has to wait.
    """

    def __init__(self, engine: Engine, url: str, *, timeout: float,
                 now: Callable[[], dt.datetime], notify: Callable[[str], None] | None) -> None:
        self.engine = engine
        self.url = url
        self.timeout = timeout
        self.now = now
        self.notify = notify
        # Re-entrant per thread: a job inside a job passes; a job another thread of
        # this process starts (the web's batch, an upload) waits like another process's.
        self._local = threading.local()

    @property
    def depth(self) -> int:
        return getattr(self._local, "depth", 0)

    @depth.setter
    def depth(self, value: int) -> None:
        self._local.depth = value

    @property
    def _release(self) -> Callable[[], None] | None:
        return getattr(self._local, "release", None)

    @_release.setter
    def _release(self, value: Callable[[], None] | None) -> None:
        self._local.release = value

    @contextlib.contextmanager
    def hold(self, command: str) -> Iterator[None]:
        """Hold the lock for ``command`` (re-entrant: a job inside a job passes)."""
        if self.depth == 0:
            self._release = self._acquire(command)
        self.depth += 1
        try:
            yield
        except Exception as exc:
            explained = explain_locked(exc, self)
            if explained is not None:
                raise explained from exc
            raise
        finally:
            self.depth -= 1
            if self.depth == 0 and self._release is not None:
                release, self._release = self._release, None
                release()

    # -- acquiring ------------------------------------------------------------------

    def _acquire(self, command: str) -> Callable[[], None]:
        me = Holder(command=command, pid=os.getpid(),
                    started=self.now().isoformat(sep=" ", timespec="seconds"))
        if self.engine.dialect.name == "postgresql":
            return self._acquire_postgresql(me)
        path = sqlite_lock_path(self.url)
        if path is None or not path.with_suffix("").exists():
            # An in-memory database has one process; a missing file, no job
            # to wait for (the job itself says to run `guanxi init`).
            return lambda: None
        return self._acquire_file(path, me)

    def _wait(self, try_once: Callable[[], bool], holder: Callable[[], Holder | None],
              what: str) -> None:
        deadline = time.monotonic() + self.timeout
        told = False
        while not try_once():
            if not told and self.notify is not None:
                found = holder()
                self.notify(
                    f"Waiting for the guanxi job {found.describe()} to finish with {what} ..."
                    if found else f"Waiting for another job to release {what} ..."
                )
                told = True
            if time.monotonic() >= deadline:
                raise _gave_up(self.timeout, holder(), what)
            time.sleep(POLL_SECONDS)

    def _acquire_file(self, path: Path, me: Holder) -> Callable[[], None]:
        import fcntl

        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)

        def try_once() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        try:
            self._wait(try_once, lambda: read_file_holder(path), self.what())
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(attrs.asdict(me)).encode(), 0)

        def release() -> None:
            try:
                os.ftruncate(fd, 0)  # nobody holds it: waiters read no holder
            finally:
                os.close(fd)  # closing the last descriptor releases the flock

        return release

    def _acquire_postgresql(self, me: Holder) -> Callable[[], None]:
        conn = self.engine.connect()
        name = f"guanxi job {me.pid} {me.started.replace(' ', 'T')} {me.command}"[:63]
        try:
            conn.execute(text("SELECT set_config('application_name', :name, false)"),
                         {"name": name})
            conn.commit()

            def try_once() -> bool:
                got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                   {"key": ADVISORY_KEY}).scalar_one()
                conn.commit()
                return bool(got)

            self._wait(try_once, lambda: postgresql_holder(conn), self.what())
        except BaseException:
            conn.close()
            raise

        def release() -> None:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                conn.execute(text("SELECT set_config('application_name', '', false)"))
                conn.commit()
            finally:
                conn.close()

        return release

    def what(self) -> str:
        """How messages name the database: its file on SQLite."""
        path = sqlite_lock_path(self.url) if self.engine.dialect.name == "sqlite" else None
        return f"the database {path.stem}" if path is not None else "the database"

    def holder(self) -> Holder | None:
        """The guanxi job holding the lock now, if another one does."""
        if self.depth:
            return None
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                return postgresql_holder(conn)
        path = sqlite_lock_path(self.url)
        return read_file_holder(path) if path is not None else None


def read_file_holder(path: Path) -> Holder | None:
    """The holder a lock file names, or None (free, or being written this instant)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return Holder(**data) if data else None
    except (OSError, ValueError, TypeError):
        return None


def postgresql_holder(conn) -> Holder | None:
    """The guanxi job holding the advisory lock, from ``pg_stat_activity``."""
    row = conn.execute(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key "
        "AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database "
        "WHERE datname = current_database())"
    ), {"key": ADVISORY_KEY}).first()
    conn.commit()
    match = _APP_NAME.match(row.application_name or "") if row else None
    if match is None:
        return None
    pid, started, command = match.groups()
    return Holder(command=command, pid=int(pid), started=started.replace("T", " "))


def is_locked_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's "locked" after its busy or lock timeout."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    return "database is locked" in str(orig or exc)


def caused_by_lock(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it wraps (a contribution's failure), is a locked database."""
    seen = set()
    # A chain of causes can loop (an error re-raised from one it caused):
    # each error is looked at once.
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if is_locked_error(exc):
            return True
        exc = exc.__cause__
    return False


def explain_locked(exc: BaseException, lock: JobLock) -> DatabaseLocked | None:
    """A locked-database error as one sentence naming who holds it, else None."""
    if isinstance(exc, DatabaseLocked) or not caused_by_lock(exc):
        return None
    try:
        holder = lock.holder()
    except Exception:  # the database refuses even this: say what we know
        holder = None
    return _gave_up(lock.timeout, holder, lock.what())
