"""Sections of the skip-and-feedback page that would make the page script long, each a function the page calls in
one line (usually inside ``lazy_expander`` or a tab, so a first visit does not pay): skips as sound (a deep
waveshaper), the architectures the lecture names (U-Net, diffusion denoiser, LSTM and GRU cells), shattered
gradients, the loss landscapes, the joint depth-and-time chart and the summary table."""

from __future__ import annotations

import streamlit as st

from nnviz.activations import Phi
from nnviz.ui import wide
from nnviz.ui.common import checkbox, figure, labels, radio, section, slider, stored_run_caption, tabs, takeaway
from nnviz.ui.live import live_panel
from nnviz.ui.sound import clip


def chart(c, key: str) -> None:
    """Show a cached view's ``Chart`` (``nnviz.views.charts``: the frozen figure and the alt text built with it)."""
    figure(c.figure(), key=key, alt=c.alt)


# ---------------------------------------------------------------------------------------------------------------
# Skips as sound
# ---------------------------------------------------------------------------------------------------------------


@section
def skips_as_sound_section(key_prefix: str) -> None:
    """Depth, φ, branch scale, seed and sound; the energy-per-layer and waveform figures; three clips."""
    from nnviz.topics.skip_and_feedback import waveshaper as ws
    from nnviz.views import skip_and_feedback as V

    p = f"{key_prefix}ws_"
    st.subheader("Skips as sound: a deep waveshaper")
    st.markdown("Apply one neuron to every sample of a sound, $z = a_l\\,y + b_l$, then φ: a *waveshaper*, the "
                "effect behind guitar distortion. Stack L of them with random $a_l$ and $b_l$, once plain and once "
                "with the input added back:")
    st.latex(r"\text{plain: } y_l = \varphi(a_l\,y_{l-1} + b_l)\qquad\qquad"
             r"\text{residual: } y_l = y_{l-1} + \alpha\,\varphi(a_l\,y_{l-1} + b_l)")
    c1, c2, c3 = st.columns(3)
    with c1:
        depth = slider("Layers L in the waveshaper", *ws.DEPTH_RANGE, 30, 1, key=f"{p}L")
        phi_key = radio("Activation φ of the waveshaper", list(ws.PHIS), key=f"{p}phi",
                        format_func=labels(ws.PHIS), horizontal=True)
    with c2:
        branch = radio("Branch scale α of the waveshaper", list(ws.BRANCHES), key=f"{p}alpha",
                       format_func=labels(ws.BRANCHES), horizontal=True)
        seed = slider("Seed of the random layers", *ws.SEED_RANGE, 0, 1, key=f"{p}seed")
    with c3:
        source = radio("Sound through the waveshaper", list(ws.SOURCES), key=f"{p}src",
                       format_func=labels(ws.SOURCES))
    st.caption(f"|aₗ| ~ U({ws.GAIN_RANGE[0]:g}, {ws.GAIN_RANGE[1]:g}) with a random sign, bₗ ~ "
               f"N(0, {ws.BIAS_STD:g}²); the same seed draws the same layers, and a deeper stack adds layers to the "
               f"end. Computed at the audio rate, without oversampling: harmonics the layers make above 11 kHz fold "
               "back into the band.")
    try:
        heard = V.waveshaper(int(depth), Phi(phi_key), branch, int(seed), source)
    except ValueError as e:
        st.error(str(e))
        return
    r = heard.result
    c1, c2 = st.columns(2)
    with c1:
        chart(heard.energy, f"{p}fig_energy")
    with c2:
        chart(heard.wave, f"{p}fig_wave")
    takeaway(r.sentences[0])
    st.markdown(r.sentences[1])
    what = ws.SOURCES[source].lower()
    cols = st.columns(3)
    heads = (f"**Dry:** the {what}", f"**Plain stack**, L = {r.depth}", f"**Residual stack**, L = {r.depth}")
    names = (f"dry_{source}", f"plain_{phi_key}_L{r.depth}_seed{r.seed}",
             f"residual_{phi_key}_{branch}_L{r.depth}_seed{r.seed}")
    for col, head, wav, note, name, k in zip(cols, heads, heard.wavs, heard.notes, names, ("dry", "plain", "res"),
                                             strict=True):
        with col:
            st.markdown(head)
            clip(wav, caption=note, name=name, key=f"{p}dl_{k}")


# ---------------------------------------------------------------------------------------------------------------
# The architectures the lecture names
# ---------------------------------------------------------------------------------------------------------------

ARCH_TABS = ("U-Net", "Diffusion denoiser", "LSTM cell", "GRU cell")


def _gates(cell_gates, updates) -> None:
    """Each gate's equation with what it does (two columns), then the state updates: the equations
    nnviz.topics.skip_and_feedback.gates computes, written from the same description."""
    from nnviz.topics.skip_and_feedback import gates as gt

    for k in range(0, len(cell_gates), 2):  # a row per pair, so a phone stacks them in the order torch stores them
        for col, g in zip(st.columns(2), cell_gates[k:k + 2], strict=False):
            with col:
                st.latex(gt.gate_latex(g))
                st.caption(f"{g.symbol}: {g.name}")
    for u in updates:
        st.latex(u)


@section
def architectures_section(key_prefix: str) -> None:
    """Four tabs, each a labelled diagram with its equations; only the open tab runs."""
    from nnviz.figures import architectures as A
    from nnviz.topics.skip_and_feedback import gates as gt

    t_unet, t_diff, t_lstm, t_gru = tabs(ARCH_TABS, key=f"{key_prefix}arch_tab")
    if t_unet.open:
        with t_unet:
            st.graphviz_chart(A.unet_diagram(), width="stretch")
            st.markdown("Ronneberger, Fischer & Brox (2015): an encoder halves the image and doubles the channels "
                        "at each level, a decoder undoes it, and each encoder level's features are **copied across** "
                        "and concatenated with the decoder's. Fine detail skips the bottleneck, and the gradient has a "
                        "short path to every level, as through a residual block.")
    if t_diff.open:
        with t_diff:
            st.graphviz_chart(A.denoiser_diagram(), width="stretch")
            st.markdown("A diffusion model (Ho, Jain & Abbeel 2020) learns to undo noise. Training adds noise to "
                        "an image $x_0$ in one shot and asks a U-Net $\\varepsilon_\\theta$, told the step $t$, for "
                        "the noise that was added:")
            st.latex(gt.DIFFUSION_FORWARD)
            st.latex(gt.DIFFUSION_LOSS)
            st.markdown("Sampling starts from pure noise $x_T$ and applies the denoiser $T$ times, each step "
                        "removing the predicted noise:")
            st.latex(gt.DIFFUSION_STEP)
    if t_lstm.open:
        with t_lstm:
            st.graphviz_chart(A.lstm_diagram(), width="stretch")
            _gates(gt.LSTM_GATES, gt.LSTM_UPDATES)
            st.caption("σ is the logistic sigmoid, ⊙ the elementwise product. Along the cell-state highway "
                       "∂cₜ/∂cₜ₋₁ = diag(fₜ): the forget gate, not a power of W, sets how fast memory fades.")
    if t_gru.open:
        with t_gru:
            st.graphviz_chart(A.gru_diagram(), width="stretch")
            _gates(gt.GRU_GATES, gt.GRU_UPDATES)
            st.caption("The GRU (Cho et al. 2014) mixes the old state and a candidate: with zₜ near 1 the state "
                       "passes through almost unchanged, the additive path through time.")
    if t_lstm.open or t_gru.open:
        st.caption("These are the equations torch's nn.LSTM and nn.GRU compute, the cells trained on the adding "
                   "problem above (weights stacked in the order of the gates listed); a unit test runs them by "
                   "hand against torch with the same weights.")


# ---------------------------------------------------------------------------------------------------------------
# Moved from the page: shattered gradients, the joint chart, the summary
# ---------------------------------------------------------------------------------------------------------------


@section
def shattered_section(key_prefix: str) -> None:
    """dy/dx of three ReLU networks over 256 inputs, its autocorrelation and correlation across inputs."""
    from nnviz.topics.skip_and_feedback import residual as rs
    from nnviz.views import skip_and_feedback as V

    st.markdown(
        "Feed a ReLU network (200 units wide) 256 evenly spaced inputs $x \\in [-2, 2]$ and plot $dy/dx$. In a "
        "shallow network neighbouring inputs have similar gradients; in a deep plain network the gradient can "
        "look like white noise, so it says little about the loss nearby. Skips keep it coherent."
    )
    s1, s2 = st.columns(2)
    with s1:
        depth = int(slider("Depth of the deep networks", 2, 50, 24, 1, key=f"{key_prefix}sh_depth"))
    with s2:
        bn = checkbox("Batch normalisation before each ReLU", True, key=f"{key_prefix}sh_bn")
    sh = V.shattered(depth, bool(bn))
    r1 = sh.r1
    chart(sh.gradients, f"{key_prefix}fig_sh")
    a1, a2 = st.columns([2, 3])
    with a1:
        chart(sh.autocorrelation, f"{key_prefix}fig_ac")
    with a2:
        chart(sh.correlation, f"{key_prefix}fig_cov")
    st.latex(r"r(k) = \frac{\sum_i (g_i-\bar g)(g_{i+k}-\bar g)}{\sum_i (g_i-\bar g)^2},\qquad "
             r"g_i = \frac{dy}{dx}(x_i)")
    st.markdown("Neighbouring inputs, r(1): " + ", ".join(f"**{rs.SHATTER_LABELS[n]}** {r1[n]:.2f}"
                                                          for n in rs.SHATTER_NETS)
                + " (1 = identical gradients, 0 = unrelated, like white noise).")
    st.caption("Right: correlation, across the 200 last-layer units, between the gradient at input x_i and "
               "at x_j (every fourth input shown). A broad band is a smooth gradient; a thin diagonal is noise.")
    takeaway(sh.note)


@section
def landscape_section(key_prefix: str) -> None:
    """Depth and seed; the precomputed landscapes at the defaults, else a live run that trains both networks and
    maps L on the random slice."""
    from nnviz.figures import skip_and_feedback as fx
    from nnviz.topics.skip_and_feedback import residual as rs
    from nnviz.views import skip_and_feedback as V

    l1, l2 = st.columns(2)
    with l1:
        depth = int(slider("Depth", 4, 20, 12, 1, key=f"{key_prefix}ls_depth"))
    with l2:
        seed = int(slider("Seed (data, weights and directions)", 0, 9, 0, 1, key=f"{key_prefix}ls_seed"))
    settings = rs.LandscapeSettings(depth=depth, seed=seed)
    key = f"{key_prefix}fig_ls"

    def draw(run: rs.LandscapeRun, running: bool) -> None:
        if not run.done:
            pre = V.precomputed_landscape()
            if run.steps == 0 and pre is not None and pre[0] == run.settings:
                chart(V.precomputed_landscape_chart(), key)
                stored_run_caption("The precomputed landscapes at these settings; the × marks θ*.")
                st.markdown(rs.landscape_note(pre[1]))
            elif run.steps == 0:
                st.info("Press **Train** to train both networks and map their landscapes.",
                        icon=":material/play_circle:")
            return
        if run.complete:
            figure(fx.landscape_figure(run.result()), key=key)
            st.markdown(rs.landscape_note(run.result()))

    live_panel(f"{key_prefix}ls_live", lambda: rs.LandscapeRun(settings), draw, config=settings, shared=True,
               name="loss landscapes")


@section
def joint_section(key_prefix: str, phi: Phi, init: str, branch: str) -> None:
    """Signal survival through layers (the gradient-flow section's stacks) and through time (RNNs, LSTMs)."""
    from nnviz.views import skip_and_feedback as V

    st.markdown(
        "How much of a small change at the input survives after a given number of steps, through layers of a "
        "deep stack or time steps of a recurrent cell? Stacks use the activation, initialisation and branch "
        "scale chosen in the gradient-flow section; the RNNs are tanh with an orthogonal W."
    )
    j1, j2 = st.columns(2)
    with j1:
        fb = float(slider("LSTM forget-gate bias at initialisation", 0.0, 5.0, 1.0, 0.5, key=f"{key_prefix}jt_fb"))
    with j2:
        trained = checkbox("Add the LSTM and RNN trained on the adding problem (T = 50)", True,
                           key=f"{key_prefix}jt_trained")
    chart(V.joint_chart(phi, init, branch, fb, bool(trained)), f"{key_prefix}fig_joint")
    st.caption(
        "Solid: ‖∂h_L/∂h_0‖ of a deep stack against depth L (one input, no batch norm). Dashed: ‖∂h_T/∂h_t‖ "
        "of a recurrent cell against T − t at initialisation (for the LSTM the state is (h, c)). Dotted: the "
        "same for the cells trained on the adding problem, measured on one of its sequences. Curves that leave "
        "the plot have vanished below 10⁻¹² or exploded past 10¹²."
    )
    takeaway("A skip connection in depth and a gated cell in time do the same job: they put an additive, "
             "near-identity path next to the multiplicative one, so signals and gradients survive many steps.")


SUMMARY = {
    "plain (layer by layer)": ["h_l = F_l(h_(l−1))", "simplicity", "product of L Jacobians",
                               "vanishing / exploding, degradation", "small MLPs, LeNet, VGG"],
    "skip / residual": ["h_l = h_(l−1) + F_l(h_(l−1))", "a gradient highway: very deep nets train",
                        "identity + small terms", "explodes unless branches are scaled or normalised",
                        "ResNet, U-Net, Transformers, diffusion denoisers"],
    "feedback / recurrent": ["h_t = φ(W h_(t−1) + U x_t + b)", "memory: outputs depend on the past",
                             "product of T copies of diag(φ′)W",
                             "vanishing / exploding through time; fixed by gates (LSTM, GRU) and clipping",
                             "language and speech models before Transformers, time series, control"],
}
SUMMARY_ROWS = ("wiring", "buys", "gradient", "failure", "used in")


def _summary_markdown() -> str:
    """SUMMARY as a markdown table, a row per aspect and a column per wiring (underscores escaped: in h_l they are
    the formula's, not emphasis)."""
    head = "| | " + " | ".join(SUMMARY) + " |\n|---|" + "---|" * len(SUMMARY)
    rows = [f"| **{row}** | " + " | ".join(cells[i].replace("_", "\\_") for cells in SUMMARY.values())
            + " |" for i, row in enumerate(SUMMARY_ROWS)]
    return "\n".join([head, *rows])


SUMMARY_TABLE = _summary_markdown()


def summary_section() -> None:
    """The table of what each wiring buys and how it fails: markdown (pandas' import cost a first visit 2 s) in
    ``wide``'s focusable box, which scrolls sideways where a phone is narrower than the wrapped table."""
    wide.style()
    st.markdown(f'<div class="nnviz-scroll" tabindex="0" role="region" aria-label="What each connection buys">'
                f"\n\n{SUMMARY_TABLE}\n\n</div>", unsafe_allow_html=True)
    takeaway("Skips let information jump over layers; loops let it travel through time. Both fight the same "
             "enemy, a long product of Jacobians, with the same weapon: an additive path.")
