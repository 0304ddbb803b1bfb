"""A live panel: a run that advances in time slices inside an ``st.fragment``, with start, pause and reset.

The stepper (see ``nnviz.live.Stepper``) lives in the user's ``st.session_state``, so nothing mutable is
shared between users. While running, the fragment reruns every ``interval_s`` seconds, works for ``budget_s``
(by default the part of the interval the last drawing left, ``nnviz.live.tick_budget``) and redraws; the rest
of the page is untouched, so it never freezes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

import streamlit as st

from nnviz import bound_threads
from nnviz.live import INTERVAL_S, Stepper, tick_budget


def _state(key: str, make: Callable[[], Stepper], config: Hashable) -> dict:
    state = st.session_state.get(key)
    if state is None or state["config"] != config:
        state = {"stepper": make(), "running": False, "config": config}
        st.session_state[key] = state
    return state


def is_running(key: str) -> bool:
    """Whether the live panel ``key`` is playing right now (for a ``draw`` that shows more once paused)."""
    state = st.session_state.get(key)
    return bool(state and state["running"])


def live_panel(
    key: str,
    make: Callable[[], Stepper],
    draw: Callable[[Stepper], None],
    *,
    config: Hashable = None,
    budget_s: float | None = None,
    interval_s: float = INTERVAL_S,
    start_label: str = "Train",
) -> Stepper:
    """Show controls, advance the run while it plays, and call ``draw(stepper)`` every tick.

    ``make()`` builds a fresh stepper (cheap: an untrained model); it is rebuilt whenever ``config``
    (the settings the run depends on) changes, so a changed slider starts a new run. Returns the
    stepper as it was last drawn.
    """
    state = _state(key, make, config)

    @st.fragment(run_every=interval_s if state["running"] else None)
    def _panel() -> None:
        bound_threads()  # a fragment rerun may run in a fresh thread
        stepper: Stepper = state["stepper"]
        start, pause, reset, _ = st.columns([1, 1, 1, 3])
        label = start_label if stepper.progress == 0 else "Resume"
        if start.button(label, key=f"{key}_start", icon=":material/play_arrow:", disabled=state["running"] or
                        stepper.done, type="primary"):
            state["running"] = True
            st.rerun()
        if pause.button("Pause", key=f"{key}_pause", icon=":material/pause:", disabled=not state["running"]):
            state["running"] = False
            st.rerun()
        if reset.button("Reset", key=f"{key}_reset", icon=":material/restart_alt:"):
            state["stepper"] = make()
            state["running"] = False
            st.rerun()
        if state["running"]:
            stepper.advance(budget_s if budget_s is not None else tick_budget(state.get("draw_s", 0.0), interval_s))
        drawing_since = time.perf_counter()
        st.progress(min(1.0, max(0.0, stepper.progress)), text=stepper.status())
        draw(stepper)
        state["draw_s"] = time.perf_counter() - drawing_since
        if state["running"] and stepper.done:
            state["running"] = False
            st.rerun()

    _panel()
    return state["stepper"]
