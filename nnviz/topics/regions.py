"""Linear regions of ReLU networks, counted exactly (not by sampling), and the known bounds on their number.

A ReLU network is affine on each *activation region*: the set of inputs where the same units are on.
For one input we find every breakpoint analytically, layer by layer: on each segment every unit's
pre-activation z is affine in x, so it changes sign at most once, at x* = -c / a. Splitting the segments
at those points and recomputing gives the exact partition. For two inputs the same idea splits convex
polygons by the lines z = 0. The bounds are Zaslavsky's (one layer), Montufar et al. (2014, a construction
that reaches at least so many) and Serra et al. (2018, an upper bound; exact for one input).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb, prod

import numpy as np


@dataclass(frozen=True)
class ReluNet:
    """A fully connected ReLU network as plain arrays: ``W[l]`` (n_{l+1}, n_l), ``b[l]`` (n_{l+1},).

    ReLU follows every layer but the last, which is linear (the lecture's picture).
    """

    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]

    @property
    def widths(self) -> list[int]:
        """[n_in, h_1, ..., h_L, n_out]."""
        return [self.W[0].shape[1]] + [w.shape[0] for w in self.W]

    @property
    def n_parameters(self) -> int:
        """Weights plus biases (the sizes of W and b; equals ``nnviz.mlp.count_parameters`` of the widths)."""
        return sum(W.size + b.size for W, b in zip(self.W, self.b, strict=True))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Outputs for inputs ``x`` (n, n_in) -> (n, n_out)."""
        h = np.asarray(x, dtype=float)
        for i, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            h = h @ W.T + b
            if i < len(self.W) - 1:
                h = np.maximum(h, 0.0)
        return h

    def hidden(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for ``x`` (n, n_in): [x, h_1, ..., h_L, y], each (n, width)."""
        out = [np.asarray(x, dtype=float)]
        for i, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            h = out[-1] @ W.T + b
            out.append(np.maximum(h, 0.0) if i < len(self.W) - 1 else h)
        return out

    def patterns(self, x: np.ndarray) -> np.ndarray:
        """Activation pattern of every hidden unit, (n, sum of hidden widths) bool: True where z > 0."""
        hs = self.hidden(x)[1:-1]
        if not hs:
            return np.zeros((len(x), 0), dtype=bool)
        return np.concatenate([h > 0 for h in hs], axis=1)

    @classmethod
    def random(cls, widths: Sequence[int], seed: int = 0, sigma_w: float = 2.0 ** 0.5,
               sigma_b: float = 0.0) -> ReluNet:
        """He-style random weights W ~ N(0, sigma_w^2 / fan_in), b ~ N(0, sigma_b^2)."""
        rng = np.random.default_rng(seed)
        W = tuple(rng.normal(0.0, sigma_w / np.sqrt(a), size=(c, a)) for a, c in zip(widths[:-1], widths[1:],
                                                                                 strict=False))
        b = tuple(rng.normal(0.0, sigma_b, size=c) if sigma_b > 0 else np.zeros(c) for c in widths[1:])
        return cls(W, b)


# ----------------------------------------------------------------------------------------------- one input


@dataclass(frozen=True)
class Pieces1D:
    """The exact partition of [lo, hi] for a one-input network.

    ``edges`` (m+1,) segment ends; ``slope``, ``intercept`` (m,) the output's affine map on each segment
    (first output); ``n_regions`` activation regions (= m); ``n_pieces`` maximal linear pieces of the output
    (adjacent segments with the same slope merged); ``breakpoints`` the interior points where the slope changes.
    """

    edges: np.ndarray
    slope: np.ndarray
    intercept: np.ndarray
    n_regions: int
    n_pieces: int
    breakpoints: np.ndarray

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """The piecewise-linear output at ``x`` (n,), from the pieces (no network needed)."""
        i = np.clip(np.searchsorted(self.edges, x, side="right") - 1, 0, len(self.slope) - 1)
        return self.slope[i] * x + self.intercept[i]


def pieces_1d(net: ReluNet, lo: float = 0.0, hi: float = 1.0, max_segments: int = 200_000) -> Pieces1D:
    """Every breakpoint of a one-input ReLU network on [lo, hi], found analytically layer by layer.

    On a segment, the current layer's outputs are h = a x + c with a, c of shape (width,). A unit's
    pre-activation z = (W a) x + (W c + b) is affine, so it crosses zero at most once, at x* = -z_c / z_a.
    """
    if net.widths[0] != 1:
        raise ValueError("pieces_1d needs a network with one input.")
    if not hi > lo:
        raise ValueError("The interval needs hi > lo.")
    tol = 1e-12 * max(1.0, hi - lo)
    edges = np.array([lo, hi], dtype=float)
    a = np.ones((1, 1))  # (segments, width): slope of each unit's output in x
    c = np.zeros((1, 1))
    n_layers = len(net.W)
    for li, (W, b) in enumerate(zip(net.W, net.b, strict=True)):
        za = a @ W.T  # (m, n)
        zc = c @ W.T + b
        if li == n_layers - 1:
            a, c = za, zc
            break
        left, right = edges[:-1, None], edges[1:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            xs = np.where(za != 0, -zc / za, np.nan)
        inside = (xs > left + tol) & (xs < right - tol)
        new = np.unique(np.concatenate([edges, xs[inside]]))
        if len(new) > 2:  # merge points closer than tol (the same breakpoint found by two units)
            keep = np.concatenate([[True], np.diff(new) > tol])
            keep[-1] = True
            new = new[keep]
            new[-1] = hi
        if len(new) - 1 > max_segments:
            raise ValueError(f"More than {max_segments} linear regions; use a smaller network.")
        mid = 0.5 * (new[:-1] + new[1:])
        owner = np.clip(np.searchsorted(edges, mid, side="right") - 1, 0, len(edges) - 2)
        za, zc = za[owner], zc[owner]
        on = (za * mid[:, None] + zc) > 0
        a, c, edges = za * on, zc * on, new
    slope, intercept = a[:, 0], c[:, 0]
    scale = max(1.0, float(np.max(np.abs(slope)))) if len(slope) else 1.0
    changes = np.abs(np.diff(slope)) > 1e-9 * scale
    return Pieces1D(edges, slope, intercept, len(slope), int(changes.sum()) + 1, edges[1:-1][changes])


# ----------------------------------------------------------------------------------------------- two inputs


@dataclass(frozen=True)
class Regions2D:
    """The exact activation regions of a two-input network inside a box, as convex polygons.

    ``polygons`` list of (k, 2) vertex arrays; ``patterns`` (n_regions, hidden units) bool; ``complete``
    is False if the count stopped at the cap.
    """

    polygons: list[np.ndarray]
    patterns: np.ndarray
    complete: bool

    @property
    def n_regions(self) -> int:
        return len(self.polygons)


def _clip(poly: np.ndarray, a: np.ndarray, c: float, eps: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Split a convex polygon (k, 2) by the line a.x + c = 0: (part with > 0, part with < 0)."""
    v = poly @ a + c
    if np.all(v >= -eps):
        return poly, None
    if np.all(v <= eps):
        return None, poly
    pos: list[np.ndarray] = []
    neg: list[np.ndarray] = []
    k = len(poly)
    for i in range(k):
        p, q, vp, vq = poly[i], poly[(i + 1) % k], v[i], v[(i + 1) % k]
        if vp >= -eps:
            pos.append(p)
        if vp <= eps:
            neg.append(p)
        if (vp > eps and vq < -eps) or (vp < -eps and vq > eps):
            cut = p + (q - p) * (vp / (vp - vq))
            pos.append(cut)
            neg.append(cut)
    out = []
    for part in (pos, neg):
        arr = np.array(part) if len(part) >= 3 else None
        if arr is not None and _area(arr) <= eps:
            arr = None
        out.append(arr)
    return out[0], out[1]


def _area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def regions_2d(net: ReluNet, box: tuple[float, float, float, float] = (-1.0, 1.0, -1.0, 1.0),
               max_regions: int = 4000) -> Regions2D:
    """Split the box (x0, x1, y0, y1) into the network's activation regions, exactly, layer by layer.

    Each region carries the affine map of the current layer, h = x A + c with A (2, width), c (width,).
    """
    if net.widths[0] != 2:
        raise ValueError("regions_2d needs a network with two inputs.")
    x0, x1, y0, y1 = box
    eps = 1e-10 * max(1.0, x1 - x0, y1 - y0)
    square = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    # (polygon, A, c, pattern so far)
    regions: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[bool]]] = [(square, np.eye(2), np.zeros(2), [])]
    complete = True
    for W, b in zip(net.W[:-1], net.b[:-1], strict=True):
        nxt = []
        for poly, A, c, pat in regions:
            ZA, Zc = A @ W.T, c @ W.T + b  # (2, n), (n,)
            vals = poly @ ZA + Zc  # (vertices, n): each unit's pre-activation at each vertex
            on = vals.max(axis=0) > eps  # the sign of every unit that does not cut this polygon
            cutting = np.flatnonzero((vals.max(axis=0) > eps) & (vals.min(axis=0) < -eps))
            pieces: list[tuple[np.ndarray, np.ndarray]] = [(poly, on)]
            for j in cutting:  # only units whose line crosses the polygon split it
                split = []
                for p, signs in pieces:
                    plus, minus = _clip(p, ZA[:, j], Zc[j], eps)
                    if plus is not None:
                        s_plus = signs.copy()
                        s_plus[j] = True
                        split.append((plus, s_plus))
                    if minus is not None:
                        s_minus = signs.copy()
                        s_minus[j] = False
                        split.append((minus, s_minus))
                pieces = split
            for p, signs in pieces:
                mask = signs.astype(float)
                nxt.append((p, ZA * mask, Zc * mask, pat + signs.tolist()))
            if len(nxt) > max_regions:
                complete = False
                break
        regions = nxt
        if not complete:
            break
    polys = [r[0] for r in regions]
    pats = np.array([r[3] for r in regions], dtype=bool) if regions and regions[0][3] else np.zeros((len(regions), 0),
                                                                                                    dtype=bool)
    return Regions2D(polys, pats, complete)


# ----------------------------------------------------------------------------------------------- bounds


def zaslavsky(n_in: int, n_units: int) -> int:
    """Regions cut by n_units hyperplanes in general position in R^n_in: sum_{j=0}^{n_in} C(n_units, j)."""
    return sum(comb(n_units, j) for j in range(n_in + 1))


def montufar_lower(widths: Sequence[int]) -> int:
    """Montufar et al. (2014): some network with these widths has at least
    prod_{l<L} floor(n_l / n_0)^{n_0} * sum_{j=0}^{n_0} C(n_L, j) regions (hidden widths n_l >= n_0)."""
    n0, hidden = widths[0], list(widths[1:-1])
    if not hidden:
        return 1
    return prod((n // n0) ** n0 for n in hidden[:-1]) * zaslavsky(n0, hidden[-1])


def serra_upper(widths: Sequence[int]) -> int:
    """Serra, Tjandraatmadja & Ramalingam (2018), Theorem 1: the number of regions is at most
    sum over (j_1..j_L) with 0 <= j_l <= min(n_0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l) of prod_l C(n_l, j_l).
    Exact (attainable) for one input."""
    n0, hidden = widths[0], list(widths[1:-1])

    def rec(l: int, cap: int) -> int:  # cap = min(n_0, n_k - j_k for k < l)
        if l == len(hidden):
            return 1
        n = hidden[l]
        return sum(comb(n, j) * rec(l + 1, min(cap, n - j)) for j in range(min(cap, n) + 1))

    return rec(0, n0)

