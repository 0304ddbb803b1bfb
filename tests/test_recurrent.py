"""Feedback connections: gradients through time against theory and autograd, the adding problem, trainers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz import recurrent as rc


@pytest.mark.parametrize("kind", rc.MATRIX_KINDS)
def test_recurrent_matrix_spectral_radius(kind):
    W = rc.recurrent_matrix(20, 0.8, kind, seed=1)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(0.8)
    if kind == "orthogonal":
        np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 0.8)


def test_linear_rnn_jacobian_is_a_power_of_W():
    """For phi(z) = z, dh_T/dh_t = W^(T - t) exactly (autograd through the unrolled loop)."""
    cell = rc.RNNCell.random(5, 1, radius=1.1, phi="linear", kind="gaussian", seed=2)
    xs = torch.as_tensor(rc.input_sequence("noise", 8, seed=0))
    W, U = torch.as_tensor(cell.W), torch.as_tensor(cell.U)
    t = 3

    def h_T_from_h_t(h):
        for x in xs[t:]:
            h = W @ h + U @ x
        return h

    auto = torch.autograd.functional.jacobian(h_T_from_h_t, torch.zeros(5, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(auto, np.linalg.matrix_power(cell.W, 8 - t), rtol=1e-12, atol=1e-14)
    # and the page's curve: ||dh_T/dh_t|| = ||W^(T-t)||, = rho^(T-t) for an orthogonal W
    tg = rc.time_gradients(T=30, n=8, radius=0.9, phi="linear", kind="orthogonal", seed=0)
    np.testing.assert_allclose(tg.jac, 0.9 ** np.arange(31), rtol=1e-9)
    tg = rc.time_gradients(T=12, n=6, radius=1.2, phi="linear", kind="gaussian", seed=3)
    W = rc.recurrent_matrix(6, 1.2, "gaussian", 3)
    np.testing.assert_allclose(tg.jac, [np.linalg.norm(np.linalg.matrix_power(W, k), 2) for k in range(13)],
                               rtol=1e-9)


def test_step_jacobians_match_autograd_for_tanh():
    cell = rc.RNNCell.random(4, 1, radius=1.3, phi="tanh", seed=0)
    xs = rc.input_sequence("sine", 5)
    hs, zs = cell.run(xs)
    jacs = cell.step_jacobians(zs)
    W, U = torch.as_tensor(cell.W), torch.as_tensor(cell.U)
    for t in range(5):
        x = torch.as_tensor(xs[t])
        auto = torch.autograd.functional.jacobian(
            lambda h, x=x: torch.tanh(W @ h + U @ x), torch.as_tensor(hs[t])).numpy()
        np.testing.assert_allclose(jacs[t], auto, rtol=1e-10, atol=1e-14)


def test_time_gradients_bptt_terms_sum_to_autograd():
    """BPTT's per-step terms add up to autograd's dL/dW, and clipping rescales the whole gradient to c."""
    T, n = 15, 6
    tg = rc.time_gradients(T=T, n=n, radius=1.4, phi="tanh", kind="orthogonal", clip=0.5, seed=4)
    cell = rc.RNNCell.random(n, 1, 1.4, "tanh", "orthogonal", seed=4)
    xs = torch.as_tensor(rc.input_sequence("noise", T, 4))
    y = torch.as_tensor(np.random.default_rng(4 + 9).standard_normal(n) * 0.5)
    W = torch.as_tensor(cell.W).clone().requires_grad_(True)
    U = torch.as_tensor(cell.U)
    h = torch.zeros(n, dtype=torch.float64)
    for x in xs:
        h = torch.tanh(W @ h + U @ x)
    (g,) = torch.autograd.grad(0.5 * ((h - y) ** 2).sum(), W)
    assert tg.total_norm == pytest.approx(float(g.norm()), rel=1e-9)
    assert len(tg.contrib) == T and len(tg.jac) == T + 1
    if tg.total_norm > 0.5:
        assert tg.clip_scale * tg.total_norm == pytest.approx(0.5)
    assert rc.time_gradients(T=T, n=n, radius=1.4, clip=None, seed=4).clip_scale == 1.0


@pytest.mark.parametrize("phi", ["tanh", "sigmoid", "relu"])
def test_pascanu_bound_holds(phi):
    tg = rc.time_gradients(T=40, n=16, radius=1.2, phi=phi, kind="gaussian", seed=1)
    assert np.all(tg.jac <= tg.bound * (1 + 1e-9))


def test_vanish_below_one_over_gamma():
    assert rc.phi_gamma("tanh") == pytest.approx(1.0)
    assert rc.phi_gamma("sigmoid") == pytest.approx(0.25)
    tg = rc.time_gradients(T=100, n=16, radius=0.9, phi="tanh")
    assert tg.jac[-1] < 0.9 ** 100 * (1 + 1e-9)


def test_state_jacobian_norms_against_direct_autograd():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        cell = torch.nn.GRUCell(1, 4, dtype=torch.float64)
    step = rc._cell_step(cell, 4)
    xs = torch.randn(6, 1, dtype=torch.float64)
    s0 = torch.zeros(4, dtype=torch.float64)
    norms = rc.state_jacobian_norms(step, s0, xs)
    # state after 2 steps, then the map from it to the end
    with torch.no_grad():
        s2 = step(step(s0, xs[0]), xs[1])

    def rest(s):
        for x in xs[2:]:
            s = step(s, x)
        return s

    auto = torch.autograd.functional.jacobian(rest, s2)
    assert norms[4] == pytest.approx(float(torch.linalg.matrix_norm(auto, ord=2)), rel=1e-9)


def test_lstm_forget_bias_keeps_the_state():
    low = rc.lstm_state_jacobian(T=30, n=8, forget_bias=0.0)
    high = rc.lstm_state_jacobian(T=30, n=8, forget_bias=4.0)
    assert low[0] == high[0] == 1.0
    assert high[-1] > 100 * low[-1]


def test_adding_problem_and_guess_one_baseline():
    x, y = rc.adding_problem(20000, 40, torch.Generator().manual_seed(0))
    assert x.shape == (20000, 40, 2) and y.shape == (20000,)
    marks = x[..., 1]
    assert torch.all(marks.sum(1) == 2)
    assert torch.all(marks[:, :20].sum(1) == 1) and torch.all(marks[:, 20:].sum(1) == 1)
    torch.testing.assert_close(y, (x[..., 0] * marks).sum(1))
    mse = float(((y - 1.0) ** 2).mean())
    assert mse == pytest.approx(0.167, abs=0.01)
    assert abs(rc.GUESS_ONE_MSE - 2 / 12) < 1e-15
    with pytest.raises(ValueError):
        rc.adding_problem(3, 1, torch.Generator())


def test_adding_trainer_lowers_every_loss():
    tr = rc.AddingTrainer(T=6, hidden=8, lr=1e-2, n_steps=80, batch=32, max_seconds=30)
    run = tr.finish()
    assert tr.done and run.steps[-1] == 80
    for cell, curve in run.curves.items():
        assert curve[-1] < curve[0], cell
        assert curve[-1] < rc.GUESS_ONE_MSE, cell


def test_adding_trainer_time_limit():
    tr = rc.AddingTrainer(T=5, hidden=4, n_steps=10**6, max_seconds=0.2)
    tr.advance(0.4)
    assert tr.done and tr.stopped_by_time


def test_trained_state_jacobian_shapes():
    tr = rc.AddingTrainer(T=5, hidden=4, n_steps=2)
    tr.finish()
    x, _ = rc.adding_problem(1, 5, torch.Generator().manual_seed(0))
    for cell, model in tr.models.items():
        j = rc.trained_state_jacobian(model, x[0])
        assert j.shape == (6,) and j[0] == 1.0, cell


def test_hidden_trajectories_pulse_rings_and_decays():
    tr = rc.hidden_trajectories(T=60, n=16, radius=0.5, phi="linear", inputs="pulse")
    assert tr.h.shape == (61, 16) and tr.norm[0] == 0
    # linear, orthogonal W times 0.5: ||h_t|| = 0.5^(t-1) ||h_1|| after the pulse
    np.testing.assert_allclose(tr.norm[2:], tr.norm[1] * 0.5 ** np.arange(1, 60), rtol=1e-9)


def test_precomputed_adding_runs_show_the_claim():
    """The shipped runs show what the page says: at long lengths the vanilla RNN stays at the guess-1 baseline
    while the LSTM and GRU beat it by far; at T = 10 every cell learns."""
    from nnviz.connections import load_precomputed

    pre = load_precomputed("adding")
    assert pre is not None and str(pre["default_T"]) in pre["runs"]
    short = pre["runs"]["10"]["curves"]
    assert all(v[-1] < 0.05 for v in short.values())
    for T in ("50", "80"):
        final = {c: v[-1] for c, v in pre["runs"][T]["curves"].items()}
        assert final["rnn"] > 0.8 * rc.GUESS_ONE_MSE
        assert final["lstm"] < 0.1 * rc.GUESS_ONE_MSE and final["gru"] < 0.1 * rc.GUESS_ONE_MSE
    jac = pre["trained_jacobian"]
    assert jac["lstm"][-1] > 1e3 * jac["rnn"][-1]


def test_precomputed_adding_is_what_the_trainer_produces():
    from nnviz.connections import load_precomputed

    pre = load_precomputed("adding")["runs"]["10"]["curves"]
    run = rc.AddingTrainer(T=10, n_steps=10, max_seconds=60).finish()
    for cell, curve in run.curves.items():
        assert curve[0] == pytest.approx(pre[cell][0], rel=1e-3)
