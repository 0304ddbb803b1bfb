"""Counting parameters of fully connected networks, and what the same count buys in depth.

Networks are lists of widths ``[n_in, h_1, ..., h_L, n_out]`` (as in ``nnviz.mlp``, whose ``count_parameters``
is the one count, torch-free, so the page's first visit does not load torch).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.mlp import count_parameters
from nnviz.topics.regions import pieces_1d

MAX_LAYERS = 10  # hidden layers in a typed architecture
MAX_WIDTH = 512
LECTURE_PAIR = ((3, 9, 2), (3, 5, 3, 3, 2))  # the lecture's example: 45 connections each


@dataclass(frozen=True)
class LayerCount:
    """One layer l: it maps n_in units to n_out units with n_in * n_out weights and n_out biases."""

    layer: int
    n_in: int
    n_out: int
    weights: int
    biases: int


def parse_widths(text: str, max_layers: int = MAX_LAYERS + 2, max_width: int = MAX_WIDTH) -> list[int]:
    """Read "3, 9, 2" (commas, spaces or x between numbers) as [3, 9, 2]; a ValueError in plain words if not."""
    text = (text or "").strip()
    if not text:
        raise ValueError("Type the layer widths, for example 3, 9, 2.")
    if len(text) > 200:
        raise ValueError("That list is too long; keep it under 200 characters.")
    text = re.sub(r"(?<=\d)\s*[x×]\s*(?=\d)", ",", text)  # "3x9x2" reads as 3, 9, 2
    parts = [p for p in re.split(r"[,\s;]+", text) if p]
    if not all(re.fullmatch(r"\d+", p) for p in parts):
        raise ValueError("Use whole numbers separated by commas, for example 3, 9, 2.")
    widths = [int(p) for p in parts]
    if len(widths) < 2:
        raise ValueError("A network needs at least an input width and an output width.")
    if len(widths) > max_layers:
        raise ValueError(f"At most {max_layers} widths (input, {max_layers - 2} hidden layers, output).")
    if any(w < 1 or w > max_width for w in widths):
        raise ValueError(f"Every width must be between 1 and {max_width}.")
    return widths


def layer_counts(widths: Sequence[int]) -> list[LayerCount]:
    """Weights (connections) and biases layer by layer."""
    return [LayerCount(i + 1, a, b, a * b, b) for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=False))]


def mlp_parameters(n_in: int, n_out: int, depth: int, width: int) -> int:
    """Weights + biases of ``depth`` hidden layers of ``width`` units between n_in inputs and n_out outputs."""
    return sum(count_parameters([n_in] + [width] * depth + [n_out]))


def width_for_budget(n_in: int, n_out: int, depth: int, budget: int, max_width: int = MAX_WIDTH) -> int:
    """The width (>= 1) whose network of this depth has the parameter count closest to ``budget``."""
    best, best_gap = 1, math.inf
    for w in range(1, max_width + 1):
        p = mlp_parameters(n_in, n_out, depth, w)
        gap = abs(p - budget)
        if gap < best_gap:
            best, best_gap = w, gap
        if p > budget:
            break
    return best


@dataclass(frozen=True)
class Architecture:
    """A typed architecture, its counts, and the most linear pieces it can make along one input.

    ``constructed``: pieces of the tooth construction (layer l an h_l-tooth map, other inputs and outputs
    weighted 0) counted exactly on [0, 1]; ``line_bound``: the most any network of these widths makes along a
    line, prod_l (h_l + 1) (each unit of a layer adds at most one breakpoint per piece it receives).
    ``x``, ``y`` the construction's output on [0, x_shown] through its vertices (the first 128 pieces at most:
    more would be a block of ink).
    """

    widths: tuple[int, ...]
    layers: tuple[LayerCount, ...]
    weights: int
    biases: int
    constructed: int
    line_bound: int
    x: np.ndarray
    y: np.ndarray

    @property
    def x_shown(self) -> float:
        return float(self.x[-1])

    @property
    def hidden(self) -> int:
        return len(self.widths) - 2


def architecture(widths: Sequence[int]) -> Architecture:
    """Count one architecture and build its tooth construction (exact piece count)."""
    from nnviz.topics.depth.constructions import tooth_net, zigzag

    hidden = list(widths[1:-1])
    w, b = count_parameters(widths)
    n = math.prod(hidden)  # 1 with no hidden layer: a straight line
    constructed = pieces_1d(tooth_net(hidden), 0.0, 1.0).n_pieces if hidden and n <= 20_000 else n
    x = np.arange(min(n, 128) + 1) / n
    y = zigzag(n * x) if hidden else x
    return Architecture(tuple(widths), tuple(layer_counts(widths)), w, b, constructed,
                        math.prod(h + 1 for h in hidden), x, y)


def comparison_sentence(a: Architecture, b: Architecture) -> str:
    """What B does with its connections that A does not (or the other way round), from the counts."""
    if b.weights == a.weights:
        count = f"B has **the same number of connections** as A ({b.weights:,})"
    else:
        count = (f"B has **{'fewer' if b.weights < a.weights else 'more'} connections** than A "
                 f"({b.weights:,} against {a.weights:,})")
    count += f", with {b.hidden} hidden layer{'s' if b.hidden != 1 else ''} against {a.hidden}."
    if a.constructed == b.constructed:
        pay = (f"Along one input both can make {a.constructed:,} linear pieces with the tooth construction: "
               "here depth buys nothing.")
    else:
        deep, shallow, dn, sn = (b, a, "B", "A") if b.constructed > a.constructed else (a, b, "A", "B")
        pay = (f"What it buys: along one input, {dn} can make **{deep.constructed:,} linear pieces** "
               f"(its layers as tooth maps, composed), while {sn} cannot make more than {shallow.line_bound:,}, "
               f"whatever its weights.")
        if deep.constructed > shallow.line_bound:
            pay += f" That is a function {sn} cannot compute at all."
    if (tuple(a.widths), tuple(b.widths)) == LECTURE_PAIR:
        note = "This is the lecture's example: 3×9 + 9×2 = 45 = 3×5 + 5×3 + 3×3 + 3×2 connections."
    else:
        note = ("The lecture's example was [3, 9, 2] against [3, 5, 3, 3, 2], 45 connections each; you typed "
                f"{list(a.widths)} and {list(b.widths)}.")
    return f"{count} {pay} {note}"


@dataclass(frozen=True)
class BudgetShape:
    """One row of the equal-budget table: ``depth`` hidden layers of ``width`` units and the exact count."""

    depth: int
    width: int
    widths: tuple[int, ...]
    parameters: int


def equal_budget_shapes(n_in: int, n_out: int, budget: int, depths: Sequence[int] = (1, 2, 3, 4, 5, 6)
                        ) -> tuple[BudgetShape, ...]:
    """For each depth, the width whose parameter count is closest to ``budget``."""
    rows = []
    for d in depths:
        w = width_for_budget(n_in, n_out, d, budget)
        shape = (n_in,) + (w,) * d + (n_out,)
        rows.append(BudgetShape(d, w, shape, sum(count_parameters(shape))))
    return tuple(rows)
