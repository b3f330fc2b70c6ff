"""TOB-PROMO: promotion candidates best first, and recommendations as tobacco.promotion cases.

限三级以上客户: only grades 1 to 3 ([tobacco.promo] max_grade); the chain is
the regional market manager's list, the brand manager's decision, and the
material signed for by the retailer.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert

from guanxi.cli import cli
from guanxi.errors import GuanxiError, NotFoundError
from guanxi_tobacco.commands import tobacco
from guanxi_tobacco.options import GRADE, NETWORK
from guanxi_tobacco.promotions import candidates, recommend
from guanxi_tobacco.service import PROMOTION_POLICY
from tobacco_kit import AS_OF

COMMANDS_MD = Path(__file__).resolve().parents[3] / "docs" / "commands.md"


def set_label(ws, segmentation: str, customer_id: str, label: str, score=None) -> None:
    """A current label as a segmentation run leaves it (TOB-GRADE's score included).

    Written straight to the labels table: these tests are about the order
    TOB-PROMO gives, not the grading formula.
    """
    from guanxi.storage import tables as t

    s = t.segments
    with ws.engine.begin() as conn:
        conn.execute(delete(s).where(s.c.segmentation == segmentation,
                                     s.c.customer_id == customer_id))
        conn.execute(insert(s).values(segmentation=segmentation, customer_id=customer_id,
                                      label=label, score=score, reason="test", as_of=AS_OF,
                                      manual=False))


@pytest.fixture
def graded(ws, shop):
    shop.manager("B1", role="brand manager", territory="east")
    shop.manager("M2", territory="east", reports_to="R1")
    for cid, grade, score in [("P01", "2", 70), ("P02", "1", 85), ("P03", "1", 90),
                              ("P04", "4", 40), ("P05", "3", None), ("P06", "3", 55),
                              ("P07", "2", 70), ("P08", "1", 95), ("P09", "2", 75)]:
        shop.retailer(cid, network_status="out" if cid == "P08" else "in")
        set_label(ws, GRADE, cid, grade, score)
    # TOB-NETWORK: P09's licence expired; it is out although its status still says in.
    shop.retailer("P09", network_status="in", licence_expires=dt.date(2026, 1, 31))
    shop.retailer("P10")                     # not graded yet
    shop.retailer("P11", manager_id="M2")
    set_label(ws, GRADE, "P11", "1", 99)
    return ws


def test_candidates_best_first_grade_then_score_then_id(graded):
    # P04 is grade 4; P08 and P09 are out of the network; P10 has no grade.
    # P05's grade was set by hand (no score): after the scored grade-3 retailer.
    assert [(c.customer_id, c.grade, c.score) for c in candidates(graded)] == [
        ("P11", 1, 99), ("P03", 1, 90), ("P02", 1, 85), ("P01", 2, 70), ("P07", 2, 70),
        ("P06", 3, 55), ("P05", 3, None)]


def test_candidates_of_one_manager_with_a_limit_and_their_reason(graded):
    found = candidates(graded, manager="M1", limit=2)
    assert [c.customer_id for c in found] == ["P03", "P02"]
    assert found[0].reason == ("grade 1 (score 90), in the network; TOB-PROMO recommends "
                               "grades 1 to 3")


def test_max_grade_is_a_setting(make_workspace):
    ws = make_workspace(packs=["tobacco"], settings={"tobacco.promo": {"max_grade": 1}})
    from tobacco_kit import Wholesaler

    shop = Wholesaler(ws)
    shop.manager("M1")
    for cid, grade in [("A", "1"), ("B", "2")]:
        shop.retailer(cid)
        set_label(ws, GRADE, cid, grade, 50)
    assert [c.customer_id for c in candidates(ws)] == ["A"]


def test_out_of_the_network_is_judged_today_not_by_a_stale_label(graded, shop):
    # TOB-NETWORK's own test (segments.out_of_network), as of today: P01 left
    # the network after the segmentation ran, and P06's old "out" label is stale.
    shop.retailer("P01", network_status="out")
    set_label(graded, NETWORK, "P06", "out")
    found = [c.customer_id for c in candidates(graded)]
    assert "P01" not in found and "P06" in found


def test_a_customer_without_a_licence_is_never_a_candidate(graded, shop):
    # The pack serves licensed retailers only (filter tobacco.retailers).
    shop.retailer("X1", licence_no=None)
    set_label(graded, GRADE, "X1", "1", 100)
    assert "X1" not in [c.customer_id for c in candidates(graded)]


def test_a_manual_grade_counts_once_the_segmentation_ran(ws, shop):
    # The documented way to set a grade by hand: ws.set_label, then a run.
    shop.retailer("A")
    ws.set_label(GRADE, "A", "2", "regional manager's decision")
    ws.segment([GRADE], as_of=AS_OF)
    assert [(c.customer_id, c.grade) for c in candidates(ws)] == [("A", 2)]


def test_recommend_opens_one_case_each_and_the_chain_runs_to_the_signature(graded):
    ws = graded
    opened = recommend(ws, ["P03", "P01"], "2027 春节")
    assert [(c.customer_id, c.owner_id, c.policy, c.step_name, c.summary) for c in opened] == [
        ("P03", "M1", PROMOTION_POLICY, "listed", "promotion: 2027 春节"),
        ("P01", "M1", PROMOTION_POLICY, "listed", "promotion: 2027 春节")]
    case_id = opened[0].id
    # TOB-PROMO: the list to the regional market manager, the brand manager
    # decides, the retailer signs for the material (recorded by the owner).
    for by, next_step in [("R1", "decided"), ("B1", "material_signed"), ("M1", None)]:
        assert ws.case_waiting_for(case_id) == by
        assert ws.case_step(case_id, "approve", by).step_name == next_step
    assert ws.case_waiting_for(case_id) is None


def test_an_ineligible_grade_4_retailer_is_refused_and_nothing_opens(graded):
    with pytest.raises(GuanxiError) as refused:
        recommend(graded, ["P03", "P04"], "2027 春节")
    assert str(refused.value) == ("retailer P04 (Retailer P04) is grade 4; TOB-PROMO recommends "
                                  "only grades 1 to 3 (限三级以上客户); nothing was opened")
    assert graded.cases(policy=PROMOTION_POLICY) == []


@pytest.mark.parametrize("customer,message", [
    ("P08", "retailer P08 (Retailer P08) is out of the network (退网); TOB-PROMO recommends "
            "only retailers in the network; nothing was opened"),
    ("P10", "retailer P10 (Retailer P10) has no grade yet (run `guanxi segment tobacco.grade`); "
            "TOB-PROMO recommends only grades 1 to 3 (限三级以上客户); nothing was opened"),
])
def test_out_of_network_and_ungraded_retailers_are_refused(graded, customer, message):
    with pytest.raises(GuanxiError, match=re.escape(message)):
        recommend(graded, [customer], "2027 春节")


def test_the_same_campaign_twice_and_unknown_names_are_refused(graded):
    (case,) = recommend(graded, ["P03"], "2027 春节")
    with pytest.raises(GuanxiError, match=f"already has promotion case {case.id} open"):
        recommend(graded, ["P03"], "2027 春节")
    assert len(recommend(graded, ["P03"], "中秋")) == 1   # another campaign is another case
    with pytest.raises(NotFoundError, match="no customer with id 'X9'; nothing was opened"):
        recommend(graded, ["X9"], "2027 春节")
    with pytest.raises(NotFoundError, match="no active manager with id 'M9'"):
        recommend(graded, ["P02"], "2027 春节", by="M9")


def test_by_names_the_recommending_manager(graded):
    (case,) = recommend(graded, ["P11"], "2027 春节", by="M1")
    assert case.owner_id == "M1"


# -- the commands -------------------------------------------------------------------------


def _run(ws, *args):
    return CliRunner().invoke(cli, ["--config", str(ws.config.path), "tobacco", "promo", *args])


def test_candidates_command_prints_json(graded):
    import json

    result = _run(graded, "candidates", "--manager", "M1", "--limit", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["customer_id"], r["grade"]) for r in json.loads(result.output)] == [
        ("P03", 1), ("P02", 1), ("P01", 2)]


def test_candidates_command_prints_a_table_and_csv(graded):
    table = _run(graded, "candidates", "--manager", "M1", "--limit", "2")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split() == ["customer_id", "name", "manager_id", "grade", "score", "reason"]
    assert lines[2].startswith("P03") and lines[3].startswith("P02") and len(lines) == 4
    result = _run(graded, "candidates", "--manager", "M1", "--limit", "2", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "customer_id,name,manager_id,grade,score,reason",
        "P03,Retailer P03,M1,1,90.0,\"grade 1 (score 90), in the network; TOB-PROMO recommends "
        "grades 1 to 3\"",
        "P02,Retailer P02,M1,1,85.0,\"grade 1 (score 85), in the network; TOB-PROMO recommends "
        "grades 1 to 3\""]


def test_recommend_command_prints_csv_and_json(graded):
    import json

    result = _run(graded, "recommend", "P03", "--campaign", "2027 春节", "--format", "csv")
    assert result.exit_code == 0, result.output
    (case,) = graded.cases(policy=PROMOTION_POLICY)
    assert result.output.splitlines() == [
        "case,customer_id,owner_id,step,waiting_for,summary",
        f"{case.id},P03,M1,listed,R1,promotion: 2027 春节"]
    result = _run(graded, "recommend", "P02", "--campaign", "2027 春节", "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert {k: v for k, v in row.items() if k != "case"} == {
        "customer_id": "P02", "owner_id": "M1", "step": "listed", "waiting_for": "R1",
        "summary": "promotion: 2027 春节"}


def test_recommend_command_opens_cases_and_refuses_in_one_sentence(graded):
    result = _run(graded, "recommend", "P03", "P02", "--campaign", "2027 春节")
    assert result.exit_code == 0, result.output
    assert "listed" in result.output and "R1" in result.output
    refused = _run(graded, "recommend", "P04", "--campaign", "2027 春节")
    assert refused.exit_code == 1
    assert refused.output == ("Error: retailer P04 (Retailer P04) is grade 4; TOB-PROMO "
                              "recommends only grades 1 to 3 (限三级以上客户); nothing was "
                              "opened\n")
    assert len(graded.cases(policy=PROMOTION_POLICY)) == 2


def test_a_limit_below_one_is_refused(graded):
    result = _run(graded, "candidates", "--limit", "0")
    assert result.exit_code == 2
    assert result.output == "Error: --limit 0 is not allowed; give a number of 1 or more\n"


# -- docs/commands.md (test_docs walks only the core's commands) --------------------------


def _walk(group, prefix="tobacco"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _walk(command, f"{prefix} {name}")


@pytest.mark.parametrize("path,command", list(_walk(tobacco)),
                         ids=[p for p, _ in _walk(tobacco)])
def test_every_tobacco_command_and_option_is_in_commands_md(path, command):
    text = COMMANDS_MD.read_text(encoding="utf-8")
    assert (command.help or "").strip(), f"guanxi {path} has no help"
    assert f"`guanxi {path}" in text, f"docs/commands.md does not mention guanxi {path}"
    for param in command.params:
        if isinstance(param, click.Option):
            for option in param.opts:
                assert option in text, f"docs/commands.md: guanxi {path} lacks {option}"
