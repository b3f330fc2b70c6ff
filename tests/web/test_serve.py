"""``guanxi serve`` itself, run as the command it is: started, logged into, stopped.

The other web tests build the application in the test's process; this one
starts the real command on a demo workspace as a subprocess on a free
port (``--port 0``, which it prints), logs in over HTTP and stops it with
SIGTERM, which must end it cleanly (exit 0).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from guanxi.cli import cli

GUANXI = str(Path(sys.executable).parent / "guanxi")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve") / "demo"
    args = ["demo", "--customers", "50", "--dir", str(folder), "--seed", "7",
            "--as-of", "2026-11-23"]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert re.search(r"^manager\s+guanxi-demo\s+manager", result.output, re.M)
    return folder


def _start(folder: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([GUANXI, "serve", *args], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _address(process: subprocess.Popen) -> str:
    """The URL the command prints once it listens (its first line on stderr)."""
    line = process.stderr.readline()
    assert line, f"guanxi serve ended at once: {process.communicate(timeout=30)}"
    found = re.search(r"on (http://127\.0\.0\.1:(\d+)/)", line)
    assert found and found[2] != "0", line
    return found[1]


def test_guanxi_serve_starts_on_a_free_port_serves_a_login_and_stops_on_sigterm(demo):
    process = _start(demo, "--port", "0")
    try:
        base = _address(process)
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 30
            while True:  # listening already; the app answers once uvicorn has started
                try:
                    form = client.get("/login")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "guanxi serve did not answer"
                    time.sleep(0.1)
            assert form.status_code == 200
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
            answer = client.post("/login", data={"login": "manager", "password": "guanxi-demo",
                                                 "csrf": csrf})
            assert (answer.status_code, answer.headers["location"]) == (303, "/")
            assert client.get("/").status_code == 200  # my day, with the session cookie
            assert client.get("/api/v1/me").json() == {
                "login": "manager", "manager_id": "M0001", "role": "manager"}
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Finished server process" in err
    assert "guanxi-demo" not in err  # no password in the server's log


def test_a_port_taken_is_one_sentence_and_exit_1(demo):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = _start(demo, "--port", str(port))
        out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.strip() == (f"Error: port {port} on 127.0.0.1 is taken by another program; "
                           "stop it or choose another port with --port")


def test_guanxi_serve_help_names_its_options():
    result = subprocess.run([GUANXI, "serve", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    assert "Serve the web workspace" in result.stdout
    assert "--host" in result.stdout and "--port" in result.stdout
    assert "0: a free one" in result.stdout
