"""The architectures the lecture names, drawn as Graphviz DOT text (drawn by the browser, like the page's chain,
residual and RNN diagrams): a U-Net's long skips, a diffusion model's denoiser in its sampling loop, an LSTM cell
and a GRU cell with their gates.

Each builder returns the DOT text; ``*_CLAIMS`` name what each diagram says it shows (the skips, the gates, the
loop), and a test checks that the DOT draws each of them. Skip and highway paths are blue, thick, dashed and
labelled, so they are told apart by more than colour.
"""

from __future__ import annotations

from nnviz.figures import style
from nnviz.figures.skip_and_feedback import PLAIN, RESIDUAL, dot, node, sub
from nnviz.topics.skip_and_feedback import gates as gt

#: U-Net levels as in Ronneberger, Fischer & Brox (2015): channels per level, the bottleneck below the last.
UNET_CHANNELS = (64, 128, 256, 512)
UNET_BOTTLENECK = 1024
_GATE_FILL = {"sigmoid": "#e6f4ef", "tanh": "#fdf3e1"}
_GATE_EDGE = {"sigmoid": style.GREEN, "tanh": style.ORANGE}


#: Streamlit's graphviz chart draws every text at 9.6 px (its stylesheet overrides the DOT font sizes) and scales
#: the drawing to the column's width. Laying out at the size that is drawn keeps the boxes tight, and each diagram
#: is drawn top to bottom within NARROW_PT points, so in the page's tab on a 390 px phone (324 px of column) the
#: text is drawn at 9.6 x 324 / NARROW_PT >= 9 px; on a desktop column (~700 px) the same drawing is larger.
FONT_PT = 10
NARROW_PT = 340
_SMALL = f"nodesep=0.12; node [fontsize={FONT_PT}, margin=\"0.07,0.04\"]; edge [fontsize={FONT_PT}]; "


def _dot(body: str, title: str) -> str:
    """A top-to-bottom diagram at the drawn font size, its title (lines split on '|') above it, left-aligned."""
    lines = "".join(f"{t}<br align=\"left\"/>" for t in title.split("|"))
    return dot(_SMALL + f'label=<{lines}>; labelloc="t"; labeljust="l"; fontsize={FONT_PT + 1}; ' + body,
               rankdir="TB")


def _skip_edge(a: str, b: str, label: str) -> str:
    return (f'{a} -> {b} [color="{RESIDUAL}", penwidth=2.6, style=dashed, fontcolor="{RESIDUAL}", '
            f'label="{label}"]; ')


def _op(name: str, label: str) -> str:
    """A small round node for an elementwise operation (+, ⊙, 1 − z, tanh)."""
    return (f'{name} [label="{label}", shape=circle, width=0.42, fixedsize=true, style="", '
            f'color="{style.BLACK}"]; ')


def _gate(g: gt.Gate) -> str:
    """A gate's node: symbol, activation and role ('f: σ, forget gate')."""
    phi = "σ" if g.phi == "sigmoid" else "tanh"
    role = g.name.split(":")[0]
    return (f'{g.symbol} [label="{g.symbol}{sub("t")} = {phi}(…)\\n{role}", shape=box, style="rounded,filled", '
            f'color="{_GATE_EDGE[g.phi]}", fillcolor="{_GATE_FILL[g.phi]}"]; ')


# --------------------------------------------------------------------------------------------------
# U-Net

UNET_CLAIMS = tuple(f"skip {k}" for k in range(1, len(UNET_CHANNELS) + 1)) + ("bottleneck",)


def unet_diagram() -> str:
    """Encoder down the left, decoder up the right, one long skip per level joining them (DOT)."""
    n = len(UNET_CHANNELS)
    body = [node("x", "input image", "end"), node("y", "output\\n(same size)", "end"), "{rank=same; x; y} "]
    for k, ch in enumerate(UNET_CHANNELS, start=1):
        size = "H × W" if k == 1 else f"H/{2 ** (k - 1)} × W/{2 ** (k - 1)}"
        body.append(node(f"enc{k}", f"conv ×2: {ch} ch\\n{size}", "layer"))
        body.append(node(f"dec{k}", f"concat, conv ×2\\n{ch} ch, {size}", "state"))
        body.append(f"{{rank=same; enc{k}; dec{k}}} ")
    size = f"H/{2 ** n} × W/{2 ** n}"
    body.append(node("mid", f"bottleneck\\n{UNET_BOTTLENECK} ch, {size}", "layer"))
    edges = ["x -> enc1; "]
    for k in range(1, n):
        edges.append(f'enc{k} -> enc{k + 1} [label=" pool ↓2"]; ')
        edges.append(f'dec{k + 1} -> dec{k} [label=" up ↑2"]; ')
    edges.append(f'enc{n} -> mid [label=" pool ↓2"]; mid -> dec{n} [label=" up ↑2"]; dec1 -> y; ')
    edges += [_skip_edge(f"enc{k}", f"dec{k}", f"skip {k}:\\ncopy, concat") for k in range(1, n + 1)]
    return _dot("".join(body + edges), "U-Net: each encoder level's features|skip straight across to the decoder")


# --------------------------------------------------------------------------------------------------
# A diffusion model's denoiser

DENOISER_CLAIMS = ("noisy x", "time step t", "U-Net", "predicted noise", "sampling loop", "pure noise", "x₀")


def denoiser_diagram() -> str:
    """The DDPM sampling loop: x_T ~ N(0, I); (x_t, t) -> U-Net -> predicted noise -> x_{t-1}; repeat (DOT)."""
    xt, xt1, bt = "x" + sub("t"), "x" + sub("t-1"), "β" + sub("t")
    body = (node("start", "start at t = T:\\npure noise ~ N(0, I)", "end")
            + node("xt", f"noisy x: {xt}", "state")
            + node("t", "time step t\\n(sinusoidal embedding)", "end")
            + node("unet", "U-Net εθ(" + xt + ", t)\\n(long skips inside)", "layer")
            + node("eps", "predicted noise ε̂", "state")
            + node("upd", f"{xt1} = ({xt} − {bt}/√(1 − ᾱ{sub('t')})·ε̂)\\n/ √(1 − {bt}) + σ{sub('t')} z", "layer")
            + node("out", "x₀: the sample", "end") + "{rank=same; xt; t} ")
    edges = ("start -> xt; xt -> unet; t -> unet; unet -> eps; eps -> upd; xt -> upd [style=dotted]; "
             f'upd -> xt [label=" sampling loop:\\n t ← t − 1,\\n T times", color="{PLAIN}", fontcolor="{PLAIN}", '
             'penwidth=2.4, constraint=false]; '
             'upd -> out [label=" when t = 1"]; ')
    return _dot(body + edges, "Diffusion: the denoiser predicts the noise,|the loop removes it")


# --------------------------------------------------------------------------------------------------
# Gated cells

LSTM_CLAIMS = tuple(g.symbol for g in gt.LSTM_GATES) + ("cₜ", "hₜ", "cell-state highway")
GRU_CLAIMS = tuple(g.symbol for g in gt.GRU_GATES) + ("hₜ", "1 − z", "state highway")


def lstm_diagram() -> str:
    """An LSTM cell, top to bottom: four gates from (x_t, h_{t-1}); down the cell-state highway on the left
    c_t = f ⊙ c_{t-1} + i ⊙ g; then h_t = o ⊙ tanh(c_t) (DOT)."""
    body = (node("c0", "c" + sub("t-1"), "end") + node("xh", "x" + sub("t") + ", h" + sub("t-1"), "end")
            + node("c", "c" + sub("t"), "state") + node("h", "h" + sub("t"), "state")
            + "".join(_gate(g) for g in gt.LSTM_GATES)
            + _op("fc", "⊙") + _op("ig", "⊙") + _op("plus", "+") + _op("tc", "tanh") + _op("oh", "⊙")
            + "{rank=same; c0; xh} {rank=same; fc; ig} {rank=same; c; tc; o} ")  # o beside tanh(c): three gates a row
    edges = (_skip_edge("c0", "fc", "cell-state\\nhighway") + _skip_edge("fc", "plus", "")
             + _skip_edge("plus", "c", "")
             + "xh -> f; xh -> i; xh -> g; xh -> o; f -> fc; i -> ig; g -> ig; ig -> plus; "
             + "c -> tc; tc -> oh; o -> oh; oh -> h; ")
    return _dot(body + edges, "LSTM cell: cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ,|hₜ = oₜ ⊙ tanh(cₜ)")


def gru_diagram() -> str:
    """A GRU cell, top to bottom: gates r, z and the candidate n; down the state highway on the left
    h_t = (1 − z) ⊙ n + z ⊙ h_{t-1} (DOT)."""
    body = (node("h0", "h" + sub("t-1"), "end") + node("xh", "x" + sub("t") + ", h" + sub("t-1"), "end")
            + node("h", "h" + sub("t"), "state")
            + "".join(_gate(g) for g in gt.GRU_GATES)
            + _op("zh", "⊙") + _op("omz", "1 − z") + _op("zn", "⊙") + _op("plus", "+")
            + "{rank=same; h0; xh} ")
    edges = (_skip_edge("h0", "zh", "state\\nhighway") + _skip_edge("zh", "plus", "")
             + 'xh -> z; xh -> r; xh -> n; r -> n [label=" r ⊙ (Wₕₙ h + bₕₙ)"]; z -> zh; z -> omz; omz -> zn; '
             + "n -> zn; zn -> plus; plus -> h; ")
    return _dot(body + edges, "GRU cell: hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁")
