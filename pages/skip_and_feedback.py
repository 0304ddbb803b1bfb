"""Skip and feedback connections: residual highways for gradients, recurrent loops for memory."""

from __future__ import annotations

import streamlit as st

from nnviz import ui
from nnviz.activations import Phi
from nnviz.figures import skip_and_feedback as fx
from nnviz.format import tex_number
from nnviz.topics.skip_and_feedback import recurrent as rc
from nnviz.topics.skip_and_feedback import residual as rs
from nnviz.ui import echo, skips
from nnviz.views import skip_and_feedback as V

PHIS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "linear")
RNN_PHIS = ("tanh", "linear", "relu", "sigmoid")

ui.intro(
    "Skip and feedback connections",
    "A network need not be a chain of layers each feeding only the next. **Skip connections** add a layer's "
    "input to its output, giving the gradient a highway through a deep stack (ResNets, U-Nets, the denoisers of "
    "diffusion models). **Feedback connections** feed a layer's output back into itself at the next time step, "
    "giving the network a memory (RNNs, LSTMs, GRUs). Here you can see what each one buys.",
)


def _verdict_or_wait(run, verdict) -> None:
    """A finished run's verdict; while it runs, say the verdict waits; a cut run gets none (the panel says why)."""
    if run.complete:
        st.markdown(verdict())
    elif not run.cut:
        st.caption("The verdict comes when all steps are done.")


# ---------------------------------------------------------------------------------------------- wirings
@ui.section
def _three_wirings() -> None:
    """The chain, the residual block and the recurrent cell, rolled and unrolled over T steps."""
    st.header("Three wirings")
    w1, w2 = st.columns([3, 2])
    w1.graphviz_chart(fx.chain_diagram(), width="content")  # its natural size: a few symbols, readable anywhere
    w2.graphviz_chart(fx.residual_block_diagram(), width="stretch")
    T_diag = int(ui.slider("Unroll the recurrent cell over T time steps", 1, 20, 5, 1, key="sk_T"))
    w3, w4 = st.columns([1, 3])
    w3.graphviz_chart(fx.rnn_rolled_diagram())
    w4.graphviz_chart(fx.rnn_unrolled_diagram(T_diag), width="content")
    st.latex(r"h_t = \varphi\big(W h_{t-1} + U x_t + b\big)")
    st.markdown(
        "Unrolled, a recurrent network **is** a deep feed-forward network, one layer per time step, except that every "
        f"layer uses the same weights. Its gradient therefore crosses {T_diag} Jacobian{'s' if T_diag > 1 else ''} "
        r"$\partial h_t/\partial h_{t-1} = \mathrm{diag}(\varphi'(z_t))\,W$, the same problem a plain deep stack has."
    )


_three_wirings()

# ---------------------------------------------------------------------------------------------- skip: gradients
st.header("Skip connections I: gradient flow at initialisation")
st.markdown(
    "Backpropagation multiplies one Jacobian per layer. In a plain stack each factor can shrink the gradient; "
    "in a residual stack each factor is the identity plus a correction, which keeps the product near 1 as long "
    "as the corrections are small."
)
c1, c2, c3, c4 = st.columns(4)
with c1:
    gf_depth = int(ui.slider("Depth L (hidden layers)", 2, 120, 50, 1, key="sk_gf_depth"))
with c2:
    gf_phi = Phi(ui.activation_select("Activation φ (gradient flow)", key="sk_gf_phi", options=PHIS, default="sigmoid"))
with c3:
    gf_init = ui.selectbox("Initialisation (gradient flow)", rs.INITS,
                           key="sk_gf_init", format_func=ui.labels(rs.INIT_LABELS))
with c4:
    gf_branch = ui.selectbox("Residual branch scale", rs.BRANCH_SCALES, key="sk_gf_branch",
                             format_func=ui.labels(rs.BRANCH_LABELS))
gf_wrt = ui.radio("Gradient with respect to", ["weights", "hidden"], key="sk_gf_wrt", horizontal=True,
                  format_func=ui.labels({"weights": "the weights W_l (what each layer learns from)",
                                         "hidden": "the hidden state h_l (the back-propagated signal)"}))
gf = V.gradient_flow(gf_depth, gf_phi, gf_init, gf_branch)
if not gf.finite:
    st.warning("Some gradients overflowed to infinity at these settings: the forward pass itself exploded. "
               "Try a smaller depth, the 1/√L branch scale or another initialisation.")
skips.chart(V.gradient_flow_chart(gf_depth, gf_phi, gf_init, gf_branch, gf_wrt), "sk_fig_gf")
suffix = "" if gf_wrt == "weights" else "_h"
st.latex(
    r"\frac{\partial L}{\partial h_{l-1}} = \Big(\underbrace{I}_{\text{skip}} + \alpha\, W_l\,"
    r"\mathrm{diag}\,\varphi'(h_{l-1})\Big)^{\!\top} \frac{\partial L}{\partial h_l},\qquad "
    rf"\alpha = {tex_number(gf.alpha)}"
)
st.latex(
    rf"\frac{{\|\text{{layer 1}}\|}}{{\|\text{{layer }}{gf_depth}\|}}:\quad"
    rf"\text{{plain}}\ {tex_number(gf.ratio('plain' + suffix))},\qquad "
    rf"\text{{residual}}\ {tex_number(gf.ratio('residual' + suffix))}"
)
st.caption(
    f"A plain layer is h_l = W_l φ(h_(l−1)) + b_l; the residual layer adds h_(l−1) back. {gf_phi.label}'s "
    f"slope is at most γ = {gf.gamma:.3g}: for the plain stack the signal is multiplied by about "
    "γ‖W‖ per layer. Width 64, 128 random inputs, half the mean squared error against random targets."
)
ui.takeaway(rs.gradient_flow_takeaway(gf))

with ui.lazy_expander("Hear skips: a sound through a deep plain or residual stack", "sk_ws_open") as WS:
    if WS.open:
        skips.skips_as_sound_section("sk_")

# ---------------------------------------------------------------------------------------------- degradation
def _draw_degradation(run: rs.DegradationRun, running: bool) -> None:
    if run.steps == 0:
        pre = V.precomputed_degradation()
        if pre is None or pre[0] != run.settings:
            st.info("Press **Train** to train these six networks side by side.", icon=":material/play_circle:")
            return
        skips.chart(V.precomputed_degradation_chart(), "sk_fig_dg")
        ui.stored_run_caption("The precomputed run at these settings.")
        st.markdown(rs.degradation_verdict(pre[1], pre[0]))
        return
    ui.figure(fx.degradation_figure(run.curves(), run.settings.depths), key="sk_fig_dg")
    _verdict_or_wait(run, lambda: rs.degradation_verdict(run.curves(), run.settings))


@ui.section
def _degradation() -> None:
    """Plain against residual stacks of three depths, trained live on one 2-D function."""
    st.header("Skip connections II: the degradation problem in miniature")
    st.markdown(
        "He et al. (2016, Fig. 1) found that a 56-layer plain network trains *worse* than a 20-layer one, even on "
        "its training set: not overfitting, but optimisation failing. Here: MLPs of 3, L/2 and L layers (width 32) "
        "fit the same 2-D function $y = \\sin 3x_1 \\cos 2x_2 + x_1 x_2$, with and without skips (α = 1/√L), by "
        "300 steps of Adam."
    )
    d1, d2, d3, d4 = st.columns(4)
    with d1:
        dg_phi = Phi(ui.activation_select("Activation (degradation)", key="sk_dg_phi",
                                          options=("tanh", "relu", "sigmoid"), default="tanh"))
    with d2:
        dg_init = ui.selectbox("Initialisation (degradation)", rs.INITS,
                               key="sk_dg_init", format_func=ui.labels(rs.INIT_LABELS))
    with d3:
        dg_deep = int(ui.slider("Deepest network L", 10, 60, 50, 5, key="sk_dg_deep"))
    with d4:
        dg_seed = int(ui.slider("Seed", 0, 9, 0, 1, key="sk_dg_seed"))
    dg = rs.DegradationSettings(phi=dg_phi, init=dg_init, deep=dg_deep, seed=dg_seed)
    ui.live_panel("sk_dg_live", lambda: rs.DegradationRun(dg), _draw_degradation, config=dg, shared=True,
                  name="plain and residual stacks")
    ui.takeaway("Without skips, adding layers can make even the training loss worse. With skips, a deeper network "
                "can always fall back on the identity, so depth stops hurting.")


_degradation()

# ---------------------------------------------------------------------------------------------- shattered
st.header("Skip connections III: shattered gradients")
with ui.lazy_expander("Open to compute: dy/dx of three ReLU networks (Balduzzi et al. 2017)", "sk_sh_open") as sh_box:
    if sh_box.open:
        skips.shattered_section("sk_")

# ---------------------------------------------------------------------------------------------- landscape
st.header("Skip connections IV: the loss landscape")
st.markdown(
    "Li et al. (2018) plot the loss on a random 2-D slice through the trained weights θ*: "
    r"$L(\theta^* + \alpha d_1 + \beta d_2)$, with each random direction **filter-normalised** (every unit's "
    "incoming weights in $d$ rescaled to the norm of the same unit's weights in θ*), so that slices of "
    "different networks are comparable. Here: ReLU MLPs of width 24 trained on two interleaved spirals."
)
with ui.lazy_expander("Open: the loss landscapes of a plain and a residual network", "sk_ls_open") as LS:
    if LS.open:
        skips.landscape_section("sk_")
ui.takeaway("Li et al. found that without skips a deep network's loss surface turns chaotic, with steep walls "
            "near the minimum, and that skips keep it smooth and bowl-shaped: easier to descend.")

# ---------------------------------------------------------------------------------------------- feedback: states
@ui.section
def _rnn_states() -> None:
    """An RNN's hidden states over a sequence, at a spectral radius; and an echo heard as one."""
    st.header("Feedback connections I: an RNN reading a sequence")
    st.latex(r"h_t = \varphi\big(W h_{t-1} + U x_t + b\big),\qquad h_0 = 0")
    r1c, r2c, r3c = st.columns(3)
    with r1c:
        rnn_radius = float(ui.slider("Spectral radius ρ of W", 0.5, 1.5, 0.9, 0.05, key="sk_rnn_radius"))
    with r2c:
        rnn_phi = Phi(ui.activation_select("Activation φ of the RNN", key="sk_rnn_phi", options=RNN_PHIS,
                                           default="tanh"))
    with r3c:
        rnn_input = ui.radio("Input sequence", rc.INPUT_KINDS, key="sk_rnn_input", horizontal=True,
                             format_func=ui.labels(rc.INPUT_LABELS))
    traj = V.trajectories(rnn_radius, rnn_phi, rnn_input)
    skips.chart(traj.chart, "sk_fig_traj")
    st.caption("16 hidden units, W = ρ·(random orthogonal matrix). " + traj.caption)

    with ui.lazy_expander("Hear feedback: an echo is a recurrent neuron", "sk_echo_open") as ECHO:
        if ECHO.open:
            echo.feedback_as_sound_section("sk_")


_rnn_states()

# ---------------------------------------------------------------------------------------------- feedback: BPTT
@ui.section
def _time_gradients() -> None:
    """Gradients through time: the product of Jacobians, its bound, and clipping."""
    st.header("Feedback connections II: vanishing and exploding gradients through time")
    v1, v2, v3, v4 = st.columns(4)
    with v1:
        vg_radius = float(ui.slider("Spectral radius ρ of W (gradients)", 0.5, 1.5, 1.0, 0.05, key="sk_vg_radius"))
    with v2:
        vg_phi = Phi(ui.activation_select("Activation φ (gradients)", key="sk_vg_phi",
                                          options=RNN_PHIS, default="tanh"))
    with v3:
        vg_kind = ui.selectbox("Recurrent matrix W", rc.MATRIX_KINDS, key="sk_vg_kind",
                               format_func=ui.labels(rc.MATRIX_LABELS),
                               help="Orthogonal × ρ: every singular value is ρ, so ‖W^k‖ = ρ^k exactly. Gaussian: "
                                    "i.i.d. normal entries rescaled so the largest |eigenvalue| is ρ; ‖W‖₂ is larger.")
    with v4:
        vg_T = int(ui.slider("Sequence length T (gradients)", 10, 200, 60, 10, key="sk_vg_T"))
    k1, k2 = st.columns(2)
    with k1:
        vg_clip_on = ui.checkbox("Clip the gradient norm (Pascanu et al. 2013)", False, key="sk_vg_clip")
    with k2:
        vg_c = float(ui.slider("Clipping threshold c", 0.1, 10.0, 1.0, 0.1, key="sk_vg_c", disabled=not vg_clip_on))
    vg_args = (vg_T, vg_radius, vg_phi, vg_kind, vg_c if vg_clip_on else None)
    tg = V.time_gradients(*vg_args)
    if not tg.finite:
        st.warning("The gradient overflowed to infinity: it explodes so fast that not even float64 can hold it. "
                   "Lower ρ or T.")
    skips.chart(V.time_gradient_chart(*vg_args), "sk_fig_vg")
    st.latex(
        r"\frac{\partial h_T}{\partial h_t} = \prod_{s=t+1}^{T} \mathrm{diag}\,\varphi'(z_s)\, W,\qquad"
        r"\Big\|\frac{\partial h_T}{\partial h_t}\Big\| \le (\gamma\,\|W\|_2)^{T-t} = "
        rf"({tex_number(tg.gamma)}\times{tex_number(tg.w_norm)})^{{T-t}}"
    )
    st.markdown(rc.bound_note(tg))
    if vg_clip_on:
        st.markdown(rc.clipping_note(tg))
    ui.takeaway(rc.time_gradient_takeaway(tg))


_time_gradients()

# ---------------------------------------------------------------------------------------------- adding problem
def _draw_adding(run: rc.AddingRun, running: bool) -> None:
    if run.steps == 0:
        curves = V.precomputed_adding()[0].get(run.settings)
        if curves is None:
            st.info("Press **Train** to train the three cells side by side.", icon=":material/play_circle:")
            return
        skips.chart(V.precomputed_adding_chart(run.settings), "sk_fig_add")
        ui.stored_run_caption("The precomputed run at these settings.")
        st.markdown(rc.adding_verdict({c: curves.final(c) for c in rc.CELLS}, run.settings.T))
        return
    curves = run.curves()
    ui.figure(fx.adding_figure(curves, rc.CELL_LABELS, rc.GUESS_ONE_MSE), key="sk_fig_add")
    _verdict_or_wait(run, lambda: rc.adding_verdict({c: curves.final(c) for c in rc.CELLS}, run.settings.T))


@ui.section
def _adding_problem() -> None:
    """RNN, LSTM and GRU trained live on the adding problem."""
    st.header("Feedback connections III: memory on the adding problem")
    st.markdown(
        "Each sequence holds random numbers $u_t \\sim U(0, 1)$ and a marker channel with two ones, one in each half; "
        "the target is the sum of the two marked numbers, which the network must carry to the end. This is the "
        "variant of Arjovsky, Shah & Bengio (2016). Always answering 1 (the best constant guess) scores "
        "Var(u + v) = 2/12 ≈ 0.167; beating it means remembering."
    )
    st.latex(r"x_t = (u_t, m_t),\quad y = \sum_t m_t u_t,\qquad \mathbb{E}\big[(y-1)^2\big] = \tfrac{2}{12} "
             rf"\approx {tex_number(rc.GUESS_ONE_MSE)}")
    st.caption("Hochreiter & Schmidhuber's original (1997, Experiment 4) differs: values from U(−1, 1), both markers "
               "in the first half (one among the first ten), lengths between T and 1.1 T, and the target "
               f"0.5 + (X₁ + X₂)/4, for which the best constant guess scores 1/24 ≈ {rc.ORIGINAL_BASELINE:.3f}.")
    m1, m2, m3, m4 = st.columns(4)
    with m1:
        add_T = int(ui.slider("Sequence length T (adding problem)", 10, 100, 50, 10, key="sk_add_T"))
    with m2:
        add_hidden = int(ui.slider("Hidden units", 8, 64, 32, 8, key="sk_add_hidden"))
    with m3:
        add_lr = float(ui.selectbox("Learning rate (Adam)", [3e-3, 1e-2, 3e-2], key="sk_add_lr", index=1,
                                    format_func=lambda v: f"{v:g}"))
    with m4:
        add_seed = int(ui.slider("Seed (adding problem)", 0, 9, 0, 1, key="sk_add_seed"))
    add = rc.AddingSettings(T=add_T, hidden=add_hidden, lr=add_lr, seed=add_seed)
    ui.live_panel("sk_add_live", lambda: rc.AddingRun(add), _draw_adding, config=add, shared=True,
                  name="adding problem")
    ui.takeaway("Gated cells keep an additive path through time (the LSTM's cell state, the GRU's interpolation), so "
                "a number can be carried across many steps; a vanilla RNN must pass it through T multiplications.")


_adding_problem()

# ---------------------------------------------------------------------------------------------- joint chart
st.header("One picture: depth and time are the same problem")
with ui.lazy_expander("Open to compute: signal survival through layers and through time", "sk_jt_open") as jt_box:
    if jt_box.open:
        skips.joint_section("sk_", gf_phi, gf_init, gf_branch)

# ---------------------------------------------------------------------------------------------- architectures
st.header("The architectures the lecture names, drawn")
st.markdown("The skips and gates above are the parts real architectures are built from: the U-Net's long skips, the "
            "diffusion denoiser built on it, and the LSTM and GRU cells trained on the adding problem.")
with ui.lazy_expander("Open the diagrams: U-Net, diffusion denoiser, LSTM and GRU cells", "sk_arch_open") as ARCH:
    if ARCH.open:
        skips.architectures_section("sk_")

# ---------------------------------------------------------------------------------------------- summary
st.header("What each connection buys")
skips.summary_section()
