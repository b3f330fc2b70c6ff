"""Issue 21's pages in a real browser (Playwright driving Debian's Chromium, as
test_browser.py): My numbers with its charts drawn and its drill-down, the lead's team
page in Chinese with a handover, the admin's upload and batch; a manager gets 403 on
the team's and the admin's pages; no script breaks the CSP. Screenshots for docs/web.md."""

from __future__ import annotations

from test_browser import IMAGES, browser, log_in, server  # noqa: F401  (fixtures)


def _csp_watch(page) -> list:
    """Scripts refused by the CSP and script errors, as the page meets them."""
    problems = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _drawn(page) -> int:
    """How many canvases Chart.js drew on."""
    return page.evaluate("[...document.querySelectorAll('canvas[data-chart]')]"
                         ".filter(c => Chart.getChart(c) !== undefined).length")


def test_a_manager_reads_their_numbers_and_opens_the_rows_behind(org, server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = _csp_watch(page)
    log_in(page, server, "ann")
    page.click("nav >> text=My numbers")
    page.wait_for_url(f"{server}/numbers")
    page.wait_for_function("typeof Chart !== 'undefined'")
    charts = page.locator("canvas[data-chart]").count()
    assert charts >= 5 and _drawn(page) == charts
    assert page.locator("#kpi-core\\.open_tasks .rank").inner_text() == "2 of 2"  # M2 has 2, M1 1, L1 none
    page.screenshot(path=str(IMAGES / "web-numbers.png"), full_page=True)
    page.click("#kpi-core\\.overdue_tasks .value a")
    page.wait_for_url("**/numbers/core.overdue_tasks/rows?**")
    assert page.locator(f"#row-task-{org.task['C1']}").count() == 1
    page.screenshot(path=str(IMAGES / "web-numbers-rows.png"), full_page=True)
    for path in ("/team", "/admin", "/admin/import", "/admin/batch"):
        assert page.goto(f"{server}{path}").status == 403
    assert problems == []


def test_a_lead_runs_the_week_in_chinese_and_hands_a_customer_over(org, server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = _csp_watch(page)
    log_in(page, server, "lee")
    page.click("text=中文")
    page.wait_for_load_state()
    page.goto(f"{server}/team")
    page.wait_for_function("typeof Chart !== 'undefined'")
    assert _drawn(page) == 2  # the tasks per manager and the pack's chart
    assert "客户经理任务" in page.inner_text("main") and "团队指标" in page.inner_text("main")
    page.screenshot(path=str(IMAGES / "web-team.png"), full_page=True)
    form = page.locator("#reassign")
    form.locator("select[name=from_manager]").select_option("M2")
    form.locator("select[name=to_manager]").select_option("M1")
    form.locator("input[name=customers]").fill("C4")
    form.locator("input[name=reason]").fill("休假")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#moved")
    assert org.ws.customer("C4").manager_id == "M1"
    assert problems == []


def test_an_admin_uploads_a_file_and_runs_the_batch(org, server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = _csp_watch(page)
    log_in(page, server, "root")
    page.goto(f"{server}/admin/import")
    upload = tmp_path / "客户.csv"
    upload.write_text("id,name,manager_id,created_at\nC7,七号商店,M1,2026-11-03\n"
                      "C9,Nine,M9,2026-11-05\n", encoding="utf-8")
    page.select_option("select[name=entity]", "customers")
    page.set_input_files("input[name=upload]", str(upload))
    page.click("#import button[type=submit]")
    page.wait_for_selector("#import-summary")
    assert page.locator("#import-summary .inserted").inner_text() == "1"
    assert page.locator("#import-summary .rejected").inner_text() == "1"
    page.screenshot(path=str(IMAGES / "web-import.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#rejects")
    assert "M9" in open(download.value.path(), encoding="utf-8-sig").read()
    page.goto(f"{server}/admin/batch")
    page.click("#run-batch button")
    # htmx polls the status until the batch ends
    page.wait_for_selector("#batch-status[data-state=done]", timeout=60_000)
    page.screenshot(path=str(IMAGES / "web-batch.png"), full_page=True)
    page.goto(f"{server}/admin/setup")
    assert page.locator("#pack-web").count() == 1
    assert problems == []
