"""Unit and claim tests of nnviz.topics.depth and nnviz.topics.regions against hand counts, closed forms and torch."""

from __future__ import annotations

import dataclasses
import math
import types

import numpy as np
import pytest
import torch

from nnviz import audio, numerics
from nnviz.catalog import ROOT
from nnviz.figures import depth as figs
from nnviz.mlp import count_parameters
from nnviz.topics.depth import batched, budget, constructions, counting, history, octaves, pieces, trajectory, untangle
from nnviz.topics.regions import ReluNet, montufar_lower, pieces_1d, regions_2d, serra_upper, zaslavsky
from tests.apptest_utils import run_python

# one namespace as the old module had, so the tests read as before
depth = types.SimpleNamespace(**{k: getattr(m, k) for m in (constructions, counting, pieces, trajectory, budget,
                                                            untangle, history, batched)
                                 for k in dir(m) if not k.startswith("_")})


def to_torch(net: ReluNet) -> torch.nn.Sequential:
    """The same network as nnviz.mlp.build_mlp(widths, "relu") in float64, weights copied (the reference)."""
    from nnviz.mlp import build_mlp, linear_layers

    model = build_mlp(net.widths, "relu", dtype=torch.float64)
    with torch.no_grad():
        for layer, W, b in zip(linear_layers(model), net.W, net.b, strict=True):
            layer.weight.copy_(torch.as_tensor(W))
            layer.bias.copy_(torch.as_tensor(b))
    return model


def relu(z):
    return np.maximum(z, 0.0)


def tent(x):
    """The lecture's tent map, written independently of nnviz."""
    return 2 * relu(x) - 4 * relu(x - 0.5)


def net(*layers):
    """ReluNet from (W, b) pairs given as nested lists."""
    return ReluNet(tuple(np.array(W, dtype=float) for W, _ in layers), tuple(np.array(b, dtype=float)
                                                                            for _, b in layers))


# ----------------------------------------------------------------------------------------------- counting


def test_lecture_example_has_45_connections_and_11_biases():
    assert count_parameters([3, 9, 2]) == (45, 11)
    rows = depth.layer_counts([3, 9, 2])
    assert [(r.weights, r.biases) for r in rows] == [(27, 9), (18, 2)]
    assert depth.layer_counts([3, 5, 3, 3, 2])[-1].weights == 6
    assert sum(r.weights for r in depth.layer_counts([3, 5, 3, 3, 2])) == 45


def test_layer_counts_match_torch_parameter_count():
    widths = [4, 7, 3, 2]
    model = to_torch(ReluNet.random(widths))
    w, b = count_parameters(widths)
    assert sum(p.numel() for p in model.parameters()) == w + b == sum(r.weights + r.biases
                                                                       for r in depth.layer_counts(widths))


@pytest.mark.parametrize("text, expected", [("3, 9, 2", [3, 9, 2]), ("3 9 2", [3, 9, 2]), ("1x2x1", [1, 2, 1]),
                                            (" 3,5;3 , 3,2 ", [3, 5, 3, 3, 2])])
def test_parse_widths_accepts_lists(text, expected):
    assert depth.parse_widths(text) == expected


@pytest.mark.parametrize("text", ["", "3", "3, x, 2", "x3", "3, -1, 2", "3, 0, 2", "a, b", "3.5, 2", "3, 9999, 2",
                                  ", ".join(["2"] * 20), "__import__('os')", "9" * 300])
def test_parse_widths_rejects_bad_input_in_words(text):
    with pytest.raises(ValueError, match=r"[a-z]"):
        depth.parse_widths(text)


@pytest.mark.parametrize("n_in, n_out, d, budget", [(1, 1, 1, 25), (1, 1, 4, 25), (2, 1, 3, 200), (3, 2, 6, 1000)])
def test_width_for_budget_is_the_closest(n_in, n_out, d, budget):
    w = depth.width_for_budget(n_in, n_out, d, budget)
    gaps = {v: abs(depth.mlp_parameters(n_in, n_out, d, v) - budget) for v in range(1, 200)}
    assert gaps[w] == min(gaps.values())
    assert depth.mlp_parameters(1, 1, 4, 2) == 25  # the sawtooth t^4 construction


# ----------------------------------------------------------------------------------------------- sawtooth


@pytest.mark.parametrize("k", range(1, 11))
def test_sawtooth_has_exactly_2_to_the_k_pieces(k):
    res = depth.sawtooth(k)
    assert res.pieces == 2**k
    # the breakpoints are exactly j / 2^k, j = 1 .. 2^k - 1
    full = pieces_1d(constructions.sawtooth_net(k), 0.0, 1.0)
    np.testing.assert_allclose(full.breakpoints, np.arange(1, 2**k) / 2**k, atol=1e-12)
    np.testing.assert_allclose(res.breakpoints, full.breakpoints[full.breakpoints < res.x_shown - 1e-12], atol=1e-12)
    assert res.deep_params == 6 * k + 1 == sum(count_parameters([1] + [2] * k + [1]))
    assert res.shallow_min_units == 2**k - 1


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8, 10])
def test_sawtooth_network_matches_composed_tent_and_closed_form(k):
    x = np.random.default_rng(k).uniform(0, 1, 5000)
    y = x.copy()
    for _ in range(k):
        y = tent(y)
    out = depth.sawtooth_net(k).forward(x[:, None])[:, 0]
    np.testing.assert_allclose(out, y, atol=1e-9)
    np.testing.assert_allclose(depth.sawtooth_closed(x, k), y, atol=1e-9)


@pytest.mark.parametrize("p, k", [(3, 1), (3, 4), (4, 3), (5, 2)])
def test_p_tooth_map_has_p_to_the_k_pieces(p, k):
    x = np.linspace(0, 1, 3001)
    single = depth.sawtooth_net(1, p).forward(x[:, None])[:, 0]
    # one tooth map: rises on [0, 1/p], falls on [1/p, 2/p], ... between 0 and 1
    np.testing.assert_allclose(single, depth.zigzag(p * x), atol=1e-12)
    res = depth.sawtooth(k, p)
    assert res.pieces == p**k
    assert res.max_error_vs_closed_form < 1e-9
    assert res.deep_params == 2 * p + (k - 1) * (p * p + p) + p + 1


@pytest.mark.parametrize("p", constructions.P_CHOICES)
@pytest.mark.parametrize("k", [1, 4, constructions.K_MAX])
def test_sawtooth_computes_the_k_asked_for_and_says_how_it_counts_and_draws(p, k):
    res = constructions.sawtooth(k, p)
    assert res.k == k and res.pieces == p**k  # never silently a smaller k
    assert res.counted == (p**k <= constructions.MAX_COUNTED)
    assert res.deep_params == constructions.deep_sawtooth_params(k, p) == sum(count_parameters([1] + [p] * k + [1]))
    caption = res.caption()
    assert ("breakpoint by breakpoint" in caption) == res.counted
    # never more pieces drawn than the figure can show; the caption says when it zooms
    drawn = len(res.breakpoints) + 1
    assert drawn <= constructions.MAX_DRAWN + 1
    assert res.zoomed == (p**k > constructions.MAX_DRAWN) == ("solid band" in caption)
    if res.zoomed:
        assert drawn == pytest.approx(res.drawn_pieces, abs=1)
        assert "zoomed" in figs.sawtooth_figure(res).layout.xaxis.title.text
    assert res.max_error_vs_closed_form < 1e-9


def test_tooth_net_of_mixed_widths_multiplies_pieces():
    for hidden in ([2], [5, 3, 3], [3, 4], [1, 4, 1, 2]):
        f = constructions.tooth_net(hidden)
        assert pieces_1d(f).n_pieces == math.prod(hidden)
        x = np.linspace(0, 1, 2001)
        np.testing.assert_allclose(f.forward(x[:, None])[:, 0], constructions.zigzag(math.prod(hidden) * x), atol=1e-9)


def test_shallow_sawtooth_needs_a_unit_per_breakpoint():
    for k in (1, 3, 6):
        shallow = depth.shallow_sawtooth_net(k)
        x = np.linspace(0, 1, 4097)
        np.testing.assert_allclose(shallow.forward(x[:, None]), depth.sawtooth_net(k).forward(x[:, None]), atol=1e-9)
        # one hidden layer of n units has at most n breakpoints, so 2^k pieces need >= 2^k - 1 units
        assert pieces_1d(shallow).n_pieces == 2**k
        assert shallow.widths[1] >= 2**k - 1
    costs = depth.sawtooth_costs(6)
    assert list(costs.deep_params) == [6 * k + 1 for k in range(1, 7)]
    assert list(costs.shallow_params) == [3 * (2**k - 1) + 1 for k in range(1, 7)]


# ----------------------------------------------------------------------------------------------- Yarotsky


@pytest.mark.parametrize("m", range(1, 9))
def test_yarotsky_maximum_error_is_2_to_the_minus_2m_minus_2(m):
    f = depth.yarotsky_net(m)
    bound = 2.0 ** (-2 * m - 2)
    assert depth.yarotsky_error(f) == pytest.approx(bound, rel=1e-9)
    x = np.linspace(0, 1, 2**m * 64 + 1)  # dense grid containing every chord's midpoint
    err = x**2 - f.forward(x[:, None])[:, 0]
    assert np.max(np.abs(err)) == pytest.approx(bound, rel=1e-6)
    assert np.all(err <= 1e-12)  # chords of a convex function lie above it
    np.testing.assert_allclose(f.forward(x[:, None])[:, 0], depth.yarotsky_closed(x, m), atol=1e-12)
    assert f.n_parameters == 12 * m - 2


def test_yarotsky_equals_the_shallow_interpolant():
    for m in (1, 4, 6):
        x = np.linspace(0, 1, 2001)
        np.testing.assert_allclose(depth.yarotsky_net(m).forward(x[:, None]),
                                   depth.shallow_square_net(m).forward(x[:, None]), atol=1e-12)
        nodes = np.arange(2**m + 1) / 2**m
        np.testing.assert_allclose(depth.shallow_square_net(m).forward(nodes[:, None])[:, 0], nodes**2, atol=1e-12)
    rows = depth.yarotsky_table(8)
    assert [r.shallow_params for r in rows] == [3 * 2**m + 1 for m in range(1, 9)]
    assert rows[7].deep_params < rows[7].shallow_params and rows[0].deep_params > rows[0].shallow_params
    # 12m - 2 < 3 * 2^m + 1 first holds at m = 4 (46 < 49; m = 3: 34 > 25)
    assert depth.first_deep_win(rows) == 4


# ----------------------------------------------------------------------------------------------- regions


def test_pieces_1d_on_hand_built_networks():
    one = net(([[1.0]], [-0.3]), ([[1.0]], [0.0]))  # relu(x - 0.3)
    pc = pieces_1d(one)
    assert pc.n_pieces == 2 and pc.n_regions == 2
    np.testing.assert_allclose(pc.breakpoints, [0.3])
    absx = net(([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, 1.0]], [0.0]))  # |x|
    pc = pieces_1d(absx, -1, 1)
    assert pc.n_pieces == 2 and list(pc.breakpoints) == [0.0]
    # | |x| - 1/2 |: breakpoints at -1/2, 0, 1/2 -> 4 pieces
    fold = net(([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, 1.0], [-1.0, -1.0]], [-0.5, 0.5]), ([[1.0, 1.0]], [0.0]))
    pc = pieces_1d(fold, -1, 1)
    assert pc.n_pieces == 4
    np.testing.assert_allclose(pc.breakpoints, [-0.5, 0.0, 0.5])
    # relu(x) - relu(x): two activation regions, but the output is one straight piece
    flat = net(([[1.0]], [0.0]), ([[0.0]], [0.0]))
    pc = pieces_1d(flat, -1, 1)
    assert pc.n_regions == 2 and pc.n_pieces == 1
    # a unit that never switches on [0, 1] adds nothing
    assert pieces_1d(net(([[1.0]], [-2.0]), ([[1.0]], [0.0]))).n_pieces == 1


@pytest.mark.parametrize("seed", range(6))
def test_pieces_1d_agrees_with_torch_and_with_fine_sampling(seed):
    widths = [1, 5, 4, 3, 1]
    f = ReluNet.random(widths, seed=seed, sigma_b=0.5)
    pc = pieces_1d(f, -1, 1)
    x = np.random.default_rng(seed).uniform(-1, 1, 2000)
    with torch.no_grad():
        y_torch = to_torch(f)(torch.as_tensor(x[:, None]))[:, 0].numpy()
    np.testing.assert_allclose(pc.evaluate(x), y_torch, atol=1e-9)
    # dense sampling can only miss breakpoints; with 200k points it finds the slope changes of these nets
    xs = np.linspace(-1, 1, 200_001)
    slopes = np.diff(f.forward(xs[:, None])[:, 0]) / np.diff(xs)
    changes = np.abs(np.diff(slopes)) > 1e-6 * max(1.0, np.abs(slopes).max())
    # a breakpoint between samples shows up as one or two consecutive changes
    sampled = 1 + int(np.sum(changes & ~np.r_[False, changes[:-1]]))
    assert sampled <= pc.n_pieces
    assert pc.n_pieces <= sampled + 1


def test_regions_2d_three_lines_make_seven_regions():
    lines = net(([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.0, 0.0, -0.5]), ([[1.0, 1.0, 1.0]], [0.0]))
    reg = regions_2d(lines)
    assert reg.n_regions == 7 == zaslavsky(2, 3)
    areas = [0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], -1)) - np.dot(p[:, 1], np.roll(p[:, 0], -1)))
             for p in reg.polygons]
    assert sum(areas) == pytest.approx(4.0)
    # each polygon's stored pattern is the pattern at its centroid
    centroids = np.array([p.mean(axis=0) for p in reg.polygons])
    np.testing.assert_array_equal(lines.patterns(centroids), reg.patterns)
    assert len({tuple(p) for p in reg.patterns}) == 7


def test_regions_2d_parallel_lines_and_two_layers():
    parallel = net(([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], [0.0, -0.5, 0.5]), ([[1.0, 1.0, 1.0]], [0.0]))
    assert regions_2d(parallel).n_regions == 4  # not in general position: fewer than 7
    # layer 2 folds along |x1|: the line h = 1/2 appears twice, at x1 = +-1/2
    folded = net(([[1.0, 0.0], [-1.0, 0.0]], [0.0, 0.0]), ([[1.0, 1.0]], [-0.5]), ([[1.0]], [0.0]))
    reg = regions_2d(folded)
    assert reg.n_regions == 4
    xs = np.random.default_rng(0).uniform(-1, 1, (4000, 2))
    assert len(np.unique(folded.patterns(xs), axis=0)) == 4


def test_regions_2d_count_matches_patterns_seen_on_a_fine_grid():
    f = ReluNet.random([2, 4, 4, 1], seed=3, sigma_b=0.5)
    reg = regions_2d(f)
    g = np.linspace(-1, 1, 801)
    gx, gy = np.meshgrid(g, g)
    on = f.patterns(np.c_[gx.ravel(), gy.ravel()]).astype(np.int64)
    seen = len(np.unique(on @ (1 << np.arange(on.shape[1]))))  # one integer per pattern: unique rows, fast
    assert seen <= reg.n_regions  # a grid can miss slivers, never invent regions
    assert reg.n_regions - seen <= 2


def test_bounds_take_their_known_values():
    assert zaslavsky(2, 3) == 7
    assert zaslavsky(1, 5) == 6
    assert zaslavsky(3, 3) == 8  # three planes in general position in R^3: all 2^3 octants
    assert serra_upper([2, 3, 1]) == 7  # one layer: Zaslavsky
    for widths in ([1, 2, 2, 1], [1, 3, 5, 2, 1], [1, 8, 1]):
        assert serra_upper(widths) == math.prod(n + 1 for n in widths[1:-1])  # exact for one input
    assert montufar_lower([2, 3, 1]) == 7
    assert montufar_lower([1, 2, 2, 2, 1]) == 2 * 2 * 3  # floor(2/1)^1 per earlier layer, then 2 + 1
    for widths in ([2, 4, 4, 1], [2, 3, 3, 3, 1], [3, 6, 6, 1]):
        assert montufar_lower(widths) <= serra_upper(widths)
    # the sawtooth construction never beats the upper bound, and reaches w^L
    for k in (1, 3, 5):
        assert depth.sawtooth(k).pieces <= serra_upper([1] + [2] * k + [1])


# ----------------------------------------------------------------------------------------------- counting payoff


@pytest.mark.parametrize("widths", [[3, 9, 2], [3, 5, 3, 3, 2], [1, 1], [2, 512, 512, 1], [1, 2, 2, 2, 1]])
def test_the_one_parameter_count_equals_a_torch_models_numel(widths):
    from nnviz.mlp import build_mlp

    w, b = count_parameters(widths)
    model = build_mlp(widths, "relu")
    assert sum(m.weight.numel() for m in model if isinstance(m, torch.nn.Linear)) == w
    assert sum(m.bias.numel() for m in model if isinstance(m, torch.nn.Linear)) == b
    rows = counting.layer_counts(widths)
    assert ReluNet.random(widths).n_parameters == w + b == sum(r.weights + r.biases for r in rows)


def test_counting_does_not_import_torch():
    """The count lives in nnviz.mlp, which imports torch only where a network is built."""
    code = ("import sys; from nnviz.mlp import count_parameters; from nnviz.topics.depth import counting; "
            "counting.architecture((3, 9, 2)); print('torch' in sys.modules)")
    assert run_python(code).strip() == "False"


def test_the_lecture_pair_shows_what_depth_buys():
    a, b = counting.architecture([3, 9, 2]), counting.architecture([3, 5, 3, 3, 2])
    assert a.weights == b.weights == 45
    assert a.constructed == 9 and a.line_bound == 10  # one layer of 9 units bends a line at most 9 times
    assert b.constructed == 45 > a.line_bound
    text = counting.comparison_sentence(a, b)
    assert "same number of connections" in text and "45 linear pieces" in text and "cannot compute" in text
    assert "This is the lecture's example" in text


@pytest.mark.parametrize("wa, wb", [([3, 9, 2], [3, 4, 4, 2]), ([1, 16, 1], [1, 2, 2, 2, 2, 1]), ([2, 3, 1], [2, 3, 1]),
                                    ([3, 2], [3, 512, 512, 512, 2]), ([1, 2, 2, 2, 1], [1, 30, 1])])
def test_comparison_sentence_follows_what_was_typed(wa, wb):
    a, b = counting.architecture(wa), counting.architecture(wb)
    text = counting.comparison_sentence(a, b)
    assert "This is the lecture's example" not in text and str(wa) in text and str(wb) in text
    if a.weights == b.weights:
        assert "same number" in text
    else:
        assert ("fewer" if b.weights < a.weights else "more") in text
    if a.constructed == b.constructed:
        assert "depth buys nothing" in text
    else:
        deep, shallow = (b, a) if b.constructed > a.constructed else (a, b)
        assert f"{deep.constructed:,} linear pieces" in text
        assert ("cannot compute at all" in text) == (deep.constructed > shallow.line_bound)
    for arch in (a, b):
        assert arch.constructed <= arch.line_bound  # the construction never beats the bound
        assert len(arch.x) - 1 <= 128  # never more pieces drawn than can be seen


# ----------------------------------------------------------------------------------------------- Yarotsky drawing


@pytest.mark.parametrize("m", range(1, constructions.M_MAX + 1))
def test_yarotsky_curve_draws_humps_or_says_it_draws_their_envelope(m):
    curve = constructions.yarotsky_curve(m)
    assert curve.humps_drawn == (2**m <= constructions.MAX_DRAWN)
    assert ("envelope" in curve.caption()) != curve.humps_drawn
    err = curve.f - curve.x**2
    assert err.max() == pytest.approx(curve.bound, rel=1e-9) and err.min() >= -1e-12  # the band is exactly [0, bound]
    view_row = constructions.yarotsky_table()[m - 1]
    win = constructions.first_deep_win(constructions.yarotsky_table())
    text = constructions.yarotsky_sentence(view_row, win)
    cheaper_deep = view_row.deep_params < view_row.shallow_params
    assert ("the deep one is cheaper" in text) == cheaper_deep


# ----------------------------------------------------------------------------------------------- trajectory


def test_trajectory_lengths():
    tr = depth.trajectory_lengths((0.5, 8.0), width=24, depth=6, n_points=4000)
    assert tr.lengths[0, 0] == pytest.approx(2 * np.pi * np.sqrt(24 / 2), rel=1e-5)
    assert tr.lengths[0, -1] < tr.lengths[0, 0]  # small weights contract
    assert np.all(np.diff(tr.lengths[1]) > 0)  # large weights stretch layer after layer
    assert depth.curve_length(np.array([[0, 0], [1, 0], [1, 1], [0, 1]])) == pytest.approx(4.0)
    ratios = tr.lengths[:, 1:] / tr.lengths[:, :-1]
    np.testing.assert_allclose(tr.growth_per_layer, np.exp(np.log(ratios).mean(axis=1)))


@pytest.mark.parametrize("width", [32, 64])
def test_layer_one_stretches_like_the_others(width):
    """The old embedding (unit circle in R^2) made layer 1 stretch ~2x more than any later layer for every σ_w."""
    tr = trajectory.trajectory_lengths(width=width, depth=10)
    ratios = tr.lengths[:, 1:] / tr.lengths[:, :-1]
    for i, s in enumerate(tr.sigma_w):
        if s >= 2:
            assert ratios[i, 0] == pytest.approx(np.median(ratios[i, 1:4]), rel=0.25), (s, ratios[i, :4])


@pytest.mark.parametrize("width, n_layers", [(2, 1), (2, 16), (32, 10), (64, 16), (8, 3)])
def test_trajectory_takeaway_is_true_of_the_run(width, n_layers):
    tr = trajectory.trajectory_lengths(width=width, depth=n_layers)
    text = tr.takeaway()
    g = tr.growth_per_layer
    assert ("stretch it layer after layer" in text) == bool(np.any(g > 1.02))
    assert ("shrink" in text) == bool(np.any(g < 0.98))


# ----------------------------------------------------------------------------------------------- equal budget


def test_batched_mlp_trains_each_network_as_if_alone():
    shapes = [[1, 3, 3, 1], [1, 6, 6, 1]]
    model = batched.BatchedMLP(shapes, [1, 2])
    x = torch.linspace(-1, 1, 64)[:, None]
    y = torch.sin(3 * x)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(30):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean(dim=(1, 2)).sum().backward()
        opt.step()
    assert torch.all(model.W[0][0, 3:] == 0) and torch.all(model.W[1][0, 3:, :] == 0)
    assert torch.all(model.W[1][0, :, 3:] == 0) and torch.all(model.b[0][0, 3:] == 0)
    with torch.no_grad():
        out = model(x * 2 - 1).numpy()
    for i in range(2):
        f = model.network(i, 2.0, -1.0)
        assert f.widths == shapes[i]
        np.testing.assert_allclose(f.forward(x.numpy().astype(float)), out[i], atol=1e-5)


def _numbers(res: budget.BudgetResult) -> np.ndarray:
    return np.array([[c.error, c.params, c.steps, c.pieces or 0] + list(c.curve or ()) for c in res.cells], float)


def test_equal_budget_run_is_the_same_under_any_time_slicing():
    """Defaults but 25 steps per depth: run() (no clock) against many tiny advance() slices and a few large ones."""
    free = budget.BudgetExperiment("sawtooth", steps=25).run()
    tight = budget.BudgetExperiment("sawtooth", steps=25)
    slices = 0
    while not tight.done:
        tight.advance(1e-6)  # about one step per slice
        slices += 1
    loose = budget.BudgetExperiment("sawtooth", steps=25)
    while not loose.done:
        loose.advance(0.5)
    assert slices >= 100 and tight.steps == free.steps == loose.steps == 6 * 25
    assert tight.complete and free.complete and loose.complete
    for other in (tight, loose):
        np.testing.assert_allclose(_numbers(other.result()), _numbers(free.result()), rtol=0, atol=1e-9)


def test_a_cut_run_is_labelled_cut_and_draws_no_conclusion():
    run = budget.BudgetExperiment("sine", steps=50, max_seconds=0.05)
    while not run.done:
        run.advance(0.02)
    assert run.cut and not run.complete and run.steps < run.max_steps
    res = run.result()
    assert f"Stopped after {run.steps:,} of {run.max_steps:,} steps" in res.cut_note
    assert "not comparable" in res.cut_note
    assert budget.look_for(res) == ["No conclusion: the run was cut before every depth trained its steps "
                                    "(see the note above)."]
    assert "time limit" in run.status()


def test_a_partial_run_waits_for_every_depth():
    run = budget.BudgetExperiment("spiral", steps=10)
    run.run(25)  # depths 1 and 2 done, depth 3 half way
    res = run.result()
    assert len(res.cells) == 2 * len(budget.BUDGETS) and not res.complete
    assert budget.look_for(res) == ["2 of 6 depths trained so far: the comparison waits for all of them."]
    assert "Depth 3 (3 of 6): step 5 of 10" in run.status()


def test_stored_file_holds_the_default_settings_and_the_same_code():
    for target in budget.TARGETS:
        res = budget.default_result(target)
        assert res is not None, "run benchmarks/precompute_depth.py"
        assert res.settings == budget.default_settings(target) and res.complete
        for c in res.cells:
            assert c.params == counting.mlp_parameters(2 if target == "spiral" else 1, 1, c.depth, c.width)
            assert c.steps == budget.DEFAULT_STEPS
        prefix = budget.stored_prefix(target)
        assert prefix is not None, "run benchmarks/precompute_depth.py"
        live = budget.BudgetExperiment(target).prefix_losses(budget.PREFIX_STEPS)
        np.testing.assert_allclose(live, prefix, rtol=1e-6, atol=1e-9)  # float32 training; exact on one machine


@pytest.mark.slow
def test_a_default_depth_in_tiny_slices_equals_the_precomputed_one():
    """Depth 4 of the default run (3,000 steps of its 15 networks; the depth whose construction exists but is not
    found), in 0.05 s slices, against the stored run(). Each depth's seeds depend on the depth alone, so one depth
    trains as it did inside the full run; all six take several minutes on a loaded machine, and the cheap tier
    checks every depth's first steps against the stored prefix.

    The stored digits are the storing machine's: narrow networks trained 3,000 steps carry its rounding (another
    processor moved an error in its fifth digit and a piece count by two). Elsewhere the sliced run is checked
    against run() on this machine, which is what the slices must not change."""
    run = budget.BudgetExperiment("sawtooth", depths=(4,))
    while not run.done:
        run.advance(0.05)
    assert run.complete and run.steps == budget.DEFAULT_STEPS
    if numerics.same_machine(budget.stored_numerics()):
        stored = budget.default_result("sawtooth")
        want = dataclasses.replace(stored, depths=(4,), cells=tuple(c for c in stored.cells if c.depth == 4))
    else:
        want = budget.BudgetExperiment("sawtooth", depths=(4,)).run().result()
    assert len(want.cells) == len(budget.BUDGETS)
    np.testing.assert_allclose(_numbers(run.result()), _numbers(want), rtol=0, atol=1e-9)


def _summary(target: str, errors: dict[tuple[int, int], float]) -> budget.BudgetResult:
    cells = tuple(budget.FitResult(d, 2, 25 * (i + 1), e, 10) for (d, i), e in errors.items())
    return budget.BudgetResult(target, 10, 0, 0.01, 3, (25, 50), (1, 2), cells, complete=True)


def test_look_for_sentences_follow_the_numbers():
    deep_wins = budget.look_for(_summary("sine", {(1, 0): 0.3, (1, 1): 0.3, (2, 0): 0.1, (2, 1): 0.29}))
    assert "at about 25 parameters; at 50 one hidden layer is best or close" in deep_wins[1]
    none = budget.look_for(_summary("sine", {(1, 0): 0.1, (1, 1): 0.1, (2, 0): 0.2, (2, 1): 0.2}))
    assert "At no budget does depth win" in none[1] and "**1 layer**" in none[0]
    spiral = budget.look_for(_summary("spiral", {(1, 0): 0.002, (1, 1): 0.0, (2, 0): 0.004, (2, 1): 0.0}))
    assert "every depth separates the classes" in spiral[-1]


@pytest.mark.parametrize("target", budget.TARGETS)
def test_look_for_is_true_of_the_precomputed_run(target):
    res = budget.default_result(target)
    text = " ".join(budget.look_for(res))
    for h in budget.highlights(res):
        errs = {d: res.cell(d, res.budgets.index(h.budget)).error for d in res.depths}
        assert errs[h.best_depth] == min(errs.values())
        assert f"about {h.budget}: **{h.best_depth} layer" in text
    if target == "sawtooth":
        cell = next(c for c in res.cells if c.depth == 4 and c.width == 2)
        assert f"RMS error {cell.error:.3f}" in text and cell.error > 0.01
        near = abs(cell.error - budget.constant_half_rms("sawtooth")) <= 0.15 * budget.constant_half_rms("sawtooth")
        assert ("near the constant ½" in text) == near


# ----------------------------------------------------------------------------------------------- pieces by depth


def test_pieces_by_depth_at_one_budget():
    res = pieces.pieces_by_depth(100, budget.trained_pieces(), n_seeds=5)
    assert res.depths == tuple(pieces.DEPTHS)
    for i, (d, w) in enumerate(zip(res.depths, res.widths, strict=True)):
        assert res.params[i] == counting.mlp_parameters(1, 1, d, w)
        assert res.random_mean[i] <= res.random_max[i] <= res.upper[i]
        assert res.constructed[i] <= res.upper[i]
        if w >= 2 and w**d <= 1024:
            assert constructions.sawtooth(d, w).pieces == res.constructed[i]
    assert res.constructed[res.best] == max(res.constructed)
    text = res.sentence()
    assert f"{res.constructed[res.best]:,.0f} pieces" in text
    assert ("Hanin & Rolnick" in text) == (res.random_mean[res.best] / res.constructed[res.best] < 0.2)


@pytest.mark.parametrize("size", budget.BUDGETS)
def test_pieces_by_depth_sentence_is_true_at_every_budget(size):
    res = pieces.pieces_by_depth(size, budget.trained_pieces(), n_seeds=3)
    text = res.sentence()
    top = int(np.argmax(res.random_mean))
    if top == 0:
        assert "the most with one hidden layer" in text
    else:
        assert f"the most at {res.depths[top]} layers ({res.random_mean[top]:.1f} on average)" in text
    assert " 0% " not in text and "reach 0%" not in text  # a real share of pieces is never printed as 0 %
    ratio = res.random_mean[res.best] / res.constructed[res.best]
    if ratio < 0.01:
        assert f"1 in {1 / ratio:,.0f}" in text


@pytest.mark.parametrize("sigma_b", [0.0, 0.3, 1.0])
def test_random_1d_caption(sigma_b):
    r = pieces.random_1d(3, 8, 0, sigma_b)
    assert ("positively homogeneous" in r.caption()) == (sigma_b == 0)
    if sigma_b == 0:
        assert r.pieces.n_pieces <= 2
    assert r.pieces.n_pieces <= r.upper


# ----------------------------------------------------------------------------------------------- untangling


def test_untangler_forward_matches_torch_and_points_match_sklearn():
    net = untangle.untangler("moons", 3)
    model = torch.nn.Sequential()
    for W, b in zip(net.W, net.b, strict=True):
        lin = torch.nn.Linear(2, 2, dtype=torch.float64)
        lin.weight.data, lin.bias.data = torch.as_tensor(W), torch.as_tensor(b)
        model.append(lin)
        model.append(torch.nn.Tanh())
    X, y = untangle.points("moons")
    Xs, ys = untangle.untangle_data("moons")
    np.testing.assert_allclose(X, Xs, atol=1e-12)
    np.testing.assert_array_equal(y, ys)
    with torch.no_grad():
        h = model(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(net.layers(X)[-1], h, atol=1e-12)
    assert np.mean((net.logit(X) > 0) == y) == pytest.approx(net.accuracy, abs=1e-6)
    assert net.accuracy > 0.95
    lines = untangle.warped_grid(net, 2)
    assert len(lines) == 30 and np.all(np.abs(np.concatenate(lines)) <= 1)


@pytest.mark.parametrize("name", untangle.UNTANGLE_SETS)
@pytest.mark.parametrize("d", untangle.UNTANGLE_DEPTHS)
def test_untangle_sentence_is_true_of_the_net(name, d):
    net = untangle.untangler(name, d)
    text = untangle.sentence(name, d, net.accuracy)
    assert f"{net.accuracy:.1%}" in text
    if name == "moons":
        assert ("a straight line separates them" in text) == (net.accuracy == 1.0)


# ----------------------------------------------------------------------------------------------- history


def test_imagenet_table_covers_the_lecture():
    names = {r[0] for r in history.IMAGENET}
    assert {"AlexNet", "VGG-16", "VGG-19", "GoogLeNet", "Inception-v3", "ResNet-18", "ResNet-34", "ResNet-50",
            "ResNet-101", "ResNet-152"} == names
    for _, year, layers, acc, gflops, params in history.IMAGENET:
        assert 2012 <= year <= 2016 and layers > 0 and 50 < acc < 80 and 0.5 < gflops < 20 and params > 1e6
    assert [r[0] for r in history.TIMELINE] == ["LeNet-5", "AlexNet", "VGG-19", "ResNet-152"]


def test_model_comparisons_come_from_the_table():
    c = history.compare_models("AlexNet", "VGG-19")
    assert c.gflops_ratio == pytest.approx(19.632 / 0.714)
    assert c.params_ratio == pytest.approx(143_667_240 / 61_100_840)
    assert c.acc_gain == pytest.approx(72.376 - 56.522)
    assert f"{c.acc_gain:.1f} points better" in history.history_text()


@pytest.mark.parametrize("build, rows, col", [(figs.imagenet_figure, history.IMAGENET, 5),
                                              (figs.timeline_figure, history.TIMELINE, 3)])
def test_bubble_area_is_proportional_to_parameters(build, rows, col):
    fig = build(rows)
    params = {r[0]: r[col] for r in rows}
    seen = 0
    for tr in fig.data:
        m = tr.marker
        assert m.sizemode == "area"
        assert m.sizeref == pytest.approx(figs.bubble_sizeref(max(params.values())))
        if tr.name == "bubble area ∝ parameters":  # the size key uses the same scale
            continue
        for name, size in zip(tr.text, m.size, strict=True):
            assert size == params[name]
            seen += 1
    assert seen == len(rows)
    # the drawn diameter: sqrt(area); the largest is BUBBLE_MAX_PX across
    assert np.sqrt(max(params.values()) / figs.bubble_sizeref(max(params.values()))) == pytest.approx(
        figs.BUBBLE_MAX_PX)


def test_imagenet_has_a_legend_for_families_and_labels_off_the_bubbles():
    fig = figs.imagenet_figure(history.IMAGENET)
    names = [t.name for t in fig.data]
    assert {"ResNet", "VGG", "AlexNet", "GoogLeNet", "Inception-v3", "bubble area ∝ parameters"} <= set(names)
    assert len({t.marker.color for t in fig.data if t.name != "bubble area ∝ parameters"}) == len(names) - 1


def _boxes(fig, width: float, height: float) -> tuple[list, list]:
    """Where the figure draws on a plot area of ``width`` x ``height`` px: circles (x, y, r) of every bubble and
    text boxes (x0, y0, x1, y1, text) of every label (about 0.55 em a character), in pixels from the top left."""
    xa, ya = fig.layout.xaxis, fig.layout.yaxis

    def px(v, axis, span, flip):
        lo, hi = axis.range
        t = ((math.log10(v) if axis.type == "log" else v) - lo) / (hi - lo)
        return (1 - t) * span if flip else t * span

    circles, texts = [], []
    for tr in fig.data:
        m = tr.marker
        sizes = m.size if isinstance(m.size, tuple | list) else [m.size] * len(tr.x)
        for i, (x, y, size) in enumerate(zip(tr.x, tr.y, sizes, strict=True)):
            cx, cy = px(x, xa, width, False), px(y, ya, height, True)
            r = max(math.sqrt(size / m.sizeref), m.sizemin or 0) / 2
            circles.append((cx, cy, r))
            if tr.mode and "text" in tr.mode:
                label, r = tr.text[i].strip(), r + 2  # plotly leaves a small gap between marker and text
                w, h = 0.55 * 12 * len(label) + 4, 16
                where = tr.textposition[i] if isinstance(tr.textposition, tuple | list) else tr.textposition
                if where == "top center":
                    texts.append((cx - w / 2, cy - r - h, cx + w / 2, cy - r, label))
                elif where == "middle left":
                    texts.append((cx - r - w, cy - h / 2, cx - r, cy + h / 2, label))
                else:  # middle right
                    texts.append((cx + r, cy - h / 2, cx + r + w, cy + h / 2, label))
    for a in fig.layout.annotations or ():
        cx, cy = px(10**a.x if xa.type == "log" else a.x, xa, width, False), px(a.y, ya, height, True)
        w, h = 0.55 * 12 * len(a.text) + 4, 16
        texts.append((cx + a.ax - w / 2, cy + a.ay - h / 2, cx + a.ax + w / 2, cy + a.ay + h / 2, a.text))
    return circles, texts


def _hits(box, circle) -> bool:
    x0, y0, x1, y1, _ = box
    cx, cy, r = circle
    return math.hypot(cx - min(max(cx, x0), x1), cy - min(max(cy, y0), y1)) < r + 1


@pytest.mark.parametrize("build, rows, sizes", [
    (figs.imagenet_figure, history.IMAGENET, [(490, 335), (280, 230)]),  # plot areas at 1400 px and at 390 px
    (figs.timeline_figure, history.TIMELINE, [(300, 335), (280, 280)])])
def test_labels_clear_every_bubble_and_each_other(build, rows, sizes):
    fig = build(rows)
    for width, height in sizes:
        circles, texts = _boxes(fig, width, height)
        for box in texts:
            x0, y0, x1, y1, _ = box
            assert x0 >= 0 and x1 <= width + 20 and y0 >= 0 and y1 <= height, (width, box)  # inside the plot
            hit = [c for c in circles if _hits(box, c)]
            assert not hit, (width, box[4], hit)
        for i, a in enumerate(texts):
            for b in texts[i + 1:]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, (width, a[4], b[4])


def test_log_axes_label_decades_without_si_suffixes():
    c = constructions.sawtooth_costs(10, 5)
    fig = figs.cost_figure(c.k, c.deep_params, c.shallow_params, "k", "t")
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.exponentformat == "power"


@pytest.mark.slow
def test_first_visit_imports_neither_torch_nor_sklearn():
    """The page's first run defers training (torch) and data generation (scikit-learn): check in a fresh process.

    The router's background warm-up imports torch on purpose; it is switched off here so the page alone is judged.
    """
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from nnviz import threads, warmup; threads.limit(); warmup.start = lambda: None\n"
            "from tests.apptest_utils import charts, open_page\n"
            "at = open_page('depth.py')\n"
            "assert not at.exception, [e.value for e in at.exception]\n"
            "print('torch' in sys.modules, 'sklearn' in sys.modules, len(charts(at)))\n")
    torch_loaded, sklearn_loaded, charts = run_python(code, timeout=300).split()[-3:]
    assert (torch_loaded, sklearn_loaded) == ("False", "False") and int(charts) >= 1


# ----------------------------------------------------------------------------------------------- depth as octaves


def test_each_layer_lifts_the_wavetable_one_octave():
    """The fundamental of t^l played as a wavetable, measured with audio.harmonics, doubles per layer."""
    r = octaves.octaves(octaves.K_MAX)
    f = audio.snap(octaves.TABLE_RATE)
    P = audio.period_samples(f)
    for ell in range(1, octaves.K_MAX + 1):
        tone = audio.wavetable(octaves.table(constructions.sawtooth_net(ell)), f, 0.5)
        a = audio.harmonics(tone, f, n=(P - 1) // 2)
        lowest = int(np.nonzero(a[1:] > 1e-6)[0][0]) + 1
        assert lowest == 2 ** (ell - 1)  # the table holds 2^(l-1) triangles
        # a triangle: its own odd harmonics at 1/n^2 (band-limited), nothing between them
        assert a[lowest] == pytest.approx(4 / np.pi**2, rel=1e-3)  # t^l swings 0..1: amplitude 4/pi^2
        if 3 * lowest <= (P - 1) // 2:
            assert a[3 * lowest] == pytest.approx(a[lowest] / 9, rel=1e-2)  # the sampled table aliases (< 1 %)
        assert np.all(a[1:lowest] < 1e-9)
        assert r.fundamentals[ell - 1] == pytest.approx(lowest * f)
    np.testing.assert_allclose(r.fundamentals[1:] / r.fundamentals[:-1], 2.0)
    assert r.doubles


@pytest.mark.parametrize("k", range(1, octaves.K_MAX + 1))
def test_deep_and_shallow_networks_play_the_same_samples_at_their_parameter_counts(k):
    r = octaves.octaves(k)
    deep, shallow = constructions.sawtooth_net(k), constructions.shallow_sawtooth_net(k)
    np.testing.assert_allclose(octaves.table(deep), octaves.table(shallow), atol=1e-12)
    np.testing.assert_allclose(r.deep, r.shallow, atol=1e-9)  # the clips as played
    assert audio.wav_bytes(r.deep) == audio.wav_bytes(r.shallow)  # and as written
    assert r.deep_params == 6 * k + 1 == sum(count_parameters([1] + [2] * k + [1])) == deep.n_parameters
    assert r.shallow_units == 2**k and r.shallow_params == 3 * 2**k + 1 == sum(count_parameters([1, 2**k, 1]))
    assert r.bound_units == 2**k - 1 <= r.shallow_units  # one unit per breakpoint at least
    assert len(r.deep) == round(octaves.SECONDS * audio.SR) and len(r.ladder) == round(k * octaves.LADDER_S * audio.SR)
    assert np.max(np.abs(r.deep)) <= 0.9 and abs(np.mean(r.deep)) < 1e-3  # playable: DC gone, within the WAV
    # the spectrum drawn is the deep clip's, below Nyquist, fundamental where the sentence says
    assert len(r.spectrum) - 1 < audio.period_samples(r.f_table) / 2
    assert int(np.nonzero(r.spectrum[1:] > 1e-6)[0][0]) + 1 == 2 ** (k - 1)
    assert r.spectrum[0] == 0 and octaves.superscript(16) == "¹⁶"  # drawn as played: no DC


@pytest.mark.parametrize("k", range(1, octaves.K_MAX + 1))
def test_octave_sentences_and_captions_follow_the_measurements(k):
    r = octaves.octaves(k)
    text = " ".join(r.sentences)
    assert ("one octave up per layer" in text) == (k > 1 and r.doubles)
    for f in r.fundamentals:
        assert f"{f:,.0f} Hz" in text
    assert ("the same samples: the same tone" in text) == (r.max_diff < octaves.AGREE)
    assert f"**{r.deep_params} parameters**" in text and f"**{r.shallow_params:,} parameters**" in text
    assert ("costs" in text) == (r.shallow_params > r.deep_params)
    if r.shallow_params <= r.deep_params:
        assert f"depth starts to pay at {octaves.first_paying_k()} layers" in text
    deep, shallow, ladder = octaves.listen_for(r)
    assert f"{r.fundamentals[-1]:,.0f} Hz" in deep and ("octave" in deep) == (k > 1)
    assert "same samples" in shallow and ("one octave per layer" in ladder) == (k > 1)
    # a version whose tables differ must not be called the same tone, nor a ladder that falls a doubling
    off = dataclasses.replace(r, max_diff=0.1)
    assert "the same samples: the same tone" not in " ".join(octaves.sentences(off))
    assert "same samples" not in octaves.listen_for(off)[1]
    falling = dataclasses.replace(r, fundamentals=r.fundamentals[::-1])
    assert "one octave up" not in " ".join(octaves.sentences(falling))


def test_first_paying_k_is_where_the_shallow_count_overtakes():
    k = octaves.first_paying_k()
    assert 3 * 2**k + 1 > 6 * k + 1 and 3 * 2 ** (k - 1) + 1 <= 6 * (k - 1) + 1
    with pytest.raises(ValueError, match="between 1 and"):
        octaves.octaves(octaves.K_MAX + 1)
