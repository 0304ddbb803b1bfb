"""Cached view of the feedback-as-sound section: settings in, the frozen run and its two WAVs out."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnviz import audio
from nnviz.activations import Phi
from nnviz.topics import echo
from nnviz.ui.cache import view

_NONE = np.zeros(0)
WAVE_POINTS = 600  # min-max bins of the waveform figure: fewer pieces than pixels


@dataclass(frozen=True)
class Heard:
    """The run (full-length arrays dropped), the waveform's min-max bins, and the (input, output) WAV bytes."""

    result: echo.Echo
    t_bin: np.ndarray  # (b,) seconds
    x_lo: np.ndarray  # (b,) the input's min and max per bin
    x_hi: np.ndarray
    h_lo: np.ndarray  # (b,) the output's min and max per bin (raw, may exceed full scale)
    h_hi: np.ndarray
    bin_ms: float
    wavs: tuple[bytes, ...]


def _bins(y: np.ndarray, b: int) -> tuple[np.ndarray, np.ndarray]:
    """min and max of y (n,) over b equal bins (the last one shorter)."""
    w = -(-len(y) // b)
    pad = np.concatenate((y, np.full(w * b - len(y), y[-1])))
    blocks = pad.reshape(b, w)
    return blocks.min(axis=1), blocks.max(axis=1)


@view(max_entries=128, spinner="Running the recurrent neuron…")
def feedback(rho: float, D: int, phi: Phi, source: str) -> Heard:
    """h_t = phi(rho h_{t-D} + x_t) on ``source``: the run, the waveform bins and the (dry input, output) WAVs."""
    r = echo.run(rho, D, phi, source)
    x_lo, x_hi = _bins(r.x, WAVE_POINTS)
    h_lo, h_hi = _bins(r.h, WAVE_POINTS)
    w = -(-len(r.x) // WAVE_POINTS)
    t_bin = (np.arange(WAVE_POINTS) + 0.5) * w / echo.SR
    dry, _ = audio.playable(r.x)
    wavs = (audio.wav_bytes(dry), audio.wav_bytes(r.play))
    slim = replace(r, t_s=_NONE, x=_NONE, h=_NONE, play=_NONE)
    return Heard(slim, t_bin, x_lo, x_hi, h_lo, h_hi, 1000.0 * w / echo.SR, wavs)
