"""Banking KPI rows of teams (BANK-TEAM, 《银行客户关系管理实施方案》§二(三)).

Work done, reports on time, spot-checks, and the teams' rewards and fines.
"""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, exists, func, literal, or_, select

from guanxi_banking.kpi_rows import interaction_rows, key_of, one_if, period_interactions, reason_of


def customers_maintained_rows(ctx):
    # A customer counts once per key however often it was seen.
    i, key, when = period_interactions(ctx, by_manager=True)
    seen = (select(key, i.c.customer_id, func.count().label("contacts"),
                   func.max(ctx.day_text(i.c.occurred_at)).label("last"))
            .where(i.c.kind.in_(("visit", "call")), when)
            .group_by(key, i.c.customer_id).subquery("maintained"))
    return select(seen.c.scope_key, seen.c.customer_id.label("row_id"),
                  literal(1).label("figure"), seen.c.contacts, seen.c.last)


def accounts_opened_rows(ctx):
    a = ctx.tables.accounts
    return (select(key_of(ctx, a.c.customer_id), a.c.id.label("row_id"), literal(1).label("figure"),
                   a.c.customer_id.label("customer"), a.c.type.label("type"),
                   ctx.day_text(a.c.opened_at).label("opened"))
            .where(ctx.in_period(a.c.opened_at)))


def accounts_net_growth_rows(ctx):
    a = ctx.tables.accounts
    opened, closed = ctx.in_period(a.c.opened_at), ctx.in_period(a.c.closed_at)
    return (select(key_of(ctx, a.c.customer_id), a.c.id.label("row_id"),
                   (one_if(opened) - one_if(closed)).label("figure"),
                   one_if(opened).label("new"),
                   a.c.customer_id.label("customer"), a.c.type.label("type"),
                   func.coalesce(ctx.day_text(a.c.opened_at), "-").label("opened"),
                   func.coalesce(ctx.day_text(a.c.closed_at), "-").label("closed"))
            .where(or_(opened, closed)))


def net_growth_reason(ctx, b):
    def say(key):
        return reason_of(f"accounts_net_growth.{key}", "customer", "type", "opened", "closed",
                         account="row_id")(ctx, b)
    return case((b.c.figure > 0, say("opened")), (b.c.figure < 0, say("closed")),
                else_=say("both"))


def _author_key(ctx, author):
    """The scope key of a report's author (a team or a manager id)."""
    tm, m = ctx.tables.teams.alias("author_team"), ctx.tables.managers.alias("author_manager")
    team_of = (select(m.c.team_id).where(m.c.id == author).correlate_except(m).scalar_subquery())
    is_team = exists().where(tm.c.id == author).correlate_except(tm)
    if ctx.scope == "team":
        return case((is_team, author), else_=team_of)
    if ctx.scope == "manager":
        return case((is_team, literal(None)), else_=author)
    if ctx.scope == "territory":
        team_territory = (select(tm.c.territory).where(tm.c.id == author)
                          .correlate_except(tm).scalar_subquery())
        manager_territory = (select(m.c.territory).where(m.c.id == author)
                             .correlate_except(m).scalar_subquery())
        return func.coalesce(team_territory, manager_territory)
    return literal("")


def _due_reports(ctx):
    r = ctx.tables.reports
    return r, and_(r.c.kind.like("banking.%"), r.c.due_on >= literal(ctx.period.start),
                   r.c.due_on < ctx.today)


def reports_on_time_rows(ctx):
    r, due = _due_reports(ctx)
    on_time = and_(r.c.submitted_at.is_not(None), r.c.late.is_(False))
    return (select(_author_key(ctx, r.c.author_id).label("scope_key"), r.c.id.label("row_id"),
                   one_if(on_time).label("figure"), literal(1).label("weight"),
                   r.c.kind.label("kind"), r.c.author_id.label("author"),
                   r.c.period.label("period"), ctx.day_text(r.c.due_on).label("due"),
                   ctx.minute_text(r.c.submitted_at).label("submitted"))
            .where(due))


def reports_reason(ctx, b):
    def say(key):
        return reason_of(f"reports_on_time.{key}", "kind", "author", "period", "due", "submitted",
                         report="row_id")(ctx, b)
    return case((b.c.figure != 0, say("on_time")), (b.c.submitted.is_not(None), say("late")),
                else_=say("missing"))


def missed_report(r):
    """Late, or not submitted when due: a report that draws a fine."""
    return or_(r.c.late.is_(True), r.c.submitted_at.is_(None))


def spotchecks_done_rows(ctx):
    i = ctx.tables.interactions
    return interaction_rows(ctx, literal(1), lambda i: i.c.kind == "spotcheck", by_manager=True,
                            outcome=func.coalesce(i.c.outcome, "-"))


def visits_confirmed_rows(ctx):
    i = ctx.tables.interactions
    return interaction_rows(ctx, one_if(i.c.outcome == "confirmed"),
                            lambda i: i.c.kind == "spotcheck", weight=literal(1),
                            outcome=func.coalesce(i.c.outcome, "-"))


def _team_figures(ctx):
    """Per team: customers maintained, accounts opened, withdrawn (false or missed reports).

    Each figure is counted for every team in one grouped pass and joined to
    the teams: a count per team (a correlated subquery) read the period's
    visits and calls once for each team (10 s at 100,000 customers on SQLite).
    """
    tm, m, i, a, c = (ctx.tables.teams, ctx.tables.managers, ctx.tables.interactions,
                      ctx.tables.accounts, ctx.tables.customers)
    r, due = _due_reports(ctx)
    maintained = (
        select(m.c.team_id, func.count(distinct(i.c.customer_id)).label("n"))
        .select_from(i.join(m, m.c.id == i.c.manager_id))
        .where(i.c.kind.in_(("visit", "call")), ctx.in_period(i.c.occurred_at))
        .group_by(m.c.team_id)
        .subquery("team_maintained")
    )
    opened = (
        select(m.c.team_id, func.count().label("n"))
        .select_from(a.join(c, c.c.id == a.c.customer_id).join(m, m.c.id == c.c.manager_id))
        .where(ctx.in_period(a.c.opened_at))
        .group_by(m.c.team_id)
        .subquery("team_opened")
    )
    # A false report counts on the team of the customer's owner.
    checks = ctx.tables.interactions.alias("team_checks")
    owner = ctx.tables.managers.alias("team_member")
    false_reports = (
        select(owner.c.team_id, func.count().label("n"))
        .select_from(checks.join(c, c.c.id == checks.c.customer_id)
                     .join(owner, owner.c.id == c.c.manager_id))
        .where(checks.c.kind == "spotcheck", checks.c.outcome == "not_confirmed",
               ctx.in_period(checks.c.occurred_at))
        .group_by(owner.c.team_id)
        .subquery("team_false_reports")
    )
    missed = (
        select(r.c.author_id.label("team_id"), func.count().label("n"))
        .where(due, missed_report(r))
        .group_by(r.c.author_id)
        .subquery("team_missed")
    )
    joined = tm
    for part in (maintained, opened, false_reports, missed):
        joined = joined.outerjoin(part, part.c.team_id == tm.c.id)
    return (select(tm.c.id.label("team_id"),
                   func.coalesce(maintained.c.n, 0).label("maintained"),
                   func.coalesce(opened.c.n, 0).label("opened"),
                   func.coalesce(false_reports.c.n, 0).label("false_reports"),
                   func.coalesce(missed.c.n, 0).label("missed"))
            .select_from(joined)
            .subquery("team_figures"))


def team_key(ctx, team_id):
    return (team_id if ctx.scope == "team" else literal("")).label("scope_key")


def team_rewards_rows(ctx):
    # rule BANK-TEAM: 500 to the top team in customers maintained and to the top
    # team in accounts opened, 1,000 to a team top in both; ties all win;
    # withdrawn for a false (not confirmed) visit or a missed report.
    cfg = ctx.config
    f = _team_figures(ctx)
    ranked = select(f, func.max(f.c.maintained).over().label("top_m"),
                    func.max(f.c.opened).over().label("top_o")).subquery("team_ranked")
    first_m = and_(ranked.c.maintained == ranked.c.top_m, ranked.c.maintained > 0)
    first_o = and_(ranked.c.opened == ranked.c.top_o, ranked.c.opened > 0)
    each, both = float(cfg["team.reward_each"]), float(cfg["team.reward_both"])
    reward = case((and_(first_m, first_o), both), (or_(first_m, first_o), each), else_=0.0)
    kept = and_(ranked.c.false_reports == 0, ranked.c.missed == 0)
    return select(team_key(ctx, ranked.c.team_id), ranked.c.team_id.label("row_id"),
                  case((kept, reward), else_=0.0).label("figure"), reward.label("earned"),
                  one_if(kept).label("kept"), ranked.c.maintained, ranked.c.top_m, ranked.c.opened,
                  ranked.c.top_o, ranked.c.false_reports, ranked.c.missed)


def team_rewards_reason(ctx, b):
    def say(key):
        return reason_of(f"team_rewards.{key}", "maintained", "top_m", "opened", "top_o",
                         "false_reports", "missed", "earned", team="row_id")(ctx, b)
    return case((b.c.kept == 1, say("kept")), else_=say("withdrawn"))


def team_fines_rows(ctx):
    # rule BANK-TEAM: 300 per false report (a visit a spot-check did not
    # confirm) and per late or missing team report, on the team.
    f = _team_figures(ctx)
    fine = float(ctx.config["team.fine_team"])
    return select(team_key(ctx, f.c.team_id), f.c.team_id.label("row_id"),
                  ((f.c.false_reports + f.c.missed) * fine).label("figure"),
                  f.c.false_reports, f.c.missed, literal(fine).label("fine"))


def duty_fines_rows(ctx):
    # rule BANK-TEAM: 300 per missed duty of an inspector or 分管领导: a spot-check
    # task not done by its due time, a guidance letter or ledger check late
    # or not handed in.
    m, tk = ctx.tables.managers, ctx.tables.tasks
    r, due = _due_reports(ctx)
    undone = (
        select(func.count()).select_from(tk)
        .where(tk.c.manager_id == m.c.id, tk.c.rule == "banking.spotcheck",
               ctx.in_period(tk.c.due_at), ctx.task_late(tk))
        .correlate(m).scalar_subquery()
    )
    missed = (select(func.count()).select_from(r)
              .where(due, r.c.author_id == m.c.id, missed_report(r))
              .correlate(m).scalar_subquery())
    fine = float(ctx.config["team.fine_duty"])
    key = (m.c.id if ctx.scope == "manager" else literal("")).label("scope_key")
    return select(key, m.c.id.label("row_id"), ((undone + missed) * fine).label("figure"),
                  undone.label("undone"), missed.label("missed"),
                  literal(fine).label("fine")).select_from(m)
