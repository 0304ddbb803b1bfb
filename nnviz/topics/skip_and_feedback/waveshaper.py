"""Skips as sound: a deep stack of random sample-wise layers (a deep waveshaper), plain against residual.

A sample-wise layer is one neuron applied to every sample of a sound: z = a_l y + b_l, then phi. The plain
stack is y_l = phi(a_l y_{l-1} + b_l); the residual stack is y_l = y_{l-1} + alpha phi(a_l y_{l-1} + b_l), the
same layers with the input added back. Each plain layer multiplies a small wiggle of the signal by a_l phi'(z),
|a_l| phi'(z) < 1 on average here, so depth drives the sound to a constant (a DC level: silence on a speaker);
each residual layer multiplies it by 1 + alpha a_l phi'(z), which stays near 1, so the sound survives. Read
y = x + F(x) as an effect with a dry path: x is the dry signal, the sum of the branches the wet one.

The stacks run at the audio rate, without oversampling: harmonics the layers make above 11 kHz fold back into the
band, but the section then needs no scipy (importing scipy.signal costs ~2 s of CPU, more than a widget change may
take) and 100 layers cost ~0.1 s. Energies are the variance (the AC energy, DC removed) over the whole clip.
Pure numpy, no streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz import audio
from nnviz.activations import Phi
from nnviz.format import number

SR = audio.SR
SECONDS = 1.0
F0 = 220.0
LEVEL = 0.8  # the input's peak: loud, with headroom
DEPTH_RANGE = (1, 100)
SEED_RANGE = (0, 9)
GAIN_RANGE = (0.5, 1.5)  # |a_l| ~ U(0.5, 1.5), sign + or - with equal odds: zero-mean weights, as at init
BIAS_STD = 0.5  # b_l ~ N(0, 0.5^2)
FLOOR_DB = -150.0  # energies below this are drawn at it (float64 rounding sits near -300 dB)
GONE = 1e-6  # -60 dB: a thousandth of the amplitude; below it the sound counts as washed out
KEPT = 1e-2  # -20 dB: the residual stack "keeps" the sound when its energy share stays above a hundredth
GROWN = 1e2  # +20 dB: above this the residual stack has grown the sound

PHIS = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU"}
SOURCES = {"pluck": "Plucked string", "sawtooth": "Sawtooth", "sine": "Sine"}
BRANCHES = {"inv_sqrt_depth": "α = 1/√L", "one": "α = 1 (unscaled)"}


def check(depth: int, phi: Phi, branch: str, seed: int, source: str) -> None:
    """A plain ValueError for any setting outside what the section offers."""
    if int(depth) != depth or not DEPTH_RANGE[0] <= depth <= DEPTH_RANGE[1]:
        raise ValueError(f"The depth L must be a whole number from {DEPTH_RANGE[0]} to {DEPTH_RANGE[1]}; got {depth}.")
    if phi.key not in PHIS:
        raise ValueError(f"The waveshaper's layers use φ = {', '.join(PHIS)}; got {phi.label}.")
    if branch not in BRANCHES:
        raise ValueError(f"Unknown branch scale {branch!r}; choose one of {', '.join(BRANCHES)}.")
    if int(seed) != seed or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
        raise ValueError(f"The seed must be a whole number from {SEED_RANGE[0]} to {SEED_RANGE[1]}; got {seed}.")
    if source not in SOURCES:
        raise ValueError(f"Unknown sound {source!r}; choose one of {', '.join(SOURCES)}.")


def alpha(branch: str, depth: int) -> float:
    """The branch scale: 1/sqrt(L) or 1."""
    return 1.0 / math.sqrt(depth) if branch == "inv_sqrt_depth" else 1.0


def source(name: str) -> np.ndarray:
    """The dry input x (n,) at SR: a plucked string, a band-limited sawtooth or a sine at F0, peak LEVEL."""
    if name == "pluck":
        x = audio.pluck(F0, seconds=SECONDS)
    elif name in ("sawtooth", "sine"):
        x = audio.WAVES[name](F0, seconds=SECONDS)
    else:
        raise ValueError(f"Unknown sound {name!r}; choose one of {', '.join(SOURCES)}.")
    return LEVEL * x / float(np.max(np.abs(x)))


def layers(depth: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The random layers' weights a (L,) and biases b (L,); the first L of a longer draw are the same layers, so
    adding a layer keeps the ones before it."""
    rng = np.random.default_rng(seed)
    n = DEPTH_RANGE[1]
    sign = rng.choice((-1.0, 1.0), n)
    gain = rng.uniform(*GAIN_RANGE, n)
    b = rng.normal(0.0, BIAS_STD, n)
    return (sign * gain)[:depth], b[:depth]


def stacks(x: np.ndarray, a: np.ndarray, b: np.ndarray, phi: Phi, alpha: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Both stacks on x (n,) with layers a, b (L,): the outputs y_plain, y_res (n,), the AC energies (variances)
    e_plain, e_res (L+1,) and the DC levels (means) dc_plain, dc_res (L+1,) after each layer (index 0: x)."""
    f = phi.numpy
    yp = yr = np.asarray(x, dtype=np.float64)
    e_p, e_r, m_p, m_r = [yp.var()], [yr.var()], [yp.mean()], [yr.mean()]
    with np.errstate(over="ignore", invalid="ignore"):
        for a_l, b_l in zip(a, b, strict=True):
            yp = f(a_l * yp + b_l)
            yr = yr + alpha * f(a_l * yr + b_l)
            e_p.append(yp.var())
            e_r.append(yr.var())
            m_p.append(yp.mean())
            m_r.append(yr.mean())
    return yp, yr, np.array(e_p), np.array(e_r), np.array(m_p), np.array(m_r)


def db(share: np.ndarray | float) -> np.ndarray:
    """10 log10 of an energy share, never below FLOOR_DB."""
    return np.maximum(10.0 * np.log10(np.maximum(np.asarray(share, dtype=np.float64), 1e-300)), FLOOR_DB)


@dataclass(frozen=True)
class Waveshaped:
    """One run of both stacks. ``plain``/``residual``: AC energy after each layer as a share of the input's,
    (L+1,), index 0 = 1; ``dc_plain``/``dc_residual`` (L+1,) the mean after each layer; ``x``, ``y_plain``,
    ``y_residual`` (n,) the raw signals at SR (the residual may exceed full scale); ``wet`` the AC energy of
    y_L - x (the branches' sum) as a share of the input's; ``sentences`` what the run shows, headline first."""

    depth: int
    phi: Phi
    branch: str
    alpha: float
    seed: int
    source: str
    plain: np.ndarray
    residual: np.ndarray
    dc_plain: np.ndarray
    dc_residual: np.ndarray
    x: np.ndarray
    y_plain: np.ndarray
    y_residual: np.ndarray
    wet: float
    sentences: tuple[str, ...]

    @property
    def plain_share(self) -> float:
        return float(self.plain[-1])

    @property
    def residual_share(self) -> float:
        return float(self.residual[-1])

    @property
    def plain_gone(self) -> bool:
        return self.plain_share < GONE

    @property
    def residual_kept(self) -> bool:
        return self.residual_share >= KEPT

    @property
    def residual_grown(self) -> bool:
        return self.residual_share > GROWN


def _db_text(share: float) -> str:
    """An energy share in words: "−87 dB" (or "below −150 dB")."""
    d = float(db(share))
    if d <= FLOOR_DB:
        return f"below −{-FLOOR_DB:.0f} dB"
    return f"{d:+.0f} dB".replace("-", "−")


def sentences(depth: int, phi: Phi, branch: str, plain: float, residual: float, dc: float, wet: float
              ) -> tuple[str, ...]:
    """What the run shows, from its numbers: the headline (plain against residual), then the dry/wet reading.

    ``plain``/``residual``: the output's AC energy as a share of the input's; ``dc`` the plain output's mean;
    ``wet`` the AC energy share of y_L - x.
    """
    layers_ = f"{depth} random layer{'s' if depth > 1 else ''}"
    if plain < GONE:
        level = ("the constant 0: silence" if abs(dc) < 0.005 else
                 f"the constant {dc:.2f}".replace("-", "−") + ", a DC level a speaker cannot play")
        p = (f"After {layers_} the plain stack has washed the sound out: {_db_text(plain)} of the input's energy is "
             f"left, and the output sits at {level}.")
    elif plain < 1e-3:
        p = (f"After {layers_} the plain stack has faded the sound to a whisper ({_db_text(plain)} of the input's "
             "energy) around a DC level; add layers and it washes out completely.")
    else:
        p = (f"After {layers_} the plain stack still keeps {_db_text(plain)} of the input's energy: at this depth "
             "you still hear it; add layers and it fades to a constant.")
    if residual > GROWN:
        r = (f"The residual stack kept the sound and grew it, to {_db_text(residual)}: with {BRANCHES[branch]} and "
             f"{phi.label} the branches add up layer after layer, which is why real residual networks scale or "
             "normalise the branch (played turned down).")
    elif residual >= KEPT:
        r = (f"The residual stack kept it ({_db_text(residual)} of the input's energy): the identity path carries "
             "x past every layer, so each layer can only nudge the sound.")
    else:
        r = (f"Here even the residual stack lost most of it ({_db_text(residual)}): some branches nearly cancel the "
             "identity (1 + α a_l φ′ close to 0); try another seed or α = 1/√L.")
    ratio = _db_text(wet)
    if wet < 1.0:
        w = (f"Dry and wet: y = x + F(x) is an effect with a dry path. x goes through untouched (dry), the "
             f"branches' sum F is the wet signal, and here it carries {ratio} relative to the dry one: you hear the "
             "input, coloured. The plain stack has no dry path; it is all wet.")
    else:
        w = (f"Dry and wet: y = x + F(x) is an effect with a dry path. x goes through untouched (dry), the "
             f"branches' sum F is the wet signal, and here it is louder than the dry one ({ratio}): the stack has "
             "become an effect of its own, but x is still in the mix. The plain stack has no dry path; it is all wet.")
    return (p + " " + r, w)


def run(depth: int, phi: Phi, branch: str = "inv_sqrt_depth", seed: int = 0, source_name: str = "pluck"
        ) -> Waveshaped:
    """The dry sound through both stacks of ``depth`` random layers, at SR."""
    check(depth, phi, branch, seed, source_name)
    x = source(source_name)
    a, b = layers(depth, seed)
    al = alpha(branch, depth)
    y_plain, y_res, e_p, e_r, m_p, m_r = stacks(x, a, b, phi, al)
    if not (np.all(np.isfinite(y_res)) and np.all(np.isfinite(e_r))):
        raise ValueError("The residual stack overflowed at these settings; choose α = 1/√L or fewer layers.")
    e0 = e_p[0]
    wet = float(np.var(y_res - x)) / e0
    plain, residual = e_p / e0, e_r / e0
    said = sentences(depth, phi, branch, float(plain[-1]), float(residual[-1]), float(m_p[-1]), wet)
    return Waveshaped(depth, phi, branch, al, seed, source_name, plain, residual, m_p, m_r, x, y_plain, y_res, wet,
                      said)


def energy_alt(r: Waveshaped) -> str:
    """The energy figure in words, for a screen reader."""
    return (f"AC energy after each of {r.depth} layers, in dB relative to the input. Plain stack: ends at "
            f"{_db_text(r.plain_share)}. Residual stack: ends at {_db_text(r.residual_share)}, lowest "
            f"{_db_text(float(r.residual.min()))}, highest {_db_text(float(r.residual.max()))}. "
            f"φ = {r.phi.label}, α = {number(r.alpha)}, seed {r.seed}.")
