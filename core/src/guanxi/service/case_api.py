"""The case part of the workspace API; :class:`guanxi.Workspace` inherits it.

SLA cases (:mod:`guanxi.service.cases`): open, step, tick, list and show.
Every method returns the records of that module; ``docs/cases.md`` says
what each step allows.
"""

from __future__ import annotations

import datetime as dt


class CaseMethods:
    """Mixed into :class:`guanxi.Workspace`."""

    def case_policies(self) -> list:
        """Every enabled pack's case policies, by name."""
        from guanxi.service import cases

        self.require_ready()
        return list(cases.case_policies(self.runtime).values())

    def open_case(self, policy: str, customer_id: str, owner_id: str | None = None,
                  opened_at: dt.datetime | None = None, summary: str | None = None):
        """Open a case of ``policy`` by hand; the owner answers it (首问负责制).

        ``owner_id`` defaults to the customer's owner, ``opened_at`` to now.
        :return: the :class:`~guanxi.service.cases.Case`.
        """
        from guanxi.service import cases

        self.require_ready()
        record = cases.policy_named(self.runtime, policy)
        with self.engine.begin() as conn:
            case_id = cases.open_one(conn, self.runtime, record, customer_id, owner_id,
                                     opened_at or self.now(), summary)
            return cases.load_case(conn, self.runtime, case_id)

    def open_cases(self) -> int:
        """Open the cases every interaction of a policy's kinds should have.

        Saving interactions does this for the saved rows; this catches up
        with interactions stored before a policy was enabled. Returns how
        many cases were opened.
        """
        from guanxi.service import cases

        self.require_ready()
        with self.engine.begin() as conn:
            return cases.open_from_interactions(conn, self.runtime)

    def case_step(self, case_id: int, action: str, by: str, at: dt.datetime | None = None,
                  note: str | None = None, to: str | None = None):
        """One step on a case by manager ``by``: respond, handover (``to``), pause,
        resume, approve, reject, escalate, resolve, callback or close.

        :return: the case after the step.
        """
        from guanxi.service import cases

        self.require_ready()
        return cases.apply_step(self.runtime, case_id, action, by, at, note, to)

    def tick_cases(self, at: dt.datetime | None = None, *, rules: bool = True):
        """Move every case clock to ``at`` (default now), then run the case rules.

        ``rules=False`` moves the clocks only (the daily batch runs every
        rule after it).
        :return: a :class:`~guanxi.service.cases.TickResult`.
        """
        from guanxi.service import cases

        self.require_ready()
        at = at or self.now()
        with self.engine.begin() as conn:
            counts = cases.tick(conn, self.runtime, at)
        runs = self.run_rules(list(cases.CASE_RULES), as_of=at.date()) if rules else []
        return cases.TickResult(at=at, rules=runs, **counts)

    def cases(self, *, policy: str | None = None, owner: str | None = None,
              state: str | None = None, customer: str | None = None,
              limit: int | None = None, offset: int | None = None, scope=None) -> list:
        """Cases by policy, owner, state or customer, oldest first (the cases a policy's
        ``first_when`` selects, a VIP's, before the others).

        ``scope`` (a :class:`~guanxi.service.scope.Scope`) keeps a user's cases only.
        """
        from guanxi.service import cases

        self.require_ready()
        with self.engine.connect() as conn:
            return cases.list_cases(conn, self.runtime, policy=policy, owner=owner, state=state,
                                    customer=customer, limit=limit, offset=offset, scope=scope)

    def case(self, case_id: int):
        from guanxi.service import cases

        self.require_ready()
        with self.engine.connect() as conn:
            return cases.load_case(conn, self.runtime, case_id)

    def case_history(self, case_id: int) -> list:
        """Every event of a case, oldest first: who did what when."""
        from guanxi.service import cases

        self.require_ready()
        with self.engine.connect() as conn:
            cases.load_case(conn, self.runtime, case_id)
            return cases.case_events(conn, case_id)

    def case_waiting_for(self, case_id: int) -> str | None:
        """Who must act on the case's current approval step (None: no step pending)."""
        from guanxi.service import cases

        self.require_ready()
        with self.engine.connect() as conn:
            case = cases.load_case(conn, self.runtime, case_id)
            policy = cases.case_policies(self.runtime).get(case.policy)
            if policy is None or case.resolved_at is not None:
                return None
            return cases.acting_person(conn, policy, case)
