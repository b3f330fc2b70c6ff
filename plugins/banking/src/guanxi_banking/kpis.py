"""The banking KPIs (《客户经理的工作计划》第8篇 unless noted): acquisition, retention, value,
service and loyalty, teams (BANK-TEAM), lists (BANK-LIST), shared credit
(BANK-SHARE).

Each is one grouped select for the period (``ctx.period``) up to the as-of
day, keyed by ``ctx.scope_key`` of the customer it counts; work a manager
did (contacts, spot-checks) is keyed by that manager, and AUM and profit by
manager, team or territory are split by credit shares (BANK-SHARE).
Labels at a date come from segment history, so a past period reads the
labels it had.

The rows behind a value: each KPI is built from one per-row select
(``scope_key, row_id, figure[, weight]`` and the figures its reason names),
which its value adds up (``_value``: Σ figure, or Σ figure / Σ weight for
shares, means and rates) and ``--explain`` lists (``_explained``), so the
two cannot drift apart.
"""

from __future__ import annotations


from sqlalchemy import Float, String, and_, case, cast, distinct, exists, func, literal, or_, select

from guanxi import Kpi
from guanxi_banking.blocks import TIERS, VALUED_CLASSES, VALUED_TIERS, account_open, manager_key

SHARE = "share"
COUNT = "customers"


def _one(condition):
    """1 when ``condition`` holds, else 0: a row's figure in a count or a share."""
    return case((condition, 1), else_=0)


def _value(ctx, base, combine="sum"):
    """A KPI's value from its per-row select: Σ figure, or (``ratio``) Σ figure / Σ weight."""
    b = base.subquery("kpi_row")
    value = func.sum(b.c.figure) if combine == "sum" else ctx.ratio(func.sum(b.c.figure),
                                                                    func.sum(b.c.weight))
    return select(b.c.scope_key, value.label("value")).group_by(b.c.scope_key)


def _explained(ctx, base, reason, all_rows=False):
    """The rows of a per-row select with their reasons (``reason(ctx, row)``).

    Rows that add nothing (figure 0, and weight 0 where there is one) are
    left out unless ``all_rows``: a count lists what it counted.
    """
    b = base.subquery("kpi_row")
    columns = [b.c.scope_key, b.c.row_id, b.c.figure]
    adds = b.c.figure != 0
    if "weight" in b.c:
        columns.append(b.c.weight)
        adds = or_(adds, b.c.weight != 0)
    rows = select(*columns, reason(ctx, b).label("reason"))
    return rows if all_rows else rows.where(adds)


def _says(key, *names, **renamed):
    """A reason builder: template ``banking.kpi.KEY`` with the row's columns ``names``."""
    def reason(ctx, b):
        figures = {name: b.c[name] for name in names}
        figures.update({name: b.c[column] for name, column in renamed.items()})
        return ctx.reason(f"banking.kpi.{key}", **figures)
    return reason


def _yes_no(key, *names, **renamed):
    """``banking.kpi.KEY.yes`` for a row that counts (figure not 0), else ``KEY.no``."""
    yes, no = _says(f"{key}.yes", *names, **renamed), _says(f"{key}.no", *names, **renamed)
    return lambda ctx, b: case((b.c.figure != 0, yes(ctx, b)), else_=no(ctx, b))


def _key(ctx, customer_id):
    return ctx.scope_key(customer_id).label("scope_key")


def _on_books(ctx, c):
    return or_(c.c.created_at.is_(None), c.c.created_at <= ctx.today)


def _owner(ctx, customer_id):
    c = ctx.tables.customers.alias("kpi_owner")
    return select(c.c.manager_id).where(c.c.id == customer_id).correlate_except(c).scalar_subquery()


def _customers(ctx, condition, *where, **details):
    """Customers on the books, figure 1 for those ``condition`` counts."""
    c = ctx.tables.customers
    return (select(_key(ctx, c.c.id), c.c.id.label("row_id"), _one(condition).label("figure"),
                   ctx.today.label("day"), *[v.label(k) for k, v in details.items()])
            .select_from(c).where(_on_books(ctx, c), *where))


def _shares(ctx, condition, *where, **details):
    """Customers ``where`` selects, each weighing 1, figure 1 where ``condition``."""
    c = ctx.tables.customers
    return (select(_key(ctx, c.c.id), c.c.id.label("row_id"), _one(condition).label("figure"),
                   literal(1).label("weight"), ctx.today.label("day"),
                   *[v.label(k) for k, v in details.items()])
            .select_from(c).where(*where))


def _interactions(ctx, *where, by_manager=False):
    i = ctx.tables.interactions
    if by_manager:
        key = manager_key(ctx, func.coalesce(i.c.manager_id, _owner(ctx, i.c.customer_id)),
                          i.c.customer_id).label("scope_key")
    else:
        key = _key(ctx, i.c.customer_id)
    return i, key, ctx.in_period(i.c.occurred_at)


def _interaction_rows(ctx, figure, *where, by_manager=False, weight=None, **details):
    """The period's interactions ``where`` selects: id, figure, who, when."""
    i, key, when = _interactions(ctx, by_manager=by_manager)
    extra = [] if weight is None else [weight.label("weight")]
    return (select(key, i.c.id.label("row_id"), figure.label("figure"), *extra,
                   i.c.customer_id.label("customer"), i.c.kind.label("kind"),
                   func.coalesce(i.c.manager_id, "").label("manager"),
                   ctx.day_text(i.c.occurred_at).label("day"),
                   *[v.label(k) for k, v in details.items()])
            .where(when, *[w(i) for w in where]))


# -- measures at the period's last month-end --------------------------------------------


def _ref_month(ctx, metric):
    """The latest month-end of ``metric`` in the period or before it (up to the as-of day)."""
    m = ctx.tables.measurements.alias("kpi_ref")
    return (select(func.max(m.c.period))
            .where(m.c.metric == metric, m.c.period < literal(ctx.period.end),
                   m.c.period <= ctx.today)
            .scalar_subquery())


def _measure_rows(ctx, metric, period_condition):
    """``metric``'s rows in the period condition; by manager, team or territory one per
    credited manager, the amount times the share (BANK-SHARE)."""
    ms = ctx.tables.measurements
    where = (ms.c.metric == metric, period_condition(ms.c.period))
    amount = cast(ms.c.value, Float)
    common = (ms.c.customer_id.label("row_id"), amount.label("amount"),
              ctx.month_text(ms.c.period).label("month"))
    if ctx.scope in ("manager", "team", "territory"):
        credit = ctx.credit_shares()
        key = ctx.credit_scope_key(credit.c.manager_id).label("scope_key")
        return (select(key, (amount * credit.c.share).label("figure"), *common,
                       credit.c.manager_id.label("manager"),
                       (credit.c.share * 100.0).label("share"))
                .join(credit, credit.c.customer_id == ms.c.customer_id).where(*where))
    return select(_key(ctx, ms.c.customer_id), amount.label("figure"), *common).where(*where)


def _measure_reason(metric):
    def reason(ctx, b):
        if "manager" in b.c:
            return _says(f"{metric}.credit", "month", "amount", "manager", "share",
                         customer="row_id")(ctx, b)
        return _says(metric, "month", "amount", customer="row_id")(ctx, b)
    return reason


def _aum_rows(ctx):
    ref = _ref_month(ctx, "aum")
    return _measure_rows(ctx, "aum", lambda p: p == ref)


def _profit_rows(ctx):
    return _measure_rows(ctx, "profit",
                         lambda p: and_(p >= literal(ctx.period.start), p <= ctx.today))


def _aum_growth_rows(ctx):
    # Σ(now − then) / Σ then is the key's (now − then) / then: one row per customer.
    ms = ctx.tables.measurements
    ref = _ref_month(ctx, "aum")
    grain = ctx.period.grain if ctx.period.grain in ("quarter", "year") else "month"
    start = getattr(ctx, f"start_of_{grain}")(ref)
    prior = ctx.tables.measurements.alias("kpi_prior")
    before = (select(func.max(prior.c.period))
              .where(prior.c.metric == "aum", prior.c.period < start).scalar_subquery())
    now = func.sum(case((ms.c.period == ref, cast(ms.c.value, Float)), else_=0.0))
    then = func.sum(case((ms.c.period == before, cast(ms.c.value, Float)), else_=0.0))
    per = (select(ms.c.customer_id, now.label("now"), then.label("then"),
                  ctx.month_text(before).label("since"), ctx.month_text(ref).label("until"))
           .where(ms.c.metric == "aum", ms.c.period.in_([ref, before]))
           .group_by(ms.c.customer_id).subquery("aum_both"))
    return select(_key(ctx, per.c.customer_id), per.c.customer_id.label("row_id"),
                  (per.c.now - per.c.then).label("figure"), per.c.then.label("weight"),
                  per.c.now, per.c.then, per.c.since, per.c.until)


def _profit_share_rows(ctx, label_of, condition):
    ms = ctx.tables.measurements
    value = cast(ms.c.value, Float)
    label = label_of(ctx, ms.c.customer_id)
    return (select(_key(ctx, ms.c.customer_id), ms.c.customer_id.label("row_id"),
                   case((condition(label), value), else_=0.0).label("figure"),
                   value.label("weight"), value.label("amount"),
                   ctx.month_text(ms.c.period).label("month"),
                   func.coalesce(label, "-").label("label"))
            .where(ms.c.metric == "profit", ms.c.period >= literal(ctx.period.start),
                   ms.c.period <= ctx.today))


def _abc(ctx, customer_id):
    return ctx.label_at("banking.abc", customer_id, ctx.today)


def _tier(ctx, customer_id):
    return ctx.label_at("banking.tier", customer_id, ctx.today)


# -- acquisition --------------------------------------------------------------------------


def _first_opened(ctx, *where, name):
    a = ctx.tables.accounts
    return (select(a.c.customer_id, func.min(a.c.opened_at).label("opened"))
            .where(a.c.opened_at.is_not(None), *where).group_by(a.c.customer_id).subquery(name))


def _new_target_customers_rows(ctx):
    first = _first_opened(ctx, name="first_account")
    return (select(_key(ctx, first.c.customer_id), first.c.customer_id.label("row_id"),
                   literal(1).label("figure"), ctx.day_text(first.c.opened).label("opened"))
            .where(ctx.in_period(first.c.opened)))


def _market_share_rows(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    products = list(ctx.config["products.types"])
    mine = (a.c.customer_id == c.c.id, account_open(a, ctx.today), a.c.type.in_(products))
    holds = exists().where(*mine)
    held = select(func.min(a.c.type)).where(*mine).correlate(c).scalar_subquery()
    return _shares(ctx, holds, _on_books(ctx, c), product=held)


def _key_customer_share_rows(ctx):
    c = ctx.tables.customers
    label = _abc(ctx, c.c.id)
    return _shares(ctx, label == "A", label.is_not(None), label=label)


def _key_profit_share_rows(ctx):
    return _profit_share_rows(ctx, _abc, lambda label: label == "A")


def _entered_rows(ctx, segmentation, labels):
    """Customers whose label entered ``labels`` during the period, one row each.

    From another label, or a first label for a customer new in the period:
    the first run over an existing base is no acquisition.
    """
    h, c = ctx.tables.segment_history, ctx.tables.customers
    new_customer = exists().where(c.c.id == h.c.customer_id,
                                  c.c.created_at >= literal(ctx.period.start))
    entered = (select(h.c.customer_id, func.min(h.c.changed_on).label("changed_on"))
               .where(h.c.segmentation == segmentation, h.c.new_label.in_(labels),
                      or_(h.c.old_label.not_in(labels),
                          and_(h.c.old_label.is_(None), new_customer)),
                      ctx.in_period(h.c.changed_on))
               .group_by(h.c.customer_id).subquery("entered"))
    return select(_key(ctx, entered.c.customer_id), entered.c.customer_id.label("row_id"),
                  literal(1).label("figure"), ctx.day_text(entered.c.changed_on).label("on"))


def _new_core_customers_rows(ctx):
    return _entered_rows(ctx, "banking.abc", ("A",))


def _new_vip_customers_rows(ctx):
    return _entered_rows(ctx, "banking.tier", VALUED_TIERS)


def _new_sme_loan_customers_rows(ctx):
    c = ctx.tables.customers
    a = ctx.tables.accounts
    first = _first_opened(ctx, a.c.type == "loan", name="first_loan")
    return (select(_key(ctx, first.c.customer_id), first.c.customer_id.label("row_id"),
                   literal(1).label("figure"), ctx.day_text(first.c.opened).label("opened"))
            .join(c, c.c.id == first.c.customer_id)
            .where(ctx.in_period(first.c.opened), ctx.attribute(c, "sme", "boolean")))


def _vip_share_rows(ctx):
    c = ctx.tables.customers
    tier = _tier(ctx, c.c.id)
    return _shares(ctx, tier.in_(VALUED_TIERS), tier.is_not(None), label=tier)


def _vip_profit_share_rows(ctx):
    return _profit_share_rows(ctx, _tier, lambda label: label.in_(VALUED_TIERS))


# -- retention ----------------------------------------------------------------------------


def _high_end_customers_rows(ctx):
    c = ctx.tables.customers
    tier = _tier(ctx, c.c.id)
    return _customers(ctx, tier.in_(VALUED_TIERS), label=tier)


def _satisfaction_rows(ctx):
    i = ctx.tables.interactions
    score = ctx.attribute(i, "satisfaction", "integer")
    return _interaction_rows(ctx, cast(score, Float), lambda i: i.c.kind == "survey",
                             lambda i: score.is_not(None), weight=literal(1), score=score)


def _valid_complaints_rows(ctx):
    i = ctx.tables.interactions
    valid = ctx.attribute(i, "complaint_valid", "boolean")
    return _interaction_rows(ctx, literal(1), lambda i: i.c.kind == "complaint",
                             lambda i: or_(valid.is_(None), valid))


def _relationship_contacts_rows(ctx):
    return _interaction_rows(ctx, literal(1), lambda i: i.c.kind.in_(("visit", "call")),
                             by_manager=True)


def _needs_surveys_rows(ctx):
    return _interaction_rows(ctx, literal(1), lambda i: i.c.kind == "survey", by_manager=True)


def _key_churn_rate_rows(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    abc_then = ctx.label_at_start("banking.abc", c.c.id)
    tier_then = ctx.label_at_start("banking.tier", c.c.id)
    tier_now = _tier(ctx, c.c.id)
    had = exists().where(a.c.customer_id == c.c.id)
    still = exists().where(a.c.customer_id == c.c.id, account_open(a, ctx.today))
    closed_all = and_(had, ~still)
    fell = and_(tier_then.in_(VALUED_TIERS),
                or_(tier_now.is_(None), tier_now.not_in(VALUED_TIERS)))
    return _shares(ctx, or_(closed_all, fell), or_(abc_then == "A", tier_then.in_(VALUED_TIERS)),
                   closed=_one(closed_all), abc_then=func.coalesce(abc_then, "-"),
                   tier_then=func.coalesce(tier_then, "-"),
                   tier_now=func.coalesce(tier_now, "-"))


def _key_churn_reason(ctx, b):
    def say(key):
        return _says(f"key_churn_rate.{key}", "abc_then", "tier_then", "tier_now", "day",
                     customer="row_id")(ctx, b)
    return case((b.c.closed == 1, say("closed")), (b.c.figure != 0, say("fell")),
                else_=say("kept"))


def _quality_discovery_rows(ctx):
    c = ctx.tables.customers
    abc_then = ctx.label_at_start("banking.abc", c.c.id)
    tier_then = ctx.label_at_start("banking.tier", c.c.id)
    abc_now, tier_now = _abc(ctx, c.c.id), _tier(ctx, c.c.id)
    found = or_(abc_now.in_(VALUED_CLASSES), tier_now.in_(VALUED_TIERS))
    low = and_(or_(abc_then.is_(None), abc_then == "C"),
               or_(tier_then.is_(None), tier_then == "mass"),
               or_(abc_then.is_not(None), tier_then.is_not(None)))
    return _shares(ctx, found, low, abc_then=func.coalesce(abc_then, "-"),
                   tier_then=func.coalesce(tier_then, "-"), abc_now=func.coalesce(abc_now, "-"),
                   tier_now=func.coalesce(tier_now, "-"))


def _archives_built_rows(ctx):
    c = ctx.tables.customers
    built = ctx.attribute(c, "archive_built_on", "date")
    return (select(_key(ctx, c.c.id), c.c.id.label("row_id"), literal(1).label("figure"),
                   ctx.day_text(built).label("built")).select_from(c)
            .where(ctx.in_period(built)))


# -- value ----------------------------------------------------------------------------------


def _value_customers_rows(ctx):
    c = ctx.tables.customers
    label = _abc(ctx, c.c.id)
    return _customers(ctx, label.in_(VALUED_CLASSES), label=label)


def _aum_per_card_rows(ctx):
    # Σ AUM / Σ open cards: each card holder adds its AUM and weighs its cards.
    c, a, ms = ctx.tables.customers, ctx.tables.accounts, ctx.tables.measurements
    ref = _ref_month(ctx, "aum")
    aum = (select(func.sum(cast(ms.c.value, Float)))
           .where(ms.c.customer_id == c.c.id, ms.c.metric == "aum", ms.c.period == ref)
           .correlate(c).scalar_subquery())
    cards = (select(func.count()).select_from(a)
             .where(a.c.customer_id == c.c.id, a.c.type == "card", account_open(a, ctx.today))
             .correlate(c).scalar_subquery())
    return (select(_key(ctx, c.c.id), c.c.id.label("row_id"),
                   func.coalesce(aum, 0.0).label("figure"), cards.label("weight"),
                   func.coalesce(aum, 0.0).label("aum"), cards.label("cards"),
                   ctx.month_text(ref).label("month"))
            .select_from(c).where(cards > 0))


def _loan_yield_rows(ctx):
    # Σ rate × balance / Σ balance: each loan adds its interest and weighs its balance.
    a, ms = ctx.tables.accounts, ctx.tables.measurements
    ref = _ref_month(ctx, "loan_balance")
    rate = cast(ctx.attribute(a, "interest_rate", "decimal"), Float)
    balance = cast(ms.c.value, Float)
    return (select(_key(ctx, a.c.customer_id), a.c.id.label("row_id"),
                   (rate * balance).label("figure"), balance.label("weight"),
                   a.c.customer_id.label("customer"), (rate * 100.0).label("rate"),
                   balance.label("balance"), ctx.month_text(ms.c.period).label("month"))
            .join(ms, and_(ms.c.account_id == a.c.id, ms.c.customer_id == a.c.customer_id))
            .where(a.c.type == "loan", ms.c.metric == "loan_balance", ms.c.period == ref,
                   rate.is_not(None)))


def _tier_upgrades_rows(ctx):
    h = ctx.tables.segment_history
    rank = {label: n for n, label in enumerate(TIERS)}

    def order(col):
        return case(*[(col == label, n) for label, n in rank.items()], else_=len(TIERS))

    return (select(_key(ctx, h.c.customer_id), h.c.customer_id.label("row_id"),
                   literal(1).label("figure"), h.c.old_label.label("old"),
                   h.c.new_label.label("new"), ctx.day_text(h.c.changed_on).label("on"))
            .where(h.c.segmentation == "banking.tier", h.c.old_label.is_not(None),
                   h.c.new_label.is_not(None), order(h.c.new_label) < order(h.c.old_label),
                   ctx.in_period(h.c.changed_on)))


def _product_types(ctx):
    a = ctx.tables.accounts
    return (select(a.c.customer_id, func.count(distinct(a.c.type)).label("types"))
            .where(a.c.type.in_(list(ctx.config["products.types"])), account_open(a, ctx.today))
            .group_by(a.c.customer_id).subquery("product_types"))


def _cross_sell_rows(ctx):
    p = _product_types(ctx)
    return select(_key(ctx, p.c.customer_id), p.c.customer_id.label("row_id"),
                  p.c.types.label("figure"), literal(1).label("weight"), p.c.types)


def _product_coverage_rows(ctx):
    p = _product_types(ctx)
    need = int(ctx.config["products.coverage_types"])
    return select(_key(ctx, p.c.customer_id), p.c.customer_id.label("row_id"),
                  _one(p.c.types >= need).label("figure"), literal(1).label("weight"),
                  p.c.types, literal(need).label("need"))


def _ebanking_active_rows(ctx):
    a, i = ctx.tables.accounts, ctx.tables.interactions
    active = (select(i.c.account_id, func.count().label("moves"))
              .where(i.c.kind == "transaction", i.c.account_id.is_not(None),
                     ctx.in_period(i.c.occurred_at))
              .group_by(i.c.account_id).subquery("active_accounts"))
    return (select(_key(ctx, a.c.customer_id), a.c.id.label("row_id"),
                   _one(active.c.account_id.is_not(None)).label("figure"),
                   literal(1).label("weight"), a.c.customer_id.label("customer"),
                   func.coalesce(active.c.moves, 0).label("moves"))
            .select_from(a.outerjoin(active, active.c.account_id == a.c.id))
            .where(a.c.type == "ebanking", account_open(a, ctx.today)))


def _wealth_penetration_rows(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    wealth = exists().where(a.c.customer_id == c.c.id, a.c.type == "wealth",
                            account_open(a, ctx.today))
    other = ctx.tables.accounts.alias("any_account")
    holds = exists().where(other.c.customer_id == c.c.id, account_open(other, ctx.today))
    return _shares(ctx, wealth, holds)


# -- service and loyalty (《客户管理制度》范文2 §四) -------------------------------------------------------


def _complaint_rate_rows(ctx):
    # Per 1,000 customers: each customer on the books weighs 1 and adds its
    # complaints × 1,000, so Σ figure / Σ weight is the rate.
    c, i = ctx.tables.customers, ctx.tables.interactions
    # The period's complaints counted once per customer, then joined: a count
    # per customer (a correlated subquery) made SQLite walk every complaint of
    # the period for each customer, by the index on kind.
    complaints = (select(i.c.customer_id, func.count().label("n"))
                  .where(i.c.kind == "complaint", ctx.in_period(i.c.occurred_at))
                  .group_by(i.c.customer_id)
                  .subquery("period_complaints"))
    n = func.coalesce(complaints.c.n, 0)
    return (select(_key(ctx, c.c.id), c.c.id.label("row_id"),
                   (cast(n, Float) * 1000.0).label("figure"), literal(1).label("weight"),
                   n.label("complaints"))
            .select_from(c.outerjoin(complaints, complaints.c.customer_id == c.c.id))
            .where(_on_books(ctx, c)))


def _case_hours_rows(ctx, clock):
    d = ctx.case_hours("banking.complaint", clock, served=False)
    return select(d.c.scope_key, d.c.id.label("row_id"), d.c.hours.label("figure"),
                  literal(1).label("weight"), d.c.customer_id.label("customer"),
                  ctx.minute_text(d.c.opened_at).label("opened"),
                  ctx.minute_text(d.c.done_at).label("done"), d.c.hours.label("hours"),
                  d.c.paused_hours.label("paused"))


def _complaint_response_hours_rows(ctx):
    return _case_hours_rows(ctx, "response")


def _complaint_resolution_hours_rows(ctx):
    return _case_hours_rows(ctx, "resolution")


def _accuracy_rows(ctx):
    i = ctx.tables.interactions
    error = ctx.attribute(i, "error", "boolean")
    return _interaction_rows(ctx, _one(or_(error.is_(None), ~error)),
                             lambda i: i.c.kind == "transaction", weight=literal(1))


def _punctuality_rows(ctx):
    tk = ctx.tables.tasks
    key = (tk.c.manager_id if ctx.scope == "manager" else ctx.scope_key(tk.c.customer_id))
    if ctx.scope in ("team", "territory"):
        key = ctx.credit_scope_key(tk.c.manager_id)
    # A task due on a day is on time all that day; a timed one until its time.
    # Judged once done or late: a task still inside its due day is neither.
    on_time = ctx.task_on_time(tk)
    due = case((tk.c.all_day, ctx.day_text(tk.c.due_at)), else_=ctx.minute_text(tk.c.due_at))
    return (select(key.label("scope_key"), tk.c.id.label("row_id"),
                   _one(on_time).label("figure"), literal(1).label("weight"),
                   tk.c.rule.label("rule"), func.coalesce(tk.c.customer_id, "-").label("customer"),
                   due.label("due"), ctx.minute_text(tk.c.closed_at).label("done"),
                   tk.c.status.label("status"))
            .where(tk.c.rule.like("banking.%"), ctx.in_period(tk.c.due_at),
                   or_(on_time, ctx.task_late(tk))))


def _punctuality_reason(ctx, b):
    def say(key):
        return _says(f"punctuality.{key}", "rule", "customer", "due", "done", task="row_id")(ctx, b)
    return case((b.c.figure != 0, say("on_time")), (b.c.status == "done", say("late")),
                else_=say("open"))


def _marketing_success_rows(ctx):
    i = ctx.tables.interactions
    campaign = ctx.attribute(i, "campaign", "text")
    return _interaction_rows(ctx, _one(i.c.outcome == "positive"),
                             lambda i: campaign.is_not(None), lambda i: campaign != "",
                             by_manager=True, weight=literal(1), campaign=campaign,
                             outcome=func.coalesce(i.c.outcome, "-"))


def _wallet_share_rows(ctx):
    i = ctx.tables.interactions
    share = cast(ctx.attribute(i, "wallet_share", "decimal"), Float)
    return _interaction_rows(ctx, share, lambda i: i.c.kind == "survey",
                             lambda i: share.is_not(None), weight=literal(1),
                             percent=share * 100.0)


def _survey_share_rows(field):
    def rows(ctx):
        i = ctx.tables.interactions
        answer = ctx.attribute(i, field, "boolean")
        return _interaction_rows(ctx, _one(answer), lambda i: i.c.kind == "survey",
                                 lambda i: ctx.attribute(i, field, "text").is_not(None),
                                 weight=literal(1))
    return rows


# -- teams (BANK-TEAM, 《银行客户关系管理实施方案》§二(三)) ------------------------------------------------------------


def _customers_maintained_rows(ctx):
    # A customer counts once per key however often it was seen.
    i, key, when = _interactions(ctx, by_manager=True)
    seen = (select(key, i.c.customer_id, func.count().label("contacts"),
                   func.max(ctx.day_text(i.c.occurred_at)).label("last"))
            .where(i.c.kind.in_(("visit", "call")), when)
            .group_by(key, i.c.customer_id).subquery("maintained"))
    return select(seen.c.scope_key, seen.c.customer_id.label("row_id"),
                  literal(1).label("figure"), seen.c.contacts, seen.c.last)


def _accounts_opened_rows(ctx):
    a = ctx.tables.accounts
    return (select(_key(ctx, a.c.customer_id), a.c.id.label("row_id"), literal(1).label("figure"),
                   a.c.customer_id.label("customer"), a.c.type.label("type"),
                   ctx.day_text(a.c.opened_at).label("opened"))
            .where(ctx.in_period(a.c.opened_at)))


def _accounts_net_growth_rows(ctx):
    a = ctx.tables.accounts
    opened, closed = ctx.in_period(a.c.opened_at), ctx.in_period(a.c.closed_at)
    return (select(_key(ctx, a.c.customer_id), a.c.id.label("row_id"),
                   (_one(opened) - _one(closed)).label("figure"),
                   _one(opened).label("new"),
                   a.c.customer_id.label("customer"), a.c.type.label("type"),
                   func.coalesce(ctx.day_text(a.c.opened_at), "-").label("opened"),
                   func.coalesce(ctx.day_text(a.c.closed_at), "-").label("closed"))
            .where(or_(opened, closed)))


def _net_growth_reason(ctx, b):
    def say(key):
        return _says(f"accounts_net_growth.{key}", "customer", "type", "opened", "closed",
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


def _reports_on_time_rows(ctx):
    r, due = _due_reports(ctx)
    on_time = and_(r.c.submitted_at.is_not(None), r.c.late.is_(False))
    return (select(_author_key(ctx, r.c.author_id).label("scope_key"), r.c.id.label("row_id"),
                   _one(on_time).label("figure"), literal(1).label("weight"),
                   r.c.kind.label("kind"), r.c.author_id.label("author"),
                   r.c.period.label("period"), ctx.day_text(r.c.due_on).label("due"),
                   ctx.minute_text(r.c.submitted_at).label("submitted"))
            .where(due))


def _reports_reason(ctx, b):
    def say(key):
        return _says(f"reports_on_time.{key}", "kind", "author", "period", "due", "submitted",
                     report="row_id")(ctx, b)
    return case((b.c.figure != 0, say("on_time")), (b.c.submitted.is_not(None), say("late")),
                else_=say("missing"))


def _missed(r):
    """Late, or not submitted when due: a report that draws a fine."""
    return or_(r.c.late.is_(True), r.c.submitted_at.is_(None))


def _spotchecks_done_rows(ctx):
    i = ctx.tables.interactions
    return _interaction_rows(ctx, literal(1), lambda i: i.c.kind == "spotcheck", by_manager=True,
                             outcome=func.coalesce(i.c.outcome, "-"))


def _visits_confirmed_rows(ctx):
    i = ctx.tables.interactions
    return _interaction_rows(ctx, _one(i.c.outcome == "confirmed"),
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


def _team_key(ctx, team_id):
    return (team_id if ctx.scope == "team" else literal("")).label("scope_key")


def _team_rewards_rows(ctx):
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
    return select(_team_key(ctx, ranked.c.team_id), ranked.c.team_id.label("row_id"),
                  case((kept, reward), else_=0.0).label("figure"), reward.label("earned"),
                  _one(kept).label("kept"), ranked.c.maintained, ranked.c.top_m, ranked.c.opened,
                  ranked.c.top_o, ranked.c.false_reports, ranked.c.missed)


def _team_rewards_reason(ctx, b):
    def say(key):
        return _says(f"team_rewards.{key}", "maintained", "top_m", "opened", "top_o",
                     "false_reports", "missed", "earned", team="row_id")(ctx, b)
    return case((b.c.kept == 1, say("kept")), else_=say("withdrawn"))


def _team_fines_rows(ctx):
    # rule BANK-TEAM: 300 per false report (a visit a spot-check did not
    # confirm) and per late or missing team report, on the team.
    f = _team_figures(ctx)
    fine = float(ctx.config["team.fine_team"])
    return select(_team_key(ctx, f.c.team_id), f.c.team_id.label("row_id"),
                  ((f.c.false_reports + f.c.missed) * fine).label("figure"),
                  f.c.false_reports, f.c.missed, literal(fine).label("fine"))


def _duty_fines_rows(ctx):
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
              .where(due, r.c.author_id == m.c.id, _missed(r))
              .correlate(m).scalar_subquery())
    fine = float(ctx.config["team.fine_duty"])
    key = (m.c.id if ctx.scope == "manager" else literal("")).label("scope_key")
    return select(key, m.c.id.label("row_id"), ((undone + missed) * fine).label("figure"),
                  undone.label("undone"), missed.label("missed"),
                  literal(fine).label("fine")).select_from(m)


# -- lists (BANK-LIST) and shared credit (BANK-SHARE) --------------------------------------------


def _list_names(ctx):
    return [ctx.scope_arg] if ctx.scope == "list" else list(ctx.config["lists.names"])


def _list_member(ctx, customer_id):
    if ctx.scope == "list":
        return ctx.on_list(ctx.scope_arg, customer_id)
    return or_(*[ctx.on_list(name, customer_id) for name in ctx.config["lists.names"]] or [False])


def _list_members_rows(ctx):
    c = ctx.tables.customers
    return _customers(ctx, _list_member(ctx, c.c.id),
                      lists=literal(", ".join(_list_names(ctx)), String))


def _list_contact_rate_rows(ctx):
    c, i = ctx.tables.customers, ctx.tables.interactions
    contacted = exists().where(i.c.customer_id == c.c.id, i.c.kind.in_(("visit", "call")),
                               ctx.in_period(i.c.occurred_at))
    return _shares(ctx, contacted, _list_member(ctx, c.c.id),
                   lists=literal(", ".join(_list_names(ctx)), String))


def _unassigned_rows(ctx):
    c, m = ctx.tables.customers, ctx.tables.managers
    owned = exists().where(m.c.id == c.c.manager_id, m.c.active.is_(True),
                           or_(m.c.left_at.is_(None), m.c.left_at > ctx.today))
    key = (ctx.scope_key(c.c.id) if ctx.scope not in ("manager",) else c.c.manager_id)
    return (select(key.label("scope_key"), c.c.id.label("row_id"),
                   case((owned, 0), else_=1).label("figure"),
                   c.c.manager_id.label("manager"), ctx.today.label("day"))
            .select_from(c).where(_on_books(ctx, c), c.c.status != "lost"))


def _unassigned_reason(ctx, b):
    def say(key):
        return _says(f"unassigned_customers.{key}", "manager", "day", customer="row_id")(ctx, b)
    return case((b.c.manager.is_(None), say("none")), else_=say("gone"))


def _share_conflicts_rows(ctx):
    ct = ctx.tables.customer_team
    given = (select(ct.c.customer_id, func.sum(cast(ct.c.share, Float)).label("given"))
             .where(ct.c.share.is_not(None)).group_by(ct.c.customer_id).subquery("given"))
    # Shares are stored with four decimals: over 1.00005 is over 100%.
    return (select(_key(ctx, given.c.customer_id), given.c.customer_id.label("row_id"),
                   literal(1).label("figure"), (given.c.given * 100.0).label("percent"))
            .where(given.c.given > 1.00005))


def _product_managers_rows(ctx):
    # Account managers / product managers: an account manager adds 1, a
    # product manager weighs 1.
    m = ctx.tables.managers
    return (select(_team_key(ctx, m.c.team_id), m.c.id.label("row_id"),
                   _one(m.c.role == "account manager").label("figure"),
                   _one(m.c.role == "product manager").label("weight"),
                   m.c.role.label("role"))
            .where(m.c.active.is_(True)))


REASONS = {
    # acquisition
    "banking.kpi.new_target_customers": {
        "en": "customer {customer}: first account opened {opened}",
        "zh": "客户 {customer}：首个账户开立于 {opened}"},
    "banking.kpi.market_share.yes": {
        "en": "customer {customer}: holds an open {product} account at {day}",
        "zh": "客户 {customer}：{day} 持有在用的 {product} 账户"},
    "banking.kpi.market_share.no": {
        "en": "customer {customer}: no open product account (products.types) at {day}",
        "zh": "客户 {customer}：{day} 无在用的产品账户（products.types）"},
    "banking.kpi.key_customer_share": {
        "en": "customer {customer}: ABC class {label} at {day}",
        "zh": "客户 {customer}：{day} ABC 分类为 {label}"},
    "banking.kpi.key_profit_share": {
        "en": "customer {customer}: profit {amount} in {month}, ABC class {label} (A counts)",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}，ABC 分类 {label}（A 类计入）"},
    "banking.kpi.new_core_customers": {
        "en": "customer {customer}: entered ABC class A on {on}",
        "zh": "客户 {customer}：{on} 进入 ABC 的 A 类"},
    "banking.kpi.new_vip_customers": {
        "en": "customer {customer}: entered an affluent-and-above tier on {on}",
        "zh": "客户 {customer}：{on} 进入中高端（富裕及以上）等级"},
    "banking.kpi.new_sme_loan_customers": {
        "en": "SME customer {customer}: first loan opened {opened}",
        "zh": "中小企业客户 {customer}：首笔贷款开立于 {opened}"},
    "banking.kpi.vip_share": {
        "en": "customer {customer}: tier {label} at {day} (affluent and above count)",
        "zh": "客户 {customer}：{day} 等级为 {label}（富裕及以上计入）"},
    "banking.kpi.vip_profit_share": {
        "en": "customer {customer}: profit {amount} in {month}, tier {label} "
              "(affluent and above count)",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}，等级 {label}（富裕及以上计入）"},
    # retention
    "banking.kpi.high_end_customers": {
        "en": "customer {customer}: tier {label} at {day}",
        "zh": "客户 {customer}：{day} 等级为 {label}"},
    "banking.kpi.satisfaction": {
        "en": "survey {interaction} of {customer} on {day}: satisfaction {score}",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：满意度 {score}"},
    "banking.kpi.valid_complaints": {
        "en": "complaint {interaction} from {customer} on {day}: not found invalid",
        "zh": "投诉 {interaction}（客户 {customer}，{day}）：未认定无效"},
    "banking.kpi.relationship_contacts": {
        "en": "{kind} {interaction} with {customer} by {manager} on {day}",
        "zh": "{kind} {interaction}：{manager} 于 {day} 联系客户 {customer}"},
    "banking.kpi.needs_surveys": {
        "en": "survey {interaction} of {customer} by {manager} on {day}",
        "zh": "调查 {interaction}：{manager} 于 {day} 调查客户 {customer}"},
    "banking.kpi.key_churn_rate.closed": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start; "
              "all accounts closed by {day}: churned",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级；至 {day} 已销全部账户：流失"},
    "banking.kpi.key_churn_rate.fell": {
        "en": "customer {customer}: tier {tier_then} at the start, {tier_now} at {day}: churned",
        "zh": "客户 {customer}：期初等级 {tier_then}，{day} 为 {tier_now}：流失"},
    "banking.kpi.key_churn_rate.kept": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start, "
              "tier {tier_now} at {day}: kept",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级，{day} 等级 {tier_now}：保留"},
    "banking.kpi.quality_discovery_rate.yes": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start; "
              "class {abc_now}, tier {tier_now} at {day}: discovered",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级；{day} 为 {abc_now} 类、"
              "{tier_now} 等级：挖掘成功"},
    "banking.kpi.quality_discovery_rate.no": {
        "en": "customer {customer}: class {abc_then}, tier {tier_then} at the start; "
              "class {abc_now}, tier {tier_now} at {day}: not yet",
        "zh": "客户 {customer}：期初 {abc_then} 类、{tier_then} 等级；{day} 为 {abc_now} 类、"
              "{tier_now} 等级：尚未"},
    "banking.kpi.archives_built": {
        "en": "customer {customer}: archive built {built}",
        "zh": "客户 {customer}：档案建立于 {built}"},
    # value
    "banking.kpi.value_customers": {
        "en": "customer {customer}: ABC class {label} at {day}",
        "zh": "客户 {customer}：{day} ABC 分类为 {label}"},
    "banking.kpi.aum": {
        "en": "customer {customer}: AUM {amount} at month-end {month}",
        "zh": "客户 {customer}：{month} 月末 AUM {amount}"},
    "banking.kpi.aum.credit": {
        "en": "customer {customer}: AUM {amount} at month-end {month}, {share}% to {manager}",
        "zh": "客户 {customer}：{month} 月末 AUM {amount}，{manager} 分得 {share}%"},
    "banking.kpi.aum_growth": {
        "en": "customer {customer}: AUM {then} at {since}, {now} at {until} "
              "(adds the change, weighs the earlier AUM)",
        "zh": "客户 {customer}：{since} AUM {then}，{until} 为 {now}（计增量，以前值为权重）"},
    "banking.kpi.profit": {
        "en": "customer {customer}: profit {amount} in {month}",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}"},
    "banking.kpi.profit.credit": {
        "en": "customer {customer}: profit {amount} in {month}, {share}% to {manager}",
        "zh": "客户 {customer}：{month} 模拟利润 {amount}，{manager} 分得 {share}%"},
    "banking.kpi.aum_per_card": {
        "en": "customer {customer}: AUM {aum} at month-end {month}, {cards} open card(s)",
        "zh": "客户 {customer}：{month} 月末 AUM {aum}，在用卡 {cards} 张"},
    "banking.kpi.loan_yield": {
        "en": "loan {account} of {customer}: rate {rate}% on a balance of {balance} at {month}",
        "zh": "贷款 {account}（客户 {customer}）：利率 {rate}%，{month} 余额 {balance}"},
    "banking.kpi.tier_upgrades": {
        "en": "customer {customer}: tier {old} to {new} on {on}",
        "zh": "客户 {customer}：{on} 等级由 {old} 升至 {new}"},
    "banking.kpi.cross_sell": {
        "en": "customer {customer}: {types} product type(s) open",
        "zh": "客户 {customer}：持有 {types} 类产品"},
    "banking.kpi.product_coverage": {
        "en": "customer {customer}: {types} product type(s) open ({need} or more count)",
        "zh": "客户 {customer}：持有 {types} 类产品（{need} 类及以上计入）"},
    "banking.kpi.ebanking_active_rate.yes": {
        "en": "e-banking account {account} of {customer}: {moves} transaction(s) in the period",
        "zh": "电子银行账户 {account}（客户 {customer}）：本期交易 {moves} 笔"},
    "banking.kpi.ebanking_active_rate.no": {
        "en": "e-banking account {account} of {customer}: no transaction in the period",
        "zh": "电子银行账户 {account}（客户 {customer}）：本期无交易"},
    "banking.kpi.wealth_penetration.yes": {
        "en": "customer {customer}: holds an open wealth product at {day}",
        "zh": "客户 {customer}：{day} 持有理财产品"},
    "banking.kpi.wealth_penetration.no": {
        "en": "customer {customer}: holds accounts but no wealth product at {day}",
        "zh": "客户 {customer}：{day} 有账户但无理财产品"},
    # service and loyalty
    "banking.kpi.complaint_rate": {
        "en": "customer {customer}: {complaints} complaint(s) in the period "
              "(adds complaints × 1,000, weighs 1: the rate is per 1,000 customers)",
        "zh": "客户 {customer}：本期投诉 {complaints} 件（计投诉数 × 1,000，权重 1：每千客户投诉率）"},
    "banking.kpi.complaint_response_hours": {
        "en": "complaint case {case} of {customer}: opened {opened}, responded {done}: "
              "{hours} hours",
        "zh": "投诉案件 {case}（客户 {customer}）：{opened} 受理，{done} 响应：{hours} 小时"},
    "banking.kpi.complaint_resolution_hours": {
        "en": "complaint case {case} of {customer}: opened {opened}, resolved {done}, "
              "{paused} hours paused: {hours} hours",
        "zh": "投诉案件 {case}（客户 {customer}）：{opened} 受理，{done} 解决，暂停 {paused} 小时："
              "{hours} 小时"},
    "banking.kpi.accuracy.yes": {
        "en": "transaction {interaction} of {customer} on {day}: not corrected",
        "zh": "交易 {interaction}（客户 {customer}，{day}）：无差错"},
    "banking.kpi.accuracy.no": {
        "en": "transaction {interaction} of {customer} on {day}: corrected (error)",
        "zh": "交易 {interaction}（客户 {customer}，{day}）：有差错"},
    "banking.kpi.punctuality.on_time": {
        "en": "task {task} ({rule}) for {customer}, due {due}, done {done}: on time",
        "zh": "任务 {task}（{rule}），客户 {customer}，应于 {due} 完成，{done} 完成：准时"},
    "banking.kpi.punctuality.late": {
        "en": "task {task} ({rule}) for {customer}, due {due}, done {done}: late",
        "zh": "任务 {task}（{rule}），客户 {customer}，应于 {due} 完成，{done} 完成：逾期"},
    "banking.kpi.punctuality.open": {
        "en": "task {task} ({rule}) for {customer}, due {due}: still open, late",
        "zh": "任务 {task}（{rule}），客户 {customer}，应于 {due} 完成：仍未完成，逾期"},
    "banking.kpi.marketing_success": {
        "en": "{kind} {interaction} with {customer} on {day}, campaign {campaign}: {outcome}",
        "zh": "{kind} {interaction}（客户 {customer}，{day}），营销活动 {campaign}：{outcome}"},
    "banking.kpi.wallet_share": {
        "en": "survey {interaction} of {customer} on {day}: {percent}% of assets with us",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：在行资产占比 {percent}%"},
    "banking.kpi.intent_to_stay.yes": {
        "en": "survey {interaction} of {customer} on {day}: will stay",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：愿继续使用"},
    "banking.kpi.intent_to_stay.no": {
        "en": "survey {interaction} of {customer} on {day}: will not stay",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：不愿继续使用"},
    "banking.kpi.would_recommend.yes": {
        "en": "survey {interaction} of {customer} on {day}: would recommend",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：愿意推荐"},
    "banking.kpi.would_recommend.no": {
        "en": "survey {interaction} of {customer} on {day}: would not recommend",
        "zh": "调查 {interaction}（客户 {customer}，{day}）：不愿推荐"},
    # teams
    "banking.kpi.customers_maintained": {
        "en": "customer {customer}: {contacts} visit(s) or call(s), the last on {last}",
        "zh": "客户 {customer}：走访或电话 {contacts} 次，最近一次 {last}"},
    "banking.kpi.accounts_opened": {
        "en": "{type} account {account} of {customer}: opened {opened}",
        "zh": "{type} 账户 {account}（客户 {customer}）：开立于 {opened}"},
    "banking.kpi.accounts_net_growth.opened": {
        "en": "{type} account {account} of {customer}: opened {opened} (+1)",
        "zh": "{type} 账户 {account}（客户 {customer}）：{opened} 开立（+1）"},
    "banking.kpi.accounts_net_growth.closed": {
        "en": "{type} account {account} of {customer}: closed {closed} (−1)",
        "zh": "{type} 账户 {account}（客户 {customer}）：{closed} 销户（−1）"},
    "banking.kpi.accounts_net_growth.both": {
        "en": "{type} account {account} of {customer}: opened {opened} and closed {closed} (0)",
        "zh": "{type} 账户 {account}（客户 {customer}）：{opened} 开立，{closed} 销户（0）"},
    "banking.kpi.reports_on_time.on_time": {
        "en": "report {report} ({kind}, {period}) by {author}, due {due}: handed in {submitted}, "
              "on time",
        "zh": "报告 {report}（{kind}，{period}），{author}，应于 {due} 交：{submitted} 交回，按时"},
    "banking.kpi.reports_on_time.late": {
        "en": "report {report} ({kind}, {period}) by {author}, due {due}: handed in {submitted}, "
              "late",
        "zh": "报告 {report}（{kind}，{period}），{author}，应于 {due} 交：{submitted} 交回，逾期"},
    "banking.kpi.reports_on_time.missing": {
        "en": "report {report} ({kind}, {period}) by {author}, due {due}: not handed in",
        "zh": "报告 {report}（{kind}，{period}），{author}，应于 {due} 交：未交"},
    "banking.kpi.spotchecks_done": {
        "en": "spot-check {interaction} of {customer} by {manager} on {day}: {outcome}",
        "zh": "回访 {interaction}：{manager} 于 {day} 回访客户 {customer}：{outcome}"},
    "banking.kpi.visits_confirmed": {
        "en": "spot-check {interaction} of {customer} by {manager} on {day}: {outcome}",
        "zh": "回访 {interaction}：{manager} 于 {day} 回访客户 {customer}：{outcome}"},
    "banking.kpi.team_rewards.kept": {
        "en": "team {team}: {maintained} customers maintained (top {top_m}), {opened} accounts "
              "opened (top {top_o}): earns {earned}",
        "zh": "团队 {team}：维护客户 {maintained}（最高 {top_m}），开户 {opened}（最高 {top_o}）："
              "奖励 {earned}"},
    "banking.kpi.team_rewards.withdrawn": {
        "en": "team {team}: {maintained} customers maintained (top {top_m}), {opened} accounts "
              "opened (top {top_o}); {earned} withdrawn for {false_reports} false and {missed} "
              "missed report(s)",
        "zh": "团队 {team}：维护客户 {maintained}（最高 {top_m}），开户 {opened}（最高 {top_o}）；"
              "因 {false_reports} 次虚报、{missed} 份漏交报告取消奖励 {earned}"},
    "banking.kpi.team_fines": {
        "en": "team {team}: {false_reports} false report(s) and {missed} missed report(s), "
              "{fine} each",
        "zh": "团队 {team}：虚报 {false_reports} 次，漏交或迟交报告 {missed} 份，每次罚 {fine}"},
    "banking.kpi.duty_fines": {
        "en": "leader {manager}: {undone} spot-check task(s) left undone and {missed} report(s) "
              "late or missing, {fine} each",
        "zh": "领导 {manager}：回访任务未完成 {undone} 项，报告迟交或未交 {missed} 份，每项罚 {fine}"},
    # lists and shared credit
    "banking.kpi.list_members": {
        "en": "customer {customer}: on a list ({lists}) at {day}",
        "zh": "客户 {customer}：{day} 在名单（{lists}）上"},
    "banking.kpi.list_contact_rate.yes": {
        "en": "customer {customer} on a list ({lists}): visited or called in the period",
        "zh": "名单（{lists}）客户 {customer}：本期已走访或电话联系"},
    "banking.kpi.list_contact_rate.no": {
        "en": "customer {customer} on a list ({lists}): not visited or called in the period",
        "zh": "名单（{lists}）客户 {customer}：本期未联系"},
    "banking.kpi.unassigned_customers.none": {
        "en": "customer {customer}: no owner",
        "zh": "客户 {customer}：无管户客户经理"},
    "banking.kpi.unassigned_customers.gone": {
        "en": "customer {customer}: owner {manager} inactive or gone at {day}",
        "zh": "客户 {customer}：管户客户经理 {manager} 于 {day} 已停用或离职"},
    "banking.kpi.share_conflicts": {
        "en": "customer {customer}: credit shares add up to {percent}%",
        "zh": "客户 {customer}：业绩分成合计 {percent}%"},
    "banking.kpi.product_manager_ratio": {
        "en": "manager {manager}: {role} (account managers add 1, product managers weigh 1)",
        "zh": "{manager}：{role}（客户经理计 1，产品经理为权重 1）"},
}


def _k(name, title, rows, unit, description, says, combine="sum", kind="customer",
       all_rows=False, **extra) -> Kpi:
    """A KPI whose value adds up ``rows(ctx)`` (see ``_value``) and whose --explain lists them."""
    mine = f"banking.kpi.{name}"
    return Kpi(name=f"banking.{name}", title=title, unit=unit, description=description,
               query=lambda ctx: _value(ctx, rows(ctx), combine),
               rows=lambda ctx: _explained(ctx, rows(ctx), says, all_rows),
               row_kind=kind, combine=combine,
               reasons={key: text for key, text in REASONS.items()
                        if key == mine or key.startswith(mine + ".")},
               **extra)


_TEAM_SCOPES = ("all", "team")

KPIS = (
    # acquisition
    _k("new_target_customers", "New customers won", _new_target_customers_rows, COUNT,
       "新增目标客户数量: customers whose first account opened in the period.", empty=0,
       says=_says("new_target_customers", "opened", customer="row_id")),
    _k("market_share", "Market share", _market_share_rows, SHARE,
       "市场占有率: share of the customers on the books (surveyed residents and merchants "
       "included) who hold an open product account (products.types) with us.",
       says=_yes_no("market_share", "product", "day", customer="row_id"), combine="ratio"),
    _k("key_customer_share", "Key customers' share of customers", _key_customer_share_rows, SHARE,
       "重点客户数量占比: share of ABC-ranked customers in class A.",
       says=_says("key_customer_share", "label", "day", customer="row_id"), combine="ratio"),
    _k("key_profit_share", "Key customers' share of profit", _key_profit_share_rows, SHARE,
       "重点客户收入占比: share of the period's modelled profit from ABC class A.",
       says=_says("key_profit_share", "amount", "month", "label", customer="row_id"),
       combine="ratio", kind="measurement"),
    _k("new_core_customers", "New core customers", _new_core_customers_rows, COUNT,
       "对公/个人核心客户增量: customers who entered ABC class A in the period (split by "
       "--by segment:banking.line).", empty=0,
       says=_says("new_core_customers", "on", customer="row_id")),
    _k("new_vip_customers", "New VIP customers", _new_vip_customers_rows, COUNT,
       "VIP 客户增量: customers who entered an affluent-and-above tier in the period.", empty=0,
       says=_says("new_vip_customers", "on", customer="row_id")),
    _k("new_sme_loan_customers", "New SME-loan customers", _new_sme_loan_customers_rows, COUNT,
       "中小企业贷款户增量: SMEs whose first loan opened in the period.", empty=0,
       says=_says("new_sme_loan_customers", "opened", customer="row_id")),
    _k("vip_share", "VIP share of customers", _vip_share_rows, SHARE,
       "VIP 客户数量占比: share of tiered customers affluent and above.",
       says=_says("vip_share", "label", "day", customer="row_id"), combine="ratio"),
    _k("vip_profit_share", "VIP share of profit", _vip_profit_share_rows, SHARE,
       "VIP 客户收入占比: share of the period's modelled profit from affluent-and-above "
       "customers.",
       says=_says("vip_profit_share", "amount", "month", "label", customer="row_id"),
       combine="ratio", kind="measurement"),
    # retention
    _k("high_end_customers", "High-end customers under management", _high_end_customers_rows,
       COUNT, "中高端客户的管户数: affluent-and-above customers at the period's end.", empty=0,
       says=_says("high_end_customers", "label", "day", customer="row_id")),
    _k("satisfaction", "Satisfaction score", _satisfaction_rows, "score 1-5",
       "客户服务满意度: mean satisfaction (1–5) of the surveys in the period.",
       says=_says("satisfaction", "customer", "day", "score", interaction="row_id"),
       combine="ratio", kind="interaction"),
    _k("valid_complaints", "Valid complaints", _valid_complaints_rows, "complaints",
       "客户有效投诉件数: complaints in the period not found invalid.", empty=0,
       higher_is_better=False,
       says=_says("valid_complaints", "customer", "day", interaction="row_id"), kind="interaction"),
    _k("relationship_contacts", "Relationship contacts", _relationship_contacts_rows, "contacts",
       "客户关系维护次数: visits and calls in the period, by the manager who made them.",
       empty=0,
       says=_says("relationship_contacts", "kind", "customer", "manager", "day",
                  interaction="row_id"), kind="interaction"),
    _k("needs_surveys", "Needs surveys", _needs_surveys_rows, "surveys",
       "客户细分、需求调查调研次数: surveys in the period.", empty=0,
       says=_says("needs_surveys", "customer", "manager", "day", interaction="row_id"),
       kind="interaction"),
    _k("key_churn_rate", "Key-customer churn rate", _key_churn_rate_rows, SHARE,
       "重点客户流失率: of the customers in ABC class A or affluent and above at the period's "
       "start (or first labelled in it), the share who closed all accounts or fell out of the "
       "tier by its end.",
       higher_is_better=False,
       says=_key_churn_reason, combine="ratio"),
    _k("quality_discovery_rate", "Quality-customer discovery rate", _quality_discovery_rows,
       SHARE, "优质客户挖掘率: of the customers in ABC class C or the mass tier at the period's "
              "start (or first labelled in it), the share in class A/B or affluent and above at its end (明日之星).",
       says=_yes_no("quality_discovery_rate", "abc_then", "tier_then", "abc_now", "tier_now",
                    "day", customer="row_id"), combine="ratio"),
    _k("archives_built", "Archives built", _archives_built_rows, COUNT,
       "优质客户档案建立情况: customer archives built in the period.", empty=0,
       says=_says("archives_built", "built", customer="row_id")),
    # value
    _k("value_customers", "Value customers", _value_customers_rows, COUNT,
       "价值客户的数量: customers in ABC class A or B at the period's end.", empty=0,
       says=_says("value_customers", "label", "day", customer="row_id")),
    _k("aum", "Total AUM", _aum_rows, "CNY",
       "客户金融资产 AUM 值: AUM at the period's last month-end; by manager, team or territory "
       "split by credit shares (BANK-SHARE).", empty=0,
       says=_measure_reason("aum"), kind="measurement"),
    _k("aum_growth", "AUM growth", _aum_growth_rows, SHARE,
       "客户金融资产 AUM 值增长率: AUM at the period's last month-end against the month-end "
       "before the period.",
       says=_says("aum_growth", "then", "since", "now", "until", customer="row_id"),
       combine="ratio"),
    _k("profit", "Modelled profit", _profit_rows, "CNY",
       "客户模拟利润: modelled profit of the period; by manager, team or territory split by "
       "credit shares (BANK-SHARE).", empty=0,
       says=_measure_reason("profit"), kind="measurement"),
    _k("aum_per_card", "AUM per card", _aum_per_card_rows, "CNY",
       "卡均管理资产: AUM of the card holders at the period's last month-end per open card.",
       says=_says("aum_per_card", "aum", "month", "cards", customer="row_id"), combine="ratio"),
    _k("loan_yield", "Loan yield", _loan_yield_rows, SHARE,
       "贷款收益率: interest rate of the loans weighted by their month-end balances.",
       says=_says("loan_yield", "customer", "rate", "balance", "month", account="row_id"),
       combine="ratio", kind="account"),
    _k("tier_upgrades", "Tier upgrades", _tier_upgrades_rows, COUNT,
       "客户等级提升: moves to a higher asset tier in the period.", empty=0,
       says=_says("tier_upgrades", "old", "new", "on", customer="row_id")),
    _k("cross_sell", "Cross-sell ratio", _cross_sell_rows, "product types",
       "产品交叉销售率: product types held per customer holding any.",
       says=_says("cross_sell", "types", customer="row_id"), combine="ratio"),
    _k("product_coverage", "Product coverage", _product_coverage_rows, SHARE,
       "客户产品覆盖度: share of product holders with at least 3 product types.",
       says=_says("product_coverage", "types", "need", customer="row_id"), combine="ratio"),
    _k("ebanking_active_rate", "E-banking active-account rate", _ebanking_active_rows, SHARE,
       "动户率 (《客户管理制度》范文7): share of open e-banking accounts with a transaction in the period.",
       says=_yes_no("ebanking_active_rate", "customer", "moves", account="row_id"),
       combine="ratio", kind="account"),
    _k("wealth_penetration", "Wealth-product penetration", _wealth_penetration_rows, SHARE,
       "理财产品渗透率: share of account holders with a wealth product.",
       says=_yes_no("wealth_penetration", "day", customer="row_id"), combine="ratio"),
    # service and loyalty (《客户管理制度》范文2 §四)
    _k("complaint_rate", "Complaints per 1,000 customers", _complaint_rate_rows,
       "per 1,000 customers", "降低客户投诉频率: complaints in the period per 1,000 customers.",
       empty=0, higher_is_better=False,
       says=_says("complaint_rate", "complaints", customer="row_id"), combine="ratio"),
    _k("complaint_response_hours", "Hours to respond to a complaint",
       _complaint_response_hours_rows, "hours",
       "加快投诉响应时间: mean hours from opening to first response of the complaints "
       "responded to in the period (BANK-COMPLAINT cases).", higher_is_better=False,
       says=_says("complaint_response_hours", "customer", "opened", "done", "hours",
                  case="row_id"), combine="ratio", kind="case"),
    _k("complaint_resolution_hours", "Hours to resolve a complaint",
       _complaint_resolution_hours_rows, "hours",
       "加快投诉解决时间: mean hours from opening to resolution of the complaints resolved in "
       "the period, paused time left out.", higher_is_better=False,
       says=_says("complaint_resolution_hours", "customer", "opened", "done", "hours", "paused",
                  case="row_id"), combine="ratio", kind="case"),
    _k("accuracy", "Accuracy", _accuracy_rows, SHARE,
       "办理业务的准确率: share of the period's transactions not corrected afterwards.",
       says=_yes_no("accuracy", "customer", "day", interaction="row_id"), combine="ratio",
       kind="interaction"),
    _k("punctuality", "Punctuality", _punctuality_rows, SHARE,
       "准时率: share of the banking tasks due in the period done on time: a task due on a "
       "day done by the end of that day, a timed task by its time; tasks not yet done nor "
       "late are not judged.",
       says=_punctuality_reason, combine="ratio", kind="task"),
    _k("marketing_success", "Targeted-marketing success rate", _marketing_success_rows, SHARE,
       "精准营销成功率: share of campaign contacts in the period with a positive outcome.",
       says=_says("marketing_success", "kind", "customer", "day", "campaign", "outcome",
                  interaction="row_id"), combine="ratio", kind="interaction"),
    _k("wallet_share", "Share of wallet", _wallet_share_rows, SHARE,
       "客户在行存有资产比例: mean share of the customer's assets held with us, from surveys.",
       says=_says("wallet_share", "customer", "day", "percent", interaction="row_id"),
       combine="ratio", kind="interaction"),
    _k("intent_to_stay", "Intent to stay", _survey_share_rows("intends_to_stay"), SHARE,
       "继续使用倾向: share of the period's surveys answering that they will stay.",
       says=_yes_no("intent_to_stay", "customer", "day", interaction="row_id"), combine="ratio",
       kind="interaction"),
    _k("would_recommend", "Would recommend", _survey_share_rows("would_recommend"), SHARE,
       "推荐购买意愿: share of the period's surveys answering that they would recommend us.",
       says=_yes_no("would_recommend", "customer", "day", interaction="row_id"), combine="ratio",
       kind="interaction"),
    # teams (BANK-TEAM)
    _k("customers_maintained", "Customers maintained", _customers_maintained_rows, COUNT,
       "客户维护量 (《银行客户关系管理实施方案》§二(三)): customers visited or called in the period, by the manager or "
       "team that did it.", empty=0,
       says=_says("customers_maintained", "contacts", "last", customer="row_id")),
    _k("accounts_opened", "Accounts opened", _accounts_opened_rows, "accounts",
       "客户开户数 (《银行客户关系管理实施方案》§二(三)): accounts opened in the period (gross).", empty=0,
       says=_says("accounts_opened", "type", "customer", "opened", account="row_id"),
       kind="account"),
    _k("accounts_net_growth", "Net account growth", _accounts_net_growth_rows, "accounts",
       "账户净增长 (《客户管理制度》范文7): accounts opened less accounts closed in the period.", empty=0,
       says=_net_growth_reason, kind="account", all_rows=True),
    _k("reports_on_time", "Reports on time", _reports_on_time_rows, SHARE,
       "按时交回总结报告 (《银行客户关系管理实施方案》): share of the banking reports due in the period handed in on "
       "time.",
       says=_reports_reason, combine="ratio", kind="report"),
    _k("spotchecks_done", "Spot-checks done", _spotchecks_done_rows, "checks",
       "回访督查 (《银行客户关系管理实施方案》§二(二)): spot-check callbacks recorded in the period, by the leader who "
       "made them.", empty=0,
       says=_says("spotchecks_done", "customer", "manager", "day", "outcome",
                  interaction="row_id"), kind="interaction"),
    _k("visits_confirmed", "Visits confirmed", _visits_confirmed_rows, SHARE,
       "回访核实: share of the period's spot-checks that confirmed the visit.",
       says=_says("visits_confirmed", "customer", "manager", "day", "outcome",
                  interaction="row_id"), combine="ratio", kind="interaction"),
    _k("team_rewards", "Team rewards", _team_rewards_rows, "CNY",
       "BANK-TEAM 奖励制度 (《银行客户关系管理实施方案》§二(三)(5)): rewards earned in the period, recorded not paid.",
       scopes=_TEAM_SCOPES, shown_only=True, empty=0,
       says=_team_rewards_reason, kind="team", all_rows=True),
    _k("team_fines", "Team fines", _team_fines_rows, "CNY",
       "BANK-TEAM 罚款 (《银行客户关系管理实施方案》§二(三)(1)): fines on teams for false reports and missed reports, recorded "
       "not paid.", scopes=_TEAM_SCOPES, shown_only=True, empty=0, higher_is_better=False,
       says=_says("team_fines", "false_reports", "missed", "fine", team="row_id"), kind="team"),
    _k("duty_fines", "Duty fines", _duty_fines_rows, "CNY",
       "BANK-TEAM 罚款 (《银行客户关系管理实施方案》§二(三)(2)(3)): fines on leaders for spot-checks left undone and guidance "
       "or ledger checks not handed in, recorded not paid.", scopes=("all", "manager"),
       shown_only=True, empty=0, higher_is_better=False,
       says=_says("duty_fines", "undone", "missed", "fine", manager="row_id"), kind="manager"),
    # lists (BANK-LIST)
    _k("list_members", "Customers on lists", _list_members_rows, COUNT,
       "BANK-LIST 名单制: customers on the named lists (lists.names) at the period's end; by list with "
       "--by list:NAME.", empty=0,
       says=_says("list_members", "lists", "day", customer="row_id")),
    _k("list_contact_rate", "List members contacted", _list_contact_rate_rows, SHARE,
       "BANK-LIST 名单制营销、过程化管理: share of list members visited or called in the period.",
       says=_yes_no("list_contact_rate", "lists", customer="row_id"), combine="ratio"),
    # shared ownership (BANK-SHARE)
    _k("unassigned_customers", "Customers without an active owner", _unassigned_rows, COUNT,
       "全量分配 (《客户经理的工作计划》第8篇): customers whose owner is missing, inactive or gone.", empty=0,
       higher_is_better=False,
       says=_unassigned_reason),
    _k("share_conflicts", "Customers with credit over 100%", _share_conflicts_rows, COUNT,
       "利益共享 (《用CRM的思想定制客户经理作业平台》§3.3): customers whose customer-team credit shares add up to more than "
       "100%.", empty=0, higher_is_better=False,
       says=_says("share_conflicts", "percent", customer="row_id")),
    _k("product_manager_ratio", "Account managers per product manager", _product_managers_rows,
       "managers", "每3名客户经理配备一名产品经理 (《对客户经理岗位创新的思考》): active account managers per "
                   "active product manager (target 3).", scopes=_TEAM_SCOPES, target=3.0,
       higher_is_better=False,
       says=_says("product_manager_ratio", "role", manager="row_id"), combine="ratio",
       kind="manager"),
)
