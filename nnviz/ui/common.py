"""Shared widgets and page furniture. Widgets bind to the URL so links reproduce a view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from nnviz import activations

_BIND = "query-params"
_PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def intro(title: str, text: str) -> None:
    """Page title and the idea in a sentence or two."""
    st.title(title)
    st.markdown(text)


def takeaway(text: str) -> None:
    """The one thing to remember from a section."""
    st.success(text, icon=":material/lightbulb:")


def figure(fig: go.Figure, key: str | None = None) -> None:
    """Show a plotly figure at full column width with the app's toolbar settings."""
    st.plotly_chart(fig, width="stretch", config=_PLOT_CONFIG, key=key)


def slider(label: str, low: float, high: float, value: float, step: float, key: str, **kw: Any) -> Any:
    """A bounded slider bound to the URL parameter ``key``."""
    return st.slider(label, min_value=low, max_value=high, value=value, step=step, key=key, bind=_BIND, **kw)


def number_input(label: str, low: float, high: float, value: float, step: float, key: str, **kw: Any) -> Any:
    """A bounded number box bound to the URL parameter ``key``."""
    return st.number_input(label, min_value=low, max_value=high, value=value, step=step, key=key, bind=_BIND,
                           **kw)


def selectbox(label: str, options: Sequence[Any], key: str, index: int = 0,
              format_func: Callable[[Any], str] = str, **kw: Any) -> Any:
    """A select box bound to the URL parameter ``key``."""
    return st.selectbox(label, options, index=index, key=key, format_func=format_func, bind=_BIND, **kw)


def radio(label: str, options: Sequence[Any], key: str, index: int = 0,
          format_func: Callable[[Any], str] = str, **kw: Any) -> Any:
    """A radio group bound to the URL parameter ``key``."""
    return st.radio(label, options, index=index, key=key, format_func=format_func, bind=_BIND, **kw)


def checkbox(label: str, value: bool, key: str, **kw: Any) -> bool:
    """A checkbox bound to the URL parameter ``key``."""
    return st.checkbox(label, value=value, key=key, bind=_BIND, **kw)


def activation_select(label: str, key: str, options: Sequence[str] | None = None, default: str = "sigmoid",
                      **kw: Any) -> str:
    """Pick an activation from the registry (all of it unless ``options`` narrows it); returns its key."""
    keys = list(options) if options is not None else activations.names()
    return selectbox(label, keys, key=key, index=keys.index(default), format_func=activations.label, **kw)


def activation_params(act_key: str, key: str) -> dict[str, float]:
    """Sliders for an activation's parameters (alpha, beta), if it has any; returns them by name."""
    values: dict[str, float] = {}
    for p in activations.get(act_key).params:
        step = 0.01 if p.high <= 1 else 0.1
        values[p.name] = slider(f"{act_key} {p.name}", p.low, p.high, p.default, step,
                                key=f"{key}_{act_key}_{p.name}", help=p.help)
    return values
