"""The daily batch: segmentations, then service rules, then KPIs.

Contributions run in the order their ``requires`` give (BANK-VISIT after
the relationship level it reads, BANK-CHURN after ABC), each in its own
transaction. A failure is named and the batch goes on, so that one broken
rule does not stop every manager's day; the command exits 1 at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import attrs

from guanxi.errors import PackError, UsageError
from guanxi.periods import Period


@attrs.frozen(kw_only=True)
class BatchResult:
    as_of: dt.date
    segments: list
    rules: list
    kpis: list
    failures: list[str]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def ordered(records: Mapping[str, object], names: Sequence[str] | None = None) -> list:
    """Records in dependency order; ``names`` picks some (their requirements too).

    A requirement on another kind of contribution (a rule requiring a
    segmentation) is met by the batch's fixed order and ignored here.
    """
    if names:
        unknown = [n for n in names if n not in records]
        if unknown:
            raise UsageError(
                f"unknown name {unknown[0]!r}; known: {', '.join(records) or 'none'}"
            )
    wanted = list(names) if names else list(records)
    result: list = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise PackError(f"contributions require each other in a cycle: {' -> '.join(chain + (name,))}")
        state[name] = "visiting"
        for needed in records[name].requires:
            if needed in records:
                visit(needed, chain + (name,))
        state[name] = "done"
        result.append(records[name])

    for name in wanted:
        visit(name, ())
    return result


def run_batch(ws, as_of: dt.date) -> BatchResult:
    from guanxi.engines.kpis import run_kpi
    from guanxi.engines.rules import run_rule
    from guanxi.engines.segmentation import run_segmentation
    from guanxi.errors import GuanxiError

    failures: list[str] = []
    segments, rules, kpis = [], [], []
    for seg in ordered(ws.plugins.segmentations()):
        try:
            segments.append(run_segmentation(ws, seg, as_of))
        except PackError as exc:
            failures.append(str(exc))
    if ws.dialect == "postgresql" and any(s.changed for s in segments):
        # The rules and KPIs below read the labels just written. Autovacuum
        # analyzes the table minutes later: on a fresh base the planner took
        # segments for empty, and a KPI that looks up each customer's label
        # (tobacco.promo_coverage) ran for minutes instead of 0.4 s.
        with ws.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE segments")
    # The case clocks move first, to the end of the as-of day but never past
    # now, so that the case rules below see the day's breaches and escalations.
    try:
        ws.tick_cases(min(ws.now(), dt.datetime.combine(as_of, dt.time(23, 59, 59))), rules=False)
    except GuanxiError as exc:
        failures.append(str(exc))
    for rule in ordered(ws.plugins.service_rules()):
        try:
            rules.append(run_rule(ws, rule, as_of))
        except PackError as exc:
            failures.append(str(exc))
    period = Period.containing(as_of, "month")
    for kpi in ordered(ws.plugins.kpis()):
        for by in ("all", "manager"):
            if by not in kpi.scopes:
                continue
            try:
                kpis.extend(run_kpi(ws, kpi, period, by, as_of))
            except PackError as exc:
                failures.append(str(exc))
    return BatchResult(as_of=as_of, segments=segments, rules=rules, kpis=kpis, failures=failures)
