"""Figures of feedback as sound: the click's echo envelope against rho^(t/D) and the Jacobian, and the waveform
in and out (min-max per bin, so 44,100 samples never draw as a block of ink)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nnviz import audio
from nnviz.figures import style

FLOOR_DB = -160.0
CEIL_DB = 120.0


def _db(v: np.ndarray) -> np.ndarray:
    return np.clip(audio.db(v, floor=FLOOR_DB), FLOOR_DB, CEIL_DB)


def envelope(k_t: np.ndarray, env: np.ndarray, echoes: np.ndarray, grad: np.ndarray, D_ms: float,
             height: int = 340) -> go.Figure:
    """|rho|^k (line), the click's measured echoes |h_{kD}| / |h_0| (markers) and |dh_t/dh_0| (dots), in dB;
    all (m,) at times k_t (s). Levels are drawn between FLOOR_DB and CEIL_DB."""
    data = [
        {"type": "scatter", "mode": "lines", "x": k_t, "y": _db(env), "name": "|ρ|^(t/D): the envelope",
         "line": {"color": style.TARGET, "dash": "dash", "width": 2.5}},
        {"type": "scatter", "mode": "markers", "x": k_t, "y": _db(echoes), "name": "measured echoes of the click",
         "marker": {"color": style.MODEL, "size": 7, "symbol": "circle-open", "line": {"width": 2}}},
        {"type": "scatter", "mode": "markers", "x": k_t, "y": _db(grad), "name": "|∂h_t/∂h_0| along this run",
         "marker": {"color": style.VERMILLION, "size": 4}},
    ]
    levels = np.concatenate([d["y"] for d in data])
    lo, hi = float(levels.min()), float(levels.max())
    pad = max(5.0, 0.05 * (hi - lo))  # the range the levels span, so a 10 dB decay is not a flat line
    return style.make_figure(data, title=f"A click's echoes, one per {D_ms:.3g} ms",
                             x_title="time after the click (s)", y_title="level (dB re first echo)",
                             height=height, yaxis={"range": [lo - pad, hi + pad]})


def waveform(t: np.ndarray, x_lo: np.ndarray, x_hi: np.ndarray, h_lo: np.ndarray, h_hi: np.ndarray,
             bin_ms: float, height: int = 320) -> go.Figure:
    """Input and output as min-max bands over bins of ``bin_ms``; all (b,) at bin centres t (s)."""
    def band(lo, hi, name, colour):
        return [{"type": "scatter", "mode": "lines", "x": t, "y": hi, "name": name, "legendgroup": name,
                 "line": {"color": colour, "width": 1}},
                {"type": "scatter", "mode": "lines", "x": t, "y": lo, "name": name, "legendgroup": name,
                 "showlegend": False, "fill": "tonexty", "line": {"color": colour, "width": 1}}]
    data = band(x_lo, x_hi, "input x", style.GREY) + band(h_lo, h_hi, "output h", style.MODEL)
    return style.make_figure(data, title=f"In and out (min to max per {bin_ms:.1f} ms)", x_title="time (s)",
                             y_title="amplitude (full scale 1)", height=height,
                             yaxis={"exponentformat": "power"})
