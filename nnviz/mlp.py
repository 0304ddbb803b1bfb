"""Fully connected networks, built the way the lecture draws them: a list of layer widths and one phi.

``widths = [n_in, h_1, ..., h_L, n_out]``: layer l maps h_{l-1} to h_l by W_l (h_l x h_{l-1}) and b_l (h_l).
The activation phi (from the registry) follows every hidden layer; the output layer is linear unless
``out_activation`` is given.

Counting needs no torch, so torch is imported only where a network is built: a page that only counts
(the playground's header, the depth page's counting tab) does not pay its import. ``numpy_linear`` draws one
layer's initial weights from the same distributions as torch (``init_linear``) with a numpy Generator, for
pages that evaluate an untrained network without torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

INITS = ("xavier", "he", "default")


def count_parameters(widths: Sequence[int]) -> tuple[int, int]:
    """(weights, biases) of a fully connected network: sum of h_{l-1}*h_l, and sum of h_l for l >= 1.

    [3, 9, 2] has 3*9 + 9*2 = 45 weights (connections) and 9 + 2 = 11 biases.
    """
    weights = sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=False))
    biases = sum(widths[1:])
    return weights, biases


def init_linear(layer: nn.Linear, init: str, gain: float = 1.0) -> None:
    """Initialise W of one layer: Xavier (Glorot) uniform, He (Kaiming) normal, or torch's default; b = 0."""
    from torch import nn

    if init == "xavier":
        nn.init.xavier_uniform_(layer.weight, gain=gain)
    elif init == "he":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    elif init != "default":
        raise ValueError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")
    if init != "default":
        nn.init.zeros_(layer.bias)


def init_bounds(n_in: int, n_out: int, init: str) -> tuple[str, float, float]:
    """How ``init_linear`` draws one layer with fan_in = n_in, fan_out = n_out: (law of W, its scale, bias bound).

    law "uniform": W ~ U(-scale, scale); law "normal": W ~ N(0, scale^2); biases ~ U(-bound, bound) (bound 0: b = 0).
    - "xavier": torch's xavier_uniform_ (gain 1), scale = sqrt(6 / (fan_in + fan_out)), b = 0.
    - "he": torch's kaiming_normal_(nonlinearity="relu", mode="fan_in"), scale = sqrt(2 / fan_in), b = 0.
    - "default": nn.Linear.reset_parameters, kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / (1 + 5)), scale =
      gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in); bias ~ U(-1 / sqrt(fan_in), 1 / sqrt(fan_in)).
    """
    if init == "xavier":
        return "uniform", float(np.sqrt(6.0 / (n_in + n_out))), 0.0
    if init == "he":
        return "normal", float(np.sqrt(2.0 / n_in)), 0.0
    if init == "default":
        bound = 1.0 / float(np.sqrt(n_in))
        return "uniform", bound, bound
    raise ValueError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")


def numpy_linear(n_in: int, n_out: int, init: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """W (n_out, n_in) and b (n_out,) in float64, drawn (W first) from ``init_linear``'s distribution for ``init``.

    The same distributions as torch, not the same numbers: torch's generator is not numpy's.
    """
    law, scale, bound = init_bounds(n_in, n_out, init)
    W = rng.uniform(-scale, scale, (n_out, n_in)) if law == "uniform" else rng.normal(0.0, scale, (n_out, n_in))
    b = rng.uniform(-bound, bound, n_out) if bound > 0 else np.zeros(n_out)
    return W, b


def build_mlp(
    widths: Sequence[int],
    phi: str | Sequence[str] = "tanh",
    *,
    seed: int = 0,
    init: str = "default",
    out_activation: str | None = None,
    phi_params: dict[str, float] | None = None,
    dtype: torch.dtype | None = None,
) -> nn.Sequential:
    """An MLP ``Linear, phi, Linear, phi, ..., Linear`` with reproducible initial weights (float32 by default).

    ``phi`` is one registry key for every hidden layer, or one key per hidden layer.
    The same ``seed`` always gives the same initial weights, without touching torch's global RNG.
    """
    import torch
    from torch import nn

    from nnviz import activations

    if len(widths) < 2:
        raise ValueError("A network needs at least an input and an output width.")
    n_hidden = len(widths) - 2
    phis = [phi] * n_hidden if isinstance(phi, str) else list(phi)
    if len(phis) != n_hidden:
        raise ValueError(f"Got {len(phis)} activations for {n_hidden} hidden layers.")
    layers: list[nn.Module] = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=False)):
            linear = nn.Linear(n_in, n_out, dtype=dtype or torch.float32)
            init_linear(linear, init)
            layers.append(linear)
            if i < n_hidden:
                layers.append(activations.module(phis[i], **(phi_params or {})))
    if out_activation is not None:
        layers.append(activations.module(out_activation))
    return nn.Sequential(*layers)


def linear_layers(model: nn.Sequential) -> list[nn.Linear]:
    """The Linear layers of a network, input to output."""
    from torch import nn

    return [m for m in model if isinstance(m, nn.Linear)]
