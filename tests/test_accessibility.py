"""Accessibility (issue 19): every figure has a text alternative computed from its data, every control a unique
name on its page, and (browser, slow) axe-core finds no serious or critical violation of the app's own markup."""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from nnviz.catalog import PAGES
from nnviz.figures import style
from tests.apptest_utils import _settable, assert_clean, charts, extreme_values, open_page

# --- describe(): the text alternative of a figure ------------------------------------------------------------


def _loss_figure(final: float = 0.02, epochs: int = 400) -> go.Figure:
    e = np.arange(epochs + 1, dtype=float)
    loss = final + (0.69 - final) * np.exp(-e / 40)
    return style.make_figure([go.Scatter(x=e, y=loss, name="Training loss", mode="lines")],
                             title="Loss while training", x_title="epoch", y_title="loss")


def test_line_says_title_axes_and_where_the_curve_goes():
    text = style.describe(_loss_figure())
    assert "Loss while training" in text
    assert "epoch" in text and "loss" in text
    assert "Training loss: falls from 0.69 to 0.02" in text
    assert "as epoch goes 0 to 400" in text


def test_rising_and_flat_curves_say_so():
    x = np.linspace(-1, 1, 50)
    fig = go.Figure([go.Scatter(x=x, y=x ** 3, name="cube"), go.Scatter(x=x, y=0 * x + 2, name="two"),
                     go.Scatter(x=x, y=x ** 2, name="square")])
    text = style.describe(fig)
    assert "cube: rises from -1 to 1" in text
    assert "two: stays at 2" in text
    assert "square: returns from 1 to 1 (lowest" in text


def test_scatter_counts_points_and_gives_their_ranges():
    fig = go.Figure(go.Scatter(x=[0.5, -2.0, 3.0], y=[1.0, 4.0, -1.0], mode="markers", name="class 1"))
    text = style.describe(fig)
    assert "class 1: 3 points" in text and "x -2 to 3" in text and "y -1 to 4" in text


def test_heatmap_and_surface_give_the_range_of_z():
    z = np.array([[0.0, 1.0], [2.0, 5.0]])
    heat = style.describe(go.Figure(go.Heatmap(z=z, x=[10, 20], y=[-1, 1], name="output")))
    assert "output: values from 0 to 5" in heat and "10 to 20" in heat
    surf = style.describe(go.Figure(go.Surface(z=-z, name="loss surface")))
    assert "loss surface: values from -5 to 0" in surf


def test_empty_figure_says_it_is_empty():
    assert style.describe(go.Figure()) == "Chart. No data shown."
    assert "No data shown" in style.describe(style.make_figure([], title="Nothing yet"))


def test_text_changes_when_the_result_changes():
    assert style.describe(_loss_figure(0.02)) != style.describe(_loss_figure(0.05))
    assert style.describe(_loss_figure(epochs=400)) != style.describe(_loss_figure(epochs=200))
    z = np.arange(6.0).reshape(2, 3)
    assert style.describe(go.Figure(go.Heatmap(z=z))) != style.describe(go.Figure(go.Heatmap(z=2 * z)))


def test_length_is_bounded_and_extra_series_are_counted():
    x = np.arange(10.0)
    fig = go.Figure([go.Scatter(x=x, y=x * k, name=f"a rather long series name number {k}") for k in range(60)])
    text = style.describe(fig)
    assert len(text) <= style.ALT_MAX_CHARS
    assert "more series" in text


def test_html_and_nan_do_not_leak_into_the_text():
    fig = style.make_figure([go.Scatter(x=[0, 1, 2], y=[np.nan, 1.0, 3.0], name="h<sub>1</sub>")],
                            title="Layer<br>output", x_title="$x$")
    text = style.describe(fig)
    assert "<" not in text and "$" not in text and "nan" not in text.lower()
    assert "h1: rises from 1 to 3" in text and "Layer output" in text


def test_a_cached_figure_dict_is_described_by_its_numbers():
    """Views cache ``fig.to_dict()``, which stores arrays as base64 typed arrays: the text must still read them."""
    fig = _loss_figure()
    assert style.describe(fig.to_dict()) == style.describe(fig)
    assert "no values" not in style.describe(fig.to_dict())


# --- data_table / data_csv: the numbers behind a figure ----------------------------------------------------------

def _rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


def test_csv_of_a_line_has_a_row_per_point_named_after_the_axes():
    e = np.arange(4.0)
    fig = style.make_figure([go.Scatter(x=e, y=0.5 ** e, name="Training loss", mode="lines"),
                             go.Scatter(x=[0, 3], y=[0.1, 0.1], name="floor", mode="lines")],
                            x_title="epoch", y_title="loss")
    rows = _rows(style.data_csv(fig))
    assert rows[0] == ["series", "epoch", "loss"]
    assert rows[1:5] == [["Training loss", str(float(k)), repr(0.5 ** k)] for k in range(4)]
    assert rows[5:] == [["floor", "0", "0.1"], ["floor", "3", "0.1"]]


def test_csv_of_a_heat_map_has_a_row_per_cell_and_survives_to_dict():
    z = np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
    fig = style.make_figure([go.Heatmap(z=z, x=[10, 20, 30], y=[-1, 1], name="output")], x_title="x1",
                            y_title="x2")
    header, rows = style.data_table(fig)
    assert header == ["series", "x1", "x2", "z"]
    assert [r[1:] for r in rows] == [[10, -1, 0.0], [20, -1, 1.0], [30, -1, 2.0], [10, 1, 3.0], [20, 1, 4.0],
                                     [30, 1, 5.0]]
    assert style.data_csv(fig.to_dict()) == style.data_csv(fig)


def test_csv_leaves_out_labels_and_marks_gaps_and_separate_axes():
    fig = style.make_figure([go.Scatter(x=[0, 1, None, 2], y=[1, 2, None, 3], name="edges", mode="lines"),
                             go.Scatter(x=[0], y=[0], mode="text", text=["a label"]),
                             go.Scatter(x=[5, 6], y=[7, np.nan], name="right", xaxis="x2", yaxis="y2")],
                            x_title="left x", y_title="left y")
    header, rows = style.data_table(fig)
    assert header == ["series", "x", "y", "x axis", "y axis"]
    assert [r[0] for r in rows] == ["edges"] * 3 + ["right"] * 2  # the gap row and the text label are left out
    assert rows[-1] == ["right", 6, "", "x", "y"] and rows[0][3:] == ["left x", "left y"]


def test_a_long_figure_is_thinned_to_the_bound_keeping_each_series_ends():
    x = np.arange(10_000.0)
    fig = go.Figure([go.Scatter(x=x, y=2 * x, name="a"), go.Scatter(x=x, y=-x, name="b")])
    header, rows = style.data_table(fig, max_rows=1_000)
    assert len(rows) <= 1_000
    a = [r for r in rows if r[0] == "a"]
    assert a[0][1:] == [0.0, 0.0] and a[-1][1:] == [9999.0, 19998.0] and len(a) >= 400
    assert all(r[2] == 2 * r[1] for r in a)


def test_a_figure_of_labels_only_has_no_data_and_names_come_from_the_figure():
    from nnviz.figures.home import nested_fields

    assert style.figure_name(nested_fields()) is None
    assert style.figure_name(_loss_figure()) == "Loss while training"
    untitled = style.make_figure([go.Scatter(x=[0, 1], y=[1, 0])], x_title="epoch", y_title="loss")
    assert style.figure_name(untitled) == "loss against epoch"
    diagram = style.make_figure([go.Scatter(x=[0, 1], y=[0, 1], mode="markers+lines")], title="A network",
                                xaxis={"visible": False}, yaxis={"visible": False})
    assert style.figure_name(diagram) is None  # node positions are not data


def test_the_data_behind_a_figure_is_built_only_when_asked(monkeypatch):
    """Every chart with numbers gets a download button, and a page run builds none of the tables."""
    calls = []
    real = style.data_csv
    monkeypatch.setattr(style, "data_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = open_page("single_neuron.py")
    assert_clean(at)
    buttons = [b for b in at.get("download_button") if b.label.startswith("Data: ")]
    assert len(buttons) >= len(charts(at)) - 1 > 0
    assert calls == []


# --- pages: unique names, a text alternative on every chart ---------------------------------------------------

#: Widget kinds AppTest exposes with a label.
_KINDS = ("slider", "select_slider", "selectbox", "radio", "checkbox", "toggle", "number_input", "text_input",
          "text_area", "multiselect", "button", "download_button", "color_picker", "date_input")

def _labels(at) -> list[str]:
    """Every control's name as a screen reader says it: case and surrounding spaces do not tell two apart."""
    return [" ".join(w.label.split()).casefold() for kind in _KINDS for w in getattr(at, kind)]


@pytest.mark.parametrize("spec", list(PAGES), ids=lambda p: p.url_path)
def test_every_control_has_a_unique_name_and_every_chart_a_text_alternative(spec):
    at = open_page(spec.file)
    assert_clean(at)
    labels = _labels(at)
    assert all(label.strip() for label in labels), "a control without a name"
    repeated = {label: n for label, n in collections.Counter(labels).items() if n > 1}
    assert not repeated, f"{spec.file}: controls sharing a name {repeated}"
    for chart in charts(at):
        assert chart.alt.strip(), f"{spec.file}: a chart without a text alternative"


def _charts(at) -> dict[str, tuple[str, str]]:
    """Each keyed chart on the page by its key: (a digest of its plotted data, its text alternative). The element
    id is "$$ID-<hash of its parameters>-<key>": the hash changes with the figure, the key does not."""
    out = {}
    for chart in charts(at):
        key = chart.id.split("-", 2)[-1]
        if key and key != "None":
            data = json.dumps(json.loads(chart.spec).get("data", []), sort_keys=True)
            out[key] = (str(hash(data)), chart.alt)
    return out


#: Widget changes tried per page: enough to move every page's main figures, bounded so the sweep stays short.
_ALT_SWEEP_WIDGETS = 8
#: Where a page's first tab is driven by typed text (depth: two architectures), the sweep opens a tab of sliders.
_ALT_SWEEP_LINK = {"depth.py": {"dp_tab": "Sawtooth"}}


@pytest.mark.slow
@pytest.mark.parametrize("spec", list(PAGES), ids=lambda p: p.url_path)
def test_a_charts_text_alternative_changes_when_its_data_does(spec):
    """WCAG 1.1.1 done properly: the text is computed from the result, so a chart whose plotted numbers change
    (a widget moved to its ends) must say something different at least once, and the page must have such a chart.
    A fixed caption passed as alt text fails here."""
    at = open_page(spec.file, _ALT_SWEEP_LINK.get(spec.file))
    assert_clean(at)
    seen: dict[str, tuple[set, set]] = collections.defaultdict(lambda: (set(), set()))

    def record() -> None:
        for cid, (data, alt) in _charts(at).items():
            seen[cid][0].add(data)
            seen[cid][1].add(alt)

    record()
    for key in [w.key for w in _settable(at)][:_ALT_SWEEP_WIDGETS]:
        widget = next((w for w in _settable(at) if w.key == key), None)
        if widget is None:
            continue
        original = widget.value
        other = next((v for v in extreme_values(widget) if v != original), None)
        if other is None:
            continue
        widget.set_value(other)
        at.run()
        assert_clean(at)
        record()
        widget = next((w for w in _settable(at) if w.key == key), None)
        if widget is not None:
            widget.set_value(original)
            at.run()
    changed = {cid: alts for cid, (datas, alts) in seen.items() if len(datas) > 1}
    if not charts(at):
        pytest.skip(f"{spec.file} shows no chart at its defaults")
    assert changed or not _settable_any(at), f"{spec.file}: no chart's data changed under {_ALT_SWEEP_WIDGETS} widgets"
    frozen = [cid for cid, alts in changed.items() if len(alts) < 2]
    assert not frozen, f"{spec.file}: charts whose data changed but whose text alternative did not: {frozen}"


def _settable_any(at) -> bool:
    return next(iter(_settable(at)), None) is not None


def _contrast_with_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_every_data_colour_has_3_to_1_contrast_on_white():
    """WCAG 1.4.11: curves and markers (the figures' lessons) are graphical objects, 3:1 against the background."""
    colours = {*style.SERIES, *style.CLASS_COLOURS, style.POSITIVE, style.NEGATIVE, style.MODEL, style.TARGET,
               style.TRAIN, style.TEST, style.COMPARE, style.GREY}
    low = {c: round(_contrast_with_white(c), 2) for c in colours if _contrast_with_white(c) < 3.0}
    assert not low, f"colours under 3:1 on white: {low}"
    assert _contrast_with_white("#E69F00") < 3.0  # Okabe-Ito's own orange, which this test rejects


# --- axe-core in Chromium (browser, slow) ---------------------------------------------------------------------

#: Where axe-core's browser bundle is: $AXE_JS, else where `.ci/run` installs it
#: (`npm install --prefix /tmp/axe axe-core@4.14.1`).
AXE_JS = Path(os.environ.get("AXE_JS", "/tmp/axe/node_modules/axe-core/axe.min.js"))

#: WCAG 2.0/2.1 A and AA rules only (axe's best-practice rules are not part of the standard).
_AXE_RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .flatMap(v => v.nodes.map(n => ({rule: v.id, target: n.target.join(' '), html: n.html.slice(0, 200)})));
}"""

#: Violations caused by Streamlit's own components, which the app cannot change: (rule id, a CSS selector the
#: offending element matches). Empty since session 4: Streamlit's sidebar navigation broke WCAG 1.3.1 (its <ul>
#: held section <div>s, so axe's "list" and "listitem" rules failed on every page); the router now draws its own
#: navigation as plain page links (nnviz.ui.page_links), which axe passes. Add an entry only for markup the app
#: cannot change, with the rule, the element and why.
AXE_ALLOWED: tuple[tuple[str, str], ...] = ()


def _allowed(page, violation: dict) -> bool:
    return any(violation["rule"] == rule and page.evaluate(
        "([t, s]) => { const e = document.querySelector(t); return !!e && e.matches(s); }",
        [violation["target"], selector]) for rule, selector in AXE_ALLOWED)


@pytest.mark.browser
@pytest.mark.parametrize("classroom", [False, True], ids=["default", "classroom"])
@pytest.mark.parametrize("spec", list(PAGES), ids=lambda s: s.url_path)
def test_axe_finds_no_serious_violation_of_the_apps_own_markup(browser, app_url, spec, classroom):
    if not AXE_JS.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is required under CI: npm install --prefix /tmp/axe axe-core@4.14.1 ({AXE_JS})")
        pytest.skip(f"axe-core not found at {AXE_JS} (set AXE_JS)")
    from tests.browser_utils import wait_until_idle

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        path = "" if spec.file == "home.py" else spec.url_path
        page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
        wait_until_idle(page)
        if classroom:
            page.locator('[data-testid="stSidebar"]').get_by_text("Classroom mode", exact=True).click()
            wait_until_idle(page)
        page.add_script_tag(path=str(AXE_JS))
        found = [v for v in page.evaluate(_AXE_RUN) if not _allowed(page, v)]
    finally:
        page.close()
    assert not found, "\n".join(f"{v['rule']}: {v['target']}  {v['html']}" for v in found)



# --- motion and sound: nothing moves or plays until the student asks (issue 19 item 5) -------------------------

#: Where a call may pass a non-False ``autoplay``: the clip helper forwards its argument, and the sound set's
#: listening map asks for it on the one run that answers a click on a sound (a click is the student's request).
AUTOPLAY_ALLOWED = {"nnviz/ui/sound.py:clip", "nnviz/ui/sound_data.py:_play", "nnviz/ui/sound_data.py:hear_section"}


def test_nothing_autoplays_but_the_answer_to_a_click():
    """No st.audio / st.video call in the app passes a true ``autoplay``, except to answer a click (never a constant
    True anywhere); the browser test of the listening map checks that the clip plays after the click."""
    import ast

    from nnviz.catalog import ROOT

    found, constant_true = set(), []
    for path in [*ROOT.glob("nnviz/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        tree = ast.parse(path.read_text(), str(path))
        owner = {}  # each call -> the innermost function around it (outer functions are walked first)
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            owner.update({id(c): fn.name for c in ast.walk(fn) if isinstance(c, ast.Call)})
        for node in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            for kw in node.keywords:
                if kw.arg != "autoplay" or (isinstance(kw.value, ast.Constant) and not kw.value.value):
                    continue
                where = f"{path.relative_to(ROOT)}:{owner.get(id(node), '<module>')}"
                found.add(where)
                if isinstance(kw.value, ast.Constant):
                    constant_true.append(f"{where}:{node.lineno}")
    assert constant_true == [], f"autoplay=True at {constant_true}"
    assert found <= AUTOPLAY_ALLOWED, f"autoplay asked for outside a click's answer: {found - AUTOPLAY_ALLOWED}"


@pytest.mark.slow
@pytest.mark.parametrize("spec", list(PAGES), ids=lambda p: p.url_path)
def test_nothing_runs_or_plays_on_arrival(spec):
    """On arrival no live panel is running, none asks for timed reruns, and no clip is set to autoplay."""
    from nnviz import ui

    at = open_page(spec.file)
    assert_clean(at)
    panels = [k for k in at.session_state.keys()  # noqa: SIM118 (not a dict)
              if isinstance(at.session_state[k], dict) and {"run", "running"} <= set(at.session_state[k])]
    assert not [k for k in panels if ui.is_running(k, at.session_state)], "a live panel runs without a press"
    assert not any(getattr(a.proto, "autoplay", False) for a in at.get("audio")), "a clip plays by itself"
    if spec.file in ("single_neuron.py", "playground.py", "skip_and_feedback.py"):
        assert panels, "the panels on this page were found (else the check above tests nothing)"


#: A focused element counts as visibly focused when it, or one of its three nearest ancestors (Streamlit styles a
#: slider's thumb, and a select or number box's frame), draws an outline, a box-shadow ring or a border in the
#: theme's primary colour.
_FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  // the theme's primary colour (#0072B2), allowing for a colour transition still under way
  const near = c => { const v = (c.match(/[\\d.]+/g) || []).map(Number);
    return v.length >= 3 && Math.abs(v[0] - 0) < 12 && Math.abs(v[1] - 114) < 12 && Math.abs(v[2] - 178) < 12; };
  let shown = false;
  for (let el = e, k = 0; el && k < 4 && !shown; el = el.parentElement, k++) {
    const s = getComputedStyle(el);
    shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'
      || (k > 0 && parseFloat(s.borderWidth) >= 1 && near(s.borderColor));
  }
  return {tag: e.tagName, type: e.type || '', role: e.getAttribute('role') || '', disabled: !!e.disabled,
          name: (e.getAttribute('aria-label') || e.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 60),
          shown: shown};
}"""


def _tab_to(page, wanted, limit: int = 400) -> tuple[dict, list[dict]]:
    """Press Tab until the focused element satisfies ``wanted``; returns it and every stop on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(_FOCUS_JS)
        if stop is None:
            continue
        if not stop["shown"]:  # a frame's colour fades in (Streamlit's transition): look again once it has
            page.wait_for_timeout(400)
            stop = page.evaluate(_FOCUS_JS) or stop
        stops.append(stop)
        if wanted(stop):
            return stop, stops
    raise AssertionError(f"not reached by keyboard in {limit} presses; stops: {[s['name'] for s in stops[-20:]]}")


# The longest run each panel offers, so that it is still playing when Space reaches Pause: at the defaults one
# neuron's 1,000 epochs take ~2 s, and under a busy core the Tab presses between "Pause is enabled" and Space took
# longer (the run had finished, so no Resume appeared). The neuron's learning rate is one no other test uses: its
# panel shares finished runs across sessions, and a run another test finished would skip playing altogether.
LONG_RUNS = {"single_neuron": "sn_epochs=5000&sn_lr=0.37", "playground": "pg_stop=100000"}


@pytest.mark.browser
@pytest.mark.parametrize(("path", "start"), [("single_neuron", "Train: "), ("playground", "Play: ")])
def test_keyboard_alone_reaches_a_slider_and_runs_and_pauses_a_live_panel(browser, app_url, path, start):
    from tests.browser_utils import wait_until_idle

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{app_url}/{path}?{LONG_RUNS[path]}", wait_until="domcontentloaded")
        wait_until_idle(page)
        _, before = _tab_to(page, lambda s: s["type"] == "range")  # a slider
        button, stops = _tab_to(page, lambda s: s["tag"] == "BUTTON" and start in s["name"])
        # Streamlit's main area takes focus to scroll by keyboard and shows no ring: the one stop allowed unmarked.
        unmarked = [s["name"][:30] for s in before + stops if not s["shown"] and s["tag"] != "MAIN"]
        assert unmarked == [], f"focus not visible on {unmarked}"
        pause = page.locator("button", has_text="Pause: ").first
        assert not pause.is_enabled(), "nothing runs before the start button is pressed"
        page.keyboard.press("Enter")
        pause.wait_for(state="visible")
        page.wait_for_function("() => Array.from(document.querySelectorAll('button'))"
                               ".some(b => b.innerText.includes('Pause: ') && !b.disabled)", timeout=60_000)
        # The start button is disabled while the run plays, so focus leaves it; the next Tab lands on Pause.
        stop, _ = _tab_to(page, lambda s: s["tag"] == "BUTTON" and "Pause: " in s["name"], limit=5)
        assert stop["shown"]
        page.keyboard.press("Space")
        page.wait_for_function("() => Array.from(document.querySelectorAll('button'))"
                               ".some(b => b.innerText.includes('Resume: ') && !b.disabled)", timeout=60_000)
        assert not pause.is_enabled(), "Space on Pause paused the run"
    finally:
        page.close()


@pytest.mark.browser
def test_a_figures_data_downloads_as_csv_when_pressed(browser, app_url):
    """The deferred download works through the real server: the file is the figure's table, made on the press."""
    from tests.browser_utils import wait_until_idle

    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page.goto(f"{app_url}/single_neuron", wait_until="domcontentloaded")
        wait_until_idle(page)
        button = page.locator('[data-testid="stDownloadButton"] button', has_text="Data: Firing rate").first
        with page.expect_download(timeout=60_000) as download:
            button.click()
        text = Path(download.value.path()).read_text()
        header, *rows = [line.split(",") for line in text.strip().splitlines()]
        assert header[0] == "series" and len(header) >= 3 and len(rows) > 10
        assert download.value.suggested_filename.endswith(".csv")
    finally:
        page.close()
