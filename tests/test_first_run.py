"""Each page's first run does not call the heavy computations it defers (issue 18). Not timed.

One fresh interpreter opens every page once, as a first visitor would (the router's background warm-up, which
imports torch on purpose, is switched off so each page is judged alone), and records what the visit did:

- no training or sweep on any page: no ``nnviz.live.TimedRun`` was run or advanced (every trainer, fit and sweep
  is one), and no torch optimiser was built (the first one imports ``torch._dynamo``);
- no scikit-learn (data generation and fits are deferred or precomputed);
- none of the named computations that pages put behind a button or a closed section (``DEFERRED``);
- torch itself not imported by any page's first run (home needs no torch at all: issue 12 item 4; the others load
  it when the student first trains), except the pages named in ``TORCH_ON_FIRST_RUN``.

Pages run home first and those of ``TORCH_ON_FIRST_RUN`` last, so one that imports torch cannot hide another's.
"""

from __future__ import annotations

import json

import pytest

from nnviz.catalog import PAGES, ROOT
from tests.apptest_utils import run_python

#: Pages whose first run may import torch (none: the playground draws its initial weights in numpy).
TORCH_ON_FIRST_RUN: set[str] = set()

#: Computations pages defer to a button or a closed section, as "module:function" (patched on the module, so a
#: page calling them through their module is seen).
DEFERRED = (
    "nnviz.ui.sound:hear_nonlinearity_section",
    "nnviz.topics.network.digits:train",
    "nnviz.topics.network.heads:train_head",
    "nnviz.topics.network.heads:fit_diabetes",
    "nnviz.topics.depth.untangle:train_untangler",
    "nnviz.topics.sound:fit_period",
    "nnviz.views.universal_approximation:trained_fit",
    "nnviz.topics.playground:torch_snippet",
)

_CHILD = r"""
import importlib, json, sys
sys.path.insert(0, {root!r})
from nnviz import threads, warmup
threads.limit()
warmup.start = lambda: None
from nnviz import live
calls = []

def spy(owner, name, label):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        calls.append(label(args))
        return original(*args, **kwargs)
    setattr(owner, name, wrapper)

for method in ("run", "advance"):
    spy(live.TimedRun, method, lambda args, m=method: f"{{type(args[0]).__name__}}.{{m}}")
for target in {deferred!r}:
    module, name = target.split(":")
    spy(importlib.import_module(module), name, lambda args, t=target: t)
assert not {{"torch", "sklearn"}} & set(sys.modules), "importing a DEFERRED module loaded torch or sklearn"
from tests.apptest_utils import charts, open_page
for page in {pages!r}:
    calls.clear()
    at = open_page(page)
    print(json.dumps({{"page": page, "exceptions": [str(e.value) for e in at.exception], "calls": sorted(set(calls)),
                      "torch": "torch" in sys.modules, "optimiser": "torch._dynamo" in sys.modules,
                      "sklearn": "sklearn" in sys.modules, "charts": len(charts(at))}}), flush=True)
"""


def _pages() -> list[str]:
    files = [p.file for p in PAGES]
    assert "home.py" in files and set(files) >= TORCH_ON_FIRST_RUN
    return (["home.py"] + [f for f in files if f != "home.py" and f not in TORCH_ON_FIRST_RUN]
            + sorted(TORCH_ON_FIRST_RUN))


@pytest.fixture(scope="module")
def visits() -> dict[str, dict]:
    """What each page's first run did, by page file, from one fresh interpreter."""
    pages = _pages()
    code = _CHILD.format(root=str(ROOT), deferred=DEFERRED, pages=pages)
    out = run_python(code)
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [r["page"] for r in rows] == pages
    return {r["page"]: r for r in rows}


@pytest.mark.parametrize("page", [p.file for p in PAGES])
def test_a_first_run_trains_nothing_and_calls_nothing_it_defers(visits, page):
    v = visits[page]
    assert v["exceptions"] == []
    assert v["charts"] >= 1  # the page was drawn, not stopped early
    assert v["calls"] == [], f"{page}'s first run called what it defers: {v['calls']}"
    assert not v["optimiser"], f"a torch optimiser was built by the first run of {page} or a page before it"
    assert not v["sklearn"], f"scikit-learn was imported by the first run of {page} or a page before it"


@pytest.mark.parametrize("page", [p.file for p in PAGES if p.file not in TORCH_ON_FIRST_RUN])
def test_a_first_run_needs_no_torch(visits, page):
    assert not visits[page]["torch"], f"torch was imported by the first run of {page} or a page before it"


def test_the_spies_see_a_deferred_call():
    """The check can fail: a child that calls a deferred function and advances a run reports both."""
    code = _CHILD.split("from tests.apptest_utils")[0].format(root=str(ROOT), deferred=DEFERRED, pages=[]) + (
        "class Trainer(live.TimedRun):\n    max_steps = 2\n    def _step(self):\n        return True\n"
        "import nnviz.topics.network.heads as heads\n"
        "try:\n    heads.train_head(None)\nexcept Exception:\n    pass\n"
        "Trainer().run(1)\nTrainer().advance(0.01)\n"
        "print(json.dumps(sorted(set(calls))))\n")
    out = run_python(code, timeout=300)
    calls = json.loads(out.splitlines()[-1])
    assert calls == ["Trainer.advance", "Trainer.run", "nnviz.topics.network.heads:train_head"]
