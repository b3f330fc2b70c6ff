"""Issue 20: numbers as people write them in spreadsheets, each form exact,
through a single converter and through the importer's column path alike."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from sqlalchemy import select

from core_helpers import write
from guanxi.importing.values import ValueProblem, convert, read_number
from guanxi.storage import tables as t


@pytest.mark.parametrize(("text", "expected"), [
    ("1,234.50", "1234.50"),
    ("-1,234,567.5", "-1234567.5"),
    ("1,234", "1234"),
    ("１２３．５", "123.5"),
    ("－１２３", "-123"),
    ("＋１,２３４．５", "1234.5"),
    ("1.5E+05", "150000"),
    ("1.5e5", "150000"),
    ("2E-3", "0.002"),
    ("¥1,234", "1234"),
    ("￥1,234.50", "1234.50"),
    ("-¥5", "-5"),
    ("¥-5", "-5"),
    ("¥ 12", "12"),
    ("\u22125", "-5"),   # the minus sign of typeset text
])
def test_decimal_forms(text, expected):
    value = convert("decimal", text)
    assert type(value) is Decimal
    assert str(value) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1,234", 1234), ("１２３", 123), ("1.5E+05", 150000), ("¥1,000", 1000), ("-2,000.00", -2000),
])
def test_integer_forms(text, expected):
    value = convert("integer", text)
    assert type(value) is int and value == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("1,23", "expected a number"),             # a decimal comma in some locales: ambiguous
    ("12,5", "expected a number"),
    ("1,2345", "expected a number"),
    ("1 234", "expected a number"),
    ("$12", "expected a number"),
    ("12.5%", "expected a number; a percentage is read only where a share is expected"),
    ("1e400000000000", "expected a number"),
])
def test_decimal_refusals(text, reason):
    with pytest.raises(ValueProblem) as caught:
        convert("decimal", text)
    assert str(caught.value) == reason


def test_a_fraction_in_exponent_form_is_not_a_whole_number():
    with pytest.raises(ValueProblem, match="^expected a whole number$"):
        convert("integer", "1.5E+00")


@pytest.mark.parametrize(("text", "expected"), [
    ("12.5%", "0.125"), ("１２．５％", "0.125"), ("100%", "1"), ("0%", "0"), ("0.125", "0.125"),
    ("12.5 %", "0.125"), (".5", "0.5"),
])
def test_a_share_reads_a_percentage(text, expected):
    assert convert("share", text) == Decimal(expected)


def test_read_number_is_the_slow_path():
    assert read_number("1,234.5") == Decimal("1234.5")
    assert read_number("12.5%", percent=True) == Decimal("0.125")
    with pytest.raises(ValueProblem, match="^expected a whole number$"):
        read_number("x", problem="expected a whole number")


def rejects(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [(r["line"], r["column"], r["value"], r["reason"]) for r in csv.DictReader(handle)]


@pytest.fixture
def ws(workspace, tmp_path):
    workspace.import_file("managers", write(tmp_path / "m.csv", "id,name\nM1,Wang\nM2,Li\n"))
    workspace.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\n"))
    return workspace


def test_an_import_reads_each_form_and_names_the_column_and_line_of_the_rest(ws, tmp_path):
    path = write(tmp_path / "i.csv", """\
        id,customer_id,kind,occurred_at,amount
        I1,C1,order,2026-11-02 10:00,"1,234.50"
        I2,C1,order,2026-11-02 10:00,１２３．５
        I3,C1,order,2026-11-02 10:00,1.5E+05
        I4,C1,order,2026-11-02 10:00,"¥1,234"
        I5,C1,order,2026-11-02 10:00,12.5%
        I6,C1,order,2026-11-02 10:00,"1,23"
        I7,C1,order,2026-11-02 10:00,12
        """)
    result = ws.import_file("interactions", path)
    assert (result.inserted, result.rejected) == (5, 2)
    assert rejects(tmp_path / "i.rejects.csv") == [
        ("6", "amount", "12.5%",
         "expected a number; a percentage is read only where a share is expected"),
        ("7", "amount", "1,23", "expected a number"),
    ]
    with ws.engine.connect() as conn:
        stored = dict(conn.execute(select(t.interactions.c.id, t.interactions.c.amount)).all())
    assert {k: Decimal(str(v)) for k, v in stored.items()} == {
        "I1": Decimal("1234.50"), "I2": Decimal("123.5"), "I3": Decimal("150000"),
        "I4": Decimal("1234"), "I7": Decimal("12")}


def test_a_credit_share_is_read_as_a_percentage_too(ws, tmp_path):
    result = ws.import_file("customer_team", write(tmp_path / "ct.csv", """\
        customer_id,manager_id,role,share
        C1,M1,product,12.5%
        C1,M2,risk,１０％
        """))
    assert (result.inserted, result.rejected) == (2, 0)
    with ws.engine.connect() as conn:
        shares = dict(conn.execute(select(t.customer_team.c.manager_id,
                                          t.customer_team.c.share)).all())
    assert {k: Decimal(str(v)).normalize() for k, v in shares.items()} == {
        "M1": Decimal("0.125"), "M2": Decimal("0.1")}


def test_a_measurement_value_with_thousands_separators(ws, tmp_path):
    result = ws.import_file("measurements", write(tmp_path / "ms.csv", """\
        customer_id,metric,period,value
        C1,revenue,2026-10,"12,345.6789"
        C1,revenue,2026-11,１２３
        """))
    assert (result.inserted, result.rejected) == (2, 0)
    with ws.engine.connect() as conn:
        values = [Decimal(str(v)) for v in conn.execute(
            select(t.measurements.c.value).order_by(t.measurements.c.period)).scalars()]
    assert values == [Decimal("12345.6789"), Decimal("123")]
