"""Home: what deep learning is, the artificial neuron, and the learning path through the app."""

import streamlit as st

from nnviz import ui
from nnviz.catalog import PAGES
from nnviz.figures.home import nested_fields

ui.intro(
    "nnviz: deep learning, hands on",
    "A lecture on the fundamentals of deep learning, turned into pages you can touch. "
    "Every formula is computed live from the numbers you set; every figure answers a slider.",
)

left, right = st.columns([3, 2])
with left, ui.keep("definitions"):
    st.header("What is deep learning?")
    st.markdown(
        "**Artificial intelligence** is the broad goal of machines that act intelligently. "
        "**Machine learning** is the part of it where a program improves from data rather than from "
        "hand-written rules. **Deep learning** is machine learning with *neural networks of many layers*: "
        "simple units, each computing a weighted sum and a nonlinearity, stacked so that later layers "
        "build on what earlier ones found."
    )
    st.subheader("The artificial neuron")
    st.markdown("Every network in this app is made of one building block:")
    st.latex(r"\hat{y} = \varphi\left(\mathbf{w}\cdot\mathbf{x} + b\right) = \varphi\Big(\sum_{i} w_i x_i + b\Big)")
    st.markdown(
        "inputs $\\mathbf{x}$, one **weight** $w_i$ per input, a **bias** $b$, and an **activation "
        "function** $\\varphi$. Training a network means choosing all the $w$ and $b$ so that $\\hat y$ "
        "matches the data."
    )
with right:
    ui.figure(nested_fields(), key="home_fields",
              alt="Three nested ovals: artificial intelligence contains machine learning, which contains deep "
                  "learning.")
    st.caption("Deep learning is a kind of machine learning, which is a kind of artificial intelligence.")

st.header("The learning path")
# A card's title wraps instead of being cut ("Skip and feedback connectior" at 1,280 px): Streamlit keeps a page
# link on one line.
st.html('<style>[class*="st-key-keep_card"] [data-testid="stPageLink"] :is(a, span, p) '
        "{ white-space: normal !important; overflow: visible !important; text-overflow: clip !important; "
        "height: auto !important; }</style>")
st.markdown("Work through the pages in order, or jump to the one your lecture is on.")
cards = [p for p in PAGES if p.file != "home.py"]
for row in range(0, len(cards), 3):  # one st.columns per row, so a phone stacks the cards in order
    for column, (i, spec) in zip(st.columns(3), enumerate(cards[row:row + 3], start=row), strict=False):
        with column.container(border=True, key=f"keep_card_{i}"):
            st.page_link(str(spec.path), label=f"**{i + 1}. {spec.title}**", icon=spec.icon)
            st.caption(f"{spec.section} · {spec.blurb}")

st.header("A caveat: artificial networks are not brains")
ui.keep("caveat").markdown(
    "The names come from neuroscience, but the resemblance is loose:\n"
    "- **No functional hierarchy** of specialised areas the way a cortex has; a network is a uniform stack.\n"
    "- **No high-level feedback loops** in most networks: information flows one way, input to output.\n"
    "- **No memory module**: what a network knows is spread through its weights.\n"
    "- **Brains spike**: biological neurons send discrete pulses in time, not real numbers. "
    "The *Inside a neuron* page puts a spiking neuron beside its artificial cousins."
)
ui.takeaway("A deep network is many copies of ŷ = φ(w·x + b), wired together and tuned by data.")
