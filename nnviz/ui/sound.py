"""Sound on a page: one clip player, and the three sound sections (hear a nonlinearity, the spiking neuron heard,
approximation by ear), each a function the page calls with its key prefix.

A clip is ``st.audio`` of 16-bit WAV bytes (autoplaying only to answer a click on it, never rescaled), a caption
saying what to listen for, and a download of the WAV. Every computation is a cached view (nnviz.views.sound).
"""

from __future__ import annotations

import streamlit as st

from nnviz import audio
from nnviz.expressions import MAX_LENGTH, describe_functions
from nnviz.figures import audio as figs
from nnviz.figures import style
from nnviz.ui.common import figure, labels, phi_select, radio, section, selectbox, slider, takeaway, text_input
from nnviz.ui.links import plain


def clip(samples_or_wav, sr: int = audio.SR, caption: str = "", name: str = "clip", key: str | None = None,
         autoplay: bool = False) -> None:
    """Play a clip: samples (n,) in [-1, 1] (written as WAV, level kept) or WAV bytes; caption; a WAV download.

    ``autoplay`` only for the run that answers the student's own click on a sound (a click is a request to hear
    it); the player stays visible either way, and a clip is well under WCAG 1.4.2's 3 s."""
    wav = samples_or_wav if isinstance(samples_or_wav, bytes) else audio.wav_bytes(samples_or_wav, sr)
    st.audio(wav, format="audio/wav", autoplay=autoplay)
    if caption:
        st.caption(caption)
    st.download_button("Download WAV", wav, file_name=f"{name}.wav", mime="audio/wav", key=key or f"dl_{name}",
                       on_click="ignore", icon=":material/download:")


def _sentences(sentences: tuple[str, ...]) -> None:
    """The headline as a takeaway, the rest as plain text."""
    if sentences:
        takeaway(sentences[0])
    for s in sentences[1:]:
        st.markdown(s)


# ---------------------------------------------------------------------------------------------------------------
# Hear a nonlinearity (activation functions page)
# ---------------------------------------------------------------------------------------------------------------


@section
def hear_nonlinearity_section(key_prefix: str) -> None:
    """A sine or a plucked string through phi(g x + b): transfer curve, waveforms, spectrum, two clips."""
    from nnviz.topics import sound
    from nnviz.views import sound as views

    p = f"{key_prefix}hear_"
    st.subheader("Hear a nonlinearity")
    st.markdown("A neuron's activation applied to a sound, sample by sample: $y = \\varphi(g\\,x + b)$ with drive "
                "$g$ and bias $b$. Whatever frequencies come out that did not go in, φ made.")
    c1, c2 = st.columns(2)
    with c1:
        phi = phi_select("Activation φ", key=f"{p}phi", default="tanh")
        source = radio("Sound", list(sound.SOURCES), key=f"{p}src", format_func=labels(sound.SOURCES),
                       horizontal=True)
    with c2:
        g = slider("Drive g", *sound.DRIVE_RANGE, 2.0, 0.1, key=f"{p}g")
        b = slider("Bias b", *sound.BIAS_RANGE, 0.0, 0.1, key=f"{p}b")
        f0 = selectbox("Pitch", list(sound.PITCHES), key=f"{p}f0", index=2, format_func=labels(sound.PITCHES))
    heard = views.nonlinearity(phi, float(g), float(b), source, float(f0))
    r = heard.result
    c1, c2 = st.columns(2)
    with c1:
        figure(figs.transfer(r.z, r.phi_z, r.swing, phi.label), key=f"{p}fig_transfer")
    with c2:
        figure(figs.waveform(r.t_ms, [("input sine x", r.x_wave, style.TARGET),
                                      ("output φ(g·x + b)", r.y_wave, style.MODEL)],
                             title="Three periods in and out"), key=f"{p}fig_wave")
    figure(figs.spectrum(r.spectrum.a, r.f0, f"Harmonics of the output (sine in at {r.f0:g} Hz, 4× oversampled)"),
           key=f"{p}fig_spectrum")
    _sentences(r.sentences)
    c1, c2 = st.columns(2)
    what = "sine" if source == "sine" else "plucked string"
    with c1:
        st.markdown(f"**In:** the {what}")
        clip(heard.wavs[0], caption=f"The {what} as it goes in: listen to its pitch, {r.f0:g} Hz.",
             name=f"in_{source}_{r.f0:g}Hz", key=f"{p}dl_in")
    with c2:
        st.markdown(f"**Out:** φ(g·x + b), {phi.label}")
        clip(heard.wavs[1], caption="The same pitch through φ: listen for what is new — brighter (odd harmonics), "
             "an octave on top (even ones), or nothing at all.", name=f"out_{phi.key}_g{g:g}_b{b:g}",
             key=f"{p}dl_out")
    st.caption(r.level_note)


# ---------------------------------------------------------------------------------------------------------------
# The spiking neuron, heard (single-neuron page)
# ---------------------------------------------------------------------------------------------------------------


@section
def spiking_neuron_heard_section(key_prefix: str) -> None:
    """The LIF neuron's spikes as clicks at a chosen input current, beside the sigmoid rate neuron's tone."""
    from nnviz.topics import sound
    from nnviz.views import sound as views

    p = f"{key_prefix}spk_"
    st.subheader("The spiking neuron, heard")
    st.markdown("Each spike of the leaky integrate-and-fire neuron is played as a click, in real time: its firing "
                "rate becomes a pitch. Beside it, an artificial *rate neuron* — a sigmoid of the current, fitted "
                "to the same curve — plays its rate as a pure tone.")
    current = slider("Input current I (nA)", *sound.CURRENT_RANGE, 3.0, 0.1, key=f"{p}I")
    heard = views.spiking(float(current))
    r = heard.result
    c1, c2 = st.columns(2)
    with c1:
        figure(figs.fi_curves(r.I_grid, r.fI_lif, r.fI_rate, r.I, r.rate_lif, r.rate_tone, r.rheobase),
               key=f"{p}fig_fi")
    with c2:
        figure(figs.membrane(r.t_ms, r.V, r.V_th), key=f"{p}fig_v")
    _sentences(r.sentences)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Spiking neuron:** one click per spike")
        clip(heard.wavs[0], caption="Listen for the pitch of the clicks; below the rheobase there are none.",
             name=f"lif_{r.I:g}nA", key=f"{p}dl_clicks")
    with c2:
        st.markdown("**Rate neuron:** a tone at σ's rate")
        clip(heard.wavs[1], caption="The rate as one number, played as a sine: the pitch kept, the spikes gone.",
             name=f"rate_neuron_{r.I:g}nA", key=f"{p}dl_tone")
    st.caption(r.level_note)


# ---------------------------------------------------------------------------------------------------------------
# Approximation by ear (universal-approximation page)
# ---------------------------------------------------------------------------------------------------------------


@section
def approximation_by_ear_section(key_prefix: str) -> None:
    """One period of a waveform fitted by N hidden units, played as a wavetable beside the target and the error."""
    from nnviz.topics import sound
    from nnviz.views import sound as views

    p = f"{key_prefix}ear_"
    st.subheader("Approximation by ear")
    st.markdown("A network with one hidden layer fits one period of a waveform; an oscillator then plays that "
                "period over and over. More hidden units, a cleaner tone — until the target has a jump.")
    c1, c2, c3 = st.columns(3)
    with c1:
        key = selectbox("Target waveform", list(sound.TARGETS), key=f"{p}target", format_func=labels(sound.TARGETS))
    with c2:
        method = radio("Hidden units", list(sound.METHODS), key=f"{p}method", format_func=labels(sound.METHODS),
                       horizontal=True)
    with c3:
        f0 = selectbox("Pitch", list(sound.PITCHES), key=f"{p}f0", index=2, format_func=labels(sound.PITCHES))
    formula = ""
    if key == sound.FORMULA:
        formula = text_input("One period f(x), x from 0 to 1 =", sound.DEFAULT_FORMULA, key=f"{p}formula",
                             max_chars=MAX_LENGTH, help=f"Allowed: {describe_functions()}. At most {MAX_LENGTH} "
                             "characters. The period is repeated at the pitch chosen; a peak beyond ±1 is scaled "
                             "down to 1.")
    N = radio("Number of hidden units N", list(sound.WIDTHS), key=f"{p}N", index=3, horizontal=True)
    try:
        heard = views.ear(key, method, int(N), float(f0), formula)
    except ValueError as err:  # a formula that cannot be used: words, and the rest of the page goes on
        st.warning(f"**That formula cannot be used.** {plain(err)}", icon=":material/function:")
        return
    r = heard.result
    c1, c2 = st.columns(2)
    with c1:
        figure(figs.period_fit(r.x, r.target, r.fit, f"fit, N = {r.N}"), key=f"{p}fig_period")
    with c2:
        figure(figs.error_vs_width(r.sweep.widths, r.sweep.rms_db, r.sweep.sup, r.N), key=f"{p}fig_width")
    figure(figs.spectrum(r.error_harmonics, r.f0, f"Harmonics of the error at {r.f0:g} Hz", colour=style.VERMILLION),
           key=f"{p}fig_err_spectrum")
    _sentences(r.sentences)
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown("**Target**")
        clip(heard.wavs[0], caption="The waveform the network should draw.", name=f"target_{key}_{r.f0:g}Hz",
             key=f"{p}dl_target")
    with c2:
        st.markdown(f"**Network, N = {r.N}**")
        clip(heard.wavs[1], caption="Compare its colour with the target's.", name=f"fit_{key}_{method}_N{r.N}",
             key=f"{p}dl_fit")
    with c3:
        st.markdown("**Error alone**")
        clip(heard.wavs[2], caption="What the network still gets wrong, at its true level.",
             name=f"error_{key}_{method}_N{r.N}", key=f"{p}dl_error")
    st.caption(r.level_note)
