"""The playground's listening map in Chromium: a click on a sound plays that sound, a click off the data plays the
sound the place describes, each through a visible <audio> player of the clip's length with the network's answer."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

URL = "/playground?pg_data_c=Sounds%3A+timbres+by+ear"
MAP = '[class*="st-key-pg_snd_map_"] .js-plotly-plot'

#: In the page: the pixel (client coordinates) of data point (x, y) of the listening map.
_PIXEL = """([x, y]) => {
  const gd = document.querySelector('MAP');
  const L = gd._fullLayout, r = gd.getBoundingClientRect();
  return [r.left + L._size.l + L.xaxis.l2p(x), r.top + L._size.t + L.yaxis.l2p(y)];
}""".replace("MAP", MAP, 1)

#: In the page: a grid place of the map far from every data point (so a click there is a click on the plane).
_EMPTY = """() => {
  const gd = document.querySelector('MAP');
  const d = gd._fullData;  // plotly.js's decoded traces (the figure sends typed arrays)
  const pts = d.slice(1).flatMap(t => Array.from(t.x).map((x, i) => [x, t.y[i]]));
  let best = null, far = -1;
  for (let i = 0; i < d[0].x.length; i++) {
    const gx = d[0].x[i], gy = d[0].y[i];
    if (Math.abs(gx) > 5 || Math.abs(gy) > 5) continue;
    const gap = Math.min(...pts.map(([x, y]) => Math.hypot(x - gx, y - gy)));
    if (gap > far) { far = gap; best = [gx, gy]; }
  }
  return best;
}""".replace("MAP", MAP, 1)


def _clicked_audio(page) -> dict:
    """Wait for the clicked sound's player and return its duration, autoplay flag and the heading."""
    page.wait_for_selector("text=You clicked", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('audio').length === 3", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('audio')[0].readyState >= 1", timeout=60_000)
    return page.evaluate("""() => {
      const a = document.querySelectorAll('audio')[0];
      const head = Array.from(document.querySelectorAll('p')).find(p => p.innerText.startsWith('You clicked'));
      return {duration: a.duration, autoplay: a.autoplay, heading: head ? head.innerText : ''};
    }""")


@pytest.mark.parametrize("width", [1400, 390])
def test_clicking_a_sound_and_the_plane_plays_them(browser, app_url, width):
    from nnviz.topics import timbre
    from tests.browser_utils import error_texts, screenshot, wait_until_idle
    from tests.conftest import SCREENSHOTS

    page = browser.new_page(viewport={"width": width, "height": 1600})
    try:
        page.goto(app_url + URL, wait_until="domcontentloaded")
        page.wait_for_selector(".st-key-pg_live_start", timeout=120_000)
        wait_until_idle(page)
        page.locator(MAP).scroll_into_view_if_needed()
        assert page.evaluate("() => document.querySelectorAll('audio').length") == 2  # the sliders' two
        # A data point: the first sound of the second class trace
        x, y = page.evaluate(f"() => {{ const t = document.querySelector('{MAP}')._fullData[2]; "
                             "return [t.x[0], t.y[0]]; }")
        px, py = page.evaluate(_PIXEL, [x, y])
        page.mouse.move(px, py)
        page.wait_for_timeout(300)
        page.mouse.click(px, py)
        got = _clicked_audio(page)
        assert got["duration"] == pytest.approx(timbre.CLIP_LEN / timbre.SR, abs=1e-3)
        assert got["autoplay"]  # the click asked for it
        assert f"({x:.1f}, {y:.1f})" in got["heading"] and "point" in got["heading"]
        assert "The network hears" in page.inner_text("body")
        assert error_texts(page) == []
        screenshot(page, SCREENSHOTS, f"playground_sound_click_{width}")
        page.set_viewport_size({"width": width, "height": 1600})
        page.wait_for_timeout(1500)  # plotly relayouts at the smaller size

        # An empty place of the plane: the sound its features describe
        gx, gy = page.evaluate(_EMPTY)
        page.locator(MAP).scroll_into_view_if_needed()
        px, py = page.evaluate(_PIXEL, [gx, gy])
        page.mouse.move(px, py)
        page.wait_for_timeout(300)
        page.mouse.click(px, py)
        page.wait_for_function("(want) => Array.from(document.querySelectorAll('p'))"
                               ".some(p => p.innerText.startsWith('You clicked') && p.innerText.includes(want))",
                               arg=f"the sound at ({gx:.1f}, {gy:.1f})", timeout=60_000)
        got = _clicked_audio(page)
        assert got["duration"] == pytest.approx(timbre.CLIP_LEN / timbre.SR, abs=1e-3)
        assert error_texts(page) == []
    finally:
        page.close()
