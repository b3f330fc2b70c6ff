"""guanxi: customer-relationship management for field organizations.

The public API. A script opens a workspace and works through it::

    import guanxi

    ws = guanxi.open("guanxi.toml")
    result = ws.import_file("customers", "customers.csv")
    for customer in ws.customers(manager="M001"):
        print(customer.id, customer.name)

A pack imports what it needs from here: ``hookimpl``, the contribution
records, the errors and ``Period``; besides these, ``guanxi.tables`` (the
core's tables), ``guanxi.demo_kit`` (demo-data helpers), ``guanxi.cli`` and
``guanxi.reporting`` names listed in docs/writing-a-pack.md, "The public
API", and the query kit on ``ctx``. Nothing else is public. Heavy modules
load on first use so that the command line starts fast.
"""

from __future__ import annotations

from guanxi.contributions import (
    CasePolicy,
    CaseStep,
    Command,
    ConfigOption,
    CustomerFilter,
    DemoData,
    Entity,
    Escalation,
    Field,
    Kpi,
    Metric,
    RecordBatch,
    RecordRule,
    Rejection,
    ReportKind,
    Schema,
    Segmentation,
    ServiceRule,
    VisitCadence,
)
from guanxi.errors import (
    ConfigError,
    GuanxiError,
    ImportFileError,
    NotFoundError,
    PackError,
    UsageError,
)
from guanxi.plugins import hookimpl

__version__ = "0.1.0"

__all__ = [
    "CasePolicy",
    "CaseStep",
    "Command",
    "CustomerPanel",
    "ConfigError",
    "ConfigOption",
    "CustomerFilter",
    "DemoData",
    "Entity",
    "Escalation",
    "Field",
    "GuanxiError",
    "ImportFileError",
    "Kpi",
    "Metric",
    "NotFoundError",
    "PackError",
    "Period",
    "RecordBatch",
    "RecordRule",
    "Rejection",
    "ReportKind",
    "Schema",
    "Segmentation",
    "ServiceRule",
    "UsageError",
    "VisitCadence",
    "Workspace",
    "hookimpl",
    "open",
]


def open(config=None, *, database=None, extra_packs=None):  # noqa: A001 - the API's verb
    """Open the workspace a config describes; see :class:`guanxi.Workspace`.

    :param config: a path to ``guanxi.toml``; else ``GUANXI_CONFIG``, else
        the working directory's, else the defaults.
    :param database: a URL overriding the config and ``GUANXI_DATABASE``.
    :param extra_packs: name -> pack object, registered as if installed and
        enabled (a pack defined inline in a script or a test).
    """
    from guanxi.workspace import Workspace

    return Workspace.open(config, database=database, extra_packs=extra_packs)


def __getattr__(name):
    if name == "CustomerPanel":  # a panel of the 360° view (guanxi_customer_panels)
        from guanxi.panels import CustomerPanel

        return CustomerPanel
    if name == "Workspace":
        from guanxi.workspace import Workspace

        return Workspace
    if name == "Period":
        # A KPI's ctx.period and a report's scope.period: a day, week,
        # month, quarter or year with start, end (exclusive) and label.
        from guanxi.periods import Period

        return Period
    raise AttributeError(f"module 'guanxi' has no attribute {name!r}")
