"""Drive a Streamlit page in a real browser: wait until it has finished running, look for errors."""

from __future__ import annotations

from pathlib import Path

RUNNING = '[data-testid="stStatusWidget"]'


def wait_until_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait for the app to render and finish its script run, and for plotly charts to draw."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout_ms)
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.trim() === ''",
        timeout=timeout_ms,
    )
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length =="
        " document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length / 2"
        " || document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .js-plotly-plot').length =="
        " document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(800)


def error_texts(page) -> list[str]:
    """Texts of exception boxes and error alerts on the page."""
    boxes = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    return [boxes.nth(i).inner_text() for i in range(boxes.count())]


def screenshot(page, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
