"""The one live panel: a ``TimedRun`` advanced in time slices inside a ``ui.section`` (an ``st.fragment``).

The run lives in the user's ``st.session_state``, so nothing mutable is shared between users. While it plays,
the fragment reruns every ``interval_s`` seconds, works for the part of the interval the last drawing left
(``nnviz.live.tick_budget``) and redraws; the rest of the page is untouched, so it never freezes. This is the
only ``run_every`` in the code.

With ``shared=True`` a finished, uncut run is kept once per server for its key and settings (bounded), and a
later session pressing Train on the same settings gets its own copy at once: a lecture hall costs one run.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from nnviz import threads
from nnviz.live import INTERVAL_S, TimedRun, tick_budget
from nnviz.ui.common import section

_RATE_WINDOW_S = 3.0
_SHARED_RUNS = 64


class _FinishedRuns:
    """Finished runs by (panel key, settings), least recently used dropped first; handed out as deep copies."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._runs: OrderedDict[tuple, TimedRun] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> TimedRun | None:
        with self._lock:
            run = self._runs.get(key)
            if run is None:
                return None
            self._runs.move_to_end(key)
        return copy.deepcopy(run)

    def put(self, key: tuple, run: TimedRun) -> None:
        kept = copy.deepcopy(run)
        with self._lock:
            self._runs[key] = kept
            self._runs.move_to_end(key)
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _finished_runs() -> _FinishedRuns:
    return _FinishedRuns(_SHARED_RUNS)


def _state(key: str, make: Callable[[], TimedRun], config: Hashable) -> dict[str, Any]:
    state = st.session_state.get(key)
    if state is None or state["config"] != config:
        state = {"run": make(), "running": False, "config": config, "draw_s": 0.0, "ticks": [], "last_tick": 0.0,
                 "from_server": False}
        st.session_state[key] = state
    return state


def live_run(key: str, session_state: Any = None) -> TimedRun | None:
    """The run the live panel ``key`` holds in this session (None before the panel was first shown).

    ``session_state`` defaults to this script run's; tests pass an AppTest's ``at.session_state``.
    """
    states = st.session_state if session_state is None else session_state
    state = states.get(key)
    return state["run"] if state else None


def is_running(key: str, session_state: Any = None) -> bool:
    """Whether the live panel ``key`` is playing right now (``session_state`` as for ``live_run``)."""
    states = st.session_state if session_state is None else session_state
    state = states.get(key)
    return bool(state and state["running"])


def _rate(ticks: list[tuple[float, int]], unit: str) -> str:
    if len(ticks) < 3:
        return ""
    dt = ticks[-1][0] - ticks[0][0]
    if dt <= 0:
        return ""
    return f"{(ticks[-1][1] - ticks[0][1]) / dt:,.0f} {unit}s/s · {(len(ticks) - 1) / dt:.1f} redraws/s"


def _is_tick() -> bool:
    """True in a run of sections alone (the panel's own tick, or a click inside a section), not a page run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def live_panel(
    key: str,
    make: Callable[[], TimedRun],
    draw: Callable[[TimedRun, bool], None],
    *,
    config: Hashable = None,
    shared: bool = False,
    budget_s: float | None = None,
    interval_s: float = INTERVAL_S,
    start_label: str = "Train",
    step_label: str | None = None,
    update: Callable[[TimedRun], None] | None = None,
    name: str | None = None,
) -> TimedRun:
    """Show play / pause / (step) / reset, progress and rate, advance the run while it plays, and call
    ``draw(run, running)`` every tick. Returns the run as it was last drawn.

    ``make()`` builds a fresh run (cheap: an untrained model); it is rebuilt whenever ``config`` (every setting the
    run depends on, its seed included) changes. ``budget_s`` fixes the work per tick (else the interval less the
    last drawing time); ``step_label`` adds a button that takes one step. ``update(run)`` applies settings that may
    change mid-run (a learning rate) to the run kept for these ``config`` settings, before the panel draws.

    ``name`` says what the panel runs ("loss landscapes"); every button is named after it ("Pause: loss
    landscapes"), so a screen reader's list of controls tells two panels on a page apart. Without it the run's
    ``title`` (``TimedRun.title``: its class name in words) stands in.
    """
    state = _state(key, make, config)
    if update is not None:
        update(state["run"])
    store_key = (key, config)

    @section(run_every=interval_s if state["running"] else None)  # a tick is a script run of its own
    def _panel() -> None:
        run: TimedRun = state["run"]
        purpose = name or run.title
        controls = st.container(horizontal=True, vertical_alignment="center")  # wraps on a phone, never truncates
        label = start_label if run.steps == 0 else "Resume"
        if controls.button(f"{label}: {purpose}", key=f"{key}_start", icon=":material/play_arrow:", type="primary",
                           width="content", disabled=state["running"] or run.done):
            finished = _finished_runs().get(store_key) if shared and run.steps == 0 else None
            if finished is not None:
                state.update(run=finished, from_server=True)
            else:
                state["running"] = True
            st.rerun()
        if controls.button(f"Pause: {purpose}", key=f"{key}_pause", icon=":material/pause:", width="content",
                           disabled=not state["running"]):
            state["running"] = False
            st.rerun()
        if step_label and controls.button(f"{step_label}: {purpose}", key=f"{key}_step", icon=":material/skip_next:",
                                          width="content", disabled=state["running"] or run.done):
            run.run(1)
        if controls.button(f"Reset: {purpose}", key=f"{key}_reset", icon=":material/restart_alt:", width="content"):
            state.update(run=make(), running=False, ticks=[], from_server=False, stored=False)
            st.rerun()
        readout = controls.empty()

        now = time.perf_counter()
        # A client that asks faster than the interval gets redraws, not extra training.
        if state["running"] and now - state["last_tick"] >= 0.8 * interval_s:
            if _is_tick():
                threads.background()  # a click on any page goes first; the run takes the same steps, later
            run.advance(budget_s if budget_s is not None else tick_budget(state["draw_s"], interval_s))
            state["last_tick"] = now
            ticks = state["ticks"]
            ticks.append((time.perf_counter(), run.steps))
            while len(ticks) > 2 and ticks[-1][0] - ticks[0][0] > _RATE_WINDOW_S:
                ticks.pop(0)
        elif not state["running"]:
            state["ticks"] = []
        readout.caption(_rate(state["ticks"], run.unit) if state["running"] else
                        ("The finished run for these settings, computed once on this server."
                         if state["from_server"] else ""))

        drawing_since = time.perf_counter()
        st.progress(run.progress, text=run.status())
        if run.cut:
            st.warning(run.cut_note(), icon=":material/timer_off:")
        draw(run, state["running"])
        state["draw_s"] = time.perf_counter() - drawing_since
        if run.done and shared and run.complete and not (state["from_server"] or state.get("stored")):
            _finished_runs().put(store_key, run)
            state["stored"] = True
        if state["running"] and run.done:
            state["running"] = False
            st.rerun()

    _panel()
    return state["run"]
