"""Users of the web workspace, their passwords and API tokens, wrong-password counts.

Passwords are hashed with argon2 (memory-hard; the ``guanxi[web]`` extra
brings ``argon2-cffi``). A token is 32 random bytes shown once; only its
SHA-256 is stored, looked up by index on every API call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

import attrs
from sqlalchemy import delete, func, insert, select, update

from guanxi.errors import GuanxiError, NotFoundError, UsageError, did_you_mean
from guanxi.service.scope import ROLES
from guanxi.storage import tables as t
from guanxi.storage.access_tables import audit_log, login_failures, user_tokens, users

#: TOKEN_PREFIX + 43 url-safe characters.
TOKEN_PREFIX = "gx_"
#: Wrong passwords allowed for a login within FAILURE_WINDOW before 429.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD = 8


@attrs.frozen(kw_only=True)
class User:
    login: str
    manager_id: str | None
    role: str
    disabled: bool
    generation: int
    language: str | None
    created_at: dt.datetime

    def as_json(self) -> dict:
        return {"login": self.login, "manager_id": self.manager_id, "role": self.role,
                "disabled": self.disabled, "language": self.language,
                "created_at": self.created_at}


@attrs.frozen(kw_only=True)
class Token:
    id: int
    login: str
    prefix: str
    note: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def as_json(self) -> dict:
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    key: str | None
    detail: dict | None
    source: str

    def as_json(self) -> dict:
        """The stable shape of ``guanxi audit list --format json`` and ``GET /api/v1/audit``."""
        return {"at": self.at, "actor": self.actor, "action": self.action,
                "entity": self.entity, "key": self.key, "detail": self.detail,
                "source": self.source}


def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:  # the extra is not installed
        raise GuanxiError("passwords need the web extra: pip install 'guanxi[web]'") from None
    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UsageError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row) -> User:
    m = row._mapping
    return User(login=m["login"], manager_id=m["manager_id"], role=m["role"],
                disabled=bool(m["disabled"]), generation=m["generation"],
                language=m["language"], created_at=m["created_at"])


def load_user(conn, login: str) -> User:
    row = conn.execute(select(users).where(users.c.login == login)).first()
    if row is None:
        known = conn.scalars(select(users.c.login)).all()
        raise NotFoundError(f"no user {login!r}{did_you_mean(login, known)}")
    return _user(row)


def find_user(conn, login: str) -> User | None:
    row = conn.execute(select(users).where(users.c.login == login)).first()
    return None if row is None else _user(row)


def list_users(conn) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.login))]


def add_user(conn, login: str, manager_id: str | None, role: str, password_hash: str | None,
             now: dt.datetime, language: str | None = None) -> User:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}{did_you_mean(role, ROLES)}; "
                         f"use one of: {', '.join(ROLES)}")
    if not login or not login.strip() or login != login.strip():
        raise UsageError(f"a login is a name without surrounding spaces, not {login!r}")
    if language is not None and language not in ("en", "zh"):
        raise UsageError(f"language {language!r} is not allowed; use one of: en, zh")
    if find_user(conn, login) is not None:
        raise GuanxiError(f"user {login!r} exists already")
    if role != "admin" and not manager_id:
        raise UsageError(f"a {role} needs --manager: the manager id whose customers they see")
    if manager_id is not None:
        m = t.managers
        if conn.execute(select(m.c.id).where(m.c.id == manager_id)).first() is None:
            known = conn.scalars(select(m.c.id)).all()
            raise NotFoundError(f"no manager with id {manager_id!r}"
                                f"{did_you_mean(manager_id, known)}")
    conn.execute(insert(users).values(login=login, manager_id=manager_id, role=role,
                                      password_hash=password_hash, disabled=False, generation=0,
                                      language=language, created_at=now))
    return load_user(conn, login)


def set_disabled(conn, login: str, disabled: bool, now: dt.datetime) -> User:
    """Disable (ending every session and token at once) or enable a user."""
    load_user(conn, login)
    conn.execute(update(users).where(users.c.login == login)
                 .values(disabled=disabled, generation=users.c.generation + 1))
    if disabled:
        conn.execute(update(user_tokens).where(user_tokens.c.login == login,
                                               user_tokens.c.revoked_at.is_(None))
                     .values(revoked_at=now))
    return load_user(conn, login)


def set_language(conn, login: str, language: str | None) -> User:
    """The language a user's pages and reasons read in (None: ``[guanxi] language``)."""
    load_user(conn, login)
    conn.execute(update(users).where(users.c.login == login).values(language=language))
    return load_user(conn, login)


def set_password(conn, login: str, password_hash: str) -> User:
    """A new password ends the user's sessions (the generation moves on)."""
    load_user(conn, login)
    conn.execute(update(users).where(users.c.login == login)
                 .values(password_hash=password_hash, generation=users.c.generation + 1))
    conn.execute(delete(login_failures).where(login_failures.c.login == login))
    return load_user(conn, login)


def failures_since(conn, login: str, now: dt.datetime) -> int:
    lf = login_failures
    return conn.execute(select(func.count()).select_from(lf).where(
        lf.c.login == login, lf.c.at >= now - FAILURE_WINDOW)).scalar_one()


def note_failure(conn, login: str, now: dt.datetime) -> None:
    conn.execute(insert(login_failures).values(login=login, at=now))


def clear_failures(conn, login: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.login == login))


def create_token(conn, login: str, note: str | None, now: dt.datetime) -> tuple[Token, str]:
    user = load_user(conn, login)
    if user.disabled:
        raise GuanxiError(f"user {login!r} is disabled; enable them before giving a token")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    result = conn.execute(insert(user_tokens).values(
        login=login, prefix=token[:10], token_hash=token_hash(token), note=note,
        created_at=now))
    token_id = result.inserted_primary_key[0]
    return load_token(conn, token_id), token


def _token(row) -> Token:
    return Token(**{a.name: row._mapping[a.name] for a in attrs.fields(Token)})


def load_token(conn, token_id: int) -> Token:
    row = conn.execute(select(user_tokens).where(user_tokens.c.id == token_id)).first()
    if row is None:
        raise NotFoundError(f"no token with id {token_id}")
    return _token(row)


def list_tokens(conn, login: str | None = None) -> list[Token]:
    q = select(user_tokens).order_by(user_tokens.c.id)
    if login:
        q = q.where(user_tokens.c.login == login)
    return [_token(r) for r in conn.execute(q)]


def revoke_token(conn, token_id: int, now: dt.datetime) -> Token:
    token = load_token(conn, token_id)
    if token.revoked_at is None:
        conn.execute(update(user_tokens).where(user_tokens.c.id == token_id)
                     .values(revoked_at=now))
    return load_token(conn, token_id)


def user_of_token(conn, token: str) -> User | None:
    """The enabled user a live token belongs to, else None."""
    tk = user_tokens
    row = conn.execute(
        select(users).join(tk, tk.c.login == users.c.login)
        .where(tk.c.token_hash == token_hash(token), tk.c.revoked_at.is_(None),
               users.c.disabled.is_(False))
    ).first()
    return None if row is None else _user(row)


def audit_entries(conn, since: dt.date | dt.datetime | None = None, actor: str | None = None,
                  limit: int | None = None, offset: int | None = None,
                  until: dt.date | None = None, newest_first: bool = False) -> list[AuditEntry]:
    """Entries from ``since`` to the end of the day ``until``, oldest first (or newest)."""
    a = audit_log
    order = (a.c.at.desc(), a.c.id.desc()) if newest_first else (a.c.at, a.c.id)
    q = select(a).order_by(*order)
    if since is not None:
        if not isinstance(since, dt.datetime):
            since = dt.datetime.combine(since, dt.time())
        q = q.where(a.c.at >= since)
    if until is not None:
        q = q.where(a.c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    if actor:
        q = q.where(a.c.actor == actor)
    if offset:
        q = q.offset(offset)
    if limit:
        q = q.limit(limit)
    return [AuditEntry(id=r.id, at=r.at, actor=r.actor, action=r.action, entity=r.entity,
                       key=r.key, detail=json.loads(r.detail) if r.detail else None,
                       source=r.source) for r in conn.execute(q)]
