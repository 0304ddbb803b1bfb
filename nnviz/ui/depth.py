"""Sections of the "Why go deep?" page that would make the page long: one typed architecture's counts, the
equal-budget table, the sawtooth heard as octaves, the two-input regions and the equal-budget experiment.

Each ``*_section(key_prefix)`` (or ``architecture_column``) draws one part of a tab; the page calls it in one line.
Keys are ``key_prefix`` + the part's own name, so links made before the move still open the same settings.
"""

from __future__ import annotations

import streamlit as st

from nnviz.topics.depth import budget, counting, octaves
from nnviz.topics.regions import montufar_lower, serra_upper, zaslavsky
from nnviz.ui.common import (
    figure,
    number_input,
    section,
    selectbox,
    slider,
    stored_run_caption,
    takeaway,
    text_input,
)
from nnviz.ui.links import plain
from nnviz.ui.live import live_panel
from nnviz.ui.sound import clip
from nnviz.views import depth as views

BUDGET_LABELS = {f"about {b} parameters": b for b in budget.BUDGETS}
_TARGETS = {label: key for key, label in budget.TARGET_LABELS.items()}
_ARCH_HELP = "Input width, hidden widths, output width; up to 10 hidden layers of at most 512."


def show(chart: views.Chart, key: str, data: bool = True) -> None:
    """A cached ``views.Chart`` on the page, with its text alternative (and a CSV of its numbers if ``data``)."""
    figure(chart.figure(), key=key, alt=chart.alt, data=data)


def architecture_column(key_prefix: str, name: str, default: str) -> counting.Architecture | None:
    """Architecture ``name`` typed as widths: its weight and bias sums with the numbers, its diagram and its table.

    Returns the counted architecture, or None (with a plain-words warning) when the text cannot be read.
    """
    text = text_input(f"Architecture {name} (widths)", default, key=f"{key_prefix}arch_{name.lower()}",
                      help=_ARCH_HELP)
    try:
        widths = tuple(counting.parse_widths(text))
    except ValueError as e:
        st.warning(f"Architecture {name} could not be read, so it is not drawn: {plain(e)}",
                   icon=":material/edit_note:")
        return None
    arch = views.architecture(widths)
    rows = arch.layers
    shown = rows if len(rows) <= 4 else [rows[0], None, rows[-1]]
    st.latex(_sum_lines("weights", [r"\cdots" if r is None else rf"{r.n_in}\times{r.n_out}" for r in shown],
                        arch.weights))
    st.latex(_sum_lines("biases", [r"\cdots" if r is None else str(r.biases) for r in shown], arch.biases, per_line=4))
    show(views.network_chart(widths, name), key=f"{key_prefix}fig_net_{name}", data=False)  # a diagram: no table
    st.markdown("| layer | from → to | weights | biases |\n|---:|:---:|---:|---:|\n" + "\n".join(
        f"| {r.layer} | {r.n_in} → {r.n_out} | {r.weights} | {r.biases} |" for r in rows))
    return arch


def _sum_lines(name: str, terms: list[str], total: int, per_line: int = 2) -> str:
    """``name = t1 + t2 + ... = total`` in LaTeX, ``per_line`` terms a line, so it fits a 390 px phone."""
    lines = [" + ".join(terms[i:i + per_line]) for i in range(0, len(terms), per_line)]
    if len(lines) == 1:
        return rf"\text{{{name}}} = {lines[0]} = {total}"
    body = r" \\ &\quad + ".join(lines)
    return rf"\begin{{aligned}} \text{{{name}}} &= {body} \\ &= {total} \end{{aligned}}"


@section
def budget_table_section(key_prefix: str, n_in: int, n_out: int) -> None:
    """Depths 1-6 at one parameter budget: the widths that spend it. A fragment: the slider reruns only this."""
    st.subheader("Equal budgets")
    size = slider("Parameter budget (weights + biases)", 10, 5000, 200, 10, key=f"{key_prefix}budget")
    shapes = views.budget_shapes(n_in, n_out, int(size))
    st.markdown("| hidden layers | width | widths | parameters |\n|---:|---:|:---|---:|\n" + "\n".join(
        f"| {r.depth} | {r.width} | {list(r.widths)} | {r.parameters} |" for r in shapes))
    st.caption(f"Inputs and outputs from architecture A ({n_in} in, {n_out} out); each width is the one whose "
               "parameter count is closest to the budget. Deep networks at equal budget are narrow.")


def octaves_section(key_prefix: str) -> None:
    """The tent map composed k times, played as a wavetable: deep and shallow networks, the same tone."""
    st.markdown(f"Play one period of $t^k$ over and over, {octaves.TABLE_RATE:g} times a second, as a synthesiser "
                "plays a wavetable. Each layer doubles the teeth in the period, so the tone rises one octave per "
                "layer. The one-hidden-layer network with a unit per tooth computes the same table.")
    k = int(slider("Layers k (2 ReLUs each)", 1, octaves.K_MAX, 4, 1, key=f"{key_prefix}oct_k"))
    heard = views.octaves_heard(k)
    r = heard.result
    layers_chart, spectrum_chart = views.octave_charts(k)
    c1, c2 = st.columns(2)
    with c1:
        show(layers_chart, key=f"{key_prefix}fig_oct_layers")
    with c2:
        show(spectrum_chart, key=f"{key_prefix}fig_oct_spectrum")
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
            clip(wav, caption=caption, name=f"tent_{name}_k{k}", key=f"{key_prefix}oct_dl_{name}")
    st.caption(r.level_note + " The spectrum and the pitches are measured on the raw table.")


def regions_2d_section(key_prefix: str) -> None:
    """A random two-input ReLU network's regions, exactly, against Zaslavsky's, Montúfar's and Serra's counts."""
    st.subheader("Two inputs: regions as colours")
    c1, c2, c3 = st.columns(3)
    with c1:
        n_layers = int(slider("Hidden layers (two inputs)", 1, 4, 2, 1, key=f"{key_prefix}r2_layers"))
    with c2:
        width = int(slider("Width (two inputs)", 2, 10, 6, 1, key=f"{key_prefix}r2_width"))
    with c3:
        seed = int(number_input("Seed (two inputs)", 0, 999, 0, 1, key=f"{key_prefix}r2_seed"))
    r2 = views.random_2d(n_layers, width, seed)
    c1, c2 = st.columns([3, 2])
    with c1:
        show(views.random_2d_chart(n_layers, width, seed), key=f"{key_prefix}fig_r2")
    with c2:
        st.latex(rf"\text{{one layer (Zaslavsky): }} \sum_{{j=0}}^{{2}} \binom{{{width}}}{{j}} = {zaslavsky(2, width)}")
        st.metric("Regions in the square (exact)", r2.count_text)
        st.metric("Montúfar et al. (2014) construction reaches", f"{montufar_lower(r2.widths):,}")
        st.metric("Upper bound (Serra et al. 2018)", f"{serra_upper(r2.widths):,}")
        st.caption("The count is exact inside the square [−2, 2]²: the plane is split by every unit's line "
                   "z = 0, layer by layer. Regions may continue outside the square. Biases N(0, 0.5²).")


def _draw_budget(run: budget.BudgetExperiment, key_prefix: str, target: str, fit_index: int | None,
                 stored: bool) -> None:
    """The error and fit figures and what to look for: of the live run once it has steps, else the stored one."""
    if run.steps:
        res = run.result()
        errors, fits = views.budget_run_charts(res, fit_index)
    elif stored:
        res = views.budget_default(target)
        errors, fits = views.budget_charts(target, fit_index)
    else:
        st.info(f"Press Train to run this experiment: {run.max_steps:,} Adam steps, a minute or more of the "
                "server's time; on this server the same settings always give the same numbers.")
        return
    cols = st.columns(2) if fits is not None else [st.container()]
    with cols[0]:
        show(errors, key=f"{key_prefix}fig_eb_err")
    if fits is not None:
        with cols[1]:
            show(fits, key=f"{key_prefix}fig_eb_fit")
    if not run.steps:
        stored_run_caption(f"Precomputed at these settings ({res.steps:,} steps per network, seed {res.seed}).")
    st.markdown("**What to look for.** " + " ".join(budget.look_for(res)))


def equal_budgets_section(key_prefix: str) -> None:
    """Train 1-6 hidden layers at equal budgets for a fixed number of steps (shared, precomputed at defaults)."""
    p = f"{key_prefix}eb_"
    c1, c2, c3 = st.columns(3)
    with c1:
        target = _TARGETS[selectbox("Target", list(_TARGETS), key=f"{p}target")]
    low, high, step = budget.STEPS_RANGE
    with c2:
        steps = int(slider("Adam steps per network", low, high, budget.DEFAULT_STEPS, step, key=f"{p}steps"))
    with c3:
        seed = int(number_input("Seed (equal budgets)", 0, 99, budget.DEFAULT_SEED, 1, key=f"{p}seed"))
    stored = (steps, seed) == (budget.DEFAULT_STEPS, budget.DEFAULT_SEED) and views.budget_default(target) is not None
    fit_index = None
    if target != "spiral":
        fit_index = budget.BUDGETS.index(BUDGET_LABELS[selectbox("Show the fits at", list(BUDGET_LABELS),
                                                                 key=f"{p}fit", index=4)])
    live_panel(f"{p}live", lambda: budget.BudgetExperiment(target, steps, seed),
               lambda run, running: _draw_budget(run, key_prefix, target, fit_index, stored),
               config=(target, steps, seed), shared=True, budget_s=0.35, interval_s=0.5, start_label="Train",
               name="equal budgets")
    takeaway("Existence is not learnability: a deep network that can represent the target may not be found by "
             "gradient descent, especially when it is very narrow.")
