"""Cached views of the sound sections: settings in, frozen results with their WAV bytes out.

``view`` (st.cache_data) gives each session its own copy; the width sweep of a target, shared read-only by every
session, is the one ``shared`` entry (nine least-squares fits, about 0.3 s, reused by every N and pitch).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnviz import audio
from nnviz.activations import Phi
from nnviz.topics import sound
from nnviz.ui.cache import shared, view

_NONE = np.zeros(0)  # a result's clips, once written as WAV bytes (each session's copy stays small)


@dataclass(frozen=True)
class Heard:
    """A section's result and the WAV bytes of its clips, in the order the section plays them."""

    result: object
    wavs: tuple[bytes, ...]


@view(max_entries=128, spinner="Shaping the sound…")
def nonlinearity(phi: Phi, gain: float, bias: float, source: str, f0: float) -> Heard:
    """A sine or pluck through phi(g x + b): the result and (input, output) WAVs, level-matched."""
    r = sound.hear_nonlinearity(phi, gain, bias, source, f0)
    wavs = (audio.wav_bytes(r.clip_in), audio.wav_bytes(r.clip_out))
    return Heard(replace(r, clip_in=_NONE, clip_out=_NONE), wavs)  # the samples live on in the WAVs only


@view(max_entries=128, spinner="Listening to the neuron…")
def spiking(current: float) -> Heard:
    """The LIF neuron at ``current`` nA: the result and (clicks, rate-neuron tone) WAVs."""
    r = sound.spiking_heard(current)
    wavs = (audio.wav_bytes(r.clicks), audio.wav_bytes(r.tone))
    return Heard(replace(r, clicks=_NONE, tone=_NONE), wavs)


@shared(max_entries=32, spinner="Fitting the period at every width…")
def ear_sweep(key: str, method: str, formula: str = "") -> sound.WidthSweep:
    """Fits of one target (or typed formula) at N = 1, 2, 4 ... 256 (read-only arrays, shared by every session);
    raises ValueError in words for a formula that cannot be used (not cached)."""
    sweep = sound.width_sweep(key, method, formula=formula)
    for a in (sweep.widths, sweep.fits, sweep.rms_db, sweep.sup, sweep.overshoot):
        a.setflags(write=False)
    return sweep


@view(max_entries=128, spinner="Playing the fit…")
def ear(key: str, method: str, N: int, f0: float, formula: str = "") -> Heard:
    """One period fitted by N units, played at f0: the result and (target, fit, error) WAVs. ``formula``: the
    typed target, used when key is ``sound.FORMULA``."""
    formula = formula if key == sound.FORMULA else ""
    r = sound.approximation_by_ear(key, method, N, f0, sweep=ear_sweep(key, method, formula), formula=formula)
    wavs = tuple(audio.wav_bytes(c) for c in (r.clip_target, r.clip_fit, r.clip_error))
    return Heard(replace(r, clip_target=_NONE, clip_fit=_NONE, clip_error=_NONE), wavs)
