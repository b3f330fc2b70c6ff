"""The organization's own fields and metrics, declared in ``guanxi.toml``.

An organization with a purchase log's ``number_of_cds`` column, or a
monthly ``cds`` figure, should not have to write a pack for it::

    [fields.customers.risk_level]
    type = "text"
    allowed = ["low", "medium", "high"]
    required = false

    [metrics.cds]
    grain = "month"
    aggregate = "sum"
    unit = "items"

The declarations become :class:`~guanxi.Field` and :class:`~guanxi.Metric`
records of a built-in pack named ``organization``, registered after the
core's, so the importer, the exporter, ``guanxi fields`` and the 360° view
see them as they see a pack's. They are checked when the config is read:
a bad declaration is one config error naming its key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from guanxi import contributions as c
from guanxi.errors import ConfigError, did_you_mean
from guanxi.plugins import ORGANIZATION, hookimpl
#: Where ``guanxi fields`` says they come from.
SOURCE = "guanxi.toml"
#: The entities an organization may declare fields on.
FIELD_ENTITIES = ("customers", "accounts", "contacts", "interactions")
#: Field types ``allowed`` may restrict, with the values' Python types.
_ALLOWED_ITEMS = {"text": (str,), "integer": (int,), "decimal": (int, float)}
# ``aliases`` (a source system's column names for the field) once Field has them.
_ALIASES = "aliases" in attrs.fields_dict(c.Field)
_FIELD_KEYS = ("type", "allowed", "required", "description") + (("aliases",) if _ALIASES else ())
_METRIC_KEYS = ("grain", "aggregate", "unit", "title", "description")
# The names a pack's records take (guanxi.record_checks).
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@attrs.frozen
class OrganizationPack:
    """The ``organization`` pack: the fields and metrics ``guanxi.toml`` declares."""

    fields: tuple
    metrics: tuple

    @hookimpl
    def guanxi_fields(self):
        return self.fields

    @hookimpl
    def guanxi_metrics(self):
        return self.metrics


def organization_pack(config) -> OrganizationPack | None:
    """The declarations of ``config`` as a pack; None when it declares nothing."""
    where = config.label
    fields = _fields(where, config.sections.get("fields", {}))
    metrics = _metrics(where, config.sections.get("metrics", {}))
    if not fields and not metrics:
        return None
    return OrganizationPack(fields=fields, metrics=metrics)


def _table(where: str, key: str, value: Any, holds: str) -> Mapping:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a table of {holds}")
    return value


def _unknown_keys(where: str, section: str, table: Mapping, keys: tuple) -> None:
    for key in table:
        if key not in keys:
            raise ConfigError(f"{where}: unknown key {section} {key}{did_you_mean(key, keys)}; "
                              f"allowed: {', '.join(keys)}")


def _name(where: str, section: str, name: str) -> None:
    if not _NAME.match(name):
        raise ConfigError(f"{where}: {section}: the name {name!r} must be lower-case letters, "
                          "digits and underscores, starting with a letter")


def _fields(where: str, raw: Any) -> tuple:
    from guanxi.storage import tables as t

    found = []
    for entity, declared in _table(where, "[fields]", raw, "entities").items():
        if entity not in FIELD_ENTITIES:
            raise ConfigError(
                f"{where}: [fields.{entity}] names no entity that takes fields"
                f"{did_you_mean(entity, FIELD_ENTITIES)}; use one of: "
                + ", ".join(FIELD_ENTITIES))
        declared = _table(where, f"[fields.{entity}]", declared, "fields")
        columns = set(getattr(t, entity).c.keys())
        for name, spec in declared.items():
            section = f"[fields.{entity}.{name}]"
            _name(where, section, name)
            if name in columns:
                raise ConfigError(f"{where}: {section}: {entity} already has a column "
                                  f"{name!r}; give the field another name")
            spec = _table(where, section, spec, "keys (type, allowed, required, description)")
            _unknown_keys(where, section, spec, _FIELD_KEYS)
            found.append(_field(where, section, entity, name, spec))
    return tuple(found)


def _field(where: str, section: str, entity: str, name: str, spec: Mapping) -> c.Field:
    kind = spec.get("type")
    if kind is None:
        raise ConfigError(f"{where}: {section} type is missing; use one of: "
                          + ", ".join(c.FIELD_TYPES))
    if kind not in c.FIELD_TYPES:
        raise ConfigError(f"{where}: {section} type = {kind!r} is no field type"
                          f"{did_you_mean(str(kind), c.FIELD_TYPES)}; use one of: "
                          + ", ".join(c.FIELD_TYPES))
    allowed = spec.get("allowed", [])
    if allowed:
        items = _ALLOWED_ITEMS.get(kind)
        if items is None:
            raise ConfigError(f"{where}: {section} allowed is for text, integer and decimal "
                              f"fields, not for a {kind} field")
        if not isinstance(allowed, list) or any(
                isinstance(x, bool) or not isinstance(x, items) for x in allowed):
            shown = 'texts like ["low", "high"]' if kind == "text" else "numbers like [1, 2, 3]"
            raise ConfigError(f"{where}: {section} allowed = {allowed!r} must be a list of "
                              f"{shown}")
    required = spec.get("required", False)
    if not isinstance(required, bool):
        raise ConfigError(f"{where}: {section} required = {required!r} must be true or false")
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{where}: {section} description = {description!r} must be a text "
                          "in quotes")
    extra = {}
    if _ALIASES and "aliases" in spec:
        aliases = spec["aliases"]
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ConfigError(f"{where}: {section} aliases = {aliases!r} must be a list of "
                              'texts like ["风险等级"]')
        extra["aliases"] = tuple(aliases)
    return c.Field(name=name, entity=entity, type=kind, allowed=tuple(allowed),
                   required=required, description=description, **extra)


def _metrics(where: str, raw: Any) -> tuple:
    found = []
    for name, spec in _table(where, "[metrics]", raw, "metrics").items():
        section = f"[metrics.{name}]"
        _name(where, section, name)
        spec = _table(where, section, spec, "keys (grain, aggregate, unit, title, description)")
        _unknown_keys(where, section, spec, _METRIC_KEYS)
        for key, words in (("grain", c.METRIC_GRAINS), ("aggregate", c.METRIC_AGGREGATES)):
            value = spec.get(key)
            if value is not None and value not in words:
                raise ConfigError(f"{where}: {section} {key} = {value!r} is not allowed"
                                  f"{did_you_mean(str(value), words)}; use one of: "
                                  + ", ".join(words))
        for key in ("unit", "title", "description"):
            if not isinstance(spec.get(key, ""), str):
                raise ConfigError(f"{where}: {section} {key} = {spec[key]!r} must be a text "
                                  "in quotes")
        found.append(c.Metric(name=name, title=spec.get("title") or name,
                              grain=spec.get("grain", "month"),
                              aggregate=spec.get("aggregate", "sum"),
                              unit=spec.get("unit", ""),
                              description=spec.get("description", "")))
    return tuple(found)
