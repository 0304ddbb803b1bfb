"""Load test on loopback: N concurrent Chromium sessions drive every page's widgets at once.

Starts one server with the deployment entrypoint (or uses --url), opens N browser contexts in one headless
Chromium, and in each one visits every page and moves its first sliders to their ends with the keyboard
(End, then Home): interactions that rerun the page but do not start training. An interaction's latency is
the time from the key press until the page's DOM stops changing (a MutationObserver records the last change;
the page counts as settled after 400 ms without one), so it includes the rerun, the websocket round trip
and the browser redrawing the figures. The server's peak memory is its VmHWM from /proc.

    python benchmarks/bench_load.py --sessions 10 --sliders 3 --max-seconds 600

Bounded: at most 20 sessions and --max-seconds of wall time. Browser and server share this machine's cores,
so the figures are an upper bound for a server with its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnviz.catalog import available_pages  # noqa: E402
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


async def session(browser, url: str, n_sliders: int, deadline: float, out: dict) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        for spec in available_pages():
            if time.monotonic() > deadline:
                return
            t0 = time.monotonic()
            await page.goto(f"{url}/{'' if spec.file == 'home.py' else spec.url_path}", wait_until="domcontentloaded")
            await page.wait_for_selector("h1", timeout=90_000)
            await page.evaluate(OBSERVER)
            await settle(page, quiet_ms=1000, timeout_s=120)
            out["loads"].append(time.monotonic() - t0)
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
        out["errors"].append(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        await context.close()


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
    if url is None:
        port = _free_port()
        env = os.environ | {"PORT": str(port), "ADDRESS": "127.0.0.1"}
        server = subprocess.Popen([str(ROOT / "deploy" / "entrypoint.sh")], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server)
    out: dict[str, list] = {"latency": [], "loads": [], "errors": []}
    t0 = time.monotonic()
    deadline = t0 + args.max_seconds
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            await asyncio.gather(*(session(browser, url, args.sliders, deadline, out)
                                   for _ in range(args.sessions)))
            await browser.close()
        peak = peak_rss_mb(server.pid) if server else float("nan")
    finally:
        if server:
            server.terminate()
            server.wait(10)
    lat = out["latency"]
    print(f"sessions {args.sessions} · pages {len(available_pages())} · wall {time.monotonic() - t0:.0f} s")
    if lat:
        print(f"interactions {len(lat)} · latency p50 {statistics.median(lat):.2f} s · "
              f"p95 {percentile(lat, 0.95):.2f} s · max {max(lat):.2f} s")
    if out["loads"]:
        print(f"page loads {len(out['loads'])} · p50 {statistics.median(out['loads']):.2f} s · "
              f"p95 {percentile(out['loads'], 0.95):.2f} s")
    print(f"errors {len(out['errors'])}" + "".join(f"\n  {e}" for e in out["errors"][:10]))
    print(f"server peak memory {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--sliders", type=int, default=3, help="sliders moved per page")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--url", default=None, help="an already running app (default: start one)")
    args = parser.parse_args()
    args.sessions = max(1, min(20, args.sessions))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
