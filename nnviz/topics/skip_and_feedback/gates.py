"""The gated cells the adding problem trains (torch's nn.LSTM and nn.GRU), gate by gate, and a diffusion model's
sampling step: each equation the page shows is written here once, as LaTeX beside the numpy line that computes it.

A gate is described once (``Gate``): its symbol, the weight block it uses and its activation; ``gate_latex``
writes the equation from that description and ``gate_value`` computes it from the same description, so the page
cannot show one formula while the code runs another. Weight layout is torch's: ``weight_ih`` (k n, m) and
``weight_hh`` (k n, n) stack the k gates' blocks in the order of ``LSTM_GATES`` / ``GRU_GATES`` (LSTM: i, f, g, o;
GRU: r, z, n); ``bias_ih``, ``bias_hh`` (k n,). States h, c (n,), input x (m,). Pure numpy, no streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Gate:
    """One gate: ``symbol`` (i, f, ...), what it does (``name``), its block in torch's stacked weights, its
    activation ("sigmoid" or "tanh") and, for the GRU's candidate, the gate that multiplies the recurrent part."""

    symbol: str
    name: str
    block: int
    phi: str
    inner: str | None = None  # the GRU's n: tanh(W_in x + b_in + r * (W_hn h + b_hn))


LSTM_GATES = (
    Gate("i", "input gate: how much of the candidate to write", 0, "sigmoid"),
    Gate("f", "forget gate: how much of the old cell state to keep", 1, "sigmoid"),
    Gate("g", "candidate: what could be written", 2, "tanh"),
    Gate("o", "output gate: how much of the cell state to show", 3, "sigmoid"),
)
GRU_GATES = (
    Gate("r", "reset gate: how much of the old state the candidate sees", 0, "sigmoid"),
    Gate("z", "update gate: how much of the old state to keep", 1, "sigmoid"),
    Gate("n", "candidate: the new state on offer", 2, "tanh", inner="r"),
)
#: The state updates, beside the numpy lines in ``lstm_step`` / ``gru_step`` that compute them.
LSTM_UPDATES = (r"c_t = f_t \odot c_{t-1} + i_t \odot g_t", r"h_t = o_t \odot \tanh(c_t)")
GRU_UPDATES = (r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}",)

_PHI_TEX = {"sigmoid": r"\sigma", "tanh": r"\tanh"}
_PHI_NP = {"sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "tanh": np.tanh}


def gate_latex(gate: Gate) -> str:
    """The gate's equation, e.g. f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf)."""
    s = gate.symbol
    x_part = rf"W_{{i{s}}}\, x_t + b_{{i{s}}}"
    h_part = rf"W_{{h{s}}}\, h_{{t-1}} + b_{{h{s}}}"
    if gate.inner:
        h_part = rf"{gate.inner}_t \odot \big({h_part}\big)"
    return rf"{s}_t = {_PHI_TEX[gate.phi]}\big({x_part} + {h_part}\big)"


def _block(w: np.ndarray, gate: Gate, n: int) -> np.ndarray:
    return w[gate.block * n:(gate.block + 1) * n]


def gate_value(gate: Gate, params: Mapping[str, np.ndarray], x: np.ndarray, h: np.ndarray,
               gates: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """The gate's activation (n,) from torch-layout ``params`` (weight_ih, weight_hh, bias_ih, bias_hh), exactly as
    ``gate_latex`` writes it; ``gates`` holds the gates computed so far (the GRU's candidate needs r)."""
    n = len(h)
    x_part = _block(params["weight_ih"], gate, n) @ x + _block(params["bias_ih"], gate, n)
    h_part = _block(params["weight_hh"], gate, n) @ h + _block(params["bias_hh"], gate, n)
    if gate.inner:
        h_part = gates[gate.inner] * h_part
    return _PHI_NP[gate.phi](x_part + h_part)


def lstm_step(params: Mapping[str, np.ndarray], x: np.ndarray, h: np.ndarray, c: np.ndarray
              ) -> dict[str, np.ndarray]:
    """One LSTM step: every gate (i, f, g, o) and the new c_t, h_t, all (n,)."""
    out = {g.symbol: gate_value(g, params, x, h) for g in LSTM_GATES}
    out["c"] = out["f"] * c + out["i"] * out["g"]  # c_t = f_t * c_{t-1} + i_t * g_t
    out["h"] = out["o"] * np.tanh(out["c"])  # h_t = o_t * tanh(c_t)
    return out


def gru_step(params: Mapping[str, np.ndarray], x: np.ndarray, h: np.ndarray) -> dict[str, np.ndarray]:
    """One GRU step: every gate (r, z, n) and the new h_t, all (n,)."""
    out: dict[str, np.ndarray] = {}
    for g in GRU_GATES:
        out[g.symbol] = gate_value(g, params, x, h, out)
    out["h"] = (1.0 - out["z"]) * out["n"] + out["z"] * h  # h_t = (1 - z_t) * n_t + z_t * h_{t-1}
    return out


# --------------------------------------------------------------------------------------------------
# A diffusion model's denoiser in its sampling loop (Ho, Jain & Abbeel 2020, DDPM)

DIFFUSION_FORWARD = r"x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\;\varepsilon,\qquad " \
                    r"\varepsilon \sim \mathcal{N}(0, I),\quad \bar\alpha_t = \prod_{s=1}^{t} (1-\beta_s)"
DIFFUSION_LOSS = r"L = \big\|\varepsilon - \varepsilon_\theta(x_t, t)\big\|^2"
DIFFUSION_STEP = (r"x_{t-1} = \frac{1}{\sqrt{1-\beta_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,"
                  r"\varepsilon_\theta(x_t, t)\Big) + \sigma_t z,\qquad z \sim \mathcal{N}(0, I)")


def alpha_bar(betas: np.ndarray) -> np.ndarray:
    """abar_t = prod_{s <= t} (1 - beta_s), (T,) for betas (T,) (index t - 1)."""
    return np.cumprod(1.0 - np.asarray(betas, dtype=np.float64))


def noised(x0: np.ndarray, eps: np.ndarray, t: int, betas: np.ndarray) -> np.ndarray:
    """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (DIFFUSION_FORWARD), t = 1..T; x0, eps (d,)."""
    ab = alpha_bar(betas)[t - 1]
    return np.sqrt(ab) * x0 + np.sqrt(1.0 - ab) * eps


def sampling_step(x_t: np.ndarray, eps_hat: np.ndarray, t: int, betas: np.ndarray, z: np.ndarray,
                  sigma: float) -> np.ndarray:
    """x_{t-1} from x_t and the denoiser's predicted noise eps_hat (DIFFUSION_STEP); all (d,)."""
    beta = float(betas[t - 1])
    ab = alpha_bar(betas)[t - 1]
    return (x_t - beta / np.sqrt(1.0 - ab) * eps_hat) / np.sqrt(1.0 - beta) + sigma * z


def posterior_mean(x0: np.ndarray, x_t: np.ndarray, t: int, betas: np.ndarray) -> np.ndarray:
    """The mean of q(x_{t-1} | x_t, x_0), the closed form the sampling step estimates (t >= 2); (d,)."""
    ab = alpha_bar(betas)
    beta, ab_t, ab_prev = float(betas[t - 1]), ab[t - 1], ab[t - 2]
    return (np.sqrt(ab_prev) * beta / (1 - ab_t)) * x0 + (np.sqrt(1 - beta) * (1 - ab_prev) / (1 - ab_t)) * x_t
