"""The single neuron against theory and torch autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from nnviz import activations, neuron
from nnviz.datasets import logic_gate, two_blobs

RNG = np.random.default_rng(7)


def test_pre_activation_is_weighted_sum_plus_bias():
    x, w, b = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -4.0]), 0.7
    assert neuron.pre_activation(x, w, b) == pytest.approx(0.3 - 0.2 - 2.0 + 0.7)
    X = RNG.normal(size=(6, 3))
    np.testing.assert_allclose(neuron.pre_activation(X, w, b), [sum(r * w) + b for r in X])


@pytest.mark.parametrize("trial", range(20))
def test_boundary_geometry(trial):
    w = RNG.normal(size=2) * 2
    c = RNG.normal() * 1.5
    lim = 3.0
    bnd = neuron.boundary(w, c, lim)
    norm = np.linalg.norm(w)
    assert bnd.distance == pytest.approx(-c / norm)
    # the foot is on the line and parallel to w (so the line is perpendicular to w)
    assert w @ bnd.foot + c == pytest.approx(0, abs=1e-9)
    assert abs(w[0] * bnd.foot[1] - w[1] * bnd.foot[0]) < 1e-9
    if abs(c / norm) < lim:  # the line certainly crosses the square
        assert bnd.start is not None
    if bnd.start is not None:
        for end in (bnd.start, bnd.end):
            assert w @ end + c == pytest.approx(0, abs=1e-9)
            assert np.max(np.abs(end)) == pytest.approx(lim)  # clipped exactly at the box
        midpoint = (bnd.start + bnd.end) / 2
        assert w @ midpoint + c == pytest.approx(0, abs=1e-9)


def test_boundary_without_bias_passes_through_origin():
    bnd = neuron.boundary(np.array([1.3, -0.4]), 0.0, 2.0)
    np.testing.assert_allclose(bnd.foot, 0.0, atol=1e-12)
    assert bnd.distance == 0


def test_boundary_with_zero_weights_does_not_exist():
    bnd = neuron.boundary(np.zeros(2), 1.0, 2.0)
    assert bnd.start is None and bnd.distance is None


def test_boundary_far_away_is_not_drawn():
    bnd = neuron.boundary(np.array([1.0, 0.0]), -10.0, 2.0)  # x1 = 10
    assert bnd.start is None and bnd.distance == pytest.approx(10.0)


@pytest.mark.parametrize("phi", [k for k in activations.names() if k != "step"])
def test_output_gradient_matches_autograd(phi):
    for _ in range(5):
        x, w, b = RNG.normal(size=3), RNG.normal(size=3), float(RNG.normal())
        grad = neuron.output_gradient(x, w, b, phi)
        w_t = torch.tensor(w, requires_grad=True)
        b_t = torch.tensor(b, requires_grad=True)
        y = activations.get(phi).bind()(torch.tensor(x) @ w_t + b_t)
        gw, gb = torch.autograd.grad(y, (w_t, b_t))
        np.testing.assert_allclose(grad.dy_dw, gw.numpy(), rtol=1e-6, atol=1e-9)
        assert grad.dy_db == pytest.approx(float(gb), rel=1e-6, abs=1e-9)


def test_sigmoid_gradient_closed_form():
    x, w, b = np.array([0.5, 1.0]), np.array([1.0, 2.0]), -1.0
    z = 1.5
    s = 1 / (1 + math.exp(-z))
    grad = neuron.output_gradient(x, w, b, "sigmoid")
    assert grad.dphi_dz == pytest.approx(s * (1 - s))
    np.testing.assert_allclose(grad.dy_dw, s * (1 - s) * x)


def test_plane_output_is_phi_of_the_plane():
    plane = neuron.plane_output(np.array([1.0, -2.0]), 0.5, "tanh", 2.0, n=21)
    X1, X2 = np.meshgrid(plane.x1, plane.x2)
    np.testing.assert_allclose(plane.y, np.tanh(X1 - 2 * X2 + 0.5))


def test_steep_sigmoid_approaches_the_step_and_its_slope_integrates_to_one():
    z = np.linspace(-3, 3, 60001)
    sig, dsig = neuron.steep_sigmoid(z, 50.0)
    away = np.abs(z) > 0.2
    np.testing.assert_allclose(sig[away], (z[away] > 0).astype(float), atol=1e-4)
    assert np.trapezoid(dsig, z) == pytest.approx(1.0, abs=1e-6)
    assert dsig.max() == pytest.approx(50 / 4, rel=1e-3)
    assert activations.dphi("step", z).max() == 0  # the step gives gradient descent nothing


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_trained_neuron_separates_linearly_separable_gates(gate):
    trainer = neuron.train_neuron(logic_gate(gate), lr=1.0, epochs=1000)
    assert trainer.accuracy() == 1.0
    assert trainer.losses[-1] < trainer.losses[0] / 5


def test_trained_neuron_cannot_solve_xor():
    for seed in range(3):
        trainer = neuron.train_neuron(logic_gate("XOR"), lr=1.0, epochs=1000, seed=seed)
        assert trainer.accuracy() <= 0.75
        assert trainer.losses[-1] >= math.log(2) - 1e-6  # the best a linear model can do on XOR is ln 2


def test_trained_neuron_separates_two_blobs():
    trainer = neuron.train_neuron(two_blobs(100, spread=0.6, seed=1), lr=0.5, epochs=300)
    assert trainer.accuracy() >= 0.98


def test_trainer_is_reproducible_and_bounded():
    a = neuron.train_neuron(logic_gate("OR"), epochs=50, seed=3)
    b = neuron.train_neuron(logic_gate("OR"), epochs=50, seed=3)
    assert a.losses == b.losses
    assert a.epoch == 50 and a.done and not a.step()


@pytest.mark.parametrize("current", [1.55, 2.0, 3.0, 5.0, 20.0])
def test_lif_rate_matches_analytic_formula(current):
    p = neuron.LIFParams()
    expected = 1000.0 / (p.t_ref + p.tau_m * math.log(p.R * current / (p.R * current - p.V_th)))
    assert float(neuron.lif_rate_analytic(current, p)) == pytest.approx(expected)
    simulated = neuron.lif_simulate(current, T=1000.0).rate_hz()
    assert simulated == pytest.approx(expected, rel=2e-3)


def test_lif_with_coarse_euler_agrees_roughly():
    """An independent forward-Euler integration (dt = 0.01 ms) lands near the analytic rate."""
    p, current, dt = neuron.LIFParams(), 3.0, 0.01
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
    assert euler_rate == pytest.approx(float(neuron.lif_rate_analytic(current)), rel=0.01)


def test_lif_is_silent_below_rheobase_and_rate_grows_with_current():
    p = neuron.LIFParams()
    below = neuron.rheobase(p) * 0.99
    assert len(neuron.lif_simulate(below, T=500.0).spikes) == 0
    assert float(neuron.lif_rate_analytic(below)) == 0.0
    rates = neuron.lif_rate_analytic(np.linspace(1.6, 5.0, 30))
    assert np.all(np.diff(rates) > 0)
    # the refractory period caps the rate at 1/t_ref
    assert float(neuron.lif_rate_analytic(1e6)) < 1000.0 / p.t_ref
