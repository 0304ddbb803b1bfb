"""Cached views of the "Why go deep?" page: plain settings in, frozen results (with their sentences) out.

Each session gets its own copy (``view`` is st.cache_data). Figures are cached too, as a ``Chart``: the figure's
dict and its text alternative (``nnviz.views.charts``), built once per settings, so no plotly object is
shared between sessions and a rerun costs a copy of the dict instead of a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnviz import audio
from nnviz.figures import audio as audio_figs
from nnviz.figures import depth as figs
from nnviz.topics.depth import budget, constructions, counting, history, octaves, pieces, trajectory, untangle
from nnviz.ui.cache import view
from nnviz.views.charts import Chart, chart


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


# ---------------------------------------------------------------------------------------------- figures, cached
@view(max_entries=64)
def network_chart(widths: tuple[int, ...], name: str) -> Chart:
    arch = counting.architecture(widths)
    title = (f"{name}: {arch.weights:,} connections, {arch.biases:,} biases, "
             f"{arch.weights + arch.biases:,} parameters")
    return chart(figs.network_diagram(list(widths), title, height=300))


@view(max_entries=64)
def tooth_chart(widths_a: tuple[int, ...], widths_b: tuple[int, ...]) -> Chart:
    return chart(figs.tooth_figure(counting.architecture(widths_a), counting.architecture(widths_b)))


@view(max_entries=64)
def sawtooth_chart(k: int, p: int) -> Chart:
    return chart(figs.sawtooth_figure(constructions.sawtooth(k, p)))


@view(max_entries=64)
def sawtooth_cost_chart(p: int, k: int) -> Chart:
    costs = constructions.sawtooth_costs(constructions.K_MAX, p)
    return chart(figs.cost_figure(costs.k, costs.deep_params, costs.shallow_params, "layers k",
                                  f"parameters for {p}ᵏ pieces", current=k, deep_name=f"deep: k layers of {p} units",
                                  shallow_name="one hidden layer (at least)"))


@view(max_entries=16)
def yarotsky_charts(m: int) -> tuple[Chart, Chart]:
    """The curve and error (top and bottom) at m, and the parameter costs against m."""
    table = constructions.yarotsky_table(constructions.M_MAX)
    cost = figs.cost_figure([r.m for r in table], [r.deep_params for r in table], [r.shallow_params for r in table],
                            "m (error 2⁻²ᵐ⁻²)", "parameters for the same error", current=m,
                            deep_name="deep: m layers of 3 units (12m − 2)",
                            shallow_name="one hidden layer: 2ᵐ units (3·2ᵐ + 1)")
    return chart(figs.yarotsky_figure(constructions.yarotsky_curve(m))), chart(cost)


@view(max_entries=16)
def pieces_by_depth_chart(parameter_budget: int) -> Chart:
    return chart(figs.pieces_by_depth_figure(pieces_by_depth(parameter_budget)))


@view(max_entries=64)
def random_1d_chart(n_layers: int, width: int, seed: int, sigma_b: float) -> Chart:
    return chart(figs.pieces_function_figure(pieces.random_1d(n_layers, width, seed, sigma_b)))


@view(max_entries=64)
def random_2d_chart(n_layers: int, width: int, seed: int) -> Chart:
    return chart(figs.regions_figure(pieces.random_2d(n_layers, width, seed)))


@view(max_entries=64)
def trajectory_charts(width: int, depth: int, show_layer: int, seed: int, sigma_w: float) -> tuple[Chart, Chart]:
    """Length against depth for every sigma_w, and the circle's image at ``show_layer`` for ``sigma_w``."""
    traj = trajectory_lengths(width, depth, show_layer, seed)
    return (chart(figs.trajectory_length_figure(traj)),
            chart(figs.trajectory_image_figure(traj, trajectory.SIGMAS.index(sigma_w))))


@view(max_entries=32)
def untangle_chart(name: str, depth: int, layer: int) -> Chart:
    return chart(figs.untangle_figure(untangled(name, depth, layer)))


@view(max_entries=16)
def budget_charts(target: str, fit_index: int | None) -> tuple[Chart, Chart | None] | None:
    """The precomputed default run's error and fits figures (None if it is not stored)."""
    res = budget.default_result(target)
    return None if res is None else budget_run_charts(res, fit_index)


def budget_run_charts(res: budget.BudgetResult, fit_index: int | None) -> tuple[Chart, Chart | None]:
    """Error against parameters per depth (with the sawtooth's 25-parameter construction at error 0), and the fits
    at budget ``fit_index`` (None: not drawn). Not cached: a live run's result changes every tick."""
    construction = (25, "construction: 4 layers × 2, error 0") if res.target == "sawtooth" else None
    errors = chart(figs.budget_error_figure(res, construction))
    fits = None if fit_index is None else chart(figs.budget_fits_figure(res, fit_index, budget_target(res.target)))
    return errors, fits


@view(max_entries=1)
def history_charts() -> tuple[Chart, Chart]:
    return chart(figs.timeline_figure(history.TIMELINE)), chart(figs.imagenet_figure(history.IMAGENET))


@view(max_entries=octaves.K_MAX)
def octave_charts(k: int) -> tuple[Chart, Chart]:
    """One period per layer, and the harmonics of t^k (from the heard result: synthesised once)."""
    r = octaves_heard(k).result
    spectrum = audio_figs.spectrum(r.spectrum, r.f_table, f"Harmonics of t{octaves.superscript(k)}, "
                                   f"steps of {r.f_table:g} Hz")
    return chart(figs.octave_layers_figure(r)), chart(spectrum)
