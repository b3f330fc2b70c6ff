"""Issue 17's "Who sees what", line by line, where the other files left a corner open.

The proxy's header only from trusted proxies (and never from a forwarded-for
header a client wrote), a disabled user ended on every path at once, the
429 per login, and no password or token in the server's log.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from guanxi.web.settings import ServeSettings

HEADER = ServeSettings(auth="header", header="X-Remote-User", secret_key="k" * 40,
                       trusted_proxies=(ipaddress.ip_network("10.0.0.0/8"),
                                        ipaddress.ip_network("::1/128")))


def test_a_proxy_header_from_an_untrusted_address_is_ignored_however_it_is_dressed(org):
    other = org.client(settings=HEADER, client=("192.168.1.9", 5000))
    for headers in ({"X-Remote-User": "root"},
                    {"X-Remote-User": "root", "X-Forwarded-For": "10.1.2.3"},
                    {"X-Remote-User": "root", "X-Real-IP": "10.1.2.3",
                     "Forwarded": "for=10.1.2.3"}):
        assert other.get("/api/v1/me", headers=headers).status_code == 401
        assert other.get("/admin", headers=headers, follow_redirects=False).headers[
            "location"] == "/login"
    # the boundary of the trusted network: 10.255.255.255 in, 11.0.0.0 out
    inside = org.client(settings=HEADER, client=("10.255.255.255", 5000))
    assert inside.get("/api/v1/me", headers={"X-Remote-User": "root"}).status_code == 200
    outside = org.client(settings=HEADER, client=("11.0.0.0", 5000))
    assert outside.get("/api/v1/me", headers={"X-Remote-User": "root"}).status_code == 401


def test_password_mode_ignores_the_proxy_header_even_from_a_trusted_proxy(org):
    import attrs

    settings = attrs.evolve(HEADER, auth="password")
    trusted = org.client(settings=settings, client=("10.1.2.3", 5000))
    assert trusted.get("/api/v1/me", headers={"X-Remote-User": "root"}).status_code == 401


def test_a_trusted_header_naming_an_unknown_or_disabled_user_answers_401(org):
    trusted = org.client(settings=HEADER, client=("10.1.2.3", 5000))
    assert trusted.get("/api/v1/me", headers={"X-Remote-User": "nobody"}).status_code == 401
    assert trusted.get("/api/v1/me", headers={"X-Remote-User": "lee"}).status_code == 200
    org.ws.disable_user("lee")
    assert trusted.get("/api/v1/me", headers={"X-Remote-User": "lee"}).status_code == 401


def test_disabling_a_user_ends_their_session_token_and_header_at_once(org):
    session, _ = org.browser("bob")
    token = org.client("bob")
    trusted = org.client(settings=HEADER, client=("10.1.2.3", 5000))
    assert [c.get("/api/v1/me", headers=h).status_code for c, h in (
        (session, {}), (token, {}), (trusted, {"X-Remote-User": "bob"}))] == [200, 200, 200]
    org.ws.disable_user("bob")
    assert [c.get("/api/v1/me", headers=h).status_code for c, h in (
        (session, {}), (token, {}), (trusted, {"X-Remote-User": "bob"}))] == [401, 401, 401]
    # nor can they log in again, and enabling them does not bring the old token back
    form = org.client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.get("/login").text)[1]
    assert form.post("/login", data={"login": "bob", "password": "correct horse",
                                     "csrf": csrf}).status_code == 401
    org.ws.disable_user("bob", False)
    assert token.get("/api/v1/me").status_code == 401
    assert [t.revoked_at is not None for t in org.ws.tokens("bob")] == [True]


def _attempt(client, login, password):
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    return client.post("/login", data={"login": login, "password": password, "csrf": csrf},
                       follow_redirects=False).status_code


def test_429_counts_wrong_passwords_per_login_and_a_good_one_clears_the_count(org):
    client = org.client()
    assert [_attempt(client, "bob", "wrong") for _ in range(4)] == [401] * 4
    assert _attempt(client, "bob", "correct horse") == 303  # the fifth is right: in
    assert [_attempt(client, "bob", "wrong") for _ in range(5)] == [401] * 5
    assert _attempt(client, "bob", "wrong") == 429
    assert _attempt(client, "ann", "correct horse") == 303  # another login is not held up
    # an unknown login is counted as well: guessing logins meets the same wall
    assert [_attempt(client, "ghost", "x") for _ in range(6)] == [401] * 5 + [429]


def test_no_password_or_token_reaches_the_servers_log(org, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "correct horse"
    client = org.client()
    assert _attempt(client, "ann", secret) == 303
    assert _attempt(client, "bob", "wrong-" + secret) == 401
    token = org.tokens["lee"]
    assert org.client("lee").get("/api/v1/me?x=1").status_code == 200
    assert org.client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"}
                            ).status_code == 401
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /login 303" in text  # the log was captured
    assert secret not in text and token not in text and token[:10] not in text
