"""Reads never wait for the batch, and every role takes case steps in its scope.

Figures are a read: /kpis computes them without storing them, so it answers
while a batch holds the job lock. A manager or a lead steps on a case as
their manager id; an admin, who has none, as their login; each is audited as
the user.
"""

from __future__ import annotations

import contextlib

import attrs
import pytest
from sqlalchemy import func, select

import guanxi
from guanxi.storage import tables as t
from guanxi.storage.locks import DatabaseLocked


@contextlib.contextmanager
def batch_running(org):
    """The job lock held by another process's workspace, as ``guanxi run`` holds it.

    (The server's own workspace would pass its own lock: one job inside another.)
    """
    batch = guanxi.Workspace.from_parts(org.ws.config, org.ws.plugins)
    try:
        with batch.job("run"):
            yield batch
    finally:
        batch.close()


def test_kpis_answer_200_while_a_batch_holds_the_job_lock(org):
    everything = org.client("root").get("/api/v1/kpis", params={"period": "2026-12"}).json()
    client, _ = org.browser("ann")
    with batch_running(org):
        answer = org.client("ann").get("/api/v1/kpis", params={"period": "2026-12"})
        page = client.get("/kpis", params={"period": "2026-12"})
        admin = org.client("root").get("/api/v1/kpis", params={"period": "2026-12"})
        # what did take the lock waits for it: the batch does hold it
        waiting = guanxi.Workspace.from_parts(attrs.evolve(org.ws.config, lock_timeout=0.2),
                                              org.ws.plugins)
        with pytest.raises(DatabaseLocked):
            waiting.kpi(None, period="2026-12")
        waiting.close()
    assert answer.status_code == 200 and answer.json()
    assert page.status_code == 200
    assert admin.status_code == 200 and admin.json() == everything


def test_reading_kpis_stores_nothing_and_matches_what_the_batch_stores(org):
    read = org.ws.read_kpi(None, period="2026-12", by="manager")
    with org.ws.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.kpi_values)).scalar_one() == 0
    stored = org.ws.kpi(None, period="2026-12", by="manager")
    assert read == stored and len(read) > 0
    # scope "all" with nothing found still has its value (a KPI's ``empty``)
    assert org.ws.read_kpi(None, period="2026-12", by="all") == org.ws.kpi(
        None, period="2026-12", by="all")


def _step(org, login, customer, action="respond"):
    return org.client(login).post(f"/api/v1/cases/{org.case[customer]}/step",
                                  json={"action": action, "note": f"by {login}"})


def test_a_manager_steps_on_their_own_case_as_their_manager_id(org):
    answer = _step(org, "ann", "C1")
    assert answer.status_code == 200
    assert answer.json()["events"][-1]["actor_id"] == "M1"
    assert _step(org, "ann", "C3").status_code == 404  # M3's


def test_a_lead_steps_on_a_case_of_the_team_as_their_manager_id(org):
    answer = _step(org, "lee", "C1")
    assert answer.status_code == 200
    assert (answer.json()["events"][-1]["actor_id"], answer.json()["case"]["state"]) == (
        "L1", "open")
    entry = org.ws.audit_log(actor="lee")[-1]
    assert (entry.action, entry.key, entry.detail["by"], entry.source) == (
        "case step", str(org.case["C1"]), "L1", f"api POST /api/v1/cases/{org.case['C1']}/step")
    assert _step(org, "lee", "C3").status_code == 404  # team T2's
    assert _step(org, "liu", "C1").status_code == 404  # lead of T2, outside


def test_an_admin_without_a_manager_id_steps_on_any_case_as_their_login(org):
    assert org.ws.user("root").manager_id is None
    answer = _step(org, "root", "C3")
    assert answer.status_code == 200
    event = answer.json()["events"][-1]
    assert (event["action"], event["actor_id"], event["note"]) == ("respond", "root", "by root")
    entry = org.ws.audit_log(actor="root")[-1]
    assert (entry.action, entry.detail["by"], entry.detail["action"]) == (
        "case step", "root", "respond")
    # the case machine's rules still hold for an admin: a closed case takes no step
    assert _step(org, "root", "C3", "approve").status_code == 409


def test_an_admin_takes_a_case_step_from_the_cases_page(org):
    client, csrf = org.browser("root")
    answer = client.post(f"/cases/{org.case['C1']}/step",
                         data={"csrf": csrf, "action": "respond", "note": "called"},
                         follow_redirects=False)
    assert answer.status_code == 303
    event = org.ws.case_history(org.case["C1"])[-1]
    assert (event.action, event.actor_id, event.note) == ("respond", "root", "called")
    assert org.ws.audit_log(actor="root")[-1].source == (
        f"web POST /cases/{org.case['C1']}/step")
