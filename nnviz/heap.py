"""Keep Streamlit's garbage collection after every script run cheap.

Streamlit calls ``gc.collect(2)`` after each run, fragment reruns included, unless ``runner.postScriptGC`` is off
(as .streamlit/config.toml sets it); Python's own full collections still come every few thousand allocations. A full
collection walks every tracked object, and with torch, plotly, scikit-learn and Streamlit loaded that is about
300,000 objects and 165 ms on our 2-core machine: a live view asking for a redraw every 200 ms got 3 a second,
and on a shared server every user's rerun held the interpreter that long. Modules live as long as the process,
so once they are loaded we move them to the permanent generation (``gc.freeze``), which collections skip.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_modules_at_last_freeze = 0


def freeze_loaded_modules() -> bool:
    """Collect, then freeze the heap if modules were imported since the last call; return whether it froze.

    Call at the end of a script run. Pages import what they need on first visit, so this freezes a handful of
    times per process and is a length comparison the rest of the time. Objects alive at a freeze (a session's
    state among them) are kept out of later collections; plain reference counting still frees them, so only
    their reference cycles could outlive them, once per new import.
    """
    global _modules_at_last_freeze
    if len(sys.modules) == _modules_at_last_freeze:
        return False
    with _lock:
        if len(sys.modules) == _modules_at_last_freeze:
            return False
        gc.collect()
        gc.freeze()
        _modules_at_last_freeze = len(sys.modules)
        return True
