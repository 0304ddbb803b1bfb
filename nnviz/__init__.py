"""nnviz: the compute package behind the interactive deep-learning explainer.

Plain Python, numpy and torch; importable and testable without Streamlit (only ``nnviz.ui`` imports
streamlit).
"""

import os

import torch


def _bound_torch_threads() -> None:
    """Keep torch to a small, fixed thread count.

    The networks here are tiny, so one thread is as fast as many, and a hosted demo serving many users
    must not let one user's training take every core. Override with NNVIZ_TORCH_THREADS.
    """
    threads = int(os.environ.get("NNVIZ_TORCH_THREADS", "1"))
    torch.set_num_threads(max(1, threads))


_bound_torch_threads()
