"""The playground page under AppTest (training through the live panel) and in a real browser mid-training."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

from nnviz.ui import live
from tests.apptest_utils import assert_clean, charts, errors, open_page, run_python, run_until, sweep_extremes

PAGE = "playground.py"
KEY = "pg_live"


def _run(at):
    """The page's run, through the live panel's public accessor."""
    return live.live_run(KEY, at.session_state)


def _formulas(at):
    """The page's formulas: each in a focusable scroll box (nnviz.ui.wide), a markdown element holding $$...$$."""
    return [m for m in at.markdown if 'class="nnviz-scroll"' in m.value]


def _click(at, key):
    at.button(key=key).click()
    at.run()


def test_defaults_then_play_step_and_reset():
    """The everyday smoke test: defaults draw every view; Play trains; Pause, Step, Reset do what they say."""
    at = open_page(PAGE)
    assert_clean(at)
    assert errors(at) == []
    assert len(charts(at)) == 4  # network, output map, loss curves, family
    assert any("h_{1}" in x.value for x in _formulas(at))
    tr = _run(at)
    assert tr.epoch == 0 and tr.net.widths == (2, 4, 2, 1) and tr.hyper.batch_size == 10 and tr.max_steps == 20_000
    assert any("reshuffled every epoch" in m.value for m in at.markdown)  # the conventions are stated
    theta0 = tr.net.theta.copy()
    _click(at, "pg_live_start")
    at.run()  # a tick of the panel: trains for a time slice
    assert_clean(at)
    assert _run(at).epoch > 0 and not np.array_equal(_run(at).net.theta, theta0)
    _click(at, "pg_live_pause")
    epoch = _run(at).epoch
    _click(at, "pg_live_step")
    assert _run(at).epoch == epoch + 1
    _click(at, "pg_live_reset")
    assert _run(at).epoch == 0 and np.array_equal(_run(at).net.theta, theta0)  # same seed, same weights


@pytest.mark.slow
def test_feature_checkboxes_read_in_their_order():
    """The feature checkboxes stand in columns by kind; Streamlit lays columns out one after another, so the
    elements' order (the keyboard's Tab order) goes down each column: it must be FEATURES' order."""
    from nnviz import features

    at = open_page(PAGE)
    keys = [c.key.removeprefix("pg_f_") for c in at.checkbox if c.key and c.key.startswith("pg_f_")]
    assert keys == list(features.FEATURES)
    assert [k for kind in features.KINDS for k in kind] == list(features.FEATURES)


def test_stop_epoch_ends_the_run():
    at = open_page(PAGE, {"pg_stop": "10"})
    _click(at, "pg_live_start")
    run_until(at, lambda a: _run(a).done)
    tr = _run(at)
    assert tr.epoch == 10 and tr.done
    assert any("Reached the stop epoch" in c.value for c in at.caption)


@pytest.mark.slow
def test_learning_rate_changes_keep_the_run_but_architecture_changes_restart_it():
    at = open_page(PAGE)
    _click(at, "pg_live_step")
    tr = _run(at)
    at.selectbox(key="pg_lr").set_value(0.3).run()
    assert _run(at) is tr and tr.hyper.lr == 0.3 and tr.epoch == 1
    at.slider(key="pg_depth").set_value(3).run()
    assert _run(at) is not tr and _run(at).net.widths == (2, 4, 2, 4, 1)


@pytest.mark.slow
def test_tfp_rules_change_the_run_and_the_words():
    at = open_page(PAGE, {"pg_tfp": "true", "pg_reg": "L1", "pg_reg_rate": "0.3"})
    assert_clean(at)
    tr = _run(at)
    assert tr.rules == "tfp" and tr.opt.kind == "sgd"
    assert np.all(tr.net.theta[tr.net.weight_mask == 0] == 0.1)  # TensorFlow Playground's initial biases
    assert any("clips" in m.value or "frozen" in m.value for m in at.markdown)
    assert any(r"\tanh" in x.value for x in _formulas(at))
    _click(at, "pg_live_step")
    assert _run(at).epoch == 1
    at = open_page(PAGE, {"pg_tfp": "true", "pg_data_c": "Three-arm spiral (3 classes)"})
    assert _run(at).rules == "nnviz" and any("only two-class" in w.value for w in at.warning)


@pytest.mark.slow
def test_outputs_follow_the_inputs():
    at = open_page(PAGE)
    loss_before = next(x.value for x in _formulas(at) if "L = " in x.value)
    at.selectbox(key="pg_data_c").set_value("spiral").run()
    assert next(x.value for x in _formulas(at) if "L = " in x.value) != loss_before
    at.checkbox(key="pg_f_sinx1").check().run()
    assert _run(at).net.widths[0] == 3
    at.selectbox(key="pg_layer").set_value("output layer").run()
    assert any(r"\hat y" in x.value for x in _formulas(at))


def test_the_pytorch_script_is_drawn_only_when_opened():
    """Closed by default (highlighting it cost a first visit 0.66 s in Chromium); a link opens it, and the script
    it shows is the one for the network on the page."""
    at = open_page(PAGE)
    assert not at.code
    at = open_page(PAGE, {"pg_script_open": "true", "pg_act": "ReLU"})
    assert_clean(at)
    (script,) = at.code
    assert "nnviz_weights.json" in script.value
    assert "nn.ReLU()" in script.value and "Tanh" not in script.value


@pytest.mark.slow
def test_regression_and_three_classes_train():
    at = open_page(PAGE, {"pg_problem": "Regression"})  # the URL holds the label shown
    _click(at, "pg_live_start")
    at.run()
    assert_clean(at)
    assert _run(at).task == "regression" and _run(at).epoch > 0
    at = open_page(PAGE, {"pg_data_c": "Three-arm spiral (3 classes)"})
    assert _run(at).task == "multiclass" and _run(at).net.widths[-1] == 3
    _click(at, "pg_live_step")
    assert_clean(at)
    assert _run(at).epoch == 1


@pytest.mark.slow
def test_divergence_and_swinging_are_explained():
    at = open_page(PAGE, {"pg_problem": "Regression", "pg_act": "ReLU", "pg_lr": "10", "pg_depth": "3"})
    _click(at, "pg_live_start")
    run_until(at, lambda a: _run(a).diverged or _run(a).done)
    assert_clean(at)
    assert _run(at).diverged and any("diverged" in w.value for w in at.warning)
    assert np.isfinite(_run(at).net.theta).all()
    at = open_page(PAGE, {"pg_data_c": "Spiral", "pg_lr": "3", "pg_stop": "200"})
    _click(at, "pg_live_start")
    run_until(at, lambda a: _run(a).done)
    assert any("swings" in w.value or "rising" in w.value for w in at.warning), [w.value for w in at.warning]


@pytest.mark.slow
def test_impossible_choices_get_messages():
    at = open_page(PAGE)
    at.checkbox(key="pg_f_x1").uncheck().run()
    at.checkbox(key="pg_f_x2").uncheck().run()
    assert_clean(at)
    assert any("No input feature" in w.value for w in at.warning)
    at.selectbox(key="pg_data_c").set_value("csv").run()
    assert any("Upload a CSV" in i.value for i in at.info)
    at.selectbox(key="pg_act").set_value("step").run()
    assert any("derivative 0" in i.value for i in at.info)
    assert errors(at) == []


@pytest.mark.slow
@pytest.mark.parametrize("query", [{}, {"pg_tfp": "true"}, {"pg_problem": "Regression", "pg_tfp": "true"}])
def test_every_widget_at_its_extremes(query):
    """Every setting at its ends, nnviz's rules and TensorFlow Playground's: no exception, no error box, and the
    conventions list always says which rules the run follows."""
    at = open_page(PAGE, query)
    assert sweep_extremes(at, skip={"pg_csv"}) > 20
    assert errors(at) == []
    rules = _run(at).rules
    said = " ".join(m.value for m in at.markdown)
    assert ("As in TensorFlow Playground" in said) == (rules == "tfp")


@pytest.mark.slow
@pytest.mark.browser
def test_browser_mid_training(browser, app_url):
    from tests.browser_utils import error_texts, screenshot, wait_until_idle
    from tests.conftest import SCREENSHOTS

    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(f"{app_url}/playground?pg_stop=100000", wait_until="domcontentloaded")
        page.wait_for_selector(".st-key-pg_live_start", timeout=120_000)
        wait_until_idle(page)
        page.locator(".st-key-pg_live_start button").click()
        page.wait_for_selector('[data-testid="stImage"] img', timeout=30_000)
        page.wait_for_timeout(2500)
        text = page.get_by_text(re.compile(r"^Epoch [0-9,]+ of ")).first.inner_text()
        assert error_texts(page) == []
        assert page.locator('[data-testid="stImage"]').count() >= 3  # live frames: network, output, curves
        screenshot(page, SCREENSHOTS, "playground_training")
        assert int(text.split(" of ")[0].replace("Epoch", "").replace(",", "").strip()) > 0
    finally:
        page.close()


@pytest.mark.slow
def test_sound_data_set_trains_like_any_set_and_plays_its_sounds():
    """The sound set from the data selector: the same live panel and network, four timbre classes placed by the
    two chosen features, and "hear a sound" with the network's answer (st.audio clips)."""
    at = open_page(PAGE, {"pg_data_c": "Sounds: timbres by ear"})
    assert_clean(at)
    assert errors(at) == []
    tr = _run(at)
    assert tr.task == "multiclass" and tr.n_classes == 4 and tr.net.widths == (2, 4, 2, 4)
    assert len(at.get("audio")) == 2  # the nearest sound and the sound the point describes
    said = " ".join(c.value for c in at.caption)
    assert "Spectral centroid: 100 Hz → −5, 8 kHz → +5 (log scale)" in said and "The network hears" in said
    X = tr.X_train.copy()
    _click(at, "pg_live_step")
    assert _run(at) is tr and tr.epoch == 1
    at.selectbox(key="pg_snd_fy").set_value("pitch").run()
    assert _run(at) is not tr and not np.array_equal(_run(at).X_train, X)  # new features: new points, new run
    at.slider(key="pg_snd_x1").set_value(-4.0).run()
    assert "sine" in " ".join(m.value for m in at.markdown if "Nearest sound" in m.value)
    at.selectbox(key="pg_snd_fx").set_value("zcr").run()
    assert any("No sound is made for a point here" in c.value for c in at.caption)
    assert len(at.get("audio")) == 1 and errors(at) == []


@pytest.mark.slow
def test_sound_set_widgets_at_their_extremes():
    at = open_page(PAGE, {"pg_data_c": "Sounds: timbres by ear"})
    assert sweep_extremes(at, skip={"pg_csv"}) > 20
    assert errors(at) == []
    at.selectbox(key="pg_snd_fy").set_value("centroid").run()  # the same feature twice: said and avoided
    assert any("same feature" in w.value for w in at.warning) and errors(at) == []


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("width", [1400, 390])
def test_browser_sound_set_plays_clips_of_the_right_length(browser, app_url, width):
    """The playground on the sound set in Chromium: no error box, every <audio> loads and lasts as long as its clip
    (0.3 s: the data's sound and the sound the point describes), none autoplays; a screenshot at each width."""
    from nnviz.topics import timbre
    from tests.browser_utils import error_texts, screenshot, wait_until_idle
    from tests.conftest import SCREENSHOTS

    page = browser.new_page(viewport={"width": width, "height": 1600})
    try:
        page.goto(f"{app_url}/playground?pg_data_c=Sounds%3A+timbres+by+ear&pg_snd_x1=-3&pg_snd_x2=4",
                  wait_until="domcontentloaded")
        page.wait_for_selector(".st-key-pg_live_start", timeout=120_000)
        wait_until_idle(page)
        page.wait_for_function("() => document.querySelectorAll('audio').length === 2", timeout=60_000)
        page.wait_for_function("() => Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)",
                               timeout=60_000)
        durations = page.evaluate("() => Array.from(document.querySelectorAll('audio')).map(a => a.duration)")
        assert durations == pytest.approx([timbre.CLIP_LEN / timbre.SR] * 2, abs=1e-3)
        assert not page.evaluate("() => Array.from(document.querySelectorAll('audio')).some(a => a.autoplay)")
        assert error_texts(page) == []
        screenshot(page, SCREENSHOTS, f"playground_sounds_{width}")
    finally:
        page.close()


def test_architecture_changes_and_training_need_no_torch(monkeypatch):
    """Issue 18: initial weights are drawn in numpy and training is numpy, so neither a first visit, nor a change
    of architecture or initialisation, nor a training step imports torch (None in sys.modules makes any
    ``import torch`` fail; importing it costs 1.5-6 s of a widget change)."""
    monkeypatch.setitem(sys.modules, "torch", None)
    at = open_page(PAGE)
    assert_clean(at)
    at.slider(key="pg_depth").set_value(3).run()
    at.selectbox(key="pg_init").set_value("he").run()
    assert_clean(at)
    assert _run(at).net.widths == (2, 4, 2, 4, 1)
    _click(at, "pg_live_step")
    assert_clean(at)
    assert _run(at).epoch == 1


_FRESH = r"""
import json, sys
sys.path.insert(0, {root!r})
from nnviz import threads, warmup
threads.limit()
warmup.start = lambda: None  # the background warm-up would import torch on its own
from nnviz import activations, features
from nnviz.topics import playground as pg
from nnviz.ui import live
from tests.apptest_utils import charts, open_page, run_until

at = open_page("playground.py")
seen = []

def change(key, value, kind):
    getattr(at, kind)(key=key).set_value(value).run()
    run = live.live_run("pg_live", at.session_state)
    seen.append([key, str(value), [str(e.value) for e in at.exception], list(run.net.widths),
                 at.selectbox(key="pg_init").value, [p.key for p in run.net.phis], "torch" in sys.modules])

change("pg_depth", 8, "slider")
for i in range(1, 9):
    change(f"pg_n{{i}}", 8, "number_input")
for i in range(1, 9):
    change(f"pg_n{{i}}", 16, "number_input")
change("pg_depth", 1, "slider")
change("pg_n1", 1, "number_input")
change("pg_depth", 0, "slider")
change("pg_depth", 2, "slider")
for init in pg.INITS:
    change("pg_init", init, "selectbox")
for i in range(10):
    change("pg_seed", 9999 - i, "number_input")
for key in activations.names():
    change("pg_act", key, "selectbox")
for k in features.FEATURES:
    change(f"pg_f_{{k}}", True, "checkbox")
for k in features.FEATURES:
    if k != "sinx2":
        change(f"pg_f_{{k}}", False, "checkbox")
change("pg_tfp", True, "checkbox")
before = "torch" in sys.modules
at.button(key="pg_live_start").click().run()
trained = run_until(at, lambda a: live.live_run("pg_live", a.session_state).epoch >= 3, 120)
print(json.dumps({{"changes": seen, "before": before, "trained": trained,
                  "exceptions": [str(e.value) for e in at.exception], "after": "torch" in sys.modules}}))
"""


@pytest.mark.slow
def test_architecture_extremes_in_a_fresh_process_import_no_torch():
    """In a fresh process (nothing imported torch yet): 8 hidden layers of 8 and of 16, one of one, none, every
    initialisation, ten seeds, every activation, every feature set from all to one, TensorFlow Playground's rules,
    and then Train: no change imports torch, and training runs without it."""
    import json

    from nnviz.activations import names
    from nnviz.catalog import ROOT
    from nnviz.features import FEATURES
    from nnviz.topics import playground as pg

    got = json.loads(run_python(_FRESH.format(root=str(ROOT)), timeout=900, warmup=False).strip().splitlines()[-1])
    changes = got["changes"]
    assert [c for c in changes if c[2]] == []  # no exception at any setting
    assert not any(c[6] for c in changes) and not got["before"] and not got["after"]
    assert got["trained"] and got["exceptions"] == []
    widths = [tuple(c[3]) for c in changes]
    assert (2, 8, 8, 8, 8, 8, 8, 8, 8, 1) in widths and (2, *[16] * 8, 1) in widths
    assert (2, 1, 1) in widths and (2, 1) in widths
    assert {c[4] for c in changes} == set(pg.INITS)
    assert {k for c in changes for k in c[5]} == set(names())
    # features switched on one by one (x1, x2 already were), then off but sin(x2), then TensorFlow Playground's rules
    n = len(FEATURES)
    assert [w[0] for w in widths[-2 * n:]] == [2, 2, *range(3, n + 1), *range(n - 1, 0, -1), 1]
