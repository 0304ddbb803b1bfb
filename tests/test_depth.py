"""Unit tests of nnviz.depth and nnviz.regions against hand counts, closed forms and torch."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

from nnviz import depth
from nnviz.mlp import count_parameters
from nnviz.regions import (
    ReluNet,
    montufar_lower,
    pieces_1d,
    product_upper,
    regions_2d,
    serra_upper,
    zaslavsky,
)


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
    model = ReluNet.random(widths).to_torch()
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
    np.testing.assert_allclose(res.breakpoints, np.arange(1, 2**k) / 2**k, atol=1e-12)
    assert res.deep_params == 6 * k + 1 == sum(count_parameters(res.deep_widths))
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


def test_max_layers_for_the_drawing_cap():
    assert [depth.max_layers_for(p) for p in (2, 3, 4, 5)] == [10, 6, 5, 4]
    for p in (2, 3, 4, 5):
        k = depth.max_layers_for(p)
        assert p**k <= depth.MAX_PIECES < p ** (k + 1)


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
        y_torch = f.to_torch()(torch.as_tensor(x[:, None]))[:, 0].numpy()
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
    seen = len(np.unique(f.patterns(np.c_[gx.ravel(), gy.ravel()]), axis=0))
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
        assert montufar_lower(widths) <= serra_upper(widths) <= product_upper(widths)
    # the sawtooth construction never beats the upper bound, and reaches w^L
    for k in (1, 3, 5):
        assert depth.sawtooth(k).pieces <= serra_upper([1] + [2] * k + [1])


# ----------------------------------------------------------------------------------------------- trajectory


def test_trajectory_lengths():
    tr = depth.trajectory_lengths((0.5, 8.0), width=24, depth=6, n_points=4000)
    assert tr.lengths[0, 0] == pytest.approx(2 * np.pi, rel=1e-5)
    assert tr.lengths[0, -1] < tr.lengths[0, 0]  # small weights contract
    assert np.all(np.diff(tr.lengths[1, 1:]) > 0)  # large weights stretch layer after layer
    assert tr.lengths[1, -1] > 10 * tr.lengths[1, 1]
    assert depth.curve_length(np.array([[0, 0], [1, 0], [1, 1], [0, 1]])) == pytest.approx(4.0)
    ratios = tr.lengths[:, 2:] / tr.lengths[:, 1:-1]
    np.testing.assert_allclose(tr.growth_per_layer, np.exp(np.log(ratios).mean(axis=1)))
    assert tr.growth_per_layer[0] < 1 < tr.growth_per_layer[1]


# ----------------------------------------------------------------------------------------------- training


def test_batched_mlp_trains_each_network_as_if_alone():
    shapes = [[1, 3, 3, 1], [1, 6, 6, 1]]
    model = depth.BatchedMLP(shapes, [1, 2])
    x = torch.linspace(-1, 1, 64)[:, None]
    y = torch.sin(3 * x)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(30):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean(dim=(1, 2)).sum().backward()
        opt.step()
    # padding stays exactly zero
    assert torch.all(model.W[0][0, 3:] == 0) and torch.all(model.W[1][0, 3:, :] == 0)
    assert torch.all(model.W[1][0, :, 3:] == 0) and torch.all(model.b[0][0, 3:] == 0)
    # each extracted network reproduces the batched output, with the input map folded in
    with torch.no_grad():
        out = model(x * 2 - 1).numpy()
    for i in range(2):
        f = model.network(i, 2.0, -1.0)
        assert f.widths == shapes[i]
        np.testing.assert_allclose(f.forward(x.numpy().astype(float)), out[i], atol=1e-5)


def test_budget_experiment_small_run():
    exp = depth.BudgetExperiment("sine", budgets=(25, 50), depths=(1, 3), steps=40, n_seeds=2)
    assert exp.progress == 0 and not exp.done
    while not exp.done:
        exp.advance(0.5)
    assert exp.progress == 1.0
    assert len(exp.results) == 4
    for r in exp.results:
        assert r.params == depth.mlp_parameters(1, 1, r.depth, r.width)
        assert 0 <= r.error < 2 and r.steps == 40 and r.pieces >= 1 and len(r.curve) == 129
    spiral = depth.BudgetExperiment("spiral", budgets=(50,), depths=(2,), steps=20, n_seeds=1)
    while not spiral.done:
        spiral.advance(0.5)
    assert 0 <= spiral.results[0].error <= 1 and spiral.results[0].pieces is None


def test_default_budget_run_ends_within_15_seconds():
    exp = depth.BudgetExperiment("sawtooth")
    t0 = time.perf_counter()
    while not exp.done:
        exp.advance(0.3)
    assert time.perf_counter() - t0 < 15.0
    assert len(exp.results) == len(depth.DEPTHS) * len(depth.BUDGETS)


def test_precomputed_defaults_exist_and_are_consistent():
    for target in depth.TARGETS:
        stored = depth.default_budget_results(target)
        assert stored is not None, "run benchmarks/precompute_depth.py"
        assert stored["steps"] == depth.DEFAULT_STEPS and len(stored["results"]) == 30
        for r in stored["results"]:
            assert r["params"] == depth.mlp_parameters(2 if target == "spiral" else 1, 1, r["depth"], r["width"])
    # the depth-4, width-2 sawtooth construction has zero error; training from random starts is worse
    cell = next(r for r in depth.default_budget_results("sawtooth")["results"] if r["depth"] == 4 and r["width"] == 2)
    assert cell["error"] > 0.01


def test_untangler_forward_matches_torch():
    net = depth.untangler("moons", 3)
    model = torch.nn.Sequential()
    for W, b in zip(net.W, net.b, strict=True):
        lin = torch.nn.Linear(2, 2, dtype=torch.float64)
        lin.weight.data, lin.bias.data = torch.as_tensor(W), torch.as_tensor(b)
        model.append(lin)
        model.append(torch.nn.Tanh())
    X, y = depth.untangle_data("moons")
    with torch.no_grad():
        h = model(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(net.layers(X)[-1], h, atol=1e-12)
    assert np.mean((net.logit(X) > 0) == y) == pytest.approx(net.accuracy, abs=1e-6)
    assert net.accuracy > 0.95
    lines = depth.warped_grid(net, 2)
    assert len(lines) == 30 and np.all(np.abs(np.concatenate(lines)) <= 1)


def test_imagenet_table_covers_the_lecture():
    names = {r[0] for r in depth.IMAGENET}
    assert {"AlexNet", "VGG-16", "VGG-19", "GoogLeNet", "Inception-v3", "ResNet-18", "ResNet-34", "ResNet-50",
            "ResNet-101", "ResNet-152"} == names
    for _, year, layers, acc, gflops, params in depth.IMAGENET:
        assert 2012 <= year <= 2016 and layers > 0 and 50 < acc < 80 and 0.5 < gflops < 20 and params > 1e6
    assert [r[0] for r in depth.TIMELINE] == ["LeNet-5", "AlexNet", "VGG-19", "ResNet-152"]


def test_model_comparisons_come_from_the_table():
    c = depth.compare_models("AlexNet", "VGG-19")
    assert c.gflops_ratio == pytest.approx(19.632 / 0.714)
    assert c.params_ratio == pytest.approx(143_667_240 / 61_100_840)
    assert c.acc_gain == pytest.approx(72.376 - 56.522)
    r = depth.compare_models("VGG-19", "ResNet-50")
    assert r.acc_gain > 0 and r.params_ratio < 0.2 and r.gflops_ratio < 0.25


def test_pieces_by_depth_at_one_budget():
    res = depth.pieces_by_depth(100, n_seeds=5)
    assert res.depths == list(depth.DEPTHS)
    for i, (d, w) in enumerate(zip(res.depths, res.widths, strict=True)):
        assert res.params[i] == depth.mlp_parameters(1, 1, d, w)
        assert res.random_mean[i] <= res.random_max[i] <= res.upper[i]
        assert res.constructed[i] <= res.upper[i]
        if w >= 2 and w**d <= 1024:  # the construction's count, checked exactly
            assert depth.sawtooth(d, w).pieces == res.constructed[i]
    assert res.constructed[res.best] == max(res.constructed)
    assert res.random_mean[res.best] < res.constructed[res.best] / 10  # Hanin & Rolnick: far below the maximum


def test_budget_highlights():
    summary = {"budgets": [25, 50], "depths": [1, 2], "results": [
        {"depth": 1, "params": 25, "error": 0.3}, {"depth": 1, "params": 49, "error": 0.1},
        {"depth": 2, "params": 22, "error": 0.2}, {"depth": 2, "params": 46, "error": 0.15}]}
    h = depth.budget_highlights(summary)
    assert [(x.budget, x.best_depth, x.best_error, x.shallow_error) for x in h] == [(25, 2, 0.2, 0.3),
                                                                                    (50, 1, 0.1, 0.1)]
    partial = {"budgets": [25, 50], "depths": [1, 2], "results": summary["results"][:1]}
    assert len(depth.budget_highlights(partial)) == 1
