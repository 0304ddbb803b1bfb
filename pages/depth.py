"""Why go deep? Parameter counts, the sawtooth, Yarotsky's x², linear regions, trajectory length,
equal-budget fits, untangling, and how deep real image networks went. Words, widgets and layout only: the
maths is in nnviz.topics.depth, the cached views in nnviz.views.depth, the figures in nnviz.figures.depth."""

from __future__ import annotations

import streamlit as st

from nnviz import catalog, ui
from nnviz.figures import audio as audio_figs
from nnviz.figures import depth as figs
from nnviz.format import tex_number
from nnviz.topics.depth import budget, constructions, counting, history, octaves, trajectory, untangle
from nnviz.topics.regions import montufar_lower, serra_upper, zaslavsky
from nnviz.ui import sound
from nnviz.views import depth as views

_BUDGET_LABELS = {f"about {b} parameters": b for b in budget.BUDGETS}
_TARGETS = {label: key for key, label in budget.TARGET_LABELS.items()}


def _in(column, widget, *args, **kwargs):
    """A ``nnviz.ui`` widget inside a column."""
    with column:
        return widget(*args, **kwargs)


def _widths_or_message(text: str, name: str) -> list[int] | None:
    try:
        return counting.parse_widths(text)
    except ValueError as e:
        st.warning(f"{name} could not be read, so it is not drawn: {ui.plain(e)}", icon=":material/edit_note:")
        return None


ui.intro(
    "Why go deep?",
    "One hidden layer is already a universal approximator, so why stack more? Because depth **composes**: "
    "each layer folds the output of the last, and the number of linear pieces can multiply with every "
    "layer while the parameter count only adds up. This page counts, constructs, measures and trains, and "
    "also shows where depth does *not* pay.",
)


@st.fragment
def _counting() -> None:
    st.header("1. Counting parameters")
    st.markdown("A fully connected layer from $n_{l-1}$ to $n_l$ units has $n_{l-1} n_l$ weights (the connections) "
                "and $n_l$ biases. Type two architectures as lists of widths, input first.")
    cols = st.columns(2)
    helptext = "Input width, hidden widths, output width; up to 10 hidden layers of at most 512."
    archs = {}
    for col, name, default in ((cols[0], "A", "3, 9, 2"), (cols[1], "B", "3, 5, 3, 3, 2")):
        with col:
            widths = _widths_or_message(ui.text_input(f"Architecture {name} (widths)", default,
                                                      key=f"dp_arch_{name.lower()}", help=helptext),
                                        f"Architecture {name}")
            if widths is None:
                continue
            arch = archs[name] = views.architecture(tuple(widths))
            rows = arch.layers
            shown = rows if len(rows) <= 4 else [rows[0], None, rows[-1]]
            terms = " + ".join(r"\cdots" if r is None else rf"{r.n_in}\times{r.n_out}" for r in shown)
            bias_terms = " + ".join(r"\cdots" if r is None else str(r.biases) for r in shown)
            st.latex(rf"\text{{weights}} = {terms} = {arch.weights}")
            st.latex(rf"\text{{biases}} = {bias_terms} = {arch.biases}")
            title = (f"{name}: {arch.weights:,} connections, {arch.biases:,} biases, "
                     f"{arch.weights + arch.biases:,} parameters")
            ui.figure(figs.network_diagram(list(widths), title, height=300), key=f"dp_fig_net_{name}")
            st.markdown("| layer | from → to | weights | biases |\n|---:|:---:|---:|---:|\n" + "\n".join(
                f"| {r.layer} | {r.n_in} → {r.n_out} | {r.weights} | {r.biases} |" for r in rows))
    if len(archs) == 2:
        st.markdown(counting.comparison_sentence(archs["A"], archs["B"]))
        ui.figure(figs.tooth_figure(archs["A"], archs["B"]), key="dp_fig_tooth")
        st.caption("Each hidden layer of width h computes the h-tooth map of the layer before (weights to the other "
                   "inputs and outputs 0); composed, the teeth multiply. One layer of n units bends a line at most "
                   "n times, and every layer multiplies the most pieces by at most (h + 1).")

    st.subheader("Equal budgets")
    in_out = archs["A"].widths if "A" in archs else (3, 9, 2)
    size = ui.slider("Parameter budget (weights + biases)", 10, 5000, 200, 10, key="dp_budget")
    shapes = views.budget_shapes(in_out[0], in_out[-1], int(size))
    st.markdown("| hidden layers | width | widths | parameters |\n|---:|---:|:---|---:|\n" + "\n".join(
        f"| {r.depth} | {r.width} | {list(r.widths)} | {r.parameters} |" for r in shapes))
    st.caption(f"Inputs and outputs from architecture A ({in_out[0]} in, {in_out[-1]} out); each width is the one "
               "whose parameter count is closest to the budget. Deep networks at equal budget are narrow.")
    ui.takeaway("Parameters grow with the *product* of neighbouring widths, so a deep narrow network and a shallow "
                "wide one can have the same budget. The question is which spends it better.")


@st.fragment
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
        ui.figure(figs.sawtooth_figure(saw), key="dp_fig_saw")
    st.latex(rf"\text{{pieces}} = {p}^{{{k}}} = {saw.pieces:,}, \qquad "
             rf"\text{{deep: }} 2p + (k-1)(p^2 + p) + p + 1 = {2 * p} + {k - 1}\cdot {p * p + p} + {p + 1} "
             rf"= {saw.deep_params}")
    st.latex(rf"\text{{one hidden layer: }} \ge 3({p}^{{{k}}} - 1) + 1 = {saw.shallow_min_params:,}"
             r"\quad \text{(3 parameters per unit, one output bias)}")
    costs = views.sawtooth_costs(p)
    ui.figure(figs.cost_figure(costs.k, costs.deep_params, costs.shallow_params, "layers k",
                               f"parameters for {p}^k pieces", current=k, deep_name=f"deep: k layers of {p} units",
                               shallow_name="one hidden layer (at least)"), key="dp_fig_saw_cost")
    st.caption(saw.caption())
    ui.takeaway("Depth adds parameters linearly but multiplies pieces: the deep network's count grows like k, "
                "the shallow network's like p^k.")
    box = ui.lazy_expander("Hear it: depth as octaves", key="dp_oct")
    with box:
        if box.open:
            _octaves()


def _octaves() -> None:
    """The tent map composed k times, played as a wavetable: deep and shallow networks, the same tone."""
    st.markdown(f"Play one period of $t^k$ over and over, {octaves.TABLE_RATE:g} times a second, as a synthesiser "
                "plays a wavetable. Each layer doubles the teeth in the period, so the tone rises one octave per "
                "layer. The one-hidden-layer network with a unit per tooth computes the same table.")
    k = int(ui.slider("Layers k (2 ReLUs each)", 1, octaves.K_MAX, 4, 1, key="dp_oct_k"))
    heard = views.octaves_heard(k)
    r = heard.result
    c1, c2 = st.columns(2)
    with c1:
        ui.figure(figs.octave_layers_figure(r), key="dp_fig_oct_layers")
    with c2:
        ui.figure(audio_figs.spectrum(r.spectrum, r.f_table, f"Harmonics of t{octaves.superscript(k)}, "
                                      f"steps of {r.f_table:g} Hz"), key="dp_fig_oct_spectrum")
    st.markdown("**Parameters** (weights and biases):")
    st.latex(rf"\text{{deep: }} 6 \cdot {k} + 1 = {r.deep_params}")
    st.latex(rf"\text{{one hidden layer: }} 3 \cdot 2^{{{k}}} + 1 = {r.shallow_params}")
    st.latex(rf"\text{{its units: }} 2^{{{k}}} = {r.shallow_units} \ \ (\ge 2^{{{k}}} - 1 = {r.bound_units})")
    for sentence in r.sentences:
        st.markdown(sentence)
    captions = octaves.listen_for(r)
    heads = (f"**Deep:** {k} layer{'s' if k > 1 else ''} × 2 units, {r.deep_params} parameters",
             f"**One hidden layer:** {r.shallow_units:,} units, {r.shallow_params:,} parameters",
             f"**Layers 1 to {k}**, one after the other")
    for col, head, wav, caption, name in zip(st.columns(3), heads, heard.wavs, captions, ("deep", "shallow", "ladder"),
                                             strict=True):
        with col:
            st.markdown(head)
            sound.clip(wav, caption=caption, name=f"tent_{name}_k{k}", key=f"dp_oct_dl_{name}")
    st.caption(r.level_note + " The spectrum and the pitches are measured on the raw table.")


@st.fragment
def _yarotsky() -> None:
    st.header("3. Yarotsky: x² from sawtooths")
    st.markdown("Yarotsky (2017) builds $x^2$ from the same teeth: subtracting ever finer sawtooths from $x$ gives "
                "the piecewise-linear interpolant of $x^2$ at $2^m + 1$ points, and an error that shrinks 4× per "
                "layer.")
    m = int(ui.slider("Sawtooth terms m (layers)", 1, constructions.M_MAX, 3, 1, key="dp_m"))
    y = views.yarotsky(m)
    st.latex(rf"x^2 \approx f_{{{m}}}(x) = x - \sum_{{s=1}}^{{{m}}} \frac{{t^{{(s)}}(x)}}{{4^s}}, \qquad "
             rf"\max_{{[0,1]}} |x^2 - f_{{{m}}}(x)| = 2^{{-2m-2}} = {tex_number(y.row.bound)}"
             rf"\ \ (\text{{measured: }} {tex_number(y.row.max_error)})")
    c1, c2 = st.columns(2)
    with c1:
        ui.figure(figs.yarotsky_figure(y.curve), key="dp_fig_yar")
        st.caption(y.curve.caption())
    with c2:
        t = y.table
        ui.figure(figs.cost_figure([r.m for r in t], [r.deep_params for r in t], [r.shallow_params for r in t],
                                   "m (error 2⁻²ᵐ⁻²)", "parameters for the same error", current=m,
                                   deep_name="deep: m layers of 3 units (12m − 2)",
                                   shallow_name="one hidden layer: 2^m units (3·2^m + 1)"), key="dp_fig_yar_cost")
    st.markdown(y.sentence)
    ui.takeaway("For a target error ε, depth needs O(log 1/ε) parameters where one hidden layer needs O(1/√ε).")


@st.fragment
def _regions() -> None:
    st.header("4. Linear regions: what is possible, and what you get")
    st.markdown("A ReLU network is affine on each region where the same units are on. For one input we find every "
                "breakpoint exactly: on a segment each unit's input $z = a x + c$ is affine, so it switches at "
                "$x^* = -c/a$; split, go to the next layer, repeat.")
    size = _BUDGET_LABELS[ui.selectbox("Parameter budget", list(_BUDGET_LABELS), key="dp_reg_budget", index=4)]
    pbd = views.pieces_by_depth(int(size))
    ui.figure(figs.pieces_by_depth_figure(pbd), key="dp_fig_pbd")
    st.markdown(pbd.sentence())
    st.subheader("One input: a random network's breakpoints")
    c1, c2, c3, c4 = st.columns(4)
    n_layers = _in(c1, ui.slider, "Hidden layers", 1, 6, 3, 1, key="dp_r1_layers")
    width = _in(c2, ui.slider, "Width", 1, 16, 8, 1, key="dp_r1_width")
    seed = _in(c3, ui.number_input, "Seed", 0, 999, 0, 1, key="dp_r1_seed")
    sigma_b = _in(c4, ui.slider, "Bias scale σ_b", 0.0, 1.0, 0.3, 0.05, key="dp_r1_sb")
    r1 = views.random_1d(int(n_layers), int(width), int(seed), float(sigma_b))
    c1, c2 = st.columns([3, 1])
    with c1:
        ui.figure(figs.pieces_function_figure(r1), key="dp_fig_r1")
    with c2:
        st.metric("Pieces (exact)", r1.pieces.n_pieces)
        st.metric("Upper bound (Serra et al.)", f"{r1.upper:,}")
        st.metric("Units", int(n_layers) * int(width))
    st.caption(r1.caption())

    st.subheader("Two inputs: regions as colours")
    c1, c2, c3 = st.columns(3)
    n_layers2 = _in(c1, ui.slider, "Hidden layers", 1, 4, 2, 1, key="dp_r2_layers")
    width2 = _in(c2, ui.slider, "Width", 2, 10, 6, 1, key="dp_r2_width")
    seed2 = _in(c3, ui.number_input, "Seed", 0, 999, 0, 1, key="dp_r2_seed")
    r2 = views.random_2d(int(n_layers2), int(width2), int(seed2))
    c1, c2 = st.columns([3, 2])
    with c1:
        ui.figure(figs.regions_figure(r2), key="dp_fig_r2")
    with c2:
        st.latex(rf"\text{{one layer (Zaslavsky): }} \sum_{{j=0}}^{{2}} \binom{{{int(width2)}}}{{j}} = "
                 rf"{zaslavsky(2, int(width2))}")
        st.metric("Regions in the square (exact)", r2.count_text)
        st.metric("Montúfar et al. (2014) construction reaches", f"{montufar_lower(r2.widths):,}")
        st.metric("Upper bound (Serra et al. 2018)", f"{serra_upper(r2.widths):,}")
        st.caption("The count is exact inside the square [−2, 2]²: the plane is split by every unit's line "
                   "z = 0, layer by layer. Regions may continue outside the square. Biases N(0, 0.5²).")
    ui.takeaway("Depth makes exponentially many regions *possible*; random and trained networks use far fewer. "
                "Expressiveness per parameter is a ceiling, not a promise.")


@st.fragment
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
    seed = _in(c5, ui.number_input, "Seed", 0, 999, 0, 1, key="dp_tr_seed")
    traj = views.trajectory_lengths(int(width), int(n_layers), int(layer), int(seed))
    # short lines, one formula each, so they fit a phone
    st.latex(r"z_0(\theta) = \sqrt{k/2}\,(\cos\theta, \sin\theta, 0, \dots, 0)")
    st.latex(r"W_{ij} \sim \mathcal{N}(0, \sigma_w^2/k),\quad b_i \sim \mathcal{N}(0, 0.1^2)")
    st.latex(r"z_{d+1} = \tanh(W z_d + b)")
    st.markdown(r"Growth per layer $\big(\ell(D)/\ell(0)\big)^{1/D}$: " + ", ".join(
        rf"$\sigma_w = {s:g}$: {g:.2f}×" for s, g in zip(traj.sigma_w, traj.growth_per_layer, strict=True)))
    c1, c2 = st.columns(2)
    with c1:
        ui.figure(figs.trajectory_length_figure(traj), key="dp_fig_traj")
    with c2:
        ui.figure(figs.trajectory_image_figure(traj, trajectory.SIGMAS.index(float(sigma))), key="dp_fig_traj_image")
    st.caption("The circle starts in the network's own width with the size of a typical hidden state (radius "
               "√(k/2)), so layer 1 stretches it like every later layer.")
    ui.takeaway(traj.takeaway())


# ---------------------------------------------------------------------------------------------- equal budget
def _draw_budget(run: budget.BudgetExperiment, running: bool, target: str, fit_index: int | None,
                 stored: budget.BudgetResult | None) -> None:
    res = run.result() if run.steps else stored
    if res is None:
        st.info(f"Press Train to run this experiment: {run.max_steps:,} Adam steps, a minute or more of the "
                "server's time; the same settings always give the same numbers.")
        return
    construction = (25, "construction: 4 layers × 2, error 0") if target == "sawtooth" else None
    cols = st.columns(2) if fit_index is not None else [st.container()]
    with cols[0]:
        ui.figure(figs.budget_error_figure(res, construction), key="dp_fig_eb_err")
    if fit_index is not None:
        with cols[1]:
            ui.figure(figs.budget_fits_figure(res, fit_index, views.budget_target(target)), key="dp_fig_eb_fit")
    if not run.steps:
        st.caption(f"Precomputed at these settings ({res.steps:,} steps per network, seed {res.seed}): exactly what "
                   "pressing Train computes here, on any machine.")
    st.markdown("**What to look for.** " + " ".join(budget.look_for(res)))


def _equal_budgets() -> None:
    st.header("6. Equal budgets: does gradient descent find it?")
    st.markdown("Fit one target with networks of 1 to 6 hidden layers at equal parameter budgets (25 to 400), "
                "full batch, Adam, best of 3 seeds each, a fixed number of steps per network. The construction "
                "proves what *exists*; training shows what is *found*.")
    c1, c2, c3 = st.columns(3)
    target = _TARGETS[_in(c1, ui.selectbox, "Target", list(_TARGETS), key="dp_eb_target")]
    low, high, step = budget.STEPS_RANGE
    steps = int(_in(c2, ui.slider, "Adam steps per network", low, high, budget.DEFAULT_STEPS, step,
                    key="dp_eb_steps"))
    seed = int(_in(c3, ui.number_input, "Seed", 0, 99, budget.DEFAULT_SEED, 1, key="dp_eb_seed"))
    stored = views.budget_default(target) if (steps, seed) == (budget.DEFAULT_STEPS, budget.DEFAULT_SEED) else None
    fit_index = None
    if target != "spiral":
        fit_index = budget.BUDGETS.index(_BUDGET_LABELS[ui.selectbox("Show the fits at", list(_BUDGET_LABELS),
                                                                     key="dp_eb_fit", index=4)])
    ui.live_panel("dp_eb_live", lambda: budget.BudgetExperiment(target, steps, seed),
                  lambda run, running: _draw_budget(run, running, target, fit_index, stored),
                  config=(target, steps, seed), shared=True, budget_s=0.35, interval_s=0.5, start_label="Train")
    ui.takeaway("Existence is not learnability: a deep network that can represent the target may not be found by "
                "gradient descent, especially when it is very narrow.")


@st.fragment
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
    ui.figure(figs.untangle_figure(u), key="dp_fig_untangle")
    st.markdown(u.sentence)
    ui.takeaway("Each layer is a smooth deformation; depth composes deformations until the classes are linearly "
                "separable, if the topology allows it.")


def _history() -> None:
    st.header("8. How deep is deep enough?")
    c1, c2 = st.columns([2, 3])
    with c1:
        ui.figure(figs.timeline_figure(history.TIMELINE), key="dp_fig_timeline")
        st.caption("LeNet-5 (1998) → AlexNet (2012) → VGG-19 (2015) → ResNet-152 (2016). Bubble area ∝ "
                   f"parameters; LeNet-5's 60,000 would be a speck, so it is drawn at the smallest visible size "
                   f"({figs.BUBBLE_MIN_PX} px).")
    with c2:
        ui.figure(figs.imagenet_figure(history.IMAGENET), key="dp_fig_imagenet")
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
