"""Drive a Streamlit page in a real browser: wait until it has finished running, look for errors."""

from __future__ import annotations

from pathlib import Path

#: A chart's element on the page, whichever draws it: nnviz's chart component (nnviz/ui/chart.py) or st.plotly_chart.
CHART = ':is(.stBidiComponent, [data-testid="stPlotlyChart"])'


def wait_until_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait for the page's title to render, its script run to finish, and every chart to draw."""
    page.wait_for_selector("h1", timeout=timeout_ms)
    # The router (app.py) has run once its sidebar toggle is there; before that a first paint can show a
    # page without the app's navigation and layout.
    page.wait_for_selector('[data-testid="stSidebar"] >> text=Classroom mode', timeout=timeout_ms, state="attached")
    _wait_quiet(page, timeout_ms)
    page.wait_for_function(
        "(chart) => Array.from(document.querySelectorAll(chart)).every(c => c.querySelector('.main-svg'))",
        arg=CHART, timeout=timeout_ms,
    )
    page.wait_for_timeout(1000)


def error_texts(page) -> list[str]:
    """Texts of exception boxes and error alerts on the page."""
    boxes = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    return [boxes.nth(i).inner_text() for i in range(boxes.count())]


#: Every toast the page shows, recorded as it appears and as its text fills in (window.__nnvizToasts: text and
#: HTML per toast). Streamlit removes a toast after a few seconds, so reading the page after waiting for one can
#: find it gone already on a loaded machine.
_TOAST_RECORDER = """
window.__nnvizToasts = [];
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="stToast"]').forEach(t => {
    if (t.__nnvizToast === undefined) { t.__nnvizToast = window.__nnvizToasts.length; window.__nnvizToasts.push({}); }
    if (t.innerText) window.__nnvizToasts[t.__nnvizToast] = {text: t.innerText, html: t.innerHTML};
  });
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def record_toasts(page) -> None:
    """Record every toast ``page`` shows from its next navigation on (call before ``goto``)."""
    page.add_init_script(_TOAST_RECORDER)


def toasts_shown(page, containing: str, timeout_ms: int = 90_000) -> list[dict]:
    """Once a toast containing ``containing`` has been shown: every toast shown so far, ``{"text", "html"}``."""
    page.wait_for_function("t => (window.__nnvizToasts || []).some(x => (x.text || '').includes(t))",
                           arg=containing, timeout=timeout_ms)
    return [t for t in page.evaluate("window.__nnvizToasts") if t]


def screenshot(page, folder: Path, name: str, max_height: int = 12_000) -> Path:
    """Save the whole page: Streamlit scrolls inside its main container, so grow the viewport to fit it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    height = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stAppViewContainer\"]')).map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(max_height, int(height) + 50)})
    page.wait_for_timeout(1200)  # let plotly relayout at the new size
    page.screenshot(path=str(path), full_page=True)
    return path


def _wait_quiet(page, timeout_ms: int, quiet_ms: int = 1500, poll_ms: int = 250) -> None:
    """Wait until Streamlit's running indicator has been absent for ``quiet_ms`` in a row."""
    quiet, waited = 0, 0
    while quiet < quiet_ms:
        if waited > timeout_ms:
            raise TimeoutError("the page kept running")
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        quiet = 0 if running else quiet + poll_ms
        page.wait_for_timeout(poll_ms)
        waited += poll_ms
