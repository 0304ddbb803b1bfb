"""Trajectory length (Raghu et al. 2017): a circle pushed through random tanh networks, layer by layer.

The circle lives in the network's own width: in the plane of the first two coordinates of R^k, with radius
sqrt(k/2), so its coordinates have the root-mean-square 1/sqrt(2) of a typical tanh hidden state. Every layer,
the first included, is then the same kind of random k x k map acting on vectors of the same size, and layer 1
stretches the curve as much as later layers do. (A unit circle in R^2 widened to k units by layer 1 made that
layer stretch it about twice as much as any later one, for every σ_w: an artefact of the embedding.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SIGMAS = (1.0, 2.0, 4.0, 8.0)


@dataclass(frozen=True)
class Trajectory:
    """``lengths[i, d]`` for sigma_w[i] at layer d (0 = the input circle, length 2π·sqrt(k/2)).

    ``curves[i]`` (n_points, 2): layer ``show_layer`` of sigma_w[i], projected on its top two principal axes.
    """

    sigma_w: tuple[float, ...]
    lengths: np.ndarray
    curves: tuple[np.ndarray, ...]
    width: int
    depth: int
    show_layer: int

    @property
    def growth_per_layer(self) -> np.ndarray:
        """(l(D) / l(0))^(1/D) for each sigma_w: the geometric mean stretch per layer."""
        return (self.lengths[:, -1] / self.lengths[:, 0]) ** (1.0 / self.depth)

    def takeaway(self) -> str:
        """Which σ_w shrink the curve and which stretch it, from the measured growth."""
        g = self.growth_per_layer
        shrink = [f"{s:g}" for s, x in zip(self.sigma_w, g, strict=True) if x < 0.98]
        flat = [f"{s:g}" for s, x in zip(self.sigma_w, g, strict=True) if 0.98 <= x <= 1.02]
        grow = [(s, x) for s, x in zip(self.sigma_w, g, strict=True) if x > 1.02]
        parts = []
        if shrink:
            parts.append(f"σ_w = {', '.join(shrink)} shrink{'s' if len(shrink) == 1 else ''} the curve")
        if flat:
            parts.append(f"σ_w = {', '.join(flat)} keep{'s' if len(flat) == 1 else ''} its length about the same")
        if grow:
            s, x = grow[-1]
            total = self.lengths[self.sigma_w.index(s), -1] / self.lengths[0, 0]
            parts.append(f"{'σ_w = ' + ', '.join(f'{v:g}' for v, _ in grow)} stretch it layer after layer "
                         f"(σ_w = {s:g}: {x:.2f}× per layer, {total:,.0f}× in {self.depth} layers)")
        text = "; ".join(parts) + "."
        if grow:
            text += " Depth is where the exponential comes from: each layer multiplies the length."
        else:
            text += " At this depth and width no σ_w here stretches it: the exponential needs large weights."
        return text


def input_radius(width: int) -> float:
    """sqrt(k/2): the norm of a vector of k coordinates with root-mean-square 1/sqrt(2)."""
    return float(np.sqrt(width / 2.0))


def curve_length(z: np.ndarray) -> float:
    """Length of a closed polyline z (n, dim): sum of ||z_{i+1} - z_i|| including the closing segment."""
    return float(np.linalg.norm(np.diff(np.vstack([z, z[:1]]), axis=0), axis=1).sum())


def trajectory_lengths(sigma_ws: Sequence[float] = SIGMAS, width: int = 32, depth: int = 10, sigma_b: float = 0.1,
                       seed: int = 0, n_points: int = 1000, show_layer: int | None = None) -> Trajectory:
    """The circle through ``depth`` tanh layers z_{d+1} = tanh(W_d z_d + b_d), W_d ~ N(0, sigma_w^2 / k), k x k.

    The same random directions are used for every sigma_w (only the scale changes), so curves are comparable.
    """
    theta = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    x = np.zeros((n_points, width))
    x[:, 0], x[:, 1] = input_radius(width) * np.cos(theta), input_radius(width) * np.sin(theta)
    rng = np.random.default_rng(seed)
    base_w = [rng.normal(0.0, 1.0, size=(width, width)) / np.sqrt(width) for _ in range(depth)]
    base_b = [rng.normal(0.0, 1.0, size=width) for _ in range(depth)]
    show = depth if show_layer is None else int(np.clip(show_layer, 0, depth))
    lengths = np.zeros((len(sigma_ws), depth + 1))
    curves = []
    for i, s in enumerate(sigma_ws):
        z = x
        lengths[i, 0] = curve_length(z)
        shown = z
        for d in range(depth):
            z = np.tanh(z @ (s * base_w[d]).T + sigma_b * base_b[d])
            lengths[i, d + 1] = curve_length(z)
            if d + 1 == show:
                shown = z
        centred = shown - shown.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        curves.append(centred @ vt[:2].T)
    return Trajectory(tuple(float(s) for s in sigma_ws), lengths, tuple(curves), width, depth, show)
