"""The activation registry: every activation function nnviz knows, in one place.

Each entry is a small record (like TensorFlow Playground's ``{output, der}`` pairs, but with the facts
a lecture states about it): a torch implementation, its LaTeX formula, its parameters and its
properties. ``dphi`` asks torch autograd, the ground truth; the numpy closed forms (``Phi.numpy``,
``Phi.dnumpy``: the gallery and the numpy trainers, no torch) are tested equal to it, kinks included.

Every page picks from this registry (the single neuron, the fitter, the playground), so adding an
activation here adds it everywhere.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported where a torch form is first used, not with the registry (a page that only
    from torch import Tensor, nn  # draws numpy curves, and the home page, never load it)


@dataclass(frozen=True)
class Param:
    """A tunable constant of an activation, e.g. leaky ReLU's slope alpha."""

    name: str  # the symbol, as in the formula: "alpha", "beta"
    default: float
    low: float
    high: float
    help: str = ""


@dataclass(frozen=True)
class Activation:
    """One activation function phi and what a lecture says about it.

    ``fn(z, **params)`` maps a tensor of any shape to one of the same shape.
    """

    key: str  # stable identifier used in URLs and code: "relu"
    label: str  # display name: "ReLU"
    latex: str  # the formula, LaTeX, in terms of z
    output_range: str  # LaTeX, e.g. "(0, 1)"
    monotonic: bool  # non-decreasing over the whole real line (at default parameters)
    zero_centred: bool  # phi(0) = 0 and outputs centred on zero: E[phi(z)] = 0 for z ~ N(0, 1) (within 0.05)
    smooth: bool  # continuously differentiable everywhere (at default parameters)
    saturating: str  # "no", "left" (phi' -> 0 as z -> -inf) or "both"
    universal: bool  # a one-hidden-layer network with it is a universal approximator
    universal_reason: str
    origin: str  # where it comes from: paper, year
    params: tuple[Param, ...] = field(default_factory=tuple)
    phi0: float | None = None  # phi(0) at default parameters
    dphi0: float | None = None  # phi'(0) at default parameters; nan where phi has a kink or a jump at 0

    @property
    def fn(self) -> Callable[..., Tensor]:
        """The torch implementation ``fn(z, **params)`` (imports torch on first use)."""
        return _torch_forms()[self.key]

    def defaults(self) -> dict[str, float]:
        """The default value of each parameter, by name."""
        return {p.name: p.default for p in self.params}

    def bind(self, **params: float) -> Callable[[Tensor], Tensor]:
        """phi with its parameters fixed: a function Tensor -> Tensor."""
        values = self.defaults() | {k: v for k, v in params.items() if k in self.defaults()}
        return lambda z: self.fn(z, **values)


_NON_POLY = "locally bounded, piecewise continuous and not a polynomial (Leshno et al. 1993)"
_SIGMOIDAL = ("continuous and sigmoidal: bounded, with two distinct finite limits (Cybenko 1989, up to scale and "
              "shift); also not a polynomial (Leshno et al. 1993)")
_STEP = ("discontinuous, so not Cybenko's continuous sigmoid; but locally bounded, piecewise continuous and not a "
         "polynomial (Leshno et al. 1993); Nielsen's visual proof builds with steps")

_ACTIVATIONS: tuple[Activation, ...] = (
    Activation(
        "step", "Unit step", r"H(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
        r"\{0, 1\}", True, False, False, "both", True, _STEP,
        "McCulloch & Pitts 1943; Rosenblatt's perceptron 1958",
        phi0=0.0, dphi0=math.nan,
    ),
    Activation(
        "linear", "Linear", r"\varphi(z) = z", r"(-\infty, \infty)", True, True, True, "no",
        False, "a polynomial: any stack of linear layers is one linear map", "Widrow & Hoff, ADALINE 1960",
        phi0=0.0, dphi0=1.0,
    ),
    Activation(
        "sigmoid", "Sigmoid", r"\sigma(z) = \frac{1}{1 + e^{-z}}", "(0, 1)", True, False, True,
        "both", True, _SIGMOIDAL, "logistic function; Rumelhart, Hinton & Williams 1986",
        phi0=0.5, dphi0=0.25,
    ),
    Activation(
        "tanh", "tanh", r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}", "(-1, 1)", True, True,
        True, "both", True, _SIGMOIDAL, "LeCun et al., Efficient BackProp 1998",
        phi0=0.0, dphi0=1.0,
    ),
    Activation(
        "relu", "ReLU", r"\mathrm{ReLU}(z) = \max(0, z)", r"[0, \infty)", True, False, False, "left",
        True, _NON_POLY, "Nair & Hinton 2010; Glorot, Bordes & Bengio 2011",
        phi0=0.0, dphi0=math.nan,
    ),
    Activation(
        "leaky_relu", "Leaky ReLU", r"\varphi(z) = \max(\alpha z, z)",
        r"(-\infty, \infty)", True, False, False, "no", True, _NON_POLY,
        "Maas, Hannun & Ng 2013",
        (Param("alpha", 0.01, 0.0, 0.5, "slope for z < 0"),),
        phi0=0.0, dphi0=math.nan,
    ),
    Activation(
        "elu", "ELU", r"\varphi(z) = \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}",
        r"(-\alpha, \infty)", True, False, True, "left", True, _NON_POLY,
        "Clevert, Unterthiner & Hochreiter 2015",
        (Param("alpha", 1.0, 0.1, 3.0, "value approached as z -> -inf is -alpha"),),
        phi0=0.0, dphi0=1.0,
    ),
    Activation(
        "selu", "SELU",
        r"\varphi(z) = \lambda \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases},\;"
        r"\lambda \approx 1.0507,\ \alpha \approx 1.6733",
        r"(-\lambda\alpha, \infty)", True, True, False, "left", True, _NON_POLY,
        "Klambauer et al., self-normalising networks 2017",
        phi0=0.0, dphi0=math.nan,
    ),
    Activation(
        "gelu", "GELU", r"\mathrm{GELU}(z) = z\,\Phi(z)", r"[\approx -0.17, \infty)", False, False, True,
        "left", True, _NON_POLY, "Hendrycks & Gimpel 2016",
        phi0=0.0, dphi0=0.5,
    ),
    Activation(
        "silu", "SiLU / Swish", r"\mathrm{SiLU}(z) = z\,\sigma(z)", r"[\approx -0.28, \infty)", False,
        False, True, "left", True, _NON_POLY, "Elfwing et al. 2017; Ramachandran et al. (Swish) 2017",
        phi0=0.0, dphi0=0.5,
    ),
    Activation(
        "mish", "Mish", r"\mathrm{Mish}(z) = z \tanh(\mathrm{softplus}(z))", r"[\approx -0.31, \infty)",
        False, False, True, "left", True, _NON_POLY, "Misra 2019",
        phi0=0.0, dphi0=math.tanh(math.log(2.0)),
    ),
    Activation(
        "softplus", "Softplus", r"\varphi(z) = \tfrac{1}{\beta} \ln(1 + e^{\beta z})",
        r"(0, \infty)", True, False, True, "left", True,
        _NON_POLY, "Dugas et al. 2001",
        (Param("beta", 1.0, 0.1, 10.0, "sharpness: large beta approaches ReLU"),),
        phi0=math.log(2.0), dphi0=0.5,
    ),
    Activation(
        "hard_sigmoid", "Hard sigmoid", r"\varphi(z) = \min(1, \max(0, \tfrac{z}{6} + \tfrac{1}{2}))",
        "[0, 1]", True, False, False, "both", True, _SIGMOIDAL,
        "Courbariaux et al. 2015; this form: Howard et al., MobileNetV3 2019",
        phi0=0.5, dphi0=1.0 / 6.0,
    ),
    Activation(
        "hard_tanh", "Hard tanh", r"\varphi(z) = \min(1, \max(-1, z))", "[-1, 1]", True, True, False,
        "both", True, _SIGMOIDAL, "Collobert 2004",
        phi0=0.0, dphi0=1.0,
    ),
    Activation(
        "relu6", "ReLU6", r"\varphi(z) = \min(6, \max(0, z))", "[0, 6]", True, False, False, "both", True,
        _SIGMOIDAL, "Krizhevsky 2010; MobileNet 2017",
        phi0=0.0, dphi0=math.nan,
    ),
    Activation(
        "softsign", "Softsign", r"\varphi(z) = \frac{z}{1 + |z|}", "(-1, 1)", True, True, True, "both",
        True, _SIGMOIDAL, "Bergstra et al. 2009",
        phi0=0.0, dphi0=1.0,
    ),
    Activation(
        "sine", "Sine", r"\varphi(z) = \sin(z)", "[-1, 1]", False, True, True, "no", True, _NON_POLY,
        "Sitzmann et al., SIREN 2020",
        phi0=0.0, dphi0=1.0,
    ),
    Activation(
        "gaussian", "Gaussian", r"\varphi(z) = e^{-z^2}", "(0, 1]", False, False,
        True, "both", True, _NON_POLY + "; radial basis functions, Broomhead & Lowe 1988",
        "Broomhead & Lowe 1988 (RBF networks)",
        phi0=1.0, dphi0=0.0,
    ),
)

REGISTRY: dict[str, Activation] = {a.key: a for a in _ACTIVATIONS}


@functools.cache
def _torch_forms() -> dict[str, Callable[..., Tensor]]:
    """Each activation's torch implementation ``fn(z, **params)``, built (and torch imported) on first use."""
    import torch
    import torch.nn.functional as F

    class HeavisideFn(torch.autograd.Function):
        """The unit step H(z) = 1 if z > 0 else 0, whose derivative is 0 almost everywhere.

        torch.heaviside has no autograd rule; this one returns the true a.e. derivative (zero), which is
        exactly why gradient descent cannot learn through a step.
        """

        @staticmethod
        def forward(ctx, z: Tensor) -> Tensor:  # noqa: D401
            return (z > 0).to(z.dtype)

        @staticmethod
        def backward(ctx, grad_out: Tensor) -> Tensor:
            return torch.zeros_like(grad_out)

    forms: dict[str, Callable[..., Tensor]] = {
        "step": HeavisideFn.apply,
        "linear": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda z, alpha: F.leaky_relu(z, alpha),
        "elu": lambda z, alpha: F.elu(z, alpha),
        "selu": F.selu,
        "gelu": F.gelu,
        "silu": F.silu,
        "mish": F.mish,
        "softplus": lambda z, beta: F.softplus(z, beta=beta, threshold=20.0),
        "hard_sigmoid": F.hardsigmoid,
        "hard_tanh": F.hardtanh,
        "relu6": F.relu6,
        "softsign": F.softsign,
        "sine": torch.sin,
        "gaussian": lambda z: torch.exp(-(z**2)),
    }
    assert forms.keys() == REGISTRY.keys()
    return forms



def names() -> list[str]:
    """Keys of every registered activation, in display order."""
    return list(REGISTRY)


def get(key: str) -> Activation:
    """The registry entry for ``key``; a ValueError in plain words if there is none."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise ValueError(f"Unknown activation {key!r}; choose one of {', '.join(REGISTRY)}.") from None


def label(key: str) -> str:
    """Display name of an activation key (for select boxes)."""
    return get(key).label


def phi(key: str, z: np.ndarray | float, **params: float) -> np.ndarray:
    """phi(z) evaluated in float64 by the torch form; z any shape, result the same shape."""
    import torch

    z_t = torch.as_tensor(np.asarray(z, dtype=np.float64))
    with torch.no_grad():
        return get(key).bind(**params)(z_t).numpy()


def dphi(key: str, z: np.ndarray | float, **params: float) -> np.ndarray:
    """phi'(z) from torch autograd, in float64; z any shape, result the same shape."""
    import torch

    z_t = torch.as_tensor(np.asarray(z, dtype=np.float64)).clone().requires_grad_(True)
    y = get(key).bind(**params)(z_t)
    (grad,) = torch.autograd.grad(y.sum(), z_t, allow_unused=True)
    if grad is None:  # phi does not depend on z through a differentiable path
        grad = torch.zeros_like(z_t)
    return grad.detach().numpy()


@functools.cache
def _phi_module_class() -> type:
    from torch import nn

    class PhiModule(nn.Module):
        """An activation from the registry as a torch module, for building networks."""

        def __init__(self, key: str, **params: float) -> None:
            super().__init__()
            self.key = key
            self.params = get(key).defaults() | params
            self._fn = get(key).bind(**self.params)

        def forward(self, z: Tensor) -> Tensor:
            return self._fn(z)

        def extra_repr(self) -> str:
            extra = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
            return self.key + (f", {extra}" if extra else "")

    PhiModule.__module__ = __name__
    return PhiModule


def __getattr__(name: str) -> object:
    """``activations.PhiModule``, the torch module class, made when first asked for (it needs torch)."""
    if name == "PhiModule":
        return _phi_module_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def module(key: str, **params: float) -> nn.Module:
    """phi as an ``nn.Module`` (for ``nn.Sequential``)."""
    return _phi_module_class()(key, **params)


# ---------------------------------------------------------------------------------------------------------------
# numpy forms: (phi(z), dphi(z, a)) with a = phi(z), for plain evaluation on grids and the numpy trainer.
# Each is checked against the torch registry and autograd in tests/test_activations.py.
# ---------------------------------------------------------------------------------------------------------------

_SELU_L, _SELU_A = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
NpForm = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray], np.ndarray]]


def sigmoid_np(z: np.ndarray) -> np.ndarray:
    """The logistic sigmoid in numpy, overflow-free (scipy's expit, 3x faster than a numpy two-branch form).

    z is clipped to [-700, 700] first: beyond it expit's result is a subnormal float, which is slow to compute
    and no different from 0 or 1 on any figure (sigma(700) = 1 - 1e-304)."""
    from scipy.special import expit  # loaded at server start by nnviz.warmup, so no visitor pays its import

    return expit(np.clip(z, -700.0, 700.0))


def _np_softplus(z: np.ndarray, beta: float) -> np.ndarray:
    bz = beta * z
    return np.where(bz > 20.0, z, np.logaddexp(0.0, bz) / beta)


def _np_cdf(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(z)


@functools.lru_cache(maxsize=256)
def _numpy_form(key: str, params: tuple[tuple[str, float], ...]) -> NpForm | None:
    p = dict(params)
    alpha, beta = p.get("alpha", 0.0), p.get("beta", 1.0)
    sig, sp = sigmoid_np, _np_softplus
    table: dict[str, NpForm] = {
        "step": (lambda z: (z > 0).astype(np.float64), lambda z, a: np.zeros_like(z)),
        "linear": (lambda z: np.array(z, dtype=np.float64, copy=True), lambda z, a: np.ones_like(z)),
        "sigmoid": (sig, lambda z, a: a * (1.0 - a)),
        "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
        "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(np.float64)),
        "leaky_relu": (lambda z: np.where(z > 0, z, alpha * z), lambda z, a: np.where(z > 0, 1.0, alpha)),
        "elu": (lambda z: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))),
                lambda z, a: np.where(z > 0, 1.0, a + alpha)),
        "selu": (lambda z: _SELU_L * np.where(z > 0, z, _SELU_A * np.expm1(np.minimum(z, 0.0))),
                 lambda z, a: np.where(z > 0, _SELU_L, a + _SELU_L * _SELU_A)),
        "gelu": (lambda z: z * _np_cdf(z), lambda z, a: _np_cdf(z) + z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)),
        "silu": (lambda z: z * sig(z), lambda z, a: sig(z) * (1.0 + z * (1.0 - sig(z)))),
        "mish": (lambda z: z * np.tanh(sp(z, 1.0)),
                 lambda z, a: np.tanh(sp(z, 1.0)) + z * (1.0 - np.tanh(sp(z, 1.0)) ** 2)
                 * np.where(z > 20.0, 1.0, sig(z))),
        "softplus": (lambda z: sp(z, beta), lambda z, a: np.where(beta * z > 20.0, 1.0, sig(beta * z))),
        "hard_sigmoid": (lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0),
                         lambda z, a: np.where((z > -3.0) & (z < 3.0), 1.0 / 6.0, 0.0)),
        "hard_tanh": (lambda z: np.clip(z, -1.0, 1.0), lambda z, a: ((z > -1.0) & (z < 1.0)).astype(np.float64)),
        "relu6": (lambda z: np.clip(z, 0.0, 6.0), lambda z, a: ((z > 0.0) & (z < 6.0)).astype(np.float64)),
        "softsign": (lambda z: z / (1.0 + np.abs(z)), lambda z, a: 1.0 / (1.0 + np.abs(z)) ** 2),
        "sine": (np.sin, lambda z, a: np.cos(z)),
        "gaussian": (lambda z: np.exp(-z * z), lambda z, a: -2.0 * z * a),
    }
    return table.get(key)


_SYMBOLS = {"alpha": "α", "beta": "β"}


@dataclass(frozen=True)
class Phi:
    """THE activation value every page, trainer and cache key uses: a registry key plus its parameters.

    Hashable and comparable (``params`` is a sorted tuple of (name, value) over the activation's declared
    parameters, defaults filled in), so it is a cache key as it stands. ``Phi("leaky_relu", alpha=0.1)``.
    """

    key: str
    params: tuple[tuple[str, float], ...] = ()

    def __init__(self, key: str, params: Mapping[str, float] | tuple = (), **kw: float) -> None:
        spec = get(key)  # a ValueError in plain words for an unknown key
        given = dict(params) | kw
        values = spec.defaults() | {k: float(v) for k, v in given.items() if k in spec.defaults()}
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(sorted(values.items())))

    @property
    def spec(self) -> Activation:
        """The registry entry."""
        return get(self.key)

    @property
    def kwargs(self) -> dict[str, float]:
        """The parameters by name."""
        return dict(self.params)

    @property
    def label(self) -> str:
        """Display name, with parameters where they differ from the defaults: "Leaky ReLU (alpha = 0.1)"."""
        changed = [f"{_SYMBOLS.get(k, k)} = {v:g}" for k, v in self.params if v != self.spec.defaults()[k]]
        return self.spec.label + (f" ({', '.join(changed)})" if changed else "")

    @property
    def latex(self) -> str:
        """The formula, LaTeX, in terms of z."""
        return self.spec.latex

    def torch(self, z: Tensor) -> Tensor:
        """phi(z) on a tensor (differentiable where phi is)."""
        return self.spec.fn(z, **self.kwargs)

    def module(self) -> nn.Module:
        """phi as an ``nn.Module``."""
        return _phi_module_class()(self.key, **self.kwargs)

    def numpy(self, z: np.ndarray | float) -> np.ndarray:
        """phi(z) in float64 numpy; z any shape, result the same shape."""
        z = np.asarray(z, dtype=np.float64)
        form = _numpy_form(self.key, self.params)
        if form is not None:
            return form[0](z)
        return phi(self.key, z, **self.kwargs)

    def dnumpy(self, z: np.ndarray | float, a: np.ndarray | None = None) -> np.ndarray:
        """phi'(z) in float64 numpy (``a`` = phi(z) if already known); autograd where no closed form is listed."""
        z = np.asarray(z, dtype=np.float64)
        form = _numpy_form(self.key, self.params)
        if form is None:
            return dphi(self.key, z, **self.kwargs)
        return np.asarray(form[1](z, form[0](z) if a is None else a), dtype=np.float64)

    def numpy_pair(self) -> NpForm:
        """(phi, dphi) as plain functions ``phi(z)`` and ``dphi(z, a)``, for inner loops."""
        form = _numpy_form(self.key, self.params)
        return form if form is not None else (self.numpy, self.dnumpy)


__all__ = [
    "Activation",
    "Param",
    "Phi",
    "PhiModule",  # noqa: F822 (made on first use by the module __getattr__: it needs torch)
    "sigmoid_np",
    "REGISTRY",
    "dphi",
    "get",
    "label",
    "module",
    "names",
    "phi",
]
