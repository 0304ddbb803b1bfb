"""Links: one parser checks what a URL sends before any widget sees it; notices are accurate and inert."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from nnviz.ui.links import plain
from tests.apptest_utils import assert_clean, open_page

# A page in miniature: one widget of each kind, through the nnviz.ui helpers, and the router's link hooks.
_SCRIPT = """
from nnviz import ui
ui.remember_link()
seed = ui.number_input("Seed", 0, 9999, 0, 1, key="seed")
rate = ui.slider("Learning rate", 0.001, 10.0, 0.03, 0.001, key="rate")
width = ui.slider("Width", 1, 64, 8, 1, key="width")
phi = ui.selectbox("Activation", ["relu", "tanh"], key="phi")
feats = ui.multiselect("Features", ["x1", "x2", "x1x2"], ["x1"], key="feats")
on = ui.checkbox("Show test data", True, key="on")
text = ui.text_input("Formula", "sin(x)", key="text", max_chars=20)
ui.check_link()
"""


def _open(query: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_string(_SCRIPT, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _value(at: AppTest, key: str):
    return next(w for w in at.get(_kind(at, key)) if w.key == key).value


def _kind(at, key):
    for kind in ("number_input", "slider", "selectbox", "multiselect", "checkbox", "text_input"):
        if any(w.key == key for w in at.get(kind)):
            return kind
    raise KeyError(key)


def _toasts(at: AppTest) -> str:
    return " ".join(t.value for t in at.toast)


def outside_code(markdown: str) -> str:
    """Markdown with its inline code spans removed: what could still render as a link, an image or a tag."""
    return re.sub(r"(`+)(.*?)\1", "", markdown)


@pytest.mark.parametrize("sent", ["inf", "-inf", "1e999", "nan", "9" * 400, "abc", ""])
def test_a_number_the_widget_cannot_take_opens_at_its_default_with_a_notice(sent):
    at = _open({"seed": sent})
    assert_clean(at)
    assert _value(at, "seed") == 0
    if sent:
        assert "Seed" in _toasts(at) and "default" in _toasts(at)


@pytest.mark.parametrize(("sent", "shown"), [("-5", 0), ("123456", 9999), ("7.6", 8), (["3", "4"], 4)])
def test_an_out_of_range_or_repeated_integer_is_clamped_and_the_notice_says_to_what(sent, shown):
    at = _open({"seed": sent})
    assert_clean(at)
    assert _value(at, "seed") == shown
    assert f"shows {shown}" in _toasts(at)


def test_a_float_slider_is_clamped_and_an_integer_slider_rounded():
    at = _open({"rate": "1e308", "width": "2.5e3"})
    assert_clean(at)
    assert _value(at, "rate") == 10.0 and _value(at, "width") == 64


def test_valid_values_are_taken_silently():
    at = _open({"seed": "42", "rate": "0.5", "phi": "tanh", "feats": ["x1", "x2"], "on": "false", "text": "x^2"})
    assert_clean(at)
    assert (_value(at, "seed"), _value(at, "rate"), _value(at, "phi")) == (42, 0.5, "tanh")
    assert _value(at, "feats") == ["x1", "x2"] and _value(at, "on") is False and _value(at, "text") == "x^2"
    assert not at.toast


def test_choices_outside_the_options_fall_back_and_duplicates_go():
    at = _open({"phi": "<b>evil</b>", "feats": ["x2", "x2", "nope"], "on": "maybe", "text": "y" * 500})
    assert_clean(at)
    assert _value(at, "phi") == "relu" and _value(at, "feats") == ["x2"] and _value(at, "on") is True
    assert _value(at, "text") == "y" * 20
    assert "<b>" not in outside_code(_toasts(at)) and "`<b>evil</b>`" in _toasts(at)


def test_a_forged_parameter_name_cannot_put_a_link_or_an_image_in_a_notice():
    forged = "[Session expired – log in again](https://evil.example/login) ![x](https://evil.example/t.png)"
    at = _open({forged: "1"})
    assert_clean(at)
    text = _toasts(at)
    assert "Ignored" in text and "Session expired" in text
    for syntax in ("](", "![", "[Session", "<img", "https:"):
        assert syntax not in outside_code(text), syntax
    assert forged not in at.query_params


def test_hundreds_of_unknown_keys_are_all_dropped_and_the_notice_stays_short():
    at = _open({f"junk{i}": str(i) for i in range(900)} | {"seed": "5"})
    assert_clean(at)
    assert [k for k in at.query_params if k.startswith("junk")] == []
    assert _value(at, "seed") == 5
    assert len(_toasts(at)) < 400 and "895 more" in _toasts(at)


def test_a_query_string_too_long_to_read_is_cleared_with_a_notice():
    at = _open({f"junk{i}": str(i) for i in range(1200)})
    assert_clean(at)
    assert list(at.query_params) == []
    assert "more parameters than a page reads" in _toasts(at)


def test_plain_puts_text_in_a_code_span_no_backtick_can_close():
    assert plain("a [b](https://x.y) <i>$x$</i>") == "`a [b](https://x.y) <i>$x$</i>`"
    assert plain("x `` y") == "```x `` y```" and plain("`a`") == "`` `a` ``"
    assert plain("two\nlines") == "`two lines`" and outside_code(plain("[l](u) `x` ![i](j)")) == ""


def test_unknown_setting_on_a_real_page_is_dropped_with_a_notice():
    at = open_page("home.py", query={"classroom": "true", "not_a_setting": "1"})
    assert_clean(at)
    assert any("not" in t.value for t in at.toast)
    assert "not_a_setting" not in at.query_params
    assert at.query_params["classroom"] == "true"


def test_valid_link_gives_no_notice():
    at = open_page("home.py", query={"classroom": "true"})
    assert_clean(at)
    assert not at.toast
