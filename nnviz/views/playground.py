"""Cached views of the network playground: plain settings in, frozen results out.

The live run itself is not cached (it lives in the session, ``nnviz.ui.live_panel``); these are the data it
trains on and the untrained family drawn beside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from nnviz import datasets
from nnviz.activations import Phi
from nnviz.topics import playground as pg
from nnviz.ui.cache import view


@view(max_entries=32)
def split(problem: str, name: str, n: int, noise: float, ratio: float, seed: int) -> datasets.Split:
    """A playground set of ``n`` points (noise and training share as fractions), cut into training and test."""
    pts = datasets.playground_set(name, n, noise, seed)
    return datasets.train_test_split(pts, ratio, seed, regression=problem == "regression")


@dataclass(frozen=True)
class CsvSplit:
    """An uploaded CSV after checking: the split (None if the file cannot be used), what was done to it, and
    the reason in words when it was refused; ``digest`` identifies the file in the run's settings."""

    split: datasets.Split | None
    notes: tuple[str, ...]
    error: str
    digest: str


@view(max_entries=16)
def csv_split(data: bytes, problem: str, ratio: float, seed: int) -> CsvSplit:
    """Load, check and split an uploaded CSV (at most ``datasets.CSV_MAX_BYTES``)."""
    digest = hashlib.sha1(data).hexdigest()
    try:
        loaded = datasets.load_csv(data, problem)
        sp = datasets.train_test_split(loaded.points, ratio, seed, regression=problem == "regression")
    except ValueError as err:
        return CsvSplit(None, (), str(err), digest)
    return CsvSplit(sp, tuple(loaded.notes), "", digest)


@view(max_entries=32)
def family(widths: tuple[int, ...], phis: tuple[Phi, ...], keys: tuple[str, ...], task: str,
           seeds: tuple[int, ...], init: str, rules: str) -> pg.Family:
    """Untrained draws of one architecture along the line x2 = 0 (``pg.random_family``)."""
    return pg.random_family(widths, phis, keys, task, seeds, init, rules)


def remember(slot: str, run: object, stamp: tuple, build: Callable[[], object]) -> object:
    """What ``build()`` made last time in this session for the same ``run`` (the object) and ``stamp`` (its step
    count and the display settings), else a fresh one. Most widget changes leave the run as it was (a listening
    point, a layer to print, the learning rate), so what is drawn of it is not rebuilt; per session
    (st.session_state), never shared. ``slot`` names the thing kept."""
    from nnviz.ui import classroom

    stamp = (*stamp, classroom.is_on())  # classroom mode enlarges a figure's text in place
    memo = st.session_state.setdefault("pg_figure_memo", {})
    got = memo.get(slot)
    if got is not None and got[0] is run and got[1] == stamp:
        return got[2]
    made = build()
    memo[slot] = (run, stamp, made)
    return made


def once(slot: str, run: object, stamp: tuple, build: Callable[[], go.Figure]) -> dict:
    """``remember`` for a figure: ``{"fig": figure, "alt": its text alternative}``, for ``ui.figure(**...)``."""
    from _plotly_utils.utils import convert_to_base64

    from nnviz.figures import style

    def shown() -> dict:
        plain = build().to_dict()
        convert_to_base64(plain)  # arrays as base64 once, here, not by st.plotly_chart (and its deep copy) each rerun
        # kept as a figure object: ui.figure would rebuild one from a dict (a deep copy and the layout's
        # properties one by one, ~5 ms a figure) at every rerun
        return {"fig": go.Figure(plain, _validate=False), "alt": style.describe(plain)}

    return remember(slot, run, stamp, shown)
