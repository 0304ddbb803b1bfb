"""Cached views of the "Skip and feedback connections" page: plain settings in, frozen results out.

Compute views return the topic modules' frozen dataclasses (``view``: each session gets its own copy). Figures are
cached as ``fig.to_dict()`` with their text alternative (``style.describe``, 2-6 ms a figure, so once, not per
rerun) and handed out as a ``Chart``: a new ``go.Figure`` per call (``_figure``, unvalidated: it was validated
when first built) and its alt. No plotly figure object is shared between sessions, and a rerun costs a copy and
1-2 ms, not a rebuild (40-70 ms for these figures) or a validation of the dict by st.plotly_chart (about 40 ms).
The precomputed default runs are read once per server (``shared``, read-only).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from nnviz import audio
from nnviz.activations import Phi
from nnviz.figures import skip_and_feedback as fx
from nnviz.figures import style
from nnviz.topics.skip_and_feedback import recurrent as rc
from nnviz.topics.skip_and_feedback import residual as rs
from nnviz.topics.skip_and_feedback import waveshaper as ws
from nnviz.ui.cache import shared, view

#: The joint chart's depth and time horizon.
JOINT_STEPS = 100
JOINT_RADII = ((0.9, style.ORANGE), (1.0, style.PURPLE), (1.1, style.SKY))


class Chart(NamedTuple):
    """A figure of this session and its text alternative for screen readers."""

    fig: go.Figure
    alt: str


def as_figure(d: dict | None) -> go.Figure | None:
    """A fresh figure of this session from a cached figure dict."""
    return None if d is None else go.Figure(d, _validate=False)


def _packed(fig: go.Figure) -> tuple[dict, str]:
    """What a view caches of a figure: its dict and its alt text, both computed once."""
    return fig.to_dict(), style.describe(fig)


def _chart(packed: tuple[dict, str] | None) -> Chart | None:
    return None if packed is None else Chart(as_figure(packed[0]), packed[1])


_LAST = "_sk_last_charts"


def _last(name: str, args: tuple, make):
    """This session's chart from ``name`` for ``args``, kept from its last rerun (in st.session_state, so only this
    session ever sees it) when neither the settings nor classroom mode (which enlarges a figure's text in place)
    changed: a rerun after another section's widget then builds no figure (1-3 ms each). One chart per view."""
    from nnviz.ui import classroom

    key = (args, classroom.is_on())
    last = st.session_state.setdefault(_LAST, {})
    hit = last.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    value = make()
    last[name] = (key, value)
    return value


def _figure(cached):
    """Wrap a cached view returning ``_packed(fig)`` so that callers get a ``Chart`` with their own figure."""
    @functools.wraps(cached)
    def build(*args):
        return _last(cached.__name__, args, lambda: _chart(cached(*args)))
    return build


# ---------------------------------------------------------------------------------------------- skip connections
@view(max_entries=64)
def gradient_flow(depth: int, phi: Phi, init: str, branch: str) -> rs.GradientFlow:
    return rs.gradient_flow(depth, phi=phi, init=init, branch_scale=branch)


@_figure
@view(max_entries=64)
def gradient_flow_figure(depth: int, phi: Phi, init: str, branch: str, wrt: str) -> tuple[dict, str]:
    return _packed(fx.gradient_flow_figure(gradient_flow(depth, phi, init, branch), wrt))


@shared(max_entries=1)
def precomputed_degradation() -> tuple[rs.DegradationSettings, rs.Curves] | None:
    return rs.load_degradation()


@_figure
@view(max_entries=1)
def precomputed_degradation_figure() -> tuple[dict, str] | None:
    pre = precomputed_degradation()
    return None if pre is None else _packed(fx.degradation_figure(pre[1], pre[0].depths))


@view(max_entries=64)
def shattered_network(name: str, depth: int, batch_norm: bool) -> rs.ShatteredNet:
    return rs.shattered_network(name, depth=1 if name == "one_layer" else depth, batch_norm=batch_norm)


def shattered(depth: int, batch_norm: bool) -> tuple[Chart, Chart, Chart, dict[str, float], str]:
    """The three charts (gradients, autocorrelation, correlation across inputs), r(1) per network, the note."""
    sh, ac, cov, r1, note = _shattered(depth, batch_norm)
    return _chart(sh), _chart(ac), _chart(cov), r1, note


@view(max_entries=32)
def _shattered(depth: int, batch_norm: bool) -> tuple[tuple[dict, str], tuple[dict, str], tuple[dict, str],
                                                   dict[str, float], str]:
    nets = {n: shattered_network(n, depth, batch_norm) for n in rs.SHATTER_NETS}
    r1 = {n: float(net.autocorr[1]) for n, net in nets.items()}
    return (_packed(fx.shattered_figure(nets, rs.SHATTER_LABELS)),
            _packed(fx.autocorrelation_figure(nets, rs.SHATTER_LABELS)),
            _packed(fx.gradient_covariance_figure(nets, rs.SHATTER_LABELS, stride=4)),
            r1, rs.shattered_note(r1, batch_norm))


@shared(max_entries=1)
def precomputed_landscape() -> tuple[rs.LandscapeSettings, dict[str, rs.Landscape]] | None:
    return rs.load_landscape()


@_figure
@view(max_entries=1)
def precomputed_landscape_figure() -> tuple[dict, str] | None:
    pre = precomputed_landscape()
    return None if pre is None else _packed(fx.landscape_figure(pre[1]))


# ---------------------------------------------------------------------------------------------- feedback
def trajectories(radius: float, phi: Phi, inputs: str) -> tuple[rc.Trajectories, Chart, str]:
    """The run, its chart and its caption."""
    return _last("trajectories", (radius, phi, inputs), lambda: _unpack_trajectories(radius, phi, inputs))


def _unpack_trajectories(radius: float, phi: Phi, inputs: str) -> tuple[rc.Trajectories, Chart, str]:
    tr, fig, caption = _trajectories(radius, phi, inputs)
    return tr, _chart(fig), caption


@view(max_entries=64)
def _trajectories(radius: float, phi: Phi, inputs: str) -> tuple[rc.Trajectories, tuple[dict, str], str]:
    tr = rc.hidden_trajectories(T=60, radius=radius, phi=phi, inputs=inputs)
    return tr, _packed(fx.trajectories_figure(tr)), rc.trajectory_caption(tr)


@view(max_entries=64)
def time_gradients(T: int, radius: float, phi: Phi, kind: str, clip: float | None) -> rc.TimeGradients:
    return rc.time_gradients(T=T, radius=radius, phi=phi, kind=kind, clip=clip)


@_figure
@view(max_entries=64)
def time_gradient_figure(T: int, radius: float, phi: Phi, kind: str, clip: float | None) -> tuple[dict, str]:
    return _packed(fx.time_gradient_figure(time_gradients(T, radius, phi, kind, clip)))


@shared(max_entries=1)
def precomputed_adding() -> tuple[dict[rc.AddingSettings, rs.Curves], rc.AddingSettings | None,
                                  dict[str, np.ndarray]]:
    return rc.load_adding()


@_figure
@view(max_entries=16)
def precomputed_adding_figure(settings: rc.AddingSettings) -> tuple[dict, str] | None:
    curves = precomputed_adding()[0].get(settings)
    return None if curves is None else _packed(fx.adding_figure(curves, rc.CELL_LABELS, rc.GUESS_ONE_MSE))


@view(max_entries=16)
def _lstm_jacobian(forget_bias: float) -> np.ndarray:
    return rc.lstm_state_jacobian(T=JOINT_STEPS, forget_bias=forget_bias)


@view(max_entries=32)
def _depth_jacobian(phi: Phi, init: str, branch: str) -> rs.DepthJacobian:
    return rs.depth_jacobian(JOINT_STEPS, phi=phi, init=init, branch_scale=branch)


@_figure
@view(max_entries=32)
def joint_figure(phi: Phi, init: str, branch: str, forget_bias: float, trained: bool) -> tuple[dict, str]:
    """Deep stacks against depth and recurrent cells against time, on one axis."""
    dj = _depth_jacobian(phi, init, branch)
    series = [(f"plain stack ({phi.label})", dj.plain, fx.PLAIN, "solid"),
              (f"residual stack ({phi.label})", dj.residual, fx.RESIDUAL, "solid")]
    for rho, colour in JOINT_RADII:
        tg = time_gradients(JOINT_STEPS, rho, rs.TANH, "orthogonal", None)
        series.append((f"RNN at init, ρ = {rho}", tg.jac, colour, "dash"))
    series.append((f"LSTM at init, forget bias {forget_bias:g}", _lstm_jacobian(forget_bias), style.GREEN, "dash"))
    jac = precomputed_adding()[2]
    if trained and jac:
        for c, colour in (("rnn", style.BLACK), ("lstm", style.GREY)):
            series.append((f"{rc.CELL_LABELS[c]}, trained", jac[c], colour, "dot"))
    return _packed(fx.joint_jacobian_figure(series))


# ---------------------------------------------------------------------------------------------- skips as sound
_NONE = np.zeros(0)


@dataclass(frozen=True)
class Waveshaper:
    """The run (signals dropped), its two figures as dicts with their alt texts, and the WAVs of the dry input,
    the plain stack's output and the residual stack's output with the sentence saying how each was levelled."""

    result: ws.Waveshaped
    energy: dict
    energy_alt: str
    wave: dict
    wave_alt: str
    wavs: tuple[bytes, bytes, bytes]
    notes: tuple[str, str, str]


@view(max_entries=64, spinner="Running the sound through both stacks…")
def waveshaper(depth: int, phi: Phi, branch: str, seed: int, source: str) -> Waveshaper:
    """Both stacks on the chosen sound: figures, alt texts and level-limited WAVs (no sample beyond 0.9)."""
    r = ws.run(depth, phi, branch, seed, source)
    played = [audio.playable(y) for y in (r.x, r.y_plain, r.y_residual)]
    wave_fig = fx.waveshaper_wave_figure(r)
    slim = replace(r, x=_NONE, y_plain=_NONE, y_residual=_NONE)
    return Waveshaper(slim, fx.waveshaper_energy_figure(r).to_dict(), ws.energy_alt(r), wave_fig.to_dict(),
                      style.describe(wave_fig), tuple(audio.wav_bytes(y) for y, _ in played),
                      tuple(note for _, note in played))
