"""Classroom mode: for projecting in class, hide the explanatory prose and secondary controls.

A sidebar toggle bound to the URL (``?classroom=true``), so an instructor's link opens straight into it, as
TensorFlow Playground's hide flags do. What stays: titles, section headings, formulas, figures, the main
controls, and every warning or error. What goes: paragraphs, captions, takeaway boxes, and anything a page
wraps in ``ui.secondary()``.
"""

from __future__ import annotations

import streamlit as st

KEY = "classroom"

_CSS = """
<style>
[data-testid="stMain"] [data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"]):not(:has(.katex-display)),
[data-testid="stMain"] [data-testid="stElementContainer"]:has(> [data-testid="stCaptionContainer"]),
[data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stAlertContentSuccess"]),
[data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stAlertContentInfo"]),
[data-testid="stMain"] [class*="st-key-secondary"] { display: none !important; }
[data-testid="stMain"] h1 { font-size: 2.2rem; }
[data-testid="stMainBlockContainer"] { padding-top: 2rem; max-width: 100%; }
</style>
"""


def classroom_toggle() -> bool:
    """The sidebar switch; when on, inject the style that hides prose. Returns whether it is on."""
    from nnviz.ui.common import toggle

    with st.sidebar:
        on = toggle("Classroom mode", False, key=KEY,
                    help="For projection: hides explanations and secondary controls. Share the link.")
    if on:
        st.html(_CSS)
    return on


def secondary(key: str):
    """A container for secondary controls, hidden in classroom mode. ``key`` must be unique on the page."""
    return st.container(key=f"secondary_{key}")
