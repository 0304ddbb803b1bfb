"""Skip connections: plain vs residual stacks checked against torch autograd and the claims the page makes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz import connections as cx


def test_branch_alpha():
    assert cx.branch_alpha("one", 50) == 1.0
    assert cx.branch_alpha("inv_sqrt_depth", 49) == pytest.approx(1 / 7)
    with pytest.raises(ValueError):
        cx.branch_alpha("nope", 3)


@pytest.mark.parametrize("residual", [False, True])
def test_stack_is_the_formula(residual):
    """h_l = W_l phi(h_{l-1}) + b_l, plus h_{l-1} (times 1, alpha on the branch) when residual."""
    m = cx.Stack(3, 5, 4, 2, phi="tanh", residual=residual, alpha=0.3, init="xavier", seed=1, dtype=torch.float64)
    x = torch.randn(7, 3, dtype=torch.float64)
    h = x @ m.inp.weight.T + m.inp.bias
    for layer in m.layers:
        branch = torch.tanh(h) @ layer.weight.T + layer.bias
        h = h + 0.3 * branch if residual else branch
    y = torch.tanh(h) @ m.out.weight.T + m.out.bias
    torch.testing.assert_close(m(x), y)


def test_same_seed_same_weights_with_and_without_skips():
    a = cx.Stack(4, 8, 3, residual=False, seed=3)
    b = cx.Stack(4, 8, 3, residual=True, seed=3)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_depth_50_residual_gradient_survives_plain_sigmoid_vanishes():
    """The issue's criterion: at depth 50 the residual first-layer gradient stays within 10x of the last layer's,
    the plain sigmoid network's falls by orders of magnitude."""
    gf = cx.gradient_flow(50, width=64, phi="sigmoid", init="xavier", branch_scale="inv_sqrt_depth", seed=0)
    assert len(gf.layer) == 50
    assert 0.1 <= gf.ratio("residual") <= 10
    assert gf.ratio("plain") < 1e-6
    assert 0.1 <= gf.residual_h[0] / gf.residual_h[-1] <= 10
    assert gf.plain_h[0] / gf.plain_h[-1] < 1e-6


def test_gradient_flow_matches_autograd_directly():
    gf = cx.gradient_flow(6, width=8, phi="tanh", init="he", n=16, seed=2)
    g = torch.Generator().manual_seed(3)  # gradient_flow uses seed + 1
    x = torch.randn(16, 8, generator=g, dtype=torch.float64)
    y = torch.randn(16, 1, generator=g, dtype=torch.float64)
    m = cx.Stack(8, 8, 6, 1, phi="tanh", residual=True, alpha=cx.branch_alpha("inv_sqrt_depth", 6), init="he",
                 seed=2, dtype=torch.float64)
    loss = 0.5 * ((m(x) - y) ** 2).mean()
    grads = torch.autograd.grad(loss, [layer.weight for layer in m.layers])
    np.testing.assert_allclose(gf.residual, [float(gr.norm()) for gr in grads], rtol=1e-10)


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("phi", ["tanh", "relu", "sigmoid"])
def test_layer_jacobians_match_autograd(residual, phi):
    """The product of the per-layer Jacobians (the formula on screen) equals autograd's dh_L/dh_0."""
    m = cx.Stack(6, 6, 5, 1, phi=phi, residual=residual, alpha=0.5, init="xavier", seed=4, dtype=torch.float64)
    x = torch.randn(1, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    jacs = cx.layer_jacobians(m, x)
    prod = np.eye(6)
    for j in jacs:
        prod = j @ prod
    h0 = m.inp(x).detach()

    def from_h0(h):
        for layer in m.layers:
            branch = layer(m.phi(h))
            h = h + 0.5 * branch if residual else branch
        return h

    auto = torch.autograd.functional.jacobian(from_h0, h0)[0, :, 0, :].numpy()
    np.testing.assert_allclose(prod, auto, rtol=1e-9, atol=1e-12)
    norms = cx.cumulative_norms(jacs)
    assert norms[0] == 1.0
    assert norms[-1] == pytest.approx(np.linalg.norm(auto, 2))


def test_depth_jacobian_plain_sigmoid_vanishes_residual_does_not():
    dj = cx.depth_jacobian(60, width=32, phi="sigmoid", init="xavier")
    assert dj.plain[-1] < 1e-10
    assert 0.1 < dj.residual[-1] < 10


def test_autocorrelation_against_numpy():
    rng = np.random.default_rng(0)
    g = np.cumsum(rng.standard_normal(300))
    r = cx.autocorrelation(g, 10)
    d = g - g.mean()
    full = np.correlate(d, d, mode="full")[len(d) - 1:] / (d @ d)
    np.testing.assert_allclose(r, full[:11])
    assert r[0] == pytest.approx(1.0)
    white = cx.autocorrelation(rng.standard_normal(5000), 3)
    assert abs(white[1]) < 0.05


def test_unit_gradients_match_per_sample_autograd():
    m = cx.Stack(1, 12, 4, 1, phi="relu", residual=False, init="he", batch_norm=True, seed=0, dtype=torch.float64)
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None]
    units, dy = cx._unit_gradients(m, x)
    assert units.shape == (9, 12)
    for i in range(9):
        xi = x[i:i + 1].clone().requires_grad_(True)
        (g,) = torch.autograd.grad(m(xi).sum(), xi)  # eval mode: batch statistics frozen
        assert dy[i] == pytest.approx(float(g), rel=1e-9, abs=1e-12)


def test_shattering_needs_depth_and_batch_norm():
    sh = cx.shattered_gradients(depth=24, width=200, n=256, batch_norm=True, seed=0)
    r1 = {k: v[1] for k, v in sh.autocorr.items()}
    assert r1["one_layer"] > 0.9  # brown noise: smooth
    assert abs(r1["deep_plain"]) < 0.3  # white noise: shattered
    assert r1["deep_residual"] > 0.6  # skips keep it coherent
    assert sh.corr["deep_plain"].shape == (256, 256)
    np.testing.assert_allclose(np.diag(sh.corr["one_layer"]), 1.0, atol=1e-6)
    # the effect needs batch norm: without it the deep plain gradient stays far smoother
    plain_no_bn = cx.shattered_gradients(depth=24, width=200, n=256, batch_norm=False, seed=0)
    assert plain_no_bn.autocorr["deep_plain"][1] > 0.5


def test_zero_bias_relu_net_of_one_input_has_a_two_valued_gradient():
    """Why the first layer gets random biases: with zero biases a ReLU network is positively homogeneous,
    y(x) = x y(sign x), so dy/dx takes one value for x < 0 and one for x > 0, at any depth."""
    m = cx.Stack(1, 30, 8, 1, phi="relu", init="he", seed=0)
    x = torch.linspace(-2, 2, 64)[:, None]
    _, dy = cx._unit_gradients(m, x)
    scale = np.abs(dy).max()
    assert np.ptp(dy[:32]) < 1e-5 * scale and np.ptp(dy[32:]) < 1e-5 * scale
    m = cx.Stack(1, 30, 8, 1, phi="relu", init="he", seed=0, input_bias_std=1.0)
    _, dy = cx._unit_gradients(m, x)
    assert len(np.unique(np.round(dy / scale, 6))) > 5


def test_filter_normalised_direction():
    m = cx.Stack(2, 7, 3, 1, seed=0)
    d = cx.filter_normalised_direction(m, torch.Generator().manual_seed(0))
    for p, u in zip(m.parameters(), d, strict=True):
        assert u.shape == p.shape
        if p.dim() <= 1:
            assert torch.all(u == 0)
        else:
            torch.testing.assert_close(u.norm(dim=1), p.detach().norm(dim=1))


def test_loss_surface_centre_is_the_trained_loss_and_weights_are_restored():
    x, y = cx.spiral_task(40, seed=0)
    m = cx.Stack(2, 6, 3, 1, seed=0)
    before = [p.detach().clone() for p in m.parameters()]
    ls = cx.loss_surface(m, x, y, span=1.0, k=5)
    assert ls.loss.shape == (5, 5)
    assert ls.loss[2, 2] == pytest.approx(ls.trained_loss, rel=1e-5)
    assert ls.trained_loss == pytest.approx(torch.nn.BCEWithLogitsLoss()(m(x), y).item(), rel=1e-6)
    for p, q in zip(m.parameters(), before, strict=True):
        assert torch.equal(p, q)


def test_degradation_trainer_lowers_every_loss():
    tr = cx.DegradationTrainer(depths=(2, 5), width=8, n_steps=40, max_seconds=30)
    run = tr.finish()
    assert tr.done and tr.progress == 1.0 and run.steps[-1] == 40
    for key, curve in run.curves.items():
        assert len(curve) == len(run.steps) == 4
        assert curve[-1] < curve[0], key


def test_degradation_trainer_stops_at_its_time_limit():
    tr = cx.DegradationTrainer(depths=(2,), width=4, n_steps=10**6, max_seconds=0.2)
    tr.advance(0.5)
    assert tr.done and tr.stopped_by_time and "time limit" in tr.status()


def test_landscape_trainer_lowers_loss_and_maps_both():
    tr = cx.LandscapeTrainer(depth=3, width=6, n_steps=60, k=5, max_seconds=30)
    x, y = tr.x, tr.y
    start = {k: float(torch.nn.BCEWithLogitsLoss()(m(x), y)) for k, m in tr.models.items()}
    res = tr.finish()
    assert set(res) == {"plain", "residual"} and res["residual"].residual
    for k in res:
        assert res[k].trained_loss < start[k]
        assert res[k].loss.shape == (5, 5)


def test_precomputed_defaults_show_degradation():
    """The shipped default run shows what the page says: the deepest plain net trains worse than the shallow
    one, the residual ones do not."""
    pre = cx.load_precomputed("degradation")
    assert pre is not None
    final = {k: v[-1] for k, v in pre["curves"].items()}
    shallow, deep = min(pre["depths"]), max(pre["depths"])
    assert final[f"plain|{deep}"] > 10 * final[f"plain|{shallow}"]
    assert final[f"residual|{deep}"] < 3 * final[f"residual|{shallow}"]
    land = cx.load_precomputed("landscape")
    assert set(land["surfaces"]) == {"plain", "residual"}
    assert cx.load_precomputed("does_not_exist") is None


def test_run_clock_counts_redraw_gaps_but_not_pauses():
    import time

    clock = cx.RunClock(gap_s=0.2)
    t0 = clock.start()
    time.sleep(0.05)
    clock.stop(t0)
    time.sleep(0.05)  # a redraw between slices: counts
    t0 = clock.start()
    clock.stop(t0)
    assert 0.09 < clock.elapsed < 0.2
    time.sleep(0.3)  # a pause: does not count
    before = clock.elapsed
    t0 = clock.start()
    clock.stop(t0)
    assert clock.elapsed - before < 0.05


def test_landscape_trainer_maps_the_grid_within_its_time_limit():
    tr = cx.LandscapeTrainer(depth=3, width=6, n_steps=10**6, k=5, max_seconds=1.0)
    tr.map_reserve_s = 0.5
    while not tr.done:
        tr.advance(0.1)
    assert tr.seconds < 3.0 and tr.step < 10**6 and set(tr.result) == {"plain", "residual"}


def test_precomputed_degradation_is_what_the_trainer_produces():
    """The shipped file is reproducible: the default trainer's first recorded losses match it."""
    pre = cx.load_precomputed("degradation")
    tr = cx.DegradationTrainer(n_steps=10, max_seconds=60)
    run = tr.finish()
    for (kind, d), curve in run.curves.items():
        assert curve[0] == pytest.approx(pre["curves"][f"{kind}|{d}"][0], rel=1e-3)
