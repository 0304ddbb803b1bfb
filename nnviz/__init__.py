"""nnviz: the compute package behind the interactive deep-learning explainer.

Plain Python, numpy and torch; importable and testable without Streamlit (only ``nnviz.ui`` imports
streamlit).
"""

import os

#: Threads torch (and BLAS) may use per computation. The networks here are tiny, so one thread is as fast as
#: many, and a hosted demo serving many users must not let one user's training take every core. Override with
#: NNVIZ_TORCH_THREADS.
THREADS = max(1, int(os.environ.get("NNVIZ_TORCH_THREADS", "1")))

# OpenMP reads these once, when torch loads it, and every thread created later starts from them. Streamlit runs
# each script in a fresh thread, and torch.set_num_threads only sets the calling thread's count, so without
# this a page's training ran on the default thread count, oversubscribing a busy machine (40-70x slower).
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
os.environ.setdefault("MKL_NUM_THREADS", str(THREADS))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(THREADS))

import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

# numpy's BLAS may already be loaded (Streamlit imports numpy first); its thread count is process-wide, and on a
# shared 2-core machine small solves ran 30-40x slower multithreaded.
threadpool_limits(limits=THREADS, user_api="blas")


def bound_threads() -> None:
    """Hold torch to ``THREADS`` in the calling thread (cheap; call at the top of a script run or fragment)."""
    if torch.get_num_threads() != THREADS:
        torch.set_num_threads(THREADS)


bound_threads()
