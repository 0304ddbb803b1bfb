"""nnviz.topics.universal_approximation against theory (error bounds, least squares, autograd), and claim tests:
every sentence the page can show, checked against the result it is shown with across the settings."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
import scipy.linalg
import torch

from nnviz import activations
from nnviz.activations import Phi
from nnviz.format import number
from nnviz.topics import universal_approximation as ua

SIG, TANH, RELU = Phi("sigmoid"), Phi("tanh"), Phi("relu")


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
    net = ua.ShallowNet(rng.normal(size=7), rng.normal(size=7), rng.normal(size=7), 0.3, TANH)
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
    back = ua.ShallowNet(np.array(doc["w"]), np.array(doc["b"]), np.array(doc["v"]), doc["c"], Phi(doc["phi"]))
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
    np.testing.assert_allclose(net.positions(), -net.b / net.w)
    assert bumps.window == pytest.approx(2 * np.log(99) / 50.0, rel=1e-6)  # sigmoid: 1%..99% over z in ±ln 99
    # each pair is a bump of height f(mid): inside one sub-interval the network is ~1
    assert net(np.array([0.5]))[0] == pytest.approx(1.0, abs=1e-6)


def test_soft_steps_fail_and_steep_steps_succeed(problem):
    soft = ua.fit_error(ua.bump_construction(sin3, -1, 1, 64, steepness=10.0).net, problem).max_error
    steep = ua.fit_error(ua.bump_construction(sin3, -1, 1, 64, steepness=1e4).net, problem).max_error
    assert soft > 2 * steep


@pytest.mark.parametrize("phi", ["tanh", "step", "hard_sigmoid", "relu6"])
def test_bumps_work_with_any_step_like_activation(problem, phi):
    err = ua.fit_error(ua.bump_construction(sin3, -1, 1, 128, steepness=1e5, phi=Phi(phi)).net, problem).max_error
    assert err <= 0.5 * (2 / 64) * 3 * np.pi * 1.01


def test_step_shape_of_tanh_from_theory():
    shape = ua.step_shape(TANH)
    assert (shape.low, shape.high) == pytest.approx((-1.0, 1.0))
    assert shape.centre == pytest.approx(0.0, abs=1e-9)
    assert shape.window == pytest.approx(2 * np.arctanh(0.98), rel=1e-6)  # tanh climbs 1%..99% of its range
    assert not ua.is_step_like(RELU) and not ua.is_step_like(Phi("gaussian"))
    with pytest.raises(ValueError):
        ua.step_shape(RELU)


# ----------------------------------------------------------------------------------------------- least squares

def test_least_squares_residual_is_orthogonal_to_its_features():
    p = ua.make_problem(sin3, -1, 1, 200, noise=0.2, seed=1)
    hidden = ua.random_hidden(30, -1, 1, TANH, seed=2)
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
        nudged = ua.ShallowNet(ls.net.w, ls.net.b, ls.net.v + 1e-3 * rng.normal(size=30), ls.net.c, TANH)
        assert np.sum((nudged(p.x_train) - p.y_train) ** 2) > np.sum(r**2)


def test_least_squares_beats_the_construction_on_its_own_features(problem):
    bumps = ua.bump_construction(sin3, -1, 1, 32, steepness=1e3)
    ls = ua.least_squares_fit(bumps.net, problem.x_train, problem.y_train)
    assert ls.orthogonality < 1e-10  # even with duplicated and all-zero step columns
    assert ua.fit_error(ls.net, problem).train_mse <= ua.fit_error(bumps.net, problem).train_mse
    np.testing.assert_array_equal(ls.net.w, bumps.net.w)  # the hidden layer is kept


def test_least_squares_interpolates_when_n_exceeds_samples():
    p = ua.make_problem(sin3, -1, 1, 32, noise=0.1)
    ls = ua.least_squares_fit(ua.random_hidden(100, -1, 1, TANH, scale=3.0), p.x_train, p.y_train)
    np.testing.assert_allclose(ls.net(p.x_train), p.y_train, atol=1e-6)


# ----------------------------------------------------------------------------------------------- decomposition

def test_decomposition_is_bounded_and_sums_to_the_network(problem):
    net = ua.least_squares_fit(ua.random_hidden(500, -1, 1, SIG), problem.x_train, problem.y_train).net
    dec = ua.decomposition(net, problem.x_plot, max_curves=40)
    assert dec.curves.shape[0] == 40 and dec.curves.shape[1] <= ua.CURVE_POINTS
    assert set(dec.idx) == set(np.argsort(-np.abs(net.v))[:40])
    small = ua.relu_interpolation(sin3, -1, 1, 10)
    dec = ua.decomposition(small, problem.x_plot)
    np.testing.assert_allclose(dec.curves.sum(axis=0) + small.c, small(dec.x_curves), atol=1e-12)
    np.testing.assert_allclose(dec.total, small(problem.x_plot))


# ----------------------------------------------------------------------------------------------- training

def test_lm_jacobian_matches_autograd(problem):
    fit = ua.LMFit(problem, 6, SIG, seed=4)
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
    np.testing.assert_allclose(fit.jacobian(fit.theta)[0], J_auto, rtol=1e-10, atol=1e-12)


def test_levenberg_marquardt_reaches_the_benchmark_target(problem):
    """sin(3 pi x), 256 points, width 64, tanh: MSE <= 1e-4 (the benchmark's target) in a few seconds."""
    fit = ua.LMFit(problem, 64, TANH, max_steps=300, target_mse=1e-4, start=None, seed=0).run()
    assert fit.loss <= 1e-4 and fit.ended and fit.steps < 300, fit.status()
    assert ua.fit_error(fit.net(), problem).mse < 1e-3


def test_adam_reduces_the_loss_and_keeps_history_bounded(problem):
    fit = ua.AdamFit(problem, 32, TANH, lr=0.05, max_steps=400, seed=0)
    assert fit.model is None  # making a run builds nothing: the live panel makes one per settings change
    while not fit.done:
        fit.advance(0.05)
    loss = fit.history["mse"]
    assert fit.steps == 400 and fit.progress == 1.0 and fit.complete and "400 of 400" in fit.status()
    assert loss[-1] < 0.1 * loss[0] and len(loss) <= 1000
    net = fit.net()  # the torch weights, read back into the plain formula
    y_torch = fit.model(torch.as_tensor(problem.x_train)[:, None]).detach().numpy()[:, 0]
    np.testing.assert_allclose(net(problem.x_train), y_torch, rtol=1e-10, atol=1e-12)


def test_a_diverging_run_ends_with_a_reason(problem):
    fit = ua.AdamFit(problem, 8, RELU, lr=1e6, max_steps=2000).run()
    assert fit.done and (fit.ended and "diverged" in fit.status() or fit.loss > 1.0)


@pytest.mark.parametrize("kind", ["adam", "lm"])
def test_a_fit_is_the_same_however_its_time_is_sliced(problem, kind):
    """Fixed steps: the same settings give the same numbers whether run at once or in tiny slices of time."""
    def make():
        return (ua.AdamFit(problem, 16, TANH, lr=0.01, max_steps=60) if kind == "adam" else
                ua.LMFit(problem, 16, TANH, max_steps=15))
    whole = make().run()
    sliced = make()
    while not sliced.done:
        sliced.advance(1e-6)
    assert sliced.steps == whole.steps and not sliced.cut
    np.testing.assert_array_equal(sliced.net().v, whole.net().v)
    assert sliced.history["mse"] == whole.history["mse"]


def test_lm_refuses_wide_nets(problem):
    with pytest.raises(ValueError, match="limited"):
        ua.LMFit(problem, ua.LM_MAX_WIDTH + 1, TANH)


def test_one_lm_step_at_the_largest_setting_fits_in_a_tick(monkeypatch):
    """Issue 17: one step is ONE damped solve of a (3N+1)-square system, and at N = LM_MAX_WIDTH with the most
    samples its work fits the tick's training budget at the assumed rate (work counted, not timed)."""
    from nnviz.live import TICK_TRAIN_S

    p = ua.make_problem(np.sin, -1.0, 1.0, ua.MAX_SAMPLES)
    fit = ua.LMFit(p, ua.LM_MAX_WIDTH, TANH, max_steps=4, seed=0)
    sizes, products = [], []
    solve = fit._solve

    def counted(A, g):
        sizes.append(A.shape)
        return solve(A, g)

    monkeypatch.setattr(fit, "_solve", counted)
    jac = fit.jacobian

    def counted_jacobian(theta):
        J, r = jac(theta)
        products.append(J.shape)
        return J, r

    monkeypatch.setattr(fit, "jacobian", counted_jacobian)
    for k in range(1, 5):
        fit.run(1)
        assert len(sizes) == k, "one solve per step, however many trials are rejected"
    p_max = 3 * ua.LM_MAX_WIDTH + 1
    assert set(sizes) == {(p_max, p_max)} and all(s == (ua.MAX_SAMPLES, p_max) for s in products)
    assert len(products) <= len(sizes)  # J is formed only when a trial was taken
    work = ua.LMFit.step_flops(ua.MAX_SAMPLES, ua.LM_MAX_WIDTH)
    assert work <= TICK_TRAIN_S * ua.LM_FLOPS_PER_S
    assert ua.LMFit.step_flops(ua.MAX_SAMPLES, 2 * ua.LM_MAX_WIDTH) > TICK_TRAIN_S * ua.LM_FLOPS_PER_S, \
        "the cap is what keeps the work in budget: twice the width would not fit"


def test_a_rejected_lm_trial_is_a_step_that_raises_the_damping(problem):
    fit = ua.LMFit(problem, 8, TANH, max_steps=200, seed=0).run()
    losses = fit.history["mse"]
    assert all(b <= a for a, b in zip(losses, losses[1:], strict=False)), "the loss never rises"
    assert fit.ended or fit.steps == 200
    if fit.ended:
        assert fit.lam >= 1e12 or "reached" in fit.end_reason


def test_every_fit_says_its_caps_before_it_starts(problem):
    for fit in (ua.AdamFit(problem, 8, TANH, max_steps=500), ua.LMFit(problem, 8, TANH, max_steps=500)):
        status = fit.status()
        assert "500 steps" in status and f"{fit.max_seconds / 60:g} minutes" in status
        assert fit.max_seconds <= 600  # minutes, not hours


# -------------------------------------------------------------------------------- sweep, challenge, towers

def test_width_sweep_slopes_follow_theory(problem):
    sweep = ua.width_sweep(problem, SIG, widths=(16, 32, 64, 128, 256), train_steps=3)
    n = sweep.widths.astype(float)
    bumps = ua.BUMPS
    slope_b = np.polyfit(np.log(n), np.log(sweep.max_error[bumps]), 1)[0]
    slope_r = np.polyfit(np.log(n), np.log(sweep.max_error[ua.RELU_KNOTS]), 1)[0]
    assert slope_b == pytest.approx(-1.0, abs=0.15)
    assert slope_r == pytest.approx(-2.0, abs=0.1)
    assert np.all(sweep.max_error[ua.RELU_KNOTS] <= sweep.theory[ua.RELU_KNOTS] * (1 + 1e-9))
    assert np.all(sweep.max_error[bumps] <= sweep.theory[bumps] * 1.05)
    trained = ua.TRAINED
    assert np.isfinite(sweep.max_error[trained][:3]).all() and np.isnan(sweep.max_error[trained][3:]).all()


def test_width_sweep_draws_no_bound_for_a_jump():
    p = ua.make_problem(ua.TARGETS["step"].fn, -1, 1)
    assert ua.width_sweep(p, RELU, widths=(4, 8), train_steps=0).theory == {}


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
    lines = ua.bumps_latex(bumps, ua.step_shape(SIG), -1.0, 3 * np.pi, 0.29)
    text = " ".join(lines)
    assert "M = 32" in text and "0.0625" in text and r"\text{measured: }" in text and "= 0.29" in text
    assert any("0.295" in line and "0.0625" in line for line in lines)  # 1/2 * 0.0625 * 3 pi
    assert all(len(line) <= 120 for line in lines), "short lines: each fits a phone's width"


def test_evaluate_matches_separate_calls(problem):
    net = ua.relu_interpolation(sin3, -1, 1, 12)
    y_plot, y_dense, err = ua.evaluate(net, problem)
    np.testing.assert_allclose(y_plot, net(problem.x_plot), atol=1e-12)
    np.testing.assert_allclose(y_dense, net(problem.x_dense), atol=1e-12)
    ref = ua.fit_error(net, problem)
    assert (err.mse, err.max_error, err.train_mse) == pytest.approx((ref.mse, ref.max_error, ref.train_mse))
    assert err.mse > 1e-4  # 12 knots do not fit sin(3 pi x): the numbers compared are not zeros


def test_variable_projection_keeps_the_output_layer_optimal(problem):
    fit = ua.LMFit(problem, 8, TANH, start=ua.torch_initial_net(8, TANH), project=True, max_steps=5).run()
    best = ua.least_squares_fit(fit.net(), problem.x_train, problem.y_train).net
    assert fit.loss == pytest.approx(ua.fit_error(best, problem).train_mse, rel=1e-6, abs=1e-15)
    plain = ua.LMFit(problem, 8, TANH, start=ua.torch_initial_net(8, TANH), project=False, max_steps=5).run()
    assert fit.loss <= plain.loss


# ----------------------------------------------------------------------------------------------- issue 13: new facts

@pytest.mark.parametrize(("key", "z0"), [("sigmoid", 0.0), ("tanh", 0.0), ("relu6", 3.0), ("hard_sigmoid", 0.0),
                                         ("softsign", 0.0), ("relu", 0.0)])
def test_a_neuron_switches_where_phi_crosses_half_height(key, z0):
    """ReLU6's step sits at (3 - b)/w, not -b/w: at that x, phi(w x + b) is half-way between its limits."""
    phi = Phi(key)
    assert ua.switch_z(phi) == pytest.approx(z0, abs=1e-9)
    w, b = np.array([4.0]), np.array([-1.0])
    x = ua.ShallowNet(w, b, np.ones(1), 0.0, phi).positions()[0]
    assert x == pytest.approx((z0 - b[0]) / w[0])
    if ua.is_step_like(phi):
        lo, hi = phi.numpy(np.array([-1e6, 1e6]))
        assert phi.numpy(w * x + b)[0] == pytest.approx((lo + hi) / 2, abs=1e-9)


def test_relu6_bumps_put_their_steps_at_the_edges():
    bumps = ua.bump_construction(lambda x: 1 + 0 * x, 0, 1, 10, steepness=1e4, phi=Phi("relu6"))
    np.testing.assert_allclose(bumps.net.positions(), np.repeat(bumps.edges, 2)[1:-1], atol=1e-12)
    assert bumps.net(np.array([0.5]))[0] == pytest.approx(1.0, abs=1e-6)
    assert any("(3 − b)/w" not in line and "z_0 = 3" in line for line in
               ua.bumps_latex(bumps, ua.step_shape(Phi("relu6")), 0.0, 0.0, 0.0))
    assert "z₀ = 3" in ua.step_sentence(Phi("relu6")) and "−b/w" in ua.step_sentence(SIG)


def test_truncated_least_squares_against_scipy():
    """64 random sigmoid features on sin(3 pi x): the cut-off leaves a training MSE far above what every singular
    value gives (scipy.linalg.lstsq), and the page says so with both numbers."""
    p = ua.make_problem(sin3, -1, 1, 256)
    hidden = ua.random_hidden(64, -1, 1, SIG)
    kept = ua.least_squares_fit(hidden, p.x_train, p.y_train)
    full = ua.least_squares_fit(hidden, p.x_train, p.y_train, rcond=None)
    A = np.hstack([hidden.hidden(p.x_train), np.ones((256, 1))])
    coef = scipy.linalg.lstsq(A, p.y_train)[0]
    scipy_mse = float(np.mean((A @ coef - p.y_train) ** 2))
    e_kept, e_full = ua.fit_error(kept.net, p), ua.fit_error(full.net, p)
    assert e_full.train_mse == pytest.approx(scipy_mse, rel=0.5, abs=1e-18)
    assert e_kept.train_mse > 1e3 * e_full.train_mse and kept.rank < full.rank <= 65
    words = ua.truncation_sentence(kept)
    assert "truncated minimum-norm" in words and f"the {kept.rank} with" in words and "exact" not in words
    compare = ua.truncation_comparison(kept, full, e_kept, e_full)
    assert number(e_full.train_mse) in compare and number(e_kept.train_mse) in compare
    assert ("lower too" in compare) == (e_full.mse < e_kept.mse)
    assert "exact least-squares optimum" in ua.truncation_sentence(
        ua.least_squares_fit(ua.random_hidden(8, -1, 1, TANH), p.x_train, p.y_train))


def test_neurons_that_coincide_are_one_feature():
    """Nielsen's bumps share every inner step: the network evaluates each distinct (w, b) once, with their v summed,
    and gives the output of every neuron evaluated on its own."""
    p = ua.make_problem(sin3, -1, 1, 256)
    for width in (2, 7, 64, 1000):
        net = ua.bump_construction(p.f, -1, 1, width, 1000.0, SIG).net
        first, group = net.distinct()
        assert first.size == width // 2 + 1 + width % 2  # M bumps: M + 1 edges, and an odd N's idle neuron
        np.testing.assert_array_equal(net.w[first][group], net.w)
        np.testing.assert_array_equal(net.b[first][group], net.b)
        x = ua.grid(p)
        np.testing.assert_allclose(net(x), net.hidden(x) @ net.v + net.c, rtol=0, atol=1e-12)
    first, group = ua.random_hidden(50, -1, 1, SIG).distinct()  # no two random neurons coincide
    np.testing.assert_array_equal(first, np.arange(50))
    np.testing.assert_array_equal(group, np.arange(50))


def test_distinct_neurons_are_numpys_unique_pairs_in_order_of_appearance():
    """The sort that finds coinciding neurons agrees with np.unique on the (w, b) rows, groups numbered by their
    first neuron's position, on 200 random layers with many repeats."""
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(1, 60))
        w, b = rng.integers(0, 4, n).astype(float), rng.integers(0, 3, n).astype(float)
        first, group = ua.ShallowNet(w, b, np.zeros(n), 0.0, SIG).distinct()
        _, first_u, group_u = np.unique(np.stack([w, b], axis=1), axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first_u, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        np.testing.assert_array_equal(first, first_u[order])
        np.testing.assert_array_equal(group, rank[group_u.reshape(-1)])


@pytest.mark.parametrize("phi", [SIG, TANH, Phi("hard_tanh")], ids=lambda p: p.key)
@pytest.mark.parametrize("width", [5, 64, 1000])
def test_least_squares_on_coinciding_neurons_is_the_solve_on_all_of_them(phi, width):
    """Solved on the distinct features (scaled by the square root of their count), the truncated minimum-norm
    solution is LAPACK's on the whole matrix: same rank, same weights, shared evenly among a step's copies."""
    p = ua.make_problem(sin3, -1, 1, 256)
    net = ua.bump_construction(p.f, -1, 1, width, 1000.0, phi).net
    A = np.hstack([net.hidden(p.x_train), np.ones((256, 1))])
    coef, _, rank, _ = np.linalg.lstsq(A, p.y_train, rcond=ua.RCOND)
    ls = ua.least_squares_fit(net, p.x_train, p.y_train)
    assert ls.rank == rank
    np.testing.assert_allclose(np.append(ls.net.v, ls.net.c), coef, rtol=0, atol=1e-9 * np.abs(coef).max())
    _, group = net.distinct()
    for g in np.unique(group):
        assert np.ptp(ls.net.v[group == g]) <= 1e-12 * np.abs(ls.net.v).max()
    # keeping every singular value: exact copies add no direction of their own (LAPACK's rounding may show one)
    assert ua.least_squares_fit(net, p.x_train, p.y_train, rcond=None).rank <= np.unique(group).size + 1


def test_a_steep_sigmoids_tiny_features_solve_as_zeros():
    """Features of ~1e-304 (a steep sigmoid far from its step) are solved as 0, which changes nothing measurable."""
    p = ua.make_problem(sin3, -1, 1, 256)
    net = ua.random_hidden(200, -1, 1, SIG, scale=300.0)
    H = net.hidden(p.x_train)
    assert ((H > 0) & (H < 1e-200)).mean() > 0.1  # the case: many features far below any cut
    ls = ua.least_squares_fit(net, p.x_train, p.y_train)
    A = np.hstack([H, np.ones((256, 1))])
    coef, _, rank, _ = np.linalg.lstsq(A, p.y_train, rcond=ua.RCOND)
    assert ls.rank == rank
    np.testing.assert_allclose(np.append(ls.net.v, ls.net.c), coef, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------------------------- claim tests

ALL_PHI = [Phi(k) for k in activations.names()]


@pytest.mark.parametrize("phi", ALL_PHI, ids=lambda p: p.key)
def test_phi_warning_and_construction_notes_say_which_phi_each_curve_uses(phi):
    warning = ua.phi_warning(phi)
    assert bool(warning) == (not phi.spec.universal)
    for method in ("bumps", "relu"):
        used = ua.construction_phi(method, phi)
        note = ua.construction_note(method, phi)
        assert bool(note) == (used != phi)
        if note:
            assert used.label in note and phi.label in note
        if method == "bumps":
            assert ua.is_step_like(used)
    if warning:  # what it says of a non-universal phi holds: least squares on its features is a straight line
        p = ua.make_problem(sin3, -1, 1, 128)
        y = ua.least_squares_fit(ua.random_hidden(64, -1, 1, phi), p.x_train, p.y_train).net(p.x_dense)
        assert np.abs(np.diff(y, 2)).max() < 1e-9 and "straight line" in warning
        assert "sigmoid steps" in warning and ua.construction_phi("bumps", phi) == SIG


def test_a_few_construction_takeaways_are_true_of_their_results():
    """The everyday tier's sample of the sweep below: one sharp, one soft, one jump."""
    for target, method, width, log_w in (("sin", "bumps", 64, 3.0), ("sin", "bumps", 64, 1.0), ("step", "relu", 64, 0)):
        test_construction_takeaway_is_true_of_its_result(target, method, width, log_w)


CONSTRUCT_CASES = [(t, m, n, w) for t in ("sin", "abs", "step", "nielsen", "sawtooth") for m in ("bumps", "relu")
                   for n in (2, 3, 64, 1000) for w in (1.0, 3.0, 5.0)]


@pytest.mark.slow
@pytest.mark.parametrize(("target", "method", "width", "log_w"), CONSTRUCT_CASES)
def test_construction_takeaway_is_true_of_its_result(target, method, width, log_w):
    t = ua.TARGETS[target]
    a, b = t.interval
    p = ua.make_problem(t.fn, a, b, 256)
    d1, d2 = ua.derivative_bounds(t.fn, a, b)
    if method == "bumps":
        bumps = ua.bump_construction(t.fn, a, b, width, 10**log_w, SIG)
        error, bound, soft = ua.fit_error(bumps.net, p), ua.bumps_bound(bumps, d1), bumps.soft
        assert bool(ua.soft_steps_warning(bumps)) == soft
    else:
        error, soft = ua.fit_error(ua.relu_interpolation(t.fn, a, b, width), p), False
        bound = ua.relu_bound(a, b, width, d2)
    words = ua.construct_takeaway(method, error, bound, t.continuous, soft)
    assert number(error.max_error) in words
    if "within the bound" in words:
        assert error.max_error <= bound * 1.01
    if "any continuous curve" in words:
        assert t.continuous and not soft
    if not t.continuous:
        assert "jumps" in words and error.max_error > 0.3


@pytest.mark.slow
@pytest.mark.parametrize("hidden", ["constructed", "random"])
@pytest.mark.parametrize(("width", "phi"), [(2, SIG), (64, SIG), (1000, TANH), (64, Phi("linear")), (16, RELU)])
def test_solve_takeaway_is_true_of_its_result(hidden, width, phi):
    p = ua.make_problem(sin3, -1, 1, 128, noise=0.05)
    construction = ua.bump_construction(sin3, -1, 1, width, 1e3, ua.construction_phi("bumps", phi))
    base = construction.net if hidden == "constructed" else ua.random_hidden(width, -1, 1, phi)
    ls = ua.least_squares_fit(base, p.x_train, p.y_train)
    error, c_error = ua.fit_error(ls.net, p), ua.fit_error(construction.net, p)
    words = ua.solve_takeaway(hidden, phi, width, error, c_error if hidden == "constructed" else None, 2.0)
    if "lowers the training MSE" in words:
        assert error.train_mse <= c_error.train_mse
    if "Random neurons work too" in words:
        assert error.max_error <= 0.1
    if "more neurons" in words:
        assert error.max_error > 0.1
    ortho = ua.orthogonality_sentence(ls)
    assert ("as at an optimum" in ortho) == (ls.orthogonality < 1e-8)


def test_train_takeaway_compares_what_it_says():
    good, bad = ua.FitError(1e-6, 1e-3, 1e-6), ua.FitError(1e-2, 0.3, 1e-2)
    assert "Press **Train**" in ua.train_takeaway("Adam", SIG, 0, None, {"x": good}, False)
    below = ua.train_takeaway("Adam", SIG, 10, good, {"least squares": bad}, False)
    above = ua.train_takeaway("Adam", SIG, 10, bad, {"least squares": good}, False)
    assert "below the least squares fit" in below and "not yet below" in above
    assert "nothing is concluded" in ua.train_takeaway("Adam", SIG, 10, good, {"x": bad}, True)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["sin", "abs", "step", "nielsen"])
@pytest.mark.parametrize("phi", [SIG, RELU, Phi("linear")], ids=lambda p: p.key)
def test_sweep_sentences_follow_the_measured_slopes(target, phi):
    t = ua.TARGETS[target]
    p = ua.make_problem(t.fn, *t.interval, 256)
    sweep = ua.width_sweep(p, phi, widths=(4, 16, 64, 256), train_steps=2, train_max_width=16)
    caption, takeaway = ua.sweep_sentences(sweep)
    for key, name in ((ua.BUMPS, "bumps' maximum error"), (ua.RELU_KNOTS, "ReLU interpolation's")):
        slope = ua.loglog_slope(sweep.widths, sweep.max_error[key])
        part = takeaway.split(name, 1)[1].split(";")[0].split(".")[0]
        if "halving" in part:
            assert -1.4 < slope <= -0.3
        if "quartering" in part:
            assert slope <= -1.4
        if "hardly falls" in part:
            assert slope > -0.3
    i = 1  # N = 16 is the widest trained here
    trained, others = sweep.max_error[ua.TRAINED][i], [sweep.max_error[k][i] for k in (ua.BUMPS, ua.RELU_KNOTS,
                                                                                        ua.RANDOM_LS)]
    if "no more than" in caption:  # (the check used to read this as "more than" too)
        assert trained <= min(others)
    elif "more than" in caption:
        assert trained > min(others)
    assert (ua.construction_phi("bumps", phi).label + " steps") in sweep.names[ua.BUMPS]
    assert phi.label in sweep.names[ua.RANDOM_LS] and phi.label in sweep.names[ua.TRAINED]


def test_sweep_run_fills_cell_by_cell_and_equals_the_whole_sweep(problem):
    run = ua.SweepRun(problem, SIG, widths=(4, 16, 64), train_steps=2, train_max_width=16)
    assert run.max_steps == 3 * 3 + 2 * 2  # three methods at three widths, two LM steps at each trained width
    run.run(4)
    part = run.result()
    assert np.isfinite(part.max_error[ua.BUMPS]).all() and np.isfinite(part.max_error[ua.RELU_KNOTS]).sum() == 1
    run.run()
    whole = ua.width_sweep(problem, SIG, widths=(4, 16, 64), train_steps=2, train_max_width=16)
    for k in whole.max_error:
        np.testing.assert_array_equal(run.result().max_error[k], whole.max_error[k])


TOWER_CASES = [(t, k, w) for t in ua.TARGETS_2D for k in (1, 2, 8, 16, 20) for w in (10.0, 50.0, 200.0, 500.0)]


@pytest.mark.slow
@pytest.mark.parametrize(("target", "k", "w"), TOWER_CASES)
def test_tower_sentences_are_true_of_their_result(target, k, w):
    t = ua.towers(target, k, w)
    warning, caption, takeaway = ua.towers_sentences(t)
    span = float(np.ptp(t.target))
    assert bool(warning) == (t.peak < 1.5 or t.soft)
    assert number(t.max_error) in caption
    if "no tower switches on" in caption:
        assert t.peak < 1.5 and np.abs(t.output).max() < 0.05
    if "where four towers meet: there" in caption:
        assert t.worst_near == 2 and t.max_error_off <= t.max_error and number(t.max_error_off) in caption
    if "cover the whole surface" in caption:
        assert np.isnan(t.max_error_off) and t.corner.all()
    if "follow f within" in takeaway:
        assert t.max_error_off <= ua.CLOSE_SHARE * span and t.peak >= 1.5
        assert "any continuous surface" in takeaway
    else:
        assert takeaway.startswith("Not close yet")


def test_soft_towers_collapse_with_a_warning_and_sharp_ones_do_not():
    """K = 20, w = 10: every tower stays off (the old page said nothing); the default K = 16, w = 200 fits."""
    soft = ua.towers("gauss", 20, 10.0)
    assert np.abs(soft.output).max() < 0.01 and "every tower stays off" in ua.towers_sentences(soft)[0]
    sharp = ua.towers("gauss", 16, 200.0)
    warning, caption, takeaway = ua.towers_sentences(sharp)
    assert not warning and sharp.max_error > 0.9 and "four towers meet" in caption  # the max error's corner
    assert sharp.max_error_off < 0.1 and "follow f within" in takeaway


# ----------------------------------------------------------------------------------------------- stored defaults

def _same(stored, live, path="result"):
    """Stored and live results agree: the same types and words, arrays and numbers to 1e-9 relative."""
    from dataclasses import fields, is_dataclass

    numbers = (int, float, np.number)
    if isinstance(live, numbers) and not isinstance(live, bool):  # a float or numpy's: the same in JSON
        assert isinstance(stored, numbers) and stored == pytest.approx(live, rel=1e-9, abs=1e-12, nan_ok=True), path
        return
    assert type(stored) is type(live), path
    if is_dataclass(live) and not isinstance(live, Phi):
        for f in fields(live):
            _same(getattr(stored, f.name), getattr(live, f.name), f"{path}.{f.name}")
    elif isinstance(live, np.ndarray):
        assert stored.dtype == live.dtype and stored.shape == live.shape, path
        np.testing.assert_allclose(stored, live, rtol=1e-9, atol=1e-12, err_msg=path)
    elif isinstance(live, dict):
        assert sorted(stored) == sorted(live), path  # order aside: the tests validate figures, which sorts keys
        for k in live:
            if k != "template":  # plotly's default template depends on import order (see the page test)
                _same(stored[k], live[k], f"{path}[{k!r}]")
    elif isinstance(live, (list, tuple)):
        assert len(stored) == len(live), path
        for i, (s, x) in enumerate(zip(stored, live, strict=True)):
            _same(s, x, f"{path}[{i}]")
    else:
        assert stored == live, path


@pytest.mark.parametrize("name", ["construct", "solve", "comparison"])
def test_stored_defaults_equal_a_live_computation(monkeypatch, name):
    """The page's first visit shows nnviz/data's stored view: it must be what the view computes at those settings
    (rerun benchmarks/precompute_universal_approximation.py after changing the maths or a figure)."""
    from nnviz.views import universal_approximation as views

    settings = views.DEFAULTS[name]
    stored = views.stored(name, settings)
    assert stored is not None, "the stored defaults are missing or were computed with other settings"
    monkeypatch.setattr(views, "USE_STORED", False)
    live = views.COMPUTE[name](*settings)
    _same(stored, live)
    assert views.stored(name, settings) is None  # switched off, every view computes
    monkeypatch.setattr(views, "USE_STORED", True)
    assert views.stored(name, (*settings[:-1], 1)) is None  # other settings are computed, never stored ones


def test_stored_results_round_trip_exactly():
    from nnviz.views import universal_approximation as views

    net = ua.ShallowNet(np.array([1.5, -2.0]), np.array([0.1, np.nan]), np.array([1e-300, 3.0]), 0.5,
                        Phi("leaky_relu", alpha=0.2))
    arrays: list[str] = []
    doc = json.loads(json.dumps(views.encode({"net": net, "pair": (1, "a"), "n": np.int64(3)}, arrays)))
    back = views.decode(doc, arrays)
    assert back["pair"] == (1, "a") and back["n"] == 3 and back["net"].phi == net.phi
    for f in ("w", "b", "v"):
        np.testing.assert_array_equal(getattr(back["net"], f), getattr(net, f))  # NaN and 1e-300 kept bit for bit
    with pytest.raises(AssertionError):
        _same(views.decode(doc, arrays)["net"], replace(net, v=np.array([1e-300, 3.0 + 1e-6])))
