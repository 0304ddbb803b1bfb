"""Feedback connections: a recurrent cell unrolled in time, its gradients through time, and memory.

The vanilla cell is ``h_t = phi(W h_{t-1} + U x_t + b)`` with the SAME W, U, b at every step t = 1..T
(``W`` (n, n), ``U`` (n, m), ``b`` (n,), ``x_t`` (m,), ``h_t`` (n,)). Backpropagation through time multiplies
the step Jacobians ``dh_t/dh_{t-1} = diag(phi'(z_t)) W``, so ``||dh_T/dh_t||`` shrinks or grows like a power
of W (Pascanu, Mikolov & Bengio 2013). Gated cells (LSTM, GRU) add an additive path through time.

Plain numpy/torch, seeded, no streamlit; each sentence the page shows about a result is a function of it here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from nnviz.activations import Phi
from nnviz.format import number
from nnviz.live import MAX_SECONDS
from nnviz.topics.skip_and_feedback.residual import TANH, Curves, _SideBySide, load_precomputed, phi_gamma, sci

if TYPE_CHECKING:  # torch loads where a network is built (nets), not on import: a first visit needs none
    import torch
    from torch import Tensor, nn

    from nnviz.topics.skip_and_feedback.nets import SequenceRegressor

MATRIX_KINDS = ("orthogonal", "gaussian")
MATRIX_LABELS = {"orthogonal": "orthogonal × ρ", "gaussian": "Gaussian, radius ρ"}
INPUT_KINDS = ("pulse", "sine", "noise")
INPUT_LABELS = {"pulse": "one pulse", "sine": "sine wave", "noise": "noise"}

#: ||dh_T/dh_t|| below FADED counts as vanished, above 1/FADED as exploded.
FADED = 1e-3


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
    phi: Phi = Phi("tanh")

    @classmethod
    def random(cls, n: int, m: int = 1, radius: float = 0.9, phi: Phi = TANH, kind: str = "orthogonal",
               input_scale: float = 1.0, seed: int = 0) -> RNNCell:
        rng = np.random.default_rng(seed + 1)
        return cls(recurrent_matrix(n, radius, kind, seed), input_scale * rng.standard_normal((n, m)) / math.sqrt(m),
                   np.zeros(n), phi)

    def run(self, xs: np.ndarray, h0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Unroll over inputs ``xs`` (T, m): returns H (T+1, n) with H[0] = h_0, and Z (T, n) the pre-activations."""
        n = self.W.shape[0]
        h = np.zeros(n) if h0 is None else np.asarray(h0, dtype=np.float64)
        hs, zs = [h], []
        with np.errstate(over="ignore", invalid="ignore"):
            for x in xs:
                z = self.W @ h + self.U @ x + self.b
                h = self.phi.numpy(z)
                zs.append(z)
                hs.append(h)
        return np.array(hs), np.array(zs).reshape(len(xs), n)

    def step_jacobians(self, zs: np.ndarray) -> list[np.ndarray]:
        """dh_t/dh_{t-1} = diag(phi'(z_t)) W for t = 1..T, each (n, n)."""
        d = self.phi.dnumpy(zs)
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


def _product_norm(jacs: list[np.ndarray]) -> float:
    """||J_T ... J_1||_2 (inf once the product overflows)."""
    prod = np.eye(jacs[0].shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        for j in jacs:
            prod = j @ prod
    return float(np.linalg.norm(prod, 2)) if np.all(np.isfinite(prod)) else float("inf")


@dataclass(frozen=True)
class Trajectories:
    """Hidden states of an RNN reading a sequence: ``t`` (T+1,), ``x`` (T+1,) the input (0 at t = 0),
    ``h`` (T+1, n) every unit's state, ``norm`` (T+1,) ||h_t||, ``echo`` (T+1,) ||h_t - h_t(no input)|| (what
    the input changed), ``memory`` = ||dh_T/dh_1||_2 (how much a change of h_1 still moves h_T)."""

    t: np.ndarray
    x: np.ndarray
    h: np.ndarray
    norm: np.ndarray
    echo: np.ndarray
    memory: float
    inputs: str
    radius: float

    @property
    def exploded(self) -> bool:
        """The state left every useful range: non-finite or ||h_T|| above 1000."""
        return not np.all(np.isfinite(self.h)) or float(self.norm[-1]) > 1e3

    @property
    def echo_left(self) -> float:
        """The pulse's echo at t = T as a fraction of its peak."""
        peak = float(np.max(self.echo))
        return float(self.echo[-1]) / peak if peak > 0 else 0.0


def hidden_trajectories(T: int = 60, n: int = 16, radius: float = 0.9, phi: Phi = TANH,
                        inputs: str = "pulse", kind: str = "orthogonal", seed: int = 0) -> Trajectories:
    """Run a random vanilla RNN on an input sequence and return every hidden state over time."""
    cell = RNNCell.random(n, 1, radius, phi, kind, seed=seed)
    xs = input_sequence(inputs, T, seed)
    hs, zs = cell.run(xs)
    quiet, _ = cell.run(np.zeros_like(xs))
    with np.errstate(over="ignore", invalid="ignore"):
        echo = np.linalg.norm(hs - quiet, axis=1)
        norm = np.linalg.norm(hs, axis=1)
    memory = _product_norm(cell.step_jacobians(zs[1:])) if np.all(np.isfinite(zs)) else float("inf")
    return Trajectories(np.arange(T + 1), np.concatenate([[0.0], xs[:, 0]]), hs, norm, echo, memory, inputs,
                        radius)


def trajectory_caption(tr: Trajectories) -> str:
    """What the trajectories show, chosen from them."""
    T = len(tr.t) - 1
    if tr.exploded:
        return (f"The state explodes: ‖h_{T}‖ = {sci(float(tr.norm[-1]))} (ρ = {tr.radius:g} and a φ that "
                "does not saturate). That is not memory: the state leaves any useful range, and the gradient "
                "through it explodes too (next section).")
    if tr.inputs == "pulse":
        left = tr.echo_left
        if left < 0.01:
            faded = "has vanished" if left == 0 else f"is {sci(left)} of its peak"
            return (f"The state rings on after the pulse has gone, then fades: by t = {T} the echo {faded}. "
                    "That echo is the network's memory, and ρ sets how long it lasts.")
        return (f"The pulse's echo does not fade: at t = {T} it is still {sci(left)} of its peak, so the "
                "network still holds the pulse (a memory that lasts, at the edge of exploding).")
    if tr.memory < 0.01:
        return (f"The state is a running summary of the inputs so far in which old inputs fade: a change of h_1 "
                f"moves h_{T} by only {sci(tr.memory)} of itself.")
    return (f"The state is a running summary of the inputs so far, and old inputs do not fade: a change of h_1 "
            f"still moves h_{T} by {sci(tr.memory)} of itself.")


@dataclass(frozen=True)
class TimeGradients:
    """Gradients through time of one random RNN on a noise sequence of length T.

    ``lag`` (T+1,) = T - t for t = T..0; ``jac`` (T+1,) ||dh_T/dh_t||_2; ``bound`` (T+1,) (gamma ||W||_2)^(T-t),
    Pascanu's upper bound (gamma = max |phi'|); ``contrib`` (T,) ||dL/dW|| of the term from step t (lags 0..T-1)
    for L = 1/2 ||h_T - y||^2, before clipping; ``total_norm`` ||dL/dW|| of the sum; ``clip`` the threshold c
    (None: off) and ``clip_scale`` the factor clipping multiplies every term by (1 if it did not act).
    """

    lag: np.ndarray
    jac: np.ndarray
    bound: np.ndarray
    contrib: np.ndarray
    total_norm: float
    clip: float | None
    clip_scale: float
    gamma: float
    w_norm: float

    @property
    def finite(self) -> bool:
        return bool(np.all(np.isfinite(self.jac)) and math.isfinite(self.total_norm))

    @property
    def regime(self) -> str:
        """"vanishes", "explodes" or "survives": ||dh_T/dh_0|| below FADED, above 1/FADED, or in between."""
        end = float(self.jac[-1])
        if not self.finite or end > 1 / FADED:
            return "explodes"
        return "vanishes" if end < FADED else "survives"


def time_gradients(T: int = 60, n: int = 32, radius: float = 1.0, phi: Phi = TANH, kind: str = "orthogonal",
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
    d_phi = phi.dnumpy(zs)
    terms = []
    total = np.zeros_like(cell.W)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T, 0, -1):  # t = T..1, lag T - t = 0..T-1
            term = np.outer(delta * d_phi[t - 1], hs[t - 1])  # dL/dW contribution of step t
            terms.append(float(np.linalg.norm(term)) if np.all(np.isfinite(term)) else float("inf"))
            total += term
            delta = jacs[t - 1].T @ delta
            prod = prod @ jacs[t - 1]
            jac.append(float(np.linalg.norm(prod, 2)) if np.all(np.isfinite(prod)) else float("inf"))
        total_norm = float(np.linalg.norm(total)) if np.all(np.isfinite(total)) else float("inf")
    scale = 1.0 if clip is None or total_norm <= clip else clip / total_norm
    gamma = phi_gamma(phi)
    w_norm = float(np.linalg.norm(cell.W, 2))
    lag = np.arange(T + 1)
    with np.errstate(over="ignore"):
        bound = (gamma * w_norm) ** lag.astype(float)
    return TimeGradients(lag, np.array(jac), bound, np.array(terms), total_norm, clip, scale, gamma, w_norm)


def bound_note(tg: TimeGradients) -> str:
    """Pascanu's bound gamma ||W|| against 1 (below: the gradient must vanish), then what was measured."""
    bound = tg.gamma * tg.w_norm
    verdict = ("below 1: the gradient must vanish" if bound < 1 else
               "at least 1: it may explode (a necessary condition, not a sufficient one; saturation can still make "
               "it vanish)")
    return (f"γ = max|φ′| = {tg.gamma:.3g} and ‖W‖₂ = {tg.w_norm:.3g}, so γ‖W‖ = {bound:.3g} is {verdict}. "
            f"Measured: ‖∂h_T/∂h_0‖ = {sci(float(tg.jac[-1]))}, total ‖∂L/∂W‖ = {sci(tg.total_norm)}.")


def clipping_note(tg: TimeGradients) -> str:
    """What clipping did here (empty when it is off)."""
    if tg.clip is None:
        return ""
    if tg.clip_scale >= 1.0:
        return (f"Clipping did nothing here: ‖∂L/∂W‖ = {sci(tg.total_norm)} is already below c = {tg.clip:g}.")
    if not math.isfinite(tg.total_norm):
        return ("The gradient overflowed before it could be clipped: clipping acts on a number, and there is none "
                "left. Lower ρ or T.")
    head = (f"Clipping rescaled the whole gradient by {sci(tg.clip_scale)}, from {sci(tg.total_norm)} to "
            f"c = {tg.clip:g}: every step's term by the same factor (the “after clipping” curve is the dotted one "
            "shifted down).")
    if tg.regime == "explodes":
        return head + (" That is what clipping is for: an exploding gradient's step is cut to a safe length, so "
                       "training does not jump away, though it still points where the long-range terms point.")
    if tg.regime == "vanishes":
        return head + (" But here the gradient only vanishes: the long-range terms were already tiny, and scaling "
                       "cannot bring them back. To see clipping tame an explosion, try a linear φ with ρ = 1.3.")
    return head


def time_gradient_takeaway(tg: TimeGradients) -> str:
    """The lesson of the figure, chosen from the measured ||dh_T/dh_0||."""
    end = sci(float(tg.jac[-1]))
    T = len(tg.lag) - 1
    if tg.regime == "vanishes":
        return (f"Gradients through time are products of diag(φ′)W: here ‖∂h_T/∂h_0‖ = {end} after {T} steps, so "
                "the network cannot learn from what happened that long ago. Clipping cannot help (it only shrinks "
                "gradients); that needs a different cell, with an additive path (LSTM, GRU, below).")
    if tg.regime == "explodes":
        return (f"Gradients through time are products of diag(φ′)W: here ‖∂h_T/∂h_0‖ = {end} after {T} steps: "
                "they explode, and one update would throw the weights far away. Clipping the gradient's norm caps "
                "each step; gated cells avoid the problem in the first place.")
    return (f"Gradients through time are products of diag(φ′)W: here ‖∂h_T/∂h_0‖ = {end} after {T} steps, at the "
            "edge between vanishing and exploding, where a vanilla RNN can still learn a long dependency.")


# --------------------------------------------------------------------------------------------------
# Jacobians of recurrent states through time (LSTM at initialisation, trained cells)


def _cell_step(cell: nn.Module, n: int):
    """The recurrence on a batch of flat states (B, S): (h) for RNN/GRU cells, (h, c) for an LSTM cell."""
    import torch
    from torch import nn
    if isinstance(cell, nn.LSTMCell):
        def step(s: Tensor, x: Tensor) -> Tensor:
            h, c = cell(x, (s[:, :n], s[:, n:]))
            return torch.cat([h, c], dim=1)
    else:
        def step(s: Tensor, x: Tensor) -> Tensor:
            return cell(x, s)
    return step


def state_jacobian_norms(step, state: Tensor, xs: Tensor) -> np.ndarray:
    """||ds_T/ds_t||_2 for lag T - t = 0..T, (T+1,), for a recurrence s_t = step(s_{t-1}, x_t) over xs (T, m).

    ``step`` maps a batch of states (B, S) and inputs (B, m) to (B, S). The states are unrolled first; then every
    step Jacobian comes from one backward pass: each state is repeated S times, and since rows of a batch do not
    interact, the gradient of sum_i out[i-th copy, i] is row i of that step's Jacobian.
    """
    import torch
    S, T = state.shape[0], len(xs)
    states = [state]
    with torch.no_grad():
        for x in xs:
            states.append(step(states[-1][None], x[None])[0])
    prev = torch.stack(states[:-1]).repeat_interleave(S, dim=0).requires_grad_(True)  # (T*S, S)
    out = step(prev, xs.repeat_interleave(S, dim=0))
    eye = torch.eye(S, dtype=state.dtype).repeat(T, 1)
    (rows,) = torch.autograd.grad((out * eye).sum(), prev)
    jacs = rows.detach().reshape(T, S, S)
    prod = torch.eye(S, dtype=state.dtype)
    norms = [1.0]
    for j in reversed(jacs):
        prod = prod @ j
        norms.append(float(torch.linalg.matrix_norm(prod, ord=2)))
    return np.array(norms)


@dataclass(frozen=True)
class LSTMWeights:
    """An LSTM cell's weights in torch's ``nn.LSTMCell`` layout, numpy float64: ``weight_ih`` (4n, m),
    ``weight_hh`` (4n, n), ``bias_ih`` and ``bias_hh`` (4n,), the gates stacked i, f, g, o."""

    weight_ih: np.ndarray
    weight_hh: np.ndarray
    bias_ih: np.ndarray
    bias_hh: np.ndarray


def lstm_weights(n: int, m: int = 1, forget_bias: float = 1.0, seed: int = 0) -> LSTMWeights:
    """A fresh cell as torch initialises one (every entry U(-1/sqrt(n), 1/sqrt(n))), drawn by numpy, with the
    forget gate's bias set to ``forget_bias`` (in bias_ih; its bias_hh part 0)."""
    rng = np.random.default_rng(seed)
    k = 1.0 / math.sqrt(n)
    w_ih, w_hh = rng.uniform(-k, k, (4 * n, m)), rng.uniform(-k, k, (4 * n, n))
    b_ih, b_hh = rng.uniform(-k, k, 4 * n), rng.uniform(-k, k, 4 * n)
    b_ih[n:2 * n], b_hh[n:2 * n] = forget_bias, 0.0
    return LSTMWeights(w_ih, w_hh, b_ih, b_hh)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function exactly, without overflow


def lstm_step(w: LSTMWeights, h: np.ndarray, c: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                       np.ndarray]:
    """One step of the cell, (h, c) (n,) and x (m,) -> (h', c', J) with J = d(h', c')/d(h, c) (2n, 2n).

    c' = f c + i g and h' = o tanh(c'), gates from z = W_ih x + b_ih + W_hh h + b_hh. So dc'/dc = diag(f) (the
    highway), dc'/dh = diag(c f(1-f)) W_f + diag(g i(1-i)) W_i + diag(i (1-g^2)) W_g, and
    dh'/d. = diag(tanh(c') o(1-o)) (W_o, 0) + diag(o (1-tanh^2 c')) dc'/d.
    """
    n = len(h)
    z = w.weight_ih @ x + w.bias_ih + w.weight_hh @ h + w.bias_hh
    i, f, o = _sigmoid(z[:n]), _sigmoid(z[n:2 * n]), _sigmoid(z[3 * n:])
    g = np.tanh(z[2 * n:3 * n])
    c_new = f * c + i * g
    tc = np.tanh(c_new)
    h_new = o * tc
    u = w.weight_hh
    dc_dh = ((c * f * (1 - f))[:, None] * u[n:2 * n] + (g * i * (1 - i))[:, None] * u[:n]
             + (i * (1 - g * g))[:, None] * u[2 * n:3 * n])
    dc_dc = np.diag(f)
    through_c = (o * (1 - tc * tc))[:, None]
    dh_dh = (tc * o * (1 - o))[:, None] * u[3 * n:] + through_c * dc_dh
    jac = np.block([[dh_dh, through_c * dc_dc], [dc_dh, dc_dc]])
    return h_new, c_new, jac


def lstm_state_jacobian(T: int = 60, n: int = 32, forget_bias: float = 1.0, seed: int = 0) -> np.ndarray:
    """||d(h_T, c_T)/d(h_t, c_t)||_2 for lag T - t = 0..T of a freshly initialised LSTM on noise inputs, (T+1,).

    The forget-gate bias is set to ``forget_bias`` (Jozefowicz et al. 2015 recommend 1); along the cell-state
    highway dc_t/dc_{t-1} = diag(f_t), so the gate, not a weight matrix power, sets the decay. numpy (tested
    against autograd on torch's nn.LSTMCell with the same weights): the joint chart's slider loads no torch.
    """
    w = lstm_weights(n, 1, forget_bias, seed)
    h, c = np.zeros(n), np.zeros(n)
    jacs = []
    for x in input_sequence("noise", T, seed):
        h, c, j = lstm_step(w, h, c, x)
        jacs.append(j)
    prod = np.eye(2 * n)
    norms = [1.0]
    for j in reversed(jacs):
        prod = prod @ j
        norms.append(float(np.linalg.norm(prod, 2)))
    return np.array(norms)


def trained_state_jacobian(model: SequenceRegressor, x: Tensor) -> np.ndarray:
    """||ds_T/ds_t|| (T+1,) of a (trained) sequence model's recurrent layer on one sequence ``x`` (T, 2).

    The state s is h for the RNN and GRU and (h, c) for the LSTM; the layer's weights are copied into the
    matching single-step cell (nn.RNNCell, nn.LSTMCell, nn.GRUCell).
    """
    import torch
    from torch import nn
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
# Memory: the adding problem, in the variant of Arjovsky, Shah & Bengio (2016)

CELLS = ("rnn", "lstm", "gru")
CELL_LABELS = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
#: The best constant guess is E[y] = 1; its mean squared error is Var(u + v) = 2/12 for u, v ~ U(0, 1).
GUESS_ONE_MSE = 1.0 / 6.0
#: Hochreiter & Schmidhuber's (1997) original: target 0.5 + (X1 + X2)/4 with X ~ U(-1, 1): Var = (2/3)/16.
ORIGINAL_BASELINE = 1.0 / 24.0


def adding_problem(n: int, T: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """n sequences of length T: x (n, T, 2), channel 0 values ~ U(0, 1), channel 1 marks two steps, one in each
    half; y (n,) the sum of the two marked values. Always guessing 1 scores MSE 1/6 ~ 0.167."""
    import torch
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


@dataclass(frozen=True)
class AddingSettings:
    """Everything an adding-problem run depends on (hashable)."""

    T: int = 50
    hidden: int = 32
    lr: float = 1e-2
    seed: int = 0
    n_steps: int = 600
    batch: int = 64

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> AddingSettings:
        return cls(**d)


class AddingRun(_SideBySide):
    """A vanilla RNN, an LSTM and a GRU trained side by side on fresh adding-problem batches (Adam, gradient norm
    clipped to 1), a fixed ``n_steps`` mini-batches: the same settings give the same numbers on a given machine
    (another processor's rounding can change a trained run's later digits)."""

    names = CELLS

    def __init__(self, settings: AddingSettings = AddingSettings(), max_seconds: float = MAX_SECONDS) -> None:
        self.settings = settings
        self._start(settings.n_steps, max_seconds)

    @cached_property
    def gen(self) -> torch.Generator:
        """The batches' generator, made on first use (a new run loads no torch until it trains)."""
        import torch

        return torch.Generator().manual_seed(self.settings.seed + 100)

    @cached_property
    def models(self) -> dict[str, SequenceRegressor]:
        """One model per cell type, built on first use (a new run costs nothing until it trains)."""
        from nnviz.topics.skip_and_feedback.nets import SequenceRegressor
        return {c: SequenceRegressor(c, self.settings.hidden, self.settings.seed) for c in CELLS}

    @cached_property
    def opts(self) -> dict[str, torch.optim.Optimizer]:
        import torch
        return {c: torch.optim.Adam(m.parameters(), lr=self.settings.lr) for c, m in self.models.items()}

    def _losses(self) -> dict[str, float]:
        from torch import nn
        x, y = adding_problem(self.settings.batch, self.settings.T, self.gen)
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
        last = ", ".join(f"{CELL_LABELS[c]} {self.history.last(c):.3f}" for c in CELLS if len(self.history))
        return f"Step {number(self.steps)} of {number(self.max_steps)}" + (f" · MSE {last}" if last else "")


def adding_verdict(final: dict[str, float], T: int) -> str:
    """Which cells remembered (final MSE below a tenth of the baseline) and which stalled (above 0.8 of it)."""
    learned = [CELL_LABELS[c] for c in CELLS if final[c] < 0.1 * GUESS_ONE_MSE]
    stalled = [CELL_LABELS[c] for c in CELLS if final[c] > 0.8 * GUESS_ONE_MSE]
    between = [CELL_LABELS[c] for c in CELLS if CELL_LABELS[c] not in learned + stalled]

    def join(names: list[str]) -> str:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    parts = []
    if learned:
        parts.append(f"{join(learned)} got below a tenth of the baseline: {'it' if len(learned) == 1 else 'they'} "
                     f"carried the two numbers across T = {T} steps")
    if stalled:
        parts.append(f"{join(stalled)} stayed near the baseline: no better than always answering 1")
    if between:
        parts.append(f"{join(between)} beat the baseline only partly")
    return "At T = " + f"{T}: " + "; ".join(parts) + "."


def load_adding() -> tuple[dict[AddingSettings, Curves], AddingSettings | None, dict[str, np.ndarray]]:
    """The precomputed runs (settings -> curves), and the settings and Jacobians through time of the trained cells
    (empty if the file is missing)."""
    d = load_precomputed("adding")
    if d is None:
        return {}, None, {}
    runs = {AddingSettings.from_json(r["settings"]): Curves(tuple(r["steps"]), {c: tuple(v) for c, v in
                                                                                 r["curves"].items()})
            for r in d["runs"]}
    jac = d.get("trained_jacobian") or {}
    settings = AddingSettings.from_json(jac["settings"]) if jac else None
    return runs, settings, {c: np.array(jac[c]) for c in CELLS if c in jac}
