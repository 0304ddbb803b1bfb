"""From neurons to networks: a layer, a stack, a set of functions, training on the loss bowl, and three heads
(regression, yes/no, digits). Words, widgets and layout only; the maths is in nnviz/topics/network/."""

import numpy as np
import streamlit as st

from nnviz import catalog, ui
from nnviz.figures import network as figs
from nnviz.format import number, tex_number
from nnviz.topics.network import descent, digits, heads, layers
from nnviz.views import network as views

ui.intro(
    "From neurons to networks",
    "Put neurons side by side and you have a **layer**; feed one layer into the next and you have a **network**. "
    "Its weights pick one function out of a huge set, and **training** is how they are picked.",
)


def _show(chart: views.Chart, key: str, data: bool = True) -> None:
    """A cached chart with its text alternative."""
    ui.figure(chart.figure(), key=key, alt=chart.alt, data=data)


@ui.section
def _layer() -> None:
    st.header("1 · A layer is neurons side by side")
    controls, diagram = st.columns([2, 3], gap="large")
    with controls:
        n = ui.slider("inputs n", 1, 4, 3, 1, key="nw_n")
        m = ui.slider("neurons m", 1, 5, 4, 1, key="nw_m")
        picked = ui.slider("pick neuron i", 1, 5, 2, 1, key="nw_i")
        phi = ui.phi_select("activation φ", key="nw_phi", options=("relu", "sigmoid", "tanh", "linear"),
                            default="relu")
        seed = ui.number_input("draw other weights (seed)", 0, 99, 0, 1, key="nw_seed")
    if picked > m:
        st.caption(f"This layer has only {m} neurons: showing neuron {m}.")
    lv = views.layer_view(n, m, phi, seed, picked - 1)
    with diagram:
        _show(views.layer_chart(n, m, phi, seed, picked - 1), "nw_layer_fig", data=False)  # a diagram: no table
    st.markdown(f"Every neuron reads the same inputs x. **Row {lv.i + 1} of W is neuron {lv.i + 1}'s weight vector "
                f"w{lv.i + 1}**, entry {lv.i + 1} of b its bias: the whole layer is one matrix product.")
    st.latex(lv.product)
    st.latex(lv.neuron)
    ui.takeaway("h = φ(Wx + b): row i of the product is exactly the single neuron hᵢ = φ(wᵢ·x + bᵢ).")


@ui.section
def _stack() -> None:
    st.header("2 · Stacking layers")
    c1, c2, c3 = st.columns(3)
    with c1:
        depth = ui.slider("layers L", 1, 5, 3, 1, key="nw_depth")
    with c2:
        width = ui.slider("neurons per hidden layer", 1, 4, 3, 1, key="nw_width")
    with c3:
        phi = ui.phi_select("activation φ", key="nw_sphi", options=("relu", "sigmoid", "tanh", "linear"),
                            default="relu")
    seed = ui.number_input("draw other weights (seed)", 0, 99, 0, 1, key="nw_sseed")
    sv = views.stack_view(depth, width, phi, seed)
    stack, charts = sv.stack, views.stack_charts(depth, width, phi, seed)
    _show(charts.diagram, "nw_stack_fig", data=False)
    st.caption("Node $h_{2,3}$ is neuron 3 of hidden layer 2; the number under each name is its value at this x.")
    st.markdown(f"For one input x = ({number(float(stack.x[0]))}, {number(float(stack.x[1]))}), layer by layer, "
                f"with φ = {phi.label} on every layer:")
    for line in sv.lines:
        st.latex(line)
    st.markdown("Written as one formula, each layer wraps the one before:")
    st.latex(sv.nested)
    left, right = st.columns([3, 2])
    with left:
        _show(charts.params, "nw_params_fig")
    with right:
        st.markdown(sv.count_sentence)


@ui.section
def _functions() -> None:
    st.header("3 · A network is a set of functions")
    st.markdown("A tiny network, 1 input → 2 tanh neurons → 1 output, has 7 parameters. Move them and the function "
                "moves; every setting is one member of the set this architecture can compute.")
    st.latex(layers.TINY_LATEX)
    cols = st.columns(4)
    values = []
    for j, (name, default) in enumerate(zip(layers.TINY_NAMES, layers.TINY_DEFAULT, strict=True)):
        with cols[j % 4]:
            values.append(ui.slider(name, -3.0, 3.0, default, 0.1, key=f"nw_{name}"))
    c1, c2, c3 = st.columns(3)
    with c1:
        k = ui.slider("random draws", 5, 200, 50, 5, key="nw_draws")
    with c2:
        sigma = ui.slider("spread of the draws σ", 0.5, 3.0, 1.5, 0.1, key="nw_sigma")
    with c3:
        seed = ui.number_input("seed of the draws", 0, 99, 0, 1, key="nw_fseed")
    fv = views.functions_view(tuple(values), k, sigma, seed)
    _show(views.functions_chart(tuple(values), k, sigma, seed), "nw_functions_fig")
    st.markdown(fv.sentence)


@ui.section
def _training() -> None:
    st.header("4 · Training picks one")
    st.markdown(
        "| component | here |\n|---|---|\n"
        "| **data** | 40 points (x, y), y = 2x + 1 plus noise |\n"
        "| **model** | one linear neuron ŷ = w x + b: two parameters |\n"
        "| **loss** | mean squared error L(w, b) = mean (ŷ − y)² |\n"
        "| **optimiser** | gradient descent (w, b) ← (w, b) − η ∇L, a fixed 40 steps |"
    )
    c1, c2 = st.columns(2)
    with c1:
        centre = ui.slider("centre of the inputs x̄", -1.0, 2.0, 0.5, 0.5, key="nw_centre",
                           help="Moving the data away from x = 0 makes the bowl narrower: a smaller safe η.")
    with c2:
        eta = ui.slider("learning rate η", 0.005, 1.2, 0.1, 0.005, key="nw_eta", format="%.3f")
    bowl = ui.shown(views.bowl_view, centre)
    cv = bowl.curvature
    _show(ui.shown(views.strip_chart, centre, eta), "nw_strip", data=False)  # the slider's map, not data
    H = bowl.hessian
    st.latex(rf"H = \nabla^2 L = \begin{{bmatrix}} {tex_number(H[0, 0])} & {tex_number(H[0, 1])} \\ "
             rf"{tex_number(H[1, 0])} & {tex_number(H[1, 1])} \end{{bmatrix}},\quad \lambda = "
             rf"{tex_number(float(cv.lambdas[0]))},\ {tex_number(float(cv.lambdas[1]))}")  # two lines: a phone
    st.latex(rf"\Rightarrow\quad \eta < \frac{{2}}{{\lambda_{{\max}}}} = {tex_number(cv.threshold)}")
    st.markdown(bowl.sentence)
    if eta > bowl.eta_max:
        st.warning(f"With these data every η above {number(cv.threshold)} diverges; the strip shows up to your η.")

    def draw_descent(run: descent.BowlDescent, running: bool) -> None:
        left, right = st.columns([3, 2])
        charts = views.descent_charts(centre, eta, run.steps, run)
        with left:
            _show(charts.bowl, "nw_bowl")
        with right:
            _show(charts.loss, "nw_bowl_loss")
        if run.done:
            name, sentence = views.bowl_regime(bowl, run)
            (st.error if name == "diverging" else st.warning if name in ("too small", "oscillating")
             else ui.takeaway)(sentence)
        elif run.steps == 0:
            st.info("Press **Descend** to watch gradient descent step down the bowl, or **Step** for one step.")

    ui.live_panel("nw_gd", lambda: descent.BowlDescent(bowl.data, eta), draw_descent, config=(centre, eta),
                  budget_s=0.0, start_label="Descend", step_label="Step", name="gradient descent")

    st.subheader("The logistic neuron: a bowl that is not quadratic")
    st.markdown("Same descent, now ŷ = σ(w x + b) on yes/no labels with the cross-entropy loss. Its curvature "
                "changes from place to place, so there is no single threshold.")
    eta_log = ui.slider("learning rate η (logistic)", 0.1, 40.0, 3.0, 0.1, key="nw_eta_log")
    lg = ui.shown(views.logistic_view, eta_log)
    _show(ui.shown(views.logistic_chart, eta_log), "nw_log")
    st.markdown(lg.sentence)


@ui.section
def _heads() -> None:
    st.header("5 · Regression vs classification: one network, three heads")
    st.markdown("The hidden layers stay the same; only the last activation and the loss change with the question.")
    rows = "\n".join(f"| {h.task} | {h.example} | ${h.output}$ | ${h.loss}$ |" for h in heads.HEADS)
    st.markdown("| answer | example | output | loss |\n|---|---|---|---|\n" + rows)
    st.markdown("Why these pairs: " + "; ".join(f"**{h.key}**: {h.why}" for h in heads.HEADS) + ". And with each "
                "pair the gradient the head sends back is the same simple error:")
    st.latex(r"\frac{\partial L}{\partial z} = \hat y - y \qquad(\text{for softmax: } p - \text{onehot}(y))")
    st.caption(heads.grad_sentence("softmax", np.array([1.0, 2.0, -1.0]), 2) + " (Example: z = (1, 2, −1), class "
               "2; checked against torch autograd in the tests.)")
    left, right = st.columns(2)
    for col, key, y_title, model in ((left, "linear", "disease progression", "linear head, MSE"),
                                     (right, "sigmoid", "above the median? (1 = yes)", "sigmoid head, p")):
        _, sentence = views.diabetes_view(key)
        with col:
            _show(views.head_chart(key, y_title, model), f"nw_fit_{key}")
            st.markdown(sentence)
    st.markdown("The third head, softmax over ten classes, is the next tab: **Digits**.")


@ui.section
def _digits() -> None:
    st.header("6 · Softmax head: f(image of an 8) = 8")
    st.markdown("scikit-learn's 1,797 handwritten digits, 8×8 pixels of 0–16. An MLP 64 → width (ReLU) → 10 "
                "(softmax) trained with Adam on three quarters, tested on the rest.")
    c1, c2, c3 = st.columns(3)
    with c1:
        d_width = ui.selectbox("hidden neurons", list(digits.WIDTHS), key="nw_dwidth",
                               index=digits.WIDTHS.index(digits.DEFAULT.width))
    with c2:
        d_epochs = ui.slider("epochs", 5, digits.MAX_EPOCHS, digits.DEFAULT.epochs, 5, key="nw_depochs")
    with c3:
        d_seed = ui.number_input("seed", 0, 9, 0, 1, key="nw_dseed")
    settings = digits.DigitsSettings(d_width, d_epochs, d_seed)
    ddata = views.digits_data()
    default = views.digits_default()

    def draw_digits(run: digits.DigitsTraining, running: bool) -> None:
        if run.steps == 0 and settings != digits.DEFAULT:
            st.info("Press **Train** to train with these settings (a few seconds); below, the default network.")
            return
        r = default if run.steps == 0 else run.result()
        if run.steps == 0:
            st.caption("The default network, trained beforehand with exactly these settings; Train repeats it live.")
        st.markdown(digits.accuracy_sentence(r, len(ddata.y_test)))
        charts = views.digits_charts(r.settings, r.epochs_done, r is default, r)
        if running:  # one light figure per tick; the rest when it pauses or ends
            _show(charts.curves, "nw_dcurves")
            return
        left, right = st.columns(2)
        with left:
            _show(charts.curves, "nw_dcurves")
        with right:
            _show(charts.confusion, "nw_dconf")

    run = ui.live_panel("nw_digits", lambda: digits.DigitsTraining(settings, ddata), draw_digits, config=settings,
                        shared=True, name="digit classifier")
    model = run.result() if run.complete else default
    if model is not default:
        st.caption("Below: the network you just trained.")
    elif settings != digits.DEFAULT:
        st.caption("Below: the default network (train with your settings to use yours).")

    shown = min(16, model.settings.width)
    with ui.lazy_expander("What the first layer looks for", key="nw_dweights_open") as box:
        if box.open:
            st.markdown(f"The 64 weights of hidden neurons 1–{shown}, each drawn as an 8×8 image where its pixels "
                        "are (blue: this pixel raises the neuron's z, vermillion: lowers it; the key writes the sign).")
            ui.figure(figs.tiles(model.weights.W1[:shown].reshape(-1, 8, 8), 8, signed=True), key="nw_dweights",
                      data=False)
    with ui.lazy_expander("The digits it gets wrong", key="nw_dwrong_open") as box:
        if box.open:
            wrong = model.wrong[:16]
            st.markdown(f"{len(model.wrong)} of {len(ddata.y_test)} test digits, the most confident mistakes first "
                        f"(showing {len(wrong)}), captioned true → read.")
            guesses = np.argmax(digits.probabilities(model.weights, ddata.X_test[wrong]), axis=1)
            ui.figure(figs.tiles(ddata.images_test[wrong], 8, signed=False, zmax=16,
                                 captions=[f"{ddata.y_test[j]}→{g}" for j, g in zip(wrong, guesses, strict=True)]),
                      key="nw_dwrong", data=False)  # images: the pictures are the data

    left, right = st.columns([1, 2])
    with left:
        t = ui.slider("test digit", 1, len(ddata.y_test), 1, 1, key="nw_test")
        _show(ui.shown(views.tile_chart, t), "nw_dtest", data=False)
    with right:
        rc = views.reading_chart(model.settings, model.epochs_done, model is default, t, model)
        _show(rc.bars, "nw_dbars")
        st.markdown(rc.reading.sentence)
    _drawing(model, ddata.images_test[t - 1], t)


@ui.section
def _drawing(model: digits.DigitsResult, test_image: np.ndarray, t: int) -> None:
    """The paintable grid: a click reruns only this part of the page."""
    st.subheader("Draw a digit")
    st.markdown("Click the cells to paint them (click again to erase). A painted cell is a fully inked 4×4 block, "
                "16 in load_digits' 0–16, and the drawing goes through the same preprocessing as the training "
                "images.")
    start = ui.radio("start from", ["blank", f"test digit {t}"], key="nw_dstart", horizontal=True,
                     format_func=lambda s: s if s == "blank" else "the test digit above")
    rows = [] if start == "blank" else digits.strokes(test_image)
    grid, drawn_col, bars = st.columns([4, 2, 3])
    with grid, st.container(gap=None):
        # distinct labels: Streamlit tells a segment by its label; numbers also name the cell for a screen reader
        painted = [st.segmented_control(f"row {r + 1}", list(range(8)), selection_mode="multi",
                                        default=rows[r] if rows else [], format_func=lambda c: str(c + 1),
                                        label_visibility="collapsed", wrap=False, key=f"nw_px_{r}_{start}")
                   for r in range(8)]
    image = digits.paint(painted)
    with drawn_col:
        ui.figure(figs.tiles(image.reshape(1, 8, 8), 1, signed=False, zmax=16, height=200, frame=True),
                  key="nw_ddrawn", data=False)
    with bars:
        if not image.any():
            st.info("The grid is empty: click some cells, or start from the test digit.")
            return
        drawn = views.read_digit(model, image)
        ui.figure(figs.softmax_bars(drawn.p, height=240), key="nw_ddrawn_bars")
        st.markdown(drawn.sentence)


_SECTIONS = {"A layer": _layer, "Stacking": _stack, "A set of functions": _functions, "Training": _training,
             "Regression vs classification": _heads, "Digits": _digits}
# One lecture step at a time: only the open tab runs, so a rerun builds its few figures, not seventeen.
for tab, section in zip(ui.tabs(list(_SECTIONS), key="nw_tab"), _SECTIONS.values(), strict=True):
    with tab:
        if tab.open:
            section()

st.divider()
for stem, label in (("activations", "Why φ? Without it a stack is one linear map"),
                    ("universal_approximation", "Why one hidden layer is enough, in principle"),
                    ("playground", "Train a network of your own design live")):
    page = catalog.spec(stem)
    st.page_link(str(page.path), label=label, icon=page.icon)
