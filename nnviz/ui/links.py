"""Shared links: settings travel in the URL, and one parser checks everything a link sends before a widget sees it.

Every widget helper in ``nnviz.ui`` binds its value to a query parameter, and Streamlit seeds widgets from the URL
when a page opens. A link can be mangled or forged, so each helper first passes its parameter through this
module: numbers that are not finite, too large, of the wrong type or repeated are clamped to the widget's range
or dropped; text is bounded; choices must be one of the widget's options. The visitor is told once, accurately,
what was adjusted (the value actually shown) and which parameters were not settings of the page (removed from
the address bar in one update). Everything reflected back is escaped with ``plain``: markdown and HTML render
literally, so a link cannot put a link or an image into the app's own notices.

Seeding reads the query string as it arrived (Streamlit's ``QueryParams._initial_query_params``); the parser
corrects that copy and the address bar. (Relies on that attribute; tests/test_links.py catches a change.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

_INCOMING = "_nnviz_link_incoming"
_CHECKED = "_nnviz_link_checked"
_NOTES = "_nnviz_link_notes"

#: Longest parameter value taken from a link, and how many names a notice lists.
MAX_VALUE_CHARS = 500
_NAMES_SHOWN = 5
_NAME_CHARS = 40


def plain(text: object) -> str:
    """``text`` as literal text inside Streamlit markdown: an inline code span, inside which markdown, HTML, LaTeX,
    character references and bare URLs all render as typed (no link, no image, no tag; entities alone were not
    enough: the markdown renderer turns a decoded "https://…" into a link)."""
    body = " ".join(str(text).split())  # a code span is one line
    run = longest = 0
    for c in body:
        run = run + 1 if c == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _short(text: str, limit: int = _NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _initial(key: str) -> list[str] | None:
    """The link's raw values for ``key`` as Streamlit will seed from them (None if the link has none)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    with ctx.session_state.query_params() as qp:
        values = qp._initial_query_params.get(key)
    return list(values) if values is not None else None


def _replace(key: str, values: list[str] | None) -> None:
    """Seed ``key`` from ``values`` instead of what the link sent (None: as if the link had not sent it), and show
    the same in the address bar."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    with ctx.session_state.query_params() as qp:
        if values is None:
            qp._initial_query_params.pop(key, None)
            qp.remove_param(key)
        else:
            qp._initial_query_params[key] = values
            qp.set_with_no_forward_msg(key, values if len(values) > 1 else values[0])
            qp._send_query_param_msg()


def _drop(keys: Sequence[str], resend: bool = False) -> None:
    """Remove parameters from the address bar in one update (one message, however many keys); ``resend`` sends
    the server's parameters to the address bar even when none is removed."""
    ctx = get_script_run_ctx()
    if ctx is None or not (keys or resend):
        return
    with ctx.session_state.query_params() as qp:
        for k in keys:
            qp.discard_param_no_forward_msg(k)
        qp._send_query_param_msg()


def _note(label: str, sent: Sequence[str], shown: str) -> None:
    sent_text = _short(", ".join(sent), 60)
    st.session_state.setdefault(_NOTES, []).append(
        f"**{_short(label)}**: the link said {plain(sent_text)}, which this setting cannot take, so it shows "
        f"{shown}.")


def _check(key: str, label: str, fix: Callable[[list[str]], tuple[list[str] | None, str]]) -> None:
    """Run ``fix`` on the link's values for ``key`` (once per arrival); apply and note any change."""
    sent = _initial(key)
    if sent is None:
        return
    kept, shown = fix(sent)
    if kept != sent:
        _replace(key, kept)
        _note(label, sent, shown)


def _one(sent: list[str]) -> str:
    return sent[-1][:MAX_VALUE_CHARS] if sent else ""


def _format(x: float, integer: bool) -> str:
    return str(int(x)) if integer else repr(float(x))


def check_number(key: str, label: str, low: float, high: float, default: float, integer: bool) -> None:
    """A number from a link: one finite value inside [low, high], a whole number where the widget wants one."""

    def fix(sent: list[str]) -> tuple[list[str] | None, str]:
        text = _one(sent)
        try:
            x = float(text)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            return None, f"its default, {_format(default, integer)}"
        clamped = min(max(x, low), high)
        if integer:
            clamped = float(round(clamped))
        value = _format(clamped, integer)
        if len(sent) == 1 and clamped == x and (not integer or text.lstrip("+-").isdigit()):
            return sent, value
        return [value], value

    _check(key, label, fix)


def check_choice(key: str, label: str, options: Sequence[str], default: str | None) -> None:
    """A choice from a link: one of the widget's option labels, as shown."""

    def fix(sent: list[str]) -> tuple[list[str] | None, str]:
        text = _one(sent)
        if len(sent) == 1 and text in options:
            return sent, text
        if text in options:
            return [text], text
        return None, f"its default, “{default}”" if default is not None else "nothing selected"

    _check(key, label, fix)


def check_choices(key: str, label: str, options: Sequence[str], default: Sequence[str], most: int | None) -> None:
    """Several choices from a link: known option labels, each once, at most ``most`` of them."""

    def fix(sent: list[str]) -> tuple[list[str] | None, str]:
        kept: list[str] = []
        for text in sent:
            if text in options and text not in kept:
                kept.append(text)
        kept = kept[:most] if most else kept
        if kept == sent:
            return sent, ", ".join(kept)
        if not kept:
            return None, "its default, " + (", ".join(default) or "nothing selected")
        return kept, ", ".join(kept)

    _check(key, label, fix)


def check_bool(key: str, label: str, default: bool) -> None:
    """A switch from a link: true or false."""

    def fix(sent: list[str]) -> tuple[list[str] | None, str]:
        text = _one(sent).lower()
        if len(sent) == 1 and text in ("true", "false"):
            return sent, text
        if text in ("true", "false"):
            return [text], text
        return None, f"its default, {'on' if default else 'off'}"

    _check(key, label, fix)


def check_text(key: str, label: str, max_chars: int) -> None:
    """Text from a link: one value, at most ``max_chars`` long."""

    def fix(sent: list[str]) -> tuple[list[str] | None, str]:
        text = sent[-1] if sent else ""
        if len(sent) == 1 and len(text) <= max_chars:
            return sent, text
        return [text[:max_chars]], f"its first {max_chars} characters"

    _check(key, label, fix)


# -- arrival: remember what the link sent, then report once -----------------------------------------------------

def _params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def remember_link() -> None:
    """At the start of a run: keep the URL's parameters as they arrived, until ``check_link`` has run once."""
    if not st.session_state.get(_CHECKED) and _INCOMING not in st.session_state:
        st.session_state[_INCOMING] = _params()


def _overlong() -> bool:
    """Whether Streamlit ignored the whole query string (it reads at most 1,000 parameters)."""
    ctx = get_script_run_ctx()
    raw = getattr(ctx, "query_string", "") if ctx is not None else ""
    return raw.count("&") >= 1000


def check_link() -> None:
    """After the page has run once: report what the parser adjusted, and drop parameters no widget knows."""
    notes = st.session_state.pop(_NOTES, [])
    incoming = st.session_state.pop(_INCOMING, None)
    unknown: list[str] = []
    if not st.session_state.get(_CHECKED) and incoming is not None:
        st.session_state[_CHECKED] = True
        unknown = sorted(k for k in incoming if k not in st.session_state)
        _drop(unknown)
        if _overlong():
            _drop([], resend=True)
            st.toast("This link had more parameters than a page reads, so all of them were ignored.",
                     icon=":material/link_off:")
    if notes:
        st.toast("This link asked for settings the page cannot show as sent. " + " ".join(notes[:_NAMES_SHOWN])
                 + (f" (and {len(notes) - _NAMES_SHOWN} more)" if len(notes) > _NAMES_SHOWN else ""),
                 icon=":material/tune:")
    if unknown:
        names = ", ".join(plain(_short(k)) for k in unknown[:_NAMES_SHOWN])
        more = f" and {len(unknown) - _NAMES_SHOWN} more" if len(unknown) > _NAMES_SHOWN else ""
        st.toast(f"Ignored {names}{more}: not a setting of this page.", icon=":material/link_off:")
