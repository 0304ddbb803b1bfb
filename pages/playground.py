"""Network playground: a fully connected network trained live on 2-D data, after TensorFlow Playground (its data
sets, features and learning rates, and its exact rules on request), plus multi-class and regression, optimisers,
any activation per layer, the maths of a layer, a family of random networks, and the trained model exported."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnviz import datasets, features, ui
from nnviz.activations import Phi
from nnviz.figures import playground as figs
from nnviz.mlp import count_parameters
from nnviz.topics import playground as pg
from nnviz.ui import classroom, sound_data, wide
from nnviz.views import playground as views

LRS = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # TensorFlow Playground's list
REG_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_DEPTH, MAX_WIDTH = 8, 16
DEFAULT_WIDTHS = (4, 2, 4, 4, 4, 4, 4, 4)
KEY = "pg_live"


def _new_data_seed() -> None:
    st.session_state["pg_dseed"] = (int(st.session_state.get("pg_dseed", 0)) + 1) % 10_000


ui.intro(
    "Network playground",
    "A fully connected network is a **set of functions**, one for every choice of its weights; training "
    "picks one that fits the data. Choose the data and the layers, press **Play**, and watch every neuron "
    "learn. The data sets, input features and learning rates follow TensorFlow Playground; how a step is "
    "computed is said below the network, and **TensorFlow Playground rules** reproduces its steps exactly.",
)
wide.style()  # wide formulas scroll inside their own focusable box on a phone; the code wraps its lines

# ------------------------------------------------------------------------------------------------------------
# The main controls beside the network (on a phone: above it); the rest in the sidebar
controls, stage = st.columns([1, 2.6], gap="medium")
with controls.container(border=True):
    problem = ui.radio("Problem", ["classification", "regression"], key="pg_problem", horizontal=True,
                       format_func=str.capitalize)
    sets = datasets.CLASSIFICATION_SETS if problem == "classification" else datasets.REGRESSION_SETS
    extra = ["sounds", "csv"] if problem == "classification" else ["csv"]
    set_name = ui.selectbox("Data set", [*sets, *extra], key="pg_data_c" if problem == "classification"
                            else "pg_data_r", format_func=ui.labels({**sets, "sounds": "Sounds: timbres by ear",
                                                                     "csv": "Upload a CSV…"}))
    st.button("New data", key="pg_regen", on_click=_new_data_seed, icon=":material/casino:",
              help="Draw new points (the data seed goes up by one).")
    depth = ui.slider("Hidden layers", 0, MAX_DEPTH, 2, 1, key="pg_depth")
    wcols, widths_hidden = st.columns(2), []
    for i in range(depth):
        with wcols[i % 2]:
            widths_hidden.append(int(ui.number_input(f"Layer {i + 1}", 1, MAX_WIDTH, DEFAULT_WIDTHS[i], 1,
                                                     key=f"pg_n{i + 1}")))
    if depth:
        st.caption(f"Neurons in each hidden layer (1 to {MAX_WIDTH}).")
    phi = ui.phi_select("Activation φ", key="pg_act", default="tanh")
    lr = ui.selectbox("Learning rate η", LRS, key="pg_lr", index=LRS.index(0.03), format_func=lambda v: f"{v:g}")
    tfp_rules = ui.checkbox("TensorFlow Playground rules", False, key="pg_tfp",
                            help="tanh output with labels ±1 and squared error, one fixed order, leftover points "
                                 "carried over, plain SGD, L1 that clips to zero: TensorFlow Playground's steps.")

with st.sidebar:
    st.header("More playground settings", divider="gray")
    noise = ui.slider("Noise (%)", 0, 50, 0, 5, key="pg_noise")
    ratio = ui.slider("Training data (%)", 10, 90, 50, 10, key="pg_ratio")
    n_points = ui.slider("Number of points", 100, 1000, 500, 50, key="pg_n")
    data_seed = int(ui.number_input("Data seed", 0, 9999, 0, 1, key="pg_dseed"))
    st.subheader("Input features")
    chosen = []
    # a column per kind, each read top down: the keyboard's order (column by column) is the reading order
    for column, keys in zip(st.columns(3), features.KINDS, strict=True):
        with column:
            chosen += [k for k in keys if ui.checkbox(features.FEATURES[k].text, k in ("x1", "x2"), key=f"pg_f_{k}")]
    st.subheader("Network and training")
    per_layer = ui.checkbox("A different activation per layer", False, key="pg_perlayer") if depth > 1 else False
    phis = [phi] * depth
    if per_layer:
        phis = [Phi(ui.activation_select(f"φ of hidden layer {i + 1}", key=f"pg_act{i + 1}", default=phi.key),
                    phi.params) for i in range(depth)]
    init = ui.selectbox("Initial weights", list(pg.INITS), key="pg_init", format_func=ui.labels(pg.INITS),
                        disabled=tfp_rules,
                        help="Drawn from the same distributions as PyTorch's nn.init (a numpy generator seeded by "
                             "the weight seed: the same seed gives the same weights here, not the numbers PyTorch "
                             "would draw).")
    net_seed = int(ui.number_input("Weight seed", 0, 9999, 0, 1, key="pg_seed"))
    optimizer = ui.selectbox("Optimiser", list(pg.OPTIMIZERS), key="pg_opt", format_func=ui.labels(pg.OPTIMIZERS),
                             disabled=tfp_rules)
    batch = ui.slider("Batch size", 1, 100, 10, 1, key="pg_batch")
    reg = ui.selectbox("Regularisation", list(pg.REGULARISERS), key="pg_reg", format_func=ui.labels(pg.REGULARISERS))
    reg_rate = ui.selectbox("Regularisation rate λ", REG_RATES, key="pg_reg_rate", index=REG_RATES.index(0.001),
                            format_func=lambda v: f"{v:g}", disabled=reg == "none")
    stop_epoch = int(ui.number_input("Stop at epoch", 10, 100_000, 20_000, 1000, key="pg_stop"))
    st.subheader("View")
    show_test = ui.checkbox("Show test data", True, key="pg_show_test")
    discretise = ui.checkbox("Discretise output", False, key="pg_discrete")

# ------------------------------------------------------------------------------------------------------------
# Settings -> the run's configuration (a change of any of these starts a new network)
fallback = "circle" if problem == "classification" else "plane"
split = views.split(problem, set_name if set_name in sets else fallback, n_points, noise / 100, ratio / 100,
                    data_seed)
data_id: tuple = (problem, set_name, n_points, noise, ratio, data_seed)
sounds = None
if set_name == "sounds":
    sounds = sound_data.data_section("pg_", controls, n_points, noise / 100, ratio / 100, data_seed)
    split, data_id = sounds.split, sounds.data_id
if set_name == "csv":
    upload = controls.file_uploader(f"CSV with columns x1, x2, label (at most {datasets.CSV_MAX_BYTES // 1000} kB, "
                                    f"{datasets.CSV_MAX_ROWS:,} rows)", type=["csv", "txt"], key="pg_csv")
    if upload is None:
        controls.info(f"Upload a CSV file to train on your own points; meanwhile the {fallback} set is shown.")
    else:
        loaded = views.csv_split(upload.getvalue(), problem, ratio / 100, data_seed)
        last = st.session_state.get("pg_csv_last")  # the last good file, kept when a new one cannot be used
        if loaded.split is None:
            kept = last is not None and last[0] == (problem, ratio, data_seed)
            controls.error(f"That file cannot be used: {ui.plain(loaded.error)}"
                           + (" The last file that worked is still in use." if kept else ""))
            if kept:
                split, data_id = last[1], last[2]
        else:
            split, data_id = loaded.split, (problem, "csv", loaded.digest, ratio, data_seed)
            st.session_state["pg_csv_last"] = ((problem, ratio, data_seed), split, data_id)
            controls.caption(ui.plain(" ".join(loaded.notes)))
if not chosen:
    controls.warning("No input feature is switched on, so the network would see nothing: using x₁ and x₂.")
    chosen = ["x1", "x2"]
keys = features.ordered(chosen)
task = "regression" if problem == "regression" else ("binary" if split.n_classes == 2 else "multiclass")
rules = "tfp" if tfp_rules else "nnviz"
if tfp_rules and task == "multiclass":
    controls.warning("TensorFlow Playground has only two-class sets, so its rules do not cover these "
                     f"{split.n_classes} classes: this run uses nnviz's rules.")
    rules = "nnviz"
if rules == "tfp":
    init, optimizer = "tfp", "sgd"
n_train = len(split.X_train)
widths = (len(keys), *widths_hidden, pg.output_width(task, split.n_classes))
hyper = pg.Hyper(lr=lr, batch_size=int(batch), optimizer=optimizer, reg=reg, reg_rate=reg_rate if reg != "none" else 0)
config = (data_id, keys, widths, tuple(phis), init, net_seed, rules)
feature_labels = [features.FEATURES[k].text for k in keys]


def make() -> pg.Trainer:
    net = pg.Network.initial(widths, phis, seed=net_seed, init=init)
    run = pg.Trainer(net, features.transform(split.X_train, keys), split.y_train,
                     features.transform(split.X_test, keys), split.y_test, task, split.n_classes, hyper,
                     seed=net_seed, max_steps=stop_epoch, rules=rules)
    return run


def update(run: pg.Trainer) -> None:
    run.set_hyper(hyper)  # learning rate, batch size, optimiser and λ apply from the next epoch
    run.set_stop(stop_epoch)


def draw(run: pg.Trainer, running: bool) -> None:
    if run.diverged:
        st.warning(f"Training diverged at epoch {run.epoch:,}: the loss passed {pg.DIVERGENCE_LOSS:g} or stopped "
                   f"being a number. With learning rate {run.hyper.lr:g} each step overshoots the minimum by more "
                   "than it corrects, so the weights grow without bound. The plots show the last sane network. "
                   "Lower the learning rate (or use Adam), then press Reset.", icon=":material/warning:")
    elif run.done and not run.cut:
        st.caption(f"Reached the stop epoch {run.max_steps:,}: raise it (sidebar) to train on, or Reset.")
    trend = pg.loss_trend(run.history["epoch"], run.history["train_loss"])
    if trend.alarm and not run.diverged:
        st.warning(trend.sentence, icon=":material/show_chart:")
    net, steps = run.net, (run.steps, run.diverged)
    view = views.remembered("view", run, steps, lambda: pg.plane_view(net, keys, task, rules, res=100,
                                                                     tile_res=16 if max(widths) <= 4 else 12))
    scale = pg.output_scale(task, rules, view.output)
    legend_px = classroom.FONT_PX if classroom.is_on() else figs.LEGEND_PX
    if running:  # images, swapped in place at every frame (a redrawn chart would blink)
        st.image(figs.network_frame(view, net.Ws, feature_labels), caption="The network, live")
    else:  # paused: the figures of this run at this step are built once, whatever else the student changes
        chart = views.frozen("net", run, steps, lambda: figs.network_diagram(
            view, net.Ws, feature_labels, height=min(600, 140 + 55 * max(widths))))
        ui.figure(chart.figure(), key="pg_fig_net", alt=chart.alt)
    left, right = st.columns(2)
    with left:
        if running:
            st.image(figs.output_frame(view, split, task, scale, show_test=show_test, discretise=discretise),
                     caption=f"Output ({scale.title}) over the plane: x₁ across, x₂ up, −6 to 6", width="stretch")
        else:
            chart = views.frozen("out", run, (steps, show_test, discretise), lambda: figs.output_map(
                view, split, task, scale, show_test=show_test, discretise=discretise, height=400,
                axes=sounds.axes if sounds else ("x₁", "x₂"), names=sounds.names if sounds else None,
                legend_px=legend_px))
            ui.figure(chart.figure(), key="pg_fig_out", alt=chart.alt)
    with right:
        if running:
            st.image(figs.curves_frame(run.history, task), width="stretch",
                     caption="Loss (thick: blue training, orange test) and accuracy (thin). Pause to hover.")
        else:
            chart = views.frozen("loss", run, steps, lambda: figs.loss_curves(
                run.history, task, pg.loss_name(task, rules), height=400, legend_px=legend_px))
            ui.figure(chart.figure(), key="pg_fig_loss", alt=chart.alt)
    if not running:  # the binning note is for the paused figure (the live image bins its own pixel columns)
        env = pg.envelope(run.history["epoch"], run.history["train_loss"], figs.CURVE_BINS)
        if env.binned:
            st.caption(env.note)
    if trend.sentence and not trend.alarm:
        st.caption(trend.sentence)


with stage:
    run: pg.Trainer = ui.live_panel(KEY, make, draw, config=config, start_label="Play", step_label="Step",
                                   update=update, name="the network")
stage.caption(
    "Top: each square is one unit's value over the input plane (blue positive, vermillion negative, each scaled to "
    "its own range); edges are weights, blue solid positive, vermillion dashed negative, thicker = larger. Below: "
    "the output with the training points (white rim) and test points (dark rim), each class its own colour and "
    "shape (regression: circles and diamonds filled with the target). Learning rate, batch size, optimiser, "
    "regularisation and the stop epoch can change while it plays; changing the data, inputs, layers, initial "
    "weights or rules starts a new network.")
if sounds:
    sound_data.hear_section("pg_", sounds, run.net, keys, task, rules)

st.subheader("How this run takes a step")
st.markdown("\n".join(f"- {s}" for s in pg.conventions(task, rules, hyper, init, n_train)))
if "step" in [p.key for p in phis]:
    st.info("The unit step has derivative 0 everywhere it is defined, so gradients are zero and gradient descent "
            "cannot change the weights before it.")

# ------------------------------------------------------------------------------------------------------------
st.header("The loss being minimised")
n_w, n_b = count_parameters(widths)
wide.formula(pg.network_latex(widths, phis, task, rules), "The network as a formula")
wide.formula(pg.loss_latex(task, rules, reg, run.history.last("train_loss"), pg.penalty(run.net, reg, hyper.reg_rate)),
             "The loss as a formula")
per_step = pg.steps_per_epoch(n_train, int(batch), rules)
st.markdown(
    f"{n_w} weights and {n_b} biases: {n_w + n_b} numbers that training tunes. Each **step** takes a mini-batch "
    f"of {min(int(batch), n_train)} training points, computes the gradient of this loss by backpropagation and "
    f"moves every weight against it ({pg.OPTIMIZERS[optimizer]}, learning rate {lr:g}). One **epoch** is one pass "
    f"over all {n_train} training points: {per_step} step{'s' * (per_step != 1)}."
    + (f" {pg.dead_note(run)}" if run.dead_weights else ""))

# ------------------------------------------------------------------------------------------------------------
st.header("A network is a set of functions")
st.markdown(
    "Fix the architecture and every choice of weights gives a different function. Before training, here are "
    "eight random draws of *this* architecture (grey) along the line x₂ = 0 of the plane; training moves the "
    "weights until the function fits the data. Its current state is the blue curve.")
family = views.family(widths, tuple(phis), keys, task, tuple(range(net_seed + 1, net_seed + 9)), init, rules)
y_title = {"regression": "ŷ", "binary": "output o" if rules == "tfp" else "P(class 1)"}.get(task, "P(class 1)")
chart = views.frozen("family", run, (run.steps,), lambda: figs.family_figure(
    family, y_title, trained=pg.slice_output(run.net, keys, task, rules, family.x1)))
ui.figure(chart.figure(), key="pg_fig_family", alt=chart.alt)
st.caption(pg.family_note(family, init, phis))

# ------------------------------------------------------------------------------------------------------------
@ui.section
def _layer_maths(run: pg.Trainer, depth: int, keys: tuple[str, ...], feature_labels: list[str], task: str,
                 rules: str) -> None:
    """One layer's z = Wx + b and h = phi(z) with this run's numbers, at an example point."""
    st.header("The maths of one layer")
    layer_names = [f"hidden layer {i + 1}" for i in range(depth)] + ["output layer"]
    mcol1, mcol2, mcol3 = st.columns([2, 1, 1])
    with mcol1:
        pick = ui.selectbox("Layer", layer_names, key="pg_layer")
    with mcol2:
        ex1 = ui.slider("example x₁", -6.0, 6.0, 1.0, 0.5, key="pg_ex1")
    with mcol3:
        ex2 = ui.slider("example x₂", -6.0, 6.0, -2.0, 0.5, key="pg_ex2")
    layer = layer_names.index(pick)
    x_example = features.transform(np.array([[ex1, ex2]]), keys)[0]
    maths = pg.layer_maths(run.net, x_example, layer)
    st.markdown(f"The point (x₁, x₂) = ({ex1:g}, {ex2:g}) enters as the features ({', '.join(feature_labels)}) = "
                f"({', '.join(f'{v:.2f}' for v in x_example)}). Epoch {run.epoch:,}'s weights:")
    for i, line in enumerate(pg.layer_latex(maths, task, rules)):
        wide.formula(line, f"The {pick}'s " + ("pre-activation z" if i == 0 else "output"))
    if max(maths.W.shape) > pg.MATRIX_MAX:
        st.caption(f"Only the first {pg.MATRIX_MAX} rows and columns are printed.")
    if ui.is_running(KEY):
        st.caption("These numbers update when training is paused.")


_layer_maths(run, depth, keys, feature_labels, task, rules)

# ------------------------------------------------------------------------------------------------------------
st.header("Take the model with you")
net_now, epoch_now = run.net.copy(), run.epoch  # written only when pressed (it took 10-50 ms a rerun)
st.download_button("Download the weights (JSON)", lambda: pg.weights_json(net_now, keys, task, epoch_now, rules),
                   file_name="nnviz_weights.json", mime="application/json", key="pg_dl", icon=":material/download:",
                   on_click="ignore")
st.caption("The JSON holds the features, the layer sizes, the activations and every W and b; the script below "
           "rebuilds the model from it in PyTorch.")
# Closed, it is not drawn: highlighting the script took 0.66 s of a first visit's main thread in Chromium.
with ui.lazy_expander("Show the PyTorch script", "pg_script_open") as SCRIPT:
    if SCRIPT.open:
        st.code(pg.torch_snippet(run.net, keys, task, json_name="nnviz_weights.json", rules=rules),
                language="python", wrap_lines=True)

ui.takeaway(
    "A network is a family of functions indexed by its weights; gradient descent walks through that family "
    "towards one that fits the training data. Good input features make the walk short, depth and width "
    "make the family rich, and too large a learning rate makes the walk swing or fly off.")
