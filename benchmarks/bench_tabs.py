"""Rerun latency tab by tab, for pages whose sections are lazy tabs (bench_rerun.py measures only the open one).

For each tab of a page: open the page through a link to that tab (its URL key, as a student following a link
would) and time that run ("open": the first time this process builds the tab, so cold caches count), then set
every keyed widget the tab shows to its extremes as bench_rerun.py does and time each rerun. Prints wall and
CPU medians per tab, and the worst single rerun (issue 18: none may take more than 1 s of server time).

    python benchmarks/bench_tabs.py depth.py dp_tab "Counting" "Sawtooth" ...
    python benchmarks/bench_tabs.py network.py nw_tab            (every tab the page lists)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_rerun import _p95, sweep_widgets  # noqa: E402
from tests.apptest_utils import open_page  # noqa: E402

TABS = {  # page file -> (URL key of its tabs, labels in order)
    "depth.py": ("dp_tab", ("Counting", "Sawtooth", "Yarotsky's x²", "Regions", "Trajectory", "Equal budgets",
                            "Untangling", "Real networks")),
    "network.py": ("nw_tab", ("A layer", "Stacking", "A set of functions", "Training",
                              "Regression vs classification", "Digits")),
    "activations.py": ("act_tab", ("Why a nonlinearity", "ReLU sums", "Depth", "Universality", "A race")),
}


def measure_tab(page_file: str, key: str, label: str, repeats: int) -> tuple[float, float, list[float], list[float]]:
    """(open wall s, open cpu s, rerun wall s list, rerun cpu s list) for one tab."""
    t0, c0 = time.perf_counter(), time.process_time()
    at = open_page(page_file, {key: label})
    opened, opened_cpu = time.perf_counter() - t0, time.process_time() - c0
    if at.exception:
        raise RuntimeError(f"{page_file} {label}: {at.exception[0].value}")
    times, cpu = sweep_widgets(at, repeats, f"{page_file} {label}")
    return opened, opened_cpu, times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", choices=sorted(TABS))
    parser.add_argument("tabs", nargs="*", help="tab labels (default: every tab)")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    key, labels = TABS[args.page]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; open = first visit of the tab in this "
          "process (the page script included, opening the page on a link to that tab)")
    print(f"{'tab':30s} {'open ms':>8s} {'open cpu':>8s} {'changes':>7s} {'median':>7s} {'cpu med':>7s} "
          f"{'p95':>7s} {'max':>7s} {'cpu max':>7s}")
    every_wall: list[float] = []
    every_cpu: list[float] = []
    for label in args.tabs or labels:
        opened, opened_cpu, times, cpu = measure_tab(args.page, key, label, args.repeats)
        every_wall += times
        every_cpu += cpu
        ms, cms = sorted(t * 1000 for t in times) or [float("nan")], sorted(t * 1000 for t in cpu) or [float("nan")]
        print(f"{label:30s} {opened * 1000:8.0f} {opened_cpu * 1000:8.0f} {len(times):7d} {statistics.median(ms):7.1f} "
              f"{statistics.median(cms):7.1f} {_p95(ms):7.1f} {ms[-1]:7.1f} {cms[-1]:7.1f}", flush=True)
    if every_wall:
        print(f"{'all tabs':30s} {'':8s} {'':8s} {len(every_wall):7d} {statistics.median(every_wall) * 1000:7.1f} "
              f"{statistics.median(every_cpu) * 1000:7.1f}")
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
