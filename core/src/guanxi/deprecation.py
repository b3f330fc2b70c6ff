"""Retiring a public name: deprecated for a release first, then removed.

The policy (docs/writing-a-pack.md, "Versions and deprecation"): a name of
the public API (``guanxi``, ``guanxi.output``, ``guanxi.testing``, the
Workspace's methods, the modules the guide lists) that goes away keeps
working for one minor release and warns with a ``DeprecationWarning``
naming what replaces it and the release that removes it; the next minor
release removes it. pytest shows these warnings in a pack's test run.

Two helpers: :func:`deprecated` wraps a function or method, and
:func:`moved_names` gives a module a ``__getattr__`` for names it no
longer defines.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any


def warn_deprecated(name: str, replacement: str, *, since: str, removal: str,
                    stacklevel: int = 3) -> None:
    """Warn once per call site that ``name`` is deprecated: use ``replacement``."""
    warnings.warn(f"{name} is deprecated since guanxi {since} and goes in {removal}; "
                  f"use {replacement}", DeprecationWarning, stacklevel=stacklevel)


def deprecated(replacement: str, *, since: str, removal: str) -> Callable:
    """Decorator: calling the function warns, naming ``replacement``; it still works.

    ::

        @deprecated("ws.kpi(..., by='team')", since="0.2", removal="0.3")
        def team_kpis(self, period): ...
    """
    def wrap(func: Callable) -> Callable:
        name = getattr(func, "__qualname__", func.__name__)

        @functools.wraps(func)
        def warned(*args, **kwargs):
            warn_deprecated(name, replacement, since=since, removal=removal)
            return func(*args, **kwargs)

        warned.__doc__ = (f"Deprecated since guanxi {since}, goes in {removal}: use "
                          f"{replacement}.\n\n{func.__doc__ or ''}")
        return warned

    return wrap


def moved_names(module: str, moved: Mapping[str, tuple[str, Callable[[], Any]]], *,
                since: str, removal: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for names that moved: ``old -> (replacement, loader)``.

    ::

        __getattr__ = moved_names(__name__, {
            "Week": ("guanxi.periods.parse_week", lambda: _week_class)}, since="0.2", removal="0.3")

    The loader runs on access, so an old name costs nothing until used.
    """
    def __getattr__(name: str) -> Any:
        if name in moved:
            replacement, load = moved[name]
            warn_deprecated(f"{module}.{name}", replacement, since=since, removal=removal)
            return load()
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
