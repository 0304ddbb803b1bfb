"""Classroom mode: for projecting in class, hide the explanatory prose and secondary controls.

A sidebar toggle bound to the URL (``?classroom=true``), so an instructor's link opens straight into it, as
TensorFlow Playground's hide flags do. What stays: titles, section headings, formulas, tables, figures (their
text enlarged), the main controls, hints of what to press, definitions a page wraps in ``ui.keep()``, and every
warning or error. What goes: explanatory paragraphs, captions, takeaway boxes, and anything a page wraps in
``ui.secondary()``. The sidebar starts collapsed.
"""

from __future__ import annotations

import streamlit as st

KEY = "classroom"

#: Hidden in classroom mode: paragraphs and captions of explanation, takeaway boxes, secondary controls. Kept:
#: formulas, tables, hints (st.info: what to press), warnings, and anything a page wraps in ``ui.keep()``.
_EL = '[data-testid="stMain"] [data-testid="stElementContainer"]'
_KEPT = ':not([class*="st-key-keep"] *)'
_CSS = (
    "<style>"
    f'{_EL}:has(> [data-testid="stMarkdown"]):not(:has(.katex-display)):not(:has(table)){_KEPT},'
    f'{_EL}:has(> [data-testid="stCaptionContainer"]){_KEPT},'
    f'{_EL}:has([data-testid="stAlertContentSuccess"]),'
    '[data-testid="stMain"] [class*="st-key-secondary"] { display: none !important; }'
    '[data-testid="stMainBlockContainer"] { padding-top: 2rem; max-width: 100%; }'
    "</style>"
)

#: Chart text in classroom mode: at least this many pixels, so the back row can read a projected figure.
FONT_PX = 18


def is_on() -> bool:
    """Whether classroom mode is on in this session."""
    return bool(st.session_state.get(KEY))


def classroom_toggle() -> bool:
    """The sidebar switch; when on, inject the style that hides prose. Returns whether it is on."""
    from nnviz.ui.common import toggle

    with st.sidebar:
        on = toggle("Classroom mode", False, key=KEY,
                    help="For projection: hides explanations and secondary controls. Share the link.")
    if on:
        st.html(_CSS)
    return on


def keep(key: str):
    """A container whose text stays in classroom mode (definitions, tables, the hint of what to press)."""
    return st.container(key=f"keep_{key}")


def secondary(key: str):
    """A container for secondary controls, hidden in classroom mode. ``key`` must be unique on the page."""
    return st.container(key=f"secondary_{key}")
