"""The tobacco service rules at their boundaries: TOB-SPECIAL, TOB-CHECKLIST, TOB-PRICE,
TOB-NETWORK, TOB-SURVEY. As of Tuesday 2026-11-24 unless a test says otherwise."""

from __future__ import annotations

import datetime as dt

import pytest
from tobacco_kit import AS_OF, tasks


def run(ws, rule, as_of=AS_OF):
    ws.run_rules([rule], as_of=as_of)
    return tasks(ws, rule)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


# -- TOB-SPECIAL ------------------------------------------------------------------


def test_a_complaint_asks_for_a_special_visit_the_next_working_day(ws, shop):
    shop.retailer("R1")
    # Friday 20 November: the next working day is Monday 23 November.
    shop.interaction("C1", "R1", "complaint", dt.datetime(2026, 11, 20, 16), manager_id="M1")
    assert run(ws, "tobacco.special_visit") == [
        ("R1", "M1", "special_visit", dt.date(2026, 11, 23), 1,
         "complaint on 2026-11-20: special visit due 2026-11-23 (特殊访问记录)")]


def test_a_special_situation_before_a_holiday_is_due_after_it(ws, shop):
    # 1-7 October 2026 are National Day; a closure on 30 September is due 8 October.
    shop.retailer("R1")
    shop.interaction("X1", "R1", "closure", dt.datetime(2026, 9, 30, 11), manager_id="M1")
    (task,) = run(ws, "tobacco.special_visit", as_of=dt.date(2026, 10, 1))
    assert task[3] == dt.date(2026, 10, 8)


def test_a_special_visit_since_answers_the_situation(ws, shop):
    shop.retailer("R1")
    shop.retailer("R2")
    shop.interaction("L1", "R1", "licence_change", dt.datetime(2026, 11, 20, 9))
    shop.interaction("L2", "R2", "licence_change", dt.datetime(2026, 11, 20, 9))
    shop.interaction("S1", "R1", "special_visit", dt.datetime(2026, 11, 20, 15), manager_id="M1",
                     note="new licence seen")
    shop.interaction("S2", "R2", "special_visit", dt.datetime(2026, 11, 19, 15), manager_id="M1")
    assert [t[0] for t in run(ws, "tobacco.special_visit")] == ["R2"]


def test_only_the_configured_triggers_and_recent_situations_count(ws, shop):
    shop.retailer("R1")
    shop.interaction("V1", "R1", "visit", dt.datetime(2026, 11, 20, 9))
    # 30 days back is the lookback's first day; 31 is before it.
    shop.interaction("C30", "R1", "complaint", midnight(AS_OF - dt.timedelta(days=30)))
    shop.interaction("C31", "R1", "complaint", midnight(AS_OF - dt.timedelta(days=31)))
    assert [t[5].split(":")[0] for t in run(ws, "tobacco.special_visit")] == [
        "complaint on 2026-10-25"]


@pytest.mark.parametrize(("october", "fires"), [(70, True), (71, False)])
def test_a_sales_drop_of_30_percent_asks_for_a_special_visit(ws, shop, october, fires):
    # July to September average 100 cartons a month; October 70 is down exactly 30%.
    shop.retailer("R1")
    shop.orders("R1", {"2026-07-06": 100, "2026-08-03": 100, "2026-09-07": 100,
                       "2026-10-05": october})
    found = run(ws, "tobacco.sales_drop")
    if fires:
        assert found == [("R1", "M1", "special_visit", dt.date(2026, 11, 25), 1,
                          "2026-10: 70 cartons against 100 a month before, down 30%: special "
                          "visit due 2026-11-25")]
    else:
        assert found == []


def test_a_sales_drop_is_answered_by_a_special_visit_after_the_month(ws, shop):
    shop.retailer("R1")
    shop.orders("R1", {"2026-07-06": 90, "2026-08-03": 90, "2026-09-07": 90, "2026-10-05": 10})
    shop.interaction("S1", "R1", "special_visit", dt.datetime(2026, 11, 2, 10), manager_id="M1")
    assert run(ws, "tobacco.sales_drop") == []


# -- TOB-CHECKLIST ---------------------------------------------------------------


def test_a_visit_missing_one_checklist_item_is_incomplete(ws, shop):
    shop.retailer("R1")
    shop.retailer("R2")
    shop.visit("V1", "R1", dt.date(2026, 11, 20), retailer_signed=False)
    shop.visit("V2", "R2", dt.date(2026, 11, 20))                  # complete
    assert run(ws, "tobacco.checklist") == [
        ("R1", "M1", "record", dt.date(2026, 11, 26), 2,
         "visit on 2026-11-20 is incomplete: 1 of 8 checklist items not recorded "
         "(retailer signed)")]


def test_a_visit_with_no_checklist_lists_every_item(ws, shop):
    shop.retailer("R1")
    shop.interaction("V1", "R1", "visit", dt.date(2026, 11, 23), manager_id="M1")
    (task,) = run(ws, "tobacco.checklist")
    assert task[5] == (
        "visit on 2026-11-23 is incomplete: 8 of 8 checklist items not recorded (info given; "
        "info collected; stock checked; display helped; lawful checked; price checked; "
        "manager signed; retailer signed)")


def test_checklist_reasons_read_in_chinese(ws, shop):
    import guanxi

    shop.retailer("R1")
    shop.visit("V1", "R1", dt.date(2026, 11, 20), price_checked=False, manager_signed=None)
    path = ws.config.path
    path.write_text(path.read_text().replace('language = "en"', 'language = "zh"'))
    with guanxi.open(path) as zh:
        (task,) = run(zh, "tobacco.checklist")
    assert task[5] == ("2026-11-20 的访问记录不完整：8 项中有 2 项未记录"
                       "（检查最低零售指导价执行; 客户经理签名）")


def test_old_visits_are_left_alone(ws, shop):
    shop.retailer("R1")
    shop.visit("V1", "R1", dt.date(2026, 11, 10), info_given=False)   # the 14th day back
    shop.visit("V2", "R1", dt.date(2026, 11, 9), info_given=False)    # the 15th
    assert [t[5][:23] for t in run(ws, "tobacco.checklist")] == ["visit on 2026-11-10 is "]


# -- TOB-PRICE -------------------------------------------------------------------


def test_a_price_violation_asks_the_regional_manager_to_approve_and_approving_closes_it(ws, shop):
    shop.retailer("R001")
    shop.interaction("P1", "R001", "price_violation", dt.datetime(2026, 11, 23, 10),
                     manager_id="M1", brand="中华(硬)", retail_price=400, guide_price=450)
    (case,) = ws.cases(policy="tobacco.price_downgrade")
    assert (case.owner_id, case.step_due_at) == ("M1", dt.datetime(2026, 11, 25, 10))
    assert run(ws, "tobacco.downgrade_approval") == [
        ("R001", "R1", "approval", dt.datetime(2026, 11, 25, 10), 1,
         f"case {case.id}: M1 reported a price below the guide price on 2026-11-23; approve "
         f"the downgrade (guanxi cases step {case.id} approve)")]
    ws.case_step(case.id, "approve", "R1", at=dt.datetime(2026, 11, 24, 9))
    assert tasks(ws, "tobacco.downgrade_approval") == []
    (done,) = ws.tasks(rule="tobacco.downgrade_approval", status="done")
    assert done.outcome == "downgrade_approved done by R1"
    assert run(ws, "tobacco.downgrade_approval") == []


# -- TOB-NETWORK -----------------------------------------------------------------


@pytest.mark.parametrize(("expires_in", "reminded"), [(31, False), (30, True), (0, True),
                                                      (-1, False)])
def test_a_licence_expiring_within_30_days_gets_a_renewal_reminder(ws, shop, expires_in,
                                                                  reminded):
    expires = AS_OF + dt.timedelta(days=expires_in)
    shop.retailer("R1", licence_no="440301100123", licence_expires=expires)
    found = run(ws, "tobacco.licence_renewal")
    if reminded:
        assert found == [("R1", "M1", "task", dt.date(2026, 11, 27), 2,
                          f"licence 440301100123 expires {expires}, in {expires_in} days: "
                          "remind the retailer to renew")]
    else:
        assert found == []


def test_an_expired_licence_asks_for_the_network_exit(ws, shop):
    shop.retailer("GONE", licence_no="440301100999", licence_expires=dt.date(2026, 11, 23))
    shop.retailer("OUT", licence_expires=dt.date(2026, 11, 1), network_status="out")  # done
    shop.retailer("OK", licence_expires=AS_OF)
    assert run(ws, "tobacco.network_exit") == [
        ("GONE", "M1", "task", dt.date(2026, 11, 27), 2,
         "licence 440301100999 expired 2026-11-23: process the network exit (退网)")]


@pytest.mark.parametrize(("entered_days_ago", "asked"), [(0, True), (29, True), (30, False)])
def test_a_new_retailer_gets_a_first_visit(ws, shop, entered_days_ago, asked):
    entered = AS_OF - dt.timedelta(days=entered_days_ago)
    shop.retailer("NEW", entered_on=entered)
    found = run(ws, "tobacco.network_entry")
    assert [t[:3] for t in found] == ([("NEW", "M1", "visit")] if asked else [])


def test_a_visited_new_retailer_needs_no_first_visit(ws, shop):
    shop.retailer("NEW", entered_on=dt.date(2026, 11, 10))
    shop.visit("V1", "NEW", dt.date(2026, 11, 12))
    assert run(ws, "tobacco.network_entry") == []


# -- TOB-SURVEY ------------------------------------------------------------------


def _round(answers, low, due="2026-11-26"):
    return (None, "M1", "analysis", dt.date.fromisoformat(due), 2,
            f"satisfaction survey of 2026-11: {answers} answers from {answers} of your "
            f"retailers, {low} below 4 of 5: analyse the results and record the measures taken "
            f"by {due}")


@pytest.mark.parametrize(("score", "asked"), [(3, True), (4, False)])
def test_a_low_satisfaction_score_asks_for_measures_in_ten_days(ws, shop, score, asked):
    # rule TOB-SURVEY: the round's analysis always; the retailer's measures below 4 only.
    shop.retailer("R1")
    shop.interaction("S1", "R1", "survey", dt.datetime(2026, 11, 16, 10), satisfaction=score,
                     ordered_by="regional_manager")
    found = run(ws, "tobacco.survey_actions")
    answer = ("R1", "M1", "action", dt.date(2026, 11, 26), 2,
              "satisfaction 3 of 5 in the survey of 2026-11-16 (ordered by regional_manager): "
              "analyse it and record the measures taken by 2026-11-26")
    assert found == ([_round(1, 1), answer] if asked else [_round(1, 0)])


def test_a_round_of_fours_asks_each_surveyed_manager_to_analyse_it_once(ws, shop, time_machine):
    # rule TOB-SURVEY: "each manager analyses the results and records measures taken",
    # within 10 days of the round's last answer, a task of the manager's own (no customer).
    shop.manager("M2")
    shop.manager("M3")                                      # none of M3's retailers surveyed
    for rid, owner in (("R1", "M1"), ("R2", "M1"), ("R3", "M2"), ("R4", "M3")):
        shop.retailer(rid, manager_id=owner)
    shop.interaction("S1", "R1", "survey", dt.datetime(2026, 11, 12, 10), satisfaction=4)
    shop.interaction("S2", "R2", "survey", dt.datetime(2026, 11, 14, 23, 59), satisfaction=4)
    shop.interaction("S3", "R3", "survey", dt.datetime(2026, 11, 13, 9), satisfaction=5)
    found = run(ws, "tobacco.survey_actions")
    assert [(t[0], t[1], t[3]) for t in found] == [
        (None, "M1", dt.date(2026, 11, 24)), (None, "M2", dt.date(2026, 11, 23))]
    assert found[0] == _round(2, 0, due="2026-11-24")
    # The next day's run asks nothing again, nor once the task is done.
    time_machine.move_to(dt.datetime(2026, 11, 30, 12), tick=False)
    (m1,) = [t for t in ws.tasks(rule="tobacco.survey_actions") if t.manager_id == "M1"]
    ws.task_done(m1.id, "measures recorded", at=dt.datetime(2026, 11, 24, 23, 59))
    (again,) = ws.run_rules(["tobacco.survey_actions"], as_of=AS_OF + dt.timedelta(days=1))
    assert again.created == 0
    assert len(ws.tasks(rule="tobacco.survey_actions", status=None)) == 2
    # Done 23:59 on its due day: on time (TOB-SURVEY's KPI).
    kpi = {v.scope_key: v.value for v in ws.kpi(["tobacco.survey_actions_done"], period="2026-11",
                                                 by="manager", as_of=dt.date(2026, 11, 30))}
    assert kpi == {"M1": 1.0, "M2": 0.0}


def test_a_survey_without_a_score_is_refused(ws, shop, tmp_path):
    shop.retailer("R1")
    path = tmp_path / "surveys.csv"
    path.write_text("id,customer_id,kind,occurred_at,satisfaction\n"
                    "S1,R1,survey,2026-11-16 10:00,\nS2,R1,survey,2026-11-16 10:00,6\n"
                    "S3,R1,survey,2026-11-16 10:00,5\n", encoding="utf-8")
    result = ws.import_file("interactions", path)
    assert (result.inserted, result.rejected) == (1, 2)
