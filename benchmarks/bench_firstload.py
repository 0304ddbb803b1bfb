"""First visits in real Chromium: how long a student waits for each page the first time, cold and warm.

For every page of the catalog (or those named on the command line):

- cold: a fresh server (deploy/entrypoint.sh, i.e. ``streamlit run``) that has served nothing. The clock starts
  when the server process is started; Chromium (already running) opens the page's URL as soon as the server
  answers its health check; the clock stops when the page has settled. So this counts Python's and Streamlit's
  start-up, the page's imports and its first script run, and the browser drawing it.
- warm: another fresh server that has already served the home page to another tab (and has finished the work
  that follows, such as the background torch warm-up, unless --no-idle-wait); the clock starts when a new tab
  navigates to the page's URL and stops when it has settled. The new tab is a new visitor's (a fresh browser
  context: nothing cached).
- returning: the same, but the new tab opens in the browser that opened the home page (a student with the app
  open who follows a link in a new tab): Streamlit's and plotly's scripts come from its cache.

Settled (a lighter form of tests/browser_utils.wait_until_idle): the page's title and the router's sidebar are
there, Streamlit's running indicator has been absent for --quiet-ms (500 ms) in a row, and every plotly chart on
the page has drawn its SVG (and no element is still a placeholder waiting for its lazily loaded JavaScript, such as
plotly's 4.7 MB chunk, which a page's first chart fetches); the time reported is the start of that quiet stretch.
Error boxes on the settled page are counted. Beside each figure: when the server answered its health check (cold)
and the time the server spent on the visit's script runs (benchmarks/server_timing, from the first run's arrival
to the last one's finish): the rest is the browser loading Streamlit's JavaScript, connecting and drawing. Below
each row, the breakdown: seconds from the clock's start until the server listened (cold), the HTML answered, the
websocket opened, the first script run arrived and finished, the last run finished, the title was drawn, the
first chart was drawn and the page settled; and the server's CPU seconds (cold: to listening, and in all).

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
  && !document.querySelector('[data-testid="stSkeleton"]')
  && Array.from(document.querySelectorAll('[data-testid="stSidebar"]'))
       .some(s => s.textContent.includes('Classroom mode'))
  && Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).every(c => c.querySelector('.main-svg'))
"""
#: Milestones polled beside READY: the page's title drawn, and the first plotly chart drawn (plotly.js loaded).
MILESTONES = """() => ({title: !!document.querySelector('h1'), chart: !!document.querySelector('.main-svg')})"""
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


def wait_settled(page, quiet_ms: int, timeout_s: float, seen: dict | None = None) -> float:
    """perf_counter() time at which the page became ready and then stayed ready for ``quiet_ms``; ``seen`` gets
    the first perf_counter() time of each MILESTONES entry (title, chart)."""
    deadline = time.perf_counter() + timeout_s
    since = None
    seen = {} if seen is None else seen
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        try:
            ready = page.evaluate(READY)
            for name, there in page.evaluate(MILESTONES).items():
                if there:
                    seen.setdefault(name, now)
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


def server_runs(log: Path, since: float) -> list[dict]:
    """The script runs logged (benchmarks/server_timing) that arrived after ``since`` (time.time())."""
    if not log.exists():
        return []
    runs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r for r in runs if r["arrived"] >= since]


def server_seconds(log: Path, since: float) -> float:
    """Seconds the server spent on the script runs that arrived after ``since`` (time.time()): from the first's
    arrival to the last's finish. The part of a visit that is the server's, not the browser's."""
    runs = server_runs(log, since)
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


def visit(browser, url: str, quiet_ms: int, timeout_s: float, t0: float | None = None, context=None) -> dict:
    """Open ``url`` in a new tab: of a new browser context (a new visitor: no cached files), or of ``context`` (a
    browser that has the app open already: Streamlit's and plotly's scripts in its cache; the context is left
    open). Either way a new session. Returns seconds from ``t0`` (default: now)
    until settled ("seconds") and until each milestone: the HTML answered ("html"), the websocket opened
    ("ws"), the title drawn ("title"), the first chart drawn ("chart"); and the number of error boxes on the
    settled page ("errors"). Also "t0" and "t0_wall" (the same instant in perf_counter and time.time)."""
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_s * 1000)
    page = None
    try:
        page = context.new_page()
        marks: dict[str, float] = {}
        page.on("websocket", lambda ws: marks.setdefault("ws", time.perf_counter()))
        t0 = time.perf_counter() if t0 is None else t0
        t0_wall = time.time() - (time.perf_counter() - t0)
        page.goto(url, wait_until="commit")
        marks["html"] = time.perf_counter()
        settled = wait_settled(page, quiet_ms, timeout_s, marks)
        out = {name: at - t0 for name, at in marks.items()}
        return out | {"seconds": settled - t0, "errors": page.evaluate(ERRORS), "t0": t0, "t0_wall": t0_wall}
    finally:
        if own:
            context.close()
        elif page is not None:
            page.close()


def breakdown(result: dict, log: Path, since: float) -> dict:
    """The visit's server-side part: its first script run's arrival and finish and the last run's finish,
    in seconds from the visit's clock start (``result["t0_wall"]``), and how many runs it took."""
    runs = sorted(server_runs(log, since), key=lambda r: r["arrived"])
    if not runs:
        return {"run_start": float("nan"), "run_end": float("nan"), "runs_end": float("nan"), "runs": 0}
    base = result["t0_wall"]
    return {"run_start": runs[0]["arrived"] - base, "run_end": runs[0]["finished"] - base,
            "runs_end": max(r["finished"] for r in runs) - base, "runs": len(runs)}


def cold(browser, path: str, args) -> dict:
    log = Path(tempfile.mkdtemp(prefix="nnviz-firstload-")) / "runs.jsonl"
    proc, url, t0 = start_server(log)
    try:
        wait_healthy(url, proc, args.timeout_s)
        healthy = time.perf_counter() - t0
        load, cpu_up = os.getloadavg()[0], cpu_seconds(proc.pid)
        result = visit(browser, f"{url}/{path}", args.quiet_ms, args.timeout_s, t0=t0)
        return result | breakdown(result, log, 0.0) | {
            "server_start": healthy, "load": load, "server": server_seconds(log, 0.0),
            "cpu_up": cpu_up, "cpu": cpu_seconds(proc.pid)}
    finally:
        stop_server(proc)


def warm(browser, path: str, args, returning: bool = False) -> dict:
    """The server has served the home page (and gone idle). A new visitor opens ``path`` in a fresh browser; or,
    ``returning``, the browser that opened the home page opens ``path`` in a new tab (its caches warm)."""
    log = Path(tempfile.mkdtemp(prefix="nnviz-firstload-")) / "runs.jsonl"
    proc, url, _ = start_server(log)
    home = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        wait_healthy(url, proc, args.timeout_s)
        visit(browser, url, args.quiet_ms, args.timeout_s, context=home)  # a student has opened the home page
        if not args.no_idle_wait:
            wait_server_idle(proc.pid)
        load, since, cpu0 = os.getloadavg()[0], time.time(), cpu_seconds(proc.pid)
        result = visit(browser, f"{url}/{path}", args.quiet_ms, args.timeout_s, context=home if returning else None)
        return result | breakdown(result, log, since) | {
            "load": load, "server": server_seconds(log, since), "cpu": cpu_seconds(proc.pid) - cpu0}
    finally:
        home.close()
        stop_server(proc)


#: The breakdown's columns: seconds from the clock's start (cold: server process start; warm: the tab's navigation).
STAGES = (("up", "server_start"), ("html", "html"), ("ws", "ws"), ("run", "run_start"), ("run done", "run_end"),
          ("runs done", "runs_end"), ("title", "title"), ("chart", "chart"), ("settled", "seconds"))


def describe(kind: str, results: list[dict]) -> str:
    """One line: the median time of each stage of the visit, and the server's CPU seconds."""
    def med(name: str) -> float:
        values = [r.get(name, float("nan")) for r in results]
        return statistics.median(values)

    stages = " · ".join(f"{label} {med(name):.2f}" for label, name in STAGES if name in results[0])
    cpu = (f"server CPU {med('cpu_up'):.2f} s to listening, {med('cpu'):.2f} s in all" if kind == "cold"
           else f"server CPU {med('cpu'):.2f} s")
    return f"{kind}: {stages} s ({med('runs'):.0f} runs; {cpu})"


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
                backs = [warm(browser, path, args, returning=True) for _ in range(args.repeats)]
                row = {"page": spec.title, "cold": statistics.median(c["seconds"] for c in colds),
                       "start": statistics.median(c["server_start"] for c in colds),
                       "warm": statistics.median(w["seconds"] for w in warms),
                       "back": statistics.median(w["seconds"] for w in backs),
                       "cold_server": statistics.median(c["server"] for c in colds),
                       "warm_server": statistics.median(w["server"] for w in warms),
                       "errors": sum(r["errors"] for r in [*colds, *warms, *backs]),
                       "load": statistics.mean(r["load"] for r in [*colds, *warms, *backs])}
                rows.append(row)
                print(f"  {row['page']:32s} cold {row['cold']:5.1f} s (server up after {row['start']:.1f} s, "
                      f"script runs {row['cold_server']:.1f} s) · warm {row['warm']:5.1f} s (script runs "
                      f"{row['warm_server']:.1f} s) · returning {row['back']:5.1f} s · errors {row['errors']} · "
                      f"load {row['load']:.1f}", flush=True)
                print("    " + describe("cold", colds), flush=True)
                print("    " + describe("warm", warms), flush=True)
                print("    " + describe("returning", backs), flush=True)
        finally:
            browser.close()
    print(f"\n{'page':32s} {'cold s':>7s} {'up s':>5s} {'runs s':>6s} {'warm s':>7s} {'runs s':>6s} {'return s':>8s} "
          f"{'errors':>6s} {'load':>5s}")
    for r in rows:
        flag = lambda s, goal: "*" if s > goal else " "  # noqa: E731
        print(f"{r['page']:32s} {r['cold']:6.1f}{flag(r['cold'], COLD_GOAL_S)} {r['start']:5.1f} "
              f"{r['cold_server']:6.1f} {r['warm']:6.1f}{flag(r['warm'], WARM_GOAL_S)} {r['warm_server']:6.1f} "
              f"{r['back']:7.1f}{flag(r['back'], WARM_GOAL_S)} {r['errors']:6d} {r['load']:5.1f}")
    print(f"(* over the goal; load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())}, "
          f"{args.repeats} measurement(s) each, median)")


if __name__ == "__main__":
    main()
