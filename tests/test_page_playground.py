"""The playground page under AppTest (training through the live fragment) and in a real browser mid-training."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.apptest_utils import assert_clean, errors, open_page

PAGE = "playground.py"


def _trainer(at):
    return at.session_state["pg_live"]["trainer"]


def _click(at, key):
    at.button(key=key).click()
    at.run()


def test_defaults_show_every_view_without_errors():
    at = open_page(PAGE)
    assert_clean(at)
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 4  # network, output map, loss curves, family
    assert any("h_{1}" in x.value for x in at.latex)
    tr = _trainer(at)
    assert tr.epoch == 0 and tr.net.widths == (2, 4, 2, 1) and tr.hyper.batch_size == 10


def test_play_trains_and_step_and_reset_do_what_they_say():
    at = open_page(PAGE)
    theta0 = _trainer(at).net.theta.copy()
    _click(at, "pg_play")
    at.run()  # a tick of the fragment: trains for a time slice
    assert_clean(at)
    tr = _trainer(at)
    assert tr.epoch > 0 and not np.array_equal(tr.net.theta, theta0)
    assert at.session_state["pg_live"]["running"]
    _click(at, "pg_pause")
    epoch = _trainer(at).epoch
    _click(at, "pg_step")
    assert _trainer(at).epoch == epoch + 1
    _click(at, "pg_reset")
    assert _trainer(at).epoch == 0
    assert np.array_equal(_trainer(at).net.theta, theta0)  # the same seed, the same initial weights


def test_stop_epoch_ends_the_run():
    at = open_page(PAGE, {"pg_stop": "10"})
    _click(at, "pg_play")
    for _ in range(3):
        at.run()
    tr = _trainer(at)
    assert tr.epoch == 10 and tr.done
    assert not at.session_state["pg_live"]["running"]
    assert any("Reached the stop epoch" in c.value for c in at.caption)


def test_learning_rate_changes_keep_the_run_but_architecture_changes_restart_it():
    at = open_page(PAGE)
    _click(at, "pg_step")
    tr = _trainer(at)
    at.selectbox(key="pg_lr").set_value(0.3).run()
    assert _trainer(at) is tr and tr.hyper.lr == 0.3 and tr.epoch == 1
    at.slider(key="pg_depth").set_value(3).run()
    assert _trainer(at) is not tr and _trainer(at).net.widths == (2, 4, 2, 4, 1)


def test_outputs_follow_the_inputs():
    at = open_page(PAGE)
    loss_before = next(x.value for x in at.latex if "L = " in x.value)
    at.selectbox(key="pg_data_c").set_value("spiral").run()
    assert next(x.value for x in at.latex if "L = " in x.value) != loss_before
    at.checkbox(key="pg_f_sinx1").check().run()
    assert _trainer(at).net.widths[0] == 3
    at.selectbox(key="pg_layer").set_value("output layer").run()
    assert any(r"\hat y" in x.value for x in at.latex)


def test_regression_and_three_classes_train():
    at = open_page(PAGE, {"pg_problem": "Regression"})  # the URL holds the label shown
    _click(at, "pg_play")
    at.run()
    assert_clean(at)
    assert _trainer(at).task == "regression" and _trainer(at).epoch > 0
    at = open_page(PAGE, {"pg_data_c": "Three-arm spiral (3 classes)"})
    assert _trainer(at).task == "multiclass" and _trainer(at).net.widths[-1] == 3
    _click(at, "pg_step")
    assert_clean(at)
    assert _trainer(at).epoch == 1


def test_divergence_is_explained_not_plotted_as_nan():
    at = open_page(PAGE, {"pg_problem": "Regression", "pg_act": "ReLU", "pg_lr": "10", "pg_depth": "3"})
    _click(at, "pg_play")
    for _ in range(4):
        at.run()
        if _trainer(at).diverged:
            break
    assert_clean(at)
    assert _trainer(at).diverged
    assert any("diverged" in w.value for w in at.warning)
    assert np.isfinite(_trainer(at).net.theta).all()


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


@pytest.mark.browser
def test_browser_mid_training(browser, app_url):
    from tests.browser_utils import error_texts, screenshot, wait_until_idle
    from tests.conftest import SCREENSHOTS

    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(f"{app_url}/playground?pg_stop=100000", wait_until="domcontentloaded")
        page.wait_for_selector(".st-key-pg_play", timeout=120_000)
        wait_until_idle(page)
        page.locator(".st-key-pg_play button").click()
        page.wait_for_selector(".st-key-pg_pause", timeout=30_000)
        page.wait_for_timeout(2500)
        page.wait_for_selector('[data-testid="stImage"] img', timeout=30_000)
        text = page.get_by_text(re.compile(r"^Epoch [0-9,]+ / ")).first.inner_text()
        assert error_texts(page) == []
        assert page.locator('[data-testid="stImage"]').count() >= 3  # live frames: network, output, curves
        screenshot(page, SCREENSHOTS, "playground_training")
        epoch = int(text.split("/")[0].replace("Epoch", "").replace(",", "").strip())
        assert epoch > 0
    finally:
        page.close()
