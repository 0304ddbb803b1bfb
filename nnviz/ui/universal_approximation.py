"""Sections of the universal-approximation page that would make the page script long: training every weight
live, the width sweep, Nielsen's challenge, two-input towers and the weights download. Each is a function the
page calls in one line; the heavy ones compute only while their section is open.
"""

from __future__ import annotations

import streamlit as st

from nnviz.figures import universal_approximation as figs
from nnviz.format import number, tex_number
from nnviz.topics import universal_approximation as ua
from nnviz.ui import wide
from nnviz.ui.cache import session_memo, shown
from nnviz.ui.common import checkbox, figure, labels, lazy_expander, radio, section, selectbox, slider, takeaway
from nnviz.ui.live import live_panel
from nnviz.views import universal_approximation as views

OPTIMISERS = {"adam": "Adam (every weight, torch)", "lm": "Levenberg–Marquardt + exact output layer (float64)"}


def chart(c: views.Chart, key: str) -> None:
    """A cached figure: its dict straight to the chart (no figure object rebuilt per rerun), its alt text given."""
    figure(c.figure(), key=key, alt=c.alt)


def formula_card(lines: tuple[str, ...] | list[str], label: str) -> None:
    """Short formula lines as one centred block named ``label``: each line fits a phone's width, and the block sits
    in a focusable box that scrolls only if it must (nnviz.ui.wide; the page calls ``wide.style()`` once)."""
    wide.formula(r"\begin{gathered}" + r"\\[3pt]".join(lines) + r"\end{gathered}", label)


def weights_table(net: ua.ShallowNet, key: str, label: str, note: str = "") -> None:
    """The weights of a network in a section opened on demand (a table costs a rerun more than it is worth)."""
    with lazy_expander(label, key) as box:
        if box.open:
            if note:
                st.markdown(note)
            st.dataframe(figs.weights_rows(net), hide_index=True)
            st.caption(f"The first {min(net.width, 60)} of {net.width} neurons; download all of them at the "
                       "bottom of the page.")


def markdown_table(columns: dict[str, list]) -> str:
    """A small table of short texts as markdown (an st.dataframe costs a pandas and an Arrow conversion a rerun)."""
    names = list(columns)
    rows = zip(*(columns[n] for n in names), strict=True)
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------- 3 · train it

def train_section(spec, problem, width, phi, method, log_w, hidden, scale, seed):
    """Every weight trained live (Adam or Levenberg–Marquardt) for a fixed number of steps; returns the trained
    network or None."""
    st.header("3 · Train it")
    st.markdown(f"Now every weight — wᵢ, bᵢ, vᵢ and c — is learned from the n samples, with φ = {phi.label}, by "
                "minimising the mean squared error. Press **Train**: the fit and the loss curve update while it "
                "learns, for the number of steps chosen.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        optimiser = radio("Optimiser", list(OPTIMISERS), key="uat_optimiser", format_func=labels(OPTIMISERS))
    with c2:
        log_lr = slider("Learning rate log₁₀ η (Adam)", -4.0, -0.5, -2.0, 0.1, key="uat_lr",
                        disabled=optimiser != "adam")
    with c3:
        steps = selectbox("Steps", [100, 500, 2000, 10000], key="uat_steps", index=2, format_func=number)
    with c4:
        init = selectbox("Initialisation (Adam)", ["default", "xavier", "he"], key="uat_init",
                         disabled=optimiser != "adam")
    if optimiser == "adam":
        st.latex(r"\text{MSE} = \frac1n\sum_{j=1}^{n}\big(\hat y(x_j) - y_j\big)^2")
        st.latex(r"\theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon},\quad \eta = "
                 + tex_number(10**log_lr))
    else:
        st.latex(r"\text{MSE} = \frac1n\sum_{j=1}^{n}\big(\hat y(x_j) - y_j\big)^2")
        st.latex(r"\theta \leftarrow \theta - (J^\top J + \lambda\,\mathrm{diag}\,J^\top J)^{-1} J^\top r")
        st.latex(r"\text{then } (v, c) \leftarrow \text{least squares}")
        st.caption(f"Each step solves the damped (3N + 1)-square system once; a trial that does not lower the loss "
                   f"raises λ and counts as a step. The solve grows like N³, so this path is limited to "
                   f"N ≤ {ua.LM_MAX_WIDTH}: one step then stays within a fraction of a second of the server's time.")
        if width > ua.LM_MAX_WIDTH:
            st.warning(f"Levenberg–Marquardt is limited to N ≤ {ua.LM_MAX_WIDTH} here (its solve grows like N³). "
                       "Choose Adam or a smaller N.", icon=":material/speed:")
            return None
    fixed = views.comparison_settings(spec, width, phi, method, log_w, hidden, scale, seed)
    before = shown(views.comparison, *fixed)

    def make():
        if optimiser == "adam":
            return ua.AdamFit(problem, width, phi, lr=10**log_lr, max_steps=steps, seed=seed, init=init)
        return ua.LMFit(problem, width, phi, max_steps=steps, seed=seed)

    def draw(run, running: bool) -> None:
        # What a paused or finished run shows is kept for this run and step count: a rerun after another widget
        # moved evaluates and draws nothing again.
        def kept(slot, build, *stamp):
            return session_memo(f"uat_live_{slot}", (run.steps, *stamp), build, identity=run)

        fits = list(before.fits)
        if run.steps:
            name = f"trained ({run.method}, {phi.label})"
            fits.append(("trained", kept("fit", lambda: views.trained_fit(run.net(), problem, name))))
        if run.steps:  # before training the fits are those drawn in sections 1 and 2: no figure repeats them
            a_col, b_col = st.columns([1.6, 1])
            with a_col:
                chart(kept("fits", lambda: views.fit_chart(problem, fits), fixed), "uat_fig_compare")
            with b_col:
                chart(kept("loss", lambda: views.loss_chart(run.history["step"], run.history["mse"])), "uat_fig_loss")
        else:
            st.info("Press **Train** to learn every weight from the samples: the trained fit then appears beside "
                    "the constructed and least-squares ones, with its loss curve.", icon=":material/play_arrow:")
        st.markdown(markdown_table(views.table(fits) if run.steps else before.table))
        if running:
            st.caption("The error plot of every fit appears when training pauses or ends.")
        else:
            errors = before.error_chart if not run.steps else kept("errors", lambda: views.error_chart(problem, fits),
                                                                    fixed)
            chart(errors, "uat_fig_errors")
            st.caption(f"Each line is the largest |ŷ − f| in each of {figs.ENVELOPE_BINS} slices of [a, b] (its "
                       "upper envelope), so the points where a fit crosses f and the error touches zero do not fill "
                       "the figure with ink.")
        takeaway(ua.train_takeaway(run.method, phi, run.steps, fits[-1][1].error if run.steps else None,
                                   {f.name: f.error for _, f in before.fits}, run.cut))

    config = (spec, width, phi, optimiser, log_lr, steps, init, seed)
    run = live_panel("uat_live", make, draw, config=config, shared=True, name="every weight")
    return run.net() if run.steps else None


# ------------------------------------------------------------------------------------------------- the width sweep

@section
def sweep_section(spec, phi) -> None:
    """Error against width for every method: measurements behind a button, in a section opened on demand."""
    st.header("How width buys accuracy")
    with lazy_expander("Measure the error at N = 2 … 1,000 for every method", "uat_sweep_open") as box:
        if not box.open:
            return
        metric = radio("Error measure", ["max", "rms"], key="uat_sweep_metric", horizontal=True,
                       format_func=labels({"max": "maximum error (what the theorem bounds)", "rms": "RMS error"}))

        def draw(run, running: bool) -> None:
            sweep = run.result()
            figure(figs.sweep_figure(sweep, metric), key="uat_fig_sweep")
            caption, words = ua.sweep_sentences(sweep) if run.complete else ("", "")
            st.caption(f"N = 2, 4, …, 512, 1,000, on the target itself ({views.SWEEP_SAMPLES} noise-free samples), "
                       "whatever the noise and n above. The bumps' steps have steepness w = 50/h here, sharp next to "
                       "each bump. Grey: the bounds for infinitely steep steps (slope −1 on log-log axes) and for "
                       f"exact interpolation (slope −2). Trained: {sweep.train_steps} Levenberg–Marquardt steps from "
                       f"the default initial weights, for N ≤ {sweep.train_max_width}. {caption}")
            if not sweep.theory:
                st.info("No bound is drawn: this target lacks the derivatives the bounds need (a corner or a jump).",
                        icon=":material/info:")
            if words:
                takeaway(words)

        live_panel("uat_sweep", lambda: views.sweep_run(spec, phi), draw, config=(views.sweep_spec(spec), phi),
                   shared=True, start_label="Measure", name="width sweep")


# ------------------------------------------------------------------------------------------------- Nielsen's challenge

def challenge_section() -> None:
    """Nielsen's challenge, computed only while its section is open."""
    st.header("Nielsen's challenge")
    with lazy_expander("Match a function with five bumps, by hand", "uat_challenge_open") as section:
        if section.open:
            challenge_fragment()


@section
def challenge_fragment() -> None:
    """A fragment: moving a height reruns only this section."""
    st.markdown("Match **Nielsen's function** on [0, 1] with five bumps, by hand. Each slider is one bump's height "
                "h — the output weight of a pair of steep sigmoid neurons. You win when your error is within 25% "
                "of the best five bumps can do.")
    heights = []
    for j, col in enumerate(st.columns(5)):
        with col:
            heights.append(float(slider(f"bump {j + 1}: height h{j + 1}", 0.0, 1.0, 0.5, 0.01, key=f"uat_h{j + 1}")))
    show_best = checkbox("Show the best possible heights", False, key="uat_show_best")
    ch = shown(views.challenge, tuple(heights))
    left, right = st.columns([2.4, 1])
    with left:
        chart(shown(views.challenge_figure, tuple(heights), show_best), "uat_fig_challenge")
    right.metric("your RMS error", f"{ch.rmse:.4f}", delta=f"{ch.rmse - ch.threshold:+.4f} vs goal",
                 delta_color="inverse")
    right.metric("goal: RMS error ≤", f"{ch.threshold:.4f}", help=f"1.25 × the best possible, {ch.best_rmse:.4f}")
    if ch.success:
        right.success("You did it: these ten neurons approximate f nearly as well as ten such neurons can. Open "
                      "“The network your bumps are” below to see their weights.", icon=":material/emoji_events:")
    else:
        right.info("Not yet: move the sliders until the bold line follows the dashed one.", icon=":material/tune:")
    formula_card([r"\text{RMS} = \sqrt{\tfrac1n \textstyle\sum_j (\hat y(x_j) - f(x_j))^2}",
                  f"= {ch.rmse:.4f}" + (r"\ \le\ " if ch.success else r"\ >\ ") + f"{ch.threshold:.4f}"
                  + r"\ \text{(goal)}"], "Your score")
    weights_table(ch.net, "uat_challenge_weights_open", "The network your bumps are",
                  f"Ten sigmoid neurons, all with w = {ua.CHALLENGE_STEEPNESS:g}; neuron 2j − 1 steps up and "
                  "neuron 2j steps down, with output weights +hⱼ and −hⱼ:")
    takeaway("Setting output weights by hand is fitting a function with a network: training does the same, "
             "automatically and for every weight at once.")


# ------------------------------------------------------------------------------------------------- two inputs

def towers_section() -> None:
    """Two inputs; computed only while its section is open."""
    st.header("Two inputs: towers")
    with lazy_expander("Build surfaces from towers (3-D figures)", "uat_towers_open") as section:
        if section.open:
            towers_fragment()


@section
def towers_fragment() -> None:
    """A fragment: its widgets rerun only this section."""
    st.markdown("With two inputs a steep neuron is a **step along a line**. A bump in x₁ plus a bump in x₂ makes a "
                "cross: height 2 where they meet, **plateaus** of height 1 along the arms. A second-layer neuron "
                "with bias −1.5W keeps only what rises above 1.5 — a **tower** — and K × K towers of height "
                "f(centre) tile the square.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        target = selectbox("Target f(x₁, x₂)", list(ua.TARGETS_2D), key="uat_t2_target",
                           format_func=labels({k: v[0] for k, v in ua.TARGETS_2D.items()}))
    with c2:
        k = int(slider("Towers per side K", 1, 20, 16, 1, key="uat_t2_k"))
    with c3:
        steep = float(slider("Steepness w of the steps", 10, 500, 200, 10, key="uat_t2_w"))
    with c4:
        show = radio("Show", ["all", "plateaus", "tower"], key="uat_t2_view",
                     format_func=labels({"all": "all towers vs target", "plateaus": "without the bias (plateaus)",
                                         "tower": "one tower, step by step"}))
    res = shown(views.towers, target, k, steep)
    chart(shown(views.towers_chart, target, k, steep, show), "uat_fig_towers")
    formula_card(res.latex, "The towers as a formula")
    if res.warning:
        st.warning(res.warning, icon=":material/blur_on:")
    st.caption(res.caption)
    takeaway(res.takeaway)


# ------------------------------------------------------------------------------------------------- download

@section
def download_section(spec, problem, nets, target_label: str) -> None:
    """A JSON download of the constructed, least-squares or trained network (``nets`` by name)."""
    st.header("Download the weights")
    which = radio("Which network", ["constructed", "least squares", "trained"], key="uat_download_which",
                  horizontal=True)
    if which not in nets:
        st.info(f"There is no {which} network yet.", icon=":material/info:")
        return
    net, interval = nets[which], [problem.a, problem.b]
    st.download_button(f"Download the {which} network ({net.width} neurons) as JSON",
                       lambda: net.to_json(method=which, target=spec.formula or target_label, interval=interval),
                       mime="application/json", file_name=f"nnviz_{which.replace(' ', '_')}_N{net.width}.json",
                       key="uat_download", on_click="ignore", icon=":material/download:")  # written when pressed
    st.caption("Keys w, b, v, c and phi: ŷ(x) = Σ v[i]·φ(w[i]·x + b[i]) + c.")
