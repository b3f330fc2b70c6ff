"""The plan part of the workspace API; :class:`guanxi.Workspace` inherits it."""

from __future__ import annotations


class PlanMethods:
    """Mixed into :class:`guanxi.Workspace`."""
