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
WIDGET_KINDS = ("slider", "number_input", "selectbox", "radio", "checkbox", "multiselect", "text_input", "button")


@dataclass
class Widget:
    """A widget as the server described it: its id, kind, label, URL key and the range or options it takes."""

    id: str
    kind: str
    label: str
    key: str
    proto: object

    @property
    def user_key(self) -> str:
        """The ``key=`` the page gave the widget (Streamlit ends the id with it), or "" if it has none."""
        return self.id.rsplit("-", 1)[-1] if "-" in self.id else ""


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float  # from sending the request to the script_finished message
    status: str
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown the run wrote (st.latex too), in order


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
        text) and rerun."""
        state = self._state(widget, value)
        self.states[widget.id] = state
        return await self._rerun(page_hash=self.page_hash)

    async def press(self, widget: Widget) -> Run:
        """Press a button once (a trigger: not kept for later reruns)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        trigger = WidgetState(id=widget.id, trigger_value=True)
        return await self._rerun(page_hash=self.page_hash, extra=[trigger])

    async def tick(self) -> Run | None:
        """One live-panel fragment rerun, if a panel asked for them (None otherwise)."""
        if self.auto_rerun is None:
            return None
        return await self._rerun(page_hash=self.page_hash, fragment_id=self.auto_rerun[1])

    def find(self, kind: str, label_part: str = "") -> list[Widget]:
        return [w for w in self.widgets.values() if w.kind == kind and label_part in w.label]

    # -- protocol -------------------------------------------------------------------------------------------------
    def _state(self, widget: Widget, value):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        s = WidgetState(id=widget.id)
        p = widget.proto
        if widget.kind == "slider":
            s.double_array_value.data.extend([float(v) for v in (value if isinstance(value, (list, tuple))
                                                                 else [value])])
        elif widget.kind == "number_input":
            if p.data_type == p.INT:
                s.int_value = int(value)
            else:
                s.double_value = float(value)
        elif widget.kind in ("selectbox", "radio"):
            s.string_value = p.options[int(value)]
        elif widget.kind == "checkbox":
            s.bool_value = bool(value)
        elif widget.kind == "multiselect":
            s.string_array_value.data.extend([p.options[int(i)] for i in value])
        elif widget.kind == "text_input":
            s.string_value = str(value)
        return s

    async def _rerun(self, query: str = "", page_hash: str = "", page_name: str = "", fragment_id: str = "",
                     extra: list | None = None) -> Run:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_script_hash = page_hash
        cs.page_name = page_name
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = True
        cs.widget_states.widgets.extend([*self.states.values(), *(extra or [])])
        t0 = time.perf_counter()
        await self._conn.send(msg.SerializeToString())
        run = Run(0.0, "timeout")
        deadline = t0 + self.timeout_s
        if not fragment_id:
            self.widgets = {}
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
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.exceptions.append(element.exception.message)
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            run.errors.append(element.alert.body)
        elif kind == "markdown":
            run.texts.append(element.markdown.body)
        elif kind in WIDGET_KINDS:
            p = getattr(element, kind)
            key = getattr(p, "query_param_key", "") or ""
            self.widgets[p.id] = Widget(p.id, kind, p.label, key, p)


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
