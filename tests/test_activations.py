"""The activation registry against theory: every phi and its autograd derivative vs a closed form written here,
and every declared property (monotonic, zero-centred, smooth, saturating, phi(0), phi'(0), universal) vs a
numeric check of the implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.special import erf

from nnviz import activations as A

SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


def _softplus(z, beta=1.0):
    return np.logaddexp(0.0, beta * z) / beta


def _Phi(z):
    return 0.5 * (1.0 + erf(z / math.sqrt(2.0)))


def _pdf(z):
    return np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)


# (value, derivative) closed forms, written from the papers' definitions, not from torch
CLOSED = {
    "step": (lambda z: (z > 0).astype(float), lambda z: np.zeros_like(z)),
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
    "sigmoid": (_sig, lambda z: _sig(z) * (1 - _sig(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(0, z), lambda z: (z > 0).astype(float)),
    "leaky_relu": (lambda z, alpha=0.01: np.where(z > 0, z, alpha * z),
                   lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha)),
    "elu": (lambda z, alpha=1.0: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
            lambda z, alpha=1.0: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))),
    "selu": (lambda z: SELU_LAMBDA * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0))),
             lambda z: SELU_LAMBDA * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0)))),
    "gelu": (lambda z: z * _Phi(z), lambda z: _Phi(z) + z * _pdf(z)),
    "silu": (lambda z: z * _sig(z), lambda z: _sig(z) + z * _sig(z) * (1 - _sig(z))),
    "mish": (lambda z: z * np.tanh(_softplus(z)),
             lambda z: np.tanh(_softplus(z)) + z * (1 - np.tanh(_softplus(z)) ** 2) * _sig(z)),
    "softplus": (lambda z, beta=1.0: _softplus(z, beta), lambda z, beta=1.0: _sig(beta * z)),
    "hard_sigmoid": (lambda z: np.clip(z / 6 + 0.5, 0, 1), lambda z: np.where(np.abs(z) < 3, 1 / 6, 0.0)),
    "hard_tanh": (lambda z: np.clip(z, -1, 1), lambda z: np.where(np.abs(z) < 1, 1.0, 0.0)),
    "relu6": (lambda z: np.clip(z, 0, 6), lambda z: np.where((z > 0) & (z < 6), 1.0, 0.0)),
    "softsign": (lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2),
    "sine": (np.sin, np.cos),
    "gaussian": (lambda z: np.exp(-(z**2)), lambda z: -2 * z * np.exp(-(z**2))),
}

#: Where phi or phi' is not continuous (autograd then picks one side); at default parameters.
KINKS = {"step": [0.0], "relu": [0.0], "leaky_relu": [0.0], "elu": [0.0], "selu": [0.0],
         "hard_sigmoid": [-3.0, 3.0], "hard_tanh": [-1.0, 1.0], "relu6": [0.0, 6.0]}

#: Non-default parameters to test as well.
OTHER_PARAMS = {"leaky_relu": {"alpha": 0.2}, "elu": {"alpha": 2.0}, "softplus": {"beta": 3.0}}

Z = np.unique(np.concatenate([
    np.linspace(-8.0, 8.0, 161), [0.0, 1e-7, -1e-7, 1e-3, -1e-3, 1.0, -1.0, 3.0, -3.0, 6.0],
    [25.0, -25.0, 60.0, -60.0, 200.0, -200.0, 500.0, -500.0],
]))


def test_every_activation_has_a_closed_form_here():
    assert set(CLOSED) == set(A.names())
    assert len(A.names()) >= 18


@pytest.mark.parametrize("key", list(CLOSED))
def test_value_matches_closed_form(key):
    for params in ({}, OTHER_PARAMS.get(key)):
        if params is None:
            continue
        got = A.phi(key, Z, **params)
        want = CLOSED[key][0](Z, **params)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-7, err_msg=f"{key} {params}")


@pytest.mark.parametrize("key", list(CLOSED))
def test_autograd_derivative_matches_closed_form_away_from_kinks(key):
    for params in ({}, OTHER_PARAMS.get(key)):
        if params is None:
            continue
        got = A.dphi(key, Z, **params)
        want = CLOSED[key][1](Z, **params)
        smooth = np.ones_like(Z, dtype=bool)
        for k in KINKS.get(key, []):
            smooth &= np.abs(Z - k) > 1e-9
        np.testing.assert_allclose(got[smooth], want[smooth], rtol=1e-8, atol=1e-7, err_msg=f"{key} {params}")


@pytest.mark.parametrize("key", list(KINKS))
def test_autograd_at_a_kink_picks_one_side(key):
    for k in KINKS[key]:
        got = float(A.dphi(key, k))
        left = float(CLOSED[key][1](np.array([k - 1e-6]))[0])
        right = float(CLOSED[key][1](np.array([k + 1e-6]))[0])
        assert min(abs(got - left), abs(got - right)) < 1e-5, (key, k, got, left, right)


def test_derivative_is_autograd_not_finite_differences():
    z = np.array([0.3])
    assert A.dphi("tanh", z)[0] == pytest.approx(1 - math.tanh(0.3) ** 2, abs=1e-15)


def _param_settings(key: str) -> list[dict[str, float]]:
    """Defaults, the OTHER_PARAMS setting, and each parameter at both ends of its slider."""
    out = [{}, *([OTHER_PARAMS[key]] if key in OTHER_PARAMS else [])]
    for p in A.get(key).params:
        out += [{p.name: p.low}, {p.name: p.high}]
    return out


#: Z plus the kinks of every setting above (ELU's at 0 for any alpha; softplus's switch at beta z = 20).
Z_EDGES = np.unique(np.concatenate([Z, [2.0, -2.0, 20.0, 200.0, 6.0 - 1e-9, 6.0 + 1e-9, 3.0 - 1e-9, 3.0 + 1e-9]]))


@pytest.mark.parametrize("key", list(CLOSED))
def test_numpy_closed_forms_equal_torch_and_autograd_everywhere(key):
    """The gallery and the numpy trainers use Phi.numpy / Phi.dnumpy: equal to the torch form and its autograd
    derivative on a dense grid, kinks included (there the page says they use autograd's one-sided slope)."""
    for params in _param_settings(key):
        phi = A.Phi(key, params)
        np.testing.assert_allclose(phi.numpy(Z_EDGES), A.phi(key, Z_EDGES, **params), rtol=1e-12, atol=1e-12,
                                   err_msg=f"{key} {params}")
        want = A.dphi(key, Z_EDGES, **params)
        # rtol 1e-7: torch's hardsigmoid backward uses 1/6 rounded to float32 (1.67e-1 + 5e-9), the closed form 1/6
        np.testing.assert_allclose(phi.dnumpy(Z_EDGES), want, rtol=1e-7, atol=1e-12, err_msg=f"{key} {params}")
        np.testing.assert_allclose(phi.dnumpy(Z_EDGES, phi.numpy(Z_EDGES)), want, rtol=1e-7, atol=1e-12)
        for k in KINKS.get(key, []) + [0.0]:  # exactly at each kink: the same side as autograd
            assert float(phi.dnumpy(k)) == pytest.approx(float(A.dphi(key, k, **params)), rel=1e-7, abs=1e-12), \
                (key, k)


# ----- declared properties vs numeric checks ------------------------------------------------------------------

GRID = np.linspace(-20.0, 20.0, 40001)  # spacing 1e-3


@pytest.mark.parametrize("key", A.names())
def test_monotonic_flag(key):
    steps = np.diff(A.phi(key, GRID))
    assert A.get(key).monotonic == bool(np.all(steps >= -1e-12)), key


@pytest.mark.parametrize("key", A.names())
def test_zero_centred_flag(key):
    z = np.linspace(-12.0, 12.0, 240001)
    mean = np.trapezoid(A.phi(key, z) * _pdf(z), z)
    numeric = abs(float(A.phi(key, 0.0))) < 1e-12 and abs(mean) < 0.05
    assert A.get(key).zero_centred == numeric, (key, mean)


@pytest.mark.parametrize("key", A.names())
def test_saturating_flag(key):
    left = np.max(np.abs(A.dphi(key, np.linspace(-80.0, -40.0, 4001))))
    right = np.max(np.abs(A.dphi(key, np.linspace(40.0, 80.0, 4001))))
    numeric = {(True, True): "both", (True, False): "left", (False, False): "no"}.get((left < 1e-3, right < 1e-3))
    assert A.get(key).saturating == numeric, (key, left, right)


@pytest.mark.parametrize("key", A.names())
def test_smooth_flag(key):
    """C^1 on the grid: neither phi nor phi' jumps between neighbouring points 1e-3 apart."""
    p = A.phi(key, GRID)
    d = A.dphi(key, GRID)
    jump_phi = np.max(np.abs(np.diff(p)) - 1e-3 * np.maximum(np.abs(d[1:]), np.abs(d[:-1])))
    jump_dphi = np.max(np.abs(np.diff(d)))
    assert A.get(key).smooth == bool(jump_phi < 1e-4 and jump_dphi < 0.02), (key, jump_phi, jump_dphi)


@pytest.mark.parametrize("key", A.names())
def test_phi0_and_dphi0_declared_correctly(key):
    a = A.get(key)
    assert a.phi0 is not None and a.dphi0 is not None, "every entry declares phi(0) and phi'(0)"
    assert float(A.phi(key, 0.0)) == pytest.approx(a.phi0, abs=1e-12)
    h = 1e-6
    p_m, p_0, p_p = A.phi(key, np.array([-h, 0.0, h]))
    left, right = (p_0 - p_m) / h, (p_p - p_0) / h
    if math.isnan(a.dphi0):
        assert abs(left - right) > 1e-3, f"{key}: declared a kink at 0 but the slopes agree"
    else:
        assert left == pytest.approx(a.dphi0, abs=1e-5) and right == pytest.approx(a.dphi0, abs=1e-5)
        # abs 1e-7: torch's hardsigmoid backward uses the float32 constant 1/6 even in float64
        assert float(A.dphi(key, 0.0)) == pytest.approx(a.dphi0, abs=1e-7)


@pytest.mark.parametrize("key", A.names())
def test_universal_flag_means_not_a_polynomial(key):
    """Leshno et al.: universal iff not a polynomial. A cubic fit on [-6, 6] leaves a residual unless phi is one."""
    z = np.linspace(-6.0, 6.0, 601)
    p = A.phi(key, z)
    residual = np.max(np.abs(np.polyval(np.polyfit(z, p, 3), z) - p))
    assert A.get(key).universal == (residual > 1e-4), (key, residual)


@pytest.mark.parametrize("key", [k for k in A.names() if "two distinct finite limits" in A.get(k).universal_reason])
def test_sigmoidal_reason_holds(key):
    lo, hi = A.phi(key, np.array([-1e3, 1e3]))
    assert np.isfinite(lo) and np.isfinite(hi) and abs(hi - lo) > 0.5
    assert np.all(np.isfinite(A.phi(key, GRID)))
    assert np.max(np.abs(A.phi(key, GRID))) <= max(abs(lo), abs(hi)) + 1e-12


@pytest.mark.parametrize("key,approx_min", [("gelu", -0.17), ("silu", -0.28), ("mish", -0.31)])
def test_declared_minimum_of_non_monotonic_units(key, approx_min):
    assert f"{approx_min}" in A.get(key).output_range
    assert float(np.min(A.phi(key, GRID))) == pytest.approx(approx_min, abs=0.005)


@pytest.mark.parametrize("key,lo,hi", [("sigmoid", 0, 1), ("tanh", -1, 1), ("hard_sigmoid", 0, 1),
                                       ("hard_tanh", -1, 1), ("relu6", 0, 6), ("softsign", -1, 1),
                                       ("sine", -1, 1), ("gaussian", 0, 1), ("elu", -1, math.inf),
                                       ("selu", -SELU_LAMBDA * SELU_ALPHA, math.inf)])
def test_output_range_bounds(key, lo, hi):
    p = A.phi(key, np.concatenate([GRID, [-1e4, 1e4]]))
    assert p.min() >= lo - 1e-12 and p.max() <= hi + 1e-12
    assert p.min() == pytest.approx(lo, abs=0.01)
    if math.isfinite(hi):
        assert p.max() == pytest.approx(hi, abs=0.01)


# ----- the public API other pages rely on ---------------------------------------------------------------------

def test_public_api_unchanged():
    assert A.Phi("leaky_relu", alpha=0.1).label == "Leaky ReLU (α = 0.1)" and A.Phi("relu").label == "ReLU"
    assert A.label("relu") == "ReLU" and A.names()[0] == "step"
    with pytest.raises(ValueError, match="Unknown activation"):
        A.get("nope")
    m = A.module("leaky_relu", alpha=0.2)
    assert isinstance(m, A.PhiModule) and "alpha=0.2" in repr(m)
    assert torch.allclose(m(torch.tensor([-1.0, 2.0])), torch.tensor([-0.2, 2.0]))
    a = A.get("softplus")
    assert a.defaults() == {"beta": 1.0} and isinstance(a.params[0], A.Param)
    assert A.phi("relu", 2.0).shape == () and A.dphi("relu", np.ones((2, 3))).shape == (2, 3)
