"""The core's importable entities: the canonical columns of DESIGN's table.

Declared through the same ``guanxi_entities`` hook a pack uses, so the one
importer knows nothing special about them.
"""

from __future__ import annotations

from guanxi.contributions import Entity
from guanxi.model import CUSTOMER_KINDS, CUSTOMER_STATUSES, TARGET_SCOPES, TEAM_ROLES
from guanxi.storage import tables as t


def _declared_metrics(pm) -> tuple[str, ...]:
    return tuple(pm.metrics())


CORE_ENTITIES = (
    Entity(
        name="teams",
        table=t.teams,
        columns=("id", "name", "territory", "leader_id"),
        key=("id",),
        required=("id", "name"),
        attributes="attributes",
        description="Teams (小组) of managers, rolling up to a territory or branch.",
        order=10,
    ),
    Entity(
        name="managers",
        table=t.managers,
        columns=("id", "name", "team_id", "role", "territory", "class", "active", "left_at",
                 "reports_to"),
        key=("id",),
        required=("id", "name"),
        references={"team_id": "teams", "reports_to": "managers"},
        attributes="attributes",
        description="Account managers (客户经理) and the people approval chains resolve to.",
        order=20,
    ),
    Entity(
        name="customers",
        table=t.customers,
        columns=("id", "name", "kind", "manager_id", "territory", "status", "created_at"),
        key=("id",),
        required=("id", "name"),
        allowed={"kind": CUSTOMER_KINDS, "status": CUSTOMER_STATUSES},
        references={"manager_id": "managers"},
        attributes="attributes",
        description="People and organizations served, each with one owning manager.",
        order=30,
    ),
    Entity(
        name="contacts",
        table=t.contacts,
        columns=("id", "customer_id", "name", "role", "seniority", "phone", "email", "active",
                 "started_at", "ended_at"),
        key=("id",),
        required=("id", "customer_id", "name"),
        references={"customer_id": "customers"},
        attributes="attributes",
        description="People at an organization customer.",
        order=40,
    ),
    Entity(
        name="accounts",
        table=t.accounts,
        columns=("id", "customer_id", "type", "status", "opened_at", "closed_at"),
        key=("id",),
        required=("id", "customer_id", "type"),
        references={"customer_id": "customers"},
        attributes="attributes",
        description="Product relationships: a deposit, a supply point, a service line, a licence.",
        order=50,
    ),
    Entity(
        name="account_statuses",
        table=t.account_status_history,
        columns=("account_id", "status", "started_on"),
        key=("account_id", "started_on"),
        required=("account_id", "status", "started_on"),
        references={"account_id": "accounts"},
        description="An account's past statuses, each from a day on (the importer adds changes).",
        order=55,
    ),
    Entity(
        name="interactions",
        table=t.interactions,
        columns=("id", "customer_id", "kind", "occurred_at", "account_id", "manager_id",
                 "channel", "amount", "outcome", "resolved_at"),
        key=("id",),
        required=("id", "customer_id", "kind", "occurred_at"),
        references={"customer_id": "customers", "account_id": "accounts",
                    "manager_id": "managers"},
        attributes="attributes",
        description="Anything that happened with a customer: visits, calls, orders, complaints.",
        order=60,
    ),
    Entity(
        name="measurements",
        table=t.measurements,
        columns=("customer_id", "metric", "period", "value", "account_id"),
        key=("customer_id", "account_id", "metric", "period"),
        required=("customer_id", "metric", "period", "value"),
        allowed={"metric": _declared_metrics},
        references={"customer_id": "customers", "account_id": "accounts"},
        types={"period": "period_start"},
        description="Periodic figures per customer (and account): AUM, kWh, revenue, cartons.",
        order=70,
    ),
    Entity(
        name="customer_team",
        table=t.customer_team,
        columns=("customer_id", "manager_id", "role", "share"),
        key=("customer_id", "manager_id", "role"),
        required=("customer_id", "manager_id", "role"),
        allowed={"role": TEAM_ROLES},
        references={"customer_id": "customers", "manager_id": "managers"},
        bounds={"share": (0, 1)},
        description="Further managers on a customer with a role and a credit share.",
        order=80,
    ),
    Entity(
        name="lists",
        table=t.list_members,
        columns=("list", "customer_id", "added_at", "removed_at", "note"),
        key=("list", "customer_id"),
        required=("list", "customer_id"),
        references={"customer_id": "customers"},
        description="Named customer lists (名单制): watch lists, key projects.",
        order=90,
    ),
    Entity(
        name="targets",
        table=t.targets,
        columns=("kpi", "period", "scope", "target", "scope_key"),
        key=("kpi", "period", "scope", "scope_key"),
        required=("kpi", "period", "scope", "target"),
        allowed={"scope": TARGET_SCOPES},
        types={"period": "period"},
        description="KPI targets per period and scope, so monthly targets need no config edit.",
        order=95,
    ),
)
