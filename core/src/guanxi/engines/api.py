"""The engines' part of the workspace API: segment, rules, KPIs, tasks, 360°.

:class:`guanxi.Workspace` inherits these methods; each returns attrs
records with reasons rendered in the workspace's language.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence

from sqlalchemy import desc, func, select, update

from guanxi import model
from guanxi.engines import reasons as reason_text
from guanxi.errors import GuanxiError, NotFoundError, UsageError, did_you_mean
from guanxi.model import TASK_STATUSES
from guanxi.periods import Period, parse_period
from guanxi.storage import tables as t


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, str):   # a driver that hands back text
        return dt.datetime.fromisoformat(value)
    return value


class EngineMethods:
    """Mixed into :class:`guanxi.Workspace`."""

    # -- queries outside the engines -----------------------------------------------

    def query_context(self, pack: str, as_of: dt.date | None = None):
        """The context a ``pack``'s query builders receive, for its own queries.

        A pack's report or command reads with the same helpers as its
        segmentations and rules (declared fields, dates, working days,
        scope keys), and the same settings and filters:
        ``ctx = ws.query_context("tobacco", as_of)``. The working days of
        the as-of year and the years either side are built first
        (:meth:`ensure_business_days`), since building a query never writes.
        """
        as_of = as_of or self.today()
        self.ensure_business_days(as_of)
        return self.build_context(pack, as_of)

    def build_context(self, pack: str, as_of: dt.date):
        """A pack's query context, the calendar left as it is (the engines build
        it only for a query that reads it: ``ctx.uses_calendar``)."""
        from guanxi.engines.running import build_context

        return build_context(self.runtime, pack, as_of)

    # -- reasons ---------------------------------------------------------------

    @functools.cached_property
    def reason_templates(self) -> Mapping:
        return reason_text.Templates(self.plugins)

    def render_reason(self, stored: str | None) -> str:
        """A stored reason as a sentence in ``[guanxi] language`` (or the web user's)."""
        language = reason_text.READER_LANGUAGE.get() or self.config.language
        return reason_text.render(stored, self.reason_templates, language)

    # -- running -------------------------------------------------------------------

    def segment(self, names: Sequence[str] | None = None, *, as_of: dt.date | None = None) -> list:
        """Run segmentations (all, or ``names`` with what they require)."""
        from guanxi.engines.batch import ordered
        from guanxi.engines.segmentation import run_segmentation

        self.require_ready()
        as_of = as_of or self.today()
        return [run_segmentation(self.runtime, s, as_of)
                for s in ordered(self.plugins.segmentations(), names, what="segmentation")]

    def run_rules(self, names: Sequence[str] | None = None, *, as_of: dt.date | None = None) -> list:
        """Run service rules; a rerun creates nothing new."""
        from guanxi.engines.batch import ordered
        from guanxi.engines.rules import run_rule

        self.require_ready()
        as_of = as_of or self.today()
        return [run_rule(self.runtime, r, as_of)
                for r in ordered(self.plugins.service_rules(), names, what="rule")]

    def _period(self, period: str | Period | None) -> Period:
        """A KPI period from a caller: this month when None; a bad text is a usage error."""
        if period is None:
            return Period.containing(self.today(), "month")
        if isinstance(period, str):
            from guanxi.periods import ValueProblem

            try:
                return parse_period(period)
            except ValueProblem as exc:
                raise UsageError(f"period {period!r}: {exc}") from None
        return period

    def kpi(self, names: Sequence[str] | None = None, *, period: str | Period | None = None,
            by: str | None = None, as_of: dt.date | None = None) -> list:
        """Compute KPIs for a period (default: this month) and a scope.

        Figures of a period not yet over are as of ``as_of`` (default today).
        Without ``names``, KPIs not reported by the scope ``by`` are left out
        (:func:`guanxi.engines.kpis.unscoped_kpis` names them); a KPI named
        and not reported by it is an error.
        """
        return self._kpi_values(names, period, by, as_of, store=True)

    def _kpi_values(self, names, period, by, as_of, *, store: bool) -> list:
        from guanxi.engines.batch import ordered
        from guanxi.engines.kpis import run_kpi, unscoped_kpis

        self.require_ready()
        period = self._period(period)
        rows = []
        records = self.plugins.kpis()
        skipped = set() if names else set(unscoped_kpis(records.values(), by))
        for kpi in ordered(records, names, what="KPI"):
            if kpi.name not in skipped:
                rows.extend(run_kpi(self.runtime, kpi, period, by, as_of or self.today(), store=store))
        return rows

    def explain_kpi(self, name: str, *, period: str | Period | None = None, by: str | None = None,
                    scope_key: str | None = None, as_of: dt.date | None = None) -> list:
        """The rows behind a KPI's value: what it counted, what each adds, and why.

        The same period, scope and as-of rules as :meth:`kpi`; ``scope_key``
        keeps one key of the scope (a manager's id with ``by="manager"``).
        Reads only. :return: :class:`~guanxi.model.KpiRow` records, by key and id.
        """
        from guanxi.engines.kpis import explain_kpi

        self.require_ready()
        records = self.plugins.kpis()
        if name not in records:
            raise UsageError(f"no KPI named {name!r}{did_you_mean(name, records)}")
        return explain_kpi(self.runtime, records[name], self._period(period), by, scope_key,
                           as_of or self.today(), render=self.render_reason)

    def run(self, *, as_of: dt.date | None = None, progress=None):
        """The daily batch: segmentations, rules, KPIs; failures named, not fatal.

        The first batch after a month ends computes that month's final KPI
        figures too (``closed_kpis``). ``progress(done, total, step)`` hears
        each job start (see :func:`guanxi.engines.batch.run_batch`).
        """
        from guanxi.engines.batch import run_batch

        self.require_ready()
        return run_batch(self.runtime, as_of or self.today(), progress)

    # -- labels ------------------------------------------------------------------------

    def _segmentation(self, name: str):
        segs = self.plugins.segmentations()
        if name not in segs:
            raise UsageError(f"unknown segmentation {name!r}{did_you_mean(name, segs)}; "
                             f"known: {', '.join(segs)}")
        return segs[name]

    def set_label(self, segmentation: str, customer_id: str, label: str, reason: str,
                  set_by: str | None = None) -> None:
        """A manual label: wins over the derived one from the next run until cleared."""
        from guanxi.engines.segmentation import set_override

        self.require_ready()
        seg = self._segmentation(segmentation)
        if seg.labels and label not in seg.labels:
            raise UsageError(f"label {label!r} is not one of {', '.join(seg.labels)}")
        if not reason:
            raise UsageError("a manual label needs a reason")
        self.customer(customer_id)
        set_override(self.runtime, segmentation, customer_id, label, reason, set_by)

    def clear_label(self, segmentation: str, customer_id: str) -> bool:
        from guanxi.engines.segmentation import clear_override

        self.require_ready()
        self._segmentation(segmentation)
        return clear_override(self.runtime, segmentation, customer_id)

    def lock_segmentation(self, segmentation: str, period: str) -> None:
        """Freeze a segmentation's labels for a period (published grades)."""
        from guanxi.engines.segmentation import lock_period

        self.require_ready()
        self._segmentation(segmentation)
        lock_period(self.runtime, segmentation, parse_period(period))

    def labels(self, customer_id: str) -> list[model.SegmentAssignment]:
        s = t.segments
        with self.engine.connect() as conn:
            rows = conn.execute(select(s).where(s.c.customer_id == customer_id)
                                .order_by(s.c.segmentation)).all()
        return [model.SegmentAssignment(
            segmentation=r.segmentation, customer_id=r.customer_id, label=r.label,
            score=r.score, reason=self.render_reason(r.reason), as_of=r.as_of, manual=r.manual)
            for r in rows]

    def label_history(self, customer_id: str) -> list[model.SegmentChange]:
        h = t.segment_history
        with self.engine.connect() as conn:
            rows = conn.execute(select(h).where(h.c.customer_id == customer_id)
                                .order_by(h.c.changed_on, h.c.id)).all()
        return [model.SegmentChange(
            segmentation=r.segmentation, customer_id=r.customer_id, old_label=r.old_label,
            new_label=r.new_label, changed_on=r.changed_on, reason=self.render_reason(r.reason))
            for r in rows]

    # -- tasks -----------------------------------------------------------------------------

    def _task(self, row) -> model.Task:
        data = dict(row._mapping)
        data["reason"] = self.render_reason(data["reason"])
        if data.pop("all_day"):
            # A day task is its day, however the driver hands the midnight back.
            data["due_at"] = _as_datetime(data["due_at"]).date()
        if data.get("overdue") is not None:
            data["overdue"] = bool(data["overdue"])
        return model.Task(**data)

    def _task_moment(self, as_of: dt.date | None) -> tuple[dt.date, dt.datetime | None]:
        """(as-of day, as-of moment) of a listing: now for today, else that day's end."""
        today = self.today()
        if as_of is None or as_of == today:
            return today, self.now()
        return as_of, None

    def tasks(self, *, manager: str | None = None, status: str | None = "open",
              rule: str | None = None, customer: str | None = None,
              due: str | None = None, overdue: bool = False, as_of: dt.date | None = None,
              limit: int | None = None, offset: int | None = None,
              scope=None) -> list[model.Task]:
        """Tasks, soonest due first; ``status=None`` for every status.

        ``due="today"``: due on or before the as-of day; ``due="week"``: by
        the Sunday of the as-of day's ISO week; ``overdue``: open and past
        due at the as-of moment. ``as_of`` (default today) is judged at its
        end, today at the present moment. Each task carries its customer's
        name and whether it is overdue then. An unknown ``manager`` is an error.
        ``scope`` (a :class:`~guanxi.service.scope.Scope`) keeps a user's tasks only.
        """
        from guanxi.engines.context import Context
        from guanxi.errors import did_you_mean

        self.require_ready()
        if due not in (None, "today", "week"):
            raise UsageError(f"unknown due {due!r}; use one of: today, week")
        day, moment = self._task_moment(as_of)
        ctx = Context(dialect=self.dialect, pack="core", config={}, as_of=day, moment=moment)
        tk, c = t.tasks, t.customers
        late = ctx.task_overdue(tk)
        query = (select(tk, c.c.name.label("customer_name"), late.label("overdue"))
                 .select_from(tk.outerjoin(c, c.c.id == tk.c.customer_id))
                 .order_by(tk.c.due_at, tk.c.priority, tk.c.id))
        if status:
            if status not in TASK_STATUSES:
                raise UsageError(f"unknown status {status!r}; use one of: {', '.join(TASK_STATUSES)}")
            query = query.where(tk.c.status == status)
        if due:
            last = day if due == "today" else day + dt.timedelta(days=6 - day.weekday())
            query = query.where(tk.c.due_at < dt.datetime.combine(last + dt.timedelta(days=1),
                                                                  dt.time()))
        if overdue:
            query = query.where(tk.c.status == "open", late)
        if rule:
            query = query.where(tk.c.rule == rule)
        if customer:
            query = query.where(tk.c.customer_id == customer)
        if scope is not None and scope.task_condition(tk) is not None:
            query = query.where(scope.task_condition(tk))
        if offset:
            query = query.offset(offset)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            if manager:
                m = t.managers
                if conn.execute(select(m.c.id).where(m.c.id == manager)).first() is None:
                    known = conn.execute(select(m.c.id)).scalars().all()
                    raise NotFoundError(f"no manager with id {manager!r}"
                                        f"{did_you_mean(manager, known)}")
                query = query.where(tk.c.manager_id == manager)
            return [self._task(r) for r in conn.execute(query)]

    def _close_task(self, task_id: int, status: str, outcome: str | None,
                    at: dt.datetime | None = None) -> model.Task:
        self.require_ready()
        tk = t.tasks
        now = self.now()
        at = now if at is None else at
        if at > now:
            raise UsageError(f"task {task_id} cannot be closed at {at:%Y-%m-%d %H:%M}: "
                             f"that is in the future (now {now:%Y-%m-%d %H:%M})")
        with self.engine.begin() as conn:
            row = conn.execute(select(tk).where(tk.c.id == task_id)).first()
            if row is None:
                raise NotFoundError(f"no task with id {task_id}")
            if row.status != "open":
                raise GuanxiError(f"task {task_id} is already {row.status}")
            conn.execute(update(tk).where(tk.c.id == task_id)
                         .values(status=status, outcome=outcome, closed_at=at))
            return self._task(conn.execute(select(tk).where(tk.c.id == task_id)).one())

    def task_done(self, task_id: int, outcome: str | None = None, *,
                  at: dt.datetime | None = None) -> model.Task:
        """Mark a task done; ``at`` is when the work was really done (default now).

        ``at`` is naive in the organization's time zone, or aware and then
        converted to it: a visit written up the next morning is judged by
        the time it was made.
        """
        if at is not None and at.tzinfo is not None:
            from zoneinfo import ZoneInfo

            at = at.astimezone(ZoneInfo(self.config.timezone)).replace(tzinfo=None)
        return self._close_task(task_id, "done", outcome, at)

    def task_cancel(self, task_id: int, reason: str) -> model.Task:
        if not reason:
            raise UsageError("cancelling a task needs a reason")
        return self._close_task(task_id, "cancelled", reason)

    def task_reassign(self, task_id: int, to_manager: str) -> model.Task:
        self.require_ready()
        tk, m = t.tasks, t.managers
        with self.engine.begin() as conn:
            if conn.execute(select(m.c.id).where(m.c.id == to_manager)).first() is None:
                raise NotFoundError(f"no manager with id {to_manager!r}")
            row = conn.execute(select(tk).where(tk.c.id == task_id)).first()
            if row is None:
                raise NotFoundError(f"no task with id {task_id}")
            if row.status != "open":
                raise GuanxiError(f"task {task_id} is {row.status}; only open tasks move")
            conn.execute(update(tk).where(tk.c.id == task_id).values(manager_id=to_manager))
            return self._task(conn.execute(select(tk).where(tk.c.id == task_id)).one())

    # -- the 360° view ---------------------------------------------------------------------------

    def customer_view(self, customer_id: str, *, recent: int = 20, unmask: bool = False) -> dict:
        """Everything about one customer, as the ``customers show`` JSON.

        Identity fields (``cn_ric``, ``cn_uscc``, ``cn_mobile``) of the
        customer, its contacts, accounts and interactions are masked
        (:mod:`guanxi.masking`) unless ``unmask``.
        """
        import attrs

        customer = self.customer(customer_id)
        with self.engine.connect() as conn:
            def rows(query):
                return [dict(r._mapping) for r in conn.execute(query)]

            c_ = t.contacts
            contacts = rows(select(c_).where(c_.c.customer_id == customer_id).order_by(c_.c.id))
            a = t.accounts
            accounts = rows(select(a).where(a.c.customer_id == customer_id).order_by(a.c.id))
            i = t.interactions
            interactions = rows(select(i).where(i.c.customer_id == customer_id)
                                .order_by(desc(i.c.occurred_at), i.c.id).limit(recent))
            ms = t.measurements
            # Each metric's (and account's) latest period, chosen in SQL: a
            # customer with years of monthly figures sends back one row each.
            newest = func.row_number().over(partition_by=(ms.c.metric, ms.c.account_id),
                                            order_by=desc(ms.c.period)).label("newest")
            ranked = (select(ms.c.metric, ms.c.account_id, ms.c.period, ms.c.value, newest)
                      .where(ms.c.customer_id == customer_id).subquery("ranked_measurements"))
            measurements = [
                {"metric": r.metric, "account_id": r.account_id or None, "period": r.period,
                 "value": r.value}
                for r in conn.execute(select(ranked).where(ranked.c.newest == 1)
                                      .order_by(ranked.c.metric, ranked.c.account_id))]
            ct = t.customer_team
            team = rows(select(ct).where(ct.c.customer_id == customer_id)
                        .order_by(ct.c.role, ct.c.manager_id))
            from guanxi.engines.list_keeping import spells

            lists = rows(spells(customer_id))   # every spell, the earlier ones too
            al = t.customer_aliases   # customers merged into this one (customers merge)
            merged = [{"id": r.alias, "merged_on": r.merged_on,
                       "reason": self.render_reason(r.reason)}
                      for r in conn.execute(select(al).where(al.c.customer_id == customer_id)
                                            .order_by(al.c.merged_on, al.c.alias))]
            manager = None
            if customer.manager_id:
                mrow = conn.execute(select(t.managers).where(t.managers.c.id == customer.manager_id)).first()
                manager = dict(mrow._mapping) if mrow else None
        customer_row = attrs.asdict(customer)
        if not unmask:
            from guanxi.masking import mask_rows, masked_fields

            fields = list(self.plugins.fields().values())
            for entity, found in (("customers", [customer_row]), ("contacts", contacts),
                                  ("accounts", accounts), ("interactions", interactions)):
                mask_rows(found, masked_fields(fields, entity))
        return {
            "customer": customer_row,
            "manager": manager,
            "contacts": contacts,
            "accounts": accounts,
            "interactions": interactions,
            "measurements": measurements,
            "segments": [attrs.asdict(s) for s in self.labels(customer_id)],
            "segment_history": [attrs.asdict(h) for h in self.label_history(customer_id)],
            "tasks": [attrs.asdict(x) for x in self.tasks(customer=customer_id)],
            "ownership": [attrs.asdict(o) for o in self.ownership(customer_id)],
            "team": team,
            "lists": lists,
            "merged": merged,
        }
