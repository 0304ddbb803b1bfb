"""Cached view of the feedback-as-sound section: settings in, the frozen run, its two charts and its WAVs out."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnviz import audio
from nnviz.activations import Phi
from nnviz.figures import echo as figs
from nnviz.topics import echo
from nnviz.ui.cache import session_memo, view
from nnviz.views.charts import Chart, chart

_NONE = np.zeros(0)
WAVE_POINTS = 600  # min-max bins of the waveform figure: fewer pieces than pixels


@dataclass(frozen=True)
class Heard:
    """The run (full-length arrays dropped), the envelope and waveform charts, and the (input, output) WAV bytes."""

    result: echo.Echo
    envelope: Chart
    wave: Chart
    wavs: tuple[bytes, ...]


def _bins(y: np.ndarray, b: int) -> tuple[np.ndarray, np.ndarray]:
    """min and max of y (n,) over b equal bins (the last one shorter)."""
    w = -(-len(y) // b)
    pad = np.concatenate((y, np.full(w * b - len(y), y[-1])))
    blocks = pad.reshape(b, w)
    return blocks.min(axis=1), blocks.max(axis=1)


@view(max_entries=128, spinner="Running the recurrent neuron…")
def _feedback(rho: float, D: int, phi: Phi, source: str) -> Heard:
    r = echo.run(rho, D, phi, source)
    x_lo, x_hi = _bins(r.x, WAVE_POINTS)
    h_lo, h_hi = _bins(r.h, WAVE_POINTS)
    w = -(-len(r.x) // WAVE_POINTS)
    t_bin = (np.arange(WAVE_POINTS) + 0.5) * w / echo.SR
    envelope = chart(figs.envelope(r.k_t - r.k_t[0], r.envelope, r.echoes, r.grad, 1000.0 * r.D / echo.SR))
    wave = chart(figs.waveform(t_bin, x_lo, x_hi, h_lo, h_hi, 1000.0 * w / echo.SR))
    dry, _ = audio.playable(r.x)
    wavs = (audio.wav_bytes(dry), audio.wav_bytes(r.play))
    slim = replace(r, t_s=_NONE, x=_NONE, h=_NONE, play=_NONE)
    return Heard(slim, envelope, wave, wavs)


def feedback(rho: float, D: int, phi: Phi, source: str) -> Heard:
    """h_t = phi(rho h_{t-D} + x_t) on ``source``: the run, its two charts and the (dry input, output) WAVs; kept
    for this session while the settings stay (a rerun elsewhere on the page unpickles no copy)."""
    args = (rho, D, phi, source)
    return session_memo("sk_echo_feedback", args, lambda: _feedback(*args))
