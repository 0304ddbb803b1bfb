"""Activation functions: the gallery, why a network needs one, ReLU sums, depth at initialisation, a race."""

from __future__ import annotations

import streamlit as st

from nnviz import activations, ui
from nnviz.activations import Phi
from nnviz.format import tex_number
from nnviz.topics import activations as topic
from nnviz.ui import sound, wide
from nnviz.views import activations as views

GREEK = {"alpha": "α", "beta": "β"}
DEFAULT_SELECTION = list(views.GALLERY_DEFAULTS["selection"])
COLLAPSE = views.COLLAPSE_DEFAULTS
TARGET_NAMES = list(topic.TARGETS)
target_label = ui.labels({k: v[0] for k, v in topic.TARGETS.items()})

ui.intro(
    "Activation functions",
    "After the weighted sum $z = \\mathbf{w}\\cdot\\mathbf{x} + b$ every neuron applies an **activation "
    "function** $\\varphi$. It is the only nonlinear part of a network: without it, any depth collapses to one "
    "linear map. Its shape decides what a network can represent and whether gradients survive many layers.",
)

# --- Gallery ---------------------------------------------------------------------------------------------------
st.header("The gallery")
c1, c2, c3 = st.columns([2.2, 1, 1], vertical_alignment="bottom")
with c1:
    selected = ui.multiselect("Activations to overlay", activations.names(), DEFAULT_SELECTION, key="act_sel",
                              format_func=activations.label,
                              help="Pick one or several; the depth and race tabs below use the same selection.")
with c2:
    z_max = ui.slider("Range of z: from −R to R", 1.0, 20.0, views.GALLERY_DEFAULTS["z_max"], 0.5, key="act_zmax")
with c3:
    z_probe = ui.slider("Probe z₀", -5.0, 5.0, views.GALLERY_DEFAULTS["z_probe"], 0.1, key="act_z0",
                        help="The numbers in the formulas below are φ(z₀) and φ′(z₀).")
shade = ui.checkbox("Shade saturation (|φ′| < 0.1)", True, key="act_shade")
if not selected:
    st.warning("Pick at least one activation; showing ReLU meanwhile.")
    selected = ["relu"]
if abs(z_probe) > z_max:
    z_probe = max(-z_max, min(z_max, z_probe))
    st.caption(f"The probe lies outside the plotted range; using z₀ = {z_probe:g}.")
param_specs = [(k, p) for k in selected for p in activations.get(k).params]
param_values: dict[str, dict[str, float]] = {}
param_cols = st.columns(min(4, len(param_specs))) if param_specs else []
for i, (key, p) in enumerate(param_specs):
    with param_cols[i % len(param_cols)]:
        param_values.setdefault(key, {})[p.name] = ui.slider(
            f"{activations.label(key)}: {GREEK.get(p.name, p.name)}", p.low, p.high, p.default,
            0.01 if p.high <= 1 else 0.1, key=f"act_p_{key}_{p.name}", help=p.help)
acts = tuple(Phi(k, param_values.get(k, {})) for k in selected)

gal = ui.shown(views.gallery, acts, float(z_max), float(z_probe), bool(shade))
left, right = st.columns(2)
with left:
    ui.figure(gal.phi_chart.figure(), key="act_fig_phi", alt=gal.phi_chart.alt)
with right:
    ui.figure(gal.dphi_chart.figure(), key="act_fig_dphi", alt=gal.dphi_chart.alt)
st.caption(gal.caption)

with st.expander("Formulas, with φ(z₀) and φ′(z₀) at the probe", expanded=len(acts) <= 4):
    for row in gal.formula_rows:
        st.latex(row)

st.subheader("Properties of the selection")
wide.style()
# on a phone the table is wider than the screen (it scrolls in its box) and its long columns widest, so they wrap
# into a few lines, not ten; a desktop column shows it whole
st.markdown("<style>.nnviz-props td {vertical-align: top} @media (max-width: 900px) {.nnviz-props table "
            "{min-width: 56rem} .nnviz-props td:nth-child(9) {min-width: 19rem} .nnviz-props td:nth-child(10) "
            "{min-width: 10rem}}</style>"
            '<div class="nnviz-scroll nnviz-props" tabindex="0" role="region" aria-label="Properties of the '
            f'selection">\n\n{gal.table_markdown}\n\n</div>', unsafe_allow_html=True)
st.caption("Zero-centred: φ(0) = 0 and the mean of φ(z) for z ~ N(0, 1) is 0. Saturates: on which side φ′ → 0 as "
           "|z| → ∞. At a kink the derivative is undefined; torch autograd then uses one side's slope, and so do the "
           "closed forms shown here (the tests check they agree). Smooth, saturates, φ(0) and φ′(0) are computed at "
           "the parameters set above; output range, monotonic and zero-centred are the facts at default parameters. "
           "On a narrow screen the table scrolls sideways.")
ui.takeaway(gal.takeaway)
with ui.lazy_expander("Hear a nonlinearity: what φ does to a sound", "act_hear_open") as HEAR:
    if HEAR.open:
        sound.hear_nonlinearity_section("act_")


# --- Why activations -------------------------------------------------------------------------------------------
@ui.section
def collapse_section() -> None:
    """Linear layers collapse into one map; a nonlinearity lets the same stack fit."""
    st.header("Why do we need activation functions?")
    st.markdown("A network is a nest of affine maps, each wrapped in $\\varphi$ (here the last layer stays linear, "
                "as for regression):")
    st.latex(r"\begin{aligned}\hat y = W_L\,\varphi\Big(&W_{L-1}\,\varphi\big(\cdots \varphi(W_1 x + b_1) \cdots"
             r"\big)\\ &+ b_{L-1}\Big) + b_L\end{aligned}")
    st.markdown("With $\\varphi(z) = z$ the brackets open and everything multiplies out into **one** affine map:")
    st.latex(r"\begin{aligned}\hat y &= \underbrace{W_L W_{L-1}\cdots W_1}_{W_\mathrm{eff}}\,x\\ &+ "
             r"\underbrace{\textstyle\sum_{l=1}^{L} W_L\cdots W_{l+1}\, b_l}_{b_\mathrm{eff}}\end{aligned}")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        n_hidden = ui.slider("Hidden layers", 1, 5, len(COLLAPSE["hidden"]), 1, key="act_col_depth")
    with c2:
        width = ui.slider("Width of each hidden layer", 4, 32, COLLAPSE["hidden"][0], 4, key="act_col_width")
    with c3:
        nonlinear = [k for k in activations.names() if k not in ("linear", "step")]
        phi_key = ui.activation_select("Nonlinearity to compare", key="act_col_phi", options=nonlinear,
                                       default=COLLAPSE["phi"], help="The unit step is left out: its gradient is "
                                       "zero, so gradient descent cannot train through it.")
    with c4:
        target_name = ui.selectbox("Target of the collapse", TARGET_NAMES,
                                   key="act_col_target", index=TARGET_NAMES.index(COLLAPSE["target"]),
                                   format_func=target_label)
    st.markdown("Press **Train**: the same network is trained twice, once with $\\varphi(z) = z$ and "
                "once with the nonlinearity, from the same start, for a fixed number of Adam steps.")
    config = (Phi(phi_key), target_name, (int(width),) * int(n_hidden))
    ui.live_panel("act_col", lambda: topic.collapse_run(*config), lambda run, running: draw_collapse(config, run),
                  config=config, shared=True, name="both stacks")


def draw_collapse(config: tuple, run: topic.RaceRun) -> None:
    """The two stacks as they stand; the fold W_eff holds at every step, the comparison once the run has ended."""
    panel = ui.shown(views.collapse_panel, config, run=run)
    st.latex(panel.formula)
    ui.figure(panel.chart.figure(), key="act_fig_collapse", alt=panel.chart.alt)
    if run.steps == 0:
        st.caption("Untrained, from the shared start: the linear stack is already one straight line, "
                   "W_eff·x + b_eff, whatever its depth and width.")
    elif run.complete:
        st.caption(panel.result.caption)
        ui.takeaway(panel.result.takeaway)




# --- ReLU sums -------------------------------------------------------------------------------------------------
@ui.section
def relu_section() -> None:
    """A piecewise-linear function as a sum of shifted ReLUs, with the network's weights."""
    st.header("ReLUs and piecewise-linear functions")
    st.markdown("Each ReLU unit $\\max(0, x - t)$ is zero up to its **knot** $t$ and then rises with slope 1. "
                "Scaled by $s$ it bends a function by slope $s$ at $t$, so any continuous piecewise-linear function "
                "is a sum of shifted ReLUs: exactly a network with one hidden layer.")
    mode = ui.radio("Piecewise-linear function", ["target", "knots"], key="act_pl_mode", horizontal=True,
                    format_func=ui.labels({"target": "interpolate a target", "knots": "place the knots yourself"}))
    if mode == "target":
        a1, a2 = st.columns(2)
        with a1:
            name = ui.selectbox("Target to interpolate", TARGET_NAMES,
                                key="act_pl_target", index=TARGET_NAMES.index("sine"), format_func=target_label)
        with a2:
            n_points = ui.slider("Points to interpolate (knots + 1)", 2, 16, 6, 1, key="act_pl_n")
        rv = ui.shown(views.relu_target, name, int(n_points))
    else:
        b1, b2, b3 = st.columns(3)
        with b1:
            y0 = ui.slider("f(−1): value at the left end", -2.0, 2.0, 0.0, 0.1, key="act_pl_y0")
        with b2:
            m0 = ui.slider("Starting slope", -3.0, 3.0, 1.0, 0.1, key="act_pl_m0")
        with b3:
            n_knots = ui.slider("Number of knots", 1, 4, 2, 1, key="act_pl_k")
        knot_defaults = [(-0.3, -2.0), (0.4, 2.5), (0.7, -1.5), (-0.6, 1.0)]
        knots, changes = [], []
        for i, col in enumerate(st.columns(4)[:int(n_knots)]):
            with col:
                knots.append(ui.slider(f"knot {i + 1}: position t", -1.0, 1.0, knot_defaults[i][0], 0.05,
                                       key=f"act_pl_t{i}"))
                changes.append(ui.slider(f"knot {i + 1}: slope change s", -4.0, 4.0, knot_defaults[i][1], 0.1,
                                         key=f"act_pl_s{i}"))
        rv = ui.shown(views.relu_knots, float(y0), float(m0), tuple(knots), tuple(changes))
    f_col, t_col = st.columns(2)
    with f_col:
        ui.figure(rv.sum_chart.figure(), key="act_fig_relu", alt=rv.sum_chart.alt)
    with t_col:
        ui.figure(rv.terms_chart.figure(), key="act_fig_relu_terms", alt=rv.terms_chart.alt)
    st.latex(rv.formula)
    st.markdown(f"**The network:** 1 input → {len(rv.rs.knots)} ReLU units → 1 output, output bias "
                f"$b_2 = {rv.bias:.3g}$. Unit $k$ computes $\\max(0,\\ 1\\cdot x - t_k)$; the output adds them "
                "with weights $s_k$. The first knot sits at the left end $x = -1$ and sets the starting slope. "
                "The sum equals the piecewise-linear function exactly on the interval, not approximately.")
    st.dataframe(rv.table_arrow, hide_index=True, width="stretch", height=min(38 + 35 * len(rv.rs.knots), 300))
    ui.takeaway(rv.takeaway)



# --- Depth propagation -----------------------------------------------------------------------------------------
@ui.section
def depth_section(acts: tuple[Phi, ...]) -> None:
    """Spread of activations and gradients through a deep stack at initialisation."""
    head = st.empty()
    words = st.empty()
    d1, d2, d3, d4 = st.columns(4)
    with d1:
        init = ui.radio("Initialisation", list(topic.INITS), key="act_dp_init", format_func=ui.labels(topic.INIT_NAMES),
                        index=topic.INITS.index(views.DEPTH_DEFAULTS["init"]))
    with d2:
        sigma_w = ui.slider("σ_w (for custom: W ~ N(0, σ_w²/n))", 0.2, 3.0, 1.0, 0.1, key="act_dp_sigma",
                            disabled=init != "sigma")
    with d3:
        width = ui.slider("Width n", 64, 256, views.DEPTH_DEFAULTS["width"], 64, key="act_dp_width")
    with d4:
        depth = ui.slider("Layers L", 10, 60, views.DEPTH_DEFAULTS["depth"], 5, key="act_dp_depth")
    study = ui.shown(views.depth, acts, init, float(sigma_w), int(width), int(depth))
    head.header(study.heading)
    words.markdown(study.explanation)
    st.latex(rf"\begin{{aligned}}\operatorname{{std}}(W) &= {tex_number(study.w_std)} = "
             rf"\frac{{{tex_number(study.gain)}}}{{\sqrt{{{study.width}}}}}\\ "
             r"&\text{Xavier: }\tfrac{1}{\sqrt{n}},\ \text{He: }\tfrac{\sqrt{2}}{\sqrt{n}}\end{aligned}")
    charts = ui.shown(views.depth_charts, acts, init, float(sigma_w), int(width), int(depth))
    for col, ch, key in zip(st.columns(3), (charts.activations, charts.gradients, charts.dead),
                            ("act_fig_depth_h", "act_fig_depth_g", "act_fig_depth_dead"), strict=True):
        with col:
            ui.figure(ch.figure(), key=key, alt=ch.alt)
    st.caption(study.caption + (f" Only the first {views.DEPTH_MAX} of the {len(acts)} activations selected in the "
                                "gallery are followed here." if len(acts) > views.DEPTH_MAX else ""))
    st.dataframe(charts.table, hide_index=True, width="stretch")
    ui.takeaway(study.takeaway)


# --- Universality ----------------------------------------------------------------------------------------------
def universality_section() -> None:
    """Which activations make a one-hidden-layer network a universal approximator, and why."""
    st.header("Which activations make a universal approximator?")
    st.markdown(
        "One hidden layer of enough units can approximate any continuous function on a closed and bounded (compact) "
        "set **if and only if** the activation is **not a polynomial**: Leshno, Lin, Pinkus & Schocken (1993), for "
        "every locally bounded, piecewise-continuous φ, which covers the unit step. Earlier, Cybenko (1989) proved it "
        "for continuous sigmoidal φ (two distinct finite limits). Nielsen gives the picture: a large weight turns "
        "$\\sigma(w(x - s))$ into a step at $s$; two steps make a bump; bumps add up to any shape. A linear φ is a "
        "polynomial of degree 1, and a stack of it stays linear, so it fails."
    )
    st.markdown("| activation | universal | why |\n|---|:---:|---|\n" + "\n".join(
        f"| {activations.label(k)} | {'✓' if activations.get(k).universal else '✗'} | "
        f"{activations.get(k).universal_reason} |" for k in activations.names()))
    ui.takeaway("Every activation in this table except the linear one is enough for universality; the choice between "
                "them is about training: gradients, speed and stability, as the race (the last tab) shows.")


# --- Race ------------------------------------------------------------------------------------------------------
def draw_race(config: tuple, run: topic.RaceRun) -> None:
    """The race as it stands: loss curves and networks; the words only once it has finished."""
    if run.steps == 0:
        st.info("Press **Race** to train one network per selected activation.")
        return
    panel = ui.shown(views.race_panel, config, run=run)
    c1, c2 = st.columns(2)
    with c1:
        ui.figure(panel.loss.figure(), key="act_fig_race_loss", alt=panel.loss.alt)
    with c2:
        ui.figure(panel.fits.figure(), key="act_fig_race_fits", alt=panel.fits.alt)
    if panel.sentences:
        st.caption(panel.sentences[0])
        ui.takeaway(panel.sentences[1])


@ui.section
def race_section(acts: tuple[Phi, ...]) -> None:
    """One network per selected activation, trained side by side for a fixed number of steps."""
    st.header("A race")
    st.markdown("The same network 1 → 16 → 16 → 1, from the same initial weights, trained by full-batch Adam on one "
                "target, once with each activation selected in the gallery.")
    r1, r2, r3 = st.columns([2, 1, 1])
    with r1:
        target_name = ui.selectbox("Target of the race", TARGET_NAMES,
                                   key="act_race_target", index=TARGET_NAMES.index("wave"), format_func=target_label)
    with r2:
        steps = ui.slider("Adam steps", 100, 400, 300, 100, key="act_race_steps")
    with r3:
        lr = ui.selectbox("Learning rate", [0.003, 0.01, 0.03], key="act_race_lr", index=1)
    config = (acts, target_name, int(steps), float(lr))
    ui.live_panel("act_race", lambda: topic.RaceRun(acts, target_name, max_steps=int(steps), lr=float(lr)),
                  lambda run, running: draw_race(config, run), config=config, shared=True, start_label="Race",
                  name="activation race")



_SECTIONS = {"Why a nonlinearity": collapse_section, "ReLU sums": relu_section, "Depth": lambda: depth_section(acts),
             "Universality": universality_section, "A race": lambda: race_section(acts)}
# One section at a time: only the open tab runs, so a visit or a rerun builds the gallery and one section.
st.markdown("**The lecture goes on in five tabs:** why a network needs φ at all, ReLU sums, what depth does to "
            "signals and gradients, which φ are universal, and a race between the ones you selected.")
for tab, section in zip(ui.tabs(list(_SECTIONS), key="act_tab"), _SECTIONS.values(), strict=True):
    with tab:
        if tab.open:
            section()
