"""Depth as octaves: the composed tent map t^k played as a wavetable.

One period of the table is x in [0, 1) and the table holds t^k(x) = zigzag(2^k x): 2^(k-1) triangles. Played at a
table rate f (one pass through [0, 1) every 1/f s), its lowest harmonic is 2^(k-1) f: each layer of two ReLUs
doubles the teeth and lifts the tone one octave. The one-hidden-layer network with a unit per tooth computes the
same table, so it plays the same samples; it needs 2^k units where the deep one has 2 per layer.

Pure numpy and nnviz.audio (synthesis, the harmonics measurement, playable level); no torch, no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnviz import audio
from nnviz.topics.depth.constructions import deep_sawtooth_params, sawtooth_net, shallow_sawtooth_net

TABLE_RATE = 110.0  # Hz, A2: the tent itself; six layers reach 3,528 Hz with the triangle's 3rd harmonic in band
K_MAX = 6
TABLE = 2048  # samples of one period of the table (x = j / TABLE): every breakpoint j / 2^k is a sample
SECONDS = 1.5  # each clip of the chosen k
LADDER_S = 0.6  # each layer's note in the ladder clip
DRAWN = 513  # points of x in [0, 1] drawn per layer: every breakpoint of t^6 (multiples of 1/64) is one
AGREE = 1e-9  # deep and shallow samples closer than this are "the same samples"


@dataclass(frozen=True)
class Octaves:
    """t^l for l = 1..k as tables, the chosen k's deep and shallow clips, what was measured, and the sentences.

    ``x`` (DRAWN,), ``layers`` (k, DRAWN): t^l(x) per layer, for the figure. ``fundamentals`` (k,): the lowest
    harmonic measured in each layer's clip (Hz). ``spectrum`` (n + 1,): harmonics of the deep clip against the
    table rate ``f_table`` (a[j] at j f_table). ``deep``, ``shallow`` (n,): the clips as played (DC removed, faded);
    ``ladder`` (k * LADDER_S * SR,): layers 1..k one after the other. ``max_diff``: max |deep - shallow| over
    the raw tables.
    """

    k: int
    f_table: float
    x: np.ndarray
    layers: np.ndarray
    fundamentals: np.ndarray
    spectrum: np.ndarray
    deep: np.ndarray
    shallow: np.ndarray
    ladder: np.ndarray
    max_diff: float
    deep_params: int
    shallow_units: int
    shallow_params: int
    bound_units: int
    level_note: str
    sentences: tuple[str, ...]

    @property
    def doubles(self) -> bool:
        """Each layer's measured lowest harmonic is twice the one before (to a hundredth of a Hz)."""
        f = self.fundamentals
        return bool(len(f) < 2 or np.allclose(f[1:], 2 * f[:-1], atol=0.01))


def check_k(k: int) -> int:
    if not 1 <= int(k) <= K_MAX:
        raise ValueError(f"Choose between 1 and {K_MAX} layers.")
    return int(k)


def table(net, n: int = TABLE) -> np.ndarray:
    """One period of a 1-input network's output: f(j / n), j = 0..n-1, shape (n,)."""
    return net.forward((np.arange(n) / n)[:, None])[:, 0]


def n_harmonics(k: int, f_table: float) -> int:
    """Harmonics of the table rate to measure and draw: past the 3rd of t^k's lowest, never at or above Nyquist."""
    return min(4 * 2 ** (k - 1), (audio.period_samples(f_table) - 1) // 2)


def lowest_harmonic(signal: np.ndarray, f_table: float, n: int, floor: float = 1e-6) -> float:
    """The frequency (Hz) of the lowest harmonic of ``f_table`` in ``signal`` whose amplitude exceeds ``floor``,
    measured over one period of the table (exact: the period is a whole number of samples)."""
    a = audio.harmonics(signal[:audio.period_samples(f_table)], f_table, n=n)
    present = np.nonzero(a[1:] > floor)[0]
    return float(f_table * (present[0] + 1)) if len(present) else float("nan")


def octaves(k: int) -> Octaves:
    """The ladder t^1 .. t^k at TABLE_RATE and the deep (2 units x k layers) and shallow (2^k units) clips of t^k."""
    k = check_k(k)
    f = audio.snap(TABLE_RATE)
    x = np.linspace(0.0, 1.0, DRAWN)
    layers = np.stack([sawtooth_net(ell).forward(x[:, None])[:, 0] for ell in range(1, k + 1)])
    tones = [audio.wavetable(table(sawtooth_net(ell)), f, LADDER_S) for ell in range(1, k + 1)]
    n = n_harmonics(k, f)
    fundamentals = np.array([lowest_harmonic(t, f, n=n) for t in tones])
    deep_net, shallow_net = sawtooth_net(k), shallow_sawtooth_net(k)
    deep_table, shallow_table = table(deep_net), table(shallow_net)
    deep_raw = audio.wavetable(deep_table, f, SECONDS)
    shallow_raw = audio.wavetable(shallow_table, f, SECONDS)
    deep, level_note = audio.playable(deep_raw)
    shallow, _ = audio.playable(shallow_raw)
    ladder = np.concatenate([audio.playable(t)[0] for t in tones])
    spectrum = audio.harmonics(deep_raw[:audio.period_samples(f)], f, n=n)
    spectrum[0] = 0.0  # the clip is played with its DC (the table's mean, 1/2) removed
    r = Octaves(k, f, x, layers, fundamentals, spectrum, deep, shallow, ladder,
                float(np.max(np.abs(deep_table - shallow_table))), deep_net.n_parameters,
                shallow_net.widths[1], shallow_net.n_parameters, 2**k - 1, level_note, ())
    return replace(r, sentences=sentences(r))


def first_paying_k() -> int | None:
    """The fewest layers at which the one-hidden-layer network needs more parameters than the deep one."""
    return next((k for k in range(1, K_MAX + 1)
                 if shallow_sawtooth_net(k).n_parameters > deep_sawtooth_params(k, 2)), None)


def superscript(k: int) -> str:
    """k as Unicode superscript digits, for plain-text titles: 6 -> "⁶"."""
    return str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _hz(f: float) -> str:
    return f"{f:,.0f} Hz" if f >= 100 else f"{f:.1f} Hz"


def sentences(r: Octaves) -> tuple[str, ...]:
    """What the figure and clips show, read off the measurements: the octave per layer, the same tone, the cost."""
    out = []
    ladder = ", ".join(_hz(f) for f in r.fundamentals)
    if r.k == 1:
        out.append(f"One layer: the tent t(x) is one triangle per pass of the table, so its lowest harmonic is the "
                   f"table rate itself, {_hz(r.fundamentals[0])}. Add layers to hear each one lift it an octave.")
    elif r.doubles:
        octs = f"{r.k - 1} octave{'s' if r.k > 2 else ''}"
        out.append(f"Layer by layer the lowest harmonic measured is {ladder}: each layer of two ReLUs doubles the "
                   f"teeth and the pitch, one octave up per layer ({octs} over {r.k} layers).")
    else:
        out.append(f"Layer by layer the lowest harmonic measured is {ladder}: not a clean doubling.")
    if r.max_diff < AGREE:
        layers = f"{r.k} layer{'s' if r.k > 1 else ''}"
        out.append(f"The deep network ({layers} × 2 units, **{r.deep_params} parameters**) and the one-hidden-"
                   f"layer network ({r.shallow_units} units, **{r.shallow_params:,} parameters**) compute the same "
                   f"table (largest difference {r.max_diff:.1e}), so the two clips are the same samples: the same "
                   "tone.")
    else:
        out.append(f"The deep and the one-hidden-layer tables differ by up to {r.max_diff:.2g}: not the same tone.")
    ratio = r.shallow_params / r.deep_params
    if ratio > 1:
        out.append(f"The shallow one costs {ratio:.1f}× the parameters; every further layer adds 6 parameters to the "
                   f"deep network and doubles the shallow one's units (it needs at least {r.bound_units:,}, one per "
                   "breakpoint).")
    else:
        pays = first_paying_k()
        out.append(f"At {r.k} layer{'s' if r.k > 1 else ''} the shallow network is no dearer ({r.shallow_params} "
                   f"against {r.deep_params} parameters): depth starts to pay at {pays} layers.")
    return tuple(out)



def listen_for(r: Octaves) -> tuple[str, str, str]:
    """The captions of the three clips (deep, shallow, ladder): what to listen for, from the measurements."""
    top, tent = r.fundamentals[-1], r.fundamentals[0]
    up = r.k - 1
    deep = (f"Listen for the pitch: {_hz(top)}, {up} octave{'s' if up > 1 else ''} above the tent's {_hz(tent)}."
            if up else f"Listen for the pitch: the tent itself, {_hz(tent)}.")
    shallow = ("Listen for any difference from the deep clip: there is none to hear, they are the same samples."
               if r.max_diff < AGREE else "Listen for the difference from the deep clip.")
    ladder = ("Listen for the same step each time: one octave per layer." if r.k > 1 and r.doubles
              else "One layer only: add layers to hear the octaves." if r.k == 1
              else "Listen for the steps between the layers.")
    return deep, shallow, ladder
