"""The KPI engine: a KPI's select per period and scope, stored with targets.

For one KPI, period and scope, in one transaction: the values of that
period and scope are replaced by the select's ``(scope_key, value)`` rows,
each with its target beside it: from the importable ``targets`` entity for
that key, else ``[targets]`` in the config for the scope, else the KPI's
own default (scope ``all`` only). A KPI declared
``shown_only`` never carries a target.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, String, and_, cast, delete, func, insert, literal, select, true

from guanxi.engines.running import build_query, context_for, failure, prepare_calendar
from guanxi.errors import UsageError, did_you_mean
from guanxi.model import KpiRow, KpiValue
from guanxi.periods import Period
from guanxi.storage import tables as t

REQUIRED = ("scope_key", "value")
BY_CHOICES = ("all", "manager", "team", "territory")


def parse_scope(by: str | None) -> tuple[str, str | None, str]:
    """``manager`` / ``segment:banking.abc`` -> (scope, argument, stored name)."""
    by = by or "all"
    base, _, arg = by.partition(":")
    if base in BY_CHOICES and not arg:
        return base, None, base
    if base in ("segment", "list", "field") and arg:
        return base, arg, by
    raise UsageError(
        f"--by {by!r} is not a scope; use all, manager, team, territory, segment:NAME, "
        "list:NAME or field:NAME"
    )


def reported_by(kpi, by: str | None) -> bool:
    """Whether ``kpi`` has figures for the scope ``by`` (``manager``, ``segment:X``)."""
    scope, _, _ = parse_scope(by)
    return scope in kpi.scopes


def unscoped_kpis(kpis, by: str | None) -> list[str]:
    """The names of the KPIs not reported by ``by``: a listing of all leaves them out."""
    return [k.name for k in kpis if not reported_by(k, by)]


def _check_customer_field(rt, name: str) -> None:
    """``field:NAME`` scopes by a customer field some enabled pack declares."""
    declared = sorted(f.name for f in rt.plugins.fields_of("customers"))
    if name not in declared:
        raise UsageError(
            f"--by field:{name}: no customer field {name!r} is declared"
            f"{did_you_mean(name, declared)}; declared customer fields: "
            f"{', '.join(declared) or 'none'}"
        )


def _kpi_context(rt, kpi, period: Period, by: str | None, as_of: dt.date | None):
    """The context of a KPI's queries: the value's and the rows behind it alike.

    ``ctx.as_of`` is the period's last day, or ``as_of`` when that is
    earlier (this month's figures so far).
    """
    scope, arg, stored = parse_scope(by)
    if not reported_by(kpi, by):
        raise UsageError(f"KPI {kpi.name!r} is not reported by {scope}; it is by: "
                         f"{', '.join(kpi.scopes)}")
    if scope == "field":
        _check_customer_field(rt, arg)
    last_day = period.end - dt.timedelta(days=1)
    as_of = min(as_of, last_day) if as_of else last_day
    return context_for(rt, kpi, as_of, period=period, scope=scope, scope_arg=arg), stored


def run_kpi(rt, kpi, period: Period, by: str | None = None,
            as_of: dt.date | None = None, store: bool = True) -> list[KpiValue]:
    """Compute one KPI for a period and scope; see the module docstring.

    ``store=False`` only reads: the values are not kept in ``kpi_values``
    (the web workspace reads figures so while a batch holds the job lock).
    """
    ctx, stored = _kpi_context(rt, kpi, period, by, as_of)
    scope = ctx.scope
    query = build_query(kpi, ctx, REQUIRED, "KPI")
    prepare_calendar(rt, ctx)
    v, tg = t.kpi_values, t.targets
    key = func.coalesce(cast(query.c.scope_key, String), "")
    if kpi.shown_only:
        target = literal(None, Float)
    else:
        imported = (
            select(tg.c.target)
            .where(tg.c.kpi == kpi.name, tg.c.period == period.label, tg.c.scope == scope,
                   tg.c.scope_key == key)
            .scalar_subquery()
        )
        configured = rt.config.targets.get(kpi.name, {}).get(scope)
        if configured is None:
            configured = kpi.scope_targets.get(scope)
        if configured is None and scope == "all":
            configured = kpi.target
        fallback = literal(configured, Float)
        target = func.coalesce(cast(imported, Float), fallback)
    mine = and_(v.c.kpi == kpi.name, v.c.period == period.label, v.c.scope == stored)
    if not store:
        return _read_kpi(rt, kpi, period, query, key, target, stored, scope)
    with rt.engine.connect() as conn:
        try:
            with conn.begin():
                conn.execute(delete(v).where(mine))
                statement = insert(v).from_select(
                    ["kpi", "period", "scope", "scope_key", "value", "target", "unit", "computed_at"],
                    select(literal(kpi.name), literal(period.label), literal(stored), key,
                           cast(query.c.value, Float), target, literal(kpi.unit),
                           literal(rt.now(), DateTime))
                    # Non-members of a list are not its figures; elsewhere a missing
                    # key (a customer with no manager) is reported as '' so it shows.
                    .where(query.c.scope_key.is_not(None) if scope == "list" else true())
                    .order_by(key),
                )
                # The stored figures come back from the INSERT itself where the
                # database can return them: a round trip less per KPI.
                returning = conn.dialect.insert_returning
                if returning:
                    rows = conn.execute(statement.returning(*v.c)).all()
                else:
                    conn.execute(statement)
                if scope == "all" and kpi.empty is not None:
                    filled = _fill_empty(conn, kpi, period, rt.config.targets, rt.now(),
                                         found=bool(rows) if returning else None)
                    if returning and filled is not None:
                        rows = [filled]
                if not returning:
                    rows = conn.execute(select(v).where(mine).order_by(v.c.scope_key)).all()
        except Exception as exc:
            raise failure(kpi, "KPI", exc) from exc
    rows = sorted(rows, key=lambda r: r.scope_key)
    return [
        KpiValue(kpi=r.kpi, period=r.period, scope=r.scope, scope_key=r.scope_key,
               value=r.value, target=r.target, unit=r.unit)
        for r in rows
    ]


def _read_kpi(rt, kpi, period: Period, query, key, target, stored: str, scope: str):
    """:func:`run_kpi`'s figures without storing them: the same select, read only."""
    values = (select(key.label("scope_key"), cast(query.c.value, Float).label("value"),
                     # cast: PostgreSQL types a bare NULL target as text outside an INSERT
                     cast(target, Float).label("target"))
              .where(query.c.scope_key.is_not(None) if scope == "list" else true())
              .order_by(key))
    with rt.engine.connect() as conn:
        try:
            rows = [(r.scope_key, r.value, r.target) for r in conn.execute(values)]
        except Exception as exc:
            raise failure(kpi, "KPI", exc) from exc
    if not rows and scope == "all" and kpi.empty is not None:
        configured = rt.config.targets.get(kpi.name, {}).get("all", kpi.target)
        rows = [("", kpi.empty, None if kpi.shown_only else configured)]
    return [KpiValue(kpi=kpi.name, period=period.label, scope=stored, scope_key=k, value=val,
                     target=tg, unit=kpi.unit) for k, val, tg in sorted(rows, key=lambda r: r[0])]


def _fill_empty(conn, kpi, period: Period, ws_targets, now, found: bool | None = None):
    """Scope ``all`` always has a value: ``empty`` when the select found nothing.

    ``found``: whether the select stored a row (None: look). Returns the
    row written, or None.
    """
    v = t.kpi_values
    if found is None:
        found = conn.execute(
            select(v.c.kpi).where(v.c.kpi == kpi.name, v.c.period == period.label,
                                  v.c.scope == "all")
        ).first() is not None
    if found:
        return None
    configured = ws_targets.get(kpi.name, {}).get("all", kpi.target)
    fallback = None if kpi.shown_only else configured
    row = dict(kpi=kpi.name, period=period.label, scope="all", scope_key="", value=kpi.empty,
               target=fallback, unit=kpi.unit, computed_at=now)
    conn.execute(insert(v).values(**row))
    return conn.execute(select(v).where(v.c.kpi == kpi.name, v.c.period == period.label,
                                        v.c.scope == "all")).one()


ROWS_REQUIRED = ("scope_key", "row_id", "figure", "reason")


def explain_kpi(rt, kpi, period: Period, by: str | None = None, scope_key: str | None = None,
                as_of: dt.date | None = None, render=None) -> list[KpiRow]:
    """The rows behind a KPI's value for a period and scope (one key, or every key).

    Read with the same context as :func:`run_kpi`, so the rows are the ones
    the value counted; nothing is written. ``render`` turns a stored reason
    into text (the workspace's language).
    """
    if kpi.rows is None:
        raise UsageError(f"KPI {kpi.name!r} does not say which rows it counts")
    ctx, stored = _kpi_context(rt, kpi, period, by, as_of)
    query = build_query(kpi, ctx, ROWS_REQUIRED, "KPI rows", builder=kpi.rows)
    prepare_calendar(rt, ctx)
    key = func.coalesce(cast(query.c.scope_key, String), "")
    default_weight = 1.0 if kpi.combine == "ratio" else None
    weight = query.c.weight if "weight" in query.c else literal(default_weight, Float)
    select_rows = select(key.label("key"), cast(query.c.row_id, String).label("row_id"),
                         cast(query.c.figure, Float).label("figure"),
                         cast(weight, Float).label("weight"), query.c.reason)
    if ctx.scope == "list":
        select_rows = select_rows.where(query.c.scope_key.is_not(None))
    if scope_key is not None:
        select_rows = select_rows.where(key == scope_key)
    with rt.engine.connect() as conn:
        try:
            found = conn.execute(select_rows.order_by(key, cast(query.c.row_id, String))).all()
        except Exception as exc:
            raise failure(kpi, "KPI", exc) from exc
    render = render or (lambda text: text or "")
    return [
        KpiRow(kpi=kpi.name, period=period.label, scope=stored, scope_key=r.key, kind=kpi.row_kind,
               id=r.row_id, figure=r.figure, weight=r.weight, reason=render(r.reason))
        for r in found
    ]


def combined(kpi, rows: list[KpiRow]) -> float | None:
    """The value ``rows`` make by the KPI's ``combine`` (None for ``other``, or no weight)."""
    if kpi.combine == "sum":
        return sum(r.figure or 0 for r in rows)
    if kpi.combine == "ratio":
        weight = sum(r.weight or 0 for r in rows)
        return sum(r.figure or 0 for r in rows) / weight if weight else None
    return None
