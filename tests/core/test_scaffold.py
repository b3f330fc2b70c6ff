"""guanxi pack new: the scaffolded pack passes its own test out of the box."""

import os
import subprocess
import sys

from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.config import tomllib


def test_pack_new_writes_a_pack_whose_own_test_passes(tmp_path):
    target = tmp_path / "shop"
    result = CliRunner().invoke(cli, ["pack", "new", "shop", "--dir", str(target)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()) == [
        "README.md", "docs/shop.md", "pyproject.toml", "src/guanxi_shop/__init__.py",
        "tests/test_shop.py"]
    project = tomllib.loads((target / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "guanxi-shop"
    assert project["project"]["entry-points"]["guanxi"] == {"shop": "guanxi_shop"}
    env = dict(os.environ, PYTHONPATH=str(target / "src"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(target / "tests")], env=env, capture_output=True, text=True,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_pack_new_refuses_a_bad_name_and_a_full_directory(tmp_path):
    bad = CliRunner().invoke(cli, ["pack", "new", "Shop-1", "--dir", str(tmp_path / "x")])
    assert bad.exit_code == 2
    assert "must be lower-case letters" in bad.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    full = CliRunner().invoke(cli, ["pack", "new", "shop", "--dir", str(tmp_path / "full")])
    assert full.exit_code == 1
    assert "is not empty" in full.output
