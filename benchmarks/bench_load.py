"""Load test on loopback: N concurrent Chromium sessions drive every page's widgets at once.

Starts one server with the deployment entrypoint (or uses --url), opens N browser contexts in one headless
Chromium (arriving --arrival-s apart, 2 s by default), and in each one opens the app once, then visits every
page through the sidebar (as a student does: no reload of the app's JavaScript) and moves its first sliders to
their ends with the keyboard (End, then Home): interactions that rerun the page but do not start training.
Two latencies per interaction:

- server time: from the rerun request reaching the server to the server queueing its "script finished"
  message, logged inside the server (benchmarks/server_timing/sitecustomize.py, loaded through PYTHONPATH;
  the server is otherwise the unchanged deploy/entrypoint.sh);
- until settled: from the key press until the page's DOM stops changing (a MutationObserver records the last
  change; settled after 400 ms without one). This adds the websocket, and the browser redrawing every figure.

The server's peak memory is its VmHWM from /proc; CPU seconds are reported for the server and the machine.

    python benchmarks/bench_load.py --sessions 10 --sliders 3 --max-seconds 600

Bounded: at most 20 sessions and --max-seconds of wall time. On a machine shared with the browsers, ten
Chromium sessions use about ten times the server's CPU, so by default the server gets core 0 to itself and
the browsers and this driver the remaining cores (--shared puts them all on every core). The server is one
process and its interpreter runs one thread at a time, so one core is close to what it can use of two; the
settle latency then measures browsers crowded onto the other core, an upper bound for visitors on their own
machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.util import calc_hash  # noqa: E402

from nnviz.catalog import PAGES  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, _free_port, _wait_healthy, chromium_path  # noqa: E402

OBSERVER = """
() => {
  window.__lastMutation = performance.now();
  new MutationObserver(() => { window.__lastMutation = performance.now(); })
    .observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}
"""
SETTLED = """
(quietMs) => performance.now() - window.__lastMutation > quietMs
  && !document.querySelector('[data-testid="stStatusWidget"]')
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def settle(page, quiet_ms: int = 400, timeout_s: float = 60) -> float:
    """Wait until the DOM has been quiet for ``quiet_ms``; return the time of the last change (page clock, ms)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await page.evaluate(SETTLED, quiet_ms):
            return await page.evaluate("() => window.__lastMutation")
        await asyncio.sleep(0.05)
    raise TimeoutError("page did not settle")


async def session(browser, url: str, n_sliders: int, deadline: float, out: dict, delay_s: float = 0.0) -> None:
    await asyncio.sleep(delay_s)  # visitors arrive over a few seconds, not in the same instant
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)  # ten pages drawing on one core are slow to become clickable
    page = await context.new_page()
    try:
        t0 = time.monotonic()
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_selector("h1", timeout=120_000)
        await page.evaluate(OBSERVER)
        await settle(page, quiet_ms=1000, timeout_s=120)
        out["first_load"].append(time.monotonic() - t0)
        for spec in PAGES:
            if time.monotonic() > deadline:
                return
            if spec.file != "home.py":
                t0 = time.monotonic()
                await page.locator(f'.st-key-nnviz_nav a[href$="/{spec.url_path}"]').click()
                await page.wait_for_url(f"**/{spec.url_path}")
                await page.wait_for_selector(f'h1:has-text("{spec.title.split()[0]}")')
                await page.get_by_role("slider").first.wait_for()  # every page but home has sliders
                await settle(page, quiet_ms=1000, timeout_s=120)
                out["page_switch"].append(time.monotonic() - t0)
            sliders = page.get_by_role("slider")
            count = min(n_sliders, await sliders.count())
            for i in range(count):
                for key in ("End", "Home"):
                    if time.monotonic() > deadline:
                        return
                    slider = sliders.nth(i)
                    await slider.focus()
                    pressed = await page.evaluate("() => performance.now()")
                    await page.keyboard.press(key)
                    await asyncio.sleep(0.45)  # let the change reach the server before polling
                    last = await settle(page)
                    out["latency"].append(max(0.0, last - pressed) / 1000)
            errors = await page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count()
            if errors:
                out["errors"].append(f"{spec.url_path}: {errors} error box(es)")
    except Exception as exc:  # a failed session is a finding, not a crash of the benchmark
        out["stalls"].append(f"{type(exc).__name__}: {exc}".splitlines()[0][:160])
    finally:
        await context.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every core; /proc/stat minus idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(args) -> None:
    from playwright.async_api import async_playwright

    server = None
    url = args.url
    server_log = Path(tempfile.mkdtemp(prefix="nnviz-load-")) / "server.jsonl"
    server_stderr = server_log.with_name("server.stderr")
    if url is None:
        port = _free_port()
        env = os.environ | {"PORT": str(port), "ADDRESS": "127.0.0.1", "NNVIZ_SERVER_LOG": str(server_log),
                            "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks" / "server_timing"),
                                                           os.environ.get("PYTHONPATH", "")])}
        server = subprocess.Popen([str(ROOT / "deploy" / "entrypoint.sh")], env=env, stdout=subprocess.DEVNULL,
                                  stderr=server_stderr.open("w"))
        cores = sorted(os.sched_getaffinity(0))
        if not args.shared and len(cores) > 1:
            os.sched_setaffinity(server.pid, cores[:1])
            os.sched_setaffinity(0, cores[1:])  # this driver, and Chromium started from it
            print(f"server on core {cores[0]}; browsers and driver on {cores[1:]}")
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server)
    out: dict = {"latency": [], "first_load": [], "page_switch": [], "errors": [], "stalls": []}
    t0 = time.monotonic()
    deadline = t0 + args.max_seconds
    cpu_server0 = cpu_seconds(server.pid) if server else 0.0
    busy0 = machine_busy_seconds()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            await asyncio.gather(*(session(browser, url, args.sliders, deadline, out, i * args.arrival_s)
                                   for i in range(args.sessions)))
            await browser.close()
        peak = peak_rss_mb(server.pid) if server else float("nan")
        cpu_server = cpu_seconds(server.pid) - cpu_server0 if server else float("nan")
        busy = machine_busy_seconds() - busy0
    finally:
        if server:
            server.terminate()
            server.wait(10)
    wall = time.monotonic() - t0
    print(f"sessions {args.sessions} · pages {len(PAGES)} · wall {wall:.0f} s · "
          f"CPU s: server {cpu_server:.0f}, machine {busy:.0f} of {wall * os.cpu_count():.0f} "
          "(the rest: Chromium and this driver)")
    runs = server_runs(server_log)
    _report("server time, slider reruns", [r["seconds"] for r in runs if r["kind"] == "slider"])
    for spec in PAGES:
        _report(f"  {spec.url_path or 'home'}",
                [r["seconds"] for r in runs if r["kind"] == "slider" and r["page"] == spec.url_path])
    _report("server time, page opened", [r["seconds"] for r in runs if r["kind"] == "page"])
    _report("until the page settles after a slider", out["latency"])
    _report("first load of the app", out["first_load"])
    _report("page switch (sidebar)", out["page_switch"])
    print(f"errors shown by the app {len(out['errors'])}" + "".join(f"\n  {e}" for e in out["errors"][:10]))
    print(f"sessions the driver gave up on {len(out['stalls'])}" + "".join(f"\n  {e}" for e in out["stalls"][:10]))
    tracebacks = server_stderr.read_text().count("Traceback") if server_stderr.exists() else 0
    print(f"tracebacks in the server's log {tracebacks}")
    print(f"server peak memory {peak:.0f} MB")


def server_runs(log: Path) -> list[dict]:
    """The server's log as runs: seconds from request to finished, the page, and whether the request opened a
    page (the first run of a session, or a different page than its last) or reran the same page (a slider)."""
    if not log.exists():
        return []
    pages = {calc_hash(spec.url_path): spec.url_path for spec in PAGES}
    last_page: dict[str, str] = {}
    runs = []
    for line in log.read_text().splitlines():
        entry = json.loads(line)  # (a slider inside a fragment reruns just the fragment: still a slider)
        page = pages.get(entry["page"], "?")
        kind = "slider" if last_page.get(entry["session"]) == page else "page"
        last_page[entry["session"]] = page
        runs.append({"seconds": entry["finished"] - entry["arrived"], "page": page, "kind": kind})
    return runs


def _report(what: str, values: list[float]) -> None:
    if values:
        print(f"{what}: n {len(values)} · p50 {statistics.median(values):.2f} s · "
              f"p95 {percentile(values, 0.95):.2f} s · max {max(values):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--sliders", type=int, default=3, help="sliders moved per page")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--url", default=None, help="an already running app (default: start one)")
    parser.add_argument("--shared", action="store_true", help="server and browsers on every core")
    parser.add_argument("--arrival-s", type=float, default=2.0, help="seconds between sessions' arrivals")
    args = parser.parse_args()
    args.sessions = max(1, min(20, args.sessions))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
