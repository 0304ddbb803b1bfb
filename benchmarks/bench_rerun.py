"""Page rerun latency: how long the app takes to rerun a page after each widget change.

For every page (or those named on the command line), open it through app.py with AppTest, then for
each keyed widget set it to a new value and time ``at.run()``: that is the server-side cost of one
interaction (script run plus building every element). Prints median and p95 per page.

    python benchmarks/bench_rerun.py [page.py ...] [--repeats 3]

Widgets that start a training run are buttons and are not touched; everything else is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz.catalog import PAGES  # noqa: E402
from tests.apptest_utils import _settable, extreme_values, open_page  # noqa: E402


def _alternatives(widget) -> list:
    values = [v for v in extreme_values(widget) if v != widget.value]
    return values[:3]


def measure_page(page_file: str, repeats: int, log: list | None = None) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per rerun after each widget change on one page.

    CPU time (this process, all threads) is what the rerun would cost on an uncontended core; on a shared
    machine the wall clock also counts waiting for other processes.
    """
    at = open_page(page_file)
    at.run()  # warm caches for the defaults, as a user who just opened the page
    return sweep_widgets(at, repeats, page_file, log)


def sweep_widgets(at, repeats: int, where: str, log: list | None = None) -> tuple[list[float], list[float]]:
    """Set every keyed widget the open app shows to its extremes and back, ``repeats`` times; time each rerun.

    Returns (wall seconds, CPU seconds) per rerun, and appends (wall, CPU, key, value) to ``log`` if given; an
    app exception is raised with ``where`` and the setting."""
    times: list[float] = []
    cpu: list[float] = []
    for key in [w.key for w in _settable(at)]:
        for _ in range(repeats):
            widget = next((w for w in _settable(at) if w.key == key), None)
            if widget is None:
                break
            for value in _alternatives(widget) + [widget.value]:
                widget = next((w for w in _settable(at) if w.key == key), None)
                if widget is None:
                    break
                widget.set_value(value)
                t0, c0 = time.perf_counter(), time.process_time()
                at.run()
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                if log is not None:
                    log.append((times[-1], cpu[-1], key, value))
                if at.exception:
                    raise RuntimeError(f"{where}: {key}={value!r}: {at.exception[0].value}")
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="page files, e.g. single_neuron.py (default: all)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--slowest", type=int, default=0, help="also list each page's N slowest changes")
    args = parser.parse_args()
    pages = args.pages or [p.file for p in PAGES]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':30s} {'changes':>7s} {'median ms':>10s} {'p95 ms':>8s} {'max ms':>8s} {'cpu median':>11s} "
          f"{'cpu p95':>8s}")
    for page_file in pages:
        log: list = []
        times, cpu = measure_page(page_file, args.repeats, log)
        if not times:
            print(f"{page_file:30s} {0:7d} {'-':>10s}")
            continue
        ms, cpu_ms = sorted(t * 1000 for t in times), sorted(t * 1000 for t in cpu)
        print(f"{page_file:30s} {len(ms):7d} {statistics.median(ms):10.1f} {_p95(ms):8.1f} {ms[-1]:8.1f} "
              f"{statistics.median(cpu_ms):11.1f} {_p95(cpu_ms):8.1f}")
        for wall, cpu_s, key, value in sorted(log, key=lambda row: row[0], reverse=True)[:args.slowest]:
            print(f"    {wall * 1000:8.1f} ms wall {cpu_s * 1000:8.1f} ms cpu   {key} = {value!r:.60}")


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
