"""Universal approximation: construct it, solve it, train it, and measure how width buys accuracy."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import streamlit as st

from nnviz import ui
from nnviz.expressions import MAX_LENGTH, ExpressionError, describe_functions
from nnviz.figures import style
from nnviz.figures import universal_approximation as figs
from nnviz.format import number, tex_number
from nnviz.topics import universal_approximation as ua
from nnviz.ui import sound
from nnviz.views import universal_approximation as views

INTERVALS: dict[str, tuple[float, float] | None] = {
    "the target's usual interval": None, "[−1, 1]": (-1.0, 1.0), "[0, 1]": (0.0, 1.0), "[−2, 2]": (-2.0, 2.0),
    "[−π, π]": (-math.pi, math.pi),
}
TARGET_LABELS = {**{k: t.label for k, t in ua.TARGETS.items()}, ua.FORMULA: "your formula…"}
CONSTRUCTIONS = {"bumps": "Steps → bumps (Nielsen)", "relu": "ReLU interpolation through knots"}
OPTIMISERS = {"adam": "Adam (every weight, torch)", "lm": "Levenberg–Marquardt + exact output layer (float64)"}
DEFAULT_FORMULA = "0.2 + 0.4*x**2 + 0.3*x*sin(15*x) + 0.05*cos(50*x)"


def _metrics(col, error) -> None:
    col.metric("MSE on [a, b]", number(error.mse))
    col.metric("max error", number(error.max_error))


def setup_section():
    """Target, interval, samples, width and activation; returns (spec, problem or None, N, phi)."""
    st.header("The function and the network")
    c1, c2, c3, c4 = st.columns([1.3, 1, 1, 1])
    with c1:
        target = ui.selectbox("Target function f", list(TARGET_LABELS), key="uat_target",
                              format_func=ui.labels(TARGET_LABELS))
        formula = ""
        if target == ua.FORMULA:
            formula = ui.text_input("f(x) =", DEFAULT_FORMULA, key="uat_formula", max_chars=MAX_LENGTH,
                                    help=f"Allowed: {describe_functions()}. At most {MAX_LENGTH} characters.")
    with c2:
        interval = ui.selectbox("Interval [a, b]", list(INTERVALS), key="uat_interval")
        noise = ui.slider("Noise on the samples (std)", 0.0, 0.5, 0.0, 0.01, key="uat_noise",
                          help="0 = exact samples of f. Errors are always measured against the clean f.")
    with c3:
        width = ui.slider("Hidden neurons N", 1, ua.MAX_WIDTH, 64, 1, key="uat_width")
        samples = ui.slider("Training samples n", 16, ua.MAX_SAMPLES, 256, 16, key="uat_samples")
    with c4:
        phi = ui.phi_select("Activation φ", key="uat_phi", default="sigmoid")
    a, b = INTERVALS[interval] or ((-1.0, 1.0) if target == ua.FORMULA else ua.TARGETS[target].interval)
    spec = views.Spec(target, formula, float(a), float(b), int(samples), float(noise))
    try:
        problem = spec.problem()
    except ExpressionError as err:
        st.warning(f"**That formula cannot be used.** {ui.plain(err)}", icon=":material/function:")
        return spec, None, width, phi
    except ValueError as err:
        st.warning(f"**This target cannot be approximated here.** {ui.plain(err)}", icon=":material/warning:")
        return spec, None, width, phi
    if target != ua.FORMULA:
        st.latex(rf"f(x) = {ua.TARGETS[target].latex}, \qquad x \in [{tex_number(a)}, {tex_number(b)}]")
    if not spec.continuous:
        st.warning("This step is **discontinuous**: the theorem does not apply. Every fit keeps a maximum error "
                   "near ½ at the jump however wide the network; only the *average* error shrinks.",
                   icon=":material/block:")
    if ua.phi_warning(phi):
        st.warning(ua.phi_warning(phi), icon=":material/block:")
    return spec, problem, width, phi


def construct_section(spec, width, phi):
    """Nielsen's bumps or ReLU knots, with exact weights; returns (result or None, method, log10 w)."""
    st.header("1 · Construct it")
    left, right = st.columns([1, 2.4])
    with left:
        method = ui.radio("Construction", list(CONSTRUCTIONS), key="uat_construction",
                          format_func=ui.labels(CONSTRUCTIONS))
        log_w = ui.slider("Steepness log₁₀ w", 0.0, 5.0, 3.0, 0.1, key="uat_steepness", disabled=method != "bumps",
                          help="Weight of every step neuron: w = 10^value. A small w gives soft steps that fail.")
    if method == "bumps" and width < 2:
        left.warning("A bump needs two neurons (an up-step and a down-step): choose N ≥ 2.")
        return None, method, log_w
    res = views.construct(spec, method, width, phi, log_w)
    if method == "bumps":
        left.markdown(res.step_text + " An up-step minus a down-step is a **bump**; N/2 bumps of height "
                      "f(midpoint) tile the interval (the outer steps sit just outside it).")
    else:
        left.markdown("ReLU(x − t) is a **kink at t**. One kink per knot, with output weight equal to the **change "
                      "of slope** there, draws the broken line through N + 1 points of f.")
    if res.note:
        left.info(res.note, icon=":material/info:")
    _metrics(left, res.fit.error)
    with right:
        ui.figure(go.Figure(res.figure, _validate=False), key="uat_fig_construct")
    shown = len(res.fit.dec.idx)
    which = "all of them" if shown == width else "those with the largest |vᵢ|"
    right.caption(f"Thin lines: {shown} of the {width} neurons' contributions vᵢφ(wᵢx + bᵢ) ({which}); hover a dot "
                  f"(where a neuron switches) for its weights. Bold: their sum, the network ({res.fit.name}).")
    for line in res.latex:
        st.latex(line)
    if res.soft_warning:
        st.warning(res.soft_warning)
    with st.expander("The exact weights of this construction"):
        st.dataframe(figs.weights_rows(res.fit.net), hide_index=True)
        st.caption(f"The first {min(width, 60)} of {width} neurons; download all of them at the bottom of the page.")
    ui.takeaway(res.takeaway)
    return res, method, log_w


def solve_section(spec, width, phi, method, log_w, constructed):
    """The output layer by least squares on a fixed hidden layer; returns (result or None, seed)."""
    st.header("2 · Solve it")
    left, right = st.columns([1, 2.4])
    with left:
        hidden = ui.radio("Hidden layer", ["constructed", "random"], key="uat_hidden",
                          format_func=ui.labels({"constructed": "the constructed one (section 1)",
                                                 "random": f"random {phi.label} neurons"}))
        scale = ui.slider("Spread of random weights", 0.1, 10.0, 1.0, 0.1, key="uat_scale",
                          disabled=hidden != "random", help="wᵢ = spread · 4/(b − a) · gᵢ, gᵢ standard normal; each "
                          "neuron switches at a point uniform in [a, b].")
        seed = int(ui.number_input("Random seed", 0, 999, 0, 1, key="uat_seed"))
    if hidden == "constructed" and not constructed:
        left.warning("There is no constructed hidden layer (N < 2 bumps): pick random neurons or a larger N.")
        return None, seed
    res = views.solve(spec, hidden, width, phi, float(scale), seed, method, log_w)
    _metrics(left, res.fit.error)
    with right:
        ui.figure(go.Figure(res.figure, _validate=False), key="uat_fig_solve")
    right.caption(f"Thin lines: {len(res.fit.dec.idx)} of {width} neurons' contributions (largest |vᵢ|). The y axis "
                  f"is clipped to the target's range; the largest output weight is |v| = {number(res.max_v)}.")
    for line in res.latex:
        st.latex(line)
    st.markdown(f"A **linear** least-squares problem. {res.truncation} {res.orthogonality}")
    if res.kept.rank < width + 1:
        with ui.lazy_expander("Keep every singular value instead?", "uat_full_open") as section:
            if section.open:
                st.markdown(views.truncation(spec, hidden, width, phi, float(scale), seed, method, log_w))
    if res.interpolation_note:
        st.info(res.interpolation_note, icon=":material/info:")
    ui.takeaway(res.takeaway)
    return res, seed


def train_section(spec, problem, width, phi, seed, fixed):
    """Every weight trained live (Adam or Levenberg–Marquardt) for a fixed number of steps."""
    st.header("3 · Train it")
    st.markdown(f"Now every weight — wᵢ, bᵢ, vᵢ and c — is learned from the n samples, with φ = {phi.label}, by "
                "minimising the mean squared error. Press **Train**: the fit and the loss curve update while it "
                "learns, for the number of steps chosen.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        optimiser = ui.radio("Optimiser", list(OPTIMISERS), key="uat_optimiser", format_func=ui.labels(OPTIMISERS))
    with c2:
        log_lr = ui.slider("Learning rate log₁₀ η (Adam)", -4.0, -0.5, -2.0, 0.1, key="uat_lr",
                           disabled=optimiser != "adam")
    with c3:
        steps = ui.selectbox("Steps", [100, 500, 2000, 10000], key="uat_steps", index=2,
                             format_func=number)
    with c4:
        init = ui.selectbox("Initialisation (Adam)", ["default", "xavier", "he"], key="uat_init",
                            disabled=optimiser != "adam")
    update = (rf"\theta \leftarrow \theta - \eta\,\frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}},"
              rf"\ \eta = {tex_number(10**log_lr)}" if optimiser == "adam" else
              r"\theta \leftarrow \theta - (J^\top J + \lambda\,\mathrm{diag}\,J^\top J)^{-1} J^\top r"
              r"\ \text{then } (v, c) \leftarrow \text{least squares}")
    st.latex(r"\text{MSE} = \frac1n\sum_{j=1}^{n}\big(\hat y(x_j) - y_j\big)^2,\quad " + update)
    if optimiser == "lm" and width > ua.LM_MAX_WIDTH:
        st.warning(f"Levenberg–Marquardt solves a (3N + 1)-square system each step; it is limited to "
                   f"N ≤ {ua.LM_MAX_WIDTH}. Choose Adam or a smaller N.", icon=":material/speed:")
        return None

    def make():
        if optimiser == "adam":
            return ua.AdamFit(problem, width, phi, lr=10**log_lr, max_steps=steps, seed=seed, init=init)
        return ua.LMFit(problem, width, phi, max_steps=steps, seed=seed)

    def draw(run, running: bool) -> None:
        fits, colours = [f for f, _ in fixed], [c for _, c in fixed]
        if run.steps:
            fits.append(views.trained_fit(run.net(), problem, f"trained ({run.method}, {phi.label})"))
            colours.append(style.MODEL)
        a_col, b_col = st.columns([1.6, 1])
        with a_col:
            ui.figure(figs.fit_figure(problem, [(f.name, f.y_plot, c) for f, c in zip(fits, colours, strict=True)],
                                      "The fits side by side"), key="uat_fig_compare")
        if run.steps:
            with b_col:
                ui.figure(figs.loss_figure(run.history["step"], run.history["mse"]), key="uat_fig_loss")
        else:
            b_col.info("Press **Train** to learn every weight from the samples; the loss curve appears here.",
                       icon=":material/play_arrow:")
        b_col.dataframe({"method": [f.name for f in fits], "MSE on [a, b]": [number(f.error.mse) for f in fits],
                         "max error": [number(f.error.max_error) for f in fits],
                         "parameters": [f.net.n_parameters() for f in fits]}, hide_index=True)
        if running:
            st.caption("The error plot of every fit appears when training pauses or ends.")
        else:
            ui.figure(figs.error_figure(problem, [(f.name, f.y_dense, c) for f, c in zip(fits, colours, strict=True)],
                                        "Error of each fit on [a, b]"), key="uat_fig_errors")
            st.caption(f"Each line is the largest |ŷ − f| in each of {figs.ENVELOPE_BINS} slices of [a, b] (its "
                       "upper envelope), so the points where a fit crosses f and the error touches zero do not fill "
                       "the figure with ink.")
        ui.takeaway(ua.train_takeaway(run.method, phi, run.steps, fits[-1].error if run.steps else None,
                                      {f.name: f.error for f, _ in fixed}, run.cut))

    config = (spec, width, phi, optimiser, log_lr, steps, init, seed)
    run = ui.live_panel("uat_live", make, draw, config=config, shared=True)
    return run.net() if run.steps else None


def sweep_section(spec, phi) -> None:
    """Error against width for every method: a run of 36 measurements behind a button, in a section opened on demand."""
    st.header("How width buys accuracy")
    with ui.lazy_expander("Measure the error at N = 2 … 1,000 for every method", "uat_sweep_open") as section:
        if not section.open:
            return
        metric = ui.radio("Error measure", ["max", "rms"], key="uat_sweep_metric", horizontal=True,
                          format_func=ui.labels({"max": "maximum error (what the theorem bounds)",
                                                 "rms": "RMS error"}))

        def draw(run, running: bool) -> None:
            sweep = run.result()
            ui.figure(figs.sweep_figure(sweep, metric), key="uat_fig_sweep")
            caption, takeaway = ua.sweep_sentences(sweep) if run.complete else ("", "")
            st.caption(f"N = 2, 4, …, 512, 1,000, on the target itself ({views.SWEEP_SAMPLES} noise-free samples), "
                       "whatever the noise and n above. The bumps' steps have steepness w = 50/h here, sharp next to "
                       "each bump. Grey: the bounds for infinitely steep steps (slope −1 on log-log axes) and for "
                       f"exact interpolation (slope −2). Trained: {sweep.train_steps} Levenberg–Marquardt steps from "
                       f"the default initial weights, for N ≤ {sweep.train_max_width}. {caption}")
            if not sweep.theory:
                st.info("No bound is drawn: this target lacks the derivatives the bounds need (a corner or a jump).",
                        icon=":material/info:")
            if takeaway:
                ui.takeaway(takeaway)

        ui.live_panel("uat_sweep", lambda: views.sweep_run(spec, phi), draw, config=(views.sweep_spec(spec), phi),
                      shared=True, start_label="Measure")


@st.fragment
def challenge_section() -> None:
    """A fragment: moving a height reruns only this section."""
    st.header("Nielsen's challenge")
    st.markdown("Match **Nielsen's function** on [0, 1] with five bumps, by hand. Each slider is one bump's height "
                "h — the output weight of a pair of steep sigmoid neurons. You win when your error is within 25% "
                "of the best five bumps can do.")
    heights = []
    for j, col in enumerate(st.columns(5)):
        with col:
            heights.append(float(ui.slider(f"bump {j + 1}: height h{j + 1}", 0.0, 1.0, 0.5, 0.01,
                                           key=f"uat_h{j + 1}")))
    show_best = ui.checkbox("Show the best possible heights", False, key="uat_show_best")
    ch = views.challenge(tuple(heights))
    left, right = st.columns([2.4, 1])
    with left:
        ui.figure(go.Figure(views.challenge_figure(tuple(heights), show_best), _validate=False),
                  key="uat_fig_challenge")
    right.metric("your RMS error", f"{ch.rmse:.4f}", delta=f"{ch.rmse - ch.threshold:+.4f} vs goal",
                 delta_color="inverse")
    right.metric("goal: RMS error ≤", f"{ch.threshold:.4f}", help=f"1.25 × the best possible, {ch.best_rmse:.4f}")
    if ch.success:
        right.success("You did it: these ten neurons approximate f nearly as well as ten such neurons can.",
                      icon=":material/emoji_events:")
    else:
        right.info("Not yet: move the sliders until the bold line follows the dashed one.", icon=":material/tune:")
    st.latex(r"\text{RMS} = \sqrt{\tfrac1n \textstyle\sum_j (\hat y(x_j) - f(x_j))^2} = " + f"{ch.rmse:.4f}"
             + (r"\ \le\ " if ch.success else r"\ >\ ") + f"{ch.threshold:.4f}")
    with st.expander("The network your bumps are", expanded=ch.success):
        st.markdown(f"Ten sigmoid neurons, all with w = {ua.CHALLENGE_STEEPNESS:g}; neuron 2j − 1 steps up and "
                    "neuron 2j steps down, with output weights +hⱼ and −hⱼ:")
        st.dataframe(figs.weights_rows(ch.net), hide_index=True)
    ui.takeaway("Setting output weights by hand is fitting a function with a network: training does the same, "
                "automatically and for every weight at once.")


def towers_section() -> None:
    """Two inputs; computed only while its section is open."""
    st.header("Two inputs: towers")
    with ui.lazy_expander("Build surfaces from towers (3-D figures)", "uat_towers_open") as section:
        if section.open:
            towers_fragment()


@st.fragment
def towers_fragment() -> None:
    """A fragment: its widgets rerun only this section."""
    st.markdown("With two inputs a steep neuron is a **step along a line**. A bump in x₁ plus a bump in x₂ makes a "
                "cross: height 2 where they meet, **plateaus** of height 1 along the arms. A second-layer neuron "
                "with bias −1.5W keeps only what rises above 1.5 — a **tower** — and K × K towers of height "
                "f(centre) tile the square.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        target = ui.selectbox("Target f(x₁, x₂)", list(ua.TARGETS_2D), key="uat_t2_target",
                              format_func=ui.labels({k: v[0] for k, v in ua.TARGETS_2D.items()}))
    with c2:
        k = int(ui.slider("Towers per side K", 1, 20, 16, 1, key="uat_t2_k"))
    with c3:
        steep = float(ui.slider("Steepness w of the steps", 10, 500, 200, 10, key="uat_t2_w"))
    with c4:
        view = ui.radio("Show", ["all", "plateaus", "tower"], key="uat_t2_view",
                        format_func=ui.labels({"all": "all towers vs target", "plateaus": "without the bias (plateaus)",
                                               "tower": "one tower, step by step"}))
    res = views.towers(target, k, steep)
    ui.figure(figs.towers_figure(res.towers, view), key="uat_fig_towers")
    for line in res.latex:
        st.latex(line)
    if res.warning:
        st.warning(res.warning, icon=":material/blur_on:")
    st.caption(res.caption)
    ui.takeaway(res.takeaway)


def download_section(spec, problem, nets) -> None:
    st.header("Download the weights")
    which = ui.radio("Which network", ["constructed", "least squares", "trained"], key="uat_download_which",
                     horizontal=True)
    if which not in nets:
        st.info(f"There is no {which} network yet.", icon=":material/info:")
        return
    net = nets[which]
    payload = net.to_json(method=which, target=spec.formula or TARGET_LABELS[spec.target],
                          interval=[problem.a, problem.b])
    st.download_button(f"Download the {which} network ({net.width} neurons) as JSON", payload, mime="application/json",
                       file_name=f"nnviz_{which.replace(' ', '_')}_N{net.width}.json", key="uat_download",
                       icon=":material/download:")
    st.caption("Keys w, b, v, c and phi: ŷ(x) = Σ v[i]·φ(w[i]·x + b[i]) + c.")


# ------------------------------------------------------------------------------------------- the page

ui.intro(
    "Universal approximation",
    "**The theorem:** a network with **one hidden layer** can approximate **any continuous function on a closed, "
    "bounded domain** (here an interval [a, b]) as closely as you like, given **enough hidden neurons**, if φ is "
    "a continuous sigmoidal function (Cybenko 1989) or, more generally, any locally bounded, piecewise-continuous "
    "φ that is not a polynomial (Leshno et al. 1993) — sigmoid and ReLU both qualify. Build such networks three "
    "ways — by hand, by solving a linear system, by training — and measure how width buys accuracy.",
)
st.latex(r"\hat y(x) \;=\; \sum_{i=1}^{N} v_i\,\varphi(w_i x + b_i) \;+\; c")
SPEC, PROBLEM, WIDTH, PHI = setup_section()
NETS = {}
if PROBLEM is not None:
    CONSTRUCT, METHOD, LOG_W = construct_section(SPEC, WIDTH, PHI)
    SOLVE, SEED = solve_section(SPEC, WIDTH, PHI, METHOD, LOG_W, CONSTRUCT is not None)
    FIXED = [(r.fit, c) for r, c in ((CONSTRUCT, style.GREEN), (SOLVE, style.ORANGE)) if r is not None]
    NETS = {name: r.fit.net for name, r in (("constructed", CONSTRUCT), ("least squares", SOLVE)) if r is not None}
    TRAINED = train_section(SPEC, PROBLEM, WIDTH, PHI, SEED, FIXED)
    if TRAINED is not None:
        NETS["trained"] = TRAINED
    sweep_section(SPEC, PHI)
with ui.lazy_expander("Approximation by ear: hear a fit get cleaner as N grows", "uat_ear_open") as EAR:
    if EAR.open:
        sound.approximation_by_ear_section("uat_")
challenge_section()
towers_section()
if PROBLEM is not None:
    download_section(SPEC, PROBLEM, NETS)
