"""The report part of the workspace API; :class:`guanxi.Workspace` inherits it."""

from __future__ import annotations


class ReportMethods:
    """Mixed into :class:`guanxi.Workspace`."""
