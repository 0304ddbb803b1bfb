"""Server time of every widget change at its extremes on "Inside a neuron" and "Activation functions" (issue 18).

Opens each page with AppTest, then sets every keyed widget in turn to each of its extreme values (a slider's ends,
every option, a box both ways; ``tests.apptest_utils.extreme_values``), timing ``at.run()`` each time, on cold
caches: a change to a value nobody asked for yet is a cache miss, the case that matters. ``--with`` first applies
settings that make later changes heavier (all 18 activations selected, say) and sweeps again from there. Prints the
slowest changes, wall and CPU time, and the load average. A measurement run by hand, not a timed test.

    python benchmarks/sweep_neuron_activation_pages.py [--top 12]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402
from tests.apptest_utils import _settable, extreme_values, open_page  # noqa: E402

#: Starting points that make the rest heavier: (page, label, {key: value}) applied before a second sweep.
HEAVY_STARTS = (
    ("single_neuron.py", "defaults", {}),
    ("single_neuron.py", "n = 5", {"sn_n": 5}),
    ("activations.py", "defaults", {}),
    ("activations.py", "every activation selected", {"act_sel": "ALL"}),
)


def _widget(at, key: str):
    return next((w for w in _settable(at) if w.key == key), None)


def sweep(page: str, start: dict) -> list[tuple[float, float, str]]:
    """(wall s, cpu s, "key=value") for every extreme of every widget, from the settings ``start``."""
    at = open_page(page)
    for key, value in start.items():
        w = _widget(at, key)
        w.set_value(list(w.options) if value == "ALL" else value)
        at.run()
    out = []
    keys = [w.key for w in _settable(at)]
    for key in keys:
        w = _widget(at, key)
        if w is None:
            continue
        original = w.value
        for value in [*[v for v in extreme_values(w) if v != original], original]:
            w = _widget(at, key)
            if w is None:
                break
            w.set_value(value)
            t0, c0 = time.perf_counter(), time.process_time()
            at.run()
            out.append((time.perf_counter() - t0, time.process_time() - c0, f"{key}={value!r}"[:90]))
            if at.exception:
                raise RuntimeError(f"{page}: {key}={value!r}: {at.exception[0].value}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    threads.limit()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for page, label, start in HEAVY_STARTS:
        times = sorted(sweep(page, start), reverse=True)
        print(f"\n{page} from {label}: {len(times)} changes, slowest first (wall ms, cpu ms)")
        for wall, cpu, what in times[: args.top]:
            print(f"  {wall * 1000:8.0f} {cpu * 1000:8.0f}  {what}")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
