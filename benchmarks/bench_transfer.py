"""Bytes a first visit downloads through nginx (deploy/nginx/nnviz.conf) in Chromium: the home page, then one
chart page in the same browser (its cache keeps what home loaded), summed over every HTTP response body as it
came over the wire (encoded size) and as it is once decoded. The websocket's messages are not counted.

Then what those HTTP requests cost the servers once nginx's cache holds what it keeps (a hall after its first
student): the visit's requests (but its session's own media, images and sounds on its replica) are sent again
--replays times, as the browser sent them (Accept-Encoding: gzip, deflate, br), and the CPU the replicas and nginx
spent is read from /proc (ms per visit). A replica's one core also runs every student's scripts, so each
millisecond it spends serving files is taken from them.

    python benchmarks/bench_transfer.py                    # the config in the working tree
    python benchmarks/bench_transfer.py --site old.conf    # another version of it (e.g. git show HEAD~1:...)

Starts two replicas (deploy/entrypoint.sh) and nginx on loopback, like tests/test_deploy.py, and stops them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.catalog import ROOT  # noqa: E402
from tests.browser_utils import wait_until_idle  # noqa: E402
from tests.conftest import _free_port, _wait_healthy  # noqa: E402
from tests.test_deploy import _fetch, _nginx, _render_config  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def visit(url: str, paths: list[str], requested: list[tuple[str, int]]) -> dict[str, dict[str, int]]:
    """Per page path, counting only what came over the network (not from the browser's cache): bytes over the
    wire (Chrome's encodedDataLength: body as sent plus headers), decoded body bytes
    (sum of dataReceived.dataLength) and the number of HTTP responses, gzip-encoded ones counted apart. The URL
    paths of those requests and their status are appended to ``requested``."""
    from playwright.sync_api import sync_playwright

    totals: dict[str, dict[str, int]] = {p: defaultdict(int) for p in paths}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        current = [paths[0]]
        http: set[str] = set()  # requests answered over the network (not from the browser's cache)
        cached: set[str] = set()

        def response(event):
            fresh = not (event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"))
            if event["response"]["url"].startswith("http") and fresh and event["requestId"] not in cached:
                http.add(event["requestId"])
                path = "/" + event["response"]["url"].split("//", 1)[1].split("/", 1)[1]
                requested.append((path, event["response"]["status"]))
                headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
                totals[current[0]]["gzipped"] += headers.get("content-encoding") == "gzip"

        def data(event):
            if event["requestId"] in http:
                totals[current[0]]["decoded"] += event["dataLength"]

        def finished(event):
            if event["requestId"] in http:
                totals[current[0]]["wire"] += int(event["encodedDataLength"])
                totals[current[0]]["requests"] += 1

        cdp.on("Network.requestServedFromCache", lambda event: cached.add(event["requestId"]))
        cdp.on("Network.responseReceived", response)
        cdp.on("Network.dataReceived", data)
        cdp.on("Network.loadingFinished", finished)
        for path in paths:
            current[0] = path
            page.goto(url + path, wait_until="domcontentloaded")
            wait_until_idle(page)
        context.close()
        browser.close()
    return totals


def cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes ``pids`` have used so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (nginx's worker processes)."""
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def replay(port: int, requested: list[tuple[str, int]], times: int, replicas: list[int],
           nginx: list[int]) -> tuple[float, float]:
    """Send the visit's HTTP requests (path, status the browser got) ``times`` more times through nginx; the
    replicas' and nginx's CPU seconds per visit."""
    for path, _ in requested:  # once, so nginx's cache holds what it keeps
        _fetch(port, path, "gzip, deflate, br")
    time.sleep(0.5)  # the replicas' own work after the visit (its script runs) is over
    before = cpu_s(replicas), cpu_s(nginx)
    for _ in range(times):
        for path, expected in requested:
            status, _, _ = _fetch(port, path, "gzip, deflate, br")
            assert status == expected, (status, expected, path)
    return (cpu_s(replicas) - before[0]) / times, (cpu_s(nginx) - before[1]) / times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="nginx site config (default deploy/nginx/nnviz.conf)")
    parser.add_argument("--pages", nargs="+", default=["/", "/single_neuron"])
    parser.add_argument("--replays", type=int, default=10, help="times the visit's HTTP requests are sent again")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nnviz-transfer-"))
    ports = [_free_port(), _free_port()]
    env = os.environ | {"ADDRESS": "127.0.0.1", "STREAMLIT_SERVER_COOKIE_SECRET": "bench-transfer"}
    procs = [subprocess.Popen([str(ROOT / "deploy" / "entrypoint.sh")], env=env | {"PORT": str(p)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    listen = _free_port()
    conf = _render_config(folder, listen, ports, args.site.read_text() if args.site else None)
    try:
        for port, proc in zip(ports, procs, strict=True):
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
        procs.append(subprocess.Popen([_nginx(), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        url = f"http://127.0.0.1:{listen}"
        _wait_healthy(url, procs[-1], timeout_s=20)
        requested: list[tuple[str, int]] = []
        totals = visit(url, args.pages, requested)
        requested = [(p, status) for p, status in requested if not p.startswith(("/_stcore/stream", "/media/"))]
        replica_s, nginx_s = replay(listen, requested, args.replays, [p.pid for p in procs[:2]],
                                    [procs[-1].pid, *children(procs[-1].pid)])
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
    wire = decoded = 0
    for path, row in totals.items():
        wire, decoded = wire + row["wire"], decoded + row["decoded"]
        print(f"{path:20s} {row['requests']:4d} requests ({row['gzipped']} gzipped)  "
              f"{row['wire'] / 1e6:6.2f} MB over the wire, {row['decoded'] / 1e6:6.2f} MB decoded")
    print(f"{'first visit, total':20s} {wire / 1e6:6.2f} MB over the wire, {decoded / 1e6:6.2f} MB decoded")
    print(f"its {len(requested)} HTTP requests again, nginx's cache filled ({args.replays} times): replicas "
          f"{replica_s * 1000:.0f} ms, nginx {nginx_s * 1000:.0f} ms of CPU per visit")


if __name__ == "__main__":
    main()
