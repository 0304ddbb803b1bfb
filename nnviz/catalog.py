"""The table of contents: every page of the app, its place in the navigation and its one-line pitch.

One source of truth for the router (app.py), the home page's learning-path cards and the tests that
visit every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    """One page: its script under pages/, where it sits in the navigation and what it shows."""

    file: str  # e.g. "single_neuron.py"; the URL path is the stem: /single_neuron
    title: str
    icon: str  # a ":material/...:" icon
    section: str
    blurb: str  # one sentence for the home page's learning path

    @property
    def path(self) -> Path:
        return ROOT / "pages" / self.file

    @property
    def url_path(self) -> str:
        return Path(self.file).stem


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home.py", "Home", ":material/home:", "Start",
             "What deep learning is, the artificial neuron, and the path through this app."),
    PageSpec("single_neuron.py", "Inside a neuron", ":material/radio_button_checked:", "Neurons",
             "Weights, bias and activation of one neuron; its decision boundary; training it; a spiking neuron."),
    PageSpec("network.py", "From neurons to networks", ":material/account_tree:", "Neurons",
             "Neurons side by side make a layer, layers make a network; training picks one function; digits."),
    PageSpec("activations.py", "Activation functions", ":material/show_chart:", "Neurons",
             "Every activation and its derivative, and why a network without one is just a linear map."),
    PageSpec("universal_approximation.py", "Universal approximation", ":material/functions:", "Expressiveness",
             "With a non-polynomial activation, one hidden layer can approximate any continuous function on a closed, "
             "bounded interval: construct it, solve it, train it."),
    PageSpec("depth.py", "Why go deep?", ":material/stacks:", "Expressiveness",
             "Depth buys exponentially many linear pieces per parameter; and why deeper is not always better."),
    PageSpec("skip_and_feedback.py", "Skip and feedback connections", ":material/alt_route:", "Architectures",
             "Residual highways for gradients, recurrent loops for memory: networks beyond layer-by-layer."),
    PageSpec("playground.py", "Network playground", ":material/hub:", "Playground",
             "Train a fully connected network live on 2-D data, TensorFlow Playground style."),
)

SECTIONS: tuple[str, ...] = ("Start", "Neurons", "Expressiveness", "Architectures", "Playground")


def spec(url_path: str) -> PageSpec:
    """The page with this URL path (file stem)."""
    for p in PAGES:
        if p.url_path == url_path:
            return p
    raise KeyError(url_path)
