"""Who sees what: a user's scope as SQL conditions the workspace's queries add.

A manager sees the customers they own or are on the customer team of,
and their own tasks; a team lead the same for every manager of the teams
they lead (themselves included); an admin everything. Enforced in the
queries (a ``WHERE``), so a page, an API call and a script read the same.
"""

from __future__ import annotations

import attrs
from sqlalchemy import exists, or_, select

from guanxi.storage import tables as t

ROLES = ("manager", "lead", "admin")


@attrs.frozen(kw_only=True)
class Scope:
    """What one user may see. ``managers`` is None for an admin (everything)."""

    login: str
    role: str
    manager_id: str | None
    managers: frozenset[str] | None
    teams: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return self.managers is None

    def sees_manager(self, manager_id: str | None) -> bool:
        return self.managers is None or manager_id in self.managers

    def customer_condition(self, customers=None):
        """A condition on ``customers`` (default the table): visible rows; None for all."""
        if self.managers is None:
            return None
        c = customers if customers is not None else t.customers
        ct = t.customer_team
        on_team = exists(select(ct.c.customer_id).where(
            ct.c.customer_id == c.c.id, ct.c.manager_id.in_(sorted(self.managers))))
        return or_(c.c.manager_id.in_(sorted(self.managers)), on_team)

    def visible_customer_ids(self):
        """The ids of the visible customers as a select (None for all): the same rows as
        :meth:`customer_condition`, read from the managers' indexes first, for a search
        that would otherwise test every customer (a name's part, at 100,000 customers)."""
        if self.managers is None:
            return None
        from sqlalchemy import union

        c, ct = t.customers, t.customer_team
        mine = sorted(self.managers)
        return union(select(c.c.id).where(c.c.manager_id.in_(mine)),
                     select(ct.c.customer_id).where(ct.c.manager_id.in_(mine)))

    def customer_id_condition(self, column):
        """A condition on a ``customer_id`` column: that customer is visible; None for all."""
        if self.managers is None:
            return None
        c = t.customers
        visible = select(c.c.id).where(c.c.id == column, self.customer_condition(c))
        return exists(visible)

    def task_condition(self, tasks=None):
        """Tasks of the managers in scope; None for all."""
        if self.managers is None:
            return None
        tk = tasks if tasks is not None else t.tasks
        return tk.c.manager_id.in_(sorted(self.managers))

    def case_condition(self, cases):
        """Cases the scope's managers own, or of a customer in scope; None for all."""
        if self.managers is None:
            return None
        return or_(cases.c.owner_id.in_(sorted(self.managers)),
                   self.customer_id_condition(cases.c.customer_id))


def scope_of(conn, login: str, role: str, manager_id: str | None) -> Scope:
    """The scope of a user: a lead's managers are those of the teams they lead."""
    if role == "admin":
        return Scope(login=login, role=role, manager_id=manager_id, managers=None)
    managers = {manager_id} if manager_id else set()
    teams: tuple[str, ...] = ()
    if role == "lead" and manager_id:
        teams = tuple(conn.scalars(select(t.teams.c.id).where(t.teams.c.leader_id == manager_id)
                                   .order_by(t.teams.c.id)))
        if teams:
            managers |= set(conn.scalars(select(t.managers.c.id)
                                         .where(t.managers.c.team_id.in_(teams))))
    return Scope(login=login, role=role, manager_id=manager_id, managers=frozenset(managers),
                 teams=teams)


def where(query, condition):
    """``query`` narrowed by ``condition``, unless it is None (everything)."""
    return query if condition is None else query.where(condition)
