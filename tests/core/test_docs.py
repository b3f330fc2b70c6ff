"""The documentation stays honest: every hook, command, entity column and
example file is documented, and every link between the pages resolves.

After datasette's ``test_plugin_hooks_are_documented`` and sqlite-utils'
``test_docs.py``: the code is the truth, and these tests fail the moment a
hook, a command or a column is added without its documentation.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import click
import pytest

from guanxi import hookspecs
from guanxi.cli import CORE_COMMANDS, cli
from guanxi.importing.columns import column_type
from guanxi.plugins import PackManager, hook_names, load_plugins

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"

HOOKS = hook_names()


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _argnames(hook: str) -> tuple[str, ...]:
    return tuple(getattr(PackManager().hook, hook).spec.argnames)


def _signature(hook: str) -> str:
    return f"{hook}({', '.join(_argnames(hook))})"


def _sections(text: str) -> list[tuple[int, str, str]]:
    """(level, heading, body) for every Markdown heading outside code blocks."""
    found: list[tuple[int, str, list[str]]] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"^(#{1,6}) (.+?)\s*$", line)
        if match:
            found.append((len(match[1]), match[2], []))
        elif found:
            found[-1][2].append(line)
    # A section runs until the next heading of the same or a higher level.
    result = []
    for i, (level, heading, body) in enumerate(found):
        lines = list(body)
        for deeper_level, deeper_heading, deeper_body in found[i + 1:]:
            if deeper_level <= level:
                break
            lines += [f"{'#' * deeper_level} {deeper_heading}", *deeper_body]
        result.append((level, heading, "\n".join(lines)))
    return result


def _normalize(text: str) -> str:
    """Docstring reST and page Markdown compared as plain words."""
    text = re.sub(r":(?:func|class|mod|meth|attr):", "", text)
    text = text.replace("`", "").replace("*", "")
    return " ".join(text.split())


# -- 1. hooks -----------------------------------------------------------------


def test_there_are_hooks_to_document():
    assert len(HOOKS) >= 16
    assert "guanxi_validate_customers" in HOOKS and "guanxi_fields" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook):
    # datasette's test_plugin_hooks_are_documented: the literal signature,
    # guanxi_validate_customers(workspace, batch) or guanxi_fields().
    sections = {heading: body for _, heading, body in _sections(_read("hooks.md"))}
    heading = f"`{_signature(hook)}`"
    assert heading in sections, f"docs/hooks.md has no section titled {heading}"
    # The section says what the docstring says first.
    summary = inspect.getdoc(getattr(hookspecs, hook)).split("\n\n")[0]
    assert _normalize(summary) in _normalize(sections[heading]), (
        f"the section {heading} of docs/hooks.md does not start from the docstring's "
        f"summary: {summary!r}"
    )
    for argument in _argnames(hook):
        assert f"`{argument}`" in sections[heading], f"{heading} does not describe {argument}"


def test_hooks_page_documents_no_other_hooks():
    documented = [
        heading.strip("`")
        for _, heading, _ in _sections(_read("hooks.md"))
        if heading.startswith("`guanxi_")
    ]
    expected = [_signature(hook) for hook in HOOKS]
    assert sorted(documented) == sorted(expected), (
        "docs/hooks.md documents hooks or signatures that guanxi.hookspecs does not have"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_hookspec_docstring_follows_the_template(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook))
    assert doc, f"{hook} has no docstring"
    for argument in _argnames(hook):
        assert re.search(rf"^:param {argument}:", doc, re.M), f"{hook}: no :param {argument}:"
    assert "Example::" in doc, f"{hook}: no Example::"
    assert re.search(r"^\.\. versionadded:: \S+", doc, re.M), f"{hook}: no .. versionadded::"
    documented = set(re.findall(r"^:param (\w+):", doc, re.M))
    assert documented <= set(_argnames(hook)), f"{hook} documents arguments it does not take"


# -- 2. commands --------------------------------------------------------------


def _walk(group: click.Group, ctx: click.Context, prefix: str = ""):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"guanxi {prefix}{name} is listed but cannot be loaded"
        path = f"{prefix}{name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from _walk(command, click.Context(command, parent=ctx, info_name=name),
                             path + " ")


def _core_commands():
    ctx = click.Context(cli, info_name="guanxi")
    return list(_walk(cli, ctx))


COMMANDS = _core_commands()


def test_every_lazily_loaded_core_command_is_walked():
    top = {path for path, _ in COMMANDS if " " not in path}
    assert set(CORE_COMMANDS) <= top


@pytest.mark.parametrize("path,command", COMMANDS, ids=[path for path, _ in COMMANDS])
def test_command_is_documented_and_has_help(path, command):
    # sqlite-utils' test_docs.py: every command is in the reference and has help.
    assert (command.help or "").strip(), f"guanxi {path} has no help text"
    assert re.search(rf"`guanxi {re.escape(path)}(?:[ `])", _read("commands.md")), (
        f"docs/commands.md does not mention `guanxi {path}`"
    )


@pytest.mark.parametrize("path,command", COMMANDS, ids=[path for path, _ in COMMANDS])
def test_command_options_are_documented(path, command):
    text = _read("commands.md")
    sections = {heading: body for _, heading, body in _sections(text)}
    body = next(
        (b for h, b in sections.items() if re.match(rf"`guanxi {re.escape(path)}`", h)), None
    )
    if body is None:  # documented in a shared section, e.g. tasks done/cancel/reassign
        body = text
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            for option in param.opts:
                if option.startswith("--"):
                    assert option in body, f"docs/commands.md: guanxi {path} lacks {option}"


# -- 3. entities and example files -------------------------------------------


ENTITIES = load_plugins([]).entities()


def _entity_section(name: str) -> str:
    for _, heading, body in _sections(_read("import-formats.md")):
        if heading == f"`{name}`":
            return body
    raise AssertionError(f"docs/import-formats.md has no section titled `{name}`")


def _column_rows(body: str) -> dict[str, list[str]]:
    rows = {}
    for line in body.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match[1]] = [cell.strip() for cell in match[2].split("|")]
    return rows


@pytest.mark.parametrize("name", list(ENTITIES))
def test_every_core_entity_column_is_documented(name):
    entity = ENTITIES[name]
    rows = _column_rows(_entity_section(name))
    assert list(rows) == list(entity.columns), (
        f"docs/import-formats.md: the table of `{name}` must list exactly its columns, "
        f"in file order: {', '.join(entity.columns)}"
    )
    for column, (kind, required, allowed, references) in rows.items():
        expected_kind = column_type(entity, column).replace("period_start", "period")
        assert kind == expected_kind, f"{name}.{column} is {expected_kind}, documented {kind}"
        assert required == ("yes" if column in entity.required else ""), (
            f"{name}.{column}: required is {'yes' if column in entity.required else 'empty'}"
        )
        values = entity.allowed.get(column, ())
        for value in values if not callable(values) else ():
            assert f"`{value}`" in allowed, f"{name}.{column}: allowed value {value!r} missing"
        if column in entity.references:
            assert f"`{entity.references[column]}`" in references, (
                f"{name}.{column} refers to {entity.references[column]}"
            )
        else:
            assert references == "", f"{name}.{column} refers to nothing"


@pytest.mark.parametrize("name", list(ENTITIES))
def test_every_core_entity_key_is_documented(name):
    body = _entity_section(name)
    key_line = next(line for line in body.splitlines() if "Key:" in line)
    assert re.findall(r"`([^`]+)`", key_line.split("Key:")[1].split(".")[0]) == list(
        ENTITIES[name].key
    ), f"docs/import-formats.md gives the wrong key for `{name}`"


def test_every_example_file_is_linked_from_import_formats():
    text = _read("import-formats.md")
    files = sorted(p.name for p in EXAMPLES.iterdir() if p.is_file())
    assert files
    missing = [name for name in files if f"](examples/{name})" not in text]
    assert not missing, f"docs/import-formats.md does not link: {', '.join(missing)}"


def test_every_core_entity_has_an_example_file():
    files = {p.stem for p in EXAMPLES.iterdir() if p.is_file()}
    assert set(ENTITIES) <= files


# -- 4. links -------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower().strip()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


PAGES = sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_links_between_pages_resolve(page):
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path) if path else page
        assert linked.exists(), f"{page.name} links to {target}, which does not exist"
        if anchor and linked.suffix == ".md":
            anchors = {_slug(h) for _, h, _ in _sections(linked.read_text(encoding="utf-8"))}
            assert anchor in anchors, f"{page.name} links to {target}: no such heading"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_name_no_machine_paths(page):
    text = page.read_text(encoding="utf-8")
    for pattern in (r"/work/", r"/tmp/", r"/home/", r"/root/", r"[A-Z]:\\"):
        assert not re.search(pattern, text), f"{page.name} names a machine path ({pattern})"


# -- 5. the core's settings ----------------------------------------------------


CORE_OPTIONS = [o for (pack, _), o in load_plugins([]).config_options().items() if pack == "core"]


@pytest.mark.parametrize("option", CORE_OPTIONS, ids=[o.name for o in CORE_OPTIONS])
def test_every_core_setting_is_documented(option):
    head, _, leaf = option.name.rpartition(".")
    written = f"[core.{head}] {leaf}" if head else f"[core] {leaf}"
    rows = {}
    for line in _read("configuration.md").splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match[1]] = [cell.strip() for cell in match[2].split("|")]
    assert written in rows, f"docs/configuration.md has no row for `{written}`"
    kind, default = rows[written][:2]
    assert kind == option.type, f"{written} is {option.type}, documented {kind}"
    assert default == f"`{option.default}`", f"{written} defaults to {option.default!r}"


def test_the_hook_reference_page_is_generated_from_the_docstrings():
    # docs/tools/hook_reference.py writes docs/hooks.md; rerun it after changing a hook.
    import importlib.util

    path = DOCS / "tools" / "hook_reference.py"
    spec = importlib.util.spec_from_file_location("hook_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "hooks.md").read_text(encoding="utf-8") == module.render()


def test_the_module_map_is_generated_from_the_modules():
    # docs/tools/module_map.py writes the map in docs/architecture.md; rerun it
    # after adding, moving or renaming a module.
    import importlib.util

    path = DOCS / "tools" / "module_map.py"
    spec = importlib.util.spec_from_file_location("module_map", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert page == module.render(page)
