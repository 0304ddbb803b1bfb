"""Precompute the default training runs of the skip-and-feedback page so it opens instantly.

Writes small JSON files to nnviz/data/connections_*.json:
  degradation.json  plain vs residual stacks of depths 3/25/50 (the page's default settings)
  landscape.json    the loss landscapes of a trained plain and residual stack (default settings)
  adding.json       RNN/LSTM/GRU on the adding problem for every sequence length on the page's slider,
                    plus the Jacobian through time of the trained cells at the default length

    python benchmarks/precompute_connections.py [degradation] [landscape] [adding]

Each run uses exactly the page's trainer classes and defaults (seeded), so a user pressing Train at the
default settings reproduces these curves.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import connections, recurrent  # noqa: E402

ADDING_LENGTHS = tuple(range(10, 101, 10))
ADDING_DEFAULT_T = 50


def _round(v, digits: int = 5):
    return [float(f"{x:.{digits}g}") for x in np.asarray(v, dtype=float).ravel()]


def _write(name: str, data: dict) -> None:
    path = connections.DATA_DIR / f"connections_{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")))
    print(f"wrote {path} ({path.stat().st_size / 1024:.1f} kB)")


def degradation() -> None:
    t0 = time.perf_counter()
    trainer = connections.DegradationTrainer(max_seconds=1e9)
    run = trainer.finish()
    _write("degradation", {
        "depths": list(run.depths), "steps": run.steps,
        "curves": {f"{k}|{d}": _round(v, 4) for (k, d), v in run.curves.items()},
    })
    finals = {f"{k} {d}": f"{v[-1]:.2e}" for (k, d), v in run.curves.items()}
    print(f"degradation: {time.perf_counter() - t0:.1f} s, final losses {finals}")


def landscape() -> None:
    t0 = time.perf_counter()
    trainer = connections.LandscapeTrainer(max_seconds=1e9)
    result = trainer.finish()
    _write("landscape", {
        "train_loss": trainer.train_loss,
        "surfaces": {k: {"a": _round(v.a), "b": _round(v.b), "loss": _round(v.loss, 4), "k": len(v.a)}
                     for k, v in result.items()},
    })
    print(f"landscape: {time.perf_counter() - t0:.1f} s, train losses {trainer.train_loss}")


def adding() -> None:
    runs = {}
    jac = {}
    for T in ADDING_LENGTHS:
        t0 = time.perf_counter()
        trainer = recurrent.AddingTrainer(T=T, max_seconds=1e9)
        run = trainer.finish()
        runs[str(T)] = {"steps": run.steps, "curves": {c: _round(v, 4) for c, v in run.curves.items()}}
        print(f"adding T={T}: {time.perf_counter() - t0:.1f} s, final "
              + ", ".join(f"{c} {v[-1]:.4f}" for c, v in run.curves.items()))
        if T == ADDING_DEFAULT_T:
            x, _ = recurrent.adding_problem(1, T, torch.Generator().manual_seed(7))
            jac = {c: _round(recurrent.trained_state_jacobian(m, x[0]), 4) for c, m in trainer.models.items()}
    _write("adding", {"default_T": ADDING_DEFAULT_T, "runs": runs, "trained_jacobian": jac})


if __name__ == "__main__":
    torch.set_num_threads(1)
    jobs = sys.argv[1:] or ["degradation", "landscape", "adding"]
    for job in jobs:
        {"degradation": degradation, "landscape": landscape, "adding": adding}[job]()
