"""Skip and feedback connections: residual highways for gradients, recurrent loops for memory."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import streamlit as st

from nnviz import activations, ui
from nnviz import connections as cx
from nnviz import recurrent as rc
from nnviz.figures import connections as fx
from nnviz.figures import style

PHIS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "linear")
INIT_LABELS = {"xavier": "Xavier (Glorot)", "he": "He (Kaiming)", "default": "torch default"}
RNN_PHIS = ("tanh", "linear", "relu", "sigmoid")

# Settings the precomputed runs were made with (benchmarks/precompute_connections.py).
DG_DEFAULT = {"phi": "tanh", "init": "xavier", "deep": 50, "seed": 0}
LS_DEFAULT = {"depth": 12, "seed": 0}
ADD_DEFAULT = {"hidden": 32, "lr": 1e-2, "seed": 0}
LIVE = {"budget_s": 0.4, "interval_s": 0.5}
MAX_COMPUTE_S = 25.0  # every run with the user's settings stops after 25 s of wall time (pauses excluded)


def _tex_sci(v: float) -> str:
    """A number for st.latex: 0.141, or 9.52 \\times 10^{-32} when very small or large."""
    if not np.isfinite(v):
        return r"\infty"
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    m, e = f"{v:.2e}".split("e")
    return rf"{m}\times 10^{{{int(e)}}}"


def _fmt(labels: dict[str, str]):
    """A format_func showing each option's label; a label passed back in maps to itself (AppTest sets by label)."""
    return lambda k: labels.get(k, k)


# ---------------------------------------------------------------------------------------------- cached compute
# Every cached function is pure in its arguments. They are defined once per server process by _build_cache()
# and not at the top of this script, because st.cache_* reads and hashes a function's source each time it is
# decorated, and a page script runs again on every interaction (17 decorations cost ~15 ms a rerun).
def _build_cache() -> SimpleNamespace:
    @st.cache_data(max_entries=32, show_spinner=False)
    def _gradient_flow(depth: int, phi: str, init: str, branch: str) -> cx.GradientFlow:
        return cx.gradient_flow(depth, phi=phi, init=init, branch_scale=branch)

    @st.cache_data(max_entries=32, show_spinner=False)
    def _depth_jacobian(depth: int, phi: str, init: str, branch: str) -> cx.DepthJacobian:
        return cx.depth_jacobian(depth, phi=phi, init=init, branch_scale=branch)

    @st.cache_data(max_entries=32, show_spinner=False)
    def _shattered_net(name: str, depth: int, batch_norm: bool) -> cx.ShatteredNet:
        return cx.shattered_network(name, depth=depth, batch_norm=batch_norm)


    def _shattered(depth: int, batch_norm: bool) -> cx.Shattered:
        nets = {n: _shattered_net(n, 1 if n == "one_layer" else depth, batch_norm) for n in cx.SHATTER_NETS}
        return cx.Shattered(nets["one_layer"].x, {k: v.grad for k, v in nets.items()},
                            {k: v.autocorr for k, v in nets.items()}, {k: v.corr for k, v in nets.items()}, depth)

    @st.cache_data(max_entries=32, show_spinner=False)
    def _trajectories(radius: float, phi: str, inputs: str) -> rc.Trajectories:
        return rc.hidden_trajectories(T=60, radius=radius, phi=phi, inputs=inputs)

    @st.cache_data(max_entries=64, show_spinner=False)
    def _time_gradients(T: int, radius: float, phi: str, kind: str, clip: float | None) -> rc.TimeGradients:
        return rc.time_gradients(T=T, radius=radius, phi=phi, kind=kind, clip=clip)

    @st.cache_data(max_entries=16, show_spinner=False)
    def _lstm_jacobian(T: int, forget_bias: float) -> np.ndarray:
        return rc.lstm_state_jacobian(T=T, forget_bias=forget_bias)

    @st.cache_data(max_entries=4, show_spinner=False)
    def _precomputed(name: str) -> dict | None:
        return cx.load_precomputed(name)

    # Figures are pure functions of the widget values. They are cached whole (plotly's figure construction
    # dominates a rerun); st.plotly_chart only reads a figure, so one shared, never-mutated copy is safe.
    @st.cache_resource(max_entries=32, show_spinner=False)
    def _rnn_diagram(T: int):
        return fx.rnn_unrolled_diagram(T)

    @st.cache_resource(max_entries=1, show_spinner=False)
    def _static_diagrams():
        return fx.chain_diagram(), fx.residual_block_diagram(), fx.rnn_rolled_diagram()

    @st.cache_resource(max_entries=64, show_spinner=False)
    def _gf_figure(depth: int, phi: str, init: str, branch: str, wrt: str):
        gf = _gradient_flow(depth, phi, init, branch)
        if wrt == "weights":
            return fx.gradient_flow_figure(gf.layer, gf.plain, gf.residual, "‖∂L/∂W_l‖ (log scale)")
        return fx.gradient_flow_figure(gf.layer, gf.plain_h, gf.residual_h, "‖∂L/∂h_l‖ (log scale)")

    @st.cache_resource(max_entries=16, show_spinner=False)
    def _shattered_figures(depth: int, batch_norm: bool):
        sh = _shattered(depth, batch_norm)
        return (fx.shattered_figure(sh.x, sh.grads, cx.SHATTER_LABELS),
                fx.autocorrelation_figure(sh.autocorr, cx.SHATTER_LABELS),
                fx.gradient_covariance_figure(sh.x, sh.corr, cx.SHATTER_LABELS, stride=4),
                {n: float(sh.autocorr[n][1]) for n in cx.SHATTER_NETS})

    @st.cache_resource(max_entries=32, show_spinner=False)
    def _trajectories_figure(radius: float, phi: str, inputs: str):
        tr = _trajectories(radius, phi, inputs)
        return fx.trajectories_figure(tr.t, tr.x, tr.h, tr.norm)

    @st.cache_resource(max_entries=64, show_spinner=False)
    def _time_gradient_figure(T: int, radius: float, phi: str, kind: str, clip: float | None):
        tg = _time_gradients(T, radius, phi, kind, clip)
        scale = tg.clip_scale if clip is not None else None
        return fx.time_gradient_figure(tg.lag, tg.jac, tg.bound, tg.contrib, scale)

    @st.cache_resource(max_entries=4, show_spinner=False)
    def _precomputed_degradation_figure():
        pre = _precomputed("degradation")
        curves = {(k.split("|")[0], int(k.split("|")[1])): v for k, v in pre["curves"].items()}
        return fx.degradation_figure(pre["steps"], curves, tuple(pre["depths"])), curves, tuple(pre["depths"])

    @st.cache_resource(max_entries=4, show_spinner=False)
    def _precomputed_landscape_figure():
        pre = _precomputed("landscape")
        surfaces = {k: (np.array(v["a"]), np.array(v["b"]), np.array(v["loss"]).reshape(v["k"], v["k"]))
                    for k, v in pre["surfaces"].items()}
        return fx.landscape_figure(surfaces), surfaces

    @st.cache_resource(max_entries=16, show_spinner=False)
    def _precomputed_adding_figure(T: int):
        run = _precomputed("adding")["runs"][str(T)]
        return fx.adding_figure(run["steps"], run["curves"], rc.CELL_LABELS, rc.GUESS_ONE_MSE), run["curves"]

    @st.cache_resource(max_entries=64, show_spinner=False)
    def _joint_figure(phi: str, init: str, branch: str, forget_bias: float, trained: bool):
        dj = _depth_jacobian(100, phi, init, branch)
        series = [
            (f"plain stack ({activations.label(phi)})", dj.plain, fx.PLAIN, "solid"),
            (f"residual stack ({activations.label(phi)})", dj.residual, fx.RESIDUAL, "solid"),
        ]
        for rho, colour in ((0.9, style.ORANGE), (1.0, style.PURPLE), (1.1, style.SKY)):
            series.append((f"RNN at init, ρ = {rho}", _time_gradients(100, rho, "tanh", "orthogonal", None).jac,
                           colour, "dash"))
        series.append((f"LSTM at init, forget bias {forget_bias:g}", _lstm_jacobian(100, forget_bias), style.GREEN,
                       "dash"))
        pre = _precomputed("adding")
        if trained and pre and pre.get("trained_jacobian"):
            for c, colour in (("rnn", style.VERMILLION), ("lstm", style.GREEN)):
                series.append((f"{rc.CELL_LABELS[c]}, trained", np.array(pre["trained_jacobian"][c]), colour, "dot"))
        return fx.joint_jacobian_figure(series)

    return SimpleNamespace(
        gradient_flow=_gradient_flow, depth_jacobian=_depth_jacobian, shattered_net=_shattered_net,
        shattered=_shattered, trajectories=_trajectories, time_gradients=_time_gradients,
        lstm_jacobian=_lstm_jacobian, precomputed=_precomputed, rnn_diagram=_rnn_diagram,
        static_diagrams=_static_diagrams, gf_figure=_gf_figure, shattered_figures=_shattered_figures,
        trajectories_figure=_trajectories_figure, time_gradient_figure=_time_gradient_figure,
        precomputed_degradation_figure=_precomputed_degradation_figure,
        precomputed_landscape_figure=_precomputed_landscape_figure,
        precomputed_adding_figure=_precomputed_adding_figure, joint_figure=_joint_figure
    )


@st.cache_resource(max_entries=1, show_spinner=False)
def _cache(version: int) -> SimpleNamespace:
    """The cached functions, built once (bump ``version`` after editing them while a server runs)."""
    return _build_cache()


C = _cache(2)


# ---------------------------------------------------------------------------------------------- page
ui.intro(
    "Skip and feedback connections",
    "A network need not be a chain of layers each feeding only the next. **Skip connections** add a layer's "
    "input to its output, giving the gradient a highway through a deep stack (ResNets, U-Nets, the denoisers of "
    "diffusion models). **Feedback connections** feed a layer's output back into itself at the next time step, "
    "giving the network a memory (RNNs, LSTMs, GRUs). Here you can see what each one buys.",
)

st.header("Three wirings")
fig_chain, fig_block, fig_rolled = C.static_diagrams()
w1, w2 = st.columns([3, 2])
with w1:
    ui.figure(fig_chain, key="sk_fig_chain")
with w2:
    ui.figure(fig_block, key="sk_fig_block")
T_diag = ui.slider("Unroll the recurrent cell over T time steps", 1, 20, 5, 1, key="sk_T")
w3, w4 = st.columns([1, 3])
with w3:
    ui.figure(fig_rolled, key="sk_fig_rolled")
with w4:
    ui.figure(C.rnn_diagram(int(T_diag)), key="sk_fig_rnn")
st.latex(r"h_t = \varphi\big(W h_{t-1} + U x_t + b\big)")
st.markdown(
    "Unrolled, a recurrent network **is** a deep feed-forward network, one layer per time step, except that every "
    f"layer uses the same weights. Its gradient therefore crosses {int(T_diag)} Jacobians "
    r"$\partial h_t/\partial h_{t-1} = \mathrm{diag}(\varphi'(z_t))\,W$, the same problem a plain deep stack has."
)

# ---------------------------------------------------------------------------------------------- skip: gradients
st.header("Skip connections I: gradient flow at initialisation")
st.markdown(
    "Backpropagation multiplies one Jacobian per layer. In a plain stack each factor can shrink the gradient; "
    "in a residual stack each factor is the identity plus a small correction, so the product stays near 1."
)
c1, c2, c3, c4 = st.columns(4)
with c1:
    gf_depth = ui.slider("Depth L (hidden layers)", 2, 120, 50, 1, key="sk_gf_depth")
with c2:
    gf_phi = ui.activation_select("Activation φ", key="sk_gf_phi", options=PHIS, default="sigmoid")
with c3:
    gf_init = ui.selectbox("Initialisation", list(INIT_LABELS), key="sk_gf_init", format_func=_fmt(INIT_LABELS))
with c4:
    gf_branch = ui.selectbox("Residual branch scale", list(cx.BRANCH_SCALES), key="sk_gf_branch",
                             format_func=_fmt(cx.BRANCH_LABELS))
gf_wrt = ui.radio("Gradient with respect to", ["weights", "hidden"], key="sk_gf_wrt", horizontal=True,
                  format_func=_fmt({"weights": "the weights W_l (what each layer learns from)",
                                    "hidden": "the hidden state h_l (the back-propagated signal)"}))
gf = C.gradient_flow(int(gf_depth), gf_phi, gf_init, gf_branch)
y_plain, y_res = (gf.plain, gf.residual) if gf_wrt == "weights" else (gf.plain_h, gf.residual_h)
if not (np.all(np.isfinite(y_plain)) and np.all(np.isfinite(y_res))):
    st.warning("Some gradients overflowed to infinity at these settings: the forward pass itself exploded. "
               "Try a smaller depth, the 1/√L branch scale or another initialisation.")
ui.figure(C.gf_figure(int(gf_depth), gf_phi, gf_init, gf_branch, gf_wrt), key="sk_fig_gf")
r_plain = y_plain[0] / y_plain[-1] if y_plain[-1] > 0 else float("inf")
r_res = y_res[0] / y_res[-1] if y_res[-1] > 0 else float("inf")
st.latex(
    r"\frac{\partial L}{\partial h_{l-1}} = \Big(\underbrace{I}_{\text{skip}} + \alpha\, W_l\,"
    r"\mathrm{diag}\,\varphi'(h_{l-1})\Big)^{\!\top} \frac{\partial L}{\partial h_l},\qquad "
    rf"\alpha = {gf.alpha:.3g}"
)
st.latex(
    rf"\frac{{\|\text{{layer 1}}\|}}{{\|\text{{layer }}{int(gf_depth)}\|}}:\quad"
    rf"\text{{plain}}\ {_tex_sci(r_plain)},\qquad \text{{residual}}\ {_tex_sci(r_res)}"
)
st.caption(
    f"A plain layer is h_l = W_l φ(h_(l−1)) + b_l; the residual layer adds h_(l−1) back. {activations.label(gf_phi)}'s "
    f"slope is at most γ = {rc.phi_gamma(gf_phi):.3g}: for the plain stack the signal is multiplied by about "
    "γ‖W‖ per layer. Width 64, 128 random inputs, half the mean squared error against random targets."
)
ui.takeaway("The identity path gives the gradient a route that no layer can shrink: a residual network's first "
            "layer learns about as fast as its last.")

# ---------------------------------------------------------------------------------------------- degradation
st.header("Skip connections II: the degradation problem in miniature")
st.markdown(
    "He et al. (2016, Fig. 1) found that a 56-layer plain network trains *worse* than a 20-layer one, even on "
    "its training set: not overfitting, but optimisation failing. Here: MLPs of 3, L/2 and L layers (width 32) "
    "fit the same 2-D function $y = \\sin 3x_1 \\cos 2x_2 + x_1 x_2$, with and without skips, by Adam."
)
d1, d2, d3, d4 = st.columns(4)
with d1:
    dg_phi = ui.activation_select("Activation", key="sk_dg_phi", options=("tanh", "relu", "sigmoid"),
                                  default="tanh")
with d2:
    dg_init = ui.selectbox("Initialisation ", list(INIT_LABELS), key="sk_dg_init", format_func=_fmt(INIT_LABELS))
with d3:
    dg_deep = ui.slider("Deepest network L", 10, 60, 50, 5, key="sk_dg_deep")
with d4:
    dg_seed = ui.slider("Seed", 0, 9, 0, 1, key="sk_dg_seed")
dg_cfg = {"phi": dg_phi, "init": dg_init, "deep": int(dg_deep), "seed": int(dg_seed)}
dg_depths = (3, max(4, int(dg_deep) // 2), int(dg_deep))


def _draw_degradation(trainer: cx.DegradationTrainer) -> None:
    if trainer.step == 0 and dg_cfg == DG_DEFAULT and C.precomputed("degradation"):
        fig, curves, depths = C.precomputed_degradation_figure()
        st.caption("Showing the precomputed run at these settings; press Train to run it yourself.")
    elif trainer.step == 0:
        st.info("Press **Train** to train these six networks side by side (at most "
                f"{MAX_COMPUTE_S:.0f} s).", icon=":material/play_circle:")
        return
    else:
        curves, depths = trainer.run.curves, trainer.run.depths
        fig = fx.degradation_figure(trainer.run.steps, curves, depths)
    ui.figure(fig, key="sk_fig_dg")
    finals = {k: v[-1] for k, v in curves.items() if v}
    if finals:
        cells = " · ".join(f"{d} layers: plain {finals.get(('plain', d), float('nan')):.1e}, residual "
                           f"{finals.get(('residual', d), float('nan')):.1e}" for d in depths)
        st.caption("Final training loss: " + cells)


ui.live_panel("sk_dg_live", lambda: cx.DegradationTrainer(depths=dg_depths, phi=dg_phi, init=dg_init,
                                                          seed=int(dg_seed), max_seconds=MAX_COMPUTE_S),
              _draw_degradation, config=tuple(sorted(dg_cfg.items())), **LIVE)
ui.takeaway("Without skips, adding layers can make even the training loss worse. With skips, a deeper network "
            "can always fall back on the identity, so depth stops hurting.")

# ---------------------------------------------------------------------------------------------- shattered
st.header("Skip connections III: shattered gradients")
st.markdown(
    "Balduzzi et al. (2017): feed a ReLU network (200 units wide) 256 evenly spaced inputs $x \\in [-2, 2]$ and "
    "plot $dy/dx$. In a shallow network neighbouring inputs have similar gradients; in a deep plain network "
    "the gradient looks like white noise, so it says little about the loss nearby. Skips keep it coherent."
)
s1, s2 = st.columns(2)
with s1:
    sh_depth = ui.slider("Depth of the deep networks", 2, 50, 24, 1, key="sk_sh_depth")
with s2:
    sh_bn = ui.checkbox("Batch normalisation before each ReLU", True, key="sk_sh_bn")
fig_sh, fig_ac, fig_cov, r1 = C.shattered_figures(int(sh_depth), bool(sh_bn))
ui.figure(fig_sh, key="sk_fig_sh")
if not sh_bn:
    st.info(f"Without batch normalisation the deep plain network's gradient is much smoother here (r(1) = "
            f"{r1['deep_plain']:.2f} below). Shattering, as Balduzzi et al. measured it, shows in deep "
            "batch-normalised plain networks; the skips prevent it either way.", icon=":material/info:")
a1, a2 = st.columns([2, 3])
with a1:
    ui.figure(fig_ac, key="sk_fig_ac")
with a2:
    ui.figure(fig_cov, key="sk_fig_cov")
st.latex(r"r(k) = \frac{\sum_i (g_i-\bar g)(g_{i+k}-\bar g)}{\sum_i (g_i-\bar g)^2},\qquad "
         r"g_i = \frac{dy}{dx}(x_i)")
st.markdown("Neighbouring inputs, r(1): " + ", ".join(f"**{cx.SHATTER_LABELS[n]}** {r1[n]:.2f}"
                                                      for n in cx.SHATTER_NETS)
            + " (1 = identical gradients, 0 = unrelated, like white noise).")
st.caption("Right: correlation, across the 200 last-layer units, between the gradient at input x_i and at x_j "
           "(every fourth input shown). A broad band is a smooth gradient; a thin diagonal is white noise.")
ui.takeaway("Deep plain networks shatter the gradient into noise; residual networks keep gradients at nearby "
            "inputs correlated, which is what gradient descent needs.")

# ---------------------------------------------------------------------------------------------- landscape
st.header("Skip connections IV: the loss landscape")
st.markdown(
    "Li et al. (2018) plot the loss on a random 2-D slice through the trained weights θ*: "
    r"$L(\theta^* + \alpha d_1 + \beta d_2)$, with each random direction **filter-normalised** (every unit's "
    "incoming weights in $d$ rescaled to the norm of the same unit's weights in θ*), so that slices of "
    "different networks are comparable. Here: MLPs of width 24 trained on two interleaved spirals."
)
l1, l2 = st.columns(2)
with l1:
    ls_depth = ui.slider("Depth", 4, 20, 12, 1, key="sk_ls_depth")
with l2:
    ls_seed = ui.slider("Seed (data, weights and directions)", 0, 9, 0, 1, key="sk_ls_seed")
ls_cfg = {"depth": int(ls_depth), "seed": int(ls_seed)}


def _draw_landscape(trainer: cx.LandscapeTrainer) -> None:
    if not trainer.done and ls_cfg == LS_DEFAULT and C.precomputed("landscape"):
        fig, surfaces = C.precomputed_landscape_figure()
        st.caption("Showing the precomputed landscape at these settings; press Train to recompute it.")
    elif not trainer.done:
        st.info("Press **Train** to train both networks and map their landscapes (at most "
                f"{MAX_COMPUTE_S:.0f} s).", icon=":material/play_circle:")
        return
    else:
        surfaces = {k: (v.a, v.b, v.loss) for k, v in trainer.result.items()}
        fig = fx.landscape_figure(surfaces)
    ui.figure(fig, key="sk_fig_ls")
    spread = {k: float(np.log10(np.max(s[2]) / max(np.min(s[2]), 1e-12))) for k, s in surfaces.items()}
    st.caption("Loss range over the slice: " + ", ".join(f"{k} {v:.1f} decades" for k, v in spread.items())
               + ". The × marks θ*.")


ui.live_panel("sk_ls_live", lambda: cx.LandscapeTrainer(depth=int(ls_depth), seed=int(ls_seed),
                                                        max_seconds=MAX_COMPUTE_S),
              _draw_landscape, config=tuple(sorted(ls_cfg.items())), **LIVE)
ui.takeaway("Without skips a deep network's loss surface is rugged, with steep walls near the minimum; with "
            "skips it is smoother and more bowl-shaped, which is easier to descend.")

# ---------------------------------------------------------------------------------------------- feedback: states
st.header("Feedback connections I: an RNN reading a sequence")
st.latex(r"h_t = \varphi\big(W h_{t-1} + U x_t + b\big),\qquad h_0 = 0")
r1, r2, r3 = st.columns(3)
with r1:
    rnn_radius = ui.slider("Spectral radius ρ of W", 0.5, 1.5, 0.9, 0.05, key="sk_rnn_radius")
with r2:
    rnn_phi = ui.activation_select("Activation φ ", key="sk_rnn_phi", options=RNN_PHIS, default="tanh")
with r3:
    rnn_input = ui.radio("Input sequence", list(rc.INPUT_KINDS), key="sk_rnn_input", horizontal=True,
                         format_func=_fmt({"pulse": "one pulse", "sine": "sine wave", "noise": "noise"}))
tr = C.trajectories(float(rnn_radius), rnn_phi, rnn_input)
if not np.all(np.isfinite(tr.h)):
    st.warning("The hidden state overflowed: with a linear φ and ρ > 1 the state grows like ρᵗ without bound.")
ui.figure(C.trajectories_figure(float(rnn_radius), rnn_phi, rnn_input), key="sk_fig_traj")
echo = ("With a single pulse the state rings on after the input has gone: that echo is the network's memory, and "
        "ρ sets how long it lasts." if rnn_input == "pulse" else
        "The state at time t is a running summary of every input so far, each one fading by about ρ per step.")
st.caption(f"16 hidden units, W = ρ·(random orthogonal matrix). ‖h_60‖ = {tr.norm[-1]:.3g}. " + echo)

# ---------------------------------------------------------------------------------------------- feedback: BPTT
st.header("Feedback connections II: vanishing and exploding gradients through time")
v1, v2, v3, v4 = st.columns(4)
with v1:
    vg_radius = ui.slider("Spectral radius ρ of W ", 0.5, 1.5, 1.0, 0.05, key="sk_vg_radius")
with v2:
    vg_phi = ui.activation_select("Activation φ  ", key="sk_vg_phi", options=RNN_PHIS, default="tanh")
with v3:
    vg_kind = ui.selectbox("Recurrent matrix W", list(rc.MATRIX_KINDS), key="sk_vg_kind",
                           format_func=_fmt(rc.MATRIX_LABELS),
                           help="Orthogonal × ρ: every singular value is ρ, so ‖W^k‖ = ρ^k exactly. Gaussian: "
                                "i.i.d. normal entries rescaled so the largest |eigenvalue| is ρ; ‖W‖₂ is larger.")
with v4:
    vg_T = ui.slider("Sequence length T", 10, 200, 60, 10, key="sk_vg_T")
k1, k2 = st.columns(2)
with k1:
    vg_clip_on = ui.checkbox("Clip the gradient norm (Pascanu et al. 2013)", False, key="sk_vg_clip")
with k2:
    vg_c = ui.slider("Clipping threshold c", 0.1, 10.0, 1.0, 0.1, key="sk_vg_c", disabled=not vg_clip_on)
vg_args = (int(vg_T), float(vg_radius), vg_phi, vg_kind, float(vg_c) if vg_clip_on else None)
tg = C.time_gradients(*vg_args)
if not (np.all(np.isfinite(tg.jac)) and np.isfinite(tg.total_norm)):
    st.warning("The gradient overflowed to infinity: it explodes so fast that not even float64 can hold it. "
               "Lower ρ or T.")
ui.figure(C.time_gradient_figure(*vg_args), key="sk_fig_vg")
st.latex(
    r"\frac{\partial h_T}{\partial h_t} = \prod_{s=t+1}^{T} \mathrm{diag}\,\varphi'(z_s)\, W,\qquad"
    r"\Big\|\frac{\partial h_T}{\partial h_t}\Big\| \le (\gamma\,\|W\|_2)^{T-t} = "
    rf"({tg.gamma:.3g}\times{tg.w_norm:.3g})^{{T-t}}"
)
verdict = ("below 1: the gradient must vanish" if tg.gamma * tg.w_norm < 1 else
           "at least 1: it may explode (a necessary condition, not a sufficient one; saturation can still make "
           "it vanish)")
st.markdown(
    f"γ = max|φ′| = {tg.gamma:.3g} and ‖W‖₂ = {tg.w_norm:.3g}, so γ‖W‖ = {tg.gamma * tg.w_norm:.3g} is {verdict}. "
    f"Measured: ‖∂h_T/∂h_0‖ = {tg.jac[-1]:.3g}. Total ‖∂L/∂W‖ = {tg.total_norm:.3g}"
    + (f", clipped to {tg.total_norm * tg.clip_scale:.3g} (every step's term × {tg.clip_scale:.3g})."
       if vg_clip_on and tg.clip_scale < 1 else ".")
)
ui.takeaway("Gradients through time are powers of W: below 1/γ they vanish, above they can explode. Clipping "
            "caps an exploding step but cannot bring back a vanished one; that needs a different cell.")

# ---------------------------------------------------------------------------------------------- adding problem
st.header("Feedback connections III: memory on the adding problem")
st.markdown(
    "Hochreiter & Schmidhuber (1997): each sequence holds random numbers in [0, 1] and two markers, one in each "
    "half. The target is the sum of the two marked numbers, which the network must remember until the end. "
    "Always answering 1 gives a mean squared error of Var(u + v) = 2/12 ≈ 0.167; beating it means remembering."
)
st.latex(r"x_t = (u_t, m_t),\quad y = \sum_t m_t u_t,\qquad \mathbb{E}\big[(y-1)^2\big] = \tfrac{2}{12} "
         rf"\approx {rc.GUESS_ONE_MSE:.3f}")
m1, m2, m3, m4 = st.columns(4)
with m1:
    add_T = ui.slider("Sequence length T", 10, 100, 50, 10, key="sk_add_T")
with m2:
    add_hidden = ui.slider("Hidden units", 8, 64, 32, 8, key="sk_add_hidden")
with m3:
    add_lr = ui.selectbox("Learning rate (Adam)", [3e-3, 1e-2, 3e-2], key="sk_add_lr", index=1,
                          format_func=lambda v: v if isinstance(v, str) else f"{v:g}")
with m4:
    add_seed = ui.slider("Seed ", 0, 9, 0, 1, key="sk_add_seed")
add_cfg = {"hidden": int(add_hidden), "lr": float(add_lr), "seed": int(add_seed)}


def _draw_adding(trainer: rc.AddingTrainer) -> None:
    pre = C.precomputed("adding")
    if trainer.step == 0 and add_cfg == ADD_DEFAULT and str(int(add_T)) in (pre or {}).get("runs", {}):
        fig, curves = C.precomputed_adding_figure(int(add_T))
        st.caption("Showing the precomputed run at these settings; press Train to run it yourself.")
    elif trainer.step == 0:
        st.info("Press **Train** to train the three cells side by side (at most "
                f"{MAX_COMPUTE_S:.0f} s).", icon=":material/play_circle:")
        return
    else:
        curves = trainer.run.curves
        fig = fx.adding_figure(trainer.run.steps, curves, rc.CELL_LABELS, rc.GUESS_ONE_MSE)
    ui.figure(fig, key="sk_fig_add")
    st.caption("Final training MSE: " + ", ".join(f"{rc.CELL_LABELS[c]} {v[-1]:.4f}" for c, v in curves.items()
                                                    if v) + f" (guess-1 baseline {rc.GUESS_ONE_MSE:.3f}).")


ui.live_panel("sk_add_live", lambda: rc.AddingTrainer(T=int(add_T), hidden=int(add_hidden), lr=float(add_lr),
                                                      seed=int(add_seed), max_seconds=MAX_COMPUTE_S),
              _draw_adding, config=(int(add_T), *sorted(add_cfg.items())), **LIVE)
ui.takeaway("At short lengths every cell learns. As T grows the vanilla RNN stalls at the baseline, unable to "
            "carry a number across many steps, while the LSTM's and GRU's gated additive paths remember it.")

# ---------------------------------------------------------------------------------------------- joint chart
st.header("One picture: depth and time are the same problem")
st.markdown(
    "How much of a small change at the input survives after a given number of steps, through layers of a deep "
    "stack or time steps of a recurrent cell? Stacks use the activation, initialisation and branch scale chosen "
    "in the gradient-flow section; the RNNs are tanh with an orthogonal W."
)
j1, j2 = st.columns(2)
with j1:
    jt_fb = ui.slider("LSTM forget-gate bias at initialisation", 0.0, 5.0, 1.0, 0.5, key="sk_jt_fb")
with j2:
    jt_trained = ui.checkbox("Add the LSTM and RNN trained on the adding problem (T = 50)", True,
                             key="sk_jt_trained")
ui.figure(C.joint_figure(gf_phi, gf_init, gf_branch, float(jt_fb), bool(jt_trained)), key="sk_fig_joint")
st.caption(
    "Solid: ‖∂h_L/∂h_0‖ of a deep stack against depth L (one input, no batch norm). Dashed: ‖∂h_T/∂h_t‖ of a "
    "recurrent cell against T − t at initialisation (for the LSTM the state is (h, c)). Dotted: the same for the "
    "cells trained on the adding problem, measured on one of its sequences."
)
ui.takeaway("A skip connection in depth and a gated cell in time do the same job: they put an additive, "
            "near-identity path next to the multiplicative one, so signals and gradients survive many steps.")

# ---------------------------------------------------------------------------------------------- summary
st.header("What each connection buys")
st.markdown(
    "| | plain (layer by layer) | skip / residual | feedback / recurrent |\n"
    "|---|---|---|---|\n"
    "| wiring | h_l = F_l(h_(l−1)) | h_l = h_(l−1) + F_l(h_(l−1)) | h_t = φ(W h_(t−1) + U x_t + b) |\n"
    "| buys | simplicity | a gradient highway: very deep nets train | memory: outputs depend on the past |\n"
    "| gradient | product of L Jacobians | identity + small terms | product of T copies of diag(φ′)W |\n"
    "| failure | vanishing / exploding, degradation | little (branches must be scaled or normalised) "
    "| vanishing / exploding through time; fixed by gates (LSTM, GRU) and clipping |\n"
    "| used in | small MLPs, LeNet, VGG | ResNet, U-Net, Transformers, diffusion denoisers "
    "| language and speech models before Transformers, time series, control |"
)
ui.takeaway("Skips let information jump over layers; loops let it travel through time. Both fight the same "
            "enemy, a long product of Jacobians, with the same weapon: an additive path.")
