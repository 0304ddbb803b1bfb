"""Shared fixtures: a live ``streamlit run`` server and a headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import streamlit  # noqa: F401  (before the style, as in the app: importing streamlit makes its template plotly's default)

from nnviz import threads
from nnviz.catalog import ROOT
from nnviz.figures import style

threads.limit()  # as app.py does at startup
style.VALIDATE = True  # every figure a test builds is checked by plotly (the app skips it for speed)

SCREENSHOTS = Path(os.environ.get("NNVIZ_SCREENSHOTS", ROOT / "screenshots"))
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """Debian's chromium, or whatever CHROMIUM points at."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


def start_streamlit(port: int, extra: list[str] | None = None, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:port, as the README runs it (``env``: extra environment variables)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", *(extra or [])]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=os.environ | (env or {}))


@contextlib.contextmanager
def streamlit_server(extra: list[str] | None = None):
    """A fresh ``streamlit run app.py`` on a free port; yields its base URL and stops it afterwards."""
    with streamlit_process(extra) as (url, _):
        yield url


@contextlib.contextmanager
def streamlit_process(extra: list[str] | None = None, env: dict[str, str] | None = None):
    """As ``streamlit_server``, yielding (base URL, the server's process) for tests that measure the server."""
    port = _free_port()
    proc = start_streamlit(port, extra, env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI: apt-get install chromium")
        pytest.skip("no Chromium found (Debian: apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def pytest_collection_modifyitems(items):
    """Browser tests belong to the full tier: every ``browser`` test is also ``slow``."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
