"""Wide content (a long formula, a matrix) that scrolls inside its own box on a phone, and that box reachable from
the keyboard: it takes focus (tabindex 0), has a name (role region, aria-label) and shows its focus, so arrow keys
scroll it (WCAG 2.1.1; axe's scrollable-region-focusable). KaTeX's own display box is told not to scroll, so the
focusable box is the only scroll container."""

from __future__ import annotations

import html

import streamlit as st

_CSS = ("<style>.nnviz-scroll {overflow-x: auto; overflow-y: hidden; max-width: 100%; padding-bottom: 4px} "
        ".nnviz-scroll .katex-display {overflow: visible !important; width: max-content; min-width: 100%} "
        ".nnviz-scroll:focus-visible {outline: 2px solid #0072B2; outline-offset: 2px}</style>")


def style() -> None:
    """The boxes' CSS; call once on a page that shows ``formula`` boxes."""
    st.html(_CSS)


def formula(latex: str, label: str) -> None:
    """Display ``latex`` (computed by nnviz, never user text) in a focusable box named ``label`` that scrolls
    sideways when the formula is wider than the column."""
    st.markdown(f'<div class="nnviz-scroll" tabindex="0" role="region" aria-label="{html.escape(label)}">'
                f"\n\n$$\n{latex}\n$$\n\n</div>", unsafe_allow_html=True)
