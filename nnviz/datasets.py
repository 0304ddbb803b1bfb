"""Toy data sets: 2-D points with labels, generated from a seed (no downloads).

Arrays: ``X`` has shape (n, 2), ``y`` shape (n,) with integer labels 0, 1, ... (classification)
or real targets (regression).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import make_blobs

#: The truth tables of two-input logic gates, inputs in {0, 1}.
GATES: dict[str, tuple[int, int, int, int]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "XOR": (0, 1, 1, 0),
}


@dataclass(frozen=True)
class Points:
    """A labelled 2-D data set: X (n, 2) float, y (n,) labels."""

    X: np.ndarray
    y: np.ndarray
    name: str


def logic_gate(name: str) -> Points:
    """The four corners of the unit square labelled by the gate's truth table (x1, x2) -> y."""
    if name not in GATES:
        raise ValueError(f"Unknown gate {name!r}; choose one of {', '.join(GATES)}.")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return Points(X, np.array(GATES[name], dtype=int), name)


def two_blobs(n: int = 100, spread: float = 1.0, seed: int = 0) -> Points:
    """Two Gaussian blobs (scikit-learn's make_blobs), centred at (-1.5, -1.5) and (1.5, 1.5)."""
    X, y = make_blobs(n_samples=n, centers=[[-1.5, -1.5], [1.5, 1.5]], cluster_std=spread, random_state=seed)
    return Points(X.astype(float), y.astype(int), "two blobs")
