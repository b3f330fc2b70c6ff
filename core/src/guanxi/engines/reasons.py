"""Rendering reasons: the one place a stored reason becomes a sentence.

A reason is stored as JSON text, ``{"key": "core.activity.dormant",
"days": 120, ...}`` (see ``Context.reason``), or as plain text. The
template for its key comes from the contribution that made it, in English
or Chinese (``[guanxi] language``); figures are formatted here, in Python,
so that the same figures read the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def format_figure(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (float, Decimal)):
        if value == int(value):
            return f"{int(value):,}"
        return f"{float(value):,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def template_for(templates: Mapping[str, Any], key: str, language: str) -> str | None:
    entry = templates.get(key)
    if entry is None:
        return None
    if isinstance(entry, str):
        return entry
    return entry.get(language) or entry.get("en")


def render(stored: str | None, templates: Mapping[str, Any], language: str = "en") -> str:
    """The sentence for a stored reason; plain text passes through."""
    if not stored:
        return ""
    if not stored.startswith("{"):
        return stored
    try:
        figures = json.loads(stored)
    except ValueError:
        return stored
    key = figures.pop("key", None)
    template = template_for(templates, key, language) if key else None
    shown = {name: format_figure(value) for name, value in figures.items()}
    if template is None:
        details = ", ".join(f"{k} {v}" for k, v in shown.items())
        return f"{key}: {details}" if details else str(key)
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


def all_templates(plugins) -> dict[str, Any]:
    """Every reason template of every enabled contribution, by key."""
    templates: dict[str, Any] = {}
    for group in (plugins.segmentations(), plugins.service_rules(), plugins.kpis()):
        for record in group.values():
            templates.update(record.reasons)
    return templates
