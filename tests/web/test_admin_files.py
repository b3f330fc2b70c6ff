"""The admin's files and batch in the browser (issue 21): an upload goes through the
importer ``guanxi import`` uses and leaves what it leaves (rows, rejects file); the daily
batch runs in the background with its progress polled; packs, fields and config read."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from guanxi.cli import cli

CUSTOMERS = ("id,name,manager_id,territory,created_at\n"
             "C7,七号商店,M1,east,2026-11-03\n"
             "C8,Eight Trading,M2,east,2026-11-04\n"
             "C9,Nine,M9,east,2026-11-05\n")  # M9: no such manager, rejected


def test_an_upload_leaves_what_guanxi_import_leaves(org, tmp_path):
    root, csrf = org.browser("root")
    answer = root.post("/admin/import", data={"csrf": csrf, "entity": "customers"},
                       files={"upload": ("客户 11月.csv", CUSTOMERS.encode("utf-8"), "text/csv")})
    assert answer.status_code == 200, answer.text[:500]
    summary = answer.text.split('id="import-summary"')[1].split("</section>")[0]
    counts = {k: int(summary.split(f'class="num {k}">')[1].split("<")[0])
              for k in ("read", "inserted", "updated", "unchanged", "rejected")}
    assert counts == {"read": 3, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert org.ws.customer("C7").name == "七号商店" and org.ws.customer("C8").manager_id == "M2"
    link = summary.split('id="rejects" href="')[1].split('"')[0]
    rejects = root.get(link)
    assert rejects.status_code == 200
    # the same file through the command line: nothing left to change, the same rejects
    path = tmp_path / "same.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    typed = CliRunner().invoke(cli, ["--config", str(org.ws.config.path), "import",
                                     "customers", str(path), "--format", "json",
                                     "--rejects", str(tmp_path / "cli.rejects.csv")])
    assert typed.exit_code == 3, typed.output
    result = json.loads(typed.stdout)
    assert (result["read"], result["inserted"], result["updated"], result["unchanged"],
            result["rejected"]) == (3, 0, 0, 2, 1)
    assert (tmp_path / "cli.rejects.csv").read_bytes() == rejects.content
    [entry] = [e for e in org.ws.audit_log(actor="root") if e.source == "web POST /admin/import"]
    assert entry.entity == "customers"
    # the rejects files of uploads only; a manager may not import
    assert root.get("/admin/rejects/..%2Fguanxi.toml").status_code == 404
    ann, ann_csrf = org.browser("ann")
    refused = ann.post("/admin/import", data={"csrf": ann_csrf, "entity": "customers"},
                       files={"upload": ("c.csv", CUSTOMERS.encode(), "text/csv")})
    assert refused.status_code == 403 and ann.get(link).status_code == 403


def test_an_unknown_entity_is_named_on_the_page(org):
    root, csrf = org.browser("root")
    answer = root.post("/admin/import", data={"csrf": csrf, "entity": "customer"},
                       files={"upload": ("c.csv", CUSTOMERS.encode(), "text/csv")})
    assert answer.status_code == 422 and "did you mean" in answer.text


def _wait(client, state_not="running", seconds=60.0) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        status = client.get("/admin/batch/status").json()
        if status["state"] != state_not or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_the_daily_batch_runs_in_the_background_with_its_progress(org):
    root, csrf = org.browser("root")
    assert root.get("/admin/batch/status").json()["state"] == "idle"
    assert root.post("/admin/batch", data={"csrf": csrf}, follow_redirects=False
                     ).status_code == 303
    status = _wait(root)
    assert status["state"] == "done", status
    assert status["total"] > 0 and status["done"] == status["total"] and status["step"]
    assert status["login"] == "root" and status["failures"] == [] and status["error"] == ""
    entry = [e for e in org.ws.audit_log(actor="root") if e.source == "web POST /admin/batch"]
    assert entry, "the batch is audited as the admin"
    # the page polls the status with htmx while it runs; the fragment stops when done
    fragment = root.get("/admin/batch/status", headers={"HX-Request": "true"}).text
    assert 'data-state="done"' in fragment and "hx-trigger" not in fragment
    assert '<script src="/static/htmx.min.js"' in root.get("/admin/batch").text


def test_pages_answer_while_a_batch_holds_the_job_lock(org):
    from guanxi.web.settings import ServeSettings

    root, csrf = org.browser("root", settings=ServeSettings(busy_timeout=0.5))
    ann, _ = org.browser("ann")
    with org.ws.job("another batch"):
        assert ann.get("/numbers").status_code == 200
        assert ann.get("/").status_code == 200
        root.post("/admin/batch", data={"csrf": csrf})
        status = _wait(root)
    assert status["state"] == "failed" and "another batch" in status["error"]


def test_an_admin_reads_packs_fields_and_the_effective_config(org):
    root, _ = org.browser("root")
    page = root.get("/admin/setup").text
    assert 'id="pack-web"' in page
    config = page.split('id="config"')[1]
    assert "Asia/Shanghai" in config and "lock_timeout" in config
    assert org.browser("lee")[0].get("/admin/setup").status_code == 403
