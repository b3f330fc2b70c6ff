"""Issue 13: a customer's credit shares add up to 1 at most (the owner keeps
the rest); the rows that take the sum over 1, stored rows and the file's
together, are rejected with a reason naming the customer and the sum."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from sqlalchemy import select

from guanxi.storage import tables as t


@pytest.fixture
def ws(workspace, tmp_path):
    (tmp_path / "m.csv").write_text("id,name\nM1,Owner\nM2,Two\nM3,Three\nM4,Four\n")
    workspace.import_file("managers", tmp_path / "m.csv")
    (tmp_path / "c.csv").write_text("id,name,manager_id\nC1,Ann,M1\nC2,Bob,M1\n")
    workspace.import_file("customers", tmp_path / "c.csv")
    return workspace


def team(ws):
    ct = t.customer_team
    with ws.engine.connect() as conn:
        return {(r.customer_id, r.manager_id): Decimal(str(r.share)).normalize()
                for r in conn.execute(select(ct))}


def rejected(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [(r["line"], r["column"], r["reason"]) for r in csv.DictReader(handle)]


def write(tmp_path, *rows):
    path = tmp_path / "ct.csv"
    path.write_text("customer_id,manager_id,role,share\n" + "\n".join(rows) + "\n")
    return path


def test_shares_adding_up_to_exactly_one_are_accepted(ws, tmp_path):
    result = ws.import_file("customer_team", write(tmp_path, "C1,M2,product,0.6",
                                                   "C1,M3,risk,0.4"))
    assert (result.inserted, result.rejected) == (2, 0)
    assert team(ws) == {("C1", "M2"): Decimal("0.6"), ("C1", "M3"): Decimal("0.4")}


def test_three_shares_adding_up_to_one_are_exact_too(ws, tmp_path):
    # 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floats: compared in basis points.
    result = ws.import_file("customer_team", write(tmp_path, "C1,M2,product,0.1",
                                                   "C1,M3,risk,0.2", "C1,M4,referral,0.7"))
    assert (result.inserted, result.rejected) == (3, 0)


def test_the_row_that_takes_the_sum_over_one_is_rejected(ws, tmp_path):
    result = ws.import_file("customer_team", write(
        tmp_path, "C1,M2,product,0.6", "C1,M3,risk,0.5", "C1,M4,referral,0.3",
        "C2,M2,product,0.5"))
    assert (result.inserted, result.rejected) == (3, 1)
    assert team(ws) == {("C1", "M2"): Decimal("0.6"), ("C1", "M4"): Decimal("0.3"),
                        ("C2", "M2"): Decimal("0.5")}
    assert rejected(tmp_path / "ct.rejects.csv") == [
        ("3", "share", "the credit shares of customer C1 would add up to 1.1 (0 stored before "
                       "this file); they may add up to 1 at most, the owner keeping the rest"),
    ]


def test_stored_shares_count_unless_the_file_replaces_them(ws, tmp_path):
    assert ws.import_file("customer_team", write(tmp_path, "C1,M2,product,0.6")).inserted == 1
    # 0.6 stored + 0.5: over 1.
    result = ws.import_file("customer_team", write(tmp_path, "C1,M3,risk,0.5"))
    assert result.rejected == 1
    assert rejected(tmp_path / "ct.rejects.csv") == [
        ("2", "share", "the credit shares of customer C1 would add up to 1.1 (0.6 stored before "
                       "this file); they may add up to 1 at most, the owner keeping the rest"),
    ]
    # 0.6 stored + 0.4: exactly 1.
    assert ws.import_file("customer_team", write(tmp_path, "C1,M3,risk,0.4")).inserted == 1
    # The file lowers the stored 0.6 to 0.3 and adds 0.3: the stored 0.6 no longer counts.
    result = ws.import_file("customer_team", write(tmp_path, "C1,M2,product,0.3",
                                                   "C1,M4,referral,0.3"))
    assert (result.inserted, result.updated, result.rejected) == (1, 1, 0)
    assert team(ws) == {("C1", "M2"): Decimal("0.3"), ("C1", "M3"): Decimal("0.4"),
                        ("C1", "M4"): Decimal("0.3")}


def test_the_owner_is_never_credited_below_zero(ws, tmp_path):
    # The case: 60% + 50% gave the owner -10,000 of a 100,000 AUM.
    ws.import_file("customer_team", write(tmp_path, "C1,M2,product,0.6", "C1,M3,risk,0.5"))
    ctx = ws.query_context("core")
    credit = ctx.credit_shares()
    with ws.engine.connect() as conn:
        shares = dict(conn.execute(select(credit.c.manager_id, credit.c.share)
                                   .where(credit.c.customer_id == "C1")).all())
    assert shares == {"M1": pytest.approx(0.4), "M2": pytest.approx(0.6)}
