"""One network, three heads: what changes between regression and classification, and why.

The body (the hidden layers) is the same; only the last layer's activation and the loss change:

- a number (regression): linear output y_hat = z, loss 1/2 (y_hat - y)^2;
- yes / no: sigmoid p = sigma(z), binary cross-entropy -y log p - (1 - y) log(1 - p);
- one of K classes: softmax p_k = e^{z_k} / sum_j e^{z_j}, cross-entropy -log p_y.

With these pairs the gradient of the loss with respect to z is the same expression every time: y_hat - y (the
label one-hot for softmax). Shapes: ``z`` is () for the first two heads and (K,) for softmax.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.activations import sigmoid_np
from nnviz.format import number
from nnviz.topics.network import data


@dataclass(frozen=True)
class Head:
    key: str
    task: str  # what the network answers
    example: str  # the lecture's example
    output: str  # LaTeX
    loss: str  # LaTeX
    why: str


HEADS: tuple[Head, ...] = (
    Head("linear", "a number (regression)", "age → 5; disease progression from BMI",
         r"\hat y = z", r"L = \tfrac12(\hat y - y)^2",
         "any real number can come out, and the error is measured as a distance"),
    Head("sigmoid", "yes or no (binary classification)", "is this a human? spam or not?",
         r"p = \sigma(z) = \frac{1}{1 + e^{-z}}", r"L = -y\log p - (1-y)\log(1-p)",
         "the output is a probability in (0, 1), and the loss punishes confident wrong answers without bound"),
    Head("softmax", "one of K classes", "f(image of an 8) = 8",
         r"p_k = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}", r"L = -\log p_{y}",
         "K probabilities that add up to 1, one per class; the loss looks only at the true class's"),
)


def head(key: str) -> Head:
    return next(h for h in HEADS if h.key == key)


def softmax(z: np.ndarray) -> np.ndarray:
    """p (..., K) from logits z (..., K), shifted by the max so exp never overflows."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def output(key: str, z: np.ndarray | float) -> np.ndarray:
    """What the head turns z into: y_hat, p, or p (K,)."""
    z = np.asarray(z, dtype=float)
    return {"linear": lambda: z, "sigmoid": lambda: sigmoid_np(z), "softmax": lambda: softmax(z)}[key]()


def loss(key: str, z: np.ndarray | float, y: float | int) -> float:
    """The head's loss at logits z for target y (a number, 0/1, or a class index)."""
    z = np.asarray(z, dtype=float)
    if key == "linear":
        return float(0.5 * (z - y) ** 2)
    if key == "sigmoid":
        return float(np.logaddexp(0.0, z) - y * z)
    return float(np.logaddexp.reduce(z) - z[int(y)])


def grad(key: str, z: np.ndarray | float, y: float | int) -> np.ndarray:
    """dL/dz in closed form: y_hat - y for all three heads (y one-hot for softmax)."""
    target = np.eye(np.size(z))[int(y)] if key == "softmax" else y
    return output(key, z) - target


def grad_autograd(key: str, z: np.ndarray | float, y: float | int) -> np.ndarray:
    """dL/dz from torch autograd with torch's own losses (the ground truth ``grad`` is tested against)."""
    import torch

    zt = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    if key == "linear":
        value = 0.5 * torch.nn.functional.mse_loss(zt, torch.tensor(float(y), dtype=torch.float64), reduction="sum")
    elif key == "sigmoid":
        value = torch.nn.functional.binary_cross_entropy_with_logits(zt, torch.tensor(float(y), dtype=torch.float64))
    else:
        value = torch.nn.functional.cross_entropy(zt[None], torch.tensor([int(y)]))
    (g,) = torch.autograd.grad(value, zt)
    return g.detach().numpy()


def grad_sentence(key: str, z: np.ndarray | float, y: float | int) -> str:
    """The gradient the head sends back into the network, with its numbers."""
    g = np.atleast_1d(grad(key, z, y))
    if key == "softmax":
        k = int(np.argmax(np.abs(g)))
        return (f"The gradient ∂L/∂z = p − onehot(y) is negative only at the true class {int(y)} "
                f"({number(float(g[int(y)]))}) and positive elsewhere; its largest entry in size is at class {k}. "
                "Gradient descent raises the true class's score and lowers the others.")
    direction = "lowers" if g[0] > 0 else "raises" if g[0] < 0 else "leaves"
    return (f"The gradient ∂L/∂z = ŷ − y = {number(float(g[0]))}: gradient descent {direction} z "
            "by an amount proportional to the error.")


# ---------------------------------------------------------------------------------------------------------------
# Real data that ships with scikit-learn: diabetes progression from body-mass index, as a number and as yes/no
# ---------------------------------------------------------------------------------------------------------------

#: The body every head sits on: 1 input, HIDDEN tanh neurons; trained full batch with Adam for FIT_STEPS steps.
HIDDEN = 16
FIT_STEPS = 300
FIT_LR = 0.03


@dataclass(frozen=True)
class DiabetesFit:
    """One head on the body, fitted to BMI -> progression. x_* are BMI (standardised), grid (G,), curve (G,)."""

    key: str
    x_train: np.ndarray
    y_train: np.ndarray  # progression (linear head) or 1 if above the training median (sigmoid head)
    x_test: np.ndarray
    y_test: np.ndarray
    grid: np.ndarray
    curve: np.ndarray  # y_hat (linear) or p (sigmoid) over the grid
    score: float  # test R^2 (linear) or test accuracy (sigmoid)
    baseline: float  # the same score for always answering the training mean / majority
    median: float  # the training median of progression (the yes/no line)


def diabetes_split(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """BMI standardised on the training part (n,) and progression (n,); 75 % train, 25 % test."""
    bmi, target = data.diabetes_bmi()
    train, test = data.split(len(bmi), 0.25, seed)
    mu, sd = bmi[train].mean(), bmi[train].std()
    return (bmi[train] - mu) / sd, target[train], (bmi[test] - mu) / sd, target[test]


@dataclass(frozen=True)
class HeadWeights:
    """The trained body and head: W1 (HIDDEN, 1), b1 (HIDDEN,), W2 (1, HIDDEN), b2 (1,); z = W2 tanh(W1 x + b1) + b2."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


def _targets(key: str, y_tr: np.ndarray) -> np.ndarray:
    """What the head is trained on: standardised progression (linear) or 1 if above the training median."""
    if key == "linear":
        return (y_tr - y_tr.mean()) / y_tr.std()
    return (y_tr > np.median(y_tr)).astype(float)


def train_head(key: str, seed: int = 0) -> HeadWeights:
    """Full-batch Adam, FIT_STEPS steps, float64, fixed seed: MSE (linear) or cross-entropy on logits (sigmoid)."""
    import torch

    x_tr, y_tr, _, _ = diabetes_split(seed)
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(1, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, 1)).double()
    opt = torch.optim.Adam(net.parameters(), lr=FIT_LR)
    X, T = torch.tensor(x_tr)[:, None], torch.tensor(_targets(key, y_tr))[:, None]
    lossf = torch.nn.MSELoss() if key == "linear" else torch.nn.BCEWithLogitsLoss()
    for _ in range(FIT_STEPS):
        opt.zero_grad()
        lossf(net(X), T).backward()
        opt.step()
    return HeadWeights(*(t.detach().numpy().copy() for t in (net[0].weight, net[0].bias, net[2].weight, net[2].bias)))


def head_logits(w: HeadWeights, x: np.ndarray) -> np.ndarray:
    """z (n,) for inputs x (n,): the network's forward pass in numpy."""
    return (np.tanh(x[:, None] @ w.W1.T + w.b1) @ w.W2.T + w.b2)[:, 0]


# The two trained heads, shipped: nnviz/data/network_heads.json (benchmarks/precompute_network.py writes it, a test
# checks it equals a fresh training), so opening the tab trains nothing and loads neither torch nor scikit-learn.
PRECOMPUTED = Path(__file__).resolve().parents[2] / "data" / "network_heads.json"
_SETTINGS = {"hidden": HIDDEN, "steps": FIT_STEPS, "lr": FIT_LR, "seed": 0}


def heads_json() -> dict:
    """Both heads trained afresh, as the shipped file stores them."""
    trained = {key: train_head(key) for key in ("linear", "sigmoid")}
    return {"settings": _SETTINGS, "heads": {
        key: {k: getattr(w, k).tolist() for k in ("W1", "b1", "W2", "b2")} for key, w in trained.items()}}


def stored_head(key: str, seed: int = 0) -> HeadWeights | None:
    """The shipped weights of head ``key`` if the file is there and was trained with these settings."""
    if seed != 0 or not PRECOMPUTED.is_file():
        return None
    blob = json.loads(PRECOMPUTED.read_text())
    if blob.get("settings") != _SETTINGS or key not in blob.get("heads", {}):
        return None
    return HeadWeights(*(np.array(blob["heads"][key][k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2")))


def fit_diabetes(key: str, seed: int = 0, weights: HeadWeights | None = None) -> DiabetesFit:
    """The body plus the linear (MSE) or sigmoid (cross-entropy) head on BMI: the shipped training when it is there
    (else a fresh one), evaluated on the grid and the held-out quarter."""
    x_tr, y_tr, x_te, y_te = diabetes_split(seed)
    w = weights or stored_head(key, seed) or train_head(key, seed)
    median = float(np.median(y_tr))
    grid = np.linspace(min(x_tr.min(), x_te.min()), max(x_tr.max(), x_te.max()), 200)
    z_grid, z_te = head_logits(w, grid), head_logits(w, x_te)
    if key == "linear":
        mu, sd = y_tr.mean(), y_tr.std()
        pred, curve = z_te * sd + mu, z_grid * sd + mu
        score = 1.0 - np.mean((pred - y_te) ** 2) / np.var(y_te)
        baseline = 1.0 - np.mean((y_tr.mean() - y_te) ** 2) / np.var(y_te)
        return DiabetesFit(key, x_tr, y_tr, x_te, y_te, grid, curve, float(score), float(baseline), median)
    t_tr = _targets(key, y_tr)
    t_te = (y_te > median).astype(float)
    score = float(np.mean((z_te > 0) == (t_te == 1)))
    majority = float(t_tr.mean() >= 0.5)
    return DiabetesFit(key, x_tr, t_tr, x_te, t_te, grid, sigmoid_np(z_grid), score,
                       float(np.mean(t_te == majority)), median)


def diabetes_sentence(fit: DiabetesFit) -> str:
    """What the fitted head shows, against the do-nothing baseline."""
    better = fit.score > fit.baseline
    if fit.key == "linear":
        return (f"On the held-out quarter the curve explains R² = {number(fit.score)} of the variance in progression "
                f"({'better than' if better else 'no better than'} always answering the average, R² = "
                f"{number(fit.baseline)}): BMI alone predicts some of it, far from all.")
    return (f"Answering “above the median ({number(fit.median)})?” with p > 0.5, the same body with a sigmoid head "
            f"is right on {100 * fit.score:.0f} % of held-out patients, against {100 * fit.baseline:.0f} % for always "
            f"giving the commoner answer{'' if better else ' (no better)'}.")
