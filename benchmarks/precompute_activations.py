"""Precompute the activation page's depth section at its defaults, so a first visit does not compute it.

Writes nnviz/data/activations_depth.json: ``topics.activations.propagate`` for every activation the gallery
selects by default (the page's DEFAULT_SELECTION), Xavier weights, width 256, 50 layers, batch DEPTH_BATCH,
seed 0: the settings the page opens with. Each row carries its settings key (``views.activations.depth_key``), so
the page uses a row only for exactly those settings. Deterministic (fixed seed); tests compare the file with a
fresh computation. The linear collapse needs no file: it trains in a live panel behind its button.

    python benchmarks/precompute_activations.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402

threads.limit()

from nnviz.activations import Phi  # noqa: E402
from nnviz.topics import activations as topic  # noqa: E402
from nnviz.views.activations import DEPTH_DATA, DEPTH_DEFAULTS, depth_key  # noqa: E402


def main() -> None:
    rows = []
    init, sigma_w, width, depth = DEPTH_DEFAULTS["init"], 1.0, DEPTH_DEFAULTS["width"], DEPTH_DEFAULTS["depth"]
    for key in DEPTH_DEFAULTS["selection"]:
        t0 = time.perf_counter()
        act = Phi(key)
        p = topic.propagate(act, init, depth=depth, width=width, batch=topic.DEPTH_BATCH, sigma_w=sigma_w, seed=0)
        rows.append({"key": depth_key(act, init, sigma_w, width, depth), "act": act.key, "params": act.params,
                     "act_std": p.act_std.tolist(), "grad_std": p.grad_std.tolist(), "dead": p.dead.tolist(),
                     "w_std": p.w_std})
        print(f"{key}: {time.perf_counter() - t0:.2f} s")
    DEPTH_DATA.write_text(json.dumps(rows) + "\n")
    print(f"wrote {DEPTH_DATA} ({len(rows)} propagations)")


if __name__ == "__main__":
    main()
