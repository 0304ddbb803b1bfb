"""Helpers to run a page of the app under ``streamlit.testing.v1.AppTest``, through the real router."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from streamlit.testing.v1 import AppTest

from nnviz.catalog import ROOT
from nnviz.live import INTERVAL_S
from nnviz.ui import chart, common

common.ROUTER_GUARD = False  # see nnviz.ui.common: AppTest runs a switched-to page directly

#: Importing torch and building the first figures takes a while on a cold machine.
TIMEOUT_S = 120


def open_page(page_file: str, query: dict[str, str] | None = None) -> AppTest:
    """Run app.py, switch to ``pages/<page_file>`` and run it; query parameters may seed widgets.

    The query is set only when the page itself runs, as when a link to it is opened: on the home page the
    router would drop it as "not a setting of this page".
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    if page_file == "home.py":
        for k, v in (query or {}).items():
            at.query_params[k] = v
        return at.run()
    at.run()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(f"pages/{page_file}")
    at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception was raised on the page."""
    assert not at.exception, [e.value for e in at.exception]


def errors(at: AppTest) -> list[str]:
    """Texts of st.error boxes on the page."""
    return [e.value for e in at.error]


def extreme_values(widget) -> Iterator[object]:
    """The values worth trying for a widget: a slider's ends, every option of a choice, a box both ways."""
    kind = type(widget).__name__
    if kind in ("Slider", "NumberInput"):
        if widget.min is not None and widget.max is not None:
            yield widget.min
            yield widget.max
    elif kind in ("Selectbox", "Radio", "SelectSlider"):
        yield from widget.options
    elif kind in ("Checkbox", "Toggle"):
        yield not widget.value
        yield widget.value
    elif kind == "Multiselect":
        yield list(widget.options)
        yield list(widget.options)[:1]


def _settable(at: AppTest):
    for group in (at.slider, at.number_input, at.selectbox, at.radio, at.checkbox, at.toggle, at.multiselect,
                  at.select_slider):
        for w in group:
            if getattr(w, "key", None) and not getattr(w, "disabled", False):
                yield w


def sweep_extremes(at: AppTest, skip: set[str] = frozenset()) -> int:
    """Set every keyed widget on the page to each of its extreme values in turn, rerunning after each.

    Widgets that only exist after another change (an activation's alpha slider, say) are visited as
    they appear. Returns the number of reruns; asserts no exception after each.
    """
    seen: set[str] = set(skip)
    runs = 0
    progress = True
    while progress:
        progress = False
        for w in list(_settable(at)):
            if w.key in seen:
                continue
            seen.add(w.key)
            progress = True
            original = w.value
            for value in extreme_values(w):
                target = _find(at, w.key)
                if target is None:
                    break
                target.set_value(value)
                at.run()
                runs += 1
                assert not at.exception, (w.key, value, [e.value for e in at.exception])
            target = _find(at, w.key)
            if target is not None:
                target.set_value(original)
                at.run()
                runs += 1
            break  # the widget list may have changed; collect it again
    return runs


def _find(at: AppTest, key: str):
    for w in _settable(at):
        if w.key == key:
            return w
    return None


def run_until(at: AppTest, done: Callable[[AppTest], bool], timeout_s: float = 300.0) -> bool:
    """Rerun ``at`` one live-panel interval apart, as a browser's ticks arrive, until ``done(at)`` or the timeout;
    returns ``done(at)``.

    The live panel trains only on ticks at least 0.8 of an interval apart (a client that asks faster gets
    redraws, not extra training), so a loop that counts back-to-back reruns trains a load-dependent amount: on
    an idle machine most reruns are too quick to train. Waiting out the interval makes every rerun a tick; the
    timeout only bounds a run that never ends.
    """
    deadline = time.monotonic() + timeout_s
    while not done(at) and time.monotonic() < deadline:
        time.sleep(INTERVAL_S)
        at.run()
    return done(at)


def run_python(code: str, *, timeout: float = 600, warmup: bool = True) -> str:
    """Run ``code`` in a fresh interpreter from the repository root (what a new server process has loaded, and
    nothing this test process has); its stdout. Fails the test with the end of its stderr if it fails. With
    ``warmup=False`` the background torch warm-up is switched off (NNVIZ_WARMUP=0), so a page alone is judged."""
    import os
    import subprocess
    import sys

    env = os.environ | ({} if warmup else {"NNVIZ_WARMUP": "0"})
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                         env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@dataclass(frozen=True)
class Chart:
    """A chart as the page sent it: the figure's JSON, its text alternative, its key (None without one) and its
    element id (which changes with the figure)."""

    spec: str
    alt: str
    key: str | None
    id: str


def charts(at: AppTest) -> list[Chart]:
    """Every chart on the page in page order, whichever element drew it (``nnviz.ui.chart`` or st.plotly_chart)."""
    out = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if node.type == "plotly_chart":
            out.append(Chart(proto.spec, proto.alt, _key(proto.id), proto.id))
        elif node.type == "bidi_component" and proto.component_name == chart.NAME:
            sent = json.loads(proto.bytes)
            out.append(Chart(json.dumps(sent["spec"]), sent["alt"], _key(proto.id), proto.id))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def _key(element_id: str) -> str | None:
    """The user's key in an element id "$$ID-<hash of its parameters>-<key>" (None when it has none)."""
    key = element_id.split("-", 2)[-1] if element_id.count("-") >= 2 else ""
    return None if key in ("", "None") else key
