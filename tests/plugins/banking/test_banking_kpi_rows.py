"""The rows behind every banking KPI's value (issue 14): each KPI lists the customers,
accounts, interactions, tasks, reports or teams it counts, with the figure each adds
and why, and those rows make the value for every scope key."""

import datetime as dt

import pytest
from banking_kit import AS_OF

from guanxi.testing import kpi_rows_disagree
from guanxi_banking import commands

PERIOD = "2026-11"
SCOPES = ("all", "manager", "team", "territory")

FAMILIES = {
    "acquisition": ("new_target_customers", "market_share", "key_customer_share",
                    "key_profit_share", "new_core_customers", "new_vip_customers",
                    "new_sme_loan_customers", "vip_share", "vip_profit_share"),
    "retention": ("high_end_customers", "satisfaction", "valid_complaints",
                  "relationship_contacts", "needs_surveys", "key_churn_rate",
                  "quality_discovery_rate", "archives_built"),
    "value": ("value_customers", "aum", "aum_growth", "profit", "aum_per_card", "loan_yield",
              "tier_upgrades", "cross_sell", "product_coverage", "ebanking_active_rate",
              "wealth_penetration"),
    "service": ("complaint_rate", "complaint_response_hours", "complaint_resolution_hours",
                "accuracy", "punctuality", "marketing_success", "wallet_share",
                "intent_to_stay", "would_recommend"),
    "teams": ("customers_maintained", "accounts_opened", "accounts_net_growth",
              "reports_on_time", "spotchecks_done", "visits_confirmed", "team_rewards",
              "team_fines", "duty_fines"),
    "lists and credit": ("list_members", "list_contact_rate", "unassigned_customers",
                         "share_conflicts", "product_manager_ratio"),
}


def _banking_kpis(ws):
    return {name: k for name, k in ws.plugins.kpis().items() if name.startswith("banking.")}


def test_every_banking_kpi_declares_its_rows_and_the_families_name_them_all(ws):
    kpis = _banking_kpis(ws)
    assert len(kpis) == 51
    assert sorted(f"banking.{n}" for names in FAMILIES.values() for n in names) == sorted(kpis)
    for name, kpi in kpis.items():
        assert kpi.rows is not None, name
        assert kpi.combine in ("sum", "ratio"), name
        assert kpi.reasons and all(key.startswith(f"banking.kpi.{name[8:]}")
                                   for key in kpi.reasons), name
        assert all(set(text) == {"en", "zh"} for text in kpi.reasons.values()), name


@pytest.fixture
def branch(ws, bank):
    """A county branch with some of everything, on both sides of the rules' boundaries."""
    bank.team("T1", name="North", territory="north")
    bank.team("T2", name="South", territory="south")
    for m, team, territory, role in (("A1", "T1", "north", "account manager"),
                                     ("A2", "T1", "north", "account manager"),
                                     ("P1", "T1", "north", "product manager"),
                                     ("B1", "T2", "south", "account manager"),
                                     ("P2", "T2", "south", "product manager"),
                                     ("L1", "T1", "north", "leader")):
        bank.manager(m, team_id=team, territory=territory, role=role)
    bank.manager("GONE", active=False, left_at=dt.date(2026, 10, 1))
    owners = {"C1": "A1", "C2": "A1", "C3": "B1", "C4": "B1", "C5": "A2", "C6": "A2",
              "C7": "B1"}
    for cid, owner in owners.items():
        territory = "north" if owner.startswith("A") else "south"
        extra = {"sme": True, "archive_built_on": dt.date(2026, 11, 10)} if cid == "C3" else {}
        bank.customer(cid, manager_id=owner, territory=territory, **extra)
    bank.customer("C8", manager_id="GONE", territory="south")
    bank.customer("C9", manager_id=None, territory="south")
    bank.customer("NEW", manager_id="A2", territory="north", created_at=dt.date(2026, 11, 2))
    # BANK-SHARE: B1 (T2) gets 30% of C1's results.
    ws.save("customer_team", [{"customer_id": "C1", "manager_id": "B1", "role": "product",
                               "share": 0.3}])
    # AUM: C1 affluent -> mass (churned), C2 stays affluent, C3 mass -> affluent.
    bank.aum("C1", {"2026-09": 200_000, "2026-10": 50_000})
    bank.aum("C2", {"2026-09": 200_000, "2026-10": 300_000})
    bank.aum("C3", {"2026-09": 10_000, "2026-10": 150_000})
    for n in range(4, 8):
        bank.aum(f"C{n}", {"2026-09": 1000 * n, "2026-10": 1000 * n})
    bank.aum("C1", {"2026-11": 900, "2026-10": 5000}, metric="profit")
    bank.aum("C2", {"2026-11": 400}, metric="profit")
    bank.aum("C3", {"2026-11": 100}, metric="profit")
    # Accounts: products, cards, e-banking, wealth, loans; one closed, one opened in November.
    bank.account("C1-D", "C1")
    bank.account("C1-K", "C1", type="card")
    bank.account("C1-E", "C1", type="ebanking")
    bank.account("C1-W", "C1", type="wealth")
    bank.account("C2-D", "C2")
    bank.account("C2-K", "C2", type="card")
    bank.account("C2-E", "C2", type="ebanking")
    bank.account("C2-L", "C2", type="loan", interest_rate=0.0485)
    bank.account("C3-L", "C3", type="loan", opened_at=dt.date(2026, 11, 5), interest_rate=0.06)
    bank.account("C4-D", "C4", closed_at=dt.date(2026, 11, 2), status="closed")
    bank.account("C5-D", "C5", opened_at=dt.date(2026, 11, 24))           # on the as-of day
    bank.account("C6-D", "C6", opened_at=dt.date(2026, 11, 25))           # the day after
    bank.account("NEW-D", "NEW", opened_at=dt.date(2026, 11, 3))
    bank.aum("C2", {"2026-10": 100_000}, metric="loan_balance", account_id="C2-L")
    bank.aum("C3", {"2026-10": 50_000}, metric="loan_balance", account_id="C3-L")
    ws.segment(["banking.abc", "banking.tier"], as_of=dt.date(2026, 10, 20))
    ws.segment(["banking.abc", "banking.tier"], as_of=AS_OF)
    # Contacts, surveys, complaints, transactions, campaigns, spot-checks.
    bank.interaction("V1", "C1", "visit", dt.date(2026, 11, 3), manager_id="A1",
                     campaign="财富季", outcome="positive")
    bank.interaction("V2", "C2", "visit", dt.date(2026, 11, 4), manager_id="A1",
                     campaign="财富季", outcome="negative")
    bank.interaction("V3", "C3", "visit", dt.date(2026, 11, 5), manager_id="B1")
    bank.interaction("V4", "C2", "visit", dt.date(2026, 11, 10), manager_id="B1")
    bank.interaction("K0", "C1", "call", dt.datetime(2026, 11, 24, 23, 59), manager_id="A1")
    bank.interaction("K9", "C5", "call", dt.datetime(2026, 11, 25, 0, 0), manager_id="A2")
    survey = dict(channel="phone")
    bank.interaction("S1", "C1", "survey", dt.date(2026, 11, 3), manager_id="A1",
                     satisfaction=5, wallet_share=0.6, intends_to_stay=True,
                     would_recommend=False, **survey)
    bank.interaction("S2", "C3", "survey", dt.date(2026, 11, 4), manager_id="B1",
                     satisfaction=2, wallet_share=0.2, intends_to_stay=False,
                     would_recommend=True, **survey)
    bank.interaction("S3", "C3", "survey", dt.date(2026, 10, 4), manager_id="B1",
                     satisfaction=1, **survey)
    bank.interaction("Q1", "C1", "complaint", dt.datetime(2026, 11, 5, 10), manager_id="A1")
    bank.interaction("Q2", "C3", "complaint", dt.datetime(2026, 11, 6, 10), manager_id="B1",
                     complaint_valid=False)
    for n, error in enumerate((True, False, None)):
        bank.interaction(f"T{n}", "C1", "transaction", dt.date(2026, 11, 2 + n), amount=1,
                         account_id="C1-E", error=error)
    bank.interaction("X1", "C1", "spotcheck", dt.date(2026, 11, 20), manager_id="L1",
                     outcome="confirmed")
    bank.interaction("X2", "C3", "spotcheck", dt.date(2026, 11, 21), manager_id="L1",
                     outcome="not_confirmed")
    (case,) = [c for c in ws.cases(policy="banking.complaint") if c.customer_id == "C1"]
    ws.case_step(case.id, "respond", by="A1", at=dt.datetime(2026, 11, 5, 16))
    ws.case_step(case.id, "resolve", by="A1", at=dt.datetime(2026, 11, 7, 10))
    # Lists (BANK-LIST).
    ws.save("lists", [{"list": "watch", "customer_id": "C1", "added_at": "2026-11-01"},
                      {"list": "watch", "customer_id": "C4", "added_at": "2026-11-01"},
                      {"list": "key_projects", "customer_id": "C3", "added_at": "2026-11-01"}])
    # Feedback follow-ups (due a week on): on time, late, open.
    for cid, day in (("C1", 1), ("C2", 2), ("C3", 3)):
        bank.interaction(f"F{cid}", cid, "feedback", dt.date(2026, 11, day))
        ws.run_rules(["banking.feedback"], as_of=dt.date(2026, 11, day))
    done = {t.customer_id: t for t in ws.tasks(rule="banking.feedback")}
    ws.task_done(done["C1"].id, "called", at=dt.datetime(2026, 11, 8, 23, 59))
    ws.task_done(done["C2"].id, "called", at=dt.datetime(2026, 11, 10, 0, 0))
    # Team reports of week 46 (due 16 November): T1 on time, T2 late.
    # BANK-SPOTCHECK: L1 on duty on 10 November leaves the callbacks undone (a duty fine).
    ws.save("rotas", [{"rota": "spotcheck", "day": dt.date(2026, 11, 10), "manager_id": "L1"}])
    ws.run_rules(["banking.spotcheck"], as_of=dt.date(2026, 11, 10))
    # Credit over 100% (stored before the importer refused it): C7 given 60% twice.
    from guanxi.storage import tables as t

    with ws.engine.begin() as conn:
        conn.execute(t.customer_team.insert(), [
            {"customer_id": "C7", "manager_id": "A1", "role": "referral", "share": 0.6},
            {"customer_id": "C7", "manager_id": "A2", "role": "risk", "share": 0.6}])
    commands.expect_reports(ws, week="2026-W46")
    ws.submit_report("banking.feedback_summary", "T1", "2026-W46", at=dt.date(2026, 11, 16))
    ws.submit_report("banking.feedback_summary", "T2", "2026-W46", at=dt.date(2026, 11, 17))
    return ws


@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_rows_make_the_value_for_every_key(branch, family):
    kpis = _banking_kpis(branch)
    found = {}
    for short in FAMILIES[family]:
        name = f"banking.{short}"
        # Each KPI has rows on this branch (the check below could fail), and each
        # row's reason has its template (a missing one reads "banking.kpi...: ...").
        rows = branch.explain_kpi(name, period=PERIOD, as_of=AS_OF)
        assert rows, name
        assert [r.reason for r in rows if not r.reason or r.reason.startswith("banking.")] == []
        for by in SCOPES:
            if by in kpis[name].scopes:
                wrong = kpi_rows_disagree(branch, name, period=PERIOD, by=by, as_of=AS_OF)
                if wrong:
                    found[(name, by)] = wrong
    assert found == {}


def test_the_rows_make_the_value_by_list_and_segment(branch):
    found = {}
    for name, kpi in sorted(_banking_kpis(branch).items()):
        for by in ("list:watch", "segment:banking.tier"):
            if by.partition(":")[0] in kpi.scopes:
                wrong = kpi_rows_disagree(branch, name, period=PERIOD, by=by, as_of=AS_OF)
                if wrong:
                    found[(name, by)] = wrong
    assert found == {}
    # Only the list's members are its rows.
    assert [r.id for r in branch.explain_kpi("banking.list_contact_rate", period=PERIOD,
                                             by="list:watch", as_of=AS_OF)] == ["C1", "C4"]


def _rows(ws, name, by="all", as_of=AS_OF):
    return [(r.scope_key, r.kind, r.id, r.figure, r.weight, r.reason)
            for r in ws.explain_kpi(name, period=PERIOD, by=by, as_of=as_of)]


def test_punctuality_rows_at_the_due_day_boundary(branch):
    # BANK-FEEDBACK tasks due 8, 9 and 10 November: done 23:59 on the day (on time),
    # 00:00 the day after (late), never (late once its day is over); L1's two
    # BANK-SPOTCHECK callbacks due 11 November were never made.
    assert _rows(branch, "banking.punctuality", by="manager") == [
        ("A1", "task", "1", 1.0, 1.0,
         "task 1 (banking.feedback) for C1, due 2026-11-08, done 2026-11-08 23:59: on time"),
        ("A1", "task", "2", 0.0, 1.0,
         "task 2 (banking.feedback) for C2, due 2026-11-09, done 2026-11-10 00:00: late"),
        ("B1", "task", "3", 0.0, 1.0,
         "task 3 (banking.feedback) for C3, due 2026-11-10: still open, late"),
        ("L1", "task", "4", 0.0, 1.0,
         "task 4 (banking.spotcheck) for C2, due 2026-11-11: still open, late"),
        ("L1", "task", "5", 0.0, 1.0,
         "task 5 (banking.spotcheck) for C3, due 2026-11-11: still open, late"),
    ]
    values = {v.scope_key: v.value for v in branch.kpi(["banking.punctuality"], period=PERIOD,
                                                       by="manager", as_of=AS_OF)}
    assert values == {"A1": 0.5, "B1": 0.0, "L1": 0.0}


def test_aum_rows_split_by_credit_shares(branch):
    # BANK-SHARE: C1's 50,000 goes 70% to its owner A1 and 30% to B1.
    rows = [r for r in _rows(branch, "banking.aum", by="manager") if r[2] in ("C1", "C2")]
    assert rows == [
        ("A1", "measurement", "C1", 35_000.0, None,
         "customer C1: AUM 50,000 at month-end 2026-10, 70% to A1"),
        ("A1", "measurement", "C2", 300_000.0, None,
         "customer C2: AUM 300,000 at month-end 2026-10, 100% to A1"),
        ("B1", "measurement", "C1", 15_000.0, None,
         "customer C1: AUM 50,000 at month-end 2026-10, 30% to B1"),
    ]


def test_counts_list_what_they_count_and_shares_weigh_every_row(branch):
    # The as-of day counts (C5-D opened on it), the day after does not (C6-D).
    assert [r[2] for r in _rows(branch, "banking.accounts_opened")] == ["C3-L", "C5-D", "NEW-D"]
    # C4 banked since 2020 (its account closed in November); C6's first opens after the day.
    assert _rows(branch, "banking.new_target_customers") == [
        ("", "customer", "C3", 1.0, None, "customer C3: first account opened 2026-11-05"),
        ("", "customer", "C5", 1.0, None, "customer C5: first account opened 2026-11-24"),
        ("", "customer", "NEW", 1.0, None, "customer NEW: first account opened 2026-11-03")]
    # A call at 23:59 on the as-of day counts; one at 00:00 the next day does not.
    assert [r[2] for r in _rows(branch, "banking.relationship_contacts", by="manager")] == [
        "K0", "V1", "V2", "V3", "V4"]
    assert _rows(branch, "banking.unassigned_customers") == [
        ("", "customer", "C8", 1.0, None, "customer C8: owner GONE inactive or gone at 2026-11-24"),
        ("", "customer", "C9", 1.0, None, "customer C9: no owner")]
    # Per 1,000 customers: each customer weighs 1 and adds its complaints x 1,000.
    rate = {r[2]: (r[3], r[4]) for r in _rows(branch, "banking.complaint_rate")}
    assert len(rate) == 10 and rate["C1"] == (1000.0, 1.0) and rate["C3"] == (1000.0, 1.0)
    assert sum(f for f, _ in rate.values()) / sum(w for _, w in rate.values()) == 200.0
    assert _rows(branch, "banking.complaint_response_hours") == [
        ("", "case", "1", 6.0, 1.0,
         "complaint case 1 of C1: opened 2026-11-05 10:00, responded 2026-11-05 16:00: 6 hours")]


def test_team_rewards_rows_name_every_team_and_why(branch):
    # The false visit X2 checked C3, owned by B1: T2 carries it and its late summary.
    assert _rows(branch, "banking.team_fines", by="team") == [
        ("T2", "team", "T2", 600.0, None,
         "team T2: 1 false report(s) and 1 missed report(s), 300 each")]
    rewards = _rows(branch, "banking.team_rewards", by="team")
    # Both teams maintained 2 customers; T1 opened 2 accounts (C5-D, NEW-D), T2 one.
    assert [(r[0], r[3]) for r in rewards] == [("T1", 1000.0), ("T2", 0.0)]
    assert rewards[1][5].startswith("team T2: 2 customers maintained (top 2)")
    assert rewards[1][5].endswith("withdrawn for 1 false and 1 missed report(s)")

