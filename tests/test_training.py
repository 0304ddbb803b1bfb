"""The playground's trainer against torch: activations, forward pass, gradients, optimiser steps, reproducibility."""

from __future__ import annotations

import json
import runpy

import numpy as np
import pytest
import torch

from nnviz import activations, datasets, features
from nnviz import training as T
from nnviz.mlp import build_mlp

TASK_CLASSES = {"binary": 2, "multiclass": 3, "regression": 0}


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


@pytest.mark.parametrize("key", activations.names())
def test_numpy_activation_matches_registry_and_autograd(key):
    z = np.linspace(-4.3, 4.3, 173)  # avoids the kinks at 0, +-1, +-3, 6
    params = {p.name: p.default * 0.7 + p.low * 0.3 for p in activations.get(key).params}
    phi, dphi = T.numpy_activation(key, **params)
    a = phi(z)
    np.testing.assert_allclose(a, activations.phi(key, z, **params), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.asarray(dphi(z, a), float), activations.dphi(key, z, **params), rtol=1e-7,
                               atol=1e-10)


def test_initial_network_is_build_mlp_with_the_same_seed():
    widths, phis = [3, 5, 4, 2], ["tanh", "relu"]
    net = T.Network.initial(widths, phis, seed=11)
    model = build_mlp(widths, phis, seed=11, init="xavier", dtype=torch.float64)
    X = np.random.default_rng(1).normal(size=(9, 3))
    np.testing.assert_allclose(net.logits(X), model(torch.from_numpy(X)).detach().numpy(), rtol=1e-12)
    assert np.array_equal(net.theta, T.Network.initial(widths, phis, seed=11).theta)
    assert not np.allclose(net.theta, T.Network.initial(widths, phis, seed=12).theta)
    assert net.size == sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=False))
    np.testing.assert_array_equal(net.W(1), model[2].weight.detach().numpy())


@pytest.mark.parametrize("task", list(TASK_CLASSES))
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
def test_backprop_gradient_equals_autograd(task, reg):
    X, y = _data(task)
    k = T.output_width(task, TASK_CLASSES[task])
    net = T.Network.initial([3, 6, 5, k], ["tanh", "sigmoid"], seed=3)
    loss, g = T.gradient(net, X, T.targets(y, task, TASK_CLASSES[task]), task, reg, 0.05)
    model = net.to_torch()
    t_loss = _torch_loss(model, X, y, task, reg, 0.05)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-10)
    np.testing.assert_allclose(g, _flat_grad(model), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("reg", ["l1", "l2"])
def test_regulariser_adds_exactly_its_gradient_to_the_weights_only(reg):
    X, y = _data("binary")
    net = T.Network.initial([3, 4, 1], ["tanh"], seed=0)
    Y = T.targets(y, "binary", 2)
    rate = 0.3
    _, g0 = T.gradient(net, X, Y, "binary")
    _, g1 = T.gradient(net, X, Y, "binary", reg, rate)
    expected = rate * (np.sign(net.theta) if reg == "l1" else net.theta) * net.weight_mask
    np.testing.assert_allclose(g1 - g0, expected, atol=1e-12)
    bias_part = net.weight_mask == 0
    assert bias_part.sum() == 4 + 1 and np.all(g1[bias_part] == g0[bias_part])


def test_one_full_batch_sgd_step_is_a_hand_computed_gradient_step():
    X, y = _data("binary", n=20, d=2)
    net = T.Network.initial([2, 3, 1], ["tanh"], seed=5)
    theta0 = net.theta.copy()
    # by hand: one hidden layer, binary cross-entropy, dL/ds = (sigmoid(s) - y) / n
    W1, b1, W2, b2 = net.W(0), net.b(0), net.W(1), net.b(1)
    h = np.tanh(X @ W1.T + b1)
    s = h @ W2.T + b2
    ds = (1 / (1 + np.exp(-s)) - y[:, None]) / len(X)
    gW2, gb2 = ds.T @ h, ds.sum(0)
    dz = (ds @ W2) * (1 - h**2)
    gW1, gb1 = dz.T @ X, dz.sum(0)
    lr = 0.7
    tr = T.Trainer(net, X, y, X[:0], y[:0], "binary", 2, T.Hyper(lr=lr, batch_size=len(X)), seed=0)
    tr.train_epoch()
    expected = theta0 - lr * np.concatenate([gW1.ravel(), gb1, gW2.ravel(), gb2])
    np.testing.assert_allclose(net.theta, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("task", list(TASK_CLASSES))
@pytest.mark.parametrize("opt", list(T.OPTIMIZERS))
@pytest.mark.parametrize("phi", ["tanh", "relu", "sigmoid", "linear", "elu"])
def test_epochs_of_minibatches_equal_torch_optim(task, opt, phi):
    """Three epochs of the fast inner loop equal torch.optim on the same mini-batches (same order, batch 4)."""
    X, y = _data(task, n=14)
    k = T.output_width(task, TASK_CLASSES[task])
    reg, rate = ("l2", 0.01) if opt == "momentum" else (("l1", 0.02) if opt == "adam" else ("none", 0.0))
    net = T.Network.initial([3, 5, 4, k], [phi, "tanh"], seed=2)
    model = net.to_torch()
    hyper = T.Hyper(lr=0.05, batch_size=4, optimizer=opt, reg=reg, reg_rate=rate)
    tr = T.Trainer(net, X, y, X, y, task, TASK_CLASSES[task], hyper, seed=9)
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
    np.testing.assert_allclose(net.logits(X), model(torch.from_numpy(X)).detach().numpy(), rtol=1e-9, atol=1e-11)
    assert tr.epoch == 3 and len(tr.history.train_loss) == 4


def test_no_hidden_layer_is_logistic_regression():
    X, y = _data("binary", d=2)
    net = T.Network.initial([2, 1], [], seed=0)
    tr = T.Trainer(net, X, y, X, y, "binary", 2, T.Hyper(lr=0.5, batch_size=37), seed=0)
    tr.run(50)
    assert tr.history.train_loss[-1] < tr.history.train_loss[0]


def _circle_trainer(seed: int, net_seed: int = 0, **hyper) -> T.Trainer:
    pts = datasets.playground_set("circle", 200, 0.1, seed=1)
    sp = datasets.train_test_split(pts, 0.5, seed=1)
    keys = ["x1", "x2"]
    net = T.Network.initial([2, 4, 2, 1], ["tanh", "tanh"], seed=net_seed)
    return T.Trainer(net, features.transform(sp.X_train, keys), sp.y_train, features.transform(sp.X_test, keys),
                     sp.y_test, "binary", 2, T.Hyper(**hyper), seed=seed, stop_epoch=30)


def test_same_seed_same_curve_other_seed_other_curve():
    a, b, c = _circle_trainer(4), _circle_trainer(4), _circle_trainer(5)
    for tr in (a, b, c):
        tr.run(30)
    assert a.history.train_loss == b.history.train_loss
    assert np.array_equal(a.net.theta, b.net.theta)
    assert a.history.train_loss[0] == c.history.train_loss[0]  # same initial network
    assert a.history.train_loss[-1] != c.history.train_loss[-1]  # other mini-batch order
    assert a.done and a.progress == 1.0 and "Epoch 30" in a.status()


def test_stepper_advance_respects_stop_epoch_and_budget():
    tr = _circle_trainer(0)
    n = tr.advance(0.0)
    assert n == 1 and tr.epoch == 1  # at least one epoch
    tr.advance(10.0)
    assert tr.epoch == 30 and tr.done
    assert tr.advance(1.0) == 0


def test_history_stays_bounded_and_keeps_the_whole_run(monkeypatch):
    monkeypatch.setattr(T.History, "MAX_POINTS", 8)
    tr = _circle_trainer(0)
    tr.run(30)
    h = tr.history
    assert len(h.epoch) <= 9
    assert h.epoch[0] == 0 and h.epoch[-1] == 30  # the start and the latest epoch survive thinning
    assert h.epoch == sorted(h.epoch)
    assert len(h.train_loss) == len(h.test_acc) == len(h.epoch)


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
    net = T.Network.initial([2, 8, 8, 1], ["relu", "relu"], seed=0)
    tr = T.Trainer(net, X, y, X, y, "regression", 0, T.Hyper(lr=10.0, batch_size=10), seed=0, stop_epoch=500)
    tr.advance(5.0)
    assert tr.diverged and tr.done
    assert np.isfinite(tr.net.theta).all()
    assert np.isfinite(tr.history.train_loss).all()
    assert "diverged" in tr.status()
    assert tr.epoch < 500


def test_spiral_is_solved_by_a_reasonable_network():
    """TF Playground's spiral, noise 0, half for training: >= 95 % test accuracy within the benchmark's budget."""
    pts = datasets.playground_set("spiral", 500, 0.0, seed=0)
    sp = datasets.train_test_split(pts, 0.5, seed=0)
    keys = ["x1", "x2", "sinx1", "sinx2"]
    net = T.Network.initial([4, 8, 8, 1], ["tanh", "tanh"], seed=0)
    tr = T.Trainer(net, features.transform(sp.X_train, keys), sp.y_train, features.transform(sp.X_test, keys),
                   sp.y_test, "binary", 2, T.Hyper(lr=0.01, batch_size=10, optimizer="adam"), seed=0,
                   stop_epoch=400)
    tr.advance(60.0)
    assert max(tr.history.test_acc) >= 0.95, tr.status()


def test_exported_json_and_torch_snippet_rebuild_the_model(tmp_path):
    keys = ["x1", "x2", "x1x2", "sinx1"]
    net = T.Network.initial([4, 5, 3, 3], ["leaky_relu", "sine"], seed=1, phi_params={"alpha": 0.2})
    spec = json.loads(T.weights_json(net, keys, "multiclass", epoch=7))
    assert spec["widths"] == [4, 5, 3, 3] and spec["epoch"] == 7
    np.testing.assert_array_equal(np.array(spec["layers"][1]["W"]), net.W(1))
    (tmp_path / "weights.json").write_text(T.weights_json(net, keys, "multiclass", epoch=7))
    script = tmp_path / "rebuild.py"
    script.write_text(T.torch_snippet(net, keys, "multiclass", json_name=str(tmp_path / "weights.json")))
    ns = runpy.run_path(str(script))
    X = np.array([[1.0, -2.0]])
    expected = T.predict(net.logits(features.transform(X, keys)), "multiclass")
    np.testing.assert_allclose(torch.softmax(ns["logits"], dim=1).detach().numpy(), expected, rtol=1e-10)


def test_bad_settings_are_refused_in_words():
    with pytest.raises(ValueError, match="learning rate"):
        T.Hyper(lr=0.0)
    with pytest.raises(ValueError, match="outputs"):
        T.Trainer(T.Network.initial([2, 2], [], seed=0), np.zeros((3, 2)), np.zeros(3), np.zeros((0, 2)),
                  np.zeros(0), "multiclass", 3)


def test_background_training_runs_stops_and_gives_up_without_a_viewer():
    tr = _circle_trainer(0)
    tr.stop_epoch = 10**6
    bg = T.Background(tr, slice_s=0.01, idle_timeout_s=0.3)
    bg.start()
    import time

    time.sleep(0.2)
    net, hist, status = bg.snapshot()
    assert hist.epoch[-1] > 0 and len(hist.train_loss) == len(hist.epoch) and "Epoch" in status
    assert net is not tr.net and net.size == tr.net.size
    time.sleep(0.6)  # no heartbeat: the thread must have stopped by itself
    assert not bg.alive
    epoch = tr.epoch
    time.sleep(0.1)
    assert tr.epoch == epoch
    bg.start()
    bg.stop()
    assert not bg.alive
    done = _circle_trainer(0)  # stop_epoch 30
    bg = T.Background(done)
    bg.start()
    for _ in range(100):
        if not bg.alive:
            break
        time.sleep(0.05)
    assert done.epoch == 30 and not bg.alive
