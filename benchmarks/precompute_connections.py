"""Precompute the default training runs of the skip-and-feedback page so it opens instantly.

Writes small JSON files to nnviz/data/skip_and_feedback_*.json, each with the settings it was made with:
  gradient_flow  plain vs residual gradient norms per layer at initialisation (the page's default settings)
  degradation  plain vs residual stacks of depths 3/25/50 (the page's default settings)
  landscape    the loss landscapes of a trained plain and residual stack (default settings)
  adding       RNN/LSTM/GRU on the adding problem for every sequence length on the page's slider (defaults
               otherwise), plus the Jacobian through time of the trained cells at the default length

    python benchmarks/precompute_connections.py [gradient_flow] [degradation] [landscape] [adding]

Each is exactly the page's computation (the same function, or the same TimedRun class and settings with ``run()``
and no clock), so the page's live result at the default settings reproduces these numbers on this machine; each
file records ``numerics.fingerprint()``, and tests check the digits where it matches (another processor's rounding,
amplified by training, moves a chaotic network's numbers).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import numerics, threads  # noqa: E402
from nnviz.topics.skip_and_feedback import recurrent, residual  # noqa: E402

ADDING_LENGTHS = tuple(range(10, 101, 10))
#: The sequence the trained cells' Jacobians through time are measured on.
JACOBIAN_SEED = 7


def _round(v, digits: int = 6) -> list[float]:
    return [float(f"{x:.{digits}g}") for x in np.asarray(v, dtype=float).ravel()]


def _write(name: str, data: dict) -> None:
    """Write ``data`` with this machine's ``numerics.fingerprint()``: exact reproduction is checked only there."""
    path = residual.DATA_DIR / f"skip_and_feedback_{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**data, "numerics": numerics.fingerprint()}, separators=(",", ":")))
    print(f"wrote {path} ({path.stat().st_size / 1024:.1f} kB)")


def _curves(c: residual.Curves) -> dict:
    return {"steps": list(c.steps), "curves": {k: _round(v) for k, v in c.loss.items()}}


def gradient_flow() -> None:
    t0 = time.perf_counter()
    settings = residual.GradientFlowSettings()
    gf = settings.run()
    _write("gradient_flow", residual.gradient_flow_to_json(settings, gf))
    print(f"gradient flow: {time.perf_counter() - t0:.1f} s, {residual.gradient_flow_takeaway(gf)}")


def degradation() -> None:
    t0 = time.perf_counter()
    run = residual.DegradationRun().run()
    _write("degradation", {"settings": run.settings.to_json(), **_curves(run.curves())})
    print(f"degradation: {time.perf_counter() - t0:.1f} s, {residual.degradation_verdict(run.curves(), run.settings)}")


def landscape() -> None:
    t0 = time.perf_counter()
    run = residual.LandscapeRun().run()
    surfaces = run.result()
    _write("landscape", {
        "settings": run.settings.to_json(), "train_loss": run.train_loss,
        "surfaces": {k: {"a": _round(v.a), "b": _round(v.b), "loss": _round(v.loss, 5),
                         "trained_loss": v.trained_loss} for k, v in surfaces.items()},
    })
    print(f"landscape: {time.perf_counter() - t0:.1f} s, {residual.landscape_note(surfaces)}")


def adding() -> None:
    runs, jac = [], {}
    default = recurrent.AddingSettings()
    for T in ADDING_LENGTHS:
        t0 = time.perf_counter()
        settings = recurrent.AddingSettings(T=T)
        run = recurrent.AddingRun(settings).run()
        curves = run.curves()
        runs.append({"settings": settings.to_json(), **_curves(curves)})
        print(f"adding T={T}: {time.perf_counter() - t0:.1f} s, "
              + recurrent.adding_verdict({c: curves.final(c) for c in recurrent.CELLS}, T))
        if settings == default:
            x, _ = recurrent.adding_problem(1, T, torch.Generator().manual_seed(JACOBIAN_SEED))
            jac = {"settings": settings.to_json(),
                   **{c: _round(recurrent.trained_state_jacobian(m, x[0])) for c, m in run.models.items()}}
    _write("adding", {"runs": runs, "trained_jacobian": jac})


if __name__ == "__main__":
    threads.limit()
    jobs = sys.argv[1:] or ["gradient_flow", "degradation", "landscape", "adding"]
    for job in jobs:
        {"gradient_flow": gradient_flow, "degradation": degradation, "landscape": landscape, "adding": adding}[job]()
