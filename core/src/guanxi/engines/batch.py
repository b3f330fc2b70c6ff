"""The daily batch: segmentations, then service rules and record rules, then KPIs.

Contributions run in the order their ``requires`` give (BANK-VISIT after
the relationship level it reads, BANK-CHURN after ABC), each in its own
transaction. A failure is named and the batch goes on, so that one broken
rule does not stop every manager's day; the command exits 1 at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import attrs

from guanxi.errors import PackError, UsageError, did_you_mean
from guanxi.periods import Period


@attrs.frozen(kw_only=True)
class BatchResult:
    as_of: dt.date
    segments: list
    rules: list
    kpis: list
    failures: list[str]
    #: The month just ended, when this is its first batch after it: its final figures.
    closed_kpis: list = attrs.field(factory=list)
    #: What the record rules added (outage notices), after the service rules.
    records: list = attrs.field(factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def ordered(records: Mapping[str, object], names: Sequence[str] | None = None,
            what: str = "name") -> list:
    """Records in dependency order; ``names`` picks some (their requirements too).

    A requirement on another kind of contribution (a rule requiring a
    segmentation) is met by the batch's fixed order and ignored here.
    ``what`` names the kind in the error for an unknown name (``KPI``).
    """
    if names:
        unknown = [n for n in names if n not in records]
        if unknown:
            raise UsageError(
                f"unknown {what} {unknown[0]!r}{did_you_mean(unknown[0], records)}; "
                f"known: {', '.join(records) or 'none'}"
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


def _kpis_to_close(rt, month: Period, kpis) -> bool:
    """Whether the month just ended still lacks its final figures.

    The first batch after a month ends computes that month too: its figures
    are final only once computed after its last day (a batch on the 30th
    stored figures as of that morning; one never run for it, none at all).
    A later batch of the new month finds them and leaves them alone.
    """
    from sqlalchemy import func, select

    from guanxi.storage import tables as t

    names = [k.name for k in kpis if "all" in k.scopes]
    if not names:
        return False
    v = t.kpi_values
    month_end = dt.datetime.combine(month.end, dt.time())
    with rt.engine.connect() as conn:
        # Each KPI's latest computation of the month; a rate with no data
        # stores no row, so only the KPIs that have one are compared.
        latest = conn.execute(
            select(v.c.kpi, func.max(v.c.computed_at))
            .where(v.c.kpi.in_(names), v.c.period == month.label, v.c.scope == "all")
            .group_by(v.c.kpi)
        ).all()
    return not latest or any(computed < month_end for _, computed in latest)


def run_batch(rt, as_of: dt.date, progress: Callable[..., None] | None = None) -> BatchResult:
    """Run the batch as of a day; ``progress(done, total, step)`` hears each job start.

    ``step`` names the job (``segment banking.abc``); a last call with
    ``done == total`` and no step says the batch is over.
    """
    from guanxi.engines.kpis import run_kpi
    from guanxi.engines.record_rules import run_record_rule
    from guanxi.engines.rules import run_rule
    from guanxi.engines.segmentation import run_segmentation
    from guanxi.errors import GuanxiError
    from guanxi.storage.connection import writing_engine
    from guanxi.storage.locks import caused_by_lock

    # Each job's transaction takes SQLite's write lock when it begins: a
    # page's short write during the batch then waits, rather than making
    # the job fail (storage.connection.writing_engine says why).
    rt = attrs.evolve(rt, engine=writing_engine(rt.engine))

    failures: list[str] = []
    segments, rules, kpis, closed, records = [], [], [], [], []
    month = Period.containing(as_of, "month")
    last_month = month.previous()
    kpi_records = ordered(rt.plugins.kpis())
    steps: list[tuple[str, Callable[[], None]]] = []

    def guarded(job: Callable[[], None], errors=PackError) -> Callable[[], None]:
        def run() -> None:
            try:
                job()
            except errors as exc:
                if caused_by_lock(exc):
                    raise  # not this contribution's fault: the whole batch waits or stops
                failures.append(str(exc))
        return run

    for seg in ordered(rt.plugins.segmentations()):
        steps.append((f"segment {seg.name}",
                      guarded(lambda seg=seg: segments.append(run_segmentation(rt, seg, as_of)))))

    def analyze() -> None:
        if rt.dialect == "postgresql" and any(s.changed for s in segments):
            # The rules and KPIs below read the labels just written. Autovacuum
            # analyzes the table minutes later: on a fresh base the planner took
            # segments for empty, and a KPI that looks up each customer's label
            # (tobacco.promo_coverage) ran for minutes instead of 0.4 s.
            with rt.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE segments")

    def tick() -> None:
        # The case clocks move first, to the end of the as-of day but never past
        # now, so that the case rules below see the day's breaches and escalations.
        # (the case rules run below with the others)
        from guanxi.service.cases import tick as tick_cases

        with rt.engine.begin() as conn:
            tick_cases(conn, rt, min(rt.now(), dt.datetime.combine(as_of, dt.time(23, 59, 59))))

    steps.append(("case clocks", guarded(lambda: (analyze(), tick()), GuanxiError)))
    for rule in ordered(rt.plugins.service_rules()):
        steps.append((f"rule {rule.name}",
                      guarded(lambda rule=rule: rules.append(run_rule(rt, rule, as_of)))))
    for rule in ordered(rt.plugins.record_rules()):
        steps.append((f"records {rule.name}",
                      guarded(lambda rule=rule: records.append(run_record_rule(rt, rule, as_of)))))
    # Decided before any KPI of this month is stored: the month just ended first.
    close_last_month = _kpis_to_close(rt, last_month, kpi_records)
    for period, into in ([(last_month, closed)] if close_last_month else []) + [(month, kpis)]:
        for kpi in kpi_records:
            for by in ("all", "manager"):
                if by not in kpi.scopes:
                    continue
                steps.append((
                    f"kpi {kpi.name} {period.label}" + ("" if by == "all" else f" by {by}"),
                    guarded(lambda kpi=kpi, by=by, period=period, into=into:
                            into.extend(run_kpi(rt, kpi, period, by, as_of))),
                ))
    for done, (name, job) in enumerate(steps):
        if progress is not None:
            progress(done, len(steps), name)
        job()
    if progress is not None:
        progress(len(steps), len(steps), None)
    return BatchResult(as_of=as_of, segments=segments, rules=rules, kpis=kpis,
                       closed_kpis=closed, records=records, failures=failures)
