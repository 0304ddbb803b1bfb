"""Universal approximation: construct it, solve it, train it, and measure how width buys accuracy."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from nnviz import activations, ui
from nnviz import approximation as ua
from nnviz.expressions import MAX_LENGTH, ExpressionError, describe_functions
from nnviz.figures import approximation as figs
from nnviz.figures import style

INTERVALS: dict[str, tuple[float, float] | None] = {
    "the target's usual interval": None, "[−1, 1]": (-1.0, 1.0), "[0, 1]": (0.0, 1.0), "[−2, 2]": (-2.0, 2.0),
    "[−π, π]": (-math.pi, math.pi),
}
TARGET_KEYS = [*ua.TARGETS, ua.FORMULA]
MAX_CURVES = 40
CONSTRUCTIONS = {"bumps": "Sigmoid steps → bumps (Nielsen)", "relu": "ReLU interpolation through knots"}
OPTIMISERS = {"adam": "Adam (every weight, torch)", "lm": "Levenberg–Marquardt + exact output layer (float64)"}
DEFAULT_FORMULA = "0.2 + 0.4*x**2 + 0.3*x*sin(15*x) + 0.05*cos(50*x)"
tex = ua.tex_number


def _target_label(key: str) -> str:
    return "your formula…" if key == ua.FORMULA else ua.TARGETS[key].label if key in ua.TARGETS else key


def _labels(mapping: dict[str, str]):
    """A format_func showing mapping[key]; total, so it also maps a label shown back to itself."""
    return lambda key: mapping.get(key, key)


# ------------------------------------------------------------------------------------------- cached computations
# Pure functions of hashable arguments. Each rebuilds the cheap Problem itself: a user's formula is a closure,
# which cannot be pickled into the cache. Figures are cached as plain dicts (figs.freeze) and shown with figs.thaw.

def _problem(spec: tuple) -> ua.Problem:
    target, formula, a, b, samples, noise = spec
    return ua.make_problem(ua.target_function(target, formula), a, b, samples, noise, seed=0)


@st.cache_data(max_entries=48, show_spinner=False)
def _construct(spec: tuple, method: str, width: int, phi: str, params: tuple, log_w: float) -> dict:
    p = _problem(spec)
    if method == "bumps":
        step_phi, step_params = (phi, params) if ua.is_step_like(phi) else ("sigmoid", ())
        bumps = ua.bump_construction(p.f, p.a, p.b, width, 10**log_w, step_phi, step_params)
        net, shape = bumps.net, ua.step_shape(step_phi, step_params)
        y_plot, y_dense, error = ua.evaluate(net, p)
        latex = ua.bumps_latex(bumps, shape, p.a, ua.derivative_bounds(p.f, p.a, p.b)[0], error.max_error)
        title = f"{width // 2} bumps from {2 * (width // 2)} {activations.label(step_phi)} steps, w = {10**log_w:,.4g}"
        windows, window, soft = (bumps.edges, bumps.window, bumps.window > bumps.h / 2)
    else:
        net = ua.relu_interpolation(p.f, p.a, p.b, width)
        y_plot, y_dense, error = ua.evaluate(net, p)
        latex = ua.relu_latex(p.a, p.b, width, ua.derivative_bounds(p.f, p.a, p.b)[1], error.max_error)
        title, windows, window, soft = f"ReLU interpolation through {width + 1} knots", (), 0.0, False
    dec = ua.decomposition(net, p.x_plot, MAX_CURVES)
    fig = figs.decomposition_figure(p, dec, net, title, windows, window)
    return {"net": net, "error": error, "latex": latex, "fig": figs.freeze(fig), "shown": len(dec.idx),
            "soft": soft, "window": window, "y_plot": y_plot, "y_dense": y_dense}


@st.cache_data(max_entries=48, show_spinner=False)
def _solve(spec: tuple, hidden: str, width: int, phi: str, params: tuple, scale: float, seed: int,
           method: str, log_w: float) -> dict:
    p = _problem(spec)
    if hidden == "constructed":
        base = _construct(spec, method, width, phi, params, log_w)["net"]
    else:
        base = ua.random_hidden(width, p.a, p.b, phi, scale, seed, params)
    ls = ua.least_squares_fit(base, p.x_train, p.y_train)
    dec = ua.decomposition(ls.net, p.x_plot, MAX_CURVES)
    kind = "the constructed" if hidden == "constructed" else "random"
    fig = figs.decomposition_figure(p, dec, ls.net, f"Least squares on {kind} {activations.label(base.phi)} "
                                    f"features, N = {width}")
    y_plot, y_dense, error = ua.evaluate(ls.net, p)
    return {"net": ls.net, "error": error, "fig": figs.freeze(fig), "orth": ls.orthogonality, "shown": len(dec.idx),
            "latex": ua.least_squares_latex(p.x_train.size, width, ls.rank, error.train_mse),
            "y_plot": y_plot, "y_dense": y_dense, "max_v": float(np.abs(ls.net.v).max())}


SWEEP_SAMPLES = 256  # the default n: the sweep is about approximating f, so noise and n do not change it


@st.cache_data(max_entries=16, show_spinner="Sweeping the width N from 2 to 1,000 …")
def _sweep(spec: tuple, phi: str, params: tuple) -> ua.Sweep:
    return ua.width_sweep(_problem(spec), phi, seed=0, phi_params=params)


@st.cache_data(max_entries=32, show_spinner=False)
def _sweep_fig(spec: tuple, phi: str, params: tuple, metric: str) -> dict:
    return figs.freeze(figs.sweep_figure(_sweep(spec, phi, params), metric))


@st.cache_data(max_entries=128, show_spinner=False)
def _challenge(heights: tuple[float, ...], show_best: bool) -> tuple[ua.Challenge, dict]:
    ch = ua.challenge(heights)
    return ch, figs.freeze(figs.challenge_figure(ch, show_best))


@st.cache_data(max_entries=32, show_spinner=False)
def _towers(target: str, k: int, steepness: float, view: str) -> tuple[ua.Towers, dict]:
    t = ua.towers(target, k, steepness)
    return t, figs.freeze(figs.towers_figure(t, view))


@st.cache_data(max_entries=16, show_spinner=False)
def _compare_figs(spec: tuple, fits: tuple[tuple[str, str, np.ndarray, np.ndarray], ...]) -> tuple[dict, dict]:
    """The side-by-side fit and error figures; fits are (name, colour, ŷ on x_plot, ŷ on x_dense)."""
    p = _problem(spec)
    fit = figs.fit_figure(p, [(n, yp, c) for n, c, yp, _ in fits], "The fits side by side")
    err = figs.error_figure(p, [(n, yd, c) for n, c, _, yd in fits], "Error of each fit on [a, b] (log scale)")
    return figs.freeze(fit), figs.freeze(err)


@st.cache_data(max_entries=16, show_spinner=False)
def _loss_fig(steps: np.ndarray, loss: np.ndarray) -> dict:
    return figs.freeze(figs.loss_figure(steps, loss))


def _metrics(col, error: ua.FitError) -> None:
    col.metric("MSE on [a, b]", f"{error.mse:.3g}")
    col.metric("max error", f"{error.max_error:.3g}")


# ------------------------------------------------------------------------------------------- sections

def setup_section() -> tuple[tuple, ua.Problem | None, int, str, tuple]:
    """Target, interval, samples, width and activation; returns (spec, problem or None, N, phi, phi params)."""
    st.header("The function and the network")
    c1, c2, c3, c4 = st.columns([1.3, 1, 1, 1])
    with c1:
        target = ui.selectbox("Target function f", TARGET_KEYS, key="uat_target", format_func=_target_label)
        formula = ""
        if target == ua.FORMULA:
            formula = ui.text_input("f(x) =", DEFAULT_FORMULA, key="uat_formula", max_chars=MAX_LENGTH,
                                    help=f"Allowed: {describe_functions()}. At most {MAX_LENGTH} characters.")
    with c2:
        interval_name = ui.selectbox("Interval [a, b]", list(INTERVALS), key="uat_interval")
        noise = ui.slider("Noise on the samples (std)", 0.0, 0.5, 0.0, 0.01, key="uat_noise",
                          help="0 = exact samples of f. Errors are always measured against the clean f.")
    with c3:
        width = ui.slider("Hidden neurons N", 1, ua.MAX_WIDTH, 64, 1, key="uat_width")
        samples = ui.slider("Training samples n", 16, 1000, 256, 16, key="uat_samples")
    with c4:
        phi = ui.activation_select("Activation φ", key="uat_phi", default="sigmoid")
        params = tuple(sorted(ui.activation_params(phi, key="uat_phi").items()))
    natural = (-1.0, 1.0) if target == ua.FORMULA else ua.TARGETS[target].interval
    a, b = INTERVALS[interval_name] or natural
    spec = (target, formula, float(a), float(b), int(samples), float(noise))
    try:
        problem = _problem(spec)
    except ExpressionError as err:
        st.error(f"**That formula cannot be used.** {err}", icon=":material/function:")
        return spec, None, width, phi, params
    except ValueError as err:
        st.error(f"**This target cannot be approximated here.** {err}", icon=":material/warning:")
        return spec, None, width, phi, params
    if target != ua.FORMULA:
        st.latex(rf"f(x) = {ua.TARGETS[target].latex}, \qquad x \in [{tex(a)}, {tex(b)}]")
    if target != ua.FORMULA and not ua.TARGETS[target].continuous:
        st.warning("This step is **discontinuous**: the theorem does not apply. Every fit keeps a maximum error "
                   "near ½ at the jump however wide the network; only the *average* error shrinks.",
                   icon=":material/block:")
    if not activations.get(phi).universal:
        st.warning(f"**{activations.label(phi)}** is not a universal activation "
                   f"({activations.get(phi).universal_reason}): no width makes it fit a curve.",
                   icon=":material/block:")
    return spec, problem, width, phi, params


def construct_section(spec: tuple, width: int, phi: str, params: tuple) -> tuple[dict | None, str, float]:
    """Nielsen's bumps or ReLU knots, with exact weights; returns (result or None, method, log10 w)."""
    st.header("1 · Construct it")
    left, right = st.columns([1, 2.4])
    with left:
        method = ui.radio("Construction", list(CONSTRUCTIONS), key="uat_construction",
                          format_func=_labels(CONSTRUCTIONS))
        log_w = ui.slider("Steepness log₁₀ w", 0.0, 5.0, 3.0, 0.1, key="uat_steepness", disabled=method != "bumps",
                          help="Weight of every step neuron: w = 10^value. A small w gives soft steps that fail.")
    if method == "bumps" and width < 2:
        left.warning("A bump needs two neurons (an up-step and a down-step): choose N ≥ 2.")
        return None, method, log_w
    if method == "bumps":
        left.markdown("A steep neuron φ(w(x − s)) is a **step at s = −b/w**. An up-step minus a down-step is a "
                      "**bump**; N/2 bumps of height f(midpoint) tile the interval (the outer steps sit just "
                      "outside it).")
    else:
        left.markdown("ReLU(x − t) is a **kink at t**. One kink per knot, with output weight equal to the **change "
                      "of slope** there, draws the broken line through N + 1 points of f. (This construction is "
                      "ReLU by definition, whatever φ is chosen above.)")
    if method == "bumps" and not ua.is_step_like(phi):
        left.info(f"{activations.label(phi)} is not step-like (bounded and monotone), so the bumps use the sigmoid.",
                  icon=":material/info:")
    res = _construct(spec, method, width, phi, params, log_w)
    _metrics(left, res["error"])
    with right:
        ui.figure(figs.thaw(res["fig"]), key="uat_fig_construct")
    which = "all of them" if res["shown"] == width else "those with the largest |vᵢ|"
    right.caption(f"Thin lines: {res['shown']} of the {width} neurons' contributions vᵢφ(wᵢx + bᵢ) ({which}), drawn "
                  "as one trace per colour; hover a dot (where a neuron switches) for its weights. Bold: their sum, "
                  "the network.")
    for line in res["latex"]:
        st.latex(line)
    if res["soft"]:
        st.warning(f"The steps are soft: each needs Δx = {res['window']:.3g} to rise from 1% to 99%, more than half "
                   "a bump's width. The bumps blur into each other — raise the steepness w.")
    with st.expander("The exact weights of this construction"):
        st.dataframe(figs.weights_rows(res["net"]), hide_index=True)
        st.caption(f"The first {min(width, 60)} of {width} neurons; download all of them at the bottom of the page.")
    ui.takeaway("Each pair of steep neurons is a bump, each ReLU a kink: with enough of them any continuous curve "
                "can be drawn — that is the whole proof idea.")
    return res, method, log_w


def solve_section(spec: tuple, width: int, phi: str, params: tuple, method: str, log_w: float,
                  constructed: bool) -> tuple[dict | None, int]:
    """The output layer by least squares on a fixed hidden layer; returns (result or None, seed)."""
    st.header("2 · Solve it")
    left, right = st.columns([1, 2.4])
    with left:
        hidden = ui.radio("Hidden layer", ["constructed", "random"], key="uat_hidden",
                          format_func=_labels({"constructed": "the constructed one (section 1)",
                                               "random": f"random {activations.label(phi)} neurons"}))
        scale = ui.slider("Spread of random weights", 0.1, 10.0, 1.0, 0.1, key="uat_scale",
                          disabled=hidden != "random", help="wᵢ = spread · 4/(b − a) · gᵢ, gᵢ standard normal; each "
                          "neuron's centre −bᵢ/wᵢ is uniform in [a, b].")
        seed = int(ui.number_input("Random seed", 0, 999, 0, 1, key="uat_seed"))
    if hidden == "constructed" and not constructed:
        left.warning("There is no constructed hidden layer (N < 2 bumps): pick random neurons or a larger N.")
        return None, seed
    res = _solve(spec, hidden, width, phi, params, float(scale), seed, method, log_w)
    _metrics(left, res["error"])
    with right:
        ui.figure(figs.thaw(res["fig"]), key="uat_fig_solve")
    right.caption(f"Thin lines: {res['shown']} of {width} neurons' contributions (largest |vᵢ|). The y axis is "
                  f"clipped to the target's range; the largest output weight is |v| = {res['max_v']:.3g}.")
    for line in res["latex"]:
        st.latex(line)
    st.markdown("A **linear** least-squares problem: its solution is the exact optimum for these hidden neurons "
                "(singular values below 10⁻¹⁰ of the largest are dropped: float64 cannot resolve them). At the "
                "optimum the residual r is orthogonal to every feature: max |⟨φᵢ, r⟩| / (‖φᵢ‖‖y‖) = "
                f"**{res['orth']:.1e}**.")
    if width + 1 > spec[4]:
        st.info(f"N + 1 = {width + 1} unknowns > n = {spec[4]} samples: least squares can pass through every sample "
                "(it returns the minimum-norm solution). Watch what happens between samples and outside [a, b].",
                icon=":material/info:")
    ui.takeaway("Once the hidden layer is fixed, the best output layer is one linear least-squares solve — no "
                "training needed. Random neurons work too, if there are enough of them.")
    return res, seed


def train_section(spec: tuple, problem: ua.Problem, width: int, phi: str, params: tuple, seed: int,
                  fixed: list[tuple[str, dict, str]]) -> ua.ShallowNet | None:
    """Every weight trained live (Adam or Levenberg–Marquardt); returns the trained net, if any."""
    st.header("3 · Train it")
    st.markdown("Now every weight — wᵢ, bᵢ, vᵢ and c — is learned from the n samples by minimising the mean "
                "squared error. Press **Train**: the fit and the loss curve update while it learns.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        optimiser = ui.radio("Optimiser", list(OPTIMISERS), key="uat_optimiser", format_func=_labels(OPTIMISERS))
    with c2:
        log_lr = ui.slider("Learning rate log₁₀ η (Adam)", -4.0, -0.5, -2.0, 0.1, key="uat_lr",
                           disabled=optimiser != "adam")
    with c3:
        max_steps = ui.selectbox("Step limit", [500, 2000, 10000, 50000], key="uat_steps", index=2)
    with c4:
        init = ui.selectbox("Initialisation (Adam)", ["default", "xavier", "he"], key="uat_init",
                            disabled=optimiser != "adam")
    update = (rf"\theta \leftarrow \theta - \eta\,\frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}},"
              rf"\ \eta = {tex(10**log_lr)}"
              if optimiser == "adam" else
              r"\theta \leftarrow \theta - (J^\top J + \lambda\,\mathrm{diag}\,J^\top J)^{-1} J^\top r"
              r"\ \text{then } (v, c) \leftarrow \text{least squares}")
    st.latex(r"\text{MSE} = \frac1n\sum_{j=1}^{n}\big(\hat y(x_j) - y_j\big)^2,\quad " + update)
    if optimiser == "lm" and width > ua.LM_MAX_WIDTH:
        st.warning(f"Levenberg–Marquardt solves a (3N + 1)-square system each step; it is limited to "
                   f"N ≤ {ua.LM_MAX_WIDTH}. Choose Adam or a smaller N.", icon=":material/speed:")
        return None

    def make() -> ua.AdamFit | ua.LMFit:
        if optimiser == "adam":
            return ua.AdamFit(problem, width, phi, lr=10**log_lr, max_steps=max_steps, seed=seed, init=init,
                              phi_params=params)
        return ua.LMFit(problem, width, phi, max_steps=max_steps, seed=seed, phi_params=params)

    def draw(stepper: ua.AdamFit | ua.LMFit) -> None:
        net = stepper.net() if stepper.steps else None
        fits = [(name, c, r["y_plot"], r["y_dense"]) for name, r, c in fixed]
        rows = [(name, r["error"], r["net"]) for name, r, _ in fixed]
        if net is not None:
            y_plot, y_dense, error = ua.evaluate(net, problem)
            fits.append(("trained", style.MODEL, y_plot, y_dense))
            rows.append((f"trained ({'Adam' if stepper.method == 'Adam' else 'LM'})", error, net))
        fit_d, err_d = _compare_figs(spec, tuple(fits))
        a_col, b_col = st.columns([1.6, 1])
        with a_col:
            ui.figure(figs.thaw(fit_d), key="uat_fig_compare")
        steps, loss = stepper.history
        if steps.size:
            with b_col:
                ui.figure(figs.thaw(_loss_fig(steps, loss)), key="uat_fig_loss")
        else:
            b_col.info("Press **Train** to learn every weight from the samples; the loss curve appears here.",
                       icon=":material/play_arrow:")
        b_col.dataframe({"method": [r[0] for r in rows], "MSE on [a, b]": [f"{r[1].mse:.3g}" for r in rows],
                         "max error": [f"{r[1].max_error:.3g}" for r in rows],
                         "parameters": [r[2].n_parameters() for r in rows]}, hide_index=True)
        if st.session_state.get("uat_live", {}).get("running"):
            st.caption("The error plot of every fit appears when training pauses or ends.")
        else:
            ui.figure(figs.thaw(err_d), key="uat_fig_errors")

    config = (spec, width, phi, params, optimiser, log_lr, max_steps, init, seed)
    stepper = ui.live_panel("uat_live", make, draw, config=config)
    ui.takeaway("Training finds its own neurons — no construction needed. Plain gradient descent (Adam) is the "
                "slowest route to a small error; Levenberg–Marquardt with an exact output layer gets there in a few "
                "steps. The theorem says good weights *exist*, not how to find them.")
    return stepper.net() if stepper.steps else None


@st.fragment
def sweep_section(spec: tuple, phi: str, params: tuple) -> None:
    """A fragment: changing the error measure reruns only this section."""
    st.header("How width buys accuracy")
    metric = ui.radio("Error measure", ["max", "rms"], key="uat_sweep_metric", horizontal=True,
                      format_func=_labels({"max": "maximum error (what the theorem bounds)", "rms": "RMS error"}))
    ui.figure(figs.thaw(_sweep_fig(spec, phi, params, metric)), key="uat_fig_sweep")
    st.caption(f"N = 2, 4, …, 512, 1000, computed once per target and activation, then cached; on the target "
               f"itself ({SWEEP_SAMPLES} noise-free samples), whatever the noise and n above. The bumps' steps "
               "have steepness w = 50/h here, sharp next to each bump. Dotted: the bounds for infinitely steep "
               "steps (slope −1 on log-log axes) and for exact interpolation (slope −2). Trained: 20 "
               "Levenberg–Marquardt steps from the default initial weights, for N ≤ 64 — a fixed training budget "
               "buys far less than the constructions' rates.")
    if not _sweep(spec, phi, params).theory:
        st.info("No bound is drawn: this target lacks the derivatives the bounds need (a corner or a jump).",
                icon=":material/info:")
    ui.takeaway("Bumps halve their error when N doubles (∝ 1/N); ReLU interpolation of a smooth f quarters it "
                "(∝ 1/N²). Wider is more accurate — but the theorem alone does not say how wide.")


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
    ch, ch_fig = _challenge(tuple(heights), show_best)
    left, right = st.columns([2.4, 1])
    with left:
        ui.figure(figs.thaw(ch_fig), key="uat_fig_challenge")
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


@st.fragment
def towers_section() -> None:
    """A fragment: its widgets rerun only this section."""
    st.header("Two inputs: towers")
    st.markdown("With two inputs a steep neuron is a **step along a line**. A bump in x₁ plus a bump in x₂ makes a "
                "cross: height 2 where they meet, **plateaus** of height 1 along the arms. A second-layer neuron "
                "with bias −1.5W keeps only what rises above 1.5 — a **tower** — and K × K towers of height "
                "f(centre) tile the square.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        target = ui.selectbox("Target f(x₁, x₂)", list(ua.TARGETS_2D), key="uat_t2_target",
                              format_func=_labels({k: v[0] for k, v in ua.TARGETS_2D.items()}))
    with c2:
        k = int(ui.slider("Towers per side K", 1, 20, 8, 1, key="uat_t2_k"))
    with c3:
        steep = float(ui.slider("Steepness w of the steps", 10, 500, 200, 10, key="uat_t2_w"))
    with c4:
        view = ui.radio("Show", ["all", "plateaus", "tower"], key="uat_t2_view",
                        format_func=_labels({"all": "all towers vs target", "plateaus": "without the bias (plateaus)",
                                     "tower": "one tower, step by step"}))
    tw, tw_fig = _towers(target, k, steep, view)
    ui.figure(figs.thaw(tw_fig), key="uat_fig_towers")
    for line in ua.towers_latex(target, tw):
        st.latex(line)
    st.caption("The maximum error sits where four towers meet: there each bump is half on (0.5 + 0.5 < 1.5), so all "
               "four towers switch off — the 2-D window of failure. Steeper steps make it thinner, never absent.")
    ui.takeaway("Towers are 2-D bumps: with enough of them any continuous surface can be built — the same proof, "
                "one dimension up (removing the plateaus takes a second layer of neurons).")


def download_section(spec: tuple, problem: ua.Problem, nets: dict[str, ua.ShallowNet]) -> None:
    st.header("Download the weights")
    which = ui.radio("Which network", ["constructed", "least squares", "trained"], key="uat_download_which",
                     horizontal=True)
    if which not in nets:
        st.info(f"There is no {which} network yet.", icon=":material/info:")
        return
    net = nets[which]
    payload = net.to_json(method=which, target=spec[1] or _target_label(spec[0]), interval=[problem.a, problem.b])
    st.download_button(f"Download the {which} network ({net.width} neurons) as JSON", payload, mime="application/json",
                       file_name=f"nnviz_{which.replace(' ', '_')}_N{net.width}.json", key="uat_download",
                       icon=":material/download:")
    st.caption("Keys w, b, v, c and phi: ŷ(x) = Σ v[i]·φ(w[i]·x + b[i]) + c.")


# ------------------------------------------------------------------------------------------- the page

ui.intro(
    "Universal approximation",
    "**The theorem:** a network with **one hidden layer** can approximate **any continuous function on a bounded "
    "interval** as closely as you like, given **enough hidden neurons** and a suitable activation — sigmoid and "
    "ReLU both qualify (Cybenko 1989; Hornik 1991; Leshno et al. 1993). Build such networks three ways — by hand, "
    "by solving a linear system, by training — and measure how width buys accuracy.",
)
st.latex(r"\hat y(x) \;=\; \sum_{i=1}^{N} v_i\,\varphi(w_i x + b_i) \;+\; c")
SPEC, PROBLEM, WIDTH, PHI, PARAMS = setup_section()
if PROBLEM is not None:
    CONSTRUCT, METHOD, LOG_W = construct_section(SPEC, WIDTH, PHI, PARAMS)
    SOLVE, SEED = solve_section(SPEC, WIDTH, PHI, PARAMS, METHOD, LOG_W, CONSTRUCT is not None)
    NETS = {name: r["net"] for name, r in (("constructed", CONSTRUCT), ("least squares", SOLVE)) if r is not None}
    FIXED = [(name, r, c) for name, r, c in (("constructed", CONSTRUCT, style.GREEN),
                                              ("least squares", SOLVE, style.ORANGE)) if r is not None]
    TRAINED = train_section(SPEC, PROBLEM, WIDTH, PHI, PARAMS, SEED, FIXED)
    if TRAINED is not None:
        NETS["trained"] = TRAINED
    sweep_section((*SPEC[:4], SWEEP_SAMPLES, 0.0), PHI, PARAMS)  # the target itself: no noise, fixed n
challenge_section()
towers_section()
if PROBLEM is not None:
    download_section(SPEC, PROBLEM, NETS)
