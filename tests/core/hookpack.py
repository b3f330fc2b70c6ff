"""``testpack``: a pack defined in the tests that implements every hook.

Each hook records its call in ``pack.calls`` so that tests can check which
hooks ran, how often and in what order. The pack adds its own tables (with
an Alembic branch in ``hookpack_migrations/``), an importable entity, fields
on customers, accounts and interactions, config options, a metric, a
segmentation, a service rule, a record rule, a KPI, a customer filter, a command, demo
data and a report kind.

Tests register a fresh ``HookPack()`` through ``extra_packs``; the module
attribute ``pack`` is what a fake installed distribution's entry point names
(``testpack = hookpack:pack``) for the command-line tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import sqlalchemy as sa

import guanxi
from guanxi.cli import pass_workspace
from guanxi import tables as core_tables

NAME = "testpack"
MIGRATIONS = Path(__file__).with_name("hookpack_migrations")

metadata = sa.MetaData()

notes = sa.Table(
    "testpack_notes",
    metadata,
    sa.Column("id", sa.String, nullable=False),
    sa.Column("customer_id", sa.String, nullable=False),
    sa.Column("body", sa.String),
    sa.Column("noted_on", sa.Date),
    sa.Column("score", sa.Integer),
    sa.PrimaryKeyConstraint("id", name="pk_testpack_notes"),
)

# What the after-saved hooks write through batch.connection: it must land or
# roll back with the rows themselves.
log = sa.Table(
    "testpack_log",
    metadata,
    sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
    sa.Column("hook", sa.String, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_testpack_log"),
)

CONFIG_OPTIONS = (
    guanxi.ConfigOption(name="threshold", type="integer", default=3, minimum=1, maximum=10,
                        description="Visits that count as regular."),
    guanxi.ConfigOption(name="mode", type="text", default="strict",
                        allowed=("strict", "lenient"), description="How strict to be."),
    guanxi.ConfigOption(name="notes.share", type="number", default=0.5, minimum=0, maximum=1,
                        description="Share of notes kept."),
    guanxi.ConfigOption(name="notes.since", type="date", default=dt.date(2026, 1, 1),
                        description="Notes from this day on."),
    guanxi.ConfigOption(name="notes.enabled", type="boolean", default=True,
                        description="Whether notes are kept."),
    guanxi.ConfigOption(name="notes.tags", type="text list", default=["a", "b"],
                        description="Tags a note may carry."),
)

FIELDS = (
    guanxi.Field(name="grade", entity="customers", type="integer", allowed=(1, 2, 3),
                 description="A grade from 1 to 3."),
    guanxi.Field(name="licence", entity="customers", type="text", description="Licence number."),
    guanxi.Field(name="licence_until", entity="customers", type="date",
                 description="Licence valid until."),
    guanxi.Field(name="opened_by", entity="accounts", type="text", description="Who opened it."),
    guanxi.Field(name="vip", entity="interactions", type="boolean", description="A VIP contact."),
)

ENTITY = guanxi.Entity(
    name="testpack_notes",
    table=notes,
    columns=("id", "customer_id", "body", "noted_on", "score"),
    key=("id",),
    required=("id", "customer_id"),
    references={"customer_id": "customers"},
    bounds={"score": (0, 10)},
    description="Notes about customers.",
)

METRIC = guanxi.Metric(name="visits", title="Visits", grain="day", aggregate="sum")


def every_customer(ctx):
    c = core_tables.customers
    return sa.select(c.c.id.label("customer_id"), sa.literal("all").label("label"),
                     sa.literal(1.0).label("score"), sa.literal("every customer").label("reason"))


def licence_missing(ctx):
    # A customer with no licence on file: ask for it within 7 days. A real
    # filter, so the hook's test sees tasks made and the others left alone.
    c = core_tables.customers
    licence = ctx.attribute(c, "licence")
    return sa.select(c.c.id.label("customer_id"), ctx.due(7).label("due_at"),
                     sa.literal(2).label("priority"),
                     (sa.literal("no licence on file for ") + c.c.name).label("reason")
                     ).where(sa.or_(licence.is_(None), licence == ""))


def licence_notes(ctx):
    # A note per customer with no licence on file, dated the as-of day: a record
    # rule, so a second batch adds none and the customer filter keeps lost ones out.
    c = core_tables.customers
    licence = ctx.attribute(c, "licence")
    return sa.select((sa.literal("licence-") + c.c.id).label("id"), c.c.id.label("customer_id"),
                     sa.literal("ask for the licence").label("body"),
                     ctx.today.label("noted_on")).where(sa.or_(licence.is_(None), licence == ""))


def customer_count(ctx):
    return sa.select(sa.literal("").label("scope_key"),
                     sa.func.count().label("value")).select_from(core_tables.customers)


@click.group(name="testpack")
def command_group():
    """The test pack's commands."""


@command_group.command()
@pass_workspace
def hello(ws):
    """Say how many customers the workspace holds."""
    click.echo(f"hello from testpack: {len(ws.customers())} customers")


def owned_customers(scope):
    c = core_tables.customers
    return (sa.select(c.c.id, c.c.name).where(c.c.manager_id == scope.author_id)
            .order_by(c.c.id))


# The report kind: one figure a Select, one plain Python built on it, a filter of its own.
REPORT_TEMPLATE = """\
# {{ report.kind.title }} {{ report.period.label }}: {{ report.author_name }} ({{ report.author_id }})

{{ owned|length }} customer(s), {{ share|pct }} of all; status {{ report.status }}.

{{ table(("id", "name"), owned) }}
"""


def share_of_all(scope):
    c = core_tables.customers
    total = scope.conn.scalar(sa.select(sa.func.count()).select_from(c))
    return len(scope.figures["owned"]) / total if total else 0.0


REPORT_KIND = guanxi.ReportKind(
    name="testpack.customers", title="Customers held", description="A manager's customers.",
    figures={"owned": owned_customers, "share": share_of_all}, template=REPORT_TEMPLATE,
    filters={"pct": lambda v: f"{v * 100:.1f}%"}, due_day=3)


def demo_rows(ctx):
    return {"customers": [{"id": "D001", "name": "Demo customer"}]}


class HookPack:
    """The pack; each instance keeps its own record of calls.

    :param reject: entity -> ids its validate hook refuses.
    :param fail: the name of a hook that raises.
    """

    def __init__(self, *, reject: dict | None = None, fail: str | None = None) -> None:
        self.calls: list[tuple] = []
        self.workspaces: list[object] = []
        self.batches: list[guanxi.RecordBatch] = []
        self.reject = reject or {}
        self.fail = fail

    def _record(self, hook: str, *detail) -> None:
        self.calls.append((hook, *detail))
        if hook == self.fail:
            raise RuntimeError(f"{hook} failed on purpose")

    def hooks_called(self) -> list[str]:
        return [call[0] for call in self.calls]

    # -- contributions --------------------------------------------------

    @guanxi.hookimpl
    def guanxi_config_options(self):
        self._record("guanxi_config_options")
        return CONFIG_OPTIONS

    @guanxi.hookimpl
    def guanxi_fields(self):
        self._record("guanxi_fields")
        return FIELDS

    @guanxi.hookimpl
    def guanxi_entities(self):
        self._record("guanxi_entities")
        return [ENTITY]

    @guanxi.hookimpl
    def guanxi_metrics(self):
        self._record("guanxi_metrics")
        return [METRIC]

    @guanxi.hookimpl
    def guanxi_schemas(self):
        self._record("guanxi_schemas")
        return [guanxi.Schema(name=NAME, metadata=metadata, migrations=str(MIGRATIONS))]

    @guanxi.hookimpl
    def guanxi_segmentations(self):
        self._record("guanxi_segmentations")
        return [guanxi.Segmentation(name="testpack.everyone", title="Everyone",
                                    description="One label for all.", labels=("all",),
                                    query=every_customer)]

    @guanxi.hookimpl
    def guanxi_service_rules(self):
        self._record("guanxi_service_rules")
        return [guanxi.ServiceRule(name="testpack.licence", title="Licence on file",
                                   description="Ask a customer without a licence for it.",
                                   query=licence_missing)]

    @guanxi.hookimpl
    def guanxi_record_rules(self):
        self._record("guanxi_record_rules")
        return [guanxi.RecordRule(name="testpack.licence_notes", title="Licence notes",
                                  description="A note per customer without a licence.",
                                  table=notes, key=("id",), query=licence_notes)]

    @guanxi.hookimpl
    def guanxi_kpis(self):
        self._record("guanxi_kpis")
        return [guanxi.Kpi(name="testpack.customers", title="Customers",
                           description="How many customers.", unit="count",
                           query=customer_count)]

    @guanxi.hookimpl
    def guanxi_customer_filters(self):
        self._record("guanxi_customer_filters")
        return [guanxi.CustomerFilter(name="testpack.not_lost",
                                      description="Customers not lost.",
                                      condition=lambda ctx, c: c.c.status != "lost")]

    @guanxi.hookimpl
    def guanxi_case_policies(self, workspace):
        self.workspaces.append(workspace)
        self._record("guanxi_case_policies")
        return [guanxi.CasePolicy(name="testpack.complaint", title="Complaint",
                                  opens_on=("complaint",), response_hours=24,
                                  resolution_hours=workspace.settings["testpack"]["threshold"])]

    @guanxi.hookimpl
    def guanxi_visit_cadences(self, workspace):
        self.workspaces.append(workspace)
        self._record("guanxi_visit_cadences")
        return [guanxi.VisitCadence(name="testpack.visits", title="Visits",
                                    segmentation="testpack.everyone", intervals={"all": 7})]

    @guanxi.hookimpl
    def guanxi_commands(self):
        self._record("guanxi_commands")
        return [guanxi.Command(name="testpack", command=command_group)]

    @guanxi.hookimpl
    def guanxi_demo_data(self):
        self._record("guanxi_demo_data")
        return [guanxi.DemoData(name="testpack.base", description="One customer.",
                                generate=demo_rows)]

    @guanxi.hookimpl
    def guanxi_report_kinds(self):
        self._record("guanxi_report_kinds")
        return [REPORT_KIND]

    @guanxi.hookimpl
    def guanxi_customer_panels(self, workspace, customer_id, language):
        self._record("guanxi_customer_panels", customer_id)
        with workspace.engine.connect() as conn:
            notes_of = [dict(r._mapping) for r in conn.execute(
                sa.select(notes.c.id, notes.c.body).where(notes.c.customer_id == customer_id)
                .order_by(notes.c.id))]
        return [guanxi.CustomerPanel(title="笔记" if language == "zh" else "Notes",
                                     text=f"{len(notes_of)} note(s)", rows=notes_of)]

    @guanxi.hookimpl
    def guanxi_page_panels(self, workspace, page, managers, language):
        self._record("guanxi_page_panels", page)
        if page != "team":
            return []
        with workspace.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(notes)).scalar_one()
        return [guanxi.CustomerPanel(title="笔记数" if language == "zh" else "Notes", chart="bar",
                                     columns=("what", "notes"),
                                     rows=[{"what": "all", "notes": count}])]

    # -- lifecycle --------------------------------------------------------

    def _validate(self, hook: str, workspace, batch):
        self.workspaces.append(workspace)
        self.batches.append(batch)
        self._record(hook, len(batch.rows))
        refused = self.reject.get(batch.entity, ())
        i = batch.columns.index("id")
        return [
            guanxi.Rejection(index=index, column="id", value=row[i],
                             reason="refused by the test pack")
            for index, row in enumerate(batch.rows)
            if row[i] in refused
        ]

    def _saved(self, hook: str, workspace, batch) -> None:
        self.workspaces.append(workspace)
        self.batches.append(batch)
        batch.connection.execute(sa.insert(log).values(hook=hook, rows=len(batch.rows)))
        self._record(hook, len(batch.rows))

    @guanxi.hookimpl
    def guanxi_validate_customers(self, workspace, batch):
        return self._validate("guanxi_validate_customers", workspace, batch)

    @guanxi.hookimpl
    def guanxi_validate_accounts(self, workspace, batch):
        return self._validate("guanxi_validate_accounts", workspace, batch)

    @guanxi.hookimpl
    def guanxi_validate_interactions(self, workspace, batch):
        return self._validate("guanxi_validate_interactions", workspace, batch)

    @guanxi.hookimpl
    def guanxi_after_customers_saved(self, workspace, batch):
        self._saved("guanxi_after_customers_saved", workspace, batch)

    @guanxi.hookimpl
    def guanxi_after_accounts_saved(self, workspace, batch):
        self._saved("guanxi_after_accounts_saved", workspace, batch)

    @guanxi.hookimpl
    def guanxi_after_interactions_saved(self, workspace, batch):
        self._saved("guanxi_after_interactions_saved", workspace, batch)


#: The instance a fake distribution's entry point loads (``hookpack:pack``).
pack = HookPack()
