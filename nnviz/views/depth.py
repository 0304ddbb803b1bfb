"""Cached views of the "Why go deep?" page: plain settings in, frozen results (with their sentences) out.

Each session gets its own copy (``view`` is st.cache_data); figures are built per session from these results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnviz import audio
from nnviz.topics.depth import budget, constructions, counting, history, octaves, pieces, trajectory, untangle
from nnviz.ui.cache import view


@view(max_entries=64)
def architecture(widths: tuple[int, ...]) -> counting.Architecture:
    return counting.architecture(widths)


@view(max_entries=64)
def budget_shapes(n_in: int, n_out: int, parameter_budget: int) -> tuple[counting.BudgetShape, ...]:
    return counting.equal_budget_shapes(n_in, n_out, parameter_budget)


@view(max_entries=64)
def sawtooth(k: int, p: int) -> constructions.SawtoothResult:
    return constructions.sawtooth(k, p)


@view(max_entries=8)
def sawtooth_costs(p: int) -> constructions.SawtoothCosts:
    return constructions.sawtooth_costs(constructions.K_MAX, p)


@dataclass(frozen=True)
class YarotskyView:
    """Yarotsky's construction at one m: its row, the whole table, the first m where depth wins, the curve."""

    row: constructions.YarotskyRow
    table: tuple[constructions.YarotskyRow, ...]
    m_win: int | None
    curve: constructions.YarotskyCurve
    sentence: str


@view(max_entries=16)
def yarotsky(m: int) -> YarotskyView:
    table = constructions.yarotsky_table(constructions.M_MAX)
    m_win = constructions.first_deep_win(table)
    row = table[m - 1]
    return YarotskyView(row, table, m_win, constructions.yarotsky_curve(m), constructions.yarotsky_sentence(row, m_win))


@view(max_entries=16, spinner="Counting pieces of 120 random networks…")
def pieces_by_depth(parameter_budget: int) -> pieces.PiecesByDepth:
    return pieces.pieces_by_depth(parameter_budget, budget.trained_pieces())


@view(max_entries=64)
def random_1d(n_layers: int, width: int, seed: int, sigma_b: float) -> pieces.Random1D:
    return pieces.random_1d(n_layers, width, seed, sigma_b)


@view(max_entries=64)
def random_2d(n_layers: int, width: int, seed: int) -> pieces.Random2D:
    return pieces.random_2d(n_layers, width, seed)


@view(max_entries=64)
def trajectory_lengths(width: int, depth: int, show_layer: int, seed: int) -> trajectory.Trajectory:
    return trajectory.trajectory_lengths(trajectory.SIGMAS, width=width, depth=depth, seed=seed,
                                         show_layer=min(show_layer, depth))


@view(max_entries=8)
def budget_default(target: str) -> budget.BudgetResult | None:
    return budget.default_result(target)


@view(max_entries=8)
def budget_target(target: str) -> budget.TargetData:
    return budget.target_data(target)


@dataclass(frozen=True)
class UntangleView:
    """The data as hidden layer ``layer`` of a 2-wide tanh classifier sees it, and the sentence true of it.

    ``lines`` the warped input grid (polylines (n, 2)), ``points`` (n, 2), ``labels`` (n,), ``boundary`` (50, 2)
    the final linear boundary (last layer only) or None.
    """

    name: str
    depth: int
    layer: int
    accuracy: float
    lines: tuple[np.ndarray, ...]
    points: np.ndarray
    labels: np.ndarray
    boundary: np.ndarray | None
    sentence: str


@view(max_entries=32)
def untangled(name: str, depth: int, layer: int) -> UntangleView:
    net = untangle.untangler(name, depth)
    X, y = untangle.points(name)
    layer = min(layer, depth)
    boundary = None
    if layer == depth and abs(net.w_out[1]) > 1e-9:
        bx = np.linspace(-1.1, 1.1, 50)
        boundary = np.c_[bx, -(net.w_out[0] * bx + net.b_out) / net.w_out[1]]
    return UntangleView(name, depth, layer, net.accuracy, tuple(untangle.warped_grid(net, layer)), net.layers(X)[layer],
                        y, boundary, untangle.sentence(name, depth, net.accuracy))


@view(max_entries=1)
def history_text() -> str:
    return history.history_text()


@dataclass(frozen=True)
class OctavesView:
    """Depth as octaves at k layers: the result (its clips emptied) and the WAV bytes (deep, shallow, ladder)."""

    result: octaves.Octaves
    wavs: tuple[bytes, ...]


@view(max_entries=octaves.K_MAX, spinner="Playing the layers…")
def octaves_heard(k: int) -> OctavesView:
    r = octaves.octaves(k)
    wavs = tuple(audio.wav_bytes(c) for c in (r.deep, r.shallow, r.ladder))
    empty = np.zeros(0)
    return OctavesView(replace(r, deep=empty, shallow=empty, ladder=empty), wavs)  # samples live on in the WAVs
