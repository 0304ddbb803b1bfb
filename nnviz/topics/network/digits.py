"""f(image of an 8) = 8: a small MLP on scikit-learn's load_digits, and the path a drawn digit takes into it.

load_digits' images are 32x32 bitmaps of handwriting, cut into 4x4 blocks whose on-pixels are counted: 8x8
images of integers 0..16. Every image the network sees, from the data set or drawn on the page, goes through
``preprocess``: clip and round to 0..16 (what the data set can hold), divide by 16, flatten to 64 numbers.

Shapes: an image is (8, 8); a batch X is (N, 64); the MLP is W1 (width, 64), b1 (width,), W2 (10, width), b2 (10,).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nnviz.format import number
from nnviz.live import History, TimedRun
from nnviz.topics.network import data
from nnviz.topics.network.heads import softmax

TEST_FRACTION = 0.25
SPLIT_SEED = 0
MAX_VALUE = 16  # an 8x8 pixel counts the on-pixels of a 4x4 block
BLOCK = 4
WIDTHS = (8, 16, 32, 64, 128)
MAX_EPOCHS = 60
BATCH = 64
LR = 0.003


@dataclass(frozen=True)
class DigitsSettings:
    """Everything a training depends on (its cache key): hidden width, epochs, seed."""

    width: int = 32
    epochs: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        if self.width not in WIDTHS or not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"width must be one of {WIDTHS} and epochs between 1 and {MAX_EPOCHS}.")


DEFAULT = DigitsSettings()


def downsample(bitmap: np.ndarray) -> np.ndarray:
    """A (32, 32) bitmap of 0/1 to load_digits' (8, 8) image: on-pixels counted per 4x4 block (0..16)."""
    b = (np.asarray(bitmap) > 0).astype(int)
    if b.shape != (8 * BLOCK, 8 * BLOCK):
        raise ValueError("A bitmap is 32 by 32 pixels.")
    return b.reshape(8, BLOCK, 8, BLOCK).sum(axis=(1, 3))


def preprocess(images: np.ndarray) -> np.ndarray:
    """(8, 8) or (N, 8, 8) intensities to network inputs (64,) or (N, 64): clip and round to 0..16, divide by 16."""
    img = np.asarray(images, dtype=float)
    if img.shape[-2:] != (8, 8):
        raise ValueError("An image is 8 by 8 pixels.")
    img = np.clip(np.round(np.nan_to_num(img)), 0, MAX_VALUE) / MAX_VALUE
    return img.reshape(*img.shape[:-2], 64)


def paint(rows: Sequence[Iterable[int]]) -> np.ndarray:
    """A painted grid to an (8, 8) image: ``rows[r]`` lists the painted columns (0..7) of row r; a painted cell
    is a fully inked 4x4 block (16), the rest blank (0). Anything outside the grid is ignored."""
    image = np.zeros((8, 8))
    for r, cols in enumerate(list(rows)[:8]):
        for c in cols:
            if isinstance(c, (int, np.integer)) and 0 <= c < 8:
                image[r, c] = MAX_VALUE
    return image


def strokes(image: np.ndarray) -> list[list[int]]:
    """The painted columns per row that best copy an (8, 8) image with one pen: cells at least half inked."""
    img = np.nan_to_num(np.asarray(image, dtype=float))
    return [[int(c) for c in np.flatnonzero(row >= MAX_VALUE / 2)] for row in img]


@dataclass(frozen=True)
class DigitsData:
    """The fixed split: images_* (N, 8, 8) 0..16, X_* (N, 64) preprocessed, y_* (N,) labels 0..9."""

    images_train: np.ndarray
    X_train: np.ndarray
    y_train: np.ndarray
    images_test: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def digits_data() -> DigitsData:
    images, labels = data.digits()
    train, test = data.split(len(labels), TEST_FRACTION, SPLIT_SEED)
    return DigitsData(images[train], preprocess(images[train]), labels[train],
                      images[test], preprocess(images[test]), labels[test])


@dataclass(frozen=True)
class Weights:
    """A trained MLP's parameters as numpy arrays (shapes in the module docstring)."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


def probabilities(w: Weights, X: np.ndarray) -> np.ndarray:
    """softmax(W2 relu(W1 x + b1) + b2) for X (N, 64) or (64,): (N, 10) or (10,)."""
    h = np.maximum(X @ w.W1.T + w.b1, 0.0)
    return softmax(h @ w.W2.T + w.b2)


def confusion(y: np.ndarray, y_hat: np.ndarray, k: int = 10) -> np.ndarray:
    """(k, k) counts: row = true class, column = predicted class."""
    m = np.zeros((k, k), dtype=int)
    np.add.at(m, (y, y_hat), 1)
    return m


@dataclass(frozen=True)
class DigitsResult:
    """A (possibly partial) training: weights, test accuracy, confusion (10, 10), wrong test indices, curves."""

    settings: DigitsSettings
    epochs_done: int
    weights: Weights
    accuracy: float
    train_accuracy: float
    confusion: np.ndarray
    wrong: np.ndarray  # indices into the test set, most confident mistakes first
    epoch: np.ndarray  # (E,) epochs at which the curves were recorded
    loss: np.ndarray  # (E,) mean training cross-entropy in that epoch
    test_accuracy: np.ndarray  # (E,)


class DigitsTraining(TimedRun):
    """Minibatch Adam on 64 -> width (ReLU) -> 10 (softmax, cross-entropy), one epoch per step, fixed seed.

    The network, its optimiser and the tensors are built by the first step: an untrained run (the panel on a first
    visit) loads no torch, and torch's first Adam (its compiler's import) costs seconds on a cold server."""

    unit = "epoch"

    def __init__(self, settings: DigitsSettings = DEFAULT, d: DigitsData | None = None) -> None:
        self.settings = settings
        self.max_steps = settings.epochs
        self.d = d if d is not None else digits_data()
        self.history = History(("epoch", "loss", "test_accuracy"), max_points=2 * MAX_EPOCHS + 4)
        self._accuracy = float("nan")
        self._torch: dict | None = None  # net, opt, gen, X, y

    def _built(self) -> dict:
        if self._torch is None:
            import torch

            torch.manual_seed(self.settings.seed)
            net = torch.nn.Sequential(torch.nn.Linear(64, self.settings.width), torch.nn.ReLU(),
                                      torch.nn.Linear(self.settings.width, 10))
            # fused: one kernel per step for all four tensors; 2x faster than the per-tensor loop on these layers
            self._torch = {"net": net, "opt": torch.optim.Adam(net.parameters(), lr=LR, fused=True),
                           "gen": torch.Generator().manual_seed(self.settings.seed),
                           "X": torch.tensor(self.d.X_train, dtype=torch.float32),
                           "y": torch.tensor(self.d.y_train, dtype=torch.long)}
        return self._torch

    def _step(self) -> bool:
        import torch

        t = self._built()
        net, opt = t["net"], t["opt"]
        order = torch.randperm(len(t["y"]), generator=t["gen"])
        total = torch.zeros(())
        # one gather per epoch; the batches are then views of it
        for X, y in zip(t["X"][order].split(BATCH), t["y"][order].split(BATCH), strict=True):
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(X), y)
            loss.backward()
            opt.step()
            total += loss.detach() * len(y)  # no .item() per step: one read per epoch
        self._accuracy = float(np.mean(self.predict(self.d.X_test) == self.d.y_test))
        self.history.add(epoch=self.steps + 1, loss=float(total) / len(order), test_accuracy=self._accuracy)
        return True

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.argmax(probabilities(self.weights(), X), axis=-1)

    def weights(self) -> Weights:
        import torch

        net = self._built()["net"]
        l1, l2 = net[0], net[2]
        with torch.no_grad():
            return Weights(*(t.detach().numpy().astype(np.float64).copy()
                             for t in (l1.weight, l1.bias, l2.weight, l2.bias)))

    def status(self) -> str:
        acc = "" if self.steps == 0 else f" · test accuracy {100 * self._accuracy:.1f} %"
        return f"Epoch {number(self.steps)} of {number(self.max_steps)}{acc}"

    def result(self) -> DigitsResult:
        h = self.history
        return evaluate(self.settings, self.steps, self.weights(), self.d, np.array(h["epoch"]), np.array(h["loss"]),
                        np.array(h["test_accuracy"]))


def evaluate(settings: DigitsSettings, epochs_done: int, w: Weights, d: DigitsData, epoch: np.ndarray,
             loss: np.ndarray, test_accuracy: np.ndarray) -> DigitsResult:
    """Everything the page shows of a trained network, from its weights and its training curves."""
    p = probabilities(w, d.X_test)
    y_hat = np.argmax(p, axis=1)
    wrong = np.flatnonzero(y_hat != d.y_test)
    wrong = wrong[np.argsort(-p[wrong, y_hat[wrong]], kind="stable")]
    train_acc = float(np.mean(np.argmax(probabilities(w, d.X_train), axis=1) == d.y_train))
    return DigitsResult(settings, epochs_done, w, float(np.mean(y_hat == d.y_test)), train_acc,
                        confusion(d.y_test, y_hat), wrong, epoch, loss, test_accuracy)


def train(settings: DigitsSettings = DEFAULT) -> DigitsResult:
    """The full fixed-length training (no clock): what the live panel computes when it finishes."""
    return DigitsTraining(settings).run().result()


def accuracy_sentence(r: DigitsResult, n_test: int) -> str:
    """What the confusion matrix shows: accuracy, and the pair of digits confused most often."""
    off = r.confusion.copy()
    np.fill_diagonal(off, 0)
    t, p = np.unravel_index(int(np.argmax(off)), off.shape)
    worst = (f" The commonest mistake is reading a {t} as a {p} ({off[t, p]} times)." if off[t, p] > 0
             else " It gets every test digit right.")
    return (f"After {r.epochs_done} epochs the network labels {100 * r.accuracy:.1f} % of the {n_test} test digits "
            f"correctly ({len(r.wrong)} wrong; {100 * r.train_accuracy:.1f} % of the training digits)." + worst)


def prediction_sentence(p: np.ndarray, label: int | None = None) -> str:
    """What the softmax bars (10,) say: the guess, its probability, the runner-up; right or wrong if labelled."""
    order = np.argsort(-p, kind="stable")
    guess, second = int(order[0]), int(order[1])
    text = (f"The network reads **{guess}** with probability {number(float(p[guess]), 2)}; "
            f"next is {second} ({number(float(p[second]), 2)}).")
    if label is not None:
        text += " That is right." if guess == label else f" Wrong: it is a {label}."
    return text


# ---------------------------------------------------------------------------------------------------------------
# The default training, shipped: nnviz/data/network_digits.json (benchmarks/precompute_network.py writes it, a test
# checks it equals a fresh run), so the page's first visit trains nothing.
# ---------------------------------------------------------------------------------------------------------------

PRECOMPUTED = Path(__file__).resolve().parents[2] / "data" / "network_digits.json"


def to_json(r: DigitsResult) -> dict:
    w = r.weights
    return {"settings": asdict(r.settings), "epochs_done": r.epochs_done,
            "weights": {k: getattr(w, k).tolist() for k in ("W1", "b1", "W2", "b2")},
            "epoch": r.epoch.tolist(), "loss": r.loss.tolist(), "test_accuracy": r.test_accuracy.tolist()}


def from_json(blob: dict, d: DigitsData | None = None) -> DigitsResult:
    w = Weights(*(np.array(blob["weights"][k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2")))
    return evaluate(DigitsSettings(**blob["settings"]), blob["epochs_done"], w, d if d is not None else digits_data(),
                    np.array(blob["epoch"]), np.array(blob["loss"]), np.array(blob["test_accuracy"]))


def load_default() -> DigitsResult:
    """The shipped default training if its file is there and matches DEFAULT, else a fresh one."""
    if PRECOMPUTED.is_file():
        blob = json.loads(PRECOMPUTED.read_text())
        if DigitsSettings(**blob["settings"]) == DEFAULT:
            return from_json(blob)
    return train(DEFAULT)
