"""The hosted setup on loopback: two replicas started by the image's own entrypoint, behind Debian's nginx with
deploy/nginx/nnviz.conf (limits, timeouts, headers), driven through the proxy over HTTP, raw sockets, websockets and
Chromium; and the image's and config's hardening read from the files themselves.

Needs nginx (Debian: apt-get install nginx); skipped without it, a failure under CI. Every loop is bounded and
every wait has a deadline; traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from nnviz.catalog import ROOT
from nnviz.ui.chart import module_version
from tests.browser_utils import CHART, error_texts, wait_until_idle
from tests.conftest import _free_port, _wait_healthy
from tests.st_client import run_sync

COOKIE_SECRET = "nnviz-test-secret-shared-by-every-replica"
SITE = ROOT / "deploy" / "nginx" / "nnviz.conf"
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
STATIC_CACHE = "/var/cache/nginx/nnviz_static"  # the shipped proxy_cache_path; the test's lives in its folder
STATIC = Path(importlib.util.find_spec("streamlit").origin).parent / "static"  # what every replica serves
PLOTLY_BUNDLE = next((ROOT / "static").glob("plotly-cartesian-*.min.js")).name  # nnviz's own, at /app/static/


def _nginx() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)


def _render_config(folder: Path, listen: int, replicas: list[int], site: str | None = None) -> Path:
    """deploy/nginx/nnviz.conf (or the config text ``site``) with this test's ports, wrapped in a minimal main
    config under ``folder``; the test's own access log records which replica served each request (the shipped
    config tells clients nothing)."""
    site = SITE.read_text() if site is None else site
    assert "127.0.0.1:8501" in site and "127.0.0.1:8502" in site and "listen 8080;" in site
    site = site.replace("127.0.0.1:8501", f"127.0.0.1:{replicas[0]}").replace("127.0.0.1:8502",
                                                                            f"127.0.0.1:{replicas[1]}")
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    assert f" {STATIC_CACHE} " in site
    site = site.replace(f" {STATIC_CACHE} ", f" {folder / 'static_cache'} ")
    (folder / "nnviz.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                      "scgi"))
    main = (f"{user}worker_processes 1;\ndaemon off;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
            f"http {{\n log_format upstream '$status $upstream_addr $request_uri $upstream_http_content_encoding';\n"
            f" access_log {folder / 'access.log'} upstream;\n {temp}\n include {folder / 'nnviz.conf'};\n}}\n")
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def _fetch(port: int, path: str, accept_encoding: str | None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and raw body of a GET to 127.0.0.1:port; with accept_encoding None the
    request carries no Accept-Encoding header at all. The body is not decompressed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        if accept_encoding is not None:
            conn.putheader("Accept-Encoding", accept_encoding)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers of a GET (an HTTP error status is returned, not raised)."""
    assert url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[0] in LOOPBACK
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


@dataclass
class Proxy:
    url: str
    ports: list[int]
    folder: Path

    def upstreams(self, uri: str, n: int, do) -> list[str]:
        """The replica addresses that served the ``n`` requests for ``uri`` that ``do()`` makes ("-": nginx's
        cache), read from the test's access log."""
        return [row[1] for row in self.log_rows(uri, n, do)]

    def log_rows(self, uri: str, n: int, do) -> list[list[str]]:
        """The access log's rows (status, replica address, request URI, the replica's Content-Encoding) of the
        ``n`` requests for ``uri`` that ``do()`` makes (nginx writes a line when it has finished a request: wait for
        all n, bounded)."""
        log = self.folder / "access.log"
        start = log.stat().st_size if log.exists() else 0
        do()
        deadline = time.perf_counter() + 10
        while True:
            with open(log) as f:
                f.seek(start)
                rows = [line.split() for line in f]
            found = [r for r in rows if len(r) >= 4 and r[2] == uri]
            if len(found) >= n or time.perf_counter() > deadline:
                return found
            time.sleep(0.05)


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
        yield Proxy(url, ports, folder)
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


# -- the files themselves (no server needed) ---------------------------------------------------------------------
def _directives(text: str) -> str:
    """The config without its comments."""
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_nginx_config_is_hardened():
    conf = _directives(SITE.read_text())
    assert re.search(r"^\s*server_tokens off;", conf, re.M)
    assert "X-Nnviz-Upstream" not in conf and "$upstream_addr" not in conf, "no header tells clients a replica"
    assert re.search(r"limit_conn nnviz_conn \d+;", conf) and "limit_conn_zone" in conf
    for zone in ("nnviz_req", "nnviz_static", "nnviz_ws"):
        assert re.search(rf"limit_req zone={zone} burst=\d+ nodelay;", conf), zone
    assert "limit_req_status 429;" in conf and "limit_conn_status 429;" in conf
    timeouts = re.findall(r"(\w+_timeout) (\d+)(\w*);", conf)
    assert timeouts and all(unit == "s" and int(n) <= 120 for _, n, unit in timeouts), timeouts  # no 1 h sockets
    assert "frame-ancestors $nnviz_frame_ancestors" in conf and "default \"'self'\";" in conf
    assert "Strict-Transport-Security" not in conf, "HSTS belongs to the TLS server (deploy/README.md), not to :80"


def test_websocket_timeouts_outlast_streamlits_ping_interval():
    """The proxy closes a websocket only after ~3 missed pings: Streamlit pings every websocketPingInterval s."""
    ping = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["websocketPingInterval"]
    stream = _directives(SITE.read_text()).split("location = /_stcore/stream", 1)[1].split("}", 1)[0]
    for name in ("proxy_read_timeout", "proxy_send_timeout"):
        seconds = int(re.search(rf"{name} (\d+)s;", stream).group(1))
        assert 2 * ping <= seconds <= 4 * ping, (name, seconds, ping)


def test_streamlit_config_pins_the_hosted_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server, client = config["server"], config["client"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert client["showErrorDetails"] == "none"
    assert server["maxUploadSize"] <= 1


def test_image_is_pinned_read_only_and_runs_one_process_per_core():
    dockerfile = (ROOT / "Dockerfile").read_text()
    code = _directives(dockerfile)
    assert re.search(r"^FROM python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$", code, re.M), "base pinned"
    assert "--chown" not in code, "app files belong to root, not to the runtime user"
    assert "chmod -R a-w /app" in code
    assert code.index("chmod -R a-w") < code.index("USER nnviz")
    assert re.search(r"^USER nnviz$", code, re.M)
    for path in (ROOT / "Dockerfile", ROOT / "deploy" / "entrypoint.sh", SITE):
        words = " ".join(re.sub(r"^\s*#", " ", path.read_text(), flags=re.M).split()).lower()
        assert "one per core" in words or "one replica per core" in words, path


def test_deploy_notes_say_how_to_make_the_cookie_secret_and_what_clear_cache_costs():
    notes = (ROOT / "deploy" / "README.md").read_text()
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in notes
    assert "Strict-Transport-Security" in notes and "frame-ancestors" in notes
    assert "clear_cache" in notes


# -- the running proxy ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_proxy_balances_new_visitors_and_pins_each_to_one_replica(proxy):
    replicas = {f"127.0.0.1:{p}" for p in proxy.ports}
    new = proxy.upstreams("/_stcore/health", 30, lambda: [_get(proxy.url + "/_stcore/health") for _ in range(30)])
    assert set(new) == replicas, "new visitors are spread over both replicas"
    status, headers = _get(proxy.url + "/")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("nnviz_affinity=")
    pinned = proxy.upstreams("/_stcore/health", 15,
                             lambda: [_get(proxy.url + "/_stcore/health", cookie) for _ in range(15)])
    assert len(pinned) == 15 and len(set(pinned)) == 1, "a returning browser stays on its replica"


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/single_neuron", "/_stcore/metrics"])
def test_every_answer_carries_the_security_headers_and_no_internal_detail(proxy, path):
    status, headers = _get(proxy.url + path)
    assert status == (404 if path == "/_stcore/metrics" else 200), "server metrics are not for visitors"
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower["content-security-policy"] == "frame-ancestors 'self'"
    assert lower["x-content-type-options"] == "nosniff"
    assert lower["referrer-policy"] == "same-origin"
    assert lower["x-frame-options"] == "SAMEORIGIN"
    assert lower["server"] == "nginx", "server_tokens off: no version"
    assert "x-nnviz-upstream" not in lower
    assert not any(f":{p}" in v for v in headers.values() for p in proxy.ports), "no replica address in a header"


@pytest.mark.slow
def test_requests_past_the_burst_get_429(proxy):
    """A bounded flood of plain requests from one address: at least the burst is served, then 429s."""
    burst = int(re.search(r"zone=nnviz_req burst=(\d+)", SITE.read_text()).group(1))
    statuses: list[int] = []

    def one(_):
        return _get(proxy.url + "/_stcore/health")[0]

    with ThreadPoolExecutor(16) as pool:
        for _ in range(0, 4 * burst, 200):  # bounded: at most 4 bursts' worth
            statuses += list(pool.map(one, range(200)))
            if 429 in statuses:
                break
    assert 429 in statuses, f"{len(statuses)} requests and no 429"
    assert statuses.index(429) >= burst * 0.9, "the burst a lecture hall needs is served before any 429"
    assert set(statuses) <= {200, 429}
    status, headers = _get(proxy.url + "/_stcore/health")
    if status == 429:
        assert {k.lower(): v for k, v in headers.items()}["x-content-type-options"] == "nosniff"


@pytest.mark.slow
def test_open_websockets_per_address_are_capped_with_429(proxy):
    """limit_conn: one address holds at most the configured number of open websockets (sessions)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    cap = int(re.search(r"limit_conn nnviz_conn (\d+);", SITE.read_text()).group(1))
    ws_url = proxy.url.replace("http://", "ws://") + "/_stcore/stream"

    async def main() -> tuple[int, list[int]]:
        opened, refused = [], []

        async def one():
            try:
                opened.append(await connect(ws_url, subprotocols=["streamlit"], open_timeout=60))
            except InvalidStatus as err:
                refused.append(err.response.status_code)

        await asyncio.gather(*(one() for _ in range(cap + 8)))  # bounded: 8 past the cap
        n_open = len(opened)
        await asyncio.gather(*(ws.close() for ws in opened))
        return n_open, refused

    n_open, refused = run_sync(main())
    assert n_open == cap and refused == [429] * 8, (n_open, refused)


@pytest.mark.slow
def test_a_slow_client_is_dropped_within_the_header_timeout(proxy):
    """Slow loris: a request header that never finishes is not held open (client_header_timeout 10 s)."""
    port = int(proxy.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line that ends the header
        t0 = time.perf_counter()
        try:
            while s.recv(4096):
                pass
        except (ConnectionResetError, TimeoutError):
            pass
        waited = time.perf_counter() - t0
    assert 5 < waited < 25, waited


@pytest.mark.browser
def test_app_works_through_the_proxy_in_chromium_with_no_third_party_request(proxy, browser):
    url = proxy.url
    outside: list[str] = []
    counts = {"static": 0, "other": 0}
    for attempt in range(4):  # several fresh browsers: sessions on both replicas work through the websocket
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()

        def seen(request, into=outside):
            host = request.url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
            if request.url.startswith(("http", "ws")) and host not in LOOPBACK:
                into.append(request.url)
            counts["static" if "/static/" in request.url else "other"] += 1

        page.on("request", seen)
        try:
            page.goto(f"{url}/single_neuron?sn_b=0.{attempt + 5}", wait_until="domcontentloaded")
            wait_until_idle(page)
            assert error_texts(page) == []
            shown = page.locator(CHART).first.inner_text()
            assert re.search(rf"b = \+0\.{attempt + 5}0?\b", shown), shown  # "+0.5" or "+0.50"
            # an interaction round-trips over the websocket: move the bias slider one step with the keyboard
            page.get_by_role("slider", name="bias b").focus()
            page.keyboard.press("ArrowRight")
            expected = f"b = \\+0\\.{attempt + 6}0?\\b"  # one slider step is 0.1
            page.wait_for_function(
                "([e, chart]) => new RegExp(e).test(document.querySelector(chart).innerText)",
                arg=[expected, CHART], timeout=60_000)
        finally:
            context.close()
    print(f"\n[deploy] requests per first visit: {counts['static'] / 4:.0f} to /static/, "
          f"{counts['other'] / 4:.0f} others")
    assert outside == [], f"a page load asked another host: {sorted(set(outside))}"


# -- compression and the /static/ cache ----------------------------------------------------------------------------
def _static(pattern: str) -> str:
    """The URL path of the largest file of Streamlit's bundle matching ``pattern`` (under static/static/)."""
    files = sorted(STATIC.glob(f"static/{pattern}"), key=lambda f: f.stat().st_size)
    assert files, pattern
    return "/" + files[-1].relative_to(STATIC).as_posix()


@pytest.mark.slow
def test_javascript_comes_gzipped_from_the_proxy_and_unzips_to_the_replicas_bytes(proxy):
    """The PlotlyChart chunk (~4.7 MB, the largest a chart page loads) comes gzip-encoded when the browser accepts
    it, at well under 40 % of its size, and decompresses to exactly what a replica serves; without
    Accept-Encoding it comes plain. The proxy's headers and Streamlit's cache-control survive compression."""
    path = _static("js/PlotlyChart.*.js")
    status, direct_headers, direct = _fetch(proxy.ports[0], path, None)
    assert status == 200 and len(direct) > 1_000_000, (status, len(direct))
    assert "content-encoding" not in direct_headers, "the replicas compress nothing themselves"
    port = int(proxy.url.rsplit(":", 1)[1])
    status, headers, body = _fetch(port, path, "gzip, deflate, br")
    assert status == 200
    assert headers.get("content-encoding") == "gzip", headers
    assert "accept-encoding" in headers.get("vary", "").lower(), "caches between here and the browser keep both"
    assert gzip.decompress(body) == direct
    assert len(body) < 0.4 * len(direct), (len(body), len(direct))
    assert headers["x-content-type-options"] == "nosniff" and "frame-ancestors" in headers["content-security-policy"]
    assert "immutable" in headers.get("cache-control", ""), headers.get("cache-control")
    status, headers, body = _fetch(port, path, None)
    assert status == 200 and "content-encoding" not in headers and body == direct
    status, headers, body = _fetch(port, path, "identity")
    assert status == 200 and "content-encoding" not in headers and body == direct


@pytest.mark.slow
def test_fonts_are_not_gzipped_again(proxy):
    """woff2 is compressed already: gzip would spend CPU for nothing."""
    path = _static("media/*.woff2")
    port = int(proxy.url.rsplit(":", 1)[1])
    status, headers, body = _fetch(port, path, "gzip")
    assert status == 200 and "content-encoding" not in headers, headers
    assert body == _fetch(proxy.ports[0], path, None)[2]


@pytest.mark.slow
def test_static_files_are_fetched_from_a_replica_once_then_served_by_the_proxy(proxy):
    """/static/ files are hash-named and immutable: after one fetch nginx answers from its cache (the access
    log's upstream is "-"), so a hall opening the link does not ask the replicas for 7 MB each."""
    path = _static("js/index.*.js")
    port = int(proxy.url.rsplit(":", 1)[1])
    found = proxy.upstreams(path, 4, lambda: [_fetch(port, path, "gzip") for _ in range(4)])
    assert len(found) == 4, found
    assert sum(u != "-" for u in found) <= 1, f"every request went to a replica: {found}"
    # a query string does not make a new cache entry (it would let a client go around the cache)
    found = proxy.upstreams(path + "?v=1", 1, lambda: _fetch(port, path + "?v=1", "gzip"))
    assert found == ["-"], found


def _app_static(name: str) -> str:
    """The URL path of one of nnviz's own files (static/ beside app.py, served at /app/static/)."""
    assert (ROOT / "static" / name).is_file(), name
    return f"/app/static/{name}"


@pytest.mark.slow
def test_replicas_are_never_asked_to_compress(proxy):
    """A browser asks for gzip; nginx compresses, and the replica is asked for the plain bytes (asked itself, it
    compresses at level 9 on the core that runs everyone's scripts: 84 ms for the 1.5 MB plotly.js bundle). The
    page, nnviz's chart module and its plotly.js bundle (each on a fresh cache key, so a replica answers)."""
    port = int(proxy.url.rsplit(":", 1)[1])
    fresh = f"v={_version()}"
    for uri in ("/", f"{_app_static('nnviz-chart.js')}?{fresh}", f"{_app_static(PLOTLY_BUNDLE)}?{fresh}"):
        answers = []
        rows = proxy.log_rows(uri, 1, lambda u=uri, out=answers: out.append(_fetch(port, u, "gzip, deflate, br")))
        status, headers, body = answers[0]
        assert status == 200 and headers.get("content-encoding") == "gzip", (uri, status, headers)
        assert len(rows) == 1 and rows[0][1] != "-", (uri, rows)  # a replica answered it
        assert rows[0][3] == "-", f"the replica compressed {uri} itself: {rows[0]}"
        if uri != "/":
            assert gzip.decompress(body) == (ROOT / "static" / uri.split("/")[-1].split("?")[0]).read_bytes()


def _version() -> str:
    """A version parameter value never used before, shaped as the app's (12 hex digits of a digest)."""
    return f"{time.time_ns():016x}"[-12:]


@pytest.mark.slow
def test_nnviz_static_files_are_cached_by_path_and_version(proxy):
    """nnviz's chart module and plotly.js bundle are fetched from a replica once, then served by nginx: keyed by
    path and the module's version parameter ``v`` (a 12-digit hex digest, as the app writes it), so another
    parameter or a v of another shape does not make a new entry (a client cannot go around the cache, or fill
    it) and a new version does."""
    port = int(proxy.url.rsplit(":", 1)[1])
    url = _app_static("nnviz-chart.js")
    assert re.fullmatch(r"[0-9a-f]{12}", module_version()), "the shape the proxy's map expects"
    module = f"{url}?v={_version()}"
    found = proxy.upstreams(module, 4, lambda: [_fetch(port, module, "gzip") for _ in range(4)])
    assert len(found) == 4 and sum(u != "-" for u in found) == 1, found
    found = proxy.upstreams(module + "&x=1", 1, lambda: _fetch(port, module + "&x=1", "gzip"))
    assert found == ["-"], found
    newer = f"{url}?v={_version()}"
    found = proxy.upstreams(newer, 1, lambda: _fetch(port, newer, "gzip"))
    assert found != ["-"] and len(found) == 1, found
    odd = [f"{url}?v=odd-{time.time_ns()}-{i}" for i in range(3)]  # three values of another shape: one entry
    found = [u for path in odd for u in proxy.upstreams(path, 1, lambda p=path: _fetch(port, p, "gzip"))]
    assert len(found) == 3 and sum(u != "-" for u in found) <= 1, found
    bundle = _app_static(PLOTLY_BUNDLE)
    found = proxy.upstreams(bundle, 3, lambda: [_fetch(port, bundle, None) for _ in range(3)])
    assert len(found) == 3 and sum(u != "-" for u in found) <= 1, found
    assert _fetch(port, bundle, None)[2] == (ROOT / "static" / PLOTLY_BUNDLE).read_bytes()
