"""From neurons to networks: the layer, the stack, the bowl, the heads and the digits, against theory and torch."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from nnviz.activations import Phi
from nnviz.topics.network import data, descent, digits, heads, layers
from tests.apptest_utils import run_python

PHIS = [Phi("relu"), Phi("sigmoid"), Phi("tanh"), Phi("linear")]


# --- 1. a layer ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,m,seed", [(1, 1, 0), (3, 4, 1), (4, 5, 7), (2, 3, 42)])
def test_row_i_of_the_product_is_neuron_i(n, m, seed):
    (W,), (b,) = layers.random_params((n, m), seed)
    x = layers.random_input(n, seed)
    ly = layers.layer(W, b, x, Phi("tanh"))
    for i in range(m):
        assert ly.z[i] == pytest.approx(layers.neuron_z(W, b, x, i), abs=1e-12)
        assert ly.h[i] == pytest.approx(np.tanh(layers.neuron_z(W, b, x, i)), abs=1e-12)


def test_layer_latex_shows_the_shapes_and_highlights_only_neuron_i():
    (W,), (b,) = layers.random_params((3, 4), 0)
    ly = layers.layer(W, b, layers.random_input(3, 0), Phi("relu"))
    tex = layers.layer_latex(ly, 2)
    assert r"\mathbb{R}^{4\times3}" in tex
    assert tex.count("#CC79A7") == 3 + 3  # row 2 of W (3 entries), and b_2, z_2, h_2


# --- 2. stacking --------------------------------------------------------------------------------------------------

def _torch_net(Ws, bs, phi):
    mods = []
    for W, b in zip(Ws, bs, strict=True):
        lin = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W))
            lin.bias.copy_(torch.tensor(b))
        mods += [lin, phi.module()]
    return torch.nn.Sequential(*mods)


@pytest.mark.parametrize("phi", PHIS, ids=lambda p: p.key)
@pytest.mark.parametrize("depth,width", [(1, 1), (2, 3), (3, 4), (5, 2)])
def test_nested_formula_value_equals_the_torch_forward_pass(phi, depth, width):
    sizes = layers.stack_sizes(2, depth, width)
    Ws, bs = layers.random_params(sizes, depth * 10 + width)
    x = layers.random_input(2, 3)
    st_ = layers.forward(Ws, bs, x, phi)
    net = _torch_net(Ws, bs, phi)
    assert st_.y_hat == pytest.approx(net(torch.tensor(x)).detach().numpy(), abs=1e-12)
    formula = layers.nested_formula(depth)
    assert formula.count(r"\varphi(") == depth and f"W_{{{depth}}}" in formula
    assert len(layers.stack_lines(st_)) == depth


@pytest.mark.parametrize("sizes", [(2, 1), (2, 3, 1), (64, 32, 10), (2, 4, 4, 4, 1)])
def test_parameter_counts_equal_torch(sizes):
    net = _torch_net(*layers.random_params(sizes, 0), Phi("relu"))
    per_layer = [sum(p.numel() for p in m.parameters()) for m in net if isinstance(m, torch.nn.Linear)]
    assert list(layers.param_counts(sizes)) == per_layer
    assert f"**{sum(per_layer):,} parameters**" in layers.count_sentence(sizes)


# --- 3. a set of functions ----------------------------------------------------------------------------------------

def test_tiny_net_matches_its_formula_and_the_sentence_matches_the_draws():
    p = np.array(layers.TINY_DEFAULT)
    x = np.linspace(-3, 3, 7)
    w1, b1, w2, b2, v1, v2, c = p
    assert layers.tiny_net(p, x) == pytest.approx(v1 * np.tanh(w1 * x + b1) + v2 * np.tanh(w2 * x + b2) + c)
    for k, sigma in ((5, 0.5), (200, 3.0)):
        draws = layers.tiny_net(layers.random_tiny(k, sigma, 0), x)
        text = layers.functions_sentence(x, draws)
        assert f"{k} draws" in text
        assert f"{draws[:, 0].min():.3g}" in text and f"{draws[:, -1].max():.3g}" in text


# --- 4. the bowl --------------------------------------------------------------------------------------------------

def _descend(d, eta, steps):
    return descent.BowlDescent(d, eta, steps=steps).run()


@pytest.mark.parametrize("centre", [-1.0, 0.0, 0.5, 2.0])
def test_descent_converges_below_two_over_lambda_max_and_diverges_above(centre):
    d = descent.line_data(centre)
    cv = descent.curvature(descent.mse_hessian(d))
    opt = descent.minimiser(d)
    below = _descend(d, 0.97 * cv.threshold, 3000)
    above = _descend(d, 1.03 * cv.threshold, 3000)
    assert np.linalg.norm(below.theta - opt) < 1e-6
    assert above.history.last("loss") > 1e6 or not np.isfinite(above.history.last("loss"))


def test_hessian_is_the_numerical_second_derivative():
    d = descent.line_data(1.0)
    H, eps, theta = descent.mse_hessian(d), 1e-4, np.array([0.3, -0.2])
    num = np.column_stack([(descent.mse_grad(theta + eps * e, d) - descent.mse_grad(theta - eps * e, d)) / (2 * eps)
                           for e in np.eye(2)])
    assert num == pytest.approx(H, rel=1e-6)


@pytest.mark.parametrize("centre", [-1.0, 0.5, 2.0])
def test_every_regime_sentence_is_true_of_the_run_it_is_shown_with(centre):
    d = descent.line_data(centre)
    cv = descent.curvature(descent.mse_hessian(d))
    opt, start = descent.minimiser(d), np.array(descent.START)
    seen = set()
    for eta in np.arange(0.005, 1.2, 0.005):
        run = _descend(d, eta, descent.STEPS)
        thetas, losses = run.thetas(), np.array(run.history["loss"])
        name = descent.regime_of_path(thetas, losses, opt, cv)
        edges = [cv.overshoot, cv.threshold]
        if min(abs(eta - e) / e for e in edges) > 0.02:  # the theory and the run agree away from the edges
            assert name == descent.regime(eta, cv, start, opt), eta
        seen.add(name)
        left = np.linalg.norm(thetas[-1] - opt) / np.linalg.norm(thetas[0] - opt)
        if name == "diverging":
            assert losses[-1] > losses[0] and eta > cv.threshold
        elif name == "oscillating":
            assert eta > cv.overshoot and losses[-1] < losses[0]
        elif name == "too small":
            assert left > descent.SLOW_LEFT and eta <= cv.overshoot
        else:
            assert left <= descent.SLOW_LEFT
        assert descent.number(cv.threshold) in descent.regime_sentence(name, eta, cv, run.steps) or name in (
            "too small", "right")
    assert {"oscillating", "diverging"} <= seen
    slow = descent.slow_edge(cv, start, opt)
    assert ("right" in seen) == (slow < cv.overshoot * (1 - 1e-6))
    assert ("No η reaches the bottom" in descent.shape_sentence(cv, slow)) == ("right" not in seen)


def test_logistic_bowl_is_not_quadratic_and_its_sentence_counts_the_path():
    d = descent.class_data()
    thr = [2 / np.linalg.eigvalsh(descent.bce_hessian(np.array(t), d))[-1] for t in ((0, 0), (3, 1), (-1, -1.5))]
    assert max(thr) / min(thr) > 1.5  # the curvature changes from place to place
    for eta in (0.1, 3.0, 10.0, 40.0):
        p = descent.logistic_descent(d, eta)
        text = descent.logistic_sentence(p)
        rises = int(np.sum(np.diff(p.losses) > 1e-12))
        assert (f"went up on {rises} of" in text) == (rises > 0)
        assert f"above it on {int(np.sum(eta > p.thresholds[:-1]))} of" in text
        if "at the bottom" in text:
            assert p.losses[-1] - p.opt_loss < 1e-3
    g = descent.bce_grad(p.opt, d)
    assert np.abs(g).max() < 1e-9  # Newton found the minimum


# --- 5. heads -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["linear", "sigmoid", "softmax"])
def test_head_gradient_equals_autograd(key):
    rng = np.random.default_rng(0)
    for _ in range(10):
        if key == "softmax":
            z, y = rng.normal(0, 3, 10), int(rng.integers(10))
        else:
            z, y = float(rng.normal(0, 3)), float(rng.integers(2)) if key == "sigmoid" else float(rng.normal())
        assert np.atleast_1d(heads.grad(key, z, y)) == pytest.approx(
            np.atleast_1d(heads.grad_autograd(key, z, y)), abs=1e-10)


def test_softmax_gradient_sentence_names_the_true_class():
    z = np.array([1.0, 2.0, -1.0])
    text = heads.grad_sentence("softmax", z, 2)
    g = heads.grad("softmax", z, 2)
    assert g[2] < 0 and np.all(np.delete(g, 2) > 0)
    assert f"largest entry in size is at class {int(np.argmax(np.abs(g)))}" in text


@pytest.mark.parametrize("key", ["linear", "sigmoid"])
def test_diabetes_heads_beat_the_do_nothing_baseline_and_say_so(key):
    fit = heads.fit_diabetes(key)
    assert fit.score > fit.baseline
    text = heads.diabetes_sentence(fit)
    assert ("no better" in text) == (fit.score <= fit.baseline)


@pytest.mark.parametrize("key", ["linear", "sigmoid"])
def test_shipped_heads_equal_a_fresh_training_and_numpy_reads_them_as_torch_does(key):
    stored = heads.stored_head(key)
    assert stored is not None, "run benchmarks/precompute_network.py"
    fresh = heads.train_head(key)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(getattr(stored, name), getattr(fresh, name), rtol=0, atol=1e-9)
    net = torch.nn.Sequential(torch.nn.Linear(1, heads.HIDDEN), torch.nn.Tanh(), torch.nn.Linear(heads.HIDDEN, 1))
    net = net.double()
    with torch.no_grad():
        for layer, W, b in ((net[0], stored.W1, stored.b1), (net[2], stored.W2, stored.b2)):
            layer.weight.copy_(torch.tensor(W))
            layer.bias.copy_(torch.tensor(b))
        x = np.linspace(-3, 3, 41)
        z_torch = net(torch.tensor(x)[:, None])[:, 0].numpy()
    np.testing.assert_allclose(heads.head_logits(stored, x), z_torch, rtol=0, atol=1e-12)
    a, b = heads.fit_diabetes(key), heads.fit_diabetes(key, weights=fresh)
    assert a.score == pytest.approx(b.score, abs=1e-9) and np.allclose(a.curve, b.curve, atol=1e-9)


def test_the_heads_tab_trains_nothing_and_needs_no_scikit_learn(monkeypatch):


    def no_training(*args, **kwargs):
        raise AssertionError("the shipped heads should be used")

    monkeypatch.setattr(heads, "train_head", no_training)
    for key in ("linear", "sigmoid"):
        assert heads.fit_diabetes(key).score > 0
    code = ("import sys; from nnviz.topics.network import heads; heads.fit_diabetes('linear'); "
            "heads.fit_diabetes('sigmoid'); print('sklearn' in sys.modules)")
    assert run_python(code).split()[-1] == "False"


def test_data_files_are_what_scikit_learn_loads():
    from sklearn.datasets import load_diabetes, load_digits

    images, labels = data.digits()
    ref = load_digits()
    assert np.array_equal(images, ref.images) and np.array_equal(labels, ref.target)
    bmi, target = data.diabetes_bmi()
    ref = load_diabetes()
    assert np.array_equal(target, ref.target)
    assert np.corrcoef(bmi, ref.data[:, 2])[0, 1] == pytest.approx(1.0, abs=1e-12)


# --- 5. digits ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_run():
    return digits.DigitsTraining(digits.DEFAULT).run()


def test_digits_mlp_reaches_95_percent_with_a_fixed_seed(default_run):
    r = default_run.result()
    assert default_run.complete and r.epochs_done == digits.DEFAULT.epochs
    assert r.accuracy >= 0.95
    assert r.confusion.sum() == len(digits.digits_data().y_test)
    assert np.trace(r.confusion) / r.confusion.sum() == pytest.approx(r.accuracy)


def test_shipped_default_equals_a_fresh_run(default_run):
    fresh = default_run.result()
    shipped = digits.from_json(json.loads(digits.PRECOMPUTED.read_text()))
    assert shipped.settings == digits.DEFAULT
    for name in ("W1", "b1", "W2", "b2"):
        assert getattr(shipped.weights, name) == pytest.approx(getattr(fresh.weights, name), abs=1e-5)
    assert shipped.accuracy == fresh.accuracy
    assert np.array_equal(shipped.confusion, fresh.confusion)


def test_a_training_image_through_the_drawing_path_gets_its_label_back(default_run):
    r = default_run.result()
    d = digits.digits_data()
    right = np.flatnonzero(np.argmax(digits.probabilities(r.weights, d.X_train), axis=1) == d.y_train)[:20]
    for j in right:
        image = d.images_train[j]
        # as drawn on a 32x32 bitmap: each 8x8 pixel's count of inked pixels in its 4x4 block
        bitmap = np.zeros((32, 32), dtype=int)
        for r_, c_ in np.ndindex(8, 8):
            block = np.zeros(16, dtype=int)
            block[:int(image[r_, c_])] = 1
            bitmap[4 * r_:4 * r_ + 4, 4 * c_:4 * c_ + 4] = block.reshape(4, 4)
        assert np.array_equal(digits.downsample(bitmap), image)
        assert np.array_equal(digits.preprocess(digits.downsample(bitmap)), d.X_train[j])
        p = digits.probabilities(r.weights, digits.preprocess(image))
        assert int(np.argmax(p)) == d.y_train[j]
        assert f"reads **{d.y_train[j]}**" in digits.prediction_sentence(p, int(d.y_train[j]))


def test_preprocess_bounds_what_a_student_types():
    wild = np.full((8, 8), 99.0)
    wild[0, 0], wild[0, 1] = -5.0, np.nan
    x = digits.preprocess(wild)
    assert x.min() == 0.0 and x.max() == 1.0 and x.shape == (64,)
    with pytest.raises(ValueError):
        digits.preprocess(np.zeros((7, 8)))


def test_accuracy_sentence_and_prediction_sentence_follow_the_result(default_run):
    r = default_run.result()
    text = digits.accuracy_sentence(r, 449)
    assert f"{100 * r.accuracy:.1f} %" in text and f"({len(r.wrong)} wrong" in text
    off = r.confusion - np.diag(np.diag(r.confusion))
    t, p = np.unravel_index(np.argmax(off), off.shape)
    assert f"reading a {t} as a {p}" in text
    probs = np.array([0.05, 0.6, 0.3, 0.05] + [0.0] * 6)
    assert "reads **1**" in digits.prediction_sentence(probs) and "next is 2" in digits.prediction_sentence(probs)
    assert "Wrong: it is a 2" in digits.prediction_sentence(probs, 2)


def test_short_training_is_worse_and_partial_results_say_how_far_they_got():
    run = digits.DigitsTraining(digits.DigitsSettings(width=8, epochs=5))
    run.run(2)
    r = run.result()
    assert r.epochs_done == 2 and len(r.epoch) == 2 and not run.done
    assert "After 2 epochs" in digits.accuracy_sentence(r, 449)


def test_painting_copies_a_digit_with_one_pen_and_the_network_still_reads_most_copies(default_run):
    d = digits.digits_data()
    copies = np.array([digits.paint(digits.strokes(img)) for img in d.images_test])
    assert np.array_equal(copies, np.where(d.images_test >= 8, 16, 0))  # half-inked cells painted, the rest blank
    read = np.argmax(digits.probabilities(default_run.result().weights, digits.preprocess(copies)), axis=1)
    assert np.mean(read == d.y_test) >= 0.85  # "start from the test digit" gives a drawing it mostly still reads
    expected = np.zeros((8, 8))
    expected[0, 0] = expected[0, 7] = expected[2, 3] = 16
    assert np.array_equal(digits.paint([[0, 7, 8, -1, "x"], [], [3]]), expected)  # only cells inside the grid
