"""Layers call one way (docs/architecture.md): the engines, the service
machinery, the importer and storage never import the layers above them,
and storage imports none of the three it serves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core" / "src" / "guanxi"

ABOVE = ("guanxi.workspace", "guanxi.cli", "guanxi.web")
#: layer -> the modules it may not import (itself and below are fine).
FORBIDDEN = {
    "engines": ABOVE,
    "service": ABOVE,
    "importing": ABOVE,
    "storage": ABOVE + ("guanxi.engines", "guanxi.service", "guanxi.importing"),
}


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at its top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def crossings(layer: str) -> list[str]:
    found = []
    for path in sorted((CORE / layer).rglob("*.py")):
        for name in sorted(imported(path)):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                found.append(f"{path.relative_to(CORE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above_it(layer):
    assert crossings(layer) == []


def test_the_walk_sees_an_import_that_crosses(tmp_path):
    # The check itself can fail: a module that imports the workspace is found.
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from guanxi.workspace import Workspace\n", encoding="utf-8")
    assert "guanxi.workspace" in imported(module)


#: The Workspace's own parts kept beside the layer they front (its mixins):
#: their methods are the facade, so they hand ``self.runtime`` down.
FACADE_PARTS = ("api.py", "_api.py")


def lower_modules():
    for layer in ("engines", "service", "importing", "storage"):
        for path in sorted((CORE / layer).rglob("*.py")):
            if not path.name.endswith(FACADE_PARTS):
                yield path


def test_the_layers_below_take_a_runtime_not_the_workspace():
    # Issue 19: a small runtime (connection, config, calendar, clock) is passed
    # down; no function below the Workspace takes the Workspace itself.
    taking = []
    for path in lower_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in node.args.args + node.args.kwonlyargs]
                if {"ws", "workspace"} & set(names):
                    taking.append(f"{path.relative_to(CORE.parent)}: {node.name}")
    assert taking == []


def test_the_workspace_below_is_only_handed_to_the_packs_hooks():
    # rt.facade is the public Workspace, for the hooks whose documented
    # argument it is; the layers below never call a method on it.
    calls = []
    for path in lower_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "facade"):
                calls.append(f"{path.relative_to(CORE.parent)}:{node.lineno} .facade.{node.attr}")
    assert calls == []


def test_the_runtime_reads_the_workspaces_clock_and_config(tmp_path, monkeypatch):
    import datetime as dt

    import guanxi
    from guanxi.config import write_config

    ws = guanxi.open(write_config(tmp_path / "guanxi.toml",
                                  database=f"sqlite:///{tmp_path / 'g.db'}", packs=[]))
    monkeypatch.setattr(ws, "today", lambda: dt.date(2026, 2, 3))
    assert ws.runtime.today() == dt.date(2026, 2, 3)
    assert (ws.runtime.config, ws.runtime.facade) == (ws.config, ws)
