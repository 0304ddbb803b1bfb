"""Inside a neuron: y_hat = phi(w . x + b), live; the boundary it draws; why a bias, why a sigmoid;
training one neuron; and the spiking neuron biology actually uses."""

import numpy as np
import streamlit as st

from nnviz import activations, neuron, ui
from nnviz.catalog import spec
from nnviz.datasets import GATES, logic_gate, two_blobs
from nnviz.figures import neuron as figs

ui.intro(
    "Inside a neuron",
    "An artificial neuron multiplies each input by a **weight**, adds a **bias**, and passes the sum through "
    "an **activation function**. Set every number yourself and watch what the neuron computes.",
)

# ------------------------------------------------------------------------------------------------------------
st.header("1 · The neuron, live")
controls, view = st.columns([2, 3], gap="large")
with controls:
    n = ui.slider("Number of inputs n", 1, 5, 2, 1, key="sn_n")
    phi_key = ui.activation_select("Activation φ", key="sn_phi", default="sigmoid")
    phi_params = ui.activation_params(phi_key, key="sn")
    x_col, w_col = st.columns(2)
    defaults_x, defaults_w = (0.5, 1.0, -0.5, 1.0, 0.5), (1.0, 2.0, -1.0, 0.5, -0.5)
    with x_col:
        x = np.array([ui.slider(f"input x{i + 1}", -2.0, 2.0, defaults_x[i], 0.1, key=f"sn_x{i + 1}")
                      for i in range(n)])
    with w_col:
        w = np.array([ui.slider(f"weight w{i + 1}", -3.0, 3.0, defaults_w[i], 0.1, key=f"sn_w{i + 1}")
                      for i in range(n)])
    b = ui.slider("bias b", -3.0, 3.0, -1.0, 0.1, key="sn_b")

act = activations.get(phi_key)
z = float(neuron.pre_activation(x, w, b))
y_hat = float(activations.phi(phi_key, z, **phi_params))
grad = neuron.output_gradient(x, w, b, phi_key, **phi_params)
with view:
    ui.figure(figs.neuron_diagram(x, w, b, act.label, z, y_hat), key="sn_diagram")
    products = [f"({wi:.1f})({xi:.1f})" for wi, xi in zip(w, x, strict=True)] + [f"({b:.1f})"]
    terms = r" \\ &\quad + ".join(" + ".join(products[i:i + 3]) for i in range(0, len(products), 3))
    st.latex(rf"""\begin{{aligned}} z &= \textstyle\sum_{{i=1}}^{{{n}}} w_i x_i + b \\
             &= {terms} \\ &= {z:.3f} \\
             \hat y &= \varphi(z) = \text{{{act.label}}}({z:.3f}) = {y_hat:.4f} \end{{aligned}}""")
    st.latex(act.latex)
    st.latex(rf"""\begin{{aligned}} \frac{{\partial \hat y}}{{\partial w_i}} &= \varphi'(z)\,x_i,
             \qquad \varphi'({z:.3f}) = {grad.dphi_dz:.4f} \\
             \Rightarrow\ \frac{{\partial \hat y}}{{\partial w_1}} &= {grad.dy_dw[0]:.4f},\qquad
             \frac{{\partial \hat y}}{{\partial b}} = {grad.dy_db:.4f} \end{{aligned}}""")
    st.caption("Blue edges are positive weights, vermillion negative; thicker means larger |w|. "
               "φ′ comes from torch autograd.")

# ------------------------------------------------------------------------------------------------------------
st.header("2 · The boundary a neuron draws, and why it needs a bias")
LIM = 3.0
phi0 = float(activations.phi(phi_key, 0.0, **phi_params))
held = float(np.dot(w[2:], x[2:])) if n > 2 else 0.0
if n == 1:
    xs = np.linspace(-LIM, LIM, 301)
    threshold = -b / w[0] if abs(w[0]) > 1e-12 else None
    ui.figure(figs.line_figure(xs, activations.phi(phi_key, w[0] * xs + b, **phi_params), threshold,
                               (x[0], y_hat), f"One input: ŷ = φ(w₁x₁ + b), {act.label}"), key="sn_line")
    st.markdown("With one input the *boundary* is a single point, x₁ = −b/w₁. "
                "Add a second input to see it become a line.")
else:
    c = b + held
    plane = neuron.plane_output(w[:2], c, phi_key, LIM, **phi_params)
    bnd = neuron.boundary(w[:2], c, LIM)
    ghost = neuron.boundary(w[:2], held, LIM)
    span = max(1e-6, float(np.nanmax(np.abs(plane.y - phi0))))
    title = "ŷ over the (x₁, x₂) plane" + (f" (x₃…x{n} held at their values)" if n > 2 else "")
    left, right = st.columns([3, 2], gap="large")
    with left:
        ui.figure(figs.plane_figure(plane, bnd, x[:2], phi0, span, title, ghost=ghost), key="sn_plane")
    with right:
        st.markdown(
            "The neuron's output is the same all along each line **w·x + b = const**. "
            "The line where z = 0, the **decision boundary**, splits the plane into the side where "
            "z > 0 and the side where z < 0. The weight vector **w** (purple arrow) is perpendicular to it "
            "and points to the z > 0 side."
        )
        if bnd.distance is None:
            st.warning("With w₁ = w₂ = 0 the neuron ignores x₁ and x₂: its output is the same everywhere, "
                       "so there is no boundary to draw.")
        else:
            st.latex(rf"\text{{distance from origin}} = \frac{{-b}}{{\lVert \mathbf w \rVert}} = {bnd.distance:.3f}")
            if bnd.start is None:
                st.info("The boundary lies outside the plotted square: move b towards 0 to bring it back.")
        st.markdown(
            f"**Why a bias term?** Drag *b*: the boundary slides without turning. The dashed grey line is "
            f"the same **w** with b = 0: it is pinned through the origin, whatever w is. And with every input "
            f"0 the output is φ(b) = **{float(activations.phi(phi_key, b, **phi_params)):.3f}**; without a "
            f"bias it could only ever be φ(0) = {phi0:.3f}."
        )
ui.takeaway("A single neuron is a linear classifier: w turns the boundary, b shifts it, φ decides how "
            "sharply the output changes across it.")

# ------------------------------------------------------------------------------------------------------------
st.header("3 · Why a sigmoid and not a step?")
st.markdown(
    "The first artificial neurons (McCulloch & Pitts, Rosenblatt's perceptron) fired 1 or 0: a unit step. "
    "The sigmoid σ(z) = 1/(1 + e^(−z)) is a smooth step. Make it steeper with k, and it becomes the step."
)
k = ui.slider("steepness k in σ(k·z)", 0.5, 50.0, 1.0, 0.5, key="sn_k")
zs = np.linspace(-6, 6, 601)
sig, dsig = neuron.steep_sigmoid(zs, k)
ui.figure(figs.step_vs_sigmoid(zs, k, sig, dsig), key="sn_step")
st.markdown(
    f"The step's slope is **0 everywhere except at z = 0**, where it is undefined. Gradient descent changes a "
    f"weight in proportion to that slope, so a step neuron gives it nothing to follow. The sigmoid's slope is "
    f"positive everywhere, largest at z = 0: k·σ′(0) = k/4 = **{k / 4:.3g}**."
)
ui.takeaway("A differentiable activation is what lets a network learn by gradient descent.")

# ------------------------------------------------------------------------------------------------------------
st.header("4 · Train one neuron")
st.markdown(
    "Logistic regression is one sigmoid neuron trained by gradient descent on the cross-entropy loss. "
    "Pick a problem and press **Train**: the boundary moves as the loss falls."
)
c1, c2, c3, c4 = st.columns(4)
with c1:
    data_name = ui.selectbox("Data", [*GATES, "two blobs"], key="sn_data")
with c2:
    lr = ui.slider("learning rate η", 0.01, 5.0, 1.0, 0.01, key="sn_lr")
with c3:
    max_epochs = ui.slider("epochs", 50, 5000, 1000, 50, key="sn_epochs")
with c4:
    spread = ui.slider("blob spread", 0.3, 3.0, 1.0, 0.1, key="sn_spread", disabled=data_name != "two blobs")
points = logic_gate(data_name) if data_name in GATES else two_blobs(100, spread=spread, seed=0)
lim_train = 1.6 if data_name in GATES else 5.0

if data_name == "XOR":
    st.info("XOR is 1 when exactly one input is 1. No straight line separates its two 1s from its two 0s. "
            "Watch the neuron try.")


def draw_training(trainer: neuron.NeuronTrainer) -> None:
    w_t, b_t = trainer.weights()
    plane_t = neuron.plane_output(w_t, b_t, "sigmoid", lim_train, n=81)
    bnd_t = neuron.boundary(w_t, b_t, lim_train)
    left_t, right_t = st.columns(2)
    with left_t:
        ui.figure(figs.training_figure(points, plane_t, bnd_t, lim_train))
    with right_t:
        ui.figure(figs.loss_figure(trainer.losses, floor=float(np.log(2)) if data_name == "XOR" else None))
    st.latex(rf"\hat y = \sigma({w_t[0]:.2f}\,x_1 {w_t[1]:+.2f}\,x_2 {b_t:+.2f})")
    if data_name == "XOR" and trainer.epoch >= 100:
        playground = spec("playground")
        st.warning(
            f"Stuck at {trainer.accuracy():.0%} accuracy: a single neuron can classify at most 3 of XOR's 4 "
            "points correctly, because its boundary is a straight line. A hidden layer of neurons fixes this."
        )
        if playground.exists:
            st.page_link(str(playground.path), label="Solve XOR with a hidden layer in the playground",
                         icon=":material/hub:")


ui.live_panel("sn_train", lambda: neuron.NeuronTrainer(points, lr=lr, max_epochs=max_epochs), draw_training,
              config=(data_name, lr, max_epochs, spread), budget_s=0.1)

# ------------------------------------------------------------------------------------------------------------
st.header("5 · Artificial vs biological: a spiking neuron")
st.markdown(
    "Real neurons do not output a number; they **spike**. The leaky integrate-and-fire model: the membrane "
    "potential V charges towards R·I with time constant τ, and each time it reaches the threshold the neuron "
    "fires and resets."
)
st.latex(r"\tau_m \frac{dV}{dt} = -V + R\,I,\qquad V \ge V_{th} \Rightarrow \text{spike},\ V \leftarrow 0")
current = ui.slider("input current I (nA)", 0.0, 5.0, 2.0, 0.05, key="sn_current")
P = neuron.LIFParams()


@st.cache_data(max_entries=64)
def _lif(current_na: float) -> neuron.LIFTrace:
    return neuron.lif_simulate(current_na, T=200.0)


@st.cache_data(max_entries=2)
def _fi_simulated() -> tuple[np.ndarray, np.ndarray]:
    currents = np.linspace(0.0, 5.0, 21)
    return currents, np.array([neuron.lif_simulate(i, T=400.0).rate_hz() for i in currents])


trace = _lif(current)
I_grid = np.linspace(0.0, 5.0, 401)
I_sim, rate_sim = _fi_simulated()
rate_now = float(neuron.lif_rate_analytic(current, P))
left, right = st.columns(2)
with left:
    ui.figure(figs.lif_figure(trace, P, current), key="sn_lif")
with right:
    ui.figure(figs.fi_figure(I_grid, neuron.lif_rate_analytic(I_grid, P), I_sim, rate_sim, current, rate_now,
                             neuron.rheobase(P)), key="sn_fi")
if rate_now == 0:
    st.markdown(f"At I = {current:.2f} nA, R·I = {P.R * current:.1f} mV never reaches the threshold of "
                f"{P.V_th:g} mV: **no spikes**. Below the rheobase the neuron is silent, like a ReLU for z < 0.")
else:
    st.latex(rf"f = \frac{{1}}{{t_{{ref}} + \tau_m \ln\frac{{RI}}{{RI - V_{{th}}}}}} = {rate_now:.1f}\ \text{{Hz}}"
             rf"\quad(\text{{simulated: }}{trace.rate_hz():.1f}\ \text{{Hz}})")
ui.takeaway("Averaged over time, a spiking neuron's rate rises with its input like a ReLU, then saturates like "
            "a sigmoid: artificial activations are a cartoon of this curve, without the spikes.")
