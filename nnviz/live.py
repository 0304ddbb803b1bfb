"""Time-budgeted work for live views: train for a slice of wall time, then let the page redraw.

A live view (``nnviz.ui.live_panel``) holds a ``Stepper`` in the user's session and calls
``advance(budget_s)`` once per tick of an ``st.fragment``. The visible rate is therefore epochs per
second of wall time, not one epoch per frame, and the page never freezes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Stepper(Protocol):
    """Anything that can do a bounded amount of work when asked."""

    def advance(self, budget_s: float) -> None:
        """Work for about ``budget_s`` seconds of wall time (at least one unit of work)."""

    @property
    def done(self) -> bool:
        """True once the run has reached its end (epoch limit, convergence or divergence)."""

    @property
    def progress(self) -> float:
        """Fraction of the run completed, in [0, 1]."""

    def status(self) -> str:
        """One line for the user: epoch, loss, what happened."""


def run_for(step: Callable[[], bool], budget_s: float, max_steps: int | None = None) -> int:
    """Call ``step()`` repeatedly for ``budget_s`` seconds (at least once); stop early when it returns False.

    Returns the number of steps taken. ``max_steps`` bounds the count regardless of time.
    """
    deadline = time.perf_counter() + budget_s
    steps = 0
    while True:
        keep_going = step()
        steps += 1
        if not keep_going or (max_steps is not None and steps >= max_steps):
            return steps
        if time.perf_counter() >= deadline:
            return steps


#: A live view redraws every INTERVAL_S (5 times a second). Each tick first trains for up to TICK_TRAIN_S, at
#: least MIN_TRAIN_S, leaving the interval the last drawing time plus SLACK_S: a network that is slow to draw
#: trains a little less per tick rather than missing redraws.
INTERVAL_S = 0.2
TICK_TRAIN_S = 0.12
MIN_TRAIN_S = 0.04
SLACK_S = 0.04


def tick_budget(draw_s: float, interval_s: float = INTERVAL_S, max_s: float = TICK_TRAIN_S,
                min_s: float = MIN_TRAIN_S, slack_s: float = SLACK_S) -> float:
    """Seconds to train in this tick, given how long the last tick took to draw (``draw_s``)."""
    return min(max_s, max(min_s, interval_s - draw_s - slack_s))
