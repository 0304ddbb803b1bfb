"""Precompute the universal-approximation page's default view, so a first visit evaluates no network.

Writes nnviz/data/universal_approximation_defaults.json: sections 1 to 3 (before training) at the page's default
settings, computed by the views' own functions with the stored file ignored, and the settings they were computed
with. tests/test_universal_approximation.py checks a live computation with those settings equals the file.
Deterministic (the only seed is fixed and unused at these settings).

    python benchmarks/precompute_universal_approximation.py
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402

threads.limit()
import plotly.io as pio  # noqa: E402
import streamlit  # noqa: E402, F401  (first, as in app.py: it sets plotly's default template, nnviz's style then its own)

from nnviz.views import universal_approximation as views  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime found": the views run bare here


def main() -> None:
    assert pio.templates.default == "nnviz", "the figures would carry another template than the app's"
    views.USE_STORED = False
    results = {name: views.COMPUTE[name](*settings) for name, settings in views.DEFAULTS.items()}
    arrays: list[str] = []
    doc = {"settings": {name: views.encode(s) for name, s in views.DEFAULTS.items()},
           "results": {name: views.encode(r, arrays) for name, r in results.items()}, "arrays": arrays}
    views.DATA_FILE.write_text(json.dumps(doc, separators=(",", ":")))
    print(f"wrote {views.DATA_FILE} ({views.DATA_FILE.stat().st_size / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
