"""Cached views of the network playground: plain settings in, frozen results out.

The live run itself is not cached (it lives in the session, ``nnviz.ui.live_panel``); these are the data it
trains on and the untrained family drawn beside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from nnviz import datasets
from nnviz.activations import Phi
from nnviz.topics import playground as pg
from nnviz.ui.cache import session_memo, view
from nnviz.views.charts import Chart, chart

T = TypeVar("T")


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


def remembered(slot: str, run: object, stamp: tuple, build: Callable[[], T]) -> T:
    """What ``build()`` made at this session's last rerun for the same ``run`` (the object) and ``stamp`` (its
    step count and the display settings), else a fresh one (``nnviz.ui.cache.session_memo``). Most widget changes
    leave the run as it was (a listening point, a layer to print, the learning rate), so what is drawn of it is
    not rebuilt."""
    return session_memo(f"pg_{slot}", stamp, build, identity=run)


def frozen(slot: str, run: object, stamp: tuple, build: Callable[[], dict]) -> Chart:
    """``remembered`` for a figure: ``build()`` returns a figure dict (``nnviz.figures.playground``), kept as a
    ``Chart`` (``views.charts.chart``: its text alternative and JSON made once), so a rerun hands the chart element
    the dict without rebuilding, copying or encoding it."""
    return remembered(slot, run, stamp, lambda: chart(build()))
