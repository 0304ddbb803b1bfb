"""Universal approximation: construct it, solve it, train it, and measure how width buys accuracy."""

from __future__ import annotations

import math

import streamlit as st

from nnviz import ui
from nnviz.expressions import MAX_LENGTH, ExpressionError, describe_functions
from nnviz.format import number, tex_number
from nnviz.topics import universal_approximation as ua
from nnviz.ui import sound, wide
from nnviz.ui import universal_approximation as sections
from nnviz.views import universal_approximation as views

INTERVALS: dict[str, tuple[float, float] | None] = {
    "the target's usual interval": None, "[−1, 1]": (-1.0, 1.0), "[0, 1]": (0.0, 1.0), "[−2, 2]": (-2.0, 2.0),
    "[−π, π]": (-math.pi, math.pi),
}
TARGET_LABELS = {**{k: t.label for k, t in ua.TARGETS.items()}, ua.FORMULA: "your formula…"}
CONSTRUCTIONS = {"bumps": "Steps → bumps (Nielsen)", "relu": "ReLU interpolation through knots"}
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
        sections.formula_card([rf"f(x) = {ua.TARGETS[target].latex}", rf"x \in [{tex_number(a)}, {tex_number(b)}]"],
                              "The target")
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
        left.warning("A bump needs two neurons (an up-step and a down-step): choose N ≥ 2.", icon=":material/warning:")
        return None, method, log_w
    res = ui.shown(views.construct, spec, method, width, phi, log_w)
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
        sections.chart(res.chart, "uat_fig_construct")
    shown = len(res.fit.dec.idx)
    which = "all of them" if shown == width else "those with the largest |vᵢ|"
    right.caption(f"Thin lines: {shown} of the {width} neurons' contributions vᵢφ(wᵢx + bᵢ) ({which}); hover a dot "
                  f"(where a neuron switches) for its weights. Bold: their sum, the network ({res.fit.name}).")
    sections.formula_card(res.latex, "The construction as a formula")
    if res.soft_warning:
        st.warning(res.soft_warning, icon=":material/blur_on:")
    sections.weights_table(res.fit.net, "uat_weights_open", "The exact weights of this construction")
    ui.takeaway(res.takeaway)
    return res, method, log_w


def solve_section(spec, width, phi, method, log_w, constructed):
    """The output layer by least squares on a fixed hidden layer; returns (result or None, hidden, scale, seed)."""
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
        left.warning("There is no constructed hidden layer (N < 2 bumps): pick random neurons or a larger N.",
                     icon=":material/warning:")
        return None, hidden, float(scale), seed
    settings = views.solve_settings(spec, hidden, width, phi, float(scale), seed, method, log_w)
    res = ui.shown(views.solve, *settings)
    _metrics(left, res.fit.error)
    with right:
        sections.chart(res.chart, "uat_fig_solve")
    right.caption(f"Thin lines: {len(res.fit.dec.idx)} of {width} neurons' contributions (largest |vᵢ|). The y axis "
                  f"is clipped to the target's range; the largest output weight is |v| = {number(res.max_v)}.")
    sections.formula_card(res.latex, "The least-squares problem")
    st.markdown(f"A **linear** least-squares problem. {res.truncation} {res.orthogonality}")
    if res.kept.rank < width + 1:
        with ui.lazy_expander("Keep every singular value instead?", "uat_full_open") as section:
            if section.open:
                st.markdown(ui.shown(views.truncation, *settings))
    if res.interpolation_note:
        st.info(res.interpolation_note, icon=":material/info:")
    ui.takeaway(res.takeaway)
    return res, hidden, float(scale), seed


# ------------------------------------------------------------------------------------------- the page

ui.intro(
    "Universal approximation",
    "**The theorem:** a network with **one hidden layer** can approximate **any continuous function on a compact "
    "(closed and bounded) domain** — here an interval [a, b] — as closely as you like, given **enough hidden "
    "neurons**, if φ is a continuous sigmoidal function (Cybenko 1989) or, more generally, any locally bounded, "
    "piecewise-continuous φ that is not a polynomial (Leshno et al. 1993) — sigmoid and ReLU both qualify. Build "
    "such networks three ways — by hand, by solving a linear system, by training — and measure how width buys "
    "accuracy.",
)
wide.style()  # formula cards scroll inside their own focusable box if a phone is too narrow for them
st.latex(r"\hat y(x) \;=\; \sum_{i=1}^{N} v_i\,\varphi(w_i x + b_i) \;+\; c")
SPEC, PROBLEM, WIDTH, PHI = setup_section()
NETS = {}
if PROBLEM is not None:
    CONSTRUCT, METHOD, LOG_W = construct_section(SPEC, WIDTH, PHI)
    SOLVE, HIDDEN, SCALE, SEED = solve_section(SPEC, WIDTH, PHI, METHOD, LOG_W, CONSTRUCT is not None)
    NETS = {name: r.fit.net for name, r in (("constructed", CONSTRUCT), ("least squares", SOLVE)) if r is not None}
    TRAINED = sections.train_section(SPEC, PROBLEM, WIDTH, PHI, METHOD, LOG_W, HIDDEN, SCALE, SEED)
    if TRAINED is not None:
        NETS["trained"] = TRAINED
    sections.sweep_section(SPEC, PHI)
with ui.lazy_expander("Approximation by ear: hear a fit get cleaner as N grows", "uat_ear_open") as EAR:
    if EAR.open:
        sound.approximation_by_ear_section("uat_")
sections.challenge_section()
sections.towers_section()
if PROBLEM is not None:
    sections.download_section(SPEC, PROBLEM, NETS, TARGET_LABELS.get(SPEC.target, SPEC.target))
