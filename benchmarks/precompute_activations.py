"""Precompute what the activation page shows at its defaults, so a first visit computes nothing and loads neither
torch nor scipy.

Writes nnviz/data/activations.json (``views.activations.DATA``):

- the gallery at its defaults (``GALLERY_DEFAULTS``): each default activation's phi and phi' (closed forms,
  ``Phi.numpy``/``Phi.dnumpy``) on the plotted grid (``topics.activations.curve``), phi and phi' at the default
  probe (``probe``) and its table row (``properties``): cheap, but the sigmoid's and GELU's closed forms import
  scipy, which a first visit then does not;
- the collapse section's two untrained stacks at its defaults (``COLLAPSE_DEFAULTS``; ``collapse_run``'s fits at
  step 0: the figure and W_eff a first visit shows before Train is pressed);
- the depth section at its defaults (``DEPTH_DEFAULTS``): ``propagate`` for every default activation, Xavier
  weights, width 256, 50 layers, batch DEPTH_BATCH, seed 0.

Each row carries its settings key (``views.activations.*_key``), so the page uses a row only for exactly those
settings. Deterministic (fixed seeds); tests compare the file with a fresh computation.

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
from nnviz.views import activations as views  # noqa: E402


def _fit_row(f: topic.Fit) -> dict:
    return {"act": f.act.key, "params": f.act.params, "x": f.x.tolist(), "y": f.y.tolist(), "y_hat": f.y_hat.tolist(),
            "loss": f.loss.tolist(), "shapes": [list(w.shape) for w in f.weights],
            "weights": [w.ravel().tolist() for w in f.weights], "biases": [b.tolist() for b in f.biases]}


def gallery_rows() -> dict[str, list]:
    g = views.GALLERY_DEFAULTS
    curves, probes, props = [], [], []
    for key in g["selection"]:
        act = Phi(key)
        c = topic.curve(act, g["z_max"])
        curves.append({"act": act.key, "params": act.params, "z_max": g["z_max"], "phi": c.phi.tolist(),
                       "dphi": c.dphi.tolist()})
        phi_z, dphi_z = topic.probe(act, g["z_probe"])
        probes.append({"act": act.key, "params": act.params, "z0": g["z_probe"], "phi": phi_z, "dphi": dphi_z})
        p = topic.properties(act)
        props.append({"act": act.key, "params": act.params, "saturating": p.saturating,
                      **{f: getattr(p, f) for f in topic.PROPERTY_NUMBERS}})
    return {"curves": curves, "probes": probes, "properties": props}


def collapse_rows() -> list[dict]:
    c = views.COLLAPSE_DEFAULTS
    config = (Phi(c["phi"]), c["target"], tuple(c["hidden"]))
    run = topic.collapse_run(*config)
    return [{"key": views.collapse_key(config, 0), "fits": [_fit_row(f) for f in run.fits()]}]


def depth_rows() -> list[dict]:
    d = views.DEPTH_DEFAULTS
    rows = []
    init, sigma_w, width, depth = d["init"], 1.0, d["width"], d["depth"]
    for key in d["selection"]:
        t0 = time.perf_counter()
        act = Phi(key)
        p = topic.propagate(act, init, depth=depth, width=width, batch=topic.DEPTH_BATCH, sigma_w=sigma_w, seed=0)
        rows.append({"key": views.depth_key(act, init, sigma_w, width, depth), "act": act.key, "params": act.params,
                     "act_std": p.act_std.tolist(), "grad_std": p.grad_std.tolist(), "dead": p.dead.tolist(),
                     "w_std": p.w_std})
        print(f"depth {key}: {time.perf_counter() - t0:.2f} s")
    return rows


def main() -> None:
    data = {**gallery_rows(), "collapse": collapse_rows(), "depth": depth_rows()}
    views.DATA.write_text(json.dumps(data) + "\n")
    print(f"wrote {views.DATA} ({', '.join(f'{len(v)} {k}' for k, v in data.items())})")


if __name__ == "__main__":
    main()
