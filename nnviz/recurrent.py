"""Feedback connections: a recurrent cell unrolled in time, its gradients through time, and memory.

The vanilla cell is ``h_t = phi(W h_{t-1} + U x_t + b)`` with the SAME W, U, b at every step t = 1..T
(``W`` (n, n), ``U`` (n, m), ``b`` (n,), ``x_t`` (m,), ``h_t`` (n,)). Backpropagation through time multiplies
the step Jacobians ``dh_t/dh_{t-1} = diag(phi'(z_t)) W``, so ``||dh_T/dh_t||`` shrinks or grows like a power
of W (Pascanu, Mikolov & Bengio 2013). Gated cells (LSTM, GRU) add an additive path through time.

Plain numpy/torch, seeded, no streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import torch
from torch import nn

from nnviz import activations
from nnviz.connections import SideBySideTrainer

Tensor = torch.Tensor

MATRIX_KINDS = ("orthogonal", "gaussian")
MATRIX_LABELS = {"orthogonal": "orthogonal × ρ", "gaussian": "Gaussian, radius ρ"}


def recurrent_matrix(n: int, radius: float, kind: str = "orthogonal", seed: int = 0) -> np.ndarray:
    """A random recurrent weight matrix W (n, n) with spectral radius ``radius``.

    "orthogonal": rho * Q with Q a random orthogonal matrix, so every singular value and |eigenvalue| is rho and
    ||W^k||_2 = rho^k exactly. "gaussian": an i.i.d. normal matrix divided by its spectral radius, times rho.
    """
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    if kind == "orthogonal":
        q, r = np.linalg.qr(a)
        return radius * q * np.sign(np.diag(r))[None, :]
    if kind == "gaussian":
        return radius * a / np.max(np.abs(np.linalg.eigvals(a)))
    raise ValueError(f"Unknown matrix kind {kind!r}; choose one of {', '.join(MATRIX_KINDS)}.")


@dataclass(frozen=True)
class RNNCell:
    """A vanilla recurrent cell h_t = phi(W h_{t-1} + U x_t + b); W (n, n), U (n, m), b (n,)."""

    W: np.ndarray
    U: np.ndarray
    b: np.ndarray
    phi: str = "tanh"

    @classmethod
    def random(cls, n: int, m: int = 1, radius: float = 0.9, phi: str = "tanh", kind: str = "orthogonal",
               input_scale: float = 1.0, seed: int = 0) -> RNNCell:
        rng = np.random.default_rng(seed + 1)
        return cls(recurrent_matrix(n, radius, kind, seed), input_scale * rng.standard_normal((n, m)) / math.sqrt(m),
                   np.zeros(n), phi)

    def run(self, xs: np.ndarray, h0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Unroll over inputs ``xs`` (T, m): returns H (T+1, n) with H[0] = h_0, and Z (T, n) the pre-activations."""
        n = self.W.shape[0]
        h = np.zeros(n) if h0 is None else np.asarray(h0, dtype=np.float64)
        hs, zs = [h], []
        for x in xs:
            z = self.W @ h + self.U @ x + self.b
            h = activations.phi(self.phi, z)
            zs.append(z)
            hs.append(h)
        return np.array(hs), np.array(zs).reshape(len(xs), n)

    def step_jacobians(self, zs: np.ndarray) -> list[np.ndarray]:
        """dh_t/dh_{t-1} = diag(phi'(z_t)) W for t = 1..T, each (n, n)."""
        d = activations.dphi(self.phi, zs)
        return [d[t][:, None] * self.W for t in range(len(zs))]


def input_sequence(kind: str, T: int, seed: int = 0) -> np.ndarray:
    """A 1-D input sequence (T, 1): "pulse" (1 at t = 1, then 0), "sine" or "noise" (standard normal)."""
    t = np.arange(1, T + 1)
    if kind == "pulse":
        x = (t == 1).astype(float)
    elif kind == "sine":
        x = np.sin(2 * np.pi * t / 12)
    elif kind == "noise":
        x = np.random.default_rng(seed + 5).standard_normal(T)
    else:
        raise ValueError(f"Unknown input {kind!r}; choose pulse, sine or noise.")
    return x[:, None]


INPUT_KINDS = ("pulse", "sine", "noise")


@dataclass(frozen=True)
class Trajectories:
    """Hidden states of an RNN reading a sequence: ``t`` (T+1,), ``x`` (T+1,) the input (0 at t = 0),
    ``h`` (T+1, n) every unit's state, ``norm`` (T+1,) ||h_t||."""

    t: np.ndarray
    x: np.ndarray
    h: np.ndarray
    norm: np.ndarray


def hidden_trajectories(T: int = 60, n: int = 16, radius: float = 0.9, phi: str = "tanh", inputs: str = "pulse",
                        kind: str = "orthogonal", seed: int = 0) -> Trajectories:
    """Run a random vanilla RNN on an input sequence and return every hidden state over time."""
    cell = RNNCell.random(n, 1, radius, phi, kind, seed=seed)
    xs = input_sequence(inputs, T, seed)
    hs, _ = cell.run(xs)
    return Trajectories(np.arange(T + 1), np.concatenate([[0.0], xs[:, 0]]), hs, np.linalg.norm(hs, axis=1))


@dataclass(frozen=True)
class TimeGradients:
    """Gradients through time of one random RNN on a noise sequence of length T.

    ``lag`` (T+1,) = T - t for t = T..0; ``jac`` (T+1,) ||dh_T/dh_t||_2; ``bound`` (T+1,) (gamma ||W||_2)^(T-t),
    Pascanu's upper bound (gamma = max |phi'|); ``contrib`` (T,) ||dL/dW|| of the term from step t (lags 0..T-1)
    for L = 1/2 ||h_T - y||^2, before clipping; ``total_norm`` ||dL/dW|| of the sum; ``clip_scale`` the factor
    clipping multiplies every term by (1 if not clipped).
    """

    lag: np.ndarray
    jac: np.ndarray
    bound: np.ndarray
    contrib: np.ndarray
    total_norm: float
    clip_scale: float
    gamma: float
    w_norm: float


def phi_gamma(phi: str) -> float:
    """gamma = sup |phi'(z)|, estimated on a fine grid in [-10, 10] (1 for tanh, 1/4 for sigmoid)."""
    return float(np.max(np.abs(activations.dphi(phi, np.linspace(-10, 10, 20001)))))


def time_gradients(T: int = 60, n: int = 32, radius: float = 1.0, phi: str = "tanh", kind: str = "orthogonal",
                   clip: float | None = None, input_scale: float = 1.0, seed: int = 0) -> TimeGradients:
    """||dh_T/dh_t|| for every t, by multiplying step Jacobians backwards, and BPTT's per-step terms of dL/dW.

    With ``clip`` = c, the whole gradient g = dL/dW is rescaled to c g/||g|| when ||g|| > c (Pascanu et al.);
    that rescales every step's term by the same factor: clipping tames explosion but cannot revive a vanished
    term.
    """
    cell = RNNCell.random(n, 1, radius, phi, kind, input_scale=input_scale, seed=seed)
    xs = input_sequence("noise", T, seed)
    hs, zs = cell.run(xs)
    jacs = cell.step_jacobians(zs)
    y = np.random.default_rng(seed + 9).standard_normal(n) * 0.5
    prod = np.eye(n)
    jac = [1.0]
    delta = hs[-1] - y  # dL/dh_T
    d_phi = activations.dphi(phi, zs)
    terms = []
    total = np.zeros_like(cell.W)
    for t in range(T, 0, -1):  # t = T..1, lag T - t = 0..T-1
        term = np.outer(delta * d_phi[t - 1], hs[t - 1])  # dL/dW contribution of step t
        terms.append(float(np.linalg.norm(term)))
        total += term
        delta = jacs[t - 1].T @ delta
        prod = prod @ jacs[t - 1]
        jac.append(float(np.linalg.norm(prod, 2)))
    total_norm = float(np.linalg.norm(total))
    scale = 1.0 if clip is None or total_norm <= clip else clip / total_norm
    gamma = phi_gamma(phi)
    w_norm = float(np.linalg.norm(cell.W, 2))
    lag = np.arange(T + 1)
    return TimeGradients(lag, np.array(jac), (gamma * w_norm) ** lag.astype(float), np.array(terms), total_norm,
                         scale, gamma, w_norm)


# --------------------------------------------------------------------------------------------------
# LSTM at initialisation: the cell state's path through time


def lstm_state_jacobian(T: int = 60, n: int = 32, forget_bias: float = 1.0, seed: int = 0) -> np.ndarray:
    """||d(h_T, c_T)/d(h_t, c_t)||_2 for lag T - t = 0..T of a freshly initialised LSTM on noise inputs, (T+1,).

    The forget-gate bias is set to ``forget_bias`` (Jozefowicz et al. 2015 recommend 1); along the cell-state
    highway dc_t/dc_{t-1} = diag(f_t), so the gate, not a weight matrix power, sets the decay.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        cell = nn.LSTMCell(1, n, dtype=torch.float64)
    with torch.no_grad():
        cell.bias_ih[n:2 * n] = forget_bias
        cell.bias_hh[n:2 * n] = 0.0
    xs = torch.as_tensor(input_sequence("noise", T, seed))
    return state_jacobian_norms(_cell_step(cell, n), torch.zeros(2 * n, dtype=torch.float64), xs)


def state_jacobian_norms(step, state: Tensor, xs: Tensor) -> np.ndarray:
    """||ds_T/ds_t||_2 for lag T - t = 0..T, (T+1,), for a recurrence s_t = step(s_{t-1}, x_t) over xs (T, m).

    The states are unrolled first; the step Jacobians ds_t/ds_{t-1} then come from torch autograd in one batched
    call (``torch.func.vmap(jacrev)``) and are multiplied from the end backwards.
    """
    states = [state]
    with torch.no_grad():
        for x in xs:
            states.append(step(states[-1], x))
    prev = torch.stack(states[:-1])
    jacs = torch.func.vmap(torch.func.jacrev(step), in_dims=(0, 0))(prev, xs).detach()
    prod = torch.eye(state.shape[0], dtype=state.dtype)
    out = [1.0]
    for j in reversed(jacs):
        prod = prod @ j
        out.append(float(torch.linalg.matrix_norm(prod, ord=2)))
    return np.array(out)


def _cell_step(cell: nn.Module, n: int):
    """The recurrence on a flat state: (h) for RNN/GRU cells, (h, c) concatenated for an LSTM cell."""
    if isinstance(cell, nn.LSTMCell):
        def step(s: Tensor, x: Tensor) -> Tensor:
            h, c = cell(x[None], (s[None, :n], s[None, n:]))
            return torch.cat([h[0], c[0]])
    else:
        def step(s: Tensor, x: Tensor) -> Tensor:
            return cell(x[None], s[None])[0]
    return step


def trained_state_jacobian(model: SequenceRegressor, x: Tensor) -> np.ndarray:
    """||ds_T/ds_t|| (T+1,) of a (trained) sequence model's recurrent layer on one sequence ``x`` (T, 2).

    The state s is h for the RNN and GRU and (h, c) for the LSTM; the layer's weights are copied into the
    matching single-step cell (nn.RNNCell, nn.LSTMCell, nn.GRUCell).
    """
    layer = model.rnn
    n = layer.hidden_size
    cls = {nn.RNN: nn.RNNCell, nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell}[type(layer)]
    cell = cls(layer.input_size, n, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(layer, f"{name}_l0").double())
    size = 2 * n if cls is nn.LSTMCell else n
    return state_jacobian_norms(_cell_step(cell, n), torch.zeros(size, dtype=torch.float64), x.double())


# --------------------------------------------------------------------------------------------------
# Memory: the adding problem (Hochreiter & Schmidhuber 1997)

CELLS = ("rnn", "lstm", "gru")
CELL_LABELS = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
#: The mean squared error of always answering 1: Var(u + v) for u, v ~ U(0, 1) = 2/12.
GUESS_ONE_MSE = 1.0 / 6.0


def adding_problem(n: int, T: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """n sequences of length T: x (n, T, 2), channel 0 values ~ U(0, 1), channel 1 marks two steps, one in each
    half; y (n,) the sum of the two marked values. Always guessing 1 scores MSE 1/6 ~ 0.167."""
    if T < 2:
        raise ValueError("the adding problem needs sequences of length at least 2")
    v = torch.rand(n, T, generator=generator)
    m = torch.zeros(n, T)
    half = T // 2
    i = torch.randint(0, half, (n,), generator=generator)
    j = torch.randint(half, T, (n,), generator=generator)
    rows = torch.arange(n)
    m[rows, i] = 1.0
    m[rows, j] = 1.0
    return torch.stack([v, m], dim=-1), (v * m).sum(dim=1)


class SequenceRegressor(nn.Module):
    """A recurrent layer (vanilla tanh RNN, LSTM or GRU) over x (n, T, 2) and a linear read-out of h_T: (n,)."""

    def __init__(self, cell: str, hidden: int, seed: int = 0) -> None:
        super().__init__()
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.rnn = layer(2, hidden, batch_first=True)
            self.out = nn.Linear(hidden, 1)

    def forward(self, x: Tensor) -> Tensor:
        h, _ = self.rnn(x)
        return self.out(h[:, -1]).squeeze(-1)


@dataclass
class AddingRun:
    """Training curves on the adding problem: ``steps`` (k,) and ``curves[cell]`` (k,) training MSE (mean of the
    last ``record_every`` mini-batches)."""

    T: int
    steps: list[int] = field(default_factory=list)
    curves: dict[str, list[float]] = field(default_factory=dict)

    def final(self, cell: str) -> float:
        return self.curves[cell][-1]


class AddingTrainer(SideBySideTrainer):
    """Train a vanilla RNN, an LSTM and a GRU side by side on fresh adding-problem batches (Adam, gradient norm
    clipped to 1). A ``nnviz.live.Stepper``; stops after ``n_steps`` or ``max_seconds`` of running (wall time,
    pauses excluded)."""

    def __init__(self, T: int = 50, hidden: int = 32, lr: float = 1e-2, n_steps: int = 600, batch: int = 64,
                 cells: tuple[str, ...] = CELLS, seed: int = 0, max_seconds: float = 25.0) -> None:
        self.T, self.batch = T, batch
        self._start(n_steps, max_seconds)
        self.gen = torch.Generator().manual_seed(seed + 100)
        self._spec = {"cells": tuple(cells), "hidden": hidden, "lr": lr, "seed": seed}
        self.run = AddingRun(T)

    @cached_property
    def models(self) -> dict[str, SequenceRegressor]:
        """One model per cell type, built on first use (a new run costs nothing until it trains)."""
        return {c: SequenceRegressor(c, self._spec["hidden"], self._spec["seed"]) for c in self._spec["cells"]}

    @cached_property
    def opts(self) -> dict[str, torch.optim.Optimizer]:
        return {c: torch.optim.Adam(m.parameters(), lr=self._spec["lr"]) for c, m in self.models.items()}

    def _train_step(self) -> dict[str, float]:
        x, y = adding_problem(self.batch, self.T, self.gen)
        losses = {}
        for c, m in self.models.items():
            loss = ((m(x) - y) ** 2).mean()
            self.opts[c].zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            self.opts[c].step()
            losses[c] = loss.item()
        return losses

    def status(self) -> str:
        if self.stopped_by_time:
            return f"Stopped at the {self.max_seconds:.0f} s time limit after {self.step} steps."
        last = ", ".join(f"{CELL_LABELS[c]} {v[-1]:.3f}" for c, v in self.run.curves.items() if v)
        return f"Step {self.step} / {self.n_steps}" + (f" · MSE {last}" if last else "")
