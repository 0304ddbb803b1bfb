"""Property-based links: hostile query strings, generated from each page's own widget keys, never break a page.

For every page, the widget keys and kinds come from the page itself (one default run). Hypothesis then builds
query strings over those keys with the values links get mangled or forged into — non-finite and huge numbers,
huge integers, empty and overlong strings, unicode, markdown and HTML, repeated keys, unknown keys — and opens
the page with each through AppTest: no exception, no error box, and nothing from the URL rendered as a link or
an image anywhere on the page.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nnviz.catalog import PAGES
from tests.apptest_utils import assert_clean, open_page
from tests.test_links import outside_code

pytestmark = pytest.mark.slow

_FORGED = "[Session expired – log in again](https://evil.example/login) ![t](https://evil.example/t.png) <img src=x>"
_HOSTILE_TEXT = ["inf", "-inf", "nan", "1e999", "-1e999", "9" * 400, "-" + "9" * 60, "", " ", "0x10", "1_000",
                 "true", "None", "[]", "ｓｉｇｍｏｉｄ", "é" * 300, "x" * 5000, _FORGED, "<script>alert(1)</script>",
                 "$\\href{https://evil.example}{x}$", "**bold**", "%00", "\u202e", "😀"]

_KINDS = ("slider", "number_input", "selectbox", "radio", "multiselect", "checkbox", "toggle", "text_input")


@functools.cache
def _keys(page_file: str) -> tuple[str, ...]:
    at = open_page(page_file)
    return tuple(sorted({w.key for kind in _KINDS for w in at.get(kind) if w.key}))


def _values() -> st.SearchStrategy:
    one = st.one_of(st.sampled_from(_HOSTILE_TEXT), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.integers(min_value=-(10 ** 500), max_value=10 ** 500).map(str), st.text(max_size=40))
    return st.one_of(one, st.lists(one, min_size=2, max_size=4))


def _queries(page_file: str) -> st.SearchStrategy:
    keys = _keys(page_file)
    known = st.dictionaries(st.sampled_from(keys), _values(), max_size=len(keys)) if keys else st.just({})
    unknown = st.dictionaries(st.one_of(st.sampled_from([_FORGED, "**x**", "<b>k</b>"]), st.text(min_size=1,
                                                                                                 max_size=30)),
                              st.sampled_from(_HOSTILE_TEXT), max_size=3)
    return st.tuples(known, unknown).map(lambda kv: {**kv[1], **kv[0]})


def _rendered(at) -> str:
    parts = [t.value for t in at.toast] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.warning] + [e.value for e in at.info] + [e.value for e in at.success]
    return "\n".join(str(p) for p in parts)


def _check(page_file: str, query: dict) -> None:
    at = open_page(page_file, query=query)
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    text = outside_code(_rendered(at))  # code spans render literally
    for forged in ("evil.example", "<img", "<script", "](https"):
        assert forged not in text, (forged, query)


@pytest.mark.parametrize("page_file", [p.file for p in PAGES])
def test_every_key_at_once_with_its_worst_value(page_file):
    for bad in ("inf", "1e999", "9" * 400, _FORGED, ""):
        _check(page_file, {k: bad for k in _keys(page_file)} | {_FORGED: "1"})


@pytest.mark.parametrize("page_file", [p.file for p in PAGES])
def test_generated_query_strings_never_break_a_page(page_file):
    @settings(max_examples=6, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(query=_queries(page_file))
    @example(query={"pg_seed": "inf", "pg_dseed": "-inf", "pg_stop": "1e999", "pg_n1": "9" * 400})
    @example(query={_FORGED: "1"})
    def run(query):
        _check(page_file, query)

    run()
