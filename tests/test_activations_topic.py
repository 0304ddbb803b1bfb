"""The activation experiments against theory: saturation, kinks, the linear collapse, exact ReLU sums,
signal and gradient spread through depth, and the race (which must equal training each network alone)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from nnviz import activation_lab as lab
from nnviz import activations
from nnviz.figures import activations as figs
from nnviz.mlp import build_mlp, linear_layers

# ----- gallery and properties ---------------------------------------------------------------------------------


def test_sigmoid_saturates_beyond_the_closed_form_threshold():
    # sigma'(z) = s(1 - s) = 0.1  <=>  s = (1 + sqrt(0.6)) / 2  <=>  |z| = ln((1 + sqrt .6) / (1 - sqrt .6))
    z_star = math.log((1 + math.sqrt(0.6)) / (1 - math.sqrt(0.6)))
    c = lab.curve("sigmoid", 5.0, n=2001)
    dz = c.z[1] - c.z[0]
    (a0, a1), (b0, b1) = c.saturated
    assert a0 == -5.0 and b1 == 5.0
    assert a1 == pytest.approx(-z_star, abs=dz) and b0 == pytest.approx(z_star, abs=dz)
    np.testing.assert_allclose(c.phi, activations.phi("sigmoid", c.z))
    np.testing.assert_allclose(c.dphi, activations.dphi("sigmoid", c.z))


def test_saturated_intervals_edge_cases():
    z = np.arange(6.0)
    assert lab.saturated_intervals(z, np.ones(6)) == ()
    assert lab.saturated_intervals(z, np.zeros(6)) == ((0.0, 5.0),)
    assert lab.saturated_intervals(z, np.array([1, 0, 1, 0, 0, 1.0])) == ((1.0, 1.0), (3.0, 4.0))
    relu = lab.curve("relu", 2.0, n=5)  # z = -2, -1, 0, 1, 2; autograd's ReLU'(0) = 0
    assert relu.saturated == ((-2.0, 0.0),)


def test_properties_kinks_and_jumps():
    relu = lab.properties("relu")
    assert math.isnan(relu.dphi0) and relu.dphi0_left == pytest.approx(0) and relu.dphi0_right == pytest.approx(1)
    assert "kink" in relu.dphi0_text
    assert "jump" in lab.properties("step").dphi0_text
    sig = lab.properties("sigmoid")
    assert sig.dphi0 == pytest.approx(0.25) and sig.phi0 == pytest.approx(0.5) and sig.dphi0_text == "0.25"
    # ELU is C^1 at 0 only for alpha = 1
    assert lab.properties("elu", alpha=1.0).dphi0 == pytest.approx(1.0)
    assert math.isnan(lab.properties("elu", alpha=2.0).dphi0)
    assert lab.properties("softplus", beta=2.0).phi0 == pytest.approx(math.log(2) / 2)
    assert lab.properties("gaussian").dphi0_text == "0"


def test_plain_ranges():
    assert lab.plain(r"[0, \infty)") == "[0, ∞)"
    assert lab.plain(r"(-\lambda\alpha, \infty)") == "(-λα, ∞)"
    assert lab.plain(r"\{0, 1\}") == "{0, 1}"


# ----- the linear collapse ------------------------------------------------------------------------------------


def test_collapse_of_a_random_stack_float64():
    rng = np.random.default_rng(3)
    widths = [3, 7, 5, 4, 2]
    ws = [rng.normal(size=(b, a)) for a, b in zip(widths[:-1], widths[1:], strict=False)]
    bs = [rng.normal(size=b) for b in widths[1:]]
    c = lab.collapse(ws, bs)
    assert c.w_eff.shape == (2, 3) and c.b_eff.shape == (2,)
    np.testing.assert_allclose(c.w_eff, ws[3] @ ws[2] @ ws[1] @ ws[0], rtol=1e-12)
    b_eff = ws[3] @ ws[2] @ ws[1] @ bs[0] + ws[3] @ ws[2] @ bs[1] + ws[3] @ bs[2] + bs[3]
    np.testing.assert_allclose(c.b_eff, b_eff, rtol=1e-12)
    x = rng.normal(size=(50, 3))
    np.testing.assert_allclose(lab.forward_stack(x, ws, bs), x @ c.w_eff.T + c.b_eff, rtol=1e-10, atol=1e-10)


def test_collapse_of_a_torch_linear_network_to_1e_5():
    model = build_mlp([4, 16, 16, 16, 3], "linear", seed=1)  # float32, torch's default init
    layers = linear_layers(model)
    c = lab.collapse([m.weight.detach().numpy() for m in layers], [m.bias.detach().numpy() for m in layers])
    x = torch.randn(100, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y_net = model(x).numpy()
    assert np.max(np.abs(y_net - (x.numpy() @ c.w_eff.T + c.b_eff))) < 1e-5
    # with a nonlinearity the same weights are no longer one affine map
    model_tanh = build_mlp([4, 16, 16, 16, 3], "tanh", seed=1)
    with torch.no_grad():
        y_tanh = model_tanh(x).numpy()
    assert np.max(np.abs(y_tanh - (x.numpy() @ c.w_eff.T + c.b_eff))) > 1e-2


def test_linear_stack_cannot_fit_a_parabola_and_tanh_can():
    lin = lab.fit_1d("linear", "square", (8, 8), steps=300)
    tanh = lab.fit_1d("tanh", "square", (8, 8), steps=300)
    c = lab.collapse(lin.weights, lin.biases)
    np.testing.assert_allclose(lin.y_hat, c.w_eff[0, 0] * lin.x + c.b_eff[0], atol=1e-12)
    slope, intercept = lab.least_squares_line(lin.x, lin.y)
    best_line = np.mean((slope * lin.x + intercept - lin.y) ** 2)
    assert slope == pytest.approx(0.0, abs=1e-12)  # x^2 on a symmetric grid: the best line is flat
    assert lin.final_loss >= best_line - 1e-12  # no linear network beats the least-squares line
    assert lin.final_loss < best_line + 1e-3  # and training gets there
    assert tanh.final_loss < 0.1 * best_line
    assert lin.loss.shape == (300,) and lin.final_loss == pytest.approx(np.mean((lin.y_hat - lin.y) ** 2))


def test_a_race_of_linear_and_phi_collapses_the_linear_one():
    state = lab.race_advance(lab.race_start(["linear", "relu"], (8, 8, 8)), 50, "abs")
    lin, relu = lab.race_fits(state, "abs")
    c = lab.collapse(lin.weights, lin.biases)
    assert len(lin.weights) == 4 and c.w_eff.shape == (1, 1)
    np.testing.assert_allclose(lin.y_hat, c.w_eff[0, 0] * lin.x + c.b_eff[0], atol=1e-12)
    relu_c = lab.collapse(relu.weights, relu.biases)
    assert np.max(np.abs(relu.y_hat - (relu_c.w_eff[0, 0] * relu.x + relu_c.b_eff[0]))) > 1e-2


def test_fit_is_reproducible_and_targets_are_named():
    a = lab.fit_1d("relu", "abs", (4,), steps=20, seed=5)
    b = lab.fit_1d("relu", "abs", (4,), steps=20, seed=5)
    np.testing.assert_array_equal(a.loss, b.loss)
    with pytest.raises(ValueError, match="Unknown target"):
        lab.target("nope", np.zeros(2))


# ----- ReLU sums ----------------------------------------------------------------------------------------------


def test_relu_sum_reproduces_a_piecewise_linear_function_exactly():
    rng = np.random.default_rng(0)
    xk = np.sort(rng.uniform(-2, 2, size=9))
    yk = rng.normal(size=9)
    rs = lab.relu_sum_from_points(xk, yk)
    x = np.concatenate([np.linspace(xk[0], xk[-1], 1001), xk])
    np.testing.assert_allclose(rs(x), np.interp(x, xk, yk), atol=1e-12)
    # the one-hidden-layer network with the stated weights computes the same function
    net = torch.nn.Sequential(torch.nn.Linear(1, len(rs.knots), dtype=torch.float64), torch.nn.ReLU(),
                              torch.nn.Linear(len(rs.knots), 1, dtype=torch.float64))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(rs.w1))
        net[0].bias.copy_(torch.from_numpy(rs.b1))
        net[2].weight.copy_(torch.from_numpy(rs.w2))
        net[2].bias.copy_(torch.from_numpy(rs.b2))
        y_net = net(torch.from_numpy(x).unsqueeze(1)).squeeze(1).numpy()
    np.testing.assert_allclose(y_net, np.interp(x, xk, yk), atol=1e-12)
    # each term is one ReLU, and the terms plus the bias add up to f
    np.testing.assert_allclose(rs.terms(x).sum(axis=0) + rs.bias, rs(x), atol=1e-12)
    np.testing.assert_allclose(rs.slopes, np.diff(yk) / np.diff(xk), atol=1e-12)


def test_relu_sum_from_knots_bends_where_told():
    rs = lab.relu_sum_from_knots(-1.0, 0.5, 1.0, [0.4, -0.3], [2.5, -2.0])
    assert list(rs.knots) == [-1.0, -0.3, 0.4]
    assert rs(np.array([-1.0]))[0] == pytest.approx(0.5)
    h = 1e-6
    for x0, slope in ((-0.6, 1.0), (0.0, -1.0), (0.8, 1.5)):
        assert (rs(np.array([x0 + h]))[0] - rs(np.array([x0]))[0]) / h == pytest.approx(slope, abs=1e-6)
    with pytest.raises(ValueError):
        lab.relu_sum_from_points(np.array([0.0, 0.0]), np.array([1.0, 2.0]))


def test_relu_sum_target_interpolates_the_target():
    rs = lab.relu_sum_target("sine", 7)
    xk = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(rs(xk), np.sin(np.pi * xk), atol=1e-12)
    more = lab.relu_sum_target("sine", 16)
    x = np.linspace(-1, 1, 501)
    assert np.max(np.abs(more(x) - np.sin(np.pi * x))) < np.max(np.abs(rs(x) - np.sin(np.pi * x)))


# ----- depth propagation --------------------------------------------------------------------------------------


def test_xavier_linear_stack_keeps_its_spread_while_sigmoid_gradients_vanish():
    lin = lab.propagate("linear", "xavier", depth=50, width=256, seed=0)
    assert lin.act_std.max() / lin.act_std.min() < 3.0
    assert lin.grad_std.max() / lin.grad_std.min() < 3.0
    sig = lab.propagate("sigmoid", "xavier", depth=50, width=256, seed=0)
    assert sig.grad_std[0] / sig.grad_std[-1] < 1e-10  # orders of magnitude
    per_layer = (sig.grad_std[0] / sig.grad_std[-1]) ** (1 / 49)
    assert 0.15 < per_layer <= 0.25 * 1.05  # about sigma'(z) ~ 0.2-0.25 per layer, never more than 0.25


def test_he_init_doubles_the_variance_of_a_linear_stack_per_layer():
    he = lab.propagate("linear", "he", depth=30, width=256, seed=1)
    growth = math.log2(he.act_std[-1] / he.act_std[0]) / 29
    assert growth == pytest.approx(0.5, abs=0.06)  # std grows like sqrt(2) per layer


def test_dead_units():
    step = lab.propagate("step", "xavier", depth=10, width=64)
    assert np.all(step.dead == 1.0) and np.all(step.grad_std[:-1] == 0.0)
    tanh = lab.propagate("tanh", "xavier", depth=10, width=64)
    assert np.all(tanh.dead == 0.0)
    relu = lab.propagate("relu", "he", depth=50, width=64)
    assert relu.dead.min() >= 0.0 and relu.dead.max() <= 1.0
    assert relu.dead[-10:].mean() > relu.dead[:3].mean()  # inputs grow alike with depth, whole units die


def test_weight_std_and_sigma_init():
    assert lab.weight_std("xavier", 100) == pytest.approx(0.1)
    assert lab.weight_std("he", 50) == pytest.approx(0.2)
    assert lab.weight_std("sigma", 16, 2.0) == pytest.approx(0.5)
    p = lab.propagate("linear", "sigma", depth=5, width=128, sigma_w=2.0)
    assert p.w_std == pytest.approx(2.0 / math.sqrt(128))
    assert p.act_std[-1] / p.act_std[0] == pytest.approx(2.0**4, rel=0.3)
    with pytest.raises(ValueError):
        lab.weight_std("lecun", 10)


# ----- the race -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["relu", "gelu"])
def test_race_equals_training_each_network_alone(key):
    state = lab.race_advance(lab.race_start(["sigmoid", key]), 60, "wave", 0.01)
    alone = lab.fit_1d(key, "wave", (16, 16), steps=60, lr=0.01, seed=0)
    np.testing.assert_allclose(state.loss[1], alone.loss, rtol=1e-8, atol=1e-12)
    fits = lab.race_fits(state, "wave")
    np.testing.assert_allclose(fits[1].y_hat, alone.y_hat, atol=1e-8)


def test_race_in_chunks_equals_race_in_one_go():
    keys = ["tanh", "leaky_relu"]
    params = {"leaky_relu": {"alpha": 0.2}}
    one = lab.race_advance(lab.race_start(keys), 40, "bump", params=params)
    two = lab.race_advance(lab.race_advance(lab.race_start(keys), 25, "bump", params=params), 15, "bump",
                           params=params)
    assert two.step == 40 and two.loss.shape == (2, 40)
    np.testing.assert_allclose(one.loss, two.loss, rtol=1e-12)
    for a, b in zip(one.weights, two.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_race_learns():
    state = lab.race_advance(lab.race_start(["relu", "tanh"]), 200, "sine", 0.01)
    assert np.all(state.loss[:, -1] < 0.2 * state.loss[:, 0])


# ----- figures ------------------------------------------------------------------------------------------------


def _valid(fig: go.Figure) -> go.Figure:
    """Rebuild with plotly's validation on: catches any misspelt property the fast path let through."""
    return go.Figure(fig.to_dict())


def test_figures_are_valid_and_labelled():
    curves = [lab.curve(k, 4.0) for k in ("sigmoid", "relu", "step")]
    g = _valid(figs.gallery(curves, 1.0, shade=True))
    names = ("Sigmoid", "ReLU", "Unit step")
    assert len([t for t in g.data if t.name in names and t.showlegend is not False]) == 3  # one legend entry each
    assert len([t for t in g.data if t.name in names]) == 9  # phi, phi' and phi's saturated stretch
    assert g.layout.xaxis.title.text and g.layout.yaxis2.title.text and len(g.layout.shapes) > 0
    plain = _valid(figs.gallery(curves, None, shade=False))
    assert len(plain.layout.shapes) == 0 and len([t for t in plain.data if t.name in names]) == 6
    # the highlighted stretch of the sigmoid is exactly where |phi'| < 0.1
    sig_flat = [t for t in figs.gallery(curves, 1.0, shade=True).data if t.name == "Sigmoid"][2]
    assert np.array_equal(~np.isnan(np.asarray(sig_flat.y, dtype=float)), np.abs(curves[0].dphi) < 0.1)

    lin = lab.fit_1d("linear", steps=5)
    tanh = lab.fit_1d("tanh", steps=5)
    c = _valid(figs.collapse_fit(lin, tanh, 1.0, 0.0, (1.0, 0.0), "tanh"))
    assert c.layout.xaxis.title.text == "input x" and len(c.data) == 5

    rs = lab.relu_sum_target("sine", 5)
    x = np.linspace(-1, 1, 101)
    r = _valid(figs.relu_sum(rs, x, lab.target("sine", x)))
    assert r.layout.xaxis2.title.text and {t.name for t in r.data} >= {"target", "sum of ReLUs", "knots"}

    props = [lab.propagate(k, depth=8, width=32) for k in ("sigmoid", "step")]
    p = _valid(figs.propagation(props))
    assert p.layout.yaxis.type == "log" and p.layout.yaxis2.type == "log" and p.layout.yaxis3.title.text

    race = lab.race_fits(lab.race_advance(lab.race_start(["relu", "tanh"]), 5), "sine")
    rf = _valid(figs.race(race))
    assert rf.layout.yaxis.type == "log" and len(rf.data) == 5


def test_many_activations_stay_distinguishable():
    keys = activations.names()
    assert len(set(zip(figs.colours(keys).values(), figs.dashes(keys).values(), strict=True))) == len(keys)
    curves = [lab.curve(k, 3.0, n=61) for k in keys]
    fig = figs.gallery(curves, 0.0, shade=True)
    assert len(fig.layout.shapes) == 2  # only the probe lines: no background shading for 18 activations
    highlighted = [t for t in fig.data if t.line.width == 11]
    assert len(highlighted) == len(keys)  # but every curve's saturated stretch is still drawn


def test_relu_sum_figure_draws_every_term_exactly():
    rs = lab.relu_sum_from_knots(-1.0, 0.0, 1.0, [-0.2, 0.5], [-2.0, 3.0])
    fig = figs.relu_sum(rs, np.linspace(-1, 1, 11))
    pos = next(t for t in fig.data if t.name == "term, s > 0")
    xs, ys = np.asarray(pos.x, dtype=float), np.asarray(pos.y, dtype=float)
    ok = ~np.isnan(xs)
    # every drawn corner lies on its term: the start slope term (s=1 at -1) and s=3 at 0.5
    on_a_term = np.isclose(ys[ok], 1.0 * np.maximum(0, xs[ok] + 1)) | np.isclose(ys[ok], 3 * np.maximum(0, xs[ok]
                                                                                                         - 0.5))
    assert on_a_term.all()


def test_torch_work_runs_single_threaded_in_a_fresh_thread():
    """Streamlit runs each script run in a new thread, where OpenMP starts again at one thread per core."""
    import os
    import threading

    seen = []

    def run():
        lab.race_start(["relu"])
        seen.append(torch.get_num_threads())

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert seen == [max(1, int(os.environ.get("NNVIZ_TORCH_THREADS", "1")))]
