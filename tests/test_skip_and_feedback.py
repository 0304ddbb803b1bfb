"""Skip connections: plain vs residual stacks against torch autograd, fixed-step runs, precomputed defaults that
equal a live run, and every sentence the page shows checked against the result it is shown with."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from nnviz import numerics
from nnviz.activations import Phi
from nnviz.topics.skip_and_feedback import nets
from nnviz.topics.skip_and_feedback import residual as rs

RELU_PHI = Phi("relu")
PHIS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "linear")


def test_branch_alpha():
    assert rs.branch_alpha("one", 50) == 1.0
    assert rs.branch_alpha("inv_sqrt_depth", 49) == pytest.approx(1 / 7)
    with pytest.raises(ValueError):
        rs.branch_alpha("nope", 3)


@pytest.mark.parametrize("residual", [False, True])
def test_stack_is_the_formula(residual):
    """h_l = W_l phi(h_{l-1}) + b_l, plus h_{l-1} (times 1, alpha on the branch) when residual."""
    m = nets.Stack(3, 5, 4, 2, phi=Phi("tanh"), residual=residual, alpha=0.3, init="xavier", seed=1,
                 dtype=torch.float64)
    x = torch.randn(7, 3, dtype=torch.float64)
    h = x @ m.inp.weight.T + m.inp.bias
    for layer in m.layers:
        branch = torch.tanh(h) @ layer.weight.T + layer.bias
        h = h + 0.3 * branch if residual else branch
    y = torch.tanh(h) @ m.out.weight.T + m.out.bias
    torch.testing.assert_close(m(x), y)


def test_same_seed_same_weights_with_and_without_skips():
    a = nets.Stack(4, 8, 3, residual=False, seed=3)
    b = nets.Stack(4, 8, 3, residual=True, seed=3)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_depth_50_residual_gradient_survives_plain_sigmoid_vanishes():
    gf = rs.gradient_flow(50, width=64, phi=Phi("sigmoid"), init="xavier", branch_scale="inv_sqrt_depth", seed=0)
    assert len(gf.layer) == 50
    assert 0.1 <= gf.ratio("residual") <= 10 and gf.ratio("plain") < 1e-6
    assert gf.verdict("residual") == "steady" and gf.verdict("plain") == "vanishes"
    assert "about as fast as its last" in rs.gradient_flow_takeaway(gf)


def test_unscaled_relu_branches_explode_and_the_takeaway_says_why():
    """Issue 13: alpha = 1, ReLU/He, L = 120 explodes; the lesson is the explosion, not 'learns as fast'."""
    gf = rs.gradient_flow(120, phi=Phi("relu"), init="he", branch_scale="one")
    assert gf.ratio("residual_h") > 1e8 and gf.residual_growth > 1e8
    text = rs.gradient_flow_takeaway(gf)
    assert "explodes" in text and "scale the branch" in text and "about as fast" not in text
    scaled = rs.gradient_flow(120, phi=Phi("relu"), init="he", branch_scale="inv_sqrt_depth")
    assert scaled.verdict("residual") == "steady"


def _torch_stack(weights: rs.StackWeights, phi: Phi, residual: bool, alpha: float) -> nets.Stack:
    """A float64 torch ``Stack`` carrying the numpy ``weights`` (the ground truth for the numpy passes)."""
    n_out, width = weights.w_out.shape
    m = nets.Stack(weights.w_in.shape[1], width, len(weights.w), n_out, phi=phi, residual=residual, alpha=alpha,
                   dtype=torch.float64)
    with torch.no_grad():
        for layer, w, b in zip([m.inp, *m.layers, m.out], [weights.w_in, *weights.w, weights.w_out],
                               [weights.b_in, *weights.b, weights.b_out], strict=True):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    return m


def _autograd_flow(weights, phi, x, y, residual, alpha):
    """(||dLoss/dW_l||, ||dLoss/dh_l||, rms(h_L)/rms(h_0)) from torch autograd."""
    m = _torch_stack(weights, phi, residual, alpha)
    hs = m.hidden(torch.from_numpy(x))
    for h in hs:
        h.retain_grad()
    (0.5 * ((m.readout(hs[-1]) - torch.from_numpy(y)) ** 2).mean()).backward()
    growth = float(hs[-1].detach().pow(2).mean().sqrt() / hs[0].detach().pow(2).mean().sqrt())
    return ([float(layer.weight.grad.norm()) for layer in m.layers], [float(h.grad.norm()) for h in hs[1:]],
            growth)


@pytest.mark.parametrize("phi", PHIS)
def test_numpy_gradient_flow_is_torch_autograd(phi):
    """The explicit numpy forward and backward pass equals autograd on the same weights, for every phi, init,
    branch scale and skip setting, to 1e-9 relative (float64)."""
    for init, branch, depth in itertools.product(rs.INITS, rs.BRANCH_SCALES, (1, 3, 8)):
        gf = rs.gradient_flow(depth, width=8, phi=Phi(phi), init=init, branch_scale=branch, n=16, seed=2)
        x, y = rs.gradient_flow_data(16, 8, seed=2)
        weights = rs.stack_weights(8, 8, depth, 1, init, seed=2)
        for residual, kind in ((False, "plain"), (True, "residual")):
            w, h, growth = _autograd_flow(weights, Phi(phi), x, y, residual, gf.alpha)
            where = f"{phi} {init} {branch} L={depth} {kind}"
            np.testing.assert_allclose(getattr(gf, kind), w, rtol=1e-9, err_msg=where)
            np.testing.assert_allclose(getattr(gf, f"{kind}_h"), h, rtol=1e-9, err_msg=where)
            assert getattr(gf, f"{kind}_growth") == pytest.approx(growth, rel=1e-9), where


def test_numpy_gradient_flow_is_autograd_when_it_explodes():
    """At the page's extreme (ReLU, He, alpha = 1, L = 120) the numbers are huge; numpy still equals autograd."""
    gf = rs.gradient_flow(120, width=64, phi=RELU_PHI, init="he", branch_scale="one")
    x, y = rs.gradient_flow_data(128, 64)
    w, h, growth = _autograd_flow(rs.stack_weights(64, 64, 120, 1, "he"), RELU_PHI, x, y, True, 1.0)
    np.testing.assert_allclose(gf.residual, w, rtol=1e-9)
    np.testing.assert_allclose(gf.residual_h, h, rtol=1e-9)
    assert gf.residual_growth == pytest.approx(growth, rel=1e-9)


def test_stack_weights_follow_the_initialisations():
    """Xavier: U(+-sqrt(6/(fan_in+fan_out))), b = 0; He: N(0, 2/fan_in), b = 0; default: U(+-1/sqrt(fan_in)) for
    W and b (torch's nn.Linear); the same seed gives the same weights, another seed others."""
    xavier = rs.stack_weights(200, 200, 2, 1, "xavier", seed=5)
    bound = np.sqrt(6 / 400)
    assert np.abs(xavier.w[0]).max() <= bound and np.abs(xavier.w[0]).max() > 0.99 * bound
    assert not np.any(xavier.b[0]) and xavier.w_out.shape == (1, 200) and xavier.w_in.shape == (200, 200)
    he = rs.stack_weights(200, 200, 2, 1, "he", seed=5)
    assert he.w[1].std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)
    default = rs.stack_weights(200, 200, 2, 1, "default", seed=5)
    assert np.abs(default.b[0]).max() <= 1 / np.sqrt(200) and np.abs(default.b[0]).max() > 0.9 / np.sqrt(200)
    np.testing.assert_array_equal(rs.stack_weights(4, 4, 2, init="he", seed=1).w[1],
                                  rs.stack_weights(4, 4, 2, init="he", seed=1).w[1])
    assert not np.array_equal(rs.stack_weights(4, 4, 2, init="he", seed=1).w[1],
                              rs.stack_weights(4, 4, 2, init="he", seed=2).w[1])
    with pytest.raises(ValueError):
        rs.stack_weights(4, 4, 2, init="nope")


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("phi", ["tanh", "relu", "sigmoid"])
def test_layer_jacobians_match_autograd(residual, phi):
    """The product of the per-layer Jacobians (the formula on screen) equals autograd's dh_L/dh_0."""
    weights = rs.stack_weights(6, 6, 5, 1, "xavier", seed=4)
    x = np.random.default_rng(0).standard_normal((1, 6))
    jacs = rs.layer_jacobians(weights, Phi(phi), x, residual, 0.5)
    prod = np.eye(6)
    for j in jacs:
        prod = j @ prod
    m = _torch_stack(weights, Phi(phi), residual, 0.5)
    h0 = m.inp(torch.from_numpy(x)).detach()

    def from_h0(h):
        for layer in m.layers:
            branch = layer(m.phi(h))
            h = h + 0.5 * branch if residual else branch
        return h

    auto = torch.autograd.functional.jacobian(from_h0, h0)[0, :, 0, :].numpy()
    np.testing.assert_allclose(prod, auto, rtol=1e-9, atol=1e-12)
    norms = rs.cumulative_norms(jacs)
    assert norms[0] == 1.0 and norms[-1] == pytest.approx(np.linalg.norm(auto, 2))


def test_depth_jacobian_plain_sigmoid_vanishes_residual_does_not():
    dj = rs.depth_jacobian(60, width=32, phi=Phi("sigmoid"), init="xavier")
    assert dj.plain[-1] < 1e-10 and 0.1 < dj.residual[-1] < 10


def test_autocorrelation_against_numpy():
    rng = np.random.default_rng(0)
    g = np.cumsum(rng.standard_normal(300))
    r = rs.autocorrelation(g, 10)
    d = g - g.mean()
    full = np.correlate(d, d, mode="full")[len(d) - 1:] / (d @ d)
    np.testing.assert_allclose(r, full[:11])
    assert abs(rs.autocorrelation(rng.standard_normal(5000), 3)[1]) < 0.05


@pytest.mark.parametrize("residual", [False, True])
def test_unit_gradients_match_per_sample_autograd(residual):
    """The hand-written forward mode (tangents through frozen batch norm) equals autograd, unit by unit."""
    m = nets.Stack(1, 12, 4, 1, residual=residual, alpha=0.5, init="he", batch_norm=True, seed=0, dtype=torch.float64,
                 input_bias_std=1.0)
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None]
    units, dy = rs._unit_gradients(m, x)
    assert units.shape == (9, 12)
    for i in range(9):
        xi = x[i:i + 1].clone().requires_grad_(True)
        (g,) = torch.autograd.grad(m(xi).sum(), xi)  # eval mode: batch statistics frozen
        assert dy[i] == pytest.approx(float(g), rel=1e-9, abs=1e-12)
        jac = torch.autograd.functional.jacobian(lambda v: m.phi(m.hidden(v)[-1])[0], xi)[:, 0, 0].numpy()
        np.testing.assert_allclose(units[i], jac, rtol=1e-9, atol=1e-12)


def test_shattering_needs_depth_and_batch_norm():
    r1 = {n: rs.shattered_network(n, depth=24, batch_norm=True).autocorr[1] for n in rs.SHATTER_NETS}
    assert r1["one_layer"] > 0.9 and abs(r1["deep_plain"]) < 0.3 and r1["deep_residual"] > 0.6
    assert "has shattered" in rs.shattered_note(r1, True)
    net = rs.shattered_network("deep_plain", depth=24, batch_norm=False)
    assert net.autocorr[1] > 0.5 and net.corr.shape == (256, 256)
    np.testing.assert_allclose(np.diag(rs.shattered_network("one_layer").corr), 1.0, atol=1e-6)


def test_zero_bias_relu_net_of_one_input_has_a_two_valued_gradient():
    """Why the first layer gets random biases: with zero biases y(x) = x y(sign x), so dy/dx takes two values."""
    m = nets.Stack(1, 30, 8, 1, init="he", seed=0)
    x = torch.linspace(-2, 2, 64)[:, None]
    _, dy = rs._unit_gradients(m, x)
    scale = np.abs(dy).max()
    assert np.ptp(dy[:32]) < 1e-5 * scale and np.ptp(dy[32:]) < 1e-5 * scale
    m = nets.Stack(1, 30, 8, 1, init="he", seed=0, input_bias_std=1.0)
    _, dy = rs._unit_gradients(m, x)
    assert len(np.unique(np.round(dy / scale, 6))) > 5


def test_filter_normalised_direction():
    m = nets.Stack(2, 7, 3, 1, seed=0)
    d = rs.filter_normalised_direction(m, torch.Generator().manual_seed(0))
    for p, u in zip(m.parameters(), d, strict=True):
        assert u.shape == p.shape
        if p.dim() <= 1:
            assert torch.all(u == 0)
        else:
            torch.testing.assert_close(u.norm(dim=1), p.detach().norm(dim=1))


def test_loss_surface_centre_is_the_trained_loss_and_weights_are_restored():
    x, y = rs.spiral_task(40, seed=0)
    m = nets.Stack(2, 6, 3, 1, seed=0)
    before = [p.detach().clone() for p in m.parameters()]
    sl = rs._Slice(m, x, y, span=1.0, k=5, seed=0)
    for i in range(5):
        sl.row(i)
    ls = sl.result()
    assert ls.loss.shape == (5, 5) and ls.loss[2, 2] == pytest.approx(ls.trained_loss, rel=1e-5)
    assert ls.trained_loss == pytest.approx(torch.nn.BCEWithLogitsLoss()(m(x), y).item(), rel=1e-6)
    for p, q in zip(m.parameters(), before, strict=True):
        assert torch.equal(p, q)


SMALL_DG = rs.DegradationSettings(deep=10, width=4, n_steps=30)


def test_degradation_run_lowers_every_loss_in_its_fixed_steps():
    run = rs.DegradationRun(SMALL_DG).run()
    c = run.curves()
    assert run.complete and run.steps == 30 and c.steps == (10, 20, 30)
    for name, curve in c.loss.items():
        assert curve[-1] < curve[0], name


def test_same_settings_same_numbers_whatever_the_time_slices():
    """Issue 12: a loaded server (tiny slices) computes what an idle one (one go) does, to 1e-12."""
    whole = rs.DegradationRun(SMALL_DG).run().curves()
    sliced = rs.DegradationRun(SMALL_DG)
    while not sliced.done:
        sliced.advance(1e-6)
    for name in whole.loss:
        np.testing.assert_allclose(sliced.curves().loss[name], whole.loss[name], rtol=1e-12, atol=0)
    assert sliced.complete


def test_a_cut_run_is_labelled_and_not_complete():
    run = rs.DegradationRun(rs.DegradationSettings(deep=10, width=8, n_steps=10**6), max_seconds=0.05)
    while not run.done:
        run.advance(0.02)
    assert run.cut and not run.complete and "not comparable" in run.cut_note()


def test_landscape_run_trains_then_maps_one_row_per_step():
    run = rs.LandscapeRun(rs.LandscapeSettings(depth=3, width=6, n_steps=40, k=5))
    x, y = run.task
    with torch.no_grad():  # a loss to compare with, not to differentiate
        start = {k: float(torch.nn.BCEWithLogitsLoss()(m(x), y)) for k, m in run.models.items()}
    assert run.max_steps == 45
    run.run(42)
    assert run.result() == {} and "row 2 of 5" in run.status()
    res = run.run().result()
    assert set(res) == {"plain", "residual"}
    for k in res:
        assert res[k].trained_loss < start[k] and not np.isnan(res[k].loss).any()
        assert res[k].loss[2, 2] == pytest.approx(res[k].trained_loss, rel=1e-5)


def test_degradation_verdict_follows_the_numbers():
    s = rs.DegradationSettings(deep=20)
    names = [rs.model_name(k, d) for d in s.depths for k in ("plain", "residual")]

    def curves(p3, pL, r3, rL):
        finals = {"plain 3": p3, "plain 20": pL, "residual 3": r3, "residual 20": rL, "plain 10": 1, "residual 10": 1}
        return rs.Curves((10,), {n: (finals[n],) for n in names})

    assert "made even the fit to the training set worse" in rs.degradation_verdict(curves(0.01, 0.3, 0.01, 0.01), s)
    assert "depth no longer hurts" in rs.degradation_verdict(curves(0.01, 0.3, 0.01, 0.01), s)
    text = rs.degradation_verdict(curves(0.01, 0.011, 0.01, 0.5), s)
    assert "did not degrade" in text and "Even with skips" in text


def test_landscape_note_follows_the_numbers():
    flat = rs.Landscape(np.zeros(2), np.zeros(2), np.array([[1.0, 10.0], [1.0, 1.0]]), 1.0)
    steep = rs.Landscape(np.zeros(2), np.zeros(2), np.array([[1.0, 1e4], [1.0, 1.0]]), 1.0)
    assert "with skips the surface is flatter" in rs.landscape_note({"plain": steep, "residual": flat})
    assert "plain slice is the flatter" in rs.landscape_note({"plain": flat, "residual": steep})
    assert "alike" in rs.landscape_note({"plain": flat, "residual": flat})


def test_sci_never_writes_e_notation():
    assert rs.sci(0.0123) == "0.0123" and rs.sci(4e16) == r"$4 \times 10^{16}$" and "e-" not in rs.sci(3e-9)


# ---------------------------------------------------------------------------------------------- precomputed
def test_precomputed_degradation_is_the_default_run_and_shows_degradation():
    settings, curves = rs.load_degradation()
    assert settings == rs.DegradationSettings()  # the page's defaults
    shallow, deep = settings.depths[0], settings.depths[-1]
    assert curves.final(f"plain {deep}") > 10 * curves.final(f"plain {shallow}")
    assert curves.final(f"residual {deep}") < 3 * curves.final(f"residual {shallow}")
    assert "made even the fit to the training set worse" in rs.degradation_verdict(curves, settings)
    assert rs.load_precomputed("does_not_exist") is None


def _stored_here(name: str) -> bool:
    """Whether the stored file ``name`` was computed on a machine that rounds as this one does."""
    return numerics.same_machine(rs.load_precomputed(name).get("numerics"))


def test_a_reduced_live_run_reproduces_the_precomputed_degradation():
    """The first 20 of the 300 steps, run live, give the stored curves' first two records: to rtol 1e-5 on the
    machine that stored them. On another, the deepest plain stack carries that machine's rounding, amplified
    through its 50 layers (0.342 on one processor, 0.360 on another after ten steps), and every other network
    still agrees to rtol 1e-5."""
    settings, stored = rs.load_degradation()
    live = rs.DegradationRun(rs.DegradationSettings(n_steps=20)).run().curves()
    assert live.steps == stored.steps[:2]
    chaotic = set() if _stored_here("degradation") else {rs.model_name("plain", settings.deep)}
    assert set(live.loss) - chaotic == set(stored.loss) - chaotic and len(set(live.loss) - chaotic) >= 5
    for name in set(live.loss) - chaotic:
        np.testing.assert_allclose(live.loss[name], stored.loss[name][:2], rtol=1e-5, err_msg=name)


def _degradation_claims(text: str) -> tuple[bool, bool]:
    return "made even the fit to the training set worse" in text, "depth no longer hurts" in text


@pytest.mark.slow
def test_a_live_default_degradation_run_says_what_the_stored_one_says():
    """On any machine: the page's verdict on the stored run (the plain stack degrades, the residual one does not)
    is also the verdict on the run Train makes here, whatever this processor's rounding does to the numbers."""
    settings, stored = rs.load_degradation()
    live = rs.DegradationRun(settings).run().curves()
    assert live.steps == stored.steps
    said = _degradation_claims(rs.degradation_verdict(stored, settings))
    assert said == (True, True) and _degradation_claims(rs.degradation_verdict(live, settings)) == said


def test_precomputed_gradient_flow_is_the_live_default():
    """The page's first visit shows the stored gradient flow: it must equal what gradient_flow computes there."""
    settings, stored = rs.load_gradient_flow()
    assert settings == rs.GradientFlowSettings() and stored.depth == settings.depth == 50
    live = settings.run()
    for k in (*rs.GRADIENT_FLOW_ARRAYS, "plain_growth", "residual_growth", "alpha", "gamma"):
        np.testing.assert_allclose(getattr(stored, k), getattr(live, k), rtol=1e-9, err_msg=k)
    assert stored.phi == live.phi and stored.branch_scale == live.branch_scale
    assert rs.gradient_flow_takeaway(stored) == rs.gradient_flow_takeaway(live)


def test_gamma_is_the_largest_slope():
    assert rs.gradient_flow(3, phi=Phi("sigmoid")).gamma == pytest.approx(0.25)
    assert rs.gradient_flow(3, phi=Phi("tanh")).gamma == pytest.approx(1.0)


def test_precomputed_landscape_is_the_default_run():
    settings, surfaces = rs.load_landscape()
    assert settings == rs.LandscapeSettings()
    assert set(surfaces) == set(rs.KINDS) and surfaces["plain"].loss.shape == (settings.k, settings.k)


def _landscape_claim(text: str) -> str:
    return next(kind for kind in ("with skips the surface is flatter", "plain slice is the flatter", "alike")
                if kind in text)


@pytest.mark.slow
def test_a_live_landscape_run_reproduces_the_precomputed_one():
    """The landscapes Train maps here: what the page says of them on any machine; to rtol 1e-4 on the machine
    that stored them (a 12-layer plain ReLU stack trained 800 steps ends elsewhere on another processor)."""
    settings, stored = rs.load_landscape()
    live = rs.LandscapeRun(settings).run().result()
    assert _landscape_claim(rs.landscape_note(live)) == _landscape_claim(rs.landscape_note(stored))
    if _stored_here("landscape"):
        for kind in rs.KINDS:
            np.testing.assert_allclose(live[kind].loss, stored[kind].loss, rtol=1e-4, err_msg=kind)


# ---------------------------------------------------------------------------------------------- claim sweeps
def _gf_claims(gf: rs.GradientFlow) -> None:
    text = rs.gradient_flow_takeaway(gf)
    r, w = gf.ratio("residual_h"), gf.ratio("residual")
    if "residual stack explodes" in text:
        assert not gf.finite or r > rs.STEADY or gf.residual_growth > rs.STEADY
    elif "even the residual stack's gradient shrinks" in text:
        assert r < 1 / rs.STEADY
    else:
        assert 1 / rs.STEADY <= r <= rs.STEADY and gf.residual_growth <= rs.STEADY
    if "learns about as fast as its last" in text:
        assert 1 / rs.STEADY <= w <= rs.STEADY
    if "learns that much more slowly" in text:
        assert gf.ratio("plain_h") < 1 / rs.STEADY
    if "plain stack's gradient also survives" in text:
        assert 1 / rs.STEADY <= gf.ratio("plain_h") <= rs.STEADY


@pytest.mark.parametrize("phi", ["sigmoid", "relu"])
def test_gradient_flow_claims_at_the_depth_ends(phi):
    for init, branch, depth in itertools.product(rs.INITS, rs.BRANCH_SCALES, (2, 120)):
        _gf_claims(rs.gradient_flow(depth, phi=Phi(phi), init=init, branch_scale=branch))


@pytest.mark.slow
@pytest.mark.parametrize("phi", PHIS)
def test_gradient_flow_claims_sweep(phi):
    for init, branch, depth in itertools.product(rs.INITS, rs.BRANCH_SCALES, (2, 50, 120)):
        _gf_claims(rs.gradient_flow(depth, phi=Phi(phi), init=init, branch_scale=branch))


@pytest.mark.slow
@pytest.mark.parametrize("batch_norm", [True, False])
def test_shattered_note_claims_sweep(batch_norm):
    for depth in (2, 24, 50):
        r1 = {n: float(rs.shattered_network(n, depth=depth, batch_norm=batch_norm).autocorr[1])
              for n in rs.SHATTER_NETS}
        text = rs.shattered_note(r1, batch_norm)
        if "has shattered" in text:
            assert r1["deep_plain"] < 0.5 and r1["deep_residual"] > r1["deep_plain"] + 0.2
        elif "has not shattered" in text:
            assert r1["deep_plain"] >= 0.5
        else:
            assert r1["deep_plain"] < 0.5


def _looks(fig) -> list[tuple[str, str, str]]:
    """(colour, dash, marker symbol) of each trace shown in the legend."""
    out = []
    for tr in fig.data:
        if tr.showlegend is False:
            continue
        mode = tr.mode or "lines"
        symbol = (tr.marker.symbol or "circle") if "markers" in mode else ""
        out.append((tr.line.color, tr.line.dash or "solid", symbol))
    return out


def test_no_series_is_told_apart_by_colour_alone():
    """Issue 19: two series of different colour differ in dash or marker shape too."""
    from nnviz.figures import skip_and_feedback as fx
    from nnviz.topics.skip_and_feedback import recurrent as rc
    from nnviz.topics.skip_and_feedback import waveshaper as ws
    r = ws.run(10, Phi("tanh"))
    nets = {n: rs.shattered_network(n, depth=1 if n == "one_layer" else 3) for n in rs.SHATTER_NETS}
    jac = rs.depth_jacobian(8, width=8, phi=Phi("tanh"))
    figs = [fx.gradient_flow_figure(rs.gradient_flow(6, phi=Phi("tanh")), "weights"),
            fx.time_gradient_figure(rc.time_gradients(T=20, radius=1.3, phi=Phi("linear"), clip=1.0)),
            fx.adding_figure(rs.Curves((0, 1), {c: (0.2, 0.1) for c in rc.CELLS}), rc.CELL_LABELS, rc.GUESS_ONE_MSE),
            fx.autocorrelation_figure(nets, rs.SHATTER_LABELS),
            fx.joint_jacobian_figure([("plain", jac.plain, fx.PLAIN, "solid"),
                                      ("res", jac.residual, fx.RESIDUAL, "solid"),
                                      ("rnn a", np.ones(5), "#E69F00", "dash"),
                                      ("rnn b", np.ones(5), "#CC79A7", "dash")]),
            fx.waveshaper_energy_figure(r), fx.waveshaper_wave_figure(r)]
    for fig in figs:
        looks = _looks(fig)
        for i, a in enumerate(looks):
            for b in looks[i + 1:]:
                assert a[0] == b[0] or a[1:] != b[1:], (fig.layout.yaxis.title.text, a, b)


def test_summary_table_has_a_row_per_aspect_and_a_column_per_wiring():
    from nnviz.ui import skips

    lines = skips.SUMMARY_TABLE.split("\n")
    assert len(lines) == 2 + len(skips.SUMMARY_ROWS)
    assert [c.strip() for c in lines[0].strip("|").split("|")][1:] == list(skips.SUMMARY)
    for i, (line, row) in enumerate(zip(lines[2:], skips.SUMMARY_ROWS, strict=True)):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == f"**{row}**"
        assert [c.replace("\\_", "_") for c in cells[1:]] == [v[i] for v in skips.SUMMARY.values()]
        assert "_" not in line.replace("\\_", "")  # no bare underscore for markdown to read as emphasis
