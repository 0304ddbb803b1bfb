"""Sections drawn as ``st.fragment`` s (``ui.section``) must be self-contained: a widget inside one reruns only that
fragment, so nothing outside it may depend on the widget, or the outside goes stale in the browser.

AppTest always reruns the whole script, so it cannot see this. Here the protocol client (tests/st_client.py) drives a
real server as a browser does, page by page: for every widget a fragment drew, it changes the widget (a fragment run,
as the browser sends it), then reruns the whole page with the same widget states, and checks that every element
outside the fragments that change reran is exactly what the full run before the change drew: same places, same
content. A difference is something the browser would keep showing stale. On the way it opens every lazy expander
and visits every lazy tab (ui.lazy_expander, ui.lazy_tabs), so the fragments inside them are swept too.

Live panels' buttons are never pressed (they train); the classroom toggle is app-wide and not in a fragment.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

import pytest
from streamlit.proto.Element_pb2 import Element as ElementProto

from nnviz.catalog import PAGES
from tests.conftest import streamlit_server
from tests.st_client import Element, Run, Session, Widget, run_sync

pytestmark = pytest.mark.slow

#: widgets that change the whole app (classroom mode), or that belong to a live panel (its buttons train)
SKIP_KEYS = {"classroom"}
LIVE_SUFFIXES = ("_start", "_pause", "_step", "_reset")
#: widgets the protocol client does not set (it does not model their states): listed, not checked
UNMODELLED = {"file_uploader", "text_area", "color_picker", "date_input", "time_input",
              "camera_input", "audio_input", "chat_input"}
#: a list of widths such as "3, 9, 2": the one kind of text box with an obvious other valid value
_NUMBER_LIST = re.compile(r"\s*(\d+)(\s*,\s*\d+)+\s*")

DeltaPath = tuple[int, ...]


@pytest.fixture(scope="module")
def url():
    with streamlit_server() as base_url:
        yield base_url


@dataclass
class Sweep:
    """What one page's sweep did: the widgets it changed, those it could not, and what went stale."""

    checked: list[str] = field(default_factory=list)  # "key=value"
    skipped: list[str] = field(default_factory=list)  # fragment widgets it did not change, and why
    opened: list[str] = field(default_factory=list)  # lazy expanders and tabs outside fragments it opened
    problems: list[str] = field(default_factory=list)


def signature(e: Element) -> bytes:
    """What identifies an element's content across two runs with the same widget states."""
    if e.kind == "download_button":
        # A download whose data is computed on click (a callable, as ui.figure's CSV) gets a fresh random
        # deferred_file_id each run (streamlit registers the callable under a uuid4): the id says nothing about
        # the content, which is not in the proto at all; the label, help and widget id still are compared.
        el = ElementProto.FromString(e.content)
        el.download_button.ClearField("deferred_file_id")
        return el.SerializeToString(deterministic=True)
    return e.content


def outside(run: Run, rerun_ids: set[str], written: set[DeltaPath]) -> dict[DeltaPath, Element]:
    """What the run left on the page outside the fragments that reran: not drawn by a fragment in ``rerun_ids``,
    and not at or below a path the fragment run wrote (``written``). The browser replaces what is at a written
    path, and clears what a fragment's own container (st.fragment draws into one) held and the run did not redraw:
    a live panel nested in a section moves when the section draws a warning above it, and its fragment id, which
    streamlit derives from the place it is called, moves with it, so the old id is not among those that reran."""
    def under(p: DeltaPath) -> bool:
        return any(p[:len(q)] == q for q in written)

    return {p: e for p, e in run.page().items() if e.fragment_id not in rerun_ids and not under(p)}


def _say(e: Element | None, text: str | None = None) -> str:
    """An element in words: its kind, the fragment that drew it and (part of) its content."""
    if e is None:
        return "nothing"
    return f"{e.kind} [fragment {e.fragment_id[:8] or '-'}] {e.brief() if text is None else text!r}"


def first_difference(before: dict[DeltaPath, Element], after: dict[DeltaPath, Element]) -> str | None:
    """The first place (in page order) where the two differ, in words; None if they are the same."""
    for p in sorted(set(before) | set(after)):
        a, b = before.get(p), after.get(p)
        if a is not None and b is not None and a.kind == b.kind and signature(a) == signature(b):
            continue
        if a is None or b is None or a.kind != b.kind:
            return f"at {list(p)}: before the change {_say(a)}; a full rerun draws {_say(b)}"
        ta, tb = a.text(), b.text()  # the same kind: show both where their words part
        i = next((i for i, (x, y) in enumerate(zip(ta, tb, strict=False)) if x != y), min(len(ta), len(tb)))
        start = max(0, i - 60)
        dots = "..." if start else ""
        return (f"at {list(p)}: before the change {_say(a, dots + ta[start:i + 100])}; "
                f"a full rerun draws {_say(b, dots + tb[start:i + 100])}")
    return None


def other_value(session: Session, w: Widget):
    """A value for the widget other than the one it has, or None when there is no obvious one."""
    p, now = w.proto, session.value(w)
    if w.kind == "slider":
        if len(p.options):  # a select slider: option indices
            low, high = 0, len(p.options) - 1
        else:
            low, high = p.min, p.max
        if high == low:
            return None
        if isinstance(now, tuple):  # a range slider: the whole range, else an empty one (a valid choice too)
            return (low, high) if tuple(now) != (low, high) else (low, low)
        return high if now != high else low
    if w.kind == "number_input":
        if p.has_max and now != p.max:
            return p.max
        if p.has_min and now != p.min:
            return p.min
        return now + (p.step or 1)
    if w.kind in ("selectbox", "radio"):
        n = len(p.options)
        return None if n < 2 else (int(now) + 1) % n
    if w.kind == "checkbox":
        return not now
    if w.kind == "multiselect" or (w.kind == "button_group" and p.click_mode == p.MULTI_SELECT):
        if not len(p.options):
            return None
        return list(now)[:-1] if now else [0]
    if w.kind == "button_group":  # a single-select segmented control or pills: the next option, or none
        if not len(p.options):
            return None
        return [] if now and len(p.options) == 1 else [(now[0] + 1) % len(p.options)] if now else [0]
    if w.kind == "text_input":
        m = _NUMBER_LIST.fullmatch(now or "")
        if m is None:
            return None
        return now.replace(m.group(1), str(int(m.group(1)) + 1), 1)  # "3, 9, 2" -> "4, 9, 2"
    return None


def _identity(w: Widget) -> str:
    return w.user_key or f"{w.kind}:{w.label}"


def _next_widget(session: Session, done: set) -> Widget | None:
    """The next widget, in page order, that a fragment drew and the sweep has not changed yet."""
    for w in session.widgets.values():
        if not w.fragment_id or _identity(w) in done or w.kind == "button":
            continue
        if w.user_key in SKIP_KEYS or w.user_key.endswith(LIVE_SUFFIXES) or getattr(w.proto, "disabled", False):
            continue
        return w
    return None


def _next_expander(session: Session, done: set) -> tuple[Widget, bool] | None:
    """A closed lazy expander not opened yet: opened before any widget changes, so that a lazy section that reads a
    widget elsewhere (the skip page's joint chart reads the gradient-flow controls) is on the page when it changes."""
    for c in session.containers.values():
        if c.kind == "expander" and not session.value(c) and _identity(c) not in done:
            return c, True
    return None


def _next_reveal(session: Session, done: set) -> tuple[Widget, object] | None:
    """A closed lazy expander to open, or a lazy tab not visited yet (ui.lazy_expander and ui.lazy_tabs draw only
    the open part, so a fragment in the rest is not on the page until a student opens it)."""
    for c in session.containers.values():
        if c.kind == "expander" and not session.value(c) and _identity(c) not in done:
            return c, True
        if c.kind == "tabs":
            done.add((_identity(c), session.value(c)))  # the open tab is on the page
            for i in range(len(session.tab_labels.get(c.id, []))):
                if (_identity(c), i) not in done:
                    return c, i
    return None


def _ok(run: Run, status: str) -> str | None:
    """Why the run is not a clean one with this status, or None."""
    if run.status != status or run.exceptions or run.errors:
        return f"{run.status}; exceptions {run.exceptions[:1]}; errors {run.errors[:1]}"
    return None


async def sweep(url: str, page: str, timeout_s: float = 60) -> Sweep:
    """Change every fragment widget of ``page`` in turn and compare the outside of each full rerun with the one
    before the change; open every lazy expander and tab on the way, to reach the fragments inside them. Each change
    stays in place: the full run after it is the baseline for the next one."""
    out = Sweep()
    s = Session(url, timeout_s=timeout_s)
    try:
        await s.open("")
        base = await s.goto(page)
        if why := _ok(base, "FINISHED_SUCCESSFULLY"):
            out.problems.append(f"{page}: the page's first run: {why}")
            return out
        done: set = set()
        unmodelled: dict[str, None] = {}  # in the order first seen
        disabled: dict[str, None] = {}
        while True:
            unmodelled |= {f"{e.brief(40)!r} ({e.kind}, not modelled)": None for e in base.page().values()
                           if e.fragment_id and e.kind in UNMODELLED}
            disabled |= {_identity(w): None for w in s.widgets.values()
                         if w.fragment_id and getattr(w.proto, "disabled", False) and w.kind != "button"}
            if (reveal := _next_expander(s, done)) is not None:  # first: a section that stays open then counts
                w, new = reveal  # as "outside" for every widget changed after it
                done.add(_identity(w))
            elif (w := _next_widget(s, done)) is not None:
                done.add(_identity(w))
                new = other_value(s, w)
                if new is None:
                    out.skipped.append(f"{_identity(w)} ({w.kind})")
                    continue
            elif (reveal := _next_reveal(s, done)) is not None:
                w, new = reveal
                done.add(_identity(w) if w.kind == "expander" else (_identity(w), new))
            else:
                break
            what = f"{page}: {_identity(w)} ({w.kind}) {s.value(w)!r} -> {new!r}"
            run = await s.set(w, new)
            if not w.fragment_id:  # a lazy section outside any fragment: a full run, the next baseline
                if why := _ok(run, "FINISHED_SUCCESSFULLY"):
                    out.problems.append(f"{what}: {why}")
                    break
                out.opened.append(f"{_identity(w)}={new!r}")
                base = run
                continue
            if why := _ok(run, "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"):
                out.problems.append(f"{what}: the fragment run: {why}")
                break  # the session's state is no longer known
            rerun_ids = {e.fragment_id for e in run.elements} | {w.fragment_id}
            written = {e.path for e in run.elements}
            full = await s.rerun()
            if why := _ok(full, "FINISHED_SUCCESSFULLY"):
                out.problems.append(f"{what}: the full rerun after it: {why}")
                break
            out.checked.append(f"{_identity(w)}={new!r}")
            if diff := first_difference(outside(base, rerun_ids, written), outside(full, rerun_ids, written)):
                out.problems.append(f"{what}: outside the fragment(s) it reran, {diff}")
            base = full
        out.skipped += [f"{k} (disabled throughout)" for k in disabled if k not in done] + list(unmodelled)
    finally:
        await s.close()
    return out


@pytest.mark.parametrize("page", [p.url_path for p in PAGES])
def test_a_fragment_widget_changes_nothing_outside_its_fragment(url, page):
    result = run_sync(asyncio.wait_for(sweep(url, page), 170))
    print(f"{page}: {len(result.checked)} fragment widgets checked: {', '.join(result.checked) or '-'}; "
          f"opened {', '.join(result.opened) or '-'}"
          + (f"; not changed: {', '.join(result.skipped)}" if result.skipped else ""))
    assert not result.problems, "\n".join(result.problems)
