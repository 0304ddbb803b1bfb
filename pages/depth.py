"""Why go deep? Parameter counts, the sawtooth, Yarotsky's x², linear regions, trajectory length,
equal-budget fits, untangling, and how deep real image networks went."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnviz import catalog, depth, regions, ui
from nnviz.figures import depth as figs
from nnviz.mlp import count_parameters

# ---------------------------------------------------------------------------------------------- cached views
# Each view is a pure function of a few widget values returning (result, figure(s)). Building a plotly figure
# costs milliseconds, so views are kept with one bounded st.cache_resource and shared read-only: nothing here
# mutates a result or a figure after it is built (st.plotly_chart only serialises it). One cached entry point
# instead of one decorator per view keeps the page's own rerun cost low.


def _v_network(widths: tuple[int, ...], title: str):
    return None, figs.network_diagram(list(widths), title, height=300)


def _v_sawtooth(k: int, p: int, k_max: int):
    saw = depth.sawtooth(k, p)
    costs = depth.sawtooth_costs(k_max, p)
    return saw, (figs.sawtooth_figure(saw.x, saw.y, saw.breakpoints, k, p, saw.pieces),
                 figs.cost_figure(costs.k, costs.deep_params, costs.shallow_params, "layers k",
                                  f"parameters for {p}^k pieces", current=k, deep_name=f"deep: k layers of {p} units",
                                  shallow_name="one hidden layer (at least)"))


def _v_yarotsky(m: int):
    rows = depth.yarotsky_table(8)
    xs = np.linspace(0, 1, 2 ** (m + 2) + 1)  # four points per piece: the nodes and the error's peaks
    return (rows[m - 1], depth.first_deep_win(rows)), (
        figs.yarotsky_figure(xs, depth.yarotsky_closed(xs, m), m, rows[m - 1].bound),
        figs.cost_figure(np.array([r.m for r in rows]), np.array([r.deep_params for r in rows]),
                         np.array([r.shallow_params for r in rows]), "m (error 2^(−2m−2))",
                         "parameters for the same error", current=m, deep_name="deep: m layers of 3 units (12m − 2)",
                         shallow_name="one hidden layer: 2^m units (3·2^m + 1)"))


def _v_pieces_by_depth(budget: int):
    res = depth.pieces_by_depth(budget)
    return res, figs.pieces_by_depth_figure(res)


def _v_random_1d(n_layers: int, width: int, seed: int, sigma_b: float):
    net = regions.ReluNet.random([1] + [width] * n_layers + [1], seed=seed, sigma_b=sigma_b)
    pc = regions.pieces_1d(net, -1.0, 1.0)
    x = pc.edges if len(pc.edges) >= 64 else np.union1d(pc.edges, np.linspace(-1, 1, 65))
    y = net.forward(x[:, None])[:, 0]
    return pc, figs.pieces_function_figure(x, y, pc.breakpoints, f"{pc.n_pieces} pieces, {pc.n_regions} "
                                                                 "activation regions on [−1, 1]")


def _v_random_2d(n_layers: int, width: int, seed: int, sigma_b: float):
    widths = [2] + [width] * n_layers + [1]
    net = regions.ReluNet.random(widths, seed=seed, sigma_b=sigma_b)
    reg = regions.regions_2d(net, (-2.0, 2.0, -2.0, 2.0))
    grid = np.linspace(-2, 2, 121)
    gx, gy = np.meshgrid(grid, grid)
    _, ids = np.unique(net.patterns(np.c_[gx.ravel(), gy.ravel()]), axis=0, return_inverse=True)
    more = "" if reg.complete else "+"
    return reg, figs.regions_figure(grid, ids.reshape(gx.shape), reg.polygons,
                                    f"{reg.n_regions}{more} activation regions in the square")


def _v_trajectory(width: int, n_layers: int, show_layer: int, seed: int, shown: int):
    traj = depth.trajectory_lengths(_SIGMAS, width=width, depth=n_layers, seed=seed, n_points=1000,
                                    show_layer=show_layer)
    return traj, figs.trajectory_figure(traj, shown)


def _budget_figs(target: str, summary: dict, fit_index: int | None):
    data = depth.target_data(target)
    label = "misclassified fraction" if data.classification else "RMS error"
    construction = (25, "construction: 4 layers × 2, error 0") if target == "sawtooth" else None
    err = figs.budget_error_figure(summary, label, construction)
    fit = None
    if not data.classification and fit_index is not None:
        fit = figs.budget_fits_figure(summary, fit_index, data.x_eval[:, 0], data.y_eval[:, 0])
    return err, fit


def _v_budget_stored(target: str, fit_index: int | None):
    return None, _budget_figs(target, depth.default_budget_results(target), fit_index)


def _v_untangle(name: str, n_layers: int, layer: int):
    net = depth.untangler(name, n_layers)
    X, y = depth.untangle_data(name)
    boundary = None
    if layer == n_layers and abs(net.w_out[1]) > 1e-9:
        bx = np.linspace(-1.1, 1.1, 50)
        boundary = np.c_[bx, -(net.w_out[0] * bx + net.b_out) / net.w_out[1]]
    title = "the input plane" if layer == 0 else f"after hidden layer {layer}"
    return net, figs.untangle_figure(depth.warped_grid(net, layer), net.layers(X)[layer], y, layer, boundary,
                                     f"{title} · training accuracy {net.accuracy:.0%}")


def _v_history():
    return None, (figs.timeline_figure(depth.TIMELINE), figs.imagenet_figure(depth.IMAGENET))


_SIGMAS = (1.0, 2.0, 4.0, 8.0)
_BUDGET_LABELS = {f"about {b} parameters": b for b in depth.BUDGETS}
_VIEWS = {"network": _v_network, "sawtooth": _v_sawtooth, "yarotsky": _v_yarotsky,
          "pieces_by_depth": _v_pieces_by_depth, "random_1d": _v_random_1d, "random_2d": _v_random_2d,
          "trajectory": _v_trajectory, "budget_stored": _v_budget_stored, "untangle": _v_untangle,
          "history": _v_history}


@st.cache_resource(max_entries=256, show_spinner=False)
def _view(kind: str, *args):
    """(result, figure or figures) of one view; shared read-only between sessions."""
    return _VIEWS[kind](*args)


def _tex_number(x: float) -> str:
    """A number for st.latex: 0.0156 stays, 3.81e-06 becomes 3.81 \\times 10^{-6}."""
    text = f"{x:.3g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _text_input(label: str, value: str, key: str, **kw) -> str:
    """A bounded text box bound to the URL (nnviz.ui has no text helper yet)."""
    return st.text_input(label, value=value, key=key, max_chars=200, bind="query-params", **kw)


def _widths_or_message(text: str, name: str) -> list[int] | None:
    try:
        return depth.parse_widths(text)
    except ValueError as e:
        st.error(f"{name}: {e}")
        return None


# ---------------------------------------------------------------------------------------------- intro

ui.intro(
    "Why go deep?",
    "One hidden layer is already a universal approximator, so why stack more? Because depth **composes**: "
    "each layer folds the output of the last, and the number of linear pieces can multiply with every "
    "layer while the parameter count only adds up. This page counts, constructs, measures and trains, and "
    "also shows where depth does *not* pay.",
)

# ---------------------------------------------------------------------------------------------- counting


@st.fragment
def _counting() -> None:
    """One section; its widgets rerun only this fragment in the browser."""
    st.header("1. Counting parameters")
    st.markdown(
        "A fully connected layer from $n_{l-1}$ to $n_l$ units has $n_{l-1} n_l$ weights (the connections) and "
        "$n_l$ biases. Type two architectures as lists of widths, input first."
    )
    col_a, col_b = st.columns(2)
    with col_a:
        text_a = _text_input("Architecture A (widths)", "3, 9, 2", key="dp_arch_a",
                             help="Input width, hidden widths, output width; up to 10 hidden layers of at most 512.")
    with col_b:
        text_b = _text_input("Architecture B (widths)", "3, 5, 3, 3, 2", key="dp_arch_b",
                             help="Input width, hidden widths, output width; up to 10 hidden layers of at most 512.")
    widths_a = _widths_or_message(text_a, "Architecture A")
    widths_b = _widths_or_message(text_b, "Architecture B")

    for col, widths, name in ((col_a, widths_a, "A"), (col_b, widths_b, "B")):
        if widths is None:
            continue
        with col:
            w, b = count_parameters(widths)
            rows = depth.layer_counts(widths)
            shown = rows if len(rows) <= 4 else [rows[0], None, rows[-1]]
            terms = " + ".join(r"\cdots" if r is None else rf"{r.n_in}\times{r.n_out}" for r in shown)
            bias_terms = " + ".join(r"\cdots" if r is None else str(r.biases) for r in shown)
            st.latex(rf"\text{{weights}} = {terms} = {w}")
            st.latex(rf"\text{{biases}} = {bias_terms} = {b}")
            title = f"{name}: {w} connections, {b} biases, {w + b} parameters"
            ui.figure(_view("network", tuple(widths), title)[1], key=f"dp_fig_net_{name}")
            st.markdown("| layer | from → to | weights | biases |\n|---:|:---:|---:|---:|\n" + "\n".join(
                f"| {r.layer} | {r.n_in} → {r.n_out} | {r.weights} | {r.biases} |" for r in rows))
    if widths_a is not None and widths_b is not None:
        wa, wb = count_parameters(widths_a)[0], count_parameters(widths_b)[0]
        same = "the same number of connections as" if wa == wb else ("fewer connections than" if wb < wa else
                                                                     "more connections than")
        st.markdown(f"B has **{same}** A ({wb} vs {wa}) with "
                    f"**{len(widths_b) - 2}** hidden layers instead of **{len(widths_a) - 2}**. The lecture's example, "
                    "[3, 9, 2], has 3×9 + 9×2 = 45 connections; so does [3, 5, 3, 3, 2].")

    st.subheader("Equal budgets")
    in_out = widths_a if widths_a is not None else [3, 9, 2]
    budget = ui.slider("Parameter budget (weights + biases)", 10, 5000, 200, 10, key="dp_budget")
    lines = ["| hidden layers | width | widths | parameters |", "|---:|---:|:---|---:|"]
    for d in depth.DEPTHS:
        w = depth.width_for_budget(in_out[0], in_out[-1], d, budget)
        shape = [in_out[0]] + [w] * d + [in_out[-1]]
        lines.append(f"| {d} | {w} | {shape} | {sum(count_parameters(shape))} |")
    st.markdown("\n".join(lines))
    st.caption(f"Inputs and outputs from architecture A ({in_out[0]} in, {in_out[-1]} out); each width is the one "
               "whose parameter count is closest to the budget. Deep networks at equal budget are narrow.")
    ui.takeaway("Parameters grow with the *product* of neighbouring widths, so a deep narrow network and a shallow "
                "wide one can have the same budget. The question is which spends it better.")


_counting()

# ---------------------------------------------------------------------------------------------- sawtooth


@st.fragment
def _sawtooth_section() -> None:
    """One section; its widgets rerun only this fragment in the browser."""
    st.header("2. The sawtooth: depth multiplies pieces")
    st.markdown(
        "Telgarsky (2016): the tent map is a ReLU network with two hidden units,"
    )
    st.latex(r"t(x) = 2\,\mathrm{ReLU}(x) - 4\,\mathrm{ReLU}(x - \tfrac12), \qquad x \in [0, 1]")
    st.markdown(
        "and composing it $k$ times, $t^{k} = t \\circ \\dots \\circ t$, is a network $k$ layers deep and 2 wide "
        "whose graph has $2^k$ linear pieces. A one-hidden-layer ReLU network needs a unit for every breakpoint: "
        "at least $2^k - 1$ units. The $p$-tooth map $t_p$ (p pieces, up and down) gives $p^k$."
    )
    c1, c2 = st.columns([1, 3])
    with c1:
        p = ui.radio("Teeth p per layer", [2, 3, 4, 5], key="dp_p", horizontal=True,
                     help="p = 2 is the tent map; p teeth need p units per layer.")
        k = ui.slider("Layers k", 1, 10, 4, 1, key="dp_k")
        k_max = depth.max_layers_for(int(p))
        if k > k_max:
            st.warning(f"{p}^{k} pieces is more than {depth.MAX_PIECES:,} to draw; showing k = {k_max} "
                       f"({p}^{k_max} = {p ** k_max:,} pieces).")
            k = k_max
        saw, (fig_saw, fig_saw_cost) = _view("sawtooth", int(k), int(p), k_max)
        st.metric("Linear pieces (counted exactly)", f"{saw.pieces:,}", help="Breakpoints found analytically.")
        st.metric("Deep network parameters", saw.deep_params, help=f"widths {saw.deep_widths}")
        st.metric("One hidden layer needs at least", f"{saw.shallow_min_params:,}",
                  help=f"{saw.shallow_min_units:,} units × 3 parameters + 1 output bias")
    with c2:
        ui.figure(fig_saw, key="dp_fig_saw")
    st.latex(rf"\text{{pieces}} = {p}^{{{k}}} = {saw.pieces:,}, \qquad "
             rf"\text{{deep: }} 2p + (k-1)(p^2 + p) + p + 1 = {2 * p} + {k - 1}\cdot {p * p + p} + {p + 1} "
             rf"= {saw.deep_params}")
    st.latex(rf"\text{{one hidden layer: }} \ge 3({p}^{{{k}}} - 1) + 1 = {saw.shallow_min_params:,}"
             r"\quad \text{(3 parameters per unit, one output bias)}")
    ui.figure(fig_saw_cost, key="dp_fig_saw_cost")
    st.caption(f"The deep network's output matches the closed form zigzag({p}^k·x) to "
               f"{saw.max_error_vs_closed_form:.1e} at every breakpoint (both are linear in between). "
               "Many teeth merge into a band: drag across the plot to zoom in.")
    ui.takeaway("Depth adds parameters linearly but multiplies pieces: the deep network's count grows like k, "
                "the shallow network's like 2^k.")


_sawtooth_section()

# ---------------------------------------------------------------------------------------------- Yarotsky


@st.fragment
def _yarotsky_section() -> None:
    """One section; its widgets rerun only this fragment in the browser."""
    st.header("3. Yarotsky: x² from sawtooths")
    st.markdown(
        "Yarotsky (2017) builds $x^2$ from the same teeth: subtracting ever finer sawtooths from $x$ gives the "
        "piecewise-linear interpolant of $x^2$ at $2^m + 1$ points, and an error that shrinks 4× per layer."
    )
    m = ui.slider("Sawtooth terms m (layers)", 1, 8, 3, 1, key="dp_m")
    (row, m_win), (fig_yar, fig_yar_cost) = _view("yarotsky", int(m))
    st.latex(rf"x^2 \approx f_{{{m}}}(x) = x - \sum_{{s=1}}^{{{m}}} \frac{{t^{{(s)}}(x)}}{{4^s}}, \qquad "
             rf"\max_{{[0,1]}} |x^2 - f_{{{m}}}(x)| = 2^{{-2m-2}} = {_tex_number(row.bound)}"
             rf"\ \ (\text{{measured: }} {_tex_number(row.max_error)})")
    c1, c2 = st.columns(2)
    with c1:
        ui.figure(fig_yar, key="dp_fig_yar")
    with c2:
        ui.figure(fig_yar_cost, key="dp_fig_yar_cost")
    st.markdown(f"At m = {m}: the deep network has **{row.deep_params}** parameters, the shallow interpolant "
                f"**{row.shallow_params}** ({row.shallow_units} units). Below m = {m_win} the shallow one is cheaper; "
                f"from m = {m_win} on the deep one wins, by a factor that nearly doubles with every extra layer.")
    ui.takeaway("For a target error ε, depth needs O(log 1/ε) parameters where one hidden layer needs O(1/√ε).")


_yarotsky_section()

# ---------------------------------------------------------------------------------------------- regions


@st.fragment
def _regions_section() -> None:
    """One section; its widgets rerun only this fragment in the browser."""
    st.header("4. Linear regions: what is possible, and what you get")
    st.markdown(
        "A ReLU network is affine on each region where the same units are on. For one input we find every "
        "breakpoint exactly: on a segment each unit's input $z = a x + c$ is affine, so it switches at "
        "$x^* = -c/a$; split, go to the next layer, repeat."
    )
    budget_r = _BUDGET_LABELS[ui.selectbox("Parameter budget", list(_BUDGET_LABELS), key="dp_reg_budget", index=4)]
    pbd, fig_pbd = _view("pieces_by_depth", int(budget_r))
    ui.figure(fig_pbd, key="dp_fig_pbd")
    best = pbd.best
    st.markdown(
        f"At about {budget_r} parameters the construction's best is {pbd.constructed[best]:,.0f} pieces, with "
        f"{pbd.depths[best]} layers of {pbd.widths[best]} (upper bound {pbd.upper[best]:,}). A random "
        f"initialisation of that shape makes about {pbd.random_mean[best]:.0f}, one hidden layer about "
        f"{pbd.random_mean[0]:.0f}. **Hanin & Rolnick (2019)**: at initialisation, and in their experiments "
        "during training, the number of regions grows with the number of units, not exponentially with depth."
    )
    st.subheader("One input: a random network's breakpoints")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        n_layers_1 = ui.slider("Hidden layers", 1, 6, 3, 1, key="dp_r1_layers")
    with c2:
        width_1 = ui.slider("Width", 1, 16, 8, 1, key="dp_r1_width")
    with c3:
        seed_1 = ui.number_input("Seed", 0, 999, 0, 1, key="dp_r1_seed")
    with c4:
        sigma_b_1 = ui.slider("Bias scale σ_b", 0.0, 1.0, 0.3, 0.05, key="dp_r1_sb")
    pc1, fig_r1 = _view("random_1d", int(n_layers_1), int(width_1), int(seed_1), float(sigma_b_1))
    shape_1 = [1] + [int(width_1)] * int(n_layers_1) + [1]
    c1, c2 = st.columns([3, 1])
    with c1:
        ui.figure(fig_r1, key="dp_fig_r1")
    with c2:
        st.metric("Pieces (exact)", pc1.n_pieces)
        st.metric("Upper bound (Serra et al.)", f"{regions.serra_upper(shape_1):,}")
        st.metric("Units", int(n_layers_1) * int(width_1))
        st.caption("Weights He-normal, biases N(0, σ_b²). With σ_b = 0 every unit of the first layer switches at "
                   "x = 0, so the whole network has very few pieces.")

    st.subheader("Two inputs: regions as colours")
    c1, c2, c3 = st.columns(3)
    with c1:
        n_layers_2 = ui.slider("Hidden layers", 1, 4, 2, 1, key="dp_r2_layers")
    with c2:
        width_2 = ui.slider("Width", 2, 10, 6, 1, key="dp_r2_width")
    with c3:
        seed_2 = ui.number_input("Seed", 0, 999, 0, 1, key="dp_r2_seed")
    reg2, fig_r2 = _view("random_2d", int(n_layers_2), int(width_2), int(seed_2), 0.5)
    widths_2 = [2] + [int(width_2)] * int(n_layers_2) + [1]
    c1, c2 = st.columns([3, 2])
    with c1:
        ui.figure(fig_r2, key="dp_fig_r2")
    with c2:
        z1 = regions.zaslavsky(2, int(width_2))
        st.latex(rf"\text{{one layer (Zaslavsky): }} \sum_{{j=0}}^{{2}} \binom{{{int(width_2)}}}{{j}} = {z1}")
        st.metric("Regions in the square (exact)", f"{reg2.n_regions}{'' if reg2.complete else '+'}")
        st.metric("Montúfar et al. (2014) construction reaches", f"{regions.montufar_lower(widths_2):,}")
        st.metric("Upper bound (Serra et al. 2018)", f"{regions.serra_upper(widths_2):,}")
        st.caption("The count is exact inside the square [−2, 2]²: the plane is split by every unit's line "
                   "z = 0, layer by layer. Regions may continue outside the square. Biases N(0, 0.5²).")
    ui.takeaway("Depth makes exponentially many regions *possible*; random and trained networks use far fewer. "
                "Expressiveness per parameter is a ceiling, not a promise.")


_regions_section()

# ---------------------------------------------------------------------------------------------- trajectory


@st.fragment
def _trajectory_section() -> None:
    """One section; its widgets rerun only this fragment in the browser."""
    st.header("5. Trajectory length grows with depth")
    st.markdown(
        "Raghu et al. (2017) push a simple curve through a random network and measure its length layer by layer, "
        "$\\ell(d) = \\sum_i \\lVert z_d(\\theta_{i+1}) - z_d(\\theta_i) \\rVert$. With large weights each layer "
        "stretches and folds the curve, so its length grows exponentially in depth."
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    with c1:
        tw = ui.slider("Width k", 2, 64, 32, 1, key="dp_tr_width")
    with c2:
        td = ui.slider("Depth", 1, 16, 10, 1, key="dp_tr_depth")
    with c3:
        tl = ui.slider("Show layer", 0, 16, 10, 1, key="dp_tr_layer")
    with c4:
        tsig = ui.selectbox("Picture for σ_w", list(_SIGMAS), key="dp_tr_sigma", index=2)
    with c5:
        ts = ui.number_input("Seed", 0, 999, 0, 1, key="dp_tr_seed")
    traj, fig_traj = _view("trajectory", int(tw), int(td), int(min(tl, td)), int(ts), _SIGMAS.index(float(tsig)))
    st.latex(r"W_{ij} \sim \mathcal{N}(0, \sigma_w^2/k),\quad b_i \sim \mathcal{N}(0, 0.1^2),\quad "
             r"z_{d+1} = \tanh(W z_d + b)")
    st.latex(r"\text{growth per layer } \big(\ell(D)/\ell(1)\big)^{1/(D-1)}:\quad " + ",\\ ".join(
        rf"\sigma_w\!=\!{s:g}:\ {g:.2f}\times" for s, g in zip(traj.sigma_w, traj.growth_per_layer, strict=True)))
    ui.figure(fig_traj, key="dp_fig_traj")
    ui.takeaway("Small weights (σ_w = 1) shrink the curve; large ones make its length grow geometrically with depth. "
                "Depth is where the exponential comes from.")


_trajectory_section()

# ---------------------------------------------------------------------------------------------- equal budget
st.header("6. Equal budgets: does gradient descent find it?")
st.markdown(
    "Fit one target with networks of 1 to 6 hidden layers at equal parameter budgets (25 to 400), full batch, "
    "Adam, best of 3 seeds each. The construction proves what *exists*; training shows what is *found*."
)
c1, c2, c3 = st.columns(3)
with c1:
    _TARGETS = {label: key for key, label in depth.TARGET_LABELS.items()}
    target = _TARGETS[ui.selectbox("Target", list(_TARGETS), key="dp_eb_target")]
with c2:
    steps = ui.slider("Adam steps per network", 200, 3000, depth.DEFAULT_STEPS, 100, key="dp_eb_steps")
with c3:
    eb_seed = ui.number_input("Seed", 0, 99, 0, 1, key="dp_eb_seed")
is_default = int(steps) == depth.DEFAULT_STEPS and int(eb_seed) == 0
stored = depth.default_budget_results(target) if is_default else None
classification = target == "spiral"
fit_budget = None
if not classification:
    fit_label = ui.selectbox("Show the fits at", list(_BUDGET_LABELS), key="dp_eb_fit", index=4)
    fit_budget = depth.BUDGETS.index(_BUDGET_LABELS[fit_label])


def _show_budget(err_fig, fit_fig, caption: str, summary: dict) -> None:
    cols = st.columns(2) if fit_fig is not None else [st.container()]
    with cols[0]:
        ui.figure(err_fig, key="dp_fig_eb_err")
    if fit_fig is not None:
        with cols[1]:
            ui.figure(fit_fig, key="dp_fig_eb_fit")
    st.caption(caption)
    highs = depth.budget_highlights(summary)
    if highs:
        st.markdown("Best depth per budget: " + "; ".join(
            f"about {h.budget}: **{h.best_depth} layer{'s' if h.best_depth > 1 else ''}** (error {h.best_error:.3f}; "
            f"one hidden layer {h.shallow_error:.3f})" for h in highs) + ".")


def _draw_stepper(exp: depth.BudgetExperiment) -> None:
    if exp.results:
        err_fig, fit_fig = _budget_figs(target, exp.summary(), fit_budget)
        _show_budget(err_fig, fit_fig, f"Your run: {len(exp.results)} of {exp.n_jobs * len(exp.budgets)} cells; "
                                       f"{exp.work_seconds:.1f} s of training so far (limited to "
                                       f"{depth.RUN_SECONDS:.0f} s, so each depth gets the steps it can).",
                     exp.summary())
    elif stored is not None:
        err_fig, fit_fig = _view("budget_stored", target, fit_budget)[1]
        _show_budget(err_fig, fit_fig, f"Precomputed at these settings ({stored['steps']} steps per network, no "
                                       "time limit). Press Train to run it yourself (about 10–15 s).", stored)
    else:
        st.info("Press Train to run this experiment (about 10–15 s).")


ui.live_panel("dp_eb_live",
              lambda: depth.BudgetExperiment(target, steps=int(steps), seed=int(eb_seed)),
              _draw_stepper, config=(target, int(steps), int(eb_seed)), budget_s=0.7, interval_s=0.5,
              start_label="Train")
st.markdown(
    "What to look for: on the **sawtooth**, a 4-layer, 2-wide network with 25 parameters fits it exactly, yet "
    "from random starts gradient descent ends near the constant ½ (RMS error ≈ 0.29): narrow deep networks get "
    "stuck with dead units. At small budgets the shallow networks are the easiest to train; with a few hundred "
    "parameters the deeper ones pull ahead on the sawtooth and the sine. On the spiral every depth ends up "
    "within a few errors in a thousand."
)
ui.takeaway("Existence is not learnability: a deep network that can represent the target may not be found by "
            "gradient descent, especially when it is very narrow.")

# ---------------------------------------------------------------------------------------------- untangling


@st.fragment
def _untangling_section() -> None:
    """One section; its widgets rerun only this fragment in the browser."""
    st.header("7. Depth untangles")
    st.markdown(
        "Olah's view (*Neural Networks, Manifolds, and Topology*, 2014): each tanh layer $h = \\tanh(Wx + b)$ "
        "stretches and bends the plane without tearing it; the last layer only draws a straight line. "
        "Follow the input grid through a classifier whose hidden layers are all 2 wide."
    )
    c1, c2, c3 = st.columns(3)
    with c1:
        uset = ui.selectbox("Data", list(depth.UNTANGLE_SETS), key="dp_un_data")
    with c2:
        udepth = ui.slider("Hidden layers (2 units each)", 1, 4, 2, 1, key="dp_un_depth")
    with c3:
        ulayer = ui.slider("Show layer", 0, 4, 2, 1, key="dp_un_layer",
                           help="0 is the input plane; the last hidden layer also shows the output's straight line.")
    ulayer = min(int(ulayer), int(udepth))
    ui.figure(_view("untangle", uset, int(udepth), ulayer)[1], key="dp_fig_untangle")
    st.markdown(
        "On the **moons** a few layers pull the classes apart until a line separates them. On the **circles** "
        "no stack of 2-wide tanh layers truly can: each layer is a continuous map of the plane, one-to-one when W "
        "is invertible, and no such map pulls the inner disc out of the ring. It can only squeeze the ring thin, "
        "which makes the training accuracy high but never gives a clean split. A third unit would."
    )
    ui.takeaway("Each layer is a smooth deformation; depth composes deformations until the classes are linearly "
                "separable, if the topology allows it.")


_untangling_section()

# ---------------------------------------------------------------------------------------------- history
st.header("8. How deep is deep enough?")
c1, c2 = st.columns([2, 3])
with c1:
    fig_timeline, fig_imagenet = _view("history")[1]
    ui.figure(fig_timeline, key="dp_fig_timeline")
    st.caption("LeNet-5 (1998) → AlexNet (2012) → VGG-19 (2015) → ResNet-152 (2016); bubble area ∝ parameters.")
with c2:
    ui.figure(fig_imagenet, key="dp_fig_imagenet")
    st.caption(f"ImageNet-1K top-1 accuracy, GFLOPS and parameters of torchvision's IMAGENET1K_V1 weights, from "
               f"torchvision's published weight tables: [{depth.IMAGENET_SOURCE}]({depth.IMAGENET_SOURCE}). "
               "Bubble area ∝ parameters.")
alex_vgg = depth.compare_models("AlexNet", "VGG-19")
vgg_res = depth.compare_models("VGG-19", "ResNet-50")
vgg16_19 = depth.compare_models("VGG-16", "VGG-19")
st.markdown(
    f"VGG-19 is deeper than AlexNet and {alex_vgg.acc_gain:.1f} points better, but costs "
    f"{alex_vgg.gflops_ratio:.0f}× the computation; ResNet-50 beats it by {vgg_res.acc_gain:.1f} points with "
    f"{vgg_res.params_ratio:.0%} of its parameters and {vgg_res.gflops_ratio:.0%} of its GFLOPS. "
    "Deeper is not always better:\n"
    f"- **Parameters**: more layers of the same width cost more memory and computation (VGG-16 → VGG-19: "
    f"+{vgg16_19.gflops_ratio - 1:.0%} GFLOPS for +{vgg16_19.acc_gain:.1f} points).\n"
    "- **Optimisation**: plain deep stacks are hard to train (vanishing gradients, dead units, section 6); "
    "ResNet's skip connections are what made 152 layers trainable.\n"
    "- **Data**: more capacity needs more data, or it overfits.\n"
    "- **Inductive bias**: convolutions, pooling and skips matter as much as depth itself."
)
try:
    st.page_link(str(catalog.spec("skip_and_feedback").path), icon=":material/alt_route:",
                 label="Next: skip connections, the trick that made depth trainable")
except st.errors.StreamlitAPIException:  # that page is not in the navigation (yet)
    st.caption("Next: the *Skip and feedback connections* page shows why residual highways let depth train.")
ui.takeaway("Depth buys expressiveness per parameter; skip connections, data and the right inductive bias are "
            "what let you cash it in.")
