"""Who may use the web workspace, and what everyone changed: users, tokens, audit.

On the core's metadata beside :mod:`guanxi.storage.tables` (that module
imports this one), created by migration 0005.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text, text

from guanxi.storage.tables import Key, metadata

# A login of the web workspace. ``generation`` is part of every session
# cookie: disabling a user or changing the password bumps it, which ends
# every session at once (cookies are signed, not stored).
users = Table(
    "users",
    metadata,
    Column("login", Key, primary_key=True),
    Column("manager_id", Key),
    Column("role", String, nullable=False),
    Column("password_hash", String),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("generation", Integer, nullable=False, server_default=text("0")),
    Column("language", String),
    Column("created_at", DateTime, nullable=False),
)

# API tokens: only a SHA-256 of the token is kept (a token is 32 random
# bytes, so a slow hash adds nothing but time to every call); ``prefix``
# names it in listings without revealing it.
user_tokens = Table(
    "user_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", Key, nullable=False, index=True),
    Column("prefix", String, nullable=False),
    Column("token_hash", String, nullable=False, unique=True),
    Column("note", String),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
)

# Wrong passwords, for the limit of 5 a login within 15 minutes.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", Key, nullable=False),
    Column("at", DateTime, nullable=False),
    Index(None, "login", "at"),
)

# Every change: who, when, what, and through which page, call, command or file.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String, nullable=False),
    Column("action", String, nullable=False),
    Column("entity", String, nullable=False),
    Column("key", String),
    Column("detail", Text),
    Column("source", String, nullable=False),
    Index(None, "actor", "at"),
)
