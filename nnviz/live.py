"""Time-sliced runs: the one base every live training in nnviz is written on.

A live view (``nnviz.ui.live_panel``) keeps a ``TimedRun`` in the user's session and calls ``advance(budget_s)``
once per tick of an ``st.fragment``: the run works for a slice of wall time, then the page redraws, so the page
never freezes and the visible rate is steps per second of wall time.

What a run *computes* never depends on time. A run is a fixed number of steps (``max_steps``): the same
settings and seed give the same numbers on a loaded server as on a laptop; a busy server only takes longer.
Time enters in one place, the guard ``max_seconds`` that protects the server from a run that would take too
long; a run it stops is marked ``cut`` and says so (``cut_note``), and nothing should be concluded from it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from nnviz.format import number

#: A live view redraws every INTERVAL_S (5 times a second). Each tick first trains for up to TICK_TRAIN_S, at
#: least MIN_TRAIN_S, leaving the interval the last drawing time plus SLACK_S: a network that is slow to draw
#: trains a little less per tick rather than missing redraws.
INTERVAL_S = 0.2
TICK_TRAIN_S = 0.12
MIN_TRAIN_S = 0.04
SLACK_S = 0.04

#: The default guard: no live run works for more than this many seconds in total (pauses excluded).
MAX_SECONDS = 300.0


def tick_budget(draw_s: float, interval_s: float = INTERVAL_S, max_s: float = TICK_TRAIN_S,
                min_s: float = MIN_TRAIN_S, slack_s: float = SLACK_S) -> float:
    """Seconds to train in this tick, given how long the last tick took to draw (``draw_s``)."""
    return min(max_s, max(min_s, interval_s - draw_s - slack_s))


class Stepper(Protocol):
    """What the live panel needs of a run (``TimedRun`` is the implementation)."""

    def advance(self, budget_s: float) -> int: ...

    @property
    def done(self) -> bool: ...

    @property
    def progress(self) -> float: ...

    def status(self) -> str: ...


class TimedRun:
    """A run of at most ``max_steps`` steps, advanced in slices of wall time.

    Subclasses set ``max_steps`` (and optionally ``max_seconds``, ``unit``) and write two methods:

    - ``_step() -> bool``: one unit of work (an epoch, an optimiser step); return False when the run ended early
      for a reason of its own (it converged or diverged), True otherwise.
    - ``status() -> str``: one line for the user.

    The base keeps the count, the stop reasons and a work clock that runs only inside ``advance`` and ``run``
    (pauses and drawing do not count).
    """

    max_steps: int = 1000
    max_seconds: float = MAX_SECONDS
    unit: str = "step"  # what one step is called in the rate readout: "epoch", "step"

    @property
    def title(self) -> str:
        """What the run is, in a few words, for the names of the live panel's buttons ("Pause: degradation run").
        The class name in words unless a subclass says better."""
        words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", type(self).__name__)
        return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words) or "run"

    steps: int = 0
    work_s: float = 0.0
    ended: bool = False  # _step returned False: the run finished early for its own reason
    cut: bool = False  # the wall-time guard stopped it before max_steps

    def _step(self) -> bool:
        raise NotImplementedError

    def status(self) -> str:
        return f"{self.unit.capitalize()} {number(self.steps)} of {number(self.max_steps)}"

    @property
    def done(self) -> bool:
        """True once the run is over: all steps taken, ended early, or cut by the guard."""
        return self.ended or self.cut or self.steps >= self.max_steps

    @property
    def complete(self) -> bool:
        """True when the run finished as designed (not cut): its result can be compared and shared."""
        return self.done and not self.cut

    @property
    def progress(self) -> float:
        """Fraction of the run done, in [0, 1] (1 once it is over, whatever stopped it)."""
        return 1.0 if self.done else min(1.0, self.steps / max(1, self.max_steps))

    def _one(self) -> bool:
        if self.done:
            return False
        keep_going = self._step()
        self.steps += 1
        if keep_going is False:
            self.ended = True
        return not self.done

    def advance(self, budget_s: float) -> int:
        """Take steps for about ``budget_s`` seconds (at least one unless done); returns the steps taken.

        Stops at ``max_steps`` whatever the budget, and cuts the run once its work clock passes ``max_seconds``.
        """
        t0 = time.perf_counter()
        deadline = t0 + budget_s
        before = self.steps
        try:
            while self._one():
                now = time.perf_counter()
                if self.work_s + (now - t0) >= self.max_seconds:
                    self.cut = True
                    break
                if now >= deadline:
                    break
        finally:
            self.work_s += time.perf_counter() - t0
        return self.steps - before

    def run(self, n: int | None = None) -> TimedRun:
        """Take exactly ``n`` more steps (all remaining if None), or fewer if the run ends; no clock, no guard.

        For precomputation, tests and shared results: what it computes is what ``advance`` computes.
        """
        t0 = time.perf_counter()
        remaining = self.max_steps - self.steps if n is None else n
        for _ in range(max(0, remaining)):
            if not self._one():
                break
        self.work_s += time.perf_counter() - t0
        return self

    def cut_note(self) -> str:
        """The sentence a cut run shows instead of a conclusion (empty if it was not cut)."""
        if not self.cut:
            return ""
        return (f"Stopped after {number(self.steps)} of {number(self.max_steps)} {self.unit}s: the server's time "
                f"limit of {self.max_seconds:g} s was reached, so this run is not comparable with the full run. "
                "Nothing is concluded from it; press Reset to try again (a less busy moment finishes it).")


class History:
    """The one bounded history: named columns, one row per ``add``.

    When it reaches ``max_points`` rows, every other row is dropped (the first and the last kept), so a long run
    keeps a curve of the whole run at halving resolution and a session's memory stays small.
    """

    def __init__(self, names: Iterable[str], max_points: int = 2000) -> None:
        if max_points < 4:
            raise ValueError("A history keeps at least 4 points.")
        self.names = tuple(names)
        self.max_points = max_points
        self.columns: dict[str, list[float]] = {n: [] for n in self.names}

    def add(self, **values: float) -> None:
        """Append one row (every column named)."""
        if set(values) != set(self.names):
            raise ValueError(f"A row needs exactly the columns {', '.join(self.names)}.")
        for n in self.names:
            self.columns[n].append(values[n])
        if len(self) >= self.max_points:
            for n in self.names:
                col = self.columns[n]
                self.columns[n] = col[:-1:2] + [col[-1]]

    def __len__(self) -> int:
        return len(self.columns[self.names[0]]) if self.names else 0

    def __getitem__(self, name: str) -> list[float]:
        return self.columns[name]

    def last(self, name: str) -> float:
        """The newest value of a column (NaN if empty)."""
        col = self.columns[name]
        return col[-1] if col else float("nan")


def run_for(step: Callable[[], bool], budget_s: float, max_steps: int | None = None) -> int:
    """Call ``step()`` for about ``budget_s`` seconds (at least once); stop early when it returns False.

    For work that is not a ``TimedRun`` (a single bounded computation in slices). Returns the steps taken.
    """
    deadline = time.perf_counter() + budget_s
    steps = 0
    while True:
        keep_going = step()
        steps += 1
        if not keep_going or (max_steps is not None and steps >= max_steps) or time.perf_counter() >= deadline:
            return steps
