"""Depth untangles (Olah 2014): 2-wide tanh classifiers, and the input grid as each hidden layer sees it.

The classifiers and the data points are precomputed into nnviz/data/depth_untangle.json
(benchmarks/precompute_depth.py), so showing them needs neither torch nor scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "depth_untangle.json"
UNTANGLE_SETS = ("moons", "circles")
UNTANGLE_DEPTHS = (1, 2, 3, 4)


def untangle_data(name: str, n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved classes from scikit-learn: X (n, 2) scaled into about [-1.5, 1.5]^2, y (n,) in {0, 1}."""
    from sklearn.datasets import make_circles, make_moons

    if name == "moons":
        X, y = make_moons(n, noise=0.08, random_state=seed)
        X = (X - np.array([0.5, 0.25])) / np.array([1.1, 0.75])
    elif name == "circles":
        X, y = make_circles(n, noise=0.05, factor=0.45, random_state=seed)
        X = X * 1.3
    else:
        raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(UNTANGLE_SETS)}.")
    return X.astype(float), y.astype(int)


@dataclass(frozen=True)
class TanhNet:
    """A tanh classifier whose hidden layers are all 2 wide: ``W[l]`` (2, 2), ``b[l]`` (2,); then w_out, b_out."""

    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    w_out: np.ndarray
    b_out: float
    accuracy: float

    def layers(self, x: np.ndarray) -> list[np.ndarray]:
        """[x, h_1, ..., h_L] for x (n, 2), each (n, 2)."""
        out = [np.asarray(x, dtype=float)]
        for W, b in zip(self.W, self.b, strict=True):
            out.append(np.tanh(out[-1] @ W.T + b))
        return out

    def logit(self, x: np.ndarray) -> np.ndarray:
        return self.layers(x)[-1] @ self.w_out + self.b_out

    def to_json(self) -> dict:
        return {"W": [w.tolist() for w in self.W], "b": [v.tolist() for v in self.b], "w_out": self.w_out.tolist(),
                "b_out": self.b_out, "accuracy": self.accuracy}

    @classmethod
    def from_json(cls, d: dict) -> TanhNet:
        return cls(tuple(np.array(w) for w in d["W"]), tuple(np.array(v) for v in d["b"]), np.array(d["w_out"]),
                   float(d["b_out"]), float(d["accuracy"]))


def train_untangler(name: str, depth: int, seed: int = 0, steps: int = 3000, lr: float = 0.02) -> TanhNet:
    """Train [2, 2 x depth, 1] tanh on ``name`` with Adam and logistic loss; several restarts, best kept."""
    import torch

    from nnviz.mlp import build_mlp

    X, y = untangle_data(name)
    xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y[:, None], dtype=torch.float32)
    best = None
    for restart in range(3):
        model = build_mlp([2] + [2] * depth + [1], "tanh", seed=seed + 31 * restart, init="xavier")
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(xt), yt)
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = float(((model(xt) > 0).float() == yt).float().mean())
        if best is None or acc > best[0]:
            best = (acc, model)
        if acc == 1.0:
            break
    acc, model = best
    lin = [m for m in model if isinstance(m, torch.nn.Linear)]
    W = tuple(m.weight.detach().double().numpy() for m in lin[:-1])
    b = tuple(m.bias.detach().double().numpy() for m in lin[:-1])
    return TanhNet(W, b, lin[-1].weight.detach().double().numpy()[0], float(lin[-1].bias.detach()[0]), acc)


@lru_cache(maxsize=1)
def _stored() -> dict:
    return json.loads(DATA_FILE.read_text()) if DATA_FILE.is_file() else {}


def untangler(name: str, depth: int) -> TanhNet:
    """The precomputed classifier for (data set, depth), trained on the fly if the data file lacks it."""
    stored = _stored().get("nets", {}).get(f"{name}-{depth}")
    return TanhNet.from_json(stored) if stored is not None else train_untangler(name, depth)


def points(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The data set as stored with the classifiers (the tests check it equals ``untangle_data``)."""
    stored = _stored().get("data", {}).get(name)
    if stored is None:
        return untangle_data(name)
    return np.array(stored["X"], dtype=float), np.array(stored["y"], dtype=int)


def warped_grid(net: TanhNet, layer: int, lim: float = 1.6, n_lines: int = 15, n_per_line: int = 60
                ) -> list[np.ndarray]:
    """The input grid's lines pushed through hidden layers 1..layer: a list of (n_per_line, 2) polylines."""
    ticks = np.linspace(-lim, lim, n_lines)
    s = np.linspace(-lim, lim, n_per_line)
    lines = [np.stack([np.full_like(s, t), s], axis=1) for t in ticks] + \
            [np.stack([s, np.full_like(s, t)], axis=1) for t in ticks]
    return [net.layers(line)[layer] for line in lines]


def sentence(name: str, depth: int, accuracy: float) -> str:
    """What the run shows for this data set and depth, from its training accuracy."""
    acc = f"{accuracy:.1%}"
    if name == "moons":
        if accuracy == 1.0:
            return (f"On the **moons**, {depth} 2-wide layer{'s' if depth > 1 else ''} pull the classes apart until a "
                    f"straight line separates them: training accuracy {acc}.")
        return (f"On the **moons**, {depth} 2-wide layer{'s' if depth > 1 else ''} bend the plane but leave "
                f"{1 - accuracy:.1%} of the points on the wrong side of the final line (training accuracy {acc}); "
                "compare more layers.")
    return (f"On the **circles** no stack of 2-wide tanh layers can separate the classes cleanly: each layer is a "
            "continuous map of the plane, one-to-one when W is invertible, and no such map pulls the inner disc out "
            f"of the ring. It can only squeeze the ring thin: training accuracy {acc} at {depth} "
            f"layer{'s' if depth > 1 else ''}" + (", high, but not a clean split" if accuracy < 1.0 else "") +
            ". A third unit would.")
