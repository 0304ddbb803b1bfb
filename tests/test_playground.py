"""The playground's maths: backprop and optimisers against torch, TensorFlow Playground's rules against its
nn.ts step by step, the loss-trend sentences on synthetic histories, and the claims the page makes."""

from __future__ import annotations

import json
import math
import runpy

import numpy as np
import pytest
import torch

from nnviz import activations, datasets, features
from nnviz.activations import Phi
from nnviz.topics import playground as T
from tests.apptest_utils import run_python

TASK_CLASSES = {"binary": 2, "multiclass": 3, "regression": 0}
TANH, RELU, SIGMOID = Phi("tanh"), Phi("relu"), Phi("sigmoid")


def _data(task: str, n: int = 37, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if task == "regression":
        y = rng.uniform(-1, 1, n)
    else:
        y = rng.integers(0, TASK_CLASSES[task], n)
        y[: TASK_CLASSES[task]] = np.arange(TASK_CLASSES[task])
    return X, y


def _torch_loss(model, X, y, task, reg="none", rate=0.0):
    out = model(torch.from_numpy(X))
    if task == "binary":
        loss = torch.nn.functional.binary_cross_entropy_with_logits(out[:, 0], torch.from_numpy(y).double())
    elif task == "multiclass":
        loss = torch.nn.functional.cross_entropy(out, torch.from_numpy(y).long())
    else:
        loss = torch.mean((out[:, 0] - torch.from_numpy(y)) ** 2)
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    if reg == "l1":
        loss = loss + rate * sum(w.abs().sum() for w in weights)
    elif reg == "l2":
        loss = loss + 0.5 * rate * sum((w**2).sum() for w in weights)
    return loss


def _flat_grad(model) -> np.ndarray:
    parts = []
    for m in model:
        if isinstance(m, torch.nn.Linear):
            parts += [m.weight.grad.numpy().ravel(), m.bias.grad.numpy().ravel()]
    return np.concatenate(parts)


def _trainer(task="binary", n=14, hidden=(5, 4), phis=(TANH, TANH), rules="nnviz", init="xavier", seed=9,
             net_seed=2, **hyper):
    X, y = _data(task, n=n)
    k = T.output_width(task, TASK_CLASSES[task])
    net = T.Network.initial([3, *hidden, k], list(phis), seed=net_seed, init=init)
    return T.Trainer(net, X, y, X, y, task, TASK_CLASSES[task], T.Hyper(**hyper), seed=seed, rules=rules,
                     max_steps=10**6)


# ---------------------------------------------------------------------------------------------------------------
# The network, backprop and the optimisers against torch
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["xavier", "he", "default", "tfp"])
def test_initial_network_is_seeded_and_torch_computes_the_same_first_forward(init):
    widths, phis = [3, 5, 4, 2], [TANH, RELU]
    net = T.Network.initial(widths, phis, seed=11, init=init)
    assert np.array_equal(net.theta, T.Network.initial(widths, phis, seed=11, init=init).theta)
    assert not np.allclose(net.theta, T.Network.initial(widths, phis, seed=12, init=init).theta)
    assert net.size == sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=False))
    # the torch model the numpy weights are copied into gives the numpy forward pass (float64)
    model = net.to_torch()
    X = np.random.default_rng(1).normal(size=(9, 3))
    np.testing.assert_allclose(net.logits(X), model(torch.from_numpy(X)).detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(net.W(1), model[2].weight.detach().numpy())


def _variance_within(sample: np.ndarray, variance: float, k: float = 5.0) -> bool:
    """Is the sample's variance within k standard errors of ``variance`` (se from the sample's fourth moment)?"""
    c = sample.ravel() - sample.mean()
    s2, m4 = np.mean(c ** 2), np.mean(c ** 4)
    return abs(s2 - variance) <= k * math.sqrt((m4 - s2 ** 2) / c.size)


@pytest.mark.parametrize("init", ["xavier", "he", "default"])
def test_numpy_initialisation_has_torchs_distribution(init):
    """nnviz.mlp.numpy_linear against torch's own init of a large layer (fan_in 1,000, fan_out 400): the same law,
    the same uniform bounds (exact), the same variance (within 5 standard errors, both numpy's and torch's draws)."""
    from nnviz.mlp import init_bounds, init_linear, numpy_linear

    n_in, n_out = 1000, 400
    law, scale, bound = init_bounds(n_in, n_out, init)
    W, b = numpy_linear(n_in, n_out, init, np.random.default_rng(0))
    layer = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
    torch.manual_seed(0)
    layer.reset_parameters()  # torch's default, then xavier/he as nnviz.mlp.build_mlp does
    init_linear(layer, init)
    tW, tb = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert W.shape == tW.shape and b.shape == tb.shape and W.dtype == b.dtype == np.float64
    variance = scale ** 2 / 3 if law == "uniform" else scale ** 2
    for sample in (W, tW):
        assert abs(sample.mean()) < 5 * math.sqrt(variance / sample.size)
        assert _variance_within(sample, variance)
        if law == "uniform":  # every draw inside (-scale, scale), and 400,000 draws reach to within 0.01 % of it
            assert scale * (1 - 1e-4) < np.abs(sample).max() <= scale
        else:  # a normal's tails: more than 4 sigma beyond in 400,000 draws is ~25 points, not 0 and not 1,000
            assert 0 < np.sum(np.abs(sample) > 4 * scale) < 100
            assert np.mean(np.abs(sample) < scale) == pytest.approx(0.6827, abs=0.005)
    for sample in (b, tb):
        if bound == 0:
            assert np.all(sample == 0)
        else:  # torch's default bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); 400 draws reach within 2 % of it
            assert bound * 0.98 < np.abs(sample).max() <= bound and bound == pytest.approx(1 / math.sqrt(n_in))
    expected = {"xavier": math.sqrt(6 / (n_in + n_out)), "he": math.sqrt(2 / n_in), "default": 1 / math.sqrt(n_in)}
    assert scale == pytest.approx(expected[init], rel=1e-15)


def test_numpy_initialisation_rejects_an_unknown_init():
    from nnviz.mlp import numpy_linear

    with pytest.raises(ValueError, match="Unknown initialisation"):
        numpy_linear(3, 2, "orthogonal", np.random.default_rng(0))


def test_logistic_output_is_torch_sigmoid_in_both_tails():
    z = np.concatenate([np.linspace(-700, 700, 4001), [0.0, 1e-9, -1e-9]]).reshape(-1, 1)
    np.testing.assert_allclose(T.predict(z, "binary"), torch.sigmoid(torch.from_numpy(z[:, 0])).numpy(),
                               rtol=1e-13, atol=0)


def test_tensorflow_playground_initialisation():
    net = T.Network.initial([2, 4, 2, 1], [TANH, TANH], seed=3, init="tfp")
    w = net.theta[net.weight_mask > 0]
    assert np.all(net.theta[net.weight_mask == 0] == 0.1)  # nn.ts: bias = 0.1
    assert w.min() >= -0.5 and w.max() < 0.5 and w.std() > 0.1  # nn.ts: Math.random() - 0.5


@pytest.mark.parametrize("task", list(TASK_CLASSES))
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
def test_backprop_gradient_equals_autograd(task, reg):
    X, y = _data(task)
    k = T.output_width(task, TASK_CLASSES[task])
    net = T.Network.initial([3, 6, 5, k], [TANH, Phi("leaky_relu", alpha=0.2)], seed=3)
    loss, g = T.gradient(net, X, T.targets(y, task, TASK_CLASSES[task]), task, reg, 0.05)
    model = net.to_torch()
    t_loss = _torch_loss(model, X, y, task, reg, 0.05)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-10)
    np.testing.assert_allclose(g, _flat_grad(model), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_tfp_loss_gradient_equals_autograd(task):
    """TensorFlow Playground's loss: mean 1/2 (o - t)^2 with o = tanh(z) (two classes, t = +-1) or z."""
    X, y = _data(task)
    net = T.Network.initial([3, 4, 1], [TANH], seed=1, init="tfp")
    Y = T.targets(y, task, TASK_CLASSES[task], "tfp")
    loss, g = T.gradient(net, X, Y, task, rules="tfp")
    model = net.to_torch()
    z = model(torch.from_numpy(X))[:, 0]
    o = torch.tanh(z) if task == "binary" else z
    t_loss = (0.5 * (o - torch.from_numpy(Y[:, 0])) ** 2).mean()
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(g, _flat_grad(model), rtol=1e-9, atol=1e-13)
    if task == "binary":
        assert set(np.unique(Y)) == {-1.0, 1.0}


@pytest.mark.parametrize("task", list(TASK_CLASSES))
@pytest.mark.parametrize("opt", list(T.OPTIMIZERS))
@pytest.mark.parametrize("phi", ["tanh", "relu", "sigmoid", "linear", "elu"])
def test_epochs_of_minibatches_equal_torch_optim(task, opt, phi):
    """Three epochs of the fast inner loop equal torch.optim on the same mini-batches (same order, batch 4)."""
    reg, rate = ("l2", 0.01) if opt == "momentum" else (("l1", 0.02) if opt == "adam" else ("none", 0.0))
    tr = _trainer(task, phis=(Phi(phi), TANH), lr=0.05, batch_size=4, optimizer=opt, reg=reg, reg_rate=rate)
    X, y = tr.X_train, tr.y_train
    model = T.Network.initial(tr.net.widths, tr.net.phis, seed=2).to_torch()
    tr.run(3)
    cls = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "adam": torch.optim.Adam}[opt]
    kw = {"momentum": T.MOMENTUM} if opt == "momentum" else {}
    optim = cls(model.parameters(), lr=0.05, **kw)
    rng = np.random.default_rng(9)
    for _ in range(3):
        perm = rng.permutation(len(X))
        for i in range(0, len(X), 4):
            idx = perm[i:i + 4]
            optim.zero_grad()
            _torch_loss(model, X[idx], y[idx], task, reg, rate).backward()
            optim.step()
    np.testing.assert_allclose(tr.net.logits(X), model(torch.from_numpy(X)).detach().numpy(), rtol=1e-9,
                               atol=1e-11)
    assert tr.epoch == 3 and len(tr.history) == 4


# ---------------------------------------------------------------------------------------------------------------
# TensorFlow Playground's rules against its nn.ts / playground.ts, point by point
# ---------------------------------------------------------------------------------------------------------------


class _TFP:
    """TensorFlow Playground's network, transcribed loop for loop from src/nn.ts (forwardProp, backProp,
    updateWeights with isDead) and src/playground.ts (oneStep), with scalar Python floats."""

    def __init__(self, net: T.Network, phi: str, regression: bool, reg: str, reg_rate: float):
        self.W = [net.W(l).tolist() for l in range(net.depth)]
        self.b = [net.b(l).tolist() for l in range(net.depth)]
        self.dead = [[[False] * len(row) for row in W] for W in self.W]
        self.acc_w = [[[0.0] * len(row) for row in W] for W in self.W]
        self.n_w = [[[0] * len(row) for row in W] for W in self.W]
        self.acc_b = [[0.0] * len(b) for b in self.b]
        self.n_b = [[0] * len(b) for b in self.b]
        self.phi, self.regression, self.reg, self.rate = phi, regression, reg, reg_rate

    def _act(self, l, x):
        if l == len(self.W) - 1:
            return x if self.regression else math.tanh(x)
        return math.tanh(x) if self.phi == "tanh" else max(0.0, x)

    def _der(self, l, x):
        if l == len(self.W) - 1:
            return 1.0 if self.regression else 1 - math.tanh(x) ** 2
        return 1 - math.tanh(x) ** 2 if self.phi == "tanh" else (0.0 if x <= 0 else 1.0)

    def forward(self, x):
        outs, totals = [list(x)], []
        for l, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            t = [b[i] + sum(W[i][j] * outs[-1][j] for j in range(len(W[i]))) for i in range(len(W))]
            totals.append(t)
            outs.append([self._act(l, v) for v in t])
        return outs, totals

    def backprop(self, x, target):
        outs, totals = self.forward(x)
        out_der = [outs[-1][0] - target]  # Errors.SQUARE.der
        for l in range(len(self.W) - 1, -1, -1):
            in_der = [out_der[i] * self._der(l, totals[l][i]) for i in range(len(self.W[l]))]
            for i in range(len(self.W[l])):
                self.acc_b[l][i] += in_der[i]
                self.n_b[l][i] += 1
                for j in range(len(self.W[l][i])):
                    if not self.dead[l][i][j]:
                        self.acc_w[l][i][j] += in_der[i] * outs[l][j]
                        self.n_w[l][i][j] += 1
            if l:
                out_der = [sum(self.W[l][i][j] * in_der[i] for i in range(len(self.W[l])))
                           for j in range(len(self.W[l][0]))]

    def update(self, lr):
        for l in range(len(self.W)):
            for i in range(len(self.W[l])):
                if self.n_b[l][i] > 0:
                    self.b[l][i] -= lr * self.acc_b[l][i] / self.n_b[l][i]
                    self.acc_b[l][i], self.n_b[l][i] = 0.0, 0
                for j in range(len(self.W[l][i])):
                    if self.dead[l][i][j]:
                        continue
                    w = self.W[l][i][j]
                    der = {"l1": -1.0 if w < 0 else 1.0, "l2": w, "none": 0.0}[self.reg]
                    if self.n_w[l][i][j] > 0:
                        w = w - (lr / self.n_w[l][i][j]) * self.acc_w[l][i][j]
                        new = w - (lr * self.rate) * der
                        if self.reg == "l1" and w * new < 0:
                            self.W[l][i][j], self.dead[l][i][j] = 0.0, True
                        else:
                            self.W[l][i][j] = new
                        self.acc_w[l][i][j], self.n_w[l][i][j] = 0.0, 0

    def one_step(self, X, t, lr, batch):  # playground.ts oneStep: one epoch
        for i in range(len(X)):
            self.backprop(X[i], t[i])
            if (i + 1) % batch == 0:
                self.update(lr)

    def theta(self):
        return np.concatenate([np.concatenate([np.ravel(W), b]) for W, b in zip(self.W, self.b, strict=True)])


@pytest.mark.parametrize("task", ["binary", "regression"])
@pytest.mark.parametrize("reg,rate", [("none", 0.0), ("l1", 0.03), ("l2", 0.1)])
@pytest.mark.parametrize("batch", [1, 4, 10])
def test_tfp_rules_reproduce_tensorflow_playground_epoch_by_epoch(task, reg, rate, batch):
    """13 points in batches of 4 leave 1 to carry each epoch; three epochs against the transcription of nn.ts."""
    phi = "tanh" if task == "binary" else "relu"
    tr = _trainer(task, n=13, hidden=(3, 2), phis=(Phi(phi), Phi(phi)), rules="tfp", init="tfp", lr=0.3,
                  batch_size=batch, reg=reg, reg_rate=rate)
    ref = _TFP(tr.net, phi, task == "regression", reg, rate)
    t = tr.Y_train[:, 0]
    for _ in range(3):
        ref.one_step(tr.X_train.tolist(), t.tolist(), 0.3, batch)
        tr.run(1)
        np.testing.assert_allclose(tr.net.theta, ref.theta(), rtol=1e-10, atol=1e-13)
    assert tr.history.last("train_loss") == pytest.approx(
        np.mean([0.5 * (ref.forward(x)[0][-1][0] - ti) ** 2 for x, ti in zip(tr.X_train, t, strict=True)]),
        rel=1e-10)


def test_tfp_l1_clips_to_zero_and_freezes():
    """A large L1 rate: weights that would cross zero are set to exactly 0 and stay there, as in nn.ts."""
    tr = _trainer("binary", n=13, hidden=(3,), phis=(TANH,), rules="tfp", init="tfp", lr=0.3, batch_size=4,
                  reg="l1", reg_rate=1.0)
    ref = _TFP(tr.net, "tanh", False, "l1", 1.0)
    for _ in range(4):
        ref.one_step(tr.X_train.tolist(), tr.Y_train[:, 0].tolist(), 0.3, 4)
        tr.run(1)
    np.testing.assert_allclose(tr.net.theta, ref.theta(), rtol=1e-10, atol=1e-13)
    dead = (tr.alive == 0) & (tr.net.weight_mask > 0)
    assert tr.dead_weights == dead.sum() > 0 and np.all(tr.net.theta[dead] == 0.0)
    frozen = tr.net.theta.copy()
    tr.set_hyper(T.Hyper(lr=0.3, batch_size=4))  # regularisation off: dead weights still do not learn
    tr.run(2)
    assert np.all(tr.net.theta[dead] == 0.0) and not np.array_equal(tr.net.theta, frozen)


def test_tfp_batch_larger_than_the_data_never_steps():
    tr = _trainer("binary", n=13, rules="tfp", init="tfp", batch_size=20)
    theta = tr.net.theta.copy()
    tr.run(3)
    assert np.array_equal(tr.net.theta, theta) and tr.epoch == 3


def test_tfp_rules_refuse_what_tensorflow_playground_lacks():
    with pytest.raises(ValueError, match="plain SGD"):
        _trainer("binary", rules="tfp", optimizer="adam")
    with pytest.raises(ValueError, match="two classes"):
        _trainer("multiclass", rules="tfp")


def test_claim_nnviz_regression_at_eta_moves_weights_as_tfp_at_two_eta():
    """The conventions sentence: nnviz's mean (y_hat - y)^2 at eta = TensorFlow Playground's 1/2 (o - t)^2 at 2 eta
    (one full batch, so order and carrying do not matter)."""
    a = _trainer("regression", n=13, rules="nnviz", init="tfp", lr=0.05, batch_size=13)
    b = _trainer("regression", n=13, rules="tfp", init="tfp", lr=0.1, batch_size=13)
    a.run(3)
    b.run(3)
    np.testing.assert_allclose(a.net.theta, b.net.theta, rtol=1e-12)
    assert any("2η" in s for s in T.conventions("regression", "nnviz", a.hyper, "tfp", 13))


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("rules", ["nnviz", "tfp"])
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
@pytest.mark.parametrize("batch,n", [(10, 250), (7, 250), (300, 250), (1, 5)])
@pytest.mark.parametrize("opt", ["sgd", "adam"])
@pytest.mark.parametrize("init", ["xavier", "tfp"])
def test_claim_conventions_are_true_of_the_run(task, rules, reg, batch, n, opt, init):
    """Each conventions sentence is checked against the setting it describes."""
    if rules == "tfp" and (task == "multiclass" or opt != "sgd"):
        return
    hyper = T.Hyper(batch_size=batch, optimizer=opt, reg=reg, reg_rate=0.01 if reg != "none" else 0.0)
    said = " ".join(T.conventions(task, rules, hyper, init, n))
    carried = "carried into the next epoch's first step" in said
    assert carried == (rules == "tfp" and n % batch != 0 and batch <= n)
    assert ("form a step of their own" in said) == (rules == "nnviz" and n % min(batch, n) != 0)
    assert ("reshuffled every epoch" in said) == (rules == "nnviz")
    assert ("frozen" in said) == (rules == "tfp" and reg == "l1")
    assert ("freezes it" in said) == (rules == "nnviz" and reg == "l1")
    assert ("no step is ever taken" in said) == (rules == "tfp" and batch > n)
    assert ("plain SGD only" in said) == (opt != "sgd")
    assert ("Initial weights" in said) == (init != "tfp")
    steps = T.steps_per_epoch(n, batch, rules)
    assert steps == (math.ceil(n / min(batch, n)) if rules == "nnviz" else n // batch)


# ---------------------------------------------------------------------------------------------------------------
# The trainer as a TimedRun
# ---------------------------------------------------------------------------------------------------------------


def _circle_trainer(seed: int, net_seed: int = 0, max_steps: int = 30, **hyper) -> T.Trainer:
    pts = datasets.playground_set("circle", 200, 0.1, seed=1)
    sp = datasets.train_test_split(pts, 0.5, seed=1)
    keys = ["x1", "x2"]
    net = T.Network.initial([2, 4, 2, 1], [TANH, TANH], seed=net_seed)
    return T.Trainer(net, features.transform(sp.X_train, keys), sp.y_train, features.transform(sp.X_test, keys),
                     sp.y_test, "binary", 2, T.Hyper(**hyper), seed=seed, max_steps=max_steps)


def test_one_full_batch_sgd_step_is_a_hand_computed_gradient_step():
    X, y = _data("binary", n=20, d=2)
    net = T.Network.initial([2, 3, 1], [TANH], seed=5)
    theta0 = net.theta.copy()
    W1, b1, W2, b2 = net.W(0), net.b(0), net.W(1), net.b(1)
    h = np.tanh(X @ W1.T + b1)
    s = h @ W2.T + b2
    ds = (1 / (1 + np.exp(-s)) - y[:, None]) / len(X)  # binary cross-entropy: dL/ds = (sigmoid(s) - y) / n
    gW2, gb2 = ds.T @ h, ds.sum(0)
    dz = (ds @ W2) * (1 - h**2)
    gW1, gb1 = dz.T @ X, dz.sum(0)
    tr = T.Trainer(net, X, y, X[:0], y[:0], "binary", 2, T.Hyper(lr=0.7, batch_size=len(X)), seed=0)
    tr.run(1)
    expected = theta0 - 0.7 * np.concatenate([gW1.ravel(), gb1, gW2.ravel(), gb2])
    np.testing.assert_allclose(net.theta, expected, rtol=1e-12, atol=1e-14)


def test_same_seed_same_curve_other_seed_other_curve():
    a, b, c = _circle_trainer(4), _circle_trainer(4), _circle_trainer(5)
    for tr in (a, b, c):
        tr.run()
    assert a.history["train_loss"] == b.history["train_loss"]
    assert np.array_equal(a.net.theta, b.net.theta)
    assert a.history["train_loss"][0] == c.history["train_loss"][0]  # same initial network
    assert a.history.last("train_loss") != c.history.last("train_loss")  # other mini-batch order
    assert a.done and a.progress == 1.0 and "Epoch 30 of 30" in a.status()


def test_advance_stops_at_the_stop_epoch_and_the_same_numbers_whatever_the_budget():
    a, b = _circle_trainer(0), _circle_trainer(0)
    assert a.advance(0.0) == 1 and a.epoch == 1  # at least one epoch
    a.advance(10.0)
    b.run()
    assert a.epoch == 30 and a.done and a.advance(1.0) == 0
    assert np.array_equal(a.net.theta, b.net.theta)
    a.set_stop(40)
    assert not a.done and a.run().epoch == 40


def test_history_stays_bounded_and_keeps_the_whole_run():
    tr = _circle_trainer(0)
    tr.history = T.History(T.HISTORY_COLUMNS, 8)
    tr.run()
    e = tr.history["epoch"]
    assert len(e) <= 8 and e[-1] == 30 and e == sorted(e)


def test_changing_hyperparameters_mid_run_keeps_the_network():
    tr = _circle_trainer(0)
    tr.run(5)
    theta = tr.net.theta.copy()
    tr.set_hyper(T.Hyper(lr=0.1, batch_size=50, optimizer="adam"))
    assert np.array_equal(theta, tr.net.theta) and tr.opt.kind == "adam"
    tr.run(5)
    assert tr.epoch == 10


def test_divergence_is_caught_and_the_last_finite_network_kept():
    rng = np.random.default_rng(0)
    X = rng.uniform(-6, 6, (100, 2))
    y = X.sum(axis=1)
    net = T.Network.initial([2, 8, 8, 1], [RELU, RELU], seed=0)
    tr = T.Trainer(net, X, y, X, y, "regression", 0, T.Hyper(lr=10.0, batch_size=10), seed=0, max_steps=500)
    tr.run()
    assert tr.diverged and tr.done and tr.epoch < 500
    assert np.isfinite(tr.net.theta).all() and np.isfinite(tr.history["train_loss"]).all()
    assert "diverged" in tr.status()


def test_no_hidden_layer_is_logistic_regression():
    X, y = _data("binary", d=2)
    net = T.Network.initial([2, 1], [], seed=0)
    tr = T.Trainer(net, X, y, X, y, "binary", 2, T.Hyper(lr=0.5, batch_size=37), seed=0)
    tr.run(50)
    assert tr.history.last("train_loss") < tr.history["train_loss"][0]


def test_spiral_is_solved_by_a_reasonable_network():
    """TF Playground's spiral, noise 0, half for training: >= 95 % test accuracy in 400 epochs."""
    pts = datasets.playground_set("spiral", 500, 0.0, seed=0)
    sp = datasets.train_test_split(pts, 0.5, seed=0)
    keys = ["x1", "x2", "sinx1", "sinx2"]
    net = T.Network.initial([4, 8, 8, 1], [TANH, TANH], seed=0)
    tr = T.Trainer(net, features.transform(sp.X_train, keys), sp.y_train, features.transform(sp.X_test, keys),
                   sp.y_test, "binary", 2, T.Hyper(lr=0.01, batch_size=10, optimizer="adam"), seed=0, max_steps=400)
    tr.run()
    assert max(tr.history["test_acc"]) >= 0.95, tr.status()


def test_bad_settings_are_refused_in_words():
    with pytest.raises(ValueError, match="learning rate"):
        T.Hyper(lr=0.0)
    with pytest.raises(ValueError, match="outputs"):
        T.Trainer(T.Network.initial([2, 2], [], seed=0), np.zeros((3, 2)), np.zeros(3), np.zeros((0, 2)),
                  np.zeros(0), "multiclass", 3)


# ---------------------------------------------------------------------------------------------------------------
# What the loss curve does, in words (synthetic histories), and drawing a long curve
# ---------------------------------------------------------------------------------------------------------------


def _trend(values):
    return T.loss_trend(np.arange(len(values)), values)


def test_trend_on_synthetic_histories():
    e = np.arange(200)
    assert _trend(0.7 * np.exp(-e / 50)).kind == "falling"
    rng = np.random.default_rng(0)
    noisy = 0.7 * np.exp(-e / 50) * (1 + 0.01 * rng.standard_normal(200))  # SGD noise is not a swing
    assert _trend(noisy).kind == "falling"
    swing = 0.7 + 0.5 * (-1) ** e * rng.uniform(0.5, 1, 200)  # up, down, up ... by up to 0.5
    t = _trend(swing)
    assert t.kind == "swinging" and t.alarm and "swings" in t.sentence and t.up >= 0.3
    assert _trend(0.7 * np.exp(e / 100)).kind == "rising"
    assert _trend(np.full(200, 0.69)).kind == "stalled"
    settled = np.concatenate([0.7 * np.exp(-e[:100] / 10), np.full(100, 0.7 * np.exp(-10))])
    assert _trend(settled).kind == "settled"
    assert _trend([0.7, 0.6, 0.5]).kind == "early" and _trend([0.7, 0.6, 0.5]).sentence == ""
    assert not _trend(noisy).alarm


def test_trend_sentences_state_the_numbers_they_saw():
    e = np.arange(100)
    t = _trend(0.5 * np.exp(e / 40))
    first, last = float(np.median(t_w := (0.5 * np.exp(e / 40))[-60:][:20])), float(np.median(t_w[-20:]))
    assert f"{first:.3g}" in t.sentence and f"{last:.3g}" in t.sentence and "last 59 epochs" in t.sentence


def test_claim_a_too_large_learning_rate_on_the_spiral_is_called_swinging():
    """The issue's case: eta = 3 on the spiral swings long before the loss passes 1e6."""
    pts = datasets.playground_set("spiral", 500, 0.0, seed=0)
    sp = datasets.train_test_split(pts, 0.5, seed=0)
    net = T.Network.initial([2, 4, 2, 1], [TANH, TANH], seed=0)
    tr = T.Trainer(net, sp.X_train, sp.y_train, sp.X_test, sp.y_test, "binary", 2, T.Hyper(lr=3.0), max_steps=200)
    tr.run()
    t = T.loss_trend(tr.history["epoch"], tr.history["train_loss"])
    assert t.alarm, t
    calm = T.Trainer(T.Network.initial([2, 4, 2, 1], [TANH, TANH], seed=0), sp.X_train, sp.y_train, sp.X_test,
                     sp.y_test, "binary", 2, T.Hyper(lr=0.03), max_steps=200).run()
    assert not T.loss_trend(calm.history["epoch"], calm.history["train_loss"]).alarm


def test_envelope_keeps_every_extreme_and_says_it_binned():
    x = np.arange(5000)
    y = np.where(x % 2, 1.0, 3.0)
    env = T.envelope(x, y, bins=100)
    assert env.binned and len(env.x) == 100 and "100 bins" in env.note
    assert np.all(env.lo == 1.0) and np.all(env.hi == 3.0)
    short = T.envelope(x[:50], y[:50], bins=100)
    assert not short.binned and short.note == "" and np.array_equal(short.mid, y[:50])



@pytest.mark.parametrize("n, bins", [(301, 300), (1000, 300), (12_345, 408), (20_000, 300)])
def test_envelope_is_each_run_of_rows_statistics_ignoring_nans_and_empty_where_nothing_is_finite(n, bins):
    rng = np.random.default_rng(n)
    x, y = np.arange(n, dtype=float), rng.random(n)
    y[rng.random(n) < 0.3], y[rng.random(n) < 0.05], y[:40], y[50:60] = np.nan, np.inf, np.nan, -np.inf
    env = T.envelope(x, y, bins=bins)
    for i, rows in enumerate(np.array_split(np.arange(n), bins)):  # consecutive runs, as np.array_split cuts
        assert env.x[i] == x[rows].mean()
        finite = y[rows][np.isfinite(y[rows])]
        if not len(finite):
            assert np.isnan([env.lo[i], env.hi[i], env.mid[i]]).all()
            continue
        kept = y[rows][~np.isnan(y[rows])]  # ±inf count as values, as a diverging loss does
        assert (env.lo[i], env.hi[i]) == (kept.min(), kept.max())
        assert env.mid[i] == np.median(kept) or (np.isinf(env.mid[i]) and np.isinf(np.median(kept)))

# ---------------------------------------------------------------------------------------------------------------
# Formulas and output scales
# ---------------------------------------------------------------------------------------------------------------


def test_network_latex_names_each_layer_and_the_output_function():
    tex = T.network_latex((2, 4, 2, 1), (TANH, Phi("leaky_relu", alpha=0.2)), "binary")
    assert r"h_{1} &= \text{Tanh}" in tex.replace("tanh", "Tanh") or "h_{1}" in tex
    assert r"\sigma(W_{3} h_{2} + b_{3})" in tex and r"\mathbb{R}^{4 \times 2}" in tex
    assert r"\tanh(W_{3}" in T.network_latex((2, 4, 2, 1), (TANH, TANH), "binary", "tfp")
    assert r"\hat y &= W_{1} x + b_{1}" in T.network_latex((2, 1), (), "regression")


@pytest.mark.parametrize("task,rules", [("binary", "nnviz"), ("binary", "tfp"), ("regression", "nnviz"),
                                        ("regression", "tfp")])
def test_claim_colour_bar_spans_every_output_on_the_plane(task, rules):
    net = T.Network.initial([2, 8, 1], [RELU], seed=0, init="he")
    net.theta *= 3  # a network whose regression output leaves [-1, 1]
    view = T.plane_view(net, ["x1", "x2"], task, rules, res=30, tile_res=8)
    scale = T.output_scale(task, rules, view.output)
    assert scale.lo <= view.output.min() and view.output.max() <= scale.hi
    if task == "binary":
        assert (scale.lo, scale.hi) == ((-1.0, 1.0) if rules == "tfp" else (0.0, 1.0))


def test_layer_latex_prints_the_numbers_of_the_layer():
    net = T.Network.initial([2, 3, 1], [TANH], seed=0)
    m = T.layer_maths(net, np.array([1.0, -2.0]), 1)
    line1, line2 = T.layer_latex(m, "binary")
    assert f"{m.z[0]:.3f}" in line1 and r"\sigma(z_{2})" in line2
    p = 1 / (1 + math.exp(-m.z[0]))
    assert f"{p:.3f}" in line2
    m0 = T.layer_maths(net, np.array([1.0, -2.0]), 0)
    assert f"{np.tanh(m0.z[0]):.3f}" in T.layer_latex(m0, "binary")[1]


def test_exported_json_and_torch_snippet_rebuild_the_model(tmp_path):
    keys = ["x1", "x2", "x1x2", "sinx1"]
    net = T.Network.initial([4, 5, 3, 3], [Phi("leaky_relu", alpha=0.2), Phi("sine")], seed=1)
    spec = json.loads(T.weights_json(net, keys, "multiclass", epoch=7))
    assert spec["widths"] == [4, 5, 3, 3] and spec["epoch"] == 7
    assert spec["activations"][0] == {"key": "leaky_relu", "params": {"alpha": 0.2}}
    np.testing.assert_array_equal(np.array(spec["layers"][1]["W"]), net.W(1))
    (tmp_path / "weights.json").write_text(T.weights_json(net, keys, "multiclass", epoch=7))
    script = tmp_path / "rebuild.py"
    script.write_text(T.torch_snippet(net, keys, "multiclass", json_name=str(tmp_path / "weights.json")))
    ns = runpy.run_path(str(script))
    X = np.array([[1.0, -2.0]])
    expected = T.predict(net.logits(features.transform(X, keys)), "multiclass")
    np.testing.assert_allclose(torch.softmax(ns["z"], dim=1).detach().numpy(), expected, rtol=1e-10)


def test_torch_snippet_without_hidden_layers_runs(tmp_path):
    net = T.Network.initial([2, 1], [], seed=0, init="tfp")
    (tmp_path / "w.json").write_text(T.weights_json(net, ["x1", "x2"], "binary", 0, "tfp"))
    script = tmp_path / "r.py"
    script.write_text(T.torch_snippet(net, ["x1", "x2"], "binary", str(tmp_path / "w.json"), "tfp"))
    ns = runpy.run_path(str(script))
    z = float(net.logits(np.array([[1.0, -2.0]]))[0, 0])
    assert float(ns["prediction"].detach()[0]) == pytest.approx(math.tanh(z))


def test_every_activation_trains_in_the_inner_loop():
    for key in activations.names():
        tr = _trainer("binary", hidden=(3,), phis=(Phi(key),), lr=0.01)
        tr.run(2)
        assert np.isfinite(tr.net.theta).all(), key


def test_claim_the_plane_set_is_what_its_name_says():
    """"Plane  y = (x₁ + x₂)/10, capped at ±1": exactly that on noise-free points, corners included."""
    assert datasets.REGRESSION_SETS["plane"].endswith("capped at ±1")
    p = datasets.playground_set("plane", 2000, 0.0, seed=0)
    s = (p.X[:, 0] + p.X[:, 1]) / 10
    np.testing.assert_allclose(p.y, np.clip(s, -1, 1))
    assert np.any(np.abs(s) > 1) and np.abs(p.y).max() == 1.0  # the cap is reached, so the name must say it


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_output_map_legend_sits_above_the_plane_at_the_size_asked(task):
    from nnviz.figures import playground as figs

    n_classes = {"binary": 2, "multiclass": 3, "regression": 0}[task]
    name = {"binary": "circle", "multiclass": "gauss3", "regression": "plane"}[task]
    split = datasets.train_test_split(datasets.playground_set(name, 60, 0.0, 0), 0.5, 0, regression=not n_classes)
    net = T.Network.initial([2, 3, T.output_width(task, n_classes)], [TANH], seed=0)
    view = T.plane_view(net, ("x1", "x2"), task, res=20, tile_res=8)
    for px in (12, 18):
        spec = figs.output_map(view, split, task, T.output_scale(task, "nnviz", view.output), legend_px=px)
        legend = spec["layout"]["legend"]
        # outside the data (above the plot area, growing the margin), entries as wide as their text (no fixed
        # fraction that cut one entry into the next), at the size asked (classroom mode: 18 px)
        assert legend["y"] >= 1 and legend["yanchor"] == "bottom" and "entrywidth" not in legend
        assert legend["font"]["size"] == px
        named = [t["name"] for t in spec["data"] if t.get("name")]
        assert len(named) == (2 + n_classes if n_classes else 2)


def test_the_playground_modules_import_without_torch():


    code = ("import sys; import nnviz.topics.playground, nnviz.figures.playground, nnviz.views.playground; "
            "print('torch' in sys.modules, 'sklearn' in sys.modules, 'scipy' in sys.modules)")
    out = run_python(code).split()
    assert out == ["False", "False", "False"]
