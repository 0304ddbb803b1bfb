"""Linear pieces and regions of random ReLU networks, against what depth makes possible (numpy only).

Random networks use the equal-budget experiment's initialisation, W ~ N(0, 2 / fan_in) (He) and
b ~ U(-1/2, 1/2), on inputs x in [0, 1] fed as 2x - 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.topics.depth.counting import mlp_parameters, width_for_budget
from nnviz.topics.regions import Pieces1D, Regions2D, ReluNet, pieces_1d, regions_2d, serra_upper

DEPTHS = (1, 2, 3, 4, 5, 6)


def he_uniform_bias_net(widths: Sequence[int], seed: int, input_scale: float = 2.0,
                        input_shift: float = -1.0) -> ReluNet:
    """A random ReLU network of these widths, the input map x -> scale x + shift folded into its first layer."""
    rng = np.random.default_rng(seed)
    W = [rng.normal(0.0, np.sqrt(2.0 / a), size=(c, a)) for a, c in zip(widths[:-1], widths[1:], strict=True)]
    b = [rng.uniform(-0.5, 0.5, size=c) for c in widths[1:]]
    b[0] = b[0] + W[0].sum(axis=1) * input_shift
    W[0] = W[0] * input_scale
    return ReluNet(tuple(W), tuple(b))


@dataclass(frozen=True)
class PiecesByDepth:
    """One-input networks of depth 1..6 at one parameter budget: how many linear pieces each kind has.

    ``random_mean``/``random_max`` over ``n_seeds`` random initialisations (exact counts on [0, 1]);
    ``constructed`` = w^L (the w-tooth map composed L times); ``upper`` = Serra et al.'s bound (exact for one
    input); ``trained`` from the precomputed equal-budget run on the sawtooth (None where missing).
    """

    budget: int
    depths: tuple[int, ...]
    widths: tuple[int, ...]
    params: tuple[int, ...]
    upper: tuple[int, ...]
    constructed: tuple[float, ...]
    random_mean: tuple[float, ...]
    random_max: tuple[int, ...]
    trained: tuple[int | None, ...]

    @property
    def best(self) -> int:
        """Index of the depth whose construction makes the most pieces."""
        return int(np.argmax(self.constructed))

    def sentence(self) -> str:
        """What the figure shows at this budget, from the counts."""
        b = self.best
        random_best = int(np.argmax(self.random_mean))
        text = (f"At about {self.budget} parameters the construction's best is {self.constructed[b]:,.0f} pieces, "
                f"with {self.depths[b]} layers of {self.widths[b]} (upper bound {self.upper[b]:,}). A random "
                f"initialisation of that shape makes {self.random_mean[b]:.1f} on average. ")
        if random_best == 0:
            text += f"Random networks make the most with one hidden layer ({self.random_mean[0]:.1f} on average). "
        else:
            text += (f"Random networks make the most at {self.depths[random_best]} layers "
                     f"({self.random_mean[random_best]:.1f} on average), against {self.random_mean[0]:.1f} for one "
                     "hidden layer. ")
        ratio = self.random_mean[b] / self.constructed[b]
        share = f"{ratio:.0%}" if ratio >= 0.01 else f"1 in {1 / ratio:,.0f}"  # never "0 %" of a real count
        if ratio < 0.2:
            text += ("**Hanin & Rolnick (2019)**: at initialisation, and in their experiments during training, the "
                     "number of regions grows with the number of units, not exponentially with depth; here random "
                     f"weights reach {share} of the construction's pieces.")
        else:
            text += (f"At this small budget random weights reach {share} of the construction: there is little "
                     "room for depth to multiply anything.")
        return text


def pieces_by_depth(budget: int, trained: dict[tuple[int, int], int] | None = None, n_seeds: int = 20,
                    seed: int = 0) -> PiecesByDepth:
    """Count pieces exactly for each depth at ``budget`` parameters (one input, one output).

    ``trained`` maps (depth, width) to the pieces of a trained network of that shape, if known.
    """
    trained = trained or {}
    rows = []
    for d in DEPTHS:
        w = width_for_budget(1, 1, d, budget)
        shape = [1] + [w] * d + [1]
        counts = [pieces_1d(he_uniform_bias_net(shape, seed * 7919 + 101 * d + 13 * s)).n_pieces
                  for s in range(n_seeds)]
        rows.append((d, w, mlp_parameters(1, 1, d, w), serra_upper(shape), float(w) ** d if w >= 2 else 1.0,
                     float(np.mean(counts)), int(np.max(counts)), trained.get((d, w))))
    cols = list(zip(*rows, strict=True))
    return PiecesByDepth(budget, *(tuple(c) for c in cols))


@dataclass(frozen=True)
class Random1D:
    """A random one-input network's exact pieces on [-1, 1] and its output drawn through every vertex."""

    widths: tuple[int, ...]
    sigma_b: float
    pieces: Pieces1D
    x: np.ndarray
    y: np.ndarray
    upper: int

    def caption(self) -> str:
        text = f"Weights He-normal, biases N(0, σ_b²) with σ_b = {self.sigma_b:g}. "
        if self.sigma_b == 0:
            text += ("With σ_b = 0 the network is positively homogeneous, f(tx) = t·f(x) for t > 0, so it is "
                     f"straight on each side of 0: {self.pieces.n_pieces} piece"
                     f"{'s' if self.pieces.n_pieces > 1 else ''}.")
        else:
            text += (f"{self.pieces.n_pieces} pieces out of at most {self.upper:,} that these widths allow "
                     f"({self.pieces.n_pieces / self.upper:.1%}).")
        return text


def random_1d(n_layers: int, width: int, seed: int, sigma_b: float) -> Random1D:
    """widths [1, width x n_layers, 1], He-normal weights, N(0, sigma_b^2) biases."""
    widths = [1] + [width] * n_layers + [1]
    net = ReluNet.random(widths, seed=seed, sigma_b=sigma_b)
    pc = pieces_1d(net, -1.0, 1.0)
    x = pc.edges if len(pc.edges) >= 64 else np.union1d(pc.edges, np.linspace(-1, 1, 65))
    return Random1D(tuple(widths), float(sigma_b), pc, x, net.forward(x[:, None])[:, 0], serra_upper(widths))


@dataclass(frozen=True)
class Random2D:
    """A random two-input network's exact regions in [-2, 2]^2 and a pixel map of them for drawing.

    ``grid`` (n,), ``ids`` (n, n) region index per pixel (an on/off pattern), ``regions`` the exact polygons.
    """

    widths: tuple[int, ...]
    regions: Regions2D
    grid: np.ndarray
    ids: np.ndarray

    @property
    def count_text(self) -> str:
        return f"{self.regions.n_regions:,}{'' if self.regions.complete else '+'}"


def random_2d(n_layers: int, width: int, seed: int, sigma_b: float = 0.5) -> Random2D:
    """widths [2, width x n_layers, 1], He-normal weights, N(0, sigma_b^2) biases."""
    widths = [2] + [width] * n_layers + [1]
    net = ReluNet.random(widths, seed=seed, sigma_b=sigma_b)
    reg = regions_2d(net, (-2.0, 2.0, -2.0, 2.0))
    grid = np.linspace(-2, 2, 121)
    gx, gy = np.meshgrid(grid, grid)
    _, ids = np.unique(net.patterns(np.c_[gx.ravel(), gy.ravel()]), axis=0, return_inverse=True)
    return Random2D(tuple(widths), reg, grid, ids.reshape(gx.shape))
