"""Links: unknown settings are dropped with a notice; valid ones are taken silently."""

from __future__ import annotations

from nnviz.ui.links import _was_adjusted
from tests.apptest_utils import assert_clean, open_page


def test_unknown_setting_is_dropped_with_a_notice():
    at = open_page("home.py", query={"classroom": "true", "not_a_setting": "1"})
    assert_clean(at)
    assert any("not_a_setting" in t.value for t in at.toast)
    assert "not_a_setting" not in at.query_params
    assert at.query_params["classroom"] == "true"


def test_valid_link_gives_no_notice():
    at = open_page("home.py", query={"classroom": "true"})
    assert_clean(at)
    assert not at.toast


def test_adjusted_values_are_told_apart_from_defaults():
    assert _was_adjusted(["999"], ["3.0"], 3.0)  # Streamlit rewrote it
    assert not _was_adjusted(["2.0"], ["2.0"], 2.0)  # taken as sent
    assert not _was_adjusted(["-1.0"], None, -1.0)  # equal to the default, so Streamlit dropped it
    assert _was_adjusted(["999"], None, -1.0)  # rejected: the widget kept its default
    assert not _was_adjusted(["tanh"], None, "tanh")  # a dropped choice is not second-guessed
