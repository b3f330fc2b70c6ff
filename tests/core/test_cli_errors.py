"""Errors for people on the command line: usage errors, a closed pipe, --debug
anywhere, packs not installed, and "did you mean" for names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from core_helpers import write
from guanxi.cli import cli
from guanxi.plugins import installed_packs

GUANXI = Path(sys.executable).with_name("guanxi")
needs_script = pytest.mark.skipif(not GUANXI.exists(), reason="the console script is not installed")

MANAGERS = "id,name,territory,active\nM1,Wang,north,true\n"


@pytest.fixture
def cfg(workspace, tmp_path):
    workspace.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    workspace.save("customers", [{"id": "C1", "name": "Ann", "manager_id": "M1"}])
    return workspace.config.path


def invoke(cfg, *args, env=None):
    result = CliRunner().invoke(cli, ["--config", str(cfg), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def process(*args, cwd=None, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    env.pop("GUANXI_DEBUG", None) if "GUANXI_DEBUG" not in (env_extra or {}) else None
    return subprocess.run([str(GUANXI), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


# -- options that parse a value ----------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["kpi", "--period", "nov"],
    ["labels", "lock", "core.activity", "--period", "2026-13"],
])
def test_a_period_that_is_not_one_is_a_usage_error_naming_the_option_and_forms(cfg, args):
    code, out, err = invoke(cfg, *args)
    value = args[-1]
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        f"Error: Invalid value for '--period': {value!r} is not a period; write a month "
        "2026-10, a quarter 2026-Q3, a week 2026-W48, a year 2026 or a day 2026-10-05")


def test_a_date_that_is_not_one_is_a_usage_error(cfg):
    code, out, err = invoke(cfg, "run", "--as-of", "23.11.2026")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "Error: Invalid value for '--as-of': '23.11.2026' does not match the format '%Y-%m-%d'.")


# -- a closed pipe -----------------------------------------------------------------------


@needs_script
def test_piping_into_head_ends_quietly(workspace, tmp_path):
    # Enough rows to fill the pipe: the writer meets the reader gone.
    rows = "".join(f"C{n:05d},Customer number {n},person,,north,active,2024-01-01\n"
                   for n in range(6000))
    workspace.import_file("customers", write(
        tmp_path / "customers.csv", "id,name,kind,manager_id,territory,status,created_at\n" + rows))
    writer = subprocess.Popen(
        [str(GUANXI), "--config", str(workspace.config.path), "customers", "list", "--format",
         "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.Popen(["head", "-1"], stdin=writer.stdout, stdout=subprocess.PIPE)
    writer.stdout.close()
    first, _ = head.communicate(timeout=60)
    err = writer.stderr.read()
    writer.stderr.close()
    assert writer.wait(timeout=60) == 0
    assert (first, err) == (b"id,name,kind,manager_id,territory,status,created_at\r\n", b"")


# -- --debug anywhere --------------------------------------------------------------------


@needs_script
@pytest.mark.parametrize("where", ["first", "last", "env"])
def test_debug_works_wherever_it_stands_and_as_guanxi_debug(tmp_path, where):
    assert process("init", cwd=tmp_path).returncode == 0
    args = ["customers", "reassign", "--from", "M9", "--to", "M1"]
    env = None
    if where == "first":
        args = ["--debug", *args]
    elif where == "last":
        args = [*args, "--debug"]
    else:
        env = {"GUANXI_DEBUG": "1"}
    done = process(*args, cwd=tmp_path, env_extra=env)
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert done.stderr.splitlines()[-1] == "guanxi.errors.NotFoundError: no manager with id 'M9'"
    plain = process("customers", "reassign", "--from", "M9", "--to", "M1", cwd=tmp_path)
    assert (plain.returncode, plain.stderr) == (1, "Error: no manager with id 'M9'\n")


def test_quiet_and_debug_after_the_command_are_the_roots(cfg):
    plain = invoke(cfg, "customers", "list", "--format", "csv")
    assert plain[0] == 0 and plain[1].splitlines()[1] == "C1,Ann,person,M1,,active,"
    assert invoke(cfg, "customers", "list", "--format", "csv", "--quiet") == plain
    assert invoke(cfg, "customers", "list", "-q", "--format", "csv") == plain
    result = CliRunner().invoke(cli, ["--config", str(cfg), "customers", "reassign",
                                      "--from", "M9", "--to", "M1", "--debug"])
    # --debug lets the error itself out (the console script prints its traceback).
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "NotFoundError"


# -- packs not installed -----------------------------------------------------------------


def test_init_with_a_pack_not_installed_writes_nothing_and_names_the_installed(tmp_path):
    installed = ", ".join(n for n in installed_packs() if n != "core")
    folder = tmp_path / "new"
    result = CliRunner().invoke(cli, ["init", "--pack", "nosuchpack", "--dir", str(folder)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: pack 'nosuchpack' is not installed; installed packs: {installed}\n")
    assert not folder.exists()
    result = CliRunner().invoke(cli, ["init", "--pack", "bankng", "--dir", str(folder)])
    assert result.stderr == ("Error: pack 'bankng' is not installed (did you mean 'banking'?); "
                             f"installed packs: {installed}\n")
    assert not folder.exists()


def test_config_show_with_a_pack_not_installed_is_a_one_line_error(tmp_path):
    installed = ", ".join(n for n in installed_packs() if n != "core")
    config = write(tmp_path / "guanxi.toml", '[guanxi]\npacks = ["tobaco"]\n')
    for fmt in ("toml", "json"):
        result = CliRunner().invoke(cli, ["--config", str(config), "config", "show",
                                          "--format", fmt])
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == ("Error: pack 'tobaco' is not installed (did you mean "
                                 f"'tobacco'?); installed packs: {installed}\n")


def test_demo_with_a_pack_not_installed_writes_nothing(tmp_path):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--pack", "bankin", "--dir", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: pack 'bankin' is not installed (did you mean "
                                    "'banking'?)")
    assert not folder.exists()


# -- did you mean ------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["kpi", "core.custmers"], "unknown KPI 'core.custmers' (did you mean 'core.customers'?)"),
    (["rules", "run", "core.reactivaton"],
     "unknown rule 'core.reactivaton' (did you mean 'core.reactivation'?)"),
    (["segment", "core.activty"],
     "unknown segmentation 'core.activty' (did you mean 'core.activity'?)"),
    (["labels", "clear", "core.activty", "C1"],
     "unknown segmentation 'core.activty' (did you mean 'core.activity'?)"),
])
def test_unknown_names_get_a_suggestion(cfg, args, message):
    code, out, err = invoke(cfg, *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {message}; known: ")
    assert len(err.splitlines()) == 1


def test_unknown_config_keys_get_a_suggestion(tmp_path):
    config = write(tmp_path / "guanxi.toml", '[guanxi]\nlock_timout = 5\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "customers", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: guanxi.toml: unknown key 'lock_timout' in [guanxi] (did you mean 'lock_timeout'?)")


@pytest.mark.parametrize("line, message", [
    ('currency = "yuan"', "[guanxi] currency = 'yuan' is not a currency code; use three capital "
                          "letters of ISO 4217, like CNY, USD or EUR"),
    ("lock_timeout = -1", "[guanxi] lock_timeout = -1 must be a number of seconds, 0 or more"),
    ('lock_timeout = "5"', "[guanxi] lock_timeout = '5' must be a number"),
])
def test_currency_and_lock_timeout_are_checked(tmp_path, line, message):
    config = write(tmp_path / "guanxi.toml", f"[guanxi]\n{line}\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "show"])
    assert (result.exit_code, result.stderr) == (1, f"Error: guanxi.toml: {message}\n")
