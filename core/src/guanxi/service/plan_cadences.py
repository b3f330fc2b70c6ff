"""Which cadences a plan builds, each checked against the packs' segmentations."""

from __future__ import annotations

from collections.abc import Sequence

from guanxi.errors import PackError, UsageError

#: What a cadence may group a manager's days by.
GROUPINGS = ("territory", "none")


def cadences_for(rt, names: Sequence[str] | None) -> list:
    """The cadences to plan: all, or those named; each checked."""
    known = rt.plugins.visit_cadences(rt.facade)
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"unknown cadence {unknown[0]!r}; cadences: "
                             f"{', '.join(known) or 'none'}")
        chosen = [known[n] for n in dict.fromkeys(names)]
    else:
        chosen = list(known.values())
    segmentations = rt.plugins.segmentations()
    for cadence in chosen:
        _check(cadence, segmentations)
    # The core's generic cadence plans last: it visits whom no sector
    # cadence has planned that week (one planned visit a customer a week).
    return sorted(chosen, key=lambda c: (c.pack == "core", c.name))


def _check(cadence, segmentations) -> None:
    where = f"cadence {cadence.name!r} of pack {cadence.pack!r}"
    if cadence.segmentation not in segmentations:
        raise PackError(f"{where} names the segmentation {cadence.segmentation!r}, which no "
                        f"enabled pack has")
    if cadence.daily_cap < 1:
        raise PackError(f"{where} has a daily cap of {cadence.daily_cap}; it must be at least 1")
    if cadence.group_by not in GROUPINGS:
        raise PackError(f"{where} groups by {cadence.group_by!r}; use one of: "
                        f"{', '.join(GROUPINGS)}")
    if not cadence.visit_kinds:
        raise PackError(f"{where} names no interaction kind that counts as a visit")
    bad = [(label, days) for label, days in cadence.intervals.items()
           if isinstance(days, bool) or not isinstance(days, int) or days < 0]
    if bad:
        raise PackError(f"{where} gives the label {bad[0][0]!r} the interval {bad[0][1]!r}; "
                        "an interval is a whole number of days (0: not planned)")


def planned_intervals(cadence) -> dict[str, int]:
    # A label with interval 0 is not planned (a config can switch one off).
    return {label: days for label, days in cadence.intervals.items() if days > 0}


def kinds_text(cadence) -> str:
    return ",".join(sorted(set(cadence.visit_kinds)))

