"""A figure frozen for a cache: its plotly dict and its text alternative, built once per setting.

A cached view returns a ``Chart`` instead of a ``go.Figure``: building the figure and describing it (the alt
text) and encoding it as JSON then happen on a cache miss only. A rerun hands ``ui.figure`` a ``FrozenFigure``,
a plotly figure type whose ``to_dict()`` is the cached dict and which carries the cached JSON, so the rerun only
sends it: a ``go.Figure`` rebuilt from the dict and copied again by ``to_dict()`` cost 6-9 ms a figure (measured
on the single neuron's plane, LIF trace and diagram), more than the rest of the page's rerun, and the JSON
encoding 0.1-1.4 ms a figure. Each session gets its own copy of the dict from
the cache, so no plotly object is shared between sessions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import BaseFigure

from nnviz.figures import style
from nnviz.ui import classroom


class FrozenFigure(BaseFigure):
    """A read-only figure over a validated figure dict: ``to_dict()`` returns the dict itself (no copy); ``json``,
    when given, is the dict's plotly JSON (``ui.figure`` sends it as it is).

    It is what ``ui.figure`` and ``nnviz.figures.style`` read (``to_dict``, ``_data``, ``_layout``); in
    classroom mode, where ``ui.figure`` enlarges a figure's text, ``Chart.figure()`` returns a real ``go.Figure``.
    """

    def __init__(self, spec: dict, json: str | None = None) -> None:  # BaseFigure.__init__ would validate and copy
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "json", json)

    def to_dict(self) -> dict:
        return self._spec

    @property
    def _data(self) -> list:
        return self._spec.get("data", [])

    @property
    def _layout(self) -> dict:
        return self._spec.get("layout", {})


@dataclass(frozen=True)
class Chart:
    """``spec``: ``fig.to_dict()``; ``alt``: the chart's text alternative (WCAG 1.1.1)."""

    spec: dict
    alt: str

    @functools.cached_property
    def json(self) -> str:
        """The spec as plotly encodes it for the browser. Not a field (it follows from ``spec``): ``chart`` computes
        it before a cache stores the Chart, so the cached copies carry it."""
        return pio.to_json(self.spec, validate=False)

    def figure(self) -> BaseFigure:
        """This session's figure for ``ui.figure``: a ``FrozenFigure`` over the dict, or in classroom mode (where
        ``ui.figure`` edits the fonts) a ``go.Figure`` built from it without validating it again."""
        if classroom.is_on():
            return go.Figure(self.spec, _validate=False)
        return FrozenFigure(self.spec, self.json)


def chart(fig: go.Figure | dict, alt: str | None = None) -> Chart:
    """Freeze ``fig`` (a figure or a figure dict, ``style.figure_dict``) with ``alt``, or with the automatic
    description of the plotted numbers."""
    frozen = Chart(fig if isinstance(fig, dict) else fig.to_dict(), alt or style.describe(fig))
    frozen.json  # noqa: B018 (computed now, on the cache miss)
    return frozen
