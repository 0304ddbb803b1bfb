"""Feedback as sound: the recurrent neuron's impulse response and Jacobian against rho^(t/D), the exploding clip's
WAV, tanh's saturation, the sentences over the corners, and the section under AppTest."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from nnviz import audio
from nnviz.activations import Phi
from nnviz.topics import echo
from tests.apptest_utils import assert_clean, charts, open_page

LIN, TANH = Phi("linear"), Phi("tanh")


@pytest.mark.parametrize("rho,D", [(0.9, 1), (0.5, 3), (-0.8, 7), (1.3, 5), (1.0, 45)])
def test_impulse_response_is_rho_to_the_t_over_D(rho, D):
    n = 60 * D
    x = np.zeros(n)
    x[0] = 1.0
    h = echo.recur(x, rho, D, LIN)
    t = np.arange(n)
    on = t % D == 0
    assert np.array_equal(h[~on], np.zeros((~on).sum()))
    want = rho ** (t[on] // D)
    free = np.abs(want) <= echo.LIMIT  # past LIMIT the exploding state is held there (it stands in for infinity)
    np.testing.assert_allclose(h[on][free], want[free], rtol=1e-12)
    assert np.all(np.abs(h[on][~free]) == echo.LIMIT)


def _torch_run(x, rho, D, phi, s):
    """The same recurrence in torch; h_s is made a leaf, so autograd gives dh_t/dh_s for every later t."""
    h = []
    for t in range(len(x)):
        prev = h[t - D] if t >= D else torch.zeros((), dtype=torch.float64)
        z = rho * prev + x[t]
        ht = torch.tanh(z) if phi == "tanh" else z
        h.append(ht.detach().requires_grad_() if t == s else ht)
    return h


def _grad(ht, hs) -> float:
    """dh_t/dh_s by autograd (0 where h_t does not depend on h_s)."""
    if not ht.requires_grad:
        return 0.0
    (g,) = torch.autograd.grad(ht, hs, retain_graph=True, allow_unused=True)
    return 0.0 if g is None else float(g)


@pytest.mark.parametrize("rho,D,s", [(0.9, 1, 2), (-0.7, 3, 1), (1.4, 4, 0), (0.95, 2, 3)])
def test_jacobian_equals_envelope_by_autograd(rho, D, s):
    T = 24
    x = torch.tensor(np.random.default_rng(0).uniform(-0.5, 0.5, T + 1), dtype=torch.float64)
    h = _torch_run(x, rho, D, "linear", s)
    for t in range(s, T + 1):
        g = _grad(h[t], h[s])
        want = rho ** ((t - s) // D) if (t - s) % D == 0 else 0.0
        assert g == pytest.approx(want, rel=1e-12, abs=0.0)
    # nnviz's own Jacobian along the run, linear and tanh, against autograd
    for phi in (LIN, TANH):
        h = _torch_run(x, rho, D, phi.key, s)
        hn = np.array([float(v.detach()) for v in h])
        J = echo.jacobian(x.numpy(), hn, rho, D, phi, s)
        for t in range(s, T + 1):
            assert J[t] == pytest.approx(_grad(h[t], h[s]), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("rho,D", [(1.5, 1), (-1.5, 110), (1.2, 4_410)])
def test_exploding_never_beyond_full_scale_in_the_wav(rho, D):
    r = echo.run(rho, D, LIN, "drum")
    assert r.peak > 1.0  # it did explode
    for y in (r.play, r.h):  # the played version, and the raw run written as it is (wav_bytes clips)
        back, sr = audio.read_wav(audio.wav_bytes(y))
        assert sr == audio.SR and len(back) == len(y)
        assert np.max(np.abs(back)) <= 1.0
    assert "turned down" in r.sentences[-1] or "DC offset" in r.sentences[-1]
    assert "never holds a sample beyond ±1" in r.sentences[0]


@pytest.mark.parametrize("rho", [1.2, 1.5, -1.5])
def test_tanh_saturates_where_linear_explodes(rho):
    lin = echo.run(rho, 110, LIN, "click")
    th = echo.run(rho, 110, TANH, "click")
    assert lin.click_peak > 1e3
    assert th.click_peak <= 1.0 and np.max(np.abs(echo.recur(echo.source("pluck"), rho, 110, TANH))) <= 1.0
    assert th.grad_end_db < -20  # and its gradient vanishes at saturation


def _claims_hold(r: echo.Echo) -> None:
    head = r.sentences[0]
    if r.rho == 0:
        assert "no feedback" in head and np.allclose(r.h, Phi(r.phi_key).numpy(r.x))
    elif r.phi_key == "linear" and abs(r.rho) < 1:
        assert "dying away" in head and r.end_db < 0
        np.testing.assert_allclose(r.echoes[r.envelope > 1e-250], r.envelope[r.envelope > 1e-250], rtol=1e-9)
    elif r.phi_key == "linear" and abs(r.rho) == 1:
        assert "neither vanishes nor explodes" in head and abs(r.end_db) < 1e-9
    elif r.phi_key == "linear":
        assert "explodes" in head and r.click_peak > 1.0 and r.end_db > 0
    elif abs(r.rho) > 1:
        assert "saturates" in head and r.click_peak <= 1.0 and r.grad_end_db < 0
    else:
        assert "die away" in head and r.end_db < 0 and r.grad_end_db < 0 and r.click_peak <= 1.0
        assert np.all(r.grad <= r.envelope * (1 + 1e-9))
    text = " ".join(r.sentences)
    if "darker" in text:
        assert r.centroid_out < r.centroid_in
    if "brighter" in text or "high-pass" in text:
        assert r.centroid_out > r.centroid_in
    if "comb filter" in text:
        assert r.D / echo.SR < echo.ECHO_S
    if "separate echoes" in text:
        assert r.D / echo.SR >= echo.ECHO_S
    assert r.sentences[-1] == audio.playable(r.h)[1]


@pytest.mark.parametrize("phi", [LIN, TANH])
def test_claims_at_the_corners(phi):
    for rho, D in itertools.product((-1.5, -1.0, -0.5, 0.0, 0.5, 0.99, 1.0, 1.5), (1, 110, 11_025)):
        _claims_hold(echo.run(rho, D, phi, "click" if D > 1 else "pluck"))


@pytest.mark.slow
def test_claims_sweep():
    for phi, src, D in itertools.product((LIN, TANH), echo.SOURCES, echo.DELAYS):
        for rho in (-1.5, -1.01, -0.3, 0.0, 0.3, 0.9, 1.0, 1.01, 1.5):
            _claims_hold(echo.run(rho, D, phi, src))


def test_bounds_are_plain_errors():
    for bad in (dict(rho=1.6, D=1), dict(rho=float("nan"), D=1), dict(rho=0.5, D=0), dict(rho=0.5, D=20_000)):
        with pytest.raises(ValueError, match="must"):
            echo.run(bad["rho"], bad["D"], LIN, "click")
    with pytest.raises(ValueError):
        echo.run(0.5, 1, Phi("relu"), "click")


def _section():
    from nnviz.ui import echo as e

    e.feedback_as_sound_section("sk_")


def test_section_default_run():
    at = AppTest.from_function(_section, default_timeout=120).run()
    assert_clean(at)
    assert not at.error
    assert len(at.get("audio")) == 2 and len(charts(at)) == 2
    assert any("dying away" in s.value for s in at.success)
    at.slider(key="sk_echo_rho").set_value(1.5).run()
    assert_clean(at)
    assert any("explodes" in s.value for s in at.success)
    at.radio(key="sk_echo_phi").set_value("tanh").run()
    assert any("saturates" in s.value for s in at.success)


@pytest.mark.slow
def test_page_section_opens():
    at = open_page("skip_and_feedback.py", query={"sk_echo_open": "true"})
    assert_clean(at)
    assert len(at.get("audio")) >= 2
