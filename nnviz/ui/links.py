"""Shared links: settings travel in the URL; a link's bad values are corrected or dropped, with a notice.

Every widget binds its value to a query parameter (``bind="query-params"``), and Streamlit seeds widgets from
the URL when a page opens, clamping or clearing values a widget cannot take. This module tells the visitor
when that happened, once per arrival: which settings of their link were adjusted, and which were not
settings of this page at all (those are removed from the address bar).
"""

from __future__ import annotations

import streamlit as st

_INCOMING = "_nnviz_link_incoming"
_CHECKED = "_nnviz_link_checked"


def _params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def remember_link() -> None:
    """At the start of a run: keep the URL's parameters as they arrived, until ``check_link`` has run once."""
    if not st.session_state.get(_CHECKED) and _INCOMING not in st.session_state:
        st.session_state[_INCOMING] = _params()


def check_link() -> None:
    """After the page has run once: report link values the widgets adjusted, and drop unknown parameters."""
    incoming = st.session_state.pop(_INCOMING, None)
    if st.session_state.get(_CHECKED) or incoming is None:
        return
    st.session_state[_CHECKED] = True
    now = _params()
    adjusted = sorted(k for k, v in incoming.items() if k in st.session_state and _was_adjusted(v, now.get(k),
                                                                                                st.session_state[k]))
    unknown = sorted(k for k in incoming if k not in st.session_state)
    for k in unknown:
        del st.query_params[k]
    if adjusted:
        st.toast("This link's " + ", ".join(f"**{k}**" for k in adjusted) + " was outside what the page allows, "
                 "so the nearest allowed setting is shown.", icon=":material/tune:")
    if unknown:
        st.toast("Ignored " + ", ".join(f"**{k}**" for k in unknown) + ": not a setting of this page.",
                 icon=":material/link_off:")


def _was_adjusted(sent: list[str], kept: list[str] | None, value: object) -> bool:
    """Whether a widget did not take the link's value as sent.

    Streamlit rewrites a param it corrected, and removes one it rejected or that equals the widget's default;
    for a removed numeric value, the widget's value tells the two apart.
    """
    if kept is not None:
        return kept != sent
    if isinstance(value, bool) or not isinstance(value, int | float) or len(sent) != 1:
        return False
    try:
        return float(sent[0]) != float(value)
    except ValueError:
        return True
