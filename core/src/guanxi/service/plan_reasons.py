"""A planned visit's reason, built in SQL in the workspace's language.

Reasons are built from whole numbers and ISO dates only, which read the
same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

from sqlalchemy import String, case, cast, literal


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


def fill(template: str, **parts):
    """A template as SQL: literal text between SQL values, joined with ``||``."""
    pieces = re.split(r"\{(\w+)\}", template)
    expr = literal(pieces[0], String)
    for i in range(1, len(pieces), 2):
        value = parts[pieces[i]]
        if not isinstance(value, str):
            value = cast(value, String)
        else:
            value = literal(value, String)
        expr = expr + value
        if pieces[i + 1]:
            expr = expr + literal(pieces[i + 1], String)
    return expr


def reason_sql(language: str, segment_title: str, cand):
    words = REASONS.get(language, REASONS["en"])
    head = fill(words["head"], segment=segment_title, label=cand.c.label,
                days=cand.c.interval_days)
    last = fill(words["last"], last=cand.c.last_visit)
    tail = case(
        (cand.c.never == 1, literal(words["never"], String)),
        (cand.c.overdue == 1, last + literal(words["overdue_one"], String)),
        (cand.c.overdue > 0, last + fill(words["overdue"], overdue=cand.c.overdue)),
        else_=last + fill(words["due"], due=cand.c.due),
    )
    return head + tail

