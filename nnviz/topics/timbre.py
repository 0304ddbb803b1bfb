"""Sounds as data (the playground's sound set): short clips from a few timbre classes, five audio features
measured from each clip, and the map from two chosen features to the playground's plane and back.

A clip is a float64 array of samples in full-scale units at ``SR`` (22,050 Hz); a batch of clips is (n, L) with
L = ``CLIP_LEN`` samples (0.3 s). Features, measured by the same code for synthesised clips and for a
student's own recordings:

- spectral centroid c = sum_f f |X(f)| / sum_f |X(f)| (Hz), X the periodic-Hann-windowed DFT of the clip;
- odd-to-even harmonic ratio: energy of the odd harmonics (1, 3, 5, ...) over that of the even ones (2, 4, ...),
  up to harmonic ``N_HARMONICS`` below Nyquist, in dB (capped at ``OER_CAP_DB``: no even harmonics at all);
- zero-crossing rate: sign changes per sample (a sine crosses zero 2 f0 / sr times per sample);
- loudness: 20 log10(RMS) in dB of full scale (dBFS);
- pitch f0 = sr / P, P the lag where the clip best repeats (YIN's cumulative-mean-normalised difference).

Each feature is placed on the plane by a fixed map (log frequency for centroid, crossings and pitch; dB as
they are), from the range in ``FEATURES`` to [-5, 5]: the map does not depend on the data, so a point anywhere on
the plane names feature values, and for centroid, odd-to-even ratio, loudness and pitch a sound that has them
(``synth_from_features``).
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import wave
from dataclasses import dataclass

import numpy as np

from nnviz import audio

SR = audio.SR
CLIP_S = 0.3
CLIP_LEN = audio.n_samples(CLIP_S, SR)  # 6,615 samples
N_HARMONICS = 16
OER_CAP_DB = 40.0
F0_SEARCH = (50.0, 2_000.0)  # Hz: the pitches the estimator looks for
YIN_THRESHOLD = 0.15
PITCH_WINDOW = 2048  # samples the pitch is measured over (93 ms)
PLANE_HALF = 5.0  # each feature's range maps to [-5, 5]; the plane shows [-6, 6]

#: The timbre classes of the synthesised set: key -> what a student hears.
CLASSES: dict[str, str] = {
    "sine": "Sine (pure tone)",
    "square": "Square (odd harmonics)",
    "sawtooth": "Sawtooth (all harmonics)",
    "noise": "Noise (no pitch)",
}
PITCH_RANGE = (110.0, 880.0)  # Hz, log-uniform: A2 to A5
LEVEL_RANGE = (-30.0, -6.0)  # dBFS RMS, uniform


@dataclass(frozen=True)
class Feature:
    """One audio feature: key, name, unit, the range mapped to [-5, 5], whether that map is logarithmic, and
    whether a sound can be synthesised for a chosen value."""

    key: str
    name: str
    unit: str
    low: float
    high: float
    log: bool
    synthesisable: bool

    def to_plane(self, v: np.ndarray) -> np.ndarray:
        """Feature values (n,) -> plane coordinates (n,): low -> -5, high -> +5, clipped to [-6, 6]."""
        v = np.asarray(v, dtype=np.float64)
        if self.log:
            v = np.log(np.maximum(v, 1e-12))
            lo, hi = math.log(self.low), math.log(self.high)
        else:
            lo, hi = self.low, self.high
        return np.clip((v - lo) / (hi - lo) * 2 * PLANE_HALF - PLANE_HALF, -6.0, 6.0)

    def from_plane(self, u: np.ndarray) -> np.ndarray:
        """Plane coordinates (n,) -> feature values (n,), the inverse of ``to_plane`` inside [-6, 6]."""
        u = (np.asarray(u, dtype=np.float64) + PLANE_HALF) / (2 * PLANE_HALF)
        if self.log:
            return np.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)

    def how(self) -> str:
        """How this feature is placed on its axis, in words."""
        scale = "log scale" if self.log else "linear"
        return f"{self.name}: {_fmt(self.low, self.unit)} → −5, {_fmt(self.high, self.unit)} → +5 ({scale})"

    def fmt(self, v: float) -> str:
        return _fmt(v, self.unit)


def _fmt(v: float, unit: str) -> str:
    if unit == "Hz":
        return f"{v / 1000:.3g} kHz" if v >= 1000 else f"{v:.3g} Hz"
    if unit == "per s":
        return f"{v:,.0f} crossings/s"
    return f"{v:.1f} {unit}"


FEATURES: dict[str, Feature] = {f.key: f for f in (
    Feature("centroid", "spectral centroid", "Hz", 100.0, 8_000.0, True, True),
    Feature("oer", "odd-to-even harmonic ratio", "dB", -20.0, 50.0, False, True),
    Feature("zcr", "zero-crossing rate", "per s", 100.0, 11_025.0, True, False),
    Feature("loudness", "loudness (RMS)", "dBFS", -50.0, 0.0, False, True),
    Feature("pitch", "pitch", "Hz", 50.0, 2_000.0, True, True),
)}
FEATURE_KEYS = tuple(FEATURES)
DEFAULT_FEATURES = ("centroid", "oer")

#: With the playground's default network (2 hidden layers of 4 and 2 tanh units, SGD, lr 0.03, batch 10, x1 and
#: x2 in, weight seed 0) the default sound set (500 sounds, noise 0, half for training, data seed 0, centroid
#: and odd-to-even ratio) reaches at least this test accuracy after STATED_EPOCHS epochs (tests/test_timbre.py).
STATED_ACCURACY = 0.95
STATED_EPOCHS = 300


# ---------------------------------------------------------------------------------------------------------------
# Features of a batch of clips (n, L)
# ---------------------------------------------------------------------------------------------------------------


def _batch(clips: np.ndarray) -> np.ndarray:
    x = np.asarray(clips, dtype=np.float64)
    return x[None, :] if x.ndim == 1 else x


def spectral_centroid(clips: np.ndarray, sr: int = SR) -> np.ndarray:
    """c (n,) in Hz: the magnitude-weighted mean frequency of each clip's periodic-Hann-windowed DFT (0 if silent)."""
    x = _batch(clips)
    L = x.shape[1]
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(L) / L)  # periodic: a whole-period sine stays in 3 symmetric bins
    mag = np.abs(np.fft.rfft(x * w, axis=1))
    f = np.fft.rfftfreq(L, 1.0 / sr)
    total = mag.sum(axis=1)
    return np.where(total > 0, mag @ f / np.where(total > 0, total, 1.0), 0.0)


def zero_crossing_rate(clips: np.ndarray) -> np.ndarray:
    """Sign changes per sample (n,): the fraction of consecutive pairs with x[t-1] >= 0 > x[t] or the reverse."""
    s = _batch(clips) >= 0
    return np.count_nonzero(s[:, 1:] != s[:, :-1], axis=1) / s.shape[1]


def loudness_db(clips: np.ndarray) -> np.ndarray:
    """20 log10(RMS) (n,) in dBFS (full scale 1.0), never below -120."""
    x = _batch(clips)
    return audio.db(np.sqrt(np.mean(x * x, axis=1)), floor=-120.0)


def _fast_len(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n: a length numpy's FFT does quickly (scipy's next_fast_len without importing
    scipy on a first visit)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35 * (1 << max(0, (-(-n // p35) - 1).bit_length()))  # times the smallest power of 2 reaching n
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def period_lag(clips: np.ndarray, sr: int = SR) -> np.ndarray:
    """P (n,): the whole-sample lag at which each clip best repeats (over its first PITCH_WINDOW samples), searched
    over pitches in ``F0_SEARCH``.

    YIN: d(tau) = sum_t (x_t - x_{t+tau})^2 from autocorrelations (FFT), normalised by its running mean; the first
    lag below ``YIN_THRESHOLD`` followed down to its local minimum, else the smallest value (no clear pitch).
    Exact for a signal whose period is a whole number of samples (d(P) = 0).
    """
    x = _batch(clips)[:, :PITCH_WINDOW]  # ~4.6 periods of the lowest pitch sought: enough, and a third of the FFT
    n, L = x.shape
    tau_max = min(int(sr / F0_SEARCH[0]), L // 2)
    tau_min = max(2, int(sr / F0_SEARCH[1]))
    nfft = _fast_len(L + tau_max + 1)  # no wrap-around up to tau_max
    F = np.fft.rfft(x, n=nfft, axis=1)
    r = np.fft.irfft(F.real ** 2 + F.imag ** 2, n=nfft, axis=1)[:, :tau_max + 1]  # r(tau) = sum_t x_t x_{t+tau}
    sq = np.concatenate([np.zeros((n, 1)), np.cumsum(x * x, axis=1)], axis=1)  # sq[:, k] = sum_{t<k} x_t^2
    taus = np.arange(tau_max + 1)
    e_head = sq[:, L - taus]  # sum_{t < L - tau} x_t^2
    e_tail = sq[:, L:L + 1] - sq[:, taus]  # sum_{t >= tau} x_t^2
    d = np.maximum(e_head + e_tail - 2 * r, 0.0)
    d[:, 0] = 0.0
    running = np.cumsum(d[:, 1:], axis=1) / np.arange(1, tau_max + 1)
    cmnd = np.ones_like(d)
    cmnd[:, 1:] = np.where(running > 0, d[:, 1:] / np.where(running > 0, running, 1.0), 1.0)
    # YIN's rule, for every clip at once: the first lag below the threshold, then down to its local minimum
    c = cmnd[:, tau_min:]
    below = c < YIN_THRESHOLD
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    rising = np.concatenate([c[:, 1:] >= c[:, :-1], np.ones((n, 1), dtype=bool)], axis=1)  # c[t+1] >= c[t]
    rising &= np.arange(c.shape[1])[None, :] >= first[:, None]
    lags = tau_min + np.where(first >= 0, rising.argmax(axis=1), c.argmin(axis=1))
    return lags


def pitch_hz(clips: np.ndarray, sr: int = SR) -> np.ndarray:
    """f0 = sr / P (n,) in Hz (``period_lag``)."""
    return sr / period_lag(clips, sr)


def harmonic_amplitudes(clips: np.ndarray, lags: np.ndarray, n_harmonics: int = N_HARMONICS) -> np.ndarray:
    """a (n, n_harmonics): the peak amplitude of harmonic k = 1..n_harmonics of f0 = sr / P over the largest whole
    number m of periods P that fits (the DFT bin k m: the same numbers as ``audio.harmonics``); 0 above Nyquist.

    Bin k m of m P samples is bin k of their mean period (the m periods folded onto one), so one P-point DFT does.
    """
    x = _batch(clips)
    out = np.zeros((len(x), n_harmonics))
    k = np.arange(1, n_harmonics + 1)
    for i, (row, P) in enumerate(zip(x, np.asarray(lags, dtype=int), strict=True)):
        m = len(row) // P
        spec = np.fft.rfft(row[:m * P].reshape(m, P).mean(axis=0))
        ok = 2 * k < P  # strictly below Nyquist
        out[i, ok] = 2.0 / P * np.abs(spec[k[ok]])
    return out


def odd_even_ratio_db(a: np.ndarray) -> np.ndarray:
    """10 log10(sum of odd-harmonic energy / sum of even-harmonic energy) (n,) from amplitudes a (n, K) (column 0
    is harmonic 1), capped at +-``OER_CAP_DB`` (a ratio beyond it means one kind is practically absent)."""
    a2 = np.asarray(a, dtype=np.float64) ** 2
    odd, even = a2[:, 0::2].sum(axis=1), a2[:, 1::2].sum(axis=1)
    floor = 10 ** (-OER_CAP_DB / 10) * np.maximum(odd + even, 1e-300)
    return np.clip(10 * np.log10(np.maximum(odd, floor) / np.maximum(even, floor)), -OER_CAP_DB, OER_CAP_DB)


def measure(clips: np.ndarray, sr: int = SR) -> np.ndarray:
    """All five features of each clip: (n, 5) in the order of ``FEATURES`` (Hz, dB, crossings/s, dBFS, Hz)."""
    x = _batch(clips)
    lags = period_lag(x, sr)
    return np.stack([spectral_centroid(x, sr), odd_even_ratio_db(harmonic_amplitudes(x, lags)),
                     zero_crossing_rate(x) * sr, loudness_db(x), sr / lags], axis=1)


def to_plane(values: np.ndarray, pair: tuple[str, str]) -> np.ndarray:
    """Feature table (n, 5) -> points (n, 2) on the plane for the chosen feature pair (x1, x2)."""
    cols = [FEATURE_KEYS.index(k) for k in pair]
    return np.stack([FEATURES[k].to_plane(values[:, c]) for k, c in zip(pair, cols, strict=True)], axis=1)


def check_pair(pair: tuple[str, str]) -> tuple[str, str]:
    """``pair`` if it names two different features, else a plain ValueError."""
    if len(pair) != 2 or pair[0] == pair[1] or any(k not in FEATURES for k in pair):
        raise ValueError("Choose two different audio features, one for each axis.")
    return pair


# ---------------------------------------------------------------------------------------------------------------
# The synthesised set
# ---------------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _one_period(kind: str, P: int) -> np.ndarray:
    """One period (P,) of a band-limited wave at f0 = SR / P (read-only: it is shared)."""
    one = audio.WAVES[kind](SR / P, P / SR, SR)
    one.setflags(write=False)
    return one


def synth_many(kinds: list[str], f0: np.ndarray, level_db: np.ndarray, noise: float, seeds: np.ndarray) -> np.ndarray:
    """Clips (n, CLIP_LEN): sound i of class kinds[i] at pitch snap(f0[i]), its RMS at level_db[i] dBFS, with white
    noise of RMS ``noise`` x the clip's RMS added from its own seed; band-limited, 10 ms fades."""
    t = np.arange(CLIP_LEN)
    out = np.empty((len(kinds), CLIP_LEN))
    for i, kind in enumerate(kinds):
        if kind not in CLASSES:
            raise ValueError(f"Unknown sound class {kind!r}.")
        rng = np.random.default_rng(int(seeds[i]))
        if kind == "noise":
            x = rng.uniform(-1.0, 1.0, CLIP_LEN)
        else:
            P = audio.period_samples(float(f0[i]), SR)
            x = _one_period(kind, P)[t % P]
        x = x / max(audio.rms(x), 1e-12)
        if noise > 0:
            z = rng.standard_normal(CLIP_LEN)
            x += noise * z / audio.rms(z)
        out[i] = x * 10 ** (float(level_db[i]) / 20)
    return out * audio.fade(np.ones(CLIP_LEN))


def synth(kind: str, f0: float, level_db: float, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """One clip (CLIP_LEN,) (``synth_many`` for one sound)."""
    return synth_many([kind], np.array([f0]), np.array([level_db]), noise, np.array([seed]))[0]


@dataclass(frozen=True)
class SoundSet:
    """The synthesised set: per sound its class y (n,), pitch f0 (n,) Hz, level (n,) dBFS and seed (n,), and
    the five measured features (n, 5); ``noise`` is the added noise's share of each clip's RMS."""

    y: np.ndarray
    f0: np.ndarray
    level: np.ndarray
    seeds: np.ndarray
    values: np.ndarray
    noise: float

    def clip(self, i: int) -> np.ndarray:
        """Sound i (CLIP_LEN,), synthesised again from its parameters (clips are not kept: 1,000 would be 53 MB)."""
        return synth(list(CLASSES)[int(self.y[i])], float(self.f0[i]), float(self.level[i]), self.noise,
                     int(self.seeds[i]))


MAX_SOUNDS = 500  # a fresh set of 500 is measured in ~0.3 s of one core; 1,000 took too long for a widget change
BLOCK = 100  # sounds are drawn and measured in blocks of 100 (a multiple of the 4 classes), each from its own seed


def sound_block(b: int, noise: float = 0.0, seed: int = 0) -> SoundSet:
    """Sounds BLOCK b .. BLOCK (b + 1) - 1 of the set: classes in turn (sine, square, sawtooth, noise, sine, ...),
    pitch log-uniform in PITCH_RANGE (snapped), level uniform in LEVEL_RANGE, drawn from (seed, b); features
    measured from the clips. A larger set is more blocks, so the first n sounds never change with n."""
    if not 0.0 <= noise <= 0.5:
        raise ValueError("Noise is a fraction between 0 and 0.5.")
    rng = np.random.default_rng([int(seed), int(b)])
    y = np.arange(BLOCK) % len(CLASSES)
    f0 = np.array([audio.snap(f) for f in np.exp(rng.uniform(*np.log(PITCH_RANGE), BLOCK))])
    level = rng.uniform(*LEVEL_RANGE, BLOCK)
    seeds = rng.integers(0, 2**31, BLOCK)
    clips = synth_many([list(CLASSES)[c] for c in y], f0, level, noise, seeds)
    return SoundSet(y, f0, level, seeds, measure(clips), noise)


def join(blocks: list[SoundSet], n: int) -> SoundSet:
    """The first n sounds of consecutive blocks."""
    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(b, name) for b in blocks])[:n]
    return SoundSet(cat("y"), cat("f0"), cat("level"), cat("seeds"), cat("values"), blocks[0].noise)


def sound_set(n: int = 500, noise: float = 0.0, seed: int = 0) -> SoundSet:
    """n sounds (4 to 2,000): the first n of ``sound_block`` 0, 1, ..."""
    if not 4 <= n <= 2_000:
        raise ValueError("Choose between 4 and 2,000 sounds.")
    return join([sound_block(b, noise, seed) for b in range(-(-n // BLOCK))], n)


# ---------------------------------------------------------------------------------------------------------------
# A sound for a point of the plane: harmonics a_k = k^-p (odd k), e k^-p (even k), pitch f0, RMS level
# ---------------------------------------------------------------------------------------------------------------

DEFAULTS = {"pitch": 220.0, "loudness": -18.0}
_P_GRID = np.linspace(0.0, 6.0, 61)  # spectral slope p: 0 (flat, bright) to 6 (nearly a sine)


def _amps(f0: float, p: float, e: float) -> np.ndarray:
    P = audio.period_samples(f0, SR)
    k = np.arange(1, (P - 1) // 2 + 1)
    return np.where(k % 2 == 1, 1.0, e) * k ** -p


def _theory(f0: float, p: float, e: float) -> tuple[float, float]:
    """Centroid (Hz) and odd-to-even ratio (dB) of the additive sound, from its harmonics."""
    a = _amps(f0, p, e)
    k = np.arange(1, len(a) + 1)
    centroid = audio.snap(f0) * float((k * np.abs(a)).sum() / np.abs(a).sum())
    return centroid, float(odd_even_ratio_db(a[None, :N_HARMONICS])[0])


@dataclass(frozen=True)
class Synthesised:
    """The sound a plane point describes: its clip (CLIP_LEN,), the features asked for and those measured from it
    (both (5,), NaN where not asked), and the sentence saying how close it came."""

    clip: np.ndarray
    asked: np.ndarray
    measured: np.ndarray
    sentence: str


def synth_from_features(pair: tuple[str, str], point: tuple[float, float]) -> Synthesised | None:
    """A harmonic sound whose chosen features are those of ``point`` on the plane, or None if a feature of the
    pair cannot be synthesised (zero-crossing rate: it depends on the harmonics' phases as much as on them).

    Pitch and loudness are set directly (defaults 220 Hz, -18 dBFS when not asked); the odd-to-even ratio sets
    the even harmonics' weight e; the centroid picks the spectral slope p nearest to it on a grid. Features the
    family cannot reach (a centroid below the pitch; a loudness at which a peaky sound would clip, so it is
    turned down) come out as near as it gets, and the sentence says so.
    """
    check_pair(pair)
    if not all(FEATURES[k].synthesisable for k in pair):
        return None
    asked = np.full(len(FEATURES), np.nan)
    for k, u in zip(pair, point, strict=True):
        asked[FEATURE_KEYS.index(k)] = float(FEATURES[k].from_plane(np.array([u]))[0])
    want = dict(zip(FEATURE_KEYS, asked, strict=True))
    f0 = audio.snap(float(np.clip(want["pitch"] if "pitch" in pair else DEFAULTS["pitch"], 50.0, 1_900.0)))
    level = float(np.clip(want["loudness"], -80, -1)) if "loudness" in pair else DEFAULTS["loudness"]
    target = 10 ** (want["oer"] / 10) if "oer" in pair else None

    def e_of_p(p: float) -> float:
        """The even harmonics' weight: 1, or the one giving odd / (e^2 even) = target over the measured ones."""
        if target is None:
            return 1.0
        k = np.arange(1, min(N_HARMONICS, len(_amps(f0, p, 1.0))) + 1)
        odd, even = (k[k % 2 == 1] ** (-2 * p)).sum(), (k[k % 2 == 0] ** (-2 * p)).sum()
        return float(np.clip(math.sqrt(odd / (target * even)) if even > 0 else 0.0, 0.0, 10.0))
    if "centroid" in pair:
        def miss(p: float) -> float:
            return abs(math.log(_theory(f0, p, e_of_p(p))[0] / want["centroid"]))

        p = min(_P_GRID, key=miss)  # coarse, then fine around the best
        p = float(min(np.linspace(max(0.0, p - 0.1), p + 0.1, 21), key=miss))
    else:
        p = 1.0
    a = _amps(f0, p, e_of_p(p))
    P = audio.period_samples(f0, SR)
    one = np.sin(np.outer(2 * np.pi * np.arange(P) / P, np.arange(1, len(a) + 1))) @ a
    x = np.tile(one, -(-CLIP_LEN // P))[:CLIP_LEN]
    x = x / max(audio.rms(x), 1e-12) * 10 ** (level / 20)
    x = audio.fade(x * min(1.0, 0.99 / float(np.max(np.abs(x)))))  # a peaky sound is turned down to fit the WAV
    measured = measure(x)[0]
    return Synthesised(x, asked, measured, synth_sentence(pair, asked, measured))


def synth_sentence(pair: tuple[str, str], asked: np.ndarray, measured: np.ndarray) -> str:
    """Says, per chosen feature, what was asked and what the sound has; flags a miss of more than 10 %
    (frequencies, by ratio) or 2 dB."""
    parts, missed = [], []
    for k in pair:
        f, i = FEATURES[k], FEATURE_KEYS.index(k)
        a, m = float(asked[i]), float(measured[i])
        far = abs(math.log(m / a)) > math.log(1.1) if f.log else abs(m - a) > 2.0
        parts.append(f"{f.name} {f.fmt(m)}" + (f" (asked {f.fmt(a)})" if far else ""))
        if far:
            missed.append(f.name)
    head = "This sound has " + " and ".join(parts) + "."
    if missed:
        return head + (f" No harmonic sound of this family reaches the asked {' and '.join(missed)}: "
                       "this is the nearest it gets.")
    return head


# ---------------------------------------------------------------------------------------------------------------
# A student's own sounds: bounded WAV bytes -> clips -> features
# ---------------------------------------------------------------------------------------------------------------

MAX_WAV_BYTES = 2_000_000
MAX_WAV_SECONDS = 10.0
MIN_WAV_SECONDS = CLIP_S
WAV_RATES = (8_000, 48_000)
SILENT_DB = -50.0  # clips quieter than this are gaps, not sounds
MAX_CLIPS_PER_FILE = 33
MIN_CLIPS_PER_CLASS = 4
MAX_FILES_PER_CLASS = 8
MAX_CLASSES = 4


def read_wav_checked(data: bytes) -> tuple[np.ndarray, int]:
    """Samples (n,) in [-1, 1] and the rate of a WAV file, or a ValueError in plain words.

    Everything is checked before a sample is read: size (<= MAX_WAV_BYTES), the RIFF/WAVE header, PCM, 16 bits,
    one channel, rate between 8 and 48 kHz, length between CLIP_S and MAX_WAV_SECONDS. No message quotes the file.
    """
    if len(data) == 0:
        raise ValueError("The file is empty.")
    if len(data) > MAX_WAV_BYTES:
        raise ValueError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_WAV_BYTES / 1e6:.0f} MB "
                         f"(about {MAX_WAV_SECONDS:g} seconds).")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("This is not a WAV file. Save or export the sound as WAV (16-bit PCM, mono).")
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate, frames = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            if width != 2:
                raise ValueError(f"This WAV has {8 * width}-bit samples; only 16-bit PCM is read. Export it as "
                                 "16-bit.")
            if channels != 1:
                raise ValueError(f"This WAV has {channels} channels; only mono is read. Export it as mono (one "
                                 "channel).")
            if not WAV_RATES[0] <= rate <= WAV_RATES[1]:
                raise ValueError(f"This WAV's sample rate is {rate / 1000:g} kHz; rates from "
                                 f"{WAV_RATES[0] / 1000:g} to {WAV_RATES[1] / 1000:g} kHz are read. Export it at "
                                 "44.1 or 48 kHz.")
            seconds = frames / rate
            if seconds > MAX_WAV_SECONDS:
                raise ValueError(f"The sound lasts {seconds:.1f} s; at most {MAX_WAV_SECONDS:g} s is read. Cut it "
                                 "shorter.")
            pcm = np.frombuffer(w.readframes(frames), dtype="<i2")
    except (wave.Error, EOFError) as err:
        if "unknown format" in str(err):
            raise ValueError("This WAV is not plain PCM (it may be floating-point or compressed); export it as "
                             "16-bit PCM.") from None
        raise ValueError("This WAV file is damaged: its header cannot be read.") from None
    if len(pcm) == 0:
        raise ValueError("The file holds no sound (zero samples).")
    if len(pcm) / rate < MIN_WAV_SECONDS:
        raise ValueError(f"The sound lasts {len(pcm) / rate:.2f} s; at least {MIN_WAV_SECONDS:g} s is needed for "
                         "one clip.")
    return pcm.astype(np.float64) / 32768.0, rate


def resample_to_sr(x: np.ndarray, rate: int) -> np.ndarray:
    """x at ``rate`` -> x at SR (polyphase, scipy), the same duration."""
    if rate == SR:
        return x
    from scipy.signal import resample_poly

    g = math.gcd(SR, rate)
    return resample_poly(x, SR // g, rate // g)


@dataclass(frozen=True)
class Clips:
    """Clips cut from a file: samples (m, CLIP_LEN) as int16 (compact), their features (m, 5), how many quiet
    ones were skipped, and a digest of the file."""

    pcm: np.ndarray
    values: np.ndarray
    skipped: int
    digest: str

    def clip(self, i: int) -> np.ndarray:
        return self.pcm[i].astype(np.float64) / 32768.0


def clips_from_wav(data: bytes) -> Clips:
    """WAV bytes -> consecutive CLIP_S clips at SR, quiet ones (below SILENT_DB) dropped, at most
    MAX_CLIPS_PER_FILE, each measured. The one path for uploads and recordings. ValueError in plain words."""
    x, rate = read_wav_checked(data)
    x = resample_to_sr(x - x.mean(), rate)
    m = min(len(x) // CLIP_LEN, MAX_CLIPS_PER_FILE)
    clips = x[:m * CLIP_LEN].reshape(m, CLIP_LEN)
    loud = loudness_db(clips) > SILENT_DB
    if not loud.any():
        raise ValueError(f"The sound is silent (every {CLIP_S:g} s piece is quieter than {SILENT_DB:g} dBFS). "
                         "Record closer to the microphone or turn the level up.")
    kept = clips[loud]
    pcm = np.round(np.clip(kept, -1.0, 32767 / 32768) * 32768).astype(np.int16)
    return Clips(pcm, measure(kept), int((~loud).sum()), hashlib.sha1(data).hexdigest()[:16])


def unsynthesisable_sentence(pair: tuple[str, str]) -> str:
    """Why no sound is played for a point of this plane."""
    names = [FEATURES[k].name for k in pair if not FEATURES[k].synthesisable]
    return (f"No sound is made for a point here: many different sounds share a {' and '.join(names)} (it depends "
            "on how the harmonics line up as much as on which are there). Pick other features to hear any point.")


def answer_sentence(probs: np.ndarray, names: list[str]) -> str:
    """The network's answer for one sound: probabilities (k,) of the classes ``names`` (k,), or P(class 1) (1,)
    for two classes -> "The network hears square (87 %)" (and the runner-up when it is above 20 %)."""
    p = np.asarray(probs, dtype=np.float64).ravel()
    if len(p) == 1:
        p = np.array([1.0 - p[0], p[0]])
    order = np.argsort(-p)
    best, second = int(order[0]), int(order[1])
    text = f"The network hears {names[best]} ({100 * p[best]:.0f} %)"
    if p[second] > 0.2:
        text += f", or else {names[second]} ({100 * p[second]:.0f} %)"
    return text + "."


# ---------------------------------------------------------------------------------------------------------------
# A click on the listening map
# ---------------------------------------------------------------------------------------------------------------

PLANE_EXTENT = 6.0  # the plane shows [-6, 6] on both axes
CLICK_STEP = 0.25  # the listening map's invisible grid: a click off the data lands on the nearest of its points
PICK_TOLERANCE = 1e-6  # a clicked data point's reported (x, y) must be its own, else the click is stale


@dataclass(frozen=True)
class Pick:
    """What a click on the listening map asks to hear: data point ``point`` (its row in the stacked training
    then test points), or, when ``point`` is None, the sound the plane point (x1, x2) describes."""

    point: int | None
    x1: float
    x2: float


def click_grid(step: float = CLICK_STEP, extent: float = PLANE_EXTENT) -> np.ndarray:
    """The listening map's grid of clickable places (m, 2), m = (2 extent / step + 1)^2, row-major in x2."""
    u = np.round(np.arange(-extent, extent + step / 2, step), 6)
    g1, g2 = np.meshgrid(u, u)
    return np.stack([g1.ravel(), g2.ravel()], axis=1)


def _index(customdata) -> int | None:
    """A point's customdata as Streamlit reports it (an int, or a one-item list) -> int, else None."""
    if isinstance(customdata, list | tuple):
        customdata = customdata[0] if len(customdata) == 1 else None
    if isinstance(customdata, bool) or not isinstance(customdata, int | float) or not math.isfinite(customdata):
        return None
    return int(customdata) if float(customdata).is_integer() else None


def picked(event, X: np.ndarray, step: float = CLICK_STEP) -> Pick | None:
    """The Pick a selection event of the listening map asks for, or None (no point selected, or nothing usable).

    ``event``: what ``st.plotly_chart(on_select="rerun")`` returns, or a dict shaped like it
    ``{"selection": {"points": [{"x": .., "y": .., "customdata": j}, ...]}}``; a data point carries its row j
    of ``X`` (n, 2) as customdata, a grid place -1. A data point wins over a grid place in the same event; a
    data point whose (x, y) is not X[j] (an event from before the data changed) counts as a click on the plane.
    The plane point is clipped to the plane and snapped to the grid, so only grid places reach the sound cache.
    """
    try:
        points = list(event["selection"]["points"])
    except (KeyError, TypeError):
        return None
    plane = None
    for pt in points:
        if not hasattr(pt, "get"):  # a dict, or Streamlit's attribute dict
            continue
        x, y = pt.get("x"), pt.get("y")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y)):
            continue
        j = _index(pt.get("customdata"))
        if j is not None and 0 <= j < len(X) and np.allclose(X[j], (x, y), atol=PICK_TOLERANCE, rtol=1e-9):
            return Pick(j, float(X[j, 0]), float(X[j, 1]))
        if plane is None:
            u = np.clip(np.round(np.array([x, y], dtype=float) / step) * step, -PLANE_EXTENT, PLANE_EXTENT)
            plane = Pick(None, float(round(u[0], 6)), float(round(u[1], 6)))
    return plane
