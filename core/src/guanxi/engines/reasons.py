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
from contextvars import ContextVar
from decimal import Decimal
from typing import Any


#: The reader's language where it differs from ``[guanxi] language``: the web
#: workspace sets it per request from the user's own setting.
READER_LANGUAGE: ContextVar[str | None] = ContextVar("guanxi_reader_language", default=None)


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


def _plan_sentence(figures: dict, language: str) -> str:
    from guanxi.service.plan_reasons import sentence

    return sentence(figures, language)


def _merge_sentence(figures: dict, language: str) -> str:
    from guanxi.service.merging import sentence

    return sentence(figures, language)


#: Reasons whose sentence has optional parts, composed by their own function
#: rather than one template: a planned visit's (service/plan_reasons.py), a
#: customers merge's (service/merging.py).
_COMPOSED = {"core.plan": _plan_sentence, "core.merge": _merge_sentence}


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
    composed = _COMPOSED.get(key)
    if composed is not None:
        return composed(figures, language)
    template = template_for(templates, key, language) if key else None
    shown = {name: format_figure(value) for name, value in figures.items()}
    if template is None:
        details = ", ".join(f"{k} {v}" for k, v in shown.items())
        return f"{key}: {details}" if details else str(key)
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


class Templates(Mapping):
    """The reason templates, gathered a kind of contribution at a time as keys are asked for.

    A task's reason comes from a service rule: ``guanxi tasks list`` then
    loads the packs' rules only, not their KPI modules (a bank's are the
    largest), which cost a command a tenth of a second at start.
    """

    _KINDS = ("service_rules", "segmentations", "kpis")

    def __init__(self, plugins):
        self._plugins = plugins
        self._loaded: dict[str, Any] = {}
        self._pending = list(self._KINDS)

    def _load_next(self) -> bool:
        if not self._pending:
            return False
        for record in getattr(self._plugins, self._pending.pop(0))().values():
            for key, template in record.reasons.items():
                self._loaded.setdefault(key, template)
        return True

    def __getitem__(self, key: str) -> Any:
        while key not in self._loaded:
            if not self._load_next():
                raise KeyError(key)
        return self._loaded[key]

    def __iter__(self):
        while self._load_next():
            pass
        return iter(self._loaded)

    def __len__(self) -> int:
        return sum(1 for _ in self)
