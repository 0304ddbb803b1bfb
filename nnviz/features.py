"""Input features: what the network sees of a point (x1, x2), TensorFlow Playground's toggles.

``transform(X, keys)`` maps points X (n, 2) to the chosen features (n, len(keys)), in the order of ``FEATURES``.
Hand-made features like x1^2 + x2^2 can make a hard problem linear; a deep enough network learns them itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feature:
    """One input feature: its key (URLs, code), how it reads (LaTeX and plain) and its map (n, 2) -> (n,)."""

    key: str
    latex: str
    text: str
    fn: Callable[[np.ndarray], np.ndarray]
    code: str  # the same map as a Python expression in X (a torch tensor (n, 2)), for exported snippets


FEATURES: dict[str, Feature] = {
    f.key: f
    for f in (
        Feature("x1", "x_1", "x₁", lambda X: X[:, 0], "X[:, 0]"),
        Feature("x2", "x_2", "x₂", lambda X: X[:, 1], "X[:, 1]"),
        Feature("x1sq", "x_1^2", "x₁²", lambda X: X[:, 0] ** 2, "X[:, 0] ** 2"),
        Feature("x2sq", "x_2^2", "x₂²", lambda X: X[:, 1] ** 2, "X[:, 1] ** 2"),
        Feature("x1x2", r"x_1 x_2", "x₁·x₂", lambda X: X[:, 0] * X[:, 1], "X[:, 0] * X[:, 1]"),
        Feature("sinx1", r"\sin x_1", "sin x₁", lambda X: np.sin(X[:, 0]), "torch.sin(X[:, 0])"),
        Feature("sinx2", r"\sin x_2", "sin x₂", lambda X: np.sin(X[:, 1]), "torch.sin(X[:, 1])"),
    )
}

#: the features by kind, in FEATURES' order: the inputs, their squares and product, their sines (a column each
#: in the playground, so reading down the columns, as the keyboard goes, meets them in this order)
KINDS: tuple[tuple[str, ...], ...] = (("x1", "x2"), ("x1sq", "x2sq", "x1x2"), ("sinx1", "sinx2"))

def ordered(keys: Sequence[str]) -> tuple[str, ...]:
    """The chosen feature keys in the canonical order; ValueError for an unknown key."""
    unknown = set(keys) - set(FEATURES)
    if unknown:
        raise ValueError(f"Unknown input features: {', '.join(sorted(unknown))}.")
    return tuple(k for k in FEATURES if k in set(keys))


def transform(X: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """The features ``keys`` of points X (n, 2), as a float64 array (n, len(keys)), canonical order."""
    X = np.asarray(X, dtype=np.float64)
    keys = ordered(keys)
    if not keys:
        raise ValueError("Choose at least one input feature.")
    return np.stack([FEATURES[k].fn(X) for k in keys], axis=1)
