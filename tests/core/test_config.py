"""guanxi.toml: finding it, the [guanxi] section, pack sections, and
`guanxi config show`. Every bad config is one error naming the file, the key
and what is allowed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import guanxi
from core_helpers import fake_dists, write  # noqa: F401 - fake_dists is a fixture
from guanxi.cli import cli
from guanxi.config import read_config
from guanxi.errors import ConfigError
from guanxi.plugins import installed_packs
from hookpack import HookPack

TESTPACK_DEFAULTS = {
    "mode": "strict", "notes.enabled": True, "notes.share": 0.5,
    "notes.since": dt.date(2026, 1, 1), "notes.tags": ["a", "b"], "threshold": 3,
}


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch):
    # The tests set what they need; a developer's own settings must not leak in.
    monkeypatch.delenv("GUANXI_CONFIG", raising=False)
    monkeypatch.delenv("GUANXI_DATABASE", raising=False)


def config(tmp_path, text: str, name: str = "guanxi.toml"):
    return write(tmp_path / name, '[guanxi]\ndatabase = "sqlite:///g.db"\n' + text)


def open_with_testpack(path):
    return guanxi.open(path, extra_packs={"testpack": HookPack()})


def config_error(call) -> str:
    with pytest.raises(ConfigError) as failure:
        call()
    return str(failure.value)


# ---------------------------------------------------------------------------
# [guanxi]
# ---------------------------------------------------------------------------


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = read_config()
    assert (cfg.path, cfg.database, cfg.packs, cfg.timezone, cfg.language) == (
        None, f"sqlite:///{tmp_path.resolve()}/guanxi.db", (), "Asia/Shanghai", "en")
    assert cfg.label == "the default configuration"


def test_unknown_key_in_the_guanxi_section(tmp_path):
    path = config(tmp_path, 'databse = "sqlite:///x.db"\n')
    assert config_error(lambda: read_config(path)) == (
        "guanxi.toml: unknown key 'databse' in [guanxi] (did you mean 'database'?); allowed: "
        "database, packs, timezone, language, currency, lock_timeout")


@pytest.mark.parametrize(("line", "message"), [
    ('packs = "banking"', "[guanxi] packs = 'banking' must be a list of texts like [\"a\", \"b\"]"),
    ('packs = ["banking", 3]',
     "[guanxi] packs = ['banking', 3] must be a list of texts like [\"a\", \"b\"]"),
    ("timezone = 8", "[guanxi] timezone = 8 must be a text in quotes"),
    ('timezone = "Mars/Olympus"',
     "[guanxi] timezone = 'Mars/Olympus' is not a known time zone; use an IANA name like "
     "Asia/Shanghai"),
    ('language = "fr"', "[guanxi] language = 'fr' is not allowed; use one of: en, zh"),
])
def test_wrong_values_in_the_guanxi_section(tmp_path, line, message):
    path = config(tmp_path, line + "\n")
    assert config_error(lambda: read_config(path)) == f"guanxi.toml: {message}"


def test_the_guanxi_section_must_be_a_table(tmp_path):
    path = write(tmp_path / "guanxi.toml", 'guanxi = "sqlite:///g.db"\n')
    assert config_error(lambda: read_config(path)) == "guanxi.toml: [guanxi] must be a table"


def test_bad_toml_names_line_and_column(tmp_path):
    path = write(tmp_path / "guanxi.toml", '[guanxi]\ndatabase = "sqlite:///g.db\npacks = []\n')
    assert config_error(lambda: read_config(path)) == (
        "guanxi.toml: not valid TOML: Illegal character '\\n' (at line 2, column 27)")


def test_a_config_that_is_not_utf8(tmp_path):
    path = write(tmp_path / "guanxi.toml", '[guanxi]\nlanguage = "中文"\n', encoding="gb18030")
    assert config_error(lambda: read_config(path)) == (
        "guanxi.toml: not UTF-8 text; save it as UTF-8")


def test_repeated_packs_count_once_in_order(tmp_path):
    path = config(tmp_path, 'packs = ["b", "a", "b"]\n')
    assert read_config(path).packs == ("b", "a")


# ---------------------------------------------------------------------------
# a pack's section
# ---------------------------------------------------------------------------


def test_pack_sections_get_their_defaults(tmp_path):
    ws = open_with_testpack(config(tmp_path, ""))
    assert ws.settings["testpack"] == TESTPACK_DEFAULTS


def test_pack_values_from_the_file_at_the_bounds(tmp_path):
    path = config(tmp_path, """\
        [testpack]
        threshold = 10
        mode = "lenient"

        [testpack.notes]
        share = 0
        since = "2026-02-01"
        enabled = false
        tags = []
        """)
    assert open_with_testpack(path).settings["testpack"] == {
        "mode": "lenient", "notes.enabled": False, "notes.share": 0,
        "notes.since": dt.date(2026, 2, 1), "notes.tags": [], "threshold": 10,
    }


def test_a_toml_date_is_a_date(tmp_path):
    path = config(tmp_path, "[testpack.notes]\nsince = 2026-03-01\n")
    assert open_with_testpack(path).settings["testpack"]["notes.since"] == dt.date(2026, 3, 1)


ALLOWED_KEYS = "mode, notes.enabled, notes.share, notes.since, notes.tags, threshold"


@pytest.mark.parametrize(("section", "message"), [
    ("[testpack]\ntreshold = 3",
     "unknown key [testpack] treshold (did you mean 'threshold'?); "
     f"the pack 'testpack' takes: {ALLOWED_KEYS}"),
    ("[testpack.notes]\ncolour = 1",
     f"unknown key [testpack.notes] colour; the pack 'testpack' takes: {ALLOWED_KEYS}"),
    ('[testpack]\nthreshold = "3"', "[testpack] threshold = '3' must be a whole number"),
    ("[testpack]\nthreshold = 3.0", "[testpack] threshold = 3.0 must be a whole number"),
    ("[testpack]\nthreshold = true", "[testpack] threshold = True must be a whole number"),
    ("[testpack.notes]\nshare = true", "[testpack.notes] share = True must be a number"),
    ('[testpack.notes]\nsince = "2026-13-01"',
     "[testpack.notes] since = '2026-13-01' must be a date like 2026-11-23"),
    ("[testpack.notes]\nenabled = 1", "[testpack.notes] enabled = 1 must be true or false"),
    ('[testpack.notes]\ntags = ["a", 1]',
     "[testpack.notes] tags = ['a', 1] must be a list of texts like [\"a\", \"b\"]"),
    ("[testpack]\nthreshold = 0", "[testpack] threshold = 0 must be between 1 and 10"),
    ("[testpack]\nthreshold = 11", "[testpack] threshold = 11 must be between 1 and 10"),
    ("[testpack.notes]\nshare = 1.0001", "[testpack.notes] share = 1.0001 must be between 0 and 1"),
    ("[testpack.notes]\nshare = -0.5", "[testpack.notes] share = -0.5 must be between 0 and 1"),
    ('[testpack]\nmode = "loose"',
     "[testpack] mode = 'loose' is not allowed; use one of: strict, lenient"),
])
def test_bad_pack_settings(tmp_path, section, message):
    path = config(tmp_path, section + "\n")
    assert config_error(lambda: open_with_testpack(path)) == f"guanxi.toml: {message}"


def test_a_pack_section_must_be_a_table(tmp_path):
    path = write(tmp_path / "guanxi.toml", 'testpack = "on"\n[guanxi]\n')
    assert config_error(lambda: open_with_testpack(path)) == (
        "guanxi.toml: [testpack] must be a table")


def test_a_core_option_is_checked_like_a_packs(tmp_path):
    options = {name: o for (pack, name), o in
               guanxi.open(config(tmp_path, "")).plugins.config_options().items() if pack == "core"}
    name, option = next((n, o) for n, o in options.items() if o.minimum is not None)
    head, _, leaf = name.rpartition(".")
    path = config(tmp_path, f"[core.{head}]\n{leaf} = {option.minimum - 1}\n", name="low.toml")
    bound = (f"between {option.minimum} and {option.maximum}" if option.maximum is not None
             else f"at least {option.minimum}")
    assert config_error(lambda: guanxi.open(path)) == (
        f"low.toml: [core.{head}] {leaf} = {option.minimum - 1} must be {bound}")


def test_a_section_of_no_installed_pack(tmp_path):
    path = config(tmp_path, "[bankng]\na = 1\n")
    installed = ", ".join(sorted(installed_packs())) or "none"
    assert config_error(lambda: guanxi.open(path)) == (
        f"guanxi.toml: section [bankng] names no installed pack (did you mean 'banking'?); installed: {installed}")


def test_a_section_of_an_installed_disabled_pack_is_kept_unchecked(tmp_path, fake_dists):
    # Disabling a pack must not make its settings an error.
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    path = config(tmp_path, "[testpack]\nthreshold = 99\n")
    ws = guanxi.open(path)
    assert "testpack" not in ws.settings
    assert ws.config.sections["testpack"] == {"threshold": 99}


# ---------------------------------------------------------------------------
# where the config comes from
# ---------------------------------------------------------------------------


def test_precedence_of_config_files(tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    config(here, 'language = "en"\n')
    env = config(tmp_path, 'language = "zh"\n', name="env.toml")
    explicit = config(tmp_path, 'timezone = "UTC"\n', name="explicit.toml")
    monkeypatch.chdir(here)
    assert read_config().path == here / "guanxi.toml"
    monkeypatch.setenv("GUANXI_CONFIG", str(env))
    assert (read_config().path, read_config().language) == (env, "zh")
    assert read_config(explicit).path == explicit
    # The command line's --config wins over GUANXI_CONFIG too.
    out = CliRunner().invoke(cli, ["--config", str(explicit), "config", "show", "--format", "json"])
    assert json.loads(out.stdout)["config_file"] == str(explicit)
    out = CliRunner().invoke(cli, ["config", "show", "--format", "json"])
    assert json.loads(out.stdout)["config_file"] == str(env)


def test_missing_config_files(tmp_path, monkeypatch):
    assert config_error(lambda: read_config(tmp_path / "nope.toml")) == (
        f"{tmp_path / 'nope.toml'}: no such config file")
    monkeypatch.setenv("GUANXI_CONFIG", str(tmp_path / "gone.toml"))
    assert config_error(lambda: read_config()) == (
        f"{tmp_path / 'gone.toml'}: no such config file (named by GUANXI_CONFIG)")


def test_database_precedence(tmp_path, monkeypatch):
    path = config(tmp_path, "")
    assert read_config(path).database == f"sqlite:///{tmp_path.resolve()}/g.db"
    monkeypatch.setenv("GUANXI_DATABASE", "postgresql+psycopg://u@h/from_env")
    assert read_config(path).database == "postgresql+psycopg://u@h/from_env"
    assert read_config(path, database="sqlite:////tmp/explicit.db").database == (
        "sqlite:////tmp/explicit.db")
    out = CliRunner().invoke(cli, ["--config", str(path), "config", "show", "--format", "json"])
    assert json.loads(out.stdout)["guanxi"]["database"] == "postgresql+psycopg://u@h/from_env"
    out = CliRunner().invoke(cli, ["--config", str(path), "--database", "sqlite:////tmp/cli.db",
                                   "config", "show", "--format", "json"])
    assert json.loads(out.stdout)["guanxi"]["database"] == "sqlite:////tmp/cli.db"


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///data/g.db", "sqlite:///{dir}/data/g.db"),
    ("sqlite:///../g.db", "sqlite:///{parent}/g.db"),
    ("sqlite:///g.db?timeout=5", "sqlite:///{dir}/g.db?timeout=5"),
    ("sqlite:////abs/g.db", "sqlite:////abs/g.db"),
    ("sqlite:///:memory:", "sqlite:///:memory:"),
    ("sqlite://", "sqlite://"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
])
def test_a_relative_sqlite_path_is_relative_to_the_config_file(tmp_path, monkeypatch, url,
                                                               expected):
    folder = tmp_path / "conf"
    folder.mkdir()
    path = write(folder / "guanxi.toml", f'[guanxi]\ndatabase = "{url}"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert read_config(path).database == expected.format(
        dir=folder.resolve(), parent=tmp_path.resolve())


# ---------------------------------------------------------------------------
# guanxi config show
# ---------------------------------------------------------------------------


def _show(path, *args):
    result = CliRunner().invoke(cli, ["--config", str(path), "config", "show", *args])
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout


def test_config_show_prints_every_default_as_toml(tmp_path, fake_dists):
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    path = config(tmp_path, 'packs = ["testpack"]\n[testpack]\nthreshold = 4\n')
    text = _show(path)
    lines = text.splitlines()
    assert lines[:8] == [
        f"# from {path.resolve()}",
        "[guanxi]",
        f'database = "sqlite:///{tmp_path.resolve()}/g.db"',
        'packs = ["testpack"]',
        'timezone = "Asia/Shanghai"',
        'language = "en"',
        'currency = "CNY"',
        "lock_timeout = 300",
    ]
    start = lines.index("[testpack]")
    assert lines[start:] == [
        "[testpack]",
        "# How strict to be.",
        'mode = "strict"',
        "# Visits that count as regular.",
        "threshold = 4",
        "",
        "[testpack.notes]",
        "# Whether notes are kept.",
        "enabled = true",
        "# Share of notes kept.",
        "share = 0.5",
        "# Notes from this day on.",
        "since = 2026-01-01",
        "# Tags a note may carry.",
        'tags = ["a", "b"]',
    ]
    # What it prints is a config that reads back to the same settings.
    again = write(tmp_path / "again.toml", text)
    assert guanxi.open(again).settings == guanxi.open(path).settings


def test_config_show_as_json(tmp_path, fake_dists):
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    path = config(tmp_path, 'packs = ["testpack"]\nlanguage = "zh"\n')
    data = json.loads(_show(path, "--format", "json"))
    core_defaults = {name: o.default for (pack, name), o in
                     guanxi.open(path).plugins.config_options().items() if pack == "core"}
    assert data == {
        "config_file": str(path.resolve()),
        "guanxi": {"database": f"sqlite:///{tmp_path.resolve()}/g.db", "packs": ["testpack"],
                   "timezone": "Asia/Shanghai", "language": "zh", "currency": "CNY",
                   "lock_timeout": 300},
        "packs": {"core": core_defaults,
                  "testpack": {**TESTPACK_DEFAULTS, "notes.since": "2026-01-01"}},
        "targets": {}, "broken": {}, "unknown_sections": [],
    }


def test_config_show_without_a_file_prints_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "# from defaults (no guanxi.toml found)", "[guanxi]",
        f'database = "sqlite:///{tmp_path.resolve()}/guanxi.db"']


def test_a_bad_config_stops_a_command_with_one_line(tmp_path):
    path = config(tmp_path, "databse = 1\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "customers", "list"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: guanxi.toml: unknown key 'databse' in [guanxi] (did you mean 'database'?); "
        "allowed: database, packs, timezone, language, currency, lock_timeout\n")


def test_a_text_list_option_checks_each_item_against_allowed(tmp_path):
    from guanxi.config import pack_settings

    option = guanxi.ConfigOption(name="days", type="text list", default=["mon"],
                                 allowed=("mon", "tue", "wed"), description="")
    good = read_config(config(tmp_path, '[p]\ndays = ["mon", "wed"]\n'))
    assert pack_settings(good, "p", [option]) == {"days": ["mon", "wed"]}
    bad = read_config(config(tmp_path, '[p]\ndays = ["mon", "sun"]\n', name="bad.toml"))
    with pytest.raises(ConfigError) as caught:
        pack_settings(bad, "p", [option])
    assert str(caught.value) == (
        "bad.toml: [p] days = ['mon', 'sun'] is not allowed; use one of: mon, tue, wed")


def test_config_show_flags_a_section_of_no_installed_pack(tmp_path):
    path = config(tmp_path, "[bankin.abc]\na_share = 0.1\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "config", "show"])
    assert result.exit_code == 0
    assert "# section [bankin] names no installed pack: every job refuses it" in result.output
    data = json.loads(CliRunner().invoke(
        cli, ["--config", str(path), "config", "show", "--format", "json"]).output)
    assert data["unknown_sections"] == ["bankin"]


def test_a_number_list_option_checks_each_item_against_its_bounds(tmp_path):
    from guanxi.config import pack_settings

    option = guanxi.ConfigOption(name="cuts", type="number list", default=[80, 65],
                                 minimum=0, maximum=100, description="")
    good = read_config(config(tmp_path, "[p]\ncuts = [90, 72.5, 0]\n"))
    assert pack_settings(good, "p", [option]) == {"cuts": [90, 72.5, 0]}
    for text, message in (
        ('cuts = [90, "x"]', "[p] cuts = [90, 'x'] must be a list of numbers like [80, 65.5]"),
        ("cuts = [90, true]", "[p] cuts = [90, True] must be a list of numbers like [80, 65.5]"),
        ("cuts = [90, 100.5]", "[p] cuts = [90, 100.5] must be between 0 and 100"),
    ):
        bad = read_config(config(tmp_path, f"[p]\n{text}\n", name="bad.toml"))
        with pytest.raises(ConfigError) as caught:
            pack_settings(bad, "p", [option])
        assert str(caught.value) == f"bad.toml: {message}"


def test_an_options_check_says_what_type_and_bounds_cannot(tmp_path):
    from guanxi.config import pack_settings

    def distinct(value):
        return None if len(set(value)) == len(value) else "must be different numbers"

    option = guanxi.ConfigOption(name="cuts", type="number list", default=[80, 65],
                                 description="", check=distinct)
    good = read_config(config(tmp_path, "[p]\ncuts = [90, 70]\n"))
    assert pack_settings(good, "p", [option]) == {"cuts": [90, 70]}
    bad = read_config(config(tmp_path, "[p]\ncuts = [80, 80]\n", name="bad.toml"))
    with pytest.raises(ConfigError) as caught:
        pack_settings(bad, "p", [option])
    assert str(caught.value) == "bad.toml: [p] cuts = [80, 80] must be different numbers"
