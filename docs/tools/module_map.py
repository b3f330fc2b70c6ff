"""Write the module map of docs/architecture.md from the modules' own docstrings.

Each module of the core says its one job in the first line of its
docstring; the map lists them by package. Run
`python docs/tools/module_map.py` after adding, moving or renaming a
module: a test fails while the page and the code differ.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "core" / "src" / "guanxi"
PAGE = ROOT / "docs" / "architecture.md"
START, END = "<!-- module-map -->", "<!-- /module-map -->"


def modules() -> dict[str, list[tuple[str, str]]]:
    """Package -> (dotted name, docstring's first paragraph) of its modules, migrations aside."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
            package = ".".join(parts)
        else:
            package = ".".join(parts[:-1])
        found.setdefault(package, []).append((".".join(parts), " ".join(doc.split("\n\n")[0].split())))
    return {name: sorted(found[name]) for name in sorted(found)}


def render_map() -> str:
    lines = []
    for package, members in modules().items():
        lines += ["", f"### `{package}`", "", "| module | its one job |", "|---|---|"]
        lines += [f"| `{name}` | {job.replace('|', '/')} |" for name, job in members]
    return "\n".join(lines).strip() + "\n"


def render(page: str) -> str:
    """``page`` with its module map section replaced by the current one."""
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n\n{render_map()}\n{END}{tail}"


if __name__ == "__main__":
    PAGE.write_text(render(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
