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
