"""Server-side timing for benchmarks/bench_load.py, loaded by Python at start-up through PYTHONPATH.

bench_load.py puts this folder on the server's PYTHONPATH and names a log file in NNVIZ_SERVER_LOG; the server
is then the unchanged deploy/entrypoint.sh. For every rerun request this logs one JSON line: when the request
reached the server, when the run's "script finished" message was queued for the browser, the page's script
hash and whether it was a fragment rerun. So the figure is the server's own queueing and run time, whatever the
browsers on the same machine cost. Nothing here runs in the app itself.
"""

import json
import os
import time

if os.environ.get("NNVIZ_SERVER_LOG"):
    from streamlit.runtime.app_session import AppSession

    _log = open(os.environ["NNVIZ_SERVER_LOG"], "a", buffering=1)  # noqa: SIM115 - open for the process
    _pending: dict[str, tuple[float, str, bool]] = {}
    _handle_backmsg = AppSession.handle_backmsg
    _enqueue_forward_msg = AppSession._enqueue_forward_msg

    def handle_backmsg(self, msg) -> None:
        if msg.WhichOneof("type") == "rerun_script":
            rerun = msg.rerun_script
            # a request that arrives while the last one runs is folded into the next run: time from the first
            _pending.setdefault(self.id, (time.time(), rerun.page_script_hash, bool(rerun.fragment_id)))
        _handle_backmsg(self, msg)

    def enqueue_forward_msg(self, msg) -> None:
        _enqueue_forward_msg(self, msg)
        if msg.WhichOneof("type") == "script_finished":
            request = _pending.pop(self.id, None)
            if request is not None:
                arrived, page_hash, fragment = request
                _log.write(json.dumps({"session": self.id, "arrived": arrived, "finished": time.time(),
                                       "page": page_hash, "fragment": fragment}) + "\n")

    AppSession.handle_backmsg = handle_backmsg
    AppSession._enqueue_forward_msg = enqueue_forward_msg

if os.environ.get("NNVIZ_PROFILE_LOG"):
    # Where a script run's server CPU goes (benchmarks/bench_capacity.py --profile): thread CPU seconds
    # (time.thread_time, so other threads and processes do not count) of the whole run in its script thread and of
    # the parts inside it that are infrastructure (the gc.collect(2) Streamlit runs after each run, plotly's
    # conversion and JSON encoding in st.plotly_chart, the heap freeze, the computations of cache misses), and of
    # the protobuf serialisation of every ForwardMsg on the event loop; written as JSON totals every 2 s. The rest
    # of the process's CPU is the event loop (websocket, forward-message cache) and other threads.
    import threading
    from collections import Counter

    import plotly.io
    import plotly.tools
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web.server.starlette import starlette_websocket

    _totals: Counter = Counter()
    _lock = threading.Lock()
    _last_write = [0.0]

    def _timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                with _lock:
                    _totals[name] += time.thread_time() - t
                    _totals[name + " calls"] += 1
                    if time.monotonic() - _last_write[0] > 2:
                        _last_write[0] = time.monotonic()
                        with open(os.environ["NNVIZ_PROFILE_LOG"], "w") as out:
                            json.dump(dict(_totals), out)
        return wrapper

    class _TimedGC:
        def __getattr__(self, name):
            import gc

            return getattr(gc, name)

        def collect(self, *args):
            import gc

            return _timed("gc.collect(2) after each run", gc.collect)(*args)

    script_runner.ScriptRunner._run_script = _timed("script run (script thread, all)",
                                                     script_runner.ScriptRunner._run_script)
    script_runner.gc = _TimedGC()
    plotly.io.to_json = _timed("plotly JSON encoding (ui.figure)", plotly.io.to_json)
    plotly.tools.return_figure_from_figure_or_data = _timed(
        "plotly figure to dict (st.plotly_chart)", plotly.tools.return_figure_from_figure_or_data)
    from streamlit.runtime.caching import cache_utils

    _depth = threading.local()
    _handle_cache_miss = cache_utils.CachedFunc._handle_cache_miss
    _timed_miss = _timed("cache misses (the computation itself)", _handle_cache_miss)

    def _outer_miss(self, *args, **kwargs):  # a cached view calling another counts once
        if getattr(_depth, "n", 0):
            return _handle_cache_miss(self, *args, **kwargs)
        _depth.n = 1
        try:
            return _timed_miss(self, *args, **kwargs)
        finally:
            _depth.n = 0

    cache_utils.CachedFunc._handle_cache_miss = _outer_miss
    starlette_websocket.serialize_forward_msg = _timed("protobuf serialisation (event loop)",
                                                       starlette_websocket.serialize_forward_msg)
