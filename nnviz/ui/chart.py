"""The app's chart element: a plotly figure drawn by plotly.js's cartesian bundle, not st.plotly_chart's full one.

A fresh visit spent most of its time loading plotly.js: st.plotly_chart's bundle is 4.7 MB and took 1.8-2.8 s of
the browser's main thread on a 2-core machine before the first chart of any page could show. Every figure but the
3-D towers uses only traces the cartesian bundle (1.5 MB, about 0.9 s) draws, so ``show`` draws those with an
``st.components.v2`` component of nnviz's own (``static/nnviz-chart.js``: Streamlit's chart theme, full width,
the text alternative, point clicks) and leaves the rest to ``st.plotly_chart``. The files are served by
Streamlit's static file serving (``server.enableStaticServing``) from the ``static/`` folder beside the main script,
so the app is run as ``streamlit run app.py`` (a test running a script of its own links ``static/`` beside it).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

import plotly.io as pio
import streamlit as st

from nnviz.catalog import ROOT

#: The traces plotly.js's cartesian bundle (static/plotly-cartesian-*.min.js) draws.
CARTESIAN_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
                              "image", "pie", "scatter", "scatterternary", "violin"})

#: The component's name in Streamlit's registry and in AppTest's element tree.
NAME = "nnviz_chart"

_MODULE = ROOT / "static" / "nnviz-chart.js"


def drawable(spec: dict) -> bool:
    """Whether the component draws the figure dict ``spec``: all its traces are in the cartesian bundle."""
    return all(trace.get("type", "scatter") in CARTESIAN_TRACES for trace in spec.get("data", ()))


def module_version() -> str:
    """The chart module's version as its URL carries it: the first 12 hex digits of its SHA-256 (the proxy keys
    its cache by this, and only this shape: deploy/nginx/nnviz.conf)."""
    return hashlib.sha256(_MODULE.read_bytes()).hexdigest()[:12]


def _module_url() -> str:
    """Where the browser imports static/nnviz-chart.js from, named by its content so a new version is fetched anew."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{'/' + base if base else ''}/app/static/{_MODULE.name}?v={module_version()}"


#: The component's own code is this loader (sent with every chart, so it is kept short); the module it imports
#: is fetched once per page and cached by the browser. The loader runs from a blob: URL, against which a path does
#: not resolve, so the page's origin is prefixed; it is on several lines because Streamlit takes a one-line string
#: that mentions a path for a file name.
_LOADER = "export default async function (args) {\n  return (await import(location.origin + {url})).draw(args);\n}\n"


@functools.cache
def _component():
    """The component's mounting command, registered on first use (inside a script run, where Streamlit wants it)."""
    return st.components.v2.component(NAME, js=_LOADER.replace("{url}", json.dumps(_module_url())),
                                      isolate_styles=False)


def payload(spec: dict | str, alt: str, config: dict, selectable: bool) -> bytes:
    """What the browser gets for a chart: ``{"alt", "config", "selectable", "spec"}`` as UTF-8 JSON. ``spec`` is the
    figure dict, or its JSON already (plotly's encoding: arrays as typed base64, as st.plotly_chart sends them)."""
    spec_json = spec if isinstance(spec, str) else pio.to_json(spec, validate=False)
    head = json.dumps({"alt": alt, "config": config, "selectable": selectable})
    return f'{head[:-1]}, "spec": {spec_json}}}'.encode()


def show(spec: dict | str, *, alt: str, config: dict, key: str | None, selectable: bool) -> Any:
    """Draw the figure (``drawable`` must hold). With ``selectable`` a click on a point reruns the page and this
    returns the last click, shaped like st.plotly_chart's selection event (``{"selection": {"points": [...]}}``), else
    None."""
    callbacks = {"on_select_change": _ignore} if selectable else {}
    result = _component()(key=key, data=payload(spec, alt, config, selectable), **callbacks)
    if not selectable:
        return None
    clicked = getattr(result, "select", None)
    return {"selection": clicked} if clicked else None


def _ignore() -> None:
    """The click's callback: the click itself is read from the component's state in the rerun it causes."""
