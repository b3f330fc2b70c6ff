"""Packs import only guanxi's public API, and never each other.

The public names are read from docs/writing-a-pack.md, "The public API"
table, so the page and this test cannot drift: a name a pack needs is made
public by writing it there (and keeping it), not by importing an internal
module. Every module under ``plugins/*/src`` and ``contrib/*/src``, and the
core's own test pack, is walked with ``ast``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "writing-a-pack.md"



def public_names(text: str) -> set[str]:
    """The backquoted ``guanxi.x.y`` names of the page's "The public API" table rows."""
    section = re.search(r"^## The public API\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section, "docs/writing-a-pack.md has no '## The public API' section"
    names: set[str] = set()
    for line in section[1].splitlines():
        if not line.startswith("|"):
            continue  # prose around the table names what is *not* public
        for quoted in re.findall(r"`([^`]+)`", line):
            match = re.match(r"(guanxi(?:\.\w+)+)", quoted)
            if match:
                names.add(match[1])
    return names


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def violations(source: str, own_package: str, public: set[str]) -> list[tuple[int, str, str]]:
    """(line, module, why) for each import of a non-public guanxi module or of another pack."""
    found = []

    def allowed(name: str) -> bool:
        return name == "guanxi" or name in public

    def check_module(line: int, module: str) -> None:
        top = module.split(".")[0]
        if top == "guanxi":
            if not allowed(module):
                found.append((line, module, "not in the public API"))
        elif top.startswith("guanxi_") and top != own_package:
            found.append((line, module, "another pack"))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check_module(node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            top = module.split(".")[0]
            if top != "guanxi":
                check_module(node.lineno, module)
                continue
            # ``from M import a``: fine when M is a public module, or M.a a public name.
            if module != "guanxi" and module in public and _is_module(module):
                continue
            for alias in node.names:
                if not allowed(f"{module}.{alias.name}"):
                    found.append((node.lineno, module if module != "guanxi" else
                                  f"guanxi.{alias.name}", "not in the public API"))
    return found


def _pack_files() -> list[tuple[Path, str]]:
    files = []
    for src in sorted([*ROOT.glob("plugins/*/src"), *ROOT.glob("contrib/*/src")]):
        for path in sorted(src.rglob("*.py")):
            files.append((path, path.relative_to(src).parts[0]))
    files.append((ROOT / "tests" / "core" / "hookpack.py", "hookpack"))
    return files


PUBLIC = public_names(PAGE.read_text(encoding="utf-8"))


def test_the_page_lists_the_public_modules():
    # The table is read: the kit's public modules are on it.
    assert {"guanxi.hookimpl", "guanxi.tables", "guanxi.demo_kit", "guanxi.Period",
            "guanxi.cli.pass_workspace"} <= PUBLIC
    # Internals are named in the prose below the table, never in it.
    assert not {n for n in PUBLIC if n.split(".")[1] in ("storage", "service", "builtin",
                                                          "engines")}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_name_exists(name):
    # A name the page lists resolves: a module, or an attribute of one.
    if _is_module(name):
        assert importlib.import_module(name).__name__ == name
        return
    module, _, attr = name.rpartition(".")
    while module and not _is_module(module):
        module, _, outer = module.rpartition(".")
        attr = f"{outer}.{attr}"
    target = importlib.import_module(module)
    for part in attr.split("."):
        assert hasattr(target, part), f"{name}: {part!r} is not there"
        target = getattr(target, part)


def test_there_are_packs_to_walk():
    owners = {package for _, package in _pack_files()}
    assert {"guanxi_banking", "guanxi_tobacco", "hookpack"} <= owners


@pytest.mark.parametrize("path,package", _pack_files(),
                         ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else None)
def test_a_pack_imports_only_the_public_api(path, package):
    rel = path.relative_to(ROOT).as_posix()
    found = [(line, module, why)
             for line, module, why in violations(path.read_text(encoding="utf-8"), package, PUBLIC)]
    assert not found, "\n".join(
        f"{rel}:{line}: imports {module} ({why}); use the public API (docs/writing-a-pack.md)"
        for line, module, why in found)


@pytest.mark.parametrize("source,expected", [
    ("from guanxi.storage import tables\n", [(1, "guanxi.storage", "not in the public API")]),
    ("import guanxi.service.cases\n", [(1, "guanxi.service.cases", "not in the public API")]),
    ("from guanxi import Kpi, secret\n", [(1, "guanxi.secret", "not in the public API")]),
    ("def f():\n    from guanxi.builtin.demo_base import _managers\n",
     [(2, "guanxi.builtin.demo_base", "not in the public API")]),
    ("from guanxi_tobacco.options import GRADE\n", [(1, "guanxi_tobacco.options", "another pack")]),
    ("import guanxi\nfrom guanxi import Kpi, tables\nfrom guanxi.tables import customers\n"
     "from guanxi.cli import pass_workspace\nfrom guanxi_water.options import X\n"
     "from . import sibling\nimport sqlalchemy\n", []),
])
def test_the_check_finds_internal_and_cross_pack_imports(source, expected):
    assert violations(source, "guanxi_water", PUBLIC) == expected


def test_every_name_guanxi_exports_is_on_the_page():
    # guanxi.__all__ is the public API of the package itself: each is documented.
    import guanxi

    assert {f"guanxi.{name}" for name in guanxi.__all__} - PUBLIC == set()
