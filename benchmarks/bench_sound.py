"""Rerun cost of the three sound sections, each on its own page with the section open.

For each section, open its page through app.py with AppTest and the section's lazy expander open (the URL key the
page binds it to), then set every widget of the section (keys with the section's prefix) to its extremes and back,
timing ``at.run()``: wall and CPU seconds of the whole page's rerun (what the server pays when the page reruns),
and CPU seconds spent inside the section function itself (what a rerun of the section alone, as a fragment in
the browser, pays). Prints median and p95 per section.

    python benchmarks/bench_sound.py [--repeats 2]

Every distinct setting is computed once (the views are cached, as on a server); the first visit to each setting
is counted, so the p95 includes cache misses.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402

threads.limit()

from nnviz.ui import sound  # noqa: E402
from tests.apptest_utils import _settable, extreme_values, open_page  # noqa: E402

#: (section function, page, the URL key that opens it, the prefix of its widgets' keys)
SECTIONS = (
    ("hear_nonlinearity_section", "activations.py", "act_hear_open", "act_hear_"),
    ("spiking_neuron_heard_section", "single_neuron.py", "sn_hear_open", "sn_spk_"),
    ("approximation_by_ear_section", "universal_approximation.py", "uat_ear_open", "uat_ear_"),
)

_INSIDE: list[float] = []


def _timed(fn):
    """Wrap a section function so each call books its CPU seconds (a fragment keeps its wrapped function)."""
    def wrapper(*args, **kwargs):
        c0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _INSIDE.append(time.process_time() - c0)
    return wrapper


def _values(widget) -> list:
    if type(widget).__name__ == "TextInput":
        return ["sign(sin(2*pi*x))", "x.__class__", widget.value]  # a jump, a refused formula, back
    return [v for v in extreme_values(widget) if v != widget.value][:4]


def _widgets(at, prefix: str):
    for w in list(_settable(at)) + list(at.text_input):
        if getattr(w, "key", None) and w.key.startswith(prefix) and not getattr(w, "disabled", False):
            yield w


def measure(name: str, page: str, open_key: str, prefix: str, repeats: int) -> tuple[list, list, list]:
    """(wall, cpu, inside-section cpu) seconds per rerun after each widget change of one section."""
    original = getattr(sound, name)
    setattr(sound, name, _timed(original))
    try:
        at = open_page(page, {open_key: "true"})
        at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        wall, cpu, inside = [], [], []
        seen: set[str] = set()
        for _ in range(repeats):
            seen.clear()
            while True:
                widget = next((w for w in _widgets(at, prefix) if w.key not in seen), None)
                if widget is None:
                    break
                seen.add(widget.key)
                start = widget.value
                for value in _values(widget) + [start]:
                    widget = next((w for w in _widgets(at, prefix) if w.key == widget.key), None)
                    if widget is None:
                        break
                    (widget.input(value) if type(widget).__name__ == "TextInput" else widget.set_value(value))
                    _INSIDE.clear()
                    t0, c0 = time.perf_counter(), time.process_time()
                    at.run()
                    wall.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
                    inside.append(sum(_INSIDE))
                    if at.exception:
                        raise RuntimeError(f"{page}: {widget.key}={value!r}: {at.exception[0].value}")
        return wall, cpu, inside
    finally:
        setattr(sound, name, original)


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'section':30s} {'changes':>7s} {'wall med':>9s} {'wall p95':>9s} {'cpu med':>8s} {'cpu p95':>8s} "
          f"{'section cpu med':>15s} {'p95':>6s}   (ms)")
    for name, page, open_key, prefix in SECTIONS:
        wall, cpu, inside = (sorted(1000 * t for t in ts) for ts in measure(name, page, open_key, prefix,
                                                                              args.repeats))
        print(f"{name.removesuffix('_section'):30s} {len(wall):7d} {statistics.median(wall):9.1f} {_p95(wall):9.1f} "
              f"{statistics.median(cpu):8.1f} {_p95(cpu):8.1f} {statistics.median(inside):15.1f} {_p95(inside):6.1f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
