"""The banking KPIs with exact values: value, products, retention, service,
lists (BANK-LIST) and shared credit (BANK-SHARE)."""

import datetime as dt

import pytest
from banking_kit import AS_OF


def _kpi(ws, name, by="all", period="2026-11", as_of=AS_OF):
    return {v.scope_key: v.value for v in ws.kpi([name], period=period, by=by, as_of=as_of)}


def test_aum_and_profit_are_split_by_credit_shares(ws, bank):
    # rule BANK-SHARE: the owner keeps what the customer team is not given.
    bank.manager("M2")
    bank.customer("C1")
    bank.customer("C2", manager_id="M2")
    ws.save("customer_team", [{"customer_id": "C1", "manager_id": "M2", "role": "product",
                               "share": 0.3}])
    bank.aum("C1", {"2026-10": 1_000_000, "2026-09": 800_000})
    bank.aum("C2", {"2026-10": 200_000, "2026-09": 200_000})
    bank.aum("C1", {"2026-11": 900, "2026-10": 5000}, metric="profit")
    assert _kpi(ws, "banking.aum") == {"": 1_200_000.0}
    assert _kpi(ws, "banking.aum", by="manager") == pytest.approx({"M1": 700_000.0,
                                                                   "M2": 500_000.0})
    assert _kpi(ws, "banking.profit", by="manager") == pytest.approx({"M1": 630.0, "M2": 270.0})
    # October's month-end against September's: (1,200,000 - 1,000,000) / 1,000,000.
    assert _kpi(ws, "banking.aum_growth") == pytest.approx({"": 0.2})
    assert _kpi(ws, "banking.aum", period="2026-09", as_of=AS_OF) == {"": 1_000_000.0}


def test_shares_over_100_percent_are_counted(ws, bank):
    bank.manager("M2")
    bank.manager("M3")
    bank.customer("C1")
    bank.customer("C2")
    # The importer refuses shares over 1 now (issue 13); stored before that,
    # or written by another program, they are still counted.
    from guanxi.storage import tables as t

    with ws.engine.begin() as conn:
        conn.execute(t.customer_team.insert(), [
            {"customer_id": "C1", "manager_id": "M2", "role": "referral", "share": 0.6},
            {"customer_id": "C1", "manager_id": "M3", "role": "risk", "share": 0.6},
            {"customer_id": "C2", "manager_id": "M2", "role": "product", "share": 0.5},
            {"customer_id": "C2", "manager_id": "M3", "role": "risk", "share": 0.5},
        ])
    assert _kpi(ws, "banking.share_conflicts") == {"": 1}


def test_every_customer_has_an_active_owner(ws, bank):
    bank.manager("GONE", active=False, left_at=dt.date(2026, 10, 1))
    bank.customer("C1")
    bank.customer("C2", manager_id="GONE")
    bank.customer("C3", manager_id=None)
    assert _kpi(ws, "banking.unassigned_customers") == {"": 2}


def test_products_cross_sell_coverage_penetration_and_market_share(ws, bank):
    for cid in ("C1", "C2", "C3", "C4"):
        bank.customer(cid)
    bank.account("C1-D", "C1")
    bank.account("C1-K", "C1", type="card")
    bank.account("C1-E", "C1", type="ebanking")
    bank.account("C1-W", "C1", type="wealth")
    bank.account("C2-D", "C2")
    bank.account("C2-E", "C2", type="ebanking")
    bank.account("C3-S", "C3", type="service")          # not a banking product
    bank.account("C4-D", "C4", closed_at=dt.date(2026, 11, 2), status="closed")
    bank.interaction("T1", "C1", "transaction", dt.date(2026, 11, 3), account_id="C1-E",
                     amount=10)
    bank.interaction("T2", "C2", "transaction", dt.date(2026, 10, 30), account_id="C2-E",
                     amount=10)
    assert _kpi(ws, "banking.cross_sell") == {"": 3.0}                  # (4 + 2) / 2
    assert _kpi(ws, "banking.product_coverage") == {"": 0.5}
    assert _kpi(ws, "banking.ebanking_active_rate") == {"": 0.5}        # 动户率
    assert _kpi(ws, "banking.wealth_penetration") == {"": 1 / 3}        # C1 of C1, C2, C3
    assert _kpi(ws, "banking.market_share") == {"": 0.5}                # C1, C2 of four


def test_gross_new_accounts_and_net_growth_differ_by_closures(ws, bank):
    # 000 范文7's figures in miniature: 358,001 opened, 272,430 net -> 85,571 closed.
    bank.customer("C1")
    for n in range(10):
        bank.account(f"N{n}", "C1", opened_at=dt.date(2026, 11, 1 + n))
    for n in range(3):
        bank.account(f"X{n}", "C1", opened_at=dt.date(2025, 1, 1),
                     closed_at=dt.date(2026, 11, 10 + n), status="closed")
    bank.account("LATER", "C1", opened_at=dt.date(2026, 11, 25))     # after the as-of day
    assert _kpi(ws, "banking.accounts_opened") == {"": 10}
    assert _kpi(ws, "banking.accounts_net_growth") == {"": 7}
    assert _kpi(ws, "banking.new_target_customers") == {"": 0}        # C1 banked since 2025


def test_key_customer_churn_and_discovery_read_the_labels_of_the_period_start(ws, bank):
    for n in range(1, 8):
        bank.customer(f"C{n}")
    bank.aum("C1", {"2026-09": 200_000, "2026-10": 50_000})     # affluent -> mass: churned
    bank.aum("C2", {"2026-09": 200_000, "2026-10": 300_000})     # stays affluent
    bank.aum("C3", {"2026-09": 10_000, "2026-10": 150_000})      # mass -> affluent: discovered
    for n in range(4, 8):
        bank.aum(f"C{n}", {"2026-09": 1000 * n, "2026-10": 1000 * n})
    ws.segment(["banking.abc", "banking.tier"], as_of=dt.date(2026, 10, 20))
    ws.segment(["banking.abc", "banking.tier"], as_of=AS_OF)
    assert _kpi(ws, "banking.key_churn_rate") == {"": 0.5}
    # Start: C1, C2 affluent; C3..C7 mass and class B/C (C2 was class A). At the end C3 is
    # affluent: 1 of the 5 low customers (C1 was affluent, so not among them).
    assert _kpi(ws, "banking.quality_discovery_rate") == {"": 0.2}
    assert _kpi(ws, "banking.tier_upgrades") == {"": 1}
    assert _kpi(ws, "banking.new_vip_customers") == {"": 1}
    assert _kpi(ws, "banking.high_end_customers") == {"": 2}
    assert _kpi(ws, "banking.vip_share") == {"": 2 / 7}


def test_survey_and_service_figures(ws, bank):
    bank.customer("C1")
    bank.customer("C2")
    survey = dict(channel="phone", manager_id="M1")
    bank.interaction("S1", "C1", "survey", dt.date(2026, 11, 3), satisfaction=5,
                     wallet_share=0.6, intends_to_stay=True, would_recommend=False, **survey)
    bank.interaction("S2", "C2", "survey", dt.date(2026, 11, 4), satisfaction=2,
                     wallet_share=0.2, intends_to_stay=False, would_recommend=False, **survey)
    bank.interaction("S3", "C2", "survey", dt.date(2026, 10, 4), satisfaction=1, **survey)
    bank.interaction("K1", "C1", "complaint", dt.datetime(2026, 11, 5, 10), manager_id="M1")
    bank.interaction("K2", "C2", "complaint", dt.datetime(2026, 11, 6, 10), manager_id="M1",
                     complaint_valid=False)
    assert _kpi(ws, "banking.satisfaction") == {"": 3.5}
    assert _kpi(ws, "banking.wallet_share") == pytest.approx({"": 0.4})
    assert _kpi(ws, "banking.intent_to_stay") == {"": 0.5}
    assert _kpi(ws, "banking.would_recommend") == {"": 0.0}
    assert _kpi(ws, "banking.needs_surveys", by="manager") == {"M1": 2}
    assert _kpi(ws, "banking.valid_complaints") == {"": 1}
    assert _kpi(ws, "banking.complaint_rate") == {"": 1000.0}       # 2 complaints, 2 customers
    (case,) = [c for c in ws.cases(policy="banking.complaint") if c.customer_id == "C1"]
    ws.case_step(case.id, "respond", by="M1", at=dt.datetime(2026, 11, 5, 16))
    ws.case_step(case.id, "resolve", by="M1", at=dt.datetime(2026, 11, 7, 10))
    assert _kpi(ws, "banking.complaint_response_hours") == pytest.approx({"": 6.0})
    assert _kpi(ws, "banking.complaint_resolution_hours") == pytest.approx({"": 48.0})


def test_list_kpis_by_list(ws, bank):
    for cid in ("C1", "C2", "C3"):
        bank.customer(cid)
    ws.save("lists", [{"list": "watch", "customer_id": "C1", "added_at": "2026-11-01"},
                      {"list": "watch", "customer_id": "C2", "added_at": "2026-11-01"},
                      {"list": "key_projects", "customer_id": "C3", "added_at": "2026-11-01"}])
    bank.interaction("V1", "C1", "visit", dt.date(2026, 11, 3), manager_id="M1")
    assert _kpi(ws, "banking.list_contact_rate", by="list:watch") == {"watch": 0.5}
    assert _kpi(ws, "banking.list_contact_rate") == {"": 1 / 3}
    assert _kpi(ws, "banking.list_members", by="list:key_projects") == {"key_projects": 1}


def test_accuracy_punctuality_and_marketing(ws, bank):
    bank.customer("C1")
    for n, error in enumerate((True, False, None, False)):
        bank.interaction(f"T{n}", "C1", "transaction", dt.date(2026, 11, 2 + n), amount=1,
                         error=error)
    bank.interaction("V1", "C1", "visit", dt.date(2026, 11, 3), manager_id="M1",
                     campaign="财富季", outcome="positive")
    bank.interaction("V2", "C1", "visit", dt.date(2026, 11, 4), manager_id="M1",
                     campaign="财富季", outcome="negative")
    assert _kpi(ws, "banking.accuracy") == {"": 0.75}
    assert _kpi(ws, "banking.marketing_success", by="manager") == {"M1": 0.5}
    bank.interaction("F1", "C1", "feedback", dt.date(2026, 11, 1))
    ws.run_rules(["banking.feedback"], as_of=dt.date(2026, 11, 1))   # due 8 November, not done
    assert _kpi(ws, "banking.punctuality") == {"": 0.0}
