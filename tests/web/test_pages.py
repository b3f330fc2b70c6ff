"""The pages through an HTTP client: forms with CSRF, scope, languages, paging.

The same flows run in a real browser in test_browser.py; these run on both
databases and need no browser.
"""

from __future__ import annotations

import re


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


def test_my_day_lists_the_managers_tasks_due_today_and_overdue_with_reasons(org):
    client, _ = org.browser("ann")
    page = client.get("/")
    assert page.status_code == 200
    assert f'id="task-{org.task["C1"]}"' in page.text and "a visit is due" in page.text
    assert "overdue" in page.text
    assert f'id="task-{org.task["C2"]}"' not in page.text  # bob's
    # this week's plan by day and territory: ann's two visits, not M3's
    # (links, not bare ids: the page's CSRF token is random text and may hold "C3")
    week = page.text.split("2026-W49")[1].split("</section>")[0]
    assert week.index("2026-12-03") < week.index('href="/customers/C1"') < week.index("2026-12-04")
    assert 'href="/customers/C4"' in week and 'href="/customers/C3"' not in week


def test_marking_a_task_done_from_my_day_is_audited_as_the_page(org):
    client, csrf = org.browser("ann")
    task_id = org.task["C1"]
    answer = client.post(f"/tasks/{task_id}/done", data={
        "csrf": csrf, "outcome": "ordered 20 cartons", "at": "2026-12-02T09:15"},
        follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    [task] = org.ws.tasks(customer="C1", status="done")
    assert (task.outcome, str(task.closed_at)) == ("ordered 20 cartons", "2026-12-02 09:15:00")
    entry = org.ws.audit_log(actor="ann")[-1]
    assert (entry.action, entry.source) == ("task done", f"web POST /tasks/{task_id}/done")
    assert f'id="task-{task_id}"' not in client.get("/").text


def test_a_form_without_the_csrf_token_is_refused(org):
    client, _ = org.browser("ann")
    answer = client.post(f"/tasks/{org.task['C1']}/done", data={"outcome": "x"})
    assert answer.status_code == 403
    assert org.ws.tasks(customer="C1")[0].status == "open"


def test_logging_a_visit_validates_as_the_importer_does(org):
    client, csrf = org.browser("ann")
    bad = client.post("/interactions", data={"csrf": csrf, "customer_id": "C1", "kind": "visit",
                                             "occurred_at": "2026-13-40T25:00"})
    assert bad.status_code == 422 and "occurred_at" in bad.text
    outside = client.post("/interactions", data={
        "csrf": csrf, "customer_id": "C3", "kind": "visit", "occurred_at": "2026-12-02T09:00"})
    assert outside.status_code == 422 and "no customer with id" in outside.text
    good = client.post("/interactions", data={"csrf": csrf, "customer_id": "C1", "kind": "call",
                                              "occurred_at": "2026-12-02T09:00",
                                              "outcome": "will order"}, follow_redirects=False)
    assert (good.status_code, good.headers["location"]) == (303, "/?saved=1")
    view = org.ws.customer_view("C1")
    assert [(i["kind"], i["outcome"], i["manager_id"]) for i in view["interactions"]] == [
        ("call", "will order", "M1")]


def test_customers_search_and_page_within_the_scope(org):
    client, _ = org.browser("lee")
    page = client.get("/customers")
    assert all(f'href="/customers/{c}"' in page.text for c in ("C1", "C2", "C4"))
    assert 'href="/customers/C3"' not in page.text
    found = client.get("/customers", params={"q": "13800138000"})
    assert 'href="/customers/C1"' in found.text and 'href="/customers/C2"' not in found.text


def test_the_customer_page_shows_the_360_view_and_the_packs_panels(org):
    client, _ = org.browser("ann")
    page = client.get("/customers/C4")
    assert page.status_code == 200
    assert "Shared Trading" in page.text and "Visit checklist" in page.text
    assert "price tags" in page.text and "product" in page.text  # panel row, customer team
    assert client.get("/customers/C2").status_code == 404


def test_a_case_step_from_the_cases_page(org):
    client, csrf = org.browser("ann")
    page = client.get("/cases")
    assert f'id="case-{org.case["C1"]}"' in page.text
    assert f'id="case-{org.case["C3"]}"' not in page.text
    answer = client.post(f"/cases/{org.case['C1']}/step",
                         data={"csrf": csrf, "action": "respond", "note": "called back"},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert org.ws.case_history(org.case["C1"])[-1].action == "respond"
    refused = client.post(f"/cases/{org.case['C1']}/step",
                          data={"csrf": csrf, "action": "approve"})
    assert refused.status_code == 409  # the case machine's own refusal, as a page


def test_pages_speak_the_users_language_and_switch(org):
    client, _ = org.browser("ann")
    assert "My day" in client.get("/").text
    client.get("/lang/zh")
    assert "我的一天" in client.get("/").text


def test_the_admin_page_is_for_admins_and_disables_users(org):
    client, _ = org.browser("ann")
    assert client.get("/admin").status_code == 403
    root, csrf = org.browser("root")
    assert "bob" in root.get("/admin").text
    root.post("/admin/users/bob/disable", data={"csrf": csrf})
    assert org.ws.user("bob").disabled
    entry = org.ws.audit_log(actor="root")[-1]
    assert (entry.action, entry.key, entry.source) == (
        "user disabled", "bob", "web POST /admin/users/bob/disable")


def test_every_page_answers_for_every_role(org):
    # the team's pages are a lead's and an admin's, the admin's an admin's (issue 21)
    pages = ["/", "/customers", "/customers/C1", "/cases", "/plan", "/kpis", "/numbers",
             "/numbers?manager=M1", "/numbers/core.open_tasks/rows?manager=M1"]
    team, admin = ["/team"], ["/admin", "/admin/import", "/admin/batch", "/admin/setup"]
    for login, allowed in (("ann", pages), ("lee", pages + team), ("root", pages + team + admin)):
        client, _ = org.browser(login)
        for path in pages + team + admin:
            answer = client.get(path)
            assert answer.status_code == (200 if path in allowed else 403), (
                login, path, answer.text[:300])


def test_static_files_come_from_the_package(org):
    answer = org.client().get("/static/style.css")
    assert answer.status_code == 200 and "text/css" in answer.headers["content-type"]
    assert "http" not in org.client().get("/login").text.split("<main>")[0].replace(
        "http-equiv", "")  # no CDN in the head


def test_the_kpi_page_pages_its_rows_like_every_list(org):
    from guanxi.web.settings import ServeSettings

    client, _ = org.browser("root", settings=ServeSettings(page_size=3))
    every = org.client("root").get("/api/v1/kpis", params={"period": "2026-12", "by": "manager"})
    total = len(every.json())
    assert total > 6
    pages = -(-total // 3)
    first = client.get("/kpis", params={"period": "2026-12", "by": "manager"})
    body = first.text.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == 3 and f"<small>{total}</small>" in first.text
    assert f"1 / {pages}" in first.text and "by=manager&amp;page=2" in first.text
    last = client.get("/kpis", params={"period": "2026-12", "by": "manager", "page": pages + 5})
    body = last.text.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == total - 3 * (pages - 1) and f"{pages} / {pages}" in last.text
