"""Several ReLU MLPs trained at once as one padded batch (torch; imported only when the experiment trains)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from nnviz.topics.regions import ReluNet


class BatchedMLP(torch.nn.Module):
    """Several ReLU MLPs of the same depth but different widths, trained at once as one padded batch.

    Network i has widths ``widths[i]``; its weights sit in the top-left corner of padded tensors
    W[l] (B, out_max, in_max) and the padding is zero. Padding stays zero under training: a padded unit has
    z = 0, ReLU'(0) = 0 in torch, so no gradient reaches it, and Adam moves nothing with a zero gradient.
    The summed loss separates, so each network trains exactly as it would alone.
    Inputs x (N, n_in) -> outputs (B, N, 1).
    Initial weights: W ~ N(0, 2 / fan_in) (He), b ~ U(-1/2, 1/2), from one seed per network.
    """

    def __init__(self, widths: Sequence[Sequence[int]], seeds: Sequence[int]) -> None:
        super().__init__()
        n_layers = len(widths[0]) - 1
        if any(len(w) - 1 != n_layers for w in widths):
            raise ValueError("BatchedMLP needs networks of equal depth.")
        self.widths = [list(w) for w in widths]
        dims = [max(w[i] for w in widths) for i in range(n_layers + 1)]
        Ws, bs = [], []
        for li in range(n_layers):
            W = torch.zeros(len(widths), dims[li + 1], dims[li])
            b = torch.zeros(len(widths), dims[li + 1])
            for i, (w, seed) in enumerate(zip(widths, seeds, strict=True)):
                g = torch.Generator().manual_seed(int(seed) * 1000 + li)
                fan_in, fan_out = w[li], w[li + 1]
                W[i, :fan_out, :fan_in] = torch.randn(fan_out, fan_in, generator=g) * math.sqrt(2.0 / fan_in)
                b[i, :fan_out] = torch.rand(fan_out, generator=g) - 0.5
            Ws.append(torch.nn.Parameter(W))
            bs.append(torch.nn.Parameter(b))
        self.W = torch.nn.ParameterList(Ws)
        self.b = torch.nn.ParameterList(bs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.unsqueeze(0).expand(len(self.widths), -1, -1)
        last = len(self.W) - 1
        for li, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            h = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2))
            if li < last:
                h = torch.relu(h)
        return h[:, :, :1]

    def network(self, i: int, input_scale: float = 1.0, input_shift: float = 0.0) -> ReluNet:
        """Network i as a ReluNet; the input map x -> scale x + shift is folded into its first layer."""
        w = self.widths[i]
        W = [self.W[li][i, : w[li + 1], : w[li]].detach().double().numpy().copy() for li in range(len(self.W))]
        b = [self.b[li][i, : w[li + 1]].detach().double().numpy().copy() for li in range(len(self.W))]
        b[0] = b[0] + W[0].sum(axis=1) * input_shift
        W[0] = W[0] * input_scale
        return ReluNet(tuple(W), tuple(b))


def losses(out: torch.Tensor, y: torch.Tensor, classification: bool) -> torch.Tensor:
    """Per-network loss (B,) for outputs (B, N, 1): logistic for classes, mean squared error otherwise."""
    if classification:
        return torch.nn.functional.binary_cross_entropy_with_logits(out, y.expand_as(out),
                                                                    reduction="none").mean(dim=(1, 2))
    return ((out - y) ** 2).mean(dim=(1, 2))
