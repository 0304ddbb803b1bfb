"""A headless Streamlit client: speaks the app's own websocket protocol (the BackMsg / ForwardMsg protobufs that
ship inside the streamlit package, over the websockets package streamlit itself depends on), so tests and
benchmarks can drive many sessions without a browser.

Loopback only: ``Session`` refuses any host other than 127.0.0.1 / localhost / ::1. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
WIDGET_KINDS = ("slider", "number_input", "selectbox", "radio", "checkbox", "multiselect", "text_input", "button",
                "button_group")  # button_group: st.segmented_control and st.pills


@dataclass
class Widget:
    """A widget as the server described it: its id, kind, label, URL key and the range or options it takes."""

    id: str
    kind: str
    label: str
    key: str
    proto: object
    fragment_id: str = ""  # the st.fragment that drew it: a browser reruns only that fragment when it changes

    @property
    def user_key(self) -> str:
        """The ``key=`` the page gave the widget (Streamlit ends the id with it), or "" if it has none."""
        return self.id.rsplit("-", 1)[-1] if "-" in self.id else ""


@dataclass(frozen=True)
class Element:
    """One delta a run sent: where it landed, which fragment drew it and what it holds."""

    path: tuple[int, ...]  # ForwardMsg.metadata.delta_path: the same place on the page across runs
    fragment_id: str  # the st.fragment that drew it ("" outside any fragment)
    kind: str  # the element's type ("markdown", "plotly_chart", ...), or "block:<type>" for a container
    content: bytes  # the element (or block) proto, serialised: equal bytes, equal content

    def text(self) -> str:
        """The content in words: a markdown body, a label, a chart's spec, else the proto's text form."""
        from streamlit.proto.Block_pb2 import Block
        from streamlit.proto.Element_pb2 import Element as ElementProto

        if self.kind.startswith("block:"):
            proto = Block.FromString(self.content)
        else:
            proto = getattr(ElementProto.FromString(self.content), self.kind)
        for name in ("body", "label", "spec", "text"):
            if getattr(proto, name, ""):
                return getattr(proto, name)
        return str(proto).replace("\n", " ")

    def brief(self, limit: int = 160) -> str:
        text = self.text()
        return text if len(text) <= limit else text[:limit] + "..."


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float  # from sending the request to the script_finished message
    status: str
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown the run wrote (st.latex too), in order
    elements: list[Element] = field(default_factory=list)  # every new_element and add_block delta, in order

    def page(self) -> dict[tuple[int, ...], Element]:
        """What the run left on the page, by path: a later delta at a path replaces the earlier one (st.empty), and
        a delta at a path clears what was drawn below it (a block replaced by an element loses its children)."""
        out: dict[tuple[int, ...], Element] = {}
        for e in self.elements:
            n = len(e.path)
            for p in [p for p in out if len(p) > n and p[:n] == e.path]:
                del out[p]
            out[e.path] = e
        return out


class Session:
    """One browser tab's worth of protocol: open, switch pages, set widgets, press buttons, follow live reruns."""

    def __init__(self, base_url: str, timeout_s: float = 60.0) -> None:
        host = base_url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
        if host not in _LOOPBACK:
            raise ValueError("The protocol client only talks to servers on this machine (loopback).")
        self.ws_url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.timeout_s = timeout_s
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}
        # stateful containers the last full run drew (an expander or tabs with on_change="rerun", as ui.lazy_expander
        # and ui.lazy_tabs make them): kind "expander" or "tabs", proto the Block's expandable / tab_container
        self.containers: dict[str, Widget] = {}
        self.tab_labels: dict[str, list[str]] = {}  # tabs id -> its tabs' labels, in order
        self._tabs_at: dict[tuple[int, ...], str] = {}  # delta path of a tab container -> its id
        self.states: dict[str, object] = {}  # widget id -> WidgetState proto kept for later reruns
        self.auto_rerun: tuple[float, str] | None = None  # (interval, fragment id) while a live panel plays
        self._conn = None

    async def open(self, path: str = "", query: str = "") -> Run:
        # No client pings (a browser sends none; the server pings every 30 s): with the websockets default, a
        # server busy for 20 s made this client drop the connection, which no student's browser would do.
        self._conn = await asyncio.wait_for(connect(self.ws_url, subprotocols=["streamlit"], max_size=2**26,
                                                     open_timeout=self.timeout_s, ping_interval=None),
                                            self.timeout_s)
        return await self._rerun(query=query, page_name=path)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def goto(self, path: str) -> Run:
        """Switch to a page by its URL path, as the navigation does (the last page's live panel stops asking for
        reruns, as the browser drops its timers on a page change)."""
        self.states.clear()
        self.auto_rerun = None
        return await self._rerun(page_hash=self.pages.get(path, ""), page_name=path)

    async def set(self, widget: Widget, value) -> Run:
        """Give a widget a value (number, or (low, high) for a range slider; option index; bool; list of indices;
        text; for a container in ``containers``: open or not for an expander, the tab's index for tabs) and rerun,
        as a browser does: the widget's fragment only, if a fragment drew it, else the page."""
        state = self._state(widget, value)
        self.states[widget.id] = state
        return await self._rerun(page_hash=self.page_hash, fragment_id=widget.fragment_id)

    async def rerun(self) -> Run:
        """Rerun the whole page with every kept widget state, as a browser's "Rerun" does (no fragment)."""
        return await self._rerun(page_hash=self.page_hash)

    def value(self, widget: Widget):
        """The widget's value now, in the units ``set`` takes (option indices for select boxes, radios, select
        sliders and multiselects): the state this client sends for it, else what the server drew (its ``value``
        when it set one, else its ``default``). None for kinds the client does not model (buttons)."""
        state = self.states.get(widget.id)
        if widget.kind == "tabs":  # the open tab's index; the proto does not say which is open, only the default
            labels = self.tab_labels.get(widget.id, [])
            return labels.index(state.string_value) if state is not None and state.string_value in labels \
                else widget.proto.default_tab_index
        return self._drawn_value(widget) if state is None else self._state_value(widget, state)

    @staticmethod
    def _drawn_value(widget: Widget):
        p = widget.proto
        options = list(getattr(p, "options", []))
        if widget.kind == "slider":
            if p.set_value:
                data = [options.index(v) for v in p.raw_value] if p.type == p.SELECT_SLIDER else list(p.value)
            else:
                data = [int(v) for v in p.default] if p.type == p.SELECT_SLIDER else list(p.default)  # indices
            return data[0] if len(data) == 1 else tuple(data)
        if widget.kind in ("selectbox", "radio"):
            return options.index(p.raw_value) if p.set_value and p.raw_value in options else p.default
        if widget.kind == "multiselect":
            return [options.index(v) for v in p.raw_values if v in options] if p.set_value else list(p.default)
        if widget.kind == "button_group":
            labels = _segment_labels(p)
            return [labels.index(v) for v in p.raw_values if v in labels] if p.set_value else list(p.default)
        if widget.kind in ("number_input", "text_input"):
            return p.value if p.set_value and p.HasField("value") else p.default
        if widget.kind == "checkbox":
            return p.value if p.set_value else p.default
        if widget.kind == "expander":
            return p.expanded
        return None

    @staticmethod
    def _state_value(widget: Widget, state):
        p = widget.proto
        options = list(getattr(p, "options", []))
        if widget.kind == "slider":
            if p.type != p.SELECT_SLIDER:
                data = list(state.double_array_value.data)
            elif all(v in options for v in state.string_array_value.data):
                data = [options.index(v) for v in state.string_array_value.data]
            else:  # options changed since: the server falls back to the default
                return Session._drawn_value(widget)
            return data[0] if len(data) == 1 else tuple(data)
        if widget.kind in ("selectbox", "radio"):
            return options.index(state.string_value) if state.string_value in options else p.default
        if widget.kind == "multiselect":
            return [options.index(v) for v in state.string_array_value.data if v in options]
        if widget.kind == "button_group":
            labels = _segment_labels(p)
            return [labels.index(v) for v in state.string_array_value.data if v in labels]
        if widget.kind == "number_input":
            return state.int_value if p.data_type == p.INT else state.double_value
        if widget.kind in ("checkbox", "expander"):
            return state.bool_value
        if widget.kind == "text_input":
            return state.string_value
        return None

    async def press(self, widget: Widget) -> Run:
        """Press a button once (a trigger: not kept for later reruns)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        trigger = WidgetState(id=widget.id, trigger_value=True)
        return await self._rerun(page_hash=self.page_hash, fragment_id=widget.fragment_id, extra=[trigger])

    async def tick(self) -> Run | None:
        """One live-panel fragment rerun, if a panel asked for them (None otherwise)."""
        if self.auto_rerun is None:
            return None
        return await self._rerun(page_hash=self.page_hash, fragment_id=self.auto_rerun[1], auto=True)

    def find(self, kind: str, label_part: str = "") -> list[Widget]:
        return [w for w in self.widgets.values() if w.kind == kind and label_part in w.label]

    # -- protocol -------------------------------------------------------------------------------------------------
    def _state(self, widget: Widget, value):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        s = WidgetState(id=widget.id)
        p = widget.proto
        if widget.kind == "slider":
            values = value if isinstance(value, (list, tuple)) else [value]
            if p.type == p.SELECT_SLIDER:  # a select slider takes option indices and sends the options' text
                s.string_array_value.data.extend([p.options[int(v)] for v in values])
            else:
                s.double_array_value.data.extend([float(v) for v in values])
        elif widget.kind == "number_input":
            if p.data_type == p.INT:
                s.int_value = int(value)
            else:
                s.double_value = float(value)
        elif widget.kind in ("selectbox", "radio"):
            s.string_value = p.options[int(value)]
        elif widget.kind in ("checkbox", "expander"):
            s.bool_value = bool(value)
        elif widget.kind == "tabs":
            s.string_value = self.tab_labels[widget.id][int(value)]
        elif widget.kind == "multiselect":
            s.string_array_value.data.extend([p.options[int(i)] for i in value])
        elif widget.kind == "button_group":  # list of option indices (one, or none, for a single-select)
            s.string_array_value.data.extend([_segment_labels(p)[int(i)] for i in value])
        elif widget.kind == "text_input":
            s.string_value = str(value)
        return s

    async def _rerun(self, query: str = "", page_hash: str = "", page_name: str = "", fragment_id: str = "",
                     extra: list | None = None, auto: bool = False) -> Run:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_script_hash = page_hash
        cs.page_name = page_name
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        cs.widget_states.widgets.extend([*self.states.values(), *(extra or [])])
        t0 = time.perf_counter()
        await self._conn.send(msg.SerializeToString())
        run = Run(0.0, "timeout")
        deadline = t0 + self.timeout_s
        if not fragment_id:
            self.widgets, self.containers, self.tab_labels, self._tabs_at = {}, {}, {}, {}
        while True:
            try:
                raw = await asyncio.wait_for(self._conn.recv(), max(0.1, deadline - time.perf_counter()))
            except (TimeoutError, ConnectionError) as e:
                run.status = type(e).__name__
                break
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.new_session.app_pages}
                self.page_hash = fm.new_session.page_script_hash
            elif kind == "page_info_changed" or kind == "navigation":
                if kind == "navigation":
                    self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
                    self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "delta":
                self._read_delta(fm, run)
            elif kind == "auto_rerun":
                self.auto_rerun = (fm.auto_rerun.interval, fm.auto_rerun.fragment_id)
            elif kind == "stop_auto_rerun":
                self.auto_rerun = None
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue
                run.status = status
                break
        run.seconds = time.perf_counter() - t0
        return run

    def _read_delta(self, fm, run: Run) -> None:
        delta = fm.delta
        path = tuple(fm.metadata.delta_path)
        if delta.WhichOneof("type") == "add_block":
            block = delta.add_block
            kind = str(block.WhichOneof("type"))
            run.elements.append(Element(path, delta.fragment_id, "block:" + kind,
                                        block.SerializeToString(deterministic=True)))
            if kind == "expandable" and block.expandable.HasField("id"):
                e = block.expandable
                self.containers[e.id] = Widget(e.id, "expander", e.label, e.query_param_key, e, delta.fragment_id)
            elif kind == "tab_container" and block.tab_container.HasField("id"):
                t = block.tab_container
                self.containers[t.id] = Widget(t.id, "tabs", "", t.query_param_key, t, delta.fragment_id)
                self.tab_labels[t.id] = []
                self._tabs_at[path] = t.id
            elif kind == "tab" and path[:-1] in self._tabs_at:
                labels = self.tab_labels[self._tabs_at[path[:-1]]]
                if len(labels) == path[-1]:  # a fragment run may send the tabs again
                    labels.append(block.tab.label)
            return
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        run.elements.append(Element(path, delta.fragment_id, str(kind),
                                    element.SerializeToString(deterministic=True)))
        if kind == "exception":
            run.exceptions.append(element.exception.message)
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            run.errors.append(element.alert.body)
        elif kind == "markdown":
            run.texts.append(element.markdown.body)
        elif kind in WIDGET_KINDS:
            p = getattr(element, kind)
            key = getattr(p, "query_param_key", "") or ""
            widget = Widget(p.id, kind, p.label, key, p, fm.delta.fragment_id)
            self.widgets[p.id] = widget
            if getattr(p, "set_value", False) and kind != "button":
                # the server set the value (session state, or a value no longer among the options): a browser
                # shows it and sends it from then on, so this client keeps it in place of what it sent before
                self.states[p.id] = self._state(widget, self._drawn_value(widget))


def _segment_labels(p) -> list[str]:
    """A segmented control's or pills' options as the server formatted them (a leading icon is sent apart)."""
    return [f"{o.content_icon} {o.content}" if o.content_icon and o.content else o.content_icon or o.content
            for o in p.options]


def run_sync(coro):
    """Run a coroutine to completion in a thread of its own and return its result.

    ``asyncio.run`` refuses to start inside a thread whose event loop is running, and Playwright's sync API keeps one
    running in the test process's main thread for the whole session once a browser test has run.
    """
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def server_rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc), summed over the process only."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
