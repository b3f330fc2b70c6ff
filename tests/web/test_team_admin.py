"""The lead's team page and the admin's page, each role through the HTTP client.

/team: the managers in scope with open and overdue tasks and open cases,
counts linking to the lists, paged. /admin: add a user, disable and enable
one, read the audit log paged and filtered; CSRF on every form, audited,
403 for anyone but an admin.
"""

from __future__ import annotations

import re

import pytest

from guanxi.web.settings import ServeSettings, serve_settings


def cells(html: str, manager: str) -> dict:
    row = html.split(f'id="manager-{manager}"')[1].split("</tr>")[0]
    return {name: int(re.search(rf'class="{name}"><a href="[^"]+">(\d+)</a>', row)[1])
            for name in ("open", "overdue", "cases")}


def test_a_lead_sees_the_teams_managers_with_their_counts(org):
    client, _ = org.browser("lee")
    page = client.get("/team").text
    # open tasks: M1 C1 (due 12-01, overdue), M2 C2 (due today) and C4 (12-09); cases: C1 M1
    assert cells(page, "M1") == {"open": 1, "overdue": 1, "cases": 1}
    assert cells(page, "M2") == {"open": 2, "overdue": 0, "cases": 0}
    assert cells(page, "L1") == {"open": 0, "overdue": 0, "cases": 0}
    assert 'id="manager-M3"' not in page and 'id="manager-L2"' not in page  # team T2
    # the counts link to their lists, which hold as many
    assert 'href="/tasks?manager=M2"' in page
    assert 'href="/tasks?manager=M1&amp;overdue=true"' in page
    assert 'href="/cases?owner=M1"' in page
    tasks = client.get("/tasks", params={"manager": "M2"}).text
    assert tasks.count('<tr id="task-') == 2
    assert f'id="task-{org.task["C1"]}"' in client.get(
        "/tasks", params={"manager": "M1", "overdue": "true"}).text
    assert f'id="case-{org.case["C1"]}"' in client.get("/cases", params={"owner": "M1"}).text


def test_the_team_page_and_its_lists_keep_to_the_scope(org):
    lee, _ = org.browser("lee")
    assert lee.get("/tasks", params={"manager": "M3"}).status_code == 404
    assert lee.get("/cases", params={"owner": "M3"}).status_code == 404
    ann, _ = org.browser("ann")
    assert ann.get("/team").status_code == 403  # a manager's figures: /numbers
    assert ann.get("/tasks", params={"manager": "M2"}).status_code == 404
    root, _ = org.browser("root")
    assert re.findall(r'id="manager-(\w+)"', root.get("/team").text) == [
        "L1", "L2", "M1", "M2", "M3"]


def test_the_team_page_pages_through_the_managers(org):
    settings = ServeSettings(**{**_settings(org), "page_size": 2})
    client, _ = org.browser("root", settings=settings)
    first = client.get("/team").text
    assert re.findall(r'id="manager-(\w+)"', first) == ["L1", "L2"]
    assert "1 / 3" in first and 'href="/team?page=2"' in first
    assert re.findall(r'id="manager-(\w+)"', client.get("/team?page=3").text) == ["M3"]


def _settings(org) -> dict:
    import attrs

    return attrs.asdict(serve_settings(org.ws.config), recurse=False)


def _add(client, csrf, **fields):
    data = {"csrf": csrf, "login": "zoe", "manager": "M3", "role": "manager",
            "language": "zh", "password": "long enough", **fields}
    return client.post("/admin/users", data=data, follow_redirects=False)


def test_an_admin_adds_a_user_who_then_logs_in_in_their_language(org):
    root, csrf = org.browser("root")
    answer = _add(root, csrf)
    assert (answer.status_code, answer.headers["location"]) == (303, "/admin")
    user = org.ws.user("zoe")
    assert (user.manager_id, user.role, user.language, user.disabled) == (
        "M3", "manager", "zh", False)
    entry = org.ws.audit_log(actor="root")[-1]
    assert (entry.action, entry.key, entry.source) == ("user added", "zoe", "web POST /admin/users")
    assert 'id="user-zoe"' in root.get("/admin").text
    zoe, _ = org.browser("zoe", password="long enough")
    assert "我的一天" in zoe.get("/").text
    assert zoe.get("/api/v1/me").json() == {"login": "zoe", "manager_id": "M3",
                                            "role": "manager"}


@pytest.mark.parametrize("fields, reason", [
    ({"login": "ann"}, "user 'ann' exists already"),
    ({"manager": "M9"}, "no manager with id 'M9'"),
    ({"manager": ""}, "a manager needs --manager"),
    ({"role": "boss"}, "unknown role 'boss'"),
    ({"password": "short"}, "at least 8 characters"),
])
def test_adding_a_user_refused_shows_the_form_again_with_the_reason(org, fields, reason):
    root, csrf = org.browser("root")
    answer = _add(root, csrf, **fields)
    assert answer.status_code == 422
    assert reason in answer.text.replace("&#39;", "'")
    assert 'id="add-user"' in answer.text
    if fields.get("login") != "ann":
        assert "zoe" not in [u.login for u in org.ws.users()]


def test_only_an_admin_adds_disables_or_reads_the_audit_log(org):
    for login in ("ann", "lee"):
        client, csrf = org.browser(login)
        assert client.get("/admin").status_code == 403
        assert _add(client, csrf).status_code == 403
        assert client.post("/admin/users/bob/disable", data={"csrf": csrf}).status_code == 403
    assert "zoe" not in [u.login for u in org.ws.users()] and not org.ws.user("bob").disabled
    # through a token (no CSRF needed) the role still decides
    assert org.client("lee").post("/admin/users", data={"login": "x"}).status_code == 403


def test_admin_forms_need_the_csrf_token(org):
    root, _ = org.browser("root")
    assert _add(root, "forged").status_code == 403
    assert root.post("/admin/users/bob/disable", data={"csrf": "forged"}).status_code == 403
    assert "zoe" not in [u.login for u in org.ws.users()] and not org.ws.user("bob").disabled


def test_an_admin_disables_and_enables_a_user_whose_sessions_end_at_once(org):
    bob, _ = org.browser("bob")
    root, csrf = org.browser("root")
    assert root.post("/admin/users/bob/disable", data={"csrf": csrf},
                     follow_redirects=False).status_code == 303
    assert bob.get("/api/v1/me").status_code == 401
    assert org.client("bob").get("/api/v1/me").status_code == 401  # the token too
    root.post("/admin/users/bob/enable", data={"csrf": csrf})
    assert not org.ws.user("bob").disabled
    assert bob.get("/api/v1/me").status_code == 401  # the old session stays ended
    assert [e.action for e in org.ws.audit_log(actor="root")][-2:] == [
        "user disabled", "user enabled"]
    assert root.post("/admin/users/root/disable", data={"csrf": csrf}).status_code == 403
    assert root.post("/admin/users/nobody/disable", data={"csrf": csrf}).status_code == 404


def test_the_audit_log_on_the_admin_page_pages_and_filters_by_actor_and_date(org, time_machine):
    import datetime as dt
    from zoneinfo import ZoneInfo

    for day in (3, 4, 5):
        time_machine.move_to(dt.datetime(2026, 12, day, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False)
        ann, csrf = org.browser("ann")
        ann.post("/language", data={"csrf": csrf, "language": "en"})
    settings = ServeSettings(**{**_settings(org), "page_size": 2})
    root, _ = org.browser("root", settings=settings)

    def rows(**params):
        page = root.get("/admin", params=params)
        assert page.status_code == 200, page.text
        table = page.text.split('id="audit"')[1].split("</table>")[0]
        return re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", table), page

    found, page = rows(actor="ann")
    assert [(at[:10], actor, action) for at, actor, action in found] == [
        ("2026-12-05", "ann", "language set"), ("2026-12-04", "ann", "language set")]
    assert 'page=2">' in page.text  # a next page: the third entry
    found, _ = rows(actor="ann", page=2)
    assert [at[:10] for at, _, _ in found] == ["2026-12-03"]
    found, _ = rows(actor="ann", since="2026-12-04", until="2026-12-04")
    assert [at[:10] for at, _, _ in found] == ["2026-12-04"]
    found, _ = rows(actor="nobody")
    assert found == []
    assert root.get("/admin", params={"since": "yesterday"}).status_code == 422


def test_the_audit_api_reads_a_day_range_for_admins(org, time_machine):
    import datetime as dt
    from zoneinfo import ZoneInfo

    for day in (3, 4):
        time_machine.move_to(dt.datetime(2026, 12, day, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False)
        org.ws.set_user_language("ann", "zh")
    root = org.client("root")
    rows = root.get("/api/v1/audit", params={"since": "2026-12-03", "until": "2026-12-03"}).json()
    assert [(r["at"][:10], r["action"]) for r in rows] == [("2026-12-03", "language set")]
    rows = root.get("/api/v1/audit", params={"until": "2026-12-02"}).json()
    assert rows and all(r["at"] < "2026-12-03" for r in rows)
    assert org.client("lee").get("/api/v1/audit", params={"until": "2026-12-02"}
                                 ).status_code == 403
