"""Which machine's rounding a stored training run carries.

Training amplifies rounding. A network that trains smoothly ends within a few float32 ulps of the same numbers
on any processor, but a chaotic one (a 50-layer plain stack, say) does not: the same code, seeds and settings
gave a loss of 0.342 on one processor and 0.360 on another after ten steps, because the matrix library and
torch's kernels pick different code paths, and sum in different orders, on different processors and thread
counts. So a stored run records ``fingerprint()`` of the machine that computed it, and a test that checks a live
run against it expects the same digits only where the fingerprint is the same.

The fingerprint is not a guess from the processor's name: it is a digest of the exact bits of a small float32
computation made of the kernels those trainings use (matrix products at their shapes, forward and backward,
the activation functions, a mean-squared and a cross-entropy loss, an Adam step), on the compute threads the
app uses. Two machines with the same fingerprint computed that sample identically.
"""

from __future__ import annotations

import functools
import hashlib

#: (batch, inputs, width) of the canary's layers: the shapes the stored trainings multiply.
SHAPES = ((256, 2, 32), (200, 24, 24), (256, 1, 8), (64, 32, 5))


@functools.cache
def fingerprint() -> str:
    """A 16-hex-digit digest of torch's version, its thread count and the bits of the canary computation."""
    import torch

    from nnviz import threads

    threads.bound()
    digest = hashlib.sha256(f"{torch.__version__} threads={torch.get_num_threads()}".encode())
    for tensor in _canary(torch):
        digest.update(tensor.detach().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _canary(torch) -> list:
    """Two-layer networks at each of ``SHAPES`` after one Adam step: their losses, gradients and weights."""
    out = []
    g = torch.Generator().manual_seed(0)
    for n, d_in, width in SHAPES:
        x = torch.randn(n, d_in, generator=g)
        y = torch.rand(n, 1, generator=g)
        hidden = torch.nn.Linear(d_in, width)
        head = torch.nn.Linear(width, 1)
        for p in (*hidden.parameters(), *head.parameters()):
            p.data = torch.randn(p.shape, generator=g) / d_in**0.5
        params = [*hidden.parameters(), *head.parameters()]
        opt = torch.optim.Adam(params, lr=1e-3)
        z = hidden(x)
        h = torch.tanh(z) + torch.relu(z) + torch.sigmoid(z)
        out_ = head(h)
        loss = torch.nn.functional.mse_loss(out_, y) + torch.nn.functional.binary_cross_entropy_with_logits(out_, y)
        opt.zero_grad()
        loss.backward()
        out.extend([loss, *(p.grad for p in params)])
        opt.step()
        out.extend(params)
    return out


def same_machine(stored: str | None) -> bool:
    """Whether a stored run's fingerprint is this machine's (False for a file written before fingerprints)."""
    return stored == fingerprint()
