"""Cached views of the "Skip and feedback connections" page: plain settings in, frozen results out.

Compute views return the topic modules' frozen dataclasses (``view``: each session gets its own copy). Figures are
cached as ``fig.to_dict()`` and handed out as a new ``go.Figure`` per call (``_figure``, unvalidated: it was
validated when first built), so no plotly figure object is shared between sessions and a rerun costs a copy and
1-2 ms, not a rebuild (40-70 ms for these figures) or a validation of the dict by st.plotly_chart (about 40 ms).
The precomputed default runs are read once per server (``shared``, read-only).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go

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


def as_figure(d: dict | None) -> go.Figure | None:
    """A fresh figure of this session from a cached figure dict."""
    return None if d is None else go.Figure(d, _validate=False)


def _figure(cached):
    """Wrap a cached view returning a figure dict so that callers get their own ``go.Figure``."""
    @functools.wraps(cached)
    def build(*args):
        return as_figure(cached(*args))
    return build


# ---------------------------------------------------------------------------------------------- skip connections
@view(max_entries=64)
def gradient_flow(depth: int, phi: Phi, init: str, branch: str) -> rs.GradientFlow:
    return rs.gradient_flow(depth, phi=phi, init=init, branch_scale=branch)


@_figure
@view(max_entries=64)
def gradient_flow_figure(depth: int, phi: Phi, init: str, branch: str, wrt: str) -> dict:
    return fx.gradient_flow_figure(gradient_flow(depth, phi, init, branch), wrt).to_dict()


@shared(max_entries=1)
def precomputed_degradation() -> tuple[rs.DegradationSettings, rs.Curves] | None:
    return rs.load_degradation()


@_figure
@view(max_entries=1)
def precomputed_degradation_figure() -> dict | None:
    pre = precomputed_degradation()
    return None if pre is None else fx.degradation_figure(pre[1], pre[0].depths).to_dict()


@view(max_entries=64)
def shattered_network(name: str, depth: int, batch_norm: bool) -> rs.ShatteredNet:
    return rs.shattered_network(name, depth=1 if name == "one_layer" else depth, batch_norm=batch_norm)


def shattered(depth: int, batch_norm: bool) -> tuple[go.Figure, go.Figure, go.Figure, dict[str, float], str]:
    """The three figures (gradients, autocorrelation, correlation across inputs), r(1) per network, the note."""
    sh, ac, cov, r1, note = _shattered(depth, batch_norm)
    return as_figure(sh), as_figure(ac), as_figure(cov), r1, note


@view(max_entries=32)
def _shattered(depth: int, batch_norm: bool) -> tuple[dict, dict, dict, dict[str, float], str]:
    nets = {n: shattered_network(n, depth, batch_norm) for n in rs.SHATTER_NETS}
    r1 = {n: float(net.autocorr[1]) for n, net in nets.items()}
    return (fx.shattered_figure(nets, rs.SHATTER_LABELS).to_dict(),
            fx.autocorrelation_figure(nets, rs.SHATTER_LABELS).to_dict(),
            fx.gradient_covariance_figure(nets, rs.SHATTER_LABELS, stride=4).to_dict(),
            r1, rs.shattered_note(r1, batch_norm))


@shared(max_entries=1)
def precomputed_landscape() -> tuple[rs.LandscapeSettings, dict[str, rs.Landscape]] | None:
    return rs.load_landscape()


@_figure
@view(max_entries=1)
def precomputed_landscape_figure() -> dict | None:
    pre = precomputed_landscape()
    return None if pre is None else fx.landscape_figure(pre[1]).to_dict()


# ---------------------------------------------------------------------------------------------- feedback
def trajectories(radius: float, phi: Phi, inputs: str) -> tuple[rc.Trajectories, go.Figure, str]:
    """The run, its figure and its caption."""
    tr, fig, caption = _trajectories(radius, phi, inputs)
    return tr, as_figure(fig), caption


@view(max_entries=64)
def _trajectories(radius: float, phi: Phi, inputs: str) -> tuple[rc.Trajectories, dict, str]:
    tr = rc.hidden_trajectories(T=60, radius=radius, phi=phi, inputs=inputs)
    return tr, fx.trajectories_figure(tr).to_dict(), rc.trajectory_caption(tr)


@view(max_entries=64)
def time_gradients(T: int, radius: float, phi: Phi, kind: str, clip: float | None) -> rc.TimeGradients:
    return rc.time_gradients(T=T, radius=radius, phi=phi, kind=kind, clip=clip)


@_figure
@view(max_entries=64)
def time_gradient_figure(T: int, radius: float, phi: Phi, kind: str, clip: float | None) -> dict:
    return fx.time_gradient_figure(time_gradients(T, radius, phi, kind, clip)).to_dict()


@shared(max_entries=1)
def precomputed_adding() -> tuple[dict[rc.AddingSettings, rs.Curves], rc.AddingSettings | None,
                                  dict[str, np.ndarray]]:
    return rc.load_adding()


@_figure
@view(max_entries=16)
def precomputed_adding_figure(settings: rc.AddingSettings) -> dict | None:
    curves = precomputed_adding()[0].get(settings)
    return None if curves is None else fx.adding_figure(curves, rc.CELL_LABELS, rc.GUESS_ONE_MSE).to_dict()


@view(max_entries=16)
def _lstm_jacobian(forget_bias: float) -> np.ndarray:
    return rc.lstm_state_jacobian(T=JOINT_STEPS, forget_bias=forget_bias)


@view(max_entries=32)
def _depth_jacobian(phi: Phi, init: str, branch: str) -> rs.DepthJacobian:
    return rs.depth_jacobian(JOINT_STEPS, phi=phi, init=init, branch_scale=branch)


@_figure
@view(max_entries=32)
def joint_figure(phi: Phi, init: str, branch: str, forget_bias: float, trained: bool) -> dict:
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
    return fx.joint_jacobian_figure(series).to_dict()


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
