"""The equal-budget experiment: fit one target with 1..6 hidden layers at equal parameter budgets.

A ``nnviz.live.TimedRun`` of a FIXED number of steps: ``steps`` Adam steps per depth, depths one after the
other, each depth training every budget and ``n_seeds`` restarts at once (``batched.BatchedMLP``). What it
computes never depends on time, so the same settings and seed give the same numbers on a loaded server as on a
laptop (a test checks it to 1e-9 under two wall-time budgets). The wall-time guard only protects the server: a
run it cuts is marked ``cut`` and no conclusion is drawn from it. The page's default is precomputed by
``benchmarks/precompute_depth.py`` with ``run()``, the same code.

torch is imported only when the experiment trains (``batched``), so showing the precomputed result is cheap.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nnviz.format import number
from nnviz.live import MAX_SECONDS, TimedRun
from nnviz.topics.depth.constructions import sawtooth_closed
from nnviz.topics.depth.counting import mlp_parameters, width_for_budget
from nnviz.topics.regions import pieces_1d

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "depth_equal_budget.json"
TARGETS = ("sawtooth", "sine", "spiral")
TARGET_LABELS = {"sawtooth": "Sawtooth t⁴ (16 pieces)", "sine": "High-frequency sine sin(2π·5x)",
                 "spiral": "2-D spiral (two classes)"}
DEPTHS = (1, 2, 3, 4, 5, 6)
BUDGETS = (25, 50, 100, 200, 400)
DEFAULT_STEPS = 3000
STEPS_RANGE = (200, 3000, 100)  # the page's slider: low, high, step
DEFAULT_SEED = 0
LR = 0.01
N_SEEDS = 3
PREFIX_STEPS = 20  # the precomputed file also keeps every depth's losses after this many steps (a cheap check)
CLEAR_WIN = 2.0  # "clearly better": at least this factor lower error


@dataclass(frozen=True)
class TargetData:
    """Training set and evaluation grid of one target. 1-D: x (n, 1), y (n, 1); spiral: X (n, 2), labels (n, 1)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    classification: bool


def two_spirals(n: int = 300, noise: float = 0.05, turns: float = 1.5, seed: int = 0) -> tuple[np.ndarray,
                                                                                                np.ndarray]:
    """Two interleaved spirals in [-1, 1]^2: X (n, 2), y (n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.05, 1.0, n)) * turns * 2 * np.pi
    y = np.arange(n) % 2
    r = t / (turns * 2 * np.pi)
    angle = t + np.pi * y
    X = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1) + rng.normal(0, noise, (n, 2))
    return X, y


def target_data(name: str, seed: int = 0) -> TargetData:
    """The target functions of the equal-budget experiment."""
    if name in ("sawtooth", "sine"):
        f = (lambda x: sawtooth_closed(x, 4)) if name == "sawtooth" else (lambda x: np.sin(2 * np.pi * 5 * x))
        x, xe = np.linspace(0, 1, 257)[:, None], np.linspace(0, 1, 1025)[:, None]
        return TargetData(name, x, f(x), xe, f(xe), False)
    if name == "spiral":
        X, y = two_spirals(400, seed=seed)
        Xe, ye = two_spirals(1000, seed=seed + 1000)
        return TargetData(name, X, y[:, None].astype(float), Xe, ye[:, None].astype(float), True)
    raise ValueError(f"Unknown target {name!r}; choose one of {', '.join(TARGETS)}.")


@dataclass(frozen=True)
class FitResult:
    """One (depth, budget) cell of the experiment: the best of ``n_seeds`` trained networks (lowest train loss)."""

    depth: int
    width: int
    params: int
    error: float  # RMS error (1-D) or misclassified fraction (spiral) on the evaluation set
    steps: int
    pieces: int | None = None  # exact linear pieces of the trained 1-D ReLU network on [0, 1]
    curve: tuple[float, ...] | None = None  # its predictions on 129 points of [0, 1] (1-D targets)


@dataclass(frozen=True)
class BudgetResult:
    """What the page draws of a run (finished, partial or cut) or of the precomputed file.

    ``cells`` in the order trained (depth by depth, budgets ascending); ``complete`` only when every depth
    trained all its steps and the guard did not cut it; ``cut_note`` the guard's sentence if it did.
    """

    target: str
    steps: int
    seed: int
    lr: float
    n_seeds: int
    budgets: tuple[int, ...]
    depths: tuple[int, ...]
    cells: tuple[FitResult, ...]
    complete: bool
    cut_note: str = ""

    @property
    def classification(self) -> bool:
        return self.target == "spiral"

    @property
    def error_label(self) -> str:
        return "misclassified fraction" if self.classification else "RMS error"

    def row(self, depth: int) -> list[FitResult]:
        """The cells of one depth, budgets ascending (fewer if that depth is not finished)."""
        return sorted((c for c in self.cells if c.depth == depth), key=lambda c: c.params)

    def cell(self, depth: int, budget_index: int) -> FitResult | None:
        row = self.row(depth)
        return row[budget_index] if budget_index < len(row) else None

    @property
    def settings(self) -> dict:
        return {"target": self.target, "steps": self.steps, "seed": self.seed, "lr": self.lr, "n_seeds": self.n_seeds,
                "budgets": list(self.budgets), "depths": list(self.depths)}

    def to_json(self) -> dict:
        return self.settings | {"results": [asdict(c) | {"curve": list(c.curve) if c.curve else None}
                                            for c in self.cells]}

    @classmethod
    def from_json(cls, d: dict) -> BudgetResult:
        cells = tuple(FitResult(**(r | {"curve": tuple(r["curve"]) if r.get("curve") else None}))
                      for r in d["results"])
        return cls(d["target"], d["steps"], d["seed"], d["lr"], d["n_seeds"], tuple(d["budgets"]),
                   tuple(d["depths"]), cells, complete=len(cells) == len(d["budgets"]) * len(d["depths"]))


def default_settings(target: str) -> dict:
    """The settings of the page's default run of ``target`` (what the precomputed file must hold)."""
    return {"target": target, "steps": DEFAULT_STEPS, "seed": DEFAULT_SEED, "lr": LR, "n_seeds": N_SEEDS,
            "budgets": list(BUDGETS), "depths": list(DEPTHS)}


class BudgetExperiment(TimedRun):
    """The experiment as a live run: ``len(depths) * steps`` Adam steps; one ``_step`` is one step of one depth
    (all its budgets and seeds at once). Depth j trains steps j*steps .. (j+1)*steps - 1."""

    unit = "step"

    def __init__(self, target: str, steps: int = DEFAULT_STEPS, seed: int = DEFAULT_SEED, *,
                 budgets: tuple[int, ...] = BUDGETS, depths: tuple[int, ...] = DEPTHS, lr: float = LR,
                 n_seeds: int = N_SEEDS, max_seconds: float = MAX_SECONDS) -> None:
        if steps < 1:
            raise ValueError("Train at least one step per depth.")
        self.target, self.steps_per_depth, self.seed = target, int(steps), int(seed)
        self.budgets, self.depths, self.lr, self.n_seeds = tuple(budgets), tuple(depths), float(lr), int(n_seeds)
        self.max_steps = len(self.depths) * self.steps_per_depth
        self.max_seconds = max_seconds
        self.data = target_data(target, self.seed)
        self.n_in = self.data.x_train.shape[1]
        # 1-D inputs in [0, 1] are fed as 2x - 1, centred like the spiral's inputs
        self._scale, self._shift = (2.0, -1.0) if self.n_in == 1 else (1.0, 0.0)
        self.cells: list[FitResult] = []
        self._model = None
        self._opt = None
        self._tensors = None

    # ------------------------------------------------------------------ training
    def shapes(self, depth: int) -> list[list[int]]:
        """Widths of the network of each budget at this depth."""
        return [[self.n_in] + [width_for_budget(self.n_in, 1, depth, b)] * depth + [1] for b in self.budgets]

    def _xy(self):
        if self._tensors is None:
            import torch

            d = self.data
            self._tensors = tuple(torch.as_tensor(a, dtype=torch.float32) for a in (
                d.x_train * self._scale + self._shift, d.y_train, d.x_eval * self._scale + self._shift))
        return self._tensors

    def _start_job(self, job: int) -> None:
        import torch

        from nnviz.topics.depth.batched import BatchedMLP

        d = self.depths[job]
        widths = [w for w in self.shapes(d) for _ in range(self.n_seeds)]
        seeds = [self.seed * 7919 + 101 * d + 13 * i for i in range(len(widths))]
        self._model = BatchedMLP(widths, seeds)
        self._opt = torch.optim.Adam(self._model.parameters(), lr=self.lr)

    def _train_once(self):
        from nnviz.topics.depth.batched import losses

        x, y, _ = self._xy()
        self._opt.zero_grad()
        loss = losses(self._model(x), y, self.data.classification)
        loss.sum().backward()
        self._opt.step()
        return loss

    def _step(self) -> bool:
        job, within = divmod(self.steps, self.steps_per_depth)
        if self._model is None:
            self._start_job(job)
        self._train_once()
        if within + 1 == self.steps_per_depth:
            self._finish_job(job)
        return True

    def _finish_job(self, job: int) -> None:
        import torch

        from nnviz.topics.depth.batched import losses

        model, d = self._model, self.depths[job]
        x, y, xe = self._xy()
        with torch.no_grad():
            train_loss = losses(model(x), y, self.data.classification).numpy()
            out = model(xe).numpy()[:, :, 0]
        ye = self.data.y_eval[:, 0]
        for bi, widths in enumerate(self.shapes(d)):
            idx = [bi * self.n_seeds + s for s in range(self.n_seeds)]
            best = min(idx, key=lambda i: train_loss[i])
            params = mlp_parameters(self.n_in, 1, d, widths[1])
            if self.data.classification:
                err = float(np.mean((out[best] > 0).astype(float) != ye))
                self.cells.append(FitResult(d, widths[1], params, err, self.steps_per_depth))
            else:
                err = float(np.sqrt(np.mean((out[best] - ye) ** 2)))
                net = model.network(best, self._scale, self._shift)
                curve = net.forward(np.linspace(0, 1, 129)[:, None])[:, 0]
                self.cells.append(FitResult(d, widths[1], params, err, self.steps_per_depth,
                                            pieces_1d(net, 0.0, 1.0).n_pieces,
                                            tuple(round(float(v), 3) for v in curve)))
        self._model = self._opt = None

    def prefix_losses(self, n: int = PREFIX_STEPS) -> list[list[float]]:
        """Each depth's per-network training losses (before the n-th step) after n fresh steps: a cheap check
        that this code trains as the precomputation did (``benchmarks/precompute_depth.py`` stores them)."""
        out = []
        for job in range(len(self.depths)):
            self._start_job(job)
            for _ in range(n):
                loss = self._train_once()
            out.append([float(v) for v in loss.detach().numpy()])
        self._model = self._opt = None
        return out

    # ------------------------------------------------------------------ reporting
    @property
    def depths_done(self) -> int:
        return min(len(self.depths), self.steps // self.steps_per_depth)

    def status(self) -> str:
        nets = len(self.depths) * len(self.budgets) * self.n_seeds
        if self.steps == 0:
            return (f"Ready: {nets} networks ({len(self.depths)} depths × {len(self.budgets)} budgets × "
                    f"{self.n_seeds} seeds), {number(self.steps_per_depth)} Adam steps each.")
        if self.cut:
            return f"Stopped by the server's time limit after {number(self.steps)} of {number(self.max_steps)} steps."
        if self.done:
            return f"Done: {nets} networks, {number(self.steps_per_depth)} steps each, in {self.work_s:.0f} s."
        job, within = divmod(self.steps, self.steps_per_depth)
        return (f"Depth {self.depths[job]} ({job + 1} of {len(self.depths)}): step {number(within)} of "
                f"{number(self.steps_per_depth)}, {len(self.budgets) * self.n_seeds} networks at once.")

    def result(self) -> BudgetResult:
        """The cells so far, frozen (a copy: the run may go on)."""
        return BudgetResult(self.target, self.steps_per_depth, self.seed, self.lr, self.n_seeds, self.budgets,
                            self.depths, tuple(self.cells), self.complete, self.cut_note())


@lru_cache(maxsize=1)
def _stored() -> dict:
    return json.loads(DATA_FILE.read_text()) if DATA_FILE.is_file() else {}


def default_result(target: str) -> BudgetResult | None:
    """The precomputed default run of ``target`` (benchmarks/precompute_depth.py), or None if missing."""
    d = _stored().get(target)
    return BudgetResult.from_json(d) if d else None


def stored_numerics() -> str | None:
    """The ``numerics.fingerprint()`` of the machine that computed the stored runs (None in an older file)."""
    return _stored().get("numerics")


def stored_prefix(target: str) -> list[list[float]] | None:
    d = _stored().get(target)
    return d.get("prefix") if d else None


def trained_pieces() -> dict[tuple[int, int], int]:
    """(depth, width) -> pieces of the network trained on the sawtooth at the defaults (precomputed)."""
    res = default_result("sawtooth")
    return {(c.depth, c.width): c.pieces for c in res.cells} if res else {}


# ---------------------------------------------------------------------------------------------- sentences


@dataclass(frozen=True)
class BudgetHighlight:
    """At one budget: which depth fit best, and how one hidden layer did."""

    budget: int
    best_depth: int
    best_error: float
    shallow_error: float


def highlights(res: BudgetResult) -> list[BudgetHighlight]:
    """For each budget every trained depth reached: the best depth and the one-hidden-layer error."""
    out = []
    for i, budget in enumerate(res.budgets):
        errs = {d: c.error for d in res.depths if (c := res.cell(d, i)) is not None}
        if 1 in errs:
            best = min(errs, key=errs.get)
            out.append(BudgetHighlight(budget, best, errs[best], errs[1]))
    return out


def constant_half_rms(target: str) -> float:
    """RMS error of the constant 1/2 on the target's evaluation grid (what a stuck network outputs)."""
    d = target_data(target)
    return float(np.sqrt(np.mean((d.y_eval - 0.5) ** 2)))


def look_for(res: BudgetResult) -> list[str]:
    """The sentences that say what this run shows; none (only a status) for a partial or cut run."""
    if res.cut_note:
        return ["No conclusion: the run was cut before every depth trained its steps (see the note above)."]
    done = len({c.depth for c in res.cells})
    if not res.complete:
        return [f"{done} of {len(res.depths)} depths trained so far: the comparison waits for all of them."]
    hs = highlights(res)
    fmt = (lambda e: f"{e:.1%}") if res.classification else (lambda e: f"{e:.3f}")
    out = ["Best depth per budget: " + "; ".join(
        f"about {h.budget}: **{h.best_depth} layer{'s' if h.best_depth > 1 else ''}** ({fmt(h.best_error)}; one "
        f"hidden layer {fmt(h.shallow_error)})" for h in hs) + "."]
    wins = [h.budget for h in hs if h.best_depth > 1 and h.best_error * CLEAR_WIN <= h.shallow_error]
    ties = [h.budget for h in hs if h.budget not in wins]
    if wins and ties:
        out.append(f"Deeper networks fit clearly better (at least {CLEAR_WIN:g}× lower error than one hidden layer) "
                   f"at about {_join(wins)} parameters; at {_join(ties)} one hidden layer is best or close.")
    elif wins:
        out.append(f"At every budget some deeper network fits at least {CLEAR_WIN:g}× better than one hidden layer.")
    else:
        out.append(f"At no budget does depth win by {CLEAR_WIN:g}× or more: here one hidden layer is best or close.")
    errs = [c.error for c in res.cells]
    if res.classification and max(errs) - min(errs) <= 0.01:
        out.append(f"On the spiral every cell ends between {min(errs):.1%} and {max(errs):.1%} misclassified: at "
                   "these budgets every depth separates the classes.")
    if res.target == "sawtooth":
        cell = next((c for c in res.cells if c.depth == 4 and c.width == 2), None)
        if cell is not None:
            base = constant_half_rms("sawtooth")
            near = abs(cell.error - base) <= 0.15 * base
            out.append(
                f"A 4-layer, 2-wide network with 25 parameters can fit the sawtooth exactly (the construction, error "
                f"0), yet from random starts gradient descent reached RMS error {cell.error:.3f}"
                + (f", near the constant ½ ({base:.3f}): narrow deep networks get stuck with dead units."
                   if near else f" (the constant ½ scores {base:.3f})."))
    return out


def _join(values: list[int]) -> str:
    items = [str(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
