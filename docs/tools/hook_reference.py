"""Generate docs/hooks.md from the docstrings of guanxi/hookspecs.py.

The docstrings are the reference; this page follows them. Run
`python docs/tools/hook_reference.py` after changing a hook; a test fails
while the page and the docstrings differ.
"""

from pathlib import Path
import inspect
import re
import textwrap
from guanxi import hookspecs
from guanxi.plugins import hook_names

def anchor(sig):
    t = sig.lower()
    t = re.sub(r"[^\w\- ]", "", t)
    return t.replace(" ", "-")

def sig_of(name):
    f = getattr(hookspecs, name)
    return f"{name}({', '.join(inspect.signature(f).parameters)})"

SIGS = {n: sig_of(n) for n in hook_names()}

def inline(text):
    def func(m):
        n = m.group(1)
        if n in SIGS:
            return f"[`{n}`](#{anchor(SIGS[n])})"
        return f"`{n}`"
    text = re.sub(r":func:`([^`]+)`", func, text)
    text = re.sub(r":(?:class|mod|meth|attr):`([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return text

def convert(name):
    doc = inspect.getdoc(getattr(hookspecs, name))
    lines = doc.splitlines()
    out = []
    params, ret, example, version = [], None, [], None
    i = 0
    body = []
    while i < len(lines):
        line = lines[i]
        if line.startswith(":param "):
            m = re.match(r":param (\w+): ?(.*)", line)
            text = [m.group(2)]
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                text.append(lines[i].strip()); i += 1
            params.append((m.group(1), " ".join(text)))
            continue
        if line.startswith(":return:"):
            text = [line[len(":return:"):].strip()]
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                text.append(lines[i].strip()); i += 1
            ret = " ".join(text)
            continue
        if line.strip() == "Example::":
            i += 1
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                if lines[i].startswith(".. "):
                    break
                example.append(lines[i]); i += 1
            continue
        if line.startswith(".. versionadded::"):
            version = line.split("::")[1].strip(); i += 1; continue
        body.append(line); i += 1
    body_text = "\n".join(body).strip()
    paras = [p for p in body_text.split("\n\n")]
    md = []
    for p in paras:
        md.append(inline(" ".join(l.strip() for l in p.splitlines())))
    res = [f"### `{SIGS[name]}`", ""]
    for p in md:
        res += textwrap.wrap(p, 76, break_on_hyphens=False, break_long_words=False) + [""]
    if params:
        res += ["**Parameters**", ""]
        for n, t in params:
            res += textwrap.wrap(f"- `{n}`: {inline(t)}", 76, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False)
        res += [""]
    if ret:
        res += textwrap.wrap(f"**Returns** {inline(ret)}", 76, break_on_hyphens=False, break_long_words=False) + [""]
    if example:
        code = textwrap.dedent("\n".join(example)).strip("\n")
        res += ["**Example**", "", "```python", code, "```", ""]
    if version:
        res += [f"*Added in version {version}.*", ""]
    return "\n".join(res)

def render() -> str:
    """The whole hook reference page, as Markdown."""
    names = list(hook_names())
    contrib = [n for n in names if not (n.startswith("guanxi_validate_") or n.startswith("guanxi_after_"))]
    life = [n for n in names if n not in contrib]

    def summary(n):
        return inspect.getdoc(getattr(hookspecs, n)).splitlines()[0].replace("``", "`")

    out = []
    out.append("""# Hook reference

Every hook guanxi calls, what it is for, when it is called, its parameters,
what it returns, and an example. This page follows the docstrings of
`guanxi/hookspecs.py`, which are the reference; a test keeps the two in
step. How to build a pack around these hooks is in
[Writing a pack](writing-a-pack.md).

A pack is a module (or any object) with functions marked
`@guanxi.hookimpl` whose names are the hook names below. A pack implements
only the hooks it needs, and an implementation may take fewer arguments
than the hook lists, in any order (`def guanxi_validate_accounts(batch)`),
so adding an argument to a hook never breaks a pack. A function marked
`@guanxi.hookimpl` whose name is not one of these hooks, or that asks for an
argument the hook does not have, makes the pack *broken*
([Broken packs](writing-a-pack.md#broken-packs)).

Hooks come in two kinds:

- **Contribution hooks** (`guanxi_<plural noun>`) return an iterable of the
  frozen records of the public API (`guanxi.Field`, `guanxi.Segmentation`,
  ...). The core calls each enabled pack's implementation once per
  workspace, stamps every record with the pack's name, sorts them by name,
  and rejects two records with one name, naming both packs.
- **Lifecycle hooks** (`guanxi_validate_<entity>`,
  `guanxi_after_<entity>_saved`) see customers, accounts and interactions on
  their way into the database, **once per batch, never once per row**: the
  importer hands over a chunk of rows at a time (`--batch-size`, 10,000 by
  default), the Python API (`ws.save()`) the rows of one call.

Packs are called in the order `[guanxi] packs` lists them, the built-in
`core` pack first.

An exception raised inside any hook stops the job: the core reports the
pack and the hook by name
(`pack 'water' failed in guanxi_validate_accounts: KeyError: 'meter_no'`)
and leaves the database as it was.

| hook | kind | for |
|---|---|---|""")
    for n in names:
        kind = "contribution" if n in contrib else "lifecycle"
        out.append(f"| [`{SIGS[n]}`](#{anchor(SIGS[n])}) | {kind} | {summary(n)} |")
    out.append("")
    out.append("## Contribution hooks\n")
    for n in contrib:
        out.append(convert(n))
    out.append("## Lifecycle hooks\n")
    out.append("""The rows of a `guanxi.RecordBatch` are tuples of converted values
(`date`, `datetime`, `Decimal`, `bool`, `str` or `None`) in the order of
`batch.columns`: the columns the file has, in the entity's order, then the
declared fields it has. A file may leave out any column that is not
required, so look a column up by name (`batch.dicts()`, or
`batch.columns.index(...)` after checking it is there).
""")
    for n in life:
        out.append(convert(n))
    text = "\n".join(out).rstrip() + "\n"
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


PAGE = Path(__file__).resolve().parent.parent / "hooks.md"

if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
