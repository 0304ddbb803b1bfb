"""The one way to cache a page's computations: decorate a pure function of plain settings, once, at import.

Page scripts define no cached functions; each page's views live in ``nnviz/views/<page>.py``:

    from nnviz.ui.cache import view

    @view(max_entries=64)
    def sawtooth(k: int, p: int) -> SawtoothResult: ...

``view`` is ``st.cache_data``: each session gets its own copy of the result, so nothing mutable is shared.
``shared`` is ``st.cache_resource``: one object for every session, for read-only frozen results (large arrays
that copying would cost, finished experiments). Both are bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

F = TypeVar("F", bound=Callable)
T = TypeVar("T")

_MEMO = "_nnviz_session_memo"


def view(max_entries: int = 64, spinner: str | bool = False) -> Callable[[F], F]:
    """Cache a pure function of hashable settings; every caller gets a copy of the result."""
    return st.cache_data(max_entries=max_entries, show_spinner=spinner)


def shared(max_entries: int = 16, spinner: str | bool = False) -> Callable[[F], F]:
    """Cache a pure function whose result is frozen and read-only; every caller gets the same object."""
    return st.cache_resource(max_entries=max_entries, show_spinner=spinner)


def session_memo(slot: str, stamp: tuple, build: Callable[[], T], *, identity: object = None) -> T:
    """What ``build()`` made at this session's last call for ``slot`` if ``stamp`` (plain settings) and
    ``identity`` (an object compared by ``is``, e.g. a live run whose state the stamp's step count describes)
    are unchanged, else a fresh one, kept for next time.

    For what a rerun would rebuild although nothing it depends on changed (a figure after another section's
    widget moved). Per session (``st.session_state``), one value per slot, never shared between sessions.
    Classroom mode is part of the stamp, since it enlarges a figure's text in place.
    """
    from nnviz.ui import classroom

    key = (stamp, classroom.is_on())
    memo = st.session_state.setdefault(_MEMO, {})
    hit = memo.get(slot)
    if hit is not None and hit[0] is identity and hit[1] == key:
        return hit[2]
    made = build()
    memo[slot] = (identity, key, made)
    return made


def shown(view_fn: Callable[..., T], *settings: object, run: object = None) -> T:
    """``view_fn(*settings)`` as this session last got it while the settings stay the same (``session_memo``):
    a rerun that another section's widget caused then neither hashes the settings nor copies the result out of
    the cache again. For a live ``run`` (a ``TimedRun``), ``view_fn(*settings, run.steps, run)``, kept while the
    run object and its step count stay the same. One slot per view function (its module and name)."""
    slot = f"{view_fn.__module__}.{getattr(view_fn, '__qualname__', view_fn.__name__)}"
    if run is None:
        return session_memo(slot, settings, lambda: view_fn(*settings))
    steps = run.steps
    return session_memo(slot, (*settings, steps), lambda: view_fn(*settings, steps, run), identity=run)
