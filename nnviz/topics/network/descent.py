"""Training picks one function: gradient descent on the loss of one neuron over its two parameters (w, b).

Data: N points ``x``, ``y`` (N,). A linear neuron y_hat = w x + b with the mean squared error has a quadratic
loss, a bowl with a constant Hessian H (2, 2): gradient descent with step eta converges exactly when
eta < 2 / lambda_max(H). A logistic neuron y_hat = sigma(w x + b) with cross-entropy has a bowl that is not
quadratic: its curvature, so its local threshold, changes from place to place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.activations import sigmoid_np
from nnviz.format import number
from nnviz.live import History, TimedRun

#: The lesson's run: a fixed number of steps, so the regime shown is the same on any machine.
STEPS = 40
#: Where every descent starts, far from the minimum in both directions of the bowl.
START = (-1.0, -1.5)
#: A loss beyond this is called diverged and the run stops (the next steps would overflow).
BLOW_UP = 1e8

REGIMES = ("too small", "right", "oscillating", "diverging")
#: "Too small" means that after STEPS steps more than this fraction of the starting distance is left.
SLOW_LEFT = 0.1


@dataclass(frozen=True)
class LineData:
    """N points of y = w_true x + b_true + noise, x uniform on [centre - 1.5, centre + 1.5]; x, y (N,)."""

    x: np.ndarray
    y: np.ndarray


def line_data(centre: float, n: int = 40, seed: int = 0, w_true: float = 2.0, b_true: float = 1.0,
              noise: float = 0.3) -> LineData:
    rng = np.random.default_rng(seed)
    x = centre + rng.uniform(-1.5, 1.5, n)
    return LineData(x, w_true * x + b_true + rng.normal(0.0, noise, n))


def mse(w: np.ndarray | float, b: np.ndarray | float, d: LineData) -> np.ndarray:
    """L(w, b) = mean (w x + b - y)^2, for w and b of any (broadcast) shape."""
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    r = w[..., None] * d.x + b[..., None] - d.y
    return np.mean(r * r, axis=-1)


def mse_grad(theta: np.ndarray, d: LineData) -> np.ndarray:
    """(dL/dw, dL/db) at theta = (w, b)."""
    r = theta[0] * d.x + theta[1] - d.y
    return np.array([2.0 * np.mean(r * d.x), 2.0 * np.mean(r)])


def mse_hessian(d: LineData) -> np.ndarray:
    """H = 2 [[mean x^2, mean x], [mean x, 1]]: the same at every (w, b), because the loss is quadratic."""
    mx, mxx = float(np.mean(d.x)), float(np.mean(d.x * d.x))
    return 2.0 * np.array([[mxx, mx], [mx, 1.0]])


def minimiser(d: LineData) -> np.ndarray:
    """The bottom of the bowl (w*, b*): least squares."""
    A = np.column_stack([d.x, np.ones_like(d.x)])
    return np.linalg.lstsq(A, d.y, rcond=None)[0]


@dataclass(frozen=True)
class Curvature:
    """The bowl's eigenvalues (ascending) and eigenvectors (columns), and the step-size thresholds."""

    lambdas: np.ndarray  # (2,)
    vectors: np.ndarray  # (2, 2)

    @property
    def threshold(self) -> float:
        """2 / lambda_max: above it gradient descent diverges."""
        return 2.0 / float(self.lambdas[-1])

    @property
    def overshoot(self) -> float:
        """1 / lambda_max: above it each step overshoots the valley floor in the steepest direction."""
        return 1.0 / float(self.lambdas[-1])


def curvature(H: np.ndarray) -> Curvature:
    lambdas, vectors = np.linalg.eigh(H)
    return Curvature(lambdas, vectors)


def regime(eta: float, cv: Curvature, start: np.ndarray, opt: np.ndarray, steps: int = STEPS) -> str:
    """The regime from theory: each eigen-direction's distance is multiplied by (1 - eta lambda_i) per step."""
    if eta > cv.threshold:
        return "diverging"
    if eta > cv.overshoot:
        return "oscillating"
    c = cv.vectors.T @ (np.asarray(start) - opt)
    left = np.linalg.norm((1.0 - eta * cv.lambdas) ** steps * c) / np.linalg.norm(c)
    return "too small" if left > SLOW_LEFT else "right"


def regime_of_path(thetas: np.ndarray, losses: np.ndarray, opt: np.ndarray, cv: Curvature) -> str:
    """The regime read off a run: ``thetas`` (T+1, 2) from the start, ``losses`` (T+1,)."""
    if not np.all(np.isfinite(losses)) or losses[-1] > losses[0]:
        return "diverging"
    steep = (thetas - opt) @ cv.vectors[:, -1]
    signs = np.sign(steep[np.abs(steep) > 1e-12])
    if len(signs) > 2 and np.all(signs[1:] != signs[:-1]):
        return "oscillating"
    left = np.linalg.norm(thetas[-1] - opt) / np.linalg.norm(thetas[0] - opt)
    return "too small" if left > SLOW_LEFT else "right"


def regime_sentence(name: str, eta: float, cv: Curvature, steps: int) -> str:
    """What the descent on the bowl does at this eta, for the regime it showed."""
    thr, half = number(cv.threshold), number(cv.overshoot)
    text = {
        "too small": f"η = {number(eta)} is **too small**: after {steps} steps the descent has covered less than "
                     f"{100 * (1 - SLOW_LEFT):.0f} % of the way to the bottom. It would get there, slowly.",
        "right": f"η = {number(eta)} is **about right**: after {steps} steps the descent is close to the bottom, "
                 "walking straight down.",
        "oscillating": f"η = {number(eta)} **oscillates**: it is above 1/λ_max = {half}, so every step jumps over "
                       f"the valley floor to the other side; below 2/λ_max = {thr} it still closes in.",
        "diverging": f"η = {number(eta)} **diverges**: it is above 2/λ_max = {thr}, so every step lands higher "
                     "up the other wall than it started and the loss grows without bound.",
    }
    return text[name]


def slow_edge(cv: Curvature, start: np.ndarray, opt: np.ndarray, steps: int = STEPS) -> float:
    """The eta where "too small" turns into "right" (bisection on ``regime``); 1/lambda_max if nothing is right."""
    lo, hi = 1e-6, cv.overshoot
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if regime(mid, cv, start, opt, steps) == "too small" else (lo, mid)
    return hi


def shape_sentence(cv: Curvature, slow: float, steps: int = STEPS) -> str:
    """What the bowl's shape means for the learning rate: its thresholds, and whether any eta is right."""
    ratio = float(cv.lambdas[-1] / cv.lambdas[0])
    text = (f"The bowl is {number(ratio)} times more curved in its steepest direction than in its flattest "
            f"(λ_max / λ_min). Steps diverge above 2/λ_max = {number(cv.threshold)} and overshoot above "
            f"1/λ_max = {number(cv.overshoot)}.")
    if slow >= cv.overshoot * (1 - 1e-6):
        return text + (f" No η reaches the bottom in {steps} steps here: any η small enough not to overshoot the "
                       "steep direction crawls along the flat one. Move x̄ towards 0 to round the bowl.")
    return text + f" Between {number(slow)} and {number(cv.overshoot)} the descent walks straight to the bottom."


class BowlDescent(TimedRun):
    """Gradient descent theta <- theta - eta grad L(theta) on the linear neuron's MSE, from START, STEPS steps."""

    max_steps = STEPS

    def __init__(self, d: LineData, eta: float, steps: int = STEPS) -> None:
        self.d, self.eta, self.max_steps = d, float(eta), steps
        self.theta = np.array(START, dtype=float)
        self.history = History(("w", "b", "loss"), max_points=4 * steps + 8)
        self.history.add(w=self.theta[0], b=self.theta[1], loss=float(mse(*self.theta, d)))

    def _step(self) -> bool:
        self.theta = self.theta - self.eta * mse_grad(self.theta, self.d)
        loss = float(mse(*self.theta, self.d))
        self.history.add(w=float(self.theta[0]), b=float(self.theta[1]), loss=loss)
        return bool(np.isfinite(loss) and loss < BLOW_UP)

    def status(self) -> str:
        loss = self.history.last("loss")
        return f"Step {number(self.steps)} of {number(self.max_steps)} · loss {number(loss)}"

    def thetas(self) -> np.ndarray:
        """(T+1, 2) path from the start."""
        return np.column_stack([self.history["w"], self.history["b"]])


# ---------------------------------------------------------------------------------------------------------------
# The logistic neuron: the same descent on a bowl that is not quadratic
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassData:
    """N points on a line, labels y in {0, 1}: class 0 around x = -1, class 1 around x = +1, overlapping."""

    x: np.ndarray
    y: np.ndarray


def class_data(n: int = 40, seed: int = 0) -> ClassData:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return ClassData(np.where(y == 1, 1.0, -1.0) + rng.normal(0.0, 1.0, n), y.astype(float))


def bce(w: np.ndarray | float, b: np.ndarray | float, d: ClassData) -> np.ndarray:
    """L(w, b) = mean of -y log p - (1 - y) log(1 - p), p = sigma(w x + b), written overflow-free."""
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    z = w[..., None] * d.x + b[..., None]
    return np.mean(np.logaddexp(0.0, z) - d.y * z, axis=-1)


def bce_grad(theta: np.ndarray, d: ClassData) -> np.ndarray:
    r = sigmoid_np(theta[0] * d.x + theta[1]) - d.y
    return np.array([np.mean(r * d.x), np.mean(r)])


def bce_hessian(theta: np.ndarray, d: ClassData) -> np.ndarray:
    """mean of p (1 - p) [x, 1][x, 1]^T: it depends on where (w, b) is."""
    p = sigmoid_np(theta[0] * d.x + theta[1])
    s = p * (1.0 - p)
    return np.array([[np.mean(s * d.x * d.x), np.mean(s * d.x)], [np.mean(s * d.x), np.mean(s)]])


@dataclass(frozen=True)
class LogisticPath:
    """Gradient descent on the cross-entropy: thetas (T+1, 2), losses (T+1,), local 2/lambda_max (T+1,)."""

    eta: float
    thetas: np.ndarray
    losses: np.ndarray
    thresholds: np.ndarray
    opt: np.ndarray
    opt_loss: float


def logistic_descent(d: ClassData, eta: float, steps: int = STEPS, start: tuple[float, float] = START
                     ) -> LogisticPath:
    theta = np.array(start, dtype=float)
    thetas, losses, thr = [theta], [float(bce(*theta, d))], [_local_threshold(theta, d)]
    for _ in range(steps):
        theta = theta - eta * bce_grad(theta, d)
        thetas.append(theta)
        losses.append(float(bce(*theta, d)))
        thr.append(_local_threshold(theta, d))
    opt = logistic_minimiser(d)
    return LogisticPath(eta, np.array(thetas), np.array(losses), np.array(thr), opt, float(bce(*opt, d)))


def _local_threshold(theta: np.ndarray, d: ClassData) -> float:
    return 2.0 / float(np.linalg.eigvalsh(bce_hessian(theta, d))[-1])


def logistic_minimiser(d: ClassData, iters: int = 50) -> np.ndarray:
    """Newton's method from (0, 0): the loss is convex and the classes overlap, so the minimum is finite."""
    theta = np.zeros(2)
    for _ in range(iters):
        theta = theta - np.linalg.solve(bce_hessian(theta, d), bce_grad(theta, d))
    return theta


def logistic_sentence(p: LogisticPath) -> str:
    """What the descent on the cross-entropy did, from its path."""
    steps = len(p.losses) - 1
    rises = int(np.sum(np.diff(p.losses) > 1e-12))
    gap = float(p.losses[-1] - p.opt_loss)
    above = int(np.sum(p.eta > p.thresholds[:-1]))
    lo, hi = number(float(p.thresholds.min())), number(float(p.thresholds.max()))
    where = (f"Along this path the local 2/λ_max ranges from {lo} to {hi}: the bowl is not quadratic, so no single "
             f"number splits safe steps from unsafe ones; η = {number(p.eta)} was above it on {above} of {steps} "
             "steps.")
    if rises:
        what = f"The loss went up on {rises} of {steps} steps: they overshot where the bowl is steep."
    elif gap < 1e-3:
        what = f"After {steps} steps the descent is at the bottom (loss within 0.001 of the minimum)."
    else:
        what = f"The loss fell on every step and is {number(gap)} above the minimum after {steps} steps."
    return what + " " + where
