"""The case part of the workspace API; :class:`guanxi.Workspace` inherits it."""

from __future__ import annotations


class CaseMethods:
    """Mixed into :class:`guanxi.Workspace`."""
