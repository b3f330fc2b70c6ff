"""``[core.calendar]``: the organization's business calendar.

Working days are the weekdays not in ``weekend``, minus the country's
official holidays and ``holidays``, plus the official make-up working days
(调休) and ``workdays``; see :mod:`guanxi.service.calendar` and
docs/calendar.md. Importable ``calendar_days`` rows override these per
organization and per territory.
"""

from __future__ import annotations

from guanxi.contributions import ConfigOption
from guanxi.service.calendar import WEEKDAY_NAMES

OPTIONS = (
    ConfigOption(name="calendar.country", type="text", default="CN",
                 description="Official holidays and make-up working days (调休) of this country, "
                             "from the holidays package; \"\" for none."),
    ConfigOption(name="calendar.weekend", type="text list", default=["sat", "sun"],
                 allowed=WEEKDAY_NAMES,
                 description="The rest days of an ordinary week."),
    ConfigOption(name="calendar.holidays", type="text list", default=[],
                 description="Further rest days, as ISO dates (2026-12-31)."),
    ConfigOption(name="calendar.workdays", type="text list", default=[],
                 description="Days that are working days whatever else says, as ISO dates."),
    ConfigOption(name="calendar.work_start", type="text", default="09:00",
                 description="When a working day starts (HH:MM); working hours count from here."),
    ConfigOption(name="calendar.work_end", type="text", default="17:30",
                 description="When a working day ends (HH:MM)."),
)
