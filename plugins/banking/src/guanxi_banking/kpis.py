"""The banking KPIs (《客户经理的工作计划》第8篇 unless noted): acquisition, retention, value,
service and loyalty, teams (BANK-TEAM), lists (BANK-LIST), shared credit
(BANK-SHARE).

Each is one grouped select for the period (``ctx.period``) up to the as-of
day, keyed by ``ctx.scope_key`` of the customer it counts; work a manager
did (contacts, spot-checks) is keyed by that manager, and AUM and profit by
manager, team or territory are split by credit shares (BANK-SHARE).
Labels at a date come from segment history, so a past period reads the
labels it had.
"""

from __future__ import annotations


from sqlalchemy import Float, and_, case, cast, distinct, exists, func, literal, or_, select

from guanxi import Kpi
from guanxi_banking.sql import (
    VALUED_CLASSES,
    VALUED_TIERS,
    TIERS,
    account_open,
    as_of_end,
    date_attribute,
    hours_between,
    label_at,
    label_at_start,
    manager_key,
    midnight,
    service_table,
)

SHARE = "share"
COUNT = "customers"


def _share(condition):
    return cast(func.sum(case((condition, 1), else_=0)), Float) / func.count()


def _ratio(numerator, denominator):
    return cast(numerator, Float) / func.nullif(cast(denominator, Float), 0.0)


def _in_period(ctx, column):
    """A datetime column inside the period, up to the end of the as-of day."""
    return and_(column >= midnight(ctx.period.start), column < as_of_end(ctx))


def _day_in_period(ctx, column):
    """A date column inside the period, up to the as-of day."""
    return and_(column >= literal(ctx.period.start), column <= ctx.today)


def _key(ctx, customer_id):
    return ctx.scope_key(customer_id).label("scope_key")


def _on_books(ctx, c):
    return or_(c.c.created_at.is_(None), c.c.created_at <= ctx.today)


def _owner(ctx, customer_id):
    c = ctx.tables.customers.alias("kpi_owner")
    return select(c.c.manager_id).where(c.c.id == customer_id).correlate_except(c).scalar_subquery()


def _count_customers(ctx, condition, *where):
    c = ctx.tables.customers
    key = _key(ctx, c.c.id)
    return (select(key, func.sum(case((condition, 1), else_=0)).label("value"))
            .select_from(c).where(_on_books(ctx, c), *where).group_by(key))


def _interactions(ctx, *where, by_manager=False):
    i = ctx.tables.interactions
    if by_manager:
        key = manager_key(ctx, func.coalesce(i.c.manager_id, _owner(ctx, i.c.customer_id)),
                          i.c.customer_id).label("scope_key")
    else:
        key = _key(ctx, i.c.customer_id)
    return i, key, _in_period(ctx, i.c.occurred_at)


# -- measures at the period's last month-end --------------------------------------------


def _ref_month(ctx, metric):
    """The latest month-end of ``metric`` in the period or before it (up to the as-of day)."""
    m = ctx.tables.measurements.alias("kpi_ref")
    return (select(func.max(m.c.period))
            .where(m.c.metric == metric, m.c.period < literal(ctx.period.end),
                   m.c.period <= ctx.today)
            .scalar_subquery())


def _measure_total(ctx, metric, period_condition):
    """Sum of ``metric`` in the period condition; by manager, team or territory split by credit."""
    ms = ctx.tables.measurements
    where = (ms.c.metric == metric, period_condition(ms.c.period))
    if ctx.scope in ("manager", "team", "territory"):
        credit = ctx.credit_shares()
        key = ctx.credit_scope_key(credit.c.manager_id).label("scope_key")
        return (select(key, func.sum(cast(ms.c.value, Float) * credit.c.share).label("value"))
                .join(credit, credit.c.customer_id == ms.c.customer_id)
                .where(*where).group_by(key))
    key = _key(ctx, ms.c.customer_id)
    return select(key, func.sum(cast(ms.c.value, Float)).label("value")).where(*where).group_by(key)


def aum_total_query(ctx):
    ref = _ref_month(ctx, "aum")
    return _measure_total(ctx, "aum", lambda p: p == ref)


def profit_query(ctx):
    return _measure_total(ctx, "profit",
                          lambda p: and_(p >= literal(ctx.period.start), p <= ctx.today))


def aum_growth_query(ctx):
    ms = ctx.tables.measurements
    ref = _ref_month(ctx, "aum")
    grain = ctx.period.grain if ctx.period.grain in ("quarter", "year") else "month"
    start = getattr(ctx, f"start_of_{grain}")(ref)
    prior = ctx.tables.measurements.alias("kpi_prior")
    before = (select(func.max(prior.c.period))
              .where(prior.c.metric == "aum", prior.c.period < start).scalar_subquery())
    key = _key(ctx, ms.c.customer_id)
    now = func.sum(case((ms.c.period == ref, cast(ms.c.value, Float)), else_=0.0))
    then = func.sum(case((ms.c.period == before, cast(ms.c.value, Float)), else_=0.0))
    return (select(key, ((now - then) / func.nullif(then, 0.0)).label("value"))
            .where(ms.c.metric == "aum", ms.c.period.in_([ref, before])).group_by(key))


def _profit_share(ctx, condition_of):
    ms = ctx.tables.measurements
    key = _key(ctx, ms.c.customer_id)
    value = cast(ms.c.value, Float)
    part = func.sum(case((condition_of(ms.c.customer_id), value), else_=0.0))
    return (select(key, (part / func.nullif(func.sum(value), 0.0)).label("value"))
            .where(ms.c.metric == "profit", ms.c.period >= literal(ctx.period.start),
                   ms.c.period <= ctx.today)
            .group_by(key))


def _abc(ctx, customer_id):
    return label_at(ctx, "banking.abc", customer_id, ctx.today)


def _tier(ctx, customer_id):
    return label_at(ctx, "banking.tier", customer_id, ctx.today)


# -- acquisition --------------------------------------------------------------------------


def new_target_customers_query(ctx):
    a = ctx.tables.accounts
    first = (select(a.c.customer_id, func.min(a.c.opened_at).label("opened"))
             .where(a.c.opened_at.is_not(None)).group_by(a.c.customer_id).subquery("first_account"))
    key = _key(ctx, first.c.customer_id)
    return (select(key, func.count().label("value"))
            .where(_day_in_period(ctx, first.c.opened)).group_by(key))


def market_share_query(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    holds = exists().where(a.c.customer_id == c.c.id, account_open(a, ctx.today),
                           a.c.type.in_(list(ctx.config["products.types"])))
    key = _key(ctx, c.c.id)
    return (select(key, _share(holds).label("value")).select_from(c)
            .where(_on_books(ctx, c)).group_by(key))


def key_customer_share_query(ctx):
    c = ctx.tables.customers
    label = _abc(ctx, c.c.id)
    key = _key(ctx, c.c.id)
    return (select(key, _share(label == "A").label("value")).select_from(c)
            .where(label.is_not(None)).group_by(key))


def key_profit_share_query(ctx):
    return _profit_share(ctx, lambda cid: _abc(ctx, cid) == "A")


def _entered(ctx, segmentation, labels):
    """Customers whose label entered ``labels`` during the period.

    From another label, or a first label for a customer new in the period:
    the first run over an existing base is no acquisition.
    """
    h, c = ctx.tables.segment_history, ctx.tables.customers
    key = _key(ctx, h.c.customer_id)
    new_customer = exists().where(c.c.id == h.c.customer_id,
                                  c.c.created_at >= literal(ctx.period.start))
    return (select(key, func.count(distinct(h.c.customer_id)).label("value"))
            .where(h.c.segmentation == segmentation, h.c.new_label.in_(labels),
                   or_(h.c.old_label.not_in(labels),
                       and_(h.c.old_label.is_(None), new_customer)),
                   _day_in_period(ctx, h.c.changed_on))
            .group_by(key))


def new_core_customers_query(ctx):
    return _entered(ctx, "banking.abc", ("A",))


def new_vip_customers_query(ctx):
    return _entered(ctx, "banking.tier", VALUED_TIERS)


def new_sme_loan_customers_query(ctx):
    a, c = ctx.tables.accounts, ctx.tables.customers
    first = (select(a.c.customer_id, func.min(a.c.opened_at).label("opened"))
             .where(a.c.type == "loan", a.c.opened_at.is_not(None))
             .group_by(a.c.customer_id).subquery("first_loan"))
    key = _key(ctx, first.c.customer_id)
    return (select(key, func.count().label("value"))
            .join(c, c.c.id == first.c.customer_id)
            .where(_day_in_period(ctx, first.c.opened), ctx.attribute(c, "sme", "boolean"))
            .group_by(key))


def vip_share_query(ctx):
    c = ctx.tables.customers
    tier = _tier(ctx, c.c.id)
    key = _key(ctx, c.c.id)
    return (select(key, _share(tier.in_(VALUED_TIERS)).label("value")).select_from(c)
            .where(tier.is_not(None)).group_by(key))


def vip_profit_share_query(ctx):
    return _profit_share(ctx, lambda cid: _tier(ctx, cid).in_(VALUED_TIERS))


# -- retention ----------------------------------------------------------------------------


def high_end_customers_query(ctx):
    c = ctx.tables.customers
    return _count_customers(ctx, _tier(ctx, c.c.id).in_(VALUED_TIERS))


def satisfaction_query(ctx):
    i, key, when = _interactions(ctx)
    score = ctx.attribute(i, "satisfaction", "integer")
    return (select(key, func.avg(cast(score, Float)).label("value"))
            .where(i.c.kind == "survey", when, score.is_not(None)).group_by(key))


def valid_complaints_query(ctx):
    i, key, when = _interactions(ctx)
    valid = ctx.attribute(i, "complaint_valid", "boolean")
    return (select(key, func.count().label("value"))
            .where(i.c.kind == "complaint", when, or_(valid.is_(None), valid)).group_by(key))


def relationship_contacts_query(ctx):
    i, key, when = _interactions(ctx, by_manager=True)
    return (select(key, func.count().label("value"))
            .where(i.c.kind.in_(("visit", "call")), when).group_by(key))


def needs_surveys_query(ctx):
    i, key, when = _interactions(ctx, by_manager=True)
    return select(key, func.count().label("value")).where(i.c.kind == "survey", when).group_by(key)


def key_churn_rate_query(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    abc_then = label_at_start(ctx, "banking.abc", c.c.id)
    tier_then = label_at_start(ctx, "banking.tier", c.c.id)
    tier_now = _tier(ctx, c.c.id)
    had = exists().where(a.c.customer_id == c.c.id)
    still = exists().where(a.c.customer_id == c.c.id, account_open(a, ctx.today))
    closed_all = and_(had, ~still)
    fell = and_(tier_then.in_(VALUED_TIERS),
                or_(tier_now.is_(None), tier_now.not_in(VALUED_TIERS)))
    key = _key(ctx, c.c.id)
    return (select(key, _share(or_(closed_all, fell)).label("value")).select_from(c)
            .where(or_(abc_then == "A", tier_then.in_(VALUED_TIERS))).group_by(key))


def quality_discovery_query(ctx):
    c = ctx.tables.customers
    abc_then = label_at_start(ctx, "banking.abc", c.c.id)
    tier_then = label_at_start(ctx, "banking.tier", c.c.id)
    found = or_(_abc(ctx, c.c.id).in_(VALUED_CLASSES), _tier(ctx, c.c.id).in_(VALUED_TIERS))
    low = and_(or_(abc_then.is_(None), abc_then == "C"),
               or_(tier_then.is_(None), tier_then == "mass"),
               or_(abc_then.is_not(None), tier_then.is_not(None)))
    key = _key(ctx, c.c.id)
    return select(key, _share(found).label("value")).select_from(c).where(low).group_by(key)


def archives_built_query(ctx):
    c = ctx.tables.customers
    built = date_attribute(ctx, c, "archive_built_on")
    key = _key(ctx, c.c.id)
    return (select(key, func.count().label("value")).select_from(c)
            .where(_day_in_period(ctx, built)).group_by(key))


# -- value ----------------------------------------------------------------------------------


def value_customers_query(ctx):
    c = ctx.tables.customers
    return _count_customers(ctx, _abc(ctx, c.c.id).in_(VALUED_CLASSES))


def aum_per_card_query(ctx):
    c, a, ms = ctx.tables.customers, ctx.tables.accounts, ctx.tables.measurements
    ref = _ref_month(ctx, "aum")
    aum = (select(func.sum(cast(ms.c.value, Float)))
           .where(ms.c.customer_id == c.c.id, ms.c.metric == "aum", ms.c.period == ref)
           .correlate(c).scalar_subquery())
    cards = (select(func.count()).select_from(a)
             .where(a.c.customer_id == c.c.id, a.c.type == "card", account_open(a, ctx.today))
             .correlate(c).scalar_subquery())
    key = _key(ctx, c.c.id)
    return (select(key, _ratio(func.sum(func.coalesce(aum, 0.0)), func.sum(cards)).label("value"))
            .select_from(c).where(cards > 0).group_by(key))


def loan_yield_query(ctx):
    a, ms = ctx.tables.accounts, ctx.tables.measurements
    ref = _ref_month(ctx, "loan_balance")
    rate = cast(ctx.attribute(a, "interest_rate", "decimal"), Float)
    balance = cast(ms.c.value, Float)
    key = _key(ctx, a.c.customer_id)
    return (select(key, _ratio(func.sum(rate * balance), func.sum(balance)).label("value"))
            .join(ms, and_(ms.c.account_id == a.c.id, ms.c.customer_id == a.c.customer_id))
            .where(a.c.type == "loan", ms.c.metric == "loan_balance", ms.c.period == ref,
                   rate.is_not(None))
            .group_by(key))


def tier_upgrades_query(ctx):
    h = ctx.tables.segment_history
    rank = {label: n for n, label in enumerate(TIERS)}

    def order(col):
        return case(*[(col == label, n) for label, n in rank.items()], else_=len(TIERS))

    key = _key(ctx, h.c.customer_id)
    return (select(key, func.count().label("value"))
            .where(h.c.segmentation == "banking.tier", h.c.old_label.is_not(None),
                   h.c.new_label.is_not(None), order(h.c.new_label) < order(h.c.old_label),
                   _day_in_period(ctx, h.c.changed_on))
            .group_by(key))


def _product_types(ctx):
    a = ctx.tables.accounts
    return (select(a.c.customer_id, func.count(distinct(a.c.type)).label("types"))
            .where(a.c.type.in_(list(ctx.config["products.types"])), account_open(a, ctx.today))
            .group_by(a.c.customer_id).subquery("product_types"))


def cross_sell_query(ctx):
    p = _product_types(ctx)
    key = _key(ctx, p.c.customer_id)
    return select(key, func.avg(cast(p.c.types, Float)).label("value")).group_by(key)


def product_coverage_query(ctx):
    p = _product_types(ctx)
    key = _key(ctx, p.c.customer_id)
    return (select(key, _share(p.c.types >= ctx.config["products.coverage_types"]).label("value"))
            .group_by(key))


def ebanking_active_query(ctx):
    a, i = ctx.tables.accounts, ctx.tables.interactions
    active = (select(i.c.account_id).where(i.c.kind == "transaction", i.c.account_id.is_not(None),
                                           _in_period(ctx, i.c.occurred_at))
              .group_by(i.c.account_id).subquery("active_accounts"))
    moved = active.c.account_id.is_not(None)
    key = _key(ctx, a.c.customer_id)
    return (select(key, _share(moved).label("value"))
            .select_from(a.outerjoin(active, active.c.account_id == a.c.id))
            .where(a.c.type == "ebanking", account_open(a, ctx.today)).group_by(key))


def wealth_penetration_query(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    wealth = exists().where(a.c.customer_id == c.c.id, a.c.type == "wealth",
                            account_open(a, ctx.today))
    other = ctx.tables.accounts.alias("any_account")
    holds = exists().where(other.c.customer_id == c.c.id, account_open(other, ctx.today))
    key = _key(ctx, c.c.id)
    return select(key, _share(wealth).label("value")).select_from(c).where(holds).group_by(key)


# -- service and loyalty (《客户管理制度》范文2 §四) -------------------------------------------------------


def complaint_rate_query(ctx):
    c, i = ctx.tables.customers, ctx.tables.interactions
    # The period's complaints counted once per customer, then joined: a count
    # per customer (a correlated subquery) made SQLite walk every complaint of
    # the period for each customer, by the index on kind.
    complaints = (select(i.c.customer_id, func.count().label("n"))
                  .where(i.c.kind == "complaint", _in_period(ctx, i.c.occurred_at))
                  .group_by(i.c.customer_id)
                  .subquery("period_complaints"))
    key = _key(ctx, c.c.id)
    total = func.sum(func.coalesce(complaints.c.n, 0))
    return (select(key, (cast(total, Float) * 1000.0 / func.count()).label("value"))
            .select_from(c.outerjoin(complaints, complaints.c.customer_id == c.c.id))
            .where(_on_books(ctx, c)).group_by(key))


def _case_hours(ctx, done):
    cs = service_table(ctx, "cases")
    key = _key(ctx, cs.c.customer_id)
    hours = hours_between(ctx, cs.c.opened_at, cs.c[done])
    if done == "resolved_at":
        hours = hours - cs.c.paused_hours
    return (select(key, func.avg(hours).label("value"))
            .where(cs.c.policy == "banking.complaint", cs.c[done].is_not(None),
                   _in_period(ctx, cs.c[done]))
            .group_by(key))


def complaint_response_hours_query(ctx):
    return _case_hours(ctx, "responded_at")


def complaint_resolution_hours_query(ctx):
    return _case_hours(ctx, "resolved_at")


def accuracy_query(ctx):
    i, key, when = _interactions(ctx)
    error = ctx.attribute(i, "error", "boolean")
    return (select(key, _share(or_(error.is_(None), ~error)).label("value"))
            .where(i.c.kind == "transaction", when).group_by(key))


def punctuality_query(ctx):
    tk = ctx.tables.tasks
    key = (tk.c.manager_id if ctx.scope == "manager" else ctx.scope_key(tk.c.customer_id))
    if ctx.scope in ("team", "territory"):
        key = ctx.credit_scope_key(tk.c.manager_id)
    key = key.label("scope_key")
    # A task due on a day is on time all that day; a timed one until its time.
    # Judged once done or late: a task still inside its due day is neither.
    on_time = ctx.task_on_time(tk)
    return (select(key, _share(on_time).label("value"))
            .where(tk.c.rule.like("banking.%"), _in_period(ctx, tk.c.due_at),
                   or_(on_time, ctx.task_late(tk)))
            .group_by(key))


def marketing_success_query(ctx):
    i, key, when = _interactions(ctx, by_manager=True)
    campaign = ctx.attribute(i, "campaign", "text")
    return (select(key, _share(i.c.outcome == "positive").label("value"))
            .where(campaign.is_not(None), campaign != "", when).group_by(key))


def wallet_share_query(ctx):
    i, key, when = _interactions(ctx)
    share = cast(ctx.attribute(i, "wallet_share", "decimal"), Float)
    return (select(key, func.avg(share).label("value"))
            .where(i.c.kind == "survey", when, share.is_not(None)).group_by(key))


def _survey_share(field):
    def query(ctx):
        i, key, when = _interactions(ctx)
        answer = ctx.attribute(i, field, "boolean")
        return (select(key, _share(answer).label("value"))
                .where(i.c.kind == "survey", when, ctx.attribute(i, field, "text").is_not(None))
                .group_by(key))
    return query


# -- teams (BANK-TEAM, 《银行客户关系管理实施方案》§二(三)) ------------------------------------------------------------


def customers_maintained_query(ctx):
    i, key, when = _interactions(ctx, by_manager=True)
    return (select(key, func.count(distinct(i.c.customer_id)).label("value"))
            .where(i.c.kind.in_(("visit", "call")), when).group_by(key))


def accounts_opened_query(ctx):
    a = ctx.tables.accounts
    key = _key(ctx, a.c.customer_id)
    return (select(key, func.count().label("value"))
            .where(_day_in_period(ctx, a.c.opened_at)).group_by(key))


def accounts_net_growth_query(ctx):
    a = ctx.tables.accounts
    key = _key(ctx, a.c.customer_id)
    opened = func.sum(case((_day_in_period(ctx, a.c.opened_at), 1), else_=0))
    closed = func.sum(case((_day_in_period(ctx, a.c.closed_at), 1), else_=0))
    return (select(key, (opened - closed).label("value"))
            .where(or_(_day_in_period(ctx, a.c.opened_at), _day_in_period(ctx, a.c.closed_at)))
            .group_by(key))


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
    r = service_table(ctx, "reports")
    return r, and_(r.c.kind.like("banking.%"), r.c.due_on >= literal(ctx.period.start),
                   r.c.due_on < ctx.today)


def reports_on_time_query(ctx):
    r, due = _due_reports(ctx)
    key = _author_key(ctx, r.c.author_id).label("scope_key")
    on_time = and_(r.c.submitted_at.is_not(None), r.c.late.is_(False))
    return select(key, _share(on_time).label("value")).where(due).group_by(key)


def _missed(r):
    """Late, or not submitted when due: a report that draws a fine."""
    return or_(r.c.late.is_(True), r.c.submitted_at.is_(None))


def spotchecks_done_query(ctx):
    i, key, when = _interactions(ctx, by_manager=True)
    return select(key, func.count().label("value")).where(i.c.kind == "spotcheck", when).group_by(key)


def visits_confirmed_query(ctx):
    i, key, when = _interactions(ctx)
    return (select(key, _share(i.c.outcome == "confirmed").label("value"))
            .where(i.c.kind == "spotcheck", when).group_by(key))


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
        .where(i.c.kind.in_(("visit", "call")), _in_period(ctx, i.c.occurred_at))
        .group_by(m.c.team_id)
        .subquery("team_maintained")
    )
    opened = (
        select(m.c.team_id, func.count().label("n"))
        .select_from(a.join(c, c.c.id == a.c.customer_id).join(m, m.c.id == c.c.manager_id))
        .where(_day_in_period(ctx, a.c.opened_at))
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
               _in_period(ctx, checks.c.occurred_at))
        .group_by(owner.c.team_id)
        .subquery("team_false_reports")
    )
    missed = (
        select(r.c.author_id.label("team_id"), func.count().label("n"))
        .where(due, _missed(r))
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


def team_rewards_query(ctx):
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
    value = case((kept, reward), else_=0.0)
    key = (ranked.c.team_id if ctx.scope == "team" else literal("")).label("scope_key")
    return select(key, func.sum(value).label("value")).group_by(key)


def team_fines_query(ctx):
    # rule BANK-TEAM: 300 per false report (a visit a spot-check did not
    # confirm) and per late or missing team report, on the team.
    f = _team_figures(ctx)
    fine = float(ctx.config["team.fine_team"])
    key = (f.c.team_id if ctx.scope == "team" else literal("")).label("scope_key")
    return (select(key, func.sum((f.c.false_reports + f.c.missed) * fine).label("value"))
            .group_by(key))


def duty_fines_query(ctx):
    # rule BANK-TEAM: 300 per missed duty of an inspector or 分管领导: a spot-check
    # task not done by its due time, a guidance letter or ledger check late
    # or not handed in.
    m, tk = ctx.tables.managers, ctx.tables.tasks
    r, due = _due_reports(ctx)
    undone = (
        select(func.count()).select_from(tk)
        .where(tk.c.manager_id == m.c.id, tk.c.rule == "banking.spotcheck",
               _in_period(ctx, tk.c.due_at), ctx.task_late(tk))
        .correlate(m).scalar_subquery()
    )
    missed = (select(func.count()).select_from(r)
              .where(due, r.c.author_id == m.c.id, _missed(r))
              .correlate(m).scalar_subquery())
    fine = float(ctx.config["team.fine_duty"])
    key = (m.c.id if ctx.scope == "manager" else literal("")).label("scope_key")
    return (select(key, func.sum((undone + missed) * fine).label("value")).select_from(m)
            .group_by(key))


# -- lists (BANK-LIST) and shared credit (BANK-SHARE) --------------------------------------------


def _list_member(ctx, customer_id):
    if ctx.scope == "list":
        return ctx.on_list(ctx.scope_arg, customer_id)
    return or_(*[ctx.on_list(name, customer_id) for name in ctx.config["lists.names"]] or [False])


def list_members_query(ctx):
    c = ctx.tables.customers
    return _count_customers(ctx, _list_member(ctx, c.c.id))


def list_contact_rate_query(ctx):
    c, i = ctx.tables.customers, ctx.tables.interactions
    contacted = exists().where(i.c.customer_id == c.c.id, i.c.kind.in_(("visit", "call")),
                               _in_period(ctx, i.c.occurred_at))
    key = _key(ctx, c.c.id)
    return (select(key, _share(contacted).label("value")).select_from(c)
            .where(_list_member(ctx, c.c.id)).group_by(key))


def unassigned_query(ctx):
    c, m = ctx.tables.customers, ctx.tables.managers
    owned = exists().where(m.c.id == c.c.manager_id, m.c.active.is_(True),
                           or_(m.c.left_at.is_(None), m.c.left_at > ctx.today))
    key = (ctx.scope_key(c.c.id) if ctx.scope not in ("manager",) else c.c.manager_id).label("scope_key")
    return (select(key, func.sum(case((owned, 0), else_=1)).label("value")).select_from(c)
            .where(_on_books(ctx, c), c.c.status != "lost").group_by(key))


def share_conflicts_query(ctx):
    ct = ctx.tables.customer_team
    given = (select(ct.c.customer_id, func.sum(cast(ct.c.share, Float)).label("given"))
             .where(ct.c.share.is_not(None)).group_by(ct.c.customer_id).subquery("given"))
    key = _key(ctx, given.c.customer_id)
    # Shares are stored with four decimals: over 1.00005 is over 100%.
    return (select(key, func.count().label("value"))
            .where(given.c.given > 1.00005).group_by(key))


def product_managers_query(ctx):
    m = ctx.tables.managers
    key = (m.c.team_id if ctx.scope == "team" else literal("")).label("scope_key")
    accounts = func.sum(case((m.c.role == "account manager", 1), else_=0))
    products = func.sum(case((m.c.role == "product manager", 1), else_=0))
    return (select(key, _ratio(accounts, products).label("value"))
            .where(m.c.active.is_(True)).group_by(key))


def _k(name, title, query, unit, description, **extra) -> Kpi:
    return Kpi(name=f"banking.{name}", title=title, query=query, unit=unit,
               description=description, **extra)


_TEAM_SCOPES = ("all", "team")

KPIS = (
    # acquisition
    _k("new_target_customers", "New customers won", new_target_customers_query, COUNT,
       "新增目标客户数量: customers whose first account opened in the period.", empty=0),
    _k("market_share", "Market share", market_share_query, SHARE,
       "市场占有率: share of the customers on the books (surveyed residents and merchants "
       "included) who hold an open product account (products.types) with us."),
    _k("key_customer_share", "Key customers' share of customers", key_customer_share_query, SHARE,
       "重点客户数量占比: share of ABC-ranked customers in class A."),
    _k("key_profit_share", "Key customers' share of profit", key_profit_share_query, SHARE,
       "重点客户收入占比: share of the period's modelled profit from ABC class A."),
    _k("new_core_customers", "New core customers", new_core_customers_query, COUNT,
       "对公/个人核心客户增量: customers who entered ABC class A in the period (split by "
       "--by segment:banking.line).", empty=0),
    _k("new_vip_customers", "New VIP customers", new_vip_customers_query, COUNT,
       "VIP 客户增量: customers who entered an affluent-and-above tier in the period.", empty=0),
    _k("new_sme_loan_customers", "New SME-loan customers", new_sme_loan_customers_query, COUNT,
       "中小企业贷款户增量: SMEs whose first loan opened in the period.", empty=0),
    _k("vip_share", "VIP share of customers", vip_share_query, SHARE,
       "VIP 客户数量占比: share of tiered customers affluent and above."),
    _k("vip_profit_share", "VIP share of profit", vip_profit_share_query, SHARE,
       "VIP 客户收入占比: share of the period's modelled profit from affluent-and-above "
       "customers."),
    # retention
    _k("high_end_customers", "High-end customers under management", high_end_customers_query,
       COUNT, "中高端客户的管户数: affluent-and-above customers at the period's end.", empty=0),
    _k("satisfaction", "Satisfaction score", satisfaction_query, "score 1-5",
       "客户服务满意度: mean satisfaction (1–5) of the surveys in the period."),
    _k("valid_complaints", "Valid complaints", valid_complaints_query, "complaints",
       "客户有效投诉件数: complaints in the period not found invalid.", empty=0,
       higher_is_better=False),
    _k("relationship_contacts", "Relationship contacts", relationship_contacts_query, "contacts",
       "客户关系维护次数: visits and calls in the period, by the manager who made them.",
       empty=0),
    _k("needs_surveys", "Needs surveys", needs_surveys_query, "surveys",
       "客户细分、需求调查调研次数: surveys in the period.", empty=0),
    _k("key_churn_rate", "Key-customer churn rate", key_churn_rate_query, SHARE,
       "重点客户流失率: of the customers in ABC class A or affluent and above at the period's "
       "start (or first labelled in it), the share who closed all accounts or fell out of the "
       "tier by its end.",
       higher_is_better=False),
    _k("quality_discovery_rate", "Quality-customer discovery rate", quality_discovery_query,
       SHARE, "优质客户挖掘率: of the customers in ABC class C or the mass tier at the period's "
              "start (or first labelled in it), the share in class A/B or affluent and above at its end (明日之星)."),
    _k("archives_built", "Archives built", archives_built_query, COUNT,
       "优质客户档案建立情况: customer archives built in the period.", empty=0),
    # value
    _k("value_customers", "Value customers", value_customers_query, COUNT,
       "价值客户的数量: customers in ABC class A or B at the period's end.", empty=0),
    _k("aum", "Total AUM", aum_total_query, "CNY",
       "客户金融资产 AUM 值: AUM at the period's last month-end; by manager, team or territory "
       "split by credit shares (BANK-SHARE).", empty=0),
    _k("aum_growth", "AUM growth", aum_growth_query, SHARE,
       "客户金融资产 AUM 值增长率: AUM at the period's last month-end against the month-end "
       "before the period."),
    _k("profit", "Modelled profit", profit_query, "CNY",
       "客户模拟利润: modelled profit of the period; by manager, team or territory split by "
       "credit shares (BANK-SHARE).", empty=0),
    _k("aum_per_card", "AUM per card", aum_per_card_query, "CNY",
       "卡均管理资产: AUM of the card holders at the period's last month-end per open card."),
    _k("loan_yield", "Loan yield", loan_yield_query, SHARE,
       "贷款收益率: interest rate of the loans weighted by their month-end balances."),
    _k("tier_upgrades", "Tier upgrades", tier_upgrades_query, COUNT,
       "客户等级提升: moves to a higher asset tier in the period.", empty=0),
    _k("cross_sell", "Cross-sell ratio", cross_sell_query, "product types",
       "产品交叉销售率: product types held per customer holding any."),
    _k("product_coverage", "Product coverage", product_coverage_query, SHARE,
       "客户产品覆盖度: share of product holders with at least 3 product types."),
    _k("ebanking_active_rate", "E-banking active-account rate", ebanking_active_query, SHARE,
       "动户率 (《客户管理制度》范文7): share of open e-banking accounts with a transaction in the period."),
    _k("wealth_penetration", "Wealth-product penetration", wealth_penetration_query, SHARE,
       "理财产品渗透率: share of account holders with a wealth product."),
    # service and loyalty (《客户管理制度》范文2 §四)
    _k("complaint_rate", "Complaints per 1,000 customers", complaint_rate_query,
       "per 1,000 customers", "降低客户投诉频率: complaints in the period per 1,000 customers.",
       empty=0, higher_is_better=False),
    _k("complaint_response_hours", "Hours to respond to a complaint",
       complaint_response_hours_query, "hours",
       "加快投诉响应时间: mean hours from opening to first response of the complaints "
       "responded to in the period (BANK-COMPLAINT cases).", higher_is_better=False),
    _k("complaint_resolution_hours", "Hours to resolve a complaint",
       complaint_resolution_hours_query, "hours",
       "加快投诉解决时间: mean hours from opening to resolution of the complaints resolved in "
       "the period, paused time left out.", higher_is_better=False),
    _k("accuracy", "Accuracy", accuracy_query, SHARE,
       "办理业务的准确率: share of the period's transactions not corrected afterwards."),
    _k("punctuality", "Punctuality", punctuality_query, SHARE,
       "准时率: share of the banking tasks due in the period done on time: a task due on a "
       "day done by the end of that day, a timed task by its time; tasks not yet done nor "
       "late are not judged."),
    _k("marketing_success", "Targeted-marketing success rate", marketing_success_query, SHARE,
       "精准营销成功率: share of campaign contacts in the period with a positive outcome."),
    _k("wallet_share", "Share of wallet", wallet_share_query, SHARE,
       "客户在行存有资产比例: mean share of the customer's assets held with us, from surveys."),
    _k("intent_to_stay", "Intent to stay", _survey_share("intends_to_stay"), SHARE,
       "继续使用倾向: share of the period's surveys answering that they will stay."),
    _k("would_recommend", "Would recommend", _survey_share("would_recommend"), SHARE,
       "推荐购买意愿: share of the period's surveys answering that they would recommend us."),
    # teams (BANK-TEAM)
    _k("customers_maintained", "Customers maintained", customers_maintained_query, COUNT,
       "客户维护量 (《银行客户关系管理实施方案》§二(三)): customers visited or called in the period, by the manager or "
       "team that did it.", empty=0),
    _k("accounts_opened", "Accounts opened", accounts_opened_query, "accounts",
       "客户开户数 (《银行客户关系管理实施方案》§二(三)): accounts opened in the period (gross).", empty=0),
    _k("accounts_net_growth", "Net account growth", accounts_net_growth_query, "accounts",
       "账户净增长 (《客户管理制度》范文7): accounts opened less accounts closed in the period.", empty=0),
    _k("reports_on_time", "Reports on time", reports_on_time_query, SHARE,
       "按时交回总结报告 (《银行客户关系管理实施方案》): share of the banking reports due in the period handed in on "
       "time."),
    _k("spotchecks_done", "Spot-checks done", spotchecks_done_query, "checks",
       "回访督查 (《银行客户关系管理实施方案》§二(二)): spot-check callbacks recorded in the period, by the leader who "
       "made them.", empty=0),
    _k("visits_confirmed", "Visits confirmed", visits_confirmed_query, SHARE,
       "回访核实: share of the period's spot-checks that confirmed the visit."),
    _k("team_rewards", "Team rewards", team_rewards_query, "CNY",
       "奖励制度 (《银行客户关系管理实施方案》§二(三)(5)): rewards earned in the period, recorded not paid.",
       scopes=_TEAM_SCOPES, shown_only=True, empty=0),
    _k("team_fines", "Team fines", team_fines_query, "CNY",
       "罚款 (《银行客户关系管理实施方案》§二(三)(1)): fines on teams for false reports and missed reports, recorded "
       "not paid.", scopes=_TEAM_SCOPES, shown_only=True, empty=0, higher_is_better=False),
    _k("duty_fines", "Duty fines", duty_fines_query, "CNY",
       "罚款 (《银行客户关系管理实施方案》§二(三)(2)(3)): fines on leaders for spot-checks left undone and guidance "
       "or ledger checks not handed in, recorded not paid.", scopes=("all", "manager"),
       shown_only=True, empty=0, higher_is_better=False),
    # lists (BANK-LIST)
    _k("list_members", "Customers on lists", list_members_query, COUNT,
       "名单制: customers on the named lists (lists.names) at the period's end; by list with "
       "--by list:NAME.", empty=0),
    _k("list_contact_rate", "List members contacted", list_contact_rate_query, SHARE,
       "名单制营销、过程化管理: share of list members visited or called in the period."),
    # shared ownership (BANK-SHARE)
    _k("unassigned_customers", "Customers without an active owner", unassigned_query, COUNT,
       "全量分配 (《客户经理的工作计划》第8篇): customers whose owner is missing, inactive or gone.", empty=0,
       higher_is_better=False),
    _k("share_conflicts", "Customers with credit over 100%", share_conflicts_query, COUNT,
       "利益共享 (《用CRM的思想定制客户经理作业平台》§3.3): customers whose customer-team credit shares add up to more than "
       "100%.", empty=0, higher_is_better=False),
    _k("product_manager_ratio", "Account managers per product manager", product_managers_query,
       "managers", "每3名客户经理配备一名产品经理 (《对客户经理岗位创新的思考》): active account managers per "
                   "active product manager (target 3).", scopes=_TEAM_SCOPES, target=3.0,
       higher_is_better=False),
)
