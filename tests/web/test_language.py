"""Each user reads pages and reasons in their own language, not only ``[guanxi] language``.

ann (M1) reads English, lee (lead of T1, who sees C1 too) Chinese: the same
customer's label reason and the same task's reason read in each one's
language, in the pages and in the API alike.
"""

from __future__ import annotations

import json

from sqlalchemy import update

from guanxi.storage import tables as t

EN_LABEL = "no contact since created on 2025-01-01, 700 days ago"
ZH_LABEL = "自 2025-01-01 建档以来无联系，已 700 天"
EN_TASK = "last contact 2026-11-01, 31 days ago"
ZH_TASK = "最近一次联系 2026-11-01，已 31 天"


def _two_languages(org):
    org.ws.set_user_language("ann", "en")
    org.ws.set_user_language("lee", "zh")
    org.ws.segment(["core.activity"])  # C1: created 2025-01-01, never contacted: 700 days
    reason = json.dumps({"key": "core.activity.days", "since": "2026-11-01", "days": 31})
    with org.ws.engine.begin() as conn:
        conn.execute(update(t.tasks).where(t.tasks.c.id == org.task["C1"]).values(reason=reason))


def test_one_customer_reads_in_each_users_language_on_the_pages(org):
    _two_languages(org)
    ann, _ = org.browser("ann")
    lee, _ = org.browser("lee")
    # in turn, on the same server: a request's language does not leak into the next
    for _ in range(2):
        page = ann.get("/customers/C1").text
        assert EN_LABEL in page and ZH_LABEL not in page and "Label history" in page
        page = lee.get("/customers/C1").text
        assert ZH_LABEL in page and EN_LABEL not in page and "标签变化" in page
    day = ann.get("/").text
    assert EN_TASK in day and "My day" in day
    day = lee.get("/").text
    assert ZH_TASK in day and "我的一天" in day


def test_one_customer_reads_in_each_users_language_in_the_api(org):
    _two_languages(org)
    for login, label, task in (("ann", EN_LABEL, EN_TASK), ("lee", ZH_LABEL, ZH_TASK),
                               ("ann", EN_LABEL, EN_TASK)):
        client = org.client(login)
        view = client.get("/api/v1/customers/C1").json()
        assert label in json.dumps(view, ensure_ascii=False), (login, view)
        tasks = client.get("/api/v1/tasks", params={"due": "today", "overdue": True}).json()
        assert [x["reason"] for x in tasks if x["id"] == org.task["C1"]] == [task]


def test_a_user_without_a_language_reads_the_workspaces(org):
    org.ws.segment(["core.activity"])
    assert org.ws.user("bob").language is None and org.ws.config.language == "en"
    text = json.dumps(org.client("lee").get("/api/v1/customers/C1").json(), ensure_ascii=False)
    assert EN_LABEL in text


def test_choosing_a_language_on_the_page_stores_it_with_the_user(org):
    client, csrf = org.browser("ann")
    answer = client.post("/language", data={"csrf": csrf, "language": "zh",
                                            "back": "/customers"}, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/customers")
    assert org.ws.user("ann").language == "zh"
    assert "我的一天" in client.get("/").text
    entry = org.ws.audit_log(actor="ann")[-1]
    assert (entry.action, entry.key, entry.detail, entry.source) == (
        "language set", "ann", {"language": "zh"}, "web POST /language")
    # a new session (another browser) reads Chinese too: the choice is the user's
    other, _ = org.browser("ann")
    assert "我的一天" in other.get("/").text


def test_choosing_a_language_needs_the_csrf_token_and_an_offered_language(org):
    client, csrf = org.browser("ann")
    assert client.post("/language", data={"csrf": "forged", "language": "zh"}).status_code == 403
    assert org.ws.user("ann").language is None
    assert client.post("/language", data={"csrf": csrf, "language": "fr"}).status_code == 422
    # an off-site "back" stays on this site: only its path is followed
    for back, location in (("//evil.example/x", "/x"), ("https://evil.example", "/")):
        answer = client.post("/language", data={"csrf": csrf, "language": "en", "back": back},
                             follow_redirects=False)
        assert answer.headers["location"] == location


def test_users_add_keeps_only_an_offered_language(org):
    import pytest

    from guanxi.errors import UsageError

    with pytest.raises(UsageError, match="language 'fr' is not allowed"):
        org.ws.add_user("zoe", manager="M1", role="manager", password="long enough",
                        language="fr")
    assert org.ws.add_user("zoe", manager="M1", role="manager", password="long enough",
                           language="zh").language == "zh"


def test_a_planned_visits_reason_reads_in_each_users_language(org):
    # The planner stores a visit's reason as figures (service/plan_reasons.py),
    # read as a sentence in the reader's language, like every other reason.
    from guanxi.storage import service_tables as st

    _two_languages(org)
    stored = json.dumps({"key": "core.plan", "segment": "Grade", "label": "1", "days": "7",
                         "last": "2026-11-23", "due": "2026-11-30",
                         "week": "2026-W48", "day": "2026-11-27"})
    with org.ws.engine.begin() as conn:
        conn.execute(update(st.plan_visits).where(st.plan_visits.c.customer_id == "C1")
                     .values(reason=stored))
    english = ("Grade 1: every 7 days, last visit 2026-11-23, due 2026-11-30, "
               "carried from week 2026-W48 (was due 2026-11-27)")
    chinese = "Grade1：每 7 天拜访一次，上次拜访 2026-11-23，2026-11-30 到期，自 2026-W48 顺延（原定 2026-11-27）"
    ann, _ = org.browser("ann")
    page = ann.get("/").text
    assert english in page and chinese not in page
    [c1] = [v for v in org.client("lee").get("/api/v1/plan", params={"week": "2026-W49"}).json()
            if v["customer_id"] == "C1"]
    assert c1["reason"] == chinese
    assert [v.reason for v in org.ws.plan("2026-W49") if v.customer_id == "C1"] == [english]
