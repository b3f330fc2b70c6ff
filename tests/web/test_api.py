"""The JSON API: its shapes are the command line's JSON, and each access rule holds.

Who sees what (docs/web.md, "Who sees what"): a manager their own and
customer-team customers and their own tasks, a lead the managers of the
teams they lead, an admin all; out of scope answers 404, a role's action
403, no or bad credentials 401, a bad body 422, a busy database 503.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from guanxi.cli import cli


def cli_json(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ids(rows, key="id"):
    return [row[key] for row in rows]


# -- who is asking ---------------------------------------------------------------------------------


def test_me_names_the_login_its_manager_and_role(org):
    assert org.client("ann").get("/api/v1/me").json() == {
        "login": "ann", "manager_id": "M1", "role": "manager"}
    assert org.client("root").get("/api/v1/me").json() == {
        "login": "root", "manager_id": None, "role": "admin"}


def test_no_credentials_answer_401_and_a_page_sends_the_person_to_log_in(org):
    client = org.client()
    answer = client.get("/api/v1/tasks")
    assert (answer.status_code, answer.headers["WWW-Authenticate"]) == (401, "Bearer")
    page = client.get("/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")


def test_a_wrong_token_answers_401(org):
    client = org.client()
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer gx_nope"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_disabled_users_old_token_answers_401_at_once(org):
    client = org.client("bob")
    assert client.get("/api/v1/me").status_code == 200
    org.ws.disable_user("bob")
    assert client.get("/api/v1/me").status_code == 401
    org.ws.disable_user("bob", False)  # enabled again, the old token stays revoked
    assert client.get("/api/v1/me").status_code == 401


def test_a_revoked_token_answers_401(org):
    token_id = next(x.id for x in org.ws.tokens("ann"))
    org.ws.revoke_token(token_id)
    assert org.client("ann").get("/api/v1/me").status_code == 401


# -- customers -------------------------------------------------------------------------------------


def test_a_manager_lists_owned_and_customer_team_customers_only(org):
    answer = org.client("ann").get("/api/v1/customers")
    assert ids(answer.json()) == ["C1", "C4"]
    assert answer.headers["X-Total-Count"] == "2"


def test_a_lead_lists_the_customers_of_the_teams_managers_and_an_admin_all(org):
    assert ids(org.client("lee").get("/api/v1/customers").json()) == ["C1", "C2", "C4"]
    assert ids(org.client("liu").get("/api/v1/customers").json()) == ["C3"]
    assert ids(org.client("root").get("/api/v1/customers").json()) == ["C1", "C2", "C3", "C4"]


def test_customers_search_by_id_name_or_phone_and_page(org):
    client = org.client("root")
    assert ids(client.get("/api/v1/customers", params={"q": "13800138000"}).json()) == ["C1"]
    assert ids(client.get("/api/v1/customers", params={"q": "王记"}).json()) == ["C1"]
    assert ids(client.get("/api/v1/customers", params={"q": "C3"}).json()) == ["C3"]
    page = client.get("/api/v1/customers", params={"limit": 2, "offset": 2})
    assert (ids(page.json()), page.headers["X-Total-Count"]) == (["C3", "C4"], "4")
    # search stays inside the scope
    assert org.client("bob").get("/api/v1/customers", params={"q": "13800138000"}).json() == []


def test_the_360_view_is_the_json_of_customers_show(org):
    answer = org.client("ann").get("/api/v1/customers/C1")
    assert answer.status_code == 200
    assert answer.json() == cli_json(org.ws, "customers", "show", "C1", "--format", "json")


def test_reading_another_managers_customer_by_url_answers_404(org):
    ann = org.client("ann")
    assert ann.get("/api/v1/customers/C2").status_code == 404
    assert ann.get("/api/v1/customers/C4").status_code == 200   # on its customer team
    assert ann.get("/api/v1/customers/NOPE").status_code == 404  # same answer: nothing revealed


def test_a_lead_outside_the_team_answers_404(org):
    assert org.client("liu").get("/api/v1/customers/C1").status_code == 404
    assert org.client("lee").get("/api/v1/customers/C2").status_code == 200


# -- tasks ----------------------------------------------------------------------------------------


def test_tasks_are_the_json_of_tasks_list_within_the_scope(org):
    everything = cli_json(org.ws, "tasks", "list", "--format", "json")
    assert org.client("root").get("/api/v1/tasks").json() == everything
    assert org.client("ann").get("/api/v1/tasks").json() == [
        row for row in everything if row["manager_id"] == "M1"]
    assert [r["manager_id"] for r in org.client("lee").get("/api/v1/tasks").json()] == [
        "M1", "M2", "M2"]


def test_tasks_due_today_and_overdue_as_the_cli_filters_them(org):
    due = org.client("root").get("/api/v1/tasks", params={"due": "today"}).json()
    assert due == cli_json(org.ws, "tasks", "list", "--due", "today", "--format", "json")
    assert ids(due) == [org.task["C1"], org.task["C2"], org.task["C3"]]
    late = org.client("root").get("/api/v1/tasks", params={"overdue": "true"}).json()
    assert [(r["customer_id"], r["overdue"]) for r in late] == [("C1", True)]


def test_tasks_of_a_manager_outside_the_scope_answer_404(org):
    assert org.client("ann").get("/api/v1/tasks", params={"manager": "M2"}).status_code == 404
    assert ids(org.client("lee").get("/api/v1/tasks", params={"manager": "M2"}).json()) == [
        org.task["C2"], org.task["C4"]]


def test_marking_ones_own_task_done_answers_the_task_and_audits_it(org):
    task_id = org.task["C1"]
    answer = org.client("ann").post(f"/api/v1/tasks/{task_id}/done", json={"outcome": "met"})
    assert answer.status_code == 200
    assert (answer.json()["id"], answer.json()["status"]) == (task_id, "done")
    entry = org.ws.audit_log(actor="ann")[-1]
    assert (entry.action, entity_key(entry), entry.detail["outcome"], entry.source) == (
        "task done", ("task", str(task_id)), "met", f"api POST /api/v1/tasks/{task_id}/done")


def entity_key(entry):
    return entry.entity, entry.key


def test_completing_another_managers_task_answers_404_and_changes_nothing(org):
    answer = org.client("ann").post(f"/api/v1/tasks/{org.task['C2']}/done", json={})
    assert answer.status_code == 404
    assert org.ws.tasks(customer="C2")[0].status == "open"
    # a lead completes a task of the team
    assert org.client("lee").post(f"/api/v1/tasks/{org.task['C2']}/done",
                                  json={}).status_code == 200


def test_a_task_done_twice_answers_409(org):
    client = org.client("ann")
    assert client.post(f"/api/v1/tasks/{org.task['C1']}/done", json={}).status_code == 200
    again = client.post(f"/api/v1/tasks/{org.task['C1']}/done", json={})
    assert (again.status_code, again.json()) == (
        409, {"detail": f"task {org.task['C1']} is already done"})


# -- interactions ---------------------------------------------------------------------------------


def test_logging_a_visit_answers_201_and_the_stored_row(org):
    answer = org.client("ann").post("/api/v1/interactions", json={
        "id": "V1", "customer_id": "C1", "kind": "visit", "occurred_at": "2026-12-02 09:30",
        "outcome": "ordered"})
    assert answer.status_code == 201
    row = answer.json()
    assert (row["id"], row["customer_id"], row["manager_id"], row["occurred_at"],
            row["outcome"]) == ("V1", "C1", "M1", "2026-12-02T09:30:00", "ordered")
    entry = org.ws.audit_log(actor="ann")[-1]
    assert (entry.action, entry.key, entry.source) == (
        "interaction logged", "V1", "api POST /api/v1/interactions")


def test_a_bad_row_answers_422_with_the_importers_reasons(org):
    answer = org.client("ann").post("/api/v1/interactions", json={
        "id": "V2", "customer_id": "C1", "kind": "visit", "occurred_at": "yesterday"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert (error["column"], error["value"]) == ("occurred_at", "yesterday")
    assert "date" in error["reason"]
    assert org.client("ann").post("/api/v1/interactions", json={
        "kind": "visit", "occurred_at": "2026-12-02"}).status_code == 422


def test_logging_a_visit_to_a_customer_outside_the_scope_answers_404(org):
    answer = org.client("ann").post("/api/v1/interactions", json={
        "id": "V3", "customer_id": "C3", "kind": "visit", "occurred_at": "2026-12-02 09:30"})
    assert answer.status_code == 404


# -- cases, KPIs, plan, audit ---------------------------------------------------------------------


def test_cases_are_the_json_of_cases_list_within_the_scope(org):
    everything = cli_json(org.ws, "cases", "list", "--format", "json")
    assert org.client("root").get("/api/v1/cases").json() == everything
    assert ids(org.client("ann").get("/api/v1/cases").json()) == [org.case["C1"]]
    assert ids(org.client("liu").get("/api/v1/cases").json()) == [org.case["C3"]]


def test_a_case_step_answers_the_case_as_cases_show(org):
    case_id = org.case["C1"]
    answer = org.client("ann").post(f"/api/v1/cases/{case_id}/step",
                                    json={"action": "respond", "note": "on my way"})
    assert answer.status_code == 200
    assert answer.json() == cli_json(org.ws, "cases", "show", str(case_id), "--format", "json")
    assert answer.json()["events"][-1]["action"] == "respond"
    assert answer.json()["events"][-1]["actor_id"] == "M1"
    assert org.ws.audit_log(actor="ann")[-1].action == "case step"


def test_a_step_on_a_case_outside_the_scope_answers_404(org):
    answer = org.client("ann").post(f"/api/v1/cases/{org.case['C3']}/step",
                                    json={"action": "respond"})
    assert answer.status_code == 404


def test_a_step_without_an_action_answers_422(org):
    answer = org.client("ann").post(f"/api/v1/cases/{org.case['C1']}/step", json={})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["column"] == "action"


def test_kpis_by_manager_keep_the_users_managers(org):
    mine = org.client("ann").get("/api/v1/kpis", params={"period": "2026-12"}).json()
    assert mine and {r["scope_key"] for r in mine} == {"M1"}
    team = org.client("lee").get("/api/v1/kpis", params={"period": "2026-12"}).json()
    assert {r["scope_key"] for r in team} == {"M1", "M2"}  # L1 owns no customer
    everything = cli_json(org.ws, "kpi", "--period", "2026-12", "--by", "manager",
                          "--format", "json")
    assert mine == [r for r in everything if r["scope_key"] == "M1"]


def test_kpis_of_the_whole_bank_are_for_admins_only(org):
    assert org.client("ann").get("/api/v1/kpis", params={"by": "all"}).status_code == 403
    assert org.client("lee").get("/api/v1/kpis", params={"by": "team"}).status_code == 200
    assert org.client("root").get("/api/v1/kpis", params={"by": "all"}).status_code == 200


def test_the_plan_is_the_json_of_plan_show(org):
    assert org.client("ann").get("/api/v1/plan").json() == cli_json(
        org.ws, "plan", "show", "--manager", "M1", "--format", "json")


def test_the_audit_log_is_for_admins_only(org):
    assert org.client("ann").get("/api/v1/audit").status_code == 403
    entries = org.client("root").get("/api/v1/audit", params={"since": "2026-12-01"}).json()
    assert entries == cli_json(org.ws, "audit", "list", "--since", "2026-12-01",
                               "--format", "json")[:100]
    assert {"user added", "token created"} <= {e["action"] for e in entries}


# -- browsers: cookies, CSRF, wrong passwords -----------------------------------------------------


def test_a_cookie_authenticated_write_needs_the_sessions_csrf_token(org):
    client, csrf = org.browser("ann")
    url = f"/api/v1/tasks/{org.task['C1']}/done"
    assert client.post(url, json={}).status_code == 403                       # none
    assert client.post(url, json={}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    _, bobs = org.browser("bob")                                               # another session's
    assert client.post(url, json={}, headers={"X-CSRF-Token": bobs}).status_code == 403
    assert org.ws.tasks(customer="C1")[0].status == "open"
    assert client.post(url, json={}, headers={"X-CSRF-Token": csrf}).status_code == 200
    # a script driving the session learns the token from any answer's header
    assert client.get("/api/v1/me").headers["X-CSRF-Token"] == csrf
    assert "X-CSRF-Token" not in org.client("ann").get("/api/v1/me").headers  # not for tokens


def test_the_session_cookie_is_httponly_and_samesite(org):
    client = org.client()
    form = client.get("/login")
    import re

    token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    answer = client.post("/login", data={"login": "ann", "password": "correct horse",
                                         "csrf": token}, follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert "guanxi_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_login_without_the_forms_token_answers_403(org):
    answer = org.client().post("/login", data={"login": "ann", "password": "correct horse"})
    assert answer.status_code == 403


def test_five_wrong_passwords_in_15_minutes_answer_429_even_with_the_right_one(org, time_machine):
    client = org.client()
    import re

    def attempt(password):
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
        return client.post("/login", data={"login": "bob", "password": password, "csrf": token},
                           follow_redirects=False).status_code

    assert [attempt("wrong") for _ in range(5)] == [401] * 5
    assert attempt("correct horse") == 429
    time_machine.shift(15 * 60)  # the first failure is now exactly 15 minutes old: still counted
    assert attempt("correct horse") == 429
    time_machine.shift(1)
    assert attempt("correct horse") == 303


def test_log_out_ends_the_session(org):
    client, csrf = org.browser("ann")
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_disabling_a_user_ends_their_sessions(org):
    client, _ = org.browser("ann")
    assert client.get("/api/v1/me").status_code == 200
    org.ws.disable_user("ann")
    assert client.get("/api/v1/me").status_code == 401


def test_a_proxy_header_is_believed_only_from_a_trusted_proxy(org):
    import ipaddress

    from guanxi.web.settings import ServeSettings

    settings = ServeSettings(auth="header", header="X-Remote-User", secret_key="k" * 40,
                             trusted_proxies=(ipaddress.ip_network("10.0.0.0/8"),))
    trusted = org.client(settings=settings, client=("10.1.2.3", 5000))
    assert trusted.get("/api/v1/me", headers={"X-Remote-User": "lee"}).json()["login"] == "lee"
    # header-authenticated writes need the CSRF token like cookie ones
    assert trusted.post(f"/api/v1/tasks/{org.task['C1']}/done", json={},
                        headers={"X-Remote-User": "lee"}).status_code == 403
    other = org.client(settings=settings, client=("192.168.1.9", 5000))
    assert other.get("/api/v1/me", headers={"X-Remote-User": "lee"}).status_code == 401


# -- the server's guards --------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(org):
    for answer in (org.client().get("/login"), org.client("ann").get("/api/v1/me")):
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_write_while_the_database_stays_busy_answers_503_with_retry_after(org, monkeypatch):
    from guanxi.storage.locks import DatabaseLocked

    def busy(*args, **kwargs):
        raise DatabaseLocked("gave up after 5 seconds: the database is locked")

    monkeypatch.setattr(type(org.ws), "task_done", busy)
    answer = org.client("ann").post(f"/api/v1/tasks/{org.task['C1']}/done", json={})
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "5")


def test_web_writes_do_not_take_the_job_lock(org):
    # A batch (another workspace, as another process) holds the job lock; a manager
    # still marks a task done.
    from tests.web.test_roles import batch_running

    with batch_running(org):
        answer = org.client("ann").post(f"/api/v1/tasks/{org.task['C1']}/done", json={})
    assert answer.status_code == 200


def test_the_openapi_schema_lists_the_calls(org):
    schema = org.client().get("/api/openapi.json").json()
    assert {"/api/v1/me", "/api/v1/tasks", "/api/v1/customers/{customer_id}",
            "/api/v1/cases/{case_id}/step", "/api/v1/audit"} <= set(schema["paths"])
    page = org.client().get("/api/docs")
    assert page.status_code == 200 and "/api/v1/tasks" in page.text


@pytest.mark.parametrize("text,masked", [
    ("GET /customers?q=13800138000", "GET /customers?q=138****8000"),
    ("phone +86 13912345678 called", "phone +86 139****5678 called"),
    ("id 110101199003077758 seen", "id 110101********7758 seen"),
    ("id 11010119900307775X seen", "id 110101********775X seen"),
    ("task 12 done in 3.2 ms", "task 12 done in 3.2 ms"),
])
def test_the_log_masks_phone_and_identity_numbers(text, masked):
    from guanxi.web.logmask import mask

    assert mask(text) == masked
