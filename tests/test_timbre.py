"""Sounds as data: each audio feature against its closed form, the plane map and its inverse, the synthesised set,
the bounded WAV path (uploads and recordings) and the accuracy the page states."""

from __future__ import annotations

import io
import math
import struct
import wave

import numpy as np
import pytest

from nnviz import audio, datasets, features
from nnviz.activations import Phi
from nnviz.topics import playground as pg
from nnviz.topics import timbre as tb

SR = tb.SR


def _whole(f0: float) -> tuple[float, int]:
    """A pitch whose period P divides the clip length (so every DFT bin is exact), and P."""
    P = audio.period_samples(f0)
    while tb.CLIP_LEN % P:
        P += 1
    return SR / P, P


# ---------------------------------------------------------------------------------------------------------------
# Features against closed forms
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("f0", [110.0, 220.0, 441.0, 1000.0])
def test_a_sines_centroid_is_its_pitch(f0):
    f, _ = _whole(f0)
    x = audio.sine(f, tb.CLIP_S, SR, amplitude=0.5)
    assert tb.spectral_centroid(x)[0] == pytest.approx(f, rel=1e-9)
    g = audio.snap(f0 * 1.013)  # not a whole number of periods in the clip: Hann keeps it close
    assert tb.spectral_centroid(audio.sine(g, tb.CLIP_S, SR))[0] == pytest.approx(g, rel=0.02)


@pytest.mark.parametrize("f0", [147.0, 315.0, 735.0])
def test_a_squares_centroid_is_its_harmonics_mean(f0):
    f, P = _whole(f0)
    k = np.arange(1, (P - 1) // 2 + 1)
    a = np.where(k % 2 == 1, 4 / (np.pi * k), 0.0)
    assert tb.spectral_centroid(audio.square(f, tb.CLIP_S, SR))[0] == pytest.approx(f * (k * a).sum() / a.sum(),
                                                                                    rel=1e-6)


@pytest.mark.parametrize("f0", [110.0, 220.0, 441.0])
def test_a_square_has_no_even_harmonics_and_the_capped_ratio(f0):
    x = audio.square(f0, tb.CLIP_S, SR)
    a = audio.harmonics(x, audio.snap(f0), SR, n=tb.N_HARMONICS)
    assert np.all(a[2::2] < 1e-9) and a[1] > 1.0  # audio.harmonics: even ones are zero
    ours = tb.harmonic_amplitudes(x, tb.period_lag(x))[0]
    np.testing.assert_allclose(ours, a[1:], atol=1e-12)  # the fast folding equals audio.harmonics
    assert tb.measure(x)[0, 1] == tb.OER_CAP_DB


@pytest.mark.parametrize("f0", [110.0, 441.0])
def test_a_sawtooths_odd_to_even_ratio_is_its_closed_form(f0):
    k = np.arange(1, tb.N_HARMONICS + 1)
    want = 10 * math.log10((1 / k[0::2] ** 2).sum() / (1 / k[1::2] ** 2).sum())  # ~ 10 log10 3 for many
    assert tb.measure(audio.sawtooth(f0, tb.CLIP_S, SR))[0, 1] == pytest.approx(want, abs=1e-9)
    assert want == pytest.approx(10 * math.log10(3), abs=0.3)


@pytest.mark.parametrize("f0", [110.0, 315.0, 1000.0])
def test_zero_crossing_rate_of_a_sine_is_two_f0_over_sr(f0):
    f = audio.snap(f0)
    x = audio.sine(f, tb.CLIP_S, SR, phase=0.1)
    assert tb.zero_crossing_rate(x)[0] == pytest.approx(2 * f / SR, abs=1.5 / tb.CLIP_LEN)


@pytest.mark.parametrize("rms_db", [-40.0, -18.0, -3.0103])
def test_loudness_of_a_known_rms(rms_db):
    amp = 10 ** (rms_db / 20) * math.sqrt(2)  # a sine's RMS is its amplitude / sqrt 2
    x = audio.sine(_whole(441.0)[0], tb.CLIP_S, SR, amplitude=amp)  # whole periods: RMS exactly amp / sqrt 2
    assert tb.loudness_db(x)[0] == pytest.approx(rms_db, abs=1e-6)
    assert tb.loudness_db(np.full(100, 0.25))[0] == pytest.approx(20 * math.log10(0.25))


@pytest.mark.parametrize("wave_name", ["sine", "square", "sawtooth", "triangle"])
@pytest.mark.parametrize("f0", [55.0, 110.0, 330.0, 880.0, 1800.0])
def test_pitch_is_exact_for_whole_sample_periods(wave_name, f0):
    x = audio.WAVES[wave_name](f0, tb.CLIP_S, SR)
    assert tb.pitch_hz(x)[0] == pytest.approx(audio.snap(f0), rel=1e-12)


def test_features_are_measured_the_same_in_a_batch_and_alone():
    clips = np.stack([tb.synth(k, 220.0, -12.0, 0.1, seed=i) for i, k in enumerate(tb.CLASSES)])
    np.testing.assert_allclose(tb.measure(clips), np.vstack([tb.measure(c) for c in clips]))


# ---------------------------------------------------------------------------------------------------------------
# The plane map and synthesis from features
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", tb.FEATURE_KEYS)
def test_plane_map_sends_the_range_to_minus_five_five_and_inverts(key):
    f = tb.FEATURES[key]
    np.testing.assert_allclose(f.to_plane(np.array([f.low, f.high])), [-5.0, 5.0])
    u = np.linspace(-6, 6, 13)
    np.testing.assert_allclose(f.to_plane(f.from_plane(u)), u, atol=1e-9)
    assert f.to_plane(np.array([1e9 if f.log else 1e9]))[0] == 6.0  # clipped into the drawn plane


PAIRS = [("centroid", "oer"), ("centroid", "pitch"), ("loudness", "pitch"), ("oer", "loudness"),
         ("pitch", "centroid"), ("centroid", "loudness")]


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("point", [(-5.0, -5.0), (0.0, 0.0), (2.0, 3.0), (5.0, 5.0), (6.0, -6.0)])
def test_the_sound_a_point_describes_has_its_features_or_says_it_missed(pair, point):
    s = tb.synth_from_features(pair, point)
    assert s is not None and s.clip.shape == (tb.CLIP_LEN,) and np.max(np.abs(s.clip)) <= 1.0
    np.testing.assert_allclose(s.measured, tb.measure(s.clip)[0])
    for k in pair:
        f, i = tb.FEATURES[k], tb.FEATURE_KEYS.index(k)
        close = (abs(math.log(s.measured[i] / s.asked[i])) <= math.log(1.1) if f.log
                 else abs(s.measured[i] - s.asked[i]) <= 2.0)
        assert close == (f"asked {f.fmt(s.asked[i])}" not in s.sentence)  # the sentence flags exactly the misses
    assert ("nearest it gets" in s.sentence) == ("asked" in s.sentence)


def test_points_inside_the_reachable_region_are_hit():
    s = tb.synth_from_features(("centroid", "pitch"), (0.0, -1.0))  # ~900 Hz centroid over a ~280 Hz pitch
    assert "asked" not in s.sentence
    s = tb.synth_from_features(("loudness", "pitch"), (1.0, 1.0))
    assert "asked" not in s.sentence


def test_zero_crossings_are_not_synthesised_and_it_is_said_why():
    assert tb.synth_from_features(("zcr", "pitch"), (0.0, 0.0)) is None
    assert "zero-crossing rate" in tb.unsynthesisable_sentence(("zcr", "pitch"))
    with pytest.raises(ValueError):
        tb.check_pair(("pitch", "pitch"))


def test_answer_sentence_names_the_likeliest_class_and_a_strong_runner_up():
    names = list(tb.CLASSES)
    assert tb.answer_sentence(np.array([0.05, 0.9, 0.03, 0.02]), names) == "The network hears square (90 %)."
    assert "or else sine (30 %)" in tb.answer_sentence(np.array([0.3, 0.6, 0.1, 0.0]), names)
    assert tb.answer_sentence(np.array([0.8]), ["class A", "class B"]).startswith("The network hears class B (80 %)")


# ---------------------------------------------------------------------------------------------------------------
# The synthesised set
# ---------------------------------------------------------------------------------------------------------------


def test_sound_set_is_seeded_a_prefix_in_n_and_regenerates_each_clip():
    a, b = tb.sound_set(120, 0.1, 3), tb.sound_set(200, 0.1, 3)
    np.testing.assert_array_equal(a.values, b.values[:120])
    assert not np.array_equal(tb.sound_set(120, 0.1, 4).values, a.values)
    assert np.bincount(a.y).tolist() == [30, 30, 30, 30]
    assert np.all((a.f0 >= 100) & (a.f0 <= 900)) and np.all((a.level >= -30) & (a.level <= -6))
    np.testing.assert_allclose(tb.measure(a.clip(7))[0], a.values[7])


def test_noise_blurs_the_classes():
    clean, noisy = tb.sound_set(100, 0.0, 0), tb.sound_set(100, 0.5, 0)
    sines = clean.y == 0
    assert np.all(clean.values[sines, 1] > tb.OER_CAP_DB - 0.01)  # a pure sine: no even harmonics (10 ms fades aside)
    assert np.all(noisy.values[sines, 0] > clean.values[sines, 0])  # added white noise raises the centroid


def test_the_default_network_reaches_the_stated_accuracy():
    """The page states STATED_ACCURACY after STATED_EPOCHS with the default network and seeds."""
    s = tb.sound_set(500, 0.0, 0)
    sp = datasets.train_test_split(datasets.Points(tb.to_plane(s.values, tb.DEFAULT_FEATURES), s.y, "sounds"), 0.5, 0)
    keys = ("x1", "x2")
    net = pg.Network.initial((2, 4, 2, 4), [Phi("tanh")] * 2, seed=0, init="xavier")
    run = pg.Trainer(net, features.transform(sp.X_train, keys), sp.y_train, features.transform(sp.X_test, keys),
                     sp.y_test, "multiclass", 4, pg.Hyper(), seed=0, max_steps=tb.STATED_EPOCHS)
    first = run.history.last("test_acc")
    run.run(tb.STATED_EPOCHS)
    assert first < 0.5 <= tb.STATED_ACCURACY <= run.history.last("test_acc")


# ---------------------------------------------------------------------------------------------------------------
# WAV bytes -> clips -> features: one path for uploads and recordings
# ---------------------------------------------------------------------------------------------------------------


def wav(samples: np.ndarray | None = None, sr: int = SR, channels: int = 1, width: int = 2, seconds: float = 1.0,
        f0: float = 220.0) -> bytes:
    """A WAV file of any rate, channel count and sample width (a sine unless ``samples`` is given)."""
    x = np.sin(2 * np.pi * f0 * np.arange(int(round(seconds * sr))) / sr) if samples is None else samples
    x = np.repeat(x[:, None] * 0.5, channels, axis=1)
    if width == 1:
        raw = np.round(x * 127 + 128).astype(np.uint8).tobytes()
    elif width == 2:
        raw = np.round(x * 32767).astype("<i2").tobytes()
    else:
        ints = np.round(x * (2 ** (8 * width - 1) - 1)).astype("<i4")
        raw = b"".join(int(v).to_bytes(4, "little", signed=True)[:width] for v in ints.ravel())
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(sr)
        w.writeframes(raw)
    return buf.getvalue()


def float_wav(seconds: float = 1.0) -> bytes:
    """A 32-bit floating-point WAV (format 3), which the wave module cannot read."""
    data = np.zeros(int(SR * seconds), dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, SR, SR * 4, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


#: Every bad file and the words its message must contain.
BAD_FILES = {
    "empty": (b"", "empty"),
    "not audio": (b"x1,x2,label\n1,2,0\n" * 20, "not a WAV"),
    "random bytes": (bytes(range(256)) * 40, "not a WAV"),
    "too long": (wav(sr=8_000, seconds=12.0), "at most 10 s"),
    "8-bit": (wav(width=1), "8-bit"),
    "24-bit": (wav(width=3), "24-bit"),
    "stereo": (wav(channels=2), "2 channels"),
    "96 kHz": (wav(sr=96_000, seconds=0.5), "96 kHz"),
    "float": (float_wav(), "not plain PCM"),
    "too big": (b"RIFF" + b"\0" * (tb.MAX_WAV_BYTES + 1), "the limit is 2 MB"),
    "cut short header": (wav()[:30], "damaged"),
    "silent": (wav(samples=np.zeros(SR)), "silent"),
    "too short": (wav(seconds=0.1), "at least 0.3 s"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_every_bad_file_is_refused_in_plain_words(name):
    data, words = BAD_FILES[name]
    with pytest.raises(ValueError) as err:
        tb.clips_from_wav(data)
    message = str(err.value)
    assert words in message, message
    assert not any(c in message for c in "<>[]`*_|") and len(message) < 300  # fit for markdown: nothing echoed


def test_a_recording_becomes_clips_with_the_features_of_its_sound():
    """The recording path: WAV bytes as st.audio_input sends them -> clips -> features, quiet gaps skipped."""
    f = audio.snap(330.0)
    tone = audio.square(f, 1.2, SR) * 0.5
    x = np.concatenate([tone, np.zeros(int(0.6 * SR)), tone])
    clips = tb.clips_from_wav(wav(samples=x))
    assert clips.skipped >= 1 and len(clips.pcm) + clips.skipped == len(x) // tb.CLIP_LEN
    assert np.allclose(clips.values[:, 4], f, rtol=1e-3)  # pitch
    assert np.all(clips.values[:, 1] > 25)  # a square: odd harmonics far above the even
    assert clips.pcm.dtype == np.int16 and clips.pcm.shape[1] == tb.CLIP_LEN


@pytest.mark.parametrize("rate", [8_000, 16_000, 44_100, 48_000])
def test_other_rates_are_resampled_to_the_same_features(rate):
    clips = tb.clips_from_wav(wav(sr=rate, seconds=1.0, f0=441.0))
    assert np.allclose(clips.values[:, 4], 441.0, rtol=0.01)
    assert np.allclose(clips.values[:, 0], 441.0, rtol=0.03)


def test_a_long_file_gives_at_most_the_clip_cap():
    clips = tb.clips_from_wav(wav(seconds=10.0))
    assert len(clips.pcm) == tb.MAX_CLIPS_PER_FILE


def test_fast_fft_length_is_scipys():
    from scipy.fft import next_fast_len

    assert all(tb._fast_len(n) == next_fast_len(n, real=True) for n in range(1, 5000))


# ---------------------------------------------------------------------------------------------------------------
# A click on the listening map -> the clip and the network's answer
# ---------------------------------------------------------------------------------------------------------------


def _event(*points: dict) -> dict:
    """A selection event shaped like Streamlit's ``st.plotly_chart(on_select="rerun")`` state."""
    return {"selection": {"points": list(points), "point_indices": [0] * len(points), "box": [], "lasso": []}}


def test_a_click_on_a_data_point_picks_that_point_and_a_grid_click_the_snapped_place():
    X = np.array([[1.23, -2.5], [0.0, 4.0], [-5.9, 5.9]])
    assert tb.picked(_event({"x": 0.0, "y": 4.0, "customdata": 1, "curve_number": 2}), X) == tb.Pick(1, 0.0, 4.0)
    assert tb.picked(_event({"x": -5.9, "y": 5.9, "customdata": [2]}), X).point == 2  # px-style list customdata
    # The grid under the points: the place, snapped to the grid and kept on the plane
    assert tb.picked(_event({"x": 0.26, "y": -1.1, "customdata": -1}), X) == tb.Pick(None, 0.25, -1.0)
    assert tb.picked(_event({"x": 9.0, "y": -60.0, "customdata": -1}), X) == tb.Pick(None, 6.0, -6.0)
    # A data point wins over the grid place reported with it
    both = _event({"x": 0.25, "y": 4.0, "customdata": -1}, {"x": 0.0, "y": 4.0, "customdata": 1})
    assert tb.picked(both, X).point == 1
    # An index from before the data changed (its point is elsewhere now) is a click on the plane there
    assert tb.picked(_event({"x": 3.0, "y": 3.0, "customdata": 0}), X) == tb.Pick(None, 3.0, 3.0)
    for bad in [{}, None, _event(), _event({"x": float("nan"), "y": 0.0, "customdata": 0}),
                _event({"x": "1", "y": 0.0}), _event({"x": True, "y": 0.0}), {"selection": {"points": [5]}}]:
        assert tb.picked(bad, X) is None
    assert tb.picked(_event({"x": 1.23, "y": -2.5, "customdata": 7}), X).point is None  # out of range


def test_the_click_grid_covers_the_plane_at_its_step():
    g = tb.click_grid()
    n = round(2 * tb.PLANE_EXTENT / tb.CLICK_STEP) + 1
    assert g.shape == (n * n, 2) and g.min() == -tb.PLANE_EXTENT and g.max() == tb.PLANE_EXTENT
    assert np.allclose(np.diff(np.unique(g[:, 0])), tb.CLICK_STEP)
    # Every grid place is its own pick: the snapped sound cache sees only these
    X = np.zeros((0, 2))
    for x, y in g[:: 97]:
        assert tb.picked(_event({"x": float(x), "y": float(y), "customdata": -1}), X) == tb.Pick(None, x, y)


def _sound_data(pair=tb.DEFAULT_FEATURES, n=100):
    from nnviz.ui import sound_data
    from nnviz.views import timbre as views

    ss = views.synth_split(pair, n, 0.0, 0.5, 0)
    return sound_data.SoundData(ss.split, ("sounds", pair, n), pair, ("x₁", "x₂"), tuple(tb.CLASSES),
                                ss.train_index, ss.test_index, (n, 0.0, 0), None, None)


@pytest.mark.parametrize("pair", [tb.DEFAULT_FEATURES, ("pitch", "loudness"), ("zcr", "oer")])
def test_a_click_plays_the_clicked_sound_or_the_place_with_the_networks_answer(pair):
    """heard_click: a click on point j plays sound index[j] of the set (the same clip the data holds) with the
    answer for X[j]; a click off the data plays the sound synthesised for the place (its features measured back
    onto the plane) with the answer there; an unsynthesisable pair plays nothing and says why."""
    from nnviz.ui import sound_data

    data = _sound_data(pair)
    net = pg.Network.initial((2, 4, 4), [Phi("tanh")], seed=3)
    answer = sound_data.answerer(net, ("x1", "x2"), "multiclass", "nnviz", data.names)
    X = np.vstack([data.split.X_train, data.split.X_test])
    index = np.concatenate([data.train_index, data.test_index])
    s = tb.sound_set(100, 0.0, 0)
    for j in (0, len(data.split.X_train) + 3):
        got = sound_data.heard_click(data, _event({"x": float(X[j, 0]), "y": float(X[j, 1]), "customdata": j}),
                                     answer)
        back, sr = audio.read_wav(got.wav)
        assert sr == SR and len(back) == tb.CLIP_LEN
        np.testing.assert_allclose(back, s.clip(int(index[j])), atol=1 / 32768 + 1e-12)
        probs = pg.predict(net.logits(features.transform(X[j][None, :], ("x1", "x2"))), "multiclass")[0]
        assert got.caption == tb.answer_sentence(probs, list(data.names))
        assert list(tb.CLASSES)[int(np.concatenate([data.split.y_train, data.split.y_test])[j])] in got.heading
        assert ("training" in got.heading) == (j < len(data.split.X_train))
    got = sound_data.heard_click(data, _event({"x": 2.0, "y": -1.0, "customdata": -1}), answer)
    synth = tb.synth_from_features(pair, (2.0, -1.0))
    if synth is None:
        assert got.wav == b"" and got.caption == tb.unsynthesisable_sentence(pair)
        return
    back, _ = audio.read_wav(got.wav)
    np.testing.assert_allclose(back, synth.clip, atol=1 / 32768 + 1e-12)
    at = tb.to_plane(synth.measured[None, :], pair)[0]
    probs = pg.predict(net.logits(features.transform(at[None, :], ("x1", "x2"))), "multiclass")[0]
    assert got.caption == f"{synth.sentence} {tb.answer_sentence(probs, list(data.names))}"
    assert "(2.0, -1.0)" in got.heading
