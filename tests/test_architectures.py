"""The architectures drawn on the skip-and-feedback page: the displayed gate equations are the ones torch runs (hand
computation from the same description against nn.LSTMCell / nn.GRUCell and the adding problem's trained layers),
the diffusion step against its closed form, and every diagram draws each gate and skip it claims."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch import nn

from nnviz.figures import architectures as A
from nnviz.topics.skip_and_feedback import gates as gt
from nnviz.topics.skip_and_feedback import recurrent as rc
from nnviz.topics.skip_and_feedback.nets import SequenceRegressor


def _params(cell: nn.Module, suffix: str = "") -> dict[str, np.ndarray]:
    return {k: getattr(cell, k + suffix).detach().double().numpy()
            for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def _inputs(m: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(m), rng.standard_normal(n), rng.standard_normal(n)


@pytest.mark.parametrize("m,n,seed", [(1, 4, 0), (2, 32, 1), (3, 7, 2)])
def test_lstm_equations_are_torchs_lstm_cell(m, n, seed):
    torch.manual_seed(seed)
    cell = nn.LSTMCell(m, n, dtype=torch.float64)
    x, h, c = _inputs(m, n, seed)
    ours = gt.lstm_step(_params(cell), x, h, c)
    h_t, c_t = cell(torch.tensor(x)[None], (torch.tensor(h)[None], torch.tensor(c)[None]))
    np.testing.assert_allclose(ours["h"], h_t[0].detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours["c"], c_t[0].detach().numpy(), rtol=1e-12, atol=1e-14)
    # the forget gate is the one the joint chart sets with bias_ih[n:2n]: the 2nd block, as LSTM_GATES orders them
    with torch.no_grad():
        cell.bias_ih[n:2 * n] += 50.0
    gates = gt.lstm_step(_params(cell), x, h, c)
    np.testing.assert_allclose(gates["f"], 1.0, atol=1e-12)


@pytest.mark.parametrize("m,n,seed", [(1, 4, 0), (2, 32, 1), (3, 7, 2)])
def test_gru_equations_are_torchs_gru_cell(m, n, seed):
    torch.manual_seed(seed)
    cell = nn.GRUCell(m, n, dtype=torch.float64)
    x, h, _ = _inputs(m, n, seed)
    ours = gt.gru_step(_params(cell), x, h)
    h_t = cell(torch.tensor(x)[None], torch.tensor(h)[None])
    np.testing.assert_allclose(ours["h"], h_t[0].detach().numpy(), rtol=1e-12, atol=1e-14)


def test_the_gru_candidate_puts_r_inside_the_recurrent_term():
    """torch's GRU (and so the displayed n_t) multiplies r_t with (W_hn h + b_hn), not with h alone: the other common
    form gives a different state, so a test with the wrong equation fails."""
    torch.manual_seed(3)
    cell = nn.GRUCell(2, 5, dtype=torch.float64)
    p = _params(cell)
    x, h, _ = _inputs(2, 5, 3)
    out = gt.gru_step(p, x, h)
    wrong = np.tanh(p["weight_ih"][10:] @ x + p["bias_ih"][10:] + p["weight_hh"][10:] @ (out["r"] * h)
                    + p["bias_hh"][10:])
    assert np.max(np.abs(wrong - out["n"])) > 1e-3


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_equations_run_the_adding_problems_layers(kind):
    """The cells the adding problem trains (SequenceRegressor's nn.LSTM / nn.GRU), unrolled by the equations."""
    model = SequenceRegressor(kind, hidden=8, seed=4).double()
    x, _ = rc.adding_problem(1, 12, torch.Generator().manual_seed(0))
    x = x.double()
    seq, _ = model.rnn(x)
    p = _params(model.rnn, "_l0")
    h, c = np.zeros(8), np.zeros(8)
    for t in range(12):
        step = gt.lstm_step(p, x[0, t].numpy(), h, c) if kind == "lstm" else gt.gru_step(p, x[0, t].numpy(), h)
        h, c = step["h"], step.get("c")
        np.testing.assert_allclose(h, seq[0, t].detach().numpy(), rtol=1e-10, atol=1e-12)


def test_gate_latex_is_written_from_the_gate_it_computes():
    for g in gt.LSTM_GATES + gt.GRU_GATES:
        tex = gt.gate_latex(g)
        phi = r"\sigma" if g.phi == "sigmoid" else r"\tanh"
        s = g.symbol
        assert tex.startswith(f"{s}_t = {phi}")
        assert f"W_{{i{s}}}" in tex and f"W_{{h{s}}}" in tex and f"b_{{i{s}}}" in tex and f"b_{{h{s}}}" in tex
        assert (r"r_t \odot" in tex) == (g.inner == "r")
    assert [g.symbol for g in gt.LSTM_GATES] == ["i", "f", "g", "o"]  # torch's block order
    assert [g.symbol for g in gt.GRU_GATES] == ["r", "z", "n"]


def test_sampling_step_with_the_true_noise_is_the_posterior_mean():
    """With eps_hat = the noise actually added (a perfect denoiser) and z = 0, the DDPM step lands on the mean of
    q(x_{t-1} | x_t, x_0), its closed form."""
    rng = np.random.default_rng(0)
    betas = np.linspace(1e-4, 0.02, 1000)
    x0, eps = rng.standard_normal(16), rng.standard_normal(16)
    for t in (2, 10, 500, 1000):
        x_t = gt.noised(x0, eps, t, betas)
        step = gt.sampling_step(x_t, eps, t, betas, z=np.zeros(16), sigma=0.0)
        np.testing.assert_allclose(step, gt.posterior_mean(x0, x_t, t, betas), rtol=1e-9, atol=1e-12)
    ab = gt.alpha_bar(betas)
    assert ab[0] == pytest.approx(1 - betas[0]) and ab[-1] == pytest.approx(np.prod(1 - betas))


def _labels(dot: str) -> str:
    """Every label's text, a line break read as a space."""
    text = " ".join(re.findall(r'label="([^"]*)"', dot) + re.findall(r"label=<(.*?)>;", dot))
    return text.replace("\\n", " ").replace('<br align="left"/>', " ")


def _edges(dot: str) -> set[tuple[str, str]]:
    return set(re.findall(r"(\w+) -> (\w+)", dot))


def test_unet_draws_every_long_skip_it_claims():
    dot = A.unet_diagram()
    edges, labels = _edges(dot), _labels(dot)
    for k in range(1, len(A.UNET_CHANNELS) + 1):
        assert f"skip {k}" in A.UNET_CLAIMS and f"skip {k}: copy, concat" in labels
        assert (f"enc{k}", f"dec{k}") in edges  # encoder level k straight across to decoder level k
    assert "bottleneck" in labels and (f"enc{len(A.UNET_CHANNELS)}", "mid") in edges
    for ch in A.UNET_CHANNELS:
        assert f"{ch} ch" in labels


def test_denoiser_draws_the_loop_it_claims():
    dot = A.denoiser_diagram()
    labels, edges = _labels(dot), _edges(dot)
    for claim in A.DENOISER_CLAIMS:
        assert claim in labels, claim
    assert {("xt", "unet"), ("t", "unet"), ("unet", "eps"), ("eps", "upd"), ("upd", "xt")} <= edges


@pytest.mark.parametrize("diagram,cell_gates,claims", [(A.lstm_diagram, gt.LSTM_GATES, A.LSTM_CLAIMS),
                                                       (A.gru_diagram, gt.GRU_GATES, A.GRU_CLAIMS)])
def test_cells_draw_every_gate_they_claim(diagram, cell_gates, claims):
    dot = diagram()
    labels, edges = _labels(dot), _edges(dot)
    for g in cell_gates:
        assert g.symbol in claims
        assert ("xh", g.symbol) in edges  # every gate reads (x_t, h_{t-1})
        assert re.search(rf'\b{g.symbol} \[label="{g.symbol}ₜ = ', dot), g.symbol
    for claim in claims[len(cell_gates):]:
        assert claim in labels, claim


@pytest.mark.parametrize("diagram", [A.unet_diagram, A.denoiser_diagram, A.lstm_diagram, A.gru_diagram])
def test_diagrams_are_laid_out_narrow_at_the_size_streamlit_draws(diagram):
    """Phone widths (issue 16): each diagram runs top to bottom, lays its text out at the size Streamlit's graphviz
    chart draws it (FONT_PT, after the page-wide defaults), and no label line is longer than a narrow box allows
    (a title line of at most 44 characters, a node or edge line of at most 30), so the drawing stays within
    about NARROW_PT points (measured in Chromium: 243-328 pt) and its text is drawn at >= 9 px on a 390 px phone."""
    dot = diagram()
    assert "rankdir=TB" in dot and "rankdir=LR" not in dot
    assert dot.index(f"node [fontsize={A.FONT_PT}") > dot.index("node [shape=box")  # overrides the defaults
    assert not re.search(r"fontsize=(?!1[01]\b)\d+", dot.split(A._SMALL, 1)[1])  # no larger text after it
    title = re.search(r"label=<(.*?)>;", dot).group(1).split('<br align="left"/>')
    assert len([t for t in title if t]) >= 1 and max(len(t) for t in title) <= 44
    lines = [ln for lab in re.findall(r'label="([^"]*)"', dot) for ln in lab.split("\\n")]
    assert lines and max(len(ln.strip()) for ln in lines) <= 30, max(lines, key=len)
