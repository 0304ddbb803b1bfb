"""Time slices of a live view: how long each tick trains."""

import pytest

from nnviz.live import INTERVAL_S, MIN_TRAIN_S, SLACK_S, TICK_TRAIN_S, run_for, tick_budget


def test_a_quick_drawing_leaves_the_full_slice():
    assert tick_budget(0.0) == TICK_TRAIN_S


def test_a_slow_drawing_trains_what_the_interval_leaves():
    draw = 0.07  # a 6x8 playground frame
    assert tick_budget(draw) == pytest.approx(INTERVAL_S - draw - SLACK_S)
    assert tick_budget(draw) + draw + SLACK_S <= INTERVAL_S + 1e-12


def test_a_very_slow_drawing_still_trains_a_little():
    assert tick_budget(1.0) == MIN_TRAIN_S


def test_run_for_stops_when_the_step_says_so():
    calls = []
    assert run_for(lambda: calls.append(1) or len(calls) < 3, budget_s=10.0) == 3


# --- TimedRun: the one base for live runs -------------------------------------------------------------------------

from nnviz.live import History, TimedRun  # noqa: E402
from tests.apptest_utils import run_python  # noqa: E402


class _Counter(TimedRun):
    """Adds 1 per step; optionally ends early at ``stop_at``; optionally sleeps to make steps slow."""

    unit = "step"

    def __init__(self, max_steps=100, stop_at=None, sleep_s=0.0, max_seconds=300.0):
        self.max_steps, self.stop_at, self.sleep_s, self.max_seconds = max_steps, stop_at, sleep_s, max_seconds
        self.total = 0

    def _step(self):
        import time
        if self.sleep_s:
            time.sleep(self.sleep_s)
        self.total += 1
        return self.stop_at is None or self.total < self.stop_at


def test_a_run_never_passes_its_step_cap_whatever_the_budget():
    run = _Counter(max_steps=50)
    while not run.done:
        run.advance(10.0)
    assert run.steps == run.total == 50 and run.complete and run.progress == 1.0


def test_the_same_run_in_tight_slices_computes_the_same_as_in_one_go():
    sliced, whole = _Counter(max_steps=200), _Counter(max_steps=200)
    while not sliced.done:
        sliced.advance(0.0)  # one step per slice
    whole.run()
    assert sliced.total == whole.total == 200


def test_a_step_that_ends_the_run_early_marks_it_ended_not_cut():
    run = _Counter(max_steps=100, stop_at=7).run()
    assert run.steps == 7 and run.ended and not run.cut and run.done and run.complete


def test_the_guard_cuts_a_slow_run_and_says_it_is_not_comparable():
    run = _Counter(max_steps=1000, sleep_s=0.01, max_seconds=0.05)
    while not run.done:
        run.advance(1.0)
    assert run.cut and not run.complete and run.steps < 1000
    note = run.cut_note()
    assert f"{run.steps} of 1,000" in note and "not comparable" in note
    assert _Counter().cut_note() == ""


def test_the_work_clock_excludes_pauses():
    import time
    run = _Counter(max_steps=10, max_seconds=0.5)
    run.advance(0.0)
    time.sleep(0.6)  # a pause longer than the guard
    run.advance(0.0)
    assert not run.cut and run.work_s < 0.5


def test_history_halves_when_full_and_keeps_both_ends():
    h = History(["step", "loss"], max_points=8)
    for i in range(100):
        h.add(step=i, loss=1.0 / (i + 1))
    assert len(h) < 8 and h["step"][0] == 0 and h["step"][-1] == 99 and h.last("loss") == 1.0 / 100
    assert h["step"] == sorted(h["step"])
    with pytest.raises(ValueError):
        h.add(step=1)


def test_importing_the_catalog_loads_no_torch_and_changes_no_environment():
    code = ("import os, sys; before = dict(os.environ); import nnviz, nnviz.catalog, nnviz.live, nnviz.format; "
            "print('torch' in sys.modules, dict(os.environ) == before)")
    out = run_python(code).split()
    assert out == ["False", "True"]


def test_the_warm_up_loads_torch_and_its_optimiser_once_in_the_background():
    """... and then gives import statements back to Python's own __import__ (the gate has nothing left to hold)."""
    code = ("import builtins, sys; from nnviz import warmup; t = warmup.start(); assert warmup.start() is t; "
            "gated = builtins.__import__ is warmup._gated_import; t.join(120); "
            "print('torch' in sys.modules, 'torch._dynamo' in sys.modules, gated, "
            "builtins.__import__ is warmup._original_import)")
    out = run_python(code).split()
    assert out == ["True", "True", "True", "True"]


def test_the_warm_up_waits_until_no_run_has_been_in_progress_for_its_quiet_time():
    code = ("import sys, time; from nnviz import warmup; warmup.QUIET_S = 0.5\n"
            "with warmup.page_run():\n"
            "    t = warmup.start(); time.sleep(1.0); during = 'torch' in sys.modules\n"
            "time.sleep(0.2); soon_after = 'torch' in sys.modules\n"
            "t.join(120); print(during, soon_after, 'torch' in sys.modules)")
    out = run_python(code).split()
    assert out == ["False", "False", "True"]


def test_a_run_goes_ahead_while_the_warm_up_imports_and_only_its_gated_imports_wait():
    """A widget change during the warm-up's import runs at once; importing scipy (gated) waits for the warm-up."""
    code = ("import sys, threading, time; from nnviz import warmup\n"
            "warmup.install_gate(); warmup._importing = True  # as if the warm-up were importing\n"
            "ran = threading.Event()\n"
            "def run():\n"
            "    with warmup.page_run(): ran.set()\n"
            "threading.Thread(target=run).start(); entered = ran.wait(30)\n"
            "done = threading.Event()\n"
            "def needs_scipy():\n"
            "    import scipy.special  # noqa\n"
            "    done.set()\n"
            "threading.Thread(target=needs_scipy).start(); time.sleep(0.5)\n"
            "held = not done.is_set() and 'scipy.special' not in sys.modules\n"
            "warmup._thread = threading.Thread(target=lambda: __import__('xml.dom.minidom'))  # the warm-up's own\n"
            "warmup._thread.start(); warmup._thread.join(30); warm_free = not warmup._thread.is_alive()\n"
            "with warmup._state: warmup._importing = False; warmup._state.notify_all()\n"
            "print(entered, held, warm_free, done.wait(60))")
    out = run_python(code).split()
    assert out == ["True", "True", "True", "True"]  # the held import does not stop the warm-up's own imports


def test_scipy_is_let_through_once_the_warm_up_has_loaded_it_while_torch_is_still_held():
    """The warm-up loads scipy first: a page's scipy import waits only for that, not for torch's seconds."""
    code = ("import sys, threading, time; from nnviz import warmup\n"
            "warmup.install_gate(); warmup._importing = True\n"
            "done = threading.Event()\n"
            "def needs_scipy():\n"
            "    import scipy.special  # noqa\n"
            "    done.set()\n"
            "threading.Thread(target=needs_scipy).start(); time.sleep(0.5); held = not done.is_set()\n"
            "with warmup._state: warmup._busy = warmup._busy - {'scipy'}; warmup._state.notify_all()\n"
            "print(held, done.wait(60), warmup._importing, 'torch' in warmup._busy)")
    assert run_python(code).split() == ["True", "True", "True", "True"]


def test_scipy_works_while_another_thread_is_still_importing_torch():
    """While the warm-up imports torch, sys.modules holds a half-built torch with no Tensor yet; scipy's type checks
    (array-api-compat's ``is_torch_array``, asked at scipy.stats' import and in calls) then raised AttributeError
    in a visitor's run. The warm-up's guard answers False for a module still importing, and caches nothing."""
    code = "\n".join((
        'import importlib.machinery, sys, types',
        "import scipy.special  # noqa: F401  (loads scipy's array-API helpers, as the warm-up does first)",
        'from scipy._lib.array_api_compat.common import _helpers',
        'from nnviz import warmup',
        'torch = types.ModuleType("torch")  # torch as another thread\'s import leaves it for a while: no Tensor yet',
        'torch.__spec__ = importlib.machinery.ModuleSpec("torch", None)',
        'torch.__spec__._initializing = True',
        'sys.modules["torch"] = torch',
        'try:',
        '    _helpers.is_torch_array(1.5)',
        '    unguarded = "no error"',
        'except AttributeError as e:',
        '    unguarded = "AttributeError" if "Tensor" in str(e) else repr(e)',
        'warmup.guard_half_imported_modules()',
        'warmup.guard_half_imported_modules()  # idempotent',
        'during = _helpers.is_torch_array(1.5)',
        'import scipy.signal  # noqa: E402,F401  (scipy.stats computes its docs at import, asking is_torch_array)',
        'torch.Tensor = type("Tensor", (), {})',
        'torch.__spec__._initializing = False',
        'after = (_helpers.is_torch_array(torch.Tensor()), _helpers.is_torch_array(1.5))',
        'print(unguarded, during, after)',
    ))
    assert run_python(code, warmup=False).split() == ["AttributeError", "False", "(True,", "False)"]


def test_an_import_begun_before_the_warm_up_is_not_held_by_the_gate(tmp_path):
    """A thread that began importing a gated package before the warm-up did finishes it: its nested imports are
    not held (the warm-up may be waiting for that package's lock, so holding them would deadlock both)."""
    pkg = tmp_path / "gatedpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import builtins\n"
        "builtins.started.set(); builtins.importing.wait(30)  # the warm-up begins while this package loads\n"
        "from gatedpkg import sub  # noqa\n")
    (pkg / "sub.py").write_text("VALUE = 1\n")
    code = ("import builtins, sys, threading, time; from nnviz import warmup\n"
            f"sys.path.insert(0, {str(tmp_path)!r}); warmup.GATED = warmup.GATED | {{'gatedpkg'}}\n"
            "warmup._busy = warmup.GATED\n"
            "warmup.GATE_TIMEOUT_S = 20; warmup.install_gate()\n"
            "builtins.started, builtins.importing = threading.Event(), threading.Event()\n"
            "t0 = time.monotonic(); done = threading.Event()\n"
            "def load():\n"
            "    import gatedpkg  # noqa\n"
            "    done.set()\n"
            "threading.Thread(target=load).start(); builtins.started.wait(30)\n"
            "warmup._importing = True; builtins.importing.set()\n"
            "print(done.wait(30) and time.monotonic() - t0 < 10)")
    out = run_python(code).split()
    assert out == ["True"]


def test_a_held_import_goes_on_when_the_warm_up_comes_to_need_a_module_it_is_running(tmp_path):
    """A thread held at ``import gatedmod`` inside module ``outer``'s code holds outer's import lock: if the
    warm-up then imports ``outer``, it waits for the held thread, so the held thread must go on (else both hang
    until the gate's timeout)."""
    (tmp_path / "gatedmod.py").write_text("VALUE = 1\n")
    (tmp_path / "outer.py").write_text("import gatedmod  # noqa\n")
    code = ("import sys, threading, time; from nnviz import warmup\n"
            f"sys.path.insert(0, {str(tmp_path)!r}); warmup.GATED = warmup.GATED | {{'gatedmod'}}\n"
            "warmup._busy = warmup.GATED\n"
            "warmup.GATE_TIMEOUT_S = 30; warmup.install_gate()\n"
            "def warm():  # the warm-up, importing the module the other thread is running\n"
            "    time.sleep(0.5)\n"
            "    import outer  # noqa\n"
            "warmup._thread = threading.Thread(target=warm); warmup._importing = True\n"
            "t0 = time.monotonic(); warmup._thread.start()\n"
            "import outer  # noqa  (held at its import of gatedmod until the warm-up waits for outer)\n"
            "warmup._thread.join(30)\n"
            "print(not warmup._thread.is_alive() and time.monotonic() - t0 < 10)")
    assert run_python(code).split() == ["True"]


def test_the_warm_up_can_be_switched_off():
    code = "import sys; from nnviz import warmup; print(warmup.start() is None, 'torch' in sys.modules)"
    out = run_python(code, warmup=False).split()
    assert out == ["True", "False"]


def test_a_run_is_named_in_words_for_its_panel_buttons():
    class DegradationRun(_Counter):
        pass

    class LSTMRun(_Counter):
        pass

    assert DegradationRun().title == "degradation run" and LSTMRun().title == "LSTM run"
    assert _Counter().title == "counter"


def test_background_lowers_only_the_calling_thread():
    """threads.background() (a live panel's tick) lowers its own thread's priority, one way, and no other's."""
    import os
    import threading

    from nnviz import threads

    seen = {}

    def tick():
        seen["lowered"] = threads.background()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        seen["again"] = threads.background()  # already low: stays as it is

    worker = threading.Thread(target=tick)
    worker.start()
    worker.join()
    assert seen == {"lowered": True, "nice": threads.BACKGROUND_NICE, "again": True}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < threads.BACKGROUND_NICE


def test_background_leaves_other_platforms_alone(monkeypatch):
    """Off Linux, setpriority's id names a process: background() must not call it with a thread's id."""
    import os

    from nnviz import threads

    def refuse(*args):
        raise AssertionError("setpriority was called off Linux")

    monkeypatch.setattr(threads.sys, "platform", "darwin")
    monkeypatch.setattr(os, "setpriority", refuse)
    assert threads.background() is False


def test_only_the_live_panel_sets_run_every():
    """Live runs belong to the one live panel: ``run_every`` is set in nnviz/ui/live.py and only passed on by
    ``ui.section`` (nnviz/ui/common.py); no page and no other module sets it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    setters = {}
    for path in [root / "app.py", *(root / "pages").glob("*.py"), *(root / "nnviz").rglob("*.py")]:
        for line in path.read_text().splitlines():
            if re.search(r"run_every\s*=(?!=)", line):
                setters.setdefault(path.relative_to(root).as_posix(), []).append(line.strip())
    assert set(setters) <= {"nnviz/ui/live.py", "nnviz/ui/common.py"}, setters
    assert all("run_every=run_every" in line for line in setters.get("nnviz/ui/common.py", [])), setters
    assert any("interval_s" in line for line in setters["nnviz/ui/live.py"]), setters
