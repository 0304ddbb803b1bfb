"""The activation page's maths against theory and autograd (the gallery's closed forms included), and its
sentences against the results they go with.

Unit tests: saturation, kinks, the linear collapse, exact ReLU sums, spread through depth, the race (which must
equal training each network alone with torch.optim.Adam, and give the same numbers under any time budget).
Claim tests sweep the settings and check each sentence's condition on the result it is shown with.
"""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from nnviz import activations
from nnviz.activations import Phi
from nnviz.figures import activations as figs
from nnviz.figures import style
from nnviz.format import number
from nnviz.mlp import build_mlp, linear_layers, numpy_linear
from nnviz.topics import activations as topic

ALL = [Phi(k) for k in activations.names()]

# ----- gallery and properties ---------------------------------------------------------------------------------


def test_sigmoid_saturates_beyond_the_closed_form_threshold():
    # sigma'(z) = s(1 - s) = 0.1  <=>  s = (1 + sqrt(0.6)) / 2  <=>  |z| = ln((1 + sqrt .6) / (1 - sqrt .6))
    z_star = math.log((1 + math.sqrt(0.6)) / (1 - math.sqrt(0.6)))
    c = topic.curve(Phi("sigmoid"), 5.0, n=2001)
    dz = c.z[1] - c.z[0]
    (a0, a1), (b0, b1) = c.saturated
    assert a0 == -5.0 and b1 == 5.0
    assert a1 == pytest.approx(-z_star, abs=dz) and b0 == pytest.approx(z_star, abs=dz)
    s = 1 / (1 + np.exp(-c.z))
    np.testing.assert_allclose(c.phi, s, rtol=1e-12)
    np.testing.assert_allclose(c.dphi, s * (1 - s), rtol=1e-10, atol=1e-15)


def test_curve_closed_form_derivative_equals_autograd_of_the_torch_form():
    act = Phi("elu", alpha=2.0)
    c = topic.curve(act, 3.0, n=101)
    z = torch.tensor(c.z, requires_grad=True)
    (g,) = torch.autograd.grad(act.torch(z).sum(), z)
    np.testing.assert_allclose(c.dphi, g.numpy(), rtol=1e-12)
    np.testing.assert_allclose(c.phi, act.torch(torch.tensor(c.z)).numpy(), rtol=1e-12)
    assert topic.probe(act, -1.0) == pytest.approx((2.0 * (math.exp(-1) - 1), 2.0 * math.exp(-1)))


def test_saturated_intervals_edge_cases():
    z = np.arange(6.0)
    assert topic.saturated_intervals(z, np.ones(6)) == ()
    assert topic.saturated_intervals(z, np.zeros(6)) == ((0.0, 5.0),)
    assert topic.saturated_intervals(z, np.array([1, 0, 1, 0, 0, 1.0])) == ((1.0, 1.0), (3.0, 4.0))
    relu = topic.curve(Phi("relu"), 2.0, n=5)  # z = -2, -1, 0, 1, 2; autograd's ReLU'(0) = 0
    assert relu.saturated == ((-2.0, 0.0),)


def test_properties_kinks_and_jumps():
    relu = topic.properties(Phi("relu"))
    assert math.isnan(relu.dphi0) and relu.dphi0_left == pytest.approx(0) and relu.dphi0_right == pytest.approx(1)
    assert "kink" in relu.dphi0_text and not relu.smooth
    assert "jump" in topic.properties(Phi("step")).dphi0_text
    sig = topic.properties(Phi("sigmoid"))
    assert sig.dphi0 == pytest.approx(0.25) and sig.phi0 == pytest.approx(0.5) and sig.dphi0_text == "0.25"
    # ELU is C^1 at 0 only for alpha = 1
    assert topic.properties(Phi("elu", alpha=1.0)).smooth
    assert not topic.properties(Phi("elu", alpha=2.0)).smooth
    assert topic.properties(Phi("softplus", beta=2.0)).phi0 == pytest.approx(math.log(2) / 2)
    assert topic.properties(Phi("gaussian")).dphi0_text == "0"
    table = topic.properties_table([topic.properties(a) for a in ALL])
    assert {len(v) for v in table.values()} == {len(ALL)}
    assert table["smooth (C¹)"][activations.names().index("relu")] is False


def test_computed_saturation_agrees_with_the_registry_and_follows_parameters():
    for act in ALL:
        assert topic.properties(act).saturating == act.spec.saturating, act.key
    assert topic.properties(Phi("leaky_relu", alpha=0.0)).saturating == "left"  # alpha = 0 is ReLU
    assert topic.properties(Phi("leaky_relu", alpha=0.5)).saturating == "no"


def test_plain_ranges():
    assert topic.plain(r"[0, \infty)") == "[0, ∞)"
    assert topic.plain(r"(-\lambda\alpha, \infty)") == "(-λα, ∞)"
    assert topic.plain(r"\{0, 1\}") == "{0, 1}"


# ----- the linear collapse ------------------------------------------------------------------------------------


def test_collapse_of_a_random_stack_float64():
    rng = np.random.default_rng(3)
    widths = [3, 7, 5, 4, 2]
    ws = [rng.normal(size=(b, a)) for a, b in zip(widths[:-1], widths[1:], strict=False)]
    bs = [rng.normal(size=b) for b in widths[1:]]
    c = topic.collapse(ws, bs)
    assert c.w_eff.shape == (2, 3) and c.b_eff.shape == (2,)
    np.testing.assert_allclose(c.w_eff, ws[3] @ ws[2] @ ws[1] @ ws[0], rtol=1e-12)
    b_eff = ws[3] @ ws[2] @ ws[1] @ bs[0] + ws[3] @ ws[2] @ bs[1] + ws[3] @ bs[2] + bs[3]
    np.testing.assert_allclose(c.b_eff, b_eff, rtol=1e-12)
    x = rng.normal(size=(50, 3))
    np.testing.assert_allclose(topic.forward_stack(x, ws, bs), x @ c.w_eff.T + c.b_eff, rtol=1e-10, atol=1e-10)


def test_collapse_of_a_torch_linear_network_to_1e_5():
    model = build_mlp([4, 16, 16, 16, 3], "linear", seed=1)  # float32, torch's default init
    layers = linear_layers(model)
    c = topic.collapse([m.weight.detach().numpy() for m in layers], [m.bias.detach().numpy() for m in layers])
    x = torch.randn(100, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y_net = model(x).numpy()
    assert np.max(np.abs(y_net - (x.numpy() @ c.w_eff.T + c.b_eff))) < 1e-5
    model_tanh = build_mlp([4, 16, 16, 16, 3], "tanh", seed=1)
    with torch.no_grad():
        y_tanh = model_tanh(x).numpy()
    assert np.max(np.abs(y_tanh - (x.numpy() @ c.w_eff.T + c.b_eff))) > 1e-2


def test_linear_stack_cannot_beat_the_best_line_and_tanh_does():
    res = topic.collapse_experiment(Phi("tanh"), "square", (8, 8))
    np.testing.assert_allclose(res.linear.y_hat, res.w_eff * res.linear.x + res.b_eff, atol=1e-12)
    assert res.line[0] == pytest.approx(0.0, abs=1e-12)  # x^2 on a symmetric grid: the best line is flat
    assert res.linear.final_loss >= res.line_mse - 1e-12  # no linear network beats the least-squares line
    assert res.linear.final_loss < res.line_mse + 1e-3  # and training gets there
    assert res.nonlinear.final_loss < 0.1 * res.line_mse
    assert res.gap < 1e-12 and "rounding only" in res.caption
    assert "bends" in res.takeaway


# ----- ReLU sums ----------------------------------------------------------------------------------------------


def test_relu_sum_reproduces_a_piecewise_linear_function_exactly():
    rng = np.random.default_rng(0)
    xk = np.sort(rng.uniform(-2, 2, size=9))
    yk = rng.normal(size=9)
    rs = topic.relu_sum_from_points(xk, yk)
    x = np.concatenate([np.linspace(xk[0], xk[-1], 1001), xk])
    np.testing.assert_allclose(rs(x), np.interp(x, xk, yk), atol=1e-12)
    net = torch.nn.Sequential(torch.nn.Linear(1, len(rs.knots), dtype=torch.float64), torch.nn.ReLU(),
                              torch.nn.Linear(len(rs.knots), 1, dtype=torch.float64))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(rs.w1))
        net[0].bias.copy_(torch.from_numpy(rs.b1))
        net[2].weight.copy_(torch.from_numpy(rs.w2))
        net[2].bias.fill_(rs.bias)
        y_net = net(torch.from_numpy(x).unsqueeze(1)).squeeze(1).numpy()
    np.testing.assert_allclose(y_net, np.interp(x, xk, yk), atol=1e-12)
    np.testing.assert_allclose(rs.terms(x).sum(axis=0) + rs.bias, rs(x), atol=1e-12)
    np.testing.assert_allclose(rs.slopes, np.diff(yk) / np.diff(xk), atol=1e-12)


def test_relu_sum_from_knots_bends_where_told():
    rs = topic.relu_sum_from_knots(-1.0, 0.5, 1.0, [0.4, -0.3], [2.5, -2.0])
    assert list(rs.knots) == [-1.0, -0.3, 0.4]
    assert rs(np.array([-1.0]))[0] == pytest.approx(0.5)
    h = 1e-6
    for x0, slope in ((-0.6, 1.0), (0.0, -1.0), (0.8, 1.5)):
        assert (rs(np.array([x0 + h]))[0] - rs(np.array([x0]))[0]) / h == pytest.approx(slope, abs=1e-6)
    with pytest.raises(ValueError):
        topic.relu_sum_from_points(np.array([0.0, 0.0]), np.array([1.0, 2.0]))


def test_relu_sum_target_interpolates_the_target():
    rs = topic.relu_sum_target("sine", 7)
    xk = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(rs(xk), np.sin(np.pi * xk), atol=1e-12)
    with pytest.raises(ValueError, match="Unknown target"):
        topic.target("nope", np.zeros(2))


# ----- depth propagation --------------------------------------------------------------------------------------


def test_xavier_linear_stack_keeps_its_spread_while_sigmoid_gradients_vanish():
    lin = topic.propagate(Phi("linear"), "xavier", depth=50, width=256, seed=0)
    assert lin.act_std.max() / lin.act_std.min() < 3.0
    assert lin.grad_std.max() / lin.grad_std.min() < 3.0
    sig = topic.propagate(Phi("sigmoid"), "xavier", depth=50, width=256, seed=0)
    assert sig.grad_ratio < 1e-10
    per_layer = sig.grad_ratio ** (1 / 49)
    assert 0.15 < per_layer <= 0.25 * 1.05  # sigma'(z) ~ 0.2-0.25 per layer, never more than 0.25


def test_backprop_by_hand_equals_autograd_through_the_whole_stack():
    act, width, depth = Phi("tanh"), 32, 6
    p = topic.propagate(act, "he", depth=depth, width=width, batch=16, seed=3)
    # rebuild the same weights (their own generator, seed 3) and inputs (a second one, seed 3 + 1) and let autograd
    # do the backward pass through the whole stack
    std = topic.weight_std("he", width)
    gen_w, gen = torch.Generator().manual_seed(3), torch.Generator().manual_seed(4)
    ws = [torch.randn(width, width, generator=gen_w, dtype=torch.float64) * std for _ in range(depth)]
    h = torch.randn(16, width, generator=gen, dtype=torch.float64).requires_grad_(True)
    hs = []
    for w in ws:
        h = act.torch(h @ w.T)
        h.retain_grad()
        hs.append(h)
    r = torch.randn(16, width, generator=gen, dtype=torch.float64)
    (hs[-1] * r).sum().backward()
    np.testing.assert_allclose(p.grad_std, [float(t.grad.std()) for t in hs], rtol=1e-10)
    np.testing.assert_allclose(p.act_std, [float(t.detach().std()) for t in hs], rtol=1e-12)


def test_he_init_doubles_the_variance_of_a_linear_stack_per_layer():
    he = topic.propagate(Phi("linear"), "he", depth=30, width=256, seed=1)
    growth = math.log2(he.act_std[-1] / he.act_std[0]) / 29
    assert growth == pytest.approx(0.5, abs=0.06)  # std grows like sqrt(2) per layer


def test_dead_units():
    step = topic.propagate(Phi("step"), "xavier", depth=10, width=64)
    assert np.all(step.dead == 1.0) and np.all(step.grad_std[:-1] == 0.0) and step.grad_ratio == 0.0
    tanh = topic.propagate(Phi("tanh"), "xavier", depth=10, width=64)
    assert np.all(tanh.dead == 0.0)
    relu = topic.propagate(Phi("relu"), "he", depth=50, width=64)
    assert relu.dead[-10:].mean() > relu.dead[:3].mean()  # inputs grow alike with depth, whole units die


def test_weight_std_and_sigma_init():
    assert topic.weight_std("xavier", 100) == pytest.approx(0.1)
    assert topic.weight_std("he", 50) == pytest.approx(0.2)
    assert topic.weight_std("sigma", 16, 2.0) == pytest.approx(0.5)
    p = topic.propagate(Phi("linear"), "sigma", depth=5, width=128, sigma_w=2.0)
    assert p.w_std == pytest.approx(2.0 / math.sqrt(128))
    assert p.act_std[-1] / p.act_std[0] == pytest.approx(2.0**4, rel=0.3)
    with pytest.raises(ValueError):
        topic.weight_std("lecun", 10)


# ----- the race -----------------------------------------------------------------------------------------------


def _alone(act: Phi, steps: int, lr: float, target_name: str = "wave") -> tuple[np.ndarray, np.ndarray]:
    """One network trained by itself with torch.optim.Adam: (losses before each step, final prediction)."""
    model = build_mlp([1, 16, 16, 1], act.key, seed=0, init="xavier", phi_params=act.kwargs, dtype=torch.float64)
    rng = np.random.default_rng(0)  # the race's shared start: Xavier drawn by numpy's generator, seed 0
    with torch.no_grad():
        for layer in linear_layers(model):
            w, b = numpy_linear(layer.in_features, layer.out_features, "xavier", rng)
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    x = torch.linspace(-1, 1, 64, dtype=torch.float64).unsqueeze(1)
    y = torch.from_numpy(topic.target(target_name, x[:, 0].numpy())).unsqueeze(1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        return np.array(losses), model(x)[:, 0].numpy()


@pytest.mark.parametrize("act", [Phi("relu"), Phi("leaky_relu", alpha=0.2)])
def test_race_equals_training_each_network_alone(act):
    run = topic.RaceRun([Phi("sigmoid"), act], "wave", max_steps=60, lr=0.01).run()
    losses, y_hat = _alone(act, 60, 0.01)
    fit = run.fits()[1]
    np.testing.assert_allclose(fit.loss, losses, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(fit.y_hat, y_hat, atol=1e-8)


def test_race_gives_the_same_numbers_under_any_time_budget():
    acts = [Phi("tanh"), Phi("relu")]
    whole = topic.RaceRun(acts, "bump", max_steps=40).run()
    sliced = topic.RaceRun(acts, "bump", max_steps=40)
    while not sliced.done:
        sliced.advance(1e-6)  # one step per slice: a very busy server
    assert sliced.steps == 40 and sliced.complete
    for a, b in zip(whole.fits(), sliced.fits(), strict=True):
        np.testing.assert_allclose(a.loss, b.loss, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.y_hat, b.y_hat, rtol=0, atol=1e-9)
    shared = copy.deepcopy(whole)  # what the live panel hands another session
    np.testing.assert_array_equal(shared.fits()[0].y_hat, whole.fits()[0].y_hat)


def test_a_cut_race_concludes_nothing():
    run = topic.RaceRun([Phi("tanh"), Phi("relu")], max_steps=200)
    run.max_seconds = 0.0
    run.advance(1.0)
    assert run.cut and not run.complete and "not comparable" in run.cut_note()
    assert topic.race_sentences(run) == ()


def test_race_learns_and_the_step_network_trains_only_its_output():
    run = topic.RaceRun([Phi("relu"), Phi("step")], "sine", max_steps=200).run()
    relu, step = run.fits()
    assert relu.loss[-1] < 0.2 * relu.loss[0]
    assert run.hidden_unchanged(1) and not run.hidden_unchanged(0)
    assert not np.array_equal(step.weights[-1], run.initial[-1][1].numpy())  # its output layer did learn


# ----- claim tests: each sentence against the result it is shown with -----------------------------------------

SELECTIONS = [ALL, [Phi("sigmoid"), Phi("tanh"), Phi("relu"), Phi("gelu")], [Phi("step")], [Phi("linear")],
              [Phi("leaky_relu", alpha=0.5), Phi("elu", alpha=0.1), Phi("softplus", beta=10.0)]]


@pytest.mark.parametrize("z_max", [1.0, 5.0, 20.0])
@pytest.mark.parametrize("acts", SELECTIONS, ids=["all", "default", "step", "linear", "params"])
def test_gallery_words_follow_the_curves(acts, z_max):
    curves = [topic.curve(a, z_max) for a in acts]
    text = topic.gallery_takeaway(curves)
    assert f"±{z_max:g}" in text or not any(c.flat_left and c.flat_right for c in curves)
    ends = [(abs(c.dphi[0]) < 0.1, abs(c.dphi[-1]) < 0.1) for c in curves]
    both, lefts, rights, steep = [], [], [], []
    for c, (lo, hi) in zip(curves, ends, strict=True):
        (both if lo and hi else lefts if lo else rights if hi else steep).append(c)
    expected = {f"flat (|φ′| < 0.1) at both ends of ±{z_max:g}": both, "flat only for large negative z": lefts,
                "flat only for large positive z": rights, "not flat at either end": steep}
    for heading, members in expected.items():
        if members:
            assert f"{heading}: {topic._names([c.label for c in members])}" in text
        else:
            assert heading not in text
    dead = [c.label for c in lefts if c.dphi[0] == 0.0]
    assert ("*dead*" in text) == bool(dead)
    assert not dead or f"({topic._names(dead)}: φ′ is exactly 0 there" in text
    for shade in (True, False):
        caption = topic.gallery_caption(curves, shade)
        assert ("Shading is off" in caption) == (not shade)
        if shade:
            assert ("band of its colour behind φ′" in caption) == (len(curves) <= topic.SHADE_MAX)
            assert ("select 4 or fewer" in caption) == (len(curves) > topic.SHADE_MAX)
        if shade and len(curves) <= topic.SHADE_MAX:
            never = [c.label for c in curves if not c.saturated]
            assert ("Never saturated" in caption) == bool(never)
            assert all(label in caption for label in never)


def test_precomputed_depth_defaults_equal_a_fresh_computation():
    from nnviz.views import activations as views

    stored = views.precomputed()
    d = views.DEPTH_DEFAULTS
    rows = {k: v for k, v in stored.items() if isinstance(v, topic.Propagation)}
    assert len(rows) == len(d["selection"]), "run benchmarks/precompute_activations.py"
    for key in d["selection"]:
        act = Phi(key)
        row = stored[views.depth_key(act, d["init"], 1.0, d["width"], d["depth"])]
        fresh = topic.propagate(act, d["init"], depth=d["depth"], width=d["width"], batch=topic.DEPTH_BATCH, seed=0)
        assert row.act == act and row.w_std == fresh.w_std
        for field in ("act_std", "grad_std", "dead"):
            np.testing.assert_allclose(getattr(row, field), getattr(fresh, field), rtol=1e-9, atol=0, err_msg=key)
    # a setting the file does not hold is computed, not looked up
    assert views.depth_key(Phi("tanh"), "he", 1.0, d["width"], d["depth"]) not in stored


def test_precomputed_gallery_defaults_equal_a_fresh_computation():
    from nnviz.views import activations as views

    stored = views.precomputed()
    g = views.GALLERY_DEFAULTS
    for key in g["selection"]:
        act = Phi(key)
        c, fresh = stored[views.curve_key(act, g["z_max"])], topic.curve(act, g["z_max"])
        for field in ("z", "phi", "dphi"):
            np.testing.assert_array_equal(getattr(c, field), getattr(fresh, field), err_msg=f"{key} {field}")
        assert c.saturated == fresh.saturated
        assert stored[views.probe_key(act, g["z_probe"])] == topic.probe(act, g["z_probe"])
        row, fresh_row = stored[views.properties_key(act)], topic.properties(act)
        assert row.act == act and row.saturating == fresh_row.saturating
        np.testing.assert_array_equal([getattr(row, f) for f in topic.PROPERTY_NUMBERS],
                                      [getattr(fresh_row, f) for f in topic.PROPERTY_NUMBERS])
    # other settings are computed, not looked up; the views give the same answer either way
    assert views.curve_key(Phi("tanh"), 4.5) not in stored and views.probe_key(Phi("tanh"), 0.5) not in stored
    assert views.properties_key(Phi("leaky_relu", alpha=0.2)) not in stored
    assert views.probe(Phi("gelu"), 0.5) == topic.probe(Phi("gelu"), 0.5)


def test_precomputed_untrained_collapse_equals_a_fresh_run():
    from nnviz.views import activations as views

    c = views.COLLAPSE_DEFAULTS
    config = (Phi(c["phi"]), c["target"], tuple(c["hidden"]))
    stored = views.precomputed()[views.collapse_key(config, 0)]
    run = topic.collapse_run(*config)
    for mine, fresh in zip(stored, run.fits(), strict=True):
        assert mine.act == fresh.act
        for field in ("x", "y", "y_hat", "loss"):
            np.testing.assert_array_equal(getattr(mine, field), getattr(fresh, field), err_msg=field)
        for a, b in zip(mine.weights + mine.biases, fresh.weights + fresh.biases, strict=True):
            np.testing.assert_array_equal(a, b)
    mine, fresh = topic.collapse_result_of(*stored, 0), topic.collapse_result(run)
    assert (mine.w_eff, mine.b_eff, mine.gap, mine.line, mine.caption, mine.takeaway) == \
        (fresh.w_eff, fresh.b_eff, fresh.gap, fresh.line, fresh.caption, fresh.takeaway)
    assert views.collapse_key(config, 1) not in views.precomputed()  # only the untrained stacks are stored


DEPTH_SWEEP = list(itertools.product(["xavier", "he"], [1.0], [64, 256], [10, 60])) + \
    list(itertools.product(["sigma"], [0.2, 1.0, 3.0], [64, 256], [10, 60]))
DEPTH_ACTS = [Phi(k) for k in ("sigmoid", "tanh", "relu", "linear", "step", "selu", "leaky_relu", "gelu")]


def _study(init, sigma, width, depth, acts=DEPTH_ACTS):
    results = [topic.propagate(a, init, depth=depth, width=width, sigma_w=sigma) for a in acts]
    return topic.depth_study(results, init, width, depth, topic.weight_std(init, width, sigma))


@pytest.mark.slow
@pytest.mark.parametrize("init,sigma,width,depth", DEPTH_SWEEP)
def test_depth_words_follow_the_results(init, sigma, width, depth):
    s = _study(init, sigma, width, depth)
    assert s.heading == f"Depth: what {depth} layers do to signals and gradients"
    assert s.gain == pytest.approx(topic.weight_std(init, width, sigma) * math.sqrt(width))
    # the sigmoid's bound: its gradient stays below (0.25 sigma_w)^(L - l) from layer L down, up to the few per
    # cent per layer by which one random W can beat the average gain sigma_w (1.8 % at worst over a wider sweep)
    sig = s.results[0]
    assert np.all(sig.grad_std <= s.bound * 1.03 ** (depth - np.arange(1, depth + 1)) * (1 + 1e-9))
    assert f"(0.25·{s.gain:.3g})" in s.bound_label
    assert f"0.25 \\cdot {s.gain:.3g}" in s.explanation
    ratios = s.table[f"gradient std, layer 1 / layer {depth}"]
    for r, shown in zip(s.results, ratios, strict=True):
        assert shown == (number(r.grad_ratio) if r.grad_ratio > 0 else "0 (none reaches layer 1)")
    # each activation is named in the clause that matches its gradient ratio
    clauses = s.takeaway.split("; ")
    for r in s.results:
        ratio = r.grad_ratio
        clause = next(c for c in clauses if r.act.label in c)
        if ratio == 0:
            assert "none reached layer 1" in clause
        elif ratio < 1e-2:
            assert "faded by more than 100×" in clause
        elif ratio > 1e2:
            assert "grew by more than 100×" in clause
        else:
            assert "kept its scale" in clause
    assert ("He weights (σ_w = √2) make up" in s.takeaway) == (
        init != "he" and any(r.act.key in ("relu", "leaky_relu") and 0 < r.grad_ratio < 1e-2 for r in s.results))
    assert ("caps its factor per layer" in s.takeaway) == (0.25 * s.gain < 1)


def test_depth_words_at_the_defaults_and_he():
    xavier = _study("xavier", 1.0, 256, 50)
    assert "faded by more than 100× for Sigmoid" in xavier.takeaway and "make up" in xavier.takeaway
    he = _study("he", 1.0, 128, 20, [Phi("sigmoid"), Phi("relu")])
    relu = he.results[1]
    assert 1e-2 < relu.grad_ratio < 1e2 and "kept its scale (within 100×) for ReLU" in he.takeaway
    # the old reference 0.25^(L - l) is beaten by the sigmoid under He; the bound drawn now is not
    sig = he.results[0]
    old = sig.grad_std[-1] * 0.25 ** (20 - np.arange(1, 21))
    assert np.any(sig.grad_std > 10 * old)
    assert np.all(sig.grad_std <= he.bound * 1.03 ** (20 - np.arange(1, 21)))
    no_sigmoid = _study("xavier", 1.0, 64, 10, [Phi("relu")])
    assert no_sigmoid.bound is None and "sigmoid's φ′" not in no_sigmoid.takeaway


@pytest.mark.slow
@pytest.mark.parametrize("act", [a for a in ALL if a.key not in ("linear", "step")], ids=lambda a: a.key)
@pytest.mark.parametrize("target_name", list(topic.TARGETS))
def test_collapse_words_follow_the_fits(act, target_name):
    for hidden in ((4,), (32,) * 5):
        res = topic.collapse_experiment(act, target_name, hidden)
        assert res.linear.final_loss >= res.line_mse - 1e-9
        assert ("rounding only" in res.caption) == (res.gap < 1e-9)
        assert " → ".join(map(str, (1, *hidden, 1))) in res.caption
        assert ("the same stack bends" in res.takeaway) == (res.nonlinear.final_loss < 0.5 * res.line_mse)


@pytest.mark.parametrize("target_name", list(topic.TARGETS))
def test_relu_words_follow_the_fit(target_name):
    for n in (2, 3, 4, 16):
        rs = topic.relu_sum_target(target_name, n)
        x = np.linspace(-1, 1, 401)
        y = topic.target(target_name, x)
        text = topic.relu_sum_sentence(rs, x, y)
        err = np.max(np.abs(rs(x) - y))
        assert f"here {n - 1} unit" in text
        assert ("exact" in text) == (err < 1e-9)
        if err >= 1e-9:
            assert f"largest error is {err:.3g}" in text
    coarse, fine = (np.max(np.abs(topic.relu_sum_target(target_name, n)(x) - y)) for n in (2, 16))
    assert fine < coarse or fine < 1e-9  # "with knots close enough together it goes to zero"


@pytest.mark.slow
@pytest.mark.parametrize("lr", [0.003, 0.03])
def test_race_words_follow_the_result(lr):
    for acts in (ALL, [Phi("relu")], [Phi("tanh"), Phi("sigmoid")]):
        run = topic.RaceRun(acts, "abs", max_steps=100, lr=lr).run()
        caption, takeaway = topic.race_sentences(run)
        finals = sorted((f.final_loss, f.act.label) for f in run.fits())
        assert caption.startswith(f"Final mean squared error: {finals[0][1]} ")
        if len(acts) == 1:
            assert "Select more activations" in takeaway
        elif finals[1][0] <= 1.1 * finals[0][0]:
            assert "finished level" in takeaway
        else:
            assert takeaway.startswith(f"{finals[0][1]} won this race")
        assert ("only its output layer learned" in takeaway) == any(a.key == "step" for a in acts)
        straight = [f.act.label for f in run.fits() if f.act.key not in ("linear", "step")
                    and np.max(np.abs(f.y_hat - np.polyval(np.polyfit(f.x, f.y_hat, 1), f.x))) < 1e-6]
        assert ("still a straight line" in takeaway) == bool(straight)
        assert not straight or f"{topic._names(straight)} {'is' if len(straight) == 1 else 'are'} still" in takeaway


# ----- figures ------------------------------------------------------------------------------------------------


def _valid(fig: go.Figure) -> go.Figure:
    """Rebuild with plotly's validation on: catches any misspelt property the fast path let through."""
    return go.Figure(fig.to_dict())


def _colours(fig: go.Figure) -> list[str]:
    """The line colour of every trace that has a legend entry of its own."""
    return [t.line.color for t in fig.data if t.showlegend is not False and t.line and t.line.color]


def test_no_colour_repeats_with_every_activation_selected():
    curves = [topic.curve(a, 3.0, n=61) for a in ALL]
    phi = _valid(figs.gallery_phi(curves, 0.0, shade=True))
    assert len(set(_colours(phi))) == len(ALL) == len(_colours(phi))
    dphi = figs.gallery_dphi(curves, 0.0, shade=True)
    line_colours = [t.line.color for t in dphi.data if t.line and t.line.color]
    assert len(set(line_colours)) == len(line_colours)  # 18 curves and the grey threshold
    assert len(dphi.layout.shapes) == 1  # only the probe line: no bands for 18 activations
    assert len(set(figs.PALETTE)) == len(figs.PALETTE) >= len(ALL)
    assert style.TARGET not in figs.PALETTE and style.GREY not in figs.PALETTE
    run = topic.RaceRun(ALL, max_steps=2).run()
    fits = _valid(figs.race_fits(run.fits()))
    colours = [t.line.color for t in fits.data]
    assert len(set(colours)) == len(colours) == len(ALL) + 1  # the target's black is not an activation's colour


def test_figures_are_valid_labelled_and_log_axes_label_decades():
    curves = [topic.curve(a, 4.0) for a in (Phi("sigmoid"), Phi("relu"), Phi("step"))]
    g = _valid(figs.gallery_phi(curves, 1.0, shade=True))
    assert g.layout.xaxis.title.text and g.layout.yaxis.title.text and g.layout.title.text
    sig_flat = [t for t in figs.gallery_phi(curves, 1.0, shade=True).data if t.name == "Sigmoid"][1]
    assert np.array_equal(~np.isnan(np.asarray(sig_flat.y, dtype=float)), np.abs(curves[0].dphi) < 0.1)
    d = _valid(figs.gallery_dphi(curves, 1.0, shade=True))
    assert len(d.layout.shapes) > 1
    assert len(_valid(figs.gallery_dphi(curves, None, shade=False)).layout.shapes) == 0

    res = topic.collapse_experiment(Phi("tanh"), "abs", (4,), steps=5)
    c = _valid(figs.collapse_fit(res.linear, res.nonlinear, res.w_eff, res.b_eff, res.line))
    assert c.layout.xaxis.title.text == "input x" and len(set(t.line.color for t in c.data)) == len(c.data) == 5

    rs = topic.relu_sum_target("sine", 5)
    x = np.linspace(-1, 1, 101)
    r = _valid(figs.relu_sum(rs, x, topic.target("sine", x)))
    assert {t.name for t in r.data} >= {"target", "sum of ReLUs", "knots"}
    assert _valid(figs.relu_terms(rs, x)).layout.yaxis.title.text == "term value"

    s = _study("he", 1.0, 64, 20, [Phi("sigmoid"), Phi("step")])
    for fig in (figs.depth_activations(s), figs.depth_gradients(s)):
        fig = _valid(fig)
        assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.exponentformat == "power"
    # many decades: labels at powers of ten only, every k-th decade so that at most 7 are shown
    dtick = _valid(figs.depth_gradients(s)).layout.yaxis.dtick
    values = np.concatenate([r.grad_std[r.grad_std > 0] for r in s.results] + [s.bound])
    decades = math.log10(values.max() / values.min())
    assert dtick == int(dtick) >= 1 and decades / dtick <= 7  # at most 7 labels
    assert dtick == 1 or decades / (dtick - 1) > 7  # and the finest step that keeps to it
    assert any(t.name == s.bound_label for t in figs.depth_gradients(s).data)
    assert _valid(figs.depth_dead(s)).layout.yaxis.range == (-3, 103)
    # under one decade, plotly chooses the ticks (dtick=1 would leave the axis without labels)
    assert "dtick" not in figs.log_axis([np.array([0.2, 0.5])]) and figs.log_axis([np.array([1e-3, 1.0])])["dtick"]

    run = topic.RaceRun([Phi("relu"), Phi("tanh")], max_steps=5).run()
    loss = _valid(figs.race_loss(run.fits(), run.max_steps))
    assert loss.layout.yaxis.type == "log" and len(loss.data) == 2


def test_relu_terms_figure_draws_every_term_exactly():
    rs = topic.relu_sum_from_knots(-1.0, 0.0, 1.0, [-0.2, 0.5], [-2.0, 3.0])
    fig = figs.relu_terms(rs, np.linspace(-1, 1, 11))
    pos = next(t for t in fig.data if t.name == "term, s > 0")
    xs, ys = np.asarray(pos.x, dtype=float), np.asarray(pos.y, dtype=float)
    ok = ~np.isnan(xs)
    on_a_term = np.isclose(ys[ok], np.maximum(0, xs[ok] + 1)) | np.isclose(ys[ok], 3 * np.maximum(0, xs[ok] - 0.5))
    assert on_a_term.all()


def test_relu_terms_tell_signs_apart_by_dash_as_well_as_colour():
    rs = topic.relu_sum_from_knots(-1.0, 0.0, 1.0, (-0.3, 0.4), (-2.0, 2.5))
    fig = go.Figure(figs.relu_terms(rs, np.linspace(-1, 1, 11)))
    terms = {t.name: t for t in fig.data if t.name.startswith("term")}
    assert terms["term, s > 0"].line.dash == "solid" and terms["term, s < 0"].line.dash == "dash"
    assert terms["term, s > 0"].line.color == style.POSITIVE and terms["term, s < 0"].line.color == style.NEGATIVE


def test_collapse_result_of_a_finished_run_is_the_experiment():
    run = topic.collapse_run(Phi("tanh"), "square", (8,), steps=20)
    assert run.steps == 0 and run.opt is None  # an untrained panel has not touched torch.optim
    res = topic.collapse_result(run.run())
    fresh = topic.collapse_experiment(Phi("tanh"), "square", (8,), steps=20)
    assert res.caption == fresh.caption and res.takeaway == fresh.takeaway
    np.testing.assert_array_equal(res.nonlinear.y_hat, fresh.nonlinear.y_hat)
    assert res.gap < 1e-9 and res.hidden == (8,)


def test_shared_weights_give_the_same_propagation():
    ws = topic.deep_weights("he", 12, 64, 1.0, 0)
    for key in ("tanh", "relu"):
        alone = topic.propagate(Phi(key), "he", depth=12, width=64, seed=0)
        shared = topic.propagate(Phi(key), "he", depth=12, width=64, seed=0, weights=ws)
        np.testing.assert_array_equal(alone.grad_std, shared.grad_std)
        np.testing.assert_array_equal(alone.act_std, shared.act_std)
    assert float(ws[0].std()) == pytest.approx(topic.weight_std("he", 64), rel=0.05)
    with pytest.raises(ValueError, match="expected 12 matrices"):
        topic.propagate(Phi("tanh"), "he", depth=12, width=64, weights=ws[:5])
