"""A figure frozen for a cache: its plotly dict and its text alternative, built once per setting.

A cached view returns a ``Chart`` instead of a ``go.Figure``: building the figure and describing it (the alt
text) then happen on a cache miss only. A rerun hands ``st.plotly_chart`` a ``FrozenFigure``, a plotly figure
type whose ``to_dict()`` is the cached dict, so the rerun costs the JSON encoding only: a ``go.Figure`` rebuilt
from the dict and copied again by ``to_dict()`` cost 6-9 ms a figure (measured on the single neuron's plane,
LIF trace and diagram), more than the rest of the page's rerun. Each session gets its own copy of the dict from
the cache, so no plotly object is shared between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from nnviz.figures import style
from nnviz.ui import classroom


class FrozenFigure(BaseFigure):
    """A read-only figure over a validated figure dict: ``to_dict()`` returns the dict itself (no copy).

    It is what ``st.plotly_chart`` and ``nnviz.figures.style`` read (``to_dict``, ``_data``, ``_layout``); in
    classroom mode, where ``ui.figure`` enlarges a figure's text, ``Chart.figure()`` returns a real ``go.Figure``.
    """

    def __init__(self, spec: dict) -> None:  # BaseFigure.__init__ would validate and copy it all
        object.__setattr__(self, "_spec", spec)

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

    def figure(self) -> BaseFigure:
        """This session's figure for ``ui.figure``: a ``FrozenFigure`` over the dict, or in classroom mode (where
        ``ui.figure`` edits the fonts) a ``go.Figure`` built from it without validating it again."""
        if classroom.is_on():
            return go.Figure(self.spec, _validate=False)
        return FrozenFigure(self.spec)


def chart(fig: go.Figure, alt: str | None = None) -> Chart:
    """Freeze ``fig`` with ``alt``, or with the automatic description of the plotted numbers."""
    return Chart(fig.to_dict(), alt or style.describe(fig))
