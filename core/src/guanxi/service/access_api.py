"""Users, tokens, scope and the audit log: the workspace's part for ``guanxi serve``.

:class:`guanxi.Workspace` inherits these methods. The short writes a
person makes (a task done, a case step, a label set) are audited here,
around the engines' methods; the jobs through :func:`guanxi.audit.job`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, or_, select

from guanxi import audit as audit_mod
from guanxi import model
from guanxi.errors import NotFoundError, UsageError
from guanxi.service import users as users_mod
from guanxi.service.scope import Scope, scope_of, where
from guanxi.storage import tables as t


class AccessMethods:
    """Mixed into :class:`guanxi.Workspace` first, so its audited writes wrap the engines'."""

    # -- the audit log ---------------------------------------------------------------

    def audit(self, action: str, entity: str, key=None, detail: dict | None = None, *,
              conn=None) -> None:
        """Write one audit entry as the acting user (see :mod:`guanxi.audit`)."""
        audit_mod.record(self, action, entity, key, detail, conn=conn)

    def audit_log(self, *, since: dt.date | dt.datetime | None = None, actor: str | None = None,
                  limit: int | None = None, offset: int | None = None,
                  until: dt.date | None = None, newest_first: bool = False) -> list:
        """Audit entries, oldest first (or newest): :class:`~guanxi.service.users.AuditEntry`
        records, from ``since`` to the end of the day ``until``."""
        self.require_ready()
        with self.engine.connect() as conn:
            return users_mod.audit_entries(conn, since, actor, limit, offset, until,
                                           newest_first)

    def audit_saved(self, entity: str, rows: Sequence[Mapping], result) -> None:
        """Audit rows stored by :meth:`save`: an interaction logged, a customer saved."""
        keys = [str(r.get("id")) for r in rows[:20] if r.get("id") is not None]
        action = "interaction logged" if entity == "interactions" else "save"
        self.audit(action, entity, keys[0] if len(keys) == 1 else None,
                   {"rows": len(rows), "inserted": result.inserted, "updated": result.updated,
                    **({"ids": keys} if len(keys) > 1 else {})})

    # -- the short writes, audited ---------------------------------------------------------

    def task_done(self, task_id: int, outcome: str | None = None, *,
                  at: dt.datetime | None = None) -> model.Task:
        task = super().task_done(task_id, outcome, at=at)
        self.audit("task done", "task", task_id, {"outcome": outcome, "at": task.closed_at})
        return task

    def task_cancel(self, task_id: int, reason: str) -> model.Task:
        task = super().task_cancel(task_id, reason)
        self.audit("task cancelled", "task", task_id, {"reason": reason})
        return task

    def task_reassign(self, task_id: int, to_manager: str) -> model.Task:
        task = super().task_reassign(task_id, to_manager)
        self.audit("task reassigned", "task", task_id, {"to": to_manager})
        return task

    def case_step(self, case_id: int, action: str, by: str | None,
                  at: dt.datetime | None = None, note: str | None = None,
                  to: str | None = None, *, login: str | None = None):
        """A case step by manager ``by``; or, ``by`` None, by the user ``login`` (an
        admin without a manager id), who is then the step's recorded actor."""
        if by is None:
            from guanxi.service import cases

            if not login:
                raise UsageError("a case step needs a manager id or a user's login")
            self.require_ready()
            self.user(login)  # a login that exists
            case = cases.apply_step(self.runtime, case_id, action, login, at, note, to, by_login=True)
        else:
            case = super().case_step(case_id, action, by, at=at, note=note, to=to)
        self.audit("case step", "case", case_id,
                   {"action": action, "by": by or login, "to": to, "note": note,
                    "state": case.state})
        return case

    def open_case(self, policy: str, customer_id: str, owner_id: str | None = None,
                  opened_at: dt.datetime | None = None, summary: str | None = None):
        case = super().open_case(policy, customer_id, owner_id, opened_at, summary)
        self.audit("case opened", "case", case.id, {"policy": policy, "customer": customer_id})
        return case

    def set_label(self, segmentation: str, customer_id: str, label: str, reason: str,
                  set_by: str | None = None) -> None:
        super().set_label(segmentation, customer_id, label, reason, set_by)
        self.audit("label set", "customer", customer_id,
                   {"segmentation": segmentation, "label": label, "reason": reason})

    # -- reading figures ----------------------------------------------------------------

    def read_kpi(self, names: Sequence[str] | None = None, *, period=None, by: str | None = None,
                 as_of: dt.date | None = None) -> list:
        """:meth:`kpi`'s values computed and not stored: a read, so no job lock.

        The web workspace's figures: they answer while a batch runs.
        """
        return self._kpi_values(names, period, by, as_of, store=False)

    # -- the 360° view's panels --------------------------------------------------------------

    def customer_panels(self, customer_id: str, *, language: str | None = None) -> list:
        """The enabled packs' panels for a customer's page (``guanxi_customer_panels``)."""
        from guanxi.panels import customer_panels

        self.require_ready()
        return customer_panels(self, customer_id, language)

    def page_panels(self, page: str, *, managers=None, language: str | None = None) -> list:
        """The enabled packs' panels and charts for a web page (``guanxi_page_panels``):
        ``team`` or ``numbers``; ``managers`` the ids the reader sees (None: all)."""
        from guanxi.panels import page_panels

        self.require_ready()
        return page_panels(self, page, managers, language)

    # -- users and tokens ------------------------------------------------------------------

    def add_user(self, login: str, *, manager: str | None, role: str,
                 password: str | None = None, language: str | None = None):
        """A user of the web workspace; without a password they log in by header only."""
        self.require_ready()
        hashed = users_mod.hash_password(password) if password is not None else None
        with self.engine.begin() as conn:
            user = users_mod.add_user(conn, login, manager, role, hashed, self.now(), language)
            self.audit("user added", "user", login, {"role": role, "manager": manager}, conn=conn)
            return user

    def users(self) -> list:
        self.require_ready()
        with self.engine.connect() as conn:
            return users_mod.list_users(conn)

    def user(self, login: str):
        self.require_ready()
        with self.engine.connect() as conn:
            return users_mod.load_user(conn, login)

    def disable_user(self, login: str, disabled: bool = True):
        """Disable a user: every session and token of theirs ends at once."""
        self.require_ready()
        with self.engine.begin() as conn:
            user = users_mod.set_disabled(conn, login, disabled, self.now())
            self.audit("user disabled" if disabled else "user enabled", "user", login, conn=conn)
            return user

    def set_user_language(self, login: str, language: str | None):
        """The language ``login`` reads pages and reasons in; None: ``[guanxi] language``."""
        from guanxi.config import LANGUAGES

        if language is not None and language not in LANGUAGES:
            raise UsageError(f"language {language!r} is not allowed; use one of: "
                             f"{', '.join(LANGUAGES)}")
        self.require_ready()
        with self.engine.begin() as conn:
            user = users_mod.set_language(conn, login, language)
            self.audit("language set", "user", login, {"language": language}, conn=conn)
            return user

    def set_password(self, login: str, password: str):
        self.require_ready()
        hashed = users_mod.hash_password(password)
        with self.engine.begin() as conn:
            user = users_mod.set_password(conn, login, hashed)
            self.audit("password changed", "user", login, conn=conn)
            return user

    def create_token(self, login: str, note: str | None = None):
        """A new API token: ``(Token, secret)``; the secret is not kept, show it once."""
        self.require_ready()
        with self.engine.begin() as conn:
            token, secret = users_mod.create_token(conn, login, note, self.now())
            self.audit("token created", "token", token.id, {"login": login}, conn=conn)
            return token, secret

    def tokens(self, login: str | None = None) -> list:
        self.require_ready()
        with self.engine.connect() as conn:
            return users_mod.list_tokens(conn, login)

    def revoke_token(self, token_id: int):
        self.require_ready()
        with self.engine.begin() as conn:
            token = users_mod.revoke_token(conn, token_id, self.now())
            self.audit("token revoked", "token", token_id, {"login": token.login}, conn=conn)
            return token

    # -- scope -------------------------------------------------------------------------------

    def team_workload(self, scope: Scope, *, limit: int = 25, offset: int = 0) -> tuple[list, int]:
        """The managers in ``scope`` with their open and overdue tasks and open cases,
        by id: ``(page of dicts, total managers)``. Counted in SQL, a page at a time."""
        from sqlalchemy import case

        from guanxi.engines.context import Context
        from guanxi.storage import service_tables as st

        self.require_ready()
        m, tk, cs = t.managers, t.tasks, st.cases
        day, moment = self._task_moment(None)  # overdue as ws.tasks(overdue=True) counts it
        late = Context(dialect=self.dialect, pack="core", config={}, as_of=day,
                       moment=moment).task_overdue(tk)
        managers = where(select(m.c.id, m.c.name, m.c.team_id),
                         None if scope.everything else m.c.id.in_(sorted(scope.managers)))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(managers.subquery())
                                 ).scalar_one()
            page = managers.order_by(m.c.id).limit(limit).offset(offset).subquery("page")
            tasks = (select(tk.c.manager_id, func.count().label("open"),
                            func.sum(case((late, 1), else_=0)).label("overdue"))
                     .where(tk.c.status == "open", tk.c.manager_id.in_(select(page.c.id)))
                     .group_by(tk.c.manager_id).subquery("tasks"))
            cases = (select(cs.c.owner_id, func.count().label("cases"))
                     .where(cs.c.state == "open", cs.c.owner_id.in_(select(page.c.id)))
                     .group_by(cs.c.owner_id).subquery("cases"))
            rows = conn.execute(
                select(page.c.id, page.c.name, page.c.team_id,
                       func.coalesce(tasks.c.open, 0).label("open"),
                       func.coalesce(tasks.c.overdue, 0).label("overdue"),
                       func.coalesce(cases.c.cases, 0).label("cases"))
                .select_from(page.outerjoin(tasks, tasks.c.manager_id == page.c.id)
                             .outerjoin(cases, cases.c.owner_id == page.c.id))
                .order_by(page.c.id))
            return [dict(r._mapping) for r in rows], total

    def scope(self, user) -> Scope:
        """What ``user`` (a :class:`~guanxi.service.users.User`) may see."""
        self.require_ready()
        with self.engine.connect() as conn:
            return scope_of(conn, user.login, user.role, user.manager_id)

    def find_customers(self, q: str | None = None, *, scope: Scope | None = None,
                       limit: int = 50, offset: int = 0) -> tuple[list, int]:
        """Customers matching ``q`` (an id, a name's part, a contact's phone) within
        ``scope``, ordered by id: ``(page, total)``."""
        import attrs

        from guanxi import model

        self.require_ready()
        c, ct = t.customers, t.contacts
        visible = scope.visible_customer_ids() if scope else None
        query = where(select(c), c.c.id.in_(visible) if visible is not None else None)
        if q:
            q = q.strip()
            by_phone = select(ct.c.customer_id).where(ct.c.phone == q)
            query = query.where(or_(c.c.id == q, c.c.name.contains(q, autoescape=True),
                                    c.c.id.in_(by_phone)))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = conn.execute(query.order_by(c.c.id).limit(limit).offset(offset))
            names = {a.name for a in attrs.fields(model.Customer)}
            return [model.Customer(**{k: v for k, v in r._mapping.items() if k in names})
                    for r in rows], total

    def require_visible(self, customer_id: str, scope: Scope | None) -> None:
        """NotFoundError when the customer is outside ``scope`` (or does not exist)."""
        c = t.customers
        self._require_in_scope(c.c.id, customer_id, scope.customer_condition(c) if scope else None,
                               f"no customer with id {customer_id!r}")

    def require_task_visible(self, task_id: int, scope: Scope | None) -> None:
        """NotFoundError when the task is outside ``scope`` (or does not exist)."""
        tk = t.tasks
        self._require_in_scope(tk.c.id, task_id, scope.task_condition(tk) if scope else None,
                               f"no task with id {task_id}")

    def require_case_visible(self, case_id: int, scope: Scope | None) -> None:
        """NotFoundError when the case is outside ``scope`` (or does not exist)."""
        from guanxi.storage import service_tables as st

        cs = st.cases
        self._require_in_scope(cs.c.id, case_id, scope.case_condition(cs) if scope else None,
                               f"no case with id {case_id}")

    def _require_in_scope(self, id_column, key, condition, missing: str) -> None:
        # Outside the scope answers as not there: its existence is not revealed.
        self.require_ready()
        query = where(select(id_column).where(id_column == key), condition)
        with self.engine.connect() as conn:
            if conn.execute(query).first() is None:
                raise NotFoundError(missing)
