"""nnviz.approximation against theory: error bounds, least-squares optimality, autograd, and training."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from nnviz import activations
from nnviz import approximation as ua


def sin3(x):
    return np.sin(3 * np.pi * x)


@pytest.fixture(scope="module")
def problem():
    return ua.make_problem(sin3, -1.0, 1.0, n_samples=256)


# ----------------------------------------------------------------------------------------------- targets, problems

def test_menu_targets_evaluate_and_match_their_definitions():
    x = np.linspace(-1, 1, 101)
    np.testing.assert_allclose(ua.TARGETS["sin"].fn(x), np.sin(3 * np.pi * x))
    np.testing.assert_allclose(ua.TARGETS["nielsen"].fn(x),
                               0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x))
    tri = ua.TARGETS["sawtooth"].fn(np.array([0.0, 0.125, 0.25, 0.5]))
    np.testing.assert_allclose(tri, [-1.0, 0.0, 1.0, -1.0])
    assert ua.TARGETS["step"].fn(np.array([-0.1, 0.1])).tolist() == [0.0, 1.0]
    for t in ua.TARGETS.values():
        assert np.all(np.isfinite(t.fn(np.linspace(*t.interval, 501))))


def test_formula_target_uses_the_safe_parser():
    f = ua.target_function(ua.FORMULA, "x**2 + 1")
    np.testing.assert_allclose(f(np.array([2.0])), [5.0])
    with pytest.raises(ValueError):
        ua.target_function(ua.FORMULA, "__import__('os')")


def test_non_finite_target_is_refused_in_words():
    with pytest.raises(ValueError, match="not a finite number.*x = "):
        ua.make_problem(ua.target_function(ua.FORMULA, "log(x)"), -1, 1)
    with pytest.raises(ValueError, match="reaches"):
        ua.make_problem(ua.target_function(ua.FORMULA, "exp(100*x)"), -1, 1)
    p = ua.make_problem(ua.target_function(ua.FORMULA, "sqrt(x)"), 0, 1)  # nan only beyond [a, b]: fine
    assert np.isnan(p.y_plot[0]) and np.all(np.isfinite(p.y_dense))


def test_noise_only_touches_the_samples():
    p = ua.make_problem(sin3, -1, 1, 200, noise=0.1, seed=3)
    resid = p.y_train - sin3(p.x_train)
    assert 0.07 < resid.std() < 0.13
    np.testing.assert_allclose(p.y_dense, sin3(p.x_dense))


def test_derivative_bounds_match_calculus():
    d1, d2 = ua.derivative_bounds(sin3, -1, 1)
    assert d1 == pytest.approx(3 * np.pi, rel=1e-3)
    assert d2 == pytest.approx(9 * np.pi**2, rel=1e-3)
    assert ua.derivative_bounds(np.abs, -1, 1)[1] == math.inf  # a corner: no second derivative
    assert ua.derivative_bounds(lambda x: (x > 0).astype(float), -1, 1)[0] == math.inf  # a jump


# ----------------------------------------------------------------------------------------------- the network

def test_shallow_net_matches_a_torch_mlp():
    rng = np.random.default_rng(0)
    net = ua.ShallowNet(rng.normal(size=7), rng.normal(size=7), rng.normal(size=7), 0.3, "tanh")
    model = torch.nn.Sequential(torch.nn.Linear(1, 7).double(), torch.nn.Tanh(), torch.nn.Linear(7, 1).double())
    with torch.no_grad():
        model[0].weight[:, 0] = torch.as_tensor(net.w)
        model[0].bias[:] = torch.as_tensor(net.b)
        model[2].weight[0] = torch.as_tensor(net.v)
        model[2].bias[0] = net.c
    x = np.linspace(-2, 2, 50)
    expected = model(torch.as_tensor(x)[:, None]).detach().numpy()[:, 0]
    np.testing.assert_allclose(net(x), expected, rtol=1e-12)
    idx = np.array([1, 4])
    np.testing.assert_allclose(net.contributions(x, idx), net.v[idx, None] * np.tanh(np.outer(net.w[idx], x)
                                                                                      + net.b[idx, None]))


def test_weights_round_trip_through_json():
    net = ua.relu_interpolation(sin3, -1, 1, 8)
    doc = json.loads(net.to_json(method="relu"))
    back = ua.ShallowNet(np.array(doc["w"]), np.array(doc["b"]), np.array(doc["v"]), doc["c"], doc["phi"])
    x = np.linspace(-1, 1, 33)
    np.testing.assert_allclose(back(x), net(x))
    assert doc["method"] == "relu" and doc["width"] == 8


# ----------------------------------------------------------------------------------------------- constructions

@pytest.mark.parametrize("width", [4, 16, 64, 256])
def test_relu_interpolant_meets_its_error_bound_and_interpolates(problem, width):
    net = ua.relu_interpolation(sin3, -1, 1, width)
    h = 2 / width
    knots = -1 + h * np.arange(width + 1)
    np.testing.assert_allclose(net(knots), sin3(knots), atol=1e-12)
    err = ua.fit_error(net, problem).max_error
    bound = h**2 * 9 * np.pi**2 / 8
    assert err <= bound * (1 + 1e-9)
    if width >= 16:
        assert err >= 0.5 * bound  # the bound is tight for sin once h is small (the error is really measured)


def test_relu_interpolation_error_falls_as_one_over_n_squared(problem):
    e1 = ua.fit_error(ua.relu_interpolation(sin3, -1, 1, 64), problem).max_error
    e2 = ua.fit_error(ua.relu_interpolation(sin3, -1, 1, 128), problem).max_error
    assert e1 / e2 == pytest.approx(4.0, rel=0.05)


def test_bump_construction_error_falls_as_n_grows_within_its_bound(problem):
    errors = []
    for width in (8, 32, 128, 512):
        bumps = ua.bump_construction(sin3, -1, 1, width, steepness=1e6)
        err = ua.fit_error(bumps.net, problem).max_error
        assert err <= 0.5 * bumps.h * 3 * np.pi * 1.01
        errors.append(err)
    assert all(a > b for a, b in zip(errors, errors[1:], strict=False))
    assert errors[0] / errors[-1] > 30  # roughly 1/N: 64x more neurons, ~64x smaller error


def test_bumps_are_steps_at_minus_b_over_w():
    bumps = ua.bump_construction(lambda x: 1 + 0 * x, 0, 1, 10, steepness=50.0)
    net = bumps.net
    np.testing.assert_allclose(-net.b / net.w, np.repeat(bumps.edges, 2)[1:-1])
    assert bumps.window == pytest.approx(2 * np.log(99) / 50.0, rel=1e-6)  # sigmoid: 1%..99% over z in ±ln 99
    # each pair is a bump of height f(mid): inside one sub-interval the network is ~1
    assert net(np.array([0.5]))[0] == pytest.approx(1.0, abs=1e-6)


def test_soft_steps_fail_and_steep_steps_succeed(problem):
    soft = ua.fit_error(ua.bump_construction(sin3, -1, 1, 64, steepness=10.0).net, problem).max_error
    steep = ua.fit_error(ua.bump_construction(sin3, -1, 1, 64, steepness=1e4).net, problem).max_error
    assert soft > 2 * steep


@pytest.mark.parametrize("phi", ["tanh", "step", "hard_sigmoid", "relu6"])
def test_bumps_work_with_any_step_like_activation(problem, phi):
    err = ua.fit_error(ua.bump_construction(sin3, -1, 1, 128, steepness=1e5, phi=phi).net, problem).max_error
    assert err <= 0.5 * (2 / 64) * 3 * np.pi * 1.01


def test_step_shape_of_tanh_from_theory():
    shape = ua.step_shape("tanh")
    assert (shape.low, shape.high) == pytest.approx((-1.0, 1.0))
    assert shape.centre == pytest.approx(0.0, abs=1e-9)
    assert shape.window == pytest.approx(2 * np.arctanh(0.98), rel=1e-6)  # tanh climbs 1%..99% of its range
    assert not ua.is_step_like("relu") and not ua.is_step_like("gaussian")
    with pytest.raises(ValueError):
        ua.step_shape("relu")


# ----------------------------------------------------------------------------------------------- least squares

def test_least_squares_residual_is_orthogonal_to_its_features():
    p = ua.make_problem(sin3, -1, 1, 200, noise=0.2, seed=1)
    hidden = ua.random_hidden(30, -1, 1, "tanh", seed=2)
    ls = ua.least_squares_fit(hidden, p.x_train, p.y_train)
    A = np.hstack([hidden.hidden(p.x_train), np.ones((200, 1))])
    r = p.y_train - ls.net(p.x_train)
    np.testing.assert_allclose(r, ls.residual, atol=1e-10)
    assert np.linalg.norm(r) > 1.0  # a real residual (noise), not a trivially zero one
    cos = np.abs(A.T @ r) / (np.linalg.norm(A, axis=0) * np.linalg.norm(r))
    assert cos.max() < 1e-7  # the normal equations A^T r = 0, to float64 precision
    assert ls.orthogonality < 1e-8
    # and it is the optimum: nudging any output weight increases the squared error
    rng = np.random.default_rng(0)
    for _ in range(5):
        nudged = ua.ShallowNet(ls.net.w, ls.net.b, ls.net.v + 1e-3 * rng.normal(size=30), ls.net.c, "tanh")
        assert np.sum((nudged(p.x_train) - p.y_train) ** 2) > np.sum(r**2)


def test_least_squares_beats_the_construction_on_its_own_features(problem):
    bumps = ua.bump_construction(sin3, -1, 1, 32, steepness=1e3)
    ls = ua.least_squares_fit(bumps.net, problem.x_train, problem.y_train)
    assert ls.orthogonality < 1e-10  # even with duplicated and all-zero step columns
    assert ua.fit_error(ls.net, problem).train_mse <= ua.fit_error(bumps.net, problem).train_mse
    np.testing.assert_array_equal(ls.net.w, bumps.net.w)  # the hidden layer is kept


def test_least_squares_interpolates_when_n_exceeds_samples():
    p = ua.make_problem(sin3, -1, 1, 32, noise=0.1)
    ls = ua.least_squares_fit(ua.random_hidden(100, -1, 1, "tanh", scale=3.0), p.x_train, p.y_train)
    np.testing.assert_allclose(ls.net(p.x_train), p.y_train, atol=1e-6)


# ----------------------------------------------------------------------------------------------- decomposition

def test_decomposition_is_bounded_and_sums_to_the_network(problem):
    net = ua.least_squares_fit(ua.random_hidden(500, -1, 1, "sigmoid"), problem.x_train, problem.y_train).net
    dec = ua.decomposition(net, problem.x_plot, max_curves=40)
    assert dec.curves.shape[0] == 40 and dec.curves.shape[1] <= ua.CURVE_POINTS
    assert set(dec.idx) == set(np.argsort(-np.abs(net.v))[:40])
    small = ua.relu_interpolation(sin3, -1, 1, 10)
    dec = ua.decomposition(small, problem.x_plot)
    np.testing.assert_allclose(dec.curves.sum(axis=0) + small.c, small(dec.x_curves), atol=1e-12)
    np.testing.assert_allclose(dec.total, small(problem.x_plot))


# ----------------------------------------------------------------------------------------------- training

def test_lm_jacobian_matches_autograd(problem):
    fit = ua.LMFit(problem, 6, "sigmoid", seed=4)
    theta = torch.tensor(fit.theta, requires_grad=True)
    x = torch.as_tensor(problem.x_train)

    def out(t):
        w, b, v, c = t[:6], t[6:12], t[12:18], t[18]
        return torch.sigmoid(x[:, None] * w + b) @ v + c

    J_auto = torch.autograd.functional.jacobian(out, theta).numpy()
    w, b, v, _ = fit._unpack(fit.theta)
    z = np.multiply.outer(problem.x_train, w) + b
    D = activations.dphi("sigmoid", z) * v
    J = np.hstack([D * problem.x_train[:, None], D, activations.phi("sigmoid", z), np.ones((z.shape[0], 1))])
    np.testing.assert_allclose(J, J_auto, rtol=1e-10, atol=1e-12)


def test_levenberg_marquardt_reaches_the_benchmark_target(problem):
    """sin(3 pi x), 256 points, width 64, tanh: MSE <= 1e-4 (the benchmark's target) in a few seconds."""
    fit = ua.LMFit(problem, 64, "tanh", max_steps=300, target_mse=1e-4, start=None, seed=0)
    ua.fit_to_mse(fit, max_seconds=20)
    assert fit.run.loss <= 1e-4, fit.status()
    assert ua.fit_error(fit.net(), problem).mse < 1e-3


def test_adam_reduces_the_loss_and_keeps_history_bounded(problem):
    fit = ua.AdamFit(problem, 32, "tanh", lr=0.05, max_steps=400, seed=0)
    first = None
    while not fit.done:
        fit.advance(0.05)
        first = first if first is not None else fit.history[1][0]
    steps, loss = fit.history
    assert fit.steps == 400 and fit.progress == 1.0 and "step limit" in fit.status()
    assert loss[-1] < 0.1 * first
    net = fit.net()  # the torch weights, read back into the plain formula
    y_torch = fit.model(torch.as_tensor(problem.x_train)[:, None]).detach().numpy()[:, 0]
    np.testing.assert_allclose(net(problem.x_train), y_torch, rtol=1e-10, atol=1e-12)


def test_a_diverging_run_stops_with_a_message(problem):
    fit = ua.AdamFit(problem, 8, "relu", lr=1e6, max_steps=2000)
    fit.advance(1.0)
    assert fit.done and fit.steps < 2000 or fit.run.loss > 1.0


def test_lm_refuses_wide_nets(problem):
    with pytest.raises(ValueError, match="limited"):
        ua.LMFit(problem, ua.LM_MAX_WIDTH + 1)


# -------------------------------------------------------------------------------- sweep, challenge, towers

def test_width_sweep_slopes_follow_theory(problem):
    sweep = ua.width_sweep(problem, "sigmoid", widths=(16, 32, 64, 128, 256), train_steps=3)
    n = sweep.widths.astype(float)
    bumps = next(k for k in sweep.max_error if k.startswith("bumps"))
    slope_b = np.polyfit(np.log(n), np.log(sweep.max_error[bumps]), 1)[0]
    slope_r = np.polyfit(np.log(n), np.log(sweep.max_error["ReLU interpolation"]), 1)[0]
    assert slope_b == pytest.approx(-1.0, abs=0.15)
    assert slope_r == pytest.approx(-2.0, abs=0.1)
    assert np.all(sweep.max_error["ReLU interpolation"] <= sweep.theory["ReLU interpolation"] * (1 + 1e-9))
    assert np.all(sweep.max_error[bumps] <= sweep.theory[bumps] * 1.05)
    trained = next(k for k in sweep.max_error if k.startswith("trained"))
    assert np.isfinite(sweep.max_error[trained][:3]).all() and np.isnan(sweep.max_error[trained][3:]).all()


def test_width_sweep_draws_no_bound_for_a_jump():
    p = ua.make_problem(ua.TARGETS["step"].fn, -1, 1)
    assert ua.width_sweep(p, "relu", widths=(4, 8), train_steps=0).theory == {}


def test_challenge_scores_and_best_heights():
    best = ua.challenge((0.5,) * 5)
    ideal = ua.challenge(tuple(best.best_heights))
    assert ideal.rmse == pytest.approx(best.best_rmse, rel=1e-9) and ideal.success
    assert not best.success and best.rmse > best.threshold
    x = np.linspace(0, 1, 401)
    mids = [np.mean(ua._nielsen(x[(x > j / 5) & (x < (j + 1) / 5)])) for j in range(5)]
    np.testing.assert_allclose(best.best_heights, mids, atol=0.02)  # least-squares heights ~ interval means
    assert ideal.net.width == 10


def test_towers_remove_plateaus_and_converge():
    t = ua.towers("gauss", 10)
    assert t.n_layer1 == 22 and t.n_layer2 == 100
    assert t.single.max() == pytest.approx(1.0, abs=0.01)
    assert t.single_plateau.max() == pytest.approx(2.0, abs=0.01)
    # on an arm of the cross (one bump on, the other off) the plateau is 1, the tower ~0
    g = t.x
    centre = np.argmin(np.abs(g - (-1 + 0.2 * (5 + 0.5))))
    arm = np.argmin(np.abs(g - 0.9))
    assert t.single_plateau[arm, centre] == pytest.approx(1.0, abs=0.02)
    assert t.single[arm, centre] < 0.01
    assert ua.towers("gauss", 16).max_error < ua.towers("gauss", 4).max_error


def test_latex_cards_carry_the_numbers():
    bumps = ua.bump_construction(sin3, -1, 1, 64, 1000.0)
    lines = ua.bumps_latex(bumps, ua.step_shape("sigmoid"), -1.0, 3 * np.pi, 0.29)
    assert "M = 32" in lines[1] and "0.0625" in lines[1] and "0.29" in lines[2]
    assert "0.2945" in lines[2]  # 1/2 * 0.0625 * 3 pi
    assert ua.tex_number(1.5e-7) == r"1.5\times 10^{-7}"


def test_evaluate_matches_separate_calls(problem):
    net = ua.relu_interpolation(sin3, -1, 1, 12)
    y_plot, y_dense, err = ua.evaluate(net, problem)
    np.testing.assert_allclose(y_plot, net(problem.x_plot), atol=1e-12)
    np.testing.assert_allclose(y_dense, net(problem.x_dense), atol=1e-12)
    ref = ua.fit_error(net, problem)
    assert (err.mse, err.max_error, err.train_mse) == pytest.approx((ref.mse, ref.max_error, ref.train_mse))
    assert err.mse > 1e-4  # 12 knots do not fit sin(3 pi x): the numbers compared are not zeros


def test_variable_projection_keeps_the_output_layer_optimal(problem):
    fit = ua.LMFit(problem, 8, "tanh", start=ua.torch_initial_net(8, "tanh"), project=True, max_steps=5,
                   target_mse=0.0)
    ua.fit_to_mse(fit, max_seconds=10)
    net = fit.net()
    best = ua.least_squares_fit(net, problem.x_train, problem.y_train).net
    assert fit._loss == pytest.approx(ua.fit_error(best, problem).train_mse, rel=1e-6, abs=1e-15)
    plain = ua.LMFit(problem, 8, "tanh", start=ua.torch_initial_net(8, "tanh"), project=False, max_steps=5,
                     target_mse=0.0)
    ua.fit_to_mse(plain, max_seconds=10)
    assert fit._loss <= plain._loss
