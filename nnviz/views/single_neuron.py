"""Cached views of "Inside a neuron": plain settings in, frozen results (with their sentences) out."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nnviz.activations import Phi
from nnviz.datasets import CLASSIFICATION_SETS, GATES, Points, logic_gate, two_blobs
from nnviz.figures import single_neuron as figs
from nnviz.format import tex_number
from nnviz.topics import single_neuron as sn
from nnviz.ui.cache import session_memo, view
from nnviz.views.charts import Chart, chart

#: The plane of section 2 is [-LIM, LIM]^2; the bias slider's range (for the hint that says how to move b).
LIM = 3.0
B_RANGE = (-3.0, 3.0)
#: Section 4's data sets and the square each is drawn in.
DATA_SETS = (*GATES, "two blobs")
#: The playground's data-set selector (pages/playground.py: key "pg_data_c", bound to the URL by its label).
PLAYGROUND_SET_KEY = "pg_data_c"


def training_shown(config: tuple, run: sn.NeuronTrainer, lim: float) -> TrainingPanel:
    """``training_panel`` of this session's ``run`` now, kept while the run and its step count stay the same."""
    return session_memo("sn_training_panel", (config, run.steps, lim),
                        lambda: training_panel(config, run.steps, run, lim), identity=run)


def playground_xor_query() -> dict[str, str]:
    """The query that opens the playground on its XOR set."""
    return {PLAYGROUND_SET_KEY: CLASSIFICATION_SETS["xor"]}


@dataclass(frozen=True)
class NeuronView:
    """One neuron at one input: z, y_hat, the gradient and the formulas with their numbers (LaTeX)."""

    z: float
    y_hat: float
    grad: sn.Gradient
    sum_latex: str
    grad_latex: str
    kink: str


@view(max_entries=256)
def neuron(x: tuple[float, ...], w: tuple[float, ...], b: float, phi: Phi) -> NeuronView:
    """z = w.x + b and y_hat = phi(z) for ``x``, ``w`` of length n, with dy_hat/dw and dy_hat/db."""
    xa, wa = np.array(x, dtype=float), np.array(w, dtype=float)
    z = float(sn.pre_activation(xa, wa, b))
    y_hat = float(phi.numpy(z))
    grad = sn.output_gradient(xa, wa, b, phi)
    products = [f"({tex_number(wi)})({tex_number(xi)})" for wi, xi in zip(wa, xa, strict=True)]
    products.append(f"({tex_number(b)})")
    terms = r" \\ &\quad + ".join(" + ".join(products[i:i + 3]) for i in range(0, len(products), 3))
    tz, ty = tex_number(z, 4), tex_number(y_hat, 4)
    sum_latex = (rf"\begin{{aligned}} z &= \textstyle\sum_{{i=1}}^{{{len(x)}}} w_i x_i + b \\ &= {terms} \\ "
                 rf"&= {tz} \\ \hat y &= \varphi(z) = \text{{{phi.label}}}({tz}) = {ty} \end{{aligned}}")
    grad_latex = (rf"\begin{{aligned}} \frac{{\partial \hat y}}{{\partial w_i}} &= \varphi'(z)\,x_i, \qquad "
                  rf"\varphi'({tz}) = {tex_number(grad.dphi_dz, 4)} \\ \Rightarrow\ "
                  rf"\frac{{\partial \hat y}}{{\partial w_1}} &= {tex_number(float(grad.dy_dw[0]), 4)},\qquad "
                  rf"\frac{{\partial \hat y}}{{\partial b}} = {tex_number(grad.dy_db, 4)} \end{{aligned}}")
    return NeuronView(z, y_hat, grad, sum_latex, grad_latex, sn.kink_note(phi, z))


@dataclass(frozen=True)
class LineView:
    """n = 1: y_hat against x1 over [-LIM, LIM], and the threshold x1 = -b/w1 (None if w1 = 0)."""

    x1: np.ndarray
    y: np.ndarray
    threshold: float | None
    text: str


@view(max_entries=64)
def line(w1: float, b: float, phi: Phi) -> LineView:
    """phi(w1 x1 + b) on 301 points of [-LIM, LIM]."""
    xs = np.linspace(-LIM, LIM, 301)
    threshold = -b / w1 if abs(w1) > 1e-12 else None
    return LineView(xs, phi.numpy(w1 * xs + b), threshold, sn.point_sentence(threshold, LIM))


@dataclass(frozen=True)
class PlaneView:
    """n >= 2: y_hat over the (x1, x2) plane with x3... held, its boundary, the b = 0 line and the words."""

    plane: sn.PlaneOutput
    bnd: sn.Boundary
    ghost: sn.Boundary
    colours: sn.ColourRange
    held: float
    phi0: float  # phi(0): the output on the boundary, and with every input 0 and no bias
    title: str
    distance_latex: str  # empty when w1 = w2 = 0
    held_text: str
    ghost_text: str  # what the dashed b = 0 line shows (inside bias_text)
    outside_text: str  # empty when the boundary crosses the plotted square (or does not exist)
    shape_text: str
    bias_text: str  # the "why a bias" paragraph
    takeaway: str


@view(max_entries=64)
def plane(x: tuple[float, ...], w: tuple[float, ...], b: float, phi: Phi) -> PlaneView:
    """The plane of x1, x2 for a neuron with n = len(x) >= 2 inputs, the others held at their values."""
    xa, wa = np.array(x, dtype=float), np.array(w, dtype=float)
    n = len(xa)
    h = sn.held_sum(xa, wa)
    out = sn.plane_output(wa[:2], b + h, phi, LIM)
    bnd = sn.boundary(wa[:2], b + h, LIM)
    ghost = sn.boundary(wa[:2], h, LIM)
    phi0 = float(phi.numpy(0.0))
    title = "ŷ over the (x₁, x₂) plane" + (f", x₃…x{sn.sub(n)} held" if n > 3 else ", x₃ held" if n == 3 else "")
    missing = bnd.distance is not None and bnd.start is None
    return PlaneView(
        out, bnd, ghost, sn.colour_range(out.y, phi0), h, phi0, title,
        sn.distance_latex(xa, wa, b, bnd.distance) if bnd.distance is not None else "",
        sn.held_sentence(xa, wa), sn.ghost_sentence(xa, wa, ghost),
        sn.outside_sentence(xa, wa, b, B_RANGE) if missing else "", sn.shape_sentence(phi, bnd),
        sn.why_bias_sentence(xa, wa, b, phi, ghost),
        sn.takeaway_sentence(phi))


@dataclass(frozen=True)
class SteepView:
    """Section 3: the step against sigma(k z) and both derivatives on ``z`` (601 points of [-6, 6])."""

    z: np.ndarray
    sig: np.ndarray
    dsig: np.ndarray
    slope0: float  # k sigma'(0) = k / 4


@view(max_entries=64)
def steep_sigmoid(k: float) -> SteepView:
    zs = np.linspace(-6, 6, 601)
    sig, dsig = sn.steep_sigmoid(zs, k)
    return SteepView(zs, sig, dsig, float(sn.steep_sigmoid(np.zeros(1), k)[1][0]))


@view(max_entries=32)
def training_data(name: str, spread: float) -> tuple[Points, float]:
    """Section 4's data set and the half-width of the square it is drawn in."""
    if name in GATES:
        return logic_gate(name), 1.6
    return two_blobs(100, spread=spread, seed=0), 5.0


@dataclass(frozen=True)
class LIFView:
    """Section 5 at one current: the trace (200 ms), the analytic and simulated rates and the sentence."""

    trace: sn.LIFTrace
    rate: float
    rate_simulated: float
    silence: str


@view(max_entries=128)
def lif(current: float) -> LIFView:
    trace = sn.lif_simulate(current, T=200.0)
    return LIFView(trace, float(sn.lif_rate_analytic(current)), trace.rate_hz(), sn.silence_sentence(current))


@dataclass(frozen=True)
class FIView:
    """The f-I curve: analytic on ``I`` (401 points of [0, 5] nA), simulated on ``I_sim`` (21 points), and the
    takeaway read off it."""

    I: np.ndarray
    rate: np.ndarray
    I_sim: np.ndarray
    rate_sim: np.ndarray
    rheobase: float
    takeaway: str


#: The f-I curve's simulated dots, precomputed by benchmarks/precompute_single_neuron.py (a first visit need not
#: run 21 simulations; tests check the file against a fresh run).
FI_DATA = Path(__file__).resolve().parent.parent / "data" / "single_neuron_fi.json"


def fi_precomputed() -> np.ndarray | None:
    """The precomputed simulated rates, or None when the file is missing or was made for other settings."""
    try:
        data = json.loads(FI_DATA.read_text())
    except (OSError, ValueError):
        return None
    same = (tuple(data.get("I", ())) == sn.FI_SIM_CURRENTS and data.get("T") == sn.FI_SIM_T
            and data.get("dt") == sn.FI_SIM_DT and data.get("params") == asdict(sn.LIFParams()))
    return np.array(data["rate"], dtype=float) if same else None


@view(max_entries=2)
def fi_curve() -> FIView:
    I = np.linspace(0.0, 5.0, 401)
    rate = sn.lif_rate_analytic(I)
    rate_sim = fi_precomputed()
    if rate_sim is None:
        rate_sim = sn.fi_simulated()
    return FIView(I, rate, np.array(sn.FI_SIM_CURRENTS), rate_sim, sn.rheobase(), sn.fi_takeaway(I, rate))


# ------------------------------------------------------------------------------------------------------- charts
# Each figure is built and described once per setting (a cache miss), not on every rerun.


@view(max_entries=256)
def neuron_chart(x: tuple[float, ...], w: tuple[float, ...], b: float, phi: Phi) -> Chart:
    """The neuron diagram for these numbers."""
    nv = neuron(x, w, b, phi)
    inputs = ", ".join(f"x{i + 1} = {xi:+.1f} with weight w{i + 1} = {wi:+.1f}"
                       for i, (xi, wi) in enumerate(zip(x, w, strict=True)))
    alt = (f"Diagram of one neuron with {len(x)} input{'s' if len(x) > 1 else ''}: {inputs}"
           + f"; bias b = {b:+.1f}; z = {nv.z:+.3f}; {phi.label} gives ŷ = {nv.y_hat:.3f}.")
    return chart(figs.neuron_diagram(np.array(x), np.array(w), b, phi.label, nv.z, nv.y_hat), alt)


@view(max_entries=64)
def line_chart(x1: float, w1: float, b: float, phi: Phi) -> Chart:
    """n = 1: y_hat against x1 with the current input marked."""
    lv = line(w1, b, phi)
    return chart(figs.line_figure(lv, (x1, float(phi.numpy(w1 * x1 + b))), f"One input: ŷ = φ(w₁x₁ + b), {phi.label}"))


@view(max_entries=64)
def plane_chart(x: tuple[float, ...], w: tuple[float, ...], b: float, phi: Phi) -> Chart:
    """n >= 2: the (x1, x2) plane with its boundary, the b = 0 line and the current input."""
    pv = plane(x, w, b, phi)
    return chart(figs.plane_figure(pv, np.array(x[:2])), sn.plane_alt(pv.title, pv.bnd, pv.ghost, pv.colours))


@view(max_entries=64)
def steep_chart(k: float) -> Chart:
    return chart(figs.step_vs_sigmoid(steep_sigmoid(k), k))


@dataclass(frozen=True)
class LIFCharts:
    trace: Chart
    fi: Chart


@view(max_entries=128)
def lif_charts(current: float) -> LIFCharts:
    """Section 5's two figures at one current."""
    lv, fi = lif(current), fi_curve()
    return LIFCharts(chart(figs.lif_figure(lv.trace, sn.LIFParams(), current)),
                     chart(figs.fi_figure(fi, current, lv.rate)))


@dataclass(frozen=True)
class TrainingPanel:
    """Section 4 at one moment of a run: the two figures, the weights (LaTeX) and the words."""

    data: Chart
    loss: Chart
    weights_latex: str
    trend: sn.LossTrend
    lesson: str


@view(max_entries=64)
def training_panel(config: tuple, steps: int, _run: sn.NeuronTrainer, lim: float) -> TrainingPanel:
    """The panel of the run ``_run``, which is the run of ``config`` after ``steps`` epochs.

    Keyed by the settings and the step count only: a run of fixed settings and seed is the same after the same
    number of epochs in every session, so the run itself need not be hashed.
    """
    snap = _run.snapshot(lim)
    floor = float(np.log(2)) if _run.data.name == "XOR" else None
    latex = (rf"\begin{{aligned}} \hat y &= \sigma(w_1 x_1 + w_2 x_2 + b) \\ w_1 &= {tex_number(float(snap.w[0]))} "
             rf"\\ w_2 &= {tex_number(float(snap.w[1]))} \\ b &= {tex_number(snap.b)} \end{{aligned}}")
    return TrainingPanel(chart(figs.training_figure(_run.data, snap, lim)), chart(figs.loss_figure(snap, floor)),
                         latex, snap.trend, snap.lesson)
