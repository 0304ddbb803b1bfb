"""The three sound sections: their maths against theory, each sentence against the result it is shown with,
the section functions under AppTest, and their <audio> elements in Chromium."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnviz import audio
from nnviz.activations import Phi, names
from nnviz.topics import sound
from tests.apptest_utils import charts

# ---------------------------------------------------------------------------------------------------------------
# Hear a nonlinearity
# ---------------------------------------------------------------------------------------------------------------

ODD = ("tanh", "softsign", "hard_tanh", "sine")


@pytest.mark.parametrize(("key", "g", "b"), [("tanh", 20.0, 0.3), ("relu", 5.0, -1.0), ("step", 1.0, 0.0)])
def test_sine_clip_is_the_probe_steady_state(key, g, b):
    """The sine's clip is the looped probe's shaped period repeated: the same samples as oversampling and shaping
    the whole clip, away from the whole-clip filters' start-up at its ends (which the fades cover)."""
    f0 = sound.audio.snap(220.5)
    probe = sound._probe(f0)
    n = int(round(sound.NONLINEARITY_SECONDS * audio.SR))
    whole = audio.shape(audio.tile(probe, n), key, g, b, oversample=audio.OVERSAMPLE)
    repeated = audio.tile(audio.shape(probe, key, g, b, oversample=audio.OVERSAMPLE, loop=True), n)
    edge = 600  # the 4x filters span 511 taps at 4x the rate: ~64 samples at the clip's rate
    assert np.max(np.abs(whole[edge:-edge] - repeated[edge:-edge])) < 1e-9
    r = sound.hear_nonlinearity(Phi(key), g, b)
    (_, expected), _ = audio.match_rms([audio.tile(probe, n), repeated])
    np.testing.assert_allclose(r.clip_out, expected, atol=1e-12)


@pytest.mark.parametrize("key", ODD)
def test_odd_phi_adds_only_odd_harmonics(key):
    r = sound.hear_nonlinearity(Phi(key), 2.0, 0.0)
    assert r.character == "odd"
    assert r.spectrum.even < sound.ABSENT < r.spectrum.odd
    assert r.sentences[0].startswith("Only odd harmonics")


@pytest.mark.parametrize("key", ODD)
def test_a_bias_breaks_the_symmetry(key):
    r = sound.hear_nonlinearity(Phi(key), 2.0, 0.5)
    assert r.character == "both" and r.spectrum.even > 1e-3
    assert "bias b = 0.5" in r.sentences[0] and "breaks the symmetry" in r.sentences[0]


def test_linear_phi_is_the_linear_collapse():
    for g, b in ((0.1, 0.0), (20.0, -3.0)):
        r = sound.hear_nonlinearity(Phi("linear"), g, b)
        assert r.character == "linear" and r.spectrum.new < 1e-9
        assert "linear collapse" in r.sentences[0]


def test_relu_is_a_half_wave_rectifier():
    r = sound.hear_nonlinearity(Phi("relu"), 1.0, 0.0, f0=441.0)
    a = r.spectrum.a
    assert a[0] == pytest.approx(1 / math.pi, rel=1e-3) and a[1] == pytest.approx(0.5, rel=1e-3)
    assert a[2] == pytest.approx(2 / (3 * math.pi), rel=1e-3)
    assert r.character == "even"
    assert any("half-wave rectifier" in s and "octave" in s for s in r.sentences)


def test_step_makes_a_square_wave():
    r = sound.hear_nonlinearity(Phi("step"), 0.1, 0.0)  # however gentle the input
    assert r.character == "square"
    assert r.spectrum.a[3] / r.spectrum.a[1] == pytest.approx(1 / 3, rel=1e-3)
    assert "square wave" in r.sentences[0]


def test_drive_takes_tanh_from_clean_to_hard_clipping():
    gains = (0.1, 0.3, 1.0, 2.0, 5.0, 20.0)
    runs = [sound.hear_nonlinearity(Phi("tanh"), g, 0.0) for g in gains]
    thd = [r.spectrum.thd for r in runs]
    assert all(b > a for a, b in itertools.pairwise(thd))
    assert runs[0].clipping == "clean" and runs[-1].clipping == "hard"
    assert thd[-1] < math.sqrt(math.pi**2 / 8 - 1)  # approaching, never passing, the square wave's 48%


def test_level_matched_clips_have_one_loudness():
    r = sound.hear_nonlinearity(Phi("relu"), 5.0, 1.0)
    inner = slice(2000, -2000)
    assert audio.rms(r.clip_in[inner]) == pytest.approx(audio.rms(r.clip_out[inner]), rel=2e-2)
    assert np.max(np.abs(r.clip_out)) <= 0.9


def _claims_hold(r: sound.Nonlinearity) -> None:
    """Each sentence's condition, checked on the result it is shown with."""
    s, first = r.spectrum, r.sentences[0]
    if first.startswith("Silence"):
        assert s.silent
    if first.startswith("No new frequency"):
        assert s.new < sound.ABSENT
    if first.startswith("Only odd"):
        assert s.even < sound.ABSENT <= s.odd
    if first.startswith("Even harmonics only"):
        assert s.odd < sound.ABSENT <= s.even
    if first.startswith("Odd and even"):
        assert s.odd >= sound.ABSENT and s.even >= sound.ABSENT
    if first.startswith(("A square", "A pulse")):
        y = audio.shape(sound._probe(r.f0), r.phi, r.gain, r.bias)
        assert len(np.unique(np.round(y, 9))) == 2
    if first.startswith("A square"):
        assert s.even < sound.ABSENT
    for text in r.sentences:
        if text.startswith("Clean"):
            assert s.thd < 0.01
        if text.startswith("Mild"):
            assert 0.01 <= s.thd < 0.10
        if text.startswith("Hard clipping"):
            assert s.thd >= 0.10
        if "half-wave rectifier" in text:
            assert r.bias == 0 and s.a[0] > 0 and s.odd < sound.ABSENT
        if "The fundamental is gone" in text:
            assert s.a[1] < sound.ABSENT * s.ac
        if "breaks the symmetry" in text:
            assert r.bias != 0 and s.even >= sound.ABSENT
    assert "nan" not in " ".join(r.sentences).lower() and "inf" not in " ".join(r.sentences).split()


def test_nonlinearity_claims_at_defaults():
    for key in ("tanh", "relu", "step", "linear", "gaussian"):
        _claims_hold(sound.hear_nonlinearity(Phi(key)))


@pytest.mark.slow
@pytest.mark.parametrize("key", names())
def test_nonlinearity_claims_sweep(key):
    for g, b in itertools.product(sound.DRIVE_RANGE + (2.0,), sound.BIAS_RANGE + (0.0, 0.5)):
        _claims_hold(sound.hear_nonlinearity(Phi(key), g, b))


def test_nonlinearity_bounds():
    with pytest.raises(ValueError, match="drive g"):
        sound.hear_nonlinearity(Phi("tanh"), 100.0)
    with pytest.raises(ValueError, match="source"):
        sound.hear_nonlinearity(Phi("tanh"), 1.0, 0.0, "drum")


# ---------------------------------------------------------------------------------------------------------------
# The spiking neuron, heard
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("current", [1.6, 2.0, 3.0, 6.0, 10.0])
def test_lif_click_rate_equals_the_analytic_rate(current):
    r = sound.spiking_heard(current)
    found = sound.click_times(r.clicks)  # counted from the (level-matched) clip itself
    rate = 1000.0 * (len(found) - 1) / (found[-1] - found[0])
    p = sound.LIFParams()
    analytic = 1000.0 / (p.t_ref + p.tau_m * math.log(p.R * current / (p.R * current - p.V_th)))
    assert rate == pytest.approx(analytic, rel=1e-5)
    assert r.rate_clicks == pytest.approx(analytic, rel=1e-5)
    fade_ms = 1000 * audio.FADE_S  # a click inside the clip's last 10 ms is faded out with it
    audible = r.spikes_ms[(r.spikes_ms > fade_ms) & (r.spikes_ms < 1000 * sound.SPIKING_SECONDS - fade_ms)]
    assert len(audible) <= len(found) <= len(r.spikes_ms)


@pytest.mark.parametrize("current", [0.0, 1.0, 1.5])
def test_below_the_rheobase_there_is_silence(current):
    r = sound.spiking_heard(current)
    assert len(r.spikes_ms) == 0 and not np.any(r.clicks)
    assert r.sentences[0].startswith("Silence")
    assert r.rate_tone > 0  # the sigmoid has no threshold
    assert "no threshold" in r.sentences[1]


def test_rate_neuron_is_a_fitted_sigmoid():
    rn = sound.rate_neuron()
    I = np.linspace(*sound.CURRENT_RANGE, 201)
    lif = sound.lif_rate_analytic(I)
    assert np.sqrt(np.mean((rn.rate(I) - lif) ** 2)) < 0.1 * lif.max()
    r = sound.spiking_heard(5.0)
    assert audio.component(r.tone, r.rate_tone) > 0.5 * np.max(np.abs(r.tone))  # a tone at the rate neuron's rate


@pytest.mark.parametrize("current", [0.0, 1.5, 1.51, 1.7, 3.0, 10.0])
def test_spiking_claims(current):
    r = sound.spiking_heard(current)
    if r.sentences[0].startswith("Silence"):
        assert r.rate_lif == 0 and current <= r.rheobase
    else:
        assert f"{r.rate_lif:.2f} Hz" in r.sentences[0] and len(r.spikes_ms) > 1
        if "separate clicks" in r.sentences[0]:
            assert r.rate_lif < sound.AUDIBLE_HZ
        if "pitch" in r.sentences[0] and "no pitch" not in r.sentences[0]:
            assert r.rate_lif >= sound.AUDIBLE_HZ
    if "too low to hear" in r.sentences[1]:
        assert r.rate_tone < sound.AUDIBLE_HZ


# ---------------------------------------------------------------------------------------------------------------
# Approximation by ear
# ---------------------------------------------------------------------------------------------------------------

MENU = [k for k in sound.TARGETS if k != sound.FORMULA]  # the waves of the menu; the formula is tested below


@pytest.mark.parametrize("key", MENU)
def test_wavetable_fit_error_falls_as_n_grows(key):
    sweep = sound.width_sweep(key, "sigmoid")
    assert sweep.rms_db[-1] < sweep.rms_db[0] - 15.0
    # every doubling from 4 units on makes it better
    assert np.all(np.diff(sweep.rms_db[2:]) < 0)


@pytest.mark.parametrize("key", ["square", "vowel"])
def test_relu_knots_nest_so_the_error_never_grows(key):
    sweep = sound.width_sweep(key, "relu")
    assert np.all(np.diff(sweep.rms_db) <= 1e-9)
    assert sweep.rms_db[-1] < sweep.rms_db[0] - 15.0


def test_the_square_wave_is_where_the_theorem_stops():
    for method in sound.METHODS:
        sweep = sound.width_sweep("square", method)
        assert np.all(sweep.sup >= 1.0 - 1e-9)  # half the jump: no continuous fit does better
        assert sweep.rms_db[-1] < sweep.rms_db[0] - 15.0  # while the RMS falls
    smooth = sound.width_sweep("vowel", "sigmoid")
    assert smooth.sup[-1] < 0.01 * smooth.sup[0]


def test_the_played_fit_is_the_fitted_period():
    r = sound.approximation_by_ear("vowel", "sigmoid", 32, 441.0)
    a_fit = audio.harmonics(r.clip_fit[2000:-2000], 441.0, audio.SR, 10)  # away from the fades
    a_table = np.abs(np.fft.rfft(r.fit))[:11] * 2 / len(r.fit)
    scale = a_fit[1] / a_table[1]
    assert a_fit[1:] == pytest.approx(scale * a_table[1:], abs=1e-6)


def _ear_claims_hold(r: sound.EarFit) -> None:
    text = " ".join(r.sentences)
    if "fit is exact" in r.sentences[0]:
        assert r.rms_db <= sound.EXACT_DB
        assert ("piecewise linear" in r.sentences[0]) == (r.method == "relu")
    else:
        assert f"{max(0.0, -r.rms_db):.1f} dB below the target" in r.sentences[0]
    if "steps from crude to clean" in text:
        assert r.sweep.rms_db[-1] < r.sweep.rms_db[0] - 10
    if "here it stops" in text:
        jump = max(j for _, j in r.jumps)
        assert r.sup >= jump / 2 - 1e-9 and np.all(r.sweep.sup >= jump / 2 - 1e-9)
    assert ("inside the period. A network of continuous units" in text) == bool(r.jumps)
    if "sup error falls too" in text:
        assert not r.jumps and r.sweep.sup[-1] < 0.5 * r.sweep.sup[0]
    if "hardly falls" in text:
        assert not r.jumps and r.sweep.sup[-1] >= 0.5 * r.sweep.sup[0]
    if "at the seam of the period" in text:
        assert r.seam > sound.JUMP_SHARE * np.ptp(r.target)
    if "Gibbs" in text:
        assert r.overshoot > 0.02
    if r.key == sound.FORMULA:
        assert ("first scaled by" in r.level_note) == (np.max(np.abs(sound.formula_wave(r.formula)[0](
            sound.period_grid(4 * sound.M)))) > 1.0)


def test_ear_claims_at_defaults():
    _ear_claims_hold(sound.approximation_by_ear())


FORMULAS = [sound.DEFAULT_FORMULA, "sign(sin(2*pi*x))",
            *(pytest.param(f, marks=pytest.mark.slow) for f in (
                "3*x", "step(x - 0.3) - step(x - 0.7)", "tanh(1e6*(x - 0.5))", "abs(2*x - 1)", "sin(2*pi*x)**3",
                "mod(3*x, 1)"))]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_target_claims(formula):
    """The formula box as a target: parsed (never eval), one period on [0, 1), each sentence true of its fit."""
    for method in sound.METHODS:
        r = sound.approximation_by_ear(sound.FORMULA, method, 32, 220.5, formula=formula)
        assert r.formula == formula
        np.testing.assert_allclose(r.target, sound.target_wave(sound.FORMULA, sound.period_grid(), formula))
        assert np.max(np.abs(r.target)) <= 1.0 + 1e-12
        _ear_claims_hold(r)


def test_formula_jumps_are_found_where_they_are():
    (x, jump), = sound.detect_jumps(lambda x: np.where(x < 0.5, 1.0, -1.0))
    assert x == pytest.approx(0.5, abs=1e-12) and jump == pytest.approx(2.0)
    found = sound.jumps_of(sound.FORMULA, "step(x - 0.3) - 2*step(x - 0.8)")
    assert [round(x, 9) for x, _ in found] == [0.3, 0.8] and [j for _, j in found] == pytest.approx([1.0, 2.0])
    assert sound.jumps_of(sound.FORMULA, "tanh(1e6*(x - 0.5))") == ()  # steep, but continuous
    assert sound.jumps_of(sound.FORMULA, "sin(2*pi*x)") == () and sound.jumps_of("triangle") == ()


def test_a_menu_square_and_the_same_square_typed_agree():
    typed = sound.approximation_by_ear(sound.FORMULA, "sigmoid", 16, 220.5, formula="sign(0.5 - x)")
    menu = sound.approximation_by_ear("square", "sigmoid", 16, 220.5)
    assert typed.rms_db == pytest.approx(menu.rms_db, abs=1e-6) and typed.sup == pytest.approx(menu.sup, abs=1e-6)


@pytest.mark.parametrize(("formula", "words"), [
    ("log(x - 0.5)", "not a finite number"), ("1", "constant"), ("x.__class__", "not allowed"),
    ("__import__('os').system('ls')", ""), ("2x", "needs a *"), ("", ""), ("x" * 400, ""),
])
def test_bad_formula_targets_are_refused_in_words(formula, words):
    with pytest.raises(ValueError, match=words or None):
        sound.approximation_by_ear(sound.FORMULA, "sigmoid", 8, 220.5, formula=formula)


@pytest.mark.slow
@pytest.mark.parametrize("key", MENU)
def test_ear_claims_sweep(key):
    for method in sound.METHODS:
        sweep = sound.width_sweep(key, method)
        for N, f0 in itertools.product(sound.WIDTHS, sound.PITCHES):
            _ear_claims_hold(sound.approximation_by_ear(key, method, N, f0, sweep=sweep))


# ---------------------------------------------------------------------------------------------------------------
# The section functions under AppTest
# ---------------------------------------------------------------------------------------------------------------


def _sections_script():
    from nnviz.ui import sound as s

    s.hear_nonlinearity_section("act_")
    s.spiking_neuron_heard_section("sn_")
    s.approximation_by_ear_section("uat_")


def _audio_count(at: AppTest) -> int:
    return len(at.get("audio"))


def test_sections_default_run():
    at = AppTest.from_function(_sections_script, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert _audio_count(at) == 7  # 2 + 2 + 3 clips
    assert len(charts(at)) == 8
    assert len([d for d in at.get("download_button") if "_dl_" in d.key]) == 7  # one WAV per clip
    assert any("Only odd harmonics" in s.value for s in at.success)


@pytest.mark.slow
def test_sections_at_extremes_and_outputs_change():
    at = AppTest.from_function(_sections_script, default_timeout=180).run()
    before = [s.value for s in at.success]
    for slider in list(at.slider):
        for value in (slider.min, slider.max):
            at.slider(key=slider.key).set_value(value).run()
            assert not at.exception, (slider.key, value, [e.value for e in at.exception])
            assert _audio_count(at) == 7
    for key in ("act_hear_phi", "uat_ear_target", "act_hear_f0"):
        for option in at.selectbox(key=key).options:
            at.selectbox(key=key).set_value(option).run()
            assert not at.exception, (key, option)
    for radio in list(at.radio):
        for option in radio.options:
            at.radio(key=radio.key).set_value(option).run()
            assert not at.exception, (radio.key, option)
    assert [s.value for s in at.success] != before


@pytest.mark.slow
def test_formula_target_in_the_section_and_a_bad_one_in_words():
    at = AppTest.from_function(_sections_script, default_timeout=180).run()
    at.selectbox(key="uat_ear_target").set_value(sound.FORMULA).run()
    assert not at.exception and not at.error
    assert at.text_input(key="uat_ear_formula").value == sound.DEFAULT_FORMULA
    assert _audio_count(at) == 7 and any("fig_period" in (c.key or "") for c in charts(at))
    for bad in ("x.__class__", "log(x - 0.5)", "[x](https://evil.example)", ""):
        at.text_input(key="uat_ear_formula").input(bad).run()
        assert not at.exception and not at.error, bad
        assert any("cannot be used" in w.value for w in at.warning), bad
        assert _audio_count(at) == 4, "the other sections play on"
        assert not any("](https://" in m.value and "`" not in m.value for m in at.warning), "shown as text"
    at.text_input(key="uat_ear_formula").input("sign(sin(2*pi*x))").run()
    assert not at.exception and _audio_count(at) == 7
    assert any("here it stops" in m.value for m in at.markdown)


@pytest.mark.slow
def test_a_drag_back_and_forth_computes_each_setting_once(monkeypatch):
    """A student dragging the drive between two values: only the first visit to each computes anything, the rest
    are cache hits (what keeps a widget change fast; its time is measured by benchmarks/bench_sound.py)."""
    computed = []
    original = sound.hear_nonlinearity

    def counting(phi, gain, *args, **kwargs):
        computed.append(gain)
        return original(phi, gain, *args, **kwargs)

    monkeypatch.setattr(sound, "hear_nonlinearity", counting)
    from nnviz.views import sound as views

    views.nonlinearity.clear()  # (other tests may have computed these settings in this process)
    at = AppTest.from_function(_sections_script, default_timeout=180).run()
    for g in (2.5, 3.1, 2.5, 3.1, 2.5, 3.1, 2.5):
        at.slider(key="act_hear_g").set_value(g)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert computed == [2.0, 2.5, 3.1]  # the default, then each new setting once


# ---------------------------------------------------------------------------------------------------------------
# Chromium: every <audio> loads and reports its clip's duration
# ---------------------------------------------------------------------------------------------------------------

_SCRIPT = """
from nnviz import threads
threads.limit()
import streamlit as st
from nnviz.ui import sound as s
st.title("Sound sections")
s.hear_nonlinearity_section("act_")
s.spiking_neuron_heard_section("sn_")
s.approximation_by_ear_section("uat_")
"""


@pytest.mark.slow
def test_audio_elements_load_in_chromium(tmp_path, browser):
    import subprocess
    import sys

    from nnviz.catalog import ROOT
    from tests.browser_utils import error_texts, screenshot
    from tests.conftest import SCREENSHOTS, _free_port, _wait_healthy

    script = tmp_path / "sound_sections.py"
    script.write_text(_SCRIPT)
    (tmp_path / "static").symlink_to(ROOT / "static")  # Streamlit serves static/ beside the script: the charts' code
    port = _free_port()

    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT,
                            env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_selector("h1", timeout=120_000)
        page.wait_for_function("() => document.querySelectorAll('audio').length === 7", timeout=120_000)
        page.wait_for_function("() => Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)",
                               timeout=60_000)
        durations = page.evaluate("() => Array.from(document.querySelectorAll('audio')).map(a => a.duration)")
        autoplay = page.evaluate("() => Array.from(document.querySelectorAll('audio')).some(a => a.autoplay)")
        expected = [sound.NONLINEARITY_SECONDS] * 2 + [sound.SPIKING_SECONDS] * 2 + [sound.EAR_SECONDS] * 3
        assert durations == pytest.approx(expected, abs=1e-3)
        assert not autoplay
        assert error_texts(page) == []
        screenshot(page, SCREENSHOTS, "sound_sections")
        page.close()
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:  # a loaded machine: the server did not finish shutting down in time
            proc.kill()
            proc.wait(10)


@pytest.mark.parametrize("key", ["sawtooth", "square", "vowel"])
def test_the_width_marker_label_stays_off_the_error_curves(key):
    """'N = ...' sits at the top or bottom of the error-against-width plot, whichever half the curves do not cross
    at N (the errors fall from the top left: at N = 1 a label at the top sat on the first markers)."""
    from nnviz.figures import audio as figs

    sweep = sound.width_sweep(key, "sigmoid")
    sup_db = audio.db(sweep.sup, 1.0, floor=figs.FLOOR_DB)
    rms = np.maximum(sweep.rms_db, figs.FLOOR_DB)
    low, high = min(rms.min(), sup_db.min()), max(rms.max(), sup_db.max())
    for i, N in enumerate(sound.WIDTHS):
        fig = figs.error_vs_width(sweep.widths, sweep.rms_db, sweep.sup, N)
        (note,) = fig.layout.annotations
        level = (max(rms[i], sup_db[i]) - low) / (high - low)  # where the curves cross N, 0 bottom to 1 top
        assert abs(note.y - level) > 0.25, (N, note.y, level)
