"""Precompute the depth page's default results, so the page opens instantly.

Writes nnviz/data/depth_equal_budget.json (the equal-budget experiment for every target at the page's
default settings, without the interactive 15 s limit) and nnviz/data/depth_untangle.json (the small
tanh classifiers of the "depth untangles" section). Deterministic: seeds are fixed.

    python benchmarks/precompute_depth.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import depth  # noqa: E402

#: The page's default settings of the equal-budget experiment (pages/depth.py reads these too).
STEPS = depth.DEFAULT_STEPS
SEED = 0


def main() -> None:
    depth.DATA_DIR.mkdir(exist_ok=True)
    out = {}
    for target in depth.TARGETS:
        t0 = time.perf_counter()
        exp = depth.BudgetExperiment(target, steps=STEPS, seed=SEED, run_seconds=1e9)
        while not exp.done:
            exp.advance(1.0)
        out[target] = exp.summary()
        print(f"{target}: {time.perf_counter() - t0:.1f} s")
    path = depth.DATA_DIR / "depth_equal_budget.json"
    path.write_text(json.dumps(out, separators=(",", ":")))
    print(f"wrote {path} ({path.stat().st_size / 1024:.1f} KiB)")

    nets = {}
    for name in depth.UNTANGLE_SETS:
        for d in depth.UNTANGLE_DEPTHS:
            net = depth.train_untangler(name, d)
            nets[f"{name}-{d}"] = net.to_json()
            print(f"untangle {name} depth {d}: accuracy {net.accuracy:.3f}")
    path = depth.DATA_DIR / "depth_untangle.json"
    path.write_text(json.dumps(nets, separators=(",", ":")))
    print(f"wrote {path} ({path.stat().st_size / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
