"""Every page of the app, through the real router: it runs at its defaults and at every widget's extremes."""

from __future__ import annotations

import pytest

from nnviz.catalog import PAGES
from tests.apptest_utils import assert_clean, open_page, sweep_extremes

PAGE_FILES = [p.file for p in PAGES]


def test_router_lists_every_existing_page():
    at = open_page("home.py")
    assert_clean(at)
    assert PAGE_FILES[0] == "home.py"
    assert {p.file for p in PAGES} >= set(PAGE_FILES)


@pytest.mark.parametrize("page_file", PAGE_FILES)
def test_page_runs_at_defaults(page_file):
    at = open_page(page_file)
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a title"


@pytest.mark.slow
@pytest.mark.parametrize("page_file", PAGE_FILES)
def test_page_survives_every_widget_at_its_extremes(page_file):
    at = open_page(page_file)
    runs = sweep_extremes(at)
    assert_clean(at)
    if page_file != "home.py":
        assert runs > 0, "an interactive page has widgets to sweep"
