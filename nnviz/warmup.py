"""Load in the background, once per process, what a student's first Train press would otherwise wait for.

torch takes 1-2 s to import, and the first ``torch.optim.Adam`` imports ``torch._dynamo`` (another 2.1 s of CPU on an
idle 2-core machine, 10 s on a busy one). The router asks for this after it has served a page (``start``), and the
import begins only once no script run has been in progress for ``QUIET_S``: an import holds the interpreter for
seconds at a time (loading torch's shared libraries), so started at once it slowed the first visitor's browser,
which was still fetching Streamlit's and plotly's JavaScript from this same process, and their next run.

The warm-up never starts while a run is in progress (``page_run``), and while it imports, any other thread's
``import`` statement for a module of the packages it loads (``GATED``: torch, scipy, ...) waits until the warm-up has
finished (``_gated_import``, around ``builtins.__import__``): two threads importing torch's submodules at once can
see each other's half-initialised modules (Python accepts a partial module to break an import cycle between
threads), which failed page runs with "operator ... does not exist". A run that needs none of them (most widget
changes) does not wait: it used to wait for the whole import, several seconds after a student's first pause.
The wait is at the ``import`` statement, before Python takes any import lock (a finder on ``sys.meta_path`` is
called under the global import lock, so waiting there stopped the warm-up's own imports too).
"""

from __future__ import annotations

import builtins
import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator

#: Seconds without a script run in progress before the warm-up starts importing.
QUIET_S = 3.0

#: Top-level packages whose modules other threads import only after the warm-up (it loads them, or they load
#: parts of torch or scipy): an import of one of them waits while the warm-up is importing.
GATED = frozenset({"torch", "functorch", "torchgen", "scipy", "sklearn", "sympy"})

#: Packages the warm-up is still to import, while it imports: scipy is let through once it is loaded (and its type
#: checks guarded against the half-imported torch), a second or so before torch is.
_busy: frozenset[str] = GATED

#: The longest an import waits for the warm-up.
GATE_TIMEOUT_S = 60.0

_lock = threading.Lock()
_thread: threading.Thread | None = None
_threads_limited = False
_state = threading.Condition()
_running = 0  # script runs in progress (inside page_run)
_last_run_end = float("-inf")  # time.monotonic() when the last one ended
_importing = False


def limit_threads() -> None:
    """``nnviz.threads.limit()``, once per process: the router calls this at the top of every script run (it must
    come before anything loads torch), and threadpoolctl's scan of the loaded libraries costs 1.3-1.5 ms a run."""
    global _threads_limited
    if not _threads_limited:
        from nnviz import threads

        threads.limit()
        _threads_limited = True


def _wait_for_quiet() -> None:
    """Block until no run has been in progress for ``QUIET_S``; then mark the import as started."""
    global _importing
    with _state:
        while True:
            quiet = time.monotonic() - _last_run_end
            if _running == 0 and quiet >= QUIET_S:
                _importing = True
                return
            _state.wait(QUIET_S - quiet if _running == 0 else None)


def _warm() -> None:
    global _importing, _busy
    _wait_for_quiet()
    try:
        _load()
    finally:
        with _state:
            _importing = False
            _busy = GATED
            _state.notify_all()
        remove_gate()


def _load() -> None:
    global _busy
    import scipy.special  # noqa: F401  (activations.sigmoid_np's expit: ~0.2-0.7 s the first time)

    guard_half_imported_modules()
    with _state:
        _busy = _busy - {"scipy"}  # (scikit-learn waits for torch: its own copy of the check may load later)
        _state.notify_all()
    import torch

    from nnviz import threads

    threads.bound()
    w = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([w], lr=0.1)
    w.grad = torch.ones(1)
    opt.step()


#: The array-API helpers (vendored array-api-compat) whose type checks look torch up in ``sys.modules``.
_ARRAY_API_HELPERS = ("scipy._lib.array_api_compat.common._helpers",
                      "sklearn.externals.array_api_compat.common._helpers")


def guard_half_imported_modules() -> None:
    """Make the array-API helpers loaded so far treat a module that another thread is still importing as not loaded.

    scipy asks ``is_torch_array(x)`` in many places, at import (scipy.stats builds its docs by computing) and in
    calls: array-api-compat's ``_issubclass_fast`` finds ``sys.modules["torch"]`` and reads ``torch.Tensor``. While
    the warm-up imports torch, that module is half-built and has no ``Tensor`` yet, so a visitor whose run first
    loaded scipy.signal then failed with "partially initialized module 'torch' has no attribute 'Tensor'". No
    object of a module's classes can exist before the module defines them, so the answer then is False, and it is
    not cached. The same check is narwhals' (its ``_get_imported_module``, for this race).
    """
    for name in _ARRAY_API_HELPERS:
        helpers = sys.modules.get(name)
        if helpers is not None and not getattr(helpers._issubclass_fast, "nnviz_guarded", False):
            helpers._issubclass_fast = _skipping_half_imported(helpers._issubclass_fast)


def _skipping_half_imported(issubclass_fast):
    """``issubclass_fast(cls, modname, clsname)`` that answers False while ``modname`` is being imported."""
    def guarded(cls: type, modname: str, clsname: str) -> bool:
        module = sys.modules.get(modname)
        if module is not None and getattr(getattr(module, "__spec__", None), "_initializing", False):
            return False
        return issubclass_fast(cls, modname, clsname)

    guarded.nnviz_guarded = True
    return guarded


_original_import = builtins.__import__


def _gated_import(name: str, globals: dict | None = None, locals: dict | None = None, fromlist=(), level: int = 0):
    """``builtins.__import__``, waiting first while the warm-up imports if ``name`` is under ``GATED`` (absolute
    imports only: a relative one is inside a package already being imported)."""
    top = name.partition(".")[0]
    if (_importing and level == 0 and top in _busy and threading.current_thread() is not _thread
            and not _inside_gated_import()):
        _wait_for_the_warm_up(top)
    return _original_import(name, globals, locals, fromlist, level)


def _wait_for_the_warm_up(top: str) -> None:
    """Until the warm-up has finished with package ``top``, or it comes to wait for a module import lock this thread
    holds (this thread may be running a module's code whose import statement led here: then it goes on, else both
    would hang), or ``GATE_TIMEOUT_S`` has passed."""
    deadline = time.monotonic() + GATE_TIMEOUT_S
    with _state:
        while (_importing and top in _busy and not _warm_up_waits_for_this_thread()
               and time.monotonic() < deadline):
            _state.wait(_GATE_POLL_S)


#: How often a held import checks whether the warm-up has come to wait for it.
_GATE_POLL_S = 0.02


def _warm_up_waits_for_this_thread() -> bool:
    """Whether the warm-up thread is blocked on a module import lock that this thread holds (CPython's own
    record of who waits for which module lock, ``importlib._bootstrap._blocking_on``: a lock, or from 3.12 a
    list of locks, per waiting thread)."""
    import importlib._bootstrap as bootstrap

    warm = _thread.ident if _thread is not None else None
    waiting = getattr(bootstrap, "_blocking_on", None) or {}
    got = waiting.get(warm) if warm is not None else None
    locks = list(got) if isinstance(got, (list, tuple, set)) else [got] if got is not None else []
    me = threading.get_ident()
    return any(getattr(lock, "owner", None) == me for lock in locks)


def install_gate() -> None:
    """Route ``import`` statements through ``_gated_import`` (once; ``start`` does it)."""
    if builtins.__import__ is not _gated_import:
        builtins.__import__ = _gated_import


def remove_gate() -> None:
    """Give ``import`` statements back to Python's own ``__import__`` (the warm-up does it when it has finished:
    there is nothing left to wait for, and the wrapper cost every import statement 0.3 us, 1.8 % of a busy
    server's GIL time in a py-spy sample of 40 sessions)."""
    if builtins.__import__ is _gated_import:
        builtins.__import__ = _original_import


def _inside_gated_import() -> bool:
    """Whether this thread is running a ``GATED`` package's module code, i.e. it began importing that package
    before the warm-up did. Its nested imports must go on: the warm-up may be waiting for that package's import
    lock, which this thread holds, so waiting here would deadlock both."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "<module>" and str(frame.f_globals.get("__name__", "")).partition(".")[0] in GATED:
            return True
        frame = frame.f_back
    return False



@contextlib.contextmanager
def page_run() -> Iterator[None]:
    """Around a script run: keeps the warm-up from starting until the run has ended and ``QUIET_S`` more have
    passed. A run that starts while it imports goes ahead (its imports of ``GATED`` modules wait: ``_Gate``)."""
    global _running, _last_run_end
    with _state:
        _running += 1
    try:
        yield
    finally:
        with _state:
            _running -= 1
            _last_run_end = time.monotonic()
            _state.notify_all()


def start() -> threading.Thread | None:
    """Start the warm-up thread if it has not been started in this process; returns it (None when the environment
    sets NNVIZ_WARMUP=0: torch then loads when a page first trains, and a server nobody trains on stays small)."""
    global _thread
    if os.environ.get("NNVIZ_WARMUP", "1") == "0":
        return None
    with _lock:
        if _thread is None:
            install_gate()
            _thread = threading.Thread(target=_warm, name="nnviz-warmup", daemon=True)
            _thread.start()
        return _thread
