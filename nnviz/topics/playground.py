"""The network playground's maths: a numpy MLP, its hand-written backprop, two sets of training rules, and the
trainer the live panel runs (a ``nnviz.live.TimedRun``, one epoch per step).

The network is the lecture's h_1 = phi(W_1 x + b_1), ..., z = W_L h_{L-1} + b_L; an output function turns the
last layer's values z into what the page shows (a probability, class probabilities, a number, or TensorFlow
Playground's tanh output). Initial weights are drawn in numpy (a Generator seeded by the weight seed: the same
seed gives the same weights) from torch's distributions (``nnviz.mlp.numpy_linear``) or TensorFlow Playground's
rule, so no setting of the page imports torch; training runs in numpy with backpropagation written out by hand,
because per-sample torch autograd is far too slow for a live view at batch size 10. Tests check every gradient
and optimiser step against torch, and the "TensorFlow Playground rules" against steps computed by hand from
its ``src/nn.ts`` and ``src/playground.ts``.

Shapes: X (n, d) inputs (the chosen features), Y (n, k) targets (one column for two classes and regression,
one per class for k >= 3). W_l (h_l, h_{l-1}) and b_l (h_l,) are views into one flat parameter vector
``theta``, so an optimiser step is a handful of vector operations.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnviz.activations import Phi, sigmoid_np
from nnviz.format import number, tex_number
from nnviz.live import History, TimedRun
from nnviz.mlp import numpy_linear

if TYPE_CHECKING:
    import torch

TASKS = ("binary", "multiclass", "regression")
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD with momentum (0.9)", "adam": "Adam"}
REGULARISERS = {"none": "None", "l1": "L1", "l2": "L2"}
#: Training rules: nnviz's own (PyTorch's conventions) or TensorFlow Playground's, reproduced exactly.
RULES = {"nnviz": "nnviz (PyTorch conventions)", "tfp": "TensorFlow Playground rules"}
INITS = {"xavier": "Xavier (Glorot) uniform", "he": "He (Kaiming) normal", "default": "PyTorch's default",
         "tfp": "TensorFlow Playground's: w ~ U(−0.5, 0.5), b = 0.1"}
MOMENTUM = 0.9
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
#: A training loss above this (or not a number) counts as diverged.
DIVERGENCE_LOSS = 1e6
#: Rows the loss history keeps (when full, every other row goes: a long run keeps its whole curve).
HISTORY_POINTS = 2000
HISTORY_COLUMNS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")

# ---------------------------------------------------------------------------------------------------------------
# phi in the inner loop: in place, without temporaries, for the four common activations (others use Phi.numpy)
# ---------------------------------------------------------------------------------------------------------------


def _fast_forward(phi: Phi) -> Callable[[np.ndarray, np.ndarray], None]:
    """phi written into ``out``."""
    if phi.key == "tanh":
        return lambda z, out: np.tanh(z, out=out)
    if phi.key == "relu":
        return lambda z, out: np.maximum(z, 0.0, out=out)
    if phi.key == "linear":
        return lambda z, out: np.copyto(out, z)
    if phi.key == "sigmoid":
        def sigmoid(z: np.ndarray, out: np.ndarray) -> None:
            np.multiply(z, 0.5, out=out)
            np.tanh(out, out=out)
            out *= 0.5
            out += 0.5
        return sigmoid
    f = phi.numpy_pair()[0]

    def generic(z: np.ndarray, out: np.ndarray) -> None:
        out[...] = f(z)
    return generic


def _fast_backward(phi: Phi) -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]:
    """delta *= phi'(z) in place (a = phi(z), tmp scratch)."""
    if phi.key == "tanh":  # delta * (1 - a^2) = delta - delta * a * a
        def tanh(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
            np.multiply(delta, a, out=tmp)
            tmp *= a
            delta -= tmp
        return tanh
    if phi.key == "relu":
        def relu(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
            np.greater(z, 0.0, out=tmp)
            delta *= tmp
        return relu
    if phi.key == "linear":
        return lambda delta, z, a, tmp: None
    if phi.key == "sigmoid":  # delta * a (1 - a)
        def sigmoid(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
            np.subtract(1.0, a, out=tmp)
            tmp *= a
            delta *= tmp
        return sigmoid
    d = phi.numpy_pair()[1]

    def generic(delta: np.ndarray, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
        delta *= d(z, a)
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
    """Output units: 1 for two classes and for regression, one per class otherwise."""
    if task not in TASKS:
        raise ValueError(f"Unknown task {task!r}.")
    return n_classes if task == "multiclass" else 1


class Network:
    """A fully connected network in numpy. ``widths = [d, h_1, ..., h_L]``, ``phis`` one ``Phi`` per hidden layer.

    ``theta`` (P,) holds every parameter, layer by layer: W_l row by row, then b_l. ``Ws[l]`` (h_{l+1}, h_l)
    and ``bs[l]`` (h_{l+1},) are views into it, so updating ``theta`` in place updates the layers.
    """

    def __init__(self, widths: Sequence[int], phis: Sequence[Phi], theta: np.ndarray | None = None) -> None:
        self.widths = tuple(int(w) for w in widths)
        self.phis = tuple(p if isinstance(p, Phi) else Phi(p) for p in phis)
        if len(self.phis) != len(self.widths) - 2:
            raise ValueError(f"Got {len(self.phis)} activations for {len(self.widths) - 2} hidden layers.")
        self.shapes = [(b, a) for a, b in zip(self.widths[:-1], self.widths[1:], strict=False)]
        self.size = sum(r * c + r for r, c in self.shapes)
        self.theta = np.zeros(self.size) if theta is None else np.array(theta, dtype=np.float64)
        if self.theta.shape != (self.size,):
            raise ValueError(f"Expected {self.size} parameters, got {self.theta.shape}.")
        self.Ws, self.bs = _views(self.theta, self.shapes)
        self.weight_mask = np.zeros(self.size)  # 1 for weights, 0 for biases (regularisation skips biases)
        for W in _views(self.weight_mask, self.shapes)[0]:
            W[...] = 1.0

    @classmethod
    def initial(cls, widths: Sequence[int], phis: Sequence[Phi], seed: int = 0, init: str = "xavier") -> Network:
        """The initial weights for this seed, layer by layer (W then b) from ``np.random.default_rng(seed)``: torch's
        Xavier, He or default ``nn.Linear`` distribution (``nnviz.mlp.numpy_linear``), or TensorFlow Playground's
        (every weight uniform in [-0.5, 0.5), every bias 0.1)."""
        if init not in INITS:
            raise ValueError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")
        net = cls(widths, phis)
        rng = np.random.default_rng(int(seed))
        for W, b in zip(net.Ws, net.bs, strict=True):
            if init == "tfp":
                W[...] = rng.uniform(-0.5, 0.5, W.shape)
                b[...] = 0.1
            else:
                W[...], b[...] = numpy_linear(W.shape[1], W.shape[0], init, rng)
        return net

    def copy(self) -> Network:
        return Network(self.widths, self.phis, self.theta.copy())

    def to_torch(self) -> torch.nn.Sequential:
        """The same network as a torch ``nn.Sequential`` (float64), for checking against autograd."""
        import torch

        layers: list[torch.nn.Module] = []
        for l, (W, b) in enumerate(zip(self.Ws, self.bs, strict=True)):
            lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W.copy()))
                lin.bias.copy_(torch.from_numpy(b.copy()))
            layers.append(lin)
            if l < len(self.phis):
                layers.append(self.phis[l].module())
        return torch.nn.Sequential(*layers)

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

    def forward_all(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations z_l (n, h_l) and activations h_l for l = 1..L; h_0 = X is not included.

        The last z is the output layer's values; the last h equals it (the last layer is affine).
        """
        h = np.asarray(X, dtype=np.float64)
        zs, hs = [], []
        for l, (W, b) in enumerate(zip(self.Ws, self.bs, strict=True)):
            z = h @ W.T + b
            h = self.phis[l].numpy(z) if l < len(self.phis) else z
            zs.append(z)
            hs.append(h)
        return zs, hs

    def logits(self, X: np.ndarray) -> np.ndarray:
        """The last layer's values z = W_L h_{L-1} + b_L: (n, k)."""
        return self.forward_all(X)[1][-1]

    def describe(self) -> str:
        arch = " → ".join(str(w) for w in self.widths)
        return f"Network({arch}; {', '.join(p.label for p in self.phis) or 'no hidden layer'}; {self.size} parameters)"

    __repr__ = describe


# ---------------------------------------------------------------------------------------------------------------
# Output, targets, loss and accuracy under each set of rules
# ---------------------------------------------------------------------------------------------------------------


def _check_rules(task: str, rules: str) -> None:
    if rules not in RULES:
        raise ValueError(f"Unknown rules {rules!r}; choose one of {', '.join(RULES)}.")
    if rules == "tfp" and task == "multiclass":
        raise ValueError("TensorFlow Playground's rules are for two classes and regression; it has no "
                         "data set with more classes.")


def predict(z: np.ndarray, task: str, rules: str = "nnviz") -> np.ndarray:
    """What the network outputs from its last layer's values z (n, k): P(class 1) (n,) (nnviz, two classes),
    tanh(z) (n,) in [-1, 1] (TensorFlow Playground, two classes; class 1 where it is > 0), class
    probabilities (n, k), or the number (n,)."""
    if task == "regression":
        return z[:, 0]
    if task == "multiclass":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return np.tanh(z[:, 0]) if rules == "tfp" else _logistic(z[:, 0])


def _logistic(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) in plain numpy, exact in both tails: the plane's map on a first visit, which then need not
    import scipy (0.3-0.9 s) for ``sigmoid_np``'s expit."""
    return np.exp(-np.logaddexp(0.0, -z))


def targets(y: np.ndarray, task: str, n_classes: int, rules: str = "nnviz") -> np.ndarray:
    """The target matrix Y (n, k) the loss compares the output with: one-hot for several classes, labels 0/1
    (nnviz) or -1/+1 (TensorFlow Playground) for two, the number for regression."""
    y = np.asarray(y)
    if task == "multiclass":
        return np.eye(n_classes)[y.astype(int)]
    Y = y.astype(np.float64).reshape(-1, 1)
    return 2.0 * Y - 1.0 if task == "binary" and rules == "tfp" else Y


def data_loss(z: np.ndarray, Y: np.ndarray, task: str, rules: str = "nnviz") -> float:
    """Mean loss over the rows. nnviz: binary or softmax cross-entropy, or mean (y_hat - y)^2. TensorFlow
    Playground: mean 1/2 (o - t)^2 with o = tanh(z) (two classes) or z (regression)."""
    if len(z) == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        if rules == "tfp":
            o = np.tanh(z[:, 0]) if task == "binary" else z[:, 0]
            d = o - Y[:, 0]
            return 0.5 * float(np.dot(d, d)) / len(d)
        if task == "binary":
            s = z[:, 0]
            return float((np.logaddexp(0.0, s) - Y[:, 0] * s).sum()) / len(s)
        if task == "multiclass":
            m = z.max(axis=1, keepdims=True)
            lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
            return float((lse - (z * Y).sum(axis=1)).sum()) / len(lse)
        d = z[:, 0] - Y[:, 0]
        return float(np.dot(d, d)) / len(d)


def penalty(net: Network, reg: str, rate: float) -> float:
    """The regulariser on the weights (never the biases): rate * sum|w| (L1) or rate/2 * sum w^2 (L2)."""
    w = net.theta[net.weight_mask > 0]
    if reg == "l1":
        return float(rate * np.abs(w).sum())
    if reg == "l2":
        return float(0.5 * rate * (w * w).sum())
    return 0.0


def accuracy(z: np.ndarray, y: np.ndarray, task: str) -> float:
    """Fraction of points whose predicted class (z > 0, i.e. p > 0.5 or tanh(z) > 0; or the largest z) is the
    label; NaN for regression."""
    if task == "regression" or len(z) == 0:
        return float("nan")
    pred = (z[:, 0] > 0).astype(int) if task == "binary" else z.argmax(axis=1)
    return float(np.count_nonzero(pred == y)) / len(pred)


def output_delta(z: np.ndarray, Y: np.ndarray, task: str, rules: str = "nnviz") -> np.ndarray:
    """d(mean loss)/dz (B, k) for a batch of B rows: (p - y)/B (cross-entropy), 2 (y_hat - y)/B (nnviz MSE),
    (o - t)(1 - o^2)/B (TensorFlow Playground, tanh output) or (o - t)/B (its regression)."""
    B = len(z)
    if rules == "tfp":
        if task == "binary":
            o = np.tanh(z)
            return (o - Y) * (1.0 - o * o) / B
        return (z - Y) / B
    if task == "regression":
        return 2.0 * (z - Y) / B
    if task == "binary":
        return (sigmoid_np(z) - Y) / B
    return (predict(z, task) - Y) / B


def gradient(net: Network, X: np.ndarray, Y: np.ndarray, task: str, reg: str = "none", rate: float = 0.0,
             rules: str = "nnviz") -> tuple[float, np.ndarray]:
    """Loss and its gradient with respect to ``net.theta`` (P,), by backpropagation.

    The readable version of what ``Trainer`` does in its inner loop:
    delta_L = dLoss/dz_L (``output_delta``); dL/dW_l = delta_l^T h_{l-1}, dL/db_l = sum of delta_l's rows,
    delta_{l-1} = (delta_l W_l) * phi'(z_{l-1}). nnviz adds the regulariser's gradient (lambda sign(w) or
    lambda w on the weights); TensorFlow Playground applies its regulariser as a separate step (``Trainer``).
    """
    X = np.asarray(X, dtype=np.float64)
    zs, hs = net.forward_all(X)
    out = hs[-1]
    delta = output_delta(out, Y, task, rules)
    grads = []
    for l in range(net.depth - 1, -1, -1):
        h_prev = X if l == 0 else hs[l - 1]
        grads.append(np.concatenate([(delta.T @ h_prev).ravel(), delta.sum(axis=0)]))
        if l > 0:
            delta = (delta @ net.Ws[l]) * net.phis[l - 1].dnumpy(zs[l - 1], hs[l - 1])
    g = np.concatenate(grads[::-1])
    if rules == "tfp":
        return data_loss(out, Y, task, rules), g
    if reg == "l1":
        g += rate * np.sign(net.theta) * net.weight_mask
    elif reg == "l2":
        g += rate * net.theta * net.weight_mask
    return data_loss(out, Y, task) + penalty(net, reg, rate), g


# ---------------------------------------------------------------------------------------------------------------
# Optimisers on the flat parameter vector (torch.optim's update rules, tested against them). nnviz's one numpy
# Adam lives here.
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


def tfp_step(theta: np.ndarray, g: np.ndarray, alive: np.ndarray, weight_mask: np.ndarray, lr: float, reg: str,
             rate: float) -> None:
    """TensorFlow Playground's ``updateWeights`` on the flat vector, in place (``alive`` (P,) updated too).

    ``g`` is the mean data gradient over the points accumulated since the last update. Per weight (nn.ts):
    w' = w - lr g, then w'' = w' - lr * rate * R'(w) with R' taken at the weight before the step (L1: -1 if
    w < 0 else +1; L2: w); with L1, a weight that w'' would carry across zero is set to 0 and frozen ("dead")
    for the rest of the run. Biases: b - lr g, never regularised. Dead weights neither learn nor move.
    """
    w_before = theta.copy()
    theta -= lr * g * alive
    if reg == "none" or rate == 0.0:
        return
    live_weights = (weight_mask > 0) & (alive > 0)
    der = np.where(w_before < 0, -1.0, 1.0) if reg == "l1" else w_before
    new = theta - lr * rate * der
    if reg == "l1":
        crossed = live_weights & (theta * new < 0)
        theta[live_weights] = new[live_weights]
        theta[crossed] = 0.0
        alive[crossed] = 0.0
    else:
        theta[live_weights] = new[live_weights]


# ---------------------------------------------------------------------------------------------------------------
# The trainer: one epoch per step of a TimedRun
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
class _Workspace:
    """Scratch arrays for a batch of B rows, reused every step: h and z per layer, deltas, temporaries."""

    h: list[np.ndarray]
    z: list[np.ndarray]
    delta: list[np.ndarray]
    tmp: list[np.ndarray]
    ones: np.ndarray


class Trainer(TimedRun):
    """Mini-batch training of a ``Network`` on features X (n, d): one step is one epoch (a pass over the
    training points); ``max_steps`` is the stop epoch. ``history`` holds the curves, row 0 before training.

    ``rules="nnviz"``: PyTorch's conventions (sigmoid + cross-entropy, softmax + cross-entropy, or mean
    (y_hat - y)^2; a fresh shuffle every epoch; the last partial batch is a step; SGD, momentum or Adam).
    ``rules="tfp"``: TensorFlow Playground's (``playground.ts`` oneStep, ``nn.ts``): tanh output with labels
    +-1 and loss 1/2 (o - t)^2 (regression: linear output), one fixed order of the points, a step after every
    B points counted from each epoch's start (the points left over at an epoch's end are carried into the next
    epoch's first step), plain SGD on the mean gradient, and its regularisation step (``tfp_step``).
    The same network, data, settings and ``seed`` (it orders the mini-batches) give the same curve.
    """

    unit = "epoch"

    def __init__(self, net: Network, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                 y_test: np.ndarray, task: str, n_classes: int = 2, hyper: Hyper | None = None, seed: int = 0,
                 max_steps: int = 1000, rules: str = "nnviz", max_points: int = HISTORY_POINTS) -> None:
        if task not in TASKS:
            raise ValueError(f"Unknown task {task!r}.")
        _check_rules(task, rules)
        if net.widths[-1] != output_width(task, n_classes):
            raise ValueError(f"A {task} network needs {output_width(task, n_classes)} outputs, "
                             f"not {net.widths[-1]}.")
        if len(X_train) == 0:
            raise ValueError("There are no training points.")
        self.net, self.task, self.n_classes, self.rules = net, task, n_classes, rules
        self.X_train = np.ascontiguousarray(X_train, dtype=np.float64)
        self.X_test = np.ascontiguousarray(X_test, dtype=np.float64)
        self.y_train, self.y_test = np.asarray(y_train), np.asarray(y_test)
        self.Y_train = targets(self.y_train, task, n_classes, rules)
        self.Y_test = targets(self.y_test, task, n_classes, rules)
        self._X_all = np.vstack([self.X_train, self.X_test])
        # what the inner loop subtracts from its output: nnviz binary uses sigmoid(s) - y = (tanh(s/2) - (2y-1))/2
        self._Yloss = 2.0 * self.Y_train - 1.0 if task == "binary" and rules == "nnviz" else self.Y_train
        self.rng = np.random.default_rng(seed)
        self.max_steps = int(max_steps)
        self.diverged = False
        self.history = History(HISTORY_COLUMNS, max_points)
        self.grad = np.zeros(net.size)
        self.alive = np.ones(net.size)  # TensorFlow Playground's L1 freezes ("kills") weights it clips to 0
        self._carry = np.zeros(0, dtype=int)  # TensorFlow Playground: points accumulated, not yet stepped
        self._bufs: dict[int, _Workspace] = {}
        self._gviews = _views(self.grad, net.shapes)
        self.hyper = Hyper()
        self.opt = Optimizer("sgd", net.size)
        self.set_hyper(hyper or Hyper())
        self._record(0)
        self._last_good = net.theta.copy()

    # -- settings -------------------------------------------------------------------------------------------------
    def set_hyper(self, hyper: Hyper) -> None:
        """Change learning rate, batch size, optimiser or regulariser; a new optimiser starts from zero state."""
        if self.rules == "tfp" and hyper.optimizer != "sgd":
            raise ValueError("TensorFlow Playground trains with plain SGD only.")
        if hyper.optimizer != self.hyper.optimizer:
            self.opt = Optimizer(hyper.optimizer, self.net.size)
        self.hyper = hyper
        self._reg_scale = self.net.weight_mask * hyper.reg_rate

    def set_stop(self, epoch: int) -> None:
        """Move the stop epoch (``max_steps``); a run already past it is done."""
        self.max_steps = max(1, int(epoch))

    @property
    def epoch(self) -> int:
        """Epochs trained (the run's steps)."""
        return self.steps

    @property
    def dead_weights(self) -> int:
        """Weights TensorFlow Playground's L1 has set to 0 and frozen (always 0 under nnviz's rules)."""
        return int(((self.alive == 0) & (self.net.weight_mask > 0)).sum())

    def status(self) -> str:
        h = self.history
        if self.diverged:
            return (f"Epoch {number(self.epoch)}: training diverged (the loss blew up); lower the learning rate "
                    "and press Reset.")
        text = (f"Epoch {number(self.epoch)} of {number(self.max_steps)} · training loss "
                f"{h.last('train_loss'):.4f}")
        if len(self.X_test):
            text += f" · test loss {h.last('test_loss'):.4f}"
            if self.task != "regression":
                text += f" · test accuracy {100 * h.last('test_acc'):.1f} %"
        return text

    # -- the work -------------------------------------------------------------------------------------------------
    def _workspace(self, B: int) -> _Workspace:
        ws = self._bufs.get(B)
        if ws is None:
            widths = self.net.widths[1:]
            ws = _Workspace(*([np.empty((B, w)) for w in widths] for _ in range(4)), np.ones(B))
            self._bufs[B] = ws
        return ws

    def _batches(self) -> tuple[np.ndarray, np.ndarray, list[slice]]:
        """This epoch's points in step order (Xs, Ys) and the slices of them that are steps."""
        n = len(self.X_train)
        if self.rules == "nnviz":
            B = min(self.hyper.batch_size, n)
            perm = self.rng.permutation(n)
            return self.X_train[perm], self._Yloss[perm], [slice(s, min(s + B, n)) for s in range(0, n, B)]
        # TensorFlow Playground: step when (i + 1) % B == 0 for the i-th point of the epoch; the rest carries over
        B = self.hyper.batch_size
        k = n // B
        carry = self._carry
        order = np.concatenate([carry, np.arange(n)])
        cuts = [len(carry) + B * (j + 1) for j in range(k)]
        steps = [slice(0 if j == 0 else cuts[j - 1], cuts[j]) for j in range(k)]
        if k:
            self._carry = np.arange(B * k, n)
        # with B > n no step ever happens (as in TensorFlow Playground); nothing changes, so nothing is carried
        return self.X_train[order], self._Yloss[order], steps

    def _step(self) -> bool:
        """One epoch: the mini-batches in order, a gradient and an update each, then the curves."""
        net, hyper = self.net, self.hyper
        Xs, Ys, steps = self._batches()
        theta, grad, opt, lr = net.theta, self.grad, self.opt, hyper.lr
        reg, reg_scale, tfp = hyper.reg, self._reg_scale, self.rules == "tfp"
        Ws, bs = net.Ws, net.bs
        Ws_T = [W.T for W in Ws]
        L = len(Ws)
        fwd = [_fast_forward(p) for p in net.phis]
        back = [_fast_backward(p) for p in net.phis]
        gWs, gbs = self._gviews
        task = self.task
        with np.errstate(all="ignore"):
            for sl in steps:
                xb, yb = Xs[sl], Ys[sl]
                m = len(xb)
                ws = self._workspace(m)
                hs, zs, ds, tmps, ones = ws.h, ws.z, ws.delta, ws.tmp, ws.ones
                # forward: z_l = h_{l-1} W_l^T + b_l, h_l = phi(z_l)
                h = xb
                for l in range(L - 1):
                    z = np.dot(h, Ws_T[l], out=zs[l])
                    z += bs[l]
                    fwd[l](z, hs[l])
                    h = hs[l]
                out = np.dot(h, Ws_T[L - 1], out=zs[L - 1])
                out += bs[L - 1]
                delta = ds[L - 1]
                if tfp:
                    if task == "binary":  # (o - t)(1 - o^2) / m, o = tanh(z)
                        np.tanh(out, out=hs[L - 1])
                        np.subtract(hs[L - 1], yb, out=delta)
                        np.multiply(hs[L - 1], hs[L - 1], out=tmps[L - 1])
                        np.subtract(1.0, tmps[L - 1], out=tmps[L - 1])
                        delta *= tmps[L - 1]
                        delta *= 1.0 / m
                    else:  # (z - t) / m
                        np.subtract(out, yb, out=delta)
                        delta *= 1.0 / m
                elif task == "regression":  # 2 (y_hat - y) / m
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
                if tfp:
                    tfp_step(theta, grad, self.alive, net.weight_mask, lr, reg, hyper.reg_rate)
                    continue
                if reg == "l2":
                    grad += reg_scale * theta
                elif reg == "l1":
                    grad += reg_scale * np.sign(theta)
                opt.step(theta, grad, lr)
        return self._record(self.steps + 1)

    def _record(self, epoch: int) -> bool:
        """Append this epoch's losses and accuracies; on divergence restore the last finite weights, return False."""
        task, n_tr = self.task, len(self.X_train)
        with np.errstate(all="ignore"):
            out = self.net.logits(self._X_all)
            out_tr, out_te = out[:n_tr], out[n_tr:]
            tr = data_loss(out_tr, self.Y_train, task, self.rules)
            te = data_loss(out_te, self.Y_test, task, self.rules)
        finite = tr == tr and tr < DIVERGENCE_LOSS and bool(np.isfinite(self.net.theta).all())
        if not finite and epoch > 0:
            self.diverged = True
            self.net.theta[:] = self._last_good  # show the last sane network, never NaNs
            return False
        self.history.add(epoch=epoch, train_loss=tr, test_loss=te, train_acc=accuracy(out_tr, self.y_train, task),
                         test_acc=accuracy(out_te, self.y_test, task))
        if epoch > 0:
            self._last_good[:] = self.net.theta
        return True


# ---------------------------------------------------------------------------------------------------------------
# What the loss curve is doing, in words (a pure function of the history), and a curve reduced to the pixels
# ---------------------------------------------------------------------------------------------------------------

#: Rows of the history the trend looks at, and the fewest it needs to say anything.
TREND_WINDOW = 60
TREND_MIN_ROWS = 12


@dataclass(frozen=True)
class Trend:
    """What the training loss did over its last ``span`` epochs: ``kind`` is "early" (too few epochs to say),
    "falling", "swinging" (up and down by ``swing`` of the starting loss per row, up in ``up`` of the rows),
    "rising", "settled" (flat at under 5 % of the starting loss) or "stalled" (flat higher up); ``sentence``
    says it ("" when early); ``alarm`` is True for swinging and rising."""

    kind: str
    sentence: str
    span: int = 0
    swing: float = 0.0
    up: float = 0.0

    @property
    def alarm(self) -> bool:
        return self.kind in ("swinging", "rising")


def loss_trend(epochs: Sequence[float], losses: Sequence[float], window: int = TREND_WINDOW) -> Trend:
    """Classify the last ``window`` rows of a loss curve (epochs (n,), losses (n,); row 0 is the start).

    Swinging: at least 30 % of the steps between rows go up and 30 % go down, and the typical step (median
    |change|) is at least 5 % of the starting loss. Rising: the median of the window's last third is 25 %
    above its first third's. Flat: the two medians differ by under 2 %. Otherwise falling.
    """
    e = np.asarray(epochs, dtype=float)
    v = np.asarray(losses, dtype=float)
    ok = np.isfinite(v)
    e, v = e[ok], v[ok]
    if len(v) < TREND_MIN_ROWS:
        return Trend("early", "")
    v0 = float(v[0]) if v[0] > 0 else float(np.max(v))
    e_w, v_w = e[-window:], v[-window:]
    span = int(e_w[-1] - e_w[0])
    steps = np.diff(v_w)
    up, down = float(np.mean(steps > 0)), float(np.mean(steps < 0))
    swing = float(np.median(np.abs(steps))) / max(v0, 1e-300)
    third = max(1, len(v_w) // 3)
    first, last = float(np.median(v_w[:third])), float(np.median(v_w[-third:]))
    over = f"over the last {number(span)} epochs"
    lo, hi = float(v_w.min()), float(v_w.max())
    if up >= 0.3 and down >= 0.3 and swing >= 0.05:
        return Trend("swinging", (
            f"The training loss swings up and down instead of falling: {over} it went up in {up:.0%} of the "
            f"recorded epochs and moved between {lo:.3g} and {hi:.3g}. Each step overshoots the minimum it is "
            "heading for: a smaller learning rate (or a larger batch) calms it."), span, swing, up)
    if last > 1.25 * first:
        return Trend("rising", f"The training loss is rising: {over} it went from about {first:.3g} to "
                               f"{last:.3g}. The steps are too large for this landscape: lower the learning rate.",
                     span, swing, up)
    if abs(last - first) <= 0.02 * max(first, 1e-300):
        if last <= 0.05 * v0:
            return Trend("settled", f"The training loss has settled at about {last:.3g} (it started at {v0:.3g}): "
                                    f"it changed by under 2 % {over}.", span, swing, up)
        return Trend("stalled", f"The training loss has stayed at about {last:.3g} {over} (it started at "
                                f"{v0:.3g}): training is not making progress at these settings.", span, swing, up)
    return Trend("falling", f"The training loss is falling: from about {first:.3g} to {last:.3g} {over}.",
                 span, swing, up)


@dataclass(frozen=True)
class Envelope:
    """A curve reduced to at most ``bins`` points for drawing: per bin of consecutive rows its mean x, its
    lowest, highest and median y. ``binned`` is False when the curve was short enough to draw as it is
    (then lo = hi = mid = y); ``note`` says how it was drawn ("" when not binned)."""

    x: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    mid: np.ndarray
    binned: bool
    note: str


def _binned_rows(n: int, bins: int) -> np.ndarray:
    """Row indices of ``bins`` runs of consecutive rows of n, as np.array_split cuts them (the first n % bins runs
    one longer), one run per row, the shorter runs padded with -1: each bin's statistic is one call over axis 1."""
    q, extra = divmod(n, bins)
    starts = np.arange(bins) * q + np.minimum(np.arange(bins), extra)
    rows = starts[:, None] + np.arange(q + (extra > 0))[None, :]
    rows[extra:, q:] = -1
    return rows


def envelope(x: Sequence[float], y: Sequence[float], bins: int = 300) -> Envelope:
    """Bin x (n,), y (n,) into at most ``bins`` runs of consecutive rows; NaNs are ignored within a bin."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(y) <= bins:
        return Envelope(x, y, y, y, False, "")
    rows = _binned_rows(len(y), bins)  # (bins, longest bin): np.array_split's runs, padded with -1
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        xs = np.nanmean(np.where(rows >= 0, x[rows], np.nan), axis=1)
        ys = np.where(rows >= 0, y[rows], np.nan)
        lo, hi, mid = np.nanmin(ys, axis=1), np.nanmax(ys, axis=1), np.nanmedian(ys, axis=1)
        none = ~np.isfinite(ys).any(axis=1)  # a bin with no finite value (only NaN and ±inf) is NaN
        lo[none] = hi[none] = mid[none] = np.nan
    per = len(y) / bins
    return Envelope(xs, lo, hi, mid, True, f"The {number(len(y))} recorded epochs are drawn as {bins} bins of about "
                    f"{per:.0f} rows each: the line is each bin's median, the shaded band its lowest to highest value.")


# ---------------------------------------------------------------------------------------------------------------
# The formulas on the page, with the live numbers, and the conventions in words
# ---------------------------------------------------------------------------------------------------------------


def output_latex(task: str, rules: str) -> str:
    """The output function applied to the last layer's value z, as LaTeX ("" for the identity)."""
    if task == "regression":
        return ""
    if task == "multiclass":
        return r"\operatorname{softmax}"
    return r"\tanh" if rules == "tfp" else r"\sigma"


def network_latex(widths: Sequence[int], phis: Sequence[Phi], task: str, rules: str = "nnviz") -> str:
    """h_l = phi(W_l h_{l-1} + b_l) for each hidden layer and y_hat = out(W_L h_{L-1} + b_L), one aligned block
    (layers 3 to L-2 elided beyond four hidden layers), each with W_l's shape."""
    depth = len(phis)
    lines = []
    for i in range(depth):
        prev = "x" if i == 0 else f"h_{{{i}}}"
        name = phis[i].label.replace(" ", r"\ ")
        lines.append(rf"h_{{{i + 1}}} &= \text{{{name}}}(W_{{{i + 1}}} {prev} + b_{{{i + 1}}}) "
                     rf"&& W_{{{i + 1}}} \in \mathbb{{R}}^{{{widths[i + 1]} \times {widths[i]}}}")
    if depth > 4:
        lines = [*lines[:2], r"&\;\vdots", *lines[-2:]]
    last = "x" if depth == 0 else f"h_{{{depth}}}"
    affine = rf"W_{{{depth + 1}}} {last} + b_{{{depth + 1}}}"
    out = output_latex(task, rules)
    lines.append(rf"\hat y &= {out + '(' + affine + ')' if out else affine} "
                 rf"&& W_{{{depth + 1}}} \in \mathbb{{R}}^{{{widths[-1]} \times {widths[-2]}}}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def loss_name(task: str, rules: str) -> str:
    """The loss in words, for axis titles."""
    if rules == "tfp":
        return "squared error ½(o − t)²"
    return "mean squared error" if task == "regression" else "cross-entropy"


def loss_latex(task: str, rules: str, reg: str, data_term: float, pen: float) -> str:
    """L = (1/n) sum_i loss_i (+ the regulariser) = the numbers, as LaTeX. Under TensorFlow Playground's rules the
    regulariser is a separate step, not part of the loss it reports, and the sum shows only the data term."""
    if rules == "tfp":
        o, t = (r"\tanh(z_i)", r"\pm 1") if task == "binary" else ("z_i", "y_i")
        return (rf"L = \frac{{1}}{{n}} \sum_{{i=1}}^{{n}} \tfrac{{1}}{{2}}\big(o_i - t_i\big)^2,\quad o_i = {o},"
                rf"\; t_i = {t} \;=\; {tex_number(data_term, 4)}")
    ell = {"binary": r"-\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big]",
           "multiclass": r"-\log \hat y_{i, y_i}", "regression": r"(\hat y_i - y_i)^2"}[task]
    reg_tex = {"none": "", "l1": r" + \lambda \sum_{w} |w|", "l2": r" + \frac{\lambda}{2} \sum_{w} w^2"}[reg]
    values = tex_number(data_term, 4)
    if reg != "none":
        values += rf" + {tex_number(pen, 4)} = {tex_number(data_term + pen, 4)}"
    return rf"L = \frac{{1}}{{n}} \sum_{{i=1}}^{{n}} {ell}{reg_tex} = {values}"


def steps_per_epoch(n: int, batch: int, rules: str) -> int:
    """Updates in one epoch of n points: ceil(n / B) (nnviz: the partial last batch is a step) or floor(n / B)
    (TensorFlow Playground: those points carry over)."""
    return -(-n // min(batch, n)) if rules == "nnviz" else n // batch


def conventions(task: str, rules: str, hyper: Hyper, init: str, n_train: int) -> tuple[str, ...]:
    """How this run's rules compare with TensorFlow Playground's, one sentence per convention that applies."""
    batch = hyper.batch_size
    if rules == "tfp":
        out = ("tanh output o with labels t = ±1" if task == "binary" else "a linear output o")
        said = [f"As in TensorFlow Playground: {out}, loss ½(o − t)² averaged over the points, plain SGD on the "
                "mean gradient of each batch, one fixed order of the points (no reshuffle)."]
        if n_train % batch and batch <= n_train:
            said.append(f"{n_train} training points in batches of {batch}: the {n_train % batch} left at the end of an "
                        "epoch are carried into the next epoch's first step, as TensorFlow Playground does.")
        if batch > n_train:
            said.append(f"The batch ({batch}) is larger than the {n_train} training points, so, as in TensorFlow "
                        "Playground, no step is ever taken: the network does not change.")
        if hyper.reg == "l1":
            said.append("L1 as TensorFlow Playground: after each step w moves by η·λ·sign(w); a weight that this "
                        "would carry across zero is set to 0 and frozen for the rest of the run.")
        elif hyper.reg == "l2":
            said.append("L2 as TensorFlow Playground: after each step w moves by η·λ·w (λ is not divided by the "
                        "batch size), and the loss shown does not include the penalty.")
        if init != "tfp":
            said.append(f"Initial weights: {INITS[init]} (TensorFlow Playground draws w ~ U(−0.5, 0.5), b = 0.1).")
        return tuple(said)
    said = []
    if task == "regression":
        said.append("Loss: mean (ŷ − y)², twice TensorFlow Playground's ½(o − t)², so at learning rate η nnviz "
                    "moves the weights exactly as TensorFlow Playground does at 2η.")
    elif task == "binary":
        said.append("Output: σ(z), read as P(class 1), with cross-entropy loss and labels 0/1 (TensorFlow "
                    "Playground: tanh output, labels ±1, squared error ½(o − t)²).")
    else:
        said.append("Output: softmax over the classes with cross-entropy loss (TensorFlow Playground has only "
                    "two classes).")
    said.append("The training points are reshuffled every epoch (TensorFlow Playground keeps one order).")
    if batch >= n_train:
        said.append(f"The batch ({batch}) is at least the {n_train} training points: every step uses all of them "
                    "(full-batch gradient descent), one step per epoch.")
    if n_train % min(batch, n_train):
        said.append(f"{n_train} points in batches of {batch}: the last {n_train % batch} of each epoch form a step of "
                    "their own (TensorFlow Playground carries them into the next epoch's first step).")
    if hyper.reg == "l1":
        said.append("L1 adds λ·sign(w) to each weight's gradient and lets a weight cross zero (TensorFlow "
                    "Playground sets a weight that would cross zero to 0 and freezes it).")
    if hyper.optimizer != "sgd":
        said.append(f"Optimiser: {OPTIMIZERS[hyper.optimizer]} (TensorFlow Playground has plain SGD only).")
    if init != "tfp":
        said.append(f"Initial weights: {INITS[init]} (TensorFlow Playground: w ~ U(−0.5, 0.5), b = 0.1).")
    return tuple(said)


@dataclass(frozen=True)
class Scale:
    """What the output map's colours mean: ``title`` and the range [lo, hi] the colour bar spans."""

    title: str
    lo: float
    hi: float


def output_scale(task: str, rules: str, output: np.ndarray | None = None) -> Scale:
    """The colour bar for the output map: P(class 1) in [0, 1], TensorFlow Playground's o in [-1, 1], or ŷ over
    ±max(1, max |ŷ|) so no value the network outputs on the plane is clipped (targets lie in [-1, 1])."""
    if task == "binary":
        return Scale("output o", -1.0, 1.0) if rules == "tfp" else Scale("P(class 1)", 0.0, 1.0)
    if task == "multiclass":
        return Scale("predicted class", 0.0, 1.0)
    top = 1.0
    if output is not None and np.isfinite(output).any():
        top = max(1.0, float(np.nanmax(np.abs(output[np.isfinite(output)]))))
        top = math.ceil(top * 10) / 10
    return Scale("ŷ", -top, top)


# ---------------------------------------------------------------------------------------------------------------
# The network over the input plane, one layer's maths, a family of random networks
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaneView:
    """A network evaluated over the square [-lim, lim]^2 of the input plane (x1 across, x2 up).

    ``output`` (res, res): what ``predict`` returns (P(class 1), tanh(z), or the number), or the predicted class
    (multiclass, with ``confidence`` its probability). ``tiles[l]`` (h_l, t, t) is every unit of layer l on a
    coarser t x t grid: l = 0 the input features, then each hidden layer, last the output layer's z.
    """

    xs: np.ndarray
    output: np.ndarray
    confidence: np.ndarray | None
    tile_xs: np.ndarray
    tiles: tuple[np.ndarray, ...]


def _grid(lim: float, res: int) -> tuple[np.ndarray, np.ndarray]:
    xs = np.linspace(-lim, lim, res)
    g1, g2 = np.meshgrid(xs, xs)  # row i is x2 = xs[i]
    return xs, np.stack([g1.ravel(), g2.ravel()], axis=1)


def plane_view(net: Network, feature_keys: Sequence[str], task: str, rules: str = "nnviz", lim: float = 6.0,
               res: int = 60, tile_res: int = 20) -> PlaneView:
    """The output map at res x res points and every neuron's map at tile_res x tile_res points."""
    from nnviz.features import transform

    xs, P = _grid(lim, res)
    with np.errstate(all="ignore"):
        pred = predict(net.logits(transform(P, feature_keys)), task, rules)
        confidence = None
        if task == "multiclass":
            confidence = pred.max(axis=1).reshape(res, res)
            pred = pred.argmax(axis=1)
        txs, Q = _grid(lim, tile_res)
        F = transform(Q, feature_keys)
        _, hs = net.forward_all(F)
    tiles = tuple(a.T.reshape(-1, tile_res, tile_res) for a in [F, *hs])
    return PlaneView(xs, pred.reshape(res, res), confidence, txs, tiles)


@dataclass(frozen=True)
class LayerMaths:
    """h = phi(W x + b) of one layer (0-based ``layer``) for one example, with the actual numbers.

    W (m, n), b (m,), x (n,) the layer's input, z = W x + b (m,), h = phi(z) (m,); ``phi`` is None for the
    output layer (affine: its z goes to the output function).
    """

    layer: int
    W: np.ndarray
    b: np.ndarray
    x: np.ndarray
    z: np.ndarray
    h: np.ndarray
    phi: Phi | None


def layer_maths(net: Network, X: np.ndarray, layer: int) -> LayerMaths:
    """The numbers of layer ``layer`` for the single input row X (d,) (the features of one point)."""
    if not 0 <= layer < net.depth:
        raise ValueError(f"Layer {layer + 1} does not exist; the network has {net.depth} weight layers.")
    zs, hs = net.forward_all(np.asarray(X, dtype=np.float64).reshape(1, -1))
    x_in = np.asarray(X, dtype=np.float64).ravel() if layer == 0 else hs[layer - 1][0]
    phi = net.phis[layer] if layer < len(net.phis) else None
    return LayerMaths(layer, net.W(layer), net.b(layer), x_in, zs[layer][0], hs[layer][0], phi)


#: Rows and columns of a matrix printed on the page; the rest is elided with dots.
MATRIX_MAX = 8


def _matrix(a: np.ndarray, digits: int = 2, max_rows: int = MATRIX_MAX, max_cols: int = MATRIX_MAX) -> str:
    """A LaTeX bmatrix of a 1-D (column) or 2-D array, elided with dots beyond max_rows x max_cols."""
    a = np.atleast_2d(a.reshape(-1, 1) if a.ndim == 1 else a)
    r, c = a.shape
    lines = []
    for i in range(min(r, max_rows)):
        cells = [f"{a[i, j]:.{digits}f}" for j in range(min(c, max_cols))] + ([r"\cdots"] if c > max_cols else [])
        lines.append(" & ".join(cells))
    if r > max_rows:
        lines.append(" & ".join([r"\vdots"] * (min(c, max_cols) + (c > max_cols))))
    return r"\begin{bmatrix}" + r" \\ ".join(lines) + r"\end{bmatrix}"


def layer_latex(m: LayerMaths, task: str, rules: str = "nnviz") -> tuple[str, str]:
    """Two LaTeX lines: z = W x + b with the numbers, and h = phi(z) (or the output function of z)."""
    n_layer = m.layer + 1
    x_name = "x" if m.layer == 0 else rf"h_{{{m.layer}}}"
    line1 = (rf"z_{{{n_layer}}} = W_{{{n_layer}}}\,{x_name} + b_{{{n_layer}}} = {_matrix(m.W)}\,{_matrix(m.x)}"
             rf" + {_matrix(m.b)} = {_matrix(m.z, 3)}")
    if m.phi is None:
        out = output_latex(task, rules)
        value = predict(m.z.reshape(1, -1), task, rules)[0]
        shown = _matrix(np.atleast_1d(value), 3)
        if out:
            line2 = rf"\hat y = {out}(z_{{{n_layer}}}) = {shown}"
        else:
            line2 = rf"\hat y = z_{{{n_layer}}} = {shown} \quad\text{{(regression: the output is z itself)}}"
    else:
        name = m.phi.label.replace(" ", r"\ ")
        line2 = rf"h_{{{n_layer}}} = \text{{{name}}}(z_{{{n_layer}}}) = {_matrix(m.h, 3)}"
    return line1, line2


@dataclass(frozen=True)
class Family:
    """Several random draws of one architecture along the slice x2 = ``x2`` of the plane.

    ``x1`` (s,), ``outputs`` (k, s): each draw's output (P(class 1), tanh(z), the number, or class 1's
    probability) along the slice, ``seeds`` (k,) the seeds that drew them.
    """

    x1: np.ndarray
    outputs: np.ndarray
    seeds: tuple[int, ...]
    x2: float


def slice_output(net: Network, feature_keys: Sequence[str], task: str, rules: str, x1: np.ndarray,
                 x2: float = 0.0) -> np.ndarray:
    """The network's output (class 1's value for several classes) along the line x2 = ``x2``: (s,)."""
    from nnviz.features import transform

    F = transform(np.stack([x1, np.full_like(x1, x2)], axis=1), feature_keys)
    p = predict(net.logits(F), task, rules)
    return p[:, 1 % p.shape[1]] if p.ndim == 2 else p


def random_family(widths: Sequence[int], phis: Sequence[Phi], feature_keys: Sequence[str], task: str,
                  seeds: Sequence[int], init: str = "xavier", rules: str = "nnviz", x2: float = 0.0,
                  lim: float = 6.0, samples: int = 241) -> Family:
    """The outputs of untrained networks drawn with each seed: the set of functions training chooses from."""
    x1 = np.linspace(-lim, lim, samples)
    outs = [slice_output(Network.initial(widths, phis, seed=int(s), init=init), feature_keys, task, rules, x1, x2)
            for s in seeds]
    return Family(x1, np.array(outs), tuple(int(s) for s in seeds), x2)


def family_note(family: Family, init: str, phis: Sequence[Phi]) -> str:
    """The caption under the family: what the draws share, read off the draws themselves."""
    text = "The same architecture, eight weight seeds. A wider or deeper network draws from a richer set."
    at_zero = family.outputs[:, len(family.x1) // 2]  # the slice's middle sample is x1 = 0 (the origin)
    if len(at_zero) > 1 and np.ptp(at_zero) < 1e-9 and abs(family.x1[len(family.x1) // 2]) < 1e-12:
        why = ("every bias starts at 0" if init != "tfp" else "the draws agree there")
        odd = all(p.key in ("tanh", "linear", "sine", "softsign", "hard_tanh") for p in phis)
        text += (f" All {len(at_zero)} curves pass through the same value {at_zero[0]:.3g} at the origin: {why}"
                 + (", and with an odd φ every unit is 0 there" if odd and init != "tfp" else "") + ".")
    return text


def dead_note(run: Trainer) -> str:
    """What TensorFlow Playground's L1 has done so far (empty when no weight is frozen)."""
    n = run.dead_weights
    if not n:
        return ""
    total = int(run.net.weight_mask.sum())
    return (f"TensorFlow Playground's L1 has set {n} of {total} weights to exactly 0 and frozen them (their "
            "edges carry nothing any more).")


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------


def weights_json(net: Network, features: Sequence[str], task: str, epoch: int, rules: str = "nnviz") -> str:
    """The network's weights and everything needed to rebuild it, as JSON text."""
    return json.dumps({
        "format": "nnviz-mlp/2",
        "task": task,
        "rules": rules,
        "features": list(features),
        "widths": list(net.widths),
        "activations": [{"key": p.key, "params": p.kwargs} for p in net.phis],
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


def torch_snippet(net: Network, features: Sequence[str], task: str, json_name: str = "weights.json",
                  rules: str = "nnviz") -> str:
    """A short PyTorch script that rebuilds the trained model from the exported JSON and predicts."""
    from nnviz.features import FEATURES

    mods = [_TORCH_MODULES[p.key].format(alpha=p.kwargs.get("alpha", 0.0), beta=p.kwargs.get("beta", 1.0))
            for p in net.phis]
    feats = "".join(f"        {FEATURES[k].code},\n" for k in features)
    head = {"binary": "torch.sigmoid(z[:, 0])  # P(class 1)",
            "multiclass": "torch.softmax(z, dim=1)  # class probabilities",
            "regression": "z[:, 0]  # the predicted number"}[task]
    if rules == "tfp" and task == "binary":
        head = "torch.tanh(z[:, 0])  # class 1 where > 0"
    acts = "".join(f"    {m},\n" for m in mods)
    return f'''import json

import torch
from torch import nn


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, z):
        return self.fn(z)


def features(X):  # X: (n, 2) points
    return torch.stack([
{feats}    ], dim=1)


spec = json.load(open("{json_name}"))
activations = [
{acts}]
layers = []
for i, layer in enumerate(spec["layers"]):
    W = torch.tensor(layer["W"], dtype=torch.float64)
    b = torch.tensor(layer["b"], dtype=torch.float64)
    linear = nn.Linear(W.shape[1], W.shape[0],
                       dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(W)
        linear.bias.copy_(b)
    layers.append(linear)
    if i < len(activations):
        layers.append(activations[i])
model = nn.Sequential(*layers)

X = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
z = model(features(X))
prediction = {head}
print(prediction)
'''
