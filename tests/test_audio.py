"""nnviz.audio against closed forms, at pitches whose period is a whole number of samples (f0 dividing 22,050)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz import audio
from nnviz.activations import Phi

SR = audio.SR


def test_snap_gives_a_whole_number_of_samples_per_period():
    assert audio.snap(220.0) == pytest.approx(220.5)  # P = 100
    assert SR / audio.snap(441.0) == 50
    assert audio.snap(245.0) == 245.0  # 22,050 / 90


@pytest.mark.parametrize("g", [0.5, 1.0, 3.0, 10.0])
def test_tanh_of_a_sine_has_no_even_harmonics(g):
    a = audio.harmonics(audio.shape(audio.sine(245, 0.5), "tanh", g), 245, SR, 10)
    assert np.all(a[2::2] < 1e-6 * a[1])
    assert a[3] > 1e-4 * a[1]  # and the odd ones are there


@pytest.mark.parametrize("b", [0.2, -0.5, 1.0])
def test_a_bias_adds_even_harmonics_to_tanh(b):
    a = audio.harmonics(audio.shape(audio.sine(245, 0.5), "tanh", 2.0, b), 245, SR, 10)
    assert a[2] > 1e-6 * a[1]
    assert a[2] > 1e-3 * a[1]  # far above: a bias of 0.2 already gives -30 dB


def test_linear_phi_adds_no_harmonic():
    a = audio.harmonics(audio.shape(audio.sine(441, 0.5), Phi("linear"), 3.0, 0.7), 441, SR, 12)
    assert a[0] == pytest.approx(0.7)
    assert a[1] == pytest.approx(3.0)
    assert np.all(a[2:] < 1e-9 * a[1])


def test_half_wave_rectified_sine_matches_its_fourier_series():
    # f0 = 21 Hz (P = 1,050 samples). Sampling folds harmonic m P +- k onto k: the series' 2/(pi j^2) tail adds
    # at most 2 * (2/pi) * zeta(2) / P^2 < 2.1 / P^2 = 1.9e-6
    P = 1050
    alias = 2.1 / P**2
    a = audio.harmonics(audio.shape(audio.sine(21, 1.0), "relu"), 21, SR, 10)
    assert a[0] == pytest.approx(1 / math.pi, abs=alias)
    assert a[1] == pytest.approx(0.5, abs=alias)
    for k in (2, 4, 6, 8, 10):
        assert a[k] == pytest.approx(2 / (math.pi * (k * k - 1)), abs=alias)
    for k in (3, 5, 7, 9):
        assert a[k] < alias


def test_the_step_turns_a_sine_into_a_square_wave():
    # half a sample of phase: no sample sits on a zero crossing, where H(0) = 0 would break the symmetry
    P = 1050
    x = audio.sine(21, 1.0, phase=math.pi / P)
    h = audio.harmonics(audio.shape(x, "step"), 21, SR, 9)
    square = audio.harmonics(2 * audio.shape(x, "step") - 1, 21, SR, 9)
    assert h[0] == pytest.approx(0.5)
    for k in (1, 3, 5, 7, 9):
        # H(sin) = 1/2 + (2/pi) sum sin(k t)/k; sign(sin) = 2H - 1 has 4/(pi k). Sampled: x (pi k/P) / sin(pi k/P)
        sampled = (math.pi * k / P) / math.sin(math.pi * k / P)
        assert h[k] == pytest.approx(2 / (math.pi * k) * sampled, rel=1e-9)
        assert square[k] == pytest.approx(4 / (math.pi * k), rel=2e-4)
    for k in (2, 4, 6, 8):
        assert h[k] < 1e-9


def test_band_limited_waves_match_their_series():
    for wave, amp in ((audio.square, lambda k: 4 / (math.pi * k) if k % 2 else 0.0),
                      (audio.sawtooth, lambda k: 2 / (math.pi * k)),
                      (audio.triangle, lambda k: 8 / (math.pi * k) ** 2 if k % 2 else 0.0)):
        a = audio.harmonics(wave(441, 0.2), 441, SR, 24)  # P = 50: harmonics 1 ... 24 are below Nyquist
        for k in range(1, 25):
            assert a[k] == pytest.approx(amp(k), abs=1e-12)


def test_wav_round_trip_keeps_the_level():
    x = 0.25 * audio.sine(441, 0.5)
    y, sr = audio.read_wav(audio.wav_bytes(x))
    assert sr == SR and len(y) == len(x)
    assert np.max(np.abs(y - x)) <= 0.5 / 32767 + 1e-12  # only 16-bit rounding: never rescaled to full scale
    assert audio.rms(y) == pytest.approx(audio.rms(x), rel=1e-4)


def test_wav_clips_instead_of_rescaling():
    y, _ = audio.read_wav(audio.wav_bytes(np.array([0.5, 2.0, -3.0, 0.1])))
    assert y == pytest.approx([0.5, 1.0, -1.0, 0.1], abs=1e-4)


def test_oversampling_removes_aliasing():
    # tanh(3 sin) at 3 kHz: the 7th harmonic (21 kHz) folds back to 1,050 Hz and the 5th (15 kHz) to 7,050 Hz
    x = np.sin(2 * np.pi * 3000 * np.arange(SR) / SR)
    raw = audio.shape(x, "tanh", 3.0)
    clean = audio.shape(x, "tanh", 3.0, oversample=4)
    for alias in (1050.0, 7050.0):
        assert audio.component(raw, alias) > 1e-2
        assert audio.component(clean, alias) < 1e-5
    # and the harmonics in the audible band are kept
    for f in (3000.0, 9000.0):
        assert audio.component(clean, f) == pytest.approx(audio.component(raw, f), rel=1e-3)


def test_oversampled_loop_stays_periodic():
    x = audio.sine(245, 90 * 20 / SR)  # 20 whole periods
    y = audio.shape(x, "tanh", 2.0, 0.3, oversample=4, loop=True)
    assert np.max(np.abs(y[:90] - y[-90:])) < 1e-9


def test_playable_removes_dc_limits_the_level_and_says_so():
    x = audio.shape(audio.sine(441, 0.5), "relu", 3.0)  # DC 3/pi, peak 3
    y, note = audio.playable(x)
    assert abs(y.mean()) < 1e-3 and np.max(np.abs(y)) <= 0.9 + 1e-12
    assert "DC offset" in note and "turned down" in note and "with turned" not in note
    assert y[0] == 0.0 and y[-1] == pytest.approx(0.0, abs=1e-3)  # faded: no click
    quiet, note = audio.playable(0.1 * audio.sine(441, 0.5))
    assert "as it is" in note and np.max(np.abs(quiet)) == pytest.approx(0.1, rel=1e-3)
    _, note = audio.playable(np.full(1000, 0.4))
    assert note.startswith("Silence")


def test_match_rms_plays_clips_at_one_loudness():
    a, b = audio.sine(441, 0.5), 0.1 * audio.square(441, 0.5)
    (ya, yb), note = audio.match_rms([a, b])
    inner = slice(1000, -1000)  # away from the fades
    assert audio.rms(ya[inner]) == pytest.approx(audio.rms(yb[inner]), rel=1e-3)
    assert max(np.max(np.abs(ya)), np.max(np.abs(yb))) <= 0.9
    assert "same loudness" in note


def test_pluck_has_its_pitch_and_decays():
    y = audio.pluck(220, 1.5)
    f = audio.pluck_f0(220)
    ac = np.correlate(y[:4000], y[:4000], "full")[3999:]
    lag = int(np.argmax(ac[50:]) + 50)
    assert lag == pytest.approx(SR / f, abs=1)
    assert audio.rms(y[-2000:]) < 0.5 * audio.rms(y[:2000])
    assert np.max(np.abs(y)) <= 1.0


def test_wavetable_plays_a_period_band_limited():
    M = 1024
    x = (np.arange(M) + 0.5) / M
    table = np.where(x < 0.5, 1.0, -1.0)
    y = audio.wavetable(table, 441, 0.2)
    a = audio.harmonics(y, 441, SR, 24)
    for k in (1, 3, 5):  # the table's own harmonics, which are those of a square up to 1/M corrections
        assert a[k] == pytest.approx(4 / (math.pi * k), rel=5e-3)
    assert np.all(a[2::2] < 1e-9)


@pytest.mark.parametrize("bad", [
    lambda: audio.sine(5, 1.0), lambda: audio.sine(440, 0.0), lambda: audio.sine(440, 60.0),
    lambda: audio.shape(np.zeros(10), "tanh", gain=1e6), lambda: audio.shape(np.zeros(10), "tanh", bias=np.nan),
    lambda: audio.shape(np.zeros(10), "nope"), lambda: audio.shape(np.zeros(10), "tanh", oversample=3),
    lambda: audio.harmonics(np.zeros(10), 220, SR, 4), lambda: audio.wav_bytes(np.zeros(SR * 60)),
    lambda: audio.pluck(220, 1.0, decay=1.5),
])
def test_bad_inputs_get_plain_value_errors(bad):
    with pytest.raises(ValueError):
        bad()
