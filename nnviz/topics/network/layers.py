"""A layer is neurons side by side; layers stacked make a network; a network is a set of functions.

Shapes: a layer from n inputs to m neurons has ``W`` (m, n) (row i is neuron i's weight vector w_i) and ``b`` (m,);
its input ``x`` is (n,), its pre-activation ``z = W x + b`` and output ``h = phi(z)`` are (m,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.activations import Phi
from nnviz.format import number, tex_number
from nnviz.mlp import count_parameters

#: Weights on the page are drawn to one decimal, so the matrix product can be read and checked by hand.
DECIMALS = 1


def random_params(sizes: tuple[int, ...], seed: int, scale: float = 1.0) -> tuple[tuple[np.ndarray, ...],
                                                                                 tuple[np.ndarray, ...]]:
    """Weights ``W_l`` (sizes[l+1], sizes[l]) and biases ``b_l`` (sizes[l+1],), N(0, scale^2), one decimal."""
    rng = np.random.default_rng(seed)
    Ws = tuple(np.round(rng.normal(0.0, scale, (m, n)), DECIMALS) for n, m in zip(sizes[:-1], sizes[1:], strict=True))
    bs = tuple(np.round(rng.normal(0.0, scale * 0.5, m), DECIMALS) for m in sizes[1:])
    return Ws, bs


def random_input(n: int, seed: int) -> np.ndarray:
    """An input x (n,) in [-1, 1], one decimal."""
    return np.round(np.random.default_rng(seed + 10_000).uniform(-1.0, 1.0, n), DECIMALS)


# ---------------------------------------------------------------------------------------------------------------
# One layer
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One layer at one input: W (m, n), b (m,), x (n,), z = W x + b (m,), h = phi(z) (m,)."""

    W: np.ndarray
    b: np.ndarray
    x: np.ndarray
    z: np.ndarray
    h: np.ndarray
    phi: Phi

    @property
    def m(self) -> int:
        return self.W.shape[0]

    @property
    def n(self) -> int:
        return self.W.shape[1]


def layer(W: np.ndarray, b: np.ndarray, x: np.ndarray, phi: Phi) -> Layer:
    """The whole layer at once: the matrix product z = W x + b, then phi element by element."""
    z = W @ x + b
    return Layer(W, b, x, z, phi.numpy(z), phi)


def neuron_z(W: np.ndarray, b: np.ndarray, x: np.ndarray, i: int) -> float:
    """Neuron i on its own, as on the previous page: z_i = w_i . x + b_i = sum_j W[i, j] x_j + b_i."""
    return float(sum(W[i, j] * x[j] for j in range(len(x))) + b[i])


def _vector(v: np.ndarray, colour_row: int | None = None) -> str:
    rows = [_coloured(tex_number(float(x)), i == colour_row) for i, x in enumerate(v)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _coloured(text: str, on: bool) -> str:
    return rf"\textcolor{{#CC79A7}}{{\mathbf{{{text}}}}}" if on else text


def layer_latex(ly: Layer, i: int) -> str:
    """The matrix product with its numbers and shapes, neuron i's row, bias and output in the highlight colour."""
    rows = [" & ".join(_coloured(tex_number(float(w)), r == i) for w in ly.W[r]) for r in range(ly.m)]
    W = r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    # two lines (W x, then + b = z -> h), so the product fits a 390 px phone
    return (rf"\begin{{aligned}} &\underbrace{{{W}}}_{{W \,\in\, \mathbb{{R}}^{{{ly.m}\times{ly.n}}}}}"
            rf"\underbrace{{{_vector(ly.x)}}}_{{x \,\in\, \mathbb{{R}}^{{{ly.n}}}}} \\ "
            rf"&+ \underbrace{{{_vector(ly.b, i)}}}_{{b \,\in\, \mathbb{{R}}^{{{ly.m}}}}} = "
            rf"\underbrace{{{_vector(ly.z, i)}}}_{{z}} \;\xrightarrow{{\;\varphi\;}}\; "
            rf"\underbrace{{{_vector(ly.h, i)}}}_{{h}} \end{{aligned}}")


def neuron_latex(ly: Layer, i: int) -> str:
    """Neuron i's own sum, w_i . x + b_i, with its numbers: the highlighted row of the product."""
    terms = [rf"({tex_number(float(w))})({tex_number(float(x))})" for w, x in zip(ly.W[i], ly.x, strict=True)]
    terms.append(f"({tex_number(float(ly.b[i]))})")
    sums = r" \\ &\qquad + ".join(" + ".join(terms[j:j + 2]) for j in range(0, len(terms), 2))  # 2 a line: a phone
    return (rf"\begin{{aligned}} h_{{{i + 1}}} &= \varphi(\mathbf w_{{{i + 1}}}\cdot \mathbf x + b_{{{i + 1}}}) \\ "
            rf"&= \varphi\big({sums}\big) \\ &= \varphi({tex_number(float(ly.z[i]))}) = "
            rf"{tex_number(float(ly.h[i]))} \end{{aligned}}")


# ---------------------------------------------------------------------------------------------------------------
# Stacking layers
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stack:
    """A fully connected network at one input: ``sizes`` (n_in, width, ..., n_out), ``Ws[l]`` (sizes[l+1],
    sizes[l]), ``bs[l]`` (sizes[l+1],), ``zs[l]`` and ``hs[l]`` (sizes[l+1],); hs[-1] is y_hat. phi on every layer."""

    sizes: tuple[int, ...]
    Ws: tuple[np.ndarray, ...]
    bs: tuple[np.ndarray, ...]
    x: np.ndarray
    zs: tuple[np.ndarray, ...]
    hs: tuple[np.ndarray, ...]
    phi: Phi

    @property
    def depth(self) -> int:
        """Number of layers L (hidden layers plus the output layer)."""
        return len(self.Ws)

    @property
    def y_hat(self) -> np.ndarray:
        return self.hs[-1]


def forward(Ws: tuple[np.ndarray, ...], bs: tuple[np.ndarray, ...], x: np.ndarray, phi: Phi) -> Stack:
    """h_1 = phi(W_1 x + b_1), h_l = phi(W_l h_{l-1} + b_l), layer by layer."""
    zs, hs, h = [], [], x
    for W, b in zip(Ws, bs, strict=True):
        z = W @ h + b
        h = phi.numpy(z)
        zs.append(z)
        hs.append(h)
    sizes = (len(x), *(len(b) for b in bs))
    return Stack(sizes, tuple(Ws), tuple(bs), x, tuple(zs), tuple(hs), phi)


def stack_sizes(n_in: int, depth: int, width: int, n_out: int = 1) -> tuple[int, ...]:
    """(n_in, width, ..., width, n_out) with ``depth`` layers in all (depth - 1 hidden layers of ``width``)."""
    return (n_in, *([width] * (depth - 1)), n_out)


def param_counts(sizes: tuple[int, ...]) -> tuple[int, ...]:
    """Parameters per layer: layer l has sizes[l+1] x sizes[l] weights and sizes[l+1] biases."""
    return tuple(sum(count_parameters((n, m))) for n, m in zip(sizes[:-1], sizes[1:], strict=True))


def _biases(m: int) -> str:
    return "bias" if m == 1 else "biases"


def nested_formula(depth: int) -> str:
    r"""y_hat = phi(W_L phi(W_{L-1} ... phi(W_1 x + b_1) ... + b_{L-1}) + b_L), LaTeX, for ``depth`` = L layers."""
    def wrap(inner: str, first: int, last: int) -> str:
        for ell in range(first, last + 1):
            inner = rf"\varphi(W_{{{ell}}}{inner} + b_{{{ell}}})"
        return inner

    if depth <= 3:
        return r"\hat y = " + wrap("x", 1, depth)
    # deeper: the first three layers named h_3 on a line of their own, so neither line is wider than a phone
    return (rf"\begin{{aligned}} \hat y &= {wrap('h_3', 4, depth)} \\ "
            rf"h_3 &= {wrap('x', 1, 3)} \end{{aligned}}")


def stack_lines(st_: Stack) -> list[str]:
    """One LaTeX line per layer with the live numbers: h_l = phi(W_l h_{l-1} + b_l) = phi(z_l) = h_l."""
    lines = []
    for ell, (z, h) in enumerate(zip(st_.zs, st_.hs, strict=True), start=1):
        prev = "x" if ell == 1 else f"h_{{{ell - 1}}}"
        name = r"\hat y" if ell == st_.depth else f"h_{{{ell}}}"
        shape = rf"W_{{{ell}}} \in \mathbb{{R}}^{{{st_.sizes[ell]}\times{st_.sizes[ell - 1]}}}"
        lines.append(rf"\begin{{aligned}} {name} &= \varphi(W_{{{ell}}}{prev} + b_{{{ell}}}), \quad {shape} \\ "
                     rf"&= \varphi\!\left({_row(z)}\right) \\ &= {_row(h)} \end{{aligned}}")  # fits a phone
    return lines


def _row(v: np.ndarray) -> str:
    return r"\begin{bmatrix}" + " & ".join(tex_number(float(x)) for x in v) + r"\end{bmatrix}^{\!\top}"


def count_sentence(sizes: tuple[int, ...]) -> str:
    """How many numbers training must set, layer by layer (from ``param_counts``)."""
    counts = param_counts(sizes)
    parts = [f"layer {ell}: {sizes[ell]}×{sizes[ell - 1]} weights + {sizes[ell]} {_biases(sizes[ell])} = {number(c)}"
             for ell, c in enumerate(counts, start=1)]
    return (f"This network has **{number(sum(counts))} parameters** ({'; '.join(parts)}). "
            "Each one is a number training has to choose.")


# ---------------------------------------------------------------------------------------------------------------
# A network is a set of functions: a tiny 1 -> 2 -> 1 network
# ---------------------------------------------------------------------------------------------------------------

#: The tiny network's parameters, in slider order: f(x) = v1 tanh(w1 x + b1) + v2 tanh(w2 x + b2) + c.
TINY_NAMES = ("w1", "b1", "w2", "b2", "v1", "v2", "c")
TINY_DEFAULT = (2.0, -1.0, -1.5, -1.0, 1.0, 1.0, 0.0)
TINY_LATEX = r"f(x) = v_1 \tanh(w_1 x + b_1) + v_2 \tanh(w_2 x + b_2) + c"


def tiny_net(params: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(x) for parameters (k, 7) or (7,) in TINY_NAMES order and inputs x (p,): (k, p) or (p,)."""
    p = np.atleast_2d(np.asarray(params, dtype=float))
    w1, b1, w2, b2, v1, v2, c = (p[:, j:j + 1] for j in range(7))
    f = v1 * np.tanh(w1 * x + b1) + v2 * np.tanh(w2 * x + b2) + c
    return f[0] if np.ndim(params) == 1 else f


def random_tiny(k: int, sigma: float, seed: int) -> np.ndarray:
    """k draws (k, 7) of the tiny network's parameters, each N(0, sigma^2)."""
    return np.random.default_rng(seed).normal(0.0, sigma, (k, len(TINY_NAMES)))


def functions_sentence(xs: np.ndarray, draws: np.ndarray) -> str:
    """What the bundle of random draws (k, p) over ``xs`` (p,) shows: k functions, the spread at both ends."""
    k = draws.shape[0]
    lo0, hi0 = float(draws[:, 0].min()), float(draws[:, 0].max())
    lo1, hi1 = float(draws[:, -1].min()), float(draws[:, -1].max())
    return (f"{number(k)} draws of the same 7 parameters give {number(k)} different functions: at x = "
            f"{number(float(xs[0]))} they range from {number(lo0)} to {number(hi0)}, at x = {number(float(xs[-1]))} "
            f"from {number(lo1)} to {number(hi1)}. The architecture fixes the set; training picks one member.")
