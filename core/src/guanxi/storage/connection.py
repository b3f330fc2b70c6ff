"""Opening the database: SQLite with its pragmas, or PostgreSQL by URL."""

from __future__ import annotations

import json

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url

from guanxi.errors import ConfigError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def dump_json(value) -> str:
    """The one JSON form guanxi writes: sorted keys, compact, Chinese kept.

    The engine serializes with it and the importer stages with it, so equal
    documents are equal text on SQLite.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    # WAL lets readers work while the batch writes; foreign keys on; a writer
    # waits for another instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def connect(url: str) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` or ``postgresql+psycopg://...``."""
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
        event.listen(engine, "connect", _sqlite_pragmas)
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
                                 connect_args={"options": "-c jit=off"})
        except ModuleNotFoundError:
            raise ConfigError(
                "PostgreSQL needs the psycopg driver: pip install 'guanxi[postgres]'"
            ) from None
    raise ConfigError(
        f"database URL {url!r}: guanxi runs on sqlite or postgresql, not {backend}"
    )
