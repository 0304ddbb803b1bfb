"""Plotly figure builders: results in, ``go.Figure`` out, one shared look (see ``style``).

A builder never trains or fits; it draws what nnviz computed. One module per page's figures.
"""
