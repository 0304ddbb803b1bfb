"""Cached views of the "Skip and feedback connections" page: plain settings in, frozen results out.

Compute views return the topic modules' frozen dataclasses (``view``: each session gets its own copy). Figures are
cached as a ``Chart`` (``nnviz.views.charts``: the figure's dict and its text alternative, built once per
setting), so no plotly figure object is shared between sessions and a rerun builds no figure. The public views
below wrap the cached ones in ``session_memo``: a rerun after another section's widget moved reuses this session's
last result instead of unpickling a copy from the cache (1-3 ms a figure). The precomputed default runs are read
once per server (``shared``, read-only); the gradient flow's default is precomputed too, so a first visit builds
no network (and loads no torch).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

from nnviz import audio
from nnviz.activations import Phi
from nnviz.figures import skip_and_feedback as fx
from nnviz.figures import style
from nnviz.topics.skip_and_feedback import recurrent as rc
from nnviz.topics.skip_and_feedback import residual as rs
from nnviz.topics.skip_and_feedback import waveshaper as ws
from nnviz.ui.cache import shared, shown, view
from nnviz.views.charts import Chart, chart

#: The joint chart's depth and time horizon.
JOINT_STEPS = 100
JOINT_RADII = ((0.9, style.ORANGE), (1.0, style.PURPLE), (1.1, style.SKY))


def _memo(cached):
    """``cached`` (a view), remembered per session for its last arguments (``session_memo``)."""
    @functools.wraps(cached)
    def remembered(*args):
        return shown(cached, *args)
    return remembered


# ---------------------------------------------------------------------------------------------- skip connections
@shared(max_entries=1)
def precomputed_gradient_flow() -> tuple[rs.GradientFlowSettings, rs.GradientFlow] | None:
    return rs.load_gradient_flow()


@view(max_entries=64)
def _gradient_flow(depth: int, phi: Phi, init: str, branch: str) -> rs.GradientFlow:
    settings = rs.GradientFlowSettings(depth, phi, init, branch)
    pre = precomputed_gradient_flow()
    return pre[1] if pre is not None and pre[0] == settings else settings.run()


gradient_flow = _memo(_gradient_flow)


@_memo
@view(max_entries=64)
def gradient_flow_chart(depth: int, phi: Phi, init: str, branch: str, wrt: str) -> Chart:
    return chart(fx.gradient_flow_figure(_gradient_flow(depth, phi, init, branch), wrt))


@shared(max_entries=1)
def precomputed_degradation() -> tuple[rs.DegradationSettings, rs.Curves] | None:
    return rs.load_degradation()


@_memo
@view(max_entries=1)
def precomputed_degradation_chart() -> Chart | None:
    pre = precomputed_degradation()
    return None if pre is None else chart(fx.degradation_figure(pre[1], pre[0].depths))


@view(max_entries=64)
def shattered_network(name: str, depth: int, batch_norm: bool) -> rs.ShatteredNet:
    return rs.shattered_network(name, depth=1 if name == "one_layer" else depth, batch_norm=batch_norm)


@dataclass(frozen=True)
class Shattered:
    """The three charts (gradients, autocorrelation, correlation across inputs), r(1) per network, the note."""

    gradients: Chart
    autocorrelation: Chart
    correlation: Chart
    r1: dict[str, float]
    note: str


@_memo
@view(max_entries=32)
def shattered(depth: int, batch_norm: bool) -> Shattered:
    nets = {n: shattered_network(n, depth, batch_norm) for n in rs.SHATTER_NETS}
    r1 = {n: float(net.autocorr[1]) for n, net in nets.items()}
    return Shattered(chart(fx.shattered_figure(nets, rs.SHATTER_LABELS)),
                     chart(fx.autocorrelation_figure(nets, rs.SHATTER_LABELS)),
                     chart(fx.gradient_covariance_figure(nets, rs.SHATTER_LABELS, stride=4)),
                     r1, rs.shattered_note(r1, batch_norm))


@shared(max_entries=1)
def precomputed_landscape() -> tuple[rs.LandscapeSettings, dict[str, rs.Landscape]] | None:
    return rs.load_landscape()


@_memo
@view(max_entries=1)
def precomputed_landscape_chart() -> Chart | None:
    pre = precomputed_landscape()
    return None if pre is None else chart(fx.landscape_figure(pre[1]))


# ---------------------------------------------------------------------------------------------- feedback
@dataclass(frozen=True)
class Captioned:
    """A chart and the caption that says what it shows."""

    chart: Chart
    caption: str


@_memo
@view(max_entries=64)
def trajectories(radius: float, phi: Phi, inputs: str) -> Captioned:
    tr = rc.hidden_trajectories(T=60, radius=radius, phi=phi, inputs=inputs)
    return Captioned(chart(fx.trajectories_figure(tr)), rc.trajectory_caption(tr))


@view(max_entries=64)
def _time_gradients(T: int, radius: float, phi: Phi, kind: str, clip: float | None) -> rc.TimeGradients:
    return rc.time_gradients(T=T, radius=radius, phi=phi, kind=kind, clip=clip)


time_gradients = _memo(_time_gradients)


@_memo
@view(max_entries=64)
def time_gradient_chart(T: int, radius: float, phi: Phi, kind: str, clip: float | None) -> Chart:
    return chart(fx.time_gradient_figure(_time_gradients(T, radius, phi, kind, clip)))


@shared(max_entries=1)
def precomputed_adding() -> tuple[dict[rc.AddingSettings, rs.Curves], rc.AddingSettings | None,
                                  dict[str, np.ndarray]]:
    return rc.load_adding()


@_memo
@view(max_entries=16)
def precomputed_adding_chart(settings: rc.AddingSettings) -> Chart | None:
    curves = precomputed_adding()[0].get(settings)
    return None if curves is None else chart(fx.adding_figure(curves, rc.CELL_LABELS, rc.GUESS_ONE_MSE))


@view(max_entries=16)
def _lstm_jacobian(forget_bias: float) -> np.ndarray:
    return rc.lstm_state_jacobian(T=JOINT_STEPS, forget_bias=forget_bias)


@view(max_entries=32)
def _depth_jacobian(phi: Phi, init: str, branch: str) -> rs.DepthJacobian:
    return rs.depth_jacobian(JOINT_STEPS, phi=phi, init=init, branch_scale=branch)


@_memo
@view(max_entries=32)
def joint_chart(phi: Phi, init: str, branch: str, forget_bias: float, trained: bool) -> Chart:
    """Deep stacks against depth and recurrent cells against time, on one axis."""
    dj = _depth_jacobian(phi, init, branch)
    series = [(f"plain stack ({phi.label})", dj.plain, fx.PLAIN, "solid"),
              (f"residual stack ({phi.label})", dj.residual, fx.RESIDUAL, "solid")]
    for rho, colour in JOINT_RADII:
        tg = _time_gradients(JOINT_STEPS, rho, rs.TANH, "orthogonal", None)
        series.append((f"RNN at init, ρ = {rho}", tg.jac, colour, "dash"))
    series.append((f"LSTM at init, forget bias {forget_bias:g}", _lstm_jacobian(forget_bias), style.GREEN, "dash"))
    jac = precomputed_adding()[2]
    if trained and jac:
        for c, colour in (("rnn", style.BLACK), ("lstm", style.GREY)):
            series.append((f"{rc.CELL_LABELS[c]}, trained", jac[c], colour, "dot"))
    return chart(fx.joint_jacobian_figure(series))


# ---------------------------------------------------------------------------------------------- skips as sound
_NONE = np.zeros(0)


@dataclass(frozen=True)
class Waveshaper:
    """The run (signals dropped), its energy-per-layer and waveform charts, and the WAVs of the dry input, the
    plain stack's output and the residual stack's output with the sentence saying how each was levelled."""

    result: ws.Waveshaped
    energy: Chart
    wave: Chart
    wavs: tuple[bytes, bytes, bytes]
    notes: tuple[str, str, str]


@_memo
@view(max_entries=64, spinner="Running the sound through both stacks…")
def waveshaper(depth: int, phi: Phi, branch: str, seed: int, source: str) -> Waveshaper:
    """Both stacks on the chosen sound: charts, alt texts and level-limited WAVs (no sample beyond 0.9)."""
    r = ws.run(depth, phi, branch, seed, source)
    played = [audio.playable(y) for y in (r.x, r.y_plain, r.y_residual)]
    slim = replace(r, x=_NONE, y_plain=_NONE, y_residual=_NONE)
    return Waveshaper(slim, chart(fx.waveshaper_energy_figure(r), ws.energy_alt(r)),
                      chart(fx.waveshaper_wave_figure(r)), tuple(audio.wav_bytes(y) for y, _ in played),
                      tuple(note for _, note in played))
