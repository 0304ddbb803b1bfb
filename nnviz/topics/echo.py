"""Feedback as sound: one recurrent neuron run on audio, h_t = phi(rho * h_{t-D} + x_t), h_t = 0 for t < 0.

D = 1 sample is a one-pole filter (rho -> 1 rings longer and darker); a larger D is a comb filter, and from
about 50 ms an echo. For linear phi the click's echoes have the envelope rho^{(t - s) / D}, which is exactly the
Jacobian dh_t/dh_s: the vanishing gradient is the echo dying away. With |rho| > 1 the linear neuron explodes
(its state is held at +-LIMIT once it gets there, standing in for infinity; the clip is played turned down);
tanh saturates instead (|h| <= 1), and its Jacobian still vanishes where tanh' is small. Pure numpy, no streamlit.
Signals are float64 (n,) at ``audio.SR``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz import audio
from nnviz.activations import Phi

SR = audio.SR
RHO_RANGE = (-1.5, 1.5)
MAX_DELAY_S = 0.5
D_RANGE = (1, int(MAX_DELAY_S * SR))  # samples
SECONDS = 2.0  # every clip; at most 3 s
START = int(0.02 * SR)  # 20 ms of silence before the sound, so the 10 ms fade-in never touches the click
LIMIT = 1e4  # 80 dB above full scale: the linear state is held here once it explodes (float64 would overflow)
FADED = 1e-3  # -60 dB: an echo below this share of the first one counts as died away
MAX_POINTS = 400  # the envelope figure's markers, at most

PHIS = {"linear": "linear: φ(z) = z", "tanh": "tanh"}
SOURCES = {"click": "Click", "pluck": "Plucked string", "drum": "Drum-like burst"}
#: Delays offered, in samples: a one-pole filter, two combs (heard as a pitch) and three echoes.
DELAYS = {1: "1 sample (one-pole filter)", 45: "2 ms (comb, ≈ 490 Hz)", 110: "5 ms (comb, ≈ 200 Hz)",
          1_764: "80 ms (echo)", 4_410: "200 ms (echo)", 11_025: "500 ms (echo)"}
ECHO_S = 0.05  # delays from about 50 ms are heard as separate echoes, shorter ones fuse into a pitch


def check(rho: float, D: int, phi: Phi) -> tuple[float, int]:
    """(rho, D) if within bounds and phi is linear or tanh, else a plain ValueError."""
    rho = float(rho)
    if not math.isfinite(rho) or not RHO_RANGE[0] <= rho <= RHO_RANGE[1]:
        raise ValueError(f"The feedback ρ must be between {RHO_RANGE[0]:g} and {RHO_RANGE[1]:g}; got {rho:g}.")
    if int(D) != D or not D_RANGE[0] <= D <= D_RANGE[1]:
        raise ValueError(f"The delay D must be a whole number of samples from 1 to {D_RANGE[1]} "
                         f"({MAX_DELAY_S:g} s); got {D}.")
    if phi.key not in PHIS:
        raise ValueError(f"The recurrent neuron here uses φ = linear or tanh; got {phi.label}.")
    return rho, int(D)


def source(name: str, seconds: float = SECONDS) -> np.ndarray:
    """The input x (n,): START samples of silence, then a click (one sample of 1), a pluck or a drum-like burst."""
    n = audio.n_samples(min(float(seconds), 3.0), SR)
    x = np.zeros(n)
    if name == "click":
        x[START] = 1.0
    elif name == "pluck":
        p = audio.pluck(220.0, seconds=0.3, decay=0.99)
        x[START:START + len(p)] = 0.8 * p[: n - START]
    elif name == "drum":
        m = int(0.15 * SR)
        t = np.arange(m) / SR
        noise = np.random.default_rng(0).uniform(-1.0, 1.0, m)
        body = np.sin(2 * np.pi * (60.0 * t + 40.0 * 0.03 * (1 - np.exp(-t / 0.03))))  # pitch falls 100 -> 60 Hz
        burst = (0.6 * body * np.exp(-t / 0.04) + 0.4 * noise * np.exp(-t / 0.01))
        x[START:START + m] = burst[: n - START]
    else:
        raise ValueError(f"Unknown sound {name!r}; choose one of {', '.join(SOURCES)}.")
    return x


def recur(x: np.ndarray, rho: float, D: int, phi: Phi) -> np.ndarray:
    """h (n,) with h_t = phi(rho h_{t-D} + x_t), h_t = 0 for t < 0; x (n,). Linear phi: |h| held at LIMIT.

    D samples at a time: h[kD:(k+1)D] depends only on the block before, so each block is one numpy step
    (for D = 1 a plain float loop).
    """
    rho, D = check(rho, D, phi)
    x = np.asarray(x, dtype=np.float64)
    f = np.tanh if phi.key == "tanh" else (lambda z: np.clip(z, -LIMIT, LIMIT))
    if D == 1:
        g = math.tanh if phi.key == "tanh" else (lambda z: min(LIMIT, max(-LIMIT, z)))
        out, h = [], 0.0
        for xt in x.tolist():
            h = g(rho * h + xt)
            out.append(h)
        return np.array(out)
    h = np.zeros_like(x)
    prev = np.zeros(D)
    for k in range(0, len(x), D):
        block = x[k:k + D]
        prev = f(rho * prev[: len(block)] + block)
        h[k:k + D] = prev
    return h


def jacobian(x: np.ndarray, h: np.ndarray, rho: float, D: int, phi: Phi, s: int) -> np.ndarray:
    """J (n,): J_t = dh_t/dh_s along this run (0 before s and off the multiples of D after it).

    h_{s+kD} = phi(rho h_{s+(k-1)D} + x_{s+kD}), so dh_{s+kD}/dh_s = prod_{j=1..k} rho phi'(z_{s+jD}).
    The linear neuron's phi' is 1 (0 where the limiter holds it): J = rho^k, the echo's envelope.
    """
    rho, D = check(rho, D, phi)
    n = len(h)
    idx = np.arange(s + D, n, D)
    prev = h[idx - D]
    z = rho * prev + x[idx]
    d = 1.0 - h[idx] ** 2 if phi.key == "tanh" else (np.abs(z) <= LIMIT).astype(float)
    J = np.zeros(n)
    J[s] = 1.0
    with np.errstate(over="ignore", under="ignore"):
        J[idx] = np.cumprod(rho * d)
    J[np.abs(J) < 1e-300] = 0.0  # subnormals round to themselves, they do not keep falling: call them 0
    return np.where(np.isfinite(J), J, np.sign(J) * np.finfo(float).max)


def centroid(x: np.ndarray) -> float:
    """Spectral centroid (Hz) of x (n,): sum f |X(f)|^2 / sum |X(f)|^2 (0 for silence)."""
    X = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64) - np.mean(x))) ** 2
    f = np.fft.rfftfreq(len(x), 1.0 / SR)
    return float((f * X).sum() / X.sum()) if X.sum() > 0 else 0.0


@dataclass(frozen=True)
class Echo:
    """One run: input x, output h (n,), the click's echoes and the Jacobian at t = START + kD (m,), the clips."""

    rho: float
    D: int
    phi_key: str
    source: str
    t_s: np.ndarray  # (n,) time in seconds
    x: np.ndarray  # (n,) input
    h: np.ndarray  # (n,) output (raw: may exceed full scale)
    k_t: np.ndarray  # (m,) times of the echoes START + kD, in seconds (decimated to MAX_POINTS)
    echoes: np.ndarray  # (m,) |h| of the click's response at those times, over its first value
    envelope: np.ndarray  # (m,) |rho|^k
    grad: np.ndarray  # (m,) |dh_t/dh_START| along the click's run
    peak: float  # max |h| of the played source's run
    click_peak: float  # max |h| of the click's run
    end_db: float  # the click's last echo, dB re its first
    grad_end_db: float  # |dh_T/dh_START| at the last echo, dB
    crossed_s: float  # when the click's run first passed full scale (nan if never)
    centroid_in: float
    centroid_out: float
    play: np.ndarray  # (n,) the output as played (audio.playable)
    play_note: str
    sentences: tuple[str, ...]


def _down(level_db: float) -> str:
    """"54 dB down", or "more than 300 dB down" where the float has run out of digits."""
    return "more than 300 dB down" if level_db <= -300 else f"{-level_db:.0f} dB down"


def _db(v: float) -> float:
    return float(audio.db(v, floor=-400.0))


def run(rho: float, D: int, phi: Phi, name: str) -> Echo:
    """The neuron fed ``name`` and, for the figures, fed a click; the sentences true of both."""
    rho, D = check(rho, D, phi)
    x = source(name)
    h = recur(x, rho, D, phi)
    xc = source("click")
    hc = h if name == "click" else recur(xc, rho, D, phi)
    J = jacobian(xc, hc, rho, D, phi, START)
    k_idx = np.arange(START, len(xc), D)
    if len(k_idx) > MAX_POINTS:
        k_idx = k_idx[np.unique(np.linspace(0, len(k_idx) - 1, MAX_POINTS).round().astype(int))]
    k = (k_idx - START) // D
    echoes = np.abs(hc[k_idx]) / abs(hc[START])
    with np.errstate(over="ignore", under="ignore"):
        envelope = np.abs(rho) ** k.astype(float)
    over = np.flatnonzero(np.abs(hc) > 1.0 + 1e-12)
    play, note = audio.playable(h)
    r = Echo(rho, D, phi.key, name, np.arange(len(x)) / SR, x, h, k_idx / SR, echoes, envelope, np.abs(J[k_idx]),
             float(np.max(np.abs(h))), float(np.max(np.abs(hc))), _db(echoes[-1]), _db(abs(J[k_idx[-1]])),
             float(over[0] / SR) if len(over) else math.nan, centroid(x), centroid(h), play, note, ())
    return Echo(**{**r.__dict__, "sentences": sentences(r)})


def sentences(r: Echo) -> tuple[str, ...]:
    """What this run shows, the first the headline; each chosen by the measured numbers."""
    ms = 1000.0 * r.D / SR
    T = r.k_t[-1] - START / SR
    out = []
    if r.rho == 0.0:
        out.append("ρ = 0: no feedback, so the output is the input — no echo, and no gradient reaches back past "
                   "the step it came from.")
    elif r.phi_key == "linear" and abs(r.rho) < 1.0:
        out.append(f"Each echo is |ρ| = {abs(r.rho):g} times the one before: after {T:.2f} s the click's echoes are "
                   f"{_down(r.end_db)}. That envelope ρ^(t/D) is exactly ∂h_t/∂h_s — the vanishing "
                   "gradient is the echo dying away.")
    elif r.phi_key == "linear" and abs(r.rho) == 1.0:
        out.append(f"|ρ| = 1: every echo as loud as the first ({r.end_db:+.0f} dB after {T:.2f} s) — the gradient "
                   "∂h_t/∂h_s neither vanishes nor explodes, and the sound never dies.")
    elif r.phi_key == "linear":
        out.append(f"|ρ| = {abs(r.rho):g} > 1: each echo is louder than the last, and the gradient ∂h_t/∂h_s = "
                   f"ρ^(t/D) explodes with it: the click's run passed full scale after {r.crossed_s - START / SR:.3f} s"
                   + (f" and reached {LIMIT:g} (80 dB over), where it is held, standing in for infinity."
                      if r.click_peak >= LIMIT else f", reaching {r.click_peak:.3g}.")
                   + " The clip is played turned down so it fits a WAV; the file never holds a sample beyond ±1.")
    elif abs(r.rho) > 1.0:  # tanh
        out.append(f"tanh saturates instead of exploding: with |ρ| = {abs(r.rho):g} the state stays within ±1 "
                   f"(largest |h| = {r.click_peak:.3f}): its echoes settle at the level h* = tanh(ρ·h*) — "
                   f"and ∂h_t/∂h_s still "
                   f"vanishes ({r.grad_end_db:.0f} dB after {T:.2f} s), because tanh′ is small where it saturates.")
    else:  # tanh, |rho| <= 1
        out.append(f"tanh keeps |h| ≤ 1 (largest {r.click_peak:.3f}); the echoes die away "
                   f"({_down(r.end_db)} after {T:.2f} s) and the gradient ∂h_t/∂h_s with them "
                   f"({_down(r.grad_end_db)}), faster than |ρ|^(t/D) wherever tanh′ < 1.")
    if r.rho != 0.0:
        if r.D == 1 and r.rho > 0:
            tone = "darker" if r.centroid_out < r.centroid_in else "brighter"
            ring = (f"rings for a time constant of {1000 * -1.0 / math.log(r.rho) / SR:.2f} ms" if r.rho < 1
                    else "has no decay of its own (ρ ≥ 1)")
            out.append(f"D = 1 sample: a one-pole low-pass filter; it {ring} and sounds {tone}: its spectral "
                       f"centroid is {r.centroid_out:,.0f} Hz against the input's {r.centroid_in:,.0f} Hz.")
        elif r.D == 1:
            out.append(f"D = 1 with ρ < 0: the sign flips every sample, a high-pass filter: the centroid moves from "
                       f"{r.centroid_in:,.0f} Hz to {r.centroid_out:,.0f} Hz.")
        elif r.D / SR < ECHO_S:
            out.append(f"D = {ms:.1f} ms is shorter than the ear separates echoes: they fuse into a comb filter "
                       f"that rings at {SR / r.D:.0f} Hz" + (" (an octave lower for ρ < 0, as the sign flips each "
                                                             "pass)." if r.rho < 0 else "."))
        else:
            out.append(f"D = {ms:.0f} ms: separate echoes, one every {ms:.0f} ms"
                       + (", each with its sign flipped." if r.rho < 0 else "."))
    out.append(r.play_note)
    return tuple(out)
