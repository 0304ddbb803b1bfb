"""Precompute the depth page's default results, so the page opens instantly.

Writes nnviz/data/depth_equal_budget.json: for every target, the equal-budget experiment at the page's default
settings, run with ``TimedRun.run()`` (exactly ``len(depths) * steps`` steps, no clock), so it is what a live
run with those settings produces; plus each depth's losses after the first few steps (a cheap check the tests
repeat). And nnviz/data/depth_untangle.json: the small tanh classifiers of "depth untangles" and their data.
Deterministic on one machine (seeds are fixed); the file records its `numerics.fingerprint()`, and tests expect the
same digits only where it matches.

    python benchmarks/precompute_depth.py [--only untangle|budget]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import numerics, threads  # noqa: E402

threads.limit()

from nnviz.topics.depth import budget, untangle  # noqa: E402


def precompute_budget() -> None:
    out = {"numerics": numerics.fingerprint()}  # the digits are this machine's: tests check them where it matches
    for target in budget.TARGETS:
        t0 = time.perf_counter()
        s = budget.default_settings(target)
        exp = budget.BudgetExperiment(target, s["steps"], s["seed"], lr=s["lr"], n_seeds=s["n_seeds"],
                                      budgets=tuple(s["budgets"]), depths=tuple(s["depths"]))
        prefix = budget.BudgetExperiment(target, s["steps"], s["seed"]).prefix_losses()
        exp.run()
        assert exp.complete
        out[target] = exp.result().to_json() | {"prefix": prefix, "prefix_steps": budget.PREFIX_STEPS}
        print(f"{target}: {time.perf_counter() - t0:.1f} s")
    budget.DATA_FILE.write_text(json.dumps(out, separators=(",", ":")))
    print(f"wrote {budget.DATA_FILE} ({budget.DATA_FILE.stat().st_size / 1024:.1f} KiB)")


def precompute_untangle() -> None:
    nets = {}
    for name in untangle.UNTANGLE_SETS:
        for d in untangle.UNTANGLE_DEPTHS:
            net = untangle.train_untangler(name, d)
            nets[f"{name}-{d}"] = net.to_json()
            print(f"untangle {name} depth {d}: accuracy {net.accuracy:.3f}")
    data = {}
    for name in untangle.UNTANGLE_SETS:
        X, y = untangle.untangle_data(name)
        data[name] = {"X": X.tolist(), "y": y.tolist()}
    untangle.DATA_FILE.write_text(json.dumps({"nets": nets, "data": data}, separators=(",", ":")))
    print(f"wrote {untangle.DATA_FILE} ({untangle.DATA_FILE.stat().st_size / 1024:.1f} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("untangle", "budget"))
    args = parser.parse_args()
    if args.only != "budget":
        precompute_untangle()
    if args.only != "untangle":
        precompute_budget()


if __name__ == "__main__":
    main()
