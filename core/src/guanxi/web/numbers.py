"""My numbers: each KPI against its target, its trend, the rank in the team, the rows behind.

A manager reads their own figures (a lead or an admin any manager's in
their scope, ``?manager=``). Every figure comes from the KPI engine's read
path (:meth:`guanxi.Workspace.read_kpi`: computed in SQL for every manager
at once, stored nowhere, no job lock, so it answers while a batch runs);
the rows behind a figure are :meth:`guanxi.Workspace.explain_kpi`'s, the
same as ``guanxi kpi NAME --explain --by manager --scope ID``.

The rank is competition ranking among the managers of the manager's team
on the KPI's direction (``higher_is_better``): ties share a rank and the
next rank skips (1, 1, 3); a manager without a figure has no rank.
"""

from __future__ import annotations

import threading
import time
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from guanxi.errors import NotFoundError, UsageError
from guanxi.web.charts import Chart, download
from guanxi.web.i18n import words
from guanxi.web.pages import _language, _who, render

router = APIRouter(include_in_schema=False)
#: The trend's length: this period and the eleven before it.
TREND_PERIODS = 12


class FigureCache:
    """A period's KPI values by manager, kept ``seconds`` (``[serve] figures_seconds``).

    Twenty people opening My numbers in the same minute share one computation
    per period; the figures are then at most that old. A period already over
    (the trend's eleven before this one) is kept sixty times as long (an hour
    by default): its figures change only when late data comes in.
    """

    def __init__(self, seconds: float, size: int = 64) -> None:
        self.seconds, self.size = seconds, size
        self._kept: dict = {}
        self._computing: dict = {}
        self._lock = threading.Lock()

    def values(self, ws, period, by: str = "manager") -> list:
        key = (period.label, by, ws.today())
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] > time.monotonic():
                return kept[1]
            # One computation per key: the others asking meanwhile wait for it.
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None and kept[0] > time.monotonic():
                    return kept[1]
            values = ws.read_kpi(None, period=period, by=by)
            with self._lock:
                self._computing.pop(key, None)
                if self.seconds > 0:
                    if len(self._kept) >= self.size:
                        self._kept.clear()
                    over = period.end <= ws.today()
                    self._kept[key] = (time.monotonic() + self.seconds * (60 if over else 1),
                                       values)
        return values


def figure_cache(request: Request) -> FigureCache:
    state = request.app.state
    if getattr(state, "figures", None) is None:
        state.figures = FigureCache(state.settings.figures_seconds)
    return state.figures


def current_period(ws, text: Optional[str]):
    """The period asked for (``2026-11``), else the month of today."""
    from guanxi.periods import Period, ValueProblem, parse_period

    if not text:
        return Period.containing(ws.today(), "month")
    try:
        return parse_period(text.strip())
    except ValueProblem as exc:
        raise UsageError(f"period {text!r}: {exc}") from None


def competition_rank(figures: dict, key: str, higher_is_better: bool) -> Optional[tuple[int, int]]:
    """``(rank, ranked)`` of ``key`` among ``figures`` (key -> value or None): ties share a
    rank, the next skips (1, 1, 3); None when ``key`` has no figure."""
    mine = figures.get(key)
    if mine is None:
        return None
    ranked = [v for v in figures.values() if v is not None]
    ahead = sum(1 for v in ranked if (v > mine if higher_is_better else v < mine))
    return ahead + 1, len(ranked)


def team_of(ws, manager: str) -> list[str]:
    """The managers of ``manager``'s team (only ``manager`` when they have none)."""
    managers = ws.managers()
    team = next((m.team_id for m in managers if m.id == manager), None)
    if team is None:
        return [manager]
    return [m.id for m in managers if m.team_id == team]


def manager_numbers(ws, cache: FigureCache, manager: str, period) -> list[dict]:
    """One dict per KPI reported by manager: value, target, attainment, rank, trend."""
    from guanxi.formatting import attainment, format_figure, plain

    records = ws.plugins.kpis()
    periods = [period]
    while len(periods) < TREND_PERIODS:
        periods.insert(0, periods[0].previous())
    by_period = {}
    for p in periods:
        table: dict = {}
        for v in cache.values(ws, p):
            table.setdefault(v.kpi, {})[v.scope_key] = v
        by_period[p.label] = table
    team = team_of(ws, manager)
    numbers = []
    for name, mine in by_period[period.label].items():
        record = records[name]
        own = mine.get(manager)
        value = own.value if own else None
        target = own.target if own else None
        unit = own.unit if own else record.unit
        reached = attainment(value, target)
        rank = competition_rank({m: (mine[m].value if m in mine else None) for m in team},
                                manager, record.higher_is_better)
        trend = []
        for p in periods:
            v = by_period[p.label].get(name, {}).get(manager)
            trend.append((p.label, plain(v.value, v.unit) if v else None,
                          plain(v.target, v.unit) if v else None))
        numbers.append({
            "kpi": name, "title": record.title, "unit": unit,
            "higher_is_better": record.higher_is_better,
            "value": plain(value, unit), "target": plain(target, unit),
            "attainment": None if reached is None else round(reached, 6),
            "shown_value": format_figure(value, unit, currency=ws.config.currency),
            "shown_target": "" if target is None else format_figure(
                target, unit, currency=ws.config.currency),
            "shown_attainment": "" if reached is None else format_figure(reached, "share"),
            "rank": rank, "trend": trend,
        })
    return numbers


def _manager(request: Request, who, manager: Optional[str]) -> Optional[str]:
    manager = (manager or "").strip() or who.user.manager_id
    if manager and not who.scope.sees_manager(manager):
        raise NotFoundError(f"no manager with id {manager!r}")
    return manager


@router.get("/numbers", response_class=HTMLResponse)
def numbers(request: Request, manager: Optional[str] = None, period: Optional[str] = None):
    """A manager's KPIs for a period, each with its trend chart, target and rank."""
    who = _who(request)
    ws = request.app.state.ws
    chosen = _manager(request, who, manager)
    the_period = current_period(ws, period)
    if chosen is None:  # an admin without a manager id chooses one
        visible = [m for m in ws.managers() if who.scope.sees_manager(m.id)]
        return render(request, "numbers.html", who, managers=visible, manager="", rows=[],
                      charts=[], period=the_period.label, query="")
    rows = manager_numbers(ws, figure_cache(request), chosen, the_period)
    w = words(_language(request, who))
    charts = [Chart(id=r["kpi"], title=r["title"], columns=(w["period"], w["value"], w["target"]),
                    rows=r["trend"]) for r in rows]
    answer = download(request, charts)
    if answer is not None:
        return answer
    from urllib.parse import urlencode

    query = urlencode({"manager": chosen, "period": the_period.label})
    return render(request, "numbers.html", who, managers=[], manager=chosen, rows=rows,
                  charts=charts, period=the_period.label, query=query)


@router.get("/numbers/{kpi}/rows", response_class=HTMLResponse)
def rows_behind(request: Request, kpi: str, manager: Optional[str] = None,
                period: Optional[str] = None, page: int = 1):
    """The rows behind a manager's figure: ``guanxi kpi KPI --explain --by manager``'s."""
    who = _who(request)
    ws = request.app.state.ws
    chosen = _manager(request, who, manager)
    if chosen is None:
        raise UsageError("name a manager: /numbers/KPI/rows?manager=ID")
    the_period = current_period(ws, period)
    records = ws.plugins.kpis()
    if kpi not in records:
        from guanxi.errors import did_you_mean

        raise NotFoundError(f"no KPI named {kpi!r}{did_you_mean(kpi, records)}")
    found = ws.explain_kpi(kpi, period=the_period, by="manager", scope_key=chosen)
    size = request.app.state.settings.page_size * 4
    pages = max((len(found) + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    return render(request, "numbers_rows.html", who, kpi=records[kpi], manager=chosen,
                  period=the_period.label, rows=found[(page - 1) * size:page * size],
                  total=len(found), page=page, pages=pages,
                  ratio=records[kpi].combine == "ratio")
