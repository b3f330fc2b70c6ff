"""The core entities as attrs classes: what the Python API returns and takes.

The allowed values here are the only copy: the importer's entity
declarations and the tables' documentation read them from this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
from attrs import validators as v

CUSTOMER_KINDS = ("person", "organization")
CUSTOMER_STATUSES = ("prospect", "active", "dormant", "lost")
#: A customer merged into another (guanxi customers merge): set by a merge, never imported.
MERGED_STATUS = "merged"
TASK_STATUSES = ("open", "done", "cancelled")
TEAM_ROLES = ("product", "risk", "referral", "partner", "corporate_partner", "retail_partner")
TARGET_SCOPES = ("all", "manager", "team", "territory", "segment", "list", "field")


def _nonempty(instance, attribute, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{type(instance).__name__}.{attribute.name} must be a non-empty text")


def _share(instance, attribute, value):
    if value is not None and not (Decimal(0) <= Decimal(str(value)) <= Decimal(1)):
        raise ValueError(f"{type(instance).__name__}.{attribute.name} must be between 0 and 1")


def _decimal(value):
    if value is None:
        return value
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        number = None
    # NaN and infinities pass Decimal() but break every comparison after it.
    if number is None or not number.is_finite() or isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    return number


_opt_str = v.optional(v.instance_of(str))
_opt_date = v.optional(v.instance_of(dt.date))
_opt_datetime = v.optional(v.instance_of(dt.datetime))


@attrs.frozen(kw_only=True)
class Team:
    id: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)
    territory: str | None = attrs.field(default=None, validator=_opt_str)
    leader_id: str | None = attrs.field(default=None, validator=_opt_str)
    attributes: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Manager:
    id: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)
    team_id: str | None = attrs.field(default=None, validator=_opt_str)
    role: str | None = attrs.field(default=None, validator=_opt_str)
    territory: str | None = attrs.field(default=None, validator=_opt_str)
    # "class" is a Python keyword: the attribute is ``class_``, the column ``class``.
    class_: str | None = attrs.field(default=None, validator=_opt_str)
    active: bool = True
    left_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    reports_to: str | None = attrs.field(default=None, validator=_opt_str)
    attributes: dict[str, Any] = attrs.field(factory=dict)



def _customer_status(instance, attribute, value) -> None:
    # merged is set by a merge only: the message names the statuses one gives.
    if value != MERGED_STATUS:
        v.in_(CUSTOMER_STATUSES)(instance, attribute, value)

@attrs.frozen(kw_only=True)
class Customer:
    id: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)
    kind: str = attrs.field(default="person", validator=v.in_(CUSTOMER_KINDS))
    manager_id: str | None = attrs.field(default=None, validator=_opt_str)
    territory: str | None = attrs.field(default=None, validator=_opt_str)
    status: str = attrs.field(default="active", validator=_customer_status)
    created_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    attributes: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Contact:
    id: str = attrs.field(validator=_nonempty)
    customer_id: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)
    role: str | None = attrs.field(default=None, validator=_opt_str)
    seniority: str | None = attrs.field(default=None, validator=_opt_str)
    phone: str | None = attrs.field(default=None, validator=_opt_str)
    email: str | None = attrs.field(default=None, validator=_opt_str)
    active: bool = True
    started_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    ended_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    attributes: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Account:
    id: str = attrs.field(validator=_nonempty)
    customer_id: str = attrs.field(validator=_nonempty)
    type: str = attrs.field(validator=_nonempty)
    status: str | None = attrs.field(default=None, validator=_opt_str)
    opened_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    closed_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    attributes: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Interaction:
    id: str = attrs.field(validator=_nonempty)
    customer_id: str = attrs.field(validator=_nonempty)
    kind: str = attrs.field(validator=_nonempty)
    occurred_at: dt.datetime = attrs.field(validator=v.instance_of(dt.datetime))
    account_id: str | None = attrs.field(default=None, validator=_opt_str)
    manager_id: str | None = attrs.field(default=None, validator=_opt_str)
    channel: str | None = attrs.field(default=None, validator=_opt_str)
    amount: Decimal | None = attrs.field(default=None, converter=_decimal)
    outcome: str | None = attrs.field(default=None, validator=_opt_str)
    resolved_at: dt.datetime | None = attrs.field(default=None, validator=_opt_datetime)
    attributes: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Measurement:
    customer_id: str = attrs.field(validator=_nonempty)
    metric: str = attrs.field(validator=_nonempty)
    period: dt.date = attrs.field(validator=v.instance_of(dt.date))
    value: Decimal = attrs.field(converter=_decimal)
    account_id: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class CustomerTeamMember:
    """A further manager on a customer, with the credit share KPIs split by."""

    customer_id: str = attrs.field(validator=_nonempty)
    manager_id: str = attrs.field(validator=_nonempty)
    role: str = attrs.field(validator=v.in_(TEAM_ROLES))
    share: Decimal | None = attrs.field(default=None, converter=_decimal, validator=_share)


@attrs.frozen(kw_only=True)
class ListMembership:
    """A customer on a named list (名单制) from ``added_at`` until ``removed_at``."""

    list: str = attrs.field(validator=_nonempty)
    customer_id: str = attrs.field(validator=_nonempty)
    added_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    removed_at: dt.date | None = attrs.field(default=None, validator=_opt_date)
    note: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Target:
    kpi: str = attrs.field(validator=_nonempty)
    period: str = attrs.field(validator=_nonempty)
    scope: str = attrs.field(validator=v.in_(TARGET_SCOPES))
    target: Decimal = attrs.field(converter=_decimal)
    scope_key: str = ""


@attrs.frozen(kw_only=True)
class Ownership:
    """Who owned a customer from ``started_at`` until ``ended_at`` (None: still)."""

    customer_id: str
    manager_id: str | None
    started_at: dt.date
    ended_at: dt.date | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class Task:
    """A task for a manager.

    ``due_at`` is a ``dt.date`` for a task due on a day (on time all of
    it, in the organization's time zone) and a ``dt.datetime`` for one due
    at a time (an SLA clock). ``customer_id`` is None for a manager's own
    task (a report, an analysis). ``customer_name`` and ``overdue`` (open
    and past due at the listing's as-of moment) are filled by listings.
    """

    id: int
    rule: str
    customer_id: str | None
    manager_id: str | None
    kind: str
    due_at: dt.date | dt.datetime
    priority: int
    status: str = attrs.field(validator=v.in_(TASK_STATUSES))
    reason: str
    created_at: dt.datetime
    closed_at: dt.datetime | None = None
    outcome: str | None = None
    dedupe_key: str = ""
    customer_name: str | None = None
    overdue: bool | None = None

    @property
    def all_day(self) -> bool:
        """True when the task is due on a day rather than at a time."""
        return not isinstance(self.due_at, dt.datetime)


@attrs.frozen(kw_only=True)
class SegmentAssignment:
    segmentation: str
    customer_id: str
    label: str
    score: float | None
    reason: str
    as_of: dt.date
    manual: bool = False


@attrs.frozen(kw_only=True)
class SegmentChange:
    segmentation: str
    customer_id: str
    old_label: str | None
    new_label: str | None
    changed_on: dt.date
    reason: str


@attrs.frozen(kw_only=True)
class KpiValue:
    """A KPI's value for a period and scope key, with its target (None: none)."""

    kpi: str
    period: str
    scope: str
    scope_key: str
    value: float | None
    target: float | None
    unit: str


@attrs.frozen(kw_only=True)
class KpiRow:
    """One row behind a KPI's value: what it counts, what it adds, and why.

    ``kind`` is what the row is (customer, task, case, ...; the KPI's
    ``row_kind``), ``id`` its id, ``figure`` what it adds to the value and
    ``weight`` what it adds to the denominator of a ratio (1 when the KPI
    gives none; None for a sum).
    """

    kpi: str
    period: str
    scope: str
    scope_key: str
    kind: str
    id: str
    figure: float | None
    weight: float | None
    reason: str
