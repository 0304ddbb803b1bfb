"""Activation functions: the gallery, why a network needs one, ReLU sums, depth at initialisation, a race."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from nnviz import activation_lab as lab
from nnviz import activations, ui
from nnviz.figures import activations as figs

GREEK = {"alpha": "α", "beta": "β"}
DEFAULT_SELECTION = ["sigmoid", "tanh", "relu", "gelu"]
TARGET_NAMES = list(lab.TARGETS)


# ---------------------------------------------------------------------------------------------------------------
# Cached computations (pure functions of their arguments)
# ---------------------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=512, show_spinner=False)
def _curve(key: str, z_max: float, params: tuple[tuple[str, float], ...]) -> lab.Curve:
    return lab.curve(key, z_max, **dict(params))


@st.cache_data(max_entries=512, show_spinner=False)
def _properties(key: str, params: tuple[tuple[str, float], ...]) -> lab.Properties:
    return lab.properties(key, **dict(params))


COLLAPSE_STEPS = 300


@st.cache_data(max_entries=64, show_spinner="Training the two stacks…")
def _collapse_pair(key: str, target: str, hidden: tuple[int, ...],
                   params: tuple[tuple[str, float], ...]) -> tuple[lab.Fit, lab.Fit]:
    """The same stack trained with phi(z) = z and with ``key``, side by side from the same start."""
    state = lab.race_advance(lab.race_start(["linear", key], hidden), COLLAPSE_STEPS, target, 0.01,
                             params={key: dict(params)})
    linear, nonlinear = lab.race_fits(state, target, params={key: dict(params)})
    return linear, nonlinear


@st.cache_data(max_entries=256, show_spinner="Sending a batch through the deep stack…")
def _propagate(key: str, params: tuple[tuple[str, float], ...], init: str, sigma_w: float, width: int,
               depth: int) -> lab.Propagation:
    return lab.propagate(key, init, depth=depth, width=width, batch=128, sigma_w=sigma_w, seed=0,
                         params=dict(params))


RACE_CHUNKS = 10


@st.cache_data(max_entries=160, show_spinner=False)
def _race_chunk(settings: tuple, chunk: int, _previous: lab.RaceState | None) -> lab.RaceState:
    """The race after ``chunk + 1`` tenths of its steps; a pure function of (settings, chunk).

    ``_previous`` (the state after the chunk before, itself determined by the settings) is not hashed.
    """
    keys, params, target, steps, lr = settings
    state = _previous if _previous is not None else lab.race_start(keys)
    return lab.race_advance(state, steps // RACE_CHUNKS, target, lr, params=_unfreeze(params))


def _freeze(params: dict[str, dict[str, float]]) -> tuple:
    return tuple(sorted((k, tuple(sorted(v.items()))) for k, v in params.items()))


def _unfreeze(frozen: tuple) -> dict[str, dict[str, float]]:
    return {k: dict(v) for k, v in frozen}


def _multiselect(label: str, options: list[str], default: list[str], key: str, **kw) -> list[str]:
    """A multiselect bound to the URL like the nnviz.ui helpers (ui has no multiselect yet)."""
    return st.multiselect(label, options, default=default, key=key, format_func=activations.label,
                          bind="query-params", **kw)


def _fmt(v: float) -> str:
    """A number for LaTeX: 4 significant digits, powers of ten spelled out."""
    if v == 0 or math.isnan(v):
        return "0" if v == 0 else r"\text{undefined}"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.4g}"
    mant, exp = f"{v:.2e}".split("e")
    return rf"{mant}\times 10^{{{int(exp)}}}"


# ---------------------------------------------------------------------------------------------------------------
# Page
# ---------------------------------------------------------------------------------------------------------------

ui.intro(
    "Activation functions",
    "After the weighted sum $z = \\mathbf{w}\\cdot\\mathbf{x} + b$ every neuron applies an **activation "
    "function** $\\varphi$. It is the only nonlinear part of a network: without it, any depth collapses to one "
    "linear map. Its shape decides what a network can represent and whether gradients survive many layers.",
)

# --- Gallery ---------------------------------------------------------------------------------------------------
st.header("The gallery")
controls, plot = st.columns([1, 2.6], gap="medium")
with controls:
    selected = _multiselect("Activations to overlay", activations.names(), DEFAULT_SELECTION, key="act_sel",
                            help="Pick one or several; the sections below use the same selection.")
    if not selected:
        st.warning("Pick at least one activation; showing ReLU meanwhile.")
        selected = ["relu"]
    z_max = ui.slider("Range of z: from −R to R", 1.0, 20.0, 5.0, 0.5, key="act_zmax")
    z_probe = ui.slider("Probe z₀", -5.0, 5.0, 1.0, 0.1, key="act_z0",
                        help="The numbers in the formulas below are φ(z₀) and φ′(z₀).")
    if abs(z_probe) > z_max:
        st.caption(f"The probe z₀ = {z_probe:g} lies outside the plotted range; using {np.sign(z_probe) * z_max:g}.")
    z_probe = float(np.clip(z_probe, -z_max, z_max))
    shade = ui.checkbox("Shade saturation (|φ′| < 0.1)", True, key="act_shade")
    params: dict[str, dict[str, float]] = {}
    for key in selected:
        for p in activations.get(key).params:
            step = 0.01 if p.high <= 1 else 0.1
            params.setdefault(key, {})[p.name] = ui.slider(
                f"{activations.label(key)}: {GREEK.get(p.name, p.name)}", p.low, p.high, p.default, step,
                key=f"act_p_{key}_{p.name}", help=p.help)

frozen = {k: tuple(sorted(params.get(k, {}).items())) for k in selected}
curves = [_curve(k, float(z_max), frozen[k]) for k in selected]
with plot:
    ui.figure(figs.gallery(curves, z_probe, shade), key="act_fig_gallery")
    st.caption("Shaded: where |φ′(z)| < 0.1 for the activation of that colour (broad stroke on φ; background on φ′ "
               "for up to four activations). A neuron working there passes back less than a tenth of the gradient "
               "it receives: it is *saturated*. Derivatives come from torch autograd.")

with st.expander("Formulas, with φ(z₀) and φ′(z₀) at the probe", expanded=len(selected) <= 4):
    formula_rows = []
    for key in selected:
        a = activations.get(key)
        phi_z = float(activations.phi(key, z_probe, **params.get(key, {})))
        dphi_z = float(activations.dphi(key, z_probe, **params.get(key, {})))
        formula_rows.append(rf"\textbf{{{a.label.replace('/', ' or ')}}}:&\quad {a.latex} && "
                            rf"\varphi({z_probe:g}) = {_fmt(phi_z)},\ \ \varphi'({z_probe:g}) = {_fmt(dphi_z)}")
    st.latex(r"\begin{aligned}" + r" \\[4pt] ".join(formula_rows) + r"\end{aligned}")

rows = [_properties(k, frozen[k]) for k in selected]
st.subheader("Properties of the selection")
st.dataframe(
    pd.DataFrame({
        "activation": [r.label for r in rows],
        "output range": [lab.plain(r.output_range) for r in rows],
        "monotonic": [r.monotonic for r in rows],
        "zero-centred": [r.zero_centred for r in rows],
        "smooth (C¹)": [r.smooth and not math.isnan(r.dphi0) for r in rows],  # ELU with α ≠ 1 has a kink
        "saturates": [r.saturating for r in rows],
        "φ(0)": [f"{r.phi0 + 0.0:.4g}" for r in rows],
        "φ′(0)": [r.dphi0_text for r in rows],
        "universal approximator": [("yes: " if r.universal else "no: ") + r.universal_reason for r in rows],
        "origin": [r.origin for r in rows],
    }),
    hide_index=True, width="stretch",
)
st.caption("Zero-centred: φ(0) = 0 and the mean of φ(z) for z ~ N(0, 1) is 0. Saturates: on which side φ′ → 0 as "
           "|z| → ∞. At a kink the derivative is undefined; autograd then uses one side's slope. φ(0) and φ′(0) "
           "are computed at the parameters set above.")
ui.takeaway("Sigmoid-like functions flatten on both sides, so their gradients vanish for large |z|; ReLU-like "
            "functions keep slope 1 for z > 0 and pay for it with zero slope (dead units) for z < 0.")

# --- Why activations -------------------------------------------------------------------------------------------


@st.fragment
def _collapse_section() -> None:
    """Linear layers collapse into one map; a nonlinearity lets the same stack fit."""
    st.header("Why do we need activation functions?")
    st.markdown("A network is a nest of affine maps, each wrapped in $\\varphi$ (here the last layer stays linear, as "
                "for regression):")
    st.latex(r"\hat y = W_L\,\varphi\Big(W_{L-1}\,\varphi\big(\cdots \varphi(W_1 x + b_1) \cdots\big) + b_{L-1}\Big)"
             r" + b_L")
    st.markdown("With $\\varphi(z) = z$ the brackets open and everything multiplies out into **one** affine map:")
    st.latex(r"\hat y = \underbrace{W_L W_{L-1}\cdots W_1}_{W_\mathrm{eff}}\,x \;+\; "
             r"\underbrace{\textstyle\sum_{l=1}^{L} W_L\cdots W_{l+1}\, b_l}_{b_\mathrm{eff}}")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        n_hidden = ui.slider("Hidden layers", 1, 5, 2, 1, key="act_col_depth")
    with c2:
        col_width = ui.slider("Width of each hidden layer", 4, 32, 16, 4, key="act_col_width")
    with c3:
        nonlinear_keys = [k for k in activations.names() if k not in ("linear", "step")]
        col_phi = ui.activation_select("Nonlinearity to compare", key="act_col_phi", options=nonlinear_keys,
                                       default="tanh", help="The unit step is left out: its gradient is zero, so "
                                                            "gradient descent cannot train through it.")
    with c4:
        col_target = ui.selectbox("Target", TARGET_NAMES, key="act_col_target", index=TARGET_NAMES.index("square"),
                                  format_func=lambda t: lab.TARGETS[t][0])

    hidden = tuple([int(col_width)] * int(n_hidden))
    col_params = tuple(sorted(activations.get(col_phi).defaults().items()))
    fit_linear, fit_phi = _collapse_pair(col_phi, col_target, hidden, col_params)
    folded = lab.collapse(fit_linear.weights, fit_linear.biases)
    w_eff, b_eff = float(folded.w_eff[0, 0]), float(folded.b_eff[0])
    gap = float(np.max(np.abs(lab.forward_stack(fit_linear.x[:, None], fit_linear.weights, fit_linear.biases)[:, 0]
                              - (w_eff * fit_linear.x + b_eff))))
    line = lab.least_squares_line(fit_linear.x, fit_linear.y)
    shapes = r"\,".join(rf"({w.shape[0]}{{\times}}{w.shape[1]})" for w in reversed(fit_linear.weights))
    n_w = len(fit_linear.weights)
    st.latex(r"\begin{aligned}"
             rf"W_\mathrm{{eff}} &= W_{n_w}\cdots W_1 = {shapes} = {_fmt(w_eff)},\qquad "
             rf"b_\mathrm{{eff}} = {_fmt(b_eff)}\\"
             rf"\max_x\big|\hat y_\mathrm{{net}}(x) - (W_\mathrm{{eff}}x + b_\mathrm{{eff}})\big| &= {_fmt(gap)}"
             r"\quad\text{(rounding only)}\end{aligned}")
    ui.figure(figs.collapse_fit(fit_linear, fit_phi, w_eff, b_eff, line, activations.label(col_phi)),
              key="act_fig_collapse")
    st.caption(f"Both stacks have the same shape 1 → {' → '.join(map(str, hidden))} → 1 and were trained the same way "
               f"({COLLAPSE_STEPS} Adam steps from the same start). "
               f"Mean squared error: linear {fit_linear.final_loss:.4f}, "
               f"best possible straight line {np.mean((line[0] * fit_linear.x + line[1] - fit_linear.y) ** 2):.4f}, "
               f"{activations.label(col_phi)} {fit_phi.final_loss:.4f}.")
    ui.takeaway("Without a nonlinearity, depth buys nothing: a hundred linear layers are one matrix and one bias, "
                "a straight line here. One nonlinear φ between them is what lets the stack bend.")


_collapse_section()

# --- ReLU sums -------------------------------------------------------------------------------------------------


@st.fragment
def _relu_section() -> None:
    """A piecewise-linear function as a sum of shifted ReLUs, with the network's weights."""
    st.header("ReLUs and piecewise-linear functions")
    st.markdown("Each ReLU unit $\\max(0, x - t)$ is zero up to its **knot** $t$ and then rises with slope 1. "
                "Scaled by $s$ it bends a function by slope $s$ at $t$, so any continuous piecewise-linear function "
                "is a sum of shifted ReLUs: exactly a network with one hidden layer.")
    mode = ui.radio("Piecewise-linear function", ["target", "knots"], key="act_pl_mode", horizontal=True,
                    format_func=lambda m: {"target": "interpolate a target", "knots": "place the knots yourself"}[m])
    x_grid = np.linspace(-1.0, 1.0, 401)
    target_y = None
    if mode == "target":
        a1, a2 = st.columns(2)
        with a1:
            pl_target = ui.selectbox("Target", TARGET_NAMES, key="act_pl_target", index=TARGET_NAMES.index("sine"),
                                     format_func=lambda t: lab.TARGETS[t][0])
        with a2:
            n_points = ui.slider("Points to interpolate (knots + 1)", 2, 16, 6, 1, key="act_pl_n")
        rs = lab.relu_sum_target(pl_target, int(n_points))
        target_y = lab.target(pl_target, x_grid)
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
        kcols = st.columns(4)
        for i in range(int(n_knots)):
            with kcols[i]:
                knots.append(ui.slider(f"knot {i + 1}: position t", -1.0, 1.0, knot_defaults[i][0], 0.05,
                                       key=f"act_pl_t{i}"))
                changes.append(ui.slider(f"knot {i + 1}: slope change s", -4.0, 4.0, knot_defaults[i][1], 0.1,
                                         key=f"act_pl_s{i}"))
        rs = lab.relu_sum_from_knots(-1.0, y0, m0, knots, changes)

    ui.figure(figs.relu_sum(rs, x_grid, target_y), key="act_fig_relu")
    bias = round(rs.bias, 10) + 0.0  # sin(-pi) is -1.2e-16, not worth showing
    terms = [f"{s:+.3g}\\,\\mathrm{{ReLU}}(x {'-' if t >= 0 else '+'} {abs(t):.3g})"
             for t, s in zip(rs.knots, rs.slope_changes, strict=True) if s != 0]
    lines = [" ".join(terms[i:i + 4]) for i in range(0, len(terms), 4)] or [""]
    st.latex(r"\begin{aligned} f(x) = " + f"{bias:.3g}" + r"\ & " + r"\\ & ".join(lines) + r"\end{aligned}")
    st.markdown(f"**The network:** 1 input → {len(rs.knots)} ReLU units → 1 output, output bias "
                f"$b_2 = {bias:.3g}$. Unit $k$ computes $\\max(0,\\ 1\\cdot x - t_k)$; the output adds them "
                "with weights $s_k$. The first knot sits at the left end $x = -1$ and sets the starting slope. "
                "The sum equals the piecewise-linear function exactly on the interval, not approximately.")
    st.dataframe(pd.DataFrame({
        "hidden unit k": np.arange(1, len(rs.knots) + 1),
        "knot tₖ": rs.knots,
        "input weight w₁": rs.w1[:, 0],
        "hidden bias b₁ = −tₖ": rs.b1 + 0.0,
        "output weight sₖ": rs.w2[0],
        "slope after tₖ": rs.slopes,
    }).round(4), hide_index=True, width="stretch", height=min(38 + 35 * len(rs.knots), 300))
    ui.takeaway("A one-hidden-layer ReLU network is a piecewise-linear function: each unit adds one knot, each "
                "output weight one change of slope. More units, more knots, a closer fit to any curve.")


_relu_section()

# --- Depth propagation -----------------------------------------------------------------------------------------


@st.fragment
def _depth_section(selected: list[str], frozen: dict[str, tuple]) -> None:
    """Spread of activations and gradients through a deep stack at initialisation."""
    st.header("Depth: what 50 layers do to signals and gradients")
    st.markdown("Send a batch $x \\sim \\mathcal N(0, I)$ through $L$ square layers $h_l = \\varphi(W_l h_{l-1})$ at "
                "initialisation, then back-propagate $\\partial \\mathcal L/\\partial h_L \\sim \\mathcal N(0, I)$. "
                "Each layer multiplies the gradient by $W_l^\\top \\operatorname{diag}(\\varphi'(z_l))$; since "
                "$\\varphi'_\\sigma \\le 0.25$, a sigmoid stack shrinks it at least like $0.25^{L-l}$ when the weights "
                "preserve scale.")
    d1, d2, d3, d4 = st.columns(4)
    with d1:
        init = ui.radio("Initialisation", list(lab.INITS), key="act_dp_init",
                        format_func=lambda i: {"xavier": "Xavier", "he": "He", "sigma": "custom σ_w"}[i])
    with d2:
        sigma_w = ui.slider("σ_w (for custom: W ~ N(0, σ_w²/n))", 0.2, 3.0, 1.0, 0.1, key="act_dp_sigma")
    with d3:
        dp_width = ui.slider("Width n", 64, 256, 256, 64, key="act_dp_width")
    with d4:
        dp_depth = ui.slider("Layers L", 10, 60, 50, 5, key="act_dp_depth")
    results = [_propagate(k, frozen[k], init, float(sigma_w) if init == "sigma" else 1.0, int(dp_width),
                          int(dp_depth)) for k in selected]
    w_std = lab.weight_std(init, int(dp_width), float(sigma_w))
    st.latex(rf"\operatorname{{std}}(W) = {_fmt(w_std)} = \frac{{{_fmt(w_std * math.sqrt(int(dp_width)))}}}"
             rf"{{\sqrt{{{int(dp_width)}}}}}\qquad \text{{(Xavier: }}1/\sqrt{{n}},\ "
             rf"\text{{He: }}\sqrt{{2}}/\sqrt{{n}})")
    ui.figure(figs.propagation(results), key="act_fig_depth")
    lines = []
    for r in results:
        first, last = r.grad_std[0], r.grad_std[-1]
        ratio = f"{first / last:.2g}" if last > 0 and first > 0 else "0 (no gradient at all)"
        lines.append(f"{activations.label(r.key)}: activations std {r.act_std[-1]:.3g} at layer {len(r.act_std)}, "
                     f"gradient at layer 1 / at layer {len(r.grad_std)} = {ratio}, dead units at the top "
                     f"{100 * r.dead[-1]:.0f}%")
    st.caption("Dead unit: φ′(z) = 0 for every input of the batch, so it passes no gradient. Gaps on a log axis are "
               "exact zeros. " + "; ".join(lines) + ".")
    ui.takeaway("Initialisation and activation must match: Xavier keeps linear stacks at scale and tanh close to "
                "it, He keeps ReLU stacks alive; sigmoid's gradient still fades like 0.25 per layer, which is why deep "
                "nets moved to ReLU-like units.")


_depth_section(selected, frozen)

# --- Universality ----------------------------------------------------------------------------------------------
st.header("Which activations make a universal approximator?")
st.markdown(
    "One hidden layer of enough units can approximate any continuous function on a bounded set **if and only if** "
    "the activation is **not a polynomial** (Leshno, Lin, Pinkus & Schocken 1993). For sigmoid-like units Nielsen "
    "gives the picture: a large weight turns $\\sigma(w(x - s))$ into a step at $s$; two steps make a bump; bumps "
    "add up to any shape. Any bounded φ with **two distinct finite limits** works that way (Cybenko 1989). A "
    "linear φ is a polynomial of degree 1, and a stack of it stays linear, so it fails."
)
st.markdown("| activation | universal | why |\n|---|:---:|---|\n" + "\n".join(
    f"| {activations.label(k)} | {'✓' if activations.get(k).universal else '✗'} | "
    f"{activations.get(k).universal_reason} |" for k in activations.names()))
ui.takeaway("Almost any nonlinearity is enough for universality; the choice between them is about training: "
            "gradients, speed and stability, as the race below shows.")

# --- Race ------------------------------------------------------------------------------------------------------


@st.fragment
def _race_section(selected: list[str], params: dict[str, dict[str, float]]) -> None:
    """One network per selected activation, trained side by side on a button."""
    st.header("A race")
    st.markdown("The same network 1 → 16 → 16 → 1, from the same initial weights, trained by full-batch Adam on one "
                "target, once with each selected activation.")
    r1, r2, r3, r4 = st.columns([2, 1, 1, 1.4])
    with r1:
        race_target = ui.selectbox("Target", TARGET_NAMES, key="act_race_target", index=TARGET_NAMES.index("wave"),
                                   format_func=lambda t: lab.TARGETS[t][0])
    with r2:
        race_steps = ui.slider("Adam steps", 100, 400, 300, 100, key="act_race_steps")
    with r3:
        race_lr = ui.selectbox("Learning rate", [0.003, 0.01, 0.03], key="act_race_lr", index=1)
    settings = (tuple(selected), _freeze({k: params[k] for k in selected if k in params}), race_target,
                int(race_steps), float(race_lr))
    with r4:
        st.write("")
        if st.button("Start the race", key="act_race_go", icon=":material/sports_score:", type="primary"):
            st.session_state["act_race_settings"] = settings
    wanted = st.session_state.get("act_race_settings")
    if wanted is None:
        st.info("Press **Start the race** to train one network per selected activation (a few seconds at most).")
    elif wanted != settings:
        st.info("The settings changed since the last race: press **Start the race** again.")
    else:
        bar = st.progress(0.0, text="Racing…")
        state = None
        for chunk in range(RACE_CHUNKS):
            state = _race_chunk(settings, chunk, state)
            bar.progress((chunk + 1) / RACE_CHUNKS, text=f"Racing: step {state.step} of {settings[3]}")
        bar.empty()
        fits = lab.race_fits(state, race_target, params=_unfreeze(settings[1]))
        ui.figure(figs.race(fits), key="act_fig_race")
        ranking = sorted(fits, key=lambda f: f.final_loss)
        st.caption("Final mean squared error: " + ", ".join(f"{activations.label(f.key)} {f.final_loss:.2g}"
                                                            for f in ranking) + ".")
        ui.takeaway(f"{activations.label(ranking[0].key)} won this race. Rankings change with the target, the "
                    "learning rate and the seed; what persists is that saturating units start slowly and a unit "
                    "step cannot train its hidden layer at all (its gradient is zero).")


_race_section(selected, params)

