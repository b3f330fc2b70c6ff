"""Finding, loading and checking packs; typed access to what they contribute.

Packs are found through the ``guanxi`` entry-point group, and only the packs
``[guanxi] packs`` enables are imported (the built-in ``core`` pack always
is). A pack that cannot be imported, or that has a hook with a wrong name or
signature, does not stop ``guanxi plugins`` or ``guanxi config show``: it is
kept as *broken*, with its reason, and every job refuses to run until it is
fixed, because a daily batch that silently skipped an enabled pack's rules
would be worse than none.

A pack declares the guanxi versions it works with as its distribution's
requirement on ``guanxi`` (``dependencies = ["guanxi>=0.1,<0.3"]`` in its
pyproject.toml, read back through ``importlib.metadata``). A pack whose range
leaves out the installed guanxi is not imported: it is broken, and the reason
names the pack, its range and the installed version in one line
(:func:`incompatibility`).

Callers never touch ``pm.hook``: the typed accessors (:meth:`PackManager.fields`,
:meth:`PackManager.segmentations`, ...) call each pack's implementation,
stamp each record with the pack's name, sort by name, and reject two
records with one name, naming both packs.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata as importlib_metadata
from typing import Any

import attrs
import pluggy

from guanxi import contributions as c
from guanxi import hookspecs
from guanxi.errors import PackError, did_you_mean

ENTRY_POINT_GROUP = "guanxi"
BUILTIN = "core"
#: The fields and metrics guanxi.toml declares (guanxi.organization).
ORGANIZATION = "organization"

hookimpl = pluggy.HookimplMarker("guanxi")


@attrs.frozen(kw_only=True)
class PackInfo:
    """What ``guanxi plugins`` reports about one installed or enabled pack."""

    name: str
    distribution: str | None
    version: str | None
    enabled: bool
    hooks: tuple[str, ...]
    broken: str | None = None


def installed_packs() -> dict[str, importlib_metadata.EntryPoint]:
    """Entry points of the ``guanxi`` group by pack name; nothing is imported."""
    found = importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {ep.name: ep for ep in sorted(found, key=lambda ep: ep.name)}


def _distribution(ep: importlib_metadata.EntryPoint | None) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


class PackManager(pluggy.PluginManager):
    """The plugin manager: pluggy's, plus broken packs and typed accessors."""

    def __init__(self) -> None:
        super().__init__("guanxi")
        self.add_hookspecs(hookspecs)
        self.enabled: tuple[str, ...] = ()
        self.broken: dict[str, str] = {}
        self._entry_points: dict[str, importlib_metadata.EntryPoint] | None = None
        self._cache: dict[str, Any] = {}
        #: GUANXI_TRACE_HOOKS: each hook call is written to stderr.
        self.tracing = False

    @property
    def entry_points(self) -> dict[str, importlib_metadata.EntryPoint]:
        """The installed packs' entry points by name, read on first use.

        Reading them scans every installed distribution's metadata (10 ms of
        a command's start); a workspace that enables no pack never needs them.
        """
        if self._entry_points is None:
            self._entry_points = installed_packs()
        return self._entry_points

    @entry_points.setter
    def entry_points(self, value: dict[str, importlib_metadata.EntryPoint]) -> None:
        self._entry_points = value

    # -- registration ------------------------------------------------------

    def add_pack(self, name: str, plugin: object) -> None:
        """Register ``plugin`` as pack ``name``, or record why it is broken."""
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            self.broken[name] = _signature_problem(exc, self)
            return
        except ValueError as exc:  # pluggy: a plugin registered twice
            self.broken[name] = str(exc)
            return
        problem = self._unknown_hooks(name, plugin)
        if problem:
            self.unregister(name=name)
            self.broken[name] = problem

    def _unknown_hooks(self, name: str, plugin: object) -> str | None:
        # pluggy's check_pending() covers the whole manager; asking per pack
        # lets the message name the pack and keeps the healthy ones.
        unknown = []
        for hook_name in dir(self.hook):
            if hook_name.startswith("_"):
                continue
            caller = getattr(self.hook, hook_name)
            if caller.spec is None and any(i.plugin is plugin for i in caller.get_hookimpls()):
                unknown.append(hook_name)
        if unknown:
            return (
                f"has hook {', '.join(sorted(unknown))} that guanxi does not know "
                "(a misspelt name? see docs/hooks.md)"
            )
        return None

    def require_healthy(self) -> None:
        """Refuse to run a job while any enabled pack is broken."""
        if self.broken:
            name, reason = next(iter(sorted(self.broken.items())))
            more = f" (and {len(self.broken) - 1} more broken pack(s))" if len(self.broken) > 1 else ""
            raise PackError(
                f"pack {name!r} is broken: {reason}{more}; fix it, or remove it from "
                "[guanxi] packs, before running any job"
            )

    # -- calling hooks -----------------------------------------------------

    def _impls(self, hook_name: str):
        # pluggy lists implementations in registration order (and calls them
        # last-registered first); guanxi calls packs in the order the config
        # lists them, the core first, so it keeps pluggy's list as it is.
        return list(getattr(self.hook, hook_name).get_hookimpls())

    def call_each(self, hook_name: str, **kwargs: Any) -> Iterable[tuple[str, Any]]:
        """Call every implementation of a hook: yields (pack, result).

        An exception from a pack becomes a :class:`PackError` naming the pack
        and the hook.
        """
        for impl in self._impls(hook_name):
            args = [kwargs[name] for name in impl.argnames]
            try:
                result = impl.function(*args)
                if hasattr(result, "__next__"):  # a generator hook runs now, inside the guard
                    result = list(result)
            except PackError:
                raise
            except Exception as exc:
                raise PackError(
                    f"pack {impl.plugin_name!r} failed in {hook_name}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            if self.tracing:
                count = f"{len(result)} result(s)" if isinstance(result, (list, tuple)) else repr(result)
                sys.stderr.write(f"guanxi: {impl.plugin_name}.{hook_name}() -> {count}\n")
            yield impl.plugin_name, result

    def _collect(
        self,
        hook_name: str,
        record_type: type,
        key: Callable[[Any], Any] = lambda record: record.name,
        prefixed: bool = False,
        same: Callable[[Any, Any], bool] | None = None,
        **kwargs: Any,
    ) -> dict[Any, Any]:
        """Each record of ``hook_name`` by ``key``, with the pack that gave it.

        Two packs giving one key is an error, unless ``same`` says their
        records declare the same thing: then the first pack's is kept.
        """
        if hook_name in self._cache:
            return self._cache[hook_name]
        what = record_type.__name__
        found: dict[Any, Any] = {}
        for pack, result in self.call_each(hook_name, **kwargs):
            for record in result or ():
                if not isinstance(record, record_type):
                    raise PackError(
                        f"pack {pack!r} returned {type(record).__name__} from {hook_name}; "
                        f"expected guanxi.{what} records"
                    )
                record = attrs.evolve(record, pack=pack)
                if prefixed and not record.name.startswith(pack + "."):
                    raise PackError(
                        f"pack {pack!r} contributes {what} {record.name!r}: its name must "
                        f"start with '{pack}.'"
                    )
                k = key(record)
                if k in found:
                    shown = ".".join(k) if isinstance(k, tuple) else k
                    if found[k].pack == pack:
                        raise PackError(f"pack {pack!r} contributes the {what} {shown!r} twice")
                    if same is not None and same(found[k], record):
                        continue
                    if ORGANIZATION in (found[k].pack, pack):
                        other = pack if found[k].pack == ORGANIZATION else found[k].pack
                        raise PackError(
                            f"guanxi.toml declares the {what} {shown!r} and so does the pack "
                            f"{other!r}" + (", differently" if same is not None else "")
                            + "; remove it from guanxi.toml, or disable the pack")
                    raise PackError(
                        f"two packs contribute the {what} {shown!r}: "
                        f"{found[k].pack!r} and {pack!r}; disable one of them"
                    )
                found[k] = record
        result = dict(sorted(found.items()))
        self._cache[hook_name] = result
        return result

    def config_options(self) -> dict[tuple[str, str], c.ConfigOption]:
        """(pack, option name) -> option."""
        return self._collect(
            "guanxi_config_options", c.ConfigOption, key=lambda o: (o.pack, o.name)
        )

    def fields(self) -> dict[tuple[str, str], c.Field]:
        """(entity, field name) -> field."""
        # Two packs may declare one field alike (banking's and tobacco's survey
        # satisfaction, 1 to 5): it is one field. Declared differently, it clashes.
        found = self._collect("guanxi_fields", c.Field, key=lambda f: (f.entity, f.name),
                              same=_same_field)
        # A field on a misspelt entity would otherwise vanish without a word.
        takes = sorted(name for name, e in self.entities().items() if e.attributes)
        for field in found.values():
            if field.entity not in takes:
                raise PackError(
                    f"pack {field.pack!r} declares the field {field.name!r} on {field.entity!r}, "
                    f"which is no entity that takes fields; those are: {', '.join(takes)}"
                )
        return found

    def fields_of(self, entity: str) -> list[c.Field]:
        return [f for (e, _), f in self.fields().items() if e == entity]

    def entities(self) -> dict[str, c.Entity]:
        return self._collect("guanxi_entities", c.Entity)

    def metrics(self) -> dict[str, c.Metric]:
        return self._collect("guanxi_metrics", c.Metric)

    def schemas(self) -> dict[str, c.Schema]:
        return self._collect("guanxi_schemas", c.Schema)

    def segmentations(self) -> dict[str, c.Segmentation]:
        return self._collect("guanxi_segmentations", c.Segmentation, prefixed=True)

    def service_rules(self) -> dict[str, c.ServiceRule]:
        return self._collect("guanxi_service_rules", c.ServiceRule, prefixed=True)

    def record_rules(self) -> dict[str, c.RecordRule]:
        return self._collect("guanxi_record_rules", c.RecordRule, prefixed=True)

    def kpis(self) -> dict[str, c.Kpi]:
        return self._collect("guanxi_kpis", c.Kpi, prefixed=True)

    def case_policies(self, workspace) -> dict[str, c.CasePolicy]:
        return self._collect("guanxi_case_policies", c.CasePolicy, prefixed=True,
                             workspace=workspace)

    def visit_cadences(self, workspace) -> dict[str, c.VisitCadence]:
        return self._collect("guanxi_visit_cadences", c.VisitCadence, prefixed=True,
                             workspace=workspace)

    def customer_filters(self) -> dict[str, c.CustomerFilter]:
        return self._collect("guanxi_customer_filters", c.CustomerFilter, prefixed=True)

    def filters_of(self, pack: str) -> list[c.CustomerFilter]:
        return [f for f in self.customer_filters().values() if f.pack == pack]

    def commands(self) -> dict[str, c.Command]:
        return self._collect("guanxi_commands", c.Command)

    def demo_data(self) -> dict[str, c.DemoData]:
        return self._collect("guanxi_demo_data", c.DemoData, prefixed=True)

    def report_kinds(self, workspace) -> dict[str, c.ReportKind]:
        return self._collect("guanxi_report_kinds", c.ReportKind, prefixed=True,
                             workspace=workspace)

    def hooks_of(self, name: str) -> tuple[str, ...]:
        plugin = self.get_plugin(name)
        if plugin is None:
            return ()
        return tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or ()))

    # -- reporting ---------------------------------------------------------

    def pack_infos(self) -> list[PackInfo]:
        """Every installed pack and every enabled one, for ``guanxi plugins``."""
        infos = []
        own = [ORGANIZATION] if self.has_plugin(ORGANIZATION) else []
        names = dict.fromkeys([BUILTIN, *own, *self.enabled, *sorted(self.entry_points)])
        for name in names:
            ep = self.entry_points.get(name)
            dist, version = _distribution(ep)
            if name == BUILTIN and dist is None:
                dist, version = "guanxi", _own_version()
            if name in own:  # declared in guanxi.toml, not installed
                dist, version = "guanxi.toml", None
            enabled = name in (BUILTIN, *own) or name in self.enabled
            infos.append(
                PackInfo(
                    name=name,
                    distribution=dist,
                    version=version,
                    enabled=enabled,
                    hooks=self.hooks_of(name) if enabled else (),
                    broken=self.broken.get(name),
                )
            )
        return infos


def _own_version() -> str | None:
    try:
        return importlib_metadata.version("guanxi")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
        return None


def _signature_problem(exc: pluggy.PluginValidationError, pm: pluggy.PluginManager) -> str:
    text = str(exc)
    # pluggy: "Plugin 'x' for hook 'h'\nhookimpl definition: h(a, b)\nArgument(s) {'b'} are
    # declared in the hookimpl but can not be found in the hookspec"
    hook = re.search(r"for hook '([^']+)'", text)
    wrong = re.search(r"Argument\(s\) \{([^}]*)\}", text)
    caller = getattr(pm.hook, hook.group(1), None) if hook else None
    if wrong and caller is not None and caller.spec is not None:
        passed = ", ".join(caller.spec.argnames) or "no arguments"
        return (
            f"has a hook with a wrong signature: {hook.group(1)} takes "
            f"{wrong.group(1).replace(chr(39), '')}, but guanxi passes {passed}"
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "has a hook with a wrong signature: " + "; ".join(lines[1:] or lines)


def load_plugins(
    packs: Sequence[str], *, extra: Mapping[str, object] | None = None, config: Any = None,
) -> PackManager:
    """Build the plugin manager for the enabled ``packs``.

    :param packs: pack names from ``[guanxi] packs``; only these are imported.
    :param extra: name -> plugin object registered as if installed (tests and
        scripts that define a pack inline).
    :param config: the :class:`~guanxi.config.Config` read: the fields and
        metrics its ``[fields.*]`` and ``[metrics.*]`` declare become the
        pack ``organization``'s, registered after the core
        (:mod:`guanxi.organization`); a bad declaration raises ConfigError.

    A pack not installed, not importable or with a bad hook is recorded in
    ``broken`` rather than raised, so that listings still work;
    :meth:`PackManager.require_healthy` turns it into the one error a job
    reports.
    """
    from guanxi import builtin

    extra = dict(extra or {})
    pm = PackManager()
    pm.enabled = tuple(name for name in packs if name != BUILTIN)
    pm.add_pack(BUILTIN, builtin)
    if config is not None and ("fields" in config.sections or "metrics" in config.sections):
        from guanxi.organization import ORGANIZATION, organization_pack

        declared = organization_pack(config)
        if declared is not None:
            pm.add_pack(ORGANIZATION, declared)
    for name in pm.enabled:
        if name in extra:
            pm.add_pack(name, extra[name])
            continue
        ep = pm.entry_points.get(name)
        if ep is None:
            pm.broken[name] = "is enabled but " + _not_installed(name, pm.entry_points)
            continue
        # Checked before the import: code written for another guanxi may
        # fail to import, or worse, import and compute something else.
        problem = incompatibility(getattr(ep, "dist", None))
        if problem:
            pm.broken[name] = problem
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            dist, _ = _distribution(ep)
            pm.broken[name] = (
                f"cannot be imported from distribution {dist or '?'} "
                f"({ep.value}): {type(exc).__name__}: {exc}"
            )
            continue
        pm.add_pack(name, plugin)
    pm.tracing = bool(os.environ.get("GUANXI_TRACE_HOOKS"))
    return pm


def incompatibility(dist: importlib_metadata.Distribution | None,
                    guanxi_version: str | None = None) -> str | None:
    """Why the pack distribution ``dist`` does not work with this guanxi; None if it does.

    Reads the distribution's ``Requires-Dist: guanxi ...`` (its pyproject's
    ``dependencies``); a pack that names no range, or no distribution (a
    pack registered inline), is not checked. Pre-releases of guanxi count
    as their release (0.3.0rc1 is inside ``<0.4``).
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    version = guanxi_version or _own_version()
    if dist is None or version is None:
        return None
    for line in dist.requires or ():
        try:
            required = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(required.name) != "guanxi" or not required.specifier:
            continue
        if required.marker is not None and not required.marker.evaluate({"extra": ""}):
            continue
        if not required.specifier.contains(version, prereleases=True):
            name = dist.metadata["Name"]
            return (f"works with guanxi {required.specifier} ({name} {dist.version} says so), "
                    f"not with the installed guanxi {version}; install a {name} made for "
                    f"guanxi {version}, or a guanxi in that range")
    return None


def _not_installed(name: str, entry_points: Mapping[str, object]) -> str:
    installed = [n for n in entry_points if n != BUILTIN]
    return (f"not installed{did_you_mean(name, installed)}; installed packs: "
            f"{', '.join(installed) or 'none'}")


def require_installed(packs: Iterable[str]) -> None:
    """Raise :class:`PackError` for the first pack of ``packs`` that is not installed.

    ``guanxi init --pack`` checks before it writes anything, ``config show``
    before it shows a config that no job could run.
    """
    entry_points = installed_packs()
    for name in packs:
        if name != BUILTIN and name not in entry_points:
            raise PackError(f"pack {name!r} is " + _not_installed(name, entry_points))


@functools.lru_cache(maxsize=None)
def hook_names() -> tuple[str, ...]:
    """The names of every hook guanxi specifies, in the order of hookspecs.py."""
    return tuple(name for name in vars(hookspecs) if name.startswith("guanxi_"))


def _same_field(a: c.Field, b: c.Field) -> bool:
    """Two declarations of one field that store and check values alike."""
    return (a.type, tuple(a.allowed), a.required) == (b.type, tuple(b.allowed), b.required)
