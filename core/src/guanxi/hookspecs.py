"""Every hook guanxi calls, each documented: this module is the reference.

A pack is a module (or any object) with functions marked
``@guanxi.hookimpl`` whose names are the names below. A pack implements only
the hooks it needs, and may take fewer arguments than a spec lists (pluggy's
opt-in arguments), so adding an argument to a spec never breaks a pack.

Hooks come in two kinds:

* **contribution hooks** (``guanxi_<plural noun>``) return an iterable of
  the frozen records of :mod:`guanxi.contributions`. The core calls each
  enabled pack's implementation once per workspace, stamps every record
  with the pack's name, sorts them by name and rejects two records with one
  name, naming both packs.
* **lifecycle hooks** (``guanxi_validate_<entity>``,
  ``guanxi_after_<entity>_saved``) see customers, accounts and interactions
  on their way into the database, **once per batch, never once per row**:
  the importer hands over a chunk of rows at a time, the Python API a batch
  of one.

An exception raised inside any hook stops the job: the core reports the
pack and the hook by name and leaves the database as it was.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("guanxi")


# ---------------------------------------------------------------------------
# contributions: what a pack declares
# ---------------------------------------------------------------------------


@hookspec
def guanxi_config_options():
    """Declare the settings of the pack's section of ``guanxi.toml``.

    Called once when a workspace opens, before the config is validated.
    Every key a user writes under ``[<pack>]`` must be declared here; an
    unknown key or a value of the wrong type is an error naming the file,
    the key and what is allowed. Defaults fill what the file leaves out, and
    ``guanxi config show`` prints the result.

    :return: an iterable of :class:`guanxi.ConfigOption`; ``None`` or an
        empty iterable when the pack has no settings.

    Example::

        @guanxi.hookimpl
        def guanxi_config_options():
            return [
                guanxi.ConfigOption(name="abc.a_share", type="number", default=0.15,
                                    minimum=0, maximum=1,
                                    description="Share of ranked customers in class A."),
            ]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_fields():
    """Declare sector fields: extra attributes of core entities.

    Called once when a workspace opens. A declared field becomes a column the
    importer accepts for its entity (``customers``, ``accounts``,
    ``interactions``, ``contacts``, ``managers``, ``teams``), converted to
    the field's type and checked against its allowed values; it is stored in
    the entity's ``attributes`` JSON column, exported back in the same
    column, listed by ``guanxi fields`` and readable from SQL through the
    engine context. Two enabled packs may not declare the same field name on
    one entity.

    :return: an iterable of :class:`guanxi.Field`.

    Example::

        @guanxi.hookimpl
        def guanxi_fields():
            return [
                guanxi.Field(name="licence_no", entity="customers", type="text",
                             required=True, description="Tobacco retail licence number."),
                guanxi.Field(name="grade_manual", entity="customers", type="integer",
                             allowed=(1, 2, 3, 4, 5)),
            ]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_entities():
    """Declare importable entities: what ``guanxi import`` and ``export`` speak.

    Called once when a workspace opens. The core's own entities (customers,
    managers, ...) are declared by the built-in ``core`` pack through this
    same hook. A pack adds its own (planned outages, receivables) with a
    table from the pack's :func:`guanxi_schemas`; the one importer then
    reads, validates, stages and upserts them like any other.

    :return: an iterable of :class:`guanxi.Entity`.

    Example::

        @guanxi.hookimpl
        def guanxi_entities():
            return [
                guanxi.Entity(name="outages", table=tables.outages,
                              columns=("id", "feeder", "starts_at", "ends_at"),
                              key=("id",), required=("id", "feeder", "starts_at")),
            ]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_metrics():
    """Declare the metrics measurements may carry.

    Called once when a workspace opens. The importer accepts a measurement
    only for a declared metric; each metric says its grain (a day or a
    month per row) and how periods roll up (sum, average, last), which the
    KPI helpers use. Two packs may not declare one metric.

    :return: an iterable of :class:`guanxi.Metric`.

    Example::

        @guanxi.hookimpl
        def guanxi_metrics():
            return [guanxi.Metric(name="aum", title="Assets under management",
                                  grain="month", aggregate="last", unit="CNY")]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_schemas():
    """Declare the tables a pack adds, with their Alembic migrations.

    Called when a workspace opens and by ``guanxi db upgrade``. Each schema
    is one Alembic branch labelled with the pack's name whose first revision
    depends on the core's, so ``guanxi db upgrade`` brings the core and
    every enabled pack to head, and ``guanxi db current`` shows each.

    :return: an iterable of :class:`guanxi.Schema`.

    Example::

        @guanxi.hookimpl
        def guanxi_schemas():
            return [guanxi.Schema(name="power", metadata=tables.metadata,
                                  migrations=str(Path(__file__).parent / "migrations"))]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_segmentations():
    """Declare segmentations: labels given to every served customer.

    Called once when a workspace opens. The segmentation engine runs each
    one as a single set-based statement from the ``Select`` its ``query``
    builds, stores the current label per customer and records every change
    in history.

    :return: an iterable of :class:`guanxi.Segmentation`, each named
        ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_segmentations():
            return [guanxi.Segmentation(name="banking.tier", title="Asset tier",
                                        description="Private, wealth, affluent, mass by AUM.",
                                        labels=("private", "wealth", "affluent", "mass"),
                                        query=tier_query)]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_service_rules():
    """Declare service rules: conditions that create tasks for managers.

    Called once when a workspace opens. The rule engine runs each rule's
    ``Select`` as one set-based insert of tasks; a rule run twice creates
    nothing new.

    :return: an iterable of :class:`guanxi.ServiceRule`, each named
        ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_service_rules():
            return [guanxi.ServiceRule(name="banking.churn", title="Churn warning",
                                       description="AUM down 30% in 90 days.",
                                       kind="call", query=churn_query)]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_record_rules():
    """Declare record rules: records the daily batch adds to a pack's own table.

    Called once when a workspace opens. ``guanxi run`` runs each rule after
    the service rules and before the KPIs (which may read the records), as
    one set-based ``INSERT ... SELECT`` of the rows whose key is not yet in
    the table: a second run the same day adds nothing. The query builder
    only reads; the engine writes, in the rule's own transaction.

    :return: an iterable of :class:`guanxi.RecordRule`, each named
        ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_record_rules():
            return [guanxi.RecordRule(name="power.notices", title="Outage notices",
                                      description="One per customer, 7 days before.",
                                      table=tables.notices, key=("outage_id", "customer_id"),
                                      query=due_notices)]

    .. versionadded:: 0.2
    """
    return ()


@hookspec
def guanxi_kpis():
    """Declare KPIs: figures per period and scope, with optional targets.

    Called once when a workspace opens. The KPI engine runs each ``Select``
    for a period and a scope and stores the values beside their targets.

    :return: an iterable of :class:`guanxi.Kpi`, each named ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_kpis():
            return [guanxi.Kpi(name="power.complaints", title="Complaints received",
                               description="Shown, never a target.", unit="count",
                               shown_only=True, query=complaints_query)]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_customer_filters():
    """Declare which customers the pack serves.

    Called once when a workspace opens. When two packs share one customer
    base (a bank's retail and corporate packs, a utility's residential and
    industrial ones), each keeps to its own: the engines run the pack's
    segmentations and rules only for customers that meet one of its
    filters, and ``ctx.served(customer_id)`` lets its KPIs do the same. A
    pack that declares no filter serves every customer.

    :return: an iterable of :class:`guanxi.CustomerFilter`, each named
        ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_customer_filters():
            return [guanxi.CustomerFilter(
                name="tobacco.retailers", description="Licensed retailers.",
                condition=lambda ctx, c: ctx.attribute(c, "licence_no").is_not(None))]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_case_policies(workspace):
    """Declare SLA policies: clocks, escalations and approval chains for cases.

    Called once when a workspace opens. A case of a policy is opened when an
    interaction of one of its ``opens_on`` kinds is saved, or through the
    API; ``guanxi cases tick`` moves every clock, raises warnings and
    escalations, and breaches become tasks. The same records feed the case
    KPIs (on-time response and resolution, escalation and callback rates,
    mean and 90th-percentile durations).

    :param workspace: the :class:`guanxi.Workspace`; read the pack's
        settings from ``workspace.settings[<pack>]`` for configurable targets.
    :return: an iterable of :class:`guanxi.CasePolicy`, each named
        ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_case_policies(workspace):
            cfg = workspace.settings["banking"]
            return [guanxi.CasePolicy(name="banking.complaint", title="Complaint",
                                      opens_on=("complaint",), response_hours=cfg["complaint.response_hours"],
                                      resolution_hours=24 * 5)]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_visit_cadences(workspace):
    """Declare visit cadences by segment label: what the planner plans.

    Called once when a workspace opens. Cadence visits go through the
    planner only (``guanxi plan build --week 2026-W48``): it finds the
    customers due in the week, places them over the manager's working days
    under the daily cap, grouped by territory, and creates one visit task
    each.

    :param workspace: the :class:`guanxi.Workspace`; read the pack's
        settings for configurable intervals and caps.
    :return: an iterable of :class:`guanxi.VisitCadence`, each named
        ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_visit_cadences(workspace):
            return [guanxi.VisitCadence(name="tobacco.plan", title="Weekly visit plan",
                                        segmentation="tobacco.grade", daily_cap=30,
                                        intervals={"1": 7, "2": 7, "3": 14, "4": 30, "5": 30})]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_commands():
    """Add command groups to the ``guanxi`` command line.

    Called only when the command line is asked for a command the core does
    not have, so packs cost nothing at start-up. A pack's command reaches
    the workspace through ``guanxi.cli.pass_workspace``.

    :return: an iterable of :class:`guanxi.Command` wrapping click commands
        or groups; a name the core or another pack already uses is an error.

    Example::

        @guanxi.hookimpl
        def guanxi_commands():
            return [guanxi.Command(name="tobacco", command=tobacco_group)]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_demo_data():
    """Generate the pack's part of the demo base.

    Called by ``guanxi demo`` for each enabled pack after the core has
    generated the generic base. The rows are written as canonical files and
    imported with the real importer, so the demo exercises the same path a
    user's data takes. A record's optional ``summary(workspace, ctx)`` runs
    after the batches and the core's summary; the text it returns is printed
    next, so a pack shows what its demo is for.

    :return: an iterable of :class:`guanxi.DemoData`.

    Example::

        @guanxi.hookimpl
        def guanxi_demo_data():
            return [guanxi.DemoData(name="banking.base", description="Retail and corporate.",
                                    generate=generate_bank)]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_report_kinds(workspace):
    """Declare report kinds: figures as queries and a template the core renders.

    Called once per workspace, the first time a report kind is asked for
    (a report built, rendered or expected). ``guanxi reports show KIND
    --period P`` (and ``Workspace.render_report``) computes the kind's
    figures for the period and each author, renders its Jinja2 template to
    Markdown, HTML or xlsx, and expects an authored kind as a tracked
    report, which ``guanxi reports submit`` and ``review`` then follow.

    :param workspace: the :class:`guanxi.Workspace`; read the pack's
        settings from ``workspace.settings[<pack>]`` for a configurable due day.
    :return: an iterable of :class:`guanxi.ReportKind`, each named
        ``<pack>.<name>``.

    Example::

        @guanxi.hookimpl
        def guanxi_report_kinds():
            return [guanxi.ReportKind(
                name="power.monthly_bills", title="Monthly bills",
                description="Bills issued and paid in the month, per manager.",
                figures={"bills": bills_query},
                template_file="guanxi_power:templates/monthly_bills.md")]

    .. versionadded:: 0.2
    """
    return ()


@hookspec
def guanxi_customer_panels(workspace, customer_id, language):
    """Add panels to a customer's 360° view in the web workspace.

    Called once each time a customer's page (``/customers/{id}``) is shown,
    for that one customer, after the page checked the user may see them;
    not called by the command line. Keep it to a few indexed lookups: it is
    part of the page's time.

    :param workspace: the :class:`guanxi.Workspace`; ``workspace.settings[<pack>]``
        holds the pack's settings, ``workspace.query_context(<pack>)`` its helpers.
    :param customer_id: the customer shown.
    :param language: ``en`` or ``zh``: the language of the titles and sentences.
    :return: an iterable of :class:`guanxi.CustomerPanel` (a title, a
        sentence and/or rows); empty or None for no panel.

    Example::

        @guanxi.hookimpl
        def guanxi_customer_panels(workspace, customer_id, language):
            return [guanxi.CustomerPanel(
                title="关系等级" if language == "zh" else "Relationship level",
                text="core: balance 2.3 million over the last 3 months")]

    .. versionadded:: 0.2
    """
    return ()


@hookspec
def guanxi_page_panels(workspace, page, managers, language):
    """Add panels, or charts, to a page of the web workspace other than a customer's.

    The same :class:`guanxi.CustomerPanel` records as the 360° view; one with
    ``chart="line"`` or ``"bar"`` is drawn as a chart of its rows (the first
    column labels the points, each other column is a series), its figures
    shown beside it as a table and downloadable as CSV or xlsx. Called each
    time the page is shown: keep it to set-based queries.

    :param workspace: the :class:`guanxi.Workspace`.
    :param page: ``team`` (the team lead's page) or ``numbers`` (a manager's
        figures); return nothing for a page you do not add to.
    :param managers: the manager ids the reader may see (a frozenset), or
        None for everyone (an admin).
    :param language: ``en`` or ``zh``: the language of the titles and headings.
    :return: an iterable of :class:`guanxi.CustomerPanel`; empty or None for none.

    Example::

        @guanxi.hookimpl
        def guanxi_page_panels(workspace, page, managers, language):
            if page != "team":
                return ()
            return [guanxi.CustomerPanel(title="Visits by month", chart="bar",
                                         columns=("month", "visits"),
                                         rows=[{"month": "2026-11", "visits": 40}])]

    .. versionadded:: 0.2
    """
    return ()


# ---------------------------------------------------------------------------
# lifecycle: customers, accounts and interactions on their way in
# ---------------------------------------------------------------------------


@hookspec
def guanxi_validate_customers(workspace, batch):
    """Check a batch of customers before any of them is stored.

    Called once per chunk by the importer (after the core's own checks of
    types, allowed values and required columns) and once per call by the
    Python API. Nothing has been written yet.

    :param workspace: the :class:`guanxi.Workspace` doing the work.
    :param batch: a :class:`guanxi.RecordBatch` of the rows (``connection``
        is ``None``).
    :return: an iterable of :class:`guanxi.Rejection` for the rows to
        refuse (they go to the rejects file with the given reason); ``None``
        or empty when every row is fine.

    Example::

        @guanxi.hookimpl
        def guanxi_validate_customers(batch):
            i = batch.columns.index("licence_no")
            for index, row in enumerate(batch.rows):
                if row[i] and not row[i].isdigit():
                    yield guanxi.Rejection(index=index, column="licence_no",
                                           value=row[i], reason="a licence number is digits")

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_validate_accounts(workspace, batch):
    """Check a batch of accounts before any of them is stored.

    Called like :func:`guanxi_validate_customers`, for accounts.

    :param workspace: the :class:`guanxi.Workspace` doing the work.
    :param batch: a :class:`guanxi.RecordBatch` of account rows.
    :return: an iterable of :class:`guanxi.Rejection`, or ``None``.

    Example::

        @guanxi.hookimpl
        def guanxi_validate_accounts(batch):
            t = batch.columns.index("type")
            return [guanxi.Rejection(index=i, column="type", value=row[t],
                                     reason="loans are imported by the credit pack")
                    for i, row in enumerate(batch.rows) if row[t] == "loan"]

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_validate_interactions(workspace, batch):
    """Check a batch of interactions before any of them is stored.

    Called like :func:`guanxi_validate_customers`, for interactions.

    :param workspace: the :class:`guanxi.Workspace` doing the work.
    :param batch: a :class:`guanxi.RecordBatch` of interaction rows.
    :return: an iterable of :class:`guanxi.Rejection`, or ``None``.

    Example::

        @guanxi.hookimpl
        def guanxi_validate_interactions(batch):
            # a file may leave out optional columns: read rows by name
            for i, row in enumerate(batch.dicts()):
                if row["kind"] == "visit" and not row.get("outcome"):
                    yield guanxi.Rejection(index=i, column="outcome", value=None,
                                           reason="a visit records its outcome")

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def guanxi_after_customers_saved(workspace, batch):
    """React to customers just written (inserted or changed).

    Called after the rows are in the tables, inside the same transaction,
    once per chunk of saved rows (the importer) or once per call (the Python
    API). Write through ``batch.connection`` so that the reaction lands or
    rolls back with the rows. Rows the import found unchanged are not
    passed.

    :param workspace: the :class:`guanxi.Workspace` doing the work.
    :param batch: a :class:`guanxi.RecordBatch` with ``connection`` set.
    :return: ``None``.

    Saying which rows it acts on (all three ``guanxi_after_<entity>_saved``
    hooks): an implementation that reads only some saved rows may carry a
    function ``guanxi_rows_acted_on(workspace, connection)`` returning
    ``{column: values}`` (one column of the entity's table). When every
    implementation of the hook carries one, the importer hands over only
    the rows whose column holds one of the values, without the packs'
    fields; when any does not, every saved row with every column. The
    core's own hook on interactions says ``{"kind": {...}}``: it acts on
    complaints and planned visits, a few rows in a hundred of a big import.

    Example::

        @guanxi.hookimpl
        def guanxi_after_customers_saved(batch):
            log.info("%d customers saved", len(batch.rows))

        def vip_rows(workspace, connection):
            return {"status": {"vip"}}

        guanxi_after_customers_saved.guanxi_rows_acted_on = vip_rows

    .. versionadded:: 0.1
    """


@hookspec
def guanxi_after_accounts_saved(workspace, batch):
    """React to accounts just written (inserted or changed).

    Called like :func:`guanxi_after_customers_saved`, for accounts.

    :param workspace: the :class:`guanxi.Workspace` doing the work.
    :param batch: a :class:`guanxi.RecordBatch` with ``connection`` set.
    :return: ``None``.

    Example::

        @guanxi.hookimpl
        def guanxi_after_accounts_saved(batch):
            first_accounts.extend(r["customer_id"] for r in batch.dicts())

    .. versionadded:: 0.1
    """


@hookspec
def guanxi_after_interactions_saved(workspace, batch):
    """React to interactions just written (inserted or changed).

    Called like :func:`guanxi_after_customers_saved`, for interactions: a
    complaint recorded here may start its response clock.

    :param workspace: the :class:`guanxi.Workspace` doing the work.
    :param batch: a :class:`guanxi.RecordBatch` with ``connection`` set.
    :return: ``None``.

    Example::

        @guanxi.hookimpl
        def guanxi_after_interactions_saved(batch):
            complaints = [r for r in batch.dicts() if r["kind"] == "complaint"]
            open_cases(batch.connection, complaints)

    .. versionadded:: 0.1
    """
