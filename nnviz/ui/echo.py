"""Feedback as sound (skip-and-feedback page): a recurrent neuron h_t = phi(rho h_{t-D} + x_t) run on a click,
a pluck or a drum-like burst, its echoes drawn against rho^(t/D) = dh_t/dh_s and heard."""

from __future__ import annotations

import streamlit as st

from nnviz.activations import Phi
from nnviz.ui.common import figure, labels, radio, section, selectbox, slider, takeaway
from nnviz.ui.sound import clip


@section
def feedback_as_sound_section(key_prefix: str) -> None:
    """Widgets for rho, D, phi and the sound; the envelope and waveform figures; the dry and fed-back clips."""
    from nnviz.topics import echo
    from nnviz.views import echo as views

    p = f"{key_prefix}echo_"
    st.subheader("Feedback as sound: an echo is a recurrent neuron")
    st.markdown("One neuron whose output comes back to it D samples later: $h_t = \\varphi(\\rho\\,h_{t-D} + x_t)$."
                " With D = 1 sample it is a one-pole filter, with a longer D an echo. Each pass multiplies by ρ, so "
                "for linear φ the echoes fall (or grow) as $\\rho^{(t-s)/D}$ — exactly the gradient "
                "$\\partial h_t/\\partial h_s$ that training an RNN sends back through time.")
    c1, c2 = st.columns(2)
    with c1:
        rho = slider("Feedback ρ", *echo.RHO_RANGE, 0.7, 0.01, key=f"{p}rho")
        D = selectbox("Delay D", list(echo.DELAYS), key=f"{p}D", index=4, format_func=labels(echo.DELAYS))
    with c2:
        phi_key = radio("Activation φ", list(echo.PHIS), key=f"{p}phi", format_func=labels(echo.PHIS),
                        horizontal=True)
        source = radio("Sound fed in", list(echo.SOURCES), key=f"{p}src", format_func=labels(echo.SOURCES),
                       horizontal=True)
    try:
        heard = views.feedback(float(rho), int(D), Phi(phi_key), source)
    except ValueError as e:
        st.error(str(e))
        return
    r = heard.result
    c1, c2 = st.columns(2)
    with c1:
        figure(heard.envelope.figure(), key=f"{p}fig_env", alt=heard.envelope.alt)
    with c2:
        figure(heard.wave.figure(), key=f"{p}fig_wave", alt=heard.wave.alt)
    takeaway(r.sentences[0])
    for s in r.sentences[1:-1]:
        st.markdown(s)
    c1, c2 = st.columns(2)
    what = echo.SOURCES[source].lower()
    with c1:
        st.markdown(f"**Dry:** the {what} alone")
        clip(heard.wavs[0], caption="What goes in, once.", name=f"dry_{source}", key=f"{p}dl_dry")
    with c2:
        st.markdown(f"**Fed back:** ρ = {r.rho:g}, D = {echo.DELAYS[r.D].split(' (')[0]}, φ = {phi_key}")
        clip(heard.wavs[1], caption="Listen to the echoes die away, ring, or grow; " + r.sentences[-1],
             name=f"echo_{source}_{phi_key}_rho{r.rho:g}_D{r.D}", key=f"{p}dl_wet")
