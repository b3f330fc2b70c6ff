"""Who is asking: a bearer token, a trusted proxy's header, or a signed session cookie.

Sessions are not stored: the cookie is signed (itsdangerous) and carries
the login, the user's ``generation`` and a random nonce; disabling a user
or changing the password bumps the generation, which ends every session at
once. The CSRF token of a session is the same triple signed with another
salt, so a forged or another session's token fails. A token is checked by
its SHA-256 on an index (:mod:`guanxi.service.users`).
"""

from __future__ import annotations

import secrets

import attrs
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from guanxi.service import users as users_mod
from guanxi.service.scope import Scope

SESSION_COOKIE = "guanxi_session"
LOGIN_COOKIE = "guanxi_login"
CSRF_HEADER = "X-CSRF-Token"


class NotAuthenticated(Exception):
    """No credentials, or bad ones: 401 (a page sends the person to /login)."""


class Forbidden(Exception):
    """The user may not take this action: 403."""


class CsrfFailed(Exception):
    """A cookie-authenticated write without this session's CSRF token: 403."""


class TooManyAttempts(Exception):
    """Five wrong passwords for a login within 15 minutes: 429."""


@attrs.frozen(kw_only=True)
class Principal:
    """The user behind a request, their scope, and how they proved it."""

    user: users_mod.User
    scope: Scope
    via: str  # "token", "header" or "cookie"
    nonce: str = ""

    @property
    def login(self) -> str:
        return self.user.login

    @property
    def needs_csrf(self) -> bool:
        # A browser sends cookies and proxy headers by itself; a token only a script sends.
        return self.via != "token"


class Authenticator:
    def __init__(self, ws, settings) -> None:
        self.ws = ws
        self.settings = settings
        self._sessions = URLSafeTimedSerializer(settings.secret_key, salt="guanxi-session")
        self._csrf = URLSafeSerializer(settings.secret_key, salt="guanxi-csrf")
        self._login_form = URLSafeSerializer(settings.secret_key, salt="guanxi-login-form")

    # -- the session cookie -----------------------------------------------------------

    def session_value(self, user) -> str:
        return self._sessions.dumps({"l": user.login, "g": user.generation,
                                     "n": secrets.token_urlsafe(16)})

    def csrf_token(self, principal: Principal) -> str:
        return self._csrf.dumps({"l": principal.login, "g": principal.user.generation,
                                 "n": principal.nonce})

    def check_csrf(self, principal: Principal, token: str | None) -> None:
        if not principal.needs_csrf:
            return
        try:
            data = self._csrf.loads(token or "")
        except BadSignature:
            raise CsrfFailed() from None
        if data != {"l": principal.login, "g": principal.user.generation, "n": principal.nonce}:
            raise CsrfFailed()

    # -- the login form's own CSRF (no session yet): a cookie nonce, signed in the form ---

    def login_form_tokens(self) -> tuple[str, str]:
        """(cookie value, form value) for the login form."""
        nonce = secrets.token_urlsafe(16)
        return nonce, self._login_form.dumps(nonce)

    def check_login_form(self, cookie: str | None, form_value: str | None) -> None:
        try:
            nonce = self._login_form.loads(form_value or "")
        except BadSignature:
            raise CsrfFailed() from None
        if not cookie or not secrets.compare_digest(str(nonce), cookie):
            raise CsrfFailed()

    # -- who is asking -----------------------------------------------------------------

    def principal(self, request) -> Principal:
        """The request's user, or :class:`NotAuthenticated`."""
        ws = self.ws
        header = request.headers.get("authorization", "")
        with ws.engine.connect() as conn:
            if header:
                scheme, _, token = header.partition(" ")
                if scheme.lower() != "bearer" or not token.strip():
                    raise NotAuthenticated("use Authorization: Bearer TOKEN")
                user = users_mod.user_of_token(conn, token.strip())
                if user is None:
                    raise NotAuthenticated("the token is unknown, revoked or its user disabled")
                return self._principal(conn, user, "token")
            if self.settings.auth == "header":
                client = request.client.host if request.client else None
                login = request.headers.get(self.settings.header)
                if login and self.settings.trusts(client):
                    user = users_mod.find_user(conn, login.strip())
                    if user is None or user.disabled:
                        raise NotAuthenticated(f"no enabled user {login.strip()!r}")
                    return self._principal(conn, user, "header")
            cookie = request.cookies.get(SESSION_COOKIE)
            if not cookie:
                raise NotAuthenticated("log in first")
            try:
                data = self._sessions.loads(
                    cookie, max_age=int(self.settings.session_hours * 3600))
            except BadSignature:
                raise NotAuthenticated("the session has ended; log in again") from None
            user = users_mod.find_user(conn, str(data.get("l")))
            if user is None or user.disabled or user.generation != data.get("g"):
                raise NotAuthenticated("the session has ended; log in again")
            return self._principal(conn, user, "cookie", str(data.get("n", "")))

    def _principal(self, conn, user, via: str, nonce: str = "") -> Principal:
        from guanxi.service.scope import scope_of

        return Principal(user=user, scope=scope_of(conn, user.login, user.role, user.manager_id),
                         via=via, nonce=nonce)

    # -- logging in ---------------------------------------------------------------------

    def _dummy_hash(self) -> str:
        # An unknown login costs an argon2 check too: timing does not tell who exists.
        if not hasattr(self, "_dummy"):
            self._dummy = users_mod.hash_password(secrets.token_urlsafe(16))
        return self._dummy

    def log_in(self, login: str, password: str):
        """The user whose password this is; counts wrong ones (:class:`TooManyAttempts`)."""
        ws = self.ws
        login = (login or "").strip()
        now = ws.now()
        with ws.engine.begin() as conn:
            if users_mod.failures_since(conn, login, now) >= users_mod.MAX_FAILURES:
                raise TooManyAttempts()
            user = users_mod.find_user(conn, login)
            stored = None
            if user is not None:
                from sqlalchemy import select

                from guanxi.storage.access_tables import users

                stored = conn.execute(select(users.c.password_hash)
                                      .where(users.c.login == login)).scalar_one()
            if user is None:
                users_mod.password_matches(self._dummy_hash(), password)  # same time either way
            if user is None or user.disabled or not users_mod.password_matches(stored, password):
                users_mod.note_failure(conn, login, now)
                return None
            users_mod.clear_failures(conn, login)
            return user
