"""Opening the database: SQLite with its pragmas, or PostgreSQL by URL."""

from __future__ import annotations

import json

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url

from guanxi.errors import ConfigError

#: Seconds a write waits for another's lock before it gives up (``[guanxi] lock_timeout``).
DEFAULT_LOCK_TIMEOUT = 300


def dump_json(value) -> str:
    """The one JSON form guanxi writes: sorted keys, compact, Chinese kept.

    The engine serializes with it and the importer stages with it, so equal
    documents are equal text on SQLite.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sqlite_pragmas(lock_timeout: float):
    def on_connect(dbapi_connection, connection_record) -> None:
        # WAL lets readers work while the batch writes; foreign keys on; a
        # writer waits for another (a task marked done during the batch)
        # instead of failing at once, up to the lock timeout.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


#: Execution option: a SQLite transaction that takes the write lock when it begins.
WRITES_AHEAD = "guanxi_writes_ahead"


def writing_engine(engine: Engine) -> Engine:
    """``engine`` for a job whose transactions write after reading (the batch).

    On SQLite such a transaction, begun deferred, reads a snapshot (often
    while filling a temporary work table) and only then asks for the write
    lock; if a short write (a task marked done on a page) committed in
    between, SQLite refuses at once with "database is locked", whatever the
    busy timeout. Begun IMMEDIATE it takes the write lock first, so the short
    write waits its turn instead. Other databases ignore the option.
    """
    return engine.execution_options(**{WRITES_AHEAD: True})


def _sqlite_begin(conn) -> None:
    # The sqlite3 driver begins a transaction itself, before the first
    # statement that writes; its isolation_level says with which BEGIN.
    # None is autocommit (left alone).
    dbapi = conn.connection.dbapi_connection
    if dbapi.isolation_level is not None:
        dbapi.isolation_level = "IMMEDIATE" if conn.get_execution_options().get(
            WRITES_AHEAD) else ""


def connect(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` or ``postgresql+psycopg://...``.

    ``lock_timeout``: seconds a statement waits for a lock another writer
    holds (SQLite's busy timeout, PostgreSQL's ``lock_timeout``); then it
    fails, and :mod:`guanxi.storage.locks` says who holds the database.
    """
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(
            f"database URL {url!r} is not valid; write sqlite:///guanxi.db or "
            "postgresql+psycopg://user@host/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, json_serializer=dump_json)
        event.listen(engine, "connect", _sqlite_pragmas(lock_timeout))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        from guanxi.storage.tables import describe_postgresql

        describe_postgresql()
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            # No JIT: the batch's statements are long expressions over a base
            # of this size, and compiling them cost more than running them (the
            # tobacco grade: 12.6 s of JIT for a 0.3 s statement at 100,000
            # customers); a one-off plan is better interpreted.
            return create_engine(parsed, pool_pre_ping=True, json_serializer=dump_json,
                                 connect_args={"options": "-c jit=off -c lock_timeout="
                                               f"{int(lock_timeout * 1000)}"})
        except ModuleNotFoundError:
            raise ConfigError(
                "PostgreSQL needs the psycopg driver: pip install 'guanxi[postgres]'"
            ) from None
    raise ConfigError(
        f"database URL {url!r}: guanxi runs on sqlite or postgresql, not {backend}"
    )
