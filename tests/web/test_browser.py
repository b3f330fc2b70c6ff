"""The pages in a real browser: Playwright driving Debian's Chromium.

Playwright's own browser download needs the internet, which CI machines do
not have: the browser is Debian's (``apt-get install chromium
fonts-noto-cjk``, which .ci/run does when missing), launched by path. The
tests take the screenshots docs/web.md shows (docs/images/web-*.png): into
a temporary folder on every run, into docs/images with
``GUANXI_UPDATE_SCREENSHOTS=1 make test`` after a page changes, so that a
test run leaves the checkout as it was.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
IMAGES = (DOC_IMAGES if os.environ.get("GUANXI_UPDATE_SCREENSHOTS")
          else Path(tempfile.mkdtemp(prefix="guanxi-screenshots-")))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def server(org):
    """The web workspace served by uvicorn on a free port, in a thread."""
    import uvicorn

    from guanxi.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(org.ws), host="127.0.0.1", port=port, log_level="warning",
                            access_log=False)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def log_in(page, base, login, password="correct horse"):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_manager_logs_in_works_the_day_and_marks_a_task_done(org, server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{server}/login")
    page.screenshot(path=str(IMAGES / "web-login.png"))
    log_in(page, server, "ann")
    task = page.locator(f"#task-{org.task['C1']}")
    assert "a visit is due" in task.inner_text()
    page.screenshot(path=str(IMAGES / "web-my-day.png"), full_page=True)
    task.locator("input[name=outcome]").fill("ordered 20 cartons")
    task.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"#task-{org.task['C1']}").count() == 0
    [done] = org.ws.tasks(customer="C1", status="done")
    assert done.outcome == "ordered 20 cartons"
    # log a call from the same page
    form = page.locator("#log-contact")
    form.locator("input[name=customer_id]").fill("C4")
    form.locator("select[name=kind]").select_option("call")
    form.locator("input[name=outcome]").fill("will order next week")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{server}/?saved=1")
    assert [i["outcome"] for i in org.ws.customer_view("C4")["interactions"]] == [
        "will order next week"]


def test_a_manager_opens_a_customer_and_takes_a_case_step(org, server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    log_in(page, server, "ann")
    page.click("nav >> text=Customers")
    page.fill("input[name=q]", "13800138000")
    page.click("form[role=search] button")
    page.click("a[href='/customers/C1']")
    page.wait_for_url(f"{server}/customers/C1")
    assert "王记商店" in page.inner_text("h1")
    assert "Visit checklist" in page.content()
    page.screenshot(path=str(IMAGES / "web-customer.png"), full_page=True)
    page.click("nav >> text=Cases")
    case = page.locator(f"#case-{org.case['C1']}")
    case.locator("select[name=action]").select_option("respond")
    case.locator("input[name=note]").fill("technician on the way")
    page.screenshot(path=str(IMAGES / "web-cases.png"), full_page=True)
    case.locator("button[type=submit]").click()
    page.wait_for_url(f"{server}/cases")
    event = org.ws.case_history(org.case["C1"])[-1]
    assert (event.action, event.actor_id, event.note) == ("respond", "M1", "technician on the way")


def test_a_lead_sees_the_team_on_a_phone_in_chinese(org, server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    log_in(page, server, "lee")
    page.click("text=中文")
    page.wait_for_load_state()
    assert "我的一天" in page.inner_text("h1")
    assert page.locator(".task").count() == 2  # M1's and M2's due today or overdue
    page.screenshot(path=str(IMAGES / "web-phone-zh.png"), full_page=True)
    page.goto(f"{server}/team")
    assert {"M1", "M2", "L1"} <= set(page.locator("td").all_inner_texts())
    # scripts only from our own files (the CSP allows none inline): the charts' two
    assert page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)") == [
        "/static/chart.umd.js", "/static/charts.js"]


def test_an_admin_adds_a_user_who_logs_in(org, server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    log_in(page, server, "root")
    page.click("nav >> text=Admin")
    form = page.locator("#add-user")
    form.locator("input[name=login]").fill("zoe")
    form.locator("input[name=manager]").fill("M3")
    form.locator("select[name=role]").select_option("manager")
    form.locator("select[name=language]").select_option("zh")
    form.locator("input[name=password]").fill("long enough")
    page.screenshot(path=str(IMAGES / "web-admin.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{server}/admin")
    assert "zoe" in page.locator("#user-zoe").inner_text()
    assert org.ws.audit_log(actor="root")[-1].action == "user added"
    page.click("header button:has-text('Log out')")
    page.wait_for_url(f"{server}/login")
    log_in(page, server, "zoe", "long enough")
    assert "我的一天" in page.inner_text("h1")
