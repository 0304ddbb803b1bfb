"""Runaway runs (issue 17, section 3): sessions that press Train on a live panel and follow its auto reruns, then
go away, leave no work behind, and the server's memory after many such sessions is bounded.

Driven over Streamlit's own websocket protocol (tests/st_client.py) against a real ``streamlit run`` server. Every
wait is on a condition with a deadline (no fixed sleeps decide a result), so the tests hold on a loaded machine.
Run with ``-s`` to see the CPU and memory figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import streamlit_process
from tests.st_client import Session, Widget, run_sync, server_rss_mb

pytestmark = pytest.mark.slow

PAGE = "single_neuron"
#: epochs at the slider's top, so no run ends by itself while the test follows it; lr differs per session so
#: no session gets another's finished run from the shared store (each trains for itself, the costly case)
QUERY = "sn_epochs=5000&sn_lr={lr:.2f}"
_TICK_S = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK_S  # fields 14 and 15 of stat(5), counted after "pid (comm)"


def cpu_rate(pid: int, window_s: float = 1.0) -> float:
    """Cores the process used over the next ``window_s`` seconds."""
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    time.sleep(window_s)
    return (cpu_seconds(pid) - c0) / (time.perf_counter() - t0)


def wait_for(condition: Callable[[], bool], timeout_s: float, poll_s: float = 0.0) -> float:
    """Seconds until ``condition()`` held (it is polled, each poll may itself take time); TimeoutError past the
    deadline."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        if condition():
            return time.perf_counter() - t0
        time.sleep(poll_s)
    raise TimeoutError(f"condition not met within {timeout_s} s")


def idle(pid: int, threshold: float = 0.05) -> Callable[[], bool]:
    """A condition: over one second the process used under ``threshold`` of a core."""
    return lambda: cpu_rate(pid) < threshold


@pytest.fixture(scope="module")
def server():
    """A fresh ``streamlit run app.py`` (as conftest's ``streamlit_server``), yielding (url, pid). Its background
    warm-up is off (NNVIZ_WARMUP=0): it starts once the server has been quiet for 3 s, which is just when these
    tests measure that the sessions' runs left no work behind, and its torch import would count as such work."""
    with streamlit_process(env={"NNVIZ_WARMUP": "0"}) as (url, proc):
        yield url, proc.pid


def _train_button(session: Session) -> Widget | None:
    """The live panel's start button: labelled "Train: ..." (else "Play: ...", named after the panel's run) on the
    page the session shows."""
    for label in ("Train", "Play"):
        found = [w for w in session.find("button") if w.label.startswith(f"{label}: ")]
        if found:
            return found[0]
    return None


async def _start(url: str, k: int) -> Session:
    """Open the page with settings of its own, press Train and check the panel asked for auto reruns."""
    session = Session(url, timeout_s=120)
    run = await session.open(PAGE, QUERY.format(lr=0.5 + 0.01 * k))
    assert run.status == "FINISHED_SUCCESSFULLY" and not run.exceptions, (run.status, run.exceptions)
    button = _train_button(session)
    assert button is not None, "no Train/Play button on the page: the live panel moved"
    await session.press(button)
    assert session.auto_rerun is not None, "pressing Train did not start the live panel's reruns"
    return session


async def _follow(session: Session, ticks: int) -> int:
    """Follow the panel's auto reruns as a browser does (one per interval); returns the reruns done."""
    done = 0
    while done < ticks and session.auto_rerun is not None:
        await asyncio.sleep(session.auto_rerun[0])
        run = await session.tick()
        assert run is None or not run.exceptions, run.exceptions
        done += 1
    return done


def _sessions_train_then_leave(url: str, pid: int, n: int, ticks: int) -> dict[str, float]:
    """n sessions train concurrently, each following ``ticks`` reruns; CPU is measured while they still run,
    then every socket closes. Returns the server's CPU rate while training and whether all were still running."""

    async def main() -> dict[str, float]:
        sessions = await asyncio.gather(*(_start(url, k) for k in range(n)))
        await asyncio.gather(*(_follow(s, ticks) for s in sessions))
        # measure the training load while every session keeps ticking
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(_follow(s, 5) for s in sessions))
        busy = (cpu_seconds(pid) - c0) / (time.perf_counter() - t0)
        running = sum(s.auto_rerun is not None for s in sessions)
        await asyncio.gather(*(s.close() for s in sessions))
        return {"busy": busy, "running": running}

    return run_sync(main())


def test_runs_stop_when_their_sessions_go_away(server):
    url, pid = server
    wait_for(idle(pid), timeout_s=120)  # startup is over
    figures = _sessions_train_then_leave(url, pid, n=4, ticks=10)
    closed = time.perf_counter()
    assert figures["running"] == 4, "every run was still training when its socket closed (else this proves nothing)"
    # After the sockets close nothing asks for another tick: the server's CPU time stops growing within seconds.
    stop_s = wait_for(idle(pid), timeout_s=30)
    after = [cpu_rate(pid) for _ in range(3)]  # and stays flat: no script run happens later
    print(f"\n[sessions] 4 training sessions: server CPU {figures['busy']:.2f} cores while training; "
          f"idle (< 0.05 core) {time.perf_counter() - closed - 3:.1f} s after the sockets closed "
          f"(condition met after {stop_s:.1f} s of polling), then {', '.join(f'{a:.3f}' for a in after)} cores")
    assert figures["busy"] > max(0.05, 3 * max(after)), "the sessions were training (busy) before they left"
    assert max(after) < 0.05
    assert stop_s < 10


def thread_nices(pid: int) -> dict[int, int]:
    """Each thread's nice value (field 19 of /proc/<pid>/task/<tid>/stat), for the threads alive now."""
    nices = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a script thread may end between the listing and the read
            nices[int(task.name)] = int(task.joinpath("stat").read_text().rsplit(")", 1)[1].split()[16])
    return nices


def test_ticks_run_below_clicks(server):
    """A live panel's tick lowers its own thread's priority (nnviz.threads.background): while a session trains, the
    threads running its ticks are at nice 10, and the server's own threads (the event loop) stay at 0."""
    from nnviz.threads import BACKGROUND_NICE

    url, pid = server
    wait_for(idle(pid), timeout_s=120)
    main_tid = pid  # the main thread's id is the process's
    seen: set[int] = set()

    async def main() -> None:
        session = await _start(url, 200)
        deadline = time.perf_counter() + 60
        while not seen and time.perf_counter() < deadline and session.auto_rerun is not None:
            tick = asyncio.ensure_future(session.tick())
            while not tick.done():  # look at the threads while the tick runs
                seen.update(t for t, nice in thread_nices(pid).items() if nice >= BACKGROUND_NICE)
                await asyncio.sleep(0.005)
            assert not tick.result() or not tick.result().exceptions
        await session.close()

    run_sync(main())
    assert seen, "no server thread ran at the background priority while the session trained"
    assert main_tid not in seen and thread_nices(pid)[main_tid] == 0, "the server's main thread was slowed down"


def test_memory_before_peak_and_after_many_training_sessions(server):
    """Bounded loop: SESSIONS sessions in batches open the page, press Train, follow a few reruns and close."""
    url, pid = server
    sessions, batch = int(os.environ.get("NNVIZ_SESSIONS", "60")), 10
    wait_for(idle(pid), timeout_s=120)
    before = server_rss_mb(pid)
    peak = before

    async def main() -> None:
        nonlocal peak
        stop = asyncio.Event()

        async def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, server_rss_mb(pid))
                await asyncio.sleep(0.2)

        sampler = asyncio.create_task(sample())
        for start in range(0, sessions, batch):
            group = await asyncio.gather(*(_start(url, 100 + k) for k in range(start, min(sessions, start + batch))))
            await asyncio.gather(*(_follow(s, 3) for s in group))
            await asyncio.gather(*(s.close() for s in group))
        stop.set()
        await sampler

    t0 = time.perf_counter()
    run_sync(main())
    elapsed = time.perf_counter() - t0
    wait_for(idle(pid), timeout_s=60)
    after = server_rss_mb(pid)
    peak = max(peak, after)  # the sampler looks every 0.2 s, so it can miss the last rise
    wait_for(idle(pid), timeout_s=60)  # a few quiet seconds later
    later = server_rss_mb(pid)
    print(f"\n[sessions] RSS for {sessions} training sessions ({batch} at a time, {elapsed:.0f} s): before "
          f"{before:.0f} MiB, peak {peak:.0f} MiB, after closing {after:.0f} MiB, then {later:.0f} MiB "
          f"({(after - before) / sessions:.2f} MiB per closed session; Streamlit keeps a closed session "
          "server.disconnectedSessionTTL = 120 s by default, for a reconnect)")
    assert later - after < 5, "memory keeps growing after every session closed"
    assert peak - before < 25 * sessions, "memory grows by more than 25 MiB a session"
    assert peak < 4096, "the server stays far below the machine's memory"


async def _first_run(url: str, path: str) -> tuple[bool, list[tuple[str, list[str]]], list[str]]:
    """Open ``path`` as a fresh tab; until its first script run finishes, return (whether the new session's
    config hides Streamlit's automatic page list, each navigation sent as (position, page titles), the labels of
    every page link drawn)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.proto.Navigation_pb2 import Navigation
    from websockets.asyncio.client import connect

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    hidden, navigations, links = False, [], []
    async with connect(ws_url, subprotocols=["streamlit"], max_size=2**26, open_timeout=60) as ws:
        msg = BackMsg()
        msg.rerun_script.page_name = path
        await ws.send(msg.SerializeToString())
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), deadline - time.perf_counter()))
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                hidden = fm.new_session.config.hide_sidebar_nav
            elif kind == "navigation":
                navigations.append((Navigation.Position.Name(fm.navigation.position),
                                    [p.page_name for p in fm.navigation.app_pages]))
            elif kind == "delta" and fm.delta.new_element.WhichOneof("type") == "page_link":
                links.append(fm.delta.new_element.page_link.label)
            elif kind == "script_finished" and ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished) in (
                    "FINISHED_SUCCESSFULLY", "FINISHED_WITH_COMPILE_ERROR"):
                break
    return hidden, navigations, links


def test_the_first_tab_after_a_restart_sees_only_the_apps_navigation():
    """After a (re)start every open tab reconnects as a new session, and Streamlit (pages/ beside app.py) lays out
    the first runs from the folder's file names until app.py's st.navigation runs. That automatic list must never
    be displayed: the session's config hides it, every navigation message is sent hidden, and the app's own
    links (the catalog's titles) are what the sidebar draws."""
    from nnviz.catalog import PAGES

    titles = [p.title for p in PAGES]
    with streamlit_process() as (url, _):
        hidden, navigations, links = run_sync(_first_run(url, PAGE))
    assert hidden, "Streamlit's automatic page list is not hidden (client.showSidebarNavigation)"
    assert navigations, "the server sent no navigation"
    shown = [(position, names) for position, names in navigations if position != "HIDDEN"]
    assert not shown, f"a navigation was displayed: {shown}"
    assert links == titles, f"the sidebar's links {links} are not the catalog's pages {titles}"
