"""First visits in real Chromium: how long a student waits for each page the first time, cold and warm.

For every page of the catalog (or those named on the command line):

- cold: a fresh server (deploy/entrypoint.sh, i.e. ``streamlit run``) that has served nothing. The clock starts
  when the server process is started; Chromium (already running) opens the page's URL as soon as the server
  answers its health check; the clock stops when the page has settled. So this counts Python's and Streamlit's
  start-up, the page's imports and its first script run, and the browser drawing it.
- warm: another fresh server that has already served the home page to another tab (and has finished the work
  that follows, such as the background torch warm-up, unless --no-idle-wait); the clock starts when a new tab
  navigates to the page's URL and stops when it has settled.

Settled (a lighter form of tests/browser_utils.wait_until_idle): the page's title and the router's sidebar are
there, Streamlit's running indicator has been absent for --quiet-ms (500 ms) in a row, and every plotly chart on
the page has drawn its SVG; the time reported is the start of that quiet stretch. Error boxes on the settled page
are counted. Beside each figure: when the server answered its health check (cold) and the time the server spent
on the visit's script runs (benchmarks/server_timing, from the first run's arrival to the last one's finish): the
rest is the browser loading Streamlit's JavaScript, connecting and drawing.

    python benchmarks/bench_firstload.py [single_neuron depth ...] [--repeats 1]

Goals (issue 18): warm <= 3 s, cold <= 6 s on an idle 2-core machine. The machine's load average is printed with
each row: on a shared, loaded machine these are upper bounds. Loopback only; every wait has a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnviz.catalog import PAGES  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, _free_port, chromium_path  # noqa: E402

WARM_GOAL_S, COLD_GOAL_S = 3.0, 6.0
READY = """
() => !!document.querySelector('h1')
  && !document.querySelector('[data-testid="stStatusWidget"]')
  && Array.from(document.querySelectorAll('[data-testid="stSidebar"]'))
       .some(s => s.textContent.includes('Classroom mode'))
  && Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).every(c => c.querySelector('.main-svg'))
"""
ERRORS = """() => document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]')
  .length"""


def start_server(log: Path) -> tuple[subprocess.Popen, str, float]:
    """A fresh server on a free loopback port, logging its script runs to ``log`` (benchmarks/server_timing);
    returns it, its URL and the time it was started."""
    port = _free_port()
    env = os.environ | {"PORT": str(port), "ADDRESS": "127.0.0.1", "NNVIZ_SERVER_LOG": str(log),
                        "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks" / "server_timing"),
                                                       os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(ROOT / "deploy" / "entrypoint.sh")], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}", t0


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    """Poll the health endpoint every 50 ms (the cold clock's resolution) until it answers."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("the server did not answer its health check")


def wait_settled(page, quiet_ms: int, timeout_s: float) -> float:
    """perf_counter() time at which the page became ready and then stayed ready for ``quiet_ms``."""
    deadline = time.perf_counter() + timeout_s
    since = None
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        try:
            ready = page.evaluate(READY)
        except Exception:  # the page is still navigating (its context was replaced)
            ready = False
        if not ready:
            since = None
        elif since is None:
            since = now
        elif now - since >= quiet_ms / 1000:
            return since
        page.wait_for_timeout(50)
    raise TimeoutError("the page did not settle")


def server_seconds(log: Path, since: float) -> float:
    """Seconds the server spent on the script runs that arrived after ``since`` (time.time()): from the first's
    arrival to the last's finish. The part of a visit that is the server's, not the browser's."""
    if not log.exists():
        return float("nan")
    runs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    runs = [r for r in runs if r["arrived"] >= since]
    return max(r["finished"] for r in runs) - min(r["arrived"] for r in runs) if runs else float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_server_idle(pid: int, timeout_s: float = 60, threshold: float = 0.1) -> None:
    """Until the server used under ``threshold`` of a core over half a second (bounded by ``timeout_s``)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        time.sleep(0.5)
        if (cpu_seconds(pid) - c0) / (time.perf_counter() - t0) < threshold:
            return


def visit(browser, url: str, quiet_ms: int, timeout_s: float, t0: float | None = None) -> tuple[float, int]:
    """Open ``url`` in a new tab (a new session, no cached files); seconds from ``t0`` (default: now) until
    settled, and the number of error boxes on the settled page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_s * 1000)
    try:
        page = context.new_page()
        t0 = time.perf_counter() if t0 is None else t0
        page.goto(url, wait_until="commit")
        settled = wait_settled(page, quiet_ms, timeout_s)
        return settled - t0, page.evaluate(ERRORS)
    finally:
        context.close()


def cold(browser, path: str, args) -> dict:
    log = Path(tempfile.mkdtemp(prefix="nnviz-firstload-")) / "runs.jsonl"
    proc, url, t0 = start_server(log)
    try:
        wait_healthy(url, proc, args.timeout_s)
        healthy = time.perf_counter() - t0
        load = os.getloadavg()[0]
        seconds, errors = visit(browser, f"{url}/{path}", args.quiet_ms, args.timeout_s, t0=t0)
        return {"seconds": seconds, "server_start": healthy, "errors": errors, "load": load,
                "server": server_seconds(log, 0.0)}
    finally:
        stop_server(proc)


def warm(browser, path: str, args) -> dict:
    log = Path(tempfile.mkdtemp(prefix="nnviz-firstload-")) / "runs.jsonl"
    proc, url, _ = start_server(log)
    try:
        wait_healthy(url, proc, args.timeout_s)
        visit(browser, url, args.quiet_ms, args.timeout_s)  # another student has opened the home page
        if not args.no_idle_wait:
            wait_server_idle(proc.pid)
        load, since = os.getloadavg()[0], time.time()
        seconds, errors = visit(browser, f"{url}/{path}", args.quiet_ms, args.timeout_s)
        return {"seconds": seconds, "errors": errors, "load": load, "server": server_seconds(log, since)}
    finally:
        stop_server(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="URL paths, e.g. single_neuron (default: every page; home is '')")
    parser.add_argument("--repeats", type=int, default=1, help="measurements per page and kind (median shown)")
    parser.add_argument("--quiet-ms", type=int, default=500)
    parser.add_argument("--timeout-s", type=float, default=120, help="per server start and per page")
    parser.add_argument("--no-idle-wait", action="store_true",
                        help="warm: navigate right after the home page settled, not once the server is idle")
    args = parser.parse_args()
    args.repeats = max(1, min(5, args.repeats))
    specs = [p for p in PAGES if not args.pages or p.url_path in args.pages
             or (p.url_path == "home" and "" in args.pages)]
    from playwright.sync_api import sync_playwright

    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          f"goals: warm <= {WARM_GOAL_S:g} s, cold <= {COLD_GOAL_S:g} s (idle machine)", flush=True)
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for spec in specs:
                path = "" if spec.url_path == "home" else spec.url_path
                colds = [cold(browser, path, args) for _ in range(args.repeats)]
                warms = [warm(browser, path, args) for _ in range(args.repeats)]
                row = {"page": spec.title, "cold": statistics.median(c["seconds"] for c in colds),
                       "start": statistics.median(c["server_start"] for c in colds),
                       "warm": statistics.median(w["seconds"] for w in warms),
                       "cold_server": statistics.median(c["server"] for c in colds),
                       "warm_server": statistics.median(w["server"] for w in warms),
                       "errors": sum(c["errors"] for c in colds) + sum(w["errors"] for w in warms),
                       "load": statistics.mean([c["load"] for c in colds] + [w["load"] for w in warms])}
                rows.append(row)
                print(f"  {row['page']:32s} cold {row['cold']:5.1f} s (server up after {row['start']:.1f} s, "
                      f"script runs {row['cold_server']:.1f} s) · warm {row['warm']:5.1f} s (script runs "
                      f"{row['warm_server']:.1f} s) · errors {row['errors']} · load {row['load']:.1f}", flush=True)
        finally:
            browser.close()
    print(f"\n{'page':32s} {'cold s':>7s} {'up s':>5s} {'runs s':>6s} {'warm s':>7s} {'runs s':>6s} {'errors':>6s} "
          f"{'load':>5s}")
    for r in rows:
        flag = lambda s, goal: "*" if s > goal else " "  # noqa: E731
        print(f"{r['page']:32s} {r['cold']:6.1f}{flag(r['cold'], COLD_GOAL_S)} {r['start']:5.1f} "
              f"{r['cold_server']:6.1f} {r['warm']:6.1f}{flag(r['warm'], WARM_GOAL_S)} {r['warm_server']:6.1f} "
              f"{r['errors']:6d} {r['load']:5.1f}")
    print(f"(* over the goal; load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())}, "
          f"{args.repeats} measurement(s) each, median)")


if __name__ == "__main__":
    main()
