"""What the layers below the Workspace are given: a connection, the config, a clock, the calendar.

The engines, the service machinery and the importer receive a
:class:`Runtime`, not the :class:`guanxi.Workspace`: they read the database
through ``rt.engine``, the config and the packs' settings, the time through
``rt.now()`` and ``rt.today()`` and the business calendar through
``rt.calendar()``; nothing below the Workspace calls back up into it.

The one exception is ``rt.facade``, the public Workspace itself. The layers
below never call it; they only hand it to the packs' hooks, whose documented
argument is the Workspace (``guanxi_case_policies(workspace)``,
``guanxi_after_interactions_saved(workspace, batch)``): a pack lives above the
core and reads it through its public API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from guanxi.config import Config
    from guanxi.plugins import PackManager
    from guanxi.service.calendar import BusinessCalendar


@attrs.frozen(kw_only=True, eq=False)
class Runtime:
    """A connection, the config and the packs, a clock and the calendar.

    :ivar engine: the database.
    :ivar config: the config read from ``guanxi.toml``.
    :ivar plugins: the enabled packs.
    :ivar settings: pack -> option -> effective value.
    :ivar clock: now in the organization's time zone, naive, as datetimes are stored.
    :ivar day: today in the organization's time zone.
    :ivar facade: the public Workspace, only to hand to the packs' hooks.
    """

    engine: Engine
    config: Config
    plugins: PackManager
    settings: Mapping[str, Mapping[str, Any]]
    clock: Callable[[], dt.datetime]
    day: Callable[[], dt.date]
    facade: Any = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        return self.day()

    def calendar(self, territory: str | None = None) -> BusinessCalendar:
        """The organization's business calendar, or ``territory``'s (one query)."""
        from guanxi.service.calendar_store import read_calendar

        with self.engine.connect() as conn:
            return read_calendar(conn, self, territory or "")

    def ensure_business_days(self, as_of: dt.date):
        """Build the working days of the as-of year and the years either side.

        What the engines call before a query that reads the calendar
        (``ctx.uses_calendar``); the query itself never writes.
        """
        from guanxi.service.calendar_store import build_business_days

        return build_business_days(self, dt.date(as_of.year - 1, 1, 1),
                                   dt.date(as_of.year + 2, 1, 1))
