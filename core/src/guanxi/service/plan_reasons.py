"""A planned visit's reason: its figures stored by SQL, its sentence in the reader's language.

The planner writes each reason as a stored reason (JSON text with the key
``core.plan``: the segment and label, the cadence's days, the last visit
and days overdue or the due day, and the week it was carried from), built
in SQL from whole numbers and ISO dates, which read the same on SQLite and
PostgreSQL. :func:`sentence` makes it a sentence when it is read, in the
workspace's language or a web user's own, as every other reason.
"""

from __future__ import annotations

import json

from sqlalchemy import String, case, cast, func, literal

#: The stored reasons' key (engines/reasons.py composes it with :func:`sentence`).
KEY = "core.plan"


REASONS = {
    "en": {
        "head": "{segment} {label}: every {days} days",
        "last": ", last visit {last}",
        "overdue_one": ", 1 day overdue",
        "overdue": ", {overdue} days overdue",
        "due": ", due {due}",
        "never": ", never visited",
        "carried": ", carried from week {week} (was due {day})",
        "done": "visit recorded",
    },
    "zh": {
        "head": "{segment}{label}：每 {days} 天拜访一次",
        "last": "，上次拜访 {last}",
        "overdue_one": "，已逾期 1 天",
        "overdue": "，已逾期 {overdue} 天",
        "due": "，{due} 到期",
        "never": "，从未拜访",
        "carried": "，自 {week} 顺延（原定 {day}）",
        "done": "已拜访",
    },
}


def _text(value):
    return literal(value, String)


def _quoted(value):
    # A JSON string of a SQL value; labels are escaped, the rest are ISO
    # dates, week labels and whole numbers.
    return _text('"') + cast(value, String) + _text('"')


def reason_sql(segment_title: str, cand):
    """The stored reason of a candidate visit, as SQL."""
    label = func.replace(func.replace(cast(cand.c.label, String), "\\", "\\\\"), '"', '\\"')
    head = (_text('{"key":"%s","segment":%s,"label":"' % (KEY, json.dumps(segment_title,
                                                                          ensure_ascii=False)))
            + label + _text('","days":') + _quoted(cand.c.interval_days))
    last = _text(',"last":') + _quoted(cand.c.last_visit)
    tail = case(
        (cand.c.never == 1, _text(',"never":"1"')),
        (cand.c.overdue > 0, last + _text(',"overdue":') + _quoted(cand.c.overdue)),
        else_=last + _text(',"due":') + _quoted(cand.c.due),
    )
    return head + tail + _text("}")


def carried_sql(reason, week, day):
    """A stored reason with the week and day a visit was carried from added."""
    opened = func.substr(reason, 1, func.length(reason) - 1, type_=String)
    return opened + _text(',"week":') + _quoted(week) + _text(',"day":') + _quoted(day) + _text("}")


def sentence(figures: dict, language: str) -> str:
    """A stored plan reason's figures as a sentence in ``language`` (en, zh)."""
    words = REASONS.get(language, REASONS["en"])
    text = words["head"].format(segment=figures.get("segment", ""), label=figures.get("label", ""),
                                days=figures.get("days", ""))
    if figures.get("never"):
        text += words["never"]
    else:
        text += words["last"].format(last=figures.get("last", ""))
        overdue = int(figures.get("overdue") or 0)
        if overdue == 1:
            text += words["overdue_one"]
        elif overdue > 1:
            text += words["overdue"].format(overdue=overdue)
        else:
            text += words["due"].format(due=figures.get("due", ""))
    if "week" in figures:
        text += words["carried"].format(week=figures["week"], day=figures.get("day", ""))
    return text
