"""Page rerun latency: how long the app takes to rerun a page after each widget change.

For every page (or those named on the command line), open it through app.py with AppTest, then for
each keyed widget set it to a new value and time ``at.run()``: that is the server-side cost of one
interaction (script run plus building every element). Prints median and p95 per page.

    python benchmarks/bench_rerun.py [page.py ...] [--repeats 3]

Widgets that start a training run are buttons and are not touched; everything else is.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz.catalog import available_pages  # noqa: E402
from tests.apptest_utils import _settable, extreme_values, open_page  # noqa: E402


def _alternatives(widget) -> list:
    values = [v for v in extreme_values(widget) if v != widget.value]
    return values[:3]


def measure_page(page_file: str, repeats: int) -> list[float]:
    """Seconds per rerun after each widget change on one page."""
    at = open_page(page_file)
    at.run()  # warm caches for the defaults, as a user who just opened the page
    times: list[float] = []
    keys = [w.key for w in _settable(at)]
    for key in keys:
        for _ in range(repeats):
            widget = next((w for w in _settable(at) if w.key == key), None)
            if widget is None:
                break
            original = widget.value
            for value in _alternatives(widget) + [original]:
                widget = next((w for w in _settable(at) if w.key == key), None)
                if widget is None:
                    break
                widget.set_value(value)
                t0 = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - t0)
                if at.exception:
                    raise RuntimeError(f"{page_file}: {key}={value!r}: {at.exception[0].value}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="page files, e.g. single_neuron.py (default: all)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    pages = args.pages or [p.file for p in available_pages()]
    print(f"{'page':32s} {'changes':>8s} {'median ms':>10s} {'p95 ms':>8s} {'max ms':>8s}")
    for page_file in pages:
        times = measure_page(page_file, args.repeats)
        if not times:
            print(f"{page_file:32s} {0:8d} {'-':>10s}")
            continue
        ms = sorted(t * 1000 for t in times)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        print(f"{page_file:32s} {len(ms):8d} {statistics.median(ms):10.1f} {p95:8.1f} {ms[-1]:8.1f}")


if __name__ == "__main__":
    main()
