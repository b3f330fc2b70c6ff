"""The attrs classes of guanxi.model and guanxi.contributions refuse bad values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

import guanxi
from guanxi import model
from guanxi.storage import tables as t


def test_a_customer_with_defaults():
    customer = model.Customer(id="C1", name="Ann")
    assert (customer.kind, customer.status, customer.manager_id, customer.attributes) == (
        "person", "active", None, {})


def first_arg(call):
    """attrs' own validators put the sentence first among the exception's args."""
    with pytest.raises((ValueError, TypeError)) as failure:
        call()
    return failure.value.args[0]


@pytest.mark.parametrize("kind", ["robot", "Person", "", None])
def test_a_customer_kind_must_be_person_or_organization(kind):
    assert first_arg(lambda: model.Customer(id="C1", name="Ann", kind=kind)) == (
        f"'kind' must be in ('person', 'organization') (got {kind!r})")


@pytest.mark.parametrize("status", ["asleep", "ACTIVE", None])
def test_a_customer_status_is_one_of_four(status):
    assert first_arg(lambda: model.Customer(id="C1", name="Ann", status=status)) == (
        f"'status' must be in ('prospect', 'active', 'dormant', 'lost') (got {status!r})")


@pytest.mark.parametrize("status", model.CUSTOMER_STATUSES)
def test_every_customer_status_is_accepted(status):
    assert model.Customer(id="C1", name="Ann", status=status).status == status


@pytest.mark.parametrize(("cls", "values", "attribute"), [
    (model.Customer, {"id": "", "name": "Ann"}, "id"),
    (model.Customer, {"id": "C1", "name": "   "}, "name"),
    (model.Manager, {"id": "M1", "name": ""}, "name"),
    (model.Team, {"id": "", "name": "North"}, "id"),
    (model.Account, {"id": "A1", "customer_id": "", "type": "deposit"}, "customer_id"),
    (model.Contact, {"id": "P1", "customer_id": "C1", "name": ""}, "name"),
    (model.ListMembership, {"list": "", "customer_id": "C1"}, "list"),
])
def test_keys_and_names_must_not_be_empty(cls, values, attribute):
    with pytest.raises(ValueError) as failure:
        cls(**values)
    assert str(failure.value) == f"{cls.__name__}.{attribute} must be a non-empty text"


@pytest.mark.parametrize("share", [0, 1, "0.3", 0.5, Decimal("1.0000"), None])
def test_a_customer_team_share_from_0_to_1(share):
    member = model.CustomerTeamMember(customer_id="C1", manager_id="M1", role="risk", share=share)
    assert member.share == (None if share is None else Decimal(str(share)))


@pytest.mark.parametrize("share", [-0.0001, 1.0001, 2, Decimal("-1")])
def test_a_customer_team_share_outside_0_to_1(share):
    with pytest.raises(ValueError) as failure:
        model.CustomerTeamMember(customer_id="C1", manager_id="M1", role="risk", share=share)
    assert str(failure.value) == "CustomerTeamMember.share must be between 0 and 1"


@pytest.mark.parametrize("share", ["x", "NaN", float("inf"), True])
def test_a_customer_team_share_that_is_no_number(share):
    with pytest.raises(ValueError) as failure:
        model.CustomerTeamMember(customer_id="C1", manager_id="M1", role="risk", share=share)
    assert str(failure.value) == f"{share!r} is not a number"


def test_a_customer_team_role():
    assert first_arg(lambda: model.CustomerTeamMember(
        customer_id="C1", manager_id="M1", role="boss")) == (
        "'role' must be in ('product', 'risk', 'referral', 'partner', 'corporate_partner', "
        "'retail_partner') (got 'boss')")


def test_dates_and_datetimes_are_typed():
    assert first_arg(lambda: model.Interaction(
        id="I1", customer_id="C1", kind="visit", occurred_at=dt.date(2026, 1, 1))).startswith(
        "'occurred_at' must be <class 'datetime.datetime'> (got datetime.date(2026, 1, 1)")
    assert first_arg(lambda: model.Customer(
        id="C1", name="Ann", created_at="2026-01-01")).startswith(
        "'created_at' must be <class 'datetime.date'> (got '2026-01-01'")
    assert first_arg(lambda: model.Measurement(
        customer_id="C1", metric="aum", period="2026-10", value=1)).startswith(
        "'period' must be <class 'datetime.date'> (got '2026-10'")


def test_money_and_figures_are_decimals():
    interaction = model.Interaction(id="I1", customer_id="C1", kind="order",
                                    occurred_at=dt.datetime(2026, 1, 1, 9), amount=12.5)
    assert interaction.amount == Decimal("12.5")
    assert model.Measurement(customer_id="C1", metric="aum", period=dt.date(2026, 10, 1),
                             value="1234.50").value == Decimal("1234.50")
    with pytest.raises(ValueError, match=r"^'a lot' is not a number$"):
        model.Target(kpi="k", period="2026-10", scope="all", target="a lot")


def test_target_scope_and_task_status():
    assert first_arg(lambda: model.Target(kpi="k", period="2026-10", scope="branch", target=1)) == (
        "'scope' must be in ('all', 'manager', 'team', 'territory', 'segment', 'list', "
        "'field') "
        "(got 'branch')")
    assert first_arg(lambda: model.Task(
        id=1, rule="r", customer_id="C1", manager_id=None, kind="call",
        due_at=dt.datetime(2026, 1, 1), priority=1, status="late", reason="x",
        created_at=dt.datetime(2026, 1, 1))) == (
        "'status' must be in ('open', 'done', 'cancelled') (got 'late')")


def test_records_are_frozen():
    customer = model.Customer(id="C1", name="Ann")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        customer.name = "Bo"


def test_the_manager_class_attribute_is_spelt_class_():
    manager = model.Manager(id="M1", name="Wang", class_="2")
    assert (manager.class_, manager.active) == ("2", True)


def test_the_importer_and_the_model_share_the_allowed_values():
    from guanxi.builtin.entities import CORE_ENTITIES

    entities = {e.name: e for e in CORE_ENTITIES}
    assert entities["customers"].allowed == {"kind": model.CUSTOMER_KINDS,
                                             "status": model.CUSTOMER_STATUSES}
    assert entities["customer_team"].allowed == {"role": model.TEAM_ROLES}
    assert entities["customer_team"].bounds == {"share": (0, 1)}


# ---------------------------------------------------------------------------
# the records packs return
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "message"), [
    (lambda: guanxi.Field(name="Grade", entity="customers", type="text"),
     "Field name 'Grade' must be lower-case letters, digits and underscores, starting with a "
     "letter"),
    (lambda: guanxi.Field(name="grade", entity="customers", type="money"), None),
    (lambda: guanxi.ConfigOption(name="abc.A", type="number", default=1, description="d"),
     "config option name 'abc.A' must be dotted lower-case words, like 'abc.a_share'"),
    (lambda: guanxi.ConfigOption(name="abc", type="float", default=1, description="d"), None),
    (lambda: guanxi.Metric(name="aum", title="AUM", grain="week"), None),
    (lambda: guanxi.Metric(name="aum", title="AUM", aggregate="max"), None),
    (lambda: guanxi.Entity(name="notes", table=t.customers, columns=("id", "body"), key=("id",)),
     "entity 'notes' names columns its table 'customers' does not have: body"),
])
def test_contribution_records_refuse_bad_values(make, message):
    with pytest.raises(ValueError) as failure:
        make()
    if message is not None:
        assert str(failure.value) == message


def test_contribution_records_take_one_value_for_a_tuple():
    field = guanxi.Field(name="grade", entity="customers", type="text", allowed="A")
    assert field.allowed == ("A",)
