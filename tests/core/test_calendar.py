"""The business calendar, its SQL helpers, and rotas, at the boundaries the rules define.

Mainland China's 2026 calendar (国务院办公厅, from the holidays package):
National Day 2026-10-01..07 with make-up working days Sunday 2026-09-20
and Saturday 2026-10-10; Spring Festival make-up Saturday 2026-02-14.
TOB-REPORT's "每月5日前(节假日顺延)" is ``due_on(5, month)``.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import Date, func, literal, select

import guanxi
from guanxi.cli import cli
from guanxi.engines.context import Context
from guanxi.errors import ConfigError, GuanxiError, UsageError
from guanxi.service.calendar import BusinessCalendar
from guanxi.storage import service_tables as st

D = dt.date
T = dt.datetime
CN = BusinessCalendar()  # the defaults: CN, Saturday and Sunday off, 09:00-17:30


# -- working days ---------------------------------------------------------------


def test_national_day_week_is_seven_rest_days_then_the_make_up_saturday():
    assert CN.working_days(D(2026, 9, 28), D(2026, 10, 12)) == [
        D(2026, 9, 28), D(2026, 9, 29), D(2026, 9, 30),
        D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10),
    ]
    week = [CN.explain(D(2026, 10, day)) for day in range(1, 8)]
    assert [(d.working, d.why, d.note) for d in week] == [
        (False, "holiday", "National Day"),
        (False, "holiday", "National Day"),
        (False, "holiday", "National Day"),
        (False, "weekend", None),  # Sunday 10-04
        (False, "holiday", "National Day (observed)"),
        (False, "holiday", "Day off (substituted from 09/20/2026)"),
        (False, "holiday", "Day off (substituted from 10/10/2026)"),
    ]
    make_up = CN.explain(D(2026, 10, 10))
    assert (make_up.working, make_up.why, make_up.weekday, make_up.source) == (
        True, "make-up day", "sat", "official")
    assert CN.is_working(D(2026, 9, 20))  # the make-up Sunday before it
    assert not CN.is_working(D(2026, 10, 11))


def test_next_and_add_working_days_across_national_day():
    assert CN.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert CN.next_working_day(D(2026, 9, 30)) == D(2026, 9, 30)
    assert CN.add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)
    assert CN.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert CN.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert CN.add_working_days(D(2026, 10, 3), 1) == D(2026, 10, 8)  # from a holiday
    assert CN.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert CN.add_working_days(D(2026, 10, 10), 1) == D(2026, 10, 12)
    with pytest.raises(UsageError, match="n >= 0"):
        CN.add_working_days(D(2026, 10, 1), -1)


def test_a_make_up_saturday_is_a_working_day():
    day = CN.explain(D(2026, 2, 14))
    assert (day.working, day.why, day.note) == (True, "make-up day", "make-up working day (调休)")
    assert CN.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert not CN.is_working(D(2026, 2, 21))  # an ordinary Saturday of the same month
    # Spring Festival: 02-15 (Sunday) to 02-23 off; 02-24 is the next working day.
    assert CN.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_due_on_the_5th_or_the_next_working_day():
    # TOB-REPORT: "每月5日前(节假日顺延)"
    assert CN.due_on(5, "2026-11") == D(2026, 11, 5)   # a Thursday: the day itself
    assert CN.due_on(5, "2026-07") == D(2026, 7, 6)    # a Sunday: Monday
    assert CN.due_on(5, "2026-10") == D(2026, 10, 8)   # a holiday (National Day week)
    assert CN.due_on(5, "2026-05") == D(2026, 5, 6)    # Labour Day's substituted day off
    assert CN.due_on(5, "2026-04") == D(2026, 4, 7)    # Tomb-Sweeping Sunday, observed Monday
    with pytest.raises(UsageError, match="1 to 31"):
        CN.due_on(0, "2026-10")


def test_due_on_the_last_day_when_the_month_is_short():
    # 2026-02-28 is the make-up Saturday of the Spring Festival: a working day.
    assert CN.due_on(31, "2026-02") == D(2026, 2, 28)
    assert CN.due_on(30, "2026-04") == D(2026, 4, 30)


def test_a_year_the_holidays_package_does_not_know_has_weekends_only():
    assert not CN.knows_year(2101)
    assert CN.knows_year(2026)
    # 2101-01-01 is a Saturday: no New Year holiday known, Monday 01-03 works.
    assert CN.explain(D(2101, 1, 1)).why == "weekend"
    assert CN.next_working_day(D(2101, 1, 1)) == D(2101, 1, 3)
    assert CN.working_days(D(2100, 12, 30), D(2101, 1, 5)) == [
        D(2100, 12, 30), D(2100, 12, 31), D(2101, 1, 3), D(2101, 1, 4)]
    assert CN.explain(D(2100, 12, 31)).why == "weekday"


def test_no_country_means_no_official_holidays():
    plain = BusinessCalendar(country="")
    assert plain.is_working(D(2026, 10, 1))
    assert not plain.is_working(D(2026, 10, 10))  # no make-up days either
    assert plain.knows_year(2101)


def test_configured_weekend_holidays_and_workdays():
    cal = BusinessCalendar(weekend=["fri", "sat"], holidays=["2026-11-25"],
                           workdays=["2026-10-07"])
    assert [cal.explain(D(2026, 11, d)).why for d in (20, 21, 22, 25)] == [
        "weekend", "weekend", "weekday", "holiday"]
    seventh = cal.explain(D(2026, 10, 7))
    assert (seventh.working, seventh.why, seventh.source) == (True, "make-up day", "config")


@pytest.mark.parametrize("kwargs,message", [
    ({"weekend": ["sat", "funday"]}, "weekend names 'funday'"),
    ({"holidays": ["2026-13-01"]}, "holidays lists '2026-13-01'"),
    ({"work_start": "9am"}, "work_start = '9am' is not a time"),
    ({"work_start": "18:00"}, r"work_end \(17:30\) must be after work_start \(18:00\)"),
    ({"country": "XX"}, "country = 'XX' is not a country"),
])
def test_a_bad_calendar_setting_is_one_clear_error(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        BusinessCalendar(**kwargs)


def test_seven_weekend_days_is_an_error_not_an_endless_search():
    never = BusinessCalendar(country="", weekend=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    with pytest.raises(GuanxiError, match="no working day in the year from 2026-10-01"):
        never.next_working_day(D(2026, 10, 1))
    with pytest.raises(GuanxiError, match="no working day"):
        never.add_working_hours(T(2026, 10, 1, 9), 1)


# -- working hours ----------------------------------------------------------------


def test_working_hours_between_across_a_weekend():
    # Friday 16:00 to Monday 10:00: 1.5 hours on Friday, 1 on Monday.
    assert CN.working_hours_between(T(2026, 11, 20, 16), T(2026, 11, 23, 10)) == 2.5
    assert CN.working_hours_between(T(2026, 11, 23, 10), T(2026, 11, 20, 16)) == -2.5
    assert CN.working_hours_between(T(2026, 11, 21, 8), T(2026, 11, 22, 20)) == 0.0
    # A whole working day, and outside hours on both ends of it.
    assert CN.working_hours_between(T(2026, 11, 23, 7), T(2026, 11, 23, 19)) == 8.5


def test_working_hours_between_across_a_holiday():
    # 09-30 15:00 to 10-08 11:00: 2.5 hours on 09-30, seven days off, 2 hours on 10-08.
    assert CN.working_hours_between(T(2026, 9, 30, 15), T(2026, 10, 8, 11)) == 4.5
    # The make-up Saturday counts in full.
    assert CN.working_hours_between(T(2026, 10, 9, 17), T(2026, 10, 12, 10)) == 0.5 + 8.5 + 1


def test_add_working_hours_landing_exactly_on_work_end():
    assert CN.add_working_hours(T(2026, 11, 23, 9), 8.5) == T(2026, 11, 23, 17, 30)
    assert CN.add_working_hours(T(2026, 11, 23, 9), 9) == T(2026, 11, 24, 9, 30)
    assert CN.add_working_hours(T(2026, 11, 20, 17), 0.5) == T(2026, 11, 20, 17, 30)  # Friday
    assert CN.add_working_hours(T(2026, 11, 20, 17), 1) == T(2026, 11, 23, 9, 30)    # Monday
    # Before opening and after closing start the count at the next opening.
    assert CN.add_working_hours(T(2026, 11, 23, 6), 1) == T(2026, 11, 23, 10)
    assert CN.add_working_hours(T(2026, 9, 30, 20), 1) == T(2026, 10, 8, 10)
    assert CN.add_working_hours(T(2026, 10, 3, 12), 0) == T(2026, 10, 3, 12)
    start = T(2026, 9, 30, 15, 20)
    end = CN.add_working_hours(start, 20)
    assert CN.working_hours_between(start, end) == 20


# -- the workspace: config, calendar_days, territories -------------------------------


def test_the_config_section_drives_the_workspace_calendar(make_workspace):
    ws = make_workspace(settings={"core.calendar": {
        "weekend": ["sun"], "holidays": ["2026-11-25"], "work_end": "18:00", "country": ""}})
    cal = ws.calendar()
    assert cal.is_working(D(2026, 11, 21))          # Saturday works
    assert not cal.is_working(D(2026, 11, 25))
    assert cal.is_working(D(2026, 10, 1))           # no official holidays
    assert cal.add_working_hours(T(2026, 11, 23, 9), 9) == T(2026, 11, 23, 18)


def test_a_bad_date_in_the_config_names_the_file(make_workspace):
    ws = make_workspace(settings={"core.calendar": {"holidays": ["2026-10-32"]}})
    with pytest.raises(ConfigError, match=r"guanxi.toml: \[core.calendar\] holidays lists "
                                          r"'2026-10-32', which is not a date like 2026-10-08"):
        ws.calendar()


def test_a_bad_weekend_day_in_the_config_fails_at_open(tmp_path):
    from guanxi.testing import write_config

    path = write_config(tmp_path / "guanxi.toml", database=f"sqlite:///{tmp_path / 'g.db'}",
                        settings={"core.calendar": {"weekend": ["sat", "sunday"]}})
    with pytest.raises(ConfigError, match=r"\[core.calendar\] weekend = \['sat', 'sunday'\] "
                                          "is not allowed; use one of: mon, tue"):
        guanxi.open(path)


def test_a_territory_calendar_is_the_organization_s_plus_its_own_days(workspace, examples):
    workspace.import_file("calendar_days", examples / "calendar_days.csv")
    org, north = workspace.calendar(), workspace.calendar("north")
    # The organization's year-end closing, and the north's own founding day.
    assert not org.is_working(D(2026, 12, 31))
    assert org.is_working(D(2026, 11, 16))
    assert not north.is_working(D(2026, 11, 16))
    founding = north.explain(D(2026, 11, 16))
    assert (founding.why, founding.note, founding.source) == (
        "holiday", "county founding day", "territory")
    # The north's own row wins over the organization's closing.
    open_day = north.explain(D(2026, 12, 31))
    assert (open_day.working, open_day.why, open_day.note, open_day.source) == (
        True, "make-up day", "north branch stays open", "territory")
    stocktaking = north.explain(D(2026, 12, 26))  # inherited
    assert (stocktaking.working, stocktaking.why, stocktaking.source) == (
        True, "make-up day", "organization")
    assert org.add_working_days(D(2026, 11, 13), 1) == D(2026, 11, 16)
    assert north.add_working_days(D(2026, 11, 13), 1) == D(2026, 11, 17)
    # A territory without rows of its own is the organization's calendar.
    assert workspace.calendar("south").is_working(D(2026, 11, 16))
    assert workspace.calendar_names() == ["", "north"]


def test_calendar_days_rows_are_checked(workspace, tmp_path):
    bad = tmp_path / "days.csv"
    bad.write_text("calendar,day,working\n,2026-02-30,false\n,2026-10-09,maybe\n", encoding="utf-8")
    result = workspace.import_file("calendar_days", bad)
    assert (result.inserted, result.rejected) == (0, 2)


# -- business_days and the SQL helpers --------------------------------------------------


def _helpers(ws, as_of=D(2026, 10, 1)) -> Context:
    # The public context: the as-of years' working days are built first.
    return ws.query_context("core", as_of)


def test_building_a_query_never_writes_the_calendar(make_workspace):
    ws = make_workspace()
    ctx = ws.build_context("core", D(2026, 11, 20))
    assert not ctx.uses_calendar
    c = ctx.tables.customers
    select(c.c.id, ctx.add_working_days(c.c.created_at, 1))
    assert ctx.uses_calendar
    with ws.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(st.business_days)) == 0
    # Whoever runs it builds the days first (the engines: prepare_calendar).
    ws.ensure_business_days(ctx.as_of)
    with ws.engine.connect() as conn:
        built = conn.execute(select(func.min(st.business_days.c.day),
                                    func.max(st.business_days.c.day))).one()
    assert tuple(built) == (D(2025, 1, 1), D(2027, 12, 31))


def test_build_calendar_numbers_working_days_and_rewrites_only_on_change(workspace):
    first = workspace.build_calendar(D(2026, 9, 28), D(2026, 10, 12))
    assert (first.calendars, first.days) == (("",), 14)
    bd = st.business_days
    with workspace.engine.connect() as conn:
        rows = conn.execute(select(bd.c.day, bd.c.working, bd.c.seq).order_by(bd.c.day)).all()
    assert [(r.day.day, r.working, r.seq) for r in rows] == [
        (28, True, 1), (29, True, 2), (30, True, 3),
        (1, False, 3), (2, False, 3), (3, False, 3), (4, False, 3), (5, False, 3),
        (6, False, 3), (7, False, 3), (8, True, 4), (9, True, 5), (10, True, 6), (11, False, 6),
    ]
    assert workspace.build_calendar(D(2026, 9, 28), D(2026, 10, 12)).days == 0
    workspace.save("calendar_days", [{"calendar": "north", "day": "2026-10-09", "working": False}])
    again = workspace.build_calendar(D(2026, 10, 1), D(2026, 10, 5))
    # The range keeps what was built; the organization's rows did not change.
    assert (again.calendars, again.start, again.end, again.days) == (
        ("", "north"), D(2026, 9, 28), D(2026, 10, 12), 14)
    with pytest.raises(UsageError, match="the calendar range is empty"):
        workspace.build_calendar(D(2026, 10, 5), D(2026, 10, 5))


def test_a_territory_that_loses_its_rows_loses_its_calendar(workspace):
    workspace.save("calendar_days", [{"calendar": "north", "day": "2026-10-09", "working": False}])
    assert workspace.ensure_business_days(D(2026, 10, 1)).calendars == ("", "north")
    with workspace.engine.begin() as conn:
        conn.execute(st.calendar_days.delete())
    assert workspace.ensure_business_days(D(2026, 10, 1)).calendars == ("",)
    with workspace.engine.connect() as conn:
        left = conn.scalars(select(st.business_days.c.calendar).distinct()).all()
    assert left == [""]


def test_the_sql_helpers_give_the_python_answers(workspace, examples):
    workspace.import_file("calendar_days", examples / "calendar_days.csv")
    ctx = _helpers(workspace, as_of=D(2026, 11, 1))
    days = [D(2026, 9, 15) + dt.timedelta(days=i) for i in range(110)]
    # "south" has no rows of its own: the organization's calendar, in SQL as in Python.
    for name in ("", "north", "south"):
        cal = workspace.calendar(name)
        probe = st.business_days.alias("probe")
        day = probe.c.day
        ahead = ctx.add_days(day, 12)
        query = (
            select(day, ctx.next_working_day(day, name), ctx.add_working_days(day, 0, name),
                   ctx.add_working_days(day, 1, name), ctx.add_working_days(day, 4, name),
                   ctx.add_working_days(day, literal(0), name),
                   ctx.add_working_days(day, literal(2), name),
                   ctx.working_days_between(day, ahead, name),
                   ctx.working_days_between(ahead, day, name))
            .where(probe.c.calendar == (name if name != "south" else ""),
                   day >= days[0], day <= days[-1])
            .order_by(day)
        )
        with workspace.engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
        expected = [
            (d, cal.next_working_day(d), cal.add_working_days(d, 0), cal.add_working_days(d, 1),
             cal.add_working_days(d, 4), cal.add_working_days(d, 0), cal.add_working_days(d, 2),
             len(cal.working_days(d, d + dt.timedelta(days=12))),
             -len(cal.working_days(d, d + dt.timedelta(days=12))))
            for d in days
        ]
        assert rows == expected, name


def test_the_sql_helpers_take_a_territory_column(make_workspace, examples):
    ws = make_workspace()
    ws.import_file("calendar_days", examples / "calendar_days.csv")
    ws.save("customers", [
        {"id": "C1", "name": "north", "territory": "north", "created_at": "2026-11-13"},
        {"id": "C2", "name": "south", "territory": "south", "created_at": "2026-11-13"},
        {"id": "C3", "name": "none", "created_at": "2026-11-13"},
    ])
    ctx = _helpers(ws, as_of=D(2026, 11, 20))
    c = ctx.tables.customers
    query = select(c.c.id, ctx.add_working_days(c.c.created_at, 1, c.c.territory),
                   ctx.day_at(ctx.next_working_day(c.c.created_at, c.c.territory), 17),
                   ctx.working_days_between(c.c.created_at, literal(D(2026, 11, 18), Date),
                                            c.c.territory)
                   ).order_by(c.c.id)
    with ws.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    # The north rests on 11-16; the south and a customer without territory do not.
    assert rows == [
        ("C1", D(2026, 11, 17), T(2026, 11, 13, 17), 2),
        ("C2", D(2026, 11, 16), T(2026, 11, 13, 17), 3),
        ("C3", D(2026, 11, 16), T(2026, 11, 13, 17), 3),
    ]


def test_outside_the_built_range_the_helpers_give_null(workspace):
    ctx = Context(dialect=workspace.dialect, pack="core", config={}, as_of=D(2026, 10, 1))
    workspace.build_calendar(D(2026, 10, 1), D(2026, 11, 1))
    day = literal(D(2026, 12, 1), Date)
    with workspace.engine.connect() as conn:
        found = conn.execute(select(ctx.next_working_day(day), ctx.add_working_days(day, 1))).one()
    assert tuple(found) == (None, None)


def test_a_rule_using_the_helpers_builds_the_range_it_needs(make_workspace):
    def follow_up(ctx):
        c = ctx.tables.customers
        due = ctx.day_at(ctx.add_working_days(c.c.created_at, 2), 17)
        return select(c.c.id.label("customer_id"), due.label("due_at"),
                      literal(1).label("priority"), literal("follow up").label("reason"))

    class Pack:
        @guanxi.hookimpl
        def guanxi_service_rules(self):
            return [guanxi.ServiceRule(name="p.follow_up", title="", description="",
                                       query=follow_up)]

    ws = make_workspace(extra_packs={"p": Pack()})
    ws.save("customers", [{"id": "C1", "name": "c", "created_at": "2026-09-30"}])
    ws.run_rules(["p.follow_up"], as_of=D(2026, 10, 1))
    (task,) = ws.tasks(rule="p.follow_up")
    assert task.due_at == T(2026, 10, 9, 17)
    bd = st.business_days
    with ws.engine.connect() as conn:
        low, high = conn.execute(select(func.min(bd.c.day), func.max(bd.c.day))).one()
    assert (low, high) == (D(2025, 1, 1), D(2027, 12, 31))


# -- rotas (BANK-SPOTCHECK) ----------------------------------------------------------


@pytest.fixture
def staffed(workspace, examples):
    for entity in ("teams", "managers", "rotas"):
        workspace.import_file(entity, examples / f"{entity}.csv")
    return workspace


def test_who_is_on_duty(staffed):
    assert staffed.on_duty("spotcheck", D(2026, 11, 23)) == ["M002"]
    assert staffed.on_duty("spotcheck", D(2026, 11, 25)) == ["M002", "M004"]
    assert staffed.on_duty("spotcheck", D(2026, 11, 26)) == []
    assert staffed.on_duty("nightshift", D(2026, 11, 23)) == []
    assert staffed.rotas() == ["spotcheck"]
    assert staffed.rota("spotcheck", D(2026, 11, 24), D(2026, 11, 25)) == [
        (D(2026, 11, 24), "M004")]


def test_a_rota_row_must_name_a_known_manager(staffed, tmp_path):
    bad = tmp_path / "rota.csv"
    bad.write_text("rota,day,manager_id\nspotcheck,2026-11-26,M999\n", encoding="utf-8")
    result = staffed.import_file("rotas", bad)
    assert (result.inserted, result.rejected) == (0, 1)
    assert staffed.on_duty("spotcheck", D(2026, 11, 26)) == []


# -- the commands -------------------------------------------------------------------


def invoke(ws, *args):
    return CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])


def test_calendar_show_json(workspace):
    result = invoke(workspace, "calendar", "show", "--month", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    days = json.loads(result.output)
    assert len(days) == 31
    assert days[9] == {"day": "2026-10-10", "weekday": "sat", "working": True,
                       "why": "make-up day", "note": "make-up working day (调休)",
                       "source": "official"}
    assert days[0]["why"] == "holiday" and days[3]["why"] == "weekend"
    assert days[7] == {"day": "2026-10-08", "weekday": "thu", "working": True, "why": "weekday",
                       "note": None, "source": ""}


def test_calendar_show_territory_and_an_unknown_year(workspace, examples):
    workspace.import_file("calendar_days", examples / "calendar_days.csv")
    result = invoke(workspace, "calendar", "show", "--month", "2026-11", "--territory", "north",
                    "--format", "csv")
    assert result.exit_code == 0
    assert "2026-11-16,mon,no,holiday,county founding day,territory" in result.output
    result = CliRunner().invoke(
        cli, ["--config", str(workspace.config.path), "calendar", "show", "--month", "2101-01"])
    assert result.exit_code == 0
    assert "no official days of CN for 2101" in result.stderr
    bad = invoke(workspace, "calendar", "show", "--month", "2026-Q3")
    assert (bad.exit_code, bad.output.strip()) == (
        2, "Error: --month '2026-Q3' is not a month; write it like 2026-10")


def test_calendar_next_and_build(workspace):
    assert invoke(workspace, "calendar", "next", "2026-10-01").output == "2026-10-08\n"
    added = invoke(workspace, "calendar", "next", "2026-09-30", "--add", "3")
    assert added.output == "2026-10-10\n"
    result = invoke(workspace, "calendar", "build", "--from", "2026-01-01", "--to", "2026-12-31",
                    "--format", "json")
    assert json.loads(result.output) == {"calendars": [""], "from": "2026-01-01",
                                         "to": "2026-12-31", "days": 365}
    again = invoke(workspace, "calendar", "build", "--from", "2026-01-01", "--to", "2026-12-31")
    assert again.output == ("Calendars organization built from 2026-01-01 to 2026-12-31: "
                            "already up to date.\n")


def test_rota_show(staffed):
    result = invoke(staffed, "rota", "show", "spotcheck", "--date", "2026-11-25",
                    "--format", "json")
    assert json.loads(result.output) == [
        {"rota": "spotcheck", "day": "2026-11-25", "manager_id": "M002", "name": "李强"},
        {"rota": "spotcheck", "day": "2026-11-25", "manager_id": "M004", "name": "赵磊"},
    ]
    empty = invoke(staffed, "rota", "show", "spotcheck", "--date", "2026-11-26")
    assert empty.output == "Nobody is on duty in spotcheck on 2026-11-26.\n"
    unknown = invoke(staffed, "rota", "show", "leaders")
    assert (unknown.exit_code, unknown.output.strip()) == (
        1, "Error: no rota named 'leaders'; rotas: spotcheck")
