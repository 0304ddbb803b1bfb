"""The torch networks of the skip-and-feedback page: ``Stack`` (a deep plain or residual MLP) and
``SequenceRegressor`` (an RNN, LSTM or GRU with a linear read-out).

Kept apart from ``residual`` and ``recurrent`` so that those modules (settings, results, the sentences about them,
numpy maths) import no torch: a first visit to the page draws precomputed and numpy results and never loads it.
"""

from __future__ import annotations

import torch
from torch import nn

from nnviz import mlp
from nnviz.activations import Phi

Tensor = torch.Tensor
RELU = Phi("relu")


class Stack(nn.Module):
    """A deep fully connected stack with or without skip connections.

    ``x (n, n_in) -> h_0 = W_in x + b_in -> L hidden layers -> y = W_out phi(h_L) + b_out (n, n_out)``.
    Plain layer: ``h_l = W_l phi(BN(h_{l-1})) + b_l``; residual layer: ``h_l = h_{l-1} + alpha * (W_l phi(BN(
    h_{l-1})) + b_l)``. ``BN`` (batch norm) is present only when ``batch_norm`` is True, in every hidden layer
    but the first: h_0 is an affine image of the input, and normalising it would undo ``b_in`` (for a 1-D input
    it would put every unit's kink at the same x). ``input_bias_std`` > 0 draws b_in ~ N(0, std^2) instead of 0.
    """

    def __init__(self, n_in: int, width: int, depth: int, n_out: int = 1, *, phi: Phi = RELU,
                 residual: bool = False, alpha: float = 1.0, init: str = "he", batch_norm: bool = False,
                 seed: int = 0, dtype: torch.dtype = torch.float32, input_bias_std: float = 0.0) -> None:
        super().__init__()
        self.residual, self.alpha, self.phi_value = residual, alpha, phi
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.inp = nn.Linear(n_in, width, dtype=dtype)
            mlp.init_linear(self.inp, init)
            if input_bias_std > 0:
                with torch.no_grad():
                    self.inp.bias.normal_(0.0, input_bias_std)
            self.layers = nn.ModuleList(nn.Linear(width, width, dtype=dtype) for _ in range(depth))
            for layer in self.layers:
                mlp.init_linear(layer, init)
            self.norms = nn.ModuleList(
                nn.BatchNorm1d(width, momentum=None, dtype=dtype) if batch_norm and l > 0 else nn.Identity()
                for l in range(depth))
            self.out = nn.Linear(width, n_out, dtype=dtype)
            mlp.init_linear(self.out, init)
        self.phi = phi.module()

    def hidden(self, x: Tensor) -> list[Tensor]:
        """Every hidden state ``[h_0, h_1, ..., h_L]``, each (n, width)."""
        h = self.inp(x)
        hs = [h]
        for layer, norm in zip(self.layers, self.norms, strict=True):
            branch = layer(self.phi(norm(h)))
            h = h + self.alpha * branch if self.residual else branch
            hs.append(h)
        return hs

    def readout(self, h_last: Tensor) -> Tensor:
        """y = W_out phi(h_L) + b_out."""
        return self.out(self.phi(h_last))

    def forward(self, x: Tensor) -> Tensor:
        return self.readout(self.hidden(x)[-1])

    def extra_repr(self) -> str:
        kind = f"residual, alpha={self.alpha:.3g}" if self.residual else "plain"
        return f"{kind}, phi={self.phi_value.key}, depth={len(self.layers)}"



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

