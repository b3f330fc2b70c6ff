"""POWER-COMPLAINT, POWER-ROUTE and POWER-REPAIR on the core's case machine."""

from __future__ import annotations

import datetime as dt

import pytest
from power_kit import AS_OF

import guanxi

OPENED = dt.datetime(2026, 11, 2, 9)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def route(power):
    # 服务调度: the service dispatcher M5 takes 督办 level 2, M9 (above M5) level 3.
    power.manager("M5", role="service dispatcher", reports_to="M9")
    power.manager("A1", role="代理工", reports_to="M1")
    power.customer("C1")
    return power


def _levels(ws):
    return {c.id: c.level for c in ws.cases()}


def test_first_responsibility_the_receiver_owns_the_case(ws, route):
    # rule POWER-COMPLAINT: the 代理工 who received it owns it, not the customer's owner.
    route.interaction("Q1", "C1", "request", OPENED, manager_id="A1")
    route.interaction("Q2", "C1", "complaint", OPENED)
    got = {c.interaction_id: (c.policy, c.owner_id, c.response_due_at, c.resolution_due_at)
           for c in ws.cases()}
    assert got == {
        "Q1": ("power.complaint", "A1", OPENED + dt.timedelta(hours=24),
               OPENED + dt.timedelta(days=5)),
        "Q2": ("power.complaint", "M1", OPENED + dt.timedelta(hours=24),
               OPENED + dt.timedelta(days=5)),
    }


def test_duban_none_at_the_limit_level_2_one_second_past_level_3_past_twice(ws, route):
    # rule POWER-ROUTE
    route.interaction("Q1", "C1", "complaint", OPENED)
    limit = OPENED + dt.timedelta(hours=120)
    ws.tick_cases(at=limit, rules=False)
    assert list(_levels(ws).values()) == [1]
    ws.tick_cases(at=limit + SECOND, rules=False)
    assert list(_levels(ws).values()) == [2]
    case_id = ws.cases()[0].id
    events = [(e.action, e.level, e.to_owner) for e in ws.case_history(case_id)
              if e.action == "escalate"]
    assert events == [("escalate", 2, "M5")]
    twice = OPENED + dt.timedelta(hours=240)
    ws.tick_cases(at=twice, rules=False)
    assert list(_levels(ws).values()) == [2]
    ws.tick_cases(at=twice + SECOND, rules=False)
    assert list(_levels(ws).values()) == [3]
    events = [(e.action, e.level, e.to_owner) for e in ws.case_history(case_id)
              if e.action == "escalate"]
    assert events == [("escalate", 2, "M5"), ("escalate", 3, "M9")]


def test_a_vip_case_uses_the_vip_limits_and_lists_first(ws, route):
    # rule POWER-COMPLAINT 绿色通道: a VIP's request is its own policy, listed first.
    route.customer("V", vip_flag=True)
    route.interaction("Q1", "C1", "complaint", OPENED)
    route.interaction("Q2", "V", "request", OPENED + dt.timedelta(hours=1))
    listed = [(c.customer_id, c.policy, c.resolution_due_at) for c in ws.cases()]
    assert listed == [
        ("V", "power.complaint_vip", OPENED + dt.timedelta(hours=49)),
        ("C1", "power.complaint", OPENED + dt.timedelta(hours=120)),
    ]


def test_a_vip_by_the_list_on_the_day_of_the_complaint(ws, route):
    route.customer("V")
    ws.save("lists", [{"list": "vip", "customer_id": "V",
                              "added_at": dt.date(2026, 11, 1)}])
    route.interaction("Q1", "V", "complaint", dt.datetime(2026, 10, 31, 9))
    route.interaction("Q2", "V", "complaint", dt.datetime(2026, 11, 1, 9))
    assert {c.interaction_id: c.policy for c in ws.cases()} == {
        "Q1": "power.complaint", "Q2": "power.complaint_vip"}


@pytest.mark.parametrize("minutes, late", [(45, False), (46, True)])
def test_repair_arrival_45_vs_46_minutes_urban(ws, route, minutes, late):
    # rule POWER-REPAIR: arrival within 45 minutes urban (the response clock).
    route.customer("U", area="urban")
    route.interaction("R1", "U", "repair", OPENED)
    case = ws.cases()[0]
    assert (case.policy, case.response_due_at) == (
        "power.repair_urban", OPENED + dt.timedelta(minutes=45))
    ws.case_step(case.id, "respond", "M1", at=OPENED + dt.timedelta(minutes=minutes))
    ws.case_step(case.id, "resolve", "M1", at=OPENED + dt.timedelta(hours=3, minutes=minutes))
    value = ws.kpi(["power.repair_arrival_on_time", "power.restoration_on_time"],
                   period="2026-11", as_of=AS_OF)
    assert {v.kpi: v.value for v in value} == {
        "power.repair_arrival_on_time": 0.0 if late else 1.0,
        "power.restoration_on_time": 1.0}


def test_repair_limits_by_area(ws, route):
    for cid, area in (("R", "rural"), ("X", "remote")):
        route.customer(cid, area=area)
        route.interaction(f"I{cid}", cid, "repair", OPENED)
    got = {c.customer_id: (c.policy, c.response_due_at - OPENED, c.resolution_due_at - OPENED)
           for c in ws.cases()}
    assert got == {
        "R": ("power.repair_rural", dt.timedelta(minutes=90), dt.timedelta(hours=5, minutes=30)),
        "X": ("power.repair_remote", dt.timedelta(hours=2), dt.timedelta(hours=6)),
    }


def test_a_target_on_the_complaint_count_is_refused(ws, route, tmp_path):
    # rule POWER-COMPLAINT: complaint count is shown, never a target (范文5 §3.8).
    path = tmp_path / "targets.csv"
    path.write_text("kpi,period,scope,target\n"
                    "power.complaint_count,2026-11,all,0\n"
                    "power.callback_rate,2026-11,all,0.9\n", encoding="utf-8")
    result = ws.import_file("targets", path)
    assert (result.inserted, result.rejected) == (1, 1)
    rejects = (tmp_path / "targets.rejects.csv").read_text(encoding="utf-8")
    assert "power.complaint_count is shown, never given a target: 'zero complaints' as a hard " \
           "target hides problems" in rejects


def test_a_target_in_the_config_is_refused(tmp_path):
    config = tmp_path / "guanxi.toml"
    config.write_text('[guanxi]\ndatabase = "sqlite:///g.db"\npacks = ["power"]\n\n'
                      '[targets]\n"power.complaint_count" = 0\n', encoding="utf-8")
    with pytest.raises(guanxi.ConfigError) as refused:
        with guanxi.open(config) as ws:
            ws.settings  # noqa: B018
    assert str(refused.value) == (
        "guanxi.toml: [targets] power.complaint_count is shown, never given a target: 'zero "
        "complaints' as a hard target hides problems (《客户管理制度》范文5 §3.8): the count is shown to read, "
        "never to aim at")


def test_another_packs_customer_opens_no_power_case(make_workspace):
    # rule POWER-COMPLAINT / POWER-REPAIR: the policies open cases only for the
    # customers the power pack serves (power.supply: a tariff or a voltage level).
    from power_kit import Power

    ws = make_workspace(packs=["power", "banking"])
    both = Power(ws)
    both.manager("M1")
    both.customer("C1", area="urban")
    both.customer("B1", tariff=None, area="urban")    # a bank's customer: no tariff, no voltage
    for n, kind in enumerate(("complaint", "request", "repair")):
        both.interaction(f"P{n}", "C1", kind, OPENED)
        both.interaction(f"B{n}", "B1", kind, OPENED)
    got = sorted((c.customer_id, c.interaction_id, c.policy) for c in ws.cases())
    # The bank's complaint policy serves every customer (banking has no filter).
    assert got == [("B1", "B0", "banking.complaint"),
                   ("C1", "P0", "banking.complaint"), ("C1", "P0", "power.complaint"),
                   ("C1", "P1", "power.complaint"), ("C1", "P2", "power.repair_urban")]
