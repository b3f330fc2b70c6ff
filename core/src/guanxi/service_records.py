"""The records a pack returns for the core's service machinery: SLA case
policies with their steps and escalations, visit cadences and report kinds.

They are re-exported by :mod:`guanxi.contributions` and ``guanxi`` itself,
where packs find them (``guanxi.CasePolicy``, ``guanxi.ReportKind``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from guanxi.record_checks import as_tuple as _tuple
from guanxi.record_checks import dotted_name as _dotted_name
from guanxi.record_checks import plain_name as _plain_name


@attrs.frozen(kw_only=True)
class CaseStep:
    """One step of an approval chain: who must act, and how long they have.

    :param role: a manager role (``regional market manager``) or
        ``reports_to`` / ``owner``; it resolves to a person through the
        manager hierarchy (the case owner's ``reports_to``, team, territory).
    """

    name: str = attrs.field(validator=_plain_name)
    role: str
    limit_hours: float | None = None
    description: str = ""


@attrs.frozen(kw_only=True)
class Escalation:
    """An escalation level: reached ``after`` times the resolution target."""

    level: int
    after: float
    role: str = "reports_to"


DEFAULT_ESCALATIONS = (Escalation(level=2, after=1.0), Escalation(level=3, after=2.0))


@attrs.frozen(kw_only=True, eq=False)
class CasePolicy:
    """An SLA policy for a kind of case (a complaint, a repair, a quality case).

    :param opens_on: interaction kinds that open a case of this policy when
        they are saved (empty: cases are opened through the API only).
    :param response_hours, resolution_hours, callback_hours: targets from
        opening (response, resolution) and from resolving (callback);
        ``None``: no such clock.
    :param working_time: count working hours of the business calendar
        instead of calendar hours.
    :param warn_before_hours: raise a warning this long before a breach.
    :param escalations: levels reached past the resolution target.
    :param steps: an approval chain the case goes through, in order.
    :param applies_to: ``applies_to(ctx, customers, interactions)``, a SQL
        condition on the two tables (``ctx``: the pack's query context): which interactions of the ``opens_on``
        kinds open a case of this policy (None: all). Two policies may
        open on one kind with conditions that split it (a VIP's complaint
        and everyone else's, a repair by area; POWER-COMPLAINT,
        POWER-REPAIR).
    :param first_when: ``first_when(ctx, customers)``, a SQL condition on
        the customers table: cases whose customer meets it come first in every
        case listing (绿色通道: a VIP's cases before the others).
    """

    name: str = attrs.field(validator=_dotted_name)
    title: str
    description: str = ""
    opens_on: tuple = attrs.field(default=(), converter=_tuple)
    response_hours: float | None = None
    resolution_hours: float | None = None
    callback_hours: float | None = None
    working_time: bool = False
    warn_before_hours: float | None = None
    escalations: tuple = DEFAULT_ESCALATIONS
    steps: tuple = ()
    applies_to: Callable[[Any, Any, Any], Any] | None = None
    first_when: Callable[[Any, Any], Any] | None = None
    pack: str = ""


@attrs.frozen(kw_only=True, eq=False)
class VisitCadence:
    """How often a segment's customers are visited: the planner's input.

    :param segmentation: whose labels set the interval (``tobacco.grade``).
    :param intervals: label -> days between visits (7 weekly, 14 every two
        weeks, 15 twice a month, 30 monthly); labels not named get no plan.
    :param daily_cap: at most this many planned visits per manager a day.
    :param group_by: ``territory``: whole territories on the days they fit:
        territories in order of their most overdue customer (ties by name),
        each on the first working day with room for all of it; only one
        larger than a day's free places spans days. ``none``: the most
        overdue first, day by day.
    :param visit_kinds: interaction kinds that count as a visit done.
    """

    name: str = attrs.field(validator=_dotted_name)
    title: str
    segmentation: str
    intervals: Mapping[str, int] = attrs.field(factory=dict)
    daily_cap: int = 30
    group_by: str = "territory"
    visit_kinds: tuple = attrs.field(default=("visit",), converter=_tuple)
    description: str = ""
    pack: str = ""


REPORT_GRAINS = ("day", "week", "month", "quarter", "year")


@attrs.frozen(kw_only=True, eq=False)
class ReportKind:
    """A report a pack declares; the core builds, renders and tracks it.

    ``figures`` maps a name to ``figure(scope)`` (scope: a
    :class:`guanxi.reporting.ReportScope`: the query context ``scope.ctx``,
    the period, the author, the tracked report), which returns a
    SQLAlchemy ``Select`` (the core runs it: a tuple of rows) or plain
    Python for a small report. The figures are computed in order; the
    template sees each by its name, and ``report`` (the
    :class:`guanxi.reporting.ReportData`). ``template`` is Jinja2 source
    writing Markdown (headings, paragraphs, pipe tables), from which the
    core makes the HTML; or ``template_file``, ``"package:path"`` of
    package data. ``filters`` are the template's own Jinja2 filters.

    An ``authored`` kind is written by each manager (``authors(ctx)``, a
    ``Select`` of manager ids, says who by default; else every active
    manager) and tracked: building it expects it from its author, due on
    ``due_day`` of the month after the period (moved past rest days), or
    the first working day after a week or a day. A kind that is not
    authored is one report for all, untracked.
    """

    name: str = attrs.field(validator=_dotted_name)
    title: str
    description: str
    figures: Mapping[str, Callable[[Any], Any]] = attrs.field(converter=dict)
    template: str = ""
    template_file: str = ""
    grain: str = attrs.field(default="month", validator=attrs.validators.in_(REPORT_GRAINS))
    authored: bool = True
    authors: Callable[[Any], Any] | None = None
    due_day: int = attrs.field(default=5, validator=attrs.validators.in_(range(1, 32)))
    filters: Mapping[str, Callable[..., Any]] = attrs.field(factory=dict, converter=dict)
    pack: str = ""

    def __attrs_post_init__(self):
        if bool(self.template) == bool(self.template_file):
            raise ValueError(f"ReportKind {self.name!r} needs a template or a template_file "
                             "(\"package:path\"), one of the two")
