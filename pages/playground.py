"""Network playground: a fully connected network trained live on 2-D data, TensorFlow Playground style, and
more: multi-class and regression, optimisers, any activation per layer, the maths of a layer, a family of random
networks, divergence caught, and the trained model exported."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import streamlit as st

from nnviz import activations, datasets, features, ui
from nnviz import training as T
from nnviz.figures import playground as figs
from nnviz.live import INTERVAL_S, tick_budget
from nnviz.mlp import count_parameters

LRS = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_DEPTH, MAX_WIDTH = 8, 16
DEFAULT_WIDTHS = (4, 2, 4, 4, 4, 4, 4, 4)
# No background training thread on the server: on a shared demo a thread per playing user would hold a core
# (and the interpreter) continuously; time slices inside the fragment train only while someone is watching.
BACKGROUND_THREAD = False
INITS = {"xavier": "Xavier (Glorot) uniform", "he": "He (Kaiming) normal", "default": "PyTorch's default"}
LOSS_NAMES = {"binary": "cross-entropy", "multiclass": "cross-entropy", "regression": "mean squared error"}


@st.cache_data(max_entries=32, show_spinner=False)
def _split(problem: str, name: str, n: int, noise: float, ratio: float, seed: int) -> datasets.Split:
    pts = datasets.playground_set(name, n, noise, seed)
    return datasets.train_test_split(pts, ratio, seed, regression=problem == "regression")


@st.cache_data(max_entries=16, show_spinner=False)
def _csv_split(data: bytes, problem: str, ratio: float, seed: int) -> tuple[datasets.Split, tuple[str, ...]]:
    loaded = datasets.load_csv(data, problem)
    return datasets.train_test_split(loaded.points, ratio, seed, regression=problem == "regression"), loaded.notes


@st.cache_data(max_entries=32, show_spinner=False)
def _family(widths: tuple, phis: tuple, keys: tuple, task: str, seeds: tuple, init: str,
            params: tuple) -> T.Family:
    return T.random_family(widths, phis, keys, task, seeds, init, dict(params))


def _names(mapping: dict) -> object:
    """A format_func showing a key's display name (and leaving a name that is already one unchanged)."""
    return lambda k: mapping.get(k, str(k))


def _number(v: object) -> str:
    return f"{v:g}" if isinstance(v, int | float) else str(v)


def _new_data_seed() -> None:
    st.session_state["pg_dseed"] = (int(st.session_state.get("pg_dseed", 0)) + 1) % 10_000


ui.intro(
    "Network playground",
    "A fully connected network is a **set of functions**, one for every choice of its weights; training "
    "picks one that fits the data. Choose the data, the inputs, the layers and the optimiser, press **Play**, "
    "and watch every neuron learn.",
)

# ------------------------------------------------------------------------------------------------------------
controls = st.sidebar
main = st.container()
with controls:
    st.header("Playground settings", divider="gray")
    st.subheader("Data")
    problem = ui.radio("Problem", ["classification", "regression"], key="pg_problem", horizontal=True,
                       format_func=str.capitalize)
    if problem == "classification":
        options = [*datasets.CLASSIFICATION_SETS, "csv"]
        set_name = ui.selectbox("Data set", options, key="pg_data_c",
                                format_func=_names({**datasets.CLASSIFICATION_SETS, "csv": "Upload a CSV…"}))
    else:
        options = [*datasets.REGRESSION_SETS, "csv"]
        set_name = ui.selectbox("Data set", options, key="pg_data_r",
                                format_func=_names({**datasets.REGRESSION_SETS, "csv": "Upload a CSV…"}))
    noise = ui.slider("Noise (%)", 0, 50, 0, 5, key="pg_noise")
    ratio = ui.slider("Training data (%)", 10, 90, 50, 10, key="pg_ratio")
    n_points = ui.slider("Number of points", 100, 1000, 500, 50, key="pg_n")
    seed_col, button_col = st.columns([3, 2], vertical_alignment="bottom")
    data_seed = int(seed_col.number_input("Data seed", 0, 9999, 0, 1, key="pg_dseed", bind="query-params"))
    button_col.button("New data", key="pg_regen", on_click=_new_data_seed, icon=":material/casino:")

    st.subheader("Input features")
    fcols = st.columns(3)
    chosen = [k for i, (k, f) in enumerate(features.FEATURES.items())
              if fcols[i % 3].checkbox(f.text, value=k in ("x1", "x2"), key=f"pg_f_{k}", bind="query-params")]

    st.subheader("Network")
    depth = ui.slider("Hidden layers", 0, MAX_DEPTH, 2, 1, key="pg_depth")
    if depth:
        st.caption(f"Neurons in each hidden layer (1 to {MAX_WIDTH})")
    wcols = st.columns(4)
    widths_hidden = [int(wcols[i % 4].number_input(f"h{i + 1}", 1, MAX_WIDTH, DEFAULT_WIDTHS[i], 1,
                                                   key=f"pg_n{i + 1}", bind="query-params"))
                     for i in range(depth)]
    act = ui.activation_select("Activation φ", key="pg_act", default="tanh")
    phi_params = ui.activation_params(act, key="pg_act")
    per_layer = ui.checkbox("A different activation per layer", False, key="pg_perlayer") if depth > 1 else False
    phis = [act] * depth
    if per_layer:
        phis = [ui.activation_select(f"φ of hidden layer {i + 1}", key=f"pg_act{i + 1}", default=act)
                for i in range(depth)]
    init = ui.selectbox("Initial weights", list(INITS), key="pg_init", format_func=_names(INITS))
    net_seed = int(ui.number_input("Weight seed", 0, 9999, 0, 1, key="pg_seed"))

    st.subheader("Training")
    lr = ui.selectbox("Learning rate", LRS, key="pg_lr", index=LRS.index(0.03), format_func=_number)
    optimizer = ui.selectbox("Optimiser", list(T.OPTIMIZERS), key="pg_opt", format_func=_names(T.OPTIMIZERS))
    batch = ui.slider("Batch size", 1, 100, 10, 1, key="pg_batch")
    rcol1, rcol2 = st.columns(2)
    with rcol1:
        reg = ui.selectbox("Regularisation", list(T.REGULARISERS), key="pg_reg", format_func=_names(T.REGULARISERS))
    with rcol2:
        reg_rate = ui.selectbox("Rate λ", REG_RATES, key="pg_reg_rate", index=REG_RATES.index(0.001),
                                format_func=_number, disabled=reg == "none")
    stop_epoch = int(ui.number_input("Stop at epoch", 10, 100_000, 1000, 100, key="pg_stop"))

# ------------------------------------------------------------------------------------------------------------
# Data and settings -> the run's configuration (a change of any of these starts a new run)
if set_name == "csv":
    upload = controls.file_uploader(
        f"CSV with columns x1, x2, label (at most {datasets.CSV_MAX_BYTES // 1000} kB, "
        f"{datasets.CSV_MAX_ROWS:,} rows)", type=["csv", "txt"], key="pg_csv")
    fallback = "circle" if problem == "classification" else "plane"
    split = _split(problem, fallback, n_points, noise / 100, ratio / 100, data_seed)
    data_id: tuple = (problem, fallback, n_points, noise, ratio, data_seed)
    if upload is None:
        controls.info(f"Upload a CSV file to train on your own points; meanwhile the {fallback} set is shown.")
    else:
        raw = upload.getvalue()
        try:
            split, notes = _csv_split(raw, problem, ratio / 100, data_seed)
            data_id = (problem, "csv", hashlib.sha1(raw).hexdigest(), ratio, data_seed)
            controls.caption(" ".join(notes))
        except ValueError as err:
            controls.error(f"That file cannot be used: {err}")
else:
    split = _split(problem, set_name, n_points, noise / 100, ratio / 100, data_seed)
    data_id = (problem, set_name, n_points, noise, ratio, data_seed)

if not chosen:
    controls.warning("No input feature is switched on, so the network would see nothing: using x₁ and x₂.")
    chosen = ["x1", "x2"]
keys = features.ordered(chosen)
task = "regression" if problem == "regression" else ("binary" if split.n_classes == 2 else "multiclass")
n_out = T.output_width(task, split.n_classes)
widths = (len(keys), *widths_hidden, n_out)
hyper = T.Hyper(lr=lr, batch_size=int(batch), optimizer=optimizer, reg=reg,
                reg_rate=reg_rate if reg != "none" else 0.0)
config = (data_id, keys, widths, tuple(phis), tuple(sorted(phi_params.items())), init, net_seed)


def _make() -> T.Trainer:
    net = T.Network.initial(widths, phis, seed=net_seed, init=init, phi_params=phi_params)
    return T.Trainer(net, features.transform(split.X_train, keys), split.y_train,
                     features.transform(split.X_test, keys), split.y_test, task, split.n_classes, hyper,
                     seed=net_seed, stop_epoch=stop_epoch)


def _fresh_state() -> dict:
    trainer = _make()
    return {"trainer": trainer, "bg": T.Background(trainer, threaded=BACKGROUND_THREAD), "running": False,
            "config": config, "ticks": []}


state = st.session_state.get("pg_live")
if state is None or state["config"] != config:
    if state is not None:
        state["bg"].stop()  # the old run's thread, if it still trains
    state = _fresh_state()
    st.session_state["pg_live"] = state
trainer: T.Trainer = state["trainer"]
with state["bg"].lock:
    trainer.set_hyper(hyper)  # learning rate, batch size, optimiser and λ apply from the next step
    trainer.stop_epoch = stop_epoch
feature_labels = [features.FEATURES[k].text for k in keys]

with controls:
    st.subheader("View")
    show_test = ui.checkbox("Show test data", True, key="pg_show_test")
    discretise = ui.checkbox("Discretise output", False, key="pg_discrete")
    if "step" in phis:
        st.info("The unit step has derivative 0 everywhere it is defined, so gradients are zero and "
                "gradient descent cannot change the weights before it.")
    if batch > len(split.X_train):
        st.caption(f"The batch size is larger than the {len(split.X_train)} training points: "
                   "every step uses all of them (full-batch gradient descent).")

# ------------------------------------------------------------------------------------------------------------
with main:
    out_sym = {"binary": r"\sigma", "multiclass": r"\operatorname{softmax}", "regression": ""}[task]
    lines = []
    for i in range(depth):
        prev = "x" if i == 0 else f"h_{{{i}}}"
        phi_name = activations.label(phis[i]).replace(" ", r"\ ")
        lines.append(rf"h_{{{i + 1}}} &= \text{{{phi_name}}}(W_{{{i + 1}}} {prev} + b_{{{i + 1}}}) "
                     rf"&& W_{{{i + 1}}} \in \mathbb{{R}}^{{{widths[i + 1]} \times {widths[i]}}}")
    if depth > 4:
        lines = [*lines[:2], r"&\;\vdots", *lines[-2:]]
    last = "x" if depth == 0 else f"h_{{{depth}}}"
    affine = rf"W_{{{depth + 1}}} {last} + b_{{{depth + 1}}}"
    lines.append(rf"\hat y &= {out_sym + '(' + affine + ')' if out_sym else affine} "
                 rf"&& W_{{{depth + 1}}} \in \mathbb{{R}}^{{{widths[-1]} \times {widths[-2]}}}")
    st.latex(r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}")
    n_w, n_b = count_parameters(widths)
    st.caption(f"{n_w} weights and {n_b} biases: {n_w + n_b} numbers that training tunes. "
               f"Loss: {LOSS_NAMES[task]}" + (f" plus {T.REGULARISERS[reg]} regularisation." if reg != "none"
                                               else "."))

    @st.fragment(run_every=INTERVAL_S if state["running"] else None)
    def live_view() -> None:
        tr: T.Trainer = state["trainer"]
        bg: T.Background = state["bg"]
        play, step, reset, counter = st.columns([1.1, 1, 1, 2.2], vertical_alignment="center")
        if state["running"]:
            if play.button("Pause", key="pg_pause", icon=":material/pause:", width="stretch"):
                state["running"] = False
                bg.stop()
                st.rerun()
        elif play.button("Play", key="pg_play", icon=":material/play_arrow:", type="primary", disabled=tr.done,
                         width="stretch"):
            state["running"] = True
            bg.start()
            st.rerun()
        if step.button("Step", key="pg_step", icon=":material/skip_next:", disabled=tr.done or state["running"],
                       help="Train one epoch (one pass over the training data), then stop.", width="stretch"):
            with bg.lock:
                tr.run(1)
            st.rerun()
        if reset.button("Reset", key="pg_reset", icon=":material/restart_alt:", width="stretch",
                        help="Back to epoch 0 with the same initial weights (the weight seed decides them)."):
            bg.stop()
            st.session_state["pg_live"] = _fresh_state()
            st.rerun()
        if state["running"]:
            # Each tick trains for a slice itself, then draws (with BACKGROUND_THREAD a thread would also train
            # between ticks; start() is then also its heartbeat, so it stops soon after the page goes away).
            bg.start()
            with bg.lock:
                tr.advance(tick_budget(state.get("draw_s", 0.0)))
            ticks = state.setdefault("ticks", [])
            ticks.append((time.perf_counter(), tr.epoch))
            while len(ticks) > 2 and ticks[-1][0] - ticks[0][0] > 3.0:  # rates over the last ~3 s of wall time
                ticks.pop(0)
        else:
            state["ticks"] = []
        drawing_since = time.perf_counter()
        net, history, status = bg.snapshot()
        ticks = state["ticks"]
        rate = ""
        if len(ticks) > 2:
            dt = ticks[-1][0] - ticks[0][0]
            rate = f" · {(ticks[-1][1] - ticks[0][1]) / dt:,.0f} epochs/s, {(len(ticks) - 1) / dt:.1f} redraws/s"
        counter.markdown(f"**Epoch {history.epoch[-1]:,}** / {tr.stop_epoch:,}{rate}")
        st.progress(tr.progress, text=status)
        if tr.diverged:
            st.warning(
                f"Training diverged at epoch {tr.epoch}: the loss exploded to infinity or NaN. With learning rate "
                f"{tr.hyper.lr:g} each step overshoots the minimum by more than it corrects, so the weights grow "
                "without bound. The plots show the last sane network. Lower the learning rate (or use Adam), "
                "then press Reset.", icon=":material/warning:")
        elif tr.done:
            st.caption(f"Reached the stop epoch {tr.stop_epoch:,}: raise it to train on, or Reset.")
        view = T.plane_view(net, keys, task, res=100, tile_res=16 if max(widths) <= 4 else 12)
        if state["running"]:
            # while playing: images, swapped in place at every frame (a redrawn chart would blink)
            st.image(figs.network_frame(view, net.Ws, feature_labels), caption="The network, live")
            left, right = st.columns([1, 1])
            with left:
                st.image(figs.output_frame(view, split, task, show_test=show_test, discretise=discretise),
                         caption="Output over the plane: x₁ across, x₂ up, −6 to 6", width="stretch")
            with right:
                st.image(figs.curves_frame(history, task), width="stretch",
                         caption="Loss (thick: blue train, orange test) and accuracy (thin). Pause to hover.")
        else:
            ui.figure(figs.network_diagram(view, net.Ws, feature_labels, height=min(600, 140 + 55 * max(widths))),
                      key="pg_fig_net")
            left, right = st.columns([1, 1])
            with left:
                ui.figure(figs.output_map(view, split, task, show_test=show_test, discretise=discretise,
                                          height=400), key="pg_fig_out")
            with right:
                ui.figure(figs.loss_curves(history, task, LOSS_NAMES[task], height=400), key="pg_fig_loss")
        state["draw_s"] = time.perf_counter() - drawing_since
        if state["running"] and tr.done:
            state["running"] = False
            st.rerun()

    live_view()
    st.caption(
        "Top: each square is one unit's value over the input plane (blue positive, vermillion negative, each "
        "scaled to its own range); edges are weights, blue positive, vermillion negative, thicker = larger. "
        "Below: the network's output with the training points (white rim) and test points (black rim), and the "
        "loss and accuracy per epoch. "
        "Learning rate, batch size, optimiser and regularisation can be changed while it plays; "
        "changing the data, inputs or layers starts a new network."
    )

state = st.session_state["pg_live"]
trainer = state["trainer"]
net_now, history_now, _ = state["bg"].snapshot()  # the rest of the page reads a consistent copy

# ------------------------------------------------------------------------------------------------------------
st.header("The loss being minimised")
data_term = history_now.train_loss[-1]
pen = T.penalty(net_now, reg, hyper.reg_rate)
ell = {"binary": r"-\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big]",
       "multiclass": r"-\log \hat y_{i, y_i}", "regression": r"(\hat y_i - y_i)^2"}[task]
reg_tex = {"none": "", "l1": r" + \lambda \sum_{w} |w|", "l2": r" + \frac{\lambda}{2} \sum_{w} w^2"}[reg]
values = f"{data_term:.4f}" + (f" + {pen:.4f} = {data_term + pen:.4f}" if reg != "none" else "")
st.latex(rf"L = \frac{{1}}{{n}} \sum_{{i=1}}^{{n}} {ell}{reg_tex} = {values}")
st.markdown(
    f"Each **step** takes a mini-batch of {min(batch, len(split.X_train))} training points, computes the gradient "
    f"of this loss by backpropagation and moves every weight against it ({T.OPTIMIZERS[optimizer]}, learning "
    f"rate {lr:g}). One **epoch** is one pass over all {len(split.X_train)} training points: "
    f"{-(-len(split.X_train) // min(batch, len(split.X_train)))} steps. "
    + ("Regularisation adds λ·sign(w) (L1) or λ·w (L2) to each weight's gradient, pulling weights towards zero; "
       "biases are not regularised." if reg != "none" else "")
)

# ------------------------------------------------------------------------------------------------------------
st.header("A network is a set of functions")
st.markdown(
    "Fix the architecture and every choice of weights gives a different function. Before training, here are "
    "eight random draws of *this* architecture (grey) along the line x₂ = 0 of the plane; training moves the "
    "weights until the function fits the data. Its current state is the blue curve."
)
fam_seeds = tuple(range(net_seed + 1, net_seed + 9))
family = _family(widths, tuple(phis), keys, task, fam_seeds, init, tuple(sorted(phi_params.items())))
x_slice = np.stack([family.x1, np.zeros_like(family.x1)], axis=1)
p_now = T.predict(net_now.logits(features.transform(x_slice, keys)), task)
p_now = p_now[:, 1] if p_now.ndim == 2 else p_now
y_title = {"binary": "P(class 1)", "multiclass": "P(class 1)", "regression": "ŷ"}[task]
ui.figure(figs.family_figure(family, y_title, trained=p_now), key="pg_fig_family")
st.caption("The same architecture, eight weight seeds. A wider or deeper network draws from a richer set."
           + (" Xavier and He initialisation start every bias at 0, so with an odd φ such as tanh every draw is an "
              "odd function of the inputs and all curves cross at the origin." if init != "default" else ""))

# ------------------------------------------------------------------------------------------------------------
st.header("The maths of one layer")
layer_names = [f"hidden layer {i + 1}" for i in range(MAX_DEPTH)] + ["output layer"]
mcol1, mcol2, mcol3 = st.columns([2, 1, 1])
with mcol1:
    pick = ui.selectbox("Layer", layer_names, key="pg_layer")
with mcol2:
    ex1 = ui.slider("example x₁", -6.0, 6.0, 1.0, 0.5, key="pg_ex1")
with mcol3:
    ex2 = ui.slider("example x₂", -6.0, 6.0, -2.0, 0.5, key="pg_ex2")
layer = depth if pick == "output layer" else int(pick.split()[-1]) - 1
if layer > depth:
    st.caption(f"The network has {depth} hidden layer{'s' * (depth != 1)}; showing its output layer.")
    layer = depth
x_example = features.transform(np.array([[ex1, ex2]]), keys)[0]
maths = T.layer_maths(net_now, x_example, layer)
phi_tex = r"\text{" + activations.label(maths.phi).replace(" ", r"\ ") + "}" if maths.phi else ""
line1, line2 = figs.layer_latex(maths, phi_tex)
st.markdown(f"The point (x₁, x₂) = ({ex1:g}, {ex2:g}) enters as the features "
            f"({', '.join(feature_labels)}) = ({', '.join(f'{v:.2f}' for v in x_example)}). "
            f"Epoch {history_now.epoch[-1]:,}'s weights:")
st.latex(line1)
st.latex(line2)
if maths.W.shape[0] > 8 or maths.W.shape[1] > 8:
    st.caption("Only the first 8 rows and columns are printed.")
if state["running"]:
    st.caption("These numbers update when training is paused.")

# ------------------------------------------------------------------------------------------------------------
st.header("Take the model with you")
ecol1, ecol2 = st.columns([1, 2])
with ecol1:
    st.download_button("Download the weights (JSON)", T.weights_json(net_now, keys, task, history_now.epoch[-1]),
                       file_name="nnviz_weights.json", mime="application/json", key="pg_dl",
                       icon=":material/download:")
    st.caption("The JSON holds the features, the layer sizes, the activations and every W and b.")
with ecol2:
    st.code(T.torch_snippet(net_now, keys, task, json_name="nnviz_weights.json"), language="python")

ui.takeaway(
    "A network is a family of functions indexed by its weights; gradient descent walks through that family "
    "towards one that fits the training data. Good input features make the walk short, depth and width "
    "make the family rich, and too large a learning rate makes the walk fly off."
)
