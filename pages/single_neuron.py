"""Inside a neuron: y_hat = phi(w . x + b), live; the boundary it draws; why a bias, why a sigmoid;
training one neuron; and the spiking neuron biology actually uses."""

import streamlit as st

from nnviz import ui
from nnviz.catalog import spec
from nnviz.format import tex_number
from nnviz.topics.single_neuron import NeuronTrainer
from nnviz.ui import sound
from nnviz.views import single_neuron as views

ui.intro(
    "Inside a neuron",
    "An artificial neuron multiplies each input by a **weight**, adds a **bias**, and passes the sum through "
    "an **activation function**. Set every number yourself and watch what the neuron computes.",
)
SEED = 0  # the training run's seed


# ------------------------------------------------------------------------------------------------------------
@ui.section
def _neuron_and_its_boundary() -> None:
    """Sections 1 and 2 share every control: the neuron's numbers, then the boundary it draws."""
    st.header("1 · The neuron, live")
    controls, panel = st.columns([2, 3], gap="large")
    with controls:
        n = ui.slider("Number of inputs n", 1, 5, 2, 1, key="sn_n")
        phi = ui.phi_select("Activation φ", key="sn_phi", default="sigmoid")
        x_col, w_col = st.columns(2)
        defaults_x, defaults_w = (0.5, 1.0, -0.5, 1.0, 0.5), (1.0, 2.0, -1.0, 0.5, -0.5)
        with x_col:
            x = tuple(ui.slider(f"input x{i + 1}", -2.0, 2.0, defaults_x[i], 0.1, key=f"sn_x{i + 1}")
                      for i in range(n))
        with w_col:
            w = tuple(ui.slider(f"weight w{i + 1}", -3.0, 3.0, defaults_w[i], 0.1, key=f"sn_w{i + 1}")
                      for i in range(n))
        b = ui.slider("bias b", *views.B_RANGE, -1.0, 0.1, key="sn_b")

    nv = ui.shown(views.neuron, x, w, b, phi)
    with panel:
        diagram = ui.shown(views.neuron_chart, x, w, b, phi)
        ui.figure(diagram.figure(), key="sn_diagram", alt=diagram.alt, data=False)  # its numbers are the formula below
        st.latex(nv.sum_latex)
        st.latex(phi.latex)
        st.latex(nv.grad_latex)
        st.caption("Solid blue edges are positive weights, dashed vermillion negative; thicker means larger |w|. "
                   "φ′ is φ's derivative in closed form, checked against torch autograd by the tests."
                   + (f" {nv.kink}" if nv.kink else ""))

    # --------------------------------------------------------------------------------------------------------
    st.header("2 · The boundary a neuron draws, and why it needs a bias")
    if n == 1:
        lv = ui.shown(views.line, w[0], b, phi)
        line_chart = ui.shown(views.line_chart, x[0], w[0], b, phi)
        ui.figure(line_chart.figure(), key="sn_line", alt=line_chart.alt)
        st.markdown(lv.text)
        ui.takeaway("A single neuron compares w·x with −b: w sets how fast its output changes, b where.")
    else:
        pv = ui.shown(views.plane, x, w, b, phi)
        left, right = st.columns([3, 2], gap="large")
        with left:
            plane_chart = ui.shown(views.plane_chart, x, w, b, phi)
            ui.figure(plane_chart.figure(), key="sn_plane", alt=plane_chart.alt)
        with right:
            st.markdown(pv.shape_text)
            if pv.held_text:
                st.markdown(pv.held_text)
            if pv.bnd.distance is None:
                st.warning("With w₁ = w₂ = 0 the neuron ignores x₁ and x₂: its output is the same everywhere in this "
                           "plane, so there is no boundary to draw.")
            else:
                st.markdown("The boundary's **signed distance** from the origin (positive when it lies on the side "
                            "that w points to):")
                st.latex(pv.distance_latex)
                if pv.outside_text:
                    st.info(pv.outside_text)
            st.markdown(pv.bias_text)
        ui.takeaway(pv.takeaway)


# ------------------------------------------------------------------------------------------------------------
@ui.section
def _why_a_sigmoid() -> None:
    """Section 3: the step as the sigmoid's steep limit."""
    st.header("3 · Why a sigmoid and not a step?")
    st.markdown(
        "The first artificial neurons (McCulloch & Pitts, Rosenblatt's perceptron) fired 1 or 0: a unit step. "
        "The sigmoid σ(z) = 1/(1 + e^(−z)) is a smooth step. Make it steeper with k, and it becomes the step."
    )
    k = ui.slider("steepness k in σ(k·z)", 0.5, 50.0, 1.0, 0.5, key="sn_k")
    sv = ui.shown(views.steep_sigmoid, k)
    steep = ui.shown(views.steep_chart, k)
    ui.figure(steep.figure(), key="sn_step", alt=steep.alt)
    st.markdown(
        f"The step's slope is **0 everywhere except at z = 0**, where it is undefined. Gradient descent changes a "
        f"weight in proportion to that slope, so a step neuron gives it nothing to follow. The sigmoid's slope is "
        f"positive everywhere, largest at z = 0: k·σ′(0) = k/4 = **{sv.slope0:.3g}**."
    )
    ui.takeaway("A differentiable activation is what lets a network learn by gradient descent.")


# ------------------------------------------------------------------------------------------------------------
@ui.section
def _train_one_neuron() -> None:
    """Section 4: logistic regression, one sigmoid neuron trained live."""
    st.header("4 · Train one neuron")
    st.markdown(
        "Logistic regression is one sigmoid neuron trained by gradient descent on the cross-entropy loss. "
        "Pick a problem and press **Train**: the boundary moves as the loss falls. A run always takes the number "
        "of epochs you set, so the same settings give the same result."
    )
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        data_name = ui.selectbox("Data", list(views.DATA_SETS), key="sn_data")
    with c2:
        lr = ui.slider("learning rate η", 0.01, 5.0, 1.0, 0.01, key="sn_lr")
    with c3:
        epochs = ui.slider("epochs", 50, 5000, 1000, 50, key="sn_epochs")
    with c4:
        spread = ui.slider("blob spread", 0.3, 3.0, 1.0, 0.1, key="sn_spread", disabled=data_name != "two blobs")
    points, lim_train = ui.shown(views.training_data, data_name, spread)

    if data_name == "XOR":
        st.info("XOR is 1 when exactly one input is 1. No straight line separates its two 1s from its two 0s. "
                "Watch the neuron try.")

    def draw_training(run: NeuronTrainer, running: bool) -> None:
        tp = views.training_shown(config, run, lim_train)
        left_t, right_t = st.columns(2)
        with left_t:
            ui.figure(tp.data.figure(), key="sn_train_data", alt=tp.data.alt)
        with right_t:
            ui.figure(tp.loss.figure(), key="sn_train_loss", alt=tp.loss.alt)
        st.latex(tp.weights_latex)
        if run.cut or not run.steps:
            return
        if tp.trend.alarm:
            st.warning(tp.trend.sentence, icon=":material/trending_up:")
        elif tp.trend.sentence and data_name != "XOR":  # XOR's lesson says why its loss stays at ln 2
            st.caption(tp.trend.sentence)
        if data_name == "XOR":
            st.warning(tp.lesson)
            st.page_link(str(spec("playground").path), label="Solve XOR with a hidden layer in the playground",
                         icon=":material/hub:", query_params=views.playground_xor_query())
        else:
            st.markdown(tp.lesson)

    config = (data_name, spread if data_name == "two blobs" else None, lr, epochs, SEED)
    ui.live_panel("sn_train", lambda: NeuronTrainer(points, lr=lr, epochs=epochs, seed=SEED), draw_training,
                  config=config, shared=True, name="one neuron")


# ------------------------------------------------------------------------------------------------------------
@ui.section
def _spiking_neuron() -> None:
    """Section 5: the leaky integrate-and-fire neuron, seen and heard."""
    st.header("5 · Artificial vs biological: a spiking neuron")
    st.markdown(
        "Real neurons do not output a number; they **spike**. The leaky integrate-and-fire model: the membrane "
        "potential V charges towards R·I with time constant τ, and each time it reaches the threshold the neuron "
        "fires and resets."
    )
    st.latex(r"\begin{aligned} \tau_m \frac{dV}{dt} &= -V + R\,I, \\ V \ge V_{th} &\Rightarrow \text{spike},\ "
             r"V \leftarrow 0 \end{aligned}")
    current = ui.slider("input current I (nA)", 0.0, 5.0, 2.0, 0.05, key="sn_current")
    lif, fi = ui.shown(views.lif, current), ui.shown(views.fi_curve)
    lif_charts = ui.shown(views.lif_charts, current)
    left, right = st.columns(2)
    with left:
        ui.figure(lif_charts.trace.figure(), key="sn_lif", alt=lif_charts.trace.alt)
    with right:
        ui.figure(lif_charts.fi.figure(), key="sn_fi", alt=lif_charts.fi.alt)
    if lif.silence:
        st.markdown(lif.silence)
    else:
        st.latex(rf"\begin{{aligned}} f &= \frac{{1}}{{t_{{ref}} + \tau_m \ln\frac{{RI}}{{RI - V_{{th}}}}}} "
                 rf"= {tex_number(lif.rate)}\ \text{{Hz}} \\ &(\text{{simulated: }}{tex_number(lif.rate_simulated)}"
                 rf"\ \text{{Hz}}) \end{{aligned}}")
    ui.takeaway(fi.takeaway)
    with ui.lazy_expander("Hear the spiking neuron: its rate is a pitch", "sn_hear_open") as HEAR:
        if HEAR.open:
            sound.spiking_neuron_heard_section("sn_")


_neuron_and_its_boundary()
_why_a_sigmoid()
_train_one_neuron()
_spiking_neuron()
