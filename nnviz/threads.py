"""One compute thread per computation, set once at startup.

The networks here are tiny, so one thread is as fast as many, and a hosted demo serving many users must not
let one user's training take every core. Override with NNVIZ_TORCH_THREADS.
"""

from __future__ import annotations

import os
import sys

THREADS = max(1, int(os.environ.get("NNVIZ_TORCH_THREADS", "1") or 1))

_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def limit() -> None:
    """Cap OpenMP, MKL and BLAS at ``THREADS`` (call once, at startup, before torch loads).

    OpenMP reads these once, when torch loads it, and every thread created later starts from them. Streamlit runs
    each script in a fresh thread and torch.set_num_threads only sets the calling thread's count: without this a
    page's training ran on the default thread count, oversubscribing a busy machine (40-70x slower). numpy's BLAS
    may already be loaded, and its thread count is process-wide: small solves ran 30-40x slower multithreaded.
    """
    for name in _VARS:
        os.environ.setdefault(name, str(THREADS))
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=THREADS, user_api="blas")
    bound()


def bound() -> None:
    """Hold torch to ``THREADS`` in the calling thread, if torch is loaded (cheap: call per script run or tick)."""
    torch = sys.modules.get("torch")
    # The warm-up thread may be importing torch right now: a half-initialised module is already in sys.modules
    # without these functions (a script run then failed with AttributeError); its threads start from OMP_NUM_THREADS.
    if torch is None or not hasattr(torch, "set_num_threads") or not hasattr(torch, "get_num_threads"):
        return
    if torch.get_num_threads() != THREADS:
        torch.set_num_threads(THREADS)


#: How much lower a live run's tick runs than a visitor's click: nice 10 weighs 110 against nice 0's 1024 in
#: Linux's scheduler, so when both want the core a click gets about nine tenths of it.
BACKGROUND_NICE = 10


def background() -> bool:
    """Lower the calling thread's CPU priority to ``BACKGROUND_NICE`` for the rest of its life; True if it is.

    For a live panel's tick: Streamlit runs every script run in a thread that ends with the run (a click that
    reruns the page starts a new one), so the lowered priority covers the tick's training and drawing and
    nothing after it. The steps a tick takes are fixed by the run, not by the time it gets, so a busy server
    trains more slowly but to the same numbers. An unprivileged thread may lower its priority but never raise it
    again, which is why this is one way. Linux only: on macOS the same call with a thread's id would renice
    whichever process has that number, so elsewhere (and where the call is refused) nothing changes.
    """
    import threading

    if not sys.platform.startswith("linux"):  # elsewhere setpriority's id is a process's, never a thread's
        return False
    tid = threading.get_native_id()
    try:
        if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
        return os.getpriority(os.PRIO_PROCESS, tid) >= BACKGROUND_NICE
    except (AttributeError, OSError):  # no setpriority (Windows), or a sandbox that refuses it
        return False
