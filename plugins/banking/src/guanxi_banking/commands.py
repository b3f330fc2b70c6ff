"""``guanxi banking``: the tracked reports and the team league table.

- ``guanxi banking reports --week 2026-W48`` expects the week's reports:
  each team's feedback summary (BANK-FEEDBACK), the leaders' guidance
  letter and the ledger check (BANK-SPOTCHECK, BANK-TEAM);
  ``--month 2026-11`` the month's: each team's summary report and the
  monthly analysis. Submitting and reviewing them is ``guanxi reports``.
- ``guanxi banking league --period 2026-11`` ranks the teams on customers
  maintained and accounts opened, with rewards and fines (BANK-TEAM),
  recorded, never paid.
"""

from __future__ import annotations

import click

from guanxi.cli import pass_workspace
from guanxi.output import emit, format_figure, format_option

#: Report kinds, by who hands them in and how often.
WEEKLY_TEAM = "banking.feedback_summary"   # BANK-FEEDBACK: 每周一份总结报告
MONTHLY_TEAM = "banking.team_summary"      # BANK-TEAM: 每周月的客户总结分析报告
GUIDANCE = "banking.guidance"              # BANK-SPOTCHECK: 客户维护指导意见书, weekly
LEDGER = "banking.ledger_check"            # BANK-SPOTCHECK: 分管领导每周检查台账
ANALYSIS = "banking.monthly_analysis"      # BANK-SPOTCHECK: 董事长每月分析

LEAGUE_KPIS = ("banking.customers_maintained", "banking.accounts_opened",
               "banking.team_rewards", "banking.team_fines")


def expect_reports(ws, *, week: str | None = None, month: str | None = None) -> list:
    """Expect the banking reports of a week (``2026-W48``) or a month (``2026-11``).

    Every team hands in its weekly feedback summary and its monthly summary;
    the guidance letter, ledger check and monthly analysis come from the
    authors ``[banking.reports]`` names (none when empty). Idempotent.
    :return: the expected :class:`Report` records.
    """
    if (week is None) == (month is None):
        raise click.UsageError("give --week or --month")
    cfg = ws.settings["banking"]
    teams = _team_ids(ws)
    expected = []
    if week is not None:
        if teams:
            expected += ws.expect_reports(WEEKLY_TEAM, teams, week)
        for kind, option in ((GUIDANCE, "reports.guidance_author"),
                             (LEDGER, "reports.ledger_author")):
            if cfg[option]:
                expected += ws.expect_reports(kind, [cfg[option]], week)
    else:
        if teams:
            expected += ws.expect_reports(MONTHLY_TEAM, teams, month)
        if cfg["reports.analysis_author"]:
            expected += ws.expect_reports(ANALYSIS, [cfg["reports.analysis_author"]], month)
    return expected


def league(ws, period: str | None = None, as_of=None, *, read: bool = False) -> list[dict]:
    """The team league table of a period: one dict per team, best first.

    ``read``: the figures computed and not stored (``ws.read_kpi``: no job lock), as
    the web workspace's team page reads them while a batch may run.
    """
    rows: dict[str, dict] = {}
    compute = ws.read_kpi if read else ws.kpi
    for value in compute(list(LEAGUE_KPIS), period=period, by="team", as_of=as_of):
        if not value.scope_key:
            continue
        row = rows.setdefault(value.scope_key, {"team": value.scope_key, "period": value.period})
        row[value.kpi.split(".", 1)[1]] = value.value if value.value is not None else 0.0
    names = {t_id: name for t_id, name in _teams(ws)}
    table = []
    for team_id in names:
        row = rows.get(team_id, {"team": team_id, "period": None})
        table.append({
            "team": team_id, "name": names[team_id],
            "customers_maintained": int(row.get("customers_maintained", 0)),
            "accounts_opened": int(row.get("accounts_opened", 0)),
            "reward": float(row.get("team_rewards", 0.0)),
            "fines": float(row.get("team_fines", 0.0)),
        })
    table.sort(key=lambda r: (-r["customers_maintained"] - r["accounts_opened"],
                              -r["customers_maintained"], r["team"]))
    return table


def _teams(ws):
    from sqlalchemy import select

    teams = ws.entity("teams").table
    with ws.engine.connect() as conn:
        return list(conn.execute(select(teams.c.id, teams.c.name).order_by(teams.c.id)))


def _team_ids(ws) -> list[str]:
    return [team_id for team_id, _ in _teams(ws)]


#: The league table's figures, right-aligned; rewards and fines are money.
_LEAGUE_FIGURES = ("customers_maintained", "accounts_opened", "reward", "fines")


def _print_league(ws, rows: list[dict], fmt: str) -> None:
    # The output kit measures columns in terminal cells, so Chinese team
    # names (两个字 = four cells) line up; JSON and CSV keep plain numbers.
    if fmt == "table":
        currency = ws.config.currency
        rows = [{**row, "reward": format_figure(row["reward"], "money", currency=currency),
                 "fines": format_figure(row["fines"], "money", currency=currency)}
                for row in rows]
    columns = list(rows[0]) if rows else ["team", "name", *_LEAGUE_FIGURES]
    emit(rows, columns, fmt, empty="(none)", right=_LEAGUE_FIGURES)


@click.group()
def banking():
    """Banking pack commands: tracked reports and the team league table."""


@banking.command("reports")
@click.option("--week", metavar="YYYY-Www", help="Expect the week's reports (2026-W48).")
@click.option("--month", metavar="YYYY-MM", help="Expect the month's reports (2026-11).")
@format_option
@pass_workspace
def reports_command(ws, week, month, fmt):
    """Expect the week's or the month's banking reports from teams and leaders."""
    expected = expect_reports(ws, week=week, month=month)
    rows = [{"kind": r.kind, "author_id": r.author_id, "period": r.period,
             "due_on": r.due_on.isoformat(), "submitted": r.submitted_at is not None}
            for r in expected]
    emit(rows, ["kind", "author_id", "period", "due_on", "submitted"], fmt, empty="(none)")


@banking.command("league")
@click.option("--period", metavar="P", help="2026-11, 2026-Q4 or 2026 (default: this month).")
@format_option
@pass_workspace
def league_command(ws, period, fmt):
    """Rank the teams on customers maintained and accounts opened, with rewards and fines."""
    _print_league(ws, league(ws, period), fmt)
