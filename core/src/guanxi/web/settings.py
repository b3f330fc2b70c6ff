"""``[serve]``: how ``guanxi serve`` authenticates, signs and waits.

Every key is optional; unknown keys and wrong types are errors naming the
file, the key and what is allowed (docs/web.md, "Configuration").
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import attrs

from guanxi.errors import ConfigError, did_you_mean

#: key -> (type, default, description)
SERVE_KEYS = {
    "auth": (str, "password", "how people log in: password (the login page) or header "
                              "(a reverse proxy's single sign-on header)"),
    "header": (str, "X-Remote-User", "the header carrying the login when auth = header"),
    "trusted_proxies": (list, ["127.0.0.1"], "addresses or networks whose header is believed"),
    "secret_key": (str, "", "signs session cookies; default: a random key kept in "
                            ".guanxi-secret beside the config (mode 600)"),
    "session_hours": ((int, float), 12, "how long a login lasts"),
    "cookie_secure": (bool, False, "send the session cookie over HTTPS only (set it behind HTTPS)"),
    "busy_timeout": ((int, float), 5, "seconds a web write waits for a busy database before "
                                      "answering 503"),
    "page_size": (int, 25, "rows a page lists"),
    "figures_seconds": ((int, float), 60, "how long My numbers keeps a period's KPI values "
                                          "before computing them again (0: never kept)"),
}


@attrs.frozen(kw_only=True)
class ServeSettings:
    auth: str = "password"
    header: str = "X-Remote-User"
    trusted_proxies: tuple = ()
    secret_key: str = ""
    session_hours: float = 12
    cookie_secure: bool = False
    busy_timeout: float = 5
    page_size: int = 25
    figures_seconds: float = 60

    def trusts(self, host: str | None) -> bool:
        """Whether a request from ``host`` may name its user in :attr:`header`."""
        if not host:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted_proxies)


def serve_settings(config) -> ServeSettings:
    """``[serve]`` of a :class:`guanxi.config.Config`, checked, defaults filled."""
    where = config.label
    raw = config.sections.get("serve", {}) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [serve] must be a table")
    values = {}
    for key, value in raw.items():
        if key not in SERVE_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} in [serve]"
                              f"{did_you_mean(key, SERVE_KEYS)}; allowed: {', '.join(SERVE_KEYS)}")
        kind, _, what = SERVE_KEYS[key]
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise ConfigError(f"{where}: [serve] {key} = {value!r} has the wrong type: {what}")
        values[key] = value
    for key, (_, default, _) in SERVE_KEYS.items():
        values.setdefault(key, default)
    if values["auth"] not in ("password", "header"):
        raise ConfigError(f"{where}: [serve] auth = {values['auth']!r} is not allowed; "
                          "use password or header")
    networks = []
    for item in values["trusted_proxies"]:
        try:
            networks.append(ipaddress.ip_network(str(item), strict=False))
        except ValueError:
            raise ConfigError(f"{where}: [serve] trusted_proxies names {item!r}, which is not an "
                              "address or a network like 10.0.0.0/8") from None
    if values["page_size"] < 1 or values["session_hours"] <= 0 or values["busy_timeout"] < 0 \
            or values["figures_seconds"] < 0:
        raise ConfigError(f"{where}: [serve] page_size and session_hours must be positive, "
                          "busy_timeout and figures_seconds 0 or more")
    values["trusted_proxies"] = tuple(networks)
    if not values["secret_key"]:
        values["secret_key"] = _stored_secret(config.directory)
    return ServeSettings(**values)


def _stored_secret(directory: Path) -> str:
    """A random signing key kept beside the config, so logins survive a restart."""
    path = Path(directory) / ".guanxi-secret"
    try:
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text
    except OSError:
        pass
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
    except OSError:  # a read-only folder: sessions then end with the server
        pass
    return key
