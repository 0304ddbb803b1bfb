"""Feedback connections: gradients through time against theory and autograd, the adding problem, fixed-step runs,
and every sentence the page shows about them checked against the result it is shown with."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from nnviz.activations import Phi
from nnviz.topics.skip_and_feedback import recurrent as rc

RNN_PHIS = ("tanh", "linear", "relu", "sigmoid")


@pytest.mark.parametrize("kind", rc.MATRIX_KINDS)
def test_recurrent_matrix_spectral_radius(kind):
    W = rc.recurrent_matrix(20, 0.8, kind, seed=1)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(0.8)
    if kind == "orthogonal":
        np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 0.8)


def test_linear_rnn_jacobian_is_a_power_of_W():
    """For phi(z) = z, dh_T/dh_t = W^(T - t) exactly (autograd through the unrolled loop)."""
    cell = rc.RNNCell.random(5, 1, radius=1.1, phi=Phi("linear"), kind="gaussian", seed=2)
    xs = torch.as_tensor(rc.input_sequence("noise", 8, seed=0))
    W, U = torch.as_tensor(cell.W), torch.as_tensor(cell.U)
    t = 3

    def h_T_from_h_t(h):
        for x in xs[t:]:
            h = W @ h + U @ x
        return h

    auto = torch.autograd.functional.jacobian(h_T_from_h_t, torch.zeros(5, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(auto, np.linalg.matrix_power(cell.W, 8 - t), rtol=1e-12, atol=1e-14)
    tg = rc.time_gradients(T=30, n=8, radius=0.9, phi=Phi("linear"), kind="orthogonal", seed=0)
    np.testing.assert_allclose(tg.jac, 0.9 ** np.arange(31), rtol=1e-9)
    tg = rc.time_gradients(T=12, n=6, radius=1.2, phi=Phi("linear"), kind="gaussian", seed=3)
    W = rc.recurrent_matrix(6, 1.2, "gaussian", 3)
    np.testing.assert_allclose(tg.jac, [np.linalg.norm(np.linalg.matrix_power(W, k), 2) for k in range(13)],
                               rtol=1e-9)


def test_step_jacobians_match_autograd_for_tanh():
    cell = rc.RNNCell.random(4, 1, radius=1.3, phi=Phi("tanh"), seed=0)
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
    tg = rc.time_gradients(T=T, n=n, radius=1.4, phi=Phi("tanh"), kind="orthogonal", clip=0.5, seed=4)
    cell = rc.RNNCell.random(n, 1, 1.4, Phi("tanh"), "orthogonal", seed=4)
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
    assert tg.total_norm > 0.5 and tg.clip_scale * tg.total_norm == pytest.approx(0.5)
    assert rc.time_gradients(T=T, n=n, radius=1.4, clip=None, seed=4).clip_scale == 1.0


@pytest.mark.parametrize("phi", ["tanh", "sigmoid", "relu"])
def test_pascanu_bound_holds(phi):
    tg = rc.time_gradients(T=40, n=16, radius=1.2, phi=Phi(phi), kind="gaussian", seed=1)
    assert np.all(tg.jac <= tg.bound * (1 + 1e-9))


def test_vanish_below_one_over_gamma():
    assert rc.phi_gamma(Phi("tanh")) == pytest.approx(1.0)
    assert rc.phi_gamma(Phi("sigmoid")) == pytest.approx(0.25)
    tg = rc.time_gradients(T=100, n=16, radius=0.9, phi=Phi("tanh"))
    assert tg.jac[-1] < 0.9 ** 100 * (1 + 1e-9)


def test_state_jacobian_norms_against_direct_autograd():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        cell = torch.nn.GRUCell(1, 4, dtype=torch.float64)
    step = rc._cell_step(cell, 4)
    xs = torch.randn(6, 1, dtype=torch.float64)
    s0 = torch.zeros(4, dtype=torch.float64)
    norms = rc.state_jacobian_norms(step, s0, xs)
    with torch.no_grad():
        s2 = step(step(s0[None], xs[:1]), xs[1:2])[0]

    def rest(s):
        s = s[None]
        for x in xs[2:]:
            s = step(s, x[None])
        return s[0]

    auto = torch.autograd.functional.jacobian(rest, s2)
    assert norms[4] == pytest.approx(float(torch.linalg.matrix_norm(auto, ord=2)), rel=1e-9)


@pytest.mark.parametrize("forget_bias", [0.0, 1.0, 5.0])
def test_numpy_lstm_state_jacobian_is_torch_autograd(forget_bias):
    """The numpy LSTM step and its analytic Jacobian equal nn.LSTMCell and autograd with the same weights; the
    norms through time equal the autograd-based state_jacobian_norms, to 1e-9."""
    n, T = 5, 12
    w = rc.lstm_weights(n, 1, forget_bias, seed=3)
    cell = torch.nn.LSTMCell(1, n, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.from_numpy(getattr(w, name)))
    step = rc._cell_step(cell, n)
    rng = np.random.default_rng(1)
    h, c, x = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(1)
    h1, c1, jac = rc.lstm_step(w, h, c, x)
    s = torch.from_numpy(np.concatenate([h, c]))
    out = step(s[None], torch.from_numpy(x)[None])[0].detach().numpy()
    np.testing.assert_allclose(np.concatenate([h1, c1]), out, rtol=1e-9)
    auto = torch.autograd.functional.jacobian(lambda s_: step(s_[None], torch.from_numpy(x)[None])[0], s).numpy()
    np.testing.assert_allclose(jac, auto, rtol=1e-9, atol=1e-13)
    xs = torch.as_tensor(rc.input_sequence("noise", T, seed=3))
    via_torch = rc.state_jacobian_norms(step, torch.zeros(2 * n, dtype=torch.float64), xs)
    np.testing.assert_allclose(rc.lstm_state_jacobian(T=T, n=n, forget_bias=forget_bias, seed=3), via_torch,
                               rtol=1e-9)


def test_lstm_weights_are_torchs_distribution_with_the_forget_bias():
    w = rc.lstm_weights(100, 1, 2.5, seed=0)
    assert w.weight_hh.shape == (400, 100) and w.weight_ih.shape == (400, 1)
    assert 0.09 < np.abs(w.weight_hh).max() <= 0.1
    assert np.all(w.bias_ih[100:200] == 2.5) and np.all(w.bias_hh[100:200] == 0)
    assert not np.any(w.bias_ih[:100] == 2.5)


def test_lstm_forget_bias_keeps_the_state():
    low = rc.lstm_state_jacobian(T=30, n=8, forget_bias=0.0)
    high = rc.lstm_state_jacobian(T=30, n=8, forget_bias=4.0)
    assert low[0] == high[0] == 1.0 and high[-1] > 100 * low[-1]


def test_adding_problem_and_its_baselines():
    x, y = rc.adding_problem(20000, 40, torch.Generator().manual_seed(0))
    assert x.shape == (20000, 40, 2) and y.shape == (20000,)
    marks = x[..., 1]
    assert torch.all(marks[:, :20].sum(1) == 1) and torch.all(marks[:, 20:].sum(1) == 1)
    torch.testing.assert_close(y, (x[..., 0] * marks).sum(1))
    assert float(((y - 1.0) ** 2).mean()) == pytest.approx(rc.GUESS_ONE_MSE, abs=0.005)
    assert abs(rc.GUESS_ONE_MSE - 2 / 12) < 1e-15
    # Hochreiter & Schmidhuber's target 0.5 + (X1 + X2)/4, X ~ U(-1, 1): its best constant guess 0.5 scores 1/24
    v = torch.rand(200000, 2, generator=torch.Generator().manual_seed(1)) * 2 - 1
    target = 0.5 + v.sum(1) / 4
    assert float(((target - 0.5) ** 2).mean()) == pytest.approx(rc.ORIGINAL_BASELINE, rel=0.02)
    with pytest.raises(ValueError):
        rc.adding_problem(3, 1, torch.Generator())


SMALL_ADD = rc.AddingSettings(T=6, hidden=8, n_steps=80, batch=32)


def test_adding_run_lowers_every_loss_in_its_fixed_steps():
    run = rc.AddingRun(SMALL_ADD).run()
    curves = run.curves()
    assert run.complete and curves.steps[-1] == 80
    for cell, curve in curves.loss.items():
        assert curve[-1] < curve[0] and curve[-1] < rc.GUESS_ONE_MSE, cell


def test_adding_run_same_numbers_whatever_the_time_slices():
    small = rc.AddingSettings(T=5, hidden=4, n_steps=20, batch=8)
    whole = rc.AddingRun(small).run().curves()
    sliced = rc.AddingRun(small)
    while not sliced.done:
        sliced.advance(1e-6)
    for c in rc.CELLS:
        np.testing.assert_allclose(sliced.curves().loss[c], whole.loss[c], rtol=1e-12, atol=0)


def test_trained_state_jacobian_shapes():
    run = rc.AddingRun(rc.AddingSettings(T=5, hidden=4, n_steps=2)).run()
    x, _ = rc.adding_problem(1, 5, torch.Generator().manual_seed(0))
    for cell, model in run.models.items():
        j = rc.trained_state_jacobian(model, x[0])
        assert j.shape == (6,) and j[0] == 1.0, cell


def test_hidden_trajectories_pulse_rings_and_decays():
    tr = rc.hidden_trajectories(T=60, n=16, radius=0.5, phi=Phi("linear"), inputs="pulse")
    assert tr.h.shape == (61, 16) and tr.norm[0] == 0
    np.testing.assert_allclose(tr.norm[2:], tr.norm[1] * 0.5 ** np.arange(1, 60), rtol=1e-9)
    np.testing.assert_allclose(tr.echo, tr.norm)  # with no input the linear state stays at 0
    assert tr.memory == pytest.approx(0.5 ** 59, rel=1e-9)  # ||W^59|| for an orthogonal W times 0.5


def test_linear_radius_1_5_explodes_and_the_caption_says_so():
    """Issue 13: linear phi, rho = 1.5: the state explodes; the caption must not call that ringing memory."""
    tr = rc.hidden_trajectories(radius=1.5, phi=Phi("linear"), inputs="pulse")
    text = rc.trajectory_caption(tr)
    assert tr.exploded and "explodes" in text and "rings on" not in text


def test_clipping_is_shown_where_it_acts():
    vanishing = rc.time_gradients(T=60, radius=1.0, phi=Phi("tanh"), clip=1.0)
    assert vanishing.regime == "vanishes" and "only vanishes" in rc.clipping_note(vanishing)
    # the note's suggestion is true: linear phi, rho = 1.3 explodes and clipping acts on it
    exploding = rc.time_gradients(T=60, radius=1.3, phi=Phi("linear"), clip=1.0)
    assert exploding.regime == "explodes" and exploding.clip_scale < 1
    assert "That is what clipping is for" in rc.clipping_note(exploding)
    assert rc.clipping_note(rc.time_gradients(T=60)) == ""


def test_adding_verdict_follows_the_numbers():
    g = rc.GUESS_ONE_MSE
    text = rc.adding_verdict({"rnn": 0.9 * g, "lstm": 0.01 * g, "gru": 0.5 * g}, 40)
    assert "LSTM got below a tenth" in text and "vanilla RNN stayed near the baseline" in text
    assert "GRU beat the baseline only partly" in text


# ---------------------------------------------------------------------------------------------- precomputed
def test_precomputed_adding_runs_are_the_defaults_and_show_the_claim():
    runs, jac_settings, jac = rc.load_adding()
    assert {s.T for s in runs} == set(range(10, 101, 10))
    assert all(s == rc.AddingSettings(T=s.T) for s in runs)  # the page's defaults at every length
    assert jac_settings == rc.AddingSettings()
    by_T = {s.T: c for s, c in runs.items()}
    for T in (50, 80):
        final = {c: by_T[T].final(c) for c in rc.CELLS}
        assert final["rnn"] > 0.8 * rc.GUESS_ONE_MSE
        assert final["lstm"] < 0.1 * rc.GUESS_ONE_MSE and final["gru"] < 0.1 * rc.GUESS_ONE_MSE
        assert "vanilla RNN stayed near the baseline" in rc.adding_verdict(final, T)
    assert jac["lstm"][-1] > 1e3 * jac["rnn"][-1]


def test_a_reduced_live_run_reproduces_the_precomputed_adding_run():
    runs, _, _ = rc.load_adding()
    stored = runs[rc.AddingSettings(T=10)]
    live = rc.AddingRun(rc.AddingSettings(T=10, n_steps=20)).run().curves()
    assert live.steps == stored.steps[:2]
    for c in rc.CELLS:
        np.testing.assert_allclose(live.loss[c], stored.loss[c][:2], rtol=1e-5)


# ---------------------------------------------------------------------------------------------- claim sweeps
def _trajectory_claims(tr: rc.Trajectories) -> None:
    text = rc.trajectory_caption(tr)
    if "explodes" in text:
        assert tr.exploded
    else:
        assert not tr.exploded and np.all(np.isfinite(tr.h))
    if "then fades" in text:
        assert tr.echo_left < 0.01
    if "does not fade" in text:
        assert tr.echo_left >= 0.01
    if "old inputs fade" in text:
        assert tr.memory < 0.01
    if "old inputs do not fade" in text:
        assert tr.memory >= 0.01


@pytest.mark.parametrize("inputs", rc.INPUT_KINDS)
def test_trajectory_captions_at_the_radius_ends(inputs):
    for phi, radius in itertools.product(RNN_PHIS, (0.5, 1.5)):
        _trajectory_claims(rc.hidden_trajectories(radius=radius, phi=Phi(phi), inputs=inputs))


@pytest.mark.slow
def test_trajectory_captions_sweep():
    for phi, radius, inputs in itertools.product(RNN_PHIS, (0.5, 0.9, 1.0, 1.05, 1.2, 1.5), rc.INPUT_KINDS):
        _trajectory_claims(rc.hidden_trajectories(radius=radius, phi=Phi(phi), inputs=inputs))


def _time_gradient_claims(tg: rc.TimeGradients) -> None:
    end, T = float(tg.jac[-1]), len(tg.lag) - 1
    take, note = rc.time_gradient_takeaway(tg), rc.clipping_note(tg)
    if "cannot learn from what happened" in take:
        assert end < rc.FADED
    elif "they explode" in take:
        assert not tg.finite or end > 1 / rc.FADED
    else:
        assert rc.FADED <= end <= 1 / rc.FADED
    if "Clipping did nothing" in note:
        assert tg.clip is not None and tg.total_norm <= tg.clip
    if "Clipping rescaled" in note:
        assert tg.clip_scale < 1 and tg.clip_scale * tg.total_norm == pytest.approx(tg.clip)
    if "only vanishes" in note:
        assert end < rc.FADED
    if "That is what clipping is for" in note:
        assert not tg.finite or end > 1 / rc.FADED
    bound = rc.bound_note(tg)
    if "below 1: the gradient must vanish" in bound:
        assert tg.gamma * tg.w_norm < 1 and end <= (tg.gamma * tg.w_norm) ** T * (1 + 1e-9)
    else:
        assert "at least 1: it may explode" in bound and tg.gamma * tg.w_norm >= 1


@pytest.mark.slow
@pytest.mark.parametrize("phi", RNN_PHIS)
def test_time_gradient_claims_sweep(phi):
    for radius, kind, T, clip in itertools.product((0.5, 1.0, 1.5), rc.MATRIX_KINDS, (10, 200), (None, 0.1, 10.0)):
        _time_gradient_claims(rc.time_gradients(T=T, radius=radius, phi=Phi(phi), kind=kind, clip=clip))


def test_time_gradient_claims_at_defaults_and_an_explosion():
    _time_gradient_claims(rc.time_gradients(radius=0.8))  # gamma ||W|| = 0.8: must vanish
    _time_gradient_claims(rc.time_gradients())
    _time_gradient_claims(rc.time_gradients(T=200, radius=1.5, phi=Phi("linear"), clip=1.0))
