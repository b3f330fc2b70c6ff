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
