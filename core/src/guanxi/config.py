"""``guanxi.toml``: find it, read it, validate it against what packs declare.

Reading happens in two steps because packs declare their own settings:
:func:`read_config` parses the file and checks the ``[guanxi]`` section
(which names the packs to load); once the packs are loaded,
:func:`pack_settings` checks each pack's section against the pack's
:class:`~guanxi.ConfigOption` records and fills in the defaults.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from guanxi.errors import ConfigError, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAME = "guanxi.toml"
DEFAULT_DATABASE = "sqlite:///guanxi.db"
LANGUAGES = ("en", "zh")

#: The ``[guanxi]`` section: key -> (type, default, description).
CORE_KEYS: dict[str, tuple[str, Any, str]] = {
    "database": ("text", DEFAULT_DATABASE, "SQLAlchemy URL; a relative SQLite path is relative to this file"),
    "packs": ("text list", [], "the packs to enable, by entry-point name"),
    "timezone": ("text", "Asia/Shanghai", "the organization's time zone; datetimes are stored in it"),
    "language": ("text", "en", "the language reasons are written in: en or zh"),
    "currency": ("text", "CNY", "the ISO 4217 code money figures are shown in, e.g. CNY, USD, EUR"),
    "lock_timeout": ("number", 300, "seconds a job waits for another job (or a locked "
                     "database) before it gives up"),
}


@attrs.frozen(kw_only=True)
class Config:
    """The ``[guanxi]`` section, resolved, and the raw pack sections."""

    path: Path | None
    database: str
    packs: tuple[str, ...]
    timezone: str
    language: str
    currency: str = "CNY"
    lock_timeout: float = 300
    sections: Mapping[str, Any] = attrs.field(factory=dict)
    #: ``[targets]``: KPI name -> scope -> target (see :func:`_read_targets`).
    targets: Mapping[str, Mapping[str, float]] = attrs.field(factory=dict)

    @property
    def directory(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def label(self) -> str:
        """How messages name the config: its file, or the defaults."""
        return self.path.name if self.path else "the default configuration"


def find_config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The config file to use: explicit, ``GUANXI_CONFIG``, or the working directory's."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        return path.resolve()
    env = os.environ.get("GUANXI_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file (named by GUANXI_CONFIG)")
        return path.resolve()
    here = Path.cwd() / CONFIG_NAME
    return here.resolve() if here.is_file() else None


def read_config(path: str | os.PathLike | None = None, *, database: str | None = None) -> Config:
    """Read and check the ``[guanxi]`` section; pack sections are kept raw.

    :param path: an explicit config file; else ``GUANXI_CONFIG``, else
        ``guanxi.toml`` in the working directory, else the defaults.
    :param database: a URL that wins over the file and ``GUANXI_DATABASE``.
    """
    found = find_config_path(path)
    data: dict[str, Any] = {}
    if found is not None:
        try:
            data = tomllib.loads(found.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found.name}: not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{found.name}: not UTF-8 text; save it as UTF-8") from None
    where = found.name if found else "the default configuration"
    core = data.get("guanxi", {})
    if not isinstance(core, dict):
        raise ConfigError(f"{where}: [guanxi] must be a table")
    for key in core:
        if key not in CORE_KEYS:
            raise ConfigError(
                f"{where}: unknown key {key!r} in [guanxi]{did_you_mean(key, CORE_KEYS)}; "
                f"allowed: {', '.join(CORE_KEYS)}"
            )
    values = {key: core.get(key, default) for key, (_, default, _) in CORE_KEYS.items()}
    for key, (kind, _, _) in CORE_KEYS.items():
        _check_type(where, f"[guanxi] {key}", values[key], kind)
    if values["language"] not in LANGUAGES:
        raise ConfigError(
            f"{where}: [guanxi] language = {values['language']!r} is not allowed; use one of: en, zh"
        )
    _check_timezone(where, values["timezone"])
    currency = values["currency"]
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()
            and currency.isupper()):
        raise ConfigError(
            f"{where}: [guanxi] currency = {currency!r} is not a currency code; use three "
            "capital letters of ISO 4217, like CNY, USD or EUR"
        )
    if values["lock_timeout"] < 0:
        raise ConfigError(
            f"{where}: [guanxi] lock_timeout = {values['lock_timeout']!r} must be a number of "
            "seconds, 0 or more"
        )
    url = database or os.environ.get("GUANXI_DATABASE") or values["database"]
    directory = found.parent if found else Path.cwd()
    packs = tuple(dict.fromkeys(values["packs"]))  # keep order, drop repeats
    sections = {k: v for k, v in data.items() if k not in ("guanxi", "targets")}
    targets = _read_targets(where, data.get("targets", {}))
    return Config(
        path=found,
        database=resolve_sqlite_path(url, directory),
        packs=packs,
        timezone=values["timezone"],
        language=values["language"],
        currency=currency,
        lock_timeout=values["lock_timeout"],
        sections=sections,
        targets=targets,
    )


TARGET_SCOPES = ("all", "manager", "team", "territory", "segment", "list", "field")


def _read_targets(where: str, table: Any) -> dict[str, dict[str, float]]:
    """``[targets]``: KPI name -> a target for scope all, or scope -> target.

    ``"core.interactions" = 400`` sets the target of scope ``all``;
    ``"core.interactions" = { manager = 40 }`` the default for every
    manager. Imported ``targets`` rows for one key win over these.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [targets] must be a table of KPI names")
    result: dict[str, dict[str, float]] = {}
    for kpi, value in table.items():
        if isinstance(value, dict):
            scopes = value
        else:
            scopes = {"all": value}
        for scope, target in scopes.items():
            if scope not in TARGET_SCOPES:
                raise ConfigError(
                    f"{where}: [targets] {kpi!r} names the scope {scope!r}; use one of: "
                    + ", ".join(TARGET_SCOPES)
                )
            if isinstance(target, bool) or not isinstance(target, (int, float)):
                raise ConfigError(
                    f"{where}: [targets] {kpi!r} {scope} = {target!r} must be a number"
                )
        result[kpi] = {scope: float(target) for scope, target in scopes.items()}
    return result


def resolve_sqlite_path(url: str, directory: Path) -> str:
    """Make a relative SQLite file path relative to the config's directory."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith("sqlite:///:memory:"):
        return url
    rest = url[len(prefix) :]
    path, _, query = rest.partition("?")
    if not path or Path(path).is_absolute():
        return url
    resolved = (directory / path).resolve()
    return prefix + str(resolved) + (f"?{query}" if query else "")


def _check_timezone(where: str, name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: [guanxi] timezone = {name!r} is not a known time zone; "
            "use an IANA name like Asia/Shanghai"
        ) from None


_TYPE_WORDS = {
    "text": "a text in quotes",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date like 2026-11-23",
    "text list": 'a list of texts like ["a", "b"]',
    "number list": "a list of numbers like [80, 65.5]",
}


def _check_type(where: str, key: str, value: Any, kind: str) -> Any:
    ok = {
        "text": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "date": isinstance(value, dt.date) and not isinstance(value, dt.datetime),
        "text list": isinstance(value, list) and all(isinstance(x, str) for x in value),
        "number list": isinstance(value, list) and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in value),
    }[kind]
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            ok = False
    if not ok:
        raise ConfigError(f"{where}: {key} = {value!r} must be {_TYPE_WORDS[kind]}")
    return value


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _section_and_key(pack: str, dotted: str) -> str:
    """``abc.a_share`` of ``banking`` -> ``[banking.abc] a_share``, as a user writes it."""
    head, _, leaf = dotted.rpartition(".")
    return f"[{pack}.{head}] {leaf}" if head else f"[{pack}] {leaf}"


def _suggest_key(name: str, declared) -> str:
    """Did you mean a key of the same section (``treshold`` -> ``threshold``)?"""
    head, _, leaf = name.rpartition(".")
    siblings = {d.rpartition(".")[2]: d for d in declared if d.rpartition(".")[0] == head}
    found = did_you_mean(leaf, siblings)
    return found


def pack_settings(config: Config, pack: str, options: Iterable[Any]) -> dict[str, Any]:
    """Validate ``[pack]`` against the pack's options; return name -> value.

    Every declared option is in the result, from the file or its default.
    """
    declared = {option.name: option for option in options}
    raw = config.sections.get(pack, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{config.label}: [{pack}] must be a table")
    values = {name: option.default for name, option in declared.items()}
    for name, value in _flatten(raw):
        option = declared.get(name)
        where = _section_and_key(pack, name)
        if option is None:
            allowed = ", ".join(sorted(declared)) or "no settings"
            raise ConfigError(
                f"{config.label}: unknown key {where}{_suggest_key(name, declared)}; "
                f"the pack {pack!r} takes: {allowed}"
            )
        value = _check_type(config.label, where, value, option.type)
        items = value if isinstance(value, list) else [value]
        if option.allowed and any(item not in option.allowed for item in items):
            raise ConfigError(
                f"{config.label}: {where} = {value!r} is not allowed; use one of: "
                + ", ".join(map(str, option.allowed))
            )
        low, high = option.minimum, option.maximum
        # A list's bounds hold for each of its items.
        if any((low is not None and item < low) or (high is not None and item > high)
               for item in (items if option.type == "number list" else [value])):
            bounds = f"between {low} and {high}" if low is not None and high is not None else (
                f"at least {low}" if low is not None else f"at most {high}"
            )
            raise ConfigError(f"{config.label}: {where} = {value!r} must be {bounds}")
        problem = option.check(value) if option.check is not None else None
        if problem:
            raise ConfigError(f"{config.label}: {where} = {value!r} {problem}")
        values[name] = value
    return values


def unknown_sections(config: Config, installed: Iterable[str]) -> list[str]:
    """Top-level sections that belong to no installed pack (typos, leftovers)."""
    known = set(installed) | {"core", "serve"}  # [serve]: guanxi.web.settings
    known |= {"fields", "metrics"}  # the organization's own (guanxi.organization)
    known.add("import")  # [import]: guanxi.importing.mapping checks it
    return sorted(name for name in config.sections if name not in known)


def toml_value(value: Any) -> str:
    """A Python value as TOML text (the few types guanxi's config uses)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def write_config(path: Path, *, database: str, packs: Iterable[str] = (),
                 settings: Mapping[str, Mapping[str, Any]] | None = None,
                 timezone: str = "Asia/Shanghai", language: str = "en") -> Path:
    """Write a ``guanxi.toml``; ``settings`` maps a section (``banking.abc``) to its keys."""
    lines = [
        "# guanxi workspace configuration; see docs/configuration.md.",
        "[guanxi]",
        f"database = {toml_value(database)}",
        f"packs = {toml_value(list(packs))}",
        f"timezone = {toml_value(timezone)}",
        f"language = {toml_value(language)}",
    ]
    for section, values in (settings or {}).items():
        lines += ["", f"[{section}]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
