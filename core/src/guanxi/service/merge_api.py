"""The duplicate-customer part of the workspace API; :class:`guanxi.Workspace` inherits it.

``ws.duplicates()`` lists candidate pairs (:mod:`guanxi.service.duplicates`
says which) and ``ws.merge_customers(keep, drop)`` merges one into the
other (:mod:`guanxi.service.merging` says what moves).
"""

from __future__ import annotations

import datetime as dt


class MergeMethods:
    """Mixed into :class:`guanxi.Workspace`."""

    def duplicates(self) -> list:
        """Candidate duplicate customers, as :class:`~guanxi.service.duplicates.DuplicatePair`.

        Pairs of the same identity number, or the same normalized name and
        phone, ordered by the id to keep (the lower) and the id to drop.
        """
        from guanxi.service.duplicates import duplicate_pairs

        self.require_ready()
        fields = self.plugins.fields_of("customers")
        with self.engine.connect() as conn:
            return duplicate_pairs(conn, fields)

    def merge_customers(self, keep: str, drop: str, *, on: dt.date | None = None):
        """Merge customer ``drop`` into ``keep``: its records move, its id stays as an alias.

        :param on: the merge day (default: today): DROP's open ownership
            period ends on it.
        :return: a :class:`~guanxi.service.merging.MergeResult` with the rows
            moved and those kept apart, by table.
        :raises UsageError: KEEP and DROP the same, or either already merged.
        :raises NotFoundError: an unknown id, with the closest one.
        """
        from guanxi.service.merging import merge

        self.require_ready()
        with self.engine.begin() as conn:
            return merge(conn, keep, drop, on or self.today())
