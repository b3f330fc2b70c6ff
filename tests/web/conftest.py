"""A small organization for the web workspace's tests, on SQLite or PostgreSQL.

Team T1 (led by L1) has managers M1 and M2; team T2 (led by L2) has M3.
C1 is M1's, C2 M2's, C3 M3's; C4 is M2's with M1 on its customer team.
Users: ann (manager M1), bob (manager M2), lee (lead of T1), liu (lead of
T2), root (admin); each has a token in ``org.tokens``. The clock stands at
2026-12-02 10:00 in Shanghai (a Wednesday).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import insert

import guanxi
from guanxi.storage import tables as t

NOW = dt.datetime(2026, 12, 2, 10, 0)
PASSWORD = "correct horse"
LOGINS = {"ann": ("M1", "manager"), "bob": ("M2", "manager"), "lee": ("L1", "lead"),
          "liu": ("L2", "lead"), "root": (None, "admin")}


class WebPack:
    @guanxi.hookimpl
    def guanxi_case_policies(self, workspace):
        return [guanxi.CasePolicy(name="web.repair", title="Repair", opens_on=("repair",),
                                  response_hours=4, resolution_hours=48)]

    @guanxi.hookimpl
    def guanxi_customer_panels(self, workspace, customer_id, language):
        title = "巡访清单" if language == "zh" else "Visit checklist"
        return [guanxi.CustomerPanel(title=title, rows=[{"item": "price tags", "done": "yes"}])]

    @guanxi.hookimpl
    def guanxi_page_panels(self, workspace, page, managers, language):
        # the team page: a chart (visits by month) and a table (the managers it may see)
        if page != "team":
            return ()
        month = "月份" if language == "zh" else "month"
        return [guanxi.CustomerPanel(title="走访" if language == "zh" else "Visits", chart="bar",
                                     columns=(month, "visits"),
                                     rows=[{month: "2026-11", "visits": 40},
                                           {month: "2026-12", "visits": 12}]),
                guanxi.CustomerPanel(title="Seen", rows=[{"managers": ", ".join(
                    sorted(managers)) if managers is not None else "everyone"}])]


class Org:
    def __init__(self, ws, tokens, task, case):
        self.ws = ws
        self.tokens = tokens
        #: customer id -> the id of its task / its case
        self.task = task
        self.case = case

    def client(self, login: str | None = None, **kwargs):
        from fastapi.testclient import TestClient

        from guanxi.web.app import create_app

        client = TestClient(create_app(self.ws, kwargs.pop("settings", None)), **kwargs)
        if login:
            client.headers["Authorization"] = f"Bearer {self.tokens[login]}"
        return client

    def browser(self, login: str, password: str = PASSWORD, **kwargs):
        """A client logged in through the login form: (client, the CSRF token of its pages)."""
        client = self.client(**kwargs)
        form = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
        answer = client.post("/login", data={"login": login, "password": password,
                                             "csrf": token}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        page = client.get("/")
        return client, re.search(r'name="csrf" value="([^"]+)"', page.text)[1]


@pytest.fixture
def org(make_workspace, time_machine):
    from zoneinfo import ZoneInfo

    time_machine.move_to(NOW.replace(tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    ws = make_workspace(extra_packs={"web": WebPack()})
    ws.save("teams", [{"id": "T1", "name": "One"}, {"id": "T2", "name": "Two"}])
    ws.save("managers", [
        {"id": "L1", "name": "Lead One", "team_id": "T1"},
        {"id": "M1", "name": "Ann Wang", "team_id": "T1"},
        {"id": "M2", "name": "Bob Li", "team_id": "T1"},
        {"id": "L2", "name": "Lead Two", "team_id": "T2"},
        {"id": "M3", "name": "Cy Zhao", "team_id": "T2"},
    ])
    ws.save("teams", [{"id": "T1", "name": "One", "leader_id": "L1"},
                      {"id": "T2", "name": "Two", "leader_id": "L2"}])
    ws.save("customers", [
        {"id": "C1", "name": "王记商店", "manager_id": "M1", "territory": "east",
         "created_at": "2025-01-01"},
        {"id": "C2", "name": "Li Hardware", "manager_id": "M2", "territory": "east",
         "created_at": "2025-01-01"},
        {"id": "C3", "name": "Zhao Foods", "manager_id": "M3", "territory": "west",
         "created_at": "2025-01-01"},
        {"id": "C4", "name": "Shared Trading", "manager_id": "M2", "territory": "east",
         "created_at": "2025-01-01"},
    ])
    ws.save("contacts", [{"id": "K1", "customer_id": "C1", "name": "Wang", "phone": "13800138000"}])
    ws.save("customer_team", [{"customer_id": "C4", "manager_id": "M1", "role": "product",
                               "share": "0.3"}])
    task = {}
    with ws.engine.begin() as conn:
        for customer, manager, due in (("C1", "M1", dt.date(2026, 12, 1)),
                                       ("C2", "M2", dt.date(2026, 12, 2)),
                                       ("C3", "M3", dt.date(2026, 12, 2)),
                                       ("C4", "M2", dt.date(2026, 12, 9))):
            task[customer] = conn.execute(insert(t.tasks).values(
                rule="core.test", customer_id=customer, manager_id=manager,
                kind="visit", due_at=dt.datetime.combine(due, dt.time()), all_day=True,
                priority=2, status="open", reason="a visit is due", dedupe_key=customer,
                created_at=NOW - dt.timedelta(days=3))).inserted_primary_key[0]
        # this week's visit plan: M1 visits C1 on Thursday and C4 on Friday, M3 visits C3
        from guanxi.storage import service_tables as st

        conn.execute(insert(st.plan_visits), [
            {"cadence": "web.visits", "week": "2026-W49", "manager_id": m, "day": day,
             "customer_id": c, "territory": territory, "reason": "due by the visit cadence"}
            for m, day, c, territory in (("M1", dt.date(2026, 12, 3), "C1", "east"),
                                         ("M1", dt.date(2026, 12, 4), "C4", "east"),
                                         ("M3", dt.date(2026, 12, 3), "C3", "west"))])
    case = {c: ws.open_case("web.repair", c, m, opened_at=NOW - dt.timedelta(hours=2),
                            summary="meter").id for c, m in (("C1", "M1"), ("C3", "M3"))}
    tokens = {}
    for login, (manager, role) in LOGINS.items():
        ws.add_user(login, manager=manager, role=role, password=PASSWORD)
        tokens[login] = ws.create_token(login)[1]
    return Org(ws, tokens, task, case)
