"""The app freezes its loaded modules so Streamlit's full collection after every run stays cheap."""

import gc
import sys

from nnviz import heap


def test_freezes_once_per_new_import():
    heap.freeze_loaded_modules()  # whatever this process loaded so far
    assert heap.freeze_loaded_modules() is False  # nothing new: a length comparison, no collection
    frozen = gc.get_freeze_count()
    import json.tool  # noqa: F401, PLC0415  (a module this test process has not loaded yet)

    assert "json.tool" in sys.modules
    assert heap.freeze_loaded_modules() is True
    assert gc.get_freeze_count() > frozen


def test_full_collection_skips_the_frozen_heap():
    import plotly.graph_objects  # noqa: F401, PLC0415
    import torch  # noqa: F401, PLC0415

    gc.unfreeze()
    tracked = len(gc.get_objects())
    heap._modules_at_last_freeze = 0  # as in a fresh server process
    assert heap.freeze_loaded_modules() is True
    # what a full collection still walks (the time it takes is measured in benchmarks/bench_playground.py)
    assert len(gc.get_objects()) < tracked / 10
