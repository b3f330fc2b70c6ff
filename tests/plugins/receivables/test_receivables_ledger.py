"""REC-LEDGER: a customer's ledger and credit archive from the command line and
on the 360° view, the aging report, and what the ledger refuses on import."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from receivables_kit import AS_OF, day

from guanxi.cli import cli


@pytest.fixture
def book(ws, ledger):
    ledger.customer("C1", registered_capital=2_000_000)
    ledger.invoice("I1", "C1", day(75), 1000, day(45), contract="HT-7")
    ledger.pay("P1", "I1", "C1", day(40), 400)
    ledger.pay("N1", "I1", "C1", day(30), -100, kind="credit_note")
    ledger.invoice("I2", "C1", day(20), 300, day(-10), contract="HT-7")
    ledger.invoice("I3", "C1", dt.datetime(2026, 12, 1, 9), 999, dt.date(2026, 12, 31))  # after
    return ws


@pytest.fixture
def run(monkeypatch):
    def invoke(ws, *args):
        monkeypatch.setenv("GUANXI_CONFIG", str(ws.config.path))
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return invoke


def test_the_ledger_lists_every_move_with_what_each_invoice_owes(book, run):
    result = run(book, "receivables", "ledger", "C1", "--as-of", AS_OF.isoformat(),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(r["id"], r["kind"], r["owed"], r["days_past_due"], r["bucket"]) for r in data["ledger"]] == [
        ("I1", "invoice", 500.0, 45, "31_60"), ("P1", "payment", None, None, None),
        ("N1", "credit_note", None, None, None), ("I2", "invoice", 300.0, 0, "current")]
    assert data["owed"] == 800.0
    assert data["credit"]["grade"] == "C" and not data["credit"]["rated"]
    assert data["credit"]["limit"] == 200000 and data["credit"]["period_days"] == 30


def test_the_ledger_table_says_the_grade_and_the_policy(book, run):
    result = run(book, "receivables", "ledger", "C1", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()[:2]
    assert first.startswith("C1: grade C (not rated")
    assert second == ("credit standard open account with guarantee, limit CNY 200,000.00, period "
                      "30 days, cash discount 0.0% within 10 days; owed CNY 800.00")
    assert "HT-7" in result.output


def test_an_unknown_customer_is_one_sentence(book, run):
    result = run(book, "receivables", "ledger", "C9")
    assert result.exit_code == 1
    assert "no customer with id 'C9'" in result.output


def test_the_360_view_shows_the_credit_archive_and_the_ledger(book, time_machine):
    # The view reads today's ledger: frozen at AS_OF, the December invoice is not yet in.
    time_machine.move_to(dt.datetime(2026, 11, 30, 12), tick=False)
    archive, ledger = book.customer_panels("C1", language="en")
    assert archive.title == "Credit archive"
    assert archive.text.startswith("Grade C (not rated") and archive.text.endswith("owed 800.00")
    assert [r["id"] for r in ledger.rows] == ["I1", "P1", "N1", "I2"]
    zh, _ = book.customer_panels("C1", language="zh")
    assert zh.title == "资信档案" and "当前欠款 800.00" in zh.text


def test_the_ledger_refuses_invoices_without_a_due_day_and_unnamed_payments(ws, ledger, tmp_path):
    ledger.customer("C1")
    path = tmp_path / "interactions.csv"
    path.write_text("id,customer_id,kind,occurred_at,amount,due_on,bill_id\n"
                    "I1,C1,invoice,2026-11-01,100,2026-12-01,\n"
                    "I2,C1,invoice,2026-11-01,100,,\n"
                    "P1,C1,payment,2026-11-02,50,,\n"
                    "P2,C1,payment,2026-11-02,50,,I1\n", encoding="utf-8")
    result = ws.import_file("interactions", path)
    assert (result.inserted, result.rejected) == (2, 2)
    rejects = (tmp_path / "interactions.rejects.csv").read_text(encoding="utf-8")
    assert "an invoice needs a due day (REC-LEDGER)" in rejects
    assert "a payment names the invoice it settles in bill_id (REC-LEDGER)" in rejects


def test_the_aging_report_has_each_customer_by_bucket_and_the_dso(book, ledger):
    ledger.customer("C2", manager_id="M2")
    ledger.invoice("I9", "C2", day(40), 50, day(10))
    text = book.render_report("receivables.aging", "2026-11", author="M1", as_of=AS_OF)
    assert "Receivables at the end of 2026-11-30: 800.00 owed by 1 customer(s);" in text
    # owed 800 × 90 ÷ invoiced in the 90 days (1000 + 300) = 55.4
    assert "DSO 55.4 days (1,300.00 invoiced in the 90 days to that day)." in text
    assert "| C1 | 300.00 | 0.00 | 500.00 | 0.00 | 0.00 | 0.00 | 0.00 | 800.00 |" in text
    assert "C2" not in text
