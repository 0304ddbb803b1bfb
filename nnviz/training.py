"""Training a fully connected network live: a fast numpy MLP, its hand-written backprop, and a Stepper.

The network is the lecture's h_1 = phi(W_1 x + b_1), ..., y_hat = W_L h_{L-1} + b_L (the output layer is
linear; a sigmoid, softmax or nothing turns its logits into a probability, class probabilities or a number).
Initial weights come from ``nnviz.mlp.build_mlp`` (torch, the same seed gives the same weights); training
then runs in numpy with backpropagation written out by hand, because per-sample torch autograd is far too
slow for a live view at batch size 10. The tests check every gradient and every optimiser step against torch.

Shapes: X (n, d) inputs (the chosen features), Y (n, k) targets (one column for binary classification and
regression, one-hot for k >= 3 classes). W_l (h_l, h_{l-1}) and b_l (h_l,) are views into one flat parameter
vector ``theta``, so an optimiser step is a handful of vector operations.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from nnviz import activations
from nnviz.mlp import build_mlp, linear_layers

TASKS = ("binary", "multiclass", "regression")
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD with momentum (0.9)", "adam": "Adam"}
REGULARISERS = {"none": "None", "l1": "L1", "l2": "L2"}
MOMENTUM = 0.9
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
#: A training loss above this (or not a number) counts as diverged.
DIVERGENCE_LOSS = 1e6

# ---------------------------------------------------------------------------------------------------------------
# Activations in numpy: phi and phi' (same values as the registry's torch versions; tested against autograd)
# ---------------------------------------------------------------------------------------------------------------

NpAct = activations.NpForm


def numpy_activation(key: str, **params: float) -> NpAct:
    """(phi, dphi) in numpy for a registry key: ``phi(z)`` and ``dphi(z, a)`` where a = phi(z)."""
    return activations.Phi(key, **params).numpy_pair()


def _fast_forward(key: str, act: NpAct) -> Callable[[np.ndarray, np.ndarray], None]:
    """phi written into ``out`` without temporaries, for the trainer's inner loop."""
    if key == "tanh":
        return lambda z, out: np.tanh(z, out=out)
    if key == "relu":
        return lambda z, out: np.maximum(z, 0.0, out=out)
    if key == "linear":
        return lambda z, out: np.copyto(out, z)
    if key == "sigmoid":
        def sigmoid(z: np.ndarray, out: np.ndarray) -> None:
            np.multiply(z, 0.5, out=out)
            np.tanh(out, out=out)
            out *= 0.5
            out += 0.5
        return sigmoid

    def generic(z: np.ndarray, out: np.ndarray) -> None:
        out[...] = act[0](z)
    return generic


def _fast_backward(key: str, act: NpAct) -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]:
    """delta *= phi'(z) in place (a = phi(z), tmp scratch), for the trainer's inner loop."""
    if key == "tanh":  # delta * (1 - a^2) = delta - delta * a * a
        def tanh(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
            np.multiply(delta, a, out=tmp)
            tmp *= a
            delta -= tmp
        return tanh
    if key == "relu":
        def relu(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
            np.greater(z, 0.0, out=tmp)
            delta *= tmp
        return relu
    if key == "linear":
        return lambda delta, z, a, tmp: None
    if key == "sigmoid":  # delta * a (1 - a)
        def sigmoid(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
            np.subtract(1.0, a, out=tmp)
            tmp *= a
            delta *= tmp
        return sigmoid

    def generic(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
        delta *= act[1](z, a)
    return generic


# ---------------------------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------------------------


def _views(flat: np.ndarray, shapes: Sequence[tuple[int, int]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per-layer views (W_l (r, c), b_l (r,)) into a flat vector laid out W_1, b_1, W_2, b_2, ..."""
    Ws, bs, offset = [], [], 0
    for r, c in shapes:
        Ws.append(flat[offset:offset + r * c].reshape(r, c))
        bs.append(flat[offset + r * c:offset + r * c + r])
        offset += r * c + r
    return Ws, bs


def output_width(task: str, n_classes: int) -> int:
    """Output units: 1 logit for binary classification and for regression, one per class otherwise."""
    if task not in TASKS:
        raise ValueError(f"Unknown task {task!r}.")
    return n_classes if task == "multiclass" else 1


class Network:
    """A fully connected network in numpy. ``widths = [d, h_1, ..., h_L]``, ``phis`` one key per hidden layer.

    ``theta`` (P,) holds every parameter, layer by layer: W_l row by row, then b_l. ``Ws[l]`` (h_{l+1}, h_l)
    and ``bs[l]`` (h_{l+1},) are views into it, so updating ``theta`` in place updates the layers.
    """

    def __init__(self, widths: Sequence[int], phis: Sequence[str], theta: np.ndarray | None = None,
                 phi_params: dict[str, float] | None = None) -> None:
        self.widths = tuple(int(w) for w in widths)
        self.phis = tuple(phis)
        if len(self.phis) != len(self.widths) - 2:
            raise ValueError(f"Got {len(self.phis)} activations for {len(self.widths) - 2} hidden layers.")
        self.phi_params = dict(phi_params or {})
        self.shapes = [(b, a) for a, b in zip(self.widths[:-1], self.widths[1:], strict=False)]
        self.size = sum(r * c + r for r, c in self.shapes)
        self.theta = np.zeros(self.size) if theta is None else np.array(theta, dtype=np.float64)
        if self.theta.shape != (self.size,):
            raise ValueError(f"Expected {self.size} parameters, got {self.theta.shape}.")
        self.Ws, self.bs = _views(self.theta, self.shapes)
        self.weight_mask = np.zeros(self.size)  # 1 for weights, 0 for biases (regularisation skips biases)
        for W in _views(self.weight_mask, self.shapes)[0]:
            W[...] = 1.0
        self.acts = [numpy_activation(k, **self.phi_params) for k in self.phis]

    # -- construction -------------------------------------------------------------------------------------------
    @classmethod
    def initial(cls, widths: Sequence[int], phis: Sequence[str], seed: int = 0, init: str = "xavier",
                phi_params: dict[str, float] | None = None) -> Network:
        """The initial weights ``nnviz.mlp.build_mlp`` draws for this seed (the same seed, the same network)."""
        model = build_mlp(list(widths), list(phis), seed=seed, init=init, phi_params=phi_params,
                          dtype=torch.float64)
        net = cls(widths, phis, phi_params=phi_params)
        for W, b, lin in zip(net.Ws, net.bs, linear_layers(model), strict=True):
            W[...] = lin.weight.detach().numpy()
            b[...] = lin.bias.detach().numpy()
        return net

    def copy(self) -> Network:
        return Network(self.widths, self.phis, self.theta.copy(), self.phi_params)

    def to_torch(self) -> torch.nn.Sequential:
        """The same network as a torch ``nn.Sequential`` (float64), for checking against autograd and export."""
        model = build_mlp(list(self.widths), list(self.phis), phi_params=self.phi_params, dtype=torch.float64)
        with torch.no_grad():
            for W, b, lin in zip(self.Ws, self.bs, linear_layers(model), strict=True):
                lin.weight.copy_(torch.from_numpy(W.copy()))
                lin.bias.copy_(torch.from_numpy(b.copy()))
        return model

    # -- parameters as the lecture writes them -------------------------------------------------------------------
    def W(self, l: int) -> np.ndarray:
        """W of layer l (0-based): (h_{l+1}, h_l), a copy."""
        return self.Ws[l].copy()

    def b(self, l: int) -> np.ndarray:
        """b of layer l (0-based): (h_{l+1},), a copy."""
        return self.bs[l].copy()

    @property
    def depth(self) -> int:
        """Number of weight layers L (hidden layers + 1)."""
        return len(self.Ws)

    # -- evaluation ---------------------------------------------------------------------------------------------
    def forward_all(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations z_l (n, h_l) and activations h_l for l = 1..L; h_0 = X is not included.

        The last z is the output logits; the last h equals it (the output layer is linear).
        """
        h = np.asarray(X, dtype=np.float64)
        zs, hs = [], []
        for l, (W, b) in enumerate(zip(self.Ws, self.bs, strict=True)):
            z = h @ W.T + b
            h = self.acts[l][0](z) if l < len(self.acts) else z
            zs.append(z)
            hs.append(h)
        return zs, hs

    def logits(self, X: np.ndarray) -> np.ndarray:
        """The output layer's values W_L h_{L-1} + b_L: (n, k)."""
        return self.forward_all(X)[1][-1]

    def describe(self) -> str:
        arch = " → ".join(str(w) for w in self.widths)
        return f"Network({arch}; {', '.join(self.phis) or 'no hidden layer'}; {self.size} parameters)"

    __repr__ = describe


def predict(logits: np.ndarray, task: str) -> np.ndarray:
    """What the network outputs: P(class 1) (n,) for binary, class probabilities (n, k), or the number (n,)."""
    if task == "binary":
        return activations.sigmoid_np(logits[:, 0])
    if task == "multiclass":
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return logits[:, 0]


def targets(y: np.ndarray, task: str, n_classes: int) -> np.ndarray:
    """The target matrix Y (n, k) the loss compares the logits with (one-hot for several classes)."""
    y = np.asarray(y)
    if task == "multiclass":
        return np.eye(n_classes)[y.astype(int)]
    return y.astype(np.float64).reshape(-1, 1)


def data_loss(logits: np.ndarray, Y: np.ndarray, task: str) -> float:
    """Mean loss over the rows: binary cross-entropy, softmax cross-entropy, or mean squared error."""
    if len(logits) == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        if task == "binary":
            s = logits[:, 0]
            return float((np.logaddexp(0.0, s) - Y[:, 0] * s).sum()) / len(s)
        if task == "multiclass":
            m = logits.max(axis=1, keepdims=True)
            lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
            return float((lse - (logits * Y).sum(axis=1)).sum()) / len(lse)
        d = logits[:, 0] - Y[:, 0]
        return float(np.dot(d, d)) / len(d)


def penalty(net: Network, reg: str, rate: float) -> float:
    """The regulariser on the weights (never the biases): rate * sum|w| (L1) or rate/2 * sum w^2 (L2)."""
    w = net.theta[net.weight_mask > 0]
    if reg == "l1":
        return float(rate * np.abs(w).sum())
    if reg == "l2":
        return float(0.5 * rate * (w * w).sum())
    return 0.0


def accuracy(logits: np.ndarray, y: np.ndarray, task: str) -> float:
    """Fraction of points whose predicted class (p > 0.5, or the largest logit) is the label; NaN for regression."""
    if task == "regression" or len(logits) == 0:
        return float("nan")
    pred = (logits[:, 0] > 0).astype(int) if task == "binary" else logits.argmax(axis=1)
    return float(np.count_nonzero(pred == y)) / len(pred)


def gradient(net: Network, X: np.ndarray, Y: np.ndarray, task: str, reg: str = "none",
             rate: float = 0.0) -> tuple[float, np.ndarray]:
    """Loss (data + regulariser) and its gradient with respect to ``net.theta`` (P,), by backpropagation.

    The readable version of what ``Trainer`` does in its inner loop:
    delta_L = dLoss/dlogits = (p - y)/B (cross-entropy) or 2(y_hat - y)/B (MSE);
    dL/dW_l = delta_l^T h_{l-1},  dL/db_l = sum of delta_l's rows,  delta_{l-1} = (delta_l W_l) * phi'(z_{l-1}).
    """
    X = np.asarray(X, dtype=np.float64)
    zs, hs = net.forward_all(X)
    B = len(X)
    out = hs[-1]
    if task == "regression":
        delta = 2.0 * (out - Y) / B
    elif task == "binary":
        delta = (activations.sigmoid_np(out) - Y) / B
    else:
        delta = (predict(out, task) - Y) / B
    grads = []
    for l in range(net.depth - 1, -1, -1):
        h_prev = X if l == 0 else hs[l - 1]
        grads.append(np.concatenate([(delta.T @ h_prev).ravel(), delta.sum(axis=0)]))
        if l > 0:
            delta = (delta @ net.Ws[l]) * net.acts[l - 1][1](zs[l - 1], hs[l - 1])
    g = np.concatenate(grads[::-1])
    g += _penalty_grad(net.theta, net.weight_mask, reg, rate)
    return data_loss(out, Y, task) + penalty(net, reg, rate), g


def _penalty_grad(theta: np.ndarray, mask: np.ndarray, reg: str, rate: float) -> np.ndarray:
    if reg == "l1":
        return rate * np.sign(theta) * mask
    if reg == "l2":
        return rate * theta * mask
    return np.zeros_like(theta)


# ---------------------------------------------------------------------------------------------------------------
# Optimisers on the flat parameter vector (torch.optim's update rules, tested against them)
# ---------------------------------------------------------------------------------------------------------------


class Optimizer:
    """theta <- theta - lr * update(g): SGD, SGD with momentum 0.9, or Adam (torch's conventions)."""

    def __init__(self, kind: str, size: int) -> None:
        if kind not in OPTIMIZERS:
            raise ValueError(f"Unknown optimiser {kind!r}; choose one of {', '.join(OPTIMIZERS)}.")
        self.kind = kind
        self.t = 0
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self.tmp = np.zeros(size)

    def step(self, theta: np.ndarray, g: np.ndarray, lr: float) -> None:
        """Update ``theta`` in place with gradient ``g`` (overwritten as scratch)."""
        tmp = self.tmp
        if self.kind == "sgd":
            np.multiply(g, lr, out=tmp)
            theta -= tmp
        elif self.kind == "momentum":  # buf = mu * buf + g; theta -= lr * buf
            m = self.m
            m *= MOMENTUM
            m += g
            np.multiply(m, lr, out=tmp)
            theta -= tmp
        else:  # Adam, torch.optim.Adam's arithmetic
            self.t += 1
            b1, b2 = ADAM_BETAS
            m, v = self.m, self.v
            m *= b1
            np.multiply(g, 1.0 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp *= 1.0 / np.sqrt(1.0 - b2**self.t)
            tmp += ADAM_EPS
            np.divide(m, tmp, out=g)
            g *= lr / (1.0 - b1**self.t)
            theta -= g


# ---------------------------------------------------------------------------------------------------------------
# The trainer: a Stepper for the live panel
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hyper:
    """Settings that may change while training runs (they apply from the next step)."""

    lr: float = 0.03
    batch_size: int = 10
    optimizer: str = "sgd"
    reg: str = "none"
    reg_rate: float = 0.0

    def __post_init__(self) -> None:
        if not (0 < self.lr <= 100 and np.isfinite(self.lr)):
            raise ValueError("The learning rate must be a positive number no larger than 100.")
        if self.batch_size < 1:
            raise ValueError("The batch size must be at least 1.")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimiser {self.optimizer!r}.")
        if self.reg not in REGULARISERS:
            raise ValueError(f"Unknown regulariser {self.reg!r}.")
        if self.reg_rate < 0:
            raise ValueError("The regularisation rate cannot be negative.")


@dataclass
class History:
    """Per-epoch curves; index 0 is before any training.

    Bounded: past ``MAX_POINTS`` points every other one is dropped (the first and last kept), so a long run
    keeps a curve of the whole run at halving resolution and a session's memory stays small.
    """

    MAX_POINTS = 4000

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)


class Trainer:
    """Mini-batch training of a ``Network`` on features X (n, d), with epoch-wise curves and a stop epoch.

    Implements ``nnviz.live.Stepper``: ``advance(budget_s)`` trains whole epochs for about that much wall time.
    The same network, data, settings and ``seed`` (it orders the mini-batches) give the same curve.
    """

    def __init__(self, net: Network, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                 y_test: np.ndarray, task: str, n_classes: int = 2, hyper: Hyper | None = None, seed: int = 0,
                 stop_epoch: int = 1000) -> None:
        if task not in TASKS:
            raise ValueError(f"Unknown task {task!r}.")
        if net.widths[-1] != output_width(task, n_classes):
            raise ValueError(f"A {task} network needs {output_width(task, n_classes)} outputs, "
                             f"not {net.widths[-1]}.")
        if len(X_train) == 0:
            raise ValueError("There are no training points.")
        self.net = net
        self.task = task
        self.n_classes = n_classes
        self.X_train = np.ascontiguousarray(X_train, dtype=np.float64)
        self.X_test = np.ascontiguousarray(X_test, dtype=np.float64)
        self.y_train, self.y_test = np.asarray(y_train), np.asarray(y_test)
        self.Y_train = targets(self.y_train, task, n_classes)
        self.Y_test = targets(self.y_test, task, n_classes)
        self._X_all = np.vstack([self.X_train, self.X_test])
        # what the inner loop subtracts from its output: 2y - 1 for binary (see train_epoch), else Y
        self._Yloss = 2.0 * self.Y_train - 1.0 if task == "binary" else self.Y_train
        self.rng = np.random.default_rng(seed)
        self.stop_epoch = int(stop_epoch)
        self.epoch = 0
        self.diverged = False
        self.history = History()
        self.grad = np.zeros(net.size)
        self._bufs: dict[int, dict] = {}
        self._gviews: tuple[list[np.ndarray], list[np.ndarray]] | None = None
        self.hyper = Hyper()
        self.opt = Optimizer("sgd", net.size)
        self.set_hyper(hyper or Hyper())
        self._record()
        self._last_good = net.theta.copy()

    # -- settings -------------------------------------------------------------------------------------------------
    def set_hyper(self, hyper: Hyper) -> None:
        """Change learning rate, batch size, optimiser or regulariser; a new optimiser starts from zero state."""
        if hyper.optimizer != self.hyper.optimizer:
            self.opt = Optimizer(hyper.optimizer, self.net.size)
        self.hyper = hyper
        self._reg_scale = self.net.weight_mask * hyper.reg_rate

    # -- Stepper protocol -----------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.diverged or self.epoch >= self.stop_epoch

    @property
    def progress(self) -> float:
        return 1.0 if self.diverged else min(1.0, self.epoch / max(1, self.stop_epoch))

    def status(self) -> str:
        h = self.history
        if self.diverged:
            return f"Epoch {self.epoch}: training diverged (the loss blew up); lower the learning rate and reset."
        text = f"Epoch {self.epoch:,} of {self.stop_epoch:,} · training loss {h.train_loss[-1]:.4f}"
        if len(self.X_test):
            text += f" · test loss {h.test_loss[-1]:.4f}"
        if self.task != "regression":
            text += f" · test accuracy {100 * h.test_acc[-1]:.1f} %" if len(self.X_test) else ""
        return text

    def advance(self, budget_s: float) -> int:
        """Train whole epochs for about ``budget_s`` seconds (at least one, unless done); returns epochs run."""
        deadline = time.perf_counter() + budget_s
        n = 0
        while not self.done:
            self.train_epoch()
            n += 1
            if time.perf_counter() >= deadline:
                break
        return n

    def run(self, epochs: int) -> None:
        """Train ``epochs`` more epochs (or until done)."""
        for _ in range(epochs):
            if self.done:
                return
            self.train_epoch()

    # -- the work -------------------------------------------------------------------------------------------------
    def _workspace(self, B: int) -> dict:
        """Scratch arrays for a batch of B rows, reused every step: h and z per layer, deltas, temporaries."""
        ws = self._bufs.get(B)
        if ws is None:
            widths = self.net.widths[1:]
            ws = {
                "h": [np.empty((B, w)) for w in widths],
                "z": [np.empty((B, w)) for w in widths],
                "delta": [np.empty((B, w)) for w in widths],
                "tmp": [np.empty((B, w)) for w in widths],
                "ones": np.ones(B),
            }
            self._bufs[B] = ws
        return ws

    def train_epoch(self) -> None:
        """One pass over the training points in shuffled mini-batches, then record the curves."""
        net, hyper = self.net, self.hyper
        n = len(self.X_train)
        B = min(hyper.batch_size, n)
        perm = self.rng.permutation(n)
        Xs, Ys = self.X_train[perm], self._Yloss[perm]
        theta, grad, opt, lr = net.theta, self.grad, self.opt, hyper.lr
        reg, reg_scale = hyper.reg, self._reg_scale
        Ws, bs = net.Ws, net.bs
        Ws_T = [W.T for W in Ws]
        L = len(Ws)
        fwd = [_fast_forward(k, net.acts[l]) for l, k in enumerate(net.phis)]
        back = [_fast_backward(k, net.acts[l]) for l, k in enumerate(net.phis)]
        gWs, gbs = self._grad_views()
        task = self.task
        with np.errstate(all="ignore"):
            for start in range(0, n, B):
                xb = Xs[start:start + B]
                yb = Ys[start:start + B]
                m = len(xb)
                ws = self._workspace(m)
                hs, zs, ds, tmps, ones = ws["h"], ws["z"], ws["delta"], ws["tmp"], ws["ones"]
                # forward: z_l = h_{l-1} W_l^T + b_l, h_l = phi(z_l)
                h = xb
                for l in range(L - 1):
                    z = np.dot(h, Ws_T[l], out=zs[l])
                    z += bs[l]
                    fwd[l](z, hs[l])
                    h = hs[l]
                out = np.dot(h, Ws_T[L - 1], out=zs[L - 1])
                out += bs[L - 1]
                # delta_L = dLoss/dlogits for the batch (self._Yloss is pre-shifted so each is a few ops)
                delta = ds[L - 1]
                if task == "regression":  # 2 (y_hat - y) / m
                    np.subtract(out, yb, out=delta)
                    delta *= 2.0 / m
                elif task == "binary":  # (sigmoid(s) - y) / m = (tanh(s/2) - (2y - 1)) / (2m)
                    np.multiply(out, 0.5, out=delta)
                    np.tanh(delta, out=delta)
                    delta -= yb
                    delta *= 0.5 / m
                else:  # (softmax(s) - y) / m
                    e = np.exp(out - out.max(axis=1, keepdims=True))
                    np.divide(e, e.sum(axis=1, keepdims=True), out=delta)
                    delta -= yb
                    delta *= 1.0 / m
                # backward: dL/dW_l = delta_l^T h_{l-1}, dL/db_l = 1^T delta_l, delta_{l-1} = (delta_l W_l) phi'
                for l in range(L - 1, 0, -1):
                    np.dot(delta.T, hs[l - 1], out=gWs[l])
                    np.dot(ones, delta, out=gbs[l])
                    d = np.dot(delta, Ws[l], out=ds[l - 1])
                    back[l - 1](d, zs[l - 1], hs[l - 1], tmps[l - 1])
                    delta = d
                np.dot(delta.T, xb, out=gWs[0])
                np.dot(ones, delta, out=gbs[0])
                if reg == "l2":
                    grad += reg_scale * theta
                elif reg == "l1":
                    grad += reg_scale * np.sign(theta)
                opt.step(theta, grad, lr)
        self.epoch += 1
        self._record()

    def _grad_views(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per-layer views (dL/dW_l, dL/db_l) into the flat gradient vector."""
        if self._gviews is None:
            self._gviews = _views(self.grad, self.net.shapes)
        return self._gviews

    def _record(self) -> None:
        """Append this epoch's losses and accuracies; flag divergence and keep the last finite weights."""
        task, n_tr = self.task, len(self.X_train)
        with np.errstate(all="ignore"):
            out = self.net.logits(self._X_all)
            out_tr, out_te = out[:n_tr], out[n_tr:]
            tr = data_loss(out_tr, self.Y_train, task)
            te = data_loss(out_te, self.Y_test, task)
        finite = tr == tr and tr < DIVERGENCE_LOSS and bool(np.isfinite(self.net.theta).all())
        if not finite and self.epoch > 0:
            self.diverged = True
            self.net.theta[:] = self._last_good  # show the last sane network, never NaNs
            return
        h = self.history
        h.epoch.append(self.epoch)
        h.train_loss.append(tr)
        h.test_loss.append(te)
        h.train_acc.append(accuracy(out_tr, self.y_train, task))
        h.test_acc.append(accuracy(out_te, self.y_test, task))
        if len(h.epoch) > History.MAX_POINTS:
            for name in ("epoch", "train_loss", "test_loss", "train_acc", "test_acc"):
                values = getattr(h, name)
                setattr(h, name, values[:-1:2] + values[-1:])
        if self.epoch > 0:
            self._last_good[:] = self.net.theta


class Background:
    """Trains a ``Trainer`` on a daemon thread, in slices of ``slice_s`` seconds, while someone is watching.

    A live view draws from ``snapshot()`` whenever it likes, so training does not wait for the browser to
    redraw. The thread stops when the run is done, on ``stop()``, or when no ``heartbeat()`` came for
    ``idle_timeout_s`` seconds (the viewer has gone), so an abandoned page never trains on. Every access to
    the trainer from outside goes through ``lock``.
    """

    def __init__(self, trainer: Trainer, slice_s: float = 0.02, idle_timeout_s: float = 3.0,
                 threaded: bool = True) -> None:
        self.trainer = trainer
        self.threaded = threaded  # False: no thread at all; the live view's own time slices do the training
        self.slice_s = slice_s
        self.idle_timeout_s = idle_timeout_s
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_seen = time.monotonic()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def heartbeat(self) -> None:
        """The viewer is still there."""
        self._last_seen = time.monotonic()

    def start(self) -> None:
        """Start (or keep) training in the background."""
        self.heartbeat()
        if self.alive or not self.threaded:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="nnviz-playground-trainer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop training and wait for the current slice to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def _loop(self) -> None:
        while not self._stop.is_set() and time.monotonic() - self._last_seen < self.idle_timeout_s:
            with self.lock:
                if self.trainer.done:
                    return
                self.trainer.advance(self.slice_s)
            time.sleep(0.001)  # let the server and the drawing thread take their turn

    def snapshot(self) -> tuple[Network, History, str]:
        """A consistent copy of the network, the curves and the status line, taken under the lock."""
        with self.lock:
            tr = self.trainer
            h = tr.history
            hist = History(list(h.epoch), list(h.train_loss), list(h.test_loss), list(h.train_acc),
                           list(h.test_acc))
            return tr.net.copy(), hist, tr.status()


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------


def weights_json(net: Network, features: Sequence[str], task: str, epoch: int) -> str:
    """The network's weights and everything needed to rebuild it, as JSON text."""
    return json.dumps({
        "format": "nnviz-mlp/1",
        "task": task,
        "features": list(features),
        "widths": list(net.widths),
        "activations": list(net.phis),
        "activation_params": net.phi_params,
        "epoch": epoch,
        "layers": [{"W": net.W(l).tolist(), "b": net.b(l).tolist()} for l in range(net.depth)],
    }, indent=1)


_TORCH_MODULES = {
    "linear": "nn.Identity()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU({alpha})", "elu": "nn.ELU({alpha})", "selu": "nn.SELU()", "gelu": "nn.GELU()",
    "silu": "nn.SiLU()", "mish": "nn.Mish()", "softplus": "nn.Softplus(beta={beta}, threshold=20.0)",
    "hard_sigmoid": "nn.Hardsigmoid()", "hard_tanh": "nn.Hardtanh()", "relu6": "nn.ReLU6()",
    "softsign": "nn.Softsign()", "sine": "Lambda(torch.sin)", "gaussian": "Lambda(lambda z: torch.exp(-z ** 2))",
    "step": "Lambda(lambda z: (z > 0).to(z.dtype))",
}


def torch_snippet(net: Network, features: Sequence[str], task: str, json_name: str = "weights.json") -> str:
    """A short PyTorch script that rebuilds the trained model from the exported JSON and predicts."""
    from nnviz.features import FEATURES

    mods = []
    for key in net.phis:
        p = activations.get(key).defaults() | net.phi_params
        mods.append(_TORCH_MODULES[key].format(alpha=p.get("alpha", 0.0), beta=p.get("beta", 1.0)))
    feats = ", ".join(FEATURES[k].code for k in features)
    head = {"binary": "torch.sigmoid(logits[:, 0])  # P(class 1)",
            "multiclass": "torch.softmax(logits, dim=1)  # class probabilities",
            "regression": "logits[:, 0]  # the predicted number"}[task]
    return f'''import json

import torch
from torch import nn


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, z):
        return self.fn(z)


def features(X):  # X: (n, 2) points (x1, x2) -> the network's inputs
    return torch.stack([{feats}], dim=1)


spec = json.load(open("{json_name}"))
activations = [{", ".join(mods)}]
layers = []
for i, layer in enumerate(spec["layers"]):
    W, b = torch.tensor(layer["W"], dtype=torch.float64), torch.tensor(layer["b"], dtype=torch.float64)
    linear = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(W)
        linear.bias.copy_(b)
    layers.append(linear)
    if i < len(activations):
        layers.append(activations[i])
model = nn.Sequential(*layers)

X = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
logits = model(features(X))
prediction = {head}
print(prediction)
'''


# ---------------------------------------------------------------------------------------------------------------
# Views: the network over the input plane, one layer's maths, a family of random networks
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaneView:
    """A network evaluated over the square [-lim, lim]^2 of the input plane (x1 across, x2 up).

    ``output`` (res, res): P(class 1) (binary), the predicted number (regression) or the predicted class
    (multiclass, with ``confidence`` its probability). ``tiles[l]`` (h_l, t, t) is every unit of layer l on a
    coarser t x t grid: l = 0 the input features, then each hidden layer, last the output logits.
    """

    xs: np.ndarray
    output: np.ndarray
    confidence: np.ndarray | None
    tile_xs: np.ndarray
    tiles: list[np.ndarray]


def _grid(lim: float, res: int) -> tuple[np.ndarray, np.ndarray]:
    xs = np.linspace(-lim, lim, res)
    g1, g2 = np.meshgrid(xs, xs)  # row i is x2 = xs[i]
    return xs, np.stack([g1.ravel(), g2.ravel()], axis=1)


def plane_view(net: Network, feature_keys: Sequence[str], task: str, lim: float = 6.0, res: int = 60,
               tile_res: int = 20) -> PlaneView:
    """The output map at res x res points and every neuron's map at tile_res x tile_res points."""
    from nnviz.features import transform

    xs, P = _grid(lim, res)
    with np.errstate(all="ignore"):
        pred = predict(net.logits(transform(P, feature_keys)), task)
        confidence = None
        if task == "multiclass":
            confidence = pred.max(axis=1).reshape(res, res)
            pred = pred.argmax(axis=1)
        txs, Q = _grid(lim, tile_res)
        F = transform(Q, feature_keys)
        _, hs = net.forward_all(F)
    tiles = [a.T.reshape(-1, tile_res, tile_res) for a in [F, *hs]]
    return PlaneView(xs, pred.reshape(res, res), confidence, txs, tiles)


@dataclass(frozen=True)
class LayerMaths:
    """h = phi(W x + b) of one layer (0-based ``layer``) for one example, with the actual numbers.

    W (m, n), b (m,), x (n,) the layer's input, z = W x + b (m,), h = phi(z) (m,); ``phi`` is the registry
    key, or None for the (linear) output layer.
    """

    layer: int
    W: np.ndarray
    b: np.ndarray
    x: np.ndarray
    z: np.ndarray
    h: np.ndarray
    phi: str | None


def layer_maths(net: Network, X: np.ndarray, layer: int) -> LayerMaths:
    """The numbers of layer ``layer`` for the single input row X (d,) (the features of one point)."""
    if not 0 <= layer < net.depth:
        raise ValueError(f"Layer {layer + 1} does not exist; the network has {net.depth} weight layers.")
    zs, hs = net.forward_all(np.asarray(X, dtype=np.float64).reshape(1, -1))
    x_in = np.asarray(X, dtype=np.float64).ravel() if layer == 0 else hs[layer - 1][0]
    phi = net.phis[layer] if layer < len(net.phis) else None
    return LayerMaths(layer, net.W(layer), net.b(layer), x_in, zs[layer][0], hs[layer][0], phi)


@dataclass(frozen=True)
class Family:
    """Several random draws of one architecture along the slice x2 = ``x2`` of the plane.

    ``x1`` (s,), ``outputs`` (k, s): each draw's output (P(class 1), the number, or the first class's
    probability) along the slice, ``seeds`` (k,) the seeds that drew them.
    """

    x1: np.ndarray
    outputs: np.ndarray
    seeds: tuple[int, ...]
    x2: float


def random_family(widths: Sequence[int], phis: Sequence[str], feature_keys: Sequence[str], task: str,
                  seeds: Sequence[int], init: str = "xavier", phi_params: dict[str, float] | None = None,
                  x2: float = 0.0, lim: float = 6.0, samples: int = 241) -> Family:
    """The outputs of untrained networks drawn with each seed: the set of functions training chooses from."""
    from nnviz.features import transform

    x1 = np.linspace(-lim, lim, samples)
    F = transform(np.stack([x1, np.full_like(x1, x2)], axis=1), feature_keys)
    outs = []
    for s in seeds:
        net = Network.initial(widths, phis, seed=int(s), init=init, phi_params=phi_params)
        p = predict(net.logits(F), task)
        outs.append(p[:, 1 % p.shape[1]] if p.ndim == 2 else p)
    return Family(x1, np.array(outs), tuple(int(s) for s in seeds), x2)
