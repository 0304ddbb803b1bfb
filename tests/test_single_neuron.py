"""The single neuron against theory and torch autograd, and every sentence of its page against its result."""

from __future__ import annotations

import itertools
import math
import zlib

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from nnviz import activations
from nnviz.activations import Phi
from nnviz.datasets import logic_gate, two_blobs
from nnviz.figures import style
from nnviz.topics import single_neuron as sn
from nnviz.views import single_neuron as views

RNG = np.random.default_rng(7)
PHIS = [Phi(k) for k in activations.names()]


def test_pre_activation_is_weighted_sum_plus_bias():
    x, w, b = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -4.0]), 0.7
    assert sn.pre_activation(x, w, b) == pytest.approx(0.3 - 0.2 - 2.0 + 0.7)
    X = RNG.normal(size=(6, 3))
    np.testing.assert_allclose(sn.pre_activation(X, w, b), [sum(r * w) + b for r in X])


@pytest.mark.parametrize("trial", range(20))
def test_boundary_geometry(trial):
    w = RNG.normal(size=2) * 2
    c = RNG.normal() * 1.5
    lim = 3.0
    bnd = sn.boundary(w, c, lim)
    norm = np.linalg.norm(w)
    assert bnd.distance == pytest.approx(-c / norm)
    # the foot is on the line and parallel to w (so the line is perpendicular to w)
    assert w @ bnd.foot + c == pytest.approx(0, abs=1e-9)
    assert abs(w[0] * bnd.foot[1] - w[1] * bnd.foot[0]) < 1e-9
    # signed: positive exactly when the line lies on the side w points to
    assert np.sign(bnd.foot @ w) == np.sign(bnd.distance) or abs(c) < 1e-12
    if abs(c / norm) < lim:  # the line certainly crosses the square
        assert bnd.start is not None
    if bnd.start is not None:
        for end in (bnd.start, bnd.end):
            assert w @ end + c == pytest.approx(0, abs=1e-9)
            assert np.max(np.abs(end)) == pytest.approx(lim)  # clipped exactly at the box
        # the arrow starts on the visible segment, inside the box
        assert w @ bnd.anchor + c == pytest.approx(0, abs=1e-9)
        assert np.max(np.abs(bnd.anchor)) <= lim + 1e-9


def test_arrow_stays_inside_when_the_foot_is_outside_the_box():
    w, lim = np.array([1.0, 0.05]), 3.0
    c = -(w @ np.array([2.95, 2.9]))  # the line crosses the box near a corner; its foot is at x1 ~ 3.09
    bnd = sn.boundary(w, c, lim)
    assert np.max(np.abs(bnd.foot)) > lim and bnd.start is not None
    assert np.max(np.abs(bnd.anchor)) <= lim + 1e-9


def test_boundary_without_bias_passes_through_origin():
    bnd = sn.boundary(np.array([1.3, -0.4]), 0.0, 2.0)
    np.testing.assert_allclose(bnd.foot, 0.0, atol=1e-12)
    assert bnd.distance == 0


def test_boundary_with_zero_weights_does_not_exist():
    bnd = sn.boundary(np.zeros(2), 1.0, 2.0)
    assert bnd.start is None and bnd.distance is None


def test_boundary_far_away_is_not_drawn():
    bnd = sn.boundary(np.array([1.0, 0.0]), -10.0, 2.0)  # x1 = 10
    assert bnd.start is None and bnd.anchor is None and bnd.distance == pytest.approx(10.0)


@pytest.mark.parametrize("phi", [p for p in PHIS if p.key != "step"], ids=lambda p: p.key)
def test_output_gradient_matches_autograd_of_the_whole_neuron(phi):
    for _ in range(5):
        x, w, b = RNG.normal(size=3), RNG.normal(size=3), float(RNG.normal())
        grad = sn.output_gradient(x, w, b, phi)
        w_t = torch.tensor(w, requires_grad=True)
        b_t = torch.tensor(b, requires_grad=True)
        y = phi.torch(torch.tensor(x) @ w_t + b_t)
        gw, gb = torch.autograd.grad(y, (w_t, b_t))
        np.testing.assert_allclose(grad.dy_dw, gw.numpy(), rtol=1e-6, atol=1e-9)
        assert grad.dy_db == pytest.approx(float(gb), rel=1e-6, abs=1e-9)


def test_sigmoid_gradient_closed_form():
    x, w, b = np.array([0.5, 1.0]), np.array([1.0, 2.0]), -1.0
    s = 1 / (1 + math.exp(-1.5))
    grad = sn.output_gradient(x, w, b, Phi("sigmoid"))
    assert grad.dphi_dz == pytest.approx(s * (1 - s))
    np.testing.assert_allclose(grad.dy_dw, s * (1 - s) * x)


def test_step_has_zero_gradient_and_a_kink_note_only_at_zero():
    assert sn.output_gradient(np.array([1.0]), np.array([2.0]), 0.3, Phi("step")).dphi_dz == 0
    assert sn.kink_note(Phi("relu"), 0.0) and not sn.kink_note(Phi("relu"), 0.1)
    assert not sn.kink_note(Phi("sigmoid"), 0.0)


def test_steep_sigmoid_derivative_matches_autograd():
    z = np.linspace(-6, 6, 121)
    for k in (0.5, 1.0, 7.5, 50.0):
        sig, dsig = sn.steep_sigmoid(z, k)
        z_t = torch.tensor(z, requires_grad=True)
        s = torch.sigmoid(k * z_t)
        (ds,) = torch.autograd.grad(s.sum(), z_t)
        np.testing.assert_allclose(sig, s.detach().numpy(), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(dsig, ds.numpy(), rtol=1e-9, atol=1e-300)


def test_trainer_starting_loss_and_steps_match_torch():
    """The untrained run is numpy (no torch on a first visit): its loss at epoch 0 is torch's, and one step is
    torch's gradient step from the same weights."""
    data = two_blobs(100, spread=2.0, seed=0)
    run = sn.NeuronTrainer(data, lr=0.5, epochs=3, seed=2)
    w0, b0 = run.weights()
    X, y = torch.tensor(data.X), torch.tensor(data.y, dtype=torch.float64)
    w_t, b_t = torch.tensor(w0, requires_grad=True), torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(X @ w_t + b_t, y)
    assert run.history["loss"][0] == pytest.approx(float(loss.detach()), rel=1e-12)
    gw, gb = torch.autograd.grad(loss, (w_t, b_t))
    run.run(1)
    w1, b1 = run.weights()
    np.testing.assert_allclose(w1, w0 - 0.5 * gw.numpy(), rtol=1e-12)
    assert b1 == pytest.approx(b0 - 0.5 * float(gb), rel=1e-12)


def test_neuron_view_numbers_are_the_neurons():
    v = views.neuron((0.5, 1.0), (1.0, 2.0), -1.0, Phi("tanh"))
    assert v.z == pytest.approx(1.5) and v.y_hat == pytest.approx(math.tanh(1.5))
    assert "1.5" in v.sum_latex and f"{math.tanh(1.5):.4f}"[:5] in v.sum_latex
    assert v.grad.dphi_dz == pytest.approx(1 - math.tanh(1.5) ** 2)


def test_plane_output_is_phi_of_the_plane():
    plane = sn.plane_output(np.array([1.0, -2.0]), 0.5, Phi("tanh"), 2.0, n=21)
    X1, X2 = np.meshgrid(plane.x1, plane.x2)
    np.testing.assert_allclose(plane.y, np.tanh(X1 - 2 * X2 + 0.5))


def test_plane_with_held_inputs_is_the_full_neuron():
    x, w, b, phi = (0.5, 1.0, -0.5, 1.0, 0.5), (1.0, 2.0, -1.0, 0.5, -0.5), -1.0, Phi("sigmoid")
    v = views.plane(x, w, b, phi)
    i, j = 17, 63  # any grid point (x1, x2) = (g[j], g[i])
    full = np.array([v.plane.x1[j], v.plane.x2[i], *x[2:]])
    assert v.plane.y[i, j] == pytest.approx(float(phi.numpy(full @ np.array(w) + b)))


def test_steep_sigmoid_approaches_the_step_and_its_slope_integrates_to_one():
    z = np.linspace(-3, 3, 60001)
    sig, dsig = sn.steep_sigmoid(z, 50.0)
    away = np.abs(z) > 0.2
    np.testing.assert_allclose(sig[away], (z[away] > 0).astype(float), atol=1e-4)
    assert np.trapezoid(dsig, z) == pytest.approx(1.0, abs=1e-6)
    assert dsig.max() == pytest.approx(50 / 4, rel=1e-3)
    assert views.steep_sigmoid(8.0).slope0 == pytest.approx(2.0)


# ---------------------------------------------------------------------------------------------------------------
# The plane's sentences, claim-tested across a sweep
# ---------------------------------------------------------------------------------------------------------------


def _plane_settings():
    corners = (-2.0, 0.0, 2.0)
    for n, phi_key, b in itertools.product((2, 3, 5), ("sigmoid", "relu", "tanh", "gaussian", "step", "linear"),
                                           (-3.0, 0.0, 3.0)):
        rng = np.random.default_rng(zlib.crc32(repr((n, phi_key, b)).encode()))
        for _ in range(3):
            x = tuple(float(v) for v in rng.choice(corners, n))
            w = tuple(float(v) for v in rng.choice((-3.0, -1.0, 0.0, 1.0, 3.0), n))
            yield x, w, b, Phi(phi_key)


@pytest.mark.parametrize("x, w, b, phi", list(_plane_settings()))
def test_plane_sentences_are_true_of_the_plane(x, w, b, phi):
    v = views.plane(x, w, b, phi)
    xa, wa = np.array(x), np.array(w)
    h = float(wa[2:] @ xa[2:]) if len(x) > 2 else 0.0
    assert v.held == pytest.approx(h)
    norm = float(np.hypot(*wa[:2]))
    if norm == 0:
        assert v.bnd.distance is None and v.distance_latex == ""
    else:
        # the printed signed distance is that of the line drawn, held inputs included
        d = -(b + h) / norm
        assert v.bnd.distance == pytest.approx(d)
        if v.bnd.start is not None:
            for end in (v.bnd.start, v.bnd.end):  # each drawn end lies at that distance along w
                assert end @ wa[:2] / norm == pytest.approx(d, abs=1e-6)
        assert v.distance_latex.startswith(r"\begin{aligned} d &=")
        assert (r"\sum" in v.distance_latex or "w_3 x_3" in v.distance_latex) == (len(x) > 2)
        assert ("held" in v.title) == (len(x) > 2)
        # "passes through the origin" is said of the dashed b = 0 line only when it does
        through = "passes through the origin" in v.ghost_text
        assert through == (abs(v.ghost.distance) < 1e-12)
        if through:
            assert v.ghost.start is not None
        # the hint for a boundary outside the square: shown exactly then, and its b does bring the line back
        assert bool(v.outside_text) == (v.bnd.start is None)
        if v.outside_text and "move b towards" in v.outside_text:
            back = sn.boundary(wa[:2], -h + h, views.LIM)
            assert back.start is not None and abs(-h) <= 3.0
    assert ("purple arrow" in v.shape_text) == (v.bnd.anchor is not None)  # the arrow named only when drawn
    # "the boundary slides" is said only when there is one
    assert ("the boundary slides" in v.bias_text) == (v.bnd.distance is not None)
    assert v.ghost_text in v.bias_text
    # the colour bar spans only what the plane shows, and phi(0) is white
    c = v.colours
    assert c.zmin >= min(float(v.plane.y.min()), v.phi0) - 1e-9
    assert c.zmax <= max(float(v.plane.y.max()), v.phi0) + 1e-9
    assert 0.0 <= c.lo <= 0.5 + 1e-9 <= c.hi + 2e-9 and c.hi <= 1.0 + 1e-9
    # non-monotonic phi: the takeaway does not call the neuron a linear classifier
    assert ("linear classifier" in v.takeaway) == phi.spec.monotonic


def test_relu_colour_bar_has_no_negative_half():
    v = views.plane((0.5, 1.0), (1.0, 2.0), -1.0, Phi("relu"))
    assert v.colours.zmin == 0.0 and v.colours.lo == pytest.approx(0.5)


def test_held_inputs_are_named_with_their_values():
    v = views.plane((0.5, 1.0, -0.5, 1.0, 0.5), (1.0, 2.0, -1.0, 0.5, -0.5), -1.0, Phi("sigmoid"))
    assert "x₃ = -0.5" in v.held_text and "x₅ = 0.5" in v.held_text
    assert "h = " in v.held_text and "does **not** pass through the origin" in v.ghost_text


@pytest.mark.parametrize("phi", PHIS, ids=lambda p: p.key)
@pytest.mark.parametrize("b", [-3.0, -1.0, 0.0, 2.0])
def test_bias_sentence_says_whether_the_bias_shows_at_the_origin(phi, b):
    text = sn.bias_sentence(phi, b)
    same = abs(float(phi.numpy(b)) - float(phi.numpy(0.0))) < 5e-4
    assert ("does not show at the origin" in text) == same
    assert f"{float(phi.numpy(b)):.3f}" in text


@pytest.mark.parametrize("w1, b", [(1.0, -1.0), (0.0, 1.0), (0.5, 2.5)])
def test_point_sentence(w1, b):
    v = views.line(w1, b, Phi("sigmoid"))
    if w1 == 0:
        assert v.threshold is None and "there is none" in v.text
    else:
        assert v.threshold == pytest.approx(-b / w1)
        assert ("outside the plotted range" in v.text) == (abs(v.threshold) > views.LIM)


# ---------------------------------------------------------------------------------------------------------------
# Training one neuron: theory, fixed steps, and the sentences
# ---------------------------------------------------------------------------------------------------------------


def test_one_epoch_is_the_cross_entropy_gradient_step():
    """w <- w - eta X^T (sigma(z) - y) / m and b <- b - eta mean(sigma(z) - y), by hand."""
    data, eta = two_blobs(20, spread=1.0, seed=2), 0.7
    run = sn.NeuronTrainer(data, lr=eta, epochs=5, seed=4)
    w0, b0 = run.weights()
    run.run(1)
    err = 1 / (1 + np.exp(-(data.X @ w0 + b0))) - data.y
    w1, b1 = run.weights()
    np.testing.assert_allclose(w1, w0 - eta * data.X.T @ err / len(err), rtol=1e-12)
    assert b1 == pytest.approx(b0 - eta * err.mean(), rel=1e-12)
    z = data.X @ w1 + b1
    bce = np.mean(np.logaddexp(0, z) - data.y * z)
    assert run.history.last("loss") == pytest.approx(bce, rel=1e-12)


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_trained_neuron_separates_linearly_separable_gates(gate):
    run = sn.NeuronTrainer(logic_gate(gate), lr=1.0, epochs=1000).run()
    t = run.tally()
    assert (t.right, t.wrong, t.ties) == (4, 0, 0)
    losses = run.history["loss"]
    assert losses[-1] < losses[0] / 5
    assert "All 4 points" in run.snapshot(1.6).lesson


def test_trained_neuron_cannot_solve_xor_and_ends_in_a_tie():
    for seed in range(3):
        run = sn.NeuronTrainer(logic_gate("XOR"), lr=1.0, epochs=1000, seed=seed).run()
        assert min(run.history["loss"]) >= math.log(2) - 1e-9  # the best a linear model can do on XOR is ln 2
        t = run.tally()
        assert t.right <= 3 and t.ties == 4  # w, b -> 0: every point sits on the boundary
        snap = run.snapshot(1.6)
        assert "tie, not a class" in snap.lesson and "%" not in run.status()


def test_run_is_the_same_under_any_time_budget():
    a = sn.NeuronTrainer(two_blobs(100, spread=3.0), lr=5.0, epochs=400, seed=1).run()
    b = sn.NeuronTrainer(two_blobs(100, spread=3.0), lr=5.0, epochs=400, seed=1)
    while not b.done:
        b.advance(1e-5)  # a loaded server: one epoch per slice
    assert b.steps == a.steps == 400 and not b.cut
    np.testing.assert_allclose(b.history["loss"], a.history["loss"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.weights()[0], a.weights()[0], rtol=0, atol=1e-12)
    assert len(a.history) == 401  # epoch 0 and every epoch: nothing thinned, so a swing every epoch is kept


def test_cut_run_says_so():
    run = sn.NeuronTrainer(logic_gate("OR"), epochs=5000)
    run.max_seconds = 0.0
    run.advance(0.1)
    assert run.cut and "not comparable" in run.cut_note()


def test_tally_counts_a_tie_as_neither_class():
    t = sn.tally(np.array([0.5, 0.5 + 1e-17, 0.9, 0.2, 0.504]), np.array([1, 0, 1, 1, 0]))
    assert (t.right, t.wrong, t.ties) == (1, 1, 3)


# Synthetic loss histories: what each shape must be called.
def _falling(n):
    return 1.0 / (1.0 + 0.05 * np.arange(n))


def _oscillating(n):
    return 0.5 + 0.2 * (-1.0) ** np.arange(n) + 0.001 * np.arange(n) / n


def _diverging(n):
    return 0.6 * 1.05 ** np.arange(n)


def _flat(n):
    return np.full(n, 0.6931)


@pytest.mark.parametrize("n", [10, 50, 1000, 5000])
def test_loss_trend_on_synthetic_histories(n):
    assert sn.loss_trend(_falling(n)).kind == "falling"
    osc = sn.loss_trend(_oscillating(n), lr=5.0)
    assert osc.kind == "oscillating" and osc.alarm and "η = 5" in osc.sentence
    assert sn.loss_trend(_diverging(n)).kind in ("rising", "diverged")
    assert sn.loss_trend(_diverging(n)).alarm
    flat = sn.loss_trend(_flat(n))
    assert flat.kind == "flat" and not flat.alarm
    if n >= 50:  # fell in the first half, constant over the last fifth (the window looked at)
        settled = np.concatenate([_falling(n // 2), np.full(n - n // 2, _falling(n // 2)[-1])])
        assert sn.loss_trend(settled).kind == "settled"
    assert sn.loss_trend(np.array([1.0, np.inf] + [np.nan] * (n - 2))).kind == "diverged"


def test_loss_trend_ignores_rounding_noise_on_a_plateau():
    noisy = 0.1842 + 1e-13 * RNG.standard_normal(500)
    assert sn.loss_trend(np.concatenate([[0.6], noisy])).kind == "settled"
    assert sn.loss_trend(_falling(5)).kind == "short"


def test_learning_rate_five_on_overlapping_blobs_is_called_an_oscillation():
    """The issue's case: eta = 5 on two blobs swings at a loss far below 1e6 and must be said so."""
    run = sn.NeuronTrainer(two_blobs(100, spread=3.0), lr=5.0, epochs=1000).run()
    losses = np.array(run.history["loss"])
    assert losses.max() < 10
    trend = run.snapshot(5.0).trend
    assert trend.kind == "oscillating" and trend.alarm


def _training_settings(epochs):
    for name in views.DATA_SETS:
        for lr, ep in itertools.product((0.01, 1.0, 5.0), epochs):
            for spread in ((0.3, 1.0, 3.0) if name == "two blobs" else (1.0,)):
                yield name, lr, ep, spread


def _check_training_claims(name, lr, ep, spread):
    points, lim = views.training_data(name, spread)
    run = sn.NeuronTrainer(points, lr=lr, epochs=ep).run()
    snap = run.snapshot(lim)
    losses = snap.losses[1:]
    t = snap.tally
    assert t.total == len(points.y)
    if name == "XOR":
        assert t.right <= 3  # no line gets all four
        if "shrunk to almost 0" in snap.lesson:
            assert t.ties == 4 and np.max(np.abs(snap.w)) < 0.05 and abs(snap.b) < 0.05
            assert losses[-1] == pytest.approx(math.log(2), abs=1e-3)
        assert str(t.right) in snap.lesson or t.ties == 4
    elif "All " in snap.lesson:
        assert t.right == t.total
    else:
        assert f"{t.right} of {t.total} right" in snap.lesson
    # the loss sentence is true of the loss history
    trend = snap.trend
    window = losses[-max(10, len(losses) // 5):]
    d, level = np.diff(window), np.median(window)
    both_ways = min(np.mean(d > 1e-9 * level), np.mean(d < -1e-9 * level)) >= 0.25
    if trend.kind == "oscillating":
        assert both_ways and (window.max() - window.min()) > 0.01 * level
    if trend.kind in ("falling", "settled"):
        assert losses[-1] < losses[0]
    if trend.kind == "settled":
        assert (window.max() - window.min()) < 1e-3 * np.median(window)
    if trend.kind == "rising":
        assert losses[-1] > losses[0]
    if not trend.alarm:  # no hint missing: a loss that swings by more than 1 % within the window is flagged
        assert not (both_ways and (window.max() - window.min()) > 0.01 * level)
        assert not (losses[-1] > 1.5 * losses.min() and losses[-1] > losses[0])


@pytest.mark.parametrize("name, lr, ep, spread", list(_training_settings((50, 1000))))
def test_training_claims(name, lr, ep, spread):
    _check_training_claims(name, lr, ep, spread)


@pytest.mark.slow
@pytest.mark.parametrize("name, lr, ep, spread", list(_training_settings((5000,))))
def test_training_claims_at_the_longest_run(name, lr, ep, spread):
    _check_training_claims(name, lr, ep, spread)


def test_envelope_keeps_every_swing():
    x = np.arange(1000.0)
    y = 0.5 + 0.2 * (-1.0) ** x
    xe, lo, hi = sn.envelope(x, y, 100)
    assert len(xe) == 100 and np.allclose(lo, 0.3) and np.allclose(hi, 0.7)


def test_xor_link_opens_the_playground_on_xor():
    """The link's query names the playground's data-set selector and the XOR set's label (what the URL holds)."""
    from nnviz.catalog import ROOT
    from nnviz.datasets import CLASSIFICATION_SETS

    query = views.playground_xor_query()
    (key, value), = query.items()
    assert f'key="{key}"' in (ROOT / "pages" / "playground.py").read_text()
    assert {v: k for k, v in CLASSIFICATION_SETS.items()}[value] == "xor"


# ---------------------------------------------------------------------------------------------------------------
# The leaky integrate-and-fire neuron
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("current", [1.55, 2.0, 3.0, 5.0, 20.0])
def test_lif_rate_matches_analytic_formula(current):
    p = sn.LIFParams()
    expected = 1000.0 / (p.t_ref + p.tau_m * math.log(p.R * current / (p.R * current - p.V_th)))
    assert float(sn.lif_rate_analytic(current, p)) == pytest.approx(expected)
    simulated = sn.lif_simulate(current, T=1000.0).rate_hz()
    assert simulated == pytest.approx(expected, rel=2e-3)


def test_lif_with_coarse_euler_agrees_roughly():
    """An independent forward-Euler integration (dt = 0.01 ms) lands near the analytic rate."""
    p, current, dt = sn.LIFParams(), 3.0, 0.01
    v, t, spikes, refractory = 0.0, 0.0, [], -1.0
    while t < 500.0:
        t += dt
        if t < refractory:
            continue
        v += dt / p.tau_m * (-v + p.R * current)
        if v >= p.V_th:
            spikes.append(t)
            v, refractory = 0.0, t + p.t_ref
    euler_rate = 1000.0 / np.mean(np.diff(spikes))
    assert euler_rate == pytest.approx(float(sn.lif_rate_analytic(current)), rel=0.01)


def test_lif_is_silent_below_rheobase_and_rate_grows_with_current():
    p = sn.LIFParams()
    below = sn.rheobase(p) * 0.99
    assert len(sn.lif_simulate(below, T=500.0).spikes) == 0
    assert float(sn.lif_rate_analytic(below)) == 0.0
    rates = sn.lif_rate_analytic(np.linspace(1.6, 5.0, 30))
    assert np.all(np.diff(rates) > 0)
    assert float(sn.lif_rate_analytic(1e6)) < sn.rate_cap(p)  # the refractory period caps the rate


@pytest.mark.parametrize("current", [0.0, 1.0, 1.5, 1.55, 2.0, 5.0])
def test_lif_sentences_match_the_trace(current):
    v = views.lif(current)
    assert bool(v.silence) == (v.rate == 0)
    if v.silence:
        assert len(v.trace.spikes) == 0
        assert ("equals the threshold" in v.silence) == (current == 1.5)
    else:
        assert v.rate_simulated == pytest.approx(v.rate, rel=0.05)


def test_precomputed_fi_dots_equal_a_fresh_simulation():
    stored = views.fi_precomputed()
    assert stored is not None, "run benchmarks/precompute_single_neuron.py"
    np.testing.assert_allclose(stored, sn.fi_simulated(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(views.fi_curve().rate_sim, stored, rtol=0, atol=0)  # what the page draws
    # and the simulation at dt = 0.25 ms agrees with the closed form it is shown against
    np.testing.assert_allclose(stored, sn.lif_rate_analytic(np.array(sn.FI_SIM_CURRENTS)), rtol=1e-9, atol=1e-9)


def test_fi_takeaway_reads_off_the_curve():
    fi = views.fi_curve()
    top = float(fi.rate[-1])
    assert f"{top:.0f} Hz" in fi.takeaway and f"{top / sn.rate_cap():.0%}" in fi.takeaway
    firing = fi.rate > 0
    concave = np.all(np.diff(fi.rate[firing], 2) < 1e-9)
    assert ("ever more slowly" in fi.takeaway) == bool(concave)


# ---------------------------------------------------------------------------------------------------------------
# Figures: readable at every setting
# ---------------------------------------------------------------------------------------------------------------


def test_figures_say_log_only_on_a_log_axis_and_never_use_si_suffixes():
    from nnviz.figures import single_neuron as figs

    fresh = sn.NeuronTrainer(logic_gate("AND"), epochs=50)
    trained = sn.NeuronTrainer(two_blobs(100, spread=0.3), lr=5.0, epochs=1000).run()  # loss down to ~1e-7
    for run in (fresh, trained):
        fig = figs.loss_figure(run.snapshot(1.6))
        is_log = fig.layout.yaxis.type == "log"
        assert ("log" in fig.layout.yaxis.title.text) == is_log == (run.steps > 0)
        if is_log:
            assert fig.layout.yaxis.exponentformat == "power" and fig.layout.yaxis.dtick == 1
    v = views.plane((0.5, 1.0), (1.0, 2.0), -1.0, Phi("relu"))
    heat = go.Figure(figs.plane_figure(v, np.array([0.5, 1.0]))).data[0]
    assert heat.colorbar.title.side == "top" and heat.colorbar.exponentformat == "power"
    assert heat.zmin == 0.0  # ReLU cannot output a negative number


def test_reference_lines_are_legend_entries_not_labels_on_the_curve():
    from nnviz.figures import single_neuron as figs

    fig = figs.lif_figure(views.lif(5.0).trace, sn.LIFParams(), 5.0)
    assert not fig.layout.annotations and any("threshold" in t.name for t in fig.data)
    snap = sn.NeuronTrainer(logic_gate("XOR"), epochs=50).run().snapshot(1.6)
    fig = figs.loss_figure(snap, floor=math.log(2))
    assert not fig.layout.annotations and any("ln 2" in t.name for t in fig.data)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_weight_labels_never_collide(n):
    """Neighbouring weight labels are at least 24 px apart vertically on the diagram's plot area."""
    from nnviz.figures import single_neuron as figs

    x, w = np.ones(n), np.linspace(-3, 3, n)
    fig = go.Figure(figs.neuron_diagram(x, w, 0.5, "Sigmoid", 1.0, 0.7))  # built as a dict
    ys = sorted(a.y for a in fig.layout.annotations if a.text.startswith("w<sub>"))
    y_range = fig.layout.yaxis.range
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    px_per_unit = plot_px / (y_range[1] - y_range[0])
    assert all((b - a) * px_per_unit >= 24 for a, b in itertools.pairwise(ys))


# ---------------------------------------------------------------------------------------------------------------
# Not by colour alone (issue 19), legends clear of titles, frozen figures
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("b", [-0.7, 0.7])
def test_weight_signs_differ_by_dash_as_well_as_colour(b):
    from nnviz.figures import single_neuron as figs

    w = np.array([1.0, -2.0, 0.5])
    fig = go.Figure(figs.neuron_diagram(np.ones(3), w, b, "Sigmoid", 0.0, 0.5))
    edges = [t for t in fig.data if t.hovertext and str(t.hovertext).startswith(("w", "b ="))]
    signs = [*w, b]
    assert len(edges) == len(signs)
    for t, s in zip(edges, signs, strict=True):
        assert t.line.dash == ("solid" if s >= 0 else "dash") and t.line.color == style.weight_colour(s)


def test_classes_differ_by_marker_shape_as_well_as_colour():
    from nnviz.figures import single_neuron as figs

    points, lim = views.training_data("XOR", 1.0)
    snap = sn.NeuronTrainer(points, epochs=10).snapshot(lim)
    classes = [t for t in figs.training_figure(points, snap, lim).data if (t.name or "").startswith("class")]
    assert [t.marker.symbol for t in classes] == [style.class_symbol(0), style.class_symbol(1)]
    assert len({t.marker.symbol for t in classes}) == 2 and len({t.marker.color for t in classes}) == 2


def test_legends_sit_below_the_plot_clear_of_the_title():
    """At 390 px a legend above the plot wrapped into the figure's title; below the x axis it never meets it."""
    from nnviz.figures import single_neuron as figs

    pv = views.plane((0.5, 1.0, -0.5), (1.0, 2.0, -1.0), -1.0, Phi("sigmoid"))
    snap = sn.NeuronTrainer(logic_gate("AND"), epochs=10).run().snapshot(1.6)
    lv = views.lif(2.0)
    figures = [go.Figure(figs.plane_figure(pv, np.array([0.5, 1.0]))),
               figs.step_vs_sigmoid(views.steep_sigmoid(2.0), 2.0),
               figs.training_figure(logic_gate("AND"), snap, 1.6), figs.loss_figure(snap),
               figs.lif_figure(lv.trace, sn.LIFParams(), 2.0), figs.fi_figure(views.fi_curve(), 2.0, lv.rate),
               figs.line_figure(views.line(1.0, -0.5, Phi("tanh")), (0.5, 0.0), "one input")]
    for fig in figures:
        assert fig.layout.showlegend is not False
        assert fig.layout.legend.y < 0 and fig.layout.legend.yanchor == "top", fig.layout.title.text


def test_lif_figure_keeps_every_spike_corner_while_thinning_the_trace():
    from nnviz.figures import single_neuron as figs

    trace = views.lif(5.0).trace
    line = figs.lif_figure(trace, sn.LIFParams(), 5.0).data[0]
    assert len(line.x) < len(trace.t) / 3
    assert np.sum(np.asarray(line.y) >= sn.LIFParams().V_th) == np.sum(sn.LIFParams().V_th <= trace.V) > 10


def test_a_frozen_chart_is_the_figure_it_was_made_from():
    import plotly.io as pio

    from nnviz.figures import single_neuron as figs
    from nnviz.views.charts import FrozenFigure, chart

    pv = views.plane((0.5, 1.0), (1.0, 2.0), -1.0, Phi("relu"))
    fig = figs.plane_figure(pv, np.array([0.5, 1.0]))
    c = chart(fig)
    frozen = c.figure()
    assert isinstance(frozen, FrozenFigure) and frozen.to_dict() is c.spec
    assert pio.to_json(frozen.to_dict(), validate=False) == pio.to_json(fig, validate=False)
    assert c.alt == style.describe(fig) and c.alt.startswith("Chart: ŷ over the (x₁, x₂) plane")
    assert views.plane_chart((0.5, 1.0), (1.0, 2.0), -1.0, Phi("relu")).alt.startswith("Heat map")
