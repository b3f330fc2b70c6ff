"""Banking KPI rows about customers: acquisition, retention and value (第8篇)."""

from __future__ import annotations

from sqlalchemy import Float, and_, case, cast, distinct, exists, func, literal, or_, select

from guanxi_banking.blocks import TIERS, VALUED_CLASSES, VALUED_TIERS, account_open
from guanxi_banking.kpi_measures import profit_share_rows, ref_month
from guanxi_banking.kpi_rows import (
    abc_label,
    customer_rows,
    interaction_rows,
    key_of,
    on_books,
    one_if,
    reason_of,
    share_rows,
    tier_label,
)


def _first_opened(ctx, *where, name):
    a = ctx.tables.accounts
    return (select(a.c.customer_id, func.min(a.c.opened_at).label("opened"))
            .where(a.c.opened_at.is_not(None), *where).group_by(a.c.customer_id).subquery(name))


def new_target_customers_rows(ctx):
    first = _first_opened(ctx, name="first_account")
    return (select(key_of(ctx, first.c.customer_id), first.c.customer_id.label("row_id"),
                   literal(1).label("figure"), ctx.day_text(first.c.opened).label("opened"))
            .where(ctx.in_period(first.c.opened)))


def market_share_rows(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    products = list(ctx.config["products.types"])
    mine = (a.c.customer_id == c.c.id, account_open(a, ctx.today), a.c.type.in_(products))
    holds = exists().where(*mine)
    held = select(func.min(a.c.type)).where(*mine).correlate(c).scalar_subquery()
    return share_rows(ctx, holds, on_books(ctx, c), product=held)


def key_customer_share_rows(ctx):
    c = ctx.tables.customers
    label = abc_label(ctx, c.c.id)
    return share_rows(ctx, label == "A", label.is_not(None), label=label)


def key_profit_share_rows(ctx):
    return profit_share_rows(ctx, abc_label, lambda label: label == "A")


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
    return select(key_of(ctx, entered.c.customer_id), entered.c.customer_id.label("row_id"),
                  literal(1).label("figure"), ctx.day_text(entered.c.changed_on).label("on"))


def new_core_customers_rows(ctx):
    return _entered_rows(ctx, "banking.abc", ("A",))


def new_vip_customers_rows(ctx):
    return _entered_rows(ctx, "banking.tier", VALUED_TIERS)


def new_sme_loan_customers_rows(ctx):
    c = ctx.tables.customers
    a = ctx.tables.accounts
    first = _first_opened(ctx, a.c.type == "loan", name="first_loan")
    return (select(key_of(ctx, first.c.customer_id), first.c.customer_id.label("row_id"),
                   literal(1).label("figure"), ctx.day_text(first.c.opened).label("opened"))
            .join(c, c.c.id == first.c.customer_id)
            .where(ctx.in_period(first.c.opened), ctx.attribute(c, "sme", "boolean")))


def vip_share_rows(ctx):
    c = ctx.tables.customers
    tier = tier_label(ctx, c.c.id)
    return share_rows(ctx, tier.in_(VALUED_TIERS), tier.is_not(None), label=tier)


def vip_profit_share_rows(ctx):
    return profit_share_rows(ctx, tier_label, lambda label: label.in_(VALUED_TIERS))


# -- retention ----------------------------------------------------------------------------


def high_end_customers_rows(ctx):
    c = ctx.tables.customers
    tier = tier_label(ctx, c.c.id)
    return customer_rows(ctx, tier.in_(VALUED_TIERS), label=tier)


def satisfaction_rows(ctx):
    i = ctx.tables.interactions
    score = ctx.attribute(i, "satisfaction", "integer")
    return interaction_rows(ctx, cast(score, Float), lambda i: i.c.kind == "survey",
                            lambda i: score.is_not(None), weight=literal(1), score=score)


def valid_complaints_rows(ctx):
    i = ctx.tables.interactions
    valid = ctx.attribute(i, "complaint_valid", "boolean")
    return interaction_rows(ctx, literal(1), lambda i: i.c.kind == "complaint",
                            lambda i: or_(valid.is_(None), valid))


def relationship_contacts_rows(ctx):
    return interaction_rows(ctx, literal(1), lambda i: i.c.kind.in_(("visit", "call")),
                            by_manager=True)


def needs_surveys_rows(ctx):
    return interaction_rows(ctx, literal(1), lambda i: i.c.kind == "survey", by_manager=True)


def key_churn_rate_rows(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    abc_then = ctx.label_at_start("banking.abc", c.c.id)
    tier_then = ctx.label_at_start("banking.tier", c.c.id)
    tier_now = tier_label(ctx, c.c.id)
    had = exists().where(a.c.customer_id == c.c.id)
    still = exists().where(a.c.customer_id == c.c.id, account_open(a, ctx.today))
    closed_all = and_(had, ~still)
    fell = and_(tier_then.in_(VALUED_TIERS),
                or_(tier_now.is_(None), tier_now.not_in(VALUED_TIERS)))
    return share_rows(ctx, or_(closed_all, fell), or_(abc_then == "A", tier_then.in_(VALUED_TIERS)),
                      closed=one_if(closed_all), abc_then=func.coalesce(abc_then, "-"),
                      tier_then=func.coalesce(tier_then, "-"),
                      tier_now=func.coalesce(tier_now, "-"))


def key_churn_reason(ctx, b):
    def say(key):
        return reason_of(f"key_churn_rate.{key}", "abc_then", "tier_then", "tier_now", "day",
                         customer="row_id")(ctx, b)
    return case((b.c.closed == 1, say("closed")), (b.c.figure != 0, say("fell")),
                else_=say("kept"))


def quality_discovery_rows(ctx):
    c = ctx.tables.customers
    abc_then = ctx.label_at_start("banking.abc", c.c.id)
    tier_then = ctx.label_at_start("banking.tier", c.c.id)
    abc_now, tier_now = abc_label(ctx, c.c.id), tier_label(ctx, c.c.id)
    found = or_(abc_now.in_(VALUED_CLASSES), tier_now.in_(VALUED_TIERS))
    low = and_(or_(abc_then.is_(None), abc_then == "C"),
               or_(tier_then.is_(None), tier_then == "mass"),
               or_(abc_then.is_not(None), tier_then.is_not(None)))
    return share_rows(ctx, found, low, abc_then=func.coalesce(abc_then, "-"),
                      tier_then=func.coalesce(tier_then, "-"), abc_now=func.coalesce(abc_now, "-"),
                      tier_now=func.coalesce(tier_now, "-"))


def archives_built_rows(ctx):
    c = ctx.tables.customers
    built = ctx.attribute(c, "archive_built_on", "date")
    return (select(key_of(ctx, c.c.id), c.c.id.label("row_id"), literal(1).label("figure"),
                   ctx.day_text(built).label("built")).select_from(c)
            .where(ctx.in_period(built)))


# -- value ----------------------------------------------------------------------------------


def value_customers_rows(ctx):
    c = ctx.tables.customers
    label = abc_label(ctx, c.c.id)
    return customer_rows(ctx, label.in_(VALUED_CLASSES), label=label)


def aum_per_card_rows(ctx):
    # Σ AUM / Σ open cards: each card holder adds its AUM and weighs its cards.
    c, a, ms = ctx.tables.customers, ctx.tables.accounts, ctx.tables.measurements
    ref = ref_month(ctx, "aum")
    aum = (select(func.sum(cast(ms.c.value, Float)))
           .where(ms.c.customer_id == c.c.id, ms.c.metric == "aum", ms.c.period == ref)
           .correlate(c).scalar_subquery())
    cards = (select(func.count()).select_from(a)
             .where(a.c.customer_id == c.c.id, a.c.type == "card", account_open(a, ctx.today))
             .correlate(c).scalar_subquery())
    return (select(key_of(ctx, c.c.id), c.c.id.label("row_id"),
                   func.coalesce(aum, 0.0).label("figure"), cards.label("weight"),
                   func.coalesce(aum, 0.0).label("aum"), cards.label("cards"),
                   ctx.month_text(ref).label("month"))
            .select_from(c).where(cards > 0))


def loan_yield_rows(ctx):
    # Σ rate × balance / Σ balance: each loan adds its interest and weighs its balance.
    a, ms = ctx.tables.accounts, ctx.tables.measurements
    ref = ref_month(ctx, "loan_balance")
    rate = cast(ctx.attribute(a, "interest_rate", "decimal"), Float)
    balance = cast(ms.c.value, Float)
    return (select(key_of(ctx, a.c.customer_id), a.c.id.label("row_id"),
                   (rate * balance).label("figure"), balance.label("weight"),
                   a.c.customer_id.label("customer"), (rate * 100.0).label("rate"),
                   balance.label("balance"), ctx.month_text(ms.c.period).label("month"))
            .join(ms, and_(ms.c.account_id == a.c.id, ms.c.customer_id == a.c.customer_id))
            .where(a.c.type == "loan", ms.c.metric == "loan_balance", ms.c.period == ref,
                   rate.is_not(None)))


def tier_upgrades_rows(ctx):
    h = ctx.tables.segment_history
    rank = {label: n for n, label in enumerate(TIERS)}

    def order(col):
        return case(*[(col == label, n) for label, n in rank.items()], else_=len(TIERS))

    return (select(key_of(ctx, h.c.customer_id), h.c.customer_id.label("row_id"),
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


def cross_sell_rows(ctx):
    p = _product_types(ctx)
    return select(key_of(ctx, p.c.customer_id), p.c.customer_id.label("row_id"),
                  p.c.types.label("figure"), literal(1).label("weight"), p.c.types)


def product_coverage_rows(ctx):
    p = _product_types(ctx)
    need = int(ctx.config["products.coverage_types"])
    return select(key_of(ctx, p.c.customer_id), p.c.customer_id.label("row_id"),
                  one_if(p.c.types >= need).label("figure"), literal(1).label("weight"),
                  p.c.types, literal(need).label("need"))


def ebanking_active_rows(ctx):
    a, i = ctx.tables.accounts, ctx.tables.interactions
    active = (select(i.c.account_id, func.count().label("moves"))
              .where(i.c.kind == "transaction", i.c.account_id.is_not(None),
                     ctx.in_period(i.c.occurred_at))
              .group_by(i.c.account_id).subquery("active_accounts"))
    return (select(key_of(ctx, a.c.customer_id), a.c.id.label("row_id"),
                   one_if(active.c.account_id.is_not(None)).label("figure"),
                   literal(1).label("weight"), a.c.customer_id.label("customer"),
                   func.coalesce(active.c.moves, 0).label("moves"))
            .select_from(a.outerjoin(active, active.c.account_id == a.c.id))
            .where(a.c.type == "ebanking", account_open(a, ctx.today)))


def wealth_penetration_rows(ctx):
    c, a = ctx.tables.customers, ctx.tables.accounts
    wealth = exists().where(a.c.customer_id == c.c.id, a.c.type == "wealth",
                            account_open(a, ctx.today))
    other = ctx.tables.accounts.alias("any_account")
    holds = exists().where(other.c.customer_id == c.c.id, account_open(other, ctx.today))
    return share_rows(ctx, wealth, holds)
