"""First visits in real Chromium: how long a student waits for each page the first time (cold, warm, returning) and
when moving to it from the home page inside the app (in-app).

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
- in-app: how students mostly arrive. On a server that has served the home page (as for warm), a new visitor (a
  fresh browser context) opens the home page; once it has settled (and the server is idle again, unless
  --no-idle-wait), the clock starts and the page's link in the router's sidebar is clicked; it stops when the page
  has settled, in the same tab (a single-page app: Streamlit's and plotly's scripts are already loaded and
  evaluated, the websocket is open). Home itself has no in-app visit (n/a).

Settled (a lighter form of tests/browser_utils.wait_until_idle): the page's title and the router's sidebar are
there, Streamlit's running indicator has been absent for --quiet-ms (500 ms) in a row, and every chart on the page
has drawn its SVG (and no element is still a placeholder waiting for its lazily loaded JavaScript, such as the
1.5 MB plotly.js cartesian bundle nnviz/ui/chart.py loads, or st.plotly_chart's 4.7 MB chunk where a 3-D figure
needs it); the time reported is the start of that quiet stretch.
In-app, settled also needs the new page: its URL path and its title (h1 text), and nothing left of the home page
(not its title, none of its keyed st-key-* elements in the main area, no element Streamlit marks stale), so the
old page, settled when the click comes, cannot pass for the new one.
Error boxes on the settled page are counted. Beside each figure: when the server answered its health check (cold)
and the time the server spent on the visit's script runs (benchmarks/server_timing, from the first run's arrival
to the last one's finish): the rest is the browser loading Streamlit's JavaScript, connecting and drawing. Below
each row, the breakdown: seconds from the clock's start until the server listened (cold), the HTML answered and the
websocket opened (not in-app: both came before the click), the first script run arrived and finished, the last
run finished, the title was drawn, the first chart was drawn, every chart was drawn and the page settled; and the
server's CPU seconds (cold: to listening, and in all).

    python benchmarks/bench_firstload.py [single_neuron depth ...] [--repeats 1] [--kinds warm in-app ...]

Goals (issue 18): warm, returning and in-app <= 3 s, cold <= 6 s on an idle 2-core machine; the final table marks
a figure over its goal with "*". The machine's load average is printed with each row: on a shared, loaded machine
these are upper bounds. Loopback only; every wait has a timeout.
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
#: What "settled" requires, one entry per condition (wait_settled needs every one, and names those missing when it
#: times out); with ``want`` (in-app: the page the click leads to) also the new page's URL path and title, and
#: nothing left of the page that was clicked from: no old title, none of its keyed elements (st-key-*) in the main
#: area, no element marked stale (Streamlit's mark on what the new run has not yet replaced). Beside them the
#: milestones: the page's title drawn, its first chart drawn (plotly.js loaded), and all its charts drawn.
#: Streamlit's running indicator appears only once a run has lasted 500 ms, so "idle" also reads the script state
#: the app's root element carries (data-test-script-state).
PROBE = """
(want) => {
  const text = e => e.textContent.trim();
  const h1s = Array.from(document.querySelectorAll('h1'));
  // a chart's element: nnviz's chart component (nnviz/ui/chart.py) or st.plotly_chart
  const plots = Array.from(document.querySelectorAll('.stBidiComponent, [data-testid="stPlotlyChart"]'));
  const old = e => !!e.closest('[data-stale="true"]')
    || (!!want && want.old_keys.some(k => e.closest('[data-testid="stMain"] .' + CSS.escape(k))));
  const title = want ? h1s.some(h => text(h) === want.title) : h1s.length > 0;
  const checks = {
    title,
    idle: !document.querySelector('[data-testid="stStatusWidget"]')
      && document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning',
    loaded: !document.querySelector('[data-testid="stSkeleton"]'),
    sidebar: Array.from(document.querySelectorAll('[data-testid="stSidebar"]'))
      .some(s => s.textContent.includes('Classroom mode')),
    charts: plots.every(c => c.querySelector('.main-svg')),
  };
  if (want) {
    checks.path = location.pathname.replace(/\\/+$/, '').endsWith('/' + want.path);
    checks.old_title_gone = !h1s.some(h => text(h) === want.old_title);
    checks.old_gone = !document.querySelector('[data-stale="true"]')
      && !want.old_keys.some(k => document.querySelector('[data-testid="stMain"] .' + CSS.escape(k)));
  }
  const chart = title && Array.from(document.querySelectorAll('.main-svg')).some(c => !old(c));
  const charts = title && plots.length > 0 && checks.charts && checks.loaded;
  return {checks, milestones: {title, chart, charts}};
}
"""
#: The keyed elements (st-key-* classes) in the main area: what must be gone once a click has left this page.
KEYS = """() => Array.from(new Set(Array.from(document.querySelectorAll('[data-testid="stMain"] [class*="st-key-"]'))
  .flatMap(e => Array.from(e.classList).filter(c => c.startsWith('st-key-')))))"""
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


def wait_settled(page, quiet_ms: int, timeout_s: float, seen: dict | None = None, want: dict | None = None) -> float:
    """perf_counter() time at which the page became ready (every PROBE check true) and then stayed ready for
    ``quiet_ms``; ``seen`` gets the first perf_counter() time of each milestone (title, chart, charts). ``want``
    (in-app): the page expected, {"path", "title", "old_title", "old_keys"} (see PROBE)."""
    deadline = time.perf_counter() + timeout_s
    since, missing = None, ["page never answered"]
    seen = {} if seen is None else seen
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        try:
            probe = page.evaluate(PROBE, want)
            for name, there in probe["milestones"].items():
                if there:
                    seen.setdefault(name, now)
            missing = [name for name, ok in probe["checks"].items() if not ok]
        except Exception:  # the page is still navigating (its context was replaced)
            missing = ["page navigating"]
        if missing:
            since = None
        elif since is None:
            since = now
        elif now - since >= quiet_ms / 1000:
            return since
        page.wait_for_timeout(50)
    raise TimeoutError(f"the page did not settle (still not true: {', '.join(missing)})")


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


def wait_warmed_up(pid: int, timeout_s: float = 60) -> None:
    """Until the server's background torch import (nnviz.warmup) has come and gone: it starts only once the server
    has been quiet for ``warmup.QUIET_S``, so an idle half-second right after a visit does not mean it is done (a
    visit measured then ran beside a 2-3 s import, on the same two cores as the browser)."""
    from nnviz import warmup

    time.sleep(warmup.QUIET_S + 0.5)
    wait_server_idle(pid, timeout_s)


def visit(browser, url: str, quiet_ms: int, timeout_s: float, t0: float | None = None, context=None) -> dict:
    """Open ``url`` in a new tab: of a new browser context (a new visitor: no cached files), or of ``context`` (a
    browser that has the app open already: Streamlit's and plotly's scripts in its cache; the context is left
    open). Either way a new session. Returns seconds from ``t0`` (default: now) until settled ("seconds") and
    until each milestone: the HTML answered ("html"), the websocket opened ("ws"), the title drawn ("title"), the
    first chart drawn ("chart"), every chart drawn ("charts"); and the number of error boxes on the settled page
    ("errors"). Also "t0" and "t0_wall" (the same instant in perf_counter and time.time)."""
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
            wait_warmed_up(proc.pid)
        load, since, cpu0 = os.getloadavg()[0], time.time(), cpu_seconds(proc.pid)
        result = visit(browser, f"{url}/{path}", args.quiet_ms, args.timeout_s, context=home if returning else None)
        return result | breakdown(result, log, since) | {
            "load": load, "server": server_seconds(log, since), "cpu": cpu_seconds(proc.pid) - cpu0}
    finally:
        home.close()
        stop_server(proc)


def in_app(browser, path: str, title: str, args) -> dict:
    """The server has served the home page (and gone idle). A new visitor opens the home page in a fresh browser,
    waits until it settled (and the server is idle again), then clicks ``path``'s link in the router's sidebar:
    the clock runs from the click until the page titled ``title`` has settled, in the same tab (Streamlit's and
    plotly's scripts already loaded and evaluated, the session's websocket open)."""
    log = Path(tempfile.mkdtemp(prefix="nnviz-firstload-")) / "runs.jsonl"
    proc, url, _ = start_server(log)
    first = browser.new_context(viewport={"width": 1280, "height": 900})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(args.timeout_s * 1000)
    try:
        wait_healthy(url, proc, args.timeout_s)
        visit(browser, url, args.quiet_ms, args.timeout_s, context=first)  # the server has served the home page
        if not args.no_idle_wait:
            wait_warmed_up(proc.pid)
        page = context.new_page()
        page.goto(url, wait_until="commit")
        wait_settled(page, args.quiet_ms, args.timeout_s)
        if not args.no_idle_wait:
            wait_server_idle(proc.pid)  # the student reads the home page for a moment
        want = {"path": path, "title": title, "old_title": page.locator("h1").first.text_content().strip(),
                "old_keys": page.evaluate(KEYS)}
        # The router's own link (nnviz.ui.common.page_links, in the container keyed nnviz_nav); its href is the
        # URL path, relative to the app's root.
        link = page.locator(f'[class*="st-key-nnviz_nav"] a[data-testid="stPageLink-NavLink"]'
                            f':is([href="{path}"], [href$="/{path}"])')
        if link.count() != 1:
            raise RuntimeError(f"{link.count()} sidebar links to /{path}, not one")
        link.wait_for(state="visible")
        load, since, cpu0 = os.getloadavg()[0], time.time(), cpu_seconds(proc.pid)
        marks: dict[str, float] = {}
        t0 = time.perf_counter()
        t0_wall = time.time()
        link.click()
        settled = wait_settled(page, args.quiet_ms, args.timeout_s, marks, want)
        result = {name: at - t0 for name, at in marks.items()} | {
            "seconds": settled - t0, "errors": page.evaluate(ERRORS), "t0": t0, "t0_wall": t0_wall}
        return result | breakdown(result, log, since) | {
            "load": load, "server": server_seconds(log, since), "cpu": cpu_seconds(proc.pid) - cpu0}
    finally:
        context.close()
        first.close()
        stop_server(proc)


#: The breakdown's columns: seconds from the clock's start (cold: server process start; warm, returning: the tab's
#: navigation; in-app: the click).
STAGES = (("up", "server_start"), ("html", "html"), ("ws", "ws"), ("run", "run_start"), ("run done", "run_end"),
          ("runs done", "runs_end"), ("title", "title"), ("chart", "chart"), ("all charts", "charts"),
          ("settled", "seconds"))


def describe(kind: str, results: list[dict]) -> str:
    """One line: the median time of each stage of the visit, and the server's CPU seconds."""
    def med(name: str) -> float:
        values = [r.get(name, float("nan")) for r in results]
        return statistics.median(values)

    stages = " · ".join(f"{label} {med(name):.2f}" for label, name in STAGES if name in results[0])
    cpu = (f"server CPU {med('cpu_up'):.2f} s to listening, {med('cpu'):.2f} s in all" if kind == "cold"
           else f"server CPU {med('cpu'):.2f} s")
    return f"{kind}: {stages} s ({med('runs'):.0f} runs; {cpu})"


#: The kinds of visit, in the order they run and are shown, and the final table's column for each.
KINDS = (("cold", "cold s"), ("warm", "warm s"), ("returning", "return s"), ("in-app", "in-app s"))


def measure(kind: str, browser, spec, args) -> list[dict] | None:
    """``args.repeats`` visits of ``spec``'s page of this kind; None where the kind does not apply (in-app: home,
    which is where the click comes from)."""
    path = "" if spec.url_path == "home" else spec.url_path
    if kind == "in-app" and not path:
        return None
    run = {"cold": lambda: cold(browser, path, args), "warm": lambda: warm(browser, path, args),
           "returning": lambda: warm(browser, path, args, returning=True),
           "in-app": lambda: in_app(browser, path, spec.title, args)}[kind]
    return [run() for _ in range(args.repeats)]


def goal(kind: str) -> float:
    return COLD_GOAL_S if kind == "cold" else WARM_GOAL_S


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="URL paths, e.g. single_neuron (default: every page; home is '')")
    parser.add_argument("--repeats", type=int, default=1, help="measurements per page and kind (median shown)")
    parser.add_argument("--quiet-ms", type=int, default=500)
    parser.add_argument("--timeout-s", type=float, default=120, help="per server start and per page")
    parser.add_argument("--no-idle-wait", action="store_true",
                        help="warm, returning, in-app: go on right after the home page settled, not once the server "
                             "is idle")
    parser.add_argument("--kinds", nargs="+", choices=[k for k, _ in KINDS], default=[k for k, _ in KINDS],
                        help="which kinds of visit to measure (default: all)")
    args = parser.parse_args()
    args.repeats = max(1, min(5, args.repeats))
    kinds = [k for k in KINDS if k[0] in args.kinds]
    specs = [p for p in PAGES if not args.pages or p.url_path in args.pages
             or (p.url_path == "home" and "" in args.pages)]
    from playwright.sync_api import sync_playwright

    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          f"goals: warm, returning and in-app <= {WARM_GOAL_S:g} s, cold <= {COLD_GOAL_S:g} s (idle machine)",
          flush=True)
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for spec in specs:
                results = {kind: measure(kind, browser, spec, args) for kind, _ in kinds}
                done = [r for rs in results.values() if rs for r in rs]
                row = {"page": spec.title, "errors": sum(r["errors"] for r in done),
                       "load": statistics.mean(r["load"] for r in done) if done else os.getloadavg()[0]}
                for kind, rs in results.items():
                    if rs:
                        row[kind] = statistics.median(r["seconds"] for r in rs)
                        row[kind + " server"] = statistics.median(r["server"] for r in rs)
                        if kind == "cold":
                            row["start"] = statistics.median(r["server_start"] for r in rs)
                rows.append(row)
                parts = []
                for kind, _ in kinds:
                    if kind not in row:
                        parts.append(f"{kind} n/a")
                        continue
                    up = f"server up after {row['start']:.1f} s, " if kind == "cold" else ""
                    parts.append(f"{kind} {row[kind]:5.1f} s ({up}script runs {row[kind + ' server']:.1f} s)")
                print(f"  {row['page']:32s} {' · '.join(parts)} · errors {row['errors']} · load {row['load']:.1f}",
                      flush=True)
                for kind, rs in results.items():
                    if rs:
                        print("    " + describe(kind, rs), flush=True)
        finally:
            browser.close()

    def cell(row: dict, key: str, width: int, limit: float | None = None) -> str:
        """``width`` characters for the number, then "*" when it is over ``limit``; "n/a" where not measured."""
        if key not in row:
            return f"{'n/a':>{width}s} " if limit is not None else f"{'n/a':>{width}s}"
        flag = ("*" if row[key] > limit else " ") if limit is not None else ""
        return f"{row[key]:{width}.1f}{flag}"

    head, lines = f"{'page':32s}", [f"{r['page']:32s}" for r in rows]
    for kind, column in kinds:
        head += f" {column:>9s} {'runs s':>6s}" + (f" {'up s':>5s}" if kind == "cold" else "")
        for i, r in enumerate(rows):
            lines[i] += f" {cell(r, kind, 8, goal(kind))} {cell(r, kind + ' server', 6)}" + (
                f" {cell(r, 'start', 5)}" if kind == "cold" else "")
    print(f"\n{head} {'errors':>6s} {'load':>5s}")
    for r, line in zip(rows, lines, strict=True):
        print(f"{line} {r['errors']:6d} {r['load']:5.1f}")
    print(f"(* over the goal; runs s: the server's script runs of that visit; load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}, {args.repeats} measurement(s) each, median)")


if __name__ == "__main__":
    main()
