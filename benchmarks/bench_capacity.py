"""Capacity without browsers: how many students one core serves, driven over Streamlit's own websocket protocol.

Starts one server with the deployment entrypoint (deploy/entrypoint.sh) pinned to one core (``taskset -c 0``) and
runs this client on the other core. Sessions speak the BackMsg / ForwardMsg protocol (tests/st_client.py) and
render nothing. Each session is a student: it opens the app, then goes through every page in turn (starting at a
page of its own), and on each page does up to --per-page of its heaviest interactions that do not train (every
slider and number box to its max and its min, every select box and radio to each option, every checkbox
flipped; a random subset per session, so the sessions together cover them all and settings pile up), with a
random think time (1-3 s) before each action. With probability --train-prob per page visit it presses a live
panel's start button (Train, Play, Race, ...), follows the panel's ``auto_rerun`` ticks for --train-s seconds as
a browser does, then presses Pause.

Phases, on one fresh server:

1. memory per idle session: after one session has visited every page (imports and caches warm), open --idle
   sessions (each opens the app and one page, then does nothing): RSS delta / sessions;
2. memory per training session: --train sessions each press a live panel's start button and tick: RSS delta;
3. the ramp: sessions are added to reach each level (10, 25, 50, 75, 100, ... --max-sessions) and each level is
   measured for --level-s seconds once its sessions have arrived; the ramp stops at the first level whose p95 for
   the interactions that do not train exceeds --limit-s (1 s), or at the cap, or at --seconds of wall time.

Server time is what the client measures: from sending the rerun request to receiving the run's script_finished
message (loopback, so the network adds well under a millisecond, but a saturated client core adds its own delay:
the client's event-loop lag is reported beside it). Errors are exceptions and error alerts the app showed, runs
that did not finish (timeouts, closed sockets) and tracebacks in the server's log.

    python benchmarks/bench_capacity.py --seconds 900 --max-sessions 200

``--cost N`` measures instead what one interaction costs: N students, one after another and without pauses, do the
same interactions on the same warm server, and each action's server CPU is read from /proc before and after it.
Reported by page and by what the action reran (a section alone, the whole page, or a page switch), with the
costliest actions: where a core's time goes, free of queueing.

Loopback only; bounded in sessions, interactions per page, seconds per level and total seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnviz.catalog import PAGES  # noqa: E402
from tests.st_client import Session, Widget, server_rss_mb  # noqa: E402

LEVELS = (10, 25, 50, 75, 100, 150, 200, 300, 400)
NON_TRAINING = ("open", "slider", "select")
FINISHED = ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")  # a full run, a live panel's tick
#: widgets that change the whole app rather than the page, or that start training (driven separately)
SKIP_KEYS = ("classroom",)
LIVE_SUFFIXES = ("_start", "_pause", "_step", "_reset")


# -- pure logic (tests/test_capacity_client.py) --------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 1]) of a non-empty list; NaN for an empty one."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


def summarise(seconds: list[float]) -> dict[str, float]:
    """n, p50, p95 and max of a list of durations."""
    return {"n": len(seconds), "p50": percentile(seconds, 0.5), "p95": percentile(seconds, 0.95),
            "max": max(seconds) if seconds else float("nan")}


def capacity(levels: list[tuple[int, float, int]], limit_s: float = 1.0) -> int:
    """Sessions one server holds: the highest ramp level reached before the first level that failed.

    ``levels`` are (sessions, p95 of the non-training interactions in seconds, errors) in ramp order. A level
    fails when its p95 exceeds ``limit_s`` or it saw an error (or measured nothing: p95 NaN); 0 if the first did.
    """
    held = 0
    for sessions, p95, errors in levels:
        if not p95 <= limit_s or errors:
            break
        held = sessions
    return held


def projected_sessions(cores_used: float, sessions: int, waiting: float, utilisation: float = 0.7) -> float:
    """Students one uncontended core would serve, from one level's CPU figures.

    ``cores_used``: the server's CPU seconds per second over the level; ``waiting``: the share of the sessions'
    time spent waiting for the server (sum of server times / (sessions x seconds)). Without that wait the same
    students would act 1 / (1 - waiting) times as often, so one student costs cores_used / (sessions x
    (1 - waiting)) of a core; a core kept at ``utilisation`` (0.7: queues stay short) holds utilisation / that.
    A projection for a loaded machine, where the server gets a fraction of its core; the ramp is the measurement.
    """
    if cores_used <= 0 or sessions <= 0 or not 0 <= waiting < 1:
        return float("nan")
    return utilisation * sessions * (1 - waiting) / cores_used


def sessions_at_think(think_s: float, cpu_s_per_action: float, utilisation: float = 0.7) -> float:
    """Students one core holds when each acts once per ``think_s`` of reading plus its own action's service time
    (``cpu_s_per_action``, uncontended): a student costs c / (think + c) of a core, so a core at ``utilisation``
    holds utilisation x (think + c) / c. The benchmark's students pause 1-3 s; one reading a page pauses longer."""
    if cpu_s_per_action <= 0 or think_s < 0:
        return float("nan")
    return utilisation * (think_s + cpu_s_per_action) / cpu_s_per_action


def ramp_levels(max_sessions: int, levels: tuple[int, ...] = LEVELS) -> list[int]:
    """The ramp's levels up to ``max_sessions`` (which is always the last, even when it is not a standard level)."""
    chosen = [n for n in levels if n < max_sessions]
    return [*chosen, max_sessions] if max_sessions > 0 else []


def interaction_plan(widgets: list[Widget], rng: random.Random, per_page: int) -> list[tuple[str, Widget, object]]:
    """The heaviest interactions that do not train, on one page: (kind, widget, value), at most ``per_page``.

    Every slider and number box to its max and its min, every select box and radio to each option, every checkbox
    to the value it does not start with. A random subset (``rng``), in random order, so that sessions together
    cover every candidate and each one leaves its settings in place for the next (extremes combine).
    """
    candidates: list[tuple[str, Widget, object]] = []
    for w in widgets:
        if w.user_key in SKIP_KEYS or w.user_key.endswith(LIVE_SUFFIXES) or getattr(w.proto, "disabled", False):
            continue
        p = w.proto
        if w.kind == "slider":
            low, high = (0, len(p.options) - 1) if len(p.options) else (p.min, p.max)
            if len(p.default) == 2:
                candidates += [("slider", w, (low, high)), ("slider", w, (low, low))]
            else:
                candidates += [("slider", w, high), ("slider", w, low)]
        elif w.kind == "number_input" and p.has_min and p.has_max:
            candidates += [("slider", w, p.max), ("slider", w, p.min)]
        elif w.kind in ("selectbox", "radio"):
            candidates += [("select", w, i) for i in range(len(p.options))]
        elif w.kind == "checkbox":
            candidates.append(("select", w, not p.default))
    rng.shuffle(candidates)
    return candidates[:per_page]


def still_valid(widget: Widget, value) -> bool:
    """Whether a planned value still fits the widget as the last run drew it: a select box keeps its key (and id)
    when another setting changes its options, so an option index planned earlier can point past the end."""
    if widget.kind in ("selectbox", "radio"):
        return 0 <= int(value) < len(widget.proto.options)
    return True


def live_button(widgets: dict[str, Widget], suffix: str) -> Widget | None:
    """The first enabled button of a live panel whose key ends with ``suffix`` (``_start``: Train, Play, ...)."""
    for w in widgets.values():
        if w.kind == "button" and w.user_key.endswith(suffix) and not w.proto.disabled:
            return w
    return None


# -- measurement ---------------------------------------------------------------------------------------------------
@dataclass
class Record:
    kind: str  # open, slider, select, train-button, train-tick
    page: str
    t_end: float  # time.monotonic() when the run finished
    seconds: float
    error: str = ""
    what: str = ""  # the widget's key and value, for the slowest-interactions list


@dataclass
class Bench:
    records: list[Record] = field(default_factory=list)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (time, MB)
    lag: list[tuple[float, float]] = field(default_factory=list)  # (time, seconds late) of this client's loop
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, kind: str, page: str, run, what: str = "") -> None:
        if run is None:
            return
        error = ""
        if run.exceptions:
            error = f"exception: {run.exceptions[0][:120]}"
        elif run.errors:
            error = f"error alert: {run.errors[0][:120]}"
        elif run.status not in FINISHED:
            error = f"run {run.status}"
        self.records.append(Record(kind, page, time.monotonic(), run.seconds, error, what))

    def window(self, t0: float, t1: float) -> list[Record]:
        return [r for r in self.records if t0 <= r.t_end <= t1]


async def think(rng: random.Random, bench: Bench, low: float, high: float) -> None:
    with contextlib.suppress(TimeoutError):  # a random pause, cut short when the benchmark stops
        await asyncio.wait_for(bench.stop.wait(), rng.uniform(low, high))


async def train(session: Session, bench: Bench, page: str, seconds: float) -> None:
    """Press the page's first live panel's start button, follow its ticks for ``seconds``, then press Pause."""
    start = live_button(session.widgets, "_start")
    if start is None:
        return
    bench.add("train-button", page, await session.press(start))
    t_end = time.monotonic() + seconds
    while session.auto_rerun is not None and time.monotonic() < t_end and not bench.stop.is_set():
        await asyncio.sleep(session.auto_rerun[0])
        bench.add("train-tick", page, await session.tick())
    pause = live_button(session.widgets, "_pause")
    if pause is not None:
        bench.add("train-button", page, await session.press(pause))
    session.auto_rerun = None


async def student(url: str, index: int, bench: Bench, args, pages: list[str]) -> None:
    """One session until ``bench.stop``: open the app, then every page in turn with its interactions."""
    rng = random.Random(1000 + index)
    session = Session(url, timeout_s=args.timeout_s)
    try:
        bench.add("open", "", await session.open(""))
        k = index
        while not bench.stop.is_set():
            page = pages[k % len(pages)]
            k += 1
            await think(rng, bench, *args.think_s)
            if bench.stop.is_set():
                break
            bench.add("open", page, await session.goto(page))
            for kind, widget, value in interaction_plan(list(session.widgets.values()), rng, args.per_page):
                await think(rng, bench, *args.think_s)
                if bench.stop.is_set():
                    break
                current = session.widgets.get(widget.id)  # an earlier change may have hidden or changed it
                if current is not None and still_valid(current, value):
                    bench.add(kind, page, await session.set(current, value), f"{widget.user_key}={value}")
            if rng.random() < args.train_prob and not bench.stop.is_set():
                await think(rng, bench, *args.think_s)
                await train(session, bench, page, args.train_s)
    except Exception as exc:  # a session that broke is a finding, not a crash of the benchmark
        where = traceback.extract_tb(exc.__traceback__)[-1]
        bench.records.append(Record("open", "?", time.monotonic(), float("nan"),
                                    f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"))
    finally:
        await session.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sample(bench: Bench, pid: int, period_s: float = 0.5) -> None:
    """Server RSS and this client's event-loop lag, every ``period_s``."""
    while not bench.stop.is_set():
        t0 = time.monotonic()
        await asyncio.sleep(period_s)
        now = time.monotonic()
        bench.lag.append((now, now - t0 - period_s))
        try:
            bench.rss.append((now, server_rss_mb(pid)))
        except OSError:
            return


async def settle_rss(pid: int, seconds: float = 3.0) -> float:
    await asyncio.sleep(seconds)
    return server_rss_mb(pid)


async def memory_per_idle(url: str, pid: int, pages: list[str], n: int) -> dict[str, float]:
    """RSS delta per session that opened the app and one page (round robin), then stayed open doing nothing.

    Two batches of ``n``: the first absorbs what the process still allocates or frees after its warm-up (the
    allocator's arenas, caches filled by the first sessions), the second's delta is the figure.
    """
    sessions: list[Session] = []

    async def batch() -> float:
        for _ in range(n):
            s = Session(url, timeout_s=120)
            sessions.append(s)
            await s.open("")
            await s.goto(pages[len(sessions) % len(pages)])
        return await settle_rss(pid)

    first = await batch()
    second = await batch()
    await asyncio.gather(*(s.close() for s in sessions))
    return {"sessions": n, "before": first, "after": second, "per_session": (second - first) / n}


async def memory_per_training(url: str, pid: int, pages: list[str], n: int, seconds: float,
                              bench: Bench) -> dict[str, float]:
    """RSS delta per session training on a live panel (pages with one, round robin), measured while they train."""
    trainable = []
    probe = Session(url, timeout_s=120)
    await probe.open("")
    for page in pages:
        await probe.goto(page)
        if live_button(probe.widgets, "_start") is not None:
            trainable.append(page)
    await probe.close()
    before = await settle_rss(pid)
    sessions = [Session(url, timeout_s=120) for _ in range(n)]
    for i, s in enumerate(sessions):
        await s.open(trainable[i % len(trainable)])
    peak = 0.0

    async def watch() -> None:
        nonlocal peak
        t_end = time.monotonic() + seconds
        while time.monotonic() < t_end:
            peak = max(peak, server_rss_mb(pid))
            await asyncio.sleep(0.25)

    await asyncio.gather(watch(), *(train(s, bench, trainable[i % len(trainable)], seconds)
                                    for i, s in enumerate(sessions)))
    during = server_rss_mb(pid)
    await asyncio.gather(*(s.close() for s in sessions))
    return {"sessions": n, "pages": ", ".join(trainable), "before": before, "peak": peak, "during": during,
            "per_session": (max(peak, during) - before) / n}


async def warm_up(url: str, pid: int, pages: list[str], timeout_s: float = 120) -> None:
    """One session visits every page once: imports and the default caches, as after the first students; then
    until the server's background torch import (nnviz.warmup, which starts once the server has been quiet for
    QUIET_S) has come and gone, so the memory figures that follow do not count it."""
    from nnviz import warmup

    s = Session(url, timeout_s=180)
    await s.open("")
    for page in pages:
        await s.goto(page)
    await s.close()
    await asyncio.sleep(warmup.QUIET_S + 0.5)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        c0, t0 = cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(0.5)
        if (cpu_seconds(pid) - c0) / (time.monotonic() - t0) < 0.1:
            return


async def ramp(url: str, pid: int, pages: list[str], args, bench: Bench, deadline: float) -> list[dict]:
    tasks: list[asyncio.Task] = []
    results = []
    for level in (sorted(args.levels) if args.levels else ramp_levels(args.max_sessions)):
        while len(tasks) < level:
            tasks.append(asyncio.create_task(student(url, len(tasks), bench, args, pages)))
            await asyncio.sleep(1 / args.arrival_rate)
        await asyncio.sleep(args.join_s)  # let the arrivals' first opens pass before measuring
        t0, cpu0, prof0 = time.monotonic(), cpu_seconds(pid), read_profile(args.log_dir)
        await asyncio.sleep(max(0.0, min(args.level_s, deadline - t0)))
        t1, cpu1, prof1 = time.monotonic(), cpu_seconds(pid), read_profile(args.log_dir)
        window = bench.window(t0, t1)
        cores = (cpu1 - cpu0) / max(1e-9, t1 - t0)
        waiting = min(0.99, sum(r.seconds for r in window if not r.error) / (level * max(1e-9, t1 - t0)))
        non_training = [r.seconds for r in window if r.kind in NON_TRAINING and not r.error]
        rss = [mb for t, mb in bench.rss if t0 <= t <= t1]
        lag = [s for t, s in bench.lag if t0 <= t <= t1]
        result = {"sessions": level, "seconds": t1 - t0, "load": os.getloadavg()[0],
                  "p95": percentile(non_training, 0.95), "errors": sum(bool(r.error) for r in window),
                  "kinds": {k: summarise([r.seconds for r in window if r.kind == k and not r.error])
                            for k in (*NON_TRAINING, "train-button", "train-tick")},
                  "rss_peak": max(rss, default=float("nan")), "lag_p95": percentile(lag, 0.95),
                  "actions_per_s": len(window) / max(1e-9, t1 - t0), "cores": cores,
                  "cpu_ms_per_action": 1000 * (cpu1 - cpu0) / max(1, len(window)), "waiting": waiting,
                  "projected": projected_sessions(cores, level, waiting),
                  "breakdown": cpu_breakdown(prof0, prof1, cpu1 - cpu0, len(window)) if prof1 else {}}
        results.append(result)
        print_level(result)
        if (not result["p95"] <= args.limit_s and not args.keep_going) or time.monotonic() >= deadline:
            break
    bench.stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return results


def print_level(r: dict) -> None:
    kinds = " · ".join(f"{k} n {v['n']} p50 {v['p50']:.2f} p95 {v['p95']:.2f}" for k, v in r["kinds"].items()
                       if v["n"])
    print(f"[{r['sessions']:4d} sessions] {r['seconds']:.0f} s, load {r['load']:.1f}, "
          f"{r['actions_per_s']:.1f} actions/s, non-training p95 {r['p95']:.2f} s, errors {r['errors']}, "
          f"RSS peak {r['rss_peak']:.0f} MB, client lag p95 {r['lag_p95'] * 1000:.0f} ms\n"
          f"    server CPU {r['cores']:.2f} cores, {r['cpu_ms_per_action']:.0f} ms per action, sessions waiting "
          f"{r['waiting']:.0%} of the time: one uncontended core projected to hold {r['projected']:.0f} sessions "
          f"(students acting every 10 s / 30 s: {sessions_at_think(10, r['cpu_ms_per_action'] / 1000):.0f} / "
          f"{sessions_at_think(30, r['cpu_ms_per_action'] / 1000):.0f})\n"
          f"    {kinds}", flush=True)
    if r["breakdown"]:
        print("    server CPU per action: " + " · ".join(f"{k} {v:.1f} ms" for k, v in r["breakdown"].items()),
              flush=True)


def read_profile(log_dir: Path) -> dict[str, float]:
    """The server's CPU totals by part (benchmarks/server_timing, --profile); empty without --profile."""
    path = log_dir / "profile.json"
    for _ in range(3):  # the server rewrites it every 2 s: a torn read is retried
        try:
            return json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            time.sleep(0.1)
    return {}


def cpu_breakdown(before: dict[str, float], after: dict[str, float], cpu_s: float, actions: int) -> dict[str, float]:
    """Milliseconds of server CPU per action by part, over a level: ``before``/``after`` are read_profile totals,
    ``cpu_s`` the process's CPU seconds over the level. The page script's own share is the script runs' total less
    the parts inside them (gc, plotly, the computations of cache misses); "event loop and other threads" is what
    the timed parts do not cover."""
    def delta(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)

    run, gc_s = delta("script run (script thread, all)"), delta("gc.collect(2) after each run")
    plotly_s = delta("plotly JSON encoding (ui.figure)") + delta("plotly figure to dict (st.plotly_chart)")
    proto, misses = delta("protobuf serialisation (event loop)"), delta("cache misses (the computation itself)")
    parts = {"page scripts and Streamlit elements": run - gc_s - plotly_s - misses,
             "cache misses (nnviz's computations)": misses, "gc.collect(2) after each run": gc_s,
             "plotly to_dict + JSON in ui.figure": plotly_s, "protobuf serialisation": proto,
             "event loop and other threads": cpu_s - run - proto}
    return {name: 1000 * seconds / max(1, actions) for name, seconds in parts.items()}


def start_server(log_dir: Path, core: int, profile: bool = False) -> tuple[subprocess.Popen, str]:
    from tests.conftest import _free_port, _wait_healthy

    port = _free_port()
    env = os.environ | {"PORT": str(port), "ADDRESS": "127.0.0.1"}
    if profile:
        env |= {"NNVIZ_PROFILE_LOG": str(log_dir / "profile.json"), "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "benchmarks" / "server_timing"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(["taskset", "-c", str(core), str(ROOT / "deploy" / "entrypoint.sh")], env=env,
                            stdout=subprocess.DEVNULL, stderr=(log_dir / "server.stderr").open("w"))
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc, timeout_s=180)
    return proc, url


async def cost_per_action(url: str, pid: int, pages: list[str], students: int, per_page: int) -> list[tuple]:
    """(page, scope, what, CPU seconds) for every action of ``students`` sequential students (``--cost``)."""
    rows = []
    for index in range(students):
        rng = random.Random(1000 + index)
        session = Session(url, timeout_s=120)
        await session.open("")
        for page in pages:
            c0 = cpu_seconds(pid)
            await session.goto(page)
            rows.append((page, "page switch", "", cpu_seconds(pid) - c0))
            for _, widget, value in interaction_plan(list(session.widgets.values()), rng, per_page):
                current = session.widgets.get(widget.id)
                if current is None or not still_valid(current, value):
                    continue
                await asyncio.sleep(0.02)  # the last run's messages have left the server
                c0 = cpu_seconds(pid)
                run = await session.set(current, value)
                scope = "section" if run.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" else "page"
                rows.append((page, scope, f"{widget.user_key}={value}", cpu_seconds(pid) - c0))
        await session.close()
    return rows


def report_cost(rows: list[tuple]) -> None:
    total = sum(r[3] for r in rows)
    print(f"\n== server CPU per action, {len(rows)} actions one at a time: {1000 * total / max(1, len(rows)):.0f} ms "
          f"on average ==")
    groups: dict[tuple[str, str], list[float]] = {}
    for page, scope, _, seconds in rows:
        groups.setdefault((page, scope), []).append(seconds)
    for (page, scope), seconds in sorted(groups.items()):
        print(f"  {page:24s} {scope:11s} n {len(seconds):4d} · mean {1000 * sum(seconds) / len(seconds):4.0f} ms · "
              f"{sum(seconds) / total:4.0%} of the CPU")
    print("costliest actions:" + "".join(f"\n  {1000 * r[3]:5.0f} ms  {r[0]} {r[1]} {r[2]}"
                                         for r in sorted(rows, key=lambda r: -r[3])[:10]))


async def main_async(args) -> None:
    cores = sorted(os.sched_getaffinity(0))
    server_core, client_cores = cores[0], (cores[1:] or cores)
    os.sched_setaffinity(0, client_cores)
    log_dir = Path(tempfile.mkdtemp(prefix="nnviz-capacity-"))
    t_start = time.monotonic()
    deadline = t_start + args.seconds
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          f"server on core {server_core}, client on {client_cores}; log {log_dir}", flush=True)
    args.log_dir = log_dir
    proc, url = start_server(log_dir, server_core, args.profile)
    pages = [p.url_path for p in PAGES if p.url_path != "home"]
    bench = Bench()
    if args.cost:
        try:
            await warm_up(url, proc.pid, pages)
            rows = await cost_per_action(url, proc.pid, pages, args.cost, args.per_page)
        finally:
            proc.terminate()
            proc.wait(10)
        report_cost(rows)
        return
    try:
        rss_fresh = server_rss_mb(proc.pid)
        await warm_up(url, proc.pid, pages)
        idle = await memory_per_idle(url, proc.pid, pages, args.idle)
        print(f"idle: 2 x {idle['sessions']} sessions, RSS {idle['before']:.0f} -> {idle['after']:.0f} MB: "
              f"{idle['per_session']:.2f} MB per idle session", flush=True)
        training = await memory_per_training(url, proc.pid, pages, args.train, args.train_s, Bench())
        print(f"training: {training['sessions']} sessions on {training['pages']}, RSS {training['before']:.0f} -> "
              f"peak {training['peak']:.0f} MB: {training['per_session']:.2f} MB per training session", flush=True)
        rss_before = await settle_rss(proc.pid)
        sampler = asyncio.create_task(sample(bench, proc.pid))
        levels = await ramp(url, proc.pid, pages, args, bench, deadline)
        await sampler
        rss_after = await settle_rss(proc.pid, 10.0)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    tracebacks = (log_dir / "server.stderr").read_text().count("Traceback")
    report(bench, levels, args, {"fresh": rss_fresh, "before": rss_before, "after": rss_after}, idle, training,
           tracebacks, time.monotonic() - t_start)


def report(bench: Bench, levels: list[dict], args, rss: dict, idle: dict, training: dict, tracebacks: int,
           wall: float) -> None:
    print(f"\n== capacity, server on one core, {wall:.0f} s, load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} ==")
    print(f"{'sessions':>8s} {'load':>5s} {'act/s':>6s} {'open p50/p95':>13s} {'slider p50/p95':>15s} "
          f"{'select p50/p95':>15s} {'tick p50/p95':>13s} {'errors':>6s} {'RSS MB':>7s} {'lag ms':>6s} "
          f"{'cores':>5s} {'cpu ms/act':>10s} {'projected':>9s}")
    for r in levels:
        cell = {name: f"{v['p50']:.2f}/{v['p95']:.2f}" for name, v in r["kinds"].items()}
        print(f"{r['sessions']:8d} {r['load']:5.1f} {r['actions_per_s']:6.1f} {cell['open']:>13s} "
              f"{cell['slider']:>15s} {cell['select']:>15s} {cell['train-tick']:>13s} {r['errors']:6d} "
              f"{r['rss_peak']:7.0f} {r['lag_p95'] * 1000:6.0f} {r['cores']:5.2f} {r['cpu_ms_per_action']:10.0f} "
              f"{r['projected']:9.0f}")
    held = capacity([(r["sessions"], r["p95"], r["errors"]) for r in levels], args.limit_s)
    print(f"sessions one core holds at p95 <= {args.limit_s:g} s (non-training) with no errors: {held}"
          + (" (the cap: it held every level)" if levels and held == levels[-1]["sessions"] else ""))
    print("whole run, per kind (every level):")
    for kind in (*NON_TRAINING, "train-button", "train-tick"):
        s = summarise([r.seconds for r in bench.records if r.kind == kind and not r.error])
        if s["n"]:
            print(f"  {kind:13s} n {s['n']:6d} · p50 {s['p50']:.3f} s · p95 {s['p95']:.3f} s · max {s['max']:.2f} s")
    print("non-training server time by page (every level):")
    for page in sorted({r.page for r in bench.records if r.kind in NON_TRAINING}):
        s = summarise([r.seconds for r in bench.records if r.kind in NON_TRAINING and r.page == page and not r.error])
        if s["n"]:
            print(f"  {page or 'home':24s} n {s['n']:5d} · p50 {s['p50']:.3f} s · p95 {s['p95']:.3f} s")
    slowest = sorted((r for r in bench.records if r.kind in NON_TRAINING and not r.error), key=lambda r: -r.seconds)
    print("slowest non-training interactions:" + "".join(
        f"\n  {r.seconds:6.2f} s  {r.kind:6s} {r.page or 'home'} {r.what}" for r in slowest[:12]))
    errors = [r for r in bench.records if r.error]
    print(f"errors {len(errors)}" + "".join(f"\n  {r.kind} {r.page}: {r.error}" for r in errors[:10]))
    print(f"tracebacks in the server's log {tracebacks}")
    peak = max((mb for _, mb in bench.rss), default=float("nan"))
    print(f"server RSS: fresh {rss['fresh']:.0f} MB, before the ramp {rss['before']:.0f} MB, peak {peak:.0f} MB, "
          f"after (10 s) {rss['after']:.0f} MB")
    print(f"memory per idle session {idle['per_session']:.2f} MB ({idle['sessions']} sessions); "
          f"per training session {training['per_session']:.2f} MB ({training['sessions']} sessions)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=900, help="wall-time cap of the ramp")
    parser.add_argument("--max-sessions", type=int, default=200)
    parser.add_argument("--levels", type=int, nargs="*", default=None, help="ramp levels (default 10, 25, 50, ...)")
    parser.add_argument("--level-s", type=float, default=45, help="seconds measured at each level")
    parser.add_argument("--join-s", type=float, default=5, help="seconds after a level's arrivals before measuring")
    parser.add_argument("--arrival-rate", type=float, default=5, help="new sessions per second")
    parser.add_argument("--per-page", type=int, default=12, help="interactions per page visit")
    parser.add_argument("--think-s", type=float, nargs=2, default=(1.0, 3.0), metavar=("LOW", "HIGH"))
    parser.add_argument("--train-prob", type=float, default=0.2, help="chance a page visit trains")
    parser.add_argument("--train-s", type=float, default=5, help="seconds a training session follows its ticks")
    parser.add_argument("--idle", type=int, default=25, help="sessions per batch for the idle-memory figure")
    parser.add_argument("--train", type=int, default=10, help="sessions for the training-memory figure")
    parser.add_argument("--limit-s", type=float, default=1.0, help="p95 a level must hold")
    parser.add_argument("--keep-going", action="store_true",
                        help="ramp on past the first level over the limit (the curve, on a loaded machine)")
    parser.add_argument("--timeout-s", type=float, default=60, help="one run's timeout")
    parser.add_argument("--profile", action="store_true",
                        help="break each level's server CPU per action into parts (benchmarks/server_timing)")
    parser.add_argument("--cost", type=int, default=0, metavar="N",
                        help="instead of the ramp: N students one after another, server CPU per action by page")
    args = parser.parse_args()
    args.cost = max(0, min(20, args.cost))
    args.max_sessions = max(1, min(1000, args.max_sessions))
    args.levels = [max(1, min(args.max_sessions, n)) for n in args.levels or []]
    args.per_page = max(1, min(12, args.per_page))
    args.seconds = max(10.0, min(3600.0, args.seconds))
    args.idle, args.train = max(1, min(200, args.idle)), max(1, min(50, args.train))
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
