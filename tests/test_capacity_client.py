"""The capacity benchmark's parts: the protocol client against a real server (two sessions, two pages, a slider),
and the benchmark's pure logic (percentiles, the ramp's verdict, the interaction plan), without a server."""

from __future__ import annotations

import asyncio
import importlib.util
import math
import random
import sys

import pytest
from streamlit.proto.Checkbox_pb2 import Checkbox
from streamlit.proto.Selectbox_pb2 import Selectbox
from streamlit.proto.Slider_pb2 import Slider

from nnviz.catalog import ROOT
from tests.conftest import streamlit_server
from tests.st_client import Session, Widget, run_sync

_spec = importlib.util.spec_from_file_location("bench_capacity", ROOT / "benchmarks" / "bench_capacity.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_capacity"] = bench  # its dataclasses look their module up while being defined
_spec.loader.exec_module(bench)


# -- the client against a server ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def url():
    with streamlit_server() as base_url:
        yield base_url


def test_two_sessions_open_pages_and_set_a_slider(url):
    async def drive(url: str) -> None:
        a, b = Session(url, timeout_s=60), Session(url, timeout_s=60)
        try:
            for s in (a, b):
                run = await s.open("")
                assert run.status == "FINISHED_SUCCESSFULLY" and not run.exceptions, (run.status, run.exceptions)
                assert "network" in s.pages and "single_neuron" in s.pages  # the navigation reached the client
            for s, page in ((a, "network"), (b, "single_neuron")):
                run = await s.goto(page)
                assert run.status == "FINISHED_SUCCESSFULLY" and not run.exceptions and not run.errors, run
                assert s.find("slider"), f"{page}: the client saw no slider"
            w = next(w for w in b.find("slider") if w.user_key == "sn_b")
            assert w.proto.default[0] != w.proto.max  # else setting it to max proves nothing
            before = (await b.goto("single_neuron")).texts
            run = await b.set(w, w.proto.max)  # its section (an st.fragment) reruns
            assert run.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" and not run.exceptions and not run.errors, run
            assert run.texts and run.texts != before  # the server ran with the new bias: the page's numbers moved
            assert w.id in b.widgets  # and the client still sees the slider
            assert a.page_hash != b.page_hash or a.widgets.keys() != b.widgets.keys()
            assert all(not k.endswith("-sn_b") for k in a.widgets)  # sessions do not see each other's page
        finally:
            await asyncio.gather(a.close(), b.close())

    run_sync(drive(url))


def test_a_widget_drawn_by_a_fragment_reruns_only_that_fragment(url):
    """As a browser does: the parameter-budget slider (a fragment inside a fragment on Why go deep?) reruns its
    section only, and a slider outside any fragment (the gradient flow's depth on Skip and feedback, which a
    later section reads) still reruns the page."""
    async def drive(url: str) -> None:
        s = Session(url, timeout_s=60)
        try:
            await s.open("")
            page = await s.goto("depth")
            k = next(w for w in s.find("slider") if w.user_key == "dp_budget")
            assert k.fragment_id, "the client did not record the fragment that drew the slider"
            run = await s.set(k, k.proto.max)
            assert run.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" and not run.exceptions, run
            assert 0 < len(run.texts) < len(page.texts)  # the section's words, not the page's
            await s.goto("skip_and_feedback")
            depth = next(w for w in s.find("slider") if w.user_key == "sk_gf_depth")
            assert not depth.fragment_id
            assert (await s.set(depth, depth.proto.max)).status == "FINISHED_SUCCESSFULLY"
        finally:
            await s.close()

    run_sync(drive(url))


def test_the_client_refuses_other_hosts():
    with pytest.raises(ValueError):
        Session("http://example.org:8501")


# -- pure logic ---------------------------------------------------------------------------------------------------
def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert bench.percentile(values, 0.5) in (50, 51)
    assert bench.percentile(values, 0.95) == 95
    assert bench.percentile(values, 0.0) == 1 and bench.percentile(values, 1.0) == 100
    assert bench.percentile([3.0], 0.95) == 3.0
    assert bench.percentile(list(reversed(values)), 0.95) == 95  # order does not matter
    assert math.isnan(bench.percentile([], 0.5))


def test_summarise():
    s = bench.summarise([0.1, 0.2, 0.3, 5.0])
    assert s["n"] == 4 and s["max"] == 5.0 and s["p50"] in (0.2, 0.3) and s["p95"] == 5.0


def test_capacity_is_the_last_level_before_the_first_failure():
    levels = [(10, 0.2, 0), (25, 0.4, 0), (50, 0.9, 0), (75, 1.3, 0), (100, 0.8, 0)]
    assert bench.capacity(levels, 1.0) == 50  # 100 passing after 75 failed does not count
    assert bench.capacity(levels, 2.0) == 100
    assert bench.capacity([(10, 1.5, 0)], 1.0) == 0
    assert bench.capacity([(10, 0.2, 0), (25, 0.3, 2)], 1.0) == 10  # errors fail a level
    assert bench.capacity([(10, 0.2, 0), (25, float("nan"), 0)], 1.0) == 10  # nothing measured fails it
    assert bench.capacity([], 1.0) == 0


def test_ramp_levels_end_at_the_cap():
    assert bench.ramp_levels(100) == [10, 25, 50, 75, 100]
    assert bench.ramp_levels(60) == [10, 25, 50, 60]
    assert bench.ramp_levels(5) == [5]
    assert bench.ramp_levels(0) == []


def _widgets() -> list[Widget]:
    slider = Slider(id="$$ID-a-pg_n", label="points", min=100, max=1000, default=[500])
    select = Selectbox(id="$$ID-b-pg_act", label="phi", options=["tanh", "relu", "sigmoid"], default=0)
    check = Checkbox(id="$$ID-c-pg_tfp", label="rules", default=False)
    classroom = Checkbox(id="$$ID-d-classroom", label="Classroom mode", default=False)
    disabled = Slider(id="$$ID-e-pg_x", label="off", min=0, max=1, default=[0], disabled=True)
    return [Widget(p.id, kind, p.label, "", p) for kind, p in
            (("slider", slider), ("selectbox", select), ("checkbox", check), ("checkbox", classroom),
             ("slider", disabled))]


def test_interaction_plan_covers_extremes_and_options():
    plan = bench.interaction_plan(_widgets(), random.Random(0), per_page=12)
    got = {(kind, w.user_key, value) for kind, w, value in plan}
    assert got == {("slider", "pg_n", 1000), ("slider", "pg_n", 100), ("select", "pg_act", 0),
                   ("select", "pg_act", 1), ("select", "pg_act", 2), ("select", "pg_tfp", True)}
    # the app-wide toggle and a disabled widget are never touched


def test_interaction_plan_is_bounded_and_varies_by_session():
    plans = [bench.interaction_plan(_widgets(), random.Random(seed), per_page=3) for seed in range(20)]
    assert all(len(p) == 3 for p in plans)
    assert len({tuple((w.user_key, v) for _, w, v in p) for p in plans}) > 1
    covered = {(w.user_key, v) for p in plans for _, w, v in p}
    assert len(covered) == 6  # together the sessions cover every candidate


def test_a_planned_option_is_checked_against_the_widget_as_it_is_now():
    # the playground's "Layer" select box keeps its key (and id) when the depth changes; an option planned at
    # depth 3 ("Layer 3") does not exist at depth 1, and the client must skip it rather than index past the end
    before = Selectbox(id="$$ID-h-pg_layer", label="Layer", options=["Layer 1", "Layer 2", "Layer 3"], default=0)
    after = Selectbox(id="$$ID-h-pg_layer", label="Layer", options=["Layer 1"], default=0)
    planned = [value for kind, _, value in bench.interaction_plan([Widget(before.id, "selectbox", "Layer", "", before)],
                                                                   random.Random(0), per_page=12)]
    now = Widget(after.id, "selectbox", "Layer", "", after)
    assert [bench.still_valid(now, v) for v in sorted(planned)] == [True, False, False]
    slider = _widgets()[0]
    assert bench.still_valid(slider, 1000)  # a number is sent as it is; the server bounds it


def test_live_button_finds_an_enabled_start_button():
    from streamlit.proto.Button_pb2 import Button

    start = Button(id="$$ID-f-pg_live_start", label="Play")
    pause = Button(id="$$ID-g-pg_live_pause", label="Pause", disabled=True)
    widgets = {p.id: Widget(p.id, "button", p.label, "", p) for p in (start, pause)}
    assert bench.live_button(widgets, "_start").label == "Play"
    assert bench.live_button(widgets, "_pause") is None


def test_sessions_at_a_think_time():
    # a student acting every 10 s at 0.1 s of CPU costs 0.1 / 10.1 of a core; 0.7 of a core holds 70.7 of them
    assert bench.sessions_at_think(10, 0.1) == pytest.approx(0.7 * 10.1 / 0.1)
    assert bench.sessions_at_think(30, 0.1) > bench.sessions_at_think(10, 0.1) > bench.sessions_at_think(10, 0.2)
    assert bench.sessions_at_think(0, 0.1) == pytest.approx(0.7)  # no pause: 0.7 of one student who never stops
    assert math.isnan(bench.sessions_at_think(10, 0.0))


def test_projected_sessions():
    # 10 students waiting half the time used 0.1 core: each costs 0.1 / (10 x 0.5) = 0.02 core; 0.7 / 0.02 = 35
    assert bench.projected_sessions(0.1, 10, 0.5) == pytest.approx(35)
    assert bench.projected_sessions(0.1, 10, 0.0) == pytest.approx(70)  # no waiting: they act as often as they will
    assert bench.projected_sessions(0.2, 10, 0.5) < bench.projected_sessions(0.1, 10, 0.5)  # dearer students
    assert math.isnan(bench.projected_sessions(0.0, 10, 0.5)) and math.isnan(bench.projected_sessions(0.1, 10, 1.0))


def test_the_cost_mode_reads_each_actions_cpu_and_what_it_reran():
    """``--cost``: per action the server's own CPU seconds, and whether a section or the whole page reran."""
    from tests.conftest import streamlit_process

    with streamlit_process() as (url, proc):
        rows = run_sync(bench.cost_per_action(url, proc.pid, ["depth", "single_neuron"], students=1, per_page=4))
    assert [r[0] for r in rows if r[1] == "page switch"] == ["depth", "single_neuron"]
    actions = [r for r in rows if r[1] != "page switch"]
    assert actions and all(r[3] >= 0 for r in rows)
    # every widget a first visit shows on these two pages is drawn by a section (tests/test_sections.py)
    assert {r[1] for r in actions} == {"section"}, actions
