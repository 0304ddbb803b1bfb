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
