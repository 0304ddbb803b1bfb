"""The maths of three sound sections: a nonlinearity heard, a spiking neuron heard, an approximation heard.

Each section is one pure function of plain settings returning a frozen dataclass with the arrays its figures
draw, the clips it plays (float samples at ``audio.SR``) and the sentences that are true of it. No streamlit.

- ``hear_nonlinearity``: a sine (or a pluck) through phi(g x + b); the spectrum of the sine says which
  harmonics phi created, and the sentences are read off that spectrum.
- ``spiking_heard``: the leaky integrate-and-fire neuron's spikes as clicks beside a sigmoid "rate neuron" tone.
- ``approximation_by_ear``: one period of a waveform fitted by N hidden units, played as a wavetable.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from nnviz import audio
from nnviz.activations import Phi
from nnviz.topics.single_neuron import LIFParams, lif_rate_analytic, lif_simulate, rheobase

SR = audio.SR

#: Pitches offered: each a whole number of samples per period at 22,050 Hz (P = 200, 150, 100, 50), so the
#: harmonics are measured exactly; named by the nearest note.
PITCHES = {110.25: "110 Hz (A2)", 147.0: "147 Hz (D3)", 220.5: "220 Hz (A3)", 441.0: "441 Hz (A4)"}
SOURCES = {"sine": "Sine", "pluck": "Plucked string"}

ABSENT = 1e-6  # a harmonic below this share of the signal's AC amplitude counts as absent (-120 dB)
N_HARMONICS = 16


def note_name(f: float) -> str:
    """The equal-tempered note nearest to ``f`` Hz (A4 = 440 Hz), e.g. "A3"; "" outside the piano's range."""
    if not 27.0 <= f <= 4_200.0:
        return ""
    names = ("C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B")
    midi = int(round(69 + 12 * math.log2(f / 440.0)))
    return f"{names[midi % 12]}{midi // 12 - 1}"


# ---------------------------------------------------------------------------------------------------------------
# 1. Hear a nonlinearity
# ---------------------------------------------------------------------------------------------------------------

DRIVE_RANGE = (0.1, 20.0)
BIAS_RANGE = (-3.0, 3.0)
NONLINEARITY_SECONDS = 1.5


@dataclass(frozen=True)
class Spectrum:
    """What the harmonics a (n + 1,) of phi(g sin + b) say: shares of the AC amplitude sqrt(sum_k>=1 a_k^2)."""

    a: np.ndarray
    ac: float  # sqrt(sum_{k >= 1} a_k^2): the output's AC peak-amplitude scale
    new: float  # share of harmonics 2, 3, ... (new frequencies)
    odd: float  # share of odd harmonics 3, 5, ...
    even: float  # share of even harmonics 2, 4, ...
    thd: float  # total harmonic distortion sqrt(sum_{k >= 2} a_k^2) / a_1 (inf without a fundamental)
    strongest: int  # the strongest new harmonic's k (0 if none)

    @property
    def silent(self) -> bool:
        return self.ac <= ABSENT * max(1.0, abs(float(self.a[0])))

    def level_db(self, k: int) -> float:
        """Harmonic k's level relative to the fundamental (or to the AC scale without one), in dB."""
        ref = self.a[1] if self.a[1] > ABSENT * self.ac else self.ac
        return float(audio.db(self.a[k], ref))


def spectrum_of(a: np.ndarray) -> Spectrum:
    """Read the shares off harmonics a (n + 1,)."""
    a = np.asarray(a, dtype=np.float64)
    k = np.arange(len(a))
    ac = float(np.sqrt(np.sum(a[1:] ** 2)))
    scale = ac if ac > 0 else 1.0
    new = float(np.sqrt(np.sum(a[2:] ** 2))) / scale
    odd = float(np.sqrt(np.sum(a[(k >= 3) & (k % 2 == 1)] ** 2))) / scale
    even = float(np.sqrt(np.sum(a[(k >= 2) & (k % 2 == 0)] ** 2))) / scale
    thd = float(np.sqrt(np.sum(a[2:] ** 2)) / a[1]) if a[1] > ABSENT * scale else math.inf
    strongest = int(np.argmax(a[2:]) + 2) if new > ABSENT else 0
    return Spectrum(a, ac, new, odd, even, thd, strongest)


@dataclass(frozen=True)
class Nonlinearity:
    """A sine (or pluck) at pitch f0 through phi(g x + b), and what its spectrum says.

    ``z`` (m,) and ``phi_z`` (m,): the transfer curve over the swing and a margin; ``swing`` = (b - g, b + g).
    ``t_ms`` (w,), ``x_wave`` (w,), ``y_wave`` (w,): three periods of the sine in and out (raw). ``spectrum``: of
    the sine's output (4x oversampled, over whole periods). ``clip_in``/``clip_out`` (n,): what is played,
    level-matched; ``level_note`` says how. ``character`` is one of silent, linear, square, pulse, odd, even, both.
    """

    phi: Phi
    gain: float
    bias: float
    source: str
    f0: float
    z: np.ndarray
    phi_z: np.ndarray
    swing: tuple[float, float]
    t_ms: np.ndarray
    x_wave: np.ndarray
    y_wave: np.ndarray
    spectrum: Spectrum
    character: str
    clipping: str  # "", "clean", "mild", "hard": how far the swing reaches into phi's bends (by THD)
    sentences: tuple[str, ...]
    clip_in: np.ndarray
    clip_out: np.ndarray
    level_note: str


def _point_symmetric_at_zero(phi: Phi) -> bool:
    """phi(u) + phi(-u) = 2 phi(0) on a grid: phi is odd about its value at 0 (tanh, sigmoid, softsign, sine)."""
    u = np.linspace(0.0, 6.0, 121)
    return bool(np.allclose(phi.numpy(u) + phi.numpy(-u), 2.0 * phi.numpy(0.0), atol=1e-9))


def _two_valued(y: np.ndarray) -> bool:
    """The samples take two values only (a square or pulse wave), to a relative 1e-9."""
    spread = float(np.ptp(y))
    if spread == 0:
        return False
    levels = np.unique(np.round((y - y.min()) / spread, 9))
    return len(levels) == 2


def classify(s: Spectrum, y_period: np.ndarray) -> str:
    """The output's character from its spectrum (and whether its samples take two values only)."""
    if s.silent:
        return "silent"
    if s.new < ABSENT:
        return "linear"
    if _two_valued(y_period):
        return "square" if s.even < ABSENT else "pulse"
    if s.even < ABSENT:
        return "odd"
    if s.odd < ABSENT:
        return "even"
    return "both"


def clipping_of(s: Spectrum, monotonic: bool) -> str:
    """clean (THD < 1%), mild (< 10%), hard (>= 10%; a square wave has 48%), or fold where phi turns back over
    the swing (a wavefolder); "" where nothing new is made or there is no fundamental to compare with."""
    if s.silent or s.new < ABSENT or not math.isfinite(s.thd):
        return ""
    if s.thd < 0.01:
        return "clean"
    if not monotonic:
        return "fold"
    return "mild" if s.thd < 0.10 else "hard"


def monotonic_over(phi_z: np.ndarray) -> bool:
    """phi never turns back over the grid (non-decreasing or non-increasing), to rounding."""
    d = np.diff(phi_z)
    tol = 1e-12 * max(1.0, float(np.max(np.abs(phi_z))))
    return bool(np.all(d >= -tol) or np.all(d <= tol))


def _harmonic_list(s: Spectrum, parity: int, n: int = 3) -> str:
    ks = [k for k in range(2, len(s.a)) if k % 2 == parity and s.a[k] > ABSENT * s.ac][:n]
    return ", ".join(f"{k}f₀" for k in ks)


def nonlinearity_sentences(phi: Phi, g: float, b: float, s: Spectrum, character: str, clipping: str,
                           duty: float) -> tuple[str, ...]:
    """The sentences true of this spectrum, the first one the headline."""
    lo, hi = b - g, b + g
    swing = f"z = g·x + b swings over [{lo:.2f}, {hi:.2f}]"
    out: list[str] = []
    if character == "silent":
        out.append(f"Silence: {swing}, where {phi.label} is flat, so the output is the constant {s.a[0]:.3g} "
                   "and a speaker plays nothing.")
        return tuple(out)
    if character == "linear":
        text = (f"No new frequency: every harmonic above the fundamental is below 10⁻⁶ of it, so the output is the "
                f"input times a gain ({s.a[1]:.3g}) plus an offset. That is the linear collapse, heard: a stack "
                "of linear layers is still one gain, and no new pitch can come out of it.")
        if phi.key != "linear":
            text += f" {phi.label} acts linearly here because the whole swing ({swing}) lies on one straight piece."
        out.append(text)
        return tuple(out)
    level = s.level_db(s.strongest)
    top = f"the strongest {s.strongest}f₀"
    if s.a[1] > ABSENT * s.ac:
        top += f", {abs(level):.0f} dB {'below' if level < 0 else 'above'} f₀"
    if character == "square":
        ratio = s.a[3] / s.a[1]
        out.append(f"A square wave: the output takes two values only, and its harmonics fall as 1/k at odd k "
                   f"(3f₀ is {ratio:.4f} of f₀, theory 1/3). The unit step turns any sine into a square wave, "
                   "however gentle the input.")
    elif character == "pulse":
        out.append(f"A pulse wave: the output takes two values only and is high {duty:.0%} of each cycle, so even "
                   "harmonics join the odd ones"
                   + (": the bias moved the step's threshold off the sine's centre." if b != 0 else "."))
    elif character == "odd":
        out.append(f"Only odd harmonics ({_harmonic_list(s, 1)}, …; {top}): the output's second "
                   f"half-cycle is its first upside down, because {phi.label} is point-symmetric about the "
                   "operating point z = b over this swing. The hollow, clarinet-like colour of odd harmonics.")
    elif character == "even":
        out.append(f"Even harmonics only ({_harmonic_list(s, 0)}, …; {top}) and no odd ones above the "
                   "fundamental: around z = b the bend of φ is mirror-symmetric, so each cycle's two halves bend "
                   "the same way and the new frequencies are octaves and their multiples.")
        if phi.key in ("relu", "leaky_relu") and b == 0:
            out.append(f"{phi.label} with b = 0 is a half-wave rectifier: it passes one half of each cycle "
                       f"{'unchanged' if phi.key == 'relu' else 'and scales the other'}, adding a DC offset "
                       f"({s.a[0]:.3f}) and even harmonics — the octave 2f₀ above all, the octave-up sound of an "
                       "octave-fuzz pedal.")
        if s.a[1] <= ABSENT * s.ac:
            out.append("The fundamental is gone: the output repeats twice per cycle, one octave up.")
    else:
        if b != 0 and _point_symmetric_at_zero(phi):
            out.append(f"Odd and even harmonics ({top}): {phi.label} is point-symmetric about z = 0, "
                       f"but the bias b = {b:g} shifts the swing off that centre, which breaks the symmetry and adds "
                       "even harmonics (2f₀, 4f₀, …) — the warmer, lopsided overdrive of a valve stage.")
        else:
            out.append(f"Odd and even harmonics ({top}): {phi.label} has no symmetry about z = b over "
                       f"this swing ({swing}), so both kinds appear.")
    if character in ("square", "pulse"):
        return tuple(out)
    if clipping == "clean":
        out.append(f"Clean: distortion (THD) {s.thd:.2%}; the swing stays on φ's nearly straight part.")
    elif clipping == "mild":
        out.append(f"Mild saturation: distortion (THD) {s.thd:.1%}; the swing reaches into φ's bends.")
    elif clipping == "hard" and math.isfinite(s.thd):
        out.append(f"Hard clipping: distortion (THD) {s.thd:.0%} (a square wave has 48%); the swing reaches φ's flat "
                   "or sharply bent parts, which clip the wave and sharpen its edges.")
    elif clipping == "fold":
        out.append(f"Folding: distortion (THD) {s.thd:.0%}; the swing passes φ's turning points, so the wave folds "
                   "back on itself, the sound of a wavefolder.")
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _probe(f0: float) -> np.ndarray:
    """A sine of whole periods (about 0.25 s) for measuring: (m P,), read-only."""
    P = audio.period_samples(f0)
    # an eighth of a sample's phase: no sample, even 4x oversampled, sits on a zero crossing, where a step's
    # value at exactly 0 (or at sin(pi) = 1e-16) would break the half-cycle symmetry
    x = audio.sine(f0, seconds=(max(1, int(0.25 * SR) // P) * P) / SR, phase=2 * np.pi / (8 * P))
    x.setflags(write=False)
    return x


def hear_nonlinearity(phi: Phi, gain: float = 2.0, bias: float = 0.0, source: str = "sine",
                      f0: float = 220.5) -> Nonlinearity:
    """A test signal through phi(g x + b), its spectrum (measured on the sine) and the sentences it supports."""
    gain = audio._check("drive g", gain, *DRIVE_RANGE)
    bias = audio._check("bias b", bias, *BIAS_RANGE)
    if source not in SOURCES:
        raise ValueError(f"The source is one of {', '.join(SOURCES)}; got {source!r}.")
    f0 = audio.snap(f0)
    P = audio.period_samples(f0)
    probe = _probe(f0)
    y_probe = audio.shape(probe, phi, gain, bias, oversample=audio.OVERSAMPLE, loop=True)
    s = spectrum_of(audio.harmonics(y_probe, f0, SR, N_HARMONICS))
    y_raw = audio.shape(probe[:P], phi, gain, bias)  # one period sampled directly: are there two levels only?
    character = classify(s, y_raw)
    margin = max(1.0, 0.25 * gain)
    z = np.linspace(bias - gain - margin, bias + gain + margin, 401)
    phi_z = phi.numpy(z)
    clipping = clipping_of(s, monotonic_over(phi.numpy(np.linspace(bias - gain, bias + gain, 801))))
    duty = float(np.mean(y_raw > y_raw.min())) if character in ("square", "pulse") else 0.0
    sentences = nonlinearity_sentences(phi, gain, bias, s, character, clipping, duty)
    # the figures: three periods of the sine, the transfer curve over the swing and a margin
    w = 3 * P
    t_ms = np.arange(w) * 1000.0 / SR
    x_wave = np.asarray(probe[:w])
    y_wave = np.asarray(y_probe[:w])
    # the clips: the source and its shaped version, level-matched
    if source == "sine":
        # a sine through a memoryless phi is periodic: the clip is the measured probe's steady state, repeated
        # (equal to shaping the whole clip, less the filters' start-up that its fades cover; tested)
        n = audio.n_samples(NONLINEARITY_SECONDS, SR)
        x_clip, y_clip = audio.tile(probe, n), audio.tile(y_probe, n)
    else:
        x_clip = audio.pluck(f0, NONLINEARITY_SECONDS)
        y_clip = audio.shape(x_clip, phi, gain, bias, oversample=audio.OVERSAMPLE)
    (clip_in, clip_out), note = audio.match_rms([x_clip, y_clip])
    if source == "pluck":
        note += (" The spectrum is measured on a sine; the string already holds every harmonic, so listen to it "
                 "for how φ colours a musical sound.")
    return Nonlinearity(phi, gain, bias, source, f0, z, phi_z, (bias - gain, bias + gain), t_ms, x_wave,
                        y_wave, s, character, clipping, sentences, clip_in, clip_out, note)


# ---------------------------------------------------------------------------------------------------------------
# 2. The spiking neuron, heard
# ---------------------------------------------------------------------------------------------------------------

CURRENT_RANGE = (0.0, 10.0)  # nA: silent below 1.5 nA, 277 Hz at 10 nA (the cap 1/t_ref is 500 Hz)
SPIKING_SECONDS = 2.0
AUDIBLE_HZ = 20.0  # below about 20 events a second the ear hears separate clicks, not a pitch
_LIF = LIFParams()  # the single-neuron page's defaults: tau 10 ms, R 10 megaohm, V_th 15 mV, t_ref 2 ms
CLICK_MS = 0.15  # width of a click: the derivative of a Gaussian of this standard deviation (zero mean)


@dataclass(frozen=True)
class RateNeuron:
    """The sigmoid rate neuron r(I) = r_max sigma(w (I - I_0)) fitted to the LIF f-I curve (least squares)."""

    r_max: float
    w: float
    I_0: float

    def rate(self, I: np.ndarray | float) -> np.ndarray:
        """r(I) in Hz, same shape as ``I``."""
        from nnviz.activations import sigmoid_np

        return self.r_max * sigmoid_np(self.w * (np.asarray(I, dtype=np.float64) - self.I_0))


@functools.lru_cache(maxsize=2)
def rate_neuron(p: LIFParams = _LIF) -> RateNeuron:
    """The sigmoid that best matches the LIF's analytic f-I curve over CURRENT_RANGE (scipy least squares)."""
    from scipy.optimize import least_squares

    I = np.linspace(*CURRENT_RANGE, 201)
    target = lif_rate_analytic(I, p)

    def residual(theta: np.ndarray) -> np.ndarray:
        return RateNeuron(*theta).rate(I) - target

    fit = least_squares(residual, x0=[float(target.max()), 1.0, rheobase(p) + 1.0])
    return RateNeuron(*(float(v) for v in fit.x))


def click_train(spikes_ms: np.ndarray, seconds: float, sr: int = SR) -> np.ndarray:
    """One click per spike: a zero-mean biphasic pulse (derivative of a Gaussian), peak 0.8, at each time. (n,)."""
    n = int(round(audio.check_seconds(seconds) * sr))
    y = np.zeros(n)
    sigma = CLICK_MS * sr / 1000.0
    u = np.arange(-int(4 * sigma) - 1, int(4 * sigma) + 2)
    for t in spikes_ms:
        c = t * sr / 1000.0
        i0 = int(math.floor(c))
        d = u + i0 - c  # pulse centred on the exact spike time, between samples
        pulse = -d / sigma * np.exp(0.5 - 0.5 * (d / sigma) ** 2) * 0.8
        idx = u + i0
        ok = (idx >= 0) & (idx < n)
        y[idx[ok]] += pulse[ok]
    return y


def click_times(samples: np.ndarray, sr: int = SR) -> np.ndarray:
    """Times (ms) of the clicks in a click train: the upward zero crossings of each pulse (its centre)."""
    x = np.asarray(samples, dtype=np.float64)
    loud = np.abs(x) > 0.2 * np.max(np.abs(x)) if np.any(x) else np.zeros(len(x), bool)
    # a click's centre is where it crosses zero from its positive to its negative lobe, inside a loud run
    i = np.nonzero((x[:-1] > 0) & (x[1:] <= 0) & (loud[:-1] | loud[1:]))[0]
    frac = x[i] / (x[i] - x[i + 1])
    return (i + frac) * 1000.0 / sr


@dataclass(frozen=True)
class SpikingHeard:
    """The LIF neuron at current I as clicks, and the sigmoid rate neuron's tone beside it.

    ``I_grid`` (m,), ``fI_lif`` (m,), ``fI_rate`` (m,): the two f-I curves. ``t_ms``/``V``: the first 100 ms of
    the membrane potential (mV); ``spikes_ms`` every spike of the clip. ``clicks``/``tone`` (n,): the clips,
    level-matched (``level_note``).
    """

    I: float
    rheobase: float
    V_th: float
    rate_lif: float  # analytic, Hz
    rate_clicks: float  # counted from the clip, Hz (0 with fewer than 2 clicks)
    rate_tone: float  # the sigmoid rate neuron's rate, Hz
    I_grid: np.ndarray
    fI_lif: np.ndarray
    fI_rate: np.ndarray
    t_ms: np.ndarray
    V: np.ndarray
    spikes_ms: np.ndarray
    clicks: np.ndarray
    tone: np.ndarray
    level_note: str
    sentences: tuple[str, ...]


def spiking_sentences(r: SpikingHeard) -> tuple[str, ...]:
    """What the clicks and the tone are, from the numbers."""
    out = []
    if r.rate_lif == 0:
        out.append(f"Silence: I = {r.I:.2f} nA is at or below the rheobase ({r.rheobase:.2f} nA). The membrane "
                   f"levels off at R·I = {r.I * 10:.1f} mV under the {r.V_th:g} mV threshold and never fires.")
    else:
        period = 1000.0 / r.rate_lif
        heard = (f"heard as a buzz at a pitch of about {r.rate_lif:.0f} Hz ({note_name(r.rate_lif)})"
                 if r.rate_lif >= AUDIBLE_HZ and note_name(r.rate_lif) else
                 "heard as a pitch" if r.rate_lif >= AUDIBLE_HZ else
                 "heard as separate clicks, a rhythm: below about 20 a second the ear hears no pitch")
        out.append(f"I = {r.I:.2f} nA: a spike every {period:.2f} ms, {r.rate_lif:.1f} spikes a second, {heard}. "
                   f"Counted from the clip: {len(r.spikes_ms)} clicks at {r.rate_clicks:.2f} Hz; the formula "
                   f"1/(t_ref + τ ln(RI/(RI − V_th))) gives {r.rate_lif:.2f} Hz.")
    if r.rate_tone < AUDIBLE_HZ:
        tone = (f"The rate neuron says {r.rate_tone:.1f} Hz, a tone too low to hear (under 20 Hz)"
                + (" — but not zero: a sigmoid has no threshold, so it never falls silent." if r.rate_lif == 0
                   else "."))
    else:
        off = (r.rate_tone - r.rate_lif) / r.rate_lif if r.rate_lif > 0 else math.inf
        tone = (f"The rate neuron σ says {r.rate_tone:.1f} Hz"
                + (f" ({off:+.0%} from the LIF's rate)" if math.isfinite(off) else ", where the LIF is silent: a "
                   "sigmoid has no threshold")
                + ".")
    out.append(tone + " It keeps the rate, one number, and throws the spikes away: its tone is a pure sine at that "
               "pitch, without the click train's sharp timbre and the exact timing of each spike.")
    return tuple(out)


def spiking_heard(I: float, p: LIFParams = _LIF) -> SpikingHeard:
    """The LIF neuron under constant current I (nA) for SPIKING_SECONDS, as clicks beside the rate neuron's tone."""
    I = audio._check("input current I", I, *CURRENT_RANGE, " nA")
    T_ms = SPIKING_SECONDS * 1000.0
    # the crossings are solved in closed form inside a step, so the spike times are exact at any dt shorter
    # than the fastest period (3.6 ms at 10 nA): a coarse grid for the clip, a fine one for the drawn trace
    spikes = np.asarray(lif_simulate(I, T=T_ms, dt=0.5, p=p).spikes, dtype=np.float64)
    trace = lif_simulate(I, T=100.0, dt=0.05, p=p)
    clicks = click_train(spikes, SPIKING_SECONDS)
    found = click_times(clicks) if len(spikes) else np.zeros(0)
    rate_clicks = 1000.0 * (len(found) - 1) / (found[-1] - found[0]) if len(found) >= 2 else 0.0
    rn = rate_neuron(p)
    r_tone = float(rn.rate(I))
    n = len(clicks)
    tone = 0.5 * np.sin(2.0 * np.pi * r_tone * np.arange(n) / SR)
    (clicks_out, tone_out), note = audio.match_rms([clicks, tone])
    I_grid = np.linspace(*CURRENT_RANGE, 201)
    r = SpikingHeard(I, rheobase(p), p.V_th, float(lif_rate_analytic(I, p)), float(rate_clicks), r_tone, I_grid,
                     lif_rate_analytic(I_grid, p), rn.rate(I_grid), trace.t, trace.V, spikes,
                     clicks_out, tone_out, note, ())
    return SpikingHeard(**{**r.__dict__, "sentences": spiking_sentences(r)})


# ---------------------------------------------------------------------------------------------------------------
# 3. Approximation by ear
# ---------------------------------------------------------------------------------------------------------------

FORMULA = "formula"
TARGETS = {"sawtooth": "Sawtooth", "square": "Square", "triangle": "Triangle", "vowel": "Vowel-like (smooth)",
           FORMULA: "your formula…"}
DEFAULT_FORMULA = "sin(2*pi*x) + 0.5*sin(6*pi*x) - 0.3*abs(2*x - 1)"
METHODS = {"sigmoid": "Sigmoid steps", "relu": "ReLU kinks"}
WIDTH_RANGE = (1, 256)
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
M = 1024  # points per period of the wavetable: 4 per unit at N = 256, harmonics to 511 (ample below Nyquist)
EAR_SECONDS = 1.5
#: harmonic amplitudes of the vowel-like shape: a low formant near k = 3 and a second near k = 8 (like "ah")
EXACT_DB = -120.0  # an RMS error this far below the target is rounding: the fit is exact
_VOWEL = (0.55, 0.75, 1.0, 0.6, 0.3, 0.25, 0.4, 0.5, 0.3, 0.12, 0.06, 0.03)


def period_grid(m: int = M) -> np.ndarray:
    """x (m,): the midpoints of m equal steps over one period [0, 1)."""
    return (np.arange(m) + 0.5) / m


@functools.lru_cache(maxsize=32)
def formula_wave(formula: str) -> tuple[object, float]:
    """A typed formula f(x) for one period, x in [0, 1): (the parsed expression, the factor that brings its peak
    to at most 1). Parsed by nnviz.expressions (never eval); raises ValueError in words when it cannot be used."""
    from nnviz.expressions import parse_expression

    f = parse_expression(formula)
    y = f(period_grid(4 * M))
    bad = ~np.isfinite(y)
    if bad.any():
        where = period_grid(4 * M)[bad][0]
        raise ValueError(f"The formula is not a finite number at {int(bad.sum())} of {4 * M} points of the period "
                         f"[0, 1), first at x = {where:.4g}. Use one that is defined for every x from 0 to 1.")
    if float(np.ptp(y)) < 1e-9:
        raise ValueError("The formula is constant over the period: a constant is silence. Use one that changes "
                         "with x, e.g. sin(2*pi*x).")
    peak = float(np.max(np.abs(y)))
    return f, (1.0 / peak if peak > 1.0 else 1.0)


def target_wave(key: str, x: np.ndarray, formula: str = "") -> np.ndarray:
    """One period of the target at phases x in [0, 1): (len(x),), between -1 and 1 (a formula scaled down to a
    peak of 1 if it goes beyond)."""
    if key == FORMULA:
        f, scale = formula_wave(formula)
        return scale * f(np.asarray(x, dtype=np.float64))
    if key == "sawtooth":
        return 2.0 * x - 1.0
    if key == "square":
        return np.where(x < 0.5, 1.0, -1.0)
    if key == "triangle":
        return 1.0 - 4.0 * np.abs(x - 0.5)
    if key == "vowel":
        k = np.arange(1, len(_VOWEL) + 1)
        phases = 0.7 * k  # fixed phases, so the shape is not symmetric
        y = np.sin(2 * np.pi * np.outer(x, k) + phases) @ np.asarray(_VOWEL)
        peak = np.max(np.abs(np.sin(2 * np.pi * np.outer(period_grid(), k) + phases) @ np.asarray(_VOWEL)))
        return y / peak
    raise ValueError(f"The target is one of {', '.join(TARGETS)}; got {key!r}.")


#: where a target jumps inside the open period (0, 1), and by how much
JUMPS = {"square": ((0.5, 2.0),)}
#: a jump smaller than this share of the wave's range is not reported (rounding, or a step too small to hear)
JUMP_SHARE = 1e-3


def detect_jumps(f, m: int = 4 * M, candidates: int = 8, iters: int = 60) -> tuple[tuple[float, float], ...]:
    """Jumps of f (a function of x (n,) -> (n,)) inside the open period (0, 1): ((x_j, |jump|), ...), sorted by x.

    The ``candidates`` largest changes between neighbouring points of an m-point grid are each bisected ``iters``
    times, keeping the half with the larger change: a jump keeps its size as the interval shrinks to adjacent
    floats, a steep but continuous piece shrinks to nothing. The size is measured between the one-sided limits
    (1e-12 either side, as ``sup_error`` does). Jumps under ``JUMP_SHARE`` of the range are dropped.
    """
    x = period_grid(m)
    y = f(x)
    d = np.abs(np.diff(y))
    span = float(np.ptp(y))
    picked: list[int] = []
    for i in np.argsort(-d, kind="stable"):
        if len(picked) == candidates or d[i] <= JUMP_SHARE * span:
            break
        if all(abs(int(i) - j) > 2 for j in picked):
            picked.append(int(i))
    if not picked:
        return ()
    lo, hi = x[picked].copy(), x[np.array(picked) + 1].copy()
    f_lo, f_hi = y[picked].copy(), y[np.array(picked) + 1].copy()
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        left = np.abs(f_mid - f_lo) >= np.abs(f_hi - f_mid)
        hi, f_hi = np.where(left, mid, hi), np.where(left, f_mid, f_hi)
        lo, f_lo = np.where(left, lo, mid), np.where(left, f_lo, f_mid)
    at = 0.5 * (lo + hi)
    size = np.abs(f(at + 1e-12) - f(at - 1e-12))  # the one-sided limits, not f's value at the jump itself
    return tuple(sorted((float(x), float(j)) for x, j in zip(at, size, strict=True) if j > JUMP_SHARE * span))


def jumps_of(key: str, formula: str = "") -> tuple[tuple[float, float], ...]:
    """Where the target jumps inside the period and by how much (detected for a formula)."""
    if key == FORMULA:
        return detect_jumps(lambda x: target_wave(FORMULA, x, formula))
    return JUMPS.get(key, ())


def seam_jump(key: str, formula: str = "") -> float:
    """|f(1-) - f(0+)|: the jump where the oscillator wraps round from one period to the next."""
    ends = target_wave(key, np.array([1e-12, 1.0 - 1e-12]), formula)
    return float(abs(ends[1] - ends[0]))


def features(method: str, N: int, x: np.ndarray) -> np.ndarray:
    """The N hidden units' outputs at x: (len(x), N). Placed, not random, so the fit is reproducible.

    sigmoid: sigma(4N (x - c_i)) with c_i = (i + 1/2) / N (each step as wide as the spacing);
    relu: ReLU(x - c_i) with c_i = i / N (knots that nest when N doubles, so the error never grows).
    """
    from nnviz.activations import sigmoid_np

    i = np.arange(N)
    if method == "sigmoid":
        return sigmoid_np(4.0 * N * (x[:, None] - (i + 0.5) / N))
    if method == "relu":
        return np.maximum(x[:, None] - i / N, 0.0)
    raise ValueError(f"The method is one of {', '.join(METHODS)}; got {method!r}.")


@dataclass(frozen=True)
class PeriodFit:
    """The least-squares fit f(x) = sum_i v_i h_i(x) + v_0 of one period: outer weights ``v`` (N + 1,)."""

    method: str
    N: int
    v: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return features(self.method, self.N, x) @ self.v[1:] + self.v[0]


def _design(method: str, N: int, x: np.ndarray) -> np.ndarray:
    """The least-squares design matrix at x: a column of ones (the bias) and the N units' outputs, (len(x), N + 1)."""
    return np.column_stack((np.ones(len(x)), features(method, N, x)))


def fit_period(key: str, method: str, N: int, formula: str = "") -> PeriodFit:
    """Least squares over the period grid (M points) for the outer weights of N placed units and a bias."""
    N = int(audio._check("number of hidden units N", N, *WIDTH_RANGE))
    return _fit(method, N, _design(method, N, period_grid()), target_wave(key, period_grid(), formula))


def _fit(method: str, N: int, H: np.ndarray, t: np.ndarray) -> PeriodFit:
    """The outer weights minimising |H v - t| (H from ``_design`` on the period grid, t the target there)."""
    v, *_ = np.linalg.lstsq(H, t, rcond=None)
    return PeriodFit(method, N, v)


def sup_error(key: str, fit: PeriodFit, formula: str = "",
              jumps: tuple[tuple[float, float], ...] | None = None,
              on_fine_grid: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """max |f - target| over the period, counting both one-sided limits at each jump (the fit is continuous).

    ``on_fine_grid``: (fit, target) on period_grid(4 M), when the caller has computed them already.
    """
    if on_fine_grid is None:
        x = period_grid(4 * M)
        on_fine_grid = fit(x), target_wave(key, x, formula)
    err = float(np.max(np.abs(on_fine_grid[0] - on_fine_grid[1])))
    for xj, _ in jumps_of(key, formula) if jumps is None else jumps:
        fj = float(fit(np.array([xj]))[0])
        left, right = target_wave(key, np.array([xj - 1e-12, xj + 1e-12]), formula)
        err = max(err, abs(fj - left), abs(fj - right))
    return err


@dataclass(frozen=True)
class WidthSweep:
    """The fit at each N of ``widths`` for one target and method: ``fits`` (len(widths), M) on the period grid,
    RMS error (dB re the target's RMS), sup error, and overshoot beyond the target's peak level (1 for the menu's
    waves)."""

    widths: np.ndarray
    fits: np.ndarray
    rms_db: np.ndarray
    sup: np.ndarray
    overshoot: np.ndarray


def width_sweep(key: str, method: str, widths: tuple[int, ...] = WIDTHS, formula: str = "") -> WidthSweep:
    """Fit one period of ``key`` (or of ``formula``) at every N of ``widths`` (by default 1, 2, 4, ... 256)."""
    x, x_fine = period_grid(), period_grid(4 * M)
    t, t_fine = target_wave(key, x, formula), target_wave(key, x_fine, formula)
    jumps = jumps_of(key, formula)
    level = float(np.max(np.abs(t_fine)))
    fits, rms_db, sup, overshoot = [], [], [], []
    for N in widths:
        N = int(audio._check("number of hidden units N", N, *WIDTH_RANGE))
        H = _design(method, N, x)  # the units are evaluated once per grid: the fit and its error share them
        f = _fit(method, N, H, t)
        y, y_fine = H @ f.v, f(x_fine)
        fits.append(y)
        rms_db.append(float(audio.db(audio.rms(y - t), audio.rms(t))))
        sup.append(sup_error(key, f, formula, jumps, on_fine_grid=(y_fine, t_fine)))
        overshoot.append(max(0.0, float(np.max(np.abs(y_fine))) - level))
    return WidthSweep(np.array(widths), np.array(fits), np.array(rms_db), np.array(sup), np.array(overshoot))


@dataclass(frozen=True)
class EarFit:
    """A target period, its fit by N units, and the clips: target, fit and error at one scale.

    ``x`` (M,), ``target`` (M,), ``fit`` (M,); ``error_harmonics`` (K + 1,): the error's a[k] per period, k up to
    the last harmonic below Nyquist at f0 (at most 64); ``sweep``: the fits at every N; the clips (n,) all scaled
    by the same factor (``level_note``). ``formula``: the typed target when ``key`` is FORMULA; ``jumps``: where
    the target jumps inside the period ((x_j, |jump|), ...); ``seam``: its jump where the period wraps round.
    """

    key: str
    formula: str
    jumps: tuple[tuple[float, float], ...]
    seam: float
    method: str
    N: int
    f0: float
    x: np.ndarray
    target: np.ndarray
    fit: np.ndarray
    rms_db: float
    sup: float
    overshoot: float
    error_harmonics: np.ndarray
    sweep: WidthSweep
    clip_target: np.ndarray
    clip_fit: np.ndarray
    clip_error: np.ndarray
    level_note: str
    sentences: tuple[str, ...]


NOUNS = {"sawtooth": "sawtooth", "square": "square wave", "triangle": "triangle wave", "vowel": "vowel-like wave",
         FORMULA: "waveform of your formula"}


def _below(db_value: float) -> str:
    """An error in dB re the target, as "23.4 dB below the target" (never "-0.0"), or "rounding only"."""
    if db_value <= EXACT_DB:
        return "rounding only"
    return f"{max(0.0, -db_value):.1f} dB below the target"


def ear_sentences(key: str, method: str, N: int, f0: float, rms_db: float, sup: float, overshoot: float,
                  error_harmonics: np.ndarray, sweep: WidthSweep, jumps: tuple[tuple[float, float], ...] = (),
                  seam: float = 0.0) -> tuple[str, ...]:
    """What the fit and its error are, from the numbers (``jumps``, ``seam``: as in ``EarFit``)."""
    noun = NOUNS[key]
    unit = f"{N} {'sigmoid' if method == 'sigmoid' else 'ReLU'} unit{'s' if N > 1 else ''}"
    k = int(np.argmax(error_harmonics[1:]) + 1)
    if rms_db <= EXACT_DB:
        why = (f"a ReLU network is piecewise linear and so is the {noun}; with knots at its corners it is the "
               f"{noun}" if method == "relu" else f"these units can draw the {noun} exactly")
        out = [f"With {unit} the fit is exact (the error is rounding only): {why}. Target and fit sound the same "
               "and the error clip is silent."]
    else:
        out = [f"With {unit} the error is {_below(rms_db)} (amplitude {10 ** (rms_db / 20):.3g} of it); of its "
               f"{len(error_harmonics) - 1} harmonics below Nyquist the strongest is {k}f₀ ({k * f0:.0f} Hz). Play the "
               "error alone to hear what the network still gets wrong."]
    if sweep.rms_db[-1] < sweep.rms_db[0] - 10.0:
        out.append(f"From N = {sweep.widths[0]} to {sweep.widths[-1]} the RMS error falls from "
                   f"{_below(sweep.rms_db[0]).removesuffix(' below the target')} to {_below(sweep.rms_db[-1])}: "
                   "the tone steps from crude to clean.")
    if jumps:
        jump = max(j for _, j in jumps)
        text = (f"The {noun} jumps by {jump:.3g} inside the period. A network of continuous units is continuous, so "
                f"beside the jump its error can never fall below half the jump ({jump / 2:.3g}): the sup error is "
                f"{sup:.3f} at N = {N}, and {sweep.sup.min():.3f} at best over N = {sweep.widths[0]} … "
                f"{sweep.widths[-1]}. The universal approximation theorem promises a uniform fit of continuous "
                "targets only; here it stops. What shrinks is the width of the region around the edge where the "
                "error is large (so the RMS falls), not its height.")
        if overshoot > 0.02:
            text += f" Beside the edge the fit overshoots the level by {overshoot:.0%}, a Gibbs-like ringing."
        out.append(text)
    else:
        points = dict.fromkeys((int(sweep.widths[0]), N, int(sweep.widths[-1])))
        sups = {int(n): float(v) for n, v in zip(sweep.widths, sweep.sup, strict=True)} | {N: sup}
        listed = ", ".join(f"{sups[n]:.3g} at N = {n}" for n in points)
        if sweep.sup.max() < 1e-9:
            out.append(f"The {noun} is continuous over the period and the sup error is rounding at every N.")
        elif sweep.sup[-1] < 0.5 * sweep.sup[0]:
            out.append(f"The {noun} is continuous over the period, so the sup error falls too: {listed} — the "
                       "theorem's uniform approximation.")
        else:
            out.append(f"The {noun} has no jump inside the period, yet its sup error hardly falls ({listed}): it "
                       f"changes faster than {sweep.widths[-1]} units spaced 1/N apart can follow. The theorem "
                       "promises that enough units exist, not how many.")
    if seam > JUMP_SHARE * float(np.ptp(sweep.fits[-1])):
        also = "also " if jumps else ""
        out.append(f"The {noun} {also}jumps by {seam:.3g} at the seam of the period, where the oscillator wraps "
                   "round: the network only has to draw what lies inside the period, and the buzz of that jump is "
                   "in target and fit alike.")
    return tuple(out)


def approximation_by_ear(key: str = "sawtooth", method: str = "sigmoid", N: int = 8, f0: float = 220.5,
                         sweep: WidthSweep | None = None, formula: str = "") -> EarFit:
    """Fit one period of ``key`` (or of ``formula`` when key is FORMULA) with N units of ``method``; play target,
    fit and error as wavetables at f0. Raises ValueError in words for a formula that cannot be used.

    ``sweep`` (from ``width_sweep(key, method, formula=formula)``) is reused when given: its fit at N if N is one
    of its widths.
    """
    if key not in TARGETS:
        raise ValueError(f"The target is one of {', '.join(TARGETS)}; got {key!r}.")
    formula = formula if key == FORMULA else ""
    N = int(audio._check("number of hidden units N", N, *WIDTH_RANGE))
    f0 = audio.snap(f0)
    sweep = sweep if sweep is not None else width_sweep(key, method, formula=formula)
    x = period_grid()
    t = target_wave(key, x, formula)
    if N in sweep.widths:
        i = int(np.nonzero(sweep.widths == N)[0][0])
        src = sweep
    else:
        i, src = 0, width_sweep(key, method, (N,), formula)
    f, rms_db, sup, overshoot = src.fits[i], float(src.rms_db[i]), float(src.sup[i]), float(src.overshoot[i])
    e = f - t
    K = min(64, (audio.period_samples(f0) - 1) // 2)
    spectrum = np.abs(np.fft.rfft(e)) / M  # one period of M samples: bin k is harmonic k
    error_harmonics = np.concatenate(([spectrum[0]], 2.0 * spectrum[1:K + 1]))
    clip_t, clip_f = (audio.wavetable(w, f0, EAR_SECONDS) for w in (t, f))
    scale = 0.8 / max(1e-9, float(np.max(np.abs(clip_t))), float(np.max(np.abs(clip_f))))
    clips = [audio.fade((c - c.mean()) * scale) for c in (clip_t, clip_f, clip_f - clip_t)]
    note = (f"Target, fit and error are played at one scale (×{scale:.2f}, DC removed), so the error is as loud "
            "beside the target as it really is.")
    if key == FORMULA and formula_wave(formula)[1] != 1.0:
        note += f" Your formula goes beyond ±1, so its period is first scaled by {formula_wave(formula)[1]:.3g}."
    jumps, seam = jumps_of(key, formula), seam_jump(key, formula)
    sentences = ear_sentences(key, method, N, f0, rms_db, sup, overshoot, error_harmonics, sweep, jumps, seam)
    return EarFit(key, formula, jumps, seam, method, N, f0, x, t, f, rms_db, sup, overshoot, error_harmonics, sweep,
                  *clips, note, sentences)
