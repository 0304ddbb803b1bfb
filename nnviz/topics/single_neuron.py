"""One artificial neuron, y_hat = phi(w . x + b), and one biological one (leaky integrate-and-fire).

Shapes: ``x`` and ``w`` are (n,) for one input vector, or ``X`` is (m, n) for m inputs; ``b`` is a scalar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from nnviz import activations
from nnviz.datasets import Points
from nnviz.live import run_for

# ---------------------------------------------------------------------------------------------------------------
# The artificial neuron
# ---------------------------------------------------------------------------------------------------------------


def pre_activation(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray | float:
    """z = w . x + b. ``x`` (n,) gives a scalar; ``x`` (m, n) gives (m,)."""
    return np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + float(b)


def output(x: np.ndarray, w: np.ndarray, b: float, phi: str, **params: float) -> np.ndarray | float:
    """y_hat = phi(w . x + b), same leading shape as ``pre_activation``."""
    return activations.phi(phi, pre_activation(x, w, b), **params)


@dataclass(frozen=True)
class Gradient:
    """dy_hat/dw (n,) and dy_hat/db of one neuron at one input, and phi'(z) that both share."""

    dphi_dz: float
    dy_dw: np.ndarray
    dy_db: float


def output_gradient(x: np.ndarray, w: np.ndarray, b: float, phi: str, **params: float) -> Gradient:
    """The closed form: dy_hat/dw_i = phi'(z) x_i and dy_hat/db = phi'(z), with phi' from autograd."""
    x = np.asarray(x, dtype=float)
    d = float(activations.dphi(phi, pre_activation(x, w, b), **params))
    return Gradient(dphi_dz=d, dy_dw=d * x, dy_db=d)


@dataclass(frozen=True)
class Boundary:
    """The line w1*x1 + w2*x2 + c = 0 in the plane, clipped to a square box [-lim, lim]^2.

    ``start``/``end`` are the clipped segment's ends (None if the line misses the box or w = 0);
    ``foot`` is the point of the line closest to the origin, where the normal vector w is drawn;
    ``distance`` is the signed distance of the line from the origin, -c/|w|.
    """

    w: np.ndarray
    c: float
    start: np.ndarray | None
    end: np.ndarray | None
    foot: np.ndarray | None
    distance: float | None


def boundary(w: np.ndarray, c: float, lim: float) -> Boundary:
    """Where a two-input neuron's pre-activation is zero: w . x + c = 0 (c = b plus any held inputs)."""
    w = np.asarray(w, dtype=float)
    norm = float(np.hypot(*w))
    if norm < 1e-12:
        return Boundary(w, c, None, None, None, None)
    foot = -c * w / norm**2
    direction = np.array([-w[1], w[0]]) / norm
    # Clip the line foot + t * direction to the box: intersect with each side, keep points inside.
    ts = []
    for axis in (0, 1):
        if abs(direction[axis]) > 1e-12:
            for edge in (-lim, lim):
                ts.append((edge - foot[axis]) / direction[axis])
    inside = [t for t in ts if np.all(np.abs(foot + t * direction) <= lim + 1e-9)]
    if len(inside) < 2:
        return Boundary(w, c, None, None, foot, -c / norm)
    t0, t1 = min(inside), max(inside)
    return Boundary(w, c, foot + t0 * direction, foot + t1 * direction, foot, -c / norm)


@dataclass(frozen=True)
class PlaneOutput:
    """y_hat over a grid of the (x1, x2) plane: ``x1`` (n,), ``x2`` (n,), ``y`` (n, n) indexed [x2, x1]."""

    x1: np.ndarray
    x2: np.ndarray
    y: np.ndarray


def plane_output(w: np.ndarray, c: float, phi: str, lim: float, n: int = 101, **params: float) -> PlaneOutput:
    """phi(w1*x1 + w2*x2 + c) on an n x n grid over [-lim, lim]^2."""
    g = np.linspace(-lim, lim, n)
    X1, X2 = np.meshgrid(g, g)
    z = w[0] * X1 + w[1] * X2 + c
    return PlaneOutput(g, g, activations.phi(phi, z, **params))


def steep_sigmoid(z: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    """sigma(k z) and its derivative d/dz sigma(k z) = k sigma'(k z), the latter from autograd."""
    z = np.asarray(z, dtype=float)
    return activations.phi("sigmoid", k * z), k * activations.dphi("sigmoid", k * z)


# ---------------------------------------------------------------------------------------------------------------
# Training one neuron: logistic regression by gradient descent
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class NeuronTrainer:
    """Logistic regression y_hat = sigmoid(w . x + b) fitted by full-batch gradient descent on the
    binary cross-entropy, one epoch per step. A ``Stepper`` for the live panel.

    ``w`` starts at small seeded random values, ``b`` at 0; ``losses`` has one entry per epoch done.
    """

    data: Points
    lr: float = 1.0
    max_epochs: int = 1000
    seed: int = 0
    losses: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        gen = torch.Generator().manual_seed(self.seed)
        self._X = torch.as_tensor(self.data.X, dtype=torch.float64)
        self._y = torch.as_tensor(self.data.y, dtype=torch.float64)
        self.w = (0.1 * torch.randn(self._X.shape[1], generator=gen, dtype=torch.float64)).requires_grad_(True)
        self.b = torch.zeros((), dtype=torch.float64, requires_grad=True)

    @property
    def epoch(self) -> int:
        return len(self.losses)

    @property
    def done(self) -> bool:
        return self.epoch >= self.max_epochs

    @property
    def progress(self) -> float:
        return self.epoch / self.max_epochs

    def step(self) -> bool:
        """One epoch of gradient descent; returns False once the run is over."""
        if self.done:
            return False
        z = self._X @ self.w + self.b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, self._y)
        gw, gb = torch.autograd.grad(loss, (self.w, self.b))
        with torch.no_grad():
            self.w -= self.lr * gw
            self.b -= self.lr * gb
        self.losses.append(float(loss.detach()))
        return not self.done

    def advance(self, budget_s: float) -> None:
        run_for(self.step, budget_s)

    def weights(self) -> tuple[np.ndarray, float]:
        """Current (w, b) as numpy."""
        return self.w.detach().numpy().copy(), float(self.b.detach())

    def accuracy(self) -> float:
        """Share of points on the right side of the boundary (y_hat > 0.5 means class 1)."""
        w, b = self.weights()
        predicted = (pre_activation(self.data.X, w, b) > 0).astype(int)
        return float(np.mean(predicted == self.data.y))

    def status(self) -> str:
        if not self.losses:
            return "Not trained yet: w is small and random, b = 0."
        return f"Epoch {self.epoch} of {self.max_epochs} · loss {self.losses[-1]:.4f} · accuracy {self.accuracy():.0%}"


def train_neuron(data: Points, lr: float = 1.0, epochs: int = 1000, seed: int = 0) -> NeuronTrainer:
    """Train a neuron to the end, headless (for tests and benchmarks)."""
    trainer = NeuronTrainer(data, lr=lr, max_epochs=epochs, seed=seed)
    while trainer.step():
        pass
    return trainer


# ---------------------------------------------------------------------------------------------------------------
# A biological neuron: leaky integrate-and-fire
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LIFParams:
    """tau_m dV/dt = -V + R I; a spike and reset to 0 when V reaches V_th, then t_ref of silence.

    Units: ms, megaohm, nA, mV (so R*I is in mV). V is measured from rest.
    """

    tau_m: float = 10.0  # membrane time constant, ms
    R: float = 10.0  # membrane resistance, megaohm
    V_th: float = 15.0  # threshold above rest, mV
    t_ref: float = 2.0  # refractory period, ms


@dataclass(frozen=True)
class LIFTrace:
    """Membrane potential ``V`` (mV) at times ``t`` (ms), and the spike times (ms)."""

    t: np.ndarray
    V: np.ndarray
    spikes: np.ndarray

    def rate_hz(self) -> float:
        """Firing rate over the run, from the mean interspike interval (0 with fewer than 2 spikes)."""
        if len(self.spikes) < 2:
            return 0.0
        return 1000.0 / float(np.mean(np.diff(self.spikes)))


def lif_simulate(I: float, T: float = 200.0, dt: float = 0.05, p: LIFParams = LIFParams()) -> LIFTrace:
    """Simulate the LIF neuron under constant current ``I`` (nA) for ``T`` ms.

    Between spikes the exact solution for constant input is used, V <- RI + (V - RI) e^{-dt/tau}, so the
    only error is the spike time's rounding to the grid; the threshold crossing is interpolated within
    the step to remove most of that.
    """
    n = int(round(T / dt)) + 1
    t = np.arange(n) * dt
    V = np.zeros(n)
    v_inf = p.R * I
    spikes: list[float] = []
    v, refractory_until = 0.0, -1.0
    for i in range(1, n):
        if t[i] <= refractory_until:
            v = 0.0
        else:
            start = max(t[i - 1], refractory_until)  # integrate only the non-refractory part of the step
            v_next = v_inf + (v - v_inf) * math.exp(-(t[i] - start) / p.tau_m)
            if v_next >= p.V_th:
                # exact crossing time: solve V_th = v_inf + (v - v_inf) e^{-s/tau} for s
                s_cross = p.tau_m * math.log((v_inf - v) / (v_inf - p.V_th))
                t_spike = start + s_cross
                spikes.append(t_spike)
                refractory_until = t_spike + p.t_ref
                V[i - 1] = p.V_th  # draw the rise to threshold
                v = 0.0
            else:
                v = v_next
        V[i] = v
    return LIFTrace(t, V, np.array(spikes))


def lif_rate_analytic(I: np.ndarray | float, p: LIFParams = LIFParams()) -> np.ndarray:
    """The f-I curve in Hz: 1 / (t_ref + tau ln(R I / (R I - V_th))) above threshold current, else 0."""
    I = np.asarray(I, dtype=float)
    drive = p.R * I
    rate = np.zeros_like(drive)
    above = drive > p.V_th
    period_ms = p.t_ref + p.tau_m * np.log(drive[above] / (drive[above] - p.V_th))
    rate[above] = 1000.0 / period_ms
    return rate


def rheobase(p: LIFParams = LIFParams()) -> float:
    """The smallest current (nA) that makes the neuron fire: V_th / R."""
    return p.V_th / p.R
