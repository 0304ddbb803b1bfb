"""nnviz: the compute package behind the interactive deep-learning explainer.

Plain Python, numpy and torch; importable and testable without Streamlit (only ``nnviz.ui`` imports
streamlit). Importing it has no side effects: no torch import, no environment change. Thread limits are set
once at startup by ``nnviz.threads.limit()`` (the router and the tests call it).
"""
