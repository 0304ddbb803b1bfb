"""Skips as sound: the deep plain waveshaper washes a sound out to a constant while the residual one keeps it;
the stacks are the displayed formulas; the WAVs never leave [-1, 1]; every sentence follows its run."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnviz import audio
from nnviz.activations import Phi
from nnviz.topics.skip_and_feedback import waveshaper as ws

TANH = Phi("tanh")
DEPTHS = (1, 2, 5, 10, 20, 30, 50, 75, 100)


def test_stacks_are_the_displayed_formulas():
    x = np.linspace(-0.8, 0.8, 101)
    a, b = ws.layers(4, seed=3)
    yp, yr, e_p, e_r, m_p, m_r = ws.stacks(x, a, b, TANH, 0.5)
    plain, res = x.copy(), x.copy()
    for a_l, b_l in zip(a, b, strict=True):
        plain = np.tanh(a_l * plain + b_l)  # y_l = phi(a_l y_{l-1} + b_l)
        res = res + 0.5 * np.tanh(a_l * res + b_l)  # y_l = y_{l-1} + alpha phi(a_l y_{l-1} + b_l)
    np.testing.assert_allclose(yp, plain, rtol=0, atol=1e-15)
    np.testing.assert_allclose(yr, res, rtol=0, atol=1e-15)
    assert e_p[0] == e_r[0] == pytest.approx(np.var(x)) and e_p[-1] == pytest.approx(np.var(plain))
    assert m_p[-1] == pytest.approx(plain.mean()) and m_r[-1] == pytest.approx(res.mean())


def test_a_deeper_stack_adds_layers_to_the_end():
    a5, b5 = ws.layers(5, seed=2)
    a9, b9 = ws.layers(9, seed=2)
    assert np.array_equal(a5, a9[:5]) and np.array_equal(b5, b9[:5])
    assert np.all((np.abs(a9) >= ws.GAIN_RANGE[0]) & (np.abs(a9) <= ws.GAIN_RANGE[1]))
    assert not np.array_equal(ws.layers(9, seed=3)[0], a9)


def _plain_falls_residual_keeps(phi: str, seed: int) -> None:
    """The issue's done-when: seeded, the deep plain stack's output variance falls by orders of magnitude with depth,
    and the residual stack (alpha = 1/sqrt(L)) keeps at least KEPT = 1 % of the input's energy at every depth."""
    for src in ws.SOURCES:
        x = ws.source(src)
        a, b = ws.layers(100, seed)
        _, _, e_p, _, _, _ = ws.stacks(x, a, b, Phi(phi), 1.0)  # plain energies at every depth (alpha unused)
        plain = e_p / e_p[0]
        assert plain[20] < 1e-4 and plain[50] < 1e-10 and plain[100] < 1e-12, (src, plain[[1, 20, 50, 100]])
        assert plain[100] < 1e-8 * plain[1]
        for L in DEPTHS:
            a, b = ws.layers(L, seed)
            _, _, _, e_r, _, _ = ws.stacks(x, a, b, Phi(phi), ws.alpha("inv_sqrt_depth", L))
            assert e_r[-1] / e_r[0] >= ws.KEPT, (src, L)


@pytest.mark.parametrize("phi,seed", itertools.product(["tanh", "sigmoid"], range(2)))
def test_plain_energy_falls_by_orders_of_magnitude_while_the_residual_keeps_a_hundredth(phi, seed):
    _plain_falls_residual_keeps(phi, seed)


@pytest.mark.slow
@pytest.mark.parametrize("phi,seed", itertools.product(["tanh", "sigmoid"], range(2, 10)))
def test_plain_falls_residual_keeps_every_seed(phi, seed):
    _plain_falls_residual_keeps(phi, seed)


def test_the_run_reports_what_the_stacks_computed():
    r = ws.run(30, TANH, "inv_sqrt_depth", 0, "pluck")
    x = ws.source("pluck")
    a, b = ws.layers(30, 0)
    yp, yr, e_p, e_r, _, _ = ws.stacks(x, a, b, TANH, 1 / np.sqrt(30))
    np.testing.assert_allclose(r.plain, e_p / e_p[0])
    np.testing.assert_allclose(r.residual, e_r / e_r[0])
    assert r.wet == pytest.approx(np.var(yr - x) / np.var(x))
    assert r.plain_share == pytest.approx(np.var(r.y_plain) / np.var(r.x))
    assert r.plain_gone and r.residual_kept and not r.residual_grown


def test_relu_residual_branches_add_up_and_the_sentence_says_so():
    r = ws.run(100, Phi("relu"), "inv_sqrt_depth", 0, "pluck")
    assert r.residual_grown
    assert "grew it" in r.sentences[0] and "normalise the branch" in r.sentences[0]


def _samples(wav: bytes) -> np.ndarray:
    y, sr = audio.read_wav(wav)
    assert sr == ws.SR
    return y


@pytest.mark.parametrize("phi,branch,L", [("relu", "one", 100), ("tanh", "one", 100), ("sigmoid", "one", 60),
                                          ("tanh", "inv_sqrt_depth", 1)])
def test_no_sample_beyond_full_scale_in_a_wav(phi, branch, L):
    r = ws.run(L, Phi(phi), branch, 0, "sawtooth")
    for y in (r.x, r.y_plain, r.y_residual):
        played, note = audio.playable(y)
        assert np.max(np.abs(played)) <= 0.9 + 1e-12
        back = _samples(audio.wav_bytes(played))
        assert np.max(np.abs(back)) <= 1.0 and np.max(np.abs(back - played)) < 1e-4  # written, not clipped
        assert len(back) == len(r.x) == int(ws.SECONDS * ws.SR)
    if np.max(np.abs(r.y_residual - r.y_residual.mean())) > 0.9:
        assert "turned down" in audio.playable(r.y_residual)[1]


def _claims_hold(r: ws.Waveshaped) -> None:
    head, wet = r.sentences
    assert f"After {r.depth} random layer" in head
    if r.plain_gone:
        assert "washed the sound out" in head and "still keeps" not in head
    elif r.plain_share < 1e-3:
        assert "whisper" in head
    else:
        assert "still keeps" in head and "washed" not in head
    if r.residual_grown:
        assert "grew it" in head
    elif r.residual_kept:
        assert "The residual stack kept it" in head and "grew" not in head
    else:
        assert "even the residual stack lost most of it" in head
    assert ("louder than the dry one" in wet) == (r.wet >= 1.0)
    assert f"{float(ws.db(r.wet)):+.0f} dB".replace("-", "−") in wet or r.wet <= 10 ** (ws.FLOOR_DB / 10)


@pytest.mark.parametrize("phi,branch", itertools.product(ws.PHIS, ws.BRANCHES))
def test_claims_at_the_corners(phi, branch):
    for L, seed in itertools.product(ws.DEPTH_RANGE, ws.SEED_RANGE):
        _claims_hold(ws.run(L, Phi(phi), branch, seed, "pluck"))


@pytest.mark.slow
@pytest.mark.parametrize("phi,branch,src", itertools.product(ws.PHIS, ws.BRANCHES, ws.SOURCES))
def test_claims_sweep(phi, branch, src):
    for L, seed in itertools.product((1, 3, 10, 30, 60, 100), (0, 4, 9)):
        _claims_hold(ws.run(L, Phi(phi), branch, seed, src))


def test_bad_settings_are_plain_errors():
    for args, words in [((0, TANH), "depth L"), ((101, TANH), "depth L"), ((5, Phi("gelu")), "φ ="),
                        ((5, TANH, "half"), "branch scale"), ((5, TANH, "one", 10), "seed"),
                        ((5, TANH, "one", 0, "drum"), "Unknown sound")]:
        with pytest.raises(ValueError, match=words):
            ws.run(*args)


def test_energy_alt_text_names_the_numbers():
    r = ws.run(10, TANH, "one", 1, "sine")
    alt = ws.energy_alt(r)
    assert "10 layers" in alt and f"seed {r.seed}" in alt
    assert f"{float(ws.db(r.plain_share)):+.0f} dB".replace("-", "−") in alt or "below" in alt
