"""Promotion recommendations (rule TOB-PROMO, 卷烟促销客户的推荐, §4.2).

The manager recommends, from the comprehensive evaluation (综合测评), the
better retailers first, grades 1 to 3 only (限三级以上客户); the list goes
to the regional market manager, the brand manager decides, and the manager
issues the material, which the retailer signs for (《宣传促销品签收单》).

- :func:`candidates`: the retailers eligible now, best first: the current
  ``tobacco.grade`` label as a number at most ``[tobacco.promo] max_grade``,
  not out of the network today (:func:`guanxi_tobacco.segments.out_of_network`:
  the ``network_status`` field, or a licence expired); ordered by grade,
  then evaluation score (higher first), then id. One query.
- :func:`recommend`: opens one case of policy ``tobacco.promotion`` per
  retailer; its chain (listed → decided → material_signed) is then stepped
  with ``guanxi cases step ID approve --by ...``. An ineligible retailer is
  refused and nothing is opened.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import Integer, and_, case, cast, func, select

from guanxi import GuanxiError, NotFoundError, UsageError
from guanxi_tobacco.options import GRADE
from guanxi_tobacco.segments import out_of_network
from guanxi_tobacco.service import PROMOTION_POLICY


@attrs.frozen(kw_only=True)
class Candidate:
    """A retailer that may be recommended for a promotion, and why."""

    customer_id: str
    name: str
    manager_id: str | None
    territory: str | None
    grade: int
    score: float | None
    reason: str


@attrs.frozen(kw_only=True)
class Standing:
    """What TOB-PROMO looks at for one retailer."""

    customer_id: str
    name: str
    manager_id: str | None
    grade: str | None
    score: float | None
    out: bool


def _standing_query(ws):
    """Per customer: grade label and score, and whether it is out of the network.

    Out: TOB-NETWORK's own test as of today
    (:func:`guanxi_tobacco.segments.out_of_network`: the ``network_status``
    field says out, or the licence has expired), so a retailer that left
    since the segmentation last ran is out already.
    """
    ctx = ws.query_context("tobacco", ws.today())
    c, s = ctx.tables.customers, ctx.tables.segments
    grade = s.alias("grade")
    out = out_of_network(ctx, c)
    query = (
        select(c.c.id.label("customer_id"), c.c.name, c.c.manager_id, c.c.territory,
               grade.c.label.label("grade"), grade.c.score,
               case((out, True), else_=False).label("out"))
        .select_from(
            c.outerjoin(grade, and_(grade.c.segmentation == GRADE, grade.c.customer_id == c.c.id)))
    )
    return query, grade, out, ctx


def candidates(ws, manager: str | None = None, limit: int | None = None) -> list[Candidate]:
    """The retailers eligible for a promotion now, best first (rule TOB-PROMO).

    :param manager: only this manager's retailers.
    :param limit: at most this many.
    """
    ws.require_ready()
    max_grade = ws.settings["tobacco"]["promo.max_grade"]
    if limit is not None and limit < 1:
        raise UsageError(f"--limit {limit} is not allowed; give a number of 1 or more")
    query, grade, out, ctx = _standing_query(ws)
    number = cast(grade.c.label, Integer)
    query = (
        # Licensed retailers only (the pack's filter tobacco.retailers).
        query.where(grade.c.label.is_not(None), number <= max_grade, ~out,
                    ctx.served(ctx.tables.customers.c.id))
        # Best first: the better grade, then the higher evaluation score
        # (an unscored one, a grade set by hand, after the scored), then id.
        .order_by(number, case((grade.c.score.is_(None), 1), else_=0), grade.c.score.desc(),
                  query.selected_columns.customer_id)
    )
    if manager:
        query = query.where(query.selected_columns.manager_id == manager)
    if limit:
        query = query.limit(limit)
    with ws.engine.connect() as conn:
        if manager and not _manager_exists(conn, manager):
            raise NotFoundError(f"no manager with id {manager!r}")
        rows = conn.execute(query).all()
    return [Candidate(
        customer_id=r.customer_id, name=r.name, manager_id=r.manager_id, territory=r.territory,
        grade=int(r.grade), score=r.score,
        reason=(f"grade {r.grade}" + ("" if r.score is None else f" (score {r.score:g})")
                + f", in the network; TOB-PROMO recommends grades 1 to {max_grade}"))
        for r in rows]


def _manager_exists(conn, manager_id: str, *, active: bool = False) -> bool:
    from guanxi import tables

    m = tables.managers
    query = select(m.c.id).where(m.c.id == manager_id)
    if active:
        query = query.where(m.c.active.is_(True))
    return conn.scalar(query) is not None


def refusal(standing: Standing, max_grade: int) -> str | None:
    """Why TOB-PROMO refuses a retailer, in one sentence; None when it is eligible."""
    who = f"retailer {standing.customer_id} ({standing.name})"
    rule = (f"TOB-PROMO recommends only grades 1 to {max_grade} (限三级以上客户)"
            if max_grade == 3 else f"TOB-PROMO recommends only grades 1 to {max_grade}")
    if standing.grade is None:
        return (f"{who} has no grade yet (run `guanxi segment tobacco.grade`); {rule}; "
                f"nothing was opened")
    if not standing.grade.isdigit() or int(standing.grade) > max_grade:
        return f"{who} is grade {standing.grade}; {rule}; nothing was opened"
    if standing.out:
        return (f"{who} is out of the network (退网); TOB-PROMO recommends only retailers in "
                f"the network; nothing was opened")
    return None


def recommend(ws, customers, campaign: str, by: str | None = None,
              at: dt.datetime | None = None) -> list:
    """Recommend retailers for a promotion: one ``tobacco.promotion`` case each (TOB-PROMO).

    Every retailer is checked first; one that is not eligible stops the
    whole recommendation with an error naming it, its grade and the rule,
    and nothing is opened. A retailer with an unresolved recommendation
    for the same campaign is refused likewise.

    :param customers: retailer ids.
    :param campaign: the promotion's name, kept in each case's summary.
    :param by: the recommending manager, who owns the cases and issues the
        material; default each retailer's own manager.
    :param at: when (default now).
    :return: the opened :class:`~guanxi.service.cases.Case` records, in the
        order given.
    """
    ws.require_ready()
    wanted = list(dict.fromkeys(customers))
    if not wanted:
        raise UsageError("name at least one retailer to recommend")
    campaign = (campaign or "").strip()
    if not campaign:
        raise UsageError("--campaign is empty; name the promotion, like \"2027 春节\"")
    max_grade = ws.settings["tobacco"]["promo.max_grade"]
    summary = f"promotion: {campaign}"
    query, _, _, _ = _standing_query(ws)
    query = query.where(query.selected_columns.customer_id.in_(wanted))
    from guanxi import tables

    k = tables.cases
    with ws.engine.connect() as conn:
        if by is not None and not _manager_exists(conn, by, active=True):
            raise NotFoundError(f"no active manager with id {by!r}; --by names the "
                                f"recommending manager")
        found = {r.customer_id: Standing(customer_id=r.customer_id, name=r.name,
                                         manager_id=r.manager_id, grade=r.grade, score=r.score,
                                         out=bool(r.out))
                 for r in conn.execute(query)}
        pending = dict(conn.execute(
            select(k.c.customer_id, func.min(k.c.id))
            .where(k.c.policy == PROMOTION_POLICY, k.c.customer_id.in_(wanted),
                   k.c.summary == summary, k.c.resolved_at.is_(None))
            .group_by(k.c.customer_id)).all())
    # The retailers named on one command line: checked one by one to name the first bad one.
    for customer_id in wanted:
        standing = found.get(customer_id)
        if standing is None:
            raise NotFoundError(f"no customer with id {customer_id!r}; nothing was opened")
        why = refusal(standing, max_grade)
        if why:
            raise GuanxiError(why)
        if customer_id in pending:
            raise GuanxiError(f"retailer {customer_id} already has promotion case "
                              f"{pending[customer_id]} open for {campaign!r}; nothing was opened")
        if by is None and standing.manager_id is None:
            raise GuanxiError(f"retailer {customer_id} has no manager to recommend it; give "
                              f"--by; nothing was opened")
    return [ws.open_case(PROMOTION_POLICY, customer_id, by or found[customer_id].manager_id,
                         opened_at=at, summary=summary)
            for customer_id in wanted]
