"""Why go deep? Parameter counts, the sawtooth, Yarotsky's x², linear regions, trajectory length,
equal-budget fits, untangling, and how deep real image networks went. Words, widgets and layout only: the
maths is in nnviz.topics.depth, the cached views in nnviz.views.depth, the figures in nnviz.figures.depth."""

from __future__ import annotations

import streamlit as st

from nnviz import catalog, ui
from nnviz.figures.depth import BUBBLE_MIN_PX
from nnviz.format import tex_number
from nnviz.topics.depth import constructions, counting, history, trajectory, untangle
from nnviz.ui import depth as sections
from nnviz.ui.depth import show
from nnviz.views import depth as views


def _in(column, widget, *args, **kwargs):
    """A ``nnviz.ui`` widget inside a column."""
    with column:
        return widget(*args, **kwargs)


ui.intro(
    "Why go deep?",
    "One hidden layer is already a universal approximator, so why stack more? Because depth **composes**: "
    "each layer folds the output of the last, and the number of linear pieces can multiply with every "
    "layer while the parameter count only adds up. This page counts, constructs, measures and trains, and "
    "also shows where depth does *not* pay.",
)


@ui.section
def _counting() -> None:
    st.header("1. Counting parameters")
    st.markdown("A fully connected layer from $n_{l-1}$ to $n_l$ units has $n_{l-1} n_l$ weights (the connections) "
                "and $n_l$ biases. Type two architectures as lists of widths, input first.")
    archs = {}
    for col, name, default in zip(st.columns(2), "AB", ("3, 9, 2", "3, 5, 3, 3, 2"), strict=True):
        with col:
            arch = sections.architecture_column("dp_", name, default)
        if arch is not None:
            archs[name] = arch
    if len(archs) == 2:
        st.markdown(counting.comparison_sentence(archs["A"], archs["B"]))
        show(views.tooth_chart(archs["A"].widths, archs["B"].widths), key="dp_fig_tooth")
        st.caption("Each hidden layer of width h computes the h-tooth map of the layer before (weights to the other "
                   "inputs and outputs 0); composed, the teeth multiply. One layer of n units bends a line at most "
                   "n times, and every layer multiplies the most pieces by at most (h + 1).")
    in_out = archs["A"].widths if "A" in archs else counting.LECTURE_PAIR[0]
    sections.budget_table_section("dp_", in_out[0], in_out[-1])
    ui.takeaway("Parameters grow with the *product* of neighbouring widths, so a deep narrow network and a shallow "
                "wide one can have the same budget. The question is which spends it better.")


@ui.section
def _sawtooth() -> None:
    st.header("2. The sawtooth: depth multiplies pieces")
    st.markdown("Telgarsky (2016): the tent map is a ReLU network with two hidden units,")
    st.latex(r"t(x) = 2\,\mathrm{ReLU}(x) - 4\,\mathrm{ReLU}(x - \tfrac12), \qquad x \in [0, 1]")
    st.markdown("and composing it $k$ times, $t^{k} = t \\circ \\dots \\circ t$, is a network $k$ layers deep and 2 "
                "wide whose graph has $2^k$ linear pieces. A one-hidden-layer ReLU network needs a unit for every "
                "breakpoint: at least $2^k - 1$ units. The $p$-tooth map $t_p$ (p pieces, up and down) gives $p^k$.")
    c1, c2 = st.columns([1, 3])
    with c1:
        p = int(ui.radio("Teeth p per layer", list(constructions.P_CHOICES), key="dp_p", horizontal=True,
                         help="p = 2 is the tent map; p teeth need p units per layer."))
        k = int(ui.slider("Layers k", 1, constructions.K_MAX, 4, 1, key="dp_k"))
        saw = views.sawtooth(k, p)
        st.metric("Linear pieces", f"{saw.pieces:,}", help="Counted breakpoint by breakpoint" if saw.counted
                  else f"{p}^{k} by the composition rule: too many to enumerate here")
        st.metric("Deep network parameters", saw.deep_params, help=f"widths [1, {p} × {k}, 1]")
        st.metric("One hidden layer needs at least", f"{saw.shallow_min_params:,}",
                  help=f"{saw.shallow_min_units:,} units × 3 parameters + 1 output bias")
    with c2:
        show(views.sawtooth_chart(k, p), key="dp_fig_saw")
    # short lines, one formula each, so they fit a phone
    st.latex(rf"\text{{pieces}} = {p}^{{{k}}} = {saw.pieces:,}")
    st.latex(rf"\begin{{aligned}} \text{{deep}} &= 2p + (k-1)(p^2 + p) + p + 1 \\ "
             rf"&= {2 * p} + {k - 1}\cdot {p * p + p} + {p + 1} = {saw.deep_params} \end{{aligned}}")
    st.latex(rf"\begin{{aligned}} \text{{one hidden layer}} &\ge 3({p}^{{{k}}} - 1) + 1 \\ "
             rf"&= {saw.shallow_min_params:,} \end{{aligned}}")
    st.caption("One hidden layer: 3 parameters per unit (its weight in, its bias, its weight out) and one output "
               "bias.")
    show(views.sawtooth_cost_chart(p, k), key="dp_fig_saw_cost")
    st.caption(saw.caption())
    ui.takeaway("Depth adds parameters linearly but multiplies pieces: the deep network's count grows like k, "
                "the shallow network's like p^k.")
    box = ui.lazy_expander("Hear it: depth as octaves", key="dp_oct")
    with box:
        if box.open:
            sections.octaves_section("dp_")


@ui.section
def _yarotsky() -> None:
    st.header("3. Yarotsky: x² from sawtooths")
    st.markdown("Yarotsky (2017) builds $x^2$ from the same teeth: subtracting ever finer sawtooths from $x$ gives "
                "the piecewise-linear interpolant of $x^2$ at $2^m + 1$ points, and an error that shrinks 4× per "
                "layer.")
    m = int(ui.slider("Sawtooth terms m (layers)", 1, constructions.M_MAX, 3, 1, key="dp_m"))
    y = views.yarotsky(m)
    st.latex(rf"x^2 \approx f_{{{m}}}(x) = x - \sum_{{s=1}}^{{{m}}} \frac{{t^{{(s)}}(x)}}{{4^s}}")  # two lines: a phone
    st.latex(rf"\begin{{aligned}} \max_{{[0,1]}} |x^2 - f_{{{m}}}(x)| &= 2^{{-2m-2}} = {tex_number(y.row.bound)} \\ "
             rf"\text{{measured}} &= {tex_number(y.row.max_error)} \end{{aligned}}")
    curve_chart, cost_chart = views.yarotsky_charts(m)
    c1, c2 = st.columns(2)
    with c1:
        show(curve_chart, key="dp_fig_yar")
        st.caption(y.curve.caption())
    with c2:
        show(cost_chart, key="dp_fig_yar_cost")
    st.markdown(y.sentence)
    ui.takeaway("For a target error ε, depth needs O(log 1/ε) parameters where one hidden layer needs O(1/√ε).")


@ui.section
def _regions() -> None:
    st.header("4. Linear regions: what is possible, and what you get")
    st.markdown("A ReLU network is affine on each region where the same units are on. For one input we find every "
                "breakpoint exactly: on a segment each unit's input $z = a x + c$ is affine, so it switches at "
                "$x^* = -c/a$; split, go to the next layer, repeat.")
    labels = sections.BUDGET_LABELS
    size = int(labels[ui.selectbox("Parameter budget", list(labels), key="dp_reg_budget", index=4)])
    pbd = views.pieces_by_depth(size)
    show(views.pieces_by_depth_chart(size), key="dp_fig_pbd")
    st.markdown(pbd.sentence())
    st.subheader("One input: a random network's breakpoints")
    c1, c2, c3, c4 = st.columns(4)
    n_layers = int(_in(c1, ui.slider, "Hidden layers (one input)", 1, 6, 3, 1, key="dp_r1_layers"))
    width = int(_in(c2, ui.slider, "Width (one input)", 1, 16, 8, 1, key="dp_r1_width"))
    seed = int(_in(c3, ui.number_input, "Seed (one input)", 0, 999, 0, 1, key="dp_r1_seed"))
    sigma_b = float(_in(c4, ui.slider, "Bias scale σ_b", 0.0, 1.0, 0.3, 0.05, key="dp_r1_sb"))
    r1 = views.random_1d(n_layers, width, seed, sigma_b)
    c1, c2 = st.columns([3, 1])
    with c1:
        show(views.random_1d_chart(n_layers, width, seed, sigma_b), key="dp_fig_r1")
    with c2:
        st.metric("Pieces (exact)", r1.pieces.n_pieces)
        st.metric("Upper bound (Serra et al.)", f"{r1.upper:,}")
        st.metric("Units", n_layers * width)
    st.caption(r1.caption())

    sections.regions_2d_section("dp_")
    ui.takeaway("Depth makes exponentially many regions *possible*; random and trained networks use far fewer. "
                "Expressiveness per parameter is a ceiling, not a promise.")


@ui.section
def _trajectory() -> None:
    st.header("5. Trajectory length grows with depth")
    st.markdown("Raghu et al. (2017) push a simple curve through a random network and measure its length layer by "
                "layer, $\\ell(d) = \\sum_i \\lVert z_d(\\theta_{i+1}) - z_d(\\theta_i) \\rVert$. With large weights "
                "each layer stretches and folds the curve, so its length grows exponentially in depth.")
    c1, c2, c3, c4, c5 = st.columns(5)
    width = _in(c1, ui.slider, "Width k", 2, 64, 32, 1, key="dp_tr_width")
    n_layers = _in(c2, ui.slider, "Depth", 1, 16, 10, 1, key="dp_tr_depth")
    layer = _in(c3, ui.slider, "Show layer", 0, 16, 10, 1, key="dp_tr_layer")
    sigma = _in(c4, ui.selectbox, "Picture for σ_w", list(trajectory.SIGMAS), key="dp_tr_sigma", index=2)
    seed = _in(c5, ui.number_input, "Seed (trajectory)", 0, 999, 0, 1, key="dp_tr_seed")
    traj = views.trajectory_lengths(int(width), int(n_layers), int(layer), int(seed))
    length_chart, image_chart = views.trajectory_charts(int(width), int(n_layers), int(layer), int(seed), float(sigma))
    # short lines, one formula each, so they fit a phone
    st.latex(r"z_0(\theta) = \sqrt{k/2}\,(\cos\theta, \sin\theta, 0, \dots, 0)")
    st.latex(r"W_{ij} \sim \mathcal{N}(0, \sigma_w^2/k),\quad b_i \sim \mathcal{N}(0, 0.1^2)")
    st.latex(r"z_{d+1} = \tanh(W z_d + b)")
    st.markdown(r"Growth per layer $\big(\ell(D)/\ell(0)\big)^{1/D}$: " + ", ".join(
        rf"$\sigma_w = {s:g}$: {g:.2f}×" for s, g in zip(traj.sigma_w, traj.growth_per_layer, strict=True)))
    c1, c2 = st.columns(2)
    with c1:
        show(length_chart, key="dp_fig_traj")
    with c2:
        show(image_chart, key="dp_fig_traj_image")
    st.caption("The circle starts in the network's own width with the size of a typical hidden state (radius "
               "√(k/2)), so layer 1 stretches it like every later layer.")
    ui.takeaway(traj.takeaway())


def _equal_budgets() -> None:
    st.header("6. Equal budgets: does gradient descent find it?")
    st.markdown("Fit one target with networks of 1 to 6 hidden layers at equal parameter budgets (25 to 400), "
                "full batch, Adam, best of 3 seeds each, a fixed number of steps per network. The construction "
                "proves what *exists*; training shows what is *found*.")
    sections.equal_budgets_section("dp_")


@ui.section
def _untangling() -> None:
    st.header("7. Depth untangles")
    st.markdown("Olah's view (*Neural Networks, Manifolds, and Topology*, 2014): each tanh layer "
                "$h = \\tanh(Wx + b)$ stretches and bends the plane without tearing it; the last layer only draws a "
                "straight line. Follow the input grid through a classifier whose hidden layers are all 2 wide.")
    c1, c2, c3 = st.columns(3)
    name = _in(c1, ui.selectbox, "Data", list(untangle.UNTANGLE_SETS), key="dp_un_data")
    n_layers = _in(c2, ui.slider, "Hidden layers (2 units each)", 1, 4, 2, 1, key="dp_un_depth")
    layer = _in(c3, ui.slider, "Show layer", 0, 4, 2, 1, key="dp_un_layer",
                help="0 is the input plane; the last hidden layer also shows the output's straight line.")
    u = views.untangled(name, int(n_layers), int(layer))
    if int(layer) > int(n_layers):
        st.caption(f"The network has {n_layers} hidden layers: showing layer {u.layer}.")
    show(views.untangle_chart(name, int(n_layers), int(layer)), key="dp_fig_untangle")
    st.markdown(u.sentence)
    ui.takeaway("Each layer is a smooth deformation; depth composes deformations until the classes are linearly "
                "separable, if the topology allows it.")


def _history() -> None:
    st.header("8. How deep is deep enough?")
    timeline, imagenet = views.history_charts()
    c1, c2 = st.columns([2, 3])
    with c1:
        show(timeline, key="dp_fig_timeline")
        st.caption("LeNet-5 (1998) → AlexNet (2012) → VGG-19 (2015) → ResNet-152 (2016). Bubble area ∝ "
                   f"parameters; LeNet-5's 60,000 would be a speck, so it is drawn at the smallest visible size "
                   f"({BUBBLE_MIN_PX} px).")
    with c2:
        show(imagenet, key="dp_fig_imagenet")
        st.caption("ImageNet-1K top-1 accuracy, GFLOPS and parameters of torchvision's IMAGENET1K_V1 weights, "
                   f"from torchvision's published weight tables: [{history.IMAGENET_SOURCE}]"
                   f"({history.IMAGENET_SOURCE}). Colour: model family. Bubble area ∝ parameters (grey circles: "
                   "10 and 100 million).")
    st.markdown(views.history_text())
    st.page_link(str(catalog.spec("skip_and_feedback").path), icon=":material/alt_route:",
                 label="Next: skip connections, the trick that made depth trainable")
    ui.takeaway("Depth buys expressiveness per parameter; skip connections, data and the right inductive bias are "
                "what let you cash it in.")


_SECTIONS = {"Counting": _counting, "Sawtooth": _sawtooth, "Yarotsky's x²": _yarotsky, "Regions": _regions,
             "Trajectory": _trajectory, "Equal budgets": _equal_budgets, "Untangling": _untangling,
             "Real networks": _history}
# One section at a time: only the open tab runs, so a visit or a rerun builds a few figures, not sixteen.
for tab, section in zip(ui.tabs(list(_SECTIONS), key="dp_tab"), _SECTIONS.values(), strict=True):
    with tab:
        if tab.open:
            section()
