"""Report kinds a pack declares (guanxi.ReportKind): built from their figures, rendered to
Markdown, HTML and xlsx, tracked as the reports they are; `guanxi reports show`.

The test pack (hookpack.py) declares ``testpack.customers``: a manager's customers (a
Select) and their share of all customers (plain Python over the first figure), due on
the 3rd of the next month.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import guanxi
from core_helpers import fake_dists  # noqa: F401
from guanxi.cli import cli
from guanxi.errors import NotFoundError, UsageError
from guanxi.reporting import render
from hookpack import HookPack

KIND = "testpack.customers"
AS_OF = dt.date(2026, 11, 24)

MARKDOWN_M1 = """\
# Customers held 2026-10: Wang <Li> (M1)

2 customer(s), 50.0% of all; status overdue.

| id | name |
|---|---|
| C1 | Ann \\| Co |
| C2 | Bo & <b> |
"""


def _staff(ws):
    ws.save("managers", [{"id": "M1", "name": "Wang <Li>"}, {"id": "M2", "name": "Zhao"},
                         {"id": "M3", "name": "Gone", "active": False}])
    ws.save("customers", [{"id": "C1", "name": "Ann | Co", "manager_id": "M1"},
                          {"id": "C2", "name": "Bo & <b>", "manager_id": "M1"},
                          {"id": "C3", "name": "Cy", "manager_id": "M3"},
                          {"id": "C4", "name": "Di", "manager_id": "M3"}])
    return ws


@pytest.fixture
def held(make_workspace):
    return _staff(make_workspace(extra_packs={"testpack": HookPack()}))


@pytest.fixture
def held_cli(make_workspace, fake_dists):  # noqa: F811 - the fixture
    # The command line finds packs installed: the test pack as a distribution.
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    return _staff(make_workspace(packs=("testpack",)))


def _run(ws, *args):
    return CliRunner().invoke(cli, ["--config", str(ws.config.path), "reports", *args])


def test_markdown_from_the_template_with_its_figures_and_filter(held):
    (m1,) = held.build_reports(KIND, "2026-10", ["M1"], as_of=AS_OF)
    assert [tuple(row) for row in m1.owned] == [("C1", "Ann | Co"), ("C2", "Bo & <b>")]
    assert m1.share == 0.5 and m1.figures["share"] == 0.5
    assert (m1.author_id, m1.author_name, m1.period.label) == ("M1", "Wang <Li>", "2026-10")
    # Due the kind's 3rd of November (a Tuesday); overdue from the 4th.
    assert (m1.due_on, m1.status) == (dt.date(2026, 11, 3), "overdue")
    assert render(m1, "markdown") == MARKDOWN_M1
    assert held.render_report(KIND, "2026-10", "M1", as_of=AS_OF) == MARKDOWN_M1


def test_an_author_without_rows_gets_none(held):
    text = held.render_report(KIND, "2026-10", "M2", as_of=AS_OF)
    assert text == ("# Customers held 2026-10: Zhao (M2)\n\n"
                    "0 customer(s), 0.0% of all; status overdue.\n\nNone.\n")


def test_html_is_one_escaped_self_contained_page_with_an_article_per_author(held):
    page = held.render_report(KIND, "2026-10", format="html", as_of=AS_OF)
    assert page.startswith("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                           "<title>Customers held 2026-10</title>")
    assert page.count("<article>") == 2   # M1 and M2: the active managers
    assert ("<article>\n<h1>Customers held 2026-10: Wang &lt;Li&gt; (M1)</h1>\n"
            "<p>2 customer(s), 50.0% of all; status overdue.</p>\n<table>\n"
            "<tr><th>id</th><th>name</th></tr>\n"
            "<tr><td>C1</td><td>Ann | Co</td></tr>\n"
            "<tr><td>C2</td><td>Bo &amp; &lt;b&gt;</td></tr>\n</table>\n</article>") in page
    assert "<p>None.</p>" in page
    assert "<b>" not in page and "<script" not in page and "<link" not in page
    assert "http" not in page


def test_xlsx_holds_the_figures_as_values(held):
    data = held.render_report(KIND, "2026-10", ["M1", "M2"], format="xlsx", as_of=AS_OF)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["report", "owned"]
    assert [list(r) for r in book["report"].iter_rows(values_only=True)] == [
        ["figure", "M1", "M2"],
        ["kind", KIND, KIND],
        ["period", "2026-10", "2026-10"],
        ["as_of", dt.datetime(2026, 11, 24), dt.datetime(2026, 11, 24)],
        ["author_id", "M1", "M2"],
        ["author_name", "Wang <Li>", "Zhao"],
        ["due_on", dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3)],
        ["status", "overdue", "overdue"],
        ["share", 0.5, 0],
    ]
    assert [list(r) for r in book["owned"].iter_rows(values_only=True)] == [
        ["author_id", "id", "name"], ["M1", "C1", "Ann | Co"], ["M1", "C2", "Bo & <b>"]]


def test_building_expects_the_tracked_report_and_follows_it(held):
    # Every active manager by default (not M3, who left): tracked once, however often built.
    assert [r.author_id for r in held.build_reports(KIND, "2026-10", as_of=AS_OF)] == ["M1", "M2"]
    held.build_reports(KIND, "2026-10", as_of=AS_OF)
    assert [(r.author_id, r.due_on) for r in held.reports(kind=KIND)] == [
        ("M1", dt.date(2026, 11, 3)), ("M2", dt.date(2026, 11, 3))]
    # On the due day due; the day after overdue; then what the tracking records.
    assert held.build_reports(KIND, "2026-10", "M1", as_of=dt.date(2026, 11, 3))[0].status == "due"
    assert held.build_reports(KIND, "2026-10", "M1", as_of=dt.date(2026, 11, 4))[0].status == (
        "overdue")
    held.submit_report(KIND, "M1", "2026-10", at=dt.datetime(2026, 11, 3, 23, 59))
    assert held.build_reports(KIND, "2026-10", "M1", as_of=AS_OF)[0].status == "submitted"
    held.review_report(KIND, "M1", "2026-10", by="M2", at=dt.datetime(2026, 11, 5, 9))
    assert held.build_reports(KIND, "2026-10", "M1", as_of=AS_OF)[0].status == "reviewed"
    held.submit_report(KIND, "M2", "2026-10", at=dt.datetime(2026, 11, 4, 0, 0))
    assert held.build_reports(KIND, "2026-10", "M2", as_of=AS_OF)[0].status == "late"


def test_expecting_a_declared_kind_takes_its_due_day_and_its_grain(held):
    (report,) = held.expect_reports(KIND, ["M2"], "2026-09")
    assert report.due_on == dt.date(2026, 10, 8)   # the 3rd is in the National Day holiday
    with pytest.raises(UsageError, match=r"^--period '2026-W40' is not a month; write it like "
                                         r"2026-10$"):
        held.expect_reports(KIND, ["M2"], "2026-W40")


@pytest.mark.parametrize("period", ["2026-13", "2026-Q3", "2026-W48", "nov", ""])
def test_a_period_not_of_the_kinds_grain_is_a_usage_error(held, period):
    with pytest.raises(UsageError) as caught:
        held.build_reports(KIND, period, as_of=AS_OF)
    assert str(caught.value) == f"--period {period!r} is not a month; write it like 2026-10"


def test_an_unknown_kind_names_the_closest_and_the_declared_ones(held):
    with pytest.raises(UsageError) as caught:
        held.render_report("testpack.customer", "2026-10")
    assert str(caught.value) == ("no report kind 'testpack.customer' (did you mean "
                                 "'testpack.customers'?); declared kinds: testpack.customers")


def test_an_unknown_author_is_named(held):
    with pytest.raises(NotFoundError, match="^no manager with id 'M9'; nothing was reported$"):
        held.build_reports(KIND, "2026-10", ["M1", "M9"], as_of=AS_OF)


# -- the command ------------------------------------------------------------------------------


def test_show_prints_markdown_and_html(held_cli):
    result = _run(held_cli, "show", KIND, "--period", "2026-10", "--author", "M1",
                  "--as-of", "2026-11-24")
    assert (result.exit_code, result.output) == (0, MARKDOWN_M1)
    result = _run(held_cli, "show", KIND, "--period", "2026-10", "--format", "html",
                  "--as-of", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert result.output.count("<article>") == 2


@pytest.mark.parametrize("name", ["m1.md", "m1.html", "m1.xlsx"])
def test_show_writes_the_format_its_output_suffix_names(held_cli, tmp_path, name):
    out = tmp_path / name
    result = _run(held_cli, "show", KIND, "--period", "2026-10", "--author", "M1",
                  "--as-of", "2026-11-24", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (M1 due 2026-11-03, overdue)\n"
    if name.endswith(".md"):
        assert out.read_text(encoding="utf-8") == MARKDOWN_M1
    elif name.endswith(".html"):
        assert "<td>Bo &amp; &lt;b&gt;</td>" in out.read_text(encoding="utf-8")
    else:
        book = load_workbook(out)
        assert [r[1] for r in book["owned"].iter_rows(min_row=2, values_only=True)] == [
            "C1", "C2"]


@pytest.mark.parametrize("args,message", [
    (["show", "testpack.custmers", "--period", "2026-10"],
     "Error: no report kind 'testpack.custmers' (did you mean 'testpack.customers'?); "
     "declared kinds: testpack.customers"),
    (["show", KIND, "--period", "2026-W48"],
     "Error: --period '2026-W48' is not a month; write it like 2026-10"),
    (["show", KIND, "--period", "2026-10", "--output", "m1.pdf"],
     "Error: --output 'm1.pdf': write a .md, .html or .xlsx file"),
])
def test_show_refuses_bad_input_with_exit_2(held_cli, args, message):
    result = _run(held_cli, *args)
    assert (result.exit_code, result.output.strip()) == (2, message)


def test_kinds_lists_the_declared_kinds(held_cli):
    result = _run(held_cli, "kinds", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"name": "testpack.customers"' in result.output
    assert '"due_day": 3' in result.output


def test_the_tracking_commands_know_a_declared_kinds_due_day(held_cli):
    result = _run(held_cli, "expect", KIND, "--period", "2026-10", "--author", "M2",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"due_on": "2026-11-03"' in result.output


# -- a report for all, weekly --------------------------------------------------------------


def _census(scope):
    from sqlalchemy import func, select

    c = scope.ctx.tables.customers
    return scope.conn.scalar(select(func.count()).select_from(c))


class CensusPack:
    """A pack with one weekly report for all: not authored, so not tracked."""

    @guanxi.hookimpl
    def guanxi_report_kinds(self):
        return [guanxi.ReportKind(
            name="census.weekly", title="Census", description="Customers, all of them.",
            grain="week", authored=False, figures={"customers": _census},
            template="# {{ report.kind.title }} {{ report.period.label }}\n\n"
                     "{{ customers }} customer(s) from {{ report.period.start }} "
                     "to {{ report.period.end }}.\n\n\n\n{{ table(('a',), []) }}\n")]


def test_a_report_for_all_of_a_week_is_one_report_and_untracked(make_workspace):
    ws = _staff(make_workspace(extra_packs={"testpack": HookPack(), "census": CensusPack()}))
    assert [k.name for k in ws.report_kinds()] == ["census.weekly", KIND]
    (data,) = ws.build_reports("census.weekly", "2026-W48", ["M1"], as_of=AS_OF)
    assert (data.author_id, data.tracked, data.status, data.due_on) == (None, None, None, None)
    # Blank lines the template leaves fold into one.
    assert render(data) == ("# Census 2026-W48\n\n4 customer(s) from 2026-11-23 to "
                            "2026-11-30.\n\nNone.\n")
    assert ws.reports(kind="census.weekly") == []
    book = load_workbook(io.BytesIO(render(data, "xlsx")))
    assert book.sheetnames == ["report"]
    assert [list(r) for r in book["report"].iter_rows(values_only=True)] == [
        ["figure", "value"], ["kind", "census.weekly"], ["period", "2026-W48"],
        ["as_of", dt.datetime(2026, 11, 24)], ["customers", 4]]
    with pytest.raises(UsageError, match="^--period '2026-11' is not a week; write it like "
                                         "2026-W48$"):
        ws.build_reports("census.weekly", "2026-11", as_of=AS_OF)


def test_a_kind_needs_one_template_and_a_dotted_name():
    with pytest.raises(ValueError, match="needs a template or a template_file"):
        guanxi.ReportKind(name="x.y", title="t", description="d", figures={})
    with pytest.raises(ValueError, match="needs a template or a template_file"):
        guanxi.ReportKind(name="x.y", title="t", description="d", figures={}, template="a",
                          template_file="p:a.md")
    with pytest.raises(ValueError, match="must be dotted"):
        guanxi.ReportKind(name="plain", title="t", description="d", figures={}, template="a")
