"""Shared widgets and page furniture. Widgets bind to the URL so links reproduce a view."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitDuplicateElementId, StreamlitDuplicateElementKey

from nnviz import threads, warmup
from nnviz.figures import style
from nnviz.ui import chart, classroom, links

_BIND = "query-params"
#: Each toolbar button is a Tab stop: zoom in/out and autoscale (double-click and "Reset axes" do the same) made
#: eight stops a chart for a keyboard user; five are left (PNG, zoom, pan, reset, full screen).
_PLOT_CONFIG = {"displaylogo": False,
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "zoomIn2d", "zoomOut2d", "autoScale2d"]}


#: Tests that drive pages with AppTest turn this off: AppTest resets Streamlit's pages-directory flag before
#: every run and runs a switched-to page on its own, and the guard's rerun would swallow a button click.
ROUTER_GUARD = True


def _ensure_router() -> None:
    """Make sure the page runs inside app.py's navigation, even for the first visitor of a fresh server.

    Streamlit treats an app with a ``pages/`` folder as a "v1" multipage app until ``st.navigation`` has been
    called once in the process: a first visit straight to a deep link (/depth, from a shared link) would run
    the page script alone, without app.py's layout, navigation and classroom toggle. Switching that mode off
    and rerunning puts the request through the router. (Relies on ``PagesManager.uses_pages_directory``; a
    browser test opens a deep link on a fresh server to catch a change in Streamlit.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    if ROUTER_GUARD and PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


#: Styles for every page. Page links show no focus at all in Streamlit 1.67 (a keyboard user cannot see where
#: Tab went, WCAG 2.4.7): give them the ring Streamlit's buttons have.
_APP_CSS = ("<style>.st-key-nnviz_nav a:focus-visible { outline: 2px solid #0072B2; outline-offset: -2px; } "
            ".st-key-nnviz_nav p { margin: 0.5rem 0 0 0; font-size: 0.875rem; }</style>")


def app_style() -> None:
    """The app-wide style additions (app.py calls this once per run)."""
    st.html(_APP_CSS)


def page_links(sections: Mapping[str, Sequence[Any]]) -> None:
    """The app's navigation in the sidebar: each section's name, then a link per page (``st.Page`` objects).

    The router draws it itself (``st.navigation(..., position="hidden")`` with ``client.showSidebarNavigation =
    false``) rather than leaving it to Streamlit, for two reasons: Streamlit's automatic list of the files in
    pages/, which a fresh server and a tab reconnecting after a restart briefly showed, is then never displayed;
    and Streamlit's own navigation markup breaks WCAG 1.3.1 (list items outside their list, axe's "list" and
    "listitem" rules), which plain links do not.
    """
    with st.sidebar.container(key="nnviz_nav"):
        for section, pages in sections.items():
            if pages:
                st.markdown(f"**{section}**")  # body text colour: a caption's grey is under AA's 4.5:1 here
                for page in pages:
                    st.page_link(page)


def intro(title: str, text: str) -> None:
    """Page title and the idea in a sentence or two. Call it first on every page."""
    _ensure_router()
    threads.bound()
    st.title(title)
    st.markdown(text)


def section(draw: Callable | None = None, *, run_every: float | None = None) -> Callable:
    """A part of a page that reruns alone: a change of one of its widgets reruns ``draw`` (an ``st.fragment``), not
    the page around it, so the server draws a few elements instead of the page's fifty. ``run_every``: it also
    reruns itself every so many seconds (the live panel's ticks). As a decorator, bare or with ``run_every``.

    Only for a part whose widgets nothing outside it reads: the rest of the page is not rerun, so anything there
    that followed them would go stale (tests/test_sections.py changes every such widget on every page and checks
    that nothing outside changes). Its reruns count as script runs for the torch warm-up, which does not start
    during one, and hold torch to its thread limit, as a page run does (a fragment rerun may run in a fresh thread).
    """
    if draw is None:
        return functools.partial(section, run_every=run_every)

    @functools.wraps(draw)  # st.fragment names the fragment by the function's module and qualified name
    def run(*args, **kwargs):
        with warmup.page_run():
            threads.bound()
            return draw(*args, **kwargs)

    return st.fragment(run, run_every=run_every)


#: Under every stored default run: what it is, and how far pressing Train on another machine can differ from it.
#: Training amplifies rounding: the stored runs reproduce to every digit on the machine that made them, but on
#: another processor (another BLAS code path) a 50-layer plain stack's loss after 10 steps was 0.342 against 0.360.
STORED_RUN_NOTE = ("Computed by the code Train runs. Training amplifies rounding, so on another processor Train's "
                   "numbers can differ: slightly for most networks, visibly for very deep or narrow ones.")


def stored_run_caption(what: str) -> None:
    """Caption a stored default run: ``what`` it is (its settings), then ``STORED_RUN_NOTE``."""
    st.caption(f"{what} {STORED_RUN_NOTE}")


def takeaway(text: str) -> None:
    """The one thing to remember from a section."""
    st.success(text, icon=":material/lightbulb:")


def figure(fig: go.Figure | dict, key: str | None = None, alt: str | None = None, data: bool = True,
           selectable: bool = False) -> Any:
    """Show a plotly figure at full column width with the app's toolbar settings (larger text in classroom mode),
    drawn by ``nnviz.ui.chart`` where plotly.js's cartesian bundle can draw it, else by ``st.plotly_chart``.

    Every chart gets a text alternative for screen readers: ``alt`` when the page words one from its result,
    else ``style.describe(fig)``, computed from the plotted numbers (WCAG 1.1.1). ``fig`` may be a figure dict
    (a cached ``fig.to_dict()``). With ``data`` a small button below downloads the plotted numbers as CSV
    (``style.data_csv``); the table is built only when it is pressed, so a rerun pays only for the button.
    With ``selectable`` a click on a point reruns the page and this returns the chart's selection event
    (``event.selection.points``), else None.
    """
    if classroom.is_on():  # every font raised to the classroom size, on this session's own copy
        spec = fig if isinstance(fig, dict) else fig.to_dict()
        fig = go.Figure(enlarged_text(spec, classroom.FONT_PX), _validate=False)
    elif isinstance(fig, dict):  # validated when it was built; st.plotly_chart would validate it again (~40 ms)
        from nnviz.views.charts import FrozenFigure  # (views import nnviz.ui)

        fig = FrozenFigure(fig)  # both chart elements read the dict as it is: no figure built and copied again
    alt = alt or style.describe(fig)
    spec = fig.to_dict()
    if chart.drawable(spec):  # the cartesian bundle draws it: a third of st.plotly_chart's plotly.js to load
        event = chart.show(getattr(fig, "json", None) or spec, alt=alt, config=_PLOT_CONFIG, key=key,
                           selectable=selectable)
    else:
        select = {"on_select": "rerun", "selection_mode": "points"} if selectable else {}
        event = st.plotly_chart(fig, width="stretch", config=_PLOT_CONFIG, key=key, alt=alt, **select)
    if data:
        _data_button(fig, key)
    return event if selectable else None


#: A figure's name in its download button's label, at most this long.
_DATA_NAME_CHARS = 48


def _data_button(fig: go.Figure, key: str | None) -> None:
    """A download button for the numbers behind ``fig`` (hidden in classroom mode). Its label names the figure
    (title, else its axes), so no two buttons on a page share a name; nothing is computed until it is pressed."""
    name = style.figure_name(fig)
    if name is None:  # nothing plotted but labels and shapes
        return
    name = name if len(name) <= _DATA_NAME_CHARS else name[: _DATA_NAME_CHARS - 1] + "…"
    stem = key or re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_") or "figure"
    # A second unkeyed figure of the same name on the page: the first one's button stands for both.
    with contextlib.suppress(StreamlitDuplicateElementId, StreamlitDuplicateElementKey):
        st.download_button(
            f"Data: {name} (CSV)", data=lambda: style.data_csv(fig), file_name=f"nnviz_{stem}.csv", mime="text/csv",
            key=f"secondary_data_{stem}", on_click="ignore", type="tertiary",
            icon=":material/download:", width="content",
            help="The plotted numbers, one row per point (long series thinned evenly to at most "
                 f"{style.TABLE_MAX_ROWS:,} rows).")


#: The layout keys of 2-D axes: xaxis, yaxis2, ...
_AXIS_KEY = re.compile(r"^[xy]axis\d*$")


def enlarged_text(spec: Any, px: int) -> Any:
    """A copy of the figure dict ``spec`` with every font at least ``px``: the base font and each explicit size
    under a key that names a font (``font``, ``tickfont``, ``textfont``, a title's or legend's or colour bar's font,
    in the layout and in every trace), so ticks and legends that set their own size grow too."""
    def walk(node: Any, in_font: bool) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if in_font and k == "size" and isinstance(v, (int, float)) and not isinstance(v, bool):
                    out[k] = max(v, px)
                else:
                    out[k] = walk(v, isinstance(k, str) and k.endswith("font"))
            return out
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (dict, list, tuple)):
            return [walk(v, False) for v in node]
        return node  # a number, a string, or a list of them: shared, never edited

    def at_least(parent: dict, *path: str) -> None:  # parent[path...]["size"] >= px, creating what is missing
        for name in path:
            parent = parent.setdefault(name, {}) if isinstance(parent.get(name, {}), dict) else {}
        parent["size"] = max(parent.get("size") or 0, px)

    big = walk(spec, False)
    layout = big.setdefault("layout", {})
    at_least(layout, "font")
    # Streamlit's chart theme gives axes, legends and colour bars their own (smaller) sizes unless the figure
    # sets them, so they are set here explicitly: inheriting the base font is not enough.
    at_least(layout, "legend", "font")
    for name in {"xaxis", "yaxis", *layout}:
        if _AXIS_KEY.match(name) and isinstance(layout.setdefault(name, {}), dict):
            at_least(layout[name], "tickfont")
            at_least(layout[name], "title", "font")
    for trace in big.get("data", []):
        for holder in (trace, trace.get("marker")):
            if isinstance(holder, dict) and isinstance(holder.get("colorbar"), dict):
                at_least(holder["colorbar"], "tickfont")
                at_least(holder["colorbar"], "title", "font")
    return big


def _is_int(*values: object) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def slider(label: str, low: float, high: float, value: float, step: float, key: str, **kw: Any) -> Any:
    """A bounded slider bound to the URL parameter ``key``."""
    links.check_number(key, label, low, high, value, _is_int(low, high, value, step))
    return st.slider(label, min_value=low, max_value=high, value=value, step=step, key=key, bind=_BIND, **kw)


def number_input(label: str, low: float, high: float, value: float, step: float, key: str, **kw: Any) -> Any:
    """A bounded number box bound to the URL parameter ``key``."""
    links.check_number(key, label, low, high, value, _is_int(low, high, value, step))
    return st.number_input(label, min_value=low, max_value=high, value=value, step=step, key=key, bind=_BIND,
                           **kw)


def selectbox(label: str, options: Sequence[Any], key: str, index: int = 0,
              format_func: Callable[[Any], str] = str, **kw: Any) -> Any:
    """A select box bound to the URL parameter ``key``."""
    links.check_choice(key, label, [str(format_func(o)) for o in options], str(format_func(options[index])))
    return st.selectbox(label, options, index=index, key=key, format_func=format_func, bind=_BIND, **kw)


def radio(label: str, options: Sequence[Any], key: str, index: int = 0,
          format_func: Callable[[Any], str] = str, **kw: Any) -> Any:
    """A radio group bound to the URL parameter ``key``."""
    links.check_choice(key, label, [str(format_func(o)) for o in options], str(format_func(options[index])))
    return st.radio(label, options, index=index, key=key, format_func=format_func, bind=_BIND, **kw)


def text_input(label: str, value: str, key: str, max_chars: int = 200, **kw: Any) -> str:
    """A text box bound to the URL parameter ``key``, at most ``max_chars`` long (parse what it returns safely)."""
    links.check_text(key, label, max_chars)
    return st.text_input(label, value=value, key=key, max_chars=max_chars, bind=_BIND, **kw)


def multiselect(label: str, options: Sequence[Any], default: Sequence[Any], key: str,
                format_func: Callable[[Any], str] = str, **kw: Any) -> list:
    """A multi-select bound to the URL parameter ``key`` (the URL holds the displayed labels)."""
    links.check_choices(key, label, [str(format_func(o)) for o in options], [str(format_func(o)) for o in default],
                        kw.get("max_selections"))
    return st.multiselect(label, options, default=default, key=key, format_func=format_func, bind=_BIND, **kw)


def checkbox(label: str, value: bool, key: str, **kw: Any) -> bool:
    """A checkbox bound to the URL parameter ``key``."""
    links.check_bool(key, label, value)
    return st.checkbox(label, value=value, key=key, bind=_BIND, **kw)


def toggle(label: str, value: bool, key: str, **kw: Any) -> bool:
    """A switch bound to the URL parameter ``key``."""
    links.check_bool(key, label, value)
    return st.toggle(label, value=value, key=key, bind=_BIND, **kw)


def tabs(labels: Sequence[str], key: str, default: str | None = None) -> Sequence[Any]:
    """Lazy tabs bound to the URL parameter ``key``: only the open tab's code runs (``tab.open``), and a link
    opens the tab it names, so the settings inside it apply."""
    links.check_choice(key, "Section", list(labels), default or labels[0])
    return st.tabs(list(labels), key=key, default=default, on_change="rerun", bind=_BIND)


def lazy_expander(label: str, key: str, expanded: bool = False, **kw: Any) -> Any:
    """An expander bound to the URL parameter ``key`` whose body runs only while it is open (``box.open``):
    for a section that costs more than a rerun should, computed only when the student asks."""
    links.check_bool(key, label, expanded)
    return st.expander(label, expanded=expanded, key=key, on_change="rerun", bind=_BIND, **kw)


def labels(mapping: dict[Any, str]) -> Callable[[Any], str]:
    """A ``format_func`` that shows each option by its label in ``mapping`` (the option itself if missing)."""
    return lambda option: mapping.get(option, str(option))


def activation_select(label: str, key: str, options: Sequence[str] | None = None, default: str = "sigmoid",
                      **kw: Any) -> str:
    """Pick an activation from the registry (all of it unless ``options`` narrows it); returns its key."""
    from nnviz import activations  # torch: only pages that pick an activation pay for it

    keys = list(options) if options is not None else activations.names()
    return selectbox(label, keys, key=key, index=keys.index(default), format_func=activations.label, **kw)


def phi_select(label: str, key: str, options: Sequence[str] | None = None, default: str = "sigmoid",
               **kw: Any):
    """Pick an activation and its parameters; returns the hashable ``activations.Phi`` value."""
    from nnviz.activations import Phi

    act_key = activation_select(label, key, options, default, **kw)
    return Phi(act_key, activation_params(act_key, key))


def activation_params(act_key: str, key: str) -> dict[str, float]:
    """Sliders for an activation's parameters (alpha, beta), if it has any; returns them by name."""
    from nnviz import activations

    values: dict[str, float] = {}
    for p in activations.get(act_key).params:
        step = 0.01 if p.high <= 1 else 0.1
        values[p.name] = slider(f"{act_key} {p.name}", p.low, p.high, p.default, step,
                                key=f"{key}_{act_key}_{p.name}", help=p.help)
    return values
