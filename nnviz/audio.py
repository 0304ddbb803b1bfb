"""The sound core: synthesise short test signals, shape them with an activation, measure their harmonics,
and write WAV bytes that keep their level.

Every signal is a float64 numpy array of samples in "full scale" units (1.0 is the loudest a WAV can hold),
shape (n,), at sample rate ``sr`` (22,050 Hz unless said). Periodic test signals are synthesised at a pitch
whose period is a whole number of samples, f0 = sr / P (see ``snap``), so a measurement over whole periods is
exact (the discrete Fourier transform of P-periodic samples has no leakage). What you hear is the maths:
oversample before a nonlinearity so its harmonics above Nyquist do not fold back (``shape(..., oversample=4)``),
and compare clips at matched loudness (``match_rms``) so louder is never mistaken for richer.
"""

from __future__ import annotations

import functools
import io
import math
import wave
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the registry loads torch: only a clip that goes through a nonlinearity pays for it
    from nnviz.activations import Phi

SR = 22_050  # Hz: a quarter of the CD rate, ample for harmonics up to 11 kHz and cheap to compute
MAX_SECONDS = 5.0
F0_RANGE = (20.0, 2_000.0)  # Hz: the lowest audible pitch to the top of a piano's useful range
GAIN_RANGE = (0.0, 50.0)
BIAS_RANGE = (-10.0, 10.0)
FADE_S = 0.010  # 10 ms raised-cosine fades: long enough not to click, short enough not to be heard as a swell
OVERSAMPLE = 4


# ---------------------------------------------------------------------------------------------------------------
# Bounds
# ---------------------------------------------------------------------------------------------------------------


def _check(name: str, value: float, low: float, high: float, unit: str = "") -> float:
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"The {name} must be between {low:g} and {high:g}{unit}; got {value:g}{unit}.")
    return value


def check_seconds(seconds: float) -> float:
    """``seconds`` if it is a clip length nnviz plays (0 < seconds <= MAX_SECONDS), else a plain ValueError."""
    seconds = float(seconds)
    if not math.isfinite(seconds) or not 0.0 < seconds <= MAX_SECONDS:
        raise ValueError(f"A clip lasts more than 0 and at most {MAX_SECONDS:g} seconds; got {seconds:g} s.")
    return seconds


def check_f0(f0: float) -> float:
    """``f0`` if it is within F0_RANGE (Hz), else a plain ValueError."""
    return _check("pitch f0", f0, *F0_RANGE, " Hz")


def _check_sr(sr: int) -> int:
    if int(sr) != sr or not 8_000 <= sr <= 96_000:
        raise ValueError(f"The sample rate must be a whole number of Hz between 8,000 and 96,000; got {sr}.")
    return int(sr)


def n_samples(seconds: float, sr: int = SR) -> int:
    """Samples in a clip of ``seconds`` at ``sr`` Hz (both checked), rounded to the nearest whole sample."""
    return int(round(check_seconds(seconds) * _check_sr(sr)))


# ---------------------------------------------------------------------------------------------------------------
# Synthesis
# ---------------------------------------------------------------------------------------------------------------


def period_samples(f0: float, sr: int = SR) -> int:
    """P, the whole number of samples nearest to one period of f0 (at least 2)."""
    return max(2, int(round(_check_sr(sr) / check_f0(f0))))


def snap(f0: float, sr: int = SR) -> float:
    """The pitch nearest to ``f0`` whose period is a whole number of samples: sr / P (220 Hz -> 220.5 Hz)."""
    return _check_sr(sr) / period_samples(f0, sr)


def tile(one_period: np.ndarray, n: int) -> np.ndarray:
    """Repeat one period (or a whole number of periods) (P,) to n samples (n,)."""
    reps = -(-n // len(one_period))
    return np.tile(one_period, reps)[:n]


def sine(f0: float, seconds: float = 1.0, sr: int = SR, amplitude: float = 1.0, phase: float = 0.0) -> np.ndarray:
    """amplitude * sin(2 pi f t + phase) at f = snap(f0), t = n / sr; (n,) with n = seconds * sr."""
    P = period_samples(f0, sr)
    theta = 2.0 * np.pi * np.arange(P) / P + phase
    return tile(amplitude * np.sin(theta), n_samples(seconds, sr))


def _additive(f0: float, seconds: float, sr: int, amp_of_k) -> np.ndarray:
    """sum_k amp_of_k(k) sin(k theta) over the harmonics below Nyquist: a band-limited periodic wave (n,)."""
    P = period_samples(f0, sr)
    theta = 2.0 * np.pi * np.arange(P) / P
    k = np.arange(1, (P - 1) // 2 + 1)  # k f0 < sr / 2 strictly
    one = np.sin(np.outer(theta, k)) @ amp_of_k(k)
    return tile(one, n_samples(seconds, sr))


def square(f0: float, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    """Band-limited square wave of peak amplitude about 1: (4/pi) sum_{odd k} sin(k theta) / k."""
    return _additive(f0, seconds, sr, lambda k: np.where(k % 2 == 1, 4.0 / (np.pi * k), 0.0))


def sawtooth(f0: float, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    """Band-limited sawtooth rising from -1 to 1: (2/pi) sum_k (-1)^(k+1) sin(k theta) / k."""
    return _additive(f0, seconds, sr, lambda k: 2.0 / np.pi * (-1.0) ** (k + 1) / k)


def triangle(f0: float, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    """Band-limited triangle of peak 1: (8/pi^2) sum_{odd k} (-1)^((k-1)/2) sin(k theta) / k^2."""
    return _additive(f0, seconds, sr,
                     lambda k: np.where(k % 2 == 1, 8.0 / np.pi**2 * (-1.0) ** ((k - 1) // 2) / k**2, 0.0))


WAVES = {"sine": sine, "square": square, "sawtooth": sawtooth, "triangle": triangle}


def pluck(f0: float, seconds: float = 1.5, sr: int = SR, decay: float = 0.996, seed: int = 0) -> np.ndarray:
    """A plucked string (Karplus-Strong): a noise burst through a delay line of P samples with a two-point average.

    y[n] = decay * (y[n - P] + y[n - P - 1]) / 2, started from P samples of seeded uniform noise in [-1, 1]
    (mean removed). The averaging adds half a sample of delay, so the pitch is sr / (P + 1/2) with
    P = round(sr / f0 - 1/2). Returns (n,), peak at most 1.
    """
    check_f0(f0)
    sr = _check_sr(sr)
    if not 0.9 <= decay <= 1.0:
        raise ValueError(f"The string's decay per period must be between 0.9 and 1; got {decay:g}.")
    n = n_samples(seconds, sr)
    P = max(2, int(round(sr / f0 - 0.5)))
    rng = np.random.default_rng(seed)
    block = rng.uniform(-1.0, 1.0, P)
    block -= block.mean()
    blocks = [block]
    last = 0.0  # y[n - P - 1] for the first sample of a block: the last sample two blocks back
    while len(blocks) * P < n:  # one period at a time: vectorised inside a period (each depends on the last)
        prev = blocks[-1]
        shifted = np.concatenate(([last], prev[:-1]))
        last = prev[-1]
        blocks.append(decay * 0.5 * (prev + shifted))
    y = np.concatenate(blocks)[:n]
    return y / max(1.0, float(np.max(np.abs(y))))


def pluck_f0(f0: float, sr: int = SR) -> float:
    """The pitch ``pluck(f0)`` actually sounds at: sr / (P + 1/2)."""
    check_f0(f0)
    return sr / (max(2, int(round(sr / f0 - 0.5))) + 0.5)


# ---------------------------------------------------------------------------------------------------------------
# Shaping: phi sample by sample
# ---------------------------------------------------------------------------------------------------------------


def as_phi(phi: Phi | str, **params: float) -> Phi:
    """A ``Phi`` from a ``Phi`` or a registry key (plus its parameters)."""
    from nnviz.activations import Phi

    return phi if isinstance(phi, Phi) else Phi(phi, **params)


@functools.lru_cache(maxsize=4)
def _lowpass(factor: int, sr: int) -> np.ndarray:
    """The FIR low-pass used at ``factor`` times ``sr``: flat to 9.5 kHz (at 22,050 Hz), -105 dB from 11,025 Hz.

    scipy's default for resample_poly (21 taps per phase) starts rolling off far below Nyquist (a 9 kHz
    harmonic lost 3%); 128 taps per phase keep the audible band flat.
    """
    from scipy.signal import firwin  # scipy only where a page oversamples

    h = firwin(128 * factor - 1, 0.467 * sr, fs=factor * sr, window=("kaiser", 10.0))
    h.setflags(write=False)
    return h


def resample_up(x: np.ndarray, factor: int, sr: int = SR) -> np.ndarray:
    """x (n,) at ``factor`` times the rate, (factor * n,), by a polyphase low-pass filter."""
    from scipy.signal import resample_poly

    return resample_poly(x, factor, 1, window=_lowpass(factor, sr))


def resample_down(x: np.ndarray, factor: int, sr: int = SR) -> np.ndarray:
    """x (factor * n,) back to the rate ``sr``, (n,), removing everything above its Nyquist first."""
    from scipy.signal import resample_poly

    return resample_poly(x, 1, factor, window=_lowpass(factor, sr))


def shape(signal: np.ndarray, phi: Phi | str, gain: float = 1.0, bias: float = 0.0, oversample: int = 1,
          loop: bool = False, sr: int = SR, **params: float) -> np.ndarray:
    """phi(gain * signal + bias) sample by sample, raw: no normalisation, no DC removal. (n,) -> (n,).

    With ``oversample`` = m > 1 the signal is first raised to m times the rate, shaped there, and brought back
    through a low-pass filter, so harmonics the nonlinearity creates between the base Nyquist and m times it
    are removed instead of folding back as inharmonic tones (the audible band, to 9.5 kHz at 22,050 Hz, is
    kept flat). The filters start up over the first and last 3 ms (covered by a clip's fades); with
    ``loop=True`` a signal of whole periods is wrapped round instead, so it stays exactly periodic (for
    measuring harmonics).
    """
    gain = _check("gain g", gain, *GAIN_RANGE)
    bias = _check("bias b", bias, *BIAS_RANGE)
    if oversample not in (1, 2, 4, 8):
        raise ValueError(f"Oversampling is 1, 2, 4 or 8 times; got {oversample}.")
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError("The signal must be a one-dimensional array of finite samples.")
    p = as_phi(phi, **params)
    if oversample == 1:
        return p.numpy(gain * x + bias)
    pad = min(len(x), 512)  # the filters' start-up falls in these samples, which are cut off again
    padded = np.concatenate((x[-pad:], x, x[:pad]) if loop else (np.zeros(pad), x, np.zeros(pad)))
    y = resample_down(p.numpy(gain * resample_up(padded, oversample, sr) + bias), oversample, sr)
    return y[pad:pad + len(x)]


# ---------------------------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------------------------


def harmonics(signal: np.ndarray, f0: float, sr: int = SR, n: int = 16, start: int = 0) -> np.ndarray:
    """a (n + 1,): a[0] the mean (DC), a[k] the peak amplitude of the sinusoid at k f0, over whole periods.

    The window starts at sample ``start`` and holds the largest whole number m of periods that fits, of
    L = round(m sr / f0) samples; a[k] = (2 / L) |sum_t x[t] exp(-2 pi i k f0 t / sr)|. Exact (a DFT bin)
    when sr / f0 is a whole number of samples, as for every signal synthesised here.
    """
    x = np.asarray(signal, dtype=np.float64)[start:]
    period = _check_sr(sr) / float(f0)
    m = int(len(x) // period)
    if m < 1 or n < 1:
        raise ValueError("To measure harmonics the signal must hold at least one whole period (and n >= 1).")
    L = int(round(m * period))
    x = x[:L]
    t = np.arange(L)
    k = np.arange(1, n + 1)
    # project on exp(-i k omega t) for the harmonics; an exact DFT bin when L = m P with whole P
    phasors = np.exp(-2j * np.pi * np.outer(k, t) * f0 / sr) if n * L <= 4_000_000 else None
    if phasors is not None:
        ak = 2.0 / L * np.abs(phasors @ x)
    else:
        ak = np.array([2.0 / L * abs(np.dot(np.exp(-2j * np.pi * kk * t * f0 / sr), x)) for kk in k])
    return np.concatenate(([x.mean()], ak))


def db(amplitude: np.ndarray | float, ref: float = 1.0, floor: float = -140.0) -> np.ndarray:
    """20 log10(amplitude / ref), never below ``floor`` (so a zero shows as the floor, not -inf)."""
    a = np.abs(np.asarray(amplitude, dtype=np.float64)) / ref
    return np.maximum(20.0 * np.log10(np.maximum(a, 1e-300)), floor)


def rms(x: np.ndarray) -> float:
    """Root mean square of the samples (with DC)."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if len(x) else 0.0


def component(signal: np.ndarray, f: float, sr: int = SR) -> float:
    """Peak amplitude of the sinusoid at ``f`` Hz in the whole signal, Hann-windowed (for off-harmonic leaks)."""
    x = np.asarray(signal, dtype=np.float64)
    w = np.hanning(len(x))
    t = np.arange(len(x))
    return float(2.0 * abs(np.dot(w * x, np.exp(-2j * np.pi * f * t / sr))) / w.sum())


# ---------------------------------------------------------------------------------------------------------------
# Playback: WAV bytes that keep the level; a playable version that says what it changed
# ---------------------------------------------------------------------------------------------------------------


def wav_bytes(samples: np.ndarray, sr: int = SR) -> bytes:
    """16-bit PCM mono WAV of ``samples`` (n,), clipped to [-1, 1] and never rescaled: 1.0 -> 32767.

    Two clips written here keep their relative loudness (``st.audio`` given a numpy array would rescale each
    one to its own peak and hide what a change did to the level).
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError("A clip must be a one-dimensional array of finite samples.")
    if len(x) > MAX_SECONDS * _check_sr(sr) + 1:
        raise ValueError(f"A clip lasts at most {MAX_SECONDS:g} seconds.")
    pcm = np.round(np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Samples (n,) in [-1, 1] and the sample rate of 16-bit mono WAV bytes (the inverse of ``wav_bytes``)."""
    with wave.open(io.BytesIO(data), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError("Only 16-bit mono WAV files are read here.")
        sr = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float64) / 32767.0, sr


def fade(samples: np.ndarray, sr: int = SR, seconds: float = FADE_S) -> np.ndarray:
    """A copy of ``samples`` with raised-cosine fades in and out of ``seconds`` each, so the clip never clicks."""
    y = np.array(samples, dtype=np.float64, copy=True)
    m = min(int(round(seconds * sr)), len(y) // 2)
    if m > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(m) / m)
        y[:m] *= ramp
        y[len(y) - m:] *= ramp[::-1]
    return y


def playable(samples: np.ndarray, sr: int = SR, peak: float = 0.9) -> tuple[np.ndarray, str]:
    """The version to play: DC removed, faded in and out, and scaled down only if its peak exceeds ``peak``.

    Returns the samples (n,) and a sentence saying what was changed (the measured figures use the raw signal).
    """
    x = np.asarray(samples, dtype=np.float64)
    dc = float(x.mean()) if len(x) else 0.0
    y = fade(x - dc, sr)
    top = float(np.max(np.abs(y))) if len(y) else 0.0
    notes = []
    if abs(dc) > 1e-3:
        notes.append(f"with its DC offset of {dc:.3g} removed (a speaker cannot play a constant)")
    if top > peak:
        y = y * (peak / top)
        notes.append(f"turned down by {20 * math.log10(top / peak):.1f} dB so its peak fits the WAV")
    if top < 1e-6:
        return y, "Silence: after removing its constant part the signal has nothing left to play."
    said = " and ".join(notes) if notes else "as it is, with only 10 ms fades at the ends"
    return y, f"Played {said}."


def match_rms(clips: Sequence[np.ndarray], sr: int = SR, target: float = 0.2,
              peak: float = 0.9) -> tuple[list[np.ndarray], str]:
    """Clips with DC removed, all scaled to one loudness (RMS), faded, none with a peak above ``peak``.

    The common RMS is ``target``, lowered if a clip's peak would otherwise exceed ``peak``. A silent clip stays
    silent. Returns the clips and the sentence saying so.
    """
    centred = [np.asarray(c, dtype=np.float64) - np.mean(c) for c in clips]
    levels = [rms(c) for c in centred]
    crest = [float(np.max(np.abs(c))) / r for c, r in zip(centred, levels, strict=True) if r > 1e-9]
    if not crest:
        return [fade(c, sr) for c in centred], "Every clip is silent."
    common = min(target, peak / max(crest))
    out = [fade(c * (common / r), sr) if r > 1e-9 else fade(c, sr) for c, r in zip(centred, levels, strict=True)]
    return out, (f"Played at the same loudness (RMS {common:.2f} of full scale, DC removed), so the louder one "
                 "is never mistaken for the richer one.")


def wavetable(table: np.ndarray, f0: float, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    """One period ``table`` (M,) played as an oscillator at snap(f0): (n,), band-limited.

    The table's harmonics are taken from its DFT and only those below Nyquist are kept, so a sharp-edged
    period does not alias; the P-sample period is resynthesised from them exactly and repeated.
    """
    T = np.asarray(table, dtype=np.float64)
    P = period_samples(f0, sr)
    spectrum = np.fft.rfft(T) / len(T)
    K = min((P - 1) // 2, (len(T) - 1) // 2)  # strictly below both Nyquists
    one = np.zeros(P // 2 + 1, dtype=complex)
    one[:K + 1] = spectrum[:K + 1]
    return tile(np.fft.irfft(one * P, n=P), n_samples(seconds, sr))
