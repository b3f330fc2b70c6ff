from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from guanxi.importing.values import (
    Period,
    ValueProblem,
    convert,
    converter_for,
    format_value,
    parse_period,
)
from guanxi.periods import ValueProblem as PeriodValueProblem

TYPES = ["text", "integer", "decimal", "share", "boolean", "date", "datetime", "cn_ric", "cn_uscc",
         "cn_mobile"]


def problem(type_name, text, **options):
    with pytest.raises(ValueProblem) as caught:
        convert(type_name, text, **options)
    return str(caught.value)


@pytest.mark.parametrize("type_name", TYPES)
@pytest.mark.parametrize("text", [None, "", "   "])
def test_blank_is_none(type_name, text):
    assert convert(type_name, text) is None


def test_converter_for_returns_the_same_conversion():
    to_integer = converter_for("integer")
    assert [to_integer(text) for text in ["1", None, "2.0"]] == [1, None, 2]


def test_unknown_type():
    with pytest.raises(ValueError, match="^unknown field type 'money'"):
        converter_for("money")


def test_value_problem_is_one_class():
    assert ValueProblem is PeriodValueProblem


# text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Ann", "Ann"), ("  王䶮 \t", "王䶮"), ("a\nb", "a\nb"), ("0", "0")],
)
def test_text(text, expected):
    assert convert("text", text) == expected


# integer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("-3", -3),
        ("+4", 4),
        (" 7 ", 7),
        ("0", 0),
        ("007", 7),
        ("12.0", 12),
        ("-12.00", -12),
        (" 5.0 ", 5),
        ("123456789012345678901234567890", 123456789012345678901234567890),
    ],
)
def test_integer_accepts(text, expected):
    value = convert("integer", text)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    "text", ["12.5", "12.", "1.5e0", "1,00", "1_000", "1 000", "abc", "--1", "0x1F", "½"]
)
def test_integer_rejects(text):
    assert problem("integer", text) == "expected a whole number"


# decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.50", "1234.50"),
        ("-3", "-3"),
        ("+4.5", "4.5"),
        (" 0.5 ", "0.5"),
        (".5", "0.5"),
        ("0", "0"),
        ("12345678901234567890.123456789", "12345678901234567890.123456789"),
    ],
)
def test_decimal_accepts(text, expected):
    value = convert("decimal", text)
    assert type(value) is Decimal
    assert value == Decimal(expected)


def test_decimal_keeps_its_digits():
    assert str(convert("decimal", "1234.50")) == "1234.50"


@pytest.mark.parametrize(
    "text",
    ["1,23", "12,5", "1,2345.0", ",123", "1e", "NaN", "nan", "Infinity", "-inf", "1_000",
     "abc", "1.2.3", "$12", "¥-¥12", "１２,３"],
)
def test_decimal_rejects(text):
    assert problem("decimal", text) == "expected a number"


# boolean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True), ("false", False),
        ("TRUE", True), ("False", False),
        ("yes", True), ("No", False),
        ("y", True), ("N", False),
        ("1", True), ("0", False),
        ("是", True), ("否", False),
        (" true ", True),
    ],
)
def test_boolean_accepts(text, expected):
    assert convert("boolean", text) is expected


@pytest.mark.parametrize("text", ["2", "t", "on", "真", "yes please", "1.0"])
def test_boolean_rejects(text):
    assert problem("boolean", text) == "expected true or false (also yes/no, 1/0, 是/否)"


# date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", dt.date(2026, 11, 23)),
        ("2026/11/23", dt.date(2026, 11, 23)),
        ("20261123", dt.date(2026, 11, 23)),
        ("2026-1-5", dt.date(2026, 1, 5)),
        ("2026/1/5", dt.date(2026, 1, 5)),
        (" 2026-11-23 ", dt.date(2026, 11, 23)),
        ("2028-02-29", dt.date(2028, 2, 29)),
        ("2026-11-23 00:00:00", dt.date(2026, 11, 23)),
        ("2026-11-23T00:00", dt.date(2026, 11, 23)),
    ],
)
def test_date_accepts(text, expected):
    value = convert("date", text)
    assert value == expected
    assert type(value) is dt.date


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-29",
        "2026-13-01",
        "2026-11-31",
        "2026-00-10",
        "20261323",
        "2026/11-23",
        "23/11/2026",
        "11/23/2026",
        "2026-W47-1",
        "2026-11",
        "2026-11-23 09:30",
        "2026-11-23T00:00:00+08:00",
        "today",
    ],
)
def test_date_rejects(text):
    assert problem("date", text) == "expected a date like 2026-11-23"


# datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T09:30", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026-11-23T09:30:15", dt.datetime(2026, 11, 23, 9, 30, 15)),
        ("2026-11-23 09:30", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026-11-23 09:30:00", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026/11/23 09:30", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026/1/5 7:05:03", dt.datetime(2026, 1, 5, 7, 5, 3)),
        ("2026-11-23", dt.datetime(2026, 11, 23)),
        ("2026/11/23", dt.datetime(2026, 11, 23)),
        ("20261123", dt.datetime(2026, 11, 23)),
        (" 2026-11-23 09:30 ", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026-11-23T09:30:00.250", dt.datetime(2026, 11, 23, 9, 30, 0, 250000)),
    ],
)
def test_datetime_accepts(text, expected):
    value = convert("datetime", text)
    assert value == expected
    assert value.tzinfo is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T09:30:00+08:00", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026-11-23T01:30:00Z", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026-11-23T01:30:00+00:00", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026/11/23 01:30 Z", dt.datetime(2026, 11, 23, 9, 30)),
        ("2026/11/23 09:30 +0900", dt.datetime(2026, 11, 23, 8, 30)),
        ("2026-12-31T20:00:00-05:00", dt.datetime(2027, 1, 1, 9, 0)),
    ],
)
def test_datetime_offset_moves_to_shanghai(text, expected):
    assert convert("datetime", text) == expected


def test_datetime_offset_moves_to_the_given_zone():
    paris = ZoneInfo("Europe/Paris")
    winter = convert("datetime", "2026-11-23T09:30:00Z", tz=paris)
    summer = converter_for("datetime", paris)("2026-07-01T09:30:00Z")
    assert winter == dt.datetime(2026, 11, 23, 10, 30)
    assert summer == dt.datetime(2026, 7, 1, 11, 30)


def test_datetime_without_offset_is_left_alone():
    paris = ZoneInfo("Europe/Paris")
    assert convert("datetime", "2026-11-23 09:30", tz=paris) == dt.datetime(2026, 11, 23, 9, 30)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T25:00",
        "2026-11-23 09:60",
        "2026-02-30 09:30",
        "2026/11/23 09:30 +25:00",
        "23/11/2026 09:30",
        "09:30",
        "2026-11-23 9h30",
        "now",
    ],
)
def test_datetime_rejects(text):
    assert problem("datetime", text) == "expected a date and time like 2026-11-23 09:30"


# format_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("Ann", "Ann"),
        (True, "true"),
        (False, "false"),
        (12, "12"),
        (-3, "-3"),
        (0, "0"),
        (Decimal("1234.50"), "1234.50"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-0.000001"), "-0.000001"),
        (12.0, "12"),
        (1234.5, "1234.5"),
        (0.1 + 0.2, "0.3"),
        (1e-7, "0.0000001"),
        (1e20, "100000000000000000000"),
        (dt.date(2026, 11, 23), "2026-11-23"),
        (dt.datetime(2026, 11, 23, 9, 30), "2026-11-23T09:30:00"),
        (dt.datetime(2026, 11, 23, 9, 30, 15, 999), "2026-11-23T09:30:15"),
        (dt.time(9, 30), "09:30:00"),
    ],
)
def test_format_value(value, expected):
    assert format_value(value) == expected


@pytest.mark.parametrize(
    ("type_name", "text"),
    [
        ("integer", "-12"),
        ("decimal", "1234.50"),
        ("decimal", "0.001"),
        ("boolean", "true"),
        ("date", "2026-11-23"),
        ("datetime", "2026-11-23T09:30:00"),
        ("text", "王䶮"),
    ],
)
def test_format_value_is_read_back_unchanged(type_name, text):
    assert format_value(convert(type_name, text)) == text


# periods


@pytest.mark.parametrize(
    ("text", "grain", "start", "end", "label"),
    [
        ("2026-10", "month", dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026-10"),
        ("2026-1", "month", dt.date(2026, 1, 1), dt.date(2026, 2, 1), "2026-01"),
        ("2026-12", "month", dt.date(2026, 12, 1), dt.date(2027, 1, 1), "2026-12"),
        ("2026-Q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 4, 1), "2026-Q1"),
        ("2026-q3", "quarter", dt.date(2026, 7, 1), dt.date(2026, 10, 1), "2026-Q3"),
        ("2026-Q4", "quarter", dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026-Q4"),
        ("2026", "year", dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026"),
        ("2026-10-01", "month", dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026-10"),
        ("2026-11-23", "day", dt.date(2026, 11, 23), dt.date(2026, 11, 24), "2026-11-23"),
        ("2026-12-31", "day", dt.date(2026, 12, 31), dt.date(2027, 1, 1), "2026-12-31"),
        (" 2026-10 ", "month", dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026-10"),
    ],
)
def test_parse_period(text, grain, start, end, label):
    assert parse_period(text) == Period(grain, start, end, label)


@pytest.mark.parametrize(
    "text",
    [
        "", "26", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026Q3", "2026-02-30",
        "0000", "Oct 2026", "2026-10-", None,
    ],
)
def test_parse_period_rejects(text):
    with pytest.raises(ValueProblem) as caught:
        parse_period(text)
    assert str(caught.value) == "expected a period like 2026-10, 2026-Q3 or 2026"


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2026-10", "2026-09"),
        ("2026-01", "2025-12"),
        ("2026-Q3", "2026-Q2"),
        ("2026-Q1", "2025-Q4"),
        ("2026", "2025"),
        ("2026-03-02", "2026-03-01"),
        ("2028-03-02", "2028-03-01"),
    ],
)
def test_previous(text, previous):
    assert parse_period(text).previous().label == previous


def test_previous_day_across_month_end():
    assert parse_period("2026-11-23").previous().previous().label == "2026-11-21"
    assert Period.containing(dt.date(2028, 3, 1), "day").previous() == Period(
        "day", dt.date(2028, 2, 29), dt.date(2028, 3, 1), "2028-02-29"
    )


def test_previous_q4_ends_where_q1_starts():
    q1 = parse_period("2027-Q1")
    assert q1.previous() == parse_period("2026-Q4")
    assert q1.previous().end == q1.start == dt.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("grain", "label"),
    [("day", "2026-11-23"), ("month", "2026-11"), ("quarter", "2026-Q4"), ("year", "2026")],
)
def test_containing(grain, label):
    assert Period.containing(dt.date(2026, 11, 23), grain).label == label
    assert Period.containing(dt.datetime(2026, 11, 23, 23, 59), grain).label == label


def test_containing_unknown_grain():
    # A week is a grain since issue 14 (one period type); a fortnight is not.
    with pytest.raises(ValueError, match="^unknown period grain 'fortnight'"):
        Period.containing(dt.date(2026, 11, 23), "fortnight")


def test_period_membership_is_half_open():
    october = parse_period("2026-10")
    assert dt.date(2026, 10, 1) in october
    assert dt.date(2026, 10, 31) in october
    assert dt.date(2026, 11, 1) not in october
    assert dt.datetime(2026, 10, 31, 23, 59) in october


def test_period_is_frozen():
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        parse_period("2026").label = "2027"


# periods at a metric's grain (issue 13)


@pytest.mark.parametrize(
    ("text", "grain", "label"),
    [
        ("2026-11-30", "month", "2026-11"),
        ("2026/11/30", "month", "2026-11"),
        ("20261130", "month", "2026-11"),
        ("2026-11-01", "month", "2026-11"),
        ("2026-11", "month", "2026-11"),
        ("2026-11-01", "day", "2026-11-01"),
        ("2026-11-30", "day", "2026-11-30"),
        ("2026-11-30", "quarter", "2026-Q4"),
        ("2026-Q4", "quarter", "2026-Q4"),
        ("2026-12-31", "year", "2026"),
    ],
)
def test_parse_period_at_a_grain(text, grain, label):
    assert parse_period(text, grain).label == label
    assert parse_period(text, grain).grain == grain


@pytest.mark.parametrize(
    ("text", "grain", "message"),
    [
        ("2026-Q3", "month", "2026-Q3 is a quarter, not a month; write a month like 2026-11 "
                             "or a date inside it"),
        ("2026", "month", "2026 is a year, not a month; write a month like 2026-11 or a date "
                          "inside it"),
        ("2026-11", "day", "2026-11 is a month, not a day; write a date like 2026-11-30"),
    ],
)
def test_parse_period_refuses_a_period_the_grain_cannot_hold(text, grain, message):
    with pytest.raises(ValueProblem) as caught:
        parse_period(text, grain)
    assert str(caught.value) == message


def test_without_a_grain_the_date_spellings_are_accepted_too():
    assert parse_period("2026/11/30").label == "2026-11-30"
    assert parse_period("20261130").label == "2026-11-30"
    assert parse_period("20261101").label == "2026-11"


def test_the_converters_cover_every_field_type():
    from guanxi.contributions import FIELD_TYPES
    from guanxi.importing.values import TYPES as CONVERTED

    assert tuple(TYPES) == FIELD_TYPES == CONVERTED
    assert all(callable(converter_for(name)) for name in FIELD_TYPES)
