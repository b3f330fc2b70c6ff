"""guanxi demo: reproducible, explained, through the real importer."""

import json

from click.testing import CliRunner

from guanxi.cli import cli


def _demo(tmp_path, name, *extra):
    args = ["demo", "--customers", "300", "--dir", str(tmp_path / name), "--seed", "7",
            "--as-of", "2026-11-23", *extra]
    import os

    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _export(tmp_path, name, what):
    out = tmp_path / f"{name}-{what}.jsonl"
    config = tmp_path / name / "guanxi.toml"
    result = CliRunner().invoke(cli, ["--config", str(config), "export", what, str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_the_demo_is_reproducible_and_every_label_and_task_is_explained(tmp_path):
    first = _demo(tmp_path, "a")
    segments_a = _export(tmp_path, "a", "segments")
    tasks_a = _export(tmp_path, "a", "tasks")
    second = _demo(tmp_path, "b")
    assert _export(tmp_path, "b", "segments") == segments_a
    # Next week's plan is built now, not as of a day: its tasks carry the real
    # moment they were made; everything else is the same run for run.
    def stable(tasks):
        return [{k: v for k, v in t.items() if not (k == "created_at" and t["rule"] == "core.visits")}
                for t in tasks]

    assert stable(_export(tmp_path, "b", "tasks")) == stable(tasks_a)
    assert first.replace("/a", "/b") == second.replace("/a", "/b")
    assert len(segments_a) == 300
    assert {s["label"] for s in segments_a} == {"active", "dormant", "lost"}
    assert all(("days ago" in s["reason"]) or ("no contact" in s["reason"]) for s in segments_a)
    rules = {t["rule"] for t in tasks_a}
    assert {"core.reactivation", "core.overdue_tasks", "core.visits"} <= rules
    assert all(t["reason"] for t in tasks_a)
    escalation = next(t for t in tasks_a if t["rule"] == "core.overdue_tasks")
    assert escalation["reason"].startswith("task ")
    assert "overdue" in escalation["reason"]
    for heading in ("Segment core.activity", "Open tasks", "Busiest managers", "Open cases",
                    "Next week's visit plan 2026-W49", "KPIs this month"):
        assert heading in first


def test_the_demo_refuses_a_database_with_customers(tmp_path):
    import os

    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    _demo(tmp_path, "a")
    args = ["demo", "--customers", "50", "--dir", str(tmp_path / "c"),
            "--as-of", "2026-11-23", "--database",
            url or f"sqlite:///{tmp_path / 'a' / 'guanxi.db'}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "already holds customers" in result.output


def test_a_packs_demo_summary_is_printed_after_the_cores(tmp_path, monkeypatch):
    import importlib.metadata as md
    import os
    import sys

    from guanxi import plugins

    # An installed pack, as an entry point would load it, whose demo data has a summary.
    (tmp_path / "summarypack.py").write_text(
        "import guanxi\n"
        "def _summary(ws, ctx):\n"
        "    return f'Summary pack: {ws.count_unowned() >= 0} as of {ctx.as_of}\\n'\n"
        "@guanxi.hookimpl\n"
        "def guanxi_demo_data():\n"
        "    return [guanxi.DemoData(name='summarypack.none', description='nothing',\n"
        "                            generate=lambda ctx: {}, summary=_summary)]\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("summarypack", None)
    real = plugins.installed_packs

    def installed():
        found = dict(real())
        found["summarypack"] = md.EntryPoint(name="summarypack", value="summarypack",
                                             group=plugins.ENTRY_POINT_GROUP)
        return found

    monkeypatch.setattr(plugins, "installed_packs", installed)
    args = ["demo", "--pack", "summarypack", "--customers", "50", "--dir", str(tmp_path / "s"),
            "--as-of", "2026-11-23"]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Summary pack: True as of 2026-11-23" in result.output
    # After the core's summary, before the closing hint.
    assert (result.output.index("KPIs this month") < result.output.index("Summary pack")
            < result.output.index("The workspace is in"))
