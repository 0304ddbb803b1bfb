"""Figures of sound: waveforms, the transfer curve phi(g x + b), harmonic spectra in dB, and the sound sections'
own plots (f-I curves, a membrane trace, a fitted period, error against width).

Results in, ``go.Figure`` out (``style.make_figure``: one look with the rest of the app). Traces are plain dicts,
validated in the tests only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nnviz import audio
from nnviz.figures import style

FLOOR_DB = -120.0  # the spectrum's floor: harmonics below it are drawn at it (absent to any ear)


def _line(x: np.ndarray, y: np.ndarray, name: str, colour: str, dash: str = "solid", width: float = 2.5,
          **kw) -> dict:
    return {"type": "scatter", "mode": "lines", "x": np.asarray(x), "y": np.asarray(y), "name": name,
            "line": {"color": colour, "dash": dash, "width": width}, **kw}


def waveform(t_ms: np.ndarray, series: Sequence[tuple[str, np.ndarray, str]], title: str | None = None,
             height: int = 300) -> go.Figure:
    """A few periods of one or more signals: ``series`` of (name, samples (n,), colour) against t_ms (n,)."""
    dashes = ("dash", "solid", "dot")
    data = [_line(t_ms, y, name, colour, dashes[i % 3] if len(series) > 1 else "solid")
            for i, (name, y, colour) in enumerate(series)]
    return style.make_figure(data, title=title, x_title="time (ms)", y_title="amplitude (full scale 1)",
                             height=height)


def transfer(z: np.ndarray, phi_z: np.ndarray, swing: tuple[float, float], label: str,
             height: int = 300) -> go.Figure:
    """The transfer curve phi(z) (z, phi_z (m,)), the input's swing z in [b - g, b + g] shaded, its ends marked."""
    lo, hi = swing
    inside = (z >= lo) & (z <= hi)
    ends = np.interp([lo, hi], z, phi_z)
    data = [
        _line(z, phi_z, f"φ(z), {label}", style.GREY, width=2),
        _line(z[inside], phi_z[inside], "the part the input swings over", style.MODEL, width=4),
        {"type": "scatter", "mode": "markers", "x": [lo, hi], "y": ends, "name": "z = b − g and b + g",
         "marker": {"color": style.VERMILLION, "size": 10, "symbol": "line-ns-open", "line": {"width": 3}}},
    ]
    shape = {"type": "rect", "x0": lo, "x1": hi, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
             "fillcolor": style.SKY, "opacity": 0.12, "line": {"width": 0}, "layer": "below"}
    return style.make_figure(data, title="Transfer curve φ(g·x + b)", x_title="z = g·x + b", y_title="φ(z)",
                             height=height, shapes=[shape])


def spectrum(a: np.ndarray, f0: float, title: str, colour: str = style.MODEL, height: int = 300,
             ref: float = 1.0, y_title: str = "level (dB re full scale)") -> go.Figure:
    """Harmonics a (n + 1,) as bars in dB at k f0 (k = 0 is DC, at 0 Hz); levels below FLOOR_DB sit on the floor."""
    k = np.arange(len(a))
    level = np.asarray(audio.db(a, ref, floor=FLOOR_DB))
    text = [("DC" if i == 0 else f"{i}f₀") + f": {v:.1f} dB" for i, v in zip(k, level, strict=True)]
    data = [{"type": "bar", "x": k * f0, "y": level - FLOOR_DB, "base": FLOOR_DB, "name": title,
             "marker": {"color": colour}, "width": 0.6 * f0, "hovertext": text, "hoverinfo": "text"}]
    top = max(10.0, float(np.ceil(level.max() / 10.0) * 10.0))
    return style.make_figure(data, title=title, x_title="frequency (Hz)", y_title=y_title, height=height,
                             legend=False, yaxis={"range": [FLOOR_DB, top], "dtick": 20},
                             xaxis={"range": [-0.8 * f0, (len(a) - 0.2) * f0], "tickformat": ",d"})


def fi_curves(I: np.ndarray, lif: np.ndarray, rate: np.ndarray, current: float, rate_lif: float,
              rate_tone: float, rheobase: float, height: int = 320) -> go.Figure:
    """The LIF's f-I curve and the sigmoid rate neuron's beside it (I, lif, rate (m,)), the current I marked."""
    data = [
        _line(I, lif, "spiking (LIF) neuron", style.MODEL),
        _line(I, rate, "sigmoid rate neuron", style.COMPARE, dash="dash"),
        {"type": "scatter", "mode": "markers", "x": [current, current], "y": [rate_lif, rate_tone],
         "name": "now", "marker": {"color": [style.MODEL, style.COMPARE], "size": 11,
                                   "symbol": [style.class_symbol(0), style.class_symbol(2)],
                                   "line": {"color": "white", "width": 1.5}}},
    ]
    shape, note = style.vline(rheobase, text="rheobase")
    return style.make_figure(data, title="Rate against input current: the pitch curve",
                             x_title="input current I (nA)", y_title="rate (spikes per second = Hz)",
                             height=height, shapes=[shape], annotations=[note])


def membrane(t_ms: np.ndarray, V: np.ndarray, V_th: float, height: int = 260) -> go.Figure:
    """The membrane potential V (mV) over t_ms (n,), with the threshold."""
    shape, note = style.hline(V_th, text="threshold V_th")
    return style.make_figure([_line(t_ms, V, "membrane potential V", style.MODEL, width=2)],
                             title="Membrane potential, first 100 ms", x_title="time (ms)",
                             y_title="V above rest (mV)", height=height, legend=False, shapes=[shape],
                             annotations=[note], yaxis={"range": [-1.0, 1.15 * V_th]})


def period_fit(x: np.ndarray, target: np.ndarray, fit: np.ndarray, label: str, height: int = 320) -> go.Figure:
    """One period: target (black, dashed), the network's fit (blue, solid) and their difference (vermillion,
    dotted); x (M,)."""
    data = [
        _line(x, target, "target", style.TARGET, dash="dash"),
        _line(x, fit, label, style.MODEL),
        _line(x, fit - target, "error = fit − target", style.VERMILLION, dash="dot", width=1.5),
    ]
    return style.make_figure(data, title="One period: target and fit", x_title="phase (periods)",
                             y_title="amplitude", height=height)


def error_vs_width(widths: np.ndarray, rms_db: np.ndarray, sup: np.ndarray, N: int,
                   height: int = 320) -> go.Figure:
    """RMS error (dB re the target) and sup error (dB re 1) against the number of units, on a log2 axis."""
    sup_db = audio.db(sup, 1.0, floor=FLOOR_DB)
    rms = np.maximum(rms_db, FLOOR_DB)
    data = [
        {**_line(widths, rms, "RMS error (dB re the target)", style.MODEL), "mode": "lines+markers",
         "marker": {"symbol": style.class_symbol(0), "size": 8}},
        {**_line(widths, sup_db, "largest error (dB re 1)", style.VERMILLION, dash="dash"), "mode": "lines+markers",
         "marker": {"symbol": style.class_symbol(1), "size": 8}},
    ]
    shape, _ = style.vline(N)
    # the label where the curves are not: at the bottom if they cross N in the upper half of their range
    at_N = [float(y[np.nonzero(widths == N)[0][0]]) for y in (rms, sup_db)] if N in widths else []
    low, high = float(min(rms.min(), sup_db.min())), float(max(rms.max(), sup_db.max()))
    up = bool(at_N) and max(at_N) - low > 0.5 * (high - low)
    _, note = style.vline(float(np.log10(N)), text=f"N = {N}",  # on a log axis a shape takes x, a label log10(x)
                          **({"y": 0, "yanchor": "bottom"} if up else {}))
    return style.make_figure(data, title="Error against the number of hidden units", x_title="hidden units N",
                             y_title="error (dB)", height=height, shapes=[shape], annotations=[note],
                             xaxis={"type": "log", "tickvals": list(widths), "ticktext": [str(int(w)) for w in widths]})
