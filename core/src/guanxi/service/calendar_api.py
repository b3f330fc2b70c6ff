"""The calendar part of the workspace API; :class:`guanxi.Workspace` inherits it."""

from __future__ import annotations


class CalendarMethods:
    """Mixed into :class:`guanxi.Workspace`."""
