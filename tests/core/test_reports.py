"""Report submission tracking (TOB-REPORT, BANK-FEEDBACK, BANK-TEAM): due days from
the calendar, late and overdue at their exact boundaries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.errors import GuanxiError, NotFoundError, UsageError
from guanxi.storage import service_tables as st
from core_helpers import count

D = dt.date
T = dt.datetime
MONTHLY = "tobacco.monthly_sales"


@pytest.fixture
def staffed(workspace, examples):
    for entity in ("teams", "managers"):
        workspace.import_file(entity, examples / f"{entity}.csv")
    return workspace


@pytest.mark.parametrize("period,due", [
    ("2026-10", D(2026, 11, 5)),    # the 5th is a Thursday: that day
    ("2026-09", D(2026, 10, 8)),    # the 5th is in the National Day holiday
    ("2026-06", D(2026, 7, 6)),     # the 5th is a Sunday
    ("2026-04", D(2026, 5, 6)),     # the 5th is Labour Day's substituted day off
    ("2026-Q3", D(2026, 10, 8)),    # a quarter: the 5th of the month after it
    ("2026", D(2027, 1, 5)),        # a year likewise (2027-01-05 is a Tuesday)
    ("2026-W40", D(2026, 10, 8)),   # a week (09-28..10-04): the first working day after
    ("2026-W41", D(2026, 10, 12)),  # 10-05..10-11: Monday 10-12
])
def test_due_day_from_the_calendar(staffed, period, due):
    (report,) = staffed.expect_reports(MONTHLY, ["M001"], period)
    assert report.due_on == due


def test_a_territory_less_organization_calendar_row_moves_the_due_day(staffed):
    staffed.save("calendar_days", [{"day": "2026-11-05", "working": False, "note": "audit"}])
    (report,) = staffed.expect_reports(MONTHLY, ["M001"], "2026-10")
    assert report.due_on == D(2026, 11, 6)


def test_another_day_of_the_month_and_an_explicit_due_day(staffed):
    (tenth,) = staffed.expect_reports("banking.ledger", ["T-N"], "2026-09", day_of_month=10)
    assert tenth.due_on == D(2026, 10, 10)  # the make-up Saturday is a working day
    (fixed,) = staffed.expect_reports("banking.analysis", ["M002"], "2026-10",
                                      due=D(2026, 11, 20))
    assert fixed.due_on == D(2026, 11, 20)


def test_expecting_again_changes_nothing(staffed):
    first = staffed.expect_reports(MONTHLY, ["M001", "M003"], "2026-09")
    again = staffed.expect_reports(MONTHLY, ["M003", "M001", "M001"], "2026-09", day_of_month=1)
    assert [(r.id, r.author_id, r.due_on) for r in again] == [
        (r.id, r.author_id, r.due_on) for r in first]
    assert [r.author_id for r in first] == ["M001", "M003"]
    assert count(staffed, st.reports) == 2


def test_an_unknown_author_expects_nothing(staffed):
    with pytest.raises(NotFoundError, match="no manager or team with id 'M999'; nothing was"):
        staffed.expect_reports(MONTHLY, ["M001", "M999"], "2026-09")
    assert count(staffed, st.reports) == 0
    with pytest.raises(UsageError, match="period '2026-13'"):
        staffed.expect_reports(MONTHLY, ["M001"], "2026-13")
    with pytest.raises(UsageError, match="at least one author"):
        staffed.expect_reports(MONTHLY, [], "2026-09")


def test_late_is_after_the_due_day(staffed):
    staffed.expect_reports(MONTHLY, ["M001", "M003", "T-S"], "2026-09")  # due 2026-10-08
    on_time = staffed.submit_report(MONTHLY, "M001", "2026-09", at=T(2026, 10, 8, 23, 59, 59))
    late = staffed.submit_report(MONTHLY, "M003", "2026-09", at=T(2026, 10, 9, 0, 0), note="ill")
    by_date = staffed.submit_report(MONTHLY, "T-S", "2026-09", at=D(2026, 10, 8))
    assert (on_time.late, on_time.submitted_at) == (False, T(2026, 10, 8, 23, 59, 59))
    assert (late.late, late.note) == (True, "ill")
    assert (by_date.late, by_date.submitted_at) == (False, T(2026, 10, 8))


def test_a_submission_in_another_time_zone_is_stored_in_the_organization_s(staffed):
    from zoneinfo import ZoneInfo

    staffed.expect_reports(MONTHLY, ["M001"], "2026-09")
    # 16:30 UTC on the due day is 00:30 on 10-09 in Shanghai: late.
    report = staffed.submit_report(MONTHLY, "M001", "2026-09",
                                   at=T(2026, 10, 8, 16, 30, tzinfo=ZoneInfo("UTC")))
    assert (report.submitted_at, report.late) == (T(2026, 10, 9, 0, 30), True)


def test_overdue_from_the_day_after_the_due_day(staffed):
    staffed.expect_reports(MONTHLY, ["M001", "M003"], "2026-09")  # due 2026-10-08
    staffed.submit_report(MONTHLY, "M001", "2026-09", at=T(2026, 10, 12, 10))
    assert staffed.reports(overdue=True, as_of=D(2026, 10, 8)) == []
    (overdue,) = staffed.reports(overdue=True, as_of=D(2026, 10, 9))
    assert (overdue.author_id, overdue.overdue, overdue.submitted_at) == ("M003", True, None)
    rest = staffed.reports(overdue=False, as_of=D(2026, 10, 9))
    assert [(r.author_id, r.overdue, r.late) for r in rest] == [("M001", False, True)]
    everything = staffed.reports(as_of=D(2026, 10, 9))
    assert [(r.author_id, r.overdue) for r in everything] == [("M001", False), ("M003", True)]


def test_filters(staffed):
    staffed.expect_reports(MONTHLY, ["M001", "M003"], "2026-09")
    staffed.expect_reports(MONTHLY, ["M001"], "2026-10")
    staffed.expect_reports("banking.feedback", ["T-N"], "2026-W40")
    assert [r.period for r in staffed.reports(author="M001")] == ["2026-09", "2026-10"]
    assert [r.author_id for r in staffed.reports(period="2026-09")] == ["M001", "M003"]
    # A period given as its first day means the month, as on import.
    assert len(staffed.reports(period="2026-09-01")) == 2
    assert [r.kind for r in staffed.reports(kind="banking.feedback")] == ["banking.feedback"]


def test_submit_and_review_need_an_expected_then_submitted_report(staffed):
    with pytest.raises(NotFoundError, match=r"no tobacco.monthly_sales report is expected from "
                                            r"'M001' for 2026-09; run `guanxi reports expect"):
        staffed.submit_report(MONTHLY, "M001", "2026-09")
    staffed.expect_reports(MONTHLY, ["M001"], "2026-09")
    with pytest.raises(GuanxiError, match="has not been submitted"):
        staffed.review_report(MONTHLY, "M001", "2026-09", by="M002")
    staffed.submit_report(MONTHLY, "M001", "2026-09", at=T(2026, 10, 8, 9))
    with pytest.raises(GuanxiError, match="already submitted at 2026-10-08 09:00"):
        staffed.submit_report(MONTHLY, "M001", "2026-09", at=T(2026, 10, 8, 10))
    with pytest.raises(NotFoundError, match="no manager with id 'M999'"):
        staffed.review_report(MONTHLY, "M001", "2026-09", by="M999")
    with pytest.raises(GuanxiError, match="would come before the submission"):
        staffed.review_report(MONTHLY, "M001", "2026-09", by="M002", at=T(2026, 10, 8, 8))
    reviewed = staffed.review_report(MONTHLY, "M001", "2026-09", by="M002", at=T(2026, 10, 9, 11),
                                     note="forecast too high")
    assert (reviewed.reviewer_id, reviewed.reviewed_at, reviewed.note, reviewed.late) == (
        "M002", T(2026, 10, 9, 11), "forecast too high", False)


# -- the commands -----------------------------------------------------------------


def invoke(ws, *args):
    return CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])


def test_reports_commands_and_their_json(staffed):
    result = invoke(staffed, "reports", "expect", MONTHLY, "--period", "2026-09",
                    "--author", "M001", "--author", "M003", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["author_id"], r["due_on"]) for r in json.loads(result.output)] == [
        ("M001", "2026-10-08"), ("M003", "2026-10-08")]
    submitted = invoke(staffed, "reports", "submit", MONTHLY, "--author", "M001",
                       "--period", "2026-09", "--at", "2026-10-09 08:30", "--format", "json")
    assert json.loads(submitted.output)[0]["late"] is True
    reviewed = invoke(staffed, "reports", "review", MONTHLY, "--author", "M001",
                      "--period", "2026-09", "--by", "M002", "--at", "2026-10-10T09:00")
    assert reviewed.exit_code == 0
    assert "2026-10-10 09:00:00" in reviewed.output
    overdue = invoke(staffed, "reports", "list", "--overdue", "--as-of", "2026-10-09",
                     "--format", "json")
    assert json.loads(overdue.output) == [{
        "id": 2, "kind": MONTHLY, "author_id": "M003", "period": "2026-09",
        "due_on": "2026-10-08", "submitted_at": None, "reviewed_at": None, "reviewer_id": None,
        "late": False, "overdue": True, "note": None,
    }]
    listed = json.loads(invoke(staffed, "reports", "list", "--kind", MONTHLY, "--period",
                               "2026-09", "--format", "json").output)
    assert [(r["author_id"], r["submitted_at"], r["reviewer_id"]) for r in listed] == [
        ("M001", "2026-10-09T08:30:00", "M002"), ("M003", None, None)]
    none = invoke(staffed, "reports", "list", "--overdue", "--as-of", "2026-10-08")
    assert none.output == "No overdue reports.\n"


def test_reports_expect_with_a_day_and_an_unknown_author(staffed):
    result = invoke(staffed, "reports", "expect", "banking.ledger", "--period", "2026-09",
                    "--author", "T-N", "--day", "10", "--format", "csv")
    assert result.output.splitlines()[1].startswith("1,banking.ledger,T-N,2026-09,2026-10-10,")
    bad = invoke(staffed, "reports", "expect", MONTHLY, "--period", "2026-09", "--author", "X")
    assert (bad.exit_code, bad.output.strip()) == (
        1, "Error: no manager or team with id 'X'; nothing was expected")
