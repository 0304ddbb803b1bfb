"""The hosted setup on loopback: two replicas started by the image's own entrypoint, behind Debian's nginx
with deploy/nginx/nnviz.conf, driven through the proxy in Chromium.

Needs nginx (Debian: apt-get install nginx); skipped without it, a failure under CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from nnviz.catalog import ROOT
from tests.browser_utils import error_texts, wait_until_idle
from tests.conftest import _free_port, _wait_healthy

pytestmark = pytest.mark.browser

COOKIE_SECRET = "nnviz-test-secret-shared-by-every-replica"


def _nginx() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)


def _render_config(folder: Path, listen: int, replicas: list[int]) -> Path:
    """deploy/nginx/nnviz.conf with this test's ports, wrapped in a minimal main config under ``folder``."""
    site = (ROOT / "deploy" / "nginx" / "nnviz.conf").read_text()
    assert "127.0.0.1:8501" in site and "127.0.0.1:8502" in site and "listen 8080;" in site
    site = site.replace("127.0.0.1:8501", f"127.0.0.1:{replicas[0]}").replace("127.0.0.1:8502",
                                                                            f"127.0.0.1:{replicas[1]}")
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    (folder / "nnviz.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                      "scgi"))
    main = (f"{user}worker_processes 1;\ndaemon off;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 512; }}\n"
            f"http {{\n access_log off;\n {temp}\n include {folder / 'nnviz.conf'};\n}}\n")
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    nginx = _nginx()
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is required under CI: apt-get install nginx")
        pytest.skip("nginx not installed (Debian: apt-get install nginx)")
    folder = tmp_path_factory.mktemp("nginx")
    ports = [_free_port(), _free_port()]
    env = os.environ | {"ADDRESS": "127.0.0.1", "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET}
    replicas = [subprocess.Popen([str(ROOT / "deploy" / "entrypoint.sh")], env=env | {"PORT": str(p)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    listen = _free_port()
    conf = _render_config(folder, listen, ports)
    server = None
    try:
        for port, proc in zip(ports, replicas, strict=True):
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
        server = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{listen}"
        _wait_healthy(url, server, timeout_s=20)
        yield url, ports
    finally:
        for proc in [server, *replicas]:
            if proc is not None:
                proc.terminate()
        for proc in [server, *replicas]:
            if proc is not None:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def test_proxy_balances_new_visitors_and_pins_each_to_one_replica(proxy):
    url, ports = proxy
    upstreams = {_get(url + "/_stcore/health")[1]["X-Nnviz-Upstream"] for _ in range(30)}
    assert upstreams == {f"127.0.0.1:{p}" for p in ports}, "new visitors are spread over both replicas"
    status, headers = _get(url + "/")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("nnviz_affinity=")
    pinned = {_get(url + "/_stcore/health", cookie)[1]["X-Nnviz-Upstream"] for _ in range(15)}
    assert pinned == {headers["X-Nnviz-Upstream"]}, "a returning browser stays on its replica"


def test_app_works_through_the_proxy_in_chromium(proxy, browser):
    url, _ = proxy
    seen = set()
    for attempt in range(4):  # several fresh browsers: sessions on both replicas work through the websocket
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        try:
            page.on("response", lambda r, into=seen: into.add(r.headers.get("x-nnviz-upstream")))
            page.goto(f"{url}/single_neuron?sn_b=0.{attempt + 5}", wait_until="domcontentloaded")
            wait_until_idle(page)
            assert error_texts(page) == []
            assert f"b = +0.{attempt + 5}0" in page.locator('[data-testid="stPlotlyChart"]').first.inner_text()
            # an interaction round-trips over the websocket: move the bias slider one step with the keyboard
            page.get_by_role("slider", name="bias b").focus()
            page.keyboard.press("ArrowRight")
            t0 = time.time()
            expected = f"b = +0.{attempt + 6}0"  # one slider step is 0.1
            page.wait_for_function(
                "e => document.querySelector('[data-testid=stPlotlyChart]').innerText.includes(e)",
                arg=expected, timeout=30_000)
            assert time.time() - t0 < 30
        finally:
            context.close()
    assert seen - {None}, "responses came through the proxy"
