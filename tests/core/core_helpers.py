"""Helpers shared by the core's tests: files, row counts, fake installed packs."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

import guanxi
from guanxi.storage import tables as t

HERE = Path(__file__).resolve().parent


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a file as given (newlines kept), dedented."""
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


def count(ws, table) -> int:
    with ws.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def counts(ws) -> dict[str, int]:
    """Rows in every core table: what "nothing was written" compares."""
    return {name: count(ws, table) for name, table in t.metadata.tables.items()}


def table_names(ws) -> set[str]:
    with ws.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def reopen(ws, extra_packs=None):
    """A second workspace on the same config, e.g. with a fresh pack object."""
    return guanxi.open(ws.config.path, extra_packs=extra_packs)


def read_text(path) -> str:
    return Path(path).read_text(encoding="utf-8")


class FakeDistributions:
    """Installed distributions made up for a test: a ``*.dist-info`` with
    ``entry_points.txt`` and the modules the entry points name, in a
    directory put first on ``sys.path``. Their modules leave
    ``sys.modules`` when the test ends, so a later test may reuse a name."""

    def __init__(self, root: Path, monkeypatch) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.modules: list[str] = []
        monkeypatch.syspath_prepend(str(root))

    def add(self, distribution: str, version: str, entry_points: dict[str, str],
            modules: dict[str, str] | None = None, requires: tuple[str, ...] = ()) -> None:
        """``requires``: ``Requires-Dist`` lines, e.g. ``("guanxi>=0.1,<0.3",)``."""
        folder = self.root / f"{distribution.replace('-', '_')}-{version}.dist-info"
        folder.mkdir()
        requires_dist = "".join(f"Requires-Dist: {line}\n" for line in requires)
        (folder / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n{requires_dist}",
            encoding="utf-8")
        lines = ["[guanxi]"] + [f"{name} = {value}" for name, value in entry_points.items()]
        (folder / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for name, source in (modules or {}).items():
            (self.root / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            self.modules.append(name)

    def cleanup(self) -> None:
        for name in self.modules:
            sys.modules.pop(name, None)


@pytest.fixture
def fake_dists(tmp_path, monkeypatch):
    dists = FakeDistributions(tmp_path / "site", monkeypatch)
    yield dists
    dists.cleanup()


#: A pack that loads and declares one field.
GOOD_PACK = '''
import guanxi

@guanxi.hookimpl
def guanxi_fields():
    return [guanxi.Field(name="segment_code", entity="customers", type="text")]
'''

#: A pack whose import fails.
BROKEN_PACK = '''
raise RuntimeError("the pack is broken on purpose")
'''
