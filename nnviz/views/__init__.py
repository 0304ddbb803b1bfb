"""Per page, the cached views: plain settings in, frozen dataclasses out (decorated with ``nnviz.ui.cache``).

A page script picks values with widgets, calls its views, and hands the results to figure builders. Views
feed one another like a small DAG (the data set once, the fits from it, the errors from the fits).
"""
