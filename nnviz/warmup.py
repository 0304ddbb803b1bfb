"""Load in the background, once per process, what a student's first Train press would otherwise wait for.

torch takes 1-2 s to import, and the first ``torch.optim.Adam`` imports ``torch._dynamo`` (another 2.4 s on an idle
2-core machine, 10 s on a busy one). The router starts this after it has served its first page, so the home page
never waits for torch and a page that trains finds it loaded.

A script run that arrives while the warm-up is still importing waits for it (``wait``) before it runs: two threads
importing torch's submodules at once can see each other's half-initialised modules (Python accepts a partial
module to break an import cycle between threads), which failed page runs with "operator ... does not exist".
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_thread: threading.Thread | None = None
_threads_limited = False


def limit_threads() -> None:
    """``nnviz.threads.limit()``, once per process: the router calls this at the top of every script run (it must
    come before anything loads torch), and threadpoolctl's scan of the loaded libraries costs 1.3-1.5 ms a run."""
    global _threads_limited
    if not _threads_limited:
        from nnviz import threads

        threads.limit()
        _threads_limited = True


def _warm() -> None:
    import scipy.special  # noqa: F401  (activations.sigmoid_np's expit: ~0.2-0.7 s the first time)
    import torch

    from nnviz import threads

    threads.bound()
    w = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([w], lr=0.1)
    w.grad = torch.ones(1)
    opt.step()


def wait(timeout_s: float = 60.0) -> None:
    """Block until the warm-up has finished, if it is running (a no-op once it is done or if never started)."""
    thread = _thread
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join(timeout_s)


def start() -> threading.Thread:
    """Start the warm-up thread if it has not been started in this process; returns it."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_warm, name="nnviz-warmup", daemon=True)
            _thread.start()
        return _thread
